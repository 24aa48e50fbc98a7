/* SPDX-License-Identifier: Apache-2.0
 *
 * tests/unit/twin/test_interactions.c — hepatic drug-drug interactions in the PBPK builder
 * (mt_pbpk_build_ddi, docs/interactions.md) against closed-form cases, and the interaction
 * parameters of a twin (mt_twin_ddi_describe, mt_twin_params_ddi).
 *
 * The closed-form set-up: a victim v eliminated only by the liver (CL_R = 0) and given by mouth
 * with F = 1. For the builder's liver (elimination CL_H * C_out on the venous-equilibrium
 * outflow) mass balance gives exactly AUC_blood = F * Dose / CL_H (docs/interactions.md), so an
 * interaction that holds the enzyme activity at a constant act changes the AUC by
 * 1 / (fm * act + 1 - fm). Each perpetrator starts at equilibrium (every organ at Kp = 1 times
 * one blood concentration) and has no clearance, so its unbound liver concentration I is exactly
 * constant: I = C_blood * fu / BP * 1000 / MW. The victim's dose comes at T0 = 1500 h, when an
 * enzyme state has reached its steady state to e^-29 or better; the AUC is integrated by an
 * extra state dAUC/dt = C_venous_v added to the model, to 1500 h after the dose.
 * All numbers are synthetic test values.
 */
#define _POSIX_C_SOURCE 200809L
#include "harness.h"
#include "medtwin/medtwin.h"
#include "medtwin/pbpk.h"
#include "medtwin/twin.h"
#include "twin_fixtures.h"

#include "medtwin/drugcard.h"
#include "medtwin/profile.h"

#include "model/expr.h"
#include "model/ir.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const double T0 = 1500.0, T_AFTER = 1500.0, DOSE = 100.0, CLH = 20.0;

typedef struct {
    const char *name;
    double c_blood, mw, fu, bp; /* I = c_blood fu / bp * 1000 / mw */
} perp;

static double conc_i(const perp *p) { return p->c_blood * p->fu / p->bp * 1000.0 / p->mw; }

typedef struct {
    const char *id;
    double v;
} setting;

/* Adds AUC_v, integrating C_venous_v, to the model. */
static int add_auc(mt_ctx *ctx, mt_model *m)
{
    int cv = mt_ir_find(m, "C_venous_v");
    int s = mt_ir_add_sym(ctx, m, "AUC_v", MT_SYM_PARAMETER, 1);
    if (cv < 0 || s < 0)
        return -1;
    m->sym[s].init = mt_expr_const(ctx, 0.0);
    mt_expr *d = mt_expr_sym(ctx, cv);
    if (!m->sym[s].init || !d || mt_ir_add_state(ctx, m, s, d) < 0) {
        mt_expr_free(ctx, d);
        return -1;
    }
    m->sym[s].rate_rule = 1;
    return 0;
}

/* Sets the physiology, the victim's and the perpetrators' values. */
static mt_status set_common(mt_sim *s, size_t n_perp, const perp *pp)
{
    mt_status st = MT_OK;
    double vol[32];
    for (size_t o = 0; o < mt_pbpk_n_organs(); o++) {
        char id[64];
        vol[o] = 1.0 + 0.2 * (double)o;
        snprintf(id, sizeof id, "V_%s", mt_pbpk_organ(o));
        st = st ? st : mt_sim_set_value(s, id, vol[o]);
        int blood = !strcmp(mt_pbpk_organ(o), "art") || !strcmp(mt_pbpk_organ(o), "ven");
        if (!blood) {
            snprintf(id, sizeof id, "Kp_%s_v", mt_pbpk_organ(o));
            st = st ? st : mt_sim_set_value(s, id, 1.5);
        }
        for (size_t k = 0; k < n_perp; k++) {
            if (!blood) {
                snprintf(id, sizeof id, "Kp_%s_%s", mt_pbpk_organ(o), pp[k].name);
                st = st ? st : mt_sim_set_value(s, id, 1.0);
            }
            snprintf(id, sizeof id, "A_%s_%s", mt_pbpk_organ(o), pp[k].name);
            st = st ? st : mt_sim_set_value(s, id, pp[k].c_blood * vol[o]);
        }
    }
    static const char *const q[] = {"adi", "bone", "brain", "gut", "heart", "kid",
                                    "ha",  "mus",  "skin",  "spl", "rest"};
    for (size_t i = 0; i < sizeof q / sizeof *q; i++) {
        char id[64];
        snprintf(id, sizeof id, "Q_%s", q[i]);
        st = st ? st : mt_sim_set_value(s, id, 10.0 + (double)i);
    }
    const setting vic[] = {
        {"CL_H_v", CLH}, {"CL_R_v", 0.0}, {"ka_v", 1.5}, {"F_v", 1.0}, {"BP_v", 1.0}};
    for (size_t i = 0; i < sizeof vic / sizeof *vic; i++)
        st = st ? st : mt_sim_set_value(s, vic[i].id, vic[i].v);
    for (size_t k = 0; k < n_perp; k++) {
        char id[64];
        const char *n = pp[k].name;
        const setting per[] = {
            {"CL_H_", 0.0}, {"CL_R_", 0.0}, {"ka_", 0.0}, {"F_", 1.0}, {"BP_", pp[k].bp}};
        for (size_t i = 0; i < sizeof per / sizeof *per; i++) {
            snprintf(id, sizeof id, "%s%s", per[i].id, n);
            st = st ? st : mt_sim_set_value(s, id, per[i].v);
        }
        snprintf(id, sizeof id, "MW_%s", n);
        if (mt_sim_set_value(s, id, pp[k].mw) == MT_OK) { /* only perpetrators have them */
            snprintf(id, sizeof id, "fu_%s", n);
            st = st ? st : mt_sim_set_value(s, id, pp[k].fu);
        }
    }
    return st;
}

/* 1: run_auc exports the model to SBML and simulates the file read back. */
static int via_sbml;

/* Runs the regimen {v by mouth at T0, the perpetrators (no doses)} with interactions x and the
 * given values; returns the victim's AUC (NaN on failure). If e_id, also checks nothing and
 * copies E(t) on the grid 0..T0 (n_e + 1 points) to e_out. */
static double run_auc(const mt_pbpk_ddi *x, size_t n_perp, const perp *pp, const setting *set,
                      size_t n_set, const char *e_id, double *e_out, size_t n_e)
{
    mt_ctx *ctx = NULL;
    if (mt_ctx_create(&ctx) != MT_OK)
        return NAN;
    mt_dose dose = {T0, DOSE, MT_DOSE_PO, 0.0, 0, 0, 0};
    mt_pbpk_drug drugs[4] = {{"v", 1, &dose, 0, 0, 0, 0, 0}};
    for (size_t k = 0; k < n_perp; k++)
        drugs[k + 1] = (mt_pbpk_drug){pp[k].name, 0, NULL, 0, 0, 0, 0, 0};
    mt_model *m = NULL;
    mt_program *p = NULL;
    mt_sim *s = NULL;
    mt_result *r = NULL;
    double auc = NAN;
    mt_status st = mt_pbpk_build_ddi(ctx, n_perp + 1, drugs, x, &m);
    if (st == MT_OK && add_auc(ctx, m) != 0)
        st = MT_ENOMEM;
    if (st == MT_OK && via_sbml) { /* the model as `medtwin twin export` writes it, read back */
        char *xml = NULL;
        st = mt_model_export_sbml(ctx, m, 0, NULL, NULL, &xml);
        mt_model_destroy(m);
        m = NULL;
        if (st == MT_OK)
            st = mt_model_load_string(ctx, xml, strlen(xml), NULL, &m);
        free(xml);
    }
    st = st ? st : mt_program_create(ctx, m, &p);
    st = st ? st : mt_sim_create(ctx, p, &s);
    st = st ? st : mt_sim_set_tolerances(s, 1e-10, 1e-14);
    st = st ? st : mt_sim_set_max_steps(s, 1000000);
    st = st ? st : set_common(s, n_perp, pp);
    for (size_t i = 0; i < n_set && st == MT_OK; i++)
        st = mt_sim_set_value(s, set[i].id, set[i].v);
    st = st ? st : mt_sim_add_output(s, "AUC_v", MT_REPORT_DEFAULT);
    if (e_id)
        st = st ? st : mt_sim_add_output(s, e_id, MT_REPORT_DEFAULT);
    st = st ? st : mt_sim_check_defined(s, 0.0);
    if (e_id && st == MT_OK) {
        st = mt_sim_run(s, 0.0, T0, (long)n_e, &r);
        for (size_t i = 0; st == MT_OK && i <= n_e; i++)
            e_out[i] = mt_result_value(r, i, 1);
        mt_result_destroy(r);
        r = NULL;
    }
    st = st ? st : mt_sim_run(s, 0.0, T0 + T_AFTER, 30, &r);
    if (st == MT_OK)
        auc = mt_result_value(r, mt_result_n_rows(r) - 1, 0);
    else
        printf("run_auc: %s\n", mt_errmsg(ctx));
    mt_result_destroy(r);
    mt_sim_destroy(s);
    mt_program_destroy(p);
    mt_model_destroy(m);
    mt_ctx_destroy(ctx);
    return auc;
}

static const double AUC0 = DOSE / CLH; /* F = 1 */

static void report(const char *what, double expect, double got)
{
    printf("  %-44s AUC ratio expected %.10g got %.10g (rel. diff %.2g)\n", what, expect, got,
           fabs(got - expect) / expect);
}

/* The method itself: without interactions the AUC is F Dose / CL_H. */
TEST(baseline_auc_is_dose_over_clearance)
{
    double auc = run_auc(NULL, 0, NULL, NULL, 0, NULL, NULL, 0);
    report("no interaction (AUC / (F Dose / CL_H))", 1.0, auc / AUC0);
    ASSERT_NEAR(auc / AUC0, 1.0, 1e-6);
}

static const perp P = {"p", 2.0, 500.0, 0.1, 0.8};  /* I = 0.5 umol/L */
static const perp Q2 = {"q", 3.0, 300.0, 0.2, 1.0}; /* I = 2 umol/L */

TEST(competitive_steady_state)
{
    ASSERT_NEAR(conc_i(&P), 0.5, 1e-15);
    mt_pbpk_pathway w[] = {{"v", "CYP3A4"}};
    mt_pbpk_interaction ix[] = {{"p", "CYP3A4", MT_DDI_REVERSIBLE}};
    mt_pbpk_ddi x = {1, w, 1, ix, 0, NULL};
    const double ki = 0.25;
    setting set[] = {{"fm_v_CYP3A4", 1.0}, {"Ki_p_CYP3A4", ki}};
    double ratio = run_auc(&x, 1, &P, set, 2, NULL, NULL, 0) / AUC0;
    double expect = 1.0 + conc_i(&P) / ki; /* 3 */
    report("competitive, fm 1: 1 + I/Ki", expect, ratio);
    ASSERT_NEAR(ratio, expect, 1e-6 * expect);
}

TEST(competitive_partial_fm)
{
    mt_pbpk_pathway w[] = {{"v", "CYP3A4"}};
    mt_pbpk_interaction ix[] = {{"p", "CYP3A4", MT_DDI_REVERSIBLE}};
    mt_pbpk_ddi x = {1, w, 1, ix, 0, NULL};
    const double ki = 0.25, fm = 0.6;
    setting set[] = {{"fm_v_CYP3A4", fm}, {"Ki_p_CYP3A4", ki}};
    double ratio = run_auc(&x, 1, &P, set, 2, NULL, NULL, 0) / AUC0;
    double expect = 1.0 / (fm / (1.0 + conc_i(&P) / ki) + 1.0 - fm);
    report("competitive, fm 0.6: 1/(fm/(1+I/Ki) + 1 - fm)", expect, ratio);
    ASSERT_NEAR(ratio, expect, 1e-6 * expect);
}

/* Michaelis-Menten saturation of the victim's own pathway (MT_DDI_SATURATION): the rule
 * CL_H_eff_v = CL_H_v (1 + fm (1/(1 + I_v/Km) - 1)) with I_v = A_liv_v/(V_liv Kp_liv_v) fu_v/BP_v
 * 1000/MW_v at every output; the linear model in the limit Km -> infinity; more exposure (AUC per
 * dose) with a small Km. */
TEST(saturation_of_own_pathway)
{
    mt_pbpk_pathway w[] = {{"v", "CYP3A4"}};
    mt_pbpk_interaction ix[] = {{"v", "CYP3A4", MT_DDI_SATURATION}};
    mt_pbpk_ddi x = {1, w, 1, ix, 0, NULL};
    const double fm = 0.7, mw = 300.0, fu = 0.2;
    /* the limit: Km huge */
    setting lin[] = {{"fm_v_CYP3A4", fm}, {"Km_v_CYP3A4", 1e12}, {"MW_v", mw}, {"fu_v", fu}};
    double r_lin = run_auc(&x, 0, NULL, lin, 4, NULL, NULL, 0) / AUC0;
    report("saturation, Km -> infinity: linear", 1.0, r_lin);
    ASSERT_NEAR(r_lin, 1.0, 1e-6);
    /* a Km of the order of the concentrations reached */
    setting sat[] = {{"fm_v_CYP3A4", fm}, {"Km_v_CYP3A4", 5.0}, {"MW_v", mw}, {"fu_v", fu}};
    double r_sat = run_auc(&x, 0, NULL, sat, 4, NULL, NULL, 0) / AUC0;
    printf("  saturation, Km 5 umol/L: AUC ratio %.6g (> 1: less clearance at high levels)\n",
           r_sat);
    ASSERT_TRUE(r_sat > 1.001 && r_sat < 1.0 / (1.0 - fm));
    /* the rule, checked on the simulated course */
    mt_ctx *ctx = NULL;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    mt_dose dose = {0.0, DOSE, MT_DOSE_IV_BOLUS, 0.0, 0, 0, 0};
    mt_pbpk_drug drugs[1] = {{"v", 1, &dose, 0, 0, 0, 0, 0}};
    mt_model *m = NULL;
    mt_program *p = NULL;
    mt_sim *s = NULL;
    mt_result *r = NULL;
    ASSERT_EQ_INT(mt_pbpk_build_ddi(ctx, 1, drugs, &x, &m), MT_OK);
    ASSERT_EQ_INT(mt_program_create(ctx, m, &p), MT_OK);
    ASSERT_EQ_INT(mt_sim_create(ctx, p, &s), MT_OK);
    ASSERT_EQ_INT(set_common(s, 0, NULL), MT_OK);
    for (size_t i = 0; i < 4; i++)
        ASSERT_EQ_INT(mt_sim_set_value(s, sat[i].id, sat[i].v), MT_OK);
    ASSERT_EQ_INT(mt_sim_add_output(s, "CL_H_eff_v", MT_REPORT_DEFAULT), MT_OK);
    ASSERT_EQ_INT(mt_sim_add_output(s, "A_liv_v", MT_REPORT_DEFAULT), MT_OK);
    ASSERT_EQ_INT(mt_sim_add_output(s, "I_v", MT_REPORT_DEFAULT), MT_OK);
    ASSERT_EQ_INT(mt_sim_run(s, 0.0, 24.0, 48, &r), MT_OK);
    double v_liv = NAN;
    for (size_t o = 0; o < mt_pbpk_n_organs(); o++)
        if (!strcmp(mt_pbpk_organ(o), "liv"))
            v_liv = 1.0 + 0.2 * (double)o; /* set_common's volumes */
    double lo = 1.0;
    for (size_t i = 1; i < mt_result_n_rows(r); i++) {
        double clh = mt_result_value(r, i, 0), a = mt_result_value(r, i, 1),
               iv = mt_result_value(r, i, 2);
        double i_exp = a / (v_liv * 1.5) * fu / 1.0 * 1000.0 / mw;
        ASSERT_NEAR(iv, i_exp, 1e-12 * i_exp);
        double c_exp = CLH * (1.0 + fm * (1.0 / (1.0 + i_exp / 5.0) - 1.0));
        ASSERT_NEAR(clh, c_exp, 1e-12 * c_exp);
        lo = fmin(lo, clh / CLH);
    }
    printf("  saturation: lowest CL_H_eff / CL_H %.4g (after the bolus)\n", lo);
    ASSERT_TRUE(lo < 0.99);
    mt_result_destroy(r);
    mt_sim_destroy(s);
    mt_program_destroy(p);
    mt_model_destroy(m);
    /* the liver only: on the transit model the gut wall keeps its linear Fg (no Fg_eff_v) */
    const int gi[1] = {1};
    ASSERT_EQ_INT(mt_pbpk_build_gi(ctx, 1, drugs, &x, gi, &m), MT_OK);
    ASSERT_TRUE(mt_ir_find(m, "CL_H_eff_v") >= 0);
    ASSERT_TRUE(mt_ir_find(m, "Fg_eff_v") < 0 && mt_ir_find(m, "Ig_v") < 0);
    mt_model_destroy(m);
    mt_ctx_destroy(ctx);
}

TEST(mechanism_based_inactivation)
{
    mt_pbpk_pathway w[] = {{"v", "CYP3A4"}};
    mt_pbpk_interaction ix[] = {{"p", "CYP3A4", MT_DDI_INACTIVATION}};
    mt_pbpk_ddi x = {1, w, 1, ix, 0, NULL};
    const double kdeg = log(2.0) / 36.0, kinact = 0.06, KI = 1.0, I = conc_i(&P);
    setting set[] = {{"fm_v_CYP3A4", 1.0},
                     {"kdeg_CYP3A4", kdeg},
                     {"kinact_p_CYP3A4", kinact},
                     {"KI_p_CYP3A4", KI}};
    enum { NE = 150 };
    double e[NE + 1];
    double ratio = run_auc(&x, 1, &P, set, 4, "E_CYP3A4", e, NE) / AUC0;
    double lam = kinact * I / (KI + I), ess = kdeg / (kdeg + lam);
    double expect = 1.0 + kinact * I / (kdeg * (KI + I));
    report("MBI, fm 1: 1 + kinact I / (kdeg (KI + I))", expect, ratio);
    ASSERT_NEAR(ratio, expect, 1e-6 * expect);
    /* E(t) = Ess + (1 - Ess) exp(-(kdeg + lam) t) for constant I */
    double worst = 0;
    for (size_t i = 0; i <= NE; i++) {
        double t = T0 * (double)i / NE;
        double ex = ess + (1.0 - ess) * exp(-(kdeg + lam) * t);
        worst = fmax(worst, fabs(e[i] - ex));
    }
    printf("  MBI enzyme time course: max |E - E_analytic| %.2g over 0..%g h (Ess %.6g)\n", worst,
           T0, ess);
    ASSERT_TRUE(worst < 1e-7);
}

TEST(induction)
{
    mt_pbpk_pathway w[] = {{"v", "CYP3A4"}};
    mt_pbpk_interaction ix[] = {{"p", "CYP3A4", MT_DDI_INDUCTION}};
    mt_pbpk_ddi x = {1, w, 1, ix, 0, NULL};
    const double kdeg = log(2.0) / 36.0, emax = 4.0, ec50 = 0.5, I = conc_i(&P);
    setting set[] = {{"fm_v_CYP3A4", 1.0},
                     {"kdeg_CYP3A4", kdeg},
                     {"Emax_p_CYP3A4", emax},
                     {"EC50_p_CYP3A4", ec50}};
    enum { NE = 150 };
    double e[NE + 1];
    double ratio = run_auc(&x, 1, &P, set, 4, "E_CYP3A4", e, NE) / AUC0;
    double ess = 1.0 + emax * I / (ec50 + I);
    double expect = 1.0 / ess; /* 1/3 */
    report("induction, fm 1: 1/(1 + Emax I/(EC50 + I))", expect, ratio);
    ASSERT_NEAR(ratio, expect, 1e-6 * expect);
    double worst = 0;
    for (size_t i = 0; i <= NE; i++) {
        double t = T0 * (double)i / NE;
        worst = fmax(worst, fabs(e[i] - (ess + (1.0 - ess) * exp(-kdeg * t))));
    }
    printf("  induction enzyme time course: max |E - E_analytic| %.2g\n", worst);
    ASSERT_TRUE(worst < 1e-7);
}

TEST(two_perpetrators_add)
{
    const perp pq[] = {P, Q2};
    const double kip = 0.25, kiq = 4.0;
    {
        mt_pbpk_pathway w[] = {{"v", "CYP3A4"}};
        mt_pbpk_interaction ix[] = {{"p", "CYP3A4", MT_DDI_REVERSIBLE},
                                    {"q", "CYP3A4", MT_DDI_REVERSIBLE}};
        mt_pbpk_ddi x = {1, w, 2, ix, 0, NULL};
        setting set[] = {{"fm_v_CYP3A4", 1.0}, {"Ki_p_CYP3A4", kip}, {"Ki_q_CYP3A4", kiq}};
        double ratio = run_auc(&x, 2, pq, set, 3, NULL, NULL, 0) / AUC0;
        double expect = 1.0 + conc_i(&P) / kip + conc_i(&Q2) / kiq; /* 3.5 */
        report("two competitive: 1 + I1/Ki1 + I2/Ki2", expect, ratio);
        ASSERT_NEAR(ratio, expect, 1e-6 * expect);
    }
    {
        /* inactivation by p and induction by q of the same enzyme, plus competitive p on a
         * second pathway of the victim */
        mt_pbpk_pathway w[] = {{"v", "CYP3A4"}, {"v", "CYP2C9"}};
        mt_pbpk_interaction ix[] = {{"p", "CYP3A4", MT_DDI_INACTIVATION},
                                    {"q", "CYP3A4", MT_DDI_INDUCTION},
                                    {"p", "CYP2C9", MT_DDI_REVERSIBLE}};
        mt_pbpk_ddi x = {2, w, 3, ix, 0, NULL};
        const double kdeg = log(2.0) / 36.0, kinact = 0.06, KI = 1.0, emax = 4.0, ec50 = 0.5;
        const double fm1 = 0.5, fm2 = 0.3, ki2 = 0.1;
        setting set[] = {{"fm_v_CYP3A4", fm1},        {"fm_v_CYP2C9", fm2}, {"kdeg_CYP3A4", kdeg},
                         {"kinact_p_CYP3A4", kinact}, {"KI_p_CYP3A4", KI},  {"Emax_q_CYP3A4", emax},
                         {"EC50_q_CYP3A4", ec50},     {"Ki_p_CYP2C9", ki2}};
        double ratio = run_auc(&x, 2, pq, set, 8, NULL, NULL, 0) / AUC0;
        double Ip = conc_i(&P), Iq = conc_i(&Q2);
        double e3a4 = kdeg * (1.0 + emax * Iq / (ec50 + Iq)) / (kdeg + kinact * Ip / (KI + Ip));
        double a2c9 = 1.0 / (1.0 + Ip / ki2);
        double expect = 1.0 / (fm1 * e3a4 + fm2 * a2c9 + 1.0 - fm1 - fm2);
        report("MBI + induction on 3A4, competitive on 2C9", expect, ratio);
        ASSERT_NEAR(ratio, expect, 1e-6 * expect);
    }
}

/* The interaction model survives SBML export (`medtwin twin export`): the file read back gives
 * the same AUC. */
TEST(sbml_export_round_trip)
{
    const perp pq[] = {P, Q2};
    mt_pbpk_pathway w[] = {{"v", "CYP3A4"}, {"v", "CYP2C9"}};
    mt_pbpk_interaction ix[] = {{"p", "CYP3A4", MT_DDI_INACTIVATION},
                                {"q", "CYP3A4", MT_DDI_INDUCTION},
                                {"p", "CYP2C9", MT_DDI_REVERSIBLE}};
    mt_pbpk_ddi x = {2, w, 3, ix, 0, NULL};
    setting set[] = {{"fm_v_CYP3A4", 0.5},           {"fm_v_CYP2C9", 0.3},
                     {"kdeg_CYP3A4", log(2.0) / 36}, {"kinact_p_CYP3A4", 0.06},
                     {"KI_p_CYP3A4", 1.0},           {"Emax_q_CYP3A4", 4.0},
                     {"EC50_q_CYP3A4", 0.5},         {"Ki_p_CYP2C9", 0.1}};
    double direct = run_auc(&x, 2, pq, set, 8, NULL, NULL, 0);
    via_sbml = 1;
    double file = run_auc(&x, 2, pq, set, 8, NULL, NULL, 0);
    via_sbml = 0;
    printf("  SBML round trip: AUC %.12g direct, %.12g from the exported file\n", direct, file);
    ASSERT_TRUE(isfinite(direct));
    ASSERT_NEAR(file, direct, 1e-9 * direct);
}

/* A drug does not reversibly inhibit its own metabolism: its clearance is unchanged and the
 * model has no fm or CL_H_eff for it. */
TEST(no_reversible_autoinhibition)
{
    mt_pbpk_pathway w[] = {{"v", "CYP3A4"}};
    mt_pbpk_interaction ix[] = {{"v", "CYP3A4", MT_DDI_REVERSIBLE}};
    mt_pbpk_ddi x = {1, w, 1, ix, 0, NULL};
    setting set[] = {{"MW_v", 300.0}, {"fu_v", 0.5}, {"Ki_v_CYP3A4", 1e-3}};
    double ratio = run_auc(&x, 0, NULL, set, 3, NULL, NULL, 0) / AUC0;
    report("self reversible inhibition (none)", 1.0, ratio);
    ASSERT_NEAR(ratio, 1.0, 1e-6);
    mt_ctx *ctx = NULL;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    mt_pbpk_drug drug = {"v", 0, NULL, 0, 0, 0, 0, 0};
    mt_model *m = NULL;
    ASSERT_EQ_INT(mt_pbpk_build_ddi(ctx, 1, &drug, &x, &m), MT_OK);
    ASSERT_TRUE(mt_ir_find(m, "fm_v_CYP3A4") < 0 && mt_ir_find(m, "CL_H_eff_v") < 0);
    mt_model_destroy(m);
    /* inactivation does act on the inactivator's own pathway (shared enzyme) */
    mt_pbpk_interaction mbi[] = {{"v", "CYP3A4", MT_DDI_INACTIVATION}};
    mt_pbpk_ddi y = {1, w, 1, mbi, 0, NULL};
    ASSERT_EQ_INT(mt_pbpk_build_ddi(ctx, 1, &drug, &y, &m), MT_OK);
    ASSERT_TRUE(mt_ir_find(m, "fm_v_CYP3A4") >= 0 && mt_ir_find(m, "E_CYP3A4") >= 0);
    mt_model_destroy(m);
    mt_ctx_destroy(ctx);
}

/* Without an interaction the model is mt_pbpk_build's: same symbols, same numbers, bit for bit.
 */
TEST(no_perpetrator_is_identical)
{
    mt_ctx *ctx = NULL;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    mt_dose dose = {0.0, DOSE, MT_DOSE_PO, 0.0, 0, 0, 0};
    mt_pbpk_drug drug = {"v", 1, &dose, 0, 0, 0, 0, 0};
    mt_pbpk_pathway w[] = {{"v", "CYP3A4"}, {"v", "UGT1A4"}};
    mt_pbpk_ddi x = {2, w, 0, NULL, 0, NULL};
    mt_model *m[2] = {0};
    ASSERT_EQ_INT(mt_pbpk_build(ctx, 1, &drug, &m[0]), MT_OK);
    ASSERT_EQ_INT(mt_pbpk_build_ddi(ctx, 1, &drug, &x, &m[1]), MT_OK);
    ASSERT_EQ_INT((int)m[1]->n_sym, (int)m[0]->n_sym);
    ASSERT_TRUE(mt_ir_find(m[1], "fm_v_CYP3A4") < 0);
    double *out[2] = {0};
    size_t rows = 0, cols = 0;
    for (int k = 0; k < 2; k++) {
        mt_program *p = NULL;
        mt_sim *s = NULL;
        mt_result *r = NULL;
        ASSERT_EQ_INT(mt_program_create(ctx, m[k], &p), MT_OK);
        ASSERT_EQ_INT(mt_sim_create(ctx, p, &s), MT_OK);
        ASSERT_EQ_INT(set_common(s, 0, NULL), MT_OK);
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
    printf("  no interaction: %zu x %zu outputs bitwise identical to mt_pbpk_build\n", rows, cols);
    free(out[0]);
    free(out[1]);
    mt_model_destroy(m[0]);
    mt_model_destroy(m[1]);
    mt_ctx_destroy(ctx);
}

TEST(bad_descriptions)
{
    mt_ctx *ctx = NULL;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    mt_pbpk_drug drugs[2] = {{"v", 0, NULL, 0, 0, 0, 0, 0}, {"p", 0, NULL, 0, 0, 0, 0, 0}};
    mt_model *m = NULL;
    mt_pbpk_pathway w_bad_drug[] = {{"x", "CYP3A4"}};
    mt_pbpk_ddi x1 = {1, w_bad_drug, 0, NULL, 0, NULL};
    ASSERT_EQ_INT(mt_pbpk_build_ddi(ctx, 2, drugs, &x1, &m), MT_EINVAL);
    ASSERT_TRUE(strstr(mt_errmsg(ctx), "'x' is not in the regimen") != NULL);
    mt_pbpk_pathway w_bad_enz[] = {{"v", "P-gp"}};
    mt_pbpk_ddi x2 = {1, w_bad_enz, 0, NULL, 0, NULL};
    ASSERT_EQ_INT(mt_pbpk_build_ddi(ctx, 2, drugs, &x2, &m), MT_EINVAL);
    ASSERT_TRUE(strstr(mt_errmsg(ctx), "'P-gp'") != NULL);
    mt_pbpk_pathway w[] = {{"v", "CYP3A4"}};
    mt_pbpk_interaction twice[] = {{"p", "CYP3A4", MT_DDI_REVERSIBLE},
                                   {"p", "CYP3A4", MT_DDI_REVERSIBLE}};
    mt_pbpk_ddi x3 = {1, w, 2, twice, 0, NULL};
    ASSERT_EQ_INT(mt_pbpk_build_ddi(ctx, 2, drugs, &x3, &m), MT_EINVAL);
    ASSERT_TRUE(strstr(mt_errmsg(ctx), "listed twice") != NULL);
    mt_pbpk_interaction no_perp[] = {{"z", "CYP3A4", MT_DDI_REVERSIBLE}};
    mt_pbpk_ddi x4 = {1, w, 1, no_perp, 0, NULL};
    ASSERT_EQ_INT(mt_pbpk_build_ddi(ctx, 2, drugs, &x4, &m), MT_EINVAL);
    /* drug "p_x" with enzyme "E" and drug "p" with enzyme "x_E" give the same Ki id */
    mt_pbpk_drug clash[3] = {{"v", 0, NULL, 0, 0, 0, 0, 0},
                             {"p", 0, NULL, 0, 0, 0, 0, 0},
                             {"p_x", 0, NULL, 0, 0, 0, 0, 0}};
    mt_pbpk_pathway wc[] = {{"v", "E"}, {"v", "x_E"}};
    mt_pbpk_interaction ic[] = {{"p_x", "E", MT_DDI_REVERSIBLE}, {"p", "x_E", MT_DDI_REVERSIBLE}};
    mt_pbpk_ddi x5 = {2, wc, 2, ic, 0, NULL};
    ASSERT_EQ_INT(mt_pbpk_build_ddi(ctx, 3, clash, &x5, &m), MT_EINVAL);
    ASSERT_TRUE(strstr(mt_errmsg(ctx), "Ki_p_x_E") != NULL);
    ASSERT_TRUE(m == NULL);
    mt_ctx_destroy(ctx);
}

/* ---- the twin: real cards ------------------------------------------------------------------- */

static mt_profile *load_anna(mt_ctx *ctx)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/../examples/patients/anna.json", mt_data_dir());
    mt_profile *p = NULL;
    if (mt_profile_load(ctx, path, &p) != MT_OK)
        printf("cannot load %s: %s\n", path, mt_errmsg(ctx));
    return p;
}

static double pval(const mt_twin_param_list *l, const char *id)
{
    const mt_twin_param *p = mt_twin_param_find(l, id);
    return p ? p->value : NAN;
}

static const char *pprov(const mt_twin_param_list *l, const char *id)
{
    const mt_twin_param *p = mt_twin_param_find(l, id);
    return p ? p->provenance : "";
}

static const char *ftext(const mt_twin_param_list *l, const char *key)
{
    const mt_twin_fact *f = mt_twin_fact_find(l, key);
    return f ? f->text : "(absent)";
}

/* CLint_u (L/h per L liver) of a card's hepatic process i: kcat x liver enzyme / Km. */
static double clint_per_l(const mt_twin_tables *t, mt_ctx *ctx, const mt_drugcard *c, size_t i)
{
    mt_drugcard_process p;
    double e;
    if (mt_drugcard_hepatic(c, i, &p) != MT_OK ||
        mt_twin_enzyme_liver_umol_l(t, ctx, p.protein, &e, NULL) != MT_OK)
        return NAN;
    return p.kcat_per_h * e / p.km_umol_l;
}

/* Sets every parameter of l on the model of the regimen (midazolam by mouth at 0 h, the others
 * by mouth at 0 h too) and returns the midazolam AUC0-48h of the venous blood. */
static double twin_auc(mt_ctx *ctx, size_t n, const char *const *ids, const mt_pbpk_ddi *x,
                       const mt_twin_param_list *l)
{
    mt_dose dose[4];
    mt_pbpk_drug drugs[4];
    for (size_t d = 0; d < n; d++) {
        dose[d] = (mt_dose){0.0, d ? 200.0 : 5.0, MT_DOSE_IV_BOLUS, 0.0, 0, 0, 0};
        drugs[d] = (mt_pbpk_drug){ids[d],
                                  1,
                                  &dose[d],
                                  twin_binds(l, ids[d]),
                                  twin_cells(l, ids[d]),
                                  twin_uptake(l, ids[d]),
                                  0,
                                  0};
    }
    mt_model *m = NULL;
    mt_program *p = NULL;
    mt_sim *s = NULL;
    mt_result *r = NULL;
    double auc = NAN;
    mt_status st = mt_pbpk_build_ddi(ctx, n, drugs, x, &m);
    st = st ? st : mt_program_create(ctx, m, &p);
    st = st ? st : mt_sim_create(ctx, p, &s);
    for (size_t i = 0; st == MT_OK && i < l->n_params; i++)
        st = mt_sim_set_value(s, l->params[i].id, l->params[i].value);
    st = st ? st : mt_sim_check_defined(s, 0.0);
    st = st ? st : mt_sim_add_output(s, "C_venous_midazolam", MT_REPORT_DEFAULT);
    st = st ? st : mt_sim_run(s, 0.0, 48.0, 960, &r);
    if (st == MT_OK) {
        auc = 0;
        for (size_t i = 1; i < mt_result_n_rows(r); i++)
            auc += 0.5 * (mt_result_value(r, i, 0) + mt_result_value(r, i - 1, 0)) *
                   (mt_result_time(r, i) - mt_result_time(r, i - 1));
    } else {
        printf("twin_auc: %s\n", mt_errmsg(ctx));
    }
    mt_result_destroy(r);
    mt_sim_destroy(s);
    mt_program_destroy(p);
    mt_model_destroy(m);
    return auc;
}

/* Whether the builder description lists interaction (p, e, m). */
static int has_ix(const mt_pbpk_ddi *b, const char *p, const char *e, mt_ddi_mechanism m)
{
    for (size_t k = 0; k < b->n_interactions; k++)
        if (!strcmp(b->interactions[k].perpetrator, p) && !strcmp(b->interactions[k].enzyme, e) &&
            b->interactions[k].mechanism == m)
            return 1;
    return 0;
}

/* Midazolam with itraconazole (competitive CYP3A4; P-gp not modelled) and with rifampicin
 * (competitive and induction on CYP3A4, induction of its own AADAC; transporters not modelled):
 * the structure from the cards, the values with their provenance, a complete model. */
TEST(twin_midazolam_itraconazole_rifampicin)
{
    mt_ctx *ctx = NULL;
    mt_twin_tables *t = NULL;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    ASSERT_EQ_INT(mt_twin_tables_load(ctx, NULL, &t), MT_OK);
    mt_profile *anna = load_anna(ctx);
    ASSERT_TRUE(anna != NULL);
    const char *names[] = {"midazolam", "itraconazole", "rifampicin"};
    mt_drugcard *cards[3] = {0};
    for (size_t i = 0; i < 3; i++)
        ASSERT_EQ_INT(mt_drugcard_load(ctx, NULL, names[i], &cards[i]), MT_OK);
    const mt_drugcard *const mi[] = {cards[0], cards[1]};
    const char *const mi_ids[] = {"midazolam", "itraconazole"};

    /* structure */
    mt_twin_ddi *x = NULL;
    ASSERT_EQ_INT(mt_twin_ddi_describe(ctx, 2, mi, mi_ids, &x), MT_OK);
    const mt_pbpk_ddi *b = mt_twin_ddi_builder(x);
    /* itraconazole's competitive inhibition of CYP3A4, and the Michaelis-Menten saturation of
     * each drug's own pathways (midazolam CYP3A4 and UGT1A4, itraconazole CYP3A4: every process
     * has a Km) */
    ASSERT_EQ_INT((int)b->n_interactions, 4);
    ASSERT_TRUE(has_ix(b, "itraconazole", "CYP3A4", MT_DDI_REVERSIBLE));
    ASSERT_TRUE(has_ix(b, "midazolam", "CYP3A4", MT_DDI_SATURATION));
    ASSERT_TRUE(has_ix(b, "midazolam", "UGT1A4", MT_DDI_SATURATION));
    ASSERT_TRUE(has_ix(b, "itraconazole", "CYP3A4", MT_DDI_SATURATION));
    ASSERT_TRUE(!has_ix(b, "itraconazole", "UGT1A4", MT_DDI_SATURATION));
    /* every pathway is changed: by the inhibitor (midazolam CYP3A4) or by its own saturation;
     * itraconazole does not reversibly inhibit its own CYP3A4 pathway (no autoinhibition), its
     * saturation is its own Km */
    ASSERT_EQ_INT((int)b->n_pathways, 3);

    /* values */
    mt_twin_param_list l = {0};
    ASSERT_EQ_INT(mt_twin_params_ddi(t, ctx, anna, 2, mi, mi_ids, NULL, x, &l), MT_OK);
    double a = clint_per_l(t, ctx, cards[0], 0), u = clint_per_l(t, ctx, cards[0], 1);
    ASSERT_TRUE(a > 0 && u > 0);
    printf("  fm_midazolam_CYP3A4 %.10g (expected kcat E/Km share %.10g)\n",
           pval(&l, "fm_midazolam_CYP3A4"), a / (a + u));
    ASSERT_NEAR(pval(&l, "fm_midazolam_CYP3A4"), a / (a + u), 1e-12);
    ASSERT_NEAR(pval(&l, "fm_midazolam_UGT1A4"), u / (a + u), 1e-12);
    ASSERT_NEAR(pval(&l, "fm_itraconazole_CYP3A4"), 1.0, 1e-12); /* its only process */
    /* Km of the saturation: the card's, in umol/L (midazolam 4 umol/L; itraconazole 2.07 nM) */
    ASSERT_NEAR(pval(&l, "Km_midazolam_CYP3A4"), 4.0, 1e-12);
    ASSERT_NEAR(pval(&l, "Km_itraconazole_CYP3A4"), 2.0688492598e-3, 1e-12);
    ASSERT_TRUE(strstr(pprov(&l, "Km_itraconazole_CYP3A4"), "Michaelis-Menten") != NULL);
    ASSERT_NEAR(pval(&l, "Ki_itraconazole_CYP3A4"), 1.3e-3, 1e-15); /* card: 1.3 nmol/L */
    ASSERT_TRUE(strstr(pprov(&l, "Ki_itraconazole_CYP3A4"), "Isoherranen") != NULL);
    ASSERT_NEAR(pval(&l, "MW_itraconazole"), mt_drugcard_mw(cards[1]), 0);
    ASSERT_NEAR(pval(&l, "fu_itraconazole"), mt_drugcard_fu(cards[1]), 0);
    /* midazolam's own unbound liver concentration (its saturation) needs its MW too */
    ASSERT_NEAR(pval(&l, "MW_midazolam"), mt_drugcard_mw(cards[0]), 0);
    ASSERT_STR_EQ(ftext(&l, "interaction.itraconazole.CYP3A4.competitive"), "modelled");
    ASSERT_STR_EQ(ftext(&l, "interaction.itraconazole.P-gp.competitive"), "not modelled");
    ASSERT_TRUE(strstr(mt_twin_fact_find(&l, "interaction.itraconazole.P-gp.competitive")->how,
                       "transporters") != NULL);
    double auc_mi = twin_auc(ctx, 2, mi_ids, b, &l);
    mt_twin_param_list_free(&l);

    /* the same without interactions: facts say so, no interaction parameter */
    ASSERT_EQ_INT(mt_twin_params(t, ctx, anna, 2, mi, mi_ids, NULL, &l), MT_OK);
    ASSERT_TRUE(mt_twin_param_find(&l, "fm_midazolam_CYP3A4") == NULL);
    ASSERT_STR_EQ(ftext(&l, "interaction.itraconazole.CYP3A4.competitive"), "not applied");
    double auc_m0 = twin_auc(ctx, 2, mi_ids, NULL, &l);
    mt_twin_param_list_free(&l);
    printf("  midazolam 5 mg iv AUC0-48h with itraconazole 200 mg iv: %.4g vs %.4g mg h/L "
           "without the interaction (ratio %.3g)\n",
           auc_mi, auc_m0, auc_mi / auc_m0);
    ASSERT_TRUE(auc_mi > auc_m0 && auc_m0 > 0);
    /* a description of other drugs is refused */
    const char *const other_ids[] = {"midazolam", "itra"};
    ASSERT_EQ_INT(mt_twin_params_ddi(t, ctx, anna, 2, mi, other_ids, NULL, x, &l), MT_EINVAL);
    mt_twin_ddi_destroy(x);

    /* rifampicin: competitive and induction of CYP3A4, induction of AADAC (its own enzyme) */
    const mt_drugcard *const mr[] = {cards[0], cards[2]};
    const char *const mr_ids[] = {"midazolam", "rifampicin"};
    ASSERT_EQ_INT(mt_twin_ddi_describe(ctx, 2, mr, mr_ids, &x), MT_OK);
    b = mt_twin_ddi_builder(x);
    /* four of rifampicin (with the induction of its own OATP1B1 uptake, docs/twin-parameters.md
     * "Liver uptake"), and the saturations of midazolam (CYP3A4, UGT1A4) and rifampicin (AADAC,
     * Km 195 umol/L); its reversible OATP1B1 Ki is not modelled (a transport inhibition) */
    ASSERT_EQ_INT((int)b->n_interactions, 7);
    ASSERT_TRUE(has_ix(b, "rifampicin", "OATP1B1", MT_DDI_INDUCTION));
    ASSERT_TRUE(!has_ix(b, "rifampicin", "OATP1B1", MT_DDI_REVERSIBLE));
    ASSERT_TRUE(has_ix(b, "rifampicin", "CYP3A4", MT_DDI_INDUCTION));
    ASSERT_TRUE(has_ix(b, "rifampicin", "CYP3A4", MT_DDI_REVERSIBLE));
    ASSERT_TRUE(has_ix(b, "rifampicin", "AADAC", MT_DDI_INDUCTION));
    ASSERT_TRUE(has_ix(b, "rifampicin", "AADAC", MT_DDI_SATURATION));
    ASSERT_EQ_INT(mt_twin_params_ddi(t, ctx, anna, 2, mr, mr_ids, NULL, x, &l), MT_OK);
    ASSERT_NEAR(pval(&l, "Km_rifampicin_AADAC"), 195.1, 1e-12);
    ASSERT_NEAR(pval(&l, "kdeg_CYP3A4"), log(2.0) / 36.0, 1e-15);
    ASSERT_TRUE(strstr(pprov(&l, "kdeg_CYP3A4"), "enzyme_abundance.csv line 4") != NULL);
    ASSERT_NEAR(pval(&l, "kdeg_AADAC"), log(2.0) / 36.0, 1e-15);
    ASSERT_NEAR(pval(&l, "kdeg_OATP1B1"), log(2.0) / 36.0, 1e-15);
    ASSERT_NEAR(pval(&l, "Emax_rifampicin_OATP1B1"), 0.383, 0);
    ASSERT_NEAR(pval(&l, "Emax_rifampicin_CYP3A4"), 9.0, 0);
    ASSERT_NEAR(pval(&l, "EC50_rifampicin_CYP3A4"), 0.34, 0);
    ASSERT_NEAR(pval(&l, "Ki_rifampicin_CYP3A4"), 18.5, 0);
    ASSERT_NEAR(pval(&l, "fm_rifampicin_AADAC"), 1.0, 0);
    ASSERT_STR_EQ(ftext(&l, "interaction.rifampicin.CYP3A4.induction"), "modelled");
    ASSERT_STR_EQ(ftext(&l, "interaction.rifampicin.CYP2C8.induction"), "not modelled");
    ASSERT_STR_EQ(ftext(&l, "interaction.rifampicin.OATP1B1.competitive"), "not modelled");
    double auc_mr = twin_auc(ctx, 2, mr_ids, b, &l);
    printf("  midazolam AUC0-48h with rifampicin 200 mg iv at 0 h: %.4g mg h/L\n", auc_mr);
    ASSERT_TRUE(isfinite(auc_mr) && auc_mr > 0);
    mt_twin_param_list_free(&l);
    mt_twin_ddi_destroy(x);

    for (size_t i = 0; i < 3; i++)
        mt_drugcard_destroy(cards[i]);
    mt_profile_destroy(anna);
    mt_twin_tables_destroy(t);
    mt_ctx_destroy(ctx);
}

/* clang-format off */
#define V(x) "{\"value\": " #x ", \"unit\": \"1\", \"source\": \"synthetic test value\", \"fitted\": false}"
#define VU(x, u) "{\"value\": " #x ", \"unit\": \"" u "\", \"source\": \"synthetic test value\", \"fitted\": false}"
/* A synthetic perpetrator: inactivation and competitive inhibition of CYP3A4, a noncompetitive
 * P-gp inhibition; no hepatic elimination. */
static const char *const perp_card =
    "{\"schema\": \"medtwin-drug-card/1\", \"name\": \"perp\", \"version\": \"0.0.1\","
    " \"display_name\": \"Perp\", \"kind\": \"pbpk\","
    " \"physchem\": {\"mw\": " VU(400, "g/mol") ", \"logp\": " VU(2.0, "log10") ","
    "   \"fu_plasma\": " V(0.1) ", \"blood_plasma_ratio\": " V(1.0) "},"
    " \"partition\": {\"method\": \"rodgers_rowland\"},"
    " \"elimination\": {\"renal\": {\"gfr_fraction\": " V(1) "}},"
    " \"interactions\": ["
    "   {\"target\": \"CYP3A4\", \"mechanism\": \"mechanism_based\", \"kinact\": " VU(0.06, "1/h") ","
    "    \"ki_half\": " VU(2, "umol/L") "},"
    "   {\"target\": \"CYP3A4\", \"mechanism\": \"competitive\", \"ki\": " VU(1000, "nmol/L") "},"
    "   {\"target\": \"P-gp\", \"mechanism\": \"noncompetitive\", \"ki\": " VU(0.1, "umol/L") "}]}";
/* clang-format on */

static mt_drugcard *card_with(mt_ctx *ctx, const char *from, const char *to)
{
    const char *at = from ? strstr(perp_card, from) : perp_card;
    if (!at)
        return NULL;
    size_t n = strlen(perp_card) + (from ? strlen(to) : 0) + 1;
    char *s = malloc(n);
    if (!s)
        return NULL;
    if (from)
        snprintf(s, n, "%.*s%s%s", (int)(at - perp_card), perp_card, to, at + strlen(from));
    else
        snprintf(s, n, "%s", perp_card);
    mt_drugcard *c = NULL;
    if (mt_drugcard_parse(ctx, s, strlen(s), NULL, &c) != MT_OK)
        printf("card: %s\n", mt_errmsg(ctx));
    free(s);
    return c;
}

/* The reversible binding of an inactivator (Ki = K_I, PK-Sim's default) and a competitive Ki of
 * the same drug on the same enzyme add: Ki = 1/(1/K_I + 1/Ki). Missing values are errors that
 * name the card field or the enzyme. */
TEST(twin_inactivator_and_missing_values)
{
    mt_ctx *ctx = NULL;
    mt_twin_tables *t = NULL;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    ASSERT_EQ_INT(mt_twin_tables_load(ctx, NULL, &t), MT_OK);
    mt_profile *anna = load_anna(ctx);
    mt_drugcard *mid = NULL, *pcard = card_with(ctx, NULL, NULL);
    ASSERT_TRUE(anna && pcard);
    ASSERT_EQ_INT(mt_drugcard_load(ctx, NULL, "midazolam", &mid), MT_OK);
    const mt_drugcard *cards[] = {mid, pcard};
    const char *const ids[] = {"midazolam", "perp"};
    mt_twin_ddi *x = NULL;
    ASSERT_EQ_INT(mt_twin_ddi_describe(ctx, 2, cards, ids, &x), MT_OK);
    const mt_pbpk_ddi *b = mt_twin_ddi_builder(x);
    /* inactivation + one merged reversible entry of perp, and midazolam's own saturations on
     * CYP3A4 and UGT1A4 */
    ASSERT_EQ_INT((int)b->n_interactions, 4);
    ASSERT_TRUE(has_ix(b, "perp", "CYP3A4", MT_DDI_INACTIVATION));
    ASSERT_TRUE(has_ix(b, "perp", "CYP3A4", MT_DDI_REVERSIBLE));
    mt_twin_param_list l = {0};
    ASSERT_EQ_INT(mt_twin_params_ddi(t, ctx, anna, 2, cards, ids, NULL, x, &l), MT_OK);
    ASSERT_NEAR(pval(&l, "Ki_perp_CYP3A4"), 1.0 / (1.0 / 2.0 + 1.0 / 1.0), 1e-15);
    ASSERT_TRUE(strstr(pprov(&l, "Ki_perp_CYP3A4"), "Ki = K_I") != NULL);
    ASSERT_NEAR(pval(&l, "kinact_perp_CYP3A4"), 0.06, 0);
    ASSERT_NEAR(pval(&l, "KI_perp_CYP3A4"), 2.0, 0);
    ASSERT_NEAR(pval(&l, "MW_perp"), 400.0, 0);
    ASSERT_NEAR(pval(&l, "fu_perp"), 0.1, 0);
    ASSERT_NEAR(pval(&l, "kdeg_CYP3A4"), log(2.0) / 36.0, 1e-15);
    ASSERT_STR_EQ(ftext(&l, "interaction.perp.CYP3A4.mechanism_based"), "modelled");
    ASSERT_STR_EQ(ftext(&l, "interaction.perp.P-gp.noncompetitive"), "not modelled");
    ASSERT_TRUE(isfinite(twin_auc(ctx, 2, ids, b, &l)));
    mt_twin_param_list_free(&l);
    mt_twin_ddi_destroy(x);

    /* no MW; no kinact */
    const char *const cuts[][3] = {
        {"\"mw\": " VU(400, "g/mol") ",", "", "physchem.mw: absent"},
        {"\"kinact\": " VU(0.06, "1/h") ",", "", "interactions.0.kinact: absent"}};
    for (size_t i = 0; i < 2; i++) {
        mt_drugcard *c = card_with(ctx, cuts[i][0], cuts[i][1]);
        ASSERT_TRUE(c != NULL);
        const mt_drugcard *cc[] = {mid, c};
        ASSERT_EQ_INT(mt_twin_ddi_describe(ctx, 2, cc, ids, &x), MT_OK);
        ASSERT_EQ_INT(mt_twin_params_ddi(t, ctx, anna, 2, cc, ids, NULL, x, &l), MT_ENOTFOUND);
        printf("  %s\n", mt_errmsg(ctx));
        ASSERT_TRUE(strstr(mt_errmsg(ctx), cuts[i][2]) != NULL);
        ASSERT_EQ_INT((int)l.n_params, 0);
        mt_twin_ddi_destroy(x);
        mt_drugcard_destroy(c);
    }
    /* an inactivated enzyme without a turnover half-life (CYP2D6 has none in data/enzymes): the
     * perpetrator is metabolised by CYP2D6 and inactivates it */
    mt_drugcard *c2d6 = NULL;
    const mt_drugcard *c1[1];
    const char *const id1[] = {"perp"};
    {
        const char *from = "{\"target\": \"CYP3A4\", \"mechanism\": \"mechanism_based\"";
        const char *at = strstr(perp_card, from);
        ASSERT_TRUE(at != NULL);
        char buf[4096];
        snprintf(buf, sizeof buf,
                 "%.*s{\"target\": \"CYP2D6\", \"mechanism\": \"mechanism_based\"%s",
                 (int)(at - perp_card), perp_card, at + strlen(from));
        char buf2[4096];
        const char *el = strstr(buf, "\"elimination\": {");
        ASSERT_TRUE(el != NULL);
        snprintf(buf2, sizeof buf2,
                 "%.*s\"elimination\": {\"hepatic\": [{\"enzyme\": \"CYP2D6\", \"process\": "
                 "\"first_order\", \"clint\": {\"value\": 10, \"unit\": \"L/h\", \"source\": "
                 "\"synthetic test value\", \"fitted\": false}}], %s",
                 (int)(el - buf), buf, el + strlen("\"elimination\": {"));
        ASSERT_EQ_INT(mt_drugcard_parse(ctx, buf2, strlen(buf2), NULL, &c2d6), MT_OK);
    }
    c1[0] = c2d6;
    ASSERT_EQ_INT(mt_twin_ddi_describe(ctx, 1, c1, id1, &x), MT_OK);
    ASSERT_EQ_INT((int)mt_twin_ddi_builder(x)->n_pathways, 1); /* auto-inactivation */
    ASSERT_EQ_INT(mt_twin_params_ddi(t, ctx, anna, 1, c1, id1, NULL, x, &l), MT_ENOTFOUND);
    printf("  %s\n", mt_errmsg(ctx));
    ASSERT_TRUE(strstr(mt_errmsg(ctx), "'CYP2D6' has no liver turnover half-life") != NULL);
    mt_twin_ddi_destroy(x);
    mt_drugcard_destroy(c2d6);
    double h;
    ASSERT_EQ_INT(mt_twin_enzyme_half_life_h(t, ctx, "CYP2C9", &h, NULL), MT_OK);
    ASSERT_NEAR(h, 104.0, 0);
    mt_drugcard_destroy(mid);
    mt_drugcard_destroy(pcard);
    mt_profile_destroy(anna);
    mt_twin_tables_destroy(t);
    mt_ctx_destroy(ctx);
}

/* The enzyme table stays strict with its half-lives: a wrong unit, a duplicate, a half-life of
 * an enzyme without a reference concentration are refused with the line. */
static mt_status load_with_row(mt_ctx *ctx, const char *row)
{
    char dir[] = "/tmp/mt_enz_XXXXXX";
    if (!mkdtemp(dir))
        return MT_EIO;
    static const char *const subdirs[] = {"physiology", "tissue", "pgx"};
    char a[4096], b[4096];
    for (size_t i = 0; i < 3; i++) {
        snprintf(a, sizeof a, "%s/%s", mt_data_dir(), subdirs[i]);
        snprintf(b, sizeof b, "%s/%s", dir, subdirs[i]);
        if (symlink(a, b) != 0)
            return MT_EIO;
    }
    snprintf(b, sizeof b, "%s/enzymes", dir);
    mkdir(b, 0700);
    snprintf(a, sizeof a, "%s/enzymes/enzyme_abundance.csv", mt_data_dir());
    snprintf(b, sizeof b, "%s/enzymes/enzyme_abundance.csv", dir);
    FILE *in = fopen(a, "rb"), *out = fopen(b, "wb");
    if (!in || !out) {
        if (in)
            fclose(in);
        if (out)
            fclose(out);
        return MT_EIO;
    }
    char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        fwrite(buf, 1, n, out);
    fprintf(out, "%s\n", row);
    fclose(in);
    fclose(out);
    mt_twin_tables *t = NULL;
    mt_status st = mt_twin_tables_load(ctx, dir, &t);
    mt_twin_tables_destroy(t);
    remove(b);
    snprintf(b, sizeof b, "%s/enzymes", dir);
    rmdir(b);
    for (size_t i = 0; i < 3; i++) {
        snprintf(b, sizeof b, "%s/%s", dir, subdirs[i]);
        unlink(b);
    }
    rmdir(dir);
    return st;
}

TEST(enzyme_half_life_rows_strict)
{
    mt_ctx *ctx = NULL;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    ASSERT_EQ_INT(load_with_row(ctx, ""), MT_OK); /* the copy itself loads */
    ASSERT_EQ_INT(load_with_row(ctx, "CYP2D6,t1/2 (liver),2160,min,a source,"), MT_EPARSE);
    ASSERT_TRUE(strstr(mt_errmsg(ctx), "unit 'min' (expected 'h')") != NULL);
    ASSERT_EQ_INT(load_with_row(ctx, "CYP3A4,t1/2 (liver),37,h,a source,"), MT_EPARSE);
    ASSERT_TRUE(strstr(mt_errmsg(ctx), "duplicate row CYP3A4 t1/2 (liver)") != NULL);
    ASSERT_EQ_INT(load_with_row(ctx, "CYP9Z9,t1/2 (liver),30,h,a source,"), MT_EPARSE);
    ASSERT_TRUE(strstr(mt_errmsg(ctx), "CYP9Z9 has a t1/2 (liver) but no reference") != NULL);
    ASSERT_EQ_INT(load_with_row(ctx, "CYP2D6,t1/2 (liver),30,h,,"), MT_EPARSE);
    ASSERT_TRUE(strstr(mt_errmsg(ctx), "has no source") != NULL);
    mt_ctx_destroy(ctx);
}

TEST_MAIN(TEST_ENTRY(baseline_auc_is_dose_over_clearance), TEST_ENTRY(competitive_steady_state),
          TEST_ENTRY(competitive_partial_fm), TEST_ENTRY(saturation_of_own_pathway),
          TEST_ENTRY(mechanism_based_inactivation), TEST_ENTRY(induction),
          TEST_ENTRY(two_perpetrators_add), TEST_ENTRY(sbml_export_round_trip),
          TEST_ENTRY(no_reversible_autoinhibition), TEST_ENTRY(no_perpetrator_is_identical),
          TEST_ENTRY(bad_descriptions), TEST_ENTRY(twin_midazolam_itraconazole_rifampicin),
          TEST_ENTRY(twin_inactivator_and_missing_values), TEST_ENTRY(enzyme_half_life_rows_strict))
