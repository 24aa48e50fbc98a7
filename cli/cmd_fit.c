/* SPDX-License-Identifier: Apache-2.0
 *
 * cli/cmd_fit.c — `medtwin fit MODEL.xml --data obs.csv --estimate p1,p2,...`: least-squares,
 * maximum-likelihood or MAP estimates of an SBML model's parameters, one fit per subject, to
 * fit.json (estimates, standard errors, correlation, objective, residuals, status) and a
 * plot (docs/fitting.md). The library does the work (medtwin/fit.h).
 */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"
#include "medtwin/fit.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const help =
    "usage: medtwin fit MODEL.xml --data OBS.csv --estimate p1,p2,... [options]\n"
    "\n"
    "Fits parameters of an SBML model to time-series data, one fit per subject:\n"
    "least squares, maximum likelihood or (with priors) Bayesian MAP; standard\n"
    "errors from the Fisher information (docs/fitting.md).\n"
    "\n"
    "Data (CSV): a time column and one column per observed model symbol, or the\n"
    "NONMEM-style event layout (id, time, dv, amt, evid, cmt, mdv, rate, dur, ii,\n"
    "addl). An id column gives one fit per subject. Columns naming constant model\n"
    "symbols are covariates (one value per subject).\n"
    "  --columns a=b,...   read data column a as b (a role: id, time, dv, amt,\n"
    "                      rate, dur, cmt, evid, mdv, lloq, blq, ii, addl; or a\n"
    "                      model symbol)\n"
    "  --ignore a,b        leave data columns out\n"
    "  --cmt 1=depot,2=C   model symbols of CMT numbers (doses and observations)\n"
    "  --dose-into S       the symbol doses go into when there is no cmt column\n"
    "  --observe S         the symbol a dv column measures when there is no cmt\n"
    "  --lloq X            limit of quantification of every observation (or an\n"
    "                      lloq column); values below it are censored (Beal M3)\n"
    "Estimation:\n"
    "  --estimate p1,...   parameters to estimate (required)\n"
    "  --log p1,...        estimate these on the log scale (positive)\n"
    "  --bounds p=lo:hi,.. bounds (natural scale)\n"
    "  --init p=v,...      starting values (default: the model's values)\n"
    "  --prior p=mean:sd,. Gaussian priors on the estimation scale (log for\n"
    "                      --log parameters): MAP estimates\n"
    "  --error additive|proportional|combined   residual error (default additive)\n"
    "  --sigma-add A       fix the additive SD (default: estimated)\n"
    "  --sigma-prop B      fix the proportional CV, a fraction (default: estimated)\n"
    "  --max-iter N        optimiser iterations (default 200)\n"
    "  --no-sensitivities  finite differences instead of CVODES sensitivities\n"
    "  --set id=value      fix a model value (repeatable)\n"
    "Population-PK twins (Bayesian MAP with a drug card's prior): medtwin fit\n"
    "  --drug DRUG [--patient P.json] ... (see medtwin fit --drug x --help)\n"
    "Output:\n"
    "  --out FIT.json      the results (default: a summary on stdout only)\n"
    "  --plot FILE.png|svg observations and fitted curves\n"
    "Exit status: 0 when every fit converged and is identifiable, 3 when some\n"
    "fit is not usable (reported in the summary and FIT.json), 1 on errors.\n";

typedef struct {
    const char *model, *data, *estimate, *logs, *bounds, *init, *prior, *out, *plot;
    mt_fit_columns cols;
    mt_fit_problem pb;
    int n_set;
    char **set;
} fit_args;

static int need(int argc, char **argv, int i)
{
    if (i + 1 >= argc) {
        mt_cli_fail("fit: option %s needs a value", argv[i]);
        return 0;
    }
    return 1;
}

static int parse(int argc, char **argv, fit_args *a)
{
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        if (!strcmp(o, "--help") || !strcmp(o, "-h")) {
            fputs(help, stdout);
            exit(0);
        }
        if (o[0] != '-' || !o[1]) {
            if (a->model)
                return mt_cli_fail("fit: more than one model file ('%s', '%s')", a->model, o);
            a->model = o;
            continue;
        }
        if (!strcmp(o, "--no-sensitivities")) {
            a->pb.no_sensitivities = 1;
            continue;
        }
        if (!need(argc, argv, i))
            return 1;
        const char *v = argv[++i];
        double x;
        long n;
        if (!strcmp(o, "--data"))
            a->data = v;
        else if (!strcmp(o, "--estimate"))
            a->estimate = v;
        else if (!strcmp(o, "--log"))
            a->logs = v;
        else if (!strcmp(o, "--bounds"))
            a->bounds = v;
        else if (!strcmp(o, "--init"))
            a->init = v;
        else if (!strcmp(o, "--prior"))
            a->prior = v;
        else if (!strcmp(o, "--out"))
            a->out = v;
        else if (!strcmp(o, "--plot"))
            a->plot = v;
        else if (!strcmp(o, "--columns"))
            a->cols.rename = v;
        else if (!strcmp(o, "--ignore"))
            a->cols.ignore = v;
        else if (!strcmp(o, "--cmt"))
            a->cols.cmt = v;
        else if (!strcmp(o, "--dose-into"))
            a->cols.dose_into = v;
        else if (!strcmp(o, "--observe"))
            a->cols.observe = v;
        else if (!strcmp(o, "--set"))
            a->set[a->n_set++] = argv[i];
        else if (!strcmp(o, "--lloq")) {
            if (mt_cli_parse_double(v, &x) || !(x > 0))
                return mt_cli_fail("fit: --lloq: '%s' is not a positive number", v);
            a->cols.lloq = x;
        } else if (!strcmp(o, "--sigma-add")) {
            if (mt_cli_parse_double(v, &x) || !(x > 0))
                return mt_cli_fail("fit: --sigma-add: '%s' is not a positive number", v);
            a->pb.sigma_add = x;
        } else if (!strcmp(o, "--sigma-prop")) {
            if (mt_cli_parse_double(v, &x) || !(x > 0))
                return mt_cli_fail("fit: --sigma-prop: '%s' is not a positive number", v);
            a->pb.sigma_prop = x;
        } else if (!strcmp(o, "--max-iter")) {
            if (mt_cli_parse_long(v, &n) || n < 1 || n > 100000)
                return mt_cli_fail("fit: --max-iter: '%s' is not a whole number in 1..100000", v);
            a->pb.max_iter = (int)n;
        } else if (!strcmp(o, "--error")) {
            if (!strcmp(v, "additive"))
                a->pb.error = MT_ERR_ADDITIVE;
            else if (!strcmp(v, "proportional"))
                a->pb.error = MT_ERR_PROPORTIONAL;
            else if (!strcmp(v, "combined"))
                a->pb.error = MT_ERR_COMBINED;
            else
                return mt_cli_fail("fit: --error: '%s' is not additive, proportional or "
                                   "combined",
                                   v);
        } else {
            return mt_cli_fail("fit: unknown option '%s' (see medtwin fit --help)", o);
        }
    }
    if (!a->model)
        return mt_cli_fail("fit: no model file given (see medtwin fit --help)");
    if (!a->data)
        return mt_cli_fail("fit: --data OBS.csv is required");
    if (!a->estimate)
        return mt_cli_fail("fit: --estimate p1,p2,... is required");
    return 0;
}

/* ---------- "name=value" lists ---------- */

static int in_list(const char *list, const char *name)
{
    if (!list)
        return 0;
    size_t n = strlen(name);
    for (const char *p = list; *p;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == n && !strncmp(p, name, n))
            return 1;
        p = e ? e + 1 : p + len;
    }
    return 0;
}

/* Splits a comma list: names[n] point into *buf (both freed by the caller). */
static char **split(const char *list, size_t *n, char **buf)
{
    *n = 0;
    *buf = strdup(list);
    size_t cap = 1;
    for (const char *p = list; *p; p++)
        cap += *p == ',';
    char **out = *buf ? calloc(cap, sizeof *out) : NULL;
    if (!out)
        return NULL;
    char *save = NULL;
    for (char *t = strtok_r(*buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        while (*t == ' ')
            t++;
        if (*t)
            out[(*n)++] = t;
    }
    if (*n == 0) {
        free(out);
        return NULL;
    }
    return out;
}

/* Finds "name=..." in a list; returns the text after '=' (up to ',') in buf. */
static int lookup(const char *list, const char *name, char *buf, size_t bn)
{
    if (!list)
        return 0;
    size_t n = strlen(name);
    for (const char *p = list; *p;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len > n && !strncmp(p, name, n) && p[n] == '=') {
            size_t vl = len - n - 1 < bn - 1 ? len - n - 1 : bn - 1;
            memcpy(buf, p + n + 1, vl);
            buf[vl] = '\0';
            return 1;
        }
        p = e ? e + 1 : p + len;
    }
    return 0;
}

/* Every "name=..." of a list names an estimated parameter. */
static int check_names(const char *opt, const char *list, const mt_fit_param *par, size_t np)
{
    if (!list)
        return 0;
    for (const char *p = list; *p;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        size_t nl = eq ? (size_t)(eq - p) : len;
        int found = 0;
        for (size_t i = 0; i < np && !found; i++)
            found = strlen(par[i].name) == nl && !strncmp(par[i].name, p, nl);
        if (!found)
            return mt_cli_fail("fit: %s: '%.*s' is not one of the estimated parameters", opt,
                               (int)nl, p);
        if (!eq && strcmp(opt, "--log"))
            return mt_cli_fail("fit: %s: '%.*s' needs '=VALUE'", opt, (int)len, p);
        p = e ? e + 1 : p + len;
    }
    return 0;
}

static int build_params(fit_args *a, mt_fit_param *par, size_t np, char **names)
{
    for (size_t i = 0; i < np; i++) {
        mt_fit_param *p = &par[i];
        memset(p, 0, sizeof *p);
        p->name = names[i];
        p->log = in_list(a->logs, names[i]);
        p->lower = -INFINITY;
        p->upper = INFINITY;
        if (p->log)
            p->lower = 0;
        p->init = NAN;
        p->prior_mean = NAN;
        p->prior_sd = NAN;
        char buf[128];
        if (lookup(a->bounds, names[i], buf, sizeof buf)) {
            char *colon = strchr(buf, ':');
            if (!colon)
                return mt_cli_fail("fit: --bounds %s=%s: expected lo:hi", names[i], buf);
            *colon = '\0';
            if ((buf[0] && mt_cli_parse_double(buf, &p->lower)) ||
                (colon[1] && mt_cli_parse_double(colon + 1, &p->upper)))
                return mt_cli_fail("fit: --bounds %s: '%s:%s' is not lo:hi", names[i], buf,
                                   colon + 1);
        }
        if (lookup(a->init, names[i], buf, sizeof buf) && mt_cli_parse_double(buf, &p->init))
            return mt_cli_fail("fit: --init %s: '%s' is not a number", names[i], buf);
        if (lookup(a->prior, names[i], buf, sizeof buf)) {
            char *colon = strchr(buf, ':');
            if (!colon)
                return mt_cli_fail("fit: --prior %s=%s: expected mean:sd", names[i], buf);
            *colon = '\0';
            if (mt_cli_parse_double(buf, &p->prior_mean) ||
                mt_cli_parse_double(colon + 1, &p->prior_sd) || !(p->prior_sd > 0))
                return mt_cli_fail("fit: --prior %s: '%s:%s' is not mean:sd with sd > 0", names[i],
                                   buf, colon + 1);
        }
    }
    const char *opts[] = {"--log", "--bounds", "--init", "--prior"};
    const char *lists[] = {a->logs, a->bounds, a->init, a->prior};
    for (size_t k = 0; k < 4; k++)
        if (check_names(opts[k], lists[k], par, np))
            return 1;
    return 0;
}

/* ---------- output ---------- */

static const char *status_name(mt_fit_status s)
{
    switch (s) {
    case MT_FIT_CONVERGED:
        return "converged";
    case MT_FIT_NOT_CONVERGED:
        return "not_converged";
    case MT_FIT_UNIDENTIFIABLE:
        return "unidentifiable";
    default:
        return "failed";
    }
}

static json_t *num(double v) { return isfinite(v) ? json_real(v) : json_null(); }

static json_t *subject_json(const fit_args *a, const mt_fit_data *d, size_t si,
                            const mt_fit_result *r)
{
    const mt_fit_subject *s = &d->subjects[si];
    const mt_fit_problem *pb = &a->pb;
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(s->id));
    json_object_set_new(o, "status", json_string(status_name(r->status)));
    json_object_set_new(o, "message", json_string(r->message));
    json_object_set_new(o, "iterations", json_integer(r->iterations));
    json_object_set_new(o, "n_observations", json_integer((json_int_t)s->n_obs));
    json_t *est = json_object();
    for (size_t i = 0; i < pb->n_par; i++) {
        json_t *p = json_object();
        json_object_set_new(p, "value", num(r->est[i]));
        json_object_set_new(p, "se", num(r->se[i]));
        json_object_set_new(p, "rse_percent",
                            num(r->est[i] != 0 ? 100 * fabs(r->se[i] / r->est[i]) : NAN));
        json_object_set_new(p, "scale", json_string(pb->par[i].log ? "log" : "linear"));
        json_object_set_new(p, "estimate_on_scale", num(r->u[i]));
        json_object_set_new(p, "se_on_scale", num(r->se_u[i]));
        double lo = r->u[i] - 1.959963984540054 * r->se_u[i];
        double hi = r->u[i] + 1.959963984540054 * r->se_u[i];
        json_object_set_new(p, "ci95",
                            json_pack("[oo]", num(pb->par[i].log ? exp(lo) : lo),
                                      num(pb->par[i].log ? exp(hi) : hi)));
        json_object_set_new(est, pb->par[i].name, p);
    }
    json_object_set_new(o, "estimates", est);
    json_t *corr = json_array();
    for (size_t i = 0; i < pb->n_par; i++) {
        json_t *row = json_array();
        for (size_t j = 0; j < pb->n_par; j++)
            json_array_append_new(row, num(r->corr[i * pb->n_par + j]));
        json_array_append_new(corr, row);
    }
    json_object_set_new(o, "correlation", corr);
    json_t *err = json_object();
    const char *em[] = {"", "additive", "proportional", "combined"};
    json_object_set_new(err, "model", json_string(em[pb->error]));
    if (pb->error != MT_ERR_PROPORTIONAL) {
        json_object_set_new(err, "additive_sd", num(r->sigma_add));
        json_object_set_new(err, "additive_estimated", json_boolean(r->sigma_add_estimated));
    }
    if (pb->error != MT_ERR_ADDITIVE) {
        json_object_set_new(err, "proportional_cv", num(r->sigma_prop));
        json_object_set_new(err, "proportional_estimated", json_boolean(r->sigma_prop_estimated));
    }
    json_object_set_new(o, "residual_error", err);
    json_object_set_new(o, "objective_neg2ll", num(r->objective));
    json_object_set_new(o, "ssr", num(r->ssr));
    json_object_set_new(o, "fisher_condition_number", num(r->cond));
    json_t *res = json_array();
    for (size_t k = 0; k < s->n_obs; k++) {
        const mt_fit_obs *ob = &s->obs[k];
        json_t *e = json_object();
        json_object_set_new(e, "time", num(ob->time));
        json_object_set_new(e, "symbol", json_string(d->outputs[ob->output]));
        json_object_set_new(e, "observed", num(ob->value));
        json_object_set_new(e, "blq", json_boolean(ob->blq));
        json_object_set_new(e, "predicted", num(r->pred[k]));
        json_object_set_new(e, "residual", num(ob->blq ? NAN : ob->value - r->pred[k]));
        json_array_append_new(res, e);
    }
    json_object_set_new(o, "residuals", res);
    return o;
}

static int write_json(FILE *f, const void *arg)
{
    return json_dumpf((const json_t *)arg, f, JSON_INDENT(2) | JSON_REAL_PRECISION(10)) ||
           fputc('\n', f) == EOF;
}

/* Observations (points) and fitted curves of every subject, first observed symbol. */
static int plot_fits(mt_ctx *ctx, mt_sim *sim, const fit_args *a, const mt_fit_data *d,
                     mt_fit_result *const *res)
{
    size_t ns = d->n_subjects, ngrid = 200;
    mt_plot_points *pts = calloc(ns, sizeof *pts);
    mt_plot_curve *cur = calloc(ns, sizeof *cur);
    double *buf = calloc(ns * (4 * ngrid + 2), sizeof *buf);
    size_t total = 0;
    for (size_t i = 0; i < ns; i++)
        total += d->subjects[i].n_obs;
    double *ox = calloc(total ? total : 1, sizeof *ox), *oy = calloc(total ? total : 1, sizeof *oy);
    int rc = 0;
    if (!pts || !cur || !buf || !ox || !oy) {
        rc = mt_cli_fail("out of memory");
        goto out;
    }
    size_t off = 0, n_cur = 0;
    for (size_t i = 0; i < ns; i++) {
        const mt_fit_subject *s = &d->subjects[i];
        size_t m = 0;
        for (size_t k = 0; k < s->n_obs; k++)
            if (s->obs[k].output == 0) {
                ox[off + m] = s->obs[k].time;
                oy[off + m] = s->obs[k].value;
                m++;
            }
        pts[i] = (mt_plot_points){s->id, m, ox + off, oy + off};
        double tend = s->obs[s->n_obs - 1].time;
        if (!res[i] || !(tend > d->t0)) {
            off += s->n_obs;
            continue;
        }
        double *gx = buf + i * (4 * ngrid + 2), *gy = gx + ngrid + 1;
        double *pred = gy + ngrid + 1;
        for (size_t k = 0; k <= ngrid; k++)
            gx[k] = d->t0 + (tend - d->t0) * (double)k / (double)ngrid;
        if (mt_fit_predict(ctx, sim, &a->pb, d, i, res[i]->est, gx, ngrid + 1, pred) != MT_OK) {
            rc = mt_cli_fail("fit: plot: %s", mt_errmsg(ctx));
            goto out;
        }
        for (size_t k = 0; k <= ngrid; k++)
            gy[k] = pred[k * d->n_outputs];
        cur[n_cur++] = (mt_plot_curve){NULL, ngrid + 1, gx, gy, 0};
        off += s->n_obs;
    }
    char title[256];
    snprintf(title, sizeof title, "medtwin fit: %s (%zu subject%s)", d->outputs[0], ns,
             ns == 1 ? "" : "s");
    mt_plot_xy_options o = {title, "time", d->outputs[0], 0, 0, 0, 0, 0, 1};
    if (mt_plot_xy(ctx, a->plot, &o, ns, pts, n_cur, cur) != MT_OK)
        rc = mt_cli_fail("fit: plot: %s", mt_errmsg(ctx));
out:
    free(pts);
    free(cur);
    free(buf);
    free(ox);
    free(oy);
    return rc;
}

static void print_summary(const fit_args *a, const mt_fit_data *d, size_t si,
                          const mt_fit_result *r)
{
    printf("subject %s: %s", d->subjects[si].id, status_name(r->status));
    for (size_t i = 0; i < a->pb.n_par; i++)
        printf("  %s %.6g (se %.3g)", a->pb.par[i].name, r->est[i], r->se[i]);
    printf("  -2LL %.6g\n", r->objective);
    if (r->status != MT_FIT_CONVERGED)
        printf("  %s\n", r->message);
}

int mt_cmd_fit(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) /* a population-PK twin: cli/cmd_mipd.c */
        if (!strcmp(argv[i], "--drug") || !strcmp(argv[i], "--patient"))
            return mt_cli_fit_drug(argc, argv);
    fit_args a;
    memset(&a, 0, sizeof a);
    a.cols.lloq = NAN;
    a.pb.error = MT_ERR_ADDITIVE;
    a.pb.sigma_add = NAN;
    a.pb.sigma_prop = NAN;
    a.set = calloc((size_t)argc + 1, sizeof *a.set);
    if (!a.set)
        return mt_cli_fail("out of memory");
    int rc = parse(argc, argv, &a);
    mt_ctx *ctx = NULL;
    mt_model *m = NULL;
    mt_program *p = NULL;
    mt_sim *sim = NULL;
    mt_csv *csv = NULL;
    mt_fit_data *d = NULL;
    mt_fit_param *par = NULL;
    mt_fit_result **res = NULL;
    json_t *root = NULL;
    size_t np = 0;
    char **names = NULL, *names_buf = NULL;
    if (rc)
        goto out;
    if (mt_ctx_create(&ctx) != MT_OK) {
        rc = mt_cli_fail("out of memory");
        goto out;
    }
    if (mt_model_load_file(ctx, a.model, &m) != MT_OK || mt_program_create(ctx, m, &p) != MT_OK ||
        mt_sim_create(ctx, p, &sim) != MT_OK) {
        rc = mt_cli_fail("fit: %s: %s", a.model, mt_errmsg(ctx));
        goto out;
    }
    if (mt_csv_read(ctx, a.data, 64u << 20, &csv) != MT_OK) {
        rc = mt_cli_fail("fit: %s", mt_errmsg(ctx));
        goto out;
    }
    if (mt_fit_data_read(ctx, csv, sim, &a.cols, &d) != MT_OK) {
        rc = mt_cli_fail("fit: %s: %s", a.data, mt_errmsg(ctx));
        goto out;
    }
    for (int i = 0; i < a.n_set; i++) { /* fixed values: a covariate of every subject */
        char buf[512];
        snprintf(buf, sizeof buf, "%s", a.set[i]);
        char *eq = strchr(buf, '=');
        double v;
        if (!eq || eq == buf || (*eq = '\0', mt_cli_parse_double(eq + 1, &v))) {
            rc = mt_cli_fail("fit: --set '%s': expected id=number", a.set[i]);
            goto out;
        }
        if (mt_fit_data_set_covariate(ctx, d, sim, buf, v) != MT_OK) {
            rc = mt_cli_fail("fit: --set: %s", mt_errmsg(ctx));
            goto out;
        }
    }
    names = split(a.estimate, &np, &names_buf);
    if (!names) {
        rc = mt_cli_fail("fit: --estimate: no parameter names in '%s'", a.estimate);
        goto out;
    }
    par = calloc(np, sizeof *par);
    res = calloc(d->n_subjects, sizeof *res);
    if (!par || !res) {
        rc = mt_cli_fail("out of memory");
        goto out;
    }
    if ((rc = build_params(&a, par, np, names)) != 0)
        goto out;
    a.pb.n_par = np;
    a.pb.par = par;
    int unusable = 0;
    root = json_object();
    json_t *subjects = json_array();
    json_object_set_new(root, "model", json_string(a.model));
    json_object_set_new(root, "data", json_string(a.data));
    json_object_set_new(root, "method", json_string(a.prior ? "map" : "maximum_likelihood"));
    json_object_set_new(
        root, "gradients",
        json_string(a.pb.no_sensitivities ? "finite_differences" : "cvodes_forward_sensitivities"));
    json_object_set_new(root, "subjects", subjects);
    for (size_t i = 0; i < d->n_subjects; i++) {
        if (mt_fit_subject_run(ctx, sim, &a.pb, d, i, &res[i]) != MT_OK) {
            rc = mt_cli_fail("fit: subject %s: %s", d->subjects[i].id, mt_errmsg(ctx));
            goto out;
        }
        print_summary(&a, d, i, res[i]);
        unusable |= res[i]->status != MT_FIT_CONVERGED;
        json_array_append_new(subjects, subject_json(&a, d, i, res[i]));
    }
    if (a.out && mt_cli_write_atomic(a.out, write_json, root)) {
        rc = 1;
        goto out;
    }
    if (a.plot && (rc = plot_fits(ctx, sim, &a, d, res)) != 0)
        goto out;
    if (unusable) {
        fprintf(stderr, "medtwin: fit: some fits are not usable (see the status above)\n");
        rc = 3;
    }
out:
    json_decref(root);
    for (size_t i = 0; d && res && i < d->n_subjects; i++)
        mt_fit_result_destroy(ctx, res[i]);
    free(res);
    free(par);
    free(names);
    free(names_buf);
    mt_fit_data_destroy(ctx, d);
    mt_csv_destroy(csv);
    mt_sim_destroy(sim);
    mt_program_destroy(p);
    mt_model_destroy(m);
    mt_ctx_destroy(ctx);
    free(a.set);
    return rc;
}
