/* SPDX-License-Identifier: Apache-2.0
 *
 * solve/lti.h — exact solutions of linear time-invariant systems y' = A y + b (private; used by
 * solve/sim.c when the compiled program's Jacobian is constant and the model has no events).
 * See solve/lti.c for the method.
 */
#ifndef MT_SOLVE_LTI_H
#define MT_SOLVE_LTI_H

#include "util/util.h"

#define MT_LTI_MAX 400

typedef struct mt_lti mt_lti;

/* A workspace for n states (1..MT_LTI_MAX). */
MT_NODISCARD mt_status mt_lti_create(mt_ctx *ctx, size_t n, mt_lti **out);
void mt_lti_destroy(mt_lti *w);
/* Decomposes A (row-major n x n) and starts from y0 with the constant input b.
 * MT_EUNSUPPORTED when A is (nearly) defective: integrate numerically instead. */
MT_NODISCARD mt_status mt_lti_setup(mt_lti *w, const double *A, const double *y0, const double *b);
/* Starts again from y0 with the constant input b, with the decomposition of the last setup
 * (a dose: a jump of the state, an infusion: a change of the input). Call
 * mt_lti_step_prepare again afterwards (its steps depend on b). */
MT_NODISCARD mt_status mt_lti_restart(mt_lti *w, const double *y0, const double *b);
/* Prepares steps of length h; mt_lti_advance then moves the solution on by h, exactly. */
void mt_lti_step_prepare(mt_lti *w, double h);
void mt_lti_advance(mt_lti *w);
/* State row of the current solution. */
double mt_lti_state(const mt_lti *w, size_t row);

#endif
