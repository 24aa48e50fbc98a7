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

int mt_cli_write_csv_file(const char *path, const mt_result *r, const char *const *ids)
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
    int bad = mt_cli_write_csv(f, r, ids);
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
