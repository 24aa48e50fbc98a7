/* SPDX-License-Identifier: Apache-2.0
 *
 * medtwin/poppk.h — population-PK(PD) drug cards: one JSON file per drug in data/poppk/
 * (schema "medtwin-poppk-card/1", documented in docs/poppk.md). A card holds a published
 * compartmental model: its structure (1 or 2 compartments, IV or first-order oral absorption,
 * optionally the Hamberg warfarin INR model), the typical values of its parameters, the
 * covariate model, the inter-individual variability (IIV) of log-normal etas, the residual
 * error, and for every number its source (the paper, and where the values were read).
 * The cards are the priors of Bayesian MAP fitting and dose finding.
 *
 * Validation on load (a card that fails is refused with MT_EPARSE, or MT_EINVAL for a value
 * out of range; the message names the field): the schema id; "kind": "poppk"; the drug name
 * (equal to the file name when loaded by name); a citation and where the values were seen;
 * every parameter with a finite typical value > 0, a unit, its model unit and a source; the
 * parameters the structure needs; every covariate effect and covariate with a source; every
 * covariate expression parsed, naming only the parameter itself, covariate effects and
 * declared covariates, and giving the typical value at the card's reference covariates;
 * IIV variances >= 0 and correlations within [-1, 1]. Files over 1 MiB: MT_ELIMIT.
 *
 * Units: times in h, amounts in mg, volumes in L, clearances in L/h, concentrations in mg/L
 * (a card may give its residual error in ng/mL or ug/L; it is converted).
 *
 * Strings returned by accessors are borrowed from the card and valid until
 * mt_poppk_destroy(). A card is immutable after load: any number of threads may read one.
 */
#ifndef MEDTWIN_POPPK_H
#define MEDTWIN_POPPK_H

#include "error.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MT_POPPK_SCHEMA "medtwin-poppk-card/1"
#define MT_POPPK_MAX_BYTES ((size_t)1 << 20)
#define MT_POPPK_MAX_GENES 8

typedef struct mt_poppk mt_poppk;

/* Loads <mt_data_dir()>/poppk/<drug>.json and validates it. OUT: *out (mt_poppk_destroy),
 * NULL on failure. MT_ENOTFOUND "no population-PK card for 'x'" when there is none (names
 * are [a-z0-9_]+); MT_ELIMIT, MT_EPARSE, MT_EINVAL, MT_EIO. */
MT_NODISCARD mt_status mt_poppk_load(mt_ctx *ctx, const char *drug, mt_poppk **out);
/* Same from any file; the card's drug name is not compared with the file name. */
MT_NODISCARD mt_status mt_poppk_load_file(mt_ctx *ctx, const char *path, mt_poppk **out);
/* Same from memory (len bytes, no NUL needed). */
MT_NODISCARD mt_status mt_poppk_parse(mt_ctx *ctx, const char *text, size_t len, mt_poppk **out);
void mt_poppk_destroy(mt_poppk *card);

/* The drugs with a card in <mt_data_dir()>/poppk: every <name>.json with a valid name,
 * sorted (strcmp); cards are not parsed. OUT: *names (mt_poppk_names_free), *n. MT_EIO. */
MT_NODISCARD mt_status mt_poppk_list(mt_ctx *ctx, char ***names, size_t *n);
void mt_poppk_names_free(mt_ctx *ctx, char **names, size_t n);

/* Identity and structure. Never NULL except mt_poppk_pd (NULL without a PD model). */
const char *mt_poppk_drug(const mt_poppk *card);
const char *mt_poppk_structure(const mt_poppk *card);   /* "1cpt" | "2cpt" */
const char *mt_poppk_absorption(const mt_poppk *card);  /* "iv" | "oral_first_order" */
const char *mt_poppk_dose_target(const mt_poppk *card); /* "central" (IV) | "depot" (oral) */
const char *mt_poppk_pd(const mt_poppk *card);          /* "hamberg_inr" or NULL */
/* "Authors (year). Title. Journal volume:pages" */
const char *mt_poppk_citation(const mt_poppk *card);
/* Where the values were read (repository path@commit or URL); i < mt_poppk_n_sources. */
size_t mt_poppk_n_sources(const mt_poppk *card);
const char *mt_poppk_source_seen(const mt_poppk *card, size_t i);

/* Parameters, in card order: names ("CL", "V1", "Q", "V2", "KA", "F", PD ones), model units
 * (the unit of the values mt_poppk_typical returns: "L/h", "L", "1/h", "1", "h", "mg/L")
 * and sources. NULL past the end; mt_poppk_param_index: -1 for an unknown name. */
size_t mt_poppk_n_params(const mt_poppk *card);
const char *mt_poppk_param_name(const mt_poppk *card, size_t i);
const char *mt_poppk_param_unit(const mt_poppk *card, size_t i);
const char *mt_poppk_param_source(const mt_poppk *card, size_t i);
/* The published typical value as printed on the card (its own unit, which may differ from the
 * model unit: 0.675 L/kg for a volume with the expression "V1 * WT"); NaN past the end. */
double mt_poppk_param_published(const mt_poppk *card, size_t i);
int mt_poppk_param_index(const mt_poppk *card, const char *name);

/* Covariates of a person. Continuous values NaN when unknown; sex -1 when unknown;
 * genotypes as (gene, genotype) strings, e.g. ("VKORC1", "GA"), or for CYP2C9 a star-allele
 * diplotype: "*1", a slash, "*3". */
typedef struct {
    const char *gene;
    const char *genotype;
} mt_poppk_genotype;

typedef struct {
    double weight_kg;          /* WT */
    double age_years;          /* AGE */
    double height_cm;          /* HT */
    double bsa_m2;             /* BSA, body surface area */
    double crcl_ml_min;        /* CRCL, creatinine clearance */
    double scr_mg_dl;          /* SCR, serum creatinine */
    double birth_weight_kg;    /* BWT */
    double postnatal_age_days; /* PNA */
    double baseline_inr;       /* INR0, the INR before warfarin */
    int sex;                   /* SEX: 1 male, 0 female, -1 unknown */
    size_t n_genotypes;
    mt_poppk_genotype genotypes[MT_POPPK_MAX_GENES];
} mt_poppk_covariates;

/* Everything unknown. */
void mt_poppk_covariates_init(mt_poppk_covariates *cov);
/* Adds or replaces the genotype of gene (strings borrowed, not copied). MT_ELIMIT when
 * MT_POPPK_MAX_GENES genes are already set, MT_EINVAL for NULL. No message is set. */
MT_NODISCARD mt_status mt_poppk_covariates_set_genotype(mt_poppk_covariates *cov, const char *gene,
                                                        const char *genotype);
/* The card's reference covariates (those at which the typical values were published). */
void mt_poppk_reference_covariates(const mt_poppk *card, mt_poppk_covariates *cov);

/* The covariates the card uses: name ("WT", "CRCL", "CYP2C9", ...), unit, reference value
 * (NaN for a genotype; mt_poppk_covariate_reference_genotype gives it, NULL otherwise). */
size_t mt_poppk_n_covariates(const mt_poppk *card);
const char *mt_poppk_covariate_name(const mt_poppk *card, size_t i);
const char *mt_poppk_covariate_unit(const mt_poppk *card, size_t i);
double mt_poppk_covariate_reference(const mt_poppk *card, size_t i);
const char *mt_poppk_covariate_reference_genotype(const mt_poppk *card, size_t i);

/* The individual typical values (population prediction, eta = 0) for covariates cov, in the
 * model units, into theta[0 .. n_params-1]. MT_EINVAL naming the covariate when the card
 * needs one that cov lacks (NaN, sex -1, gene not set), for an unknown genotype category
 * ("CYP2C9 genotype 'x' is not on the card (known: ...)"), or when a value comes out not
 * finite or not > 0. theta is unspecified on failure. */
MT_NODISCARD mt_status mt_poppk_typical(mt_ctx *ctx, const mt_poppk *card,
                                        const mt_poppk_covariates *cov, double *theta);

/* The covariance matrix of the log-normal etas (individual = typical * exp(eta)),
 * n_params x n_params, row-major; 0 on the diagonal for a parameter without IIV. */
void mt_poppk_omega(const mt_poppk *card, double *omega);

/* Residual error of an observable: "Cc" (the concentration, mg/L) or a PD output ("INR").
 * y = f + sqrt(additive_sd^2 + (proportional_cv * f)^2) * eps for "additive", "proportional"
 * and "combined"; for "exponential", y = f * exp(proportional_cv * eps). Absent parts are 0.
 * MT_ENOTFOUND for an observable the card has no residual model for. */
typedef struct {
    const char *form;       /* "additive" | "proportional" | "combined" | "exponential" */
    double additive_sd;     /* mg/L (INR units for INR) */
    double proportional_cv; /* fraction */
    const char *source;
} mt_poppk_residual;
MT_NODISCARD mt_status mt_poppk_residual_get(const mt_poppk *card, const char *observable,
                                             mt_poppk_residual *out);

/* SBML Level 3 Version 2 text of the card's structure at its reference typical values.
 * Every card parameter is an SBML parameter with the same id (set CL, V1, ... to simulate a
 * person); species are amounts in mg: "depot" (oral cards: the dose target), "central" (the
 * dose target of IV cards), "peripheral" (2cpt); the observable Cc = central/V1 (mg/L) is an
 * assignment rule; oral absorption moves F*KA*depot into central (F is the fraction of the
 * dose that reaches it); warfarin adds the transit chains A1..A7 and INR. A lag time (TLAG) is
 * not in the model: it delays the dose. OUT: *xml, NUL-terminated, released with free(). */
MT_NODISCARD mt_status mt_poppk_sbml(mt_ctx *ctx, const mt_poppk *card, char **xml);

#ifdef __cplusplus
}
#endif
#endif
