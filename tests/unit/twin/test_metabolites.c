/* SPDX-License-Identifier: Apache-2.0
 *
 * tests/unit/twin/test_metabolites.c — metabolite formation in the PBPK builder
 * (mt_pbpk_build_ddi formations, docs/metabolites.md) against closed forms, and the metabolites
 * of a twin from real cards (mt_twin_regimen_drugs, mt_twin_ddi_describe, mt_twin_params_ddi).
 *
 * Closed forms (docs/metabolites.md): parent P given as an IV bolus, eliminated by the liver only
 * (CL_R_P = 0), so everything dosed is cleared by CL_H_P; a fraction fform of it forms M in the
 * liver, in molar terms (x MW_M / MW_P). M formed in the liver reaches the veins like an oral dose
 * with F = F_H, so over all time AUC_ven,M = formed / CL_M with
 *   CL_M = CL_R,b + CL_H_M (1 + CL_R,b / Q_liv),  CL_R,b = Q_kid CL_R_M / (Q_kid + CL_R_M).
 * AUCs are integrated by extra states added to the model. All numbers are synthetic test values.
 */
#define _POSIX_C_SOURCE 200809L
#include "harness.h"
#include "medtwin/medtwin.h"
#include "medtwin/pbpk.h"
#include "medtwin/twin.h"

#include "medtwin/drugcard.h"
#include "medtwin/profile.h"

#include "model/expr.h"
#include "model/ir.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const double DOSE = 100.0, T_END = 400.0;

typedef struct {
    const char *id;
    double v;
} setting;

/* Adds state `id` with derivative coef * (num_id / den), den = V_<o> * Kp_<o>_<d> (or V_ven for
 * the venous concentration); or adds to an existing one. */
static int add_integral(mt_ctx *ctx, mt_model *m, const char *id, const char *amount,
                        const char *vol, const char *kp, double coef_or_nan, const char *coef_id)
{
    int s = mt_ir_find(m, id);
    if (s < 0) {
        s = mt_ir_add_sym(ctx, m, id, MT_SYM_PARAMETER, 1);
        if (s < 0)
            return -1;
        m->sym[s].init = mt_expr_const(ctx, 0.0);
        mt_expr *z = mt_expr_new(ctx, MT_E_ADD);
        if (!z || mt_ir_add_state(ctx, m, s, z) < 0)
            return -1;
        m->sym[s].rate_rule = 1;
    }
    int a = mt_ir_find(m, amount), v = mt_ir_find(m, vol), k = kp ? mt_ir_find(m, kp) : -1;
    if (a < 0 || v < 0 || (kp && k < 0))
        return -1;
    mt_expr *den = mt_expr_sym(ctx, v);
    if (kp)
        den = mt_expr_bin(ctx, MT_E_MUL, den, mt_expr_sym(ctx, k));
    mt_expr *c = mt_expr_bin(ctx, MT_E_DIV, mt_expr_sym(ctx, a), den);
    if (coef_id)
        c = mt_expr_bin(ctx, MT_E_MUL, mt_expr_sym(ctx, mt_ir_find(m, coef_id)), c);
    if (!isnan(coef_or_nan))
        c = mt_expr_bin(ctx, MT_E_MUL, mt_expr_const(ctx, coef_or_nan), c);
    return c ? mt_expr_push(ctx, m->state[m->sym[s].state].deriv, c) : -1;
}

/* Physiology and drug values: organ volumes 1 + 0.2 i L, flows 10 + i L/h, every drug Kp 1.5
 * (Kp 1 and a constant blood concentration for the perpetrators in `perp`). */
static mt_status set_values(mt_sim *s, size_t n_drug, const char *const *drug, const char *perp,
                            double perp_c)
{
    mt_status st = MT_OK;
    for (size_t o = 0; o < mt_pbpk_n_organs(); o++) {
        char id[64];
        double vol = 1.0 + 0.2 * (double)o;
        snprintf(id, sizeof id, "V_%s", mt_pbpk_organ(o));
        st = st ? st : mt_sim_set_value(s, id, vol);
        int blood = !strcmp(mt_pbpk_organ(o), "art") || !strcmp(mt_pbpk_organ(o), "ven");
        for (size_t d = 0; d < n_drug; d++) {
            int is_p = perp && !strcmp(drug[d], perp);
            if (!blood) {
                snprintf(id, sizeof id, "Kp_%s_%s", mt_pbpk_organ(o), drug[d]);
                st = st ? st : mt_sim_set_value(s, id, is_p ? 1.0 : 1.5);
            }
            if (is_p) {
                snprintf(id, sizeof id, "A_%s_%s", mt_pbpk_organ(o), drug[d]);
                st = st ? st : mt_sim_set_value(s, id, perp_c * vol);
            }
        }
    }
    static const char *const q[] = {"adi", "bone", "brain", "gut", "heart", "kid",
                                    "ha",  "mus",  "skin",  "spl", "rest"};
    for (size_t i = 0; i < sizeof q / sizeof *q; i++) {
        char id[64];
        snprintf(id, sizeof id, "Q_%s", q[i]);
        st = st ? st : mt_sim_set_value(s, id, 10.0 + (double)i);
    }
    for (size_t d = 0; d < n_drug; d++) {
        char id[64];
        static const char *const z[] = {"ka_", "F_", "BP_", "CL_R_", "CL_H_"};
        static const double zv[] = {0.0, 1.0, 1.0, 0.0, 0.0};
        for (size_t i = 0; i < 5; i++) {
            snprintf(id, sizeof id, "%s%s", z[i], drug[d]);
            st = st ? st : mt_sim_set_value(s, id, zv[i]);
        }
    }
    return st;
}

static const double Q_KID = 15.0, Q_LIV = 16.0 + 13.0 + 19.0; /* Q_ha + Q_gut + Q_spl */

static double cl_metab(double clh, double clr)
{
    double clrb = Q_KID * clr / (Q_KID + clr);
    return clrb + clh * (1.0 + clrb / Q_LIV);
}

typedef struct {
    mt_ctx *ctx;
    mt_model *m;
    mt_program *p;
    mt_sim *s;
} run;

static mt_status start(run *r, size_t n, const mt_pbpk_drug *drugs, const mt_pbpk_ddi *x)
{
    memset(r, 0, sizeof *r);
    mt_status st = mt_ctx_create(&r->ctx);
    st = st ? st : mt_pbpk_build_ddi(r->ctx, n, drugs, x, &r->m);
    for (size_t d = 0; d < n && st == MT_OK; d++) {
        char id[64], a[64];
        snprintf(id, sizeof id, "AUC_%s", drugs[d].name);
        snprintf(a, sizeof a, "A_ven_%s", drugs[d].name);
        if (add_integral(r->ctx, r->m, id, a, "V_ven", NULL, NAN, NULL))
            st = MT_ENOMEM;
    }
    return st;
}

static mt_status go(run *r)
{
    mt_status st = mt_program_create(r->ctx, r->m, &r->p);
    st = st ? st : mt_sim_create(r->ctx, r->p, &r->s);
    st = st ? st : mt_sim_set_tolerances(r->s, 1e-11, 1e-15);
    st = st ? st : mt_sim_set_max_steps(r->s, 1000000);
    return st;
}

static void stop(run *r)
{
    mt_sim_destroy(r->s);
    mt_program_destroy(r->p);
    mt_model_destroy(r->m);
    mt_ctx_destroy(r->ctx);
}

static void report(const char *what, double expect, double got)
{
    printf("  %-58s expected %.10g got %.10g (rel. diff %.2g)\n", what, expect, got,
           fabs(got - expect) / fabs(expect));
}

/* IV parent, liver-only elimination, fraction fform to M; M cleared by liver and kidney.
 * AUC_M = fform Dose (MW_M/MW_P) / CL_M, and the molar mass balance holds at every time. */
TEST(metabolite_auc_and_mass_balance)
{
    const double ff = 0.6, mwp = 300.0, mwm = 250.0, clhp = 20.0, clhm = 8.0, clrm = 3.0;
    mt_dose bolus = {0.0, DOSE, MT_DOSE_IV_BOLUS, 0.0, 0, 0, 0};
    mt_pbpk_drug drugs[] = {{"P", 1, &bolus, 0, 0, 0, 0, 0}, {"M", 0, NULL, 0, 0, 0, 0, 0}};
    mt_pbpk_formation f[] = {{"P", NULL, "M"}};
    mt_pbpk_ddi x = {0, NULL, 0, NULL, 1, f};
    run r;
    ASSERT_EQ_INT(start(&r, 2, drugs, &x), MT_OK);
    ASSERT_TRUE(mt_ir_find(r.m, "fform_P_M") >= 0);
    /* eliminated amounts: parent by the liver (mg of P), metabolite by liver and kidney */
    ASSERT_EQ_INT(add_integral(r.ctx, r.m, "El_P", "A_liv_P", "V_liv", "Kp_liv_P", NAN, "CL_H_P"),
                  0);
    ASSERT_EQ_INT(add_integral(r.ctx, r.m, "El_M", "A_liv_M", "V_liv", "Kp_liv_M", NAN, "CL_H_M"),
                  0);
    ASSERT_EQ_INT(add_integral(r.ctx, r.m, "El_M", "A_kid_M", "V_kid", "Kp_kid_M", NAN, "CL_R_M"),
                  0);
    ASSERT_EQ_INT(go(&r), MT_OK);
    const char *const ids[] = {"P", "M"};
    ASSERT_EQ_INT(set_values(r.s, 2, ids, NULL, 0), MT_OK);
    const setting set[] = {{"CL_H_P", clhp},  {"CL_H_M", clhm}, {"CL_R_M", clrm},
                           {"fform_P_M", ff}, {"MW_P", mwp},    {"MW_M", mwm}};
    for (size_t i = 0; i < sizeof set / sizeof *set; i++)
        ASSERT_EQ_INT(mt_sim_set_value(r.s, set[i].id, set[i].v), MT_OK);
    ASSERT_EQ_INT(mt_sim_add_output(r.s, "AUC_M", MT_REPORT_DEFAULT), MT_OK);
    ASSERT_EQ_INT(mt_sim_add_output(r.s, "AUC_P", MT_REPORT_DEFAULT), MT_OK);
    ASSERT_EQ_INT(mt_sim_add_output(r.s, "El_P", MT_REPORT_DEFAULT), MT_OK);
    ASSERT_EQ_INT(mt_sim_add_output(r.s, "El_M", MT_REPORT_DEFAULT), MT_OK);
    size_t n_org = mt_pbpk_n_organs();
    for (size_t o = 0; o < n_org; o++)
        for (int k = 0; k < 2; k++) {
            char id[64];
            snprintf(id, sizeof id, "A_%s_%s", mt_pbpk_organ(o), ids[k]);
            ASSERT_EQ_INT(mt_sim_add_output(r.s, id, MT_REPORT_DEFAULT), MT_OK);
        }
    ASSERT_EQ_INT(mt_sim_check_defined(r.s, 0.0), MT_OK);
    mt_result *res = NULL;
    ASSERT_EQ_INT(mt_sim_run(r.s, 0.0, T_END, 400, &res), MT_OK);
    size_t last = mt_result_n_rows(res) - 1;
    double auc_m = mt_result_value(res, last, 0), auc_p = mt_result_value(res, last, 1);
    double expect = ff * DOSE * (mwm / mwp) / cl_metab(clhm, clrm);
    report("AUC_M = fform Dose (MW_M/MW_P) / CL_M", expect, auc_m);
    ASSERT_NEAR(auc_m, expect, 1e-6 * expect);
    /* an IV parent reaches the liver through the circulation: AUC_ven,P = Dose / CL_sys,
     * CL_sys = Q_liv CL_H / (Q_liv + CL_H) (well-stirred), unchanged by the formation */
    double e_p = DOSE * (1.0 / clhp + 1.0 / Q_LIV);
    report("AUC_P = Dose (1/CL_H_P + 1/Q_liv) (unchanged by formation)", e_p, auc_p);
    ASSERT_NEAR(auc_p, e_p, 1e-6 * e_p);
    /* molar balance: sum A_P/MW_P + sum A_M/MW_M + El_P (1 - fform)/MW_P + El_M/MW_M = Dose/MW_P */
    double worst = 0;
    for (size_t i = 0; i <= last; i++) {
        double mol =
            mt_result_value(res, i, 2) * (1.0 - ff) / mwp + mt_result_value(res, i, 3) / mwm;
        for (size_t o = 0; o < n_org; o++)
            mol += mt_result_value(res, i, 4 + 2 * o) / mwp +
                   mt_result_value(res, i, 4 + 2 * o + 1) / mwm;
        worst = fmax(worst, fabs(mol - DOSE / mwp) / (DOSE / mwp));
    }
    printf("  molar mass balance over 0..%g h: max rel. deviation %.2g\n", T_END, worst);
    ASSERT_TRUE(worst < 1e-7);
    mt_result_destroy(res);
    stop(&r);
}

/* P -> M1 -> M2 (each step by the liver only): AUC_M1 = f1 Dose (MW1/MWP) / CL_H_M1,
 * AUC_M2 = f1 f2 Dose (MW2/MWP) / CL_H_M2. */
TEST(chain_of_two_metabolites)
{
    const double f1 = 0.7, f2 = 0.4, mw[] = {450.0, 466.0, 480.0}, clh[] = {20.0, 6.0, 4.0};
    mt_dose bolus = {0.0, DOSE, MT_DOSE_IV_BOLUS, 0.0, 0, 0, 0};
    mt_pbpk_drug drugs[] = {{"P", 1, &bolus, 0, 0, 0, 0, 0},
                            {"M1", 0, NULL, 0, 0, 0, 0, 0},
                            {"M2", 0, NULL, 0, 0, 0, 0, 0}};
    mt_pbpk_formation f[] = {{"P", "CYP3A4", "M1"}, {"M1", "CYP3A4", "M2"}};
    mt_pbpk_ddi x = {0, NULL, 0, NULL, 2, f};
    run r;
    ASSERT_EQ_INT(start(&r, 3, drugs, &x), MT_OK);
    ASSERT_EQ_INT(go(&r), MT_OK);
    const char *const ids[] = {"P", "M1", "M2"};
    ASSERT_EQ_INT(set_values(r.s, 3, ids, NULL, 0), MT_OK);
    const setting set[] = {{"CL_H_P", clh[0]},         {"CL_H_M1", clh[1]},
                           {"CL_H_M2", clh[2]},        {"fform_P_CYP3A4_M1", f1},
                           {"fform_M1_CYP3A4_M2", f2}, {"MW_P", mw[0]},
                           {"MW_M1", mw[1]},           {"MW_M2", mw[2]}};
    for (size_t i = 0; i < sizeof set / sizeof *set; i++)
        ASSERT_EQ_INT(mt_sim_set_value(r.s, set[i].id, set[i].v), MT_OK);
    ASSERT_EQ_INT(mt_sim_add_output(r.s, "AUC_M1", MT_REPORT_DEFAULT), MT_OK);
    ASSERT_EQ_INT(mt_sim_add_output(r.s, "AUC_M2", MT_REPORT_DEFAULT), MT_OK);
    mt_result *res = NULL;
    ASSERT_EQ_INT(mt_sim_run(r.s, 0.0, T_END, 10, &res), MT_OK);
    size_t last = mt_result_n_rows(res) - 1;
    double e1 = f1 * DOSE * (mw[1] / mw[0]) / clh[1];
    double e2 = f1 * f2 * DOSE * (mw[2] / mw[0]) / clh[2];
    report("chain: AUC_M1 = f1 Dose (MW1/MWP) / CL_H_M1", e1, mt_result_value(res, last, 0));
    report("chain: AUC_M2 = f1 f2 Dose (MW2/MWP) / CL_H_M2", e2, mt_result_value(res, last, 1));
    ASSERT_NEAR(mt_result_value(res, last, 0), e1, 1e-6 * e1);
    ASSERT_NEAR(mt_result_value(res, last, 1), e2, 1e-6 * e2);
    mt_result_destroy(res);
    stop(&r);
}

/* A competitive inhibitor of the formation enzyme at constant I (fm = fform = 1): the formation
 * clearance (formed amount / AUC of the parent's liver outflow) falls by exactly 1/(1 + I/Ki). */
static double formation_clearance(int inhibit, double *auc_p)
{
    const double mwp = 300.0, mwm = 280.0, clhp = 20.0, clhm = 5.0, ki = 0.25;
    /* perpetrator: blood 2 mg/L, fu 0.1, BP 0.8, MW 500 -> I = 0.5 umol/L */
    mt_dose bolus = {0.0, DOSE, MT_DOSE_IV_BOLUS, 0.0, 0, 0, 0};
    mt_pbpk_drug drugs[] = {{"P", 1, &bolus, 0, 0, 0, 0, 0},
                            {"M", 0, NULL, 0, 0, 0, 0, 0},
                            {"i", 0, NULL, 0, 0, 0, 0, 0}};
    mt_pbpk_pathway w[] = {{"P", "CYP3A4"}};
    mt_pbpk_interaction ix[] = {{"i", "CYP3A4", MT_DDI_REVERSIBLE}};
    mt_pbpk_formation f[] = {{"P", "CYP3A4", "M"}};
    mt_pbpk_ddi x = {1, w, 1, ix, 1, f};
    run r;
    double out = NAN;
    if (start(&r, 3, drugs, &x) != MT_OK ||
        add_integral(r.ctx, r.m, "AUCliv_P", "A_liv_P", "V_liv", "Kp_liv_P", NAN, NULL) ||
        go(&r) != MT_OK)
        goto done;
    const char *const ids[] = {"P", "M", "i"};
    mt_status st = set_values(r.s, 3, ids, "i", 2.0);
    const setting set[] = {{"CL_H_P", clhp},
                           {"CL_H_M", clhm},
                           {"fform_P_CYP3A4_M", 1.0},
                           {"MW_P", mwp},
                           {"MW_M", mwm},
                           {"MW_i", 500.0},
                           {"fu_i", 0.1},
                           {"BP_i", 0.8},
                           {"fm_P_CYP3A4", 1.0},
                           {"Ki_i_CYP3A4", inhibit ? ki : 1e300}};
    for (size_t i = 0; i < sizeof set / sizeof *set; i++)
        st = st ? st : mt_sim_set_value(r.s, set[i].id, set[i].v);
    st = st ? st : mt_sim_add_output(r.s, "AUC_M", MT_REPORT_DEFAULT);
    st = st ? st : mt_sim_add_output(r.s, "AUCliv_P", MT_REPORT_DEFAULT);
    st = st ? st : mt_sim_add_output(r.s, "AUC_P", MT_REPORT_DEFAULT);
    mt_result *res = NULL;
    st = st ? st : mt_sim_run(r.s, 0.0, 2.0 * T_END, 10, &res);
    if (st == MT_OK) {
        size_t last = mt_result_n_rows(res) - 1;
        double formed = clhm * mt_result_value(res, last, 0) * mwp / mwm; /* mg of P */
        out = formed / mt_result_value(res, last, 1);
        *auc_p = mt_result_value(res, last, 2);
    } else {
        printf("formation_clearance: %s\n", mt_errmsg(r.ctx));
    }
    mt_result_destroy(res);
done:
    stop(&r);
    return out;
}

TEST(formation_inhibited_competitively)
{
    double aucp0 = NAN, aucp1 = NAN;
    double cl0 = formation_clearance(0, &aucp0), cl1 = formation_clearance(1, &aucp1);
    double expect = 1.0 / (1.0 + 0.5 / 0.25);
    report("formation clearance: no inhibitor = fform CL_H_P", 20.0, cl0);
    ASSERT_NEAR(cl0, 20.0, 1e-6 * 20.0);
    report("formation clearance ratio, competitive: 1/(1 + I/Ki)", expect, cl1 / cl0);
    ASSERT_NEAR(cl1 / cl0, expect, 1e-6 * expect);
    /* IV parent: AUC = Dose (1/CL_H,eff + 1/Q_liv), CL_H,eff = CL_H / (1 + I/Ki) */
    double e_p = (3.0 / 20.0 + 1.0 / Q_LIV) / (1.0 / 20.0 + 1.0 / Q_LIV);
    report("parent AUC ratio: (1/CL_H,eff + 1/Q_liv)/(1/CL_H + 1/Q_liv)", e_p, aucp1 / aucp0);
    ASSERT_NEAR(aucp1 / aucp0, e_p, 1e-6 * e_p);
}

/* Without formations the model is unchanged, output for output, bit for bit. */
TEST(no_metabolite_is_identical)
{
    mt_ctx *ctx = NULL;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    mt_dose bolus = {0.0, DOSE, MT_DOSE_IV_BOLUS, 0.0, 0, 0, 0};
    mt_pbpk_drug drugs[] = {{"P", 1, &bolus, 0, 0, 0, 0, 0}, {"M", 0, NULL, 0, 0, 0, 0, 0}};
    mt_pbpk_ddi x = {0, NULL, 0, NULL, 0, NULL};
    mt_model *m[2] = {0};
    ASSERT_EQ_INT(mt_pbpk_build(ctx, 2, drugs, &m[0]), MT_OK);
    ASSERT_EQ_INT(mt_pbpk_build_ddi(ctx, 2, drugs, &x, &m[1]), MT_OK);
    ASSERT_EQ_INT((int)m[1]->n_sym, (int)m[0]->n_sym);
    double *out[2] = {0};
    size_t rows = 0, cols = 0;
    const char *const ids[] = {"P", "M"};
    for (int k = 0; k < 2; k++) {
        mt_program *p = NULL;
        mt_sim *s = NULL;
        mt_result *r = NULL;
        ASSERT_EQ_INT(mt_program_create(ctx, m[k], &p), MT_OK);
        ASSERT_EQ_INT(mt_sim_create(ctx, p, &s), MT_OK);
        ASSERT_EQ_INT(set_values(s, 2, ids, NULL, 0), MT_OK);
        ASSERT_EQ_INT(mt_sim_set_value(s, "CL_H_P", 20.0), MT_OK);
        ASSERT_EQ_INT(mt_sim_run(s, 0.0, 48.0, 96, &r), MT_OK);
        rows = mt_result_n_rows(r);
        cols = mt_result_n_cols(r);
        out[k] = malloc(rows * cols * sizeof *out[k]);
        ASSERT_TRUE(out[k] != NULL);
        for (size_t i = 0; i < rows; i++)
            for (size_t j = 0; j < cols; j++)
                out[k][i * cols + j] = mt_result_value(r, i, j);
        mt_result_destroy(r);
        mt_sim_destroy(s);
        mt_program_destroy(p);
    }
    ASSERT_TRUE(cols > 10 && rows == 97);
    ASSERT_TRUE(memcmp(out[0], out[1], rows * cols * sizeof *out[0]) == 0);
    printf("  no metabolite: %zu x %zu outputs bitwise identical to mt_pbpk_build\n", rows, cols);
    free(out[0]);
    free(out[1]);
    mt_model_destroy(m[0]);
    mt_model_destroy(m[1]);
    mt_ctx_destroy(ctx);
}

TEST(bad_formations)
{
    mt_ctx *ctx = NULL;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    mt_pbpk_drug drugs[] = {{"P", 0, NULL, 0, 0, 0, 0, 0},
                            {"M", 0, NULL, 0, 0, 0, 0, 0},
                            {"i", 0, NULL, 0, 0, 0, 0, 0}};
    mt_model *m = NULL;
    mt_pbpk_formation f1[] = {{"P", NULL, "X"}};
    mt_pbpk_ddi x1 = {0, NULL, 0, NULL, 1, f1};
    ASSERT_EQ_INT(mt_pbpk_build_ddi(ctx, 3, drugs, &x1, &m), MT_EINVAL);
    ASSERT_TRUE(strstr(mt_errmsg(ctx), "metabolite 'X' is not in the regimen") != NULL);
    mt_pbpk_formation f2[] = {{"P", NULL, "P"}};
    mt_pbpk_ddi x2 = {0, NULL, 0, NULL, 1, f2};
    ASSERT_EQ_INT(mt_pbpk_build_ddi(ctx, 3, drugs, &x2, &m), MT_EINVAL);
    ASSERT_TRUE(strstr(mt_errmsg(ctx), "cannot form itself") != NULL);
    mt_pbpk_formation f3[] = {{"P", "CYP3A4", "M"}, {"P", "CYP3A4", "M"}};
    mt_pbpk_ddi x3 = {0, NULL, 0, NULL, 2, f3};
    ASSERT_EQ_INT(mt_pbpk_build_ddi(ctx, 3, drugs, &x3, &m), MT_EINVAL);
    ASSERT_TRUE(strstr(mt_errmsg(ctx), "listed twice") != NULL);
    mt_pbpk_interaction ix[] = {{"i", "CYP3A4", MT_DDI_REVERSIBLE}};
    mt_pbpk_formation f4[] = {{"P", "CYP3A4", "M"}};
    mt_pbpk_ddi x4 = {0, NULL, 1, ix, 1, f4};
    ASSERT_EQ_INT(mt_pbpk_build_ddi(ctx, 3, drugs, &x4, &m), MT_EINVAL);
    ASSERT_TRUE(strstr(mt_errmsg(ctx), "not listed as a pathway") != NULL);
    mt_pbpk_formation f5[] = {{"P", "P-gp", "M"}};
    mt_pbpk_ddi x5 = {0, NULL, 0, NULL, 1, f5};
    ASSERT_EQ_INT(mt_pbpk_build_ddi(ctx, 3, drugs, &x5, &m), MT_EINVAL);
    mt_pbpk_ddi x6 = {0, NULL, 0, NULL, 1, NULL};
    ASSERT_EQ_INT(mt_pbpk_build_ddi(ctx, 3, drugs, &x6, &m), MT_EINVAL);
    ASSERT_TRUE(m == NULL);
    mt_ctx_destroy(ctx);
}

static mt_profile *load_anna(mt_ctx *ctx)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/../examples/patients/anna.json", mt_data_dir());
    mt_profile *p = NULL;
    if (mt_profile_load(ctx, path, &p) != MT_OK)
        printf("cannot load %s: %s\n", path, mt_errmsg(ctx));
    return p;
}

static const char *ftext(const mt_twin_param_list *l, const char *key)
{
    const mt_twin_fact *f = mt_twin_fact_find(l, key);
    return f ? f->text : "(none)";
}

/* Itraconazole IV: its cards name hydroxy-, keto- and N-desalkyl-itraconazole (CYP3A4), all three
 * give complete IV twins; one model holds the chain, hydroxy-itraconazole also inhibits CYP3A4. */
TEST(twin_itraconazole_chain)
{
    mt_ctx *ctx = NULL;
    mt_twin_tables *t = NULL;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    ASSERT_EQ_INT(mt_twin_tables_load(ctx, NULL, &t), MT_OK);
    mt_profile *anna = load_anna(ctx);
    ASSERT_TRUE(anna != NULL);
    mt_drugcard *itz = NULL;
    ASSERT_EQ_INT(mt_drugcard_load(ctx, NULL, "itraconazole", &itz), MT_OK);
    const mt_drugcard *dosed[] = {itz};
    const char *const dosed_ids[] = {"itraconazole"};
    mt_twin_drugs *rd = NULL;
    ASSERT_EQ_INT(mt_twin_regimen_drugs(t, ctx, NULL, 1, dosed, dosed_ids, &rd), MT_OK);
    size_t n = mt_twin_drugs_n(rd);
    const char *const *ids = mt_twin_drugs_ids(rd);
    const mt_drugcard *const *cards = mt_twin_drugs_cards(rd);
    ASSERT_EQ_INT((int)n, 4);
    ASSERT_EQ_INT((int)mt_twin_drugs_n_dosed(rd), 1);
    ASSERT_STR_EQ(ids[1], "hydroxy_itraconazole");
    ASSERT_STR_EQ(ids[2], "keto_itraconazole");
    ASSERT_STR_EQ(ids[3], "n_desalkyl_itraconazole");
    ASSERT_EQ_INT((int)mt_twin_drugs_notes(rd)->n_facts, 0);

    mt_twin_ddi *x = NULL;
    ASSERT_EQ_INT(mt_twin_ddi_describe(ctx, n, cards, ids, &x), MT_OK);
    const mt_pbpk_ddi *b = mt_twin_ddi_builder(x);
    ASSERT_EQ_INT((int)b->n_formations, 3);
    ASSERT_STR_EQ(b->formations[0].parent, "itraconazole");
    ASSERT_STR_EQ(b->formations[0].enzyme, "CYP3A4");
    ASSERT_STR_EQ(b->formations[0].metabolite, "hydroxy_itraconazole");
    int hydroxy_perp = 0;
    for (size_t i = 0; i < b->n_interactions; i++)
        hydroxy_perp |= !strcmp(b->interactions[i].perpetrator, "hydroxy_itraconazole");
    ASSERT_TRUE(hydroxy_perp);

    mt_dose inf = {0.0, 200.0, MT_DOSE_IV_INFUSION, 1.0, 0, 0, 0};
    mt_pbpk_drug drugs[4] = {{ids[0], 1, &inf, 0, 0, 0, 0, 0},
                             {ids[1], 0, NULL, 0, 0, 0, 0, 0},
                             {ids[2], 0, NULL, 0, 0, 0, 0, 0},
                             {ids[3], 0, NULL, 0, 0, 0, 0, 0}};
    for (size_t k = 0; k < 4; k++) /* the twin gives these cards cells (cells.c) */
        drugs[k].cell_permeability = mt_twin_cells_represented(cards[k]),
        drugs[k].liver_uptake = mt_twin_liver_uptake_represented(cards[k]);
    mt_model *m = NULL;
    ASSERT_EQ_INT(mt_pbpk_build_ddi(ctx, n, drugs, b, &m), MT_OK);
    mt_twin_param_list l = {0};
    mt_status st = mt_twin_params_ddi(t, ctx, anna, n, cards, ids, NULL, x, &l);
    if (st != MT_OK)
        printf("twin: %s\n", mt_errmsg(ctx));
    ASSERT_EQ_INT(st, MT_OK);
    const mt_twin_param *ff =
        mt_twin_param_find(&l, "fform_itraconazole_CYP3A4_hydroxy_itraconazole");
    ASSERT_TRUE(ff != NULL);
    printf("  fform itraconazole -> hydroxy-itraconazole %.6g: %s\n", ff->value, ff->provenance);
    ASSERT_TRUE(ff->value > 0 && ff->value <= 1);
    ASSERT_TRUE(mt_twin_param_find(&l, "MW_hydroxy_itraconazole") != NULL);
    ASSERT_TRUE(mt_twin_param_find(&l, "MW_n_desalkyl_itraconazole") != NULL);
    ASSERT_TRUE(mt_twin_param_find(&l, "Ki_hydroxy_itraconazole_CYP3A4") != NULL);
    ASSERT_STR_EQ(ftext(&l, "metabolite.itraconazole.hydroxy_itraconazole"), "simulated");
    ASSERT_STR_EQ(ftext(&l, "metabolite.keto_itraconazole.n_desalkyl_itraconazole"), "simulated");

    mt_program *p = NULL;
    mt_sim *s = NULL;
    mt_result *r = NULL;
    ASSERT_EQ_INT(mt_program_create(ctx, m, &p), MT_OK);
    ASSERT_EQ_INT(mt_sim_create(ctx, p, &s), MT_OK);
    for (size_t i = 0; i < l.n_params; i++)
        ASSERT_EQ_INT(mt_sim_set_value(s, l.params[i].id, l.params[i].value), MT_OK);
    for (size_t d = 0; d < n; d++) {
        char id[96];
        snprintf(id, sizeof id, "C_plasma_%s", ids[d]);
        ASSERT_EQ_INT(mt_sim_add_output(s, id, MT_REPORT_DEFAULT), MT_OK);
    }
    ASSERT_EQ_INT(mt_sim_check_defined(s, 0.0), MT_OK);
    ASSERT_EQ_INT(mt_sim_run(s, 0.0, 24.0, 24, &r), MT_OK);
    printf("  itraconazole 200 mg iv (1 h): plasma at 24 h (mg/L):");
    for (size_t d = 0; d < n; d++) {
        double c = mt_result_value(r, 24, d);
        printf(" %s %.4g", ids[d], c);
        ASSERT_TRUE(isfinite(c) && c > 0);
    }
    printf("\n");
    mt_result_destroy(r);
    mt_sim_destroy(s);
    mt_program_destroy(p);
    mt_model_destroy(m);

    /* the twin without the metabolite cards reports what is not simulated */
    mt_twin_param_list l1 = {0};
    ASSERT_EQ_INT(mt_twin_params(t, ctx, anna, 1, dosed, dosed_ids, NULL, &l1), MT_OK);
    ASSERT_STR_EQ(ftext(&l1, "metabolite.itraconazole.hydroxy_itraconazole"), "not simulated");
    mt_twin_param_list_free(&l1);
    /* the full regimen without a description: formations named, not applied */
    ASSERT_EQ_INT(mt_twin_params(t, ctx, anna, n, cards, ids, NULL, &l1), MT_OK);
    ASSERT_STR_EQ(ftext(&l1, "metabolite.itraconazole.hydroxy_itraconazole"), "not applied");
    ASSERT_TRUE(mt_twin_param_find(&l1, "fform_itraconazole_CYP3A4_hydroxy_itraconazole") == NULL);
    mt_twin_param_list_free(&l1);

    mt_twin_param_list_free(&l);
    mt_twin_ddi_destroy(x);
    mt_twin_drugs_destroy(rd);
    mt_drugcard_destroy(itz);
    mt_profile_destroy(anna);
    mt_twin_tables_destroy(t);
    mt_ctx_destroy(ctx);
}

/* Metabolites whose cards cannot give a twin are left out with the reason; the parent stays. */
TEST(incomplete_metabolites_are_notes)
{
    mt_ctx *ctx = NULL;
    mt_twin_tables *t = NULL;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    ASSERT_EQ_INT(mt_twin_tables_load(ctx, NULL, &t), MT_OK);
    static const struct {
        const char *drug, *key, *has;
    } cases[] = {
        {"codeine", "metabolite.codeine.morphine", "drug card 'morphine'"},
        {"efavirenz", "metabolite.efavirenz.8-OH efavirenz", "no drug card has that name"},
        {"dabigatran_etexilate", "metabolite.dabigatran_etexilate.dabigatran", "partition.method"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        mt_drugcard *c = NULL;
        ASSERT_EQ_INT(mt_drugcard_load(ctx, NULL, cases[i].drug, &c), MT_OK);
        const mt_drugcard *dosed[] = {c};
        const char *const ids[] = {cases[i].drug};
        mt_twin_drugs *rd = NULL;
        ASSERT_EQ_INT(mt_twin_regimen_drugs(t, ctx, NULL, 1, dosed, ids, &rd), MT_OK);
        ASSERT_EQ_INT((int)mt_twin_drugs_n(rd), 1);
        const mt_twin_fact *f = mt_twin_fact_find(mt_twin_drugs_notes(rd), cases[i].key);
        ASSERT_TRUE(f != NULL);
        printf("  %s: %s\n", f->key, f->how);
        ASSERT_STR_EQ(f->text, "not simulated");
        ASSERT_TRUE(strstr(f->how, cases[i].has) != NULL);
        mt_twin_drugs_destroy(rd);
        mt_drugcard_destroy(c);
    }
    mt_twin_tables_destroy(t);
    mt_ctx_destroy(ctx);
}

/* clang-format off */
#define V(x) "{\"value\": " #x ", \"unit\": \"1\", \"source\": \"synthetic test value\", \"fitted\": false}"
#define VU(x, u) "{\"value\": " #x ", \"unit\": \"" u "\", \"source\": \"synthetic test value\", \"fitted\": false}"
#define CARD(name, met)                                                                           \
    "{\"schema\": \"medtwin-drug-card/1\", \"name\": \"" name "\", \"version\": \"0.0.1\","    \
    " \"display_name\": \"" name "\", \"kind\": \"pbpk\","                                      \
    " \"physchem\": {\"mw\": " VU(400, "g/mol") ", \"logp\": " VU(2.0, "log10") ","            \
    "   \"fu_plasma\": " V(0.1) ", \"blood_plasma_ratio\": " V(1.0) "},"                        \
    " \"partition\": {\"method\": \"rodgers_rowland\"},"                                        \
    " \"elimination\": {\"renal\": {\"gfr_fraction\": " V(1) "}},"                              \
    " \"metabolites\": [{\"name\": \"" met "\", \"via\": \"CYP3A4\", \"source\": \"synthetic\"}]}"
/* clang-format on */

TEST(metabolite_cycle_is_an_error)
{
    mt_ctx *ctx = NULL;
    mt_twin_tables *t = NULL;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    ASSERT_EQ_INT(mt_twin_tables_load(ctx, NULL, &t), MT_OK);
    const char *ta = CARD("aaa", "bbb"), *tb = CARD("bbb", "aaa");
    mt_drugcard *a = NULL, *b = NULL;
    ASSERT_EQ_INT(mt_drugcard_parse(ctx, ta, strlen(ta), NULL, &a), MT_OK);
    ASSERT_EQ_INT(mt_drugcard_parse(ctx, tb, strlen(tb), NULL, &b), MT_OK);
    const mt_drugcard *dosed[] = {a, b};
    const char *const ids[] = {"aaa", "bbb"};
    mt_twin_drugs *rd = NULL;
    ASSERT_EQ_INT(mt_twin_regimen_drugs(t, ctx, NULL, 2, dosed, ids, &rd), MT_EINVAL);
    printf("  %s\n", mt_errmsg(ctx));
    ASSERT_TRUE(strstr(mt_errmsg(ctx), "aaa -> bbb -> aaa") != NULL);
    ASSERT_TRUE(rd == NULL);
    ASSERT_EQ_INT(mt_twin_regimen_drugs(t, ctx, NULL, 1, dosed, NULL, &rd), MT_EINVAL);
    ASSERT_EQ_INT(mt_twin_regimen_drugs(t, ctx, NULL, 1, dosed, ids, NULL), MT_EINVAL);
    const mt_drugcard *many[33];
    const char *many_ids[33];
    for (size_t i = 0; i < 33; i++) {
        many[i] = a;
        many_ids[i] = "aaa";
    }
    ASSERT_EQ_INT(mt_twin_regimen_drugs(t, ctx, NULL, 33, many, many_ids, &rd), MT_ELIMIT);
    ASSERT_TRUE(strstr(mt_errmsg(ctx), "more than 32 drugs") != NULL);
    /* without tables they are loaded for the call: aaa alone forms bbb (a complete card) */
    ASSERT_EQ_INT(mt_twin_regimen_drugs(NULL, ctx, NULL, 1, dosed, ids, &rd), MT_OK);
    ASSERT_EQ_INT((int)mt_twin_drugs_n(rd), 1); /* bbb is not in data/drugs */
    ASSERT_TRUE(mt_twin_fact_find(mt_twin_drugs_notes(rd), "metabolite.aaa.bbb") != NULL);
    mt_twin_drugs_destroy(rd);
    rd = NULL;
    mt_drugcard_destroy(a);
    mt_drugcard_destroy(b);
    mt_twin_tables_destroy(t);
    mt_ctx_destroy(ctx);
}

TEST_MAIN(TEST_ENTRY(metabolite_auc_and_mass_balance), TEST_ENTRY(chain_of_two_metabolites),
          TEST_ENTRY(formation_inhibited_competitively), TEST_ENTRY(no_metabolite_is_identical),
          TEST_ENTRY(bad_formations), TEST_ENTRY(twin_itraconazole_chain),
          TEST_ENTRY(incomplete_metabolites_are_notes), TEST_ENTRY(metabolite_cycle_is_an_error))
