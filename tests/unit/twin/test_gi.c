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
    mt_pbpk_drug drug = {"d", 2, doses, 0, 0, 0, 0, 0};
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

/* The transit rates of drug d (kge, kt and ka of the eleven segments) and every amount of the
 * model as an output: organs (and their cells when cells), lumen, faeces, gut wall, enterocytes
 * (when mucosa). */
static const double T_KGE = 4.0,
                    T_KT[11] = {50.0, 2.0, 2.0, 1.5, 1.5, 0.4, 0.2, 0.1, 0.15, 0.12, 7.0},
                    T_KA[11] = {3.0, 5.0, 4.0, 3.0, 2.0, 0.05, 0.1, 0.08, 0.04, 0.03, 0.2};
static void set_transit_outputs(mt_sim *s, const char *d, int mucosa)
{
    char id[64];
    snprintf(id, sizeof id, "kge_%s", d);
    set(s, id, T_KGE);
    for (int k = 0; k < 11; k++) {
        snprintf(id, sizeof id, "kt_%s_%s", seg[k], d);
        set(s, id, T_KT[k]);
        snprintf(id, sizeof id, "ka_%s_%s", seg[k], d);
        set(s, id, T_KA[k]);
        snprintf(id, sizeof id, "A_%s_%s", seg[k], d);
        ASSERT_EQ_INT(mt_sim_add_output(s, id, MT_REPORT_DEFAULT), MT_OK);
    }
    for (size_t o = 0; o < mt_pbpk_n_organs(); o++) {
        snprintf(id, sizeof id, "A_%s_%s", mt_pbpk_organ(o), d);
        ASSERT_EQ_INT(mt_sim_add_output(s, id, MT_REPORT_DEFAULT), MT_OK);
    }
    const char *more[] = {"A_depot", "A_sto", "A_fec", "A_gwm", "AM"};
    for (size_t i = 0; i < 4u + (mucosa != 0); i++) {
        snprintf(id, sizeof id, "%s_%s", more[i], d);
        ASSERT_EQ_INT(mt_sim_add_output(s, id, MT_REPORT_DEFAULT), MT_OK);
    }
    snprintf(id, sizeof id, "C_plasma_%s", d);
    ASSERT_EQ_INT(mt_sim_add_output(s, id, MT_REPORT_DEFAULT), MT_OK);
}

/* The synthetic body of drug d without clearance (none but the gut wall's) or depot. */
static void set_clearance_free(mt_sim *s)
{
    ASSERT_EQ_INT(set_test_body(s, "d", 1.0, 1.0, 2.0, 10.0, 1.0), MT_OK);
    const char *z[] = {"CL_H_d", "CL_R_d", "ka_d"};
    for (int i = 0; i < 3; i++)
        set(s, z[i], 0.0);
    set(s, "F_d", 1.0);
    set(s, "BP_d", 1.0);
}

/* PK-Sim's mucosa (pbpk.h mucosa, docs/absorption.md): every milligram is somewhere (body, lumen,
 * faeces, enterocytes, gut-wall sink); with a fast, metabolism-free enterocyte (PSm 1e5 L/h, VM
 * 1e-6 L, CLg 0) the model is the Qgut-model one with Fg = 1; with CLg > 0 the gut wall
 * metabolises, and a slow exit (PSm 0.5 L/h) holds drug in the enterocytes; a drug with the
 * mucosa but not on the transit model is refused. */
TEST(mucosa)
{
    mt_ctx *ctx = NULL;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    mt_dose dose = {1.0, 40.0, MT_DOSE_PO, 0, 0, 0, 0};
    mt_pbpk_drug muc = {"d", 1, &dose, 0, 0, 0, 1, 0}, plain = {"d", 1, &dose, 0, 0, 0, 0, 0};
    int gi[1] = {1}, none[1] = {0};
    mt_model *bad = NULL;
    ASSERT_EQ_INT(mt_pbpk_build_gi(ctx, 1, &muc, NULL, none, &bad), MT_EINVAL);
    printf("refused: %s\n", mt_errmsg(ctx));
    ASSERT_TRUE(strstr(mt_errmsg(ctx), "mucosa") != NULL);
    const double cases[3][3] = {
        {1e5, 1e-6, 0.0}, {2.0, 0.3, 1.5}, {0.5, 2.0, 0.0}}; /* PSm VM CLg */
    double c_ref[41], gwm[3], am_max[3];
    {
        mt_model *m = NULL;
        mt_program *p = NULL;
        mt_sim *s = NULL;
        ASSERT_EQ_INT(build_gi_sim(ctx, 1, &plain, gi, 1e-10, 1e-13, &m, &p, &s), MT_OK);
        set_clearance_free(s);
        set(s, "Fg_d", 1.0);
        set_transit_outputs(s, "d", 0);
        mt_result *r = NULL;
        ASSERT_EQ_INT(mt_sim_run(s, 0.0, 40.0, 40, &r), MT_OK);
        for (size_t i = 0; i < mt_result_n_rows(r); i++)
            c_ref[i] = mt_result_value(r, i, mt_result_n_cols(r) - 1);
        mt_result_destroy(r);
        mt_sim_destroy(s);
        mt_program_destroy(p);
        mt_model_destroy(m);
    }
    for (int c = 0; c < 3; c++) {
        mt_model *m = NULL;
        mt_program *p = NULL;
        mt_sim *s = NULL;
        ASSERT_EQ_INT(build_gi_sim(ctx, 1, &muc, gi, 1e-10, 1e-13, &m, &p, &s), MT_OK);
        size_t ix;
        ASSERT_TRUE(mt_model_find(m, "Fg_d", &ix) != MT_OK); /* no Fg with the mucosa */
        set_clearance_free(s);
        set(s, "PSm_d", cases[c][0]);
        set(s, "VM_d", cases[c][1]);
        set(s, "CLg_d", cases[c][2]);
        set_transit_outputs(s, "d", 1);
        mt_result *r = NULL;
        ASSERT_EQ_INT(mt_sim_run(s, 0.0, 40.0, 40, &r), MT_OK);
        size_t n = mt_result_n_cols(r), last = mt_result_n_rows(r) - 1;
        double worst = 0.0;
        am_max[c] = 0.0;
        for (size_t i = 0; i < mt_result_n_rows(r); i++) {
            double t = mt_result_time(r, i), total = 0;
            for (size_t j = 0; j + 1 < n; j++) /* every amount; the last column is C_plasma */
                total += mt_result_value(r, i, j);
            ASSERT_NEAR(total, t >= 1.0 ? 40.0 : 0.0, 1e-6 * 40.0);
            double cp = mt_result_value(r, i, n - 1);
            if (c_ref[i] > 1e-9)
                worst = fmax(worst, fabs(cp / c_ref[i] - 1.0));
            am_max[c] = fmax(am_max[c], mt_result_value(r, i, n - 2));
        }
        gwm[c] = mt_result_value(r, last, n - 3);
        printf("PSm %g VM %g CLg %g: gut wall %.6g mg, enterocytes up to %.4g mg, plasma vs Fg = 1 "
               "at most %.3g apart\n",
               cases[c][0], cases[c][1], cases[c][2], gwm[c], am_max[c], worst);
        if (c == 0)
            ASSERT_TRUE(worst < 1e-4);
        mt_result_destroy(r);
        mt_sim_destroy(s);
        mt_program_destroy(p);
        mt_model_destroy(m);
    }
    ASSERT_NEAR(gwm[0], 0.0, 1e-12);
    ASSERT_NEAR(gwm[2], 0.0, 1e-12);
    ASSERT_TRUE(gwm[1] > 1.0);               /* CLg metabolises */
    ASSERT_TRUE(am_max[2] > 10 * am_max[0]); /* a slow exit holds drug in the enterocytes */
    mt_ctx_destroy(ctx);
}

TEST(off_is_unchanged)
{
    mt_ctx *ctx = NULL;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    mt_dose dose = {0.0, 5.0, MT_DOSE_PO, 0, 0, 0, 0};
    mt_pbpk_drug drugs[2] = {{"a", 1, &dose, 0, 0, 0, 0, 0}, {"b", 1, &dose, 0, 0, 0, 0, 0}};
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
    mt_twin_tables *t = NULL;
    mt_profile *man = NULL;
    ASSERT_EQ_INT(open_reference(&ctx, &t, &man), MT_OK);
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

/* The shipped card `name` with absorption.gut_wall set to "mucosa", or NULL. */
static mt_drugcard *mucosa_card(mt_ctx *ctx, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/drugs/%s.json", mt_data_dir(), name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    static char text[1 << 18], out[(1 << 18) + 64];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    const char *at = strstr(text, "\"absorption\": {");
    if (!at)
        return NULL;
    size_t head = (size_t)(at - text) + strlen("\"absorption\": {");
    snprintf(out, sizeof out, "%.*s\"gut_wall\": \"mucosa\", %s", (int)head, text, text + head);
    mt_drugcard *c = NULL;
    return mt_drugcard_parse(ctx, out, strlen(out), name, &c) == MT_OK ? c : NULL;
}

/* The twin with PK-Sim's mucosa chosen (absorption.gut_wall mucosa) for the reference man:
 * PSm = fu_b P_m SA x 60 with SA the small intestine's effective surface over the microvilli
 * factor, 288.4 dm2 in PK-Sim's own export (27.9 + 91.4 + 71.2 + 66.3 + 31.6, docs/absorption.md);
 * P_m the card's mucosa permeability (midazolam) or the cell permeability times the scale factor
 * P_int / (1596 MW_eff^-4.5 10^lipophilicity) computed here (alprazolam); CLg = fu_b x the Qgut
 * model's CLint_u,gut; no Fg parameter; the Fg fact PSm / (PSm + CLg); the predictor runs it. */
TEST(mucosa_twin)
{
    mt_ctx *ctx = NULL;
    mt_twin_tables *t = NULL;
    mt_profile *man = NULL;
    ASSERT_EQ_INT(open_reference(&ctx, &t, &man), MT_OK);
    const char *names[2] = {"midazolam", "alprazolam"};
    for (int d = 0; d < 2; d++) {
        mt_drugcard *c = mucosa_card(ctx, names[d]), *plain = NULL;
        ASSERT_TRUE(c != NULL);
        ASSERT_EQ_INT(mt_drugcard_load(ctx, NULL, names[d], &plain), MT_OK);
        ASSERT_TRUE(mt_twin_mucosa_represented(c) && !mt_twin_mucosa_represented(plain));
        const mt_drugcard *cards[] = {c}, *pcards[] = {plain};
        const char *ids[] = {names[d]};
        int oral[] = {1};
        mt_twin_param_list l, q;
        ASSERT_EQ_INT(mt_twin_params(t, ctx, man, 1, cards, ids, oral, &l), MT_OK);
        ASSERT_EQ_INT(mt_twin_params(t, ctx, man, 1, pcards, ids, oral, &q), MT_OK);
        char id[96], key[96];
        double fu_b = NAN, pm = NAN, fg = NAN;
        for (size_t i = 0; i < l.n_facts; i++) {
            snprintf(key, sizeof key, "drug.%s.fu_blood", names[d]);
            if (!strcmp(l.facts[i].key, key))
                fu_b = l.facts[i].value;
            snprintf(key, sizeof key, "drug.%s.Fg", names[d]);
            if (!strcmp(l.facts[i].key, key))
                fg = l.facts[i].value;
        }
        if (mt_drugcard_value(c, "absorption.mucosa_permeability", &pm, NULL) == MT_OK) {
            pm /= 10.0; /* cm/min -> dm/min */
        } else {
            double mw = mt_drugcard_mw(c), lip = mt_drugcard_logp(c), hal[4], pint = NAN;
            const char *hn[4] = {"fluorine", "chlorine", "bromine", "iodine"};
            const double hw[4] = {17, 22, 62, 98};
            for (int k = 0; k < 4; k++) {
                snprintf(key, sizeof key, "physchem.halogens.%s", hn[k]);
                ASSERT_EQ_INT(mt_drugcard_value(c, key, &hal[k], NULL), MT_OK);
                mw -= hal[k] * hw[k];
            }
            ASSERT_EQ_INT(mt_drugcard_value(c, "absorption.intestinal_permeability", &pint, NULL),
                          MT_OK);
            double pcell = 2e-6 * pow(10.0, lip) * pow(336.0 / mw, 6.0);
            pm = pcell * (pint / 10.0) / (1596.0 * pow(mw, -4.5) * pow(10.0, lip));
        }
        snprintf(id, sizeof id, "PSm_%s", names[d]);
        double psm = val(&l, id), sa = psm / (fu_b * pm * 60.0);
        snprintf(id, sizeof id, "CLg_%s", names[d]);
        double clg = val(&l, id);
        snprintf(id, sizeof id, "VM_%s", names[d]);
        double vm = val(&l, id);
        snprintf(id, sizeof id, "Fg_%s", names[d]);
        double fg_q = val(&q, id);
        printf("%s: P_m %.4g dm/min, PSm %.4g L/h (SA %.5g dm2), VM %.4g L, CLg %.4g L/h, Fg %.4g "
               "(Qgut model %.4g)\n",
               names[d], pm, psm, sa, vm, clg, fg, fg_q);
        ASSERT_NEAR(sa, 288.4, 0.002 * 288.4);
        ASSERT_TRUE(vm > 0 && clg > 0);
        ASSERT_TRUE(mt_twin_param_find(&l, id) == NULL); /* no Fg_<id> with the mucosa */
        ASSERT_NEAR(fg, psm / (psm + clg), 1e-12);
        mt_twin_param_list_free(&l);
        mt_twin_param_list_free(&q);
        /* the predictor builds the model with the mucosa and runs it */
        mt_regimen reg;
        char text[96];
        snprintf(text, sizeof text, "%s 1 mg po once", names[d]);
        ASSERT_EQ_INT(mt_regimen_parse(ctx, text, 24.0, 73.0, &reg), MT_OK);
        mt_predictor *pr = NULL;
        ASSERT_EQ_INT(mt_predictor_create_ddi(ctx, t, 1, &reg, cards, &pr), MT_OK);
        ASSERT_EQ_INT(mt_predictor_derive(pr, t, man, cards), MT_OK);
        ASSERT_EQ_INT(mt_predictor_check(pr), MT_OK);
        size_t ix;
        snprintf(id, sizeof id, "AM_%s", names[d]);
        ASSERT_EQ_INT(mt_model_find(mt_predictor_model(pr), id, &ix), MT_OK);
        mt_predictor_destroy(pr);
        mt_regimen_clear(&reg);
        mt_drugcard_destroy(c);
        mt_drugcard_destroy(plain);
    }
    mt_profile_destroy(man);
    mt_twin_tables_destroy(t);
    mt_ctx_destroy(ctx);
}

/* Digoxin's P-gp (its card: elimination.efflux, the mucosa; docs/interactions.md, "P-gp"), for
 * the reference man. The twin's Kmef is Km / fu_b in mg/L and the enterocytes' efflux is shared
 * among the segments by their mucosa volumes (PK-Sim's wall x mucosa fractions). An IV dose:
 * with the hepatic and renal clearances and the kidney's efflux off, every milligram stays in
 * the body, the lumen, the enterocytes or the faeces (the bile returns to the duodenum), and a
 * real share of it has left through the bile or the enterocytes after 48 h. */
TEST(efflux_twin)
{
    mt_ctx *ctx = NULL;
    mt_twin_tables *t = NULL;
    mt_profile *man = NULL;
    ASSERT_EQ_INT(open_reference(&ctx, &t, &man), MT_OK);
    mt_drugcard *c = NULL;
    ASSERT_EQ_INT(mt_drugcard_load(ctx, NULL, "digoxin", &c), MT_OK);
    ASSERT_TRUE(mt_twin_efflux_represented(c) && mt_twin_mucosa_represented(c));
    const mt_drugcard *cards[] = {c};
    const char *ids[] = {"digoxin"};
    int oral[] = {1};
    mt_twin_param_list l;
    ASSERT_EQ_INT(mt_twin_params(t, ctx, man, 1, cards, ids, oral, &l), MT_OK);
    double fu_b = NAN, km = NAN;
    for (size_t i = 0; i < l.n_facts; i++)
        if (!strcmp(l.facts[i].key, "drug.digoxin.fu_blood"))
            fu_b = l.facts[i].value;
    ASSERT_EQ_INT(mt_drugcard_value(c, "elimination.transport.0.km", &km, NULL), MT_OK);
    ASSERT_NEAR(val(&l, "Kmef_digoxin"), km / fu_b * mt_drugcard_mw(c) / 1000.0, 1e-12);
    const char *sg[5] = {"duo", "jej1", "jej2", "ile1", "ile2"};
    const double wall_muc[5] = {0.087 * 0.26, 0.249 * 0.26, 0.184 * 0.26, 0.324 * 0.13,
                                0.156 * 0.13}; /* data/physiology/gi_tract.csv */
    double sum = 0, w[5];
    for (int k = 0; k < 5; k++)
        sum += wall_muc[k];
    for (int k = 0; k < 5; k++) {
        char id[64];
        snprintf(id, sizeof id, "wef_%s_digoxin", sg[k]);
        w[k] = val(&l, id);
        ASSERT_NEAR(w[k], wall_muc[k] / sum, 1e-12);
    }
    printf("digoxin P-gp: Vbil %.5g, Vkef %.5g, Vgef %.5g mg/h, Kmef %.5g mg/L\n",
           val(&l, "Vbil_digoxin"), val(&l, "Vkef_digoxin"), val(&l, "Vgef_digoxin"),
           val(&l, "Kmef_digoxin"));
    ASSERT_TRUE(val(&l, "Vbil_digoxin") > 0 && val(&l, "Vkef_digoxin") > 0 &&
                val(&l, "Vgef_digoxin") > 0);

    mt_dose iv = {0.0, 0.5, MT_DOSE_IV_BOLUS, 0, 0, 0, 0};
    mt_pbpk_drug drug = {"digoxin",
                         1,
                         &iv,
                         twin_binds(&l, "digoxin"),
                         twin_cells(&l, "digoxin"),
                         twin_uptake(&l, "digoxin"),
                         twin_mucosa(&l, "digoxin"),
                         twin_efflux(&l, "digoxin")};
    int gi[] = {1};
    mt_model *m = NULL;
    mt_program *p = NULL;
    mt_sim *s = NULL;
    ASSERT_EQ_INT(build_gi_sim(ctx, 1, &drug, gi, 1e-8, 1e-14, &m, &p, &s), MT_OK);
    for (size_t i = 0; i < l.n_params; i++)
        ASSERT_EQ_INT(mt_sim_set_value(s, l.params[i].id, l.params[i].value), MT_OK);
    ASSERT_EQ_INT(mt_sim_set_value(s, "CL_H_digoxin", 0.0), MT_OK);
    ASSERT_EQ_INT(mt_sim_set_value(s, "CL_R_digoxin", 0.0), MT_OK);
    ASSERT_EQ_INT(mt_sim_set_value(s, "Vkef_digoxin", 0.0), MT_OK);
    size_t n_out = 0, n_gut = 0, gut_cols[32];
    for (size_t i = 0; i < mt_model_n_symbols(m); i++) {
        const char *id = mt_model_symbol_id(m, i);
        size_t n = strlen(id);
        if (n < 8 || strcmp(id + n - 8, "_digoxin") ||
            !(!strncmp(id, "A_", 2) || !strncmp(id, "AC_", 3) || !strncmp(id, "AB_", 3) ||
              !strncmp(id, "AM_", 3)))
            continue;
        int lumen = !strncmp(id, "A_sto", 5) || !strncmp(id, "A_fec", 5) || !strncmp(id, "AM_", 3);
        for (int k = 0; k < 11 && !lumen; k++) { /* the segments' lumen (not A_gut: the tissue) */
            static const char *const segs[11] = {"duo", "jej1", "jej2", "ile1", "ile2", "cae",
                                                 "asc", "tra",  "des",  "sig",  "rec"};
            char want[32];
            snprintf(want, sizeof want, "A_%s_digoxin", segs[k]);
            lumen = !strcmp(id, want);
        }
        if (!strcmp(id, "A_depot_digoxin"))
            continue;
        ASSERT_EQ_INT(mt_sim_add_output(s, id, MT_REPORT_DEFAULT), MT_OK);
        if (lumen && n_gut < 32)
            gut_cols[n_gut++] = n_out;
        n_out++;
    }
    mt_result *r = NULL;
    ASSERT_EQ_INT(mt_sim_run(s, 0.0, 48.0, 4, &r), MT_OK);
    size_t last = mt_result_n_rows(r) - 1;
    double total = 0, gut = 0;
    for (size_t j = 0; j < mt_result_n_cols(r); j++)
        total += mt_result_value(r, last, j);
    for (size_t k = 0; k < n_gut; k++)
        gut += mt_result_value(r, last, gut_cols[k]);
    printf("digoxin IV 0.5 mg, only the bile's and the enterocytes' P-gp: %zu amounts hold %.9g "
           "mg at 48 h, %.4g mg of it in the lumen, the enterocytes and the faeces\n",
           n_out, total, gut);
    ASSERT_NEAR(total, 0.5, 1e-6);
    ASSERT_TRUE(gut > 0.05);
    mt_result_destroy(r);
    mt_sim_destroy(s);
    mt_program_destroy(p);
    mt_model_destroy(m);
    mt_twin_param_list_free(&l);

    /* the predictor: an IV regimen of digoxin takes the transit model (its bile returns to the
     * duodenum), and clarithromycin's P-gp inhibition is an interaction on digoxin */
    mt_drugcard *cla = NULL;
    ASSERT_EQ_INT(mt_drugcard_load(ctx, NULL, "clarithromycin", &cla), MT_OK);
    mt_regimen reg[2];
    ASSERT_EQ_INT(mt_regimen_parse(ctx, "digoxin 0.25 mg iv once", 24.0, 73.0, &reg[0]), MT_OK);
    ASSERT_EQ_INT(mt_regimen_parse(ctx, "clarithromycin 500 mg po q12h x 3d", 24.0, 73.0, &reg[1]),
                  MT_OK);
    const mt_drugcard *both[] = {c, cla};
    mt_predictor *pr = NULL;
    ASSERT_EQ_INT(mt_predictor_create_ddi(ctx, t, 2, reg, both, &pr), MT_OK);
    ASSERT_EQ_INT(mt_predictor_derive(pr, t, man, both), MT_OK);
    ASSERT_EQ_INT(mt_predictor_check(pr), MT_OK);
    size_t ix;
    ASSERT_EQ_INT(mt_model_find(mt_predictor_model(pr), "A_duo_digoxin", &ix), MT_OK);
    ASSERT_EQ_INT(mt_model_find(mt_predictor_model(pr), "Ik_clarithromycin", &ix), MT_OK);
    ASSERT_TRUE(mt_predictor_interacts(pr, 0));
    mt_predictor_destroy(pr);
    mt_regimen_clear(&reg[0]);
    mt_regimen_clear(&reg[1]);
    mt_drugcard_destroy(cla);
    mt_drugcard_destroy(c);
    mt_profile_destroy(man);
    mt_twin_tables_destroy(t);
    mt_ctx_destroy(ctx);
}

TEST_MAIN(TEST_ENTRY(transit_mass_balance), TEST_ENTRY(mucosa), TEST_ENTRY(off_is_unchanged),
          TEST_ENTRY(midazolam_reference_man), TEST_ENTRY(mucosa_twin), TEST_ENTRY(efflux_twin))
