/* SPDX-License-Identifier: Apache-2.0
 *
 * compile/program.c — model IR -> stack bytecode, and the bytecode VM.
 *
 * Each expression becomes postfix code over a value stack whose depth is
 * known at compile time (the simulator allocates it once); slots are read
 * and written by index, constants come from a pool, piecewise and the
 * logical operators use conditional jumps. No allocation, string lookup or
 * tree walk happens while a block runs.
 *
 * Rules (assignment rules, reaction rates, concentrations of amount-tracked
 * species) are ordered once by a depth-first topological sort; a cycle is an
 * error. Initial values are ordered the same way over all slots, so initial
 * assignments and rules may depend on each other in any document order.
 * Rules that depend on neither time nor a state are left out of the
 * right-hand side: they are recomputed only after the start and after
 * events (block rules_all).
 */
#include "compile/program.h"
#include "compile/deriv.h"
#include "compile/native.h"
#include "model/ir.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    mt_ctx *ctx;
    mt_program *p;
    size_t cap_code, cap_const;
    size_t depth;
    int oom;
    /* the delayed expressions met so far (delay(x, tau): x), distinct by structure */
    const mt_expr **dx;
    size_t n_dx, cap_dx;
} cc;

static void emit(cc *c, int op, int a)
{
    if (c->oom)
        return;
    if (c->p->n_code == c->cap_code) {
        size_t nc = c->cap_code ? c->cap_code * 2 : 256;
        mt_ins *n = mt_realloc(c->ctx, c->p->code, nc * sizeof *n);
        if (!n) {
            c->oom = 1;
            return;
        }
        c->p->code = n;
        c->cap_code = nc;
    }
    c->p->code[c->p->n_code].op = op;
    c->p->code[c->p->n_code].a = a;
    c->p->n_code++;
}

static void push(cc *c)
{
    c->depth++;
    if (c->depth > c->p->max_stack)
        c->p->max_stack = c->depth;
}

static void pop(cc *c, size_t n) { c->depth -= n; }

static void emit_const(cc *c, double v)
{
    if (c->oom)
        return;
    if (c->p->n_const == c->cap_const) {
        size_t nc = c->cap_const ? c->cap_const * 2 : 64;
        double *n = mt_realloc(c->ctx, c->p->consts, nc * sizeof *n);
        if (!n) {
            c->oom = 1;
            return;
        }
        c->p->consts = n;
        c->cap_const = nc;
    }
    c->p->consts[c->p->n_const] = v;
    emit(c, MT_OP_CONST, (int)c->p->n_const++);
    push(c);
}

static void gen(cc *c, const mt_expr *e);

/* A lone operand of and/or/xor still yields a boolean (0 or 1). */
static void to_bool(cc *c)
{
    emit(c, MT_OP_NOT, 0);
    emit(c, MT_OP_NOT, 0);
}

/* Left fold of a binary op over the children. */
static void gen_fold(cc *c, const mt_expr *e, int op)
{
    if (e->n == 0) {
        emit_const(c, NAN);
        return;
    }
    gen(c, e->k[0]);
    for (size_t i = 1; i < e->n; i++) {
        gen(c, e->k[i]);
        emit(c, op, 0);
        pop(c, 1);
    }
}

/* n-ary relational chain: (a op b) and (b op c) and ... */
static void gen_chain(cc *c, const mt_expr *e, int op)
{
    if (e->n < 2) {
        emit_const(c, 1.0);
        return;
    }
    for (size_t i = 0; i + 1 < e->n; i++) {
        gen(c, e->k[i]);
        gen(c, e->k[i + 1]);
        emit(c, op, 0);
        pop(c, 1);
        if (i > 0) {
            emit(c, MT_OP_AND, 0);
            pop(c, 1);
        }
    }
}

static void patch(cc *c, size_t at)
{
    if (!c->oom)
        c->p->code[at].a = (int)(c->p->n_code - at);
}

static void gen_piecewise(cc *c, const mt_expr *e)
{
    size_t npairs = e->n / 2;
    size_t *ends = mt_calloc(c->ctx, npairs + 1, sizeof *ends);
    if (!ends) {
        c->oom = 1;
        return;
    }
    size_t base = c->depth;
    for (size_t i = 0; i < npairs; i++) {
        gen(c, e->k[2 * i + 1]);
        size_t jz = c->p->n_code;
        emit(c, MT_OP_JZ, 0);
        pop(c, 1);
        gen(c, e->k[2 * i]);
        ends[i] = c->p->n_code;
        emit(c, MT_OP_JMP, 0);
        c->depth = base;
        patch(c, jz);
    }
    if (e->n % 2)
        gen(c, e->k[e->n - 1]);
    else
        emit_const(c, NAN);
    for (size_t i = 0; i < npairs; i++)
        patch(c, ends[i]);
    mt_free(c->ctx, ends);
}

/* Newton's method for a nonlinear algebraic rule (MT_E_NEWTON): from the iterate's last value
 *     z -= f(z) / f'(z) while |step| > 1e-13 |z| + 1e-300 and fewer than 50 iterations;
 * then z, or NaN when the last step was still large (|step| > 1e-8 |z| + 1e-12: no
 * convergence; a zero or non-finite derivative gives NaN at once), which the simulator
 * reports as an error (mt_pslot.alg). The loop is the only backward jump of the bytecode;
 * the stack is at the same depth at its head and at the jump. */
static void g_load(cc *c, int slot)
{
    emit(c, MT_OP_LOAD, slot);
    push(c);
}

static void g_store(cc *c, int slot)
{
    emit(c, MT_OP_STORE, slot);
    pop(c, 1);
}

static void g_op(cc *c, int op) /* a binary operation */
{
    emit(c, op, 0);
    pop(c, 1);
}

static size_t g_jz(cc *c) /* pops the condition; patch() the returned place */
{
    size_t at = c->p->n_code;
    emit(c, MT_OP_JZ, 0);
    pop(c, 1);
    return at;
}

static size_t g_jmp(cc *c)
{
    size_t at = c->p->n_code;
    emit(c, MT_OP_JMP, 0);
    return at;
}

static void g_jmp_back(cc *c, size_t to) { emit(c, MT_OP_JMP, (int)to - (int)c->p->n_code); }

/* store v * f(z) into slot `to` */
static void g_flow(cc *c, const mt_expr *e, int to)
{
    gen(c, e->k[0]);
    emit_const(c, e->v);
    g_op(c, MT_OP_MUL);
    g_store(c, to);
}

/* The first root of F(z) = v f(z) in the direction of the flow z' = F(z) from z's last value
 * (MT_E_NEWTON with v = +-1: a fast reaction's equilibrium, the one it reaches): march in
 * steps that double from 1e-3 |z| until F changes sign (at most 400), then bisect to
 * 1e-14 |z| + 1e-30 (at most 1000 steps in all); NaN when no sign change is found. */
static void gen_bracket(cc *c, const mt_expr *e)
{
    int z = e->sym, s0 = e->fn, f0 = s0 + 1, lo = s0 + 2, hi = s0 + 3, fh = s0 + 4, d = s0 + 5,
        cnt = s0 + 6, fm = s0 + 7;
    size_t to_done[4], n_done = 0;
    emit_const(c, 0.0);
    g_store(c, cnt);
    g_flow(c, e, f0);
    g_load(c, z);
    g_store(c, s0);
    g_load(c, f0); /* F(z) = 0: z is the root */
    emit_const(c, 0.0);
    g_op(c, MT_OP_NE);
    to_done[n_done++] = g_jz(c);
    g_load(c, z);
    emit(c, MT_OP_FN, MT_FN_ABS);
    emit_const(c, 1e-3);
    g_op(c, MT_OP_MUL);
    emit_const(c, 1e-30);
    g_op(c, MT_OP_ADD);
    g_store(c, d);
    g_load(c, s0);
    g_store(c, lo);
    /* march: hi = s0 + sign(F0) d */
    size_t march = c->p->n_code;
    g_load(c, f0);
    emit_const(c, 0.0);
    g_op(c, MT_OP_GT);
    emit_const(c, 2.0);
    g_op(c, MT_OP_MUL);
    emit_const(c, 1.0);
    g_op(c, MT_OP_SUB);
    g_load(c, d);
    g_op(c, MT_OP_MUL);
    g_load(c, s0);
    g_op(c, MT_OP_ADD);
    g_store(c, hi);
    g_load(c, hi);
    g_store(c, z);
    g_flow(c, e, fh);
    g_load(c, fh); /* same sign as F0: march on */
    g_load(c, f0);
    g_op(c, MT_OP_MUL);
    emit_const(c, 0.0);
    g_op(c, MT_OP_GT);
    size_t to_bisect = g_jz(c);
    g_load(c, cnt);
    emit_const(c, 400.0);
    g_op(c, MT_OP_LT);
    size_t to_fail = g_jz(c);
    g_load(c, hi);
    g_store(c, lo);
    g_load(c, d);
    emit_const(c, 2.0);
    g_op(c, MT_OP_MUL);
    g_store(c, d);
    g_load(c, cnt);
    emit_const(c, 1.0);
    g_op(c, MT_OP_ADD);
    g_store(c, cnt);
    g_jmp_back(c, march);
    patch(c, to_bisect);
    /* bisection: F(lo) has the sign of F0, F(hi) = fh the other or 0 */
    size_t bisect = c->p->n_code;
    g_load(c, fh);
    emit_const(c, 0.0);
    g_op(c, MT_OP_NE);
    size_t to_hi_root = g_jz(c);
    g_load(c, lo);
    g_load(c, hi);
    g_op(c, MT_OP_ADD);
    emit_const(c, 0.5);
    g_op(c, MT_OP_MUL);
    g_store(c, z);
    g_flow(c, e, fm);
    g_load(c, fm);
    g_load(c, f0);
    g_op(c, MT_OP_MUL);
    emit_const(c, 0.0);
    g_op(c, MT_OP_GT);
    size_t to_upper = g_jz(c);
    g_load(c, z);
    g_store(c, lo);
    size_t to_check = g_jmp(c);
    patch(c, to_upper);
    g_load(c, z);
    g_store(c, hi);
    g_load(c, fm);
    g_store(c, fh);
    patch(c, to_check);
    g_load(c, cnt);
    emit_const(c, 1.0);
    g_op(c, MT_OP_ADD);
    g_store(c, cnt);
    g_load(c, hi); /* |hi - lo| > 1e-14 |hi| + 1e-30 and cnt < 1000: bisect on */
    g_load(c, lo);
    g_op(c, MT_OP_SUB);
    emit(c, MT_OP_FN, MT_FN_ABS);
    g_load(c, hi);
    emit(c, MT_OP_FN, MT_FN_ABS);
    emit_const(c, 1e-14);
    g_op(c, MT_OP_MUL);
    emit_const(c, 1e-30);
    g_op(c, MT_OP_ADD);
    g_op(c, MT_OP_GT);
    g_load(c, cnt);
    emit_const(c, 1000.0);
    g_op(c, MT_OP_LT);
    g_op(c, MT_OP_AND);
    size_t to_end = g_jz(c);
    g_jmp_back(c, bisect);
    patch(c, to_end);
    g_load(c, lo); /* the midpoint, unless the bracket is still wide (no convergence) */
    g_load(c, hi);
    g_op(c, MT_OP_ADD);
    emit_const(c, 0.5);
    g_op(c, MT_OP_MUL);
    g_store(c, z);
    g_load(c, hi);
    g_load(c, lo);
    g_op(c, MT_OP_SUB);
    emit(c, MT_OP_FN, MT_FN_ABS);
    g_load(c, hi);
    emit(c, MT_OP_FN, MT_FN_ABS);
    emit_const(c, 1e-8);
    g_op(c, MT_OP_MUL);
    emit_const(c, 1e-12);
    g_op(c, MT_OP_ADD);
    g_op(c, MT_OP_GT);
    size_t to_ok = g_jz(c);
    size_t to_fail2 = g_jmp(c);
    patch(c, to_hi_root);
    g_load(c, hi);
    g_store(c, z);
    to_done[n_done++] = g_jmp(c);
    patch(c, to_fail);
    patch(c, to_fail2);
    emit_const(c, NAN);
    g_store(c, z);
    patch(c, to_ok);
    for (size_t i = 0; i < n_done; i++)
        patch(c, to_done[i]);
    g_load(c, z);
}

static void gen_newton(cc *c, const mt_expr *e)
{
    if (e->v != 0.0) {
        gen_bracket(c, e);
        return;
    }
    int z = e->sym, step = e->fn, count = e->fn + 1;
    emit_const(c, 0.0);
    emit(c, MT_OP_STORE, count);
    pop(c, 1);
    size_t head = c->p->n_code;
    gen(c, e->k[0]);
    gen(c, e->k[1]);
    emit(c, MT_OP_DIV, 0);
    pop(c, 1);
    emit(c, MT_OP_STORE, step);
    pop(c, 1);
    emit(c, MT_OP_LOAD, z);
    push(c);
    emit(c, MT_OP_LOAD, step);
    push(c);
    emit(c, MT_OP_SUB, 0);
    pop(c, 1);
    emit(c, MT_OP_STORE, z);
    pop(c, 1);
    emit(c, MT_OP_LOAD, count);
    push(c);
    emit_const(c, 1.0);
    emit(c, MT_OP_ADD, 0);
    pop(c, 1);
    emit(c, MT_OP_STORE, count);
    pop(c, 1);
    for (int pass = 0; pass < 2; pass++) {
        /* |step| > tol |z| + floor (pass 0: continue; pass 1: failed) */
        emit(c, MT_OP_LOAD, step);
        push(c);
        emit(c, MT_OP_FN, MT_FN_ABS);
        emit(c, MT_OP_LOAD, z);
        push(c);
        emit(c, MT_OP_FN, MT_FN_ABS);
        emit_const(c, pass ? 1e-8 : 1e-13);
        emit(c, MT_OP_MUL, 0);
        pop(c, 1);
        emit_const(c, pass ? 1e-12 : 1e-300);
        emit(c, MT_OP_ADD, 0);
        pop(c, 1);
        emit(c, MT_OP_GT, 0);
        pop(c, 1);
        if (pass == 0) {
            emit(c, MT_OP_LOAD, count);
            push(c);
            emit_const(c, 50.0);
            emit(c, MT_OP_LT, 0);
            pop(c, 1);
            emit(c, MT_OP_AND, 0);
            pop(c, 1);
            size_t jz = c->p->n_code;
            emit(c, MT_OP_JZ, 0);
            pop(c, 1);
            emit(c, MT_OP_JMP, (int)head - (int)c->p->n_code);
            patch(c, jz);
        } else {
            size_t jz = c->p->n_code;
            emit(c, MT_OP_JZ, 0);
            pop(c, 1);
            emit_const(c, NAN);
            emit(c, MT_OP_STORE, z);
            pop(c, 1);
            patch(c, jz);
        }
    }
    emit(c, MT_OP_LOAD, z);
    push(c);
}

/* The index of delayed expression x (registered on first sight); -1: out of memory. */
static int delay_index(cc *c, const mt_expr *x)
{
    for (size_t d = 0; d < c->n_dx; d++)
        if (mt_expr_equal(c->dx[d], x))
            return (int)d;
    if (c->n_dx == c->cap_dx) {
        size_t nc = c->cap_dx ? 2 * c->cap_dx : 8;
        const mt_expr **n = mt_realloc(c->ctx, c->dx, nc * sizeof *n);
        if (!n) {
            c->oom = 1;
            return -1;
        }
        c->dx = n;
        c->cap_dx = nc;
    }
    c->dx[c->n_dx] = x;
    return (int)c->n_dx++;
}

/* delay(x, tau): x now, tau, then the history lookup (MT_OP_DELAY). */
static void gen_delay(cc *c, const mt_expr *e)
{
    int d = e->n == 2 ? delay_index(c, e->k[0]) : -1;
    if (d < 0) {
        emit_const(c, NAN);
        return;
    }
    gen(c, e->k[0]);
    gen(c, e->k[1]);
    emit(c, MT_OP_DELAY, d);
    pop(c, 1);
}

static void gen(cc *c, const mt_expr *e)
{
    if ((e->op == MT_E_NEG || e->op == MT_E_NOT || e->op == MT_E_FN) && e->n != 1) {
        emit_const(c, NAN);
        return;
    }
    switch (e->op) {
    case MT_E_CONST:
        emit_const(c, e->v);
        return;
    case MT_E_SYM:
        emit(c, MT_OP_LOAD, e->sym);
        push(c);
        return;
    case MT_E_TIME:
        emit(c, MT_OP_TIME, 0);
        push(c);
        return;
    case MT_E_OVR_SET:
        emit(c, MT_OP_OVRSET, e->sym);
        push(c);
        return;
    case MT_E_OVR_VAL:
        emit(c, MT_OP_OVRVAL, e->sym);
        push(c);
        return;
    case MT_E_ADD:
        gen_fold(c, e, MT_OP_ADD);
        return;
    case MT_E_MUL:
        gen_fold(c, e, MT_OP_MUL);
        return;
    case MT_E_SUB:
        gen_fold(c, e, MT_OP_SUB);
        return;
    case MT_E_DIV:
        gen_fold(c, e, MT_OP_DIV);
        return;
    case MT_E_POW:
        gen_fold(c, e, MT_OP_POW);
        return;
    case MT_E_LOG:
        gen_fold(c, e, MT_OP_LOG);
        return;
    case MT_E_ROOT:
        gen_fold(c, e, MT_OP_ROOT);
        return;
    case MT_E_REM:
        gen_fold(c, e, MT_OP_REM);
        return;
    case MT_E_QUOTIENT:
        gen_fold(c, e, MT_OP_QUOT);
        return;
    case MT_E_MIN:
        gen_fold(c, e, MT_OP_MIN);
        return;
    case MT_E_MAX:
        gen_fold(c, e, MT_OP_MAX);
        return;
    case MT_E_IMPLIES:
        gen_fold(c, e, MT_OP_IMPLIES);
        return;
    case MT_E_NEG:
        gen(c, e->k[0]);
        emit(c, MT_OP_NEG, 0);
        return;
    case MT_E_NOT:
        gen(c, e->k[0]);
        emit(c, MT_OP_NOT, 0);
        return;
    case MT_E_FN:
        gen(c, e->k[0]);
        emit(c, MT_OP_FN, e->fn);
        return;
    case MT_E_AND:
        if (!e->n)
            emit_const(c, 1.0);
        else
            gen_fold(c, e, MT_OP_AND);
        if (e->n == 1)
            to_bool(c);
        return;
    case MT_E_OR:
        if (!e->n)
            emit_const(c, 0.0);
        else
            gen_fold(c, e, MT_OP_OR);
        if (e->n == 1)
            to_bool(c);
        return;
    case MT_E_XOR:
        if (!e->n)
            emit_const(c, 0.0);
        else
            gen_fold(c, e, MT_OP_XOR);
        if (e->n == 1)
            to_bool(c);
        return;
    case MT_E_LT:
        gen_chain(c, e, MT_OP_LT);
        return;
    case MT_E_LE:
        gen_chain(c, e, MT_OP_LE);
        return;
    case MT_E_GT:
        gen_chain(c, e, MT_OP_GT);
        return;
    case MT_E_GE:
        gen_chain(c, e, MT_OP_GE);
        return;
    case MT_E_EQ:
        gen_chain(c, e, MT_OP_EQ);
        return;
    case MT_E_NE:
        gen_chain(c, e, MT_OP_NE);
        return;
    case MT_E_PIECEWISE:
        gen_piecewise(c, e);
        return;
    case MT_E_NEWTON:
        gen_newton(c, e);
        return;
    case MT_E_DELAY:
        gen_delay(c, e);
        return;
    case MT_E_RATEOF:
        break; /* resolved by the importer; never in a finished IR */
    }
    emit_const(c, NAN);
}

static mt_block begin(cc *c)
{
    mt_block b = {(uint32_t)c->p->n_code};
    c->depth = 0;
    return b;
}

static void end(cc *c) { emit(c, MT_OP_END, 0); }

/* Root functions lhs - rhs for every two-operand comparison in e. */
static void gen_comparisons(cc *c, const mt_expr *e)
{
    switch (e->op) {
    case MT_E_LT:
    case MT_E_LE:
    case MT_E_GT:
    case MT_E_GE:
    case MT_E_EQ:
    case MT_E_NE:
        for (size_t i = 0; i + 1 < e->n; i++) {
            gen(c, e->k[i]);
            gen(c, e->k[i + 1]);
            emit(c, MT_OP_SUB, 0);
            pop(c, 1);
            emit(c, MT_OP_OUT, (int)c->p->n_roots++);
            pop(c, 1);
        }
        break;
    default:
        break;
    }
    for (size_t i = 0; i < e->n; i++)
        gen_comparisons(c, e->k[i]);
}

/* ---------- topological order ---------- */

typedef struct {
    const mt_model *m;
    const mt_expr **expr; /* per slot: what computes it (NULL: nothing) */
    unsigned char *mark;  /* 0 new, 1 on stack, 2 done */
    int *order;
    size_t n_order;
    int cycle_at;
    int extra_dep; /* per visit: an extra dependency (compartment of an amount) */
} topo;

typedef struct {
    topo *t;
    int bad;
} topo_arg;

static int visit(topo *t, int s);

static void visit_cb(int sym, void *arg)
{
    topo_arg *a = arg;
    if (!a->bad && visit(a->t, sym) != 0)
        a->bad = 1;
}

static int visit(topo *t, int s)
{
    if (t->mark[s] == 2)
        return 0;
    if (t->mark[s] == 1) {
        t->cycle_at = s;
        return -1;
    }
    t->mark[s] = 1;
    topo_arg a = {t, 0};
    if (t->expr[s])
        mt_expr_visit_syms(t->expr[s], visit_cb, &a);
    if (!a.bad && t->m->sym[s].amt_of >= 0 && t->m->sym[s].comp >= 0 && !t->expr[s])
        a.bad = visit(t, t->m->sym[s].comp) != 0;
    if (a.bad)
        return -1;
    t->mark[s] = 2;
    t->order[t->n_order++] = s;
    return 0;
}

/* ---------- program assembly ---------- */

static void dyn_cb(int sym, void *arg)
{
    int *flags = arg;
    if (flags[sym])
        flags[-1] = 1;
}

/* Does e read time, a state or a dynamic rule? */
typedef struct {
    const unsigned char *varying;
    int hit;
} vary_scan;

static void vary_cb(int sym, void *arg)
{
    vary_scan *v = arg;
    if (sym >= 0 && v->varying[sym])
        v->hit = 1;
}

static int varies(const mt_expr *e, const unsigned char *varying)
{
    vary_scan v = {varying, mt_expr_uses_time(e)};
    mt_expr_visit_syms(e, vary_cb, &v);
    return v.hit;
}

typedef struct {
    const int *dyn;
    const mt_model *m;
    int *list;
    size_t n;
} dep_scan;

static int is_state_slot(const mt_model *m, int s) { return m->sym[s].state >= 0; }

static void dep_cb(int sym, void *arg)
{
    dep_scan *d = arg;
    if (sym < 0 || !d->dyn[sym])
        return; /* dynamic rules and states (a state slot is dynamic) */
    for (size_t i = 0; i < d->n; i++)
        if (d->list[i] == sym)
            return;
    d->list[d->n++] = sym;
}

/* One block per dynamic rule and the dynamic rules and states it reads (program.h). */
static mt_status build_rule_blocks(cc *c, const mt_model *m, const mt_expr **expr, const int *dyn,
                                   const int *order, size_t n_order)
{
    mt_ctx *ctx = c->ctx;
    mt_program *p = c->p;
    size_t n = m->n_sym;
    p->rule_block = mt_calloc(ctx, n ? n : 1, sizeof *p->rule_block);
    p->rule_pos = mt_calloc(ctx, n ? n : 1, sizeof *p->rule_pos);
    p->dep_start = mt_calloc(ctx, n + 1, sizeof *p->dep_start);
    int *scratch = mt_calloc(ctx, n ? n : 1, sizeof *scratch);
    if (!p->rule_block || !p->rule_pos || !p->dep_start || !scratch) {
        mt_free(ctx, scratch);
        return mt_error(ctx, MT_ENOMEM, "out of memory compiling the model");
    }
    for (size_t s = 0; s < n; s++)
        p->rule_pos[s] = -1;
    size_t total = 0, cap = 0;
    int *deps = NULL;
    for (size_t i = 0; i < n_order; i++) {
        int s = order[i];
        if (!expr[s] || !dyn[s] || is_state_slot(m, s))
            continue;
        p->rule_pos[s] = (int)i;
        p->rule_block[s] = begin(c);
        gen(c, expr[s]);
        emit(c, MT_OP_STORE, s);
        pop(c, 1);
        end(c);
    }
    for (size_t s = 0; s < n; s++) {
        p->dep_start[s] = total;
        if (p->rule_pos[s] < 0)
            continue;
        dep_scan d = {dyn, m, scratch, 0};
        mt_expr_visit_syms(expr[s], dep_cb, &d);
        if (total + d.n > cap) {
            size_t nc = (total + d.n) * 2 + 16;
            int *nd = mt_realloc(ctx, deps, nc * sizeof *nd);
            if (!nd) {
                mt_free(ctx, deps);
                mt_free(ctx, scratch);
                return mt_error(ctx, MT_ENOMEM, "out of memory compiling the model");
            }
            deps = nd;
            cap = nc;
        }
        if (d.n) /* deps is still NULL while every list so far was empty */
            memcpy(deps + total, d.list, d.n * sizeof *deps);
        total += d.n;
    }
    p->dep_start[n] = total;
    p->deps = deps;
    mt_free(ctx, scratch);
    return MT_OK;
}

/* Piecewise and integer-valued functions: the derivative is zero or a branch, but the
 * right-hand side jumps, so the model is not linear time-invariant even when every
 * Jacobian entry is a constant. */
static int nonsmooth(const mt_expr *e)
{
    switch (e->op) {
    case MT_E_FN:
        if (e->fn == MT_FN_FLOOR || e->fn == MT_FN_CEIL || e->fn == MT_FN_FACTORIAL ||
            e->fn == MT_FN_ABS)
            return 1;
        break;
    case MT_E_QUOTIENT:
    case MT_E_REM:
    case MT_E_MIN:
    case MT_E_MAX:
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
    case MT_E_PIECEWISE:
        return 1;
    default:
        break;
    }
    for (size_t i = 0; i < e->n; i++)
        if (nonsmooth(e->k[i]))
            return 1;
    return 0;
}

/* The structure of the Jacobian: which states each derivative reads, directly or through
 * dynamic rules (rule[s] non-NULL). Only those entries can be non-zero, so the symbolic
 * derivatives are taken for them alone: the work grows with the non-zero entries, not with the
 * square of the states. OUT: for state column j, its rows are rows[col_start[j] ..
 * col_start[j + 1]) in increasing order (mt_free both). */
typedef struct {
    const mt_expr *const *rule;
    int *stack;
    size_t n_stack;
    int *mark;
    int stamp;
} jac_scan;

static void jac_scan_cb(int sym, void *arg)
{
    jac_scan *js = arg;
    if (sym >= 0 && js->mark[sym] != js->stamp) {
        js->mark[sym] = js->stamp;
        js->stack[js->n_stack++] = sym;
    }
}

static mt_status jac_structure(mt_ctx *ctx, const mt_model *m, const mt_expr *const *rule,
                               size_t **col_start, int **rows)
{
    size_t n = m->n_sym, ns = m->n_state, n_pair = 0, cap = 0;
    int *state_of = mt_malloc(ctx, n * sizeof *state_of);
    int *mark = mt_calloc(ctx, n, sizeof *mark);
    int *stack = mt_malloc(ctx, n * sizeof *stack);
    int *pair_i = NULL, *pair_j = NULL;
    size_t *start = mt_calloc(ctx, ns + 1, sizeof *start);
    int *out = NULL;
    mt_status st = MT_OK;
    *col_start = NULL;
    *rows = NULL;
    if (!state_of || !mark || !stack || !start) {
        st = mt_error(ctx, MT_ENOMEM, "out of memory compiling the model");
        goto done;
    }
    for (size_t s = 0; s < n; s++)
        state_of[s] = -1;
    for (size_t j = 0; j < ns; j++)
        state_of[m->state[j].slot] = (int)j;
    jac_scan js = {rule, stack, 0, mark, 0};
    for (size_t i = 0; i < ns && st == MT_OK; i++) {
        js.stamp = (int)i + 1;
        js.n_stack = 0;
        mt_expr_visit_syms(m->state[i].deriv, jac_scan_cb, &js);
        while (js.n_stack > 0 && st == MT_OK) {
            int q = js.stack[--js.n_stack];
            if (state_of[q] >= 0) {
                if (n_pair == cap) {
                    size_t nc = cap ? 2 * cap : 256;
                    int *ni = mt_realloc(ctx, pair_i, nc * sizeof *ni);
                    if (ni)
                        pair_i = ni;
                    int *nj = ni ? mt_realloc(ctx, pair_j, nc * sizeof *nj) : NULL;
                    if (nj)
                        pair_j = nj;
                    if (!ni || !nj) {
                        st = mt_error(ctx, MT_ENOMEM, "out of memory compiling the model");
                        break;
                    }
                    cap = nc;
                }
                pair_i[n_pair] = (int)i;
                pair_j[n_pair] = state_of[q];
                n_pair++;
            }
            if (rule[q])
                mt_expr_visit_syms(rule[q], jac_scan_cb, &js);
        }
    }
    if (st != MT_OK)
        goto done;
    /* by column, rows increasing (the pairs come by increasing row: a stable counting sort) */
    out = mt_malloc(ctx, (n_pair ? n_pair : 1) * sizeof *out);
    if (!out) {
        st = mt_error(ctx, MT_ENOMEM, "out of memory compiling the model");
        goto done;
    }
    for (size_t k = 0; k < n_pair; k++)
        start[pair_j[k] + 1]++;
    for (size_t j = 0; j < ns; j++)
        start[j + 1] += start[j];
    for (size_t k = 0; k < n_pair; k++)
        out[start[pair_j[k]]++] = pair_i[k];
    for (size_t j = ns; j > 0; j--)
        start[j] = start[j - 1];
    start[0] = 0;
    *col_start = start;
    *rows = out;
    start = NULL;
    out = NULL;
done:
    mt_free(ctx, state_of);
    mt_free(ctx, mark);
    mt_free(ctx, stack);
    mt_free(ctx, pair_i);
    mt_free(ctx, pair_j);
    mt_free(ctx, start);
    mt_free(ctx, out);
    return st;
}

#define MT_JAC_MAX_STATES 2000
#define MT_JAC_BUDGET ((size_t)500000)

/* The analytic Jacobian block (program.h). A model the symbolic derivatives cannot handle
 * keeps has_jac = 0; only running out of memory is an error. */
static mt_status build_jacobian(cc *c, const mt_model *m, const mt_expr **expr, const int *dyn,
                                const int *order, size_t n_order)
{
    mt_ctx *ctx = c->ctx;
    mt_program *p = c->p;
    size_t n = m->n_sym, ns = m->n_state;
    p->has_jac = p->jac_constant = 0;
    if (ns == 0 || ns > MT_JAC_MAX_STATES)
        return MT_OK;
    const mt_expr **rule = mt_calloc(ctx, n, sizeof *rule);
    unsigned char *varying = mt_calloc(ctx, n, 1);
    size_t cap = 0, nj = 0;
    mt_expr **ent = NULL;
    mt_deriv *w = NULL;
    size_t *col_start = NULL;
    int *rows = NULL;
    mt_status st = MT_OK;
    if (!rule || !varying) {
        st = mt_error(ctx, MT_ENOMEM, "out of memory compiling the model");
        goto out;
    }
    for (size_t s = 0; s < n; s++) {
        if (expr[s] && dyn[s])
            rule[s] = expr[s];
        varying[s] = (unsigned char)(dyn[s] != 0);
    }
    if ((st = jac_structure(ctx, m, rule, &col_start, &rows)) != MT_OK)
        goto out;
    mt_deriv_env env = {n, rule, MT_JAC_BUDGET};
    if ((st = mt_deriv_begin(ctx, &env, &w)) != MT_OK)
        goto out;
    int constant = 1;
    for (size_t j = 0; j < ns && st == MT_OK; j++) {
        mt_deriv_set_state(w, m->state[j].slot);
        for (size_t k = col_start[j]; k < col_start[j + 1]; k++) {
            size_t i = (size_t)rows[k];
            mt_expr *e = NULL;
            st = mt_deriv_of(w, m->state[i].deriv, &e);
            if (st != MT_OK)
                break;
            if (!e)
                continue;
            if (nj == cap) {
                size_t nc = cap ? 2 * cap : 64;
                mt_expr **ne = mt_realloc(ctx, ent, nc * sizeof *ne);
                int *nr = mt_realloc(ctx, p->jac_row, nc * sizeof *nr);
                if (nr)
                    p->jac_row = nr;
                int *ncl = nr ? mt_realloc(ctx, p->jac_col, nc * sizeof *ncl) : NULL;
                if (ncl)
                    p->jac_col = ncl;
                if (ne)
                    ent = ne;
                if (!ne || !nr || !ncl) {
                    mt_expr_free(ctx, e);
                    st = mt_error(ctx, MT_ENOMEM, "out of memory compiling the model");
                    break;
                }
                cap = nc;
            }
            if (varies(e, varying))
                constant = 0;
            ent[nj] = e;
            p->jac_row[nj] = (int)i;
            p->jac_col[nj] = (int)j;
            nj++;
        }
    }
    if (st == MT_EUNSUPPORTED || st == MT_ELIMIT) {
        st = MT_OK; /* no analytic Jacobian: difference quotients */
        goto out;
    }
    if (st != MT_OK)
        goto out;
    /* time in the right-hand side, directly or through a rule, breaks time invariance; so
     * does a switch (piecewise, comparison, integer function) */
    for (size_t i = 0; i < ns && constant; i++)
        if (mt_expr_uses_time(m->state[i].deriv) || nonsmooth(m->state[i].deriv))
            constant = 0;
    for (size_t i = 0; i < n_order && constant; i++)
        if (rule[order[i]] && (mt_expr_uses_time(rule[order[i]]) || nonsmooth(rule[order[i]])))
            constant = 0;
    p->jac = begin(c);
    emit(c, MT_OP_LOADSTATES, 0);
    for (size_t i = 0; i < n_order; i++) {
        int s = order[i];
        if (!rule[s])
            continue;
        gen(c, rule[s]);
        emit(c, MT_OP_STORE, s);
        pop(c, 1);
    }
    for (size_t k = 0; k < nj; k++) {
        gen(c, ent[k]);
        emit(c, MT_OP_OUT, (int)k);
        pop(c, 1);
    }
    end(c);
    p->n_jac = nj;
    p->has_jac = !c->oom;
    p->jac_constant = p->has_jac && constant;
out:
    for (size_t k = 0; k < nj; k++)
        mt_expr_free(ctx, ent[k]);
    mt_free(ctx, ent);
    mt_deriv_end(w);
    mt_free(ctx, col_start);
    mt_free(ctx, rows);
    mt_free(ctx, rule);
    mt_free(ctx, varying);
    return st;
}

static mt_status build(cc *c, const mt_model *m)
{
    mt_ctx *ctx = c->ctx;
    mt_program *p = c->p;
    size_t n = m->n_sym;
    const mt_expr **expr = mt_calloc(ctx, n, sizeof *expr);
    mt_expr **owned = mt_calloc(ctx, n, sizeof *owned);
    unsigned char *mark = mt_calloc(ctx, n, 1);
    int *order = mt_calloc(ctx, n, sizeof *order);
    int *dynbuf = mt_calloc(ctx, n + 1, sizeof *dynbuf);
    mt_status st = MT_OK;
    if (!expr || !owned || !mark || !order || !dynbuf) {
        st = mt_error(ctx, MT_ENOMEM, "out of memory compiling the model");
        goto done;
    }
    int *dyn = dynbuf + 1;

    /* Initial values: rule if any, else the initial expression with the user
     * override in front (for an amount slot: the override of its species'
     * concentration times the compartment size). */
    for (size_t s = 0; s < n; s++) {
        const mt_sym *y = &m->sym[s];
        if (y->rule >= 0) {
            expr[s] = m->rule[y->rule].e;
            continue;
        }
        mt_expr *base = y->init ? mt_expr_clone(ctx, y->init) : mt_expr_const(ctx, NAN);
        int who = y->amt_of >= 0 ? y->amt_of : (y->kind != MT_SYM_HIDDEN ? (int)s : -1);
        mt_expr *e = base;
        if (who >= 0 && base) {
            mt_expr *ov = mt_expr_new(ctx, MT_E_OVR_VAL);
            if (ov)
                ov->sym = who;
            if (y->amt_of >= 0 && !m->sym[who].hosu)
                ov = mt_expr_bin(ctx, MT_E_MUL, ov, mt_expr_sym(ctx, y->comp));
            mt_expr *os = mt_expr_new(ctx, MT_E_OVR_SET);
            if (os)
                os->sym = who;
            e = mt_expr_new(ctx, MT_E_PIECEWISE);
            if (!e || mt_expr_push(ctx, e, ov) || mt_expr_push(ctx, e, os) ||
                mt_expr_push(ctx, e, base)) {
                mt_expr_free(ctx, e);
                e = NULL;
            }
        }
        if (!e) {
            st = mt_error(ctx, MT_ENOMEM, "out of memory compiling the model");
            goto done;
        }
        owned[s] = e;
        expr[s] = e;
    }
    topo t = {m, expr, mark, order, 0, -1, 0};
    for (size_t s = 0; s < n; s++) {
        if (visit(&t, (int)s) != 0) {
            st = mt_error(ctx, MT_ESBML,
                          "initial values and rules depend on each other in a cycle "
                          "(at '%s')",
                          m->sym[t.cycle_at].id);
            goto done;
        }
    }
    p->init = begin(c);
    for (size_t i = 0; i < t.n_order; i++) {
        int s = order[i];
        gen(c, expr[s]);
        emit(c, MT_OP_STORE, s);
        pop(c, 1);
    }
    end(c);

    /* Rules: order over rule targets only. */
    memset(mark, 0, n);
    memset(expr, 0, n * sizeof *expr);
    for (size_t r = 0; r < m->n_rule; r++)
        expr[m->rule[r].target] = m->rule[r].e;
    t.n_order = 0;
    for (size_t r = 0; r < m->n_rule; r++) {
        if (visit(&t, m->rule[r].target) != 0) {
            st = mt_error(ctx, MT_ESBML, "rules depend on each other in a cycle (at '%s')",
                          m->sym[t.cycle_at].id);
            goto done;
        }
    }
    /* A slot is dynamic if it is a state, or a rule that reads time or a
     * dynamic slot. The order is topological, so one pass suffices. */
    for (size_t i = 0; i < m->n_state; i++)
        dyn[m->state[i].slot] = 1;
    for (size_t i = 0; i < t.n_order; i++) {
        int s = order[i];
        if (!expr[s])
            continue;
        dyn[-1] = mt_expr_uses_time(expr[s]);
        mt_expr_visit_syms(expr[s], dyn_cb, dyn);
        dyn[s] = dyn[-1];
    }
    p->rules_all = begin(c);
    emit(c, MT_OP_LOADSTATES, 0);
    for (size_t i = 0; i < t.n_order; i++) {
        int s = order[i];
        if (!expr[s])
            continue;
        gen(c, expr[s]);
        emit(c, MT_OP_STORE, s);
        pop(c, 1);
    }
    end(c);
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 0)
            p->rules_dyn = begin(c);
        else
            p->rhs = begin(c);
        emit(c, MT_OP_LOADSTATES, 0);
        for (size_t i = 0; i < t.n_order; i++) {
            int s = order[i];
            if (!expr[s] || !dyn[s])
                continue;
            gen(c, expr[s]);
            emit(c, MT_OP_STORE, s);
            pop(c, 1);
        }
        if (pass == 0)
            end(c);
    }
    for (size_t i = 0; i < m->n_state; i++) {
        gen(c, m->state[i].deriv);
        emit(c, MT_OP_OUT, (int)i);
        pop(c, 1);
    }
    end(c);
    if ((st = build_jacobian(c, m, expr, dyn, order, t.n_order)) != MT_OK)
        goto done;
    if ((st = build_rule_blocks(c, m, expr, dyn, order, t.n_order)) != MT_OK)
        goto done;

    /* Events */
    for (size_t i = 0; i < m->n_event; i++) {
        const mt_event *e = &m->ev[i];
        mt_pevent *pe = &p->ev[i];
        pe->trigger = begin(c);
        gen(c, e->trigger);
        emit(c, MT_OP_OUT, 0);
        end(c);
        pe->has_delay = e->delay != NULL;
        pe->delay = begin(c);
        if (e->delay)
            gen(c, e->delay);
        else
            emit_const(c, 0.0);
        emit(c, MT_OP_OUT, 0);
        end(c);
        pe->has_priority = e->priority != NULL;
        pe->priority = begin(c);
        if (e->priority)
            gen(c, e->priority);
        else
            emit_const(c, 0.0);
        emit(c, MT_OP_OUT, 0);
        end(c);
        pe->assign = begin(c);
        for (size_t j = 0; j < e->n_asg; j++) {
            gen(c, e->asg[j].e);
            emit(c, MT_OP_OUT, (int)j);
            pop(c, 1);
        }
        end(c);
    }
    p->roots = begin(c);
    p->n_roots = 0;
    for (size_t i = 0; i < m->n_event; i++) {
        gen(c, m->ev[i].trigger);
        emit(c, MT_OP_PM1, 0);
        emit(c, MT_OP_OUT, (int)p->n_roots++);
        pop(c, 1);
    }
    for (size_t i = 0; i < m->n_event; i++)
        gen_comparisons(c, m->ev[i].trigger);
    end(c);
    /* the delayed expressions (the list grows while a nested delay is generated) */
    p->delay_x = begin(c);
    for (size_t d = 0; d < c->n_dx; d++) {
        gen(c, c->dx[d]);
        emit(c, MT_OP_OUT, (int)d);
        pop(c, 1);
    }
    end(c);
    p->n_delay = c->n_dx;
    if (c->oom)
        st = mt_error(ctx, MT_ENOMEM, "out of memory compiling the model");
done:
    for (size_t s = 0; owned && s < n; s++)
        mt_expr_free(ctx, owned[s]);
    mt_free(ctx, owned);
    mt_free(ctx, expr);
    mt_free(ctx, mark);
    mt_free(ctx, order);
    mt_free(ctx, dynbuf);
    return st;
}

mt_status mt_program_create(mt_ctx *ctx, const mt_model *m, mt_program **out)
{
    return mt_program_create_native(ctx, m, MT_NATIVE_DEFAULT, out);
}

int mt_program_native(const mt_program *p) { return p->nat.handle != NULL; }

const char *mt_program_native_info(const mt_program *p) { return p->nat.info; }

mt_status mt_program_create_native(mt_ctx *ctx, const mt_model *m, mt_native_mode mode,
                                   mt_program **out)
{
    *out = NULL;
    if (mode != MT_NATIVE_DEFAULT && mode != MT_NATIVE_OFF && mode != MT_NATIVE_ON)
        return mt_error(ctx, MT_EINVAL, "unknown native code mode %d", (int)mode);
    mt_program *p = mt_calloc(ctx, 1, sizeof *p);
    if (!p)
        return mt_error(ctx, MT_ENOMEM, "out of memory");
    cc c = {ctx, p, 0, 0, 0, 0, NULL, 0, 0};
    p->n_slot = m->n_sym;
    p->slot = mt_calloc(ctx, m->n_sym, sizeof *p->slot);
    p->pub = mt_calloc(ctx, m->n_pub, sizeof *p->pub);
    p->state_slot = mt_calloc(ctx, m->n_state, sizeof *p->state_slot);
    p->ev = mt_calloc(ctx, m->n_event, sizeof *p->ev);
    mt_status st = MT_OK;
    if (!p->slot || !p->pub || !p->state_slot || !p->ev) {
        st = mt_error(ctx, MT_ENOMEM, "out of memory");
        goto fail;
    }
    for (size_t s = 0; s < m->n_sym; s++) {
        const mt_sym *y = &m->sym[s];
        mt_pslot *q = &p->slot[s];
        q->id = mt_strdup(ctx, y->id);
        if (!q->id) {
            st = mt_error(ctx, MT_ENOMEM, "out of memory");
            goto fail;
        }
        q->kind = y->kind;
        q->comp = y->comp;
        q->amt = y->amt;
        q->amt_of = y->amt_of;
        q->hosu = y->hosu;
        q->state = y->state;
        q->rule = y->rule;
        q->constant = y->constant;
        q->alg = y->alg;
        p->n_alg += y->alg ? 1 : 0;
    }
    p->n_pub = m->n_pub;
    for (size_t i = 0; i < m->n_pub; i++) {
        p->pub[i] = m->pub[i];
        p->slot[m->pub[i]].is_public = 1;
    }
    p->n_state = m->n_state;
    for (size_t i = 0; i < m->n_state; i++)
        p->state_slot[i] = m->state[i].slot;
    p->n_event = m->n_event;
    for (size_t i = 0; i < m->n_event; i++) {
        const mt_event *e = &m->ev[i];
        mt_pevent *pe = &p->ev[i];
        pe->id = mt_strdup(ctx, e->id ? e->id : "");
        pe->initial_value = e->initial_value;
        pe->persistent = e->persistent;
        pe->use_trigger_values = e->use_trigger_values;
        pe->n_asg = e->n_asg;
        pe->targets = mt_calloc(ctx, e->n_asg, sizeof *pe->targets);
        if (!pe->id || !pe->targets) {
            st = mt_error(ctx, MT_ENOMEM, "out of memory");
            goto fail;
        }
        for (size_t j = 0; j < e->n_asg; j++)
            pe->targets[j] = e->asg[j].target;
    }
    st = build(&c, m);
    mt_free(ctx, c.dx);
    if (st != MT_OK)
        goto fail;
    if (p->max_stack == 0)
        p->max_stack = 1;
    if ((st = mt_native_attach(ctx, p, mode)) != MT_OK)
        goto fail;
    *out = p;
    return MT_OK;
fail:
    mt_program_destroy(p);
    return st;
}

void mt_program_destroy(mt_program *p)
{
    if (!p)
        return;
    mt_native_detach(p);
    for (size_t s = 0; p->slot && s < p->n_slot; s++)
        mt_free(NULL, p->slot[s].id);
    for (size_t i = 0; p->ev && i < p->n_event; i++) {
        mt_free(NULL, p->ev[i].id);
        mt_free(NULL, p->ev[i].targets);
    }
    mt_free(NULL, p->slot);
    mt_free(NULL, p->pub);
    mt_free(NULL, p->state_slot);
    mt_free(NULL, p->jac_row);
    mt_free(NULL, p->jac_col);
    mt_free(NULL, p->rule_block);
    mt_free(NULL, p->rule_pos);
    mt_free(NULL, p->dep_start);
    mt_free(NULL, p->deps);
    mt_free(NULL, p->ev);
    mt_free(NULL, p->consts);
    mt_free(NULL, p->code);
    mt_free(NULL, p);
}

int mt_program_find(const mt_program *p, const char *id)
{
    for (size_t s = 0; s < p->n_slot; s++)
        if (strcmp(p->slot[s].id, id) == 0)
            return (int)s;
    return -1;
}

/* ---------- the VM ---------- */

static double rem_(double a, double b) { return fmod(a, b); }
static double quot_(double a, double b) { return trunc(a / b); }

/* The real root: odd integer degrees of negative numbers are negative. */
static double root_(double degree, double x)
{
    if (degree == 2.0)
        return sqrt(x);
    if (x < 0 && degree == floor(degree) && fmod(fabs(degree), 2.0) == 1.0)
        return -pow(-x, 1.0 / degree);
    return pow(x, 1.0 / degree);
}

void mt_vm_run(const mt_program *p, mt_block b, mt_env *env)
{
    const mt_ins *pc = p->code + b.start;
    double *sp = env->stack; /* next free */
    double *v = env->vals;
    for (;;) {
        switch ((mt_opcode)pc->op) {
        case MT_OP_CONST:
            *sp++ = p->consts[pc->a];
            break;
        case MT_OP_LOAD:
            *sp++ = v[pc->a];
            break;
        case MT_OP_TIME:
            *sp++ = env->t;
            break;
        case MT_OP_OVRSET:
            *sp++ = (env->ovr_set && env->ovr_set[pc->a]) ? 1.0 : 0.0;
            break;
        case MT_OP_OVRVAL:
            *sp++ = env->ovr_val ? env->ovr_val[pc->a] : NAN;
            break;
        case MT_OP_STORE:
            v[pc->a] = *--sp;
            break;
        case MT_OP_OUT:
            env->out[pc->a] = *--sp;
            break;
        case MT_OP_LOADSTATES:
            for (size_t i = 0; i < p->n_state; i++)
                v[p->state_slot[i]] = env->y[i];
            break;
        case MT_OP_ADD:
            sp--;
            sp[-1] += sp[0];
            break;
        case MT_OP_SUB:
            sp--;
            sp[-1] -= sp[0];
            break;
        case MT_OP_MUL:
            sp--;
            sp[-1] *= sp[0];
            break;
        case MT_OP_DIV:
            sp--;
            sp[-1] /= sp[0];
            break;
        case MT_OP_NEG:
            sp[-1] = -sp[-1];
            break;
        case MT_OP_POW:
            sp--;
            sp[-1] = pow(sp[-1], sp[0]);
            break;
        case MT_OP_FN:
            sp[-1] = mt_fn_eval(pc->a, sp[-1]);
            break;
        case MT_OP_LOG: /* log(base, x) */
            sp--;
            sp[-1] = log(sp[0]) / log(sp[-1]);
            break;
        case MT_OP_ROOT: /* root(degree, x) */
            sp--;
            sp[-1] = root_(sp[-1], sp[0]);
            break;
        case MT_OP_REM:
            sp--;
            sp[-1] = rem_(sp[-1], sp[0]);
            break;
        case MT_OP_QUOT:
            sp--;
            sp[-1] = quot_(sp[-1], sp[0]);
            break;
        case MT_OP_MIN:
            sp--;
            sp[-1] = (sp[0] < sp[-1] || isnan(sp[0])) ? sp[0] : sp[-1];
            break;
        case MT_OP_MAX:
            sp--;
            sp[-1] = (sp[0] > sp[-1] || isnan(sp[0])) ? sp[0] : sp[-1];
            break;
        case MT_OP_LT:
            sp--;
            sp[-1] = sp[-1] < sp[0];
            break;
        case MT_OP_LE:
            sp--;
            sp[-1] = sp[-1] <= sp[0];
            break;
        case MT_OP_GT:
            sp--;
            sp[-1] = sp[-1] > sp[0];
            break;
        case MT_OP_GE:
            sp--;
            sp[-1] = sp[-1] >= sp[0];
            break;
        case MT_OP_EQ:
            sp--;
            sp[-1] = sp[-1] == sp[0];
            break;
        case MT_OP_NE:
            sp--;
            sp[-1] = sp[-1] != sp[0];
            break;
        case MT_OP_AND:
            sp--;
            sp[-1] = (sp[-1] != 0.0) && (sp[0] != 0.0);
            break;
        case MT_OP_OR:
            sp--;
            sp[-1] = (sp[-1] != 0.0) || (sp[0] != 0.0);
            break;
        case MT_OP_XOR:
            sp--;
            sp[-1] = (sp[-1] != 0.0) != (sp[0] != 0.0);
            break;
        case MT_OP_NOT:
            sp[-1] = sp[-1] == 0.0;
            break;
        case MT_OP_IMPLIES:
            sp--;
            sp[-1] = (sp[-1] == 0.0) || (sp[0] != 0.0);
            break;
        case MT_OP_PM1:
            sp[-1] = sp[-1] != 0.0 ? 1.0 : -1.0;
            break;
        case MT_OP_JZ:
            if (*--sp == 0.0) {
                pc += pc->a;
                continue;
            }
            break;
        case MT_OP_JMP:
            pc += pc->a;
            continue;
        case MT_OP_DELAY: {
            sp--;
            double tau = sp[0];
            if (!(tau >= 0.0))
                sp[-1] = NAN; /* a negative delay (or none) has no value */
            else if (tau > 0.0 && env->past)
                sp[-1] = env->past(env->past_ud, pc->a, env->t - tau, sp[-1], env->t);
            break;
        }
        case MT_OP_END:
            return;
        }
        pc++;
    }
}
