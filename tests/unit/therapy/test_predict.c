/* SPDX-License-Identifier: Apache-2.0
 * tests/unit/therapy/test_predict.c — the twin runner (medtwin/predict.h) on the reference
 * person (data/validation) and the midazolam card, which gives a complete IV twin:
 *   - values by id: an id without the drug suffix reaches every drug, an unknown id is
 *     MT_ENOTFOUND, an unset parameter makes the twin incomplete (MT_EINVAL naming it);
 *   - one compiled model re-run with other values: doubling CL_H lowers the AUC, and going
 *     back reproduces the first run exactly;
 *   - mt_predictor_sample at grid times equals the run's grid values;
 *   - mt_predict (the whole chain once) equals the step-by-step path;
 *   - an IV bolus at 2 h or 24 h gives the AUC of the same bolus at 0 (the course carries the
 *     jump; on the grid alone the interval ending at the dose would count half of it);
 *   - solver noise below zero is judged in plasma terms (atol / (V_ven B:P)). */
#define _POSIX_C_SOURCE 200809L
#include "harness.h"
#include "medtwin/data.h"
#include "medtwin/predict.h"
#include "medtwin/profile.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static mt_ctx *ctx;
static mt_twin_tables *tables;
static mt_profile *person;

static void iv_regimen(mt_regimen *r, const char *drug, double mg, double at_h)
{
    static mt_dose dose[4];
    static int k;
    mt_dose *d = &dose[k++ % 4];
    memset(r, 0, sizeof *r);
    snprintf(r->drug, sizeof r->drug, "%s", drug);
    r->dose_mg = mg;
    r->route = MT_DOSE_IV_BOLUS;
    r->first_h = at_h;
    r->n_doses = 1;
    *d = (mt_dose){at_h, mg, MT_DOSE_IV_BOLUS, 0, 0, 0, 0};
    r->doses = d; /* borrowed: never mt_regimen_clear'ed here */
}

TEST(values_by_id)
{
    mt_regimen reg[2];
    iv_regimen(&reg[0], "a", 1, 0);
    iv_regimen(&reg[1], "b", 2, 1);
    mt_predictor *p = NULL;
    ASSERT_EQ_INT(mt_predictor_create(ctx, 2, reg, &p), MT_OK);
    ASSERT_EQ_INT((long long)mt_predictor_n_drugs(p), 2);
    ASSERT_EQ_INT(mt_predictor_set(p, "CL_H", 12.5), MT_OK);
    ASSERT_EQ_INT(mt_predictor_set(p, "V_liv", 1.8), MT_OK);
    ASSERT_EQ_INT(mt_predictor_set(p, "nonsense", 1), MT_ENOTFOUND);
    ASSERT_TRUE(strstr(mt_errmsg(ctx), "nonsense") != NULL);
    ASSERT_EQ_INT(mt_predictor_set(p, "V_liv", NAN), MT_EINVAL);
    size_t n = mt_predictor_n_values(p);
    ASSERT_EQ_INT((long long)n, 3); /* CL_H_a, CL_H_b, V_liv */
    const char *const *ids = mt_predictor_value_ids(p);
    ASSERT_STR_EQ(ids[0], "CL_H_a");
    ASSERT_STR_EQ(ids[1], "CL_H_b");
    ASSERT_NEAR(mt_predictor_values(p)[1], 12.5, 0);
    ASSERT_EQ_INT(mt_predictor_set(p, "CL_H_b", 3), MT_OK); /* replaced in place */
    ASSERT_EQ_INT((long long)mt_predictor_n_values(p), 3);
    ASSERT_NEAR(mt_predictor_values(p)[1], 3, 0);
    ASSERT_EQ_INT(mt_predictor_check(p), MT_EINVAL);
    ASSERT_TRUE(strstr(mt_errmsg(ctx), "incomplete") != NULL);
    mt_prediction r = {0};
    ASSERT_EQ_INT(mt_predictor_run(p, NULL, &r), MT_EINVAL);
    ASSERT_EQ_INT((long long)r.n_times, 0);
    mt_predictor_destroy(p);
    /* one regimen per drug */
    iv_regimen(&reg[1], "a", 2, 1);
    ASSERT_EQ_INT(mt_predictor_create(ctx, 2, reg, &p), MT_EINVAL);
    ASSERT_TRUE(p == NULL);
}

/* The reference person's twin of one IV bolus of `mg` mg of drug at 0 h (reg keeps the regimen):
 * created and derived, or NULL. */
static mt_predictor *iv_twin(mt_regimen *reg, const char *drug, double mg)
{
    iv_regimen(reg, drug, mg, 0);
    mt_predictor *p = NULL;
    if (mt_predictor_create_ddi(ctx, tables, 1, reg, NULL, &p) != MT_OK)
        return NULL;
    if (mt_predictor_derive(p, tables, person, NULL) != MT_OK) {
        mt_predictor_destroy(p);
        return NULL;
    }
    return p;
}

TEST(rerun_with_other_values)
{
    mt_regimen reg;
    mt_predictor *p = iv_twin(&reg, "midazolam", 1);
    ASSERT_TRUE(p != NULL);
    ASSERT_TRUE(mt_predictor_twin(p)->n_params > 0);
    ASSERT_EQ_INT(mt_predictor_check(p), MT_OK);
    double cl = NAN;
    for (size_t i = 0; i < mt_predictor_n_values(p); i++)
        if (!strcmp(mt_predictor_value_ids(p)[i], "CL_H_midazolam"))
            cl = mt_predictor_values(p)[i];
    ASSERT_TRUE(cl > 0);
    mt_predict_options o = {.until_h = 24, .steps = 24 * 60};
    mt_prediction r1 = {0}, r2 = {0}, r3 = {0};
    ASSERT_EQ_INT(mt_predictor_run(p, &o, &r1), MT_OK);
    ASSERT_EQ_INT((long long)r1.n_times, 24 * 60 + 1);
    ASSERT_STR_EQ(r1.drugs[0].drug, "midazolam");
    ASSERT_TRUE(r1.drugs[0].exposure.auc_0_inf > 0);
    ASSERT_EQ_INT(mt_predictor_set(p, "CL_H", 2 * cl), MT_OK);
    ASSERT_EQ_INT(mt_predictor_run(p, &o, &r2), MT_OK);
    ASSERT_TRUE(r2.drugs[0].exposure.auc_0_inf < 0.9 * r1.drugs[0].exposure.auc_0_inf);
    ASSERT_EQ_INT(mt_predictor_set(p, "CL_H_midazolam", cl), MT_OK);
    ASSERT_EQ_INT(mt_predictor_run(p, &o, &r3), MT_OK);
    for (size_t i = 0; i < r1.n_times; i++)
        ASSERT_TRUE(r1.drugs[0].conc_mg_l[i] == r3.drugs[0].conc_mg_l[i]);
    /* exact values at chosen times = the run's grid values there */
    double t[4] = {0.5, 2, 0.5, 23.75}, c[4];
    ASSERT_EQ_INT(mt_predictor_sample(p, &o, 4, t, c), MT_OK);
    ASSERT_NEAR(c[0], r1.drugs[0].conc_mg_l[30], 1e-5 * c[0]);
    ASSERT_NEAR(c[1], r1.drugs[0].conc_mg_l[120], 1e-5 * c[1]);
    ASSERT_TRUE(c[2] == c[0]);
    ASSERT_NEAR(c[3], r1.drugs[0].conc_mg_l[1425], 1e-4 * c[3]);
    double bad = -1;
    ASSERT_EQ_INT(mt_predictor_sample(p, &o, 1, &bad, c), MT_EINVAL);
    /* the whole chain once */
    mt_prediction r4 = {0};
    ASSERT_EQ_INT(mt_predict(ctx, tables, person, 1, &reg, 0, NULL, NULL, &o, &r4), MT_OK);
    ASSERT_TRUE(r4.twin.n_params == mt_predictor_twin(p)->n_params);
    for (size_t i = 0; i < r1.n_times; i++)
        ASSERT_TRUE(r1.drugs[0].conc_mg_l[i] == r4.drugs[0].conc_mg_l[i]);
    mt_prediction_clear(&r1);
    mt_prediction_clear(&r2);
    mt_prediction_clear(&r3);
    mt_prediction_clear(&r4);
    mt_prediction_clear(&r4); /* cleared twice is harmless */
    mt_predictor_destroy(p);
}

/* Solver noise is judged in plasma terms: the absolute tolerance bounds the venous amount (mg),
 * so a plasma concentration A_ven / (V_ven B:P) carries it divided by V_ven B:P. With B:P set to
 * 0.002 (V_ven B:P about 0.003 L) alprazolam 0.01 mg IV leaves values of about -1.3e-9 mg/L
 * after 500 h that were refused as negative when the noise bound was atol itself; they are 0. */
TEST(solver_noise_in_plasma_terms)
{
    mt_regimen reg;
    mt_predictor *p = iv_twin(&reg, "alprazolam", 0.01);
    ASSERT_TRUE(p != NULL);
    ASSERT_EQ_INT(mt_predictor_set(p, "BP", 0.002), MT_OK);
    mt_predict_options o = {.until_h = 3000};
    mt_prediction r = {0};
    mt_status st = mt_predictor_run(p, &o, &r);
    if (st != MT_OK)
        printf("  %s\n", mt_errmsg(ctx));
    ASSERT_EQ_INT(st, MT_OK);
    double lo = 0;
    for (size_t i = 0; i < r.n_times; i++)
        lo = fmin(lo, r.drugs[0].conc_mg_l[i]);
    printf("  lowest concentration %g mg/L, AUC %g mg h/L\n", lo, r.drugs[0].exposure.auc_0_last);
    ASSERT_TRUE(lo == 0.0 && r.drugs[0].exposure.auc_0_last > 0);
    mt_prediction_clear(&r);
    mt_predictor_destroy(p);
}

TEST(unknown_drug_card)
{
    mt_regimen reg;
    iv_regimen(&reg, "nosuchdrug", 1, 0);
    mt_predictor *p = NULL;
    ASSERT_EQ_INT(mt_predictor_create_ddi(ctx, tables, 1, &reg, NULL, &p), MT_ENOTFOUND);
    ASSERT_TRUE(strstr(mt_errmsg(ctx), "nosuchdrug") != NULL);
    ASSERT_TRUE(p == NULL);
}

TEST(bolus_later_same_auc)
{
    double auc[3];
    const double at[3] = {0, 2, 24};
    for (int k = 0; k < 3; k++) {
        mt_regimen reg;
        iv_regimen(&reg, "midazolam", 1, at[k]);
        /* tolerances well below the 1e-6 the AUCs are compared at: midazolam's fast specific
         * binding (GABRG2, koff 60/h) adds stiff states whose solver error at the default rtol
         * 1e-6 is of that order */
        mt_predict_options o = {.until_h = 200, .rtol = 1e-9, .atol = 1e-12};
        mt_prediction r = {0};
        ASSERT_EQ_INT(mt_predict(ctx, tables, person, 1, &reg, 0, NULL, NULL, &o, &r), MT_OK);
        const mt_predicted_drug *d = &r.drugs[0];
        auc[k] = d->exposure.auc_0_inf;
        ASSERT_EQ_INT((long long)d->n_course, (long long)r.n_times + (at[k] > 0 ? 1 : 0));
        ASSERT_NEAR(d->exposure.tmax, at[k], 1e-9);
        mt_prediction_clear(&r);
    }
    ASSERT_NEAR(auc[1], auc[0], 1e-6 * auc[0]);
    ASSERT_NEAR(auc[2], auc[0], 1e-6 * auc[0]);
}

int main(void)
{
    char path[4096];
    if (mt_ctx_create(&ctx) != MT_OK || mt_twin_tables_load(ctx, NULL, &tables) != MT_OK)
        return 1;
    snprintf(path, sizeof path, "%s/validation/reference_adult_male.json", mt_data_dir());
    if (mt_profile_load(ctx, path, &person) != MT_OK) {
        fprintf(stderr, "%s\n", mt_errmsg(ctx));
        return 1;
    }
    static const mt_test_case tests[] = {
        TEST_ENTRY(values_by_id), TEST_ENTRY(rerun_with_other_values),
        TEST_ENTRY(unknown_drug_card), TEST_ENTRY(bolus_later_same_auc),
        TEST_ENTRY(solver_noise_in_plasma_terms)};
    int rc = mt_run_(tests, sizeof tests / sizeof *tests);
    mt_profile_destroy(person);
    mt_twin_tables_destroy(tables);
    mt_ctx_destroy(ctx);
    return rc;
}
