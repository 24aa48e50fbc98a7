/* SPDX-License-Identifier: Apache-2.0
 *
 * therapy/risk.c — the risk rules (the CSV tables of data/rules) and their evaluation for one
 * person and one regimen: CPIC pharmacogenomic recommendations against the effective phenotype,
 * phenoconversion by strong inhibitors, interaction warnings from the FDA classification of
 * perpetrators and the victims' hepatic processes, exposure against a card's therapeutic
 * range. The contract is in include/medtwin/risk.h, the rules and their sources in
 * docs/risk.md.
 *
 * Loading keeps the parsed CSV tables (they own every string a rule points to) and checks
 * each row strictly: a missing source, an unknown gene, phenotype (for that gene), enzyme,
 * action, classification or strength, a malformed drug name or a duplicate row is an
 * MT_EPARSE naming file:line:column. The vocabularies come from the pharmacogenomic tables
 * (the phenotypes the CPIC rules of data/pgx can produce) and the enzyme table, so a rule can
 * never name a phenotype medtwin does not derive. Tables are a few dozen rows: every look-up
 * is a linear scan.
 */
#include "medtwin/risk.h"
#include "medtwin/twin.h"

#include "medtwin/data.h"
#include "medtwin/drugcard.h"
#include "util/csv.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define MAX_CSV 32
#define RULE_BYTES (1u << 20)

typedef struct {
    const char *gene, *phenotype;
} vocab_pheno;

typedef struct {
    const char *gene, *phenotype, *drug, *action, *recommendation, *classification, *source;
} pgx_rule;

typedef struct {
    const char *perpetrator, *enzyme, *effect, *strength, *source;
} inhib_rule;

typedef struct {
    const char *gene, *enzyme, *strength, *from, *to, *source;
} pc_rule;

struct mt_risk_rules {
    mt_csv *csv[MAX_CSV]; /* own every string below */
    size_t n_csv;
    vocab_pheno *pheno;
    size_t n_pheno;
    const char **enzyme;
    size_t n_enzyme;
    pgx_rule *pgx;
    size_t n_pgx;
    inhib_rule *inh;
    size_t n_inh;
    pc_rule *pc;
    size_t n_pc;
};

static const char *const table_file[MT_RISK_N_TABLES] = {"pgx_drug.csv", "inhibitors.csv",
                                                         "phenoconversion.csv"};
/* The FDA names the CYP3A subfamily; it matches a card's CYP3A4 and CYP3A5 processes. */
static const char *const fda_cyp3a = "CYP3A";

const char *mt_risk_table_file(mt_risk_table t)
{
    return (unsigned)t < MT_RISK_N_TABLES ? table_file[t] : "?";
}

const char *mt_risk_kind_name(mt_risk_kind k)
{
    switch (k) {
    case MT_RISK_PGX:
        return "pgx";
    case MT_RISK_INTERACTION:
        return "interaction";
    case MT_RISK_EXPOSURE:
        return "exposure";
    case MT_RISK_PHENOCONVERSION:
        return "phenoconversion";
    case MT_RISK_MODEL:
        return "model";
    }
    return "?";
}

const char *mt_risk_severity_name(mt_risk_severity s)
{
    switch (s) {
    case MT_RISK_LOW:
        return "low";
    case MT_RISK_MODERATE:
        return "moderate";
    case MT_RISK_HIGH:
        return "high";
    }
    return "?";
}

/* ---- loading ------------------------------------------------------------------------------ */

static int in_list(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (!strcmp(s, *list))
            return 1;
    return 0;
}

static int drug_name_ok(const char *s)
{
    if (!*s || strlen(s) > 63)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return 0;
    return 1;
}

static int one_line(const char *s) { return !strchr(s, '\n') && !strchr(s, '\r'); }

static mt_status keep_csv(mt_risk_rules *r, mt_ctx *ctx, mt_csv *t)
{
    if (r->n_csv == MAX_CSV) {
        mt_csv_destroy(t);
        return mt_error(ctx, MT_ELIMIT, "risk rules: too many tables");
    }
    r->csv[r->n_csv++] = t;
    return MT_OK;
}

static mt_status read_csv(mt_risk_rules *r, mt_ctx *ctx, const char *dir, const char *sub,
                          const char *file, mt_csv **out)
{
    char path[4096];
    int n = snprintf(path, sizeof path, "%s/%s/%s", dir, sub, file);
    if (n < 0 || (size_t)n >= sizeof path)
        return mt_error(ctx, MT_EINVAL, "risk rules: data path too long");
    mt_status st = mt_csv_read(ctx, path, RULE_BYTES, out);
    if (st != MT_OK)
        return st;
    return keep_csv(r, ctx, *out);
}

/* Looks up the columns names[] (NULL-terminated) of t; all are required. */
static mt_status columns(mt_ctx *ctx, const mt_csv *t, const char *file, const char *const *names,
                         int *idx)
{
    for (size_t i = 0; names[i]; i++) {
        idx[i] = mt_csv_col(t, names[i]);
        if (idx[i] < 0)
            return mt_error(ctx, MT_EPARSE, "%s:1:1: missing column '%s'", file, names[i]);
    }
    return MT_OK;
}

static mt_status grow(mt_ctx *ctx, void **p, size_t n, size_t size)
{
    void *np = mt_realloc(ctx, *p, (n + 1) * size);
    if (!np)
        return mt_error(ctx, MT_ENOMEM, "out of memory loading the risk rules");
    *p = np;
    return MT_OK;
}

static int known_gene(const mt_risk_rules *r, const char *g)
{
    for (size_t i = 0; i < r->n_pheno; i++)
        if (!strcmp(r->pheno[i].gene, g))
            return 1;
    return 0;
}

static int known_pheno(const mt_risk_rules *r, const char *g, const char *p)
{
    for (size_t i = 0; i < r->n_pheno; i++)
        if (!strcmp(r->pheno[i].gene, g) && !strcmp(r->pheno[i].phenotype, p))
            return 1;
    return 0;
}

static int known_enzyme(const mt_risk_rules *r, const char *e)
{
    if (!strcmp(e, fda_cyp3a))
        return 1;
    for (size_t i = 0; i < r->n_enzyme; i++)
        if (!strcmp(r->enzyme[i], e))
            return 1;
    return 0;
}

static mt_status add_pheno(mt_risk_rules *r, mt_ctx *ctx, const char *gene, const char *ph)
{
    if (!*ph || known_pheno(r, gene, ph))
        return MT_OK;
    if (grow(ctx, (void **)&r->pheno, r->n_pheno, sizeof *r->pheno) != MT_OK)
        return MT_ENOMEM;
    r->pheno[r->n_pheno++] = (vocab_pheno){gene, ph};
    return MT_OK;
}

/* The phenotypes each gene's CPIC rule can produce: pgx_gene_rules.csv names the table of
 * each gene (phenotype column, filtered by its gene column when it has one) and the phenotype
 * of an allele without a value. */
static mt_status load_vocab(mt_risk_rules *r, mt_ctx *ctx, const char *dir)
{
    mt_csv *rules;
    mt_status st = read_csv(r, ctx, dir, "pgx", "pgx_gene_rules.csv", &rules);
    if (st != MT_OK)
        return st;
    static const char *const need[] = {"gene", "table", "no_value_phenotype", NULL};
    int c[3];
    if ((st = columns(ctx, rules, "pgx/pgx_gene_rules.csv", need, c)) != MT_OK)
        return st;
    for (size_t i = 0; i < mt_csv_n_rows(rules); i++) {
        const char *gene = mt_csv_cell(rules, i, (size_t)c[0]);
        const char *file = mt_csv_cell(rules, i, (size_t)c[1]);
        if (!*gene || !*file || strchr(file, '/'))
            return mt_error(ctx, MT_EPARSE, "pgx/pgx_gene_rules.csv:%zu: bad gene or table", i + 2);
        if ((st = add_pheno(r, ctx, gene, mt_csv_cell(rules, i, (size_t)c[2]))) != MT_OK)
            return st;
        mt_csv *t;
        if ((st = read_csv(r, ctx, dir, "pgx", file, &t)) != MT_OK)
            return st;
        int cp = mt_csv_col(t, "phenotype"), cg = mt_csv_col(t, "gene");
        if (cp < 0)
            return mt_error(ctx, MT_EPARSE, "pgx/%s:1:1: missing column 'phenotype'", file);
        for (size_t k = 0; k < mt_csv_n_rows(t); k++)
            if (cg < 0 || !strcmp(mt_csv_cell(t, k, (size_t)cg), gene))
                if ((st = add_pheno(r, ctx, gene, mt_csv_cell(t, k, (size_t)cp))) != MT_OK)
                    return st;
    }
    mt_csv *enz;
    if ((st = read_csv(r, ctx, dir, "enzymes", "enzyme_abundance.csv", &enz)) != MT_OK)
        return st;
    int ce = mt_csv_col(enz, "enzyme");
    if (ce < 0)
        return mt_error(ctx, MT_EPARSE,
                        "enzymes/enzyme_abundance.csv:1:1: missing column 'enzyme'");
    for (size_t i = 0; i < mt_csv_n_rows(enz); i++) {
        const char *e = mt_csv_cell(enz, i, (size_t)ce);
        if (!*e || e[0] == '(' || known_enzyme(r, e))
            continue;
        if (grow(ctx, (void **)&r->enzyme, r->n_enzyme, sizeof *r->enzyme) != MT_OK)
            return MT_ENOMEM;
        r->enzyme[r->n_enzyme++] = e;
    }
    return MT_OK;
}

/* A failed check of cell (row, col): "file:line:column: what". */
#if defined(__GNUC__)
__attribute__((format(printf, 5, 6)))
#endif
static mt_status
cell_error(mt_ctx *ctx, const char *file, size_t row, int col, const char *fmt, ...)
{
    char what[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return mt_error(ctx, MT_EPARSE, "%s:%zu:%d: %s", file, row + 2, col + 1, what);
}

/* Every cell of the named columns must be one line; the source must not be empty. */
static mt_status common_checks(mt_ctx *ctx, const mt_csv *t, const char *file, size_t row,
                               const int *c, size_t n, int c_source)
{
    for (size_t i = 0; i < n; i++) {
        const char *s = mt_csv_cell(t, row, (size_t)c[i]);
        if (!one_line(s))
            return cell_error(ctx, file, row, c[i], "%s: line break inside the cell",
                              mt_csv_header(t, (size_t)c[i]));
    }
    if (!*mt_csv_cell(t, row, (size_t)c_source))
        return cell_error(ctx, file, row, c_source, "row without a source");
    return MT_OK;
}

static mt_status load_pgx(mt_risk_rules *r, mt_ctx *ctx, const mt_csv *t, const char *file)
{
    static const char *const need[] = {"gene",           "phenotype",      "drug",   "action",
                                       "recommendation", "classification", "source", NULL};
    static const char *const actions[] = {"avoid",         "alternative", "reduce_dose",
                                          "increase_dose", "monitor",     NULL};
    static const char *const classes[] = {"Strong", "Moderate", "Optional", NULL};
    int c[7];
    mt_status st = columns(ctx, t, file, need, c);
    for (size_t i = 0; st == MT_OK && i < mt_csv_n_rows(t); i++) {
        pgx_rule x;
        const char **f[] = {&x.gene,           &x.phenotype,      &x.drug,  &x.action,
                            &x.recommendation, &x.classification, &x.source};
        for (size_t k = 0; k < 7; k++)
            *f[k] = mt_csv_cell(t, i, (size_t)c[k]);
        if ((st = common_checks(ctx, t, file, i, c, 7, c[6])) != MT_OK)
            return st;
        if (!known_gene(r, x.gene))
            return cell_error(ctx, file, i, c[0], "unknown gene '%s' (no CPIC rule in data/pgx)",
                              x.gene);
        if (!known_pheno(r, x.gene, x.phenotype))
            return cell_error(ctx, file, i, c[1],
                              "unknown phenotype '%s' for %s (not a phenotype data/pgx derives)",
                              x.phenotype, x.gene);
        if (!drug_name_ok(x.drug))
            return cell_error(ctx, file, i, c[2], "drug '%s' is not a drug name ([a-z0-9_]+)",
                              x.drug);
        if (!in_list(x.action, actions))
            return cell_error(ctx, file, i, c[3],
                              "unknown action '%s' (avoid, alternative, reduce_dose, "
                              "increase_dose, monitor)",
                              x.action);
        if (!*x.recommendation)
            return cell_error(ctx, file, i, c[4], "empty recommendation");
        if (!in_list(x.classification, classes))
            return cell_error(ctx, file, i, c[5],
                              "unknown classification '%s' (Strong, Moderate, Optional)",
                              x.classification);
        for (size_t k = 0; k < r->n_pgx; k++)
            if (!strcmp(r->pgx[k].gene, x.gene) && !strcmp(r->pgx[k].phenotype, x.phenotype) &&
                !strcmp(r->pgx[k].drug, x.drug))
                return cell_error(ctx, file, i, c[0], "duplicate rule %s %s %s", x.gene,
                                  x.phenotype, x.drug);
        if ((st = grow(ctx, (void **)&r->pgx, r->n_pgx, sizeof *r->pgx)) != MT_OK)
            return st;
        r->pgx[r->n_pgx++] = x;
    }
    return st;
}

static const char *const strengths[] = {"strong", "moderate", "weak", NULL};

static mt_status load_inhibitors(mt_risk_rules *r, mt_ctx *ctx, const mt_csv *t, const char *file)
{
    static const char *const need[] = {"perpetrator", "enzyme", "effect",
                                       "strength",    "source", NULL};
    static const char *const effects[] = {"inhibitor", "inducer", NULL};
    int c[5];
    mt_status st = columns(ctx, t, file, need, c);
    for (size_t i = 0; st == MT_OK && i < mt_csv_n_rows(t); i++) {
        inhib_rule x;
        const char **f[] = {&x.perpetrator, &x.enzyme, &x.effect, &x.strength, &x.source};
        for (size_t k = 0; k < 5; k++)
            *f[k] = mt_csv_cell(t, i, (size_t)c[k]);
        if ((st = common_checks(ctx, t, file, i, c, 5, c[4])) != MT_OK)
            return st;
        if (!drug_name_ok(x.perpetrator))
            return cell_error(ctx, file, i, c[0],
                              "perpetrator '%s' is not a drug name ([a-z0-9_]+)", x.perpetrator);
        if (!known_enzyme(r, x.enzyme))
            return cell_error(ctx, file, i, c[1],
                              "unknown enzyme '%s' (data/enzymes/enzyme_abundance.csv, or CYP3A)",
                              x.enzyme);
        if (!in_list(x.effect, effects))
            return cell_error(ctx, file, i, c[2], "unknown effect '%s' (inhibitor, inducer)",
                              x.effect);
        if (!in_list(x.strength, strengths))
            return cell_error(ctx, file, i, c[3], "unknown strength '%s' (strong, moderate, weak)",
                              x.strength);
        for (size_t k = 0; k < r->n_inh; k++)
            if (!strcmp(r->inh[k].perpetrator, x.perpetrator) &&
                !strcmp(r->inh[k].enzyme, x.enzyme) && !strcmp(r->inh[k].effect, x.effect))
                return cell_error(ctx, file, i, c[0], "duplicate row %s %s %s", x.perpetrator,
                                  x.enzyme, x.effect);
        if ((st = grow(ctx, (void **)&r->inh, r->n_inh, sizeof *r->inh)) != MT_OK)
            return st;
        r->inh[r->n_inh++] = x;
    }
    return st;
}

static mt_status load_pc(mt_risk_rules *r, mt_ctx *ctx, const mt_csv *t, const char *file)
{
    static const char *const need[] = {"gene",         "enzyme", "strength", "from_phenotype",
                                       "to_phenotype", "source", NULL};
    int c[6];
    mt_status st = columns(ctx, t, file, need, c);
    for (size_t i = 0; st == MT_OK && i < mt_csv_n_rows(t); i++) {
        pc_rule x;
        const char **f[] = {&x.gene, &x.enzyme, &x.strength, &x.from, &x.to, &x.source};
        for (size_t k = 0; k < 6; k++)
            *f[k] = mt_csv_cell(t, i, (size_t)c[k]);
        if ((st = common_checks(ctx, t, file, i, c, 6, c[5])) != MT_OK)
            return st;
        if (!known_gene(r, x.gene))
            return cell_error(ctx, file, i, c[0], "unknown gene '%s' (no CPIC rule in data/pgx)",
                              x.gene);
        if (!known_enzyme(r, x.enzyme))
            return cell_error(ctx, file, i, c[1],
                              "unknown enzyme '%s' (data/enzymes/enzyme_abundance.csv, or CYP3A)",
                              x.enzyme);
        if (!in_list(x.strength, strengths))
            return cell_error(ctx, file, i, c[2], "unknown strength '%s' (strong, moderate, weak)",
                              x.strength);
        if (strcmp(x.from, "any") && !known_pheno(r, x.gene, x.from))
            return cell_error(ctx, file, i, c[3], "unknown phenotype '%s' for %s (or 'any')",
                              x.from, x.gene);
        if (!known_pheno(r, x.gene, x.to))
            return cell_error(ctx, file, i, c[4], "unknown phenotype '%s' for %s", x.to, x.gene);
        for (size_t k = 0; k < r->n_pc; k++)
            if (!strcmp(r->pc[k].gene, x.gene) && !strcmp(r->pc[k].enzyme, x.enzyme) &&
                !strcmp(r->pc[k].strength, x.strength) && !strcmp(r->pc[k].from, x.from))
                return cell_error(ctx, file, i, c[0], "duplicate row %s %s %s %s", x.gene, x.enzyme,
                                  x.strength, x.from);
        if ((st = grow(ctx, (void **)&r->pc, r->n_pc, sizeof *r->pc)) != MT_OK)
            return st;
        r->pc[r->n_pc++] = x;
    }
    return st;
}

void mt_risk_rules_destroy(mt_risk_rules *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n_csv; i++)
        mt_csv_destroy(r->csv[i]);
    mt_free(NULL, r->pheno);
    mt_free(NULL, r->enzyme);
    mt_free(NULL, r->pgx);
    mt_free(NULL, r->inh);
    mt_free(NULL, r->pc);
    mt_free(NULL, r);
}

mt_status mt_risk_rules_parse(mt_ctx *ctx, const char *data_dir, const char *const *texts,
                              const size_t *lens, const char *const *names, mt_risk_rules **out)
{
    if (!out)
        return mt_error(ctx, MT_EINVAL, "mt_risk_rules_parse: NULL argument");
    *out = NULL;
    const char *dir = data_dir ? data_dir : mt_data_dir();
    mt_risk_rules *r = mt_calloc(ctx, 1, sizeof *r);
    if (!r)
        return mt_error(ctx, MT_ENOMEM, "out of memory loading the risk rules");
    mt_status st = load_vocab(r, ctx, dir);
    for (int k = 0; st == MT_OK && k < MT_RISK_N_TABLES; k++) {
        char file[64];
        snprintf(file, sizeof file, "rules/%s", table_file[k]);
        const char *name = file;
        mt_csv *t = NULL;
        if (texts && texts[k]) {
            if (names && names[k])
                name = names[k];
            if (lens[k] > RULE_BYTES)
                st = mt_error(ctx, MT_ELIMIT, "%s: larger than %u bytes", name, RULE_BYTES);
            else if ((st = mt_csv_parse(ctx, texts[k], lens[k], name, &t)) == MT_OK)
                st = keep_csv(r, ctx, t);
        } else {
            st = read_csv(r, ctx, dir, "rules", table_file[k], &t);
        }
        if (st != MT_OK)
            break;
        if (k == MT_RISK_TABLE_PGX)
            st = load_pgx(r, ctx, t, name);
        else if (k == MT_RISK_TABLE_INHIBITORS)
            st = load_inhibitors(r, ctx, t, name);
        else
            st = load_pc(r, ctx, t, name);
    }
    if (st != MT_OK) {
        mt_risk_rules_destroy(r);
        return st;
    }
    *out = r;
    return MT_OK;
}

mt_status mt_risk_rules_load(mt_ctx *ctx, const char *data_dir, mt_risk_rules **out)
{
    return mt_risk_rules_parse(ctx, data_dir, NULL, NULL, NULL, out);
}

size_t mt_risk_rules_count(const mt_risk_rules *r, mt_risk_table t)
{
    if (!r)
        return 0;
    return t == MT_RISK_TABLE_PGX ? r->n_pgx : t == MT_RISK_TABLE_INHIBITORS ? r->n_inh : r->n_pc;
}

/* ---- evaluation --------------------------------------------------------------------------- */

typedef struct {
    char *buf;
    size_t len, cap;
    int oom;
} sbuf;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void
sb_add(sbuf *s, const char *fmt, ...)
{
    if (s->oom)
        return;
    va_list ap, aq;
    va_start(ap, fmt);
    va_copy(aq, ap);
    int n = vsnprintf(NULL, 0, fmt, aq);
    va_end(aq);
    size_t need = n < 0 ? 0 : s->len + (size_t)n + 1;
    if (n < 0) {
        s->oom = 1;
    } else if (need > s->cap) {
        size_t nc = s->cap ? s->cap : 256;
        while (nc < need)
            nc *= 2;
        char *nb = mt_realloc(NULL, s->buf, nc);
        if (!nb)
            s->oom = 1;
        else {
            s->buf = nb;
            s->cap = nc;
        }
    }
    if (!s->oom) {
        vsnprintf(s->buf + s->len, s->cap - s->len, fmt, ap);
        s->len += (size_t)n;
    }
    va_end(ap);
}

static void sb_reset(sbuf *s)
{
    s->len = 0;
    if (s->buf)
        s->buf[0] = '\0';
}

static const char *sb_str(const sbuf *s) { return s->buf ? s->buf : ""; }

typedef struct {
    mt_risk_report *out;
    size_t cap_w, cap_e, cap_n;
    int oom;
    sbuf msg, src;
} job;

static char *dup(job *j, const char *s)
{
    char *d = mt_strdup(NULL, s ? s : "");
    if (!d)
        j->oom = 1;
    return d;
}

static void warn(job *j, mt_risk_kind kind, mt_risk_severity sev, const char *drug,
                 const char *perp, const char *gene, const char *pheno)
{
    mt_risk_report *o = j->out;
    if (j->oom || j->msg.oom || j->src.oom) {
        j->oom = 1;
        return;
    }
    if (o->n_warnings == j->cap_w) {
        size_t nc = j->cap_w ? 2 * j->cap_w : 16;
        mt_risk_warning *nw = mt_realloc(NULL, o->warnings, nc * sizeof *nw);
        if (!nw) {
            j->oom = 1;
            return;
        }
        o->warnings = nw;
        j->cap_w = nc;
    }
    mt_risk_warning *w = &o->warnings[o->n_warnings++];
    memset(w, 0, sizeof *w);
    w->kind = kind;
    w->severity = sev;
    w->drug = dup(j, drug);
    w->perpetrator = dup(j, perp);
    w->gene = dup(j, gene);
    w->phenotype = dup(j, pheno);
    w->message = dup(j, sb_str(&j->msg));
    w->source = dup(j, sb_str(&j->src));
}

static void note(job *j)
{
    mt_risk_report *o = j->out;
    if (j->oom || j->msg.oom) {
        j->oom = 1;
        return;
    }
    if (o->n_notes == j->cap_n) {
        size_t nc = j->cap_n ? 2 * j->cap_n : 16;
        char **nn = mt_realloc(NULL, o->notes, nc * sizeof *nn);
        if (!nn) {
            j->oom = 1;
            return;
        }
        o->notes = nn;
        j->cap_n = nc;
    }
    o->notes[o->n_notes] = dup(j, sb_str(&j->msg));
    if (o->notes[o->n_notes])
        o->n_notes++;
}

static mt_risk_effective *effective_add(job *j, const char *gene, const char *pheno)
{
    mt_risk_report *o = j->out;
    if (j->oom)
        return NULL;
    if (o->n_effective == j->cap_e) {
        size_t nc = j->cap_e ? 2 * j->cap_e : 16;
        mt_risk_effective *ne = mt_realloc(NULL, o->effective, nc * sizeof *ne);
        if (!ne) {
            j->oom = 1;
            return NULL;
        }
        o->effective = ne;
        j->cap_e = nc;
    }
    mt_risk_effective *e = &o->effective[o->n_effective++];
    e->gene = dup(j, gene);
    e->genotype_phenotype = dup(j, pheno);
    e->effective = dup(j, pheno);
    e->perpetrator = dup(j, "");
    e->source = dup(j, "");
    return e;
}

static void replace(job *j, char **slot, const char *s)
{
    char *d = dup(j, s);
    if (!d)
        return;
    mt_free(NULL, *slot);
    *slot = d;
}

static const mt_risk_effective *effective_of(const mt_risk_report *o, const char *gene)
{
    for (size_t i = 0; i < o->n_effective; i++)
        if (o->effective[i].gene && !strcmp(o->effective[i].gene, gene))
            return &o->effective[i];
    return NULL;
}

static int strength_rank(const char *s)
{
    return !strcmp(s, "strong") ? 3 : !strcmp(s, "moderate") ? 2 : 1;
}

static mt_risk_severity strength_severity(const char *s)
{
    int k = strength_rank(s);
    return k == 3 ? MT_RISK_HIGH : k == 2 ? MT_RISK_MODERATE : MT_RISK_LOW;
}

static mt_risk_severity action_severity(const char *a)
{
    if (!strcmp(a, "avoid") || !strcmp(a, "alternative"))
        return MT_RISK_HIGH;
    if (!strcmp(a, "monitor"))
        return MT_RISK_LOW;
    return MT_RISK_MODERATE;
}

/* The card's process enzyme matches the perpetrator's (CYP3A: any CYP3A* process). */
static int enzyme_match(const char *rule, const char *protein)
{
    if (!protein)
        return 0;
    if (!strcmp(rule, fda_cyp3a))
        return !strncmp(protein, fda_cyp3a, strlen(fda_cyp3a));
    return !strcmp(rule, protein);
}

/* Unique regimen drugs, in order (a repeated name counts once). */
static int first_of_name(const mt_risk_drug *d, size_t i)
{
    for (size_t k = 0; k < i; k++)
        if (!strcmp(d[k].name, d[i].name))
            return 0;
    return 1;
}

static void phenoconvert(job *j, const mt_risk_rules *r, size_t n_drugs, const mt_risk_drug *d)
{
    mt_risk_report *o = j->out;
    /* genes named by a phenoconversion row, in the rows' order */
    for (size_t p = 0; p < r->n_pc && !j->oom; p++) {
        const pc_rule *pc = &r->pc[p];
        const mt_risk_effective *cur = effective_of(o, pc->gene);
        const char *geno = cur ? cur->genotype_phenotype : "";
        if (cur && *cur->perpetrator)
            continue; /* already converted (rows of stronger effect come first) */
        if (strcmp(pc->from, "any") && strcmp(pc->from, geno))
            continue;
        const inhib_rule *hit = NULL;
        const char *perp = NULL;
        for (size_t i = 0; i < n_drugs && !hit; i++)
            for (size_t k = 0; k < r->n_inh && !hit; k++)
                if (!strcmp(r->inh[k].perpetrator, d[i].name) &&
                    !strcmp(r->inh[k].effect, "inhibitor") &&
                    enzyme_match(r->inh[k].enzyme, pc->enzyme) &&
                    !strcmp(r->inh[k].strength, pc->strength)) {
                    hit = &r->inh[k];
                    perp = d[i].name;
                }
        if (!hit || !strcmp(geno, pc->to))
            continue;
        mt_risk_effective *e = (mt_risk_effective *)cur;
        if (!e && !(e = effective_add(j, pc->gene, "")))
            return;
        replace(j, &e->effective, pc->to);
        replace(j, &e->perpetrator, perp);
        sb_reset(&j->src);
        sb_add(&j->src, "%s; perpetrator: %s", pc->source, hit->source);
        replace(j, &e->source, sb_str(&j->src));
        sb_reset(&j->msg);
        sb_add(&j->msg,
               "phenoconversion: %s is a %s %s inhibitor, so %s behaves as %s; the "
               "pharmacogenomic rules use this effective phenotype",
               perp, hit->strength, hit->enzyme, pc->gene, pc->to);
        if (*geno)
            sb_add(&j->msg, " instead of the genotype's %s", geno);
        else
            sb_add(&j->msg, " (no %s genotype given)", pc->gene);
        warn(j, MT_RISK_PHENOCONVERSION, MT_RISK_MODERATE, perp, perp, pc->gene, pc->to);
    }
}

static void pgx_warnings(job *j, const mt_risk_rules *r, size_t n_drugs, const mt_risk_drug *d)
{
    for (size_t i = 0; i < n_drugs && !j->oom; i++) {
        if (!first_of_name(d, i))
            continue;
        for (size_t k = 0; k < r->n_pgx && !j->oom; k++) {
            const pgx_rule *x = &r->pgx[k];
            const mt_risk_effective *e = effective_of(j->out, x->gene);
            if (strcmp(x->drug, d[i].name) || !e || strcmp(e->effective, x->phenotype))
                continue;
            int converted = *e->perpetrator != '\0';
            sb_reset(&j->msg);
            sb_reset(&j->src);
            sb_add(&j->msg, "%s %s", x->gene, x->phenotype);
            if (converted)
                sb_add(&j->msg, " by phenoconversion (%s; genotype: %s)", e->perpetrator,
                       *e->genotype_phenotype ? e->genotype_phenotype : "not given");
            sb_add(&j->msg, " on %s: %s (CPIC classification %s)", x->drug, x->recommendation,
                   x->classification);
            sb_add(&j->src, "%s", x->source);
            if (converted)
                sb_add(&j->src, "; phenoconversion: %s", e->source);
            warn(j, MT_RISK_PGX, action_severity(x->action), x->drug,
                 converted ? e->perpetrator : "", x->gene, x->phenotype);
        }
    }
}

static void interaction_warnings(job *j, const mt_risk_rules *r, size_t n_drugs,
                                 const mt_risk_drug *d)
{
    for (size_t v = 0; v < n_drugs && !j->oom; v++) {
        if (!first_of_name(d, v) || !d[v].card)
            continue;
        size_t n_proc = mt_drugcard_n_hepatic(d[v].card);
        for (size_t p = 0; p < n_drugs && !j->oom; p++) {
            if (p == v || !first_of_name(d, p) || !strcmp(d[p].name, d[v].name))
                continue;
            for (size_t k = 0; k < r->n_inh && !j->oom; k++) {
                const inhib_rule *x = &r->inh[k];
                if (strcmp(x->perpetrator, d[p].name))
                    continue;
                sb_reset(&j->msg);
                size_t hits = 0;
                for (size_t q = 0; q < n_proc; q++) {
                    mt_drugcard_process pr;
                    if (mt_drugcard_hepatic(d[v].card, q, &pr) != MT_OK ||
                        !enzyme_match(x->enzyme, pr.protein))
                        continue;
                    if (!hits++)
                        sb_add(&j->msg, "%s is a %s %s %s; %s's card has hepatic elimination by",
                               x->perpetrator, x->strength, x->enzyme, x->effect, d[v].name);
                    sb_add(&j->msg, "%s %s (elimination.hepatic.%zu", hits > 1 ? "," : "",
                           pr.protein, q);
                    if (!isnan(pr.fm))
                        sb_add(&j->msg, ", fm %g", pr.fm);
                    sb_add(&j->msg, ")");
                }
                if (!hits)
                    continue;
                sb_add(&j->msg, ", so %s exposure may %s", d[v].name,
                       !strcmp(x->effect, "inhibitor") ? "rise" : "fall");
                sb_reset(&j->src);
                sb_add(&j->src, "%s; victim pathway: drug card '%s' (%s)", x->source, d[v].name,
                       mt_drugcard_version(d[v].card));
                warn(j, MT_RISK_INTERACTION, strength_severity(x->strength), d[v].name,
                     x->perpetrator, "", "");
            }
        }
    }
}

/* Model gaps: a card's transport processes (elimination.transport) that the twin does not
 * represent (it has OATP1B1's liver uptake only, mt_twin_transport_represented;
 * docs/qualification.md, "What would move the figures next"). Where transport is a main route of
 * elimination the predicted exposure is too high. */
static void model_warnings(job *j, size_t n_drugs, const mt_risk_drug *d)
{
    for (size_t i = 0; i < n_drugs && !j->oom; i++) {
        size_t nt = d[i].card ? mt_drugcard_n_transport(d[i].card) : 0, left = 0;
        for (size_t k = 0; k < nt; k++) /* the ones the twin represents are no gap */
            left += !mt_twin_transport_represented(d[i].card, k);
        if (!first_of_name(d, i) || left == 0)
            continue;
        sb_reset(&j->msg);
        sb_add(&j->msg, "%s: its card's transport by ", d[i].name);
        int uptake = 0; /* an OATP (SLCO family): carries the drug into cells */
        for (size_t k = 0, shown = 0; k < nt; k++) {
            mt_drugcard_process p;
            if (mt_twin_transport_represented(d[i].card, k))
                continue;
            const char *t =
                mt_drugcard_transport(d[i].card, k, &p) == MT_OK && p.protein ? p.protein : "?";
            sb_add(&j->msg, "%s%s", shown ? (shown + 1 == left ? " and " : ", ") : "", t);
            shown++;
            uptake |= !strncmp(t, "OATP", 4);
        }
        sb_add(&j->msg,
               " (elimination.transport) is not represented in the twin: where "
               "transport is a main route of elimination (digoxin: P-gp secretion into urine and "
               "bile) the predicted exposure is too high");
        if (uptake)
            sb_add(&j->msg, "; without its OATP uptake into the liver cells its hepatic "
                            "clearance and liver concentration are lower than its source "
                            "model's, so its own curve and its effect on enzymes there differ");
        sb_add(&j->msg, "; interactions at the transporter are not predicted");
        sb_reset(&j->src);
        sb_add(&j->src,
               "drug card '%s' (%s) elimination.transport; docs/qualification.md, \"What would "
               "move the figures next\"",
               d[i].name, mt_drugcard_version(d[i].card));
        warn(j, MT_RISK_MODEL, MT_RISK_MODERATE, d[i].name, "", "", "");
    }
}

static void exposure_warnings(job *j, size_t n_drugs, const mt_risk_drug *d)
{
    for (size_t i = 0; i < n_drugs && !j->oom; i++) {
        if (!first_of_name(d, i))
            continue;
        sb_reset(&j->msg);
        double lo = NAN, hi = NAN, tox = NAN;
        if (!d[i].card) {
            sb_add(&j->msg, "%s: no drug card, exposure not checked", d[i].name);
            note(j);
            continue;
        }
        if (mt_drugcard_therapeutic_range(d[i].card, &lo, &hi, &tox) != MT_OK) {
            sb_add(&j->msg, "%s: no therapeutic range on the card, exposure not checked",
                   d[i].name);
            note(j);
            continue;
        }
        if (isnan(d[i].cmax) && isnan(d[i].ctrough)) {
            sb_add(&j->msg, "%s: exposure not predicted, therapeutic range not checked", d[i].name);
            note(j);
            continue;
        }
        sb_reset(&j->src);
        sb_add(&j->src, "drug card '%s' (%s) therapeutic_range", d[i].name,
               mt_drugcard_version(d[i].card));
        if (!isnan(tox) && d[i].cmax > tox) {
            sb_add(&j->msg, "%s: predicted Cmax %.4g mg/L above the toxic threshold %.4g mg/L",
                   d[i].name, d[i].cmax, tox);
            warn(j, MT_RISK_EXPOSURE, MT_RISK_HIGH, d[i].name, "", "", "");
        } else if (!isnan(hi) && d[i].cmax > hi) {
            sb_add(&j->msg,
                   "%s: predicted Cmax %.4g mg/L above the therapeutic range's upper bound "
                   "%.4g mg/L",
                   d[i].name, d[i].cmax, hi);
            warn(j, MT_RISK_EXPOSURE, MT_RISK_MODERATE, d[i].name, "", "", "");
        }
        sb_reset(&j->msg);
        if (!isnan(lo) && d[i].ctrough < lo) {
            sb_add(&j->msg,
                   "%s: predicted trough %.4g mg/L below the therapeutic range's lower bound "
                   "%.4g mg/L",
                   d[i].name, d[i].ctrough, lo);
            warn(j, MT_RISK_EXPOSURE, MT_RISK_MODERATE, d[i].name, "", "", "");
        }
    }
}

void mt_risk_report_free(mt_risk_report *rep)
{
    if (!rep)
        return;
    for (size_t i = 0; i < rep->n_warnings; i++) {
        mt_risk_warning *w = &rep->warnings[i];
        mt_free(NULL, w->drug);
        mt_free(NULL, w->perpetrator);
        mt_free(NULL, w->gene);
        mt_free(NULL, w->phenotype);
        mt_free(NULL, w->message);
        mt_free(NULL, w->source);
    }
    for (size_t i = 0; i < rep->n_effective; i++) {
        mt_risk_effective *e = &rep->effective[i];
        mt_free(NULL, e->gene);
        mt_free(NULL, e->genotype_phenotype);
        mt_free(NULL, e->effective);
        mt_free(NULL, e->perpetrator);
        mt_free(NULL, e->source);
    }
    for (size_t i = 0; i < rep->n_notes; i++)
        mt_free(NULL, rep->notes[i]);
    mt_free(NULL, rep->warnings);
    mt_free(NULL, rep->effective);
    mt_free(NULL, rep->notes);
    memset(rep, 0, sizeof *rep);
}

mt_status mt_risk_evaluate(const mt_risk_rules *r, mt_ctx *ctx, size_t n_phenotypes,
                           const mt_risk_phenotype *phenotypes, size_t n_drugs,
                           const mt_risk_drug *drugs, mt_risk_report *out)
{
    if (!out)
        return mt_error(ctx, MT_EINVAL, "mt_risk_evaluate: NULL report");
    memset(out, 0, sizeof *out);
    if (!r || (n_phenotypes && !phenotypes) || (n_drugs && !drugs))
        return mt_error(ctx, MT_EINVAL, "mt_risk_evaluate: NULL argument");
    for (size_t i = 0; i < n_phenotypes; i++) {
        if (!phenotypes[i].gene || !*phenotypes[i].gene || !phenotypes[i].phenotype)
            return mt_error(ctx, MT_EINVAL, "risk: phenotype %zu has no gene or phenotype", i);
        for (size_t k = 0; k < i; k++)
            if (!strcmp(phenotypes[k].gene, phenotypes[i].gene))
                return mt_error(ctx, MT_EINVAL, "risk: gene %s given twice", phenotypes[i].gene);
    }
    for (size_t i = 0; i < n_drugs; i++)
        if (!drugs[i].name || !*drugs[i].name)
            return mt_error(ctx, MT_EINVAL, "risk: drug %zu has no name", i);
    job j = {.out = out};
    for (size_t i = 0; i < n_phenotypes; i++)
        effective_add(&j, phenotypes[i].gene, phenotypes[i].phenotype);
    phenoconvert(&j, r, n_drugs, drugs);
    pgx_warnings(&j, r, n_drugs, drugs);
    interaction_warnings(&j, r, n_drugs, drugs);
    exposure_warnings(&j, n_drugs, drugs);
    model_warnings(&j, n_drugs, drugs);
    mt_free(NULL, j.msg.buf);
    mt_free(NULL, j.src.buf);
    if (j.oom) {
        mt_risk_report_free(out);
        return mt_error(ctx, MT_ENOMEM, "out of memory evaluating the risk rules");
    }
    return MT_OK;
}
