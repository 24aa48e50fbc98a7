/* SPDX-License-Identifier: Apache-2.0
 *
 * cli/cmd_case_study.c — `medtwin case-study vancomycin|warfarin`: the two dosing case studies
 * of issue #5 (acceptance 3), written up in docs/case_studies.md by scripts/case-studies.sh.
 *
 * vancomycin: virtual patients on a grid of creatinine clearance (30-120 mL/min) x weight
 * (50, 70, 90, 110 kg). Each has true random effects drawn from the Thomson 2009 card's Omega
 * (seeded), a TDM history (1 g IV over 1 h q12h x 4; a peak 1 h after the end of the 3rd
 * infusion, 26 h, and a trough 0.5 h before the 4th dose, 35.5 h) whose levels are simulated
 * with the true effects and the card's combined residual error (a level at or below 0, which
 * cannot be measured, has its error drawn again; the count is reported), a MAP fit
 * (mt_mipd_fit), Laplace draws (mt_mipd_draw) and the regimen search of `medtwin dose`
 * (mt_mipd_recommend: AUC24 400-600 mg*h/L on day 14, 8/12/24 h intervals, 250-4000 mg in
 * 250 mg steps, 1 h infusions, from one interval after the last TDM dose). Reported per
 * patient: the regimen, its probability of target attainment, the predicted median AUC24 and
 * the TRUE AUC24 of that regimen under the patient's true effects (mt_mipd_metric); the same
 * for the regimen chosen from the prior alone (no levels), for comparison.
 *
 * warfarin: the typical Hamberg 2007 twin at reference covariates, per CYP2C9 x VKORC1
 * genotype, the exact daily dose whose trough INR at steady state is 2.5 (mt_mipd_recommend,
 * typical mode, target INR 2-3, 24 h interval; horizons 180 and 120 days, compared), next to
 * the IWPC 2009 pharmacogenetic algorithm's dose computed from data/poppk/iwpc_2009.csv.
 * No card value is changed here: the comparison is what the published models give.
 *
 * Cost: vancomycin, per patient one MAP fit and 2 x 2 x 3 x draws simulations of 14 days
 * (the AUC is linear in the dose: superposition); warfarin, per genotype and horizon about 75
 * simulations of 120-180 days (the INR is not linear in the dose).
 */
#include "cli.h"

#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *const help =
    "usage: medtwin case-study vancomycin|warfarin [options]\n"
    "\n"
    "The dosing case studies of docs/case_studies.md (scripts/case-studies.sh).\n"
    "vancomycin: virtual patients over CrCl 30-120 mL/min x weight 50/70/90/110 kg,\n"
    "  true random effects drawn from the card's Omega, TDM levels (1 g q12h x 4,\n"
    "  peak 26 h, trough 35.5 h) with the card's residual error, MAP fit, the\n"
    "  regimen for AUC24 400-600 mg*h/L: predicted and true AUC24 per patient.\n"
    "warfarin: the typical twin's exact daily dose for INR 2.5 per CYP2C9 x\n"
    "  VKORC1 genotype (reference covariates) vs the IWPC 2009 algorithm's dose.\n"
    "  --patients N        vancomycin: number of virtual patients (4..10000,\n"
    "                      default 40 = 10 CrCl values x 4 weights)\n"
    "  --seed S            vancomycin: random seed (default 1)\n"
    "  --draws N           vancomycin: posterior draws per patient (20..10000,\n"
    "                      default 200)\n"
    "  --no-prior          vancomycin: skip the comparison with the regimen chosen\n"
    "                      from the prior alone (no levels; halves the time)\n"
    "  --genotypes LIST    warfarin: CYP2C9:VKORC1 pairs, e.g. '*1/*1:GG,*1/*3:GA'\n"
    "                      (default: the 9 of *1/*1, *1/*2, *1/*3 x GG, GA, AA and\n"
    "                      *2/*2, *2/*3, *3/*3 with GA)\n"
    "  --out FILE.json     the whole study\n"
    "  --plot FILE         vancomycin: predicted vs true AUC24; warfarin: twin vs\n"
    "                      IWPC dose (.png or .svg)\n"
    "Exit status: 0 (whatever the figures are), 1 on errors, 2 on usage errors.\n";

#define MAX_ETA 8
#define N_LEVELS 2
#define N_TDM 4
#define MAX_GENO 32

static json_t *num(double v) { return isfinite(v) ? json_real(v) : json_null(); }

static int write_json(FILE *f, const void *arg)
{
    return json_dumpf((const json_t *)arg, f, JSON_INDENT(1) | JSON_REAL_PRECISION(8)) ||
           fputc('\n', f) == EOF;
}

static const char *status_name(mt_fit_status s)
{
    static const char *const names[] = {"converged", "not_converged", "unidentifiable", "failed"};
    return (unsigned)s < 4 ? names[s] : "unknown";
}

/* ---------- arguments ---------- */

typedef struct {
    const char *study, *out, *plot, *genotypes;
    long patients, seed, draws;
    int no_prior;
} cs_args;

static int parse_args(int argc, char **argv, cs_args *a)
{
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        if (!strcmp(o, "--help") || !strcmp(o, "-h")) {
            fputs(help, stdout);
            exit(0);
        }
        if (!strcmp(o, "--no-prior")) {
            a->no_prior = 1;
            continue;
        }
        if (o[0] != '-') {
            if (a->study)
                return mt_cli_fail("case-study: unexpected argument '%s' (see --help)", o);
            a->study = o;
            continue;
        }
        if (i + 1 >= argc)
            return mt_cli_fail("case-study: %s needs a value (see --help)", o);
        const char *v = argv[++i];
        int bad = 0;
        if (!strcmp(o, "--out"))
            a->out = v;
        else if (!strcmp(o, "--plot"))
            a->plot = v;
        else if (!strcmp(o, "--genotypes"))
            a->genotypes = v;
        else if (!strcmp(o, "--patients"))
            bad = mt_cli_parse_long(v, &a->patients) || a->patients < 4 || a->patients > 10000;
        else if (!strcmp(o, "--seed"))
            bad = mt_cli_parse_long(v, &a->seed) || a->seed < 0;
        else if (!strcmp(o, "--draws"))
            bad = mt_cli_parse_long(v, &a->draws) || a->draws < 20 || a->draws > 10000;
        else
            return mt_cli_fail("case-study: unknown option '%s' (see --help)", o);
        if (bad)
            return mt_cli_fail("case-study: %s '%s' is not a valid value (see --help)", o, v);
    }
    if (!a->study || (strcmp(a->study, "vancomycin") && strcmp(a->study, "warfarin")))
        return mt_cli_fail("case-study: name the study: vancomycin or warfarin (see --help)");
    return 0;
}

/* ====================================================================================== */
/* vancomycin                                                                               */
/* ====================================================================================== */

#define N_WEIGHTS 4
static const double weights_kg[N_WEIGHTS] = {50, 70, 90, 110};
static const double level_times[N_LEVELS] = {26, 35.5};
static const double intervals_h[3] = {8, 12, 24};
#define TDM_MG 1000.0
#define TDM_TAU 12.0
#define INFUSION_H 1.0
#define HORIZON_H 336.0
#define AUC_LO 400.0
#define AUC_HI 600.0

typedef struct {
    double dose_mg, interval_h, pta, p5, p50, p95, auc_true;
} regimen_out;

typedef struct {
    double crcl, weight;
    double typ[MAX_ETA], truth[MAX_ETA], map[MAX_ETA];
    double conc_true[N_LEVELS], conc_obs[N_LEVELS];
    int redraws;
    mt_fit_status status;
    char message[512];
    double auc_map;     /* AUC24 of the MAP-guided regimen at the MAP estimate */
    regimen_out guided; /* from the levels (MAP posterior) */
    regimen_out prior;  /* from the covariates alone (the prior) */
} vpatient;

typedef struct {
    mt_ctx *ctx;
    const mt_poppk *card;
    size_t n_eta;
    const char *names[MAX_ETA];
    double omega[MAX_ETA * MAX_ETA], chol[MAX_ETA * MAX_ETA];
    double add, prop;
    mt_mipd_dose tdm[N_TDM];
    double doses_mg[16];
    size_t n_draws;
    double *draws;
} vstudy;

static int in_target(double v) { return v >= AUC_LO && v <= AUC_HI; }

/* The best regimen of a dose search under post (draws from it), and its true AUC24. */
static int choose(vstudy *s, mt_mipd *m, const mt_mipd_posterior *post, uint64_t seed,
                  const double *truth, const mt_mipd_dose *hist, size_t n_hist, double start_h,
                  regimen_out *out)
{
    mt_target tg = {MT_TARGET_AUC24, AUC_LO, AUC_HI};
    mt_dose_result res = {0};
    if (mt_mipd_draw(m, post, s->n_draws, seed, s->draws) != MT_OK)
        return mt_cli_fail("case-study: draws: %s", mt_errmsg(s->ctx));
    mt_dose_search sr = {s->doses_mg, 16,         intervals_h, 3,    INFUSION_H, start_h, HORIZON_H,
                         s->draws,    s->n_draws, 0,           NULL, NULL,       NULL,    NULL};
    if (mt_mipd_recommend(m, hist, n_hist, &tg, &sr, &res) != MT_OK)
        return mt_cli_fail("case-study: dose search: %s", mt_errmsg(s->ctx));
    const mt_dose_candidate *b = &res.cand[0];
    *out = (regimen_out){b->dose_mg, b->interval_h, b->pta, b->p5, b->p50, b->p95, NAN};
    mt_dose_result_free(s->ctx, &res);
    if (mt_mipd_metric(m, truth, hist, n_hist, &tg, out->dose_mg, out->interval_h, INFUSION_H,
                       start_h, HORIZON_H, &out->auc_true) != MT_OK)
        return mt_cli_fail("case-study: true AUC24: %s", mt_errmsg(s->ctx));
    return 0;
}

static int run_vpatient(vstudy *s, const cs_args *a, size_t k, vpatient *p)
{
    mt_poppk_covariates cov;
    mt_poppk_covariates_init(&cov);
    cov.crcl_ml_min = p->crcl;
    cov.weight_kg = p->weight;
    mt_mipd *m = NULL;
    if (mt_mipd_create(s->ctx, s->card, &cov, &m) != MT_OK)
        return mt_cli_fail("case-study: patient %zu: %s", k + 1, mt_errmsg(s->ctx));
    size_t n = s->n_eta;
    mt_rng r;
    mt_rng_seed(&r, (uint64_t)a->seed * 1000003u + k);
    double z[MAX_ETA];
    for (size_t i = 0; i < n; i++)
        z[i] = mt_rng_normal(&r);
    for (size_t i = 0; i < n; i++) {
        double eta = 0;
        for (size_t j = 0; j <= i; j++)
            eta += s->chol[i * n + j] * z[j];
        p->typ[i] = log(mt_mipd_typical(m, i));
        p->truth[i] = p->typ[i] + eta;
    }
    mt_mipd_level lv[N_LEVELS];
    mt_mipd_posterior post = {0}, prior = {0};
    int rc = 1;
    if (mt_mipd_simulate(m, p->truth, s->tdm, N_TDM, level_times, N_LEVELS, p->conc_true, NULL) !=
        MT_OK) {
        mt_cli_fail("case-study: patient %zu: simulation: %s", k + 1, mt_errmsg(s->ctx));
        goto out;
    }
    for (size_t j = 0; j < N_LEVELS; j++) {
        double f = p->conc_true[j], sd = sqrt(s->add * s->add + s->prop * s->prop * f * f), y;
        int tries = 0;
        /* a level at or below 0 cannot be measured: its error is drawn again (truncated normal) */
        while (!((y = f + sd * mt_rng_normal(&r)) > 0) && tries < 1000)
            tries++;
        if (!(y > 0)) {
            mt_cli_fail("case-study: patient %zu: no positive level at %g h", k + 1,
                        level_times[j]);
            goto out;
        }
        p->redraws += tries;
        p->conc_obs[j] = y;
        lv[j] = (mt_mipd_level){level_times[j], 0, y};
    }
    /* the new regimen starts one interval after the last TDM dose (as `medtwin dose`) */
    double start = s->tdm[N_TDM - 1].time_h + TDM_TAU;
    uint64_t dseed = (uint64_t)a->seed * 7919u + 1000u * k;
    p->prior = (regimen_out){NAN, NAN, NAN, NAN, NAN, NAN, NAN};
    if (!a->no_prior &&
        (mt_mipd_fit(m, s->tdm, N_TDM, NULL, 0, &prior) != MT_OK ||
         choose(s, m, &prior, dseed + 1, p->truth, s->tdm, N_TDM, start, &p->prior))) {
        mt_cli_fail("case-study: patient %zu: prior: %s", k + 1, mt_errmsg(s->ctx));
        goto out;
    }
    if (mt_mipd_fit(m, s->tdm, N_TDM, lv, N_LEVELS, &post) != MT_OK) {
        mt_cli_fail("case-study: patient %zu: fit: %s", k + 1, mt_errmsg(s->ctx));
        goto out;
    }
    p->status = post.status;
    snprintf(p->message, sizeof p->message, "%s", post.message);
    for (size_t i = 0; i < n; i++)
        p->map[i] = post.u[i];
    p->guided = (regimen_out){NAN, NAN, NAN, NAN, NAN, NAN, NAN};
    p->auc_map = NAN;
    if (post.status == MT_FIT_CONVERGED) {
        mt_target tg = {MT_TARGET_AUC24, AUC_LO, AUC_HI};
        if (choose(s, m, &post, dseed, p->truth, s->tdm, N_TDM, start, &p->guided) ||
            mt_mipd_metric(m, post.u, s->tdm, N_TDM, &tg, p->guided.dose_mg, p->guided.interval_h,
                           INFUSION_H, start, HORIZON_H, &p->auc_map) != MT_OK)
            goto out;
    }
    rc = 0;
out:
    mt_mipd_posterior_free(s->ctx, &post);
    mt_mipd_posterior_free(s->ctx, &prior);
    mt_mipd_destroy(m);
    return rc;
}

static json_t *regimen_json(const regimen_out *g)
{
    return json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "dose_mg", num(g->dose_mg), "interval_h",
                     num(g->interval_h), "pta", num(g->pta), "auc24_p5", num(g->p5), "auc24_median",
                     num(g->p50), "auc24_p95", num(g->p95), "auc24_true", num(g->auc_true));
}

typedef struct {
    size_t n, n_conv, pred_in, true_in, prior_pred_in, prior_true_in;
    int redraws;
} vsummary;

static json_t *vstudy_json(const vstudy *s, const cs_args *a, const vpatient *pt, size_t np,
                           const vsummary *sm)
{
    json_t *o = json_object(), *d = json_object(), *res = json_object(), *pts = json_array();
    json_object_set_new(o, "study", json_string("vancomycin"));
    json_object_set_new(o, "model", json_string(mt_poppk_citation(s->card)));
    json_object_set_new(o, "patients", json_integer((json_int_t)np));
    json_object_set_new(o, "seed", json_integer(a->seed));
    json_t *w = json_array(), *tdm = json_array(), *lt = json_array(), *iv = json_array(),
           *om = json_array();
    for (size_t i = 0; i < N_WEIGHTS; i++)
        json_array_append_new(w, json_real(weights_kg[i]));
    for (size_t i = 0; i < N_TDM; i++)
        json_array_append_new(tdm,
                              json_pack("{s:f,s:f,s:f}", "time_h", s->tdm[i].time_h, "amount_mg",
                                        s->tdm[i].amount_mg, "duration_h", s->tdm[i].duration_h));
    for (size_t i = 0; i < N_LEVELS; i++)
        json_array_append_new(lt, json_real(level_times[i]));
    for (size_t i = 0; i < 3; i++)
        json_array_append_new(iv, json_real(intervals_h[i]));
    for (size_t i = 0; i < s->n_eta; i++) {
        json_t *row = json_array();
        for (size_t j = 0; j < s->n_eta; j++)
            json_array_append_new(row, json_real(s->omega[i * s->n_eta + j]));
        json_array_append_new(om, row);
    }
    json_t *names = json_array();
    for (size_t i = 0; i < s->n_eta; i++)
        json_array_append_new(names, json_string(s->names[i]));
    json_object_set_new(d, "crcl_ml_min_range", json_pack("[ff]", 30.0, 120.0));
    json_object_set_new(d, "weights_kg", w);
    json_object_set_new(d, "tdm_doses", tdm);
    json_object_set_new(d, "level_times_h", lt);
    json_object_set_new(
        d, "residual_error",
        json_pack("{s:s,s:f,s:f,s:s}", "form", "combined", "additive_sd_mg_l", s->add,
                  "proportional_cv", s->prop, "nonpositive_levels",
                  "the error of that level is drawn again (a level <= 0 cannot be measured)"));
    json_object_set_new(d, "random_effects", names);
    json_object_set_new(d, "omega", om);
    json_object_set_new(d, "posterior_draws", json_integer((json_int_t)s->n_draws));
    json_object_set_new(d, "target",
                        json_pack("{s:s,s:f,s:f}", "kind", "AUC24", "lo", AUC_LO, "hi", AUC_HI));
    json_object_set_new(d, "intervals_h", iv);
    json_object_set_new(d, "doses_mg",
                        json_pack("{s:f,s:f,s:f}", "from", 250.0, "to", 4000.0, "step", 250.0));
    json_object_set_new(d, "infusion_h", json_real(INFUSION_H));
    json_object_set_new(d, "horizon_h", json_real(HORIZON_H));
    json_object_set_new(d, "regimen_start_h", json_real(s->tdm[N_TDM - 1].time_h + TDM_TAU));
    json_object_set_new(o, "design", d);
    double n = (double)sm->n;
    json_object_set_new(res, "converged", json_integer((json_int_t)sm->n_conv));
    json_object_set_new(res, "predicted_in_target", json_integer((json_int_t)sm->pred_in));
    json_object_set_new(res, "predicted_in_target_fraction", json_real((double)sm->pred_in / n));
    json_object_set_new(res, "true_in_target", json_integer((json_int_t)sm->true_in));
    json_object_set_new(res, "true_in_target_fraction", json_real((double)sm->true_in / n));
    json_object_set_new(res, "prior_predicted_in_target_fraction",
                        a->no_prior ? json_null() : json_real((double)sm->prior_pred_in / n));
    json_object_set_new(res, "prior_true_in_target_fraction",
                        a->no_prior ? json_null() : json_real((double)sm->prior_true_in / n));
    json_object_set_new(res, "redrawn_nonpositive_levels", json_integer(sm->redraws));
    json_object_set_new(o, "results", res);
    for (size_t k = 0; k < np; k++) {
        const vpatient *p = &pt[k];
        json_t *e = json_object(), *par = json_object(), *lv = json_array();
        json_object_set_new(e, "patient", json_integer((json_int_t)k + 1));
        json_object_set_new(e, "crcl_ml_min", json_real(p->crcl));
        json_object_set_new(e, "weight_kg", json_real(p->weight));
        for (size_t i = 0; i < s->n_eta; i++)
            json_object_set_new(par, s->names[i],
                                json_pack("{s:o,s:o,s:o}", "typical", num(exp(p->typ[i])), "true",
                                          num(exp(p->truth[i])), "map", num(exp(p->map[i]))));
        json_object_set_new(e, "parameters", par);
        for (size_t j = 0; j < N_LEVELS; j++)
            json_array_append_new(lv,
                                  json_pack("{s:f,s:o,s:o}", "time_h", level_times[j], "true",
                                            num(p->conc_true[j]), "observed", num(p->conc_obs[j])));
        json_object_set_new(e, "levels_mg_l", lv);
        json_object_set_new(e, "fit_status", json_string(status_name(p->status)));
        json_object_set_new(e, "fit_message", json_string(p->message));
        json_t *g = regimen_json(&p->guided);
        json_object_set_new(g, "auc24_map", num(p->auc_map));
        json_object_set_new(e, "recommended", g);
        json_object_set_new(e, "prior_only", regimen_json(&p->prior));
        json_array_append_new(pts, e);
    }
    json_object_set_new(o, "patient_list", pts);
    return o;
}

static int vplot(mt_ctx *ctx, const char *path, const vpatient *pt, size_t np)
{
    double *x = malloc(4 * np * sizeof *x);
    if (!x)
        return mt_cli_fail("case-study: out of memory");
    double *y = x + np, *x2 = y + np, *y2 = x2 + np;
    size_t n = 0, n2 = 0;
    for (size_t k = 0; k < np; k++) {
        if (isfinite(pt[k].guided.p50)) {
            x[n] = pt[k].guided.auc_true;
            y[n++] = pt[k].guided.p50;
        }
        if (isfinite(pt[k].prior.p50)) {
            x2[n2] = pt[k].prior.auc_true;
            y2[n2++] = pt[k].prior.p50;
        }
    }
    mt_plot_points sets[2] = {{"MAP, 2 levels", n, x, y}, {"prior only", n2, x2, y2}};
    static const double id[2] = {1, 5000}, lo[2] = {AUC_LO, AUC_LO}, hi[2] = {AUC_HI, AUC_HI};
    mt_plot_curve cur[5] = {{"identity", 2, id, id, 0},
                            {"target, pred.", 2, id, lo, 1},
                            {NULL, 2, id, hi, 1},
                            {"target, true", 2, lo, id, 2},
                            {NULL, 2, hi, id, 2}};
    char title[128];
    snprintf(title, sizeof title, "vancomycin: %zu virtual patients, AUC24 of the chosen regimen",
             np);
    mt_plot_xy_options o = {
        title, "true AUC24 (mg*h/L)", "predicted median AUC24 (mg*h/L)", 0, 0, 1, 250, 850, 0};
    int rc = 0;
    if (mt_plot_xy(ctx, path, &o, n2 ? 2 : 1, sets, 5, cur) != MT_OK)
        rc = mt_cli_fail("case-study: plot: %s", mt_errmsg(ctx));
    free(x);
    return rc;
}

static int run_vancomycin(mt_ctx *ctx, const cs_args *a)
{
    vstudy s;
    memset(&s, 0, sizeof s);
    s.ctx = ctx;
    mt_poppk *card = NULL;
    vpatient *pt = NULL;
    json_t *js = NULL;
    int rc = 1;
    size_t np = a->patients ? (size_t)a->patients : 40;
    s.n_draws = a->draws ? (size_t)a->draws : 200;
    if (mt_poppk_load(ctx, "vancomycin", &card) != MT_OK) {
        mt_cli_fail("case-study: %s", mt_errmsg(ctx));
        goto out;
    }
    s.card = card;
    mt_poppk_residual res;
    if (mt_poppk_residual_get(card, "Cc", &res) != MT_OK) {
        mt_cli_fail("case-study: %s", mt_errmsg(ctx));
        goto out;
    }
    s.add = isfinite(res.additive_sd) ? res.additive_sd : 0;
    s.prop = isfinite(res.proportional_cv) ? res.proportional_cv : 0;
    for (size_t i = 0; i < N_TDM; i++)
        s.tdm[i] = (mt_mipd_dose){(double)i * TDM_TAU, TDM_MG, INFUSION_H};
    for (size_t i = 0; i < 16; i++)
        s.doses_mg[i] = 250.0 * (double)(i + 1);
    {
        mt_poppk_covariates ref;
        mt_poppk_reference_covariates(card, &ref);
        mt_mipd *m = NULL;
        if (mt_mipd_create(ctx, card, &ref, &m) != MT_OK) {
            mt_cli_fail("case-study: %s", mt_errmsg(ctx));
            goto out;
        }
        s.n_eta = mt_mipd_n_eta(m);
        if (s.n_eta == 0 || s.n_eta > MAX_ETA) {
            mt_mipd_destroy(m);
            mt_cli_fail("case-study: the card has %zu random effects (1..%d supported)", s.n_eta,
                        MAX_ETA);
            goto out;
        }
        memcpy(s.omega, mt_mipd_omega(m), s.n_eta * s.n_eta * sizeof *s.omega);
        for (size_t i = 0; i < s.n_eta; i++)
            s.names[i] = mt_mipd_eta_name(m, i); /* borrowed from the card */
        mt_mipd_destroy(m);
    }
    if (mt_cholesky_lower(s.omega, s.n_eta, s.chol)) {
        mt_cli_fail("case-study: the card's Omega is not positive definite");
        goto out;
    }
    pt = calloc(np, sizeof *pt);
    s.draws = malloc(s.n_draws * s.n_eta * sizeof *s.draws);
    if (!pt || !s.draws) {
        mt_cli_fail("case-study: out of memory");
        goto out;
    }
    /* the grid: ceil(np / 4) CrCl values evenly over 30-120 mL/min, the 4 weights within each */
    size_t n_crcl = (np + N_WEIGHTS - 1) / N_WEIGHTS;
    vsummary sm = {0};
    sm.n = np;
    printf("vancomycin case study: %zu virtual patients (seed %ld), %zu posterior draws each\n", np,
           a->seed, s.n_draws);
    printf("%4s %6s %5s %6s %5s %4s %8s %8s %8s | %6s %8s %8s\n", "#", "CrCl", "WT", "dose", "q(h)",
           "PTA", "AUCpred", "AUCtrue", "fit", "prior", "AUCpred", "AUCtrue");
    for (size_t k = 0; k < np; k++) {
        vpatient *p = &pt[k];
        size_t ic = k / N_WEIGHTS;
        p->crcl = n_crcl > 1 ? 30.0 + 90.0 * (double)ic / (double)(n_crcl - 1) : 75.0;
        p->weight = weights_kg[k % N_WEIGHTS];
        if (run_vpatient(&s, a, k, p))
            goto out;
        sm.n_conv += p->status == MT_FIT_CONVERGED;
        sm.pred_in += in_target(p->guided.p50);
        sm.true_in += in_target(p->guided.auc_true);
        sm.prior_pred_in += in_target(p->prior.p50);
        sm.prior_true_in += in_target(p->prior.auc_true);
        sm.redraws += p->redraws;
        printf("%4zu %6.1f %5.0f %6.0f %5.0f %3.0f%% %8.0f %8.0f %8s | %6.0f %8.0f %8.0f\n", k + 1,
               p->crcl, p->weight, p->guided.dose_mg, p->guided.interval_h, 100 * p->guided.pta,
               p->guided.p50, p->guided.auc_true, status_name(p->status), p->prior.dose_mg,
               p->prior.p50, p->prior.auc_true);
        fflush(stdout);
    }
    printf("predicted median AUC24 in 400-600: %zu of %zu (%.1f%%)\n", sm.pred_in, np,
           100.0 * (double)sm.pred_in / (double)np);
    printf("true AUC24 in 400-600: %zu of %zu (%.1f%%)\n", sm.true_in, np,
           100.0 * (double)sm.true_in / (double)np);
    if (!a->no_prior)
        printf("prior only (no levels): predicted %.1f%%, true %.1f%% in 400-600\n",
               100.0 * (double)sm.prior_pred_in / (double)np,
               100.0 * (double)sm.prior_true_in / (double)np);
    printf("MAP fits converged: %zu of %zu; non-positive levels redrawn: %d\n", sm.n_conv, np,
           sm.redraws);
    if (a->out) {
        js = vstudy_json(&s, a, pt, np, &sm);
        if (!js || mt_cli_write_atomic(a->out, write_json, js))
            goto out;
    }
    if (a->plot && vplot(ctx, a->plot, pt, np))
        goto out;
    rc = 0;
out:
    json_decref(js);
    free(pt);
    free(s.draws);
    mt_poppk_destroy(card);
    return rc;
}

/* ====================================================================================== */
/* warfarin                                                                                 */
/* ====================================================================================== */

#define W_AGE 71.0  /* the Hamberg card's reference age (typical CL published at 71 y) */
#define W_HT 170.0  /* IWPC only */
#define W_WT 70.0   /* IWPC only */
#define W_INR0 1.0  /* the card's default baseline INR */
#define W_INR 2.5   /* the middle of INR 2-3 */
#define W_DAYS 180  /* the horizon of the table */
#define W_DAYS2 120 /* the steady-state check */

typedef struct {
    char cyp[16], vk[8];
    int extra; /* beyond the 9 of the acceptance */
    double twin, twin2, inr_at_twin, iwpc_sqrt, iwpc;
} geno_row;

/* The IWPC terms needed, by name, from data/poppk/iwpc_2009.csv. */
static const char *const iwpc_terms[] = {"intercept",  "age_decades",    "height_cm", "weight_kg",
                                         "vkorc1_ag",  "vkorc1_aa",      "cyp2c9_12", "cyp2c9_13",
                                         "cyp2c9_22",  "cyp2c9_23",      "cyp2c9_33", "race_asian",
                                         "race_black", "enzyme_inducer", "amiodarone"};
#define N_IWPC (sizeof iwpc_terms / sizeof *iwpc_terms)

static int iwpc_load(mt_ctx *ctx, char *path, size_t path_len, double *coef)
{
    snprintf(path, path_len, "%s/poppk/iwpc_2009.csv", mt_data_dir());
    mt_csv *csv = NULL;
    if (mt_csv_read(ctx, path, 1u << 20, &csv) != MT_OK)
        return mt_cli_fail("case-study: %s", mt_errmsg(ctx));
    int ct = mt_csv_col(csv, "term"), cc = mt_csv_col(csv, "coefficient"), rc = 0;
    if (ct < 0 || cc < 0)
        rc = mt_cli_fail("case-study: %s: needs the columns term and coefficient", path);
    for (size_t i = 0; i < N_IWPC && !rc; i++) {
        coef[i] = NAN;
        for (size_t r = 0; r < mt_csv_n_rows(csv); r++)
            if (!strcmp(mt_csv_cell(csv, r, (size_t)ct), iwpc_terms[i]) &&
                mt_cli_parse_double(mt_csv_cell(csv, r, (size_t)cc), &coef[i]))
                rc = mt_cli_fail("case-study: %s: the coefficient of %s is not a number", path,
                                 iwpc_terms[i]);
        if (!rc && !isfinite(coef[i]))
            rc = mt_cli_fail("case-study: %s: no term %s", path, iwpc_terms[i]);
    }
    mt_csv_destroy(csv);
    return rc;
}

static double iwpc_coef(const double *coef, const char *term)
{
    for (size_t i = 0; i < N_IWPC; i++)
        if (!strcmp(iwpc_terms[i], term))
            return coef[i];
    return NAN;
}

/* sqrt(weekly dose, mg) of the IWPC algorithm at the reference covariates (White, no inducer,
 * no amiodarone: those indicators are 0). NaN for a genotype the algorithm has no term for. */
static double iwpc_sqrt_weekly(const double *coef, const char *cyp, const char *vk)
{
    static const char *const cyps[][2] = {{"*1/*1", NULL},        {"*1/*2", "cyp2c9_12"},
                                          {"*1/*3", "cyp2c9_13"}, {"*2/*2", "cyp2c9_22"},
                                          {"*2/*3", "cyp2c9_23"}, {"*3/*3", "cyp2c9_33"}};
    double s = iwpc_coef(coef, "intercept") + iwpc_coef(coef, "age_decades") * floor(W_AGE / 10) +
               iwpc_coef(coef, "height_cm") * W_HT + iwpc_coef(coef, "weight_kg") * W_WT;
    if (!strcmp(vk, "GA"))
        s += iwpc_coef(coef, "vkorc1_ag");
    else if (!strcmp(vk, "AA"))
        s += iwpc_coef(coef, "vkorc1_aa");
    else if (strcmp(vk, "GG"))
        return NAN;
    for (size_t i = 0; i < sizeof cyps / sizeof *cyps; i++)
        if (!strcmp(cyp, cyps[i][0]))
            return cyps[i][1] ? s + iwpc_coef(coef, cyps[i][1]) : s;
    return NAN;
}

static int parse_genotypes(const char *list, geno_row *rows, size_t *n)
{
    static const char *const cyps[] = {"*1/*1", "*1/*2", "*1/*3"}, *const vks[] = {"GG", "GA",
                                                                                   "AA"};
    static const char *const extra[] = {"*2/*2", "*2/*3", "*3/*3"};
    *n = 0;
    if (!list) {
        for (size_t i = 0; i < 3; i++)
            for (size_t j = 0; j < 3; j++) {
                snprintf(rows[*n].cyp, sizeof rows[0].cyp, "%s", cyps[i]);
                snprintf(rows[(*n)++].vk, sizeof rows[0].vk, "%s", vks[j]);
            }
        for (size_t i = 0; i < 3; i++) {
            snprintf(rows[*n].cyp, sizeof rows[0].cyp, "%s", extra[i]);
            snprintf(rows[*n].vk, sizeof rows[0].vk, "GA");
            rows[(*n)++].extra = 1;
        }
        return 0;
    }
    const char *p = list;
    while (*p) {
        const char *end = strchr(p, ','), *colon = strchr(p, ':');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (*n == MAX_GENO)
            return mt_cli_fail("case-study: --genotypes: more than %d pairs", MAX_GENO);
        if (!colon || colon >= p + len || (size_t)(colon - p) >= sizeof rows[0].cyp ||
            len - (size_t)(colon - p) - 1 >= sizeof rows[0].vk || colon == p ||
            colon + 1 == p + len)
            return mt_cli_fail("case-study: --genotypes '%s': give CYP2C9:VKORC1 pairs, e.g. "
                               "'*1/*3:GA'",
                               list);
        geno_row *r = &rows[(*n)++];
        memset(r, 0, sizeof *r);
        memcpy(r->cyp, p, (size_t)(colon - p));
        memcpy(r->vk, colon + 1, len - (size_t)(colon - p) - 1);
        p += len + (end ? 1 : 0);
    }
    return *n ? 0 : mt_cli_fail("case-study: --genotypes: no pairs");
}

/* The typical twin's exact daily dose for INR 2.5 after days of dosing; *inr the INR it gives. */
static int twin_dose(mt_ctx *ctx, const mt_poppk *card, const geno_row *g, double days, double *mg,
                     double *inr)
{
    mt_poppk_covariates cov;
    mt_poppk_covariates_init(&cov);
    cov.age_years = W_AGE;
    cov.height_cm = W_HT;
    cov.weight_kg = W_WT;
    cov.baseline_inr = W_INR0;
    if (mt_poppk_covariates_set_genotype(&cov, "CYP2C9", g->cyp) != MT_OK ||
        mt_poppk_covariates_set_genotype(&cov, "VKORC1", g->vk) != MT_OK)
        return mt_cli_fail("case-study: cannot set the genotypes");
    mt_mipd *m = NULL;
    if (mt_mipd_create(ctx, card, &cov, &m) != MT_OK)
        return mt_cli_fail("case-study: warfarin %s %s: %s", g->cyp, g->vk, mt_errmsg(ctx));
    double u[MAX_ETA], mgs[30], tau = 24;
    size_t n = mt_mipd_n_eta(m);
    int rc = 0;
    if (n > MAX_ETA) {
        mt_mipd_destroy(m);
        return mt_cli_fail("case-study: too many random effects");
    }
    for (size_t i = 0; i < n; i++)
        u[i] = log(mt_mipd_typical(m, i));
    for (size_t i = 0; i < 30; i++)
        mgs[i] = 0.5 * (double)(i + 1); /* the oral strengths of `medtwin dose` */
    mt_target tg = {MT_TARGET_INR, 2, 3};
    mt_dose_search sr = {mgs, 30, &tau, 1, 0, 0, 24 * days, u, 1, 1, NULL, NULL, NULL, NULL};
    mt_dose_result res = {0};
    if (mt_mipd_recommend(m, NULL, 0, &tg, &sr, &res) != MT_OK ||
        mt_mipd_metric(m, u, NULL, 0, &tg, res.exact_mg, tau, 0, 0, 24 * days, inr) != MT_OK)
        rc = mt_cli_fail("case-study: warfarin %s %s: %s", g->cyp, g->vk, mt_errmsg(ctx));
    *mg = res.exact_mg;
    mt_dose_result_free(ctx, &res);
    mt_mipd_destroy(m);
    return rc;
}

static int wplot(mt_ctx *ctx, const char *path, const geno_row *rows, size_t n)
{
    double x[MAX_GENO], y[MAX_GENO], x2[MAX_GENO], y2[MAX_GENO];
    size_t n1 = 0, n2 = 0;
    for (size_t i = 0; i < n; i++) {
        if (rows[i].extra) {
            x2[n2] = rows[i].iwpc;
            y2[n2++] = rows[i].twin;
        } else {
            x[n1] = rows[i].iwpc;
            y[n1++] = rows[i].twin;
        }
    }
    mt_plot_points sets[2] = {{"the 9 genotypes", n1, x, y}, {"CYP2C9 *2/*2..*3/*3", n2, x2, y2}};
    static const double lx[2] = {0.1, 30}, up[2] = {0.125, 37.5}, dn[2] = {0.075, 22.5};
    mt_plot_curve cur[3] = {
        {"identity", 2, lx, lx, 0}, {"+-25%", 2, lx, up, 1}, {NULL, 2, lx, dn, 1}};
    mt_plot_xy_options o = {"warfarin: maintenance dose for INR 2.5 per genotype",
                            "IWPC 2009 pharmacogenetic algorithm (mg/day)",
                            "Hamberg 2007 twin, typical (mg/day)",
                            1,
                            1,
                            1,
                            0.5,
                            10,
                            0};
    if (mt_plot_xy(ctx, path, &o, n2 ? 2 : 1, sets, 3, cur) != MT_OK)
        return mt_cli_fail("case-study: plot: %s", mt_errmsg(ctx));
    return 0;
}

static int run_warfarin(mt_ctx *ctx, const cs_args *a)
{
    geno_row rows[MAX_GENO];
    size_t n = 0;
    double coef[N_IWPC];
    char path[4096];
    if (parse_genotypes(a->genotypes, rows, &n))
        return 2;
    if (iwpc_load(ctx, path, sizeof path, coef))
        return 1;
    mt_poppk *card = NULL;
    if (mt_poppk_load(ctx, "warfarin", &card) != MT_OK)
        return mt_cli_fail("case-study: %s", mt_errmsg(ctx));
    int rc = 1;
    json_t *js = NULL;
    size_t n_main = 0, n_within = 0, n_extra_within = 0;
    double worst_ss = 0;
    printf("warfarin case study: typical twin (AGE %g y, baseline INR %g) vs IWPC 2009 (age %g y "
           "= decade %g, %g cm, %g kg, White, no inducer, no amiodarone)\n",
           W_AGE, W_INR0, W_AGE, floor(W_AGE / 10), W_HT, W_WT);
    printf("%-7s %-6s %10s %10s %8s %7s %10s %9s\n", "CYP2C9", "VKORC1", "twin mg/d", "IWPC mg/d",
           "ratio", "+-25%", "120 d mg/d", "INR@twin");
    for (size_t i = 0; i < n; i++) {
        geno_row *g = &rows[i];
        double inr2;
        g->iwpc_sqrt = iwpc_sqrt_weekly(coef, g->cyp, g->vk);
        if (!isfinite(g->iwpc_sqrt)) {
            mt_cli_fail("case-study: the IWPC algorithm has no term for CYP2C9 %s / VKORC1 %s",
                        g->cyp, g->vk);
            goto out;
        }
        g->iwpc = g->iwpc_sqrt * g->iwpc_sqrt / 7;
        if (twin_dose(ctx, card, g, W_DAYS, &g->twin, &g->inr_at_twin) ||
            twin_dose(ctx, card, g, W_DAYS2, &g->twin2, &inr2))
            goto out;
        double ratio = g->twin / g->iwpc;
        int within = ratio >= 0.75 && ratio <= 1.25;
        if (g->extra)
            n_extra_within += within;
        else {
            n_main++;
            n_within += within;
        }
        worst_ss = fmax(worst_ss, fabs(g->twin2 / g->twin - 1));
        printf("%-7s %-6s %10.3f %10.3f %8.3f %7s %10.3f %9.4f%s\n", g->cyp, g->vk, g->twin,
               g->iwpc, ratio, within ? "yes" : "no", g->twin2, g->inr_at_twin,
               g->extra ? "  (extra)" : "");
        fflush(stdout);
    }
    printf("within +-25%% of IWPC: %zu of %zu (the CYP2C9 *1/*1, *1/*2, *1/*3 x VKORC1 rows)\n",
           n_within, n_main);
    printf("steady state: the 120-day dose differs from the 180-day dose by at most %.3f%%\n",
           100 * worst_ss);
    if (a->out) {
        js = json_object();
        json_t *ref = json_object(), *tab = json_array(), *cf = json_object();
        json_object_set_new(js, "study", json_string("warfarin"));
        json_object_set_new(js, "model", json_string(mt_poppk_citation(card)));
        json_object_set_new(js, "iwpc_file", json_string("data/poppk/iwpc_2009.csv"));
        for (size_t i = 0; i < N_IWPC; i++)
            json_object_set_new(cf, iwpc_terms[i], json_real(coef[i]));
        json_object_set_new(js, "iwpc_coefficients", cf);
        json_object_set_new(ref, "age_years", json_real(W_AGE));
        json_object_set_new(ref, "iwpc_age_decade", json_real(floor(W_AGE / 10)));
        json_object_set_new(ref, "height_cm", json_real(W_HT));
        json_object_set_new(ref, "weight_kg", json_real(W_WT));
        json_object_set_new(ref, "race", json_string("White (IWPC reference, all race terms 0)"));
        json_object_set_new(ref, "enzyme_inducer", json_false());
        json_object_set_new(ref, "amiodarone", json_false());
        json_object_set_new(ref, "baseline_inr", json_real(W_INR0));
        json_object_set_new(js, "reference_covariates", ref);
        json_object_set_new(js, "target",
                            json_pack("{s:s,s:f,s:f,s:f,s:f,s:i,s:i}", "kind", "INR", "lo", 2.0,
                                      "hi", 3.0, "exact_for", W_INR, "interval_h", 24.0,
                                      "horizon_days", W_DAYS, "check_horizon_days", W_DAYS2));
        for (size_t i = 0; i < n; i++) {
            const geno_row *g = &rows[i];
            double ratio = g->twin / g->iwpc;
            json_array_append_new(
                tab,
                json_pack("{s:s,s:s,s:b,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:b}", "cyp2c9", g->cyp,
                          "vkorc1", g->vk, "extra", g->extra, "twin_mg_day", num(g->twin),
                          "twin_mg_day_120d", num(g->twin2), "inr_at_twin_dose",
                          num(g->inr_at_twin), "iwpc_sqrt_weekly", num(g->iwpc_sqrt),
                          "iwpc_mg_week", num(g->iwpc * 7), "iwpc_mg_day", num(g->iwpc), "ratio",
                          num(ratio), "within_25pct", ratio >= 0.75 && ratio <= 1.25));
        }
        json_object_set_new(js, "table", tab);
        json_object_set_new(js, "within_25pct",
                            json_pack("{s:i,s:i,s:i}", "main", (int)n_within, "of", (int)n_main,
                                      "extra", (int)n_extra_within));
        json_object_set_new(js, "steady_state_max_rel_diff_120_vs_180", json_real(worst_ss));
        if (mt_cli_write_atomic(a->out, write_json, js))
            goto out;
    }
    if (a->plot && wplot(ctx, a->plot, rows, n))
        goto out;
    rc = 0;
out:
    json_decref(js);
    mt_poppk_destroy(card);
    return rc;
}

int mt_cmd_case_study(int argc, char **argv)
{
    cs_args a = {NULL, NULL, NULL, NULL, 0, 1, 0, 0};
    if (parse_args(argc, argv, &a))
        return 2;
    mt_ctx *ctx = NULL;
    if (mt_ctx_create(&ctx) != MT_OK)
        return mt_cli_fail("case-study: cannot create a context");
    int rc = !strcmp(a.study, "vancomycin") ? run_vancomycin(ctx, &a) : run_warfarin(ctx, &a);
    mt_ctx_destroy(ctx);
    return rc;
}
