/* SPDX-License-Identifier: Apache-2.0
 *
 * medtwin/partition.h — tissue partition coefficients (Kp) from a drug's physicochemistry and
 * the tissue composition tables of data/tissue/ (docs/partition.md has the equations, the data
 * and the validation).
 *
 * Methods:
 *   MT_KP_RODGERS_ROWLAND  the standard switch: a drug with a basic pKa >= 7 (moderate-to-strong
 *                          base, zwitterions included) uses Rodgers, Leahy & Rowland, J Pharm Sci
 *                          94:1259 (2005) — electrostatic binding to acidic phospholipids, its
 *                          association constant derived from the blood:plasma ratio; every other
 *                          drug (acids, neutrals, bases with all pKa < 7) uses Rodgers & Rowland,
 *                          J Pharm Sci 95:1238 (2006) — binding to albumin (ionised drugs) or to
 *                          lipoproteins (neutrals) scaled from fu in plasma.
 *   MT_KP_POULIN_THEIL     Poulin & Theil, J Pharm Sci 91:1358 (2002), with the adipose variant
 *                          (vegetable-oil:buffer distribution coefficient at pH 7.4, fu,t = 1).
 *   MT_KP_BEREZHKOVSKIY    Berezhkovskiy, J Pharm Sci 93:1628 (2004): the Poulin & Theil terms
 *                          and composition with the unbound fractions on the water terms
 *                          (tissue water / fu,t, plasma water / fu,p), adipose with D*vo:w, as
 *                          implemented by Utsey et al., Drug Metab Dispos 48:903 (2020).
 *   MT_KP_SCHMITT          Schmitt, Toxicol In Vitro 22:457 (2008): cells (water, neutral
 *                          lipids, neutral and acidic phospholipids, proteins) and interstitium
 *                          per tissue, the pH gradient, on Schmitt's own human composition (as
 *                          in httk, without its 2017 regression); the membrane affinity is the
 *                          drug's logp as PK-Sim uses it. Needs no B:P, and predicts one
 *                          (mt_partition_bp_schmitt).
 *
 * WHAT Kp MEANS HERE: every Kp this module returns is TISSUE:PLASMA (total tissue concentration
 * over total plasma concentration at steady state), the quantity the papers predict. The PBPK
 * builder (medtwin/pbpk.h) lets a tissue drain at A / (V * Kp) into BLOOD, so its Kp_<o>_<d>
 * parameters are TISSUE:BLOOD: pass each value through mt_partition_kp_blood(kp, bp), i.e. divide
 * by the blood:plasma ratio.
 *
 * The tables are read-only after loading and may be shared between threads; the ctx of each call
 * only receives the error message.
 */
#ifndef MEDTWIN_PARTITION_H
#define MEDTWIN_PARTITION_H

#include "error.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The organs of the builder's Kp parameters, in this order (names as in pbpk.h). */
#define MT_KP_N_ORGANS 12
enum {
    MT_KP_LUNG,
    MT_KP_ADI,
    MT_KP_BONE,
    MT_KP_BRAIN,
    MT_KP_GUT,
    MT_KP_HEART,
    MT_KP_KID,
    MT_KP_LIV,
    MT_KP_MUS,
    MT_KP_SKIN,
    MT_KP_SPL,
    MT_KP_REST
};
/* "lung", "adi", ..., "rest"; NULL past the end. */
const char *mt_partition_organ(size_t i);

typedef struct mt_partition_tables mt_partition_tables;

/* Loads the human tables, data_dir/tissue/human.csv (data_dir NULL: mt_data_dir()).
 * OUT: *out (mt_partition_tables_destroy), NULL on failure. MT_EIO if unreadable, MT_EPARSE
 * for an unknown tissue or parameter, a duplicate row, a row without a source, a value that is
 * not a finite number in range, a negative intracellular water, or a table complete for neither
 * method (a table complete for one method loads; the other then answers MT_EUNSUPPORTED naming
 * the first missing value). */
MT_NODISCARD mt_status mt_partition_tables_load(mt_ctx *ctx, const char *data_dir,
                                                mt_partition_tables **out);
/* Same for another species' table, data_dir/tissue/<species>.csv ([a-z]+); "rat" holds the
 * Rodgers & Rowland rat composition the validation uses (no Poulin & Theil values: that method
 * answers MT_EUNSUPPORTED on it). */
MT_NODISCARD mt_status mt_partition_tables_load_species(mt_ctx *ctx, const char *data_dir,
                                                        const char *species,
                                                        mt_partition_tables **out);
void mt_partition_tables_destroy(mt_partition_tables *t);
/* The table's reference haematocrit. */
double mt_partition_tables_hct(const mt_partition_tables *t);

typedef enum {
    MT_KP_RODGERS_ROWLAND = 1,
    MT_KP_POULIN_THEIL = 2,
    MT_KP_BEREZHKOVSKIY = 3,
    MT_KP_SCHMITT = 4
} mt_kp_method;

typedef enum { MT_KP_PKA_ACID = 1, MT_KP_PKA_BASE = 2 } mt_kp_pka_type;

#define MT_KP_MAX_PKA 3

typedef struct {
    double logp;     /* log10 n-octanol:water partition coefficient of the neutral species */
    double logp_vow; /* log10 vegetable-oil:water of the neutral species, used for adipose;
                        NaN: 1.115 logp - 1.35 (Leo et al. 1971, as both papers do) */
    size_t n_pka;    /* 0 (neutral) to MT_KP_MAX_PKA */
    double pka[MT_KP_MAX_PKA];
    mt_kp_pka_type pka_type[MT_KP_MAX_PKA];
    double fu_plasma;          /* fraction unbound in plasma, (0, 1] */
    double blood_plasma_ratio; /* B:P; NaN if unknown. Required (MT_EINVAL otherwise) only by
                                  Rodgers & Rowland 2005, i.e. for a basic pKa >= 7 */
    int is_zwitterion; /* optional flag; if set the drug must have an acidic and a basic pKa */
} mt_kp_drug;

/* Fills d with a neutral drug: logp 0, logp_vow NaN, no pKa, fu 1, B:P NaN, not zwitterion. */
void mt_kp_drug_init(mt_kp_drug *d);

/* How the 'rest' organ (the body mass outside the 11 composition tissues) gets its Kp. */
typedef enum {
    MT_KP_REST_MUSCLE = 0, /* Kp_rest = Kp_mus (default; an assumption, docs/partition.md) */
    MT_KP_REST_VOLUME_WEIGHTED = 1 /* sum(V_o Kp_o) / sum(V_o) over the 10 lean organs lung
                                      bone brain gut heart kid liv mus skin spl (adipose left
                                      out), the httk lump_tissues convention; needs volumes */
} mt_kp_rest;

typedef struct {
    double hct;            /* haematocrit for the 2005 blood-cell term; NaN or <= 0: the table's */
    mt_kp_rest rest;       /* default MT_KP_REST_MUSCLE */
    const double *volumes; /* MT_KP_N_ORGANS organ volumes (L, the order above; 'rest' ignored),
                              required by MT_KP_REST_VOLUME_WEIGHTED, else unused */
} mt_kp_opts;

/* Which equation set produced the values. */
typedef enum {
    MT_KP_EQ_RR2005 = 1,             /* acidic phospholipids (base pKa >= 7) */
    MT_KP_EQ_RR2006_ALBUMIN = 2,     /* acids, weak bases, zwitterions without a pKa >= 7 base */
    MT_KP_EQ_RR2006_LIPOPROTEIN = 3, /* neutrals */
    MT_KP_EQ_PT2002 = 4,
    MT_KP_EQ_BEREZ2004 = 5,
    MT_KP_EQ_SCHMITT2008 = 6
} mt_kp_equation;

typedef struct {
    mt_kp_equation equation;
    double kpu[MT_KP_N_ORGANS]; /* tissue : UNBOUND plasma (= kp / fu) */
    double kpu_bc; /* R&R 2005: erythrocyte : unbound plasma from B:P; Schmitt: its erythrocyte
                      Kpu; else NaN */
    double ka_ap;  /* R&R 2005: affinity for acidic phospholipids, per mg/g; else NaN */
    double ka_pr;  /* R&R 2006: Ka_PR [PR]_plasma = 1/fu - 1 - plasma lipid term; else NaN */
    double hct;    /* haematocrit used (R&R 2005) */
    int negative_binding; /* 1 if ka_ap or ka_pr came out negative: fu or B:P lies below what
                             water and lipid partitioning alone predict. The papers' equations
                             are applied as they stand (no clamping); only a Kp <= 0 is an
                             error */
} mt_kp_detail;

/* Tissue:plasma Kp for every organ of the builder. method as above; drug checked first: MT_EINVAL
 * naming the field for a NaN/infinite logp or logp_vow (+-inf), fu_plasma outside (0, 1],
 * n_pka > 3, a non-finite pKa, an unknown pKa type, a zwitterion flag without both an acidic and a
 * basic pKa, a B:P that is not NaN and not positive, a missing B:P (NaN) for a base with pKa >= 7
 * under Rodgers & Rowland (the 2005 method needs it and no value is assumed), a B:P <= 1 - hct
 * (negative erythrocyte partitioning), an unknown method or rest mode, a bad hct, missing or
 * non-positive volumes. MT_EUNSUPPORTED if the table lacks the method's data.
 * opts NULL: defaults. OUT: kp_out[MT_KP_N_ORGANS] (tissue:plasma); detail (NULL: not wanted).
 * On failure kp_out is filled with NaN. */
MT_NODISCARD mt_status mt_partition_kp(const mt_partition_tables *t, mt_ctx *ctx,
                                       mt_kp_method method, const mt_kp_drug *drug,
                                       const mt_kp_opts *opts, double kp_out[MT_KP_N_ORGANS],
                                       mt_kp_detail *detail);

/* Blood:plasma concentration ratio predicted from physicochemistry, for a card without a
 * measured one: B:P = hct * fu * Kpu_bc + (1 - hct), with the erythrocyte : unbound-plasma
 * partition Kpu_bc = (Z/Y) Viw,bc + (P Vnl,bc + (0.3 P + 0.7) Vph,bc) / Y (Rodgers, Leahy &
 * Rowland, J Pharm Sci 94:1259 (2005), blood-cell equation; its acidic-phospholipid term is
 * zero for drugs without a basic pKa >= 7, as in Rodgers & Rowland 2006). Y, Z: total-to-
 * neutral ratios at plasma and erythrocyte pH. hct: NaN or <= 0 for the table's.
 * OUT: *bp; *kpu_bc (may be NULL). MT_EUNSUPPORTED for a base with pKa >= 7 (the 2005 method
 * needs a measured B:P to know its phospholipid binding: circular) or a table without the
 * erythrocyte values; MT_EINVAL as mt_partition_kp for a bad drug or hct. */
MT_NODISCARD mt_status mt_partition_bp(const mt_partition_tables *t, mt_ctx *ctx,
                                       const mt_kp_drug *drug, double hct, double *bp,
                                       double *kpu_bc);
/* The same by the Schmitt method (for a card whose partition method is Schmitt): B:P = 1 - hct
 * + hct * fu * Kpu_ery with the erythrocytes' Schmitt Kpu (cells only, Fint 0), any drug class
 * (no measured B:P needed). MT_EUNSUPPORTED for a table without the Schmitt values. */
MT_NODISCARD mt_status mt_partition_bp_schmitt(const mt_partition_tables *t, mt_ctx *ctx,
                                               const mt_kp_drug *drug, double hct, double *bp,
                                               double *kpu_bc);

/* Tissue:blood from tissue:plasma: kp_plasma / bp (the builder's Kp). NaN if bp is not a
 * positive finite number. */
double mt_partition_kp_blood(double kp_plasma, double bp);

#ifdef __cplusplus
}
#endif
#endif
