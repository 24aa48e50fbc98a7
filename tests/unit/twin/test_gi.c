/* SPDX-License-Identifier: Apache-2.0
 *
 * tests/unit/twin/test_gi.c — the mechanistic oral route (docs/absorption.md):
 *   1. mt_pbpk_build_gi: an oral dose goes through the stomach, five small-intestine and six
 *      large-intestine segments into the faeces; with no clearance every milligram is
 *      somewhere (body, lumen, faeces, gut-wall sink); at the end the faeces hold dose x prod
 *      kt/(kt + ka) over all eleven segments and the gut-wall sink (1 - Fg) x the part absorbed
 *      in the small intestine only (the large intestine's flux bypasses the enterocytes), as
 *      the equations say; an IV bolus of the same drug bypasses the lumen;
 *   2. gi_transit all zero (or NULL) gives mt_pbpk_build's model, symbol for symbol;
 *   3. the twin of the reference man with oral midazolam: the transit values equal the
 *      equations evaluated here from data/physiology/gi_tract.csv (height 176 cm), Fg lies in
 *      (0, 1) and names the Qgut model, and the model built by the predictor runs.
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

#define GI_PI 3.14159265358979323846

static const char *const seg[11] = {"duo", "jej1", "jej2", "ile1", "ile2", "cae",
                                    "asc", "tra",  "des",  "sig",  "rec"};

static void set(mt_sim *s, const char *id, double v)
{
    ASSERT_EQ_INT(mt_sim_set_value(s, id, v), MT_OK);
}

TEST(transit_mass_balance)
{
    mt_ctx *ctx = NULL;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    mt_dose doses[2] = {{0.0, 10.0, MT_DOSE_IV_BOLUS, 0, 0, 0, 0},
                        {1.0, 40.0, MT_DOSE_PO, 0, 0, 0, 0}};
    mt_pbpk_drug drug = {"d", 2, doses, 0, 0, 0};
    int gi[1] = {1};
    mt_model *m = NULL;
    mt_program *p = NULL;
    mt_sim *s = NULL;
    ASSERT_EQ_INT(build_gi_sim(ctx, 1, &drug, gi, 1e-10, 1e-13, &m, &p, &s), MT_OK);
    ASSERT_EQ_INT(set_test_body(s, "d", 1.0, 1.0, 2.0, 10.0, 1.0), MT_OK);
    for (size_t o = 0; o < mt_pbpk_n_organs(); o++) {
        char id[64];
        snprintf(id, sizeof id, "A_%s_d", mt_pbpk_organ(o));
        ASSERT_EQ_INT(mt_sim_add_output(s, id, MT_REPORT_DEFAULT), MT_OK);
    }
    set(s, "CL_H_d", 0.0);
    set(s, "CL_R_d", 0.0);
    set(s, "ka_d", 0.0);
    set(s, "F_d", 1.0);
    set(s, "BP_d", 1.0);
    const double kge = 4.0, kt[11] = {50.0, 2.0, 2.0, 1.5, 1.5, 0.4, 0.2, 0.1, 0.15, 0.12, 7.0},
                 ka[11] = {3.0, 5.0, 4.0, 3.0, 2.0, 0.05, 0.1, 0.08, 0.04, 0.03, 0.2};
    const double fg = 0.6;
    set(s, "kge_d", kge);
    set(s, "Fg_d", fg);
    for (int k = 0; k < 11; k++) {
        char id[64];
        snprintf(id, sizeof id, "kt_%s_d", seg[k]);
        set(s, id, kt[k]);
        snprintf(id, sizeof id, "ka_%s_d", seg[k]);
        set(s, id, ka[k]);
        snprintf(id, sizeof id, "A_%s_d", seg[k]);
        ASSERT_EQ_INT(mt_sim_add_output(s, id, MT_REPORT_DEFAULT), MT_OK);
    }
    const char *lumen[] = {"A_depot_d", "A_sto_d", "A_fec_d", "A_gwm_d"};
    for (size_t i = 0; i < 4; i++)
        ASSERT_EQ_INT(mt_sim_add_output(s, lumen[i], MT_REPORT_DEFAULT), MT_OK);
    mt_result *r = NULL;
    ASSERT_EQ_INT(mt_sim_run(s, 0.0, 400.0, 200, &r), MT_OK);
    size_t n = mt_result_n_cols(r);
    for (size_t i = 0; i < mt_result_n_rows(r); i++) {
        double t = mt_result_time(r, i), total = 0;
        for (size_t j = 0; j < n; j++)
            total += mt_result_value(r, i, j);
        double expect = 10.0 + (t >= 1.0 ? 40.0 : 0.0);
        ASSERT_NEAR(total, expect, 1e-6 * expect);
        if (t < 1.0) /* before the oral dose the lumen is empty: the bolus went to the blood */
            ASSERT_NEAR(mt_result_value(r, i, n - 3), 0.0, 1e-12);
    }
    double pass_si = 1.0, pass = 1.0;
    for (int k = 0; k < 11; k++) {
        pass *= kt[k] / (kt[k] + ka[k]);
        if (k < 5)
            pass_si = pass;
    }
    size_t last = mt_result_n_rows(r) - 1;
    double fec = mt_result_value(r, last, n - 2), gwm = mt_result_value(r, last, n - 1);
    printf("faeces %.6g (expected %.6g), gut wall %.6g (expected %.6g), absorbed in the large "
           "intestine %.4g of the dose\n",
           fec, 40.0 * pass, gwm, 40.0 * (1.0 - pass_si) * (1.0 - fg), pass_si - pass);
    ASSERT_TRUE(pass_si - pass > 0.5 * pass_si); /* the large intestine absorbs */
    ASSERT_NEAR(fec, 40.0 * pass, 1e-6 * 40.0);
    ASSERT_NEAR(gwm, 40.0 * (1.0 - pass_si) * (1.0 - fg), 1e-6 * 40.0);
    ASSERT_NEAR(mt_result_value(r, last, n - 4), 0.0, 1e-12); /* the depot is never used */
    mt_result_destroy(r);
    mt_sim_destroy(s);
    mt_program_destroy(p);
    mt_model_destroy(m);
    mt_ctx_destroy(ctx);
}

TEST(off_is_unchanged)
{
    mt_ctx *ctx = NULL;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    mt_dose dose = {0.0, 5.0, MT_DOSE_PO, 0, 0, 0, 0};
    mt_pbpk_drug drugs[2] = {{"a", 1, &dose, 0, 0, 0}, {"b", 1, &dose, 0, 0, 0}};
    int none[2] = {0, 0}, one[2] = {0, 1};
    mt_model *m0 = NULL, *m1 = NULL, *m2 = NULL, *m3 = NULL;
    ASSERT_EQ_INT(mt_pbpk_build(ctx, 2, drugs, &m0), MT_OK);
    ASSERT_EQ_INT(mt_pbpk_build_gi(ctx, 2, drugs, NULL, none, &m1), MT_OK);
    ASSERT_EQ_INT(mt_pbpk_build_gi(ctx, 2, drugs, NULL, NULL, &m2), MT_OK);
    ASSERT_EQ_INT(mt_pbpk_build_gi(ctx, 2, drugs, NULL, one, &m3), MT_OK);
    ASSERT_EQ_INT((int)m1->n_sym, (int)m0->n_sym);
    ASSERT_EQ_INT((int)m2->n_sym, (int)m0->n_sym);
    ASSERT_EQ_INT((int)m1->n_state, (int)m0->n_state);
    for (size_t i = 0; i < m0->n_sym; i++)
        ASSERT_TRUE(!strcmp(m0->sym[i].id, m1->sym[i].id));
    /* drug b only: 14 more states (stomach, 11 segments, faeces, gut wall), 24 more parameters
     * (kge, 11 kt, 11 ka, Fg) */
    ASSERT_EQ_INT((int)m3->n_state, (int)m0->n_state + 14);
    ASSERT_EQ_INT((int)m3->n_sym, (int)m0->n_sym + 14 + 24);
    size_t ix;
    ASSERT_EQ_INT(mt_model_find(m3, "Fg_b", &ix), MT_OK);
    ASSERT_TRUE(mt_model_find(m3, "Fg_a", &ix) != MT_OK);
    mt_model_destroy(m0);
    mt_model_destroy(m1);
    mt_model_destroy(m2);
    mt_model_destroy(m3);
    mt_ctx_destroy(ctx);
}

TEST(midazolam_reference_man)
{
    mt_ctx *ctx = NULL;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    mt_twin_tables *t = NULL;
    ASSERT_EQ_INT(mt_twin_tables_load(ctx, NULL, &t), MT_OK);
    mt_profile *man = NULL;
    ASSERT_EQ_INT(load_reference_man(ctx, &man), MT_OK);
    mt_drugcard *card = NULL;
    ASSERT_EQ_INT(mt_drugcard_load(ctx, NULL, "midazolam", &card), MT_OK);
    const mt_drugcard *cards[] = {card};
    const char *ids[] = {"midazolam"};
    int oral[] = {1};
    mt_twin_param_list l;
    mt_status st = mt_twin_params(t, ctx, man, 1, cards, ids, oral, &l);
    if (st != MT_OK)
        printf("  %s\n", mt_errmsg(ctx));
    ASSERT_EQ_INT(st, MT_OK);
    /* upper jejunum by hand (gi_tract.csv rows, H = 17.6 dm; P = 0.00015549970673 cm/min) */
    double h = 17.6, len = -0.0670329582 + 0.299751712 * h, r1 = -0.0020705161 + 0.00925874 * h,
           r2 = -0.0019411088 + 0.008680069 * h;
    double area = GI_PI * (r1 + r2) * len, vol = GI_PI / 3.0 * (r1 * r1 + r1 * r2 + r2 * r2) * len;
    double ka = 0.00015549970673 * 6.0 * 447.9877 * area / vol;
    printf("ka_jej1 %.6g (by hand %.6g), Fg %.4g\n", val(&l, "ka_jej1_midazolam"), ka,
           val(&l, "Fg_midazolam"));
    ASSERT_NEAR(val(&l, "ka_jej1_midazolam"), ka, 1e-9 * ka);
    ASSERT_NEAR(val(&l, "kt_jej1_midazolam"), 5.0162 / (126.000000328837 / 60.0), 1e-9);
    ASSERT_NEAR(val(&l, "kge_midazolam"), 60.0 / 15.0000000391473, 1e-9);
    double sum = 0; /* the chain's mean transit time is the small-intestinal transit time */
    char id[64];
    for (int k = 0; k < 5; k++) {
        snprintf(id, sizeof id, "kt_%s_midazolam", seg[k]);
        sum += 1.0 / val(&l, id);
        snprintf(id, sizeof id, "ka_%s_midazolam", seg[k]);
        ASSERT_TRUE(val(&l, id) > 0);
    }
    ASSERT_NEAR(sum, 2.1, 1e-4);
    /* the caecum by hand (a cylinder: both radii equal), and the large intestine's chain: the
     * relative rates' residence shares (sum 1/rel = 0.9032) of the 2652 min transit time */
    double lc = 0.1152851235 + 0.026864843 * h, rc = 0.067256381 + 0.015672726 * h;
    double ka_c = 0.00015549970673 * 6.0 * 1.8 * (GI_PI * 2.0 * rc * lc) / (GI_PI * rc * rc * lc);
    ASSERT_NEAR(val(&l, "ka_cae_midazolam"), ka_c, 1e-9 * ka_c);
    ASSERT_NEAR(val(&l, "kt_cae_midazolam"), 18.3333 / (2652.0 / 60.0), 1e-9);
    double sum_li = 0, rel[6] = {18.3333, 10, 3.3333, 5, 4.0741, 315.618}, want_li = 0;
    for (int k = 5; k < 11; k++) {
        snprintf(id, sizeof id, "kt_%s_midazolam", seg[k]);
        sum_li += 1.0 / val(&l, id);
        want_li += 2652.0 / 60.0 / rel[k - 5];
    }
    printf("large intestine: ka_cae %.4g/h (by hand %.4g), mean residence %.4g h\n",
           val(&l, "ka_cae_midazolam"), ka_c, sum_li);
    ASSERT_NEAR(sum_li, want_li, 1e-9 * want_li);
    double fg = val(&l, "Fg_midazolam");
    ASSERT_TRUE(fg > 0 && fg < 1);
    ASSERT_TRUE(strstr(mt_twin_param_find(&l, "Fg_midazolam")->provenance, "Yang") != NULL);
    ASSERT_TRUE(val(&l, "ka_midazolam") == 0.0 && val(&l, "F_midazolam") == 1.0);
    mt_twin_param_list_free(&l);
    /* the IV twin of the same card has no transit parameters */
    oral[0] = 0;
    ASSERT_EQ_INT(mt_twin_params(t, ctx, man, 1, cards, ids, oral, &l), MT_OK);
    ASSERT_TRUE(mt_twin_param_find(&l, "Fg_midazolam") == NULL);
    mt_twin_param_list_free(&l);

    /* the predictor builds the transit model for the oral dose and runs it */
    mt_regimen reg;
    ASSERT_EQ_INT(mt_regimen_parse(ctx, "midazolam 7.5 mg po once", 24.0, 73.0, &reg), MT_OK);
    mt_predictor *pr = NULL;
    ASSERT_EQ_INT(mt_predictor_create(ctx, 1, &reg, &pr), MT_OK);
    ASSERT_EQ_INT(mt_predictor_derive(pr, t, man, NULL), MT_OK);
    ASSERT_EQ_INT(mt_predictor_check(pr), MT_OK);
    mt_predictor_destroy(pr);
    mt_regimen_clear(&reg);
    mt_drugcard_destroy(card);
    mt_profile_destroy(man);
    mt_twin_tables_destroy(t);
    mt_ctx_destroy(ctx);
}

TEST_MAIN(TEST_ENTRY(transit_mass_balance), TEST_ENTRY(off_is_unchanged),
          TEST_ENTRY(midazolam_reference_man))
