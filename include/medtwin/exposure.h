/* SPDX-License-Identifier: Apache-2.0
 *
 * medtwin/exposure.h — exposure metrics of a concentration–time course, as
 * non-compartmental analysis defines them: Cmax, tmax, AUC by the linear
 * trapezoidal rule, AUC to infinity with the terminal log-linear slope,
 * trough (the concentration just before the next dose, or at the end).
 */
#ifndef MEDTWIN_EXPOSURE_H
#define MEDTWIN_EXPOSURE_H

#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    double cmax;       /* highest concentration */
    double tmax;       /* its time (first occurrence) */
    double auc_0_last; /* trapezoids over the whole course */
    double auc_0_24;   /* trapezoids from the first time to first + 24 h (interpolated) */
    double auc_0_inf;  /* auc_0_last + C_last / lambda_z; NaN without a terminal phase */
    double lambda_z;   /* terminal rate constant (1/h) from the last n_terminal points */
    double ctrough;    /* last concentration before trough_time (or the last value) */
    size_t n_terminal; /* points used for lambda_z */
} mt_exposure;

/* Computes the metrics of c[0..n-1] at increasing times t (h). trough_time:
 * time of the next dose after the course (NaN: the last point). The
 * terminal slope uses the last 3 positive points after tmax (linear
 * regression of ln c), or fewer when there are fewer; lambda_z <= 0 gives
 * auc_0_inf = NaN. MT_EINVAL for n < 2, decreasing times or negative
 * concentrations below -1e-12 (solver noise above that is clamped to 0). */
MT_NODISCARD mt_status mt_exposure_compute(mt_ctx *ctx, size_t n, const double *t, const double *c,
                                           size_t stride, double trough_time, mt_exposure *out);

#ifdef __cplusplus
}
#endif
#endif
