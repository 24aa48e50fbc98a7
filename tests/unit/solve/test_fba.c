/* SPDX-License-Identifier: Apache-2.0
 * tests/unit/solve/test_fba.c — flux balance analysis (src/solve/fba.c and its SBML reader
 * src/model/sbml_fbc.c) on a small network whose optima are worked out by hand:
 *
 *     Rin: X -> A   (X, Y boundary species)     A balance: Rin = R1 + R2
 *     R1:  A -> B                               B balance: R1  = R3
 *     R2:  A -> 2 C                             C balance: 2 R2 = R4
 *     R3:  B -> Y   (R3 <= 4)
 *     R4:  C -> Y
 *
 * Objective R3 + R4 = R1 + 2 R2. Maximised with Rin <= 10: R2 = 10, R1 = 0, value 20.
 * Minimised with Rin >= 2: R1 = 2, R2 = 0, value 2. Rin >= 5 with R2 <= 0 forces R3 = Rin >= 5
 * against R3 <= 4: infeasible. */
#define _POSIX_C_SOURCE 200809L
#include "harness.h"
#include "medtwin/fba.h"

#include <math.h>
#include <stdlib.h>
#include <unistd.h>

#define TOL 1e-9

static const char *const species_and_reactions =
    "<listOfCompartments><compartment id='cell' size='1' constant='true'/></listOfCompartments>"
    "<listOfSpecies>"
    "<species id='X' compartment='cell' initialAmount='0' hasOnlySubstanceUnits='true'"
    " boundaryCondition='true' constant='false'/>"
    "<species id='Y' compartment='cell' initialAmount='0' hasOnlySubstanceUnits='true'"
    " boundaryCondition='true' constant='false'/>"
    "<species id='A' compartment='cell' initialAmount='0' hasOnlySubstanceUnits='true'"
    " boundaryCondition='false' constant='false'/>"
    "<species id='B' compartment='cell' initialAmount='0' hasOnlySubstanceUnits='true'"
    " boundaryCondition='false' constant='false'/>"
    "<species id='C' compartment='cell' initialAmount='0' hasOnlySubstanceUnits='true'"
    " boundaryCondition='false' constant='false'/>"
    "</listOfSpecies>";

/* One reaction; bounds are either fbc v2 attributes (v2 != NULL) or nothing. */
static int put_reaction(char *buf, size_t cap, const char *id, const char *from, const char *to,
                        double n_to, const char *v2_bounds)
{
    return snprintf(buf, cap,
                    "<reaction id='%s' reversible='false' %s>"
                    "<listOfReactants><speciesReference species='%s' stoichiometry='1'"
                    " constant='true'/></listOfReactants>"
                    "<listOfProducts><speciesReference species='%s' stoichiometry='%g'"
                    " constant='true'/></listOfProducts></reaction>",
                    id, v2_bounds ? v2_bounds : "", from, to, n_to);
}

/* Writes the network as fbc v2 (bounds through parameters) to a temporary file. in_lo/in_hi
 * bound Rin, r2_hi bounds R2; r2_hi is set by an initial assignment, which replaces the
 * parameter's attribute (999). OUT: path (caller removes it). */
static int write_v2(char *path, double in_lo, double in_hi, double r2_hi, const char *sense)
{
    static char doc[16384];
    char rx[5][1024];
    put_reaction(rx[0], sizeof rx[0], "Rin", "X", "A", 1,
                 "fbc:lowerFluxBound='in_lo' fbc:upperFluxBound='in_hi'");
    put_reaction(rx[1], sizeof rx[1], "R1", "A", "B", 1,
                 "fbc:lowerFluxBound='zero' fbc:upperFluxBound='big'");
    put_reaction(rx[2], sizeof rx[2], "R2", "A", "C", 2,
                 "fbc:lowerFluxBound='zero' fbc:upperFluxBound='r2_hi'");
    put_reaction(rx[3], sizeof rx[3], "R3", "B", "Y", 1,
                 "fbc:lowerFluxBound='zero' fbc:upperFluxBound='four'");
    put_reaction(rx[4], sizeof rx[4], "R4", "C", "Y", 1,
                 "fbc:lowerFluxBound='zero' fbc:upperFluxBound='big'");
    int n = snprintf(
        doc, sizeof doc,
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        "<sbml xmlns='http://www.sbml.org/sbml/level3/version2/core' level='3' version='2'"
        " xmlns:fbc='http://www.sbml.org/sbml/level3/version1/fbc/version2'"
        " fbc:required='false'>"
        "<model id='chain' fbc:strict='false'>%s"
        "<listOfParameters>"
        "<parameter id='in_lo' value='%.17g' constant='true'/>"
        "<parameter id='in_hi' value='%.17g' constant='true'/>"
        "<parameter id='r2_hi' value='999' constant='true'/>"
        "<parameter id='zero' value='0' constant='true'/>"
        "<parameter id='four' value='4' constant='true'/>"
        "<parameter id='big' value='INF' constant='true'/>"
        "</listOfParameters>"
        "<listOfInitialAssignments><initialAssignment symbol='r2_hi'>"
        "<math xmlns='http://www.w3.org/1998/Math/MathML'><cn>%.17g</cn></math>"
        "</initialAssignment></listOfInitialAssignments>"
        "<listOfReactions>%s%s%s%s%s</listOfReactions>"
        "<fbc:listOfObjectives fbc:activeObjective='obj'>"
        "<fbc:objective fbc:id='other' fbc:type='maximize'><fbc:listOfFluxObjectives>"
        "<fbc:fluxObjective fbc:reaction='R1' fbc:coefficient='1'/>"
        "</fbc:listOfFluxObjectives></fbc:objective>"
        "<fbc:objective fbc:id='obj' fbc:type='%s'><fbc:listOfFluxObjectives>"
        "<fbc:fluxObjective fbc:reaction='R3' fbc:coefficient='1'/>"
        "<fbc:fluxObjective fbc:reaction='R4' fbc:coefficient='1'/>"
        "</fbc:listOfFluxObjectives></fbc:objective></fbc:listOfObjectives>"
        "</model></sbml>\n",
        species_and_reactions, in_lo, in_hi, r2_hi, rx[0], rx[1], rx[2], rx[3], rx[4], sense);
    if (n < 0 || (size_t)n >= sizeof doc)
        return -1;
    snprintf(path, 64, "/tmp/mt_test_fba_XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0)
        return -1;
    FILE *f = fdopen(fd, "w");
    if (!f) {
        close(fd);
        return -1;
    }
    fputs(doc, f);
    return fclose(f) == 0 ? 0 : -1;
}

/* The same network in fbc v1: FluxBound elements, Rin <= 10 as lessEqual, R3 <= 4. */
static int write_v1(char *path)
{
    static char doc[16384];
    char rx[5][1024];
    put_reaction(rx[0], sizeof rx[0], "Rin", "X", "A", 1, NULL);
    put_reaction(rx[1], sizeof rx[1], "R1", "A", "B", 1, NULL);
    put_reaction(rx[2], sizeof rx[2], "R2", "A", "C", 2, NULL);
    put_reaction(rx[3], sizeof rx[3], "R3", "B", "Y", 1, NULL);
    put_reaction(rx[4], sizeof rx[4], "R4", "C", "Y", 1, NULL);
    const char *ge0 = "fbc:operation='greaterEqual' fbc:value='0'";
    int n =
        snprintf(doc, sizeof doc,
                 "<?xml version='1.0' encoding='UTF-8'?>\n"
                 "<sbml xmlns='http://www.sbml.org/sbml/level3/version2/core' level='3' version='2'"
                 " xmlns:fbc='http://www.sbml.org/sbml/level3/version1/fbc/version1'"
                 " fbc:required='false'>"
                 "<model id='chain1'>%s<listOfReactions>%s%s%s%s%s</listOfReactions>"
                 "<fbc:listOfFluxBounds>"
                 "<fbc:fluxBound fbc:id='b0' fbc:reaction='Rin' %s/>"
                 "<fbc:fluxBound fbc:id='b1' fbc:reaction='Rin' fbc:operation='lessEqual'"
                 " fbc:value='10'/>"
                 "<fbc:fluxBound fbc:id='b2' fbc:reaction='R1' %s/>"
                 "<fbc:fluxBound fbc:id='b3' fbc:reaction='R2' %s/>"
                 "<fbc:fluxBound fbc:id='b4' fbc:reaction='R3' %s/>"
                 "<fbc:fluxBound fbc:id='b5' fbc:reaction='R3' fbc:operation='lessEqual'"
                 " fbc:value='4'/>"
                 "<fbc:fluxBound fbc:id='b6' fbc:reaction='R4' %s/>"
                 "</fbc:listOfFluxBounds>"
                 "<fbc:listOfObjectives fbc:activeObjective='obj'>"
                 "<fbc:objective fbc:id='obj' fbc:type='maximize'><fbc:listOfFluxObjectives>"
                 "<fbc:fluxObjective fbc:reaction='R3' fbc:coefficient='1'/>"
                 "<fbc:fluxObjective fbc:reaction='R4' fbc:coefficient='1'/>"
                 "</fbc:listOfFluxObjectives></fbc:objective></fbc:listOfObjectives>"
                 "</model></sbml>\n",
                 species_and_reactions, rx[0], rx[1], rx[2], rx[3], rx[4], ge0, ge0, ge0, ge0, ge0);
    if (n < 0 || (size_t)n >= sizeof doc)
        return -1;
    snprintf(path, 64, "/tmp/mt_test_fba_XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0)
        return -1;
    FILE *f = fdopen(fd, "w");
    if (!f) {
        close(fd);
        return -1;
    }
    fputs(doc, f);
    return fclose(f) == 0 ? 0 : -1;
}

static double flux(const mt_fba *f, const char *id)
{
    double v;
    return mt_fba_flux(f, id, &v) == MT_OK ? v : NAN;
}

/* Loads and solves path; OUT: *ctx_out and *out (caller destroys both). */
static mt_status load_solve(const char *path, mt_ctx **ctx_out, mt_fba **out)
{
    *out = NULL;
    if (mt_ctx_create(ctx_out) != MT_OK)
        return MT_ENOMEM;
    mt_status st = mt_fba_load_file(*ctx_out, path, out);
    remove(path);
    if (st != MT_OK)
        return st;
    return mt_fba_solve(*out, *ctx_out);
}

TEST(maximize_v2)
{
    char path[64];
    ASSERT_EQ_INT(write_v2(path, 0, 10, 1000, "maximize"), 0);
    ASSERT_TRUE(mt_fba_is_fbc_file(path));
    mt_ctx *ctx;
    mt_fba *f;
    mt_status st = load_solve(path, &ctx, &f);
    if (st != MT_OK)
        printf("# %s\n", mt_errmsg(ctx));
    ASSERT_EQ_INT(st, MT_OK);
    ASSERT_EQ_INT(mt_fba_get_outcome(f), MT_FBA_OPTIMAL);
    ASSERT_STR_EQ(mt_fba_objective_id(f), "obj");
    ASSERT_EQ_INT(mt_fba_objective_sense(f), MT_FBA_MAXIMIZE);
    ASSERT_EQ_INT(mt_fba_n_reactions(f), 5);
    ASSERT_EQ_INT(mt_fba_n_species(f), 3); /* X and Y are boundary species */
    ASSERT_NEAR(mt_fba_objective_value(f), 20, TOL);
    ASSERT_NEAR(flux(f, "Rin"), 10, TOL);
    ASSERT_NEAR(flux(f, "R1"), 0, TOL);
    ASSERT_NEAR(flux(f, "R2"), 10, TOL);
    ASSERT_NEAR(flux(f, "R3"), 0, TOL);
    ASSERT_NEAR(flux(f, "R4"), 20, TOL);
    double v;
    ASSERT_EQ_INT(mt_fba_flux(f, "nope", &v), MT_ENOTFOUND);
    mt_fba_destroy(f);
    mt_ctx_destroy(ctx);
}

TEST(minimize_v2)
{
    char path[64];
    ASSERT_EQ_INT(write_v2(path, 2, 10, 1000, "minimize"), 0);
    mt_ctx *ctx;
    mt_fba *f;
    ASSERT_EQ_INT(load_solve(path, &ctx, &f), MT_OK);
    ASSERT_EQ_INT(mt_fba_objective_sense(f), MT_FBA_MINIMIZE);
    ASSERT_NEAR(mt_fba_objective_value(f), 2, TOL);
    ASSERT_NEAR(flux(f, "Rin"), 2, TOL);
    ASSERT_NEAR(flux(f, "R1"), 2, TOL);
    ASSERT_NEAR(flux(f, "R2"), 0, TOL);
    ASSERT_NEAR(flux(f, "R3"), 2, TOL);
    mt_fba_destroy(f);
    mt_ctx_destroy(ctx);
}

/* r2_hi's initial assignment (0) replaces its attribute (999): everything must go through R3,
 * which cannot carry the 5 that Rin must carry. */
TEST(infeasible_v2)
{
    char path[64];
    ASSERT_EQ_INT(write_v2(path, 5, 10, 0, "maximize"), 0);
    mt_ctx *ctx;
    mt_fba *f;
    ASSERT_EQ_INT(load_solve(path, &ctx, &f), MT_ESOLVER);
    ASSERT_EQ_INT(mt_fba_get_outcome(f), MT_FBA_INFEASIBLE);
    ASSERT_TRUE(strstr(mt_errmsg(ctx), "infeasible") != NULL);
    ASSERT_TRUE(isnan(mt_fba_objective_value(f)));
    double v;
    ASSERT_EQ_INT(mt_fba_flux(f, "R1", &v), MT_EINVAL);
    ASSERT_TRUE(isnan(v));
    mt_fba_destroy(f);
    mt_ctx_destroy(ctx);
}

TEST(maximize_v1)
{
    char path[64];
    ASSERT_EQ_INT(write_v1(path), 0);
    ASSERT_TRUE(mt_fba_is_fbc_file(path));
    mt_ctx *ctx;
    mt_fba *f;
    mt_status st = load_solve(path, &ctx, &f);
    if (st != MT_OK)
        printf("# %s\n", mt_errmsg(ctx));
    ASSERT_EQ_INT(st, MT_OK);
    ASSERT_NEAR(mt_fba_objective_value(f), 20, TOL);
    ASSERT_NEAR(flux(f, "R2"), 10, TOL);
    ASSERT_NEAR(flux(f, "R4"), 20, TOL);
    mt_fba_destroy(f);
    mt_ctx_destroy(ctx);
}

/* Built by hand: crossed bounds are reported as infeasible by name; an open-ended objective is
 * unbounded; a species listed twice in one reaction has its coefficients summed. */
TEST(builder)
{
    mt_ctx *ctx;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    mt_fba *f;
    ASSERT_EQ_INT(mt_fba_create(ctx, &f), MT_OK);
    ASSERT_EQ_INT(mt_fba_add_reaction(f, "in", 0, 3), MT_OK);
    ASSERT_EQ_INT(mt_fba_add_reaction(f, "out", 0, INFINITY), MT_OK);
    ASSERT_EQ_INT(mt_fba_add_reaction(f, "in", 0, 1), MT_EINVAL);
    ASSERT_EQ_INT(mt_fba_add_reaction(f, "bad", NAN, 1), MT_EINVAL);
    /* in: -> 2 A (as A + A); out: A -> */
    ASSERT_EQ_INT(mt_fba_add_stoichiometry(f, "A", "in", 1), MT_OK);
    ASSERT_EQ_INT(mt_fba_add_stoichiometry(f, "A", "in", 1), MT_OK);
    ASSERT_EQ_INT(mt_fba_add_stoichiometry(f, "A", "out", -1), MT_OK);
    ASSERT_EQ_INT(mt_fba_add_stoichiometry(f, "A", "nope", 1), MT_ENOTFOUND);
    ASSERT_EQ_INT(mt_fba_set_objective(f, "z", MT_FBA_MAXIMIZE), MT_OK);
    ASSERT_EQ_INT(mt_fba_add_objective_coef(f, "out", 1), MT_OK);
    ASSERT_EQ_INT(mt_fba_solve(f, NULL), MT_OK);
    ASSERT_NEAR(mt_fba_objective_value(f), 6, TOL);
    ASSERT_NEAR(flux(f, "out"), 6, TOL);

    ASSERT_EQ_INT(mt_fba_set_bounds(f, "in", 2, 1), MT_OK);
    ASSERT_EQ_INT(mt_fba_get_outcome(f), MT_FBA_UNSOLVED);
    ASSERT_EQ_INT(mt_fba_solve(f, ctx), MT_ESOLVER);
    ASSERT_EQ_INT(mt_fba_get_outcome(f), MT_FBA_INFEASIBLE);
    ASSERT_TRUE(strstr(mt_errmsg(ctx), "infeasible") && strstr(mt_errmsg(ctx), "'in'"));

    ASSERT_EQ_INT(mt_fba_set_bounds(f, "in", 0, INFINITY), MT_OK);
    ASSERT_EQ_INT(mt_fba_solve(f, ctx), MT_ESOLVER);
    ASSERT_EQ_INT(mt_fba_get_outcome(f), MT_FBA_UNBOUNDED);
    ASSERT_TRUE(strstr(mt_errmsg(ctx), "unbounded") != NULL);
    mt_fba_destroy(f);
    mt_ctx_destroy(ctx);
}

TEST(not_fbc)
{
    char path[] = "/tmp/mt_test_fba_XXXXXX";
    int fd = mkstemp(path);
    ASSERT_TRUE(fd >= 0);
    FILE *f = fdopen(fd, "w");
    ASSERT_TRUE(f != NULL);
    fputs("<?xml version='1.0' encoding='UTF-8'?>\n<sbml "
          "xmlns='http://www.sbml.org/sbml/level3/version2/core'"
          " level='3' version='2'><model id='m'/></sbml>\n",
          f);
    fclose(f);
    ASSERT_FALSE(mt_fba_is_fbc_file(path));
    ASSERT_FALSE(mt_fba_is_fbc_file("/nonexistent/model.xml"));
    mt_ctx *ctx;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    mt_fba *fba = (mt_fba *)1;
    mt_status st = mt_fba_load_file(ctx, path, &fba);
    if (st != MT_EINVAL)
        printf("# %s\n", mt_errmsg(ctx));
    ASSERT_EQ_INT(st, MT_EINVAL);
    ASSERT_TRUE(fba == NULL);
    ASSERT_TRUE(strstr(mt_errmsg(ctx), "fbc") != NULL);
    remove(path);
    mt_ctx_destroy(ctx);
}

TEST_MAIN(TEST_ENTRY(maximize_v2), TEST_ENTRY(minimize_v2), TEST_ENTRY(infeasible_v2),
          TEST_ENTRY(maximize_v1), TEST_ENTRY(builder), TEST_ENTRY(not_fbc))
