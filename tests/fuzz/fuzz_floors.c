/* SPDX-License-Identifier: Apache-2.0
 *
 * tests/fuzz/fuzz_floors.c — libFuzzer target for the floors file of `medtwin qualify`
 * (mt_validate_floors_parse(), therapy/validate_floors.c).
 *
 * Input: the floors file's text.
 *
 * Checked on every input (a violation aborts):
 *   failure: MT_EPARSE, MT_ELIMIT or MT_ENOMEM with a one-line message naming the file, and
 *     an empty result;
 *   success: at least one floor; each set and figure non-empty, NUL-terminated within its
 *     buffer, of letters, digits and _ . - only; kind 0 or 1; limit finite; no (set, figure)
 *     twice; mt_validate_floor_met agrees with the limit on the limit itself (met), on NaN
 *     (not met) and one unit past it on the wrong side (not met).
 */
#define _POSIX_C_SOURCE 200809L
#include "medtwin/validate.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INPUT 65536

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz_floors: %s: %s\n", what, detail ? detail : "");
    abort();
}

static int name_ok(const char *s, size_t cap)
{
    size_t n = strnlen(s, cap);
    if (n == 0 || n == cap)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == '.' || *s == '-'))
            return 0;
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_INPUT)
        return 0;
    mt_ctx *ctx = NULL;
    if (mt_ctx_create(&ctx) != MT_OK)
        fail("no context", NULL);
    mt_validate_floors fl;
    mt_status st = mt_validate_floors_parse(ctx, (const char *)data, size, "floors.csv", &fl);
    if (st != MT_OK) {
        const char *m = mt_errmsg(ctx);
        if (st != MT_EPARSE && st != MT_ELIMIT && st != MT_ENOMEM)
            fail("unexpected status", m);
        if (!m || !*m || strchr(m, '\n') || !strstr(m, "floors.csv"))
            fail("message is not one line naming the file", m);
        if (fl.n || fl.v)
            fail("result not empty after a failure", m);
    } else {
        if (fl.n == 0 || !fl.v)
            fail("no floors on success", NULL);
        for (size_t i = 0; i < fl.n; i++) {
            const mt_validate_floor *f = &fl.v[i];
            if (!name_ok(f->set, sizeof f->set) || !name_ok(f->figure, sizeof f->figure))
                fail("bad name", f->figure);
            if ((f->ceiling != 0 && f->ceiling != 1) || !isfinite(f->limit))
                fail("bad kind or limit", f->figure);
            if (!mt_validate_floor_met(f, f->limit) || mt_validate_floor_met(f, NAN))
                fail("limit itself not met, or NaN met", f->figure);
            double past = f->ceiling ? f->limit + fmax(1, fabs(f->limit))
                                     : f->limit - fmax(1, fabs(f->limit));
            if (isfinite(past) && mt_validate_floor_met(f, past))
                fail("a value past the limit is met", f->figure);
            for (size_t k = 0; k < i; k++)
                if (!strcmp(fl.v[k].set, f->set) && !strcmp(fl.v[k].figure, f->figure))
                    fail("duplicate accepted", f->figure);
        }
    }
    mt_validate_floors_clear(&fl);
    mt_ctx_destroy(ctx);
    return 0;
}
