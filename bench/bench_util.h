/* SPDX-License-Identifier: Apache-2.0
 * bench/bench_util.h — what every benchmark program needs: a monotonic clock and the median
 * of a set of times (sorted in place). Header-only: the benchmarks are single files. */
#ifndef MT_BENCH_UTIL_H
#define MT_BENCH_UTIL_H

#include <stdlib.h>
#include <time.h>

static inline double mt_bench_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static inline int mt_bench_cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median of x[0..n-1] (n > 0); x is sorted on return. */
static inline double mt_bench_median(double *x, size_t n)
{
    qsort(x, n, sizeof *x, mt_bench_cmp_d);
    return n % 2 ? x[n / 2] : 0.5 * (x[n / 2 - 1] + x[n / 2]);
}

#endif
