/* SPDX-License-Identifier: Apache-2.0
 *
 * tests/unit/compile/test_program.c — the bytecode compiler and VM
 * (src/compile/program.c), on model IRs built by hand: every operator
 * (arithmetic, n-ary relations, logic with 0..3 operands, piecewise with and
 * without otherwise, nested piecewise, min/max/rem/quotient/log/root), the
 * dependency order of rules whatever their insertion order, the right-hand
 * side of a state, cycles refused with MT_ESBML naming a slot, and initial
 * values with user overrides (MT_E_OVR_*).
 *
 * Every block runs on a value stack of exactly program->max_stack entries
 * (heap, so the ASan build catches a compiler that under-counts the depth),
 * and every expected value is computed here with math.h.
 */
#include "compile/program.h"
#include "harness.h"
#include "model/ir.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>

/* ---------- IR building helpers ---------- */

/* A node of kind op with n children (mt_expr *); NULL if any is NULL (all freed). */
static mt_expr *node(mt_ctx *ctx, mt_expr_op op, int n, ...)
{
    va_list ap;
    va_start(ap, n);
    mt_expr *e = mt_expr_new(ctx, op);
    for (int i = 0; i < n; i++) {
        mt_expr *c = va_arg(ap, mt_expr *);
        if (!e) {
            mt_expr_free(ctx, c);
        } else if (mt_expr_push(ctx, e, c) != 0) {
            mt_expr_free(ctx, e);
            e = NULL;
        }
    }
    va_end(ap);
    return e;
}

static mt_expr *fn1(mt_ctx *ctx, mt_fn fn, mt_expr *x)
{
    mt_expr *e = node(ctx, MT_E_FN, 1, x);
    if (e)
        e->fn = fn;
    return e;
}

#define K(v) mt_expr_const(ctx, (v))
#define X(i) mt_expr_sym(ctx, (i))
#define T() mt_expr_new(ctx, MT_E_TIME)
#define B(i) node(ctx, MT_E_NE, 2, X(i), K(0.0))
#define OP0(op) node(ctx, MT_E_##op, 0)
#define OP1(op, a) node(ctx, MT_E_##op, 1, (a))
#define OP2(op, a, b) node(ctx, MT_E_##op, 2, (a), (b))
#define OP3(op, a, b, c) node(ctx, MT_E_##op, 3, (a), (b), (c))

/* Adds a public symbol with a constant (or no) initial value; returns its slot. */
static int add(mt_ctx *ctx, mt_model *m, const char *id, mt_symbol_kind kind, mt_expr *init)
{
    int s = mt_ir_add_sym(ctx, m, id, kind, 1);
    if (s >= 0)
        m->sym[s].init = init;
    else
        mt_expr_free(ctx, init);
    return s;
}

/* ---------- evaluation ---------- */

/* Values of the slots after running a block, with a stack of exactly max_stack. */
typedef struct {
    mt_program *p;
    double *vals;
    double *stack;
    double *y;
    double *out;
} rig;

static int rig_open(mt_ctx *ctx, mt_model *m, rig *r)
{
    memset(r, 0, sizeof *r);
    mt_status st = mt_program_create(ctx, m, &r->p);
    if (!mt_check_(st == MT_OK, __FILE__, __LINE__, "mt_program_create: %d %s", (int)st,
                   mt_errmsg(ctx)))
        return 0;
    r->vals = malloc(r->p->n_slot * sizeof *r->vals);
    r->stack = malloc(r->p->max_stack * sizeof *r->stack);
    r->y = calloc(r->p->n_state + 1, sizeof *r->y);
    r->out = calloc(r->p->n_state + 1, sizeof *r->out);
    if (!mt_check_(r->vals && r->stack && r->y && r->out, __FILE__, __LINE__, "malloc"))
        return 0;
    for (size_t i = 0; i < r->p->n_slot; i++)
        r->vals[i] = -777.0; /* garbage that a correct block overwrites before reading */
    return 1;
}

static void rig_close(rig *r)
{
    free(r->vals);
    free(r->stack);
    free(r->y);
    free(r->out);
    mt_program_destroy(r->p);
    memset(r, 0, sizeof *r);
}

static void rig_run(rig *r, mt_block b, double t, const unsigned char *ovr_set,
                    const double *ovr_val)
{
    mt_env env = {r->vals, r->y, r->out, t, ovr_set, ovr_val, r->stack, NULL, NULL};
    mt_vm_run(r->p, b, &env);
}

/* Evaluates e over parameters x0..x(n-1) = x[] at time t: e becomes the
 * assignment rule of a parameter "out", so it is compiled into both the init
 * block and rules_all, which must agree. OUT: *v. Takes ownership of e. */
static int eval_at(mt_ctx *ctx, mt_expr *e, const double *x, size_t n, double t, double *v)
{
    *v = NAN;
    if (!mt_check_(e != NULL, __FILE__, __LINE__, "expression not built (out of memory)"))
        return 0;
    mt_model *m = mt_ir_new(ctx);
    int ok = m != NULL;
    for (size_t i = 0; ok && i < n; i++) {
        char id[32];
        snprintf(id, sizeof id, "x%zu", i);
        ok = add(ctx, m, id, MT_SYM_PARAMETER, K(x[i])) == (int)i;
    }
    int o = ok ? add(ctx, m, "out", MT_SYM_PARAMETER, NULL) : -1;
    ok = o >= 0 && mt_ir_add_rule(ctx, m, o, e) >= 0;
    if (!ok) {
        mt_expr_free(ctx, e);
        mt_model_destroy(m);
        return mt_check_(0, __FILE__, __LINE__, "building the IR failed");
    }
    rig r;
    if (rig_open(ctx, m, &r)) {
        rig_run(&r, r.p->init, t, NULL, NULL);
        double a = r.vals[o];
        for (size_t i = 0; i < n; i++)
            ok = ok &&
                 mt_check_(r.vals[i] == x[i], __FILE__, __LINE__, "init x%zu = %g", i, r.vals[i]);
        r.vals[o] = -777.0;
        rig_run(&r, r.p->rules_all, t, NULL, NULL);
        double b = r.vals[o];
        ok = ok && mt_check_(a == b || (isnan(a) && isnan(b)), __FILE__, __LINE__,
                             "init block gives %.17g, rules_all %.17g", a, b);
        *v = a;
    } else {
        ok = 0;
    }
    rig_close(&r);
    mt_model_destroy(m);
    return ok;
}

static const double X4[] = {2.0, 3.0, 5.0, 0.0}; /* x0..x3; x3 is false */

static int eval4(mt_ctx *ctx, mt_expr *e, double *v) { return eval_at(ctx, e, X4, 4, 0.0, v); }

/* Checks that e over X4 evaluates to want (NaN matches NaN), tolerance rel. */
#define EXPECT(e, want, rel)                                                                       \
    do {                                                                                           \
        double got_, want_ = (want);                                                               \
        MT_RET_(eval4(ctx, (e), &got_));                                                           \
        if (isnan(want_))                                                                          \
            ASSERT_TRUE(isnan(got_));                                                              \
        else                                                                                       \
            ASSERT_NEAR(got_, want_, (rel)*fmax(1.0, fabs(want_)));                                \
    } while (0)
#define EXPECT_AT(e, t, want)                                                                      \
    do {                                                                                           \
        double got_, want_ = (want);                                                               \
        MT_RET_(eval_at(ctx, (e), X4, 4, (t), &got_));                                             \
        if (isnan(want_))                                                                          \
            ASSERT_TRUE(isnan(got_));                                                              \
        else                                                                                       \
            ASSERT_NEAR(got_, want_, 0.0);                                                         \
    } while (0)

#define CTX_OPEN()                                                                                 \
    mt_ctx *ctx = NULL;                                                                            \
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK)

/* ---------- operators ---------- */

TEST(arithmetic)
{
    CTX_OPEN();
    double a = X4[0], b = X4[1], c = X4[2];
    EXPECT(OP2(ADD, X(0), X(1)), a + b, 0.0);
    EXPECT(OP3(ADD, X(0), X(1), X(2)), a + b + c, 0.0);
    EXPECT(OP3(MUL, X(0), X(1), X(2)), a * b * c, 0.0);
    EXPECT(OP2(SUB, X(2), X(1)), c - b, 0.0);
    EXPECT(OP2(DIV, X(2), X(0)), c / a, 0.0);
    EXPECT(OP2(DIV, X(1), X(2)), b / c, 0.0);
    EXPECT(OP1(NEG, X(1)), -b, 0.0);
    EXPECT(OP2(POW, X(0), X(2)), pow(a, c), 0.0);
    EXPECT(OP2(POW, X(2), K(0.5)), sqrt(c), 1e-15);
    EXPECT(fn1(ctx, MT_FN_EXP, X(0)), exp(a), 0.0);
    EXPECT(fn1(ctx, MT_FN_FACTORIAL, X(2)), 120.0, 1e-14);
    /* ((a + b*c) - a/b)^2 / -(c - a) */
    EXPECT(
        OP2(DIV,
            OP2(POW, OP2(SUB, OP2(ADD, X(0), OP2(MUL, X(1), X(2))), OP2(DIV, X(0), X(1))), K(2.0)),
            OP1(NEG, OP2(SUB, X(2), X(0)))),
        pow((a + b * c) - a / b, 2.0) / -(c - a), 1e-15);
    double inf;
    MT_RET_(eval4(ctx, OP2(DIV, X(0), X(3)), &inf));
    ASSERT_TRUE(isinf(inf) && inf > 0);
    EXPECT(OP2(DIV, X(3), X(3)), NAN, 0.0);
    mt_ctx_destroy(ctx);
}

/* A right-nested sum x0 + (x1 + (x2 + ...)) needs a stack as deep as the
 * nesting: the VM must never write past program->max_stack. */
TEST(deep_nesting)
{
    CTX_OPEN();
    mt_expr *e = X(2);
    double want = X4[2];
    for (int i = 0; i < 40 && e; i++) {
        e = OP2(ADD, X(i % 3), OP2(MUL, K(1.0 + i), e));
        want = X4[i % 3] + (1.0 + i) * want;
    }
    EXPECT(e, want, 1e-15);
    mt_ctx_destroy(ctx);
}

TEST(relations_nary)
{
    CTX_OPEN();
    /* x0=2 < x1=3 < x2=5 */
    EXPECT(OP2(LT, X(0), X(1)), 1.0, 0.0);
    EXPECT(OP2(LT, X(1), X(0)), 0.0, 0.0);
    EXPECT(OP3(LT, X(0), X(1), X(2)), 1.0, 0.0);
    EXPECT(OP3(LT, X(0), X(2), X(1)), 0.0, 0.0); /* second pair fails */
    EXPECT(OP3(LT, X(1), X(0), X(2)), 0.0, 0.0); /* first pair fails */
    EXPECT(OP3(LT, X(0), X(0), X(1)), 0.0, 0.0); /* strict */
    EXPECT(OP3(LE, X(0), X(0), X(1)), 1.0, 0.0);
    EXPECT(OP3(LE, X(0), X(1), X(0)), 0.0, 0.0);
    EXPECT(OP3(GT, X(2), X(1), X(0)), 1.0, 0.0);
    EXPECT(OP3(GT, X(2), X(0), X(1)), 0.0, 0.0);
    EXPECT(OP3(GE, X(2), X(2), X(0)), 1.0, 0.0);
    EXPECT(OP3(GE, X(2), X(0), X(0)), 1.0, 0.0);
    EXPECT(OP3(GE, X(0), X(2), X(0)), 0.0, 0.0);
    EXPECT(OP3(EQ, X(0), X(0), X(0)), 1.0, 0.0);
    EXPECT(OP3(EQ, X(0), X(0), X(1)), 0.0, 0.0);
    EXPECT(OP3(EQ, X(1), X(0), X(0)), 0.0, 0.0);
    EXPECT(OP3(EQ, X(0), OP2(SUB, X(2), X(1)), OP2(DIV, K(4.0), X(0))), 1.0, 0.0);
    EXPECT(OP2(EQ, X(0), X(1)), 0.0, 0.0);
    EXPECT(OP2(NE, X(0), X(1)), 1.0, 0.0);
    EXPECT(OP2(NE, X(0), X(0)), 0.0, 0.0);
    /* a relation is a number: (x0 < x1) + (x1 < x0) * 10 + 100 */
    EXPECT(OP3(ADD, OP2(LT, X(0), X(1)), OP2(MUL, OP2(LT, X(1), X(0)), K(10.0)), K(100.0)), 101.0,
           0.0);
    /* comparisons with NaN are false, != is true */
    EXPECT(OP2(LT, K(NAN), X(0)), 0.0, 0.0);
    EXPECT(OP2(EQ, K(NAN), K(NAN)), 0.0, 0.0);
    EXPECT(OP2(NE, K(NAN), K(NAN)), 1.0, 0.0);
    mt_ctx_destroy(ctx);
}

TEST(logic)
{
    CTX_OPEN();
    /* B(i) is the boolean x_i != 0: B(0), B(1), B(2) are true, B(3) is false. (SBML gives
     * the logical operators boolean operands only.) */
    EXPECT(OP0(AND), 1.0, 0.0);
    EXPECT(OP1(AND, B(0)), 1.0, 0.0);
    EXPECT(OP1(AND, B(3)), 0.0, 0.0);
    EXPECT(OP2(AND, B(0), B(1)), 1.0, 0.0);
    EXPECT(OP2(AND, B(0), B(3)), 0.0, 0.0);
    EXPECT(OP3(AND, B(0), B(1), B(2)), 1.0, 0.0);
    EXPECT(OP3(AND, B(0), B(1), B(3)), 0.0, 0.0);
    EXPECT(OP3(AND, B(3), B(1), B(2)), 0.0, 0.0);

    EXPECT(OP0(OR), 0.0, 0.0);
    EXPECT(OP1(OR, B(0)), 1.0, 0.0);
    EXPECT(OP1(OR, B(3)), 0.0, 0.0);
    EXPECT(OP2(OR, B(3), B(3)), 0.0, 0.0);
    EXPECT(OP2(OR, B(3), B(1)), 1.0, 0.0);
    EXPECT(OP3(OR, B(3), B(3), B(3)), 0.0, 0.0);
    EXPECT(OP3(OR, B(3), B(3), B(2)), 1.0, 0.0);

    /* xor is true when an odd number of operands are true */
    EXPECT(OP0(XOR), 0.0, 0.0);
    EXPECT(OP1(XOR, B(0)), 1.0, 0.0);
    EXPECT(OP1(XOR, B(3)), 0.0, 0.0);
    EXPECT(OP2(XOR, B(0), B(1)), 0.0, 0.0);
    EXPECT(OP2(XOR, B(0), B(3)), 1.0, 0.0);
    EXPECT(OP3(XOR, B(0), B(1), B(2)), 1.0, 0.0);
    EXPECT(OP3(XOR, B(0), B(1), B(3)), 0.0, 0.0);
    EXPECT(OP3(XOR, B(3), B(3), B(2)), 1.0, 0.0);

    EXPECT(OP1(NOT, B(3)), 1.0, 0.0);
    EXPECT(OP1(NOT, B(2)), 0.0, 0.0);
    EXPECT(OP1(NOT, OP1(NOT, B(2))), 1.0, 0.0);

    EXPECT(OP2(IMPLIES, B(3), B(3)), 1.0, 0.0);
    EXPECT(OP2(IMPLIES, B(3), B(0)), 1.0, 0.0);
    EXPECT(OP2(IMPLIES, B(0), B(3)), 0.0, 0.0);
    EXPECT(OP2(IMPLIES, B(0), B(1)), 1.0, 0.0);

    /* combined: not(x0 < x1) or (x2 > x1 and not x3) */
    EXPECT(OP2(OR, OP1(NOT, OP2(LT, X(0), X(1))), OP2(AND, OP2(GT, X(2), X(1)), OP1(NOT, X(3)))),
           1.0, 0.0);
    mt_ctx_destroy(ctx);
}

TEST(piecewise)
{
    CTX_OPEN();
    /* piecewise(10, t < 0, 20, t < 5, 30): the first true condition wins */
#define PW5()                                                                                      \
    node(ctx, MT_E_PIECEWISE, 5, K(10.0), OP2(LT, T(), K(0.0)), K(20.0), OP2(LT, T(), K(5.0)),     \
         K(30.0))
    EXPECT_AT(PW5(), -1.0, 10.0);
    EXPECT_AT(PW5(), 3.0, 20.0);
    EXPECT_AT(PW5(), 7.0, 30.0);
    EXPECT_AT(PW5(), 5.0, 30.0);
    /* two true conditions: the first one */
    EXPECT_AT(node(ctx, MT_E_PIECEWISE, 4, X(0), X(1), X(2), X(2)), 0.0, 2.0);
    /* without otherwise: NaN when no condition holds */
    EXPECT_AT(OP2(PIECEWISE, K(10.0), OP2(LT, T(), K(0.0))), -1.0, 10.0);
    EXPECT_AT(OP2(PIECEWISE, K(10.0), OP2(LT, T(), K(0.0))), 1.0, NAN);
    EXPECT_AT(node(ctx, MT_E_PIECEWISE, 4, K(1.0), X(3), K(2.0), OP2(GT, X(0), X(1))), 0.0, NAN);
    /* a number as a condition: any non-zero value is true */
    EXPECT_AT(OP3(PIECEWISE, K(1.0), X(0), K(0.0)), 0.0, 1.0);
    EXPECT_AT(OP3(PIECEWISE, K(1.0), X(3), K(0.0)), 0.0, 0.0);
    EXPECT_AT(OP3(PIECEWISE, K(1.0), K(-0.5), K(0.0)), 0.0, 1.0);
    /* only otherwise */
    EXPECT_AT(OP1(PIECEWISE, X(2)), 0.0, 5.0);
    /* nothing at all: no value */
    EXPECT_AT(OP0(PIECEWISE), 0.0, NAN);

    /* nested, and used as an operand (the stack must come out balanced):
     * 100 + 2 * piecewise(piecewise(1, x0 > x1, 2), t > 0, piecewise(3, x0 < x1, 4)) */
#define NESTED()                                                                                   \
    OP2(ADD, K(100.0),                                                                             \
        OP2(MUL, K(2.0),                                                                           \
            OP3(PIECEWISE, OP3(PIECEWISE, K(1.0), OP2(GT, X(0), X(1)), K(2.0)),                    \
                OP2(GT, T(), K(0.0)), OP3(PIECEWISE, K(3.0), OP2(LT, X(0), X(1)), K(4.0)))))
    EXPECT_AT(NESTED(), 1.0, 104.0);
    EXPECT_AT(NESTED(), -1.0, 106.0);
    /* a piecewise as a condition, and in a value position of another one */
    EXPECT_AT(OP2(PIECEWISE, K(7.0), OP3(PIECEWISE, K(0.0), OP2(GT, T(), K(0.0)), K(1.0))), 1.0,
              NAN);
    EXPECT_AT(OP2(PIECEWISE, K(7.0), OP3(PIECEWISE, K(0.0), OP2(GT, T(), K(0.0)), K(1.0))), -1.0,
              7.0);
    EXPECT_AT(node(ctx, MT_E_PIECEWISE, 3,
                   node(ctx, MT_E_PIECEWISE, 5, K(1.0), OP2(LT, T(), K(1.0)), K(2.0),
                        OP2(LT, T(), K(2.0)), K(3.0)),
                   OP2(LT, T(), K(10.0)), OP3(ADD, X(0), X(1), X(2))),
              1.5, 2.0);
    EXPECT_AT(node(ctx, MT_E_PIECEWISE, 3,
                   node(ctx, MT_E_PIECEWISE, 5, K(1.0), OP2(LT, T(), K(1.0)), K(2.0),
                        OP2(LT, T(), K(2.0)), K(3.0)),
                   OP2(LT, T(), K(10.0)), OP3(ADD, X(0), X(1), X(2))),
              11.0, 10.0);
    EXPECT_AT(node(ctx, MT_E_PIECEWISE, 3,
                   node(ctx, MT_E_PIECEWISE, 5, K(1.0), OP2(LT, T(), K(1.0)), K(2.0),
                        OP2(LT, T(), K(2.0)), K(3.0)),
                   OP2(LT, T(), K(10.0)), OP3(ADD, X(0), X(1), X(2))),
              4.0, 3.0);
#undef PW5
#undef NESTED
    mt_ctx_destroy(ctx);
}

TEST(min_max_rem_quotient)
{
    CTX_OPEN();
    EXPECT(OP3(MIN, X(2), X(0), X(1)), 2.0, 0.0);
    EXPECT(OP3(MIN, X(0), X(2), X(1)), 2.0, 0.0);
    EXPECT(OP3(MAX, X(0), X(2), X(1)), 5.0, 0.0);
    EXPECT(OP3(MAX, X(2), X(0), X(1)), 5.0, 0.0);
    EXPECT(OP1(MIN, X(1)), 3.0, 0.0);
    EXPECT(OP1(MAX, X(1)), 3.0, 0.0);
    EXPECT(OP2(MIN, OP1(NEG, X(2)), X(3)), -5.0, 0.0);
    EXPECT(OP2(MAX, OP1(NEG, X(2)), X(3)), 0.0, 0.0);

    EXPECT(OP2(REM, X(2), X(0)), 1.0, 0.0);      /* 5 rem 2 */
    EXPECT(OP2(QUOTIENT, X(2), X(0)), 2.0, 0.0); /* 5 quotient 2 */
    EXPECT(OP2(REM, K(9.0), K(3.0)), 0.0, 0.0);
    EXPECT(OP2(QUOTIENT, K(9.0), K(2.0)), 4.0, 0.0);
    EXPECT(OP2(REM, K(7.5), K(2.0)), 1.5, 0.0);
    /* whatever the sign convention: a = b * quotient(a, b) + rem(a, b), |rem| < |b| */
    static const double ab[][2] = {{-7, 2}, {7, -2}, {-7, -2}, {-9, 4}, {13, 5}};
    for (size_t i = 0; i < sizeof ab / sizeof ab[0]; i++) {
        double q, r;
        MT_RET_(eval4(ctx, OP2(QUOTIENT, K(ab[i][0]), K(ab[i][1])), &q));
        MT_RET_(eval4(ctx, OP2(REM, K(ab[i][0]), K(ab[i][1])), &r));
        ASSERT_NEAR(q, floor(q), 0.0);
        ASSERT_NEAR(ab[i][1] * q + r, ab[i][0], 0.0);
        ASSERT_TRUE(fabs(r) < fabs(ab[i][1]));
    }
    mt_ctx_destroy(ctx);
}

TEST(log_and_root)
{
    CTX_OPEN();
    /* log(base, x), root(degree, x): the first operand is the base/degree */
    EXPECT(OP2(LOG, X(0), K(8.0)), 3.0, 1e-15);
    EXPECT(OP2(LOG, K(10.0), K(1000.0)), 3.0, 1e-15);
    EXPECT(OP2(LOG, K(10.0), K(0.001)), -3.0, 1e-15);
    EXPECT(OP2(LOG, X(2), K(1.0)), 0.0, 0.0);
    EXPECT(OP2(LOG, K(3.0), X(2)), log(5.0) / log(3.0), 1e-15);
    EXPECT(OP2(ROOT, X(0), K(16.0)), 4.0, 0.0);
    EXPECT(OP2(ROOT, X(1), K(27.0)), 3.0, 1e-15);
    EXPECT(OP2(ROOT, K(4.0), K(81.0)), 3.0, 1e-15);
    EXPECT(OP2(ROOT, K(3.0), K(-8.0)), -2.0, 1e-15); /* the real cube root */
    EXPECT(OP2(ROOT, X(2), K(7.0)), pow(7.0, 0.2), 1e-15);
    EXPECT(OP2(ROOT, X(0), K(-4.0)), NAN, 0.0);
    mt_ctx_destroy(ctx);
}

/* ---------- rules ---------- */

/* r1 = t + k, r2 = 2 r1, r3 = r2 + 3, r4 = r3 * r1, r5 = r4 - r2; inserted
 * r5 first ... r1 last; a state x with dx/dt = -r5 * x. */
TEST(rules_in_dependency_order)
{
    CTX_OPEN();
    mt_model *m = mt_ir_new(ctx);
    ASSERT_TRUE(m != NULL);
    int k = add(ctx, m, "k", MT_SYM_PARAMETER, K(1.5));
    int r[6];
    char id[8];
    for (int i = 1; i <= 5; i++) {
        snprintf(id, sizeof id, "r%d", i);
        r[i] = add(ctx, m, id, MT_SYM_PARAMETER, NULL);
    }
    int x = add(ctx, m, "x", MT_SYM_PARAMETER, K(4.0));
    int ok = k >= 0 && x >= 0 && r[1] >= 0 && r[5] >= 0;
    ok = ok && mt_ir_add_rule(ctx, m, r[5], OP2(SUB, X(r[4]), X(r[2]))) >= 0;
    ok = ok && mt_ir_add_rule(ctx, m, r[4], OP2(MUL, X(r[3]), X(r[1]))) >= 0;
    ok = ok && mt_ir_add_rule(ctx, m, r[3], OP2(ADD, X(r[2]), K(3.0))) >= 0;
    ok = ok && mt_ir_add_rule(ctx, m, r[2], OP2(MUL, K(2.0), X(r[1]))) >= 0;
    ok = ok && mt_ir_add_rule(ctx, m, r[1], OP2(ADD, T(), X(k))) >= 0;
    ok = ok && mt_ir_add_state(ctx, m, x, OP1(NEG, OP2(MUL, X(r[5]), X(x)))) >= 0;
    if (!mt_check_(ok, __FILE__, __LINE__, "building the IR failed")) {
        mt_model_destroy(m);
        mt_ctx_destroy(ctx);
        return;
    }
    rig g;
    if (rig_open(ctx, m, &g)) {
        ASSERT_EQ_INT(g.p->n_state, 1);
        for (int pass = 0; pass < 4 && !mt_test_failed_; pass++) {
            double t = 0.5 + pass;
            double e1 = t + 1.5, e2 = 2 * e1, e3 = e2 + 3, e4 = e3 * e1, e5 = e4 - e2;
            double xv = 4.0 - pass;
            for (size_t i = 0; i < g.p->n_slot; i++)
                g.vals[i] = -777.0;
            if (pass == 0) {
                rig_run(&g, g.p->init, t, NULL, NULL);
                xv = 4.0; /* the initial value of the state */
            } else {
                g.vals[k] = 1.5;
                g.y[0] = xv;
                /* pass 1: every rule; pass 2: time-dependent rules only; pass 3: rhs */
                rig_run(&g,
                        pass == 1   ? g.p->rules_all
                        : pass == 2 ? g.p->rules_dyn
                                    : g.p->rhs,
                        t, NULL, NULL);
            }
            mt_check_(g.vals[x] == xv, __FILE__, __LINE__, "pass %d: x = %g, want %g", pass,
                      g.vals[x], xv);
            const double want[6] = {0, e1, e2, e3, e4, e5};
            for (int i = 1; i <= 5; i++)
                mt_check_(g.vals[r[i]] == want[i], __FILE__, __LINE__,
                          "pass %d (t=%g): r%d = %.17g, want %.17g", pass, t, i, g.vals[r[i]],
                          want[i]);
            if (pass == 3)
                mt_check_(g.out[0] == -e5 * xv, __FILE__, __LINE__, "dx/dt = %.17g, want %.17g",
                          g.out[0], -e5 * xv);
        }
    }
    rig_close(&g);
    mt_model_destroy(m);
    mt_ctx_destroy(ctx);
}

/* Rules that depend on neither time nor a state are left out of the
 * right-hand side, but every rule reading a time-dependent one is kept. */
TEST(rules_dyn_keeps_dependents)
{
    CTX_OPEN();
    mt_model *m = mt_ir_new(ctx);
    ASSERT_TRUE(m != NULL);
    int c = add(ctx, m, "c", MT_SYM_PARAMETER, K(2.0));
    int a = add(ctx, m, "a", MT_SYM_PARAMETER, NULL); /* a = c * 3 (static) */
    int b = add(ctx, m, "b", MT_SYM_PARAMETER, NULL); /* b = a + d (dynamic through d) */
    int d = add(ctx, m, "d", MT_SYM_PARAMETER, NULL); /* d = 10 t */
    int ok = c >= 0 && a >= 0 && b >= 0 && d >= 0;
    ok = ok && mt_ir_add_rule(ctx, m, b, OP2(ADD, X(a), X(d))) >= 0;
    ok = ok && mt_ir_add_rule(ctx, m, a, OP2(MUL, X(c), K(3.0))) >= 0;
    ok = ok && mt_ir_add_rule(ctx, m, d, OP2(MUL, K(10.0), T())) >= 0;
    if (!mt_check_(ok, __FILE__, __LINE__, "building the IR failed")) {
        mt_model_destroy(m);
        mt_ctx_destroy(ctx);
        return;
    }
    rig g;
    if (rig_open(ctx, m, &g)) {
        rig_run(&g, g.p->init, 0.0, NULL, NULL);
        ASSERT_NEAR(g.vals[a], 6.0, 0.0);
        ASSERT_NEAR(g.vals[b], 6.0, 0.0);
        rig_run(&g, g.p->rules_dyn, 2.0, NULL, NULL);
        ASSERT_NEAR(g.vals[d], 20.0, 0.0);
        ASSERT_NEAR(g.vals[b], 26.0, 0.0);
        rig_run(&g, g.p->rhs, 3.0, NULL, NULL);
        ASSERT_NEAR(g.vals[b], 36.0, 0.0);
    }
    rig_close(&g);
    mt_model_destroy(m);
    mt_ctx_destroy(ctx);
}

/* Expects mt_program_create to refuse m with MT_ESBML and a message naming
 * one of the slots in names (quoted). */
static int expect_cycle(mt_ctx *ctx, mt_model *m, const char *const *names, int n)
{
    static char dummy;
    mt_program *p = (mt_program *)(void *)&dummy; /* must be reset to NULL */
    mt_error_clear(ctx);
    mt_status st = mt_program_create(ctx, m, &p);
    int ok = mt_check_(st == MT_ESBML, __FILE__, __LINE__, "status %d (%s), want MT_ESBML", (int)st,
                       mt_errmsg(ctx));
    ok = ok && mt_check_(p == NULL, __FILE__, __LINE__, "*out not NULL on failure");
    if (st == MT_OK)
        mt_program_destroy(p);
    int named = 0;
    for (int i = 0; i < n; i++) {
        char q[64];
        snprintf(q, sizeof q, "'%s'", names[i]);
        named |= strstr(mt_errmsg(ctx), q) != NULL;
    }
    ok = ok && mt_check_(named, __FILE__, __LINE__, "message names no slot of the cycle: \"%s\"",
                         mt_errmsg(ctx));
    ok = ok && mt_check_(strstr(mt_errmsg(ctx), "cycle") != NULL, __FILE__, __LINE__,
                         "message does not say 'cycle': \"%s\"", mt_errmsg(ctx));
    return ok;
}

TEST(rule_cycle_refused)
{
    CTX_OPEN();
    mt_model *m = mt_ir_new(ctx);
    ASSERT_TRUE(m != NULL);
    /* p = 1 (fine), a = b + p, b = c * 2, c = a - 1 */
    int p = add(ctx, m, "p", MT_SYM_PARAMETER, K(1.0));
    int a = add(ctx, m, "alpha", MT_SYM_PARAMETER, NULL);
    int b = add(ctx, m, "beta", MT_SYM_PARAMETER, NULL);
    int c = add(ctx, m, "gamma", MT_SYM_PARAMETER, NULL);
    int ok = p >= 0 && a >= 0 && b >= 0 && c >= 0;
    ok = ok && mt_ir_add_rule(ctx, m, a, OP2(ADD, X(b), X(p))) >= 0;
    ok = ok && mt_ir_add_rule(ctx, m, b, OP2(MUL, X(c), K(2.0))) >= 0;
    ok = ok && mt_ir_add_rule(ctx, m, c, OP2(SUB, X(a), K(1.0))) >= 0;
    static const char *const abc[] = {"alpha", "beta", "gamma"};
    if (mt_check_(ok, __FILE__, __LINE__, "building the IR failed"))
        expect_cycle(ctx, m, abc, 3);
    mt_model_destroy(m);

    /* a rule that reads its own target */
    m = mt_ir_new(ctx);
    ASSERT_TRUE(m != NULL);
    int s = add(ctx, m, "self", MT_SYM_PARAMETER, K(0.0));
    static const char *const self[] = {"self"};
    if (mt_check_(s >= 0 && mt_ir_add_rule(ctx, m, s, OP2(ADD, X(s), K(1.0))) >= 0, __FILE__,
                  __LINE__, "building the IR failed"))
        expect_cycle(ctx, m, self, 1);
    mt_model_destroy(m);

    /* initial assignments in a cycle: u = 2 v, v = u + 1 */
    m = mt_ir_new(ctx);
    ASSERT_TRUE(m != NULL);
    int u = add(ctx, m, "u", MT_SYM_PARAMETER, NULL);
    int v = add(ctx, m, "v", MT_SYM_PARAMETER, NULL);
    if (mt_check_(u >= 0 && v >= 0, __FILE__, __LINE__, "building the IR failed")) {
        m->sym[u].init = OP2(MUL, K(2.0), X(v));
        m->sym[v].init = OP2(ADD, X(u), K(1.0));
        static const char *const uv[] = {"u", "v"};
        expect_cycle(ctx, m, uv, 2);
    }
    mt_model_destroy(m);
    mt_ctx_destroy(ctx);
}

/* ---------- initial values and overrides ---------- */

/* A model shaped like an import: compartment V (size 2), concentration
 * species S in V (0.5, tracked as the hidden amount slot S#amount with
 * S = S#amount / V), parameter k = 3, q = 10 k (initial assignment),
 * r = 2 k (assignment rule), w = r + q (initial assignment reading a rule),
 * h a hidden local parameter (7). */
typedef struct {
    mt_model *m;
    int V, S, A, k, q, r, w, h;
} ovr_model;

static int ovr_build(mt_ctx *ctx, ovr_model *o)
{
    mt_model *m = o->m = mt_ir_new(ctx);
    if (!m)
        return 0;
    /* inserted so that no initial value can be computed in document order */
    o->w = add(ctx, m, "w", MT_SYM_PARAMETER, NULL);
    o->S = add(ctx, m, "S", MT_SYM_SPECIES, NULL);
    o->q = add(ctx, m, "q", MT_SYM_PARAMETER, NULL);
    o->r = add(ctx, m, "r", MT_SYM_PARAMETER, NULL);
    o->V = add(ctx, m, "V", MT_SYM_COMPARTMENT, K(2.0));
    o->k = add(ctx, m, "k", MT_SYM_PARAMETER, K(3.0));
    o->A = mt_ir_add_sym(ctx, m, "S#amount", MT_SYM_HIDDEN, 0);
    o->h = mt_ir_add_sym(ctx, m, "re.h", MT_SYM_HIDDEN, 0);
    if (o->w < 0 || o->S < 0 || o->q < 0 || o->r < 0 || o->V < 0 || o->k < 0 || o->A < 0 ||
        o->h < 0)
        return 0;
    m->sym[o->S].comp = o->V;
    m->sym[o->S].amt = o->A;
    m->sym[o->A].amt_of = o->S;
    m->sym[o->A].comp = o->V;
    m->sym[o->A].init = OP2(MUL, K(0.5), X(o->V));
    m->sym[o->h].init = K(7.0);
    m->sym[o->q].init = OP2(MUL, K(10.0), X(o->k));
    m->sym[o->w].init = OP2(ADD, X(o->r), X(o->q));
    m->sym[o->r].init = K(-1.0); /* a rule wins over the attribute value */
    if (!m->sym[o->A].init || !m->sym[o->q].init || !m->sym[o->w].init)
        return 0;
    if (mt_ir_add_rule(ctx, m, o->r, OP2(MUL, K(2.0), X(o->k))) < 0 ||
        mt_ir_add_rule(ctx, m, o->S, OP2(DIV, X(o->A), X(o->V))) < 0)
        return 0;
    return 1;
}

typedef struct {
    double V, S, A, k, q, r, w, h;
} ovr_want;

static int ovr_check(rig *g, const ovr_model *o, const unsigned char *set, const double *val,
                     ovr_want w, const char *what)
{
    for (size_t i = 0; i < g->p->n_slot; i++)
        g->vals[i] = -777.0;
    rig_run(g, g->p->init, 0.0, set, val);
    const double *v = g->vals;
    return mt_check_(v[o->V] == w.V && v[o->S] == w.S && v[o->A] == w.A && v[o->k] == w.k &&
                         v[o->q] == w.q && v[o->r] == w.r && v[o->w] == w.w && v[o->h] == w.h,
                     __FILE__, __LINE__,
                     "%s: got V=%g S=%g S#amount=%g k=%g q=%g r=%g w=%g h=%g, want V=%g S=%g "
                     "S#amount=%g k=%g q=%g r=%g w=%g h=%g",
                     what, v[o->V], v[o->S], v[o->A], v[o->k], v[o->q], v[o->r], v[o->w], v[o->h],
                     w.V, w.S, w.A, w.k, w.q, w.r, w.w, w.h);
}

TEST(initial_values_with_overrides)
{
    CTX_OPEN();
    ovr_model o;
    int built = ovr_build(ctx, &o);
    rig g;
    memset(&g, 0, sizeof g);
    if (mt_check_(built, __FILE__, __LINE__, "building the IR failed") && rig_open(ctx, o.m, &g)) {
        size_t n = g.p->n_slot;
        unsigned char *set = calloc(n, 1);
        double *val = calloc(n, sizeof *val);
        ASSERT_TRUE(set && val);
        /* no override (no arrays, then empty arrays) */
        ovr_want base = {2.0, 0.5, 1.0, 3.0, 30.0, 6.0, 36.0, 7.0};
        ovr_check(&g, &o, NULL, NULL, base, "no override arrays");
        ovr_check(&g, &o, set, val, base, "no override set");
        /* a value that is not marked set is ignored */
        val[o.k] = 100.0;
        ovr_check(&g, &o, set, val, base, "value without its flag");
        /* k = 5: everything computed from k follows */
        set[o.k] = 1;
        val[o.k] = 5.0;
        ovr_want wk = {2.0, 0.5, 1.0, 5.0, 50.0, 10.0, 60.0, 7.0};
        ovr_check(&g, &o, set, val, wk, "k=5");
        /* q = 1 as well: q is not recomputed from its initial assignment */
        set[o.q] = 1;
        val[o.q] = 1.0;
        ovr_want wq = {2.0, 0.5, 1.0, 5.0, 1.0, 10.0, 11.0, 7.0};
        ovr_check(&g, &o, set, val, wq, "k=5 q=1");
        memset(set, 0, n);
        /* the species' concentration: its amount is concentration * size */
        set[o.S] = 1;
        val[o.S] = 4.0;
        ovr_want ws = {2.0, 4.0, 8.0, 3.0, 30.0, 6.0, 36.0, 7.0};
        ovr_check(&g, &o, set, val, ws, "S=4");
        /* and the size too: the amount follows the overridden size */
        set[o.V] = 1;
        val[o.V] = 10.0;
        ovr_want wvs = {10.0, 4.0, 40.0, 3.0, 30.0, 6.0, 36.0, 7.0};
        ovr_check(&g, &o, set, val, wvs, "V=10 S=4");
        /* the size alone: the initial concentration stays, the amount scales */
        set[o.S] = 0;
        ovr_want wv = {10.0, 0.5, 5.0, 3.0, 30.0, 6.0, 36.0, 7.0};
        ovr_check(&g, &o, set, val, wv, "V=10");
        memset(set, 0, n);
        /* a slot defined by a rule, and a hidden slot, take no override */
        set[o.r] = 1;
        val[o.r] = 99.0;
        set[o.h] = 1;
        val[o.h] = 99.0;
        set[o.A] = 1;
        val[o.A] = 99.0;
        ovr_check(&g, &o, set, val, base, "r, h, S#amount set");
        free(set);
        free(val);
    }
    rig_close(&g);
    mt_model_destroy(o.m);
    mt_ctx_destroy(ctx);
}

/* A program is independent of the model it came from, and a failed compile
 * leaves nothing behind (ASan). */
TEST(program_outlives_model)
{
    CTX_OPEN();
    mt_model *m = mt_ir_new(ctx);
    ASSERT_TRUE(m != NULL);
    int a = add(ctx, m, "a", MT_SYM_PARAMETER, K(2.0));
    int b = add(ctx, m, "b", MT_SYM_PARAMETER, NULL);
    ASSERT_TRUE(a >= 0 && b >= 0);
    ASSERT_TRUE(mt_ir_add_rule(ctx, m, b, OP2(POW, X(a), K(10.0))) >= 0);
    rig g;
    int opened = rig_open(ctx, m, &g);
    mt_model_destroy(m);
    if (opened) {
        ASSERT_EQ_INT(g.p->n_slot, 2);
        ASSERT_EQ_INT(mt_program_find(g.p, "b"), b);
        ASSERT_EQ_INT(mt_program_find(g.p, "nope"), -1);
        rig_run(&g, g.p->init, 0.0, NULL, NULL);
        ASSERT_NEAR(g.vals[b], 1024.0, 0.0);
    }
    rig_close(&g);
    mt_ctx_destroy(ctx);
}

TEST_MAIN(TEST_ENTRY(arithmetic), TEST_ENTRY(deep_nesting), TEST_ENTRY(relations_nary),
          TEST_ENTRY(logic), TEST_ENTRY(piecewise), TEST_ENTRY(min_max_rem_quotient),
          TEST_ENTRY(log_and_root), TEST_ENTRY(rules_in_dependency_order),
          TEST_ENTRY(rules_dyn_keeps_dependents), TEST_ENTRY(rule_cycle_refused),
          TEST_ENTRY(initial_values_with_overrides), TEST_ENTRY(program_outlives_model))
