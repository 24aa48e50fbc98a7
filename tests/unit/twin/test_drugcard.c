/* SPDX-License-Identifier: Apache-2.0
 *
 * tests/unit/twin/test_drugcard.c — drug cards (twin/drugcard.c): every card
 * in data/drugs loads and validates and its links name existing cards; a few
 * values equal their rows of ../shared/data/drugs/drug_properties.csv (read
 * here, $MT_SHARED; without it that case is skipped and the run exits 77
 * once the other cases have passed); accessors convert to canonical units;
 * malformed cards (written to a temporary folder or parsed from memory) are
 * refused with a message naming the field.
 */
#define _POSIX_C_SOURCE 200809L
#include "harness.h"
#include "medtwin/csv.h"
#include "medtwin/drugcard.h"
#include "medtwin/medtwin.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int shared_missing;

static int contains(const char *hay, const char *needle)
{
    return hay && needle && strstr(hay, needle) != NULL;
}

#define ASSERT_CONTAINS(hay, needle)                                                               \
    MT_RET_(mt_check_(contains((hay), (needle)), __FILE__, __LINE__, "'%s' does not contain '%s'", \
                      (hay) ? (hay) : "(null)", (needle)))

/* ---- the library ---------------------------------------------------------------------------- */

TEST(every_card_loads)
{
    mt_ctx *ctx = NULL;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    char **names = NULL;
    size_t n = 0;
    ASSERT_EQ_INT(mt_drugcard_list(ctx, NULL, &names, &n), MT_OK);
    ASSERT_TRUE(n >= 40);
    for (size_t i = 0; i < n; i++) {
        if (i)
            ASSERT_TRUE(strcmp(names[i - 1], names[i]) < 0);
        mt_drugcard *c = NULL;
        mt_status st = mt_drugcard_load(ctx, NULL, names[i], &c);
        MT_RET_(
            mt_check_(st == MT_OK, __FILE__, __LINE__, "card %s: %s", names[i], mt_errmsg(ctx)));
        ASSERT_STR_EQ(mt_drugcard_name(c), names[i]);
        ASSERT_TRUE(*mt_drugcard_version(c));
        /* links name existing cards */
        const char *links[] = {mt_drugcard_parent(c), mt_drugcard_racemate(c)};
        for (size_t k = 0; k < 2 + mt_drugcard_n_enantiomers(c); k++) {
            const char *l = k < 2 ? links[k] : mt_drugcard_enantiomer(c, k - 2);
            if (!l)
                continue;
            int found = 0;
            for (size_t j = 0; j < n; j++)
                found |= !strcmp(names[j], l);
            MT_RET_(mt_check_(found, __FILE__, __LINE__, "card %s links to unknown card %s",
                              names[i], l));
        }
        /* an absent builder input is listed under missing */
        unsigned f = mt_drugcard_completeness(c);
        if (!(f & MT_DC_KA))
            ASSERT_TRUE(mt_drugcard_n_missing(c) > 0);
        mt_drugcard_destroy(c);
    }
    /* the drugs named by issue #3 all have a card */
    static const char *const want[] = {"midazolam",      "omeprazole",    "warfarin",
                                       "s_warfarin",     "r_warfarin",    "theophylline",
                                       "caffeine",       "metoprolol",    "codeine",
                                       "morphine",       "clopidogrel",   "simvastatin",
                                       "tacrolimus",     "ketoconazole",  "itraconazole",
                                       "clarithromycin", "rifampicin",    "fluvoxamine",
                                       "paroxetine",     "fluconazole",   "hydroxy_itraconazole",
                                       "erythromycin",   "verapamil",     "cimetidine",
                                       "efavirenz",      "carbamazepine", "alprazolam",
                                       "triazolam",      "digoxin",       "rosuvastatin"};
    for (size_t w = 0; w < sizeof want / sizeof want[0]; w++) {
        int found = 0;
        for (size_t j = 0; j < n; j++)
            found |= !strcmp(names[j], want[w]);
        MT_RET_(mt_check_(found, __FILE__, __LINE__, "no card for %s", want[w]));
    }
    mt_drugcard_names_free(ctx, names, n);
    mt_ctx_destroy(ctx);
}

TEST(accessors_and_units)
{
    mt_ctx *ctx = NULL;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    mt_drugcard *c = NULL;
    ASSERT_EQ_INT(mt_drugcard_load(ctx, NULL, "midazolam", &c), MT_OK);
    ASSERT_NEAR(mt_drugcard_mw(c), 325.78, 1e-12);
    ASSERT_NEAR(mt_drugcard_fu(c), 0.031, 1e-15);
    ASSERT_TRUE(isnan(mt_drugcard_ka(c)));
    ASSERT_TRUE(isnan(mt_drugcard_bp(c)));
    ASSERT_STR_EQ(mt_drugcard_partition_method(c), "rodgers_rowland");
    ASSERT_STR_EQ(mt_drugcard_logp_measure(c), "pksim_lipophilicity");
    ASSERT_EQ_INT((long long)mt_drugcard_n_specific_binding(c), 1);
    ASSERT_STR_EQ(mt_drugcard_specific_binding_target(c, 0), "GABRG2");
    ASSERT_TRUE(mt_drugcard_specific_binding_target(c, 1) == NULL);
    ASSERT_EQ_INT((long long)mt_drugcard_n_pka(c), 2);
    double pka;
    mt_pka_type type;
    ASSERT_EQ_INT(mt_drugcard_pka(c, 0, &pka, &type), MT_OK);
    ASSERT_NEAR(pka, 6.2, 1e-12);
    ASSERT_EQ_INT(type, MT_PKA_BASE);
    ASSERT_EQ_INT(mt_drugcard_pka(c, 1, &pka, &type), MT_OK);
    ASSERT_EQ_INT(type, MT_PKA_ACID);
    ASSERT_EQ_INT(mt_drugcard_pka(c, 2, &pka, &type), MT_ENOTFOUND);
    /* kcat 8.7607941215 1/min -> per hour */
    mt_drugcard_process p;
    ASSERT_TRUE(mt_drugcard_n_hepatic(c) >= 1);
    ASSERT_EQ_INT(mt_drugcard_hepatic(c, 0, &p), MT_OK);
    ASSERT_STR_EQ(p.protein, "CYP3A4");
    ASSERT_NEAR(p.km_umol_l, 4.0, 1e-12);
    ASSERT_NEAR(p.kcat_per_h, 8.7607941215 * 60, 1e-9);
    ASSERT_TRUE(p.any_fitted);
    ASSERT_TRUE(isnan(p.fm));
    mt_drugcard_renal r;
    ASSERT_EQ_INT(mt_drugcard_renal_get(c, &r), MT_OK);
    ASSERT_NEAR(r.gfr_fraction, 0.6401025724, 1e-12);
    ASSERT_EQ_INT(mt_drugcard_therapeutic_range(c, NULL, NULL, NULL), MT_ENOTFOUND);
    /* values by path, with their sources */
    double v;
    const char *unit, *src, *to;
    int fitted;
    ASSERT_EQ_INT(mt_drugcard_value(c, "elimination.hepatic.0.kcat", &v, &unit), MT_OK);
    ASSERT_NEAR(v, 8.7607941215 * 60, 1e-9);
    ASSERT_STR_EQ(unit, "1/h");
    ASSERT_EQ_INT(mt_drugcard_value(c, "physchem.pka.1", &v, NULL), MT_OK);
    ASSERT_NEAR(v, 10.95, 1e-12);
    ASSERT_EQ_INT(mt_drugcard_value_source(c, "physchem.fu_plasma", &src, &fitted, &to), MT_OK);
    ASSERT_CONTAINS(src, "Midazolam-Model.json@cc916b56");
    ASSERT_EQ_INT(fitted, 1);
    ASSERT_CONTAINS(to, "PI Hohmann");
    ASSERT_EQ_INT(mt_drugcard_value_source(c, "physchem.mw", &src, &fitted, &to), MT_OK);
    ASSERT_EQ_INT(fitted, 0);
    ASSERT_TRUE(to == NULL);
    ASSERT_EQ_INT(mt_drugcard_value(c, "physchem", &v, NULL), MT_ENOTFOUND);
    ASSERT_EQ_INT(mt_drugcard_value(c, "physchem.nosuch", &v, NULL), MT_ENOTFOUND);
    ASSERT_EQ_INT(mt_drugcard_value(c, "physchem.pka.x", &v, NULL), MT_ENOTFOUND);
    ASSERT_EQ_INT(mt_drugcard_value(c, "physchem.", &v, NULL), MT_ENOTFOUND);
    ASSERT_EQ_INT(mt_drugcard_value_source(c, "", &src, NULL, NULL), MT_ENOTFOUND);
    unsigned f = mt_drugcard_completeness(c);
    ASSERT_TRUE(f & MT_DC_MW);
    ASSERT_TRUE(f & MT_DC_PARTITION);
    ASSERT_TRUE(f & MT_DC_HEPATIC);
    ASSERT_FALSE(f & MT_DC_KA);
    mt_drugcard_destroy(c);

    /* percent, nmol/L and a therapeutic range in ug/mL */
    ASSERT_EQ_INT(mt_drugcard_load(ctx, NULL, "fluconazole", &c), MT_OK);
    ASSERT_NEAR(mt_drugcard_fu(c), 0.89, 1e-12);
    mt_drugcard_destroy(c);
    ASSERT_EQ_INT(mt_drugcard_load(ctx, NULL, "itraconazole", &c), MT_OK);
    mt_drugcard_interaction in;
    int seen = 0;
    for (size_t i = 0; i < mt_drugcard_n_interactions(c); i++) {
        ASSERT_EQ_INT(mt_drugcard_interaction_get(c, i, &in), MT_OK);
        if (!strcmp(in.target, "CYP3A4") && in.mechanism == MT_MECH_COMPETITIVE) {
            ASSERT_NEAR(in.ki_umol_l, 1.3e-3, 1e-15);
            seen = 1;
        }
    }
    ASSERT_TRUE(seen);
    mt_drugcard_metabolite m;
    ASSERT_EQ_INT(mt_drugcard_metabolite_get(c, 0, &m), MT_OK);
    ASSERT_STR_EQ(m.name, "hydroxy_itraconazole");
    ASSERT_STR_EQ(m.via, "CYP3A4");
    ASSERT_TRUE(isnan(m.fraction));
    mt_drugcard_destroy(c);
    ASSERT_EQ_INT(mt_drugcard_load(ctx, NULL, "theophylline", &c), MT_OK);
    double lo, hi, tox;
    ASSERT_EQ_INT(mt_drugcard_therapeutic_range(c, &lo, &hi, &tox), MT_OK);
    ASSERT_NEAR(lo, 10, 0);
    ASSERT_NEAR(hi, 15, 0);
    ASSERT_NEAR(tox, 20, 0);
    ASSERT_TRUE(mt_drugcard_ka(c) > 0);
    ASSERT_EQ_INT(mt_drugcard_value_source(c, "absorption.ka", &src, &fitted, &to), MT_OK);
    ASSERT_EQ_INT(fitted, 1);
    ASSERT_CONTAINS(to, "Theoph.csv");
    mt_drugcard_destroy(c);
    ASSERT_EQ_INT(mt_drugcard_load(ctx, NULL, "omeprazole", &c), MT_OK);
    const char *gene, *scales;
    ASSERT_TRUE(mt_drugcard_n_pgx(c) >= 1);
    seen = 0;
    for (size_t i = 0; i < mt_drugcard_n_pgx(c); i++) {
        ASSERT_EQ_INT(mt_drugcard_pgx(c, i, &gene, &scales), MT_OK);
        seen |= !strcmp(gene, "CYP2C19") && !strcmp(scales, "CYP2C19");
    }
    ASSERT_TRUE(seen);
    ASSERT_EQ_INT((long long)mt_drugcard_n_enantiomers(c), 2);
    mt_drugcard_destroy(c);
    mt_ctx_destroy(ctx);
}

TEST(training_studies)
{
    mt_ctx *ctx = NULL;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    mt_drugcard *c = NULL;
    ASSERT_EQ_INT(mt_drugcard_load(ctx, NULL, "midazolam", &c), MT_OK);
    ASSERT_TRUE(mt_drugcard_n_training(c) >= 2);
    ASSERT_TRUE(strncmp(mt_drugcard_training(c, 0), "Hohmann 2015:", 13) == 0);
    ASSERT_TRUE(mt_drugcard_training(c, mt_drugcard_n_training(c)) == NULL);
    ASSERT_TRUE(mt_drugcard_is_training_study(c, "Hohmann 2015"));
    ASSERT_TRUE(mt_drugcard_is_training_study(c, "Link 2008"));
    ASSERT_FALSE(mt_drugcard_is_training_study(c, "Hohmann 201"));
    ASSERT_FALSE(mt_drugcard_is_training_study(c, "Smith 1981"));
    ASSERT_FALSE(mt_drugcard_is_training_study(c, ""));
    ASSERT_FALSE(mt_drugcard_is_training_study(c, NULL));
    mt_drugcard_destroy(c);
    mt_ctx_destroy(ctx);
}

TEST(unknown_drug)
{
    mt_ctx *ctx = NULL;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    mt_drugcard *c = NULL;
    ASSERT_EQ_INT(mt_drugcard_load(ctx, NULL, "nosuchdrug", &c), MT_ENOTFOUND);
    ASSERT_TRUE(c == NULL);
    ASSERT_CONTAINS(mt_errmsg(ctx), "unknown drug 'nosuchdrug' (see `medtwin drugs`)");
    ASSERT_EQ_INT(mt_drugcard_load(ctx, NULL, "../drugs/midazolam", &c), MT_ENOTFOUND);
    ASSERT_EQ_INT(mt_drugcard_load(ctx, NULL, "Midazolam", &c), MT_ENOTFOUND);
    ASSERT_EQ_INT(mt_drugcard_load(ctx, NULL, "", &c), MT_ENOTFOUND);
    mt_ctx_destroy(ctx);
}

/* ---- spot checks against ../shared/data/drugs ------------------------------------------------ */

typedef struct {
    const char *card, *path;     /* card value */
    const char *repo, *compound; /* drug_properties.csv row */
    const char *group, *alternative, *parameter, *datasource;
    double factor; /* csv value x factor = canonical card value */
} spot;

static const spot spots[] = {
    {"midazolam", "physchem.mw", "Midazolam-Model", "Midazolam", "compound", "", "Molecular weight",
     NULL, 1},
    {"midazolam", "physchem.fu_plasma", "Midazolam-Model", "Midazolam", "FractionUnbound",
     "Gertz et al. 2010", "Fraction unbound (plasma, reference value)", NULL, 1},
    {"midazolam", "physchem.logp", "Midazolam-Model", "Midazolam", "Lipophilicity", "Optimized",
     "Lipophilicity", NULL, 1},
    {"midazolam", "elimination.hepatic.0.kcat", "Midazolam-Model", "Midazolam",
     "process:MetabolizationLiverMicrosomes_MM", "CYP3A4", "kcat", "Optimized", 60},
    {"fluconazole", "physchem.fu_plasma", "Fluconazole-Model", "Fluconazole", "FractionUnbound",
     "Measurement_Fraction_Unbound_Pfizer", "Fraction unbound (plasma, reference value)", NULL,
     0.01},
    {"s_warfarin", "physchem.fu_plasma", "Warfarin-Model", "S-Warfarin", "FractionUnbound",
     "Measurement", "Fraction unbound (plasma, reference value)", NULL, 1},
    {"itraconazole", "interactions.0.ki", "Itraconazole-Model", "Itraconazole",
     "process:CompetitiveInhibition", "CYP3A4", "Ki", NULL, 1e-3},
    {"clarithromycin", "interactions.1.kinact", "Clarithromycin-Model", "Clarithromycin",
     "process:IrreversibleInhibition", "CYP3A4", "kinact", NULL, 60},
    {"rifampicin", "physchem.fu_plasma", "Rifampicin-Model", "Rifampicin", "FractionUnbound",
     "Templeton 2011", "Fraction unbound (plasma, reference value)", NULL, 0.01},
    {"omeprazole", "interactions.1.kinact", "Omeprazole-Model", "Omeprazole",
     "process:IrreversibleInhibition", "CYP2C19", "kinact", NULL, 1},
};

static int find_row(const mt_csv *t, const spot *s)
{
    int c_repo = mt_csv_col(t, "model_repo"), c_cmp = mt_csv_col(t, "compound"),
        c_grp = mt_csv_col(t, "property_group"), c_alt = mt_csv_col(t, "alternative"),
        c_par = mt_csv_col(t, "parameter"), c_notes = mt_csv_col(t, "notes");
    if (c_repo < 0 || c_cmp < 0 || c_grp < 0 || c_alt < 0 || c_par < 0 || c_notes < 0)
        return -1;
    for (size_t r = 0; r < mt_csv_n_rows(t); r++) {
        if (strcmp(mt_csv_cell(t, r, (size_t)c_repo), s->repo) ||
            strcmp(mt_csv_cell(t, r, (size_t)c_cmp), s->compound) ||
            strcmp(mt_csv_cell(t, r, (size_t)c_grp), s->group) ||
            strcmp(mt_csv_cell(t, r, (size_t)c_alt), s->alternative) ||
            strcmp(mt_csv_cell(t, r, (size_t)c_par), s->parameter))
            continue;
        if (s->datasource) {
            char ds[200];
            snprintf(ds, sizeof ds, "DataSource=%s", s->datasource);
            if (!strstr(mt_csv_cell(t, r, (size_t)c_notes), ds))
                continue;
        }
        return (int)r;
    }
    return -1;
}

TEST(values_match_shared_rows)
{
    const char *sh = getenv("MT_SHARED");
    char path[4096];
    snprintf(path, sizeof path, "%s/data/drugs/drug_properties.csv", sh && *sh ? sh : "../shared");
    mt_ctx *ctx = NULL;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    mt_csv *t = NULL;
    if (mt_csv_read(ctx, path, 0, &t) != MT_OK) {
        printf("skip values_match_shared_rows: %s\n", mt_errmsg(ctx));
        shared_missing = 1;
        mt_ctx_destroy(ctx);
        return;
    }
    int c_val = mt_csv_col(t, "value"), c_src = mt_csv_col(t, "source"),
        c_notes = mt_csv_col(t, "notes");
    ASSERT_TRUE(c_val >= 0 && c_src >= 0 && c_notes >= 0);
    for (size_t i = 0; i < sizeof spots / sizeof spots[0]; i++) {
        const spot *s = &spots[i];
        int r = find_row(t, s);
        MT_RET_(mt_check_(r >= 0, __FILE__, __LINE__, "no drug_properties.csv row for %s %s",
                          s->card, s->path));
        mt_drugcard *c = NULL;
        ASSERT_EQ_INT(mt_drugcard_load(ctx, NULL, s->card, &c), MT_OK);
        double v, want = strtod(mt_csv_cell(t, (size_t)r, (size_t)c_val), NULL) * s->factor;
        const char *src, *to;
        int fitted;
        mt_status st = mt_drugcard_value(c, s->path, &v, NULL);
        MT_RET_(mt_check_(st == MT_OK, __FILE__, __LINE__, "%s: no value %s", s->card, s->path));
        MT_RET_(mt_check_(fabs(v - want) <= 1e-12 * fabs(want), __FILE__, __LINE__,
                          "%s %s: %.17g != %.17g", s->card, s->path, v, want));
        ASSERT_EQ_INT(mt_drugcard_value_source(c, s->path, &src, &fitted, &to), MT_OK);
        /* the source names the snapshot at its commit; FITTED rows are fitted on the card */
        ASSERT_CONTAINS(src, mt_csv_cell(t, (size_t)r, (size_t)c_src));
        if (strstr(mt_csv_cell(t, (size_t)r, (size_t)c_notes), "FITTED"))
            MT_RET_(mt_check_(fitted && to && *to, __FILE__, __LINE__,
                              "%s %s: FITTED in the shared table but not on the card", s->card,
                              s->path));
        mt_drugcard_destroy(c);
    }
    mt_csv_destroy(t);
    mt_ctx_destroy(ctx);
}

/* ---- malformed cards ------------------------------------------------------------------------- */

/* A valid minimal card with one placeholder "@FU@" for the fu_plasma member. */
static const char base_card[] =
    "{\"schema\": \"medtwin-drug-card/1\", \"name\": \"testdrug\", \"version\": \"1\",\n"
    " \"display_name\": \"Test drug\", \"kind\": \"pbpk\",\n"
    " \"physchem\": {\"mw\": {\"value\": 300, \"unit\": \"g/mol\", \"source\": \"paper A, "
    "table 1\", \"fitted\": false},\n"
    "  \"fu_plasma\": @FU@},\n"
    " \"missing\": [{\"field\": \"absorption.ka\", \"why\": \"not known\"}]}\n";

static char *card_with(const char *fu)
{
    static char buf[4096];
    const char *at = strstr(base_card, "@FU@");
    snprintf(buf, sizeof buf, "%.*s%s%s", (int)(at - base_card), base_card, fu, at + 4);
    return buf;
}

/* Parses text as card "testdrug"; expects st and every needle in the message. */
static int parse_fails(const char *text, mt_status want, const char *n1, const char *n2)
{
    mt_ctx *ctx = NULL;
    if (mt_ctx_create(&ctx) != MT_OK)
        return 0;
    mt_drugcard *c = NULL;
    mt_status st = mt_drugcard_parse(ctx, text, strlen(text), "testdrug", &c);
    int ok = st == want && c == NULL && (!n1 || contains(mt_errmsg(ctx), n1)) &&
             (!n2 || contains(mt_errmsg(ctx), n2));
    if (!ok)
        printf("  got status %d, message: %s\n", st, mt_errmsg(ctx));
    mt_drugcard_destroy(c);
    mt_ctx_destroy(ctx);
    return ok;
}

TEST(minimal_card_parses)
{
    mt_ctx *ctx = NULL;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    mt_drugcard *c = NULL;
    const char *t = card_with("{\"value\": 12, \"unit\": \"%\", \"source\": \"paper B\", "
                              "\"fitted\": true, \"fitted_to\": \"study C, arm 1\"}");
    mt_status st = mt_drugcard_parse(ctx, t, strlen(t), "testdrug", &c);
    MT_RET_(mt_check_(st == MT_OK, __FILE__, __LINE__, "%s", mt_errmsg(ctx)));
    ASSERT_NEAR(mt_drugcard_fu(c), 0.12, 1e-15);
    ASSERT_TRUE(isnan(mt_drugcard_logp(c)));
    ASSERT_EQ_INT(mt_drugcard_renal_get(c, &(mt_drugcard_renal){0}), MT_ENOTFOUND);
    mt_drugcard_destroy(c);
    /* NULL name: the card's own name is accepted */
    ASSERT_EQ_INT(mt_drugcard_parse(ctx, t, strlen(t), NULL, &c), MT_OK);
    ASSERT_STR_EQ(mt_drugcard_name(c), "testdrug");
    mt_drugcard_destroy(c);
    mt_ctx_destroy(ctx);
}

TEST(malformed_cards)
{
    ASSERT_TRUE(parse_fails(card_with("{\"value\": 0.5, \"unit\": \"1\", \"fitted\": false}"),
                            MT_EPARSE, "physchem.fu_plasma", "missing source"));
    ASSERT_TRUE(parse_fails(card_with("{\"value\": 0.5, \"unit\": \"1\", \"source\": \"  \", "
                                      "\"fitted\": false}"),
                            MT_EPARSE, "physchem.fu_plasma", "missing source"));
    ASSERT_TRUE(parse_fails(card_with("{\"value\": 0.5, \"unit\": \"kg\", \"source\": \"x\", "
                                      "\"fitted\": false}"),
                            MT_EPARSE, "physchem.fu_plasma", "unit 'kg' is not allowed"));
    ASSERT_TRUE(parse_fails(card_with("{\"value\": 2, \"unit\": \"1\", \"source\": \"x\", "
                                      "\"fitted\": false}"),
                            MT_EPARSE, "physchem.fu_plasma", "out of range: must lie in (0, 1]"));
    ASSERT_TRUE(parse_fails(card_with("{\"value\": 150, \"unit\": \"%\", \"source\": \"x\", "
                                      "\"fitted\": false}"),
                            MT_EPARSE, "physchem.fu_plasma", "out of range: must lie in (0, 1]"));
    ASSERT_TRUE(parse_fails(card_with("{\"value\": 0, \"unit\": \"1\", \"source\": \"x\", "
                                      "\"fitted\": false}"),
                            MT_EPARSE, "physchem.fu_plasma", "out of range"));
    ASSERT_TRUE(
        parse_fails(card_with("0.5"), MT_EPARSE, "physchem.fu_plasma", "must be a value object"));
    ASSERT_TRUE(parse_fails(card_with("{\"value\": 0.5, \"unit\": \"1\", \"source\": \"x\"}"),
                            MT_EPARSE, "physchem.fu_plasma", "fitted"));
    ASSERT_TRUE(parse_fails(card_with("{\"value\": 0.5, \"unit\": \"1\", \"source\": \"x\", "
                                      "\"fitted\": true}"),
                            MT_EPARSE, "physchem.fu_plasma", "fitted_to"));
    ASSERT_TRUE(parse_fails(card_with("{\"value\": \"0.5\", \"unit\": \"1\", \"source\": \"x\", "
                                      "\"fitted\": false}"),
                            MT_EPARSE, "physchem.fu_plasma", "must be a number"));
    ASSERT_TRUE(parse_fails(card_with("{\"value\": 0.5, \"unit\": \"1\", \"source\": \"x\", "
                                      "\"fitted\": false, \"extra\": 1}"),
                            MT_EPARSE, "physchem.fu_plasma", "unknown member 'extra'"));
    ASSERT_TRUE(parse_fails(card_with("{\"value\": 0.5, \"unit\": \"1\", \"source\": \"x\", "
                                      "\"fitted\": false} , \"fu_plasma\": {}"),
                            MT_EPARSE, "invalid JSON", NULL)); /* duplicate key */
    ASSERT_TRUE(parse_fails(card_with("{\"value\": 0.5, \"unit\": \"1\", \"source\": \"x\", "
                                      "\"fitted\": false}, \"kd_typo\": {\"value\": 1, \"unit\": "
                                      "\"1\", \"source\": \"x\", \"fitted\": false}"),
                            MT_EPARSE, "physchem.kd_typo", "not a known quantity"));
    ASSERT_TRUE(parse_fails(card_with("{\"value\": 0.5, \"unit\": \"1\""), MT_EPARSE,
                            "invalid JSON", "line"));
    ASSERT_TRUE(parse_fails("[1, 2]", MT_EPARSE, "must be a JSON object", NULL));
    ASSERT_TRUE(parse_fails("", MT_EPARSE, "invalid JSON", NULL));

    /* envelope */
    char buf[4096];
    const char *ok = card_with("{\"value\": 0.5, \"unit\": \"1\", \"source\": \"x\", "
                               "\"fitted\": false}");
    snprintf(buf, sizeof buf, "%s", ok);
    char *s = strstr(buf, "medtwin-drug-card/1");
    s[18] = '2'; /* medtwin-drug-card/2 */
    ASSERT_TRUE(parse_fails(buf, MT_EPARSE, "schema", "medtwin-drug-card/2"));
    snprintf(buf, sizeof buf, "%s", ok);
    s = strstr(buf, "\"testdrug\"");
    memcpy(s + 1, "otherdrg", 8);
    ASSERT_TRUE(parse_fails(buf, MT_EPARSE, "name", "does not match"));
    snprintf(buf, sizeof buf, "%s", ok);
    s = strstr(buf, "\"pbpk\"");
    memcpy(s + 1, "pbpx", 4);
    ASSERT_TRUE(parse_fails(buf, MT_EPARSE, "kind", "pbpx"));
    snprintf(buf, sizeof buf, "%s", ok);
    s = strstr(buf, "\"missing\"");
    memcpy(s + 1, "missin2", 7);
    ASSERT_TRUE(parse_fails(buf, MT_EPARSE, "missin2", "unknown section"));
    ASSERT_TRUE(parse_fails("{\"schema\": \"medtwin-drug-card/1\", \"name\": \"testdrug\", "
                            "\"version\": \"1\", \"display_name\": \"T\", \"kind\": \"pbpk\", "
                            "\"interactions\": [{\"target\": \"CYP3A4\", \"mechanism\": "
                            "\"magic\"}]}",
                            MT_EPARSE, "interactions.0.mechanism", "magic"));
    ASSERT_TRUE(parse_fails("{\"schema\": \"medtwin-drug-card/1\", \"name\": \"testdrug\", "
                            "\"version\": \"1\", \"display_name\": \"T\", \"kind\": \"pbpk\", "
                            "\"specific_binding\": [{\"osp_process\": \"x\"}]}",
                            MT_EPARSE, "specific_binding.0", "target"));
    /* a neutral compound (empty pKa list) names where it says so; pka_source only with [] */
#define CARD_HEAD                                                                                  \
    "{\"schema\": \"medtwin-drug-card/1\", \"name\": \"testdrug\", \"version\": \"1\", "           \
    "\"display_name\": \"T\", \"kind\": \"pbpk\", "
    ASSERT_TRUE(parse_fails(CARD_HEAD "\"physchem\": {\"pka\": []}}", MT_EPARSE, "physchem.pka",
                            "pka_source"));
    ASSERT_TRUE(parse_fails(CARD_HEAD "\"physchem\": {\"pka_source\": \"a table\"}}", MT_EPARSE,
                            "physchem.pka_source", "empty"));
    ASSERT_TRUE(parse_fails(CARD_HEAD "\"physchem\": {\"pka\": [], \"pka_source\": 5}}", MT_EPARSE,
                            "physchem.pka_source", "string"));
    /* the cell permeability: a method names its source and needs all four halogen counts,
     * whole numbers (docs/drug-cards.md) */
#define HV(x) "{\"value\": " #x ", \"unit\": \"1\", \"source\": \"x\", \"fitted\": false}"
#define HALOGENS(f, cl)                                                                            \
    "\"physchem\": {\"halogens\": {\"fluorine\": " HV(f) ", \"chlorine\": " HV(                    \
        cl) ", "                                                                                   \
            "\"bromine\": " HV(0) ", \"iodine\": " HV(0) "}}, "
#define CELLS "\"partition\": {\"cell_permeability\": \"pksim_standard\", "
    mt_drugcard *cc = NULL;
    mt_ctx *ctx = NULL;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    const char *good = CARD_HEAD HALOGENS(1, 2) CELLS "\"cell_permeability_source\": \"x\"}}";
    ASSERT_EQ_INT(mt_drugcard_parse(ctx, good, strlen(good), NULL, &cc), MT_OK);
    ASSERT_STR_EQ(mt_drugcard_cell_permeability(cc), "pksim_standard");
    double chl = 0;
    ASSERT_EQ_INT(mt_drugcard_value(cc, "physchem.halogens.chlorine", &chl, NULL), MT_OK);
    ASSERT_NEAR(chl, 2, 0);
    mt_drugcard_destroy(cc);
    mt_ctx_destroy(ctx);
    ASSERT_TRUE(parse_fails(CARD_HEAD HALOGENS(1, 2) CELLS "\"x\": 1}}", MT_EPARSE,
                            "partition.cell_permeability", "cell_permeability_source"));
    ASSERT_TRUE(parse_fails(CARD_HEAD CELLS "\"cell_permeability_source\": \"x\"}}", MT_EPARSE,
                            "partition.cell_permeability", "physchem.halogens"));
    ASSERT_TRUE(parse_fails(CARD_HEAD HALOGENS(1.5, 0) "\"note\": \"x\"}", MT_EPARSE,
                            "physchem.halogens.fluorine", "whole number"));
    ASSERT_TRUE(parse_fails(CARD_HEAD "\"physchem\": {\"halogens\": {\"fluorine\": " HV(1) "}}}",
                            MT_EPARSE, "physchem.halogens.chlorine", "all four"));
    ASSERT_TRUE(parse_fails(CARD_HEAD "\"physchem\": {\"halogens\": {\"astatine\": " HV(1) "}}}",
                            MT_EPARSE, "physchem.halogens", "astatine"));
    ASSERT_TRUE(parse_fails(CARD_HEAD "\"partition\": {\"cell_permeability\": \"magic\"}}",
                            MT_EPARSE, "partition.cell_permeability", "magic"));
    /* PK-Sim's mucosa: absorption.gut_wall qgut or mucosa; the mucosa and its permeability need
     * the mechanistic absorption and cells (docs/absorption.md, "The mucosa") */
#define PV(x) "{\"value\": " #x ", \"unit\": \"cm/min\", \"source\": \"x\", \"fitted\": false}"
    ASSERT_TRUE(parse_fails(CARD_HEAD "\"absorption\": {\"gut_wall\": \"villi\"}}", MT_EPARSE,
                            "absorption.gut_wall", "villi"));
    ASSERT_TRUE(parse_fails(CARD_HEAD "\"absorption\": {\"model\": \"first_order\", "
                                      "\"gut_wall\": \"mucosa\"}}",
                            MT_EPARSE, "absorption.gut_wall", "pksim_permeability"));
    ASSERT_TRUE(parse_fails(CARD_HEAD "\"absorption\": {\"model\": \"pksim_permeability\", "
                                      "\"mucosa_permeability\": " PV(1e-3) "}}",
                            MT_EPARSE, "absorption.mucosa_permeability", "cell_permeability"));
#define MCARD CARD_HEAD HALOGENS(0, 0) CELLS "\"cell_permeability_source\": \"x\"}, "
    ASSERT_TRUE(parse_fails(MCARD "\"absorption\": {\"model\": \"pksim_permeability\", "
                                  "\"mucosa_permeability\": {\"value\": 1, \"unit\": "
                                  "\"mg\", \"source\": \"x\", \"fitted\": false}}}",
                            MT_EPARSE, "absorption.mucosa_permeability", "unit 'mg'"));
    ASSERT_TRUE(parse_fails(MCARD "\"absorption\": {\"model\": \"pksim_permeability\", "
                                  "\"mucosa_permeability\": " PV(-1) "}}",
                            MT_EPARSE, "absorption.mucosa_permeability", NULL));
    {
        const char *m =
            MCARD "\"absorption\": {\"model\": "
                  "\"pksim_permeability\", \"gut_wall\": \"mucosa\", \"mucosa_permeability\": " PV(
                      2e-3) "}}";
        mt_ctx *c2 = NULL;
        mt_drugcard *mc = NULL;
        ASSERT_EQ_INT(mt_ctx_create(&c2), MT_OK);
        ASSERT_EQ_INT(mt_drugcard_parse(c2, m, strlen(m), NULL, &mc), MT_OK);
        ASSERT_STR_EQ(mt_drugcard_gut_wall(mc), "mucosa");
        double pm = 0;
        ASSERT_EQ_INT(mt_drugcard_value(mc, "absorption.mucosa_permeability", &pm, NULL), MT_OK);
        ASSERT_NEAR(pm, 2e-3, 0);
        mt_drugcard_destroy(mc);
        mt_ctx_destroy(c2);
    }
    /* P-gp's efflux (docs/interactions.md, "P-gp"): elimination.efflux names a transporter
     * with a Michaelis-Menten transport entry, and needs cells */
#define KV(x, u) "{\"value\": " #x ", \"unit\": \"" u "\", \"source\": \"x\", \"fitted\": false}"
#define PGP_MM                                                                                     \
    "\"transport\": [{\"transporter\": \"P-gp\", \"process\": \"michaelis_menten\", \"km\": " KV(  \
        177, "umol/L") ", \"kcat\": " KV(71.2, "1/min") "}]"
    ASSERT_TRUE(parse_fails(MCARD "\"elimination\": {" PGP_MM ", \"efflux\": \"BCRP\"}}", MT_EPARSE,
                            "elimination.efflux", "BCRP"));
    ASSERT_TRUE(parse_fails(CARD_HEAD "\"elimination\": {" PGP_MM ", \"efflux\": \"P-gp\"}}",
                            MT_EPARSE, "elimination.efflux", "cell_permeability"));
    ASSERT_TRUE(parse_fails(MCARD "\"elimination\": {\"efflux\": \"P-gp\"}}", MT_EPARSE,
                            "elimination.efflux", "michaelis_menten"));
    ASSERT_TRUE(parse_fails(MCARD "\"elimination\": {\"efflux\": 1}}", MT_EPARSE,
                            "elimination.efflux", "string"));
    {
        const char *e = MCARD "\"elimination\": {" PGP_MM ", \"efflux\": \"P-gp\"}}";
        mt_ctx *c2 = NULL;
        mt_drugcard *ec = NULL;
        ASSERT_EQ_INT(mt_ctx_create(&c2), MT_OK);
        ASSERT_EQ_INT(mt_drugcard_parse(c2, e, strlen(e), NULL, &ec), MT_OK);
        ASSERT_STR_EQ(mt_drugcard_efflux(ec), "P-gp");
        mt_drugcard_destroy(ec);
        mt_ctx_destroy(c2);
    }
    ASSERT_TRUE(parse_fails("{\"schema\": \"medtwin-drug-card/1\", \"name\": \"testdrug\", "
                            "\"version\": \"1\", \"display_name\": \"T\", \"kind\": \"pbpk\", "
                            "\"partition\": {\"method\": \"rodgers_rowland\", \"kp\": {\"lvr\": "
                            "{\"value\": 2, \"unit\": \"1\", \"source\": \"x\", \"fitted\": "
                            "false}}}}",
                            MT_EPARSE, "partition.kp.lvr", "not a builder organ"));
    ASSERT_TRUE(parse_fails("{\"schema\": \"medtwin-drug-card/1\", \"name\": \"testdrug\", "
                            "\"version\": \"1\", \"display_name\": \"T\", \"kind\": \"pbpk\", "
                            "\"physchem\": {\"pka\": [{\"value\": 7, \"unit\": \"1\", "
                            "\"source\": \"x\", \"fitted\": false}]}}",
                            MT_EPARSE, "physchem.pka.0", "acid"));
    ASSERT_TRUE(parse_fails("{\"schema\": \"medtwin-drug-card/1\", \"name\": \"testdrug\", "
                            "\"version\": \"1\", \"display_name\": \"T\", \"kind\": \"pbpk\", "
                            "\"elimination\": {\"hepatic\": [{\"enzyme\": \"CYP3A4\", \"km\": "
                            "{\"value\": 3, \"unit\": \"mg/L\", \"source\": \"x\", \"fitted\": "
                            "false}}]}}",
                            MT_EPARSE, "elimination.hepatic.0.km", "unit 'mg/L'"));
    ASSERT_TRUE(parse_fails("{\"schema\": \"medtwin-drug-card/1\", \"name\": \"testdrug\", "
                            "\"version\": \"1\", \"display_name\": \"T\", \"kind\": \"pbpk\", "
                            "\"elimination\": {\"hepatic\": [{\"enzyme\": \"CYP3A4\", \"km\": "
                            "[{\"value\": 3, \"unit\": \"umol/L\", \"source\": \"x\", "
                            "\"fitted\": false}]}]}}",
                            MT_EPARSE, "elimination.hepatic.0.km", "not an array"));
}

/* ---- files: size limit, names, listing ------------------------------------------------------ */

static int write_file(const char *path, const char *text, size_t pad)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    fputs(text, f);
    for (size_t i = 0; i < pad; i++)
        fputc(' ', f);
    return fclose(f);
}

TEST(files_and_listing)
{
    char dir[] = "/tmp/mt_drugcard_XXXXXX", sub[256], path[512];
    ASSERT_TRUE(mkdtemp(dir) != NULL);
    snprintf(sub, sizeof sub, "%s/drugs", dir);
    ASSERT_EQ_INT(mkdir(sub, 0700), 0);
    const char *ok = card_with("{\"value\": 0.5, \"unit\": \"1\", \"source\": \"x\", "
                               "\"fitted\": false}");
    static const char *const files[] = {"testdrug.json", "big.json", "Bad.json", "notes.txt",
                                        "other.json"};
    snprintf(path, sizeof path, "%s/testdrug.json", sub);
    ASSERT_EQ_INT(write_file(path, ok, 0), 0);
    snprintf(path, sizeof path, "%s/big.json", sub);
    ASSERT_EQ_INT(write_file(path, ok, MT_DRUGCARD_MAX_BYTES), 0);
    snprintf(path, sizeof path, "%s/Bad.json", sub);
    ASSERT_EQ_INT(write_file(path, ok, 0), 0);
    snprintf(path, sizeof path, "%s/notes.txt", sub);
    ASSERT_EQ_INT(write_file(path, "x", 0), 0);
    snprintf(path, sizeof path, "%s/other.json", sub);
    ASSERT_EQ_INT(write_file(path, ok, 0), 0); /* names "testdrug" inside */

    mt_ctx *ctx = NULL;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    mt_drugcard *c = NULL;
    ASSERT_EQ_INT(mt_drugcard_load(ctx, dir, "testdrug", &c), MT_OK);
    mt_drugcard_destroy(c);
    c = NULL;
    ASSERT_EQ_INT(mt_drugcard_load(ctx, dir, "big", &c), MT_ELIMIT);
    ASSERT_CONTAINS(mt_errmsg(ctx), "larger than");
    ASSERT_EQ_INT(mt_drugcard_load(ctx, dir, "other", &c), MT_EPARSE);
    ASSERT_CONTAINS(mt_errmsg(ctx), "does not match the file name 'other'");
    ASSERT_EQ_INT(mt_drugcard_load(ctx, dir, "absent", &c), MT_ENOTFOUND);
    char **names = NULL;
    size_t n = 0;
    ASSERT_EQ_INT(mt_drugcard_list(ctx, dir, &names, &n), MT_OK);
    ASSERT_EQ_INT((long long)n, 3);
    ASSERT_STR_EQ(names[0], "big");
    ASSERT_STR_EQ(names[1], "other");
    ASSERT_STR_EQ(names[2], "testdrug");
    mt_drugcard_names_free(ctx, names, n);
    char nodir[600];
    snprintf(nodir, sizeof nodir, "%s/nonexistent", dir);
    ASSERT_EQ_INT(mt_drugcard_list(ctx, nodir, &names, &n), MT_EIO);
    ASSERT_EQ_INT(mt_drugcard_load(ctx, nodir, "testdrug", &c), MT_EIO);
    ASSERT_CONTAINS(mt_errmsg(ctx), "no drug card folder");
    mt_ctx_destroy(ctx);
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", sub, files[i]);
        remove(path);
    }
    rmdir(sub);
    rmdir(dir);
}

int main(void)
{
    static const mt_test_case cases[] = {
        TEST_ENTRY(every_card_loads),         TEST_ENTRY(accessors_and_units),
        TEST_ENTRY(training_studies),         TEST_ENTRY(unknown_drug),
        TEST_ENTRY(values_match_shared_rows), TEST_ENTRY(minimal_card_parses),
        TEST_ENTRY(malformed_cards),          TEST_ENTRY(files_and_listing)};
    int rc = mt_run_(cases, sizeof cases / sizeof cases[0]);
    if (rc == 0 && shared_missing) {
        printf("# skipped: ../shared/data/drugs/drug_properties.csv not found (set MT_SHARED)\n");
        return 77;
    }
    return rc;
}
