/* SPDX-License-Identifier: Apache-2.0
 *
 * twin/cells.c — permeability-limited cells (docs/twin-parameters.md, "Cell permeability"):
 * PK-Sim's passive exchange between an organ's interstitial and intracellular spaces, for the
 * builder's cell_permeability option (medtwin/pbpk.h).
 *
 * PK-Sim (export id 52111796471, data/physiology/pksim_cell_exchange.csv): the flux from the
 * interstitial space into the cells is P x SA x fu x (C_int / K_int,pls - C_cell / K_cell,pls),
 * the concentrations total ones of each space and K_x,pls their partition coefficients to plasma;
 * P the drug's cellular permeability ("PK-Sim Standard": 2e-6 dm/min x 10^lipophilicity x
 * (336 / MW_eff)^6, MW_eff the molecular weight less 17, 22, 62, 98 g/mol per F, Cl, Br, I atom,
 * unless the source model set it), SA = ((V a)^0.75) b per organ, V PK-Sim's organ volume (blood
 * included), and K_int,pls = (0.935 + 0.37 (1/fu - 0.926)) fu. The plasma-interstitial step is
 * not limiting there (permeability 10 dm/min), so the interstitial space follows the organ's
 * blood as the builder's well-stirred organ does.
 *
 * The builder keeps each organ's total Kp (the card's partition method, tissue:blood) and splits
 * it: the extracellular share fe = K_int,pls V_int / (Kp_tp V_tissue) with V_int = f_int V (the
 * rest sits in the cells), and PSc = fu_b P SA (L/h) in blood terms: the flux above is
 * P SA fu_p (C_out - C_cells) / B:P with C_out and C_cells the blood-equivalent concentrations.
 */
#include "twin_internal.h"

#include "medtwin/physiology.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define CELLS_FILE "physiology/pksim_cell_exchange.csv"

/* The highest extracellular share: where PK-Sim's interstitial space alone would hold more than
 * the partition method's whole organ, the cells keep 1% of it (docs/twin-parameters.md). */
#define FE_MAX 0.99

enum {
    G_PREF,
    G_MWREF,
    G_F,
    G_CL,
    G_BR,
    G_I,
    G_WINT,
    G_PROT,
    G_WPLS,
    G_SAV,
    G_BBB,
    G_PINT,
    G_PINTX,
    G_COUNT
};
static const char *const global_name[G_COUNT] = {"permeability_reference",
                                                 "permeability_reference_mw",
                                                 "halogen_mw_F",
                                                 "halogen_mw_Cl",
                                                 "halogen_mw_Br",
                                                 "halogen_mw_I",
                                                 "water_interstitial",
                                                 "protein_ratio_interstitial_plasma",
                                                 "water_plasma",
                                                 "surface_vascular_factor",
                                                 "brain_barrier_permeability_factor",
                                                 "intestinal_permeability_reference",
                                                 "intestinal_permeability_mw_exponent"};
static const char *const global_unit[G_COUNT] = {"dm/min", "g/mol",  "g/mol", "g/mol", "g/mol",
                                                 "g/mol",  "1",      "1",     "1",     "dm2/L",
                                                 "1",      "dm/min", "1"};

struct cells_table {
    double fint[FV_COUNT], sa_a[FV_COUNT], sa_b[FV_COUNT]; /* NaN: no row */
    double g[G_COUNT];
    mt_csv *csv;
};

void cells_free(cells_table *t)
{
    if (!t)
        return;
    mt_csv_destroy(t->csv);
    mt_free(NULL, t);
}

/* The organs PK-Sim gives a surface for, each needed (the builder's rest organ takes muscle's). */
static const int need_organ[] = {XO_LUNG,  FV_ADIPOSE, XO_BONE,  XO_BRAIN,  XO_SMALL_INTESTINE,
                                 XO_HEART, XO_KIDNEY,  FV_LIVER, XO_MUSCLE, XO_SKIN,
                                 XO_SPLEEN};

mt_status cells_load(mt_ctx *ctx, const char *data_dir, cells_table **out)
{
    char path[4096];
    *out = NULL;
    int n = snprintf(path, sizeof path, "%s/%s", data_dir, CELLS_FILE);
    if (n < 0 || (size_t)n >= sizeof path)
        return mt_error(ctx, MT_EINVAL, "cell-exchange table: data path too long");
    cells_table *t = mt_calloc(NULL, 1, sizeof *t);
    if (!t)
        return mt_error(ctx, MT_ENOMEM, "out of memory loading %s", path);
    for (int o = 0; o < FV_COUNT; o++)
        t->fint[o] = t->sa_a[o] = t->sa_b[o] = NAN;
    for (int k = 0; k < G_COUNT; k++)
        t->g[k] = NAN;
    mt_status st = mt_csv_read(ctx, path, 1 << 20, &t->csv);
    const mt_csv *c = t->csv;
    int cq = -1, co = -1, cv = -1, cu = -1, cs = -1;
    if (st == MT_OK) {
        cq = mt_csv_col(c, "quantity"), co = mt_csv_col(c, "organ"), cv = mt_csv_col(c, "value"),
        cu = mt_csv_col(c, "unit"), cs = mt_csv_col(c, "source");
        if (cq < 0 || co < 0 || cv < 0 || cu < 0 || cs < 0)
            st = mt_error(ctx, MT_EPARSE,
                          "%s: needs the columns quantity, organ, value, unit, source", path);
    }
    for (size_t r = 0; st == MT_OK && r < mt_csv_n_rows(c); r++) {
        size_t line = r + 2;
        const char *q = mt_csv_cell(c, r, (size_t)cq), *org = mt_csv_cell(c, r, (size_t)co),
                   *unit = mt_csv_cell(c, r, (size_t)cu);
        double v;
        if (!*mt_csv_cell(c, r, (size_t)cs)) {
            st = mt_error(ctx, MT_EPARSE, "%s:%zu: %s has no source", path, line, q);
            break;
        }
        if (parse_num(mt_csv_cell(c, r, (size_t)cv), &v) || !(v > 0) || !isfinite(v)) {
            st = mt_error(ctx, MT_EPARSE, "%s:%zu: %s: value must be a positive number", path, line,
                          q);
            break;
        }
        double *slot = NULL;
        const char *want = NULL;
        if (!*org) {
            for (int k = 0; k < G_COUNT && !slot; k++)
                if (!strcmp(q, global_name[k]))
                    slot = &t->g[k], want = global_unit[k];
        } else {
            int o = fv_organ(org);
            if (o < 0) {
                st = mt_error(ctx, MT_EPARSE, "%s:%zu: unknown organ '%s'", path, line, org);
                break;
            }
            if (!strcmp(q, "fraction_interstitial") && v < 1)
                slot = &t->fint[o], want = "1";
            else if (!strcmp(q, "surface_volume_factor"))
                slot = &t->sa_a[o], want = "1/L";
            else if (!strcmp(q, "surface_reference"))
                slot = &t->sa_b[o], want = "dm2";
        }
        if (!slot) {
            st = mt_error(ctx, MT_EPARSE,
                          "%s:%zu: '%s'%s%s is not a quantity of this table (or out of range)",
                          path, line, q, *org ? " of " : "", org);
            break;
        }
        if (strcmp(unit, want)) {
            st = mt_error(ctx, MT_EPARSE, "%s:%zu: %s: unit '%s', expected '%s'", path, line, q,
                          unit, want);
            break;
        }
        if (!isnan(*slot)) {
            st = mt_error(ctx, MT_EPARSE, "%s:%zu: %s%s%s given twice", path, line, q,
                          *org ? " of " : "", org);
            break;
        }
        *slot = v;
    }
    for (int k = 0; st == MT_OK && k < G_COUNT; k++)
        if (isnan(t->g[k]))
            st = mt_error(ctx, MT_EPARSE, "%s: no %s", path, global_name[k]);
    for (size_t k = 0; st == MT_OK && k < sizeof need_organ / sizeof need_organ[0]; k++) {
        int o = need_organ[k];
        if (isnan(t->fint[o]) || isnan(t->sa_a[o]) || isnan(t->sa_b[o]))
            st = mt_error(ctx, MT_EPARSE,
                          "%s: the %s needs fraction_interstitial, surface_volume_factor and "
                          "surface_reference",
                          path, fv_organ_name(o));
    }
    if (st != MT_OK) {
        cells_free(t);
        return st;
    }
    *out = t;
    return MT_OK;
}

/* The builder organs (medtwin/pbpk.h order, = the partition organs) and their PK-Sim organ. */
static const struct {
    const char *builder;
    int physio, fv;
} organs[MT_KP_N_ORGANS] = {
    {"lung", MT_ORGAN_LUNG, XO_LUNG},          {"adi", MT_ORGAN_ADIPOSE, FV_ADIPOSE},
    {"bone", MT_ORGAN_BONE, XO_BONE},          {"brain", MT_ORGAN_BRAIN, XO_BRAIN},
    {"gut", MT_ORGAN_GUT, XO_SMALL_INTESTINE}, {"heart", MT_ORGAN_HEART, XO_HEART},
    {"kid", MT_ORGAN_KIDNEY, XO_KIDNEY},       {"liv", MT_ORGAN_LIVER, FV_LIVER},
    {"mus", MT_ORGAN_MUSCLE, XO_MUSCLE},       {"skin", MT_ORGAN_SKIN, XO_SKIN},
    {"spl", MT_ORGAN_SPLEEN, XO_SPLEEN},       {"rest", MT_ORGAN_REST, XO_MUSCLE},
};

int mt_twin_cells_represented(const mt_drugcard *c)
{
    const char *m = c ? mt_drugcard_cell_permeability(c) : NULL;
    const char *lm = c ? mt_drugcard_logp_measure(c) : NULL;
    return m && !strcmp(m, "pksim_standard") && lm && !strcmp(lm, "pksim_lipophilicity") &&
           mt_drugcard_mw(c) > 0 && !isnan(mt_drugcard_logp(c));
}

int mt_twin_mucosa_represented(const mt_drugcard *c)
{
    const char *am = c ? mt_drugcard_absorption_model(c) : NULL;
    const char *gw = c ? mt_drugcard_gut_wall(c) : NULL;
    return am && !strcmp(am, "pksim_permeability") && gw && !strcmp(gw, "mucosa") &&
           mt_twin_cells_represented(c);
}

/* Puts the parameter fmt % id with value v and the provenance in *how, then empties *how. */
static void put_id(job *j, const char *fmt, const char *id, double v, const char *unit, sbuf *how)
{
    char pid[160];
    snprintf(pid, sizeof pid, fmt, id);
    put_param(j, pid, v, unit, sb_str(how));
    sb_clear(how);
}

/* The card's transport entry the twin represents as a liver uptake: the first OATP1B1
 * Michaelis-Menten process with kcat and Km (the source models configure OATP1B1 as an influx
 * transporter of the liver, e.g. the Rifampicin model's report, Section 2.3.3); -1 if none. */
static long transport_entry(const mt_drugcard *c, const char *protein, mt_drugcard_process *out)
{
    for (size_t k = 0; c && protein && k < mt_drugcard_n_transport(c); k++) {
        mt_drugcard_process p;
        if (mt_drugcard_transport(c, k, &p) == MT_OK && p.protein && !strcmp(p.protein, protein) &&
            p.process && !strcmp(p.process, "michaelis_menten") && p.kcat_per_h > 0 &&
            p.km_umol_l > 0) {
            if (out)
                *out = p;
            return (long)k;
        }
    }
    return -1;
}

static long uptake_entry(const mt_drugcard *c, mt_drugcard_process *out)
{
    return transport_entry(c, "OATP1B1", out);
}

/* Puts fmt % id = km (mg/L), a transporter's Km of km_umol_l (umol/L of the unbound
 * concentration in `space`) in the builder's blood terms, Km / fu_b x MW / 1000: `conc` at half
 * the maximal rate. */
static void put_transport_km(job *j, const char *fmt, const char *id, double km, double km_umol_l,
                             double fu_b, double mw, const char *space, const char *conc)
{
    sbuf how = {0};
    sb_add(&how,
           "Km %g umol/L of the unbound %s concentration / fu_b %.4g x MW %g / 1000: %s at "
           "half the maximal rate",
           km_umol_l, space, fu_b, mw, conc);
    put_id(j, fmt, id, km, "mg/L", &how);
    sb_free(&how);
}

int mt_twin_liver_uptake_represented(const mt_drugcard *c)
{
    return mt_twin_cells_represented(c) && uptake_entry(c, NULL) >= 0;
}

int mt_twin_transport_represented(const mt_drugcard *c, size_t k)
{
    return mt_twin_liver_uptake_represented(c) && uptake_entry(c, NULL) == (long)k;
}

/* Vup_<id>, Kmup_<id> and the fact drug.<id>.liver_uptake (pbpk.h liver_uptake): 1, 0 when the
 * card has no such process, -1 with the problem in dp. */
static int uptake_derive(job *j, const person *pe, const mt_drugcard *c, const char *id,
                         double fu_b, sbuf *dp)
{
    mt_drugcard_process p;
    long k = uptake_entry(c, &p);
    if (k < 0)
        return 0;
    const enzyme_row *e = enzyme_row_named(pe->t, p.protein);
    if (!e || !(e->ref_conc > 0) || !(e->rel_liver >= 0)) {
        sb_add(dp,
               "elimination.transport.%ld (%s): no reference concentration and liver relative "
               "expression in data/enzymes/enzyme_abundance.csv, so its amount in the liver "
               "cannot be counted",
               k, p.protein);
        return -1;
    }
    const double mw = mt_drugcard_mw(c), v0 = pe->ph->organ[MT_ORGAN_LIVER].volume_l;
    double fvas = 0.0, v = pksim_volume(pe, FV_LIVER, v0, &fvas);
    const double tm = e->ref_conc * e->rel_liver * v; /* umol */
    const double vup = p.kcat_per_h * tm * mw / 1000.0, kmup = p.km_umol_l / fu_b * mw / 1000.0;
    if (!isfinite(vup) || !isfinite(kmup) || !(kmup > 0)) {
        sb_add(dp, "elimination.transport.%ld (%s): the uptake's Vmax or Km is not finite", k,
               p.protein);
        return -1;
    }
    char key[160];
    sbuf how = {0};
    sb_add(&how,
           "%s uptake into the liver cells: kcat %g/h x RC %g umol/L x liver relative expression "
           "%g x PK-Sim's liver volume %.4g L (the twin's %.4g L / (1 - f_vas %g)) x MW %g / "
           "1000 (card elimination.transport.%ld, data/enzymes)",
           p.protein, p.kcat_per_h, e->ref_conc, e->rel_liver, v, v0, fvas, mw, k);
    put_id(j, "Vup_%s", id, vup, "mg/h", &how);
    put_transport_km(j, "Kmup_%s", id, kmup, p.km_umol_l, fu_b, mw, "interstitial",
                     "the outflow blood concentration");
    sb_add(&how,
           "%s influx into the liver cells (PK-Sim's active transport, kcat TM C_u / (Km + C_u)); "
           "at low concentration an unbound uptake clearance of %.4g L/h (%.4g L/h in blood "
           "terms); docs/twin-parameters.md, Liver uptake",
           p.protein, vup / kmup / fu_b, vup / kmup);
    snprintf(key, sizeof key, "drug.%s.liver_uptake", id);
    put_fact(j, key, vup / kmup, "L/h", "represented", sb_str(&how));
    sb_free(&how);
    return 1;
}

/* The card's transport entry of the efflux the card asks for (elimination.efflux: a
 * Michaelis-Menten process with kcat and Km); -1 if none. */
static long efflux_entry(const mt_drugcard *c, mt_drugcard_process *out)
{
    return transport_entry(c, c ? mt_drugcard_efflux(c) : NULL, out);
}

int mt_twin_efflux_represented(const mt_drugcard *c)
{
    return mt_twin_cells_represented(c) && efflux_entry(c, NULL) >= 0;
}

double efflux_vmax(const mt_drugcard *c, double ref_conc, double rel, double v, sbuf *how)
{
    mt_drugcard_process p;
    long k = efflux_entry(c, &p);
    if (k < 0)
        return NAN;
    const double mw = mt_drugcard_mw(c);
    sb_add(how,
           "%s efflux: kcat %g/h x RC %g umol/L x relative expression %g x PK-Sim's volume %.4g "
           "L x MW %g / 1000 (card elimination.transport.%ld, data/enzymes; docs/interactions.md, "
           "P-gp)",
           p.protein, p.kcat_per_h, ref_conc, rel, v, mw, k);
    return p.kcat_per_h * ref_conc * rel * v * mw / 1000.0;
}

/* Vbil_<id>, Vkef_<id>, Kmef_<id> and the fact drug.<id>.efflux (pbpk.h efflux): 1, 0 when the
 * card asks for none, -1 with the problem in dp. */
static int efflux_derive(job *j, const person *pe, const mt_drugcard *c, const char *id,
                         double fu_b, sbuf *dp)
{
    mt_drugcard_process p;
    long k = efflux_entry(c, &p);
    if (k < 0) {
        if (mt_drugcard_efflux(c))
            sb_add(dp,
                   "elimination.efflux: no %s transport entry with process michaelis_menten and "
                   "finite positive kcat and km",
                   mt_drugcard_efflux(c));
        return mt_drugcard_efflux(c) ? -1 : 0;
    }
    const enzyme_row *e = enzyme_row_named(pe->t, p.protein);
    if (!e || !(e->ref_conc > 0) || !(e->rel_liver >= 0) || !(e->rel_org[XO_KIDNEY] >= 0)) {
        sb_add(dp,
               "elimination.transport.%ld (%s): no reference concentration and liver and kidney "
               "relative expressions in data/enzymes/enzyme_abundance.csv, so its amounts in the "
               "liver and the kidney cannot be counted",
               k, p.protein);
        return -1;
    }
    const double mw = mt_drugcard_mw(c);
    double v_liv = pksim_volume(pe, FV_LIVER, pe->ph->organ[MT_ORGAN_LIVER].volume_l, NULL);
    double v_kid = pksim_volume(pe, XO_KIDNEY, pe->ph->organ[MT_ORGAN_KIDNEY].volume_l, NULL);
    const double km = p.km_umol_l / fu_b * mw / 1000.0;
    sbuf how = {0};
    const double vb = efflux_vmax(c, e->ref_conc, e->rel_liver, v_liv, &how);
    sb_add(&how, "; out of the liver cells into the bile");
    put_id(j, "Vbil_%s", id, vb, "mg/h", &how);
    const double vk = efflux_vmax(c, e->ref_conc, e->rel_org[XO_KIDNEY], v_kid, &how);
    sb_add(&how, "; out of the kidney cells into the urine");
    put_id(j, "Vkef_%s", id, vk, "mg/h", &how);
    if (!isfinite(vb) || !isfinite(vk) || !isfinite(km) || !(km > 0)) {
        sb_free(&how);
        sb_add(dp, "elimination.transport.%ld (%s): the efflux's Vmax or Km is not finite", k,
               p.protein);
        return -1;
    }
    put_transport_km(j, "Kmef_%s", id, km, p.km_umol_l, fu_b, mw, "intracellular",
                     "the cells' blood-equivalent concentration");
    sb_add(&how,
           "%s efflux (PK-Sim's active transport, kcat TM C_u / (Km + C_u)) out of the liver "
           "cells into the bile (to the duodenum when the drug has the transit model: PK-Sim's "
           "EHC continuous fraction 1) and out of the kidney cells into the urine; at low "
           "concentration unbound clearances of %.4g L/h (bile) and %.4g L/h (urine) from the "
           "cells; docs/interactions.md, P-gp",
           p.protein, vb / km / fu_b, vk / km / fu_b);
    char key[160];
    snprintf(key, sizeof key, "drug.%s.efflux", id);
    put_fact(j, key, (vb + vk) / km / fu_b, "L/h", "represented", sb_str(&how));
    sb_free(&how);
    return 1;
}

/* The cell permeability P (dm/min) of a card with cells represented, its provenance in *how, and
 * PK-Sim's effective molecular weight in *mw_eff; -1 with the problem in dp. */
static int cell_p(const cells_table *t, const mt_drugcard *c, double *p_out, double *mw_eff_out,
                  sbuf *how, sbuf *dp)
{
    static const char *const hal[4] = {"fluorine", "chlorine", "bromine", "iodine"};
    double mw = mt_drugcard_mw(c), mw_eff = mw, atoms[4];
    for (int k = 0; k < 4; k++) {
        char path[64];
        snprintf(path, sizeof path, "physchem.halogens.%s", hal[k]);
        if (mt_drugcard_value(c, path, &atoms[k], NULL) != MT_OK) {
            sb_add(dp, "partition.cell_permeability: needs %s (docs/drug-cards.md)", path);
            return -1;
        }
        mw_eff -= atoms[k] * t->g[G_F + k];
    }
    double logma = mt_drugcard_logp(c), p_card = NAN, p; /* dm/min */
    if (mt_drugcard_value(c, "partition.permeability", &p_card, NULL) != MT_OK)
        p_card = NAN; /* canonical cm/min */
    if (!(mw_eff > 0)) {
        sb_add(dp,
               "partition.cell_permeability: effective molecular weight %g g/mol is not "
               "positive (physchem.mw less the halogens)",
               mw_eff);
        return -1;
    }
    *mw_eff_out = mw_eff;
    if (!isnan(p_card)) {
        p = p_card / 10.0;
        sb_add(how,
               "P %.4g dm/min: the card's partition.permeability (set by its source model "
               "instead of PK-Sim Standard's %.4g)",
               p, t->g[G_PREF] * pow(10.0, logma) * pow(t->g[G_MWREF] / mw_eff, 6.0));
    } else {
        p = t->g[G_PREF] * pow(10.0, logma) * pow(t->g[G_MWREF] / mw_eff, 6.0);
        sb_add(how,
               "P %.4g dm/min = %g dm/min x 10^lipophilicity %g x (%g / MW_eff %g)^6, MW_eff = "
               "MW %g - %g F - %g Cl - %g Br - %g I (PK-Sim Standard, "
               "data/physiology/pksim_cell_exchange.csv)",
               p, t->g[G_PREF], logma, t->g[G_MWREF], mw_eff, mw, atoms[0], atoms[1], atoms[2],
               atoms[3]);
    }
    *p_out = p;
    return 0;
}

/* PK-Sim's interstitial partition coefficient K_int,pls of a drug with plasma fu. */
static double k_int(const cells_table *t, double fu)
{
    return (t->g[G_WINT] + t->g[G_PROT] * (1.0 / fu - t->g[G_WPLS])) * fu;
}

int cells_mucosa(const person *pe, const mt_drugcard *c, double fu, double bp, double kp_gut,
                 double *p_m, double *k_cell, sbuf *how, sbuf *dp)
{
    const cells_table *t = pe->t->cells;
    double p, mw_eff, pm_card = NAN, p_int = NAN;
    sbuf ph = {0};
    if (cell_p(t, c, &p, &mw_eff, &ph, dp) < 0) {
        sb_free(&ph);
        return -1;
    }
    if (mt_drugcard_value(c, "absorption.mucosa_permeability", &pm_card, NULL) == MT_OK) {
        *p_m = pm_card / 10.0; /* canonical cm/min */
        sb_add(how,
               "basolateral permeability %.4g dm/min: the card's absorption.mucosa_permeability "
               "(set by its source model)",
               *p_m);
    } else if (mt_drugcard_value(c, "absorption.intestinal_permeability", &p_int, NULL) == MT_OK &&
               p_int > 0) {
        /* PK-Sim: P (interstitial<->intracellular) of the mucosa = P x the mucosa permeability
         * scale factor, the card's intestinal permeability over PK-Sim's calculated one */
        double p_def = t->g[G_PINT] * pow(mw_eff, -t->g[G_PINTX]) * pow(10.0, mt_drugcard_logp(c));
        double scale = (p_int / 10.0) / p_def;
        *p_m = p * scale;
        sb_add(how,
               "basolateral permeability %.4g dm/min = P x mucosa permeability scale factor "
               "%.4g; the factor is the card's intestinal permeability %.4g dm/min over PK-Sim's "
               "calculated %.4g dm/min = %g x MW_eff %g^-%g x 10^lipophilicity %g "
               "(data/physiology/pksim_cell_exchange.csv); %s",
               *p_m, scale, p_int / 10.0, p_def, t->g[G_PINT], mw_eff, t->g[G_PINTX],
               mt_drugcard_logp(c), sb_str(&ph));
    } else {
        sb_add(dp, "absorption: the mucosa needs absorption.intestinal_permeability");
        sb_free(&ph);
        return -1;
    }
    sb_free(&ph);
    /* the gut's intracellular partition, per intracellular volume, in blood terms */
    double fvas = 0.0;
    (void)pksim_volume(pe, XO_SMALL_INTESTINE, pe->ph->organ[MT_ORGAN_GUT].volume_l, &fvas);
    double fint = t->fint[XO_SMALL_INTESTINE];
    double fe = k_int(t, fu) * fint / ((1.0 - fvas) * kp_gut);
    if (!(fe < FE_MAX))
        fe = FE_MAX;
    *k_cell = kp_gut / bp * (1.0 - fe) * (1.0 - fvas) / (1.0 - fint - fvas);
    sb_add(how,
           "; enterocyte:blood partition %.4g = the gut's intracellular one, Kp %.4g / B:P %g x "
           "(1 - fe %.4g) x (1 - f_vas %g) / (1 - f_int %g - f_vas %g)",
           *k_cell, kp_gut, bp, fe, fvas, fint, fvas);
    if (!(*p_m > 0) || !isfinite(*p_m) || !(*k_cell > 0) || !isfinite(*k_cell)) {
        sb_add(dp,
               "absorption: the mucosa's permeability %g dm/min or partition %g is not a finite "
               "positive number",
               *p_m, *k_cell);
        return -1;
    }
    return 0;
}

int cells_derive(job *j, const person *pe, const mt_drugcard *c, const char *id, double fu,
                 double bp, const double *kp, sbuf *dp)
{
    const char *method = mt_drugcard_cell_permeability(c);
    char key[160], pid[160];
    snprintf(key, sizeof key, "drug.%s.cell_permeability", id);
    if (!method)
        return 0;
    if (!mt_twin_cells_represented(c)) {
        put_fact(j, key, NAN, "", "not represented",
                 strcmp(method, "pksim_standard")
                     ? "the card's cellular permeability method (partition.cell_permeability) is "
                       "not implemented, only PK-Sim Standard: the organs are perfusion-limited "
                       "(docs/twin-parameters.md, Cell permeability)"
                     : "PK-Sim Standard needs the card's PK-Sim lipophilicity and molecular "
                       "weight: the organs are perfusion-limited");
        return 0;
    }
    const cells_table *t = pe->t->cells;
    double p, mw_eff;
    sbuf how = {0};
    if (cell_p(t, c, &p, &mw_eff, &how, dp) < 0) {
        sb_free(&how);
        return -1;
    }
    const double kint = k_int(t, fu);
    const double fu_b = fu / bp;
    const mt_physiology *ph = pe->ph;
    sbuf prov = {0};
    int capped = 0;
    for (int o = 0; o < MT_KP_N_ORGANS; o++) {
        double fvas = 0.0, v_t = ph->organ[organs[o].physio].volume_l;
        int fv = organs[o].fv;
        double v_pk = pksim_volume(pe, fv, v_t, &fvas);
        double fe = kint * t->fint[fv] / ((1.0 - fvas) * kp[o]);
        int cap = !(fe < FE_MAX);
        capped |= cap;
        if (cap)
            fe = FE_MAX;
        double sa = pow(v_pk * t->sa_a[fv], 0.75) * t->sa_b[fv];
        double ps = fu_b * p * sa * 60.0;
        if (!isfinite(ps) || !(fe > 0)) {
            sb_add(dp,
                   "partition.cell_permeability: the %s's exchange is not a finite positive "
                   "number (PSc %g L/h, fe %g; data/physiology/pksim_cell_exchange.csv)",
                   organs[o].builder, ps, fe);
            sb_free(&prov);
            sb_free(&how);
            return -1;
        }
        sb_clear(&prov);
        sb_add(&prov,
               "extracellular share of the organ's equilibrium amount: K_int,pls %.4g x f_int %g "
               "/ ((1 - f_vas %g) x tissue:plasma Kp %.4g)%s; K_int,pls = (%g + %g (1/fu - %g)) "
               "fu, fu %g (PK-Sim's interstitial partition coefficient)%s",
               kint, t->fint[fv], fvas, kp[o],
               cap ? " = above the highest share, set to 0.99: the interstitial space alone "
                     "would hold more than the partition method's organ"
                   : "",
               t->g[G_WINT], t->g[G_PROT], t->g[G_WPLS], fu,
               o == MT_KP_REST ? "; rest = muscle's interstitial fraction" : "");
        snprintf(pid, sizeof pid, "fe_%s_%s", organs[o].builder, id);
        put_param(j, pid, fe, "1", sb_str(&prov));
        sb_clear(&prov);
        sb_add(&prov,
               "fu_b %.4g x P x SA x 60: SA = ((V %.4g L x %g)^0.75) x %g = %.4g dm2 (V PK-Sim's "
               "organ volume, the twin's %.4g L / (1 - f_vas %g)%s); %s",
               fu_b, v_pk, t->sa_a[fv], t->sa_b[fv], sa, v_t, fvas,
               o == MT_KP_REST  ? "; rest takes muscle's surface formula"
               : o == MT_KP_GUT ? "; gut takes the small intestine's formula"
                                : "",
               sb_str(&how));
        snprintf(pid, sizeof pid, "PSc_%s_%s", organs[o].builder, id);
        put_param(j, pid, ps, "L/h", sb_str(&prov));
    }
    /* the blood-brain barrier: PK-Sim's brain plasma/interstitial permeability is 0.5 P over
     * SA = 9500 dm2/L x f_vas x V (the only limiting plasma/interstitial step) */
    {
        double fvas = 0.0, v_t = ph->organ[MT_ORGAN_BRAIN].volume_l;
        double v_pk = pksim_volume(pe, XO_BRAIN, v_t, &fvas);
        double sa = t->g[G_SAV] * fvas * v_pk, ps = fu_b * t->g[G_BBB] * p * sa * 60.0;
        if (!isfinite(ps)) {
            sb_add(dp, "partition.cell_permeability: the blood-brain barrier's PSbbb is not "
                       "finite (data/physiology/pksim_cell_exchange.csv)");
            sb_free(&prov);
            sb_free(&how);
            return -1;
        }
        sb_clear(&prov);
        sb_add(
            &prov,
            "blood-brain barrier: fu_b %.4g x %g P x SA x 60, SA = %g dm2/L x f_vas %g x V %.4g L "
            "= %.4g dm2 (PK-Sim's brain plasma/interstitial surface; data/physiology/"
            "pksim_cell_exchange.csv); %s",
            fu_b, t->g[G_BBB], t->g[G_SAV], fvas, v_pk, sa, sb_str(&how));
        put_id(j, "PSbbb_%s", id, ps, "L/h", &prov);
    }
    sb_clear(&prov);
    sb_add(&prov,
           "permeability-limited cells (PK-Sim's interstitial/intracellular exchange, "
           "docs/twin-parameters.md): %s%s",
           sb_str(&how),
           capped ? "; in some organs the extracellular share was capped at 0.99 (see fe_*)" : "");
    put_fact(j, key, p, "dm/min", "represented", sb_str(&prov));
    sb_free(&prov);
    sb_free(&how);
    return uptake_derive(j, pe, c, id, fu_b, dp) < 0 || efflux_derive(j, pe, c, id, fu_b, dp) < 0
               ? -1
               : 1;
}
