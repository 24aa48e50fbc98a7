/* SPDX-License-Identifier: Apache-2.0
 *
 * medtwin/twin.h — a person and drug cards in, the PBPK builder's parameter values out
 * (include/medtwin/pbpk.h ids), each with the text that says how it was derived, plus the
 * derived facts a report shows (physiology summary, renal function, phenotypes, per-drug
 * clearances and partitioning). docs/twin-parameters.md has every equation and its source.
 *
 * Mapping, in short (per drug d of the regimen, builder name drug_ids[d]):
 *   V_<o>, Q_<o>   mt_physiology_compute() of the person's covariates; Q_ha is the liver's
 *                  (hepatic artery) flow. Child-Pugh: the hepatic-artery and renal blood flow
 *                  factors are applied to Q_ha and Q_kid; portal, other-organ and cardiac-index
 *                  factors are not (the builder has no portosystemic shunt; see the doc).
 *   BP_<d>         the card's blood_plasma_ratio (none is predicted: MT_ENOTFOUND without it).
 *   Kp_<o>_<d>     tissue:plasma Kp (the card's explicit kp, else mt_partition_kp() with the
 *                  card's method, the person's haematocrit, rest = muscle) divided by B:P.
 *   CL_H_<d>       fu_b * sum over hepatic processes of CLint_u (L/h), fu_b = fu_p / B:P;
 *                  enzyme processes use kcat * (enzyme concentration in liver * V_liv) / Km
 *                  with the concentrations of data/enzymes/ and the Child-Pugh abundance
 *                  factor; clint and a plasma clearance (well-stirred inversion) are used as
 *                  well, a stored PK-Sim specific clearance is refused (not convertible).
 *                  Phenotypes are derived and reported but do not scale CLint: no
 *                  activity-to-clearance factor with a source exists yet (docs/pgx.md).
 *   CL_R_<d>       gfr_fraction * fu_p * GFR / B:P (filtration), or the card's renal plasma
 *                  clearance process (per kg, scaled by fu) / B:P.
 *   ka_<d>, F_<d>  card ka and fa * fg when the drug has an oral dose (the builder's liver
 *                  extracts the first pass itself); IV only: ka 0, F 1.
 *
 * Interactions (docs/interactions.md): mt_twin_ddi_describe reads, from the cards alone, which
 * hepatic enzymes each drug is metabolised by and which card interactions of the regimen's
 * drugs act on one of them (reversible: competitive, noncompetitive, mixed; mechanism-based
 * inactivation; induction); that is the structure mt_pbpk_build_ddi builds. mt_twin_params_ddi
 * then adds the values: fm_<d>_<e> = CLint_u of d by e / all CLint_u of d, MW_<p>, fu_<p>,
 * Ki/kinact/KI/Emax/EC50 from the perpetrator's card, kdeg_<e> = ln 2 / the enzyme's liver
 * turnover half-life (data/enzymes). Every card interaction of the regimen is reported as a
 * fact "interaction.<perpetrator>.<target>.<mechanism>", with why it is not modelled when it is
 * not (transporters, gut wall, a Ki without a stated type).
 *
 * Metabolites (docs/metabolites.md): mt_twin_regimen_drugs adds to the dosed drugs the metabolite
 * cards they name (transitively); mt_twin_ddi_describe then also describes, for every hepatic
 * process of a regimen drug that forms another drug of the regimen, a formation (parent, enzyme,
 * metabolite) for mt_pbpk_build_ddi, and mt_twin_params_ddi gives fform_<P>_<e>_<M> (that
 * process's CLint_u share of the parent's hepatic CLint_u) and MW_<P>, MW_<M>, with a fact
 * "metabolite.<parent>.<metabolite>" for each metabolite a regimen card names.
 *
 * Errors: a person outside the physiology method's range fails with the field named
 * ("weight_kg: ..."); a drug whose card lacks what its parameters need fails naming the drug
 * and every missing field ("drug card 'midazolam': physchem.blood_plasma_ratio: ...; ...").
 * The message lists the problems of all drugs, the status is that of the first problem.
 *
 * Thread safety: loaded tables are read-only and may be shared by threads, each with its own
 * mt_ctx; the tables must be destroyed before the ctx they were loaded with (mt_pgx keeps it).
 */
#ifndef MEDTWIN_TWIN_H
#define MEDTWIN_TWIN_H

#include "error.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Declared by medtwin/profile.h and medtwin/drugcard.h (repeated here so that this header
 * does not pull them in). */
typedef struct mt_profile mt_profile;
typedef struct mt_drugcard mt_drugcard;
typedef struct mt_physio_tables mt_physio_tables;
typedef struct mt_partition_tables mt_partition_tables;
typedef struct mt_pgx mt_pgx;

typedef struct mt_twin_tables mt_twin_tables;

/* Loads, once, the physiology (data_dir/physiology), tissue (data_dir/tissue/human.csv),
 * pharmacogenomic (data_dir/pgx) and enzyme (data_dir/enzymes/enzyme_abundance.csv) tables
 * (data_dir NULL: mt_data_dir()). OUT: *out (mt_twin_tables_destroy), NULL on failure.
 * Codes of the loaders; the enzyme table: MT_EIO unreadable, MT_EPARSE for a row without a
 * source, an unknown parameter, a wrong unit, a value that is not a positive number, a
 * duplicate row, an enzyme with a relative expression or a half-life but no reference
 * concentration. */
MT_NODISCARD mt_status mt_twin_tables_load(mt_ctx *ctx, const char *data_dir, mt_twin_tables **out);
/* NULL is a no-op. */
void mt_twin_tables_destroy(mt_twin_tables *t);

/* The loaded sub-tables (borrowed, valid while t lives). */
const mt_physio_tables *mt_twin_tables_physio(const mt_twin_tables *t);
const mt_partition_tables *mt_twin_tables_partition(const mt_twin_tables *t);
const mt_pgx *mt_twin_tables_pgx(const mt_twin_tables *t);

/* The enzyme concentration in the liver used for CLint (umol per L of liver tissue):
 * the PK-Sim reference concentration times the liver relative expression. OUT: *umol_l;
 * *source (may be NULL) names both rows, borrowed from t. MT_ENOTFOUND naming the enzyme
 * (and what is missing) if the table has no such value. */
MT_NODISCARD mt_status mt_twin_enzyme_liver_umol_l(const mt_twin_tables *t, mt_ctx *ctx,
                                                   const char *enzyme, double *umol_l,
                                                   const char **source);

/* The enzyme's turnover half-life in the liver (h), for mechanism-based inactivation and
 * induction. OUT: *h; *source (may be NULL) borrowed from t. MT_ENOTFOUND naming the enzyme if
 * the table has none. */
MT_NODISCARD mt_status mt_twin_enzyme_half_life_h(const mt_twin_tables *t, mt_ctx *ctx,
                                                  const char *enzyme, double *h,
                                                  const char **source);

/* One builder parameter. */
typedef struct {
    char *id;         /* builder id: "V_liv", "Q_ha", "CL_H_midazolam", ... */
    double value;     /* finite, in the builder's unit */
    const char *unit; /* static: "L", "L/h", "1", "1/h" */
    char *provenance; /* how it was derived, with the sources */
} mt_twin_param;

/* One derived fact for the report. Keys: "physiology.<quantity>", "renal.<quantity>",
 * "hepatic.<quantity>", "pgx.<GENE>", "drug.<id>.<quantity>", "profile.<field>". */
typedef struct {
    char *key;
    double value;     /* NaN when the fact is text only */
    const char *unit; /* static; "" when dimensionless or text */
    char *text;       /* e.g. the phenotype; "" when none */
    char *how;        /* derivation and sources */
} mt_twin_fact;

typedef struct {
    size_t n_params;
    mt_twin_param *params;
    size_t n_facts;
    mt_twin_fact *facts;
} mt_twin_param_list;

/* 1 if the twin gives the drug of card c permeability-limited cells (its
 * partition.cell_permeability is PK-Sim Standard and it has a PK-Sim lipophilicity and a molecular
 * weight): the builder's mt_pbpk_drug.cell_permeability must then be set, for the parameters fe_*
 * and PSc_* exist (docs/twin-parameters.md, "Cell permeability"). */
int mt_twin_cells_represented(const mt_drugcard *c);
/* 1 if the twin also gives it an active uptake into the liver cells (an OATP1B1
 * Michaelis-Menten transport on the card): mt_pbpk_drug.liver_uptake must then be set
 * (docs/twin-parameters.md, "Liver uptake"). And 1 if the card's transport entry k is that
 * uptake, i.e. represented in the twin. */
int mt_twin_liver_uptake_represented(const mt_drugcard *c);
int mt_twin_transport_represented(const mt_drugcard *c, size_t k);
/* 1 if the twin gives an oral dose of the drug PK-Sim's mucosa (docs/absorption.md, "PK-Sim's
 * mucosa"): its card absorbs mechanistically (absorption.model pksim_permeability), chooses it
 * (absorption.gut_wall "mucosa"; the default is the Qgut model) and has cells
 * (mt_twin_cells_represented). A drug on the transit model then needs mt_pbpk_drug.mucosa set:
 * the twin sets PSm_*, VM_* and CLg_* instead of Fg_*. */
int mt_twin_mucosa_represented(const mt_drugcard *c);
/* 1 if the twin gives the drug an efflux out of its cells (docs/interactions.md, "P-gp"): its card
 * asks for it (elimination.efflux) with a Michaelis-Menten transport entry of that transporter and
 * it has cells (mt_twin_cells_represented): mt_pbpk_drug.efflux must then be set (Vbil_*, Vkef_*,
 * Kmef_*; with the mucosa also Vgef_* and wef_*), and an oral or intravenous regimen of it takes
 * the transit model when its card absorbs mechanistically (the bile returns to the duodenum). */
int mt_twin_efflux_represented(const mt_drugcard *c);

/* Derives every builder parameter of a regimen of n_drugs drugs for one person.
 * cards[d]: the drug card of drug d; drug_ids[d]: its name in the builder
 * ([A-Za-z_][A-Za-z0-9_]*, unique); has_oral[d]: 1 if the regimen gives d by mouth (NULL: no
 * oral doses). OUT: *out filled (free with mt_twin_param_list_free); on failure *out is
 * empty. MT_EINVAL: NULL or malformed arguments, or a covariate the physiology method refuses
 * (message names the profile field); MT_ENOTFOUND: a value a parameter needs is absent from a
 * card, or no enzyme abundance exists for a process's enzyme, or a genotype names an unknown
 * allele; MT_EUNSUPPORTED: a card's partition method or process type medtwin cannot evaluate;
 * MT_ENOMEM. */
MT_NODISCARD mt_status mt_twin_params(const mt_twin_tables *t, mt_ctx *ctx,
                                      const mt_profile *person, size_t n_drugs,
                                      const mt_drugcard *const *cards, const char *const *drug_ids,
                                      const int *has_oral, mt_twin_param_list *out);

/* ---- interactions -------------------------------------------------------------------------- */

/* Declared by medtwin/pbpk.h (repeated so that this header does not pull it in). */
typedef struct mt_pbpk_ddi mt_pbpk_ddi;

/* A regimen's interaction structure, from its cards. */
typedef struct mt_twin_ddi mt_twin_ddi;

/* Describes the hepatic interactions among the regimen's drugs (cards[d], builder names
 * drug_ids[d], as for mt_twin_params): a pathway (d, e) for every enzyme e of a hepatic process
 * of d's card that some modelled interaction targets, and an interaction for every card
 * interaction of a regimen drug (a drug may act on its own enzymes: auto-inhibition,
 * auto-induction) whose target is such an enzyme. Enzyme names become builder names with every
 * character outside [A-Za-z0-9_] replaced by '_'. Never fails for missing values (those are
 * mt_twin_params_ddi's errors). OUT: *out (mt_twin_ddi_destroy). MT_EINVAL for bad arguments,
 * MT_ENOMEM. */
MT_NODISCARD mt_status mt_twin_ddi_describe(mt_ctx *ctx, size_t n_drugs,
                                            const mt_drugcard *const *cards,
                                            const char *const *drug_ids, mt_twin_ddi **out);
/* The description for mt_pbpk_build_ddi (borrowed, valid while d lives). */
const mt_pbpk_ddi *mt_twin_ddi_builder(const mt_twin_ddi *d);
/* NULL is a no-op. */
void mt_twin_ddi_destroy(mt_twin_ddi *d);

/* mt_twin_params plus the values of the interaction parameters of ddi, which must have been
 * described from the same cards and drug_ids (else MT_EINVAL). ddi NULL: exactly
 * mt_twin_params (no interaction parameters; the facts say which interactions the model
 * leaves out). Additional errors (collected like the others, naming the card field):
 * MT_ENOTFOUND for a perpetrator without physchem.mw, an interaction without its constants, an
 * enzyme without a liver turnover half-life (data/enzymes). */
MT_NODISCARD mt_status mt_twin_params_ddi(const mt_twin_tables *t, mt_ctx *ctx,
                                          const mt_profile *person, size_t n_drugs,
                                          const mt_drugcard *const *cards,
                                          const char *const *drug_ids, const int *has_oral,
                                          const mt_twin_ddi *ddi, mt_twin_param_list *out);

/* ---- metabolites ----------------------------------------------------------------------------- */

/* A regimen's drugs with the metabolites their cards form (docs/metabolites.md). */
typedef struct mt_twin_drugs mt_twin_drugs;

/* The dosed drugs (cards[d], builder names drug_ids[d], d < n_dosed; borrowed, must outlive *out)
 * followed by every metabolite their cards name (a hepatic process's `metabolite`, or the card's
 * metabolites list), transitively, each loaded from data_dir/drugs (NULL: mt_data_dir()) under
 * its card name, which is also its builder name. A named metabolite is left out, with a note
 * (mt_twin_drugs_notes: key "metabolite.<parent>.<name>", text "not simulated", how = the
 * reason), when no card has that name, the card cannot be loaded, or the card does not give
 * every value of an IV twin (checked with a reference adult: male, 30 y, 73 kg, 176 cm; the
 * reason names the card fields as mt_twin_params does); its own metabolites are then not
 * followed. A metabolite that is already a drug of the list is not added twice.
 * t: the loaded tables, or NULL to load them from data_dir for this call (codes of
 * mt_twin_tables_load). OUT: *out (mt_twin_drugs_destroy). MT_EINVAL for bad arguments or a cycle
 * (a metabolite that forms one of its precursors; the message names the chain); MT_ELIMIT for more
 * than 32 drugs or a chain longer than 8 steps; MT_ENOMEM. */
MT_NODISCARD mt_status mt_twin_regimen_drugs(const mt_twin_tables *t, mt_ctx *ctx,
                                             const char *data_dir, size_t n_dosed,
                                             const mt_drugcard *const *cards,
                                             const char *const *drug_ids, mt_twin_drugs **out);
/* All drugs: the dosed ones first, in their order, then the metabolites (no doses). Borrowed,
 * valid while r lives. */
size_t mt_twin_drugs_n(const mt_twin_drugs *r);
size_t mt_twin_drugs_n_dosed(const mt_twin_drugs *r);
const mt_drugcard *const *mt_twin_drugs_cards(const mt_twin_drugs *r);
const char *const *mt_twin_drugs_ids(const mt_twin_drugs *r);
/* The metabolites left out, as facts (no parameters). */
const mt_twin_param_list *mt_twin_drugs_notes(const mt_twin_drugs *r);
/* NULL is a no-op. */
void mt_twin_drugs_destroy(mt_twin_drugs *r);

/* Frees the contents and empties the list; NULL is a no-op. */
void mt_twin_param_list_free(mt_twin_param_list *l);

/* Look-ups; NULL when absent. */
const mt_twin_param *mt_twin_param_find(const mt_twin_param_list *l, const char *id);
const mt_twin_fact *mt_twin_fact_find(const mt_twin_param_list *l, const char *key);

#ifdef __cplusplus
}
#endif
#endif
