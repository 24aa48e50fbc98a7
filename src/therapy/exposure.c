/* SPDX-License-Identifier: Apache-2.0
 *
 * therapy/exposure.c — non-compartmental exposure metrics (see
 * medtwin/exposure.h). One pass for Cmax/AUC, a least-squares fit of ln C on
 * the terminal points for lambda_z. Cost O(n).
 */
#include "medtwin/exposure.h"

#include <math.h>

static double at(const double *c, size_t stride, size_t i)
{
    double v = c[i * stride];
    return (v < 0 && v > -1e-12) ? 0.0 : v;
}

mt_status mt_exposure_compute(mt_ctx *ctx, size_t n, const double *t, const double *c,
                              size_t stride, double trough_time, mt_exposure *out)
{
    if (n < 2)
        return mt_error(ctx, MT_EINVAL, "exposure: need at least 2 points, got %zu", n);
    if (!stride)
        stride = 1;
    mt_exposure e = {0};
    e.cmax = -INFINITY;
    double t24 = t[0] + 24.0;
    for (size_t i = 0; i < n; i++) {
        double ci = at(c, stride, i);
        if (!isfinite(ci) || ci < 0)
            return mt_error(ctx, MT_EINVAL, "exposure: concentration %g at t=%g is not >= 0", ci,
                            t[i]);
        if (i > 0 && !(t[i] > t[i - 1]))
            return mt_error(ctx, MT_EINVAL, "exposure: times must increase (t=%g after %g)", t[i],
                            t[i - 1]);
        if (ci > e.cmax) {
            e.cmax = ci;
            e.tmax = t[i];
        }
        if (i > 0) {
            double c0 = at(c, stride, i - 1), dt = t[i] - t[i - 1];
            e.auc_0_last += 0.5 * (c0 + ci) * dt;
            if (t[i - 1] < t24) {
                if (t[i] <= t24) {
                    e.auc_0_24 += 0.5 * (c0 + ci) * dt;
                } else {
                    double f = (t24 - t[i - 1]) / dt, c24 = c0 + f * (ci - c0);
                    e.auc_0_24 += 0.5 * (c0 + c24) * (t24 - t[i - 1]);
                }
            }
        }
        if (!isnan(trough_time) && t[i] <= trough_time)
            e.ctrough = ci;
    }
    if (isnan(trough_time))
        e.ctrough = at(c, stride, n - 1);
    if (t[n - 1] < t24)
        e.auc_0_24 = NAN; /* the course is shorter than 24 h */
    /* terminal phase: last 3 positive points after tmax */
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    size_t k = 0;
    for (size_t i = n; i-- > 0 && k < 3;) {
        double ci = at(c, stride, i);
        if (t[i] <= e.tmax)
            break;
        if (ci <= 0)
            continue;
        double y = log(ci);
        sx += t[i];
        sy += y;
        sxx += t[i] * t[i];
        sxy += t[i] * y;
        k++;
    }
    e.n_terminal = k;
    e.lambda_z = NAN;
    e.auc_0_inf = NAN;
    if (k >= 2) {
        double den = (double)k * sxx - sx * sx;
        double slope = den != 0 ? ((double)k * sxy - sx * sy) / den : NAN;
        if (slope < 0) {
            e.lambda_z = -slope;
            e.auc_0_inf = e.auc_0_last + at(c, stride, n - 1) / e.lambda_z;
        }
    }
    *out = e;
    return MT_OK;
}
