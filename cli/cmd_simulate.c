/* SPDX-License-Identifier: Apache-2.0
 *
 * cli/cmd_simulate.c — `medtwin simulate`: load, compile, simulate on a grid,
 * write CSV (stdout or --out) and optionally a plot. With --params TABLE.csv, one run per
 * row of the table (cli/cmd_simulate_batch.c).
 */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static const char *const help =
    "usage: medtwin simulate MODEL.xml --end T [options]\n"
    "       medtwin simulate MODEL.xml --end T --params TABLE.csv [options]\n"
    "\n"
    "Simulates an SBML model (Level 2/3, events, comp) and writes the time\n"
    "course as CSV (header time,<ids>).\n"
    "\n"
    "  --end T            end time (required)\n"
    "  --start T0         start time (default 0)\n"
    "  --steps N          output intervals: N+1 rows (default 100)\n"
    "  --vars a,b,...     columns to report (default: all species and varying\n"
    "                     compartments/parameters)\n"
    "  --set id=value     override an initial value or parameter (repeatable)\n"
    "  --report default|amount|concentration\n"
    "                     how species are reported (default: as the model's\n"
    "                     symbol means them, concentration unless\n"
    "                     hasOnlySubstanceUnits)\n"
    "  --rtol R --atol A  solver tolerances (default 1e-6, 1e-12)\n"
    "  --method bdf|adams integration method (default bdf)\n"
    "  --out FILE.csv     write the CSV there instead of stdout\n"
    "  --plot FILE.png|.svg  plot the reported columns\n"
    "\n"
    "Batch (parameter scans, virtual cohorts; the model is compiled once):\n"
    "  --params TABLE.csv one simulation per row of the table. Its header names\n"
    "                     parameters, species or compartments of the model; an\n"
    "                     optional column 'id' names the rows. Each row's values\n"
    "                     apply after --set. Output (long format, one file):\n"
    "                     header row,time,<ids> (row 1 = the first data row) or\n"
    "                     id,time,<ids>, then N+1 lines per row, in table order.\n"
    "                     Nothing is written unless every row succeeds. --plot\n"
    "                     draws the first reported column of every row (up to\n"
    "                     1000 rows). Limits: 64 MiB, 100000 rows, 5e7 lines.\n"
    "  --quiet            no progress lines on stderr (printed every 5% for\n"
    "                     tables of 50 rows or more)\n";

typedef struct {
    const char *model, *vars, *out, *plot, *params;
    double t0, t_end, rtol, atol;
    int have_end, quiet;
    long steps;
    mt_method method;
    mt_report report;
    int n_set;
    char **set;
} sim_args;

static int need(int argc, char **argv, int i)
{
    if (i + 1 >= argc) {
        mt_cli_fail("simulate: option %s needs a value", argv[i]);
        return 0;
    }
    return 1;
}

static int parse(int argc, char **argv, sim_args *a)
{
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        if (!strcmp(o, "--help") || !strcmp(o, "-h")) {
            fputs(help, stdout);
            exit(0);
        }
        if (o[0] != '-' || !o[1]) {
            if (a->model)
                return mt_cli_fail("simulate: more than one model file ('%s', '%s')", a->model, o);
            a->model = o;
            continue;
        }
        if (!strcmp(o, "--quiet")) {
            a->quiet = 1;
            continue;
        }
        if (!need(argc, argv, i))
            return 1;
        const char *v = argv[++i];
        if (!strcmp(o, "--end")) {
            if (mt_cli_parse_double(v, &a->t_end))
                return mt_cli_fail("simulate: --end: '%s' is not a number", v);
            a->have_end = 1;
        } else if (!strcmp(o, "--start")) {
            if (mt_cli_parse_double(v, &a->t0))
                return mt_cli_fail("simulate: --start: '%s' is not a number", v);
        } else if (!strcmp(o, "--steps")) {
            if (mt_cli_parse_long(v, &a->steps) || a->steps < 1)
                return mt_cli_fail("simulate: --steps: '%s' is not a positive integer", v);
        } else if (!strcmp(o, "--rtol")) {
            if (mt_cli_parse_double(v, &a->rtol) || !(a->rtol > 0) || a->rtol >= 1)
                return mt_cli_fail("simulate: --rtol: '%s' is not a number in (0, 1)", v);
        } else if (!strcmp(o, "--atol")) {
            if (mt_cli_parse_double(v, &a->atol) || !(a->atol > 0))
                return mt_cli_fail("simulate: --atol: '%s' is not a positive number", v);
        } else if (!strcmp(o, "--method")) {
            if (!strcmp(v, "bdf"))
                a->method = MT_METHOD_BDF;
            else if (!strcmp(v, "adams"))
                a->method = MT_METHOD_ADAMS;
            else
                return mt_cli_fail("simulate: --method: '%s' is not bdf or adams", v);
        } else if (!strcmp(o, "--report")) {
            if (!strcmp(v, "default"))
                a->report = MT_REPORT_DEFAULT;
            else if (!strcmp(v, "amount"))
                a->report = MT_REPORT_AMOUNT;
            else if (!strcmp(v, "concentration"))
                a->report = MT_REPORT_CONCENTRATION;
            else
                return mt_cli_fail("simulate: --report: '%s' is not default, amount or "
                                   "concentration",
                                   v);
        } else if (!strcmp(o, "--vars")) {
            a->vars = v;
        } else if (!strcmp(o, "--set")) {
            a->set[a->n_set++] = argv[i];
        } else if (!strcmp(o, "--out")) {
            a->out = v;
        } else if (!strcmp(o, "--plot")) {
            a->plot = v;
        } else if (!strcmp(o, "--params")) {
            a->params = v;
        } else {
            return mt_cli_fail("simulate: unknown option '%s' (see medtwin simulate --help)", o);
        }
    }
    if (!a->model)
        return mt_cli_fail("simulate: no model file given (see medtwin simulate --help)");
    if (!a->have_end)
        return mt_cli_fail("simulate: --end is required");
    if (!(a->t_end > a->t0))
        return mt_cli_fail("simulate: --end %g must be after --start %g", a->t_end, a->t0);
    return 0;
}

static int apply_sets(mt_ctx *ctx, mt_sim *sim, const sim_args *a)
{
    for (int i = 0; i < a->n_set; i++) {
        char buf[512];
        snprintf(buf, sizeof buf, "%s", a->set[i]);
        char *eq = strchr(buf, '=');
        if (!eq || eq == buf)
            return mt_cli_fail("simulate: --set '%s': expected id=value", a->set[i]);
        *eq = '\0';
        double v;
        if (mt_cli_parse_double(eq + 1, &v))
            return mt_cli_fail("simulate: --set %s: '%s' is not a number", buf, eq + 1);
        if (mt_sim_set_value(sim, buf, v) != MT_OK)
            return mt_cli_fail("simulate: --set: %s", mt_errmsg(ctx));
    }
    return 0;
}

/* Species get the requested report; other symbols their value. */
static mt_report how_for(const mt_model *m, const char *id, mt_report report)
{
    size_t idx;
    if (report != MT_REPORT_DEFAULT && mt_model_find(m, id, &idx) == MT_OK &&
        mt_model_symbol_kind(m, idx) == MT_SYM_SPECIES)
        return report;
    return MT_REPORT_DEFAULT;
}

static int apply_vars(mt_ctx *ctx, const mt_model *m, mt_sim *sim, const char *vars,
                      mt_report report)
{
    if (!vars) {
        /* all species, and the compartments and parameters that vary */
        for (size_t i = 0; i < mt_model_n_symbols(m); i++) {
            mt_symbol_kind k = mt_model_symbol_kind(m, i);
            const char *id = mt_model_symbol_id(m, i);
            if (k == MT_SYM_SPECIES && mt_sim_add_output(sim, id, how_for(m, id, report)) != MT_OK)
                return mt_cli_fail("simulate: %s", mt_errmsg(ctx));
        }
        return 0;
    }
    char *copy = strdup(vars);
    if (!copy)
        return mt_cli_fail("out of memory");
    int rc = 0;
    char *save = NULL;
    for (char *tok = strtok_r(copy, ",", &save); tok && !rc; tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ')
            tok++;
        if (!*tok)
            continue;
        if (mt_sim_add_output(sim, tok, how_for(m, tok, report)) != MT_OK)
            rc = mt_cli_fail("simulate: --vars: %s", mt_errmsg(ctx));
    }
    free(copy);
    return rc;
}

int mt_cmd_simulate(int argc, char **argv)
{
    sim_args a = {0};
    a.steps = 100;
    a.rtol = 1e-6;
    a.atol = 1e-12;
    a.set = calloc((size_t)argc + 1, sizeof *a.set);
    if (!a.set)
        return mt_cli_fail("out of memory");
    int rc = parse(argc, argv, &a);
    mt_ctx *ctx = NULL;
    mt_model *m = NULL;
    mt_program *p = NULL;
    mt_sim *sim = NULL;
    mt_result *r = NULL;
    int plotted = 0;
    if (rc)
        goto done;
    if (mt_ctx_create(&ctx) != MT_OK) {
        rc = mt_cli_fail("out of memory");
        goto done;
    }
    if (mt_model_load_file(ctx, a.model, &m) != MT_OK || mt_program_create(ctx, m, &p) != MT_OK ||
        mt_sim_create(ctx, p, &sim) != MT_OK) {
        rc = mt_cli_fail("%s", mt_errmsg(ctx));
        goto done;
    }
    if ((rc = apply_sets(ctx, sim, &a)) != 0)
        goto done;
    if ((a.vars || a.report != MT_REPORT_DEFAULT) &&
        (rc = apply_vars(ctx, m, sim, a.vars, a.report)) != 0)
        goto done;
    if (mt_sim_set_tolerances(sim, a.rtol, a.atol) != MT_OK ||
        mt_sim_set_method(sim, a.method) != MT_OK) {
        rc = mt_cli_fail("simulate: %s", mt_errmsg(ctx));
        goto done;
    }
    if (a.params) {
        mt_cli_batch b = {.model = a.model,
                          .table = a.params,
                          .out = a.out,
                          .plot = a.plot,
                          .title = mt_model_id(m)[0] ? mt_model_id(m) : a.model,
                          .t0 = a.t0,
                          .t_end = a.t_end,
                          .steps = a.steps,
                          .quiet = a.quiet};
        rc = mt_cli_simulate_batch(ctx, sim, &b);
        goto done;
    }
    if (mt_sim_run(sim, a.t0, a.t_end, a.steps, &r) != MT_OK) {
        rc = mt_cli_fail("simulate: %s: %s", a.model, mt_errmsg(ctx));
        goto done;
    }
    /* the plot first: a run that fails leaves no output file behind */
    if (a.plot) {
        rc = mt_cli_plot(ctx, "simulate", r, a.plot, mt_model_id(m)[0] ? mt_model_id(m) : a.model,
                         "time", "value", NULL);
        plotted = rc == 0;
    }
    if (!rc && a.out)
        rc = mt_cli_write_csv_file(a.out, r, NULL);
    else if (!rc && mt_cli_write_csv(stdout, r, NULL) != 0)
        rc = mt_cli_fail("cannot write to standard output");
    if (rc && plotted)
        remove(a.plot); /* ours, from this run */
done:
    mt_result_destroy(r);
    mt_sim_destroy(sim);
    mt_program_destroy(p);
    mt_model_destroy(m);
    mt_ctx_destroy(ctx);
    free(a.set);
    return rc;
}
