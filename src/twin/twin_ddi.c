/* SPDX-License-Identifier: Apache-2.0
 *
 * twin/twin_ddi.c — the interactions of a regimen from its cards (medtwin/twin.h,
 * docs/interactions.md): mt_twin_ddi_describe (pathways, interactions and, for metabolites of the
 * regimen, formations: the structure mt_pbpk_build_ddi builds) and the interaction parameters
 * (fm from each drug's per-enzyme CLint, the perpetrators' constants from their cards, kdeg from
 * the enzyme table) with one fact per card interaction. Shared helpers: twin_internal.h.
 */
#include "twin_internal.h"

#include "medtwin/data.h"
#include "medtwin/pgx.h"
#include "medtwin/profile.h"

#include "util/util.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- interactions ------------------------------------------------------------------------- */

/* 1 if card protein name p becomes builder enzyme name e (characters outside [A-Za-z0-9_] -> _). */
static int same_enzyme(const char *p, const char *e)
{
    size_t m = 0;
    for (; p[m] && e[m]; m++)
        if ((isalnum((unsigned char)p[m]) ? p[m] : '_') != e[m])
            return 0;
    return !p[m] && !e[m];
}

void mt_twin_ddi_destroy(mt_twin_ddi *x)
{
    if (!x)
        return;
    for (size_t i = 0; x->ids && i < x->n_drugs; i++)
        mt_free(NULL, x->ids[i]);
    for (size_t i = 0; i < x->n_names; i++)
        mt_free(NULL, x->names[i]);
    mt_free(NULL, x->ids);
    mt_free(NULL, x->names);
    mt_free(NULL, x->pw);
    mt_free(NULL, x->pw_drug);
    mt_free(NULL, x->ix);
    mt_free(NULL, x->notes);
    mt_free(NULL, x->fo);
    mt_free(NULL, x->fo_parent);
    mt_free(NULL, x->fo_met);
    mt_free(NULL, x);
}

const mt_pbpk_ddi *mt_twin_ddi_builder(const mt_twin_ddi *x) { return x ? &x->b : NULL; }

/* The builder name of a protein (characters outside [A-Za-z0-9_] become '_'), interned in x
 * (x->names has room for every protein of the regimen). NULL on ENOMEM. */
static const char *intern(mt_twin_ddi *x, const char *protein)
{
    char buf[64];
    size_t n = 0;
    for (; protein[n] && n < sizeof buf - 1; n++)
        buf[n] = isalnum((unsigned char)protein[n]) ? protein[n] : '_';
    buf[n] = '\0';
    for (size_t i = 0; i < x->n_names; i++)
        if (!strcmp(x->names[i], buf))
            return x->names[i];
    char *d = dup_str(buf);
    if (d)
        x->names[x->n_names++] = d;
    return d;
}

int is_enzyme_protein(const char *p) { return p && *p && !ieq(p, "unspecific"); }

/* The builder interaction (perpetrator, enzyme, mechanism) of x, or x->n_ix. */
static size_t ix_find(const mt_twin_ddi *x, const char *p, const char *e, mt_ddi_mechanism m)
{
    for (size_t i = 0; i < x->n_ix; i++)
        if (!strcmp(x->ix[i].perpetrator, p) && x->ix[i].enzyme == e && x->ix[i].mechanism == m)
            return i;
    return x->n_ix;
}

/* The same, added when absent (x->ix has room for two per card interaction). */
static size_t ix_put(mt_twin_ddi *x, const char *p, const char *e, mt_ddi_mechanism m)
{
    size_t i = ix_find(x, p, e, m);
    if (i == x->n_ix)
        x->ix[x->n_ix++] = (mt_pbpk_interaction){p, e, m};
    return i;
}

mt_status mt_twin_ddi_describe(mt_ctx *ctx, size_t n, const mt_drugcard *const *cards,
                               const char *const *ids, mt_twin_ddi **out)
{
    if (!out)
        return mt_error(ctx, MT_EINVAL, "mt_twin_ddi_describe: NULL out");
    *out = NULL;
    if (n && (!cards || !ids))
        return mt_error(ctx, MT_EINVAL, "mt_twin_ddi_describe: NULL cards or drug_ids");
    size_t n_proc = 0, n_int = 0;
    for (size_t d = 0; d < n; d++) {
        if (!cards[d] || !valid_builder_name(ids[d]))
            return mt_error(ctx, MT_EINVAL,
                            "mt_twin_ddi_describe: drug %zu: NULL card or bad builder name", d);
        for (size_t e = 0; e < d; e++)
            if (!strcmp(ids[e], ids[d]))
                return mt_error(ctx, MT_EINVAL, "mt_twin_ddi_describe: drug '%s' appears twice",
                                ids[d]);
        n_proc += mt_drugcard_n_hepatic(cards[d]);
        n_int += mt_drugcard_n_interactions(cards[d]);
    }
    mt_twin_ddi *x = mt_calloc(NULL, 1, sizeof *x);
    if (!x)
        return mt_error(ctx, MT_ENOMEM, "out of memory describing the interactions");
    x->ids = mt_calloc(NULL, n + 1, sizeof *x->ids);
    x->names = mt_calloc(NULL, n_proc + n_int + 1, sizeof *x->names);
    x->pw = mt_calloc(NULL, n_proc + 1, sizeof *x->pw);
    x->pw_drug = mt_calloc(NULL, n_proc + 1, sizeof *x->pw_drug);
    x->ix = mt_calloc(NULL, 2 * n_int + n_proc + 1, sizeof *x->ix);
    x->notes = mt_calloc(NULL, n_int + 1, sizeof *x->notes);
    x->fo = mt_calloc(NULL, n_proc + 1, sizeof *x->fo);
    x->fo_parent = mt_calloc(NULL, n_proc + 1, sizeof *x->fo_parent);
    x->fo_met = mt_calloc(NULL, n_proc + 1, sizeof *x->fo_met);
    mt_pbpk_pathway *cand = mt_calloc(NULL, n_proc + 1, sizeof *cand);
    size_t *cand_drug = mt_calloc(NULL, n_proc + 1, sizeof *cand_drug), n_cand = 0;
    int oom = !x->ids || !x->names || !x->pw || !x->pw_drug || !x->ix || !x->notes || !cand ||
              !cand_drug || !x->fo || !x->fo_parent || !x->fo_met;
    for (size_t d = 0; d < n && !oom; d++) {
        if (!(x->ids[d] = dup_str(ids[d])))
            oom = 1;
        x->n_drugs = d + 1;
    }
    /* every (drug, enzyme) of a hepatic enzyme process */
    for (size_t d = 0; d < n && !oom; d++)
        for (size_t i = 0; i < mt_drugcard_n_hepatic(cards[d]) && !oom; i++) {
            mt_drugcard_process p;
            if (mt_drugcard_hepatic(cards[d], i, &p) != MT_OK || !is_enzyme_protein(p.protein))
                continue;
            const char *e = intern(x, p.protein);
            if (!e) {
                oom = 1;
                break;
            }
            int seen = 0;
            for (size_t k = 0; k < n_cand; k++)
                seen |= cand_drug[k] == d && cand[k].enzyme == e;
            if (!seen) {
                cand[n_cand] = (mt_pbpk_pathway){x->ids[d], e};
                cand_drug[n_cand++] = d;
            }
        }
    /* every card interaction of every drug */
    for (size_t d = 0; d < n && !oom; d++)
        for (size_t k = 0; k < mt_drugcard_n_interactions(cards[d]) && !oom; k++) {
            mt_drugcard_interaction it;
            if (mt_drugcard_interaction_get(cards[d], k, &it) != MT_OK)
                continue;
            ix_note *no = &x->notes[x->n_notes++];
            no->drug = d;
            no->card_ix = k;
            no->enzyme = intern(x, it.target ? it.target : "?");
            if (!no->enzyme) {
                oom = 1;
                break;
            }
            /* pathways on the target: of any drug, of another drug than d */
            int any = 0, other = 0;
            for (size_t c = 0; c < n_cand; c++)
                if (cand[c].enzyme == no->enzyme) {
                    any = 1;
                    other |= cand_drug[c] != d;
                }
            no->mech = it.mechanism == MT_MECH_MECHANISM_BASED ? MT_DDI_INACTIVATION
                       : it.mechanism == MT_MECH_INDUCTION     ? MT_DDI_INDUCTION
                                                               : MT_DDI_REVERSIBLE;
            /* the liver uptake's transporter (cells.c): its amount follows an inducer or an
             * inactivator as an enzyme's does (pbpk.h, liver_uptake); reversible inhibition of a
             * transport is not modelled */
            if (no->mech != MT_DDI_REVERSIBLE && !strcmp(no->enzyme, MT_PBPK_UPTAKE_TRANSPORTER))
                for (size_t u = 0; u < n; u++)
                    if (mt_twin_liver_uptake_represented(cards[u])) {
                        any = 1;
                        other |= u != d;
                    }
            /* the efflux transporter (pbpk.h, efflux): every mechanism acts on the efflux of
             * the drugs with one (docs/interactions.md, P-gp) */
            if (!strcmp(no->enzyme, MT_PBPK_EFFLUX_TRANSPORTER))
                for (size_t u = 0; u < n; u++)
                    if (mt_twin_efflux_represented(cards[u])) {
                        any = 1;
                        other |= u != d;
                    }
            if (it.mechanism == MT_MECH_UNSPECIFIED)
                no->status = IX_UNSPECIFIED;
            else if (!any)
                no->status = IX_NO_ENZYME;
            else if (no->mech == MT_DDI_REVERSIBLE && !other)
                no->status = IX_SELF_ONLY;
            else
                no->status = IX_MODELLED;
            if (no->status != IX_MODELLED)
                continue;
            /* reversible constants of one perpetrator on one enzyme share one builder entry
             * (their I/Ki terms add); a second inactivation or induction is a duplicate */
            size_t at = ix_find(x, x->ids[d], no->enzyme, (mt_ddi_mechanism)no->mech);
            if (at < x->n_ix && no->mech != MT_DDI_REVERSIBLE) {
                no->status = IX_DUPLICATE;
                continue;
            }
            no->model = ix_put(x, x->ids[d], no->enzyme, (mt_ddi_mechanism)no->mech);
            if (no->mech == MT_DDI_INACTIVATION && other) {
                no->has_rev = 1;
                no->model_rev = ix_put(x, x->ids[d], no->enzyme, MT_DDI_REVERSIBLE);
            }
        }
    /* saturation (docs/interactions.md): a pathway with a Michaelis-Menten process (a Km) is
     * saturable in the liver; needs the drug's MW and fu for its unbound liver concentration */
    for (size_t c = 0; c < n_cand && !oom; c++) {
        const mt_drugcard *cd = cards[cand_drug[c]];
        if (isnan(mt_drugcard_mw(cd)) || isnan(mt_drugcard_fu(cd)))
            continue;
        int km = 0;
        for (size_t i = 0; i < mt_drugcard_n_hepatic(cd); i++) {
            mt_drugcard_process p;
            km |= mt_drugcard_hepatic(cd, i, &p) == MT_OK && is_enzyme_protein(p.protein) &&
                  same_enzyme(p.protein, cand[c].enzyme) && p.km_umol_l > 0 &&
                  isfinite(p.km_umol_l);
        }
        if (km)
            ix_put(x, cand[c].drug, cand[c].enzyme, MT_DDI_SATURATION);
    }
    /* the pathways an interaction changes (mt_pbpk_build_ddi: turnover, a reversible inhibitor
     * other than the drug itself, or the drug's own saturation) */
    for (size_t c = 0; c < n_cand && !oom; c++) {
        int hit = 0;
        for (size_t i = 0; i < x->n_ix; i++)
            hit |= x->ix[i].enzyme == cand[c].enzyme &&
                   mt_pbpk_interaction_changes(&x->ix[i], cand[c].drug, 0);
        if (hit) {
            x->pw_drug[x->n_pw] = cand_drug[c];
            x->pw[x->n_pw++] = cand[c];
        }
    }
    /* metabolite formation: a hepatic process of d forming another drug of the regimen
     * (docs/metabolites.md); one formation per (parent, enzyme, metabolite) */
    for (size_t d = 0; d < n && !oom; d++)
        for (size_t i = 0; i < mt_drugcard_n_hepatic(cards[d]) && !oom; i++) {
            size_t k = drug_named(n, cards, ids, process_metabolite(cards[d], i));
            mt_drugcard_process p;
            if (k == n || k == d || mt_drugcard_hepatic(cards[d], i, &p) != MT_OK)
                continue;
            const char *e = NULL;
            if (is_enzyme_protein(p.protein) && !(e = intern(x, p.protein))) {
                oom = 1;
                break;
            }
            int seen = 0;
            for (size_t f = 0; f < x->n_fo; f++)
                seen |= x->fo_parent[f] == d && x->fo_met[f] == k && x->fo[f].enzyme == e;
            if (seen)
                continue;
            x->fo_parent[x->n_fo] = d;
            x->fo_met[x->n_fo] = k;
            x->fo[x->n_fo++] = (mt_pbpk_formation){x->ids[d], e, x->ids[k]};
        }
    mt_free(NULL, cand);
    mt_free(NULL, cand_drug);
    if (oom) {
        mt_twin_ddi_destroy(x);
        return mt_error(ctx, MT_ENOMEM, "out of memory describing the interactions");
    }
    x->b = (mt_pbpk_ddi){x->n_pw, x->pw, x->n_ix, x->ix, x->n_fo, x->fo};
    *out = x;
    return MT_OK;
}

/* Appends the card's source of a value ("; fitted to ..." when fitted). */
void value_note(sbuf *s, const mt_drugcard *c, const char *path)
{
    const char *src = NULL, *fitted_to = NULL;
    int fitted = 0;
    if (mt_drugcard_value_source(c, path, &src, &fitted, &fitted_to) != MT_OK)
        return;
    sb_add(s, " (card %s@%s %s: %s%s%s)", mt_drugcard_name(c), mt_drugcard_version(c), path,
           src ? src : "", fitted ? "; FITTED to " : "", fitted && fitted_to ? fitted_to : "");
}

static const char *const unbound_liver_note =
    "I = the perpetrator's unbound liver concentration A_liv/(V_liv Kp_liv) x fu_p/B:P x "
    "1000/MW (umol/L; docs/interactions.md; with permeability-limited cells the liver cells' "
    "AC_liv/(V_liv KpI_liv))";

/* One interaction constant: put as parameter `id` or collected as a problem. */
static void ix_const(job *j, const mt_drugcard *c, size_t k, const char *member, double v,
                     const char *id, const char *unit, const char *what)
{
    char path[64];
    snprintf(path, sizeof path, "interactions.%zu.%s", k, member);
    if (isnan(v)) {
        problem(j, MT_ENOTFOUND, "drug card '%s': %s: absent (the %s of its interaction)",
                mt_drugcard_name(c), path, what);
        return;
    }
    sbuf how = {0};
    sb_add(&how, "%s %g %s", what, v, unit);
    value_note(&how, c, path);
    if (how.oom)
        j->oom = 1;
    put_param(j, id, v, unit, sb_str(&how));
    sb_free(&how);
}

/* Whether an interaction changes drug d's pathway on e in the gut wall (mt_pbpk_build_gi): its
 * own saturation only with the mucosa (mucosa nonzero), the Qgut model's gut wall being linear. */
static int gut_affected(const mt_twin_ddi *x, const char *d, const char *e, int mucosa)
{
    for (size_t i = 0; i < x->n_ix; i++)
        if (x->ix[i].enzyme == e && mt_pbpk_interaction_changes(&x->ix[i], d, mucosa ? 2 : 1))
            return 1;
    return 0;
}

/* Km_<d>_<e> of saturation entry i: the processes of d on e with their CLint_u c_k (L/h) and Km_k
 * (umol/L, none: not saturable) give 1/Km = sum_k (c_k / c) / Km_k, c = sum_k c_k, so that the
 * pathway's CLint at low concentrations and its first-order fall with the unbound concentration
 * are those of the processes (one Km: exact for one process). */
static void saturation_param(job *j, const mt_drugcard *const *cards, const drug_clint *dcs,
                             const mt_twin_ddi *x, size_t i)
{
    const mt_pbpk_interaction *v = &x->ix[i];
    size_t d = 0;
    while (d < x->n_drugs && strcmp(x->ids[d], v->perpetrator))
        d++;
    if (d == x->n_drugs)
        return;
    const drug_clint *dc = &dcs[d];
    const mt_drugcard *c = cards[d];
    double csum = 0, inv = 0;
    sbuf how = {0};
    for (size_t k = 0; k < dc->np; k++) {
        mt_drugcard_process pr;
        if (mt_drugcard_hepatic(c, dc->pix[k], &pr) != MT_OK || !is_enzyme_protein(pr.protein) ||
            !same_enzyme(pr.protein, v->enzyme) || !(dc->pclint[k] > 0))
            continue;
        csum += dc->pclint[k];
        int has_km = pr.km_umol_l > 0 && isfinite(pr.km_umol_l);
        if (has_km)
            inv += dc->pclint[k] / pr.km_umol_l;
        sb_add(&how, "%selimination.hepatic.%zu: CLint_u %g L/h, ", how.len ? "; " : "", dc->pix[k],
               dc->pclint[k]);
        if (has_km) {
            char path[64];
            snprintf(path, sizeof path, "elimination.hepatic.%zu.km", dc->pix[k]);
            sb_add(&how, "Km %g umol/L", pr.km_umol_l);
            value_note(&how, c, path);
        } else {
            sb_add(&how, "no Km (not saturable)");
        }
    }
    char id[256];
    snprintf(id, sizeof id, "Km_%s_%s", v->perpetrator, v->enzyme);
    /* no CLint through the pathway: its fm is 0, the saturation changes nothing */
    double km = inv > 0 ? csum / inv : 1e300;
    sbuf all = {0};
    sb_add(&all,
           "Michaelis-Menten saturation of %s's own pathway on %s in the liver: the activity "
           "divides by 1 + I_%s/Km with I_%s its unbound liver concentration (umol/L; "
           "docs/interactions.md); 1/Km = sum over the pathway's processes of (CLint_k / CLint) / "
           "Km_k: %s",
           v->perpetrator, v->enzyme, v->perpetrator, v->perpetrator,
           how.len ? sb_str(&how) : "no process with a CLint");
    if (how.oom || all.oom)
        j->oom = 1;
    put_param(j, id, km, "umol/L", sb_str(&all));
    sb_free(&how);
    sb_free(&all);
}

/* The interaction parameters of x (apply) and one fact per card interaction of the regimen. */
void ddi_params(job *j, const mt_twin_tables *t, mt_ctx *ctx, const mt_drugcard *const *cards,
                const drug_clint *dcs, const mt_twin_ddi *x, int apply)
{
    sbuf how = {0}, key = {0};
    char id[256];
    static const char *const mech_word[] = {"reversible inhibition", "mechanism-based inactivation",
                                            "induction"};
    for (size_t k = 0; apply && k < x->n_pw; k++) {
        const mt_pbpk_pathway *w = &x->pw[k];
        const drug_clint *dc = &dcs[x->pw_drug[k]];
        double ce = 0;
        sb_clear(&how);
        for (size_t i = 0; i < dc->n; i++) {
            char b[64];
            size_t m = 0;
            for (; dc->prot[i][m] && m < sizeof b - 1; m++)
                b[m] = isalnum((unsigned char)dc->prot[i][m]) ? dc->prot[i][m] : '_';
            b[m] = '\0';
            if (!strcmp(b, w->enzyme))
                ce += dc->clint[i];
        }
        double fm = dc->sum > 0 ? ce / dc->sum : 0.0;
        sb_add(&how,
               "fraction of %s's hepatic clearance by %s at baseline: CLint_u by %s %g L/h / "
               "all hepatic CLint_u %g L/h (drug.%s.CL_H; fm = CLint_e / sum CLint, "
               "docs/interactions.md)",
               w->drug, w->enzyme, w->enzyme, ce, dc->sum, w->drug);
        snprintf(id, sizeof id, "fm_%s_%s", w->drug, w->enzyme);
        put_param(j, id, fm, "1", sb_str(&how));
    }
    /* the gut wall (docs/interactions.md): victims with the transit model and an affected
     * pathway; the builder then adds Ig_<p> for every perpetrator */
    int any_gut = 0;
    for (size_t k = 0; apply && k < x->n_pw; k++) {
        const mt_pbpk_pathway *w = &x->pw[k];
        const drug_clint *dc = &dcs[x->pw_drug[k]];
        if (!dc->gi || !gut_affected(x, w->drug, w->enzyme, dc->mucosa))
            continue;
        any_gut = 1;
        double ce = 0;
        sb_clear(&how);
        for (size_t i = 0; i < dc->np; i++) {
            mt_drugcard_process pr;
            if (dc->gclint[i] > 0 &&
                mt_drugcard_hepatic(cards[x->pw_drug[k]], dc->pix[i], &pr) == MT_OK && pr.protein &&
                same_enzyme(pr.protein, w->enzyme))
                ce += dc->gclint[i];
        }
        double fmg = dc->gsum > 0 ? ce / dc->gsum : 0.0;
        sb_add(&how,
               "fraction of %s's gut-wall intrinsic clearance by %s at baseline: CLint_u,gut by %s "
               "%g L/h / all gut-wall CLint_u %g L/h (drug.%s.Fg; the card's hepatic kinetics "
               "scaled to the mucosa by enzyme amount, docs/absorption.md; 0 for an enzyme not "
               "expressed in the mucosa); Fg_eff = Fg / (Fg + (1 - Fg)(1 + sum fmg (act_gut - "
               "1))), docs/interactions.md",
               w->drug, w->enzyme, w->enzyme, ce, dc->gsum, w->drug);
        snprintf(id, sizeof id, "fmg_%s_%s", w->drug, w->enzyme);
        put_param(j, id, fmg, "1", sb_str(&how));
    }
    for (size_t d = 0; apply && d < x->n_drugs; d++) /* the enterocytes' efflux (pbpk.h) */
        for (size_t i = 0; dcs[d].mucosa && i < x->n_ix; i++)
            any_gut |= !strcmp(x->ix[i].enzyme, MT_PBPK_EFFLUX_TRANSPORTER) &&
                       mt_twin_efflux_represented(cards[d]) &&
                       mt_pbpk_interaction_changes(&x->ix[i], x->ids[d], 2);
    for (size_t d = 0; any_gut && d < x->n_drugs; d++) {
        int perp = 0;
        for (size_t i = 0; i < x->n_ix; i++)
            perp |=
                !strcmp(x->ix[i].perpetrator, x->ids[d]) && x->ix[i].mechanism != MT_DDI_SATURATION;
        if (!perp || !dcs[d].gi || dcs[d].mucosa) /* the mucosa: its own enterocyte state */
            continue;
        sb_clear(&how);
        sb_add(&how,
               "%s's Qgut of the Qgut model (drug.%s.Fg): the flow that carries its absorbed flux "
               "out of the enterocytes; its enterocyte concentration is Ig = Fg (J / Qgut + fu/B:P "
               "C_art) (docs/interactions.md)",
               x->ids[d], x->ids[d]);
        snprintf(id, sizeof id, "Qgut_%s", x->ids[d]);
        put_param(j, id, dcs[d].qgut, "L/h", sb_str(&how));
    }
    /* perpetrators */
    for (size_t d = 0; apply && d < x->n_drugs; d++) {
        int perp = 0;
        for (size_t i = 0; i < x->n_ix; i++)
            perp |= !strcmp(x->ix[i].perpetrator, x->ids[d]);
        if (!perp)
            continue;
        const mt_drugcard *c = cards[d];
        double mw = mt_drugcard_mw(c);
        if (isnan(mw)) {
            problem(j, MT_ENOTFOUND,
                    "drug card '%s': physchem.mw: absent (needed for the perpetrator's liver "
                    "concentration in umol/L)",
                    mt_drugcard_name(c));
        } else {
            sb_clear(&how);
            sb_add(&how, "molecular weight %g g/mol", mw);
            value_note(&how, c, "physchem.mw");
            sb_add(&how, "; converts %s's unbound liver concentration to umol/L", x->ids[d]);
            snprintf(id, sizeof id, "MW_%s", x->ids[d]);
            put_param(j, id, mw, "g/mol", sb_str(&how));
        }
        sb_clear(&how);
        sb_add(&how, "fraction unbound in plasma %g", mt_drugcard_fu(c));
        value_note(&how, c, "physchem.fu_plasma");
        sb_add(&how, "; %s", unbound_liver_note);
        snprintf(id, sizeof id, "fu_%s", x->ids[d]);
        put_param(j, id, mt_drugcard_fu(c), "1", sb_str(&how));
    }
    metab_params(j, cards, dcs, x, apply);
    /* constants */
    for (size_t i = 0; apply && i < x->n_ix; i++) {
        const mt_pbpk_interaction *v = &x->ix[i];
        const char *p = v->perpetrator, *e = v->enzyme;
        if (v->mechanism == MT_DDI_SATURATION) {
            saturation_param(j, cards, dcs, x, i);
            continue;
        }
        if (v->mechanism == MT_DDI_REVERSIBLE) {
            /* every reversible constant of p on e: 1/Ki = sum 1/Ki_k (the I/Ki terms add) */
            double inv = 0;
            int n_k = 0, bad = 0;
            sb_clear(&how);
            for (size_t k = 0; k < x->n_notes; k++) {
                const ix_note *no = &x->notes[k];
                int rev =
                    no->status == IX_MODELLED && no->mech == MT_DDI_REVERSIBLE && no->model == i;
                int mbi = no->status == IX_MODELLED && no->has_rev && no->model_rev == i;
                if (!rev && !mbi)
                    continue;
                const mt_drugcard *c = cards[no->drug];
                mt_drugcard_interaction it;
                if (mt_drugcard_interaction_get(c, no->card_ix, &it) != MT_OK)
                    continue;
                const char *member = mbi                             ? "ki_half"
                                     : it.mechanism == MT_MECH_MIXED ? "ki_c"
                                                                     : "ki";
                double ki = mbi                             ? it.ki_half_umol_l
                            : it.mechanism == MT_MECH_MIXED ? it.ki_c_umol_l
                                                            : it.ki_umol_l;
                char path[64];
                snprintf(path, sizeof path, "interactions.%zu.%s", no->card_ix, member);
                if (isnan(ki)) {
                    problem(j, MT_ENOTFOUND,
                            "drug card '%s': %s: absent (the inhibition constant of its %s "
                            "interaction on %s)",
                            mt_drugcard_name(c), path, mt_mechanism_name(it.mechanism), e);
                    bad = 1;
                    continue;
                }
                inv += 1.0 / ki;
                sb_add(&how, "%s%s Ki %g umol/L", n_k++ ? "; plus " : "",
                       mbi ? "reversible binding of the mechanism-based inactivator, Ki = K_I "
                             "(PK-Sim's default for an irreversible-inhibition process without "
                             "a Ki of its own: OSP manual part-3/"
                             "pk-sim-compounds-defining-inhibition-induction-processes.md "
                             "@12664bcb5d808f9cf23ed6faef1d38c669b0ac27; the source snapshot "
                             "stores none)"
                       : it.mechanism == MT_MECH_MIXED
                           ? "mixed inhibition: competitive constant Ki,c (at substrate "
                             "concentrations well below Km only Ki,c acts)"
                       : it.mechanism == MT_MECH_NONCOMPETITIVE
                           ? "noncompetitive inhibition (at substrate concentrations well "
                             "below Km it divides CLint by 1 + I/Ki like a competitive one)"
                           : "competitive inhibition",
                       ki);
                value_note(&how, c, path);
            }
            if (bad || !n_k)
                continue;
            if (n_k > 1)
                sb_add(&how, "; combined 1/Ki = sum of 1/Ki: Ki %g umol/L", 1.0 / inv);
            sb_add(&how, "; acts on other drugs' pathways on %s only (no autoinhibition)", e);
            snprintf(id, sizeof id, "Ki_%s_%s", p, e);
            put_param(j, id, 1.0 / inv, "umol/L", sb_str(&how));
            continue;
        }
        const ix_note *no = NULL;
        for (size_t k = 0; k < x->n_notes && !no; k++)
            if (x->notes[k].status == IX_MODELLED && x->notes[k].mech == (int)v->mechanism &&
                x->notes[k].model == i)
                no = &x->notes[k];
        mt_drugcard_interaction it;
        if (!no || mt_drugcard_interaction_get(cards[no->drug], no->card_ix, &it) != MT_OK)
            continue;
        const mt_drugcard *c = cards[no->drug];
        char id2[256];
        if (v->mechanism == MT_DDI_INACTIVATION) {
            snprintf(id, sizeof id, "kinact_%s_%s", p, e);
            ix_const(j, c, no->card_ix, "kinact", it.kinact_per_h, id, "1/h",
                     "maximal inactivation rate constant kinact");
            snprintf(id2, sizeof id2, "KI_%s_%s", p, e);
            ix_const(j, c, no->card_ix, "ki_half", it.ki_half_umol_l, id2, "umol/L",
                     "concentration of half-maximal inactivation K_I");
        } else {
            snprintf(id, sizeof id, "Emax_%s_%s", p, e);
            ix_const(j, c, no->card_ix, "emax", it.emax, id, "1",
                     "maximal induction Emax (fold increase of the synthesis rate minus 1)");
            snprintf(id2, sizeof id2, "EC50_%s_%s", p, e);
            ix_const(j, c, no->card_ix, "ec50", it.ec50_umol_l, id2, "umol/L",
                     "concentration of half-maximal induction EC50");
        }
    }
    /* enzyme turnover */
    for (size_t i = 0; apply && i < x->n_ix; i++) {
        const char *e = x->ix[i].enzyme;
        int first = 1, turnover = 0;
        for (size_t k = 0; k < x->n_ix; k++) {
            if (x->ix[k].enzyme != e)
                continue;
            if (k < i)
                first = 0;
            turnover |=
                x->ix[k].mechanism == MT_DDI_INACTIVATION || x->ix[k].mechanism == MT_DDI_INDUCTION;
        }
        if (!first || !turnover)
            continue;
        double h;
        const char *src;
        if (mt_twin_enzyme_half_life_h(t, ctx, e, &h, &src) != MT_OK) {
            problem(j, MT_ENOTFOUND, "%s (needed for its inactivation or induction)",
                    mt_errmsg(ctx));
            continue;
        }
        sb_clear(&how);
        sb_add(&how, "ln 2 / liver turnover half-life %g h of %s (data/enzymes: %s)", h, e, src);
        snprintf(id, sizeof id, "kdeg_%s", e);
        put_param(j, id, log(2.0) / h, "1/h", sb_str(&how));
        /* the gut-wall state, when a victim with the transit model has a pathway on e */
        int on_e = 0;
        for (size_t k = 0; any_gut && k < x->n_pw; k++)
            on_e |= x->pw[k].enzyme == e && dcs[x->pw_drug[k]].gi;
        for (size_t d = 0; !strcmp(e, MT_PBPK_EFFLUX_TRANSPORTER) && d < x->n_drugs; d++)
            on_e |= dcs[d].mucosa && mt_twin_efflux_represented(cards[d]);
        if (!on_e)
            continue;
        if (enzyme_gut_half_life(t, ctx, e, &h, &src) != MT_OK) {
            problem(j, MT_ENOTFOUND,
                    "%s (needed for its inactivation or induction in the gut wall)",
                    mt_errmsg(ctx));
            continue;
        }
        sb_clear(&how);
        sb_add(&how, "ln 2 / intestinal turnover half-life %g h of %s (data/enzymes: %s)", h, e,
               src);
        snprintf(id, sizeof id, "kdeg_gut_%s", e);
        put_param(j, id, log(2.0) / h, "1/h", sb_str(&how));
    }
    /* one fact per card interaction */
    for (size_t k = 0; k < x->n_notes; k++) {
        const ix_note *no = &x->notes[k];
        const mt_drugcard *c = cards[no->drug];
        mt_drugcard_interaction it;
        if (mt_drugcard_interaction_get(c, no->card_ix, &it) != MT_OK)
            continue;
        const char *target = it.target ? it.target : "?";
        sb_clear(&key);
        sb_clear(&how);
        sb_add(&key, "interaction.%s.%s.%s", x->ids[no->drug], target,
               mt_mechanism_name(it.mechanism));
        const char *text = "not modelled";
        if (no->status == IX_MODELLED && apply) {
            text = "modelled";
            int transporter = !strcmp(no->enzyme, MT_PBPK_UPTAKE_TRANSPORTER);
            int efflux = !strcmp(no->enzyme, MT_PBPK_EFFLUX_TRANSPORTER);
            sb_add(&how, "%s of %s by %s (card interactions.%zu), acting on %s",
                   mech_word[no->mech], target, x->ids[no->drug], no->card_ix,
                   transporter ? "the transporter's amount, and so on the liver uptake of the "
                                 "drugs with it (docs/twin-parameters.md, Liver uptake)"
                   : efflux    ? "the efflux into the bile, the urine and (with the mucosa) the "
                                 "lumen of the drugs with it, at the liver's, the kidney's and the "
                                 "enterocytes' concentrations (docs/interactions.md, P-gp)"
                               : "the liver CLint of ");
            int n_v = 0;
            for (size_t w = 0; w < x->n_pw; w++)
                if (x->pw[w].enzyme == no->enzyme &&
                    (no->mech != MT_DDI_REVERSIBLE || strcmp(x->pw[w].drug, x->ids[no->drug])))
                    sb_add(&how, "%s%s", n_v++ ? ", " : "", x->pw[w].drug);
            if (no->has_rev)
                sb_add(&how, "; also binds reversibly with Ki = K_I (PK-Sim's default), on the "
                             "other drugs");
            sb_add(&how, "; %s", unbound_liver_note);
            n_v = 0;
            for (size_t w = 0; w < x->n_pw; w++)
                if (x->pw[w].enzyme == no->enzyme && dcs[x->pw_drug[w]].gi &&
                    (no->mech != MT_DDI_REVERSIBLE || strcmp(x->pw[w].drug, x->ids[no->drug])))
                    sb_add(&how, "%s%s", n_v++ ? ", " : "; and on the gut-wall CLint of ",
                           x->pw[w].drug);
            if (n_v)
                sb_add(&how, " (given by mouth, transit model) with the enterocyte concentration "
                             "Ig = Fg (J/Qgut + fu/B:P C_art) x 1000/MW (Qgut model, "
                             "docs/interactions.md)");
            sb_add(&how, "; parameters of docs/interactions.md");
        } else if (no->status == IX_MODELLED || no->status == IX_DUPLICATE) {
            text = "not applied";
            if (no->status == IX_DUPLICATE)
                sb_add(&how,
                       "a second constant of the same mechanism for %s on %s: the first one of "
                       "the card is used",
                       x->ids[no->drug], target);
            else
                sb_add(&how,
                       "the model was built without interactions (mt_pbpk_build); "
                       "mt_twin_ddi_describe + mt_pbpk_build_ddi + mt_twin_params_ddi apply it "
                       "(docs/interactions.md)");
        } else if (no->status == IX_SELF_ONLY) {
            sb_add(&how,
                   "%s is the only drug of this regimen metabolised by %s, and a drug does not "
                   "reversibly inhibit its own metabolism (its Km already describes its binding; "
                   "PK-Sim allows no autoinhibition either)",
                   x->ids[no->drug], target);
        } else if (no->status == IX_UNSPECIFIED) {
            sb_add(&how,
                   "the card gives an inhibition constant without its type (docs/drug-cards.md: "
                   "never guessed); competitive, noncompetitive and mixed inhibition would "
                   "reduce the clearance, uncompetitive inhibition would not (substrate well "
                   "below Km), so no mechanism is assumed");
        } else {
            sb_add(&how,
                   "no drug of this regimen has a hepatic metabolism process on %s in its card; "
                   "the builder models interactions only at metabolising enzymes (liver, and "
                   "the gut wall of drugs given by mouth through the transit model), at "
                   "OATP1B1's liver uptake of drugs with permeability-limited cells only through "
                   "its amount (induction, inactivation), and at P-gp's efflux of drugs whose "
                   "card asks for it (elimination.efflux); other transporters, a reversible "
                   "inhibition of the uptake and renal secretion by other transporters are not "
                   "modelled",
                   target);
        }
        put_fact(j, sb_str(&key), NAN, "", text, sb_str(&how));
    }
    if (how.oom || key.oom)
        j->oom = 1;
    sb_free(&how);
    sb_free(&key);
}
