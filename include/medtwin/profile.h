/* SPDX-License-Identifier: Apache-2.0
 *
 * medtwin/profile.h — the patient profile: the covariates, genotypes, medications and
 * measurements a personal twin is built from.
 *
 * A profile is read from either of two equivalent forms (docs/profile.md, the JSON Schema is
 * docs/profile.schema.json):
 *   - the medtwin profile JSON: snake_case fields with the unit in the name ("weight_kg");
 *   - an HL7 FHIR R4 Bundle with Patient, Observation (LOINC, UCUM units), Condition and
 *     MedicationStatement / MedicationRequest / MedicationAdministration resources.
 * Both are converted to canonical units and checked against physiological limits
 * (data/profile_limits.csv, each with its source); any value outside, any unknown or
 * inconsistent unit, any unknown field of the profile JSON, and any malformed resource is an
 * error whose message (mt_errmsg) names the field, the value and the limit.
 *
 * Times: every time is in hours relative to the profile's reference time. A FHIR Bundle carries
 * calendar times; its reference time is the earliest medication start (the first dose), or the
 * earliest measurement when there is no medication, and is kept as reference_time.
 *
 * Lists are kept in a canonical order (conditions by text, genotypes by gene, medications by
 * start time then drug, measurements by time then analyte), so a profile and its FHIR
 * equivalent have identical accessors and identical mt_profile_to_json() text.
 *
 * A profile is immutable once parsed; the accessors may be called from several threads. It
 * allocates through the context it was parsed with: destroy it before that context.
 * Every string and struct an accessor returns is borrowed and lives as long as the profile.
 */
#ifndef MEDTWIN_PROFILE_H
#define MEDTWIN_PROFILE_H

#include "error.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mt_profile mt_profile;

typedef enum { MT_SEX_FEMALE = 1, MT_SEX_MALE = 2 } mt_sex;

typedef enum {
    MT_ROUTE_PO = 1,   /* oral */
    MT_ROUTE_IV = 2,   /* intravenous bolus */
    MT_ROUTE_IVINF = 3 /* intravenous infusion over infusion_h */
} mt_route;

/* One regimen line: n_doses doses of dose_mg, the k-th at start_h + k * interval_h. */
typedef struct {
    const char *drug;  /* lower case, e.g. "warfarin" */
    double dose_mg;    /* > 0 */
    mt_route route;    /* */
    double infusion_h; /* duration of each infusion (MT_ROUTE_IVINF), else 0 */
    double interval_h; /* between doses; 0 for a single dose */
    double start_h;    /* first dose, hours from the reference time */
    int n_doses;       /* >= 1 */
} mt_medication;

/* One measured value: a plasma drug level in mg/L, or the INR (unit "{INR}"). */
typedef struct {
    const char *analyte; /* "inr" or a drug name in lower case */
    double time_h;       /* hours from the reference time */
    double value;        /* in unit */
    const char *unit;    /* canonical: "mg/L" for drug levels, "{INR}" for the INR */
} mt_measurement;

/* Parses a profile JSON document (text need not be NUL-terminated). OUT: *out, NULL on failure.
 * MT_EPARSE: not JSON (message with line and column); MT_EINVAL: a field missing, of the wrong
 * type, unknown, or with an impossible value (message names it); MT_ENOMEM. */
MT_NODISCARD mt_status mt_profile_parse_json(mt_ctx *ctx, const char *text, size_t len,
                                             mt_profile **out);

/* Parses an HL7 FHIR R4 Bundle (JSON) into the same profile. Codes as mt_profile_parse_json();
 * messages name the entry, the resource and its element ("entry[3] Observation/wt
 * .valueQuantity.code"), and the profile field it would have filled. */
MT_NODISCARD mt_status mt_profile_parse_fhir(mt_ctx *ctx, const char *text, size_t len,
                                             mt_profile **out);

/* Either of the above, chosen by the document: a JSON object with "resourceType": "Bundle" is
 * FHIR, anything else a profile. */
MT_NODISCARD mt_status mt_profile_parse(mt_ctx *ctx, const char *text, size_t len,
                                        mt_profile **out);

/* Reads a file (at most 64 MiB) and parses it with mt_profile_parse(). MT_EIO if unreadable;
 * the message starts with the path. */
MT_NODISCARD mt_status mt_profile_load(mt_ctx *ctx, const char *path, mt_profile **out);

/* Canonical profile JSON: keys sorted, two-space indentation, numbers with at most 12
 * significant digits, lists in canonical order, unknown optional scalars left out. Parsing the
 * result gives an equal profile. OUT: *out, a NUL-terminated string the caller frees with
 * free(). MT_ENOMEM. */
MT_NODISCARD mt_status mt_profile_to_json(mt_ctx *ctx, const mt_profile *p, char **out);

/* Destroys a profile; NULL is a no-op. */
void mt_profile_destroy(mt_profile *p);

/* --- accessors (p must not be NULL) --- */
const char *mt_profile_id(const mt_profile *p); /* the pseudonym */
mt_sex mt_profile_sex(const mt_profile *p);
double mt_profile_age_years(const mt_profile *p);
double mt_profile_weight_kg(const mt_profile *p);
double mt_profile_height_cm(const mt_profile *p);
/* NaN when not given. */
double mt_profile_serum_creatinine_mg_dl(const mt_profile *p);
double mt_profile_albumin_g_dl(const mt_profile *p);
/* CPIC biogeographic group ("European", ...), NULL when not given. */
const char *mt_profile_biogeographic_group(const mt_profile *p);
/* 'A', 'B' or 'C'; 0 when not given. */
char mt_profile_child_pugh_class(const mt_profile *p);
/* 1 yes, 0 no, -1 not given. */
int mt_profile_pregnant(const mt_profile *p);
int mt_profile_smoker(const mt_profile *p);
/* ISO 8601 UTC "YYYY-MM-DDThh:mm:ssZ" that time 0 stands for; NULL when not given. */
const char *mt_profile_reference_time(const mt_profile *p);

size_t mt_profile_n_conditions(const mt_profile *p);
const char *mt_profile_condition(const mt_profile *p, size_t i); /* NULL past the end */

size_t mt_profile_n_genotypes(const mt_profile *p);
/* i-th gene symbol ("CYP2C19") and its genotype text (two star alleles joined by a slash, or
 * another notation kept as given); NULL past the end. */
const char *mt_profile_genotype_gene(const mt_profile *p, size_t i);
const char *mt_profile_genotype_at(const mt_profile *p, size_t i);
/* The genotype of a gene, NULL if the profile has none. */
const char *mt_profile_genotype(const mt_profile *p, const char *gene);

size_t mt_profile_n_medications(const mt_profile *p);
const mt_medication *mt_profile_medication(const mt_profile *p, size_t i); /* NULL past end */

size_t mt_profile_n_measurements(const mt_profile *p);
const mt_measurement *mt_profile_measurement(const mt_profile *p, size_t i);

#ifdef __cplusplus
}
#endif
#endif
