/* SPDX-License-Identifier: Apache-2.0
 *
 * cli/csvout.c — CSV output and strict number parsing for the CLI.
 * Files are written to PATH.tmp.<pid> and renamed, so a failed run never
 * leaves a half-written result under the requested name.
 */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int mt_cli_fail(const char *fmt, ...)
{
    va_list ap;
    fputs("medtwin: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return 1;
}

int mt_cli_subcommand(int argc, char **argv, int min_argc, const char *sub, const char *help)
{
    int asked = argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"));
    if (argc >= min_argc && !strcmp(argv[1], sub))
        return -1;
    fputs(help, asked ? stdout : stderr);
    return asked ? 0 : 2;
}

int mt_cli_parse_double(const char *s, double *out)
{
    if (!s || !*s)
        return -1;
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || errno == ERANGE || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

int mt_cli_parse_long(const char *s, long *out)
{
    if (!s || !*s)
        return -1;
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end != '\0' || errno == ERANGE)
        return -1;
    *out = v;
    return 0;
}

static void put_num(FILE *f, double v)
{
    if (isnan(v))
        fputs("NaN", f);
    else if (isinf(v))
        fputs(v > 0 ? "INF" : "-INF", f);
    else
        fprintf(f, "%.15g", v);
}

int mt_cli_write_csv(FILE *f, const mt_result *r, const char *const *ids)
{
    size_t nc = mt_result_n_cols(r), nr = mt_result_n_rows(r);
    fputs("time", f);
    for (size_t j = 0; j < nc; j++)
        fprintf(f, ",%s", ids ? ids[j] : mt_result_col_id(r, j));
    fputc('\n', f);
    for (size_t i = 0; i < nr; i++) {
        put_num(f, mt_result_time(r, i));
        for (size_t j = 0; j < nc; j++) {
            fputc(',', f);
            put_num(f, mt_result_value(r, i, j));
        }
        fputc('\n', f);
    }
    return ferror(f) ? -1 : 0;
}

int mt_cli_write_atomic(const char *path, mt_cli_writer write, const void *arg)
{
    size_t n = strlen(path) + 32;
    char *tmp = malloc(n);
    if (!tmp)
        return mt_cli_fail("out of memory");
    snprintf(tmp, n, "%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f) {
        int rc = mt_cli_fail("cannot write '%s': %s", path, strerror(errno));
        free(tmp);
        return rc;
    }
    int bad = write(f, arg) != 0;
    if (fclose(f) != 0)
        bad = 1;
    if (bad || rename(tmp, path) != 0) {
        int rc = mt_cli_fail("cannot write '%s': %s", path, strerror(errno));
        remove(tmp);
        free(tmp);
        return rc;
    }
    free(tmp);
    return 0;
}

typedef struct {
    const mt_result *r;
    const char *const *ids;
} csv_arg;

static int write_csv_cb(FILE *f, const void *arg)
{
    const csv_arg *c = arg;
    return mt_cli_write_csv(f, c->r, c->ids);
}

int mt_cli_write_csv_file(const char *path, const mt_result *r, const char *const *ids)
{
    csv_arg c = {r, ids};
    return mt_cli_write_atomic(path, write_csv_cb, &c);
}

static int write_text_cb(FILE *f, const void *arg)
{
    const char *text = arg;
    size_t n = strlen(text);
    if (fputs(text, f) < 0)
        return -1;
    return (n && text[n - 1] != '\n' && fputc('\n', f) < 0) ? -1 : 0;
}

int mt_cli_write_text_file(const char *path, const char *text)
{
    return mt_cli_write_atomic(path, write_text_cb, text);
}

int mt_cli_plot(mt_ctx *ctx, const char *cmd, const mt_result *r, const char *path,
                const char *title, const char *xlabel, const char *ylabel, const char *const *names)
{
    size_t nr = mt_result_n_rows(r), nc = mt_result_n_cols(r);
    double *x = malloc(nr * sizeof *x);
    const char **own = malloc((nc ? nc : 1) * sizeof *own);
    if (!x || !own) {
        free(x);
        free(own);
        return mt_cli_fail("out of memory");
    }
    for (size_t i = 0; i < nr; i++)
        x[i] = mt_result_time(r, i);
    for (size_t j = 0; j < nc; j++)
        own[j] = names ? names[j] : mt_result_col_id(r, j);
    mt_status st =
        mt_plot_lines(ctx, path, title, xlabel, ylabel, nr, x, nc, mt_result_data(r), own);
    free(x);
    free(own);
    if (st != MT_OK)
        return mt_cli_fail("%s: %s", cmd, mt_errmsg(ctx));
    return 0;
}
