/* SPDX-License-Identifier: Apache-2.0
 *
 * fit/dose.c — dose finding on a population-PK twin (medtwin/mipd.h): the target quantity of a
 * regimen (AUC24, trough, peak, INR), and the search over doses x intervals for the regimen
 * with the highest probability of target attainment under posterior draws.
 */
#include "fit/fit_internal.h"
#include "medtwin/mipd.h"
#include "medtwin/rng.h"
#include "util/util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const target_names[] = {"AUC24", "trough", "peak", "INR"};

const char *mt_target_name(mt_target_kind kind)
{
    return (unsigned)kind < 4 ? target_names[kind] : "?";
}

mt_status mt_target_parse(mt_ctx *ctx, const char *text_in, mt_target *out)
{
    /* the text as messages show it: one line, at most 80 bytes */
    char text[84];
    size_t n = 0;
    for (; text_in && text_in[n] && n < 80; n++)
        text[n] = (unsigned char)text_in[n] < 0x20 || text_in[n] == 0x7f ? '?' : text_in[n];
    text[n] = '\0';
    if (text_in && text_in[n])
        return mt_error(ctx, MT_EINVAL, "target '%.40s...' is too long", text);
    char kind[32];
    double lo, hi;
    int used = 0;
    if (!text_in || sscanf(text, "%31s %lf-%lf%n", kind, &lo, &hi, &used) != 3 ||
        text[used] != '\0')
        return mt_error(ctx, MT_EINVAL, "target '%s': expected KIND LO-HI, e.g. \"auc24 400-600\"",
                        text);
    const char *kinds[] = {"auc24", "trough", "peak", "inr"};
    int k = -1;
    for (int i = 0; i < 4; i++)
        if (!strcmp(kind, kinds[i]))
            k = i;
    if (k < 0)
        return mt_error(ctx, MT_EINVAL, "target '%s': '%s' is not auc24, trough, peak or inr", text,
                        kind);
    if (!(lo > 0) || !(hi > lo) || !isfinite(hi))
        return mt_error(ctx, MT_EINVAL, "target '%s': the range %g-%g is not 0 < LO < HI", text, lo,
                        hi);
    *out = (mt_target){(mt_target_kind)k, lo, hi};
    return MT_OK;
}

void mt_dose_result_free(mt_ctx *ctx, mt_dose_result *r)
{
    if (!r)
        return;
    mt_free(ctx, r->cand);
    memset(r, 0, sizeof *r);
}

#define AUC_POINTS 241 /* the last 24 h every 0.1 h */

mt_status mt_mipd_metric(mt_mipd *m, const double *u, const mt_mipd_dose *history, size_t n_history,
                         const mt_target *tg, double mg, double tau, double inf_h, double start_h,
                         double horizon_h, double *out)
{
    mt_ctx *ctx = mt_mipd_ctx_(m);
    if (!(tau > 0) || !(horizon_h >= tau) || !(mg >= 0) || !isfinite(mg) || !isfinite(start_h) ||
        !(inf_h >= 0) || inf_h > tau)
        return mt_error(ctx, MT_EINVAL,
                        "regimen %g mg every %g h (infusions of %g h) from %g h for %g h: the "
                        "interval must be positive, at most the horizon and not shorter than the "
                        "infusion",
                        mg, tau, inf_h, start_h, horizon_h);
    size_t n_new = (size_t)ceil(horizon_h / tau - 1e-9);
    size_t nd = n_history + (mg > 0 ? n_new : 0);
    mt_mipd_dose *d = mt_calloc(ctx, nd ? nd : 1, sizeof *d);
    if (!d)
        return mt_error(ctx, MT_ENOMEM, "out of memory");
    if (n_history)
        memcpy(d, history, n_history * sizeof *d);
    for (size_t k = 0; k < n_new && mg > 0; k++)
        d[n_history + k] = (mt_mipd_dose){start_h + (double)k * tau, mg, inf_h};
    double t_end = start_h + (double)n_new * tau; /* the next (not given) dose */
    double times[AUC_POINTS], c[AUC_POINTS], r[AUC_POINTS];
    size_t nt = 0;
    if (tg->kind == MT_TARGET_AUC24)
        for (size_t k = 0; k < AUC_POINTS; k++)
            times[nt++] = t_end - 24 + 0.1 * (double)k;
    else if (tg->kind == MT_TARGET_PEAK)
        times[nt++] = t_end - tau + inf_h;
    else
        times[nt++] = t_end;
    mt_status st = mt_mipd_simulate(m, u, d, nd, times, nt, c, r);
    mt_free(ctx, d);
    if (st != MT_OK)
        return st;
    if (tg->kind == MT_TARGET_AUC24) {
        double auc = 0;
        for (size_t k = 1; k < nt; k++)
            auc += 0.5 * (c[k] + c[k - 1]) * (times[k] - times[k - 1]);
        *out = auc;
    } else {
        *out = tg->kind == MT_TARGET_INR ? r[0] : c[0];
    }
    return MT_OK;
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

static int cmp_cand(const void *x, const void *y)
{
    const mt_dose_candidate *a = x, *b = y;
    if (a->pta != b->pta)
        return a->pta > b->pta ? -1 : 1;
    double da = a->dose_mg * 24 / a->interval_h, db = b->dose_mg * 24 / b->interval_h;
    return da < db ? -1 : da > db;
}

mt_status mt_mipd_recommend(mt_mipd *m, const mt_mipd_dose *hist, size_t n_hist,
                            const mt_target *tg, const mt_dose_search *sr, mt_dose_result *out)
{
    memset(out, 0, sizeof *out);
    out->exact_mg = NAN;
    mt_ctx *ctx = mt_mipd_ctx_(m);
    size_t n_eta = mt_mipd_n_eta(m), nd = sr->typical ? 1 : sr->n_draws;
    if (!sr->n_doses || !sr->n_intervals || !sr->draws || !nd)
        return mt_error(ctx, MT_EINVAL, "a dose search needs doses, intervals and draws");
    if (tg->kind == MT_TARGET_INR && !mt_mipd_has_inr(m))
        return mt_error(ctx, MT_EINVAL, "an INR target, but the %s card has no INR model",
                        mt_poppk_drug(mt_mipd_card(m)));
    size_t total = sr->n_doses * sr->n_intervals;
    mt_dose_candidate *cands = mt_calloc(ctx, total, sizeof *cands);
    double *vals = mt_calloc(ctx, nd, sizeof *vals), *hk = mt_calloc(ctx, nd, sizeof *hk),
           *uk = mt_calloc(ctx, nd, sizeof *uk);
    mt_status st = MT_OK;
    if (!cands || !vals || !hk || !uk) {
        st = mt_error(ctx, MT_ENOMEM, "out of memory");
        goto fail;
    }
    const double *u0 = sr->draws;
    double inf = sr->infusion_h, t0 = sr->start_h, hz = sr->horizon_h;
    /* linearity in the dose, on the first draw */
    int linear = 0;
    if (tg->kind != MT_TARGET_INR) {
        double h, u1, big, top = sr->doses_mg[0];
        for (size_t i = 0; i < sr->n_doses; i++)
            top = fmax(top, sr->doses_mg[i]);
        double tau = sr->intervals_h[0];
        if ((st = mt_mipd_metric(m, u0, hist, n_hist, tg, 0, tau, inf, t0, hz, &h)) != MT_OK ||
            (st = mt_mipd_metric(m, u0, hist, n_hist, tg, 1, tau, inf, t0, hz, &u1)) != MT_OK ||
            (st = mt_mipd_metric(m, u0, hist, n_hist, tg, top, tau, inf, t0, hz, &big)) != MT_OK)
            goto fail;
        linear = fabs(big - (h + top * (u1 - h))) <= 1e-5 * fabs(big) + 1e-9;
    }
    out->linear = linear;
    size_t nc = 0;
    for (size_t it = 0; it < sr->n_intervals; it++) {
        double tau = sr->intervals_h[it];
        for (size_t k = 0; linear && k < nd; k++) {
            const double *u = sr->draws + k * n_eta;
            if (sr->cancelled && sr->cancelled(sr->cancelled_arg)) {
                st = mt_error(ctx, MT_ELIMIT, "dose: cancelled");
                goto fail;
            }
            if ((st = mt_mipd_metric(m, u, hist, n_hist, tg, 0, tau, inf, t0, hz, &hk[k])) !=
                    MT_OK ||
                (st = mt_mipd_metric(m, u, hist, n_hist, tg, 1, tau, inf, t0, hz, &uk[k])) != MT_OK)
                goto fail;
        }
        for (size_t im = 0; im < sr->n_doses; im++) {
            mt_dose_candidate *c = &cands[nc++];
            c->dose_mg = sr->doses_mg[im];
            c->interval_h = tau;
            size_t hit = 0;
            for (size_t k = 0; k < nd; k++) {
                if (!linear && sr->cancelled && sr->cancelled(sr->cancelled_arg)) {
                    st = mt_error(ctx, MT_ELIMIT, "dose: cancelled");
                    goto fail;
                }
                if (linear)
                    vals[k] = hk[k] + c->dose_mg * (uk[k] - hk[k]);
                else if ((st = mt_mipd_metric(m, sr->draws + k * n_eta, hist, n_hist, tg,
                                              c->dose_mg, tau, inf, t0, hz, &vals[k])) != MT_OK)
                    goto fail;
                hit += vals[k] >= tg->lo && vals[k] <= tg->hi;
            }
            qsort(vals, nd, sizeof *vals, cmp_double);
            c->p5 = mt_quantile_sorted(vals, nd, 0.05);
            c->p50 = mt_quantile_sorted(vals, nd, 0.5);
            c->p95 = mt_quantile_sorted(vals, nd, 0.95);
            /* typical mode ranks by the distance from the middle of the target */
            c->pta = sr->typical ? -fabs(log(c->p50 / (0.5 * (tg->lo + tg->hi))))
                                 : (double)hit / (double)nd;
            if (sr->progress)
                sr->progress(nc, total, sr->progress_arg);
        }
    }
    qsort(cands, nc, sizeof *cands, cmp_cand);
    /* within 2 percentage points of the best, the longest interval */
    for (size_t i = 1; !sr->typical && i < nc && cands[i].pta >= cands[0].pta - 0.02; i++)
        if (cands[i].interval_h > cands[0].interval_h) {
            mt_dose_candidate t = cands[i];
            memmove(cands + 1, cands, i * sizeof *cands);
            cands[0] = t;
        }
    if (sr->typical) {
        /* the exact dose for the middle of the target, by bisection on log dose */
        double mid = 0.5 * (tg->lo + tg->hi), lo = cands[0].dose_mg, hi = lo, v = 0,
               tau = cands[0].interval_h;
        for (int k = 0; k < 40; k++) {
            if ((st = mt_mipd_metric(m, u0, hist, n_hist, tg, lo, tau, inf, t0, hz, &v)) != MT_OK)
                goto fail;
            if (v <= mid)
                break;
            lo *= 0.5;
        }
        for (int k = 0; k < 40; k++) {
            if ((st = mt_mipd_metric(m, u0, hist, n_hist, tg, hi, tau, inf, t0, hz, &v)) != MT_OK)
                goto fail;
            if (v >= mid)
                break;
            hi *= 2;
        }
        for (int k = 0; k < 60 && hi / lo > 1 + 1e-7; k++) {
            double x = sqrt(lo * hi);
            if ((st = mt_mipd_metric(m, u0, hist, n_hist, tg, x, tau, inf, t0, hz, &v)) != MT_OK)
                goto fail;
            if (v < mid)
                lo = x;
            else
                hi = x;
        }
        out->exact_mg = sqrt(lo * hi);
        for (size_t i = 0; i < nc; i++)
            cands[i].pta = NAN;
    }
    out->n = nc;
    out->cand = cands;
    mt_free(ctx, vals);
    mt_free(ctx, hk);
    mt_free(ctx, uk);
    return MT_OK;
fail:
    mt_free(ctx, cands);
    mt_free(ctx, vals);
    mt_free(ctx, hk);
    mt_free(ctx, uk);
    return st;
}
