/* SPDX-License-Identifier: Apache-2.0
 * model/expr.h — the expression AST of the model IR (private). */
#ifndef MT_EXPR_H
#define MT_EXPR_H

#include "util/util.h"

#include <stddef.h>

/* Node kinds. Relational and logical nodes are n-ary as in MathML. */
typedef enum {
    MT_E_CONST,
    MT_E_SYM,     /* value slot `sym` */
    MT_E_TIME,    /* csymbol time */
    MT_E_OVR_SET, /* 1 if slot `sym` has a user override, else 0 (initial values only) */
    MT_E_OVR_VAL, /* the override value of slot `sym` */
    MT_E_ADD,
    MT_E_SUB, /* binary */
    MT_E_MUL,
    MT_E_DIV,
    MT_E_NEG,
    MT_E_POW,
    MT_E_FN,   /* unary function `fn` */
    MT_E_LOG,  /* log(base, x) */
    MT_E_ROOT, /* root(degree, x) */
    MT_E_REM,
    MT_E_QUOTIENT,
    MT_E_MIN,
    MT_E_MAX,
    MT_E_LT,
    MT_E_LE,
    MT_E_GT,
    MT_E_GE,
    MT_E_EQ,
    MT_E_NE,
    MT_E_AND,
    MT_E_OR,
    MT_E_XOR,
    MT_E_NOT,
    MT_E_IMPLIES,
    MT_E_PIECEWISE, /* value1, cond1, value2, cond2, ..., [otherwise] */
    MT_E_RATEOF,    /* rateOf(slot `sym`): import-time only, replaced by its derivative */
    MT_E_NEWTON,    /* a root of k[0] = f(z): z is slot `sym` (the iterate, kept between
                       evaluations: a warm start), `fn` the first of MT_NEWTON_SLOTS - 1 scratch
                       slots after it; v = 0: Newton's method with k[1] = f'(z); v = +-1: the
                       first root in the direction of the flow z' = v f(z) (marching, then
                       bisection). Only the whole expression of a rule (model/algebraic.c);
                       compiled to loops (compile/program.c). */
    MT_E_DELAY      /* delay(k[0], k[1]): the value k[0] had at time - k[1] (a delay differential
                       equation); before the start time, its value at the start. The
                       simulator keeps the history of every delayed expression (solve/sim.c,
                       compile/program.h). Varies with time like MT_E_TIME. */
} mt_expr_op;

#define MT_NEWTON_SLOTS 9 /* the iterate and the scratch slots of an MT_E_NEWTON node */

typedef enum {
    MT_FN_ABS,
    MT_FN_EXP,
    MT_FN_LN,
    MT_FN_LOG10,
    MT_FN_FLOOR,
    MT_FN_CEIL,
    MT_FN_FACTORIAL,
    MT_FN_SQRT,
    MT_FN_SIN,
    MT_FN_COS,
    MT_FN_TAN,
    MT_FN_SEC,
    MT_FN_CSC,
    MT_FN_COT,
    MT_FN_SINH,
    MT_FN_COSH,
    MT_FN_TANH,
    MT_FN_SECH,
    MT_FN_CSCH,
    MT_FN_COTH,
    MT_FN_ASIN,
    MT_FN_ACOS,
    MT_FN_ATAN,
    MT_FN_ASEC,
    MT_FN_ACSC,
    MT_FN_ACOT,
    MT_FN_ASINH,
    MT_FN_ACOSH,
    MT_FN_ATANH,
    MT_FN_ASECH,
    MT_FN_ACSCH,
    MT_FN_ACOTH,
    MT_FN__COUNT
} mt_fn;

typedef struct mt_expr mt_expr;
struct mt_expr {
    mt_expr_op op;
    int fn;   /* MT_E_FN */
    int sym;  /* MT_E_SYM, MT_E_OVR_* */
    double v; /* MT_E_CONST */
    size_t n; /* children */
    mt_expr **k;
};

mt_expr *mt_expr_new(mt_ctx *ctx, mt_expr_op op);
mt_expr *mt_expr_const(mt_ctx *ctx, double v);
mt_expr *mt_expr_sym(mt_ctx *ctx, int sym);
/* Appends child c (taking ownership; frees c and returns -1 on failure). */
int mt_expr_push(mt_ctx *ctx, mt_expr *e, mt_expr *c);
/* Binary helper; takes ownership of a and b, NULL if any is NULL. */
mt_expr *mt_expr_bin(mt_ctx *ctx, mt_expr_op op, mt_expr *a, mt_expr *b);
mt_expr *mt_expr_clone(mt_ctx *ctx, const mt_expr *e);
void mt_expr_free(mt_ctx *ctx, mt_expr *e);
/* Calls fn(sym, arg) for every slot the expression reads. */
void mt_expr_visit_syms(const mt_expr *e, void (*fn)(int sym, void *arg), void *arg);
/* True when the expression reads time, directly or through delay(). */
int mt_expr_uses_time(const mt_expr *e);
/* True when the expression holds a delay() node. */
int mt_expr_has_delay(const mt_expr *e);
/* Structural equality (same operators, slots, constants and children). */
int mt_expr_equal(const mt_expr *a, const mt_expr *b);
/* Evaluates a unary function (shared by the VM and constant folding). */
double mt_fn_eval(int fn, double x);
const char *mt_fn_name(int fn);

#endif
