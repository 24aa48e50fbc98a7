/* SPDX-License-Identifier: Apache-2.0
 *
 * model/sbml_fbc.c — reads an SBML Level 3 model that uses the flux balance
 * constraints package (fbc v1 or v2) into an mt_fba problem. With
 * sbml_import.c, the only files that include libSBML; this one alone reads
 * the fbc plugin.
 *
 * It is a client of the public builder in medtwin/fba.h (it holds no
 * problem state of its own): libSBML reads and validates the document,
 * then
 *   - every reaction becomes a flux column; every species reference whose
 *     species is not a boundary species adds its stoichiometry to S
 *     (reactants negative, products positive; modifiers are ignored);
 *   - bounds come from fbc v1 FluxBound elements (lessEqual, greaterEqual,
 *     equal; several on one reaction intersect) or from the fbc v2
 *     lowerFluxBound/upperFluxBound parameters. A bound that is absent is
 *     infinite; the core `reversible` attribute is not a bound;
 *   - parameter values and stoichiometries are their values at time zero:
 *     the attribute, replaced by an initial assignment or an assignment rule
 *     (evaluated here, arithmetic only), as fbc's non-strict models allow;
 *   - the objective is the active one (or the only one), with its
 *     coefficients and sense.
 * Kinetic laws, rate rules and events play no part in flux balance and are
 * ignored. What it does not implement (fbc v3 user constraints, quadratic
 * objectives, comp, algebraic rules, functions or conditions in a bound) is
 * refused with MT_EUNSUPPORTED and "unsupported: <what>".
 * Cost: linear in the size of the document.
 */
#include "medtwin/fba.h"
#include "model/sbml_read.h"
#include "util/util.h"

#include <sbml/SBMLTypes.h>
#include <sbml/packages/fbc/common/FbcExtensionTypes.h>

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Depth of symbol references and expressions evaluated. (The file itself is
 * read through mt_sbml_open, which guards libSBML against hostile text.) */
#define MAX_EVAL_DEPTH 256
#define MAX_FUNCTION_DEFS 32
#define FBC_NS "http://www.sbml.org/sbml/level3/version1/fbc/version"

/* Never NULL, for messages. */
static const char *str(const char *s) { return s ? s : ""; }

typedef struct {
    mt_ctx *ctx;
    Model_t *sm;
    mt_fba *f;
    mt_status st; /* the first failure */
} rd;

/* Records the first failure (status and message) and returns it. */
static mt_status fail(rd *r, mt_status st, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static mt_status fail(rd *r, mt_status st, const char *fmt, ...)
{
    if (r->st == MT_OK) {
        char buf[900];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(buf, sizeof buf, fmt, ap);
        va_end(ap);
        r->st = st;
        mt_error(r->ctx, st, "%s", buf);
    }
    return r->st;
}

/* ---------- a cheap look at the text before libSBML reads it ---------- */

/* Skips up to and including the terminator term. Returns 0, or -1 at EOF. */
int mt_fba_is_fbc_file(const char *path)
{
    FILE *fp = path ? fopen(path, "rb") : NULL;
    if (!fp)
        return 0;
    static const size_t cap = 65536;
    char *buf = malloc(cap + 1);
    size_t n = buf ? fread(buf, 1, cap, fp) : 0;
    fclose(fp);
    if (!buf)
        return 0;
    buf[n] = '\0';
    /* The package is declared on the root element (the fbc namespace); the
     * search stops at the end of that start tag. */
    int found = 0;
    char *root = strstr(buf, "<sbml");
    if (root) {
        char *end = strchr(root, '>');
        if (end)
            *end = '\0';
        found = strstr(root, FBC_NS) != NULL;
    }
    free(buf);
    return found;
}

/* ---------- document checks ---------- */

static mt_status report_errors(rd *r, SBMLDocument_t *d, const char *what)
{
    mt_status st = mt_sbml_errors(r->ctx, d, what);
    if (st != MT_OK)
        r->st = st;
    return st;
}

/* ---------- values at time zero ---------- */

static mt_status eval_symbol(rd *r, const char *id, int depth, double *out);

static mt_status eval_ast(rd *r, const ASTNode_t *n, int depth, double *out)
{
    *out = NAN;
    if (!n)
        return fail(r, MT_ESBML, "math element without content");
    if (depth > MAX_EVAL_DEPTH)
        return fail(r, MT_ELIMIT, "expression nested too deeply");
    ASTNodeType_t t = ASTNode_getType(n);
    unsigned nc = ASTNode_getNumChildren(n);
    double a[2] = {0, 0};
    switch (t) {
    case AST_INTEGER:
        *out = (double)ASTNode_getInteger(n);
        return MT_OK;
    case AST_REAL:
    case AST_REAL_E:
    case AST_RATIONAL:
        *out = ASTNode_getReal(n);
        return MT_OK;
    case AST_CONSTANT_E:
        *out = exp(1.0);
        return MT_OK;
    case AST_CONSTANT_PI:
        *out = acos(-1.0);
        return MT_OK;
    case AST_CONSTANT_TRUE:
        *out = 1;
        return MT_OK;
    case AST_CONSTANT_FALSE:
        *out = 0;
        return MT_OK;
    case AST_NAME_TIME:
        *out = 0;
        return MT_OK;
    case AST_NAME_AVOGADRO:
        *out = 6.02214179e23;
        return MT_OK;
    case AST_NAME:
        return eval_symbol(r, ASTNode_getName(n), depth + 1, out);
    case AST_PLUS:
    case AST_TIMES: {
        double acc = t == AST_PLUS ? 0 : 1;
        for (unsigned i = 0; i < nc; i++) {
            if (eval_ast(r, ASTNode_getChild(n, i), depth + 1, &a[0]) != MT_OK)
                return r->st;
            acc = t == AST_PLUS ? acc + a[0] : acc * a[0];
        }
        *out = acc;
        return MT_OK;
    }
    case AST_FUNCTION_MAX:
    case AST_FUNCTION_MIN: {
        if (!nc)
            break;
        double acc = t == AST_FUNCTION_MAX ? -INFINITY : INFINITY;
        for (unsigned i = 0; i < nc; i++) {
            if (eval_ast(r, ASTNode_getChild(n, i), depth + 1, &a[0]) != MT_OK)
                return r->st;
            acc = t == AST_FUNCTION_MAX ? fmax(acc, a[0]) : fmin(acc, a[0]);
        }
        *out = acc;
        return MT_OK;
    }
    case AST_MINUS:
    case AST_DIVIDE:
    case AST_POWER:
    case AST_FUNCTION_POWER:
    case AST_FUNCTION_ROOT:
    case AST_FUNCTION_LOG:
    case AST_FUNCTION_ABS:
    case AST_FUNCTION_EXP:
    case AST_FUNCTION_LN:
    case AST_FUNCTION_FLOOR:
    case AST_FUNCTION_CEILING:
        if (nc < 1 || nc > 2)
            break;
        for (unsigned i = 0; i < nc; i++)
            if (eval_ast(r, ASTNode_getChild(n, i), depth + 1, &a[i]) != MT_OK)
                return r->st;
        if (nc == 2) {
            switch (t) {
            case AST_MINUS:
                *out = a[0] - a[1];
                return MT_OK;
            case AST_DIVIDE:
                *out = a[0] / a[1];
                return MT_OK;
            case AST_POWER:
            case AST_FUNCTION_POWER:
                *out = pow(a[0], a[1]);
                return MT_OK;
            case AST_FUNCTION_ROOT: /* (degree, value) */
                *out = pow(a[1], 1.0 / a[0]);
                return MT_OK;
            case AST_FUNCTION_LOG: /* (base, value) */
                *out = log(a[1]) / log(a[0]);
                return MT_OK;
            default:
                break;
            }
            break;
        }
        switch (t) {
        case AST_MINUS:
            *out = -a[0];
            return MT_OK;
        case AST_FUNCTION_ROOT:
            *out = sqrt(a[0]);
            return MT_OK;
        case AST_FUNCTION_LOG:
            *out = log10(a[0]);
            return MT_OK;
        case AST_FUNCTION_ABS:
            *out = fabs(a[0]);
            return MT_OK;
        case AST_FUNCTION_EXP:
            *out = exp(a[0]);
            return MT_OK;
        case AST_FUNCTION_LN:
            *out = log(a[0]);
            return MT_OK;
        case AST_FUNCTION_FLOOR:
            *out = floor(a[0]);
            return MT_OK;
        case AST_FUNCTION_CEILING:
            *out = ceil(a[0]);
            return MT_OK;
        default:
            break;
        }
        break;
    default:
        break;
    }
    const char *name = ASTNode_getName(n);
    return fail(r, MT_EUNSUPPORTED,
                "unsupported: '%s' in the math of a flux bound or stoichiometry (only "
                "arithmetic, abs/exp/ln/log/root/floor/ceiling/min/max are evaluated)",
                name ? name : "operator");
}

/* A species symbol in math means its concentration unless it has only
 * substance units. */
static mt_status species_value(rd *r, const Species_t *s, int depth, double *out)
{
    int amount = Species_isSetInitialAmount(s) != 0;
    int hosu = Species_getHasOnlySubstanceUnits(s) != 0;
    if (!amount && !Species_isSetInitialConcentration(s))
        return MT_OK; /* no value: NaN */
    double v = amount ? Species_getInitialAmount(s) : Species_getInitialConcentration(s);
    if (amount != hosu) { /* between amount and concentration */
        double size;
        if (eval_symbol(r, Species_getCompartment(s), depth + 1, &size) != MT_OK)
            return r->st;
        v = amount ? v / size : v * size;
    }
    *out = v;
    return MT_OK;
}

/* The value of the symbol id at time zero; NaN when it has none. */
static mt_status eval_symbol(rd *r, const char *id, int depth, double *out)
{
    *out = NAN;
    if (!id)
        return fail(r, MT_ESBML, "reference without an id");
    if (depth > MAX_EVAL_DEPTH)
        return fail(r, MT_ELIMIT, "the value of '%s' depends on itself or nests too deeply", id);
    Rule_t *rule = Model_getRuleByVar(r->sm, id);
    if (rule && Rule_isAssignment(rule) && Rule_isSetMath(rule))
        return eval_ast(r, Rule_getMath(rule), depth + 1, out);
    InitialAssignment_t *ia = Model_getInitialAssignmentBySym(r->sm, id);
    if (ia && InitialAssignment_isSetMath(ia))
        return eval_ast(r, InitialAssignment_getMath(ia), depth + 1, out);
    Parameter_t *p = Model_getParameterById(r->sm, id);
    if (p) {
        if (Parameter_isSetValue(p))
            *out = Parameter_getValue(p);
        return MT_OK;
    }
    Compartment_t *c = Model_getCompartmentById(r->sm, id);
    if (c) {
        if (Compartment_isSetSize(c))
            *out = Compartment_getSize(c);
        return MT_OK;
    }
    Species_t *s = Model_getSpeciesById(r->sm, id);
    if (s)
        return species_value(r, s, depth, out);
    SpeciesReference_t *sr = Model_getSpeciesReferenceById(r->sm, id);
    if (sr) {
        if (SpeciesReference_isSetStoichiometry(sr))
            *out = SpeciesReference_getStoichiometry(sr);
        return MT_OK;
    }
    if (Model_getReactionById(r->sm, id))
        return fail(r, MT_EUNSUPPORTED,
                    "unsupported: the rate of reaction '%s' in a flux bound or stoichiometry", id);
    return fail(r, MT_ESBML, "unknown symbol '%s'", id);
}

/* ---------- the network ---------- */

static mt_status add_refs(rd *r, Reaction_t *rx, const char *rid, int products)
{
    unsigned n = products ? Reaction_getNumProducts(rx) : Reaction_getNumReactants(rx);
    for (unsigned k = 0; k < n; k++) {
        SpeciesReference_t *sr =
            products ? Reaction_getProduct(rx, k) : Reaction_getReactant(rx, k);
        const char *sid = SpeciesReference_getSpecies(sr);
        Species_t *s = sid ? Model_getSpeciesById(r->sm, sid) : NULL;
        if (!s)
            return fail(r, MT_ESBML, "reaction '%s' refers to an unknown species '%s'", rid,
                        sid ? sid : "");
        if (Species_getBoundaryCondition(s))
            continue;
        double v = NAN;
        const char *srid = SpeciesReference_getId(sr);
        if (srid && *srid) {
            if (eval_symbol(r, srid, 0, &v) != MT_OK)
                return r->st;
        } else if (SpeciesReference_isSetStoichiometry(sr)) {
            v = SpeciesReference_getStoichiometry(sr);
        }
        if (!isfinite(v))
            return fail(r, MT_ESBML,
                        "the stoichiometry of species '%s' in reaction '%s' is "
                        "undefined or not finite",
                        sid, rid);
        mt_status st = mt_fba_add_stoichiometry(r->f, sid, rid, products ? v : -v);
        if (st != MT_OK)
            return r->st = st;
    }
    return MT_OK;
}

/* fbc v2: the value of the parameter a bound attribute names. */
static mt_status bound_param(rd *r, const char *rid, const char *pid, double *out)
{
    if (!Model_getParameterById(r->sm, pid))
        return fail(r, MT_ESBML,
                    "the flux bound of reaction '%s' names '%s', which is not a "
                    "parameter",
                    rid, pid);
    if (eval_symbol(r, pid, 0, out) != MT_OK)
        return r->st;
    if (isnan(*out))
        return fail(r, MT_ESBML, "flux bound parameter '%s' of reaction '%s' has no value", pid,
                    rid);
    return MT_OK;
}

static mt_status add_reactions(rd *r)
{
    unsigned n = Model_getNumReactions(r->sm);
    for (unsigned i = 0; i < n; i++) {
        Reaction_t *rx = Model_getReaction(r->sm, i);
        const char *rid = str(Reaction_getId(rx));
        double lo = -INFINITY, up = INFINITY;
        SBasePlugin_t *rp = SBase_getPlugin((SBase_t *)rx, "fbc");
        if (rp) {
            FbcSBasePlugin_t *fp = (FbcSBasePlugin_t *)rp;
            char *ids[2] = {NULL, NULL};
            if (FbcReactionPlugin_isSetLowerFluxBound(fp))
                ids[0] = FbcReactionPlugin_getLowerFluxBound(fp);
            if (FbcReactionPlugin_isSetUpperFluxBound(fp))
                ids[1] = FbcReactionPlugin_getUpperFluxBound(fp);
            mt_status st = MT_OK;
            if (ids[0] && *ids[0])
                st = bound_param(r, rid, ids[0], &lo);
            if (st == MT_OK && ids[1] && *ids[1])
                st = bound_param(r, rid, ids[1], &up);
            free(ids[0]);
            free(ids[1]);
            if (st != MT_OK)
                return st;
        }
        mt_status st = mt_fba_add_reaction(r->f, rid, lo, up);
        if (st != MT_OK)
            return r->st = st;
        if (add_refs(r, rx, rid, 0) != MT_OK || add_refs(r, rx, rid, 1) != MT_OK)
            return r->st;
    }
    return MT_OK;
}

/* fbc v1: FluxBound elements, intersected per reaction. */
static mt_status apply_flux_bounds(rd *r, SBasePlugin_t *mp)
{
    unsigned n = FbcModelPlugin_getNumFluxBounds(mp);
    if (!n)
        return MT_OK;
    size_t nr = mt_fba_n_reactions(r->f);
    double *lo = mt_malloc(r->ctx, nr * sizeof *lo), *up = mt_malloc(r->ctx, nr * sizeof *up);
    if (!lo || !up) {
        mt_free(r->ctx, lo);
        mt_free(r->ctx, up);
        return fail(r, MT_ENOMEM, "out of memory");
    }
    for (size_t j = 0; j < nr; j++) {
        lo[j] = -INFINITY;
        up[j] = INFINITY;
    }
    mt_status st = MT_OK;
    for (unsigned k = 0; k < n && st == MT_OK; k++) {
        FluxBound_t *fb = FbcModelPlugin_getFluxBound(mp, k);
        /* libSBML 5.19 returns these two as malloc'd copies, or as a literal "" when unset. */
        const char *rid_own = FluxBound_getReaction(fb), *op_own = FluxBound_getOperation(fb);
        const char *rid = str(rid_own), *op = str(op_own);
        size_t j;
        double v = FluxBound_getValue(fb);
        if (mt_fba_find_reaction(r->f, rid, &j) != MT_OK) {
            st = fail(r, MT_ESBML, "a flux bound names an unknown reaction '%s'", rid);
        } else if (!FluxBound_isSetValue(fb) || isnan(v)) {
            st = fail(r, MT_ESBML, "a flux bound of reaction '%s' has no value", rid);
        } else if (!strcmp(op, "lessEqual")) {
            up[j] = fmin(up[j], v);
        } else if (!strcmp(op, "greaterEqual")) {
            lo[j] = fmax(lo[j], v);
        } else if (!strcmp(op, "equal")) {
            lo[j] = fmax(lo[j], v);
            up[j] = fmin(up[j], v);
        } else {
            st = fail(r, MT_EUNSUPPORTED,
                      "unsupported: flux bound operation '%s' on reaction '%s' (fbc v1 allows "
                      "lessEqual, greaterEqual and equal)",
                      op, rid);
        }
        if (rid_own && *rid_own)
            free((void *)rid_own);
        if (op_own && *op_own)
            free((void *)op_own);
    }
    for (size_t j = 0; j < nr && st == MT_OK; j++)
        if (lo[j] != -INFINITY || up[j] != INFINITY)
            st = r->st = mt_fba_set_bounds(r->f, mt_fba_reaction_id(r->f, j), lo[j], up[j]);
    mt_free(r->ctx, lo);
    mt_free(r->ctx, up);
    return st;
}

static mt_status set_objective(rd *r, SBasePlugin_t *mp)
{
    unsigned n = FbcModelPlugin_getNumObjectives(mp);
    char *active = FbcModelPlugin_getActiveObjectiveId(mp);
    Objective_t *o = NULL;
    for (unsigned k = 0; k < n && !o; k++) {
        Objective_t *c = FbcModelPlugin_getObjective(mp, k);
        const char *oid = Objective_getId(c);
        if (active && *active ? oid && !strcmp(oid, active) : n == 1)
            o = c;
    }
    if (!o) {
        mt_status st =
            n ? fail(r, MT_ESBML, "the active objective '%s' is not defined", str(active))
              : fail(r, MT_ESBML, "the model defines no flux objective");
        free(active);
        return st;
    }
    free(active);
    const char *type = Objective_getType(o), *oid = str(Objective_getId(o));
    mt_fba_sense sense = MT_FBA_MAXIMIZE;
    if (type && !strcmp(type, "minimize"))
        sense = MT_FBA_MINIMIZE;
    else if (!type || strcmp(type, "maximize"))
        return fail(r, MT_ESBML, "objective '%s' has type '%s' (maximize or minimize)", oid,
                    str(type));
    mt_status st = mt_fba_set_objective(r->f, oid, sense);
    if (st != MT_OK)
        return r->st = st;
    unsigned nf = Objective_getNumFluxObjectives(o);
    for (unsigned k = 0; k < nf; k++) {
        FluxObjective_t *fo = Objective_getFluxObjective(o, k);
        const char *rid = str(FluxObjective_getReaction(fo));
        if (FluxObjective_isSetVariableType(fo) &&
            FluxObjective_getVariableType(fo) != FBC_VARIABLE_TYPE_LINEAR)
            return fail(r, MT_EUNSUPPORTED,
                        "unsupported: a non-linear (quadratic) flux objective on '%s'", rid);
        if (!FluxObjective_isSetCoefficient(fo))
            return fail(r, MT_ESBML, "the flux objective on '%s' has no coefficient", rid);
        st = mt_fba_add_objective_coef(r->f, rid, FluxObjective_getCoefficient(fo));
        if (st == MT_ENOTFOUND)
            return fail(r, MT_ESBML, "objective '%s' names an unknown reaction '%s'", oid, rid);
        if (st != MT_OK)
            return r->st = st;
    }
    return MT_OK;
}

static mt_status read_doc(rd *r, SBMLDocument_t *d)
{
    if (report_errors(r, d, "not valid SBML") != MT_OK)
        return r->st;
    r->sm = SBMLDocument_getModel(d);
    if (!r->sm)
        return fail(r, MT_ESBML, "not valid SBML: the document has no model");
    SBasePlugin_t *mp = SBase_getPlugin((SBase_t *)r->sm, "fbc");
    if (!mp)
        return fail(r, MT_EINVAL, "the model does not use flux balance constraints (fbc)");
    if (SBase_getPlugin((SBase_t *)r->sm, "comp"))
        return fail(r, MT_EUNSUPPORTED, "unsupported: flux balance on a hierarchical (comp) model");
    /* libSBML's check for recursive function definitions takes time of a
     * high power of their nesting; flux balance uses none of them. */
    if (Model_getNumFunctionDefinitions(r->sm) > MAX_FUNCTION_DEFS)
        return fail(r, MT_EUNSUPPORTED,
                    "unsupported: more than %d function definitions in a flux balance model",
                    MAX_FUNCTION_DEFS);
    SBMLDocument_setConsistencyChecks(d, LIBSBML_CAT_UNITS_CONSISTENCY, 0);
    SBMLDocument_setConsistencyChecks(d, LIBSBML_CAT_MODELING_PRACTICE, 0);
    if (SBMLDocument_checkConsistency(d) > 0 &&
        report_errors(r, d, "invalid SBML (consistency check)") != MT_OK)
        return r->st;
    if (FbcModelPlugin_getNumUserDefinedConstraints((FbcModelPlugin_t *)mp) > 0)
        return fail(r, MT_EUNSUPPORTED, "unsupported: fbc user-defined constraints");
    for (unsigned i = 0; i < Model_getNumRules(r->sm); i++)
        if (Rule_isAlgebraic(Model_getRule(r->sm, i)))
            return fail(r, MT_EUNSUPPORTED, "unsupported: algebraic rules in a flux balance model");
    if (add_reactions(r) != MT_OK || apply_flux_bounds(r, mp) != MT_OK ||
        set_objective(r, mp) != MT_OK)
        return r->st;
    return MT_OK;
}

mt_status mt_fba_load_file(mt_ctx *ctx, const char *path, mt_fba **out)
{
    *out = NULL;
    SBMLDocument_t *d = NULL;
    mt_status st = mt_sbml_open(ctx, path, &d);
    if (st != MT_OK)
        return st;
    rd r = {ctx, NULL, NULL, MT_OK};
    if (mt_fba_create(ctx, &r.f) != MT_OK)
        r.st = MT_ENOMEM;
    else
        read_doc(&r, d);
    SBMLDocument_free(d);
    if (r.st != MT_OK) {
        mt_fba_destroy(r.f);
        char msg[512];
        snprintf(msg, sizeof msg, "%s", mt_errmsg(ctx));
        return mt_error(ctx, r.st, "%s: %s", path, msg);
    }
    *out = r.f;
    return MT_OK;
}
