/* SPDX-License-Identifier: Apache-2.0
 *
 * tests/unit/solve/test_sens.c — forward sensitivities (mt_sim_run_doses_sens) through the
 * public API, against:
 *   - the closed form of one-compartment oral PK (d C / d ka, ke, V and the dose), rel 1e-6;
 *   - central finite differences of mt_sim_run_doses (rel 1e-5 of each series' largest value):
 *     data/models/pk_oral_1cpt.xml wrt lKe, lKa, lCl and dose (initial assignments, a
 *     concentration in a compartment derived from the parameters, an SBML event with
 *     trigger-time values at 12 h); a bolus and an infusion given by the API; an assignment-rule
 *     output and concentrations whose compartment is computed from the parameters (also against
 *     their closed form); Michaelis-Menten elimination with a redose whose trigger depends on the
 *     state (its time moves with the parameters) and an event that sets a parameter that is not
 *     a state from another parameter;
 *   - the same sensitivities on the bytecode VM and with difference-quotient Jacobians;
 *   - errors, n_par 0, and plain runs of the same workspace afterwards (unchanged).
 * Each case prints its largest error ("# ... max rel err").
 */
#include "harness.h"
#include "medtwin/medtwin.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* clang-format off */
#define HEAD                                                                                       \
    "<?xml version='1.0' encoding='UTF-8'?>\n"                                                     \
    "<sbml xmlns='http://www.sbml.org/sbml/level3/version2/core' level='3' version='2'>\n"
#define MATH(x) "<math xmlns='http://www.w3.org/1998/Math/MathML'>" x "</math>"
#define CI(x) "<ci>" x "</ci>"
#define CN(x) "<cn>" x "</cn>"
#define AP(op, args) "<apply><" op "/>" args "</apply>"
#define TIME "<csymbol encoding='text' definitionURL='http://www.sbml.org/sbml/symbols/time'>t</csymbol>"
#define COMP(id, size) "<compartment id='" id "' spatialDimensions='3' size='" size "' constant='true'/>"
#define PARAM(id, v) "<parameter id='" id "' value='" v "' constant='true'/>"
#define VPARAM(id, v) "<parameter id='" id "' value='" v "' constant='false'/>"
#define SPECIES(id, comp, attr, hosu)                                                              \
    "<species id='" id "' compartment='" comp "' " attr " hasOnlySubstanceUnits='" hosu            \
    "' boundaryCondition='false' constant='false'/>"
#define SREF(s) "<speciesReference species='" s "' stoichiometry='1' constant='true'/>"
#define EVENT(attrs, init, persist, trig, body)                                                    \
    "<event " attrs "><trigger initialValue='" init "' persistent='" persist "'>" MATH(trig)       \
    "</trigger><listOfEventAssignments>" body "</listOfEventAssignments></event>"
#define ASSIGN(v, m) "<eventAssignment variable='" v "'>" MATH(m) "</eventAssignment>"
#define SINK(id, s, law)                                                                           \
    "<reaction id='" id "' reversible='false'><listOfReactants>" SREF(s) "</listOfReactants>"      \
    "<kineticLaw>" MATH(law) "</kineticLaw></reaction>"

/* One-compartment oral PK (as tests/unit/solve/test_sim.c): depot (amount) -> C (concentration
 * in central, size 2) -> out; ka 1.3, ke 0.25, dose 10. */
static const char pk_xml[] =
    HEAD "<model id='pk'>"
    "<listOfCompartments>" COMP("gut", "1") COMP("central", "2") "</listOfCompartments>"
    "<listOfSpecies>"
        SPECIES("depot", "gut", "initialAmount='10'", "true")
        SPECIES("C", "central", "initialAmount='0'", "false")
    "</listOfSpecies>"
    "<listOfParameters>" PARAM("ka", "1.3") PARAM("ke", "0.25") "</listOfParameters>"
    "<listOfReactions>"
      "<reaction id='absorption' reversible='false'>"
        "<listOfReactants>" SREF("depot") "</listOfReactants>"
        "<listOfProducts>" SREF("C") "</listOfProducts>"
        "<kineticLaw>" MATH(AP("times", CI("ka") CI("depot"))) "</kineticLaw>"
      "</reaction>"
      SINK("elimination", "C", AP("times", CI("ke") CI("C") CI("central")))
    "</listOfReactions>"
    "</model></sbml>\n";

/* Outputs through a rule and concentrations in a compartment computed from the parameters:
 * central = CL / k (initial assignment), A (amount) and B (concentration) eliminated at k,
 * Cc = A / central (assignment rule). Closed form: Cc = 100 k / CL e^{-k t},
 * [B] = 50 k / CL e^{-k t}. */
static const char rule_xml[] =
    HEAD "<model id='rule'>"
    "<listOfCompartments><compartment id='central' spatialDimensions='3' constant='true'/>"
    "</listOfCompartments>"
    "<listOfSpecies>"
        SPECIES("A", "central", "initialAmount='100'", "true")
        SPECIES("B", "central", "initialAmount='50'", "false")
    "</listOfSpecies>"
    "<listOfParameters>" PARAM("CL", "0.5") PARAM("k", "0.2") VPARAM("Cc", "0")
    "</listOfParameters>"
    "<listOfInitialAssignments><initialAssignment symbol='central'>"
        MATH(AP("divide", CI("CL") CI("k"))) "</initialAssignment></listOfInitialAssignments>"
    "<listOfRules><assignmentRule variable='Cc'>" MATH(AP("divide", CI("A") CI("central")))
    "</assignmentRule></listOfRules>"
    "<listOfReactions>"
      SINK("elimA", "A", AP("divide", AP("times", CI("CL") CI("A")) CI("central")))
      SINK("elimB", "B", AP("times", CI("k") CI("B") CI("central")))
    "</listOfReactions>"
    "</model></sbml>\n";

/* Michaelis-Menten elimination of A (amount) from central (10): rate f Vmax C / (Km + C),
 * C = A / central (rule). A redose of 80 whenever C falls below 3 (a trigger on the state: its
 * time moves with every parameter), and at 8 h f (a parameter that is not a state) becomes
 * 4 / Vmax. */
static const char mm_xml[] =
    HEAD "<model id='mm'>"
    "<listOfCompartments>" COMP("central", "10") "</listOfCompartments>"
    "<listOfSpecies>" SPECIES("A", "central", "initialAmount='100'", "true") "</listOfSpecies>"
    "<listOfParameters>" PARAM("Vmax", "5") PARAM("Km", "2") VPARAM("f", "1") VPARAM("Conc", "0")
    "</listOfParameters>"
    "<listOfRules><assignmentRule variable='Conc'>" MATH(AP("divide", CI("A") CI("central")))
    "</assignmentRule></listOfRules>"
    "<listOfReactions>"
      SINK("elim", "A", AP("divide", AP("times", CI("f") CI("Vmax") CI("Conc"))
                                     AP("plus", CI("Km") CI("Conc"))))
    "</listOfReactions>"
    "<listOfEvents>"
      EVENT("id='redose' useValuesFromTriggerTime='false'", "true", "true",
            AP("lt", CI("Conc") CN("3")), ASSIGN("A", AP("plus", CI("A") CN("80"))))
      EVENT("id='switch' useValuesFromTriggerTime='false'", "false", "true",
            AP("geq", TIME CN("8")), ASSIGN("f", AP("divide", CN("4") CI("Vmax"))))
    "</listOfEvents>"
    "</model></sbml>\n";
/* clang-format on */

#define CHECK_TRUE(c) (void)mt_check_((c) != 0, __FILE__, __LINE__, "expected true: %s", #c)
#define CHECK_EQ_INT(a, b) (void)mt_eq_int_((a), (b), #a, #b, __FILE__, __LINE__)

typedef struct {
    mt_ctx *ctx;
    mt_model *m;
    mt_program *p;
    mt_sim *s;
} rig;

static int rig_setup(rig *g, mt_status st)
{
    if (st == MT_OK)
        st = mt_program_create(g->ctx, g->m, &g->p);
    if (st == MT_OK)
        st = mt_sim_create(g->ctx, g->p, &g->s);
    return mt_check_(st == MT_OK, __FILE__, __LINE__, "setup: %s: %s", mt_strerror(st),
                     mt_errmsg(g->ctx));
}

static int rig_open(rig *g, const char *xml)
{
    memset(g, 0, sizeof *g);
    if (!mt_check_(mt_ctx_create(&g->ctx) == MT_OK, __FILE__, __LINE__, "mt_ctx_create"))
        return 0;
    return rig_setup(g, mt_model_load_string(g->ctx, xml, strlen(xml), NULL, &g->m));
}

/* data/models/NAME from $MT_SOURCE_DIR (ctest), else the current or a parent directory. */
static int rig_open_file(rig *g, const char *name)
{
    memset(g, 0, sizeof *g);
    if (!mt_check_(mt_ctx_create(&g->ctx) == MT_OK, __FILE__, __LINE__, "mt_ctx_create"))
        return 0;
    const char *src = getenv("MT_SOURCE_DIR");
    const char *dirs[] = {src && *src ? src : ".", ".", "..", "../.."};
    char path[1024];
    for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
        snprintf(path, sizeof path, "%s/data/models/%s", dirs[i], name);
        FILE *f = fopen(path, "r");
        if (f) {
            fclose(f);
            return rig_setup(g, mt_model_load_file(g->ctx, path, &g->m));
        }
    }
    return mt_check_(0, __FILE__, __LINE__, "data/models/%s not found", name);
}

static void rig_close(rig *g)
{
    mt_sim_destroy(g->s);
    mt_program_destroy(g->p);
    mt_model_destroy(g->m);
    mt_ctx_destroy(g->ctx);
    memset(g, 0, sizeof *g);
}

#define RIG_OPEN(g, xml) MT_RET_(rig_open(&(g), (xml)) || (rig_close(&(g)), 0))

static int add_outputs(rig *g, const char *const *ids, const mt_report *how, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!mt_check_(mt_sim_add_output(g->s, ids[i], how ? how[i] : MT_REPORT_DEFAULT) == MT_OK,
                       __FILE__, __LINE__, "add_output %s: %s", ids[i], mt_errmsg(g->ctx)))
            return 0;
    return 1;
}

/* The parameters' indices (mt_sim_find), all found. */
static int find_all(rig *g, const char *const *ids, int *par, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        par[i] = mt_sim_find(g->s, ids[i]);
        if (!mt_check_(par[i] >= 0, __FILE__, __LINE__, "mt_sim_find %s", ids[i]))
            return 0;
    }
    return 1;
}

/* A sensitivity run: values (n_times x n_out) and sens (n_times x n_out x n_par), malloc'd. */
static int run_sens(rig *g, const mt_sim_dose *d, size_t nd, const double *times, size_t nt,
                    const int *par, size_t np, size_t nout, double **val, double **sens)
{
    *val = malloc(nt * nout * sizeof **val);
    *sens = malloc(nt * nout * np * sizeof **sens);
    mt_result *r = NULL;
    mt_status st = *val && *sens
                       ? mt_sim_run_doses_sens(g->s, 0.0, d, nd, times, nt, par, np, &r, *sens)
                       : MT_ENOMEM;
    int ok = mt_check_(st == MT_OK && r && mt_result_n_cols(r) == nout, __FILE__, __LINE__,
                       "mt_sim_run_doses_sens: %s: %s", mt_strerror(st), mt_errmsg(g->ctx));
    if (ok)
        memcpy(*val, mt_result_data(r), nt * nout * sizeof **val);
    mt_result_destroy(r);
    return ok;
}

/* Central finite differences of mt_sim_run_doses wrt the value of index idx (nominal value
 * v): fd[k * nout + j], step 1e-4 |v|. The override is removed afterwards. */
static int run_fd(rig *g, const mt_sim_dose *d, size_t nd, const double *times, size_t nt, int idx,
                  double v, size_t nout, double *fd)
{
    double h = 1e-4 * (v != 0 ? fabs(v) : 1.0);
    for (int sgn = -1; sgn <= 1; sgn += 2) {
        mt_result *r = NULL;
        mt_status st = mt_sim_set_value_at(g->s, idx, v + sgn * h);
        if (st == MT_OK)
            st = mt_sim_run_doses(g->s, 0.0, d, nd, times, nt, &r);
        mt_sim_clear_values(g->s);
        if (!mt_check_(st == MT_OK && r, __FILE__, __LINE__, "fd run: %s", mt_errmsg(g->ctx))) {
            mt_result_destroy(r);
            return 0;
        }
        const double *x = mt_result_data(r);
        for (size_t q = 0; q < nt * nout; q++)
            fd[q] = sgn < 0 ? -x[q] : (fd[q] + x[q]) / (2 * h);
        mt_result_destroy(r);
    }
    return 1;
}

/* Compares sensitivities with finite differences, parameter by parameter (values[i] the
 * nominal values, val the outputs): |sens - fd| <= rel * scale, scale the largest |fd| of that
 * output and parameter, at least 0.1 * max |output| / |p| (a derivative that is zero is
 * compared with the finite differences' noise, about rtol * max |output| / (1e-4 |p|)). Returns the
 * largest |sens - fd| / scale, or -1 after a failure. */
static double vs_fd(rig *g, const mt_sim_dose *d, size_t nd, const double *times, size_t nt,
                    const int *par, const double *values, size_t np, size_t nout, const double *val,
                    const double *sens, double rel, const char *what)
{
    double *fd = malloc(nt * nout * sizeof *fd), worst = 0;
    if (!mt_check_(fd != NULL, __FILE__, __LINE__, "malloc"))
        return -1;
    for (size_t i = 0; i < np; i++) {
        if (!run_fd(g, d, nd, times, nt, par[i], values[i], nout, fd)) {
            free(fd);
            return -1;
        }
        for (size_t j = 0; j < nout; j++) {
            double scale = 0, vmax = 0;
            for (size_t k = 0; k < nt; k++) {
                scale = fmax(scale, fabs(fd[k * nout + j]));
                vmax = fmax(vmax, fabs(val[k * nout + j]));
            }
            scale = fmax(scale, 0.1 * vmax / (values[i] != 0 ? fabs(values[i]) : 1.0));
            if (scale == 0)
                scale = 1e-300;
            for (size_t k = 0; k < nt; k++) {
                double a = sens[(k * nout + j) * np + i], b = fd[k * nout + j];
                double e = fabs(a - b) / scale;
                worst = fmax(worst, e);
                if (!mt_check_(e <= rel, __FILE__, __LINE__,
                               "%s: d out %zu / d par %zu at t=%g: sens %.12g, fd %.12g (err %.3g "
                               "of %.3g)",
                               what, j, i, times[k], a, b, e, scale)) {
                    free(fd);
                    return -1;
                }
            }
        }
    }
    free(fd);
    return worst;
}

/* ---------- (1) closed form ---------- */

TEST(pk_closed_form)
{
    rig g;
    RIG_OPEN(g, pk_xml);
    static const char *const out_ids[] = {"depot", "C"};
    static const char *const par_ids[] = {"ka", "ke", "central", "depot"};
    int par[4];
    double *val = NULL, *sens = NULL;
    const double times[] = {0.0, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 8.0, 12.0, 24.0};
    size_t nt = sizeof times / sizeof *times;
    if (add_outputs(&g, out_ids, NULL, 2) && find_all(&g, par_ids, par, 4) &&
        mt_check_(mt_sim_set_tolerances(g.s, 1e-10, 1e-14) == MT_OK, __FILE__, __LINE__, "tol") &&
        run_sens(&g, NULL, 0, times, nt, par, 4, 2, &val, &sens)) {
        const double ka = 1.3, ke = 0.25, V = 2.0, D = 10.0;
        double worst = 0;
        for (size_t k = 0; k < nt && !mt_test_failed_; k++) {
            double t = times[k], ea = exp(-ka * t), ee = exp(-ke * t), c = ka / (ka - ke);
            double C = D / V * c * (ee - ea);
            double want[2][4] = {{-t * D * ea, 0.0, 0.0, ea},
                                 {D / V * (-ke / ((ka - ke) * (ka - ke)) * (ee - ea) + c * t * ea),
                                  D / V * (ka / ((ka - ke) * (ka - ke)) * (ee - ea) - c * t * ee),
                                  -C / V, C / D}};
            for (size_t j = 0; j < 2; j++)
                for (size_t i = 0; i < 4; i++) {
                    double got = sens[(k * 2 + j) * 4 + i], w = want[j][i];
                    double e = fabs(got - w) / fmax(fabs(w), 1e-3);
                    worst = fmax(worst, e);
                    mt_check_(e <= 1e-6, __FILE__, __LINE__,
                              "d %s / d %s at t=%g: got %.15g, want %.15g (rel %.3g)", out_ids[j],
                              par_ids[i], t, got, w, e);
                }
        }
        printf("# pk closed form: max rel err %.3g (rtol 1e-10)\n", worst);
    }
    free(val);
    free(sens);
    rig_close(&g);
}

/* ---------- (2) the bundled model ---------- */

TEST(pk_oral_1cpt_file)
{
    rig g;
    MT_RET_(rig_open_file(&g, "pk_oral_1cpt.xml") || (rig_close(&g), 0));
    static const char *const out_ids[] = {"C", "depot"};
    static const char *const par_ids[] = {"lKe", "lKa", "lCl", "dose"};
    const double values[] = {-2.43267, 0.45141, -3.21445, 4.02};
    int par[4];
    double *val = NULL, *sens = NULL;
    const double times[] = {0.0, 0.5, 1.0, 2.0, 4.0, 8.0, 11.9, 12.5, 13.0, 16.0, 24.0, 36.0};
    size_t nt = sizeof times / sizeof *times;
    if (add_outputs(&g, out_ids, NULL, 2) && find_all(&g, par_ids, par, 4) &&
        mt_check_(mt_sim_set_tolerances(g.s, 1e-11, 1e-14) == MT_OK, __FILE__, __LINE__, "tol") &&
        run_sens(&g, NULL, 0, times, nt, par, 4, 2, &val, &sens)) {
        /* the second dose at 12 h: d depot / d dose jumps from e^{-ka 11.9} to about
         * e^{-ka 0.5} */
        CHECK_TRUE(sens[(6 * 2 + 1) * 4 + 3] < 1e-5 && sens[(7 * 2 + 1) * 4 + 3] > 0.4);
        double worst = vs_fd(&g, NULL, 0, times, nt, par, values, 4, 2, val, sens, 1e-5, "pk file");
        if (worst >= 0)
            printf("# pk_oral_1cpt.xml vs finite differences: max rel err %.3g\n", worst);
    }
    free(val);
    free(sens);
    rig_close(&g);
}

/* ---------- (3) doses by the API ---------- */

TEST(bolus_and_infusion)
{
    rig g;
    RIG_OPEN(g, pk_xml);
    static const char *const out_ids[] = {"depot", "C", "C"};
    const mt_report how[] = {MT_REPORT_DEFAULT, MT_REPORT_DEFAULT, MT_REPORT_AMOUNT};
    static const char *const par_ids[] = {"ka", "ke", "central", "depot"};
    const double values[] = {1.3, 0.25, 2.0, 10.0};
    int par[4];
    double *val = NULL, *sens = NULL;
    int depot = mt_sim_find_dose_target(g.s, "depot"), c = mt_sim_find_dose_target(g.s, "C");
    mt_sim_dose d[] = {{3.0, depot, 4.0, 0.0}, {5.0, c, 6.0, 2.0}, {9.5, depot, 2.0, 0.0}};
    const double times[] = {0.0, 0.7, 3.0, 3.0, 4.2, 5.0, 6.1, 7.0, 9.5, 12.0, 24.0};
    size_t nt = sizeof times / sizeof *times;
    if (add_outputs(&g, out_ids, how, 3) && find_all(&g, par_ids, par, 4) &&
        mt_check_(mt_sim_set_tolerances(g.s, 1e-11, 1e-14) == MT_OK, __FILE__, __LINE__, "tol") &&
        run_sens(&g, d, 3, times, nt, par, 4, 3, &val, &sens)) {
        double worst = vs_fd(&g, d, 3, times, nt, par, values, 4, 3, val, sens, 1e-5, "doses");
        if (worst >= 0)
            printf("# bolus + infusion vs finite differences: max rel err %.3g\n", worst);
        /* the same values as mt_sim_run_doses */
        mt_result *r = NULL;
        CHECK_TRUE(mt_sim_run_doses(g.s, 0.0, d, 3, times, nt, &r) == MT_OK);
        for (size_t q = 0; r && q < nt * 3; q++)
            CHECK_TRUE(fabs(mt_result_data(r)[q] - val[q]) <= 1e-8 * (1 + fabs(val[q])));
        mt_result_destroy(r);
    }
    free(val);
    free(sens);
    rig_close(&g);
}

/* ---------- (4) rule and concentration outputs ---------- */

TEST(rule_and_concentration_outputs)
{
    rig g;
    RIG_OPEN(g, rule_xml);
    static const char *const out_ids[] = {"Cc", "B", "B"};
    const mt_report how[] = {MT_REPORT_DEFAULT, MT_REPORT_DEFAULT, MT_REPORT_AMOUNT};
    static const char *const par_ids[] = {"CL", "k"};
    const double values[] = {0.5, 0.2};
    int par[2];
    double *val = NULL, *sens = NULL;
    const double times[] = {0.0, 1.0, 2.5, 5.0, 10.0, 20.0};
    size_t nt = sizeof times / sizeof *times;
    if (add_outputs(&g, out_ids, how, 3) && find_all(&g, par_ids, par, 2) &&
        mt_check_(mt_sim_set_tolerances(g.s, 1e-11, 1e-14) == MT_OK, __FILE__, __LINE__, "tol") &&
        run_sens(&g, NULL, 0, times, nt, par, 2, 3, &val, &sens)) {
        double worst = 0;
        for (size_t k = 0; k < nt; k++) {
            double t = times[k], cl = 0.5, kk = 0.2, e = exp(-kk * t);
            double cc = 100 * kk / cl * e, cb = 50 * kk / cl * e, ab = 50 * e;
            double want[3][2] = {
                {-cc / cl, cc * (1 / kk - t)}, {-cb / cl, cb * (1 / kk - t)}, {0.0, -t * ab}};
            for (size_t j = 0; j < 3; j++)
                for (size_t i = 0; i < 2; i++) {
                    /* relative, or absolute below 1 (d Cc / d k crosses zero at 5 h) */
                    double got = sens[(k * 3 + j) * 2 + i], w = want[j][i];
                    double err = fabs(got - w) / fmax(fabs(w), 1.0);
                    worst = fmax(worst, err);
                    mt_check_(err <= 1e-6, __FILE__, __LINE__,
                              "rule model: d out %zu / d %s at t=%g: got %.15g, want %.15g", j,
                              par_ids[i], t, got, w);
                }
        }
        double w2 = vs_fd(&g, NULL, 0, times, nt, par, values, 2, 3, val, sens, 1e-5, "rule");
        if (w2 >= 0)
            printf("# rule/concentration outputs: closed form max rel err %.3g, finite "
                   "differences %.3g\n",
                   worst, w2);
    }
    free(val);
    free(sens);
    rig_close(&g);
}

/* ---------- (5) nonlinear, state-dependent event, discrete parameter ---------- */

static double mm_case(rig *g, const char *label, const int *par, const double *values)
{
    const double times[] = {0.0, 2.0, 5.0, 7.9, 10.0, 15.0, 20.0, 25.0, 30.0, 40.0};
    size_t nt = sizeof times / sizeof *times;
    double *val = NULL, *sens = NULL, worst = -1;
    if (run_sens(g, NULL, 0, times, nt, par, 4, 2, &val, &sens))
        worst = vs_fd(g, NULL, 0, times, nt, par, values, 4, 2, val, sens, 1e-5, label);
    free(val);
    free(sens);
    return worst;
}

TEST(michaelis_menten_events)
{
    rig g;
    RIG_OPEN(g, mm_xml);
    static const char *const out_ids[] = {"A", "Conc"};
    static const char *const par_ids[] = {"Vmax", "Km", "central", "A"};
    const double values[] = {5.0, 2.0, 10.0, 100.0};
    int par[4];
    if (add_outputs(&g, out_ids, NULL, 2) && find_all(&g, par_ids, par, 4) &&
        mt_check_(mt_sim_set_tolerances(g.s, 1e-11, 1e-14) == MT_OK, __FILE__, __LINE__, "tol")) {
        /* first on a fresh workspace (the solver reports the comparison's root one stop
         * before the trigger's there) */
        double w1 = mm_case(&g, "mm native", par, values);
        /* the redose happens (C from 10 falls below 3 at about 21.5 h) */
        mt_result *r = NULL;
        const double tt[] = {21.0, 22.0};
        CHECK_TRUE(mt_sim_run_doses(g.s, 0.0, NULL, 0, tt, 2, &r) == MT_OK);
        CHECK_TRUE(r && mt_result_value(r, 1, 0) > mt_result_value(r, 0, 0));
        mt_sim_set_native(g.s, 0);
        double w2 = mm_case(&g, "mm vm", par, values);
        mt_sim_set_jacobian(g.s, 0);
        double w3 = mm_case(&g, "mm dq jacobian", par, values);
        if (w1 >= 0 && w2 >= 0 && w3 >= 0)
            printf("# Michaelis-Menten + events vs finite differences: max rel err %.3g (native), "
                   "%.3g (vm), %.3g (no analytic Jacobian)\n",
                   w1, w2, w3);
        mt_result_destroy(r);
    }
    rig_close(&g);
}

/* ---------- (6) errors, n_par 0, plain runs afterwards ---------- */

TEST(errors_and_reuse)
{
    rig g;
    RIG_OPEN(g, rule_xml);
    static const char *const out_ids[] = {"Cc", "B"};
    const double times[] = {0.0, 1.0, 5.0};
    double sens[3 * 2];
    mt_result *r = NULL, *r0 = NULL;
    if (!add_outputs(&g, out_ids, NULL, 2)) {
        rig_close(&g);
        return;
    }
    int k = mt_sim_find(g.s, "k");
    CHECK_EQ_INT(mt_sim_set_tolerances(g.s, 1e-10, 1e-14), MT_OK);
    CHECK_EQ_INT(mt_sim_find(g.s, "Cc"), -2);
    int bad[] = {k, -2};
    CHECK_EQ_INT(mt_sim_run_doses_sens(g.s, 0.0, NULL, 0, times, 3, bad, 2, &r, sens), MT_EINVAL);
    CHECK_TRUE(r == NULL && strstr(mt_errmsg(g.ctx), "sensitivity parameter 1") != NULL);
    int far[] = {100000};
    CHECK_EQ_INT(mt_sim_run_doses_sens(g.s, 0.0, NULL, 0, times, 3, far, 1, &r, sens), MT_EINVAL);
    CHECK_EQ_INT(mt_sim_run_doses_sens(g.s, 0.0, NULL, 0, times, 3, &k, 1, &r, NULL), MT_EINVAL);
    const double back[] = {1.0, 0.5};
    CHECK_EQ_INT(mt_sim_run_doses_sens(g.s, 0.0, NULL, 0, back, 2, &k, 1, &r, sens), MT_EINVAL);
    CHECK_TRUE(r == NULL);
    /* n_par 0: mt_sim_run_doses, bit for bit; a plain run after a sensitivity run too */
    CHECK_TRUE(mt_sim_run_doses(g.s, 0.0, NULL, 0, times, 3, &r0) == MT_OK);
    CHECK_TRUE(mt_sim_run_doses_sens(g.s, 0.0, NULL, 0, times, 3, NULL, 0, &r, NULL) == MT_OK);
    for (size_t q = 0; r && r0 && q < 6; q++)
        CHECK_TRUE(mt_result_data(r)[q] == mt_result_data(r0)[q]);
    mt_result_destroy(r);
    r = NULL;
    int two[] = {k, mt_sim_find(g.s, "CL")};
    double sens2[3 * 2 * 2];
    CHECK_TRUE(mt_sim_run_doses_sens(g.s, 0.0, NULL, 0, times, 3, two, 2, &r, sens2) == MT_OK);
    mt_result_destroy(r);
    r = NULL;
    /* another number of parameters on the same solver memory */
    CHECK_TRUE(mt_sim_run_doses_sens(g.s, 0.0, NULL, 0, times, 3, &k, 1, &r, sens) == MT_OK);
    mt_result_destroy(r);
    r = NULL;
    for (size_t q = 0; q < 6; q++)
        mt_check_(fabs(sens[q] - sens2[2 * q]) <= 1e-7 * (200 + fabs(sens[q])), __FILE__, __LINE__,
                  "%zu: %.12g vs %.12g", q, sens[q], sens2[2 * q]);
    CHECK_TRUE(mt_sim_run_doses(g.s, 0.0, NULL, 0, times, 3, &r) == MT_OK);
    for (size_t q = 0; r && r0 && q < 6; q++)
        CHECK_TRUE(mt_result_data(r)[q] == mt_result_data(r0)[q]);
    mt_result_destroy(r);
    r = NULL;
    /* the exact linear path is still taken by plain runs */
    CHECK_TRUE(mt_sim_run(g.s, 0.0, 5.0, 5, &r) == MT_OK);
    CHECK_EQ_INT(mt_sim_last_path(g.s), MT_PATH_EXACT);
    mt_result_destroy(r);
    mt_result_destroy(r0);
    rig_close(&g);
}

TEST_MAIN(TEST_ENTRY(pk_closed_form), TEST_ENTRY(pk_oral_1cpt_file), TEST_ENTRY(bolus_and_infusion),
          TEST_ENTRY(rule_and_concentration_outputs), TEST_ENTRY(michaelis_menten_events),
          TEST_ENTRY(errors_and_reuse))
