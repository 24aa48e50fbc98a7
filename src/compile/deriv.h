/* SPDX-License-Identifier: Apache-2.0
 *
 * compile/deriv.h — symbolic derivatives of IR expressions with respect to one state slot,
 * through the rules that depend on it (chain rule), for the analytic Jacobian and the
 * detection of linear models (compile/program.c).
 *
 * Rules: sums, differences, products, quotients, powers, exp, ln, log10, log(b, x) with a
 * constant base, root with a constant degree, sqrt, abs, sin, cos, tan, sinh, cosh, tanh,
 * min/max of two operands, piecewise (the derivative of each piece under the same
 * conditions), rem; floor, ceil, quotient, comparisons and logic are piecewise constant
 * (derivative zero). Any other function makes the derivative MT_EUNSUPPORTED (the caller
 * then keeps the difference-quotient Jacobian).
 */
#ifndef MT_COMPILE_DERIV_H
#define MT_COMPILE_DERIV_H

#include "model/expr.h"

typedef struct {
    size_t n_slot;
    /* rule[s]: the expression of slot s when s is a rule that changes with the states
     * (a dynamic rule); NULL for states, constants and static rules (derivative zero) */
    const mt_expr *const *rule;
    size_t budget; /* expression nodes visited in all, over every call (then MT_ELIMIT) */
} mt_deriv_env;

typedef struct mt_deriv {
    mt_ctx *ctx;
    const mt_deriv_env *env;
    int state_slot, started;
    mt_expr **memo;
    unsigned char *done;
    size_t work;
} mt_deriv;

MT_NODISCARD mt_status mt_deriv_begin(mt_ctx *ctx, const mt_deriv_env *env, mt_deriv **out);
/* Differentiate with respect to this state slot from now on. */
void mt_deriv_set_state(mt_deriv *w, int state_slot);
/* OUT: *out = d e / d state (NULL when structurally zero). MT_EUNSUPPORTED, MT_ELIMIT,
 * MT_ENOMEM as above. */
MT_NODISCARD mt_status mt_deriv_of(mt_deriv *w, const mt_expr *e, mt_expr **out);
void mt_deriv_end(mt_deriv *w);

#endif
