/* SPDX-License-Identifier: Apache-2.0
 *
 * tests/unit/poppk/test_poppk.c — population-PK cards (poppk/poppk.c): every card in
 * data/poppk loads, names a source for every value and yields an SBML model that loads and
 * simulates; typical values at the reference covariates equal the published values printed
 * on the cards; covariate relations and genotype factors agree with hand computations from
 * the published equations; the SBML models agree with closed forms (1-cpt IV bolus, 1-cpt
 * oral, 2-cpt IV bolus) and follow parameter overrides; malformed cards are refused with a
 * message naming the field.
 */
#define _POSIX_C_SOURCE 200809L
#include "harness.h"
#include "medtwin/medtwin.h"
#include "medtwin/poppk.h"
#include "medtwin/sim.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int contains(const char *hay, const char *needle)
{
    return hay && needle && strstr(hay, needle) != NULL;
}

#define ASSERT_CONTAINS(hay, needle)                                                               \
    MT_RET_(mt_check_(contains((hay), (needle)), __FILE__, __LINE__, "'%s' does not contain '%s'", \
                      (hay) ? (hay) : "(null)", (needle)))

/* Relative comparison: |a - b| <= tol * |b|. */
#define ASSERT_REL(a, b, tol) ASSERT_NEAR((a), (b), (tol)*fabs(b))

static double param(mt_ctx *ctx, const mt_poppk *c, const mt_poppk_covariates *cov,
                    const char *name)
{
    double theta[32];
    int i = mt_poppk_param_index(c, name);
    if (i < 0 || mt_poppk_n_params(c) > 32 || mt_poppk_typical(ctx, c, cov, theta) != MT_OK)
        return NAN;
    return theta[i];
}

/* A minimal valid card: 1 compartment, IV, CL with a weight effect. */
static const char *const MIN_CARD =
    "{\"schema\": \"medtwin-poppk-card/1\", \"drug\": \"testdrug\", \"kind\": \"poppk\",\n"
    " \"citation\": {\"authors\": \"Nobody A\", \"year\": 2000, \"title\": \"A test\",\n"
    "              \"journal\": \"J Test\"},\n"
    " \"source_seen\": [\"this test\"],\n"
    " \"model\": {\"structure\": \"1cpt\", \"absorption\": \"iv\"},\n"
    " \"effects\": {\"TH_WT\": {\"value\": 0.75, \"unit\": \"1\", \"source\": \"test\"}},\n"
    " \"covariates\": [{\"name\": \"WT\", \"type\": \"continuous\", \"unit\": \"kg\",\n"
    "                 \"reference\": 70, \"source\": \"test\"}],\n"
    " \"parameters\": {\n"
    "   \"CL\": {\"typical\": 4.0, \"unit\": \"L/h\", \"covariates\": \"CL * (WT / 70)^TH_WT\",\n"
    "          \"iiv\": {\"omega\": 0.09, \"source\": \"test\"}, \"source\": \"test\"},\n"
    "   \"V1\": {\"typical\": 30.0, \"unit\": \"L\", \"source\": \"test\"}},\n"
    " \"residual\": {\"form\": \"additive\", \"additive_sd\": 500, \"unit\": \"ng/mL\",\n"
    "              \"source\": \"test\"}}\n";

/* MIN_CARD with the first occurrence of `from` replaced by `to`. */
static char *variant(const char *from, const char *to)
{
    const char *at = strstr(MIN_CARD, from);
    if (!at)
        return NULL;
    size_t n = strlen(MIN_CARD) - strlen(from) + strlen(to) + 1;
    char *s = malloc(n);
    if (!s)
        return NULL;
    snprintf(s, n, "%.*s%s%s", (int)(at - MIN_CARD), MIN_CARD, to, at + strlen(from));
    return s;
}

/* Simulates the card's SBML from t = 0 with `dose` mg in `target`, parameter overrides
 * (ids, values), and returns `out` at times t[0..n-1] in y. */
static int simulate(mt_ctx *ctx, const mt_poppk *c, const char *target, double dose, size_t n_set,
                    const char *const *ids, const double *vals, const char *out, const double *t,
                    size_t n, double *y)
{
    char *xml = NULL;
    mt_model *m = NULL;
    mt_program *p = NULL;
    mt_sim *s = NULL;
    mt_result *r = NULL;
    int ok = 0;
    if (mt_poppk_sbml(ctx, c, &xml) != MT_OK)
        goto done;
    if (mt_model_load_string(ctx, xml, strlen(xml), NULL, &m) != MT_OK)
        goto done;
    if (mt_program_create_native(ctx, m, MT_NATIVE_OFF, &p) != MT_OK)
        goto done;
    if (mt_sim_create(ctx, p, &s) != MT_OK || mt_sim_set_tolerances(s, 1e-11, 1e-13) != MT_OK)
        goto done;
    if (mt_sim_set_value(s, target, dose) != MT_OK)
        goto done;
    for (size_t i = 0; i < n_set; i++)
        if (mt_sim_set_value(s, ids[i], vals[i]) != MT_OK)
            goto done;
    if (mt_sim_add_output(s, out, MT_REPORT_DEFAULT) != MT_OK)
        goto done;
    /* outputs on a grid of 0.5 h; every t[] is a multiple of 0.5 h */
    double t_end = t[n - 1];
    long steps = (long)llround(t_end / 0.5);
    if (mt_sim_run(s, 0, t_end, steps, &r) != MT_OK)
        goto done;
    for (size_t i = 0; i < n; i++) {
        size_t row = (size_t)llround(t[i] / 0.5);
        if (row >= mt_result_n_rows(r))
            goto done;
        y[i] = mt_result_value(r, row, 0);
    }
    ok = 1;
done:
    if (!ok)
        printf("# simulate %s: %s\n", mt_poppk_drug(c), mt_errmsg(ctx));
    mt_result_destroy(r);
    mt_sim_destroy(s);
    mt_program_destroy(p);
    mt_model_destroy(m);
    free(xml);
    return ok;
}

/* ---- the bundled cards ---------------------------------------------------------------------- */

TEST(every_card_loads_with_sources)
{
    mt_ctx *ctx = NULL;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    char **names = NULL;
    size_t n = 0;
    ASSERT_EQ_INT(mt_poppk_list(ctx, &names, &n), MT_OK);
    ASSERT_TRUE(n >= 4);
    static const char *const want[] = {"phenobarbital", "tacrolimus", "vancomycin", "warfarin"};
    for (size_t k = 0; k < 4; k++) {
        int found = 0;
        for (size_t i = 0; i < n; i++)
            found |= !strcmp(names[i], want[k]);
        ASSERT_TRUE(found);
    }
    for (size_t i = 0; i < n; i++) {
        mt_poppk *c = NULL;
        mt_status st = mt_poppk_load(ctx, names[i], &c);
        MT_RET_(
            mt_check_(st == MT_OK, __FILE__, __LINE__, "card %s: %s", names[i], mt_errmsg(ctx)));
        ASSERT_STR_EQ(mt_poppk_drug(c), names[i]);
        ASSERT_TRUE(strlen(mt_poppk_citation(c)) > 20);
        ASSERT_TRUE(mt_poppk_n_sources(c) >= 1);
        ASSERT_TRUE(strlen(mt_poppk_source_seen(c, 0)) > 10);
        ASSERT_TRUE(mt_poppk_n_params(c) >= 2);
        for (size_t k = 0; k < mt_poppk_n_params(c); k++) {
            ASSERT_TRUE(mt_poppk_param_source(c, k) && *mt_poppk_param_source(c, k));
            ASSERT_TRUE(mt_poppk_param_unit(c, k) && *mt_poppk_param_unit(c, k));
            ASSERT_TRUE(mt_poppk_param_published(c, k) > 0);
        }
        mt_poppk_residual res;
        ASSERT_EQ_INT(mt_poppk_residual_get(c, "Cc", &res), MT_OK);
        ASSERT_TRUE(res.source && *res.source);
        ASSERT_TRUE(res.additive_sd > 0 || res.proportional_cv > 0);
        /* typical values at the reference covariates exist and are finite */
        mt_poppk_covariates ref;
        mt_poppk_reference_covariates(c, &ref);
        double theta[32];
        ASSERT_TRUE(mt_poppk_n_params(c) <= 32);
        ASSERT_EQ_INT(mt_poppk_typical(ctx, c, &ref, theta), MT_OK);
        /* the SBML model loads and simulates a dose into its dose target */
        double t[] = {1, 24}, y[2];
        ASSERT_TRUE(simulate(ctx, c, mt_poppk_dose_target(c), 100, 0, NULL, NULL, "Cc", t, 2, y));
        ASSERT_TRUE(y[0] > 0 && y[1] > 0 && isfinite(y[0]));
        mt_poppk_destroy(c);
    }
    mt_poppk_names_free(ctx, names, n);
    mt_ctx_destroy(ctx);
}

TEST(vancomycin_crcl_and_weight)
{
    mt_ctx *ctx = NULL;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    mt_poppk *c = NULL;
    ASSERT_EQ_INT(mt_poppk_load(ctx, "vancomycin", &c), MT_OK);
    ASSERT_STR_EQ(mt_poppk_structure(c), "2cpt");
    ASSERT_STR_EQ(mt_poppk_dose_target(c), "central");
    mt_poppk_covariates cov;
    mt_poppk_reference_covariates(c, &cov);
    /* Thomson 2009 as transcribed: CL 2.99 L/h at CrCl 66 mL/min, V1 0.675 L/kg, Q 2.28 L/h,
     * V2 0.732 L/kg */
    ASSERT_REL(param(ctx, c, &cov, "CL"), 2.99, 1e-12);
    ASSERT_REL(param(ctx, c, &cov, "Q"), 2.28, 1e-12);
    cov.weight_kg = 80;
    ASSERT_REL(param(ctx, c, &cov, "V1"), 0.675 * 80, 1e-12);
    ASSERT_REL(param(ctx, c, &cov, "V2"), 0.732 * 80, 1e-12);
    cov.crcl_ml_min = 60;
    double cl60 = param(ctx, c, &cov, "CL");
    cov.crcl_ml_min = 120;
    double cl120 = param(ctx, c, &cov, "CL");
    ASSERT_REL(cl60, 2.99 * (1 + 0.0154 * (60 - 66)), 1e-12);
    ASSERT_REL(cl120, 2.99 * (1 + 0.0154 * (120 - 66)), 1e-12);
    ASSERT_TRUE(cl120 > cl60);
    /* a covariate the card needs and the struct lacks */
    cov.crcl_ml_min = NAN;
    double theta[8];
    ASSERT_EQ_INT(mt_poppk_typical(ctx, c, &cov, theta), MT_EINVAL);
    ASSERT_CONTAINS(mt_errmsg(ctx), "CRCL");
    /* IIV and residual error */
    size_t n = mt_poppk_n_params(c);
    double om[16];
    ASSERT_EQ_INT(n, 4);
    mt_poppk_omega(c, om);
    int icl = mt_poppk_param_index(c, "CL"), iv = mt_poppk_param_index(c, "V1");
    int iq = mt_poppk_param_index(c, "Q");
    ASSERT_NEAR(om[icl * 4 + icl], 0.0729, 1e-15);
    ASSERT_NEAR(om[iv * 4 + iv], 0.0225, 1e-15);
    ASSERT_NEAR(om[icl * 4 + iv], 0.01, 1e-15);
    ASSERT_NEAR(om[iv * 4 + icl], 0.01, 1e-15);
    ASSERT_NEAR(om[iq * 4 + icl], 0, 0);
    mt_poppk_residual r;
    ASSERT_EQ_INT(mt_poppk_residual_get(c, "Cc", &r), MT_OK);
    ASSERT_STR_EQ(r.form, "combined");
    ASSERT_NEAR(r.additive_sd, 1.6, 1e-15);
    ASSERT_NEAR(r.proportional_cv, 0.15, 1e-15);
    ASSERT_EQ_INT(mt_poppk_residual_get(c, "INR", &r), MT_ENOTFOUND);
    mt_poppk_destroy(c);
    mt_ctx_destroy(ctx);
}

TEST(warfarin_genotypes_and_age)
{
    mt_ctx *ctx = NULL;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    mt_poppk *c = NULL;
    ASSERT_EQ_INT(mt_poppk_load(ctx, "warfarin", &c), MT_OK);
    ASSERT_STR_EQ(mt_poppk_pd(c), "hamberg_inr");
    ASSERT_STR_EQ(mt_poppk_dose_target(c), "depot");
    mt_poppk_covariates cov;
    mt_poppk_reference_covariates(c, &cov);
    /* Hamberg 2007 Table 2/4 as transcribed: CL_S 0.314 L/h (CYP2C9 wild type, 71 y), EC50 4.61
     * mg/L (GG) */
    ASSERT_REL(param(ctx, c, &cov, "CL"), 0.314, 1e-12);
    ASSERT_REL(param(ctx, c, &cov, "EC50"), 4.61, 1e-12);
    ASSERT_REL(param(ctx, c, &cov, "MTT2"), 120.0, 1e-12);
    ASSERT_EQ_INT(mt_poppk_covariates_set_genotype(&cov, "CYP2C9", "*1/*3"), MT_OK);
    ASSERT_REL(param(ctx, c, &cov, "CL"), 0.314 * (1 - 0.453), 1e-12);
    cov.age_years = 50;
    ASSERT_EQ_INT(mt_poppk_covariates_set_genotype(&cov, "CYP2C9", "*2/*3"), MT_OK);
    ASSERT_REL(param(ctx, c, &cov, "CL"), 0.314 * (1 - 0.0091 * (50 - 71)) * (1 - 0.690), 1e-12);
    ASSERT_EQ_INT(mt_poppk_covariates_set_genotype(&cov, "VKORC1", "AA"), MT_OK);
    ASSERT_REL(param(ctx, c, &cov, "EC50"), 2.20, 1e-12);
    ASSERT_EQ_INT(mt_poppk_covariates_set_genotype(&cov, "VKORC1", "GA"), MT_OK);
    ASSERT_REL(param(ctx, c, &cov, "EC50"), 3.02, 1e-12);
    /* an unknown genotype category, then a missing gene */
    double theta[32];
    ASSERT_EQ_INT(mt_poppk_covariates_set_genotype(&cov, "CYP2C9", "*9/*9"), MT_OK);
    ASSERT_EQ_INT(mt_poppk_typical(ctx, c, &cov, theta), MT_EINVAL);
    ASSERT_CONTAINS(mt_errmsg(ctx), "CYP2C9 genotype '*9/*9'");
    mt_poppk_covariates bare;
    mt_poppk_covariates_init(&bare);
    bare.age_years = 60;
    bare.baseline_inr = 1;
    ASSERT_EQ_INT(mt_poppk_covariates_set_genotype(&bare, "CYP2C9", "*1/*1"), MT_OK);
    ASSERT_EQ_INT(mt_poppk_typical(ctx, c, &bare, theta), MT_EINVAL);
    ASSERT_CONTAINS(mt_errmsg(ctx), "VKORC1");
    /* IIV on EC50, none on Q; INR residual */
    size_t n = mt_poppk_n_params(c);
    double *om = calloc(n * n, sizeof *om);
    ASSERT_TRUE(om != NULL);
    mt_poppk_omega(c, om);
    size_t ie = (size_t)mt_poppk_param_index(c, "EC50"), iq = (size_t)mt_poppk_param_index(c, "Q");
    double oe = om[ie * n + ie], oq = om[iq * n + iq];
    free(om);
    ASSERT_NEAR(oe, 0.409, 1e-15);
    ASSERT_NEAR(oq, 0, 0);
    mt_poppk_residual r;
    ASSERT_EQ_INT(mt_poppk_residual_get(c, "INR", &r), MT_OK);
    ASSERT_STR_EQ(r.form, "exponential");
    ASSERT_NEAR(r.proportional_cv, 0.0325, 1e-15);
    /* the INR starts at the baseline and rises after 10 mg daily for 5 days (a bolus of 50 mg
     * stands in for it here); a VKORC1 AA patient (lower EC50) responds more */
    double t[] = {0.5, 72}, y[2], ya[2];
    ASSERT_TRUE(simulate(ctx, c, "depot", 50, 0, NULL, NULL, "INR", t, 2, y));
    ASSERT_NEAR(y[0], 1.0, 0.05);
    ASSERT_TRUE(y[1] > 1.2);
    const char *ids[] = {"EC50"};
    double vals[] = {2.20};
    ASSERT_TRUE(simulate(ctx, c, "depot", 50, 1, ids, vals, "INR", t, 2, ya));
    ASSERT_TRUE(ya[1] > y[1]);
    mt_poppk_destroy(c);
    mt_ctx_destroy(ctx);
}

TEST(tacrolimus_cyp3a5_and_bsa)
{
    mt_ctx *ctx = NULL;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    mt_poppk *c = NULL;
    ASSERT_EQ_INT(mt_poppk_load(ctx, "tacrolimus", &c), MT_OK);
    mt_poppk_covariates cov;
    mt_poppk_reference_covariates(c, &cov);
    ASSERT_REL(param(ctx, c, &cov, "CL"), 22.5, 1e-12);
    ASSERT_REL(param(ctx, c, &cov, "V2"), 6590.0, 1e-12);
    ASSERT_EQ_INT(mt_poppk_covariates_set_genotype(&cov, "CYP3A5", "*1/*3"), MT_OK);
    ASSERT_EQ_INT(mt_poppk_covariates_set_genotype(&cov, "CYP3A4", "*1/*22"), MT_OK);
    cov.age_years = 40;
    cov.bsa_m2 = 2.1;
    double want = 22.5 * 1.62 * 0.814 * pow(40 / 55.72, -0.50) * pow(2.1 / 1.93, 0.72);
    ASSERT_REL(param(ctx, c, &cov, "CL"), want, 1e-12);
    /* IIV given as CV: omega = log(1 + CV^2) */
    size_t n = mt_poppk_n_params(c);
    double *om = calloc(n * n, sizeof *om);
    ASSERT_TRUE(om != NULL);
    mt_poppk_omega(c, om);
    size_t icl = (size_t)mt_poppk_param_index(c, "CL");
    double ocl = om[icl * n + icl];
    free(om);
    ASSERT_NEAR(ocl, log(1 + 0.394 * 0.394), 1e-12);
    mt_poppk_destroy(c);
    mt_ctx_destroy(ctx);
}

TEST(phenobarbital_neonate_and_oral_closed_form)
{
    mt_ctx *ctx = NULL;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    mt_poppk *c = NULL;
    ASSERT_EQ_INT(mt_poppk_load(ctx, "phenobarbital", &c), MT_OK);
    mt_poppk_covariates cov;
    mt_poppk_reference_covariates(c, &cov);
    ASSERT_REL(param(ctx, c, &cov, "CL"), 0.00909, 1e-12);
    ASSERT_REL(param(ctx, c, &cov, "V1"), 2.38, 1e-12);
    cov.postnatal_age_days = 10;
    cov.birth_weight_kg = 3.0;
    cov.weight_kg = 3.1;
    ASSERT_REL(param(ctx, c, &cov, "CL"), 0.00909 * (1 + 0.0533 * 5.5) * (1 + 0.369 * 0.41), 1e-12);
    ASSERT_REL(param(ctx, c, &cov, "V1"), 2.38 * (1 + 0.309 * 0.4), 1e-12);
    /* oral dose into depot: C = F D ka / (V (ka - k)) (exp(-k t) - exp(-ka t)) */
    double CL = 0.00909, V = 2.38, KA = 50, F = 0.594, D = 10, k = CL / V;
    double t[] = {0.5, 2, 12, 48, 96}, y[5];
    ASSERT_TRUE(simulate(ctx, c, "depot", D, 0, NULL, NULL, "Cc", t, 5, y));
    for (size_t i = 0; i < 5; i++) {
        double want = F * D * KA / (V * (KA - k)) * (exp(-k * t[i]) - exp(-KA * t[i]));
        ASSERT_REL(y[i], want, 1e-6);
    }
    /* an IV loading dose into central: C = D / V exp(-CL/V t) */
    ASSERT_TRUE(simulate(ctx, c, "central", 50, 0, NULL, NULL, "Cc", t, 5, y));
    for (size_t i = 0; i < 5; i++)
        ASSERT_REL(y[i], 50 / V * exp(-k * t[i]), 1e-6);
    mt_poppk_destroy(c);
    mt_ctx_destroy(ctx);
}

TEST(one_cpt_iv_bolus_closed_form_and_overrides)
{
    mt_ctx *ctx = NULL;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    mt_poppk *c = NULL;
    ASSERT_EQ_INT(mt_poppk_parse(ctx, MIN_CARD, strlen(MIN_CARD), &c), MT_OK);
    ASSERT_STR_EQ(mt_poppk_dose_target(c), "central");
    mt_poppk_residual r;
    ASSERT_EQ_INT(mt_poppk_residual_get(c, "Cc", &r), MT_OK);
    ASSERT_NEAR(r.additive_sd, 0.5, 1e-15); /* 500 ng/mL */
    double t[] = {0.5, 1, 4, 12, 24}, y[5];
    ASSERT_TRUE(simulate(ctx, c, "central", 1000, 0, NULL, NULL, "Cc", t, 5, y));
    for (size_t i = 0; i < 5; i++)
        ASSERT_REL(y[i], 1000 / 30.0 * exp(-4.0 / 30.0 * t[i]), 1e-6);
    /* setting CL and V1 changes the model */
    const char *ids[] = {"CL", "V1"};
    double vals[] = {9.0, 45.0};
    ASSERT_TRUE(simulate(ctx, c, "central", 1000, 2, ids, vals, "Cc", t, 5, y));
    for (size_t i = 0; i < 5; i++)
        ASSERT_REL(y[i], 1000 / 45.0 * exp(-9.0 / 45.0 * t[i]), 1e-6);
    /* a person: CL at 50 kg */
    mt_poppk_covariates cov;
    mt_poppk_covariates_init(&cov);
    cov.weight_kg = 50;
    ASSERT_REL(param(ctx, c, &cov, "CL"), 4.0 * pow(50 / 70.0, 0.75), 1e-12);
    mt_poppk_destroy(c);
    mt_ctx_destroy(ctx);
}

TEST(two_cpt_iv_bolus_closed_form)
{
    mt_ctx *ctx = NULL;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    mt_poppk *c = NULL;
    ASSERT_EQ_INT(mt_poppk_load(ctx, "vancomycin", &c), MT_OK);
    /* default SBML values: reference covariates (CrCl 66 mL/min, 70 kg) */
    double CL = 2.99, V1 = 0.675 * 70, Q = 2.28, V2 = 0.732 * 70, D = 1000;
    double k10 = CL / V1, k12 = Q / V1, k21 = Q / V2, s = k10 + k12 + k21;
    double alpha = (s + sqrt(s * s - 4 * k10 * k21)) / 2,
           beta = (s - sqrt(s * s - 4 * k10 * k21)) / 2;
    double A = D / V1 * (alpha - k21) / (alpha - beta), B = D / V1 * (k21 - beta) / (alpha - beta);
    double t[] = {0.5, 2, 8, 24, 72}, y[5];
    ASSERT_TRUE(simulate(ctx, c, "central", D, 0, NULL, NULL, "Cc", t, 5, y));
    for (size_t i = 0; i < 5; i++)
        ASSERT_REL(y[i], A * exp(-alpha * t[i]) + B * exp(-beta * t[i]), 1e-6);
    mt_poppk_destroy(c);
    mt_ctx_destroy(ctx);
}

/* ---- malformed cards ------------------------------------------------------------------------ */

static void refused(const char *from, const char *to, mt_status want, const char *msg)
{
    mt_ctx *ctx = NULL;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    char *text = variant(from, to);
    MT_RET_(mt_check_(text != NULL, __FILE__, __LINE__, "'%s' is not in MIN_CARD", from));
    mt_poppk *c = NULL;
    mt_status st = mt_poppk_parse(ctx, text, strlen(text), &c);
    free(text);
    MT_RET_(mt_check_(st == want, __FILE__, __LINE__, "%s -> %s: status %d (%s), want %d", from, to,
                      (int)st, mt_errmsg(ctx), (int)want));
    ASSERT_TRUE(c == NULL);
    ASSERT_CONTAINS(mt_errmsg(ctx), msg);
    ASSERT_TRUE(strchr(mt_errmsg(ctx), '\n') == NULL);
    mt_ctx_destroy(ctx);
}

TEST(malformed_cards_refused)
{
    /* the unmodified card loads */
    mt_ctx *ctx = NULL;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    mt_poppk *c = NULL;
    ASSERT_EQ_INT(mt_poppk_parse(ctx, MIN_CARD, strlen(MIN_CARD), &c), MT_OK);
    mt_poppk_destroy(c);
    ASSERT_EQ_INT(mt_poppk_parse(ctx, "{\"schema\": ", 11, &c), MT_EPARSE);
    ASSERT_CONTAINS(mt_errmsg(ctx), "invalid JSON");
    ASSERT_EQ_INT(mt_poppk_load(ctx, "no_such_drug", &c), MT_ENOTFOUND);
    ASSERT_EQ_INT(mt_poppk_load(ctx, "../etc", &c), MT_ENOTFOUND);
    mt_ctx_destroy(ctx);

    refused("\"source\": \"test\"}},\n \"covariates\"", "\"sourc\": \"test\"}},\n \"covariates\"",
            MT_EPARSE, "effects.TH_WT.source");
    refused("\"iiv\": {\"omega\": 0.09, \"source\": \"test\"}, \"source\": \"test\"",
            "\"iiv\": {\"omega\": 0.09, \"source\": \"test\"}", MT_EPARSE, "parameters.CL.source");
    refused("\"typical\": 4.0", "\"typical\": -4.0", MT_EINVAL, "parameters.CL.typical");
    refused("\"typical\": 30.0", "\"typical\": \"30\"", MT_EPARSE, "parameters.V1.typical");
    refused("CL * (WT / 70)^TH_WT", "CL * (HEIGHT / 70)^TH_WT", MT_EINVAL, "unknown name 'HEIGHT'");
    refused("CL * (WT / 70)^TH_WT", "CL * (WT / 70)^", MT_EPARSE, "parameters.CL.covariates");
    refused("CL * (WT / 70)^TH_WT", "CL * (WT / 60)^TH_WT", MT_EINVAL,
            "at the reference covariates");
    refused("\"omega\": 0.09", "\"omega\": -0.09", MT_EINVAL, "parameters.CL.iiv.omega");
    refused("\"structure\": \"1cpt\"", "\"structure\": \"2cpt\"", MT_EPARSE, "parameters.Q");
    refused("\"structure\": \"1cpt\"", "\"structure\": \"3cpt\"", MT_EPARSE, "model.structure");
    refused("medtwin-poppk-card/1", "medtwin-poppk-card/0", MT_EPARSE, "schema");
    refused("\"source_seen\": [\"this test\"]", "\"source_seen\": []", MT_EPARSE, "source_seen");
    refused("\"authors\": \"Nobody A\", ", "", MT_EPARSE, "citation.authors");
    refused("\"name\": \"WT\"", "\"name\": \"SHOE\"", MT_EPARSE, "unknown covariate 'SHOE'");
    refused("\"unit\": \"ng/mL\"", "\"unit\": \"furlong\"", MT_EPARSE, "residual.unit");
    refused("\"V1\": {\"typical\": 30.0", "\"V9\": {\"typical\": 30.0", MT_EPARSE, "parameters.V9");
    /* a correlation naming a parameter by something that is not a string (fuzz_poppk found
     * the NULL name reaching strcmp) */
    refused("\"residual\":",
            "\"correlations\": [{\"between\": [true, \"CL\"], \"correlation\": 0.5, "
            "\"source\": \"t\"}], \"residual\":",
            MT_EPARSE, "correlations[0].between: two different parameters");
}

TEST_MAIN(TEST_ENTRY(every_card_loads_with_sources), TEST_ENTRY(vancomycin_crcl_and_weight),
          TEST_ENTRY(warfarin_genotypes_and_age), TEST_ENTRY(tacrolimus_cyp3a5_and_bsa),
          TEST_ENTRY(phenobarbital_neonate_and_oral_closed_form),
          TEST_ENTRY(one_cpt_iv_bolus_closed_form_and_overrides),
          TEST_ENTRY(two_cpt_iv_bolus_closed_form), TEST_ENTRY(malformed_cards_refused))
