/* SPDX-License-Identifier: Apache-2.0
 *
 * medtwin/predict.h — running a twin: regimens -> whole-body PBPK model (medtwin/pbpk.h,
 * compiled once) -> parameter values (derived from a person and the drug cards with
 * mt_twin_params(), or given by builder id) -> plasma concentration curves and exposure
 * metrics (medtwin/exposure.h), or concentrations at chosen times.
 *
 * A predictor is one regimen structure (its drugs and doses) compiled once; its parameter
 * values may be changed and the twin re-run as often as wanted (a cohort, a fit, a
 * validation set) without rebuilding: each run costs one ODE integration. Values are kept
 * in the order they were set, a later value of the same id replacing the earlier one, so
 * "derived, then --given, then --set" is simply three calls in that order.
 *
 * Use:
 *   mt_predictor_create(ctx, n, regimens, &p);
 *   mt_predictor_derive(p, tables, person, NULL);  // or mt_predictor_defaults(p)
 *   mt_predictor_set(p, "CL_H", 12.0);             // overrides, by builder id
 *   mt_predictor_run(p, &options, &prediction);    // curves + metrics
 *   mt_predictor_sample(p, n_t, times, conc);      // exact values at given times
 * or mt_predict() for the whole chain once.
 *
 * Thread safety: a predictor is one simulation workspace (not thread-safe); use one per
 * thread. It allocates through the ctx it was created with: destroy it before the ctx.
 */
#ifndef MEDTWIN_PREDICT_H
#define MEDTWIN_PREDICT_H

#include "exposure.h"
#include "regimen.h"
#include "twin.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mt_predictor mt_predictor;

/* Run settings; zero-initialised fields take the defaults. */
typedef struct {
    double until_h; /* end of the prediction (> 0; 0: 24 h) */
    long steps;     /* output intervals (0: one per minute) */
    double rtol;    /* solver tolerances (0: 1e-6 relative, 1e-9 mg absolute) */
    double atol;
} mt_predict_options;

/* One drug's predicted plasma course. */
typedef struct {
    char drug[64];
    double *conc_mg_l; /* n_times plasma concentrations (mg/L) on the output grid, owned */
    /* The course the exposure is computed on: the grid, plus for each IV bolus after the
     * start the concentration just before it (dose time - 1e-9 h) and at it, so that no
     * trapezoid spans the jump (on the grid alone the interval ending at a bolus would count
     * half the jump). Owned; the same values as the grid when there is no such bolus. */
    size_t n_course;
    double *course_t, *course_c;
    mt_exposure exposure; /* of the course; trough just before the dose after the last one */
    /* The amount excreted unchanged in urine so far (mg) on the output grid, owned; NULL when
     * the twin does not integrate it (it does for a drug with an efflux: medtwin/pbpk.h). */
    double *urine_mg;
} mt_predicted_drug;

/* A run's result (caller-owned storage; mt_prediction_clear releases it). */
typedef struct {
    size_t n_times;
    double *time_h; /* owned */
    size_t n_drugs;
    mt_predicted_drug *drugs; /* in regimen order, then the metabolites; owned */
    /* The person's derived twin (parameters with provenance, report facts); empty when the
     * values were given, not derived. Filled by mt_predict(); mt_predictor_run() leaves it
     * empty (see mt_predictor_twin()). */
    mt_twin_param_list twin;
} mt_prediction;

void mt_prediction_clear(mt_prediction *r);

/* Builds and compiles the model of n_regimens regimens (one per drug, distinct drugs; the
 * doses are copied). OUT: *out (mt_predictor_destroy), NULL on failure. MT_EINVAL for no
 * regimen, a drug in two regimens, or what mt_pbpk_build() refuses; MT_ENOMEM. */
MT_NODISCARD mt_status mt_predictor_create(mt_ctx *ctx, size_t n_regimens,
                                           const mt_regimen *regimens, mt_predictor **out);
/* The same with what the regimen's drug cards describe beyond each drug alone: the metabolites
 * they name (mt_twin_regimen_drugs: added after the dosed drugs, without doses, each with its
 * own card; one that cannot be simulated is left out with a note, mt_predictor_notes), the
 * hepatic drug-drug interactions among all of them and the metabolites' formation
 * (mt_twin_ddi_describe -> mt_pbpk_build_ddi); mt_predictor_derive then also derives the
 * interaction and formation parameters (mt_twin_params_ddi). t: the twin tables (NULL: loaded
 * for this call). cards: one per regimen, in order, kept borrowed for the predictor's life;
 * NULL: loaded by drug name from the data folder (codes of mt_drugcard_load, e.g. MT_ENOTFOUND
 * "unknown drug"). A regimen without interactions or metabolites gives exactly
 * mt_predictor_create's model. Codes of mt_twin_regimen_drugs too (a metabolite cycle, more
 * than 32 drugs). */
MT_NODISCARD mt_status mt_predictor_create_ddi(mt_ctx *ctx, const mt_twin_tables *t,
                                               size_t n_regimens, const mt_regimen *regimens,
                                               const mt_drugcard *const *cards, mt_predictor **out);
/* NULL is a no-op. */
void mt_predictor_destroy(mt_predictor *p);
/* 1 if the model has the interactions of mt_predictor_create_ddi and at least one pathway of
 * drug i is the target of an interaction (its hepatic clearance can change), else 0. */
int mt_predictor_interacts(const mt_predictor *p, size_t drug);

/* Every drug of the model: the dosed ones in regimen order, then the metabolites. */
size_t mt_predictor_n_drugs(const mt_predictor *p);
size_t mt_predictor_n_dosed(const mt_predictor *p);
const char *mt_predictor_drug(const mt_predictor *p, size_t i); /* NULL past the end */
/* create_ddi: the metabolites the cards name that are not simulated, as facts
 * ("metabolite.<parent>.<name>", text "not simulated", how = why); NULL otherwise. Borrowed. */
const mt_twin_param_list *mt_predictor_notes(const mt_predictor *p);
/* The model (borrowed): for mt_model_export_sbml() with the values below. */
const mt_model *mt_predictor_model(const mt_predictor *p);

/* The values that are definitions, not data, for a twin without a person: complete oral
 * bioavailability F = 1 and blood:plasma ratio BP = 1 for every drug. MT_ENOMEM. */
MT_NODISCARD mt_status mt_predictor_defaults(mt_predictor *p);

/* Derives every parameter from a person and the drug cards (mt_twin_params(), or
 * mt_twin_params_ddi() for a predictor made by mt_predictor_create_ddi(); oral absorption
 * parameters only for drugs given by mouth). cards: one per drug in regimen order, or NULL
 * to use the predictor's own (create_ddi) or load them by drug name. The derived list is kept
 * (mt_predictor_twin()) and its values are set. Codes and messages of mt_drugcard_load()
 * and mt_twin_params(); on failure no value is changed. */
MT_NODISCARD mt_status mt_predictor_derive(mt_predictor *p, const mt_twin_tables *t,
                                           const mt_profile *person,
                                           const mt_drugcard *const *cards);
/* The last derived twin (borrowed, empty before a derive). */
const mt_twin_param_list *mt_predictor_twin(const mt_predictor *p);
/* Moves the derived twin to *out (the predictor keeps its values, not the list). */
void mt_predictor_take_twin(mt_predictor *p, mt_twin_param_list *out);

/* Sets one parameter by builder id. An id the model lacks is tried with each drug's suffix
 * (id_<drug>), so "CL_H" sets CL_H_<d> of every drug. MT_ENOTFOUND (message names the id)
 * if no symbol takes it; MT_EINVAL for a non-finite value; MT_ENOMEM. */
MT_NODISCARD mt_status mt_predictor_set(mt_predictor *p, const char *id, double value);
/* Forgets every value (derived, default or set); the derived twin list too. */
void mt_predictor_clear_values(mt_predictor *p);

/* The values set, in the order first set (borrowed, valid until the next set/derive). */
size_t mt_predictor_n_values(const mt_predictor *p);
const char *const *mt_predictor_value_ids(const mt_predictor *p);
const double *mt_predictor_values(const mt_predictor *p);

/* MT_EINVAL "the twin is incomplete: '<id>' has no value at the start time" when a
 * parameter is still unset. */
MT_NODISCARD mt_status mt_predictor_check(mt_predictor *p);

/* Runs the twin from 0 to o->until_h. OUT: *out filled (cleared first). MT_EINVAL for an
 * incomplete twin (as mt_predictor_check(), or a concentration that comes out undefined),
 * bad options; MT_ESOLVER; MT_ENOMEM. */
MT_NODISCARD mt_status mt_predictor_run(mt_predictor *p, const mt_predict_options *o,
                                        mt_prediction *out);

/* The plasma concentrations at n_times times (h, >= 0, any order), each integrated from 0
 * to that time (no interpolation). OUT: conc_mg_l[i * n_drugs + d] for time i and drug d.
 * o: tolerances (NULL: defaults). Codes as mt_predictor_run(). Cost: one integration per
 * distinct time. */
MT_NODISCARD mt_status mt_predictor_sample(mt_predictor *p, const mt_predict_options *o,
                                           size_t n_times, const double *times, double *conc_mg_l);

/* The whole chain once: builds the regimens' twin, derives its values from person (t and
 * person non-NULL; cards loaded by name; the model has the interactions the cards describe,
 * mt_predictor_create_ddi) or, with person NULL, takes the definitions of
 * mt_predictor_defaults(); then sets n_set given values (ids, values; n_set may be 0) and
 * runs it. OUT: *out with the derived twin list. Codes as the steps above. */
MT_NODISCARD mt_status mt_predict(mt_ctx *ctx, const mt_twin_tables *t, const mt_profile *person,
                                  size_t n_regimens, const mt_regimen *regimens, size_t n_set,
                                  const char *const *set_ids, const double *set_values,
                                  const mt_predict_options *o, mt_prediction *out);

#ifdef __cplusplus
}
#endif
#endif
