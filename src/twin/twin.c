/* SPDX-License-Identifier: Apache-2.0
 *
 * twin/twin.c — a person and drug cards in, the PBPK builder's parameter values out
 * (medtwin/twin.h; equations and sources: docs/twin-parameters.md).
 *
 * Physiology (volumes, flows, GFR, Child-Pugh factors) comes from mt_physiology_compute,
 * partition coefficients from mt_partition_kp, phenotypes from mt_pgx_phenotype, enzyme
 * concentrations in the liver from data/enzymes/enzyme_abundance.csv (PK-Sim reference
 * concentrations, each row with its source). Nothing is assumed where a card is silent: every
 * value a parameter needs and the card lacks is collected as a problem naming the drug and the
 * card field, and the call fails with all of them.
 *
 * Interactions and metabolites live in twin_ddi.c (mt_twin_ddi_describe and the interaction
 * parameters; docs/interactions.md) and twin_metab.c (formations, mt_twin_regimen_drugs;
 * docs/metabolites.md); this file gives them the per-drug CLint of derive_drug and the
 * list/problem machinery through twin_internal.h.
 *
 * Size: about 1,500 lines: the per-drug derivation (derive_drug, ~550 lines, one concern: every
 * card field a drug's parameters need, each with its provenance and its error) and
 * mt_twin_params' physiology and facts.
 */
#include "twin_internal.h"

#include "medtwin/data.h"
#include "medtwin/pgx.h"
#include "medtwin/physiology.h" /* includes medtwin/profile.h */
#include "medtwin/profile.h"

#include "medtwin/drugcard.h"
#include "medtwin/partition.h"
#include "medtwin/pbpk.h"

#include "util/csv.h"
#include "util/util.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ENZYME_DIR "enzymes"
#define ENZYME_FILE "enzyme_abundance.csv"

/* ---- growing strings ------------------------------------------------------------------------ */

void sb_vadd(sbuf *s, const char *fmt, va_list ap)
{
    if (s->oom)
        return;
    va_list aq;
    va_copy(aq, ap);
    int n = vsnprintf(NULL, 0, fmt, aq);
    va_end(aq);
    if (n < 0) {
        s->oom = 1;
        return;
    }
    size_t need = s->len + (size_t)n + 1;
    if (need > s->cap) {
        size_t nc = s->cap ? s->cap : 128;
        while (nc < need)
            nc *= 2;
        char *nb = mt_realloc(NULL, s->buf, nc);
        if (!nb) {
            s->oom = 1;
            return;
        }
        s->buf = nb;
        s->cap = nc;
    }
    vsnprintf(s->buf + s->len, s->cap - s->len, fmt, ap);
    s->len += (size_t)n;
}

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void
sb_add(sbuf *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sb_vadd(s, fmt, ap);
    va_end(ap);
}

const char *sb_str(const sbuf *s) { return s->buf ? s->buf : ""; }

void sb_clear(sbuf *s)
{
    s->len = 0;
    if (s->buf)
        s->buf[0] = '\0';
}

void sb_free(sbuf *s)
{
    mt_free(NULL, s->buf);
    memset(s, 0, sizeof *s);
}

char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = mt_malloc(NULL, n);
    if (d)
        memcpy(d, s, n);
    return d;
}

/* ---- the tables --------------------------------------------------------------------------- */

static enzyme_row *enzyme_get(mt_twin_tables *t, const char *name, int create)
{
    for (size_t i = 0; i < t->n_enz; i++)
        if (!strcmp(t->enz[i].name, name))
            return &t->enz[i];
    if (!create)
        return NULL;
    enzyme_row *n = mt_realloc(NULL, t->enz, (t->n_enz + 1) * sizeof *n);
    if (!n)
        return NULL;
    t->enz = n;
    enzyme_row *e = &t->enz[t->n_enz++];
    memset(e, 0, sizeof *e);
    e->name = name;
    e->ref_conc = e->rel_liver = e->t_half_h = e->t_half_gut_h = NAN;
    for (int o = 0; o < XO_COUNT; o++)
        e->rel_org[o] = NAN;
    return e;
}

const enzyme_row *enzyme_row_named(const mt_twin_tables *t, const char *name)
{
    const enzyme_row *e = NULL;
    for (size_t i = 0; i < t->n_enz; i++)
        if (ieq(t->enz[i].name, name))
            e = &t->enz[i];
    return e;
}

/* 1 if table name p is name or becomes it as a builder name (characters outside [A-Za-z0-9_]
 * become '_': P-gp is P_gp). */
static int enzyme_name_is(const char *p, const char *name)
{
    size_t m = 0;
    for (; p[m] && name[m]; m++)
        if (p[m] != name[m] && !(name[m] == '_' && !isalnum((unsigned char)p[m])))
            return 0;
    return !p[m] && !name[m];
}

static const enzyme_row *enzyme_find(const mt_twin_tables *t, const char *name)
{
    for (size_t i = 0; name && i < t->n_enz; i++)
        if (enzyme_name_is(t->enz[i].name, name))
            return &t->enz[i];
    return NULL;
}

int parse_num(const char *s, double *v)
{
    char *end;
    if (!s || !*s)
        return -1;
    *v = strtod(s, &end);
    return (*end || !isfinite(*v)) ? -1 : 0;
}

const char *const expr_organ[XO_COUNT] = {[XO_BONE] = "bone",
                                          [XO_BRAIN] = "brain",
                                          [XO_HEART] = "heart",
                                          [XO_KIDNEY] = "kidney",
                                          [XO_LUNG] = "lung",
                                          [XO_MUSCLE] = "muscle",
                                          [XO_SKIN] = "skin",
                                          [XO_SPLEEN] = "spleen",
                                          [XO_STOMACH] = "stomach",
                                          [XO_SMALL_INTESTINE] = "small intestine",
                                          [XO_LARGE_INTESTINE] = "large intestine"};

int fv_organ(const char *name)
{
    if (!strcmp(name, "liver"))
        return FV_LIVER;
    if (!strcmp(name, "adipose"))
        return FV_ADIPOSE;
    for (int k = 0; k < XO_COUNT; k++)
        if (!strcmp(name, expr_organ[k]))
            return k;
    return -1;
}

const char *fv_organ_name(int o)
{
    return o == FV_LIVER ? "liver" : o == FV_ADIPOSE ? "adipose" : expr_organ[o];
}

/* The organ of a parameter "<organ> relative expression", or -1. */
static int expr_organ_of(const char *par)
{
    static const char suffix[] = " relative expression";
    size_t n = strlen(par), ns = sizeof suffix - 1;
    if (n <= ns || strcmp(par + n - ns, suffix))
        return -1;
    for (int o = 0; o < XO_COUNT; o++)
        if (strlen(expr_organ[o]) == n - ns && !strncmp(par, expr_organ[o], n - ns))
            return o;
    return -1;
}

static mt_status load_enzymes(mt_twin_tables *t, mt_ctx *ctx, const char *data_dir)
{
    char path[4096];
    int n = snprintf(path, sizeof path, "%s/%s/%s", data_dir, ENZYME_DIR, ENZYME_FILE);
    if (n < 0 || (size_t)n >= sizeof path)
        return mt_error(ctx, MT_EINVAL, "enzyme table: data path too long");
    mt_status st = mt_csv_read(ctx, path, 1 << 20, &t->enz_csv);
    if (st != MT_OK)
        return st;
    const mt_csv *c = t->enz_csv;
    int ce = mt_csv_col(c, "enzyme"), cp = mt_csv_col(c, "parameter"), cv = mt_csv_col(c, "value"),
        cu = mt_csv_col(c, "unit"), cs = mt_csv_col(c, "source");
    if (ce < 0 || cp < 0 || cv < 0 || cu < 0 || cs < 0)
        return mt_error(ctx, MT_EPARSE,
                        "%s: needs the columns enzyme, parameter, value, unit, source", path);
    t->pksim_content = NAN;
    for (size_t r = 0; r < mt_csv_n_rows(c); r++) {
        size_t line = r + 2;
        const char *en = mt_csv_cell(c, r, (size_t)ce), *par = mt_csv_cell(c, r, (size_t)cp),
                   *unit = mt_csv_cell(c, r, (size_t)cu), *src = mt_csv_cell(c, r, (size_t)cs);
        double v;
        if (!*en)
            return mt_error(ctx, MT_EPARSE, "%s:%zu: empty enzyme", path, line);
        if (!*src)
            return mt_error(ctx, MT_EPARSE, "%s:%zu: %s %s has no source", path, line, en, par);
        if (parse_num(mt_csv_cell(c, r, (size_t)cv), &v) || !(v > 0))
            return mt_error(ctx, MT_EPARSE, "%s:%zu: %s %s: '%s' is not a positive number", path,
                            line, en, par, mt_csv_cell(c, r, (size_t)cv));
        const char *want_unit;
        double *slot;
        const char **slot_src;
        enzyme_row *e = NULL;
        int xo;
        if (!strcmp(par, "pksim default microsomal enzyme content")) {
            want_unit = "pmol/mg";
            slot = &t->pksim_content;
            slot_src = &t->pksim_content_src;
        } else if (!strcmp(par, "t1/2 (liver)") || !strcmp(par, "t1/2 (intestine)")) {
            int gut = par[6] == 'i';
            want_unit = "h";
            if (!(e = enzyme_get(t, en, 1)))
                return mt_error(ctx, MT_ENOMEM, "out of memory loading %s", path);
            slot = gut ? &e->t_half_gut_h : &e->t_half_h;
            slot_src = gut ? &e->t_half_gut_src : &e->t_half_src;
        } else if ((xo = expr_organ_of(par)) >= 0) {
            want_unit = "1";
            if (!(e = enzyme_get(t, en, 1)))
                return mt_error(ctx, MT_ENOMEM, "out of memory loading %s", path);
            slot = &e->rel_org[xo];
            slot_src = &e->rel_org_src[xo];
        } else if (!strcmp(par, "reference concentration") ||
                   !strcmp(par, "liver relative expression")) {
            int ref = par[0] == 'r';
            want_unit = ref ? "umol/L" : "1";
            if (!(e = enzyme_get(t, en, 1)))
                return mt_error(ctx, MT_ENOMEM, "out of memory loading %s", path);
            slot = ref ? &e->ref_conc : &e->rel_liver;
            slot_src = ref ? &e->ref_src : &e->rel_src;
        } else {
            return mt_error(ctx, MT_EPARSE,
                            "%s:%zu: unknown parameter '%s' (reference concentration, liver "
                            "relative expression, <organ> relative expression for bone, brain, "
                            "heart, kidney, lung, muscle, skin, spleen, stomach, small "
                            "intestine, large intestine, t1/2 (liver), t1/2 (intestine), pksim "
                            "default microsomal enzyme content)",
                            path, line, par);
        }
        if (strcmp(unit, want_unit))
            return mt_error(ctx, MT_EPARSE, "%s:%zu: %s %s: unit '%s' (expected '%s')", path, line,
                            en, par, unit, want_unit);
        if (!isnan(*slot))
            return mt_error(ctx, MT_EPARSE, "%s:%zu: duplicate row %s %s", path, line, en, par);
        *slot = v;
        *slot_src = src;
    }
    if (isnan(t->pksim_content))
        return mt_error(ctx, MT_EPARSE, "%s: no 'pksim default microsomal enzyme content' row",
                        path);
    for (size_t i = 0; i < t->n_enz; i++) {
        enzyme_row *e = &t->enz[i];
        if (isnan(e->ref_conc))
            return mt_error(ctx, MT_EPARSE, "%s: %s has a %s but no reference concentration", path,
                            e->name,
                            !isnan(e->rel_liver)      ? "liver relative expression"
                            : !isnan(e->t_half_h)     ? "t1/2 (liver)"
                            : !isnan(e->t_half_gut_h) ? "t1/2 (intestine)"
                                                      : "relative expression");
        sbuf s = {0};
        sb_add(&s, "reference concentration %g umol/L: %s", e->ref_conc, e->ref_src);
        if (!isnan(e->rel_liver))
            sb_add(&s, "; liver relative expression %g: %s", e->rel_liver, e->rel_src);
        if (s.oom) {
            sb_free(&s);
            return mt_error(ctx, MT_ENOMEM, "out of memory loading %s", path);
        }
        e->source = s.buf;
    }
    return MT_OK;
}

#define FVAS_FILE "physiology/pksim_fraction_vascular.csv"

/* data/physiology/pksim_fraction_vascular.csv: organ (an expression organ, liver or adipose),
 * sex (any, male, female), fraction_vascular in [0, 1), unit 1, source. Every organ once per sex
 * (any counts for both); the liver, kidney and gut parts are required. */
static mt_status load_fvas(mt_twin_tables *t, mt_ctx *ctx, const char *data_dir)
{
    char path[4096];
    int n = snprintf(path, sizeof path, "%s/%s", data_dir, FVAS_FILE);
    if (n < 0 || (size_t)n >= sizeof path)
        return mt_error(ctx, MT_EINVAL, "fraction-vascular table: data path too long");
    for (int o = 0; o < FV_COUNT; o++)
        t->fvas[o][0] = t->fvas[o][1] = NAN;
    mt_status st = mt_csv_read(ctx, path, 1 << 20, &t->fvas_csv);
    if (st != MT_OK)
        return st;
    const mt_csv *c = t->fvas_csv;
    int co = mt_csv_col(c, "organ"), cx = mt_csv_col(c, "sex"),
        cv = mt_csv_col(c, "fraction_vascular"), cu = mt_csv_col(c, "unit"),
        cs = mt_csv_col(c, "source");
    if (co < 0 || cx < 0 || cv < 0 || cu < 0 || cs < 0)
        return mt_error(ctx, MT_EPARSE,
                        "%s: needs the columns organ, sex, fraction_vascular, unit, source", path);
    for (size_t r = 0; r < mt_csv_n_rows(c); r++) {
        size_t line = r + 2;
        const char *org = mt_csv_cell(c, r, (size_t)co), *sex = mt_csv_cell(c, r, (size_t)cx),
                   *src = mt_csv_cell(c, r, (size_t)cs);
        int o = fv_organ(org);
        double v;
        if (o < 0)
            return mt_error(ctx, MT_EPARSE, "%s:%zu: unknown organ '%s'", path, line, org);
        if (strcmp(sex, "any") && strcmp(sex, "male") && strcmp(sex, "female"))
            return mt_error(ctx, MT_EPARSE, "%s:%zu: sex '%s' (any, male or female)", path, line,
                            sex);
        if (parse_num(mt_csv_cell(c, r, (size_t)cv), &v) || !(v >= 0 && v < 1) ||
            strcmp(mt_csv_cell(c, r, (size_t)cu), "1"))
            return mt_error(ctx, MT_EPARSE,
                            "%s:%zu: %s: fraction_vascular must be in [0, 1), unit 1", path, line,
                            org);
        if (!*src)
            return mt_error(ctx, MT_EPARSE, "%s:%zu: %s has no source", path, line, org);
        for (int x = 0; x < 2; x++) {
            if (strcmp(sex, "any") && strcmp(sex, x ? "female" : "male"))
                continue;
            if (!isnan(t->fvas[o][x]))
                return mt_error(ctx, MT_EPARSE, "%s:%zu: %s %s given twice", path, line, org,
                                x ? "female" : "male");
            t->fvas[o][x] = v;
            t->fvas_src[o][x] = src;
        }
    }
    static const int need[] = {FV_LIVER, XO_KIDNEY, XO_STOMACH, XO_SMALL_INTESTINE,
                               XO_LARGE_INTESTINE};
    for (size_t k = 0; k < sizeof need / sizeof need[0]; k++)
        if (isnan(t->fvas[need[k]][0]) || isnan(t->fvas[need[k]][1]))
            return mt_error(ctx, MT_EPARSE, "%s: no fraction vascular of the %s for each sex", path,
                            fv_organ_name(need[k]));
    return MT_OK;
}

double pksim_volume(const person *pe, int fv, double v, double *f)
{
    double x = pe->t->fvas[fv][pe->sex == MT_SEX_FEMALE ? 1 : 0];
    if (isnan(x))
        x = 0.0; /* an organ without a row: no vascular space to add */
    if (f)
        *f = x;
    return v / (1.0 - x);
}

void mt_twin_tables_destroy(mt_twin_tables *t)
{
    if (!t)
        return;
    gi_free(t->gi);
    mt_physio_tables_destroy(t->physio);
    mt_partition_tables_destroy(t->part);
    mt_pgx_destroy(t->pgx);
    for (size_t i = 0; i < t->n_enz; i++)
        mt_free(NULL, t->enz[i].source);
    mt_free(NULL, t->enz);
    mt_csv_destroy(t->enz_csv);
    mt_csv_destroy(t->fvas_csv);
    cells_free(t->cells);
    mt_free(NULL, t);
}

mt_status mt_twin_tables_load(mt_ctx *ctx, const char *data_dir, mt_twin_tables **out)
{
    if (!out)
        return mt_error(ctx, MT_EINVAL, "mt_twin_tables_load: NULL out");
    *out = NULL;
    if (!data_dir)
        data_dir = mt_data_dir();
    mt_twin_tables *t = mt_calloc(NULL, 1, sizeof *t);
    if (!t)
        return mt_error(ctx, MT_ENOMEM, "out of memory loading the twin tables");
    mt_status st;
    if ((st = mt_physio_tables_load(ctx, data_dir, &t->physio)) != MT_OK ||
        (st = mt_partition_tables_load(ctx, data_dir, &t->part)) != MT_OK ||
        (st = mt_pgx_load(ctx, data_dir, &t->pgx)) != MT_OK ||
        (st = load_enzymes(t, ctx, data_dir)) != MT_OK ||
        (st = load_fvas(t, ctx, data_dir)) != MT_OK ||
        (st = cells_load(ctx, data_dir, &t->cells)) != MT_OK ||
        (st = gi_load(ctx, data_dir, &t->gi)) != MT_OK) {
        mt_twin_tables_destroy(t);
        return st;
    }
    *out = t;
    return MT_OK;
}

const mt_physio_tables *mt_twin_tables_physio(const mt_twin_tables *t)
{
    return t ? t->physio : NULL;
}
const mt_partition_tables *mt_twin_tables_partition(const mt_twin_tables *t)
{
    return t ? t->part : NULL;
}
const mt_pgx *mt_twin_tables_pgx(const mt_twin_tables *t) { return t ? t->pgx : NULL; }

mt_status mt_twin_enzyme_liver_umol_l(const mt_twin_tables *t, mt_ctx *ctx, const char *enzyme,
                                      double *umol_l, const char **source)
{
    if (!t || !enzyme || !umol_l)
        return mt_error(ctx, MT_EINVAL, "mt_twin_enzyme_liver_umol_l: NULL argument");
    const enzyme_row *e = enzyme_find(t, enzyme);
    if (!e)
        return mt_error(ctx, MT_ENOTFOUND,
                        "enzyme '%s' has no reference concentration in data/enzymes/%s", enzyme,
                        ENZYME_FILE);
    if (isnan(e->rel_liver))
        return mt_error(ctx, MT_ENOTFOUND,
                        "enzyme '%s' has no liver relative expression in data/enzymes/%s (its "
                        "reference organ may not be the liver)",
                        enzyme, ENZYME_FILE);
    *umol_l = e->ref_conc * e->rel_liver;
    if (source)
        *source = e->source;
    return MT_OK;
}

mt_status mt_twin_enzyme_half_life_h(const mt_twin_tables *t, mt_ctx *ctx, const char *enzyme,
                                     double *h, const char **source)
{
    if (!t || !enzyme || !h)
        return mt_error(ctx, MT_EINVAL, "mt_twin_enzyme_half_life_h: NULL argument");
    const enzyme_row *e = enzyme_find(t, enzyme);
    if (!e || isnan(e->t_half_h))
        return mt_error(ctx, MT_ENOTFOUND,
                        "enzyme '%s' has no liver turnover half-life (t1/2 (liver)) in "
                        "data/enzymes/%s",
                        enzyme, ENZYME_FILE);
    *h = e->t_half_h;
    if (source)
        *source = e->t_half_src;
    return MT_OK;
}

mt_status enzyme_gut_half_life(const mt_twin_tables *t, mt_ctx *ctx, const char *enzyme, double *h,
                               const char **source)
{
    const enzyme_row *e = enzyme_find(t, enzyme);
    if (!e || isnan(e->t_half_gut_h))
        return mt_error(ctx, MT_ENOTFOUND,
                        "enzyme '%s' has no intestinal turnover half-life (t1/2 (intestine)) in "
                        "data/enzymes/%s",
                        enzyme, ENZYME_FILE);
    *h = e->t_half_gut_h;
    if (source)
        *source = e->t_half_gut_src;
    return MT_OK;
}

/* ---- the output list ---------------------------------------------------------------------- */

void mt_twin_param_list_free(mt_twin_param_list *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n_params; i++) {
        mt_free(NULL, l->params[i].id);
        mt_free(NULL, l->params[i].provenance);
    }
    for (size_t i = 0; i < l->n_facts; i++) {
        mt_free(NULL, l->facts[i].key);
        mt_free(NULL, l->facts[i].text);
        mt_free(NULL, l->facts[i].how);
    }
    mt_free(NULL, l->params);
    mt_free(NULL, l->facts);
    memset(l, 0, sizeof *l);
}

const mt_twin_param *mt_twin_param_find(const mt_twin_param_list *l, const char *id)
{
    for (size_t i = 0; l && id && i < l->n_params; i++)
        if (!strcmp(l->params[i].id, id))
            return &l->params[i];
    return NULL;
}

const mt_twin_fact *mt_twin_fact_find(const mt_twin_param_list *l, const char *key)
{
    for (size_t i = 0; l && key && i < l->n_facts; i++)
        if (!strcmp(l->facts[i].key, key))
            return &l->facts[i];
    return NULL;
}

void put_param(job *j, const char *id, double v, const char *unit, const char *prov)
{
    if (j->oom)
        return;
    mt_twin_param_list *l = j->out;
    if (l->n_params == j->cap_p) {
        size_t nc = j->cap_p ? j->cap_p * 2 : 64;
        mt_twin_param *np = mt_realloc(NULL, l->params, nc * sizeof *np);
        if (!np) {
            j->oom = 1;
            return;
        }
        l->params = np;
        j->cap_p = nc;
    }
    mt_twin_param *p = &l->params[l->n_params];
    p->id = dup_str(id);
    p->provenance = dup_str(prov ? prov : "");
    p->value = v;
    p->unit = unit;
    if (!p->id || !p->provenance) {
        mt_free(NULL, p->id);
        mt_free(NULL, p->provenance);
        j->oom = 1;
        return;
    }
    l->n_params++;
}

void put_fact(job *j, const char *key, double v, const char *unit, const char *text,
              const char *how)
{
    if (j->oom)
        return;
    mt_twin_param_list *l = j->out;
    if (l->n_facts == j->cap_f) {
        size_t nc = j->cap_f ? j->cap_f * 2 : 64;
        mt_twin_fact *nf = mt_realloc(NULL, l->facts, nc * sizeof *nf);
        if (!nf) {
            j->oom = 1;
            return;
        }
        l->facts = nf;
        j->cap_f = nc;
    }
    mt_twin_fact *f = &l->facts[l->n_facts];
    f->key = dup_str(key);
    f->text = dup_str(text ? text : "");
    f->how = dup_str(how ? how : "");
    f->value = v;
    f->unit = unit ? unit : "";
    if (!f->key || !f->text || !f->how) {
        mt_free(NULL, f->key);
        mt_free(NULL, f->text);
        mt_free(NULL, f->how);
        j->oom = 1;
        return;
    }
    l->n_facts++;
}

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
void
problem(job *j, mt_status st, const char *fmt, ...)
{
    if (j->first == MT_OK)
        j->first = st;
    if (j->problems.len)
        sb_add(&j->problems, "; ");
    va_list ap;
    va_start(ap, fmt);
    sb_vadd(&j->problems, fmt, ap);
    va_end(ap);
}

/* ---- the person --------------------------------------------------------------------------- */

/* Builder organ ids (pbpk.h), in mt_organ order. */
static const char *const organ_id[MT_ORGAN_COUNT] = {"lung",  "art",  "ven",   "adi", "bone",
                                                     "brain", "gut",  "heart", "kid", "liv",
                                                     "mus",   "skin", "spl",   "rest"};

static const char *const physio_method =
    "mt_physiology_compute: httk-pop (Ring et al. 2017) on the McNally et al. 2014 ICRP 89 "
    "reference adults, from sex, age, height and weight (docs/physiology.md)";

struct gene_call {
    char gene[MT_PGX_TEXT];
    const char *diplotype;
    int supported, ok;
    mt_pgx_call call;
};

int ieq(const char *a, const char *b)
{
    if (!a || !b)
        return 0;
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return 0;
    return *a == *b;
}

static const gene_call *call_for(const gene_call *calls, size_t n, const char *gene)
{
    for (size_t i = 0; gene && i < n; i++)
        if (ieq(calls[i].gene, gene))
            return &calls[i];
    return NULL;
}

/* Derives the phenotype of every genotype in the profile (all genes, not only the cards').
 * An unknown allele of a supported gene is a problem (bad input); a gene without a CPIC rule
 * in medtwin is reported as such. */
static gene_call *derive_phenotypes(const mt_twin_tables *t, mt_ctx *ctx, const mt_profile *p,
                                    job *j, size_t *n_out)
{
    size_t n = mt_profile_n_genotypes(p);
    *n_out = 0;
    gene_call *calls = n ? mt_calloc(NULL, n, sizeof *calls) : NULL;
    if (n && !calls) {
        j->oom = 1;
        return NULL;
    }
    sbuf how = {0}, key = {0};
    for (size_t i = 0; i < n; i++) {
        gene_call *g = &calls[i];
        const char *gene = mt_profile_genotype_gene(p, i);
        g->diplotype = mt_profile_genotype_at(p, i);
        snprintf(g->gene, sizeof g->gene, "%s", gene ? gene : "?");
        for (size_t k = 0; k < mt_pgx_n_genes(t->pgx); k++)
            if (ieq(mt_pgx_gene(t->pgx, k), g->gene))
                g->supported = 1;
        sb_clear(&how);
        sb_clear(&key);
        sb_add(&key, "pgx.%s", g->gene);
        if (!g->supported) {
            sb_add(&how,
                   "genotype '%s' given; medtwin has no CPIC rule for %s (docs/pgx.md: "
                   "supported genes only), so no phenotype is derived",
                   g->diplotype ? g->diplotype : "", g->gene);
            put_fact(j, sb_str(&key), NAN, "", "not derived", sb_str(&how));
            continue;
        }
        mt_status st = mt_pgx_phenotype(t->pgx, ctx, g->gene, g->diplotype, &g->call);
        if (st != MT_OK) {
            problem(j, st, "profile genotypes.%s: %s", g->gene, mt_errmsg(ctx));
            continue;
        }
        g->ok = 1;
        sb_add(&how, "%s %s:", g->call.gene, g->diplotype);
        for (int a = 0; a < 2; a++) {
            sb_add(&how, "%s %s (%s", a ? " and" : "", g->call.allele[a], g->call.function[a]);
            if (!isnan(g->call.activity[a]))
                sb_add(&how, ", activity %s%g", g->call.activity_at_least[a] ? ">= " : "",
                       g->call.activity[a]);
            sb_add(&how, ")");
        }
        if (!isnan(g->call.activity_score))
            sb_add(&how, "; activity score %s%g", g->call.activity_score_at_least ? ">= " : "",
                   g->call.activity_score);
        sb_add(&how, "; %s (CPIC rules, docs/pgx.md)", g->call.rule);
        put_fact(j, sb_str(&key), g->call.activity_score, "", g->call.phenotype, sb_str(&how));
    }
    sb_free(&how);
    sb_free(&key);
    *n_out = n;
    return calls;
}

/* ---- drug cards --------------------------------------------------------------------------- */

/* The card's reason for an absent field (its `missing` list), or NULL. */
const char *missing_why(const mt_drugcard *c, const char *field)
{
    for (size_t i = 0; i < mt_drugcard_n_missing(c); i++) {
        const char *f, *why;
        if (mt_drugcard_missing(c, i, &f, &why) == MT_OK && f && !strcmp(f, field))
            return why;
    }
    return NULL;
}

/* The Child-Pugh abundance factor of an enzyme (1 for class 0); NaN if the table has none. */
static double cp_enzyme_factor(const mt_physiology *ph, const char *enzyme)
{
    for (int e = 0; e < MT_CYP_COUNT; e++)
        if (ieq(mt_cyp_name((mt_cyp)e), enzyme))
            return ph->hepatic.enzyme_abundance_factor[e];
    return ph->hepatic.child_pugh_class ? NAN : 1.0;
}

/* An OSP process name that labels a genotype or phenotype: a star allele ("CYP2B6*6"), a
 * phenotype abbreviation ("CYP3A5 PM/IM", "CYP3A5 NM") or "extensive metaboliser". */
static int genotype_label(const char *s)
{
    if (!s)
        return 0;
    if (strchr(s, '*'))
        return 1;
    static const char *const tokens[] = {"PM", "IM", "NM", "EM", "UM", "RM", NULL};
    for (const char *p = s; *p;) {
        while (*p && !isalnum((unsigned char)*p))
            p++;
        const char *b = p;
        while (*p && isalnum((unsigned char)*p))
            p++;
        for (const char *const *t = tokens; *t; t++)
            if ((size_t)(p - b) == strlen(*t) && !strncmp(b, *t, (size_t)(p - b)))
                return 1;
    }
    return strstr(s, "metaboli") != NULL;
}

int valid_builder_name(const char *s)
{
    if (!s || !(isalpha((unsigned char)*s) || *s == '_'))
        return 0;
    for (const char *p = s; *p; p++)
        if (!(isalnum((unsigned char)*p) || *p == '_'))
            return 0;
    return strlen(s) <= 63;
}

/* The note on phenotype scaling of an enzyme process. */
static void pgx_note(sbuf *s, const person *pe, const mt_drugcard *c, const char *enzyme)
{
    for (size_t k = 0; k < mt_drugcard_n_pgx(c); k++) {
        const char *gene, *scales;
        if (mt_drugcard_pgx(c, k, &gene, &scales) != MT_OK || !ieq(scales, enzyme))
            continue;
        const gene_call *g = call_for(pe->calls, pe->n_calls, gene);
        char path[64];
        snprintf(path, sizeof path, "pgx.%zu.levels.0.kcat", k);
        int levels = mt_drugcard_value(c, path, NULL, NULL) == MT_OK;
        if (!g)
            sb_add(s, "; %s: no genotype in the profile (reference abundance)", gene);
        else if (!g->supported)
            sb_add(s, "; %s %s: no CPIC rule in medtwin, phenotype not derived or applied", gene,
                   g->diplotype);
        else if (g->ok)
            sb_add(s,
                   "; %s %s (%s): phenotype not applied: no sourced activity factor "
                   "(docs/pgx.md)",
                   gene, g->diplotype, g->call.phenotype);
        if (levels)
            sb_add(s,
                   " (the card's per-activity-score kcat levels for %s are not used: the "
                   "drug-card API does not expose their activity scores)",
                   gene);
    }
}

/* Reads a value by path from the card; NaN when absent. */
static double card_value(const mt_drugcard *c, const char *fmt, size_t i, const char *member)
{
    char path[128];
    snprintf(path, sizeof path, fmt, i, member);
    double v;
    return mt_drugcard_value(c, path, &v, NULL) == MT_OK ? v : NAN;
}

/* What a stored PK-Sim specific clearance overrides: the process's clint or plasma clearance
 * (NaN when absent), named for the provenance. */
static const char *overridden_inputs(double clint, double plasma_clearance)
{
    return !isnan(clint)              ? "the card's clint, which is therefore not used"
           : !isnan(plasma_clearance) ? "the card's plasma_clearance, which is therefore not used"
                                      : "the process inputs";
}

/* Appends "(card: why)" if the card explains an absence. */
static void add_why(sbuf *s, const mt_drugcard *c, const char *field)
{
    const char *why = missing_why(c, field);
    if (why)
        sb_add(s, " (card: %s)", why);
}

/* The partition module's view of a card's physicochemistry: logP, fu and the pKa list (at most
 * MT_KP_MAX_PKA; the callers refuse longer lists first); B:P NaN. */
static void kp_drug_from_card(const mt_drugcard *c, mt_kp_drug *kd)
{
    mt_kp_drug_init(kd);
    kd->logp = mt_drugcard_logp(c);
    kd->fu_plasma = mt_drugcard_fu(c);
    size_t npka = mt_drugcard_n_pka(c);
    kd->n_pka = npka < MT_KP_MAX_PKA ? npka : MT_KP_MAX_PKA;
    for (size_t i = 0; i < kd->n_pka; i++) {
        double v = NAN;
        mt_pka_type ty = MT_PKA_BASE;
        if (mt_drugcard_pka(c, i, &v, &ty) != MT_OK)
            v = NAN;
        kd->pka[i] = v;
        kd->pka_type[i] = ty == MT_PKA_ACID ? MT_KP_PKA_ACID : MT_KP_PKA_BASE;
    }
}

/* B:P predicted from the card's physicochemistry for a card without a measured one: by the
 * Schmitt erythrocytes for a Schmitt card; otherwise by the Rodgers & Rowland blood-cell equation,
 * and where that cannot (a base with pKa >= 7: its 2005 equations need a measured B:P) by the
 * Schmitt erythrocytes too (*fallback set; docs/partition.md). Returns the value (NaN when it
 * cannot be predicted; *why then says why). */
static double predicted_bp(const mt_partition_tables *part, mt_ctx *ctx, const mt_drugcard *c,
                           double hct, sbuf *why, int *fallback)
{
    *fallback = 0;
    mt_kp_drug kd;
    kp_drug_from_card(c, &kd);
    size_t npka = mt_drugcard_n_pka(c);
    if (isnan(kd.logp) || isnan(kd.fu_plasma) || npka > MT_KP_MAX_PKA ||
        (npka == 0 && missing_why(c, "physchem.pka"))) {
        sb_add(why, "the prediction needs physchem.logp, physchem.fu_plasma and physchem.pka");
        return NAN;
    }
    double bp = NAN;
    const char *method = mt_drugcard_partition_method(c);
    const int schmitt = method && !strcmp(method, "schmitt");
    mt_status st = schmitt ? mt_partition_bp_schmitt(part, ctx, &kd, hct, &bp, NULL)
                           : mt_partition_bp(part, ctx, &kd, hct, &bp, NULL);
    if (st == MT_EUNSUPPORTED && !schmitt) {
        st = mt_partition_bp_schmitt(part, ctx, &kd, hct, &bp, NULL);
        *fallback = st == MT_OK;
    }
    if (st != MT_OK) {
        sb_add(why, "%s", mt_errmsg(ctx));
        return NAN;
    }
    return bp;
}

/* Per-drug derivation; problems go to dp (no prefix), parameters to j, the enzyme processes'
 * CLint to dc. */
void derive_drug(job *j, const person *pe, const mt_drugcard *c, const char *id, int oral, sbuf *dp,
                 drug_clint *dc)
{
    const mt_twin_tables *t = pe->t;
    mt_ctx *ctx = pe->ctx;
    const mt_physiology *ph = pe->ph;
    /* expression amounts RC x rel_exp x V use PK-Sim's organ volume, blood included */
    double fvas_liv = 0.0;
    const double v_liv = pksim_volume(pe, FV_LIVER, ph->organ[MT_ORGAN_LIVER].volume_l, &fvas_liv);
    mt_status first = MT_OK;
    sbuf how = {0}, key = {0}, tmp = {0}, hh = {0}, rh = {0}, ah = {0}, fh = {0};
    gi_result gr;
    memset(&gr, 0, sizeof gr);
#define DP(st, ...)                                                                                \
    do {                                                                                           \
        if (first == MT_OK)                                                                        \
            first = (st);                                                                          \
        if (dp->len)                                                                               \
            sb_add(dp, "; ");                                                                      \
        sb_add(dp, __VA_ARGS__);                                                                   \
    } while (0)

    const char *name = mt_drugcard_name(c), *version = mt_drugcard_version(c);
    /* A racemate card without values of its own (docs/drug-cards.md): its enantiomers carry
     * them. (A racemate card with values, e.g. omeprazole's OSP compound, is used as is.) */
    if (mt_drugcard_n_enantiomers(c) > 0 &&
        (missing_why(c, "all values") ||
         (isnan(mt_drugcard_fu(c)) && mt_drugcard_n_hepatic(c) == 0))) {
        sb_add(&tmp, "%s", mt_drugcard_enantiomer(c, 0));
        for (size_t k = 1; k < mt_drugcard_n_enantiomers(c); k++)
            sb_add(&tmp, ", %s", mt_drugcard_enantiomer(c, k));
        DP(MT_EUNSUPPORTED,
           "is a racemate card without values: give its enantiomers (%s) as separate drugs, "
           "each with its share of the dose (docs/drug-cards.md)",
           sb_str(&tmp));
        goto done;
    }

    /* --- plasma binding and blood:plasma ratio --- */
    const double fu = mt_drugcard_fu(c), bp_card = mt_drugcard_bp(c);
    double bp = bp_card;
    sbuf bp_why = {0};
    int bp_fallback = 0;
    if (isnan(bp_card))
        bp = predicted_bp(t->part, ctx, c, pe->hct_kp, &bp_why, &bp_fallback);
    if (isnan(fu)) {
        sb_clear(&tmp);
        add_why(&tmp, c, "physchem.fu_plasma");
        DP(MT_ENOTFOUND, "physchem.fu_plasma: absent%s", sb_str(&tmp));
    }
    if (isnan(bp)) {
        const char *why = missing_why(c, "physchem.blood_plasma_ratio");
        DP(MT_ENOTFOUND,
           "has no blood_plasma_ratio (physchem.blood_plasma_ratio%s%s) and none can be "
           "predicted: %s",
           why ? "; card: " : "", why ? why : "", sb_str(&bp_why));
    }
    sb_free(&bp_why);
    const double fu_b = fu / bp;

    /* --- partition coefficients --- */
    double kp[MT_KP_N_ORGANS], kp_card[MT_KP_N_ORGANS];
    int need_method = 0;
    for (size_t o = 0; o < MT_KP_N_ORGANS; o++) {
        kp_card[o] = mt_drugcard_kp(c, mt_partition_organ(o));
        kp[o] = kp_card[o];
        if (isnan(kp_card[o]))
            need_method = 1;
    }
    const char *method = mt_drugcard_partition_method(c);
    const char *logp_measure = mt_drugcard_logp_measure(c);
    mt_kp_detail det;
    memset(&det, 0, sizeof det);
    int kp_computed = 0;
    if (need_method) {
        mt_kp_method m = 0;
        if (!method) {
            sb_clear(&tmp);
            add_why(&tmp, c, "partition.method");
            DP(MT_ENOTFOUND,
               "partition.method: absent, and partition.kp does not give every "
               "organ%s",
               sb_str(&tmp));
        } else if (!strcmp(method, "rodgers_rowland")) {
            m = MT_KP_RODGERS_ROWLAND;
        } else if (!strcmp(method, "poulin_theil")) {
            m = MT_KP_POULIN_THEIL;
        } else if (!strcmp(method, "berezhkovskiy")) {
            m = MT_KP_BEREZHKOVSKIY;
        } else if (!strcmp(method, "schmitt")) {
            m = MT_KP_SCHMITT;
        } else {
            DP(MT_EUNSUPPORTED,
               "partition.method '%s' is not available (medtwin implements rodgers_rowland, "
               "poulin_theil, berezhkovskiy and schmitt, docs/partition.md) and partition.kp does "
               "not give every organ",
               method);
        }
        mt_kp_drug kd;
        kp_drug_from_card(c, &kd);
        int inputs_ok = m != 0 && !isnan(fu) && !isnan(bp);
        if (m && isnan(kd.logp)) {
            sb_clear(&tmp);
            add_why(&tmp, c, "physchem.logp");
            DP(MT_ENOTFOUND, "physchem.logp: absent (needed by partition.method '%s')%s", method,
               sb_str(&tmp));
            inputs_ok = 0;
        }
        size_t npka = mt_drugcard_n_pka(c);
        if (m && npka == 0 && missing_why(c, "physchem.pka")) {
            DP(MT_ENOTFOUND,
               "physchem.pka: absent, so the ionisation the partition method needs is unknown "
               "(card: %s)",
               missing_why(c, "physchem.pka"));
            inputs_ok = 0;
        } else if (m && npka > MT_KP_MAX_PKA) {
            DP(MT_EUNSUPPORTED, "physchem.pka: %zu values; the partition methods take at most %d",
               npka, MT_KP_MAX_PKA);
            inputs_ok = 0;
        }
        if (inputs_ok) {
            kd.fu_plasma = fu;
            kd.blood_plasma_ratio = bp;
            mt_kp_opts opts = {pe->hct_kp, MT_KP_REST_MUSCLE, NULL};
            double kpc[MT_KP_N_ORGANS];
            mt_status st = mt_partition_kp(t->part, ctx, m, &kd, &opts, kpc, &det);
            if (st != MT_OK) {
                DP(st, "partition.method (%s) with these physchem values: %s", method,
                   mt_errmsg(ctx));
            } else {
                kp_computed = 1;
                for (size_t o = 0; o < MT_KP_N_ORGANS; o++)
                    if (isnan(kp[o]))
                        kp[o] = kpc[o];
            }
        }
    }
    static const char *const eq_name[] = {
        "?",
        "Rodgers, Leahy & Rowland 2005 (acidic phospholipids, base pKa >= 7)",
        "Rodgers & Rowland 2006 (albumin)",
        "Rodgers & Rowland 2006 (lipoprotein, neutral)",
        "Poulin & Theil 2002",
        "Berezhkovskiy 2004 (Poulin & Theil composition)",
        "Schmitt 2008"};
    _Static_assert(sizeof eq_name / sizeof eq_name[0] == MT_KP_EQ_SCHMITT2008 + 1,
                   "one name per mt_kp_equation");

    /* --- hepatic clearance --- */
    double sum_clint = 0.0;
    size_t nh = mt_drugcard_n_hepatic(c);
    if (nh == 0) {
        if (missing_why(c, "elimination.hepatic"))
            DP(MT_ENOTFOUND, "elimination.hepatic: absent (card: %s)",
               missing_why(c, "elimination.hepatic"));
        else
            sb_add(&hh, "the card has no hepatic process and does not list one as missing: no "
                        "hepatic elimination, CL_H = 0");
    }
    for (size_t a = 0; a < nh; a++)
        for (size_t b = a + 1; b < nh; b++) {
            mt_drugcard_process pa, pb;
            if (mt_drugcard_hepatic(c, a, &pa) != MT_OK || mt_drugcard_hepatic(c, b, &pb) != MT_OK)
                continue;
            if (pa.protein && pb.protein && ieq(pa.protein, pb.protein) &&
                (genotype_label(pa.osp_process) || genotype_label(pb.osp_process)))
                DP(MT_EUNSUPPORTED,
                   "elimination.hepatic.%zu ('%s') and elimination.hepatic.%zu ('%s') are "
                   "processes on %s for different genotypes or phenotypes; adding them would "
                   "count one enzyme twice and choosing one by phenotype needs a sourced mapping",
                   a, pa.osp_process ? pa.osp_process : "", b, pb.osp_process ? pb.osp_process : "",
                   pa.protein);
        }
    if (nh)
        sb_add(&hh,
               "fu_b x sum of CLint_u: fu_b = fu_p/B:P = %g/%g = %g; V_liv below is PK-Sim's liver "
               "volume, blood included, to which its enzyme amounts refer: the twin's %g L / (1 - "
               "fraction vascular %g) = %g L (data/physiology/pksim_fraction_vascular.csv)",
               fu, bp, fu_b, ph->organ[MT_ORGAN_LIVER].volume_l, fvas_liv, v_liv);
    for (size_t i = 0; i < nh; i++) {
        mt_drugcard_process p;
        if (mt_drugcard_hepatic(c, i, &p) != MT_OK)
            continue;
        const char *prot = p.protein ? p.protein : "?";
        const char *ptype = p.process ? p.process : "";
        char where[160];
        snprintf(where, sizeof where, "elimination.hepatic.%zu (%s%s%s)", i, prot,
                 p.osp_process ? ", " : "", p.osp_process ? p.osp_process : "");
        int is_enzyme = !ieq(prot, "unspecific");
        double fcp = is_enzyme ? cp_enzyme_factor(ph, prot) : 1.0;
        sb_clear(&tmp);
        double clint = NAN;
        if (!strcmp(ptype, "michaelis_menten")) {
            double km = p.km_umol_l, kcat = p.kcat_per_h;
            int ok = 1;
            if (isnan(km)) {
                DP(MT_ENOTFOUND, "%s.km: absent", where);
                ok = 0;
            }
            if (!isnan(kcat)) {
                sb_add(&tmp, "kcat %g/h", kcat);
            } else if (!isnan(p.vmax_microsomal_pmol_min_mg)) {
                double content = p.enzyme_content_pmol_mg;
                const char *csrc = "the card's enzyme_content";
                if (isnan(content)) {
                    content = t->pksim_content;
                    csrc = "PK-Sim's default microsomal content (the card gives none; an OSP "
                           "snapshot omits defaults), data/enzymes";
                }
                kcat = p.vmax_microsomal_pmol_min_mg / content * 60.0;
                sb_add(&tmp,
                       "kcat = vmax_microsomal / enzyme content = %g pmol/min/mg / %g "
                       "pmol/mg x 60 min/h = %g/h (%s)",
                       p.vmax_microsomal_pmol_min_mg, content, kcat, csrc);
            } else if (!isnan(p.vmax_recombinant_pmol_min_pmol)) {
                DP(MT_EUNSUPPORTED,
                   "%s: only vmax_recombinant; turning a recombinant-enzyme Vmax into an in vivo "
                   "kcat needs an intersystem extrapolation factor (ISEF), which the card does "
                   "not give (kcat absent)",
                   where);
                ok = 0;
            } else if (!isnan(p.vmax_umol_l_h)) {
                if (ok) {
                    clint = p.vmax_umol_l_h * v_liv / km;
                    sb_add(&tmp, "Vmax per L liver tissue %g umol/L/h x V_liv %g L / Km %g umol/L",
                           p.vmax_umol_l_h, v_liv, km);
                }
            } else {
                sb_add(&key, "elimination.hepatic[%s, %s].kcat", prot,
                       p.osp_process ? p.osp_process : "");
                const char *why = missing_why(c, sb_str(&key));
                sb_clear(&key);
                DP(MT_ENOTFOUND, "%s.kcat: absent (no kcat, vmax_microsomal or vmax)%s%s%s", where,
                   why ? " (card: " : "", why ? why : "", why ? ")" : "");
                ok = 0;
            }
            if (ok && isnan(clint)) {
                double e_liv;
                const char *esrc;
                if (!is_enzyme) {
                    DP(MT_ENOTFOUND, "%s: a Michaelis-Menten process without an enzyme", where);
                } else if (mt_twin_enzyme_liver_umol_l(t, ctx, prot, &e_liv, &esrc) != MT_OK) {
                    DP(MT_ENOTFOUND, "%s: %s", where, mt_errmsg(ctx));
                } else {
                    clint = kcat * e_liv * v_liv / km;
                    sb_add(&tmp, " x %s in liver %g umol/L x V_liv %g L / Km %g umol/L", prot,
                           e_liv, v_liv, km);
                }
            }
        } else if (!strcmp(ptype, "first_order") || !strcmp(ptype, "hepatic_clearance")) {
            double pc = p.plasma_clearance_l_h_kg;
            const char *overrides = overridden_inputs(p.clint_l_h, pc);
            if (!isnan(p.specific_clearance_per_h)) {
                /* A stored PK-Sim specific clearance replaces the one PK-Sim would compute from
                 * the process inputs (clint, plasma clearance): it is what the source model ran
                 * with, and only it may be used. PK-Sim's rate (PKSimDB Metabolization_FirstOrder
                 * and SystemicLiverClearance) is CP x CLspec/[E] x M x K_water: CP the enzyme's
                 * concentration in the liver cells, RC x rel / f_cell, M the drug amount in the
                 * cells, K_water x M / V_cell the unbound concentration there, [E] the process's
                 * enzyme concentration (1 umol/L). So CLint_u = CLspec x (RC x rel / 1 umol/L) x
                 * V_liver; an unspecific process runs on PK-Sim's "Undefined Liver" enzyme, RC 1
                 * umol/L, rel 1. V_liver is V_liv, as in the kcat rule (docs/twin-parameters.md).
                 */
                double e_liv = 1.0;
                if (is_enzyme && mt_twin_enzyme_liver_umol_l(t, ctx, prot, &e_liv, NULL) != MT_OK) {
                    DP(MT_ENOTFOUND, "%s: %s", where, mt_errmsg(ctx));
                } else {
                    clint = p.specific_clearance_per_h * e_liv * v_liv;
                    if (is_enzyme)
                        sb_add(&tmp,
                               "PK-Sim specific clearance %g/h (the source model's; it overrides "
                               "%s) x %s in liver %g umol/L / the process's enzyme concentration "
                               "1 umol/L x V_liv %g L",
                               p.specific_clearance_per_h, overrides, prot, e_liv, v_liv);
                    else
                        sb_add(&tmp,
                               "PK-Sim specific clearance %g/h (the source model's; it overrides "
                               "%s) x V_liv %g L (PK-Sim's unspecific hepatic clearance acts "
                               "through its 'Undefined Liver' enzyme at 1 umol/L in the liver)",
                               p.specific_clearance_per_h, overrides, v_liv);
                }
            } else if (!isnan(p.clint_l_h)) {
                clint = p.clint_l_h;
                sb_add(&tmp,
                       "the card's intrinsic clearance %g L/h (not rescaled to this "
                       "person's liver volume: the source's reference volume is not on the "
                       "card)",
                       clint);
            } else if (!isnan(pc) && !strcmp(ptype, "hepatic_clearance")) {
                double fue = card_value(c, "elimination.hepatic.%zu.%s", i, "fu_experiment");
                double bpe = card_value(c, "elimination.hepatic.%zu.%s", i, "bp_experiment");
                if (isnan(fue))
                    DP(MT_ENOTFOUND,
                       "%s.fu_experiment: absent (needed to turn the plasma "
                       "clearance into an intrinsic clearance)",
                       where);
                if (isnan(bpe))
                    DP(MT_ENOTFOUND,
                       "%s.bp_experiment: absent (needed to turn the plasma "
                       "clearance into an intrinsic clearance)",
                       where);
                if (!isnan(fue) && !isnan(bpe)) {
                    double clp = pc * pe->weight_kg, clb = clp / bpe, q = pe->q_liv_healthy;
                    if (!(clb < q)) {
                        DP(MT_EINVAL,
                           "%s: blood clearance %g L/h is not below the liver blood flow %g L/h; "
                           "the well-stirred model cannot be inverted",
                           where, clb, q);
                    } else {
                        clint = q * clb / ((q - clb) * (fue / bpe));
                        sb_add(&tmp,
                               "plasma clearance %g L/h/kg x %g kg = %g L/h, / bp_experiment %g "
                               "= %g L/h blood; well-stirred inversion with this person's "
                               "healthy liver blood flow Q = %g L/h and fu_b,exp = %g/%g: "
                               "CLint_u = Q CL_b / ((Q - CL_b) fu_b,exp)",
                               pc, pe->weight_kg, clp, bpe, clb, q, fue, bpe);
                    }
                }
            } else {
                DP(MT_ENOTFOUND, "%s: no clint%s", where,
                   strcmp(ptype, "hepatic_clearance") ? "" : " or plasma_clearance");
            }
        } else {
            DP(MT_EUNSUPPORTED, "%s: process type '%s' is not evaluated", where, ptype);
        }
        if (isnan(clint))
            continue;
        if (is_enzyme && ph->hepatic.child_pugh_class) {
            if (isnan(fcp)) {
                sb_add(&tmp,
                       "; Child-Pugh %c: no abundance factor for %s in "
                       "data/physiology/hepatic_impairment.csv, not scaled",
                       ph->hepatic.child_pugh_class, prot);
                fcp = 1.0;
            } else {
                sb_add(&tmp,
                       " x Child-Pugh %c %s abundance factor %g (OSP Qualification-HI "
                       "Table 2)",
                       ph->hepatic.child_pugh_class, prot, fcp);
            }
        } else {
            fcp = 1.0;
        }
        const double clint_h = clint;
        clint *= fcp;
        if (is_enzyme)
            pgx_note(&tmp, pe, c, prot);
        sum_clint += clint;
        if (dc->np < MAX_ENZ_PROC) {
            dc->pix[dc->np] = i;
            dc->pclint_h[dc->np] = clint_h;
            dc->pclint[dc->np++] = clint;
        } else {
            DP(MT_EUNSUPPORTED, "elimination.hepatic: more than %d processes", MAX_ENZ_PROC);
        }
        if (is_enzyme && dc->n < MAX_ENZ_PROC) {
            dc->prot[dc->n] = prot;
            dc->clint[dc->n++] = clint;
        } else if (is_enzyme) {
            DP(MT_EUNSUPPORTED, "elimination.hepatic: more than %d enzyme processes", MAX_ENZ_PROC);
        }
        sb_add(&hh, "; %s: CLint_u %g L/h = %s", where, clint, sb_str(&tmp));
    }
    if (mt_drugcard_n_transport(c))
        sb_add(&hh,
               "; the card's %zu transport process(es) are not represented (the builder's "
               "liver is perfusion-limited)",
               mt_drugcard_n_transport(c));
    const double cl_h = nh ? fu_b * sum_clint : 0.0;
    dc->sum = sum_clint;

    /* --- renal clearance --- */
    double cl_r = NAN;
    mt_drugcard_renal r;
    if (mt_drugcard_renal_get(c, &r) != MT_OK) {
        const char *why = missing_why(c, "elimination.renal");
        const char *f = "elimination.renal";
        if (!why) {
            why = missing_why(c, "elimination.renal.gfr_fraction");
            f = "elimination.renal.gfr_fraction";
        }
        if (why) {
            DP(MT_ENOTFOUND, "%s: absent (card: %s)", f, why);
        } else {
            cl_r = 0.0;
            sb_add(&rh, "the card has no renal process and does not list one as missing: no "
                        "renal elimination, CL_R = 0");
        }
    } else if (!isnan(r.gfr_fraction) && r.n_clearance) {
        DP(MT_EUNSUPPORTED,
           "elimination.renal: both gfr_fraction and %zu clearance process(es); "
           "whether the clearance includes filtration is not stated",
           r.n_clearance);
    } else if (!isnan(r.gfr_fraction)) {
        cl_r = r.gfr_fraction * fu * ph->gfr_l_h / bp;
        sb_add(&rh,
               "glomerular filtration: gfr_fraction %g x fu_p %g x GFR %g L/h / B:P %g "
               "(GFR %s); tubular secretion is not included unless the card gives a renal "
               "clearance process%s",
               r.gfr_fraction, fu, ph->gfr_l_h, bp,
               ph->gfr_from_creatinine ? "from CKD-EPI 2021 with this person's creatinine"
                                       : "allometric reference, no creatinine",
               r.gfr_fraction > 1 ? " (a gfr_fraction above 1 lumps secretion, as OSP does)" : "");
    } else {
        cl_r = 0.0;
        for (size_t k = 0; k < r.n_clearance; k++) {
            char where[64];
            snprintf(where, sizeof where, "elimination.renal.clearance.%zu", k);
            double pc = card_value(c, "elimination.renal.clearance.%zu.%s", k, "plasma_clearance");
            double fue = card_value(c, "elimination.renal.clearance.%zu.%s", k, "fu_experiment");
            double sc =
                card_value(c, "elimination.renal.clearance.%zu.%s", k, "specific_clearance");
            if (!isnan(sc)) {
                /* PK-Sim's renal plasma clearance (PKSimDB ClearanceKidneyPls) is the rate
                 * V x CLspec x C_pls x fu with V the kidney volume (PARAM_CL_spec_from_CL_pls_kid,
                 * 'Volume (kidney)'): a plasma clearance CLspec V fu on the kidney's plasma,
                 * here V_kid as V_liv stands for the liver's (docs/twin-parameters.md), as a
                 * blood clearance on the kidney outflow / B:P. */
                double fvas_kid = 0.0;
                const double v_kid =
                    pksim_volume(pe, XO_KIDNEY, ph->organ[MT_ORGAN_KIDNEY].volume_l, &fvas_kid);
                double v = sc * v_kid * fu / bp;
                cl_r += v;
                sb_add(&rh,
                       "%s%s: PK-Sim specific clearance %g/h (the source model's; it overrides "
                       "%s) x V_kid %g L (PK-Sim's kidney volume, blood included: the twin's %g "
                       "L / (1 - fraction vascular %g)) x fu_p %g / B:P %g = %g L/h (PK-Sim's "
                       "renal plasma clearance, filtration and secretion together; not "
                       "individualised by GFR)",
                       k ? "; " : "", where, sc, overridden_inputs(NAN, pc), v_kid,
                       ph->organ[MT_ORGAN_KIDNEY].volume_l, fvas_kid, fu, bp, v);
                continue;
            }
            if (isnan(pc)) {
                DP(MT_ENOTFOUND, "%s.plasma_clearance: absent", where);
                cl_r = NAN;
                continue;
            }
            if (isnan(fue)) {
                DP(MT_ENOTFOUND,
                   "%s.fu_experiment: absent (needed to scale the measured renal "
                   "clearance to this fu)",
                   where);
                cl_r = NAN;
                continue;
            }
            double v = pc * pe->weight_kg * (fu / fue) / bp;
            cl_r += v;
            sb_add(&rh,
                   "%s%s: renal plasma clearance %g L/h/kg x %g kg x fu_p/fu_experiment "
                   "(%g/%g) / B:P %g = %g L/h (measured renal clearance, filtration and "
                   "secretion together; not individualised by GFR)",
                   k ? "; " : "", where, pc, pe->weight_kg, fu, fue, bp, v);
        }
    }

    /* --- absorption --- */
    double ka = 0.0, f_oral = 1.0;
    const char *abs_model = mt_drugcard_absorption_model(c);
    int use_gi = oral && abs_model && !strcmp(abs_model, "pksim_permeability");
    if (use_gi) {
        /* the mechanistic transit model (gi.c, docs/absorption.md); the depot is unused */
        sb_clear(&tmp);
        mt_status gst = gi_derive(pe, c, fu, bp, kp[MT_KP_GUT], dc, &tmp, &gr);
        if (gst != MT_OK)
            DP(gst, "%s", sb_str(&tmp));
        const char *gw = gr.mucosa ? "the mucosa's PSm_, VM_, CLg_" : "Fg_";
        sb_add(&ah,
               "absorption.model pksim_permeability: oral doses go through the stomach and "
               "small-intestine transit model (kge_%s, kt_<segment>_%s, ka_<segment>_%s, "
               "%s%s; docs/absorption.md); the first-order depot is unused, ka = 0",
               id, id, id, gw, id);
        sb_add(&fh,
               "absorption.model pksim_permeability: fraction absorbed and Fg come from the "
               "transit model (%s%s); the depot's F = 1 is unused",
               gw, id);
    } else if (oral) {
        ka = mt_drugcard_ka(c);
        double fa = mt_drugcard_fa(c), fg = mt_drugcard_fg(c);
        if (isnan(ka)) {
            sb_clear(&tmp);
            add_why(&tmp, c, "absorption.ka");
            DP(MT_ENOTFOUND, "absorption.ka: absent (the regimen has an oral dose)%s",
               sb_str(&tmp));
        }
        if (isnan(fa)) {
            sb_clear(&tmp);
            add_why(&tmp, c, "absorption.fa");
            DP(MT_ENOTFOUND, "absorption.fa: absent (the regimen has an oral dose)%s",
               sb_str(&tmp));
        }
        if (isnan(fg)) {
            sb_clear(&tmp);
            add_why(&tmp, c, "absorption.fg");
            DP(MT_ENOTFOUND, "absorption.fg: absent (the regimen has an oral dose)%s",
               sb_str(&tmp));
        }
        f_oral = fa * fg;
        sb_add(&ah, "card absorption.ka (first-order absorption from the gut lumen)");
        sb_add(&fh,
               "F = fa x fg = %g x %g (the builder's liver extracts the first pass itself, "
               "so fh is not included)",
               fa, fg);
    } else {
        sb_add(&ah, "no oral dose in the regimen: no absorption, ka = 0");
        sb_add(&fh, "no oral dose in the regimen: F = 1 (unused)");
    }

    if (first != MT_OK)
        goto done;

    /* --- parameters --- */
    char pid[160];
    sb_clear(&how);
    const int bp_schmitt = (method && !strcmp(method, "schmitt")) || bp_fallback;
    const char *bp_eq =
        bp_fallback
            ? "Schmitt 2008: the Rodgers & Rowland blood-cell equation cannot predict it for a "
              "base with pKa >= 7 (its 2005 equations need a measured B:P), so the Schmitt "
              "erythrocytes give it, and the Rodgers & Rowland Kp use it"
        : bp_schmitt ? "Schmitt 2008"
                     : "Rodgers, Leahy & Rowland 2005";
    if (isnan(bp_card))
        sb_add(&how,
               "predicted from card %s@%s physchem (logP, fu, pKa) and the erythrocyte "
               "composition, haematocrit %g (%s; docs/partition.md): "
               "the card has no measured B:P",
               name, version, pe->hct_kp, bp_eq);
    else
        sb_add(&how, "card %s@%s physchem.blood_plasma_ratio", name, version);
    snprintf(pid, sizeof pid, "BP_%s", id);
    put_param(j, pid, bp, "1", sb_str(&how));
    for (size_t o = 0; o < MT_KP_N_ORGANS; o++) {
        sb_clear(&how);
        if (!isnan(kp_card[o]))
            sb_add(&how, "card partition.kp.%s %g (tissue:plasma) / B:P %g", mt_partition_organ(o),
                   kp_card[o], bp);
        else
            sb_add(&how, "%s tissue:plasma Kp %g (%s%s%s, haematocrit %g) / B:P %g",
                   o == MT_KP_REST ? "rest = muscle (docs/partition.md):" : "", kp[o],
                   eq_name[kp_computed ? det.equation : 0],
                   logp_measure && !strcmp(logp_measure, "pksim_lipophilicity")
                       ? "; logP is the card's PK-Sim lipophilicity"
                       : "",
                   det.negative_binding ? "; negative binding constant kept as the papers do" : "",
                   pe->hct_kp, bp);
        snprintf(pid, sizeof pid, "Kp_%s_%s", mt_partition_organ(o), id);
        put_param(j, pid, mt_partition_kp_blood(kp[o], bp), "1", sb_str(&how));
    }
    snprintf(pid, sizeof pid, "CL_H_%s", id);
    put_param(j, pid, cl_h, "L/h", sb_str(&hh));
    snprintf(pid, sizeof pid, "CL_R_%s", id);
    put_param(j, pid, cl_r, "L/h", sb_str(&rh));
    snprintf(pid, sizeof pid, "ka_%s", id);
    put_param(j, pid, ka, "1/h", sb_str(&ah));
    snprintf(pid, sizeof pid, "F_%s", id);
    put_param(j, pid, f_oral, "1", sb_str(&fh));
    if (use_gi)
        gi_put(j, id, &gr);

        /* --- facts --- */
#define FACT(k, v, u, text, ...)                                                                   \
    do {                                                                                           \
        sb_clear(&key);                                                                            \
        sb_clear(&how);                                                                            \
        sb_add(&key, "drug.%s.%s", id, k);                                                         \
        sb_add(&how, __VA_ARGS__);                                                                 \
        put_fact(j, sb_str(&key), v, u, text, sb_str(&how));                                       \
    } while (0)
    FACT("card", NAN, "", name, "drug card %s version %s", name, version);
    FACT("fu_plasma", fu, "", "", "card physchem.fu_plasma");
    if (isnan(bp_card))
        FACT("blood_plasma_ratio", bp, "", "predicted",
             "predicted from physchem and the erythrocyte composition (%s)", bp_eq);
    else
        FACT("blood_plasma_ratio", bp, "", "measured", "card physchem.blood_plasma_ratio");
    FACT("fu_blood", fu_b, "", "", "fu_p / B:P");
    FACT("partition", NAN, "", kp_computed ? eq_name[det.equation] : "card partition.kp",
         "tissue:plasma Kp from %s; builder Kp = Kp / B:P (tissue:blood)",
         kp_computed ? (method ? method : "") : "the card");
    {
        sbuf sbw = {0};
        if (binding_derive(j, pe, c, id, fu, bp, &sbw) < 0)
            DP(MT_EUNSUPPORTED, "%s", sb_str(&sbw));
        sb_clear(&sbw);
        if (cells_derive(j, pe, c, id, fu, bp, kp, &sbw) < 0)
            DP(MT_EUNSUPPORTED, "%s", sb_str(&sbw));
        sb_free(&sbw);
    }
    FACT("clint_u_sum", sum_clint, "L/h", "", "%s", sb_str(&hh));
    FACT("CL_H", cl_h, "L/h", "", "blood clearance on the liver outflow: fu_b x CLint_u sum");
    {
        double eh = cl_h / (pe->q_liv + cl_h);
        FACT("hepatic_extraction", eh, "", "",
             "CL_H / (Q_liv + CL_H) at steady state, Q_liv = Q_ha + Q_gut + Q_spl = %g L/h",
             pe->q_liv);
        FACT("hepatic_blood_clearance", pe->q_liv * eh, "L/h", "",
             "Q_liv x E_H (well-stirred, as the builder's liver behaves at steady state)");
    }
    FACT("CL_R", cl_r, "L/h", "", "%s", sb_str(&rh));
    FACT("ka", ka, "1/h", "", "%s", sb_str(&ah));
    FACT("F", f_oral, "", "", "%s", sb_str(&fh));
#undef FACT
done:
    if (first != MT_OK && j->first == MT_OK)
        j->first = first;
    sb_free(&how);
    sb_free(&key);
    sb_free(&tmp);
    sb_free(&hh);
    sb_free(&rh);
    sb_free(&ah);
    sb_free(&fh);
    gi_result_free(&gr);
#undef DP
}

/* ---- mt_twin_params ----------------------------------------------------------------------- */

mt_status mt_twin_params(const mt_twin_tables *t, mt_ctx *ctx, const mt_profile *person_p,
                         size_t n_drugs, const mt_drugcard *const *cards,
                         const char *const *drug_ids, const int *has_oral, mt_twin_param_list *out)
{
    return mt_twin_params_ddi(t, ctx, person_p, n_drugs, cards, drug_ids, has_oral, NULL, out);
}

mt_status mt_twin_params_ddi(const mt_twin_tables *t, mt_ctx *ctx, const mt_profile *person_p,
                             size_t n_drugs, const mt_drugcard *const *cards,
                             const char *const *drug_ids, const int *has_oral,
                             const mt_twin_ddi *ddi, mt_twin_param_list *out)
{
    if (!out)
        return mt_error(ctx, MT_EINVAL, "mt_twin_params: NULL out");
    memset(out, 0, sizeof *out);
    if (!t)
        return mt_error(ctx, MT_EINVAL, "mt_twin_params: NULL tables");
    if (!person_p)
        return mt_error(ctx, MT_EINVAL, "mt_twin_params: no person (NULL profile)");
    if (n_drugs && (!cards || !drug_ids))
        return mt_error(ctx, MT_EINVAL, "mt_twin_params: %zu drugs but NULL cards or drug_ids",
                        n_drugs);
    for (size_t d = 0; d < n_drugs; d++) {
        if (!cards[d])
            return mt_error(ctx, MT_EINVAL, "mt_twin_params: cards[%zu] is NULL", d);
        if (!valid_builder_name(drug_ids[d]))
            return mt_error(ctx, MT_EINVAL,
                            "mt_twin_params: drug_ids[%zu] '%s' is not a builder drug name "
                            "([A-Za-z_][A-Za-z0-9_]*, at most 63)",
                            d, drug_ids[d] ? drug_ids[d] : "(null)");
        for (size_t e = 0; e < d; e++)
            if (!strcmp(drug_ids[e], drug_ids[d]))
                return mt_error(ctx, MT_EINVAL, "mt_twin_params: drug '%s' appears twice",
                                drug_ids[d]);
    }

    if (ddi) {
        int same = ddi->n_drugs == n_drugs;
        for (size_t d = 0; same && d < n_drugs; d++)
            same = !strcmp(ddi->ids[d], drug_ids[d]);
        if (!same)
            return mt_error(ctx, MT_EINVAL,
                            "mt_twin_params_ddi: the interaction description was made for other "
                            "drugs");
    }

    /* The covariates, each checked so that the message names the profile field. */
    const char *pid = mt_profile_id(person_p);
    if (!pid)
        pid = "?";
    mt_covariates cov;
    cov.sex = mt_profile_sex(person_p);
    cov.age_years = mt_profile_age_years(person_p);
    cov.weight_kg = mt_profile_weight_kg(person_p);
    cov.height_cm = mt_profile_height_cm(person_p);
    cov.serum_creatinine_mg_dl = mt_profile_serum_creatinine_mg_dl(person_p);
    cov.child_pugh_class = mt_profile_child_pugh_class(person_p);
    if (cov.sex != MT_SEX_FEMALE && cov.sex != MT_SEX_MALE)
        return mt_error(ctx, MT_EINVAL, "person '%s': sex: missing or not female/male", pid);
    static const char *const cov_name[] = {"age_years", "weight_kg", "height_cm"};
    const double cov_val[] = {cov.age_years, cov.weight_kg, cov.height_cm};
    for (size_t i = 0; i < 3; i++)
        if (!isfinite(cov_val[i]))
            return mt_error(ctx, MT_EINVAL, "person '%s': %s: missing", pid, cov_name[i]);
    mt_physiology ph;
    mt_status st = mt_physiology_compute(t->physio, ctx, &cov, &ph);
    if (st != MT_OK) {
        char msg[1024];
        snprintf(msg, sizeof msg, "%s", mt_errmsg(ctx));
        return mt_error(ctx, st, "person '%s': %s", pid, msg);
    }

    job j;
    memset(&j, 0, sizeof j);
    j.out = out;
    j.first = MT_OK;
    sbuf how = {0}, key = {0};
    const mt_hepatic *hp = &ph.hepatic;
    const int cp = hp->child_pugh_class;

    /* --- volumes and flows --- */
    for (int o = 0; o < MT_ORGAN_COUNT; o++) {
        char id[32];
        sb_clear(&how);
        sb_add(&how, "%s: volume of %s (mass %g kg / density)", physio_method,
               mt_organ_name((mt_organ)o), ph.organ[o].mass_kg);
        snprintf(id, sizeof id, "V_%s", organ_id[o]);
        put_param(&j, id, ph.organ[o].volume_l, "L", sb_str(&how));
    }
    double q_ha = ph.organ[MT_ORGAN_LIVER].blood_flow_l_h * hp->hepatic_artery_flow_factor;
    double q_kid = ph.organ[MT_ORGAN_KIDNEY].blood_flow_l_h * hp->renal_blood_flow_factor;
    for (int o = MT_ORGAN_ADIPOSE; o < MT_ORGAN_COUNT; o++) {
        char id[32];
        double q = ph.organ[o].blood_flow_l_h;
        sb_clear(&how);
        sb_add(&how, "%s: blood flow of %s", physio_method, mt_organ_name((mt_organ)o));
        if (o == MT_ORGAN_LIVER) {
            sb_add(&how, " = the hepatic-artery flow (ICRP 89 hepatic-artery fraction of cardiac "
                         "output; gut and spleen outflow join it in the builder)");
            if (cp)
                sb_add(&how,
                       " x Child-Pugh %c hepatic artery flow factor %g (OSP "
                       "Qualification-HI Table 2)",
                       cp, hp->hepatic_artery_flow_factor);
            q = q_ha;
        } else if (o == MT_ORGAN_KIDNEY) {
            if (cp)
                sb_add(&how,
                       " x Child-Pugh %c renal blood flow factor %g (OSP Qualification-HI "
                       "Table 2)",
                       cp, hp->renal_blood_flow_factor);
            q = q_kid;
        } else if (cp && (o == MT_ORGAN_GUT || o == MT_ORGAN_SPLEEN)) {
            sb_add(&how,
                   "; Child-Pugh %c portal flow factor %g NOT applied: it describes "
                   "portosystemic shunting, and the builder has no shunt path (scaling gut "
                   "or spleen perfusion would be wrong; docs/twin-parameters.md)",
                   cp, hp->portal_flow_factor);
        } else if (cp) {
            sb_add(&how,
                   "; Child-Pugh %c other-organ flow factor %g and cardiac index factor %g "
                   "NOT applied (OSP derives other-organ flows from the cardiac index per "
                   "individual, a derivation medtwin does not have; "
                   "docs/twin-parameters.md)",
                   cp, hp->other_organ_flow_factor, hp->cardiac_index_factor);
        }
        snprintf(id, sizeof id, "Q_%s", o == MT_ORGAN_LIVER ? "ha" : organ_id[o]);
        put_param(&j, id, q, "L/h", sb_str(&how));
    }

    /* --- facts: profile, physiology, renal, hepatic --- */
#define PFACT(k, v, u, text, ...)                                                                  \
    do {                                                                                           \
        sb_clear(&how);                                                                            \
        sb_add(&how, __VA_ARGS__);                                                                 \
        put_fact(&j, k, v, u, text, sb_str(&how));                                                 \
    } while (0)
    PFACT("profile.id", NAN, "", pid, "the profile's pseudonym");
    PFACT("physiology.sex", NAN, "", cov.sex == MT_SEX_FEMALE ? "female" : "male", "profile");
    PFACT("physiology.age_years", cov.age_years, "a", "", "profile");
    PFACT("physiology.weight_kg", cov.weight_kg, "kg", "", "profile");
    PFACT("physiology.height_cm", cov.height_cm, "cm", "", "profile");
    PFACT("physiology.bsa_m2", ph.bsa_m2, "m2", "", "Mosteller 1987");
    PFACT("physiology.bmi_kg_m2", ph.bmi_kg_m2, "kg/m2", "", "weight / height^2");
    PFACT("physiology.lean_body_weight_kg", ph.lean_body_weight_kg, "kg", "",
          "Janmahasatian et al. 2005");
    PFACT("physiology.cardiac_output_l_h", ph.cardiac_output_l_h, "L/h", "",
          "%s (without Child-Pugh factors)", physio_method);
    double q_liv =
        q_ha + ph.organ[MT_ORGAN_GUT].blood_flow_l_h + ph.organ[MT_ORGAN_SPLEEN].blood_flow_l_h;
    double q_liv_h = ph.organ[MT_ORGAN_LIVER].blood_flow_l_h +
                     ph.organ[MT_ORGAN_GUT].blood_flow_l_h +
                     ph.organ[MT_ORGAN_SPLEEN].blood_flow_l_h;
    PFACT("physiology.liver_blood_flow_l_h", q_liv, "L/h", "",
          "Q_ha + Q_gut + Q_spl: the builder's liver outflow");
    PFACT("physiology.haematocrit", ph.haematocrit, "", "", "ICRP 89 Table 2.12, sex-specific");
    double hct_kp = ph.haematocrit * hp->haematocrit_factor;
    PFACT("physiology.haematocrit_for_kp", hct_kp, "", "",
          "haematocrit used by Rodgers & Rowland 2005 Kp%s", cp ? " (x Child-Pugh factor)" : "");
    PFACT("renal.serum_creatinine_mg_dl", cov.serum_creatinine_mg_dl, "mg/dL", "",
          isnan(cov.serum_creatinine_mg_dl) ? "not given" : "profile");
    PFACT("renal.egfr_ml_min_1_73", ph.egfr_ml_min_1_73, "mL/min/1.73m2", "",
          "CKD-EPI 2021 creatinine equation (Inker et al. 2021); NaN without creatinine");
    PFACT("renal.egfr_abs_ml_min", ph.egfr_abs_ml_min, "mL/min", "", "eGFR x BSA / 1.73");
    PFACT("renal.crcl_cockcroft_gault_ml_min", ph.crcl_cockcroft_gault_ml_min, "mL/min", "",
          "Cockcroft & Gault 1976 with total body weight; NaN without creatinine");
    PFACT("renal.gfr_l_h", ph.gfr_l_h, "L/h", "",
          ph.gfr_from_creatinine ? "absolute CKD-EPI 2021 eGFR x 60/1000 (used for filtration)"
                                 : "httk generic allometric GFR x Child-Pugh GFR factor (no "
                                   "creatinine; used for filtration)");
    {
        char cls[2] = {(char)cp, 0};
        PFACT("hepatic.child_pugh_class", NAN, "", cp ? cls : "none",
              cp ? "profile; applied: hepatic artery flow x %g, renal blood flow x %g, CYP "
                   "abundances (per enzyme), haematocrit x %g for Kp, GFR (in the physiology "
                   "module when no creatinine); not applied: portal flow x %g (no shunt path), "
                   "other-organ flow x %g and cardiac index x %g, albumin x %g and AAG x %g (fu "
                   "is the card's), functional liver volume (no source)"
                 : "profile: no hepatic impairment",
              hp->hepatic_artery_flow_factor, hp->renal_blood_flow_factor, hp->haematocrit_factor,
              hp->portal_flow_factor, hp->other_organ_flow_factor, hp->cardiac_index_factor,
              hp->albumin_factor, hp->aag_factor);
    }
    if (mt_profile_pregnant(person_p) == 1)
        PFACT("profile.pregnant", 1, "", "yes",
              "pregnancy is not modelled: the physiology is that of a non-pregnant adult");
    if (mt_profile_smoker(person_p) == 1)
        PFACT("profile.smoker", 1, "", "yes",
              "smoking (CYP1A2 induction) is not modelled: no sourced factor");
    if (!isnan(mt_profile_albumin_g_dl(person_p)))
        PFACT("profile.albumin_g_dl", mt_profile_albumin_g_dl(person_p), "g/dL", "",
              "not used: fu is the card's, no sourced albumin scaling of fu is implemented");
#undef PFACT

    /* --- phenotypes --- */
    size_t n_calls = 0;
    gene_call *calls = derive_phenotypes(t, ctx, person_p, &j, &n_calls);

    /* --- drugs --- */
    person pe = {t,     ctx,     &ph,     q_liv,        q_liv_h, hct_kp, cov.weight_kg,
                 calls, n_calls, cov.sex, cov.height_cm};
    sbuf dp = {0};
    drug_clint *dcs = mt_calloc(NULL, n_drugs + 1, sizeof *dcs);
    if (!dcs)
        j.oom = 1;
    for (size_t d = 0; d < n_drugs && !j.oom; d++) {
        sb_clear(&dp);
        derive_drug(&j, &pe, cards[d], drug_ids[d], has_oral ? has_oral[d] != 0 : 0, &dp, &dcs[d]);
        if (dp.len) {
            if (j.problems.len)
                sb_add(&j.problems, "; ");
            if (!strcmp(mt_drugcard_name(cards[d]), drug_ids[d]))
                sb_add(&j.problems, "drug card '%s': %s", drug_ids[d], sb_str(&dp));
            else
                sb_add(&j.problems, "drug card '%s' (drug '%s'): %s", mt_drugcard_name(cards[d]),
                       drug_ids[d], sb_str(&dp));
        }
        if (dp.oom)
            j.oom = 1;
    }
    sb_free(&dp);
    /* --- interactions: parameters of ddi, facts for every card interaction --- */
    if (!j.oom && j.first == MT_OK) {
        mt_twin_ddi *own = NULL;
        const mt_twin_ddi *x = ddi;
        if (!x) {
            if (mt_twin_ddi_describe(ctx, n_drugs, cards, drug_ids, &own) != MT_OK)
                j.oom = 1;
            x = own;
        }
        if (x)
            ddi_params(&j, t, ctx, cards, dcs, x, ddi != NULL);
        mt_twin_ddi_destroy(own);
    }
    mt_free(NULL, dcs);
    mt_free(NULL, calls);
    sb_free(&how);
    sb_free(&key);

    if (j.oom || j.problems.oom) {
        sb_free(&j.problems);
        mt_twin_param_list_free(out);
        return mt_error(ctx, MT_ENOMEM, "out of memory deriving the twin's parameters");
    }
    if (j.first != MT_OK) {
        char msg[1024];
        snprintf(msg, sizeof msg, "%s", sb_str(&j.problems));
        sb_free(&j.problems);
        mt_twin_param_list_free(out);
        return mt_error(ctx, j.first, "%s", msg);
    }
    sb_free(&j.problems);
    return MT_OK;
}
