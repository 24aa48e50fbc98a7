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
 * Interactions (mt_twin_ddi_describe, mt_twin_params_ddi; docs/interactions.md): the structure
 * for mt_pbpk_build_ddi from the cards alone, then fm from each drug's per-enzyme CLint, the
 * perpetrators' constants from their cards and kdeg from the enzyme table.
 *
 * Metabolites (mt_twin_regimen_drugs; docs/metabolites.md): the dosed drugs plus the metabolite
 * cards they name, transitively (each checked for a complete IV twin with derive_drug, else left
 * out with a note); the formations are part of the interaction description, fform comes from the
 * same per-process CLint as fm.
 *
 * Size: past 1,500 lines because the interaction section needs the per-drug CLint of
 * derive_drug and the list/problem machinery of mt_twin_params; the next split is that
 * section into its own file behind a private header for those helpers.
 */
#include "medtwin/twin.h"

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

typedef struct {
    char *buf;
    size_t len, cap;
    int oom;
} sbuf;

static void sb_vadd(sbuf *s, const char *fmt, va_list ap)
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
static void
sb_add(sbuf *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sb_vadd(s, fmt, ap);
    va_end(ap);
}

static const char *sb_str(const sbuf *s) { return s->buf ? s->buf : ""; }

static void sb_clear(sbuf *s)
{
    s->len = 0;
    if (s->buf)
        s->buf[0] = '\0';
}

static void sb_free(sbuf *s)
{
    mt_free(NULL, s->buf);
    memset(s, 0, sizeof *s);
}

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = mt_malloc(NULL, n);
    if (d)
        memcpy(d, s, n);
    return d;
}

/* ---- the tables --------------------------------------------------------------------------- */

typedef struct {
    const char *name;
    double ref_conc, rel_liver; /* NaN when the table has no row */
    const char *ref_src, *rel_src;
    double t_half_h; /* liver turnover half-life, NaN when absent */
    const char *t_half_src;
    char *source; /* both rows, for mt_twin_enzyme_liver_umol_l */
} enzyme_row;

struct mt_twin_tables {
    mt_physio_tables *physio;
    mt_partition_tables *part;
    mt_pgx *pgx;
    mt_csv *enz_csv; /* owns the strings below */
    enzyme_row *enz;
    size_t n_enz;
    double pksim_content; /* PK-Sim default microsomal enzyme content, pmol/mg */
    const char *pksim_content_src;
};

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
    e->ref_conc = e->rel_liver = e->t_half_h = NAN;
    return e;
}

static const enzyme_row *enzyme_find(const mt_twin_tables *t, const char *name)
{
    for (size_t i = 0; name && i < t->n_enz; i++)
        if (!strcmp(t->enz[i].name, name))
            return &t->enz[i];
    return NULL;
}

static int parse_num(const char *s, double *v)
{
    char *end;
    if (!s || !*s)
        return -1;
    *v = strtod(s, &end);
    return (*end || !isfinite(*v)) ? -1 : 0;
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
        if (!strcmp(par, "pksim default microsomal enzyme content")) {
            want_unit = "pmol/mg";
            slot = &t->pksim_content;
            slot_src = &t->pksim_content_src;
        } else if (!strcmp(par, "t1/2 (liver)")) {
            want_unit = "h";
            if (!(e = enzyme_get(t, en, 1)))
                return mt_error(ctx, MT_ENOMEM, "out of memory loading %s", path);
            slot = &e->t_half_h;
            slot_src = &e->t_half_src;
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
                            "relative expression, t1/2 (liver), pksim default microsomal enzyme "
                            "content)",
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
                            isnan(e->rel_liver) ? "t1/2 (liver)" : "liver relative expression");
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

void mt_twin_tables_destroy(mt_twin_tables *t)
{
    if (!t)
        return;
    mt_physio_tables_destroy(t->physio);
    mt_partition_tables_destroy(t->part);
    mt_pgx_destroy(t->pgx);
    for (size_t i = 0; i < t->n_enz; i++)
        mt_free(NULL, t->enz[i].source);
    mt_free(NULL, t->enz);
    mt_csv_destroy(t->enz_csv);
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
        (st = load_enzymes(t, ctx, data_dir)) != MT_OK) {
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

/* The state of one mt_twin_params call. */
typedef struct {
    mt_twin_param_list *out;
    size_t cap_p, cap_f;
    int oom;
    sbuf problems; /* "; "-separated */
    mt_status first;
} job;

static void put_param(job *j, const char *id, double v, const char *unit, const char *prov)
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

static void put_fact(job *j, const char *key, double v, const char *unit, const char *text,
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
static void
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

typedef struct {
    char gene[MT_PGX_TEXT];
    const char *diplotype;
    int supported, ok;
    mt_pgx_call call;
} gene_call;

static int ieq(const char *a, const char *b)
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
static const char *missing_why(const mt_drugcard *c, const char *field)
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

static int valid_builder_name(const char *s)
{
    if (!s || !(isalpha((unsigned char)*s) || *s == '_'))
        return 0;
    for (const char *p = s; *p; p++)
        if (!(isalnum((unsigned char)*p) || *p == '_'))
            return 0;
    return strlen(s) <= 63;
}

/* What a drug's parameters are derived from. */
typedef struct {
    const mt_twin_tables *t;
    mt_ctx *ctx;
    const mt_physiology *ph;
    double q_liv;         /* builder liver outflow Q_ha + Q_gut + Q_spl */
    double q_liv_healthy; /* the same without Child-Pugh */
    double hct_kp;        /* haematocrit used for Rodgers & Rowland 2005 */
    double weight_kg;
    const gene_call *calls;
    size_t n_calls;
} person;

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

/* Appends "(card: why)" if the card explains an absence. */
static void add_why(sbuf *s, const mt_drugcard *c, const char *field)
{
    const char *why = missing_why(c, field);
    if (why)
        sb_add(s, " (card: %s)", why);
}

/* B:P predicted from the card's physicochemistry (mt_partition_bp) for a card without a
 * measured one. Returns the value (NaN when it cannot be predicted; *why then says why). */
static double predicted_bp(const mt_partition_tables *part, mt_ctx *ctx, const mt_drugcard *c,
                           double hct, sbuf *why)
{
    mt_kp_drug kd;
    mt_kp_drug_init(&kd);
    kd.logp = mt_drugcard_logp(c);
    kd.fu_plasma = mt_drugcard_fu(c);
    size_t npka = mt_drugcard_n_pka(c);
    if (isnan(kd.logp) || isnan(kd.fu_plasma) || npka > MT_KP_MAX_PKA ||
        (npka == 0 && missing_why(c, "physchem.pka"))) {
        sb_add(why, "the prediction needs physchem.logp, physchem.fu_plasma and physchem.pka");
        return NAN;
    }
    kd.n_pka = npka;
    for (size_t i = 0; i < npka; i++) {
        double v = NAN;
        mt_pka_type ty = MT_PKA_BASE;
        if (mt_drugcard_pka(c, i, &v, &ty) != MT_OK)
            v = NAN;
        kd.pka[i] = v;
        kd.pka_type[i] = ty == MT_PKA_ACID ? MT_KP_PKA_ACID : MT_KP_PKA_BASE;
    }
    double bp = NAN;
    if (mt_partition_bp(part, ctx, &kd, hct, &bp, NULL) != MT_OK) {
        sb_add(why, "%s", mt_errmsg(ctx));
        return NAN;
    }
    return bp;
}

/* The intrinsic clearances of a drug's enzyme processes, for fm (interactions). */
#define MAX_ENZ_PROC 64
typedef struct {
    size_t n;                       /* enzyme processes with a CLint */
    const char *prot[MAX_ENZ_PROC]; /* borrowed from the card */
    double clint[MAX_ENZ_PROC];     /* L/h, Child-Pugh factor applied */
    double sum;                     /* all hepatic processes, unspecific ones included */
    /* every hepatic process with a CLint, for metabolite formation (docs/metabolites.md) */
    size_t np;
    size_t pix[MAX_ENZ_PROC];    /* index in the card's elimination.hepatic */
    double pclint[MAX_ENZ_PROC]; /* L/h, as clint */
} drug_clint;

/* Per-drug derivation; problems go to dp (no prefix), parameters to j, the enzyme processes'
 * CLint to dc. */
static void derive_drug(job *j, const person *pe, const mt_drugcard *c, const char *id, int oral,
                        sbuf *dp, drug_clint *dc)
{
    const mt_twin_tables *t = pe->t;
    mt_ctx *ctx = pe->ctx;
    const mt_physiology *ph = pe->ph;
    const double v_liv = ph->organ[MT_ORGAN_LIVER].volume_l;
    mt_status first = MT_OK;
    sbuf how = {0}, key = {0}, tmp = {0}, hh = {0}, rh = {0}, ah = {0}, fh = {0};
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
    if (isnan(bp_card))
        bp = predicted_bp(t->part, ctx, c, pe->hct_kp, &bp_why);
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
        } else {
            DP(MT_EUNSUPPORTED,
               "partition.method '%s' is not available (medtwin implements rodgers_rowland and "
               "poulin_theil, docs/partition.md) and partition.kp does not give every organ",
               method);
        }
        mt_kp_drug kd;
        mt_kp_drug_init(&kd);
        kd.logp = mt_drugcard_logp(c);
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
            kd.n_pka = npka;
            for (size_t i = 0; i < npka; i++) {
                double v;
                mt_pka_type ty;
                if (mt_drugcard_pka(c, i, &v, &ty) != MT_OK)
                    v = NAN;
                kd.pka[i] = v;
                kd.pka_type[i] = ty == MT_PKA_ACID ? MT_KP_PKA_ACID : MT_KP_PKA_BASE;
            }
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
        "?", "Rodgers, Leahy & Rowland 2005 (acidic phospholipids, base pKa >= 7)",
        "Rodgers & Rowland 2006 (albumin)", "Rodgers & Rowland 2006 (lipoprotein, neutral)",
        "Poulin & Theil 2002"};

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
        sb_add(&hh, "fu_b x sum of CLint_u: fu_b = fu_p/B:P = %g/%g = %g", fu, bp, fu_b);
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
            if (!isnan(p.specific_clearance_per_h)) {
                /* A stored PK-Sim specific clearance replaces the one PK-Sim would compute from
                 * the process inputs (clint, plasma clearance): it is what the source model ran
                 * with, and only it may be used. */
                DP(MT_EUNSUPPORTED,
                   "%s.specific_clearance: the source model ran with this PK-Sim specific "
                   "clearance (%g/h, a rate constant per liver cell volume; a stored value "
                   "overrides the one PK-Sim computes from %s); converting it to a clearance "
                   "needs PK-Sim's intracellular liver fraction, for which medtwin has no source",
                   where, p.specific_clearance_per_h,
                   !isnan(p.clint_l_h) ? "the card's clint, which is therefore not used"
                   : !isnan(pc)        ? "the card's plasma_clearance, which is therefore not used"
                                       : "the process inputs");
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
        clint *= fcp;
        if (is_enzyme)
            pgx_note(&tmp, pe, c, prot);
        sum_clint += clint;
        if (dc->np < MAX_ENZ_PROC) {
            dc->pix[dc->np] = i;
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
                DP(MT_EUNSUPPORTED,
                   "%s.specific_clearance: the source model ran with this PK-Sim specific "
                   "clearance (%g/h; a stored value overrides the one PK-Sim computes from %s); "
                   "converting it needs PK-Sim's kidney volumes, for which medtwin has no source",
                   where, sc,
                   isnan(pc) ? "the process inputs"
                             : "the card's plasma_clearance, which is therefore not used");
                cl_r = NAN;
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
    if (oral) {
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
    if (isnan(bp_card))
        sb_add(&how,
               "predicted from card %s@%s physchem (logP, fu, pKa) and the erythrocyte "
               "composition, haematocrit %g (Rodgers, Leahy & Rowland 2005; docs/partition.md): "
               "the card has no measured B:P",
               name, version, pe->hct_kp);
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
    FACT("blood_plasma_ratio", bp, "", isnan(bp_card) ? "predicted" : "measured",
         isnan(bp_card) ? "predicted from physchem and the erythrocyte composition (Rodgers, "
                          "Leahy & Rowland 2005)"
                        : "card physchem.blood_plasma_ratio");
    FACT("fu_blood", fu_b, "", "", "fu_p / B:P");
    FACT("partition", NAN, "", kp_computed ? eq_name[det.equation] : "card partition.kp",
         "tissue:plasma Kp from %s; builder Kp = Kp / B:P (tissue:blood)",
         kp_computed ? (method ? method : "") : "the card");
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
#undef DP
}

/* ---- interactions ------------------------------------------------------------------------- */

/* How a card interaction enters the model. */
enum { IX_MODELLED, IX_NO_ENZYME, IX_UNSPECIFIED, IX_DUPLICATE, IX_SELF_ONLY };

typedef struct {
    size_t drug;        /* perpetrator: index in the regimen */
    size_t card_ix;     /* index in its card's interactions */
    int status;         /* IX_* */
    int mech;           /* builder mechanism (mt_ddi_mechanism) */
    size_t model;       /* index in ix[] of its effect when modelled */
    int has_rev;        /* inactivation: its reversible binding (Ki = K_I) is modelled too */
    size_t model_rev;   /* ... as ix[model_rev] */
    const char *enzyme; /* builder name of the target (interned) */
} ix_note;

struct mt_twin_ddi {
    mt_pbpk_ddi b;
    size_t n_drugs;
    char **ids; /* copies of drug_ids */
    size_t n_pw, n_ix, n_notes, n_names;
    mt_pbpk_pathway *pw; /* drug -> ids[], enzyme -> names[] */
    size_t *pw_drug;
    mt_pbpk_interaction *ix;
    ix_note *notes;
    char **names; /* builder enzyme names */
    size_t n_fo;
    mt_pbpk_formation *fo; /* parent, metabolite -> ids[], enzyme -> names[] or NULL */
    size_t *fo_parent, *fo_met;
};

void mt_twin_ddi_destroy(mt_twin_ddi *x)
{
    if (!x)
        return;
    for (size_t i = 0; x->ids && i < x->n_drugs; i++)
        mt_free(NULL, x->ids[i]);
    for (size_t i = 0; i < x->n_names; i++)
        mt_free(NULL, x->names[i]);
    mt_free(NULL, x->ids);
    mt_free(NULL, x->names);
    mt_free(NULL, x->pw);
    mt_free(NULL, x->pw_drug);
    mt_free(NULL, x->ix);
    mt_free(NULL, x->notes);
    mt_free(NULL, x->fo);
    mt_free(NULL, x->fo_parent);
    mt_free(NULL, x->fo_met);
    mt_free(NULL, x);
}

const mt_pbpk_ddi *mt_twin_ddi_builder(const mt_twin_ddi *x) { return x ? &x->b : NULL; }

/* The builder name of a protein (characters outside [A-Za-z0-9_] become '_'), interned in x
 * (x->names has room for every protein of the regimen). NULL on ENOMEM. */
static const char *intern(mt_twin_ddi *x, const char *protein)
{
    char buf[64];
    size_t n = 0;
    for (; protein[n] && n < sizeof buf - 1; n++)
        buf[n] = isalnum((unsigned char)protein[n]) ? protein[n] : '_';
    buf[n] = '\0';
    for (size_t i = 0; i < x->n_names; i++)
        if (!strcmp(x->names[i], buf))
            return x->names[i];
    char *d = dup_str(buf);
    if (d)
        x->names[x->n_names++] = d;
    return d;
}

static int is_enzyme_protein(const char *p) { return p && *p && !ieq(p, "unspecific"); }

/* The builder interaction (perpetrator, enzyme, mechanism) of x, or x->n_ix. */
static size_t ix_find(const mt_twin_ddi *x, const char *p, const char *e, mt_ddi_mechanism m)
{
    for (size_t i = 0; i < x->n_ix; i++)
        if (!strcmp(x->ix[i].perpetrator, p) && x->ix[i].enzyme == e && x->ix[i].mechanism == m)
            return i;
    return x->n_ix;
}

/* The same, added when absent (x->ix has room for two per card interaction). */
static size_t ix_put(mt_twin_ddi *x, const char *p, const char *e, mt_ddi_mechanism m)
{
    size_t i = ix_find(x, p, e, m);
    if (i == x->n_ix)
        x->ix[x->n_ix++] = (mt_pbpk_interaction){p, e, m};
    return i;
}

/* The metabolite that hepatic process i of card c forms: the process's `metabolite`, else the
 * one entry of the card's metabolites list formed via the process's enzyme (NULL when none or
 * when the list names several for that enzyme). Borrowed from the card. */
static const char *process_metabolite(const mt_drugcard *c, size_t i)
{
    mt_drugcard_process p;
    if (mt_drugcard_hepatic(c, i, &p) != MT_OK)
        return NULL;
    if (p.metabolite && *p.metabolite)
        return p.metabolite;
    const char *name = NULL;
    for (size_t k = 0; p.protein && k < mt_drugcard_n_metabolites(c); k++) {
        mt_drugcard_metabolite m;
        if (mt_drugcard_metabolite_get(c, k, &m) != MT_OK || !m.name || !m.via ||
            !ieq(m.via, p.protein))
            continue;
        if (name && strcmp(name, m.name))
            return NULL;
        name = m.name;
    }
    return name;
}

/* The regimen drug whose card or builder name is `name`, or n. */
static size_t drug_named(size_t n, const mt_drugcard *const *cards, const char *const *ids,
                         const char *name)
{
    for (size_t k = 0; name && k < n; k++)
        if (!strcmp(ids[k], name) || !strcmp(mt_drugcard_name(cards[k]), name))
            return k;
    return n;
}

mt_status mt_twin_ddi_describe(mt_ctx *ctx, size_t n, const mt_drugcard *const *cards,
                               const char *const *ids, mt_twin_ddi **out)
{
    if (!out)
        return mt_error(ctx, MT_EINVAL, "mt_twin_ddi_describe: NULL out");
    *out = NULL;
    if (n && (!cards || !ids))
        return mt_error(ctx, MT_EINVAL, "mt_twin_ddi_describe: NULL cards or drug_ids");
    size_t n_proc = 0, n_int = 0;
    for (size_t d = 0; d < n; d++) {
        if (!cards[d] || !valid_builder_name(ids[d]))
            return mt_error(ctx, MT_EINVAL,
                            "mt_twin_ddi_describe: drug %zu: NULL card or bad builder name", d);
        for (size_t e = 0; e < d; e++)
            if (!strcmp(ids[e], ids[d]))
                return mt_error(ctx, MT_EINVAL, "mt_twin_ddi_describe: drug '%s' appears twice",
                                ids[d]);
        n_proc += mt_drugcard_n_hepatic(cards[d]);
        n_int += mt_drugcard_n_interactions(cards[d]);
    }
    mt_twin_ddi *x = mt_calloc(NULL, 1, sizeof *x);
    if (!x)
        return mt_error(ctx, MT_ENOMEM, "out of memory describing the interactions");
    x->ids = mt_calloc(NULL, n + 1, sizeof *x->ids);
    x->names = mt_calloc(NULL, n_proc + n_int + 1, sizeof *x->names);
    x->pw = mt_calloc(NULL, n_proc + 1, sizeof *x->pw);
    x->pw_drug = mt_calloc(NULL, n_proc + 1, sizeof *x->pw_drug);
    x->ix = mt_calloc(NULL, 2 * n_int + 1, sizeof *x->ix);
    x->notes = mt_calloc(NULL, n_int + 1, sizeof *x->notes);
    x->fo = mt_calloc(NULL, n_proc + 1, sizeof *x->fo);
    x->fo_parent = mt_calloc(NULL, n_proc + 1, sizeof *x->fo_parent);
    x->fo_met = mt_calloc(NULL, n_proc + 1, sizeof *x->fo_met);
    mt_pbpk_pathway *cand = mt_calloc(NULL, n_proc + 1, sizeof *cand);
    size_t *cand_drug = mt_calloc(NULL, n_proc + 1, sizeof *cand_drug), n_cand = 0;
    int oom = !x->ids || !x->names || !x->pw || !x->pw_drug || !x->ix || !x->notes || !cand ||
              !cand_drug || !x->fo || !x->fo_parent || !x->fo_met;
    for (size_t d = 0; d < n && !oom; d++) {
        if (!(x->ids[d] = dup_str(ids[d])))
            oom = 1;
        x->n_drugs = d + 1;
    }
    /* every (drug, enzyme) of a hepatic enzyme process */
    for (size_t d = 0; d < n && !oom; d++)
        for (size_t i = 0; i < mt_drugcard_n_hepatic(cards[d]) && !oom; i++) {
            mt_drugcard_process p;
            if (mt_drugcard_hepatic(cards[d], i, &p) != MT_OK || !is_enzyme_protein(p.protein))
                continue;
            const char *e = intern(x, p.protein);
            if (!e) {
                oom = 1;
                break;
            }
            int seen = 0;
            for (size_t k = 0; k < n_cand; k++)
                seen |= cand_drug[k] == d && cand[k].enzyme == e;
            if (!seen) {
                cand[n_cand] = (mt_pbpk_pathway){x->ids[d], e};
                cand_drug[n_cand++] = d;
            }
        }
    /* every card interaction of every drug */
    for (size_t d = 0; d < n && !oom; d++)
        for (size_t k = 0; k < mt_drugcard_n_interactions(cards[d]) && !oom; k++) {
            mt_drugcard_interaction it;
            if (mt_drugcard_interaction_get(cards[d], k, &it) != MT_OK)
                continue;
            ix_note *no = &x->notes[x->n_notes++];
            no->drug = d;
            no->card_ix = k;
            no->enzyme = intern(x, it.target ? it.target : "?");
            if (!no->enzyme) {
                oom = 1;
                break;
            }
            /* pathways on the target: of any drug, of another drug than d */
            int any = 0, other = 0;
            for (size_t c = 0; c < n_cand; c++)
                if (cand[c].enzyme == no->enzyme) {
                    any = 1;
                    other |= cand_drug[c] != d;
                }
            no->mech = it.mechanism == MT_MECH_MECHANISM_BASED ? MT_DDI_INACTIVATION
                       : it.mechanism == MT_MECH_INDUCTION     ? MT_DDI_INDUCTION
                                                               : MT_DDI_REVERSIBLE;
            if (it.mechanism == MT_MECH_UNSPECIFIED)
                no->status = IX_UNSPECIFIED;
            else if (!any)
                no->status = IX_NO_ENZYME;
            else if (no->mech == MT_DDI_REVERSIBLE && !other)
                no->status = IX_SELF_ONLY;
            else
                no->status = IX_MODELLED;
            if (no->status != IX_MODELLED)
                continue;
            /* reversible constants of one perpetrator on one enzyme share one builder entry
             * (their I/Ki terms add); a second inactivation or induction is a duplicate */
            size_t at = ix_find(x, x->ids[d], no->enzyme, (mt_ddi_mechanism)no->mech);
            if (at < x->n_ix && no->mech != MT_DDI_REVERSIBLE) {
                no->status = IX_DUPLICATE;
                continue;
            }
            no->model = ix_put(x, x->ids[d], no->enzyme, (mt_ddi_mechanism)no->mech);
            if (no->mech == MT_DDI_INACTIVATION && other) {
                no->has_rev = 1;
                no->model_rev = ix_put(x, x->ids[d], no->enzyme, MT_DDI_REVERSIBLE);
            }
        }
    /* the pathways an interaction changes (mt_pbpk_build_ddi: turnover, or a reversible
     * inhibitor other than the drug itself) */
    for (size_t c = 0; c < n_cand && !oom; c++) {
        int hit = 0;
        for (size_t i = 0; i < x->n_ix; i++)
            hit |=
                x->ix[i].enzyme == cand[c].enzyme && (x->ix[i].mechanism != MT_DDI_REVERSIBLE ||
                                                      strcmp(x->ix[i].perpetrator, cand[c].drug));
        if (hit) {
            x->pw_drug[x->n_pw] = cand_drug[c];
            x->pw[x->n_pw++] = cand[c];
        }
    }
    /* metabolite formation: a hepatic process of d forming another drug of the regimen
     * (docs/metabolites.md); one formation per (parent, enzyme, metabolite) */
    for (size_t d = 0; d < n && !oom; d++)
        for (size_t i = 0; i < mt_drugcard_n_hepatic(cards[d]) && !oom; i++) {
            size_t k = drug_named(n, cards, ids, process_metabolite(cards[d], i));
            mt_drugcard_process p;
            if (k == n || k == d || mt_drugcard_hepatic(cards[d], i, &p) != MT_OK)
                continue;
            const char *e = NULL;
            if (is_enzyme_protein(p.protein) && !(e = intern(x, p.protein))) {
                oom = 1;
                break;
            }
            int seen = 0;
            for (size_t f = 0; f < x->n_fo; f++)
                seen |= x->fo_parent[f] == d && x->fo_met[f] == k && x->fo[f].enzyme == e;
            if (seen)
                continue;
            x->fo_parent[x->n_fo] = d;
            x->fo_met[x->n_fo] = k;
            x->fo[x->n_fo++] = (mt_pbpk_formation){x->ids[d], e, x->ids[k]};
        }
    mt_free(NULL, cand);
    mt_free(NULL, cand_drug);
    if (oom) {
        mt_twin_ddi_destroy(x);
        return mt_error(ctx, MT_ENOMEM, "out of memory describing the interactions");
    }
    x->b = (mt_pbpk_ddi){x->n_pw, x->pw, x->n_ix, x->ix, x->n_fo, x->fo};
    *out = x;
    return MT_OK;
}

/* Appends the card's source of a value ("; fitted to ..." when fitted). */
static void value_note(sbuf *s, const mt_drugcard *c, const char *path)
{
    const char *src = NULL, *fitted_to = NULL;
    int fitted = 0;
    if (mt_drugcard_value_source(c, path, &src, &fitted, &fitted_to) != MT_OK)
        return;
    sb_add(s, " (card %s@%s %s: %s%s%s)", mt_drugcard_name(c), mt_drugcard_version(c), path,
           src ? src : "", fitted ? "; FITTED to " : "", fitted && fitted_to ? fitted_to : "");
}

static const char *const unbound_liver_note =
    "I = the perpetrator's unbound liver concentration A_liv/(V_liv Kp_liv) x fu_p/B:P x "
    "1000/MW (umol/L; docs/interactions.md)";

/* One interaction constant: put as parameter `id` or collected as a problem. */
static void ix_const(job *j, const mt_drugcard *c, size_t k, const char *member, double v,
                     const char *id, const char *unit, const char *what)
{
    char path[64];
    snprintf(path, sizeof path, "interactions.%zu.%s", k, member);
    if (isnan(v)) {
        problem(j, MT_ENOTFOUND, "drug card '%s': %s: absent (the %s of its interaction)",
                mt_drugcard_name(c), path, what);
        return;
    }
    sbuf how = {0};
    sb_add(&how, "%s %g %s", what, v, unit);
    value_note(&how, c, path);
    if (how.oom)
        j->oom = 1;
    put_param(j, id, v, unit, sb_str(&how));
    sb_free(&how);
}

/* 1 if drug d of x is a perpetrator (has an MW_<d> from the interaction parameters). */
static int is_perpetrator(const mt_twin_ddi *x, size_t d)
{
    for (size_t i = 0; i < x->n_ix; i++)
        if (!strcmp(x->ix[i].perpetrator, x->ids[d]))
            return 1;
    return 0;
}

/* 1 if hepatic process pix of card c is on builder enzyme e (NULL: a process without one). */
static int process_on(const mt_drugcard *c, size_t pix, const char *e)
{
    mt_drugcard_process p;
    if (mt_drugcard_hepatic(c, pix, &p) != MT_OK)
        return 0;
    if (!is_enzyme_protein(p.protein))
        return e == NULL;
    if (!e)
        return 0;
    size_t m = 0;
    for (; p.protein[m]; m++)
        if ((isalnum((unsigned char)p.protein[m]) ? p.protein[m] : '_') != e[m])
            return 0;
    return e[m] == '\0';
}

/* The formation parameters of x (apply): fform per formation, MW per parent and metabolite that
 * is not a perpetrator; one fact per metabolite a regimen card names (docs/metabolites.md). */
static void metab_params(job *j, const mt_drugcard *const *cards, const drug_clint *dcs,
                         const mt_twin_ddi *x, int apply)
{
    sbuf how = {0}, key = {0};
    char id[256];
    for (size_t k = 0; apply && k < x->n_fo; k++) {
        const mt_pbpk_formation *f = &x->fo[k];
        size_t d = x->fo_parent[k], mi = x->fo_met[k];
        const mt_drugcard *c = cards[d];
        const drug_clint *dc = &dcs[d];
        double ce = 0;
        sb_clear(&how);
        sb_add(&how, "fraction of %s's hepatic clearance that forms %s%s%s: CLint_u of ", f->parent,
               f->metabolite, f->enzyme ? " by " : " (process without an enzyme)",
               f->enzyme ? f->enzyme : "");
        int n_p = 0;
        for (size_t i = 0; i < dc->np; i++) {
            const char *mn = process_metabolite(c, dc->pix[i]);
            if (!mn || (strcmp(mn, x->ids[mi]) && strcmp(mn, mt_drugcard_name(cards[mi]))) ||
                !process_on(c, dc->pix[i], f->enzyme))
                continue;
            ce += dc->pclint[i];
            sb_add(&how, "%selimination.hepatic.%zu %g L/h", n_p++ ? " + " : "", dc->pix[i],
                   dc->pclint[i]);
        }
        double ff = dc->sum > 0 ? ce / dc->sum : 0.0;
        sb_add(&how,
               " / all hepatic CLint_u %g L/h (drug.%s.CL_H; card %s@%s: the process's metabolite "
               "field or the card's metabolites list)",
               dc->sum, f->parent, mt_drugcard_name(c), mt_drugcard_version(c));
        if (f->enzyme)
            snprintf(id, sizeof id, "fform_%s_%s_%s", f->parent, f->enzyme, f->metabolite);
        else
            snprintf(id, sizeof id, "fform_%s_%s", f->parent, f->metabolite);
        put_param(j, id, ff, "1", sb_str(&how));
        sb_clear(&key);
        sb_add(&key, "metabolite.%s.%s", f->parent, f->metabolite);
        sb_clear(&how);
        sb_add(&how,
               "formed in the liver from %s's hepatic clearance%s%s (fform %g), in molar amounts "
               "(x MW_%s / MW_%s), distributed and eliminated as a drug of the regimen",
               f->parent, f->enzyme ? " by " : "", f->enzyme ? f->enzyme : "", ff, f->metabolite,
               f->parent);
        put_fact(j, sb_str(&key), ff, "", "simulated", sb_str(&how));
    }
    /* MW of parents and metabolites that are not perpetrators (those have theirs) */
    for (size_t d = 0; apply && d < x->n_drugs; d++) {
        int role = 0;
        for (size_t k = 0; k < x->n_fo; k++)
            role |= x->fo_parent[k] == d || x->fo_met[k] == d;
        if (!role || is_perpetrator(x, d))
            continue;
        const mt_drugcard *c = cards[d];
        double mw = mt_drugcard_mw(c);
        if (isnan(mw)) {
            problem(j, MT_ENOTFOUND,
                    "drug card '%s': physchem.mw: absent (needed to convert the formed "
                    "metabolite to molar amounts)",
                    mt_drugcard_name(c));
            continue;
        }
        sb_clear(&how);
        sb_add(&how, "molecular weight %g g/mol", mw);
        value_note(&how, c, "physchem.mw");
        sb_add(&how, "; converts formed amounts (mg of %s) in molar terms", x->ids[d]);
        snprintf(id, sizeof id, "MW_%s", x->ids[d]);
        put_param(j, id, mw, "g/mol", sb_str(&how));
    }
    /* metabolites named by a regimen card that are not formed in this model */
    for (size_t d = 0; d < x->n_drugs; d++) {
        const mt_drugcard *c = cards[d];
        for (size_t i = 0; i < mt_drugcard_n_hepatic(c) + mt_drugcard_n_metabolites(c); i++) {
            const char *mn = NULL;
            if (i < mt_drugcard_n_hepatic(c)) {
                mn = process_metabolite(c, i);
            } else {
                mt_drugcard_metabolite m;
                if (mt_drugcard_metabolite_get(c, i - mt_drugcard_n_hepatic(c), &m) == MT_OK)
                    mn = m.name;
            }
            if (!mn)
                continue;
            size_t mi = drug_named(x->n_drugs, cards, (const char *const *)x->ids, mn);
            int formed = 0;
            for (size_t k = 0; k < x->n_fo; k++)
                formed |= x->fo_parent[k] == d && x->fo_met[k] == mi;
            if (formed && apply)
                continue;
            sb_clear(&key);
            sb_add(&key, "metabolite.%s.%s", x->ids[d], mi < x->n_drugs ? x->ids[mi] : mn);
            if (mt_twin_fact_find(j->out, sb_str(&key)))
                continue; /* named twice (process and list) */
            sb_clear(&how);
            if (formed)
                sb_add(&how, "the model was built without metabolite formation (mt_pbpk_build); "
                             "mt_twin_ddi_describe + mt_pbpk_build_ddi + mt_twin_params_ddi "
                             "form it (docs/metabolites.md)");
            else if (mi < x->n_drugs)
                sb_add(&how,
                       "%s is a drug of the regimen, but card %s has no hepatic process with a "
                       "clearance that forms it (elimination.hepatic%s)",
                       x->ids[mi], mt_drugcard_name(c),
                       missing_why(c, "elimination.hepatic") ? ": absent" : "");
            else
                sb_add(&how,
                       "'%s' is not a drug of this regimen (mt_twin_regimen_drugs adds the "
                       "metabolite cards that give a complete twin and says why others are "
                       "left out)",
                       mn);
            put_fact(j, sb_str(&key), NAN, "", formed ? "not applied" : "not simulated",
                     sb_str(&how));
        }
    }
    if (how.oom || key.oom)
        j->oom = 1;
    sb_free(&how);
    sb_free(&key);
}

/* The interaction parameters of x (apply) and one fact per card interaction of the regimen. */
static void ddi_params(job *j, const mt_twin_tables *t, mt_ctx *ctx,
                       const mt_drugcard *const *cards, const drug_clint *dcs, const mt_twin_ddi *x,
                       int apply)
{
    sbuf how = {0}, key = {0};
    char id[256];
    static const char *const mech_word[] = {"reversible inhibition", "mechanism-based inactivation",
                                            "induction"};
    for (size_t k = 0; apply && k < x->n_pw; k++) {
        const mt_pbpk_pathway *w = &x->pw[k];
        const drug_clint *dc = &dcs[x->pw_drug[k]];
        double ce = 0;
        sb_clear(&how);
        for (size_t i = 0; i < dc->n; i++) {
            char b[64];
            size_t m = 0;
            for (; dc->prot[i][m] && m < sizeof b - 1; m++)
                b[m] = isalnum((unsigned char)dc->prot[i][m]) ? dc->prot[i][m] : '_';
            b[m] = '\0';
            if (!strcmp(b, w->enzyme))
                ce += dc->clint[i];
        }
        double fm = dc->sum > 0 ? ce / dc->sum : 0.0;
        sb_add(&how,
               "fraction of %s's hepatic clearance by %s at baseline: CLint_u by %s %g L/h / "
               "all hepatic CLint_u %g L/h (drug.%s.CL_H; fm = CLint_e / sum CLint, "
               "docs/interactions.md)",
               w->drug, w->enzyme, w->enzyme, ce, dc->sum, w->drug);
        snprintf(id, sizeof id, "fm_%s_%s", w->drug, w->enzyme);
        put_param(j, id, fm, "1", sb_str(&how));
    }
    /* perpetrators */
    for (size_t d = 0; apply && d < x->n_drugs; d++) {
        int perp = 0;
        for (size_t i = 0; i < x->n_ix; i++)
            perp |= !strcmp(x->ix[i].perpetrator, x->ids[d]);
        if (!perp)
            continue;
        const mt_drugcard *c = cards[d];
        double mw = mt_drugcard_mw(c);
        if (isnan(mw)) {
            problem(j, MT_ENOTFOUND,
                    "drug card '%s': physchem.mw: absent (needed for the perpetrator's liver "
                    "concentration in umol/L)",
                    mt_drugcard_name(c));
        } else {
            sb_clear(&how);
            sb_add(&how, "molecular weight %g g/mol", mw);
            value_note(&how, c, "physchem.mw");
            sb_add(&how, "; converts %s's unbound liver concentration to umol/L", x->ids[d]);
            snprintf(id, sizeof id, "MW_%s", x->ids[d]);
            put_param(j, id, mw, "g/mol", sb_str(&how));
        }
        sb_clear(&how);
        sb_add(&how, "fraction unbound in plasma %g", mt_drugcard_fu(c));
        value_note(&how, c, "physchem.fu_plasma");
        sb_add(&how, "; %s", unbound_liver_note);
        snprintf(id, sizeof id, "fu_%s", x->ids[d]);
        put_param(j, id, mt_drugcard_fu(c), "1", sb_str(&how));
    }
    metab_params(j, cards, dcs, x, apply);
    /* constants */
    for (size_t i = 0; apply && i < x->n_ix; i++) {
        const mt_pbpk_interaction *v = &x->ix[i];
        const char *p = v->perpetrator, *e = v->enzyme;
        if (v->mechanism == MT_DDI_REVERSIBLE) {
            /* every reversible constant of p on e: 1/Ki = sum 1/Ki_k (the I/Ki terms add) */
            double inv = 0;
            int n_k = 0, bad = 0;
            sb_clear(&how);
            for (size_t k = 0; k < x->n_notes; k++) {
                const ix_note *no = &x->notes[k];
                int rev =
                    no->status == IX_MODELLED && no->mech == MT_DDI_REVERSIBLE && no->model == i;
                int mbi = no->status == IX_MODELLED && no->has_rev && no->model_rev == i;
                if (!rev && !mbi)
                    continue;
                const mt_drugcard *c = cards[no->drug];
                mt_drugcard_interaction it;
                if (mt_drugcard_interaction_get(c, no->card_ix, &it) != MT_OK)
                    continue;
                const char *member = mbi                             ? "ki_half"
                                     : it.mechanism == MT_MECH_MIXED ? "ki_c"
                                                                     : "ki";
                double ki = mbi                             ? it.ki_half_umol_l
                            : it.mechanism == MT_MECH_MIXED ? it.ki_c_umol_l
                                                            : it.ki_umol_l;
                char path[64];
                snprintf(path, sizeof path, "interactions.%zu.%s", no->card_ix, member);
                if (isnan(ki)) {
                    problem(j, MT_ENOTFOUND,
                            "drug card '%s': %s: absent (the inhibition constant of its %s "
                            "interaction on %s)",
                            mt_drugcard_name(c), path, mt_mechanism_name(it.mechanism), e);
                    bad = 1;
                    continue;
                }
                inv += 1.0 / ki;
                sb_add(&how, "%s%s Ki %g umol/L", n_k++ ? "; plus " : "",
                       mbi ? "reversible binding of the mechanism-based inactivator, Ki = K_I "
                             "(PK-Sim's default for an irreversible-inhibition process without "
                             "a Ki of its own: OSP manual part-3/"
                             "pk-sim-compounds-defining-inhibition-induction-processes.md "
                             "@12664bcb5d808f9cf23ed6faef1d38c669b0ac27; the source snapshot "
                             "stores none)"
                       : it.mechanism == MT_MECH_MIXED
                           ? "mixed inhibition: competitive constant Ki,c (at substrate "
                             "concentrations well below Km only Ki,c acts)"
                       : it.mechanism == MT_MECH_NONCOMPETITIVE
                           ? "noncompetitive inhibition (at substrate concentrations well "
                             "below Km it divides CLint by 1 + I/Ki like a competitive one)"
                           : "competitive inhibition",
                       ki);
                value_note(&how, c, path);
            }
            if (bad || !n_k)
                continue;
            if (n_k > 1)
                sb_add(&how, "; combined 1/Ki = sum of 1/Ki: Ki %g umol/L", 1.0 / inv);
            sb_add(&how, "; acts on other drugs' pathways on %s only (no autoinhibition)", e);
            snprintf(id, sizeof id, "Ki_%s_%s", p, e);
            put_param(j, id, 1.0 / inv, "umol/L", sb_str(&how));
            continue;
        }
        const ix_note *no = NULL;
        for (size_t k = 0; k < x->n_notes && !no; k++)
            if (x->notes[k].status == IX_MODELLED && x->notes[k].mech == (int)v->mechanism &&
                x->notes[k].model == i)
                no = &x->notes[k];
        mt_drugcard_interaction it;
        if (!no || mt_drugcard_interaction_get(cards[no->drug], no->card_ix, &it) != MT_OK)
            continue;
        const mt_drugcard *c = cards[no->drug];
        char id2[256];
        if (v->mechanism == MT_DDI_INACTIVATION) {
            snprintf(id, sizeof id, "kinact_%s_%s", p, e);
            ix_const(j, c, no->card_ix, "kinact", it.kinact_per_h, id, "1/h",
                     "maximal inactivation rate constant kinact");
            snprintf(id2, sizeof id2, "KI_%s_%s", p, e);
            ix_const(j, c, no->card_ix, "ki_half", it.ki_half_umol_l, id2, "umol/L",
                     "concentration of half-maximal inactivation K_I");
        } else {
            snprintf(id, sizeof id, "Emax_%s_%s", p, e);
            ix_const(j, c, no->card_ix, "emax", it.emax, id, "1",
                     "maximal induction Emax (fold increase of the synthesis rate minus 1)");
            snprintf(id2, sizeof id2, "EC50_%s_%s", p, e);
            ix_const(j, c, no->card_ix, "ec50", it.ec50_umol_l, id2, "umol/L",
                     "concentration of half-maximal induction EC50");
        }
    }
    /* enzyme turnover */
    for (size_t i = 0; apply && i < x->n_ix; i++) {
        const char *e = x->ix[i].enzyme;
        int first = 1, turnover = 0;
        for (size_t k = 0; k < x->n_ix; k++) {
            if (x->ix[k].enzyme != e)
                continue;
            if (k < i)
                first = 0;
            turnover |= x->ix[k].mechanism != MT_DDI_REVERSIBLE;
        }
        if (!first || !turnover)
            continue;
        double h;
        const char *src;
        if (mt_twin_enzyme_half_life_h(t, ctx, e, &h, &src) != MT_OK) {
            problem(j, MT_ENOTFOUND, "%s (needed for its inactivation or induction)",
                    mt_errmsg(ctx));
            continue;
        }
        sb_clear(&how);
        sb_add(&how, "ln 2 / liver turnover half-life %g h of %s (data/enzymes: %s)", h, e, src);
        snprintf(id, sizeof id, "kdeg_%s", e);
        put_param(j, id, log(2.0) / h, "1/h", sb_str(&how));
    }
    /* one fact per card interaction */
    for (size_t k = 0; k < x->n_notes; k++) {
        const ix_note *no = &x->notes[k];
        const mt_drugcard *c = cards[no->drug];
        mt_drugcard_interaction it;
        if (mt_drugcard_interaction_get(c, no->card_ix, &it) != MT_OK)
            continue;
        const char *target = it.target ? it.target : "?";
        sb_clear(&key);
        sb_clear(&how);
        sb_add(&key, "interaction.%s.%s.%s", x->ids[no->drug], target,
               mt_mechanism_name(it.mechanism));
        const char *text = "not modelled";
        if (no->status == IX_MODELLED && apply) {
            text = "modelled";
            sb_add(&how, "%s of %s by %s (card interactions.%zu), acting on the liver CLint of ",
                   mech_word[no->mech], target, x->ids[no->drug], no->card_ix);
            int n_v = 0;
            for (size_t w = 0; w < x->n_pw; w++)
                if (x->pw[w].enzyme == no->enzyme &&
                    (no->mech != MT_DDI_REVERSIBLE || strcmp(x->pw[w].drug, x->ids[no->drug])))
                    sb_add(&how, "%s%s", n_v++ ? ", " : "", x->pw[w].drug);
            if (no->has_rev)
                sb_add(&how, "; also binds reversibly with Ki = K_I (PK-Sim's default), on the "
                             "other drugs");
            sb_add(&how, "; %s; parameters of docs/interactions.md", unbound_liver_note);
        } else if (no->status == IX_MODELLED || no->status == IX_DUPLICATE) {
            text = "not applied";
            if (no->status == IX_DUPLICATE)
                sb_add(&how,
                       "a second constant of the same mechanism for %s on %s: the first one of "
                       "the card is used",
                       x->ids[no->drug], target);
            else
                sb_add(&how,
                       "the model was built without interactions (mt_pbpk_build); "
                       "mt_twin_ddi_describe + mt_pbpk_build_ddi + mt_twin_params_ddi apply it "
                       "(docs/interactions.md)");
        } else if (no->status == IX_SELF_ONLY) {
            sb_add(&how,
                   "%s is the only drug of this regimen metabolised by %s, and a drug does not "
                   "reversibly inhibit its own metabolism (its Km already describes its binding; "
                   "PK-Sim allows no autoinhibition either)",
                   x->ids[no->drug], target);
        } else if (no->status == IX_UNSPECIFIED) {
            sb_add(&how,
                   "the card gives an inhibition constant without its type (docs/drug-cards.md: "
                   "never guessed); competitive, noncompetitive and mixed inhibition would "
                   "reduce the clearance, uncompetitive inhibition would not (substrate well "
                   "below Km), so no mechanism is assumed");
        } else {
            sb_add(&how,
                   "no drug of this regimen has a hepatic metabolism process on %s in its card; "
                   "the builder models interactions only at hepatic enzymes: transporters "
                   "(P-gp, OATP1B1, ...) are not in its perfusion-limited liver, and it has no "
                   "gut wall and no renal secretion",
                   target);
        }
        put_fact(j, sb_str(&key), NAN, "", text, sb_str(&how));
    }
    if (how.oom || key.oom)
        j->oom = 1;
    sb_free(&how);
    sb_free(&key);
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
    person pe = {t, ctx, &ph, q_liv, q_liv_h, hct_kp, cov.weight_kg, calls, n_calls};
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

/* ---- the regimen's drugs with their metabolites --------------------------------------------- */

#define METAB_MAX_DRUGS 32
#define METAB_MAX_DEPTH 8

struct mt_twin_drugs {
    size_t n, n_dosed;
    const mt_drugcard *cards[METAB_MAX_DRUGS];
    const char *ids[METAB_MAX_DRUGS];
    mt_drugcard *own[METAB_MAX_DRUGS];
    char *own_id[METAB_MAX_DRUGS];
    size_t depth[METAB_MAX_DRUGS];
    mt_twin_param_list notes; /* facts only */
    size_t cap_f;
};

void mt_twin_drugs_destroy(mt_twin_drugs *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < METAB_MAX_DRUGS; i++) {
        mt_drugcard_destroy(r->own[i]);
        mt_free(NULL, r->own_id[i]);
    }
    mt_twin_param_list_free(&r->notes);
    mt_free(NULL, r);
}

size_t mt_twin_drugs_n(const mt_twin_drugs *r) { return r ? r->n : 0; }
size_t mt_twin_drugs_n_dosed(const mt_twin_drugs *r) { return r ? r->n_dosed : 0; }
const mt_drugcard *const *mt_twin_drugs_cards(const mt_twin_drugs *r)
{
    return r ? r->cards : NULL;
}
const char *const *mt_twin_drugs_ids(const mt_twin_drugs *r) { return r ? r->ids : NULL; }
const mt_twin_param_list *mt_twin_drugs_notes(const mt_twin_drugs *r)
{
    return r ? &r->notes : NULL;
}

/* Whether card c gives every value of an IV twin of a reference adult; the problems go to why. */
static int card_complete(const mt_twin_tables *t, mt_ctx *ctx, const mt_drugcard *c, const char *id,
                         sbuf *why)
{
    static const mt_covariates ref = {MT_SEX_MALE, 30.0, 73.0, 176.0, NAN, 0};
    mt_physiology ph;
    if (mt_physiology_compute(t->physio, ctx, &ref, &ph) != MT_OK) {
        sb_add(why, "%s", mt_errmsg(ctx));
        return 0;
    }
    double q_liv = ph.organ[MT_ORGAN_LIVER].blood_flow_l_h + ph.organ[MT_ORGAN_GUT].blood_flow_l_h +
                   ph.organ[MT_ORGAN_SPLEEN].blood_flow_l_h;
    person pe = {t, ctx, &ph, q_liv, q_liv, ph.haematocrit, ref.weight_kg, NULL, 0};
    mt_twin_param_list l = {0};
    job j;
    memset(&j, 0, sizeof j);
    j.out = &l;
    j.first = MT_OK;
    drug_clint dc;
    memset(&dc, 0, sizeof dc);
    derive_drug(&j, &pe, c, id, 0, why, &dc);
    int ok = j.first == MT_OK && !j.oom && !why->len;
    if (j.oom)
        sb_add(why, "out of memory");
    mt_twin_param_list_free(&l);
    sb_free(&j.problems);
    return ok;
}

static void drugs_note(mt_twin_drugs *r, const char *parent, const char *name, const char *how,
                       int *oom)
{
    job j;
    memset(&j, 0, sizeof j);
    j.out = &r->notes;
    j.cap_f = r->cap_f;
    j.cap_p = r->notes.n_params;
    sbuf key = {0};
    sb_add(&key, "metabolite.%s.%s", parent, name);
    put_fact(&j, sb_str(&key), NAN, "", "not simulated", how);
    r->cap_f = j.cap_f;
    if (j.oom || key.oom)
        *oom = 1;
    sb_free(&key);
}

/* 1 if the metabolite graph among r's drugs has a cycle through drug i (DFS colours). */
static int metab_cycle(const mt_twin_drugs *r, size_t i, int *colour, size_t *path, size_t depth,
                       size_t *len)
{
    colour[i] = 1;
    path[depth] = i;
    const mt_drugcard *c = r->cards[i];
    for (size_t p = 0; p < mt_drugcard_n_hepatic(c) + mt_drugcard_n_metabolites(c); p++) {
        const char *mn = NULL;
        if (p < mt_drugcard_n_hepatic(c)) {
            mn = process_metabolite(c, p);
        } else {
            mt_drugcard_metabolite m;
            if (mt_drugcard_metabolite_get(c, p - mt_drugcard_n_hepatic(c), &m) == MT_OK)
                mn = m.name;
        }
        size_t k = drug_named(r->n, r->cards, r->ids, mn);
        if (k == r->n)
            continue;
        if (colour[k] == 1 || (colour[k] == 0 && metab_cycle(r, k, colour, path, depth + 1, len))) {
            if (colour[k] == 1 && !*len) {
                path[depth + 1] = k;
                *len = depth + 2;
            }
            return 1;
        }
    }
    colour[i] = 2;
    return 0;
}

mt_status mt_twin_regimen_drugs(const mt_twin_tables *t, mt_ctx *ctx, const char *data_dir,
                                size_t n_dosed, const mt_drugcard *const *cards,
                                const char *const *drug_ids, mt_twin_drugs **out)
{
    if (!out)
        return mt_error(ctx, MT_EINVAL, "mt_twin_regimen_drugs: NULL out");
    *out = NULL;
    if (n_dosed && (!cards || !drug_ids))
        return mt_error(ctx, MT_EINVAL, "mt_twin_regimen_drugs: NULL cards or drug_ids");
    if (n_dosed > METAB_MAX_DRUGS)
        return mt_error(ctx, MT_ELIMIT, "mt_twin_regimen_drugs: more than %d drugs",
                        METAB_MAX_DRUGS);
    for (size_t d = 0; d < n_dosed; d++) {
        if (!cards[d] || !valid_builder_name(drug_ids[d]))
            return mt_error(ctx, MT_EINVAL,
                            "mt_twin_regimen_drugs: drug %zu: NULL card or bad builder name", d);
        for (size_t e = 0; e < d; e++)
            if (!strcmp(drug_ids[e], drug_ids[d]))
                return mt_error(ctx, MT_EINVAL, "mt_twin_regimen_drugs: drug '%s' appears twice",
                                drug_ids[d]);
    }
    mt_twin_tables *own_t = NULL;
    if (!t) {
        mt_status lst = mt_twin_tables_load(ctx, data_dir, &own_t);
        if (lst != MT_OK)
            return lst;
        t = own_t;
    }
    mt_twin_drugs *r = mt_calloc(NULL, 1, sizeof *r);
    if (!r) {
        mt_twin_tables_destroy(own_t);
        return mt_error(ctx, MT_ENOMEM, "out of memory");
    }
    for (size_t d = 0; d < n_dosed; d++) {
        r->cards[d] = cards[d];
        r->ids[d] = drug_ids[d];
    }
    r->n = r->n_dosed = n_dosed;
    int oom = 0;
    mt_status st = MT_OK;
    sbuf why = {0}, how = {0};
    /* breadth first: every metabolite a card names, once */
    for (size_t i = 0; i < r->n && st == MT_OK && !oom; i++) {
        const mt_drugcard *c = r->cards[i];
        for (size_t p = 0; p < mt_drugcard_n_hepatic(c) + mt_drugcard_n_metabolites(c); p++) {
            const char *mn = NULL;
            if (p < mt_drugcard_n_hepatic(c)) {
                mn = process_metabolite(c, p);
            } else {
                mt_drugcard_metabolite m;
                if (mt_drugcard_metabolite_get(c, p - mt_drugcard_n_hepatic(c), &m) == MT_OK)
                    mn = m.name;
            }
            if (!mn || drug_named(r->n, r->cards, r->ids, mn) < r->n)
                continue;
            int noted = 0;
            for (size_t k = 0; k < r->notes.n_facts; k++) {
                const char *kk = r->notes.facts[k].key;
                size_t lk = strlen(kk), lm = strlen(mn);
                noted |= lk > lm && kk[lk - lm - 1] == '.' && !strcmp(kk + lk - lm, mn);
            }
            if (noted)
                continue;
            sb_clear(&how);
            sb_clear(&why);
            mt_drugcard *mc = NULL;
            if (!valid_builder_name(mn) ||
                strspn(mn, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(mn)) {
                sb_add(&how, "metabolite '%s' of %s not simulated: no drug card has that name", mn,
                       r->ids[i]);
            } else if (mt_drugcard_load(ctx, data_dir, mn, &mc) != MT_OK) {
                sb_add(&how, "metabolite '%s' of %s not simulated: %s", mn, r->ids[i],
                       mt_errmsg(ctx));
            } else if (!card_complete(t, ctx, mc, mn, &why)) {
                sb_add(&how,
                       "metabolite '%s' of %s not simulated: drug card '%s': %s (checked for an "
                       "IV twin of a reference adult, male, 30 y, 73 kg, 176 cm)",
                       mn, r->ids[i], mn, sb_str(&why));
            } else if (r->depth[i] + 1 > METAB_MAX_DEPTH) {
                st = mt_error(ctx, MT_ELIMIT,
                              "metabolites: the chain to '%s' is longer than %d steps", mn,
                              METAB_MAX_DEPTH);
            } else if (r->n == METAB_MAX_DRUGS) {
                st = mt_error(ctx, MT_ELIMIT,
                              "metabolites: adding '%s' (of %s) makes more than %d drugs", mn,
                              r->ids[i], METAB_MAX_DRUGS);
            } else {
                r->own[r->n] = mc;
                r->own_id[r->n] = dup_str(mn);
                r->cards[r->n] = mc;
                r->ids[r->n] = r->own_id[r->n];
                r->depth[r->n] = r->depth[i] + 1;
                if (!r->own_id[r->n])
                    oom = 1;
                r->n++;
                mc = NULL;
            }
            mt_drugcard_destroy(mc);
            if (how.len)
                drugs_note(r, r->ids[i], mn, sb_str(&how), &oom);
            if (st != MT_OK || oom)
                break;
        }
    }
    if (how.oom || why.oom)
        oom = 1;
    sb_free(&how);
    sb_free(&why);
    /* a cycle (a metabolite forming one of its precursors) is refused */
    if (st == MT_OK && !oom) {
        int colour[METAB_MAX_DRUGS] = {0};
        size_t path[METAB_MAX_DRUGS + 1], len = 0;
        for (size_t i = 0; i < r->n && st == MT_OK; i++)
            if (!colour[i] && metab_cycle(r, i, colour, path, 0, &len)) {
                char msg[512];
                size_t at = 0, start = 0;
                while (start + 1 < len && path[start] != path[len - 1])
                    start++;
                for (size_t k = start; k < len && at < sizeof msg; k++)
                    at += (size_t)snprintf(msg + at, sizeof msg - at, "%s%s",
                                           k > start ? " -> " : "", r->ids[path[k]]);
                st = mt_error(ctx, MT_EINVAL,
                              "metabolites: the cards form a cycle (%s); a metabolite that forms "
                              "its own precursor is not modelled",
                              msg);
            }
    }
    mt_twin_tables_destroy(own_t);
    if (oom)
        st = mt_error(ctx, MT_ENOMEM, "out of memory resolving the metabolites");
    if (st != MT_OK) {
        mt_twin_drugs_destroy(r);
        return st;
    }
    *out = r;
    return MT_OK;
}
