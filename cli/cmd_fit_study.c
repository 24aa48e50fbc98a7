/* SPDX-License-Identifier: Apache-2.0
 *
 * cli/cmd_fit_study.c — `medtwin fit-study --drug vancomycin --patients N --seed S`: a
 * simulation–estimation study of the MAP posterior of medtwin/mipd.h (issue #5, "MAP is
 * right"). N virtual patients: covariates drawn uniformly over the card's ranges given below,
 * true log random effects drawn from the card's Omega around the patient's typical values,
 * levels simulated under a sparse sampling design with the card's residual error, then a MAP
 * fit of each (mt_mipd_fit). Reported per random effect: bias (mean log(estimate / true)),
 * RMSE (log scale), eta shrinkage (1 - SD(estimated eta) / omega), the coverage of the 90 %
 * Laplace interval u +- 1.645 SE and, with --sir, of the 90 % interval of SIR draws
 * (mt_mipd_sir). The patients are independent draws from one seeded generator (xoshiro256**,
 * seeded by splitmix64): the same seed gives the same study. Output: a summary on stdout, the
 * whole study as JSON (--out) and a plot of true vs estimated CL on log axes (--plot).
 *
 * Cost: one model compilation, one simulation and one MAP fit per patient (with --sir also
 * n_proposal objective evaluations): a few tenths of a second a patient without SIR.
 */
#include "cli.h"
#include "medtwin/mipd.h"
#include "medtwin/plot.h"

#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *const help =
    "usage: medtwin fit-study --drug vancomycin --patients N --seed S [options]\n"
    "\n"
    "Simulation-estimation study of Bayesian MAP fitting on a population-PK card:\n"
    "N virtual patients (covariates uniform over --crcl and --weight, random\n"
    "effects drawn from the card's Omega), levels simulated with the card's\n"
    "residual error, a MAP fit of each; bias, RMSE, shrinkage and the coverage\n"
    "of the 90% posterior interval per random effect.\n"
    "  --drug NAME          population-PK card (data/poppk/NAME.json)\n"
    "  --patients N         number of virtual patients (1..100000)\n"
    "  --seed S             random seed (a non-negative integer)\n"
    "  --crcl LO:HI         creatinine clearance range, mL/min (default 30:120)\n"
    "  --weight LO:HI       weight range, kg (default 50:110)\n"
    "  --age LO:HI          age range, years (default 20:80; used only by cards\n"
    "                       that need it)\n"
    "  --dose MG            dose per infusion (default 1000)\n"
    "  --interval H         dosing interval, h (default 12)\n"
    "  --infusion H         infusion duration, h (default 1)\n"
    "  --levels T1,T2,...   sampling times, h after the first dose (default\n"
    "                       26,35.5: a peak 1 h after the end of the 3rd infusion\n"
    "                       and a trough 0.5 h before the 4th dose, on day 2)\n"
    "  --sir N              also the 90% interval of N SIR draws (mt_mipd_sir,\n"
    "                       N proposals, N resamples; default 0: off)\n"
    "  --out FILE.json      the study: design, per-parameter summary, patients\n"
    "  --plot FILE.png|svg  true vs estimated CL, log axes\n"
    "Levels at or below 0 after the residual error are redrawn (the count is\n"
    "reported). Exit status: 0, or 1 on errors.\n";

#define MAX_ETA 8
#define MAX_LEVELS 16
#define Z90 1.6448536269514722

/* ---------- arguments ---------- */

typedef struct {
    const char *drug, *out, *plot, *levels;
    long patients, seed, sir;
    double crcl[2], weight[2], age[2];
    double dose, interval, infusion;
} study_args;

static int parse_range(const char *opt, const char *v, double *r)
{
    char buf[64];
    const char *colon = strchr(v, ':');
    if (!colon || (size_t)(colon - v) >= sizeof buf)
        return mt_cli_fail("fit-study: %s '%s': give LO:HI", opt, v);
    memcpy(buf, v, (size_t)(colon - v));
    buf[colon - v] = '\0';
    if (mt_cli_parse_double(buf, &r[0]) || mt_cli_parse_double(colon + 1, &r[1]) || !(r[0] > 0) ||
        !(r[1] >= r[0]))
        return mt_cli_fail("fit-study: %s '%s': give LO:HI with 0 < LO <= HI", opt, v);
    return 0;
}

static int parse_args(int argc, char **argv, study_args *a)
{
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        if (!strcmp(o, "--help") || !strcmp(o, "-h")) {
            fputs(help, stdout);
            exit(0);
        }
        if (i + 1 >= argc)
            return mt_cli_fail("fit-study: %s needs a value (see --help)", o);
        const char *v = argv[++i];
        double x;
        int bad = 0;
        if (!strcmp(o, "--drug"))
            a->drug = v;
        else if (!strcmp(o, "--out"))
            a->out = v;
        else if (!strcmp(o, "--plot"))
            a->plot = v;
        else if (!strcmp(o, "--levels"))
            a->levels = v;
        else if (!strcmp(o, "--patients"))
            bad = mt_cli_parse_long(v, &a->patients) || a->patients < 1 || a->patients > 100000;
        else if (!strcmp(o, "--seed"))
            bad = mt_cli_parse_long(v, &a->seed) || a->seed < 0;
        else if (!strcmp(o, "--sir"))
            bad = mt_cli_parse_long(v, &a->sir) || a->sir < 0 || a->sir > 1000000;
        else if (!strcmp(o, "--crcl")) {
            if (parse_range(o, v, a->crcl))
                return 1;
        } else if (!strcmp(o, "--weight")) {
            if (parse_range(o, v, a->weight))
                return 1;
        } else if (!strcmp(o, "--age")) {
            if (parse_range(o, v, a->age))
                return 1;
        } else if (!strcmp(o, "--dose") || !strcmp(o, "--interval") || !strcmp(o, "--infusion")) {
            bad = mt_cli_parse_double(v, &x) || !(x > 0);
            if (!bad)
                *(!strcmp(o, "--dose")       ? &a->dose
                  : !strcmp(o, "--interval") ? &a->interval
                                             : &a->infusion) = x;
        } else
            return mt_cli_fail("fit-study: unknown option '%s' (see --help)", o);
        if (bad)
            return mt_cli_fail("fit-study: %s '%s' is not a valid value", o, v);
    }
    if (!a->drug)
        return mt_cli_fail("fit-study: --drug is required (see --help)");
    if (!a->patients)
        return mt_cli_fail("fit-study: --patients is required (see --help)");
    if (a->seed < 0)
        return mt_cli_fail("fit-study: --seed is required (see --help)");
    if (a->sir == 1)
        return mt_cli_fail("fit-study: --sir needs at least 2 draws");
    if (!(a->infusion < a->interval))
        return mt_cli_fail("fit-study: the infusion must end before the next dose");
    return 0;
}

/* "t1,t2,..." into times (ascending, > 0), *n. */
static int parse_levels(const char *s, double *times, size_t *n)
{
    *n = 0;
    char buf[512];
    if (strlen(s) >= sizeof buf)
        return mt_cli_fail("fit-study: --levels is too long");
    memcpy(buf, s, strlen(s) + 1);
    for (char *p = buf, *next; p; p = next) {
        next = strchr(p, ',');
        if (next)
            *next++ = '\0';
        if (*n == MAX_LEVELS)
            return mt_cli_fail("fit-study: at most %d levels", MAX_LEVELS);
        double t;
        if (mt_cli_parse_double(p, &t) || !(t > 0) || (*n && !(t > times[*n - 1])))
            return mt_cli_fail("fit-study: --levels '%s': give ascending times > 0 (h)", s);
        times[(*n)++] = t;
    }
    return 0;
}

/* ---------- the study ---------- */

typedef struct {
    double crcl, weight, age;
    double typ[MAX_ETA], truth[MAX_ETA], est[MAX_ETA], se[MAX_ETA];
    double sir_lo[MAX_ETA], sir_hi[MAX_ETA], sir_ess;
    double pred[MAX_LEVELS], obs[MAX_LEVELS];
    int redraws;
    mt_fit_status status;
    char message[512];
} patient;

typedef struct {
    size_t n_eta, n_levels, n_doses;
    const char *names[MAX_ETA];
    double omega[MAX_ETA * MAX_ETA];
    double add, prop; /* the card's residual error of Cc */
    double times[MAX_LEVELS];
    mt_mipd_dose *doses;
} design;

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* One virtual patient: draw, simulate, fit (and SIR). 0 on success, else 1 (printed). */
static int run_patient(mt_ctx *ctx, const mt_poppk *card, const study_args *a, design *dz,
                       mt_rng *r, size_t k, patient *p, double *sir_draws, double *col)
{
    memset(p, 0, sizeof *p);
    p->crcl = a->crcl[0] + (a->crcl[1] - a->crcl[0]) * mt_rng_uniform(r);
    p->weight = a->weight[0] + (a->weight[1] - a->weight[0]) * mt_rng_uniform(r);
    p->age = a->age[0] + (a->age[1] - a->age[0]) * mt_rng_uniform(r);
    mt_poppk_covariates cov;
    mt_poppk_covariates_init(&cov);
    cov.crcl_ml_min = p->crcl;
    cov.weight_kg = p->weight;
    cov.age_years = p->age;
    mt_mipd *m = NULL;
    if (mt_mipd_create(ctx, card, &cov, &m) != MT_OK)
        return mt_cli_fail("fit-study: patient %zu: %s", k + 1, mt_errmsg(ctx));
    size_t n = dz->n_eta;
    double z[MAX_ETA], l[MAX_ETA * MAX_ETA];
    if (mt_cholesky_lower(dz->omega, n, l)) {
        mt_mipd_destroy(m);
        return mt_cli_fail("fit-study: the card's Omega is not positive definite");
    }
    for (size_t i = 0; i < n; i++)
        z[i] = mt_rng_normal(r);
    for (size_t i = 0; i < n; i++) {
        double eta = 0;
        for (size_t j = 0; j <= i; j++)
            eta += l[i * n + j] * z[j];
        p->typ[i] = log(mt_mipd_typical(m, i));
        p->truth[i] = p->typ[i] + eta;
    }
    mt_mipd_level lv[MAX_LEVELS];
    mt_mipd_posterior post = {0};
    int rc = 1;
    if (mt_mipd_simulate(m, p->truth, dz->doses, dz->n_doses, dz->times, dz->n_levels, p->pred,
                         NULL) != MT_OK) {
        mt_cli_fail("fit-study: patient %zu: simulation: %s", k + 1, mt_errmsg(ctx));
        goto out;
    }
    for (size_t j = 0; j < dz->n_levels; j++) {
        double f = p->pred[j], sd = sqrt(dz->add * dz->add + dz->prop * dz->prop * f * f), y;
        int tries = 0;
        /* a level at or below 0 cannot be measured: redraw its error (a truncated normal) */
        while (!((y = f + sd * mt_rng_normal(r)) > 0) && tries < 1000)
            tries++;
        if (!(y > 0)) {
            mt_cli_fail("fit-study: patient %zu: no positive level at %g h", k + 1, dz->times[j]);
            goto out;
        }
        p->redraws += tries;
        p->obs[j] = y;
        lv[j] = (mt_mipd_level){dz->times[j], 0, y};
    }
    if (mt_mipd_fit(m, dz->doses, dz->n_doses, lv, dz->n_levels, &post) != MT_OK) {
        mt_cli_fail("fit-study: patient %zu: fit: %s", k + 1, mt_errmsg(ctx));
        goto out;
    }
    p->status = post.status;
    snprintf(p->message, sizeof p->message, "%s", post.message);
    for (size_t i = 0; i < n; i++) {
        p->est[i] = post.u[i];
        p->se[i] = sqrt(post.cov[i * n + i]);
        p->sir_lo[i] = p->sir_hi[i] = NAN;
    }
    p->sir_ess = NAN;
    if (a->sir > 0 && post.status == MT_FIT_CONVERGED) {
        size_t ns = (size_t)a->sir;
        if (mt_mipd_sir(m, &post, ns, ns, (uint64_t)a->seed * 1000003u + k, sir_draws,
                        &p->sir_ess) != MT_OK) {
            mt_cli_fail("fit-study: patient %zu: SIR: %s", k + 1, mt_errmsg(ctx));
            goto out;
        }
        for (size_t i = 0; i < n; i++) {
            for (size_t q = 0; q < ns; q++)
                col[q] = sir_draws[q * n + i];
            qsort(col, ns, sizeof *col, cmp_double);
            p->sir_lo[i] = mt_quantile_sorted(col, ns, 0.05);
            p->sir_hi[i] = mt_quantile_sorted(col, ns, 0.95);
        }
    }
    rc = 0;
out:
    mt_mipd_posterior_free(ctx, &post);
    mt_mipd_destroy(m);
    return rc;
}

/* Per-parameter summary over the converged patients. */
typedef struct {
    size_t n;
    double bias, bias_se, rmse, sd_err, mean_se, shrinkage, cover, cover_se, sir_cover;
    size_t n_sir;
} summary;

static summary summarize(const patient *pt, size_t np, const design *dz, size_t i)
{
    summary s = {0};
    double se_err = 0, s_eta = 0, s_eta2 = 0, s_err2 = 0, se_sum = 0;
    size_t hit = 0, sir_hit = 0;
    for (size_t k = 0; k < np; k++) {
        const patient *p = &pt[k];
        if (p->status != MT_FIT_CONVERGED)
            continue;
        double e = p->est[i] - p->truth[i], eta = p->est[i] - p->typ[i];
        s.n++;
        se_err += e;
        s_err2 += e * e;
        s_eta += eta;
        s_eta2 += eta * eta;
        se_sum += p->se[i];
        hit += fabs(e) <= Z90 * p->se[i];
        if (isfinite(p->sir_lo[i])) {
            s.n_sir++;
            sir_hit += p->truth[i] >= p->sir_lo[i] && p->truth[i] <= p->sir_hi[i];
        }
    }
    if (s.n == 0) {
        s.bias = s.bias_se = s.rmse = s.sd_err = s.mean_se = s.shrinkage = s.cover = s.cover_se =
            s.sir_cover = NAN;
        return s;
    }
    double n = (double)s.n;
    s.bias = se_err / n;
    s.rmse = sqrt(s_err2 / n);
    s.sd_err = s.n > 1 ? sqrt(fmax(0, (s_err2 - n * s.bias * s.bias) / (n - 1))) : NAN;
    s.bias_se = s.sd_err / sqrt(n);
    s.mean_se = se_sum / n;
    double m_eta = s_eta / n;
    double sd_eta = s.n > 1 ? sqrt(fmax(0, (s_eta2 - n * m_eta * m_eta) / (n - 1))) : NAN;
    s.shrinkage = 1 - sd_eta / sqrt(dz->omega[i * dz->n_eta + i]);
    s.cover = (double)hit / n;
    s.cover_se = sqrt(0.9 * 0.1 / n); /* the binomial SE if the true coverage were 90 % */
    s.sir_cover = s.n_sir ? (double)sir_hit / (double)s.n_sir : NAN;
    return s;
}

static json_t *num(double v) { return isfinite(v) ? json_real(v) : json_null(); }

static const char *status_name(mt_fit_status s)
{
    static const char *const names[] = {"converged", "not_converged", "unidentifiable", "failed"};
    return (unsigned)s < 4 ? names[s] : "unknown";
}

static json_t *study_json(const study_args *a, const design *dz, const patient *pt,
                          const summary *sm, size_t n_conv, int redraws)
{
    json_t *o = json_object(), *d = json_object(), *par = json_object(), *pts = json_array();
    json_object_set_new(o, "study",
                        json_string("medtwin fit-study: simulation-estimation of "
                                    "MAP (mt_mipd_fit) on a population-PK card"));
    json_object_set_new(o, "drug", json_string(a->drug));
    json_object_set_new(o, "patients", json_integer(a->patients));
    json_object_set_new(o, "seed", json_integer(a->seed));
    json_object_set_new(o, "converged", json_integer((json_int_t)n_conv));
    json_object_set_new(o, "redrawn_nonpositive_levels", json_integer(redraws));
    json_object_set_new(d, "crcl_ml_min_uniform", json_pack("[ff]", a->crcl[0], a->crcl[1]));
    json_object_set_new(d, "weight_kg_uniform", json_pack("[ff]", a->weight[0], a->weight[1]));
    json_object_set_new(d, "age_years_uniform", json_pack("[ff]", a->age[0], a->age[1]));
    json_t *doses = json_array();
    for (size_t i = 0; i < dz->n_doses; i++)
        json_array_append_new(doses, json_pack("{s:f,s:f,s:f}", "time_h", dz->doses[i].time_h,
                                               "amount_mg", dz->doses[i].amount_mg, "duration_h",
                                               dz->doses[i].duration_h));
    json_object_set_new(d, "doses", doses);
    json_t *times = json_array();
    for (size_t j = 0; j < dz->n_levels; j++)
        json_array_append_new(times, json_real(dz->times[j]));
    json_object_set_new(d, "level_times_h", times);
    json_object_set_new(d, "residual_error",
                        json_pack("{s:s,s:f,s:f,s:s}", "form", "combined", "additive_sd_mg_l",
                                  dz->add, "proportional_cv", dz->prop, "nonpositive_levels",
                                  "redrawn (the error of that level drawn again)"));
    json_t *om = json_array();
    for (size_t i = 0; i < dz->n_eta; i++) {
        json_t *row = json_array();
        for (size_t j = 0; j < dz->n_eta; j++)
            json_array_append_new(row, json_real(dz->omega[i * dz->n_eta + j]));
        json_array_append_new(om, row);
    }
    json_object_set_new(d, "omega", om);
    json_object_set_new(d, "interval", json_string("90% Laplace: u +- 1.645 SE (log scale)"));
    json_object_set_new(d, "sir_draws", json_integer(a->sir));
    json_object_set_new(o, "design", d);
    for (size_t i = 0; i < dz->n_eta; i++) {
        const summary *s = &sm[i];
        json_t *p = json_object();
        json_object_set_new(p, "n", json_integer((json_int_t)s->n));
        json_object_set_new(p, "bias_log", num(s->bias));
        json_object_set_new(p, "bias_log_se", num(s->bias_se));
        json_object_set_new(p, "rmse_log", num(s->rmse));
        json_object_set_new(p, "sd_error_log", num(s->sd_err));
        json_object_set_new(p, "mean_se_log", num(s->mean_se));
        json_object_set_new(p, "omega_sd", num(sqrt(dz->omega[i * dz->n_eta + i])));
        json_object_set_new(p, "shrinkage", num(s->shrinkage));
        json_object_set_new(p, "coverage90", num(s->cover));
        json_object_set_new(p, "coverage90_binomial_se", num(s->cover_se));
        json_object_set_new(p, "coverage90_sir", num(s->sir_cover));
        json_object_set_new(par, dz->names[i], p);
    }
    json_object_set_new(o, "parameters", par);
    for (long k = 0; k < a->patients; k++) {
        const patient *p = &pt[k];
        json_t *e = json_object(), *pe = json_object();
        json_object_set_new(e, "patient", json_integer(k + 1));
        json_object_set_new(e, "crcl_ml_min", json_real(p->crcl));
        json_object_set_new(e, "weight_kg", json_real(p->weight));
        json_object_set_new(e, "status", json_string(status_name(p->status)));
        json_object_set_new(e, "message", json_string(p->message));
        json_t *lv = json_array();
        for (size_t j = 0; j < dz->n_levels; j++)
            json_array_append_new(lv, json_pack("{s:f,s:o,s:o}", "time_h", dz->times[j], "true",
                                                num(p->pred[j]), "observed", num(p->obs[j])));
        json_object_set_new(e, "levels_mg_l", lv);
        for (size_t i = 0; i < dz->n_eta; i++)
            json_object_set_new(pe, dz->names[i],
                                json_pack("{s:o,s:o,s:o,s:o,s:o,s:o}", "typical",
                                          num(exp(p->typ[i])), "true", num(exp(p->truth[i])),
                                          "estimate", num(exp(p->est[i])), "se_log", num(p->se[i]),
                                          "sir90_lo", num(exp(p->sir_lo[i])), "sir90_hi",
                                          num(exp(p->sir_hi[i]))));
        json_object_set_new(e, "parameters", pe);
        json_array_append_new(pts, e);
    }
    json_object_set_new(o, "patient_list", pts);
    return o;
}

static int write_json(FILE *f, const void *arg)
{
    return json_dumpf((const json_t *)arg, f, JSON_INDENT(1) | JSON_REAL_PRECISION(8)) ? 1 : 0;
}

static int plot_cl(mt_ctx *ctx, const mt_poppk *card, const study_args *a, const design *dz,
                   const patient *pt)
{
    size_t ic = 0, np = (size_t)a->patients, n = 0;
    for (size_t i = 0; i < dz->n_eta; i++)
        if (!strcmp(dz->names[i], "CL"))
            ic = i;
    double *x = malloc(3 * np * sizeof *x);
    if (!x)
        return mt_cli_fail("fit-study: out of memory");
    double *y = x + np, *yp = y + np;
    double lo = INFINITY, hi = 0;
    for (size_t k = 0; k < np; k++) {
        if (pt[k].status != MT_FIT_CONVERGED)
            continue;
        x[n] = exp(pt[k].truth[ic]);
        y[n] = exp(pt[k].est[ic]);
        yp[n] = exp(pt[k].typ[ic]);
        lo = fmin(lo, fmin(x[n], fmin(y[n], yp[n])));
        hi = fmax(hi, fmax(x[n], fmax(y[n], yp[n])));
        n++;
    }
    char title[160], xl[64], yl[64];
    snprintf(title, sizeof title, "%s: MAP fit of %zu virtual patients (seed %ld)", a->drug, n,
             a->seed);
    snprintf(xl, sizeof xl, "true %s (%s)", dz->names[ic],
             mt_poppk_param_unit(card, (size_t)mt_poppk_param_index(card, dz->names[ic])));
    snprintf(yl, sizeof yl, "estimated %s", dz->names[ic]);
    mt_plot_points sets[2] = {{"covariates", n, x, yp}, {"MAP", n, x, y}};
    double lx[2] = {lo, hi};
    mt_plot_curve id = {"identity", 2, lx, lx, 0};
    mt_plot_xy_options o = {title, xl, yl, 1, 1, 1, 0, 0, 0};
    int rc = 0;
    if (n && mt_plot_xy(ctx, a->plot, &o, 2, sets, 1, &id) != MT_OK)
        rc = mt_cli_fail("fit-study: plot: %s", mt_errmsg(ctx));
    free(x);
    return rc;
}

int mt_cmd_fit_study(int argc, char **argv)
{
    study_args a = {NULL,      NULL,      NULL,     "26,35.5", 0,  -1, 0,
                    {30, 120}, {50, 110}, {20, 80}, 1000,      12, 1};
    if (parse_args(argc, argv, &a))
        return 2;
    design dz;
    memset(&dz, 0, sizeof dz);
    if (parse_levels(a.levels, dz.times, &dz.n_levels))
        return 2;
    mt_ctx *ctx = NULL;
    if (mt_ctx_create(&ctx) != MT_OK)
        return mt_cli_fail("fit-study: cannot create a context");
    mt_poppk *card = NULL;
    patient *pt = NULL;
    double *sir = NULL, *col = NULL;
    json_t *js = NULL;
    int rc = 1;
    if (mt_poppk_load(ctx, a.drug, &card) != MT_OK) {
        mt_cli_fail("fit-study: %s", mt_errmsg(ctx));
        goto out;
    }
    if (strcmp(mt_poppk_absorption(card), "iv") != 0) {
        mt_cli_fail("fit-study: the %s card is not an IV drug; this study infuses IV doses",
                    a.drug);
        goto out;
    }
    mt_poppk_residual res;
    if (mt_poppk_residual_get(card, "Cc", &res) != MT_OK) {
        mt_cli_fail("fit-study: %s", mt_errmsg(ctx));
        goto out;
    }
    if (strcmp(res.form, "additive") && strcmp(res.form, "proportional") &&
        strcmp(res.form, "combined")) {
        mt_cli_fail("fit-study: the %s card's residual error is %s; this study simulates "
                    "additive, proportional or combined errors",
                    a.drug, res.form);
        goto out;
    }
    dz.add = isfinite(res.additive_sd) ? res.additive_sd : 0;
    dz.prop = isfinite(res.proportional_cv) ? res.proportional_cv : 0;
    /* doses: every interval up to the last level */
    dz.n_doses = (size_t)ceil(dz.times[dz.n_levels - 1] / a.interval);
    if (dz.n_doses < 1)
        dz.n_doses = 1;
    dz.doses = calloc(dz.n_doses, sizeof *dz.doses);
    pt = calloc((size_t)a.patients, sizeof *pt);
    if (!dz.doses || !pt) {
        mt_cli_fail("fit-study: out of memory");
        goto out;
    }
    for (size_t i = 0; i < dz.n_doses; i++)
        dz.doses[i] = (mt_mipd_dose){(double)i * a.interval, a.dose, a.infusion};
    /* the random effects and Omega from a twin at the card's reference covariates */
    {
        mt_poppk_covariates ref;
        mt_poppk_reference_covariates(card, &ref);
        mt_mipd *m = NULL;
        if (mt_mipd_create(ctx, card, &ref, &m) != MT_OK) {
            mt_cli_fail("fit-study: %s", mt_errmsg(ctx));
            goto out;
        }
        dz.n_eta = mt_mipd_n_eta(m);
        if (dz.n_eta == 0 || dz.n_eta > MAX_ETA) {
            mt_mipd_destroy(m);
            mt_cli_fail("fit-study: the %s card has %zu random effects (1..%d supported)", a.drug,
                        dz.n_eta, MAX_ETA);
            goto out;
        }
        memcpy(dz.omega, mt_mipd_omega(m), dz.n_eta * dz.n_eta * sizeof *dz.omega);
        for (size_t i = 0; i < dz.n_eta; i++)
            dz.names[i] = mt_mipd_eta_name(m, i); /* borrowed from the card */
        mt_mipd_destroy(m);
    }
    if (a.sir > 0) {
        sir = malloc((size_t)a.sir * dz.n_eta * sizeof *sir);
        col = malloc((size_t)a.sir * sizeof *col);
        if (!sir || !col) {
            mt_cli_fail("fit-study: out of memory");
            goto out;
        }
    }
    mt_rng r;
    mt_rng_seed(&r, (uint64_t)a.seed);
    size_t n_conv = 0;
    int redraws = 0;
    for (long k = 0; k < a.patients; k++) {
        if (run_patient(ctx, card, &a, &dz, &r, (size_t)k, &pt[k], sir, col))
            goto out;
        n_conv += pt[k].status == MT_FIT_CONVERGED;
        redraws += pt[k].redraws;
    }
    summary sm[MAX_ETA];
    printf("%s fit-study: %ld virtual patients (seed %ld), %zu converged; %zu levels at", a.drug,
           a.patients, a.seed, n_conv, dz.n_levels);
    for (size_t j = 0; j < dz.n_levels; j++)
        printf(" %g", dz.times[j]);
    printf(" h; %d non-positive level(s) redrawn\n", redraws);
    printf("%-4s %8s %8s %8s %8s %9s %8s %10s %8s\n", "par", "bias", "(se)", "rmse", "mean_se",
           "shrinkage", "cover90", "(binom se)", "sir90");
    for (size_t i = 0; i < dz.n_eta; i++) {
        sm[i] = summarize(pt, (size_t)a.patients, &dz, i);
        printf("%-4s %8.4f %8.4f %8.4f %8.4f %9.3f %8.3f %10.3f %8.3f\n", dz.names[i], sm[i].bias,
               sm[i].bias_se, sm[i].rmse, sm[i].mean_se, sm[i].shrinkage, sm[i].cover,
               sm[i].cover_se, sm[i].sir_cover);
    }
    if (a.out) {
        js = study_json(&a, &dz, pt, sm, n_conv, redraws);
        if (!js || mt_cli_write_atomic(a.out, write_json, js))
            goto out;
    }
    if (a.plot && plot_cl(ctx, card, &a, &dz, pt))
        goto out;
    rc = 0;
out:
    json_decref(js);
    free(sir);
    free(col);
    free(pt);
    free(dz.doses);
    mt_poppk_destroy(card);
    mt_ctx_destroy(ctx);
    return rc;
}
