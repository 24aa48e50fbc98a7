/* SPDX-License-Identifier: Apache-2.0
 *
 * fit/fitdata.c — reading a data set for fitting (mt_fit_data_read): the wide layout (a column
 * per observed symbol) and the event layout of NONMEM-style data (id, time, dv, amt, evid, cmt,
 * mdv, rate, dur, ii, addl), into subjects with observations, doses and covariates.
 */
#include "medtwin/fit.h"
#include "util/util.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum {
    R_NONE = 0,
    R_ID,
    R_TIME,
    R_DV,
    R_AMT,
    R_RATE,
    R_DUR,
    R_CMT,
    R_EVID,
    R_MDV,
    R_LLOQ,
    R_BLQ,
    R_II,
    R_ADDL,
    R_SS,
    R_OBS, /* wide: an observed symbol */
    R_COV, /* a covariate (constant symbol) */
    R_SKIP
};

static const char *const role_names[] = {"",     "id",  "time", "dv",  "amt", "rate", "dur", "cmt",
                                         "evid", "mdv", "lloq", "blq", "ii",  "addl", "ss"};

#define MAX_ADDL 100000

typedef struct {
    int role;
    const char *symbol; /* R_OBS / R_COV: the model symbol (borrowed from csv or the rename) */
    int index;          /* R_OBS: output index; R_COV: mt_sim_find index */
} colspec;

static int eq_nocase(const char *a, const char *b)
{
    while (*a && *b && tolower((unsigned char)*a) == tolower((unsigned char)*b))
        a++, b++;
    return *a == *b;
}

static int role_of(const char *name)
{
    for (int r = 1; r <= R_SS; r++)
        if (eq_nocase(name, role_names[r]))
            return r;
    return R_NONE;
}

/* Looks key up in a "a=b,c=d" list; copies the value into buf. 1 when found. */
static int map_lookup(const char *list, const char *key, char *buf, size_t n)
{
    if (!list)
        return 0;
    const char *p = list;
    size_t kl = strlen(key);
    while (*p) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        if (eq && (size_t)(eq - p) == kl && !strncmp(p, key, kl)) {
            size_t vl = len - kl - 1;
            if (vl >= n)
                vl = n - 1;
            memcpy(buf, eq + 1, vl);
            buf[vl] = '\0';
            return 1;
        }
        p = end ? end + 1 : p + len;
    }
    return 0;
}

static int list_has(const char *list, const char *key)
{
    if (!list)
        return 0;
    size_t kl = strlen(key);
    const char *p = list;
    while (*p) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == kl && !strncmp(p, key, kl))
            return 1;
        p = end ? end + 1 : p + len;
    }
    return 0;
}

/* A copy of s fit for a one-line message: control characters become '?', at most n - 1 bytes
 * (longer text ends in "..."). */
static const char *printable(const char *s, char *buf, size_t n)
{
    size_t k = 0;
    for (; s && s[k] && k + 1 < n; k++)
        buf[k] = (unsigned char)s[k] < 0x20 || s[k] == 0x7f ? '?' : s[k];
    buf[k] = '\0';
    if (s && s[k] && n > 4)
        memcpy(buf + n - 4, "...", 4);
    return buf;
}

static int blank(const char *s)
{
    if (!s)
        return 1;
    while (*s && isspace((unsigned char)*s))
        s++;
    return *s == '\0' || !strcmp(s, ".") || eq_nocase(s, "NA");
}

/* A cell as a finite number; blank is `dflt`. */
static mt_status cell_num(mt_ctx *ctx, const mt_csv *csv, size_t row, size_t col, double dflt,
                          double *out)
{
    const char *s = mt_csv_cell(csv, row, col);
    if (blank(s)) {
        *out = dflt;
        return MT_OK;
    }
    char *end = NULL;
    double v = strtod(s, &end);
    while (end && *end && isspace((unsigned char)*end))
        end++;
    if (!end || *end || !isfinite(v)) {
        char h[80], c[80];
        return mt_error(ctx, MT_EINVAL, "row %zu, column '%s': '%s' is not a number", row + 2,
                        printable(mt_csv_header(csv, col), h, sizeof h), printable(s, c, sizeof c));
    }
    *out = v;
    return MT_OK;
}

void mt_fit_data_destroy(mt_ctx *ctx, mt_fit_data *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n_subjects; i++) {
        mt_fit_subject *s = &d->subjects[i];
        mt_free(ctx, s->id);
        mt_free(ctx, s->obs);
        mt_free(ctx, s->doses);
        mt_free(ctx, s->cov_index);
        mt_free(ctx, s->cov_value);
        for (size_t k = 0; k < s->n_cov; k++)
            mt_free(ctx, s->cov_name[k]);
        mt_free(ctx, s->cov_name);
    }
    mt_free(ctx, d->subjects);
    for (size_t j = 0; j < d->n_outputs; j++)
        mt_free(ctx, d->outputs[j]);
    mt_free(ctx, d->outputs);
    mt_free(ctx, d);
}

/* Appends (or replaces) covariate idx = v of subject s. 0 on success. */
static int put_cov(mt_ctx *ctx, mt_fit_subject *s, int idx, const char *name, double v)
{
    for (size_t q = 0; q < s->n_cov; q++)
        if (s->cov_index[q] == idx) {
            s->cov_value[q] = v;
            return 0;
        }
    int *ni = mt_realloc(ctx, s->cov_index, (s->n_cov + 1) * sizeof *ni);
    if (ni)
        s->cov_index = ni;
    double *nv = mt_realloc(ctx, s->cov_value, (s->n_cov + 1) * sizeof *nv);
    if (nv)
        s->cov_value = nv;
    char **nn = mt_realloc(ctx, s->cov_name, (s->n_cov + 1) * sizeof *nn);
    if (nn)
        s->cov_name = nn;
    if (!ni || !nv || !nn || !(nn[s->n_cov] = mt_strdup(ctx, name)))
        return -1;
    ni[s->n_cov] = idx;
    nv[s->n_cov] = v;
    s->n_cov++;
    return 0;
}

mt_status mt_fit_data_set_covariate(mt_ctx *ctx, mt_fit_data *d, mt_sim *sim, const char *id,
                                    double value)
{
    int idx = mt_sim_find(sim, id);
    if (idx < 0 || mt_sim_symbol_dynamic(sim, id) != 0)
        return mt_error(ctx, MT_EINVAL, "'%s' is not a constant of the model that can be set", id);
    if (!isfinite(value))
        return mt_error(ctx, MT_EINVAL, "'%s': value is not finite", id);
    for (size_t i = 0; i < d->n_subjects; i++)
        if (put_cov(ctx, &d->subjects[i], idx, id, value))
            return mt_error(ctx, MT_ENOMEM, "out of memory");
    return MT_OK;
}

/* Growable arrays of one subject while reading. */
typedef struct {
    size_t cap_obs, cap_dose;
} caps;

static int grow(mt_ctx *ctx, void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 1;
    size_t nc = *cap ? *cap * 2 : 16;
    while (nc < need)
        nc *= 2;
    void *n = mt_realloc(ctx, *p, nc * elem);
    if (!n)
        return 0;
    *p = n;
    *cap = nc;
    return 1;
}

/* Appends the observation value of output out at t (data row r) to s: below the LLOQ when
 * flagged (blq) or below a given LLOQ, and then recorded at the LLOQ (Beal's M3). */
static mt_status add_obs(mt_ctx *ctx, mt_fit_subject *s, caps *k, size_t r, double t, int out,
                         double value, double blq, double lloq)
{
    if (!grow(ctx, (void **)&s->obs, &k->cap_obs, s->n_obs + 1, sizeof *s->obs))
        return mt_error(ctx, MT_ENOMEM, "out of memory");
    int is_blq = blq != 0 || (!isnan(lloq) && value < lloq);
    if (is_blq && isnan(lloq))
        return mt_error(ctx, MT_EINVAL, "row %zu: below the LLOQ (blq) but no LLOQ given", r + 2);
    s->obs[s->n_obs++] = (mt_fit_obs){t, out, is_blq ? lloq : value, is_blq};
    return MT_OK;
}

static int add_output(mt_ctx *ctx, mt_fit_data *d, const char *sym)
{
    for (size_t j = 0; j < d->n_outputs; j++)
        if (!strcmp(d->outputs[j], sym))
            return (int)j;
    char **n = mt_realloc(ctx, d->outputs, (d->n_outputs + 1) * sizeof *n);
    if (!n)
        return -1;
    d->outputs = n;
    if (!(n[d->n_outputs] = mt_strdup(ctx, sym)))
        return -1;
    return (int)d->n_outputs++;
}

static int cmp_obs(const void *a, const void *b)
{
    const mt_fit_obs *x = a, *y = b;
    return x->time < y->time ? -1 : x->time > y->time ? 1 : x->output - y->output;
}

static int cmp_dose(const void *a, const void *b)
{
    const mt_sim_dose *x = a, *y = b;
    return x->time < y->time ? -1 : x->time > y->time;
}

/* The subject with id `id` (created at the end when new). */
static mt_fit_subject *subject_for(mt_ctx *ctx, mt_fit_data *d, caps **cp, const char *id)
{
    for (size_t i = d->n_subjects; i-- > 0;)
        if (!strcmp(d->subjects[i].id, id))
            return &d->subjects[i];
    mt_fit_subject *n = mt_realloc(ctx, d->subjects, (d->n_subjects + 1) * sizeof *n);
    caps *nc = mt_realloc(ctx, *cp, (d->n_subjects + 1) * sizeof *nc);
    if (n)
        d->subjects = n;
    if (nc)
        *cp = nc;
    if (!n || !nc)
        return NULL;
    mt_fit_subject *s = &d->subjects[d->n_subjects];
    memset(s, 0, sizeof *s);
    memset(&(*cp)[d->n_subjects], 0, sizeof **cp);
    if (!(s->id = mt_strdup(ctx, id)))
        return NULL;
    d->n_subjects++;
    return s;
}

/* Resolves the symbol `name` of a CMT value (cmt map) or the default. */
static mt_status cmt_symbol(mt_ctx *ctx, const mt_fit_columns *c, double cmt, const char *dflt,
                            const char *what, size_t row, char *buf, size_t n)
{
    if (!isnan(cmt)) {
        char key[32];
        snprintf(key, sizeof key, "%g", cmt);
        if (map_lookup(c->cmt, key, buf, n))
            return MT_OK;
        if (!dflt)
            return mt_error(ctx, MT_EINVAL,
                            "row %zu: CMT %s of this %s is not mapped to a model symbol (give "
                            "--cmt %s=SYMBOL)",
                            row + 2, key, what, key);
    }
    if (!dflt)
        return mt_error(ctx, MT_EINVAL,
                        "row %zu: a %s without a CMT column or --%s: which model symbol is it?",
                        row + 2, what, !strcmp(what, "dose") ? "dose-into" : "observe");
    snprintf(buf, n, "%s", dflt);
    return MT_OK;
}

mt_status mt_fit_data_read(mt_ctx *ctx, const mt_csv *csv, mt_sim *sim, const mt_fit_columns *c,
                           mt_fit_data **out)
{
    *out = NULL;
    mt_fit_columns none = {0};
    if (!c)
        c = &none;
    size_t nc = mt_csv_n_cols(csv), nr = mt_csv_n_rows(csv);
    colspec *spec = mt_calloc(ctx, nc ? nc : 1, sizeof *spec);
    char(*names)[128] = mt_calloc(ctx, nc ? nc : 1, sizeof *names);
    mt_fit_data *d = mt_calloc(ctx, 1, sizeof *d);
    caps *cp = NULL;
    mt_status st = MT_OK;
    if (!spec || !names || !d) {
        st = mt_error(ctx, MT_ENOMEM, "out of memory");
        goto done;
    }
    int col_of[R_SS + 1];
    for (int r = 0; r <= R_SS; r++)
        col_of[r] = -1;
    /* columns: roles, observed symbols, covariates */
    for (size_t j = 0; j < nc; j++) {
        char hbuf[128];
        const char *h = printable(mt_csv_header(csv, j), hbuf, sizeof hbuf);
        if (list_has(c->ignore, mt_csv_header(csv, j))) {
            spec[j].role = R_SKIP;
            continue;
        }
        if (!map_lookup(c->rename, mt_csv_header(csv, j), names[j], sizeof names[j]))
            snprintf(names[j], sizeof names[j], "%s", h);
        const char *nm = names[j];
        int dyn = mt_sim_symbol_dynamic(sim, nm);
        int role = dyn >= 0 ? R_NONE : role_of(nm);
        if (role != R_NONE) {
            if (col_of[role] >= 0) {
                char h2[128];
                st = mt_error(ctx, MT_EINVAL, "columns '%s' and '%s' are both the %s column",
                              printable(mt_csv_header(csv, (size_t)col_of[role]), h2, sizeof h2), h,
                              role_names[role]);
                goto done;
            }
            col_of[role] = (int)j;
            spec[j].role = role;
            continue;
        }
        if (dyn < 0) {
            st = mt_error(ctx, MT_EINVAL,
                          "data column '%s' names no model symbol and no data role (id, time, "
                          "dv, amt, rate, dur, cmt, evid, mdv, lloq, blq, ii, addl, ss): rename "
                          "it (--columns %s=SYMBOL) or leave it out (--ignore %s)",
                          h, h, h);
            goto done;
        }
        spec[j].symbol = nm;
        if (dyn) {
            spec[j].role = R_OBS;
            int k = add_output(ctx, d, nm);
            if (k < 0) {
                st = mt_error(ctx, MT_ENOMEM, "out of memory");
                goto done;
            }
            spec[j].index = k;
        } else {
            int idx = mt_sim_find(sim, nm);
            if (idx < 0) {
                st = mt_error(ctx, MT_EINVAL, "data column '%s': model symbol '%s' cannot be set",
                              h, nm);
                goto done;
            }
            spec[j].role = R_COV;
            spec[j].index = idx;
        }
    }
    if (col_of[R_TIME] < 0) {
        st = mt_error(ctx, MT_EINVAL,
                      "the data have no time column (name one with --columns "
                      "COLUMN=time)");
        goto done;
    }
    int event = col_of[R_DV] >= 0;
    if (event && d->n_outputs > 0) {
        st = mt_error(ctx, MT_EINVAL,
                      "the data have both a dv column and observed-symbol columns (%s): use one "
                      "layout",
                      d->outputs[0]);
        goto done;
    }
    if (!event && d->n_outputs == 0) {
        st = mt_error(ctx, MT_EINVAL,
                      "the data observe nothing: no dv column and no column naming a model "
                      "symbol that changes in time");
        goto done;
    }
    if (col_of[R_AMT] < 0 &&
        (col_of[R_RATE] >= 0 || col_of[R_II] >= 0 || col_of[R_ADDL] >= 0 || col_of[R_DUR] >= 0)) {
        st = mt_error(ctx, MT_EINVAL, "the data have rate/dur/ii/addl columns but no amt column");
        goto done;
    }
    if (col_of[R_SS] >= 0) {
        for (size_t r = 0; r < nr; r++) {
            double ss = 0;
            if ((st = cell_num(ctx, csv, r, (size_t)col_of[R_SS], 0, &ss)) != MT_OK)
                goto done;
            if (ss != 0) {
                st = mt_error(ctx, MT_EUNSUPPORTED,
                              "row %zu: steady-state dosing (ss=%g) is not supported yet: give "
                              "the doses before the first record (amt with ii and addl)",
                              r + 2, ss);
                goto done;
            }
        }
    }
    double t_min = 0;
    for (size_t r = 0; r < nr; r++) {
        char idbuf[128] = "1";
        if (col_of[R_ID] >= 0) {
            const char *v = mt_csv_cell(csv, r, (size_t)col_of[R_ID]);
            if (blank(v)) {
                st = mt_error(ctx, MT_EINVAL, "row %zu: empty id", r + 2);
                goto done;
            }
            printable(v, idbuf, sizeof idbuf);
        }
        mt_fit_subject *s = subject_for(ctx, d, &cp, idbuf);
        if (!s) {
            st = mt_error(ctx, MT_ENOMEM, "out of memory");
            goto done;
        }
        caps *k = &cp[s - d->subjects];
        double t, amt = 0, rate = 0, dur = 0, evid = NAN, mdv = 0, cmt = NAN, lloq = c->lloq,
                  blq = 0, ii = 0, addl = 0;
        if ((st = cell_num(ctx, csv, r, (size_t)col_of[R_TIME], NAN, &t)) != MT_OK)
            goto done;
        if (isnan(t)) {
            st = mt_error(ctx, MT_EINVAL, "row %zu: empty time", r + 2);
            goto done;
        }
        const int roles[] = {R_AMT, R_RATE, R_DUR, R_EVID, R_MDV,
                             R_CMT, R_LLOQ, R_BLQ, R_II,   R_ADDL};
        double *vals[] = {&amt, &rate, &dur, &evid, &mdv, &cmt, &lloq, &blq, &ii, &addl};
        for (size_t q = 0; q < sizeof roles / sizeof *roles; q++)
            if (col_of[roles[q]] >= 0 &&
                (st = cell_num(ctx, csv, r, (size_t)col_of[roles[q]], *vals[q], vals[q])) != MT_OK)
                goto done;
        if (amt < 0 || rate < 0 || dur < 0 || ii < 0 || addl < 0 || addl != floor(addl) ||
            addl > MAX_ADDL) {
            st = mt_error(ctx, MT_EINVAL,
                          "row %zu: impossible dose record (amt %g, rate %g, dur %g, ii %g, addl "
                          "%g): none may be negative, addl is a whole number up to %d",
                          r + 2, amt, rate, dur, ii, addl, MAX_ADDL);
            goto done;
        }
        if (addl > 0 && !(ii > 0)) {
            st = mt_error(ctx, MT_EINVAL, "row %zu: addl %g needs an interval ii > 0", r + 2, addl);
            goto done;
        }
        if (t < t_min)
            t_min = t;
        /* covariates: one value per subject */
        for (size_t j = 0; j < nc; j++) {
            if (spec[j].role != R_COV)
                continue;
            double v;
            if ((st = cell_num(ctx, csv, r, j, NAN, &v)) != MT_OK)
                goto done;
            if (isnan(v))
                continue;
            size_t q = 0;
            while (q < s->n_cov && s->cov_index[q] != spec[j].index)
                q++;
            if (q < s->n_cov) {
                if (s->cov_value[q] != v) {
                    st = mt_error(ctx, MT_EINVAL,
                                  "row %zu: covariate '%s' of subject %s changes (%g, then %g); "
                                  "a model constant takes one value per subject",
                                  r + 2, spec[j].symbol, s->id, s->cov_value[q], v);
                    goto done;
                }
                continue;
            }
            if (put_cov(ctx, s, spec[j].index, spec[j].symbol, v)) {
                st = mt_error(ctx, MT_ENOMEM, "out of memory");
                goto done;
            }
        }
        /* a dose */
        int is_dose = amt > 0 && (isnan(evid) || evid == 1 || evid == 4 || evid == 101);
        if (amt > 0 && !is_dose && !isnan(evid) && evid != 0 && evid != 2) {
            st = mt_error(ctx, MT_EINVAL, "row %zu: evid %g is not supported (0, 1, 2, 4, 101)",
                          r + 2, evid);
            goto done;
        }
        if (is_dose) {
            char sym[128];
            if ((st = cmt_symbol(ctx, c, cmt, c->dose_into, "dose", r, sym, sizeof sym)) != MT_OK)
                goto done;
            int target = mt_sim_find_dose_target(sim, sym);
            if (target < 0) {
                st =
                    mt_error(ctx, MT_EINVAL, "row %zu: doses go into '%s', which is %s", r + 2, sym,
                             target == -1 ? "not a model symbol"
                                          : "not a state of the model (a species, or a "
                                            "parameter or compartment with a rate rule)");
                goto done;
            }
            double duration = dur > 0 ? dur : rate > 0 ? amt / rate : 0;
            size_t n_new = 1 + (size_t)addl;
            if (!grow(ctx, (void **)&s->doses, &k->cap_dose, s->n_doses + n_new,
                      sizeof *s->doses)) {
                st = mt_error(ctx, MT_ENOMEM, "out of memory");
                goto done;
            }
            for (size_t q = 0; q < n_new; q++)
                s->doses[s->n_doses++] = (mt_sim_dose){t + (double)q * ii, target, amt, duration};
        }
        /* observations */
        if (event) {
            double dv;
            if ((st = cell_num(ctx, csv, r, (size_t)col_of[R_DV], NAN, &dv)) != MT_OK)
                goto done;
            int obs_row = !is_dose && mdv == 0 && (isnan(evid) || evid == 0) && !isnan(dv);
            if (!obs_row)
                continue;
            char sym[128];
            if ((st = cmt_symbol(ctx, c, cmt, c->observe, "observation", r, sym, sizeof sym)) !=
                MT_OK)
                goto done;
            if (mt_sim_symbol_dynamic(sim, sym) < 0) {
                st = mt_error(ctx, MT_EINVAL,
                              "row %zu: the observed symbol '%s' is not in the "
                              "model",
                              r + 2, sym);
                goto done;
            }
            int out_k = add_output(ctx, d, sym);
            if (out_k < 0) {
                st = mt_error(ctx, MT_ENOMEM, "out of memory");
                goto done;
            }
            if ((st = add_obs(ctx, s, k, r, t, out_k, dv, blq, lloq)) != MT_OK)
                goto done;
        } else {
            for (size_t j = 0; j < nc; j++) {
                if (spec[j].role != R_OBS)
                    continue;
                double v;
                if ((st = cell_num(ctx, csv, r, j, NAN, &v)) != MT_OK)
                    goto done;
                if (isnan(v))
                    continue;
                if ((st = add_obs(ctx, s, k, r, t, spec[j].index, v, blq, lloq)) != MT_OK)
                    goto done;
            }
        }
    }
    if (d->n_subjects == 0) {
        st = mt_error(ctx, MT_EINVAL, "the data have no rows");
        goto done;
    }
    for (size_t i = 0; i < d->n_subjects; i++) {
        mt_fit_subject *s = &d->subjects[i];
        if (s->n_obs == 0) {
            st = mt_error(ctx, MT_EINVAL, "subject %s has no observations", s->id);
            goto done;
        }
        qsort(s->obs, s->n_obs, sizeof *s->obs, cmp_obs);
        /* a stable order for doses at one time is not needed: they are given together */
        if (s->n_doses > 1)
            qsort(s->doses, s->n_doses, sizeof *s->doses, cmp_dose);
    }
    d->t0 = t_min;
done:
    mt_free(ctx, spec);
    mt_free(ctx, names);
    mt_free(ctx, cp);
    if (st != MT_OK) {
        mt_fit_data_destroy(ctx, d);
        return st;
    }
    *out = d;
    return MT_OK;
}
