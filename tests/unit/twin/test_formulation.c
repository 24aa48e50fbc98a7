/* SPDX-License-Identifier: Apache-2.0
 *
 * tests/unit/twin/test_formulation.c — oral formulations with Weibull dissolution
 * (docs/absorption.md, "Formulations"):
 *   1. mt_pbpk_build_gi: with nothing absorbed, the undissolved amount of each formulated dose
 *      is dose x exp(-ln2 ((t - t_dose - lag) / t50)^b) whatever the lumen segment it sits in
 *      (shape below and above 1, a lag, two doses), and undissolved + dissolved is the dose;
 *      a formulation on a drug without the transit model, or with a bad shape, is refused;
 *   2. the regimen's `as` and the card's absorption.formulations: parsed, looked up, and every
 *      malformed case named;
 *   3. the predictor: the reference man's itraconazole 200 mg as a fed capsule peaks later and
 *      lower than as a solution; an unknown formulation names the card's.
 */
#include "harness.h"
#include "medtwin/drugcard.h"
#include "medtwin/medtwin.h"
#include "medtwin/pbpk.h"
#include "medtwin/predict.h"
#include "medtwin/profile.h"
#include "medtwin/regimen.h"
#include "medtwin/twin.h"
#include "twin_fixtures.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* the lumen in the order the drug moves, then the faeces */
#define N_LOC 13
static const char *const loc[N_LOC] = {"sto", "duo", "jej1", "jej2", "ile1", "ile2", "cae",
                                       "asc", "tra", "des",  "sig",  "rec",  "fec"};

static void set(mt_sim *s, const char *id, double v)
{
    ASSERT_EQ_INT(mt_sim_set_value(s, id, v), MT_OK);
}

/* The Weibull share still undissolved tau hours after the dose (and its lag). */
static double survival(double tau, double t50, double b)
{
    return tau <= 0 ? 1.0 : exp(-log(2.0) * pow(tau / t50, b));
}

TEST(weibull_dissolution)
{
    mt_ctx *ctx = NULL;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    /* dose 0: 40 mg at 1 h, t50 2 h, shape 0.8, lag 0.5 h; dose 1: 30 mg at 5 h, t50 1 h,
     * shape 1.5; dose 2: a 10 mg solution at 2 h */
    mt_dose doses[3] = {{1.0, 40.0, MT_DOSE_PO, 0, 2.0, 0.8, 0.5},
                        {5.0, 30.0, MT_DOSE_PO, 0, 1.0, 1.5, 0.0},
                        {2.0, 10.0, MT_DOSE_PO, 0, 0, 0, 0}};
    mt_pbpk_drug drug = {"d", 3, doses, 0, 0, 0, 0, 0};
    int gi[1] = {1};
    mt_model *m = NULL;
    mt_program *p = NULL;
    mt_sim *s = NULL;
    ASSERT_EQ_INT(build_gi_sim(ctx, 1, &drug, gi, 1e-10, 1e-12, &m, &p, &s), MT_OK);
    ASSERT_EQ_INT(set_test_body(s, "d", 1.0, 0.0, 1.0, 10.0, 0.0), MT_OK);
    set(s, "CL_H_d", 0.0);
    set(s, "CL_R_d", 0.0);
    set(s, "ka_d", 0.0);
    set(s, "F_d", 1.0);
    set(s, "BP_d", 1.0);
    set(s, "kge_d", 4.0);
    set(s, "Fg_d", 1.0);
    /* the rectum keeps what reaches it (kt 0): undissolved drug excreted in the faeces would no
     * longer dissolve, and the closed form counts every undissolved milligram as dissolving */
    const double kt[11] = {50.0, 2.0, 2.0, 1.5, 1.5, 0.4, 0.2, 0.1, 0.15, 0.12, 0.0};
    for (int k = 1; k < 12; k++) {
        char id[64];
        snprintf(id, sizeof id, "kt_%s_d", loc[k]);
        set(s, id, kt[k - 1]);
        snprintf(id, sizeof id, "ka_%s_d", loc[k]);
        set(s, id, 0.0); /* nothing absorbed: the lumen keeps every milligram */
    }
    /* columns: U of dose 0, U of dose 1, the dissolved drug (N_LOC each) */
    for (int dz = 0; dz < 2; dz++)
        for (int k = 0; k < N_LOC; k++) {
            char id[64];
            snprintf(id, sizeof id, "U_%s_d_%d", loc[k], dz);
            ASSERT_EQ_INT(mt_sim_add_output(s, id, MT_REPORT_DEFAULT), MT_OK);
        }
    for (int k = 0; k < N_LOC; k++) {
        char id[64];
        snprintf(id, sizeof id, "A_%s_d", loc[k]);
        ASSERT_EQ_INT(mt_sim_add_output(s, id, MT_REPORT_DEFAULT), MT_OK);
    }
    mt_result *r = NULL;
    ASSERT_EQ_INT(mt_sim_run(s, 0.0, 24.0, 96, &r), MT_OK);
    double worst = 0, moved = 0;
    for (size_t i = 0; i < mt_result_n_rows(r); i++) {
        double t = mt_result_time(r, i), u0 = 0, u1 = 0, a = 0;
        for (int k = 0; k < N_LOC; k++) {
            u0 += mt_result_value(r, i, (size_t)k);
            u1 += mt_result_value(r, i, (size_t)(N_LOC + k));
            a += mt_result_value(r, i, (size_t)(2 * N_LOC + k));
        }
        double e0 = t >= 1.0 ? 40.0 * survival(t - 1.5, 2.0, 0.8) : 0.0;
        double e1 = t >= 5.0 ? 30.0 * survival(t - 5.0, 1.0, 1.5) : 0.0;
        double given = (t >= 1.0 ? 40.0 : 0) + (t >= 2.0 ? 10.0 : 0) + (t >= 5.0 ? 30.0 : 0);
        worst = fmax(worst, fmax(fabs(u0 - e0), fabs(u1 - e1)));
        ASSERT_NEAR(u0, e0, 1e-6 * 40.0);
        ASSERT_NEAR(u1, e1, 1e-6 * 30.0);
        ASSERT_NEAR(u0 + u1 + a, given, 1e-6 * 80.0);
        if (t > 3.0) /* the undissolved part moves down the lumen: not all in the stomach */
            moved = fmax(moved, u0 - mt_result_value(r, i, 0));
    }
    printf("largest deviation from the closed form: %.3g mg; undissolved beyond the stomach "
           "%.3g mg\n",
           worst, moved);
    ASSERT_TRUE(moved > 1.0);
    mt_result_destroy(r);
    mt_sim_destroy(s);
    mt_program_destroy(p);
    mt_model_destroy(m);

    /* refused: a formulation without the transit model; a shape of 0; an IV formulation */
    int none[1] = {0};
    ASSERT_EQ_INT(mt_pbpk_build_gi(ctx, 1, &drug, NULL, none, &m), MT_EINVAL);
    ASSERT_TRUE(strstr(mt_errmsg(ctx), "transit model") != NULL);
    doses[1].diss_shape = 0;
    ASSERT_EQ_INT(mt_pbpk_build_gi(ctx, 1, &drug, NULL, gi, &m), MT_EINVAL);
    ASSERT_TRUE(strstr(mt_errmsg(ctx), "shape > 0") != NULL);
    doses[1].diss_shape = 1.5;
    doses[1].route = MT_DOSE_IV_BOLUS;
    ASSERT_EQ_INT(mt_pbpk_build_gi(ctx, 1, &drug, NULL, gi, &m), MT_EINVAL);
    ASSERT_TRUE(strstr(mt_errmsg(ctx), "oral dose") != NULL);
    mt_ctx_destroy(ctx);
}

static void parse_fails(mt_ctx *ctx, const char *text, const char *says)
{
    mt_regimen reg;
    ASSERT_TRUE(mt_regimen_parse(ctx, text, 24.0, 70.0, &reg) != MT_OK);
    printf("  %s -> %s\n", text, mt_errmsg(ctx));
    ASSERT_TRUE(strstr(mt_errmsg(ctx), says) != NULL);
    mt_regimen_clear(&reg);
}

static void card_fails(mt_ctx *ctx, const char *formulations, const char *says)
{
    char text[2048];
    snprintf(text, sizeof text,
             "{\"schema\": \"medtwin-drug-card/1\", \"name\": \"x\", \"version\": \"1\", "
             "\"display_name\": \"X\", \"kind\": \"pbpk\", \"absorption\": {\"formulations\": "
             "%s}}",
             formulations);
    mt_drugcard *c = NULL;
    ASSERT_TRUE(mt_drugcard_parse(ctx, text, strlen(text), "x", &c) != MT_OK);
    printf("  %s\n", mt_errmsg(ctx));
    ASSERT_TRUE(strstr(mt_errmsg(ctx), says) != NULL);
}

TEST(regimen_and_card)
{
    mt_ctx *ctx = NULL;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    mt_regimen reg;
    ASSERT_EQ_INT(mt_regimen_parse(ctx, "Itraconazole 200 mg po q24h x 3 doses as Capsule_Fed",
                                   24.0, 70.0, &reg),
                  MT_OK);
    ASSERT_STR_EQ(reg.formulation, "capsule_fed");
    ASSERT_EQ_INT((int)reg.n_doses, 3);
    mt_regimen_clear(&reg);
    ASSERT_EQ_INT(mt_regimen_parse(ctx, "midazolam 5 mg po once", 24.0, 70.0, &reg), MT_OK);
    ASSERT_STR_EQ(reg.formulation, "");
    mt_regimen_clear(&reg);
    parse_fails(ctx, "itraconazole 200 mg po once as", "expected a formulation");
    parse_fails(ctx, "itraconazole 200 mg po once as caps!", "not a formulation name");
    parse_fails(ctx, "itraconazole 200 mg iv once as capsule_fed", "oral doses only");
    parse_fails(ctx, "itraconazole 200 mg po once as a as b", "a second formulation");

    mt_drugcard *c = NULL;
    ASSERT_EQ_INT(mt_drugcard_load(ctx, NULL, "itraconazole", &c), MT_OK);
    ASSERT_EQ_INT((int)mt_drugcard_n_formulations(c), 2);
    mt_formulation f;
    ASSERT_EQ_INT(mt_drugcard_formulation(c, "capsule_fed", &f), 0);
    ASSERT_NEAR(f.t50_h, 139.0 / 60.0, 1e-12);
    ASSERT_NEAR(f.shape, 0.82, 1e-12);
    ASSERT_NEAR(f.lag_h, 0.0, 0.0);
    ASSERT_STR_EQ(f.food, "fed");
    ASSERT_EQ_INT(mt_drugcard_formulation(c, "tablet", &f), -1);
    ASSERT_TRUE(mt_drugcard_formulation_id(c, 5) == NULL);
    mt_drugcard_destroy(c);

    const char *ok = "\"id\": \"t\", \"type\": \"weibull\", \"description\": \"d\"";
    char buf[1024];
    card_fails(ctx, "{}", "must be an array");
    card_fails(ctx, "[{\"type\": \"weibull\"}]", "id");
    snprintf(buf, sizeof buf,
             "[{%s, \"dissolution_shape\": {\"value\": 1, \"unit\": \"1\", "
             "\"source\": \"s\"}}]",
             ok);
    card_fails(ctx, buf, "needs dissolution_time_50");
    snprintf(buf, sizeof buf,
             "[{%s, \"dissolution_time_50\": {\"value\": 1, \"unit\": \"kg\", "
             "\"source\": \"s\"}, \"dissolution_shape\": {\"value\": 1, "
             "\"unit\": \"1\", \"source\": \"s\"}}]",
             ok);
    card_fails(ctx, buf, "unit");
    snprintf(buf, sizeof buf,
             "[{%s, \"dissolution_time_50\": {\"value\": -3, \"unit\": \"min\", "
             "\"source\": \"s\", \"fitted\": false}, \"dissolution_shape\": "
             "{\"value\": 1, \"unit\": \"1\", \"source\": \"s\", "
             "\"fitted\": false}}]",
             ok);
    card_fails(ctx, buf, "out of range");
    card_fails(ctx, "[{\"id\": \"t\", \"type\": \"zero_order\", \"description\": \"d\"}]", "type");
    snprintf(buf, sizeof buf, "[{%s, \"food\": \"lunch\"}]", ok);
    card_fails(ctx, buf, "food");
    snprintf(buf, sizeof buf,
             "[{%s, \"dissolution_time_50\": {\"value\": 1, \"unit\": \"h\", \"source\": \"s\"}, "
             "\"dissolution_shape\": {\"value\": 1, \"unit\": \"1\", \"source\": \"s\"}}, "
             "{%s, \"dissolution_time_50\": {\"value\": 1, \"unit\": \"h\", \"source\": \"s\"}, "
             "\"dissolution_shape\": {\"value\": 1, \"unit\": \"1\", \"source\": \"s\"}}]",
             ok, ok);
    card_fails(ctx, buf, "given twice");
    mt_ctx_destroy(ctx);
}

/* Tmax and Cmax of the reference man's itraconazole 200 mg po, as text says. */
static mt_status run(mt_ctx *ctx, const mt_twin_tables *t, const mt_profile *man, const char *text,
                     double *tmax, double *cmax)
{
    mt_regimen reg;
    mt_predictor *pr = NULL;
    mt_prediction res = {0};
    mt_predict_options o = {.until_h = 48, .steps = 48 * 20};
    mt_status st = mt_regimen_parse(ctx, text, 48.0, 73.0, &reg);
    if (st == MT_OK)
        st = mt_predictor_create(ctx, 1, &reg, &pr);
    if (st == MT_OK)
        st = mt_predictor_derive(pr, t, man, NULL);
    if (st == MT_OK)
        st = mt_predictor_run(pr, &o, &res);
    if (st == MT_OK) {
        *tmax = res.drugs[0].exposure.tmax;
        *cmax = res.drugs[0].exposure.cmax;
    }
    mt_prediction_clear(&res);
    mt_predictor_destroy(pr);
    mt_regimen_clear(&reg);
    return st;
}

TEST(itraconazole_capsule)
{
    mt_ctx *ctx = NULL;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    mt_twin_tables *t = NULL;
    ASSERT_EQ_INT(mt_twin_tables_load(ctx, NULL, &t), MT_OK);
    mt_profile *man = NULL;
    ASSERT_EQ_INT(load_reference_man(ctx, &man), MT_OK);
    double ts = 0, cs = 0, tc = 0, cc = 0;
    ASSERT_EQ_INT(run(ctx, t, man, "itraconazole 200 mg po once", &ts, &cs), MT_OK);
    ASSERT_EQ_INT(run(ctx, t, man, "itraconazole 200 mg po once as capsule_fed", &tc, &cc), MT_OK);
    printf("solution: tmax %.2f h, cmax %.4g mg/L; fed capsule: tmax %.2f h, cmax %.4g mg/L\n", ts,
           cs, tc, cc);
    ASSERT_TRUE(tc > ts);
    ASSERT_TRUE(cc < cs);
    ASSERT_TRUE(run(ctx, t, man, "itraconazole 200 mg po once as tablet", &tc, &cc) == MT_EINVAL);
    ASSERT_TRUE(strstr(mt_errmsg(ctx), "capsule_fasted, capsule_fed") != NULL);
    ASSERT_TRUE(run(ctx, t, man, "midazolam 2 mg po once as capsule_fed", &tc, &cc) == MT_EINVAL);
    ASSERT_TRUE(strstr(mt_errmsg(ctx), "it has: none") != NULL);
    mt_profile_destroy(man);
    mt_twin_tables_destroy(t);
    mt_ctx_destroy(ctx);
}

TEST_MAIN(TEST_ENTRY(weibull_dissolution), TEST_ENTRY(regimen_and_card),
          TEST_ENTRY(itraconazole_capsule))
