/* SPDX-License-Identifier: Apache-2.0
 *
 * twin/binding.c — specific binding (target-mediated distribution, docs/twin-parameters.md,
 * "Specific binding"): a card's specific_binding entry (target, Kd, koff) and the target's
 * PK-Sim expression (data/enzymes: reference concentration and relative expression per organ)
 * become, for each builder organ, the binding capacity Bmax_<organ>_<drug> (mg of drug that the
 * organ's binding sites hold when full) and the rate constants kon_<drug>, koff_<drug> of the
 * builder's bound states (medtwin/pbpk.h).
 *
 * PK-Sim (PKSimDB dump, 'SpecificBinding' reaction): rate = koff/Kd x Protein x C x K_water -
 * koff x Complex, Protein and Complex amounts in the container, C x K_water the unbound drug
 * concentration there. A protein localised in the interstitial space is at RC x rel_exp / f_int
 * there, so its amount in an organ is RC x rel_exp x V_organ (the same amount rule as the
 * enzymes, data/enzymes/README.md). The builder's organs are well stirred, so the unbound
 * interstitial concentration is the unbound concentration of the organ's outflow, fu_b x the
 * blood concentration: kon_<drug> = koff / Kd x fu_b in blood terms.
 */
#include "twin_internal.h"

#include "medtwin/physiology.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* The builder organs (medtwin/pbpk.h order) and the expression rows each one takes. */
typedef struct {
    const char *builder; /* builder organ id */
    int physio;          /* MT_ORGAN_* */
    int xo;              /* expr_organ index, -1: the liver's own row, -2: gut parts, -3: none */
} bind_organ;

static const bind_organ organs[] = {
    {"lung", MT_ORGAN_LUNG, XO_LUNG},    {"adi", MT_ORGAN_ADIPOSE, -3},
    {"bone", MT_ORGAN_BONE, XO_BONE},    {"brain", MT_ORGAN_BRAIN, XO_BRAIN},
    {"gut", MT_ORGAN_GUT, -2},           {"heart", MT_ORGAN_HEART, XO_HEART},
    {"kid", MT_ORGAN_KIDNEY, XO_KIDNEY}, {"liv", MT_ORGAN_LIVER, -1},
    {"mus", MT_ORGAN_MUSCLE, XO_MUSCLE}, {"skin", MT_ORGAN_SKIN, XO_SKIN},
    {"spl", MT_ORGAN_SPLEEN, XO_SPLEEN}, {"rest", MT_ORGAN_REST, -3},
};

static double rel_or_zero(double v) { return isnan(v) ? 0.0 : v; }

int binding_derive(job *j, const person *pe, const mt_drugcard *c, const char *id, double fu,
                   double bp, sbuf *dp)
{
    const size_t n = mt_drugcard_n_specific_binding(c);
    if (n == 0)
        return 0;
    const char *tg = mt_drugcard_specific_binding_target(c, 0);
    if (n > 1) {
        sb_add(dp,
               "specific_binding: %zu targets; the twin represents one target per drug (the "
               "first, %s, would leave the others out)",
               n, tg ? tg : "?");
        return -1;
    }
    double kd = NAN, koff = NAN, mw = mt_drugcard_mw(c);
    if (mt_drugcard_value(c, "specific_binding.0.kd", &kd, NULL) != MT_OK) /* umol/L */
        kd = NAN;
    if (mt_drugcard_value(c, "specific_binding.0.koff", &koff, NULL) != MT_OK) /* 1/h */
        koff = NAN;
    if (!(kd > 0) || !(koff > 0) || !(mw > 0) || !tg) {
        sb_add(dp,
               "specific_binding.0 (%s): needs kd, koff and physchem.mw to be represented (%s "
               "absent)",
               tg ? tg : "?",
               !(kd > 0)     ? "kd"
               : !(koff > 0) ? "koff"
               : !(mw > 0)   ? "physchem.mw"
                             : "target");
        return -1;
    }
    const enzyme_row *e = enzyme_row_named(pe->t, tg);
    if (!e || isnan(e->ref_conc)) {
        sb_add(dp,
               "specific_binding.0: target %s has no reference concentration in "
               "data/enzymes/enzyme_abundance.csv, so its binding sites cannot be counted",
               tg);
        return -1;
    }
    double share[3];
    if (gut_mass_shares(pe, share) != MT_OK) {
        sb_add(dp, "specific_binding: %s", mt_errmsg(pe->ctx));
        return -1;
    }
    const double mg_per_umol = mw / 1000.0, fu_b = fu / bp;
    const mt_physiology *ph = pe->ph;
    sbuf how = {0}, sites = {0};
    double total = 0.0; /* mg */
    char pid[160];
    /* the gut's parts: stomach, small and large intestine, each PK-Sim's volume of its share */
    static const int gut_part[3] = {XO_STOMACH, XO_SMALL_INTESTINE, XO_LARGE_INTESTINE};
    double v_gut[3], v_gut_sum = 0.0, rel_gut = 0.0;
    for (int i = 0; i < 3; i++) {
        v_gut[i] = pksim_volume(pe, gut_part[i], share[i] * ph->organ[MT_ORGAN_GUT].volume_l, NULL);
        v_gut_sum += v_gut[i];
        rel_gut += v_gut[i] * rel_or_zero(e->rel_org[gut_part[i]]);
    }
    rel_gut /= v_gut_sum;
    for (size_t k = 0; k < sizeof organs / sizeof organs[0]; k++) {
        const bind_organ *o = &organs[k];
        /* PK-Sim's organ volume, blood included (docs/twin-parameters.md, "Expression
         * amounts"), and the builder organ's relative expression (the gut's volume-weighted) */
        const double v0 = ph->organ[o->physio].volume_l;
        double v = v0, rel = 0.0;
        if (o->xo >= 0) {
            v = pksim_volume(pe, o->xo, v0, NULL);
            rel = rel_or_zero(e->rel_org[o->xo]);
        } else if (o->xo == -1) {
            v = pksim_volume(pe, FV_LIVER, v0, NULL);
            rel = rel_or_zero(e->rel_liver);
        } else if (o->xo == -2) {
            v = v_gut_sum;
            rel = rel_gut;
        }
        const double bmax = e->ref_conc * rel * v * mg_per_umol;
        total += bmax;
        if (rel > 0)
            sb_add(&sites, "%s%s %.4g mg", sites.len ? ", " : "", o->builder, bmax);
        sb_clear(&how);
        if (o->xo == -2)
            sb_add(&how,
                   "binding capacity of %s: RC %g umol/L x relative expression %g (stomach %g, "
                   "small intestine %g, large intestine %g weighted by McNally mass shares %.3g, "
                   "%.3g, %.3g) x PK-Sim's V, blood included, %g L x MW %g g/mol / 1000 "
                   "(data/enzymes)",
                   tg, e->ref_conc, rel, rel_or_zero(e->rel_org[XO_STOMACH]),
                   rel_or_zero(e->rel_org[XO_SMALL_INTESTINE]),
                   rel_or_zero(e->rel_org[XO_LARGE_INTESTINE]), share[0], share[1], share[2], v,
                   mw);
        else if (o->xo == -3)
            sb_add(&how,
                   "no binding sites of %s: PK-Sim's profile has no relative expression for this "
                   "organ (rest: gonads and pancreas are in it and are left out, "
                   "docs/twin-parameters.md)",
                   tg);
        else
            sb_add(&how,
                   "binding capacity of %s: RC %g umol/L x relative expression %g x PK-Sim's V, "
                   "blood included, %g L x MW %g g/mol / 1000 (data/enzymes; no row: 0)",
                   tg, e->ref_conc, rel, v, mw);
        snprintf(pid, sizeof pid, "Bmax_%s_%s", o->builder, id);
        put_param(j, pid, bmax, "mg", sb_str(&how));
    }
    const double kon = koff / (kd * mg_per_umol) * fu_b;
    snprintf(pid, sizeof pid, "koff_%s", id);
    put_param(j, pid, koff, "1/h", "card specific_binding.0.koff");
    sb_clear(&how);
    sb_add(&how,
           "koff / Kd x fu_b: %g/h / (%g umol/L x %g mg/umol) x %g (the unbound interstitial "
           "concentration of a well-stirred organ is fu_b x its outflow blood concentration)",
           koff, kd, mg_per_umol, fu_b);
    snprintf(pid, sizeof pid, "kon_%s", id);
    put_param(j, pid, kon, "L/(mg h)", sb_str(&how));
    sb_clear(&how);
    sb_add(&how,
           "specific binding to %s (Kd %g nmol/L, koff %g/h): sites %s; at low concentration "
           "it adds sum Bmax / Kd x fu_p = %g L to the volume of distribution (plasma terms); "
           "docs/twin-parameters.md",
           tg, kd * 1000.0, koff, sites.len ? sb_str(&sites) : "none",
           total / (kd * mg_per_umol) * fu);
    char key[160];
    snprintf(key, sizeof key, "drug.%s.specific_binding", id);
    put_fact(j, key, total, "mg", "represented", sb_str(&how));
    sb_free(&how);
    sb_free(&sites);
    return 1;
}
