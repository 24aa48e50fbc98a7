/* SPDX-License-Identifier: Apache-2.0
 *
 * medtwin/drugcard.h — drug cards: one JSON file per drug in data/drugs/
 * (schema "medtwin-drug-card/1", documented in docs/drug-cards.md), every
 * number with its unit and source. This module loads and validates a card
 * and answers the questions the PBPK builder asks of it.
 *
 * Validation on load (a card that fails is refused, the message names the
 * field): the schema id; the name equals the file name; every value object
 * ({"value", "unit", "source", "fitted", ...}) has a finite number, a unit
 * from the set allowed for its field, a non-empty source, a "fitted" flag and,
 * when fitted, a non-empty "fitted_to" naming the training data; values lie in
 * their physical range (fu in (0, 1], MW > 0, Km > 0, ...); the sections have
 * their documented shape. Files larger than 1 MiB are refused (MT_ELIMIT).
 *
 * Units: accessors return values converted to one canonical unit per
 * quantity, named in each accessor (time in h, as everywhere in medtwin):
 * rates 1/h, concentrations umol/L, mass concentrations mg/L, clearances L/h
 * or L/h/kg, fractions as fractions (a card may say "%"). An absent value is
 * NaN (scalar accessors) or MT_ENOTFOUND (status accessors); it is never 0.
 *
 * Strings returned by accessors are borrowed from the card and valid until
 * mt_drugcard_destroy(). A card is immutable after load: any number of
 * threads may read one card at once.
 */
#ifndef MEDTWIN_DRUGCARD_H
#define MEDTWIN_DRUGCARD_H

#include "error.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MT_DRUGCARD_SCHEMA "medtwin-drug-card/1"
#define MT_DRUGCARD_MAX_BYTES ((size_t)1 << 20)

typedef struct mt_drugcard mt_drugcard;

/* Loads data_dir/drugs/<name>.json (data_dir NULL: mt_data_dir()) and
 * validates it. OUT: *out (mt_drugcard_destroy), NULL on failure.
 * MT_ENOTFOUND "unknown drug 'x' (see `medtwin drugs`)" when there is no
 * such card (names are [a-z0-9_]+); MT_ELIMIT above MT_DRUGCARD_MAX_BYTES;
 * MT_EPARSE for invalid JSON or a card that fails validation; MT_EIO. */
MT_NODISCARD mt_status mt_drugcard_load(mt_ctx *ctx, const char *data_dir, const char *name,
                                        mt_drugcard **out);
/* Same from memory (len bytes of text, no NUL needed). name: the expected
 * card name, or NULL to accept the card's own (still checked for form). */
MT_NODISCARD mt_status mt_drugcard_parse(mt_ctx *ctx, const char *text, size_t len,
                                         const char *name, mt_drugcard **out);
void mt_drugcard_destroy(mt_drugcard *card);

/* The card names in data_dir/drugs (data_dir NULL: mt_data_dir()): every
 * <name>.json with a valid name, sorted (strcmp). Cards are not parsed.
 * OUT: *names (mt_drugcard_names_free), *n. MT_EIO if the folder cannot be
 * read. */
MT_NODISCARD mt_status mt_drugcard_list(mt_ctx *ctx, const char *data_dir, char ***names,
                                        size_t *n);
void mt_drugcard_names_free(mt_ctx *ctx, char **names, size_t n);

/* Identity. name, version, display_name and kind are always present. */
const char *mt_drugcard_name(const mt_drugcard *card);
const char *mt_drugcard_version(const mt_drugcard *card);
const char *mt_drugcard_display_name(const mt_drugcard *card);
const char *mt_drugcard_kind(const mt_drugcard *card);
/* Links to other cards; NULL / 0 when absent. */
const char *mt_drugcard_parent(const mt_drugcard *card);
const char *mt_drugcard_racemate(const mt_drugcard *card);
size_t mt_drugcard_n_enantiomers(const mt_drugcard *card);
const char *mt_drugcard_enantiomer(const mt_drugcard *card, size_t i);

/* The clinical studies the card's fitted values were estimated from (training_data.studies,
 * "Author Year: what was used"); NULL past the end. A validation must not count them.
 * mt_drugcard_is_training_study: 1 if study ("Author Year", e.g. "Hohmann 2015") is one. */
size_t mt_drugcard_n_training(const mt_drugcard *card);
const char *mt_drugcard_training(const mt_drugcard *card, size_t i);
int mt_drugcard_is_training_study(const mt_drugcard *card, const char *study);

/* Physicochemistry. NaN when absent. */
double mt_drugcard_mw(const mt_drugcard *card); /* g/mol */
/* The card's partition.cell_permeability method ("pksim_standard", "charge_dependent_schmitt"),
 * NULL when it names none; its halogen counts are the values physchem.halogens.fluorine, ...
 * (docs/drug-cards.md, docs/twin-parameters.md "Cell permeability"). */
const char *mt_drugcard_cell_permeability(const mt_drugcard *card);
double mt_drugcard_logp(const mt_drugcard *card); /* log10 units */
/* "pksim_lipophilicity", "logp_octanol_water", ...; NULL when absent. */
const char *mt_drugcard_logp_measure(const mt_drugcard *card);
double mt_drugcard_fu(const mt_drugcard *card); /* fraction unbound in plasma */
double mt_drugcard_bp(const mt_drugcard *card); /* blood:plasma ratio */

typedef enum { MT_PKA_ACID, MT_PKA_BASE } mt_pka_type;
size_t mt_drugcard_n_pka(const mt_drugcard *card);
/* OUT: *value, *type (either may be NULL). MT_ENOTFOUND if i is out of range. */
MT_NODISCARD mt_status mt_drugcard_pka(const mt_drugcard *card, size_t i, double *value,
                                       mt_pka_type *type);

/* Partitioning: "rodgers_rowland", "poulin_theil", "schmitt", "berezhkovskiy",
 * "pksim_standard"; NULL when absent. */
const char *mt_drugcard_partition_method(const mt_drugcard *card);
/* Explicit Kp for a builder organ id (mt_pbpk_organ()); NaN when absent. */
double mt_drugcard_kp(const mt_drugcard *card, const char *organ);

/* Absorption. NaN when absent. */
const char *mt_drugcard_absorption_model(const mt_drugcard *card); /* NULL when absent */
/* absorption.gut_wall: "qgut" (the default, NULL when absent) or "mucosa" (PK-Sim's mucosa,
 * docs/absorption.md "PK-Sim's mucosa"). */
const char *mt_drugcard_gut_wall(const mt_drugcard *card);
/* elimination.efflux: the transporter whose transport process the twin builds as an efflux out
 * of the cells (docs/interactions.md, "P-gp"; "P-gp"), or NULL (none). */
const char *mt_drugcard_efflux(const mt_drugcard *card);
double mt_drugcard_ka(const mt_drugcard *card); /* 1/h */
double mt_drugcard_fa(const mt_drugcard *card); /* fraction */
double mt_drugcard_fg(const mt_drugcard *card); /* fraction */

/* Oral formulations (absorption.formulations; docs/absorption.md, "Formulations"): Weibull
 * dissolution, fraction dissolved 1 - exp(-ln2 ((t - lag) / t50)^shape). */
typedef struct {
    const char *id, *description, *food; /* food: "fasted", "fed", "unspecified" or NULL */
    double t50_h, shape, lag_h;          /* lag 0 when the card gives none */
} mt_formulation;
size_t mt_drugcard_n_formulations(const mt_drugcard *card);
const char *mt_drugcard_formulation_id(const mt_drugcard *card, size_t i); /* NULL past the end */
/* 0 and *out filled when the card has formulation id, else -1. */
int mt_drugcard_formulation(const mt_drugcard *card, const char *id, mt_formulation *out);

/* One elimination process (hepatic metabolism or transport). Absent numbers
 * are NaN, absent strings NULL. */
typedef struct {
    const char *protein;     /* enzyme or transporter: "CYP3A4", "P-gp", "unspecific" */
    const char *process;     /* "michaelis_menten", "first_order", "hepatic_clearance" */
    const char *system;      /* "liver_microsomes", "recombinant", "specific", ... */
    const char *osp_process; /* the OSP process name the values come from */
    const char *metabolite;  /* the metabolite formed */
    double km_umol_l;
    double kcat_per_h;
    double vmax_microsomal_pmol_min_mg; /* in vitro, per mg microsomal protein */
    double vmax_recombinant_pmol_min_pmol;
    double vmax_umol_l_h;
    double enzyme_content_pmol_mg;
    double protein_conc_umol_l; /* enzyme or transporter concentration */
    double specific_clearance_per_h;
    double clint_l_h;
    double plasma_clearance_l_h_kg;
    double fm; /* fraction metabolised by this process */
    int any_fitted;
} mt_drugcard_process;

size_t mt_drugcard_n_hepatic(const mt_drugcard *card);
MT_NODISCARD mt_status mt_drugcard_hepatic(const mt_drugcard *card, size_t i,
                                           mt_drugcard_process *out);
size_t mt_drugcard_n_transport(const mt_drugcard *card);
MT_NODISCARD mt_status mt_drugcard_transport(const mt_drugcard *card, size_t i,
                                             mt_drugcard_process *out);
/* Specific binding to a protein (card `specific_binding`): how many entries, and the target of
 * entry i (NULL past the end). The twin represents one target per drug
 * (docs/twin-parameters.md, "Specific binding"). */
size_t mt_drugcard_n_specific_binding(const mt_drugcard *card);
const char *mt_drugcard_specific_binding_target(const mt_drugcard *card, size_t i);

/* Renal elimination. MT_ENOTFOUND when the card has none. */
typedef struct {
    double gfr_fraction;             /* NaN when absent */
    double specific_clearance_per_h; /* first renal clearance process; NaN when absent */
    double plasma_clearance_l_h_kg;  /* first renal clearance process; NaN when absent */
    size_t n_clearance;              /* renal clearance processes on the card */
    int any_fitted;
} mt_drugcard_renal;
MT_NODISCARD mt_status mt_drugcard_renal_get(const mt_drugcard *card, mt_drugcard_renal *out);

/* Interactions (the card's drug as perpetrator). */
typedef enum {
    MT_MECH_COMPETITIVE,
    MT_MECH_NONCOMPETITIVE,
    MT_MECH_MIXED,
    MT_MECH_MECHANISM_BASED,
    MT_MECH_INDUCTION,
    MT_MECH_UNSPECIFIED
} mt_mechanism;
typedef struct {
    const char *target; /* enzyme or transporter */
    mt_mechanism mechanism;
    double ki_umol_l, ki_c_umol_l, ki_u_umol_l; /* reversible inhibition */
    double kinact_per_h, ki_half_umol_l;        /* mechanism-based inactivation */
    double ec50_umol_l, emax;                   /* induction */
    int any_fitted;
} mt_drugcard_interaction;
size_t mt_drugcard_n_interactions(const mt_drugcard *card);
MT_NODISCARD mt_status mt_drugcard_interaction_get(const mt_drugcard *card, size_t i,
                                                   mt_drugcard_interaction *out);
const char *mt_mechanism_name(mt_mechanism m);

/* Metabolites formed (name of a card or a compound, enzyme, fraction or NaN). */
typedef struct {
    const char *name;
    const char *via;
    double fraction;
} mt_drugcard_metabolite;
size_t mt_drugcard_n_metabolites(const mt_drugcard *card);
MT_NODISCARD mt_status mt_drugcard_metabolite_get(const mt_drugcard *card, size_t i,
                                                  mt_drugcard_metabolite *out);

/* Therapeutic range in mg/L. OUT: *low, *high, *toxic_above (NaN when that
 * bound is absent; any pointer may be NULL). MT_ENOTFOUND without a range. */
MT_NODISCARD mt_status mt_drugcard_therapeutic_range(const mt_drugcard *card, double *low,
                                                     double *high, double *toxic_above);

/* Pharmacogenomics: gene i and the enzyme/transporter whose activity it
 * scales. MT_ENOTFOUND if i is out of range. */
size_t mt_drugcard_n_pgx(const mt_drugcard *card);
MT_NODISCARD mt_status mt_drugcard_pgx(const mt_drugcard *card, size_t i, const char **gene,
                                       const char **scales);

/* The card's list of absent values: field and reason. */
size_t mt_drugcard_n_missing(const mt_drugcard *card);
MT_NODISCARD mt_status mt_drugcard_missing(const mt_drugcard *card, size_t i, const char **field,
                                           const char **why);

/* Any value by path: keys and array indices joined by '.', e.g.
 * "physchem.fu_plasma", "elimination.hepatic.0.km", "physchem.pka.1".
 * mt_drugcard_value: the value in its field's canonical unit (OUT: *value,
 * *unit, either may be NULL). mt_drugcard_value_source: OUT: *source,
 * *fitted (0/1), *fitted_to (NULL unless fitted); any may be NULL.
 * MT_ENOTFOUND when the path names no value object. */
MT_NODISCARD mt_status mt_drugcard_value(const mt_drugcard *card, const char *path, double *value,
                                         const char **unit);
MT_NODISCARD mt_status mt_drugcard_value_source(const mt_drugcard *card, const char *path,
                                                const char **source, int *fitted,
                                                const char **fitted_to);

/* Which builder inputs the card has (bit set = present). MT_DC_KP means
 * explicit Kp for every builder organ; MT_DC_PARTITION that Kp can be
 * computed (a method plus logP and fu). */
enum {
    MT_DC_MW = 1u << 0,
    MT_DC_LOGP = 1u << 1,
    MT_DC_PKA = 1u << 2,
    MT_DC_FU = 1u << 3,
    MT_DC_BP = 1u << 4,
    MT_DC_PARTITION = 1u << 5,
    MT_DC_KP = 1u << 6,
    MT_DC_KA = 1u << 7,
    MT_DC_FA = 1u << 8,
    MT_DC_FG = 1u << 9,
    MT_DC_HEPATIC = 1u << 10,
    MT_DC_RENAL = 1u << 11,
    MT_DC_INTERACTIONS = 1u << 12,
    MT_DC_THERAPEUTIC = 1u << 13
};
#define MT_DC_N_FLAGS 14
unsigned mt_drugcard_completeness(const mt_drugcard *card);
/* Short name of flag bit i (0 <= i < MT_DC_N_FLAGS): "mw", "logp", ... */
const char *mt_drugcard_flag_name(unsigned i);

#ifdef __cplusplus
}
#endif
#endif
