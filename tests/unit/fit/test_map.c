/* SPDX-License-Identifier: Apache-2.0
 *
 * tests/unit/fit/test_map.c — "MAP is right" (issue #5, acceptance 2), through the public API
 * (medtwin/fit.h) on Theoph subject 1 (../shared/data/clinical/Theoph.csv, the model
 * data/models/pk_oral_1cpt_sd.xml, lKe, lKa and lCl estimated on their own scale; the columns
 * read as Subject=id, Time=time, conc=C, Dose=dose, Wt ignored):
 *
 *   1. A flat prior with a fixed additive error is least squares. The unweighted least-squares
 *      estimate (free SD: R's nls) equals, to 1e-6, the MAP estimate with sigma_add fixed at 0.7
 *      (a) without a prior, (b) with Gaussian priors of SD 1e6 (the prior as extra residuals in
 *      Levenberg-Marquardt), (c) on the quasi-Newton path (the same fixed additive error given
 *      as a per-output combined error with CV 0, which selects BFGS), each also with R's
 *      nlsList values to 1e-5. mt_fit_objective at the estimate is SSR / 0.7^2 + n log(2 pi
 *      0.49), and no neighbour at +-1e-3 in any coordinate is lower.
 *   2. A two-parameter MAP problem against a brute-force grid of the posterior: lKe and lCl with
 *      Gaussian priors N(population value, 0.25^2), lKa fixed at subject 1's least-squares value
 *      (0.575161), once with the additive error 0.7 (Levenberg-Marquardt with prior residuals) and
 *      once with a combined error 0.5 mg/L + 10 % (BFGS). The grid: 21 x 21 points over the
 *      prior mean +- 4 prior SD (step 0.1); then, nine times, an 11 x 11 grid over the previous
 *      minimum +- 2 steps (each step 0.4 of the previous: 0.04, 0.016, ..., 2.6e-5), with the
 *      minimum required inside every box, not on its edge (the grid then holds a local
 *      minimum). The final resolution 2.6e-5 is 38 times finer than the tolerance: the
 *      MAP estimate agrees with the grid's minimum to 1e-3 and its objective is not above the
 *      grid's lowest value (+1e-7). The MAP estimate is also required to be > 0.05 away from the
 *      least-squares estimate: the prior must matter, or the test could not tell MAP from LS.
 */
#include "harness.h"
#include "medtwin/fit.h"
#include "medtwin/medtwin.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* R's nlsList (SSfol) estimates for subject 1 (Theoph_R_reference_fits.txt) */
static const double R_LKE = -2.91961, R_LKA = 0.575161, R_LCL = -3.91586;
/* the model's population values (Pinheiro & Bates fm1Theo.nlme): the priors' means */
static const double POP_LKE = -2.43267, POP_LCL = -3.21445;

typedef struct {
    mt_ctx *ctx;
    mt_model *m;
    mt_program *p;
    mt_sim *s;
    mt_fit_data *d;
} rig;

static void rig_close(rig *g)
{
    mt_fit_data_destroy(g->ctx, g->d);
    mt_sim_destroy(g->s);
    mt_program_destroy(g->p);
    mt_model_destroy(g->m);
    mt_ctx_destroy(g->ctx);
    memset(g, 0, sizeof *g);
}

/* 1 when the data are there; 0 (and a skip note) when ../shared is missing. */
static int theoph_path(char *path, size_t len)
{
    const char *sh = getenv("MT_SHARED");
    snprintf(path, len, "%s/data/clinical/Theoph.csv", sh && *sh ? sh : "../shared");
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    fclose(f);
    return 1;
}

static int rig_open(rig *g)
{
    memset(g, 0, sizeof *g);
    char data[1024], model[1024];
    if (!mt_check_(theoph_path(data, sizeof data), __FILE__, __LINE__, "%s not found", data))
        return 0;
    const char *src = getenv("MT_SOURCE_DIR");
    snprintf(model, sizeof model, "%s/data/models/pk_oral_1cpt_sd.xml", src && *src ? src : ".");
    if (!mt_check_(mt_ctx_create(&g->ctx) == MT_OK, __FILE__, __LINE__, "mt_ctx_create"))
        return 0;
    mt_csv *csv = NULL;
    mt_fit_columns cols = {"Subject=id,Time=time,conc=C,Dose=dose", "Wt", NULL, NULL, NULL, NAN};
    int ok = mt_model_load_file(g->ctx, model, &g->m) == MT_OK &&
             mt_program_create(g->ctx, g->m, &g->p) == MT_OK &&
             mt_sim_create(g->ctx, g->p, &g->s) == MT_OK &&
             mt_csv_read(g->ctx, data, 1 << 20, &csv) == MT_OK &&
             mt_fit_data_read(g->ctx, csv, g->s, &cols, &g->d) == MT_OK;
    mt_csv_destroy(csv);
    if (!mt_check_(ok, __FILE__, __LINE__, "setup: %s", mt_errmsg(g->ctx)) ||
        !mt_check_(g->d->n_subjects == 12 && !strcmp(g->d->subjects[0].id, "1") &&
                       g->d->subjects[0].n_obs == 11,
                   __FILE__, __LINE__, "Theoph: 12 subjects, the first '1' with 11 levels")) {
        rig_close(g);
        return 0;
    }
    return 1;
}

#define RIG_OPEN(g) MT_RET_(rig_open(&(g)))

static mt_fit_result *fit(rig *g, const mt_fit_problem *pb)
{
    mt_fit_result *r = NULL;
    if (!mt_check_(mt_fit_subject_run(g->ctx, g->s, pb, g->d, 0, &r) == MT_OK, __FILE__, __LINE__,
                   "fit: %s", mt_errmsg(g->ctx)))
        return NULL;
    if (!mt_check_(r->status == MT_FIT_CONVERGED, __FILE__, __LINE__, "fit status %d: %s",
                   (int)r->status, r->message)) {
        mt_fit_result_destroy(g->ctx, r);
        return NULL;
    }
    return r;
}

static const char *const PNAME[3] = {"lKe", "lKa", "lCl"};

/* three parameters on their own scale, start at the model's values; prior_sd 0: flat */
static void three_params(mt_fit_param *par, double prior_sd)
{
    for (int i = 0; i < 3; i++)
        par[i] = (mt_fit_param){PNAME[i], 0, -INFINITY, INFINITY, NAN, 0.0, prior_sd};
}

TEST(flat_prior_fixed_additive_is_least_squares)
{
    rig g;
    RIG_OPEN(g);
    mt_fit_param par[3];
    three_params(par, 0);
    mt_fit_problem ls = {3, par, NULL, MT_ERR_ADDITIVE, NAN, NAN, NULL, NULL, 0, 0};
    mt_fit_result *r0 = fit(&g, &ls);
    if (!r0) {
        rig_close(&g);
        return;
    }
    /* R prints 6 significant digits */
    const double r_ref[3] = {R_LKE, R_LKA, R_LCL};
    for (int i = 0; i < 3; i++)
        mt_near_(r0->u[i], r_ref[i], 1e-5, PNAME[i], "R nlsList", __FILE__, __LINE__);

    /* (a) fixed SD, no prior; (b) fixed SD, priors of SD 1e6 centred away from the estimate;
     * (c) the same fixed additive error through the per-output form: the BFGS path */
    mt_fit_param wide[3];
    three_params(wide, 1e6);
    wide[0].prior_mean = 1.0; /* 4 units from the estimate: still no pull at SD 1e6 */
    double add = 0.7, prop = 0.0;
    const mt_fit_problem variants[3] = {
        {3, par, NULL, MT_ERR_ADDITIVE, 0.7, NAN, NULL, NULL, 0, 0},
        {3, wide, NULL, MT_ERR_ADDITIVE, 0.7, NAN, NULL, NULL, 0, 0},
        {3, par, NULL, MT_ERR_ADDITIVE, NAN, NAN, &add, &prop, 0, 0},
    };
    for (int v = 0; v < 3; v++) {
        mt_fit_result *r = fit(&g, &variants[v]);
        if (!r)
            break;
        double worst = 0;
        for (int i = 0; i < 3; i++) {
            worst = fmax(worst, fabs(r->u[i] - r0->u[i]));
            if (!mt_near_(r->u[i], r0->u[i], 1e-6, PNAME[i], "least squares", __FILE__, __LINE__))
                printf("  (variant %c)\n", 'a' + v);
        }
        printf("  variant %c: max |MAP - LS| %.2g\n", 'a' + v, worst);
        mt_fit_result_destroy(g.ctx, r);
    }

    /* the objective at the estimate, by hand, and no lower neighbour */
    mt_fit_problem fixed = variants[0];
    double obj = NAN, n = (double)g.d->subjects[0].n_obs;
    if (mt_check_(mt_fit_objective(g.ctx, g.s, &fixed, g.d, 0, r0->u, &obj) == MT_OK, __FILE__,
                  __LINE__, "objective: %s", mt_errmsg(g.ctx))) {
        double want = r0->ssr / (0.7 * 0.7) + n * log(2 * 3.14159265358979323846 * 0.49);
        mt_near_(obj, want, 1e-9 * fabs(want), "objective", "SSR/s^2 + n log(2 pi s^2)", __FILE__,
                 __LINE__);
        for (int i = 0; i < 3; i++)
            for (int side = -1; side <= 1; side += 2) {
                double u[3] = {r0->u[0], r0->u[1], r0->u[2]}, o = NAN;
                u[i] += side * 1e-3;
                if (mt_fit_objective(g.ctx, g.s, &fixed, g.d, 0, u, &o) == MT_OK)
                    mt_check_(o > obj, __FILE__, __LINE__, "%s %+g: objective %.12g <= %.12g",
                              PNAME[i], side * 1e-3, o, obj);
                else
                    mt_check_(0, __FILE__, __LINE__, "objective: %s", mt_errmsg(g.ctx));
            }
    }
    mt_fit_result_destroy(g.ctx, r0);
    rig_close(&g);
}

/* ---------- two parameters against a grid ---------- */

#define GRID_N0 21 /* points per axis, first grid */
#define GRID_N 11  /* points per axis, refined grids */
#define GRID_LEVELS 10

/* The grid minimum of the objective over (lKe, lCl): *at (2), its value *best; 0 on failure. */
static int grid_minimum(rig *g, const mt_fit_problem *pb, const double *mu, double sd, double *at,
                        double *best)
{
    double c[2] = {mu[0], mu[1]}, half = 4 * sd;
    for (int level = 0; level < GRID_LEVELS; level++) {
        int np = level ? GRID_N : GRID_N0;
        double h = 2 * half / (np - 1);
        int bi = -1, bj = -1;
        *best = INFINITY;
        for (int i = 0; i < np; i++)
            for (int j = 0; j < np; j++) {
                double u[2] = {c[0] - half + i * h, c[1] - half + j * h}, o;
                if (!mt_check_(mt_fit_objective(g->ctx, g->s, pb, g->d, 0, u, &o) == MT_OK,
                               __FILE__, __LINE__, "objective: %s", mt_errmsg(g->ctx)))
                    return 0;
                if (o < *best) {
                    *best = o;
                    bi = i;
                    bj = j;
                }
            }
        if (!mt_check_(bi > 0 && bi < np - 1 && bj > 0 && bj < np - 1, __FILE__, __LINE__,
                       "grid level %d: the minimum is on the edge (%d, %d)", level, bi, bj))
            return 0;
        c[0] = c[0] - half + bi * h;
        c[1] = c[1] - half + bj * h;
        half = 2 * h;
    }
    printf("  final grid step %.2g\n", half / 2);
    at[0] = c[0];
    at[1] = c[1];
    return 1;
}

static void two_param_case(const double *out_add, const double *out_prop)
{
    rig g;
    RIG_OPEN(g);
    if (!mt_check_(mt_fit_data_set_covariate(g.ctx, g.d, g.s, "lKa", R_LKA) == MT_OK, __FILE__,
                   __LINE__, "fix lKa: %s", mt_errmsg(g.ctx))) {
        rig_close(&g);
        return;
    }
    const double sd = 0.25, mu[2] = {POP_LKE, POP_LCL};
    mt_fit_param par[2] = {{"lKe", 0, -INFINITY, INFINITY, NAN, POP_LKE, sd},
                           {"lCl", 0, -INFINITY, INFINITY, NAN, POP_LCL, sd}};
    mt_fit_problem pb = {2, par, NULL, MT_ERR_ADDITIVE, 0.7, NAN, out_add, out_prop, 0, 0};
    mt_fit_result *r = fit(&g, &pb);
    double at[2], best;
    if (r && grid_minimum(&g, &pb, mu, sd, at, &best)) {
        printf("  MAP (%.6f, %.6f) obj %.9f; grid (%.6f, %.6f) obj %.9f; |diff| %.2g, %.2g\n",
               r->u[0], r->u[1], r->objective, at[0], at[1], best, fabs(r->u[0] - at[0]),
               fabs(r->u[1] - at[1]));
        mt_near_(r->u[0], at[0], 1e-3, "MAP lKe", "grid lKe", __FILE__, __LINE__);
        mt_near_(r->u[1], at[1], 1e-3, "MAP lCl", "grid lCl", __FILE__, __LINE__);
        double o = NAN;
        mt_check_(mt_fit_objective(g.ctx, g.s, &pb, g.d, 0, r->u, &o) == MT_OK, __FILE__, __LINE__,
                  "objective: %s", mt_errmsg(g.ctx));
        mt_near_(o, r->objective, 1e-8 * fabs(o), "objective", "fit's objective", __FILE__,
                 __LINE__);
        /* 1e-7: above the ODE solution's noise in the objective (~1e-9), far below the rise
         * of a point 1e-3 off the minimum (~1e-5 here) */
        mt_check_(o <= best + 1e-7, __FILE__, __LINE__,
                  "MAP objective %.12g above the grid's %.12g", o, best);
        /* the prior matters: MAP is far from the least-squares values */
        mt_check_(fabs(r->u[0] - R_LKE) > 0.05 || fabs(r->u[1] - R_LCL) > 0.05, __FILE__, __LINE__,
                  "MAP (%g, %g) is least squares", r->u[0], r->u[1]);
    }
    mt_fit_result_destroy(g.ctx, r);
    rig_close(&g);
}

TEST(two_parameters_additive_vs_grid) { two_param_case(NULL, NULL); }

TEST(two_parameters_combined_vs_grid)
{
    const double add = 0.5, prop = 0.1;
    two_param_case(&add, &prop);
}

int main(void)
{
    char path[1024];
    if (!theoph_path(path, sizeof path)) {
        printf("skip: %s missing\n", path);
        return 77;
    }
    static const mt_test_case cases[] = {TEST_ENTRY(flat_prior_fixed_additive_is_least_squares),
                                         TEST_ENTRY(two_parameters_additive_vs_grid),
                                         TEST_ENTRY(two_parameters_combined_vs_grid)};
    return mt_run_(cases, sizeof cases / sizeof cases[0]);
}
