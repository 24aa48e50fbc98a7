/* SPDX-License-Identifier: Apache-2.0
 * twin/profile_priv.h — the profile's layout and the builder calls that profile.c (JSON) and
 * fhir.c (FHIR R4) share. Not installed. Every setter validates against the limits table and
 * names the field in its error; `where` is a prefix for the message ("" for the profile JSON,
 * the FHIR entry and element for a Bundle). */
#ifndef MT_TWIN_PROFILE_PRIV_H
#define MT_TWIN_PROFILE_PRIV_H

#include "medtwin/profile.h"
#include "util/util.h"

struct mt_profile {
    mt_ctx *ctx;
    char *id;
    mt_sex sex; /* 0 until set */
    double age_years, weight_kg, height_cm;
    double serum_creatinine_mg_dl, albumin_g_dl; /* NaN: not given */
    char *biogeographic_group;
    char child_pugh_class;
    int pregnant, smoker; /* -1 not given */
    char *reference_time;
    char **conditions;
    size_t n_conditions;
    char **genes, **genotypes;
    size_t n_genotypes;
    mt_medication *meds;
    size_t n_meds;
    mt_measurement *meas;
    size_t n_meas;
};

/* Inputs larger than this are refused (MT_ELIMIT) before parsing; lists hold at most
 * MT_PROFILE_MAX_ITEMS entries each. */
#define MT_PROFILE_MAX_BYTES ((size_t)64 << 20)
#define MT_PROFILE_MAX_ITEMS 100000

/* One row of data/profile_limits.csv, compiled in (tests/unit/twin/test_profile.c checks that
 * the two agree). */
typedef struct {
    const char *field;
    double min, max;
    const char *unit;
} mt_profile_limit;

/* i-th limit; NULL past the end. */
const mt_profile_limit *mt_profile_limit_at(size_t i);
/* MT_EINVAL "<where><field>: <v> <unit> is outside <min>..<max> <unit> (data/profile_limits.csv)"
 * when v is not finite or outside the limits of field (which must be in the table). */
MT_NODISCARD mt_status mt_profile_check(mt_ctx *ctx, const char *where, const char *field,
                                        double v);

/* A new empty profile: numbers NaN, tri-states -1. NULL on ENOMEM. */
mt_profile *mt_profile_new(mt_ctx *ctx);

/* Text checks, 0 if bad. */
int mt_profile_valid_gene(const char *gene);
int mt_profile_valid_genotype(const char *genotype);
/* Lower-cases a drug or analyte name in place and checks it: 1..64 of [a-z0-9 -]. */
int mt_profile_norm_drug(char *name);
/* One of the nine CPIC biogeographic group names; returns the canonical spelling or NULL. */
const char *mt_profile_cpic_group(const char *name);

MT_NODISCARD mt_status mt_profile_set_str(mt_ctx *ctx, char **slot, const char *s);
MT_NODISCARD mt_status mt_profile_add_condition(mt_ctx *ctx, mt_profile *p, const char *where,
                                                const char *text);
/* Adds gene → genotype; the same gene twice with different genotypes is an error. */
MT_NODISCARD mt_status mt_profile_add_genotype(mt_ctx *ctx, mt_profile *p, const char *where,
                                               const char *gene, const char *genotype);
/* Copies m (and its drug name) after checking every number against the limits. */
MT_NODISCARD mt_status mt_profile_add_medication(mt_ctx *ctx, mt_profile *p, const char *where,
                                                 const mt_medication *m);
/* Converts value from unit to the analyte's canonical unit ("mg/L" for a drug, "{INR}" for
 * "inr"), checks it and adds it. analyte must already be normalised. */
MT_NODISCARD mt_status mt_profile_add_measurement(mt_ctx *ctx, mt_profile *p, const char *where,
                                                  const char *analyte, double time_h, double value,
                                                  const char *unit);

/* Checks required fields and cross-field consistency, sorts the lists. */
MT_NODISCARD mt_status mt_profile_finish(mt_ctx *ctx, mt_profile *p);

/* ISO 8601 date-time with a time zone ("2024-03-01T08:00:00+01:00", seconds optional,
 * fractions allowed) to seconds since 1970-01-01T00:00:00Z. 0 if malformed. */
int mt_profile_parse_datetime(const char *s, double *epoch_s);
/* Full date "YYYY-MM-DD" to days since 1970-01-01 plus y/m/d. 0 if malformed. */
int mt_profile_parse_date(const char *s, int *y, int *m, int *d);
/* Seconds since the epoch to "YYYY-MM-DDThh:mm:ssZ" (buf of at least 21 bytes). */
void mt_profile_format_datetime(double epoch_s, char *buf, size_t n);

#endif
