/* SPDX-License-Identifier: Apache-2.0
 *
 * tests/unit/twin/test_pgx.c — phenotypes derived by CPIC rules (twin/pgx.c).
 *
 *  cpic_table        every row of ../shared/data/pgx/cpic_diplotype_phenotype.csv for the
 *                    supported genes: the derived phenotype is the table's, the activity
 *                    score equals the table's where it has one (NaN where it has none), and
 *                    the reversed diplotype gives the same call. Counts per gene are printed;
 *                    the first 20 mismatches are listed. The table has no CYP2D6 rows: CYP2D6
 *                    is covered by the next two cases.
 *  cyp2d6_bins       a table of CYP2D6 diplotypes, copy-number alleles included, with the
 *                    activity score and CPIC bin worked out by hand, boundaries 0.25, 1.0,
 *                    1.25, 2.25 and 2.5 included.
 *  cyp2d6_copy_rule  CPIC's listed duplications obey copies x value (the rule used for
 *                    unlisted ones), and unlisted copy numbers are valued by it.
 *  spelling          gene case, whitespace, allele case, "×", ">=", allele order.
 *  errors            unknown gene or allele, malformed diplotypes: status and message.
 *  load_errors       a missing data folder; a rule table that misses a function pair.
 *
 * ../shared is found through $MT_SHARED (set by ctest) or ../shared. Without it
 * cpic_table is skipped and, if everything else passed, the program exits 77.
 */
#define _POSIX_C_SOURCE 200809L

#include "harness.h"
#include "medtwin/csv.h"
#include "medtwin/data.h"
#include "medtwin/pgx.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int table_skipped;

static const char *shared_dir(void)
{
    const char *s = getenv("MT_SHARED");
    return (s && *s) ? s : "../shared";
}

/* A context and the bundled tables (data/pgx), or NULL with a failed check. */
static mt_pgx *load(mt_ctx **ctx)
{
    mt_pgx *p = NULL;
    *ctx = NULL;
    if (mt_ctx_create(ctx) != MT_OK)
        return NULL;
    if (mt_pgx_load(*ctx, NULL, &p) != MT_OK)
        printf("load: %s\n", mt_errmsg(*ctx));
    return p;
}

static void unload(mt_ctx *ctx, mt_pgx *p)
{
    mt_pgx_destroy(p);
    mt_ctx_destroy(ctx);
}

static int same_score(double a, double b) { return (isnan(a) && isnan(b)) || fabs(a - b) < 1e-9; }

/* The reversed diplotype "B/A" of "A/B" (no allele contains '/'). */
static void reverse_diplotype(const char *d, char *out, size_t n)
{
    const char *slash = strchr(d, '/');
    snprintf(out, n, "%s/%.*s", slash + 1, (int)(slash - d), d);
}

TEST(cpic_table)
{
    char path[4096];
    mt_ctx *ctx;
    mt_pgx *p = load(&ctx);
    ASSERT_TRUE(p != NULL);
    mt_csv *t = NULL;
    snprintf(path, sizeof path, "%s/data/pgx/cpic_diplotype_phenotype.csv", shared_dir());
    if (mt_csv_read(ctx, path, 0, &t) != MT_OK) {
        printf("skip cpic_table: %s\n", mt_errmsg(ctx));
        table_skipped = 1;
        unload(ctx, p);
        return;
    }
    int cg = mt_csv_col(t, "gene"), cd = mt_csv_col(t, "diplotype");
    int cp = mt_csv_col(t, "phenotype"), ca = mt_csv_col(t, "activity_score");
    ASSERT_TRUE(cg >= 0 && cd >= 0 && cp >= 0 && ca >= 0);
    size_t n_genes = mt_pgx_n_genes(p), checked[32] = {0}, bad[32] = {0}, n_bad = 0;
    ASSERT_TRUE(n_genes == 10);
    for (size_t r = 0; r < mt_csv_n_rows(t); r++) {
        const char *gene = mt_csv_cell(t, r, (size_t)cg), *dip = mt_csv_cell(t, r, (size_t)cd);
        const char *want = mt_csv_cell(t, r, (size_t)cp), *as = mt_csv_cell(t, r, (size_t)ca);
        size_t gi = n_genes;
        for (size_t i = 0; i < n_genes; i++)
            if (strcmp(mt_pgx_gene(p, i), gene) == 0)
                gi = i;
        if (gi == n_genes)
            continue; /* a gene this module does not support */
        char *end;
        double want_as = strtod(as, &end);
        if (!*as || *end)
            want_as = NAN; /* "" or "n/a" */
        mt_pgx_call c, c2;
        char rev[256], why[512] = "";
        mt_status st = mt_pgx_phenotype(p, ctx, gene, dip, &c);
        reverse_diplotype(dip, rev, sizeof rev);
        mt_status st2 = mt_pgx_phenotype(p, ctx, gene, rev, &c2);
        if (st != MT_OK || st2 != MT_OK)
            snprintf(why, sizeof why, "error: %s", mt_errmsg(ctx));
        else if (strcmp(c.phenotype, want) != 0)
            snprintf(why, sizeof why, "phenotype '%s', table '%s' (rule: %s)", c.phenotype, want,
                     c.rule);
        else if (!same_score(c.activity_score, want_as) || c.activity_score_at_least)
            snprintf(why, sizeof why, "activity score %g, table '%s'", c.activity_score, as);
        else if (strcmp(c2.phenotype, c.phenotype) != 0 ||
                 !same_score(c2.activity_score, c.activity_score))
            snprintf(why, sizeof why, "reversed '%s' gives '%s'", rev, c2.phenotype);
        checked[gi]++;
        if (why[0]) {
            bad[gi]++;
            if (n_bad++ < 20)
                printf("mismatch %s %s: %s\n", gene, dip, why);
        }
    }
    size_t total = 0;
    for (size_t i = 0; i < n_genes; i++) {
        printf("%-8s %5zu rows checked, %zu mismatches%s\n", mt_pgx_gene(p, i), checked[i], bad[i],
               checked[i] ? "" : " (no rows in the table; see cyp2d6_bins)");
        total += checked[i];
    }
    printf("total    %5zu rows checked, %zu mismatches\n", total, n_bad);
    mt_csv_destroy(t);
    unload(ctx, p);
    ASSERT_EQ_INT(n_bad, 0);
    /* 11,575 rows less CYP3A4, NUDT15, NAT2, ABCG2 (see the shared README); CYP2B6 1,176 */
    ASSERT_EQ_INT(total, 10018);
}

/* CYP2D6 cases. Allele activity values (data/pgx/cpic_allele_function.csv):
 *   *1 *2 1.0 | *4 *5 0 | *9 *10 *41 0.25 | *17 0.5 | *22 n/a (uncertain)
 *   listed copies: *1x2 *2x2 2.0 | *4x2 *36x2 0 | *9x2 *10x2 *41x2 0.5 | *17x2 1.0 |
 *                  *41x3 0.75 | *1x≥3 ≥3.0
 * CPIC bins (cpic_CYP2D6_activity_score_phenotype.csv): 0 PM | 0.25-1.0 IM |
 *   1.25-2.25 NM | >=2.5 UM. Unlisted copies: k x value; xN: two or more copies. */
typedef struct {
    const char *dip;
    double score; /* NaN: none */
    int at_least;
    const char *phenotype;
} d6_case;

#define PM "Poor Metabolizer"
#define IM "Intermediate Metabolizer"
#define NM "Normal Metabolizer"
#define UM "Ultrarapid Metabolizer"
#define IND "Indeterminate"

static const d6_case d6_cases[] = {
    {"*1/*1", 2.0, 0, NM},       /* 1 + 1 */
    {"*1x2/*1", 3.0, 0, UM},     /* 2 + 1 */
    {"*4/*4", 0.0, 0, PM},       /* 0 + 0 */
    {"*5/*5", 0.0, 0, PM},       /* gene deletion twice */
    {"*4x2/*1", 1.0, 0, IM},     /* 0 + 1: top of IM */
    {"*1/*4", 1.0, 0, IM},       /* 1 + 0: IM since the 2020 consensus */
    {"*10/*10", 0.5, 0, IM},     /* 0.25 + 0.25 */
    {"*4/*10", 0.25, 0, IM},     /* 0 + 0.25: bottom of IM */
    {"*9/*4", 0.25, 0, IM},      /* 0.25 + 0 */
    {"*36x2/*10", 0.25, 0, IM},  /* 0 + 0.25 */
    {"*41/*41", 0.5, 0, IM},     /* 0.25 + 0.25 */
    {"*9x2/*4x2", 0.5, 0, IM},   /* 0.5 + 0 */
    {"*10x2/*10", 0.75, 0, IM},  /* 0.5 + 0.25 */
    {"*41x2/*41x2", 1.0, 0, IM}, /* 0.5 + 0.5 */
    {"*1/*41", 1.25, 0, NM},     /* 1 + 0.25: bottom of NM */
    {"*1/*10", 1.25, 0, NM},     /* 1 + 0.25 */
    {"*1/*17", 1.5, 0, NM},      /* 1 + 0.5 */
    {"*41x3/*1", 1.75, 0, NM},   /* 0.75 + 1 */
    {"*1x2/*4", 2.0, 0, NM},     /* 2 + 0 */
    {"*17x2/*1", 2.0, 0, NM},    /* 1.0 + 1 */
    {"*2x2/*41", 2.25, 0, NM},   /* 2 + 0.25: top of NM */
    {"*1x2/*9x2", 2.5, 0, UM},   /* 2 + 0.5: bottom of UM */
    {"*1x2/*17", 2.5, 0, UM},    /* 2 + 0.5 */
    {"*1x2/*2x2", 4.0, 0, UM},   /* 2 + 2 */
    {"*1x\xe2\x89\xa5"
     "3/*4",
     3.0, 1, UM}, /* >=3.0 + 0 */
    {"*1x\xe2\x89\xa5"
     "3/*41x3",
     3.75, 1, UM},             /* >=3.0 + 0.75 (CPIC: >=3.75, UM) */
    {"*2xN/*1", 3.0, 1, UM},   /* >=2x1 + 1: UM whatever N */
    {"*2xN/*4", 2.0, 1, IND},  /* N=2: 2.0 NM, N=3: 3.0 UM */
    {"*10xN/*1", 1.5, 1, IND}, /* N=2: 1.5 NM, N=6: 2.5 UM */
    {"*4xN/*4", 0.0, 0, PM},   /* 0 for any N */
    {"*10x3/*1", 1.75, 0, NM}, /* unlisted: 3 x 0.25 + 1 */
    {"*10x4/*4", 1.0, 0, IM},  /* unlisted: 4 x 0.25 + 0 */
    {"*1x3/*1", 4.0, 0, UM},   /* unlisted: 3 x 1 + 1 */
    {"*2x5/*4", 5.0, 0, UM},   /* unlisted: 5 x 1 + 0 */
    {"*17x3/*4", 1.5, 0, NM},  /* unlisted: 3 x 0.5 + 0 */
    {"*1x1/*4", 1.0, 0, IM},   /* one copy is the allele itself */
    {"*22/*1", NAN, 0, IND},   /* uncertain function */
    {"*22x2/*1", NAN, 0, IND}, /* copies of an uncertain allele */
};

TEST(cyp2d6_bins)
{
    mt_ctx *ctx;
    mt_pgx *p = load(&ctx);
    ASSERT_TRUE(p != NULL);
    size_t n = sizeof d6_cases / sizeof d6_cases[0], n_bad = 0;
    for (size_t i = 0; i < n; i++) {
        const d6_case *k = &d6_cases[i];
        mt_pgx_call c;
        mt_status st = mt_pgx_phenotype(p, ctx, "CYP2D6", k->dip, &c);
        int ok = st == MT_OK && strcmp(c.phenotype, k->phenotype) == 0 &&
                 same_score(c.activity_score, k->score) && c.activity_score_at_least == k->at_least;
        if (!ok) {
            n_bad++;
            printf("CYP2D6 %s: got %s%g %s [%s], want %s%g %s\n", k->dip,
                   c.activity_score_at_least ? ">=" : "", c.activity_score, c.phenotype,
                   st == MT_OK ? c.rule : mt_errmsg(ctx), k->at_least ? ">=" : "", k->score,
                   k->phenotype);
        }
    }
    printf("CYP2D6   %5zu cases checked, %zu mismatches\n", n, n_bad);
    unload(ctx, p);
    ASSERT_EQ_INT(n_bad, 0);
}

/* One allele's call, by pairing it with *5 (activity 0). */
static int allele_call(mt_pgx *p, mt_ctx *ctx, const char *a, mt_pgx_call *c)
{
    char dip[128];
    snprintf(dip, sizeof dip, "%s/*5", a);
    return mt_pgx_phenotype(p, ctx, "CYP2D6", dip, c) == MT_OK;
}

TEST(cyp2d6_copy_rule)
{
    char path[4096];
    mt_ctx *ctx;
    mt_pgx *p = load(&ctx);
    ASSERT_TRUE(p != NULL);
    mt_csv *t = NULL;
    snprintf(path, sizeof path, "%s/pgx/cpic_allele_function.csv", mt_data_dir());
    ASSERT_EQ_INT(mt_csv_read(ctx, path, 0, &t), MT_OK);
    size_t n_dup = 0, n_bad = 0;
    for (size_t r = 0; r < mt_csv_n_rows(t); r++) {
        const char *name = mt_csv_cell(t, r, 1);
        const char *x = strrchr(name, 'x');
        if (strcmp(mt_csv_cell(t, r, 0), "CYP2D6") != 0 || !x)
            continue;
        /* a listed duplication Bx<k> or Bx≥k: value = k x value(B) (lower bound for ≥) */
        char base[64];
        snprintf(base, sizeof base, "%.*s", (int)(x - name), name);
        const char *kp = x + 1;
        if (strncmp(kp, "\xe2\x89\xa5", 3) == 0)
            kp += 3;
        double k = strtod(kp, NULL);
        mt_pgx_call cb, cd;
        ASSERT_TRUE(allele_call(p, ctx, base, &cb));
        ASSERT_TRUE(allele_call(p, ctx, name, &cd));
        ASSERT_STR_EQ(cd.allele[0], name);
        n_dup++;
        if (!same_score(cd.activity[0], k * cb.activity[0])) {
            n_bad++;
            printf("CYP2D6 %s: listed %g, %g x %s = %g\n", name, cd.activity[0], k, base,
                   k * cb.activity[0]);
        }
    }
    mt_csv_destroy(t);
    printf("CYP2D6 listed copy-number alleles: %zu, %zu off copies x value\n", n_dup, n_bad);
    ASSERT_EQ_INT(n_dup, 21); /* 21 in CPIC v2024-08-27 */
    ASSERT_EQ_INT(n_bad, 0);

    /* Unlisted copy numbers: value and the function class of that value. */
    static const struct {
        const char *allele, *name, *function;
        double value;
        int at_least;
    } cases[] = {
        {"*10x3", "*10x3", "Decreased function", 0.75, 0},
        {"*10x4", "*10x4", "Normal function", 1.0, 0},
        {"*10x5", "*10x5", "Increased function", 1.25, 0},
        {"*2x3", "*2x3", "Increased function", 3.0, 0},
        {"*4x5", "*4x5", "No function", 0.0, 0},
        {"*2xN", "*2xN", "Increased function", 2.0, 1},
        {"*10xN", "*10xN", "Indeterminate", 0.5, 1},
        {"*4xn", "*4xN", "No function", 0.0, 0},
        {"*2x>=3",
         "*2x\xe2\x89\xa5"
         "3",
         "Increased function", 3.0, 1},
        {"*1X2", "*1x2", "Increased function", 2.0, 0},
        {"*1\xc3\x97"
         "2",
         "*1x2", "Increased function", 2.0, 0},
        {"*22x3", "*22x3", "Uncertain function", NAN, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mt_pgx_call c;
        ASSERT_TRUE(allele_call(p, ctx, cases[i].allele, &c));
        ASSERT_STR_EQ(c.allele[0], cases[i].name);
        ASSERT_STR_EQ(c.function[0], cases[i].function);
        ASSERT_TRUE(same_score(c.activity[0], cases[i].value));
        ASSERT_EQ_INT(c.activity_at_least[0], cases[i].at_least);
    }
    unload(ctx, p);
}

TEST(spelling)
{
    mt_ctx *ctx;
    mt_pgx *p = load(&ctx);
    ASSERT_TRUE(p != NULL);
    mt_pgx_call c;
    ASSERT_EQ_INT(mt_pgx_phenotype(p, ctx, " cyp2c19 ", "  *17 /\t*1  ", &c), MT_OK);
    ASSERT_STR_EQ(c.gene, "CYP2C19");
    ASSERT_STR_EQ(c.allele[0], "*17");
    ASSERT_STR_EQ(c.allele[1], "*1");
    ASSERT_STR_EQ(c.function[0], "Increased function");
    ASSERT_STR_EQ(c.phenotype, "Rapid Metabolizer");
    ASSERT_TRUE(isnan(c.activity_score) && isnan(c.activity[0]));
    ASSERT_TRUE(strstr(c.rule, "CYP2C19") != NULL);

    ASSERT_EQ_INT(
        mt_pgx_phenotype(p, ctx, "VKORC1", "rs9923231  REFERENCE (C)/rs9923231 variant (T)", &c),
        MT_OK);
    ASSERT_STR_EQ(c.allele[0], "rs9923231 reference (C)");
    ASSERT_STR_EQ(c.function[1], "Higher coumarin sensitivity");
    ASSERT_STR_EQ(c.phenotype, "-1639 AG");

    ASSERT_EQ_INT(mt_pgx_phenotype(p, ctx, "dpyd", "reference / c.1905+1G>A (*2A)", &c), MT_OK);
    ASSERT_STR_EQ(c.allele[0], "Reference");
    ASSERT_STR_EQ(c.allele[1], "c.1905+1G>A (*2A)");
    ASSERT_NEAR(c.activity_score, 1.0, 1e-12);
    ASSERT_STR_EQ(c.phenotype, "Intermediate Metabolizer");

    ASSERT_EQ_INT(
        mt_pgx_phenotype(p, ctx, "DPYD", "c.1129-5923C>G,  c.1236G>A (HapB3)/Reference", &c),
        MT_OK);
    ASSERT_NEAR(c.activity[0], 0.5, 1e-12);
    ASSERT_STR_EQ(c.phenotype, "Intermediate Metabolizer");

    ASSERT_EQ_INT(mt_pgx_phenotype(p, ctx, "CYP2C9", "*1/*3", &c), MT_OK);
    ASSERT_NEAR(c.activity_score, 1.0, 1e-12);
    ASSERT_STR_EQ(c.phenotype, "Intermediate Metabolizer");

    ASSERT_EQ_INT(mt_pgx_phenotype(p, ctx, "UGT1A1", "*80+*28/*1", &c), MT_OK);
    ASSERT_STR_EQ(c.phenotype, "Intermediate Metabolizer");
    ASSERT_EQ_INT(mt_pgx_phenotype(p, ctx, "tpmt", "*3a/*1", &c), MT_OK);
    ASSERT_STR_EQ(c.allele[0], "*3A");
    ASSERT_STR_EQ(c.phenotype, "Intermediate Metabolizer");
    ASSERT_EQ_INT(mt_pgx_phenotype(p, ctx, "SLCO1B1", "*5/*15", &c), MT_OK);
    ASSERT_STR_EQ(c.phenotype, "Poor Function");
    ASSERT_EQ_INT(mt_pgx_phenotype(p, ctx, "CYP3A5", "*3/*3", &c), MT_OK);
    ASSERT_STR_EQ(c.phenotype, "Poor Metabolizer");

    /* a derived copy number is named in the rule text */
    ASSERT_EQ_INT(mt_pgx_phenotype(p, ctx, "CYP2D6", "*1 x3/*1", &c), MT_OK);
    ASSERT_STR_EQ(c.allele[0], "*1x3");
    ASSERT_TRUE(strstr(c.rule, "*1x3 = 3") != NULL);
    unload(ctx, p);
}

typedef struct {
    const char *gene, *dip;
    mt_status st;
    const char *fragment;
} err_case;

static const err_case err_cases[] = {
    {"FOO", "*1/*1", MT_ENOTFOUND, "unknown gene 'FOO' (supported: CYP2D6, CYP2C9, "},
    {"NUDT15", "*1/*1", MT_ENOTFOUND, "unknown gene 'NUDT15'"},
    {"CYP2C19", "*1/*99", MT_ENOTFOUND, "CYP2C19: unknown allele '*99'"},
    {"DPYD", "Reference/c.9999A>G", MT_ENOTFOUND, "DPYD: unknown allele 'c.9999A>G'"},
    {"VKORC1", "C/T", MT_ENOTFOUND, "VKORC1: unknown allele 'C'"},
    {"CYP2D6", "*999x2/*1", MT_ENOTFOUND, "CYP2D6: unknown allele '*999' in '*999x2'"},
    {"CYP2C19", "*1x2/*1", MT_ENOTFOUND, "no copy-number alleles for CYP2C19"},
    {"CYP2D6", "*1", MT_EINVAL, "CYP2D6: malformed diplotype '*1'"},
    {"CYP2D6", "*1/", MT_EINVAL, "malformed diplotype '*1/' (empty allele)"},
    {"CYP2D6", " / ", MT_EINVAL, "(empty allele)"},
    {"CYP2D6", "1/2", MT_EINVAL, "malformed allele '1' in '1/2'"},
    {"CYP2C19", "*/*1", MT_EINVAL, "malformed allele '*'"},
    {"CYP2D6", "", MT_EINVAL, "malformed diplotype ''"},
    {"CYP2D6", "*1/*2/*3", MT_EINVAL, "'*1/*2/*3' (more than two alleles"},
    {"CYP2D6", "*1x0/*1", MT_EINVAL, "copy number in '*1x0' out of range"},
    {"CYP2D6", "*1x21/*1", MT_EINVAL, "copy number in '*1x21' out of range"},
    {"CYP2D6", "*1x2x2/*1", MT_EINVAL, "'*1x2x2' (two copy numbers)"},
};

TEST(errors)
{
    mt_ctx *ctx;
    mt_pgx *p = load(&ctx);
    ASSERT_TRUE(p != NULL);
    for (size_t i = 0; i < sizeof err_cases / sizeof err_cases[0]; i++) {
        const err_case *k = &err_cases[i];
        mt_pgx_call c;
        mt_status st = mt_pgx_phenotype(p, ctx, k->gene, k->dip, &c);
        if (st != k->st || !strstr(mt_errmsg(ctx), k->fragment))
            printf("%s '%s': status %d '%s', want %d '...%s...'\n", k->gene, k->dip, (int)st,
                   mt_errmsg(ctx), (int)k->st, k->fragment);
        ASSERT_EQ_INT(st, k->st);
        ASSERT_TRUE(strstr(mt_errmsg(ctx), k->fragment) != NULL);
        ASSERT_STR_EQ(c.phenotype, "");
        ASSERT_TRUE(isnan(c.activity_score));
    }
    mt_pgx_call c;
    ASSERT_EQ_INT(mt_pgx_phenotype(p, ctx, NULL, "*1/*1", &c), MT_EINVAL);
    ASSERT_EQ_INT(mt_pgx_phenotype(p, ctx, "CYP2D6", NULL, &c), MT_EINVAL);
    char longer[400];
    memset(longer, 'a', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    longer[0] = '*';
    longer[200] = '/';
    ASSERT_EQ_INT(mt_pgx_phenotype(p, ctx, "CYP2D6", longer, &c), MT_EINVAL);
    ASSERT_EQ_INT(mt_pgx_phenotype(p, ctx, longer, "*1/*1", &c), MT_ENOTFOUND);
    unload(ctx, p);
}

static int write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return 0;
    fputs(text, f);
    return fclose(f) == 0;
}

TEST(load_errors)
{
    mt_ctx *ctx;
    mt_pgx *p = NULL;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    ASSERT_EQ_INT(mt_pgx_load(ctx, "/nonexistent-medtwin-data", &p), MT_EIO);
    ASSERT_TRUE(p == NULL);

    /* A CYP3A5 rule without the (unknown, unknown) pair is refused at load. */
    const char *tmp = getenv("TMPDIR");
    char dir[512], sub[600], file[700];
    snprintf(dir, sizeof dir, "%s/mt_pgx_XXXXXX", (tmp && *tmp) ? tmp : "/tmp");
    ASSERT_TRUE(mkdtemp(dir) != NULL);
    snprintf(sub, sizeof sub, "%s/pgx", dir);
    ASSERT_EQ_INT(mkdir(sub, 0700), 0);
    snprintf(file, sizeof file, "%s/pgx_gene_rules.csv", sub);
    ASSERT_TRUE(write_file(file, "gene,rule,table,no_value_phenotype,copy_number_functions,"
                                 "rule_text,source\n"
                                 "CYP3A5,function_pair,pairs.csv,,,test,test\n"));
    snprintf(file, sizeof file, "%s/cpic_allele_function.csv", sub);
    ASSERT_TRUE(write_file(file, "gene,allele,function,activity_value,source\n"
                                 "CYP3A5,*1,Normal function,,t\n"
                                 "CYP3A5,*8,Unknown function,,t\n"));
    snprintf(file, sizeof file, "%s/pairs.csv", sub);
    ASSERT_TRUE(write_file(file, "gene,function_1,function_2,phenotype,source\n"
                                 "CYP3A5,Normal function,Normal function,Normal Metabolizer,t\n"
                                 "CYP3A5,Normal function,Unknown function,Possible IM,t\n"));
    mt_status st = mt_pgx_load(ctx, dir, &p);
    printf("incomplete rule: %s\n", mt_errmsg(ctx));
    ASSERT_EQ_INT(st, MT_EPARSE);
    ASSERT_TRUE(strstr(mt_errmsg(ctx), "no CYP3A5 phenotype for 'Unknown function'") != NULL);

    /* With the pair added it loads, and the rule works. */
    ASSERT_TRUE(write_file(file, "gene,function_1,function_2,phenotype,source\n"
                                 "CYP3A5,Normal function,Normal function,Normal Metabolizer,t\n"
                                 "CYP3A5,Normal function,Unknown function,Possible IM,t\n"
                                 "CYP3A5,Unknown function,Unknown function,Indeterminate,t\n"));
    ASSERT_EQ_INT(mt_pgx_load(ctx, dir, &p), MT_OK);
    mt_pgx_call c;
    ASSERT_EQ_INT(mt_pgx_phenotype(p, ctx, "CYP3A5", "*8/*1", &c), MT_OK);
    ASSERT_STR_EQ(c.phenotype, "Possible IM");
    mt_pgx_destroy(p);

    const char *names[] = {"pgx_gene_rules.csv", "cpic_allele_function.csv", "pairs.csv"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(file, sizeof file, "%s/%s", sub, names[i]);
        unlink(file);
    }
    rmdir(sub);
    rmdir(dir);
    mt_ctx_destroy(ctx);
}

int main(void)
{
    static const mt_test_case cases[] = {
        TEST_ENTRY(cpic_table), TEST_ENTRY(cyp2d6_bins), TEST_ENTRY(cyp2d6_copy_rule),
        TEST_ENTRY(spelling),   TEST_ENTRY(errors),      TEST_ENTRY(load_errors),
    };
    int rc = mt_run_(cases, sizeof cases / sizeof cases[0]);
    if (rc == 0 && table_skipped) {
        printf("skipped: ../shared not found (set MT_SHARED)\n");
        return 77;
    }
    return rc;
}
