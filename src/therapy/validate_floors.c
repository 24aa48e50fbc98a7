/* SPDX-License-Identifier: Apache-2.0
 *
 * therapy/validate_floors.c — the floors file of `medtwin qualify` (medtwin/validate.h): one
 * row per guarded figure, "set,figure,kind,limit", kind floor (the figure must not fall below
 * the limit) or ceiling (must not rise above it, e.g. a GMFE). The table is read with the
 * project's CSV reader; every cell is checked, and a problem is reported with the file name,
 * the row (1-based, the header is row 1) and the cell, so that a typo in a committed floor
 * stops CI with a message instead of guarding nothing. Cost: one pass over the rows, plus a
 * quadratic duplicate check (the files hold a few dozen rows).
 */
#include "medtwin/validate.h"

#include "medtwin/csv.h"
#include "util/util.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Letters, digits, '_', '.', '-'; 1..cap-1 characters. */
static int name_ok(const char *s, size_t cap)
{
    size_t n = strlen(s);
    if (n == 0 || n >= cap)
        return 0;
    for (; *s; s++) {
        char c = *s;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-'))
            return 0;
    }
    return 1;
}

static int parse_limit(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (!*s || end == s || *end || errno || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

mt_status mt_validate_floors_parse(mt_ctx *ctx, const char *text, size_t len, const char *name,
                                   mt_validate_floors *out)
{
    out->n = 0;
    out->v = NULL;
    mt_csv *t = NULL;
    mt_status st = mt_csv_parse(ctx, text, len, name, &t);
    if (st != MT_OK)
        return st;
    static const char *const cols[4] = {"set", "figure", "kind", "limit"};
    int j[4];
    for (int k = 0; k < 4; k++)
        if ((j[k] = mt_csv_col(t, cols[k])) < 0) {
            mt_csv_destroy(t);
            return mt_error(ctx, MT_EPARSE,
                            "%s: no column '%s' (a floors file has the columns set, figure, "
                            "kind, limit)",
                            name, cols[k]);
        }
    size_t n = mt_csv_n_rows(t);
    if (n == 0) {
        mt_csv_destroy(t);
        return mt_error(ctx, MT_EPARSE, "%s: no floors (the file has a header only)", name);
    }
    mt_validate_floor *v = calloc(n, sizeof *v);
    if (!v) {
        mt_csv_destroy(t);
        return mt_error(ctx, MT_ENOMEM, "out of memory reading %s", name);
    }
    st = MT_OK;
    char b[MT_SHOWN], b2[MT_SHOWN];
    for (size_t i = 0; i < n && st == MT_OK; i++) {
        const char *set = mt_csv_cell(t, i, (size_t)j[0]), *fig = mt_csv_cell(t, i, (size_t)j[1]);
        const char *kind = mt_csv_cell(t, i, (size_t)j[2]), *lim = mt_csv_cell(t, i, (size_t)j[3]);
        if (!name_ok(set, sizeof v[i].set))
            st = mt_error(ctx, MT_EPARSE,
                          "%s row %zu: set '%s' is not a name (letters, digits, _ . -; at most "
                          "%zu characters)",
                          name, i + 2, mt_shown(set, b), sizeof v[i].set - 1);
        else if (!name_ok(fig, sizeof v[i].figure))
            st = mt_error(ctx, MT_EPARSE,
                          "%s row %zu: figure '%s' is not a name (letters, digits, _ . -; at "
                          "most %zu characters)",
                          name, i + 2, mt_shown(fig, b), sizeof v[i].figure - 1);
        else if (strcmp(kind, "floor") != 0 && strcmp(kind, "ceiling") != 0)
            st = mt_error(ctx, MT_EPARSE, "%s row %zu: kind '%s' is neither 'floor' nor 'ceiling'",
                          name, i + 2, mt_shown(kind, b));
        else if (parse_limit(lim, &v[i].limit))
            st = mt_error(ctx, MT_EPARSE, "%s row %zu: limit '%s' is not a finite number", name,
                          i + 2, mt_shown(lim, b));
        if (st != MT_OK)
            break;
        memcpy(v[i].set, set, strlen(set) + 1);
        memcpy(v[i].figure, fig, strlen(fig) + 1);
        v[i].ceiling = kind[0] == 'c';
        for (size_t k = 0; k < i; k++)
            if (!strcmp(v[k].set, v[i].set) && !strcmp(v[k].figure, v[i].figure)) {
                st = mt_error(ctx, MT_EPARSE, "%s row %zu: %s %s is already limited in row %zu",
                              name, i + 2, mt_shown(set, b), mt_shown(fig, b2), k + 2);
                break;
            }
    }
    mt_csv_destroy(t);
    if (st != MT_OK) {
        free(v);
        return st;
    }
    out->n = n;
    out->v = v;
    return MT_OK;
}

void mt_validate_floors_clear(mt_validate_floors *f)
{
    if (!f)
        return;
    free(f->v);
    f->v = NULL;
    f->n = 0;
}

int mt_validate_floor_met(const mt_validate_floor *f, double value)
{
    if (isnan(value))
        return 0;
    return f->ceiling ? value <= f->limit : value >= f->limit;
}
