/* SPDX-License-Identifier: Apache-2.0
 *
 * tests/unit/twin/test_pbpk.c — the PBPK builder is exact: with pbpk15's
 * organ volumes, flows, Kp and clearances (../shared/bench/pbpk15/params.csv)
 * instead of computed ones, the built model reproduces the reference venous
 * concentrations (reference_venous_first20.csv, C + CVODE) to 1e-5 relative
 * on points above 1e-3 x Cmax, for individuals 0..19. Also: regimens are
 * validated, and IV bolus / infusion / oral doses conserve mass.
 */
#include "harness.h"
#include "medtwin/medtwin.h"
#include "medtwin/pbpk.h"
#include "twin_fixtures.h"
#include "util/csv.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *shared_dir(void)
{
    const char *s = getenv("MT_SHARED");
    return (s && *s) ? s : "../shared";
}

/* Maps a params.csv column to the builder's id for drug "x". */
static void builder_id(const char *col, char *out, size_t n)
{
    if (!strncmp(col, "Kp_", 3))
        snprintf(out, n, "%s_x", col);
    else if (!strcmp(col, "CL_H") || !strcmp(col, "CL_R") || !strcmp(col, "ka"))
        snprintf(out, n, "%s_x", col);
    else
        snprintf(out, n, "%s", col);
}

TEST(pbpk15_reference)
{
    char path[4096];
    mt_ctx *ctx = NULL;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    mt_csv *params = NULL, *ref = NULL;
    snprintf(path, sizeof path, "%s/bench/pbpk15/params.csv", shared_dir());
    if (mt_csv_read(ctx, path, 0, &params) != MT_OK) {
        printf("skip: %s\n", mt_errmsg(ctx));
        mt_ctx_destroy(ctx);
        exit(77);
    }
    snprintf(path, sizeof path, "%s/bench/pbpk15/reference_venous_first20.csv", shared_dir());
    ASSERT_EQ_INT(mt_csv_read(ctx, path, 0, &ref), MT_OK);

    mt_dose dose = {0.0, 100.0, MT_DOSE_PO, 0.0, 0, 0, 0};
    mt_pbpk_drug drug = {"x", 1, &dose, 0, 0, 0, 0, 0};
    mt_model *m = NULL;
    mt_program *p = NULL;
    mt_sim *s = NULL;
    ASSERT_EQ_INT(mt_pbpk_build(ctx, 1, &drug, &m), MT_OK);
    ASSERT_EQ_INT(mt_program_create(ctx, m, &p), MT_OK);
    ASSERT_EQ_INT(mt_sim_create(ctx, p, &s), MT_OK);
    ASSERT_EQ_INT(mt_sim_set_tolerances(s, 1e-6, 1e-9), MT_OK);
    ASSERT_EQ_INT(mt_sim_add_output(s, "C_venous_x", MT_REPORT_DEFAULT), MT_OK);
    ASSERT_EQ_INT(mt_sim_set_value(s, "F_x", 1.0), MT_OK);
    ASSERT_EQ_INT(mt_sim_set_value(s, "BP_x", 1.0), MT_OK);
    double worst = 0;
    for (size_t ind = 0; ind < 20; ind++) {
        for (size_t j = 0; j < mt_csv_n_cols(params); j++) {
            char id[128];
            builder_id(mt_csv_header(params, j), id, sizeof id);
            double v = strtod(mt_csv_cell(params, ind, j), NULL);
            ASSERT_EQ_INT(mt_sim_set_value(s, id, v), MT_OK);
        }
        mt_result *r = NULL;
        ASSERT_EQ_INT(mt_sim_run(s, 0.0, 24.0, 1440, &r), MT_OK);
        ASSERT_EQ_INT((int)mt_result_n_rows(r), (int)mt_csv_n_rows(ref));
        double cmax = 0;
        for (size_t i = 0; i < mt_csv_n_rows(ref); i++) {
            double e = strtod(mt_csv_cell(ref, i, ind + 1), NULL);
            if (e > cmax)
                cmax = e;
        }
        for (size_t i = 0; i < mt_csv_n_rows(ref); i++) {
            double e = strtod(mt_csv_cell(ref, i, ind + 1), NULL);
            double g = mt_result_value(r, i, 0);
            if (e > 1e-3 * cmax) {
                double rel = fabs(g - e) / e;
                if (rel > worst)
                    worst = rel;
            }
        }
        mt_result_destroy(r);
    }
    printf("pbpk15 individuals 0-19: max relative difference %.3g\n", worst);
    ASSERT_TRUE(worst < 1e-5);
    mt_sim_destroy(s);
    mt_program_destroy(p);
    mt_model_destroy(m);
    mt_csv_destroy(params);
    mt_csv_destroy(ref);
    mt_ctx_destroy(ctx);
}

/* Total drug in the body plus eliminated must equal what was given: with
 * clearances 0 and ka large, the body holds every dose. */
TEST(mass_balance_all_routes)
{
    mt_ctx *ctx = NULL;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    mt_dose doses[3] = {{0.0, 10.0, MT_DOSE_IV_BOLUS, 0, 0, 0, 0},
                        {1.0, 20.0, MT_DOSE_IV_INFUSION, 2.0, 0, 0, 0},
                        {2.0, 40.0, MT_DOSE_PO, 0, 0, 0, 0}};
    mt_pbpk_drug drug = {"d", 3, doses, 0, 0, 0, 0, 0};
    mt_model *m = NULL;
    mt_program *p = NULL;
    mt_sim *s = NULL;
    ASSERT_EQ_INT(mt_pbpk_build(ctx, 1, &drug, &m), MT_OK);
    ASSERT_EQ_INT(mt_program_create(ctx, m, &p), MT_OK);
    ASSERT_EQ_INT(mt_sim_create(ctx, p, &s), MT_OK);
    ASSERT_EQ_INT(mt_sim_set_tolerances(s, 1e-9, 1e-12), MT_OK);
    for (size_t o = 0; o < mt_pbpk_n_organs(); o++) {
        char id[64];
        snprintf(id, sizeof id, "V_%s", mt_pbpk_organ(o));
        ASSERT_EQ_INT(mt_sim_set_value(s, id, 1.0 + (double)o), MT_OK);
        snprintf(id, sizeof id, "Kp_%s_d", mt_pbpk_organ(o));
        if (mt_sim_set_value(s, id, 2.0) != MT_OK)
            ASSERT_TRUE(!strcmp(mt_pbpk_organ(o), "art") || !strcmp(mt_pbpk_organ(o), "ven"));
        snprintf(id, sizeof id, "A_%s_d", mt_pbpk_organ(o));
        ASSERT_EQ_INT(mt_sim_add_output(s, id, MT_REPORT_DEFAULT), MT_OK);
    }
    const char *q[] = {"adi", "bone", "brain", "gut", "heart", "kid",
                       "ha",  "mus",  "skin",  "spl", "rest"};
    for (size_t i = 0; i < sizeof q / sizeof *q; i++) {
        char id[64];
        snprintf(id, sizeof id, "Q_%s", q[i]);
        ASSERT_EQ_INT(mt_sim_set_value(s, id, 10.0 + (double)i), MT_OK);
    }
    ASSERT_EQ_INT(mt_sim_set_value(s, "CL_H_d", 0.0), MT_OK);
    ASSERT_EQ_INT(mt_sim_set_value(s, "CL_R_d", 0.0), MT_OK);
    ASSERT_EQ_INT(mt_sim_set_value(s, "ka_d", 2.0), MT_OK);
    ASSERT_EQ_INT(mt_sim_set_value(s, "F_d", 0.5), MT_OK);
    ASSERT_EQ_INT(mt_sim_set_value(s, "BP_d", 1.0), MT_OK);
    ASSERT_EQ_INT(mt_sim_add_output(s, "A_depot_d", MT_REPORT_DEFAULT), MT_OK);
    mt_result *r = NULL;
    ASSERT_EQ_INT(mt_sim_run(s, 0.0, 6.0, 12, &r), MT_OK);
    /* expected body content at t (every row): bolus 10 at 0, infusion 10 mg/h
     * over [1, 3), oral 0.5 * 40 at 2 */
    for (size_t i = 0; i < mt_result_n_rows(r); i++) {
        double t = mt_result_time(r, i), total = 0, expect = 10.0;
        for (size_t j = 0; j < mt_result_n_cols(r); j++)
            total += mt_result_value(r, i, j);
        expect += 10.0 * fmin(fmax(t - 1.0, 0.0), 2.0);
        if (t >= 2.0)
            expect += 20.0;
        ASSERT_NEAR(total, expect, 1e-6 * expect);
    }
    mt_result_destroy(r);
    mt_sim_destroy(s);
    mt_program_destroy(p);
    mt_model_destroy(m);
    mt_ctx_destroy(ctx);
}

/* Adds the output fmt % organ for every organ (tissues only: not art and ven), MT_OK or the
 * first failure. */
static mt_status add_organ_outputs(mt_sim *s, const char *fmt, int tissues_only)
{
    mt_status st = MT_OK;
    for (size_t o = 0; o < mt_pbpk_n_organs() && st == MT_OK; o++) {
        const char *on = mt_pbpk_organ(o);
        char id[64];
        if (tissues_only && (!strcmp(on, "art") || !strcmp(on, "ven")))
            continue;
        snprintf(id, sizeof id, fmt, on);
        st = mt_sim_add_output(s, id, MT_REPORT_DEFAULT);
    }
    return st;
}

/* Specific binding (pbpk.h): with no clearance, a bolus ends in equilibrium: every organ's
 * outflow concentration is the venous one, c, each bound amount is Bmax c / (c + koff / kon)
 * (the Langmuir isotherm of its rate law), and free plus bound amounts hold the dose. */
TEST(specific_binding_equilibrium)
{
    mt_ctx *ctx = NULL;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    mt_dose bolus = {0.0, 10.0, MT_DOSE_IV_BOLUS, 0, 0, 0, 0};
    mt_pbpk_drug drug = {"d", 1, &bolus, 1, 0, 0, 0, 0};
    mt_model *m = NULL;
    mt_program *p = NULL;
    mt_sim *s = NULL;
    ASSERT_EQ_INT(build_gi_sim(ctx, 1, &drug, NULL, 1e-10, 1e-13, &m, &p, &s), MT_OK);
    const double kon = 4.0, koff = 1.0;
    double bmax[32] = {0};
    size_t no = mt_pbpk_n_organs();
    /* V_o = 1 + o, Kp 2, Q_i = 10 + i (twin_fixtures.h) */
    ASSERT_EQ_INT(set_test_body(s, "d", 1.0, 1.0, 2.0, 10.0, 1.0), MT_OK);
    for (size_t o = 0; o < no; o++) {
        const char *on = mt_pbpk_organ(o);
        char id[64];
        snprintf(id, sizeof id, "A_%s_d", on);
        ASSERT_EQ_INT(mt_sim_add_output(s, id, MT_REPORT_DEFAULT), MT_OK);
        if (!strcmp(on, "art") || !strcmp(on, "ven"))
            continue;
        bmax[o] = (o % 3) ? 0.3 * (double)o : 0.0; /* some organs without sites */
        snprintf(id, sizeof id, "Bmax_%s_d", on);
        ASSERT_EQ_INT(mt_sim_set_value(s, id, bmax[o]), MT_OK);
    }
    for (size_t o = 0; o < no; o++) { /* bound amounts after the free ones */
        char id[64];
        snprintf(id, sizeof id, "AB_%s_d", mt_pbpk_organ(o));
        if (strcmp(mt_pbpk_organ(o), "art") && strcmp(mt_pbpk_organ(o), "ven"))
            ASSERT_EQ_INT(mt_sim_add_output(s, id, MT_REPORT_DEFAULT), MT_OK);
        else
            ASSERT_TRUE(mt_sim_add_output(s, id, MT_REPORT_DEFAULT) != MT_OK);
    }
    ASSERT_EQ_INT(mt_sim_set_value(s, "CL_H_d", 0.0), MT_OK);
    ASSERT_EQ_INT(mt_sim_set_value(s, "CL_R_d", 0.0), MT_OK);
    ASSERT_EQ_INT(mt_sim_set_value(s, "kon_d", kon), MT_OK);
    ASSERT_EQ_INT(mt_sim_set_value(s, "koff_d", koff), MT_OK);
    ASSERT_EQ_INT(mt_sim_set_value(s, "BP_d", 1.0), MT_OK);
    ASSERT_EQ_INT(mt_sim_set_value(s, "ka_d", 1.0), MT_OK);
    ASSERT_EQ_INT(mt_sim_set_value(s, "F_d", 1.0), MT_OK);
    mt_result *r = NULL;
    if (mt_sim_run(s, 0.0, 400.0, 4, &r) != MT_OK)
        printf("run: %s\n", mt_errmsg(ctx));
    ASSERT_TRUE(r != NULL);
    size_t last = mt_result_n_rows(r) - 1;
    double total = 0, bound = 0, c = 0;
    for (size_t j = 0; j < mt_result_n_cols(r); j++)
        total += mt_result_value(r, last, j);
    for (size_t o = 0; o < no; o++)
        if (!strcmp(mt_pbpk_organ(o), "ven"))
            c = mt_result_value(r, last, o) / (1.0 + (double)o);
    double worst = 0;
    size_t col = no;
    for (size_t o = 0; o < no; o++) {
        if (!strcmp(mt_pbpk_organ(o), "art") || !strcmp(mt_pbpk_organ(o), "ven"))
            continue;
        double ab = mt_result_value(r, last, col++), want = bmax[o] * c / (c + koff / kon);
        bound += ab;
        worst = fmax(worst, fabs(ab - want));
        /* the free amount: outflow concentration c, A = V Kp c */
        worst = fmax(worst, fabs(mt_result_value(r, last, o) - (1.0 + (double)o) * 2.0 * c));
    }
    printf("specific binding: c %.6g mg/L, bound %.6g of 10 mg, largest deviation %.3g mg\n", c,
           bound, worst);
    ASSERT_NEAR(total, 10.0, 1e-7);
    ASSERT_TRUE(bound > 1.0); /* binding holds a real share of the dose */
    ASSERT_TRUE(worst < 1e-7);
    mt_result_destroy(r);
    mt_sim_destroy(s);
    mt_program_destroy(p);
    mt_model_destroy(m);
    mt_ctx_destroy(ctx);
}

/* Permeability-limited cells (pbpk.h, cell_permeability). (1) With no clearance a bolus ends in
 * equilibrium: every organ's extracellular amount is V Kp fe c and its cells' V Kp (1 - fe) c, c
 * the venous concentration, and the amounts hold the dose (the brain behind its barrier too).
 * (2) As PSc and PSbbb grow the model becomes the perfusion-limited one with the same Kp,
 * hepatic clearance included. */
static mt_status cells_sim(mt_ctx *ctx, int cells, double ps, double clh, mt_model **m,
                           mt_program **p, mt_sim **s)
{
    static mt_dose bolus = {0.0, 10.0, MT_DOSE_IV_BOLUS, 0, 0, 0, 0};
    mt_pbpk_drug drug = {"d", 1, &bolus, 0, cells, 0, 0, 0};
    mt_status st = build_gi_sim(ctx, 1, &drug, NULL, 1e-10, 1e-13, m, p, s);
    st = st ? st : set_test_body(*s, "d", 1.0, 1.0, 2.0, 10.0, 1.0);
    const char *set[][2] = {{"CL_R_d", "0"}, {"BP_d", "1"}, {"ka_d", "1"}, {"F_d", "1"}};
    for (size_t k = 0; k < 4 && st == MT_OK; k++)
        st = mt_sim_set_value(*s, set[k][0], atof(set[k][1]));
    st = st ? st : mt_sim_set_value(*s, "CL_H_d", clh);
    if (st == MT_OK && cells)
        st = mt_sim_set_value(*s, "PSbbb_d", ps * 3.0);
    for (size_t o = 0; o < mt_pbpk_n_organs() && st == MT_OK && cells; o++) {
        const char *on = mt_pbpk_organ(o);
        char id[64];
        if (!strcmp(on, "art") || !strcmp(on, "ven"))
            continue;
        snprintf(id, sizeof id, "fe_%s_d", on);
        st = mt_sim_set_value(*s, id, 0.1 + 0.05 * (double)o);
        snprintf(id, sizeof id, "PSc_%s_d", on);
        st = st ? st : mt_sim_set_value(*s, id, ps * (1.0 + (double)o));
    }
    return st;
}

TEST(cell_permeability)
{
    mt_ctx *ctx = NULL;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    mt_model *m = NULL;
    mt_program *p = NULL;
    mt_sim *s = NULL;
    ASSERT_EQ_INT(cells_sim(ctx, 1, 0.5, 0.0, &m, &p, &s), MT_OK);
    size_t no = mt_pbpk_n_organs();
    char id[64];
    for (size_t o = 0; o < no; o++) {
        snprintf(id, sizeof id, "A_%s_d", mt_pbpk_organ(o));
        ASSERT_EQ_INT(mt_sim_add_output(s, id, MT_REPORT_DEFAULT), MT_OK);
    }
    for (size_t o = 0; o < no; o++) {
        snprintf(id, sizeof id, "AC_%s_d", mt_pbpk_organ(o));
        if (strcmp(mt_pbpk_organ(o), "art") && strcmp(mt_pbpk_organ(o), "ven"))
            ASSERT_EQ_INT(mt_sim_add_output(s, id, MT_REPORT_DEFAULT), MT_OK);
        else
            ASSERT_TRUE(mt_sim_add_output(s, id, MT_REPORT_DEFAULT) != MT_OK);
    }
    mt_result *r = NULL;
    ASSERT_EQ_INT(mt_sim_run(s, 0.0, 2000.0, 4, &r), MT_OK);
    size_t last = mt_result_n_rows(r) - 1, col = no;
    double total = 0, c = 0, worst = 0, cells = 0;
    for (size_t j = 0; j < mt_result_n_cols(r); j++)
        total += mt_result_value(r, last, j);
    for (size_t o = 0; o < no; o++)
        if (!strcmp(mt_pbpk_organ(o), "ven"))
            c = mt_result_value(r, last, o) / (1.0 + (double)o);
    for (size_t o = 0; o < no; o++) {
        if (!strcmp(mt_pbpk_organ(o), "art") || !strcmp(mt_pbpk_organ(o), "ven"))
            continue;
        double v = 1.0 + (double)o, fe = 0.1 + 0.05 * (double)o,
               ac = mt_result_value(r, last, col++);
        cells += ac;
        worst = fmax(worst, fabs(mt_result_value(r, last, o) - v * 2.0 * fe * c));
        worst = fmax(worst, fabs(ac - v * 2.0 * (1.0 - fe) * c));
    }
    printf("cells: c %.6g mg/L, %.6g of 10 mg in cells, largest deviation %.3g mg\n", c, cells,
           worst);
    ASSERT_NEAR(total, 10.0, 1e-7);
    ASSERT_TRUE(cells > 2.0); /* the cells hold a real share of the dose */
    ASSERT_TRUE(worst < 1e-7);
    mt_result_destroy(r);
    mt_sim_destroy(s);
    mt_program_destroy(p);
    mt_model_destroy(m);

    /* (2) PSc 1e6 L/h against the perfusion-limited model, CL_H 5 L/h */
    mt_result *rr[2] = {NULL, NULL};
    for (int k = 0; k < 2; k++) {
        ASSERT_EQ_INT(cells_sim(ctx, k, 1e6, 5.0, &m, &p, &s), MT_OK);
        ASSERT_EQ_INT(mt_sim_add_output(s, "C_venous_d", MT_REPORT_DEFAULT), MT_OK);
        ASSERT_EQ_INT(mt_sim_run(s, 0.0, 24.0, 24, &rr[k]), MT_OK);
        mt_sim_destroy(s);
        mt_program_destroy(p);
        mt_model_destroy(m);
    }
    double rel = 0;
    for (size_t i = 1; i < mt_result_n_rows(rr[0]); i++) {
        double a = mt_result_value(rr[0], i, 0), b = mt_result_value(rr[1], i, 0);
        rel = fmax(rel, fabs(b - a) / a);
    }
    printf("cells: PSc 1e6 L/h vs perfusion-limited, largest relative difference %.3g\n", rel);
    ASSERT_TRUE(rel < 1e-4);
    mt_result_destroy(rr[0]);
    mt_result_destroy(rr[1]);
    mt_ctx_destroy(ctx);
}

/* Every tissue organ of drug "d": fe and PSc. MT_OK or the first failure. */
static mt_status set_cells(mt_sim *s, double fe, double ps)
{
    mt_status st = MT_OK;
    for (size_t o = 0; o < mt_pbpk_n_organs() && st == MT_OK; o++) {
        const char *on = mt_pbpk_organ(o);
        char id[64];
        if (!strcmp(on, "art") || !strcmp(on, "ven"))
            continue;
        snprintf(id, sizeof id, "fe_%s_d", on);
        st = mt_sim_set_value(s, id, fe);
        snprintf(id, sizeof id, "PSc_%s_d", on);
        st = st ? st : mt_sim_set_value(s, id, ps);
    }
    return st;
}

/* Drugs d (interactions x, NULL: none) built and run on the test body of drug "d"
 * (set_test_body 1, 1, 2, 10, 1) with its cells (fe 0.3, PSc 2) and the values set[k]; MT_OK or
 * the first failure (*m, *p, *s as far as they got). */
static mt_status cells_body_sim(mt_ctx *ctx, size_t n, const mt_pbpk_drug *d, const mt_pbpk_ddi *x,
                                size_t n_set, const char *const (*set)[2], mt_model **m,
                                mt_program **p, mt_sim **s)
{
    mt_status st = build_gi_ddi_sim(ctx, n, d, x, NULL, 1e-10, 1e-13, m, p, s);
    st = st ? st : set_test_body(*s, "d", 1.0, 1.0, 2.0, 10.0, 1.0);
    for (size_t k = 0; k < n_set && st == MT_OK; k++)
        st = mt_sim_set_value(*s, set[k][0], atof(set[k][1]));
    return st ? st : set_cells(*s, 0.3, 2.0);
}

/* 1 if the builder refuses drug d without its cells, with a message containing why. */
static int refused_without_cells(mt_ctx *ctx, mt_pbpk_drug d, const char *why)
{
    mt_model *m = NULL;
    d.cell_permeability = 0;
    return mt_pbpk_build(ctx, 1, &d, &m) == MT_EINVAL && !m && strstr(mt_errmsg(ctx), why);
}

/* The liver uptake (pbpk.h, liver_uptake): with no clearance a bolus ends where the passive
 * exchange returns what the transporter takes up, PSc (C_cells - C_out) = Vup C_out / (Kmup +
 * C_out), so the liver cells hold more than their equilibrium share; the amounts hold the dose.
 * Without cells the builder refuses the uptake. */
TEST(liver_uptake)
{
    mt_ctx *ctx = NULL;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    mt_dose bolus = {0.0, 10.0, MT_DOSE_IV_BOLUS, 0, 0, 0, 0};
    mt_pbpk_drug drug = {"d", 1, &bolus, 0, 1, 1, 0, 0};
    ASSERT_TRUE(refused_without_cells(ctx, drug, "a liver uptake needs the cells"));
    mt_model *m = NULL;
    mt_program *p = NULL;
    mt_sim *s = NULL;
    const char *const set[][2] = {{"CL_R_d", "0"}, {"CL_H_d", "0"},  {"BP_d", "1"},
                                  {"ka_d", "1"},   {"F_d", "1"},     {"PSbbb_d", "5"},
                                  {"Vup_d", "3"},  {"Kmup_d", "0.2"}};
    ASSERT_EQ_INT(cells_body_sim(ctx, 1, &drug, NULL, 8, set, &m, &p, &s), MT_OK);
    size_t no = mt_pbpk_n_organs();
    ASSERT_EQ_INT(add_organ_outputs(s, "A_%s_d", 0), MT_OK);
    ASSERT_EQ_INT(add_organ_outputs(s, "AC_%s_d", 1), MT_OK);
    mt_result *r = NULL;
    ASSERT_EQ_INT(mt_sim_run(s, 0.0, 4000.0, 4, &r), MT_OK);
    size_t last = mt_result_n_rows(r) - 1, col = no;
    double total = 0, a_liv = 0, ac_liv = 0, v_liv = 0;
    for (size_t j = 0; j < mt_result_n_cols(r); j++)
        total += mt_result_value(r, last, j);
    for (size_t o = 0; o < no; o++) {
        const char *on = mt_pbpk_organ(o);
        if (!strcmp(on, "art") || !strcmp(on, "ven"))
            continue;
        if (!strcmp(on, "liv")) {
            a_liv = mt_result_value(r, last, o);
            ac_liv = mt_result_value(r, last, col);
            v_liv = 1.0 + (double)o;
        }
        col++;
    }
    /* C_out = A / (V Kp fe), C_cells = AC / (V Kp (1 - fe)), Kp 2, fe 0.3 */
    double c_out = a_liv / (v_liv * 2.0 * 0.3), c_in = ac_liv / (v_liv * 2.0 * 0.7);
    double want = c_out * (1.0 + 3.0 / ((0.2 + c_out) * 2.0));
    printf("uptake: liver C_out %.6g, cells %.6g (want %.6g) mg/L\n", c_out, c_in, want);
    ASSERT_NEAR(total, 10.0, 1e-7);
    ASSERT_TRUE(fabs(c_in - want) < 1e-8 * want + 1e-12);
    ASSERT_TRUE(c_in > 2.0 * c_out); /* the transporter concentrates the drug in the cells */
    mt_result_destroy(r);
    mt_sim_destroy(s);
    mt_program_destroy(p);
    mt_model_destroy(m);

    /* an induction of the transporter (the drug's own, as rifampicin's): the uptake follows
     * the transporter's turnover state, Eup_d = E_OATP1B1, which rises above 1 */
    mt_pbpk_interaction ix[] = {{"d", MT_PBPK_UPTAKE_TRANSPORTER, MT_DDI_INDUCTION}};
    mt_pbpk_ddi x = {0, NULL, 1, ix, 0, NULL};
    const char *const more[][2] = {{"CL_R_d", "0"},
                                   {"CL_H_d", "1"},
                                   {"BP_d", "1"},
                                   {"ka_d", "1"},
                                   {"F_d", "1"},
                                   {"PSbbb_d", "5"},
                                   {"Vup_d", "3"},
                                   {"Kmup_d", "0.2"},
                                   {"fu_d", "0.5"},
                                   {"MW_d", "300"},
                                   {"Emax_d_OATP1B1", "2"},
                                   {"EC50_d_OATP1B1", "0.01"},
                                   {"kdeg_OATP1B1", "0.05"}};
    ASSERT_EQ_INT(cells_body_sim(ctx, 1, &drug, &x, sizeof more / sizeof more[0], more, &m, &p, &s),
                  MT_OK);
    ASSERT_EQ_INT(mt_sim_add_output(s, "Eup_d", MT_REPORT_DEFAULT), MT_OK);
    ASSERT_EQ_INT(mt_sim_add_output(s, "E_OATP1B1", MT_REPORT_DEFAULT), MT_OK);
    ASSERT_EQ_INT(mt_sim_run(s, 0.0, 24.0, 4, &r), MT_OK);
    last = mt_result_n_rows(r) - 1;
    double eu = mt_result_value(r, last, 0), e = mt_result_value(r, last, 1);
    printf("uptake: induced transporter E %.6g, Eup %.6g\n", e, eu);
    ASSERT_TRUE(e > 1.05 && eu == e);
    mt_result_destroy(r);
    mt_sim_destroy(s);
    mt_program_destroy(p);
    mt_model_destroy(m);
    mt_ctx_destroy(ctx);
}

/* The efflux (pbpk.h, efflux). (1) Without cells the builder refuses it. (2) A bolus with no
 * other elimination leaves the body only through the efflux: Jbil and Jkef are Michaelis-Menten
 * in the liver's and the kidney's cells, and the dose less the body's amount is their integral.
 * (3) A reversible inhibitor and inducer p of the transporter: Eef_liv = E_P_gp / (1 + I_p / Ki)
 * with the liver's concentration and state, Eef_kid = Ek_P_gp / (1 + Ik_p / Ki) with the
 * kidney's. */
static double organ_volume(const char *name)
{
    for (size_t o = 0; o < mt_pbpk_n_organs(); o++)
        if (!strcmp(mt_pbpk_organ(o), name))
            return 1.0 + (double)o; /* set_test_body(s, d, 1.0, 1.0, ...) */
    return NAN;
}

TEST(efflux)
{
    mt_ctx *ctx = NULL;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    mt_dose bolus = {0.0, 10.0, MT_DOSE_IV_BOLUS, 0, 0, 0, 0};
    mt_pbpk_drug drug = {"d", 1, &bolus, 0, 1, 0, 0, 1};
    ASSERT_TRUE(refused_without_cells(ctx, drug, "an efflux needs the cells"));
    mt_model *m = NULL;
    mt_program *p = NULL;
    mt_sim *s = NULL;
    const char *const set[][2] = {{"CL_R_d", "0"}, {"CL_H_d", "0"}, {"BP_d", "1"},
                                  {"ka_d", "1"},   {"F_d", "1"},    {"PSbbb_d", "5"},
                                  {"Vbil_d", "3"}, {"Vkef_d", "2"}, {"Kmef_d", "0.5"}};
    const size_t n_set = sizeof set / sizeof set[0];
    ASSERT_EQ_INT(cells_body_sim(ctx, 1, &drug, NULL, n_set, set, &m, &p, &s), MT_OK);
    size_t no = mt_pbpk_n_organs(), nt = no - 2;
    ASSERT_EQ_INT(add_organ_outputs(s, "A_%s_d", 0), MT_OK);
    ASSERT_EQ_INT(add_organ_outputs(s, "AC_%s_d", 1), MT_OK);
    const char *more[] = {"Jbil_d", "Jkef_d", "AC_liv_d", "AC_kid_d", "A_uri_d"};
    for (size_t k = 0; k < 5; k++)
        ASSERT_EQ_INT(mt_sim_add_output(s, more[k], MT_REPORT_DEFAULT), MT_OK);
    mt_result *r = NULL;
    const size_t n_int = 24000;
    ASSERT_EQ_INT(mt_sim_run(s, 0.0, 24.0, n_int, &r), MT_OK);
    size_t jb = no + nt, jk = jb + 1, acl = jb + 2, ack = jb + 3, rows = mt_result_n_rows(r);
    double worst = 0, out = 0, body = 0, peak = 0, uri = 0;
    for (size_t i = 0; i < rows; i++) {
        double cl = mt_result_value(r, i, acl) / (organ_volume("liv") * 2.0 * 0.7);
        double ck = mt_result_value(r, i, ack) / (organ_volume("kid") * 2.0 * 0.7);
        worst = fmax(worst, fabs(mt_result_value(r, i, jb) - 3.0 * cl / (0.5 + cl)));
        worst = fmax(worst, fabs(mt_result_value(r, i, jk) - 2.0 * ck / (0.5 + ck)));
        peak = fmax(peak, mt_result_value(r, i, jb));
        if (i + 1 < rows) { /* trapezoids of Jbil + Jkef and of Jkef over the output grid */
            double kid = mt_result_value(r, i, jk) + mt_result_value(r, i + 1, jk);
            out += 0.5 * (24.0 / (double)n_int) *
                   (mt_result_value(r, i, jb) + mt_result_value(r, i + 1, jb) + kid);
            uri += 0.5 * (24.0 / (double)n_int) * kid;
        }
    }
    for (size_t j = 0; j < no + nt; j++)
        body += mt_result_value(r, rows - 1, j);
    printf("efflux: rule deviation %.3g mg/h (peak Jbil %.4g), left the body %.6g mg, integral of "
           "the effluxes %.6g mg\n",
           worst, peak, 10.0 - body, out);
    ASSERT_TRUE(worst < 1e-12 && peak > 0.1);
    ASSERT_TRUE(10.0 - body > 1.0); /* the efflux eliminates */
    ASSERT_NEAR(10.0 - body, out, 1e-6 * out);
    /* the urine collects the kidney's efflux (CL_R is 0 here) */
    printf("efflux: urine %.6g mg, integral of Jkef %.6g mg\n",
           mt_result_value(r, rows - 1, jb + 4), uri);
    ASSERT_TRUE(uri > 0.5);
    ASSERT_NEAR(mt_result_value(r, rows - 1, jb + 4), uri, 1e-6 * uri);
    mt_result_destroy(r);
    mt_sim_destroy(s);
    mt_program_destroy(p);
    mt_model_destroy(m);

    /* (3) interactions on the transporter */
    mt_dose pd = {0.0, 100.0, MT_DOSE_IV_BOLUS, 0, 0, 0, 0};
    mt_pbpk_drug two[2] = {drug, {"p", 1, &pd, 0, 0, 0, 0, 0}};
    mt_pbpk_interaction ix[] = {{"p", MT_PBPK_EFFLUX_TRANSPORTER, MT_DDI_REVERSIBLE},
                                {"p", MT_PBPK_EFFLUX_TRANSPORTER, MT_DDI_INDUCTION}};
    mt_pbpk_ddi x = {0, NULL, 2, ix, 0, NULL};
    ASSERT_EQ_INT(cells_body_sim(ctx, 2, two, &x, n_set, set, &m, &p, &s), MT_OK);
    ASSERT_EQ_INT(set_test_body(s, "p", 1.0, 1.0, 3.0, 10.0, 1.0), MT_OK);
    const char *pset[][2] = {{"CL_R_p", "1"},      {"CL_H_p", "2"},        {"BP_p", "1"},
                             {"ka_p", "1"},        {"F_p", "1"},           {"fu_p", "0.5"},
                             {"MW_p", "400"},      {"Ki_p_P_gp", "1"},     {"Emax_p_P_gp", "3"},
                             {"EC50_p_P_gp", "5"}, {"kdeg_P_gp", "0.0193"}};
    for (size_t k = 0; k < sizeof pset / sizeof pset[0]; k++)
        ASSERT_EQ_INT(mt_sim_set_value(s, pset[k][0], atof(pset[k][1])), MT_OK);
    const char *outs[] = {"Eef_liv_d", "Eef_kid_d", "I_p", "Ik_p", "E_P_gp", "Ek_P_gp"};
    for (size_t k = 0; k < 6; k++)
        ASSERT_EQ_INT(mt_sim_add_output(s, outs[k], MT_REPORT_DEFAULT), MT_OK);
    ASSERT_EQ_INT(mt_sim_run(s, 0.0, 48.0, 48, &r), MT_OK);
    worst = 0;
    for (size_t i = 0; i < mt_result_n_rows(r); i++) {
        double v[6];
        for (size_t k = 0; k < 6; k++)
            v[k] = mt_result_value(r, i, k);
        worst = fmax(worst, fabs(v[0] - v[4] / (1.0 + v[2] / 1.0)));
        worst = fmax(worst, fabs(v[1] - v[5] / (1.0 + v[3] / 1.0)));
    }
    size_t l24 = 24;
    printf("efflux: at 24 h E %.5g, Ek %.5g, I %.5g, Ik %.5g umol/L, Eef_liv %.5g, Eef_kid %.5g; "
           "largest deviation %.3g\n",
           mt_result_value(r, l24, 4), mt_result_value(r, l24, 5), mt_result_value(r, l24, 2),
           mt_result_value(r, l24, 3), mt_result_value(r, l24, 0), mt_result_value(r, l24, 1),
           worst);
    ASSERT_TRUE(worst < 1e-12);
    ASSERT_TRUE(mt_result_value(r, l24, 4) > 1.05 && mt_result_value(r, l24, 5) > 1.05);
    ASSERT_TRUE(mt_result_value(r, 1, 0) < 0.95); /* inhibited at first */
    ASSERT_TRUE(mt_result_value(r, l24, 2) != mt_result_value(r, l24, 3));
    mt_result_destroy(r);
    mt_sim_destroy(s);
    mt_program_destroy(p);
    mt_model_destroy(m);
    mt_ctx_destroy(ctx);
}

TEST(bad_regimens)
{
    mt_ctx *ctx = NULL;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    mt_model *m = NULL;
    mt_dose neg = {0.0, -5.0, MT_DOSE_PO, 0, 0, 0, 0};
    mt_pbpk_drug d1 = {"x", 1, &neg, 0, 0, 0, 0, 0};
    ASSERT_EQ_INT(mt_pbpk_build(ctx, 1, &d1, &m), MT_EINVAL);
    ASSERT_TRUE(strstr(mt_errmsg(ctx), "amount") != NULL);
    mt_dose inf = {0.0, 5.0, MT_DOSE_IV_INFUSION, 0, 0, 0, 0};
    mt_pbpk_drug d2 = {"x", 1, &inf, 0, 0, 0, 0, 0};
    ASSERT_EQ_INT(mt_pbpk_build(ctx, 1, &d2, &m), MT_EINVAL);
    ASSERT_TRUE(strstr(mt_errmsg(ctx), "duration") != NULL);
    mt_pbpk_drug d3 = {"bad name", 0, NULL, 0, 0, 0, 0, 0};
    ASSERT_EQ_INT(mt_pbpk_build(ctx, 1, &d3, &m), MT_EINVAL);
    mt_pbpk_drug two[2] = {{"x", 0, NULL, 0, 0, 0, 0, 0}, {"x", 0, NULL, 0, 0, 0, 0, 0}};
    ASSERT_EQ_INT(mt_pbpk_build(ctx, 2, two, &m), MT_EINVAL);
    ASSERT_TRUE(m == NULL);
    mt_ctx_destroy(ctx);
}

TEST_MAIN(TEST_ENTRY(pbpk15_reference), TEST_ENTRY(mass_balance_all_routes),
          TEST_ENTRY(specific_binding_equilibrium), TEST_ENTRY(cell_permeability),
          TEST_ENTRY(liver_uptake), TEST_ENTRY(efflux), TEST_ENTRY(bad_regimens))
