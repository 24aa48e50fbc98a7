/* SPDX-License-Identifier: Apache-2.0
 *
 * model/expr.c — the expression AST of the model IR.
 *
 * Trees are built once by the importer (one heap node per MathML node) and
 * compiled to bytecode by compile/program.c; they are never walked while a
 * model is simulated. Every node owns its children.
 */
#include "model/expr.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

mt_expr *mt_expr_new(mt_ctx *ctx, mt_expr_op op)
{
    mt_expr *e = mt_calloc(ctx, 1, sizeof *e);
    if (e) {
        e->op = op;
        e->sym = -1;
    }
    return e;
}

mt_expr *mt_expr_const(mt_ctx *ctx, double v)
{
    mt_expr *e = mt_expr_new(ctx, MT_E_CONST);
    if (e)
        e->v = v;
    return e;
}

mt_expr *mt_expr_sym(mt_ctx *ctx, int sym)
{
    mt_expr *e = mt_expr_new(ctx, MT_E_SYM);
    if (e)
        e->sym = sym;
    return e;
}

int mt_expr_push(mt_ctx *ctx, mt_expr *e, mt_expr *c)
{
    if (!c)
        return -1;
    mt_expr **k = mt_realloc(ctx, e->k, (e->n + 1) * sizeof *k);
    if (!k) {
        mt_expr_free(ctx, c);
        return -1;
    }
    e->k = k;
    e->k[e->n++] = c;
    return 0;
}

mt_expr *mt_expr_bin(mt_ctx *ctx, mt_expr_op op, mt_expr *a, mt_expr *b)
{
    mt_expr *e = (a && b) ? mt_expr_new(ctx, op) : NULL;
    if (!e) {
        mt_expr_free(ctx, a);
        mt_expr_free(ctx, b);
        return NULL;
    }
    if (mt_expr_push(ctx, e, a) != 0) {
        mt_expr_free(ctx, b);
        mt_expr_free(ctx, e);
        return NULL;
    }
    if (mt_expr_push(ctx, e, b) != 0) {
        mt_expr_free(ctx, e);
        return NULL;
    }
    return e;
}

mt_expr *mt_expr_clone(mt_ctx *ctx, const mt_expr *e)
{
    if (!e)
        return NULL;
    mt_expr *c = mt_expr_new(ctx, e->op);
    if (!c)
        return NULL;
    c->fn = e->fn;
    c->sym = e->sym;
    c->v = e->v;
    for (size_t i = 0; i < e->n; i++) {
        if (mt_expr_push(ctx, c, mt_expr_clone(ctx, e->k[i])) != 0) {
            mt_expr_free(ctx, c);
            return NULL;
        }
    }
    return c;
}

void mt_expr_free(mt_ctx *ctx, mt_expr *e)
{
    if (!e)
        return;
    for (size_t i = 0; i < e->n; i++)
        mt_expr_free(ctx, e->k[i]);
    mt_free(ctx, e->k);
    mt_free(ctx, e);
}

void mt_expr_visit_syms(const mt_expr *e, void (*fn)(int sym, void *arg), void *arg)
{
    if (!e)
        return;
    if (e->op == MT_E_SYM)
        fn(e->sym, arg);
    for (size_t i = 0; i < e->n; i++)
        mt_expr_visit_syms(e->k[i], fn, arg);
}

int mt_expr_uses_time(const mt_expr *e)
{
    if (!e)
        return 0;
    if (e->op == MT_E_TIME || e->op == MT_E_DELAY)
        return 1;
    for (size_t i = 0; i < e->n; i++)
        if (mt_expr_uses_time(e->k[i]))
            return 1;
    return 0;
}

int mt_expr_has_delay(const mt_expr *e)
{
    if (!e)
        return 0;
    if (e->op == MT_E_DELAY)
        return 1;
    for (size_t i = 0; i < e->n; i++)
        if (mt_expr_has_delay(e->k[i]))
            return 1;
    return 0;
}

int mt_expr_equal(const mt_expr *a, const mt_expr *b)
{
    if (a == b)
        return 1;
    if (!a || !b || a->op != b->op || a->n != b->n || a->fn != b->fn || a->sym != b->sym)
        return 0;
    if (!(a->v == b->v || (isnan(a->v) && isnan(b->v))))
        return 0;
    for (size_t i = 0; i < a->n; i++)
        if (!mt_expr_equal(a->k[i], b->k[i]))
            return 0;
    return 1;
}

static double factorial(double x)
{
    if (x < 0 || x != floor(x))
        return NAN;
    return tgamma(x + 1.0);
}

double mt_fn_eval(int fn, double x)
{
    switch ((mt_fn)fn) {
    case MT_FN_ABS:
        return fabs(x);
    case MT_FN_EXP:
        return exp(x);
    case MT_FN_LN:
        return log(x);
    case MT_FN_LOG10:
        return log10(x);
    case MT_FN_FLOOR:
        return floor(x);
    case MT_FN_CEIL:
        return ceil(x);
    case MT_FN_FACTORIAL:
        return factorial(x);
    case MT_FN_SQRT:
        return sqrt(x);
    case MT_FN_SIN:
        return sin(x);
    case MT_FN_COS:
        return cos(x);
    case MT_FN_TAN:
        return tan(x);
    case MT_FN_SEC:
        return 1.0 / cos(x);
    case MT_FN_CSC:
        return 1.0 / sin(x);
    case MT_FN_COT:
        return 1.0 / tan(x);
    case MT_FN_SINH:
        return sinh(x);
    case MT_FN_COSH:
        return cosh(x);
    case MT_FN_TANH:
        return tanh(x);
    case MT_FN_SECH:
        return 1.0 / cosh(x);
    case MT_FN_CSCH:
        return 1.0 / sinh(x);
    case MT_FN_COTH:
        return 1.0 / tanh(x);
    case MT_FN_ASIN:
        return asin(x);
    case MT_FN_ACOS:
        return acos(x);
    case MT_FN_ATAN:
        return atan(x);
    case MT_FN_ASEC:
        return acos(1.0 / x);
    case MT_FN_ACSC:
        return asin(1.0 / x);
    case MT_FN_ACOT:
        return atan(1.0 / x);
    case MT_FN_ASINH:
        return asinh(x);
    case MT_FN_ACOSH:
        return acosh(x);
    case MT_FN_ATANH:
        return atanh(x);
    case MT_FN_ASECH:
        return acosh(1.0 / x);
    case MT_FN_ACSCH:
        return asinh(1.0 / x);
    case MT_FN_ACOTH:
        return atanh(1.0 / x);
    case MT_FN__COUNT:
        break;
    }
    return NAN;
}

static const char *const fn_names[MT_FN__COUNT] = {
    "abs",    "exp",    "ln",      "log10",   "floor",   "ceiling", "factorial", "sqrt",
    "sin",    "cos",    "tan",     "sec",     "csc",     "cot",     "sinh",      "cosh",
    "tanh",   "sech",   "csch",    "coth",    "arcsin",  "arccos",  "arctan",    "arcsec",
    "arccsc", "arccot", "arcsinh", "arccosh", "arctanh", "arcsech", "arccsch",   "arccoth"};

const char *mt_fn_name(int fn) { return (fn >= 0 && fn < MT_FN__COUNT) ? fn_names[fn] : "?"; }
