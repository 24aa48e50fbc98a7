/* SPDX-License-Identifier: Apache-2.0
 *
 * tests/unit/therapy/test_risk.c — the risk rules (therapy/risk.c): the shipped tables load;
 * a CYP2C19 poor metabolizer on clopidogrel gets CPIC's recommendation; a CYP2D6 normal
 * metabolizer on codeine with paroxetine (a strong CYP2D6 inhibitor) is phenoconverted to a
 * poor metabolizer and gets the poor metabolizer's recommendation, saying so; fluvoxamine with
 * omeprazole gives a CYP2C19 interaction warning; a normal metabolizer on nothing gets
 * nothing; exposure against theophylline's therapeutic range; the loader refuses bad rows
 * naming file:line:column.
 */
#include "harness.h"
#include "medtwin/drugcard.h"
#include "medtwin/risk.h"

#include <math.h>
#include <string.h>

static mt_ctx *ctx;
static mt_risk_rules *rules;

static int contains(const char *hay, const char *needle)
{
    return hay && needle && strstr(hay, needle) != NULL;
}
#define ASSERT_CONTAINS(hay, needle)                                                               \
    ASSERT_TRUE(mt_check_(contains((hay), (needle)), __FILE__, __LINE__,                           \
                          "'%s' does not contain '%s'", (hay) ? (hay) : "(null)", (needle)))

static mt_risk_drug drug(const char *name, const mt_drugcard *card)
{
    mt_risk_drug d = {name, card, NAN, NAN, NAN};
    return d;
}

/* The first warning of a kind for a drug, NULL if none. */
static const mt_risk_warning *find(const mt_risk_report *rep, mt_risk_kind k, const char *drug)
{
    for (size_t i = 0; i < rep->n_warnings; i++)
        if (rep->warnings[i].kind == k && !strcmp(rep->warnings[i].drug, drug))
            return &rep->warnings[i];
    return NULL;
}

static size_t count(const mt_risk_report *rep, mt_risk_kind k)
{
    size_t n = 0;
    for (size_t i = 0; i < rep->n_warnings; i++)
        n += rep->warnings[i].kind == k;
    return n;
}

TEST(load_shipped_rules)
{
    ASSERT_TRUE(rules != NULL);
    ASSERT_TRUE(mt_risk_rules_count(rules, MT_RISK_TABLE_PGX) >= 10);
    ASSERT_TRUE(mt_risk_rules_count(rules, MT_RISK_TABLE_INHIBITORS) >= 5);
    ASSERT_TRUE(mt_risk_rules_count(rules, MT_RISK_TABLE_PHENOCONVERSION) >= 1);
    ASSERT_STR_EQ(mt_risk_table_file(MT_RISK_TABLE_INHIBITORS), "inhibitors.csv");
    ASSERT_STR_EQ(mt_risk_kind_name(MT_RISK_PHENOCONVERSION), "phenoconversion");
    ASSERT_STR_EQ(mt_risk_severity_name(MT_RISK_HIGH), "high");
}

TEST(cyp2c19_pm_clopidogrel)
{
    mt_risk_phenotype ph[] = {{"CYP2C19", "Poor Metabolizer"}};
    mt_risk_drug d[] = {drug("clopidogrel", NULL)};
    mt_risk_report rep;
    ASSERT_EQ_INT(mt_risk_evaluate(rules, ctx, 1, ph, 1, d, &rep), MT_OK);
    const mt_risk_warning *w = find(&rep, MT_RISK_PGX, "clopidogrel");
    int ok = w && w->severity == MT_RISK_HIGH && contains(w->message, "Avoid clopidogrel") &&
             contains(w->message, "Strong") && contains(w->source, "Lee CR") &&
             !strcmp(w->gene, "CYP2C19") && !strcmp(w->phenotype, "Poor Metabolizer") &&
             count(&rep, MT_RISK_PHENOCONVERSION) == 0 && !contains(w->message, "phenoconversion");
    /* no card: noted, not an error */
    ok = ok && rep.n_notes == 1 && contains(rep.notes[0], "no drug card");
    mt_risk_report_free(&rep);
    ASSERT_TRUE(ok);
    /* a normal metabolizer gets no clopidogrel warning */
    mt_risk_phenotype nm[] = {{"CYP2C19", "Normal Metabolizer"}};
    ASSERT_EQ_INT(mt_risk_evaluate(rules, ctx, 1, nm, 1, d, &rep), MT_OK);
    ok = rep.n_warnings == 0;
    mt_risk_report_free(&rep);
    ASSERT_TRUE(ok);
}

TEST(cyp2d6_nm_codeine_paroxetine_phenoconversion)
{
    mt_drugcard *parox = NULL, *cod = NULL;
    ASSERT_EQ_INT(mt_drugcard_load(ctx, NULL, "paroxetine", &parox), MT_OK);
    ASSERT_EQ_INT(mt_drugcard_load(ctx, NULL, "codeine", &cod), MT_OK);
    mt_risk_phenotype ph[] = {{"CYP2D6", "Normal Metabolizer"}};
    mt_risk_drug d[] = {drug("codeine", cod), drug("paroxetine", parox)};
    mt_risk_report rep;
    mt_status st = mt_risk_evaluate(rules, ctx, 1, ph, 2, d, &rep);
    const mt_risk_warning *pc = find(&rep, MT_RISK_PHENOCONVERSION, "paroxetine");
    const mt_risk_warning *w = find(&rep, MT_RISK_PGX, "codeine");
    int ok = st == MT_OK && pc && w && !strcmp(pc->gene, "CYP2D6") &&
             !strcmp(pc->phenotype, "Poor Metabolizer") && contains(pc->source, "Cicali") &&
             !strcmp(w->phenotype, "Poor Metabolizer") && contains(w->message, "phenoconversion") &&
             contains(w->message, "paroxetine") && contains(w->message, "diminished analgesia") &&
             !strcmp(w->perpetrator, "paroxetine") && contains(w->source, "Crews KR") &&
             contains(w->source, "Cicali") && rep.n_effective == 1 &&
             !strcmp(rep.effective[0].genotype_phenotype, "Normal Metabolizer") &&
             !strcmp(rep.effective[0].effective, "Poor Metabolizer") &&
             !strcmp(rep.effective[0].perpetrator, "paroxetine");
    mt_risk_report_free(&rep);
    ASSERT_TRUE(ok);
    /* the same person without paroxetine: normal metabolizer, no codeine warning */
    ASSERT_EQ_INT(mt_risk_evaluate(rules, ctx, 1, ph, 1, d, &rep), MT_OK);
    ok = rep.n_warnings == 0 && !strcmp(rep.effective[0].effective, "Normal Metabolizer");
    mt_risk_report_free(&rep);
    ASSERT_TRUE(ok);
    /* no CYP2D6 genotype at all: a strong inhibitor still converts */
    ASSERT_EQ_INT(mt_risk_evaluate(rules, ctx, 0, NULL, 2, d, &rep), MT_OK);
    w = find(&rep, MT_RISK_PGX, "codeine");
    ok = w && contains(w->message, "genotype: not given") && rep.n_effective == 1 &&
         !strcmp(rep.effective[0].genotype_phenotype, "");
    mt_risk_report_free(&rep);
    mt_drugcard_destroy(parox);
    mt_drugcard_destroy(cod);
    ASSERT_TRUE(ok);
}

TEST(omeprazole_fluvoxamine_interaction)
{
    mt_drugcard *ome = NULL, *flv = NULL;
    ASSERT_EQ_INT(mt_drugcard_load(ctx, NULL, "omeprazole", &ome), MT_OK);
    ASSERT_EQ_INT(mt_drugcard_load(ctx, NULL, "fluvoxamine", &flv), MT_OK);
    mt_risk_drug d[] = {drug("omeprazole", ome), drug("fluvoxamine", flv)};
    mt_risk_report rep;
    mt_status st = mt_risk_evaluate(rules, ctx, 0, NULL, 2, d, &rep);
    const mt_risk_warning *w = find(&rep, MT_RISK_INTERACTION, "omeprazole");
    int ok = st == MT_OK && w && !strcmp(w->perpetrator, "fluvoxamine") &&
             w->severity == MT_RISK_HIGH && contains(w->message, "CYP2C19") &&
             contains(w->message, "may rise") && contains(w->source, "FDA") &&
             contains(w->source, "omeprazole");
    /* fluvoxamine is not its own victim */
    ok = ok && !find(&rep, MT_RISK_INTERACTION, "fluvoxamine");
    /* strong CYP2C19 inhibition also converts CYP2C19 (no genotype given) to PM, and
     * omeprazole's PM recommendation follows */
    const mt_risk_warning *p = find(&rep, MT_RISK_PGX, "omeprazole");
    ok = ok && p && contains(p->message, "50% reduction") && contains(p->source, "Lima JJ");
    mt_risk_report_free(&rep);
    mt_drugcard_destroy(ome);
    mt_drugcard_destroy(flv);
    ASSERT_TRUE(ok);
}

/* CYP3A5 and tacrolimus: the expresser (normal metabolizer) is the one who needs the change */
TEST(cyp3a5_tacrolimus)
{
    mt_risk_drug d[] = {drug("tacrolimus", NULL)};
    mt_risk_phenotype nm[] = {{"CYP3A5", "Normal Metabolizer"}};
    mt_risk_phenotype pm[] = {{"CYP3A5", "Poor Metabolizer"}};
    mt_risk_report rep;
    ASSERT_EQ_INT(mt_risk_evaluate(rules, ctx, 1, nm, 1, d, &rep), MT_OK);
    const mt_risk_warning *w = find(&rep, MT_RISK_PGX, "tacrolimus");
    int ok = w && w->severity == MT_RISK_MODERATE && contains(w->message, "1.5 to 2 times") &&
             contains(w->source, "Birdwell KA");
    mt_risk_report_free(&rep);
    ASSERT_TRUE(ok);
    ASSERT_EQ_INT(mt_risk_evaluate(rules, ctx, 1, pm, 1, d, &rep), MT_OK);
    ok = rep.n_warnings == 0;
    mt_risk_report_free(&rep);
    ASSERT_TRUE(ok);
}

TEST(nm_on_nothing)
{
    mt_risk_phenotype ph[] = {{"CYP2D6", "Normal Metabolizer"},
                              {"CYP2C19", "Normal Metabolizer"},
                              {"SLCO1B1", "Normal Function"}};
    mt_risk_report rep;
    ASSERT_EQ_INT(mt_risk_evaluate(rules, ctx, 3, ph, 0, NULL, &rep), MT_OK);
    int ok = rep.n_warnings == 0 && rep.n_notes == 0 && rep.n_effective == 3 &&
             !strcmp(rep.effective[1].effective, "Normal Metabolizer") &&
             !strcmp(rep.effective[1].perpetrator, "");
    mt_risk_report_free(&rep);
    ASSERT_TRUE(ok);
}

TEST(exposure_against_the_card_range)
{
    mt_drugcard *th = NULL, *ome = NULL;
    ASSERT_EQ_INT(mt_drugcard_load(ctx, NULL, "theophylline", &th), MT_OK);
    ASSERT_EQ_INT(mt_drugcard_load(ctx, NULL, "omeprazole", &ome), MT_OK);
    /* theophylline's card: 10-15 mg/L, toxic above 20 */
    mt_risk_drug d[] = {{"theophylline", th, 24.0, 8.0, 300.0}, {"omeprazole", ome, 1, 0, 2}};
    mt_risk_report rep;
    mt_status st = mt_risk_evaluate(rules, ctx, 0, NULL, 2, d, &rep);
    int ok = st == MT_OK && count(&rep, MT_RISK_EXPOSURE) == 2 &&
             rep.warnings[0].severity == MT_RISK_HIGH &&
             contains(rep.warnings[0].message, "toxic threshold 20") &&
             contains(rep.warnings[1].message, "below") &&
             contains(rep.warnings[0].source, "therapeutic_range") && rep.n_notes == 1 &&
             contains(rep.notes[0], "omeprazole: no therapeutic range on the card");
    mt_risk_report_free(&rep);
    ASSERT_TRUE(ok);
    /* within the range: nothing */
    d[0].cmax = 14;
    d[0].ctrough = 11;
    ASSERT_EQ_INT(mt_risk_evaluate(rules, ctx, 0, NULL, 1, d, &rep), MT_OK);
    ok = rep.n_warnings == 0 && rep.n_notes == 0;
    mt_risk_report_free(&rep);
    /* not predicted: a note */
    d[0].cmax = d[0].ctrough = NAN;
    ASSERT_EQ_INT(mt_risk_evaluate(rules, ctx, 0, NULL, 1, d, &rep), MT_OK);
    ok = ok && rep.n_warnings == 0 && rep.n_notes == 1 && contains(rep.notes[0], "not predicted");
    mt_risk_report_free(&rep);
    mt_drugcard_destroy(th);
    mt_drugcard_destroy(ome);
    ASSERT_TRUE(ok);
}

/* A card process the twin does not represent (its transport) gives a "model" warning, once per
 * drug; a card without one gives none. */
TEST(model_gap_transport)
{
    mt_drugcard *dig = NULL, *mdz = NULL, *rif = NULL, *ery = NULL;
    ASSERT_EQ_INT(mt_drugcard_load(ctx, NULL, "digoxin", &dig), MT_OK);
    ASSERT_EQ_INT(mt_drugcard_load(ctx, NULL, "midazolam", &mdz), MT_OK);
    ASSERT_EQ_INT(mt_drugcard_load(ctx, NULL, "rifampicin", &rif), MT_OK);
    ASSERT_EQ_INT(mt_drugcard_load(ctx, NULL, "erythromycin", &ery), MT_OK);
    mt_risk_drug d[] = {{"digoxin", dig, NAN, NAN, NAN},
                        {"midazolam", mdz, NAN, NAN, NAN},
                        {"digoxin", dig, NAN, NAN, NAN},
                        {"rifampicin", rif, NAN, NAN, NAN},
                        {"erythromycin", ery, NAN, NAN, NAN}};
    mt_risk_report rep;
    mt_status st = mt_risk_evaluate(rules, ctx, 0, NULL, 5, d, &rep);
    const mt_risk_warning *w = st == MT_OK ? find(&rep, MT_RISK_MODEL, "digoxin") : NULL;
    const mt_risk_warning *r = st == MT_OK ? find(&rep, MT_RISK_MODEL, "rifampicin") : NULL;
    const mt_risk_warning *e = st == MT_OK ? find(&rep, MT_RISK_MODEL, "erythromycin") : NULL;
    /* digoxin's P-gp is efflux only: no uptake clause; rifampicin's OATP1B1 uptake is in the
     * twin (cells.c), so only its P-gp is a gap; erythromycin's OATP1B1 is not (its cells are
     * not represented): the uptake clause */
    int ok =
        st == MT_OK && count(&rep, MT_RISK_MODEL) == 3 && w && w->severity == MT_RISK_MODERATE &&
        contains(w->message, "transport by P-gp") && !contains(w->message, "OATP uptake") &&
        contains(w->message, "not predicted") && contains(w->source, "elimination.transport") &&
        !strcmp(mt_risk_kind_name(w->kind), "model") && !find(&rep, MT_RISK_MODEL, "midazolam") &&
        r && contains(r->message, "transport by P-gp (") && !contains(r->message, "OATP") && e &&
        contains(e->message, "OATP1B1") && contains(e->message, "OATP uptake");
    mt_risk_report_free(&rep);
    mt_drugcard_destroy(dig);
    mt_drugcard_destroy(mdz);
    mt_drugcard_destroy(rif);
    mt_drugcard_destroy(ery);
    ASSERT_TRUE(ok);
}

TEST(bad_evaluate_arguments)
{
    mt_risk_report rep;
    mt_risk_phenotype twice[] = {{"CYP2D6", "Poor Metabolizer"}, {"CYP2D6", "Normal Metabolizer"}};
    ASSERT_EQ_INT(mt_risk_evaluate(rules, ctx, 2, twice, 0, NULL, &rep), MT_EINVAL);
    ASSERT_CONTAINS(mt_errmsg(ctx), "CYP2D6 given twice");
    ASSERT_EQ_INT(rep.n_warnings, 0);
    mt_risk_drug noname[] = {{NULL, NULL, NAN, NAN, NAN}};
    ASSERT_EQ_INT(mt_risk_evaluate(rules, ctx, 0, NULL, 1, noname, &rep), MT_EINVAL);
    ASSERT_EQ_INT(mt_risk_evaluate(NULL, ctx, 0, NULL, 0, NULL, &rep), MT_EINVAL);
}

/* Parses one table from text (the others from data/rules); returns the status. */
static mt_status parse_one(mt_risk_table t, const char *text)
{
    const char *texts[MT_RISK_N_TABLES] = {NULL, NULL, NULL};
    size_t lens[MT_RISK_N_TABLES] = {0, 0, 0};
    const char *names[MT_RISK_N_TABLES] = {"t.csv", "t.csv", "t.csv"};
    texts[t] = text;
    lens[t] = strlen(text);
    mt_risk_rules *r = NULL;
    mt_status st = mt_risk_rules_parse(ctx, NULL, texts, lens, names, &r);
    if (st == MT_OK && !r)
        st = MT_EINVAL;
    if (st != MT_OK && r)
        st = MT_EINVAL;
    mt_risk_rules_destroy(r);
    return st;
}

#define PGX_HEAD "gene,phenotype,drug,action,recommendation,classification,source\n"
#define INH_HEAD "perpetrator,enzyme,effect,strength,source\n"
#define PC_HEAD "gene,enzyme,strength,from_phenotype,to_phenotype,source\n"

TEST(loader_is_strict)
{
    ASSERT_EQ_INT(parse_one(MT_RISK_TABLE_PGX, PGX_HEAD "CYP2C19,Poor Metabolizer,clopidogrel,"
                                                        "avoid,Avoid.,Strong,src\n"),
                  MT_OK);
    ASSERT_EQ_INT(parse_one(MT_RISK_TABLE_PGX, PGX_HEAD "CYP2C19,Poor Metabolizer,clopidogrel,"
                                                        "avoid,Avoid.,Strong,\n"),
                  MT_EPARSE);
    ASSERT_CONTAINS(mt_errmsg(ctx), "t.csv:2:7: row without a source");
    ASSERT_EQ_INT(parse_one(MT_RISK_TABLE_PGX, PGX_HEAD "NUDT15,Poor Metabolizer,mercaptopurine,"
                                                        "avoid,Avoid.,Strong,src\n"),
                  MT_EPARSE);
    ASSERT_CONTAINS(mt_errmsg(ctx), "t.csv:2:1: unknown gene 'NUDT15'");
    ASSERT_EQ_INT(parse_one(MT_RISK_TABLE_PGX, PGX_HEAD "CYP2C19,Poor Function,clopidogrel,"
                                                        "avoid,Avoid.,Strong,src\n"),
                  MT_EPARSE);
    ASSERT_CONTAINS(mt_errmsg(ctx), "t.csv:2:2: unknown phenotype 'Poor Function' for CYP2C19");
    ASSERT_EQ_INT(parse_one(MT_RISK_TABLE_PGX, PGX_HEAD "CYP2C19,Poor Metabolizer,Clopidogrel,"
                                                        "avoid,Avoid.,Strong,src\n"),
                  MT_EPARSE);
    ASSERT_CONTAINS(mt_errmsg(ctx), "t.csv:2:3:");
    ASSERT_EQ_INT(parse_one(MT_RISK_TABLE_PGX, PGX_HEAD "CYP2C19,Poor Metabolizer,clopidogrel,"
                                                        "stop,Avoid.,Strong,src\n"),
                  MT_EPARSE);
    ASSERT_CONTAINS(mt_errmsg(ctx), "t.csv:2:4: unknown action 'stop'");
    ASSERT_EQ_INT(parse_one(MT_RISK_TABLE_PGX, PGX_HEAD "CYP2C19,Poor Metabolizer,clopidogrel,"
                                                        "avoid,Avoid.,Weak,src\n"),
                  MT_EPARSE);
    ASSERT_CONTAINS(mt_errmsg(ctx), "t.csv:2:6: unknown classification 'Weak'");
    ASSERT_EQ_INT(parse_one(MT_RISK_TABLE_PGX,
                            PGX_HEAD "CYP2C19,Poor Metabolizer,clopidogrel,avoid,A.,Strong,s\n"
                                     "CYP2C19,Poor Metabolizer,clopidogrel,avoid,B.,Strong,s\n"),
                  MT_EPARSE);
    ASSERT_CONTAINS(mt_errmsg(ctx), "t.csv:3:1: duplicate rule");
    ASSERT_EQ_INT(parse_one(MT_RISK_TABLE_PGX, "gene,phenotype,drug\nCYP2C19,x,y\n"), MT_EPARSE);
    ASSERT_CONTAINS(mt_errmsg(ctx), "t.csv:1:1: missing column 'action'");

    ASSERT_EQ_INT(parse_one(MT_RISK_TABLE_INHIBITORS, INH_HEAD "paroxetine,CYP2D6,inhibitor,strong,"
                                                               "src\n"),
                  MT_OK);
    ASSERT_EQ_INT(parse_one(MT_RISK_TABLE_INHIBITORS, INH_HEAD "paroxetine,CYP9Z9,inhibitor,strong,"
                                                               "src\n"),
                  MT_EPARSE);
    ASSERT_CONTAINS(mt_errmsg(ctx), "t.csv:2:2: unknown enzyme 'CYP9Z9'");
    ASSERT_EQ_INT(parse_one(MT_RISK_TABLE_INHIBITORS, INH_HEAD "paroxetine,CYP2D6,inhibitor,huge,"
                                                               "src\n"),
                  MT_EPARSE);
    ASSERT_CONTAINS(mt_errmsg(ctx), "t.csv:2:4: unknown strength 'huge'");
    ASSERT_EQ_INT(parse_one(MT_RISK_TABLE_INHIBITORS, INH_HEAD "paroxetine,CYP2D6,blocker,strong,"
                                                               "src\n"),
                  MT_EPARSE);
    ASSERT_EQ_INT(parse_one(MT_RISK_TABLE_INHIBITORS, INH_HEAD "paroxetine,CYP2D6,inhibitor,strong,"
                                                               "\n"),
                  MT_EPARSE);
    ASSERT_CONTAINS(mt_errmsg(ctx), "t.csv:2:5: row without a source");

    ASSERT_EQ_INT(parse_one(MT_RISK_TABLE_PHENOCONVERSION,
                            PC_HEAD "CYP2D6,CYP2D6,strong,any,Poor Metabolizer,src\n"),
                  MT_OK);
    ASSERT_EQ_INT(parse_one(MT_RISK_TABLE_PHENOCONVERSION,
                            PC_HEAD "CYP2D6,CYP2D6,strong,any,Slow Metabolizer,src\n"),
                  MT_EPARSE);
    ASSERT_CONTAINS(mt_errmsg(ctx), "t.csv:2:5: unknown phenotype 'Slow Metabolizer' for CYP2D6");
    ASSERT_EQ_INT(parse_one(MT_RISK_TABLE_PHENOCONVERSION,
                            PC_HEAD "CYP2D6,CYP2D6,strong,Fast,Poor Metabolizer,src\n"),
                  MT_EPARSE);
    ASSERT_CONTAINS(mt_errmsg(ctx), "t.csv:2:4:");
    /* a CSV-level error (unterminated quote) is a parse error too */
    ASSERT_EQ_INT(parse_one(MT_RISK_TABLE_PHENOCONVERSION, PC_HEAD "\"CYP2D6,CYP2D6\n"), MT_EPARSE);
    /* a data folder without rules */
    mt_risk_rules *r = NULL;
    ASSERT_EQ_INT(mt_risk_rules_load(ctx, "/nonexistent-medtwin-data", &r), MT_EIO);
    ASSERT_TRUE(r == NULL);
}

static void setup(void)
{
    if (mt_ctx_create(&ctx) != MT_OK || mt_risk_rules_load(ctx, NULL, &rules) != MT_OK)
        printf("# setup failed: %s\n", ctx ? mt_errmsg(ctx) : "no context");
}

static int run(void)
{
    static const mt_test_case cases[] = {
        TEST_ENTRY(load_shipped_rules),
        TEST_ENTRY(cyp2c19_pm_clopidogrel),
        TEST_ENTRY(cyp2d6_nm_codeine_paroxetine_phenoconversion),
        TEST_ENTRY(omeprazole_fluvoxamine_interaction),
        TEST_ENTRY(cyp3a5_tacrolimus),
        TEST_ENTRY(nm_on_nothing),
        TEST_ENTRY(exposure_against_the_card_range),
        TEST_ENTRY(model_gap_transport),
        TEST_ENTRY(bad_evaluate_arguments),
        TEST_ENTRY(loader_is_strict),
    };
    return mt_run_(cases, sizeof cases / sizeof cases[0]);
}

int main(void)
{
    setup();
    int rc = run();
    mt_risk_rules_destroy(rules);
    mt_ctx_destroy(ctx);
    return rc;
}
