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
#include "medtwin/exposure.h"
#include "medtwin/pbpk.h"
#include "medtwin/regimen.h"

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
    const char *regimen[MAX_REGIMENS];
    int n_regimen;
    const char *given, *out, *plot;
    long row, steps;
    double until_h, rtol, atol;
    char **set;
    int n_set;
} args;

static int parse_args(int argc, char **argv, args *a)
{
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        if (!strcmp(o, "--help") || !strcmp(o, "-h")) {
            fputs(help, stdout);
            exit(0);
        }
        if (i + 1 >= argc)
            return mt_cli_fail("predict: option %s needs a value", o);
        const char *v = argv[++i];
        if (!strcmp(o, "--regimen")) {
            if (a->n_regimen == MAX_REGIMENS)
                return mt_cli_fail("predict: at most %d regimens", MAX_REGIMENS);
            a->regimen[a->n_regimen++] = v;
        } else if (!strcmp(o, "--until")) {
            if (mt_parse_duration_h(v, &a->until_h) || !(a->until_h > 0))
                return mt_cli_fail("predict: --until: '%s' is not a positive time (e.g. 48h)", v);
        } else if (!strcmp(o, "--given")) {
            a->given = v;
        } else if (!strcmp(o, "--row")) {
            if (mt_cli_parse_long(v, &a->row) || a->row < 0)
                return mt_cli_fail("predict: --row: '%s' is not a row number", v);
        } else if (!strcmp(o, "--set")) {
            a->set[a->n_set++] = argv[i];
        } else if (!strcmp(o, "--steps")) {
            if (mt_cli_parse_long(v, &a->steps) || a->steps < 1 || a->steps > 10000000)
                return mt_cli_fail("predict: --steps: '%s' is not a positive integer", v);
        } else if (!strcmp(o, "--rtol")) {
            if (mt_cli_parse_double(v, &a->rtol) || !(a->rtol > 0) || a->rtol >= 1)
                return mt_cli_fail("predict: --rtol: '%s' is not a number in (0, 1)", v);
        } else if (!strcmp(o, "--atol")) {
            if (mt_cli_parse_double(v, &a->atol) || !(a->atol > 0))
                return mt_cli_fail("predict: --atol: '%s' is not a positive number", v);
        } else if (!strcmp(o, "--out")) {
            a->out = v;
        } else if (!strcmp(o, "--plot")) {
            a->plot = v;
        } else {
            return mt_cli_fail("predict: unknown option '%s' (see medtwin predict --help)", o);
        }
    }
    if (!a->n_regimen)
        return mt_cli_fail("predict: no --regimen given (see medtwin predict --help)");
    return 0;
}

/* Sets id; an id without a drug suffix that the model lacks is tried as
 * id_<drug> for every drug. Returns 0 if at least one symbol took it. */
static int set_param(mt_ctx *ctx, mt_sim *s, const mt_regimen *reg, int n_reg, const char *id,
                     double v, int *unknown)
{
    if (mt_sim_set_value(s, id, v) == MT_OK)
        return 0;
    int hit = 0;
    for (int d = 0; d < n_reg; d++) {
        char full[2048];
        snprintf(full, sizeof full, "%.255s_%.63s", id, reg[d].drug);
        if (mt_sim_set_value(s, full, v) == MT_OK)
            hit = 1;
    }
    if (!hit)
        *unknown = 1;
    (void)ctx;
    return hit ? 0 : -1;
}

static int apply_given(mt_ctx *ctx, mt_sim *s, const mt_regimen *reg, int n_reg, const args *a)
{
    if (a->given) {
        mt_csv *t = NULL;
        if (mt_csv_read(ctx, a->given, 0, &t) != MT_OK)
            return mt_cli_fail("predict: --given: %s", mt_errmsg(ctx));
        if ((size_t)a->row >= mt_csv_n_rows(t)) {
            size_t n = mt_csv_n_rows(t);
            mt_csv_destroy(t);
            return mt_cli_fail("predict: --row %ld: %s has %zu rows", a->row, a->given, n);
        }
        for (size_t j = 0; j < mt_csv_n_cols(t); j++) {
            const char *id = mt_csv_header(t, j), *cell = mt_csv_cell(t, (size_t)a->row, j);
            double v;
            int unknown = 0;
            if (mt_cli_parse_double(cell, &v)) {
                int rc = mt_cli_fail("predict: %s row %ld column %s: '%s' is not a number",
                                     a->given, a->row, id, cell);
                mt_csv_destroy(t);
                return rc;
            }
            if (set_param(ctx, s, reg, n_reg, id, v, &unknown) != 0) {
                int rc =
                    mt_cli_fail("predict: %s: column '%s' names no twin parameter", a->given, id);
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
        int unknown = 0;
        if (!eq || eq == buf)
            return mt_cli_fail("predict: --set '%s': expected id=value", a->set[i]);
        *eq = '\0';
        if (mt_cli_parse_double(eq + 1, &v))
            return mt_cli_fail("predict: --set %s: '%s' is not a number", buf, eq + 1);
        if (set_param(ctx, s, reg, n_reg, buf, v, &unknown) != 0)
            return mt_cli_fail("predict: --set: unknown twin parameter '%s'", buf);
    }
    return 0;
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
                        const mt_result *r)
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
    json_object_set_new(prov, "parameters",
                        json_string(a->given ? "given (--given/--set)" : "given (--set)"));
    json_object_set_new(root, "provenance", prov);
    if (!rc) {
        char *text =
            json_dumps(root, JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12));
        if (!text) {
            rc = mt_cli_fail("out of memory");
        } else if (a->out) {
            size_t n = strlen(a->out) + 32;
            char *tmp = malloc(n);
            FILE *f = NULL;
            if (tmp) {
                snprintf(tmp, n, "%s.tmp", a->out);
                f = fopen(tmp, "w");
            }
            if (!f || fputs(text, f) < 0 || fputc('\n', f) < 0 || fclose(f) != 0 ||
                rename(tmp, a->out) != 0) {
                rc = mt_cli_fail("predict: cannot write '%s'", a->out);
                if (tmp)
                    remove(tmp);
            }
            free(tmp);
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
    int rc = parse_args(argc, argv, &a);
    if (rc)
        goto done;
    if (mt_ctx_create(&ctx) != MT_OK) {
        rc = mt_cli_fail("out of memory");
        goto done;
    }
    for (int d = 0; d < a.n_regimen; d++) {
        if (mt_regimen_parse(ctx, a.regimen[d], a.until_h, NAN, &reg[d]) != MT_OK) {
            rc = mt_cli_fail("predict: %s", mt_errmsg(ctx));
            goto done;
        }
        for (int e = 0; e < d; e++)
            if (!strcmp(reg[e].drug, reg[d].drug)) {
                rc = mt_cli_fail("predict: %s appears in two regimens; give one regimen per drug",
                                 reg[d].drug);
                goto done;
            }
        drugs[d].name = reg[d].drug;
        drugs[d].n_doses = reg[d].n_doses;
        drugs[d].doses = reg[d].doses;
    }
    if (mt_pbpk_build(ctx, (size_t)a.n_regimen, drugs, &m) != MT_OK ||
        mt_program_create(ctx, m, &p) != MT_OK || mt_sim_create(ctx, p, &s) != MT_OK) {
        rc = mt_cli_fail("predict: %s", mt_errmsg(ctx));
        goto done;
    }
    /* defaults that are definitions, not data: complete oral bioavailability
     * and blood:plasma 1 unless given */
    for (int d = 0; d < a.n_regimen; d++) {
        char id[512];
        snprintf(id, sizeof id, "F_%.63s", reg[d].drug);
        mt_status st = mt_sim_set_value(s, id, 1.0);
        snprintf(id, sizeof id, "BP_%.63s", reg[d].drug);
        if (st == MT_OK)
            st = mt_sim_set_value(s, id, 1.0);
        snprintf(id, sizeof id, "C_plasma_%.63s", reg[d].drug);
        if (st == MT_OK)
            st = mt_sim_add_output(s, id, MT_REPORT_DEFAULT);
        if (st != MT_OK) {
            rc = mt_cli_fail("predict: %s", mt_errmsg(ctx));
            goto done;
        }
    }
    if ((rc = apply_given(ctx, s, reg, a.n_regimen, &a)) != 0)
        goto done;
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
    rc = write_result(ctx, &a, reg, a.n_regimen, r);
    if (!rc && a.plot) {
        size_t nr = mt_result_n_rows(r), nc = mt_result_n_cols(r);
        double *x = malloc(nr * sizeof *x);
        const char *names[MAX_REGIMENS];
        if (!x) {
            rc = mt_cli_fail("out of memory");
            goto done;
        }
        for (size_t i = 0; i < nr; i++)
            x[i] = mt_result_time(r, i);
        for (size_t j = 0; j < nc; j++)
            names[j] = reg[j].drug;
        if (mt_plot_lines(ctx, a.plot, "predicted plasma concentration", "time (h)",
                          "concentration (mg/L)", nr, x, nc, mt_result_data(r), names) != MT_OK)
            rc = mt_cli_fail("predict: %s", mt_errmsg(ctx));
        free(x);
    }
done:
    mt_result_destroy(r);
    mt_sim_destroy(s);
    mt_program_destroy(p);
    mt_model_destroy(m);
    for (int d = 0; d < MAX_REGIMENS; d++)
        mt_regimen_clear(&reg[d]);
    mt_ctx_destroy(ctx);
    free(a.set);
    return rc;
}
