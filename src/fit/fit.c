/* SPDX-License-Identifier: Apache-2.0
 *
 * fit/fit.c — maximum-likelihood and MAP estimates of one subject's parameters (medtwin/fit.h):
 * the objective, its gradient through the predictions' sensitivities, GSL's trust-region
 * Levenberg-Marquardt (least-squares form) and BFGS (general likelihood: proportional or
 * combined error, estimated error parameters, observations below the LLOQ by Beal's M3), the
 * covariance of the estimates and the identifiability check.
 *
 * Parameters live on three scales: natural (the model's value), estimation u (log for log
 * parameters; priors and standard errors are on this scale) and the optimiser's v, where bounds
 * become unconstrained (u = lo + (hi - lo) / (1 + e^-v) with both bounds, lo + e^v, hi - e^v).
 */
#include "medtwin/fit.h"
#include "util/util.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_multifit_nlinear.h>
#include <gsl/gsl_sf_erf.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#define FIT_RTOL 1e-10
#define FIT_ATOL 1e-12
/* scaled Fisher information with a larger condition number: not identifiable */
#define FIT_MAX_COND 1e10

typedef struct {
    mt_ctx *ctx;
    mt_sim *sim;
    const mt_fit_problem *pb;
    const mt_fit_data *d;
    const mt_fit_subject *s;
    size_t np, n;      /* parameters, observations */
    int *pidx;         /* sim indices of the parameters */
    double *times;     /* observation times */
    double *f, *J;     /* predictions, d f / d u (n x np) */
    double *fs, *Js;   /* scratch for the sensitivity run */
    double *Linv, *mu; /* prior: inverse Cholesky factor of Omega, mean (NULL: flat) */
    double *lo, *hi;   /* bounds on the u scale */
    int est_a, est_b;  /* error parameters estimated (general path) */
    double yscale;     /* the largest |observation| */
    double a, b;       /* current error parameters */
    mt_status err;     /* the first failure inside a GSL callback */
    char errmsg[400];
} fitctx;

/* ---------- scales ---------- */

static double u_of_v(const fitctx *c, size_t i, double v)
{
    double lo = c->lo[i], hi = c->hi[i];
    if (isfinite(lo) && isfinite(hi))
        return lo + (hi - lo) / (1.0 + exp(-v));
    if (isfinite(lo))
        return lo + exp(v);
    if (isfinite(hi))
        return hi - exp(v);
    return v;
}

static double dudv(const fitctx *c, size_t i, double v)
{
    double lo = c->lo[i], hi = c->hi[i];
    if (isfinite(lo) && isfinite(hi)) {
        double e = exp(-v);
        return (hi - lo) * e / ((1.0 + e) * (1.0 + e));
    }
    if (isfinite(lo))
        return exp(v);
    if (isfinite(hi))
        return -exp(v);
    return 1.0;
}

static double v_of_u(const fitctx *c, size_t i, double u)
{
    double lo = c->lo[i], hi = c->hi[i];
    if (isfinite(lo) && isfinite(hi)) {
        double p = (u - lo) / (hi - lo);
        if (p < 1e-9)
            p = 1e-9;
        if (p > 1 - 1e-9)
            p = 1 - 1e-9;
        return log(p / (1 - p));
    }
    if (isfinite(lo))
        return log(u - lo > 1e-300 ? u - lo : 1e-300);
    if (isfinite(hi))
        return log(hi - u > 1e-300 ? hi - u : 1e-300);
    return u;
}

static double natural(const mt_fit_param *p, double u) { return p->log ? exp(u) : u; }

/* ---------- predictions ---------- */

static mt_status set_subject(fitctx *c)
{
    mt_sim_clear_values(c->sim);
    for (size_t k = 0; k < c->s->n_cov; k++) {
        mt_status st = mt_sim_set_value_at(c->sim, c->s->cov_index[k], c->s->cov_value[k]);
        if (st != MT_OK)
            return st;
    }
    return MT_OK;
}

/* Runs the model at u: predictions f (and J = df/du when want_j). */
static mt_status predict(fitctx *c, const double *u, int want_j)
{
    mt_status st = set_subject(c);
    for (size_t i = 0; i < c->np && st == MT_OK; i++)
        st = mt_sim_set_value_at(c->sim, c->pidx[i], natural(&c->pb->par[i], u[i]));
    if (st != MT_OK)
        return st;
    mt_result *r = NULL;
    size_t no = c->d->n_outputs;
    if (want_j && !c->pb->no_sensitivities) {
        st = mt_sim_run_doses_sens(c->sim, c->d->t0, c->s->doses, c->s->n_doses, c->times, c->n,
                                   c->pidx, c->np, &r, c->Js);
        if (st != MT_OK)
            return st;
        for (size_t k = 0; k < c->n; k++) {
            size_t j = (size_t)c->s->obs[k].output;
            c->f[k] = mt_result_value(r, k, j);
            for (size_t i = 0; i < c->np; i++) {
                double dth = c->pb->par[i].log ? exp(u[i]) : 1.0; /* d theta / d u */
                c->J[k * c->np + i] = c->Js[(k * no + j) * c->np + i] * dth;
            }
        }
        mt_result_destroy(r);
        return MT_OK;
    }
    st = mt_sim_run_doses(c->sim, c->d->t0, c->s->doses, c->s->n_doses, c->times, c->n, &r);
    if (st != MT_OK)
        return st;
    for (size_t k = 0; k < c->n; k++)
        c->f[k] = mt_result_value(r, k, (size_t)c->s->obs[k].output);
    mt_result_destroy(r);
    if (!want_j)
        return MT_OK;
    /* central differences (no_sensitivities) */
    double *uu = c->fs + c->n; /* np scratch after n */
    memcpy(uu, u, c->np * sizeof *uu);
    double *fp = mt_calloc(c->ctx, c->n, sizeof *fp);
    if (!fp)
        return mt_error(c->ctx, MT_ENOMEM, "out of memory");
    for (size_t i = 0; i < c->np && st == MT_OK; i++) {
        double h = 1e-5 * (1.0 + fabs(u[i]));
        for (int side = 0; side < 2 && st == MT_OK; side++) {
            uu[i] = u[i] + (side ? -h : h);
            st = set_subject(c);
            for (size_t q = 0; q < c->np && st == MT_OK; q++)
                st = mt_sim_set_value_at(c->sim, c->pidx[q], natural(&c->pb->par[q], uu[q]));
            if (st == MT_OK)
                st = mt_sim_run_doses(c->sim, c->d->t0, c->s->doses, c->s->n_doses, c->times, c->n,
                                      &r);
            if (st != MT_OK)
                break;
            for (size_t k = 0; k < c->n; k++) {
                double v = mt_result_value(r, k, (size_t)c->s->obs[k].output);
                if (!side)
                    fp[k] = v;
                else
                    c->J[k * c->np + i] = (fp[k] - v) / (2 * h);
            }
            mt_result_destroy(r);
        }
        uu[i] = u[i];
    }
    mt_free(c->ctx, fp);
    return st;
}

/* ---------- the objective ---------- */

static double s2_of(const fitctx *c, int out, double f)
{
    if (c->pb->out_sigma_add) {
        double a = c->pb->out_sigma_add[out], b = c->pb->out_sigma_prop[out];
        return a * a + b * b * f * f;
    }
    switch (c->pb->error) {
    case MT_ERR_PROPORTIONAL:
        return c->b * c->b * f * f;
    case MT_ERR_COMBINED:
        return c->a * c->a + c->b * c->b * f * f;
    default:
        return c->a * c->a;
    }
}

/* log Phi(z), accurate in the lower tail */
static double log_phi_cdf(double z) { return gsl_sf_log_erfc(-z / M_SQRT2) - M_LN2; }

/* The variance of an observation of output out at prediction f (clamped to a positive
 * number), and its derivatives with respect to f, log a and log b (any may be NULL). */
static double variance(const fitctx *c, int out, double f, double *s2f, double *s2a, double *s2b)
{
    double s2 = s2_of(c, out, f), df, da, db;
    if (!(s2 > 0) || !isfinite(s2))
        s2 = 1e-300;
    if (c->pb->out_sigma_add) {
        double b = c->pb->out_sigma_prop[out];
        df = 2 * b * b * f;
        da = db = 0;
    } else {
        df = c->pb->error == MT_ERR_ADDITIVE ? 0 : 2 * c->b * c->b * f;
        da = c->pb->error == MT_ERR_PROPORTIONAL ? 0 : 2 * c->a * c->a;
        db = c->pb->error == MT_ERR_ADDITIVE ? 0 : 2 * c->b * c->b * f * f;
    }
    if (s2f)
        *s2f = df;
    if (s2a)
        *s2a = da;
    if (s2b)
        *s2b = db;
    return s2;
}

/* One observation's term of -2 log L at prediction f and variance s2, and its derivatives
 * with respect to f and s2: (y - f)^2 / s2 + log(2 pi s2), or -2 log Phi((LLOQ - f) / s) below
 * the LLOQ (Beal's M3). */
static double obs_term(const mt_fit_obs *o, double f, double s2, double *g_f, double *g_s2)
{
    if (o->blq) {
        double sd = sqrt(s2), z = (o->value - f) / sd, lp = log_phi_cdf(z);
        double g_z = -2 * exp(-0.5 * z * z - 0.5 * log(2 * M_PI) - lp); /* -2 phi / Phi */
        *g_f = g_z * (-1 / sd);
        *g_s2 = g_z * (-z / (2 * s2));
        return -2 * lp;
    }
    double e = o->value - f;
    *g_f = -2 * e / s2;
    *g_s2 = 1 / s2 - e * e / (s2 * s2);
    return e * e / s2 + log(2 * M_PI * s2);
}

/* -2 log-likelihood at the current predictions and error parameters, and its derivatives with
 * respect to each prediction (dfk) and to log a / log b (dla, dlb). */
static double neg2ll(const fitctx *c, double *dfk, double *dla, double *dlb)
{
    double obj = 0, ga = 0, gb = 0;
    for (size_t k = 0; k < c->n; k++) {
        const mt_fit_obs *o = &c->s->obs[k];
        double ds2_df, ds2_dla, ds2_dlb, g_f, g_s2;
        double s2 = variance(c, o->output, c->f[k], &ds2_df, &ds2_dla, &ds2_dlb);
        obj += obs_term(o, c->f[k], s2, &g_f, &g_s2);
        if (dfk)
            dfk[k] = g_f + g_s2 * ds2_df;
        ga += g_s2 * ds2_dla;
        gb += g_s2 * ds2_dlb;
    }
    if (dla)
        *dla = ga;
    if (dlb)
        *dlb = gb;
    return obj;
}

/* prior term |Linv (u - mu)|^2 and its gradient (added to g) */
static double prior_term(const fitctx *c, const double *u, double *g)
{
    if (!c->Linv)
        return 0;
    double sum = 0;
    size_t np = c->np;
    for (size_t i = 0; i < np; i++) {
        double r = 0;
        for (size_t j = 0; j <= i; j++)
            r += c->Linv[i * np + j] * (u[j] - c->mu[j]);
        sum += r * r;
        if (g)
            for (size_t j = 0; j <= i; j++)
                g[j] += 2 * r * c->Linv[i * np + j];
    }
    return sum;
}

/* ---------- least-squares form (GSL multifit_nlinear) ---------- */

/* Remembers the last failure of the model at a trial point (the optimiser steps back from
 * such points; only a failure at the estimate makes the fit fail). */
static void note_failure(fitctx *c, mt_status st)
{
    c->err = st;
    snprintf(c->errmsg, sizeof c->errmsg, "%s", mt_errmsg(c->ctx));
}

static void v_to_u(const fitctx *c, const double *v, double *u)
{
    for (size_t i = 0; i < c->np; i++)
        u[i] = u_of_v(c, i, v[i]);
}

static int ls_f(const gsl_vector *x, void *ud, gsl_vector *res)
{
    fitctx *c = ud;
    double u[64];
    v_to_u(c, x->data, u);
    mt_status st = predict(c, u, 0);
    if (st != MT_OK) {
        /* a trial point where the model cannot be solved: a huge residual, so that the
         * trust region shrinks and the step is rejected */
        note_failure(c, st);
        gsl_vector_set_all(res, 1e100);
        return GSL_SUCCESS;
    }
    double w = isnan(c->pb->sigma_add) ? 1.0 : c->pb->sigma_add;
    for (size_t k = 0; k < c->n; k++)
        gsl_vector_set(res, k, (c->s->obs[k].value - c->f[k]) / w);
    for (size_t i = 0; c->Linv && i < c->np; i++) {
        double r = 0;
        for (size_t j = 0; j <= i; j++)
            r += c->Linv[i * c->np + j] * (u[j] - c->mu[j]);
        gsl_vector_set(res, c->n + i, r);
    }
    return GSL_SUCCESS;
}

static int ls_df(const gsl_vector *x, void *ud, gsl_matrix *jac)
{
    fitctx *c = ud;
    double u[64];
    v_to_u(c, x->data, u);
    mt_status st = predict(c, u, 1);
    if (st != MT_OK) {
        note_failure(c, st);
        return GSL_EDOM;
    }
    double w = isnan(c->pb->sigma_add) ? 1.0 : c->pb->sigma_add;
    for (size_t i = 0; i < c->np; i++) {
        double g = dudv(c, i, x->data[i]);
        for (size_t k = 0; k < c->n; k++)
            gsl_matrix_set(jac, k, i, -c->J[k * c->np + i] / w * g);
        for (size_t q = 0; c->Linv && q < c->np; q++)
            gsl_matrix_set(jac, c->n + q, i, q >= i ? c->Linv[q * c->np + i] * g : 0.0);
    }
    return GSL_SUCCESS;
}

/* ---------- general likelihood (GSL BFGS) ---------- */

/* x = [v (np), log a (if estimated), log b (if estimated)] */
static void set_error_params(fitctx *c, const double *x)
{
    size_t q = c->np;
    if (c->est_a)
        c->a = exp(x[q++]);
    if (c->est_b)
        c->b = exp(x[q]);
}

static double gen_fdf(const gsl_vector *x, fitctx *c, gsl_vector *grad)
{
    double u[64];
    v_to_u(c, x->data, u);
    set_error_params(c, x->data);
    mt_status st = predict(c, u, grad != NULL);
    if (st != MT_OK) {
        /* a trial point of the line search where the model cannot be solved */
        note_failure(c, st);
        if (grad)
            gsl_vector_set_zero(grad);
        return GSL_POSINF;
    }
    double *dfk = grad ? c->fs : NULL, dla = 0, dlb = 0;
    double obj = neg2ll(c, dfk, &dla, &dlb);
    if (grad) {
        double gu[64] = {0};
        for (size_t i = 0; i < c->np; i++)
            for (size_t k = 0; k < c->n; k++)
                gu[i] += dfk[k] * c->J[k * c->np + i];
        obj += prior_term(c, u, gu);
        for (size_t i = 0; i < c->np; i++)
            gsl_vector_set(grad, i, gu[i] * dudv(c, i, x->data[i]));
        size_t q = c->np;
        if (c->est_a)
            gsl_vector_set(grad, q++, dla);
        if (c->est_b)
            gsl_vector_set(grad, q, dlb);
    } else {
        obj += prior_term(c, u, NULL);
    }
    return isfinite(obj) ? obj : GSL_POSINF;
}

static void gen_df(const gsl_vector *x, void *ud, gsl_vector *g) { (void)gen_fdf(x, ud, g); }

/* ---------- setup, covariance, identifiability ---------- */

void mt_fit_result_destroy(mt_ctx *ctx, mt_fit_result *r)
{
    if (!r)
        return;
    mt_free(ctx, r->est);
    mt_free(ctx, r->u);
    mt_free(ctx, r->se_u);
    mt_free(ctx, r->se);
    mt_free(ctx, r->cov_u);
    mt_free(ctx, r->corr);
    mt_free(ctx, r->pred);
    mt_free(ctx, r);
}

static void ctx_free(fitctx *c)
{
    mt_free(c->ctx, c->pidx);
    mt_free(c->ctx, c->times);
    mt_free(c->ctx, c->f);
    mt_free(c->ctx, c->J);
    mt_free(c->ctx, c->fs);
    mt_free(c->ctx, c->Js);
    mt_free(c->ctx, c->Linv);
    mt_free(c->ctx, c->mu);
    mt_free(c->ctx, c->lo);
    mt_free(c->ctx, c->hi);
}

/* Checks the problem and prepares the context (outputs, indices, prior factor, bounds). */
static mt_status ctx_init(fitctx *c, mt_ctx *ctx, mt_sim *sim, const mt_fit_problem *pb,
                          const mt_fit_data *d, size_t subject)
{
    memset(c, 0, sizeof *c);
    c->ctx = ctx;
    c->sim = sim;
    c->pb = pb;
    c->d = d;
    if (subject >= d->n_subjects)
        return mt_error(ctx, MT_EINVAL, "no subject %zu (the data have %zu)", subject,
                        d->n_subjects);
    c->s = &d->subjects[subject];
    c->np = pb->n_par;
    c->n = c->s->n_obs;
    if (c->np == 0 || c->np > 64)
        return mt_error(ctx, MT_EINVAL, "estimate 1 to 64 parameters, not %zu", c->np);
    if (pb->error < MT_ERR_ADDITIVE || pb->error > MT_ERR_COMBINED)
        return mt_error(ctx, MT_EINVAL, "unknown error model %d", (int)pb->error);
    size_t np = c->np, n = c->n, no = d->n_outputs ? d->n_outputs : 1;
    c->pidx = mt_calloc(ctx, np, sizeof *c->pidx);
    c->times = mt_calloc(ctx, n, sizeof *c->times);
    c->f = mt_calloc(ctx, n, sizeof *c->f);
    c->J = mt_calloc(ctx, n * np, sizeof *c->J);
    c->fs = mt_calloc(ctx, n + np, sizeof *c->fs);
    c->Js = mt_calloc(ctx, n * no * np, sizeof *c->Js);
    c->lo = mt_calloc(ctx, np, sizeof *c->lo);
    c->hi = mt_calloc(ctx, np, sizeof *c->hi);
    if (!c->pidx || !c->times || !c->f || !c->J || !c->fs || !c->Js || !c->lo || !c->hi)
        return mt_error(ctx, MT_ENOMEM, "out of memory");
    int has_prior = pb->prior_cov != NULL;
    for (size_t i = 0; i < np; i++) {
        const mt_fit_param *p = &pb->par[i];
        c->pidx[i] = mt_sim_find(sim, p->name);
        if (c->pidx[i] == -1)
            return mt_error(ctx, MT_EINVAL, "parameter '%s' is not a symbol of the model", p->name);
        if (c->pidx[i] < 0)
            return mt_error(ctx, MT_EINVAL,
                            "parameter '%s' cannot be estimated: an assignment rule defines it",
                            p->name);
        for (size_t q = 0; q < i; q++)
            if (c->pidx[q] == c->pidx[i])
                return mt_error(ctx, MT_EINVAL, "parameter '%s' is named twice", p->name);
        for (size_t k = 0; k < c->s->n_cov; k++)
            if (c->s->cov_index[k] == c->pidx[i])
                return mt_error(ctx, MT_EINVAL,
                                "'%s' is both estimated and a covariate of the data", p->name);
        if (!(p->lower < p->upper) || isnan(p->lower) || isnan(p->upper))
            return mt_error(ctx, MT_EINVAL, "parameter '%s': bounds %g..%g are empty", p->name,
                            p->lower, p->upper);
        if (p->log && p->lower < 0)
            return mt_error(ctx, MT_EINVAL,
                            "parameter '%s' is estimated on the log scale: its lower bound %g "
                            "must be >= 0",
                            p->name, p->lower);
        c->lo[i] = p->log ? (p->lower > 0 ? log(p->lower) : -INFINITY) : p->lower;
        c->hi[i] = p->log ? log(p->upper) : p->upper;
        if (p->prior_sd > 0)
            has_prior = 1;
        else if (!(p->prior_sd >= 0) && !isnan(p->prior_sd))
            return mt_error(ctx, MT_EINVAL, "parameter '%s': prior SD %g is negative", p->name,
                            p->prior_sd);
    }
    if (n < np && !has_prior)
        return mt_error(ctx, MT_EINVAL,
                        "subject %s: %zu observation(s) for %zu parameters: not enough to "
                        "estimate them without a prior",
                        c->s->id, n, np);
    for (size_t k = 0; k < n; k++) {
        c->times[k] = c->s->obs[k].time;
        if (pb->error == MT_ERR_PROPORTIONAL && !c->s->obs[k].blq && !(c->s->obs[k].value > 0))
            return mt_error(ctx, MT_EINVAL,
                            "subject %s, observation at t=%g: value %g is not positive; a "
                            "proportional error model needs positive observations (use "
                            "--error combined)",
                            c->s->id, c->s->obs[k].time, c->s->obs[k].value);
    }
    /* prior: Omega (diagonal from prior_sd, or the full covariance) = L L'; Linv = L^-1 */
    if (has_prior) {
        gsl_matrix *om = gsl_matrix_calloc(np, np);
        c->Linv = mt_calloc(ctx, np * np, sizeof *c->Linv);
        c->mu = mt_calloc(ctx, np, sizeof *c->mu);
        if (!om || !c->Linv || !c->mu) {
            gsl_matrix_free(om);
            return mt_error(ctx, MT_ENOMEM, "out of memory");
        }
        for (size_t i = 0; i < np; i++) {
            const mt_fit_param *p = &pb->par[i];
            c->mu[i] = p->prior_mean;
            if (!isfinite(p->prior_mean)) {
                gsl_matrix_free(om);
                return mt_error(ctx, MT_EINVAL, "parameter '%s' has a prior without a mean",
                                p->name);
            }
            for (size_t j = 0; j < np; j++)
                gsl_matrix_set(om, i, j,
                               pb->prior_cov ? pb->prior_cov[i * np + j]
                               : i == j      ? (p->prior_sd > 0 ? p->prior_sd * p->prior_sd : 1e12)
                                             : 0.0);
        }
        gsl_error_handler_t *old = gsl_set_error_handler_off();
        int f = gsl_linalg_cholesky_decomp1(om);
        if (f == GSL_SUCCESS)
            f = gsl_linalg_tri_invert(CblasLower, CblasNonUnit, om);
        gsl_set_error_handler(old);
        if (f != GSL_SUCCESS) {
            gsl_matrix_free(om);
            return mt_error(ctx, MT_EINVAL, "the prior covariance is not positive definite");
        }
        for (size_t i = 0; i < np; i++)
            for (size_t j = 0; j <= i; j++)
                c->Linv[i * np + j] = gsl_matrix_get(om, i, j);
        gsl_matrix_free(om);
    }
    mt_status st = mt_sim_set_tolerances(sim, FIT_RTOL, FIT_ATOL);
    if (st != MT_OK)
        return st;
    mt_sim_clear_outputs(sim);
    for (size_t j = 0; j < no; j++)
        if ((st = mt_sim_add_output(sim, d->outputs[j], MT_REPORT_DEFAULT)) != MT_OK)
            return st;
    return MT_OK;
}

/* Inverts the symmetric positive definite n x n matrix a in place (Cholesky). 0 on success. */
static int spd_invert(double *a, size_t n)
{
    gsl_matrix_view m = gsl_matrix_view_array(a, n, n);
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    int f = gsl_linalg_cholesky_decomp1(&m.matrix);
    if (f == GSL_SUCCESS)
        f = gsl_linalg_cholesky_invert(&m.matrix);
    gsl_set_error_handler(old);
    return f == GSL_SUCCESS ? 0 : -1;
}

/* The Fisher information of the estimation-scale parameters at the current J: J'WJ + prior
 * precision; its condition number after scaling to unit diagonal; the parameters that a
 * singular direction involves are named in msg. 1 when identifiable. */
static int identifiable(fitctx *c, double *fim, double *cond, char *msg, size_t msg_len)
{
    size_t np = c->np;
    for (size_t i = 0; i < np; i++)
        for (size_t j = 0; j < np; j++) {
            double sum = 0;
            for (size_t k = 0; k < c->n; k++) {
                double s2 = !c->pb->out_sigma_add && c->pb->error == MT_ERR_ADDITIVE &&
                                    isnan(c->pb->sigma_add)
                                ? 1.0
                                : variance(c, c->s->obs[k].output, c->f[k], NULL, NULL, NULL);
                sum += c->J[k * np + i] * c->J[k * np + j] / s2;
            }
            fim[i * np + j] = sum;
        }
    if (c->Linv) /* prior precision Linv' Linv */
        for (size_t i = 0; i < np; i++)
            for (size_t j = 0; j < np; j++) {
                double sum = 0;
                for (size_t q = 0; q < np; q++)
                    sum += c->Linv[q * np + i] * c->Linv[q * np + j];
                fim[i * np + j] += sum;
            }
    for (size_t i = 0; i < np; i++)
        if (!(fim[i * np + i] > 0) || !isfinite(fim[i * np + i])) {
            snprintf(msg, msg_len,
                     "parameter '%s' is not identifiable: the predictions do not depend on it "
                     "at any observation",
                     c->pb->par[i].name);
            *cond = INFINITY;
            return 0;
        }
    gsl_matrix *m = gsl_matrix_alloc(np, np), *evec = gsl_matrix_alloc(np, np);
    gsl_vector *eval = gsl_vector_alloc(np);
    gsl_eigen_symmv_workspace *w = gsl_eigen_symmv_alloc(np);
    if (!m || !evec || !eval || !w) {
        gsl_matrix_free(m);
        gsl_matrix_free(evec);
        gsl_vector_free(eval);
        gsl_eigen_symmv_free(w);
        *cond = NAN;
        return 1;
    }
    for (size_t i = 0; i < np; i++)
        for (size_t j = 0; j < np; j++)
            gsl_matrix_set(m, i, j, fim[i * np + j] / sqrt(fim[i * np + i] * fim[j * np + j]));
    gsl_eigen_symmv(m, eval, evec, w);
    gsl_eigen_symmv_sort(eval, evec, GSL_EIGEN_SORT_VAL_ASC);
    double lmin = gsl_vector_get(eval, 0), lmax = gsl_vector_get(eval, np - 1);
    *cond = lmin > 0 ? lmax / lmin : INFINITY;
    int ok = *cond <= FIT_MAX_COND;
    if (!ok) {
        size_t len = (size_t)snprintf(msg, msg_len,
                                      "not identifiable from these data: the Fisher information "
                                      "is singular (condition number %.3g); the parameters ",
                                      *cond);
        int first = 1;
        for (size_t i = 0; i < np && len < msg_len; i++)
            if (fabs(gsl_matrix_get(evec, i, 0)) > 0.3) {
                len += (size_t)snprintf(msg + len, msg_len - len, "%s'%s'", first ? "" : ", ",
                                        c->pb->par[i].name);
                first = 0;
            }
        if (len < msg_len)
            snprintf(msg + len, msg_len - len,
                     " act together (only a combination of them is determined): fix one, add "
                     "a prior or add data");
    }
    gsl_matrix_free(m);
    gsl_matrix_free(evec);
    gsl_vector_free(eval);
    gsl_eigen_symmv_free(w);
    return ok;
}

static mt_fit_result *result_new(mt_ctx *ctx, size_t np, size_t n)
{
    mt_fit_result *r = mt_calloc(ctx, 1, sizeof *r);
    if (!r)
        return NULL;
    r->n_par = np;
    r->n_obs = n;
    r->est = mt_calloc(ctx, np, sizeof *r->est);
    r->u = mt_calloc(ctx, np, sizeof *r->u);
    r->se_u = mt_calloc(ctx, np, sizeof *r->se_u);
    r->se = mt_calloc(ctx, np, sizeof *r->se);
    r->cov_u = mt_calloc(ctx, np * np, sizeof *r->cov_u);
    r->corr = mt_calloc(ctx, np * np, sizeof *r->corr);
    r->pred = mt_calloc(ctx, n ? n : 1, sizeof *r->pred);
    if (!r->est || !r->u || !r->se_u || !r->se || !r->cov_u || !r->corr || !r->pred) {
        mt_fit_result_destroy(ctx, r);
        return NULL;
    }
    return r;
}

/* Starting values on the u scale: init, else the model's own value (read by a run). */
static mt_status start_values(fitctx *c, double *u)
{
    const mt_fit_problem *pb = c->pb;
    for (size_t i = 0; i < c->np; i++) {
        const mt_fit_param *p = &pb->par[i];
        double th = p->init;
        if (isnan(th)) {
            /* the model's value: a run with this parameter as output at t0 */
            mt_status st = set_subject(c);
            if (st != MT_OK)
                return st;
            mt_sim_clear_outputs(c->sim);
            if ((st = mt_sim_add_output(c->sim, p->name, MT_REPORT_DEFAULT)) != MT_OK)
                return st;
            mt_result *r = NULL;
            st = mt_sim_run(c->sim, c->d->t0, c->d->t0, 0, &r);
            if (st != MT_OK)
                return st;
            th = mt_result_value(r, 0, 0);
            mt_result_destroy(r);
        }
        if (!isfinite(th) || (p->log && !(th > 0)))
            return mt_error(c->ctx, MT_EINVAL,
                            "parameter '%s': starting value %g is not %s (give --init %s=VALUE)",
                            p->name, th, p->log ? "positive (log scale)" : "finite", p->name);
        u[i] = p->log ? log(th) : th;
        if (u[i] <= c->lo[i] || u[i] >= c->hi[i])
            return mt_error(c->ctx, MT_EINVAL,
                            "parameter '%s': starting value %g is not inside its bounds", p->name,
                            th);
    }
    mt_sim_clear_outputs(c->sim);
    for (size_t j = 0; j < c->d->n_outputs; j++) {
        mt_status st = mt_sim_add_output(c->sim, c->d->outputs[j], MT_REPORT_DEFAULT);
        if (st != MT_OK)
            return st;
    }
    return MT_OK;
}

/* The least-squares path. */
static mt_status run_ls(fitctx *c, double *v, mt_fit_result *r)
{
    size_t np = c->np, nres = c->n + (c->Linv ? np : 0);
    gsl_multifit_nlinear_parameters par = gsl_multifit_nlinear_default_parameters();
    par.trs = gsl_multifit_nlinear_trs_lm;
    gsl_multifit_nlinear_workspace *w =
        gsl_multifit_nlinear_alloc(gsl_multifit_nlinear_trust, &par, nres, np);
    if (!w)
        return mt_error(c->ctx, MT_ENOMEM, "out of memory");
    gsl_multifit_nlinear_fdf fdf = {ls_f, ls_df, NULL, nres, np, c, 0, 0, 0};
    gsl_vector_view x0 = gsl_vector_view_array(v, np);
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    int info = 0;
    int f = gsl_multifit_nlinear_init(&x0.vector, &fdf, w);
    if (f == GSL_SUCCESS)
        f = gsl_multifit_nlinear_driver((size_t)(c->pb->max_iter > 0 ? c->pb->max_iter : 200),
                                        1e-10, 1e-10, 0.0, NULL, NULL, &info, w);
    gsl_set_error_handler(old);
    r->iterations = (int)gsl_multifit_nlinear_niter(w);
    memcpy(v, gsl_multifit_nlinear_position(w)->data, np * sizeof *v);
    gsl_multifit_nlinear_free(w);
    if (f == GSL_EMAXITER) {
        r->status = MT_FIT_NOT_CONVERGED;
        snprintf(r->message, sizeof r->message,
                 "not converged after %d iterations (raise --max-iter or give better --init)",
                 r->iterations);
    } else if (f != GSL_SUCCESS) {
        r->status = MT_FIT_NOT_CONVERGED;
        snprintf(r->message, sizeof r->message, "not converged: %s", gsl_strerror(f));
    } else {
        r->status = MT_FIT_CONVERGED;
        snprintf(r->message, sizeof r->message, "converged (%s) after %d iterations",
                 info == 1   ? "small step"
                 : info == 2 ? "small gradient"
                             : "small change",
                 r->iterations);
    }
    return MT_OK;
}

/* The general path. x holds v then the log error parameters. */
/* The expected information (Fisher scoring) of the general objective in x = [v, log a,
 * log b] at the current predictions and J: for a quantified observation y ~ N(f, s2(f)) the
 * expected Hessian of -2 log L is 2 (1/s2 + s2_f^2 / (2 s2^2)) f_x f_x' plus the error
 * parameters' terms s2_e s2_e' / s2^2; an observation below the LLOQ adds the outer product of
 * its gradient (BHHH); the prior adds 2 Omega^-1. F: nx x nx. */
static void scoring_matrix(const fitctx *c, const double *x, size_t nx, double *F)
{
    size_t np = c->np;
    memset(F, 0, nx * nx * sizeof *F);
    double gx[66], dv[64];
    for (size_t i = 0; i < np; i++)
        dv[i] = dudv(c, i, x[i]);
    for (size_t k = 0; k < c->n; k++) {
        const mt_fit_obs *o = &c->s->obs[k];
        double f = c->f[k], s2f, s2a, s2b;
        double s2 = variance(c, o->output, f, &s2f, &s2a, &s2b);
        /* the derivative of f and of s2 along each x */
        double fx[66], sx[66];
        for (size_t i = 0; i < np; i++) {
            fx[i] = c->J[k * np + i] * dv[i];
            sx[i] = s2f * fx[i];
        }
        size_t q = np;
        if (c->est_a) {
            fx[q] = 0;
            sx[q++] = s2a;
        }
        if (c->est_b) {
            fx[q] = 0;
            sx[q++] = s2b;
        }
        if (o->blq) {
            double g_f, g_s2;
            (void)obs_term(o, f, s2, &g_f, &g_s2);
            for (size_t i = 0; i < nx; i++)
                gx[i] = g_f * fx[i] + g_s2 * sx[i];
            for (size_t i = 0; i < nx; i++)
                for (size_t j = 0; j < nx; j++)
                    F[i * nx + j] += 0.5 * gx[i] * gx[j];
        } else {
            for (size_t i = 0; i < nx; i++)
                for (size_t j = 0; j < nx; j++)
                    F[i * nx + j] += 2 * fx[i] * fx[j] / s2 + sx[i] * sx[j] / (s2 * s2);
        }
    }
    if (c->Linv)
        for (size_t i = 0; i < np; i++)
            for (size_t j = 0; j < np; j++) {
                double sum = 0;
                for (size_t q = 0; q < np; q++)
                    sum += c->Linv[q * np + i] * c->Linv[q * np + j];
                F[i * nx + j] += 2 * sum * dv[i] * dv[j];
            }
}

/* The scoring step: solves (F + lambda diag F + 1e-12 (1 + diag F)) step = g (lambda 0: the
 * undamped step; a non-positive diagonal entry is damped as 1). 0 on success, -1 when the
 * matrix is not positive definite. */
static int scoring_step(const double *F, size_t nx, double lambda, double *g, double *step)
{
    double A[66 * 66];
    memcpy(A, F, nx * nx * sizeof *A);
    for (size_t i = 0; i < nx; i++) {
        double d = F[i * nx + i];
        A[i * nx + i] += lambda * (d > 0 ? d : 1) + 1e-12 * (1 + d);
    }
    gsl_matrix_view Am = gsl_matrix_view_array(A, nx, nx);
    gsl_vector_view gv = gsl_vector_view_array(g, nx), sv = gsl_vector_view_array(step, nx);
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    int fl = gsl_linalg_cholesky_decomp1(&Am.matrix);
    if (fl == GSL_SUCCESS)
        fl = gsl_linalg_cholesky_solve(&Am.matrix, &gv.vector, &sv.vector);
    gsl_set_error_handler(old);
    return fl == GSL_SUCCESS ? 0 : -1;
}

/* The general path: Levenberg-Marquardt on Fisher scoring (step (F + lambda diag F)^-1 g,
 * accepted when the objective falls), one sensitivity run per iteration. x holds v then the
 * log error parameters. Converged when the Newton decrement g' F^-1 g / 2 (the objective's
 * expected distance from its minimum) is below 1e-12 (1 + |objective|) (1e-6 after 50
 * iterations); near the minimum, steps whose change of the objective is below the solver's
 * rounding are taken (at most 20 in a row). */
static mt_status run_general(fitctx *c, double *x, size_t nx, mt_fit_result *r)
{
    double F[66 * 66], g[66], step[66], xt[66];
    gsl_vector *gv = gsl_vector_alloc(nx);
    if (!gv)
        return mt_error(c->ctx, MT_ENOMEM, "out of memory");
    gsl_vector_view xv = gsl_vector_view_array(x, nx);
    double obj = gen_fdf(&xv.vector, c, gv), lambda = 1e-3, dec = INFINITY, hist[10];
    int max_iter = c->pb->max_iter > 0 ? c->pb->max_iter : 200, it = 0, done = 0, stalled = 0;
    for (size_t i = 0; i < 10; i++)
        hist[i] = INFINITY;
    while (!done && it < max_iter && isfinite(obj)) {
        it++;
        memcpy(g, gv->data, nx * sizeof *g);
        scoring_matrix(c, x, nx, F);
        /* the Newton decrement with the scoring matrix */
        if (scoring_step(F, nx, 0, g, step) == 0) {
            dec = 0;
            for (size_t i = 0; i < nx; i++)
                dec += 0.5 * g[i] * step[i];
            /* converged: a small decrement; a moderately small one after 50 iterations; or
             * creeping: over the last 10 iterations the objective fell by less than 1e-7 of
             * itself while the decrement says it is within 1e-5 of its minimum (a weakly
             * determined direction where scoring converges only linearly) */
            int creeping = it > 10 && hist[it % 10] - obj < 1e-7 * (1 + fabs(obj)) &&
                           dec < 1e-5 * (1 + fabs(obj));
            hist[it % 10] = obj;
            if (dec < 1e-12 * (1 + fabs(obj)) || (it > 50 && dec < 1e-6 * (1 + fabs(obj))) ||
                creeping) {
                for (size_t i = 0; i < nx; i++) /* the last, undamped step */
                    x[i] -= step[i];
                done = 1;
                break;
            }
        }
        /* a step that lowers the objective: raise lambda until one does */
        int accepted = 0;
        for (int tries = 0; tries < 30 && !accepted; tries++) {
            if (scoring_step(F, nx, lambda, g, step) != 0) {
                lambda *= 10;
                continue;
            }
            for (size_t i = 0; i < nx; i++)
                xt[i] = x[i] - step[i];
            gsl_vector_view xtv = gsl_vector_view_array(xt, nx);
            double ot = gen_fdf(&xtv.vector, c, NULL);
            /* near the minimum the objective's changes sink below the solver's rounding: a
             * step within that noise is taken (the decrement, from the gradient, still
             * guides), but only a limited number of times in a row */
            double noise = 1e-11 * (1 + fabs(obj));
            if (isfinite(ot) && ot <= obj + noise) {
                accepted = 1;
                stalled = obj - ot < noise ? stalled + 1 : 0;
                memcpy(x, xt, nx * sizeof *x);
                /* the gain against the quadratic model's g's - s'Fs/2: a poor ratio (an
                 * overshoot where the expected information underrates the curvature) damps
                 * the next step, a good one frees it */
                double pred = 0;
                for (size_t i = 0; i < nx; i++) {
                    double fs = 0;
                    for (size_t j = 0; j < nx; j++)
                        fs += F[i * nx + j] * step[j];
                    pred += g[i] * step[i] - 0.5 * step[i] * fs;
                }
                double rho = pred > 0 ? (obj - ot) / pred : 1;
                if (rho > 0.75)
                    lambda = fmax(lambda / 10, 1e-9);
                else if (rho < 0.25)
                    lambda *= 4;
            } else {
                lambda *= 10;
            }
        }
        if (!accepted || stalled > 20) {
            done = dec < 1e-6 * (1 + fabs(obj)) ? 1 : -1;
            if (done == 1) {
                /* the objective's rounding (the solver's tolerance) hides the last digits: one
                 * undamped scoring step from here, where the quadratic model is accurate */
                (void)gen_fdf(&xv.vector, c, gv);
                memcpy(g, gv->data, nx * sizeof *g);
                scoring_matrix(c, x, nx, F);
                if (scoring_step(F, nx, 0, g, step) == 0)
                    for (size_t i = 0; i < nx; i++)
                        x[i] -= step[i];
            }
            break;
        }
        obj = gen_fdf(&xv.vector, c, gv);
        /* an error parameter on its way to 0: a boundary (or an unbounded likelihood), judged
         * by the caller; iterating on would only shrink it further */
        if ((c->est_a && c->a < 1e-9 * c->yscale) || (c->est_b && c->b < 1e-9)) {
            done = 1;
            dec = 0;
            break;
        }
    }
    gsl_vector_free(gv);
    r->iterations = it;
    if (done == 1) {
        r->status = MT_FIT_CONVERGED;
        snprintf(r->message, sizeof r->message,
                 "converged after %d iterations (Newton decrement %.2g)", it, dec);
    } else {
        r->status = MT_FIT_NOT_CONVERGED;
        snprintf(r->message, sizeof r->message,
                 "not converged after %d iterations: %s (Newton decrement %.3g)", it,
                 done == -1 ? "no step lowers the objective" : "iteration limit", dec);
    }
    return MT_OK;
}

/* Hessian of the general objective in x by central differences of its gradient (with v
 * replaced by u: the covariance is on the u scale). */
static mt_status general_hessian(fitctx *c, const double *xu, size_t nx, double *H)
{
    /* on the u scale: temporarily drop the bounds (u = v) */
    double *lo = c->lo, *hi = c->hi;
    double *inf_lo = mt_calloc(c->ctx, c->np, sizeof *inf_lo);
    double *inf_hi = mt_calloc(c->ctx, c->np, sizeof *inf_hi);
    gsl_vector *x = gsl_vector_alloc(nx), *gp = gsl_vector_alloc(nx), *gm = gsl_vector_alloc(nx);
    mt_status st = MT_OK;
    if (!inf_lo || !inf_hi || !x || !gp || !gm) {
        st = mt_error(c->ctx, MT_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < c->np; i++) {
        inf_lo[i] = -INFINITY;
        inf_hi[i] = INFINITY;
    }
    c->lo = inf_lo;
    c->hi = inf_hi;
    for (size_t j = 0; j < nx; j++) {
        double h = 1e-4 * (1.0 + fabs(xu[j]));
        memcpy(x->data, xu, nx * sizeof *xu);
        x->data[j] = xu[j] + h;
        gen_df(x, c, gp);
        x->data[j] = xu[j] - h;
        gen_df(x, c, gm);
        for (size_t i = 0; i < nx; i++)
            H[i * nx + j] = (gp->data[i] - gm->data[i]) / (2 * h);
    }
    for (size_t i = 0; i < nx; i++)
        for (size_t j = 0; j < i; j++)
            H[i * nx + j] = H[j * nx + i] = 0.5 * (H[i * nx + j] + H[j * nx + i]);
out:
    c->lo = lo;
    c->hi = hi;
    mt_free(c->ctx, inf_lo);
    mt_free(c->ctx, inf_hi);
    gsl_vector_free(x);
    gsl_vector_free(gp);
    gsl_vector_free(gm);
    return st;
}

mt_status mt_fit_subject_run(mt_ctx *ctx, mt_sim *sim, const mt_fit_problem *pb,
                             const mt_fit_data *d, size_t subject, mt_fit_result **out)
{
    *out = NULL;
    fitctx c;
    mt_status st = ctx_init(&c, ctx, sim, pb, d, subject);
    mt_fit_result *r = NULL;
    double *H = NULL, *fim = NULL;
    if (st != MT_OK)
        goto done;
    size_t np = c.np, n = c.n;
    if (!(r = result_new(ctx, np, n))) {
        st = mt_error(ctx, MT_ENOMEM, "out of memory");
        goto done;
    }
    double u[64], x[66];
    if ((st = start_values(&c, u)) != MT_OK)
        goto done;
    for (size_t i = 0; i < np; i++)
        x[i] = v_of_u(&c, i, u[i]);
    int any_blq = 0;
    for (size_t k = 0; k < n; k++)
        any_blq |= c.s->obs[k].blq;
    int per_out = pb->out_sigma_add != NULL;
    for (size_t k = 0; k < n; k++)
        c.yscale = fmax(c.yscale, fabs(c.s->obs[k].value));
    int ls = !per_out && pb->error == MT_ERR_ADDITIVE && !any_blq &&
             (isnan(pb->sigma_add) ? !c.Linv : 1);
    c.est_a = !per_out && pb->error != MT_ERR_PROPORTIONAL && isnan(pb->sigma_add);
    c.est_b = !per_out && pb->error != MT_ERR_ADDITIVE && isnan(pb->sigma_prop);
    c.a = isnan(pb->sigma_add) ? 1.0 : pb->sigma_add;
    c.b = isnan(pb->sigma_prop) ? 0.1 : pb->sigma_prop;
    for (size_t j = 0; per_out && j < d->n_outputs; j++)
        if (!(pb->out_sigma_add[j] >= 0) || !(pb->out_sigma_prop[j] >= 0) ||
            !(pb->out_sigma_add[j] + pb->out_sigma_prop[j] > 0)) {
            st = mt_error(ctx, MT_EINVAL, "the residual error of '%s' is not positive",
                          d->outputs[j]);
            goto done;
        }
    if (!per_out &&
        ((pb->error != MT_ERR_PROPORTIONAL && !isnan(pb->sigma_add) && !(pb->sigma_add > 0)) ||
         (pb->error != MT_ERR_ADDITIVE && !isnan(pb->sigma_prop) && !(pb->sigma_prop > 0)))) {
        st = mt_error(ctx, MT_EINVAL, "the residual error SD/CV must be positive");
        goto done;
    }
    size_t nx = np;
    if (ls) {
        if ((st = run_ls(&c, x, r)) != MT_OK)
            goto done;
    } else {
        if (c.est_a) {
            /* a start for the additive SD: the observations' spread / 10 */
            double m = 0;
            for (size_t k = 0; k < n; k++)
                m += fabs(c.s->obs[k].value) / (double)n;
            c.a = m > 0 ? m / 10 : 1.0;
            x[nx++] = log(c.a);
        }
        if (c.est_b)
            x[nx++] = log(c.b);
        if ((st = run_general(&c, x, nx, r)) != MT_OK)
            goto done;
        set_error_params(&c, x);
    }
    for (size_t i = 0; i < np; i++) {
        r->u[i] = u_of_v(&c, i, x[i]);
        r->est[i] = natural(&pb->par[i], r->u[i]);
    }
    if (r->status == MT_FIT_FAILED) {
        st = MT_OK;
        goto done;
    }
    /* at the estimate: predictions, sensitivities, the objective */
    if ((st = predict(&c, r->u, 1)) != MT_OK) {
        r->status = MT_FIT_FAILED;
        snprintf(r->message, sizeof r->message, "the model could not be solved at the estimate: %s",
                 mt_errmsg(ctx));
        st = MT_OK;
        goto done;
    }
    memcpy(r->pred, c.f, n * sizeof *r->pred);
    double ssr = 0;
    size_t n_q = 0;
    for (size_t k = 0; k < n; k++)
        if (!c.s->obs[k].blq) {
            double e = c.s->obs[k].value - c.f[k];
            ssr += e * e;
            n_q++;
        }
    r->ssr = ssr;
    if (ls && isnan(pb->sigma_add))
        c.a = n_q > np ? sqrt(ssr / (double)(n_q - np)) : NAN;
    r->sigma_add = per_out ? pb->out_sigma_add[0] : pb->error == MT_ERR_PROPORTIONAL ? 0 : c.a;
    r->sigma_prop = per_out ? pb->out_sigma_prop[0] : pb->error == MT_ERR_ADDITIVE ? 0 : c.b;
    r->sigma_add_estimated = c.est_a || (ls && isnan(pb->sigma_add));
    r->sigma_prop_estimated = c.est_b;
    r->objective = neg2ll(&c, NULL, NULL, NULL) + prior_term(&c, r->u, NULL);
    /* degenerate likelihoods: a zero variance where the model predicts 0 (proportional
     * error), or an estimated SD that collapsed onto an exactly fitted observation */
    for (size_t k = 0; k < n && !per_out && pb->error == MT_ERR_PROPORTIONAL; k++)
        if (!c.s->obs[k].blq && !(fabs(c.f[k]) > 0)) {
            r->status = MT_FIT_FAILED;
            snprintf(r->message, sizeof r->message,
                     "observation at t=%g is %g where the model predicts 0: a proportional error "
                     "model gives it probability 0 (use --error combined, or leave the record "
                     "out)",
                     c.s->obs[k].time, c.s->obs[k].value);
            goto done;
        }
    double yscale = c.yscale;
    /* the combined model's proportional part at 0 is a boundary estimate (the additive model
     * suffices), not a degenerate likelihood: the covariance is then that of the additive
     * model at the estimated SD */
    if (pb->error == MT_ERR_COMBINED && c.est_b && c.b < 1e-6 && c.a >= 1e-6 * yscale) {
        c.est_b = 0;
        c.b = 0;
        nx--;
        r->sigma_prop = 0;
        r->sigma_prop_estimated = 1;
        size_t len = strlen(r->message);
        snprintf(r->message + len, sizeof r->message - len,
                 "; the proportional error is estimated at its bound 0 (the additive part "
                 "explains the scatter)");
    }
    if ((c.est_a && !ls && c.a < 1e-6 * yscale) || (c.est_b && c.b < 1e-6)) {
        r->status = MT_FIT_NOT_CONVERGED;
        snprintf(r->message, sizeof r->message,
                 "the residual error collapsed to zero (%s %.3g): an observation the model fits "
                 "exactly (such as a zero before the first dose) makes the likelihood unbounded; "
                 "fix the error (--sigma-add/--sigma-prop) or leave such records out",
                 c.est_a && c.a < 1e-6 * yscale ? "additive SD" : "proportional CV",
                 c.est_a && c.a < 1e-6 * yscale ? c.a : c.b);
        for (size_t i = 0; i < np; i++)
            r->se_u[i] = r->se[i] = NAN;
        goto done;
    }
    /* identifiability */
    fim = mt_calloc(ctx, np * np, sizeof *fim);
    H = mt_calloc(ctx, (np + 2) * (np + 2), sizeof *H);
    if (!fim || !H) {
        st = mt_error(ctx, MT_ENOMEM, "out of memory");
        goto done;
    }
    char msg[sizeof r->message];
    if (!identifiable(&c, fim, &r->cond, msg, sizeof msg)) {
        r->status = MT_FIT_UNIDENTIFIABLE;
        snprintf(r->message, sizeof r->message, "%s", msg);
        for (size_t i = 0; i < np; i++)
            r->se_u[i] = r->se[i] = NAN;
        st = MT_OK;
        goto done;
    }
    /* covariance on the u scale */
    if (ls) {
        memcpy(r->cov_u, fim, np * np * sizeof *fim);
        if (spd_invert(r->cov_u, np) != 0)
            goto singular;
        double s2 = isnan(pb->sigma_add) ? c.a * c.a : 1.0;
        for (size_t i = 0; i < np * np; i++)
            r->cov_u[i] *= s2;
    } else {
        double xu[66];
        memcpy(xu, r->u, np * sizeof *xu);
        size_t q = np;
        if (c.est_a)
            xu[q++] = log(c.a);
        if (c.est_b)
            xu[q++] = log(c.b);
        c.err = MT_OK;
        if ((st = general_hessian(&c, xu, nx, H)) != MT_OK)
            goto done;
        if (c.err != MT_OK) {
            r->status = MT_FIT_FAILED;
            snprintf(r->message, sizeof r->message, "the model could not be solved: %s", c.errmsg);
            goto done;
        }
        for (size_t i = 0; i < nx * nx; i++)
            H[i] *= 0.5; /* the objective is -2 log L */
        if (spd_invert(H, nx) != 0)
            goto singular;
        for (size_t i = 0; i < np; i++)
            for (size_t j = 0; j < np; j++)
                r->cov_u[i * np + j] = H[i * nx + j];
        set_error_params(&c, xu);
    }
    for (size_t i = 0; i < np; i++) {
        r->se_u[i] = sqrt(r->cov_u[i * np + i]);
        r->se[i] = pb->par[i].log ? r->est[i] * r->se_u[i] : r->se_u[i];
    }
    for (size_t i = 0; i < np; i++)
        for (size_t j = 0; j < np; j++)
            r->corr[i * np + j] = r->cov_u[i * np + j] / (r->se_u[i] * r->se_u[j]);
    goto done;
singular:
    r->status = MT_FIT_UNIDENTIFIABLE;
    snprintf(r->message, sizeof r->message,
             "the curvature of the objective at the estimate is singular: the parameters are "
             "not identifiable from these data");
    for (size_t i = 0; i < np; i++)
        r->se_u[i] = r->se[i] = NAN;
done:
    mt_free(ctx, H);
    mt_free(ctx, fim);
    mt_sim_clear_values(sim);
    ctx_free(&c);
    if (st != MT_OK) {
        mt_fit_result_destroy(ctx, r);
        return st;
    }
    *out = r;
    return MT_OK;
}

mt_status mt_fit_objective(mt_ctx *ctx, mt_sim *sim, const mt_fit_problem *pb, const mt_fit_data *d,
                           size_t subject, const double *u, double *objective)
{
    fitctx c;
    mt_status st = ctx_init(&c, ctx, sim, pb, d, subject);
    if (st == MT_OK && !pb->out_sigma_add &&
        ((pb->error != MT_ERR_PROPORTIONAL && isnan(pb->sigma_add)) ||
         (pb->error != MT_ERR_ADDITIVE && isnan(pb->sigma_prop))))
        st = mt_error(ctx, MT_EINVAL, "the objective needs fixed error parameters");
    if (st == MT_OK) {
        c.a = pb->sigma_add;
        c.b = pb->sigma_prop;
        st = predict(&c, u, 0);
    }
    if (st == MT_OK)
        *objective = neg2ll(&c, NULL, NULL, NULL) + prior_term(&c, u, NULL);
    mt_sim_clear_values(sim);
    ctx_free(&c);
    return st;
}

mt_status mt_fit_predict(mt_ctx *ctx, mt_sim *sim, const mt_fit_problem *pb, const mt_fit_data *d,
                         size_t subject, const double *est, const double *times, size_t n_times,
                         double *pred)
{
    if (subject >= d->n_subjects)
        return mt_error(ctx, MT_EINVAL, "no subject %zu", subject);
    const mt_fit_subject *s = &d->subjects[subject];
    mt_sim_clear_values(sim);
    mt_status st = MT_OK;
    for (size_t k = 0; k < s->n_cov && st == MT_OK; k++)
        st = mt_sim_set_value_at(sim, s->cov_index[k], s->cov_value[k]);
    for (size_t i = 0; i < pb->n_par && st == MT_OK; i++) {
        int idx = mt_sim_find(sim, pb->par[i].name);
        st = idx >= 0 ? mt_sim_set_value_at(sim, idx, est[i])
                      : mt_error(ctx, MT_EINVAL, "parameter '%s' cannot be set", pb->par[i].name);
    }
    mt_sim_clear_outputs(sim);
    for (size_t j = 0; j < d->n_outputs && st == MT_OK; j++)
        st = mt_sim_add_output(sim, d->outputs[j], MT_REPORT_DEFAULT);
    mt_result *r = NULL;
    if (st == MT_OK)
        st = mt_sim_run_doses(sim, d->t0, s->doses, s->n_doses, times, n_times, &r);
    if (st == MT_OK)
        for (size_t k = 0; k < n_times; k++)
            for (size_t j = 0; j < d->n_outputs; j++)
                pred[k * d->n_outputs + j] = mt_result_value(r, k, j);
    mt_result_destroy(r);
    mt_sim_clear_values(sim);
    return st;
}
