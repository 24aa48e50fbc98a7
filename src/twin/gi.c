/* SPDX-License-Identifier: Apache-2.0
 *
 * twin/gi.c — mechanistic oral absorption and gut-wall metabolism for drug cards whose
 * absorption is `pksim_permeability` (a PK-Sim specific transcellular intestinal permeability
 * instead of first-order ka/fa/fg). Equations, their sources and the choices behind them:
 * docs/absorption.md.
 *
 * The table data/physiology/gi_tract.csv holds, per small-intestine segment (duodenum, upper and
 * lower jejunum, upper and lower ileum), PK-Sim's length and radii as linear functions of body
 * height, the effective surface-area enhancement factor, the segment's relative transit rate and
 * the volume fractions of its gut wall and mucosa; the small-intestinal transit time, the gastric
 * emptying time and the mucosal share of the intestinal blood flow; and the relative expression
 * of enzymes in the intestinal mucosa. gi_derive turns them, with the person's height, gut
 * volume and gut blood flow and the card's permeability and hepatic intrinsic clearances, into
 * the builder's transit rate constants, absorption rate constants and Fg (Qgut model). Every
 * step is written into the provenance text. Cost: a few dozen operations per drug.
 */
#include "twin_internal.h"

#include "medtwin/data.h"
#include "util/csv.h"
#include "util/util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GI_FILE "physiology/gi_tract.csv"
#define GI_MAX_ENZ 32
#define GI_PI 3.14159265358979323846

static const char *const seg_name[GI_NALL] = {
    "duodenum",         "upper_jejunum", "lower_jejunum",   "upper_ileum",
    "lower_ileum",      "caecum",        "colon_ascendens", "colon_transversum",
    "colon_descendens", "colon_sigmoid", "rectum"};
/* builder ids of the segments (medtwin/pbpk.h) */
static const char *const seg_id[GI_NALL] = {"duo", "jej1", "jej2", "ile1", "ile2", "cae",
                                            "asc", "tra",  "des",  "sig",  "rec"};

enum {
    P_L0,
    P_L1,
    P_R1A,
    P_R1B,
    P_R2A,
    P_R2B,
    P_ENH,
    P_REL,
    P_WALL,
    P_MUC,
    P_INT,
    P_VASC,
    P_MVF,
    N_SEGPAR
};
static const struct {
    const char *name, *unit;
    int fraction; /* 1: must lie in [0, 1]; 0: any finite number; 2: > 0 */
} segpar[N_SEGPAR] = {
    {"length_p0", "dm", 0},
    {"length_p1", "dm/dm", 0},
    {"radius_proximal_p0", "dm", 0},
    {"radius_proximal_p1", "dm/dm", 0},
    {"radius_distal_p0", "dm", 0},
    {"radius_distal_p1", "dm/dm", 0},
    {"surface_enhancement", "1", 2},
    {"transit_rate_relative", "1", 2},
    {"wall_volume_fraction", "1", 1},
    {"mucosa_fraction", "1", 1},
    {"interstitial_fraction", "1", 1},
    {"vascular_fraction", "1", 1},
    {"microvilli_factor", "1", 2},
};

struct gi_table {
    mt_csv *csv;                 /* owns the strings */
    double v[GI_NALL][N_SEGPAR]; /* large intestine: geometry and transit only (to P_REL) */
    double sitt_min, litt_min, get_min, muc_flow;
    size_t n_enz;
    const char *enz[GI_MAX_ENZ];
    double enz_rel[GI_MAX_ENZ];
};

void gi_free(gi_table *g)
{
    if (!g)
        return;
    mt_csv_destroy(g->csv);
    mt_free(NULL, g);
}

static int num(const char *s, double *v)
{
    char *end;
    if (!s || !*s)
        return -1;
    *v = strtod(s, &end);
    return (*end || !isfinite(*v)) ? -1 : 0;
}

mt_status gi_load(mt_ctx *ctx, const char *data_dir, gi_table **out)
{
    char path[4096];
    *out = NULL;
    int n = snprintf(path, sizeof path, "%s/%s", data_dir, GI_FILE);
    if (n < 0 || (size_t)n >= sizeof path)
        return mt_error(ctx, MT_EINVAL, "gi table: data path too long");
    gi_table *g = mt_calloc(NULL, 1, sizeof *g);
    if (!g)
        return mt_error(ctx, MT_ENOMEM, "out of memory loading %s", path);
    mt_status st = mt_csv_read(ctx, path, 1 << 20, &g->csv);
    if (st != MT_OK) {
        gi_free(g);
        return st;
    }
    const mt_csv *c = g->csv;
    int cs = mt_csv_col(c, "segment"), cp = mt_csv_col(c, "parameter"), cv = mt_csv_col(c, "value"),
        cu = mt_csv_col(c, "unit"), cr = mt_csv_col(c, "source");
    if (cs < 0 || cp < 0 || cv < 0 || cu < 0 || cr < 0) {
        gi_free(g);
        return mt_error(ctx, MT_EPARSE,
                        "%s: needs the columns segment, parameter, value, unit, source", path);
    }
    for (int k = 0; k < GI_NALL; k++)
        for (int q = 0; q < N_SEGPAR; q++)
            g->v[k][q] = NAN;
    g->sitt_min = g->litt_min = g->get_min = g->muc_flow = NAN;
    st = MT_OK;
    for (size_t r = 0; r < mt_csv_n_rows(c) && st == MT_OK; r++) {
        size_t line = r + 2;
        const char *sg = mt_csv_cell(c, r, (size_t)cs), *par = mt_csv_cell(c, r, (size_t)cp),
                   *unit = mt_csv_cell(c, r, (size_t)cu), *src = mt_csv_cell(c, r, (size_t)cr);
        double v;
        if (!*src) {
            st = mt_error(ctx, MT_EPARSE, "%s:%zu: %s %s has no source", path, line, sg, par);
            break;
        }
        if (num(mt_csv_cell(c, r, (size_t)cv), &v)) {
            st = mt_error(ctx, MT_EPARSE, "%s:%zu: %s %s: '%s' is not a number", path, line, sg,
                          par, mt_csv_cell(c, r, (size_t)cv));
            break;
        }
        double *slot = NULL;
        const char *want = NULL;
        int kind = 0;
        for (int k = 0; k < GI_NALL && !slot; k++)
            if (!strcmp(sg, seg_name[k]))
                for (int q = 0; q < (k < GI_NSEG ? N_SEGPAR : P_REL + 1); q++)
                    if (!strcmp(par, segpar[q].name)) {
                        slot = &g->v[k][q];
                        want = segpar[q].unit;
                        kind = segpar[q].fraction;
                    }
        if (!slot && !strcmp(sg, "small_intestine") && !strcmp(par, "transit_time")) {
            slot = &g->sitt_min;
            want = "min";
            kind = 2;
        } else if (!slot && !strcmp(sg, "large_intestine") && !strcmp(par, "transit_time")) {
            slot = &g->litt_min;
            want = "min";
            kind = 2;
        } else if (!slot && !strcmp(sg, "stomach") && !strcmp(par, "gastric_emptying_time")) {
            slot = &g->get_min;
            want = "min";
            kind = 2;
        } else if (!slot && !strcmp(sg, "small_intestine") &&
                   !strcmp(par, "mucosa_blood_flow_fraction")) {
            slot = &g->muc_flow;
            want = "1";
            kind = 1;
        } else if (!slot && !strcmp(sg, "mucosa") && !strncmp(par, "relative_expression:", 20) &&
                   par[20]) {
            for (size_t e = 0; e < g->n_enz; e++)
                if (!strcmp(g->enz[e], par + 20)) {
                    st = mt_error(ctx, MT_EPARSE, "%s:%zu: duplicate row mucosa %s", path, line,
                                  par);
                    break;
                }
            if (st != MT_OK)
                break;
            if (g->n_enz == GI_MAX_ENZ) {
                st = mt_error(ctx, MT_ELIMIT, "%s:%zu: more than %d enzymes", path, line,
                              GI_MAX_ENZ);
                break;
            }
            if (strcmp(unit, "1") || !(v >= 0)) {
                st = mt_error(ctx, MT_EPARSE,
                              "%s:%zu: mucosa %s: needs unit '1' and a value >= 0 (got %g %s)",
                              path, line, par, v, unit);
                break;
            }
            g->enz[g->n_enz] = par + 20;
            g->enz_rel[g->n_enz++] = v;
            continue;
        }
        if (!slot) {
            st = mt_error(ctx, MT_EPARSE, "%s:%zu: unknown row '%s', '%s' (docs/absorption.md)",
                          path, line, sg, par);
            break;
        }
        if (strcmp(unit, want)) {
            st = mt_error(ctx, MT_EPARSE, "%s:%zu: %s %s: unit '%s' (expected '%s')", path, line,
                          sg, par, unit, want);
            break;
        }
        if ((kind == 1 && !(v >= 0 && v <= 1)) || (kind == 2 && !(v > 0))) {
            st = mt_error(ctx, MT_EPARSE, "%s:%zu: %s %s: %g is out of range (%s)", path, line, sg,
                          par, v, kind == 1 ? "[0, 1]" : "> 0");
            break;
        }
        if (!isnan(*slot)) {
            st = mt_error(ctx, MT_EPARSE, "%s:%zu: duplicate row %s %s", path, line, sg, par);
            break;
        }
        *slot = v;
    }
    for (int k = 0; k < GI_NALL && st == MT_OK; k++)
        for (int q = 0; q < (k < GI_NSEG ? N_SEGPAR : P_REL + 1) && st == MT_OK; q++)
            if (isnan(g->v[k][q]))
                st =
                    mt_error(ctx, MT_EPARSE, "%s: no row %s %s", path, seg_name[k], segpar[q].name);
    if (st == MT_OK &&
        (isnan(g->sitt_min) || isnan(g->litt_min) || isnan(g->get_min) || isnan(g->muc_flow)))
        st = mt_error(ctx, MT_EPARSE,
                      "%s: needs the rows small_intestine transit_time, large_intestine "
                      "transit_time, stomach gastric_emptying_time and small_intestine "
                      "mucosa_blood_flow_fraction",
                      path);
    for (int k = 0; k < GI_NSEG && st == MT_OK; k++)
        if (g->v[k][P_INT] + g->v[k][P_VASC] > 1)
            st = mt_error(ctx, MT_EPARSE,
                          "%s: %s: interstitial + vascular fraction exceed 1 (no intracellular "
                          "space)",
                          path, seg_name[k]);
    if (st != MT_OK) {
        gi_free(g);
        return st;
    }
    *out = g;
    return MT_OK;
}

void gi_result_free(gi_result *r)
{
    sb_free(&r->how_kge);
    sb_free(&r->how_kt);
    sb_free(&r->how_ka);
    sb_free(&r->how_fg);
    sb_free(&r->how_psm);
    sb_free(&r->how_vm);
    sb_free(&r->how_clg);
    sb_free(&r->how_vgef);
    sb_free(&r->how_wef);
}

/* The enterocytes' efflux back into the lumen (pbpk.h efflux, with the mucosa): Vgef from the
 * transporter's amount RC x its mucosa relative expression x the mucosa's volume (v_wall x
 * share, as the gut-wall enzymes'), and each segment's share of it (its mucosa volume; the same
 * relative expression in every small-intestine segment). 0, or -1 with the problem in dp. */
static int gut_efflux(const person *pe, const mt_drugcard *c, const gi_table *g, double v_wall,
                      double share, gi_result *r, sbuf *dp)
{
    const char *ef = mt_drugcard_efflux(c);
    const enzyme_row *e = enzyme_row_named(pe->t, ef);
    double rel = NAN;
    for (size_t k = 0; k < g->n_enz; k++)
        if (ieq(g->enz[k], ef))
            rel = g->enz_rel[k];
    if (!e || !(e->ref_conc > 0) || !(rel >= 0)) {
        sb_add(dp,
               "elimination.efflux (%s): needs its reference concentration (data/enzymes) and its "
               "mucosa relative expression (data/physiology/gi_tract.csv) for the enterocytes' "
               "efflux",
               ef);
        return -1;
    }
    r->efflux = 1;
    r->vgef = efflux_vmax(c, e->ref_conc, rel, v_wall * share, &r->how_vgef);
    sb_add(&r->how_vgef,
           "; out of the enterocytes back into the lumen; the mucosa's volume: the small-intestine "
           "wall %.4g L (PK-Sim's) x the sum of its wall and mucosa fractions %.4g",
           v_wall, share);
    sb_add(&r->how_wef,
           "the segment's share of the small intestine's mucosa volume (wall fraction x mucosa "
           "fraction / the sum %.4g; data/physiology/gi_tract.csv), the transporter's relative "
           "expression being the same in all five (%g)",
           share, rel);
    for (int k = 0; k < GI_NSEG; k++)
        r->wef[k] = g->v[k][P_WALL] * g->v[k][P_MUC] / share;
    if (!isfinite(r->vgef) || r->how_vgef.oom || r->how_wef.oom) {
        sb_add(dp, "elimination.efflux (%s): the enterocytes' Vmax is not finite", ef);
        return -1;
    }
    return 0;
}

/* The McNally 2014 reference value of an organ (mass_ref or flow_frac) for the person's sex. */
static mt_status mcnally(const person *pe, const char *organ, const char *par, double *v)
{
    return mt_physio_tables_get(pe->t->physio, pe->ctx, "mcnally2014", organ, par, pe->sex, v,
                                NULL);
}

mt_status gut_mass_shares(const person *pe, double share[3])
{
    double m[3];
    if (mcnally(pe, "Stomach", "mass_ref", &m[0]) ||
        mcnally(pe, "Small_intestine", "mass_ref", &m[1]) ||
        mcnally(pe, "Large_intestine", "mass_ref", &m[2]))
        return MT_ENOTFOUND;
    for (int k = 0; k < 3; k++)
        share[k] = m[k] / (m[0] + m[1] + m[2]);
    return MT_OK;
}

mt_status gi_derive(const person *pe, const mt_drugcard *c, double fu, double bp, double kp_gut,
                    drug_clint *dc, sbuf *dp, gi_result *r)
{
    const mt_twin_tables *t = pe->t;
    const gi_table *g = t->gi;
    memset(r, 0, sizeof *r);
    r->fg = r->kge = r->fa_est = NAN;
    for (int k = 0; k < GI_NALL; k++)
        r->kt[k] = r->ka[k] = NAN;
    if (!g) {
        sb_add(dp, "absorption: the twin tables have no gastrointestinal table (%s)", GI_FILE);
        return MT_ENOTFOUND;
    }
    double perm = NAN; /* cm/min, the card's canonical unit */
    if (mt_drugcard_value(c, "absorption.intestinal_permeability", &perm, NULL) != MT_OK ||
        !(perm > 0)) {
        sb_add(dp, "absorption.intestinal_permeability: absent (absorption.model "
                   "pksim_permeability needs it for an oral dose; docs/absorption.md)");
        return MT_ENOTFOUND;
    }
    const double p_dm_h = perm * 0.1 * 60.0; /* cm/min -> dm/h */
    const double h_dm = pe->height_cm / 10.0;
    const mt_physiology *ph = pe->ph;

    /* --- geometry, transit, absorption --- */
    double a_eff = 0.0, pass = 1.0; /* sum E A_geo (dm2); product of pass-through shares */
    double sa_m = 0.0;              /* the mucosa's interstitial/intracellular surface (dm2) */
    double sitt_h = g->sitt_min / 60.0, litt_h = g->litt_min / 60.0;
    r->kge = 60.0 / g->get_min;
    sb_add(&r->how_kge,
           "first-order gastric emptying 1 / GET = 1 / %g min (PK-Sim fasted stomach, "
           "data/physiology/gi_tract.csv; docs/absorption.md)",
           g->get_min);
    sb_add(&r->how_kt,
           "kt = relative transit rate / small-intestinal transit time %g min (large "
           "intestine: / large-intestinal transit time %g min; data/physiology/gi_tract.csv):",
           g->sitt_min, g->litt_min);
    sb_add(&r->how_ka,
           "ka = P x E x A_geo / V (CAT: a dissolved drug well mixed in the segment lumen), P = "
           "card absorption.intestinal_permeability %g cm/min = %g dm/h; segment geometry from the "
           "person's height %g cm (PK-Sim formulas, data/physiology/gi_tract.csv):",
           perm, p_dm_h, pe->height_cm);
    value_note(&r->how_ka, c, "absorption.intestinal_permeability");
    for (int k = 0; k < GI_NALL; k++) {
        const double *v = g->v[k];
        double len = v[P_L0] + v[P_L1] * h_dm, r1 = v[P_R1A] + v[P_R1B] * h_dm,
               r2 = v[P_R2A] + v[P_R2B] * h_dm;
        if (!(len > 0) || !(r1 > 0) || !(r2 > 0)) {
            sb_add(dp,
                   "absorption: the %s's length or radius is not positive at height %g cm "
                   "(outside the range of the PK-Sim height formulas)",
                   seg_name[k], pe->height_cm);
            return MT_EINVAL;
        }
        double area = GI_PI * (r1 + r2) * len;                          /* dm2 */
        double vol = GI_PI / 3.0 * (r1 * r1 + r1 * r2 + r2 * r2) * len; /* L */
        r->ka[k] = p_dm_h * v[P_ENH] * area / vol;
        r->kt[k] = v[P_REL] / (k < GI_NSEG ? sitt_h : litt_h);
        if (k < GI_NSEG) { /* the enterocyte surface of the Qgut model is the small intestine's */
            a_eff += v[P_ENH] * area;
            sa_m += v[P_ENH] * area / v[P_MVF];
        }
        pass *= r->kt[k] / (r->kt[k] + r->ka[k]);
        sb_add(&r->how_kt, "%s %s %g/h (relative rate %g)", k ? ";" : "", seg_name[k], r->kt[k],
               v[P_REL]);
        sb_add(&r->how_ka, "%s %s: L %g dm, r %g-%g dm, A_geo %g dm2, V %g L, E %g -> ka %g/h",
               k ? ";" : "", seg_name[k], len, r1, r2, area, vol, v[P_ENH], r->ka[k]);
    }
    r->fa_est = 1.0 - pass;

    /* --- gut wall: Qgut model (Yang et al. 2007) --- */
    double m_st, m_si, m_li, f_st, f_si, f_li;
    if (mcnally(pe, "Stomach", "mass_ref", &m_st) ||
        mcnally(pe, "Small_intestine", "mass_ref", &m_si) ||
        mcnally(pe, "Large_intestine", "mass_ref", &m_li) ||
        mcnally(pe, "Stomach", "flow_frac", &f_st) ||
        mcnally(pe, "Small_intestine", "flow_frac", &f_si) ||
        mcnally(pe, "Large_intestine", "flow_frac", &f_li)) {
        sb_add(dp, "absorption: %s", mt_errmsg(pe->ctx));
        return MT_ENOTFOUND;
    }
    double v_si = ph->organ[MT_ORGAN_GUT].volume_l * m_si / (m_st + m_si + m_li);
    double q_si = ph->organ[MT_ORGAN_GUT].blood_flow_l_h * f_si / (f_st + f_si + f_li);
    /* the mucosa's volume, all of it: PK-Sim's gut-wall enzyme amounts are RC x rel_exp x the
     * mucosa segment's volume (interstitial and vascular spaces included), as the liver's are
     * RC x rel_exp x its whole volume (docs/twin-parameters.md, "Expression amounts") */
    double share = 0.0;
    for (int k = 0; k < GI_NSEG; k++)
        share += g->v[k][P_WALL] * g->v[k][P_MUC];
    double v_ent = pksim_volume(pe, XO_SMALL_INTESTINE, v_si, NULL) * share;
    double q_villi = g->muc_flow * q_si;
    double cl_perm = p_dm_h * a_eff; /* dm3/h = L/h */
    double q_gut = q_villi * cl_perm / (q_villi + cl_perm);
    double v_liv = pksim_volume(pe, FV_LIVER, ph->organ[MT_ORGAN_LIVER].volume_l, NULL);
    double cl_gut = 0.0;
    sbuf procs = {0};
    for (size_t i = 0; i < dc->np; i++) {
        mt_drugcard_process p;
        if (mt_drugcard_hepatic(c, dc->pix[i], &p) != MT_OK || !p.protein)
            continue;
        double rel_m = NAN;
        for (size_t e = 0; e < g->n_enz; e++)
            if (ieq(g->enz[e], p.protein))
                rel_m = g->enz_rel[e];
        if (isnan(rel_m)) {
            sb_add(&procs,
                   "; elimination.hepatic.%zu (%s): no intestinal expression in "
                   "data/physiology/gi_tract.csv, not metabolised in the gut wall",
                   dc->pix[i], p.protein);
            continue;
        }
        double rel_l = NAN;
        for (size_t e = 0; e < t->n_enz; e++)
            if (ieq(t->enz[e].name, p.protein))
                rel_l = t->enz[e].rel_liver;
        if (!(rel_l > 0)) {
            sb_free(&procs);
            sb_add(dp,
                   "absorption: elimination.hepatic.%zu (%s) is expressed in the intestine but has "
                   "no liver relative expression in data/enzymes to scale its clearance by",
                   dc->pix[i], p.protein);
            return MT_ENOTFOUND;
        }
        double cl = dc->pclint_h[i] * rel_m * v_ent / (rel_l * v_liv);
        cl_gut += cl;
        dc->gclint[i] = cl;
        sb_add(&procs,
               "; elimination.hepatic.%zu (%s): hepatic CLint_u %g L/h (healthy liver) x enzyme "
               "amount gut/liver (%g x %g L) / (%g x %g L) = %g L/h",
               dc->pix[i], p.protein, dc->pclint_h[i], rel_m, v_ent, rel_l, v_liv, cl);
    }
    r->fg = q_gut / (q_gut + cl_gut);
    dc->gi = 1;
    dc->fg = r->fg;
    dc->qgut = q_gut;
    dc->gsum = cl_gut;
    sb_add(&r->how_fg,
           "Qgut model (Yang et al. 2007): Fg = Qgut / (Qgut + fu_gut CLint_u,gut), fu_gut = 1; "
           "Qgut = Qvilli CLperm / (Qvilli + CLperm) = %g L/h; Qvilli = mucosal share %g x "
           "small-intestinal blood flow %g L/h (twin's gut flow x McNally small-intestine "
           "fraction %g/%g); CLperm = P x sum E A_geo = %g dm/h x %g dm2 = %g L/h; "
           "mucosa volume %g L = small-intestine wall %g L (twin's gut volume x McNally mass "
           "share %g/%g; / (1 - PK-Sim's fraction vascular of the small intestine) in the "
           "mucosa volume) x %g (PK-Sim wall and mucosa fractions; the gut-wall enzyme amounts "
           "refer to the whole mucosa, blood included, as PK-Sim's do); CLint_u,gut = %g L/h%s",
           q_gut, g->muc_flow, q_si, f_si, f_st + f_si + f_li, p_dm_h, a_eff, cl_perm, v_ent, v_si,
           m_si, m_st + m_si + m_li, share, cl_gut, sb_str(&procs));
    if (mt_twin_mucosa_represented(c)) {
        /* PK-Sim's mucosa (docs/absorption.md, "PK-Sim's mucosa") instead of the Qgut steady state
         */
        double p_m, k_cell, share_ic = 0.0;
        sbuf mh = {0};
        if (cells_mucosa(pe, c, fu, bp, kp_gut, &p_m, &k_cell, &mh, dp) < 0) {
            sb_free(&mh);
            sb_free(&procs);
            return MT_EUNSUPPORTED;
        }
        for (int k = 0; k < GI_NSEG; k++)
            share_ic += g->v[k][P_WALL] * g->v[k][P_MUC] * (1.0 - g->v[k][P_INT] - g->v[k][P_VASC]);
        double v_ic = pksim_volume(pe, XO_SMALL_INTESTINE, v_si, NULL) * share_ic;
        const double fu_b = fu / bp;
        r->mucosa = 1;
        r->psm = fu_b * p_m * 60.0 * sa_m;
        r->vm = v_ic * k_cell;
        r->clg = fu_b * cl_gut;
        r->fg = r->psm / (r->psm + r->clg);
        dc->mucosa = 1;
        dc->fg = r->fg;
        sb_add(&r->how_psm,
               "fu_b %.4g x basolateral permeability x SA x 60, SA = sum over the small intestine "
               "of the effective surface area / microvilli factor = %.4g dm2 (PK-Sim: Aeff / "
               "MicrovilliFactor; data/physiology/gi_tract.csv); %s",
               fu_b, sa_m, sb_str(&mh));
        sb_add(&r->how_vm,
               "enterocyte volume %.4g L (the mucosa's intracellular space: the small-intestine "
               "wall %.4g L / (1 - f_vas) x sum of PK-Sim's wall, mucosa and intracellular "
               "fractions %.4g) x enterocyte:blood partition %.4g",
               v_ic, v_si, share_ic, k_cell);
        sb_add(&r->how_clg,
               "fu_b %.4g x CLint_u,gut %.4g L/h (the card's hepatic kinetics scaled to the "
               "mucosa's enzyme amounts, as for the Qgut model below), acting on the enterocytes' "
               "unbound concentration%s",
               fu_b, cl_gut, sb_str(&procs));
        sb_free(&mh);
        sbuf f = {0};
        sb_add(&f,
               "PK-Sim's mucosa (docs/absorption.md): the enterocytes' escape fraction at steady "
               "state PSm / (PSm + CLg) = %.4g / (%.4g + %.4g) L/h, the back flux from the gut "
               "tissue left out (the model integrates the enterocytes; Fg is not a parameter); "
               "the Qgut model it replaces would give Fg %.4g: %s",
               r->psm, r->psm, r->clg, q_gut / (q_gut + cl_gut), sb_str(&r->how_fg));
        sb_free(&r->how_fg);
        r->how_fg = f;
        if (mt_twin_efflux_represented(c) &&
            gut_efflux(pe, c, g, pksim_volume(pe, XO_SMALL_INTESTINE, v_si, NULL), share, r, dp)) {
            sb_free(&procs);
            return MT_ENOTFOUND;
        }
    }
    sb_free(&procs);
    if (r->how_kge.oom || r->how_kt.oom || r->how_ka.oom || r->how_fg.oom || r->how_psm.oom ||
        r->how_vm.oom || r->how_clg.oom) {
        sb_add(dp, "absorption: out of memory");
        return MT_ENOMEM;
    }
    return MT_OK;
}

void gi_put(job *j, const char *id, gi_result *r)
{
    char pid[160], key[160];
    snprintf(pid, sizeof pid, "kge_%s", id);
    put_param(j, pid, r->kge, "1/h", sb_str(&r->how_kge));
    for (int k = 0; k < GI_NALL; k++) {
        snprintf(pid, sizeof pid, "kt_%s_%s", seg_id[k], id);
        put_param(j, pid, r->kt[k], "1/h", sb_str(&r->how_kt));
        snprintf(pid, sizeof pid, "ka_%s_%s", seg_id[k], id);
        put_param(j, pid, r->ka[k], "1/h", sb_str(&r->how_ka));
    }
    if (r->mucosa) {
        snprintf(pid, sizeof pid, "PSm_%s", id);
        put_param(j, pid, r->psm, "L/h", sb_str(&r->how_psm));
        snprintf(pid, sizeof pid, "VM_%s", id);
        put_param(j, pid, r->vm, "L", sb_str(&r->how_vm));
        snprintf(pid, sizeof pid, "CLg_%s", id);
        put_param(j, pid, r->clg, "L/h", sb_str(&r->how_clg));
        if (r->efflux) {
            snprintf(pid, sizeof pid, "Vgef_%s", id);
            put_param(j, pid, r->vgef, "mg/h", sb_str(&r->how_vgef));
            for (int k = 0; k < GI_NSEG; k++) {
                snprintf(pid, sizeof pid, "wef_%s_%s", seg_id[k], id);
                put_param(j, pid, r->wef[k], "1", sb_str(&r->how_wef));
            }
        }
    } else {
        snprintf(pid, sizeof pid, "Fg_%s", id);
        put_param(j, pid, r->fg, "1", sb_str(&r->how_fg));
    }
    snprintf(key, sizeof key, "drug.%s.fa_transit", id);
    put_fact(j, key, r->fa_est, "", "",
             "fraction of an oral solution absorbed in the transit model (small and large "
             "intestine): 1 - product over the segments of kt / (kt + ka) (docs/absorption.md)");
    snprintf(key, sizeof key, "drug.%s.Fg", id);
    put_fact(j, key, r->fg, "", "", sb_str(&r->how_fg));
    gi_result_free(r);
}
