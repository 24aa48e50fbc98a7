/* SPDX-License-Identifier: Apache-2.0
 *
 * twin/pgx.c — pharmacogenomic phenotypes derived from diplotypes by CPIC
 * rules (medtwin/pgx.h; the rules and their sources: docs/pgx.md).
 *
 * The handle holds the CSV tables of data/pgx/ (every text below points into
 * them) and, per supported gene, its alleles (function, activity value) and
 * its rule: either activity-score bins or a table from an unordered pair of
 * allele functions to a phenotype. Nothing maps a diplotype to a phenotype
 * directly. Loading checks that the rule is total over the gene's alleles
 * (every pair of values falls in a bin, every pair of functions has a
 * phenotype, every copy number of an allele has a function class), so a call
 * fails only on its input.
 *
 * A call is O(alleles of the gene) string comparisons (at most a few
 * hundred) and allocates nothing; the handle is read-only after loading.
 *
 * Copy numbers (genes with a copy_number_functions table: CYP2D6): an allele
 * "Bx<k>" that CPIC lists is taken from the table; otherwise its activity is
 * k x the value of B and its function the class of that value. "x≥k" and
 * "xN" (N = two or more, CPIC's historical notation) give a lower bound; a
 * phenotype is then assigned only if every score above the bound falls in
 * the same bin (the open top bin), else the gene's no-value phenotype.
 */
#include "medtwin/pgx.h"

#include "medtwin/data.h"
#include "util/csv.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PGX_DIR "pgx"
#define RULES_FILE "pgx_gene_rules.csv"
#define ALLELE_FILE "cpic_allele_function.csv"
#define MAX_TABLES 16
#define MAX_COPIES 20
#define SCORE_EPS 1e-9
#define ALLELE_BUF 128 /* a normalised allele of the input; longer is refused */
#define UNKNOWN_CLASS "Indeterminate"

typedef enum { RULE_ACTIVITY_SCORE, RULE_FUNCTION_PAIR } rule_kind;

typedef struct {
    const char *name;
    const char *function;
    double value; /* NaN: CPIC gives none */
    int at_least; /* the table's value reads "≥x" */
} allele;

typedef struct {
    double lo, hi; /* inclusive; hi may be +inf */
    const char *text;
} range;

typedef struct {
    const char *f1, *f2, *phenotype;
} fpair;

typedef struct {
    const char *name;
    rule_kind kind;
    const char *rule_text;
    const char *no_value; /* phenotype when an activity value is missing */
    int star;             /* every allele name begins with '*' */
    allele *alleles;
    size_t n_alleles;
    range *bins; /* RULE_ACTIVITY_SCORE */
    size_t n_bins;
    fpair *pairs; /* RULE_FUNCTION_PAIR */
    size_t n_pairs;
    range *classes; /* activity value -> function; none: no copy numbers */
    size_t n_classes;
} gene;

struct mt_pgx {
    mt_ctx *ctx;
    char *path; /* dir + "/pgx/" */
    const char *table_name[MAX_TABLES];
    mt_csv *table[MAX_TABLES];
    size_t n_tables;
    gene *genes;
    size_t n_genes;
    char supported[512];
};

/* One allele of a call, resolved. */
typedef struct {
    char name[MT_PGX_TEXT];
    const char *function;
    double value;
    int at_least;
    int derived; /* valued from its copy number, not listed by CPIC */
} resolved;

/* ---- small text helpers ------------------------------------------------ */

/* Case-insensitive equality in the C locale (names are ASCII except "≥",
 * whose bytes compare exactly). */
static int ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return 0;
    return *a == *b;
}

/* Copies s[0..n) into out without leading/trailing whitespace and with each
 * inner run of whitespace made one space. Returns the length, or cap if it
 * does not fit. */
static size_t normalise(const char *s, size_t n, char *out, size_t cap)
{
    size_t w = 0;
    int pending_space = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (isspace(c)) {
            pending_space = w > 0;
            continue;
        }
        if (pending_space) {
            if (w + 1 >= cap)
                return cap;
            out[w++] = ' ';
            pending_space = 0;
        }
        if (w + 1 >= cap)
            return cap;
        out[w++] = (char)c;
    }
    out[w] = '\0';
    return w;
}

/* Appends s to dst (size cap), truncating. */
static void append(char *dst, size_t cap, const char *s)
{
    size_t n = strlen(dst), m = strlen(s);
    if (n + 1 >= cap)
        return;
    if (m > cap - 1 - n)
        m = cap - 1 - n;
    memcpy(dst + n, s, m);
    dst[n + m] = '\0';
}

static void set_text(char *dst, size_t cap, const char *s)
{
    dst[0] = '\0';
    append(dst, cap, s);
}

/* Parses a whole cell as a number ("inf" included). */
static int parse_number(const char *s, double *out)
{
    char *end;
    if (!*s)
        return -1;
    *out = strtod(s, &end);
    return (*end == '\0' && !isnan(*out)) ? 0 : -1;
}

/* ---- loading ------------------------------------------------------------ */

static mt_status get_table(mt_pgx *p, const char *name, mt_csv **out)
{
    for (size_t i = 0; i < p->n_tables; i++)
        if (strcmp(p->table_name[i], name) == 0) {
            *out = p->table[i];
            return MT_OK;
        }
    if (!*name || strchr(name, '/') || strchr(name, '\\') || strstr(name, ".."))
        return mt_error(p->ctx, MT_EPARSE, "%s: bad table name '%s'", RULES_FILE, name);
    if (p->n_tables == MAX_TABLES)
        return mt_error(p->ctx, MT_ELIMIT, "%s: more than %d tables", RULES_FILE, MAX_TABLES);
    size_t n = strlen(p->path) + strlen(name) + 1;
    char *path = mt_malloc(p->ctx, n);
    if (!path)
        return mt_error(p->ctx, MT_ENOMEM, "out of memory loading pgx tables");
    snprintf(path, n, "%s%s", p->path, name);
    mt_status st = mt_csv_read(p->ctx, path, 0, out);
    mt_free(p->ctx, path);
    if (st != MT_OK)
        return st;
    p->table_name[p->n_tables] = name;
    p->table[p->n_tables++] = *out;
    return MT_OK;
}

/* Column indices of a table; MT_EPARSE naming the first missing one. */
static mt_status columns(mt_ctx *ctx, const mt_csv *t, const char *file, const char *const *names,
                         int *idx, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        idx[i] = mt_csv_col(t, names[i]);
        if (idx[i] < 0)
            return mt_error(ctx, MT_EPARSE, "%s: no column '%s'", file, names[i]);
    }
    return MT_OK;
}

/* Reads the ranges of `gene` (all rows if the table has no gene column). */
static mt_status load_ranges(mt_pgx *p, const char *gname, const char *file, const char *lo_col,
                             const char *hi_col, const char *text_col, range **out, size_t *n_out)
{
    mt_csv *t;
    mt_status st = get_table(p, file, &t);
    if (st != MT_OK)
        return st;
    const char *const names[] = {lo_col, hi_col, text_col};
    int c[3];
    if ((st = columns(p->ctx, t, file, names, c, 3)) != MT_OK)
        return st;
    int gc = mt_csv_col(t, "gene");
    size_t n = 0, rows = mt_csv_n_rows(t);
    range *r = mt_calloc(p->ctx, rows, sizeof *r);
    if (!r)
        return mt_error(p->ctx, MT_ENOMEM, "out of memory loading %s", file);
    for (size_t i = 0; i < rows; i++) {
        if (gc >= 0 && strcmp(mt_csv_cell(t, i, (size_t)gc), gname) != 0)
            continue;
        range *x = &r[n];
        x->text = mt_csv_cell(t, i, (size_t)c[2]);
        if (parse_number(mt_csv_cell(t, i, (size_t)c[0]), &x->lo) != 0 ||
            parse_number(mt_csv_cell(t, i, (size_t)c[1]), &x->hi) != 0 || x->lo > x->hi ||
            !*x->text || strlen(x->text) >= MT_PGX_TEXT) {
            mt_free(p->ctx, r);
            return mt_error(p->ctx, MT_EPARSE, "%s row %zu: bad range or text", file, i + 1);
        }
        n++;
    }
    if (n == 0) {
        mt_free(p->ctx, r);
        return mt_error(p->ctx, MT_EPARSE, "%s: no rows for %s", file, gname);
    }
    *out = r;
    *n_out = n;
    return MT_OK;
}

static const range *find_range(const range *r, size_t n, double v)
{
    for (size_t i = 0; i < n; i++)
        if (v >= r[i].lo - SCORE_EPS && v <= r[i].hi + SCORE_EPS)
            return &r[i];
    return NULL;
}

/* An allele's activity value cell: "1.0", "≥3.0", "n/a" or "". */
static int parse_value(const char *s, double *v, int *at_least)
{
    static const char ge[] = "\xe2\x89\xa5"; /* ≥ */
    *at_least = 0;
    *v = NAN;
    if (!*s || strcmp(s, "n/a") == 0)
        return 0;
    if (strncmp(s, ge, 3) == 0) {
        *at_least = 1;
        s += 3;
    }
    return parse_number(s, v) == 0 && *v >= 0 && isfinite(*v) ? 0 : -1;
}

static mt_status load_alleles(mt_pgx *p, gene *g, const mt_csv *t, const int *c)
{
    size_t rows = mt_csv_n_rows(t), n = 0;
    for (size_t i = 0; i < rows; i++)
        n += strcmp(mt_csv_cell(t, i, (size_t)c[0]), g->name) == 0;
    if (n == 0)
        return mt_error(p->ctx, MT_EPARSE, "%s: no alleles for %s", ALLELE_FILE, g->name);
    g->alleles = mt_calloc(p->ctx, n, sizeof *g->alleles);
    if (!g->alleles)
        return mt_error(p->ctx, MT_ENOMEM, "out of memory loading %s", ALLELE_FILE);
    g->star = 1;
    for (size_t i = 0; i < rows; i++) {
        if (strcmp(mt_csv_cell(t, i, (size_t)c[0]), g->name) != 0)
            continue;
        allele *a = &g->alleles[g->n_alleles++];
        a->name = mt_csv_cell(t, i, (size_t)c[1]);
        a->function = mt_csv_cell(t, i, (size_t)c[2]);
        /* room for a copy-number suffix in mt_pgx_call.allele */
        if (!*a->name || strlen(a->name) + 8 >= MT_PGX_TEXT || !*a->function ||
            strlen(a->function) >= MT_PGX_TEXT)
            return mt_error(p->ctx, MT_EPARSE, "%s row %zu: bad allele or function", ALLELE_FILE,
                            i + 1);
        if (parse_value(mt_csv_cell(t, i, (size_t)c[3]), &a->value, &a->at_least) != 0)
            return mt_error(p->ctx, MT_EPARSE, "%s row %zu: bad activity value '%s'", ALLELE_FILE,
                            i + 1, mt_csv_cell(t, i, (size_t)c[3]));
        if (g->kind == RULE_FUNCTION_PAIR)
            a->value = NAN; /* the rule does not use it */
        g->star &= a->name[0] == '*';
    }
    return MT_OK;
}

static const char *find_pair(const gene *g, const char *f1, const char *f2)
{
    for (size_t i = 0; i < g->n_pairs; i++) {
        const fpair *x = &g->pairs[i];
        if ((strcmp(x->f1, f1) == 0 && strcmp(x->f2, f2) == 0) ||
            (strcmp(x->f1, f2) == 0 && strcmp(x->f2, f1) == 0))
            return x->phenotype;
    }
    return NULL;
}

static mt_status load_pairs(mt_pgx *p, gene *g, const char *file)
{
    mt_csv *t;
    mt_status st = get_table(p, file, &t);
    if (st != MT_OK)
        return st;
    const char *const names[] = {"gene", "function_1", "function_2", "phenotype"};
    int c[4];
    if ((st = columns(p->ctx, t, file, names, c, 4)) != MT_OK)
        return st;
    size_t rows = mt_csv_n_rows(t);
    g->pairs = mt_calloc(p->ctx, rows, sizeof *g->pairs);
    if (!g->pairs)
        return mt_error(p->ctx, MT_ENOMEM, "out of memory loading %s", file);
    for (size_t i = 0; i < rows; i++) {
        if (strcmp(mt_csv_cell(t, i, (size_t)c[0]), g->name) != 0)
            continue;
        fpair *x = &g->pairs[g->n_pairs++];
        x->f1 = mt_csv_cell(t, i, (size_t)c[1]);
        x->f2 = mt_csv_cell(t, i, (size_t)c[2]);
        x->phenotype = mt_csv_cell(t, i, (size_t)c[3]);
        if (!*x->phenotype || strlen(x->phenotype) >= MT_PGX_TEXT)
            return mt_error(p->ctx, MT_EPARSE, "%s row %zu: bad phenotype", file, i + 1);
    }
    /* The rule must name a phenotype for every pair of functions that the
     * gene's alleles have. */
    for (size_t i = 0; i < g->n_alleles; i++)
        for (size_t j = i; j < g->n_alleles; j++)
            if (!find_pair(g, g->alleles[i].function, g->alleles[j].function))
                return mt_error(p->ctx, MT_EPARSE, "%s: no %s phenotype for '%s' + '%s'", file,
                                g->name, g->alleles[i].function, g->alleles[j].function);
    return MT_OK;
}

/* Checks that the bins place every sum of two listed values, and that the
 * copy-number classes name every k x value (k = 2..MAX_COPIES). */
static mt_status check_activity_rule(mt_pgx *p, const gene *g, const char *file)
{
    for (size_t i = 0; i < g->n_alleles; i++) {
        const allele *a = &g->alleles[i];
        if (isnan(a->value))
            continue;
        for (size_t j = i; j < g->n_alleles; j++) {
            const allele *b = &g->alleles[j];
            if (!isnan(b->value) && !find_range(g->bins, g->n_bins, a->value + b->value))
                return mt_error(p->ctx, MT_EPARSE, "%s: no %s bin for activity score %g (%s/%s)",
                                file, g->name, a->value + b->value, a->name, b->name);
        }
        for (int k = 2; g->n_classes && k <= MAX_COPIES; k++)
            if (!find_range(g->classes, g->n_classes, k * a->value))
                return mt_error(p->ctx, MT_EPARSE, "%s: no function class for %s x%d (%g)", g->name,
                                a->name, k, k * a->value);
    }
    return MT_OK;
}

static mt_status load_gene(mt_pgx *p, gene *g, const mt_csv *rules, size_t row, const int *rc,
                           const mt_csv *alleles, const int *ac)
{
    const char *kind = mt_csv_cell(rules, row, (size_t)rc[1]);
    const char *table = mt_csv_cell(rules, row, (size_t)rc[2]);
    const char *copies = mt_csv_cell(rules, row, (size_t)rc[4]);
    g->name = mt_csv_cell(rules, row, (size_t)rc[0]);
    g->no_value = mt_csv_cell(rules, row, (size_t)rc[3]);
    g->rule_text = mt_csv_cell(rules, row, (size_t)rc[5]);
    if (!*g->name || strlen(g->name) >= MT_PGX_TEXT)
        return mt_error(p->ctx, MT_EPARSE, "%s row %zu: bad gene", RULES_FILE, row + 1);
    if (strcmp(kind, "activity_score") == 0)
        g->kind = RULE_ACTIVITY_SCORE;
    else if (strcmp(kind, "function_pair") == 0)
        g->kind = RULE_FUNCTION_PAIR;
    else
        return mt_error(p->ctx, MT_EPARSE, "%s row %zu: unknown rule '%s'", RULES_FILE, row + 1,
                        kind);
    if (g->kind == RULE_ACTIVITY_SCORE && (!*g->no_value || strlen(g->no_value) >= MT_PGX_TEXT))
        return mt_error(p->ctx, MT_EPARSE, "%s row %zu: %s needs a no_value_phenotype", RULES_FILE,
                        row + 1, g->name);
    if (*copies && g->kind != RULE_ACTIVITY_SCORE)
        return mt_error(p->ctx, MT_EPARSE, "%s row %zu: copy numbers need an activity score",
                        RULES_FILE, row + 1);
    mt_status st = load_alleles(p, g, alleles, ac);
    if (st != MT_OK)
        return st;
    if (g->kind == RULE_FUNCTION_PAIR)
        return load_pairs(p, g, table);
    st = load_ranges(p, g->name, table, "activity_score_min", "activity_score_max", "phenotype",
                     &g->bins, &g->n_bins);
    if (st == MT_OK && *copies)
        st = load_ranges(p, g->name, copies, "activity_value_min", "activity_value_max", "function",
                         &g->classes, &g->n_classes);
    return st == MT_OK ? check_activity_rule(p, g, table) : st;
}

static mt_status load_all(mt_pgx *p)
{
    mt_csv *rules, *alleles;
    mt_status st = get_table(p, RULES_FILE, &rules);
    if (st == MT_OK)
        st = get_table(p, ALLELE_FILE, &alleles);
    if (st != MT_OK)
        return st;
    static const char *const rule_cols[] = {
        "gene", "rule", "table", "no_value_phenotype", "copy_number_functions", "rule_text"};
    static const char *const allele_cols[] = {"gene", "allele", "function", "activity_value"};
    int rc[6], ac[4];
    if ((st = columns(p->ctx, rules, RULES_FILE, rule_cols, rc, 6)) != MT_OK ||
        (st = columns(p->ctx, alleles, ALLELE_FILE, allele_cols, ac, 4)) != MT_OK)
        return st;
    size_t n = mt_csv_n_rows(rules);
    if (n == 0)
        return mt_error(p->ctx, MT_EPARSE, "%s: no genes", RULES_FILE);
    p->genes = mt_calloc(p->ctx, n, sizeof *p->genes);
    if (!p->genes)
        return mt_error(p->ctx, MT_ENOMEM, "out of memory loading %s", RULES_FILE);
    for (size_t i = 0; i < n; i++) {
        gene *g = &p->genes[p->n_genes++];
        if ((st = load_gene(p, g, rules, i, rc, alleles, ac)) != MT_OK)
            return st;
        for (size_t j = 0; j + 1 < p->n_genes; j++)
            if (ieq(p->genes[j].name, g->name))
                return mt_error(p->ctx, MT_EPARSE, "%s: %s twice", RULES_FILE, g->name);
        if (i)
            append(p->supported, sizeof p->supported, ", ");
        append(p->supported, sizeof p->supported, g->name);
    }
    return MT_OK;
}

mt_status mt_pgx_load(mt_ctx *ctx, const char *data_dir, mt_pgx **out)
{
    *out = NULL;
    if (!data_dir)
        data_dir = mt_data_dir();
    mt_pgx *p = mt_calloc(ctx, 1, sizeof *p);
    size_t n = strlen(data_dir) + sizeof "/" PGX_DIR "/";
    if (p)
        p->path = mt_malloc(ctx, n);
    if (!p || !p->path) {
        mt_free(ctx, p);
        return mt_error(ctx, MT_ENOMEM, "out of memory loading pgx tables");
    }
    p->ctx = ctx;
    snprintf(p->path, n, "%s/" PGX_DIR "/", data_dir);
    mt_status st = load_all(p);
    if (st != MT_OK) {
        mt_pgx_destroy(p);
        return st;
    }
    *out = p;
    return MT_OK;
}

void mt_pgx_destroy(mt_pgx *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n_genes; i++) {
        mt_free(p->ctx, p->genes[i].alleles);
        mt_free(p->ctx, p->genes[i].bins);
        mt_free(p->ctx, p->genes[i].pairs);
        mt_free(p->ctx, p->genes[i].classes);
    }
    mt_free(p->ctx, p->genes);
    for (size_t i = 0; i < p->n_tables; i++)
        mt_csv_destroy(p->table[i]);
    mt_free(p->ctx, p->path);
    mt_free(p->ctx, p);
}

size_t mt_pgx_n_genes(const mt_pgx *p) { return p ? p->n_genes : 0; }

const char *mt_pgx_gene(const mt_pgx *p, size_t i)
{
    return (p && i < p->n_genes) ? p->genes[i].name : NULL;
}

/* ---- calls --------------------------------------------------------------- */

static const allele *find_allele(const gene *g, const char *name)
{
    for (size_t i = 0; i < g->n_alleles; i++)
        if (ieq(g->alleles[i].name, name))
            return &g->alleles[i];
    return NULL;
}

/* How a copy number was written. */
typedef enum { COPIES_EXACT, COPIES_AT_LEAST, COPIES_N } copies_kind;

/* A copy-number suffix "x<k>", "x≥<k>", "x>=<k>" or "xN" at the end of s
 * ('X' and '×' for 'x'). OUT: the base (before it, trimmed) in base, *k (2
 * for "xN") and *kind. 0 if s has one, else -1. */
static int parse_copies(const char *s, char *base, size_t cap, long *k, copies_kind *kind)
{
    size_t n = strlen(s);
    for (size_t i = n; i-- > 1;) {
        size_t sep = 0;
        if (s[i] == 'x' || s[i] == 'X')
            sep = 1;
        else if ((unsigned char)s[i - 1] == 0xc3 && (unsigned char)s[i] == 0x97)
            sep = 2; /* × */
        if (!sep)
            continue;
        const char *q = s + i + 1;
        size_t blen = i + 1 - sep;
        *kind = COPIES_EXACT;
        if ((q[0] == 'N' || q[0] == 'n') && q[1] == '\0') {
            *k = 2;
            *kind = COPIES_N;
        } else {
            if (strncmp(q, "\xe2\x89\xa5", 3) == 0) {
                q += 3;
                *kind = COPIES_AT_LEAST;
            } else if (q[0] == '>' && q[1] == '=') {
                q += 2;
                *kind = COPIES_AT_LEAST;
            }
            if (*q < '0' || *q > '9')
                return -1;
            char *end;
            *k = strtol(q, &end, 10);
            if (*end != '\0' || end - q > 3)
                return -1;
        }
        while (blen > 0 && s[blen - 1] == ' ')
            blen--;
        if (blen == 0 || blen >= cap)
            return -1;
        memcpy(base, s, blen);
        base[blen] = '\0';
        return 0;
    }
    return -1;
}

static void take_listed(resolved *r, const allele *a)
{
    set_text(r->name, sizeof r->name, a->name);
    r->function = a->function;
    r->value = a->value;
    r->at_least = a->at_least;
}

/* Values a copy-number allele from its base (text: the input allele). */
static mt_status resolve_copies(const gene *g, mt_ctx *ctx, const char *text, resolved *r)
{
    char base_name[ALLELE_BUF], tmp[ALLELE_BUF], b1[MT_SHOWN], b2[MT_SHOWN];
    long k, k2;
    copies_kind kind, kind2;
    if (parse_copies(text, base_name, sizeof base_name, &k, &kind) != 0)
        return mt_error(ctx, MT_ENOTFOUND, "%s: unknown allele '%s'", g->name, mt_shown(text, b1));
    const allele *base = find_allele(g, base_name);
    if (!base)
        return mt_error(ctx, MT_ENOTFOUND, "%s: unknown allele '%s' in '%s'", g->name,
                        mt_shown(base_name, b1), mt_shown(text, b2));
    if (!g->n_classes)
        return mt_error(ctx, MT_ENOTFOUND,
                        "%s: unknown allele '%s' (CPIC defines no copy-number alleles for %s)",
                        g->name, mt_shown(text, b1), g->name);
    if (parse_copies(base->name, tmp, sizeof tmp, &k2, &kind2) == 0)
        return mt_error(ctx, MT_EINVAL, "%s: malformed allele '%s' (two copy numbers)", g->name,
                        mt_shown(text, b1));
    if (k < 1 || k > MAX_COPIES || (kind == COPIES_AT_LEAST && k < 2))
        return mt_error(ctx, MT_EINVAL, "%s: copy number in '%s' out of range (1 to %d)", g->name,
                        mt_shown(text, b1), MAX_COPIES);
    if (k == 1) {
        take_listed(r, base);
        return MT_OK;
    }
    if (kind == COPIES_N)
        snprintf(r->name, sizeof r->name, "%sxN", base->name);
    else
        snprintf(r->name, sizeof r->name, "%sx%s%ld", base->name,
                 kind == COPIES_AT_LEAST ? "\xe2\x89\xa5" : "", k);
    const allele *listed = find_allele(g, r->name);
    if (listed) { /* CPIC's own entry for this copy number */
        take_listed(r, listed);
        return MT_OK;
    }
    r->derived = 1;
    if (isnan(base->value)) { /* copies of an uncertain allele stay uncertain */
        r->function = base->function;
        r->value = NAN;
        return MT_OK;
    }
    r->value = (double)k * base->value;
    r->at_least = kind != COPIES_EXACT && base->value > 0;
    const range *c = find_range(g->classes, g->n_classes, r->value);
    r->function = c ? c->text : UNKNOWN_CLASS;
    if (r->at_least && c && !isinf(c->hi))
        r->function = UNKNOWN_CLASS; /* the class depends on the unknown count */
    return MT_OK;
}

static mt_status resolve_allele(const gene *g, mt_ctx *ctx, const char *text, const char *dip,
                                resolved *r)
{
    char b1[MT_SHOWN], b2[MT_SHOWN];
    memset(r, 0, sizeof *r);
    if (g->star && (text[0] != '*' || text[1] == '\0'))
        return mt_error(ctx, MT_EINVAL,
                        "%s: malformed allele '%s' in '%s' (star alleles look like '*1')", g->name,
                        mt_shown(text, b1), mt_shown(dip, b2));
    const allele *a = find_allele(g, text);
    if (!a)
        return resolve_copies(g, ctx, text, r);
    take_listed(r, a);
    return MT_OK;
}

/* Splits "A/B" into two normalised alleles. */
static mt_status split_diplotype(mt_ctx *ctx, const gene *g, const char *dip,
                                 char part[2][ALLELE_BUF])
{
    char b[MT_SHOWN];
    const char *slash = strchr(dip, '/');
    if (!slash)
        return mt_error(ctx, MT_EINVAL, "%s: malformed diplotype '%s' (expected two alleles 'A/B')",
                        g->name, mt_shown(dip, b));
    if (strchr(slash + 1, '/'))
        return mt_error(ctx, MT_EINVAL,
                        "%s: malformed diplotype '%s' (more than two alleles; expected 'A/B')",
                        g->name, mt_shown(dip, b));
    const char *from[2] = {dip, slash + 1};
    size_t len[2] = {(size_t)(slash - dip), strlen(slash + 1)};
    for (int i = 0; i < 2; i++) {
        size_t n = normalise(from[i], len[i], part[i], ALLELE_BUF);
        if (n == ALLELE_BUF)
            return mt_error(ctx, MT_EINVAL, "%s: allele %d of '%s' is too long", g->name, i + 1,
                            mt_shown(dip, b));
        if (n == 0)
            return mt_error(ctx, MT_EINVAL, "%s: malformed diplotype '%s' (empty allele)", g->name,
                            mt_shown(dip, b));
    }
    return MT_OK;
}

static void describe_derived(char *rule, const resolved *r)
{
    char buf[MT_PGX_TEXT + 48];
    if (!r->derived || isnan(r->value))
        return;
    snprintf(buf, sizeof buf, "; %s = %s%g (copies x value)", r->name, r->at_least ? ">=" : "",
             r->value);
    append(rule, MT_PGX_RULE_TEXT, buf);
}

static mt_status activity_phenotype(const gene *g, mt_ctx *ctx, const resolved *r, mt_pgx_call *out)
{
    for (int i = 0; i < 2; i++)
        if (isnan(r[i].value)) {
            char buf[MT_PGX_TEXT + 48];
            snprintf(buf, sizeof buf, "; no activity value for %s (%s)", r[i].name, r[i].function);
            set_text(out->phenotype, sizeof out->phenotype, g->no_value);
            append(out->rule, sizeof out->rule, buf);
            return MT_OK;
        }
    out->activity_score = r[0].value + r[1].value;
    out->activity_score_at_least = r[0].at_least || r[1].at_least;
    const range *bin = find_range(g->bins, g->n_bins, out->activity_score);
    if (out->activity_score_at_least && !(bin && isinf(bin->hi))) {
        /* More copies could move the score into the next bin. */
        set_text(out->phenotype, sizeof out->phenotype, g->no_value);
        append(out->rule, sizeof out->rule,
               "; copy number unknown: the score is only a lower bound");
        return MT_OK;
    }
    if (!bin)
        return mt_error(ctx, MT_ENOTFOUND, "%s: activity score %g falls in no CPIC bin", g->name,
                        out->activity_score);
    set_text(out->phenotype, sizeof out->phenotype, bin->text);
    return MT_OK;
}

static void clear_call(mt_pgx_call *out)
{
    memset(out, 0, sizeof *out);
    out->activity[0] = out->activity[1] = out->activity_score = NAN;
}

mt_status mt_pgx_phenotype(const mt_pgx *p, mt_ctx *ctx, const char *gene_name,
                           const char *diplotype, mt_pgx_call *out)
{
    clear_call(out);
    if (!p || !gene_name || !diplotype)
        return mt_error(ctx, MT_EINVAL, "pgx: NULL argument");
    char gbuf[MT_PGX_TEXT], b[MT_SHOWN];
    size_t gn = normalise(gene_name, strlen(gene_name), gbuf, sizeof gbuf);
    const gene *g = NULL;
    for (size_t i = 0; gn < sizeof gbuf && i < p->n_genes && !g; i++)
        if (ieq(p->genes[i].name, gbuf))
            g = &p->genes[i];
    if (!g)
        return mt_error(ctx, MT_ENOTFOUND, "unknown gene '%s' (supported: %s)",
                        mt_shown(gene_name, b), p->supported);
    char part[2][ALLELE_BUF];
    resolved r[2];
    mt_status st = split_diplotype(ctx, g, diplotype, part);
    for (int i = 0; i < 2 && st == MT_OK; i++)
        st = resolve_allele(g, ctx, part[i], diplotype, &r[i]);
    if (st != MT_OK)
        return st;

    set_text(out->gene, sizeof out->gene, g->name);
    set_text(out->rule, sizeof out->rule, g->rule_text);
    for (int i = 0; i < 2; i++) {
        set_text(out->allele[i], sizeof out->allele[i], r[i].name);
        set_text(out->function[i], sizeof out->function[i], r[i].function);
        out->activity[i] = r[i].value;
        out->activity_at_least[i] = r[i].at_least;
        describe_derived(out->rule, &r[i]);
    }
    if (g->kind == RULE_ACTIVITY_SCORE)
        st = activity_phenotype(g, ctx, r, out);
    else {
        const char *ph = find_pair(g, r[0].function, r[1].function);
        if (ph)
            set_text(out->phenotype, sizeof out->phenotype, ph);
        else
            st = mt_error(ctx, MT_ENOTFOUND, "%s: no CPIC phenotype for '%s' + '%s'", g->name,
                          r[0].function, r[1].function);
    }
    if (st != MT_OK)
        clear_call(out);
    return st;
}
