/* SPDX-License-Identifier: Apache-2.0
 * tests/unit/harness.h — unit-test harness: typed assertions and a registration list (libuv
 * style). A test file defines cases with TEST(name) { ... } and ends with one list:
 *     TEST_MAIN(TEST_ENTRY(parse_number), TEST_ENTRY(parse_call))
 * A case defined but not listed is an unused static function, so -Werror catches it. A failed
 * assertion prints "FAIL name at file:line: detail" and ends its case; a passing case prints
 * "ok name"; main returns non-zero if any case failed. Each argument is evaluated once. */
#ifndef MT_TEST_HARNESS_H
#define MT_TEST_HARNESS_H
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    const char *name;
    void (*fn)(void);
} mt_test_case;

static const char *mt_test_name_;
static int mt_test_failed_;

static inline int mt_check_(int ok, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    if (ok)
        return 1;
    printf("FAIL %s at %s:%d: ", mt_test_name_, file, line);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    mt_test_failed_ = 1;
    return 0;
}
static inline int mt_eq_int_(long long a, long long b, const char *ea, const char *eb,
                             const char *file, int line)
{
    return mt_check_(a == b, file, line, "%s == %s: %lld != %lld", ea, eb, a, b);
}
/* Passes iff |a - b| <= tol; a NaN on either side fails. */
static inline int mt_near_(double a, double b, double tol, const char *ea, const char *eb,
                           const char *file, int line)
{
    double d = a > b ? a - b : b - a;
    return mt_check_(d <= tol, file, line, "%s ~ %s: %.17g vs %.17g (tol %g)", ea, eb, a, b, tol);
}
static inline int mt_str_eq_(const char *a, const char *b, const char *ea, const char *eb,
                             const char *file, int line)
{
    return mt_check_(a && b && strcmp(a, b) == 0, file, line, "%s == %s: \"%s\" != \"%s\"", ea, eb,
                     a ? a : "(null)", b ? b : "(null)");
}

static inline int mt_run_(const mt_test_case *cases, size_t n)
{
    size_t n_failed = 0;
    for (size_t i = 0; i < n; i++) {
        mt_test_name_ = cases[i].name;
        mt_test_failed_ = 0;
        cases[i].fn();
        if (mt_test_failed_)
            n_failed++;
        else
            printf("ok %s\n", cases[i].name);
    }
    printf("# %zu of %zu cases passed\n", n - n_failed, n);
    return n_failed ? 1 : 0;
}

#define MT_RET_(check)                                                                             \
    do {                                                                                           \
        if (!(check))                                                                              \
            return;                                                                                \
    } while (0)
#define ASSERT_TRUE(c) MT_RET_(mt_check_((c) != 0, __FILE__, __LINE__, "expected true: %s", #c))
#define ASSERT_FALSE(c) MT_RET_(mt_check_(!(c), __FILE__, __LINE__, "expected false: %s", #c))
#define ASSERT_EQ_INT(a, b) MT_RET_(mt_eq_int_((a), (b), #a, #b, __FILE__, __LINE__))
#define ASSERT_NEAR(a, b, tol) MT_RET_(mt_near_((a), (b), (tol), #a, #b, __FILE__, __LINE__))
#define ASSERT_STR_EQ(a, b) MT_RET_(mt_str_eq_((a), (b), #a, #b, __FILE__, __LINE__))

#define TEST(name) static void test_##name(void)
/* clang-format off */
#define TEST_ENTRY(name) {#name, test_##name}
/* clang-format on */
#define TEST_MAIN(...)                                                                             \
    int main(void)                                                                                 \
    {                                                                                              \
        static const mt_test_case cases[] = {__VA_ARGS__};                                         \
        return mt_run_(cases, sizeof cases / sizeof cases[0]);                                     \
    }

#endif
