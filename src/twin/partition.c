/* SPDX-License-Identifier: Apache-2.0
 *
 * twin/partition.c — tissue:plasma partition coefficients by Rodgers & Rowland (2005 for bases
 * with a pKa >= 7, 2006 otherwise), by Poulin & Theil (2002) and by Berezhkovskiy (2004, on the
 * Poulin & Theil composition), from the tissue composition
 * tables of data/tissue/ (docs/partition.md has the equations with the papers' symbols).
 *
 * A table is one CSV file with the columns tissue, parameter, value, unit, source, notes. Loading
 * keeps the values in a fixed tissue x parameter grid (NaN = absent), refuses unknown names,
 * duplicates, out-of-range values and rows without a source, and then resolves once what the
 * methods need: the extra-/intracellular water split of each tissue (given directly; or
 * Viw = Vwt - Vew as Rodgers & Rowland do for the rat; or, for the human, the rat ratio applied
 * to the human total water as in Huisinga et al. 2012) and whether each method's data are
 * complete. A Kp call is then a fixed amount of arithmetic over 11 tissues, no allocation.
 *
 * Ionisation: with acidic pKa a1 <= a2 <= a3 and basic pKa b1 >= b2 >= b3 the ratio of total to
 * neutral species at pH is X = 1 + C + A, C = sum_k 10^(b1+..+bk - k pH) (cations),
 * A = sum_k 10^(k pH - a1-..-ak) (anions) — the stepwise forms the papers give for mono- and
 * diprotic drugs (e.g. X = 1 + 10^(pKa-pH) + 10^(pKa1+pKa2-2pH) for a diprotic base) and the
 * Rodgers & Rowland zwitterion form X = 1 + 10^(pKa_base-pH) + 10^(pH-pKa_acid) when both kinds
 * are present (the doubly charged zwitterionic microspecies is not counted, as in the paper).
 */
#include "medtwin/partition.h"

#include "medtwin/data.h"
#include "util/csv.h"
#include "util/util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the table grid ------------------------------------------------------------------------ */

enum {
    T_ADI,
    T_BONE,
    T_BRAIN,
    T_GUT,
    T_HEART,
    T_KID,
    T_LIV,
    T_LUNG,
    T_MUS,
    T_SKIN,
    T_SPL,
    N_TISSUE, /* the 11 composition tissues end here */
    T_PLASMA = N_TISSUE,
    T_ERY,
    T_BLOOD,
    N_ROWS
};
static const char *const tissue_name[] = {"adipose", "bone",   "brain",        "gut",    "heart",
                                          "kidney",  "liver",  "lung",         "muscle", "skin",
                                          "spleen",  "plasma", "erythrocytes", "blood"};
_Static_assert(sizeof tissue_name / sizeof tissue_name[0] == N_ROWS, "one name per table row");

enum {
    P_VWT,
    P_VEW,
    P_VIW,
    P_VEW_REF,
    P_VIW_REF,
    P_VNL,
    P_VPH,
    P_AP,
    P_ALB,
    P_LIP,
    P_PH,
    P_HCT,
    /* Schmitt 2008 */
    P_FCELL,
    P_FINT,
    P_FWC,
    P_FLC,
    P_FPC,
    P_FNLC,
    P_FNPLC,
    P_FAPLC,
    P_PH_CELL,
    P_FPROT,
    P_KINT_PROT,
    N_PARAM
};
static const char *const param_name[] = {
    "Vwt",     "Vew",   "Viw",         "Vew_ref",     "Viw_ref",
    "Vnl",     "Vph",   "AP",          "Ktp_albumin", "Ktp_lipoprotein",
    "pH",      "hct",   "Fcell",       "Fint",        "FWc",
    "FLc",     "FPc",   "Fn_Lc",       "Fn_PLc",      "Fa_PLc",
    "pH_cell", "Fprot", "Kint_protein"};
_Static_assert(sizeof param_name / sizeof param_name[0] == N_PARAM, "one name per parameter");

/* The builder's Kp organs (partition.h order) -> composition tissue; 'rest' is derived. */
static const char *const organ_name[MT_KP_N_ORGANS] = {
    "lung", "adi", "bone", "brain", "gut", "heart", "kid", "liv", "mus", "skin", "spl", "rest"};
static const int organ_tissue[MT_KP_N_ORGANS - 1] = {T_LUNG, T_ADI, T_BONE, T_BRAIN, T_GUT, T_HEART,
                                                     T_KID,  T_LIV, T_MUS,  T_SKIN,  T_SPL};

struct mt_partition_tables {
    double v[N_ROWS][N_PARAM]; /* as read; NaN = absent */
    double vew[N_TISSUE], viw[N_TISSUE];
    double viw_ery;
    int has_rr, has_pt, has_schmitt;
    char rr_missing[96], pt_missing[96], schmitt_missing[96]; /* the first value a method lacks
                                                                 ("" if complete) */
};

const char *mt_partition_organ(size_t i) { return i < MT_KP_N_ORGANS ? organ_name[i] : NULL; }

double mt_partition_tables_hct(const mt_partition_tables *t)
{
    return t ? t->v[T_BLOOD][P_HCT] : NAN;
}

double mt_partition_kp_blood(double kp_plasma, double bp)
{
    if (!isfinite(bp) || bp <= 0)
        return NAN;
    return kp_plasma / bp;
}

void mt_kp_drug_init(mt_kp_drug *d)
{
    if (!d)
        return;
    memset(d, 0, sizeof *d);
    d->logp = 0;
    d->logp_vow = NAN;
    d->fu_plasma = 1;
    d->blood_plasma_ratio = NAN;
}

/* ---- loading -------------------------------------------------------------------------------- */

static int lookup(const char *const *names, int n, const char *s)
{
    for (int i = 0; i < n; i++)
        if (strcmp(names[i], s) == 0)
            return i;
    return -1;
}

/* The admissible range of a parameter. */
static int in_range(int p, double x)
{
    switch (p) {
    case P_PH:
    case P_PH_CELL:
        return x > 0 && x < 14;
    case P_HCT:
        return x > 0 && x < 1;
    case P_AP:
        return x >= 0 && x <= 1000; /* mg/g */
    case P_ALB:
    case P_LIP:
        return x >= 0 && x <= 10;
    default:
        return x >= 0 && x <= 1; /* volume fractions */
    }
}

/* Notes the first missing value of a method in buf (once). */
static void need(const mt_partition_tables *t, char *buf, size_t cap, int tis, int par)
{
    if (buf[0] || !isnan(t->v[tis][par]))
        return;
    snprintf(buf, cap, "%s %s", tissue_name[tis], param_name[par]);
}

static mt_status resolve(mt_partition_tables *t, mt_ctx *ctx, const char *path)
{
    const double(*v)[N_PARAM] = t->v;
    t->rr_missing[0] = t->pt_missing[0] = t->schmitt_missing[0] = '\0';
    for (int i = 0; i < N_TISSUE; i++) {
        const double *r = v[i];
        t->vew[i] = t->viw[i] = NAN;
        if (!isnan(r[P_VEW]) && !isnan(r[P_VIW])) {
            t->vew[i] = r[P_VEW];
            t->viw[i] = r[P_VIW];
        } else if (!isnan(r[P_VWT]) && !isnan(r[P_VEW])) { /* Rodgers & Rowland rat */
            t->vew[i] = r[P_VEW];
            t->viw[i] = r[P_VWT] - r[P_VEW];
        } else if (!isnan(r[P_VWT]) && !isnan(r[P_VEW_REF]) && !isnan(r[P_VIW_REF]) &&
                   r[P_VEW_REF] + r[P_VIW_REF] > 0) { /* Huisinga et al. 2012 human split */
            t->vew[i] = r[P_VWT] * r[P_VEW_REF] / (r[P_VEW_REF] + r[P_VIW_REF]);
            t->viw[i] = r[P_VWT] - t->vew[i];
        }
        if (!isnan(t->viw[i]) && t->viw[i] < 0)
            return mt_error(ctx, MT_EPARSE, "%s: %s intracellular water comes out negative (%g)",
                            path, tissue_name[i], t->viw[i]);
        if (isnan(t->vew[i]) && !t->rr_missing[0])
            snprintf(t->rr_missing, sizeof t->rr_missing, "%s water split (Vew/Viw)",
                     tissue_name[i]);
        static const int rr_par[] = {P_VNL, P_VPH, P_AP, P_ALB, P_LIP, P_PH};
        for (size_t k = 0; k < sizeof rr_par / sizeof rr_par[0]; k++)
            need(t, t->rr_missing, sizeof t->rr_missing, i, rr_par[k]);
        static const int pt_par[] = {P_VWT, P_VNL, P_VPH};
        for (size_t k = 0; k < sizeof pt_par / sizeof pt_par[0]; k++)
            need(t, t->pt_missing, sizeof t->pt_missing, i, pt_par[k]);
    }
    /* Schmitt: the cell composition of the 11 tissues and of the erythrocytes */
    for (int i = 0; i <= T_ERY; i++) {
        if (i == T_PLASMA)
            continue;
        for (int k = P_FCELL; k <= P_PH_CELL; k++)
            need(t, t->schmitt_missing, sizeof t->schmitt_missing, i, k);
    }
    need(t, t->schmitt_missing, sizeof t->schmitt_missing, T_PLASMA, P_PH);
    need(t, t->schmitt_missing, sizeof t->schmitt_missing, T_PLASMA, P_FPROT);
    need(t, t->schmitt_missing, sizeof t->schmitt_missing, T_PLASMA, P_KINT_PROT);
    need(t, t->schmitt_missing, sizeof t->schmitt_missing, T_BLOOD, P_HCT);
    /* Erythrocytes hold no extracellular water: their water is intracellular. */
    const double *e = v[T_ERY];
    t->viw_ery = !isnan(e[P_VIW])   ? e[P_VIW]
                 : !isnan(e[P_VWT]) ? e[P_VWT] - (isnan(e[P_VEW]) ? 0 : e[P_VEW])
                                    : NAN;
    if (isnan(t->viw_ery) && !t->rr_missing[0])
        snprintf(t->rr_missing, sizeof t->rr_missing, "erythrocytes Viw (or Vwt)");
    static const int rr_ery[] = {P_VNL, P_VPH, P_AP, P_PH};
    for (size_t k = 0; k < sizeof rr_ery / sizeof rr_ery[0]; k++)
        need(t, t->rr_missing, sizeof t->rr_missing, T_ERY, rr_ery[k]);
    if (!t->rr_missing[0] && !(e[P_AP] > 0))
        snprintf(t->rr_missing, sizeof t->rr_missing, "a positive erythrocytes AP");
    need(t, t->rr_missing, sizeof t->rr_missing, T_PLASMA, P_VNL);
    need(t, t->rr_missing, sizeof t->rr_missing, T_PLASMA, P_VPH);
    need(t, t->rr_missing, sizeof t->rr_missing, T_PLASMA, P_PH);
    need(t, t->rr_missing, sizeof t->rr_missing, T_BLOOD, P_HCT);
    need(t, t->pt_missing, sizeof t->pt_missing, T_PLASMA, P_VWT);
    need(t, t->pt_missing, sizeof t->pt_missing, T_PLASMA, P_VNL);
    need(t, t->pt_missing, sizeof t->pt_missing, T_PLASMA, P_VPH);
    need(t, t->pt_missing, sizeof t->pt_missing, T_PLASMA, P_PH);
    t->has_rr = !t->rr_missing[0];
    t->has_pt = !t->pt_missing[0];
    t->has_schmitt = !t->schmitt_missing[0];
    if (!t->has_rr && !t->has_pt)
        return mt_error(ctx, MT_EPARSE,
                        "%s: incomplete for every method (Rodgers & Rowland lacks %s; Poulin & "
                        "Theil lacks %s)",
                        path, t->rr_missing, t->pt_missing);
    return MT_OK;
}

static mt_status read_table(mt_partition_tables *t, mt_ctx *ctx, const char *path)
{
    mt_csv *csv = NULL;
    mt_status st = mt_csv_read(ctx, path, 1 << 20, &csv);
    if (st != MT_OK)
        return st;
    int c_tis = mt_csv_col(csv, "tissue"), c_par = mt_csv_col(csv, "parameter");
    int c_val = mt_csv_col(csv, "value"), c_src = mt_csv_col(csv, "source");
    if (c_tis < 0 || c_par < 0 || c_val < 0 || c_src < 0) {
        mt_csv_destroy(csv);
        return mt_error(ctx, MT_EPARSE, "%s: needs the columns tissue, parameter, value, source",
                        path);
    }
    for (size_t r = 0; r < mt_csv_n_rows(csv) && st == MT_OK; r++) {
        const char *ts = mt_csv_cell(csv, r, (size_t)c_tis);
        const char *ps = mt_csv_cell(csv, r, (size_t)c_par);
        const char *vs = mt_csv_cell(csv, r, (size_t)c_val);
        size_t line = r + 2; /* the header is line 1 */
        int ti = lookup(tissue_name, N_ROWS, ts), pi = lookup(param_name, N_PARAM, ps);
        char *end = NULL;
        double x = *vs ? strtod(vs, &end) : NAN;
        char b1[MT_SHOWN], b2[MT_SHOWN]; /* cells in a one-line message */
        if (ti < 0)
            st = mt_error(ctx, MT_EPARSE, "%s:%zu: unknown tissue \"%s\"", path, line,
                          mt_shown(ts, b1));
        else if (pi < 0)
            st = mt_error(ctx, MT_EPARSE, "%s:%zu: unknown parameter \"%s\"", path, line,
                          mt_shown(ps, b1));
        else if (!*mt_csv_cell(csv, r, (size_t)c_src))
            st = mt_error(ctx, MT_EPARSE, "%s:%zu: %s %s has no source", path, line, ts, ps);
        else if (!end || *end || !isfinite(x) || !in_range(pi, x))
            st = mt_error(ctx, MT_EPARSE, "%s:%zu: %s %s: \"%s\" is not a value in range", path,
                          line, ts, ps, mt_shown(vs, b2));
        else if (!isnan(t->v[ti][pi]))
            st = mt_error(ctx, MT_EPARSE, "%s:%zu: duplicate row %s %s", path, line, ts, ps);
        else
            t->v[ti][pi] = x;
    }
    mt_csv_destroy(csv);
    return st == MT_OK ? resolve(t, ctx, path) : st;
}

mt_status mt_partition_tables_load_species(mt_ctx *ctx, const char *data_dir, const char *species,
                                           mt_partition_tables **out)
{
    if (!out)
        return mt_error(ctx, MT_EINVAL, "mt_partition_tables_load: NULL out");
    *out = NULL;
    if (!species || !*species || strspn(species, "abcdefghijklmnopqrstuvwxyz") != strlen(species))
        return mt_error(ctx, MT_EINVAL, "partition tables: species must be [a-z]+");
    const char *dir = data_dir ? data_dir : mt_data_dir();
    char path[4096];
    int n = snprintf(path, sizeof path, "%s/tissue/%s.csv", dir, species);
    if (n < 0 || (size_t)n >= sizeof path)
        return mt_error(ctx, MT_EINVAL, "partition tables: data path too long");
    mt_partition_tables *t = mt_calloc(ctx, 1, sizeof *t);
    if (!t)
        return mt_error(ctx, MT_ENOMEM, "out of memory loading %s", path);
    for (int i = 0; i < N_ROWS; i++)
        for (int p = 0; p < N_PARAM; p++)
            t->v[i][p] = NAN;
    mt_status st = read_table(t, ctx, path);
    if (st != MT_OK) {
        mt_partition_tables_destroy(t);
        return st;
    }
    *out = t;
    return MT_OK;
}

mt_status mt_partition_tables_load(mt_ctx *ctx, const char *data_dir, mt_partition_tables **out)
{
    return mt_partition_tables_load_species(ctx, data_dir, "human", out);
}

void mt_partition_tables_destroy(mt_partition_tables *t) { mt_free(NULL, t); }

/* ---- the drug ---------------------------------------------------------------------------------
 */

/* pKa values split by kind and ordered as the stepwise (macroscopic) scheme needs. */
typedef struct {
    double acid[MT_KP_MAX_PKA], base[MT_KP_MAX_PKA];
    size_t n_acid, n_base;
} ionisation;

static int cmp_up(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void sort_pka(const mt_kp_drug *d, ionisation *io)
{
    io->n_acid = io->n_base = 0;
    for (size_t i = 0; i < d->n_pka; i++) {
        if (d->pka_type[i] == MT_KP_PKA_ACID)
            io->acid[io->n_acid++] = d->pka[i];
        else
            io->base[io->n_base++] = d->pka[i];
    }
    qsort(io->acid, io->n_acid, sizeof(double), cmp_up);
    qsort(io->base, io->n_base, sizeof(double), cmp_up);
    /* bases: highest first */
    for (size_t i = 0; i < io->n_base / 2; i++) {
        double tmp = io->base[i];
        io->base[i] = io->base[io->n_base - 1 - i];
        io->base[io->n_base - 1 - i] = tmp;
    }
}

/* Total-to-neutral ratio X at pH; *cation receives its cationic part C (see the file header). */
static double ion_ratio(const ionisation *io, double pH, double *cation)
{
    double c = 0, a = 0, s = 0;
    for (size_t k = 0; k < io->n_base; k++) {
        s += io->base[k] - pH;
        c += pow(10, s);
    }
    s = 0;
    for (size_t k = 0; k < io->n_acid; k++) {
        s += pH - io->acid[k];
        a += pow(10, s);
    }
    if (cation)
        *cation = c;
    return 1 + c + a;
}

static mt_status check_drug(mt_ctx *ctx, const mt_kp_drug *d)
{
    if (!d)
        return mt_error(ctx, MT_EINVAL, "partition: NULL drug");
    if (!isfinite(d->logp))
        return mt_error(ctx, MT_EINVAL, "partition: logp must be a finite number (got %g)",
                        d->logp);
    if (isinf(d->logp_vow))
        return mt_error(ctx, MT_EINVAL, "partition: logp_vow must be finite or NaN (got %g)",
                        d->logp_vow);
    if (!(d->fu_plasma > 0 && d->fu_plasma <= 1))
        return mt_error(ctx, MT_EINVAL, "partition: fu_plasma must lie in (0, 1] (got %g)",
                        d->fu_plasma);
    if (d->n_pka > MT_KP_MAX_PKA)
        return mt_error(ctx, MT_EINVAL, "partition: n_pka %zu exceeds %d pKa values", d->n_pka,
                        MT_KP_MAX_PKA);
    int n_acid = 0, n_base = 0;
    for (size_t i = 0; i < d->n_pka; i++) {
        if (!isfinite(d->pka[i]))
            return mt_error(ctx, MT_EINVAL, "partition: pka[%zu] must be finite (got %g)", i,
                            d->pka[i]);
        if (d->pka_type[i] == MT_KP_PKA_ACID)
            n_acid++;
        else if (d->pka_type[i] == MT_KP_PKA_BASE)
            n_base++;
        else
            return mt_error(
                ctx, MT_EINVAL,
                "partition: pka_type[%zu] must be MT_KP_PKA_ACID or MT_KP_PKA_BASE (got %d)", i,
                (int)d->pka_type[i]);
    }
    if (d->is_zwitterion && !(n_acid && n_base))
        return mt_error(ctx, MT_EINVAL,
                        "partition: is_zwitterion needs an acidic and a basic pka (has %d acidic, "
                        "%d basic)",
                        n_acid, n_base);
    if (!isnan(d->blood_plasma_ratio) &&
        !(isfinite(d->blood_plasma_ratio) && d->blood_plasma_ratio > 0))
        return mt_error(ctx, MT_EINVAL,
                        "partition: blood_plasma_ratio must be positive or NaN (got %g)",
                        d->blood_plasma_ratio);
    return MT_OK;
}

/* ---- the methods ------------------------------------------------------------------------------
 */

/* Neutral-lipid and neutral-phospholipid term of the papers: P Vnl + (0.3 P + 0.7) Vph. */
static double lipids(double P, double vnl, double vph) { return P * vnl + (0.3 * P + 0.7) * vph; }

static mt_status rodgers_rowland(const mt_partition_tables *t, mt_ctx *ctx, const mt_kp_drug *d,
                                 const ionisation *io, double hct, double kpu[N_TISSUE],
                                 mt_kp_detail *det)
{
    const double(*v)[N_PARAM] = t->v;
    const double fu = d->fu_plasma;
    const double P = pow(10, d->logp);
    const double Pvow = pow(10, isnan(d->logp_vow) ? 1.115 * d->logp - 1.35 : d->logp_vow);
    const double Y = ion_ratio(io, v[T_PLASMA][P_PH], NULL);
    int strong = 0;
    for (size_t i = 0; i < io->n_base; i++)
        strong |= io->base[i] >= 7;

    double ka_ap = 0, ka_pr = 0;
    int prot = P_ALB;
    if (strong) {
        /* Rodgers, Leahy & Rowland 2005: Ka for acidic phospholipids from the blood cells. */
        const double bp = d->blood_plasma_ratio;
        if (isnan(bp))
            return mt_error(ctx, MT_EINVAL,
                            "partition: blood_plasma_ratio is required for a base with pKa >= 7 "
                            "(Rodgers & Rowland 2005 derives the acidic-phospholipid affinity "
                            "from it); none is assumed");
        const double kpu_bc = (hct - 1 + bp) / (hct * fu);
        if (!(kpu_bc > 0))
            return mt_error(ctx, MT_EINVAL,
                            "partition: blood_plasma_ratio %g <= 1 - hct (%g) gives a "
                            "non-positive erythrocyte partition coefficient",
                            bp, 1 - hct);
        double cz;
        const double Z = ion_ratio(io, v[T_ERY][P_PH], &cz);
        ka_ap = (kpu_bc - Z / Y * t->viw_ery - lipids(P, v[T_ERY][P_VNL], v[T_ERY][P_VPH]) / Y) *
                Y / (v[T_ERY][P_AP] * cz);
        if (det) {
            det->equation = MT_KP_EQ_RR2005;
            det->kpu_bc = kpu_bc;
            det->hct = hct;
        }
    } else {
        /* Rodgers & Rowland 2006: Ka_PR [PR]_P from fu; albumin, or lipoprotein for neutrals. */
        ka_pr = 1 / fu - 1 - lipids(P, v[T_PLASMA][P_VNL], v[T_PLASMA][P_VPH]) / Y;
        prot = d->n_pka ? P_ALB : P_LIP;
        if (det)
            det->equation = d->n_pka ? MT_KP_EQ_RR2006_ALBUMIN : MT_KP_EQ_RR2006_LIPOPROTEIN;
    }
    /* A negative constant means the measured fu or B:P is below what partitioning into water
     * and lipids alone predicts; the papers' equations are kept as they are (no clamping) and
     * the caller is told. */
    if (det) {
        det->ka_ap = strong ? ka_ap : NAN;
        det->ka_pr = strong ? NAN : ka_pr;
        det->negative_binding = ka_ap < 0 || ka_pr < 0;
    }
    for (int i = 0; i < N_TISSUE; i++) {
        double c;
        const double X = ion_ratio(io, v[i][P_PH], &c);
        const double Pt = i == T_ADI ? Pvow : P;
        double k = t->vew[i] + X / Y * t->viw[i] + lipids(Pt, v[i][P_VNL], v[i][P_VPH]) / Y;
        k += strong ? ka_ap * v[i][P_AP] * c / Y : ka_pr * v[i][prot];
        kpu[i] = k;
    }
    return MT_OK;
}

/* Poulin & Theil 2002 and Berezhkovskiy 2004 share the composition terms (water, neutral lipids,
 * phospholipids) and differ only in where the unbound fractions enter: P&T multiplies the ratio
 * by fu_p/fu_t (adipose: fu_p), Berezhkovskiy divides the water terms of the tissue by fu_t and
 * those of plasma by fu_p (adipose too, with D*vo:w), as in docs/partition.md. */
static void poulin_theil(const mt_partition_tables *t, const mt_kp_drug *d, const ionisation *io,
                         int berezhkovskiy, double kpu[N_TISSUE], mt_kp_detail *det)
{
    const double(*v)[N_PARAM] = t->v;
    const double fu = d->fu_plasma;
    const double P = pow(10, d->logp);
    const double Pvow = pow(10, isnan(d->logp_vow) ? 1.115 * d->logp - 1.35 : d->logp_vow);
    /* D*vo:w: the vegetable-oil:buffer distribution coefficient at plasma pH (7.4). */
    const double D = Pvow / ion_ratio(io, v[T_PLASMA][P_PH], NULL);
    const double *p = v[T_PLASMA];
    const double fut = 1 / (1 + 0.5 * (1 - fu) / fu); /* tissue:plasma albumin ratio 0.5 */
    for (int i = 0; i < N_TISSUE; i++) {
        const double *r = v[i];
        const double L = i == T_ADI ? D : P;
        double kp;
        if (berezhkovskiy)
            kp = (L * (r[P_VNL] + 0.3 * r[P_VPH]) + (r[P_VWT] / fut + 0.7 * r[P_VPH])) /
                 (L * (p[P_VNL] + 0.3 * p[P_VPH]) + (p[P_VWT] / fu + 0.7 * p[P_VPH]));
        else
            kp = (L * (r[P_VNL] + 0.3 * r[P_VPH]) + (r[P_VWT] + 0.7 * r[P_VPH])) /
                 (L * (p[P_VNL] + 0.3 * p[P_VPH]) + (p[P_VWT] + 0.7 * p[P_VPH])) *
                 (i == T_ADI ? fu : fu / fut);
        kpu[i] = kp / fu;
    }
    if (det) {
        det->equation = berezhkovskiy ? MT_KP_EQ_BEREZ2004 : MT_KP_EQ_PT2002;
        det->kpu_bc = det->ka_ap = det->ka_pr = NAN;
        det->negative_binding = 0;
    }
}

/* Schmitt, Toxicol In Vitro 22:457 (2008), as httk's predict_partitioning_schmitt codes it
 * (without its Pearce 2017 regression): tissue : unbound plasma
 *   Kpu = Fint Kint + kappa Fcell Kcell
 *   Kint  = FW_pl + r (1/fu - FW_pl)                 FW_pl = 1 - Fprot, r = Kint_protein (Eq. 4)
 *   Kcell = FWc + K_nl FLc Fn_Lc + K_npl FLc Fn_PLc + K_apl FLc Fa_PLc + K_p FPc     (Eq. 7)
 *   K_nl  = P (f_n + alpha (1 - f_n))                 at the cell pH (Eq. 13)
 *   K_npl = MA;  K_apl = MA (f_n + 20 f_+ + 0.05 f_-) (Eqs. 17, 18);  K_p = 0.163 + 0.0221 MA
 *   kappa = (f_n,pl + alpha (1 - f_n,pl)) / (f_n + alpha (1 - f_n)),  alpha = 1e-3
 * with MA = P (the card's lipophilicity, as PK-Sim uses one value for both). Row i of the
 * table (a tissue or the erythrocytes, whose Fint is 0). */
static double schmitt_kpu(const mt_partition_tables *t, const mt_kp_drug *d, const ionisation *io,
                          int i)
{
    const double(*v)[N_PARAM] = t->v;
    const double *r = v[i], alpha = 1e-3;
    const double P = pow(10, d->logp), MA = P, fu = d->fu_plasma;
    double cat;
    const double X = ion_ratio(io, r[P_PH_CELL], &cat);
    const double fn = 1 / X, fpos = cat / X, fneg = (X - 1 - cat) / X;
    const double fn_pl = 1 / ion_ratio(io, v[T_PLASMA][P_PH], NULL);
    const double k_nl = P * (fn + alpha * (1 - fn));
    const double k_apl = MA * (fn + 20 * fpos + 0.05 * fneg);
    const double k_p = 0.163 + 0.0221 * MA;
    const double kcell = r[P_FWC] + k_nl * r[P_FLC] * r[P_FNLC] + MA * r[P_FLC] * r[P_FNPLC] +
                         k_apl * r[P_FLC] * r[P_FAPLC] + k_p * r[P_FPC];
    const double kappa = (fn_pl + alpha * (1 - fn_pl)) / (fn + alpha * (1 - fn));
    const double fw_pl = 1 - v[T_PLASMA][P_FPROT];
    const double kint = fw_pl + v[T_PLASMA][P_KINT_PROT] * (1 / fu - fw_pl);
    return r[P_FINT] * kint + kappa * r[P_FCELL] * kcell;
}

static void schmitt(const mt_partition_tables *t, const mt_kp_drug *d, const ionisation *io,
                    double kpu[N_TISSUE], mt_kp_detail *det)
{
    for (int i = 0; i < N_TISSUE; i++)
        kpu[i] = schmitt_kpu(t, d, io, i);
    if (det) {
        det->equation = MT_KP_EQ_SCHMITT2008;
        det->kpu_bc = schmitt_kpu(t, d, io, T_ERY);
        det->ka_ap = det->ka_pr = NAN;
        det->negative_binding = 0;
    }
}

mt_status mt_partition_kp(const mt_partition_tables *t, mt_ctx *ctx, mt_kp_method method,
                          const mt_kp_drug *drug, const mt_kp_opts *opts,
                          double kp_out[MT_KP_N_ORGANS], mt_kp_detail *detail)
{
    if (kp_out)
        for (int o = 0; o < MT_KP_N_ORGANS; o++)
            kp_out[o] = NAN;
    if (detail) {
        memset(detail, 0, sizeof *detail);
        for (int o = 0; o < MT_KP_N_ORGANS; o++)
            detail->kpu[o] = NAN;
        detail->kpu_bc = detail->ka_ap = detail->ka_pr = detail->hct = NAN;
    }
    if (!t || !kp_out)
        return mt_error(ctx, MT_EINVAL, "partition: NULL %s", t ? "kp_out" : "tables");
    if (method != MT_KP_RODGERS_ROWLAND && method != MT_KP_POULIN_THEIL &&
        method != MT_KP_BEREZHKOVSKIY && method != MT_KP_SCHMITT)
        return mt_error(ctx, MT_EINVAL, "partition: unknown method %d", (int)method);
    mt_status st = check_drug(ctx, drug);
    if (st != MT_OK)
        return st;

    double hct = t->v[T_BLOOD][P_HCT];
    mt_kp_rest rest = MT_KP_REST_MUSCLE;
    const double *vol = NULL;
    if (opts) {
        if (isfinite(opts->hct) && opts->hct > 0) {
            if (opts->hct >= 1)
                return mt_error(ctx, MT_EINVAL, "partition: hct must lie in (0, 1) (got %g)",
                                opts->hct);
            hct = opts->hct;
        } else if (isinf(opts->hct)) {
            return mt_error(ctx, MT_EINVAL, "partition: hct must be finite (got %g)", opts->hct);
        }
        rest = opts->rest;
        vol = opts->volumes;
        if (rest != MT_KP_REST_MUSCLE && rest != MT_KP_REST_VOLUME_WEIGHTED)
            return mt_error(ctx, MT_EINVAL, "partition: unknown rest mode %d", (int)rest);
        if (rest == MT_KP_REST_VOLUME_WEIGHTED) {
            if (!vol)
                return mt_error(ctx, MT_EINVAL,
                                "partition: volumes are required for the volume-weighted rest");
            for (int o = 0; o < MT_KP_N_ORGANS - 1; o++)
                if (o != MT_KP_ADI && !(isfinite(vol[o]) && vol[o] > 0))
                    return mt_error(ctx, MT_EINVAL,
                                    "partition: volumes[%s] must be positive (got %g)",
                                    organ_name[o], vol[o]);
        }
    }

    ionisation io;
    sort_pka(drug, &io);
    double kpu[N_TISSUE];
    mt_kp_detail work = {0}; /* copied out on success only */
    if (detail)
        work = *detail;
    mt_kp_detail *det = detail ? &work : NULL;
    if (method == MT_KP_RODGERS_ROWLAND) {
        if (!t->has_rr)
            return mt_error(ctx, MT_EUNSUPPORTED,
                            "partition: the table has no Rodgers & Rowland data (lacks %s)",
                            t->rr_missing);
        st = rodgers_rowland(t, ctx, drug, &io, hct, kpu, det);
        if (st != MT_OK)
            return st;
    } else if (method == MT_KP_SCHMITT) {
        if (!t->has_schmitt)
            return mt_error(ctx, MT_EUNSUPPORTED,
                            "partition: the table has no Schmitt data (lacks %s)",
                            t->schmitt_missing);
        schmitt(t, drug, &io, kpu, det);
    } else {
        if (!t->has_pt)
            return mt_error(ctx, MT_EUNSUPPORTED,
                            "partition: the table has no Poulin & Theil data (lacks %s)",
                            t->pt_missing);
        poulin_theil(t, drug, &io, method == MT_KP_BEREZHKOVSKIY, kpu, det);
    }

    double kp[MT_KP_N_ORGANS];
    for (int o = 0; o < MT_KP_N_ORGANS - 1; o++) {
        kp[o] = kpu[organ_tissue[o]] * drug->fu_plasma;
        if (!(isfinite(kp[o]) && kp[o] > 0))
            return mt_error(ctx, MT_EINVAL,
                            "partition: Kp %s is %g: the inputs are outside the range the "
                            "method can evaluate",
                            organ_name[o], kp[o]);
    }
    if (rest == MT_KP_REST_VOLUME_WEIGHTED) {
        double sv = 0, svk = 0;
        for (int o = 0; o < MT_KP_N_ORGANS - 1; o++) {
            if (o == MT_KP_ADI)
                continue;
            sv += vol[o];
            svk += vol[o] * kp[o];
        }
        kp[MT_KP_REST] = svk / sv;
    } else {
        kp[MT_KP_REST] = kp[MT_KP_MUS];
    }
    for (int o = 0; o < MT_KP_N_ORGANS; o++) {
        kp_out[o] = kp[o];
        if (det)
            det->kpu[o] = kp[o] / drug->fu_plasma;
    }
    if (detail)
        *detail = work;
    return MT_OK;
}

/* The common start of both B:P predictions: outputs NaN, the arguments and the drug checked,
 * *hct resolved (NaN or <= 0: the table's). */
static mt_status bp_begin(const mt_partition_tables *t, mt_ctx *ctx, const mt_kp_drug *drug,
                          double *hct, double *bp, double *kpu_bc)
{
    if (bp)
        *bp = NAN;
    if (kpu_bc)
        *kpu_bc = NAN;
    if (!t || !bp)
        return mt_error(ctx, MT_EINVAL, "blood:plasma: NULL %s", t ? "bp" : "tables");
    mt_status st = check_drug(ctx, drug);
    if (st != MT_OK)
        return st;
    if (!(isfinite(*hct) && *hct > 0)) {
        if (!isnan(*hct) && !(*hct <= 0))
            return mt_error(ctx, MT_EINVAL, "blood:plasma: hct must be finite (got %g)", *hct);
        *hct = t->v[T_BLOOD][P_HCT];
    }
    if (!(*hct > 0 && *hct < 1))
        return mt_error(ctx, MT_EINVAL, "blood:plasma: hct must lie in (0, 1) (got %g)", *hct);
    return MT_OK;
}

/* B:P = hct fu Kpu_ery + 1 - hct from the erythrocyte : unbound plasma partition k. */
static mt_status bp_end(mt_ctx *ctx, double hct, double fu, double k, double *bp, double *kpu_bc)
{
    const double b = hct * fu * k + 1 - hct;
    if (!(isfinite(b) && b > 0))
        return mt_error(ctx, MT_EINVAL, "blood:plasma: the inputs give B:P %g", b);
    *bp = b;
    if (kpu_bc)
        *kpu_bc = k;
    return MT_OK;
}

mt_status mt_partition_bp(const mt_partition_tables *t, mt_ctx *ctx, const mt_kp_drug *drug,
                          double hct, double *bp, double *kpu_bc)
{
    mt_status st = bp_begin(t, ctx, drug, &hct, bp, kpu_bc);
    if (st != MT_OK)
        return st;
    ionisation io;
    sort_pka(drug, &io);
    for (size_t i = 0; i < io.n_base; i++)
        if (io.base[i] >= 7)
            return mt_error(ctx, MT_EUNSUPPORTED,
                            "blood:plasma: cannot be predicted for a base with pKa >= 7 (%g): "
                            "its binding to erythrocyte acidic phospholipids is known only "
                            "from a measured B:P (Rodgers, Leahy & Rowland 2005)",
                            io.base[i]);
    const double(*v)[N_PARAM] = t->v;
    if (isnan(t->viw_ery) || isnan(v[T_ERY][P_VNL]) || isnan(v[T_ERY][P_VPH]) ||
        isnan(v[T_ERY][P_PH]) || isnan(v[T_PLASMA][P_PH]))
        return mt_error(ctx, MT_EUNSUPPORTED,
                        "blood:plasma: the tissue table lacks the erythrocyte water, lipid or "
                        "pH values the prediction needs");
    /* Rodgers, Leahy & Rowland 2005, blood-cell equation without its electrostatic term
     * (none for drugs without a basic pKa >= 7, as in Rodgers & Rowland 2006): water at the
     * erythrocyte pH plus neutral lipids and phospholipids. */
    const double P = pow(10, drug->logp);
    const double Y = ion_ratio(&io, v[T_PLASMA][P_PH], NULL);
    const double Z = ion_ratio(&io, v[T_ERY][P_PH], NULL);
    const double k = Z / Y * t->viw_ery + lipids(P, v[T_ERY][P_VNL], v[T_ERY][P_VPH]) / Y;
    return bp_end(ctx, hct, drug->fu_plasma, k, bp, kpu_bc);
}

mt_status mt_partition_bp_schmitt(const mt_partition_tables *t, mt_ctx *ctx, const mt_kp_drug *drug,
                                  double hct, double *bp, double *kpu_bc)
{
    mt_status st = bp_begin(t, ctx, drug, &hct, bp, kpu_bc);
    if (st != MT_OK)
        return st;
    if (!t->has_schmitt)
        return mt_error(ctx, MT_EUNSUPPORTED,
                        "blood:plasma: the table has no Schmitt data (lacks %s)",
                        t->schmitt_missing);
    ionisation io;
    sort_pka(drug, &io);
    /* B:P = 1 - hct + hct fu Kpu_erythrocytes (as httk's calc_rblood2plasma) */
    const double k = schmitt_kpu(t, drug, &io, T_ERY);
    return bp_end(ctx, hct, drug->fu_plasma, k, bp, kpu_bc);
}
