/* SPDX-License-Identifier: Apache-2.0
 * tests/unit/twin/test_regimen.c — regimen text: schedules expand to the
 * right dose times and amounts; every malformed part is named. */
#include "harness.h"
#include "medtwin/regimen.h"

#include <math.h>
#include <string.h>

static mt_ctx *ctx;

TEST(once_oral)
{
    mt_regimen r;
    ASSERT_EQ_INT(mt_regimen_parse(ctx, "Omeprazole 20 mg po once", 48, NAN, &r), MT_OK);
    ASSERT_STR_EQ(r.drug, "omeprazole");
    ASSERT_EQ_INT((int)r.n_doses, 1);
    ASSERT_NEAR(r.doses[0].amount_mg, 20, 0);
    ASSERT_NEAR(r.doses[0].time_h, 0, 0);
    ASSERT_EQ_INT(r.doses[0].route, MT_DOSE_PO);
    mt_regimen_clear(&r);
}

TEST(repeated_for_days)
{
    mt_regimen r;
    ASSERT_EQ_INT(mt_regimen_parse(ctx, "clarithromycin 500 mg po q12h x 5d", 200, NAN, &r), MT_OK);
    ASSERT_EQ_INT((int)r.n_doses, 10); /* 5 days, twice a day */
    ASSERT_NEAR(r.doses[9].time_h, 108, 1e-12);
    mt_regimen_clear(&r);
    ASSERT_EQ_INT(
        mt_regimen_parse(ctx, "clarithromycin 500mg po q12h x 5 days at 2 h", 200, NAN, &r), MT_OK);
    ASSERT_EQ_INT((int)r.n_doses, 10);
    ASSERT_NEAR(r.doses[0].time_h, 2, 1e-12);
    mt_regimen_clear(&r);
}

TEST(repeated_until_end)
{
    mt_regimen r;
    ASSERT_EQ_INT(mt_regimen_parse(ctx, "theophylline 300 mg po q8h", 48, NAN, &r), MT_OK);
    ASSERT_EQ_INT((int)r.n_doses, 6); /* 0, 8, ..., 40 */
    mt_regimen_clear(&r);
}

TEST(infusion_and_counts)
{
    mt_regimen r;
    ASSERT_EQ_INT(mt_regimen_parse(ctx, "vancomycin 1 g ivinf over 60 min q12h x 4 doses at 30 min",
                                   100, NAN, &r),
                  MT_OK);
    ASSERT_EQ_INT((int)r.n_doses, 4);
    ASSERT_NEAR(r.dose_mg, 1000, 0);
    ASSERT_NEAR(r.duration_h, 1, 1e-15);
    ASSERT_NEAR(r.doses[3].time_h, 36.5, 1e-12);
    ASSERT_EQ_INT(r.doses[0].route, MT_DOSE_IV_INFUSION);
    mt_regimen_clear(&r);
}

TEST(per_kg)
{
    mt_regimen r;
    ASSERT_EQ_INT(mt_regimen_parse(ctx, "midazolam 0.05 mg/kg iv once", 12, 80, &r), MT_OK);
    ASSERT_NEAR(r.dose_mg, 4.0, 1e-12);
    mt_regimen_clear(&r);
    ASSERT_EQ_INT(mt_regimen_parse(ctx, "midazolam 50 ug/kg iv once", 12, 80, &r), MT_OK);
    ASSERT_NEAR(r.dose_mg, 4.0, 1e-12);
    mt_regimen_clear(&r);
    ASSERT_EQ_INT(mt_regimen_parse(ctx, "midazolam 0.05 mg/kg iv once", 12, NAN, &r), MT_EINVAL);
    ASSERT_TRUE(strstr(mt_errmsg(ctx), "weight") != NULL);
}

TEST(durations)
{
    double h;
    ASSERT_EQ_INT(mt_parse_duration_h("48h", &h), 0);
    ASSERT_NEAR(h, 48, 0);
    ASSERT_EQ_INT(mt_parse_duration_h("2d", &h), 0);
    ASSERT_NEAR(h, 48, 0);
    ASSERT_EQ_INT(mt_parse_duration_h("90 min", &h), 0);
    ASSERT_NEAR(h, 1.5, 1e-15);
    ASSERT_EQ_INT(mt_parse_duration_h("36", &h), 0);
    ASSERT_NEAR(h, 36, 0);
    ASSERT_TRUE(mt_parse_duration_h("-3h", &h) != 0);
    ASSERT_TRUE(mt_parse_duration_h("3 fortnights", &h) != 0);
    ASSERT_TRUE(mt_parse_duration_h("", &h) != 0);
}

static void expect_error(const char *text, const char *fragment)
{
    mt_regimen r;
    mt_status st = mt_regimen_parse(ctx, text, 48, 70, &r);
    if (st == MT_OK)
        mt_regimen_clear(&r);
    if (st == MT_OK || !strstr(mt_errmsg(ctx), fragment))
        printf("  text '%s' -> %s: %s\n", text, mt_strerror(st), mt_errmsg(ctx));
    ASSERT_TRUE(st != MT_OK);
    ASSERT_TRUE(strstr(mt_errmsg(ctx), fragment) != NULL);
}

TEST(errors_name_the_part)
{
    expect_error("", "empty");
    expect_error("omeprazole", "dose");
    expect_error("omeprazole -20 mg po once", "positive");
    expect_error("omeprazole 0 mg po once", "positive");
    expect_error("omeprazole 20 furlong po once", "furlong");
    expect_error("omeprazole 20 mg/lb po once", "mg/lb");
    expect_error("omeprazole 20 mg rectal once", "rectal");
    expect_error("omeprazole 20 mg po", "schedule");
    expect_error("omeprazole 20 mg po sometimes", "sometimes");
    expect_error("omeprazole 20 mg po q0h", "interval");
    expect_error("omeprazole 20 mg po q12h x 2.5 doses", "whole number");
    expect_error("omeprazole 20 mg po q12h x lots", "lots");
    expect_error("omeprazole 20 mg po once banana", "banana");
    expect_error("vancomycin 1 g ivinf q12h", "over");
    expect_error("vancomycin 1 g ivinf over 0 min q12h", "duration");
    expect_error("omeprazole 20 mg po q1h at 100 h", "after the end");
    expect_error("om$prazole 20 mg po once", "drug");
    expect_error("omeprazole 1e999 mg po once", "dose");
    expect_error("omeprazole 20 mg po q0.02h x 100d", "too many");
    /* found by fuzz_regimen (session 9): a count beyond size_t (undefined behaviour in the cast
     * before), a negative start, a negative course, a newline in the text (a two-line message) */
    expect_error("omeprazole 20 mg po q12h x 55555555555555555555555555555 doses", "too many");
    expect_error("omeprazole 20 mg po q1h x 1000000000000000000000000 d", "too many");
    expect_error("omeprazole 20 mg po q1h x 3 min at -1 min", "time >= 0");
    expect_error("omeprazole 20 mg po q1h x -3 d", "must be positive");
    expect_error("omeprazole 20 mg po\nsometimes", "regimen 'omeprazole 20 mg po?sometimes'");
    /* found by fuzz_regimen (session 10): a start so late that 12 h no longer moves the double
     * (the dose times stopped increasing), and an interval far below the time resolution */
    expect_error(
        "omeprazole 20 mg po q12h x 22 doses at 311111111111111111111111111111111111111 min",
        "200 years");
    expect_error("omeprazole 20 mg po q1h x 3 doses at 1753199 h",
                 "200 years"); /* last at 1753201 h */
    expect_error("omeprazole 20 mg po q0.0001h x 3 doses", "shorter than 1 min");
}

int main(void)
{
    if (mt_ctx_create(&ctx) != MT_OK)
        return 1;
    static const mt_test_case tests[] = {TEST_ENTRY(once_oral),
                                         TEST_ENTRY(repeated_for_days),
                                         TEST_ENTRY(repeated_until_end),
                                         TEST_ENTRY(infusion_and_counts),
                                         TEST_ENTRY(per_kg),
                                         TEST_ENTRY(durations),
                                         TEST_ENTRY(errors_name_the_part)};
    int rc = mt_run_(tests, sizeof tests / sizeof *tests);
    mt_ctx_destroy(ctx);
    return rc;
}
