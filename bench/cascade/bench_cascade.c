/* SPDX-License-Identifier: Apache-2.0
 *
 * bench/cascade/bench_cascade.c — generic (bytecode VM) versus native code on a large nonlinear
 * model (bench/cascade/make_cascade.py: 240 species, 240 Michaelis-Menten reactions with Hill
 * feedback). The model is loaded once; for each of the two paths a program is created (its
 * creation timed: for native code that includes compiling or loading the cached object), then
 * N runs of 0..T with S output steps, every species reported, BDF at rtol 1e-6, atol 1e-9, each
 * run with another value of the stimulus S_0 (a population). The paths: vm and native with
 * the default linear solver (MT_LINSOL_DEFAULT: $MEDTWIN_LINSOL, else auto, which is sparse
 * for this model), then native code with the dense and with the sparse (KLU) solver. Prints
 * per path one line
 *   path=vm|native|native-dense|native-sparse N=.. create=.. ms mean=.. us/run median=.. us/run
 * then `cascade-linsol: dense .. us/run; sparse .. us/run; dense/sparse ..x; max-rel-diff ..`
 * and last the vm/native ratio and the largest relative difference between those two paths.
 *
 *   bench_cascade MODEL.xml T S N
 */
#define _POSIX_C_SOURCE 200809L
#include "../bench_util.h"
#include "medtwin/medtwin.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Runs the N simulations on one path; OUT: mean, median (us/run), create (ms), the last
 * result's values in *last (malloc'd). 0 or 1. */
static int run_path(mt_ctx *ctx, const mt_model *m, mt_native_mode mode, mt_linsol linsol,
                    double t_end, long steps, long n, double *mean, double *median, double *create,
                    double **last, size_t *n_last)
{
    double t0 = mt_bench_now_s();
    mt_program *p = NULL;
    mt_sim *s = NULL;
    if (mt_program_create_native(ctx, m, mode, &p) != MT_OK)
        return 1;
    *create = 1e3 * (mt_bench_now_s() - t0);
    fprintf(stderr, "bench_cascade: %s\n", mt_program_native_info(p));
    if (mt_sim_create(ctx, p, &s) != MT_OK || mt_sim_set_tolerances(s, 1e-6, 1e-9) != MT_OK ||
        mt_sim_set_linear_solver(s, linsol) != MT_OK) {
        mt_program_destroy(p);
        return 1;
    }
    int stim = mt_sim_find(s, "S_0");
    double *times = malloc((size_t)n * sizeof *times);
    if (!times || stim < 0) {
        free(times);
        mt_sim_destroy(s);
        mt_program_destroy(p);
        return 1;
    }
    double total0 = mt_bench_now_s();
    int rc = 0;
    for (long i = 0; i < n && !rc; i++) {
        double a = mt_bench_now_s();
        mt_result *r = NULL;
        if (mt_sim_set_value_at(s, stim, 0.3 + 0.6 * (double)i / (double)n) != MT_OK ||
            mt_sim_run(s, 0, t_end, steps, &r) != MT_OK) {
            rc = 1;
            break;
        }
        times[i] = mt_bench_now_s() - a;
        if (i == n - 1) {
            *n_last = mt_result_n_rows(r) * mt_result_n_cols(r);
            *last = malloc(*n_last * sizeof **last);
            if (*last)
                memcpy(*last, mt_result_data(r), *n_last * sizeof **last);
            else
                rc = 1;
        }
        mt_result_destroy(r);
    }
    double total = mt_bench_now_s() - total0;
    if (!rc) {
        *median = 1e6 * mt_bench_median(times, (size_t)n);
        *mean = 1e6 * total / (double)n;
    }
    free(times);
    mt_sim_destroy(s);
    mt_program_destroy(p);
    return rc;
}

/* The largest relative difference of two value arrays (values above 1e-9 in magnitude). */
static double max_rel(const double *a, const double *b, size_t n)
{
    double w = 0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs(a[i] - b[i]) / fmax(fmax(fabs(a[i]), fabs(b[i])), 1e-9);
        if (a[i] != b[i] && d > w)
            w = d;
    }
    return w;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: %s MODEL.xml T STEPS N\n", argv[0]);
        return 2;
    }
    double t_end = strtod(argv[2], NULL);
    long steps = strtol(argv[3], NULL, 10), n = strtol(argv[4], NULL, 10);
    if (!(t_end > 0) || steps < 1 || n < 1) {
        fprintf(stderr, "bench_cascade: T > 0, STEPS >= 1, N >= 1\n");
        return 2;
    }
    mt_ctx *ctx = NULL;
    mt_model *m = NULL;
    if (mt_ctx_create(&ctx) != MT_OK)
        return 1;
    if (mt_model_load_file(ctx, argv[1], &m) != MT_OK) {
        fprintf(stderr, "bench_cascade: %s\n", mt_errmsg(ctx));
        return 1;
    }
    static const char *const names[4] = {"vm", "native", "native-dense", "native-sparse"};
    static const mt_native_mode modes[4] = {MT_NATIVE_OFF, MT_NATIVE_ON, MT_NATIVE_ON,
                                            MT_NATIVE_ON};
    static const mt_linsol linsols[4] = {MT_LINSOL_DEFAULT, MT_LINSOL_DEFAULT, MT_LINSOL_DENSE,
                                         MT_LINSOL_SPARSE};
    double mean[4], median[4], create[4], *last[4] = {NULL, NULL, NULL, NULL};
    size_t n_last[4] = {0, 0, 0, 0};
    for (int k = 0; k < 4; k++) {
        if (run_path(ctx, m, modes[k], linsols[k], t_end, steps, n, &mean[k], &median[k],
                     &create[k], &last[k], &n_last[k]) != 0) {
            fprintf(stderr, "bench_cascade: %s: %s\n", names[k], mt_errmsg(ctx));
            return 1;
        }
        printf("path=%s N=%ld create=%.1f ms mean=%.1f us/run median=%.1f us/run\n", names[k], n,
               create[k], mean[k], median[k]);
    }
    double maxrel = max_rel(last[0], last[1], n_last[0] < n_last[1] ? n_last[0] : n_last[1]);
    double maxrel_ls = max_rel(last[2], last[3], n_last[2] < n_last[3] ? n_last[2] : n_last[3]);
    printf("cascade-linsol: dense %.1f us/run; sparse %.1f us/run; dense/sparse %.2fx; "
           "max-rel-diff %.3g\n",
           mean[2], mean[3], mean[2] / mean[3], maxrel_ls);
    printf("cascade: vm %.1f us/run; native %.1f us/run; vm/native %.2fx; native compile or load "
           "%.1f ms; max-rel-diff %.3g\n",
           mean[0], mean[1], mean[0] / mean[1], create[1] - create[0], maxrel);
    for (int k = 0; k < 4; k++)
        free(last[k]);
    mt_model_destroy(m);
    mt_ctx_destroy(ctx);
    return 0;
}
