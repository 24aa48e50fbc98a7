/* SPDX-License-Identifier: Apache-2.0
 *
 * tests/unit/solve/test_sparse.c — the sparse linear solver (KLU over the Jacobian's
 * compressed-column pattern, src/solve/sim.c) against the dense one:
 *   - the choice: MT_LINSOL_AUTO keeps a small model dense and takes sparse for the 240-species
 *     cascade of bench/cascade/make_cascade.py; sparse without the analytic Jacobian falls back
 *     to dense; MEDTWIN_LINSOL chooses under MT_LINSOL_DEFAULT; an unknown kind is MT_EINVAL;
 *   - the same results (to the tolerances) dense and sparse: the cascade (native code and VM,
 *     runs re-using the workspace, both directions of a switch), and a sample of the SBML Test
 *     Suite models with states and an analytic Jacobian (every 7th case of $MT_SHARED; the
 *     ODE path forced, events included).
 */
#define _POSIX_C_SOURCE 200809L
#include "harness.h"
#include "medtwin/model.h"
#include "medtwin/sim.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *shared(void)
{
    const char *sh = getenv("MT_SHARED");
    return sh && *sh ? sh : "../shared";
}

/* The cascade model of bench/cascade/make_cascade.py C L, as text (NULL without python3). */
static char *cascade_xml(int c, int l)
{
    const char *src = getenv("MT_SOURCE_DIR");
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "python3 '%s/bench/cascade/make_cascade.py' %d %d 2>/dev/null",
             src && *src ? src : "..", c, l);
    FILE *f = popen(cmd, "r");
    if (!f)
        return NULL;
    size_t cap = 1 << 20, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (n + 1 >= cap) {
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        if (got == 0)
            break;
        n += got;
    }
    if (pclose(f) != 0 || !buf || n == 0) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    return buf;
}

/* Largest |a - b| / (rtol |b| + atol) over two results of the same shape (-1: shapes differ). */
static double worst(const mt_result *a, const mt_result *b, double rtol, double atol)
{
    size_t nr = mt_result_n_rows(a), nc = mt_result_n_cols(a);
    if (nr != mt_result_n_rows(b) || nc != mt_result_n_cols(b))
        return -1;
    double w = 0;
    for (size_t i = 0; i < nr; i++)
        for (size_t j = 0; j < nc; j++) {
            double x = mt_result_value(a, i, j), y = mt_result_value(b, i, j);
            if (isnan(x) && isnan(y))
                continue;
            double d = fabs(x - y) / (rtol * fabs(y) + atol);
            if (!(d <= w))
                w = d;
        }
    return w;
}

/* One run of p with the given solver (ODE path, rtol 1e-9, atol 1e-12). */
static mt_status run(mt_ctx *ctx, mt_sim *s, mt_linsol kind, double t_end, long steps,
                     mt_result **out)
{
    (void)ctx;
    mt_status st = mt_sim_set_linear_solver(s, kind);
    if (st == MT_OK)
        st = mt_sim_set_tolerances(s, 1e-9, 1e-12);
    if (st == MT_OK)
        st = mt_sim_run(s, 0, t_end, steps, out);
    return st;
}

static const char *const small_xml =
    "<?xml version='1.0' encoding='UTF-8'?>\n"
    "<sbml xmlns='http://www.sbml.org/sbml/level3/version1/core' level='3' version='1'>"
    "<model id='m'><listOfCompartments><compartment id='c' size='1' constant='true'/>"
    "</listOfCompartments><listOfSpecies>"
    "<species id='A' compartment='c' initialAmount='1' hasOnlySubstanceUnits='false' "
    "boundaryCondition='false' constant='false'/>"
    "<species id='B' compartment='c' initialAmount='0' hasOnlySubstanceUnits='false' "
    "boundaryCondition='false' constant='false'/></listOfSpecies>"
    "<listOfParameters><parameter id='k' value='2' constant='true'/></listOfParameters>"
    "<listOfReactions><reaction id='R' reversible='false' fast='false'>"
    "<listOfReactants><speciesReference species='A' stoichiometry='2' constant='true'/>"
    "</listOfReactants><listOfProducts><speciesReference species='B' stoichiometry='1' "
    "constant='true'/></listOfProducts><kineticLaw>"
    "<math xmlns='http://www.w3.org/1998/Math/MathML'><apply><times/><ci>k</ci><ci>A</ci>"
    "<ci>A</ci></apply></math></kineticLaw></reaction></listOfReactions></model></sbml>";

TEST(choice_of_the_solver)
{
    mt_ctx *ctx = NULL;
    mt_model *m = NULL;
    mt_program *p = NULL;
    mt_sim *s = NULL;
    mt_result *r = NULL, *d = NULL;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    ASSERT_EQ_INT(mt_model_load_string(ctx, small_xml, strlen(small_xml), NULL, &m), MT_OK);
    ASSERT_EQ_INT(mt_program_create(ctx, m, &p), MT_OK);
    ASSERT_EQ_INT(mt_sim_create(ctx, p, &s), MT_OK);
    ASSERT_EQ_INT(mt_sim_jacobian_kind(s), 1);
    ASSERT_EQ_INT(mt_sim_last_linear_solver(s), MT_LINSOL_DEFAULT);
    ASSERT_EQ_INT(mt_sim_set_linear_solver(s, (mt_linsol)7), MT_EINVAL);
    /* auto: two states stay dense */
    ASSERT_EQ_INT(run(ctx, s, MT_LINSOL_AUTO, 5, 10, &d), MT_OK);
    ASSERT_EQ_INT(mt_sim_last_linear_solver(s), MT_LINSOL_DENSE);
    /* asked for: sparse, also on two states; the same numbers to the tolerance */
    ASSERT_EQ_INT(run(ctx, s, MT_LINSOL_SPARSE, 5, 10, &r), MT_OK);
    ASSERT_EQ_INT(mt_sim_last_linear_solver(s), MT_LINSOL_SPARSE);
    double w = worst(r, d, 1e-6, 1e-10);
    ASSERT_TRUE(w >= 0 && w <= 1);
    mt_result_destroy(r);
    r = NULL;
    /* sparse needs the analytic Jacobian: with difference quotients it is dense */
    mt_sim_set_jacobian(s, 0);
    ASSERT_EQ_INT(run(ctx, s, MT_LINSOL_SPARSE, 5, 10, &r), MT_OK);
    ASSERT_EQ_INT(mt_sim_last_linear_solver(s), MT_LINSOL_DENSE);
    mt_result_destroy(r);
    r = NULL;
    mt_sim_set_jacobian(s, 1);
    /* the environment, under MT_LINSOL_DEFAULT */
    setenv("MEDTWIN_LINSOL", "sparse", 1);
    ASSERT_EQ_INT(run(ctx, s, MT_LINSOL_DEFAULT, 5, 10, &r), MT_OK);
    ASSERT_EQ_INT(mt_sim_last_linear_solver(s), MT_LINSOL_SPARSE);
    mt_result_destroy(r);
    r = NULL;
    setenv("MEDTWIN_LINSOL", "dense", 1);
    ASSERT_EQ_INT(run(ctx, s, MT_LINSOL_DEFAULT, 5, 10, &r), MT_OK);
    ASSERT_EQ_INT(mt_sim_last_linear_solver(s), MT_LINSOL_DENSE);
    /* the same workspace back on dense gives the first run's numbers exactly */
    ASSERT_EQ_INT(memcmp(mt_result_data(r), mt_result_data(d),
                         mt_result_n_rows(d) * mt_result_n_cols(d) * sizeof(double)),
                  0);
    unsetenv("MEDTWIN_LINSOL");
    mt_result_destroy(r);
    mt_result_destroy(d);
    mt_sim_destroy(s);
    mt_program_destroy(p);
    mt_model_destroy(m);
    mt_ctx_destroy(ctx);
}

TEST(cascade_240_species_dense_and_sparse_agree)
{
    char *xml = cascade_xml(30, 4);
    if (!xml) {
        printf("# skipped: python3 or bench/cascade/make_cascade.py not available\n");
        return;
    }
    mt_ctx *ctx = NULL;
    mt_model *m = NULL;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    mt_status st = mt_model_load_string(ctx, xml, strlen(xml), NULL, &m);
    free(xml);
    ASSERT_EQ_INT(st, MT_OK);
    for (int nat = 0; nat < 2; nat++) {
        mt_program *p = NULL;
        mt_sim *s = NULL;
        mt_result *rd = NULL, *rs = NULL, *ra = NULL;
        ASSERT_EQ_INT(mt_program_create_native(ctx, m, nat ? MT_NATIVE_DEFAULT : MT_NATIVE_OFF, &p),
                      MT_OK);
        ASSERT_EQ_INT(mt_sim_create(ctx, p, &s), MT_OK);
        ASSERT_EQ_INT(mt_sim_jacobian_kind(s), 1);
        int stim = mt_sim_find(s, "S_0");
        ASSERT_TRUE(stim >= 0);
        ASSERT_EQ_INT(mt_sim_set_value_at(s, stim, 0.7), MT_OK);
        /* auto chooses sparse here; dense and sparse in both orders on one workspace */
        ASSERT_EQ_INT(run(ctx, s, MT_LINSOL_AUTO, 100, 50, &ra), MT_OK);
        ASSERT_EQ_INT(mt_sim_last_linear_solver(s), MT_LINSOL_SPARSE);
        ASSERT_EQ_INT(run(ctx, s, MT_LINSOL_DENSE, 100, 50, &rd), MT_OK);
        ASSERT_EQ_INT(mt_sim_last_linear_solver(s), MT_LINSOL_DENSE);
        ASSERT_EQ_INT(run(ctx, s, MT_LINSOL_SPARSE, 100, 50, &rs), MT_OK);
        ASSERT_EQ_INT(mt_result_n_cols(rs), 240);
        /* a sparse run after a dense one gives what the first sparse run gave, exactly */
        ASSERT_EQ_INT(memcmp(mt_result_data(rs), mt_result_data(ra),
                             mt_result_n_rows(rs) * mt_result_n_cols(rs) * sizeof(double)),
                      0);
        double w = worst(rs, rd, 1e-6, 1e-9);
        printf("  cascade 240 species (%s): dense vs sparse, worst |diff| / (1e-6 |x| + 1e-9) = "
               "%.3g\n",
               nat ? "native" : "vm", w);
        ASSERT_TRUE(w >= 0 && w <= 1);
        mt_result_destroy(ra);
        mt_result_destroy(rd);
        mt_result_destroy(rs);
        mt_sim_destroy(s);
        mt_program_destroy(p);
    }
    mt_model_destroy(m);
    mt_ctx_destroy(ctx);
}

/* Case c of the SBML Test Suite, its highest level/version; 0 when absent. */
static int suite_model(int c, char *path, size_t cap)
{
    for (int lv = 32; lv >= 21; lv--) {
        snprintf(path, cap, "%s/sbml-test-suite/cases/%05d/%05d-sbml-l%dv%d.xml", shared(), c, c,
                 lv / 10, lv % 10);
        FILE *f = fopen(path, "r");
        if (f) {
            fclose(f);
            return 1;
        }
    }
    return 0;
}

TEST(suite_sample_dense_and_sparse_agree)
{
    mt_ctx *ctx = NULL;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    int compared = 0, differ = 0, sparse_only_fails = 0;
    char path[4096];
    for (int c = 1; c <= 1900; c += 7) {
        if (!suite_model(c, path, sizeof path))
            continue;
        mt_model *m = NULL;
        mt_program *p = NULL;
        mt_sim *s = NULL;
        if (mt_model_load_file(ctx, path, &m) != MT_OK)
            continue;
        mt_status st = mt_program_create(ctx, m, &p);
        mt_model_destroy(m);
        if (st != MT_OK)
            continue;
        if (mt_sim_create(ctx, p, &s) != MT_OK) {
            mt_program_destroy(p);
            continue;
        }
        mt_result *rd = NULL, *rs = NULL;
        mt_sim_set_exact(s, 0);
        if (mt_sim_jacobian_kind(s) > 0 && run(ctx, s, MT_LINSOL_DENSE, 10, 50, &rd) == MT_OK &&
            mt_sim_last_linear_solver(s) == MT_LINSOL_DENSE) {
            if (run(ctx, s, MT_LINSOL_SPARSE, 10, 50, &rs) != MT_OK) {
                if (sparse_only_fails++ < 5)
                    printf("  %s: sparse fails: %s\n", path, mt_errmsg(ctx));
            } else {
                double w = worst(rs, rd, 1e-5, 1e-9);
                compared++;
                if (!(w >= 0 && w <= 1) && differ++ < 5)
                    printf("  %s: dense vs sparse differ, worst %.3g\n", path, w);
            }
        }
        mt_result_destroy(rd);
        mt_result_destroy(rs);
        mt_sim_destroy(s);
        mt_program_destroy(p);
    }
    printf("  %d suite models compared (every 7th case, ODE path), %d differ, %d fail only "
           "sparse\n",
           compared, differ, sparse_only_fails);
    mt_ctx_destroy(ctx);
    if (compared == 0) {
        printf("# skipped: no SBML Test Suite under %s\n", shared());
        return;
    }
    ASSERT_EQ_INT(differ, 0);
    ASSERT_EQ_INT(sparse_only_fails, 0);
}

TEST_MAIN(TEST_ENTRY(choice_of_the_solver), TEST_ENTRY(cascade_240_species_dense_and_sparse_agree),
          TEST_ENTRY(suite_sample_dense_and_sparse_agree))
