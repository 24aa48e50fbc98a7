/* SPDX-License-Identifier: Apache-2.0
 *
 * cli/cmd_predict.c — `medtwin predict`: regimen(s) -> whole-body PBPK twin
 * -> concentration curves, exposure metrics, result.json and a plot; and
 * `medtwin twin <sub-command>` (export: the twin as SBML).
 *
 * A thin client of medtwin/predict.h: the twin's parameters are derived from
 * --patient and the drug cards, or given (`--given FILE.csv [--row N]`,
 * `--set id=value`; a name without the drug suffix applies to every drug of
 * the regimen); given values override derived ones. A parameter left unset
 * is an error naming it.
 */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"
#include "medtwin/csv.h"
#include "medtwin/drugcard.h"
#include "medtwin/exposure.h"
#include "medtwin/interval.h"
#include "medtwin/pbpk.h"
#include "medtwin/predict.h"
#include "medtwin/profile.h"
#include "medtwin/regimen.h"
#include "medtwin/twin.h"
#include "twin_json.h"
#include "twin_show.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_REGIMENS 16

static const char *const help =
    "usage: medtwin predict --regimen TEXT [--regimen TEXT ...] [options]\n"
    "\n"
    "Builds the whole-body PBPK twin for the regimen(s) and predicts plasma\n"
    "concentrations and exposure.\n"
    "\n"
    "  --patient FILE     patient profile (JSON) or HL7 FHIR R4 Bundle: the twin's\n"
    "                     parameters are derived from it and the drug cards\n"
    "                     (--given and --set still override single values)\n"
    "  --regimen TEXT     e.g. \"omeprazole 20 mg po once\",\n"
    "                     \"clarithromycin 500 mg po q12h x 5d\" (repeatable);\n"
    "                     \"as ID\" names an oral formulation of the drug card,\n"
    "                     e.g. \"itraconazole 200 mg po q24h as capsule_fed\"\n"
    "  --until T          end of the prediction (e.g. 48h, 2d; default 24h)\n"
    "  --given FILE.csv   twin parameters by id (columns), e.g. V_liv, Q_ha,\n"
    "                     Kp_liv, CL_H, ka; one twin per row\n"
    "  --row N            which row of --given (default 0)\n"
    "  --set id=value     one parameter (repeatable; after --given)\n"
    "  --steps N          output intervals (default: one per minute)\n"
    "  --rtol R --atol A  solver tolerances (default 1e-6, 1e-9 mg)\n"
    "  --out FILE.json    write the result there (default: standard output)\n"
    "  --plot FILE.png|.svg  plasma concentration curves\n"
    "  --interval P       with --patient: the population prediction interval, the\n"
    "                     central P% of the curves and exposures of virtual people who\n"
    "                     share every fact the profile states (the rest drawn from the\n"
    "                     European population; docs/interval.md), e.g. 90\n"
    "  --people N         virtual people for --interval (default 200)\n"
    "  --seed S           their random stream (default 1)\n";

typedef struct {
    const char *cmd; /* "predict" or "twin export" */
    const char *regimen[MAX_REGIMENS];
    int n_regimen;
    const char *given, *out, *plot, *patient;
    long row, steps, people;
    double until_h, rtol, atol, interval; /* interval: 0 none, else the central share */
    unsigned long long seed;
    char **set;
    int n_set;
} args;

static const char *const twin_help;

static int parse_args(int argc, char **argv, args *a)
{
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        if (!strcmp(o, "--help") || !strcmp(o, "-h")) {
            fputs(strcmp(a->cmd, "predict") ? twin_help : help, stdout);
            exit(0);
        }
        if (i + 1 >= argc)
            return mt_cli_fail("%s: option %s needs a value", a->cmd, o);
        const char *v = argv[++i];
        if (!strcmp(o, "--regimen")) {
            if (a->n_regimen == MAX_REGIMENS)
                return mt_cli_fail("%s: at most %d regimens", a->cmd, MAX_REGIMENS);
            a->regimen[a->n_regimen++] = v;
        } else if (!strcmp(o, "--until")) {
            if (mt_parse_duration_h(v, &a->until_h) || !(a->until_h > 0))
                return mt_cli_fail("%s: --until: '%s' is not a positive time (e.g. 48h)", a->cmd,
                                   v);
        } else if (!strcmp(o, "--given")) {
            a->given = v;
        } else if (!strcmp(o, "--patient")) {
            a->patient = v;
        } else if (!strcmp(o, "--row")) {
            if (mt_cli_parse_long(v, &a->row) || a->row < 0)
                return mt_cli_fail("%s: --row: '%s' is not a row number", a->cmd, v);
        } else if (!strcmp(o, "--set")) {
            a->set[a->n_set++] = argv[i];
        } else if (!strcmp(o, "--steps")) {
            if (mt_cli_parse_long(v, &a->steps) || a->steps < 1 || a->steps > 10000000)
                return mt_cli_fail("%s: --steps: '%s' is not a positive integer", a->cmd, v);
        } else if (!strcmp(o, "--rtol")) {
            if (mt_cli_parse_double(v, &a->rtol) || !(a->rtol > 0) || a->rtol >= 1)
                return mt_cli_fail("%s: --rtol: '%s' is not a number in (0, 1)", a->cmd, v);
        } else if (!strcmp(o, "--atol")) {
            if (mt_cli_parse_double(v, &a->atol) || !(a->atol > 0))
                return mt_cli_fail("%s: --atol: '%s' is not a positive number", a->cmd, v);
        } else if (!strcmp(o, "--out")) {
            a->out = v;
        } else if (!strcmp(o, "--plot")) {
            a->plot = v;
        } else if (!strcmp(a->cmd, "predict") && !strcmp(o, "--interval")) {
            double x;
            size_t n = strlen(v);
            char buf[64];
            snprintf(buf, sizeof buf, "%.*s", (int)(n && v[n - 1] == '%' ? n - 1 : n), v);
            if (mt_cli_parse_double(buf, &x) || !(x > 0 && x < 100))
                return mt_cli_fail("%s: --interval: '%s' is not a share in percent between 0 and "
                                   "100 (e.g. 90)",
                                   a->cmd, v);
            a->interval = x / 100.0;
        } else if (!strcmp(a->cmd, "predict") && !strcmp(o, "--people")) {
            if (mt_cli_parse_long(v, &a->people) || a->people < 2 || a->people > 100000)
                return mt_cli_fail("%s: --people: '%s' is not a number of people (2-100000)",
                                   a->cmd, v);
        } else if (!strcmp(a->cmd, "predict") && !strcmp(o, "--seed")) {
            long x;
            if (mt_cli_parse_long(v, &x) || x < 1)
                return mt_cli_fail("%s: --seed: '%s' is not a positive integer", a->cmd, v);
            a->seed = (unsigned long long)x;
        } else {
            return mt_cli_fail("%s: unknown option '%s' (see medtwin %s --help)", a->cmd, o,
                               a->cmd);
        }
    }
    if (!a->n_regimen)
        return mt_cli_fail("%s: no --regimen given (see medtwin %s --help)", a->cmd, a->cmd);
    if ((a->interval > 0 || a->people || a->seed) && !a->patient)
        return mt_cli_fail("%s: --interval needs --patient (the person the interval is for)",
                           a->cmd);
    if ((a->people || a->seed) && !(a->interval > 0))
        return mt_cli_fail("%s: --people and --seed go with --interval", a->cmd);
    return 0;
}

/* --given and --set, after the derived or default values so that they override them (an id
 * without a drug suffix that the model lacks applies to every drug of the regimen). */
static int collect(mt_ctx *ctx, mt_predictor *pr, const args *a)
{
    if (a->given) {
        mt_csv *t = NULL;
        if (mt_csv_read(ctx, a->given, 0, &t) != MT_OK)
            return mt_cli_fail("%s: --given: %s", a->cmd, mt_errmsg(ctx));
        if ((size_t)a->row >= mt_csv_n_rows(t)) {
            size_t n = mt_csv_n_rows(t);
            mt_csv_destroy(t);
            return mt_cli_fail("%s: --row %ld: %s has %zu rows", a->cmd, a->row, a->given, n);
        }
        for (size_t j = 0; j < mt_csv_n_cols(t); j++) {
            const char *id = mt_csv_header(t, j), *cell = mt_csv_cell(t, (size_t)a->row, j);
            double v;
            int rc = 0;
            mt_status st;
            if (mt_cli_parse_double(cell, &v))
                rc = mt_cli_fail("%s: %s row %ld column %s: '%s' is not a number", a->cmd, a->given,
                                 a->row, id, cell);
            else if ((st = mt_predictor_set(pr, id, v)) == MT_ENOTFOUND)
                rc = mt_cli_fail("%s: %s: column '%s' names no twin parameter", a->cmd, a->given,
                                 id);
            else if (st != MT_OK)
                rc = mt_cli_fail("%s: %s", a->cmd, mt_errmsg(ctx));
            if (rc) {
                mt_csv_destroy(t);
                return rc;
            }
        }
        mt_csv_destroy(t);
    }
    for (int i = 0; i < a->n_set; i++) {
        char buf[256];
        snprintf(buf, sizeof buf, "%s", a->set[i]);
        char *eq = strchr(buf, '=');
        double v;
        mt_status st;
        if (!eq || eq == buf)
            return mt_cli_fail("%s: --set '%s': expected id=value", a->cmd, a->set[i]);
        *eq = '\0';
        if (mt_cli_parse_double(eq + 1, &v))
            return mt_cli_fail("%s: --set %s: '%s' is not a number", a->cmd, buf, eq + 1);
        if ((st = mt_predictor_set(pr, buf, v)) == MT_ENOTFOUND)
            return mt_cli_fail("%s: --set: unknown twin parameter '%s'", a->cmd, buf);
        if (st != MT_OK)
            return mt_cli_fail("%s: %s", a->cmd, mt_errmsg(ctx));
    }
    return 0;
}

/* --patient: the regimen's drug cards (a card problem names --regimen; cards[] outlives the
 * predictor), the twin with the interactions the cards describe among its drugs, and the
 * person's parameters derived from the profile and the cards. */
static int twin_from_patient(mt_ctx *ctx, const args *a, const mt_profile *person,
                             const mt_regimen *reg, mt_drugcard **cards, mt_predictor **pr)
{
    mt_twin_tables *tt = NULL;
    int rc = 0;
    if (mt_twin_tables_load(ctx, NULL, &tt) != MT_OK) {
        rc = mt_cli_fail("%s: %s", a->cmd, mt_errmsg(ctx));
        goto done;
    }
    for (int d = 0; d < a->n_regimen; d++)
        if (mt_drugcard_load(ctx, NULL, reg[d].drug, &cards[d]) != MT_OK) {
            rc = mt_cli_fail("%s: --regimen %s: %s", a->cmd, reg[d].drug, mt_errmsg(ctx));
            goto done;
        }
    if (mt_predictor_create_ddi(ctx, tt, (size_t)a->n_regimen, reg,
                                (const mt_drugcard *const *)cards, pr) != MT_OK) {
        rc = mt_cli_fail("%s: %s", a->cmd, mt_errmsg(ctx));
        goto done;
    }
    if (mt_predictor_derive(*pr, tt, person, NULL) != MT_OK)
        rc = mt_cli_fail("%s: --patient %s: %s", a->cmd, a->patient, mt_errmsg(ctx));
done:
    mt_twin_tables_destroy(tt);
    return rc;
}

/* Parses the regimens, builds the twin (mt_predictor) and sets its parameter values: the
 * definitions F = 1 and BP = 1 without a patient, the derived values with one, then --given
 * and --set. cards[MAX_REGIMENS] (NULL-initialised) receives the cards of a patient's twin;
 * the caller destroys them after the predictor. */
static int make_twin(mt_ctx *ctx, const args *a, mt_regimen *reg, mt_drugcard **cards,
                     mt_predictor **pr)
{
    mt_profile *person = NULL;
    double weight_kg = NAN; /* for per-kg doses */
    if (a->patient) {
        if (mt_profile_load(ctx, a->patient, &person) != MT_OK)
            return mt_cli_fail("%s: --patient: %s", a->cmd, mt_errmsg(ctx));
        weight_kg = mt_profile_weight_kg(person);
    }
    int rc = 0;
    for (int d = 0; d < a->n_regimen && !rc; d++)
        if (mt_regimen_parse(ctx, a->regimen[d], a->until_h, weight_kg, &reg[d]) != MT_OK)
            rc = mt_cli_fail("%s: %s", a->cmd, mt_errmsg(ctx));
    if (!rc && person) {
        rc = twin_from_patient(ctx, a, person, reg, cards, pr);
    } else if (!rc) {
        if (mt_predictor_create(ctx, (size_t)a->n_regimen, reg, pr) != MT_OK)
            rc = mt_cli_fail("%s: %s", a->cmd, mt_errmsg(ctx));
        else if (mt_predictor_defaults(*pr) != MT_OK)
            rc = mt_cli_fail("out of memory");
    }
    mt_profile_destroy(person);
    return rc ? rc : collect(ctx, *pr, a);
}

static json_t *num_array(const double *x, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        json_array_append_new(a, isfinite(x[i]) ? json_real(x[i]) : json_null());
    return a;
}

static json_t *num_or_null(double v) { return isfinite(v) ? json_real(v) : json_null(); }

/* {"patient", "parameters": [...], "facts": [...]} of a derived twin, for result.json; the
 * facts include the metabolites left out (notes). */
static json_t *twin_report(const args *a, const mt_twin_param_list *l,
                           const mt_twin_param_list *notes)
{
    json_t *r = json_object(), *ps = json_array(), *fs = json_array();
    mt_cli_json_params(ps, l);
    mt_cli_json_facts(fs, l);
    mt_cli_json_facts(fs, notes);
    json_object_set_new(r, "patient", json_string(a->patient));
    json_object_set_new(r, "parameters", ps);
    json_object_set_new(r, "facts", fs);
    return r;
}

/* The risk rules (medtwin/risk.h) for the person's phenotypes (the twin's pgx.<GENE> facts) and
 * the predicted drugs with their exposure. *warnings, *effective, *notes: JSON arrays. */
static int risk_report(mt_ctx *ctx, const args *a, const mt_regimen *reg, mt_drugcard *const *cards,
                       const mt_prediction *pr, const mt_twin_param_list *twin, json_t *warnings,
                       json_t *effective, json_t *notes)
{
    mt_risk_rules *rules = NULL;
    if (mt_risk_rules_load(ctx, NULL, &rules) != MT_OK)
        return mt_cli_fail("%s: risk rules: %s", a->cmd, mt_errmsg(ctx));
    size_t n_ph = 0, n_dr = 0;
    mt_risk_phenotype *ph = calloc(twin && twin->n_facts ? twin->n_facts : 1, sizeof *ph);
    mt_risk_drug *dr = calloc(pr->n_drugs ? pr->n_drugs : 1, sizeof *dr);
    int rc = 0;
    if (!ph || !dr)
        rc = mt_cli_fail("out of memory");
    for (size_t i = 0; !rc && twin && i < twin->n_facts; i++) {
        const mt_twin_fact *f = &twin->facts[i];
        if (strncmp(f->key, "pgx.", 4) || !f->text[0] || !strcmp(f->text, "not derived"))
            continue;
        ph[n_ph].gene = f->key + 4;
        ph[n_ph++].phenotype = f->text;
    }
    for (size_t j = 0; !rc && j < pr->n_drugs; j++) {
        /* the drugs given; metabolites formed in the twin are reported, not judged */
        const mt_predicted_drug *g = &pr->drugs[j];
        int given = 0;
        for (int d = 0; d < a->n_regimen; d++)
            if (!strcmp(reg[d].drug, g->drug)) {
                dr[n_dr].card = cards[d];
                given = 1;
            }
        if (!given)
            continue;
        dr[n_dr].name = g->drug;
        dr[n_dr].cmax = g->exposure.cmax;
        dr[n_dr].ctrough = g->exposure.ctrough;
        dr[n_dr++].auc = g->exposure.auc_0_inf;
    }
    mt_risk_report rep = {0};
    if (!rc && mt_risk_evaluate(rules, ctx, n_ph, ph, n_dr, dr, &rep) != MT_OK)
        rc = mt_cli_fail("%s: risk rules: %s", a->cmd, mt_errmsg(ctx));
    for (size_t i = 0; !rc && i < rep.n_warnings; i++) {
        json_array_append_new(warnings, mt_cli_json_warning(&rep.warnings[i]));
    }
    for (size_t i = 0; !rc && i < rep.n_effective; i++) {
        const mt_risk_effective *e = &rep.effective[i];
        json_t *x = json_object();
        json_object_set_new(x, "gene", json_string(e->gene));
        json_object_set_new(x, "phenotype_by_genotype", json_string(e->genotype_phenotype));
        json_object_set_new(x, "effective_phenotype", json_string(e->effective));
        json_object_set_new(x, "converted_by", json_string(e->perpetrator));
        json_object_set_new(x, "source", json_string(e->source));
        json_array_append_new(effective, x);
    }
    for (size_t i = 0; !rc && i < rep.n_notes; i++)
        json_array_append_new(notes, json_string(rep.notes[i]));
    mt_risk_report_free(&rep);
    mt_risk_rules_destroy(rules);
    free(ph);
    free(dr);
    return rc;
}

static json_t *metric_json(const mt_interval_metric *m)
{
    json_t *o = json_object();
    json_object_set_new(o, "lo", num_or_null(m->lo));
    json_object_set_new(o, "median", num_or_null(m->median));
    json_object_set_new(o, "hi", num_or_null(m->hi));
    return o;
}

/* The interval of drug j ({"level", "n_people", "drawn", "lo", "median", "hi", metrics}). */
static json_t *interval_json(const mt_interval *iv, size_t j)
{
    const mt_interval_drug *g = &iv->drugs[j];
    json_t *o = json_object();
    json_object_set_new(o, "level", json_real(iv->level));
    json_object_set_new(o, "n_people", json_integer((json_int_t)iv->n_people));
    json_object_set_new(o, "drawn", json_string(iv->drawn));
    json_object_set_new(o, "lo_mg_per_l", num_array(g->lo, iv->n_times));
    json_object_set_new(o, "median_mg_per_l", num_array(g->median, iv->n_times));
    json_object_set_new(o, "hi_mg_per_l", num_array(g->hi, iv->n_times));
    json_object_set_new(o, "auc_0_24_mg_h_per_l", metric_json(&g->auc_0_24));
    json_object_set_new(o, "auc_0_last_mg_h_per_l", metric_json(&g->auc_0_last));
    json_object_set_new(o, "cmax_mg_per_l", metric_json(&g->cmax));
    json_object_set_new(o, "ctrough_mg_per_l", metric_json(&g->ctrough));
    return o;
}

/* The regimen's formulation (docs/absorption.md, "Formulations"): its dissolution, and the share
 * of a dose still undissolved when it leaves the small intestine on average (1/kge + sum 1/kt of
 * its five segments in the twin), which the large intestine then has to absorb; a note when above
 * 10%. */
static json_t *formulation_json(mt_ctx *ctx, const mt_regimen *r, const mt_twin_param_list *twin)
{
    json_t *o = json_object();
    mt_drugcard *c = NULL;
    mt_formulation f;
    json_object_set_new(o, "id", json_string(r->formulation));
    if (mt_drugcard_load(ctx, NULL, r->drug, &c) != MT_OK ||
        mt_drugcard_formulation(c, r->formulation, &f) != 0) {
        mt_drugcard_destroy(c);
        return o;
    }
    json_object_set_new(o, "description", json_string(f.description ? f.description : ""));
    json_object_set_new(o, "dissolution_time_50_h", json_real(f.t50_h));
    json_object_set_new(o, "dissolution_shape", json_real(f.shape));
    json_object_set_new(o, "lag_time_h", json_real(f.lag_h));
    double t_exit = 0;
    char id[128];
    static const char *const seg[] = {"duo", "jej1", "jej2", "ile1", "ile2"};
    snprintf(id, sizeof id, "kge_%.63s", r->drug);
    const mt_twin_param *p = twin ? mt_twin_param_find(twin, id) : NULL;
    t_exit = p && p->value > 0 ? 1.0 / p->value : NAN;
    for (size_t k = 0; k < sizeof seg / sizeof *seg; k++) {
        snprintf(id, sizeof id, "kt_%s_%.63s", seg[k], r->drug);
        p = twin ? mt_twin_param_find(twin, id) : NULL;
        t_exit += p && p->value > 0 ? 1.0 / p->value : NAN;
    }
    if (isfinite(t_exit)) {
        double tau = t_exit - f.lag_h;
        double u = tau > 0 ? exp(-log(2.0) * pow(tau / f.t50_h, f.shape)) : 1.0;
        json_object_set_new(o, "mean_small_intestine_exit_h", json_real(t_exit));
        json_object_set_new(o, "undissolved_at_exit", json_real(u));
        if (u > 0.1) {
            char msg[512];
            snprintf(msg, sizeof msg,
                     "about %.0f%% of each dose is still undissolved when it leaves the small "
                     "intestine (on average at %.1f h); it dissolves and is absorbed slowly in the "
                     "large intestine, where the twin has no solubility limit and no gut-wall "
                     "metabolism: treat its exposure and timing with care (docs/absorption.md, "
                     "Formulations)",
                     100.0 * u, t_exit);
            json_object_set_new(o, "note", json_string(msg));
        }
    }
    mt_drugcard_destroy(c);
    return o;
}

static int write_result(mt_ctx *ctx, const args *a, const mt_regimen *reg,
                        mt_drugcard *const *cards, const mt_prediction *pr,
                        const mt_twin_param_list *twin, const mt_twin_param_list *notes,
                        const mt_interval *iv)
{
    json_t *root = json_object(), *drugs = json_array(), *regs = json_array();
    for (int d = 0; d < a->n_regimen; d++) {
        json_t *rg = json_object();
        json_object_set_new(rg, "text", json_string(a->regimen[d]));
        json_object_set_new(rg, "drug", json_string(reg[d].drug));
        json_object_set_new(rg, "n_doses", json_integer((json_int_t)reg[d].n_doses));
        json_object_set_new(rg, "dose_mg", json_real(reg[d].dose_mg));
        if (reg[d].formulation[0])
            json_object_set_new(rg, "formulation", formulation_json(ctx, &reg[d], twin));
        json_array_append_new(regs, rg);
    }
    for (size_t j = 0; j < pr->n_drugs; j++) {
        const mt_predicted_drug *g = &pr->drugs[j];
        const mt_exposure *e = &g->exposure;
        json_t *dj = json_object();
        json_object_set_new(dj, "name", json_string(g->drug));
        json_object_set_new(dj, "matrix", json_string("plasma"));
        json_object_set_new(dj, "time_h", num_array(pr->time_h, pr->n_times));
        json_object_set_new(dj, "conc_mg_per_l", num_array(g->conc_mg_l, pr->n_times));
        json_object_set_new(dj, "auc_0_inf_mg_h_per_l", num_or_null(e->auc_0_inf));
        json_object_set_new(dj, "auc_0_24_mg_h_per_l", num_or_null(e->auc_0_24));
        json_object_set_new(dj, "auc_0_last_mg_h_per_l", num_or_null(e->auc_0_last));
        json_object_set_new(dj, "cmax_mg_per_l", num_or_null(e->cmax));
        json_object_set_new(dj, "tmax_h", num_or_null(e->tmax));
        json_object_set_new(dj, "ctrough_mg_per_l", num_or_null(e->ctrough));
        if (g->urine_mg) /* the amount excreted unchanged in urine, where the twin integrates it */
            json_object_set_new(dj, "urine_mg", num_array(g->urine_mg, pr->n_times));
        if (iv && j < iv->n_drugs)
            json_object_set_new(dj, "interval", interval_json(iv, j));
        json_array_append_new(drugs, dj);
    }
    json_object_set_new(root, "regimens", regs);
    json_object_set_new(root, "drugs", drugs);
    json_object_set_new(root, "effects", json_array());
    json_t *warnings = json_array(), *effective = json_array(), *rnotes = json_array();
    json_object_set_new(root, "warnings", warnings);
    if (a->patient) {
        json_object_set_new(root, "effective_phenotypes", effective);
        json_object_set_new(root, "risk_notes", rnotes);
        if (risk_report(ctx, a, reg, cards, pr, twin, warnings, effective, rnotes) != 0) {
            json_decref(root);
            return 1;
        }
    } else {
        json_decref(effective);
        json_decref(rnotes);
    }
    json_t *prov = json_object();
    json_object_set_new(prov, "medtwin_version", json_string(mt_version()));
    json_object_set_new(
        prov, "parameters",
        json_string(a->patient ? (a->given || a->n_set ? "derived from --patient and the drug "
                                                         "cards; --given/--set override"
                                                       : "derived from --patient and the drug "
                                                         "cards")
                    : a->given ? "given (--given/--set)"
                               : "given (--set)"));
    json_object_set_new(root, "provenance", prov);
    if (a->patient)
        json_object_set_new(root, "twin", twin_report(a, twin, notes));
    int rc = 0;
    char *text = json_dumps(root, JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12));
    if (!text) {
        rc = mt_cli_fail("out of memory");
    } else if (a->out) {
        rc = mt_cli_write_text_file(a->out, text);
    } else {
        puts(text);
    }
    free(text);
    json_decref(root);
    return rc;
}

/* The plasma curves of every drug to a PNG or SVG; with an interval, its two ends per drug
 * as further curves ("<drug> 5%", "<drug> 95%" for 90%). */
static int plot_prediction(mt_ctx *ctx, const char *path, const mt_prediction *pr,
                           const mt_interval *iv)
{
    size_t nt = pr->n_times, nd = pr->n_drugs, ni = iv ? iv->n_drugs : 0, ns = nd + 2 * ni;
    double *y = malloc(nt * ns * sizeof *y);
    const char **names = malloc(ns * sizeof *names); /* regimens + metabolites */
    char(*label)[96] = calloc(2 * ni + 1, sizeof *label);
    if (!y || !names || !label) {
        free(y);
        free(names);
        free(label);
        return mt_cli_fail("out of memory");
    }
    for (size_t d = 0; d < nd; d++) {
        names[d] = pr->drugs[d].drug;
        for (size_t i = 0; i < nt; i++)
            y[i * ns + d] = pr->drugs[d].conc_mg_l[i];
    }
    for (size_t d = 0; d < ni; d++) {
        double tail = 50.0 * (1.0 - iv->level);
        snprintf(label[2 * d], sizeof label[0], "%s %g%%", iv->drugs[d].drug, tail);
        snprintf(label[2 * d + 1], sizeof label[0], "%s %g%%", iv->drugs[d].drug, 100.0 - tail);
        names[nd + 2 * d] = label[2 * d];
        names[nd + 2 * d + 1] = label[2 * d + 1];
        for (size_t i = 0; i < nt; i++) {
            y[i * ns + nd + 2 * d] = iv->drugs[d].lo[i];
            y[i * ns + nd + 2 * d + 1] = iv->drugs[d].hi[i];
        }
    }
    mt_status st =
        mt_plot_lines(ctx, path,
                      iv ? "predicted plasma concentration and population prediction interval"
                         : "predicted plasma concentration",
                      "time (h)", "concentration (mg/L)", nt, pr->time_h, ns, y, names);
    free(y);
    free(names);
    free(label);
    return st == MT_OK ? 0 : mt_cli_fail("predict: %s", mt_errmsg(ctx));
}

/* --given/--set again on each virtual person's twin (mt_interval_apply_fn). */
typedef struct {
    mt_ctx *ctx;
    const args *a;
} reapply;

static mt_status apply_overrides(void *ud, mt_predictor *p)
{
    reapply *r = ud;
    return collect(r->ctx, p, r->a) ? MT_EINVAL : MT_OK;
}

/* --interval: the population prediction interval around the person's twin. The person's own
 * twin is moved to *twin first (the predictor's values change with every virtual person). */
static int run_interval(mt_ctx *ctx, const args *a, mt_predictor *pr, const mt_predict_options *o,
                        mt_twin_param_list *twin, mt_interval *iv)
{
    mt_predictor_take_twin(pr, twin);
    mt_profile *person = NULL;
    if (mt_profile_load(ctx, a->patient, &person) != MT_OK)
        return mt_cli_fail("%s: --patient: %s", a->cmd, mt_errmsg(ctx));
    mt_interval_options io = {.n = (size_t)a->people, .level = a->interval, .seed = a->seed};
    reapply r = {ctx, a};
    mt_status st = mt_predict_interval(ctx, pr, NULL, person, o, &io, apply_overrides, &r, iv);
    mt_profile_destroy(person);
    return st == MT_OK ? 0 : mt_cli_fail("%s: --interval: %s", a->cmd, mt_errmsg(ctx));
}

int mt_cmd_predict(int argc, char **argv)
{
    args a = {0};
    a.until_h = 24;
    a.rtol = 1e-6;
    a.atol = 1e-9;
    a.set = calloc((size_t)argc + 1, sizeof *a.set);
    if (!a.set)
        return mt_cli_fail("out of memory");
    mt_regimen reg[MAX_REGIMENS] = {0};
    mt_drugcard *cards[MAX_REGIMENS] = {0};
    mt_ctx *ctx = NULL;
    mt_predictor *pr = NULL;
    mt_prediction res = {0};
    mt_twin_param_list twin = {0};
    mt_interval iv = {0};
    int plotted = 0;
    a.cmd = "predict";
    int rc = parse_args(argc, argv, &a);
    if (rc)
        goto done;
    if (mt_ctx_create(&ctx) != MT_OK) {
        rc = mt_cli_fail("out of memory");
        goto done;
    }
    if ((rc = make_twin(ctx, &a, reg, cards, &pr)) != 0)
        goto done;
    if (mt_predictor_check(pr) != MT_OK) {
        const char *m = mt_errmsg(ctx);
        rc = mt_cli_fail("predict: %s%s", m,
                         strstr(m, "incomplete") ? " (set it with --given or --set)" : "");
        goto done;
    }
    mt_predict_options o = {.until_h = a.until_h, .steps = a.steps, .rtol = a.rtol, .atol = a.atol};
    if (mt_predictor_run(pr, &o, &res) != MT_OK) {
        const char *m = mt_errmsg(ctx);
        rc = mt_cli_fail("predict: %s%s", m,
                         strstr(m, "undefined") ? " (see medtwin predict --help)" : "");
        goto done;
    }
    if (a.interval > 0 && (rc = run_interval(ctx, &a, pr, &o, &twin, &iv)) != 0)
        goto done;
    const mt_interval *ivp = a.interval > 0 ? &iv : NULL;
    /* the plot first: a run that fails leaves no output file behind */
    if (a.plot) {
        rc = plot_prediction(ctx, a.plot, &res, ivp);
        plotted = rc == 0;
    }
    if (!rc)
        rc = write_result(ctx, &a, reg, cards, &res, ivp ? &twin : mt_predictor_twin(pr),
                          mt_predictor_notes(pr), ivp);
    if (rc && plotted)
        remove(a.plot); /* ours, from this run */
done:
    mt_prediction_clear(&res);
    mt_interval_clear(&iv);
    mt_twin_param_list_free(&twin);
    mt_predictor_destroy(pr);
    for (int d = 0; d < MAX_REGIMENS; d++) {
        mt_regimen_clear(&reg[d]);
        mt_drugcard_destroy(cards[d]);
    }
    mt_ctx_destroy(ctx);
    free(a.set);
    return rc;
}

static const char *const twin_help =
    "usage: medtwin twin export --regimen TEXT [--regimen TEXT ...] --out MODEL.xml\n"
    "                           [--patient FILE] [--given FILE.csv [--row N]]\n"
    "                           [--set id=value ...]\n"
    "                           [--until T]\n"
    "\n"
    "       medtwin twin show P.json|bundle.json [--regimen TEXT ...] [--json]\n"
    "\n"
    "export: writes the twin's whole-body PBPK model for the regimen(s) as SBML\n"
    "Level 3 Version 2, with the given parameter values, so any SBML tool can run it.\n"
    "show: the person's twin as derived from a profile (see medtwin twin show --help).\n";

/* `twin export`: the twin's model as SBML with its parameter values. */
static int twin_export(int argc, char **argv)
{
    args a = {0};
    a.cmd = "twin export";
    a.until_h = 24;
    a.set = calloc((size_t)argc + 1, sizeof *a.set);
    if (!a.set)
        return mt_cli_fail("out of memory");
    mt_regimen reg[MAX_REGIMENS] = {0};
    mt_drugcard *cards[MAX_REGIMENS] = {0};
    mt_ctx *ctx = NULL;
    mt_predictor *pr = NULL;
    char *xml = NULL;
    int rc = parse_args(argc, argv, &a);
    if (!rc && !a.out)
        rc = mt_cli_fail("twin export: --out MODEL.xml is required");
    if (!rc && mt_ctx_create(&ctx) != MT_OK)
        rc = mt_cli_fail("out of memory");
    if (!rc)
        rc = make_twin(ctx, &a, reg, cards, &pr);
    if (!rc &&
        mt_model_export_sbml(ctx, mt_predictor_model(pr), mt_predictor_n_values(pr),
                             mt_predictor_value_ids(pr), mt_predictor_values(pr), &xml) != MT_OK)
        rc = mt_cli_fail("twin export: %s", mt_errmsg(ctx));
    if (!rc)
        rc = mt_cli_write_text_file(a.out, xml);
    free(xml);
    mt_predictor_destroy(pr);
    for (int d = 0; d < MAX_REGIMENS; d++) {
        mt_regimen_clear(&reg[d]);
        mt_drugcard_destroy(cards[d]);
    }
    mt_ctx_destroy(ctx);
    free(a.set);
    return rc;
}

/* `medtwin twin <sub-command>`: one row per sub-command. */
static const struct {
    const char *name;
    mt_cmd_fn fn;
} twin_commands[] = {
    {"export", twin_export},
    {"show", mt_cmd_twin_show},
};

int mt_cmd_twin(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(twin_help, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    for (size_t i = 0; i < sizeof twin_commands / sizeof twin_commands[0]; i++)
        if (!strcmp(argv[1], twin_commands[i].name))
            return twin_commands[i].fn(argc - 1, argv + 1);
    return mt_cli_fail("twin: unknown subcommand '%s' (see medtwin twin --help)", argv[1]);
}
