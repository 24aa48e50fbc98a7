/* SPDX-License-Identifier: Apache-2.0
 *
 * fit/mipd.c — a population-PK twin (medtwin/mipd.h): the card's SBML model with the patient's
 * typical values, the random effects' prior, the MAP fit through fit/fit.c, posterior draws
 * (Laplace, and sampling-importance-resampling as a check) and simulation under a regimen.
 */
#include "medtwin/mipd.h"
#include "fit/fit_internal.h"
#include "medtwin/model.h"
#include "medtwin/rng.h"
#include "util/util.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct mt_mipd {
    mt_ctx *ctx;
    const mt_poppk *card;
    mt_model *model;
    mt_program *prog;
    mt_sim *sim;
    size_t n_par;    /* card parameters */
    double *theta;   /* typical values of every card parameter */
    size_t n_eta;    /* parameters with IIV */
    int *eta_par;    /* their card indices */
    double *omega;   /* n_eta x n_eta */
    int *sim_idx;    /* sim index of every card parameter */
    int dose_target; /* state index */
    int has_inr;
    double err_add[2], err_prop[2]; /* residual error: Cc, INR */
    double out_add[2], out_prop[2]; /* the same in the order of the fit data's outputs */
    /* the last fit's data (for SIR) */
    mt_fit_data *data;
    mt_fit_param *fpar;
    mt_fit_problem pb;
    double *prior_cov;
};

const mt_poppk *mt_mipd_card(const mt_mipd *m) { return m->card; }
mt_ctx *mt_mipd_ctx_(const mt_mipd *m) { return m->ctx; }
size_t mt_mipd_n_eta(const mt_mipd *m) { return m->n_eta; }
const char *mt_mipd_eta_name(const mt_mipd *m, size_t i)
{
    return i < m->n_eta ? mt_poppk_param_name(m->card, (size_t)m->eta_par[i]) : NULL;
}
double mt_mipd_typical(const mt_mipd *m, size_t i)
{
    return i < m->n_eta ? m->theta[m->eta_par[i]] : NAN;
}
const double *mt_mipd_omega(const mt_mipd *m) { return m->omega; }
int mt_mipd_has_inr(const mt_mipd *m) { return m->has_inr; }

static void free_fit(mt_mipd *m)
{
    mt_fit_data_destroy(m->ctx, m->data);
    m->data = NULL;
    mt_free(m->ctx, m->fpar);
    m->fpar = NULL;
    mt_free(m->ctx, m->prior_cov);
    m->prior_cov = NULL;
}

void mt_mipd_destroy(mt_mipd *m)
{
    if (!m)
        return;
    free_fit(m);
    mt_sim_destroy(m->sim);
    mt_program_destroy(m->prog);
    mt_model_destroy(m->model);
    mt_free(m->ctx, m->theta);
    mt_free(m->ctx, m->eta_par);
    mt_free(m->ctx, m->omega);
    mt_free(m->ctx, m->sim_idx);
    mt_free(m->ctx, m);
}

void mt_mipd_posterior_free(mt_ctx *ctx, mt_mipd_posterior *p)
{
    if (!p)
        return;
    mt_free(ctx, p->u);
    mt_free(ctx, p->cov);
    mt_free(ctx, p->theta);
    memset(p, 0, sizeof *p);
}

/* The card's residual error of an observable as add^2 + (prop f)^2 (an exponential error is
 * taken as proportional: the same to first order). */
static mt_status residual(mt_mipd *m, const char *obs, double *add, double *prop)
{
    mt_poppk_residual r;
    mt_status st = mt_poppk_residual_get(m->card, obs, &r);
    if (st != MT_OK)
        return mt_error(m->ctx, st, "%s: the card has no residual error for %s",
                        mt_poppk_drug(m->card), obs);
    *add = isfinite(r.additive_sd) && r.additive_sd > 0 ? r.additive_sd : 0;
    *prop = isfinite(r.proportional_cv) && r.proportional_cv > 0 ? r.proportional_cv : 0;
    if (!(*add + *prop > 0))
        return mt_error(m->ctx, MT_EINVAL, "%s: the residual error of %s is zero",
                        mt_poppk_drug(m->card), obs);
    return MT_OK;
}

mt_status mt_mipd_create(mt_ctx *ctx, const mt_poppk *card, const mt_poppk_covariates *cov,
                         mt_mipd **out)
{
    *out = NULL;
    mt_mipd *m = mt_calloc(ctx, 1, sizeof *m);
    if (!m)
        return mt_error(ctx, MT_ENOMEM, "out of memory");
    m->ctx = ctx;
    m->card = card;
    m->n_par = mt_poppk_n_params(card);
    size_t np = m->n_par;
    m->theta = mt_calloc(ctx, np + 1, sizeof *m->theta);
    m->eta_par = mt_calloc(ctx, np + 1, sizeof *m->eta_par);
    m->sim_idx = mt_calloc(ctx, np + 1, sizeof *m->sim_idx);
    double *om = mt_calloc(ctx, np * np + 1, sizeof *om);
    char *xml = NULL;
    mt_status st = MT_OK;
    if (!m->theta || !m->eta_par || !m->sim_idx || !om) {
        st = mt_error(ctx, MT_ENOMEM, "out of memory");
        goto fail;
    }
    if ((st = mt_poppk_typical(ctx, card, cov, m->theta)) != MT_OK)
        goto fail;
    mt_poppk_omega(card, om);
    for (size_t i = 0; i < np; i++)
        if (om[i * np + i] > 0)
            m->eta_par[m->n_eta++] = (int)i;
    m->omega = mt_calloc(ctx, m->n_eta * m->n_eta + 1, sizeof *m->omega);
    if (!m->omega) {
        st = mt_error(ctx, MT_ENOMEM, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < m->n_eta; i++)
        for (size_t j = 0; j < m->n_eta; j++)
            m->omega[i * m->n_eta + j] = om[(size_t)m->eta_par[i] * np + (size_t)m->eta_par[j]];
    if ((st = mt_poppk_sbml(ctx, card, &xml)) != MT_OK ||
        (st = mt_model_load_string(ctx, xml, strlen(xml), NULL, &m->model)) != MT_OK ||
        (st = mt_program_create(ctx, m->model, &m->prog)) != MT_OK ||
        (st = mt_sim_create(ctx, m->prog, &m->sim)) != MT_OK)
        goto fail;
    for (size_t i = 0; i < np; i++) {
        m->sim_idx[i] = mt_sim_find(m->sim, mt_poppk_param_name(card, i));
        if (m->sim_idx[i] < 0) {
            st = mt_error(ctx, MT_EINVAL, "%s: parameter %s is not in the card's model",
                          mt_poppk_drug(card), mt_poppk_param_name(card, i));
            goto fail;
        }
    }
    m->dose_target = mt_sim_find_dose_target(m->sim, mt_poppk_dose_target(card));
    if (m->dose_target < 0) {
        st = mt_error(ctx, MT_EINVAL, "%s: the dose target %s is not a state", mt_poppk_drug(card),
                      mt_poppk_dose_target(card));
        goto fail;
    }
    m->has_inr = mt_poppk_pd(card) != NULL && mt_sim_symbol_dynamic(m->sim, "INR") > 0;
    if ((st = residual(m, "Cc", &m->err_add[0], &m->err_prop[0])) != MT_OK)
        goto fail;
    if (m->has_inr && (st = residual(m, "INR", &m->err_add[1], &m->err_prop[1])) != MT_OK)
        goto fail;
    free(xml);
    mt_free(ctx, om);
    *out = m;
    return MT_OK;
fail:
    free(xml);
    mt_free(ctx, om);
    mt_mipd_destroy(m);
    return st;
}

/* The doses as the simulator's (sorted by time), in *out (mt_free). */
static mt_status sim_doses(mt_mipd *m, const mt_mipd_dose *doses, size_t n, mt_sim_dose **out)
{
    *out = mt_calloc(m->ctx, n ? n : 1, sizeof **out);
    if (!*out)
        return mt_error(m->ctx, MT_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const mt_mipd_dose *d = &doses[i];
        if (!(d->amount_mg > 0) || !isfinite(d->amount_mg) || !isfinite(d->time_h) ||
            !(d->duration_h >= 0) || !isfinite(d->duration_h)) {
            mt_free(m->ctx, *out);
            *out = NULL;
            return mt_error(m->ctx, MT_EINVAL,
                            "dose %zu: amount %g mg at %g h over %g h is not a positive dose at a "
                            "finite time",
                            i + 1, d->amount_mg, d->time_h, d->duration_h);
        }
        size_t k = i;
        while (k > 0 && (*out)[k - 1].time > d->time_h) {
            (*out)[k] = (*out)[k - 1];
            k--;
        }
        (*out)[k] = (mt_sim_dose){d->time_h, m->dose_target, d->amount_mg, d->duration_h};
    }
    return MT_OK;
}

/* Sets every card parameter: the typical values, the random effects from u (NULL: typical). */
static mt_status set_params(mt_mipd *m, const double *u)
{
    mt_sim_clear_values(m->sim);
    for (size_t i = 0; i < m->n_par; i++) {
        mt_status st = mt_sim_set_value_at(m->sim, m->sim_idx[i], m->theta[i]);
        if (st != MT_OK)
            return st;
    }
    for (size_t i = 0; u && i < m->n_eta; i++) {
        mt_status st = mt_sim_set_value_at(m->sim, m->sim_idx[m->eta_par[i]], exp(u[i]));
        if (st != MT_OK)
            return st;
    }
    return MT_OK;
}

mt_status mt_mipd_simulate(mt_mipd *m, const double *u, const mt_mipd_dose *doses, size_t n_doses,
                           const double *times, size_t n_times, double *conc, double *inr)
{
    mt_sim_dose *sd = NULL;
    mt_status st = sim_doses(m, doses, n_doses, &sd);
    if (st != MT_OK)
        return st;
    double t0 = n_doses ? sd[0].time : times[0];
    if (n_times && times[0] < t0)
        t0 = times[0];
    int want_inr = inr && m->has_inr;
    mt_sim_clear_outputs(m->sim);
    mt_result *r = NULL;
    if ((st = set_params(m, u)) == MT_OK &&
        (st = mt_sim_add_output(m->sim, "Cc", MT_REPORT_DEFAULT)) == MT_OK &&
        (!want_inr || (st = mt_sim_add_output(m->sim, "INR", MT_REPORT_DEFAULT)) == MT_OK) &&
        (st = mt_sim_set_tolerances(m->sim, 1e-8, 1e-10)) == MT_OK)
        st = mt_sim_run_doses(m->sim, t0, sd, n_doses, times, n_times, &r);
    if (st == MT_OK)
        for (size_t k = 0; k < n_times; k++) {
            conc[k] = mt_result_value(r, k, 0);
            if (want_inr)
                inr[k] = mt_result_value(r, k, 1);
        }
    mt_result_destroy(r);
    mt_free(m->ctx, sd);
    return st;
}

/* The fit data of one subject from doses and levels (built through the CSV reader, so the
 * data follow exactly the path of `medtwin fit`). */
static mt_status make_data(mt_mipd *m, const mt_mipd_dose *doses, size_t nd,
                           const mt_mipd_level *lv, size_t nl)
{
    size_t cap = 64 + 96 * (nd + nl);
    char *text = mt_calloc(m->ctx, cap, 1);
    if (!text)
        return mt_error(m->ctx, MT_ENOMEM, "out of memory");
    size_t len = (size_t)snprintf(text, cap, "time,amt,dur,cmt,dv\n");
    for (size_t i = 0; i < nd; i++)
        len += (size_t)snprintf(text + len, cap - len, "%.17g,%.17g,%.17g,1,\n", doses[i].time_h,
                                doses[i].amount_mg, doses[i].duration_h);
    for (size_t i = 0; i < nl; i++) {
        if (!(lv[i].value > 0) || !isfinite(lv[i].value) || !isfinite(lv[i].time_h)) {
            mt_free(m->ctx, text);
            return mt_error(m->ctx, MT_EINVAL,
                            "level %zu: %g %s at %g h is not a positive measurement at a finite "
                            "time",
                            i + 1, lv[i].value, lv[i].inr ? "(INR)" : "mg/L", lv[i].time_h);
        }
        if (lv[i].inr && !m->has_inr) {
            mt_free(m->ctx, text);
            return mt_error(m->ctx, MT_EINVAL,
                            "level %zu is an INR, but the %s card has no INR "
                            "model",
                            i + 1, mt_poppk_drug(m->card));
        }
        len += (size_t)snprintf(text + len, cap - len, "%.17g,0,0,%d,%.17g\n", lv[i].time_h,
                                lv[i].inr ? 3 : 2, lv[i].value);
    }
    char cmt[128];
    snprintf(cmt, sizeof cmt, "1=%s,2=Cc,3=INR", mt_poppk_dose_target(m->card));
    mt_fit_columns cols = {NULL, NULL, cmt, NULL, NULL, NAN};
    mt_csv *csv = NULL;
    mt_status st = mt_csv_parse(m->ctx, text, len, "levels", &csv);
    mt_free(m->ctx, text);
    if (st == MT_OK)
        st = mt_fit_data_read(m->ctx, csv, m->sim, &cols, &m->data);
    mt_csv_destroy(csv);
    return st;
}

static mt_status posterior_alloc(mt_mipd *m, mt_mipd_posterior *p)
{
    memset(p, 0, sizeof *p);
    size_t n = m->n_eta;
    p->n_eta = n;
    p->u = mt_calloc(m->ctx, n + 1, sizeof *p->u);
    p->theta = mt_calloc(m->ctx, n + 1, sizeof *p->theta);
    p->cov = mt_calloc(m->ctx, n * n + 1, sizeof *p->cov);
    if (!p->u || !p->theta || !p->cov) {
        mt_mipd_posterior_free(m->ctx, p);
        return mt_error(m->ctx, MT_ENOMEM, "out of memory");
    }
    return MT_OK;
}

mt_status mt_mipd_fit(mt_mipd *m, const mt_mipd_dose *doses, size_t n_doses,
                      const mt_mipd_level *levels, size_t n_levels, mt_mipd_posterior *post)
{
    mt_ctx *ctx = m->ctx;
    size_t n = m->n_eta;
    mt_status st = posterior_alloc(m, post);
    if (st != MT_OK)
        return st;
    free_fit(m);
    post->n_levels = (int)n_levels;
    if (n_levels == 0) { /* the prior */
        for (size_t i = 0; i < n; i++) {
            post->u[i] = log(mt_mipd_typical(m, i));
            post->theta[i] = mt_mipd_typical(m, i);
        }
        memcpy(post->cov, m->omega, n * n * sizeof *post->cov);
        post->status = MT_FIT_CONVERGED;
        snprintf(post->message, sizeof post->message,
                 "no levels: the prior (the population model for the covariates)");
        return MT_OK;
    }
    if (n_doses == 0) {
        mt_mipd_posterior_free(ctx, post);
        return mt_error(ctx, MT_EINVAL, "levels without any dose: give the dosing history");
    }
    if ((st = make_data(m, doses, n_doses, levels, n_levels)) != MT_OK) {
        mt_mipd_posterior_free(ctx, post);
        return st;
    }
    /* fixed parameters: covariates of the subject */
    for (size_t i = 0; i < m->n_par && st == MT_OK; i++) {
        int is_eta = 0;
        for (size_t k = 0; k < n; k++)
            is_eta |= m->eta_par[k] == (int)i;
        if (!is_eta)
            st = mt_fit_data_set_covariate(ctx, m->data, m->sim, mt_poppk_param_name(m->card, i),
                                           m->theta[i]);
    }
    m->fpar = mt_calloc(ctx, n + 1, sizeof *m->fpar);
    m->prior_cov = mt_calloc(ctx, n * n + 1, sizeof *m->prior_cov);
    if (st == MT_OK && (!m->fpar || !m->prior_cov))
        st = mt_error(ctx, MT_ENOMEM, "out of memory");
    if (st != MT_OK) {
        mt_mipd_posterior_free(ctx, post);
        return st;
    }
    for (size_t i = 0; i < n; i++) {
        double typ = mt_mipd_typical(m, i);
        m->fpar[i] = (mt_fit_param){mt_mipd_eta_name(m, i),   1, 0, INFINITY, typ, log(typ),
                                    sqrt(m->omega[i * n + i])};
    }
    memcpy(m->prior_cov, m->omega, n * n * sizeof *m->prior_cov);
    /* the residual error per observed symbol, in the data's output order */
    for (size_t j = 0; j < m->data->n_outputs && j < 2; j++) {
        int inr = !strcmp(m->data->outputs[j], "INR");
        m->out_add[j] = m->err_add[inr];
        m->out_prop[j] = m->err_prop[inr];
    }
    memset(&m->pb, 0, sizeof m->pb);
    m->pb.n_par = n;
    m->pb.par = m->fpar;
    m->pb.prior_cov = m->prior_cov;
    m->pb.error = MT_ERR_COMBINED;
    m->pb.sigma_add = m->pb.sigma_prop = NAN;
    m->pb.out_sigma_add = m->out_add;
    m->pb.out_sigma_prop = m->out_prop;
    mt_fit_result *r = NULL;
    st = mt_fit_subject_run(ctx, m->sim, &m->pb, m->data, 0, &r);
    if (st != MT_OK) {
        mt_mipd_posterior_free(ctx, post);
        return st;
    }
    memcpy(post->u, r->u, n * sizeof *post->u);
    memcpy(post->cov, r->cov_u, n * n * sizeof *post->cov);
    for (size_t i = 0; i < n; i++)
        post->theta[i] = exp(post->u[i]);
    post->status = r->status;
    post->objective = r->objective;
    snprintf(post->message, sizeof post->message, "%s", r->message);
    mt_fit_result_destroy(ctx, r);
    return MT_OK;
}

mt_status mt_mipd_draw(mt_mipd *m, const mt_mipd_posterior *post, size_t n_draws, uint64_t seed,
                       double *draws)
{
    size_t n = post->n_eta;
    double *l = mt_calloc(m->ctx, n * n + 1, sizeof *l), z[64];
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    mt_status st = MT_OK;
    if (!l || !rng || n > 64)
        st = mt_error(m->ctx, MT_ENOMEM, "out of memory");
    else if (post->status != MT_FIT_CONVERGED || mt_cholesky_lower(post->cov, n, l))
        st = mt_error(m->ctx, MT_EINVAL,
                      "the posterior has no usable covariance (%s): no draws from it",
                      post->message);
    if (st == MT_OK) {
        gsl_rng_set(rng, (unsigned long)seed);
        for (size_t k = 0; k < n_draws; k++) {
            for (size_t i = 0; i < n; i++)
                z[i] = gsl_ran_gaussian_ziggurat(rng, 1.0);
            for (size_t i = 0; i < n; i++) {
                double v = post->u[i];
                for (size_t j = 0; j <= i; j++)
                    v += l[i * n + j] * z[j];
                draws[k * n + i] = v;
            }
        }
    }
    gsl_rng_free(rng);
    mt_free(m->ctx, l);
    return st;
}

mt_status mt_mipd_sir(mt_mipd *m, const mt_mipd_posterior *post, size_t n_proposal,
                      size_t n_resample, uint64_t seed, double *draws, double *ess)
{
    mt_ctx *ctx = m->ctx;
    size_t n = post->n_eta;
    if (!m->data)
        return mt_error(ctx, MT_EINVAL, "SIR needs the levels of a fit (mt_mipd_fit with levels)");
    if (n_proposal < 2 || n_resample < 1)
        return mt_error(ctx, MT_EINVAL, "SIR needs at least 2 proposals and 1 resample");
    mt_mipd_posterior wide = *post;
    double *cov2 = mt_calloc(ctx, n * n + 1, sizeof *cov2);
    double *prop = mt_calloc(ctx, n_proposal * n + 1, sizeof *prop);
    double *lw = mt_calloc(ctx, n_proposal, sizeof *lw);
    double *l = mt_calloc(ctx, n * n + 1, sizeof *l);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    mt_status st = MT_OK;
    if (!cov2 || !prop || !lw || !l || !rng) {
        st = mt_error(ctx, MT_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n * n; i++)
        cov2[i] = 2 * post->cov[i];
    wide.cov = cov2;
    if ((st = mt_mipd_draw(m, &wide, n_proposal, seed, prop)) != MT_OK)
        goto out;
    if (mt_cholesky_lower(cov2, n, l)) {
        st = mt_error(ctx, MT_EINVAL, "the posterior covariance is not positive definite");
        goto out;
    }
    /* log weight = -obj/2 - log q(u) (constants dropped) */
    double lmax = -INFINITY;
    for (size_t k = 0; k < n_proposal; k++) {
        double obj;
        st = mt_fit_objective(ctx, m->sim, &m->pb, m->data, 0, prop + k * n, &obj);
        if (st != MT_OK)
            goto out;
        /* q: N(u, 2 cov): -0.5 |L^-1 (x - u)|^2 by forward substitution */
        double y[64], q = 0;
        for (size_t i = 0; i < n; i++) {
            double v = prop[k * n + i] - post->u[i];
            for (size_t j = 0; j < i; j++)
                v -= l[i * n + j] * y[j];
            y[i] = v / l[i * n + i];
            q += y[i] * y[i];
        }
        lw[k] = isfinite(obj) ? -0.5 * obj + 0.5 * q : -INFINITY;
        if (lw[k] > lmax)
            lmax = lw[k];
    }
    double sw = 0, sw2 = 0;
    for (size_t k = 0; k < n_proposal; k++) {
        lw[k] = exp(lw[k] - lmax);
        sw += lw[k];
        sw2 += lw[k] * lw[k];
    }
    *ess = sw * sw / sw2;
    /* resampling with replacement (multinomial) */
    gsl_rng_set(rng, (unsigned long)seed ^ 0x5bd1e995UL);
    for (size_t r = 0; r < n_resample; r++) {
        double x = gsl_rng_uniform(rng) * sw, c = 0;
        size_t k = 0;
        while (k + 1 < n_proposal && (c += lw[k]) < x)
            k++;
        memcpy(draws + r * n, prop + k * n, n * sizeof *draws);
    }
out:
    gsl_rng_free(rng);
    mt_free(ctx, cov2);
    mt_free(ctx, prop);
    mt_free(ctx, lw);
    mt_free(ctx, l);
    return st;
}
