/* SPDX-License-Identifier: Apache-2.0
 *
 * twin/twin_internal.h — what twin.c (tables, the person, per-drug derivation, mt_twin_params),
 * twin_ddi.c (interactions: mt_twin_ddi_describe and the interaction parameters) and
 * twin_metab.c (metabolites: the formation parameters and mt_twin_regimen_drugs) share. Not
 * installed. The shared helpers keep their short names in the code; the macros below give them
 * library-wide names with the mt_twin_i_ prefix.
 */
#ifndef MT_TWIN_INTERNAL_H
#define MT_TWIN_INTERNAL_H

#include "medtwin/twin.h"

#include "medtwin/drugcard.h"
#include "medtwin/partition.h"
#include "medtwin/pbpk.h"
#include "medtwin/physiology.h"

#include "util/csv.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

/* The builder id of a formation's fraction: "<prefix>_<parent>[_<enzyme>]_<metabolite>" (prefix
 * "fform": the liver, "fformg": the gut wall). Shared by the builder (pbpk.c) and the
 * derivation (twin_metab.c), so the two always name the same symbol. */
static inline void formation_id(char *id, size_t n, const char *prefix, const mt_pbpk_formation *f)
{
    if (f->enzyme)
        snprintf(id, n, "%s_%s_%s_%s", prefix, f->parent, f->enzyme, f->metabolite);
    else
        snprintf(id, n, "%s_%s_%s", prefix, f->parent, f->metabolite);
}

#define sb_vadd mt_twin_i_sb_vadd
#define sb_add mt_twin_i_sb_add
#define sb_str mt_twin_i_sb_str
#define sb_clear mt_twin_i_sb_clear
#define sb_free mt_twin_i_sb_free
#define dup_str mt_twin_i_dup_str
#define put_param mt_twin_i_put_param
#define put_fact mt_twin_i_put_fact
#define problem mt_twin_i_problem
#define ieq mt_twin_i_ieq
#define missing_why mt_twin_i_missing_why
#define valid_builder_name mt_twin_i_valid_builder_name
#define derive_drug mt_twin_i_derive_drug
#define is_enzyme_protein mt_twin_i_is_enzyme_protein
#define value_note mt_twin_i_value_note
#define ddi_params mt_twin_i_ddi_params
#define process_metabolite mt_twin_i_process_metabolite
#define drug_named mt_twin_i_drug_named
#define metab_params mt_twin_i_metab_params
#define gi_load mt_twin_i_gi_load
#define gi_free mt_twin_i_gi_free
#define gi_derive mt_twin_i_gi_derive
#define gi_put mt_twin_i_gi_put
#define gi_result_free mt_twin_i_gi_result_free

/* ---- growing strings (twin.c) ---- */

typedef struct {
    char *buf;
    size_t len, cap;
    int oom;
} sbuf;

void sb_vadd(sbuf *s, const char *fmt, va_list ap);
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void sb_add(sbuf *s, const char *fmt, ...);
const char *sb_str(const sbuf *s);
void sb_clear(sbuf *s);
void sb_free(sbuf *s);
char *dup_str(const char *s);          /* NULL on ENOMEM */
int ieq(const char *a, const char *b); /* ASCII case-insensitive equality; 0 for NULL */

/* ---- the tables (twin.c) ---- */

/* Organs (other than the liver) with a relative-expression row in data/enzymes (parameter
 * "<organ> relative expression"): those of PK-Sim's expression profiles that the twin uses. */
enum {
    XO_BONE,
    XO_BRAIN,
    XO_HEART,
    XO_KIDNEY,
    XO_LUNG,
    XO_MUSCLE,
    XO_SKIN,
    XO_SPLEEN,
    XO_STOMACH,
    XO_SMALL_INTESTINE,
    XO_LARGE_INTESTINE,
    XO_COUNT
};
extern const char *const expr_organ[XO_COUNT];

/* PK-Sim's fraction vascular (data/physiology/pksim_fraction_vascular.csv) of the expression
 * organs, the liver and adipose tissue; [organ][0] male (or any), [organ][1] female. */
enum { FV_LIVER = XO_COUNT, FV_ADIPOSE, FV_COUNT };

typedef struct {
    const char *name;
    double ref_conc, rel_liver; /* NaN when the table has no row */
    double rel_org[XO_COUNT];   /* other organs; NaN when the table has no row */
    const char *rel_org_src[XO_COUNT];
    const char *ref_src, *rel_src;
    double t_half_h; /* liver turnover half-life, NaN when absent */
    const char *t_half_src;
    double t_half_gut_h; /* intestinal turnover half-life, NaN when absent */
    const char *t_half_gut_src;
    char *source; /* both rows, for mt_twin_enzyme_liver_umol_l */
} enzyme_row;

typedef struct gi_table gi_table;       /* data/physiology/gi_tract.csv (gi.c) */
typedef struct cells_table cells_table; /* data/physiology/pksim_cell_exchange.csv (cells.c) */

struct mt_twin_tables {
    double fvas[FV_COUNT][2];
    mt_csv *fvas_csv; /* owns fvas_src */
    const char *fvas_src[FV_COUNT][2];
    gi_table *gi;
    cells_table *cells;
    mt_physio_tables *physio;
    mt_partition_tables *part;
    mt_pgx *pgx;
    mt_csv *enz_csv; /* owns the strings below */
    enzyme_row *enz;
    size_t n_enz;
    double pksim_content; /* PK-Sim default microsomal enzyme content, pmol/mg */
    const char *pksim_content_src;
};

/* The enzyme's intestinal turnover half-life (h) and its source; MT_ENOTFOUND (message set)
 * when data/enzymes has none. */
#define enzyme_gut_half_life mt_twin_i_enzyme_gut_half_life
mt_status enzyme_gut_half_life(const mt_twin_tables *t, mt_ctx *ctx, const char *enzyme, double *h,
                               const char **source);

/* ---- the output list (twin.c) ---- */

/* The state of one mt_twin_params call. */
typedef struct {
    mt_twin_param_list *out;
    size_t cap_p, cap_f;
    int oom;
    sbuf problems; /* "; "-separated */
    mt_status first;
} job;

void put_param(job *j, const char *id, double v, const char *unit, const char *prov);
void put_fact(job *j, const char *key, double v, const char *unit, const char *text,
              const char *how);
/* Collects a problem ("; "-separated); the first one's status is the call's. */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
void problem(job *j, mt_status st, const char *fmt, ...);

/* ---- drugs (twin.c) ---- */

typedef struct gene_call gene_call;

/* What a drug's parameters are derived from. */
typedef struct {
    const mt_twin_tables *t;
    mt_ctx *ctx;
    const mt_physiology *ph;
    double q_liv;         /* builder liver outflow Q_ha + Q_gut + Q_spl */
    double q_liv_healthy; /* the same without Child-Pugh */
    double hct_kp;        /* haematocrit used for Rodgers & Rowland 2005 */
    double weight_kg;
    const gene_call *calls;
    size_t n_calls;
    mt_sex sex;
    double height_cm;
} person;

/* The intrinsic clearances of a drug's enzyme processes, for fm (interactions). */
#define MAX_ENZ_PROC 64
typedef struct {
    size_t n;                       /* enzyme processes with a CLint */
    const char *prot[MAX_ENZ_PROC]; /* borrowed from the card */
    double clint[MAX_ENZ_PROC];     /* L/h, Child-Pugh factor applied */
    double sum;                     /* all hepatic processes, unspecific ones included */
    /* every hepatic process with a CLint, for metabolite formation (docs/metabolites.md) */
    size_t np;
    size_t pix[MAX_ENZ_PROC];      /* index in the card's elimination.hepatic */
    double pclint[MAX_ENZ_PROC];   /* L/h, as clint */
    double pclint_h[MAX_ENZ_PROC]; /* L/h, without the Child-Pugh factor (gut wall, gi.c) */
    /* the gut wall (gi.c), set when the transit model was derived (oral pksim_permeability) */
    int gi;
    double fg, qgut;             /* baseline Fg (1), Qgut (L/h) */
    int mucosa;                  /* PK-Sim's mucosa instead of the Qgut model (no Qgut) */
    double gclint[MAX_ENZ_PROC]; /* gut-wall CLint_u per process of pix (L/h), 0 if none */
    double gsum;                 /* their sum */
} drug_clint;

/* The card's reason for an absent field (its `missing` list), or NULL. */
const char *missing_why(const mt_drugcard *c, const char *field);
/* [A-Za-z_][A-Za-z0-9_]*, at most 63 characters. */
int valid_builder_name(const char *s);
/* Per-drug derivation; problems go to dp (no prefix), parameters to j, the hepatic processes'
 * CLint to dc. */
void derive_drug(job *j, const person *pe, const mt_drugcard *c, const char *id, int oral, sbuf *dp,
                 drug_clint *dc);

/* ---- mechanistic oral absorption (gi.c, docs/absorption.md) ---- */

#define GI_NSEG 5 /* small-intestine segments */
#define GI_NLI 6  /* large-intestine segments */
#define GI_NALL (GI_NSEG + GI_NLI)

/* What gi_derive computes for one drug: the builder values of mt_pbpk_build_gi (segments in
 * lumen order: the small intestine, then the large intestine). */
typedef struct {
    double kge, kt[GI_NALL], ka[GI_NALL], fg; /* 1/h, 1/h, 1/h, 1 */
    sbuf how_kge, how_kt, how_ka, how_fg;     /* provenance */
    /* PK-Sim's mucosa (pbpk.h mucosa): PSm (L/h), VM (L), CLg (L/h) instead of Fg */
    int mucosa;
    double psm, vm, clg;
    sbuf how_psm, how_vm, how_clg;
    /* with the mucosa and an efflux (pbpk.h efflux): Vgef (mg/h) and the segments' shares */
    int efflux;
    double vgef, wef[GI_NSEG];
    sbuf how_vgef, how_wef;
    double fa_est; /* fraction absorbed of the chain (fact) */
} gi_result;

/* Reads <data_dir>/physiology/gi_tract.csv. OUT: *out (gi_free). */
mt_status gi_load(mt_ctx *ctx, const char *data_dir, gi_table **out);
void gi_free(gi_table *g);
/* The transit, absorption and gut-wall values of drug card c (absorption.model
 * pksim_permeability) for person pe; dc holds the card's hepatic CLint per process. A problem
 * (with no prefix) goes to dp and its status is returned; MT_OK when the values are complete.
 * r is initialised here (gi_put or gi_result_free frees its strings). */
mt_status gi_derive(const person *pe, const mt_drugcard *c, double fu, double bp, double kp_gut,
                    drug_clint *dc, sbuf *dp, gi_result *r);
/* Puts the parameters (kge_<id>, kt_<s>_<id>, ka_<s>_<id>, and Fg_<id> or, with the mucosa,
 * PSm_<id>, VM_<id>, CLg_<id>) and facts; frees r. */
void gi_put(job *j, const char *id, gi_result *r);

/* PK-Sim's volume of organ fv (FV_* or XO_*) for the person: the twin's blood-free tissue
 * volume v / (1 - PK-Sim's fraction vascular), the volume PK-Sim's expression amounts RC x
 * rel_exp x V refer to (docs/twin-parameters.md, "Expression amounts"). *f gets the fraction. */
double pksim_volume(const person *pe, int fv, double v, double *f);

/* The stomach's, small intestine's and large intestine's shares of the gut's mass (McNally
 * 2014 reference masses for the person's sex; gi.c). MT_ENOTFOUND (message set) without them. */
mt_status gut_mass_shares(const person *pe, double share[3]);

/* The row of data/enzymes for a protein name (ASCII case-insensitive, the last such row), or
 * NULL: the targets of specific binding (binding.c) and the liver uptake's transporter (cells.c).
 */
#define enzyme_row_named mt_twin_i_enzyme_row_named
const enzyme_row *enzyme_row_named(const mt_twin_tables *t, const char *name);

/* The organ index (XO_*, FV_LIVER, FV_ADIPOSE) of a table's organ name, or -1; and its name. */
#define fv_organ mt_twin_i_fv_organ
#define fv_organ_name mt_twin_i_fv_organ_name
#define parse_num mt_twin_i_parse_num
int fv_organ(const char *name);
const char *fv_organ_name(int o);
/* A whole cell as a finite number: 0, or -1 (empty, trailing text, not finite). */
int parse_num(const char *s, double *v);

/* Permeability-limited cells (cells.c, docs/twin-parameters.md "Cell permeability"): the table,
 * and per drug fe_<organ>_<id>, PSc_<organ>_<id> and the fact drug.<id>.cell_permeability from
 * the card's partition.cell_permeability and kp (tissue:plasma, partition organ order). Returns 0
 * when the card names no method or one the twin does not implement (a fact says so), 1 when
 * represented, -1 with the problem in dp. */
#define cells_load mt_twin_i_cells_load
#define cells_free mt_twin_i_cells_free
#define cells_derive mt_twin_i_cells_derive
mt_status cells_load(mt_ctx *ctx, const char *data_dir, cells_table **out);
void cells_free(cells_table *t);
int cells_derive(job *j, const person *pe, const mt_drugcard *c, const char *id, double fu,
                 double bp, const double *kp, sbuf *dp);
/* The mucosa (docs/absorption.md, "PK-Sim's mucosa") of a card with cells represented: the
 * basolateral permeability *p_m (dm/min; the card's absorption.mucosa_permeability, or PK-Sim's
 * cell permeability times the mucosa permeability scale factor) and the enterocytes' blood
 * partition coefficient *k_cell (the gut's intracellular one, from its tissue:plasma Kp kp_gut);
 * the provenance is added to how. 0, or -1 with the problem in dp. */
#define cells_mucosa mt_twin_i_cells_mucosa
int cells_mucosa(const person *pe, const mt_drugcard *c, double fu, double bp, double kp_gut,
                 double *p_m, double *k_cell, sbuf *how, sbuf *dp);
/* The maximal rate (mg/h) of card c's efflux (elimination.efflux; docs/interactions.md, "P-gp")
 * where its transporter has the amount ref_conc x rel x v (umol/L, 1, L), with the provenance
 * added to how; NaN when the card asks for no efflux. */
#define efflux_vmax mt_twin_i_efflux_vmax
double efflux_vmax(const mt_drugcard *c, double ref_conc, double rel, double v, sbuf *how);

/* Specific binding of card c (binding.c, docs/twin-parameters.md): puts Bmax_<organ>_<id>,
 * kon_<id>, koff_<id> and the fact drug.<id>.specific_binding. Returns 0 when the card has no
 * specific binding, 1 when it is represented, -1 with the problem in dp (no prefix). */
int binding_derive(job *j, const person *pe, const mt_drugcard *c, const char *id, double fu,
                   double bp, sbuf *dp);
/* Frees r's strings without putting anything. */
void gi_result_free(gi_result *r);

/* ---- interactions (twin_ddi.c) ---- */

/* How a card interaction enters the model. */
enum { IX_MODELLED, IX_NO_ENZYME, IX_UNSPECIFIED, IX_DUPLICATE, IX_SELF_ONLY };

typedef struct {
    size_t drug;        /* perpetrator: index in the regimen */
    size_t card_ix;     /* index in its card's interactions */
    int status;         /* IX_* */
    int mech;           /* builder mechanism (mt_ddi_mechanism) */
    size_t model;       /* index in ix[] of its effect when modelled */
    int has_rev;        /* inactivation: its reversible binding (Ki = K_I) is modelled too */
    size_t model_rev;   /* ... as ix[model_rev] */
    const char *enzyme; /* builder name of the target (interned) */
} ix_note;

struct mt_twin_ddi {
    mt_pbpk_ddi b;
    size_t n_drugs;
    char **ids; /* copies of drug_ids */
    size_t n_pw, n_ix, n_notes, n_names;
    mt_pbpk_pathway *pw; /* drug -> ids[], enzyme -> names[] */
    size_t *pw_drug;
    mt_pbpk_interaction *ix;
    ix_note *notes;
    char **names; /* builder enzyme names */
    size_t n_fo;
    mt_pbpk_formation *fo; /* parent, metabolite -> ids[], enzyme -> names[] or NULL */
    size_t *fo_parent, *fo_met;
};

/* A protein that is an enzyme (not empty, not "unspecific"). */
int is_enzyme_protein(const char *p);
/* Appends the card's source of a value ("; fitted to ..." when fitted). */
void value_note(sbuf *s, const mt_drugcard *c, const char *path);
/* The interaction and formation parameters of x (apply) and the facts of the regimen's card
 * interactions and metabolites. */
void ddi_params(job *j, const mt_twin_tables *t, mt_ctx *ctx, const mt_drugcard *const *cards,
                const drug_clint *dcs, const mt_twin_ddi *x, int apply);

/* ---- metabolites (twin_metab.c) ---- */

/* The metabolite that hepatic process i of card c forms: the process's `metabolite`, else the
 * one entry of the card's metabolites list formed via the process's enzyme (NULL when none or
 * when the list names several for that enzyme). Borrowed from the card. */
const char *process_metabolite(const mt_drugcard *c, size_t i);
/* The regimen drug whose card or builder name is `name`, or n. */
size_t drug_named(size_t n, const mt_drugcard *const *cards, const char *const *ids,
                  const char *name);
/* The formation parameters of x (apply): fform per formation, MW per parent and metabolite that
 * is not a perpetrator; one fact per metabolite a regimen card names (docs/metabolites.md). */
void metab_params(job *j, const mt_drugcard *const *cards, const drug_clint *dcs,
                  const mt_twin_ddi *x, int apply);

#endif
