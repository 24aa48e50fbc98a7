/* SPDX-License-Identifier: Apache-2.0
 * tests/unit/therapy/test_exposure.c — exposure metrics against closed
 * forms: a one-compartment oral curve C(t) = A (e^-ke t - e^-ka t) has
 * tmax = ln(ka/ke)/(ka-ke), AUC0-inf = A (1/ke - 1/ka). */
#include "harness.h"
#include "medtwin/exposure.h"

#include <math.h>
#include <stdlib.h>

static mt_ctx *ctx;

TEST(oral_closed_form)
{
    const double A = 10, ke = 0.1, ka = 1.5;
    size_t n = 20001;
    double *t = malloc(n * sizeof *t), *c = malloc(n * sizeof *c);
    ASSERT_TRUE(t && c);
    for (size_t i = 0; i < n; i++) {
        t[i] = 200.0 * (double)i / (double)(n - 1);
        c[i] = A * (exp(-ke * t[i]) - exp(-ka * t[i]));
    }
    mt_exposure e;
    ASSERT_EQ_INT(mt_exposure_compute(ctx, n, t, c, 1, NAN, &e), MT_OK);
    double tmax = log(ka / ke) / (ka - ke);
    ASSERT_NEAR(e.tmax, tmax, 0.01);
    /* on a 0.01 h grid the sampled peak is below the true one by ~C'' dt^2 / 8 */
    ASSERT_NEAR(e.cmax, A * (exp(-ke * tmax) - exp(-ka * tmax)), 1e-4);
    ASSERT_NEAR(e.auc_0_inf, A * (1 / ke - 1 / ka), 1e-3);
    ASSERT_NEAR(e.lambda_z, ke, 1e-6);
    double auc24 = A * ((1 - exp(-ke * 24)) / ke - (1 - exp(-ka * 24)) / ka);
    /* trapezoid error on a 0.01 h grid: about dt^2/12 x (C'(24) - C'(0)) */
    ASSERT_NEAR(e.auc_0_24, auc24, 1e-5 * auc24);
    ASSERT_NEAR(e.ctrough, c[n - 1], 0);
    ASSERT_EQ_INT(mt_exposure_compute(ctx, n, t, c, 1, 12.0, &e), MT_OK);
    ASSERT_NEAR(e.ctrough, A * (exp(-ke * 12) - exp(-ka * 12)), 1e-9);
    free(t);
    free(c);
}

TEST(stride_and_errors)
{
    double t[3] = {0, 1, 2};
    double c2[6] = {0, 9, 4, 9, 2, 9}; /* column 0 of a 2-column matrix */
    mt_exposure e;
    ASSERT_EQ_INT(mt_exposure_compute(ctx, 3, t, c2, 2, NAN, &e), MT_OK);
    ASSERT_NEAR(e.cmax, 4, 0);
    ASSERT_NEAR(e.auc_0_last, 0.5 * 4 + 0.5 * 6, 1e-15);
    ASSERT_TRUE(isnan(e.auc_0_24));
    double bad_t[3] = {0, 2, 1}, c[3] = {1, 2, 3};
    ASSERT_EQ_INT(mt_exposure_compute(ctx, 3, bad_t, c, 1, NAN, &e), MT_EINVAL);
    double neg[3] = {1, -5, 3};
    ASSERT_EQ_INT(mt_exposure_compute(ctx, 3, t, neg, 1, NAN, &e), MT_EINVAL);
    ASSERT_EQ_INT(mt_exposure_compute(ctx, 1, t, c, 1, NAN, &e), MT_EINVAL);
    double flat[3] = {1, 1, 1};
    ASSERT_EQ_INT(mt_exposure_compute(ctx, 3, t, flat, 1, NAN, &e), MT_OK);
    ASSERT_TRUE(isnan(e.auc_0_inf)); /* no terminal decline */
}

int main(void)
{
    if (mt_ctx_create(&ctx) != MT_OK)
        return 1;
    static const mt_test_case tests[] = {TEST_ENTRY(oral_closed_form),
                                         TEST_ENTRY(stride_and_errors)};
    int rc = mt_run_(tests, sizeof tests / sizeof *tests);
    mt_ctx_destroy(ctx);
    return rc;
}
