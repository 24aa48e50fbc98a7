/* SPDX-License-Identifier: Apache-2.0
 *
 * tests/unit/compile/test_jacobian.c — the analytic Jacobian (src/compile/deriv.c and the jac
 * block of src/compile/program.c) against central finite differences of the right-hand side:
 *   - every SBML Test Suite model of $MT_SHARED with states and an analytic Jacobian, at its
 *     initial state and at a perturbed state (rows/columns whose differences are unreliable,
 *     e.g. at a piecewise switch, are tolerated only when the two one-sided quotients disagree);
 *   - pbpk15: a linear model, so the Jacobian must be flagged constant;
 *   - a model with time in a rate is not time-invariant.
 * Without ../shared the suite part is skipped (exit 77 when nothing else ran).
 */
#define _POSIX_C_SOURCE 200809L
#include "compile/program.h"
#include "harness.h"
#include "medtwin/model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *shared(void)
{
    const char *sh = getenv("MT_SHARED");
    return sh && *sh ? sh : "../shared";
}

typedef struct {
    const mt_program *p;
    double *vals, *stack, *y, *f0, *f1, *f2, *jb;
    unsigned char *ovr_set;
    double *ovr_val;
} ws;

static void run(ws *w, mt_block b, double t, const double *y, double *out)
{
    mt_env env = {w->vals, y, out, t, w->ovr_set, w->ovr_val, w->stack, NULL, NULL};
    mt_vm_run(w->p, b, &env);
}

/* Compares J with central differences at y; returns the number of bad entries. */
static int check_at(ws *w, double t, const char *name, int verbose)
{
    const mt_program *p = w->p;
    size_t n = p->n_state;
    double *J = calloc(n * n, sizeof *J);
    if (!J)
        return 1;
    run(w, p->jac, t, w->y, w->jb);
    for (size_t k = 0; k < p->n_jac; k++)
        J[(size_t)p->jac_row[k] * n + (size_t)p->jac_col[k]] = w->jb[k];
    int bad = 0;
    for (size_t j = 0; j < n; j++) {
        double y0 = w->y[j];
        double h = 1e-6 * fmax(fabs(y0), 1e-3);
        run(w, p->rhs, t, w->y, w->f0);
        w->y[j] = y0 + h;
        run(w, p->rhs, t, w->y, w->f1);
        w->y[j] = y0 - h;
        run(w, p->rhs, t, w->y, w->f2);
        w->y[j] = y0;
        for (size_t i = 0; i < n; i++) {
            double fd = (w->f1[i] - w->f2[i]) / (2 * h);
            double an = J[i * n + j];
            if (!isfinite(fd) || !isfinite(an))
                continue; /* undefined there (division by a zero state, ...) */
            double fwd = (w->f1[i] - w->f0[i]) / h, bwd = (w->f0[i] - w->f2[i]) / h;
            double scale = fmax(fmax(fabs(fd), fabs(an)), 1e-6);
            if (fabs(fwd - bwd) > 1e-3 * fmax(fabs(fwd), fabs(bwd)) + 1e-9)
                continue; /* a kink or switch at this point: differences are not a reference */
            if (fabs(fd - an) > 1e-4 * scale + 1e-7) {
                if (verbose && bad < 3)
                    printf("  %s: J[%zu][%zu] analytic %.10g, differences %.10g\n", name, i, j, an,
                           fd);
                bad++;
            }
        }
    }
    free(J);
    return bad;
}

/* Loads path, checks the Jacobian; *has_jac, *constant receive the program's flags.
 * Returns the number of bad entries, or -1 if the model does not load/compile. */
static int check_model(mt_ctx *ctx, const char *path, int *has_jac, int *constant)
{
    mt_model *m = NULL;
    mt_program *p = NULL;
    if (mt_model_load_file(ctx, path, &m) != MT_OK)
        return -1;
    /* the VM's Jacobian (test_native.c checks the native code against the VM) */
    mt_status st = mt_program_create_native(ctx, m, MT_NATIVE_OFF, &p);
    mt_model_destroy(m);
    if (st != MT_OK)
        return -1;
    *has_jac = p->has_jac;
    *constant = p->jac_constant;
    int bad = 0;
    /* with delay() the analytic Jacobian holds the past fixed (d x(t - tau) / d y(t) = 0),
     * while differences of the VM without a history move x itself: not comparable */
    if (p->has_jac && p->n_state > 0 && p->n_delay == 0) {
        size_t n = p->n_state;
        ws w;
        memset(&w, 0, sizeof w);
        w.p = p;
        w.vals = calloc(p->n_slot + 1, sizeof *w.vals);
        w.stack = calloc(p->max_stack + 1, sizeof *w.stack);
        w.y = calloc(n, sizeof *w.y);
        w.f0 = calloc(n, sizeof *w.f0);
        w.f1 = calloc(n, sizeof *w.f1);
        w.f2 = calloc(n, sizeof *w.f2);
        w.jb = calloc(p->n_jac + 1, sizeof *w.jb);
        w.ovr_set = calloc(p->n_slot + 1, 1);
        w.ovr_val = calloc(p->n_slot + 1, sizeof *w.ovr_val);
        if (w.vals && w.stack && w.y && w.f0 && w.f1 && w.f2 && w.jb && w.ovr_set && w.ovr_val) {
            run(&w, p->init, 0, NULL, NULL);
            for (size_t i = 0; i < n; i++)
                w.y[i] = w.vals[p->state_slot[i]];
            run(&w, p->rules_all, 0, w.y, NULL);
            bad += check_at(&w, 0.0, path, 1);
            /* a state away from the initial one (many start at zero) */
            for (size_t i = 0; i < n; i++)
                w.y[i] = w.y[i] * 1.3 + 0.1 * (double)(i + 1);
            bad += check_at(&w, 0.7, path, 1);
        }
        free(w.vals);
        free(w.stack);
        free(w.y);
        free(w.f0);
        free(w.f1);
        free(w.f2);
        free(w.jb);
        free(w.ovr_set);
        free(w.ovr_val);
    }
    mt_program_destroy(p);
    return bad;
}

TEST(suite_models_match_finite_differences)
{
    mt_ctx *ctx = NULL;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    int checked = 0, with_jac = 0, bad_models = 0, constant = 0;
    for (int c = 1; c <= 1900; c++) {
        char path[4096];
        int found = 0;
        for (int lv = 32; lv >= 21 && !found; lv--) {
            snprintf(path, sizeof path, "%s/sbml-test-suite/cases/%05d/%05d-sbml-l%dv%d.xml",
                     shared(), c, c, lv / 10, lv % 10);
            FILE *f = fopen(path, "r");
            if (f) {
                fclose(f);
                found = 1;
            }
        }
        if (!found)
            continue;
        int hj = 0, cst = 0;
        int bad = check_model(ctx, path, &hj, &cst);
        if (bad < 0)
            continue;
        checked++;
        with_jac += hj;
        constant += cst;
        bad_models += bad > 0;
    }
    printf("  %d suite models compiled, %d with an analytic Jacobian (%d constant), %d with a "
           "mismatch\n",
           checked, with_jac, constant, bad_models);
    mt_ctx_destroy(ctx);
    if (checked == 0) {
        printf("# skipped: no SBML Test Suite under %s\n", shared());
        return;
    }
    ASSERT_TRUE(with_jac > checked / 2);
    ASSERT_EQ_INT(bad_models, 0);
}

TEST(pbpk15_is_linear_time_invariant)
{
    mt_ctx *ctx = NULL;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    char path[4096];
    snprintf(path, sizeof path, "%s/bench/pbpk15/pbpk15.xml", shared());
    FILE *f = fopen(path, "r");
    if (!f) {
        printf("# skipped: %s not found\n", path);
        mt_ctx_destroy(ctx);
        return;
    }
    fclose(f);
    int hj = 0, cst = 0;
    int bad = check_model(ctx, path, &hj, &cst);
    mt_ctx_destroy(ctx);
    ASSERT_EQ_INT(bad, 0);
    ASSERT_TRUE(hj);
    ASSERT_TRUE(cst);
}

static const char *const nonlinear_xml =
    "<?xml version='1.0' encoding='UTF-8'?>"
    "<sbml xmlns='http://www.sbml.org/sbml/level3/version1/core' level='3' version='1'>"
    "<model id='m'><listOfCompartments><compartment id='c' size='2' constant='true'/>"
    "</listOfCompartments><listOfSpecies>"
    "<species id='A' compartment='c' initialConcentration='1' hasOnlySubstanceUnits='false' "
    "boundaryCondition='false' constant='false'/>"
    "<species id='B' compartment='c' initialConcentration='0.5' hasOnlySubstanceUnits='false' "
    "boundaryCondition='false' constant='false'/></listOfSpecies>"
    "<listOfParameters><parameter id='k' value='0.3' constant='true'/>"
    "<parameter id='r' constant='false'/></listOfParameters>"
    "<listOfRules><assignmentRule variable='r'><math xmlns='http://www.w3.org/1998/Math/MathML'>"
    "<apply><times/><ci>k</ci><apply><exp/><apply><divide/><ci>B</ci><ci>A</ci></apply>"
    "</apply><apply><sin/><csymbol encoding='text' "
    "definitionURL='http://www.sbml.org/sbml/symbols/time'>t</csymbol></apply></apply></math>"
    "</assignmentRule></listOfRules>"
    "<listOfReactions><reaction id='R' reversible='false' fast='false'><listOfReactants>"
    "<speciesReference species='A' stoichiometry='1' constant='true'/></listOfReactants>"
    "<listOfProducts><speciesReference species='B' stoichiometry='2' constant='true'/>"
    "</listOfProducts><kineticLaw><math xmlns='http://www.w3.org/1998/Math/MathML'>"
    "<apply><times/><ci>c</ci><ci>r</ci><apply><power/><ci>A</ci><cn>2</cn></apply></apply>"
    "</math></kineticLaw></reaction></listOfReactions></model></sbml>";

TEST(nonlinear_time_varying_model)
{
    mt_ctx *ctx = NULL;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    char path[] = "/tmp/mt_test_jacobian_XXXXXX";
    int fd = mkstemp(path);
    ASSERT_TRUE(fd >= 0);
    FILE *f = fdopen(fd, "w");
    ASSERT_TRUE(f != NULL);
    fputs(nonlinear_xml, f);
    fclose(f);
    int hj = 0, cst = 1;
    int bad = check_model(ctx, path, &hj, &cst);
    remove(path);
    mt_ctx_destroy(ctx);
    ASSERT_EQ_INT(bad, 0);
    ASSERT_TRUE(hj);
    ASSERT_FALSE(cst);
}

TEST_MAIN(TEST_ENTRY(suite_models_match_finite_differences),
          TEST_ENTRY(pbpk15_is_linear_time_invariant), TEST_ENTRY(nonlinear_time_varying_model))
