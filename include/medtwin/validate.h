/* SPDX-License-Identifier: Apache-2.0
 *
 * medtwin/validate.h — the measures by which PBPK predictions are judged against
 * clinical observations: AUC by linear trapezoids at given times (the same times on the
 * observed and the predicted side), fold errors and their summary (geometric mean fold
 * error, share within 1.25-, 1.5- and 2-fold), and the Guest criterion for interaction
 * ratios (Guest EJ, Aarons L, Houston JB, Rostami-Hodjegan A, Galetin A. Critique of the
 * two-fold measure of prediction success for ratios: application for the assessment of
 * drug-drug interactions. Drug Metab Dispos 2011;39:170-173).
 *
 * Pure functions of their arguments; thread-safe. The floors file of `medtwin qualify`
 * (src/therapy/validate_floors.c) is parsed with a context for its messages.
 */
#ifndef MEDTWIN_VALIDATE_H
#define MEDTWIN_VALIDATE_H

#include "error.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Linear-trapezoid area under c(t) over the n points (times increasing). Points whose time
 * or value is not finite are skipped. NaN with fewer than 2 usable points. */
double mt_validate_auc(size_t n, const double *t, const double *c);

/* The same over [t0, t1] (t1 may be +Inf: to the last point), with c linearly interpolated
 * at t0 and t1 when they fall between points. NaN when the window holds no interval of the
 * data (t1 <= t0, or t0 beyond the last point). */
double mt_validate_auc_window(size_t n, const double *t, const double *c, double t0, double t1);

/* Highest finite value of c over the points with t0 <= t <= t1; NaN if none. */
double mt_validate_max_window(size_t n, const double *t, const double *c, double t0, double t1);

/* Summary of fold errors pred/obs over the pairs where both are finite and > 0. */
typedef struct {
    size_t n;          /* pairs used */
    double gmfe;       /* 10^(mean |log10(pred/obs)|); NaN when n == 0 */
    double bias;       /* 10^(mean log10(pred/obs)) (geometric mean fold, signed) */
    double within_125; /* share (0..1) with 1/1.25 <= pred/obs <= 1.25 */
    double within_15;  /* ... 1.5 */
    double within_2;   /* ... 2 */
    size_t n_125, n_15, n_2;
} mt_fold_summary;

void mt_validate_folds(size_t n, const double *pred, const double *obs, mt_fold_summary *out);

/* Guest limit for an observed ratio r_obs > 0: with R = r_obs (or 1/r_obs below 1),
 * limit = (1 + 2 (R - 1)) / R. NaN for a ratio that is not finite and positive. */
double mt_validate_guest_limit(double r_obs);

/* 1 if r_pred lies within [r_obs / limit, r_obs * limit], 0 if not, -1 if either ratio is
 * not finite and positive. */
int mt_validate_guest_within(double r_obs, double r_pred);

/* A committed lower (floor) or upper (ceiling) limit on one figure of a qualification run:
 * `medtwin qualify --check FILE` fails when a figure is below its floor or above its ceiling
 * (docs/qualification.md). */
typedef struct {
    char set[48];    /* "midazolam", "ddi", "ddi_Induction", ... */
    char figure[64]; /* "auc_within_2fold_pct_heldout", ... */
    int ceiling;     /* 0: the figure must be >= limit; 1: <= limit */
    double limit;    /* finite */
} mt_validate_floor;

typedef struct {
    size_t n;
    mt_validate_floor *v;
} mt_validate_floors;

/* Parses a floors file (CSV with the columns set, figure, kind, limit; kind "floor" or
 * "ceiling"; set and figure of letters, digits, '_', '.' and '-'; no (set, figure) twice; at
 * least one row). name is used in messages. OUT: *out (mt_validate_floors_clear), empty on
 * failure. MT_EPARSE naming the row and the cell that is wrong, MT_ENOMEM. */
MT_NODISCARD mt_status mt_validate_floors_parse(mt_ctx *ctx, const char *text, size_t len,
                                                const char *name, mt_validate_floors *out);
void mt_validate_floors_clear(mt_validate_floors *f);

/* 1 if value meets the limit (NaN never does), else 0. */
int mt_validate_floor_met(const mt_validate_floor *f, double value);

#ifdef __cplusplus
}
#endif
#endif
