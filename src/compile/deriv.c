/* SPDX-License-Identifier: Apache-2.0
 *
 * compile/deriv.c — symbolic differentiation of IR expressions with respect to one state
 * (see compile/deriv.h). Structural zeros are NULL all the way through, so a derivative that
 * is zero costs nothing and a sparse Jacobian stays sparse; constants fold as they meet.
 */
#include "compile/deriv.h"

#include <math.h>
#include <string.h>

typedef struct {
    mt_ctx *ctx;
    const mt_deriv_env *env;
    int state_slot;
    /* memo of rule derivatives for the current state: NULL = zero */
    mt_expr **memo;
    unsigned char *done;
    int fail; /* 1: not differentiable here; 2: out of memory; 3: over budget */
    size_t work;
} dv;

static mt_expr *d(dv *x, const mt_expr *e);

static int is_const(const mt_expr *e, double v) { return e && e->op == MT_E_CONST && e->v == v; }

static mt_expr *oom(dv *x)
{
    if (!x->fail)
        x->fail = 2;
    return NULL;
}

static size_t size_of(const mt_expr *e)
{
    size_t n = 1;
    for (size_t i = 0; i < e->n; i++)
        n += size_of(e->k[i]);
    return n;
}

/* A copy of e; the copied nodes count against the budget, so that a derivative whose size
 * explodes (nested powers and products) is given up early instead of exhausting memory. */
static mt_expr *cl(dv *x, const mt_expr *e)
{
    if (x->fail)
        return NULL;
    x->work += size_of(e);
    if (x->work > x->env->budget) {
        x->fail = 3;
        return NULL;
    }
    mt_expr *c = mt_expr_clone(x->ctx, e);
    return c ? c : oom(x);
}

static mt_expr *cst(dv *x, double v)
{
    mt_expr *c = mt_expr_const(x->ctx, v);
    return c ? c : oom(x);
}

/* a + b, a - b, a * b, a / b with NULL meaning zero; the operands are consumed. */
static mt_expr *add(dv *x, mt_expr *a, mt_expr *b)
{
    if (!a)
        return b;
    if (!b)
        return a;
    if (a->op == MT_E_CONST && b->op == MT_E_CONST) {
        double v = a->v + b->v;
        mt_expr_free(x->ctx, a);
        mt_expr_free(x->ctx, b);
        return cst(x, v);
    }
    mt_expr *e = mt_expr_bin(x->ctx, MT_E_ADD, a, b);
    return e ? e : oom(x);
}

static mt_expr *neg(dv *x, mt_expr *a)
{
    if (!a)
        return NULL;
    if (a->op == MT_E_CONST) {
        a->v = -a->v;
        return a;
    }
    mt_expr *e = mt_expr_new(x->ctx, MT_E_NEG);
    if (!e || mt_expr_push(x->ctx, e, a) != 0) {
        mt_expr_free(x->ctx, e);
        return oom(x);
    }
    return e;
}

static mt_expr *sub(dv *x, mt_expr *a, mt_expr *b)
{
    if (!b)
        return a;
    if (!a)
        return neg(x, b);
    mt_expr *e = mt_expr_bin(x->ctx, MT_E_SUB, a, b);
    return e ? e : oom(x);
}

static mt_expr *mul(dv *x, mt_expr *a, mt_expr *b)
{
    if (!a || !b) {
        mt_expr_free(x->ctx, a);
        mt_expr_free(x->ctx, b);
        return NULL;
    }
    if (is_const(a, 1)) {
        mt_expr_free(x->ctx, a);
        return b;
    }
    if (is_const(b, 1)) {
        mt_expr_free(x->ctx, b);
        return a;
    }
    if (a->op == MT_E_CONST && b->op == MT_E_CONST) {
        double v = a->v * b->v;
        mt_expr_free(x->ctx, a);
        mt_expr_free(x->ctx, b);
        return cst(x, v);
    }
    mt_expr *e = mt_expr_bin(x->ctx, MT_E_MUL, a, b);
    return e ? e : oom(x);
}

static mt_expr *dvd(dv *x, mt_expr *a, mt_expr *b)
{
    if (!a || !b) {
        mt_expr_free(x->ctx, a);
        mt_expr_free(x->ctx, b);
        return a ? oom(x) : NULL; /* 0 / b = 0; a / <missing> cannot happen */
    }
    if (is_const(b, 1)) {
        mt_expr_free(x->ctx, b);
        return a;
    }
    mt_expr *e = mt_expr_bin(x->ctx, MT_E_DIV, a, b);
    return e ? e : oom(x);
}

static mt_expr *fn(dv *x, int f, mt_expr *a)
{
    if (!a)
        return oom(x);
    mt_expr *e = mt_expr_new(x->ctx, MT_E_FN);
    if (!e || mt_expr_push(x->ctx, e, a) != 0) {
        mt_expr_free(x->ctx, e);
        return oom(x);
    }
    e->fn = f;
    return e;
}

static mt_expr *pw(dv *x, mt_expr *a, mt_expr *b)
{
    if (!a || !b) {
        mt_expr_free(x->ctx, a);
        mt_expr_free(x->ctx, b);
        return oom(x);
    }
    mt_expr *e = mt_expr_bin(x->ctx, MT_E_POW, a, b);
    return e ? e : oom(x);
}

static mt_expr *unsupported(dv *x)
{
    if (!x->fail)
        x->fail = 1;
    return NULL;
}

/* Derivative of a unary function at u, times du (du != NULL). */
static mt_expr *d_fn(dv *x, int f, const mt_expr *u, mt_expr *du)
{
    switch (f) {
    case MT_FN_EXP:
        return mul(x, fn(x, MT_FN_EXP, cl(x, u)), du);
    case MT_FN_LN:
        return dvd(x, du, cl(x, u));
    case MT_FN_LOG10:
        return dvd(x, du, mul(x, cl(x, u), cst(x, log(10.0))));
    case MT_FN_SQRT:
        return dvd(x, du, mul(x, cst(x, 2), fn(x, MT_FN_SQRT, cl(x, u))));
    case MT_FN_ABS: {
        /* sign(u) du: piecewise(du, u >= 0, -du) */
        mt_expr *e = mt_expr_new(x->ctx, MT_E_PIECEWISE);
        mt_expr *c = mt_expr_bin(x->ctx, MT_E_GE, cl(x, u), cst(x, 0));
        mt_expr *ndu = neg(x, cl(x, du));
        if (!e || mt_expr_push(x->ctx, e, du) || mt_expr_push(x->ctx, e, c) ||
            mt_expr_push(x->ctx, e, ndu)) {
            mt_expr_free(x->ctx, e);
            return oom(x);
        }
        return e;
    }
    case MT_FN_SIN:
        return mul(x, fn(x, MT_FN_COS, cl(x, u)), du);
    case MT_FN_COS:
        return neg(x, mul(x, fn(x, MT_FN_SIN, cl(x, u)), du));
    case MT_FN_TAN:
        return dvd(x, du, pw(x, fn(x, MT_FN_COS, cl(x, u)), cst(x, 2)));
    case MT_FN_SINH:
        return mul(x, fn(x, MT_FN_COSH, cl(x, u)), du);
    case MT_FN_COSH:
        return mul(x, fn(x, MT_FN_SINH, cl(x, u)), du);
    case MT_FN_TANH:
        return dvd(x, du, pw(x, fn(x, MT_FN_COSH, cl(x, u)), cst(x, 2)));
    case MT_FN_FLOOR:
    case MT_FN_CEIL:
        mt_expr_free(x->ctx, du);
        return NULL; /* zero almost everywhere */
    default:
        mt_expr_free(x->ctx, du);
        return unsupported(x);
    }
}

/* d(a^b) */
static mt_expr *d_pow(dv *x, const mt_expr *a, const mt_expr *b)
{
    mt_expr *da = d(x, a), *db = d(x, b);
    if (x->fail) {
        mt_expr_free(x->ctx, da);
        mt_expr_free(x->ctx, db);
        return NULL;
    }
    mt_expr *r = NULL;
    if (da) /* b a^(b-1) da */
        r = mul(x, mul(x, cl(x, b), pw(x, cl(x, a), sub(x, cl(x, b), cst(x, 1)))), da);
    if (db) /* a^b ln(a) db */
        r = add(x, r, mul(x, mul(x, pw(x, cl(x, a), cl(x, b)), fn(x, MT_FN_LN, cl(x, a))), db));
    return r;
}

static mt_expr *d_minmax(dv *x, const mt_expr *e)
{
    if (e->n == 1)
        return d(x, e->k[0]);
    if (e->n != 2)
        return unsupported(x);
    mt_expr *da = d(x, e->k[0]), *db = d(x, e->k[1]);
    if (x->fail || (!da && !db)) {
        mt_expr_free(x->ctx, da);
        mt_expr_free(x->ctx, db);
        return NULL;
    }
    /* min: a' where a <= b; max: a' where a >= b (the VM's fmin/fmax pick a on a tie) */
    mt_expr *pwe = mt_expr_new(x->ctx, MT_E_PIECEWISE);
    mt_expr *c =
        mt_expr_bin(x->ctx, e->op == MT_E_MIN ? MT_E_LE : MT_E_GE, cl(x, e->k[0]), cl(x, e->k[1]));
    if (!da)
        da = cst(x, 0);
    if (!db)
        db = cst(x, 0);
    if (!pwe || mt_expr_push(x->ctx, pwe, da) || mt_expr_push(x->ctx, pwe, c) ||
        mt_expr_push(x->ctx, pwe, db)) {
        mt_expr_free(x->ctx, pwe);
        return oom(x);
    }
    return pwe;
}

static mt_expr *d_piecewise(dv *x, const mt_expr *e)
{
    mt_expr **dk = mt_calloc(x->ctx, e->n ? e->n : 1, sizeof *dk);
    if (!dk)
        return oom(x);
    int any = 0;
    for (size_t i = 0; i < e->n; i++) {
        int is_value = (i % 2 == 0);
        if (is_value) {
            dk[i] = d(x, e->k[i]);
            any |= dk[i] != NULL;
        }
    }
    mt_expr *r = NULL;
    if (any && !x->fail) {
        r = mt_expr_new(x->ctx, MT_E_PIECEWISE);
        for (size_t i = 0; r && i < e->n; i++) {
            mt_expr *k = (i % 2 == 0) ? (dk[i] ? dk[i] : cst(x, 0)) : cl(x, e->k[i]);
            dk[i] = NULL;
            if (mt_expr_push(x->ctx, r, k) != 0) {
                mt_expr_free(x->ctx, r);
                r = NULL;
            }
        }
        if (!r)
            oom(x);
    }
    for (size_t i = 0; i < e->n; i++)
        mt_expr_free(x->ctx, dk[i]);
    mt_free(x->ctx, dk);
    return r;
}

static mt_expr *d_sym(dv *x, int s)
{
    if (s == x->state_slot)
        return cst(x, 1);
    const mt_deriv_env *env = x->env;
    if (s < 0 || (size_t)s >= env->n_slot || !env->rule[s])
        return NULL;
    if (!x->done[s]) {
        x->done[s] = 1;
        x->memo[s] = d(x, env->rule[s]);
    }
    return x->memo[s] ? cl(x, x->memo[s]) : NULL;
}

static mt_expr *d(dv *x, const mt_expr *e)
{
    if (x->fail || !e)
        return NULL;
    if (++x->work > x->env->budget) {
        x->fail = 3;
        return NULL;
    }
    switch (e->op) {
    case MT_E_CONST:
    case MT_E_TIME:
    case MT_E_OVR_SET:
    case MT_E_OVR_VAL:
    case MT_E_LT:
    case MT_E_LE:
    case MT_E_GT:
    case MT_E_GE:
    case MT_E_EQ:
    case MT_E_NE:
    case MT_E_AND:
    case MT_E_OR:
    case MT_E_XOR:
    case MT_E_NOT:
    case MT_E_IMPLIES:
    case MT_E_QUOTIENT:
        return NULL; /* constant, or piecewise constant (booleans, integer quotient) */
    case MT_E_SYM:
        return d_sym(x, e->sym);
    case MT_E_ADD: {
        mt_expr *r = NULL;
        for (size_t i = 0; i < e->n; i++)
            r = add(x, r, d(x, e->k[i]));
        return x->fail ? (mt_expr_free(x->ctx, r), NULL) : r;
    }
    case MT_E_SUB: {
        if (e->n == 0)
            return NULL;
        mt_expr *r = d(x, e->k[0]);
        for (size_t i = 1; i < e->n; i++)
            r = sub(x, r, d(x, e->k[i]));
        return x->fail ? (mt_expr_free(x->ctx, r), NULL) : r;
    }
    case MT_E_NEG:
        return e->n == 1 ? neg(x, d(x, e->k[0])) : NULL;
    case MT_E_MUL: {
        /* sum over i of k_0 ... k_i' ... k_n */
        mt_expr *r = NULL;
        for (size_t i = 0; i < e->n && !x->fail; i++) {
            mt_expr *t = d(x, e->k[i]);
            for (size_t j = 0; t && j < e->n; j++)
                if (j != i)
                    t = mul(x, cl(x, e->k[j]), t);
            r = add(x, r, t);
        }
        return x->fail ? (mt_expr_free(x->ctx, r), NULL) : r;
    }
    case MT_E_DIV: {
        if (e->n != 2)
            return e->n == 1 ? d(x, e->k[0]) : unsupported(x);
        const mt_expr *a = e->k[0], *b = e->k[1];
        mt_expr *da = d(x, a), *db = d(x, b);
        mt_expr *r = dvd(x, da, cl(x, b));
        if (db) /* - a b' / b^2 */
            r = sub(x, r, dvd(x, mul(x, cl(x, a), db), pw(x, cl(x, b), cst(x, 2))));
        return x->fail ? (mt_expr_free(x->ctx, r), NULL) : r;
    }
    case MT_E_POW:
        if (e->n != 2)
            return e->n == 1 ? d(x, e->k[0]) : unsupported(x);
        return d_pow(x, e->k[0], e->k[1]);
    case MT_E_FN: {
        if (e->n != 1)
            return NULL;
        mt_expr *du = d(x, e->k[0]);
        return du ? d_fn(x, e->fn, e->k[0], du) : NULL;
    }
    case MT_E_LOG: { /* log(base, u) = ln(u) / ln(base) */
        if (e->n != 2)
            return unsupported(x);
        mt_expr *db = d(x, e->k[0]);
        if (db) {
            mt_expr_free(x->ctx, db);
            return unsupported(x);
        }
        mt_expr *du = d(x, e->k[1]);
        return du ? dvd(x, du, mul(x, cl(x, e->k[1]), fn(x, MT_FN_LN, cl(x, e->k[0])))) : NULL;
    }
    case MT_E_ROOT: { /* root(n, u) = u^(1/n) */
        if (e->n != 2)
            return unsupported(x);
        mt_expr *dn = d(x, e->k[0]);
        if (dn) {
            mt_expr_free(x->ctx, dn);
            return unsupported(x);
        }
        mt_expr *du = d(x, e->k[1]);
        if (!du)
            return NULL;
        mt_expr *inv = dvd(x, cst(x, 1), cl(x, e->k[0]));
        mt_expr *r = mul(x, mul(x, cl(x, inv), pw(x, cl(x, e->k[1]), sub(x, inv, cst(x, 1)))), du);
        return r;
    }
    case MT_E_REM: { /* rem(a, b) = a - b trunc(a/b): a' - quotient(a, b) b' */
        if (e->n != 2)
            return unsupported(x);
        mt_expr *da = d(x, e->k[0]), *db = d(x, e->k[1]);
        if (db) {
            mt_expr *q = mt_expr_bin(x->ctx, MT_E_QUOTIENT, cl(x, e->k[0]), cl(x, e->k[1]));
            db = mul(x, q ? q : oom(x), db);
        }
        mt_expr *r = sub(x, da, db);
        return x->fail ? (mt_expr_free(x->ctx, r), NULL) : r;
    }
    case MT_E_MIN:
    case MT_E_MAX:
        return d_minmax(x, e);
    case MT_E_PIECEWISE:
        return d_piecewise(x, e);
    case MT_E_DELAY: {
        /* the past does not move with the current value: zero, unless the delay itself
         * does (then -x'(t - tau) tau', and x' of the past is not in the expression) */
        mt_expr *dt = e->n == 2 ? d(x, e->k[1]) : NULL;
        if (x->fail)
            return NULL;
        if (!dt)
            return NULL;
        mt_expr_free(x->ctx, dt);
        return unsupported(x);
    }
    case MT_E_RATEOF:
    case MT_E_NEWTON:
        return unsupported(x);
    }
    return unsupported(x);
}

mt_status mt_deriv_begin(mt_ctx *ctx, const mt_deriv_env *env, mt_deriv **out)
{
    *out = NULL;
    mt_deriv *w = mt_calloc(ctx, 1, sizeof *w);
    if (!w)
        return mt_error(ctx, MT_ENOMEM, "out of memory");
    w->ctx = ctx;
    w->env = env;
    w->memo = mt_calloc(ctx, env->n_slot ? env->n_slot : 1, sizeof *w->memo);
    w->done = mt_calloc(ctx, env->n_slot ? env->n_slot : 1, 1);
    if (!w->memo || !w->done) {
        mt_deriv_end(w);
        return mt_error(ctx, MT_ENOMEM, "out of memory");
    }
    *out = w;
    return MT_OK;
}

static void forget(mt_deriv *w)
{
    for (size_t s = 0; s < w->env->n_slot; s++) {
        mt_expr_free(w->ctx, w->memo[s]);
        w->memo[s] = NULL;
    }
    memset(w->done, 0, w->env->n_slot);
}

void mt_deriv_set_state(mt_deriv *w, int state_slot)
{
    if (w->state_slot != state_slot || !w->started)
        forget(w);
    w->state_slot = state_slot;
    w->started = 1;
}

mt_status mt_deriv_of(mt_deriv *w, const mt_expr *e, mt_expr **out)
{
    dv x = {w->ctx, w->env, w->state_slot, w->memo, w->done, 0, w->work};
    mt_expr *r = d(&x, e);
    w->work = x.work;
    if (x.fail) {
        mt_expr_free(w->ctx, r);
        *out = NULL;
        switch (x.fail) {
        case 2:
            return mt_error(w->ctx, MT_ENOMEM, "out of memory differentiating the model");
        case 3:
            return mt_error(w->ctx, MT_ELIMIT, "the Jacobian exceeds its size budget");
        default:
            return mt_error(w->ctx, MT_EUNSUPPORTED,
                            "the model uses a function without a symbolic derivative");
        }
    }
    *out = r;
    return MT_OK;
}

void mt_deriv_end(mt_deriv *w)
{
    if (!w)
        return;
    if (w->memo && w->done)
        forget(w);
    mt_free(w->ctx, w->memo);
    mt_free(w->ctx, w->done);
    mt_free(w->ctx, w);
}
