/* SPDX-License-Identifier: Apache-2.0
 *
 * therapy/predict.c — running a twin (medtwin/predict.h): one predictor holds the regimen's
 * PBPK model (mt_pbpk_build), its compiled program, one simulation workspace and the list
 * of parameter values; a run applies the values as overrides, integrates and turns the
 * plasma outputs into curves and exposure metrics.
 *
 * Invariants: the values list holds distinct model ids in the order first set (a later set
 * replaces the value in place), so the result of "derived, then given" is the same list
 * whatever the caller's bookkeeping. The workspace's overrides are rebuilt from the list at
 * every run, so a value removed by mt_predictor_clear_values() is gone from the next run.
 *
 * Concentrations below zero by no more than the solver's absolute tolerance in plasma terms
 * (atol / (V_ven B:P) where that volume is below 1 L, else atol) or 1e-9 of the drug's peak
 * are solver noise after elimination and reported as 0; anything more negative is left for
 * mt_exposure_compute to refuse.
 *
 * Cost: create = one model build and compile, O(drugs x (organs + doses)); a run = one
 * CVODES integration; sample = one integration per distinct time (exact values at the
 * times, where interpolating an output grid would blur early peaks).
 */
#define _POSIX_C_SOURCE 200809L
#include "medtwin/predict.h"
#include "medtwin/drugcard.h"
#include "medtwin/profile.h"
#include "medtwin/sim.h"
#include "util/util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct mt_predictor {
    mt_ctx *ctx;
    size_t n_drugs;
    mt_regimen *reg; /* copies: drug name, schedule (for the trough), doses */
    mt_model *model;
    mt_program *prog;
    mt_sim *sim;
    size_t n_val, cap_val;
    char **val_id;
    double *val;
    mt_twin_param_list twin;
    size_t n_dosed;                  /* the regimens; then the metabolites (no doses) */
    mt_twin_ddi *ddi;                /* create_ddi: the interaction structure */
    mt_twin_drugs *tdrugs;           /* create_ddi: dosed drugs + metabolites, their cards */
    const mt_drugcard *const *cards; /* create_ddi: every drug's card (borrowed from tdrugs) */
    const mt_drugcard **dosed_cards; /* the dosed drugs' cards (given or own_cards) */
    mt_drugcard **own_cards;         /* those loaded here */
    long *uri_col;                   /* per drug: the output column of its A_uri_<drug>, or -1 */
};

void mt_prediction_clear(mt_prediction *r)
{
    if (!r)
        return;
    for (size_t d = 0; d < r->n_drugs; d++) {
        free(r->drugs[d].conc_mg_l);
        free(r->drugs[d].course_t);
        free(r->drugs[d].course_c);
        free(r->drugs[d].urine_mg);
    }
    free(r->drugs);
    free(r->time_h);
    mt_twin_param_list_free(&r->twin);
    memset(r, 0, sizeof *r);
}

void mt_predictor_destroy(mt_predictor *p)
{
    if (!p)
        return;
    mt_predictor_clear_values(p);
    free(p->val_id);
    free(p->val);
    mt_sim_destroy(p->sim);
    mt_program_destroy(p->prog);
    mt_model_destroy(p->model);
    mt_twin_ddi_destroy(p->ddi);
    mt_twin_drugs_destroy(p->tdrugs);
    for (size_t d = 0; p->own_cards && d < p->n_dosed; d++)
        mt_drugcard_destroy(p->own_cards[d]);
    free(p->own_cards);
    free(p->dosed_cards);
    for (size_t d = 0; d < p->n_drugs; d++)
        mt_regimen_clear(&p->reg[d]);
    free(p->reg);
    free(p->uri_col);
    free(p);
}

/* 1 if drug card c's bile returns to the gut lumen (an efflux into the bile with the mechanistic
 * absorption model: pbpk.h efflux): its regimen takes the transit model (the twin's absorption
 * parameters) whatever the route of its doses. */
static int bile_to_lumen(const mt_drugcard *c)
{
    const char *am = c ? mt_drugcard_absorption_model(c) : NULL;
    return am && !strcmp(am, "pksim_permeability") && mt_twin_efflux_represented(c);
}

/* The regimen's `as` formulation from the drug's card onto its oral doses (docs/absorption.md,
 * "Formulations"); an error names what is wrong and the card's formulations. */
static mt_status apply_formulation(mt_ctx *ctx, const mt_drugcard *c, int gi, mt_regimen *r)
{
    mt_formulation f;
    if (!c)
        return mt_error(ctx, MT_EINVAL, "%s: no drug card, so no formulation '%s'", r->drug,
                        r->formulation);
    if (mt_drugcard_formulation(c, r->formulation, &f) != 0) {
        char ids[256] = "";
        size_t w = 0;
        for (size_t i = 0; i < mt_drugcard_n_formulations(c) && w < sizeof ids; i++) {
            int k = snprintf(ids + w, sizeof ids - w, "%s%s", i ? ", " : "",
                             mt_drugcard_formulation_id(c, i));
            if (k < 0)
                break;
            w += (size_t)k;
        }
        return mt_error(ctx, MT_EINVAL, "%s: the drug card has no formulation '%s' (it has: %s)",
                        r->drug, r->formulation, *ids ? ids : "none");
    }
    if (!gi)
        return mt_error(ctx, MT_EINVAL,
                        "%s: formulation '%s' needs the mechanistic oral absorption model, and "
                        "the drug card's absorption model is not pksim_permeability",
                        r->drug, r->formulation);
    for (size_t k = 0; k < r->n_doses; k++)
        if (r->doses[k].route == MT_DOSE_PO) {
            r->doses[k].diss_t50_h = f.t50_h;
            r->doses[k].diss_shape = f.shape;
            r->doses[k].diss_lag_h = f.lag_h;
        }
    return MT_OK;
}

/* create and create_ddi: with_ddi loads/keeps the cards, adds the metabolites they name
 * (mt_twin_regimen_drugs: drugs without doses after the dosed ones) and describes the
 * interactions and formations. */
static mt_status create(mt_ctx *ctx, const mt_twin_tables *t, size_t n_regimens,
                        const mt_regimen *regimens, int with_ddi, const mt_drugcard *const *cards,
                        mt_predictor **out)
{
    *out = NULL;
    if (n_regimens == 0 || !regimens)
        return mt_error(ctx, MT_EINVAL, "predict: no regimen");
    for (size_t d = 0; d < n_regimens; d++)
        for (size_t e = 0; e < d; e++)
            if (!strcmp(regimens[e].drug, regimens[d].drug))
                return mt_error(ctx, MT_EINVAL,
                                "%s appears in two regimens; give one regimen per drug",
                                regimens[d].drug);
    mt_predictor *p = calloc(1, sizeof *p);
    if (!p)
        return mt_error(ctx, MT_ENOMEM, "out of memory");
    p->ctx = ctx;
    p->n_dosed = n_regimens;
    mt_status st = MT_OK;
    size_t n_all = n_regimens;
    const char *const *all_ids = NULL;
    if (with_ddi) {
        p->dosed_cards = calloc(n_regimens, sizeof *p->dosed_cards);
        p->own_cards = calloc(n_regimens, sizeof *p->own_cards);
        const char **ids = calloc(n_regimens, sizeof *ids);
        if (!p->dosed_cards || !p->own_cards || !ids)
            st = mt_error(ctx, MT_ENOMEM, "out of memory");
        for (size_t d = 0; d < n_regimens && st == MT_OK; d++) {
            ids[d] = regimens[d].drug;
            if (cards)
                p->dosed_cards[d] = cards[d];
            else if ((st = mt_drugcard_load(ctx, NULL, regimens[d].drug, &p->own_cards[d])) ==
                     MT_OK)
                p->dosed_cards[d] = p->own_cards[d];
        }
        if (st == MT_OK)
            st = mt_twin_regimen_drugs(t, ctx, NULL, n_regimens, p->dosed_cards, ids, &p->tdrugs);
        free(ids);
        if (st == MT_OK) {
            n_all = mt_twin_drugs_n(p->tdrugs);
            all_ids = mt_twin_drugs_ids(p->tdrugs);
            p->cards = mt_twin_drugs_cards(p->tdrugs);
        }
    }
    mt_pbpk_drug *drugs = st == MT_OK ? calloc(n_all, sizeof *drugs) : NULL;
    if (st == MT_OK && (!drugs || !(p->reg = calloc(n_all, sizeof *p->reg))))
        st = mt_error(ctx, MT_ENOMEM, "out of memory");
    for (size_t d = 0; d < n_all && st == MT_OK; d++) {
        if (d < n_regimens) {
            p->reg[d] = regimens[d];
            p->reg[d].doses = NULL;
            p->reg[d].n_doses = 0;
            if (regimens[d].n_doses) {
                p->reg[d].doses = malloc(regimens[d].n_doses * sizeof *p->reg[d].doses);
                if (!p->reg[d].doses) {
                    st = mt_error(ctx, MT_ENOMEM, "out of memory");
                    break;
                }
                memcpy(p->reg[d].doses, regimens[d].doses,
                       regimens[d].n_doses * sizeof *p->reg[d].doses);
                p->reg[d].n_doses = regimens[d].n_doses;
            }
        } else {
            snprintf(p->reg[d].drug, sizeof p->reg[d].drug, "%s", all_ids[d]);
        }
        p->n_drugs = d + 1;
        drugs[d].name = p->reg[d].drug;
        drugs[d].n_doses = p->reg[d].n_doses;
        drugs[d].doses = p->reg[d].doses;
    }
    /* drugs given by mouth whose card absorbs mechanistically get the transit model
     * (docs/absorption.md); mt_twin_params derives its values under the same condition */
    int *gi = st == MT_OK ? calloc(n_all + 1, sizeof *gi) : NULL;
    if (st == MT_OK && !gi)
        st = mt_error(ctx, MT_ENOMEM, "out of memory");
    for (size_t d = 0; d < n_all && st == MT_OK; d++) {
        int oral = d < n_regimens && regimens[d].route == MT_DOSE_PO;
        for (size_t k = 0; k < p->reg[d].n_doses; k++)
            oral |= p->reg[d].doses[k].route == MT_DOSE_PO;
        const mt_drugcard *c = with_ddi ? p->cards[d] : cards ? cards[d] : NULL;
        mt_drugcard *own = NULL;
        if (!c && mt_drugcard_load(ctx, NULL, p->reg[d].drug, &own) == MT_OK)
            c = own; /* an unknown drug is reported when the twin is derived */
        /* specific binding: the twin sets its parameters under the same condition (binding.c) */
        drugs[d].specific_binding = c && mt_drugcard_n_specific_binding(c) > 0;
        /* permeability-limited cells: the same condition as the twin's (cells.c) */
        drugs[d].cell_permeability = c && mt_twin_cells_represented(c);
        drugs[d].liver_uptake = c && mt_twin_liver_uptake_represented(c);
        drugs[d].efflux = c && mt_twin_efflux_represented(c);
        oral |= bile_to_lumen(c);
        if (!oral) {
            mt_drugcard_destroy(own);
            continue;
        }
        const char *am = c ? mt_drugcard_absorption_model(c) : NULL;
        gi[d] = am && !strcmp(am, "pksim_permeability");
        drugs[d].mucosa = gi[d] && mt_twin_mucosa_represented(c); /* the twin's condition, gi.c */
        if (d < n_regimens && regimens[d].formulation[0])
            st = apply_formulation(ctx, c, gi[d], &p->reg[d]);
        mt_drugcard_destroy(own);
    }
    if (st == MT_OK && with_ddi) {
        st = mt_twin_ddi_describe(ctx, n_all, p->cards, all_ids, &p->ddi);
        if (st == MT_OK)
            st = mt_pbpk_build_gi(ctx, n_all, drugs, mt_twin_ddi_builder(p->ddi), gi, &p->model);
    } else if (st == MT_OK) {
        st = mt_pbpk_build_gi(ctx, n_all, drugs, NULL, gi, &p->model);
    }
    free(gi);
    free(drugs);
    if (st == MT_OK)
        st = mt_program_create(ctx, p->model, &p->prog);
    if (st == MT_OK)
        st = mt_sim_create(ctx, p->prog, &p->sim);
    for (size_t d = 0; d < n_all && st == MT_OK; d++) {
        char id[128];
        snprintf(id, sizeof id, "C_plasma_%.63s", p->reg[d].drug);
        st = mt_sim_add_output(p->sim, id, MT_REPORT_DEFAULT);
    }
    /* the urine amounts the model integrates, after the concentrations */
    if (st == MT_OK && !(p->uri_col = malloc((n_all + 1) * sizeof *p->uri_col)))
        st = mt_error(ctx, MT_ENOMEM, "out of memory");
    for (size_t d = 0, col = n_all; d < n_all && st == MT_OK; d++) {
        char id[128];
        size_t ix;
        snprintf(id, sizeof id, "A_uri_%.63s", p->reg[d].drug);
        p->uri_col[d] = -1;
        if (mt_model_find(p->model, id, &ix) != MT_OK)
            continue;
        st = mt_sim_add_output(p->sim, id, MT_REPORT_DEFAULT);
        p->uri_col[d] = (long)col++;
    }
    if (st != MT_OK) {
        mt_predictor_destroy(p);
        return st;
    }
    *out = p;
    return MT_OK;
}

mt_status mt_predictor_create(mt_ctx *ctx, size_t n_regimens, const mt_regimen *regimens,
                              mt_predictor **out)
{
    return create(ctx, NULL, n_regimens, regimens, 0, NULL, out);
}

mt_status mt_predictor_create_ddi(mt_ctx *ctx, const mt_twin_tables *t, size_t n_regimens,
                                  const mt_regimen *regimens, const mt_drugcard *const *cards,
                                  mt_predictor **out)
{
    return create(ctx, t, n_regimens, regimens, 1, cards, out);
}

size_t mt_predictor_n_dosed(const mt_predictor *p) { return p->n_dosed; }

const mt_twin_param_list *mt_predictor_notes(const mt_predictor *p)
{
    return p->tdrugs ? mt_twin_drugs_notes(p->tdrugs) : NULL;
}

int mt_predictor_interacts(const mt_predictor *p, size_t drug)
{
    if (!p->ddi || drug >= p->n_drugs)
        return 0;
    const mt_pbpk_ddi *b = mt_twin_ddi_builder(p->ddi);
    if (!b)
        return 0;
    for (size_t k = 0; k < b->n_pathways; k++) {
        if (strcmp(b->pathways[k].drug, p->reg[drug].drug) != 0)
            continue;
        for (size_t j = 0; j < b->n_interactions; j++)
            if (!strcmp(b->interactions[j].enzyme, b->pathways[k].enzyme) &&
                b->interactions[j].mechanism != MT_DDI_SATURATION) /* its own kinetics */
                return 1;
    }
    /* its efflux transporter (pbpk.h, efflux) */
    for (size_t j = 0;
         p->cards && mt_twin_efflux_represented(p->cards[drug]) && j < b->n_interactions; j++)
        if (!strcmp(b->interactions[j].enzyme, MT_PBPK_EFFLUX_TRANSPORTER) &&
            mt_pbpk_interaction_changes(&b->interactions[j], p->reg[drug].drug, 0))
            return 1;
    return 0;
}

size_t mt_predictor_n_drugs(const mt_predictor *p) { return p->n_drugs; }
const char *mt_predictor_drug(const mt_predictor *p, size_t i)
{
    return i < p->n_drugs ? p->reg[i].drug : NULL;
}
const mt_model *mt_predictor_model(const mt_predictor *p) { return p->model; }
const mt_twin_param_list *mt_predictor_twin(const mt_predictor *p) { return &p->twin; }
size_t mt_predictor_n_values(const mt_predictor *p) { return p->n_val; }
const char *const *mt_predictor_value_ids(const mt_predictor *p)
{
    return (const char *const *)p->val_id;
}
const double *mt_predictor_values(const mt_predictor *p) { return p->val; }

void mt_predictor_take_twin(mt_predictor *p, mt_twin_param_list *out)
{
    *out = p->twin;
    memset(&p->twin, 0, sizeof p->twin);
}

void mt_predictor_clear_values(mt_predictor *p)
{
    for (size_t i = 0; i < p->n_val; i++)
        free(p->val_id[i]);
    p->n_val = 0;
    mt_twin_param_list_free(&p->twin);
}

/* Puts an exact model id. */
static mt_status put(mt_predictor *p, const char *id, double v)
{
    for (size_t i = 0; i < p->n_val; i++)
        if (!strcmp(p->val_id[i], id)) {
            p->val[i] = v;
            return MT_OK;
        }
    if (p->n_val == p->cap_val) {
        size_t nc = p->cap_val ? p->cap_val * 2 : 64;
        char **ni = realloc(p->val_id, nc * sizeof *ni);
        if (!ni)
            return mt_error(p->ctx, MT_ENOMEM, "out of memory");
        p->val_id = ni;
        double *nv = realloc(p->val, nc * sizeof *nv);
        if (!nv)
            return mt_error(p->ctx, MT_ENOMEM, "out of memory");
        p->val = nv;
        p->cap_val = nc;
    }
    if (!(p->val_id[p->n_val] = strdup(id)))
        return mt_error(p->ctx, MT_ENOMEM, "out of memory");
    p->val[p->n_val++] = v;
    return MT_OK;
}

mt_status mt_predictor_set(mt_predictor *p, const char *id, double value)
{
    if (!id || !*id)
        return mt_error(p->ctx, MT_EINVAL, "predict: empty parameter id");
    if (!isfinite(value))
        return mt_error(p->ctx, MT_EINVAL, "predict: %s: value is not a finite number", id);
    size_t idx;
    if (mt_model_find(p->model, id, &idx) == MT_OK)
        return put(p, id, value);
    int hit = 0;
    for (size_t d = 0; d < p->n_drugs; d++) {
        char full[512];
        snprintf(full, sizeof full, "%.255s_%.63s", id, p->reg[d].drug);
        if (mt_model_find(p->model, full, &idx) == MT_OK) {
            mt_status st = put(p, full, value);
            if (st != MT_OK)
                return st;
            hit = 1;
        }
    }
    return hit ? MT_OK : mt_error(p->ctx, MT_ENOTFOUND, "unknown twin parameter '%s'", id);
}

mt_status mt_predictor_defaults(mt_predictor *p)
{
    for (size_t d = 0; d < p->n_drugs; d++) {
        char id[128];
        snprintf(id, sizeof id, "F_%.63s", p->reg[d].drug);
        mt_status st = put(p, id, 1.0);
        snprintf(id, sizeof id, "BP_%.63s", p->reg[d].drug);
        if (st != MT_OK || (st = put(p, id, 1.0)) != MT_OK)
            return st;
    }
    return MT_OK;
}

mt_status mt_predictor_derive(mt_predictor *p, const mt_twin_tables *t, const mt_profile *person,
                              const mt_drugcard *const *cards)
{
    mt_ctx *ctx = p->ctx;
    if (!t || !person)
        return mt_error(ctx, MT_EINVAL, "predict: no person or no twin tables");
    size_t n = p->n_drugs;
    mt_drugcard **own = calloc(n, sizeof *own);
    const mt_drugcard **use = calloc(n, sizeof *use);
    const char **ids = calloc(n, sizeof *ids);
    int *oral = calloc(n, sizeof *oral);
    mt_twin_param_list l = {0};
    mt_status st = MT_OK;
    if (!own || !use || !ids || !oral) {
        st = mt_error(ctx, MT_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t d = 0; d < n; d++) {
        if (p->cards) {
            use[d] = p->cards[d]; /* create_ddi: dosed drugs and metabolites */
        } else if (cards) {
            use[d] = cards[d];
        } else {
            if ((st = mt_drugcard_load(ctx, NULL, p->reg[d].drug, &own[d])) != MT_OK)
                goto done;
            use[d] = own[d];
        }
        ids[d] = p->reg[d].drug;
        for (size_t k = 0; k < p->reg[d].n_doses; k++)
            if (p->reg[d].doses[k].route == MT_DOSE_PO)
                oral[d] = 1;
        if (d < p->n_dosed && p->reg[d].route == MT_DOSE_PO)
            oral[d] = 1; /* metabolites (after the dosed drugs) are formed, never given */
        oral[d] |= bile_to_lumen(use[d]);
    }
    if ((st = p->ddi ? mt_twin_params_ddi(t, ctx, person, n, use, ids, oral, p->ddi, &l)
                     : mt_twin_params(t, ctx, person, n, use, ids, oral, &l)) != MT_OK)
        goto done;
    for (size_t i = 0; i < l.n_params && st == MT_OK; i++)
        st = put(p, l.params[i].id, l.params[i].value);
    if (st == MT_OK) {
        mt_twin_param_list_free(&p->twin);
        p->twin = l;
        memset(&l, 0, sizeof l);
    }
done:
    mt_twin_param_list_free(&l);
    for (size_t d = 0; own && d < n; d++)
        mt_drugcard_destroy(own[d]);
    free(own);
    free(use);
    free(ids);
    free(oral);
    return st;
}

static mt_status apply(mt_predictor *p, const mt_predict_options *o)
{
    double rtol = o && o->rtol > 0 ? o->rtol : 1e-6, atol = o && o->atol > 0 ? o->atol : 1e-9;
    mt_sim_clear_values(p->sim);
    for (size_t i = 0; i < p->n_val; i++) {
        mt_status st = mt_sim_set_value(p->sim, p->val_id[i], p->val[i]);
        if (st != MT_OK)
            return st;
    }
    return mt_sim_set_tolerances(p->sim, rtol, atol);
}

mt_status mt_predictor_check(mt_predictor *p)
{
    mt_status st = apply(p, NULL);
    if (st != MT_OK)
        return st;
    if (mt_sim_check_defined(p->sim, 0.0) != MT_OK) {
        char msg[900];
        snprintf(msg, sizeof msg, "%s", mt_errmsg(p->ctx));
        return mt_error(p->ctx, MT_EINVAL, "the twin is incomplete: %s", msg);
    }
    return MT_OK;
}

/* Runs with the values applied; NaN in an output is an incomplete twin. */
static mt_status run(mt_predictor *p, const mt_predict_options *o, double until_h, long steps,
                     mt_result **r)
{
    mt_status st = apply(p, o);
    if (st == MT_OK && mt_sim_check_defined(p->sim, 0.0) != MT_OK) {
        char msg[900];
        snprintf(msg, sizeof msg, "%s", mt_errmsg(p->ctx));
        return mt_error(p->ctx, MT_EINVAL, "the twin is incomplete: %s", msg);
    }
    if (st == MT_OK)
        st = mt_sim_run(p->sim, 0.0, until_h, steps, r);
    if (st != MT_OK)
        return st;
    for (size_t i = 0; i < mt_result_n_rows(*r); i++)
        for (size_t j = 0; j < mt_result_n_cols(*r); j++)
            if (isnan(mt_result_value(*r, i, j))) {
                st = mt_error(p->ctx, MT_EINVAL,
                              "the twin is incomplete: %s is undefined (a twin parameter is not "
                              "set)",
                              mt_result_col_id(*r, j));
                mt_result_destroy(*r);
                *r = NULL;
                return st;
            }
    return MT_OK;
}

/* The value of a parameter set on the predictor (NaN if none). */
static double value_of(const mt_predictor *p, const char *id)
{
    for (size_t i = 0; i < p->n_val; i++)
        if (!strcmp(p->val_id[i], id))
            return p->val[i];
    return NAN;
}

/* V_ven x B:P of drug d (L): the plasma volume-equivalent of the venous amount; NaN without them.
 */
static double ven_bp(const mt_predictor *p, const char *d)
{
    char id[96];
    snprintf(id, sizeof id, "BP_%s", d);
    return value_of(p, "V_ven") * value_of(p, id);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* pd->course_*: the grid t[0..nr-1] / pd->conc_mg_l with every IV bolus of drug j at a time
 * tb in (t[0], t[nr-1]] as the pair (tb - JUMP_DT, C before) (tb, C at). C at tb comes from
 * an integration to tb (the dose is given at tb); C before = C at - the bolus amount /
 * (V_ven * BP): a bolus enters the venous blood (medtwin/pbpk.h). Grid points within JUMP_DT
 * of tb give way to the pair. Without V_ven or BP the course is the grid. */
#define JUMP_DT 1e-9
static mt_status course(mt_predictor *p, const mt_predict_options *o, size_t j, size_t nr,
                        const double *t, mt_predicted_drug *pd)
{
    const mt_regimen *g = &p->reg[j];
    size_t nb = 0;
    double *tb = malloc((g->n_doses + 1) * sizeof *tb);
    if (!tb)
        return mt_error(p->ctx, MT_ENOMEM, "out of memory");
    for (size_t k = 0; k < g->n_doses; k++)
        if (g->doses[k].route == MT_DOSE_IV_BOLUS && g->doses[k].time_h > t[0] + JUMP_DT &&
            g->doses[k].time_h <= t[nr - 1])
            tb[nb++] = g->doses[k].time_h;
    qsort(tb, nb, sizeof *tb, cmp_double);
    size_t u = 0; /* distinct times */
    for (size_t k = 0; k < nb; k++)
        if (!u || tb[k] > tb[u - 1])
            tb[u++] = tb[k];
    nb = u;
    double vbp = ven_bp(p, g->drug);
    if (!(vbp > 0))
        nb = 0;
    pd->course_t = malloc((nr + 2 * nb) * sizeof *pd->course_t);
    pd->course_c = malloc((nr + 2 * nb) * sizeof *pd->course_c);
    if (!pd->course_t || !pd->course_c) {
        free(tb);
        return mt_error(p->ctx, MT_ENOMEM, "out of memory");
    }
    size_t n = 0, k = 0;
    for (size_t i = 0; i <= nr; i++) {
        /* the boluses before grid point i (all remaining ones at the end) */
        while (k < nb && (i == nr || tb[k] < t[i] + JUMP_DT)) {
            mt_result *r = NULL;
            mt_status st = run(p, o, tb[k], 1, &r);
            if (st != MT_OK) {
                free(tb);
                return st;
            }
            double at = mt_result_value(r, mt_result_n_rows(r) - 1, j), amount = 0;
            mt_result_destroy(r);
            for (size_t d = 0; d < g->n_doses; d++)
                if (g->doses[d].route == MT_DOSE_IV_BOLUS && g->doses[d].time_h == tb[k])
                    amount += g->doses[d].amount_mg;
            while (n > 0 && pd->course_t[n - 1] >= tb[k] - JUMP_DT)
                n--; /* a grid point at the bolus: the pair replaces it */
            pd->course_t[n] = tb[k] - JUMP_DT;
            pd->course_c[n++] = fmax(0.0, at - amount / vbp);
            pd->course_t[n] = tb[k];
            pd->course_c[n++] = fmax(0.0, at);
            k++;
        }
        if (i == nr)
            break;
        if (n > 0 && t[i] <= pd->course_t[n - 1] + JUMP_DT)
            continue; /* at a bolus already placed */
        pd->course_t[n] = t[i];
        pd->course_c[n++] = pd->conc_mg_l[i];
    }
    pd->n_course = n;
    free(tb);
    return MT_OK;
}

mt_status mt_predictor_run(mt_predictor *p, const mt_predict_options *o, mt_prediction *out)
{
    mt_prediction_clear(out);
    double until = o && o->until_h > 0 ? o->until_h : 24.0;
    if (!isfinite(until) || (o && o->until_h < 0))
        return mt_error(p->ctx, MT_EINVAL, "predict: the end time is not a positive number");
    long steps = o && o->steps > 0 ? o->steps : (long)ceil(until * 60.0 - 1e-9);
    mt_result *r = NULL;
    mt_status st = run(p, o, until, steps, &r);
    if (st != MT_OK)
        return st;
    size_t nr = mt_result_n_rows(r), nc = p->n_drugs; /* then the urine amounts */
    out->time_h = malloc(nr * sizeof *out->time_h);
    out->drugs = calloc(nc, sizeof *out->drugs);
    if (!out->time_h || !out->drugs) {
        mt_result_destroy(r);
        mt_prediction_clear(out);
        return mt_error(p->ctx, MT_ENOMEM, "out of memory");
    }
    out->n_times = nr;
    out->n_drugs = nc;
    for (size_t i = 0; i < nr; i++)
        out->time_h[i] = mt_result_time(r, i);
    for (size_t j = 0; j < nc && st == MT_OK; j++) {
        mt_predicted_drug *pd = &out->drugs[j];
        const mt_regimen *g = &p->reg[j];
        snprintf(pd->drug, sizeof pd->drug, "%s", g->drug);
        if (!(pd->conc_mg_l = malloc(nr * sizeof *pd->conc_mg_l))) {
            st = mt_error(p->ctx, MT_ENOMEM, "out of memory");
            break;
        }
        double peak = 0, atol = o && o->atol > 0 ? o->atol : 1e-9;
        for (size_t i = 0; i < nr; i++) {
            pd->conc_mg_l[i] = mt_result_value(r, i, j);
            peak = fmax(peak, pd->conc_mg_l[i]);
        }
        /* solver noise: once a drug is eliminated the integrator's error (bounded by the
         * absolute tolerance, in mg of the venous amount, so atol / (V_ven B:P) in mg/L of
         * plasma) leaves tiny negative values; they are zero */
        double vbp = ven_bp(p, g->drug);
        double noise = fmax(vbp > 0 ? atol / fmin(vbp, 1.0) : atol, 1e-9 * peak);
        for (size_t i = 0; i < nr; i++)
            if (pd->conc_mg_l[i] < 0 && pd->conc_mg_l[i] >= -noise)
                pd->conc_mg_l[i] = 0;
        /* trough: just before the next dose after the last one, if repeated */
        double trough = g->interval_h > 0 && g->n_doses
                            ? g->doses[g->n_doses - 1].time_h + g->interval_h - 1e-9
                            : NAN;
        if (!(trough <= out->time_h[nr - 1]))
            trough = NAN;
        if (st == MT_OK)
            st = course(p, o, j, nr, out->time_h, pd);
        if (st == MT_OK && p->uri_col[j] >= 0) {
            if (!(pd->urine_mg = malloc(nr * sizeof *pd->urine_mg)))
                st = mt_error(p->ctx, MT_ENOMEM, "out of memory");
            for (size_t i = 0; st == MT_OK && i < nr; i++)
                pd->urine_mg[i] = mt_result_value(r, i, (size_t)p->uri_col[j]);
        }
        if (st != MT_OK)
            break;
        if (mt_exposure_compute(p->ctx, pd->n_course, pd->course_t, pd->course_c, 1, trough,
                                &pd->exposure) != MT_OK) {
            char msg[900];
            snprintf(msg, sizeof msg, "%s", mt_errmsg(p->ctx));
            st = mt_error(p->ctx, MT_EINVAL, "%s: %s", g->drug, msg);
        }
    }
    mt_result_destroy(r);
    if (st != MT_OK)
        mt_prediction_clear(out);
    return st;
}

mt_status mt_predictor_sample(mt_predictor *p, const mt_predict_options *o, size_t n_times,
                              const double *times, double *conc_mg_l)
{
    for (size_t i = 0; i < n_times; i++)
        if (!isfinite(times[i]) || times[i] < 0)
            return mt_error(p->ctx, MT_EINVAL, "predict: sample time %g h is not >= 0", times[i]);
    for (size_t i = 0; i < n_times; i++) {
        size_t same = i;
        for (size_t k = 0; k < i; k++)
            if (times[k] == times[i]) {
                same = k;
                break;
            }
        if (same != i) {
            memcpy(conc_mg_l + i * p->n_drugs, conc_mg_l + same * p->n_drugs,
                   p->n_drugs * sizeof *conc_mg_l);
            continue;
        }
        mt_result *r = NULL;
        mt_status st = times[i] > 0 ? run(p, o, times[i], 1, &r) : run(p, o, 0.0, 0, &r);
        if (st != MT_OK)
            return st;
        size_t last = mt_result_n_rows(r) - 1;
        for (size_t d = 0; d < p->n_drugs; d++)
            conc_mg_l[i * p->n_drugs + d] = mt_result_value(r, last, d);
        mt_result_destroy(r);
    }
    return MT_OK;
}

mt_status mt_predict(mt_ctx *ctx, const mt_twin_tables *t, const mt_profile *person,
                     size_t n_regimens, const mt_regimen *regimens, size_t n_set,
                     const char *const *set_ids, const double *set_values,
                     const mt_predict_options *o, mt_prediction *out)
{
    mt_prediction_clear(out);
    mt_predictor *p = NULL;
    mt_status st = person ? mt_predictor_create_ddi(ctx, t, n_regimens, regimens, NULL, &p)
                          : mt_predictor_create(ctx, n_regimens, regimens, &p);
    if (st == MT_OK)
        st = person ? mt_predictor_derive(p, t, person, NULL) : mt_predictor_defaults(p);
    for (size_t i = 0; i < n_set && st == MT_OK; i++)
        st = mt_predictor_set(p, set_ids[i], set_values[i]);
    if (st == MT_OK)
        st = mt_predictor_run(p, o, out);
    if (st == MT_OK)
        mt_predictor_take_twin(p, &out->twin);
    mt_predictor_destroy(p);
    return st;
}
