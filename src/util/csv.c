/* SPDX-License-Identifier: Apache-2.0
 *
 * util/csv.c — RFC 4180 CSV reader. One pass over the text: cells are
 * unquoted in place into one buffer and indexed by an array of offsets, so
 * a table costs two allocations plus its text. Cost O(bytes).
 */
#include "util/csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct mt_csv {
    char *buf;    /* cells, NUL-terminated, back to back */
    size_t *cell; /* offsets into buf, row-major incl. header */
    size_t n_cols, n_rows;
};

void mt_csv_destroy(mt_csv *t)
{
    if (!t)
        return;
    free(t->buf);
    free(t->cell);
    free(t);
}

/* Appends the offset of a new cell, growing the index as needed. */
static int add_cell(mt_csv *t, size_t *n, size_t *cap, size_t offset)
{
    if (*n == *cap) {
        size_t *nc = realloc(t->cell, *cap * 2 * sizeof *nc);
        if (!nc)
            return -1;
        t->cell = nc;
        *cap *= 2;
    }
    t->cell[(*n)++] = offset;
    return 0;
}

mt_status mt_csv_parse(mt_ctx *ctx, const char *text, size_t len, const char *name, mt_csv **out)
{
    *out = NULL;
    mt_csv *t = calloc(1, sizeof *t);
    size_t cap = 64, n = 0;
    if (t) {
        t->buf = malloc(len + 1);
        t->cell = malloc(cap * sizeof *t->cell);
    }
    if (!t || !t->buf || !t->cell) {
        mt_csv_destroy(t);
        return mt_error(ctx, MT_ENOMEM, "out of memory reading %s", name);
    }
    size_t w = 0, i = 0, line = 1, row_cells = 0, rows = 0;
    int at_line_start = 1;
    while (i < len) {
        /* skip blank lines */
        if (at_line_start && (text[i] == '\n' || text[i] == '\r')) {
            if (text[i] == '\n')
                line++;
            i++;
            continue;
        }
        at_line_start = 0;
        if (add_cell(t, &n, &cap, w) != 0) {
            mt_csv_destroy(t);
            return mt_error(ctx, MT_ENOMEM, "out of memory reading %s", name);
        }
        row_cells++;
        if (text[i] == '"') {
            size_t start_line = line;
            i++;
            for (;;) {
                if (i >= len) {
                    mt_csv_destroy(t);
                    return mt_error(ctx, MT_EPARSE, "%s:%zu: unterminated quoted field", name,
                                    start_line);
                }
                if (text[i] == '"') {
                    if (i + 1 < len && text[i + 1] == '"') {
                        t->buf[w++] = '"';
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                if (text[i] == '\n')
                    line++;
                t->buf[w++] = text[i++];
            }
            while (i < len && text[i] != ',' && text[i] != '\n' && text[i] != '\r')
                t->buf[w++] = text[i++]; /* text after the closing quote: keep */
        } else {
            while (i < len && text[i] != ',' && text[i] != '\n' && text[i] != '\r')
                t->buf[w++] = text[i++];
        }
        t->buf[w++] = '\0';
        if (i < len && text[i] == ',') {
            i++;
            if (i >= len || text[i] == '\n' || text[i] == '\r') {
                /* trailing empty cell */
                if (add_cell(t, &n, &cap, w) != 0) {
                    mt_csv_destroy(t);
                    return mt_error(ctx, MT_ENOMEM, "out of memory reading %s", name);
                }
                t->buf[w++] = '\0';
                row_cells++;
            } else {
                continue;
            }
        }
        /* end of row */
        if (i < len && text[i] == '\r')
            i++;
        if (i < len && text[i] == '\n')
            i++;
        if (rows == 0)
            t->n_cols = row_cells;
        else if (row_cells != t->n_cols) {
            size_t want = t->n_cols;
            mt_csv_destroy(t);
            return mt_error(ctx, MT_EPARSE, "%s:%zu: %zu cells, the header has %zu", name, line,
                            row_cells, want);
        }
        rows++;
        line++;
        row_cells = 0;
        at_line_start = 1;
    }
    if (rows == 0) {
        mt_csv_destroy(t);
        return mt_error(ctx, MT_EPARSE, "%s: empty table (no header)", name);
    }
    t->n_rows = rows - 1;
    *out = t;
    return MT_OK;
}

mt_status mt_csv_read(mt_ctx *ctx, const char *path, size_t max_bytes, mt_csv **out)
{
    *out = NULL;
    if (!max_bytes)
        max_bytes = (size_t)256 << 20;
    FILE *f = fopen(path, "rb");
    if (!f)
        return mt_error(ctx, MT_EIO, "cannot open '%s'", path);
    char *buf = NULL;
    size_t n = 0;
    mt_status st = mt_read_file(ctx, f, path, max_bytes, &buf, &n);
    fclose(f);
    if (st != MT_OK)
        return st;
    st = mt_csv_parse(ctx, buf, n, path, out);
    mt_free(ctx, buf);
    return st;
}

size_t mt_csv_n_rows(const mt_csv *t) { return t->n_rows; }
size_t mt_csv_n_cols(const mt_csv *t) { return t->n_cols; }

int mt_csv_col(const mt_csv *t, const char *name)
{
    for (size_t j = 0; j < t->n_cols; j++)
        if (strcmp(t->buf + t->cell[j], name) == 0)
            return (int)j;
    return -1;
}

const char *mt_csv_header(const mt_csv *t, size_t col)
{
    return col < t->n_cols ? t->buf + t->cell[col] : "";
}

const char *mt_csv_cell(const mt_csv *t, size_t row, size_t col)
{
    if (row >= t->n_rows || col >= t->n_cols)
        return "";
    return t->buf + t->cell[(row + 1) * t->n_cols + col];
}

void mt_csv_put_cell(FILE *f, const char *s)
{
    s = s ? s : "";
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}
