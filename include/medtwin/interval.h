/* SPDX-License-Identifier: Apache-2.0
 *
 * medtwin/interval.h — how sure the twin is: a population prediction interval around a
 * person's prediction (medtwin/predict.h).
 *
 * The twin of one person is computed from what the profile states. What it does not state
 * (a genotype not tested, a weight or a creatinine not measured) the typical twin takes at a
 * reference value. The interval shows what that leaves open: n virtual people who share
 * every fact the profile gives are drawn from a population (medtwin/cohort.h: sex as given,
 * age within +-half_width years of the person's, and the population's distributions for every
 * fact the profile lacks: genotypes by Hardy-Weinberg from the allele frequencies,
 * height and weight from the sex and age band, kidney function from the band's eGFR). Each gets
 * its own twin (mt_predictor_derive), and the interval is the central `level` share of their
 * predicted concentrations, time by time, and of their exposure metrics. A profile that states
 * every fact the drugs' cards use gives an interval of zero width. The drug cards carry no
 * parameter variability yet (docs/interval.md); when they do, it belongs here.
 *
 * Thread safety: as medtwin/predict.h (one predictor, one thread).
 */
#ifndef MEDTWIN_INTERVAL_H
#define MEDTWIN_INTERVAL_H
#include "predict.h"
#include "profile.h"
#include "twin.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Zero-initialised fields take the defaults. */
typedef struct {
    size_t n;               /* virtual people (0: 200; at most 100000) */
    double level;           /* central share, 0 < level < 1 (0: 0.90) */
    uint64_t seed;          /* the population stream (0: 1) */
    double half_width;      /* years around the person's age (0: 2.5) */
    const char *population; /* population id (NULL: "european") */
} mt_interval_options;

/* One exposure metric across the virtual people: the interval's ends and the median. */
typedef struct {
    double lo, median, hi;
} mt_interval_metric;

typedef struct {
    char drug[64];
    double *lo, *median, *hi; /* n_times plasma concentrations (mg/L), owned */
    mt_interval_metric auc_0_24, auc_0_last, cmax, ctrough;
} mt_interval_drug;

typedef struct {
    double level;
    size_t n_people; /* virtual people simulated */
    size_t n_times;  /* the prediction's grid (mt_prediction.time_h) */
    size_t n_drugs;
    mt_interval_drug *drugs; /* owned, in the prediction's order */
    /* what was drawn: the profile fields and genes the person's profile does not state, e.g.
     * "height_cm, weight_kg, genotype CYP2C19"; "" when nothing was */
    char drawn[512];
} mt_interval;

void mt_interval_clear(mt_interval *r);

/* Re-applies the caller's own values (given or set parameters) after each virtual person's
 * twin is derived; NULL: none. Returns MT_OK or an error (reported as the interval's error). */
typedef mt_status (*mt_interval_apply_fn)(void *ud, mt_predictor *p);

/* The interval around person's prediction with predictor p (made by mt_predictor_create_ddi
 * for the person's regimens). Derives and runs p once per virtual person, so p's values are
 * those of the last virtual person on return: run the person's own prediction first (and take
 * its twin, mt_predictor_take_twin), or derive again. t: the twin tables (NULL: loaded).
 * o: run settings as mt_predictor_run. OUT: *out (cleared first). MT_EINVAL for bad options
 * (named), a person without sex or age; codes of mt_population_load, mt_predictor_derive and
 * mt_predictor_run for the first virtual person that fails (the message names it); MT_ENOMEM. */
MT_NODISCARD mt_status mt_predict_interval(mt_ctx *ctx, mt_predictor *p, const mt_twin_tables *t,
                                           const mt_profile *person, const mt_predict_options *o,
                                           const mt_interval_options *io,
                                           mt_interval_apply_fn apply, void *apply_ud,
                                           mt_interval *out);

#ifdef __cplusplus
}
#endif
#endif
