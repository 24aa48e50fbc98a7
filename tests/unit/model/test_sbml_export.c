/* SPDX-License-Identifier: Apache-2.0
 *
 * tests/unit/model/test_sbml_export.c — SBML export is faithful: a model
 * exported and imported again gives the same trajectories as the original,
 * for a PBPK twin built by the builder (with overridden parameters) and for
 * the official SBML Test Suite cases 00001-00400 that the engine runs.
 */
#include "harness.h"
#include "medtwin/medtwin.h"
#include "medtwin/pbpk.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static mt_ctx *ctx;

/* Simulates m with outputs ids[0..n-1]; NULL on failure. */
static mt_result *run(const mt_model *m, const char *const *ids, size_t n, const char *const *set,
                      const double *vals, size_t n_set, double t0, double t1, long steps)
{
    mt_program *p = NULL;
    mt_sim *s = NULL;
    mt_result *r = NULL;
    if (mt_program_create(ctx, m, &p) != MT_OK || mt_sim_create(ctx, p, &s) != MT_OK)
        goto out;
    if (mt_sim_set_tolerances(s, 1e-10, 1e-14) != MT_OK)
        goto out;
    for (size_t i = 0; i < n_set; i++)
        if (mt_sim_set_value(s, set[i], vals[i]) != MT_OK)
            goto out;
    for (size_t i = 0; i < n; i++)
        if (mt_sim_add_output(s, ids[i], MT_REPORT_DEFAULT) != MT_OK)
            goto out;
    if (mt_sim_run(s, t0, t1, steps, &r) != MT_OK)
        r = NULL;
out:
    mt_sim_destroy(s);
    mt_program_destroy(p);
    return r;
}

/* Largest |a-b| / (1e-9 + |a|) over two results of equal shape. */
static double diff(const mt_result *a, const mt_result *b)
{
    double worst = 0;
    for (size_t i = 0; i < mt_result_n_rows(a); i++)
        for (size_t j = 0; j < mt_result_n_cols(a); j++) {
            double x = mt_result_value(a, i, j), y = mt_result_value(b, i, j);
            if (isnan(x) && isnan(y))
                continue;
            if (isinf(x) && x == y)
                continue;
            double d = fabs(x - y) / (1e-9 + fabs(x));
            if (!(d <= worst))
                worst = isnan(d) ? INFINITY : d;
        }
    return worst;
}

TEST(pbpk_twin_round_trip)
{
    mt_dose doses[3] = {{0, 50, MT_DOSE_PO, 0, 0, 0, 0},
                        {6, 20, MT_DOSE_IV_INFUSION, 0.5, 0, 0, 0},
                        {12, 10, MT_DOSE_IV_BOLUS, 0, 0, 0, 0}};
    mt_pbpk_drug drug = {"d", 3, doses, 1, 0, 0, 0, 0}; /* with specific binding */
    mt_model *m = NULL, *back = NULL;
    ASSERT_EQ_INT(mt_pbpk_build(ctx, 1, &drug, &m), MT_OK);
    /* every parameter of the builder gets a distinct value */
    const char *set[128];
    double vals[128];
    size_t n_set = 0;
    for (size_t i = 0; i < mt_model_n_symbols(m) && n_set < 128; i++) {
        const char *id = mt_model_symbol_id(m, i);
        if (!strncmp(id, "A_", 2) || !strncmp(id, "C_", 2) || !strncmp(id, "Jb_", 3) ||
            !strcmp(id, "Q_C") || !strcmp(id, "Q_liv"))
            continue;
        set[n_set] = id;
        vals[n_set] = !strncmp(id, "F_", 2) ? 0.7 : 0.5 + 0.37 * (double)(n_set % 11);
        n_set++;
    }
    char *xml = NULL;
    ASSERT_EQ_INT(mt_model_export_sbml(ctx, m, n_set, set, vals, &xml), MT_OK);
    ASSERT_TRUE(strstr(xml, "<sbml") != NULL);
    ASSERT_EQ_INT(mt_model_load_string(ctx, xml, strlen(xml), NULL, &back), MT_OK);
    free(xml);
    const char *out[] = {"A_liv_d", "A_ven_d", "A_depot_d", "C_plasma_d", "Q_C"};
    mt_result *a = run(m, out, 5, set, vals, n_set, 0, 24, 96);
    mt_result *b = run(back, out, 5, NULL, NULL, 0, 0, 24, 96);
    ASSERT_TRUE(a && b);
    printf("pbpk twin: max relative difference after export/import %.3g\n", diff(a, b));
    ASSERT_TRUE(diff(a, b) < 1e-7);
    mt_result_destroy(a);
    mt_result_destroy(b);
    mt_model_destroy(m);
    mt_model_destroy(back);
}

static int read_settings(const char *path, double *start, double *dur, long *steps)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[4096];
    *start = 0;
    *dur = -1;
    *steps = -1;
    while (fgets(line, sizeof line, f)) {
        if (!strncmp(line, "start:", 6))
            *start = atof(line + 6);
        else if (!strncmp(line, "duration:", 9))
            *dur = atof(line + 9);
        else if (!strncmp(line, "steps:", 6))
            *steps = atol(line + 6);
    }
    fclose(f);
    return (*dur > 0 && *steps > 0) ? 0 : -1;
}

TEST(sbml_test_suite_round_trip)
{
    const char *sh = getenv("MT_SHARED");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/sbml-test-suite/cases", sh && *sh ? sh : "../shared");
    int checked = 0, bad = 0;
    for (int c = 1; c <= 1900; c++) {
        char path[8192], settings[8192];
        int found = 0;
        snprintf(settings, sizeof settings, "%s/%05d/%05d-settings.txt", dir, c, c);
        for (int lv = 32; lv >= 21 && !found; lv--) {
            snprintf(path, sizeof path, "%s/%05d/%05d-sbml-l%dv%d.xml", dir, c, c, lv / 10,
                     lv % 10);
            FILE *f = fopen(path, "r");
            if (f) {
                fclose(f);
                found = 1;
            }
        }
        double t0, dur;
        long steps;
        if (!found || read_settings(settings, &t0, &dur, &steps) != 0)
            continue;
        mt_model *m = NULL, *back = NULL;
        if (mt_model_load_file(ctx, path, &m) != MT_OK)
            continue; /* unsupported by the engine: not an export question */
        const char *ids[256];
        size_t n = 0;
        for (size_t i = 0; i < mt_model_n_symbols(m) && n < 256; i++) {
            mt_symbol_kind k = mt_model_symbol_kind(m, i);
            if (k == MT_SYM_SPECIES || k == MT_SYM_PARAMETER || k == MT_SYM_COMPARTMENT)
                ids[n++] = mt_model_symbol_id(m, i);
        }
        mt_result *a = run(m, ids, n, NULL, NULL, 0, t0, t0 + dur, steps);
        if (!a) {
            mt_model_destroy(m);
            continue;
        }
        char *xml = NULL;
        mt_status st = mt_model_export_sbml(ctx, m, 0, NULL, NULL, &xml);
        if (st == MT_EUNSUPPORTED && strstr(mt_errmsg(ctx), "solved at run time")) {
            /* a nonlinear algebraic rule or fast equilibrium: refused, said so */
            mt_result_destroy(a);
            mt_model_destroy(m);
            continue;
        }
        if (st == MT_OK)
            st = mt_model_load_string(ctx, xml, strlen(xml), NULL, &back);
        mt_result *b = st == MT_OK ? run(back, ids, n, NULL, NULL, 0, t0, t0 + dur, steps) : NULL;
        double d = b ? diff(a, b) : INFINITY;
        if (!(d < 1e-6)) {
            if (bad < 10)
                printf("  case %05d: %s, relative difference %.3g\n", c,
                       st == MT_OK ? (b ? "trajectories differ" : "re-import does not simulate")
                                   : mt_errmsg(ctx),
                       d);
            bad++;
        }
        checked++;
        free(xml);
        mt_result_destroy(a);
        mt_result_destroy(b);
        mt_model_destroy(m);
        mt_model_destroy(back);
    }
    if (checked == 0) {
        printf("skip: no SBML Test Suite cases under %s\n", dir);
        exit(77);
    }
    printf("SBML Test Suite cases: %d round-tripped, %d differ\n", checked, bad);
    ASSERT_EQ_INT(bad, 0);
}

TEST(unknown_override)
{
    mt_dose dose = {0, 1, MT_DOSE_PO, 0, 0, 0, 0};
    mt_pbpk_drug drug = {"d", 1, &dose, 0, 0, 0, 0, 0};
    mt_model *m = NULL;
    ASSERT_EQ_INT(mt_pbpk_build(ctx, 1, &drug, &m), MT_OK);
    const char *id = "no_such";
    double v = 1;
    char *xml = NULL;
    ASSERT_EQ_INT(mt_model_export_sbml(ctx, m, 1, &id, &v, &xml), MT_ENOTFOUND);
    ASSERT_TRUE(strstr(mt_errmsg(ctx), "no_such") != NULL);
    mt_model_destroy(m);
}

int main(void)
{
    if (mt_ctx_create(&ctx) != MT_OK)
        return 1;
    static const mt_test_case tests[] = {TEST_ENTRY(pbpk_twin_round_trip),
                                         TEST_ENTRY(sbml_test_suite_round_trip),
                                         TEST_ENTRY(unknown_override)};
    int rc = mt_run_(tests, sizeof tests / sizeof *tests);
    mt_ctx_destroy(ctx);
    return rc;
}
