/* SPDX-License-Identifier: Apache-2.0
 *
 * tests/unit/twin/test_gut_interactions.c — interactions in the gut wall (docs/interactions.md,
 * "The gut wall"): mt_pbpk_build_gi with an interaction description and a victim on the transit
 * model.
 *
 * The closed-form set-up: a victim v given by mouth at T0 = 1500 h through the transit model with
 * a baseline Fg = 0.6 and fmg = 0.7 (the part of its gut-wall CLint on the target enzyme), and a
 * perpetrator p without the transit model that starts at equilibrium (every organ at Kp = 1 times
 * one blood concentration) and has no clearance, so its unbound arterial concentration and with it
 * its gut-wall concentration Ig = fu/BP C_art 1000/MW are exactly constant. The gut-wall sink then
 * ends at (1 - Fg_eff) x the absorbed amount, with
 *   Fg_eff = Fg / (Fg + (1 - Fg)(1 + fmg (act - 1)))
 * and act = 1/(1 + Ig/Ki) (reversible), Eg_ss = 1 + Emax Ig/(EC50 + Ig) (induction) or
 * kdeg_gut/(kdeg_gut + kinact Ig/(KI + Ig)) (inactivation). Also: the enterocyte concentration of
 * a perpetrator on the transit model follows its formula at every output time; a regimen whose
 * victim has no transit model gets the liver-only model symbol for symbol; the reference man's
 * twin of oral midazolam with oral itraconazole or rifampicin gets fmg, Qgut and kdeg_gut from
 * its cards and data/enzymes. All numbers of the closed-form cases are synthetic test values.
 */
#include "harness.h"
#include "medtwin/data.h"
#include "medtwin/drugcard.h"
#include "medtwin/medtwin.h"
#include "medtwin/pbpk.h"
#include "medtwin/predict.h"
#include "medtwin/profile.h"
#include "medtwin/regimen.h"
#include "medtwin/twin.h"
#include "model/ir.h"
#include "twin_fixtures.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const seg[5] = {"duo", "jej1", "jej2", "ile1", "ile2"};
/* the large intestine: transit only (ka 0), so every closed form below stays that of the small
 * intestine and what is not absorbed ends in the faeces */
static const char *const li[6] = {"cae", "asc", "tra", "des", "sig", "rec"};
static const double T0 = 1500.0, DOSE = 40.0, FG = 0.6, FMG = 0.7;
static const double C_P = 2.0, MW_P = 400.0, FU_P = 0.2, BP_P = 0.8; /* perpetrator */

static double ig_const(void) { return C_P * FU_P / BP_P * 1000.0 / MW_P; } /* 1.25 umol/L */

typedef struct {
    const char *id;
    double v;
} setting;

/* mucosa: both drugs have PK-Sim's mucosa (PSm, VM, CLg instead of Fg and Qgut). */
static mt_status set_all(mt_sim *s, int perp_gi, int mucosa, const setting *set, size_t n_set)
{
    mt_status st = MT_OK;
    double vol[32];
    for (size_t o = 0; o < mt_pbpk_n_organs(); o++) {
        char id[64];
        vol[o] = 1.0 + 0.2 * (double)o;
        snprintf(id, sizeof id, "V_%s", mt_pbpk_organ(o));
        st = st ? st : mt_sim_set_value(s, id, vol[o]);
        if (strcmp(mt_pbpk_organ(o), "art") && strcmp(mt_pbpk_organ(o), "ven")) {
            snprintf(id, sizeof id, "Kp_%s_v", mt_pbpk_organ(o));
            st = st ? st : mt_sim_set_value(s, id, 1.5);
            snprintf(id, sizeof id, "Kp_%s_p", mt_pbpk_organ(o));
            st = st ? st : mt_sim_set_value(s, id, 1.0);
        }
        if (!perp_gi) {
            snprintf(id, sizeof id, "A_%s_p", mt_pbpk_organ(o));
            st = st ? st : mt_sim_set_value(s, id, C_P * vol[o]);
        }
    }
    static const char *const q[] = {"adi", "bone", "brain", "gut", "heart", "kid",
                                    "ha",  "mus",  "skin",  "spl", "rest"};
    for (size_t i = 0; i < sizeof q / sizeof *q; i++) {
        char id[64];
        snprintf(id, sizeof id, "Q_%s", q[i]);
        st = st ? st : mt_sim_set_value(s, id, 10.0 + (double)i);
    }
    const setting base[] = {
        {"CL_H_v", 5.0}, {"CL_R_v", 0.0}, {"ka_v", 0.0},        {"F_v", 1.0},
        {"BP_v", 1.0},   {"kge_v", 4.0},  {"Fg_v", FG},         {"CL_H_p", 0.0},
        {"CL_R_p", 0.0}, {"ka_p", 0.0},   {"F_p", 1.0},         {"BP_p", BP_P},
        {"MW_p", MW_P},  {"fu_p", FU_P},  {"fm_v_CYP3A4", 0.5}, {"fmg_v_CYP3A4", FMG}};
    for (size_t i = 0; i < sizeof base / sizeof *base; i++)
        if (!mucosa || strcmp(base[i].id, "Fg_v"))
            st = st ? st : mt_sim_set_value(s, base[i].id, base[i].v);
    const setting muc[] = {{"PSm_v", 3.0}, {"VM_v", 0.5}, {"CLg_v", 2.0},
                           {"PSm_p", 4.0}, {"VM_p", 0.8}, {"CLg_p", 0.0}};
    for (size_t i = 0; mucosa && i < (perp_gi ? 6u : 3u); i++)
        st = st ? st : mt_sim_set_value(s, muc[i].id, muc[i].v);
    const double kt[5] = {50.0, 2.0, 2.0, 1.5, 1.5}, ka[5] = {3.0, 5.0, 4.0, 3.0, 2.0};
    for (int k = 0; k < 5; k++) {
        char id[64];
        snprintf(id, sizeof id, "kt_%s_v", seg[k]);
        st = st ? st : mt_sim_set_value(s, id, kt[k]);
        snprintf(id, sizeof id, "ka_%s_v", seg[k]);
        st = st ? st : mt_sim_set_value(s, id, ka[k]);
        if (perp_gi) {
            snprintf(id, sizeof id, "kt_%s_p", seg[k]);
            st = st ? st : mt_sim_set_value(s, id, kt[k]);
            snprintf(id, sizeof id, "ka_%s_p", seg[k]);
            st = st ? st : mt_sim_set_value(s, id, 0.5 * ka[k]);
        }
    }
    for (int k = 0; k < 6; k++)
        for (int d = 0; d < (perp_gi ? 2 : 1); d++) {
            char id[64];
            snprintf(id, sizeof id, "kt_%s_%s", li[k], d ? "p" : "v");
            st = st ? st : mt_sim_set_value(s, id, 1.0);
            snprintf(id, sizeof id, "ka_%s_%s", li[k], d ? "p" : "v");
            st = st ? st : mt_sim_set_value(s, id, 0.0);
        }
    if (perp_gi) {
        const setting pg[] = {{"kge_p", 3.0}, {"Fg_p", 0.9}, {"Qgut_p", 12.0}};
        for (size_t i = 0; i < (mucosa ? 1u : 3u); i++)
            st = st ? st : mt_sim_set_value(s, pg[i].id, pg[i].v);
    }
    for (size_t i = 0; i < n_set && st == MT_OK; i++)
        st = mt_sim_set_value(s, set[i].id, set[i].v);
    return st;
}

/* Runs v by mouth at T0 with p at a constant concentration and interaction ix; returns
 * 1 - A_gwm / (Dose - A_fec) at the end (= Fg_eff), NaN on failure. */
static double run_fg(const mt_pbpk_interaction *ix, const setting *set, size_t n_set)
{
    mt_ctx *ctx = NULL;
    if (mt_ctx_create(&ctx) != MT_OK)
        return NAN;
    mt_dose dose = {T0, DOSE, MT_DOSE_PO, 0.0, 0, 0, 0};
    mt_pbpk_drug drugs[2] = {{"v", 1, &dose, 0, 0, 0, 0, 0}, {"p", 0, NULL, 0, 0, 0, 0, 0}};
    mt_pbpk_pathway pw = {"v", "CYP3A4"};
    mt_pbpk_ddi x = {1, &pw, 1, ix, 0, NULL};
    int gi[2] = {1, 0};
    mt_model *m = NULL;
    mt_program *p = NULL;
    mt_sim *s = NULL;
    mt_result *r = NULL;
    double out = NAN;
    mt_status st = mt_pbpk_build_gi(ctx, 2, drugs, &x, gi, &m);
    st = st ? st : mt_program_create(ctx, m, &p);
    st = st ? st : mt_sim_create(ctx, p, &s);
    st = st ? st : mt_sim_set_tolerances(s, 1e-10, 1e-14);
    st = st ? st : mt_sim_set_max_steps(s, 1000000);
    st = st ? st : set_all(s, 0, 0, set, n_set);
    st = st ? st : mt_sim_add_output(s, "A_gwm_v", MT_REPORT_DEFAULT);
    st = st ? st : mt_sim_add_output(s, "A_fec_v", MT_REPORT_DEFAULT);
    st = st ? st : mt_sim_add_output(s, "Ig_p", MT_REPORT_DEFAULT);
    st = st ? st : mt_sim_check_defined(s, 0.0);
    st = st ? st : mt_sim_run(s, 0.0, T0 + 200.0, 20, &r);
    if (st == MT_OK) {
        size_t last = mt_result_n_rows(r) - 1;
        out = 1.0 - mt_result_value(r, last, 0) / (DOSE - mt_result_value(r, last, 1));
        /* the perpetrator's gut-wall concentration is the constant of the set-up */
        for (size_t i = 0; i <= last; i++)
            if (fabs(mt_result_value(r, i, 2) - ig_const()) > 1e-9 * ig_const())
                out = NAN;
    } else {
        printf("run_fg: %s\n", mt_errmsg(ctx));
    }
    mt_result_destroy(r);
    mt_sim_destroy(s);
    mt_program_destroy(p);
    mt_model_destroy(m);
    mt_ctx_destroy(ctx);
    return out;
}

static double fg_eff(double act) { return FG / (FG + (1.0 - FG) * (1.0 + FMG * (act - 1.0))); }

static void report(const char *what, double expect, double got)
{
    printf("  %-28s Fg_eff expected %.10g got %.10g (rel. diff %.2g)\n", what, expect, got,
           fabs(got - expect) / expect);
}

TEST(gut_wall_closed_forms)
{
    const double I = ig_const(), kdeg = log(2.0) / 23.0;
    /* reversible: Ki 0.5 umol/L */
    mt_pbpk_interaction rev = {"p", "CYP3A4", MT_DDI_REVERSIBLE};
    setting s_rev[] = {{"Ki_p_CYP3A4", 0.5}};
    double exp_rev = fg_eff(1.0 / (1.0 + I / 0.5)), got = run_fg(&rev, s_rev, 1);
    report("reversible", exp_rev, got);
    ASSERT_NEAR(got, exp_rev, 1e-7);
    /* induction: Emax 4, EC50 0.8 umol/L, gut turnover ln 2 / 23 h */
    mt_pbpk_interaction ind = {"p", "CYP3A4", MT_DDI_INDUCTION};
    setting s_ind[] = {{"Emax_p_CYP3A4", 4.0},
                       {"EC50_p_CYP3A4", 0.8},
                       {"kdeg_CYP3A4", log(2.0) / 36.0},
                       {"kdeg_gut_CYP3A4", kdeg}};
    double exp_ind = fg_eff(1.0 + 4.0 * I / (0.8 + I));
    got = run_fg(&ind, s_ind, 4);
    report("induction", exp_ind, got);
    ASSERT_NEAR(got, exp_ind, 1e-7);
    /* inactivation: kinact 0.06/h, K_I 1 umol/L */
    mt_pbpk_interaction mbi = {"p", "CYP3A4", MT_DDI_INACTIVATION};
    setting s_mbi[] = {{"kinact_p_CYP3A4", 0.06},
                       {"KI_p_CYP3A4", 1.0},
                       {"kdeg_CYP3A4", log(2.0) / 36.0},
                       {"kdeg_gut_CYP3A4", kdeg}};
    double exp_mbi = fg_eff(kdeg / (kdeg + 0.06 * I / (1.0 + I)));
    got = run_fg(&mbi, s_mbi, 4);
    report("inactivation", exp_mbi, got);
    ASSERT_NEAR(got, exp_mbi, 1e-7);
    /* fmg 0: the gut wall is untouched */
    setting s_zero[] = {{"Ki_p_CYP3A4", 0.5}, {"fmg_v_CYP3A4", 0.0}};
    got = run_fg(&rev, s_zero, 2);
    report("fmg 0", FG, got);
    ASSERT_NEAR(got, FG, 1e-7);
}

/* A perpetrator on the transit model: Ig = Fg (J / Qgut + fu/BP A_art/V_art) 1000/MW, and the
 * victim's Fg_eff from it. With PK-Sim's mucosa on both drugs (pbpk.h mucosa) the perpetrator's
 * enterocyte concentration is its state's, Ig = fu/BP AM/VM 1000/MW, with no Qgut, and the
 * victim's gut wall clears at the rule CLg_eff = CLg (1 + fmg (act - 1)), with no Fg or Fg_eff.
 * Checked at every output time. */
TEST(enterocyte_concentration_of_an_oral_perpetrator)
{
    for (int mucosa = 0; mucosa < 2; mucosa++) {
        mt_ctx *ctx = NULL;
        ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
        mt_dose dv = {2.0, DOSE, MT_DOSE_PO, 0.0, 0, 0, 0},
                dp = {0.0, 100.0, MT_DOSE_PO, 0.0, 0, 0, 0};
        mt_pbpk_drug drugs[2] = {{"v", 1, &dv, 0, 0, 0, mucosa, 0},
                                 {"p", 1, &dp, 0, 0, 0, mucosa, 0}};
        mt_pbpk_pathway pw = {"v", "CYP3A4"};
        mt_pbpk_interaction ix = {"p", "CYP3A4", MT_DDI_REVERSIBLE};
        mt_pbpk_ddi x = {1, &pw, 1, &ix, 0, NULL};
        int gi[2] = {1, 1};
        mt_model *m = NULL;
        mt_program *p = NULL;
        mt_sim *s = NULL;
        mt_result *r = NULL;
        ASSERT_EQ_INT(build_gi_ddi_sim(ctx, 2, drugs, &x, gi, 1e-10, 1e-14, &m, &p, &s), MT_OK);
        size_t at;
        const char *absent[] = {"Qgut_p", "Fg_eff_v", "Fg_v", "Fg_p"};
        for (size_t i = 0; mucosa && i < 4; i++)
            ASSERT_TRUE(mt_model_find(m, absent[i], &at) != MT_OK);
        setting set[] = {{"Ki_p_CYP3A4", 0.5}};
        ASSERT_EQ_INT(set_all(s, 1, mucosa, set, 1), MT_OK);
        const char *out[2][8] = {{"Ig_p", "A_art_p", "A_duo_p", "A_jej1_p", "A_jej2_p", "A_ile1_p",
                                  "A_ile2_p", "Fg_eff_v"},
                                 {"Ig_p", "AM_p", "CLg_eff_v", "A_gwm_v"}};
        for (size_t i = 0; i < 8 && out[mucosa][i]; i++)
            ASSERT_EQ_INT(mt_sim_add_output(s, out[mucosa][i], MT_REPORT_DEFAULT), MT_OK);
        ASSERT_EQ_INT(mt_sim_check_defined(s, 0.0), MT_OK);
        ASSERT_EQ_INT(mt_sim_run(s, 0.0, 12.0, 48, &r), MT_OK);
        const double ka[5] = {1.5, 2.5, 2.0, 1.5, 1.0}, v_art = 1.2;
        double peak = 0;
        for (size_t i = 0; i < mt_result_n_rows(r); i++) {
            double want, j = 0;
            if (mucosa) {
                want = FU_P / BP_P * mt_result_value(r, i, 1) / 0.8 * 1000.0 / MW_P;
            } else {
                for (int k = 0; k < 5; k++)
                    j += ka[k] * mt_result_value(r, i, 2 + (size_t)k);
                want = 0.9 * (j / 12.0 + FU_P / BP_P * mt_result_value(r, i, 1) / v_art) * 1000.0 /
                       MW_P;
            }
            ASSERT_NEAR(mt_result_value(r, i, 0), want, 1e-12 + 1e-10 * want);
            double act = 1.0 / (1.0 + want / 0.5);
            if (mucosa)
                ASSERT_NEAR(mt_result_value(r, i, 2), 2.0 * (1.0 + FMG * (act - 1.0)), 1e-10);
            else
                ASSERT_NEAR(mt_result_value(r, i, 7), fg_eff(act), 1e-10);
            peak = fmax(peak, want);
        }
        printf("  %s: peak enterocyte concentration %.6g umol/L\n",
               mucosa ? "mucosa" : "Qgut model", peak);
        ASSERT_TRUE(peak > 1.0);
        if (mucosa) /* the victim's gut wall metabolised */
            ASSERT_TRUE(mt_result_value(r, mt_result_n_rows(r) - 1, 3) > 0.0);
        mt_result_destroy(r);
        mt_sim_destroy(s);
        mt_program_destroy(p);
        mt_model_destroy(m);
        mt_ctx_destroy(ctx);
    }
}

/* A metabolite formed in the gut wall: with no hepatic clearance of the parent and no clearance of
 * the metabolite, the metabolite in the body at the end is fformg x (1 - Fg) x the absorbed
 * amount x MW_M / MW_P (an inhibitor with Ki 1e12 umol/L: act = 1 to 1e-12); with a reversible
 * inhibitor of the formation enzyme at constant Ig it is
 * fformg x (1 - Fg_eff) x absorbed x act / (1 + fmg (act - 1)) x MW_M / MW_P. */
TEST(metabolite_formed_in_the_gut_wall)
{
    const double fformg = 0.4, mw_m = 300.0, mw_v = 250.0;
    for (int run = 0; run < 4; run++) {
        const int inhibited = run & 1, mucosa = run >> 1;
        mt_ctx *ctx = NULL;
        ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
        mt_dose dose = {1.0, DOSE, MT_DOSE_PO, 0.0, 0, 0, 0};
        mt_pbpk_drug drugs[3] = {{"v", 1, &dose, 0, 0, 0, mucosa, 0},
                                 {"p", 0, NULL, 0, 0, 0, 0, 0},
                                 {"m", 0, NULL, 0, 0, 0, 0, 0}};
        mt_pbpk_pathway pw = {"v", "CYP3A4"};
        mt_pbpk_interaction ix = {"p", "CYP3A4", MT_DDI_REVERSIBLE};
        mt_pbpk_formation fo = {"v", "CYP3A4", "m"};
        mt_pbpk_ddi x = {1, &pw, 1, &ix, 1, &fo};
        int gi[3] = {1, 0, 0};
        mt_model *m = NULL;
        mt_program *p = NULL;
        mt_sim *s = NULL;
        mt_result *r = NULL;
        ASSERT_EQ_INT(mt_pbpk_build_gi(ctx, 3, drugs, &x, gi, &m), MT_OK);
        ASSERT_EQ_INT(mt_program_create(ctx, m, &p), MT_OK);
        ASSERT_EQ_INT(mt_sim_create(ctx, p, &s), MT_OK);
        ASSERT_EQ_INT(mt_sim_set_tolerances(s, 1e-10, 1e-14), MT_OK);
        const double ki = inhibited ? 0.5 : 1e12;
        setting set[] = {{"Ki_p_CYP3A4", ki}, {"CL_H_v", 0.0}};
        ASSERT_EQ_INT(set_all(s, 0, mucosa, set, 2), MT_OK);
        const setting ms[] = {{"CL_H_m", 0.0},
                              {"CL_R_m", 0.0},
                              {"ka_m", 0.0},
                              {"F_m", 1.0},
                              {"BP_m", 1.0},
                              {"MW_m", mw_m},
                              {"MW_v", mw_v},
                              {"fform_v_CYP3A4_m", 0.3},
                              {"fformg_v_CYP3A4_m", fformg}};
        for (size_t i = 0; i < sizeof ms / sizeof *ms; i++)
            ASSERT_EQ_INT(mt_sim_set_value(s, ms[i].id, ms[i].v), MT_OK);
        for (size_t o = 0; o < mt_pbpk_n_organs(); o++) {
            char id[64];
            if (strcmp(mt_pbpk_organ(o), "art") && strcmp(mt_pbpk_organ(o), "ven")) {
                snprintf(id, sizeof id, "Kp_%s_m", mt_pbpk_organ(o));
                ASSERT_EQ_INT(mt_sim_set_value(s, id, 2.0), MT_OK);
            }
            snprintf(id, sizeof id, "A_%s_m", mt_pbpk_organ(o));
            ASSERT_EQ_INT(mt_sim_add_output(s, id, MT_REPORT_DEFAULT), MT_OK);
        }
        ASSERT_EQ_INT(mt_sim_add_output(s, "A_fec_v", MT_REPORT_DEFAULT), MT_OK);
        ASSERT_EQ_INT(mt_sim_add_output(s, "A_gwm_v", MT_REPORT_DEFAULT), MT_OK);
        ASSERT_EQ_INT(mt_sim_check_defined(s, 0.0), MT_OK);
        ASSERT_EQ_INT(mt_sim_run(s, 0.0, 200.0, 10, &r), MT_OK);
        size_t last = mt_result_n_rows(r) - 1, n = mt_result_n_cols(r);
        double body = 0;
        for (size_t j = 0; j + 2 < n; j++)
            body += mt_result_value(r, last, j);
        double absorbed = DOSE - mt_result_value(r, last, n - 2);
        double act = 1.0 / (1.0 + ig_const() / ki);
        double expect =
            fformg * (1.0 - fg_eff(act)) * absorbed * act / (1.0 + FMG * (act - 1.0)) * mw_m / mw_v;
        if (mucosa) /* the pathway's share of the gut wall's metabolism, whatever Fg was */
            expect = fformg * mt_result_value(r, last, n - 1) * act / (1.0 + FMG * (act - 1.0)) *
                     mw_m / mw_v;
        else if (!inhibited) /* the closed form without any interaction */
            ASSERT_NEAR(expect, fformg * (1.0 - FG) * absorbed * mw_m / mw_v, 1e-9 * expect);
        printf("  %s%s: metabolite %.10g mg (expected %.10g)\n",
               inhibited ? "inhibited" : "baseline", mucosa ? ", mucosa" : "", body, expect);
        ASSERT_TRUE(expect > 0.1);
        ASSERT_NEAR(body, expect, 1e-7 * expect);
        mt_result_destroy(r);
        mt_sim_destroy(s);
        mt_program_destroy(p);
        mt_model_destroy(m);
        mt_ctx_destroy(ctx);
    }
}

/* Without a victim on the transit model the interaction model is the liver-only one. */
TEST(liver_only_without_transit_victim)
{
    mt_ctx *ctx = NULL;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    mt_dose dv = {2.0, DOSE, MT_DOSE_PO, 0.0, 0, 0, 0}, dp = {0.0, 100.0, MT_DOSE_PO, 0.0, 0, 0, 0};
    mt_pbpk_drug drugs[2] = {{"v", 1, &dv, 0, 0, 0, 0, 0}, {"p", 1, &dp, 0, 0, 0, 0, 0}};
    mt_pbpk_pathway pw = {"v", "CYP3A4"};
    mt_pbpk_interaction ix = {"p", "CYP3A4", MT_DDI_INDUCTION};
    mt_pbpk_ddi x = {1, &pw, 1, &ix, 0, NULL};
    int perp_only[2] = {0, 1}, none[2] = {0, 0};
    mt_model *m0 = NULL, *m1 = NULL, *m2 = NULL;
    ASSERT_EQ_INT(mt_pbpk_build_ddi(ctx, 2, drugs, &x, &m0), MT_OK);
    ASSERT_EQ_INT(mt_pbpk_build_gi(ctx, 2, drugs, &x, none, &m1), MT_OK);
    ASSERT_EQ_INT(mt_pbpk_build_gi(ctx, 2, drugs, &x, perp_only, &m2), MT_OK);
    ASSERT_EQ_INT((int)m1->n_sym, (int)m0->n_sym);
    for (size_t i = 0; i < m0->n_sym; i++)
        ASSERT_TRUE(!strcmp(m0->sym[i].id, m1->sym[i].id));
    /* the perpetrator's own transit model only: 14 states (stomach, 11 segments, faeces, gut
     * wall) and 24 parameters (kge, 11 kt, 11 ka, Fg), no gut-wall terms */
    ASSERT_EQ_INT((int)m2->n_sym, (int)m0->n_sym + 14 + 24);
    size_t at;
    ASSERT_TRUE(mt_model_find(m2, "Ig_p", &at) != MT_OK);
    ASSERT_TRUE(mt_model_find(m2, "Eg_CYP3A4", &at) != MT_OK);
    mt_model_destroy(m0);
    mt_model_destroy(m1);
    mt_model_destroy(m2);
    mt_ctx_destroy(ctx);
}

/* The reference man: midazolam by mouth with itraconazole (reversible) or rifampicin (induction)
 * by mouth. */
TEST(reference_man_twins)
{
    mt_ctx *ctx = NULL;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    mt_twin_tables *t = NULL;
    ASSERT_EQ_INT(mt_twin_tables_load(ctx, NULL, &t), MT_OK);
    mt_profile *man = NULL;
    ASSERT_EQ_INT(load_reference_man(ctx, &man), MT_OK);
    const char *perps[2] = {"itraconazole 200 mg po once", "rifampicin 600 mg po q24h"};
    for (int k = 0; k < 2; k++) {
        mt_regimen reg[2];
        ASSERT_EQ_INT(mt_regimen_parse(ctx, "midazolam 2 mg po once", 24.0, 73.0, &reg[0]), MT_OK);
        ASSERT_EQ_INT(mt_regimen_parse(ctx, perps[k], 24.0, 73.0, &reg[1]), MT_OK);
        mt_predictor *pr = NULL;
        mt_status st = mt_predictor_create_ddi(ctx, t, 2, reg, NULL, &pr);
        st = st ? st : mt_predictor_derive(pr, t, man, NULL);
        if (st != MT_OK)
            printf("  %s\n", mt_errmsg(ctx));
        ASSERT_EQ_INT(st, MT_OK);
        ASSERT_EQ_INT(mt_predictor_check(pr), MT_OK);
        const mt_twin_param_list *l = mt_predictor_twin(pr);
        const char *pn = k ? "rifampicin" : "itraconazole";
        char id[64];
        /* midazolam's gut-wall CLint is all CYP3A4 (UGT1A4 has no mucosa row) */
        printf("  %s: fmg_midazolam_CYP3A4 %g, Qgut %g L/h, Fg %g\n", pn,
               val(l, "fmg_midazolam_CYP3A4"), val(l, k ? "Qgut_rifampicin" : "Qgut_itraconazole"),
               val(l, "Fg_midazolam"));
        ASSERT_NEAR(val(l, "fmg_midazolam_CYP3A4"), 1.0, 1e-12);
        snprintf(id, sizeof id, "Qgut_%s", pn);
        ASSERT_TRUE(val(l, id) > 0);
        ASSERT_TRUE(strstr(mt_twin_param_find(l, id)->provenance, "Qgut") != NULL);
        if (k) {
            ASSERT_NEAR(val(l, "kdeg_gut_CYP3A4"), log(2.0) / 23.0, 1e-12);
            ASSERT_TRUE(strstr(mt_twin_param_find(l, "kdeg_gut_CYP3A4")->provenance,
                               "intestinal turnover half-life 23 h") != NULL);
        } else {
            ASSERT_TRUE(mt_twin_param_find(l, "kdeg_gut_CYP3A4") == NULL);
            /* itraconazole's gut-wall metabolism forms hydroxy-itraconazole */
            double ff = val(l, "fformg_itraconazole_CYP3A4_hydroxy_itraconazole");
            printf("  fformg itraconazole -> hydroxy-itraconazole %g\n", ff);
            ASSERT_TRUE(ff > 0 && ff <= 1);
        }
        mt_predictor_destroy(pr);
        mt_regimen_clear(&reg[0]);
        mt_regimen_clear(&reg[1]);
    }
    mt_profile_destroy(man);
    mt_twin_tables_destroy(t);
    mt_ctx_destroy(ctx);
}

TEST_MAIN(TEST_ENTRY(gut_wall_closed_forms),
          TEST_ENTRY(enterocyte_concentration_of_an_oral_perpetrator),
          TEST_ENTRY(metabolite_formed_in_the_gut_wall),
          TEST_ENTRY(liver_only_without_transit_victim), TEST_ENTRY(reference_man_twins))
