/* SPDX-License-Identifier: Apache-2.0
 *
 * model/algebraic.h — algebraic rules (0 = g(x)) turned into assignment rules (private).
 *
 * Which variable each rule determines follows the SBML specification (L3v2 section 4.11.5):
 * a maximum matching of the rules to the symbols they mention that nothing else determines
 * (not constant, no assignment or rate rule, not a species whose amount reactions change);
 * a rule that no such symbol is left for makes the model overdetermined (an error).
 *
 * The matched system is solved once, at import: rules (assignment rules, reaction rates,
 * concentrations) that depend on an unknown are inlined into the equations; then, one rule at a
 * time, a rule linear in its variable is solved in closed form (x = -g(0) / g'(x), the
 * derivative from compile/deriv.c) and the solution substituted into the rules not solved yet
 * (Gaussian elimination on expressions; the solutions form a triangular system, which the
 * compiler orders like any other rules). When no rule left is linear, a rule whose variable no
 * other remaining rule reads becomes an MT_E_NEWTON node: Newton's method at run time, warm-
 * started (compile/program.c); nonlinear rules coupled to each other are refused with
 * "unsupported: ...". Every other path of the engine (initial values, events, sensitivities,
 * output) sees ordinary rules. A value that is not finite at run time (a coefficient zero, no
 * convergence) is reported by the simulator as an error (mt_pslot.alg), never as a number.
 */
#ifndef MT_ALGEBRAIC_H
#define MT_ALGEBRAIC_H

#include "model/ir.h"

/* Step 1, before species and reactions are mapped: var_of[r] = the slot algebraic rule r
 * determines. g[0..n): the rules' expressions (not modified); free_slot[s]: 0 when slot s is
 * determined otherwise or constant, else a preference among candidates (1 first: a rule
 * determines a boundary species or a symbol that events assign only when nothing else is
 * left). through_rules: a rule also uses the free slots that the rules of the slots it reads
 * use (0 for SBML algebraic rules, whose variables are the symbols of their own math).
 * MT_ESBML when the model is overdetermined. */
MT_NODISCARD mt_status mt_alg_match(mt_ctx *ctx, const mt_model *m, mt_expr *const *g, size_t n,
                                    const unsigned char *free_slot, int through_rules, int *var_of);

/* Step 2, once every rule of the model is known (rateOf resolved): sol[r] = the expression of
 * var_of[r] (for the caller to own), solutions of later rules read as slots. g is consumed
 * (freed, NULL) in every case. Rules r >= n_newton (fast equilibria) are solved only with
 * coefficients free of unknowns, or, when nonlinear, as the first root in the direction of
 * the flow var' = flow[r] * g[r] (flow NULL or flow[r] = 0: refused). Errors: MT_EUNSUPPORTED
 * (coupled nonlinear rules; a nonlinear rule r >= n_newton; no symbolic derivative), MT_ESBML
 * (singular: a rule loses its variable), MT_ENOMEM, MT_ELIMIT. */
MT_NODISCARD mt_status mt_alg_solve(mt_ctx *ctx, mt_model *m, mt_expr **g, size_t n,
                                    size_t n_newton, const double *flow, const int *var_of,
                                    mt_expr **sol);

#endif
