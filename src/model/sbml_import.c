/* SPDX-License-Identifier: Apache-2.0
 *
 * model/sbml_import.c — SBML (Levels 2 and 3, comp flattened) to model IR.
 * The only file that includes libSBML.
 *
 * libSBML reads and validates the document (XML, schema-level errors and
 * the consistency checks other than units, reported with line numbers) and
 * flattens hierarchical models with its comp flattening converter. This file
 * then maps the flat model onto value slots (model/ir.h):
 *   - MathML becomes mt_expr trees; function definitions are inlined at
 *     their call sites; local parameters become hidden slots;
 *   - a species whose symbol means a concentration and that no rule defines
 *     gets a hidden amount slot: reactions and events change the amount and
 *     the concentration is the rule amount / compartment size, which is what
 *     SBML prescribes when compartments change size;
 *   - reactions become rate rules on the amounts they change;
 *   - algebraic rules and fast reactions become rules solved by
 *     model/algebraic.c (map_algebraic_rules, fast_equilibrium).
 * Constructs whose semantics the engine does not implement yet are refused
 * with "unsupported: <what>" rather than simulated wrongly.
 * Cost: linear in the size of the document (hash lookups for ids).
 */
#define _XOPEN_SOURCE 700 /* realpath */
#include "model/algebraic.h"
#include "model/ir.h"
#include "model/sbml_read.h"
#include "util/util.h"

#include <sbml/SBMLTypes.h>
#include <sbml/conversion/ConversionProperties.h>
#include <sbml/xml/XMLInputStream.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MT_MAX_INLINE_DEPTH 64
/* Limits against hostile documents (found by tests/fuzz/fuzz_sbml.c):
 *  - expression nodes per model after inlining function definitions, which
 *    can double the size per level (f1(x) = f0(x) + f0(x), ...);
 *  - expression depth, since every pass over a tree recurses;
 *  - element nesting of the XML text: libSBML reads notes, annotations and
 *    MathML recursively and overflows the C stack on documents nested some
 *    ten thousand deep;
 *  - nesting of function definitions that call each other: libSBML's
 *    recursion check takes time of a high power of the chain length (60
 *    levels: seconds; 100: a minute). */
#define MT_MAX_EXPR_NODES 1000000
#define MT_MAX_EXPR_DEPTH 5000
#define MT_MAX_XML_DEPTH 1000
#define MT_MAX_FD_NESTING 32
#define MT_AVOGADRO 6.02214179e23
#define MT_E 2.71828182845904523536
#define MT_PI 3.14159265358979323846

typedef struct binding {
    const char *name;
    const mt_expr *value;
} binding;

typedef struct {
    mt_ctx *ctx;
    mt_model *m;
    Model_t *sm;
    unsigned level, version;
    /* kinetic-law scope */
    KineticLaw_t *kl;
    const char *rid;
    mt_status st;   /* first failure while converting math */
    size_t n_nodes; /* expression nodes made so far (MT_MAX_EXPR_NODES) */
    size_t nest;    /* conv() calls on the C stack (MT_MAX_EXPR_DEPTH) */
    /* algebraic rules between matching (map_rules) and solving (solve_algebraic_rules) */
    size_t n_alg;
    size_t n_alg_rules; /* the first n_alg_rules are SBML algebraic rules, then fast equilibria */
    mt_expr **alg_g;    /* the rules' expressions */
    int *alg_var;       /* the slot each determines */
    double *alg_flow;   /* fast equilibria: d var / d extent of the fast reaction, else 0 */
} imp;

static mt_status fail(imp *im, mt_status st, const char *fmt, const char *arg)
{
    if (im->st == MT_OK) {
        im->st = st;
        mt_error(im->ctx, st, fmt, arg);
    }
    return st;
}

/* ---------- MathML -> mt_expr ---------- */

static mt_expr *conv(imp *im, const ASTNode_t *n, const binding *b, size_t nb, int depth);

static mt_expr *conv_kids(imp *im, mt_expr_op op, const ASTNode_t *n, const binding *b, size_t nb,
                          int depth)
{
    mt_expr *e = mt_expr_new(im->ctx, op);
    if (!e)
        return NULL;
    unsigned nk = ASTNode_getNumChildren(n);
    for (unsigned i = 0; i < nk; i++) {
        if (mt_expr_push(im->ctx, e, conv(im, ASTNode_getChild(n, i), b, nb, depth)) != 0) {
            mt_expr_free(im->ctx, e);
            return NULL;
        }
    }
    return e;
}

/* Counts the nodes of e into *nodes; returns its depth. */
static size_t expr_measure(const mt_expr *e, size_t *nodes)
{
    size_t d = 0;
    ++*nodes;
    for (size_t i = 0; i < e->n; i++) {
        size_t k = expr_measure(e->k[i], nodes);
        if (k > d)
            d = k;
    }
    return d + 1;
}

static int over_limits(imp *im, size_t nodes, size_t depth)
{
    im->n_nodes += nodes;
    if (im->n_nodes > MT_MAX_EXPR_NODES) {
        fail(im, MT_ELIMIT, "%s",
             "model too large: more than 1000000 expression nodes after inlining function "
             "definitions");
        return 1;
    }
    if (im->nest + depth > MT_MAX_EXPR_DEPTH) {
        fail(im, MT_ELIMIT, "%s", "math nested more than 5000 deep (after inlining functions)");
        return 1;
    }
    return 0;
}

static mt_expr *resolve_name(imp *im, const char *name, const binding *b, size_t nb)
{
    for (size_t i = nb; i-- > 0;) {
        if (strcmp(b[i].name, name) == 0) {
            size_t nodes = 0, depth = expr_measure(b[i].value, &nodes);
            if (over_limits(im, nodes, depth))
                return NULL;
            return mt_expr_clone(im->ctx, b[i].value);
        }
    }
    if (im->rid) {
        char buf[512];
        snprintf(buf, sizeof buf, "%s.%s", im->rid, name);
        int slot = mt_ir_find(im->m, buf);
        if (slot >= 0)
            return mt_expr_sym(im->ctx, slot);
    }
    int slot = mt_ir_find(im->m, name);
    if (slot >= 0 && im->m->sym[slot].kind != MT_SYM_HIDDEN)
        return mt_expr_sym(im->ctx, slot);
    fail(im, MT_ESBML, "unknown symbol '%s' in math", name);
    return NULL;
}

static mt_expr *inline_call(imp *im, const ASTNode_t *n, const binding *b, size_t nb, int depth)
{
    const char *name = ASTNode_getName(n);
    FunctionDefinition_t *fd = name ? Model_getFunctionDefinitionById(im->sm, name) : NULL;
    if (!fd) {
        fail(im, MT_ESBML, "call of undefined function '%s'", name ? name : "?");
        return NULL;
    }
    if (depth > MT_MAX_INLINE_DEPTH) {
        fail(im, MT_ESBML, "function definitions nested too deeply (recursion?) at '%s'", name);
        return NULL;
    }
    const ASTNode_t *lambda = FunctionDefinition_getMath(fd);
    const ASTNode_t *body = FunctionDefinition_getBody(fd);
    unsigned nargs = FunctionDefinition_getNumArguments(fd);
    if (!lambda || !body) {
        fail(im, MT_ESBML, "function definition '%s' has no body", name);
        return NULL;
    }
    if (ASTNode_getNumChildren(n) != nargs) {
        fail(im, MT_ESBML, "function '%s' called with the wrong number of arguments", name);
        return NULL;
    }
    binding *nbind = mt_calloc(im->ctx, nargs + 1, sizeof *nbind);
    mt_expr **args = mt_calloc(im->ctx, nargs + 1, sizeof *args);
    mt_expr *res = NULL;
    int ok = nbind && args;
    for (unsigned i = 0; ok && i < nargs; i++) {
        const ASTNode_t *bv = FunctionDefinition_getArgument(fd, i);
        args[i] = conv(im, ASTNode_getChild(n, i), b, nb, depth + 1);
        if (!args[i] || !bv || !ASTNode_getName(bv)) {
            ok = 0;
            break;
        }
        nbind[i].name = ASTNode_getName(bv);
        nbind[i].value = args[i];
    }
    /* The body sees only its own arguments (plus model symbols, as L2 allows). */
    if (ok) {
        const char *save_rid = im->rid;
        im->rid = NULL;
        res = conv(im, body, nbind, nargs, depth + 1);
        im->rid = save_rid;
    }
    if (args)
        for (unsigned i = 0; i < nargs; i++)
            mt_expr_free(im->ctx, args[i]);
    mt_free(im->ctx, args);
    mt_free(im->ctx, nbind);
    return res;
}

static mt_expr *unary_fn(imp *im, int fn, const ASTNode_t *n, const binding *b, size_t nb,
                         int depth)
{
    if (ASTNode_getNumChildren(n) != 1) {
        fail(im, MT_ESBML, "function %s needs exactly one argument", mt_fn_name(fn));
        return NULL;
    }
    mt_expr *e = conv_kids(im, MT_E_FN, n, b, nb, depth);
    if (e)
        e->fn = fn;
    return e;
}

static mt_expr *conv_node(imp *im, const ASTNode_t *n, const binding *b, size_t nb, int depth)
{
    if (!n) {
        fail(im, MT_ESBML, "%s", "missing math");
        return NULL;
    }
    if (im->st != MT_OK)
        return NULL;
    ASTNodeType_t t = ASTNode_getType(n);
    unsigned nk = ASTNode_getNumChildren(n);
    switch (t) {
    case AST_INTEGER:
        return mt_expr_const(im->ctx, (double)ASTNode_getInteger(n));
    case AST_REAL:
    case AST_REAL_E:
    case AST_RATIONAL:
        return mt_expr_const(im->ctx, ASTNode_getReal(n));
    case AST_CONSTANT_E:
        return mt_expr_const(im->ctx, MT_E);
    case AST_CONSTANT_PI:
        return mt_expr_const(im->ctx, MT_PI);
    case AST_CONSTANT_TRUE:
        return mt_expr_const(im->ctx, 1.0);
    case AST_CONSTANT_FALSE:
        return mt_expr_const(im->ctx, 0.0);
    case AST_NAME_AVOGADRO:
        return mt_expr_const(im->ctx, MT_AVOGADRO);
    case AST_NAME_TIME:
        return mt_expr_new(im->ctx, MT_E_TIME);
    case AST_NAME: {
        const char *name = ASTNode_getName(n);
        if (!name) {
            fail(im, MT_ESBML, "%s", "name without text in math");
            return NULL;
        }
        /* libSBML maps <ci>INF</ci> etc. to reals already; NaN/INF names are symbols. */
        return resolve_name(im, name, b, nb);
    }
    case AST_PLUS:
        if (nk == 0)
            return mt_expr_const(im->ctx, 0.0);
        if (nk == 1)
            return conv(im, ASTNode_getChild(n, 0), b, nb, depth);
        return conv_kids(im, MT_E_ADD, n, b, nb, depth);
    case AST_TIMES:
        if (nk == 0)
            return mt_expr_const(im->ctx, 1.0);
        if (nk == 1)
            return conv(im, ASTNode_getChild(n, 0), b, nb, depth);
        return conv_kids(im, MT_E_MUL, n, b, nb, depth);
    case AST_MINUS:
        if (nk == 1)
            return conv_kids(im, MT_E_NEG, n, b, nb, depth);
        if (nk != 2)
            break;
        return conv_kids(im, MT_E_SUB, n, b, nb, depth);
    case AST_DIVIDE:
        if (nk != 2)
            break;
        return conv_kids(im, MT_E_DIV, n, b, nb, depth);
    case AST_POWER:
    case AST_FUNCTION_POWER:
        if (nk != 2)
            break;
        return conv_kids(im, MT_E_POW, n, b, nb, depth);
    case AST_FUNCTION_ROOT:
        if (nk == 1) {
            return unary_fn(im, MT_FN_SQRT, n, b, nb, depth);
        }
        if (nk != 2)
            break;
        return conv_kids(im, MT_E_ROOT, n, b, nb, depth);
    case AST_FUNCTION_LOG:
        if (nk == 1)
            return unary_fn(im, MT_FN_LOG10, n, b, nb, depth);
        if (nk != 2)
            break;
        return conv_kids(im, MT_E_LOG, n, b, nb, depth);
    case AST_FUNCTION_ABS:
        return unary_fn(im, MT_FN_ABS, n, b, nb, depth);
    case AST_FUNCTION_EXP:
        return unary_fn(im, MT_FN_EXP, n, b, nb, depth);
    case AST_FUNCTION_LN:
        return unary_fn(im, MT_FN_LN, n, b, nb, depth);
    case AST_FUNCTION_FLOOR:
        return unary_fn(im, MT_FN_FLOOR, n, b, nb, depth);
    case AST_FUNCTION_CEILING:
        return unary_fn(im, MT_FN_CEIL, n, b, nb, depth);
    case AST_FUNCTION_FACTORIAL:
        return unary_fn(im, MT_FN_FACTORIAL, n, b, nb, depth);
    case AST_FUNCTION_SIN:
        return unary_fn(im, MT_FN_SIN, n, b, nb, depth);
    case AST_FUNCTION_COS:
        return unary_fn(im, MT_FN_COS, n, b, nb, depth);
    case AST_FUNCTION_TAN:
        return unary_fn(im, MT_FN_TAN, n, b, nb, depth);
    case AST_FUNCTION_SEC:
        return unary_fn(im, MT_FN_SEC, n, b, nb, depth);
    case AST_FUNCTION_CSC:
        return unary_fn(im, MT_FN_CSC, n, b, nb, depth);
    case AST_FUNCTION_COT:
        return unary_fn(im, MT_FN_COT, n, b, nb, depth);
    case AST_FUNCTION_SINH:
        return unary_fn(im, MT_FN_SINH, n, b, nb, depth);
    case AST_FUNCTION_COSH:
        return unary_fn(im, MT_FN_COSH, n, b, nb, depth);
    case AST_FUNCTION_TANH:
        return unary_fn(im, MT_FN_TANH, n, b, nb, depth);
    case AST_FUNCTION_SECH:
        return unary_fn(im, MT_FN_SECH, n, b, nb, depth);
    case AST_FUNCTION_CSCH:
        return unary_fn(im, MT_FN_CSCH, n, b, nb, depth);
    case AST_FUNCTION_COTH:
        return unary_fn(im, MT_FN_COTH, n, b, nb, depth);
    case AST_FUNCTION_ARCSIN:
        return unary_fn(im, MT_FN_ASIN, n, b, nb, depth);
    case AST_FUNCTION_ARCCOS:
        return unary_fn(im, MT_FN_ACOS, n, b, nb, depth);
    case AST_FUNCTION_ARCTAN:
        return unary_fn(im, MT_FN_ATAN, n, b, nb, depth);
    case AST_FUNCTION_ARCSEC:
        return unary_fn(im, MT_FN_ASEC, n, b, nb, depth);
    case AST_FUNCTION_ARCCSC:
        return unary_fn(im, MT_FN_ACSC, n, b, nb, depth);
    case AST_FUNCTION_ARCCOT:
        return unary_fn(im, MT_FN_ACOT, n, b, nb, depth);
    case AST_FUNCTION_ARCSINH:
        return unary_fn(im, MT_FN_ASINH, n, b, nb, depth);
    case AST_FUNCTION_ARCCOSH:
        return unary_fn(im, MT_FN_ACOSH, n, b, nb, depth);
    case AST_FUNCTION_ARCTANH:
        return unary_fn(im, MT_FN_ATANH, n, b, nb, depth);
    case AST_FUNCTION_ARCSECH:
        return unary_fn(im, MT_FN_ASECH, n, b, nb, depth);
    case AST_FUNCTION_ARCCSCH:
        return unary_fn(im, MT_FN_ACSCH, n, b, nb, depth);
    case AST_FUNCTION_ARCCOTH:
        return unary_fn(im, MT_FN_ACOTH, n, b, nb, depth);
    case AST_FUNCTION_PIECEWISE:
        return conv_kids(im, MT_E_PIECEWISE, n, b, nb, depth);
    case AST_RELATIONAL_EQ:
        return conv_kids(im, MT_E_EQ, n, b, nb, depth);
    case AST_RELATIONAL_NEQ:
        if (nk != 2)
            break;
        return conv_kids(im, MT_E_NE, n, b, nb, depth);
    case AST_RELATIONAL_GT:
        return conv_kids(im, MT_E_GT, n, b, nb, depth);
    case AST_RELATIONAL_GEQ:
        return conv_kids(im, MT_E_GE, n, b, nb, depth);
    case AST_RELATIONAL_LT:
        return conv_kids(im, MT_E_LT, n, b, nb, depth);
    case AST_RELATIONAL_LEQ:
        return conv_kids(im, MT_E_LE, n, b, nb, depth);
    case AST_LOGICAL_AND:
        return conv_kids(im, MT_E_AND, n, b, nb, depth);
    case AST_LOGICAL_OR:
        return conv_kids(im, MT_E_OR, n, b, nb, depth);
    case AST_LOGICAL_XOR:
        return conv_kids(im, MT_E_XOR, n, b, nb, depth);
    case AST_LOGICAL_NOT:
        if (nk != 1)
            break;
        return conv_kids(im, MT_E_NOT, n, b, nb, depth);
    case AST_LOGICAL_IMPLIES:
        if (nk != 2)
            break;
        return conv_kids(im, MT_E_IMPLIES, n, b, nb, depth);
    case AST_FUNCTION_MAX:
        if (nk == 0)
            break;
        return conv_kids(im, MT_E_MAX, n, b, nb, depth);
    case AST_FUNCTION_MIN:
        if (nk == 0)
            break;
        return conv_kids(im, MT_E_MIN, n, b, nb, depth);
    case AST_FUNCTION_REM:
        if (nk != 2)
            break;
        return conv_kids(im, MT_E_REM, n, b, nb, depth);
    case AST_FUNCTION_QUOTIENT:
        if (nk != 2)
            break;
        return conv_kids(im, MT_E_QUOTIENT, n, b, nb, depth);
    case AST_FUNCTION:
        return inline_call(im, n, b, nb, depth);
    case AST_FUNCTION_DELAY:
        if (nk != 2) {
            fail(im, MT_ESBML, "%s", "delay() takes two arguments (an expression and a delay)");
            return NULL;
        }
        return conv_kids(im, MT_E_DELAY, n, b, nb, depth);
    case AST_FUNCTION_RATE_OF: {
        const ASTNode_t *arg = nk == 1 ? ASTNode_getChild(n, 0) : NULL;
        if (!arg || ASTNode_getType(arg) != AST_NAME || !ASTNode_getName(arg)) {
            fail(im, MT_ESBML, "%s", "rateOf() takes one symbol");
            return NULL;
        }
        mt_expr *target = resolve_name(im, ASTNode_getName(arg), b, nb);
        if (!target)
            return NULL;
        if (target->op != MT_E_SYM) {
            /* a function argument bound to an expression */
            mt_expr_free(im->ctx, target);
            fail(im, MT_EUNSUPPORTED, "%s", "unsupported: rateOf() of an expression");
            return NULL;
        }
        target->op = MT_E_RATEOF;
        return target;
    }
    default: {
        char what[64];
        snprintf(what, sizeof what, "MathML construct (AST type %d)", (int)t);
        fail(im, MT_EUNSUPPORTED, "unsupported: %s", what);
        return NULL;
    }
    }
    char what[80];
    snprintf(what, sizeof what, "operator with %u arguments (AST type %d)", nk, (int)t);
    fail(im, MT_ESBML, "malformed math: %s", what);
    return NULL;
}

static mt_expr *conv(imp *im, const ASTNode_t *n, const binding *b, size_t nb, int depth)
{
    if (im->st != MT_OK || over_limits(im, 1, 1))
        return NULL;
    im->nest++;
    mt_expr *e = conv_node(im, n, b, nb, depth);
    im->nest--;
    return e;
}

static mt_expr *math(imp *im, const ASTNode_t *n, const char *where)
{
    if (!n) {
        fail(im, MT_ESBML, "missing math in %s", where);
        return NULL;
    }
    mt_expr *e = conv(im, n, NULL, 0, 0);
    if (!e && im->st == MT_OK)
        fail(im, MT_ENOMEM, "%s", "out of memory converting math");
    return e;
}

/* ---------- document-level checks ---------- */

mt_status mt_sbml_errors(mt_ctx *ctx, SBMLDocument_t *d, const char *what)
{
    unsigned n = SBMLDocument_getNumErrors(d);
    char buf[900];
    size_t used = 0;
    int count = 0;
    buf[0] = '\0';
    for (unsigned i = 0; i < n; i++) {
        const XMLError_t *e = (const XMLError_t *)SBMLDocument_getError(d, i);
        if (XMLError_getSeverity(e) < LIBSBML_SEV_ERROR)
            continue;
        if (count < 3 && used < sizeof buf - 1) {
            const char *msg = XMLError_getMessage(e);
            int w = snprintf(buf + used, sizeof buf - used, "%sline %u: %s", count ? "; " : "",
                             XMLError_getLine(e), msg ? msg : "?");
            if (w > 0)
                used += (size_t)w < sizeof buf - used ? (size_t)w : sizeof buf - used - 1;
        }
        count++;
    }
    if (!count)
        return MT_OK;
    /* Collapse newlines so the message stays one line. */
    for (char *p = buf; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    return mt_error(ctx, MT_ESBML, "%s: %d error%s: %s", what, count, count == 1 ? "" : "s", buf);
}

static mt_status report_errors(imp *im, SBMLDocument_t *d, const char *what)
{
    mt_status st = mt_sbml_errors(im->ctx, d, what);
    if (st != MT_OK)
        im->st = st;
    return st;
}

static mt_status flatten_comp(imp *im, SBMLDocument_t *d)
{
    if (!SBase_getPlugin((SBase_t *)d, "comp"))
        return MT_OK;
    ConversionProperties_t *props = ConversionProperties_create();
    ConversionOption_t *opt = ConversionOption_create("flatten comp");
    ConversionOption_setBoolValue(opt, 1);
    ConversionProperties_addOption(props, opt);
    ConversionOption_free(opt);
    int rc = SBMLDocument_convert(d, props);
    ConversionProperties_free(props);
    if (rc != LIBSBML_OPERATION_SUCCESS) {
        mt_status st = report_errors(im, d, "comp flattening failed");
        if (st == MT_OK) {
            im->st = MT_ESBML;
            st = mt_error(im->ctx, MT_ESBML, "comp flattening failed (libSBML code %d)", rc);
        }
        return st;
    }
    return MT_OK;
}

/* ---------- model mapping ---------- */

static int add_public(imp *im, const char *id, mt_symbol_kind kind, const char *what)
{
    if (!id || !*id) {
        fail(im, MT_ESBML, "%s without an id", what);
        return -1;
    }
    int slot = mt_ir_add_sym(im->ctx, im->m, id, kind, 1);
    if (slot < 0)
        fail(im, MT_ESBML, "duplicate or invalid id '%s'", id);
    return slot;
}

static int set_init(imp *im, int slot, mt_expr *e)
{
    if (!e)
        return -1;
    mt_expr_free(im->ctx, im->m->sym[slot].init);
    im->m->sym[slot].init = e;
    return 0;
}

static mt_status map_symbols(imp *im)
{
    Model_t *sm = im->sm;
    mt_model *m = im->m;
    for (unsigned i = 0; i < Model_getNumCompartments(sm); i++) {
        Compartment_t *c = Model_getCompartment(sm, i);
        int s = add_public(im, Compartment_getId(c), MT_SYM_COMPARTMENT, "compartment");
        if (s < 0)
            return im->st;
        double v = NAN;
        if (Compartment_isSetSize(c))
            v = Compartment_getSize(c);
        else if (im->level < 3 && Compartment_getSpatialDimensionsAsDouble(c) == 0)
            v = 1.0;
        else if (im->level == 1)
            v = 1.0;
        m->sym[s].constant = Compartment_getConstant(c);
        if (set_init(im, s, mt_expr_const(im->ctx, v)) != 0)
            return fail(im, MT_ENOMEM, "%s", "out of memory");
    }
    for (unsigned i = 0; i < Model_getNumSpecies(sm); i++) {
        Species_t *sp = Model_getSpecies(sm, i);
        int s = add_public(im, Species_getId(sp), MT_SYM_SPECIES, "species");
        if (s < 0)
            return im->st;
        int c = mt_ir_find(m, Species_getCompartment(sp));
        if (c < 0 || m->sym[c].kind != MT_SYM_COMPARTMENT)
            return fail(im, MT_ESBML, "species '%s' is in no known compartment", Species_getId(sp));
        m->sym[s].comp = c;
        m->sym[s].hosu = Species_getHasOnlySubstanceUnits(sp) ? 1 : 0;
        /* In a 0-dimensional compartment a species has no concentration:
         * its symbol means its amount. */
        Compartment_t *cx = Model_getCompartmentById(sm, Species_getCompartment(sp));
        if (cx && Compartment_getSpatialDimensionsAsDouble(cx) == 0)
            m->sym[s].hosu = 1;
        m->sym[s].constant = Species_getConstant(sp);
    }
    for (unsigned i = 0; i < Model_getNumParameters(sm); i++) {
        Parameter_t *p = Model_getParameter(sm, i);
        int s = add_public(im, Parameter_getId(p), MT_SYM_PARAMETER, "parameter");
        if (s < 0)
            return im->st;
        m->sym[s].constant = Parameter_getConstant(p);
        double v = Parameter_isSetValue(p) ? Parameter_getValue(p) : NAN;
        if (set_init(im, s, mt_expr_const(im->ctx, v)) != 0)
            return fail(im, MT_ENOMEM, "%s", "out of memory");
    }
    for (unsigned r = 0; r < Model_getNumReactions(sm); r++) {
        Reaction_t *rx = Model_getReaction(sm, r);
        int s = add_public(im, Reaction_getId(rx), MT_SYM_REACTION, "reaction");
        if (s < 0)
            return im->st;
        unsigned nsr[2] = {Reaction_getNumReactants(rx), Reaction_getNumProducts(rx)};
        for (int side = 0; side < 2; side++) {
            for (unsigned i = 0; i < nsr[side]; i++) {
                SpeciesReference_t *sr =
                    side ? Reaction_getProduct(rx, i) : Reaction_getReactant(rx, i);
                const char *id = SpeciesReference_getId(sr);
                if (id && *id) {
                    int q = add_public(im, id, MT_SYM_SPECIES_REF, "species reference");
                    if (q < 0)
                        return im->st;
                    m->sym[q].constant = SpeciesReference_getConstant(sr);
                    double st = SpeciesReference_isSetStoichiometry(sr)
                                    ? SpeciesReference_getStoichiometry(sr)
                                    : (im->level < 3 ? 1.0 : NAN);
                    if (set_init(im, q, mt_expr_const(im->ctx, st)) != 0)
                        return fail(im, MT_ENOMEM, "%s", "out of memory");
                }
            }
        }
        /* local parameters: hidden slots "reaction.id" */
        KineticLaw_t *kl = Reaction_getKineticLaw(rx);
        if (kl) {
            unsigned np = KineticLaw_getNumParameters(kl);
            for (unsigned i = 0; i < np; i++) {
                Parameter_t *p = KineticLaw_getParameter(kl, i);
                char buf[512];
                snprintf(buf, sizeof buf, "%s.%s", Reaction_getId(rx), Parameter_getId(p));
                int q = mt_ir_add_sym(im->ctx, m, buf, MT_SYM_HIDDEN, 0);
                if (q < 0)
                    return fail(im, MT_ENOMEM, "%s", "out of memory");
                m->sym[q].constant = 1;
                double v = Parameter_isSetValue(p) ? Parameter_getValue(p) : NAN;
                if (set_init(im, q, mt_expr_const(im->ctx, v)) != 0)
                    return fail(im, MT_ENOMEM, "%s", "out of memory");
            }
        }
    }
    return MT_OK;
}

/* Algebraic rules, after the other rules: the slots nothing else determines (not constant,
 * no rule, not a species whose amount reactions change) are matched to the rules
 * (model/algebraic.c) and get a placeholder rule, so that the species among them get no amount
 * slot and no other construct may set them; solve_algebraic_rules() replaces the placeholders
 * by the solutions once the whole model is mapped. */
static mt_status map_algebraic_rules(imp *im)
{
    Model_t *sm = im->sm;
    mt_model *m = im->m;
    mt_ctx *ctx = im->ctx;
    size_t n = 0;
    for (unsigned i = 0; i < Model_getNumRules(sm); i++)
        if (Rule_isAlgebraic(Model_getRule(sm, i)) && Rule_getMath(Model_getRule(sm, i)))
            n++;
    if (!n)
        return MT_OK;
    im->alg_g = mt_calloc(ctx, n, sizeof *im->alg_g);
    im->alg_var = mt_calloc(ctx, n, sizeof *im->alg_var);
    im->alg_flow = mt_calloc(ctx, n, sizeof *im->alg_flow);
    unsigned char *free_slot = mt_calloc(ctx, m->n_sym, 1);
    if (!im->alg_g || !im->alg_var || !im->alg_flow || !free_slot) {
        mt_free(ctx, free_slot);
        return fail(im, MT_ENOMEM, "%s", "out of memory");
    }
    im->n_alg = im->n_alg_rules = n;
    for (size_t s = 0; s < m->n_sym; s++) {
        const mt_sym *y = &m->sym[s];
        int kind_ok = y->kind == MT_SYM_COMPARTMENT || y->kind == MT_SYM_SPECIES ||
                      y->kind == MT_SYM_PARAMETER ||
                      (y->kind == MT_SYM_SPECIES_REF && im->level >= 3);
        free_slot[s] = kind_ok && !y->constant && y->rule < 0 && !y->rate_rule;
        if (free_slot[s] && y->kind == MT_SYM_SPECIES &&
            Species_getBoundaryCondition(Model_getSpeciesById(sm, y->id)))
            free_slot[s] = 2; /* a boundary species: its value is usually given */
    }
    /* symbols that events set are candidates of last resort */
    for (unsigned i = 0; i < Model_getNumEvents(sm); i++) {
        Event_t *ev = Model_getEvent(sm, i);
        for (unsigned j = 0; j < Event_getNumEventAssignments(ev); j++) {
            int s = mt_ir_find(m, EventAssignment_getVariable(Event_getEventAssignment(ev, j)));
            if (s >= 0 && free_slot[s])
                free_slot[s] = 3;
        }
    }
    /* species whose amounts reactions change are determined by the reactions */
    for (unsigned r = 0; r < Model_getNumReactions(sm); r++) {
        Reaction_t *rx = Model_getReaction(sm, r);
        unsigned nsr[2] = {Reaction_getNumReactants(rx), Reaction_getNumProducts(rx)};
        for (int side = 0; side < 2; side++)
            for (unsigned i = 0; i < nsr[side]; i++) {
                SpeciesReference_t *sr =
                    side ? Reaction_getProduct(rx, i) : Reaction_getReactant(rx, i);
                int s = mt_ir_find(m, SpeciesReference_getSpecies(sr));
                Species_t *sp = Model_getSpeciesById(sm, SpeciesReference_getSpecies(sr));
                if (s >= 0 && sp && !Species_getBoundaryCondition(sp))
                    free_slot[s] = 0;
            }
    }
    size_t k = 0;
    for (unsigned i = 0; i < Model_getNumRules(sm) && im->st == MT_OK; i++) {
        Rule_t *r = Model_getRule(sm, i);
        if (Rule_isAlgebraic(r) && Rule_getMath(r))
            im->alg_g[k++] = math(im, Rule_getMath(r), "an algebraic rule");
    }
    mt_status st = im->st;
    if (st == MT_OK)
        st = im->st = mt_alg_match(ctx, m, im->alg_g, n, free_slot, 0, im->alg_var);
    mt_free(ctx, free_slot);
    for (size_t r = 0; r < n && st == MT_OK; r++) {
        mt_expr *ph = mt_expr_const(ctx, NAN);
        if (!ph || mt_ir_add_rule(ctx, m, im->alg_var[r], ph) < 0) {
            mt_expr_free(ctx, ph);
            st = fail(im, MT_ENOMEM, "%s", "out of memory");
        }
    }
    return st;
}

static mt_status map_rules(imp *im)
{
    Model_t *sm = im->sm;
    mt_model *m = im->m;
    for (unsigned i = 0; i < Model_getNumRules(sm); i++) {
        Rule_t *r = Model_getRule(sm, i);
        if (Rule_isAlgebraic(r))
            continue; /* map_algebraic_rules */
        const char *var = Rule_getVariable(r);
        int s = mt_ir_find(m, var);
        if (s < 0 || m->sym[s].kind == MT_SYM_HIDDEN)
            return fail(im, MT_ESBML, "rule for unknown variable '%s'", var ? var : "?");
        if (m->sym[s].kind == MT_SYM_REACTION)
            return fail(im, MT_ESBML, "rule assigns reaction '%s'", var);
        if (m->sym[s].rule >= 0 || m->sym[s].rate_rule)
            return fail(im, MT_ESBML, "more than one rule for '%s'", var);
        if (!Rule_getMath(r))
            continue; /* L3v2: a rule without math has no effect */
        mt_expr *e = math(im, Rule_getMath(r), "a rule");
        if (!e)
            return im->st;
        if (Rule_isAssignment(r) || Rule_isSpeciesConcentration(r) || Rule_isCompartmentVolume(r) ||
            Rule_isParameter(r)) {
            if (Rule_isRate(r)) {
                m->sym[s].rate_rule = 1;
                if (mt_ir_add_state(im->ctx, m, s, e) < 0)
                    return fail(im, MT_ENOMEM, "%s", "out of memory");
            } else if (mt_ir_add_rule(im->ctx, m, s, e) < 0) {
                mt_expr_free(im->ctx, e);
                return fail(im, MT_ENOMEM, "%s", "out of memory");
            }
        } else if (Rule_isRate(r)) {
            m->sym[s].rate_rule = 1;
            if (mt_ir_add_state(im->ctx, m, s, e) < 0)
                return fail(im, MT_ENOMEM, "%s", "out of memory");
        } else {
            mt_expr_free(im->ctx, e);
            return fail(im, MT_EUNSUPPORTED, "unsupported: rule kind of '%s'", var);
        }
    }
    return map_algebraic_rules(im);
}

/* Initial values of species; hidden amount slots for concentration species. */
static mt_status map_species(imp *im)
{
    Model_t *sm = im->sm;
    mt_model *m = im->m;
    mt_ctx *ctx = im->ctx;
    for (unsigned i = 0; i < Model_getNumSpecies(sm); i++) {
        Species_t *sp = Model_getSpecies(sm, i);
        const char *sid = Species_getId(sp);
        int s = mt_ir_find(m, sid);
        int c = m->sym[s].comp;
        InitialAssignment_t *ia = Model_getInitialAssignmentBySym(sm, sid);
        mt_expr *val = NULL; /* initial value in the symbol's own meaning */
        mt_expr *amount = NULL;
        if (ia && InitialAssignment_getMath(ia)) {
            val = math(im, InitialAssignment_getMath(ia), "an initial assignment");
            if (!val)
                return im->st;
        } else if (Species_isSetInitialAmount(sp)) {
            amount = mt_expr_const(ctx, Species_getInitialAmount(sp));
        } else if (Species_isSetInitialConcentration(sp)) {
            mt_expr *conc = mt_expr_const(ctx, Species_getInitialConcentration(sp));
            if (m->sym[s].hosu)
                val = mt_expr_bin(ctx, MT_E_MUL, conc, mt_expr_sym(ctx, c));
            else
                val = conc;
        } else {
            val = mt_expr_const(ctx, NAN);
        }
        if (!val && !amount)
            return fail(im, MT_ENOMEM, "%s", "out of memory");
        int own = m->sym[s].rule < 0 && !m->sym[s].rate_rule;
        if (!m->sym[s].hosu && own) {
            /* amount-tracked concentration species */
            char buf[512];
            snprintf(buf, sizeof buf, "%s#amount", sid);
            int a = mt_ir_add_sym(ctx, m, buf, MT_SYM_HIDDEN, 0);
            if (a < 0)
                return fail(im, MT_ENOMEM, "%s", "out of memory");
            m->sym[s].amt = a;
            m->sym[a].amt_of = s;
            m->sym[a].comp = c;
            if (!amount)
                amount = mt_expr_bin(ctx, MT_E_MUL, val, mt_expr_sym(ctx, c));
            if (set_init(im, a, amount) != 0)
                return fail(im, MT_ENOMEM, "%s", "out of memory");
            mt_expr *conc = mt_expr_bin(ctx, MT_E_DIV, mt_expr_sym(ctx, a), mt_expr_sym(ctx, c));
            if (!conc || mt_ir_add_rule(ctx, m, s, conc) < 0)
                return fail(im, MT_ENOMEM, "%s", "out of memory");
        } else {
            if (!val)
                val = m->sym[s].hosu ? amount
                                     : mt_expr_bin(ctx, MT_E_DIV, amount, mt_expr_sym(ctx, c));
            else
                mt_expr_free(ctx, amount);
            if (set_init(im, s, val) != 0)
                return fail(im, MT_ENOMEM, "%s", "out of memory");
        }
    }
    return MT_OK;
}

static mt_status map_initial_assignments(imp *im)
{
    Model_t *sm = im->sm;
    mt_model *m = im->m;
    for (unsigned i = 0; i < Model_getNumInitialAssignments(sm); i++) {
        InitialAssignment_t *ia = Model_getInitialAssignment(sm, i);
        const char *sym = InitialAssignment_getSymbol(ia);
        int s = mt_ir_find(m, sym);
        if (s < 0 || m->sym[s].kind == MT_SYM_HIDDEN || m->sym[s].kind == MT_SYM_REACTION)
            return fail(im, MT_ESBML, "initial assignment to unknown symbol '%s'", sym ? sym : "?");
        if (m->sym[s].kind == MT_SYM_SPECIES || !InitialAssignment_getMath(ia))
            continue; /* species: map_species; no math: no effect (L3v2) */
        mt_expr *e = math(im, InitialAssignment_getMath(ia), "an initial assignment");
        if (!e)
            return im->st;
        set_init(im, s, e);
    }
    return MT_OK;
}

typedef struct {
    mt_expr **terms; /* per slot: sum of stoich * rate */
} deriv_acc;

static mt_status add_term(imp *im, mt_expr **acc, int rslot, mt_expr *stoich, int sign)
{
    mt_ctx *ctx = im->ctx;
    mt_expr *term = mt_expr_bin(ctx, MT_E_MUL, stoich, mt_expr_sym(ctx, rslot));
    if (term && sign < 0) {
        mt_expr *neg = mt_expr_new(ctx, MT_E_NEG);
        if (!neg || mt_expr_push(ctx, neg, term) != 0) {
            mt_expr_free(ctx, neg);
            term = NULL;
        } else {
            term = neg;
        }
    }
    if (!term)
        return fail(im, MT_ENOMEM, "%s", "out of memory");
    if (!*acc) {
        *acc = mt_expr_new(ctx, MT_E_ADD);
        if (!*acc) {
            mt_expr_free(ctx, term);
            return fail(im, MT_ENOMEM, "%s", "out of memory");
        }
    }
    if (mt_expr_push(ctx, *acc, term) != 0)
        return fail(im, MT_ENOMEM, "%s", "out of memory");
    return MT_OK;
}

/* ---------- fast reactions ---------- */

/* Fast reactions are in rapid equilibrium (SBML L2v4/L3v1 "fast"): their species follow the
 * slow dynamics projected onto the conservation laws of the fast subsystem. With N the fast
 * stoichiometry (species amounts x reactions, conversion factors included, numbers known at
 * import) and the rows l of a basis of its left null space (l N = 0), each total l . a is a
 * state whose derivative is l . (the slow reactions' part of a'); the amounts a of the fast
 * species are algebraic unknowns determined by
 *     rate_f(a) = 0 for every fast reaction f,    l_k . a - total_k = 0 for every k,
 * which the algebraic-rule solver (model/algebraic.c) solves with the algebraic rules. */
typedef struct {
    int on;
    size_t n_term, cap_term;
    struct fast_term_s {
        unsigned reaction;
        int rslot, target;
        double coef; /* stoichiometry x sign */
    } * term;
    size_t n_x;     /* distinct targets (amount slots) */
    int *x;         /* their slots */
    mt_expr **slow; /* per target: slow part of its derivative (conversion factor applied) */
} fast_sys;

static int fast_index(const fast_sys *fx, int slot)
{
    for (size_t j = 0; j < fx->n_x; j++)
        if (fx->x[j] == slot)
            return (int)j;
    return -1;
}

static void fast_free(imp *im, fast_sys *fx)
{
    for (size_t j = 0; j < fx->n_x && fx->slow; j++)
        mt_expr_free(im->ctx, fx->slow[j]);
    mt_free(im->ctx, fx->slow);
    mt_free(im->ctx, fx->x);
    mt_free(im->ctx, fx->term);
}

/* The value of e when it is a number known at import: arithmetic on constants, constant
 * symbols (their initial values) and rules of constant expressions (stoichiometryMath). */
static int const_eval(const mt_model *m, const mt_expr *e, int depth, double *v)
{
    double a, b;
    if (!e || depth > 32)
        return 0;
    switch (e->op) {
    case MT_E_CONST:
        *v = e->v;
        return isfinite(*v);
    case MT_E_SYM: {
        const mt_sym *y = &m->sym[e->sym];
        if (y->rule >= 0)
            return const_eval(m, m->rule[y->rule].e, depth + 1, v);
        if (y->constant && !y->rate_rule && y->state < 0)
            return const_eval(m, y->init, depth + 1, v);
        return 0;
    }
    case MT_E_NEG:
        if (e->n != 1 || !const_eval(m, e->k[0], depth + 1, &a))
            return 0;
        *v = -a;
        return 1;
    case MT_E_ADD:
    case MT_E_MUL:
        *v = e->op == MT_E_ADD ? 0.0 : 1.0;
        for (size_t i = 0; i < e->n; i++) {
            if (!const_eval(m, e->k[i], depth + 1, &a))
                return 0;
            *v = e->op == MT_E_ADD ? *v + a : *v * a;
        }
        return isfinite(*v);
    case MT_E_SUB:
    case MT_E_DIV:
        if (e->n == 1 && e->op == MT_E_SUB && const_eval(m, e->k[0], depth + 1, &a)) {
            *v = -a;
            return 1;
        }
        if (e->n != 2 || !const_eval(m, e->k[0], depth + 1, &a) ||
            !const_eval(m, e->k[1], depth + 1, &b))
            return 0;
        *v = e->op == MT_E_SUB ? a - b : a / b;
        return isfinite(*v);
    default:
        return 0;
    }
}

static int const_value(const mt_model *m, const mt_expr *e, double *v)
{
    return const_eval(m, e, 0, v);
}

/* Records stoich x sign of a fast reaction's species (consumes stoich). */
static mt_status fast_term(imp *im, fast_sys *fx, unsigned r, int rslot, int target,
                           mt_expr *stoich, int sign)
{
    double v;
    int ok = const_value(im->m, stoich, &v);
    mt_expr_free(im->ctx, stoich);
    if (!ok)
        return fail(im, MT_EUNSUPPORTED,
                    "unsupported: fast reaction '%s' with a stoichiometry not known at import",
                    im->m->sym[rslot].id);
    if (fx->n_term == fx->cap_term) {
        size_t cap = fx->cap_term ? 2 * fx->cap_term : 8;
        void *t = mt_realloc(im->ctx, fx->term, cap * sizeof *fx->term);
        if (!t)
            return fail(im, MT_ENOMEM, "%s", "out of memory");
        fx->term = t;
        fx->cap_term = cap;
    }
    fx->term[fx->n_term++] = (struct fast_term_s){r, rslot, target, sign * v};
    if (fast_index(fx, target) < 0) {
        int *x = mt_realloc(im->ctx, fx->x, (fx->n_x + 1) * sizeof *x);
        mt_expr **sl = x ? mt_realloc(im->ctx, fx->slow, (fx->n_x + 1) * sizeof *sl) : NULL;
        if (x)
            fx->x = x;
        if (!sl)
            return fail(im, MT_ENOMEM, "%s", "out of memory");
        fx->slow = sl;
        fx->x[fx->n_x] = target;
        fx->slow[fx->n_x] = NULL;
        fx->n_x++;
    }
    return MT_OK;
}

/* The conversion factor of the species owning amount slot s as a number (1 without one). */
static int fast_conversion(imp *im, int s, double *v)
{
    mt_model *m = im->m;
    int sp = m->sym[s].amt_of >= 0 ? m->sym[s].amt_of : s;
    Species_t *spx = Model_getSpeciesById(im->sm, m->sym[sp].id);
    const char *cf = NULL;
    if (spx && Species_isSetConversionFactor(spx))
        cf = Species_getConversionFactor(spx);
    else if (Model_isSetConversionFactor(im->sm))
        cf = Model_getConversionFactor(im->sm);
    *v = 1.0;
    if (!cf)
        return 1;
    int cs = mt_ir_find(m, cf);
    if (cs < 0)
        return 0;
    mt_expr e = {.op = MT_E_SYM, .sym = cs};
    return const_value(m, &e, v);
}

static mt_expr *times_const(mt_ctx *ctx, double c, mt_expr *e)
{
    if (!e || c == 1.0)
        return e;
    return mt_expr_bin(ctx, MT_E_MUL, mt_expr_const(ctx, c), e);
}

static mt_status fast_equilibrium(imp *im, fast_sys *fx)
{
    mt_ctx *ctx = im->ctx;
    mt_model *m = im->m;
    Model_t *sm = im->sm;
    size_t nx = fx->n_x, nf = 0;
    unsigned nr = Model_getNumReactions(sm);
    int *col = mt_calloc(ctx, nr ? nr : 1, sizeof *col); /* reaction -> fast column, -1 */
    int *rslot_of = mt_calloc(ctx, nr ? nr : 1, sizeof *rslot_of);
    if (!col || !rslot_of) {
        mt_free(ctx, col);
        mt_free(ctx, rslot_of);
        return fail(im, MT_ENOMEM, "%s", "out of memory");
    }
    /* a fast reaction that changes no species (all boundary or constant) changes nothing */
    for (unsigned r = 0; r < nr; r++)
        col[r] = -1;
    for (size_t t = 0; t < fx->n_term; t++) {
        unsigned r = fx->term[t].reaction;
        if (col[r] < 0) {
            rslot_of[nf] = fx->term[t].rslot;
            col[r] = (int)nf++;
        }
    }
    /* A = N^T (nf x nx), conversion factors included; reduced row echelon form */
    double *a = mt_calloc(ctx, (nf ? nf : 1) * (nx ? nx : 1), sizeof *a);
    double *cfv = mt_calloc(ctx, nx ? nx : 1, sizeof *cfv);
    int *pivcol = mt_calloc(ctx, nf ? nf : 1, sizeof *pivcol);
    unsigned char *is_piv = mt_calloc(ctx, nx ? nx : 1, 1);
    mt_status st = MT_OK;
    if (!a || !cfv || !pivcol || !is_piv) {
        st = fail(im, MT_ENOMEM, "%s", "out of memory");
        goto done;
    }
    for (size_t j = 0; j < nx && st == MT_OK; j++)
        if (!fast_conversion(im, fx->x[j], &cfv[j]))
            st = fail(im, MT_EUNSUPPORTED,
                      "unsupported: a fast reaction's species '%s' with a conversion factor not "
                      "known at import",
                      m->sym[m->sym[fx->x[j]].amt_of >= 0 ? m->sym[fx->x[j]].amt_of : fx->x[j]].id);
    if (st != MT_OK)
        goto done;
    for (size_t t = 0; t < fx->n_term; t++) {
        int j = fast_index(fx, fx->term[t].target);
        a[(size_t)col[fx->term[t].reaction] * nx + (size_t)j] += fx->term[t].coef * cfv[j];
    }
    size_t rank = 0;
    for (size_t c = 0; c < nx && rank < nf; c++) {
        size_t best = rank;
        for (size_t i = rank; i < nf; i++)
            if (fabs(a[i * nx + c]) > fabs(a[best * nx + c]))
                best = i;
        if (fabs(a[best * nx + c]) < 1e-12)
            continue;
        for (size_t k = 0; k < nx; k++) {
            double tmp = a[rank * nx + k];
            a[rank * nx + k] = a[best * nx + k];
            a[best * nx + k] = tmp;
        }
        double p = a[rank * nx + c];
        for (size_t k = 0; k < nx; k++)
            a[rank * nx + k] /= p;
        for (size_t i = 0; i < nf; i++) {
            if (i == rank || a[i * nx + c] == 0.0)
                continue;
            double f = a[i * nx + c];
            for (size_t k = 0; k < nx; k++)
                a[i * nx + k] -= f * a[rank * nx + k];
        }
        pivcol[rank++] = (int)c;
        is_piv[c] = 1;
    }
    if (rank < nf) {
        st = fail(im, MT_EUNSUPPORTED, "%s",
                  "unsupported: fast reactions whose stoichiometries are linearly dependent");
        goto done;
    }
    /* equations: the fast rates, then one conservation law per free column */
    size_t n_eq = nf + (nx - rank), base = im->n_alg;
    mt_expr **g = mt_realloc(ctx, im->alg_g, (base + n_eq) * sizeof *g);
    if (g)
        im->alg_g = g;
    int *var = g ? mt_realloc(ctx, im->alg_var, (base + n_eq) * sizeof *var) : NULL;
    if (!var) {
        st = fail(im, MT_ENOMEM, "%s", "out of memory");
        goto done;
    }
    im->alg_var = var;
    double *flow = mt_realloc(ctx, im->alg_flow, (base + n_eq) * sizeof *flow);
    if (!flow) {
        st = fail(im, MT_ENOMEM, "%s", "out of memory");
        goto done;
    }
    im->alg_flow = flow;
    for (size_t e = 0; e < n_eq; e++) {
        g[base + e] = NULL;
        flow[base + e] = 0.0;
    }
    im->n_alg = base + n_eq;
    for (size_t f = 0; f < nf; f++)
        if (!(g[base + f] = mt_expr_sym(ctx, rslot_of[f])))
            st = fail(im, MT_ENOMEM, "%s", "out of memory");
    size_t e = base + nf, k = 0;
    for (size_t c = 0; c < nx && st == MT_OK; c++) {
        if (is_piv[c])
            continue;
        /* null vector: l[c] = 1, l[pivcol[i]] = -a[i][c] */
        double *l = mt_calloc(ctx, nx, sizeof *l);
        if (!l) {
            st = fail(im, MT_ENOMEM, "%s", "out of memory");
            break;
        }
        l[c] = 1.0;
        for (size_t i = 0; i < rank; i++)
            l[pivcol[i]] = -a[i * nx + c];
        char buf[64];
        snprintf(buf, sizeof buf, "#fast_total%zu", k++);
        int tot = mt_ir_add_sym(ctx, m, buf, MT_SYM_HIDDEN, 0);
        mt_expr *init = mt_expr_new(ctx, MT_E_ADD), *der = mt_expr_new(ctx, MT_E_ADD),
                *sum = mt_expr_new(ctx, MT_E_ADD);
        int bad = tot < 0 || !init || !der || !sum;
        for (size_t j = 0; j < nx && !bad; j++) {
            if (fabs(l[j]) < 1e-14)
                continue;
            bad |= mt_expr_push(
                       ctx, init,
                       times_const(ctx, l[j], mt_expr_clone(ctx, m->sym[fx->x[j]].init))) != 0;
            bad |= mt_expr_push(ctx, sum, times_const(ctx, l[j], mt_expr_sym(ctx, fx->x[j]))) != 0;
            if (fx->slow[j])
                bad |= mt_expr_push(ctx, der,
                                    times_const(ctx, l[j], mt_expr_clone(ctx, fx->slow[j]))) != 0;
        }
        mt_free(ctx, l);
        if (!bad && der->n == 0)
            bad |= mt_expr_push(ctx, der, mt_expr_const(ctx, 0.0)) != 0;
        if (!bad && set_init(im, tot, init) == 0) {
            init = NULL;
            if (mt_ir_add_state(ctx, m, tot, der) >= 0) {
                der = NULL;
                g[e] = mt_expr_bin(ctx, MT_E_SUB, sum, mt_expr_sym(ctx, tot));
                sum = NULL;
                bad = !g[e++];
            } else {
                bad = 1;
            }
        } else {
            bad = 1;
        }
        mt_expr_free(ctx, init);
        mt_expr_free(ctx, der);
        mt_expr_free(ctx, sum);
        if (bad)
            st = fail(im, MT_ENOMEM, "%s", "out of memory");
    }
    if (st != MT_OK)
        goto done;
    /* which equation determines which amount (any valid pairing: they are solved together) */
    unsigned char *free_slot = mt_calloc(ctx, m->n_sym, 1);
    if (!free_slot) {
        st = fail(im, MT_ENOMEM, "%s", "out of memory");
        goto done;
    }
    for (size_t j = 0; j < nx; j++)
        free_slot[fx->x[j]] = 1;
    st = mt_alg_match(ctx, m, g + base, n_eq, free_slot, 1, var + base);
    mt_free(ctx, free_slot);
    if (st != MT_OK) {
        im->st = st;
        goto done;
    }
    /* the rate equation of fast reaction f moves its variable at d var / d extent; only for a
     * fast reaction that shares no species with another one (then its equilibrium is a root
     * in one variable along its own extent; model/algebraic.c) */
    for (size_t t = 0; t < fx->n_term; t++) {
        size_t f = (size_t)col[fx->term[t].reaction];
        if (var[base + f] == fx->term[t].target)
            flow[base + f] += fx->term[t].coef * cfv[fast_index(fx, fx->term[t].target)];
    }
    for (size_t t = 0; t < fx->n_term; t++)
        for (size_t u = 0; u < fx->n_term; u++)
            if (fx->term[t].target == fx->term[u].target &&
                fx->term[t].reaction != fx->term[u].reaction) {
                flow[base + (size_t)col[fx->term[t].reaction]] = 0.0;
                flow[base + (size_t)col[fx->term[u].reaction]] = 0.0;
            }
    /* and only when no slow reaction changes that variable: where the fast reaction is
     * switched off (its rate zero for every amount) the root finder keeps the variable where it
     * was, which is then exact */
    for (size_t f = 0; f < nf; f++)
        if (flow[base + f] != 0.0 && fx->slow[fast_index(fx, var[base + f])])
            flow[base + f] = 0.0;
    for (size_t q = 0; q < n_eq && st == MT_OK; q++) {
        mt_expr *ph = mt_expr_const(ctx, NAN);
        if (!ph || mt_ir_add_rule(ctx, m, var[base + q], ph) < 0) {
            mt_expr_free(ctx, ph);
            st = fail(im, MT_ENOMEM, "%s", "out of memory");
        }
    }
done:
    mt_free(ctx, a);
    mt_free(ctx, cfv);
    mt_free(ctx, pivcol);
    mt_free(ctx, is_piv);
    mt_free(ctx, col);
    mt_free(ctx, rslot_of);
    return st;
}

static mt_status map_reactions(imp *im)
{
    Model_t *sm = im->sm;
    mt_model *m = im->m;
    mt_ctx *ctx = im->ctx;
    size_t nsym = m->n_sym;
    mt_expr **acc = mt_calloc(ctx, nsym, sizeof *acc);
    if (!acc)
        return fail(im, MT_ENOMEM, "%s", "out of memory");
    fast_sys fx = {0};
    for (unsigned r = 0; r < Model_getNumReactions(sm); r++)
        if (Reaction_isSetFast(Model_getReaction(sm, r)) &&
            Reaction_getFast(Model_getReaction(sm, r)))
            fx.on = 1;
    mt_status st = MT_OK;
    for (unsigned r = 0; r < Model_getNumReactions(sm) && st == MT_OK; r++) {
        Reaction_t *rx = Model_getReaction(sm, r);
        const char *rid = Reaction_getId(rx);
        int rslot = mt_ir_find(m, rid);
        KineticLaw_t *kl = Reaction_getKineticLaw(rx);
        mt_expr *rate;
        if (!kl || !KineticLaw_isSetMath(kl)) {
            st = fail(im, MT_EUNSUPPORTED, "unsupported: reaction '%s' without a kinetic law", rid);
            break;
        }
        im->rid = rid;
        rate = math(im, KineticLaw_getMath(kl), "a kinetic law");
        im->rid = NULL;
        if (!rate) {
            st = im->st;
            break;
        }
        if (mt_ir_add_rule(ctx, m, rslot, rate) < 0) {
            mt_expr_free(ctx, rate);
            st = fail(im, MT_ENOMEM, "%s", "out of memory");
            break;
        }
        unsigned nsr[2] = {Reaction_getNumReactants(rx), Reaction_getNumProducts(rx)};
        for (int side = 0; side < 2 && st == MT_OK; side++) {
            for (unsigned i = 0; i < nsr[side] && st == MT_OK; i++) {
                SpeciesReference_t *sr =
                    side ? Reaction_getProduct(rx, i) : Reaction_getReactant(rx, i);
                int s = mt_ir_find(m, SpeciesReference_getSpecies(sr));
                if (s < 0 || m->sym[s].kind != MT_SYM_SPECIES) {
                    st = fail(im, MT_ESBML, "reaction '%s' refers to an unknown species", rid);
                    break;
                }
                const char *srid = SpeciesReference_getId(sr);
                mt_expr *stoich;
                if (srid && *srid && !SpeciesReference_isSetStoichiometryMath(sr)) {
                    stoich = mt_expr_sym(ctx, mt_ir_find(m, srid));
                } else if (SpeciesReference_isSetStoichiometryMath(sr)) {
                    StoichiometryMath_t *smath = SpeciesReference_getStoichiometryMath(sr);
                    mt_expr *e = math(im, StoichiometryMath_getMath(smath), "stoichiometryMath");
                    if (!e) {
                        st = im->st;
                        break;
                    }
                    char buf[512];
                    snprintf(buf, sizeof buf, "%s#stoich%d.%u", rid, side, i);
                    int q = (srid && *srid) ? mt_ir_find(m, srid)
                                            : mt_ir_add_sym(ctx, m, buf, MT_SYM_HIDDEN, 0);
                    if (q < 0 || mt_ir_add_rule(ctx, m, q, e) < 0) {
                        mt_expr_free(ctx, e);
                        st = fail(im, MT_ENOMEM, "%s", "out of memory");
                        break;
                    }
                    stoich = mt_expr_sym(ctx, q);
                } else {
                    double v = SpeciesReference_isSetStoichiometry(sr)
                                   ? SpeciesReference_getStoichiometry(sr)
                                   : (im->level < 3 ? 1.0 : NAN);
                    stoich = mt_expr_const(ctx, v);
                }
                if (Species_getBoundaryCondition(Model_getSpeciesById(sm, m->sym[s].id)) ||
                    m->sym[s].constant) {
                    mt_expr_free(ctx, stoich);
                    continue;
                }
                if (m->sym[s].rule >= 0 && m->sym[s].amt < 0) {
                    mt_expr_free(ctx, stoich);
                    st = fail(im, MT_ESBML,
                              "species '%s' is set by a rule and changed by a reaction",
                              m->sym[s].id);
                    break;
                }
                if (m->sym[s].rate_rule) {
                    mt_expr_free(ctx, stoich);
                    st = fail(im, MT_ESBML,
                              "species '%s' has a rate rule and is changed by a reaction",
                              m->sym[s].id);
                    break;
                }
                int target = m->sym[s].amt >= 0 ? m->sym[s].amt : s;
                if (fx.on && Reaction_isSetFast(rx) && Reaction_getFast(rx))
                    st = fast_term(im, &fx, r, rslot, target, stoich, side ? 1 : -1);
                else
                    st = add_term(im, &acc[target], rslot, stoich, side ? 1 : -1);
            }
        }
    }
    /* conversion factors and states */
    for (size_t s = 0; s < nsym && st == MT_OK; s++) {
        if (!acc[s])
            continue;
        int sp = m->sym[s].amt_of >= 0 ? m->sym[s].amt_of : (int)s;
        Species_t *spx = Model_getSpeciesById(sm, m->sym[sp].id);
        const char *cf = NULL;
        if (spx && Species_isSetConversionFactor(spx))
            cf = Species_getConversionFactor(spx);
        else if (Model_isSetConversionFactor(sm))
            cf = Model_getConversionFactor(sm);
        mt_expr *d = acc[s];
        acc[s] = NULL;
        if (cf) {
            int cs = mt_ir_find(m, cf);
            if (cs < 0) {
                mt_expr_free(ctx, d);
                st = fail(im, MT_ESBML, "unknown conversion factor '%s'", cf);
                break;
            }
            d = mt_expr_bin(ctx, MT_E_MUL, d, mt_expr_sym(ctx, cs));
        }
        if (d && fx.on && fast_index(&fx, (int)s) >= 0) {
            fx.slow[fast_index(&fx, (int)s)] = d; /* the slow part of a fast species */
            continue;
        }
        if (!d || mt_ir_add_state(ctx, m, (int)s, d) < 0) {
            mt_expr_free(ctx, d);
            st = fail(im, MT_ENOMEM, "%s", "out of memory");
        }
    }
    if (st == MT_OK && fx.n_term)
        st = fast_equilibrium(im, &fx);
    fast_free(im, &fx);
    for (size_t s = 0; s < nsym; s++)
        mt_expr_free(ctx, acc[s]);
    mt_free(ctx, acc);
    return st;
}

static mt_status map_events(imp *im)
{
    Model_t *sm = im->sm;
    mt_model *m = im->m;
    mt_ctx *ctx = im->ctx;
    unsigned ne = Model_getNumEvents(sm);
    if (!ne)
        return MT_OK;
    m->ev = mt_calloc(ctx, ne, sizeof *m->ev);
    if (!m->ev)
        return fail(im, MT_ENOMEM, "%s", "out of memory");
    m->cap_event = ne;
    for (unsigned i = 0; i < ne; i++) {
        Event_t *ev = Model_getEvent(sm, i);
        mt_event *e = &m->ev[m->n_event++];
        const char *id = Event_getId(ev);
        e->id = mt_strdup(ctx, id ? id : "");
        Trigger_t *tr = Event_getTrigger(ev);
        if (!tr)
            return fail(im, MT_ESBML, "event '%s' has no trigger", e->id ? e->id : "");
        /* L3v2: a trigger without math never fires. */
        e->trigger = Trigger_getMath(tr) ? math(im, Trigger_getMath(tr), "an event trigger")
                                         : mt_expr_const(ctx, 0.0);
        if (!e->trigger)
            return im->st;
        if (im->level >= 3) {
            e->initial_value = Trigger_getInitialValue(tr) ? 1 : 0;
            e->persistent = Trigger_getPersistent(tr) ? 1 : 0;
        } else {
            e->initial_value = 1;
            e->persistent = 1;
        }
        e->use_trigger_values = Event_getUseValuesFromTriggerTime(ev) ? 1 : 0;
        Delay_t *dl = Event_getDelay(ev);
        if (dl && Delay_getMath(dl)) {
            e->delay = math(im, Delay_getMath(dl), "an event delay");
            if (!e->delay)
                return im->st;
        }
        Priority_t *pr = Event_getPriority(ev);
        if (pr && Priority_getMath(pr)) {
            e->priority = math(im, Priority_getMath(pr), "an event priority");
            if (!e->priority)
                return im->st;
        }
        unsigned na = Event_getNumEventAssignments(ev);
        e->asg = mt_calloc(ctx, na, sizeof *e->asg);
        if (!e->asg)
            return fail(im, MT_ENOMEM, "%s", "out of memory");
        for (unsigned j = 0; j < na; j++) {
            EventAssignment_t *ea = Event_getEventAssignment(ev, j);
            const char *var = EventAssignment_getVariable(ea);
            int s = mt_ir_find(m, var);
            if (s < 0 || m->sym[s].kind == MT_SYM_HIDDEN || m->sym[s].kind == MT_SYM_REACTION)
                return fail(im, MT_ESBML, "event assignment to unknown variable '%s'",
                            var ? var : "?");
            if (m->sym[s].rule >= 0 && m->sym[s].amt < 0)
                return fail(im, MT_ESBML, "event assigns '%s', which a rule defines", var);
            if (m->sym[s].amt >= 0 && m->sym[m->sym[s].amt].rule >= 0)
                return fail(im, MT_EUNSUPPORTED,
                            "unsupported: event assigning '%s', a species of a fast reaction", var);
            if (!EventAssignment_getMath(ea))
                continue; /* L3: no math, no effect */
            mt_expr *x = math(im, EventAssignment_getMath(ea), "an event assignment");
            if (!x)
                return im->st;
            e->asg[e->n_asg].target = s;
            e->asg[e->n_asg].e = x;
            e->n_asg++;
        }
    }
    return MT_OK;
}

/* ---------- limits checked before libSBML's own passes ---------- */

/* Index just past the first `end` at or after i; n if none. */
static size_t skip_past(const char *s, size_t n, size_t i, const char *end)
{
    size_t k = strlen(end);
    for (; i + k <= n; i++)
        if (memcmp(s + i, end, k) == 0)
            return i + k;
    return n;
}

enum { XML_OK, XML_TOO_DEEP, XML_ENTITY };

/* Scans an XML text before libSBML sees it: XML_TOO_DEEP when its elements
 * nest deeper than MT_MAX_XML_DEPTH, XML_ENTITY when it declares an entity
 * (libSBML expands none, a reference is an error, and it leaks ~13 KB of
 * libxml2's document for each text that declares one: a leak per request
 * on a server). A lexical scan: comments, CDATA sections, processing
 * instructions, declarations and quoted attribute values are skipped; the
 * internal subset of a DOCTYPE is scanned for its declarations. */
static int xml_scan(const char *s, size_t n)
{
    size_t depth = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '<')
            continue;
        size_t left = n - i;
        if (left >= 4 && memcmp(s + i, "<!--", 4) == 0) {
            i = skip_past(s, n, i + 4, "-->") - 1;
        } else if (left >= 9 && memcmp(s + i, "<![CDATA[", 9) == 0) {
            i = skip_past(s, n, i + 9, "]]>") - 1;
        } else if (left >= 2 && s[i + 1] == '?') {
            i = skip_past(s, n, i + 2, "?>") - 1;
        } else if (left >= 9 && memcmp(s + i, "<!DOCTYPE", 9) == 0) {
            i += 8;
        } else if (left >= 8 && memcmp(s + i, "<!ENTITY", 8) == 0) {
            return XML_ENTITY;
        } else if (left >= 2 && (s[i + 1] == '!' || s[i + 1] == '/')) {
            if (s[i + 1] == '/' && depth)
                depth--;
            i = skip_past(s, n, i + 2, ">") - 1;
        } else {
            char quote = 0, prev = 0;
            size_t j = i + 1;
            for (; j < n; j++) {
                char c = s[j];
                if (quote) {
                    if (c == quote)
                        quote = 0;
                } else if (c == '"' || c == '\'') {
                    quote = c;
                } else if (c == '>') {
                    break;
                }
                prev = c;
            }
            if (!(j < n && prev == '/') && ++depth > MT_MAX_XML_DEPTH)
                return XML_TOO_DEEP;
            i = j;
        }
    }
    return XML_OK;
}

/* The error for a text xml_scan() refused (path: NULL for a string). */
static mt_status xml_refuse(mt_ctx *ctx, int why, const char *path)
{
    const char *sep = path ? ": " : "";
    if (why == XML_ENTITY)
        return mt_error(ctx, MT_EUNSUPPORTED, "%s%sunsupported: XML entity declarations",
                        path ? path : "", sep);
    return mt_error(ctx, MT_ELIMIT, "%s%sXML elements nested more than %d deep", path ? path : "",
                    sep, MT_MAX_XML_DEPTH);
}

/* libSBML 5.19 throws a C++ exception through its C API, which aborts the
 * process, when it reads a <stoichiometryMath> in a document whose root
 * namespace is not the one of its level and version (found by fuzz_sbml;
 * tests/fuzz/corpus/sbml/crash-stoichmath-namespace.xml). Such a document is
 * invalid anyway: refuse it after a look at the root element alone, through
 * libSBML's XML reader, which builds no SBML objects. */
/* A small decimal attribute value (spaces around allowed); 0 if it is not one. */
static unsigned attr_number(const char *s)
{
    unsigned v = 0;
    if (!s)
        return 0;
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    if (*s < '0' || *s > '9')
        return 0;
    for (; *s >= '0' && *s <= '9'; s++)
        if ((v = v * 10 + (unsigned)(*s - '0')) > 1000)
            return 0;
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    return *s ? 0 : v;
}

static mt_status check_root_namespace(mt_ctx *ctx, const char *content, int is_file)
{
    mt_xml_init(); /* libSBML's first use of libxml2 in this path */
    XMLInputStream_t *in = XMLInputStream_create(content, is_file, "");
    if (!in)
        return mt_error(ctx, MT_ENOMEM, "out of memory");
    const XMLToken_t *t = XMLInputStream_peek(in);
    for (int i = 0;
         i < 10000 && t && XMLInputStream_isGood(in) && !XMLToken_isStart(t) && !XMLToken_isEOF(t);
         i++) {
        XMLToken_free(XMLInputStream_next(in));
        t = XMLInputStream_peek(in);
    }
    mt_status st = MT_OK;
    const char *name = t && XMLToken_isStart(t) ? XMLToken_getName(t) : NULL;
    if (name && strcmp(name, "sbml") == 0) {
        char *lv = XMLToken_getAttrValueByName(t, "level");
        char *vv = XMLToken_getAttrValueByName(t, "version");
        const char *uri = XMLToken_getURI(t);
        /* libSBML maps unknown levels and versions to known namespaces */
        static const unsigned max_version[4] = {0, 2, 5, 2};
        unsigned level = attr_number(lv), version = attr_number(vv);
        char *want = level >= 1 && level <= 3 && version >= 1 && version <= max_version[level]
                         ? SBMLNamespaces_getSBMLNamespaceURI(level, version)
                         : NULL;
        if (!want || !uri || strcmp(uri, want) != 0)
            st = mt_error(ctx, MT_ESBML,
                          "not valid SBML: namespace '%.80s' does not match level '%.8s' "
                          "version '%.8s'",
                          uri ? uri : "", lv ? lv : "", vv ? vv : "");
        free(lv);
        free(vv);
        free(want);
    }
    XMLInputStream_free(in);
    return st;
}

/* xml_scan() on a file (read whole; libSBML reads it again). */
static mt_status check_file_depth(mt_ctx *ctx, FILE *f, const char *path)
{
    char *buf = NULL;
    size_t n = 0;
    mt_status st = mt_read_file(ctx, f, path, 0, &buf, &n);
    if (st != MT_OK)
        return st;
    int why = xml_scan(buf, n);
    mt_free(ctx, buf);
    return why == XML_OK ? MT_OK : xml_refuse(ctx, why, path);
}

typedef struct {
    Model_t *sm;
    mt_model *ids; /* function id -> index (a scratch IR used as a hash table) */
    int *depth;    /* per function: 0 not seen, -1 being visited, else its nesting */
} fd_walk;

static int fd_nesting(fd_walk *w, unsigned i, int level);

/* The longest chain of calls of function definitions in n. */
static int ast_nesting(fd_walk *w, const ASTNode_t *n, int level)
{
    int d = 0;
    if (!n)
        return 0;
    if (ASTNode_getType(n) == AST_FUNCTION && ASTNode_getName(n)) {
        int j = mt_ir_find(w->ids, ASTNode_getName(n));
        if (j >= 0)
            d = fd_nesting(w, (unsigned)j, level + 1);
    }
    for (unsigned k = 0; k < ASTNode_getNumChildren(n) && d <= MT_MAX_FD_NESTING; k++) {
        int x = ast_nesting(w, ASTNode_getChild(n, k), level);
        if (x > d)
            d = x;
    }
    return d;
}

/* 1 + the longest chain below function i; any value over the limit once
 * the chain from the first caller is longer (the walk stops there). A cycle
 * counts 0: libSBML's check reports recursion. */
static int fd_nesting(fd_walk *w, unsigned i, int level)
{
    if (level > MT_MAX_FD_NESTING)
        return level;
    if (w->depth[i] > 0)
        return w->depth[i];
    if (w->depth[i] < 0)
        return 0;
    w->depth[i] = -1;
    const FunctionDefinition_t *fd = Model_getFunctionDefinition(w->sm, i);
    int d = 1 + ast_nesting(w, fd ? FunctionDefinition_getBody(fd) : NULL, level);
    w->depth[i] = d;
    return d;
}

static mt_status check_fd_nesting(imp *im, Model_t *sm)
{
    unsigned n = sm ? Model_getNumFunctionDefinitions(sm) : 0;
    if (n <= MT_MAX_FD_NESTING)
        return MT_OK; /* a chain of distinct functions is no longer */
    fd_walk w = {sm, mt_ir_new(im->ctx), mt_calloc(im->ctx, n, sizeof(int))};
    mt_status st = MT_OK;
    if (!w.ids || !w.depth)
        st = fail(im, MT_ENOMEM, "%s", "out of memory");
    for (unsigned i = 0; st == MT_OK && i < n; i++) {
        const char *id = FunctionDefinition_getId(Model_getFunctionDefinition(sm, i));
        if (mt_ir_add_sym(im->ctx, w.ids, id ? id : "", MT_SYM_HIDDEN, 0) < 0)
            st = fail(im, MT_ENOMEM, "%s", "out of memory");
    }
    for (unsigned i = 0; st == MT_OK && i < n; i++)
        if (fd_nesting(&w, i, 1) > MT_MAX_FD_NESTING)
            st =
                fail(im, MT_ELIMIT, "%s", "function definitions call each other more than 32 deep");
    mt_model_destroy(w.ids);
    mt_free(im->ctx, w.depth);
    return st;
}

/* ---------- rateOf: its shape, before libSBML's own checks ---------- */

/* 1 if some rateOf node under n does not have exactly one argument. libSBML's consistency
 * check (RateOfCycles, 5.20) reads the first argument of every rateOf without checking that it
 * exists, and crashes on e.g. <apply><geq/><csymbol rateOf/><ci>p</ci></apply> (fuzz_sbml). */
static int bad_rateof(const ASTNode_t *n, int depth)
{
    if (!n || depth > 100000)
        return 0;
    if (ASTNode_getType(n) == AST_FUNCTION_RATE_OF && ASTNode_getNumChildren(n) != 1)
        return 1;
    for (unsigned k = 0; k < ASTNode_getNumChildren(n); k++)
        if (bad_rateof(ASTNode_getChild(n, k), depth + 1))
            return 1;
    return 0;
}

static mt_status check_rateof_shape(imp *im, Model_t *sm)
{
    if (!sm)
        return MT_OK;
    int bad = 0;
    for (unsigned i = 0; !bad && i < Model_getNumFunctionDefinitions(sm); i++)
        bad = bad_rateof(FunctionDefinition_getMath(Model_getFunctionDefinition(sm, i)), 0);
    for (unsigned i = 0; !bad && i < Model_getNumInitialAssignments(sm); i++)
        bad = bad_rateof(InitialAssignment_getMath(Model_getInitialAssignment(sm, i)), 0);
    for (unsigned i = 0; !bad && i < Model_getNumRules(sm); i++)
        bad = bad_rateof(Rule_getMath(Model_getRule(sm, i)), 0);
    for (unsigned i = 0; !bad && i < Model_getNumConstraints(sm); i++)
        bad = bad_rateof(Constraint_getMath(Model_getConstraint(sm, i)), 0);
    for (unsigned i = 0; !bad && i < Model_getNumReactions(sm); i++) {
        const KineticLaw_t *kl = Reaction_getKineticLaw(Model_getReaction(sm, i));
        bad = kl && bad_rateof(KineticLaw_getMath(kl), 0);
    }
    for (unsigned i = 0; !bad && i < Model_getNumEvents(sm); i++) {
        Event_t *ev = Model_getEvent(sm, i);
        const Trigger_t *tr = Event_getTrigger(ev);
        const Delay_t *dl = Event_getDelay(ev);
        const Priority_t *pr = Event_getPriority(ev);
        bad = (tr && bad_rateof(Trigger_getMath(tr), 0)) ||
              (dl && bad_rateof(Delay_getMath(dl), 0)) ||
              (pr && bad_rateof(Priority_getMath(pr), 0));
        for (unsigned k = 0; !bad && k < Event_getNumEventAssignments(ev); k++)
            bad = bad_rateof(EventAssignment_getMath(Event_getEventAssignment(ev, k)), 0);
    }
    return bad ? fail(im, MT_ESBML, "%s",
                      "not valid SBML: rateOf() takes one symbol as its argument")
               : MT_OK;
}

/* ---------- rateOf ---------- */

/* The rate of change of slot s as an expression over slots (NULL: failure,
 * reported). depth guards cycles such as a rate rule x' = rateOf(x). */
static mt_expr *rate_expr(imp *im, int s, int depth);

/* Replaces every rateOf node under *e (in place). */
static int subst_rates(imp *im, mt_expr **e, int depth)
{
    if (!*e)
        return 0;
    if ((*e)->op == MT_E_RATEOF) {
        mt_expr *r = rate_expr(im, (*e)->sym, depth + 1);
        if (!r)
            return -1;
        mt_expr_free(im->ctx, *e);
        *e = r;
        return 0;
    }
    for (size_t i = 0; i < (*e)->n; i++)
        if (subst_rates(im, &(*e)->k[i], depth) != 0)
            return -1;
    return 0;
}

static mt_expr *rate_expr(imp *im, int s, int depth)
{
    mt_model *m = im->m;
    mt_ctx *ctx = im->ctx;
    if (depth > 32) {
        fail(im, MT_ESBML, "rateOf() of '%s' depends on itself", m->sym[s].id);
        return NULL;
    }
    const mt_sym *y = &m->sym[s];
    mt_expr *r = NULL;
    if (y->amt >= 0 && m->sym[y->amt].rule >= 0) {
        fail(im, MT_EUNSUPPORTED, "unsupported: rateOf() of '%s', a species of a fast reaction",
             y->id);
        return NULL;
    }
    if (y->state >= 0) {
        r = mt_expr_clone(ctx, m->state[y->state].deriv);
    } else if (y->amt >= 0) {
        /* concentration = amount / size: (amount' - conc * size') / size */
        int a = y->amt, c = y->comp;
        mt_expr *da = m->sym[a].state >= 0 ? mt_expr_clone(ctx, m->state[m->sym[a].state].deriv)
                                           : mt_expr_const(ctx, 0.0);
        mt_expr *dc = rate_expr(im, c, depth + 1);
        if (!dc) {
            mt_expr_free(ctx, da);
            return NULL;
        }
        mt_expr *num =
            mt_expr_bin(ctx, MT_E_SUB, da, mt_expr_bin(ctx, MT_E_MUL, mt_expr_sym(ctx, s), dc));
        r = mt_expr_bin(ctx, MT_E_DIV, num, mt_expr_sym(ctx, c));
    } else if (y->rule >= 0) {
        fail(im, MT_EUNSUPPORTED, "unsupported: rateOf() of '%s', which an assignment rule defines",
             y->id);
        return NULL;
    } else {
        r = mt_expr_const(ctx, 0.0); /* changes only by events: rate 0 between them */
    }
    if (!r) {
        fail(im, MT_ENOMEM, "%s", "out of memory");
        return NULL;
    }
    if (subst_rates(im, &r, depth) != 0) {
        mt_expr_free(ctx, r);
        return NULL;
    }
    return r;
}

static mt_status resolve_rates(imp *im)
{
    mt_model *m = im->m;
    for (size_t s = 0; s < m->n_sym; s++)
        if (subst_rates(im, &m->sym[s].init, 0) != 0)
            return im->st;
    for (size_t i = 0; i < m->n_rule; i++)
        if (subst_rates(im, &m->rule[i].e, 0) != 0)
            return im->st;
    /* derivatives last: the expressions above were built from the original
     * derivatives, which may themselves use rateOf */
    for (size_t i = 0; i < m->n_event; i++) {
        mt_event *e = &m->ev[i];
        if (subst_rates(im, &e->trigger, 0) || subst_rates(im, &e->delay, 0) ||
            subst_rates(im, &e->priority, 0))
            return im->st;
        for (size_t j = 0; j < e->n_asg; j++)
            if (subst_rates(im, &e->asg[j].e, 0) != 0)
                return im->st;
    }
    for (size_t i = 0; i < m->n_state; i++)
        if (subst_rates(im, &m->state[i].deriv, 0) != 0)
            return im->st;
    return MT_OK;
}

/* The algebraic rules solved (model/algebraic.c), their solutions in place of the
 * placeholders map_algebraic_rules() made. */
static mt_status solve_algebraic_rules(imp *im)
{
    if (!im->n_alg)
        return MT_OK;
    mt_ctx *ctx = im->ctx;
    mt_model *m = im->m;
    for (size_t r = 0; r < im->n_alg; r++)
        if (subst_rates(im, &im->alg_g[r], 0) != 0)
            return im->st;
    mt_expr **sol = mt_calloc(ctx, im->n_alg, sizeof *sol);
    if (!sol)
        return fail(im, MT_ENOMEM, "%s", "out of memory");
    mt_status st =
        mt_alg_solve(ctx, m, im->alg_g, im->n_alg, im->n_alg_rules, im->alg_flow, im->alg_var, sol);
    if (st == MT_OK) {
        for (size_t r = 0; r < im->n_alg; r++) {
            mt_assign *a = &m->rule[m->sym[im->alg_var[r]].rule];
            mt_expr_free(ctx, a->e);
            a->e = sol[r];
            m->sym[im->alg_var[r]].alg = 1;
        }
    } else {
        im->st = st;
    }
    mt_free(ctx, sol);
    return st;
}

static void free_algebraic(imp *im)
{
    for (size_t r = 0; r < im->n_alg && im->alg_g; r++)
        mt_expr_free(im->ctx, im->alg_g[r]);
    mt_free(im->ctx, im->alg_g);
    mt_free(im->ctx, im->alg_var);
    mt_free(im->ctx, im->alg_flow);
    im->alg_flow = NULL;
    im->alg_g = NULL;
    im->alg_var = NULL;
    im->n_alg = 0;
}

static mt_status import_doc(mt_ctx *ctx, SBMLDocument_t *d, mt_model **out)
{
    imp im = {0};
    im.ctx = ctx;
    if (report_errors(&im, d, "not valid SBML") != MT_OK)
        return im.st;
    if (!SBMLDocument_getModel(d))
        return mt_error(ctx, MT_ESBML, "not valid SBML: the document has no model");
    if (check_fd_nesting(&im, SBMLDocument_getModel(d)) != MT_OK ||
        check_rateof_shape(&im, SBMLDocument_getModel(d)) != MT_OK ||
        flatten_comp(&im, d) != MT_OK || check_fd_nesting(&im, SBMLDocument_getModel(d)) != MT_OK ||
        check_rateof_shape(&im, SBMLDocument_getModel(d)) != MT_OK)
        return im.st;
    SBMLDocument_setConsistencyChecks(d, LIBSBML_CAT_UNITS_CONSISTENCY, 0);
    SBMLDocument_setConsistencyChecks(d, LIBSBML_CAT_MODELING_PRACTICE, 0);
    if (SBMLDocument_checkConsistency(d) > 0 &&
        report_errors(&im, d, "invalid SBML (consistency check)") != MT_OK)
        return im.st;
    im.sm = SBMLDocument_getModel(d);
    im.level = SBMLDocument_getLevel(d);
    im.version = SBMLDocument_getVersion(d);
    if (SBase_getPlugin((SBase_t *)im.sm, "fbc"))
        return mt_error(ctx, MT_EUNSUPPORTED, "unsupported: flux balance constraints (fbc)");
    im.m = mt_ir_new(ctx);
    if (!im.m)
        return mt_error(ctx, MT_ENOMEM, "out of memory");
    const char *mid = Model_getId(im.sm);
    im.m->id = mt_strdup(ctx, mid ? mid : "");
    if (map_symbols(&im) == MT_OK && map_rules(&im) == MT_OK && map_species(&im) == MT_OK &&
        map_initial_assignments(&im) == MT_OK && map_reactions(&im) == MT_OK &&
        map_events(&im) == MT_OK && resolve_rates(&im) == MT_OK &&
        solve_algebraic_rules(&im) == MT_OK) {
        free_algebraic(&im);
        *out = im.m;
        return MT_OK;
    }
    free_algebraic(&im);
    mt_model_destroy(im.m);
    return im.st != MT_OK ? im.st : mt_error(ctx, MT_ENOMEM, "out of memory");
}

mt_status mt_sbml_open(mt_ctx *ctx, const char *path, SBMLDocument_t **out)
{
    *out = NULL;
    if (!path)
        return mt_error(ctx, MT_EINVAL, "no model file given");
    FILE *f = fopen(path, "rb");
    if (!f)
        return mt_error(ctx, MT_EIO, "cannot open model file '%s'", path);
    mt_status depth_st = check_file_depth(ctx, f, path);
    fclose(f);
    if (depth_st != MT_OK)
        return depth_st;
    if (check_root_namespace(ctx, path, 1) != MT_OK) {
        char msg[sizeof ctx->msg];
        snprintf(msg, sizeof msg, "%s", ctx->msg);
        return mt_error(ctx, MT_ESBML, "%s: %s", path, msg);
    }
    SBMLDocument_t *d = readSBMLFromFile(path);
    if (!d)
        return mt_error(ctx, MT_ENOMEM, "out of memory reading '%s'", path);
    /* libSBML resolves external model definitions against the document's
     * location, which must be absolute (a bare relative path is not). */
    char *abs = realpath(path, NULL);
    if (abs) {
        size_t n = strlen(abs) + 8;
        char *uri = mt_malloc(ctx, n);
        if (uri) {
            snprintf(uri, n, "file:%s", abs);
            SBMLDocument_setLocationURI(d, uri);
            mt_free(ctx, uri);
        }
        free(abs);
    }
    *out = d;
    return MT_OK;
}

mt_status mt_model_load_file(mt_ctx *ctx, const char *path, mt_model **out)
{
    *out = NULL;
    SBMLDocument_t *d = NULL;
    mt_status st = mt_sbml_open(ctx, path, &d);
    if (st != MT_OK)
        return st;
    st = import_doc(ctx, d, out);
    SBMLDocument_free(d);
    if (st != MT_OK) {
        char msg[sizeof ctx->msg];
        snprintf(msg, sizeof msg, "%s", ctx->msg);
        mt_error(ctx, st, "%s: %s", path, msg);
    }
    return st;
}

mt_status mt_model_load_string(mt_ctx *ctx, const char *xml, size_t len, const char *base_dir,
                               mt_model **out)
{
    *out = NULL;
    if (!xml)
        return mt_error(ctx, MT_EINVAL, "no model text given");
    char *copy = mt_malloc(ctx, len + 1);
    if (!copy)
        return mt_error(ctx, MT_ENOMEM, "out of memory");
    memcpy(copy, xml, len);
    copy[len] = '\0';
    if (strlen(copy) != len) {
        mt_free(ctx, copy);
        return mt_error(ctx, MT_EPARSE, "model text contains a NUL byte");
    }
    int why = xml_scan(copy, len);
    if (why != XML_OK) {
        mt_free(ctx, copy);
        return xml_refuse(ctx, why, NULL);
    }
    mt_status ns_st = check_root_namespace(ctx, copy, 0);
    if (ns_st != MT_OK) {
        mt_free(ctx, copy);
        return ns_st;
    }
    SBMLDocument_t *d = readSBMLFromString(copy);
    mt_free(ctx, copy);
    if (!d)
        return mt_error(ctx, MT_ENOMEM, "out of memory");
    if (base_dir) {
        char uri[4096];
        snprintf(uri, sizeof uri, "file:%s/", base_dir);
        SBMLDocument_setLocationURI(d, uri);
    }
    mt_status st = import_doc(ctx, d, out);
    SBMLDocument_free(d);
    return st;
}
