/* SPDX-License-Identifier: Apache-2.0
 *
 * model/algebraic.c — algebraic rules solved symbolically into assignment rules (see
 * model/algebraic.h).
 */
#include "model/algebraic.h"

#include "compile/deriv.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define ALG_INLINE_DEPTH 64
#define ALG_MAX_NODES 200000

typedef struct {
    mt_ctx *ctx;
    mt_model *m;
    const unsigned char *free_slot; /* matching: 0 not free, else preference (1 best) */
    const unsigned char *unknown;   /* solving: the matched variables */
    size_t n_unknown;               /* slots unknown[] covers (scratch slots come after) */
    mt_status st;
    size_t nodes;
} alg;

static mt_status alg_fail(alg *a, mt_status st, const char *fmt, const char *arg)
{
    if (a->st == MT_OK) {
        a->st = st;
        if (arg)
            mt_error(a->ctx, st, fmt, arg);
        else
            mt_error(a->ctx, st, "%s", fmt);
    }
    return a->st;
}

static size_t count_nodes(const mt_expr *e)
{
    size_t n = 1;
    for (size_t i = 0; i < e->n; i++)
        n += count_nodes(e->k[i]);
    return n;
}

/* Does e read slot s (s < 0: any unknown)? */
static int reads(const alg *a, const mt_expr *e, int s)
{
    if (!e)
        return 0;
    if (e->op == MT_E_SYM &&
        (s >= 0 ? e->sym == s : (size_t)e->sym < a->n_unknown && a->unknown[e->sym] != 0))
        return 1;
    for (size_t i = 0; i < e->n; i++)
        if (reads(a, e->k[i], s))
            return 1;
    return 0;
}

/* A copy of e in which every slot that a rule computes from an unknown (directly or through
 * other rules) is replaced by its rule's expression. */
static mt_expr *inline_rules(alg *a, const mt_expr *e, int depth)
{
    if (a->st != MT_OK)
        return NULL;
    if (depth > ALG_INLINE_DEPTH) {
        alg_fail(a, MT_ELIMIT, "algebraic rule: assignment rules nest too deeply", NULL);
        return NULL;
    }
    if (e->op == MT_E_SYM && (size_t)e->sym < a->n_unknown && !a->unknown[e->sym] &&
        a->m->sym[e->sym].rule >= 0) {
        mt_expr *r = inline_rules(a, a->m->rule[a->m->sym[e->sym].rule].e, depth + 1);
        if (!r)
            return NULL;
        if (reads(a, r, -1))
            return r;
        mt_expr_free(a->ctx, r);
    }
    mt_expr *c = mt_expr_new(a->ctx, e->op);
    if (!c) {
        alg_fail(a, MT_ENOMEM, "out of memory", NULL);
        return NULL;
    }
    c->fn = e->fn;
    c->sym = e->sym;
    c->v = e->v;
    for (size_t i = 0; i < e->n; i++) {
        mt_expr *k = inline_rules(a, e->k[i], depth);
        if (!k || mt_expr_push(a->ctx, c, k) != 0) {
            mt_expr_free(a->ctx, c);
            if (a->st == MT_OK)
                alg_fail(a, MT_ENOMEM, "out of memory", NULL);
            return NULL;
        }
    }
    return c;
}

/* A copy of e with slot s replaced by a copy of v. */
static mt_expr *subst(alg *a, const mt_expr *e, int s, const mt_expr *v)
{
    if (a->st != MT_OK)
        return NULL;
    mt_expr *c =
        (e->op == MT_E_SYM && e->sym == s) ? mt_expr_clone(a->ctx, v) : mt_expr_new(a->ctx, e->op);
    if (!c) {
        alg_fail(a, MT_ENOMEM, "out of memory", NULL);
        return NULL;
    }
    if (e->op == MT_E_SYM && e->sym == s)
        return c;
    c->fn = e->fn;
    c->sym = e->sym;
    c->v = e->v;
    for (size_t i = 0; i < e->n; i++) {
        mt_expr *k = subst(a, e->k[i], s, v);
        if (!k || mt_expr_push(a->ctx, c, k) != 0) {
            mt_expr_free(a->ctx, c);
            if (a->st == MT_OK)
                alg_fail(a, MT_ENOMEM, "out of memory", NULL);
            return NULL;
        }
    }
    return c;
}

/* 1 when slot s occurs in e only where g is affine in it can be seen from the derivative:
 * never under a comparison, logic, a piecewise condition or a piecewise-constant function
 * (floor, ceil, factorial, quotient, rem), whose derivative is zero although the value
 * depends on s. */
static int smooth_in(const alg *a, const mt_expr *e, int s)
{
    switch (e->op) {
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
    case MT_E_REM:
        return !reads(a, e, s);
    case MT_E_FN:
        if (e->fn == MT_FN_FLOOR || e->fn == MT_FN_CEIL || e->fn == MT_FN_FACTORIAL)
            return !reads(a, e, s);
        break;
    case MT_E_PIECEWISE:
        for (size_t i = 0; i < e->n; i++) {
            int is_cond = (i % 2 == 1);
            if (is_cond ? reads(a, e->k[i], s) : !smooth_in(a, e->k[i], s))
                return 0;
        }
        return 1;
    default:
        break;
    }
    for (size_t i = 0; i < e->n; i++)
        if (!smooth_in(a, e->k[i], s))
            return 0;
    return 1;
}

/* Kuhn's augmenting path for the rule r; var_of[r], rule_of[s]. */
static int augment(size_t r, int *const *adj, const size_t *n_adj, int *var_of, int *rule_of,
                   unsigned char *seen)
{
    for (size_t j = 0; j < n_adj[r]; j++) {
        int s = adj[r][j];
        if (seen[s])
            continue;
        seen[s] = 1;
        if (rule_of[s] < 0 || augment((size_t)rule_of[s], adj, n_adj, var_of, rule_of, seen)) {
            rule_of[s] = (int)r;
            var_of[r] = s;
            return 1;
        }
    }
    return 0;
}

/* Appends the free slots e reads (through the rules of the slots it reads when `through`) to
 * list, each once (mark); seen marks the rules already visited. */
static void collect(const mt_model *m, const mt_expr *e, const unsigned char *free_slot,
                    int through, int *list, size_t *n, unsigned char *mark, unsigned char *seen)
{
    if (e->op == MT_E_SYM) {
        int s = e->sym;
        if (free_slot[s] && !mark[s]) {
            mark[s] = 1;
            list[(*n)++] = s;
        } else if (through && !free_slot[s] && m->sym[s].rule >= 0 && !seen[s]) {
            seen[s] = 1;
            collect(m, m->rule[m->sym[s].rule].e, free_slot, through, list, n, mark, seen);
        }
    }
    for (size_t i = 0; i < e->n; i++)
        collect(m, e->k[i], free_slot, through, list, n, mark, seen);
}

mt_status mt_alg_match(mt_ctx *ctx, const mt_model *m, mt_expr *const *g, size_t n,
                       const unsigned char *free_slot, int through_rules, int *var_of)
{
    alg a = {ctx, (mt_model *)m, free_slot, NULL, 0, MT_OK, 0};
    size_t ns = m->n_sym;
    int **adj = mt_calloc(ctx, n ? n : 1, sizeof *adj);
    size_t *n_adj = mt_calloc(ctx, n ? n : 1, sizeof *n_adj);
    int *rule_of = mt_calloc(ctx, ns ? ns : 1, sizeof *rule_of);
    unsigned char *mark = mt_calloc(ctx, ns ? ns : 1, 1);
    unsigned char *seen = mt_calloc(ctx, ns ? ns : 1, 1);
    if (!adj || !n_adj || !rule_of || !mark || !seen) {
        alg_fail(&a, MT_ENOMEM, "out of memory", NULL);
        goto done;
    }
    for (size_t s = 0; s < ns; s++)
        rule_of[s] = -1;
    for (size_t r = 0; r < n; r++) {
        adj[r] = mt_calloc(ctx, ns ? ns : 1, sizeof **adj);
        if (!adj[r]) {
            alg_fail(&a, MT_ENOMEM, "out of memory", NULL);
            goto done;
        }
        struct {
            size_t n;
        } c = {0};
        memset(seen, 0, ns);
        collect(m, g[r], free_slot, through_rules, adj[r], &c.n, mark, seen);
        for (size_t j = 0; j < c.n; j++)
            mark[adj[r][j]] = 0;
        /* preferred candidates first (stable insertion sort: order of appearance) */
        for (size_t j = 1; j < c.n; j++) {
            int v = adj[r][j];
            size_t q = j;
            while (q > 0 && free_slot[adj[r][q - 1]] > free_slot[v]) {
                adj[r][q] = adj[r][q - 1];
                q--;
            }
            adj[r][q] = v;
        }
        n_adj[r] = c.n;
    }
    /* a greedy pass first (each rule its first free candidate: the pairing the author most
     * likely meant, and the pivots of the elimination), then augmenting paths */
    for (size_t r = 0; r < n; r++) {
        var_of[r] = -1;
        for (size_t j = 0; j < n_adj[r] && var_of[r] < 0; j++)
            if (rule_of[adj[r][j]] < 0) {
                var_of[r] = adj[r][j];
                rule_of[adj[r][j]] = (int)r;
            }
    }
    for (size_t r = 0; r < n; r++) {
        if (var_of[r] >= 0)
            continue;
        memset(mark, 0, ns);
        if (!augment(r, adj, n_adj, var_of, rule_of, mark)) {
            char buf[64];
            snprintf(buf, sizeof buf, "%zu", r + 1);
            alg_fail(&a, MT_ESBML,
                     "algebraic rule %s determines no variable: every symbol it uses is "
                     "constant or determined otherwise (the model is overdetermined)",
                     buf);
            goto done;
        }
    }
done:
    if (adj)
        for (size_t r = 0; r < n; r++)
            mt_free(ctx, adj[r]);
    mt_free(ctx, adj);
    mt_free(ctx, n_adj);
    mt_free(ctx, rule_of);
    mt_free(ctx, mark);
    mt_free(ctx, seen);
    return a.st;
}

/* 1 when e reads no time and no slot that can change (only constant symbols without rules). */
static int fixed(const mt_model *m, const mt_expr *e)
{
    if (e->op == MT_E_TIME)
        return 0;
    if (e->op == MT_E_SYM) {
        const mt_sym *y = &m->sym[e->sym];
        if (!y->constant || y->rule >= 0 || y->state >= 0 || y->rate_rule)
            return 0;
    }
    for (size_t i = 0; i < e->n; i++)
        if (!fixed(m, e->k[i]))
            return 0;
    return 1;
}

/* The coefficient of x when e is affine in x (*coef; NULL: not affine). -1 with a->st set on
 * a hard failure (memory, size). */
static int linear_coef(alg *a, mt_deriv *w, const mt_expr *e, int x, mt_expr **coef)
{
    *coef = NULL;
    if (!smooth_in(a, e, x))
        return 0;
    mt_deriv_set_state(w, x);
    mt_status st = mt_deriv_of(w, e, coef);
    if (st == MT_ENOMEM || st == MT_ELIMIT) {
        alg_fail(a, st, "algebraic rule for '%s': out of memory or too large", a->m->sym[x].id);
        return -1;
    }
    if (st != MT_OK || reads(a, *coef, x)) {
        mt_expr_free(a->ctx, *coef);
        *coef = NULL;
    }
    return 0;
}

/* e = 0 solved for x from its coefficient (consumed): -e(x=0) / coef. NULL: a->st set. */
static mt_expr *solve_linear(alg *a, const mt_expr *e, int x, mt_expr *coef)
{
    mt_expr *zero = mt_expr_const(a->ctx, 0.0);
    mt_expr *b = zero ? subst(a, e, x, zero) : NULL;
    mt_expr_free(a->ctx, zero);
    mt_expr *negb = mt_expr_new(a->ctx, MT_E_NEG);
    if (!b || !negb || mt_expr_push(a->ctx, negb, b) != 0) {
        if (negb && negb->n == 0)
            mt_expr_free(a->ctx, b);
        mt_expr_free(a->ctx, negb);
        mt_expr_free(a->ctx, coef);
        alg_fail(a, MT_ENOMEM, "out of memory", NULL);
        return NULL;
    }
    if (coef->op == MT_E_CONST && coef->v == 1.0) {
        mt_expr_free(a->ctx, coef);
        return negb;
    }
    mt_expr *r = mt_expr_bin(a->ctx, MT_E_DIV, negb, coef);
    if (!r)
        alg_fail(a, MT_ENOMEM, "out of memory", NULL);
    return r;
}

/* e = 0 solved for x at run time (MT_E_NEWTON): flow 0: Newton's method; flow != 0 (a fast
 * reaction's equilibrium, x' = flow * e under the fast reaction alone): the first root in the
 * direction of that flow from x's last value, found by marching and bisection: the
 * equilibrium the fast reaction reaches, a stable one. The iterate is "x#newton", followed by
 * the scratch slots "x#newton1".."x#newton8"; it starts (at t0 of every run) from x's own
 * initial value, 1 when it has none. NULL: a->st set. */
static mt_expr *solve_newton(alg *a, mt_deriv *w, const mt_expr *e, int x, double flow)
{
    mt_ctx *ctx = a->ctx;
    mt_model *m = a->m;
    const char *id = m->sym[x].id;
    mt_expr *df = NULL;
    mt_deriv_set_state(w, x);
    mt_status st = mt_deriv_of(w, e, &df);
    if (st != MT_OK || !df) {
        mt_expr_free(ctx, df);
        if (st == MT_ENOMEM || st == MT_ELIMIT)
            alg_fail(a, st, "algebraic rule for '%s': out of memory or too large", id);
        else if (st != MT_OK)
            alg_fail(a, MT_EUNSUPPORTED,
                     "unsupported: algebraic rule for '%s' that is not linear in it and has no "
                     "symbolic derivative",
                     id);
        else
            alg_fail(
                a, MT_ESBML,
                "algebraic rules: the equations do not determine '%s' (the system is singular)",
                id);
        return NULL;
    }
    char buf[600];
    int slot[MT_NEWTON_SLOTS];
    for (int k = 0; k < MT_NEWTON_SLOTS; k++) {
        if (k)
            snprintf(buf, sizeof buf, "%s#newton%d", id, k);
        else
            snprintf(buf, sizeof buf, "%s#newton", id);
        slot[k] = mt_ir_add_sym(ctx, m, buf, MT_SYM_HIDDEN, 0);
        id = m->sym[x].id; /* m->sym may have moved */
        if (slot[k] < 0) {
            mt_expr_free(ctx, df);
            alg_fail(a, MT_ENOMEM, "out of memory", NULL);
            return NULL;
        }
    }
    const mt_expr *init = m->sym[x].init;
    int no_guess = !init || (init->op == MT_E_CONST && !isfinite(init->v));
    mt_expr *guess = no_guess ? mt_expr_const(ctx, 1.0) : mt_expr_clone(ctx, init);
    mt_expr *zs = mt_expr_sym(ctx, slot[0]);
    mt_expr *f = zs ? subst(a, e, x, zs) : NULL;
    mt_expr *fp = zs ? subst(a, df, x, zs) : NULL;
    mt_expr_free(ctx, zs);
    mt_expr_free(ctx, df);
    mt_expr *r = mt_expr_new(ctx, MT_E_NEWTON);
    int bad = !guess || !f || !fp || !r;
    for (int k = 1; k < MT_NEWTON_SLOTS && !bad; k++)
        bad = !(m->sym[slot[k]].init = mt_expr_const(ctx, 0.0));
    if (bad) {
        mt_expr_free(ctx, guess);
        mt_expr_free(ctx, f);
        mt_expr_free(ctx, fp);
        mt_expr_free(ctx, r);
        alg_fail(a, MT_ENOMEM, "out of memory", NULL);
        return NULL;
    }
    m->sym[slot[0]].init = guess;
    r->sym = slot[0];
    r->fn = slot[1];
    r->v = flow > 0 ? 1.0 : flow < 0 ? -1.0 : 0.0;
    if (mt_expr_push(ctx, r, f) != 0 || mt_expr_push(ctx, r, fp) != 0) {
        if (r->n == 0)
            mt_expr_free(ctx, fp);
        mt_expr_free(ctx, r);
        alg_fail(a, MT_ENOMEM, "out of memory", NULL);
        return NULL;
    }
    return r;
}

mt_status mt_alg_solve(mt_ctx *ctx, mt_model *m, mt_expr **g, size_t n, size_t n_newton,
                       const double *flow, const int *var_of, mt_expr **sol)
{
    alg a = {ctx, m, NULL, NULL, m->n_sym, MT_OK, 0};
    mt_deriv *w = NULL;
    unsigned char *done = NULL;
    mt_deriv_env env = {m->n_sym, NULL, 50u * 1000u * 1000u};
    const mt_expr **none = mt_calloc(ctx, m->n_sym ? m->n_sym : 1, sizeof *none);
    unsigned char *unknown = mt_calloc(ctx, m->n_sym ? m->n_sym : 1, 1);
    for (size_t r = 0; r < n; r++)
        sol[r] = NULL;
    if (!none || !unknown) {
        alg_fail(&a, MT_ENOMEM, "out of memory", NULL);
        goto done;
    }
    for (size_t r = 0; r < n; r++)
        unknown[var_of[r]] = 1;
    a.unknown = unknown;
    env.rule = none;
    /* rules computed from unknowns become part of the equations */
    for (size_t r = 0; r < n && a.st == MT_OK; r++) {
        mt_expr *e = inline_rules(&a, g[r], 0);
        if (e) {
            mt_expr_free(ctx, g[r]);
            g[r] = e;
            a.nodes += count_nodes(e);
            if (a.nodes > ALG_MAX_NODES)
                alg_fail(&a, MT_ELIMIT, "algebraic rules: the equations are too large", NULL);
        }
    }
    if (a.st != MT_OK)
        goto done;
    if (mt_deriv_begin(ctx, &env, &w) != MT_OK) {
        a.st = MT_ENOMEM;
        goto done;
    }
    /* elimination: each step solves one rule, linear ones first, for its variable in terms of
     * the unknowns of the rules not solved yet, and substitutes the solution into those */
    done = mt_calloc(ctx, n ? n : 1, 1);
    if (!done) {
        alg_fail(&a, MT_ENOMEM, "out of memory", NULL);
        goto done;
    }
    for (size_t step = 0; step < n && a.st == MT_OK; step++) {
        size_t r = n;
        mt_expr *coef = NULL;
        /* pass 0: a coefficient free of unknowns (it cannot vanish with them: no root lost);
         * pass 1 (algebraic rules only): any coefficient */
        for (int pass = 0; pass < 2 && r == n && a.st == MT_OK; pass++)
            for (size_t q = 0; q < n && r == n && a.st == MT_OK; q++) {
                if (done[q] || (pass == 1 && q >= n_newton))
                    continue;
                if (linear_coef(&a, w, g[q], var_of[q], &coef) < 0)
                    break;
                if (coef && pass == 0 && reads(&a, coef, -1)) {
                    mt_expr_free(ctx, coef);
                    coef = NULL;
                }
                /* a fast reaction's equilibrium with a flow: in closed form only with a
                 * coefficient that never changes; else (a rate constant that events or rules
                 * change, possibly to 0: the reaction switched off) as a root along the flow */
                if (coef && q >= n_newton && flow && flow[q] != 0.0 && !fixed(m, coef)) {
                    mt_expr_free(ctx, coef);
                    coef = NULL;
                }
                if (coef)
                    r = q;
            }
        if (a.st != MT_OK)
            break;
        if (r < n) {
            int x = var_of[r];
            if (coef->op == MT_E_CONST && coef->v == 0.0) {
                mt_expr_free(ctx, coef);
                alg_fail(&a, MT_ESBML,
                         "algebraic rules: the equations do not determine '%s' (the system is "
                         "singular)",
                         m->sym[x].id);
                break;
            }
            if (!reads(&a, g[r], x)) {
                mt_expr_free(ctx, coef);
                alg_fail(&a, MT_ESBML,
                         "algebraic rules: the equations do not determine '%s' (the system is "
                         "singular)",
                         m->sym[x].id);
                break;
            }
            sol[r] = solve_linear(&a, g[r], x, coef);
            done[r] = 1;
            for (size_t q = 0; q < n && a.st == MT_OK; q++) {
                if (done[q] || !reads(&a, g[q], x))
                    continue;
                mt_expr *e = subst(&a, g[q], x, sol[r]);
                if (!e)
                    break;
                mt_expr_free(ctx, g[q]);
                g[q] = e;
                a.nodes += count_nodes(e);
                if (a.nodes > ALG_MAX_NODES)
                    alg_fail(&a, MT_ELIMIT, "algebraic rules: the equations are too large", NULL);
            }
            continue;
        }
        /* no rule left is linear in its variable: Newton's method on one whose variable no
         * other rule left reads (a nonlinear rule coupled to others is refused) */
        for (size_t q = 0; q < n && r == n; q++) {
            if (done[q])
                continue;
            int coupled = 0;
            for (size_t o = 0; o < n && !coupled; o++)
                coupled = !done[o] && o != q && reads(&a, g[o], var_of[q]);
            if (!coupled)
                r = q;
        }
        if (r == n) {
            for (size_t q = 0; q < n && r == n; q++)
                if (!done[q])
                    r = q;
            int x = var_of[r];
            if (r >= n_newton)
                alg_fail(&a, MT_EUNSUPPORTED,
                         "unsupported: fast reaction equilibrium not linear in '%s' and coupled "
                         "to other equations",
                         m->sym[m->sym[x].amt_of >= 0 ? m->sym[x].amt_of : x].id);
            else
                alg_fail(&a, MT_EUNSUPPORTED,
                         "unsupported: algebraic rule for '%s' that is not linear in it and "
                         "coupled to other algebraic rules",
                         m->sym[x].id);
            break;
        }
        if (r >= n_newton && !(flow && flow[r] != 0.0)) {
            int x = var_of[r];
            alg_fail(&a, MT_EUNSUPPORTED,
                     "unsupported: fast reaction equilibrium not linear in '%s' (which of its "
                     "roots the fast reactions reach is not decided)",
                     m->sym[m->sym[x].amt_of >= 0 ? m->sym[x].amt_of : x].id);
            break;
        }
        if (!reads(&a, g[r], var_of[r])) {
            alg_fail(&a, MT_ESBML,
                     "algebraic rules: the equations do not determine '%s' (the system is "
                     "singular)",
                     m->sym[var_of[r]].id);
            break;
        }
        sol[r] = solve_newton(&a, w, g[r], var_of[r], flow && r >= n_newton ? flow[r] : 0.0);
        done[r] = 1;
    }
done:
    mt_free(ctx, done);
    mt_deriv_end(w);
    for (size_t r = 0; r < n; r++) {
        mt_expr_free(ctx, g[r]);
        g[r] = NULL;
        if (a.st != MT_OK) {
            mt_expr_free(ctx, sol[r]);
            sol[r] = NULL;
        }
    }
    mt_free(ctx, unknown);
    mt_free(ctx, none);
    return a.st;
}
