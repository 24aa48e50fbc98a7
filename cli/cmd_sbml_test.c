/* SPDX-License-Identifier: Apache-2.0
 *
 * cli/cmd_sbml_test.c — `medtwin sbml-test-case CASES_DIR CASE_ID OUT_DIR
 * LEVEL VERSION`: the SBML Test Runner wrapper convention. Reads
 * CASES_DIR/CASE_ID/CASE_ID-settings.txt and the model
 * CASE_ID-sbml-l{LEVEL}v{VERSION}.xml, simulates it and writes
 * OUT_DIR/CASE_ID.csv with the requested variables (species in the
 * settings' amount/concentration lists reported as such).
 * A case without duration/steps whose model uses fbc is a flux balance case:
 * it is solved as such and the CSV has one row, no time column, with the
 * fluxes of the reactions and the value of the objective the settings
 * name (NaN everywhere when the problem is infeasible).
 */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"
#include "medtwin/fba.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_VARS 4096

typedef struct {
    double start, duration, absolute, relative;
    long steps;
    int time_course; /* duration and steps given; else a steady-state case */
    char variables[65536], amount[65536], concentration[65536];
} settings;

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = '\0';
    return s;
}

static int read_settings(const char *path, settings *st)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return mt_cli_fail("sbml-test-case: cannot open settings file '%s'", path);
    char line[65536];
    int have_dur = 0, have_steps = 0;
    st->start = 0;
    st->absolute = 1e-10;
    st->relative = 1e-6;
    while (fgets(line, sizeof line, f)) {
        char *colon = strchr(line, ':');
        if (!colon)
            continue;
        *colon = '\0';
        char *key = trim(line), *val = trim(colon + 1);
        double d;
        if (!strcmp(key, "start")) {
            if (*val && mt_cli_parse_double(val, &st->start))
                goto bad;
        } else if (!strcmp(key, "duration")) {
            if (*val && mt_cli_parse_double(val, &st->duration))
                goto bad;
            have_dur = *val != '\0';
        } else if (!strcmp(key, "steps")) {
            if (*val && (mt_cli_parse_long(val, &st->steps) || st->steps < 0))
                goto bad;
            have_steps = *val != '\0';
        } else if (!strcmp(key, "absolute")) {
            if (*val && !mt_cli_parse_double(val, &d))
                st->absolute = d;
        } else if (!strcmp(key, "relative")) {
            if (*val && !mt_cli_parse_double(val, &d))
                st->relative = d;
        } else if (!strcmp(key, "variables")) {
            snprintf(st->variables, sizeof st->variables, "%s", val);
        } else if (!strcmp(key, "amount")) {
            snprintf(st->amount, sizeof st->amount, "%s", val);
        } else if (!strcmp(key, "concentration")) {
            snprintf(st->concentration, sizeof st->concentration, "%s", val);
        }
        continue;
    bad:
        fclose(f);
        return mt_cli_fail("sbml-test-case: %s: bad value for '%s': '%s'", path, key, val);
    }
    fclose(f);
    st->time_course = have_dur && have_steps;
    return 0;
}

/* Splits a comma list in place; returns the count (at most max). */
static size_t split(char *s, char **items, size_t max)
{
    size_t n = 0;
    char *p = s;
    while (p && *p && n < max) {
        char *comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        char *t = trim(p);
        if (*t)
            items[n++] = t;
        p = comma ? comma + 1 : NULL;
    }
    return n;
}

static int in_list(char *const *items, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(items[i], id))
            return 1;
    return 0;
}

static void put_value(FILE *f, double v)
{
    if (isnan(v))
        fputs("NaN", f);
    else if (isinf(v))
        fputs(v > 0 ? "INF" : "-INF", f);
    else
        fprintf(f, "%.17g", v);
}

/* A flux balance case: one CSV row with the settings' variables (reaction
 * fluxes and the active objective). Returns the exit status. */
static int run_fba_case(const char *id, const char *model, const char *csv, char *const *vars,
                        size_t nv)
{
    mt_ctx *ctx = NULL;
    mt_fba *fba = NULL;
    if (mt_ctx_create(&ctx) != MT_OK)
        return mt_cli_fail("out of memory");
    int rc = 0;
    if (mt_fba_load_file(ctx, model, &fba) != MT_OK) {
        rc = mt_cli_fail("sbml-test-case %s: %s", id, mt_errmsg(ctx));
        goto done;
    }
    /* An infeasible problem is an answer (every value NaN), not a failure. */
    if (mt_fba_solve(fba, ctx) != MT_OK && mt_fba_get_outcome(fba) != MT_FBA_INFEASIBLE) {
        rc = mt_cli_fail("sbml-test-case %s: %s", id, mt_errmsg(ctx));
        goto done;
    }
    int optimal = mt_fba_get_outcome(fba) == MT_FBA_OPTIMAL;
    double *vals = calloc(nv ? nv : 1, sizeof *vals);
    if (!vals) {
        rc = mt_cli_fail("out of memory");
        goto done;
    }
    for (size_t i = 0; i < nv && !rc; i++) {
        size_t j;
        if (!strcmp(vars[i], mt_fba_objective_id(fba)))
            vals[i] = mt_fba_objective_value(fba);
        else if (mt_fba_find_reaction(fba, vars[i], &j) == MT_OK) {
            double v = NAN; /* no optimum: NaN */
            if (optimal && mt_fba_flux(fba, vars[i], &v) != MT_OK)
                v = NAN;
            vals[i] = v;
        } else
            rc = mt_cli_fail("sbml-test-case %s: variable '%s' is neither a reaction nor the "
                             "active objective '%s'",
                             id, vars[i], mt_fba_objective_id(fba));
    }
    if (!rc) {
        char tmp[8300];
        snprintf(tmp, sizeof tmp, "%s.tmp", csv);
        FILE *f = fopen(tmp, "w");
        if (!f) {
            rc = mt_cli_fail("sbml-test-case %s: cannot write '%s'", id, tmp);
        } else {
            for (size_t i = 0; i < nv; i++)
                fprintf(f, "%s%s", i ? "," : "", vars[i]);
            fputc('\n', f);
            for (size_t i = 0; i < nv; i++) {
                if (i)
                    fputc(',', f);
                put_value(f, vals[i]);
            }
            fputc('\n', f);
            if (fclose(f) != 0 || rename(tmp, csv) != 0) {
                remove(tmp);
                rc = mt_cli_fail("sbml-test-case %s: cannot write '%s'", id, csv);
            }
        }
    }
    free(vals);
done:
    mt_fba_destroy(fba);
    mt_ctx_destroy(ctx);
    return rc;
}

int mt_cmd_sbml_test_case(int argc, char **argv)
{
    if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        puts("usage: medtwin sbml-test-case CASES_DIR CASE_ID OUT_DIR LEVEL VERSION\n\n"
             "Runs case CASE_ID of the SBML Test Suite the way the SBML Test Runner\n"
             "expects: reads CASES_DIR/CASE_ID/CASE_ID-settings.txt and\n"
             "CASE_ID-sbml-lLEVELvVERSION.xml, writes OUT_DIR/CASE_ID.csv.");
        return 0;
    }
    if (argc != 6)
        return mt_cli_fail("sbml-test-case: expected CASES_DIR CASE_ID OUT_DIR LEVEL VERSION "
                           "(see medtwin sbml-test-case --help)");
    const char *dir = argv[1], *id = argv[2], *out = argv[3];
    long level, version;
    if (mt_cli_parse_long(argv[4], &level) || mt_cli_parse_long(argv[5], &version) || level < 1 ||
        level > 3 || version < 1 || version > 5)
        return mt_cli_fail("sbml-test-case: bad LEVEL/VERSION '%s' '%s'", argv[4], argv[5]);
    if (strchr(id, '/') || !*id)
        return mt_cli_fail("sbml-test-case: bad case id '%s'", id);
    static settings st;
    char path[8192];
    snprintf(path, sizeof path, "%s/%s/%s-settings.txt", dir, id, id);
    if (read_settings(path, &st))
        return 1;
    snprintf(path, sizeof path, "%s/%s/%s-sbml-l%ldv%ld.xml", dir, id, id, level, version);

    static char *vars[MAX_VARS], *amt[MAX_VARS], *conc[MAX_VARS];
    size_t nv = split(st.variables, vars, MAX_VARS);
    size_t na = split(st.amount, amt, MAX_VARS);
    size_t nc = split(st.concentration, conc, MAX_VARS);
    if (!st.time_course && mt_fba_is_fbc_file(path)) {
        char csv[8192];
        snprintf(csv, sizeof csv, "%s/%s.csv", out, id);
        return run_fba_case(id, path, csv, vars, nv);
    }

    mt_ctx *ctx = NULL;
    mt_model *m = NULL;
    mt_program *p = NULL;
    mt_sim *sim = NULL;
    mt_result *r = NULL;
    int rc = 0;
    if (mt_ctx_create(&ctx) != MT_OK)
        return mt_cli_fail("out of memory");
    if (mt_model_load_file(ctx, path, &m) != MT_OK || mt_program_create(ctx, m, &p) != MT_OK ||
        mt_sim_create(ctx, p, &sim) != MT_OK) {
        rc = mt_cli_fail("%s", mt_errmsg(ctx));
        goto done;
    }
    if (!st.time_course) {
        rc = mt_cli_fail("sbml-test-case %s: unsupported: steady-state case (the settings give "
                         "no duration/steps)",
                         id);
        goto done;
    }
    for (size_t i = 0; i < nv; i++) {
        mt_report how = in_list(amt, na, vars[i])    ? MT_REPORT_AMOUNT
                        : in_list(conc, nc, vars[i]) ? MT_REPORT_CONCENTRATION
                                                     : MT_REPORT_DEFAULT;
        size_t idx;
        if (how != MT_REPORT_DEFAULT && mt_model_find(m, vars[i], &idx) == MT_OK &&
            mt_model_symbol_kind(m, idx) != MT_SYM_SPECIES)
            how = MT_REPORT_DEFAULT;
        if (mt_sim_add_output(sim, vars[i], how) != MT_OK) {
            rc = mt_cli_fail("sbml-test-case: %s", mt_errmsg(ctx));
            goto done;
        }
    }
    /* Integrate well inside the comparison tolerances of the case. */
    double atol = st.absolute * 1e-5;
    if (atol > 1e-12)
        atol = 1e-12;
    if (atol < 1e-22)
        atol = 1e-22;
    if (mt_sim_set_tolerances(sim, 1e-10, atol) != MT_OK ||
        mt_sim_set_max_steps(sim, 2000000) != MT_OK ||
        mt_sim_run(sim, st.start, st.start + st.duration, st.steps, &r) != MT_OK) {
        rc = mt_cli_fail("sbml-test-case %s: %s", id, mt_errmsg(ctx));
        goto done;
    }
    snprintf(path, sizeof path, "%s/%s.csv", out, id);
    rc = mt_cli_write_csv_file(path, r, NULL);
done:
    mt_result_destroy(r);
    mt_sim_destroy(sim);
    mt_program_destroy(p);
    mt_model_destroy(m);
    mt_ctx_destroy(ctx);
    return rc;
}
