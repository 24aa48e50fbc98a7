/* SPDX-License-Identifier: Apache-2.0
 *
 * bench/map/bench_map.c — the time of one Bayesian MAP fit to 4 drug levels (issue #5,
 * acceptance 4), on a compartmental population-PK twin and on a whole-body PBPK twin.
 *
 *   bench_map PBPK.xml N_VANCO N_PBPK OUT.json
 *
 * (a) Compartmental: the vancomycin card (data/poppk/vancomycin.json, Thomson 2009: 2
 *     compartments, IV infusion, 4 log-normal random effects CL, V1, Q, V2 with the card's
 *     Omega, combined residual error 1.6 mg/L + 15%). N_VANCO virtual patients in turn from 4
 *     covariate sets (CrCl 30/66/100/120 mL/min, weight 60/70/80/95 kg), true random effects
 *     drawn from the prior, 1000 mg over 1 h every 12 h (4 doses), levels at 1.5, 11.5, 37.5 and
 *     47.5 h with the card's residual error (seeded; MT_BENCH_SEED). Each patient is fitted three
 *     ways, one after the other:
 *       sens  mt_fit_subject_run, gradients from CVODES forward sensitivities (the default),
 *       fd    the same problem with no_sensitivities = 1 (central differences of the predictions),
 *       mipd  mt_mipd_fit, the public twin API (sens; also builds the fit data from the levels).
 *     The problem of sens/fd is built exactly as src/fit/mipd.c builds it: MAP on u = log theta,
 *     prior N(log typical(covariates), Omega), fixed combined error, GSL BFGS, then the Laplace
 *     covariance (Hessian by differences of the gradient): each timed call returns estimates and
 *     their covariance.
 * (b) PBPK: PBPK.xml is a twin exported by `medtwin twin export` (midazolam 2 mg IV at t = 0, an
 *     event of the model). Estimated: CL_H_midazolam (hepatic blood clearance, fu_b * CLint) and
 *     Kp_adi_midazolam (adipose partition coefficient, the largest distribution volume), log
 *     scale, independent log-normal priors centred on the twin's values (SD 0.4 and 0.3),
 *     proportional error 15% (fixed). N_PBPK virtual patients drawn from those priors, levels of
 *     C_plasma_midazolam at 0.5, 2, 6 and 12 h; fitted by sens and fd through mt_fit_* (the
 *     library API of `medtwin fit`).
 *
 * Every fit is timed alone (CLOCK_MONOTONIC, from the call to its return, data already read);
 * one untimed fit per route first (native code compiled or loaded, caches warm). Prints per
 * route: median, IQR, mean (ms/fit), converged count, median iterations, and the agreement of
 * the routes' estimates; then one line
 *   bench_map: vanco_sens=<ms> vanco_fd=<ms> vanco_mipd=<ms> pbpk_sens=<ms> pbpk_fd=<ms>
 *              vanco_maxdu=<max |u_sens - u_fd|> pbpk_maxdu=<...>
 * OUT.json: the compartmental problem and medtwin's estimates, for the peers (peer_scipy.py).
 */
#define _POSIX_C_SOURCE 200809L
#include "../bench_util.h"
#include "medtwin/csv.h"
#include "medtwin/fit.h"
#include "medtwin/medtwin.h"
#include "medtwin/mipd.h"
#include "medtwin/poppk.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_LEV 4
#define N_DOSE 4
#define MAX_ETA 8

static int fail(mt_ctx *ctx, const char *what)
{
    fprintf(stderr, "bench_map: %s: %s\n", what, ctx ? mt_errmsg(ctx) : "");
    return 1;
}

/* seeded deviates: medtwin/rng.h (the generator of the studies and case studies) */
static mt_rng rng_state;

/* ---------- statistics of a route ---------- */

typedef struct {
    const char *name;
    double *ms;
    int *iters;
    double *u; /* n x np estimates */
    double *obj;
    int n, np, converged;
} route;

static int route_init(route *r, const char *name, int n, int np)
{
    memset(r, 0, sizeof *r);
    r->name = name;
    r->n = n;
    r->np = np;
    r->ms = calloc((size_t)n, sizeof *r->ms);
    r->iters = calloc((size_t)n, sizeof *r->iters);
    r->u = calloc((size_t)(n * np), sizeof *r->u);
    r->obj = calloc((size_t)n, sizeof *r->obj);
    return r->ms && r->iters && r->u && r->obj ? 0 : -1;
}

static void route_free(route *r)
{
    free(r->ms);
    free(r->iters);
    free(r->u);
    free(r->obj);
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* Prints the route's line and returns its median (ms). */
static double route_report(const char *model, route *r)
{
    double *s = malloc((size_t)r->n * sizeof *s);
    int *it = malloc((size_t)r->n * sizeof *it);
    if (!s || !it) {
        free(s);
        free(it);
        return NAN;
    }
    double sum = 0;
    for (int i = 0; i < r->n; i++) {
        s[i] = r->ms[i];
        sum += s[i];
        it[i] = r->iters[i];
    }
    double med = mt_bench_median(s, (size_t)r->n);
    qsort(it, (size_t)r->n, sizeof *it, cmp_int);
    char itbuf[32] = "n/a"; /* mt_mipd_fit does not report its iterations */
    if (it[r->n / 2] >= 0)
        snprintf(itbuf, sizeof itbuf, "%d", it[r->n / 2]);
    printf("%s %-5s N=%d median=%.3f ms IQR=[%.3f, %.3f] ms mean=%.3f ms converged=%d/%d "
           "iterations(median)=%s\n",
           model, r->name, r->n, med, mt_quantile_sorted(s, (size_t)r->n, 0.25),
           mt_quantile_sorted(s, (size_t)r->n, 0.75), sum / r->n, r->converged, r->n, itbuf);
    free(s);
    free(it);
    return med;
}

/* max |a.u - b.u| over every subject and parameter, and max |a.obj - b.obj| */
static double max_du(const route *a, const route *b, double *dobj)
{
    double m = 0, mo = 0;
    for (int i = 0; i < a->n; i++) {
        for (int j = 0; j < a->np; j++) {
            double d = fabs(a->u[i * a->np + j] - b->u[i * b->np + j]);
            if (d > m)
                m = d;
        }
        double d = fabs(a->obj[i] - b->obj[i]);
        if (d > mo)
            mo = d;
    }
    if (dobj)
        *dobj = mo;
    return m;
}

/* Runs one fit, timed; stores the estimates in r[i] (warm_up: only says so in a message). */
static mt_status timed_fit(mt_ctx *ctx, mt_sim *sim, const mt_fit_problem *pb, const mt_fit_data *d,
                           route *r, int i, int warm_up)
{
    mt_fit_result *res = NULL;
    double t0 = mt_bench_now_s();
    mt_status st = mt_fit_subject_run(ctx, sim, pb, d, 0, &res);
    double t1 = mt_bench_now_s();
    if (st != MT_OK)
        return st;
    r->ms[i] = 1e3 * (t1 - t0);
    r->iters[i] = res->iterations;
    r->obj[i] = res->objective;
    r->converged += res->status == MT_FIT_CONVERGED;
    if (res->status != MT_FIT_CONVERGED)
        fprintf(stderr, "bench_map: %s fit %d%s: %s\n", r->name, i, warm_up ? " (warm-up)" : "",
                res->message);
    for (int j = 0; j < r->np; j++)
        r->u[i * r->np + j] = res->u[j];
    mt_fit_result_destroy(ctx, res);
    return MT_OK;
}

/* Reads a data set from CSV text. */
static mt_status data_from_text(mt_ctx *ctx, mt_sim *sim, const char *text, const char *cmt,
                                mt_fit_data **out)
{
    mt_fit_columns cols = {NULL, NULL, cmt, NULL, NULL, NAN};
    mt_csv *csv = NULL;
    mt_status st = mt_csv_parse(ctx, text, strlen(text), "levels", &csv);
    if (st == MT_OK)
        st = mt_fit_data_read(ctx, csv, sim, &cols, out);
    mt_csv_destroy(csv);
    return st;
}

/* ---------- (a) the compartmental twin ---------- */

static const double vanco_cov[4][2] = {{30, 60}, {66, 70}, {100, 80}, {120, 95}};
static const double vanco_dose_t[N_DOSE] = {0, 12, 24, 36};
static const double vanco_amt = 1000, vanco_dur = 1;
static const double vanco_lev_t[N_LEV] = {1.5, 11.5, 37.5, 47.5};

typedef struct {
    int cs;
    double typ[MAX_ETA], u_true[MAX_ETA], y[N_LEV];
    mt_fit_param par[MAX_ETA];
    mt_fit_data *data;
} vpatient;

static int bench_vanco(mt_ctx *ctx, int n, FILE *json, double *med, double *maxdu)
{
    mt_poppk *card = NULL;
    char *xml = NULL;
    mt_model *model = NULL;
    mt_program *prog = NULL;
    mt_sim *sim = NULL;
    mt_mipd *twin[4] = {0};
    if (mt_poppk_load(ctx, "vancomycin", &card) != MT_OK)
        return fail(ctx, "vancomycin card");
    if (mt_poppk_sbml(ctx, card, &xml) != MT_OK ||
        mt_model_load_string(ctx, xml, strlen(xml), NULL, &model) != MT_OK ||
        mt_program_create(ctx, model, &prog) != MT_OK || mt_sim_create(ctx, prog, &sim) != MT_OK)
        return fail(ctx, "vancomycin model");
    free(xml);
    for (int c = 0; c < 4; c++) {
        mt_poppk_covariates cov;
        mt_poppk_covariates_init(&cov);
        cov.crcl_ml_min = vanco_cov[c][0];
        cov.weight_kg = vanco_cov[c][1];
        if (mt_mipd_create(ctx, card, &cov, &twin[c]) != MT_OK)
            return fail(ctx, "mt_mipd_create");
    }
    size_t ne = mt_mipd_n_eta(twin[0]);
    if (ne == 0 || ne > MAX_ETA)
        return fail(NULL, "vancomycin: unexpected number of random effects");
    const double *omega = mt_mipd_omega(twin[0]);
    double L[MAX_ETA * MAX_ETA];
    if (mt_cholesky_lower(omega, ne, L))
        return fail(NULL, "vancomycin: Omega is not positive definite");
    mt_poppk_residual res;
    if (mt_poppk_residual_get(card, "Cc", &res) != MT_OK)
        return fail(ctx, "vancomycin residual error");
    double add = isfinite(res.additive_sd) ? res.additive_sd : 0;
    double prop = isfinite(res.proportional_cv) ? res.proportional_cv : 0;
    double out_add[1] = {add}, out_prop[1] = {prop};

    vpatient *pt = calloc((size_t)n, sizeof *pt);
    if (!pt)
        return fail(NULL, "out of memory");
    mt_fit_problem pb[2];
    char text[1024];
    for (int i = 0; i < n; i++) {
        vpatient *p = &pt[i];
        p->cs = i % 4;
        double z[MAX_ETA];
        for (size_t j = 0; j < ne; j++) {
            p->typ[j] = mt_mipd_typical(twin[p->cs], j);
            z[j] = mt_rng_normal(&rng_state);
        }
        for (size_t j = 0; j < ne; j++) {
            p->u_true[j] = log(p->typ[j]);
            for (size_t k = 0; k <= j; k++)
                p->u_true[j] += L[j * ne + k] * z[k];
            p->par[j] = (mt_fit_param){
                mt_mipd_eta_name(twin[p->cs], j), 1, 0, INFINITY, p->typ[j], log(p->typ[j]),
                sqrt(omega[j * ne + j])};
        }
        /* the data as src/fit/mipd.c writes them (levels 1 as placeholders) */
        int len = snprintf(text, sizeof text, "time,amt,dur,cmt,dv\n");
        for (int k = 0; k < N_DOSE; k++)
            len += snprintf(text + len, sizeof text - (size_t)len, "%g,%g,%g,1,\n", vanco_dose_t[k],
                            vanco_amt, vanco_dur);
        for (int k = 0; k < N_LEV; k++)
            len += snprintf(text + len, sizeof text - (size_t)len, "%g,0,0,2,1\n", vanco_lev_t[k]);
        if (data_from_text(ctx, sim, text, "1=central,2=Cc", &p->data) != MT_OK)
            return fail(ctx, "vancomycin data");
        mt_fit_problem q = {0};
        q.n_par = ne;
        q.par = p->par;
        q.prior_cov = omega;
        q.error = MT_ERR_COMBINED;
        q.sigma_add = q.sigma_prop = NAN;
        q.out_sigma_add = out_add;
        q.out_sigma_prop = out_prop;
        double th[MAX_ETA], f[N_LEV];
        for (size_t j = 0; j < ne; j++)
            th[j] = exp(p->u_true[j]);
        if (mt_fit_predict(ctx, sim, &q, p->data, 0, th, vanco_lev_t, N_LEV, f) != MT_OK)
            return fail(ctx, "vancomycin: simulating the levels");
        for (int k = 0; k < N_LEV; k++) {
            double y;
            do
                y = f[k] + sqrt(add * add + prop * prop * f[k] * f[k]) * mt_rng_normal(&rng_state);
            while (!(y > 0.5)); /* a measurable level */
            p->y[k] = y;
            p->data->subjects[0].obs[k].value = y;
        }
    }
    pb[0] = (mt_fit_problem){0};
    pb[0].n_par = ne;
    pb[0].prior_cov = omega;
    pb[0].error = MT_ERR_COMBINED;
    pb[0].sigma_add = pb[0].sigma_prop = NAN;
    pb[0].out_sigma_add = out_add;
    pb[0].out_sigma_prop = out_prop;
    pb[1] = pb[0];
    pb[1].no_sensitivities = 1;

    route r[3];
    if (route_init(&r[0], "sens", n, (int)ne) || route_init(&r[1], "fd", n, (int)ne) ||
        route_init(&r[2], "mipd", n, (int)ne))
        return fail(NULL, "out of memory");
    mt_mipd_dose doses[N_DOSE];
    for (int k = 0; k < N_DOSE; k++)
        doses[k] = (mt_mipd_dose){vanco_dose_t[k], vanco_amt, vanco_dur};
    /* warm-up: one untimed fit per route */
    for (int w = 0; w < 2; w++) {
        pb[w].par = pt[0].par;
        if (timed_fit(ctx, sim, &pb[w], pt[0].data, &r[w], 0, 1) != MT_OK)
            return fail(ctx, "vancomycin warm-up fit");
        r[w].converged = 0;
    }
    for (int i = 0; i < n; i++) {
        vpatient *p = &pt[i];
        for (int w = 0; w < 2; w++) {
            pb[w].par = p->par;
            if (timed_fit(ctx, sim, &pb[w], p->data, &r[w], i, 0) != MT_OK)
                return fail(ctx, "vancomycin fit");
        }
        mt_mipd_level lv[N_LEV];
        for (int k = 0; k < N_LEV; k++)
            lv[k] = (mt_mipd_level){vanco_lev_t[k], 0, p->y[k]};
        mt_mipd_posterior post;
        double t0 = mt_bench_now_s();
        mt_status st = mt_mipd_fit(twin[p->cs], doses, N_DOSE, lv, N_LEV, &post);
        double t1 = mt_bench_now_s();
        if (st != MT_OK)
            return fail(ctx, "mt_mipd_fit");
        r[2].ms[i] = 1e3 * (t1 - t0);
        r[2].iters[i] = -1;
        r[2].obj[i] = post.objective;
        r[2].converged += post.status == MT_FIT_CONVERGED;
        for (size_t j = 0; j < ne; j++)
            r[2].u[i * (int)ne + (int)j] = post.u[j];
        mt_mipd_posterior_free(ctx, &post);
    }
    printf("## (a) compartmental: vancomycin (Thomson 2009), 2 compartments, %zu random effects, "
           "%d levels, %d patients over 4 covariate sets\n",
           ne, N_LEV, n);
    med[0] = route_report("vanco", &r[0]);
    med[1] = route_report("vanco", &r[1]);
    med[2] = route_report("vanco", &r[2]);
    double dobj_fd, dobj_mipd;
    maxdu[0] = max_du(&r[0], &r[1], &dobj_fd);
    double du_mipd = max_du(&r[0], &r[2], &dobj_mipd);
    printf("vanco agreement: sens vs fd max|du| %.3g (max|dobj| %.3g); sens vs mipd max|du| %.3g "
           "(max|dobj| %.3g)\n",
           maxdu[0], dobj_fd, du_mipd, dobj_mipd);
    /* RMS error of the estimates against the truth: the fits estimate something */
    double se_true = 0, se_prior = 0;
    for (int i = 0; i < n; i++)
        for (size_t j = 0; j < ne; j++) {
            double e = r[0].u[i * (int)ne + (int)j] - pt[i].u_true[j];
            double e0 = log(pt[i].typ[j]) - pt[i].u_true[j];
            se_true += e * e;
            se_prior += e0 * e0;
        }
    printf("vanco estimates: RMS(u_map - u_true) %.3f vs RMS(u_prior - u_true) %.3f (log scale)\n",
           sqrt(se_true / (n * (double)ne)), sqrt(se_prior / (n * (double)ne)));

    /* the problem for the peers */
    fprintf(json, "{\"model\": \"vancomycin 2cpt iv\", \"params\": [");
    for (size_t j = 0; j < ne; j++)
        fprintf(json, "%s\"%s\"", j ? ", " : "", mt_mipd_eta_name(twin[0], j));
    fprintf(json, "],\n \"omega\": [");
    for (size_t j = 0; j < ne * ne; j++)
        fprintf(json, "%s%.17g", j ? ", " : "", omega[j]);
    fprintf(json, "],\n \"sigma_add\": %.17g, \"sigma_prop\": %.17g,\n \"doses\": [", add, prop);
    for (int k = 0; k < N_DOSE; k++)
        fprintf(json, "%s[%.17g, %.17g, %.17g]", k ? ", " : "", vanco_dose_t[k], vanco_amt,
                vanco_dur);
    fprintf(json, "],\n \"times\": [");
    for (int k = 0; k < N_LEV; k++)
        fprintf(json, "%s%.17g", k ? ", " : "", vanco_lev_t[k]);
    fprintf(json, "],\n \"medtwin_ms\": {\"sens\": %.6g, \"fd\": %.6g, \"mipd\": %.6g},\n", med[0],
            med[1], med[2]);
    fprintf(json, " \"subjects\": [\n");
    for (int i = 0; i < n; i++) {
        const vpatient *p = &pt[i];
        fprintf(json, "  {\"crcl\": %g, \"wt\": %g, \"typ\": [", vanco_cov[p->cs][0],
                vanco_cov[p->cs][1]);
        for (size_t j = 0; j < ne; j++)
            fprintf(json, "%s%.17g", j ? ", " : "", p->typ[j]);
        fprintf(json, "], \"u_true\": [");
        for (size_t j = 0; j < ne; j++)
            fprintf(json, "%s%.17g", j ? ", " : "", p->u_true[j]);
        fprintf(json, "], \"y\": [");
        for (int k = 0; k < N_LEV; k++)
            fprintf(json, "%s%.17g", k ? ", " : "", p->y[k]);
        for (int w = 0; w < 2; w++) {
            fprintf(json, "], \"u_%s\": [", r[w].name);
            for (size_t j = 0; j < ne; j++)
                fprintf(json, "%s%.17g", j ? ", " : "", r[w].u[i * (int)ne + (int)j]);
        }
        fprintf(json, "], \"obj_sens\": %.17g, \"obj_fd\": %.17g, \"ms_sens\": %.6g}%s\n",
                r[0].obj[i], r[1].obj[i], r[0].ms[i], i + 1 < n ? "," : "");
    }
    fprintf(json, " ]}\n");

    for (int w = 0; w < 3; w++)
        route_free(&r[w]);
    for (int i = 0; i < n; i++)
        mt_fit_data_destroy(ctx, pt[i].data);
    free(pt);
    for (int c = 0; c < 4; c++)
        mt_mipd_destroy(twin[c]);
    mt_sim_destroy(sim);
    mt_program_destroy(prog);
    mt_model_destroy(model);
    mt_poppk_destroy(card);
    return 0;
}

/* ---------- (b) the PBPK twin ---------- */

#define PB_NP 2
static const char *const pbpk_par[PB_NP] = {"CL_H_midazolam", "Kp_adi_midazolam"};
static const double pbpk_sd[PB_NP] = {0.4, 0.3};
static const char *const pbpk_obs = "C_plasma_midazolam";
static const double pbpk_lev_t[N_LEV] = {0.5, 2, 6, 12};
static const double pbpk_prop = 0.15;

static int bench_pbpk(mt_ctx *ctx, const char *path, int n, double *med, double *maxdu)
{
    mt_model *model = NULL;
    mt_program *prog = NULL;
    mt_sim *sim = NULL;
    double tc = mt_bench_now_s();
    if (mt_model_load_file(ctx, path, &model) != MT_OK)
        return fail(ctx, path);
    if (mt_program_create(ctx, model, &prog) != MT_OK || mt_sim_create(ctx, prog, &sim) != MT_OK)
        return fail(ctx, "PBPK program");
    tc = mt_bench_now_s() - tc;
    /* the twin's own values: the prior means */
    double typ[PB_NP];
    for (int j = 0; j < PB_NP; j++) {
        mt_result *res = NULL;
        mt_sim_clear_outputs(sim);
        if (mt_sim_add_output(sim, pbpk_par[j], MT_REPORT_DEFAULT) != MT_OK ||
            mt_sim_run(sim, 0, 0, 0, &res) != MT_OK)
            return fail(ctx, pbpk_par[j]);
        typ[j] = mt_result_value(res, 0, 0);
        mt_result_destroy(res);
        if (!(typ[j] > 0))
            return fail(NULL, "PBPK twin: a parameter without a positive value");
    }
    mt_fit_param par[PB_NP];
    for (int j = 0; j < PB_NP; j++)
        par[j] = (mt_fit_param){pbpk_par[j], 1, 0, INFINITY, typ[j], log(typ[j]), pbpk_sd[j]};
    mt_fit_problem pb[2] = {{0}};
    pb[0].n_par = PB_NP;
    pb[0].par = par;
    pb[0].error = MT_ERR_PROPORTIONAL;
    pb[0].sigma_add = NAN;
    pb[0].sigma_prop = pbpk_prop;
    pb[1] = pb[0];
    pb[1].no_sensitivities = 1;

    char text[256];
    int len = snprintf(text, sizeof text, "time,%s\n", pbpk_obs);
    for (int k = 0; k < N_LEV; k++)
        len += snprintf(text + len, sizeof text - (size_t)len, "%g,1\n", pbpk_lev_t[k]);
    mt_fit_data **data = calloc((size_t)n, sizeof *data);
    double *u_true = calloc((size_t)n * PB_NP, sizeof *u_true);
    if (!data || !u_true)
        return fail(NULL, "out of memory");
    double f0[N_LEV];
    for (int i = 0; i < n; i++) {
        if (data_from_text(ctx, sim, text, NULL, &data[i]) != MT_OK)
            return fail(ctx, "PBPK data");
        double th[PB_NP], f[N_LEV];
        for (int j = 0; j < PB_NP; j++) {
            u_true[i * PB_NP + j] = log(typ[j]) + pbpk_sd[j] * mt_rng_normal(&rng_state);
            th[j] = exp(u_true[i * PB_NP + j]);
        }
        if (i == 0 && mt_fit_predict(ctx, sim, &pb[0], data[i], 0, typ, pbpk_lev_t, N_LEV, f0))
            return fail(ctx, "PBPK: typical levels");
        if (mt_fit_predict(ctx, sim, &pb[0], data[i], 0, th, pbpk_lev_t, N_LEV, f) != MT_OK)
            return fail(ctx, "PBPK: simulating the levels");
        for (int k = 0; k < N_LEV; k++)
            data[i]->subjects[0].obs[k].value = f[k] * (1 + pbpk_prop * mt_rng_normal(&rng_state));
    }
    route r[2];
    if (route_init(&r[0], "sens", n, PB_NP) || route_init(&r[1], "fd", n, PB_NP))
        return fail(NULL, "out of memory");
    for (int w = 0; w < 2; w++) {
        if (timed_fit(ctx, sim, &pb[w], data[0], &r[w], 0, 1) != MT_OK)
            return fail(ctx, "PBPK warm-up fit");
        r[w].converged = 0;
    }
    for (int i = 0; i < n; i++)
        for (int w = 0; w < 2; w++)
            if (timed_fit(ctx, sim, &pb[w], data[i], &r[w], i, 0) != MT_OK)
                return fail(ctx, "PBPK fit");
    int n_states = (int)mt_model_n_states(model);
    printf("## (b) PBPK twin: %s (%d states; loaded and compiled in %.1f ms), MAP of %s and %s "
           "(log-normal priors, SD %.1f and %.1f), proportional error %.0f%%, %d levels of %s at "
           "0.5/2/6/12 h (typical: %.3g..%.3g mg/L), %d patients\n",
           path, n_states, 1e3 * tc, pbpk_par[0], pbpk_par[1], pbpk_sd[0], pbpk_sd[1],
           100 * pbpk_prop, N_LEV, pbpk_obs, f0[N_LEV - 1], f0[0], n);
    med[0] = route_report("pbpk ", &r[0]);
    med[1] = route_report("pbpk ", &r[1]);
    double dobj;
    *maxdu = max_du(&r[0], &r[1], &dobj);
    double se = 0, se0 = 0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < PB_NP; j++) {
            double e = r[0].u[i * PB_NP + j] - u_true[i * PB_NP + j];
            double e0 = log(typ[j]) - u_true[i * PB_NP + j];
            se += e * e;
            se0 += e0 * e0;
        }
    printf("pbpk  agreement: sens vs fd max|du| %.3g (max|dobj| %.3g); RMS(u_map - u_true) %.3f vs "
           "RMS(u_prior - u_true) %.3f\n",
           *maxdu, dobj, sqrt(se / (n * PB_NP)), sqrt(se0 / (n * PB_NP)));
    for (int w = 0; w < 2; w++)
        route_free(&r[w]);
    for (int i = 0; i < n; i++)
        mt_fit_data_destroy(ctx, data[i]);
    free(data);
    free(u_true);
    mt_sim_destroy(sim);
    mt_program_destroy(prog);
    mt_model_destroy(model);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: %s PBPK.xml N_VANCO N_PBPK OUT.json\n", argv[0]);
        return 2;
    }
    int n_v = atoi(argv[2]), n_p = atoi(argv[3]);
    if (n_v < 1 || n_p < 1) {
        fprintf(stderr, "bench_map: N_VANCO and N_PBPK must be >= 1\n");
        return 2;
    }
    const char *seed = getenv("MT_BENCH_SEED");
    mt_rng_seed(&rng_state, seed ? strtoull(seed, NULL, 10) : 20261122ULL);
    mt_ctx *ctx = NULL;
    if (mt_ctx_create(&ctx) != MT_OK)
        return 1;
    FILE *json = fopen(argv[4], "w");
    if (!json) {
        perror(argv[4]);
        return 1;
    }
    double mv[3], mp[2], duv = NAN, dup = NAN;
    if (bench_vanco(ctx, n_v, json, mv, &duv))
        return 1;
    fclose(json);
    if (bench_pbpk(ctx, argv[1], n_p, mp, &dup))
        return 1;
    printf("bench_map: vanco_sens=%.3f vanco_fd=%.3f vanco_mipd=%.3f pbpk_sens=%.3f pbpk_fd=%.3f "
           "vanco_maxdu=%.3g pbpk_maxdu=%.3g\n",
           mv[0], mv[1], mv[2], mp[0], mp[1], duv, dup);
    mt_ctx_destroy(ctx);
    return 0;
}
