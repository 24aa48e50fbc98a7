/* SPDX-License-Identifier: Apache-2.0
 *
 * cli/cmd_validate.c — `medtwin validate`: the twin's predictions against clinical
 * observations, judged the way PBPK qualification does (docs/validation/README.md).
 *
 *   --observed FILE.csv --meta FILE_meta.csv [--set LIST.csv]
 *       concentration-time datasets in the Open Systems Pharmacology export format (one row
 *       per observation: dataset,time,time_unit,value,value_unit,...; the meta file holds
 *       one JSON object of study properties per dataset). Each dataset is simulated with
 *       its own dose, route and dose time; AUC by linear trapezoids at the observed times on
 *       both sides, and for oral doses Cmax, give fold errors pred/obs.
 *   --ddi FILE.csv
 *       interaction study arms in the structured format of ddi_validation_shared.csv:
 *       victim alone and victim + perpetrator, predicted vs observed AUC and Cmax ratios,
 *       the Guest criterion.
 *
 * Every row that cannot be simulated is listed with its reason (the twin's own message
 * for a card that lacks a value); nothing is dropped silently. The person is a reference
 * individual (data/validation/reference_adult_male.json) unless --patient names another.
 * Input errors (a missing file, malformed CSV, a missing column, a --set dataset absent
 * from the data) stop the command with one line naming the problem.
 *
 * Outputs under --out DIR: report.md, results.csv and PNG plots; one summary line on
 * standard output; progress on standard error (--quiet: none).
 *
 * This file: the command and the concentration-time datasets; the interaction studies are
 * cli/cmd_validate_ddi.c, the shared helpers cli/validate_common.c.
 */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"
#include "validate_cli.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const help =
    "usage: medtwin validate --observed FILE.csv --meta FILE_meta.csv [--set LIST.csv]\n"
    "                        [options]\n"
    "       medtwin validate --ddi FILE.csv [options]\n"
    "\n"
    "Simulates clinical datasets with the twin and compares them with the observations.\n"
    "\n"
    "  --observed FILE    concentration-time observations (columns dataset, time, value;\n"
    "                     optional time_unit, value_unit, dimension, mol_weight_g_per_mol)\n"
    "  --meta FILE        study properties per dataset (columns dataset, properties_json:\n"
    "                     Molecule, Route, Dose, Times of Administration [h], Compartment)\n"
    "  --set LIST         the datasets to run (column dataset; optional route, dose_mg,\n"
    "                     dose_time_h override the meta file); default: every dataset\n"
    "  --ddi FILE         interaction study arms (ddi_validation_shared.csv format)\n"
    "  --patient FILE     the person (default: data/validation/reference_adult_male.json)\n"
    "  --out DIR          write report.md, results.csv and PNG plots there\n"
    "  --quiet            no progress on standard error\n";

/* ---------- concentration-time datasets ---------- */

static int plot_obs_pred(mt_vld_runner *R, const char *file, const char *title, const char *what,
                         size_t n_sets, const mt_plot_points *sets)
{
    if (!R->a->out)
        return 0;
    double lx[2], y[10];
    mt_plot_curve c[5];
    mt_vld_fold_curves(c, lx, y);
    char xl[128], yl[128];
    snprintf(xl, sizeof xl, "observed %s", what);
    snprintf(yl, sizeof yl, "predicted %s", what);
    mt_plot_xy_options o = {
        .title = title, .xlabel = xl, .ylabel = yl, .log_x = 1, .log_y = 1, .same_range = 1};
    char *path = mt_vld_printf("%s/%s", R->a->out, file);
    mt_status st = mt_plot_xy(R->ctx, path, &o, n_sets, sets, 5, c);
    free(path);
    return st == MT_OK ? 0 : mt_cli_fail("validate: %s", mt_errmsg(R->ctx));
}

static void dataset_free(mt_vld_dataset *d)
{
    free(d->name);
    free(d->study);
    free(d->reference);
    free(d->molecule);
    free(d->compartment);
    free(d->dose_text);
    free(d->t);
    free(d->c);
    free(d->p);
    free(d->why);
    free(d->ct);
    free(d->cc);
}

static mt_vld_dataset *find_dataset(mt_vld_dataset_list *l, const char *name)
{
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->d[i].name, name))
            return &l->d[i];
    return NULL;
}

static mt_vld_dataset *add_dataset(mt_vld_dataset_list *l, const char *name)
{
    if (l->n == l->cap) {
        size_t nc = l->cap ? 2 * l->cap : 64;
        mt_vld_dataset *nd = realloc(l->d, nc * sizeof *nd);
        if (!nd) {
            fputs("medtwin: out of memory\n", stderr);
            exit(1);
        }
        l->d = nd;
        l->cap = nc;
    }
    mt_vld_dataset *d = &l->d[l->n++];
    memset(d, 0, sizeof *d);
    d->name = mt_vld_strdup(name);
    d->dose_mg = d->dose_time = NAN;
    d->auc_obs = d->auc_pred = d->cmax_obs = d->cmax_pred = d->cmax_cont = d->tmax_obs = NAN;
    return d;
}

static void not_predicted(mt_vld_dataset *d, char *why)
{
    if (!d->why)
        d->why = why;
    else
        free(why);
}

/* Concentration unit factor to mg/L (mw: g/mol for molar units). NaN if unknown. */
static double unit_factor(const char *u, double mw)
{
    if (mt_vld_ieq(u, "mg/l") || mt_vld_ieq(u, "µg/ml") || mt_vld_ieq(u, "ug/ml") ||
        mt_vld_ieq(u, "mcg/ml"))
        return 1;
    if (mt_vld_ieq(u, "ng/ml") || mt_vld_ieq(u, "µg/l") || mt_vld_ieq(u, "ug/l") ||
        mt_vld_ieq(u, "mcg/l"))
        return 1e-3;
    if (mt_vld_ieq(u, "pg/ml") || mt_vld_ieq(u, "ng/l"))
        return 1e-6;
    if (mt_vld_ieq(u, "µmol/l") || mt_vld_ieq(u, "umol/l"))
        return mw > 0 ? mw * 1e-3 : NAN;
    if (mt_vld_ieq(u, "nmol/l"))
        return mw > 0 ? mw * 1e-6 : NAN;
    return NAN;
}

static double time_factor(const char *u)
{
    if (!*u || mt_vld_ieq(u, "h") || mt_vld_ieq(u, "hour") || mt_vld_ieq(u, "hours"))
        return 1;
    if (mt_vld_ieq(u, "min"))
        return 1.0 / 60;
    if (mt_vld_ieq(u, "d") || mt_vld_ieq(u, "day") || mt_vld_ieq(u, "day(s)") ||
        mt_vld_ieq(u, "days"))
        return 24;
    return NAN;
}

static int read_observed(mt_ctx *ctx, const char *path, mt_vld_dataset_list *l)
{
    mt_csv *t = NULL;
    if (mt_csv_read(ctx, path, 0, &t) != MT_OK)
        return mt_cli_fail("validate: --observed: %s", mt_errmsg(ctx));
    int rc = 0;
    int jd = mt_vld_need_col(t, path, "--observed", "dataset", &rc);
    int jt = mt_vld_need_col(t, path, "--observed", "time", &rc);
    int jv = mt_vld_need_col(t, path, "--observed", "value", &rc);
    int jtu = mt_csv_col(t, "time_unit"), jvu = mt_csv_col(t, "value_unit");
    int jdim = mt_csv_col(t, "dimension"), jmw = mt_csv_col(t, "mol_weight_g_per_mol");
    for (size_t i = 0; !rc && i < mt_csv_n_rows(t); i++) {
        const char *name = mt_vld_cell(t, i, jd);
        if (!*name) {
            rc = mt_cli_fail("validate: --observed %s row %zu: empty dataset name", path, i + 1);
            break;
        }
        double tv = mt_vld_num(mt_vld_cell(t, i, jt)), v = mt_vld_num(mt_vld_cell(t, i, jv));
        if (isnan(tv)) {
            rc = mt_cli_fail("validate: --observed %s row %zu: time '%s' is not a number", path,
                             i + 1, mt_vld_cell(t, i, jt));
            break;
        }
        if (isnan(v)) {
            rc = mt_cli_fail("validate: --observed %s row %zu: value '%s' is not a number", path,
                             i + 1, mt_vld_cell(t, i, jv));
            break;
        }
        mt_vld_dataset *d = find_dataset(l, name);
        if (!d)
            d = add_dataset(l, name);
        const char *dim = mt_vld_cell(t, i, jdim), *vu = jvu >= 0 ? mt_vld_cell(t, i, jvu) : "mg/l";
        double tf = time_factor(mt_vld_cell(t, i, jtu)),
               vf = unit_factor(vu, mt_vld_num(mt_vld_cell(t, i, jmw)));
        if (*dim && strncmp(dim, "Concentration", 13) != 0)
            not_predicted(d, mt_vld_printf("not a concentration (dimension %s)", dim));
        else if (isnan(tf))
            not_predicted(d, mt_vld_printf("time unit '%s' is not known", mt_vld_cell(t, i, jtu)));
        else if (isnan(vf))
            not_predicted(
                d, mt_vld_printf("concentration unit '%s' is not known (or no molar mass)", vu));
        double *nt = realloc(d->t, (d->n_obs + 1) * sizeof *nt);
        double *nc = nt ? realloc(d->c, (d->n_obs + 1) * sizeof *nc) : NULL;
        if (nt)
            d->t = nt;
        if (!nt || !nc) {
            rc = mt_cli_fail("out of memory");
            break;
        }
        d->c = nc;
        d->t[d->n_obs] = tv * (isnan(tf) ? 1 : tf);
        d->c[d->n_obs] = v * (isnan(vf) ? 1 : vf);
        d->n_obs++;
    }
    mt_csv_destroy(t);
    return rc;
}

static const char *json_text(json_t *o, const char *key, char *buf, size_t cap)
{
    json_t *v = json_object_get(o, key);
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_number(v)) {
        snprintf(buf, cap, "%.17g", json_number_value(v));
        return buf;
    }
    return NULL;
}

/* "15 mg", "0.05 mg/kg", "10 µg" -> mg (per-kg with the weight). NaN if not understood. */
static double parse_dose(const char *s, double weight_kg)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || errno || !isfinite(v) || v <= 0)
        return NAN;
    while (*end == ' ')
        end++;
    if (!strcmp(end, "mg"))
        return v;
    if (!strcmp(end, "µg") || !strcmp(end, "ug"))
        return v * 1e-3;
    if (!strcmp(end, "g"))
        return v * 1e3;
    if (!strcmp(end, "mg/kg"))
        return v * weight_kg;
    if (!strcmp(end, "µg/kg") || !strcmp(end, "ug/kg"))
        return v * 1e-3 * weight_kg;
    return NAN;
}

static int read_meta(mt_ctx *ctx, const char *path, mt_vld_dataset_list *l, double weight_kg)
{
    mt_csv *t = NULL;
    if (mt_csv_read(ctx, path, 0, &t) != MT_OK)
        return mt_cli_fail("validate: --meta: %s", mt_errmsg(ctx));
    int rc = 0;
    int jd = mt_vld_need_col(t, path, "--meta", "dataset", &rc);
    int jp = mt_vld_need_col(t, path, "--meta", "properties_json", &rc);
    for (size_t i = 0; !rc && i < mt_csv_n_rows(t); i++) {
        mt_vld_dataset *d = find_dataset(l, mt_vld_cell(t, i, jd));
        if (!d)
            continue; /* meta of a dataset without observations */
        json_error_t je;
        const char *text = mt_vld_cell(t, i, jp);
        json_t *o = json_loads(text, 0, &je);
        if (!json_is_object(o)) {
            json_decref(o);
            rc = mt_cli_fail("validate: --meta %s row %zu: properties_json is not a JSON object "
                             "(%s)",
                             path, i + 1, je.text);
            break;
        }
        char b1[64], b2[64];
        const char *mol = json_text(o, "Molecule", b1, sizeof b1);
        const char *route = json_text(o, "Route", b2, sizeof b2);
        json_t *dv = json_object_get(o, "Dose"),
               *tv = json_object_get(o, "Times of Administration [h]");
        const char *comp = json_string_value(json_object_get(o, "Compartment"));
        free(d->molecule);
        free(d->compartment);
        free(d->study);
        free(d->reference);
        free(d->dose_text);
        d->molecule = mt_vld_strdup(mol);
        d->compartment = mt_vld_strdup(comp);
        d->study = mt_vld_strdup(json_string_value(json_object_get(o, "Study Id")));
        d->reference = mt_vld_strdup(json_string_value(json_object_get(o, "Reference")));
        d->dose_text = mt_vld_strdup(json_is_string(dv) ? json_string_value(dv) : "");
        if (!mol || !mt_vld_card_name(mol, d->drug, sizeof d->drug))
            not_predicted(d, mt_vld_printf("meta: no usable Molecule"));
        if (route && mt_vld_ieq(route, "PO"))
            d->po = 1;
        else if (route && mt_vld_ieq(route, "IV"))
            d->po = 0;
        else
            not_predicted(
                d, mt_vld_printf("meta: route '%s' is neither PO nor IV", route ? route : ""));
        d->dose_mg = json_is_string(dv) ? parse_dose(json_string_value(dv), weight_kg) : NAN;
        d->dose_time = json_is_number(tv) ? json_number_value(tv) : 0.0;
        json_decref(o);
    }
    mt_csv_destroy(t);
    return rc;
}

/* --set: which datasets, with optional route/dose/time overrides; others are dropped from
 * the run (they are not part of the requested set, not "not predicted"). */
static int apply_set(mt_ctx *ctx, const mt_vld_args *a, mt_vld_dataset_list *l)
{
    mt_csv *t = NULL;
    if (mt_csv_read(ctx, a->set, 0, &t) != MT_OK)
        return mt_cli_fail("validate: --set: %s", mt_errmsg(ctx));
    int rc = 0;
    int jd = mt_vld_need_col(t, a->set, "--set", "dataset", &rc);
    int jr = mt_csv_col(t, "route"), jdose = mt_csv_col(t, "dose_mg"),
        jtime = mt_csv_col(t, "dose_time_h");
    char *keep = calloc(l->n + 1, 1);
    size_t *order = calloc(mt_csv_n_rows(t) + 1, sizeof *order);
    size_t n_order = 0;
    if (!keep || !order)
        rc = mt_cli_fail("out of memory");
    for (size_t i = 0; !rc && i < mt_csv_n_rows(t); i++) {
        const char *name = mt_vld_cell(t, i, jd);
        mt_vld_dataset *d = find_dataset(l, name);
        if (!d) {
            rc = mt_cli_fail("validate: --set %s row %zu: dataset '%s' is not in %s", a->set, i + 1,
                             name, a->observed);
            break;
        }
        if (!d->molecule) {
            rc = mt_cli_fail("validate: --set %s row %zu: dataset '%s' is not in %s", a->set, i + 1,
                             name, a->meta);
            break;
        }
        size_t k = (size_t)(d - l->d);
        if (keep[k])
            continue;
        keep[k] = 1;
        order[n_order++] = k;
        const char *r = mt_vld_cell(t, i, jr);
        if (*r) {
            if (mt_vld_ieq(r, "po"))
                d->po = 1;
            else if (mt_vld_ieq(r, "iv"))
                d->po = 0;
            else
                rc = mt_cli_fail("validate: --set %s row %zu: route '%s' is neither po nor iv",
                                 a->set, i + 1, r);
        }
        const char *ds = mt_vld_cell(t, i, jdose), *ts = mt_vld_cell(t, i, jtime);
        if (!rc && *ds) {
            d->dose_mg = mt_vld_num(ds);
            if (!(d->dose_mg > 0))
                rc = mt_cli_fail("validate: --set %s row %zu: dose_mg '%s' is not a positive "
                                 "number",
                                 a->set, i + 1, ds);
        }
        if (!rc && *ts) {
            d->dose_time = mt_vld_num(ts);
            if (!(d->dose_time >= 0))
                rc = mt_cli_fail("validate: --set %s row %zu: dose_time_h '%s' is not a time "
                                 ">= 0",
                                 a->set, i + 1, ts);
        }
    }
    if (!rc) {
        /* keep the set's order */
        mt_vld_dataset *nd = calloc(n_order + 1, sizeof *nd);
        if (!nd) {
            rc = mt_cli_fail("out of memory");
        } else {
            for (size_t i = 0; i < n_order; i++)
                nd[i] = l->d[order[i]];
            for (size_t k = 0; k < l->n; k++)
                if (!keep[k])
                    dataset_free(&l->d[k]);
            free(l->d);
            l->d = nd;
            l->n = l->cap = n_order;
        }
    }
    free(keep);
    free(order);
    mt_csv_destroy(t);
    return rc;
}

/* Profile plots: one grid point in PROFILE_EVERY (0.05 h) is plenty for a line. */
#define PROFILE_EVERY 10

/* Observed points over the predicted curve, log concentration axis, to DIR/profiles/N.png. */
static int plot_profile(mt_vld_runner *R, const mt_vld_dataset *d, size_t index, char **file)
{
    *file = mt_vld_printf("profiles/%03zu.png", index + 1);
    char *path = mt_vld_printf("%s/%s", R->a->out, *file);
    char title[160]; /* at most 68 characters fit above the plot */
    if (strlen(d->name) > 68)
        snprintf(title, sizeof title, "%.65s...", d->name);
    else
        snprintf(title, sizeof title, "%s", d->name);
    mt_plot_points pts[1] = {{"observed", d->n_obs, d->t, d->c}};
    mt_plot_curve cv[1] = {{"predicted", d->n_curve, d->ct, d->cc, 0}};
    mt_plot_xy_options o = {.title = title,
                            .xlabel = "time (h)",
                            .ylabel = "plasma concentration (mg/L)",
                            .log_y = 1,
                            .fit_curves = 1};
    mt_status st = mt_plot_xy(R->ctx, path, &o, 1, pts, 1, cv);
    free(path);
    return st == MT_OK ? 0 : mt_cli_fail("validate: %s", mt_errmsg(R->ctx));
}

/* A dataset of a study the drug's card was fitted to (training_data) is reported but left out
 * of the held-out figures: a model cannot be validated on its own training data. */
static void mark_training(mt_vld_runner *R, mt_vld_dataset *d)
{
    mt_drugcard *c = NULL;
    if (!d->study || !d->drug[0] || mt_drugcard_load(R->ctx, NULL, d->drug, &c) != MT_OK)
        return;
    d->training = mt_drugcard_is_training_study(c, d->study);
    mt_drugcard_destroy(c);
}

static void run_dataset(mt_vld_runner *R, mt_vld_dataset *d)
{
    if (d->why)
        return;
    if (!d->molecule) {
        d->why = mt_vld_strdup("no meta row for the dataset");
        return;
    }
    if (!d->compartment ||
        !(mt_vld_ieq(d->compartment, "plasma") || mt_vld_ieq(d->compartment, "serum") ||
          mt_vld_ieq(d->compartment, "whole blood") || mt_vld_ieq(d->compartment, "blood"))) {
        d->why = mt_vld_printf("compartment '%s' is not plasma, serum or blood",
                               d->compartment ? d->compartment : "");
        return;
    }
    if (!(d->dose_mg > 0)) {
        d->why = mt_vld_printf("dose '%s' is not understood (a single amount in mg, µg, mg/kg)",
                               d->dose_text ? d->dose_text : "");
        return;
    }
    /* observations from the dose on (a pre-dose sample says nothing of this dose); after an
     * IV bolus only those after the dose time: at the bolus instant a sample is pre-dose or
     * mixing, and the model's value is the dose spread over the venous blood alone */
    size_t k = 0;
    for (size_t i = 0; i < d->n_obs; i++)
        if (d->t[i] > d->dose_time || (d->po && d->t[i] == d->dose_time)) {
            d->t[k] = d->t[i];
            d->c[k++] = d->c[i];
        }
    d->n_obs = k;
    for (size_t i = 1; i < d->n_obs; i++)
        if (d->t[i] < d->t[i - 1]) {
            d->why = mt_vld_strdup("observation times are not increasing");
            return;
        }
    if (d->n_obs < 2 || !(d->t[d->n_obs - 1] > d->t[0])) {
        d->why = mt_vld_strdup("fewer than 2 observation times after the dose");
        return;
    }
    mt_regimen reg;
    double amount = d->dose_mg, when = d->dose_time;
    if (mt_vld_regimen(&reg, d->drug, d->po ? MT_DOSE_PO : MT_DOSE_IV_BOLUS, 1, &when, &amount)) {
        d->why = mt_vld_strdup("out of memory");
        return;
    }
    mt_predictor *p = mt_vld_predictor(R, 1, &reg, &d->why);
    mt_regimen_clear(&reg);
    if (!p)
        return;
    double tlast = d->t[d->n_obs - 1];
    mt_predict_options o = {.until_h = tlast, .steps = mt_vld_grid_steps(tlast)};
    mt_prediction res = {0};
    d->p = calloc(d->n_obs, sizeof *d->p);
    if (!d->p || mt_predictor_run(p, &o, &res) != MT_OK ||
        mt_predictor_sample(p, NULL, d->n_obs, d->t, d->p) != MT_OK) {
        d->why = mt_vld_strdup(d->p ? mt_errmsg(R->ctx) : "out of memory");
        mt_prediction_clear(&res);
        mt_predictor_destroy(p);
        return;
    }
    double scale = 1; /* blood: plasma x B:P */
    if (mt_vld_ieq(d->compartment, "whole blood") || mt_vld_ieq(d->compartment, "blood")) {
        char id[96];
        snprintf(id, sizeof id, "BP_%s", d->drug);
        const char *const *ids = mt_predictor_value_ids(p);
        for (size_t i = 0; i < mt_predictor_n_values(p); i++)
            if (!strcmp(ids[i], id))
                scale = mt_predictor_values(p)[i];
    }
    for (size_t i = 0; i < d->n_obs; i++)
        d->p[i] *= scale;
    double cont = NAN;
    for (size_t i = 0; i < res.n_times; i++)
        if (res.time_h[i] >= d->dose_time && !(res.drugs[0].conc_mg_l[i] * scale <= cont))
            cont = res.drugs[0].conc_mg_l[i] * scale;
    /* the curve for the profile plot, every PROFILE_EVERY-th grid point from the dose on */
    d->ct = malloc((res.n_times / PROFILE_EVERY + 2) * sizeof *d->ct);
    d->cc = malloc((res.n_times / PROFILE_EVERY + 2) * sizeof *d->cc);
    for (size_t i = 0; d->ct && d->cc && i < res.n_times; i++)
        if (res.time_h[i] >= d->dose_time && (i % PROFILE_EVERY == 0 || i + 1 == res.n_times)) {
            d->ct[d->n_curve] = res.time_h[i];
            d->cc[d->n_curve++] = res.drugs[0].conc_mg_l[i] * scale;
        }
    mt_prediction_clear(&res);
    mt_predictor_destroy(p);

    /* AUC on the observed times, both sides; an oral dose adds (dose time, 0) on both */
    size_t n = d->n_obs;
    double *tt = malloc((n + 1) * sizeof *tt), *co = malloc((n + 1) * sizeof *co),
           *cp = malloc((n + 1) * sizeof *cp);
    if (!tt || !co || !cp) {
        free(tt);
        free(co);
        free(cp);
        d->why = mt_vld_strdup("out of memory");
        return;
    }
    size_t m = 0;
    if (d->po && d->t[0] > d->dose_time) {
        tt[m] = d->dose_time;
        co[m] = cp[m] = 0;
        m++;
    }
    for (size_t i = 0; i < n; i++, m++) {
        tt[m] = d->t[i];
        co[m] = d->c[i];
        cp[m] = d->p[i];
    }
    d->auc_obs = mt_validate_auc(m, tt, co);
    d->auc_pred = mt_validate_auc(m, tt, cp);
    free(tt);
    free(co);
    free(cp);
    if (d->po) {
        for (size_t i = 0; i < n; i++) {
            if (!(d->c[i] <= d->cmax_obs)) {
                d->cmax_obs = d->c[i];
                d->tmax_obs = d->t[i];
            }
            if (!(d->p[i] <= d->cmax_pred))
                d->cmax_pred = d->p[i];
        }
        d->cmax_cont = cont;
    }
    d->predicted = 1;
}

static void write_dataset_results(FILE *f, const mt_vld_dataset_list *l)
{
    fputs("dataset,study,reference,drug,route,dose_mg,dose_time_h,compartment,n_obs,t_first_h,"
          "t_last_h,auc_obs_mg_h_l,auc_pred_mg_h_l,auc_fold,cmax_obs_mg_l,cmax_pred_mg_l,"
          "cmax_fold,cmax_pred_continuous_mg_l,tmax_obs_h,status,reason,training_study\n",
          f);
    for (size_t i = 0; i < l->n; i++) {
        const mt_vld_dataset *d = &l->d[i];
        mt_vld_csv_str(f, d->name);
        fputc(',', f);
        mt_vld_csv_str(f, d->study);
        fputc(',', f);
        mt_vld_csv_str(f, d->reference);
        fputc(',', f);
        mt_vld_csv_str(f, d->drug);
        fprintf(f, ",%s,", d->po ? "po" : "iv");
        mt_vld_csv_num(f, d->dose_mg);
        fputc(',', f);
        mt_vld_csv_num(f, d->dose_time);
        fputc(',', f);
        mt_vld_csv_str(f, d->compartment);
        fprintf(f, ",%zu,", d->n_obs);
        mt_vld_csv_num(f, d->n_obs ? d->t[0] : NAN);
        fputc(',', f);
        mt_vld_csv_num(f, d->n_obs ? d->t[d->n_obs - 1] : NAN);
        double vals[] = {d->auc_obs,   d->auc_pred,  d->auc_pred / d->auc_obs,
                         d->cmax_obs,  d->cmax_pred, d->cmax_pred / d->cmax_obs,
                         d->cmax_cont, d->tmax_obs};
        for (size_t k = 0; k < sizeof vals / sizeof vals[0]; k++) {
            fputc(',', f);
            mt_vld_csv_num(f, d->predicted ? vals[k] : NAN);
        }
        fprintf(f, ",%s,", d->predicted ? "predicted" : "not predicted");
        mt_vld_csv_str(f, d->why);
        fprintf(f, ",%d\n", d->training);
    }
}

int mt_vld_datasets_load(mt_vld_runner *R, mt_vld_dataset_list *l)
{
    const mt_vld_args *a = R->a;
    int rc = read_observed(R->ctx, a->observed, l);
    if (!rc)
        rc = read_meta(R->ctx, a->meta, l, R->weight_kg);
    if (!rc && a->set)
        rc = apply_set(R->ctx, a, l);
    return rc;
}

void mt_vld_dataset_run(mt_vld_runner *R, mt_vld_dataset *d)
{
    mark_training(R, d);
    run_dataset(R, d);
}

void mt_vld_datasets_free(mt_vld_dataset_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        dataset_free(&l->d[i]);
    free(l->d);
    l->d = NULL;
    l->n = l->cap = 0;
}

void mt_vld_dataset_folds(const mt_vld_dataset_list *l, int what, int route, int held_out,
                          mt_fold_summary *out)
{
    double *o = calloc(l->n + 1, sizeof *o), *p = calloc(l->n + 1, sizeof *p);
    size_t m = 0;
    for (size_t i = 0; o && p && i < l->n; i++) {
        const mt_vld_dataset *d = &l->d[i];
        if (!d->predicted || (held_out && d->training) || (route >= 0 && d->po != route) ||
            (what > 0 && !d->po))
            continue;
        o[m] = what == 0 ? d->auc_obs : d->cmax_obs;
        p[m++] = what == 0 ? d->auc_pred : what == 1 ? d->cmax_pred : d->cmax_cont;
    }
    mt_validate_folds(m, p, o, out);
    free(o);
    free(p);
}

/* The predicted datasets, and of those the training studies'. */
static void count_predicted(const mt_vld_dataset_list *l, size_t *n_pred, size_t *n_train)
{
    *n_pred = *n_train = 0;
    for (size_t i = 0; i < l->n; i++) {
        *n_pred += l->d[i].predicted != 0;
        *n_train += l->d[i].predicted && l->d[i].training;
    }
}

/* The observed-vs-predicted plots (AUC by route, oral Cmax) and, unless embedded, one profile
 * plot per predicted dataset; *profile_file[i] its path under out. */
static int dataset_plots(mt_vld_runner *R, const mt_vld_dataset_list *l, char **profile_file)
{
    double *x = calloc(3 * (l->n + 1), sizeof *x), *y = calloc(3 * (l->n + 1), sizeof *y);
    size_t ns[3] = {0};
    int rc = x && y ? 0 : mt_cli_fail("out of memory");
    for (size_t i = 0; !rc && i < l->n; i++) {
        const mt_vld_dataset *d = &l->d[i];
        if (!d->predicted)
            continue;
        size_t k = d->po ? 1 : 0, off = k * (l->n + 1);
        x[off + ns[k]] = d->auc_obs;
        y[off + ns[k]++] = d->auc_pred;
        if (d->po) {
            off = 2 * (l->n + 1);
            x[off + ns[2]] = d->cmax_obs;
            y[off + ns[2]++] = d->cmax_pred;
        }
    }
    size_t s = l->n + 1;
    mt_plot_points auc_sets[2] = {{"iv", ns[0], x, y}, {"po", ns[1], x + s, y + s}};
    mt_plot_points cmax_set[1] = {{"po", ns[2], x + 2 * s, y + 2 * s}};
    if (!rc)
        rc = plot_obs_pred(R, "auc.png", "AUC(t1-tlast), trapezoids at the observed times",
                           "AUC (mg*h/L)", 2, auc_sets);
    if (!rc)
        rc = plot_obs_pred(R, "cmax.png", "Cmax of oral doses (at the observed times)",
                           "Cmax (mg/L)", 1, cmax_set);
    char *profiles_dir = NULL;
    for (size_t i = 0; !rc && !R->a->embedded && i < l->n; i++) {
        if (!l->d[i].predicted)
            continue;
        if (!profiles_dir) {
            profiles_dir = mt_vld_printf("%s/profiles", R->a->out);
            rc = mt_vld_make_dir(profiles_dir);
        }
        if (!rc)
            rc = plot_profile(R, &l->d[i], i, &profile_file[i]);
    }
    free(profiles_dir);
    free(x);
    free(y);
    return rc;
}

/* report.md of the datasets (g), the profile plot links from profile_file. */
static void dataset_report_md(FILE *g, mt_vld_runner *R, const mt_vld_dataset_list *l,
                              char *const *profile_file)
{
    const mt_vld_args *a = R->a;
    mt_fold_summary sa, sc, sc_cont, sa_held, sc_held;
    mt_vld_dataset_folds(l, 0, -1, 0, &sa);
    mt_vld_dataset_folds(l, 1, -1, 0, &sc);
    mt_vld_dataset_folds(l, 2, -1, 0, &sc_cont);
    mt_vld_dataset_folds(l, 0, -1, 1, &sa_held);
    mt_vld_dataset_folds(l, 1, -1, 1, &sc_held);
    size_t n_pred, n_train;
    count_predicted(l, &n_pred, &n_train);
    char b1[32], b2[32], b3[32], b4[32], b5[32], b6[32];
    mt_vld_tally rt = {0};
    char *from = mt_vld_printf(
        "`medtwin validate` (medtwin %s) from `%s` and `%s`%s%s%s", mt_version(), a->observed,
        a->meta, a->set ? ", datasets listed in `" : "", a->set ? a->set : "", a->set ? "`" : "");
    mt_vld_report_head(g, R, "Validation: concentration-time datasets", from);
    free(from);
    fprintf(g, "**%zu datasets: %zu predicted, %zu not predicted.**\n\n", l->n, n_pred,
            l->n - n_pred);
    fprintf(g, "| measure | n | GMFE | geometric mean pred/obs | within 1.25-fold | "
               "within 1.5-fold | within 2-fold |\n|---|---|---|---|---|---|---|\n");
    mt_vld_summary_md(g, "AUC(t1–tlast), held out (without training studies)", &sa_held);
    mt_vld_summary_md(g, "Cmax (po), held out", &sc_held);
    mt_vld_summary_md(g, "AUC(t1–tlast), all predicted", &sa);
    mt_vld_summary_md(g, "Cmax (po, at the observed times), all", &sc);
    mt_vld_summary_md(g, "Cmax (po, continuous prediction), all", &sc_cont);
    fprintf(g,
            "\n%zu predicted dataset(s) belong to studies the drug card's fitted values "
            "were estimated from (the card's `training_data`, marked *training* "
            "below); the held-out rows leave them out.\n",
            n_train);
    fprintf(g, "\n![AUC observed vs predicted](auc.png)\n\n"
               "![Cmax observed vs predicted](cmax.png)\n\n");
    fprintf(g, "## Predicted datasets\n\n| dataset | route | dose (mg) | n obs | t "
               "(h) | AUC obs | AUC pred | fold | Cmax obs | Cmax pred | fold | "
               "profile |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < l->n; i++) {
        const mt_vld_dataset *d = &l->d[i];
        if (!d->predicted)
            continue;
        fputs("| ", g);
        mt_vld_md_str(g, d->name);
        if (d->training)
            fputs(" *training*", g);
        fprintf(g, " | %s | %.4g | %zu | %.3g–%.3g | %s | %s | %s | %s | %s | %s | ",
                d->po ? "po" : "iv", d->dose_mg, d->n_obs, d->t[0], d->t[d->n_obs - 1],
                mt_vld_fmt(b1, sizeof b1, d->auc_obs), mt_vld_fmt(b2, sizeof b2, d->auc_pred),
                mt_vld_fmt(b3, sizeof b3, d->auc_pred / d->auc_obs),
                mt_vld_fmt(b4, sizeof b4, d->cmax_obs), mt_vld_fmt(b5, sizeof b5, d->cmax_pred),
                mt_vld_fmt(b6, sizeof b6, d->cmax_pred / d->cmax_obs));
        if (profile_file[i])
            fprintf(g, "[plot](%s)", profile_file[i]);
        fputs(" |\n", g);
    }
    if (!n_pred)
        fprintf(g, "| (none) | | | | | | | | | | | |\n");
    fprintf(g, "\nAUC in mg·h/L, Cmax in mg/L; fold = predicted / observed.\n\n");
    fprintf(g, "## Not predicted\n\n| dataset | route | dose | reason |\n"
               "|---|---|---|---|\n");
    for (size_t i = 0; i < l->n; i++) {
        const mt_vld_dataset *d = &l->d[i];
        if (d->predicted)
            continue;
        size_t k = mt_vld_tally_add(&rt, d->why ? d->why : "");
        fputs("| ", g);
        mt_vld_md_str(g, d->name);
        fprintf(g, " | %s | ", d->po ? "po" : "iv");
        mt_vld_md_str(g, d->dose_text);
        fprintf(g, " | R%zu |\n", k);
    }
    if (l->n == n_pred)
        fprintf(g, "| (none) | | | |\n");
    mt_vld_reasons_md(g, &rt);
}

int mt_vld_datasets_report(mt_vld_runner *R, const mt_vld_dataset_list *l)
{
    const mt_vld_args *a = R->a;
    int rc = 0;
    char **profile_file = calloc(l->n + 1, sizeof *profile_file);
    if (!profile_file)
        return mt_cli_fail("out of memory");
    if (a->out)
        rc = dataset_plots(R, l, profile_file);
    if (!rc && a->out) {
        char *csv = NULL, *md = NULL;
        size_t csv_len = 0, md_len = 0;
        FILE *f = open_memstream(&csv, &csv_len);
        if (f) {
            write_dataset_results(f, l);
            fclose(f);
        }
        FILE *g = open_memstream(&md, &md_len);
        if (g) {
            dataset_report_md(g, R, l, profile_file);
            fclose(g);
        }
        rc = mt_vld_write_reports(a->out, f && g, csv, md);
    }
    if (!rc && !a->embedded) {
        mt_fold_summary sa_held, sc_held;
        mt_vld_dataset_folds(l, 0, -1, 1, &sa_held);
        mt_vld_dataset_folds(l, 1, -1, 1, &sc_held);
        size_t n_pred, n_train;
        count_predicted(l, &n_pred, &n_train);
        printf("validate: %zu predicted (%zu of training studies), %zu not predicted", n_pred,
               n_train, l->n - n_pred);
        if (sa_held.n)
            printf("; held out: AUC GMFE %.3g, within 2-fold %.0f%% (n %zu)", sa_held.gmfe,
                   100 * sa_held.within_2, sa_held.n);
        if (sc_held.n)
            printf("; Cmax (po) GMFE %.3g, within 2-fold %.0f%% (n %zu)", sc_held.gmfe,
                   100 * sc_held.within_2, sc_held.n);
        putchar('\n');
    }
    for (size_t i = 0; i < l->n; i++)
        free(profile_file[i]);
    free(profile_file);
    return rc;
}

int mt_vld_datasets(mt_vld_runner *R)
{
    mt_vld_dataset_list l = {0};
    int rc = mt_vld_datasets_load(R, &l);
    for (size_t i = 0; !rc && i < l.n; i++) {
        mt_vld_dataset_run(R, &l.d[i]);
        if (!R->a->quiet)
            fprintf(stderr, "validate: [%zu/%zu] %s: %s\n", i + 1, l.n, l.d[i].name,
                    l.d[i].predicted ? "predicted" : "not predicted");
    }
    if (!rc)
        rc = mt_vld_datasets_report(R, &l);
    mt_vld_datasets_free(&l);
    return rc;
}

/* ---------- the command ---------- */

int mt_cmd_validate(int argc, char **argv)
{
    mt_vld_args a = {0};
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        if (!strcmp(o, "--help") || !strcmp(o, "-h")) {
            fputs(help, stdout);
            return 0;
        }
        if (!strcmp(o, "--quiet")) {
            a.quiet = 1;
            continue;
        }
        const char **dst = !strcmp(o, "--observed")  ? &a.observed
                           : !strcmp(o, "--meta")    ? &a.meta
                           : !strcmp(o, "--set")     ? &a.set
                           : !strcmp(o, "--ddi")     ? &a.ddi
                           : !strcmp(o, "--patient") ? &a.patient
                           : !strcmp(o, "--out")     ? &a.out
                                                     : NULL;
        if (!dst)
            return mt_cli_fail("validate: unknown option '%s' (see medtwin validate --help)", o);
        if (i + 1 >= argc)
            return mt_cli_fail("validate: option %s needs a value", o);
        *dst = argv[++i];
    }
    if (a.ddi && (a.observed || a.meta || a.set))
        return mt_cli_fail("validate: give either --ddi or --observed/--meta, not both");
    if (a.observed && !a.meta)
        return mt_cli_fail("validate: --observed needs --meta FILE_meta.csv");
    if ((a.meta || a.set) && !a.observed)
        return mt_cli_fail("validate: --meta and --set need --observed FILE.csv");
    if (!a.ddi && !a.observed)
        return mt_cli_fail("validate: nothing to validate: give --observed FILE --meta FILE or "
                           "--ddi FILE (see medtwin validate --help)");
    mt_vld_runner R;
    int rc = mt_vld_runner_open(&R, &a);
    if (!rc)
        rc = a.ddi ? mt_vld_ddi(&R) : mt_vld_datasets(&R);
    mt_vld_runner_close(&R);
    return rc;
}
