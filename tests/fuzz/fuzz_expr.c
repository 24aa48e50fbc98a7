/* SPDX-License-Identifier: Apache-2.0
 *
 * tests/fuzz/fuzz_expr.c — libFuzzer target for the expression compiler and
 * the bytecode VM (compile/program.c), below the SBML importer.
 *
 * The input starts with three header bytes: flags (1: the event has a delay,
 * 2: a priority, 4: simulate, 8: override the initial value of a), a mask of
 * the parameters p0..p7 whose initial values are overridden, and the time at
 * which the blocks run (an index into the edge values). The rest is decoded
 * by a small stack machine into one mt_expr tree (any byte string decodes to
 * some tree). Each instruction is one byte, some take an operand byte:
 *   0  const from a table of edge values (0, -0, 1, NaN, +-Inf, 1e308,
 *      denormals, ...)            [operand: index]
 *   1  const with the raw bits of the next 8 bytes
 *   2  symbol (slots 0..8)        [operand]
 *   3  time
 *   4  unary function             [operand: which, rarely 0 or 2 children]
 *   5  neg / not                  [operand: which, rarely 0 or 2 children]
 *   6  binary sub, div, pow, log, root, rem, quotient, implies  [operand:
 *                                 which, mostly 2 children, else 0, 1 or 3]
 *   7  n-ary add, mul, min, max, and, or, xor with 0..4 children
 *                                 [operand: op and count]
 *   8  relation lt..ne with 0..3 children  [operand: op and count]
 *   9  piecewise with 0..5 children (odd: with otherwise)   [operand]
 *   10 override flag / value of a slot     [operand]
 *   11 duplicate the top of the stack (a clone)
 * An operator that finds too few entries on the stack takes constants 0;
 * a node deeper than MAX_DEPTH is not built; decoding stops at MAX_NODES
 * nodes. What is left on the stack is summed. Arities go beyond what the
 * SBML importer produces: the compiler must take any (NaN for an operator
 * without operands).
 *
 * The model built around the tree, by hand through model/ir.h:
 *   slots 0..7  parameters p0..p7 (fixed values, some overridden by the input)
 *   slot 8      x, a state whose derivative is the tree
 *   slot 9      r, an assignment rule: a clone of the tree
 *   slot 10     a, a parameter whose initial value is a clone
 *   one event: trigger, delay, priority and an assignment to p0, all clones.
 * It is compiled with mt_program_create_native(MT_NATIVE_OFF) (the VM is what is fuzzed
 * here, and no C compiler may run per input) and every block is run with
 * mt_vm_run() on a stack of exactly program->max_stack doubles on the heap
 * (ASan catches an overflow), with output arrays of their exact sizes. The
 * results are compared with a direct evaluation of the tree (eval() below,
 * which restates the VM's documented semantics): a difference is a
 * miscompilation and aborts. With flag 4, a short simulation (2 output
 * steps, at most 500 solver steps each) runs the same program through the
 * solver and the event code.
 */
#include "compile/program.h"
#include "model/ir.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 32
#define MAX_NODES 2000
#define MAX_STACK 64
#define N_PARAM 8
#define SLOT_X 8
#define SLOT_R 9
#define SLOT_A 10
#define N_READ 9 /* slots a tree may read: p0..p7 and x */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct {
    const uint8_t *d;
    size_t n, i;
} reader;

static unsigned next_byte(reader *r) { return r->i < r->n ? r->d[r->i++] : 0u; }

static double next_double(reader *r)
{
    uint8_t b[8] = {0};
    for (int k = 0; k < 8; k++)
        b[k] = (uint8_t)next_byte(r);
    double v;
    memcpy(&v, b, sizeof v);
    return v;
}

static const double edge_values[] = {0.0,
                                     -0.0,
                                     1.0,
                                     -1.0,
                                     2.0,
                                     0.5,
                                     3.0,
                                     10.0,
                                     NAN,
                                     -NAN,
                                     INFINITY,
                                     -INFINITY,
                                     1e308,
                                     -1e308,
                                     5e-324,
                                     2.2250738585072014e-308,
                                     1e-300,
                                     170.0,
                                     171.0,
                                     -171.5,
                                     709.0,
                                     710.0,
                                     3.141592653589793,
                                     2.718281828459045,
                                     1e16,
                                     0.1,
                                     -0.5,
                                     4.0,
                                     1e-12,
                                     1e12,
                                     2147483648.0,
                                     -2147483649.0};
#define N_EDGE (sizeof edge_values / sizeof edge_values[0])

typedef struct {
    mt_ctx *ctx;
    mt_expr *st[MAX_STACK];
    int depth[MAX_STACK];
    size_t size[MAX_STACK]; /* nodes in the tree */
    size_t sp;
    size_t nodes; /* nodes made so far */
} decoder;

/* Pushes e (taking ownership), a tree of `size` nodes whose new nodes have
 * been counted already. */
static int dec_push(decoder *dc, mt_expr *e, int depth, size_t size)
{
    if (!e)
        return -1;
    if (dc->sp == MAX_STACK) {
        mt_expr_free(dc->ctx, e);
        return 0;
    }
    dc->st[dc->sp] = e;
    dc->depth[dc->sp] = depth;
    dc->size[dc->sp] = size;
    dc->sp++;
    return 0;
}

static int dec_leaf(decoder *dc, mt_expr *e)
{
    dc->nodes++;
    return dec_push(dc, e, 1, 1);
}

/* Builds op over the top k stack entries (missing ones are constants 0). */
static int dec_apply(decoder *dc, mt_expr_op op, int fn, size_t k)
{
    size_t have = dc->sp < k ? dc->sp : k;
    int depth = 0;
    size_t size = 1 + (k - have);
    for (size_t j = dc->sp - have; j < dc->sp; j++) {
        if (dc->depth[j] > depth)
            depth = dc->depth[j];
        size += dc->size[j];
    }
    if (depth + 1 > MAX_DEPTH)
        return 0; /* leave the stack as it is */
    mt_expr *e = mt_expr_new(dc->ctx, op);
    if (!e)
        return -1;
    e->fn = fn;
    dc->nodes += 1 + (k - have);
    for (size_t j = have; j < k; j++)
        if (mt_expr_push(dc->ctx, e, mt_expr_const(dc->ctx, 0.0)) != 0)
            goto oom;
    for (size_t j = dc->sp - have; j < dc->sp; j++) {
        mt_expr *c = dc->st[j];
        dc->st[j] = NULL;
        if (mt_expr_push(dc->ctx, e, c) != 0) {
            for (size_t q = j + 1; q < dc->sp; q++)
                mt_expr_free(dc->ctx, dc->st[q]);
            dc->sp -= have;
            goto oom;
        }
    }
    dc->sp -= have;
    return dec_push(dc, e, depth + 1, size);
oom:
    mt_expr_free(dc->ctx, e);
    return -1;
}

static const mt_expr_op binary_ops[] = {MT_E_SUB,  MT_E_DIV, MT_E_POW,      MT_E_LOG,
                                        MT_E_ROOT, MT_E_REM, MT_E_QUOTIENT, MT_E_IMPLIES};
static const mt_expr_op nary_ops[] = {MT_E_ADD, MT_E_MUL, MT_E_MIN, MT_E_MAX,
                                      MT_E_AND, MT_E_OR,  MT_E_XOR};
static const mt_expr_op rel_ops[] = {MT_E_LT, MT_E_LE, MT_E_GT, MT_E_GE, MT_E_EQ, MT_E_NE};

/* Children of a unary node: mostly 1, sometimes 0 or 2. */
static size_t odd_arity(unsigned bits)
{
    bits %= 8u;
    return bits == 7u ? 0 : bits == 6u ? 2 : 1;
}

/* Decodes the whole input into one tree; NULL only when out of memory. */
static mt_expr *decode(mt_ctx *ctx, reader *r)
{
    decoder dc = {0};
    dc.ctx = ctx;
    int bad = 0;
    while (!bad && r->i < r->n && dc.nodes < MAX_NODES) {
        unsigned ins = next_byte(r) % 12u;
        unsigned arg;
        mt_expr *e;
        switch (ins) {
        case 0:
            bad = dec_leaf(&dc, mt_expr_const(ctx, edge_values[next_byte(r) % N_EDGE]));
            break;
        case 1:
            bad = dec_leaf(&dc, mt_expr_const(ctx, next_double(r)));
            break;
        case 2:
            bad = dec_leaf(&dc, mt_expr_sym(ctx, (int)(next_byte(r) % N_READ)));
            break;
        case 3:
            bad = dec_leaf(&dc, mt_expr_new(ctx, MT_E_TIME));
            break;
        case 4:
            arg = next_byte(r);
            bad = dec_apply(&dc, MT_E_FN, (int)(arg % MT_FN__COUNT), odd_arity(arg / 32u));
            break;
        case 5:
            arg = next_byte(r);
            bad = dec_apply(&dc, arg & 1u ? MT_E_NOT : MT_E_NEG, 0, odd_arity(arg / 2u));
            break;
        case 6: {
            static const size_t k2[8] = {2, 2, 2, 2, 2, 1, 3, 0};
            arg = next_byte(r);
            bad = dec_apply(&dc, binary_ops[arg % 8u], 0, k2[(arg / 8u) % 8u]);
            break;
        }
        case 7:
            arg = next_byte(r);
            bad = dec_apply(&dc, nary_ops[arg % 7u], 0, (arg / 7u) % 5u);
            break;
        case 8:
            arg = next_byte(r);
            bad = dec_apply(&dc, rel_ops[arg % 6u], 0, (arg / 6u) % 4u);
            break;
        case 9:
            bad = dec_apply(&dc, MT_E_PIECEWISE, 0, next_byte(r) % 6u);
            break;
        case 10:
            arg = next_byte(r);
            e = mt_expr_new(ctx, arg & 1u ? MT_E_OVR_VAL : MT_E_OVR_SET);
            if (e)
                e->sym = (int)((arg >> 1) % N_READ);
            bad = dec_leaf(&dc, e);
            break;
        default:
            /* a clone costs its size: trees grow at most to MAX_NODES */
            if (dc.sp && dc.nodes + dc.size[dc.sp - 1] <= MAX_NODES) {
                dc.nodes += dc.size[dc.sp - 1];
                bad = dec_push(&dc, mt_expr_clone(ctx, dc.st[dc.sp - 1]), dc.depth[dc.sp - 1],
                               dc.size[dc.sp - 1]);
            }
            break;
        }
    }
    mt_expr *root = NULL;
    if (!bad) {
        if (dc.sp == 0) {
            root = mt_expr_const(ctx, 0.0);
        } else if (dc.sp == 1) {
            root = dc.st[0];
            dc.sp = 0;
        } else {
            root = mt_expr_new(ctx, MT_E_ADD);
            for (size_t j = 0; root && j < dc.sp; j++) {
                mt_expr *c = dc.st[j];
                dc.st[j] = NULL;
                if (mt_expr_push(ctx, root, c) != 0) {
                    mt_expr_free(ctx, root);
                    root = NULL;
                }
            }
        }
    }
    for (size_t j = 0; j < dc.sp; j++)
        mt_expr_free(ctx, dc.st[j]);
    return root;
}

/* ---------- the reference evaluator (the VM's semantics, restated) ---------- */

typedef struct {
    const double *vals;
    double t;
    const unsigned char *ovr_set;
    const double *ovr_val;
} ref_env;

static double truth(double v) { return v != 0.0 ? 1.0 : 0.0; }

/* root(degree, x): the real root, so odd degrees of negatives are negative. */
static double real_root(double degree, double x)
{
    if (degree == 2.0)
        return sqrt(x);
    if (x < 0 && degree == floor(degree) && fmod(fabs(degree), 2.0) == 1.0)
        return -pow(-x, 1.0 / degree);
    return pow(x, 1.0 / degree);
}

static double eval(const mt_expr *e, const ref_env *env);

static double eval_binary(mt_expr_op op, double a, double b)
{
    switch (op) {
    case MT_E_ADD:
        return a + b;
    case MT_E_SUB:
        return a - b;
    case MT_E_MUL:
        return a * b;
    case MT_E_DIV:
        return a / b;
    case MT_E_POW:
        return pow(a, b);
    case MT_E_LOG:
        return log(b) / log(a);
    case MT_E_ROOT:
        return real_root(a, b);
    case MT_E_REM:
        return fmod(a, b);
    case MT_E_QUOTIENT:
        return trunc(a / b);
    case MT_E_MIN:
        return (b < a || isnan(b)) ? b : a;
    case MT_E_MAX:
        return (b > a || isnan(b)) ? b : a;
    case MT_E_AND:
        return (a != 0.0) && (b != 0.0);
    case MT_E_OR:
        return (a != 0.0) || (b != 0.0);
    case MT_E_XOR:
        return (a != 0.0) != (b != 0.0);
    case MT_E_IMPLIES:
        return (a == 0.0) || (b != 0.0);
    case MT_E_LT:
        return a < b;
    case MT_E_LE:
        return a <= b;
    case MT_E_GT:
        return a > b;
    case MT_E_GE:
        return a >= b;
    case MT_E_EQ:
        return a == b;
    case MT_E_NE:
        return a != b;
    default:
        abort();
    }
}

static double eval(const mt_expr *e, const ref_env *env)
{
    switch (e->op) {
    case MT_E_CONST:
        return e->v;
    case MT_E_SYM:
        return env->vals[e->sym];
    case MT_E_TIME:
        return env->t;
    case MT_E_OVR_SET:
        return env->ovr_set[e->sym] ? 1.0 : 0.0;
    case MT_E_OVR_VAL:
        return env->ovr_val[e->sym];
    case MT_E_NEG:
        return e->n != 1 ? NAN : -eval(e->k[0], env);
    case MT_E_NOT:
        return e->n != 1 ? NAN : eval(e->k[0], env) == 0.0;
    case MT_E_FN:
        return e->n != 1 ? NAN : mt_fn_eval(e->fn, eval(e->k[0], env));
    case MT_E_AND:
    case MT_E_OR:
    case MT_E_XOR:
        if (e->n == 0)
            return e->op == MT_E_AND ? 1.0 : 0.0;
        if (e->n == 1)
            return truth(eval(e->k[0], env)); /* a lone operand still gives a boolean */
        /* fall through */
    case MT_E_ADD:
    case MT_E_SUB:
    case MT_E_MUL:
    case MT_E_DIV:
    case MT_E_POW:
    case MT_E_LOG:
    case MT_E_ROOT:
    case MT_E_REM:
    case MT_E_QUOTIENT:
    case MT_E_MIN:
    case MT_E_MAX:
    case MT_E_IMPLIES: {
        if (e->n == 0)
            return NAN;
        double acc = eval(e->k[0], env);
        for (size_t i = 1; i < e->n; i++)
            acc = eval_binary(e->op, acc, eval(e->k[i], env));
        return acc;
    }
    case MT_E_LT:
    case MT_E_LE:
    case MT_E_GT:
    case MT_E_GE:
    case MT_E_EQ:
    case MT_E_NE: {
        double all = 1.0;
        for (size_t i = 0; i + 1 < e->n; i++)
            all = truth(all) * eval_binary(e->op, eval(e->k[i], env), eval(e->k[i + 1], env));
        return all;
    }
    case MT_E_PIECEWISE:
        for (size_t i = 0; i + 1 < e->n; i += 2)
            if (eval(e->k[i + 1], env) != 0.0)
                return eval(e->k[i], env);
        return e->n % 2 ? eval(e->k[e->n - 1], env) : NAN;
    case MT_E_RATEOF: /* import-time only; the decoder never builds it */
    case MT_E_NEWTON: /* made by model/algebraic.c only */
    case MT_E_DELAY:  /* needs a simulator's history (tests/unit/solve/test_delay.c) */
        break;
    }
    abort();
}

static void expect_same(const char *what, double got, double want)
{
    if (got == want || (isnan(got) && isnan(want)))
        return;
    fprintf(stderr, "fuzz_expr: %s: VM gives %.17g, the tree evaluates to %.17g\n", what, got,
            want);
    abort();
}

/* ---------- the model ---------- */

static const double param_values[N_PARAM] = {0.0, 1.0, -1.0, 0.5, 2.0, 1e-3, 10.0, NAN};

static int add_event(mt_ctx *ctx, mt_model *m, const mt_expr *tree, int with_delay, int with_pri)
{
    m->ev = mt_calloc(ctx, 1, sizeof *m->ev);
    if (!m->ev)
        return -1;
    m->cap_event = 1;
    m->n_event = 1;
    mt_event *ev = &m->ev[0];
    ev->id = mt_strdup(ctx, "e0");
    ev->trigger = mt_expr_clone(ctx, tree);
    ev->delay = with_delay ? mt_expr_clone(ctx, tree) : NULL;
    ev->priority = with_pri ? mt_expr_clone(ctx, tree) : NULL;
    ev->initial_value = 1;
    ev->persistent = 1;
    ev->asg = mt_calloc(ctx, 1, sizeof *ev->asg);
    if (!ev->id || !ev->trigger || (with_delay && !ev->delay) || (with_pri && !ev->priority) ||
        !ev->asg)
        return -1;
    ev->asg[0].target = 0;
    ev->asg[0].e = mt_expr_clone(ctx, tree);
    if (!ev->asg[0].e)
        return -1;
    ev->n_asg = 1;
    return 0;
}

/* The model of the header comment; takes ownership of tree. */
static mt_model *build_model(mt_ctx *ctx, mt_expr *tree, unsigned flags)
{
    mt_model *m = mt_ir_new(ctx);
    if (!m) {
        mt_expr_free(ctx, tree);
        return NULL;
    }
    static const char *const names[] = {"p0", "p1", "p2", "p3", "p4", "p5",
                                        "p6", "p7", "x",  "r",  "a"};
    for (int i = 0; i <= SLOT_A; i++) {
        if (mt_ir_add_sym(ctx, m, names[i], MT_SYM_PARAMETER, 1) != i)
            goto fail;
        m->sym[i].constant = i < N_PARAM;
        m->sym[i].init = mt_expr_const(ctx, i < N_PARAM   ? param_values[i]
                                            : i == SLOT_X ? 1.0
                                                          : NAN);
        if (!m->sym[i].init)
            goto fail;
    }
    mt_expr_free(ctx, m->sym[SLOT_A].init);
    m->sym[SLOT_A].init = mt_expr_clone(ctx, tree);
    if (!m->sym[SLOT_A].init)
        goto fail;
    mt_expr *rule = mt_expr_clone(ctx, tree);
    if (!rule || mt_ir_add_rule(ctx, m, SLOT_R, rule) < 0) {
        mt_expr_free(ctx, rule);
        goto fail;
    }
    if (add_event(ctx, m, tree, flags & 1u, flags & 2u) != 0)
        goto fail;
    m->sym[SLOT_X].rate_rule = 1;
    if (mt_ir_add_state(ctx, m, SLOT_X, tree) < 0) {
        mt_model_destroy(m);
        mt_expr_free(ctx, tree);
        return NULL;
    }
    return m;
fail:
    mt_model_destroy(m);
    mt_expr_free(ctx, tree);
    return NULL;
}

/* ---------- running the blocks ---------- */

typedef struct {
    mt_ctx *ctx;
    const mt_program *p;
    const mt_expr *tree;
    double *vals;  /* n_slot */
    double *stack; /* exactly max_stack */
    double *y;     /* n_state */
    unsigned char *ovr_set;
    double *ovr_val;
} bench;

static void run(bench *b, mt_block blk, double t, double *out)
{
    mt_env env = {b->vals, b->y, out, t, b->ovr_set, b->ovr_val, b->stack, NULL, NULL};
    mt_vm_run(b->p, blk, &env);
}

static double ref(const bench *b, double t)
{
    ref_env env = {b->vals, t, b->ovr_set, b->ovr_val};
    return eval(b->tree, &env);
}

static void run_blocks(bench *b, double t)
{
    const mt_program *p = b->p;
    mt_ctx *ctx = b->ctx;
    size_t n_roots = p->n_roots ? p->n_roots : 1;
    double *out = mt_calloc(ctx, p->n_state, sizeof *out);
    double *roots = mt_calloc(ctx, n_roots, sizeof *roots);
    double *asg = mt_calloc(ctx, p->ev[0].n_asg, sizeof *asg);
    double *one = mt_calloc(ctx, 1, sizeof *one);
    if (!out || !roots || !asg || !one)
        goto done;

    run(b, p->init, 0.0, NULL);
    /* a: its initial value is the tree unless overridden */
    double want = b->ovr_set[SLOT_A] ? b->ovr_val[SLOT_A] : ref(b, 0.0);
    expect_same("initial value of a", b->vals[SLOT_A], want);
    expect_same("initial value of r", b->vals[SLOT_R], ref(b, 0.0));

    b->y[0] = b->vals[SLOT_X];
    run(b, p->rules_all, t, NULL);
    expect_same("rule r (rules_all)", b->vals[SLOT_R], ref(b, t));
    run(b, p->rules_dyn, t, NULL);
    run(b, p->rhs, t, out);
    expect_same("derivative of x", out[0], ref(b, t));

    const mt_pevent *pe = &p->ev[0];
    double trig = ref(b, t);
    run(b, pe->trigger, t, one);
    expect_same("event trigger", one[0], trig);
    run(b, pe->delay, t, one);
    expect_same("event delay", one[0], pe->has_delay ? trig : 0.0);
    run(b, pe->priority, t, one);
    expect_same("event priority", one[0], pe->has_priority ? trig : 0.0);
    run(b, pe->assign, t, asg);
    expect_same("event assignment", asg[0], trig);
    run(b, p->roots, t, roots);
    expect_same("trigger root", roots[0], trig != 0.0 ? 1.0 : -1.0);
done:
    mt_free(ctx, out);
    mt_free(ctx, roots);
    mt_free(ctx, asg);
    mt_free(ctx, one);
}

static void simulate(mt_ctx *ctx, const mt_program *p)
{
    mt_sim *s = NULL;
    mt_result *r = NULL;
    if (mt_sim_create(ctx, p, &s) != MT_OK)
        return;
    if (mt_sim_set_max_steps(s, 500) == MT_OK && mt_sim_run(s, 0.0, 1.0, 2, &r) == MT_OK) {
        volatile double sink = 0;
        for (size_t i = 0; i < mt_result_n_rows(r); i++)
            for (size_t j = 0; j < mt_result_n_cols(r); j++)
                sink += mt_result_value(r, i, j);
        (void)sink;
    }
    mt_result_destroy(r);
    mt_sim_destroy(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 64 * 1024)
        return 0;
    reader rd = {data, size, 0};
    /* Header: flags (delay, priority, simulate), an override mask over p0..p7
     * and the time at which the blocks run. */
    unsigned flags = next_byte(&rd);
    unsigned ovr_mask = next_byte(&rd);
    double t = edge_values[next_byte(&rd) % N_EDGE];

    mt_ctx *ctx = NULL;
    if (mt_ctx_create(&ctx) != MT_OK)
        return 0;
    mt_expr *tree = decode(ctx, &rd);
    if (!tree) {
        mt_ctx_destroy(ctx);
        return 0;
    }
    mt_model *m = build_model(ctx, tree, flags);
    if (!m) {
        mt_ctx_destroy(ctx);
        return 0;
    }
    tree = m->state[0].deriv; /* owned by m */

    mt_program *p = NULL;
    if (mt_program_create_native(ctx, m, MT_NATIVE_OFF, &p) != MT_OK) {
        /* Nothing in this model can fail to compile but memory. */
        fprintf(stderr, "fuzz_expr: mt_program_create failed: %s\n", mt_errmsg(ctx));
        abort();
    }
    if (p->n_slot != m->n_sym || p->n_state != 1 || p->n_event != 1 || p->max_stack == 0)
        abort();

    bench b = {ctx, p, tree, NULL, NULL, NULL, NULL, NULL};
    b.vals = mt_calloc(ctx, p->n_slot, sizeof *b.vals);
    b.stack = mt_malloc(ctx, p->max_stack * sizeof *b.stack);
    b.y = mt_calloc(ctx, p->n_state, sizeof *b.y);
    b.ovr_set = mt_calloc(ctx, p->n_slot, 1);
    b.ovr_val = mt_calloc(ctx, p->n_slot, sizeof *b.ovr_val);
    if (b.vals && b.stack && b.y && b.ovr_set && b.ovr_val) {
        for (size_t i = 0; i < p->n_slot; i++)
            b.ovr_val[i] = NAN;
        for (unsigned i = 0; i < N_PARAM; i++) {
            if (ovr_mask & (1u << i)) {
                b.ovr_set[i] = 1;
                b.ovr_val[i] = edge_values[(i * 7u + ovr_mask) % N_EDGE];
            }
        }
        if (flags & 8u) {
            b.ovr_set[SLOT_A] = 1;
            b.ovr_val[SLOT_A] = 42.0;
        }
        run_blocks(&b, t);
    }
    mt_free(ctx, b.vals);
    mt_free(ctx, b.stack);
    mt_free(ctx, b.y);
    mt_free(ctx, b.ovr_set);
    mt_free(ctx, b.ovr_val);

    if (flags & 4u)
        simulate(ctx, p);
    mt_program_destroy(p);
    mt_model_destroy(m);
    mt_ctx_destroy(ctx);
    return 0;
}
