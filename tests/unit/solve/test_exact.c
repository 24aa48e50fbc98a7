/* SPDX-License-Identifier: Apache-2.0
 *
 * tests/unit/solve/test_exact.c — the exact path for linear time-invariant models
 * (src/solve/lti.c through mt_sim_run): closed-form solutions (a real decay chain with a
 * constant input, a harmonic oscillator with complex eigenvalues, a pure integrator with a
 * zero eigenvalue), the fall-backs to the ODE path (a defective matrix, a switch, time in the
 * right-hand side, events, the option off), and pbpk15 exact against the ODE path.
 */
#define _POSIX_C_SOURCE 200809L
#include "harness.h"
#include "medtwin/medtwin.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HEAD                                                                                       \
    "<?xml version='1.0' encoding='UTF-8'?><sbml "                                                 \
    "xmlns='http://www.sbml.org/sbml/level3/version2/core' level='3' version='2'><model id='m'>"
#define MATH "<math xmlns='http://www.w3.org/1998/Math/MathML'>"
#define P(id, v) "<parameter id='" id "' value='" #v "' constant='false'/>"
#define RR(var, body) "<rateRule variable='" var "'>" MATH body "</math></rateRule>"
#define CI(x) "<ci>" x "</ci>"
#define CN(x) "<cn>" #x "</cn>"
#define AP1(op, a) "<apply><" op "/>" a "</apply>"
#define AP(op, a, b) "<apply><" op "/>" a b "</apply>"
#define TAIL "</model></sbml>"

static mt_ctx *ctx;

/* Runs xml from 0 to t_end in n steps with the given output ids; *path gets the path taken. */
static mt_result *run(const char *xml, int exact, double t_end, long n, const char *const *ids,
                      mt_path *path)
{
    mt_model *m = NULL;
    mt_program *p = NULL;
    mt_sim *s = NULL;
    mt_result *r = NULL;
    if (mt_model_load_string(ctx, xml, strlen(xml), NULL, &m) != MT_OK) {
        printf("  load: %s\n", mt_errmsg(ctx));
        return NULL;
    }
    if (mt_program_create(ctx, m, &p) == MT_OK && mt_sim_create(ctx, p, &s) == MT_OK &&
        mt_sim_set_tolerances(s, 1e-10, 1e-12) == MT_OK) {
        mt_sim_set_exact(s, exact);
        int ok = 1;
        for (size_t i = 0; ids && ids[i]; i++)
            ok &= mt_sim_add_output(s, ids[i], MT_REPORT_DEFAULT) == MT_OK;
        if (ok && mt_sim_run(s, 0, t_end, n, &r) != MT_OK)
            printf("  run: %s\n", mt_errmsg(ctx));
        *path = mt_sim_last_path(s);
    }
    mt_sim_destroy(s);
    mt_program_destroy(p);
    mt_model_destroy(m);
    return r;
}

/* x' = -a x + u, y' = a x - b y: x = u/a + (x0 - u/a) e^{-a t}, y by hand. */
static const char *const chain = HEAD "<listOfParameters>" P("x", 2) P("y", 0) P("a", 0.7)
    P("b", 0.2) P("u", 0.3) "</listOfParameters><listOfRules>" RR(
        "x", AP("plus", AP("times", AP1("minus", CI("a")), CI("x")), CI("u")))
        RR("y", AP("minus", AP("times", CI("a"), CI("x")),
                   AP("times", CI("b"), CI("y")))) "</listOfRules>" TAIL;

TEST(real_chain_with_input)
{
    const char *ids[] = {"x", "y", NULL};
    mt_path path;
    mt_result *r = run(chain, 1, 20, 40, ids, &path);
    ASSERT_TRUE(r != NULL);
    ASSERT_EQ_INT(path, MT_PATH_EXACT);
    const double a = 0.7, b = 0.2, u = 0.3, x0 = 2;
    const double xs = u / a, c = x0 - xs;
    for (size_t k = 0; k < mt_result_n_rows(r); k++) {
        double t = mt_result_time(r, k);
        double x = xs + c * exp(-a * t);
        /* y' = a x - b y, y(0) = 0: y = a xs / b (1 - e^{-bt}) + a c (e^{-at} - e^{-bt})/(b - a) */
        double y = a * xs / b * (1 - exp(-b * t)) + a * c * (exp(-a * t) - exp(-b * t)) / (b - a);
        ASSERT_NEAR(mt_result_value(r, k, 0), x, 1e-12 * fmax(1, fabs(x)));
        ASSERT_NEAR(mt_result_value(r, k, 1), y, 1e-11 * fmax(1, fabs(y)));
    }
    mt_result_destroy(r);
}

/* x' = w y, y' = -w x: x = cos(w t), y = -sin(w t) (eigenvalues +-i w). */
static const char *const oscillator = HEAD "<listOfParameters>" P("x", 1) P("y", 0)
    P("w", 2.5) "</listOfParameters><listOfRules>" RR("x", AP("times", CI("w"), CI("y")))
        RR("y", AP("times", AP1("minus", CI("w")), CI("x"))) "</listOfRules>" TAIL;

TEST(complex_eigenvalues)
{
    const char *ids[] = {"x", "y", NULL};
    mt_path path;
    mt_result *r = run(oscillator, 1, 30, 300, ids, &path);
    ASSERT_TRUE(r != NULL);
    ASSERT_EQ_INT(path, MT_PATH_EXACT);
    for (size_t k = 0; k < mt_result_n_rows(r); k++) {
        double t = mt_result_time(r, k);
        ASSERT_NEAR(mt_result_value(r, k, 0), cos(2.5 * t), 1e-10);
        ASSERT_NEAR(mt_result_value(r, k, 1), -sin(2.5 * t), 1e-10);
    }
    mt_result_destroy(r);
}

/* x' = u: a zero eigenvalue with an input, x = x0 + u t. */
static const char *const integrator = HEAD "<listOfParameters>" P("x", 1)
    P("u", 0.25) "</listOfParameters><listOfRules>" RR("x", CI("u")) "</listOfRules>" TAIL;

TEST(zero_eigenvalue)
{
    const char *ids[] = {"x", NULL};
    mt_path path;
    mt_result *r = run(integrator, 1, 8, 16, ids, &path);
    ASSERT_TRUE(r != NULL);
    ASSERT_EQ_INT(path, MT_PATH_EXACT);
    for (size_t k = 0; k < mt_result_n_rows(r); k++)
        ASSERT_NEAR(mt_result_value(r, k, 0), 1 + 0.25 * mt_result_time(r, k), 1e-13);
    mt_result_destroy(r);
}

/* x' = -x + y, y' = -y: a Jordan block (defective), solved by the ODE path:
 * y = e^{-t}, x = (1 + t) e^{-t} for x0 = y0 = 1. */
static const char *const defective = HEAD "<listOfParameters>" P("x", 1)
    P("y", 1) "</listOfParameters><listOfRules>" RR("x", AP("plus", AP1("minus", CI("x")), CI("y")))
        RR("y", AP1("minus", CI("y"))) "</listOfRules>" TAIL;

TEST(defective_matrix_falls_back)
{
    const char *ids[] = {"x", NULL};
    mt_path path;
    mt_result *r = run(defective, 1, 5, 10, ids, &path);
    ASSERT_TRUE(r != NULL);
    ASSERT_EQ_INT(path, MT_PATH_ODE);
    for (size_t k = 0; k < mt_result_n_rows(r); k++) {
        double t = mt_result_time(r, k);
        ASSERT_NEAR(mt_result_value(r, k, 0), (1 + t) * exp(-t), 1e-7);
    }
    mt_result_destroy(r);
}

TEST(not_linear_time_invariant_falls_back)
{
    const char *ids[] = {"x", NULL};
    mt_path path;
    /* a switch in the right-hand side */
    const char *sw = HEAD "<listOfParameters>" P("x", 1) "</listOfParameters><listOfRules>" RR(
        "x", "<piecewise><piece>" CN(-1) AP("gt", CI("x"), CN(0.5)) "</piece><otherwise>" CN(
                 0) "</otherwise></piecewise>") "</listOfRules>" TAIL;
    mt_result *r = run(sw, 1, 2, 4, ids, &path);
    ASSERT_TRUE(r != NULL);
    ASSERT_EQ_INT(path, MT_PATH_ODE);
    ASSERT_NEAR(mt_result_value(r, 4, 0), 0.5, 1e-6);
    mt_result_destroy(r);
    /* time in the right-hand side: x' = t, x = 1 + t^2/2 */
    const char *tm = HEAD "<listOfParameters>" P("x", 1) "</listOfParameters><listOfRules>" RR(
        "x", "<csymbol encoding='text' definitionURL='http://www.sbml.org/sbml/symbols/"
             "time'>t</csymbol>") "</listOfRules>" TAIL;
    r = run(tm, 1, 2, 4, ids, &path);
    ASSERT_TRUE(r != NULL);
    ASSERT_EQ_INT(path, MT_PATH_ODE);
    ASSERT_NEAR(mt_result_value(r, 4, 0), 3, 1e-7);
    mt_result_destroy(r);
    /* the option off */
    r = run(chain, 0, 2, 4, ids, &path);
    ASSERT_TRUE(r != NULL);
    ASSERT_EQ_INT(path, MT_PATH_ODE);
    mt_result_destroy(r);
}

TEST(pbpk15_exact_matches_ode)
{
    const char *sh = getenv("MT_SHARED");
    char path_xml[4096];
    snprintf(path_xml, sizeof path_xml, "%s/bench/pbpk15/pbpk15.xml", sh && *sh ? sh : "../shared");
    FILE *f = fopen(path_xml, "rb");
    if (!f) {
        printf("# skipped: %s not found\n", path_xml);
        return;
    }
    char *xml = calloc(1, 1 << 20);
    ASSERT_TRUE(xml != NULL);
    size_t len = fread(xml, 1, (1 << 20) - 1, f);
    fclose(f);
    xml[len] = '\0';
    const char *ids[] = {"C_venous", "A_liv", NULL};
    mt_path pe, po;
    mt_result *re = run(xml, 1, 24, 1440, ids, &pe);
    mt_result *ro = run(xml, 0, 24, 1440, ids, &po);
    free(xml);
    ASSERT_TRUE(re != NULL && ro != NULL);
    ASSERT_EQ_INT(pe, MT_PATH_EXACT);
    ASSERT_EQ_INT(po, MT_PATH_ODE);
    double cmax = 0, worst = 0;
    for (size_t k = 0; k < mt_result_n_rows(re); k++)
        cmax = fmax(cmax, mt_result_value(ro, k, 0));
    for (size_t k = 0; k < mt_result_n_rows(re); k++)
        for (size_t c = 0; c < 2; c++) {
            double a = mt_result_value(re, k, c), b = mt_result_value(ro, k, c);
            if (c == 0 && b > 1e-3 * cmax)
                worst = fmax(worst, fabs(a - b) / fabs(b));
        }
    printf("  pbpk15 C_venous: exact vs ODE (rtol 1e-10) max rel diff %.2e\n", worst);
    ASSERT_TRUE(worst < 1e-7);
    mt_result_destroy(re);
    mt_result_destroy(ro);
}

TEST(setup) { ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK); }
TEST(cleanup) { mt_ctx_destroy(ctx); }

TEST_MAIN(TEST_ENTRY(setup), TEST_ENTRY(real_chain_with_input), TEST_ENTRY(complex_eigenvalues),
          TEST_ENTRY(zero_eigenvalue), TEST_ENTRY(defective_matrix_falls_back),
          TEST_ENTRY(not_linear_time_invariant_falls_back), TEST_ENTRY(pbpk15_exact_matches_ode),
          TEST_ENTRY(cleanup))
