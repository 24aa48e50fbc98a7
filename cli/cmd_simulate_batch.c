/* SPDX-License-Identifier: Apache-2.0
 *
 * cli/cmd_simulate_batch.c — `medtwin simulate MODEL.xml --params TABLE.csv`: one simulation
 * per row of a table, the model compiled once.
 *
 * The table's header names the model's parameters, species and compartments (each looked up
 * once, mt_sim_find); an optional `id` column names the rows. Every cell is parsed and checked
 * before the first run, so a bad cell costs no simulation. The workspace given already holds
 * the --set overrides, the outputs and the solver settings; each row then sets its own values
 * (mt_sim_set_value_at), which come after --set and so win over it, and runs.
 *
 * Output, long format: header `row,time,<vars>` (row 1 is the table's first data row) or,
 * with an id column, `id,time,<vars>`; then steps+1 lines per row, rows in table order,
 * numbers as the single-run CSV writes them (%.15g). It is written to a temporary file and
 * moved to --out (or copied to standard output) only when every row succeeded: a failing row
 * stops the batch with one error line that names the row, and leaves no output behind.
 *
 * Limits (said in the error): MT_BATCH_MAX_BYTES of table, MT_BATCH_MAX_ROWS rows,
 * MT_BATCH_MAX_LINES output lines; --plot draws at most MT_BATCH_MAX_CURVES curves (otherwise
 * it is skipped with a note).
 */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"

#include "medtwin/csv.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MT_BATCH_MAX_BYTES ((size_t)64 << 20)
#define MT_BATCH_MAX_ROWS 100000
#define MT_BATCH_MAX_LINES 50000000L
#define MT_BATCH_MAX_CURVES 1000
#define MT_BATCH_MAX_PLOT_POINTS 20000000L

typedef struct {
    const mt_cli_batch *b;
    mt_csv *t;
    size_t n_rows, n_cols;
    int id_col;     /* -1: none */
    int *index;     /* per column: mt_sim_find's index, -1 for the id column */
    double *val;    /* n_rows x n_cols, the parsed cells (id column unused) */
    size_t *line;   /* per data row: the line it starts on */
    double *plot_y; /* n_points x n_rows: the first output of every row, or NULL */
    double *plot_x; /* the n_points output times */
    size_t n_points;
    char *plot_var;   /* the first output's id */
    const char **leg; /* legend: the rows' names */
    char **leg_own;
} batch;

/* Reads the whole file (at most MT_BATCH_MAX_BYTES). Returns 0 or prints the error. */
static int read_table(const char *path, char **text, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return mt_cli_fail("simulate: --params: cannot open '%s': %s", path, strerror(errno));
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    int rc = 0;
    while (buf) {
        if (n == cap) {
            if (cap > MT_BATCH_MAX_BYTES) {
                rc = mt_cli_fail("simulate: --params: '%s' is larger than %zu MiB (the limit of "
                                 "a parameter table)",
                                 path, MT_BATCH_MAX_BYTES >> 20);
                break;
            }
            char *nb = realloc(buf, cap * 2);
            if (!nb)
                break;
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            if (ferror(f))
                rc = mt_cli_fail("simulate: --params: cannot read '%s': %s", path,
                                 strerror(errno ? errno : EIO));
            break;
        }
    }
    fclose(f);
    if (!buf || (!rc && n > MT_BATCH_MAX_BYTES)) {
        if (!buf)
            rc = mt_cli_fail("out of memory");
        else
            rc = mt_cli_fail("simulate: --params: '%s' is larger than %zu MiB (the limit of a "
                             "parameter table)",
                             path, MT_BATCH_MAX_BYTES >> 20);
    }
    if (rc) {
        free(buf);
        return rc;
    }
    *text = buf;
    *len = n;
    return 0;
}

/* The line each record starts on, by the rules of the CSV reader (blank lines skipped,
 * quoted cells may span lines). lines[0] is the header's; at most n_lines are stored. */
static void record_lines(const char *s, size_t len, size_t *lines, size_t n_lines)
{
    size_t i = 0, line = 1, rec = 0;
    while (i < len && rec < n_lines) {
        if (s[i] == '\n' || s[i] == '\r') {
            line += s[i] == '\n';
            i++;
            continue;
        }
        lines[rec++] = line;
        for (;;) { /* cells */
            if (i < len && s[i] == '"') {
                for (i++; i < len; i++) {
                    if (s[i] == '"') {
                        if (i + 1 < len && s[i + 1] == '"') {
                            i++;
                            continue;
                        }
                        break;
                    }
                    line += s[i] == '\n';
                }
                i += i < len;
            }
            while (i < len && s[i] != ',' && s[i] != '\n' && s[i] != '\r')
                i++;
            if (i < len && s[i] == ',') {
                i++;
                if (i < len && s[i] != '\n' && s[i] != '\r')
                    continue;
            }
            break;
        }
        if (i < len && s[i] == '\r')
            i++;
        if (i < len && s[i] == '\n')
            i++;
        line++;
    }
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Reads and checks the table: columns against the model, every cell a finite number, ids
 * present and distinct. Returns 0 or prints the error. */
static int load(batch *bt, mt_ctx *ctx, mt_sim *sim)
{
    const mt_cli_batch *b = bt->b;
    const char *path = b->table;
    char *text = NULL;
    size_t len = 0;
    int rc = read_table(path, &text, &len);
    if (rc)
        return rc;
    if (mt_csv_parse(ctx, text, len, path, &bt->t) != MT_OK) {
        free(text);
        return mt_cli_fail("simulate: --params: %s", mt_errmsg(ctx));
    }
    const mt_csv *t = bt->t;
    bt->n_rows = mt_csv_n_rows(t);
    bt->n_cols = mt_csv_n_cols(t);
    if (bt->n_rows == 0) {
        free(text);
        return mt_cli_fail("simulate: --params: '%s' has no data rows (only a header)", path);
    }
    if (bt->n_rows > MT_BATCH_MAX_ROWS) {
        free(text);
        return mt_cli_fail("simulate: --params: '%s' has %zu rows, more than %d (the limit of a "
                           "batch; split the table)",
                           path, bt->n_rows, MT_BATCH_MAX_ROWS);
    }
    long per_row = b->steps + 1;
    if ((long)bt->n_rows > MT_BATCH_MAX_LINES / per_row) {
        free(text);
        return mt_cli_fail("simulate: --params: %zu rows x %ld time points is more than %ld "
                           "output lines (the limit of a batch; fewer --steps or rows)",
                           bt->n_rows, per_row, MT_BATCH_MAX_LINES);
    }
    bt->line = calloc(bt->n_rows + 1, sizeof *bt->line);
    bt->index = calloc(bt->n_cols, sizeof *bt->index);
    bt->val = calloc(bt->n_rows * bt->n_cols, sizeof *bt->val);
    if (!bt->line || !bt->index || !bt->val) {
        free(text);
        return mt_cli_fail("out of memory");
    }
    record_lines(text, len, bt->line, bt->n_rows + 1);
    free(text);
    /* the header: each name once, each a settable symbol of the model (or `id`) */
    bt->id_col = -1;
    for (size_t j = 0; j < bt->n_cols; j++) {
        const char *name = mt_csv_header(t, j);
        for (size_t k = 0; k < j; k++)
            if (!strcmp(name, mt_csv_header(t, k)))
                return mt_cli_fail("simulate: --params %s:%zu: column %zu: '%s' repeats column "
                                   "%zu",
                                   path, bt->line[0], j + 1, name, k + 1);
        if (!*name)
            return mt_cli_fail("simulate: --params %s:%zu: column %zu has no name", path,
                               bt->line[0], j + 1);
        if (!strcmp(name, "id")) {
            bt->id_col = (int)j;
            bt->index[j] = -1;
            continue;
        }
        int idx = mt_sim_find(sim, name);
        if (idx == -1)
            return mt_cli_fail("simulate: --params %s:%zu: column %zu: '%s' is no parameter, "
                               "species or compartment of %s",
                               path, bt->line[0], j + 1, name, b->model);
        if (idx < 0 && mt_sim_set_value(sim, name, 0.0) != MT_OK) /* refused: it says why */
            return mt_cli_fail("simulate: --params %s:%zu: column %zu: %s", path, bt->line[0],
                               j + 1, mt_errmsg(ctx));
        bt->index[j] = idx;
    }
    /* the cells */
    for (size_t i = 0; i < bt->n_rows; i++)
        for (size_t j = 0; j < bt->n_cols; j++) {
            const char *cell = mt_csv_cell(t, i, j);
            if ((int)j == bt->id_col) {
                if (!*cell)
                    return mt_cli_fail("simulate: --params %s:%zu: column %zu: empty id", path,
                                       bt->line[i + 1], j + 1);
                continue;
            }
            if (mt_cli_parse_double(cell, &bt->val[i * bt->n_cols + j]))
                return mt_cli_fail("simulate: --params %s:%zu: column %zu (%s): '%s' is not a "
                                   "finite number",
                                   path, bt->line[i + 1], j + 1, mt_csv_header(t, j), cell);
        }
    /* ids: distinct (the output's rows are told apart by them) */
    if (bt->id_col >= 0) {
        const char **ids = malloc(bt->n_rows * sizeof *ids);
        if (!ids)
            return mt_cli_fail("out of memory");
        for (size_t i = 0; i < bt->n_rows; i++)
            ids[i] = mt_csv_cell(t, i, (size_t)bt->id_col);
        qsort(ids, bt->n_rows, sizeof *ids, cmp_str);
        for (size_t i = 1; i < bt->n_rows && !rc; i++)
            if (!strcmp(ids[i - 1], ids[i]))
                rc = mt_cli_fail("simulate: --params %s: id '%s' names more than one row", path,
                                 ids[i]);
        free(ids);
    }
    return rc;
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

/* A CSV cell, quoted when it has to be. */
static void put_cell(FILE *f, const char *s) { mt_csv_put_cell(f, s); }

/* Row i's label: its id, or its number. buf holds the number. */
static const char *row_name(const batch *bt, size_t i, char *buf, size_t n)
{
    if (bt->id_col >= 0)
        return mt_csv_cell(bt->t, i, (size_t)bt->id_col);
    snprintf(buf, n, "%zu", i + 1);
    return buf;
}

static void write_rows(FILE *f, const batch *bt, size_t i, const mt_result *r)
{
    char buf[32];
    const char *name = row_name(bt, i, buf, sizeof buf);
    size_t nr = mt_result_n_rows(r), nc = mt_result_n_cols(r);
    for (size_t k = 0; k < nr; k++) {
        put_cell(f, name);
        fputc(',', f);
        put_num(f, mt_result_time(r, k));
        for (size_t j = 0; j < nc; j++) {
            fputc(',', f);
            put_num(f, mt_result_value(r, k, j));
        }
        fputc('\n', f);
    }
}

static int copy_to_stdout(FILE *f)
{
    char buf[1 << 16];
    size_t n;
    rewind(f);
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        if (fwrite(buf, 1, n, stdout) != n)
            return -1;
    if (ferror(f) || fflush(stdout) != 0)
        return -1;
    return 0;
}

/* The plot: every row's curve of the first output. Returns 0 or prints the error. */
static int plot(mt_ctx *ctx, batch *bt)
{
    const mt_cli_batch *b = bt->b;
    char title[512];
    snprintf(title, sizeof title, "%s: %s of %zu rows", b->title, bt->plot_var, bt->n_rows);
    mt_status st = mt_plot_lines(ctx, b->plot, title, "time", bt->plot_var, bt->n_points,
                                 bt->plot_x, bt->n_rows, bt->plot_y, bt->leg);
    if (st != MT_OK)
        return mt_cli_fail("simulate: %s", mt_errmsg(ctx));
    return 0;
}

static void progress(const batch *bt, size_t done, size_t *next)
{
    if (bt->b->quiet || bt->n_rows < 50 || done < *next)
        return;
    fprintf(stderr, "medtwin: simulate: %zu/%zu rows (%d%%)\n", done, bt->n_rows,
            (int)(100.0 * (double)done / (double)bt->n_rows));
    size_t step = (bt->n_rows + 19) / 20; /* every 5% */
    *next = done + step < bt->n_rows ? done + step : bt->n_rows;
}

/* Every row, into f. Returns 0 or prints the error. */
static int run_rows(mt_ctx *ctx, mt_sim *sim, batch *bt, FILE *f, int *want_plot)
{
    const mt_cli_batch *b = bt->b;
    size_t next = (bt->n_rows + 19) / 20;
    int rc = 0;
    for (size_t i = 0; i < bt->n_rows && !rc; i++) {
        for (size_t j = 0; j < bt->n_cols; j++)
            if ((int)j != bt->id_col &&
                mt_sim_set_value_at(sim, bt->index[j], bt->val[i * bt->n_cols + j]) != MT_OK)
                return mt_cli_fail("simulate: %s", mt_errmsg(ctx));
        mt_result *r = NULL;
        if (mt_sim_run(sim, b->t0, b->t_end, b->steps, &r) != MT_OK) {
            char buf[32];
            if (bt->id_col >= 0)
                return mt_cli_fail("simulate: --params %s:%zu: row %zu (id '%s'): %s", b->table,
                                   bt->line[i + 1], i + 1, row_name(bt, i, buf, sizeof buf),
                                   mt_errmsg(ctx));
            return mt_cli_fail("simulate: --params %s:%zu: row %zu: %s", b->table, bt->line[i + 1],
                               i + 1, mt_errmsg(ctx));
        }
        size_t np = mt_result_n_rows(r), nc = mt_result_n_cols(r);
        if (i == 0) {
            fputs(bt->id_col >= 0 ? "id,time" : "row,time", f);
            for (size_t j = 0; j < nc; j++)
                fprintf(f, ",%s", mt_result_col_id(r, j));
            fputc('\n', f);
            if (*want_plot && nc == 0) {
                fprintf(stderr, "medtwin: simulate: --plot skipped: no output variables\n");
                *want_plot = 0;
            }
            if (*want_plot) {
                bt->n_points = np;
                bt->plot_y = malloc(np * bt->n_rows * sizeof *bt->plot_y);
                bt->plot_x = malloc(np * sizeof *bt->plot_x);
                bt->plot_var = strdup(mt_result_col_id(r, 0));
                bt->leg = calloc(bt->n_rows, sizeof *bt->leg);
                bt->leg_own = calloc(bt->n_rows, sizeof *bt->leg_own);
                if (!bt->plot_y || !bt->plot_x || !bt->plot_var || !bt->leg || !bt->leg_own)
                    rc = mt_cli_fail("out of memory");
                for (size_t k = 0; !rc && k < np; k++)
                    bt->plot_x[k] = mt_result_time(r, k);
            }
        }
        if (!rc && *want_plot) {
            for (size_t k = 0; k < np; k++)
                bt->plot_y[k * bt->n_rows + i] = mt_result_value(r, k, 0);
            char buf[32];
            const char *name = row_name(bt, i, buf, sizeof buf);
            size_t n = strlen(name) + 8;
            bt->leg_own[i] = malloc(n);
            if (!bt->leg_own[i])
                rc = mt_cli_fail("out of memory");
            else
                snprintf(bt->leg_own[i], n, "%s%s", bt->id_col >= 0 ? "" : "row ", name);
            bt->leg[i] = bt->leg_own[i];
        }
        if (!rc)
            write_rows(f, bt, i, r);
        mt_result_destroy(r);
        if (!rc && ferror(f))
            rc = mt_cli_fail("simulate: cannot write the results: %s",
                             strerror(errno ? errno : EIO));
        progress(bt, i + 1, &next);
    }
    return rc;
}

static void batch_free(batch *bt)
{
    if (bt->leg_own)
        for (size_t i = 0; i < bt->n_rows; i++)
            free(bt->leg_own[i]);
    free(bt->leg_own);
    free(bt->leg);
    free(bt->plot_y);
    free(bt->plot_x);
    free(bt->plot_var);
    free(bt->line);
    free(bt->index);
    free(bt->val);
    mt_csv_destroy(bt->t);
}

int mt_cli_simulate_batch(mt_ctx *ctx, mt_sim *sim, const mt_cli_batch *b)
{
    batch bt = {0};
    bt.b = b;
    int rc = load(&bt, ctx, sim);
    FILE *f = NULL;
    char *tmp = NULL;
    int plotted = 0;
    int want_plot = b->plot != NULL;
    const char *dest = b->out ? b->out : "standard output";
    if (rc)
        goto done;
    if (want_plot && (bt.n_rows > MT_BATCH_MAX_CURVES ||
                      (long)bt.n_rows > MT_BATCH_MAX_PLOT_POINTS / (b->steps + 1))) {
        fprintf(stderr,
                "medtwin: simulate: --plot skipped: %zu rows x %ld points, more than a plot "
                "shows (%d curves, %ld points)\n",
                bt.n_rows, b->steps + 1, MT_BATCH_MAX_CURVES, MT_BATCH_MAX_PLOT_POINTS);
        want_plot = 0;
    }
    if (b->out) {
        size_t n = strlen(b->out) + 32;
        tmp = malloc(n);
        if (!tmp) {
            rc = mt_cli_fail("out of memory");
            goto done;
        }
        snprintf(tmp, n, "%s.tmp.%ld", b->out, (long)getpid());
        f = fopen(tmp, "w");
    } else {
        f = tmpfile(); /* standard output gets the results only when every row succeeded */
    }
    if (!f) {
        rc = mt_cli_fail("cannot write '%s': %s", dest, strerror(errno));
        goto done;
    }
    errno = 0;
    rc = run_rows(ctx, sim, &bt, f, &want_plot);
    if (!rc && fflush(f) != 0)
        rc = mt_cli_fail("cannot write '%s': %s", dest, strerror(errno));
    /* the plot before the results are moved into place: a failing plot leaves no output */
    if (!rc && want_plot) {
        rc = plot(ctx, &bt);
        plotted = rc == 0;
    }
    if (!rc && !b->out && copy_to_stdout(f) != 0)
        rc = mt_cli_fail("cannot write to standard output");
    if (fclose(f) != 0 && !rc)
        rc = mt_cli_fail("cannot write '%s': %s", dest, strerror(errno));
    f = NULL;
    if (!rc && b->out && rename(tmp, b->out) != 0)
        rc = mt_cli_fail("cannot write '%s': %s", b->out, strerror(errno));
    if (rc && plotted)
        remove(b->plot); /* ours, from this run */
done:
    if (f)
        fclose(f);
    if (tmp && rc)
        remove(tmp);
    free(tmp);
    batch_free(&bt);
    return rc;
}
