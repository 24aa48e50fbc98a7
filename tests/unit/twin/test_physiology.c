/* SPDX-License-Identifier: Apache-2.0
 *
 * tests/unit/twin/test_physiology.c — physiology from covariates (src/twin/physiology.c),
 * renal function (renal.c) and Child-Pugh factors (hepatic.c).
 *
 *  1. Provenance: every row of data/physiology/reference_adults.csv is a row of
 *     ../shared/data/physiology/physiology_reference_adults.csv, and every httk-pop coefficient
 *     of covariate_equations.csv appears in the equation text it cites (skipped without
 *     ../shared).
 *  2. The ICRP 89 reference man and woman (their own covariates) reproduce the ICRP 89 organ
 *     masses, cardiac output and flows of the data file. Tolerances: flows 0.5 % (the method
 *     takes ICRP's fractions of cardiac output and gives 0.9975 x the reference cardiac output
 *     at 35 years); organ masses 2 x the McNally 2014 residual CV of the organ (the method's
 *     own stated variability, read from the same file: the ICRP reference must fall inside the
 *     method's ~95 % band), except the skeleton, where httk-pop replaces the reference by the
 *     Baxter-Jones bone-mineral equation and is known to be 12 % (men) / 15 % (women) low: that
 *     documented bias is pinned at 16 %. A second, tighter pin (8 %) catches drift.
 *  3. The equations, re-implemented here from the published coefficients written in this file,
 *     for a non-reference individual; CKD-EPI 2021, Cockcroft-Gault and Janmahasatian against
 *     hand-computed values.
 *  4. Balances and monotonicity over a grid of covariates.
 *  5. Child-Pugh factors (OSP Qualification-HI Table 2).
 *  6. Errors: bad covariates name their field; broken tables fail to load.
 */
#define _POSIX_C_SOURCE 200809L

#include "harness.h"
#include "medtwin/csv.h"
#include "medtwin/data.h"
#include "medtwin/physiology.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- helpers --------------------------------------------------------------------------- */

static mt_ctx *ctx_new(void)
{
    mt_ctx *ctx = NULL;
    return mt_ctx_create(&ctx) == MT_OK ? ctx : NULL;
}

static mt_physio_tables *tables_new(mt_ctx *ctx)
{
    mt_physio_tables *t = NULL;
    if (mt_physio_tables_load(ctx, NULL, &t) != MT_OK) {
        printf("# load failed: %s\n", mt_errmsg(ctx));
        return NULL;
    }
    return t;
}

static mt_csv *read_data_csv(mt_ctx *ctx, const char *name)
{
    char path[1024];
    mt_csv *csv = NULL;
    snprintf(path, sizeof path, "%s/physiology/%s", mt_data_dir(), name);
    if (mt_csv_read(ctx, path, 0, &csv) != MT_OK)
        printf("# cannot read %s: %s\n", path, mt_errmsg(ctx));
    return csv;
}

/* Value of the row (sex, category, compartment, parameter) of an 8-column table; NaN if
 * absent. */
static double cell_value(const mt_csv *csv, const char *sex, const char *category,
                         const char *compartment, const char *parameter)
{
    for (size_t r = 0; r < mt_csv_n_rows(csv); r++) {
        if (!strcmp(mt_csv_cell(csv, r, 0), sex) && !strcmp(mt_csv_cell(csv, r, 1), category) &&
            !strcmp(mt_csv_cell(csv, r, 2), compartment) &&
            !strcmp(mt_csv_cell(csv, r, 3), parameter))
            return strtod(mt_csv_cell(csv, r, 4), NULL);
    }
    return NAN;
}

static double rel(double a, double b) { return fabs(a - b) / fabs(b); }

static mt_covariates person(mt_sex sex, double age, double height, double weight)
{
    mt_covariates c;
    c.sex = sex;
    c.age_years = age;
    c.height_cm = height;
    c.weight_kg = weight;
    c.serum_creatinine_mg_dl = NAN;
    c.child_pugh_class = 0;
    return c;
}

/* ---- 1. tables and provenance ---------------------------------------------------------- */

TEST(tables_load_and_lookup)
{
    mt_ctx *ctx = ctx_new();
    mt_physio_tables *t = tables_new(ctx);
    ASSERT_TRUE(t != NULL);
    double v = 0;
    const char *src = NULL;
    ASSERT_EQ_INT(
        mt_physio_tables_get(t, ctx, "mcnally2014", "Liver", "mass_ref", MT_SEX_MALE, &v, &src),
        MT_OK);
    ASSERT_NEAR(v, 1.8, 0);
    ASSERT_TRUE(src && strstr(src, "McNally") != NULL);
    /* sex-independent row found from a sex-specific request */
    ASSERT_EQ_INT(mt_physio_tables_get(t, ctx, "density", "adipose", "tissue density",
                                       MT_SEX_FEMALE, &v, NULL),
                  MT_OK);
    ASSERT_NEAR(v, 0.92, 0);
    ASSERT_EQ_INT(
        mt_physio_tables_get(t, ctx, "mcnally2014", "Liver", "no such", MT_SEX_MALE, &v, NULL),
        MT_ENOTFOUND);
    ASSERT_TRUE(strstr(mt_errmsg(ctx), "no such") != NULL);
    /* equation text is kept for provenance but is not a number */
    ASSERT_EQ_INT(mt_physio_tables_get(t, ctx, "scaling_equation", "tissue flows", "equation",
                                       MT_PHYSIO_SEX_ANY, &v, NULL),
                  MT_EINVAL);
    ASSERT_STR_EQ(mt_organ_name(MT_ORGAN_ARTERIAL), "arterial_blood");
    ASSERT_STR_EQ(mt_organ_name(MT_ORGAN_COUNT), "?");
    ASSERT_STR_EQ(mt_cyp_name(MT_CYP3A4), "CYP3A4");
    mt_physio_tables_destroy(t);
    mt_physio_tables_destroy(NULL);
    mt_ctx_destroy(ctx);
}

static mt_csv *read_shared(mt_ctx *ctx)
{
    const char *shared = getenv("MT_SHARED");
    char path[1024];
    mt_csv *csv = NULL;
    if (!shared || !*shared)
        return NULL;
    snprintf(path, sizeof path, "%s/data/physiology/physiology_reference_adults.csv", shared);
    if (access(path, R_OK) != 0 || mt_csv_read(ctx, path, 0, &csv) != MT_OK)
        return NULL;
    return csv;
}

TEST(copies_match_shared)
{
    mt_ctx *ctx = ctx_new();
    mt_csv *shared = read_shared(ctx);
    if (!shared) {
        printf("# skip: ../shared/data/physiology not present\n");
        mt_ctx_destroy(ctx);
        return;
    }
    mt_csv *mine = read_data_csv(ctx, "reference_adults.csv");
    ASSERT_TRUE(mine != NULL);
    ASSERT_EQ_INT((long long)mt_csv_n_cols(mine), (long long)mt_csv_n_cols(shared));
    for (size_t c = 0; c < mt_csv_n_cols(mine); c++)
        ASSERT_STR_EQ(mt_csv_header(mine, c), mt_csv_header(shared, c));
    for (size_t r = 0; r < mt_csv_n_rows(mine); r++) {
        int found = 0;
        for (size_t s = 0; s < mt_csv_n_rows(shared) && !found; s++) {
            int same = 1;
            for (size_t c = 0; c < mt_csv_n_cols(mine) && same; c++)
                same = !strcmp(mt_csv_cell(mine, r, c), mt_csv_cell(shared, s, c));
            found = same;
        }
        if (!found)
            printf("# row %zu not in shared: %s/%s/%s\n", r + 1, mt_csv_cell(mine, r, 1),
                   mt_csv_cell(mine, r, 2), mt_csv_cell(mine, r, 3));
        ASSERT_TRUE(found);
    }
    /* httk-pop coefficients: each value (sign aside: "- 0.81" in the text is the intercept
     * -0.81) appears in the equation row its notes cite; the exponent 0.75 is written 3/4. */
    mt_csv *eq = read_data_csv(ctx, "covariate_equations.csv");
    ASSERT_TRUE(eq != NULL);
    size_t checked = 0;
    for (size_t r = 0; r < mt_csv_n_rows(eq); r++) {
        const char *notes = mt_csv_cell(eq, r, 7), *p = strstr(notes, "scaling_equation/'");
        if (!p)
            continue;
        char name[256];
        p += strlen("scaling_equation/'");
        size_t n = strcspn(p, "'");
        ASSERT_TRUE(n < sizeof name);
        memcpy(name, p, n);
        name[n] = '\0';
        const char *value = mt_csv_cell(eq, r, 4), *sex = mt_csv_cell(eq, r, 0);
        const char *want = strcmp(value, "0.75") ? (value[0] == '-' ? value + 1 : value) : "3/4";
        int found = 0;
        for (size_t s = 0; s < mt_csv_n_rows(shared) && !found; s++) {
            const char *ssex = mt_csv_cell(shared, s, 0);
            if (strcmp(mt_csv_cell(shared, s, 1), "scaling_equation") ||
                strcmp(mt_csv_cell(shared, s, 2), name))
                continue;
            if (strcmp(sex, "both") && strcmp(ssex, "both") && strcmp(sex, ssex))
                continue;
            found = strstr(mt_csv_cell(shared, s, 4), want) != NULL;
        }
        if (!found)
            printf("# coefficient %s/%s = %s not in equation '%s'\n", mt_csv_cell(eq, r, 1),
                   mt_csv_cell(eq, r, 3), value, name);
        ASSERT_TRUE(found);
        checked++;
    }
    ASSERT_TRUE(checked >= 30);
    mt_csv_destroy(eq);
    mt_csv_destroy(mine);
    mt_csv_destroy(shared);
    mt_ctx_destroy(ctx);
}

/* ---- 2. the ICRP 89 reference adults --------------------------------------------------- */

typedef struct {
    mt_organ organ;
    const char *icrp[5];    /* ICRP 89 Table 2.8 compartments whose masses add up */
    const char *mcnally[3]; /* McNally tissues whose mass CVs combine (independent errors) */
    double tol_override;    /* > 0: documented exception */
} mass_check;

static const mass_check mass_checks[] = {
    {MT_ORGAN_LUNG, {"lung_tissue_only"}, {"Lung"}, 0},
    {MT_ORGAN_HEART, {"heart_tissue_only"}, {"Heart"}, 0},
    {MT_ORGAN_KIDNEY, {"kidneys"}, {"Kidney"}, 0},
    {MT_ORGAN_LIVER, {"liver"}, {"Liver"}, 0},
    {MT_ORGAN_SPLEEN, {"spleen"}, {"Spleen"}, 0},
    {MT_ORGAN_GUT,
     {"stomach_wall", "small_intestine_wall", "large_intestine_right_colon_wall",
      "large_intestine_left_colon_wall", "large_intestine_rectosigmoid_wall"},
     {"Stomach", "Small_intestine", "Large_intestine"},
     0},
    {MT_ORGAN_BRAIN, {"brain"}, {"Brain"}, 0},
    {MT_ORGAN_MUSCLE, {"skeletal_muscle"}, {"Muscle"}, 0},
    {MT_ORGAN_SKIN, {"skin"}, {"Skin"}, 0},
    {MT_ORGAN_ADIPOSE,
     {"adipose_tissue (total, incl. separable+yellow marrow etc.)"},
     {"Adipose"},
     0},
    /* Baxter-Jones BMC/0.65/0.5 vs ICRP total skeleton: -12 % (M), -15 % (F); see header */
    {MT_ORGAN_BONE, {"total_skeleton"}, {"Skeleton"}, 0.16},
};

typedef struct {
    mt_organ organ;
    const char *icrp[3]; /* ICRP 89 Table 2.40 compartments whose fractions add up */
} flow_check;

static const flow_check flow_checks[] = {
    {MT_ORGAN_ADIPOSE, {"fat"}},
    {MT_ORGAN_BONE, {"skeleton_total"}},
    {MT_ORGAN_BRAIN, {"brain"}},
    {MT_ORGAN_GUT, {"stomach_and_oesophagus", "small_intestine", "large_intestine"}},
    {MT_ORGAN_HEART, {"coronary_tissue (heart)"}},
    {MT_ORGAN_KIDNEY, {"kidney"}},
    {MT_ORGAN_LIVER, {"liver hepatic artery"}},
    {MT_ORGAN_MUSCLE, {"skeletal_muscle"}},
    {MT_ORGAN_SKIN, {"skin"}},
    {MT_ORGAN_SPLEEN, {"spleen"}},
};

static void check_reference(mt_sex sex)
{
    const char *sx = sex == MT_SEX_MALE ? "male" : "female";
    const char *tag = sex == MT_SEX_MALE ? "age35m" : "age35f";
    char par[64];
    mt_ctx *ctx = ctx_new();
    mt_physio_tables *t = tables_new(ctx);
    mt_csv *ref = read_data_csv(ctx, "reference_adults.csv");
    ASSERT_TRUE(t && ref);

    /* the reference individual: ICRP 89 Table 2.9, adult = 35 years */
    snprintf(par, sizeof par, "body weight (%s)", tag);
    double bw = cell_value(ref, sx, "anthropometry", "whole body", par);
    snprintf(par, sizeof par, "body height (%s)", tag);
    double h = cell_value(ref, sx, "anthropometry", "whole body", par);
    ASSERT_TRUE(bw > 0 && h > 0);
    mt_covariates in = person(sex, 35, h, bw);
    mt_physiology p;
    ASSERT_EQ_INT(mt_physiology_compute(t, ctx, &in, &p), MT_OK);
    printf("# ICRP 89 reference %s (%g kg, %g cm, 35 y): relative error of the method\n", sx, bw,
           h);

    snprintf(par, sizeof par, "mass (%s)", tag);
    for (size_t i = 0; i < sizeof mass_checks / sizeof mass_checks[0]; i++) {
        const mass_check *m = &mass_checks[i];
        double icrp = 0, var = 0, mref = 0;
        for (size_t k = 0; k < 5 && m->icrp[k]; k++) {
            double g = cell_value(ref, sx, "organ_mass", m->icrp[k], par);
            ASSERT_TRUE(g > 0);
            icrp += g / 1000.0;
        }
        for (size_t k = 0; k < 3 && m->mcnally[k]; k++) {
            double cv = cell_value(ref, sx, "mcnally2014", m->mcnally[k], "mass_cv");
            double mr = cell_value(ref, sx, "mcnally2014", m->mcnally[k], "mass_ref");
            ASSERT_TRUE(cv > 0 && mr > 0);
            var += (cv * mr) * (cv * mr);
            mref += mr;
        }
        double tol = m->tol_override > 0 ? m->tol_override : 2.0 * sqrt(var) / mref;
        double err = p.organ[m->organ].mass_kg / icrp - 1.0;
        printf("#   %-8s mass %7.3f kg  ICRP %7.3f kg  %+6.1f %%  (tolerance %.1f %%)\n",
               mt_organ_name(m->organ), p.organ[m->organ].mass_kg, icrp, 100 * err, 100 * tol);
        ASSERT_TRUE(fabs(err) <= tol);
        /* regression pin, tighter than the method's band: the errors printed above are at
         * most 7 % (15.2 % for the skeleton); a change of method or data that moves them past
         * 8 % must be looked at and documented in docs/physiology.md */
        ASSERT_TRUE(fabs(err) <= (m->organ == MT_ORGAN_BONE ? 0.16 : 0.08));
    }
    /* blood: arterial + venous against ICRP total blood, 2 x the McNally blood CV */
    double blood = p.organ[MT_ORGAN_ARTERIAL].mass_kg + p.organ[MT_ORGAN_VENOUS].mass_kg;
    double icrp_blood = cell_value(ref, sx, "organ_mass", "total_blood", par) / 1000.0;
    double cv_blood = cell_value(ref, sx, "mcnally2014", "Blood", "mass_cv");
    printf("#   blood    mass %7.3f kg  ICRP %7.3f kg  %+6.1f %%  (tolerance %.1f %%)\n", blood,
           icrp_blood, 100 * (blood / icrp_blood - 1), 200 * cv_blood);
    ASSERT_TRUE(rel(blood, icrp_blood) <= 2 * cv_blood);
    /* ICRP 89 Table 2.13: arterial share 29.5 % of total blood */
    ASSERT_NEAR(p.organ[MT_ORGAN_ARTERIAL].mass_kg / blood, 0.295, 1e-12);

    /* cardiac output (Table 2.39) and flows (Table 2.40) */
    snprintf(par, sizeof par, "cardiac output (%s)", tag);
    double co = cell_value(ref, sx, "cardiac_output", "whole body", par) * 60.0;
    printf("#   cardiac output %.2f L/h  ICRP %.2f L/h  %+.2f %%\n", p.cardiac_output_l_h, co,
           100 * (p.cardiac_output_l_h / co - 1));
    ASSERT_TRUE(rel(p.cardiac_output_l_h, co) <= 0.005);
    double frac_sum = 0;
    for (size_t i = 0; i < sizeof flow_checks / sizeof flow_checks[0]; i++) {
        const flow_check *f = &flow_checks[i];
        double pct = 0;
        for (size_t k = 0; k < 3 && f->icrp[k]; k++) {
            double v = cell_value(ref, sx, "blood_flow", f->icrp[k], "fraction of cardiac output");
            ASSERT_TRUE(v > 0);
            pct += v;
        }
        frac_sum += pct;
        double q = p.organ[f->organ].blood_flow_l_h, qi = pct / 100.0 * co;
        printf("#   %-8s flow %7.2f L/h  ICRP %7.2f L/h  %+6.2f %%\n", mt_organ_name(f->organ), q,
               qi, 100 * (q / qi - 1));
        ASSERT_TRUE(rel(q, qi) <= 0.005);
    }
    /* rest: everything else of Table 2.40 (bronchial, pancreas, thyroid, lymph nodes, ...) */
    double q_rest = (100.0 - frac_sum) / 100.0 * co;
    printf("#   rest     flow %7.2f L/h  ICRP %7.2f L/h\n", p.organ[MT_ORGAN_REST].blood_flow_l_h,
           q_rest);
    ASSERT_TRUE(rel(p.organ[MT_ORGAN_REST].blood_flow_l_h, q_rest) <= 0.01);

    /* haematocrit: ICRP 89 Table 2.12 erythrocyte / (erythrocyte + plasma) */
    double ery = cell_value(ref, sx, "blood", "erythrocytes", "erythrocyte volume");
    double pla = cell_value(ref, sx, "blood", "plasma", "plasma volume");
    ASSERT_NEAR(p.haematocrit, ery / (ery + pla), 1e-12);
    /* ICRP Table 2.9 BSA (1.90 / 1.66 m2) vs Mosteller: within 2 % */
    snprintf(par, sizeof par, "body surface area (%s)", tag);
    ASSERT_TRUE(rel(p.bsa_m2, cell_value(ref, sx, "anthropometry", "whole body", par)) <= 0.02);

    mt_csv_destroy(ref);
    mt_physio_tables_destroy(t);
    mt_ctx_destroy(ctx);
}

TEST(icrp_reference_man) { check_reference(MT_SEX_MALE); }
TEST(icrp_reference_woman) { check_reference(MT_SEX_FEMALE); }

/* ---- 3. the equations, re-implemented -------------------------------------------------- */

/* A 62-year-old woman, 170 cm, 85 kg: past the bone-loss onset (50 y) and the cardiac-output
 * decline (25 y), off the reference height. Coefficients: httk-pop (Ring 2017) as coded in
 * httk (tissue_scale.R, tissue_masses_flows.R, the tissue-mass helpers), McNally 2014 female
 * references (httk McNally2014_data.csv), Bosgra 2012 eq 11, Mosteller 1987. */
TEST(httkpop_equations_independent)
{
    mt_ctx *ctx = ctx_new();
    mt_physio_tables *t = tables_new(ctx);
    ASSERT_TRUE(t != NULL);
    const double age = 62, h = 170, bw = 85;
    mt_covariates in = person(MT_SEX_FEMALE, age, h, bw);
    mt_physiology p;
    ASSERT_EQ_INT(mt_physiology_compute(t, ctx, &in, &p), MT_OK);
    const mt_organ_values *o = p.organ;

    double s = pow(h / 163.0, 0.75);
    double bsa = sqrt(bw * h / 3600.0);
    double brain = 0.373 * (3.68 - 2.68 * exp(-age / 0.89)) * exp(-age / 629.0);
    double bmc =
        0.74042 + (2.14976 - 0.74042) / (1 + exp((12.35466 - age) / 1.35750)) - 0.0056 * age;
    double skeleton = bmc / 0.65 / 0.5;
    double muscle = 17.5 * s - 0.001 * age * age;
    double skin = exp(1.64 * bsa - 1.93);
    double blood = 2.66 * bsa - 0.46;
    double listed = (1.4 + 0.28 + 0.42 + 0.25 + 0.13 + 0.14 + 0.6 + 0.29 + 0.12 + 0.093) * s +
                    brain + skeleton + muscle + skin + blood + (0.033 + 0.014) * bw;
    const double e = 1e-12;
    ASSERT_NEAR(p.bsa_m2, bsa, e);
    ASSERT_NEAR(o[MT_ORGAN_LIVER].mass_kg, 1.4 * s, e);
    ASSERT_NEAR(o[MT_ORGAN_KIDNEY].mass_kg, 0.28 * s, e);
    ASSERT_NEAR(o[MT_ORGAN_LUNG].mass_kg, 0.42 * s, e);
    ASSERT_NEAR(o[MT_ORGAN_HEART].mass_kg, 0.25 * s, e);
    ASSERT_NEAR(o[MT_ORGAN_SPLEEN].mass_kg, 0.13 * s, e);
    ASSERT_NEAR(o[MT_ORGAN_GUT].mass_kg, (0.14 + 0.6 + 0.29) * s, e);
    ASSERT_NEAR(o[MT_ORGAN_BRAIN].mass_kg, brain, e);
    ASSERT_NEAR(o[MT_ORGAN_BONE].mass_kg, skeleton, e);
    ASSERT_NEAR(o[MT_ORGAN_BONE].volume_l, skeleton / 1.3, e);
    ASSERT_NEAR(o[MT_ORGAN_MUSCLE].mass_kg, muscle, e);
    ASSERT_NEAR(o[MT_ORGAN_SKIN].mass_kg, skin, e);
    ASSERT_NEAR(o[MT_ORGAN_ARTERIAL].mass_kg + o[MT_ORGAN_VENOUS].mass_kg, blood, e);
    ASSERT_NEAR(o[MT_ORGAN_ADIPOSE].mass_kg, bw - listed, 1e-10);
    ASSERT_NEAR(o[MT_ORGAN_ADIPOSE].volume_l, (bw - listed) / 0.92, 1e-10);

    double co = 1.05 * 354 * s * (1 - 0.005 * (age - 25));
    ASSERT_NEAR(p.cardiac_output_l_h, co, 1e-9);
    /* McNally 2014 female flow fractions (flow_ref / CO_ref 354 L/h) */
    ASSERT_NEAR(o[MT_ORGAN_ADIPOSE].blood_flow_l_h, 30.1 / 354 * co, 1e-9);
    ASSERT_NEAR(o[MT_ORGAN_BONE].blood_flow_l_h, 17.7 / 354 * co, 1e-9);
    ASSERT_NEAR(o[MT_ORGAN_BRAIN].blood_flow_l_h, 42.5 / 354 * co, 1e-9);
    ASSERT_NEAR(o[MT_ORGAN_GUT].blood_flow_l_h, (3.54 + 38.9 + 17.7) / 354 * co, 1e-9);
    ASSERT_NEAR(o[MT_ORGAN_HEART].blood_flow_l_h, 17.7 / 354 * co, 1e-9);
    ASSERT_NEAR(o[MT_ORGAN_KIDNEY].blood_flow_l_h, 60.2 / 354 * co, 1e-9);
    ASSERT_NEAR(o[MT_ORGAN_LIVER].blood_flow_l_h, 23.0 / 354 * co, 1e-9);
    ASSERT_NEAR(o[MT_ORGAN_MUSCLE].blood_flow_l_h, 42.5 / 354 * co, 1e-9);
    ASSERT_NEAR(o[MT_ORGAN_SKIN].blood_flow_l_h, 17.7 / 354 * co, 1e-9);
    ASSERT_NEAR(o[MT_ORGAN_SPLEEN].blood_flow_l_h, 10.6 / 354 * co, 1e-9);

    /* Janmahasatian 2005, female: 9270 * BW / (8780 + 244 * BMI) */
    double bmi = bw / (1.7 * 1.7);
    ASSERT_NEAR(p.lean_body_weight_kg, 9270 * bw / (8780 + 244 * bmi), 1e-9);
    /* no creatinine: httk generic GFR 5.165 mL/min/kg^0.75 */
    ASSERT_EQ_INT(p.gfr_from_creatinine, 0);
    ASSERT_TRUE(isnan(p.egfr_ml_min_1_73) && isnan(p.crcl_cockcroft_gault_ml_min));
    ASSERT_NEAR(p.gfr_l_h, 5.165 * pow(bw, 0.75) * 0.06, 1e-9);
    mt_physio_tables_destroy(t);
    mt_ctx_destroy(ctx);
}

/* CKD-EPI 2021 (Inker LA et al., N Engl J Med 2021;385:1737-49), written from the paper:
 * eGFR = 142 x min(Scr/k,1)^a x max(Scr/k,1)^-1.200 x 0.9938^age [x 1.012 female];
 * k = 0.7 (F) / 0.9 (M), a = -0.241 (F) / -0.302 (M). */
static double ckd_epi_2021(int female, double age, double scr)
{
    double k = female ? 0.7 : 0.9, a = female ? -0.241 : -0.302;
    return 142.0 * pow(fmin(scr / k, 1), a) * pow(fmax(scr / k, 1), -1.200) * pow(0.9938, age) *
           (female ? 1.012 : 1.0);
}

TEST(ckd_epi_2021)
{
    mt_ctx *ctx = ctx_new();
    mt_physio_tables *t = tables_new(ctx);
    ASSERT_TRUE(t != NULL);
    double v;
    /* Hand-computed: woman, 50 y, Scr 1.0 mg/dL: Scr/k = 1.4286 > 1, so
     * 142 x 1.4286^-1.2 (0.65184) x 0.9938^50 (0.73274) x 1.012 = 68.63 mL/min/1.73 m2. */
    ASSERT_EQ_INT(mt_renal_egfr_ckd_epi_2021(t, ctx, MT_SEX_FEMALE, 50, 1.0, &v), MT_OK);
    ASSERT_NEAR(v, 68.63, 0.01);
    /* Man, 60 y, Scr 0.8: Scr/k = 0.8889 < 1, so 142 x 0.8889^-0.302 (1.03622) x 0.9938^60
     * (0.68858) = 101.32. */
    ASSERT_EQ_INT(mt_renal_egfr_ckd_epi_2021(t, ctx, MT_SEX_MALE, 60, 0.8, &v), MT_OK);
    ASSERT_NEAR(v, 101.32, 0.01);
    /* Man, 35 y, Scr = kappa 0.9: both powers are 1: 142 x 0.9938^35 = 114.22. */
    ASSERT_EQ_INT(mt_renal_egfr_ckd_epi_2021(t, ctx, MT_SEX_MALE, 35, 0.9, &v), MT_OK);
    ASSERT_NEAR(v, 142 * pow(0.9938, 35), 1e-9);
    ASSERT_NEAR(v, 114.22, 0.01);
    /* a grid against the re-implementation */
    static const double ages[] = {18, 30, 45, 70, 95};
    static const double scrs[] = {0.3, 0.6, 0.7, 0.9, 1.3, 2.5, 8.0};
    for (int f = 0; f < 2; f++)
        for (size_t i = 0; i < 5; i++)
            for (size_t j = 0; j < 7; j++) {
                ASSERT_EQ_INT(mt_renal_egfr_ckd_epi_2021(t, ctx, f ? MT_SEX_FEMALE : MT_SEX_MALE,
                                                         ages[i], scrs[j], &v),
                              MT_OK);
                ASSERT_NEAR(v, ckd_epi_2021(f, ages[i], scrs[j]), 1e-9);
            }
    mt_physio_tables_destroy(t);
    mt_ctx_destroy(ctx);
}

TEST(cockcroft_gault)
{
    mt_ctx *ctx = ctx_new();
    mt_physio_tables *t = tables_new(ctx);
    ASSERT_TRUE(t != NULL);
    double v;
    /* Cockcroft & Gault, Nephron 1976;16:31-41: CrCl = (140 - age) x weight / (72 x Scr),
     * x 0.85 for women. Hand-computed: man, 60 y, 72 kg, Scr 1.0: 80 x 72 / 72 = 80 mL/min;
     * the same woman: 68 mL/min. Man, 40 y, 90 kg, Scr 1.5: 100 x 90 / 108 = 83.33. */
    ASSERT_EQ_INT(mt_renal_crcl_cockcroft_gault(t, ctx, MT_SEX_MALE, 60, 72, 1.0, &v), MT_OK);
    ASSERT_NEAR(v, 80.0, 1e-9);
    ASSERT_EQ_INT(mt_renal_crcl_cockcroft_gault(t, ctx, MT_SEX_FEMALE, 60, 72, 1.0, &v), MT_OK);
    ASSERT_NEAR(v, 68.0, 1e-9);
    ASSERT_EQ_INT(mt_renal_crcl_cockcroft_gault(t, ctx, MT_SEX_MALE, 40, 90, 1.5, &v), MT_OK);
    ASSERT_NEAR(v, 250.0 / 3.0, 1e-9);

    /* through the twin: total body weight, eGFR de-indexed by the Mosteller BSA */
    mt_covariates in = person(MT_SEX_MALE, 60, 180, 72);
    in.serum_creatinine_mg_dl = 1.0;
    mt_physiology p;
    ASSERT_EQ_INT(mt_physiology_compute(t, ctx, &in, &p), MT_OK);
    ASSERT_NEAR(p.crcl_cockcroft_gault_ml_min, 80.0, 1e-9);
    double bsa = sqrt(72 * 180 / 3600.0);
    ASSERT_NEAR(p.egfr_ml_min_1_73, ckd_epi_2021(0, 60, 1.0), 1e-9);
    ASSERT_NEAR(p.egfr_abs_ml_min, ckd_epi_2021(0, 60, 1.0) * bsa / 1.73, 1e-9);
    ASSERT_NEAR(p.gfr_l_h, p.egfr_abs_ml_min * 0.06, 1e-12);
    ASSERT_EQ_INT(p.gfr_from_creatinine, 1);
    /* Janmahasatian 2005 male, hand-computed for 73 kg, 176 cm: BMI 23.567,
     * 9270 x 73 / (6680 + 216 x 23.567) = 57.49 kg */
    in = person(MT_SEX_MALE, 35, 176, 73);
    ASSERT_EQ_INT(mt_physiology_compute(t, ctx, &in, &p), MT_OK);
    ASSERT_NEAR(p.lean_body_weight_kg, 57.49, 0.01);
    mt_physio_tables_destroy(t);
    mt_ctx_destroy(ctx);
}

/* ---- 4. balances and monotonicity ------------------------------------------------------ */

static void check_balances(const mt_physiology *p, double bw)
{
    double mass = 0, dens_mass = 0, flow = 0;
    for (int i = 0; i < MT_ORGAN_COUNT; i++) {
        const mt_organ_values *o = &p->organ[i];
        ASSERT_TRUE(o->mass_kg > 0 && o->volume_l > 0 && o->blood_flow_l_h > 0);
        mass += o->mass_kg;
        /* densities: adipose 0.92, bone 1.3, every other compartment 1 kg/L (Huisinga) */
        double rho = i == MT_ORGAN_ADIPOSE ? 0.92 : i == MT_ORGAN_BONE ? 1.3 : 1.0;
        dens_mass += o->volume_l * rho;
        if (i >= MT_ORGAN_ADIPOSE)
            flow += o->blood_flow_l_h;
    }
    ASSERT_NEAR(mass, bw, 1e-9 * bw);
    ASSERT_NEAR(dens_mass, bw, 1e-9 * bw);
    ASSERT_NEAR(flow, p->cardiac_output_l_h, 1e-9 * p->cardiac_output_l_h);
    ASSERT_NEAR(p->organ[MT_ORGAN_LUNG].blood_flow_l_h, p->cardiac_output_l_h, 0);
}

TEST(balances_over_a_grid)
{
    mt_ctx *ctx = ctx_new();
    mt_physio_tables *t = tables_new(ctx);
    ASSERT_TRUE(t != NULL);
    static const double ages[] = {18, 25, 35, 50, 65, 80, 100};
    static const double heights[] = {140, 155, 170, 185, 200};
    static const double bmis[] = {16, 20, 25, 30, 40, 55};
    int n_ok = 0, n_rejected = 0;
    for (int s = MT_SEX_FEMALE; s <= MT_SEX_MALE; s++)
        for (size_t a = 0; a < 7; a++)
            for (size_t hh = 0; hh < 5; hh++)
                for (size_t b = 0; b < 6; b++) {
                    double h = heights[hh], bw = bmis[b] * h * h / 1e4;
                    mt_covariates in = person((mt_sex)s, ages[a], h, bw);
                    mt_physiology p;
                    mt_status st = mt_physiology_compute(t, ctx, &in, &p);
                    if (st != MT_OK) {
                        /* only the method's own limit: too little weight left for adipose */
                        ASSERT_EQ_INT(st, MT_EINVAL);
                        ASSERT_TRUE(strstr(mt_errmsg(ctx), "weight_kg") != NULL);
                        ASSERT_TRUE(bmis[b] <= 20);
                        n_rejected++;
                        continue;
                    }
                    check_balances(&p, bw);
                    if (mt_test_failed_)
                        return;
                    n_ok++;
                }
    printf("# %d individuals computed, %d rejected (too light for the method)\n", n_ok, n_rejected);
    ASSERT_TRUE(n_ok > 300);
    mt_physio_tables_destroy(t);
    mt_ctx_destroy(ctx);
}

TEST(monotonic_in_covariates)
{
    mt_ctx *ctx = ctx_new();
    mt_physio_tables *t = tables_new(ctx);
    ASSERT_TRUE(t != NULL);
    mt_physiology a, b;
    /* heavier: more adipose, the same lean organs, larger skin, blood and BSA */
    mt_covariates in = person(MT_SEX_MALE, 40, 176, 73);
    ASSERT_EQ_INT(mt_physiology_compute(t, ctx, &in, &a), MT_OK);
    in.weight_kg = 110;
    ASSERT_EQ_INT(mt_physiology_compute(t, ctx, &in, &b), MT_OK);
    ASSERT_TRUE(b.organ[MT_ORGAN_ADIPOSE].volume_l > a.organ[MT_ORGAN_ADIPOSE].volume_l + 30);
    ASSERT_NEAR(b.organ[MT_ORGAN_LIVER].volume_l, a.organ[MT_ORGAN_LIVER].volume_l, 0);
    ASSERT_TRUE(b.organ[MT_ORGAN_SKIN].volume_l > a.organ[MT_ORGAN_SKIN].volume_l);
    ASSERT_TRUE(b.organ[MT_ORGAN_VENOUS].volume_l > a.organ[MT_ORGAN_VENOUS].volume_l);
    ASSERT_TRUE(b.bsa_m2 > a.bsa_m2 && b.lean_body_weight_kg > a.lean_body_weight_kg);
    ASSERT_NEAR(b.cardiac_output_l_h, a.cardiac_output_l_h, 0);
    /* taller: larger organs and cardiac output */
    in = person(MT_SEX_MALE, 40, 190, 85);
    ASSERT_EQ_INT(mt_physiology_compute(t, ctx, &in, &b), MT_OK);
    ASSERT_TRUE(b.organ[MT_ORGAN_LIVER].volume_l > a.organ[MT_ORGAN_LIVER].volume_l);
    ASSERT_TRUE(b.organ[MT_ORGAN_MUSCLE].volume_l > a.organ[MT_ORGAN_MUSCLE].volume_l);
    ASSERT_TRUE(b.cardiac_output_l_h > a.cardiac_output_l_h);
    /* older: lower cardiac output, less muscle, less bone */
    in = person(MT_SEX_MALE, 75, 176, 73);
    ASSERT_EQ_INT(mt_physiology_compute(t, ctx, &in, &b), MT_OK);
    ASSERT_TRUE(b.cardiac_output_l_h < a.cardiac_output_l_h);
    ASSERT_TRUE(b.organ[MT_ORGAN_MUSCLE].mass_kg < a.organ[MT_ORGAN_MUSCLE].mass_kg);
    ASSERT_TRUE(b.organ[MT_ORGAN_BONE].mass_kg < a.organ[MT_ORGAN_BONE].mass_kg);
    /* same size, other sex: a woman of 176 cm / 73 kg has more adipose, less muscle */
    in = person(MT_SEX_FEMALE, 40, 176, 73);
    ASSERT_EQ_INT(mt_physiology_compute(t, ctx, &in, &b), MT_OK);
    ASSERT_TRUE(b.organ[MT_ORGAN_ADIPOSE].mass_kg > a.organ[MT_ORGAN_ADIPOSE].mass_kg);
    ASSERT_TRUE(b.organ[MT_ORGAN_MUSCLE].mass_kg < a.organ[MT_ORGAN_MUSCLE].mass_kg);
    /* higher creatinine: lower eGFR, CrCl and GFR */
    in = person(MT_SEX_FEMALE, 40, 165, 65);
    in.serum_creatinine_mg_dl = 0.8;
    ASSERT_EQ_INT(mt_physiology_compute(t, ctx, &in, &a), MT_OK);
    in.serum_creatinine_mg_dl = 2.0;
    ASSERT_EQ_INT(mt_physiology_compute(t, ctx, &in, &b), MT_OK);
    ASSERT_TRUE(b.egfr_ml_min_1_73 < a.egfr_ml_min_1_73 && b.gfr_l_h < a.gfr_l_h &&
                b.crcl_cockcroft_gault_ml_min < a.crcl_cockcroft_gault_ml_min);
    mt_physio_tables_destroy(t);
    mt_ctx_destroy(ctx);
}

/* ---- 5. Child-Pugh --------------------------------------------------------------------- */

TEST(child_pugh_factors)
{
    mt_ctx *ctx = ctx_new();
    mt_physio_tables *t = tables_new(ctx);
    ASSERT_TRUE(t != NULL);
    mt_hepatic h;
    ASSERT_EQ_INT(mt_hepatic_factors(t, ctx, 0, 25, 70, &h), MT_OK);
    ASSERT_NEAR(h.liver_blood_flow_factor, 1, 0);
    ASSERT_NEAR(h.gfr_factor, 1, 0);
    for (int e = 0; e < MT_CYP_COUNT; e++)
        ASSERT_NEAR(h.enzyme_abundance_factor[e], 1, 0);
    /* OSP Qualification-HI, Section2_Model.md @e6eeade9, Table 2, Child-Pugh B column */
    ASSERT_EQ_INT(mt_hepatic_factors(t, ctx, 'B', 25, 70, &h), MT_OK);
    ASSERT_EQ_INT(h.child_pugh_class, 'B');
    ASSERT_NEAR(h.portal_flow_factor, 0.36, 0);
    ASSERT_NEAR(h.hepatic_artery_flow_factor, 2.3, 0);
    ASSERT_NEAR(h.renal_blood_flow_factor, 0.65, 0);
    ASSERT_NEAR(h.other_organ_flow_factor, 2.25, 0);
    ASSERT_NEAR(h.cardiac_index_factor, 1.27, 0);
    ASSERT_NEAR(h.albumin_factor, 0.68, 0);
    ASSERT_NEAR(h.aag_factor, 0.56, 0);
    ASSERT_NEAR(h.haematocrit_factor, 0.88, 0);
    ASSERT_NEAR(h.gfr_factor, 0.7, 0);
    ASSERT_NEAR(h.enzyme_abundance_factor[MT_CYP1A2], 0.1, 0);
    ASSERT_NEAR(h.enzyme_abundance_factor[MT_CYP2C9], 0.51, 0);
    ASSERT_NEAR(h.enzyme_abundance_factor[MT_CYP2C19], 0.26, 0);
    ASSERT_NEAR(h.enzyme_abundance_factor[MT_CYP2D6], 0.33, 0);
    ASSERT_NEAR(h.enzyme_abundance_factor[MT_CYP2E1], 0.83, 0);
    ASSERT_NEAR(h.enzyme_abundance_factor[MT_CYP3A4], 0.4, 0);
    ASSERT_NEAR(h.liver_blood_flow_factor, (25 * 2.3 + 70 * 0.36) / 95, 1e-12);
    /* A and C columns, a few cells each */
    ASSERT_EQ_INT(mt_hepatic_factors(t, ctx, 'A', 25, 70, &h), MT_OK);
    ASSERT_NEAR(h.enzyme_abundance_factor[MT_CYP2D6], 0.76, 0);
    ASSERT_NEAR(h.portal_flow_factor, 0.4, 0);
    ASSERT_EQ_INT(mt_hepatic_factors(t, ctx, 'C', 25, 70, &h), MT_OK);
    ASSERT_NEAR(h.enzyme_abundance_factor[MT_CYP2C19], 0.12, 0);
    ASSERT_NEAR(h.hepatic_artery_flow_factor, 3.4, 0);
    ASSERT_NEAR(h.gfr_factor, 0.36, 0);

    /* in the twin: flows stay healthy, factors ride along; GFR without creatinine takes the
     * GFR factor, with creatinine it does not */
    mt_covariates in = person(MT_SEX_MALE, 50, 176, 73);
    mt_physiology healthy, p;
    ASSERT_EQ_INT(mt_physiology_compute(t, ctx, &in, &healthy), MT_OK);
    in.child_pugh_class = 'C';
    ASSERT_EQ_INT(mt_physiology_compute(t, ctx, &in, &p), MT_OK);
    ASSERT_NEAR(p.organ[MT_ORGAN_LIVER].blood_flow_l_h,
                healthy.organ[MT_ORGAN_LIVER].blood_flow_l_h, 0);
    ASSERT_NEAR(p.gfr_l_h, healthy.gfr_l_h * 0.36, 1e-12);
    double qha = p.organ[MT_ORGAN_LIVER].blood_flow_l_h;
    double qpv = p.organ[MT_ORGAN_GUT].blood_flow_l_h + p.organ[MT_ORGAN_SPLEEN].blood_flow_l_h;
    ASSERT_NEAR(p.hepatic.liver_blood_flow_factor, (qha * 3.4 + qpv * 0.04) / (qha + qpv), 1e-12);
    in.serum_creatinine_mg_dl = 1.1;
    ASSERT_EQ_INT(mt_physiology_compute(t, ctx, &in, &p), MT_OK);
    ASSERT_NEAR(p.gfr_l_h, p.egfr_abs_ml_min * 0.06, 1e-12);
    mt_physio_tables_destroy(t);
    mt_ctx_destroy(ctx);
}

/* ---- 6. errors ------------------------------------------------------------------------- */

static void expect_einval(const mt_physio_tables *t, mt_ctx *ctx, mt_covariates in,
                          const char *field)
{
    mt_physiology p;
    ASSERT_EQ_INT(mt_physiology_compute(t, ctx, &in, &p), MT_EINVAL);
    if (!strstr(mt_errmsg(ctx), field))
        printf("# message without '%s': %s\n", field, mt_errmsg(ctx));
    ASSERT_TRUE(strstr(mt_errmsg(ctx), field) != NULL);
}

TEST(bad_covariates)
{
    mt_ctx *ctx = ctx_new();
    mt_physio_tables *t = tables_new(ctx);
    ASSERT_TRUE(t != NULL);
    const mt_covariates ok = person(MT_SEX_FEMALE, 40, 165, 65);
    mt_covariates in;
    mt_physiology p;
    ASSERT_EQ_INT(mt_physiology_compute(t, ctx, &ok, &p), MT_OK);
#define BAD(assignment, field)                                                                     \
    do {                                                                                           \
        in = ok;                                                                                   \
        assignment;                                                                                \
        expect_einval(t, ctx, in, field);                                                          \
    } while (0)

    BAD(in.sex = MT_PHYSIO_SEX_ANY, "sex");
    BAD(in.sex = (mt_sex)7, "sex");
    BAD(in.age_years = 17.9, "age_years");
    BAD(in.age_years = 100.5, "age_years");
    BAD(in.age_years = NAN, "age_years");
    BAD(in.height_cm = 1700, "height_cm"); /* 17 m */
    BAD(in.height_cm = 0, "height_cm");
    BAD(in.height_cm = INFINITY, "height_cm");
    BAD(in.weight_kg = -70, "weight_kg");
    BAD(in.weight_kg = 1000, "weight_kg");
    /* within the guard but too light for the method: a 190 cm man of 50 kg */
    in = person(MT_SEX_MALE, 30, 190, 50);
    expect_einval(t, ctx, in, "weight_kg");
    BAD(in.serum_creatinine_mg_dl = 0, "serum_creatinine_mg_dl");
    BAD(in.serum_creatinine_mg_dl = -1, "serum_creatinine_mg_dl");
    BAD(in.serum_creatinine_mg_dl = INFINITY, "serum_creatinine_mg_dl");
    BAD(in.child_pugh_class = 'D', "child_pugh_class");
    BAD(in.child_pugh_class = 1, "child_pugh_class");
#undef BAD
    if (mt_test_failed_)
        return;

    double v;
    mt_hepatic h;
    ASSERT_EQ_INT(mt_physiology_compute(NULL, ctx, &ok, &p), MT_EINVAL);
    ASSERT_EQ_INT(mt_physiology_compute(t, ctx, NULL, &p), MT_EINVAL);
    ASSERT_EQ_INT(mt_physiology_compute(t, ctx, &ok, NULL), MT_EINVAL);
    ASSERT_EQ_INT(mt_renal_egfr_ckd_epi_2021(t, ctx, MT_SEX_MALE, 10, 1.0, &v), MT_EINVAL);
    ASSERT_TRUE(strstr(mt_errmsg(ctx), "age_years") != NULL);
    ASSERT_EQ_INT(mt_renal_egfr_ckd_epi_2021(t, ctx, MT_SEX_MALE, 40, NAN, &v), MT_EINVAL);
    ASSERT_TRUE(strstr(mt_errmsg(ctx), "serum_creatinine_mg_dl") != NULL);
    ASSERT_EQ_INT(mt_renal_egfr_ckd_epi_2021(t, ctx, MT_PHYSIO_SEX_ANY, 40, 1, &v), MT_EINVAL);
    ASSERT_EQ_INT(mt_renal_crcl_cockcroft_gault(t, ctx, MT_SEX_MALE, 40, 0, 1.0, &v), MT_EINVAL);
    ASSERT_TRUE(strstr(mt_errmsg(ctx), "weight_kg") != NULL);
    ASSERT_EQ_INT(mt_hepatic_factors(t, ctx, 'b', 1, 1, &h), MT_EINVAL);
    ASSERT_TRUE(strstr(mt_errmsg(ctx), "child_pugh_class") != NULL);
    ASSERT_EQ_INT(mt_hepatic_factors(t, ctx, 'A', 0, 1, &h), MT_EINVAL);
    ASSERT_EQ_INT(mt_physio_tables_get(t, ctx, "a", "b", "c", MT_SEX_MALE, NULL, NULL), MT_EINVAL);
    mt_physio_tables_destroy(t);
    mt_ctx_destroy(ctx);
}

/* A scratch data folder: <tmp>/physiology/ holding the three tables, each copied from the real
 * data folder without the lines that contain `drop` and with `append` added at the end of the
 * file named `append_to`. */
static int scratch_data(char *dir, size_t cap, const char *drop, const char *append_to,
                        const char *append)
{
    static const char *const files[] = {"reference_adults.csv", "covariate_equations.csv",
                                        "hepatic_impairment.csv"};
    const char *base = getenv("TMPDIR");
    char sub[1100];
    snprintf(dir, cap, "%s/mt_physio_XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(dir))
        return 0;
    snprintf(sub, sizeof sub, "%s/physiology", dir);
    if (mkdir(sub, 0700) != 0)
        return 0;
    for (size_t i = 0; i < 3; i++) {
        char from[1100], to[1200], line[8192];
        snprintf(from, sizeof from, "%s/physiology/%s", mt_data_dir(), files[i]);
        snprintf(to, sizeof to, "%s/%s", sub, files[i]);
        FILE *in = fopen(from, "r"), *out = fopen(to, "w");
        if (!in || !out) {
            if (in)
                fclose(in);
            if (out)
                fclose(out);
            return 0;
        }
        while (fgets(line, sizeof line, in))
            if (!drop || !strstr(line, drop))
                fputs(line, out);
        if (append_to && !strcmp(append_to, files[i]))
            fputs(append, out);
        fclose(in);
        fclose(out);
    }
    return 1;
}

static void scratch_remove(const char *dir)
{
    static const char *const files[] = {"reference_adults.csv", "covariate_equations.csv",
                                        "hepatic_impairment.csv"};
    char path[1200];
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/physiology/%s", dir, files[i]);
        unlink(path);
    }
    snprintf(path, sizeof path, "%s/physiology", dir);
    rmdir(path);
    rmdir(dir);
}

static mt_status load_scratch(mt_ctx *ctx, const char *drop, const char *append_to,
                              const char *append)
{
    char dir[1024];
    mt_physio_tables *t = NULL;
    if (!scratch_data(dir, sizeof dir, drop, append_to, append))
        return MT_EIO;
    mt_status st = mt_physio_tables_load(ctx, dir, &t);
    mt_physio_tables_destroy(t);
    scratch_remove(dir);
    return st;
}

TEST(broken_tables)
{
    mt_ctx *ctx = ctx_new();
    mt_physio_tables *t = NULL;
    ASSERT_EQ_INT(load_scratch(ctx, NULL, NULL, NULL), MT_OK);
    ASSERT_EQ_INT(mt_physio_tables_load(ctx, "/nonexistent/medtwin", &t), MT_EIO);
    ASSERT_TRUE(t == NULL);
    ASSERT_EQ_INT(mt_physio_tables_load(ctx, NULL, NULL), MT_EINVAL);
    /* a constant the computation needs is missing: named in the message */
    ASSERT_EQ_INT(load_scratch(ctx, "female,ckd_epi_2021,kidney,kappa", NULL, NULL), MT_ENOTFOUND);
    ASSERT_TRUE(strstr(mt_errmsg(ctx), "kappa") != NULL);
    ASSERT_EQ_INT(load_scratch(ctx, "child_pugh_C,liver,CYP2D6", NULL, NULL), MT_ENOTFOUND);
    ASSERT_TRUE(strstr(mt_errmsg(ctx), "CYP2D6") != NULL);
    ASSERT_EQ_INT(load_scratch(ctx, "male,mcnally2014,Liver,mass_ref", NULL, NULL), MT_ENOTFOUND);
    /* duplicate row, bad sex, non-numeric constant, ragged row */
    ASSERT_EQ_INT(load_scratch(ctx, NULL, "hepatic_impairment.csv",
                               "both,child_pugh_A,kidney,GFR factor,0.9,x,y,z\n"),
                  MT_EPARSE);
    ASSERT_TRUE(strstr(mt_errmsg(ctx), "duplicate") != NULL);
    ASSERT_EQ_INT(load_scratch(ctx, NULL, "covariate_equations.csv", "man,a,b,c,1,x,y,z\n"),
                  MT_EPARSE);
    ASSERT_EQ_INT(load_scratch(ctx, "both,ckd_epi_2021,kidney,multiplier",
                               "covariate_equations.csv",
                               "both,ckd_epi_2021,kidney,multiplier,1e999,x,y,z\n"),
                  MT_EINVAL);
    ASSERT_EQ_INT(load_scratch(ctx, NULL, "covariate_equations.csv", "both,a,b\n"), MT_EPARSE);
    mt_ctx_destroy(ctx);
}

TEST_MAIN(TEST_ENTRY(tables_load_and_lookup), TEST_ENTRY(copies_match_shared),
          TEST_ENTRY(icrp_reference_man), TEST_ENTRY(icrp_reference_woman),
          TEST_ENTRY(httkpop_equations_independent), TEST_ENTRY(ckd_epi_2021),
          TEST_ENTRY(cockcroft_gault), TEST_ENTRY(balances_over_a_grid),
          TEST_ENTRY(monotonic_in_covariates), TEST_ENTRY(child_pugh_factors),
          TEST_ENTRY(bad_covariates), TEST_ENTRY(broken_tables))
