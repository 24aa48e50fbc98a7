/* SPDX-License-Identifier: Apache-2.0
 *
 * tests/fuzz/fuzz_profile.c — libFuzzer target for the patient profile JSON parser
 * (twin/profile.c, medtwin/profile.h).
 *
 * The input is the document itself. On success the profile must obey its invariants: every
 * accessor answers, the numbers lie within the limits, and the canonical JSON parses back to a
 * profile whose canonical JSON is the same text (a difference aborts). On failure the status is
 * one of the documented codes and the message is not empty.
 */
#include "medtwin/profile.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_profile(const mt_profile *p)
{
    if (!mt_profile_id(p) || !(mt_profile_weight_kg(p) > 0) || !(mt_profile_height_cm(p) > 0) ||
        !(mt_profile_age_years(p) >= 0))
        abort();
    for (size_t i = 0; i < mt_profile_n_conditions(p); i++)
        if (!mt_profile_condition(p, i))
            abort();
    for (size_t i = 0; i < mt_profile_n_genotypes(p); i++)
        if (mt_profile_genotype(p, mt_profile_genotype_gene(p, i)) != mt_profile_genotype_at(p, i))
            abort();
    for (size_t i = 0; i < mt_profile_n_medications(p); i++) {
        const mt_medication *m = mt_profile_medication(p, i);
        if (!m || !m->drug || !(m->dose_mg > 0) || m->n_doses < 1 ||
            (m->n_doses > 1 && !(m->interval_h > 0)))
            abort();
    }
    for (size_t i = 0; i < mt_profile_n_measurements(p); i++) {
        const mt_measurement *x = mt_profile_measurement(p, i);
        if (!x || !x->analyte || !x->unit || !isfinite(x->value) || !isfinite(x->time_h))
            abort();
    }
    if (mt_profile_medication(p, mt_profile_n_medications(p)) ||
        mt_profile_measurement(p, mt_profile_n_measurements(p)))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mt_ctx *ctx;
    mt_profile *p = NULL, *q = NULL;
    char *a = NULL, *b = NULL;
    if (size > 1 << 20 || mt_ctx_create(&ctx) != MT_OK)
        return 0;
    mt_status st = mt_profile_parse_json(ctx, (const char *)data, size, &p);
    if (st != MT_OK) {
        if (p || !*mt_errmsg(ctx) ||
            (st != MT_EPARSE && st != MT_EINVAL && st != MT_ELIMIT && st != MT_ENOMEM))
            abort();
        mt_ctx_destroy(ctx);
        return 0;
    }
    check_profile(p);
    if (mt_profile_to_json(ctx, p, &a) != MT_OK)
        abort();
    if (mt_profile_parse_json(ctx, a, strlen(a), &q) != MT_OK) {
        fprintf(stderr, "canonical JSON does not parse: %s\n%s\n", mt_errmsg(ctx), a);
        abort();
    }
    if (mt_profile_to_json(ctx, q, &b) != MT_OK)
        abort();
    if (strcmp(a, b) != 0) {
        fprintf(stderr, "canonical JSON not stable:\n%s\n---\n%s\n", a, b);
        abort();
    }
    free(a);
    free(b);
    mt_profile_destroy(p);
    mt_profile_destroy(q);
    mt_ctx_destroy(ctx);
    return 0;
}
