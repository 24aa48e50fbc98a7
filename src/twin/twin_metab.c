/* SPDX-License-Identifier: Apache-2.0
 *
 * twin/twin_metab.c — metabolites (medtwin/twin.h, docs/metabolites.md): which metabolite a
 * card's hepatic process forms, the formation parameters fform and MW with the metabolite facts,
 * and mt_twin_regimen_drugs, the dosed drugs plus the metabolite cards they name, transitively
 * (each checked for a complete IV twin with derive_drug, else left out with a note; at most 32
 * drugs and chains of 8 steps; cycles refused). Shared helpers: twin_internal.h.
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

/* ---- which metabolite a process forms ---------------------------------------------------- */

/* The metabolite that hepatic process i of card c forms: the process's `metabolite`, else the
 * one entry of the card's metabolites list formed via the process's enzyme (NULL when none or
 * when the list names several for that enzyme). Borrowed from the card. */
const char *process_metabolite(const mt_drugcard *c, size_t i)
{
    mt_drugcard_process p;
    if (mt_drugcard_hepatic(c, i, &p) != MT_OK)
        return NULL;
    if (p.metabolite && *p.metabolite)
        return p.metabolite;
    const char *name = NULL;
    for (size_t k = 0; p.protein && k < mt_drugcard_n_metabolites(c); k++) {
        mt_drugcard_metabolite m;
        if (mt_drugcard_metabolite_get(c, k, &m) != MT_OK || !m.name || !m.via ||
            !ieq(m.via, p.protein))
            continue;
        if (name && strcmp(name, m.name))
            return NULL;
        name = m.name;
    }
    return name;
}

/* The card names metabolites at n_named_metabolites(c) places: each hepatic process, then each
 * entry of its metabolites list. named_metabolite(c, p): the one at place p (NULL when that
 * place names none). */
static size_t n_named_metabolites(const mt_drugcard *c)
{
    return mt_drugcard_n_hepatic(c) + mt_drugcard_n_metabolites(c);
}

static const char *named_metabolite(const mt_drugcard *c, size_t p)
{
    size_t nh = mt_drugcard_n_hepatic(c);
    if (p < nh)
        return process_metabolite(c, p);
    mt_drugcard_metabolite m;
    return mt_drugcard_metabolite_get(c, p - nh, &m) == MT_OK ? m.name : NULL;
}

/* The regimen drug whose card or builder name is `name`, or n. */
size_t drug_named(size_t n, const mt_drugcard *const *cards, const char *const *ids,
                  const char *name)
{
    for (size_t k = 0; name && k < n; k++)
        if (!strcmp(ids[k], name) || !strcmp(mt_drugcard_name(cards[k]), name))
            return k;
    return n;
}

/* 1 if drug d of x is a perpetrator (has an MW_<d> from the interaction parameters). */
static int is_perpetrator(const mt_twin_ddi *x, size_t d)
{
    for (size_t i = 0; i < x->n_ix; i++)
        if (!strcmp(x->ix[i].perpetrator, x->ids[d]))
            return 1;
    return 0;
}

/* 1 if hepatic process pix of card c is on builder enzyme e (NULL: a process without one). */
static int process_on(const mt_drugcard *c, size_t pix, const char *e)
{
    mt_drugcard_process p;
    if (mt_drugcard_hepatic(c, pix, &p) != MT_OK)
        return 0;
    if (!is_enzyme_protein(p.protein))
        return e == NULL;
    if (!e)
        return 0;
    size_t m = 0;
    for (; p.protein[m]; m++)
        if ((isalnum((unsigned char)p.protein[m]) ? p.protein[m] : '_') != e[m])
            return 0;
    return e[m] == '\0';
}

/* The intrinsic clearance of parent card c's processes that form metabolite f (named id or by
 * its card mc) through f's enzyme: the sum of clint[i] over them (positive ones only when
 * positive_only), each added to how as "elimination.hepatic.<i> <CLint> L/h". *n_terms (may be
 * NULL) receives how many were added. */
static double forming_clint(const mt_drugcard *c, const mt_drugcard *mc, const char *id,
                            const mt_pbpk_formation *f, const drug_clint *dc, const double *clint,
                            int positive_only, sbuf *how, int *n_terms)
{
    double sum = 0;
    int n = 0;
    for (size_t i = 0; i < dc->np; i++) {
        const char *mn = process_metabolite(c, dc->pix[i]);
        if (!mn || (strcmp(mn, id) && strcmp(mn, mt_drugcard_name(mc))) ||
            !process_on(c, dc->pix[i], f->enzyme) || (positive_only && !(clint[i] > 0)))
            continue;
        sum += clint[i];
        sb_add(how, "%selimination.hepatic.%zu %g L/h", n++ ? " + " : "", dc->pix[i], clint[i]);
    }
    if (n_terms)
        *n_terms = n;
    return sum;
}

/* The formation parameters of x (apply): fform per formation, MW per parent and metabolite that
 * is not a perpetrator; one fact per metabolite a regimen card names (docs/metabolites.md). */
void metab_params(job *j, const mt_drugcard *const *cards, const drug_clint *dcs,
                  const mt_twin_ddi *x, int apply)
{
    sbuf how = {0}, key = {0};
    char id[256];
    for (size_t k = 0; apply && k < x->n_fo; k++) {
        const mt_pbpk_formation *f = &x->fo[k];
        size_t d = x->fo_parent[k], mi = x->fo_met[k];
        const mt_drugcard *c = cards[d];
        const drug_clint *dc = &dcs[d];
        sb_clear(&how);
        sb_add(&how, "fraction of %s's hepatic clearance that forms %s%s%s: CLint_u of ", f->parent,
               f->metabolite, f->enzyme ? " by " : " (process without an enzyme)",
               f->enzyme ? f->enzyme : "");
        double ce = forming_clint(c, cards[mi], x->ids[mi], f, dc, dc->pclint, 0, &how, NULL);
        double ff = dc->sum > 0 ? ce / dc->sum : 0.0;
        sb_add(&how,
               " / all hepatic CLint_u %g L/h (drug.%s.CL_H; card %s@%s: the process's metabolite "
               "field or the card's metabolites list)",
               dc->sum, f->parent, mt_drugcard_name(c), mt_drugcard_version(c));
        formation_id(id, sizeof id, "fform", f);
        put_param(j, id, ff, "1", sb_str(&how));
        if (dc->gi) { /* on the transit model: formation in the gut wall too */
            int n_p = 0;
            sb_clear(&how);
            sb_add(&how,
                   "fraction of %s's gut-wall intrinsic clearance that forms %s: gut-wall "
                   "CLint_u of ",
                   f->parent, f->metabolite);
            double cg = forming_clint(c, cards[mi], x->ids[mi], f, dc, dc->gclint, 1, &how, &n_p);
            double fg = dc->gsum > 0 ? cg / dc->gsum : 0.0;
            sb_add(&how,
                   "%s / all gut-wall CLint_u %g L/h (drug.%s.Fg; the card's kinetics scaled to "
                   "the mucosa, docs/absorption.md); the formed amount enters %s's gut tissue "
                   "(docs/metabolites.md)",
                   n_p ? "" : "none", dc->gsum, f->parent, f->metabolite);
            formation_id(id, sizeof id, "fformg", f);
            put_param(j, id, fg, "1", sb_str(&how));
        }
        sb_clear(&key);
        sb_add(&key, "metabolite.%s.%s", f->parent, f->metabolite);
        sb_clear(&how);
        sb_add(&how,
               "formed in the liver from %s's hepatic clearance%s%s (fform %g)%s, in molar "
               "amounts (x MW_%s / MW_%s), distributed and eliminated as a drug of the regimen",
               f->parent, f->enzyme ? " by " : "", f->enzyme ? f->enzyme : "", ff,
               dc->gi ? " and in the gut wall from its gut-wall metabolism (fformg)" : "",
               f->metabolite, f->parent);
        put_fact(j, sb_str(&key), ff, "", "simulated", sb_str(&how));
    }
    /* MW of parents and metabolites that are not perpetrators (those have theirs) */
    for (size_t d = 0; apply && d < x->n_drugs; d++) {
        int role = 0;
        for (size_t k = 0; k < x->n_fo; k++)
            role |= x->fo_parent[k] == d || x->fo_met[k] == d;
        if (!role || is_perpetrator(x, d))
            continue;
        const mt_drugcard *c = cards[d];
        double mw = mt_drugcard_mw(c);
        if (isnan(mw)) {
            problem(j, MT_ENOTFOUND,
                    "drug card '%s': physchem.mw: absent (needed to convert the formed "
                    "metabolite to molar amounts)",
                    mt_drugcard_name(c));
            continue;
        }
        sb_clear(&how);
        sb_add(&how, "molecular weight %g g/mol", mw);
        value_note(&how, c, "physchem.mw");
        sb_add(&how, "; converts formed amounts (mg of %s) in molar terms", x->ids[d]);
        snprintf(id, sizeof id, "MW_%s", x->ids[d]);
        put_param(j, id, mw, "g/mol", sb_str(&how));
    }
    /* metabolites named by a regimen card that are not formed in this model */
    for (size_t d = 0; d < x->n_drugs; d++) {
        const mt_drugcard *c = cards[d];
        for (size_t i = 0; i < n_named_metabolites(c); i++) {
            const char *mn = named_metabolite(c, i);
            if (!mn)
                continue;
            size_t mi = drug_named(x->n_drugs, cards, (const char *const *)x->ids, mn);
            int formed = 0;
            for (size_t k = 0; k < x->n_fo; k++)
                formed |= x->fo_parent[k] == d && x->fo_met[k] == mi;
            if (formed && apply)
                continue;
            sb_clear(&key);
            sb_add(&key, "metabolite.%s.%s", x->ids[d], mi < x->n_drugs ? x->ids[mi] : mn);
            if (mt_twin_fact_find(j->out, sb_str(&key)))
                continue; /* named twice (process and list) */
            sb_clear(&how);
            if (formed)
                sb_add(&how, "the model was built without metabolite formation (mt_pbpk_build); "
                             "mt_twin_ddi_describe + mt_pbpk_build_ddi + mt_twin_params_ddi "
                             "form it (docs/metabolites.md)");
            else if (mi < x->n_drugs)
                sb_add(&how,
                       "%s is a drug of the regimen, but card %s has no hepatic process with a "
                       "clearance that forms it (elimination.hepatic%s)",
                       x->ids[mi], mt_drugcard_name(c),
                       missing_why(c, "elimination.hepatic") ? ": absent" : "");
            else
                sb_add(&how,
                       "'%s' is not a drug of this regimen (mt_twin_regimen_drugs adds the "
                       "metabolite cards that give a complete twin and says why others are "
                       "left out)",
                       mn);
            put_fact(j, sb_str(&key), NAN, "", formed ? "not applied" : "not simulated",
                     sb_str(&how));
        }
    }
    if (how.oom || key.oom)
        j->oom = 1;
    sb_free(&how);
    sb_free(&key);
}

/* ---- the regimen's drugs with their metabolites --------------------------------------------- */

#define METAB_MAX_DRUGS 32
#define METAB_MAX_DEPTH 8

struct mt_twin_drugs {
    size_t n, n_dosed;
    const mt_drugcard *cards[METAB_MAX_DRUGS];
    const char *ids[METAB_MAX_DRUGS];
    mt_drugcard *own[METAB_MAX_DRUGS];
    char *own_id[METAB_MAX_DRUGS];
    size_t depth[METAB_MAX_DRUGS];
    mt_twin_param_list notes; /* facts only */
    size_t cap_f;
};

void mt_twin_drugs_destroy(mt_twin_drugs *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < METAB_MAX_DRUGS; i++) {
        mt_drugcard_destroy(r->own[i]);
        mt_free(NULL, r->own_id[i]);
    }
    mt_twin_param_list_free(&r->notes);
    mt_free(NULL, r);
}

size_t mt_twin_drugs_n(const mt_twin_drugs *r) { return r ? r->n : 0; }
size_t mt_twin_drugs_n_dosed(const mt_twin_drugs *r) { return r ? r->n_dosed : 0; }
const mt_drugcard *const *mt_twin_drugs_cards(const mt_twin_drugs *r)
{
    return r ? r->cards : NULL;
}
const char *const *mt_twin_drugs_ids(const mt_twin_drugs *r) { return r ? r->ids : NULL; }
const mt_twin_param_list *mt_twin_drugs_notes(const mt_twin_drugs *r)
{
    return r ? &r->notes : NULL;
}

/* Whether card c gives every value of an IV twin of a reference adult; the problems go to why. */
static int card_complete(const mt_twin_tables *t, mt_ctx *ctx, const mt_drugcard *c, const char *id,
                         sbuf *why)
{
    static const mt_covariates ref = {MT_SEX_MALE, 30.0, 73.0, 176.0, NAN, 0};
    mt_physiology ph;
    if (mt_physiology_compute(t->physio, ctx, &ref, &ph) != MT_OK) {
        sb_add(why, "%s", mt_errmsg(ctx));
        return 0;
    }
    double q_liv = ph.organ[MT_ORGAN_LIVER].blood_flow_l_h + ph.organ[MT_ORGAN_GUT].blood_flow_l_h +
                   ph.organ[MT_ORGAN_SPLEEN].blood_flow_l_h;
    person pe = {t,    ctx, &ph,     q_liv,        q_liv, ph.haematocrit, ref.weight_kg,
                 NULL, 0,   ref.sex, ref.height_cm};
    mt_twin_param_list l = {0};
    job j;
    memset(&j, 0, sizeof j);
    j.out = &l;
    j.first = MT_OK;
    drug_clint dc;
    memset(&dc, 0, sizeof dc);
    derive_drug(&j, &pe, c, id, 0, why, &dc);
    int ok = j.first == MT_OK && !j.oom && !why->len;
    if (j.oom)
        sb_add(why, "out of memory");
    mt_twin_param_list_free(&l);
    sb_free(&j.problems);
    return ok;
}

static void drugs_note(mt_twin_drugs *r, const char *parent, const char *name, const char *how,
                       int *oom)
{
    job j;
    memset(&j, 0, sizeof j);
    j.out = &r->notes;
    j.cap_f = r->cap_f;
    j.cap_p = r->notes.n_params;
    sbuf key = {0};
    sb_add(&key, "metabolite.%s.%s", parent, name);
    put_fact(&j, sb_str(&key), NAN, "", "not simulated", how);
    r->cap_f = j.cap_f;
    if (j.oom || key.oom)
        *oom = 1;
    sb_free(&key);
}

/* 1 if the metabolite graph among r's drugs has a cycle through drug i (DFS colours). */
static int metab_cycle(const mt_twin_drugs *r, size_t i, int *colour, size_t *path, size_t depth,
                       size_t *len)
{
    colour[i] = 1;
    path[depth] = i;
    const mt_drugcard *c = r->cards[i];
    for (size_t p = 0; p < n_named_metabolites(c); p++) {
        const char *mn = named_metabolite(c, p);
        size_t k = drug_named(r->n, r->cards, r->ids, mn);
        if (k == r->n)
            continue;
        if (colour[k] == 1 || (colour[k] == 0 && metab_cycle(r, k, colour, path, depth + 1, len))) {
            if (colour[k] == 1 && !*len) {
                path[depth + 1] = k;
                *len = depth + 2;
            }
            return 1;
        }
    }
    colour[i] = 2;
    return 0;
}

mt_status mt_twin_regimen_drugs(const mt_twin_tables *t, mt_ctx *ctx, const char *data_dir,
                                size_t n_dosed, const mt_drugcard *const *cards,
                                const char *const *drug_ids, mt_twin_drugs **out)
{
    if (!out)
        return mt_error(ctx, MT_EINVAL, "mt_twin_regimen_drugs: NULL out");
    *out = NULL;
    if (n_dosed && (!cards || !drug_ids))
        return mt_error(ctx, MT_EINVAL, "mt_twin_regimen_drugs: NULL cards or drug_ids");
    if (n_dosed > METAB_MAX_DRUGS)
        return mt_error(ctx, MT_ELIMIT, "mt_twin_regimen_drugs: more than %d drugs",
                        METAB_MAX_DRUGS);
    for (size_t d = 0; d < n_dosed; d++) {
        if (!cards[d] || !valid_builder_name(drug_ids[d]))
            return mt_error(ctx, MT_EINVAL,
                            "mt_twin_regimen_drugs: drug %zu: NULL card or bad builder name", d);
        for (size_t e = 0; e < d; e++)
            if (!strcmp(drug_ids[e], drug_ids[d]))
                return mt_error(ctx, MT_EINVAL, "mt_twin_regimen_drugs: drug '%s' appears twice",
                                drug_ids[d]);
    }
    mt_twin_tables *own_t = NULL;
    if (!t) {
        mt_status lst = mt_twin_tables_load(ctx, data_dir, &own_t);
        if (lst != MT_OK)
            return lst;
        t = own_t;
    }
    mt_twin_drugs *r = mt_calloc(NULL, 1, sizeof *r);
    if (!r) {
        mt_twin_tables_destroy(own_t);
        return mt_error(ctx, MT_ENOMEM, "out of memory");
    }
    for (size_t d = 0; d < n_dosed; d++) {
        r->cards[d] = cards[d];
        r->ids[d] = drug_ids[d];
    }
    r->n = r->n_dosed = n_dosed;
    int oom = 0;
    mt_status st = MT_OK;
    sbuf why = {0}, how = {0};
    /* breadth first: every metabolite a card names, once */
    for (size_t i = 0; i < r->n && st == MT_OK && !oom; i++) {
        const mt_drugcard *c = r->cards[i];
        for (size_t p = 0; p < n_named_metabolites(c); p++) {
            const char *mn = named_metabolite(c, p);
            if (!mn || drug_named(r->n, r->cards, r->ids, mn) < r->n)
                continue;
            int noted = 0;
            for (size_t k = 0; k < r->notes.n_facts; k++) {
                const char *kk = r->notes.facts[k].key;
                size_t lk = strlen(kk), lm = strlen(mn);
                noted |= lk > lm && kk[lk - lm - 1] == '.' && !strcmp(kk + lk - lm, mn);
            }
            if (noted)
                continue;
            sb_clear(&how);
            sb_clear(&why);
            mt_drugcard *mc = NULL;
            if (!valid_builder_name(mn) ||
                strspn(mn, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(mn)) {
                sb_add(&how, "metabolite '%s' of %s not simulated: no drug card has that name", mn,
                       r->ids[i]);
            } else if (mt_drugcard_load(ctx, data_dir, mn, &mc) != MT_OK) {
                sb_add(&how, "metabolite '%s' of %s not simulated: %s", mn, r->ids[i],
                       mt_errmsg(ctx));
            } else if (!card_complete(t, ctx, mc, mn, &why)) {
                sb_add(&how,
                       "metabolite '%s' of %s not simulated: drug card '%s': %s (checked for an "
                       "IV twin of a reference adult, male, 30 y, 73 kg, 176 cm)",
                       mn, r->ids[i], mn, sb_str(&why));
            } else if (r->depth[i] + 1 > METAB_MAX_DEPTH) {
                st = mt_error(ctx, MT_ELIMIT,
                              "metabolites: the chain to '%s' is longer than %d steps", mn,
                              METAB_MAX_DEPTH);
            } else if (r->n == METAB_MAX_DRUGS) {
                st = mt_error(ctx, MT_ELIMIT,
                              "metabolites: adding '%s' (of %s) makes more than %d drugs", mn,
                              r->ids[i], METAB_MAX_DRUGS);
            } else {
                r->own[r->n] = mc;
                r->own_id[r->n] = dup_str(mn);
                r->cards[r->n] = mc;
                r->ids[r->n] = r->own_id[r->n];
                r->depth[r->n] = r->depth[i] + 1;
                if (!r->own_id[r->n])
                    oom = 1;
                r->n++;
                mc = NULL;
            }
            mt_drugcard_destroy(mc);
            if (how.len)
                drugs_note(r, r->ids[i], mn, sb_str(&how), &oom);
            if (st != MT_OK || oom)
                break;
        }
    }
    if (how.oom || why.oom)
        oom = 1;
    sb_free(&how);
    sb_free(&why);
    /* a cycle (a metabolite forming one of its precursors) is refused */
    if (st == MT_OK && !oom) {
        int colour[METAB_MAX_DRUGS] = {0};
        size_t path[METAB_MAX_DRUGS + 1], len = 0;
        for (size_t i = 0; i < r->n && st == MT_OK; i++)
            if (!colour[i] && metab_cycle(r, i, colour, path, 0, &len)) {
                char msg[512];
                size_t at = 0, start = 0;
                while (start + 1 < len && path[start] != path[len - 1])
                    start++;
                for (size_t k = start; k < len && at < sizeof msg; k++)
                    at += (size_t)snprintf(msg + at, sizeof msg - at, "%s%s",
                                           k > start ? " -> " : "", r->ids[path[k]]);
                st = mt_error(ctx, MT_EINVAL,
                              "metabolites: the cards form a cycle (%s); a metabolite that forms "
                              "its own precursor is not modelled",
                              msg);
            }
    }
    mt_twin_tables_destroy(own_t);
    if (oom)
        st = mt_error(ctx, MT_ENOMEM, "out of memory resolving the metabolites");
    if (st != MT_OK) {
        mt_twin_drugs_destroy(r);
        return st;
    }
    *out = r;
    return MT_OK;
}
