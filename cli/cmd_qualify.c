/* SPDX-License-Identifier: Apache-2.0
 *
 * cli/cmd_qualify.c — `medtwin qualify`: every validation set the project ships, in one run
 * and one report (docs/qualification.md). It is `medtwin validate` run over the inputs in
 * data/qualification/ (copies of the shared clinical lists, each with its source), plus the
 * covariate and genotype arms, summarised as figures that a committed floors file guards:
 *
 *   midazolam   the single-dose midazolam datasets (AUC, oral Cmax; held out = without the
 *               drug card's training studies)
 *   ddi         the structured interaction table (AUC and Cmax ratios, Guest criterion),
 *               and ddi_<mechanism> for induction, reversible and mechanism-based inhibition
 *   covariates  datasets of arms with stated genotypes or covariates, each predicted in a
 *               person made from them (data/qualification/covariate_arms.csv), with the
 *               between-arm ratios
 *
 * Outputs under --out (default docs/qualification): index.html (self-contained; the tables
 * and the PNGs beside it), summary.csv (every figure), and per set the report.md, results.csv
 * and plots that `medtwin validate` writes. Nothing depends on the clock except one marked
 * line of index.html (SOURCE_DATE_EPOCH, when set, fixes it too), so two runs of the same
 * tree give the same files. --check FLOORS compares the figures with the floors file and
 * exits 1 naming every figure below its floor (or above its ceiling). Input errors (a data
 * file missing or malformed, a bad floors file) stop the command with a message naming the
 * file before anything is run.
 *
 * This file: the command, the runs, the figures and the floors; index.html is written by
 * cli/cmd_qualify_html.c.
 */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"
#include "qualify_cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *const help =
    "usage: medtwin qualify [--out DIR] [--reduced] [--check FLOORS] [--data DIR] [--quiet]\n"
    "\n"
    "Runs every validation set the project ships (data/qualification/) and writes the\n"
    "qualification report: DIR/index.html, summary.csv, and per set results.csv, report.md\n"
    "and PNG plots (observed vs predicted with 1.25- and 2-fold lines, Guest plots).\n"
    "\n"
    "  --out DIR      where to write (default docs/qualification)\n"
    "  --reduced      the reduced sets of data/qualification/reduced/ (the CI form)\n"
    "  --check FILE   compare the figures with a floors file (set,figure,kind,limit);\n"
    "                 exit 1 naming each figure below its floor or above its ceiling\n"
    "  --data DIR     the input folder (default: the data folder's qualification/)\n"
    "  --quiet        no progress on standard error\n";

/* ---------- figures ---------- */

static void add_fig(mt_qfy_run *q, const char *set, const char *figure, double value, size_t n)
{
    mt_qfy_figure *nf = realloc(q->fig, (q->n_fig + 1) * sizeof *nf);
    if (!nf) {
        fputs("medtwin: out of memory\n", stderr);
        exit(1);
    }
    q->fig = nf;
    mt_qfy_figure *f = &q->fig[q->n_fig++];
    snprintf(f->set, sizeof f->set, "%s", set);
    snprintf(f->figure, sizeof f->figure, "%s", figure);
    f->value = value;
    f->n = n;
}

const mt_qfy_figure *mt_qfy_find(const mt_qfy_run *q, const char *set, const char *figure)
{
    for (size_t i = 0; i < q->n_fig; i++)
        if (!strcmp(q->fig[i].set, set) && !strcmp(q->fig[i].figure, figure))
            return &q->fig[i];
    return NULL;
}

/* GMFE and the shares within 1.25-, 1.5- and 2-fold (percent) of a fold summary. */
static void add_folds(mt_qfy_run *q, const char *set, const char *what, const char *suffix,
                      const mt_fold_summary *s)
{
    char name[64];
    double pct = s->n ? 100.0 : NAN;
    snprintf(name, sizeof name, "%s_gmfe%s", what, suffix);
    add_fig(q, set, name, s->n ? s->gmfe : NAN, s->n);
    snprintf(name, sizeof name, "%s_within_1.25fold_pct%s", what, suffix);
    add_fig(q, set, name, pct * s->within_125, s->n);
    snprintf(name, sizeof name, "%s_within_1.5fold_pct%s", what, suffix);
    add_fig(q, set, name, pct * s->within_15, s->n);
    snprintf(name, sizeof name, "%s_within_2fold_pct%s", what, suffix);
    add_fig(q, set, name, pct * s->within_2, s->n);
}

static size_t n_predicted(const mt_vld_dataset_list *l)
{
    size_t k = 0;
    for (size_t i = 0; i < l->n; i++)
        k += l->d[i].predicted != 0;
    return k;
}

static void dataset_figures(mt_qfy_run *q, const char *set, const mt_vld_dataset_list *l,
                            int with_routes)
{
    mt_fold_summary s;
    add_fig(q, set, "n_datasets", (double)l->n, l->n);
    add_fig(q, set, "n_predicted", (double)n_predicted(l), l->n);
    mt_vld_dataset_folds(l, 0, -1, 1, &s);
    add_folds(q, set, "auc", "_heldout", &s);
    mt_vld_dataset_folds(l, 1, -1, 1, &s);
    add_folds(q, set, "cmax_po", "_heldout", &s);
    if (!with_routes)
        return;
    mt_vld_dataset_folds(l, 0, 1, 1, &s);
    add_folds(q, set, "auc_po", "_heldout", &s);
    mt_vld_dataset_folds(l, 0, 0, 1, &s);
    add_folds(q, set, "auc_iv", "_heldout", &s);
    mt_vld_dataset_folds(l, 0, -1, 0, &s);
    add_folds(q, set, "auc", "_all", &s);
    mt_vld_dataset_folds(l, 1, -1, 0, &s);
    add_folds(q, set, "cmax_po", "_all", &s);
}

static void ddi_figures(mt_qfy_run *q, const mt_qfy_set *ds, const char *set, const char *mechanism)
{
    mt_vld_ddi_summary s;
    mt_vld_ddi_summarise(ds->ddi, ds->n_ddi, mechanism, &s);
    add_fig(q, set, "n_arms", (double)s.n_rows, s.n_rows);
    add_fig(q, set, "n_predicted", (double)s.n_pred, s.n_rows);
    add_fig(q, set, "n_left_out", (double)s.n_left_out, s.n_rows);
    add_fig(q, set, "n_training", (double)s.n_training, s.n_pred);
    add_fig(q, set, "aucr_within_guest_pct",
            s.aucr_guest_n ? 100.0 * (double)s.aucr_guest / (double)s.aucr_guest_n : NAN,
            s.aucr_guest_n);
    add_folds(q, set, "aucr", "", &s.aucr);
    add_fig(q, set, "cmaxr_within_guest_pct",
            s.cmaxr_guest_n ? 100.0 * (double)s.cmaxr_guest / (double)s.cmaxr_guest_n : NAN,
            s.cmaxr_guest_n);
    add_folds(q, set, "cmaxr", "", &s.cmaxr);
    if (mechanism)
        return;
    /* the urine rows compared as 1/(renal clearance ratio) (not in the figures above) */
    add_fig(q, set, "urine_n_compared", s.urine.n ? (double)s.urine.n : NAN, s.urine.n);
    add_fig(q, set, "urine_within_guest_pct",
            s.urine_guest_n ? 100.0 * (double)s.urine_guest / (double)s.urine_guest_n : NAN,
            s.urine_guest_n);
    add_folds(q, set, "urine", "", &s.urine);
}

static char *summary_csv(const mt_qfy_run *q)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return NULL;
    fputs("set,figure,value,n\n", f);
    for (size_t i = 0; i < q->n_fig; i++) {
        const mt_qfy_figure *g = &q->fig[i];
        fprintf(f, "%s,%s,", g->set, g->figure);
        if (isfinite(g->value))
            fprintf(f, "%.6g", g->value);
        fprintf(f, ",%zu\n", g->n);
    }
    fclose(f);
    return text;
}

/* ---------- floors ---------- */

static int load_floors(mt_ctx *ctx, const char *path, mt_validate_floors *fl)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return mt_cli_fail("qualify: --check %s: cannot open the floors file", path);
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int rc = 0;
    for (;;) {
        if (len + 4096 > cap) {
            char *nb = cap < (1u << 24) ? realloc(buf, cap + 65536) : NULL;
            if (!nb) {
                rc = mt_cli_fail("qualify: --check %s: too large or out of memory", path);
                break;
            }
            buf = nb;
            cap += 65536;
        }
        size_t k = fread(buf + len, 1, cap - len, f);
        len += k;
        if (k == 0)
            break;
    }
    fclose(f);
    if (!rc && mt_validate_floors_parse(ctx, buf ? buf : "", len, path, fl) != MT_OK)
        rc = mt_cli_fail("qualify: --check: %s", mt_errmsg(ctx));
    free(buf);
    return rc;
}

/* Each floor against its figure; every failure named. Returns the number of failures. */
static size_t check_floors(const mt_qfy_run *q, const mt_validate_floors *fl, const char *path)
{
    size_t bad = 0;
    for (size_t i = 0; i < fl->n; i++) {
        const mt_validate_floor *f = &fl->v[i];
        const mt_qfy_figure *g = mt_qfy_find(q, f->set, f->figure);
        const char *op = f->ceiling ? "ceiling" : "floor";
        if (!g) {
            fprintf(stderr,
                    "medtwin: qualify: %s row %zu: this run has no figure '%s' in set '%s' "
                    "(the figures are listed in summary.csv)\n",
                    path, i + 2, f->figure, f->set);
            bad++;
        } else if (!mt_validate_floor_met(f, g->value)) {
            if (isnan(g->value))
                fprintf(stderr, "medtwin: qualify: %s %s is not computed (no rows), %s %g\n",
                        f->set, f->figure, op, f->limit);
            else
                fprintf(stderr, "medtwin: qualify: %s %s = %.4g is %s its %s %g (n %zu)\n", f->set,
                        f->figure, g->value, f->ceiling ? "above" : "below", op, f->limit, g->n);
            bad++;
        }
    }
    return bad;
}

/* ---------- the covariate arms ---------- */

static void arm_free(mt_qfy_arm *a)
{
    free(a->dataset);
    free(a->comparison);
    free(a->arm);
    free(a->reference_arm);
    free(a->covariates);
    free(a->source);
    free(a->person_json);
    free(a->gene);
}

/* Reads covariate_arms.csv: each arm's person as profile JSON. */
static int read_arms(mt_ctx *ctx, const char *path, mt_qfy_set *q)
{
    mt_csv *t = NULL;
    if (mt_csv_read(ctx, path, 0, &t) != MT_OK)
        return mt_cli_fail("qualify: %s", mt_errmsg(ctx));
    static const char *const cols[] = {
        "dataset",          "comparison", "arm",       "reference_arm", "sex",
        "age_years",        "weight_kg",  "height_cm", "genotype_gene", "genotype",
        "covariates_source"};
    enum { NC = sizeof cols / sizeof cols[0] };
    int j[NC], rc = 0;
    for (size_t k = 0; k < NC; k++)
        j[k] = mt_vld_need_col(t, path, "covariate arms", cols[k], &rc);
    size_t n = mt_csv_n_rows(t);
    q->arms = calloc(n + 1, sizeof *q->arms);
    if (!rc && !q->arms)
        rc = mt_cli_fail("out of memory");
    for (size_t i = 0; !rc && i < n; i++) {
        const char *c[NC];
        for (size_t k = 0; k < NC; k++)
            c[k] = mt_vld_cell(t, i, j[k]);
        double age = mt_vld_num(c[5]), wt = mt_vld_num(c[6]), ht = mt_vld_num(c[7]);
        if (!*c[0] || !*c[1] || !*c[2] || !(age > 0) || !(wt > 0) || !(ht > 0) ||
            (strcmp(c[4], "male") != 0 && strcmp(c[4], "female") != 0)) {
            rc = mt_cli_fail("qualify: %s row %zu: dataset, comparison, arm, sex (male or "
                             "female), age_years, weight_kg and height_cm (positive numbers) "
                             "are required",
                             path, i + 2);
            break;
        }
        mt_qfy_arm *a = &q->arms[q->n_arms++];
        a->dataset = mt_vld_strdup(c[0]);
        a->comparison = mt_vld_strdup(c[1]);
        a->arm = mt_vld_strdup(c[2]);
        a->reference_arm = mt_vld_strdup(c[3]);
        a->source = mt_vld_strdup(c[10]);
        a->gene = mt_vld_strdup(*c[9] ? c[8] : "");
        a->gene_on_card = -1;
        char geno[160] = "";
        if (*c[8] && *c[9])
            snprintf(geno, sizeof geno, ", \"genotypes\": {\"%s\": \"%s\"}", c[8], c[9]);
        a->covariates =
            *geno ? mt_vld_printf("%s, %g y, %g kg, %g cm, %s %s", c[4], age, wt, ht, c[8], c[9])
                  : mt_vld_printf("%s, %g y, %g kg, %g cm", c[4], age, wt, ht);
        a->person_json = mt_vld_printf("{\"id\": \"qualify_arm\", \"sex\": \"%s\", \"age_years\": "
                                       "%.17g, \"weight_kg\": %.17g, \"height_cm\": %.17g, "
                                       "\"biogeographic_group\": \"European\"%s}",
                                       c[4], age, wt, ht, geno);
    }
    mt_csv_destroy(t);
    return rc;
}

const mt_vld_dataset *mt_qfy_arm_dataset(const mt_qfy_set *s, const char *dataset)
{
    for (size_t i = 0; i < s->l.n; i++)
        if (!strcmp(s->l.d[i].name, dataset))
            return &s->l.d[i];
    return NULL;
}

/* Whether the drug's card names the arm's gene among its pharmacogenomic entries. */
static void gene_on_card(mt_ctx *ctx, const char *drug, mt_qfy_arm *a)
{
    mt_drugcard *c = NULL;
    if (!*a->gene || !*drug || mt_drugcard_load(ctx, NULL, drug, &c) != MT_OK)
        return;
    a->gene_on_card = 0;
    for (size_t i = 0; i < mt_drugcard_n_pgx(c); i++) {
        const char *gene = NULL, *scales = NULL;
        if (mt_drugcard_pgx(c, i, &gene, &scales) == MT_OK && gene && !strcmp(gene, a->gene))
            a->gene_on_card = 1;
    }
    mt_drugcard_destroy(c);
}

/* Each arm's dataset predicted in its own person (the runner's person swapped in and back). */
static int run_arms(mt_vld_runner *R, mt_qfy_set *q, int quiet)
{
    mt_profile *ref = R->person;
    double ref_wt = R->weight_kg;
    int rc = 0;
    for (size_t i = 0; !rc && i < q->l.n; i++) {
        mt_vld_dataset *d = &q->l.d[i];
        const mt_qfy_arm *a = NULL;
        for (size_t k = 0; k < q->n_arms && !a; k++)
            if (!strcmp(q->arms[k].dataset, d->name))
                a = &q->arms[k];
        mt_profile *p = NULL;
        if (!a ||
            mt_profile_parse_json(R->ctx, a->person_json, strlen(a->person_json), &p) != MT_OK) {
            d->why = mt_vld_printf("the arm's person cannot be made: %s",
                                   a ? mt_errmsg(R->ctx) : "no covariate row");
            continue;
        }
        R->person = p;
        R->weight_kg = mt_profile_weight_kg(p);
        gene_on_card(R->ctx, d->drug, (mt_qfy_arm *)a);
        mt_vld_dataset_run(R, d);
        R->person = ref;
        R->weight_kg = ref_wt;
        mt_profile_destroy(p);
        if (!quiet)
            fprintf(stderr, "qualify: %s [%zu/%zu] %s: %s\n", q->name, i + 1, q->l.n, d->name,
                    d->predicted ? "predicted" : "not predicted");
    }
    return rc;
}

static void arm_figures(mt_qfy_run *run, const mt_qfy_set *q)
{
    /* between-arm AUC ratios: fold of the predicted ratio vs the observed one */
    double *ro = calloc(q->n_arms + 1, sizeof *ro), *rp = calloc(q->n_arms + 1, sizeof *rp);
    size_t m = 0;
    for (size_t i = 0; ro && rp && i < q->n_arms; i++) {
        const mt_qfy_arm *a = &q->arms[i];
        const mt_vld_dataset *d = mt_qfy_arm_dataset(q, a->dataset),
                             *r =
                                 *a->reference_arm ? mt_qfy_arm_dataset(q, a->reference_arm) : NULL;
        if (!d || !r || !d->predicted || !r->predicted || d == r)
            continue;
        ro[m] = d->auc_obs / r->auc_obs;
        rp[m++] = d->auc_pred / r->auc_pred;
    }
    mt_fold_summary s;
    mt_validate_folds(m, rp, ro, &s);
    add_folds(run, q->name, "auc_ratio", "", &s);
    free(ro);
    free(rp);
}

/* ---------- the command ---------- */

static int need_file(const char *path)
{
    if (access(path, R_OK) != 0)
        return mt_cli_fail("qualify: data file %s is missing or unreadable (the inputs are "
                           "listed in data/qualification/README.md)",
                           path);
    return 0;
}

/* The stamp line of index.html: SOURCE_DATE_EPOCH (reproducible builds) or now, UTC. */
static void make_stamp(char *buf, size_t cap)
{
    const char *sde = getenv("SOURCE_DATE_EPOCH");
    time_t now = time(NULL);
    double v;
    if (sde && *sde && !mt_cli_parse_double(sde, &v) && v >= 0 && v < 4e9)
        now = (time_t)v;
    struct tm tm;
    if (!gmtime_r(&now, &tm) || !strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm))
        snprintf(buf, cap, "unknown");
}

static void set_free(mt_qfy_set *s)
{
    free(s->name);
    free(s->title);
    free(s->input);
    free(s->observed);
    free(s->meta);
    mt_vld_datasets_free(&s->l);
    mt_vld_ddi_rows_free(s->ddi, s->n_ddi);
    for (size_t i = 0; i < s->n_arms; i++)
        arm_free(&s->arms[i]);
    free(s->arms);
}

/* A file of the input folder: data/<rel>, made a path; "" stays NULL. */
static char *data_path(const mt_qfy_run *q, const char *rel)
{
    return *rel ? mt_vld_printf("%s/%s", q->data, rel) : NULL;
}

/* sets.csv: the validation sets to run, in order. */
static int read_sets(mt_ctx *ctx, mt_qfy_run *q)
{
    char *path = mt_vld_printf("%s/sets.csv", q->data);
    int rc = need_file(path);
    mt_csv *t = NULL;
    if (!rc && mt_csv_read(ctx, path, 0, &t) != MT_OK)
        rc = mt_cli_fail("qualify: %s", mt_errmsg(ctx));
    static const char *const cols[] = {"set",           "kind",     "title", "input",
                                       "reduced_input", "observed", "meta"};
    enum { NC = sizeof cols / sizeof cols[0] };
    int j[NC];
    for (size_t k = 0; !rc && k < NC; k++)
        j[k] = mt_vld_need_col(t, path, "sets", cols[k], &rc);
    size_t n = t ? mt_csv_n_rows(t) : 0;
    if (!rc && !n)
        rc = mt_cli_fail("qualify: %s: no sets", path);
    if (!rc && !(q->sets = calloc(n, sizeof *q->sets)))
        rc = mt_cli_fail("out of memory");
    for (size_t i = 0; !rc && i < n; i++) {
        const char *c[NC];
        for (size_t k = 0; k < NC; k++)
            c[k] = mt_vld_cell(t, i, j[k]);
        char name[48];
        int kind = !strcmp(c[1], "datasets") ? MT_QFY_DATASETS
                   : !strcmp(c[1], "ddi")    ? MT_QFY_DDI
                   : !strcmp(c[1], "arms")   ? MT_QFY_ARMS
                                             : -1;
        const char *input = q->reduced ? c[4] : c[3];
        if (!mt_vld_card_name(c[0], name, sizeof name) || strcmp(name, c[0]) != 0)
            rc = mt_cli_fail("qualify: %s row %zu: set '%s' is not a name of lower-case letters, "
                             "digits and '_'",
                             path, i + 2, c[0]);
        else if (kind < 0)
            rc = mt_cli_fail("qualify: %s row %zu: kind '%s' is not datasets, ddi or arms", path,
                             i + 2, c[1]);
        else if (!*input || (kind != MT_QFY_DDI && (!*c[5] || !*c[6])))
            rc = mt_cli_fail("qualify: %s row %zu: set '%s' needs %s%s", path, i + 2, c[0],
                             q->reduced ? "reduced_input" : "input",
                             kind != MT_QFY_DDI ? ", observed and meta" : "");
        for (size_t k = 0; !rc && k < q->n_sets; k++)
            if (!strcmp(q->sets[k].name, c[0]))
                rc =
                    mt_cli_fail("qualify: %s row %zu: set '%s' is listed twice", path, i + 2, c[0]);
        if (rc)
            break;
        mt_qfy_set *s = &q->sets[q->n_sets++];
        s->name = mt_vld_strdup(c[0]);
        s->kind = (mt_qfy_kind)kind;
        s->title = mt_vld_strdup(*c[2] ? c[2] : c[0]);
        s->input = mt_vld_strdup(input);
        s->observed = data_path(q, c[5]);
        s->meta = data_path(q, c[6]);
    }
    mt_csv_destroy(t);
    free(path);
    return rc;
}

/* Loads one set's inputs (nothing is run yet). */
static int load_set(mt_vld_runner *R, mt_qfy_run *q, mt_qfy_set *s, mt_vld_args *a)
{
    char *input = data_path(q, s->input);
    const char *need[3] = {input, s->observed, s->meta};
    int rc = 0;
    for (size_t k = 0; !rc && k < 3; k++)
        if (need[k])
            rc = need_file(need[k]);
    a->observed = s->observed;
    a->meta = s->meta;
    a->set = s->kind == MT_QFY_DDI ? NULL : input;
    a->ddi = s->kind == MT_QFY_DDI ? input : NULL;
    R->a = a;
    if (!rc && s->kind == MT_QFY_ARMS)
        rc = read_arms(R->ctx, input, s);
    if (!rc && s->kind != MT_QFY_DDI)
        rc = mt_vld_datasets_load(R, &s->l);
    /* a->set / a->ddi point at input, which s keeps (freed with the set, after the run) */
    free(s->input);
    s->input = input;
    return rc;
}

static int run_set(mt_vld_runner *R, mt_qfy_run *q, mt_qfy_set *s, mt_vld_args *a)
{
    char *out = mt_vld_printf("%s/%s", q->out, s->name);
    const char *rel = s->input + strlen(q->data) + 1;
    char *note =
        s->kind == MT_QFY_DDI
            ? mt_vld_printf("`medtwin qualify%s` (medtwin %s), set `%s`, from "
                            "`data/qualification/%s`",
                            q->reduced ? " --reduced" : "", mt_version(), s->name, rel)
            : mt_vld_printf("`medtwin qualify%s` (medtwin %s), set `%s`, from "
                            "`data/qualification/`: the datasets of `%s` in `%s` and `%s`%s",
                            q->reduced ? " --reduced" : "", mt_version(), s->name, rel,
                            s->observed + strlen(q->data) + 1, s->meta + strlen(q->data) + 1,
                            s->kind == MT_QFY_ARMS ? ", each in its arm's own person" : "");
    a->out = out;
    a->source_note = note;
    R->a = a;
    const char *person = R->person_path;
    int rc = mt_vld_make_dir(out);
    if (!rc && s->kind == MT_QFY_DDI) {
        a->quiet = q->quiet;
        rc = mt_vld_ddi_run(R, &s->ddi, &s->n_ddi);
        a->quiet = 1;
        if (!rc)
            rc = mt_vld_ddi_report(R, s->ddi, s->n_ddi);
    } else if (!rc) {
        if (s->kind == MT_QFY_ARMS) {
            R->person_path = "per arm, see the arms file";
            rc = run_arms(R, s, q->quiet);
        } else {
            for (size_t i = 0; i < s->l.n; i++) {
                mt_vld_dataset_run(R, &s->l.d[i]);
                if (!q->quiet)
                    fprintf(stderr, "qualify: %s [%zu/%zu] %s: %s\n", s->name, i + 1, s->l.n,
                            s->l.d[i].name, s->l.d[i].predicted ? "predicted" : "not predicted");
            }
        }
        if (!rc)
            rc = mt_vld_datasets_report(R, &s->l);
    }
    R->person_path = person;
    if (!rc && s->kind == MT_QFY_DDI) {
        ddi_figures(q, s, s->name, NULL);
        for (size_t k = 0; mt_vld_mechanisms[k]; k++) {
            char set_name[48];
            snprintf(set_name, sizeof set_name, "%.20s_%s", s->name, mt_vld_mechanisms[k]);
            ddi_figures(q, s, set_name, mt_vld_mechanisms[k]);
        }
    } else if (!rc) {
        dataset_figures(q, s->name, &s->l, s->kind == MT_QFY_DATASETS);
        if (s->kind == MT_QFY_ARMS)
            arm_figures(q, s);
    }
    free(out);
    free(note);
    return rc;
}

static int run_all(mt_qfy_run *q, mt_validate_floors *fl)
{
    mt_vld_args base = {.quiet = 1, .embedded = 1};
    mt_vld_args *args = NULL;
    mt_vld_runner R = {0};
    int rc = mt_vld_runner_open(&R, &base);
    if (!rc && q->check)
        rc = load_floors(R.ctx, q->check, fl);
    if (!rc)
        rc = read_sets(R.ctx, q);
    if (!rc && !(args = calloc(q->n_sets, sizeof *args)))
        rc = mt_cli_fail("out of memory");
    /* load every input before running anything: a bad file stops the command at once */
    for (size_t i = 0; !rc && i < q->n_sets; i++) {
        args[i] = base;
        rc = load_set(&R, q, &q->sets[i], &args[i]);
    }
    if (!rc)
        rc = mt_vld_make_dir(q->out);
    for (size_t i = 0; !rc && i < q->n_sets; i++)
        rc = run_set(&R, q, &q->sets[i], &args[i]);
    mt_vld_runner_close(&R);
    free(args);
    return rc;
}

int mt_cmd_qualify(int argc, char **argv)
{
    mt_qfy_run q = {.out = "docs/qualification"};
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        if (!strcmp(o, "--help") || !strcmp(o, "-h")) {
            fputs(help, stdout);
            return 0;
        }
        if (!strcmp(o, "--quiet") || !strcmp(o, "--reduced")) {
            *(o[2] == 'q' ? &q.quiet : &q.reduced) = 1;
            continue;
        }
        const char **dst = !strcmp(o, "--out")     ? &q.out
                           : !strcmp(o, "--check") ? &q.check
                           : !strcmp(o, "--data")  ? &q.data
                                                   : NULL;
        if (!dst)
            return mt_cli_fail("qualify: unknown option '%s' (see medtwin qualify --help)", o);
        if (i + 1 >= argc || !*argv[i + 1])
            return mt_cli_fail("qualify: option %s needs a value", o);
        *dst = argv[++i];
    }
    char *data = q.data ? NULL : mt_vld_printf("%s/qualification", mt_data_dir());
    if (!q.data)
        q.data = data;
    mt_validate_floors fl = {0};
    int rc = run_all(&q, &fl);
    if (!rc) {
        char *csv = summary_csv(&q);
        rc = csv ? mt_vld_write_file(q.out, "summary.csv", csv) : mt_cli_fail("out of memory");
        free(csv);
    }
    char stamp[64];
    make_stamp(stamp, sizeof stamp);
    if (!rc)
        rc = mt_qfy_write_html(&q, stamp);
    if (!rc) {
        /* one line per set: its headline figures */
        for (size_t i = 0; i < q.n_sets; i++) {
            const mt_qfy_set *st = &q.sets[i];
            const char *f1 = st->kind == MT_QFY_DDI ? "aucr_within_guest_pct"
                                                    : "auc_within_2fold_pct_heldout",
                       *f2 = st->kind == MT_QFY_DDI ? "aucr_within_2fold_pct" : "auc_gmfe_heldout";
            const mt_qfy_figure *a = mt_qfy_find(&q, st->name, f1),
                                *b = mt_qfy_find(&q, st->name, f2);
            printf("qualify: %s: %s %.4g, %s %.4g (n %zu)\n", st->name, f1, a ? a->value : NAN, f2,
                   b ? b->value : NAN, a ? a->n : 0);
        }
        printf("qualify: report %s/index.html\n", q.out);
    }
    if (!rc && q.check) {
        size_t bad = check_floors(&q, &fl, q.check);
        if (bad) {
            fprintf(stderr, "medtwin: qualify: %zu figure(s) fail their floors in %s\n", bad,
                    q.check);
            rc = 1;
        } else {
            printf("qualify: all %zu floors of %s met\n", fl.n, q.check);
        }
    }
    mt_validate_floors_clear(&fl);
    for (size_t i = 0; i < q.n_sets; i++)
        set_free(&q.sets[i]);
    free(q.sets);
    free(q.fig);
    free(data);
    return rc;
}
