/* SPDX-License-Identifier: Apache-2.0
 *
 * tests/unit/model/test_algebraic.c — algebraic rules (src/model/algebraic.c through
 * mt_model_load_string and mt_sim_run): a rule solved for its variable, a coupled linear
 * system, a variable read by other rules and by a reaction, the choice of the variable
 * (constant symbols, boundary species, event targets), a nonlinear rule (Newton's method),
 * and the errors: overdetermined, singular, nonlinear and coupled, no root, an event
 * assigning an algebraically determined variable; fast
 * reactions (rapid equilibrium: a linear fast subsystem, the refusals).
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
#define PC(id, v) "<parameter id='" id "' value='" #v "' constant='true'/>"
#define RR(var, body) "<rateRule variable='" var "'>" MATH body "</math></rateRule>"
#define AR(body) "<algebraicRule>" MATH body "</math></algebraicRule>"
#define CI(x) "<ci>" x "</ci>"
#define CN(x) "<cn>" #x "</cn>"
#define AP1(op, a) "<apply><" op "/>" a "</apply>"
#define AP(op, a, b) "<apply><" op "/>" a b "</apply>"
#define AP3(op, a, b, c) "<apply><" op "/>" a b c "</apply>"
#define TAIL "</model></sbml>"

static mt_ctx *ctx;

/* Loads xml; NULL with the status in *st when it fails. */
static mt_model *load(const char *xml, mt_status *st)
{
    mt_model *m = NULL;
    *st = mt_model_load_string(ctx, xml, strlen(xml), NULL, &m);
    return *st == MT_OK ? m : NULL;
}

/* Runs xml from 0 to t_end in n steps with the given output ids. */
static mt_result *run(const char *xml, double t_end, long n, const char *const *ids)
{
    mt_status st;
    mt_model *m = load(xml, &st);
    mt_program *p = NULL;
    mt_sim *s = NULL;
    mt_result *r = NULL;
    if (!m) {
        printf("  load: %s\n", mt_errmsg(ctx));
        return NULL;
    }
    if (mt_program_create(ctx, m, &p) == MT_OK && mt_sim_create(ctx, p, &s) == MT_OK &&
        mt_sim_set_tolerances(s, 1e-10, 1e-12) == MT_OK) {
        int ok = 1;
        for (size_t i = 0; ids && ids[i]; i++)
            ok &= mt_sim_add_output(s, ids[i], MT_REPORT_DEFAULT) == MT_OK;
        if (ok && mt_sim_run(s, 0, t_end, n, &r) != MT_OK)
            printf("  run: %s\n", mt_errmsg(ctx));
    } else {
        printf("  compile: %s\n", mt_errmsg(ctx));
    }
    mt_sim_destroy(s);
    mt_program_destroy(p);
    mt_model_destroy(m);
    return r;
}

/* x' = 1, 0 = 2 y - x - 4: y = (x + 4) / 2, also at t0 (y's own value 99 is replaced). */
TEST(linear_rule)
{
    const char *xml = HEAD "<listOfParameters>" P("x", 1)
        P("y", 99) "</listOfParameters>"
                   "<listOfRules>" RR("x", CN(1))
                       AR(AP("minus", AP("minus", AP("times", CN(2), CI("y")), CI("x")),
                             CN(4))) "</listOfRules>" TAIL;
    const char *ids[] = {"x", "y", NULL};
    mt_result *r = run(xml, 2, 4, ids);
    ASSERT_TRUE(r != NULL);
    for (size_t k = 0; k < mt_result_n_rows(r); k++) {
        double t = mt_result_time(r, k), x = 1 + t;
        ASSERT_NEAR(mt_result_value(r, k, 0), x, 1e-9);
        ASSERT_NEAR(mt_result_value(r, k, 1), (x + 4) / 2, 1e-9);
    }
    mt_result_destroy(r);
}

/* Two rules in two unknowns: a + b = x, a - b = 2 (x' = 1); a third symbol c is constant. */
TEST(coupled_linear_system)
{
    const char *xml = HEAD "<listOfParameters>" P("x", 0) P("a", 0) P("b", 0)
        PC("c",
           2) "</listOfParameters>"
              "<listOfRules>" RR("x", CN(1)) AR(AP("minus", AP("plus", CI("a"), CI("b")), CI("x")))
                  AR(AP("minus", AP("minus", CI("a"), CI("b")), CI("c"))) "</listOfRules>" TAIL;
    const char *ids[] = {"a", "b", NULL};
    mt_result *r = run(xml, 3, 3, ids);
    ASSERT_TRUE(r != NULL);
    for (size_t k = 0; k < mt_result_n_rows(r); k++) {
        double x = mt_result_time(r, k);
        ASSERT_NEAR(mt_result_value(r, k, 0), (x + 2) / 2, 1e-9);
        ASSERT_NEAR(mt_result_value(r, k, 1), (x - 2) / 2, 1e-9);
    }
    mt_result_destroy(r);
}

/* A conservation law: S1 -> S2 at rate k S1; S3 (no reaction) = T - S1 - S2 stays T - S(0).
 * The rule reads S3 also through an assignment rule: 0.25 y + 0.5 S3 = T - S1 - S2, y = 2 S3. */
TEST(species_and_assignment_rule)
{
    const char *xml = HEAD
        "<listOfCompartments><compartment id='C' size='2' constant='true'/>"
        "</listOfCompartments><listOfSpecies>"
        "<species id='S1' compartment='C' initialAmount='3' hasOnlySubstanceUnits='false' "
        "boundaryCondition='false' constant='false'/>"
        "<species id='S2' compartment='C' initialAmount='1' hasOnlySubstanceUnits='false' "
        "boundaryCondition='false' constant='false'/>"
        "<species id='S3' compartment='C' initialAmount='0' hasOnlySubstanceUnits='false' "
        "boundaryCondition='false' constant='false'/></listOfSpecies>"
        "<listOfParameters>" PC("k", 0.5) PC("T", 5)
            P("y",
              0) "</listOfParameters>"
                 "<listOfRules><assignmentRule variable='y'>" MATH
                     AP("times", CN(2), CI("S3")) "</math></assignmentRule>" AR(AP(
                         "minus",
                         AP("plus", AP("times", CN(0.25), CI("y")), AP("times", CN(0.5), CI("S3"))),
                         AP("minus", CI("T"),
                            AP("plus", CI("S1"),
                               CI("S2"))))) "</listOfRules>"
                                            "<listOfReactions><reaction id='J' "
                                            "reversible='false'><listOfReactants>"
                                            "<speciesReference species='S1' stoichiometry='1' "
                                            "constant='true'/>"
                                            "</listOfReactants><listOfProducts>"
                                            "<speciesReference species='S2' stoichiometry='1' "
                                            "constant='true'/>"
                                            "</listOfProducts><kineticLaw>" MATH AP3(
                                                "times", CI("k"), CI("S1"),
                                                CI("C")) "</math></kineticLaw></reaction></"
                                                         "listOfReactions>" TAIL;
    const char *ids[] = {"S1", "S3", "y", NULL};
    mt_result *r = run(xml, 2, 4, ids);
    ASSERT_TRUE(r != NULL);
    for (size_t k = 0; k < mt_result_n_rows(r); k++) {
        double t = mt_result_time(r, k);
        ASSERT_NEAR(mt_result_value(r, k, 0), 1.5 * exp(-0.5 * t), 1e-7);
        ASSERT_NEAR(mt_result_value(r, k, 1), 3, 1e-9); /* 5 - (1.5 + 0.5) */
        ASSERT_NEAR(mt_result_value(r, k, 2), 6, 1e-9);
    }
    mt_result_destroy(r);
}

/* 0 = p - q: p is set by an event, so the rule determines q. */
TEST(event_target_is_last_resort)
{
    const char *xml = HEAD "<listOfParameters>" P("p", 1) P(
        "q",
        0) "</listOfParameters>"
           "<listOfRules>" AR(AP(
               "minus", CI("p"),
               CI("q"))) "</listOfRules>"
                         "<listOfEvents><event id='e' useValuesFromTriggerTime='true'><trigger "
                         "initialValue='true' persistent='true'>" MATH
                         "<apply><geq/><csymbol encoding='text' "
                         "definitionURL='http://www.sbml.org/sbml/symbols/time'>t</csymbol>" CN(
                             1) "</apply></math></trigger><listOfEventAssignments><eventAssignment "
                                "variable='p'>" MATH CN(
                                    7) "</math></eventAssignment></listOfEventAssignments></"
                                       "event></listOfEvents>" TAIL;
    const char *ids[] = {"q", NULL};
    mt_result *r = run(xml, 2, 2, ids);
    ASSERT_TRUE(r != NULL);
    ASSERT_NEAR(mt_result_value(r, 0, 0), 1, 1e-12);
    ASSERT_NEAR(mt_result_value(r, 2, 0), 7, 1e-12);
    mt_result_destroy(r);
}

static void expect_error(const char *xml, mt_status want, const char *needle)
{
    mt_status st;
    mt_model *m = load(xml, &st);
    mt_model_destroy(m);
    mt_check_(st == want, __FILE__, __LINE__, "status %d, want %d (%s)", (int)st, (int)want,
              mt_errmsg(ctx));
    mt_check_(strstr(mt_errmsg(ctx), needle) != NULL, __FILE__, __LINE__, "message '%s' lacks '%s'",
              mt_errmsg(ctx), needle);
}

TEST(overdetermined)
{
    expect_error(HEAD "<listOfParameters>" P("x", 1)
                     PC("c", 1) "</listOfParameters>"
                                "<listOfRules>" RR("x", CN(1))
                                    AR(AP("minus", CI("x"), CI("c"))) "</listOfRules>" TAIL,
                 MT_ESBML, "overdetermined");
}

TEST(singular)
{
    expect_error(HEAD "<listOfParameters>" P("x", 0) P("a", 0)
                     P("b", 0) "</listOfParameters>"
                               "<listOfRules>" RR("x", CN(1))
                                   AR(AP("minus", AP("plus", CI("a"), CI("b")), CI("x")))
                                       AR(AP("minus", AP("plus", CI("a"), CI("b")),
                                             CN(1))) "</listOfRules>" TAIL,
                 MT_ESBML, "singular");
}

/* y^3 = x (x' = 1 from 1): Newton's method at run time, warm-started, from y's value 1. */
TEST(nonlinear_newton)
{
    const char *xml = HEAD "<listOfParameters>" P("x", 1)
        P("y", 1) "</listOfParameters>"
                  "<listOfRules>" RR("x", CN(1))
                      AR(AP("minus", AP3("times", CI("y"), CI("y"), CI("y")),
                            CI("x"))) "</listOfRules>" TAIL;
    const char *ids[] = {"y", NULL};
    mt_result *r = run(xml, 7, 14, ids);
    ASSERT_TRUE(r != NULL);
    for (size_t k = 0; k < mt_result_n_rows(r); k++)
        ASSERT_NEAR(mt_result_value(r, k, 0), cbrt(1 + mt_result_time(r, k)), 1e-9);
    mt_result_destroy(r);
    /* the model runs on the VM (the Newton loop is not translated), with the same numbers */
    mt_status st;
    mt_model *m = load(xml, &st);
    mt_program *p = NULL;
    ASSERT_TRUE(m != NULL);
    ASSERT_EQ_INT(mt_program_create(ctx, m, &p), MT_OK);
    ASSERT_TRUE(strstr(mt_program_native_info(p), "Newton") != NULL ||
                strncmp(mt_program_native_info(p), "vm:", 3) == 0);
    mt_program_destroy(p);
    mt_model_destroy(m);
}

/* y^2 + 1 = 0 has no real root: an error at run time, not a number. */
TEST(newton_failure_is_an_error)
{
    const char *xml = HEAD "<listOfParameters>" P("x", 1)
        P("y", 1) "</listOfParameters>"
                  "<listOfRules>" RR("x", CN(1))
                      AR(AP("plus", AP("times", CI("y"), CI("y")), CN(1))) "</listOfRules>" TAIL;
    const char *ids[] = {"y", NULL};
    mt_result *r = run(xml, 1, 1, ids);
    ASSERT_TRUE(r == NULL);
    ASSERT_TRUE(strstr(mt_errmsg(ctx), "do not determine 'y'") != NULL);
}

TEST(nonlinear_coupled_is_refused)
{
    /* exp(y) + z^2 = x and y^2 + exp(z) = 2: neither is linear in either variable */
    expect_error(
        HEAD "<listOfParameters>" P("x", 1) P("y", 1)
            P("z",
              1) "</listOfParameters>"
                 "<listOfRules>" RR("x", CN(1)) AR(
                     AP("minus", AP("plus", AP1("exp", CI("y")), AP("times", CI("z"), CI("z"))),
                        CI("x")))
                     AR(AP("minus", AP("plus", AP("times", CI("y"), CI("y")), AP1("exp", CI("z"))),
                           CN(2))) "</listOfRules>" TAIL,
        MT_EUNSUPPORTED, "coupled to other algebraic rules");
    /* y z = x and y^2 + z^2 = 2 x: linear in y, so z alone by Newton: accepted */
    mt_status st;
    mt_model *m =
        load(HEAD "<listOfParameters>" P("x", 1) P("y", 1)
                 P("z", 1) "</listOfParameters>"
                           "<listOfRules>" RR("x", CN(1))
                               AR(AP("minus", AP("times", CI("y"), CI("z")), CI("x")))
                                   AR(AP("minus",
                                         AP("plus", AP("times", CI("y"), CI("y")),
                                            AP("times", CI("z"), CI("z"))),
                                         AP("times", CN(2), CI("x")))) "</listOfRules>" TAIL,
             &st);
    ASSERT_TRUE(m != NULL);
    mt_model_destroy(m);
}

/* The only candidate of 0 = p - 1 is set by an event: refused, not silently overwritten. */
TEST(event_assigns_determined_variable)
{
    expect_error(
        HEAD "<listOfParameters>" P(
            "p",
            1) "</listOfParameters>"
               "<listOfRules>" AR(AP(
                   "minus", CI("p"),
                   CN(1))) "</listOfRules>"
                           "<listOfEvents><event id='e' useValuesFromTriggerTime='true'><trigger "
                           "initialValue='true' persistent='true'>" MATH AP(
                               "gt", CI("p"),
                               CN(2)) "</math></trigger><listOfEventAssignments><eventAssignment "
                                      "variable='p'>" MATH CN(7) "</math></eventAssignment></"
                                                                 "listOfEventAssignments></event>"
                                                                 "</listOfEvents>" TAIL,
        MT_ESBML, "which a rule defines");
}

#define SPEC(id, amt)                                                                              \
    "<species id='" id "' compartment='C' initialAmount='" #amt "' hasOnlySubstanceUnits='false' " \
    "boundaryCondition='false' constant='false'/>"
#define SR(id) "<speciesReference species='" id "' stoichiometry='1' constant='true'/>"
#define RX(id, fast, from, to, law)                                                                \
    "<reaction id='" id "' reversible='true' fast='" fast "'><listOfReactants>" SR(                \
        from) "</listOfReactants><listOfProducts>" SR(to) "</listOfProducts><kineticLaw>" MATH law \
                                                          "</math></kineticLaw></reaction>"
#define FAST_HEAD                                                                                  \
    "<?xml version='1.0' encoding='UTF-8'?><sbml "                                                 \
    "xmlns='http://www.sbml.org/sbml/level3/version1/core' level='3' version='1'><model id='m'>"   \
    "<listOfCompartments><compartment id='C' size='2' constant='true'/></listOfCompartments>"      \
    "<listOfSpecies>" SPEC("A", 3) SPEC("B", 0)                                                    \
        SPEC("D", 0) "</listOfSpecies>"                                                            \
                     "<listOfParameters>" PC("kf", 2) PC("kr", 1) PC("k", 0.3)                     \
                         P("kv", 0) "</listOfParameters>"

/* A <-> B fast (kf A - kr B) C, B -> D slow k B C: B = kf / (kf + kr) T with T = A + B the
 * state, T' = -k B C (amounts), so T = T0 exp(-k kf / (kf + kr) t); equilibrium at t0 too. */
TEST(fast_reaction_equilibrium)
{
    const char *xml = FAST_HEAD "<listOfReactions>" RX(
        "F", "true", "A", "B",
        AP("times", AP("minus", AP("times", CI("kf"), CI("A")), AP("times", CI("kr"), CI("B"))),
           CI("C"))) RX("S", "false", "B", "D",
                        AP3("times", CI("k"), CI("B"), CI("C"))) "</listOfReactions>" TAIL;
    const char *ids[] = {"A", "B", "D", NULL};
    mt_result *r = run(xml, 2, 4, ids);
    ASSERT_TRUE(r != NULL);
    for (size_t k = 0; k < mt_result_n_rows(r); k++) {
        double t = mt_result_time(r, k), total = 1.5 * exp(-0.3 * 2.0 / 3.0 * t);
        ASSERT_NEAR(mt_result_value(r, k, 0), total / 3, 1e-8);
        ASSERT_NEAR(mt_result_value(r, k, 1), 2 * total / 3, 1e-8);
        ASSERT_NEAR(mt_result_value(r, k, 2), 1.5 - total, 1e-8);
    }
    mt_result_destroy(r);
}

TEST(fast_reaction_refusals)
{
    /* two fast reactions sharing B, neither linear: which root is not decided */
    expect_error(FAST_HEAD "<listOfReactions>" RX("F", "true", "A", "B",
                                                  AP3("times", CI("k"), CI("A"), CI("B")))
                     RX("G", "true", "B", "D",
                        AP3("times", CI("k"), CI("B"), CI("D"))) "</listOfReactions>" TAIL,
                 MT_EUNSUPPORTED, "fast reaction equilibrium not linear in");
    /* an event that sets a species of a fast reaction */
    expect_error(
        FAST_HEAD "<listOfReactions>" RX(
            "F", "true", "A", "B",
            AP("times", CI("k"),
               CI("A"))) "</listOfReactions><listOfEvents><event id='e' "
                         "useValuesFromTriggerTime='true'><trigger initialValue='true' "
                         "persistent='true'>" MATH AP(
                             "gt", CI("D"),
                             CN(2)) "</math></trigger><listOfEventAssignments><eventAssignment "
                                    "variable='A'>" MATH CN(7) "</math></eventAssignment></"
                                                               "listOfEventAssignments></event>"
                                                               "</listOfEvents>" TAIL,
        MT_EUNSUPPORTED, "a species of a fast reaction");
    /* k = 0: the fast reaction is switched off and does not determine A: an error at run time */
    const char *off = FAST_HEAD "<listOfReactions>" RX(
        "F", "true", "A", "B", AP("times", CN(0), CI("A"))) "</listOfReactions>" TAIL;
    const char *ids[] = {"A", NULL};
    mt_result *r = run(off, 1, 1, ids);
    ASSERT_TRUE(r == NULL);
    ASSERT_TRUE(strstr(mt_errmsg(ctx), "do not determine 'A'") != NULL);
}

/* A fast reaction between boundary species changes nothing (and is no equation). */
TEST(fast_reaction_without_variable_species)
{
    const char *xml =
        "<?xml version='1.0' encoding='UTF-8'?><sbml "
        "xmlns='http://www.sbml.org/sbml/level3/version1/core' level='3' version='1'><model "
        "id='m'><listOfCompartments><compartment id='C' size='1' constant='true'/>"
        "</listOfCompartments><listOfSpecies><species id='A' compartment='C' initialAmount='1' "
        "hasOnlySubstanceUnits='false' boundaryCondition='true' constant='false'/><species "
        "id='B' compartment='C' initialAmount='0' hasOnlySubstanceUnits='false' "
        "boundaryCondition='true' constant='false'/></listOfSpecies><listOfReactions>" RX(
            "F", "true", "A", "B", CI("A")) "</listOfReactions>" TAIL;
    const char *ids[] = {"A", "B", NULL};
    mt_result *r = run(xml, 1, 1, ids);
    ASSERT_TRUE(r != NULL);
    ASSERT_NEAR(mt_result_value(r, 1, 0), 1, 0);
    ASSERT_NEAR(mt_result_value(r, 1, 1), 0, 0);
    mt_result_destroy(r);
}

/* A -> B fast at k A B (k > 0, A = 3 and B = 1 at first, amounts): the root the reaction
 * reaches is A = 0 (B = 0 is a root too, behind the start); found by marching along the flow. */
TEST(fast_reaction_nonlinear)
{
    const char *xml =
        "<?xml version='1.0' encoding='UTF-8'?><sbml "
        "xmlns='http://www.sbml.org/sbml/level3/version1/core' level='3' version='1'><model "
        "id='m'><listOfCompartments><compartment id='C' size='2' constant='true'/>"
        "</listOfCompartments><listOfSpecies>" SPEC("A", 3)
            SPEC("B", 1) "</listOfSpecies><listOfParameters>" PC(
                "k", 0.3) "</listOfParameters><listOfReactions>" RX("F", "true", "A", "B",
                                                                    AP3("times", CI("k"), CI("A"),
                                                                        CI("B"))) "</"
                                                                                  "listOfReactions"
                                                                                  ">" TAIL;
    const char *ids[] = {"A", "B", NULL};
    mt_result *r = run(xml, 1, 2, ids);
    ASSERT_TRUE(r != NULL);
    for (size_t k = 0; k < mt_result_n_rows(r); k++) {
        ASSERT_NEAR(mt_result_value(r, k, 0), 0, 1e-12);
        ASSERT_NEAR(mt_result_value(r, k, 1), 2, 1e-12);
    }
    mt_result_destroy(r);
}

/* A -> B fast at k A with k = 0 until an event at t = 1 sets it to 1: the reaction is switched
 * off, A stays (a root along the flow; A has no slow reaction), then A goes to 0 at once. With
 * a slow reaction that makes A, keeping A would be wrong: an error while k = 0. */
TEST(fast_reaction_switched_off)
{
#define SWITCH_EVENT                                                                               \
    "<listOfEvents><event id='e' useValuesFromTriggerTime='true'><trigger initialValue='true' "    \
    "persistent='true'>" MATH "<apply><geq/><csymbol encoding='text' "                             \
    "definitionURL='http://www.sbml.org/sbml/symbols/time'>t</csymbol>" CN(                        \
        1) "</apply></math></trigger><listOfEventAssignments><eventAssignment variable='kv'>" MATH \
        CN(1) "</math></eventAssignment></listOfEventAssignments></event></listOfEvents>"
    const char *xml = FAST_HEAD "<listOfReactions>" RX(
        "F", "true", "A", "B",
        AP("times", CI("kv"), CI("A"))) "</listOfReactions>" SWITCH_EVENT TAIL;
    const char *ids[] = {"A", "B", NULL};
    mt_result *r = run(xml, 2, 4, ids);
    ASSERT_TRUE(r != NULL);
    for (size_t k = 0; k < mt_result_n_rows(r); k++) {
        int on = mt_result_time(r, k) >= 1;
        ASSERT_NEAR(mt_result_value(r, k, 0), on ? 0 : 1.5, 1e-9);
        ASSERT_NEAR(mt_result_value(r, k, 1), on ? 1.5 : 0, 1e-9);
    }
    mt_result_destroy(r);
    const char *made =
        FAST_HEAD "<listOfReactions>" RX("F", "true", "A", "B", AP("times", CI("kv"), CI("A")))
            RX("S", "false", "D", "A",
               AP("times", CI("k"), CI("D"))) "</listOfReactions>" SWITCH_EVENT TAIL;
    r = run(made, 2, 4, ids);
    ASSERT_TRUE(r == NULL);
    ASSERT_TRUE(strstr(mt_errmsg(ctx), "do not determine 'A'") != NULL);
#undef SWITCH_EVENT
}

TEST(setup) { ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK); }
TEST(cleanup) { mt_ctx_destroy(ctx); }

TEST_MAIN(TEST_ENTRY(setup), TEST_ENTRY(linear_rule), TEST_ENTRY(coupled_linear_system),
          TEST_ENTRY(species_and_assignment_rule), TEST_ENTRY(event_target_is_last_resort),
          TEST_ENTRY(overdetermined), TEST_ENTRY(singular), TEST_ENTRY(nonlinear_newton),
          TEST_ENTRY(newton_failure_is_an_error), TEST_ENTRY(nonlinear_coupled_is_refused),
          TEST_ENTRY(event_assigns_determined_variable), TEST_ENTRY(fast_reaction_equilibrium),
          TEST_ENTRY(fast_reaction_refusals), TEST_ENTRY(fast_reaction_nonlinear),
          TEST_ENTRY(fast_reaction_switched_off),
          TEST_ENTRY(fast_reaction_without_variable_species), TEST_ENTRY(cleanup))
