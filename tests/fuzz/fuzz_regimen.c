/* SPDX-License-Identifier: Apache-2.0
 *
 * tests/fuzz/fuzz_regimen.c — libFuzzer target for the regimen text parser
 * (mt_regimen_parse(), twin/regimen.c; grammar in medtwin/regimen.h).
 *
 * Input: the regimen text (a NUL is added; an embedded NUL ends the text).
 *
 * Checked on every input (a violation aborts):
 *   failure: a one-line, non-empty message and an empty result (no doses, no formulation);
 *   success: a drug name of [a-z0-9_], a positive finite dose, at least one dose and at most
 *     MT_REGIMEN_MAX_DOSES, every dose at a finite time >= 0 with the regimen's amount and
 *     route, times increasing by the interval; a formulation only on an oral regimen, of
 *     [a-z0-9_] and NUL-terminated within its buffer; the doses carry no dissolution (the
 *     predictor sets it from the card).
 */
#define _POSIX_C_SOURCE 200809L
#include "medtwin/regimen.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INPUT 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz_regimen: %s: %s\n", what, detail ? detail : "");
    abort();
}

static int word_ok(const char *s, size_t cap, int empty_ok)
{
    size_t n = strnlen(s, cap);
    if (n == cap || (n == 0 && !empty_ok))
        return 0;
    return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_INPUT)
        return 0;
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    mt_ctx *ctx = NULL;
    if (mt_ctx_create(&ctx) != MT_OK)
        fail("no context", NULL);
    mt_regimen r;
    mt_status st = mt_regimen_parse(ctx, text, 240.0, 70.0, &r);
    if (st != MT_OK) {
        const char *m = mt_errmsg(ctx);
        if (!m || !*m || strchr(m, '\n'))
            fail("failure without a one-line message", m);
        if (r.doses || r.n_doses || r.formulation[0])
            fail("failure with a result", m);
    } else {
        if (!word_ok(r.drug, sizeof r.drug, 0))
            fail("bad drug name", r.drug);
        if (!(r.dose_mg > 0) || !isfinite(r.dose_mg))
            fail("bad dose", text);
        if (r.n_doses < 1 || r.n_doses > MT_REGIMEN_MAX_DOSES || !r.doses)
            fail("bad dose count", text);
        if (!word_ok(r.formulation, sizeof r.formulation, 1) ||
            (r.formulation[0] && r.route != MT_DOSE_PO))
            fail("bad formulation", text);
        for (size_t k = 0; k < r.n_doses; k++) {
            const mt_dose *d = &r.doses[k];
            if (!isfinite(d->time_h) || d->time_h < 0 || d->amount_mg != r.dose_mg ||
                d->route != r.route || d->diss_t50_h != 0)
                fail("bad dose", text);
            if (k && !(d->time_h > r.doses[k - 1].time_h))
                fail("dose times not increasing", text);
        }
    }
    mt_regimen_clear(&r);
    mt_ctx_destroy(ctx);
    free(text);
    return 0;
}
