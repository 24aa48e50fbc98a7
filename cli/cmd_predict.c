/* SPDX-License-Identifier: Apache-2.0
 *
 * cli/cmd_predict.c — `medtwin predict`: regimen(s) -> whole-body PBPK twin
 * -> concentration curves, exposure metrics, result.json and a plot.
 *
 * This first version runs the builder with parameters given explicitly
 * (`--given FILE.csv [--row N]` and `--set id=value`): physiology (V_*,
 * Q_*) and drug parameters (Kp_*, CL_H, CL_R, ka, F, BP; a name without the
 * drug suffix applies to every drug of the regimen). Deriving them from a
 * patient profile, drug cards and partition methods is the next step of
 * issue #3; until then a parameter left unset is an error naming it.
 */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"
#include "medtwin/csv.h"
#include "medtwin/drugcard.h"
#include "medtwin/exposure.h"
#include "medtwin/pbpk.h"
#include "medtwin/profile.h"
#include "medtwin/regimen.h"
#include "medtwin/twin.h"

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
    "                     \"clarithromycin 500 mg po q12h x 5d\" (repeatable)\n"
    "  --until T          end of the prediction (e.g. 48h, 2d; default 24h)\n"
    "  --given FILE.csv   twin parameters by id (columns), e.g. V_liv, Q_ha,\n"
    "                     Kp_liv, CL_H, ka; one twin per row\n"
    "  --row N            which row of --given (default 0)\n"
    "  --set id=value     one parameter (repeatable; after --given)\n"
    "  --steps N          output intervals (default: one per minute)\n"
    "  --rtol R --atol A  solver tolerances (default 1e-6, 1e-9 mg)\n"
    "  --out FILE.json    write the result there (default: standard output)\n"
    "  --plot FILE.png|.svg  plasma concentration curves\n";

typedef struct {
    const char *cmd; /* "predict" or "twin export" */
    const char *regimen[MAX_REGIMENS];
    int n_regimen;
    const char *given, *out, *plot, *patient;
    long row, steps;
    double until_h, rtol, atol;
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
        } else {
            return mt_cli_fail("%s: unknown option '%s' (see medtwin %s --help)", a->cmd, o,
                               a->cmd);
        }
    }
    if (!a->n_regimen)
        return mt_cli_fail("%s: no --regimen given (see medtwin %s --help)", a->cmd, a->cmd);
    return 0;
}

/* Twin parameters collected from --given and --set, resolved to model ids
 * (an id without a drug suffix that the model lacks applies to every drug
 * of the regimen as id_<drug>). */
typedef struct {
    size_t n, cap;
    char **id;
    double *val;
} params;

static void params_free(params *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->id[i]);
    free(p->id);
    free(p->val);
    memset(p, 0, sizeof *p);
}

static int params_put(params *p, const char *id, double v)
{
    for (size_t i = 0; i < p->n; i++)
        if (!strcmp(p->id[i], id)) {
            p->val[i] = v; /* a later source wins (--set after --given) */
            return 0;
        }
    if (p->n == p->cap) {
        size_t nc = p->cap ? p->cap * 2 : 64;
        char **ni = realloc(p->id, nc * sizeof *ni);
        if (!ni)
            return -1;
        p->id = ni;
        double *nv = realloc(p->val, nc * sizeof *nv);
        if (!nv)
            return -1;
        p->val = nv;
        p->cap = nc;
    }
    if (!(p->id[p->n] = strdup(id)))
        return -1;
    p->val[p->n++] = v;
    return 0;
}

/* Resolves id against the model; 0 if at least one symbol took it. */
static int resolve(const mt_model *m, params *p, const mt_regimen *reg, int n_reg, const char *id,
                   double v)
{
    size_t idx;
    if (mt_model_find(m, id, &idx) == MT_OK)
        return params_put(p, id, v);
    int hit = 0;
    for (int d = 0; d < n_reg; d++) {
        char full[512];
        snprintf(full, sizeof full, "%.255s_%.63s", id, reg[d].drug);
        if (mt_model_find(m, full, &idx) == MT_OK) {
            if (params_put(p, full, v) != 0)
                return -1;
            hit = 1;
        }
    }
    return hit ? 0 : -1;
}

static int collect(mt_ctx *ctx, const mt_model *m, const mt_regimen *reg, int n_reg, const args *a,
                   params *p)
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
            if (mt_cli_parse_double(cell, &v))
                rc = mt_cli_fail("%s: %s row %ld column %s: '%s' is not a number", a->cmd, a->given,
                                 a->row, id, cell);
            else if (resolve(m, p, reg, n_reg, id, v) != 0)
                rc = mt_cli_fail("%s: %s: column '%s' names no twin parameter", a->cmd, a->given,
                                 id);
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
        if (!eq || eq == buf)
            return mt_cli_fail("%s: --set '%s': expected id=value", a->cmd, a->set[i]);
        *eq = '\0';
        if (mt_cli_parse_double(eq + 1, &v))
            return mt_cli_fail("%s: --set %s: '%s' is not a number", a->cmd, buf, eq + 1);
        if (resolve(m, p, reg, n_reg, buf, v) != 0)
            return mt_cli_fail("%s: --set: unknown twin parameter '%s'", a->cmd, buf);
    }
    return 0;
}

/* --patient: the person's parameters from the profile and the regimen's drug cards
 * (medtwin/twin.h), put before --given/--set so that those override them. *report (may be
 * NULL) receives {"patient", "parameters": [...], "facts": [...]} for result.json. */
static int derive_from_patient(mt_ctx *ctx, const args *a, const mt_profile *person,
                               const mt_regimen *reg, params *prm, json_t **report)
{
    mt_twin_tables *tt = NULL;
    mt_drugcard *cards[MAX_REGIMENS] = {0};
    const char *ids[MAX_REGIMENS];
    int oral[MAX_REGIMENS];
    mt_twin_param_list l = {0};
    int rc = 0;
    if (mt_twin_tables_load(ctx, NULL, &tt) != MT_OK) {
        rc = mt_cli_fail("%s: %s", a->cmd, mt_errmsg(ctx));
        goto done;
    }
    for (int d = 0; d < a->n_regimen; d++) {
        if (mt_drugcard_load(ctx, NULL, reg[d].drug, &cards[d]) != MT_OK) {
            rc = mt_cli_fail("%s: --regimen %s: %s", a->cmd, reg[d].drug, mt_errmsg(ctx));
            goto done;
        }
        ids[d] = reg[d].drug;
        oral[d] = reg[d].route == MT_DOSE_PO;
    }
    if (mt_twin_params(tt, ctx, person, (size_t)a->n_regimen, (const mt_drugcard *const *)cards,
                       ids, oral, &l) != MT_OK) {
        rc = mt_cli_fail("%s: --patient %s: %s", a->cmd, a->patient, mt_errmsg(ctx));
        goto done;
    }
    for (size_t i = 0; i < l.n_params; i++)
        if (params_put(prm, l.params[i].id, l.params[i].value) != 0) {
            rc = mt_cli_fail("out of memory");
            goto done;
        }
    if (report) {
        json_t *r = json_object(), *ps = json_array(), *fs = json_array();
        for (size_t i = 0; i < l.n_params; i++) {
            json_t *o = json_object();
            json_object_set_new(o, "id", json_string(l.params[i].id));
            json_object_set_new(o, "value", json_real(l.params[i].value));
            json_object_set_new(o, "unit", json_string(l.params[i].unit));
            json_object_set_new(o, "provenance", json_string(l.params[i].provenance));
            json_array_append_new(ps, o);
        }
        for (size_t i = 0; i < l.n_facts; i++) {
            const mt_twin_fact *f = &l.facts[i];
            json_t *o = json_object();
            json_object_set_new(o, "key", json_string(f->key));
            json_object_set_new(o, "value", isfinite(f->value) ? json_real(f->value) : json_null());
            json_object_set_new(o, "unit", json_string(f->unit));
            json_object_set_new(o, "text", json_string(f->text));
            json_object_set_new(o, "how", json_string(f->how));
            json_array_append_new(fs, o);
        }
        json_object_set_new(r, "patient", json_string(a->patient));
        json_object_set_new(r, "parameters", ps);
        json_object_set_new(r, "facts", fs);
        *report = r;
    }
done:
    mt_twin_param_list_free(&l);
    for (int d = 0; d < MAX_REGIMENS; d++)
        mt_drugcard_destroy(cards[d]);
    mt_twin_tables_destroy(tt);
    return rc;
}

/* Parses the regimens, builds the twin's model and collects its parameter
 * values (defaults that are definitions, not data, first: complete oral
 * bioavailability F = 1 and blood:plasma ratio 1 unless given). */
static int make_twin(mt_ctx *ctx, const args *a, mt_regimen *reg, mt_pbpk_drug *drugs, mt_model **m,
                     params *prm, json_t **report)
{
    mt_profile *person = NULL;
    double weight_kg = NAN; /* for per-kg doses */
    if (a->patient) {
        if (mt_profile_load(ctx, a->patient, &person) != MT_OK)
            return mt_cli_fail("%s: --patient: %s", a->cmd, mt_errmsg(ctx));
        weight_kg = mt_profile_weight_kg(person);
    }
    int rc = 0;
    for (int d = 0; d < a->n_regimen && !rc; d++) {
        if (mt_regimen_parse(ctx, a->regimen[d], a->until_h, weight_kg, &reg[d]) != MT_OK) {
            rc = mt_cli_fail("%s: %s", a->cmd, mt_errmsg(ctx));
            break;
        }
        for (int e = 0; e < d; e++)
            if (!strcmp(reg[e].drug, reg[d].drug))
                rc = mt_cli_fail("%s: %s appears in two regimens; give one regimen per drug",
                                 a->cmd, reg[d].drug);
        drugs[d].name = reg[d].drug;
        drugs[d].n_doses = reg[d].n_doses;
        drugs[d].doses = reg[d].doses;
    }
    if (!rc && mt_pbpk_build(ctx, (size_t)a->n_regimen, drugs, m) != MT_OK)
        rc = mt_cli_fail("%s: %s", a->cmd, mt_errmsg(ctx));
    for (int d = 0; d < a->n_regimen && !rc && !person; d++) {
        char id[512];
        snprintf(id, sizeof id, "F_%.63s", reg[d].drug);
        int bad = params_put(prm, id, 1.0);
        snprintf(id, sizeof id, "BP_%.63s", reg[d].drug);
        if (bad || params_put(prm, id, 1.0))
            rc = mt_cli_fail("out of memory");
    }
    if (!rc && person)
        rc = derive_from_patient(ctx, a, person, reg, prm, report);
    mt_profile_destroy(person);
    return rc ? rc : collect(ctx, *m, reg, a->n_regimen, a, prm);
}

static json_t *num_array(const double *x, size_t n, size_t stride)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++) {
        double v = x[i * stride];
        json_array_append_new(a, isfinite(v) ? json_real(v) : json_null());
    }
    return a;
}

static json_t *num_or_null(double v) { return isfinite(v) ? json_real(v) : json_null(); }

static int write_result(mt_ctx *ctx, const args *a, const mt_regimen *reg, int n_reg,
                        const mt_result *r, json_t *report)
{
    size_t nr = mt_result_n_rows(r), nc = mt_result_n_cols(r);
    double *t = malloc(nr * sizeof *t);
    if (!t)
        return mt_cli_fail("out of memory");
    for (size_t i = 0; i < nr; i++)
        t[i] = mt_result_time(r, i);
    json_t *root = json_object(), *drugs = json_array(), *regs = json_array();
    for (int d = 0; d < n_reg; d++) {
        json_t *rg = json_object();
        json_object_set_new(rg, "text", json_string(a->regimen[d]));
        json_object_set_new(rg, "drug", json_string(reg[d].drug));
        json_object_set_new(rg, "n_doses", json_integer((json_int_t)reg[d].n_doses));
        json_object_set_new(rg, "dose_mg", json_real(reg[d].dose_mg));
        json_array_append_new(regs, rg);
    }
    int rc = 0;
    for (size_t j = 0; j < nc && !rc; j++) {
        const double *c = mt_result_data(r) + j;
        /* trough: just before the next dose after the last one, if repeated */
        const mt_regimen *g = &reg[j];
        double trough = g->interval_h > 0 && g->n_doses
                            ? g->doses[g->n_doses - 1].time_h + g->interval_h - 1e-9
                            : NAN;
        if (!(trough <= t[nr - 1]))
            trough = NAN;
        mt_exposure e;
        if (mt_exposure_compute(ctx, nr, t, c, nc, trough, &e) != MT_OK) {
            rc = mt_cli_fail("predict: %s: %s", g->drug, mt_errmsg(ctx));
            break;
        }
        json_t *dj = json_object();
        json_object_set_new(dj, "name", json_string(g->drug));
        json_object_set_new(dj, "matrix", json_string("plasma"));
        json_object_set_new(dj, "time_h", num_array(t, nr, 1));
        json_object_set_new(dj, "conc_mg_per_l", num_array(c, nr, nc));
        json_object_set_new(dj, "auc_0_inf_mg_h_per_l", num_or_null(e.auc_0_inf));
        json_object_set_new(dj, "auc_0_24_mg_h_per_l", num_or_null(e.auc_0_24));
        json_object_set_new(dj, "auc_0_last_mg_h_per_l", num_or_null(e.auc_0_last));
        json_object_set_new(dj, "cmax_mg_per_l", num_or_null(e.cmax));
        json_object_set_new(dj, "tmax_h", num_or_null(e.tmax));
        json_object_set_new(dj, "ctrough_mg_per_l", num_or_null(e.ctrough));
        json_array_append_new(drugs, dj);
    }
    json_object_set_new(root, "regimens", regs);
    json_object_set_new(root, "drugs", drugs);
    json_object_set_new(root, "effects", json_array());
    json_object_set_new(root, "warnings", json_array());
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
    if (report)
        json_object_set(root, "twin", report);
    if (!rc) {
        char *text =
            json_dumps(root, JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12));
        if (!text) {
            rc = mt_cli_fail("out of memory");
        } else if (a->out) {
            rc = mt_cli_write_text_file(a->out, text);
        } else {
            puts(text);
        }
        free(text);
    }
    json_decref(root);
    free(t);
    return rc;
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
    mt_pbpk_drug drugs[MAX_REGIMENS];
    mt_ctx *ctx = NULL;
    mt_model *m = NULL;
    mt_program *p = NULL;
    mt_sim *s = NULL;
    mt_result *r = NULL;
    params prm = {0};
    json_t *report = NULL;
    int plotted = 0;
    a.cmd = "predict";
    int rc = parse_args(argc, argv, &a);
    if (rc)
        goto done;
    if (mt_ctx_create(&ctx) != MT_OK) {
        rc = mt_cli_fail("out of memory");
        goto done;
    }
    if ((rc = make_twin(ctx, &a, reg, drugs, &m, &prm, &report)) != 0)
        goto done;
    if (mt_program_create(ctx, m, &p) != MT_OK || mt_sim_create(ctx, p, &s) != MT_OK) {
        rc = mt_cli_fail("predict: %s", mt_errmsg(ctx));
        goto done;
    }
    for (int d = 0; d < a.n_regimen; d++) {
        char id[512];
        snprintf(id, sizeof id, "C_plasma_%.63s", reg[d].drug);
        if (mt_sim_add_output(s, id, MT_REPORT_DEFAULT) != MT_OK) {
            rc = mt_cli_fail("predict: %s", mt_errmsg(ctx));
            goto done;
        }
    }
    for (size_t i = 0; i < prm.n; i++)
        if (mt_sim_set_value(s, prm.id[i], prm.val[i]) != MT_OK) {
            rc = mt_cli_fail("predict: %s", mt_errmsg(ctx));
            goto done;
        }
    if (mt_sim_check_defined(s, 0.0) != MT_OK) {
        rc = mt_cli_fail("predict: the twin is incomplete: %s (set it with --given or --set)",
                         mt_errmsg(ctx));
        goto done;
    }
    long steps = a.steps ? a.steps : (long)ceil(a.until_h * 60.0 - 1e-9);
    if (mt_sim_set_tolerances(s, a.rtol, a.atol) != MT_OK ||
        mt_sim_run(s, 0.0, a.until_h, steps, &r) != MT_OK) {
        rc = mt_cli_fail("predict: %s", mt_errmsg(ctx));
        goto done;
    }
    for (size_t i = 0; i < mt_result_n_rows(r); i++)
        for (size_t j = 0; j < mt_result_n_cols(r); j++)
            if (isnan(mt_result_value(r, i, j))) {
                rc = mt_cli_fail("predict: the twin is incomplete: %s is undefined (a twin "
                                 "parameter is not set; see medtwin predict --help)",
                                 mt_result_col_id(r, j));
                goto done;
            }
    /* the plot first: a run that fails leaves no output file behind */
    if (a.plot) {
        const char *names[MAX_REGIMENS];
        for (int d = 0; d < a.n_regimen; d++)
            names[d] = reg[d].drug;
        rc = mt_cli_plot(ctx, "predict", r, a.plot, "predicted plasma concentration", "time (h)",
                         "concentration (mg/L)", names);
        plotted = rc == 0;
    }
    if (!rc)
        rc = write_result(ctx, &a, reg, a.n_regimen, r, report);
    if (rc && plotted)
        remove(a.plot); /* ours, from this run */
done:
    json_decref(report);
    mt_result_destroy(r);
    mt_sim_destroy(s);
    mt_program_destroy(p);
    mt_model_destroy(m);
    for (int d = 0; d < MAX_REGIMENS; d++)
        mt_regimen_clear(&reg[d]);
    mt_ctx_destroy(ctx);
    params_free(&prm);
    free(a.set);
    return rc;
}

static const char *const twin_help =
    "usage: medtwin twin export --regimen TEXT [--regimen TEXT ...] --out MODEL.xml\n"
    "                           [--patient FILE] [--given FILE.csv [--row N]]\n"
    "                           [--set id=value ...]\n"
    "                           [--until T]\n"
    "\n"
    "Writes the twin's whole-body PBPK model for the regimen(s) as SBML Level 3\n"
    "Version 2, with the given parameter values, so any SBML tool can run it.\n";

int mt_cmd_twin(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(twin_help, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "export") != 0)
        return mt_cli_fail("twin: unknown subcommand '%s' (see medtwin twin --help)", argv[1]);
    args a = {0};
    a.cmd = "twin export";
    a.until_h = 24;
    a.set = calloc((size_t)argc + 1, sizeof *a.set);
    if (!a.set)
        return mt_cli_fail("out of memory");
    mt_regimen reg[MAX_REGIMENS] = {0};
    mt_pbpk_drug drugs[MAX_REGIMENS];
    mt_ctx *ctx = NULL;
    mt_model *m = NULL;
    params prm = {0};
    char *xml = NULL;
    int rc = parse_args(argc - 1, argv + 1, &a);
    if (!rc && !a.out)
        rc = mt_cli_fail("twin export: --out MODEL.xml is required");
    if (!rc && mt_ctx_create(&ctx) != MT_OK)
        rc = mt_cli_fail("out of memory");
    if (!rc)
        rc = make_twin(ctx, &a, reg, drugs, &m, &prm, NULL);
    if (!rc &&
        mt_model_export_sbml(ctx, m, prm.n, (const char *const *)prm.id, prm.val, &xml) != MT_OK)
        rc = mt_cli_fail("twin export: %s", mt_errmsg(ctx));
    if (!rc)
        rc = mt_cli_write_text_file(a.out, xml);
    free(xml);
    mt_model_destroy(m);
    for (int d = 0; d < MAX_REGIMENS; d++)
        mt_regimen_clear(&reg[d]);
    mt_ctx_destroy(ctx);
    params_free(&prm);
    free(a.set);
    return rc;
}
