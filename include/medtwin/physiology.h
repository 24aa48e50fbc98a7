/* SPDX-License-Identifier: Apache-2.0
 *
 * medtwin/physiology.h — an individual's physiology from covariates: organ masses, volumes and
 * blood flows for a 14-compartment perfusion-limited PBPK model, cardiac output, haematocrit,
 * body size, renal function (CKD-EPI 2021, Cockcroft-Gault) and the Child-Pugh hepatic
 * impairment factors.
 *
 * Method (docs/physiology.md has the equations, sources and validity range): httk-pop
 * (Ring et al. 2017) on the McNally et al. 2014 ICRP 89 reference adults. Most organs scale
 * with height^0.75 from the sex-specific reference; brain, bone and muscle have age equations,
 * skin and blood follow body surface area (Bosgra 2012), adipose is body weight minus
 * everything else, cardiac output scales with height and declines with age, and organ flows
 * are the reference fractions of cardiac output. Adults only (18-100 years).
 *
 * Every number comes from the tables in data/physiology/ (each row names its source), loaded
 * once into an immutable mt_physio_tables. Nothing under ../shared is read at run time.
 *
 * Thread safety: a loaded mt_physio_tables is read-only and may be shared between threads,
 * each with its own mt_ctx.
 */
#ifndef MEDTWIN_PHYSIOLOGY_H
#define MEDTWIN_PHYSIOLOGY_H

#include "medtwin/error.h"
#include "medtwin/profile.h" /* mt_sex: MT_SEX_FEMALE, MT_SEX_MALE */

#ifdef __cplusplus
extern "C" {
#endif

/* In table look-ups: the sex-independent ("both"/"unisex") row only. Not a valid covariate. */
#define MT_PHYSIO_SEX_ANY ((mt_sex)0)

/* The compartments of the whole-body model, in the order of the pbpk15 benchmark
 * (../shared/bench/pbpk15). */
typedef enum {
    MT_ORGAN_LUNG,
    MT_ORGAN_ARTERIAL, /* arterial blood */
    MT_ORGAN_VENOUS,   /* venous blood */
    MT_ORGAN_ADIPOSE,
    MT_ORGAN_BONE, /* whole skeleton: bone, marrow, cartilage */
    MT_ORGAN_BRAIN,
    MT_ORGAN_GUT, /* stomach, small and large intestine walls */
    MT_ORGAN_HEART,
    MT_ORGAN_KIDNEY,
    MT_ORGAN_LIVER,
    MT_ORGAN_MUSCLE,
    MT_ORGAN_SKIN,
    MT_ORGAN_SPLEEN,
    MT_ORGAN_REST, /* closes the mass and flow balances */
    MT_ORGAN_COUNT
} mt_organ;

/* Lower-case name ("lung", "arterial_blood", "venous_blood", "adipose", ...); "?" if out of
 * range. Static. */
const char *mt_organ_name(mt_organ organ);

/* Enzymes with a Child-Pugh abundance factor in data/physiology/hepatic_impairment.csv. */
typedef enum {
    MT_CYP1A2,
    MT_CYP2A6,
    MT_CYP2B6,
    MT_CYP2C8,
    MT_CYP2C9,
    MT_CYP2C18,
    MT_CYP2C19,
    MT_CYP2D6,
    MT_CYP2E1,
    MT_CYP3A4,
    MT_CYP_COUNT
} mt_cyp;

/* "CYP1A2", ...; "?" if out of range. Static. */
const char *mt_cyp_name(mt_cyp enzyme);

/* What the twin knows about the person. */
typedef struct {
    mt_sex sex;                    /* MT_SEX_FEMALE or MT_SEX_MALE */
    double age_years;              /* 18 to 100 */
    double weight_kg;              /* total body weight */
    double height_cm;              /* standing height */
    double serum_creatinine_mg_dl; /* NaN if unknown (IDMS-traceable assay assumed) */
    int child_pugh_class;          /* 0: no hepatic impairment, or 'A', 'B', 'C' */
} mt_covariates;

/* Child-Pugh factors: multipliers on the healthy value (all 1 for class 0). Source: OSP
 * Qualification-HI Table 2 (Edginton & Willmann 2008; Johnson et al. 2010); see
 * data/physiology/hepatic_impairment.csv. */
typedef struct {
    int child_pugh_class;              /* copied from the covariates */
    double liver_blood_flow_factor;    /* total liver inflow (hepatic artery + portal vein),
                                          derived: (Qha*f_ha + Qpv*f_pv) / (Qha + Qpv) with this
                                          individual's Qha and Qpv = Qgut + Qspleen */
    double hepatic_artery_flow_factor; /* f_ha */
    double portal_flow_factor;         /* f_pv: share of the portal blood that reaches the liver */
    double renal_blood_flow_factor;
    double other_organ_flow_factor;
    double cardiac_index_factor;
    double albumin_factor;
    double aag_factor; /* alpha1-acid glycoprotein */
    double haematocrit_factor;
    double gfr_factor;
    double enzyme_abundance_factor[MT_CYP_COUNT]; /* per unit of functional liver */
} mt_hepatic;

typedef struct {
    double mass_kg;        /* organ mass */
    double volume_l;       /* mass / density (adipose 0.92, bone 1.3, others 1 kg/L) */
    double blood_flow_l_h; /* see mt_physiology */
} mt_organ_values;

/* The individual's physiology. Flows: blood_flow_l_h of the 11 systemic organs (adipose ...
 * spleen, rest) sums to cardiac_output_l_h; the liver's is the hepatic-artery flow (the liver
 * also receives the gut and spleen outflow, so total liver inflow is liver + gut + spleen);
 * lung, arterial and venous blood carry the whole cardiac output. Masses: the 14 masses sum to
 * weight_kg (rest closes the balance; it holds pancreas, gonads, GI contents and the unlisted
 * tissues).
 *
 * Hepatic impairment: organ values, cardiac output and haematocrit are those of the person
 * without it; `hepatic` holds the Child-Pugh factors for the PBPK builder to apply (it alone
 * knows how it models portosystemic shunting). The one exception is gfr_l_h, which is final:
 * from serum creatinine when known (the measurement already reflects the disease), otherwise
 * the reference allometric GFR times hepatic.gfr_factor. */
typedef struct {
    mt_organ_values organ[MT_ORGAN_COUNT];
    double cardiac_output_l_h;
    double haematocrit;         /* ICRP 89 Table 2.12, sex-specific */
    double bsa_m2;              /* Mosteller */
    double bmi_kg_m2;           /* weight / height^2 */
    double lean_body_weight_kg; /* Janmahasatian 2005 */
    double egfr_ml_min_1_73;    /* CKD-EPI 2021 creatinine equation; NaN without creatinine */
    double egfr_abs_ml_min;     /* egfr * bsa / 1.73; NaN without creatinine */
    double crcl_cockcroft_gault_ml_min; /* total body weight; NaN without creatinine */
    double gfr_l_h;                     /* GFR for renal filtration, see above */
    int gfr_from_creatinine;            /* 1: gfr_l_h = egfr_abs; 0: allometric reference */
    mt_hepatic hepatic;
} mt_physiology;

/* The loaded, immutable tables of data/physiology/. Opaque. */
typedef struct mt_physio_tables mt_physio_tables;

/* Reads reference_adults.csv, covariate_equations.csv and hepatic_impairment.csv from
 * <data_dir>/physiology/ (data_dir NULL: mt_data_dir()) and checks that every constant the
 * computations need is present and numeric. OUT: *out, owned by the caller (destroy it);
 * NULL on failure. MT_EIO (unreadable file), MT_EPARSE (bad row, duplicate key),
 * MT_ENOTFOUND (a needed constant is missing; the message names it), MT_ENOMEM. */
MT_NODISCARD mt_status mt_physio_tables_load(mt_ctx *ctx, const char *data_dir,
                                             mt_physio_tables **out);
/* NULL is a no-op. */
void mt_physio_tables_destroy(mt_physio_tables *t);

/* One numeric constant by its row key (category, compartment, parameter as in the CSV files).
 * A sex-specific row is preferred; otherwise the "both"/"unisex" row is used (sex
 * MT_PHYSIO_SEX_ANY asks for that row only). OUT: *out; *source (may be NULL) is the row's
 * source text, borrowed from t. MT_ENOTFOUND, or MT_EINVAL if the row's value is not a number
 * (equation text). */
MT_NODISCARD mt_status mt_physio_tables_get(const mt_physio_tables *t, mt_ctx *ctx,
                                            const char *category, const char *compartment,
                                            const char *parameter, mt_sex sex, double *out,
                                            const char **source);

/* Computes the physiology of one person. OUT: *out (fully written on MT_OK). MT_EINVAL names
 * the offending field ("age_years", "weight_kg", "height_cm", "sex",
 * "serum_creatinine_mg_dl", "child_pugh_class"): outside the method's range, not finite, or a
 * weight too low for the method (it would leave <= 1 kg of adipose tissue). Cost: a few dozen
 * floating-point operations and table look-ups; no allocation. */
MT_NODISCARD mt_status mt_physiology_compute(const mt_physio_tables *t, mt_ctx *ctx,
                                             const mt_covariates *in, mt_physiology *out);

/* Renal function (src/twin/renal.c). Both check their arguments against the input guards
 * of covariate_equations.csv and answer MT_EINVAL naming the field. */

/* CKD-EPI 2021 race-free creatinine equation (Inker et al. 2021). OUT: *out in
 * mL/min/1.73 m2. */
MT_NODISCARD mt_status mt_renal_egfr_ckd_epi_2021(const mt_physio_tables *t, mt_ctx *ctx,
                                                  mt_sex sex, double age_years,
                                                  double serum_creatinine_mg_dl, double *out);
/* Cockcroft & Gault 1976 creatinine clearance with the weight given (medtwin passes total
 * body weight). OUT: *out in mL/min. */
MT_NODISCARD mt_status mt_renal_crcl_cockcroft_gault(const mt_physio_tables *t, mt_ctx *ctx,
                                                     mt_sex sex, double age_years, double weight_kg,
                                                     double serum_creatinine_mg_dl, double *out);

/* Child-Pugh factors (src/twin/hepatic.c) for class 0, 'A', 'B' or 'C' (else MT_EINVAL naming
 * child_pugh_class). q_hepatic_artery_l_h and q_portal_l_h (> 0) weight the derived
 * liver_blood_flow_factor. OUT: *out. */
MT_NODISCARD mt_status mt_hepatic_factors(const mt_physio_tables *t, mt_ctx *ctx,
                                          int child_pugh_class, double q_hepatic_artery_l_h,
                                          double q_portal_l_h, mt_hepatic *out);

#ifdef __cplusplus
}
#endif
#endif
