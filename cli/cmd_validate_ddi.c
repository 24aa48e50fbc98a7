/* SPDX-License-Identifier: Apache-2.0
 *
 * cli/cmd_validate_ddi.c — `medtwin validate --ddi FILE.csv`: interaction study arms in the
 * structured format of ddi_validation_shared.csv. Each arm is simulated twice in the reference
 * person — the victim alone and victim + perpetrator with the hepatic interactions the cards
 * describe — and the predicted AUC and Cmax ratios over the study's window are compared with
 * the observed ones (fold errors, the Guest criterion). Arms that cannot be simulated are
 * listed with the reason (docs/validation/README.md).
 */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"
#include "validate_cli.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---------- interaction studies ---------- */

static void ddi_row_free(mt_vld_ddi_row *r)
{
    free(r->row_id);
    free(r->study);
    free(r->victim_name);
    free(r->perp_name);
    free(r->mechanism);
    free(r->victim_desc);
    free(r->perp_desc);
    free(r->why);
}

enum { MAX_DOSES = 4096, MAX_ENANT = 4 };

/* A racemate card without values of its own (it only links its enantiomer cards). */
static int racemate_only(const mt_drugcard *c)
{
    for (size_t i = 0; i < mt_drugcard_n_missing(c); i++) {
        const char *f = NULL, *why = NULL;
        if (mt_drugcard_missing(c, i, &f, &why) == MT_OK && f && !strcmp(f, "all values"))
            return 1;
    }
    return 0;
}
#define ELIM_FRACTION 1e-3 /* "to infinity": extrapolated share of the AUC at most this */
#define ELIM_MAX_H 3000.0  /* ... reached within this time after the last victim dose */

/* The amount excreted in urine over [t0, t1] (on the grid, linear between its points). */
static double window_excreted(const mt_prediction *res, const mt_predicted_drug *v, double t0,
                              double t1)
{
    double u[2], at[2] = {t0, t1};
    for (int k = 0; k < 2; k++) {
        size_t i = 1;
        while (i + 1 < res->n_times && res->time_h[i] < at[k])
            i++;
        double ta = res->time_h[i - 1], tb = res->time_h[i],
               w = tb > ta ? (at[k] - ta) / (tb - ta) : 1;
        w = fmin(fmax(w, 0.0), 1.0);
        u[k] = v->urine_mg[i - 1] + w * (v->urine_mg[i] - v->urine_mg[i - 1]);
    }
    return u[1] - u[0];
}

/* The victim's AUC over [t0, t1] and Cmax over the same window in one arm (the predictor
 * p, victim = drug 0), and when clr is not NULL its renal clearance over the window, the amount
 * excreted in urine / the AUC (NaN when the twin integrates no urine amount for it). For t1 = Inf
 * the run is extended (doubling, from 24 h after the last victim dose, at most ELIM_MAX_H) until
 * the extrapolated rest C_last / lambda_z (lambda_z from the log-linear end of the curve,
 * medtwin/exposure.h) is below ELIM_FRACTION of the area so far; the rest is then added (AUC to
 * infinity as non-compartmental analysis defines it, with at most 0.1% extrapolated). */
static int ddi_arm(mt_vld_runner *R, mt_predictor *p, double t0, double t1, double last_dose,
                   double *auc, double *cmax, double *clr, char **why)
{
    double start = fmax(last_dose, t0);
    double until = isfinite(t1) ? t1 : start + 24;
    for (;;) {
        mt_predict_options o = {.until_h = until, .steps = mt_vld_grid_steps(until)};
        mt_prediction res = {0};
        if (mt_predictor_run(p, &o, &res) != MT_OK) {
            *why = mt_vld_strdup(mt_errmsg(R->ctx));
            return -1;
        }
        const mt_predicted_drug *v = &res.drugs[0];
        size_t n = v->n_course;
        /* the course: the grid with each later IV bolus as a jump (medtwin/predict.h) */
        *cmax = mt_validate_max_window(n, v->course_t, v->course_c, t0, until);
        *auc = mt_validate_auc_window(n, v->course_t, v->course_c, t0, fmin(t1, until));
        double lz = v->exposure.lambda_z, rest = lz > 0 ? v->course_c[n - 1] / lz : INFINITY;
        int done = isfinite(t1) || (*auc > 0 && rest < ELIM_FRACTION * *auc);
        if (clr) /* renal clearance over the window (its end: the run's, past 99.9% of the AUC) */
            *clr = v->urine_mg ? window_excreted(&res, v, t0, fmin(t1, until)) /
                                     mt_validate_auc_window(n, v->course_t, v->course_c, t0,
                                                            fmin(t1, until))
                               : NAN;
        mt_prediction_clear(&res);
        if (done) {
            if (!isfinite(t1))
                *auc += rest;
            return 0;
        }
        if (until - start >= ELIM_MAX_H) {
            *why =
                mt_vld_printf("the victim's AUC to infinity is not within %g%% by %g h after its "
                              "last dose (no terminal log-linear decline)",
                              100 * ELIM_FRACTION, ELIM_MAX_H);
            return -1;
        }
        until = start + fmin(2 * (until - start), ELIM_MAX_H);
    }
}

/* A urine row's comparison (row->urine): its observed 'AUCR' is 1/(renal clearance ratio), so
 * the prediction is CLR alone / CLR with the perpetrator, each the amount excreted unchanged
 * over the row's window / the plasma AUC over it; left out of the plasma figures either way. */
static void urine_row(mt_vld_ddi_row *r, double clr0, double clr1)
{
    double q = clr0 / clr1;
    if (isfinite(q) && q > 0) {
        r->aucr_pred = q;
        r->cmaxr_pred = NAN;
        r->why = mt_vld_printf(
            "urine row: its 'AUCR' is 1/(renal clearance ratio) (qc_flags aucr_is_inverse_CLR); "
            "compared as the twin's renal clearance alone / with the perpetrator (the amount "
            "excreted unchanged over the window / the plasma AUC over it: %.4g / %.4g L/h), not "
            "counted in the plasma figures",
            clr0, clr1);
        return;
    }
    r->why = mt_vld_strdup(
        "urine row: its 'AUCR' is 1/(renal clearance ratio), not a plasma AUC ratio (qc_flags "
        "aucr_is_inverse_CLR); left out: the victim's twin integrates no urine amount (only a "
        "drug with an efflux does, docs/interactions.md, P-gp), so no renal clearance ratio");
}

/* An arm of a study that either card was fitted to (its training_data) is predicted and
 * reported, but left out of the figures: a card cannot be validated on its own training data. */
static int is_training_arm(mt_vld_runner *R, const mt_vld_ddi_row *r)
{
    const char *drug[2] = {r->victim, r->perp};
    int hit = 0;
    for (int k = 0; k < 2 && !hit && r->study; k++) {
        mt_drugcard *c = NULL;
        if (mt_drugcard_load(R->ctx, NULL, drug[k], &c) != MT_OK)
            continue;
        hit = mt_drugcard_is_training_study(c, r->study);
        mt_drugcard_destroy(c);
    }
    return hit;
}

/* The formulation data/validation/ddi_formulations.csv gives drug in the arm row_id, or NULL. */
static const char *arm_formulation(const mt_vld_runner *R, const char *row_id, const char *drug)
{
    const mt_csv *f = R->ddi_forms;
    int cr = f ? mt_csv_col(f, "source_file_row") : -1, cd = f ? mt_csv_col(f, "drug") : -1,
        cf = f ? mt_csv_col(f, "formulation") : -1;
    for (size_t i = 0; f && row_id && i < mt_csv_n_rows(f); i++)
        if (!strcmp(mt_vld_cell(f, i, cr), row_id) && !strcmp(mt_vld_cell(f, i, cd), drug))
            return mt_vld_cell(f, i, cf);
    return NULL;
}

static void ddi_row_core(mt_vld_runner *R, const mt_csv *t, size_t i, mt_vld_ddi_row *r,
                         double *buf)
{
#define COL(name) mt_vld_cell(t, i, mt_csv_col(t, name))
    const char *qc = COL("qc_flags"), *comp = COL("compartment");
    r->row_id = mt_vld_strdup(COL("source_file_row"));
    r->study = mt_vld_strdup(COL("study_id"));
    r->victim_name = mt_vld_strdup(COL("victim"));
    r->perp_name = mt_vld_strdup(COL("perpetrator"));
    r->mechanism = mt_vld_strdup(COL("mechanism"));
    r->aucr_obs = mt_vld_num(COL("observed_aucr"));
    r->cmaxr_obs = mt_vld_num(COL("observed_cmaxr"));
    /* A ratio the file marks as dose-corrected is the AUC with the perpetrator over that of a
     * control arm given another victim dose, victim_dose_mg / dose_correction_factor (the
     * source's "Ratios calculated as reported Ratio*Dose(under Rif coadmin)/Dose(control)"):
     * divided by the factor it is the interaction ratio at equal doses, which the twin predicts
     * and the Guest limits are defined for (docs/validation/README.md). */
    const char *fcell = COL("dose_correction_factor");
    double fcorr = *fcell ? mt_vld_num(fcell) : 1.0, aucr_file = r->aucr_obs;
    int bad_fcorr = !(isfinite(fcorr) && fcorr > 0);
    if (bad_fcorr)
        fcorr = 1.0;
    r->aucr_obs /= fcorr;
    r->cmaxr_obs /= fcorr;
    r->aucr_pred = r->cmaxr_pred = NAN;
    r->t0 = r->t1 = NAN;
    double *vt = buf, *va = buf + MAX_DOSES, *pt = buf + 2 * MAX_DOSES, *pa = buf + 3 * MAX_DOSES;
    double w = R->weight_kg;
    long nv = 0, np = 0;

    /* the victim's doses */
    const char *vroute = COL("victim_route"), *proute = COL("perp_route");
    double vdose = mt_vld_num(COL("victim_dose_mg"));
    if (isnan(vdose) && mt_vld_num(COL("victim_dose_mg_per_kg")) > 0)
        vdose = mt_vld_num(COL("victim_dose_mg_per_kg")) * w;
    nv = mt_vld_num_list(COL("victim_times_h"), vt, MAX_DOSES);
    if (nv == 0) {
        double first = mt_vld_num(COL("victim_time_h")), iv = mt_vld_num(COL("victim_interval_h"));
        double nd = mt_vld_num(COL("victim_n_doses"));
        if (isnan(nd))
            nd = 1;
        if (isfinite(first) && nd >= 1 && nd <= MAX_DOSES && (nd == 1 || iv > 0))
            for (nv = 0; nv < (long)nd; nv++)
                vt[nv] = first + (double)nv * (nd > 1 ? iv : 0);
        else
            nv = -1;
    }
    for (long k = 0; k < nv; k++)
        va[k] = vdose;
    /* the perpetrator's */
    double pdose = mt_vld_num(COL("perp_dose_mg"));
    np = mt_vld_num_list(COL("perp_times_h"), pt, MAX_DOSES);
    if (np == 0) {
        double iv = mt_vld_num(COL("perp_interval_h")), nd = mt_vld_num(COL("perp_n_doses"));
        if (isnan(nd))
            nd = 1;
        if (nd >= 1 && nd <= MAX_DOSES && (nd == 1 || iv > 0))
            for (np = 0; np < (long)nd; np++)
                pt[np] = (double)np * (nd > 1 ? iv : 0);
        else
            np = -1;
    }
    long npa = mt_vld_num_list(COL("perp_doses_mg"), pa, MAX_DOSES);
    if (npa == 0)
        for (long k = 0; k < np; k++)
            pa[k] = pdose;
    const char *t0s = COL("auc_t0_h"), *t1s = COL("auc_t1_h");
    r->t0 = *t0s ? mt_vld_num(t0s) : (nv > 0 ? vt[0] : NAN);
    r->t1 = !*t1s || mt_vld_ieq(t1s, "inf") ? INFINITY : mt_vld_num(t1s);
    char corr[128] = "";
    if (fcorr != 1.0)
        snprintf(corr, sizeof corr,
                 " (control %.4g mg; observed ratio %.4g / dose correction factor %.4g)",
                 vdose / fcorr, aucr_file, fcorr);
    r->victim_desc =
        nv > 1    ? mt_vld_printf("%.4g mg %s × %ld from %g h%s", vdose, vroute, nv, vt[0], corr)
        : nv == 1 ? mt_vld_printf("%.4g mg %s at %g h%s", vdose, vroute, vt[0], corr)
                  : mt_vld_printf("%.4g mg %s%s", vdose, vroute, corr);
    r->perp_desc = np > 1 ? mt_vld_printf("%.4g mg %s × %ld (%g–%g h)", np > 0 ? pa[0] : pdose,
                                          proute, np, pt[0], pt[np - 1])
                          : mt_vld_printf("%.4g mg %s at 0 h", pdose, proute);

    /* a urine row is left out of the plasma figures; it is compared as 1/(renal clearance
     * ratio) when the victim's twin integrates its urine (below) */
    r->urine = r->left_out = strstr(qc, "aucr_is_inverse_CLR") != NULL;
    if (!r->urine && !(mt_vld_ieq(comp, "plasma") || mt_vld_ieq(comp, "serum") ||
                       mt_vld_ieq(comp, "whole blood") || mt_vld_ieq(comp, "blood") || !*comp)) {
        r->why = mt_vld_printf("compartment '%s' is not plasma, serum or blood", comp);
        r->left_out = 1;
        return;
    }
    if (!(r->aucr_obs > 0)) {
        r->why = mt_vld_strdup("no observed AUC ratio");
        return;
    }
    if (bad_fcorr) {
        r->why = mt_vld_printf("dose_correction_factor '%s' is not a positive number", fcell);
        return;
    }
    if (!mt_vld_card_name(r->victim_name, r->victim, sizeof r->victim) ||
        !mt_vld_card_name(r->perp_name, r->perp, sizeof r->perp)) {
        r->why =
            mt_vld_printf("'%s' or '%s' cannot be a drug card name", r->victim_name, r->perp_name);
        return;
    }
    if (!strcmp(r->victim, r->perp)) {
        r->why = mt_vld_strdup("victim and perpetrator are the same drug");
        return;
    }
    r->training = is_training_arm(R, r);
    mt_dose_route rv, rp;
    if (mt_vld_ieq(vroute, "po") || mt_vld_ieq(vroute, "iv"))
        rv = mt_vld_ieq(vroute, "po") ? MT_DOSE_PO : MT_DOSE_IV_BOLUS;
    else {
        r->why = mt_vld_printf("victim route '%s' is neither po nor iv", vroute);
        return;
    }
    if (mt_vld_ieq(proute, "po") || mt_vld_ieq(proute, "iv"))
        rp = mt_vld_ieq(proute, "po") ? MT_DOSE_PO : MT_DOSE_IV_BOLUS;
    else {
        r->why = mt_vld_printf("perpetrator route '%s' is neither po nor iv", proute);
        return;
    }
    if (nv <= 0 || !(vdose > 0)) {
        r->why = mt_vld_strdup("the victim's dose or dosing times are not given as numbers");
        return;
    }
    if (np <= 0 || npa < 0 || (npa > 0 && npa != np)) {
        r->why = mt_vld_strdup("the perpetrator's doses or dosing times are not given as numbers "
                               "(or their counts differ)");
        return;
    }
    for (long k = 0; k < np; k++)
        if (!(pa[k] > 0) || !(pt[k] >= 0)) {
            r->why = mt_vld_strdup("a perpetrator dose is not a positive amount at a time >= 0");
            return;
        }
    for (long k = 0; k < nv; k++)
        if (!(vt[k] >= 0)) {
            r->why = mt_vld_strdup("a victim dose time is before the first perpetrator dose (< 0)");
            return;
        }
    if (!(r->t0 >= 0) || !(r->t1 > r->t0)) {
        r->why = mt_vld_printf("the AUC window '%s'..'%s' is not a time interval", t0s, t1s);
        return;
    }
    /* a racemic perpetrator whose card only links its enantiomers: the dose split equally
     * between the enantiomer cards (docs/drug-cards.md), each a perpetrator of its own */
    const char *perps[MAX_ENANT] = {r->perp};
    char enant[MAX_ENANT][64]; /* copies: the card is released before the names are last used */
    size_t n_perp = 1;
    mt_drugcard *rc = NULL;
    if (mt_drugcard_load(R->ctx, NULL, r->perp, &rc) == MT_OK &&
        mt_drugcard_n_enantiomers(rc) > 0 && mt_drugcard_n_enantiomers(rc) <= MAX_ENANT &&
        racemate_only(rc)) {
        n_perp = mt_drugcard_n_enantiomers(rc);
        for (size_t k = 0; k < n_perp; k++) {
            const char *en = mt_drugcard_enantiomer(rc, k);
            snprintf(enant[k], sizeof enant[k], "%s", en ? en : "");
            perps[k] = enant[k];
            mt_drugcard *ec = NULL; /* an enantiomer card's training studies count too */
            if (r->study && mt_drugcard_load(R->ctx, NULL, perps[k], &ec) == MT_OK)
                r->training |= mt_drugcard_is_training_study(ec, r->study);
            mt_drugcard_destroy(ec);
        }
        for (long k = 0; k < np; k++)
            pa[k] /= (double)n_perp;
    }
    mt_regimen reg[1 + MAX_ENANT];
    size_t n_reg = 0;
    int oom = mt_vld_regimen(&reg[n_reg++], r->victim, rv, (size_t)nv, vt, va);
    for (size_t k = 0; k < n_perp && !oom; k++)
        oom = mt_vld_regimen(&reg[n_reg++], perps[k], rp, (size_t)np, pt, pa);
    mt_drugcard_destroy(rc);
    /* the formulation the arm's source states for a drug (data/validation/ddi_formulations.csv);
     * without one an oral dose is a solution */
    for (size_t k = 0; k < n_reg && !oom; k++) {
        const char *f = arm_formulation(R, r->row_id, reg[k].drug);
        if (!f)
            continue;
        snprintf(reg[k].formulation, sizeof reg[k].formulation, "%s", f);
        char **desc = k ? &r->perp_desc : &r->victim_desc;
        char *d = mt_vld_printf("%s as %s", *desc, reg[k].formulation);
        free(*desc);
        *desc = d;
    }
    if (oom) {
        r->why = mt_vld_strdup("out of memory");
        for (size_t k = 0; k < n_reg; k++)
            mt_regimen_clear(&reg[k]);
        return;
    }
    mt_predictor *alone = NULL, *both = mt_vld_predictor(R, n_reg, reg, &r->why);
    if (both && !mt_predictor_interacts(both, 0)) {
        /* the twin's facts say why a card interaction is not modelled */
        const mt_twin_param_list *tw = mt_predictor_twin(both);
        char *facts = mt_vld_strdup("");
        for (size_t q = 0; q < n_perp; q++) {
            char prefix[96];
            snprintf(prefix, sizeof prefix, "interaction.%s.", perps[q]);
            for (size_t k = 0; k < tw->n_facts; k++)
                if (!strncmp(tw->facts[k].key, prefix, strlen(prefix))) {
                    char *nf = mt_vld_printf("%s%s%s: %s %s", facts, *facts ? "; " : "",
                                             tw->facts[k].key, tw->facts[k].text, tw->facts[k].how);
                    free(facts);
                    facts = nf;
                }
        }
        r->why = mt_vld_printf("the twin models no interaction of %s on %s's hepatic clearance%s%s",
                               r->perp, r->victim,
                               *facts ? " ("
                                      : " (the perpetrator's card has no "
                                        "interaction on the victim's "
                                        "enzymes",
                               *facts ? facts : "");
        free(facts);
        char *closed = mt_vld_printf("%s)", r->why);
        free(r->why);
        r->why = closed;
    }
    if (!r->why)
        alone = mt_vld_predictor(R, 1, reg, &r->why);
    double last = vt[nv - 1], auc0 = NAN, auc1 = NAN, c0 = NAN, c1 = NAN, clr0 = NAN, clr1 = NAN;
    if (!r->why &&
        !ddi_arm(R, alone, r->t0, r->t1, last, &auc0, &c0, r->urine ? &clr0 : NULL, &r->why) &&
        !ddi_arm(R, both, r->t0, r->t1, last, &auc1, &c1, r->urine ? &clr1 : NULL, &r->why)) {
        if (r->urine) {
            urine_row(r, clr0, clr1);
        } else {
            r->aucr_pred = auc1 / auc0;
            r->cmaxr_pred = c1 / c0;
            r->predicted = isfinite(r->aucr_pred) && r->aucr_pred > 0;
            if (!r->predicted)
                r->why =
                    mt_vld_strdup("the predicted AUC of the victim alone is zero or undefined");
        }
    } else if (r->urine && r->why) {
        char *msg = mt_vld_printf("urine row (1/(renal clearance ratio), left out of the plasma "
                                  "figures), not compared: %s",
                                  r->why);
        free(r->why);
        r->why = msg;
    }
    mt_predictor_destroy(alone);
    mt_predictor_destroy(both);
    for (size_t k = 0; k < n_reg; k++)
        mt_regimen_clear(&reg[k]);
#undef COL
}

/* One study arm: victim alone and with the perpetrator (r filled; r->why when not
 * predicted). */
static void run_ddi_row(mt_vld_runner *R, const mt_csv *t, size_t i, mt_vld_ddi_row *r)
{
    double *buf = calloc(4 * MAX_DOSES, sizeof *buf);
    if (!buf) {
        r->why = mt_vld_strdup("out of memory");
        return;
    }
    ddi_row_core(R, t, i, r, buf);
    free(buf);
}

static int plot_guest(mt_vld_runner *R, const char *file, const char *title, const char *what,
                      size_t n_sets, const mt_plot_points *s)
{
    if (!R->a->out)
        return 0;
    enum { NG = 200 };
    double gx[NG], gu[NG], gl[NG], lx[2] = {1e-6, 1e6}, one[2] = {1e-6, 1e6}, two[2] = {2e-6, 2e6},
                                   half[2] = {0.5e-6, 0.5e6};
    for (int k = 0; k < NG; k++) {
        gx[k] = pow(10, -2 + 4.0 * k / (NG - 1));
        double lim = mt_validate_guest_limit(gx[k]);
        gu[k] = gx[k] * lim;
        gl[k] = gx[k] / lim;
    }
    mt_plot_curve c[5] = {{"unity", 2, lx, one, 0},
                          {"Guest limits", NG, gx, gu, 2},
                          {"", NG, gx, gl, 2},
                          {"2-fold", 2, lx, two, 1},
                          {"", 2, lx, half, 1}};
    char xl[96], yl[96];
    snprintf(xl, sizeof xl, "observed %s", what);
    snprintf(yl, sizeof yl, "predicted %s", what);
    /* at least 0.1..10: the ratios of weak to strong interactions, with or without points */
    mt_plot_xy_options o = {.title = title,
                            .xlabel = xl,
                            .ylabel = yl,
                            .log_x = 1,
                            .log_y = 1,
                            .same_range = 1,
                            .cover_lo = 0.1,
                            .cover_hi = 10};
    char *path = mt_vld_printf("%s/%s", R->a->out, file);
    mt_status st = mt_plot_xy(R->ctx, path, &o, n_sets, s, 5, c);
    free(path);
    return st == MT_OK ? 0 : mt_cli_fail("validate: %s", mt_errmsg(R->ctx));
}

static size_t guest_count(size_t n, const double *obs, const double *pred, size_t *n_used)
{
    size_t k = 0;
    *n_used = 0;
    for (size_t i = 0; i < n; i++) {
        int w = mt_validate_guest_within(obs[i], pred[i]);
        if (w >= 0)
            (*n_used)++;
        if (w == 1)
            k++;
    }
    return k;
}

const char *const mt_vld_mechanisms[4] = {"Induction", "Reversible_Inhibition",
                                          "Mechanism_based_Inactivation", NULL};

void mt_vld_ddi_summarise(const mt_vld_ddi_row *rows, size_t n, const char *mechanism,
                          mt_vld_ddi_summary *s)
{
    memset(s, 0, sizeof *s);
    double *ao = calloc(n + 1, sizeof *ao), *ap = calloc(n + 1, sizeof *ap);
    double *co = calloc(n + 1, sizeof *co), *cp = calloc(n + 1, sizeof *cp);
    size_t na = 0, nc = 0;
    double *uo = calloc(n + 1, sizeof *uo), *up = calloc(n + 1, sizeof *up);
    size_t nu = 0;
    for (size_t i = 0; ao && ap && co && cp && uo && up && i < n; i++) {
        const mt_vld_ddi_row *r = &rows[i];
        if (mechanism && strcmp(r->mechanism ? r->mechanism : "", mechanism) != 0)
            continue;
        s->n_rows++;
        s->n_left_out += r->left_out != 0;
        if (r->urine && isfinite(r->aucr_pred) && !r->training && r->aucr_obs > 0) {
            uo[nu] = r->aucr_obs;
            up[nu++] = r->aucr_pred;
        }
        if (!r->predicted)
            continue;
        s->n_pred++;
        s->n_training += r->training != 0;
        if (r->training)
            continue;
        ao[na] = r->aucr_obs;
        ap[na++] = r->aucr_pred;
        if (r->cmaxr_obs > 0 && isfinite(r->cmaxr_pred)) {
            co[nc] = r->cmaxr_obs;
            cp[nc++] = r->cmaxr_pred;
        }
    }
    mt_validate_folds(na, ap, ao, &s->aucr);
    mt_validate_folds(nc, cp, co, &s->cmaxr);
    s->aucr_guest = guest_count(na, ao, ap, &s->aucr_guest_n);
    s->cmaxr_guest = guest_count(nc, co, cp, &s->cmaxr_guest_n);
    mt_validate_folds(nu, up, uo, &s->urine);
    s->urine_guest = guest_count(nu, uo, up, &s->urine_guest_n);
    free(uo);
    free(up);
    free(ao);
    free(ap);
    free(co);
    free(cp);
}

/* data/validation/ddi_formulations.csv into R->ddi_forms: every row names an arm, a drug card
 * name, a formulation id and its source (docs/validation/README.md). 0 or the exit status. */
static int load_forms(mt_vld_runner *R)
{
    if (R->ddi_forms)
        return 0;
    char *path = mt_vld_printf("%s/validation/ddi_formulations.csv", mt_data_dir());
    mt_csv *f = NULL;
    int rc = 0;
    if (mt_csv_read(R->ctx, path, 1 << 20, &f) != MT_OK) {
        rc = mt_cli_fail("validate: %s", mt_errmsg(R->ctx));
        goto done;
    }
    static const char *const cols[] = {"source_file_row", "drug", "formulation", "source"};
    for (size_t k = 0; k < 4 && !rc; k++)
        mt_vld_need_col(f, path, "the formulation table", cols[k], &rc);
    for (size_t i = 0; !rc && i < mt_csv_n_rows(f); i++) {
        const char *row = mt_vld_cell(f, i, mt_csv_col(f, "source_file_row")),
                   *drug = mt_vld_cell(f, i, mt_csv_col(f, "drug")),
                   *form = mt_vld_cell(f, i, mt_csv_col(f, "formulation")),
                   *src = mt_vld_cell(f, i, mt_csv_col(f, "source"));
        char name[64];
        if (!*row || !*form || !*src || !mt_vld_card_name(drug, name, sizeof name) ||
            strcmp(name, drug))
            rc = mt_cli_fail("validate: %s line %zu: needs an arm (source_file_row), a drug card "
                             "name, a formulation id and its source",
                             path, i + 2);
        for (size_t j = 0; !rc && j < i; j++)
            if (!strcmp(row, mt_vld_cell(f, j, mt_csv_col(f, "source_file_row"))) &&
                !strcmp(drug, mt_vld_cell(f, j, mt_csv_col(f, "drug"))))
                rc = mt_cli_fail("validate: %s line %zu: arm %s, %s is listed twice", path, i + 2,
                                 row, drug);
    }
done:
    if (rc)
        mt_csv_destroy(f);
    else
        R->ddi_forms = f;
    free(path);
    return rc;
}

int mt_vld_ddi_run(mt_vld_runner *R, mt_vld_ddi_row **rows_out, size_t *n_out)
{
    const mt_vld_args *a = R->a;
    *rows_out = NULL;
    *n_out = 0;
    mt_csv *t = NULL;
    if (mt_csv_read(R->ctx, a->ddi, 0, &t) != MT_OK)
        return mt_cli_fail("validate: --ddi: %s", mt_errmsg(R->ctx));
    int rc = load_forms(R);
    if (rc) {
        mt_csv_destroy(t);
        return rc;
    }
    static const char *const required[] = {"study_id",     "victim",        "victim_dose_mg",
                                           "victim_route", "victim_time_h", "perpetrator",
                                           "perp_dose_mg", "perp_route",    "perp_interval_h",
                                           "perp_n_doses", "observed_aucr", "observed_cmaxr"};
    for (size_t k = 0; k < sizeof required / sizeof required[0]; k++)
        mt_vld_need_col(t, a->ddi, "--ddi", required[k], &rc);
    size_t n = mt_csv_n_rows(t);
    mt_vld_ddi_row *rows = calloc(n + 1, sizeof *rows);
    if (!rc && !rows)
        rc = mt_cli_fail("out of memory");
    for (size_t i = 0; !rc && i < n; i++) {
        run_ddi_row(R, t, i, &rows[i]);
        if (!a->quiet)
            fprintf(stderr, "validate: [%zu/%zu] %s %s + %s: %s\n", i + 1, n, rows[i].study,
                    rows[i].victim_name, rows[i].perp_name,
                    rows[i].predicted ? "predicted" : "not predicted");
    }
    mt_csv_destroy(t);
    if (rc) {
        mt_vld_ddi_rows_free(rows, n);
        return rc;
    }
    *rows_out = rows;
    *n_out = n;
    return 0;
}

void mt_vld_ddi_rows_free(mt_vld_ddi_row *rows, size_t n)
{
    for (size_t i = 0; rows && i < n; i++)
        ddi_row_free(&rows[i]);
    free(rows);
}

/* The Guest plots, one point set per mechanism (and one for arms without a stated one). */
static int ddi_plots(mt_vld_runner *R, const mt_vld_ddi_row *rows, size_t n)
{
    double *buf = calloc(20 * (n + 1), sizeof *buf);
    if (!buf)
        return mt_cli_fail("out of memory");
    mt_plot_points sa[5], sc[5];
    size_t na = 0, nc = 0;
    static const char *const label[5] = {"induction", "reversible", "mechanism-based", "other",
                                         "training arm (not counted)"};
    for (int m = 0; m < 5; m++) {
        double *ax = buf + (size_t)(4 * m) * (n + 1), *ay = ax + (n + 1), *cx = ay + (n + 1),
               *cy = cx + (n + 1);
        size_t ka = 0, kc = 0;
        for (size_t i = 0; i < n; i++) {
            const mt_vld_ddi_row *r = &rows[i];
            int k = 3;
            for (int j = 0; j < 3; j++)
                if (r->mechanism && !strcmp(r->mechanism, mt_vld_mechanisms[j]))
                    k = j;
            if (r->training)
                k = 4;
            if (!r->predicted || k != m)
                continue;
            ax[ka] = r->aucr_obs;
            ay[ka++] = r->aucr_pred;
            if (r->cmaxr_obs > 0 && isfinite(r->cmaxr_pred)) {
                cx[kc] = r->cmaxr_obs;
                cy[kc++] = r->cmaxr_pred;
            }
        }
        if (ka)
            sa[na++] = (mt_plot_points){label[m], ka, ax, ay};
        if (kc)
            sc[nc++] = (mt_plot_points){label[m], kc, cx, cy};
    }
    /* a plot without points still shows the limits */
    if (!na)
        sa[na++] = (mt_plot_points){"no predicted arm", 0, buf, buf};
    if (!nc)
        sc[nc++] = (mt_plot_points){"no predicted arm", 0, buf, buf};
    int rc =
        plot_guest(R, "guest_aucr.png", "AUC ratio: predicted vs observed", "AUC ratio", na, sa);
    if (!rc)
        rc = plot_guest(R, "guest_cmaxr.png", "Cmax ratio: predicted vs observed", "Cmax ratio", nc,
                        sc);
    free(buf);
    return rc;
}

static void ddi_results_csv(FILE *f, const mt_vld_ddi_row *rows, size_t n)
{
    fputs("source_file_row,study_id,victim,perpetrator,mechanism,victim_regimen,"
          "perpetrator_regimen,auc_t0_h,auc_t1_h,aucr_obs,aucr_pred,aucr_fold,"
          "aucr_guest,cmaxr_obs,cmaxr_pred,cmaxr_fold,cmaxr_guest,status,reason,training_study\n",
          f);
    for (size_t i = 0; i < n; i++) {
        const mt_vld_ddi_row *r = &rows[i];
        const char *s[] = {r->row_id,    r->study,       r->victim_name, r->perp_name,
                           r->mechanism, r->victim_desc, r->perp_desc};
        for (size_t k = 0; k < 7; k++) {
            mt_vld_csv_str(f, s[k]);
            fputc(',', f);
        }
        mt_vld_csv_num(f, r->t0);
        fputc(',', f);
        if (isinf(r->t1))
            fputs("inf", f);
        else
            mt_vld_csv_num(f, r->t1);
        int gA = mt_validate_guest_within(r->aucr_obs, r->aucr_pred);
        int gC = mt_validate_guest_within(r->cmaxr_obs, r->cmaxr_pred);
        fputc(',', f);
        mt_vld_csv_num(f, r->aucr_obs);
        fputc(',', f);
        mt_vld_csv_num(f, r->aucr_pred);
        fputc(',', f);
        mt_vld_csv_num(f, r->aucr_pred / r->aucr_obs);
        fprintf(f, ",%s,", gA < 0 ? "" : gA ? "yes" : "no");
        mt_vld_csv_num(f, r->cmaxr_obs);
        fputc(',', f);
        mt_vld_csv_num(f, r->cmaxr_pred);
        fputc(',', f);
        mt_vld_csv_num(f, r->cmaxr_pred / r->cmaxr_obs);
        fprintf(f, ",%s,%s,",
                gC < 0 ? ""
                : gC   ? "yes"
                       : "no",
                r->predicted                         ? "predicted"
                : r->urine && isfinite(r->aucr_pred) ? "compared (urine)"
                                                     : "not predicted");
        mt_vld_csv_str(f, r->why);
        fprintf(f, ",%d\n", r->training);
    }
}

static void ddi_summary_row_md(FILE *g, const char *what, const mt_fold_summary *s, size_t gk,
                               size_t gn)
{
    char b1[32], b2[32];
    fprintf(g, "| %s | %zu | %s | %s | %zu of %zu | %zu | %zu |\n", what, s->n,
            mt_vld_fmt(b1, sizeof b1, s->gmfe), mt_vld_fmt(b2, sizeof b2, s->bias), gk, gn,
            s->n_125, s->n_2);
}

static void ddi_report_md(FILE *g, mt_vld_runner *R, const mt_vld_ddi_row *rows, size_t n)
{
    const mt_vld_args *a = R->a;
    mt_vld_ddi_summary s;
    mt_vld_ddi_summarise(rows, n, NULL, &s);
    char b1[32], b2[32], b3[32], b4[32];
    mt_vld_tally rt = {0};
    char *from =
        mt_vld_printf("`medtwin validate --ddi` (medtwin %s) from `%s`", mt_version(), a->ddi);
    mt_vld_report_head(g, R, "Validation: drug-drug interaction studies", from);
    free(from);
    fprintf(g, "**%zu study arms: %zu predicted, %zu not predicted.**\n\n", n, s.n_pred,
            n - s.n_pred);
    fprintf(g,
            "%zu of the predicted arms are of a study the victim's or the perpetrator's card "
            "was fitted to (its `training_data`, marked *training* below): they are shown "
            "but not counted in the figures.\n\n",
            s.n_training);
    fprintf(g, "| ratio | n | GMFE | geometric mean pred/obs | within Guest limits | "
               "within 1.25-fold | within 2-fold |\n|---|---|---|---|---|---|---|\n");
    ddi_summary_row_md(g, "AUC ratio", &s.aucr, s.aucr_guest, s.aucr_guest_n);
    ddi_summary_row_md(g, "Cmax ratio", &s.cmaxr, s.cmaxr_guest, s.cmaxr_guest_n);
    ddi_summary_row_md(g, "urine rows: 1/(renal clearance ratio), not in the figures above",
                       &s.urine, s.urine_guest, s.urine_guest_n);
    fprintf(g, "\n![AUC ratio, Guest plot](guest_aucr.png)\n\n"
               "![Cmax ratio, Guest plot](guest_cmaxr.png)\n\n");
    fprintf(g, "## Predicted study arms\n\n| study | victim | perpetrator | mechanism | AUCR obs "
               "| AUCR pred | Guest | CmaxR obs | CmaxR pred |\n"
               "|---|---|---|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < n; i++) {
        const mt_vld_ddi_row *r = &rows[i];
        if (!r->predicted)
            continue;
        int gA = mt_validate_guest_within(r->aucr_obs, r->aucr_pred);
        fputs("| ", g);
        mt_vld_md_str(g, r->study);
        if (r->training)
            fputs(" *training*", g);
        fprintf(g, " | %s %s | %s %s | %s | %s | %s | %s | %s | %s |\n", r->victim_name,
                r->victim_desc, r->perp_name, r->perp_desc, r->mechanism,
                mt_vld_fmt(b1, sizeof b1, r->aucr_obs), mt_vld_fmt(b2, sizeof b2, r->aucr_pred),
                gA == 1   ? "yes"
                : gA == 0 ? "no"
                          : "–",
                mt_vld_fmt(b3, sizeof b3, r->cmaxr_obs), mt_vld_fmt(b4, sizeof b4, r->cmaxr_pred));
    }
    if (!s.n_pred)
        fprintf(g, "| (none) | | | | | | | | |\n");
    fprintf(g, "\n## Not predicted\n\n| row | study | victim | perpetrator | reason "
               "|\n|---|---|---|---|---|\n");
    for (size_t i = 0; i < n; i++) {
        const mt_vld_ddi_row *r = &rows[i];
        if (r->predicted)
            continue;
        size_t k = mt_vld_tally_add(&rt, r->why ? r->why : "");
        fprintf(g, "| %s | ", r->row_id);
        mt_vld_md_str(g, r->study);
        fprintf(g, " | %s %s | %s %s | R%zu |\n", r->victim_name, r->victim_desc, r->perp_name,
                r->perp_desc, k);
    }
    if (n == s.n_pred)
        fprintf(g, "| (none) | | | | |\n");
    mt_vld_reasons_md(g, &rt);
}

int mt_vld_ddi_report(mt_vld_runner *R, const mt_vld_ddi_row *rows, size_t n)
{
    const mt_vld_args *a = R->a;
    int rc = a->out ? ddi_plots(R, rows, n) : 0;
    if (!rc && a->out) {
        char *csv = NULL, *md = NULL;
        size_t csv_len = 0, md_len = 0;
        FILE *f = open_memstream(&csv, &csv_len);
        if (f) {
            ddi_results_csv(f, rows, n);
            fclose(f);
        }
        FILE *g = open_memstream(&md, &md_len);
        if (g) {
            ddi_report_md(g, R, rows, n);
            fclose(g);
        }
        rc = mt_vld_write_reports(a->out, f && g, csv, md);
    }
    if (!rc && !a->embedded) {
        mt_vld_ddi_summary s;
        mt_vld_ddi_summarise(rows, n, NULL, &s);
        printf("validate: %zu predicted (%zu of training studies), %zu not predicted", s.n_pred,
               s.n_training, n - s.n_pred);
        if (s.aucr.n)
            printf("; AUC ratio GMFE %.3g, within Guest limits %zu of %zu", s.aucr.gmfe,
                   s.aucr_guest, s.aucr_guest_n);
        putchar('\n');
    }
    return rc;
}

int mt_vld_ddi(mt_vld_runner *R)
{
    mt_vld_ddi_row *rows = NULL;
    size_t n = 0;
    int rc = mt_vld_ddi_run(R, &rows, &n);
    if (!rc)
        rc = mt_vld_ddi_report(R, rows, n);
    mt_vld_ddi_rows_free(rows, n);
    return rc;
}
