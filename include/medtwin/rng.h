/* SPDX-License-Identifier: Apache-2.0
 *
 * medtwin/rng.h — seeded random numbers for virtual patients (studies, case studies,
 * benchmarks, populations): the same seed gives the same numbers on every machine; with the
 * small pieces of linear algebra and statistics that drawing and summarising them needs.
 *
 * xoshiro256** (Blackman and Vigna 2018) seeded through splitmix64; uniform deviates on (0, 1)
 * from the top 53 bits; standard normal deviates by Box-Muller (cosine branch; the sine value
 * is not kept, so a deviate costs two uniforms). A generator is a plain value: copy it to fork
 * a stream, keep one per thread.
 */
#ifndef MEDTWIN_RNG_H
#define MEDTWIN_RNG_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    uint64_t s[4];
} mt_rng;

void mt_rng_seed(mt_rng *r, uint64_t seed);
uint64_t mt_rng_next(mt_rng *r);
/* Uniform on the open interval (0, 1). */
double mt_rng_uniform(mt_rng *r);
/* Standard normal. */
double mt_rng_normal(mt_rng *r);

/* The lower Cholesky factor l (n x n, row-major, upper part zero) of the symmetric positive
 * definite a: a = l l'. Returns 0, or -1 when a is not positive definite. For the small
 * covariance matrices of random effects (multivariate normal draws: u = mean + l z). */
int mt_cholesky_lower(const double *a, size_t n, double *l);

/* The empirical q-quantile (0 <= q <= 1) of n >= 1 values sorted ascending: linear
 * interpolation between order statistics (R's type 7). For summaries of draws and patients. */
double mt_quantile_sorted(const double *v, size_t n, double q);

#ifdef __cplusplus
}
#endif
#endif
