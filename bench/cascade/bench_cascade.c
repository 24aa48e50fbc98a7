/* SPDX-License-Identifier: Apache-2.0
 *
 * bench/cascade/bench_cascade.c — generic (bytecode VM) versus native code on a large nonlinear
 * model (bench/cascade/make_cascade.py: 240 species, 240 Michaelis-Menten reactions with Hill
 * feedback). The model is loaded once; for each of the two paths a program is created (its
 * creation timed: for native code that includes compiling or loading the cached object), then
 * N runs of 0..T with S output steps, every species reported, BDF at rtol 1e-6, atol 1e-9, each
 * run with another value of the stimulus S_0 (a population). Prints per path one line
 *   path=vm|native N=.. create=.. ms mean=.. us/run median=.. us/run
 * and last the ratio and the largest relative difference between the two paths' results.
 *
 *   bench_cascade MODEL.xml T S N
 */
#define _POSIX_C_SOURCE 200809L
#include "medtwin/medtwin.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Runs the N simulations on one path; OUT: mean, median (us/run), create (ms), the last
 * result's values in *last (malloc'd). 0 or 1. */
static int run_path(mt_ctx *ctx, const mt_model *m, mt_native_mode mode, double t_end, long steps,
                    long n, double *mean, double *median, double *create, double **last,
                    size_t *n_last)
{
    double t0 = now_s();
    mt_program *p = NULL;
    mt_sim *s = NULL;
    if (mt_program_create_native(ctx, m, mode, &p) != MT_OK)
        return 1;
    *create = 1e3 * (now_s() - t0);
    fprintf(stderr, "bench_cascade: %s\n", mt_program_native_info(p));
    if (mt_sim_create(ctx, p, &s) != MT_OK || mt_sim_set_tolerances(s, 1e-6, 1e-9) != MT_OK) {
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
    double total0 = now_s();
    int rc = 0;
    for (long i = 0; i < n && !rc; i++) {
        double a = now_s();
        mt_result *r = NULL;
        if (mt_sim_set_value_at(s, stim, 0.3 + 0.6 * (double)i / (double)n) != MT_OK ||
            mt_sim_run(s, 0, t_end, steps, &r) != MT_OK) {
            rc = 1;
            break;
        }
        times[i] = now_s() - a;
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
    double total = now_s() - total0;
    if (!rc) {
        qsort(times, (size_t)n, sizeof *times, cmp_d);
        *median = 1e6 * (n % 2 ? times[n / 2] : 0.5 * (times[n / 2 - 1] + times[n / 2]));
        *mean = 1e6 * total / (double)n;
    }
    free(times);
    mt_sim_destroy(s);
    mt_program_destroy(p);
    return rc;
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
    static const char *const names[2] = {"vm", "native"};
    static const mt_native_mode modes[2] = {MT_NATIVE_OFF, MT_NATIVE_ON};
    double mean[2], median[2], create[2], *last[2] = {NULL, NULL};
    size_t n_last[2] = {0, 0};
    for (int k = 0; k < 2; k++) {
        if (run_path(ctx, m, modes[k], t_end, steps, n, &mean[k], &median[k], &create[k], &last[k],
                     &n_last[k]) != 0) {
            fprintf(stderr, "bench_cascade: %s: %s\n", names[k], mt_errmsg(ctx));
            return 1;
        }
        printf("path=%s N=%ld create=%.1f ms mean=%.1f us/run median=%.1f us/run\n", names[k], n,
               create[k], mean[k], median[k]);
    }
    double maxrel = 0;
    for (size_t i = 0; i < n_last[0] && i < n_last[1]; i++) {
        double a = last[0][i], b = last[1][i];
        double d = fabs(a - b) / fmax(fmax(fabs(a), fabs(b)), 1e-300);
        if (a != b && d > maxrel)
            maxrel = d;
    }
    printf("cascade: vm %.1f us/run; native %.1f us/run; vm/native %.2fx; native compile or load "
           "%.1f ms; max-rel-diff %.3g\n",
           mean[0], mean[1], mean[0] / mean[1], create[1] - create[0], maxrel);
    free(last[0]);
    free(last[1]);
    mt_model_destroy(m);
    mt_ctx_destroy(ctx);
    return 0;
}
