/* SPDX-License-Identifier: Apache-2.0
 *
 * bench/pbpk15/bench_pbpk15.c — medtwin on the pbpk15 workload (../shared/bench/pbpk15/README.md,
 * "How a new engine should report its figure"): load and compile pbpk15.xml once, then for each
 * individual of params.csv set its 40 parameters by id, reset to the initial state and simulate
 * 0-24 h with C_venous at the 1441 times k/60 h (BDF, rtol 1e-6, atol 1e-9 on the amounts).
 * Each twin is timed from "set parameters" to "1441 outputs available". The program is created
 * with native code unless MT_BENCH_NATIVE=0 or the native path is unavailable (the line says
 * code=native or code=vm; standard error says why).
 *
 *   bench_pbpk15 pbpk15.xml params.csv N out.csv K
 *
 * Prints one line in the peers' format:
 *   method=medtwin N=... total=... s median=... us mean=... us twins_per_core_s=... compile=... ms
 *   jacobian=... path=exact-linear|ode-bdf code=native|vm
 * and writes individuals 0..K-1 as time,ind0,...,ind<K-1>.
 */
#define _POSIX_C_SOURCE 200809L
#include "../bench_util.h"
#include "medtwin/csv.h"
#include "medtwin/medtwin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(mt_ctx *ctx, const char *what)
{
    fprintf(stderr, "bench_pbpk15: %s: %s\n", what, ctx ? mt_errmsg(ctx) : "");
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: %s pbpk15.xml params.csv N out.csv K\n", argv[0]);
        return 2;
    }
    long n = strtol(argv[3], NULL, 10), k_out = strtol(argv[5], NULL, 10);
    mt_ctx *ctx = NULL;
    if (mt_ctx_create(&ctx) != MT_OK)
        return 1;
    mt_model *m = NULL;
    mt_program *p = NULL;
    mt_sim *s = NULL;
    mt_csv *csv = NULL;
    /* MT_BENCH_NATIVE: "0" the bytecode VM, "1" native code, unset the library's default */
    const char *native = getenv("MT_BENCH_NATIVE");
    mt_native_mode mode = !native                ? MT_NATIVE_DEFAULT
                          : !strcmp(native, "0") ? MT_NATIVE_OFF
                                                 : MT_NATIVE_ON;
    double t0 = mt_bench_now_s();
    if (mt_model_load_file(ctx, argv[1], &m) != MT_OK)
        return fail(ctx, argv[1]);
    if (mt_program_create_native(ctx, m, mode, &p) != MT_OK)
        return fail(ctx, "compile");
    double t_compile = mt_bench_now_s() - t0;
    if (mt_sim_create(ctx, p, &s) != MT_OK || mt_sim_set_tolerances(s, 1e-6, 1e-9) != MT_OK ||
        mt_sim_set_method(s, MT_METHOD_BDF) != MT_OK ||
        mt_sim_add_output(s, "C_venous", MT_REPORT_DEFAULT) != MT_OK)
        return fail(ctx, "solver setup");
    const char *jac = getenv("MT_BENCH_JACOBIAN"); /* "dq": difference quotients */
    mt_sim_set_jacobian(s, !(jac && !strcmp(jac, "dq")));
    const char *exact = getenv("MT_BENCH_EXACT"); /* "0": the ODE path even for linear models */
    mt_sim_set_exact(s, !(exact && !strcmp(exact, "0")));
    if (mt_csv_read(ctx, argv[2], (size_t)64 << 20, &csv) != MT_OK)
        return fail(ctx, argv[2]);
    size_t rows = mt_csv_n_rows(csv), cols = mt_csv_n_cols(csv);
    if (n <= 0 || (size_t)n > rows)
        n = (long)rows;
    if (k_out > n)
        k_out = n;
    /* parameter values parsed before timing (reading a CSV is not simulation) */
    double *vals = malloc((size_t)n * cols * sizeof *vals);
    double *times = malloc((size_t)n * sizeof *times);
    double *out = malloc((size_t)(k_out > 0 ? k_out : 1) * 1441 * sizeof *out);
    if (!vals || !times || !out)
        return fail(NULL, "out of memory");
    for (long i = 0; i < n; i++)
        for (size_t j = 0; j < cols; j++)
            vals[(size_t)i * cols + j] = strtod(mt_csv_cell(csv, (size_t)i, j), NULL);
    /* the ids are looked up once; each twin then sets its values by index */
    int *idx = malloc((cols ? cols : 1) * sizeof *idx);
    if (!idx)
        return fail(NULL, "out of memory");
    for (size_t j = 0; j < cols; j++)
        if ((idx[j] = mt_sim_find(s, mt_csv_header(csv, j))) < 0) {
            fprintf(stderr, "bench_pbpk15: cannot set '%s'\n", mt_csv_header(csv, j));
            return 1;
        }
    double total0 = mt_bench_now_s();
    for (long i = 0; i < n; i++) {
        double a = mt_bench_now_s();
        for (size_t j = 0; j < cols; j++)
            if (mt_sim_set_value_at(s, idx[j], vals[(size_t)i * cols + j]) != MT_OK)
                return fail(ctx, mt_csv_header(csv, j));
        mt_result *r = NULL;
        if (mt_sim_run(s, 0, 24, 1440, &r) != MT_OK)
            return fail(ctx, "simulate");
        times[i] = mt_bench_now_s() - a;
        if (i < k_out)
            for (size_t t = 0; t < 1441; t++)
                out[(size_t)i * 1441 + t] = mt_result_value(r, t, 0);
        mt_result_destroy(r);
    }
    double total = mt_bench_now_s() - total0;
    FILE *f = fopen(argv[4], "w");
    if (!f)
        return fail(NULL, argv[4]);
    fprintf(f, "time");
    for (long i = 0; i < k_out; i++)
        fprintf(f, ",ind%ld", i);
    for (size_t t = 0; t < 1441; t++) {
        fprintf(f, "\n%.17g", (double)t / 60.0);
        for (long i = 0; i < k_out; i++)
            fprintf(f, ",%.12e", out[(size_t)i * 1441 + t]);
    }
    fprintf(f, "\n");
    if (fclose(f) != 0)
        return fail(NULL, argv[4]);
    double median = mt_bench_median(times, (size_t)n);
    printf("method=medtwin N=%ld total=%.3f s median=%.1f us mean=%.1f us twins_per_core_s=%.1f "
           "compile=%.1f ms jacobian=%s path=%s code=%s\n",
           n, total, 1e6 * median, 1e6 * total / (double)n, (double)n / total, 1e3 * t_compile,
           jac && !strcmp(jac, "dq")      ? "dq"
           : mt_sim_jacobian_kind(s) == 2 ? "analytic-constant"
           : mt_sim_jacobian_kind(s) == 1 ? "analytic"
                                          : "dq",
           mt_sim_last_path(s) == MT_PATH_EXACT ? "exact-linear" : "ode-bdf",
           mt_program_native(p) ? "native" : "vm");
    fprintf(stderr, "bench_pbpk15: %s\n", mt_program_native_info(p));
    free(idx);
    free(vals);
    free(times);
    free(out);
    mt_csv_destroy(csv);
    mt_sim_destroy(s);
    mt_program_destroy(p);
    mt_model_destroy(m);
    mt_ctx_destroy(ctx);
    return 0;
}
