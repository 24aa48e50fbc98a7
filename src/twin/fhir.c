/* SPDX-License-Identifier: Apache-2.0
 *
 * twin/fhir.c — HL7 FHIR R4 Bundle (JSON) to a patient profile (medtwin/profile.h).
 *
 * One pass over Bundle.entry reads the resources medtwin uses and ignores the others
 * (Practitioner, Encounter, ...):
 *   Patient (exactly one)       id, gender, birthDate, biogeographic-group extension
 *   Observation                 by LOINC code: weight, height, creatinine, albumin, age, INR,
 *                               drug levels, pregnancy and smoking status, genotype (84413-4);
 *                               a drug level may also be named by code.text; Child-Pugh class by
 *                               a medtwin code; Observations with other codes are ignored
 *   Condition                   code.text (or the first coding's display)
 *   MedicationStatement / MedicationRequest / MedicationAdministration
 *                               dose, route, timing (docs/profile.md has the whole table)
 * Quantities go through twin/ucum.c: the UCUM code must be known, of the kind the field needs,
 * agree with the LOINC property (a mass-concentration code with a molar unit is refused), and
 * agree with Quantity.unit when that is a UCUM code too. Calendar times become hours relative
 * to the reference time: the first dose, or the first measurement when there is no medication.
 * A covariate observed several times keeps its latest value. Every error names the entry, the
 * resource, the element and the profile field. Cost: linear in the Bundle (a Medication
 * reference is resolved by a scan of the entries).
 */
#include "twin/profile_priv.h"
#include "twin/ucum.h"

#include <jansson.h>

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOINC "http://loinc.org"
#define SNOMED "http://snomed.info/sct"
#define UCUM "http://unitsofmeasure.org"
#define MT_CODES "urn:medtwin:fhir:code"
#define MT_EXT_GROUP "urn:medtwin:fhir:biogeographic-group"

enum kind { K_WEIGHT, K_HEIGHT, K_CREAT, K_ALB, K_AGE, K_INR, K_LEVEL, K_PREG, K_SMOKE, K_GENO };
enum prop { P_ANY, P_MCONC, P_SCONC };

static const struct {
    const char *code;
    enum kind kind;
    enum prop prop;
    const char *analyte;
} loinc_codes[] = {
    {"29463-7", K_WEIGHT, P_ANY, NULL},  /* Body weight */
    {"3141-9", K_WEIGHT, P_ANY, NULL},   /* Body weight Measured */
    {"8302-2", K_HEIGHT, P_ANY, NULL},   /* Body height */
    {"8306-3", K_HEIGHT, P_ANY, NULL},   /* Body height --lying */
    {"2160-0", K_CREAT, P_MCONC, NULL},  /* Creatinine [Mass/volume] in Serum or Plasma */
    {"38483-4", K_CREAT, P_MCONC, NULL}, /* Creatinine [Mass/volume] in Blood */
    {"14682-9", K_CREAT, P_SCONC, NULL}, /* Creatinine [Moles/volume] in Serum or Plasma */
    {"1751-7", K_ALB, P_MCONC, NULL},    /* Albumin [Mass/volume] in Serum or Plasma */
    {"30525-0", K_AGE, P_ANY, NULL},     /* Age */
    {"6301-6", K_INR, P_ANY, "inr"},     /* INR in Platelet poor plasma by Coagulation assay */
    {"34714-6", K_INR, P_ANY, "inr"},    /* INR in Blood by Coagulation assay */
    {"4049-3", K_LEVEL, P_MCONC, "theophylline"},  /* Theophylline [Mass/volume] in Ser/Plas */
    {"14915-3", K_LEVEL, P_SCONC, "theophylline"}, /* Theophylline [Moles/volume] in Ser/Plas */
    {"82810-3", K_PREG, P_ANY, NULL},              /* Pregnancy status */
    {"72166-2", K_SMOKE, P_ANY, NULL},             /* Tobacco smoking status */
    {"84413-4", K_GENO, P_ANY, NULL}, /* Genotype display name (Genomics Reporting IG) */
};

/* SNOMED CT answers for smoking status (the US Core / IPS value set): 1 smoker, 0 not. */
static const struct {
    const char *code;
    int smoker;
} smoking_codes[] = {
    {"449868002", 1},       /* Smokes tobacco daily */
    {"428041000124106", 1}, /* Occasional tobacco smoker */
    {"77176002", 1},        /* Smoker */
    {"428071000124103", 1}, /* Heavy tobacco smoker */
    {"428061000124105", 1}, /* Light tobacco smoker */
    {"8517006", 0},         /* Ex-smoker */
    {"266919005", 0},       /* Never smoked tobacco */
};

typedef struct {
    mt_medication m;
    char drug[80];
    double t;
    char at[128];
} raw_med;

typedef struct {
    char analyte[80];
    char unit[64];
    double t, value;
    char at[128];
} raw_meas;

typedef struct {
    mt_ctx *ctx;
    mt_profile *p;
    json_t *entries;
    char at[128];    /* "entry[3] Observation/wt1" */
    double t_cov[4]; /* time of the value kept for weight, height, creatinine, albumin */
    raw_med *meds;
    size_t n_meds;
    raw_meas *meas;
    size_t n_meas;
    int n_patients, have_age;
    const char *birth_date;
} fhir;

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static mt_status
ferr(fhir *F, mt_status st, const char *fmt, ...)
{
    char buf[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return mt_error(F->ctx, st, "FHIR %s: %s", F->at, buf);
}

/* ------------------------------------------------------------------ element access */

/* A string element: absent or null gives *out = NULL (error if required). */
static mt_status str_el(fhir *F, json_t *o, const char *key, const char *path, int required,
                        const char **out)
{
    json_t *v = json_is_object(o) ? json_object_get(o, key) : NULL;
    *out = NULL;
    if (!v || json_is_null(v))
        return required ? ferr(F, MT_EINVAL, "%s%s: missing", path, key) : MT_OK;
    if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v))
        return ferr(F, MT_EINVAL, "%s%s: not a string", path, key);
    *out = json_string_value(v);
    return MT_OK;
}

/* An object element: absent gives *out = NULL (error if required). */
static mt_status obj_el(fhir *F, json_t *o, const char *key, const char *path, int required,
                        json_t **out)
{
    json_t *v = json_is_object(o) ? json_object_get(o, key) : NULL;
    *out = NULL;
    if (!v || json_is_null(v))
        return required ? ferr(F, MT_EINVAL, "%s%s: missing", path, key) : MT_OK;
    if (!json_is_object(v))
        return ferr(F, MT_EINVAL, "%s%s: not an object", path, key);
    *out = v;
    return MT_OK;
}

static mt_status arr_el(fhir *F, json_t *o, const char *key, const char *path, int required,
                        json_t **out)
{
    json_t *v = json_is_object(o) ? json_object_get(o, key) : NULL;
    *out = NULL;
    if (!v || json_is_null(v))
        return required ? ferr(F, MT_EINVAL, "%s%s: missing", path, key) : MT_OK;
    if (!json_is_array(v))
        return ferr(F, MT_EINVAL, "%s%s: not an array", path, key);
    *out = v;
    return MT_OK;
}

static mt_status num_el(fhir *F, json_t *o, const char *key, const char *path, int required,
                        double *out, int *present)
{
    json_t *v = json_is_object(o) ? json_object_get(o, key) : NULL;
    *present = 0;
    if (!v || json_is_null(v))
        return required ? ferr(F, MT_EINVAL, "%s%s: missing", path, key) : MT_OK;
    if (!json_is_number(v))
        return ferr(F, MT_EINVAL, "%s%s: not a number", path, key);
    *out = json_number_value(v);
    *present = 1;
    return MT_OK;
}

/* Checks a CodeableConcept's shape: coding an array of objects whose system, code and display
 * are strings. */
static mt_status cc_check(fhir *F, json_t *cc, const char *path)
{
    json_t *coding;
    const char *s;
    mt_status st = arr_el(F, cc, "coding", path, 0, &coding);
    if (st == MT_OK)
        st = str_el(F, cc, "text", path, 0, &s);
    for (size_t i = 0; st == MT_OK && coding && i < json_array_size(coding); i++) {
        json_t *c = json_array_get(coding, i);
        char sub[96];
        snprintf(sub, sizeof sub, "%scoding[%zu].", path, i);
        if (!json_is_object(c))
            return ferr(F, MT_EINVAL, "%s: not an object", sub);
        if ((st = str_el(F, c, "system", sub, 0, &s)) != MT_OK ||
            (st = str_el(F, c, "code", sub, 0, &s)) != MT_OK ||
            (st = str_el(F, c, "display", sub, 0, &s)) != MT_OK)
            return st;
    }
    return st;
}

/* The code of the first coding with this system in a (checked) CodeableConcept, or NULL. */
static const char *cc_code(json_t *cc, const char *system, size_t *from)
{
    json_t *coding = json_object_get(cc, "coding");
    for (size_t i = from ? *from : 0; i < json_array_size(coding); i++) {
        json_t *c = json_array_get(coding, i);
        const char *sys = json_string_value(json_object_get(c, "system"));
        const char *code = json_string_value(json_object_get(c, "code"));
        if (sys && code && strcmp(sys, system) == 0) {
            if (from)
                *from = i + 1;
            return code;
        }
    }
    return NULL;
}

/* The human text of a (checked) CodeableConcept: text, else the first coding's display. */
static const char *cc_text(json_t *cc)
{
    const char *t = json_string_value(json_object_get(cc, "text"));
    if (t && *t)
        return t;
    json_t *coding = json_object_get(cc, "coding");
    for (size_t i = 0; i < json_array_size(coding); i++) {
        t = json_string_value(json_object_get(json_array_get(coding, i), "display"));
        if (t && *t)
            return t;
    }
    return NULL;
}

static int cc_is(json_t *cc, const char *system, const char *code)
{
    size_t from = 0;
    const char *c;
    while ((c = cc_code(cc, system, &from)))
        if (strcmp(c, code) == 0)
            return 1;
    return 0;
}

/* A date-time element ("...DateTime"): *t = NAN when absent. */
static mt_status time_el(fhir *F, json_t *o, const char *key, const char *path, double *t)
{
    const char *s;
    *t = NAN;
    mt_status st = str_el(F, o, key, path, 0, &s);
    if (st != MT_OK || !s)
        return st;
    if (!mt_profile_parse_datetime(s, t))
        return ferr(F, MT_EINVAL,
                    "%s%s: '%.40s' is not a date-time with hours, minutes and a time zone "
                    "(2024-03-01T08:00:00Z); a date alone cannot place a dose or a measurement",
                    path, key, s);
    return MT_OK;
}

/* A Period element: start and end times, NAN when absent. */
static mt_status period_el(fhir *F, json_t *o, const char *key, const char *path, double *start,
                           double *end)
{
    json_t *per;
    char sub[96];
    *start = *end = NAN;
    mt_status st = obj_el(F, o, key, path, 0, &per);
    if (st != MT_OK || !per)
        return st;
    snprintf(sub, sizeof sub, "%s%s.", path, key);
    if ((st = time_el(F, per, "start", sub, start)) == MT_OK)
        st = time_el(F, per, "end", sub, end);
    if (st == MT_OK && !isnan(*start) && !isnan(*end) && *end < *start)
        return ferr(F, MT_EINVAL, "%s%s: ends before it starts", path, key);
    return st;
}

/* A Quantity converted to unit `to`. prop: the kind the LOINC code says the value is. */
static mt_status quantity(fhir *F, json_t *q, const char *path, const char *field, const char *to,
                          double molar_mass, enum prop prop, double *out)
{
    const char *code, *unit, *system, *comparator;
    double v = 0;
    int present;
    char fld[256];
    mt_status st;
    snprintf(fld, sizeof fld, "FHIR %s %scode (%s)", F->at, path, field);
    if ((st = num_el(F, q, "value", path, 1, &v, &present)) != MT_OK ||
        (st = str_el(F, q, "code", path, 0, &code)) != MT_OK ||
        (st = str_el(F, q, "unit", path, 0, &unit)) != MT_OK ||
        (st = str_el(F, q, "system", path, 0, &system)) != MT_OK ||
        (st = str_el(F, q, "comparator", path, 0, &comparator)) != MT_OK)
        return st;
    if (comparator)
        return ferr(F, MT_EINVAL, "%scomparator: '%.8s' (%s): a censored value is not a value",
                    path, comparator, field);
    if (system && strcmp(system, UCUM) != 0)
        return ferr(F, MT_EINVAL,
                    "%ssystem: '%.80s' (%s): only UCUM (" UCUM ") units are "
                    "accepted",
                    path, system, field);
    if (!code && !unit)
        return ferr(F, MT_EINVAL, "%scode: missing (%s): a quantity needs its UCUM unit", path,
                    field);
    mt_ucum_unit u;
    if ((st = mt_ucum_parse(F->ctx, fld, code ? code : unit, &u)) != MT_OK)
        return st;
    if (code && unit && strcmp(code, unit) != 0) {
        mt_ucum_unit u2;
        mt_ctx scratch = {{0}};
        if (mt_ucum_parse(&scratch, "", unit, &u2) == MT_OK && !mt_ucum_same(&u, &u2))
            return ferr(F, MT_EINVAL, "%s: inconsistent units: code '%.40s' but unit '%.40s' (%s)",
                        path, code, unit, field);
    }
    static const signed char mconc[4] = {1, -3, 0, 0}, sconc[4] = {0, -3, 0, 1};
    if ((prop == P_MCONC && memcmp(u.dim, mconc, 4) != 0) ||
        (prop == P_SCONC && memcmp(u.dim, sconc, 4) != 0))
        return ferr(F, MT_EINVAL,
                    "%scode: inconsistent unit '%.40s' (%s): the LOINC code is a %s concentration",
                    path, code ? code : unit, field, prop == P_MCONC ? "mass" : "substance");
    return mt_ucum_convert(F->ctx, fld, v, code ? code : unit, to, molar_mass, out);
}

static mt_status grow(fhir *F, void **arr, size_t n, size_t elem)
{
    if (n >= MT_PROFILE_MAX_ITEMS)
        return ferr(F, MT_ELIMIT, "more than %d medications or measurements", MT_PROFILE_MAX_ITEMS);
    if (n & (n - 1))
        return MT_OK;
    void *q = mt_realloc(F->ctx, *arr, (n ? 2 * n : 1) * elem);
    if (!q)
        return mt_error(F->ctx, MT_ENOMEM, "out of memory");
    *arr = q;
    return MT_OK;
}

/* ------------------------------------------------------------------ Patient */

static mt_status patient(fhir *F, json_t *r)
{
    const char *id, *gender, *birth;
    json_t *ext;
    mt_status st;
    if (++F->n_patients > 1)
        return ferr(F, MT_EINVAL, "a second Patient: a Bundle describes one patient");
    if ((st = str_el(F, r, "id", "", 1, &id)) != MT_OK ||
        (st = str_el(F, r, "gender", "", 1, &gender)) != MT_OK ||
        (st = str_el(F, r, "birthDate", "", 0, &birth)) != MT_OK ||
        (st = arr_el(F, r, "extension", "", 0, &ext)) != MT_OK)
        return st;
    if (!*id || strlen(id) > 128)
        return ferr(F, MT_EINVAL, "id (id): must be 1..128 characters");
    if ((st = mt_profile_set_str(F->ctx, &F->p->id, id)) != MT_OK)
        return st;
    if (strcmp(gender, "female") == 0)
        F->p->sex = MT_SEX_FEMALE;
    else if (strcmp(gender, "male") == 0)
        F->p->sex = MT_SEX_MALE;
    else
        return ferr(F, MT_EINVAL,
                    "gender (sex): '%.20s': the physiology needs \"female\" or \"male\"", gender);
    if (birth) {
        int y, m, d;
        if (!mt_profile_parse_date(birth, &y, &m, &d))
            return ferr(F, MT_EINVAL,
                        "birthDate (age_years): '%.20s' is not a full date "
                        "YYYY-MM-DD",
                        birth);
        F->birth_date = birth;
    }
    for (size_t i = 0; ext && i < json_array_size(ext); i++) {
        json_t *e = json_array_get(ext, i);
        char sub[48];
        const char *url, *val;
        snprintf(sub, sizeof sub, "extension[%zu].", i);
        if (!json_is_object(e))
            return ferr(F, MT_EINVAL, "%s: not an object", sub);
        if ((st = str_el(F, e, "url", sub, 1, &url)) != MT_OK)
            return st;
        if (strcmp(url, MT_EXT_GROUP) != 0)
            continue;
        if ((st = str_el(F, e, "valueString", sub, 1, &val)) != MT_OK)
            return st;
        const char *g = mt_profile_cpic_group(val);
        if (!g)
            return ferr(F, MT_EINVAL,
                        "%svalueString (biogeographic_group): '%.64s' is not a "
                        "CPIC biogeographic group",
                        sub, val);
        if ((st = mt_profile_set_str(F->ctx, &F->p->biogeographic_group, g)) != MT_OK)
            return st;
    }
    return MT_OK;
}

/* ------------------------------------------------------------------ Observation */

static mt_status obs_time(fhir *F, json_t *r, double *t)
{
    double end;
    mt_status st = time_el(F, r, "effectiveDateTime", "", t);
    if (st == MT_OK && isnan(*t))
        st = time_el(F, r, "effectiveInstant", "", t);
    if (st == MT_OK && isnan(*t))
        st = period_el(F, r, "effectivePeriod", "", t, &end);
    return st;
}

static mt_status genotype(fhir *F, json_t *r)
{
    json_t *vcc, *comp;
    const char *vs, *value = NULL;
    mt_status st;
    if ((st = obj_el(F, r, "valueCodeableConcept", "", 0, &vcc)) != MT_OK ||
        (st = str_el(F, r, "valueString", "", 0, &vs)) != MT_OK ||
        (st = arr_el(F, r, "component", "", 0, &comp)) != MT_OK)
        return st;
    if (vcc) {
        if ((st = cc_check(F, vcc, "valueCodeableConcept.")) != MT_OK)
            return st;
        value = json_string_value(json_object_get(vcc, "text"));
        json_t *coding = json_object_get(vcc, "coding");
        for (size_t i = 0; !value && i < json_array_size(coding); i++) {
            json_t *c = json_array_get(coding, i);
            value = json_string_value(json_object_get(c, "code"));
            if (!value)
                value = json_string_value(json_object_get(c, "display"));
        }
    } else {
        value = vs;
    }
    if (!value || !*value)
        return ferr(F, MT_EINVAL,
                    "valueCodeableConcept (genotypes): missing: a genotype "
                    "observation needs its value (\"CYP2C19 *2/*2\")");
    /* genes studied (component 48018-6) */
    const char *genes[8];
    size_t n_genes = 0;
    for (size_t i = 0; comp && i < json_array_size(comp); i++) {
        json_t *c = json_array_get(comp, i), *code, *gv;
        char sub[48];
        snprintf(sub, sizeof sub, "component[%zu].", i);
        if (!json_is_object(c))
            return ferr(F, MT_EINVAL, "%s: not an object", sub);
        if ((st = obj_el(F, c, "code", sub, 1, &code)) != MT_OK ||
            (st = cc_check(F, code, sub)) != MT_OK)
            return st;
        if (!cc_is(code, LOINC, "48018-6"))
            continue;
        if ((st = obj_el(F, c, "valueCodeableConcept", sub, 1, &gv)) != MT_OK ||
            (st = cc_check(F, gv, sub)) != MT_OK)
            return st;
        const char *g = cc_text(gv);
        if (!g)
            return ferr(F, MT_EINVAL,
                        "%svalueCodeableConcept (genotypes): the gene studied "
                        "has no display or text",
                        sub);
        if (n_genes < sizeof genes / sizeof genes[0])
            genes[n_genes++] = g;
    }
    /* "GENE genotype" in the value names the gene; otherwise the one gene studied does */
    char gene[40], gt[160];
    const char *sp = strchr(value, ' ');
    size_t glen = sp ? (size_t)(sp - value) : 0;
    int prefixed = 0;
    if (sp && glen < sizeof gene) {
        memcpy(gene, value, glen);
        gene[glen] = '\0';
        prefixed = mt_profile_valid_gene(gene) && sp[1] != '\0';
    }
    if (prefixed) {
        int listed = n_genes == 0;
        for (size_t i = 0; i < n_genes; i++)
            listed |= strcmp(genes[i], gene) == 0;
        if (!listed)
            return ferr(F, MT_EINVAL,
                        "component (genotypes): the value names %s but the genes "
                        "studied do not",
                        gene);
        snprintf(gt, sizeof gt, "%s", sp + 1);
    } else {
        if (n_genes != 1)
            return ferr(F, MT_EINVAL,
                        "valueCodeableConcept (genotypes): '%.60s' names no gene "
                        "and the observation studies %zu genes (component 48018-6): give "
                        "\"GENE genotype\"",
                        value, n_genes);
        if (strlen(genes[0]) >= sizeof gene)
            return ferr(F, MT_EINVAL, "component (genotypes): gene '%.40s' too long", genes[0]);
        snprintf(gene, sizeof gene, "%s", genes[0]);
        snprintf(gt, sizeof gt, "%s", value);
    }
    if (strlen(value) >= sizeof gt)
        return ferr(F, MT_EINVAL, "valueCodeableConcept (genotypes): longer than 128 characters");
    char where[160];
    snprintf(where, sizeof where, "FHIR %s: ", F->at);
    return mt_profile_add_genotype(F->ctx, F->p, where, gene, gt);
}

static mt_status coded_flag(fhir *F, json_t *r, const char *field, int *slot)
{
    json_t *vcc;
    mt_status st = obj_el(F, r, "valueCodeableConcept", "", 1, &vcc);
    if (st == MT_OK)
        st = cc_check(F, vcc, "valueCodeableConcept.");
    if (st != MT_OK)
        return st;
    if (strcmp(field, "pregnant") == 0) {
        if (cc_is(vcc, SNOMED, "77386006"))
            *slot = 1;
        else if (cc_is(vcc, SNOMED, "60001007"))
            *slot = 0;
        else
            return ferr(F, MT_EINVAL,
                        "valueCodeableConcept (pregnant): neither SNOMED CT "
                        "77386006 (pregnant) nor 60001007 (not pregnant)");
        return MT_OK;
    }
    if (cc_is(vcc, SNOMED, "266927001"))
        return MT_OK; /* tobacco smoking consumption unknown */
    for (size_t i = 0; i < sizeof smoking_codes / sizeof smoking_codes[0]; i++)
        if (cc_is(vcc, SNOMED, smoking_codes[i].code)) {
            *slot = smoking_codes[i].smoker;
            return MT_OK;
        }
    return ferr(F, MT_EINVAL,
                "valueCodeableConcept (smoker): not a SNOMED CT smoking status "
                "this importer knows (docs/profile.md)");
}

static mt_status child_pugh(fhir *F, json_t *r)
{
    const char *s;
    json_t *vcc;
    mt_status st = str_el(F, r, "valueString", "", 0, &s);
    if (st == MT_OK && !s && (st = obj_el(F, r, "valueCodeableConcept", "", 0, &vcc)) == MT_OK &&
        vcc && (st = cc_check(F, vcc, "valueCodeableConcept.")) == MT_OK)
        s = cc_text(vcc);
    if (st != MT_OK)
        return st;
    if (!s || (strcmp(s, "A") != 0 && strcmp(s, "B") != 0 && strcmp(s, "C") != 0))
        return ferr(F, MT_EINVAL,
                    "valueString (child_pugh_class): must be \"A\", \"B\" or "
                    "\"C\"");
    F->p->child_pugh_class = s[0];
    return MT_OK;
}

static mt_status observation(fhir *F, json_t *r)
{
    const char *status;
    json_t *code, *absent;
    mt_status st;
    if ((st = str_el(F, r, "status", "", 0, &status)) != MT_OK)
        return st;
    if (status && (strcmp(status, "entered-in-error") == 0 || strcmp(status, "cancelled") == 0))
        return MT_OK;
    if ((st = obj_el(F, r, "code", "", 1, &code)) != MT_OK ||
        (st = cc_check(F, code, "code.")) != MT_OK ||
        (st = obj_el(F, r, "dataAbsentReason", "", 0, &absent)) != MT_OK)
        return st;
    int k = -1;
    size_t from = 0;
    const char *c;
    enum prop prop = P_ANY;
    const char *analyte = NULL;
    while (k < 0 && (c = cc_code(code, LOINC, &from)))
        for (size_t i = 0; i < sizeof loinc_codes / sizeof loinc_codes[0]; i++)
            if (strcmp(loinc_codes[i].code, c) == 0) {
                k = (int)loinc_codes[i].kind;
                prop = loinc_codes[i].prop;
                analyte = loinc_codes[i].analyte;
                break;
            }
    if (k < 0 && cc_is(code, MT_CODES, "child-pugh-class"))
        return absent ? MT_OK : child_pugh(F, r);
    char name[80] = "";
    if (k < 0) {
        /* a drug level named by its text: the first word names the drug */
        const char *t = cc_text(code);
        size_t n = t ? strcspn(t, " [(,") : 0;
        if (n == 0 || n >= sizeof name)
            return MT_OK;
        memcpy(name, t, n);
        name[n] = '\0';
        if (!mt_profile_norm_drug(name) || strcmp(name, "creatinine") == 0 ||
            mt_ucum_molar_mass(name) == 0)
            return MT_OK; /* not an observation medtwin uses */
        k = K_LEVEL;
        analyte = name;
    }
    if (absent)
        return MT_OK; /* "no value, and here is why": nothing to record */
    switch ((enum kind)k) {
    case K_PREG:
        return coded_flag(F, r, "pregnant", &F->p->pregnant);
    case K_SMOKE:
        return coded_flag(F, r, "smoker", &F->p->smoker);
    case K_GENO:
        return genotype(F, r);
    default:
        break;
    }
    static const char *const fields[] = {"weight_kg", "height_cm", "serum_creatinine_mg_dl",
                                         "albumin_g_dl", "age_years"};
    static const char *const units[] = {"kg", "cm", "mg/dL", "g/dL", "a"};
    json_t *q;
    double t, v;
    if ((st = obj_el(F, r, "valueQuantity", "", 0, &q)) != MT_OK ||
        (st = obs_time(F, r, &t)) != MT_OK)
        return st;
    const char *field = k <= K_AGE ? fields[k] : analyte;
    if (!q)
        return ferr(F, MT_EINVAL,
                    "valueQuantity (%s): missing: the observation has no value "
                    "(and no dataAbsentReason)",
                    field);
    if (k <= K_AGE) {
        double mm = k == K_CREAT ? mt_ucum_molar_mass("creatinine") : 0;
        char where[160];
        if ((st = quantity(F, q, "valueQuantity.", field, units[k], mm, prop, &v)) != MT_OK)
            return st;
        snprintf(where, sizeof where, "FHIR %s: ", F->at);
        if ((st = mt_profile_check(F->ctx, where, field, v)) != MT_OK)
            return st;
        if (k == K_AGE) {
            F->p->age_years = v;
            F->have_age = 1;
            return MT_OK;
        }
        double *slot[] = {&F->p->weight_kg, &F->p->height_cm, &F->p->serum_creatinine_mg_dl,
                          &F->p->albumin_g_dl};
        double tk = isnan(t) ? -INFINITY : t;
        if (isnan(*slot[k]) || tk >= F->t_cov[k]) {
            *slot[k] = v;
            F->t_cov[k] = tk;
        }
        return MT_OK;
    }
    /* INR or drug level: a measurement with a time */
    if (isnan(t))
        return ferr(F, MT_EINVAL,
                    "effectiveDateTime (measurements, %s): missing: a measurement "
                    "needs its time",
                    analyte);
    const char *ucode = json_string_value(json_object_get(q, "code"));
    if (!ucode)
        ucode = json_string_value(json_object_get(q, "unit"));
    /* check and convert now, so the error names this entry; the value is kept in the unit */
    if ((st = quantity(F, q, "valueQuantity.", analyte, k == K_INR ? "{INR}" : "mg/L",
                       mt_ucum_molar_mass(analyte), prop, &v)) != MT_OK)
        return st;
    if ((st = grow(F, (void **)&F->meas, F->n_meas, sizeof *F->meas)) != MT_OK)
        return st;
    raw_meas *m = &F->meas[F->n_meas++];
    snprintf(m->analyte, sizeof m->analyte, "%s", analyte);
    snprintf(m->unit, sizeof m->unit, "%s", k == K_INR ? "{INR}" : "mg/L");
    (void)ucode;
    m->value = v;
    m->t = t;
    snprintf(m->at, sizeof m->at, "%s", F->at);
    return MT_OK;
}

/* ------------------------------------------------------------------ Condition */

static mt_status condition(fhir *F, json_t *r)
{
    json_t *code, *cs, *vs;
    mt_status st;
    if ((st = obj_el(F, r, "clinicalStatus", "", 0, &cs)) != MT_OK ||
        (cs && (st = cc_check(F, cs, "clinicalStatus.")) != MT_OK) ||
        (st = obj_el(F, r, "verificationStatus", "", 0, &vs)) != MT_OK ||
        (vs && (st = cc_check(F, vs, "verificationStatus.")) != MT_OK))
        return st;
    static const char *const cs_sys = "http://terminology.hl7.org/CodeSystem/condition-clinical";
    static const char *const vs_sys = "http://terminology.hl7.org/CodeSystem/condition-ver-status";
    if (cs && (cc_is(cs, cs_sys, "inactive") || cc_is(cs, cs_sys, "resolved") ||
               cc_is(cs, cs_sys, "remission")))
        return MT_OK;
    if (vs && (cc_is(vs, vs_sys, "entered-in-error") || cc_is(vs, vs_sys, "refuted")))
        return MT_OK;
    if ((st = obj_el(F, r, "code", "", 1, &code)) != MT_OK ||
        (st = cc_check(F, code, "code.")) != MT_OK)
        return st;
    const char *t = cc_text(code);
    if (!t)
        return ferr(F, MT_EINVAL, "code (conditions): neither text nor a coding display");
    char where[160];
    snprintf(where, sizeof where, "FHIR %s: ", F->at);
    return mt_profile_add_condition(F->ctx, F->p, where, t);
}

/* ------------------------------------------------------------------ medications */

/* The drug of a medication resource: medicationCodeableConcept, or a reference to a Medication
 * entry of the Bundle ("Medication/id" or its fullUrl). */
static mt_status drug_name(fhir *F, json_t *r, char *name, size_t n)
{
    json_t *cc, *ref;
    mt_status st;
    if ((st = obj_el(F, r, "medicationCodeableConcept", "", 0, &cc)) != MT_OK ||
        (st = obj_el(F, r, "medicationReference", "", 0, &ref)) != MT_OK)
        return st;
    const char *where = "medicationCodeableConcept";
    if (!cc && ref) {
        const char *target;
        where = "medicationReference";
        if ((st = str_el(F, ref, "reference", "medicationReference.", 1, &target)) != MT_OK)
            return st;
        for (size_t i = 0; !cc && i < json_array_size(F->entries); i++) {
            json_t *e = json_array_get(F->entries, i), *res = json_object_get(e, "resource");
            const char *full = json_string_value(json_object_get(e, "fullUrl"));
            const char *rt = json_string_value(json_object_get(res, "resourceType"));
            const char *id = json_string_value(json_object_get(res, "id"));
            if (!rt || strcmp(rt, "Medication") != 0)
                continue;
            int hit = full && strcmp(full, target) == 0;
            if (!hit && id && strncmp(target, "Medication/", 11) == 0)
                hit = strcmp(target + 11, id) == 0;
            if (hit && (st = obj_el(F, res, "code", "medicationReference -> Medication.", 1,
                                    &cc)) != MT_OK)
                return st;
        }
        if (!cc)
            return ferr(F, MT_EINVAL,
                        "medicationReference (medications.drug): '%.80s' is not a "
                        "Medication in this Bundle",
                        target);
    }
    if (!cc)
        return ferr(F, MT_EINVAL, "medicationCodeableConcept (medications.drug): missing");
    if ((st = cc_check(F, cc, "medicationCodeableConcept.")) != MT_OK)
        return st;
    const char *t = cc_text(cc);
    if (!t || strlen(t) >= n)
        return ferr(F, MT_EINVAL, "%s (medications.drug): no usable text or display", where);
    snprintf(name, n, "%s", t);
    if (!mt_profile_norm_drug(name))
        return ferr(F, MT_EINVAL,
                    "%s (medications.drug): '%.80s' is not a drug name (1..64 of "
                    "a-z 0-9 - and space)",
                    where, t);
    return MT_OK;
}

static mt_status route(fhir *F, json_t *d, const char *path, mt_route *out)
{
    json_t *cc;
    mt_status st = obj_el(F, d, "route", path, 1, &cc);
    if (st == MT_OK)
        st = cc_check(F, cc, path);
    if (st != MT_OK)
        return st;
    const char *t = json_string_value(json_object_get(cc, "text"));
    if (cc_is(cc, SNOMED, "26643006"))
        *out = MT_ROUTE_PO;
    else if (cc_is(cc, SNOMED, "47625008"))
        *out = MT_ROUTE_IV;
    else if (t && (strcmp(t, "po") == 0 || strcmp(t, "oral") == 0 || strcmp(t, "Oral") == 0))
        *out = MT_ROUTE_PO;
    else if (t && (strcmp(t, "iv") == 0 || strcmp(t, "intravenous") == 0 ||
                   strcmp(t, "Intravenous") == 0))
        *out = MT_ROUTE_IV;
    else
        return ferr(F, MT_EINVAL,
                    "%sroute (medications.route): neither SNOMED CT 26643006 "
                    "(oral) nor 47625008 (intravenous)",
                    path);
    return MT_OK;
}

/* A duration element pair (value, unit) such as Timing.repeat.period/periodUnit, in hours. */
static mt_status hours(fhir *F, json_t *o, const char *vkey, const char *ukey, const char *path,
                       const char *field, double *out, int *present)
{
    const char *u;
    double v = 0;
    mt_status st = num_el(F, o, vkey, path, 0, &v, present);
    if (st != MT_OK || !*present)
        return st;
    if ((st = str_el(F, o, ukey, path, 1, &u)) != MT_OK)
        return st;
    char fld[256];
    snprintf(fld, sizeof fld, "FHIR %s %s%s (%s)", F->at, path, ukey, field);
    if (!(v > 0))
        return ferr(F, MT_EINVAL, "%s%s (%s): %g is not positive", path, vkey, field, v);
    return mt_ucum_convert(F->ctx, fld, v, u, "h", 0, out);
}

static mt_status add_med(fhir *F, const raw_med *m)
{
    mt_status st = grow(F, (void **)&F->meds, F->n_meds, sizeof *F->meds);
    if (st != MT_OK)
        return st;
    raw_med *d = &F->meds[F->n_meds++];
    *d = *m;
    snprintf(d->at, sizeof d->at, "%s", F->at);
    return MT_OK;
}

/* A Dosage of a MedicationStatement or MedicationRequest. t0 / t1: the resource's own period,
 * used when the timing has no bounds. */
static mt_status dosage(fhir *F, json_t *d, const char *path, const char *drug, double t0,
                        double t1)
{
    raw_med m;
    json_t *dar, *q, *timing, *rep = NULL, *events = NULL;
    mt_status st;
    char sub[96];
    memset(&m, 0, sizeof m);
    snprintf(m.drug, sizeof m.drug, "%s", drug);
    m.m.drug = m.drug;
    if (!json_is_object(d))
        return ferr(F, MT_EINVAL, "%s: not an object", path);
    if ((st = arr_el(F, d, "doseAndRate", path, 1, &dar)) != MT_OK)
        return st;
    snprintf(sub, sizeof sub, "%sdoseAndRate[0].", path);
    if ((st = obj_el(F, json_array_get(dar, 0), "doseQuantity", sub, 1, &q)) != MT_OK)
        return st;
    snprintf(sub, sizeof sub, "%sdoseAndRate[0].doseQuantity.", path);
    if ((st = quantity(F, q, sub, "medications.dose_mg", "mg", 0, P_ANY, &m.m.dose_mg)) != MT_OK ||
        (st = route(F, d, path, &m.m.route)) != MT_OK ||
        (st = obj_el(F, d, "timing", path, 0, &timing)) != MT_OK)
        return st;
    snprintf(sub, sizeof sub, "%stiming.", path);
    if (timing && ((st = obj_el(F, timing, "repeat", sub, 0, &rep)) != MT_OK ||
                   (st = arr_el(F, timing, "event", sub, 0, &events)) != MT_OK))
        return st;
    double start = NAN, end = NAN, period_h = 0, freq = 1, count = 0;
    int has_period = 0, has_count = 0, has_freq = 0, has_dur = 0;
    if (rep) {
        snprintf(sub, sizeof sub, "%stiming.repeat.", path);
        if ((st = hours(F, rep, "period", "periodUnit", sub, "medications.interval_h", &period_h,
                        &has_period)) != MT_OK ||
            (st = hours(F, rep, "duration", "durationUnit", sub, "medications.infusion_h",
                        &m.m.infusion_h, &has_dur)) != MT_OK ||
            (st = num_el(F, rep, "frequency", sub, 0, &freq, &has_freq)) != MT_OK ||
            (st = num_el(F, rep, "count", sub, 0, &count, &has_count)) != MT_OK ||
            (st = period_el(F, rep, "boundsPeriod", sub, &start, &end)) != MT_OK)
            return st;
        if (has_freq && (freq != floor(freq) || freq < 1 || freq > 1000))
            return ferr(F, MT_EINVAL,
                        "%sfrequency (medications.interval_h): %g is not a whole "
                        "number >= 1",
                        sub, freq);
        if (has_count && (count != floor(count) || count < 1 || count > 1e9))
            return ferr(F, MT_EINVAL,
                        "%scount (medications.n_doses): %g is not a whole number "
                        ">= 1",
                        sub, count);
        if (has_freq && freq > 1 && !has_period)
            return ferr(F, MT_EINVAL,
                        "%speriod (medications.interval_h): missing for frequency "
                        "%g",
                        sub, freq);
    }
    if (events && json_array_size(events) > 1)
        return ferr(F, MT_EINVAL,
                    "%stiming.event (medications): several events; give one "
                    "start and timing.repeat",
                    path);
    if (isnan(start) && events && json_array_size(events) == 1) {
        snprintf(sub, sizeof sub, "%stiming.", path);
        json_t *wrap = json_pack("{sO}", "event", json_array_get(events, 0));
        if (!wrap)
            return mt_error(F->ctx, MT_ENOMEM, "out of memory");
        st = time_el(F, wrap, "event", sub, &start);
        json_decref(wrap);
        if (st != MT_OK)
            return st;
    }
    if (isnan(start))
        start = t0;
    if (isnan(end))
        end = t1;
    if (isnan(start))
        return ferr(F, MT_EINVAL,
                    "%stiming.repeat.boundsPeriod.start (medications.start_h): "
                    "missing: the first dose needs a date-time",
                    path);
    m.t = start;
    m.m.interval_h = has_period ? period_h / freq : 0;
    if (has_dur) {
        if (m.m.route != MT_ROUTE_IV)
            return ferr(F, MT_EINVAL,
                        "%stiming.repeat.duration (medications.infusion_h): an "
                        "infusion must be intravenous",
                        path);
        m.m.route = MT_ROUTE_IVINF;
    }
    if (has_count) {
        m.m.n_doses = count > 1e6 ? 1000000 : (int)count; /* the limit check names it */
    } else if (m.m.interval_h > 0) {
        if (isnan(end))
            return ferr(F, MT_EINVAL,
                        "%stiming.repeat (medications.n_doses): a repeated dose "
                        "needs timing.repeat.count or boundsPeriod.end",
                        path);
        /* doses at start + k * interval, strictly before end */
        double k = ceil((end - start) / 3600.0 / m.m.interval_h - 1e-9);
        if (!(k >= 1))
            return ferr(F, MT_EINVAL,
                        "%stiming.repeat.boundsPeriod (medications.n_doses): no "
                        "dose before the end",
                        path);
        m.m.n_doses = k > 1e6 ? 1000000 : (int)k;
    } else {
        m.m.n_doses = 1;
    }
    return add_med(F, &m);
}

static int status_in(const char *status, const char *const *skip)
{
    for (size_t i = 0; status && skip[i]; i++)
        if (strcmp(status, skip[i]) == 0)
            return 1;
    return 0;
}

static mt_status medication(fhir *F, json_t *r, const char *type)
{
    static const char *const skip[] = {"entered-in-error", "not-taken", "cancelled", "not-done",
                                       NULL};
    const char *status;
    char drug[80];
    mt_status st;
    if ((st = str_el(F, r, "status", "", 0, &status)) != MT_OK)
        return st;
    if (status_in(status, skip))
        return MT_OK;
    if ((st = drug_name(F, r, drug, sizeof drug)) != MT_OK)
        return st;
    if (strcmp(type, "MedicationAdministration") == 0) {
        json_t *d, *q;
        raw_med m;
        double t, t_end = NAN;
        memset(&m, 0, sizeof m);
        snprintf(m.drug, sizeof m.drug, "%s", drug);
        m.m.drug = m.drug;
        m.m.n_doses = 1;
        if ((st = obj_el(F, r, "dosage", "", 1, &d)) != MT_OK ||
            (st = obj_el(F, d, "dose", "dosage.", 1, &q)) != MT_OK ||
            (st = quantity(F, q, "dosage.dose.", "medications.dose_mg", "mg", 0, P_ANY,
                           &m.m.dose_mg)) != MT_OK ||
            (st = route(F, d, "dosage.", &m.m.route)) != MT_OK ||
            (st = time_el(F, r, "effectiveDateTime", "", &t)) != MT_OK)
            return st;
        if (isnan(t) && (st = period_el(F, r, "effectivePeriod", "", &t, &t_end)) != MT_OK)
            return st;
        if (isnan(t))
            return ferr(F, MT_EINVAL, "effectiveDateTime (medications.start_h): missing");
        if (!isnan(t_end) && t_end > t) {
            if (m.m.route != MT_ROUTE_IV)
                return ferr(F, MT_EINVAL,
                            "effectivePeriod (medications.infusion_h): a dose "
                            "given over a period must be intravenous");
            m.m.route = MT_ROUTE_IVINF;
            m.m.infusion_h = (t_end - t) / 3600.0;
        }
        m.t = t;
        return add_med(F, &m);
    }
    int statement = strcmp(type, "MedicationStatement") == 0;
    const char *key = statement ? "dosage" : "dosageInstruction";
    json_t *ds;
    double t0 = NAN, t1 = NAN;
    if ((st = arr_el(F, r, key, "", 1, &ds)) != MT_OK)
        return st;
    if (json_array_size(ds) == 0)
        return ferr(F, MT_EINVAL, "%s (medications): empty: dose, route and timing are needed",
                    key);
    if (statement) {
        if ((st = time_el(F, r, "effectiveDateTime", "", &t0)) != MT_OK)
            return st;
        if (isnan(t0) && (st = period_el(F, r, "effectivePeriod", "", &t0, &t1)) != MT_OK)
            return st;
    }
    for (size_t i = 0; i < json_array_size(ds); i++) {
        char path[48];
        snprintf(path, sizeof path, "%s[%zu].", key, i);
        if ((st = dosage(F, json_array_get(ds, i), path, drug, t0, t1)) != MT_OK)
            return st;
    }
    return MT_OK;
}

/* ------------------------------------------------------------------ the Bundle */

static mt_status bundle(fhir *F, json_t *root)
{
    const char *rt;
    mt_status st;
    snprintf(F->at, sizeof F->at, "Bundle");
    if (!json_is_object(root))
        return ferr(F, MT_EINVAL, "not a JSON object");
    if ((st = str_el(F, root, "resourceType", "", 1, &rt)) != MT_OK)
        return st;
    if (strcmp(rt, "Bundle") != 0)
        return ferr(F, MT_EINVAL, "resourceType is '%.40s', not 'Bundle'", rt);
    if ((st = arr_el(F, root, "entry", "", 1, &F->entries)) != MT_OK)
        return st;
    for (size_t i = 0; i < 4; i++)
        F->t_cov[i] = -INFINITY;
    for (size_t i = 0; i < json_array_size(F->entries); i++) {
        json_t *e = json_array_get(F->entries, i), *r;
        const char *type, *id;
        snprintf(F->at, sizeof F->at, "entry[%zu]", i);
        if (!json_is_object(e))
            return ferr(F, MT_EINVAL, "not an object");
        if ((st = obj_el(F, e, "resource", "", 1, &r)) != MT_OK ||
            (st = str_el(F, r, "resourceType", "resource.", 1, &type)) != MT_OK ||
            (st = str_el(F, r, "id", "resource.", 0, &id)) != MT_OK)
            return st;
        snprintf(F->at, sizeof F->at, "entry[%zu] %.32s%s%.48s", i, type, id ? "/" : "",
                 id ? id : "");
        if (strcmp(type, "Patient") == 0)
            st = patient(F, r);
        else if (strcmp(type, "Observation") == 0)
            st = observation(F, r);
        else if (strcmp(type, "Condition") == 0)
            st = condition(F, r);
        else if (strcmp(type, "MedicationStatement") == 0 ||
                 strcmp(type, "MedicationRequest") == 0 ||
                 strcmp(type, "MedicationAdministration") == 0)
            st = medication(F, r, type);
        if (st != MT_OK)
            return st;
    }
    snprintf(F->at, sizeof F->at, "Bundle");
    if (F->n_patients == 0)
        return ferr(F, MT_EINVAL, "no Patient resource (id, sex)");

    /* time 0: the first dose, else the first measurement */
    double ref = INFINITY;
    for (size_t i = 0; i < F->n_meds; i++)
        ref = fmin(ref, F->meds[i].t);
    for (size_t i = 0; F->n_meds == 0 && i < F->n_meas; i++)
        ref = fmin(ref, F->meas[i].t);
    if (isfinite(ref)) {
        char buf[32];
        mt_profile_format_datetime(ref, buf, sizeof buf);
        if ((st = mt_profile_set_str(F->ctx, &F->p->reference_time, buf)) != MT_OK)
            return st;
    }
    if (!F->have_age) {
        int by, bm, bd, ry, rm, rd;
        char buf[32];
        if (!F->birth_date)
            return ferr(F, MT_EINVAL,
                        "age_years: neither an Age observation (LOINC 30525-0) nor "
                        "Patient.birthDate");
        if (!isfinite(ref))
            return ferr(F, MT_EINVAL,
                        "age_years: Patient.birthDate needs a reference time (a "
                        "dated dose or measurement) or an Age observation (LOINC 30525-0)");
        mt_profile_format_datetime(ref, buf, sizeof buf);
        buf[10] = '\0';
        if (!mt_profile_parse_date(F->birth_date, &by, &bm, &bd) ||
            !mt_profile_parse_date(buf, &ry, &rm, &rd))
            return ferr(F, MT_EINVAL, "age_years: bad dates");
        /* completed years at the reference date */
        double age = ry - by - (rm < bm || (rm == bm && rd < bd));
        if ((st = mt_profile_check(F->ctx, "FHIR Patient.birthDate: ", "age_years", age)) != MT_OK)
            return st;
        F->p->age_years = age;
    }
    for (size_t i = 0; i < F->n_meds; i++) {
        char where[160];
        raw_med *m = &F->meds[i];
        m->m.drug = m->drug;
        m->m.start_h = (m->t - ref) / 3600.0;
        snprintf(where, sizeof where, "FHIR %s: ", m->at);
        if ((st = mt_profile_add_medication(F->ctx, F->p, where, &m->m)) != MT_OK)
            return st;
    }
    for (size_t i = 0; i < F->n_meas; i++) {
        char where[160];
        raw_meas *m = &F->meas[i];
        snprintf(where, sizeof where, "FHIR %s: ", m->at);
        if ((st = mt_profile_add_measurement(F->ctx, F->p, where, m->analyte, (m->t - ref) / 3600.0,
                                             m->value, m->unit)) != MT_OK)
            return st;
    }
    if (isnan(F->p->weight_kg))
        return ferr(F, MT_EINVAL, "weight_kg: no body weight Observation (LOINC 29463-7)");
    if (isnan(F->p->height_cm))
        return ferr(F, MT_EINVAL, "height_cm: no body height Observation (LOINC 8302-2)");
    if ((st = mt_profile_finish(F->ctx, F->p)) != MT_OK) {
        char msg[sizeof F->ctx->msg];
        snprintf(msg, sizeof msg, "%s", mt_errmsg(F->ctx));
        return ferr(F, st, "%s", msg);
    }
    return MT_OK;
}

mt_status mt_profile_parse_fhir(mt_ctx *ctx, const char *text, size_t len, mt_profile **out)
{
    *out = NULL;
    if (len > MT_PROFILE_MAX_BYTES)
        return mt_error(ctx, MT_ELIMIT, "FHIR Bundle: larger than %zu bytes", MT_PROFILE_MAX_BYTES);
    json_error_t e;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &e);
    if (!root)
        return mt_error(ctx, MT_EPARSE, "FHIR Bundle JSON: line %d, column %d: %s", e.line,
                        e.column, e.text);
    fhir F;
    memset(&F, 0, sizeof F);
    F.ctx = ctx;
    F.p = mt_profile_new(ctx);
    mt_status st = F.p ? bundle(&F, root) : mt_error(ctx, MT_ENOMEM, "out of memory");
    json_decref(root);
    mt_free(ctx, F.meds);
    mt_free(ctx, F.meas);
    if (st != MT_OK) {
        mt_profile_destroy(F.p);
        return st;
    }
    *out = F.p;
    return MT_OK;
}
