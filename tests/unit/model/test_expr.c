/* SPDX-License-Identifier: Apache-2.0
 *
 * tests/unit/model/test_expr.c — the expression AST of the model IR
 * (src/model/expr.c): node construction, push/bin ownership (also on the
 * failure paths, checked for leaks by the ASan build), deep clone, free,
 * the symbol visitor, time detection, and mt_fn_eval() for every mt_fn
 * against math.h and closed-form identities (factorial(5) = 120,
 * sec = 1/cos, arcsec(sec x) = x, ...), plus mt_fn_name().
 */
#include "harness.h"
#include "model/expr.h"

#include <math.h>
#include <stdlib.h>

static const double PI = 3.14159265358979323846;

/* ---------- construction, clone, free ---------- */

TEST(construct_nodes)
{
    mt_ctx *ctx = NULL;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    mt_expr *c = mt_expr_const(ctx, 2.5);
    mt_expr *s = mt_expr_sym(ctx, 7);
    mt_expr *t = mt_expr_new(ctx, MT_E_TIME);
    ASSERT_TRUE(c && s && t);
    ASSERT_EQ_INT(c->op, MT_E_CONST);
    ASSERT_NEAR(c->v, 2.5, 0.0);
    ASSERT_EQ_INT(c->n, 0);
    ASSERT_TRUE(c->k == NULL);
    ASSERT_EQ_INT(s->op, MT_E_SYM);
    ASSERT_EQ_INT(s->sym, 7);
    ASSERT_EQ_INT(t->op, MT_E_TIME);
    ASSERT_EQ_INT(t->sym, -1); /* a node that reads no slot says so */
    ASSERT_EQ_INT(t->n, 0);

    /* n-ary node: children stay in push order */
    mt_expr *add = mt_expr_new(ctx, MT_E_ADD);
    ASSERT_TRUE(add != NULL);
    ASSERT_EQ_INT(mt_expr_push(ctx, add, c), 0);
    ASSERT_EQ_INT(mt_expr_push(ctx, add, s), 0);
    ASSERT_EQ_INT(mt_expr_push(ctx, add, t), 0);
    ASSERT_EQ_INT(add->n, 3);
    ASSERT_TRUE(add->k[0] == c && add->k[1] == s && add->k[2] == t);

    /* pushing NULL fails and leaves the node as it was */
    ASSERT_EQ_INT(mt_expr_push(ctx, add, NULL), -1);
    ASSERT_EQ_INT(add->n, 3);

    /* binary helper */
    mt_expr *b = mt_expr_bin(ctx, MT_E_DIV, add, mt_expr_const(ctx, 4.0));
    ASSERT_TRUE(b != NULL);
    ASSERT_EQ_INT(b->op, MT_E_DIV);
    ASSERT_EQ_INT(b->n, 2);
    ASSERT_TRUE(b->k[0] == add);
    ASSERT_EQ_INT(b->k[1]->op, MT_E_CONST);
    ASSERT_NEAR(b->k[1]->v, 4.0, 0.0);
    mt_expr_free(ctx, b); /* frees the whole tree (ASan checks) */
    mt_expr_free(ctx, NULL);
    mt_ctx_destroy(ctx);
}

TEST(bin_takes_ownership_on_failure)
{
    mt_ctx *ctx = NULL;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    /* A NULL operand (a failed allocation upstream) makes bin fail and free
     * the other operand: no leak in the ASan build. */
    ASSERT_TRUE(mt_expr_bin(ctx, MT_E_ADD, mt_expr_const(ctx, 1.0), NULL) == NULL);
    ASSERT_TRUE(mt_expr_bin(ctx, MT_E_ADD, NULL, mt_expr_sym(ctx, 3)) == NULL);
    ASSERT_TRUE(mt_expr_bin(ctx, MT_E_ADD, NULL, NULL) == NULL);
    mt_ctx_destroy(ctx);
}

/* Structural equality, and no node shared between the two trees. */
static int same_tree(const mt_expr *a, const mt_expr *b)
{
    if (a == b || a->op != b->op || a->n != b->n || a->sym != b->sym || a->fn != b->fn)
        return 0;
    if (a->op == MT_E_CONST && !(a->v == b->v || (isnan(a->v) && isnan(b->v))))
        return 0;
    for (size_t i = 0; i < a->n; i++)
        if (!same_tree(a->k[i], b->k[i]))
            return 0;
    return 1;
}

/* piecewise(sin(x0) * 3, x1 < time, -x2) */
static mt_expr *sample_tree(mt_ctx *ctx)
{
    mt_expr *fn = mt_expr_new(ctx, MT_E_FN);
    mt_expr *pw = mt_expr_new(ctx, MT_E_PIECEWISE);
    mt_expr *neg = mt_expr_new(ctx, MT_E_NEG);
    if (!fn || !pw || !neg) {
        mt_expr_free(ctx, fn);
        mt_expr_free(ctx, pw);
        mt_expr_free(ctx, neg);
        return NULL;
    }
    fn->fn = MT_FN_SIN;
    if (mt_expr_push(ctx, fn, mt_expr_sym(ctx, 0)) != 0 ||
        mt_expr_push(ctx, neg, mt_expr_sym(ctx, 2)) != 0) {
        mt_expr_free(ctx, fn);
        mt_expr_free(ctx, pw);
        mt_expr_free(ctx, neg);
        return NULL;
    }
    if (mt_expr_push(ctx, pw, mt_expr_bin(ctx, MT_E_MUL, fn, mt_expr_const(ctx, 3.0))) != 0 ||
        mt_expr_push(ctx, pw,
                     mt_expr_bin(ctx, MT_E_LT, mt_expr_sym(ctx, 1), mt_expr_new(ctx, MT_E_TIME))) !=
            0 ||
        mt_expr_push(ctx, pw, neg) != 0) {
        mt_expr_free(ctx, pw);
        return NULL;
    }
    return pw;
}

TEST(clone_is_deep)
{
    mt_ctx *ctx = NULL;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    mt_expr *a = sample_tree(ctx);
    ASSERT_TRUE(a != NULL);
    mt_expr *b = mt_expr_clone(ctx, a);
    ASSERT_TRUE(b != NULL);
    ASSERT_TRUE(same_tree(a, b));
    ASSERT_EQ_INT(b->k[0]->k[0]->fn, MT_FN_SIN);
    /* changing the clone leaves the original alone */
    b->k[0]->k[1]->v = 99.0;
    b->k[1]->k[0]->sym = 42;
    ASSERT_NEAR(a->k[0]->k[1]->v, 3.0, 0.0);
    ASSERT_EQ_INT(a->k[1]->k[0]->sym, 1);
    mt_expr_free(ctx, a); /* the clone must survive its original */
    ASSERT_EQ_INT(b->k[2]->op, MT_E_NEG);
    ASSERT_EQ_INT(b->k[2]->k[0]->sym, 2);
    ASSERT_TRUE(mt_expr_clone(ctx, NULL) == NULL);
    mt_expr *nan = mt_expr_const(ctx, NAN);
    mt_expr *nan2 = mt_expr_clone(ctx, nan);
    ASSERT_TRUE(nan2 && isnan(nan2->v));
    mt_expr_free(ctx, nan);
    mt_expr_free(ctx, nan2);
    mt_expr_free(ctx, b);
    mt_ctx_destroy(ctx);
}

/* ---------- visitor and time detection ---------- */

typedef struct {
    int syms[16];
    int n;
} seen;

static void collect(int sym, void *arg)
{
    seen *s = arg;
    if (s->n < 16)
        s->syms[s->n] = sym;
    s->n++;
}

TEST(visit_syms)
{
    mt_ctx *ctx = NULL;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    mt_expr *a = sample_tree(ctx);
    ASSERT_TRUE(a != NULL);
    seen s = {{0}, 0};
    mt_expr_visit_syms(a, collect, &s);
    ASSERT_EQ_INT(s.n, 3); /* x0, x1, x2 in depth-first order; time is not a slot */
    ASSERT_EQ_INT(s.syms[0], 0);
    ASSERT_EQ_INT(s.syms[1], 1);
    ASSERT_EQ_INT(s.syms[2], 2);

    /* a slot read twice is reported twice; constants, time and override
     * nodes (which read the user's override, not the slot) are not */
    mt_expr *e = mt_expr_new(ctx, MT_E_MAX);
    mt_expr *ov = mt_expr_new(ctx, MT_E_OVR_VAL);
    mt_expr *os = mt_expr_new(ctx, MT_E_OVR_SET);
    ASSERT_TRUE(e && ov && os);
    ov->sym = 9;
    os->sym = 9;
    ASSERT_EQ_INT(mt_expr_push(ctx, e, mt_expr_sym(ctx, 5)), 0);
    ASSERT_EQ_INT(mt_expr_push(ctx, e, ov), 0);
    ASSERT_EQ_INT(mt_expr_push(ctx, e, os), 0);
    ASSERT_EQ_INT(mt_expr_push(ctx, e, mt_expr_const(ctx, 1.0)), 0);
    ASSERT_EQ_INT(mt_expr_push(ctx, e, mt_expr_sym(ctx, 5)), 0);
    s.n = 0;
    mt_expr_visit_syms(e, collect, &s);
    ASSERT_EQ_INT(s.n, 2);
    ASSERT_EQ_INT(s.syms[0], 5);
    ASSERT_EQ_INT(s.syms[1], 5);

    s.n = 0;
    mt_expr_visit_syms(NULL, collect, &s);
    ASSERT_EQ_INT(s.n, 0);
    mt_expr_free(ctx, e);
    mt_expr_free(ctx, a);
    mt_ctx_destroy(ctx);
}

TEST(uses_time)
{
    mt_ctx *ctx = NULL;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    mt_expr *a = sample_tree(ctx); /* time is deep inside the condition */
    ASSERT_TRUE(a != NULL);
    ASSERT_TRUE(mt_expr_uses_time(a));
    ASSERT_TRUE(mt_expr_uses_time(a->k[1]));
    ASSERT_FALSE(mt_expr_uses_time(a->k[0]));
    ASSERT_FALSE(mt_expr_uses_time(a->k[2]));
    ASSERT_FALSE(mt_expr_uses_time(NULL));
    mt_expr *t = mt_expr_new(ctx, MT_E_TIME);
    ASSERT_TRUE(t != NULL);
    ASSERT_TRUE(mt_expr_uses_time(t));
    mt_expr *c = mt_expr_bin(ctx, MT_E_ADD, mt_expr_sym(ctx, 0), mt_expr_const(ctx, 1.0));
    ASSERT_TRUE(c != NULL);
    ASSERT_FALSE(mt_expr_uses_time(c));
    mt_expr_free(ctx, c);
    mt_expr_free(ctx, t);
    mt_expr_free(ctx, a);
    mt_ctx_destroy(ctx);
}

/* ---------- mt_fn_eval ---------- */

/* Relative closeness: |a - b| <= tol * max(1, |b|). */
#define ASSERT_CLOSE(a, b, tol) ASSERT_NEAR((a), (b), (tol)*fmax(1.0, fabs(b)))
#define FN(f, x) mt_fn_eval(MT_FN_##f, (x))

static const double xs[] = {-2.5, -1.0, -0.3, 0.2, 0.7, 1.0, 1.9, 3.3};
#define NXS (sizeof xs / sizeof xs[0])

TEST(fn_elementary)
{
    for (size_t i = 0; i < NXS; i++) {
        double x = xs[i];
        ASSERT_NEAR(FN(ABS, x), fabs(x), 0.0);
        ASSERT_NEAR(FN(EXP, x), exp(x), 0.0);
        ASSERT_NEAR(FN(FLOOR, x), floor(x), 0.0);
        ASSERT_NEAR(FN(CEIL, x), ceil(x), 0.0);
        ASSERT_NEAR(FN(SIN, x), sin(x), 0.0);
        ASSERT_NEAR(FN(COS, x), cos(x), 0.0);
        ASSERT_NEAR(FN(TAN, x), tan(x), 0.0);
        ASSERT_NEAR(FN(SINH, x), sinh(x), 0.0);
        ASSERT_NEAR(FN(COSH, x), cosh(x), 0.0);
        ASSERT_NEAR(FN(TANH, x), tanh(x), 0.0);
        ASSERT_NEAR(FN(ATAN, x), atan(x), 0.0);
        ASSERT_NEAR(FN(ASINH, x), asinh(x), 0.0);
        if (x > 0) {
            ASSERT_NEAR(FN(LN, x), log(x), 0.0);
            ASSERT_NEAR(FN(LOG10, x), log10(x), 0.0);
            ASSERT_NEAR(FN(SQRT, x), sqrt(x), 0.0);
        }
        if (fabs(x) <= 1.0) {
            ASSERT_NEAR(FN(ASIN, x), asin(x), 0.0);
            ASSERT_NEAR(FN(ACOS, x), acos(x), 0.0);
        }
        if (fabs(x) < 1.0)
            ASSERT_NEAR(FN(ATANH, x), atanh(x), 0.0);
        if (x >= 1.0)
            ASSERT_NEAR(FN(ACOSH, x), acosh(x), 0.0);
    }
    /* exact values */
    ASSERT_NEAR(FN(ABS, -3.0), 3.0, 0.0);
    ASSERT_NEAR(FN(FLOOR, -1.5), -2.0, 0.0);
    ASSERT_NEAR(FN(CEIL, -1.5), -1.0, 0.0);
    ASSERT_NEAR(FN(FLOOR, 2.0), 2.0, 0.0);
    ASSERT_CLOSE(FN(LN, exp(1.0)), 1.0, 1e-15);
    ASSERT_CLOSE(FN(LOG10, 1000.0), 3.0, 1e-15);
    ASSERT_NEAR(FN(SQRT, 16.0), 4.0, 0.0);
    ASSERT_NEAR(FN(EXP, 0.0), 1.0, 0.0);
    ASSERT_CLOSE(FN(ATAN, 1.0), PI / 4, 1e-15);
    ASSERT_CLOSE(FN(ACOS, -1.0), PI, 1e-15);
    /* outside the domain: NaN or an infinity, as math.h */
    ASSERT_TRUE(isnan(FN(SQRT, -1.0)));
    ASSERT_TRUE(isnan(FN(LN, -1.0)));
    ASSERT_TRUE(isinf(FN(LN, 0.0)) && FN(LN, 0.0) < 0);
    ASSERT_TRUE(isnan(FN(ASIN, 1.5)));
    ASSERT_TRUE(isnan(FN(ACOSH, 0.5)));
    ASSERT_TRUE(isinf(FN(ATANH, 1.0)));
    ASSERT_TRUE(isnan(FN(EXP, NAN)));
}

TEST(fn_factorial)
{
    ASSERT_NEAR(FN(FACTORIAL, 0.0), 1.0, 0.0);
    ASSERT_NEAR(FN(FACTORIAL, 1.0), 1.0, 0.0);
    ASSERT_CLOSE(FN(FACTORIAL, 5.0), 120.0, 1e-14);
    ASSERT_CLOSE(FN(FACTORIAL, 10.0), 3628800.0, 1e-14);
    double f = 1.0;
    for (int n = 1; n <= 20; n++) {
        f *= n;
        ASSERT_CLOSE(FN(FACTORIAL, (double)n), f, 1e-13);
    }
    ASSERT_TRUE(isnan(FN(FACTORIAL, -1.0)));
    ASSERT_TRUE(isnan(FN(FACTORIAL, -3.0)));
    ASSERT_TRUE(isnan(FN(FACTORIAL, NAN)));
}

TEST(fn_reciprocal_trig)
{
    for (size_t i = 0; i < NXS; i++) {
        double x = xs[i];
        ASSERT_CLOSE(FN(SEC, x) * cos(x), 1.0, 1e-14);
        ASSERT_CLOSE(FN(CSC, x) * sin(x), 1.0, 1e-14);
        ASSERT_CLOSE(FN(COT, x) * tan(x), 1.0, 1e-14);
        ASSERT_CLOSE(FN(SECH, x) * cosh(x), 1.0, 1e-14);
        ASSERT_CLOSE(FN(CSCH, x) * sinh(x), 1.0, 1e-14);
        ASSERT_CLOSE(FN(COTH, x) * tanh(x), 1.0, 1e-14);
        /* Pythagorean identities */
        ASSERT_CLOSE(FN(SEC, x) * FN(SEC, x) - FN(TAN, x) * FN(TAN, x), 1.0, 1e-12);
        ASSERT_CLOSE(FN(CSC, x) * FN(CSC, x) - FN(COT, x) * FN(COT, x), 1.0, 1e-12);
        ASSERT_CLOSE(FN(COTH, x) * FN(COTH, x) - FN(CSCH, x) * FN(CSCH, x), 1.0, 1e-12);
        ASSERT_CLOSE(FN(TANH, x) * FN(TANH, x) + FN(SECH, x) * FN(SECH, x), 1.0, 1e-12);
    }
    ASSERT_NEAR(FN(SEC, 0.0), 1.0, 0.0);
    ASSERT_CLOSE(FN(CSC, PI / 2), 1.0, 1e-15);
    ASSERT_CLOSE(FN(COT, PI / 4), 1.0, 1e-15);
    ASSERT_NEAR(FN(SECH, 0.0), 1.0, 0.0);
    ASSERT_TRUE(isinf(FN(CSCH, 0.0)));
}

TEST(fn_inverse_trig)
{
    /* arcsec / arccsc / arccot undo sec / csc / cot on their principal ranges */
    static const double in_0_pi[] = {0.1, 0.5, 1.2, 2.0, 2.9}; /* != pi/2 */
    for (size_t i = 0; i < sizeof in_0_pi / sizeof in_0_pi[0]; i++) {
        double x = in_0_pi[i];
        ASSERT_CLOSE(FN(ASEC, 1.0 / cos(x)), x, 1e-13);
    }
    static const double in_half[] = {-1.5, -0.7, -0.1, 0.1, 0.7, 1.5}; /* (-pi/2, pi/2) \ 0 */
    for (size_t i = 0; i < sizeof in_half / sizeof in_half[0]; i++) {
        double x = in_half[i];
        ASSERT_CLOSE(FN(ACSC, 1.0 / sin(x)), x, 1e-13);
        if (x > 0)
            ASSERT_CLOSE(FN(ACOT, 1.0 / tan(x)), x, 1e-13);
    }
    /* the forward functions undo the inverse ones everywhere they are defined */
    static const double big[] = {-7.0, -1.5, -1.0, 1.0, 1.2, 4.0};
    for (size_t i = 0; i < sizeof big / sizeof big[0]; i++) {
        double y = big[i];
        ASSERT_CLOSE(1.0 / cos(FN(ASEC, y)), y, 1e-12);
        ASSERT_CLOSE(1.0 / sin(FN(ACSC, y)), y, 1e-12);
        ASSERT_CLOSE(1.0 / tan(FN(ACOT, y)), y, 1e-12);
        ASSERT_CLOSE(1.0 / tanh(FN(ACOTH, y * 1.5)), y * 1.5, 1e-12); /* |y| > 1 */
        ASSERT_CLOSE(1.0 / sinh(FN(ACSCH, y)), y, 1e-12);
    }
    ASSERT_CLOSE(FN(ASEC, 2.0), PI / 3, 1e-15);
    ASSERT_CLOSE(FN(ACSC, 2.0), PI / 6, 1e-15);
    ASSERT_CLOSE(FN(ACOT, 1.0), PI / 4, 1e-15);
    ASSERT_CLOSE(FN(ACOT, sqrt(3.0)), PI / 6, 1e-15);
    ASSERT_TRUE(isnan(FN(ASEC, 0.5))); /* |x| < 1 has no arcsec */
    ASSERT_TRUE(isnan(FN(ACSC, -0.5)));
}

TEST(fn_inverse_hyperbolic)
{
    static const double pos[] = {0.05, 0.3, 1.0, 2.2, 5.0};
    for (size_t i = 0; i < sizeof pos / sizeof pos[0]; i++) {
        double x = pos[i];
        ASSERT_CLOSE(FN(ASINH, sinh(x)), x, 1e-13);
        ASSERT_CLOSE(FN(ASINH, -sinh(x)), -x, 1e-13);
        ASSERT_CLOSE(FN(ACOSH, cosh(x)), x, 1e-12);
        ASSERT_CLOSE(FN(ATANH, tanh(x)), x, 1e-11);
        ASSERT_CLOSE(FN(ASECH, 1.0 / cosh(x)), x, 1e-12);
        ASSERT_CLOSE(FN(ACSCH, 1.0 / sinh(x)), x, 1e-13);
        ASSERT_CLOSE(FN(ACSCH, -1.0 / sinh(x)), -x, 1e-13);
        ASSERT_CLOSE(FN(ACOTH, 1.0 / tanh(x)), x, 1e-11);
        ASSERT_CLOSE(FN(ACOTH, -1.0 / tanh(x)), -x, 1e-11);
    }
    /* closed forms: arcsech(x) = ln((1 + sqrt(1 - x^2)) / x),
     * arccoth(x) = ln((x + 1) / (x - 1)) / 2 */
    ASSERT_CLOSE(FN(ASECH, 0.5), log((1.0 + sqrt(0.75)) / 0.5), 1e-15);
    ASSERT_CLOSE(FN(ACOTH, 3.0), 0.5 * log(4.0 / 2.0), 1e-15);
    ASSERT_CLOSE(FN(ACSCH, 1.0), log(1.0 + sqrt(2.0)), 1e-15);
    ASSERT_NEAR(FN(ASECH, 1.0), 0.0, 0.0);
    ASSERT_TRUE(isnan(FN(ASECH, 2.0))); /* outside (0, 1] */
    ASSERT_TRUE(isnan(FN(ACOTH, 0.5))); /* outside |x| > 1 */
}

TEST(fn_out_of_range)
{
    ASSERT_TRUE(isnan(mt_fn_eval(MT_FN__COUNT, 1.0)));
    ASSERT_TRUE(isnan(mt_fn_eval(-1, 1.0)));
    ASSERT_TRUE(isnan(mt_fn_eval(1000, 1.0)));
}

TEST(fn_names)
{
    ASSERT_STR_EQ(mt_fn_name(MT_FN_ABS), "abs");
    ASSERT_STR_EQ(mt_fn_name(MT_FN_LN), "ln");
    ASSERT_STR_EQ(mt_fn_name(MT_FN_CEIL), "ceiling");
    ASSERT_STR_EQ(mt_fn_name(MT_FN_FACTORIAL), "factorial");
    ASSERT_STR_EQ(mt_fn_name(MT_FN_SEC), "sec");
    ASSERT_STR_EQ(mt_fn_name(MT_FN_ASIN), "arcsin");
    ASSERT_STR_EQ(mt_fn_name(MT_FN_ACOTH), "arccoth");
    ASSERT_STR_EQ(mt_fn_name(MT_FN__COUNT), "?");
    ASSERT_STR_EQ(mt_fn_name(-1), "?");
    /* every function has its own name */
    for (int i = 0; i < MT_FN__COUNT; i++) {
        const char *a = mt_fn_name(i);
        ASSERT_TRUE(a != NULL && a[0] != '\0' && strcmp(a, "?") != 0);
        for (int j = 0; j < i; j++)
            ASSERT_TRUE(strcmp(a, mt_fn_name(j)) != 0);
    }
}

TEST_MAIN(TEST_ENTRY(construct_nodes), TEST_ENTRY(bin_takes_ownership_on_failure),
          TEST_ENTRY(clone_is_deep), TEST_ENTRY(visit_syms), TEST_ENTRY(uses_time),
          TEST_ENTRY(fn_elementary), TEST_ENTRY(fn_factorial), TEST_ENTRY(fn_reciprocal_trig),
          TEST_ENTRY(fn_inverse_trig), TEST_ENTRY(fn_inverse_hyperbolic),
          TEST_ENTRY(fn_out_of_range), TEST_ENTRY(fn_names))
