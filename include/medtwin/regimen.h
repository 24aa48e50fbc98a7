/* SPDX-License-Identifier: Apache-2.0
 *
 * medtwin/regimen.h — dosing regimens written as text, the way a clinician
 * writes them:
 *
 *   DRUG DOSE UNIT ROUTE SCHEDULE [x N d | x N doses] [at T h|min] [as FORMULATION]
 *
 *   omeprazole 20 mg po once
 *   clarithromycin 500 mg po q12h x 5d
 *   vancomycin 1 g ivinf over 60 min q12h x 4 doses at 2 h
 *   midazolam 0.05 mg/kg iv once
 *
 * DOSE UNIT: g, mg, ug (mcg), or per kg body weight (mg/kg, ug/kg).
 * ROUTE: po (oral), iv (bolus), ivinf over N min|h (infusion).
 * SCHEDULE: once, or qNh (every N hours). A repeated regimen without a
 * count runs until the end of the simulation. `at` shifts the first dose.
 * `as` names an oral formulation of the drug's card (absorption.formulations, e.g.
 * "itraconazole 200 mg po q24h x 7d as capsule_fed"; docs/absorption.md); without it an oral
 * dose is a solution.
 */
#ifndef MEDTWIN_REGIMEN_H
#define MEDTWIN_REGIMEN_H

#include "pbpk.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MT_REGIMEN_MAX_DOSES 100000
/* Times a regimen may name: every dose within 200 years of time 0, and a repeat interval of at
 * least one minute (finer schedules are infusions); beyond them the dose times of a course no
 * longer increase in double precision. */
#define MT_REGIMEN_MAX_TIME_H (200.0 * 8766.0)
#define MT_REGIMEN_MIN_INTERVAL_H (1.0 / 60.0)

typedef struct {
    char drug[64];  /* lower case */
    double dose_mg; /* per administration, after per-kg scaling */
    mt_dose_route route;
    double duration_h; /* infusions */
    double interval_h; /* 0 for once */
    double first_h;    /* time of the first dose */
    size_t n_doses;
    mt_dose *doses;       /* n_doses entries, owned */
    char formulation[48]; /* `as` (lower case, [a-z0-9_]), or "" (a solution) */
} mt_regimen;

/* Parses text. until_h: end of the simulation (limits open-ended repeats);
 * weight_kg: for per-kg doses (NaN if unknown: per-kg doses are then an
 * error). OUT: *out filled; release with mt_regimen_clear. Errors name the
 * part of the text that is wrong (MT_EINVAL / MT_EPARSE; MT_ELIMIT past
 * MT_REGIMEN_MAX_DOSES or MT_REGIMEN_MAX_TIME_H). */
MT_NODISCARD mt_status mt_regimen_parse(mt_ctx *ctx, const char *text, double until_h,
                                        double weight_kg, mt_regimen *out);
void mt_regimen_clear(mt_regimen *r);

/* Parses a duration such as "48h", "2d", "90 min", "36" (hours). Returns 0
 * and *hours on success. */
int mt_parse_duration_h(const char *text, double *hours);

#ifdef __cplusplus
}
#endif
#endif
