/* SPDX-License-Identifier: Apache-2.0
 *
 * medtwin/fit.h — fitting a model to a person's measurements: maximum likelihood (least
 * squares) and Bayesian maximum a posteriori (MAP) estimates of model parameters, with their
 * uncertainty (docs/fitting.md).
 *
 * The model is any SBML model compiled into an mt_sim workspace. A subject (mt_fit_subject)
 * is a dosing history (mt_sim_dose), covariate values (overrides of constant symbols) and
 * observations of model symbols at times, some of them below a limit of quantification.
 *
 * The objective is -2 log-likelihood (+ -2 log prior), up to a constant:
 *   sum_i [ (y_i - f_i)^2 / s_i^2 + log s_i^2 ]                 quantified observation
 *   sum_i [ -2 log Phi((LLOQ_i - f_i) / s_i) ]                  below the LLOQ (Beal's M3)
 *   (u - mu)' Omega^-1 (u - mu)                                  Gaussian prior on u
 * with s_i^2 = a^2 (additive), (b f_i)^2 (proportional) or a^2 + (b f_i)^2 (combined) and u the
 * parameters on their estimation scale (log for log-transformed ones).
 *
 * Two optimisers, both GSL's:
 *   - additive error with no observation below the LLOQ: a nonlinear least-squares problem
 *     (GSL multifit_nlinear, trust-region Levenberg-Marquardt), with the prior as extra
 *     residuals L^-1 (u - mu) (Omega = L L'). With a free additive SD and no prior this is
 *     ordinary (unweighted) least squares; the SD is then sqrt(SSR / (n - p)) and the standard
 *     errors s^2 (J'J)^-1, as R's nls reports them;
 *   - otherwise the whole objective by quasi-Newton minimisation (GSL vector_bfgs2), the
 *     error parameters (log a, log b) estimated with the model's unless fixed; the covariance
 *     is 2 H^-1 with H the Hessian of the objective by differences of its gradient.
 * Gradients: the predictions' derivatives with respect to the parameters come from CVODES
 * forward sensitivities (mt_sim_run_doses_sens).
 *
 * Every estimate comes with a status. Not converged, or a parameter the data do not determine
 * (a zero or collinear sensitivity: the Fisher information is singular) is reported as such,
 * naming the parameter, never as a silent estimate.
 */
#ifndef MEDTWIN_FIT_H
#define MEDTWIN_FIT_H

#include "csv.h"
#include "sim.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { MT_ERR_ADDITIVE = 1, MT_ERR_PROPORTIONAL = 2, MT_ERR_COMBINED = 3 } mt_error_model;

/* One observation: `output` indexes the problem's observed symbols. A record below the LLOQ
 * has blq 1 and value = the LLOQ. */
typedef struct {
    double time;
    int output;
    double value;
    int blq;
} mt_fit_obs;

/* One subject: observations sorted by time, doses sorted by time, covariates (indices from
 * mt_sim_find, set before each run). */
typedef struct {
    char *id;
    size_t n_obs;
    mt_fit_obs *obs;
    size_t n_doses;
    mt_sim_dose *doses;
    size_t n_cov;
    int *cov_index;
    double *cov_value;
    char **cov_name;
} mt_fit_subject;

/* A data set: subjects and the observed symbols (in output order). */
typedef struct {
    size_t n_subjects;
    mt_fit_subject *subjects;
    size_t n_outputs;
    char **outputs;
    double t0; /* the start of every subject's run: min(0, the earliest time) */
} mt_fit_data;

/* How a data file's columns are read (docs/fitting.md). rename: "data=role" pairs (roles: id,
 * time, dv, amt, rate, dur, cmt, evid, mdv, lloq, blq, or a model symbol); ignore: columns to
 * skip; cmt: "number=symbol" pairs for a CMT column; dose_into: the symbol that doses go into
 * when there is no CMT column (NULL: a dose column is an error); observe: the symbol a DV
 * column measures when there is no CMT column. lloq: one LLOQ for every observation (NAN:
 * none, or the lloq column). */
typedef struct {
    const char *rename;
    const char *ignore;
    const char *cmt;
    const char *dose_into;
    const char *observe;
    double lloq;
} mt_fit_columns;

/* Reads a data set (mt_csv) for the model of sim. Two layouts:
 *   wide: a time column, one column per observed model symbol (empty cell: not observed),
 *         columns naming constant symbols are covariates (constant within a subject);
 *   event (NONMEM-style, when there is a dv column): id, time, dv, amt, evid, cmt, mdv, rate,
 *         dur, ii, addl; a dose is a row with amt > 0 (evid 1, 4 or 101, or no evid column).
 * An optional id column gives one subject per id (in order of first appearance).
 * MT_EINVAL naming the column/row: a column that names no model symbol and no role, a
 * non-numeric or impossible cell, a covariate that changes within a subject, a dose into a
 * symbol that is not a state, an unknown CMT. OUT: *out (mt_fit_data_destroy). */
MT_NODISCARD mt_status mt_fit_data_read(mt_ctx *ctx, const mt_csv *csv, mt_sim *sim,
                                        const mt_fit_columns *cols, mt_fit_data **out);
void mt_fit_data_destroy(mt_ctx *ctx, mt_fit_data *d);
/* Sets the constant symbol id to value for every subject (a fixed value; a subject's own
 * covariate of that name is replaced). MT_EINVAL: not a settable constant of the model. */
MT_NODISCARD mt_status mt_fit_data_set_covariate(mt_ctx *ctx, mt_fit_data *d, mt_sim *sim,
                                                 const char *id, double value);

/* An estimated parameter. init NAN: the model's own value. Bounds on the natural scale
 * (-INFINITY/INFINITY: none; a log parameter needs lower >= 0). prior_sd > 0: a Gaussian prior
 * N(prior_mean, prior_sd^2) on the estimation scale (log for log parameters), unless the problem
 * gives a full covariance. */
typedef struct {
    const char *name;
    int log;
    double lower, upper;
    double init;
    double prior_mean, prior_sd;
} mt_fit_param;

typedef struct {
    size_t n_par;
    const mt_fit_param *par;
    /* prior: a full covariance (n_par x n_par, row-major) of the estimation-scale parameters,
     * overriding prior_sd; NULL for independent priors */
    const double *prior_cov;
    mt_error_model error;
    double sigma_add;  /* additive SD; NAN: estimated */
    double sigma_prop; /* proportional CV (fraction); NAN: estimated */
    /* per observed symbol (n_outputs of the data, in their order): a fixed combined error
     * add^2 + (prop f)^2 for each, overriding error/sigma_add/sigma_prop (several analytes
     * with their own errors, e.g. a drug level and the INR); NULL: one error model */
    const double *out_sigma_add, *out_sigma_prop;
    int max_iter;         /* 0: 200 */
    int no_sensitivities; /* 1: finite differences of the predictions instead of CVODES'
                           * sensitivities (a check, and the benchmark's comparison) */
} mt_fit_problem;

typedef enum {
    MT_FIT_CONVERGED = 0,
    MT_FIT_NOT_CONVERGED = 1,  /* iteration limit or no progress */
    MT_FIT_UNIDENTIFIABLE = 2, /* singular Fisher information: see message */
    MT_FIT_FAILED = 3          /* the model could not be solved near the estimates */
} mt_fit_status;

typedef struct {
    mt_fit_status status;
    char message[512];
    int iterations;
    size_t n_par, n_obs;
    double *est;                  /* natural scale */
    double *u;                    /* estimation scale */
    double *se_u;                 /* standard errors on the estimation scale */
    double *se;                   /* natural scale (delta method) */
    double *cov_u;                /* covariance on the estimation scale, n_par x n_par */
    double *corr;                 /* correlation, n_par x n_par */
    double objective;             /* -2 log-likelihood (+ -2 log prior), constants included */
    double ssr;                   /* sum of squared residuals of the quantified observations */
    double sigma_add, sigma_prop; /* the error model's values (estimated or fixed) */
    int sigma_add_estimated, sigma_prop_estimated;
    double *pred; /* n_obs predictions at the subject's observations */
    double cond;  /* condition number of the scaled Fisher information */
} mt_fit_result;

/* Fits one subject. The workspace's outputs are replaced by the data's observed symbols and its
 * overrides by the subject's covariates and the estimates (all cleared on return). MT_EINVAL
 * naming it: an unknown or unsettable parameter, a non-positive init or bound of a log
 * parameter, an observation <= 0 under a proportional error model with a log... (see
 * docs/fitting.md), fewer observations than parameters. A fit that does not converge or is
 * unidentifiable returns MT_OK with that status. OUT: *out (mt_fit_result_destroy). */
MT_NODISCARD mt_status mt_fit_subject_run(mt_ctx *ctx, mt_sim *sim, const mt_fit_problem *pb,
                                          const mt_fit_data *d, size_t subject,
                                          mt_fit_result **out);
void mt_fit_result_destroy(mt_ctx *ctx, mt_fit_result *r);

/* The objective (-2 log-likelihood + -2 log prior, constants included) at estimation-scale
 * values u (n_par) with the problem's error parameters (which must be fixed or given through
 * sigma_add/sigma_prop): for checks (grids of the posterior) and profiles. */
MT_NODISCARD mt_status mt_fit_objective(mt_ctx *ctx, mt_sim *sim, const mt_fit_problem *pb,
                                        const mt_fit_data *d, size_t subject, const double *u,
                                        double *objective);

/* Predictions of a subject's observed symbols at the given times (ascending) with the
 * parameters at natural-scale values est (n_par of the problem): pred[k * n_outputs + j]. */
MT_NODISCARD mt_status mt_fit_predict(mt_ctx *ctx, mt_sim *sim, const mt_fit_problem *pb,
                                      const mt_fit_data *d, size_t subject, const double *est,
                                      const double *times, size_t n_times, double *pred);

#ifdef __cplusplus
}
#endif
#endif
