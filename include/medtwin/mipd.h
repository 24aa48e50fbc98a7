/* SPDX-License-Identifier: Apache-2.0
 *
 * medtwin/mipd.h — model-informed precision dosing on a population-PK twin (docs/fitting.md):
 * a published population model (medtwin/poppk.h) made individual by the patient's covariates is
 * the prior; the patient's own drug levels (and INR) update it to a Bayesian MAP posterior
 * with a Laplace covariance (sampling-importance-resampling as a check); the posterior predicts
 * exposure under candidate regimens.
 *
 * The random effects: every card parameter with inter-individual variability is estimated on the
 * log scale, u_i = log theta_i, with the prior N(log typical_i(covariates), Omega); the others
 * stay at their typical values. The residual error is the card's (fixed).
 */
#ifndef MEDTWIN_MIPD_H
#define MEDTWIN_MIPD_H

#include "fit.h"
#include "poppk.h"

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mt_mipd mt_mipd;

/* A twin of card for covariates cov. MT_EINVAL (naming it) for a covariate the card needs
 * and cov lacks. OUT: *out. */
MT_NODISCARD mt_status mt_mipd_create(mt_ctx *ctx, const mt_poppk *card,
                                      const mt_poppk_covariates *cov, mt_mipd **out);
void mt_mipd_destroy(mt_mipd *m);

const mt_poppk *mt_mipd_card(const mt_mipd *m);
/* The random effects: count, names (card parameter names), typical values (natural scale, for
 * the covariates) and Omega (n x n, log scale). */
size_t mt_mipd_n_eta(const mt_mipd *m);
const char *mt_mipd_eta_name(const mt_mipd *m, size_t i);
double mt_mipd_typical(const mt_mipd *m, size_t i);
const double *mt_mipd_omega(const mt_mipd *m);
/* 1 when the card has an INR model. */
int mt_mipd_has_inr(const mt_mipd *m);

/* A dose (mg, into the card's dose target: IV as a bolus or an infusion over duration_h, oral
 * into the depot) and a measured level (mg/L; or the INR with inr 1). */
typedef struct {
    double time_h, amount_mg, duration_h;
} mt_mipd_dose;
typedef struct {
    double time_h;
    int inr;
    double value;
} mt_mipd_level;

/* The posterior of the random effects: MAP estimate u (n_eta, log scale), its Laplace
 * covariance, the fit's status and message. With no levels it is the prior. */
typedef struct {
    size_t n_eta;
    double *u, *cov;
    double *theta; /* exp(u) */
    mt_fit_status status;
    char message[512];
    double objective;
    int n_levels;
} mt_mipd_posterior;
void mt_mipd_posterior_free(mt_ctx *ctx, mt_mipd_posterior *p);

/* The MAP fit to the levels (n_levels may be 0). Doses and levels in any order; times in hours
 * from the first dose or earlier (>= the earliest dose). MT_EINVAL naming it: a level before
 * every dose is fine, a non-positive level, an INR level for a card without INR, a dose that
 * is not positive. A fit that does not converge returns MT_OK with that status. */
MT_NODISCARD mt_status mt_mipd_fit(mt_mipd *m, const mt_mipd_dose *doses, size_t n_doses,
                                   const mt_mipd_level *levels, size_t n_levels,
                                   mt_mipd_posterior *post);

/* n draws of u from the posterior's normal approximation N(u, cov) (seeded: the same seed gives
 * the same draws): draws[k * n_eta + i]. */
MT_NODISCARD mt_status mt_mipd_draw(mt_mipd *m, const mt_mipd_posterior *post, size_t n,
                                    uint64_t seed, double *draws);

/* Sampling-importance-resampling: n_proposal draws from N(u, 2 cov), weighted by the exact
 * posterior over the proposal, resampled to n_resample (draws[k * n_eta + i]); *ess the
 * effective sample size of the weights. Needs the levels of the last mt_mipd_fit. */
MT_NODISCARD mt_status mt_mipd_sir(mt_mipd *m, const mt_mipd_posterior *post, size_t n_proposal,
                                   size_t n_resample, uint64_t seed, double *draws, double *ess);

/* Simulates the twin with random effects u (n_eta, log scale; NULL: the typical values) under
 * the doses, at n_times ascending times: conc[k] in mg/L and, when the card has an INR model
 * and inr is not NULL, inr[k]. */
MT_NODISCARD mt_status mt_mipd_simulate(mt_mipd *m, const double *u, const mt_mipd_dose *doses,
                                        size_t n_doses, const double *times, size_t n_times,
                                        double *conc, double *inr);

/* ---------- dose finding ---------- */

/* A target: the AUC over the last 24 h of the horizon (mg*h/L), the trough (before the next
 * dose), the peak (end of the last infusion, or the last dose), or the INR before the next
 * dose, within [lo, hi]. */
typedef enum {
    MT_TARGET_AUC24 = 0,
    MT_TARGET_TROUGH,
    MT_TARGET_PEAK,
    MT_TARGET_INR
} mt_target_kind;
typedef struct {
    mt_target_kind kind;
    double lo, hi;
} mt_target;
/* "auc24 400-600", "trough 10-15", "peak 30-40", "inr 2-3". MT_EINVAL naming what is wrong. */
MT_NODISCARD mt_status mt_target_parse(mt_ctx *ctx, const char *text, mt_target *out);
const char *mt_target_name(mt_target_kind kind); /* "AUC24", "trough", "peak", "INR" */

/* The target's quantity for random effects u (NULL: typical) after the history and then mg
 * every interval_h (infusions of infusion_h; 0 for oral or bolus) from start_h for horizon_h
 * (mg 0: the history alone). */
MT_NODISCARD mt_status mt_mipd_metric(mt_mipd *m, const double *u, const mt_mipd_dose *history,
                                      size_t n_history, const mt_target *target, double mg,
                                      double interval_h, double infusion_h, double start_h,
                                      double horizon_h, double *out);

/* A search over doses x intervals. draws: n_draws x n_eta posterior draws; the probability of
 * target attainment (PTA) of a regimen is the fraction of draws whose quantity is in the target.
 * typical 1: draws is one point (the MAP or typical u) and regimens are ranked by the distance
 * of their quantity from the middle of the target; the exact (unrounded) dose for the middle is
 * found too. progress: called after each regimen (NULL: none). */
typedef struct {
    const double *doses_mg;
    size_t n_doses;
    const double *intervals_h;
    size_t n_intervals;
    double infusion_h, start_h, horizon_h;
    const double *draws;
    size_t n_draws;
    int typical;
    void (*progress)(size_t done, size_t total, void *arg);
    void *progress_arg;
    /* cancellation (may be NULL): asked before each simulation of a draw; non-zero stops the
     * search with MT_ELIMIT "dose: cancelled" (the node's job queue) */
    int (*cancelled)(void *arg);
    void *cancelled_arg;
} mt_dose_search;

typedef struct {
    double dose_mg, interval_h;
    double pta;          /* NaN in typical mode */
    double p5, p50, p95; /* of the quantity over the draws */
} mt_dose_candidate;

/* Candidates best first: the highest PTA; within 2 percentage points of it, the longest
 * interval (fewer administrations), then the lowest daily dose. exact_mg: typical mode only. */
typedef struct {
    size_t n;
    mt_dose_candidate *cand;
    double exact_mg;
    int linear; /* the quantity was found linear in the dose (superposition used) */
} mt_dose_result;
void mt_dose_result_free(mt_ctx *ctx, mt_dose_result *r);

/* PK targets of a linear model are linear in the dose: per draw and interval, the history's
 * contribution h and the unit regimen's u give every dose as h + mg (u - h) (checked on the
 * first draw; without linearity every regimen is simulated). */
MT_NODISCARD mt_status mt_mipd_recommend(mt_mipd *m, const mt_mipd_dose *history, size_t n_history,
                                         const mt_target *target, const mt_dose_search *search,
                                         mt_dose_result *out);

#ifdef __cplusplus
}
#endif
#endif
