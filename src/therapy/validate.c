/* SPDX-License-Identifier: Apache-2.0
 *
 * therapy/validate.c — judging predictions against observations (medtwin/validate.h):
 * trapezoid AUC on given times, windowed AUC and maximum, fold-error summaries, the Guest
 * criterion for interaction ratios. O(n) each, no allocation.
 */
#include "medtwin/validate.h"

#include <math.h>

double mt_validate_auc(size_t n, const double *t, const double *c)
{
    double auc = 0, pt = NAN, pc = NAN;
    size_t used = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(t[i]) || !isfinite(c[i]))
            continue;
        if (used)
            auc += (t[i] - pt) * (c[i] + pc) / 2;
        pt = t[i];
        pc = c[i];
        used++;
    }
    return used >= 2 ? auc : NAN;
}

/* c at time x on the segment [i, i+1]. */
static double lerp(const double *t, const double *c, size_t i, double x)
{
    double dt = t[i + 1] - t[i];
    return dt > 0 ? c[i] + (c[i + 1] - c[i]) * (x - t[i]) / dt : c[i + 1];
}

double mt_validate_auc_window(size_t n, const double *t, const double *c, double t0, double t1)
{
    if (n < 2 || !(t1 > t0) || isnan(t0))
        return NAN;
    double auc = 0;
    int any = 0;
    for (size_t i = 0; i + 1 < n; i++) {
        double a = t[i], b = t[i + 1];
        if (!isfinite(a) || !isfinite(b) || !isfinite(c[i]) || !isfinite(c[i + 1]) || b <= a)
            continue;
        double lo = fmax(a, t0), hi = fmin(b, t1);
        if (hi <= lo)
            continue;
        auc += (hi - lo) * (lerp(t, c, i, lo) + lerp(t, c, i, hi)) / 2;
        any = 1;
    }
    return any ? auc : NAN;
}

double mt_validate_max_window(size_t n, const double *t, const double *c, double t0, double t1)
{
    double m = NAN;
    for (size_t i = 0; i < n; i++)
        if (isfinite(c[i]) && t[i] >= t0 && t[i] <= t1 && !(c[i] <= m))
            m = c[i];
    return m;
}

void mt_validate_folds(size_t n, const double *pred, const double *obs, mt_fold_summary *out)
{
    double sa = 0, ss = 0;
    *out = (mt_fold_summary){0};
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(pred[i]) || !isfinite(obs[i]) || !(pred[i] > 0) || !(obs[i] > 0))
            continue;
        double l = log10(pred[i] / obs[i]), f = fabs(l);
        sa += f;
        ss += l;
        out->n++;
        /* compared in log space with a relative margin so that an exact 2-fold counts */
        if (f <= log10(1.25) * (1 + 1e-12))
            out->n_125++;
        if (f <= log10(1.5) * (1 + 1e-12))
            out->n_15++;
        if (f <= log10(2.0) * (1 + 1e-12))
            out->n_2++;
    }
    if (!out->n) {
        out->gmfe = out->bias = out->within_125 = out->within_15 = out->within_2 = NAN;
        return;
    }
    double k = (double)out->n;
    out->gmfe = pow(10, sa / k);
    out->bias = pow(10, ss / k);
    out->within_125 = (double)out->n_125 / k;
    out->within_15 = (double)out->n_15 / k;
    out->within_2 = (double)out->n_2 / k;
}

double mt_validate_guest_limit(double r_obs)
{
    if (!isfinite(r_obs) || !(r_obs > 0))
        return NAN;
    double r = r_obs >= 1 ? r_obs : 1 / r_obs;
    return (1 + 2 * (r - 1)) / r;
}

int mt_validate_guest_within(double r_obs, double r_pred)
{
    double lim = mt_validate_guest_limit(r_obs);
    if (isnan(lim) || !isfinite(r_pred) || !(r_pred > 0))
        return -1;
    double lo = r_obs / lim, hi = r_obs * lim;
    return r_pred >= lo * (1 - 1e-12) && r_pred <= hi * (1 + 1e-12);
}
