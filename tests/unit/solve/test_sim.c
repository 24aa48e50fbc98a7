/* SPDX-License-Identifier: Apache-2.0
 *
 * tests/unit/solve/test_sim.c — simulation through the public API only
 * (medtwin.h), on SBML documents embedded below, against values computed
 * here by hand:
 *   - one-compartment oral PK (first-order absorption and elimination) vs
 *     its closed form; a second dose by an event (superposition); BDF and
 *     Adams agree;
 *   - a delayed event with useValuesFromTriggerTime true vs false; event
 *     priorities; a non-persistent delayed event cancelled when its trigger
 *     falls;
 *   - overrides of a parameter and of a concentration species, and
 *     workspace reuse (a later run without overrides is bit-identical);
 *   - amount vs concentration reporting;
 *   - errors: unknown ids, bad arguments, invalid SBML, unsupported
 *     constructs;
 *   - a comp model with one submodel instantiated twice;
 *   - delay(): x' = -x(t - 1) against its solution by the method of steps, delays of a
 *     rule of time before the start and of zero, a delay in an event trigger, the model
 *     written back to SBML and read again, and sensitivities refused.
 */
#include "harness.h"
#include "medtwin/medtwin.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---------- SBML text helpers (single-quoted attributes) ---------- */

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
#define RATE_RULE(v, m) "<rateRule variable='" v "'>" MATH(m) "</rateRule>"
/* An event: attributes, trigger initialValue and persistent, trigger math,
 * extra elements (delay, priority), event assignments. */
#define EVENT(attrs, init, persist, trig, extra, body)                                             \
    "<event " attrs "><trigger initialValue='" init "' persistent='" persist "'>" MATH(trig)       \
    "</trigger>" extra "<listOfEventAssignments>" body "</listOfEventAssignments></event>"
#define ASSIGN(v, m) "<eventAssignment variable='" v "'>" MATH(m) "</eventAssignment>"
#define DELAY(m) "<delay>" MATH(m) "</delay>"
#define PRIORITY(m) "<priority>" MATH(m) "</priority>"

/* One-compartment oral PK: depot (amount, in gut) -> C (concentration, in
 * central of size 2) -> out; ka = 1.3 /h, ke = 0.25 /h, dose 10. The
 * elimination rate is ke * amount = ke * C * central. */
#define PK_MODEL(events)                                                                           \
    HEAD "<model id='pk'>"                                                                         \
    "<listOfCompartments>" COMP("gut", "1") COMP("central", "2") "</listOfCompartments>"           \
    "<listOfSpecies>"                                                                              \
        SPECIES("depot", "gut", "initialAmount='10'", "true")                                      \
        SPECIES("C", "central", "initialAmount='0'", "false")                                      \
    "</listOfSpecies>"                                                                             \
    "<listOfParameters>" PARAM("ka", "1.3") PARAM("ke", "0.25") "</listOfParameters>"              \
    "<listOfReactions>"                                                                            \
      "<reaction id='absorption' reversible='false'>"                                              \
        "<listOfReactants>" SREF("depot") "</listOfReactants>"                                     \
        "<listOfProducts>" SREF("C") "</listOfProducts>"                                           \
        "<kineticLaw>" MATH(AP("times", CI("ka") CI("depot"))) "</kineticLaw>"                     \
      "</reaction>"                                                                                \
      "<reaction id='elimination' reversible='false'>"                                             \
        "<listOfReactants>" SREF("C") "</listOfReactants>"                                         \
        "<kineticLaw>" MATH(AP("times", CI("ke") CI("C") CI("central"))) "</kineticLaw>"           \
      "</reaction>"                                                                                \
    "</listOfReactions>"                                                                           \
    events                                                                                         \
    "</model></sbml>\n"
/* clang-format on */

static const double KA = 1.3, KE = 0.25, V = 2.0, DOSE = 10.0;

/* Closed form: a dose D given into the depot at time 0. */
static double depot_cf(double t, double d, double ka) { return t < 0 ? 0.0 : d * exp(-ka * t); }
static double amount_cf(double t, double d, double ka, double ke)
{
    return t < 0 ? 0.0 : d * ka / (ka - ke) * (exp(-ke * t) - exp(-ka * t));
}

/* ---------- API helpers ---------- */

/* Checks that record a failure and go on, so that a failing case still
 * releases what it holds (the ASan build reports leaks). */
#define CHECK_TRUE(c) (void)mt_check_((c) != 0, __FILE__, __LINE__, "expected true: %s", #c)
#define CHECK_EQ_INT(a, b) (void)mt_eq_int_((a), (b), #a, #b, __FILE__, __LINE__)
#define CHECK_NEAR(a, b, tol) (void)mt_near_((a), (b), (tol), #a, #b, __FILE__, __LINE__)
#define CHECK_STR_EQ(a, b) (void)mt_str_eq_((a), (b), #a, #b, __FILE__, __LINE__)

typedef struct {
    mt_ctx *ctx;
    mt_model *m;
    mt_program *p;
    mt_sim *s;
} rig;

static int rig_open(rig *g, const char *xml)
{
    memset(g, 0, sizeof *g);
    if (!mt_check_(mt_ctx_create(&g->ctx) == MT_OK, __FILE__, __LINE__, "mt_ctx_create"))
        return 0;
    mt_status st = mt_model_load_string(g->ctx, xml, strlen(xml), NULL, &g->m);
    if (st == MT_OK)
        st = mt_program_create(g->ctx, g->m, &g->p);
    if (st == MT_OK)
        st = mt_sim_create(g->ctx, g->p, &g->s);
    return mt_check_(st == MT_OK, __FILE__, __LINE__, "setup: %s: %s", mt_strerror(st),
                     mt_errmsg(g->ctx));
}

static void rig_close(rig *g)
{
    mt_sim_destroy(g->s);
    mt_program_destroy(g->p);
    mt_model_destroy(g->m);
    mt_ctx_destroy(g->ctx);
    memset(g, 0, sizeof *g);
}

static int outputs(rig *g, const char *const *ids, const mt_report *how, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        mt_status st = mt_sim_add_output(g->s, ids[i], how ? how[i] : MT_REPORT_DEFAULT);
        if (!mt_check_(st == MT_OK, __FILE__, __LINE__, "add_output %s: %s", ids[i],
                       mt_errmsg(g->ctx)))
            return 0;
    }
    return 1;
}

static mt_result *run(rig *g, double t0, double t1, long n)
{
    mt_result *r = NULL;
    mt_status st = mt_sim_run(g->s, t0, t1, n, &r);
    if (!mt_check_(st == MT_OK && r, __FILE__, __LINE__, "mt_sim_run: %s: %s", mt_strerror(st),
                   mt_errmsg(g->ctx)))
        return NULL;
    if (!mt_check_(mt_result_n_rows(r) == (size_t)n + 1, __FILE__, __LINE__, "%zu rows, want %ld",
                   mt_result_n_rows(r), n + 1)) {
        mt_result_destroy(r);
        return NULL;
    }
    return r;
}

/* |got - want| <= rel |want| + abs */
static int close_to(double got, double want, double rel, double abs_, const char *what, double t)
{
    return mt_check_(fabs(got - want) <= rel * fabs(want) + abs_, __FILE__, __LINE__,
                     "%s at t=%g: got %.15g, want %.15g (rel err %.3g)", what, t, got, want,
                     want != 0 ? fabs(got - want) / fabs(want) : fabs(got - want));
}

#define RIG_OPEN(g, xml) MT_RET_(rig_open(&(g), (xml)) || (rig_close(&(g)), 0))

/* ---------- (a) closed form, (i) BDF vs Adams ---------- */

static const char pk_xml[] = PK_MODEL("");

/* Runs the PK model 0..24 h in 48 steps; columns depot, C, C as amount. */
static mt_result *pk_run(rig *g, mt_method method)
{
    static const char *const ids[] = {"depot", "C", "C"};
    static const mt_report how[] = {MT_REPORT_DEFAULT, MT_REPORT_DEFAULT, MT_REPORT_AMOUNT};
    if (!outputs(g, ids, how, 3))
        return NULL;
    if (!mt_check_(mt_sim_set_tolerances(g->s, 1e-9, 1e-14) == MT_OK &&
                       mt_sim_set_method(g->s, method) == MT_OK,
                   __FILE__, __LINE__, "settings: %s", mt_errmsg(g->ctx)))
        return NULL;
    return run(g, 0.0, 24.0, 48);
}

TEST(pk_closed_form)
{
    rig g;
    RIG_OPEN(g, pk_xml);
    size_t i = 0;
    CHECK_EQ_INT(mt_model_find(g.m, "C", &i), MT_OK);
    CHECK_EQ_INT(mt_model_symbol_kind(g.m, i), MT_SYM_SPECIES);
    CHECK_EQ_INT(mt_model_n_states(g.m), 2);
    mt_result *r = pk_run(&g, MT_METHOD_BDF);
    if (r) {
        CHECK_EQ_INT(mt_result_n_cols(r), 3);
        CHECK_STR_EQ(mt_result_col_id(r, 0), "depot");
        CHECK_STR_EQ(mt_result_col_id(r, 1), "C");
        for (size_t k = 0; k < mt_result_n_rows(r) && !mt_test_failed_; k++) {
            double t = mt_result_time(r, k);
            close_to(t, 0.5 * (double)k, 1e-15, 0.0, "time", t);
            double a = amount_cf(t, DOSE, KA, KE);
            close_to(mt_result_value(r, k, 0), depot_cf(t, DOSE, KA), 1e-6, 1e-12, "depot", t);
            close_to(mt_result_value(r, k, 1), a / V, 1e-6, 1e-12, "C", t);
            close_to(mt_result_value(r, k, 2), a, 1e-6, 1e-12, "C amount", t);
            /* the row-major matrix is the same data */
            CHECK_TRUE(mt_result_data(r)[k * 3 + 1] == mt_result_value(r, k, 1));
        }
        /* the peak of the closed form, t_max = ln(ka/ke) / (ka - ke) = 1.74 h, shows */
        double tmax = log(KA / KE) / (KA - KE);
        CHECK_TRUE(tmax > 1.5 && tmax < 2.0);
        CHECK_TRUE(mt_result_value(r, 3, 1) > mt_result_value(r, 2, 1));
        CHECK_TRUE(mt_result_value(r, 3, 1) > mt_result_value(r, 5, 1));
        mt_result_destroy(r);
    }
    rig_close(&g);
}

TEST(default_outputs)
{
    rig g;
    RIG_OPEN(g, pk_xml);
    /* no add_output: every species (constant parameters and compartments are left out) */
    mt_result *r = run(&g, 0.0, 1.0, 2);
    if (r) {
        CHECK_EQ_INT(mt_result_n_cols(r), 2);
        CHECK_STR_EQ(mt_result_col_id(r, 0), "depot");
        CHECK_STR_EQ(mt_result_col_id(r, 1), "C");
        CHECK_NEAR(mt_result_value(r, 0, 0), 10.0, 0.0);
        mt_result_destroy(r);
    }
    rig_close(&g);
}

TEST(bdf_and_adams_agree)
{
    rig g1, g2;
    RIG_OPEN(g1, pk_xml);
    if (!rig_open(&g2, pk_xml)) {
        rig_close(&g1);
        rig_close(&g2);
        return;
    }
    mt_result *a = pk_run(&g1, MT_METHOD_BDF);
    mt_result *b = pk_run(&g2, MT_METHOD_ADAMS);
    if (a && b) {
        for (size_t k = 0; k < mt_result_n_rows(a) && !mt_test_failed_; k++)
            for (size_t j = 0; j < 3; j++)
                close_to(mt_result_value(b, k, j), mt_result_value(a, k, j), 1e-6, 1e-12,
                         j == 0 ? "adams depot" : "adams C", mt_result_time(a, k));
        /* and Adams alone is right too */
        for (size_t k = 0; k < mt_result_n_rows(b) && !mt_test_failed_; k++) {
            double t = mt_result_time(b, k);
            close_to(mt_result_value(b, k, 1), amount_cf(t, DOSE, KA, KE) / V, 1e-6, 1e-12,
                     "adams C vs closed form", t);
        }
    }
    mt_result_destroy(a);
    mt_result_destroy(b);
    rig_close(&g1);
    rig_close(&g2);
}

/* ---------- (b) a second dose by an event ---------- */

/* clang-format off */
static const char pk_dose_xml[] = PK_MODEL(
    "<listOfEvents>"
      EVENT("id='dose2' useValuesFromTriggerTime='true'", "false", "true",
            AP("geq", TIME CN("2")), "",
            ASSIGN("depot", AP("plus", CI("depot") CN("5"))))
    "</listOfEvents>");
/* clang-format on */

TEST(event_dose_superposition)
{
    rig g;
    RIG_OPEN(g, pk_dose_xml);
    static const char *const ids[] = {"depot", "C"};
    CHECK_EQ_INT(mt_model_n_events(g.m), 1);
    mt_result *r = NULL;
    if (outputs(&g, ids, NULL, 2) && mt_sim_set_tolerances(g.s, 1e-9, 1e-14) == MT_OK)
        r = run(&g, 0.0, 10.0, 40); /* t = 2 is row 8 */
    if (r) {
        for (size_t k = 0; k < mt_result_n_rows(r) && !mt_test_failed_; k++) {
            double t = mt_result_time(r, k);
            /* at t = 2 itself the output shows the state after the event */
            double dep = depot_cf(t, DOSE, KA) + depot_cf(t - 2.0, 5.0, KA);
            double c = (amount_cf(t, DOSE, KA, KE) + amount_cf(t - 2.0, 5.0, KA, KE)) / V;
            close_to(mt_result_value(r, k, 0), dep, 1e-6, 1e-12, "depot", t);
            close_to(mt_result_value(r, k, 1), c, 1e-6, 1e-12, "C", t);
        }
        CHECK_NEAR(mt_result_time(r, 8), 2.0, 0.0);
        /* the jump: just before 2 the depot holds only the first dose */
        CHECK_TRUE(mt_result_value(r, 8, 0) - mt_result_value(r, 7, 0) > 4.0);
        mt_result_destroy(r);
    }
    rig_close(&g);
}

/* ---------- (c) delayed events, trigger-time values ---------- */

/* x' = 1 (x = t); at t = 1 two events trigger, each with delay 1.5: e_trig
 * (useValuesFromTriggerTime true) sets y1 = x, e_exec (false) sets y2 = x.
 * z1' = y1 and z2' = y2 integrate the results. */
/* clang-format off */
static const char delay_xml[] =
    HEAD "<model id='delays'>"
    "<listOfParameters>"
      VPARAM("x", "0") VPARAM("y1", "0") VPARAM("y2", "0") VPARAM("z1", "0") VPARAM("z2", "0")
    "</listOfParameters>"
    "<listOfRules>"
      RATE_RULE("x", CN("1")) RATE_RULE("z1", CI("y1")) RATE_RULE("z2", CI("y2"))
    "</listOfRules>"
    "<listOfEvents>"
      EVENT("id='e_trig' useValuesFromTriggerTime='true'", "false", "true",
            AP("geq", TIME CN("1")), DELAY(CN("1.5")), ASSIGN("y1", CI("x")))
      EVENT("id='e_exec' useValuesFromTriggerTime='false'", "false", "true",
            AP("geq", TIME CN("1")), DELAY(CN("1.5")), ASSIGN("y2", CI("x")))
    "</listOfEvents>"
    "</model></sbml>\n";
/* clang-format on */

TEST(delayed_event_trigger_values)
{
    rig g;
    RIG_OPEN(g, delay_xml);
    static const char *const ids[] = {"x", "y1", "y2", "z1", "z2"};
    mt_result *r = NULL;
    if (outputs(&g, ids, NULL, 5) && mt_sim_set_tolerances(g.s, 1e-10, 1e-12) == MT_OK)
        r = run(&g, 0.0, 4.0, 8); /* every 0.5: 2.5 is row 5 */
    if (r) {
        for (size_t k = 0; k < mt_result_n_rows(r) && !mt_test_failed_; k++) {
            double t = mt_result_time(r, k);
            int done = t >= 2.5;
            double y1 = done ? 1.0 : 0.0; /* x at the trigger time 1 */
            double y2 = done ? 2.5 : 0.0; /* x at the execution time 2.5 */
            close_to(mt_result_value(r, k, 0), t, 1e-9, 1e-12, "x", t);
            close_to(mt_result_value(r, k, 1), y1, 1e-9, 1e-12, "y1", t);
            close_to(mt_result_value(r, k, 2), y2, 1e-9, 1e-12, "y2", t);
            close_to(mt_result_value(r, k, 3), y1 * (t - 2.5), 1e-7, 1e-9, "z1", t);
            close_to(mt_result_value(r, k, 4), y2 * (t - 2.5), 1e-7, 1e-9, "z2", t);
        }
        mt_result_destroy(r);
    }
    /* an output grid that does not contain 2.5: the events still execute at 2.5 */
    r = run(&g, 0.0, 4.0, 5); /* 0, 0.8, 1.6, 2.4, 3.2, 4.0 */
    if (r) {
        CHECK_NEAR(mt_result_value(r, 3, 1), 0.0, 0.0);
        close_to(mt_result_value(r, 5, 3), 1.0 * 1.5, 1e-7, 1e-9, "z1(4)", 4.0);
        close_to(mt_result_value(r, 5, 4), 2.5 * 1.5, 1e-7, 1e-9, "z2(4)", 4.0);
        mt_result_destroy(r);
    }
    rig_close(&g);
}

/* ---------- (d) priorities ---------- */

/* Both events trigger at t = 1 (no delay, values at execution time):
 * e_mul sets p = 10 p, e_add sets p = p + 1; their priorities are the
 * parameters pm and pa. Highest priority first: pm > pa gives
 * (1 * 10) + 1 = 11, pa > pm gives (1 + 1) * 10 = 20. */
/* clang-format off */
static const char prio_xml[] =
    HEAD "<model id='prio'>"
    "<listOfParameters>" VPARAM("p", "1") PARAM("pm", "10") PARAM("pa", "1") "</listOfParameters>"
    "<listOfEvents>"
      EVENT("id='e_mul' useValuesFromTriggerTime='false'", "false", "true",
            AP("geq", TIME CN("1")), PRIORITY(CI("pm")),
            ASSIGN("p", AP("times", CN("10") CI("p"))))
      EVENT("id='e_add' useValuesFromTriggerTime='false'", "false", "true",
            AP("geq", TIME CN("1")), PRIORITY(CI("pa")),
            ASSIGN("p", AP("plus", CI("p") CN("1"))))
    "</listOfEvents>"
    "</model></sbml>\n";
/* clang-format on */

TEST(event_priorities)
{
    rig g;
    RIG_OPEN(g, prio_xml);
    static const char *const ids[] = {"p"};
    mt_result *r = NULL;
    if (outputs(&g, ids, NULL, 1))
        r = run(&g, 0.0, 2.0, 4);
    if (r) {
        CHECK_NEAR(mt_result_value(r, 1, 0), 1.0, 0.0);  /* t = 0.5 */
        CHECK_NEAR(mt_result_value(r, 2, 0), 11.0, 0.0); /* t = 1: e_mul, then e_add */
        CHECK_NEAR(mt_result_value(r, 4, 0), 11.0, 0.0);
        mt_result_destroy(r);
    }
    /* swap the priorities */
    CHECK_EQ_INT(mt_sim_set_value(g.s, "pm", 1.0), MT_OK);
    CHECK_EQ_INT(mt_sim_set_value(g.s, "pa", 10.0), MT_OK);
    r = run(&g, 0.0, 2.0, 4);
    if (r) {
        CHECK_NEAR(mt_result_value(r, 2, 0), 20.0, 0.0); /* e_add, then e_mul */
        CHECK_NEAR(mt_result_value(r, 4, 0), 20.0, 0.0);
        mt_result_destroy(r);
    }
    rig_close(&g);
}

/* ---------- (e) non-persistent delayed event ---------- */

/* The trigger 1 <= t < 1.5 holds for half an hour; both events wait 1 h.
 * e_np (persistent false) is cancelled when its trigger falls at 1.5;
 * e_p (persistent true) executes at 2. */
#define WINDOW AP("and", AP("geq", TIME CN("1")) AP("lt", TIME CN("1.5")))
/* clang-format off */
static const char persist_xml[] =
    HEAD "<model id='persist'>"
    "<listOfParameters>" VPARAM("q_np", "0") VPARAM("q_p", "0") "</listOfParameters>"
    "<listOfEvents>"
      EVENT("id='e_np' useValuesFromTriggerTime='true'", "false", "false",
            WINDOW, DELAY(CN("1")), ASSIGN("q_np", CN("42")))
      EVENT("id='e_p' useValuesFromTriggerTime='true'", "false", "true",
            WINDOW, DELAY(CN("1")), ASSIGN("q_p", CN("42")))
    "</listOfEvents>"
    "</model></sbml>\n";
/* clang-format on */

TEST(non_persistent_event_cancelled)
{
    rig g;
    RIG_OPEN(g, persist_xml);
    static const char *const ids[] = {"q_np", "q_p"};
    mt_result *r = NULL;
    if (outputs(&g, ids, NULL, 2))
        r = run(&g, 0.0, 4.0, 16); /* every 0.25 */
    if (r) {
        for (size_t k = 0; k < mt_result_n_rows(r) && !mt_test_failed_; k++) {
            double t = mt_result_time(r, k);
            close_to(mt_result_value(r, k, 0), 0.0, 0.0, 0.0, "q_np (cancelled)", t);
            close_to(mt_result_value(r, k, 1), t >= 2.0 ? 42.0 : 0.0, 0.0, 0.0, "q_p", t);
        }
        mt_result_destroy(r);
    }
    rig_close(&g);
}

/* ---------- (f) overrides and workspace reuse ---------- */

static int same_bits(const mt_result *a, const mt_result *b)
{
    size_t n = mt_result_n_rows(a) * mt_result_n_cols(a);
    if (mt_result_n_rows(a) != mt_result_n_rows(b) || mt_result_n_cols(a) != mt_result_n_cols(b))
        return 0;
    for (size_t k = 0; k < mt_result_n_rows(a); k++)
        if (memcmp(&(double){mt_result_time(a, k)}, &(double){mt_result_time(b, k)},
                   sizeof(double)) != 0)
            return 0;
    return memcmp(mt_result_data(a), mt_result_data(b), n * sizeof(double)) == 0;
}

TEST(overrides_and_reuse)
{
    rig g;
    RIG_OPEN(g, pk_dose_xml);
    static const char *const ids[] = {"depot", "C", "C"};
    static const mt_report how[] = {MT_REPORT_DEFAULT, MT_REPORT_DEFAULT, MT_REPORT_AMOUNT};
    mt_result *r1 = NULL, *r2 = NULL, *r2b = NULL, *r3 = NULL;
    if (!outputs(&g, ids, how, 3) || mt_sim_set_tolerances(g.s, 1e-9, 1e-14) != MT_OK) {
        rig_close(&g);
        return;
    }
    r1 = run(&g, 0.0, 6.0, 24);
    /* ke = 0.5 and C = 3 (a concentration in central, size 2: amount 6) */
    const double ke = 0.5, c0 = 3.0;
    int set = mt_check_(mt_sim_set_value(g.s, "ke", ke) == MT_OK &&
                            mt_sim_set_value(g.s, "C", c0) == MT_OK,
                        __FILE__, __LINE__, "set_value: %s", mt_errmsg(g.ctx));
    if (set)
        r2 = run(&g, 0.0, 6.0, 24);
    if (r2) {
        CHECK_NEAR(mt_result_value(r2, 0, 1), c0, 0.0);
        CHECK_NEAR(mt_result_value(r2, 0, 2), 2.0 * c0, 0.0); /* the amount doubles */
        for (size_t k = 0; k < mt_result_n_rows(r2) && !mt_test_failed_; k++) {
            double t = mt_result_time(r2, k);
            double a = 2.0 * c0 * exp(-ke * t) + amount_cf(t, DOSE, KA, ke) +
                       amount_cf(t - 2.0, 5.0, KA, ke);
            close_to(mt_result_value(r2, k, 1), a / V, 1e-6, 1e-12, "C (overridden)", t);
            close_to(mt_result_value(r2, k, 2), a, 1e-6, 1e-12, "C amount (overridden)", t);
        }
        /* overrides stay until cleared: the same run again */
        r2b = run(&g, 0.0, 6.0, 24);
        if (r2b)
            CHECK_TRUE(same_bits(r2, r2b));
    }
    mt_sim_clear_values(g.s);
    r3 = run(&g, 0.0, 6.0, 24);
    if (r1 && r3) {
        /* the first run was right, and the reused workspace reproduces it exactly */
        for (size_t k = 0; k < mt_result_n_rows(r1) && !mt_test_failed_; k++) {
            double t = mt_result_time(r1, k);
            double a = amount_cf(t, DOSE, KA, KE) + amount_cf(t - 2.0, 5.0, KA, KE);
            close_to(mt_result_value(r1, k, 1), a / V, 1e-6, 1e-12, "C", t);
        }
        CHECK_TRUE(same_bits(r1, r3));
    }
    mt_result_destroy(r1);
    mt_result_destroy(r2);
    mt_result_destroy(r2b);
    mt_result_destroy(r3);
    rig_close(&g);
}

/* Index-based overrides (mt_sim_find / mt_sim_set_value_at) give the runs that overrides by id
 * give, bit for bit; the native code and the VM too (this model has events: the root
 * functions run natively). */
TEST(set_value_by_index_and_native_vs_vm)
{
    rig g;
    RIG_OPEN(g, pk_dose_xml);
    static const char *const ids[] = {"depot", "C"};
    mt_result *a = NULL, *b = NULL, *c = NULL;
    if (!outputs(&g, ids, NULL, 2)) {
        rig_close(&g);
        return;
    }
    CHECK_TRUE(mt_sim_set_value(g.s, "ke", 0.4) == MT_OK &&
               mt_sim_set_value(g.s, "C", 1.5) == MT_OK);
    a = run(&g, 0.0, 6.0, 24);
    mt_sim_clear_values(g.s);
    int ke = mt_sim_find(g.s, "ke"), cc = mt_sim_find(g.s, "C");
    CHECK_TRUE(ke >= 0 && cc >= 0);
    CHECK_EQ_INT(mt_sim_find(g.s, "no_such_id"), -1);
    int rx = mt_sim_find(g.s, "absorption");
    CHECK_EQ_INT(rx, -2);
    CHECK_EQ_INT(mt_sim_set_value_at(g.s, -1, 1.0), MT_EINVAL);
    CHECK_EQ_INT(mt_sim_set_value_at(g.s, 1 << 30, 1.0), MT_EINVAL);
    CHECK_TRUE(mt_sim_set_value_at(g.s, ke, 0.4) == MT_OK &&
               mt_sim_set_value_at(g.s, cc, 1.5) == MT_OK);
    b = run(&g, 0.0, 6.0, 24);
    mt_sim_set_native(g.s, !mt_program_native(g.p));
    c = run(&g, 0.0, 6.0, 24);
    if (a && b && c) {
        CHECK_TRUE(same_bits(a, b));
        CHECK_TRUE(same_bits(a, c));
    }
    mt_result_destroy(a);
    mt_result_destroy(b);
    mt_result_destroy(c);
    rig_close(&g);
}

/* ---------- (g) amount vs concentration ---------- */

/* cell (size 3): S concentration species, 2 mM initially (amount 6), decays
 * with rate k S cell (amount/h), so its concentration is 2 exp(-k t); H is
 * an amount species (hasOnlySubstanceUnits), 6 initially, constant. */
/* clang-format off */
static const char report_xml[] =
    HEAD "<model id='report'>"
    "<listOfCompartments>" COMP("cell", "3") "</listOfCompartments>"
    "<listOfSpecies>"
      SPECIES("S", "cell", "initialConcentration='2'", "false")
      SPECIES("H", "cell", "initialAmount='6'", "true")
    "</listOfSpecies>"
    "<listOfParameters>" PARAM("k", "0.4") "</listOfParameters>"
    "<listOfReactions>"
      "<reaction id='decay' reversible='false'>"
        "<listOfReactants>" SREF("S") "</listOfReactants>"
        "<kineticLaw>" MATH(AP("times", CI("k") CI("S") CI("cell"))) "</kineticLaw>"
      "</reaction>"
    "</listOfReactions>"
    "</model></sbml>\n";
/* clang-format on */

TEST(report_amount_concentration)
{
    rig g;
    RIG_OPEN(g, report_xml);
    static const char *const ids[] = {"S", "S", "S", "H", "H", "H"};
    static const mt_report how[] = {MT_REPORT_DEFAULT, MT_REPORT_AMOUNT, MT_REPORT_CONCENTRATION,
                                    MT_REPORT_DEFAULT, MT_REPORT_AMOUNT, MT_REPORT_CONCENTRATION};
    mt_result *r = NULL;
    if (outputs(&g, ids, how, 6) && mt_sim_set_tolerances(g.s, 1e-10, 1e-14) == MT_OK)
        r = run(&g, 0.0, 5.0, 10);
    if (r) {
        CHECK_EQ_INT(mt_result_n_cols(r), 6);
        for (size_t k = 0; k < mt_result_n_rows(r) && !mt_test_failed_; k++) {
            double t = mt_result_time(r, k);
            double c = 2.0 * exp(-0.4 * t);
            close_to(mt_result_value(r, k, 0), c, 1e-7, 1e-13, "S", t);
            close_to(mt_result_value(r, k, 1), 3.0 * c, 1e-7, 1e-13, "S amount", t);
            close_to(mt_result_value(r, k, 2), c, 1e-7, 1e-13, "S concentration", t);
            close_to(mt_result_value(r, k, 3), 6.0, 0.0, 0.0, "H", t);
            close_to(mt_result_value(r, k, 4), 6.0, 0.0, 0.0, "H amount", t);
            close_to(mt_result_value(r, k, 5), 2.0, 1e-15, 0.0, "H concentration", t);
        }
        mt_result_destroy(r);
    }
    /* only species have an amount and a concentration */
    CHECK_EQ_INT(mt_sim_add_output(g.s, "k", MT_REPORT_AMOUNT), MT_EINVAL);
    CHECK_EQ_INT(mt_sim_add_output(g.s, "cell", MT_REPORT_CONCENTRATION), MT_EINVAL);
    /* an override of H (amount species) is an amount, of S a concentration */
    mt_sim_clear_outputs(g.s);
    static const mt_report amt[] = {MT_REPORT_AMOUNT, MT_REPORT_AMOUNT};
    static const char *const sh[] = {"S", "H"};
    if (outputs(&g, sh, amt, 2) && mt_sim_set_value(g.s, "H", 1.5) == MT_OK &&
        mt_sim_set_value(g.s, "S", 1.0) == MT_OK && (r = run(&g, 0.0, 1.0, 1)) != NULL) {
        CHECK_NEAR(mt_result_value(r, 0, 0), 3.0, 0.0);
        CHECK_NEAR(mt_result_value(r, 0, 1), 1.5, 0.0);
        mt_result_destroy(r);
    }
    rig_close(&g);
}

/* ---------- (h) errors ---------- */

TEST(errors_ids_and_arguments)
{
    rig g;
    RIG_OPEN(g, pk_xml);
    CHECK_EQ_INT(mt_sim_set_value(g.s, "no_such_param", 1.0), MT_ENOTFOUND);
    CHECK_TRUE(strstr(mt_errmsg(g.ctx), "no_such_param") != NULL);
    CHECK_EQ_INT(mt_sim_add_output(g.s, "no_such_output", MT_REPORT_DEFAULT), MT_ENOTFOUND);
    CHECK_TRUE(strstr(mt_errmsg(g.ctx), "no_such_output") != NULL);
    /* hidden internal slots are not public ids */
    CHECK_EQ_INT(mt_sim_set_value(g.s, "C#amount", 1.0), MT_ENOTFOUND);
    /* a reaction's rate cannot be set */
    CHECK_EQ_INT(mt_sim_set_value(g.s, "absorption", 1.0), MT_EINVAL);
    size_t idx;
    CHECK_EQ_INT(mt_model_find(g.m, "no_such", &idx), MT_ENOTFOUND);

    mt_result *r = (mt_result *)(void *)&idx;
    CHECK_EQ_INT(mt_sim_run(g.s, 0.0, 1.0, -1, &r), MT_EINVAL);
    CHECK_TRUE(r == NULL);
    CHECK_TRUE(strstr(mt_errmsg(g.ctx), "-1") != NULL);
    CHECK_EQ_INT(mt_sim_run(g.s, 1.0, 0.0, 10, &r), MT_EINVAL); /* end before start */
    CHECK_TRUE(r == NULL);
    CHECK_EQ_INT(mt_sim_set_tolerances(g.s, -1e-6, 1e-12), MT_EINVAL);
    CHECK_EQ_INT(mt_sim_set_tolerances(g.s, 1e-6, 0.0), MT_EINVAL);
    CHECK_EQ_INT(mt_sim_set_tolerances(g.s, NAN, 1e-12), MT_EINVAL);
    CHECK_EQ_INT(mt_sim_set_method(g.s, (mt_method)7), MT_EINVAL);
    /* the workspace still works after the refusals */
    r = run(&g, 0.0, 1.0, 0);
    if (r) {
        CHECK_EQ_INT(mt_result_n_rows(r), 1);
        CHECK_NEAR(mt_result_value(r, 0, 0), 10.0, 0.0);
        mt_result_destroy(r);
    }
    rig_close(&g);
}

static mt_status load_only(mt_ctx *ctx, const char *xml)
{
    mt_model *m = (mt_model *)(void *)&ctx;
    mt_status st = mt_model_load_string(ctx, xml, strlen(xml), NULL, &m);
    if (st == MT_OK)
        mt_model_destroy(m);
    else if (!mt_check_(m == NULL, __FILE__, __LINE__, "*out not NULL on failure"))
        return MT_OK;
    return st;
}

/* clang-format off */
/* not well-formed XML: an element never closed */
static const char broken_xml[] =
    HEAD "<model id='m'>\n"
    "<listOfParameters>\n"
    "<parameter id='p' value='1' constant='true'>\n"
    "</listOfParameters>\n"
    "</model></sbml>\n";
/* well-formed, but a species in a compartment that does not exist */
static const char bad_ref_xml[] =
    HEAD "<model id='m'>"
    "<listOfCompartments>" COMP("c", "1") "</listOfCompartments>"
    "<listOfSpecies>" SPECIES("s", "nowhere", "initialAmount='1'", "true") "</listOfSpecies>"
    "</model></sbml>\n";
/* rateOf as an operand instead of applied to one symbol: libSBML 5.20's consistency check
 * crashed on this (found by fuzz_sbml); medtwin refuses it before that check */
static const char rateof_bare_xml[] =
    HEAD "<model id='m'>"
    "<listOfParameters>" PARAM("p1", "1")
    "<parameter id='p2' constant='true'/></listOfParameters>"
    "<listOfInitialAssignments><initialAssignment symbol='p2'>"
    MATH("<apply><geq/><csymbol encoding='text' "
         "definitionURL='http://www.sbml.org/sbml/symbols/rateOf'> rateOf </csymbol>" CI("p1")
         "</apply>")
    "</initialAssignment></listOfInitialAssignments>"
    "</model></sbml>\n";
/* exp(x) + z * z - y = 0 and x * x + exp(z) - 2 = 0 with y' = 1: nonlinear and coupled */
static const char algebraic_xml[] =
    HEAD "<model id='m'>"
    "<listOfParameters>" VPARAM("x", "1") VPARAM("y", "1") VPARAM("z", "1") "</listOfParameters>"
    "<listOfRules>"
      "<algebraicRule>" MATH(AP("minus", AP("plus", "<apply><exp/>" CI("x") "</apply>"
                                                   AP("times", CI("z") CI("z"))) CI("y")))
      "</algebraicRule>"
      "<algebraicRule>" MATH(AP("minus", AP("plus", AP("times", CI("x") CI("x"))
                                                   "<apply><exp/>" CI("z") "</apply>") CN("2")))
      "</algebraicRule>"
      RATE_RULE("y", CN("1"))
    "</listOfRules>"
    "</model></sbml>\n";
/* clang-format on */

TEST(errors_invalid_sbml)
{
    mt_ctx *ctx = NULL;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    mt_status st = load_only(ctx, broken_xml);
    if (mt_check_(st == MT_ESBML, __FILE__, __LINE__, "broken XML: %d %s", (int)st, mt_errmsg(ctx)))
        CHECK_TRUE(strstr(mt_errmsg(ctx), "line") != NULL);
    st = load_only(ctx, bad_ref_xml);
    if (mt_check_(st == MT_ESBML, __FILE__, __LINE__, "bad reference: %d %s", (int)st,
                  mt_errmsg(ctx)))
        CHECK_TRUE(strstr(mt_errmsg(ctx), "line") != NULL);
    st = load_only(ctx, rateof_bare_xml);
    if (mt_check_(st == MT_ESBML, __FILE__, __LINE__, "bare rateOf: %d %s", (int)st,
                  mt_errmsg(ctx)))
        CHECK_TRUE(strstr(mt_errmsg(ctx), "rateOf() takes one symbol") != NULL);
    /* coupled nonlinear algebraic rules are refused, not approximated */
    st = load_only(ctx, algebraic_xml);
    if (mt_check_(st == MT_EUNSUPPORTED, __FILE__, __LINE__, "algebraic: %d %s", (int)st,
                  mt_errmsg(ctx)))
        CHECK_TRUE(strncmp(mt_errmsg(ctx), "unsupported: ", 13) == 0);
    /* empty text, and a NUL byte inside the text */
    CHECK_TRUE(load_only(ctx, "") != MT_OK);
    mt_model *m = NULL;
    CHECK_TRUE(mt_model_load_string(ctx, "<sbml\0>", 7, NULL, &m) != MT_OK);
    CHECK_TRUE(m == NULL);
    mt_ctx_destroy(ctx);
}

/* ---------- (j) comp: one submodel definition instantiated twice ---------- */

/* clang-format off */
static const char comp_xml[] =
    "<?xml version='1.0' encoding='UTF-8'?>\n"
    "<sbml xmlns='http://www.sbml.org/sbml/level3/version2/core' "
          "xmlns:comp='http://www.sbml.org/sbml/level3/version1/comp/version1' "
          "level='3' version='2' comp:required='true'>"
    "<model id='twice'>"
      "<listOfParameters>" PARAM("scale", "1") "</listOfParameters>"
      "<comp:listOfSubmodels>"
        "<comp:submodel comp:id='sub1' comp:modelRef='decay'/>"
        "<comp:submodel comp:id='sub2' comp:modelRef='decay'/>"
      "</comp:listOfSubmodels>"
    "</model>"
    "<comp:listOfModelDefinitions>"
      "<comp:modelDefinition id='decay'>"
        "<listOfCompartments>" COMP("c", "1") "</listOfCompartments>"
        "<listOfSpecies>" SPECIES("S", "c", "initialAmount='4'", "true") "</listOfSpecies>"
        "<listOfParameters>" PARAM("k", "0.3") "</listOfParameters>"
        "<listOfReactions>"
          "<reaction id='J' reversible='false'>"
            "<listOfReactants>" SREF("S") "</listOfReactants>"
            "<kineticLaw>" MATH(AP("times", CI("k") CI("S"))) "</kineticLaw>"
          "</reaction>"
        "</listOfReactions>"
      "</comp:modelDefinition>"
    "</comp:listOfModelDefinitions>"
    "</sbml>\n";
/* clang-format on */

TEST(comp_submodel_twice)
{
    rig g;
    RIG_OPEN(g, comp_xml);
    size_t i = 0;
    static const char *const flat[] = {"sub1__S", "sub2__S", "sub1__k", "sub2__k", "sub1__c"};
    for (size_t j = 0; j < 5; j++)
        if (!mt_check_(mt_model_find(g.m, flat[j], &i) == MT_OK, __FILE__, __LINE__,
                       "flattened id %s not found", flat[j])) {
            rig_close(&g);
            return;
        }
    CHECK_EQ_INT(mt_model_find(g.m, "S", &i), MT_ENOTFOUND);
    CHECK_EQ_INT(mt_model_n_states(g.m), 2);
    static const char *const ids[] = {"sub1__S", "sub2__S"};
    mt_result *r = NULL;
    if (outputs(&g, ids, NULL, 2) && mt_sim_set_tolerances(g.s, 1e-10, 1e-14) == MT_OK &&
        mt_sim_set_value(g.s, "sub2__k", 0.9) == MT_OK)
        r = run(&g, 0.0, 5.0, 10);
    if (r) {
        for (size_t k = 0; k < mt_result_n_rows(r) && !mt_test_failed_; k++) {
            double t = mt_result_time(r, k);
            close_to(mt_result_value(r, k, 0), 4.0 * exp(-0.3 * t), 1e-7, 1e-13, "sub1__S", t);
            close_to(mt_result_value(r, k, 1), 4.0 * exp(-0.9 * t), 1e-7, 1e-13, "sub2__S", t);
        }
        mt_result_destroy(r);
    }
    rig_close(&g);
}

/* mt_sim_run_doses: doses by the API (no SBML event) at irregular output times, vs the
 * closed form by superposition. The model's own initial depot amount (10) is the first dose;
 * a bolus of 4 into the depot at 3 h, an infusion of 6 into C (amount) over [5, 7) h, an
 * output at the bolus time reports the pre-dose value, and bad doses are refused. */
static double infusion_cf(double t, double rate, double t_start, double dur, double ke)
{
    /* amount in C from a zero-order infusion into C */
    if (t <= t_start)
        return 0.0;
    double on = t < t_start + dur ? t - t_start : dur;
    double a_end = rate / ke * (1.0 - exp(-ke * on));
    return t < t_start + dur ? a_end : a_end * exp(-ke * (t - t_start - dur));
}

TEST(doses_by_api)
{
    rig g;
    RIG_OPEN(g, pk_xml);
    const char *ids[] = {"depot", "C"};
    const mt_report how[] = {MT_REPORT_DEFAULT, MT_REPORT_AMOUNT};
    if (!outputs(&g, ids, how, 2)) {
        rig_close(&g);
        return;
    }
    int depot = mt_sim_find_dose_target(g.s, "depot"), c = mt_sim_find_dose_target(g.s, "C");
    CHECK_TRUE(depot >= 0 && c >= 0 && depot != c);
    CHECK_EQ_INT(mt_sim_set_tolerances(g.s, 1e-10, 1e-12), MT_OK);
    CHECK_EQ_INT(mt_sim_find_dose_target(g.s, "ka"), -2);
    CHECK_EQ_INT(mt_sim_find_dose_target(g.s, "nope"), -1);
    mt_sim_dose d[] = {{3.0, depot, 4.0, 0.0}, {5.0, c, 6.0, 2.0}};
    const double times[] = {0.0, 0.7, 3.0, 3.0, 4.2, 5.0, 6.1, 7.0, 9.5, 24.0};
    size_t nt = sizeof times / sizeof *times;
    mt_result *r = NULL;
    mt_status st = mt_sim_run_doses(g.s, 0.0, d, 2, times, nt, &r);
    CHECK_TRUE(st == MT_OK);
    if (r) {
        CHECK_EQ_INT(mt_result_n_rows(r), nt);
        for (size_t k = 0; k < nt && !mt_test_failed_; k++) {
            double t = times[k];
            CHECK_TRUE(mt_result_time(r, k) == t);
            /* the bolus at 3 h counts from just after 3 h: outputs at 3 h are pre-dose */
            double dep = depot_cf(t, DOSE, KA) + (t > 3.0 ? depot_cf(t - 3.0, 4.0, KA) : 0.0);
            double amt = amount_cf(t, DOSE, KA, KE) +
                         (t > 3.0 ? amount_cf(t - 3.0, 4.0, KA, KE) : 0.0) +
                         infusion_cf(t, 3.0, 5.0, 2.0, KE);
            close_to(mt_result_value(r, k, 0), dep, 1e-7, 1e-10, "depot", t);
            close_to(mt_result_value(r, k, 1), amt, 1e-7, 1e-10, "C amount", t);
        }
        mt_result_destroy(r);
    }
    /* a linear model with doses takes the exact path (restarted at each dose); the ODE path
     * gives the same values */
    CHECK_EQ_INT(mt_sim_last_path(g.s), MT_PATH_EXACT);
    mt_sim_set_exact(g.s, 0);
    mt_result *ode = NULL;
    st = mt_sim_run_doses(g.s, 0.0, d, 2, times, nt, &ode);
    CHECK_TRUE(st == MT_OK);
    CHECK_EQ_INT(mt_sim_last_path(g.s), MT_PATH_ODE);
    mt_sim_set_exact(g.s, 1);
    st = mt_sim_run_doses(g.s, 0.0, d, 2, times, nt, &r);
    if (ode && r)
        for (size_t k = 0; k < nt; k++)
            for (size_t j = 0; j < 2; j++)
                close_to(mt_result_value(r, k, j), mt_result_value(ode, k, j), 1e-7, 1e-10,
                         "exact vs ODE", times[k]);
    mt_result_destroy(ode);
    mt_result_destroy(r);
    r = NULL;
    /* the same workspace without doses is the model alone */
    st = mt_sim_run_doses(g.s, 0.0, NULL, 0, times, nt, &r);
    CHECK_TRUE(st == MT_OK);
    if (r) {
        close_to(mt_result_value(r, 9, 1), amount_cf(24.0, DOSE, KA, KE), 1e-5, 1e-10, "no dose",
                 24.0);
        mt_result_destroy(r);
    }
    /* refusals name the problem */
    mt_sim_dose bad_order[] = {{5.0, depot, 1.0, 0.0}, {3.0, depot, 1.0, 0.0}};
    CHECK_EQ_INT(mt_sim_run_doses(g.s, 0.0, bad_order, 2, times, nt, &r), MT_EINVAL);
    CHECK_TRUE(r == NULL && strstr(mt_errmsg(g.ctx), "sorted") != NULL);
    mt_sim_dose bad_target[] = {{1.0, 99, 1.0, 0.0}};
    CHECK_EQ_INT(mt_sim_run_doses(g.s, 0.0, bad_target, 1, times, nt, &r), MT_EINVAL);
    mt_sim_dose bad_dur[] = {{1.0, depot, 1.0, -1.0}};
    CHECK_EQ_INT(mt_sim_run_doses(g.s, 0.0, bad_dur, 1, times, nt, &r), MT_EINVAL);
    const double back[] = {1.0, 0.5};
    CHECK_EQ_INT(mt_sim_run_doses(g.s, 0.0, NULL, 0, back, 2, &r), MT_EINVAL);
    CHECK_TRUE(strstr(mt_errmsg(g.ctx), "output time 1") != NULL);
    rig_close(&g);
}

/* ---------- delay() ---------- */

/* clang-format off */
#define DELAYED(x, tau) "<apply><csymbol encoding='text' " \
    "definitionURL='http://www.sbml.org/sbml/symbols/delay'>delay</csymbol>" x tau "</apply>"
/* x' = -x(t - 1), x = 1 up to t = 0; y = delay(r, 2) of the rule r = time + 1 (before the
 * start too: y = time - 1); z = delay(r, 0) = r; flag set when x(t - 1) falls below 0.25 */
static const char dde_xml[] = HEAD "<model id='dde'>"
    "<listOfParameters>" VPARAM("x", "1") VPARAM("r", "0") VPARAM("y", "0") VPARAM("z", "0")
      VPARAM("flag", "0") PARAM("tau", "1") "</listOfParameters>"
    "<listOfRules>"
      RATE_RULE("x", AP("minus", DELAYED(CI("x"), CI("tau"))))
      "<assignmentRule variable='r'>" MATH(AP("plus", TIME CN("1"))) "</assignmentRule>"
      "<assignmentRule variable='y'>" MATH(DELAYED(CI("r"), CN("2"))) "</assignmentRule>"
      "<assignmentRule variable='z'>" MATH(DELAYED(CI("r"), CN("0"))) "</assignmentRule>"
    "</listOfRules>"
    "<listOfEvents>"
      EVENT("id='low' useValuesFromTriggerTime='true'", "false", "true",
            AP("lt", DELAYED(CI("x"), CI("tau")) CN("0.25")), "", ASSIGN("flag", CN("1")))
    "</listOfEvents>"
    "</model></sbml>\n";
/* clang-format on */

/* The method of steps: x(t) on [0, 3] for x' = -x(t - 1), x = 1 before 0. */
static double dde_exact(double t)
{
    double x = 1.0 - t;
    if (t > 1)
        x += (t - 1) * (t - 1) / 2.0;
    if (t > 2)
        x -= (t - 2) * (t - 2) * (t - 2) / 6.0;
    return x;
}

static void check_dde(rig *g, const char *what)
{
    static const char *const ids[] = {"x", "y", "z", "flag"};
    if (!outputs(g, ids, NULL, 4))
        return;
    mt_result *r = run(g, 0.0, 3.0, 60);
    if (!r)
        return;
    /* x(t - 1) = 0.25 first where 1 - (t - 1) = 0.25 */
    double t_low = 1.75;
    for (size_t k = 0; k < mt_result_n_rows(r); k++) {
        double t = mt_result_time(r, k);
        if (!close_to(mt_result_value(r, k, 0), dde_exact(t), 0, 2e-5, what, t) ||
            !close_to(mt_result_value(r, k, 1), t - 1.0, 1e-9, 1e-9, "y = delay(r, 2)", t) ||
            !close_to(mt_result_value(r, k, 2), t + 1.0, 1e-12, 0, "z = delay(r, 0)", t) ||
            (fabs(t - t_low) > 1e-3 && /* the output at the event time may go either way */
             !close_to(mt_result_value(r, k, 3), t < t_low ? 0.0 : 1.0, 0, 0, "flag", t)))
            break;
    }
    mt_result_destroy(r);
}

TEST(delay_method_of_steps)
{
    rig g;
    if (!rig_open(&g, dde_xml))
        return;
    check_dde(&g, "x' = -x(t - 1)");
    /* a second run of the same workspace starts with an empty history */
    mt_sim_clear_outputs(g.s);
    check_dde(&g, "x' = -x(t - 1), second run");
    /* written back to SBML (delay as the csymbol) and read again: the same solution */
    char *xml = NULL;
    mt_status st = mt_model_export_sbml(g.ctx, g.m, 0, NULL, NULL, &xml);
    if (mt_check_(st == MT_OK && xml, __FILE__, __LINE__, "export: %s", mt_errmsg(g.ctx))) {
        CHECK_TRUE(strstr(xml, "symbols/delay") != NULL);
        rig h;
        if (rig_open(&h, xml)) {
            check_dde(&h, "x' = -x(t - 1), exported and read again");
            rig_close(&h);
        }
    }
    free(xml);
    /* sensitivities need the history's derivatives, which are not kept: refused by name */
    int par = mt_sim_find(g.s, "tau");
    double times[2] = {1.0, 2.0}, sens[8];
    mt_result *r = NULL;
    st = mt_sim_run_doses_sens(g.s, 0.0, NULL, 0, times, 2, &par, 1, &r, sens);
    if (mt_check_(st == MT_EUNSUPPORTED && !r, __FILE__, __LINE__, "sensitivities: %d %s", (int)st,
                  mt_errmsg(g.ctx)))
        CHECK_TRUE(strstr(mt_errmsg(g.ctx), "delay()") != NULL);
    mt_result_destroy(r);
    rig_close(&g);
}

TEST_MAIN(TEST_ENTRY(pk_closed_form), TEST_ENTRY(default_outputs), TEST_ENTRY(bdf_and_adams_agree),
          TEST_ENTRY(event_dose_superposition), TEST_ENTRY(delayed_event_trigger_values),
          TEST_ENTRY(event_priorities), TEST_ENTRY(non_persistent_event_cancelled),
          TEST_ENTRY(overrides_and_reuse), TEST_ENTRY(set_value_by_index_and_native_vs_vm),
          TEST_ENTRY(report_amount_concentration), TEST_ENTRY(errors_ids_and_arguments),
          TEST_ENTRY(errors_invalid_sbml), TEST_ENTRY(comp_submodel_twice),
          TEST_ENTRY(doses_by_api), TEST_ENTRY(delay_method_of_steps))
