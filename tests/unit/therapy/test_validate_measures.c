/* SPDX-License-Identifier: Apache-2.0
 * tests/unit/therapy/test_validate_measures.c — validation measures against hand computations:
 * trapezoid AUC of a small table, windowed AUC with interpolation at both ends, fold-error
 * summary of known pairs, and the Guest limits (Guest et al. 2011: R = 2 gives a limit of
 * 1.5, so [1.333, 3]; R = 1 gives 1, i.e. only a ratio of exactly 1 passes). */
#include "harness.h"
#include "medtwin/validate.h"

#include <math.h>

TEST(auc_trapezoids)
{
    /* (0,0) (1,4) (3,2) (7,0): 2 + 6 + 4 = 12 */
    const double t[] = {0, 1, 3, 7}, c[] = {0, 4, 2, 0};
    ASSERT_NEAR(mt_validate_auc(4, t, c), 12.0, 1e-12);
    /* a NaN point is skipped: (0,0) (3,2) (7,0): 3 + 4 = 7 */
    const double cn[] = {0, NAN, 2, 0};
    ASSERT_NEAR(mt_validate_auc(4, t, cn), 7.0, 1e-12);
    ASSERT_TRUE(isnan(mt_validate_auc(1, t, c)));
}

TEST(auc_window)
{
    const double t[] = {0, 1, 3, 7}, c[] = {0, 4, 2, 0};
    /* [0.5, 5]: c(0.5) = 2, c(5) = 1: (0.5)(2+4)/2 + 2(4+2)/2 + 2(2+1)/2 = 1.5 + 6 + 3 */
    ASSERT_NEAR(mt_validate_auc_window(4, t, c, 0.5, 5), 10.5, 1e-12);
    ASSERT_NEAR(mt_validate_auc_window(4, t, c, 0, INFINITY), 12.0, 1e-12);
    ASSERT_TRUE(isnan(mt_validate_auc_window(4, t, c, 8, INFINITY)));
    ASSERT_TRUE(isnan(mt_validate_auc_window(4, t, c, 3, 3)));
    ASSERT_NEAR(mt_validate_max_window(4, t, c, 2, 7), 2.0, 0);
    ASSERT_NEAR(mt_validate_max_window(4, t, c, 0, 7), 4.0, 0);
}

TEST(folds)
{
    /* folds 1, 2, 0.5, 1.2, 3; one pair unusable */
    const double obs[] = {1, 1, 2, 10, 1, 0}, pred[] = {1, 2, 1, 12, 3, 5};
    mt_fold_summary s;
    mt_validate_folds(6, pred, obs, &s);
    ASSERT_EQ_INT((long long)s.n, 5);
    ASSERT_EQ_INT((long long)s.n_125, 2);
    ASSERT_EQ_INT((long long)s.n_15, 2);
    ASSERT_EQ_INT((long long)s.n_2, 4);
    double mean_abs = (0 + log10(2) + log10(2) + log10(1.2) + log10(3)) / 5;
    ASSERT_NEAR(s.gmfe, pow(10, mean_abs), 1e-12);
    ASSERT_NEAR(s.within_2, 0.8, 1e-12);
    mt_validate_folds(1, pred + 5, obs + 5, &s);
    ASSERT_EQ_INT((long long)s.n, 0);
    ASSERT_TRUE(isnan(s.gmfe));
}

TEST(guest)
{
    ASSERT_NEAR(mt_validate_guest_limit(2.0), 1.5, 1e-12);
    ASSERT_NEAR(mt_validate_guest_limit(0.5), 1.5, 1e-12);
    ASSERT_NEAR(mt_validate_guest_limit(1.0), 1.0, 1e-12);
    ASSERT_NEAR(mt_validate_guest_limit(5.0), 1.8, 1e-12);
    ASSERT_EQ_INT(mt_validate_guest_within(2.0, 1.34), 1);
    ASSERT_EQ_INT(mt_validate_guest_within(2.0, 1.3), 0);
    ASSERT_EQ_INT(mt_validate_guest_within(2.0, 3.0), 1);
    ASSERT_EQ_INT(mt_validate_guest_within(2.0, 3.1), 0);
    ASSERT_EQ_INT(mt_validate_guest_within(0.5, 0.34), 1); /* [0.333, 0.75] */
    ASSERT_EQ_INT(mt_validate_guest_within(0.5, 0.8), 0);
    ASSERT_EQ_INT(mt_validate_guest_within(1.0, 1.01), 0);
    ASSERT_EQ_INT(mt_validate_guest_within(-1, 1), -1);
    ASSERT_EQ_INT(mt_validate_guest_within(2, NAN), -1);
}

TEST_MAIN(TEST_ENTRY(auc_trapezoids), TEST_ENTRY(auc_window), TEST_ENTRY(folds), TEST_ENTRY(guest))
