/* SPDX-License-Identifier: Apache-2.0
 *
 * cli/cmd_qualify_html.c — index.html of `medtwin qualify` (cli/qualify_cli.h): one
 * self-contained page (inline style, no scripts, no external assets; the PNG plots are the
 * files beside it) with the acceptance figures, each set's summary, plots and per-row
 * tables, the rows not predicted with their reasons, and the comparisons for which the
 * project ships no observed data. Every number comes from the run; the only line that
 * depends on the clock is the one marked "timestamp".
 */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"
#include "qualify_cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void esc(FILE *f, const char *s)
{
    for (s = s ? s : ""; *s; s++) {
        switch (*s) {
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '&':
            fputs("&amp;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        default:
            fputc(*s, f);
        }
    }
}

/* A number cell: "%.3g" or "–". */
static void num(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, "<td>%.3g</td>", v);
    else
        fputs("<td>–</td>", f);
}

static double fig(const mt_qfy_run *q, const char *set, const char *figure, size_t *n)
{
    const mt_qfy_figure *g = mt_qfy_find(q, set, figure);
    if (n)
        *n = g ? g->n : 0;
    return g ? g->value : NAN;
}

/* One acceptance row: the figure, the target, met or not. */
static void target_row(FILE *f, const mt_qfy_run *q, const char *what, const char *set,
                       const char *figure, int ceiling, double target)
{
    size_t n;
    double v = fig(q, set, figure, &n);
    int met = isfinite(v) && (ceiling ? v <= target : v >= target);
    fputs("<tr><td>", f);
    esc(f, what);
    fprintf(f, "</td><td>%zu</td>", n);
    num(f, v);
    fprintf(f, "<td>%s %g</td><td class=\"%s\">%s</td></tr>\n", ceiling ? "≤" : "≥", target,
            met ? "ok" : "no", met ? "met" : "not met");
}

static void folds_row(FILE *f, const mt_qfy_run *q, const char *label, const char *set,
                      const char *what, const char *suffix)
{
    char name[4][64];
    static const char *const k[4] = {"gmfe", "within_1.25fold_pct", "within_1.5fold_pct",
                                     "within_2fold_pct"};
    size_t n = 0;
    fputs("<tr><td>", f);
    esc(f, label);
    fputs("</td>", f);
    double v[4];
    for (int i = 0; i < 4; i++) {
        snprintf(name[i], sizeof name[i], "%s_%s%s", what, k[i], suffix);
        v[i] = fig(q, set, name[i], &n);
    }
    fprintf(f, "<td>%zu</td>", n);
    for (int i = 0; i < 4; i++)
        num(f, v[i]);
    fputs("</tr>\n", f);
}

static const char *const folds_head =
    "<tr><th>measure</th><th>n</th><th>GMFE</th><th>% within 1.25-fold</th><th>% within "
    "1.5-fold</th><th>% within 2-fold</th></tr>\n";

/* The datasets of a concentration-time set: one row each, then those not predicted. */
static void dataset_table(FILE *f, const mt_vld_dataset_list *l, const mt_qfy_set *q, int arms)
{
    fprintf(f,
            "<table>\n<tr><th>dataset</th>%s<th>route</th><th>dose (mg)</th><th>AUC "
            "obs</th><th>AUC pred</th><th>fold</th><th>Cmax obs</th><th>Cmax "
            "pred</th><th>fold</th></tr>\n",
            arms ? "<th>person</th>" : "");
    for (size_t i = 0; i < l->n; i++) {
        const mt_vld_dataset *d = &l->d[i];
        if (!d->predicted)
            continue;
        fputs("<tr><td>", f);
        esc(f, d->name);
        if (d->training)
            fputs(" <em>(training study: not in the held-out figures)</em>", f);
        fputs("</td>", f);
        if (arms) {
            fputs("<td>", f);
            for (size_t k = 0; k < q->n_arms; k++)
                if (!strcmp(q->arms[k].dataset, d->name)) {
                    esc(f, q->arms[k].covariates);
                    fputs("<br><small>", f);
                    esc(f, q->arms[k].source);
                    fputs("</small>", f);
                }
            fputs("</td>", f);
        }
        fprintf(f, "<td>%s</td>", d->po ? "po" : "iv");
        num(f, d->dose_mg);
        num(f, d->auc_obs);
        num(f, d->auc_pred);
        num(f, d->auc_pred / d->auc_obs);
        num(f, d->cmax_obs);
        num(f, d->cmax_pred);
        num(f, d->cmax_pred / d->cmax_obs);
        fputs("</tr>\n", f);
    }
    fputs("</table>\n<p>AUC(t1–tlast) in mg·h/L by trapezoids at the observed times, Cmax in "
          "mg/L (oral doses); fold = predicted / observed.</p>\n",
          f);
    size_t n_not = 0;
    for (size_t i = 0; i < l->n; i++)
        n_not += !l->d[i].predicted;
    fprintf(f, "<p><b>Not predicted: %zu.</b></p>\n", n_not);
    if (!n_not)
        return;
    fputs("<table>\n<tr><th>dataset</th><th>reason</th></tr>\n", f);
    for (size_t i = 0; i < l->n; i++) {
        if (l->d[i].predicted)
            continue;
        fputs("<tr><td>", f);
        esc(f, l->d[i].name);
        fputs("</td><td>", f);
        esc(f, l->d[i].why);
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);
}

/* A set's heading, its anchor the set's name. */
static void section_head(FILE *f, const mt_qfy_set *s)
{
    fprintf(f, "<h2 id=\"%s\">", s->name);
    esc(f, s->title);
    fprintf(f, " <small>(set <code>%s</code>)</small></h2>\n", s->name);
}

static void datasets_section(FILE *f, const mt_qfy_run *q, const mt_qfy_set *s)
{
    const char *n = s->name;
    section_head(f, s);
    fputs("<table>\n", f);
    fputs(folds_head, f);
    folds_row(f, q, "AUC, held out", n, "auc", "_heldout");
    folds_row(f, q, "AUC oral, held out", n, "auc_po", "_heldout");
    folds_row(f, q, "AUC IV, held out", n, "auc_iv", "_heldout");
    folds_row(f, q, "Cmax oral, held out", n, "cmax_po", "_heldout");
    folds_row(f, q, "AUC, all predicted (with training studies)", n, "auc", "_all");
    folds_row(f, q, "Cmax oral, all predicted", n, "cmax_po", "_all");
    fprintf(f,
            "</table>\n<p>Held out: without the datasets of studies the drug card's fitted "
            "values were estimated from (its <code>training_data</code>).</p>\n"
            "<p><img src=\"%s/auc.png\" alt=\"AUC, observed vs predicted\"> "
            "<img src=\"%s/cmax.png\" alt=\"Cmax, observed vs predicted\"></p>\n",
            n, n);
    fputs("<h3>Per drug and dataset</h3>\n", f);
    /* one table per drug, in order of first appearance */
    for (size_t i = 0; i < s->l.n; i++) {
        const char *drug = s->l.d[i].drug;
        int seen = 0;
        for (size_t k = 0; k < i && !seen; k++)
            seen = !strcmp(s->l.d[k].drug, drug);
        if (seen)
            continue;
        mt_vld_dataset_list one = {0, 0, calloc(s->l.n, sizeof *one.d)};
        for (size_t k = i; one.d && k < s->l.n; k++)
            if (!strcmp(s->l.d[k].drug, drug))
                one.d[one.n++] = s->l.d[k];
        fputs("<h4>", f);
        esc(f, *drug ? drug : "(no drug card name)");
        fprintf(f, " (%zu datasets)</h4>\n", one.n);
        dataset_table(f, &one, s, 0);
        free(one.d); /* the rows are s's, borrowed */
    }
}

static void ddi_section(FILE *f, const mt_qfy_run *q, const mt_qfy_set *ds)
{
    section_head(f, ds);
    fputs("<table>\n<tr><th>arms</th><th>"
          "n</th><th>predicted</th><th>of them training arms (not counted)</th><th>left "
          "out</th><th>AUCR within Guest</th><th>AUCR % "
          "within 2-fold</th><th>AUCR GMFE</th><th>CmaxR within Guest</th><th>CmaxR % within "
          "2-fold</th></tr>\n",
          f);
    static const char *const label[4] = {"all", "induction", "reversible inhibition",
                                         "mechanism-based inactivation"};
    for (int m = 0; m < 4; m++) {
        char set[48];
        if (m)
            snprintf(set, sizeof set, "%.20s_%s", ds->name, mt_vld_mechanisms[m - 1]);
        else
            snprintf(set, sizeof set, "%s", ds->name);
        size_t n;
        fprintf(f, "<tr><td>%s</td>", label[m]);
        fprintf(f, "<td>%.0f</td><td>%.0f</td><td>%.0f</td><td>%.0f</td>",
                fig(q, set, "n_arms", NULL), fig(q, set, "n_predicted", NULL),
                fig(q, set, "n_training", NULL), fig(q, set, "n_left_out", NULL));
        double g = fig(q, set, "aucr_within_guest_pct", &n);
        if (isfinite(g))
            fprintf(f, "<td>%.0f%% (n %zu)</td>", g, n);
        else
            fputs("<td>–</td>", f);
        num(f, fig(q, set, "aucr_within_2fold_pct", NULL));
        num(f, fig(q, set, "aucr_gmfe", NULL));
        g = fig(q, set, "cmaxr_within_guest_pct", &n);
        if (isfinite(g))
            fprintf(f, "<td>%.0f%% (n %zu)</td>", g, n);
        else
            fputs("<td>–</td>", f);
        num(f, fig(q, set, "cmaxr_within_2fold_pct", NULL));
        fputs("</tr>\n", f);
    }
    fputs("</table>\n<p>Guest criterion: Guest EJ et al., Drug Metab Dispos 2011;39:170–173. "
          "Urine rows (<code>qc_flags aucr_is_inverse_CLR</code>: their ratio is 1/(renal "
          "clearance ratio)) are left out of these figures. Where the victim's twin integrates "
          "its urine (a drug with an efflux, docs/interactions.md, P-gp) they are compared "
          "separately as the twin's renal clearance alone / with the perpetrator",
          f);
    size_t nu;
    double gu = fig(q, ds->name, "urine_within_guest_pct", &nu);
    if (isfinite(gu))
        fprintf(f, ": %.0f%% within Guest (n %zu), %.0f%% within 2-fold, GMFE %.3g", gu, nu,
                fig(q, ds->name, "urine_within_2fold_pct", NULL),
                fig(q, ds->name, "urine_gmfe", NULL));
    fputs(".</p>\n", f);
    fprintf(f,
            "<p><img src=\"%s/guest_aucr.png\" alt=\"AUC ratio Guest plot\"> "
            "<img src=\"%s/guest_cmaxr.png\" alt=\"Cmax ratio Guest plot\"></p>\n",
            ds->name, ds->name);
    /* per victim + perpetrator pair */
    fputs("<h3>Per drug pair</h3>\n<table>\n<tr><th>victim</th><th>perpetrator</th><th>arms"
          "</th><th>predicted</th><th>AUCR within Guest</th><th>AUCR GMFE</th></tr>\n",
          f);
    for (size_t i = 0; i < ds->n_ddi; i++) {
        const mt_vld_ddi_row *r = &ds->ddi[i];
        int seen = 0;
        for (size_t k = 0; k < i && !seen; k++)
            seen = !strcmp(ds->ddi[k].victim_name, r->victim_name) &&
                   !strcmp(ds->ddi[k].perp_name, r->perp_name);
        if (seen)
            continue;
        size_t n = 0, np = 0, ng = 0, gin = 0;
        double *o = calloc(ds->n_ddi, sizeof *o), *p = calloc(ds->n_ddi, sizeof *p);
        for (size_t k = i; o && p && k < ds->n_ddi; k++) {
            const mt_vld_ddi_row *s = &ds->ddi[k];
            if (strcmp(s->victim_name, r->victim_name) != 0 ||
                strcmp(s->perp_name, r->perp_name) != 0)
                continue;
            n++;
            if (!s->predicted || s->training)
                continue;
            o[np] = s->aucr_obs;
            p[np++] = s->aucr_pred;
            int w = mt_validate_guest_within(s->aucr_obs, s->aucr_pred);
            ng += w >= 0;
            gin += w == 1;
        }
        mt_fold_summary fs;
        mt_validate_folds(np, p, o, &fs);
        free(o);
        free(p);
        fputs("<tr><td>", f);
        esc(f, r->victim_name);
        fputs("</td><td>", f);
        esc(f, r->perp_name);
        fprintf(f, "</td><td>%zu</td><td>%zu</td>", n, np);
        if (ng)
            fprintf(f, "<td>%zu of %zu</td>", gin, ng);
        else
            fputs("<td>–</td>", f);
        num(f, np ? fs.gmfe : NAN);
        fputs("</tr>\n", f);
    }
    fputs("</table>\n<h3>Predicted arms</h3>\n<table>\n<tr><th>row</th><th>study</th><th>"
          "victim</th><th>perpetrator</th><th>mechanism</th><th>AUCR obs</th><th>AUCR pred</th>"
          "<th>Guest</th><th>CmaxR obs</th><th>CmaxR pred</th><th>counted</th></tr>\n",
          f);
    for (size_t i = 0; i < ds->n_ddi; i++) {
        const mt_vld_ddi_row *r = &ds->ddi[i];
        if (!r->predicted)
            continue;
        int w = mt_validate_guest_within(r->aucr_obs, r->aucr_pred);
        const char *t[5] = {r->row_id, r->study, r->victim_desc, r->perp_desc, r->mechanism};
        fputs("<tr>", f);
        for (int k = 0; k < 5; k++) {
            fputs("<td>", f);
            if (k == 2 || k == 3) {
                esc(f, k == 2 ? r->victim_name : r->perp_name);
                fputc(' ', f);
            }
            esc(f, t[k]);
            fputs("</td>", f);
        }
        num(f, r->aucr_obs);
        num(f, r->aucr_pred);
        fprintf(f, "<td>%s</td>", w == 1 ? "yes" : w == 0 ? "no" : "–");
        num(f, r->cmaxr_obs);
        num(f, r->cmaxr_pred);
        fputs(r->training ? "<td>no: training study of a card</td>" : "<td>yes</td>", f);
        fputs("</tr>\n", f);
    }
    fputs("</table>\n<h3>Arms not predicted, with the reason</h3>\n<table>\n<tr><th>row</th>"
          "<th>study</th><th>victim</th><th>perpetrator</th><th>status</th><th>reason (short; "
          "in full in ddi/results.csv)</th></tr>\n",
          f);
    mt_vld_tally t = {0};
    for (size_t i = 0; i < ds->n_ddi; i++) {
        const mt_vld_ddi_row *r = &ds->ddi[i];
        if (r->predicted)
            continue;
        size_t k = mt_vld_tally_add(&t, r->why ? r->why : "");
        const char *t4[4] = {r->row_id, r->study, r->victim_name, r->perp_name};
        fputs("<tr>", f);
        for (int j = 0; j < 4; j++) {
            fputs("<td>", f);
            esc(f, t4[j]);
            fputs("</td>", f);
        }
        fprintf(f, "<td>%s</td><td>", r->left_out ? "left out" : "not predicted");
        esc(f, k ? t.reason[k - 1] : r->why);
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);
    mt_vld_tally_free(&t);
}

static void arms_section(FILE *f, const mt_qfy_run *run, const mt_qfy_set *q)
{
    section_head(f, q);
    fputs(""
          "<p>Datasets of study arms that differ in a stated genotype or in age, sex and "
          "weight, each predicted in a person made from the arm's covariates as the study "
          "states them (the set's arms file, which names the source of each value and every "
          "assumption). The ratio compares an arm with its "
          "study's reference arm: AUC(t1–tlast) of each arm over its own observed times.</p>\n"
          "<table>\n",
          f);
    fputs(folds_head, f);
    folds_row(f, run, "AUC of the arms", q->name, "auc", "_heldout");
    folds_row(f, run, "Cmax oral of the arms", q->name, "cmax_po", "_heldout");
    folds_row(f, run, "AUC ratio arm / reference arm", q->name, "auc_ratio", "");
    fputs("</table>\n<table>\n<tr><th>comparison</th><th>arm</th><th>reference arm</th><th>"
          "AUC ratio obs</th><th>AUC ratio pred</th><th>fold</th><th>note</th></tr>\n",
          f);
    for (size_t i = 0; i < q->n_arms; i++) {
        const mt_qfy_arm *a = &q->arms[i];
        const mt_vld_dataset *d = mt_qfy_arm_dataset(q, a->dataset),
                             *r =
                                 *a->reference_arm ? mt_qfy_arm_dataset(q, a->reference_arm) : NULL;
        if (!r || d == r)
            continue;
        const char *ra = "";
        for (size_t k = 0; k < q->n_arms; k++)
            if (!strcmp(q->arms[k].dataset, a->reference_arm))
                ra = q->arms[k].arm;
        double ro = NAN, rp = NAN;
        if (d && d->predicted && r->predicted) {
            ro = d->auc_obs / r->auc_obs;
            rp = d->auc_pred / r->auc_pred;
        }
        fputs("<tr><td>", f);
        esc(f, a->comparison);
        fputs("</td><td>", f);
        esc(f, a->arm);
        fputs("</td><td>", f);
        esc(f, ra);
        fputs("</td>", f);
        num(f, ro);
        num(f, rp);
        num(f, rp / ro);
        fputs("<td>", f);
        if (a->gene_on_card == 0) {
            fputs("the drug card names no ", f);
            esc(f, a->gene);
            fputs(" pathway (its pharmacogenomic entries), so the twin gives every genotype the "
                  "same clearance: the predicted ratio differs from 1 only by the arms' "
                  "different sampling times",
                  f);
        } else if (!isfinite(rp))
            fputs("not predicted (see below)", f);
        fputs("</td></tr>\n", f);
    }
    fprintf(f,
            "</table>\n<p><img src=\"%s/auc.png\" alt=\"arms AUC\"> "
            "<img src=\"%s/cmax.png\" alt=\"arms Cmax\"></p>\n",
            q->name, q->name);
    dataset_table(f, &q->l, q, 1);
}

static void missing_section(FILE *f)
{
    fputs("<h2 id=\"missing\">Comparisons without shipped observed data</h2>\n"
          "<p>The issue asks for these; the project has no observed data for them, so nothing "
          "is compared (no value is taken from memory). What was searched: "
          "<code>../shared/data/clinical/</code> (OSP midazolam observed data, the DDI tables, "
          "theophylline, warfarin (nlmixr2data: PK/PD without genotypes), phenobarbital) and "
          "<code>../shared/data/drugs/drug_literature_tables_raw.csv</code> (the OSP models' "
          "reference lists: citations, no concentrations or exposure ratios).</p>\n<table>\n"
          "<tr><th>comparison</th><th>what is missing</th></tr>\n"
          "<tr><td>omeprazole: CYP2C19 poor vs normal metabolisers</td><td>no concentration "
          "data or AUC ratios by CYP2C19 genotype</td></tr>\n"
          "<tr><td>warfarin: CYP2C9 and VKORC1 genotypes</td><td>no concentration data or "
          "clearance ratios by genotype (nlmixr2data warfarin has weight, age and sex, no "
          "genotypes)</td></tr>\n"
          "<tr><td>renal impairment</td><td>no observed data in renally impaired subjects "
          "(only citations, e.g. alprazolam in renal insufficiency, in the OSP reference "
          "lists)</td></tr>\n"
          "<tr><td>age (beyond midazolam)</td><td>only the midazolam Greenblatt 1984 arms "
          "(young and elderly men) above</td></tr>\n</table>\n",
          f);
}

int mt_qfy_write_html(const mt_qfy_run *q, const char *stamp)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return mt_cli_fail("out of memory");
    fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
               "<title>medtwin qualification</title>\n<style>\n"
               "body{font-family:sans-serif;max-width:70em;margin:1em auto;padding:0 1em}\n"
               "table{border-collapse:collapse;margin:.5em 0}\n"
               "td,th{border:1px solid #bbb;padding:.2em .5em;font-size:90%%;text-align:left}\n"
               "th{background:#eee}\n.ok{color:#060}\n.no{color:#a00;font-weight:bold}\n"
               "img{max-width:48%%}\n</style>\n</head>\n<body>\n");
    fprintf(f, "<h1>medtwin qualification%s</h1>\n", q->reduced ? " (reduced)" : "");
    fprintf(f,
            "<p>Generated by <code>medtwin qualify%s</code> (medtwin %s) from "
            "<code>data/qualification/</code>. Every number below is in "
            "<a href=\"summary.csv\">summary.csv</a> and each set's results.csv. Method: "
            "docs/validation/README.md; this report: docs/qualification.md. Nothing is "
            "fitted or tuned to these data.</p>\n",
            q->reduced ? " --reduced" : "", mt_version());
    fprintf(f,
            "<p class=\"stamp\">Generated at %s <!-- timestamp: the only line that differs "
            "between two runs --></p>\n",
            stamp);
    fputs("<h2>Acceptance figures (issue #9)</h2>\n<table>\n<tr><th>figure</th><th>n</th><th>"
          "value</th><th>target</th><th>status</th></tr>\n",
          f);
    target_row(f, q, "midazolam AUC held out: % within 2-fold", "midazolam",
               "auc_within_2fold_pct_heldout", 0, 80);
    target_row(f, q, "midazolam AUC held out: GMFE", "midazolam", "auc_gmfe_heldout", 1, 1.5);
    target_row(f, q, "midazolam oral Cmax held out: % within 2-fold", "midazolam",
               "cmax_po_within_2fold_pct_heldout", 0, 80);
    target_row(f, q, "midazolam oral Cmax held out: GMFE", "midazolam", "cmax_po_gmfe_heldout", 1,
               1.5);
    target_row(f, q, "DDI AUC ratio: % within Guest limits", "ddi", "aucr_within_guest_pct", 0, 80);
    target_row(f, q, "DDI AUC ratio: % within 2-fold", "ddi", "aucr_within_2fold_pct", 0, 90);
    fputs("</table>\n<p>n: the rows behind each figure. Where a target is not met, the "
          "sections below show where (the rows and their folds) and the rows that could not "
          "be predicted give the reason; docs/qualification.md discusses why.</p>\n"
          "<h2>Sets</h2>\n<table>\n<tr><th>set</th><th>kind</th><th>what</th><th>results"
          "</th></tr>\n",
          f);
    static const char *const kind[3] = {"datasets", "ddi", "arms"};
    for (size_t i = 0; i < q->n_sets; i++) {
        const mt_qfy_set *s = &q->sets[i];
        fprintf(f, "<tr><td><a href=\"#%s\">%s</a></td><td>%s</td><td>", s->name, s->name,
                kind[s->kind]);
        esc(f, s->title);
        fprintf(f,
                "</td><td><a href=\"%s/results.csv\">results.csv</a>, <a "
                "href=\"%s/report.md\">report.md</a></td></tr>\n",
                s->name, s->name);
    }
    fputs("<tr><td><a href=\"#missing\">(none)</a></td><td></td><td>comparisons without "
          "shipped data</td><td></td></tr>\n</table>\n",
          f);
    for (size_t i = 0; i < q->n_sets; i++) {
        const mt_qfy_set *s = &q->sets[i];
        if (s->kind == MT_QFY_DDI)
            ddi_section(f, q, s);
        else if (s->kind == MT_QFY_ARMS)
            arms_section(f, q, s);
        else
            datasets_section(f, q, s);
    }
    missing_section(f);
    fputs("</body>\n</html>\n", f);
    fclose(f);
    if (!text)
        return mt_cli_fail("out of memory");
    int rc = mt_vld_write_file(q->out, "index.html", text);
    free(text);
    return rc;
}
