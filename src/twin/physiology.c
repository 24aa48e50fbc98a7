/* SPDX-License-Identifier: Apache-2.0
 *
 * twin/physiology.c — the physiology tables and an individual's organ masses, volumes and
 * flows from sex, age, height and weight (httk-pop, Ring et al. 2017, on the McNally et al.
 * 2014 ICRP 89 reference adults; docs/physiology.md).
 *
 * The tables are the CSV files of data/physiology/, all with the columns sex, category,
 * compartment, parameter, value, unit, source, notes. Loading keeps every row as a key
 * "category|compartment|parameter|sex" with its value and source, sorted for binary search
 * (mt_physio_tables_get, used by renal.c and hepatic.c), and resolves the constants this file
 * needs into two plain structs once, so mt_physiology_compute() is a fixed sequence of
 * arithmetic with no look-up and no allocation. A missing constant is an error at load time,
 * never at compute time: load also runs the renal and hepatic equations once.
 *
 * Invariants of a computed physiology: the 14 organ masses sum to the body weight (rest
 * closes the balance), the 11 systemic flows sum to the cardiac output (rest closes it), every
 * mass, volume and flow is positive.
 */
#include "medtwin/physiology.h"

#include "medtwin/data.h"
#include "util/csv.h"
#include "util/util.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY_SEP '\x1f'

typedef struct {
    char *key; /* category KEY_SEP compartment KEY_SEP parameter KEY_SEP sex */
    char *source;
    double value;
    int numeric;
} entry;

/* Sex-specific constants (McNally 2014 references, ICRP 89 blood, equation coefficients). */
typedef struct {
    double height_ref_cm, co_ref_l_h;
    double m_lung, m_heart, m_kidney, m_liver, m_spleen, m_stomach, m_small_int, m_large_int;
    double m_pancreas, m_gonads, m_muscle;
    double f_adipose, f_skeleton, f_brain, f_stomach, f_small_int, f_large_int, f_heart;
    double f_kidney, f_liver, f_muscle, f_skin, f_spleen;
    double blood_slope, blood_intercept, brain_birth;
    double bmc_lower, bmc_upper, bmc_mid, bmc_scale, bmc_loss;
    double erythrocyte_ml, plasma_ml;
    double lbw_constant, lbw_bmi;
} sex_coefs;

/* Sex-independent constants. */
typedef struct {
    double allometric_exp, co_mult, co_decline, co_onset, rest_frac, gi_frac, adipose_min;
    double mosteller, skin_slope, skin_intercept;
    double brain_a, brain_b, brain_t1, brain_t2;
    double bmc_onset, mineral_frac, bone_frac, muscle_decline;
    double density_adipose, density_bone;
    double frac_arterial, frac_venous; /* of total blood, ICRP 89 Table 2.13 */
    double gfr_ref;                    /* mL/min/kg^0.75 */
    double lbw_numerator, ckd_bsa_ref;
    double age_min, age_max, height_min, height_max, weight_min, weight_max;
    double scr_min, scr_max;
} common_coefs;

struct mt_physio_tables {
    entry *e;
    size_t n;
    sex_coefs sex[2]; /* [0] female, [1] male */
    common_coefs c;
};

static const char *const organ_names[MT_ORGAN_COUNT] = {
    "lung",  "arterial_blood", "venous_blood", "adipose", "bone", "brain",  "gut",
    "heart", "kidney",         "liver",        "muscle",  "skin", "spleen", "rest"};

const char *mt_organ_name(mt_organ organ)
{
    return (unsigned)organ < MT_ORGAN_COUNT ? organ_names[organ] : "?";
}

/* ---- tables ---------------------------------------------------------------------------- */

static const char *sex_text(mt_sex sex)
{
    return sex == MT_SEX_FEMALE ? "female" : sex == MT_SEX_MALE ? "male" : "both";
}

static int make_key(char *buf, size_t cap, const char *cat, const char *comp, const char *par,
                    const char *sex)
{
    int n = snprintf(buf, cap, "%s%c%s%c%s%c%s", cat, KEY_SEP, comp, KEY_SEP, par, KEY_SEP, sex);
    return n >= 0 && (size_t)n < cap;
}

static int entry_cmp(const void *a, const void *b)
{
    return strcmp(((const entry *)a)->key, ((const entry *)b)->key);
}

static const entry *find(const mt_physio_tables *t, const char *key)
{
    entry probe = {(char *)key, NULL, 0.0, 0};
    return bsearch(&probe, t->e, t->n, sizeof *t->e, entry_cmp);
}

mt_status mt_physio_tables_get(const mt_physio_tables *t, mt_ctx *ctx, const char *category,
                               const char *compartment, const char *parameter, mt_sex sex,
                               double *out, const char **source)
{
    char key[512];
    const entry *e = NULL;
    if (!t || !category || !compartment || !parameter || !out)
        return mt_error(ctx, MT_EINVAL, "mt_physio_tables_get: NULL argument");
    if (sex == MT_SEX_FEMALE || sex == MT_SEX_MALE) {
        if (make_key(key, sizeof key, category, compartment, parameter, sex_text(sex)))
            e = find(t, key);
    }
    if (!e && make_key(key, sizeof key, category, compartment, parameter, "both"))
        e = find(t, key);
    if (!e && make_key(key, sizeof key, category, compartment, parameter, "unisex"))
        e = find(t, key);
    if (!e)
        return mt_error(ctx, MT_ENOTFOUND,
                        "physiology tables: no row %s / %s / %s for sex %s in "
                        "data/physiology/*.csv",
                        category, compartment, parameter, sex_text(sex));
    if (!e->numeric)
        return mt_error(ctx, MT_EINVAL, "physiology tables: row %s / %s / %s is not a number",
                        category, compartment, parameter);
    *out = e->value;
    if (source)
        *source = e->source;
    return MT_OK;
}

void mt_physio_tables_destroy(mt_physio_tables *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++) {
        mt_free(NULL, t->e[i].key);
        mt_free(NULL, t->e[i].source);
    }
    mt_free(NULL, t->e);
    mt_free(NULL, t);
}

/* A whole-cell finite number ("44/60" or an equation is not). */
static int parse_number(const char *s, double *out)
{
    char *end;
    while (*s == ' ')
        s++;
    if (!*s)
        return 0;
    double v = strtod(s, &end);
    while (*end == ' ')
        end++;
    if (*end || !isfinite(v))
        return 0;
    *out = v;
    return 1;
}

static mt_status read_file(mt_physio_tables *t, size_t *cap, mt_ctx *ctx, const char *dir,
                           const char *name)
{
    char path[4096];
    mt_csv *csv = NULL;
    int n = snprintf(path, sizeof path, "%s/physiology/%s", dir, name);
    if (n < 0 || (size_t)n >= sizeof path)
        return mt_error(ctx, MT_EINVAL, "physiology tables: data folder path too long");
    mt_status st = mt_csv_read(ctx, path, 0, &csv);
    if (st != MT_OK)
        return st;
    static const char *const cols[] = {"sex",       "category", "compartment",
                                       "parameter", "value",    "source"};
    int ci[6];
    for (size_t k = 0; k < 6; k++) {
        ci[k] = mt_csv_col(csv, cols[k]);
        if (ci[k] < 0) {
            mt_csv_destroy(csv);
            return mt_error(ctx, MT_EPARSE, "%s: no column '%s'", path, cols[k]);
        }
    }
    for (size_t r = 0; r < mt_csv_n_rows(csv); r++) {
        const char *sex = mt_csv_cell(csv, r, (size_t)ci[0]);
        if (strcmp(sex, "female") && strcmp(sex, "male") && strcmp(sex, "both") &&
            strcmp(sex, "unisex")) {
            st = mt_error(ctx, MT_EPARSE,
                          "%s: data row %zu: sex '%s' is not female, male, "
                          "both or unisex",
                          path, r + 1, sex);
            break;
        }
        char key[512];
        if (!make_key(key, sizeof key, mt_csv_cell(csv, r, (size_t)ci[1]),
                      mt_csv_cell(csv, r, (size_t)ci[2]), mt_csv_cell(csv, r, (size_t)ci[3]),
                      sex)) {
            st = mt_error(ctx, MT_EPARSE, "%s: data row %zu: key too long", path, r + 1);
            break;
        }
        if (t->n == *cap) {
            size_t nc = *cap ? *cap * 2 : 256;
            entry *ne = mt_realloc(ctx, t->e, nc * sizeof *ne);
            if (!ne) {
                st = mt_error(ctx, MT_ENOMEM, "out of memory reading %s", path);
                break;
            }
            t->e = ne;
            *cap = nc;
        }
        entry *e = &t->e[t->n];
        e->key = mt_strdup(ctx, key);
        e->source = mt_strdup(ctx, mt_csv_cell(csv, r, (size_t)ci[5]));
        if (!e->key || !e->source) {
            mt_free(ctx, e->key);
            mt_free(ctx, e->source);
            st = mt_error(ctx, MT_ENOMEM, "out of memory reading %s", path);
            break;
        }
        e->numeric = parse_number(mt_csv_cell(csv, r, (size_t)ci[4]), &e->value);
        if (!e->numeric)
            e->value = NAN;
        t->n++;
    }
    mt_csv_destroy(csv);
    return st;
}

/* Where a constant lives in sex_coefs or common_coefs. */
typedef struct {
    const char *category, *compartment, *parameter;
    size_t offset;
} coef_spec;

#define SC(cat, comp, par, field)                                                                  \
    {                                                                                              \
        cat, comp, par, offsetof(sex_coefs, field)                                                 \
    }
#define CC(cat, comp, par, field)                                                                  \
    {                                                                                              \
        cat, comp, par, offsetof(common_coefs, field)                                              \
    }
#define MCN "mcnally2014"

static const coef_spec sex_specs[] = {
    SC(MCN, "whole body", "height_ref", height_ref_cm),
    SC(MCN, "CO", "flow_ref", co_ref_l_h),
    SC(MCN, "Lung", "mass_ref", m_lung),
    SC(MCN, "Heart", "mass_ref", m_heart),
    SC(MCN, "Kidney", "mass_ref", m_kidney),
    SC(MCN, "Liver", "mass_ref", m_liver),
    SC(MCN, "Spleen", "mass_ref", m_spleen),
    SC(MCN, "Stomach", "mass_ref", m_stomach),
    SC(MCN, "Small_intestine", "mass_ref", m_small_int),
    SC(MCN, "Large_intestine", "mass_ref", m_large_int),
    SC(MCN, "Pancreas", "mass_ref", m_pancreas),
    SC(MCN, "Gonads", "mass_ref", m_gonads),
    SC(MCN, "Muscle", "mass_ref", m_muscle),
    SC(MCN, "Adipose", "flow_frac", f_adipose),
    SC(MCN, "Skeleton", "flow_frac", f_skeleton),
    SC(MCN, "Brain", "flow_frac", f_brain),
    SC(MCN, "Stomach", "flow_frac", f_stomach),
    SC(MCN, "Small_intestine", "flow_frac", f_small_int),
    SC(MCN, "Large_intestine", "flow_frac", f_large_int),
    SC(MCN, "Heart", "flow_frac", f_heart),
    SC(MCN, "Kidney", "flow_frac", f_kidney),
    SC(MCN, "Liver", "flow_frac", f_liver),
    SC(MCN, "Muscle", "flow_frac", f_muscle),
    SC(MCN, "Skin", "flow_frac", f_skin),
    SC(MCN, "Spleen", "flow_frac", f_spleen),
    SC("bosgra_2012", "blood", "slope on BSA", blood_slope),
    SC("bosgra_2012", "blood", "intercept", blood_intercept),
    SC("httkpop_brain", "brain", "mass at birth", brain_birth),
    SC("httkpop_bone", "bone mineral content", "lower asymptote", bmc_lower),
    SC("httkpop_bone", "bone mineral content", "upper asymptote", bmc_upper),
    SC("httkpop_bone", "bone mineral content", "midpoint age", bmc_mid),
    SC("httkpop_bone", "bone mineral content", "scale", bmc_scale),
    SC("httkpop_bone", "bone mineral content", "loss per year of age from onset", bmc_loss),
    SC("blood", "erythrocytes", "erythrocyte volume", erythrocyte_ml),
    SC("blood", "plasma", "plasma volume", plasma_ml),
    SC("janmahasatian_2005", "whole body", "constant", lbw_constant),
    SC("janmahasatian_2005", "whole body", "bmi coefficient", lbw_bmi),
};

static const coef_spec common_specs[] = {
    CC("httkpop", "whole body", "allometric height exponent", allometric_exp),
    CC("httkpop", "cardiac output", "reference multiplier", co_mult),
    CC("httkpop", "cardiac output", "age decline per year", co_decline),
    CC("httkpop", "cardiac output", "age decline onset", co_onset),
    CC("httkpop", "rest of body", "fraction of body weight", rest_frac),
    CC("httkpop", "GI contents", "fraction of body weight", gi_frac),
    CC("httkpop", "adipose", "minimum mass", adipose_min),
    CC("mosteller", "whole body", "divisor", mosteller),
    CC("bosgra_2012", "skin", "slope on BSA", skin_slope),
    CC("bosgra_2012", "skin", "intercept", skin_intercept),
    CC("httkpop_brain", "brain", "growth factor a", brain_a),
    CC("httkpop_brain", "brain", "growth factor b", brain_b),
    CC("httkpop_brain", "brain", "growth time constant", brain_t1),
    CC("httkpop_brain", "brain", "decline time constant", brain_t2),
    CC("httkpop_bone", "bone mineral content", "loss onset age", bmc_onset),
    CC("httkpop_bone", "bone", "mineral fraction of bone mass", mineral_frac),
    CC("httkpop_bone", "skeleton", "bone fraction of skeleton mass", bone_frac),
    CC("janssen_2000", "muscle", "age decline coefficient", muscle_decline),
    CC("density", "adipose", "tissue density", density_adipose),
    CC("density", "bone (total skeleton)", "tissue density", density_bone),
    CC("httk_generic_human", "whole body", "GFR", gfr_ref),
    CC("janmahasatian_2005", "whole body", "numerator", lbw_numerator),
    CC("ckd_epi_2021", "kidney", "reference body surface area", ckd_bsa_ref),
    CC("medtwin_guard", "age", "minimum", age_min),
    CC("medtwin_guard", "age", "maximum", age_max),
    CC("medtwin_guard", "height", "minimum", height_min),
    CC("medtwin_guard", "height", "maximum", height_max),
    CC("medtwin_guard", "weight", "minimum", weight_min),
    CC("medtwin_guard", "weight", "maximum", weight_max),
    CC("medtwin_guard", "serum creatinine", "minimum", scr_min),
    CC("medtwin_guard", "serum creatinine", "maximum", scr_max),
};

static mt_status resolve(mt_physio_tables *t, mt_ctx *ctx, const coef_spec *spec, size_t n,
                         mt_sex sex, void *base)
{
    for (size_t i = 0; i < n; i++) {
        double v;
        mt_status st = mt_physio_tables_get(t, ctx, spec[i].category, spec[i].compartment,
                                            spec[i].parameter, sex, &v, NULL);
        if (st != MT_OK)
            return st;
        memcpy((char *)base + spec[i].offset, &v, sizeof v);
    }
    return MT_OK;
}

/* ICRP 89 Table 2.13 (adult male; Huisinga 2012 applies it to women too): arterial blood is
 * half the heart chambers and half of each capillary bed plus the pulmonary veins, aorta and
 * systemic arteries; venous blood is the rest. */
static mt_status blood_split(mt_physio_tables *t, mt_ctx *ctx)
{
    static const char *const parts[] = {"heart_chambers",
                                        "pulmonary_arteries",
                                        "pulmonary_capillaries",
                                        "pulmonary_veins",
                                        "systemic_aorta_large_arteries",
                                        "systemic_small_arteries",
                                        "systemic_capillaries",
                                        "systemic_small_veins",
                                        "systemic_large_veins"};
    /* weight of each part in the arterial pool; the venous pool gets 1 - weight */
    static const double arterial[] = {0.5, 0.0, 0.5, 1.0, 1.0, 1.0, 0.5, 0.0, 0.0};
    double art = 0.0, total = 0.0;
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        double v;
        mt_status st =
            mt_physio_tables_get(t, ctx, "blood_distribution", parts[i],
                                 "fraction of total blood volume", MT_SEX_MALE, &v, NULL);
        if (st != MT_OK)
            return st;
        art += arterial[i] * v;
        total += v;
    }
    if (!(fabs(total - 100.0) < 1e-9))
        return mt_error(ctx, MT_EPARSE,
                        "physiology tables: ICRP 89 Table 2.13 parts sum to %g %%, not 100 %%",
                        total);
    t->c.frac_arterial = art / total;
    t->c.frac_venous = 1.0 - t->c.frac_arterial;
    return MT_OK;
}

/* Runs the renal and hepatic equations once so that a missing constant fails the load. */
static mt_status self_check(const mt_physio_tables *t, mt_ctx *ctx)
{
    double v;
    mt_hepatic h;
    static const int classes[] = {'A', 'B', 'C'};
    for (int s = MT_SEX_FEMALE; s <= MT_SEX_MALE; s++) {
        mt_status st = mt_renal_egfr_ckd_epi_2021(t, ctx, (mt_sex)s, 50.0, 1.0, &v);
        if (st == MT_OK)
            st = mt_renal_crcl_cockcroft_gault(t, ctx, (mt_sex)s, 50.0, 70.0, 1.0, &v);
        if (st != MT_OK)
            return st;
    }
    for (size_t i = 0; i < 3; i++) {
        mt_status st = mt_hepatic_factors(t, ctx, classes[i], 1.0, 1.0, &h);
        if (st != MT_OK)
            return st;
    }
    return MT_OK;
}

mt_status mt_physio_tables_load(mt_ctx *ctx, const char *data_dir, mt_physio_tables **out)
{
    static const char *const files[] = {"reference_adults.csv", "covariate_equations.csv",
                                        "hepatic_impairment.csv"};
    size_t cap = 0;
    mt_status st = MT_OK;
    if (!out)
        return mt_error(ctx, MT_EINVAL, "mt_physio_tables_load: NULL out");
    *out = NULL;
    mt_physio_tables *t = mt_calloc(ctx, 1, sizeof *t);
    if (!t)
        return mt_error(ctx, MT_ENOMEM, "out of memory loading the physiology tables");
    const char *dir = data_dir ? data_dir : mt_data_dir();
    for (size_t i = 0; i < sizeof files / sizeof files[0] && st == MT_OK; i++)
        st = read_file(t, &cap, ctx, dir, files[i]);
    if (st == MT_OK && t->n > 1) {
        qsort(t->e, t->n, sizeof *t->e, entry_cmp);
        for (size_t i = 1; i < t->n && st == MT_OK; i++) {
            if (strcmp(t->e[i - 1].key, t->e[i].key) == 0) {
                char shown[512];
                snprintf(shown, sizeof shown, "%s", t->e[i].key);
                for (char *p = shown; *p; p++)
                    if (*p == KEY_SEP)
                        *p = '/';
                st = mt_error(ctx, MT_EPARSE, "physiology tables: duplicate row %s", shown);
            }
        }
    }
    for (int s = 0; s < 2 && st == MT_OK; s++)
        st = resolve(t, ctx, sex_specs, sizeof sex_specs / sizeof sex_specs[0],
                     s ? MT_SEX_MALE : MT_SEX_FEMALE, &t->sex[s]);
    if (st == MT_OK)
        st = resolve(t, ctx, common_specs, sizeof common_specs / sizeof common_specs[0],
                     MT_PHYSIO_SEX_ANY, &t->c);
    if (st == MT_OK)
        st = blood_split(t, ctx);
    if (st == MT_OK)
        st = self_check(t, ctx);
    if (st != MT_OK) {
        mt_physio_tables_destroy(t);
        return st;
    }
    *out = t;
    return MT_OK;
}

/* ---- the individual -------------------------------------------------------------------- */

static mt_status check_range(mt_ctx *ctx, const char *field, double v, double lo, double hi,
                             const char *unit)
{
    if (isfinite(v) && v >= lo && v <= hi)
        return MT_OK;
    return mt_error(ctx, MT_EINVAL,
                    "%s: %g %s is outside the range the physiology method "
                    "covers (%g to %g %s)",
                    field, v, unit, lo, hi, unit);
}

static mt_status check_covariates(const common_coefs *c, mt_ctx *ctx, const mt_covariates *in)
{
    mt_status st;
    if (in->sex != MT_SEX_FEMALE && in->sex != MT_SEX_MALE)
        return mt_error(ctx, MT_EINVAL, "sex: %d is neither female nor male", (int)in->sex);
    if ((st = check_range(ctx, "age_years", in->age_years, c->age_min, c->age_max, "years")))
        return st;
    if ((st = check_range(ctx, "height_cm", in->height_cm, c->height_min, c->height_max, "cm")))
        return st;
    if ((st = check_range(ctx, "weight_kg", in->weight_kg, c->weight_min, c->weight_max, "kg")))
        return st;
    if (!isnan(in->serum_creatinine_mg_dl) &&
        (st = check_range(ctx, "serum_creatinine_mg_dl", in->serum_creatinine_mg_dl, c->scr_min,
                          c->scr_max, "mg/dL")))
        return st;
    if (in->child_pugh_class != 0 && in->child_pugh_class != 'A' && in->child_pugh_class != 'B' &&
        in->child_pugh_class != 'C')
        return mt_error(ctx, MT_EINVAL, "child_pugh_class: %d is not 0 (none), 'A', 'B' or 'C'",
                        in->child_pugh_class);
    return MT_OK;
}

/* httk-pop bone mass (Baxter-Jones 2011 fit, loss after the onset age) as whole skeleton. */
static double skeleton_mass(const sex_coefs *s, const common_coefs *c, double age)
{
    double bmc = s->bmc_lower +
                 (s->bmc_upper - s->bmc_lower) / (1.0 + exp((s->bmc_mid - age) / s->bmc_scale));
    if (age >= c->bmc_onset)
        bmc -= s->bmc_loss * age;
    return bmc / c->mineral_frac / c->bone_frac;
}

mt_status mt_physiology_compute(const mt_physio_tables *t, mt_ctx *ctx, const mt_covariates *in,
                                mt_physiology *out)
{
    if (!t || !in || !out)
        return mt_error(ctx, MT_EINVAL, "mt_physiology_compute: NULL argument");
    const common_coefs *c = &t->c;
    mt_status st = check_covariates(c, ctx, in);
    if (st != MT_OK)
        return st;
    const sex_coefs *s = &t->sex[in->sex == MT_SEX_MALE];
    const double age = in->age_years, bw = in->weight_kg, h = in->height_cm;
    mt_physiology p;
    memset(&p, 0, sizeof p);
    mt_organ_values *o = p.organ;

    p.bsa_m2 = sqrt(bw * h / c->mosteller);
    p.bmi_kg_m2 = bw / ((h / 100.0) * (h / 100.0));
    p.lean_body_weight_kg = c->lbw_numerator * bw / (s->lbw_constant + s->lbw_bmi * p.bmi_kg_m2);

    /* Masses (kg). Allometric organs scale with (H/H_ref)^0.75 (httk tissue_scale()). */
    const double sc = pow(h / s->height_ref_cm, c->allometric_exp);
    o[MT_ORGAN_LUNG].mass_kg = s->m_lung * sc;
    o[MT_ORGAN_HEART].mass_kg = s->m_heart * sc;
    o[MT_ORGAN_KIDNEY].mass_kg = s->m_kidney * sc;
    o[MT_ORGAN_LIVER].mass_kg = s->m_liver * sc;
    o[MT_ORGAN_SPLEEN].mass_kg = s->m_spleen * sc;
    o[MT_ORGAN_GUT].mass_kg = (s->m_stomach + s->m_small_int + s->m_large_int) * sc;
    o[MT_ORGAN_MUSCLE].mass_kg = s->m_muscle * sc - c->muscle_decline * age * age;
    o[MT_ORGAN_BRAIN].mass_kg = s->brain_birth *
                                (c->brain_a - c->brain_b * exp(-age / c->brain_t1)) *
                                exp(-age / c->brain_t2);
    o[MT_ORGAN_BONE].mass_kg = skeleton_mass(s, c, age);
    o[MT_ORGAN_SKIN].mass_kg = exp(c->skin_slope * p.bsa_m2 + c->skin_intercept);
    const double blood = s->blood_slope * p.bsa_m2 + s->blood_intercept;
    o[MT_ORGAN_ARTERIAL].mass_kg = blood * c->frac_arterial;
    o[MT_ORGAN_VENOUS].mass_kg = blood * c->frac_venous;
    /* httk-pop also enumerates pancreas and gonads, plus 3.3 % of body weight "rest of body"
     * and 1.4 % GI contents (Birnbaum 1994); medtwin keeps these in rest. */
    const double rest = (s->m_pancreas + s->m_gonads) * sc + (c->rest_frac + c->gi_frac) * bw;
    double listed = rest;
    for (int i = 0; i < MT_ORGAN_COUNT; i++) {
        if (i == MT_ORGAN_ADIPOSE || i == MT_ORGAN_REST)
            continue;
        if (!(o[i].mass_kg > 0.0))
            return mt_error(ctx, MT_EINVAL,
                            "age_years/height_cm: %s mass %g kg is not positive "
                            "at age %g years and height %g cm",
                            organ_names[i], o[i].mass_kg, age, h);
        listed += o[i].mass_kg;
    }
    const double adipose = bw - listed;
    if (!(adipose > c->adipose_min))
        return mt_error(ctx, MT_EINVAL,
                        "weight_kg: %g kg is too low for a %s of %g cm aged %g years: the other "
                        "tissues take %.1f kg and the method needs more than %g kg of adipose "
                        "tissue",
                        bw, in->sex == MT_SEX_MALE ? "man" : "woman", h, age, listed,
                        c->adipose_min);
    o[MT_ORGAN_ADIPOSE].mass_kg = adipose;
    /* rest closes the balance exactly (the difference from `rest` is rounding only) */
    double others = 0.0;
    for (int i = 0; i < MT_ORGAN_COUNT; i++)
        if (i != MT_ORGAN_REST)
            others += o[i].mass_kg;
    o[MT_ORGAN_REST].mass_kg = bw - others;
    for (int i = 0; i < MT_ORGAN_COUNT; i++)
        o[i].volume_l = o[i].mass_kg;
    o[MT_ORGAN_ADIPOSE].volume_l = o[MT_ORGAN_ADIPOSE].mass_kg / c->density_adipose;
    o[MT_ORGAN_BONE].volume_l = o[MT_ORGAN_BONE].mass_kg / c->density_bone;

    /* Flows (L/h): cardiac output from height and age, organs as fractions of it. */
    const double age_factor = 1.0 - fmax(0.0, c->co_decline * (age - c->co_onset));
    const double co = c->co_mult * s->co_ref_l_h * sc * age_factor;
    p.cardiac_output_l_h = co;
    o[MT_ORGAN_ADIPOSE].blood_flow_l_h = s->f_adipose * co;
    o[MT_ORGAN_BONE].blood_flow_l_h = s->f_skeleton * co;
    o[MT_ORGAN_BRAIN].blood_flow_l_h = s->f_brain * co;
    o[MT_ORGAN_GUT].blood_flow_l_h = (s->f_stomach + s->f_small_int + s->f_large_int) * co;
    o[MT_ORGAN_HEART].blood_flow_l_h = s->f_heart * co;
    o[MT_ORGAN_KIDNEY].blood_flow_l_h = s->f_kidney * co;
    o[MT_ORGAN_LIVER].blood_flow_l_h = s->f_liver * co; /* hepatic artery */
    o[MT_ORGAN_MUSCLE].blood_flow_l_h = s->f_muscle * co;
    o[MT_ORGAN_SKIN].blood_flow_l_h = s->f_skin * co;
    o[MT_ORGAN_SPLEEN].blood_flow_l_h = s->f_spleen * co;
    double systemic = 0.0;
    for (int i = MT_ORGAN_ADIPOSE; i < MT_ORGAN_REST; i++)
        systemic += o[i].blood_flow_l_h;
    o[MT_ORGAN_REST].blood_flow_l_h = co - systemic;
    o[MT_ORGAN_LUNG].blood_flow_l_h = co;
    o[MT_ORGAN_ARTERIAL].blood_flow_l_h = co;
    o[MT_ORGAN_VENOUS].blood_flow_l_h = co;
    if (!(co > 0.0) || !(o[MT_ORGAN_REST].blood_flow_l_h > 0.0) ||
        !(o[MT_ORGAN_REST].mass_kg > 0.0))
        return mt_error(ctx, MT_EINVAL, "age_years: the flow or mass balance fails at %g years",
                        age);

    p.haematocrit = s->erythrocyte_ml / (s->erythrocyte_ml + s->plasma_ml);

    st = mt_hepatic_factors(t, ctx, in->child_pugh_class, o[MT_ORGAN_LIVER].blood_flow_l_h,
                            o[MT_ORGAN_GUT].blood_flow_l_h + o[MT_ORGAN_SPLEEN].blood_flow_l_h,
                            &p.hepatic);
    if (st != MT_OK)
        return st;

    const double scr = in->serum_creatinine_mg_dl;
    if (!isnan(scr)) {
        st = mt_renal_egfr_ckd_epi_2021(t, ctx, in->sex, age, scr, &p.egfr_ml_min_1_73);
        if (st == MT_OK)
            st = mt_renal_crcl_cockcroft_gault(t, ctx, in->sex, age, bw, scr,
                                               &p.crcl_cockcroft_gault_ml_min);
        if (st != MT_OK)
            return st;
        p.egfr_abs_ml_min = p.egfr_ml_min_1_73 * p.bsa_m2 / c->ckd_bsa_ref;
        p.gfr_l_h = p.egfr_abs_ml_min * 60.0 / 1000.0;
        p.gfr_from_creatinine = 1;
    } else {
        p.egfr_ml_min_1_73 = NAN;
        p.egfr_abs_ml_min = NAN;
        p.crcl_cockcroft_gault_ml_min = NAN;
        /* httk generic human: mL/min per kg^(3/4) (the exponent is part of the unit) */
        p.gfr_l_h = c->gfr_ref * pow(bw, 0.75) * 60.0 / 1000.0 * p.hepatic.gfr_factor;
        p.gfr_from_creatinine = 0;
    }
    *out = p;
    return MT_OK;
}
