/* SPDX-License-Identifier: Apache-2.0
 *
 * tests/fuzz/fuzz_fhir.c — libFuzzer target for the HL7 FHIR R4 Bundle importer (twin/fhir.c)
 * and the UCUM subset under it (twin/ucum.c).
 *
 * The input is the Bundle text. On success the profile's canonical JSON must parse as a profile
 * JSON and give the same canonical text again: what the FHIR importer accepts, the profile parser
 * accepts too (a difference aborts). On failure the status is one of the documented codes and
 * the message is not empty and names FHIR or JSON.
 */
#include "medtwin/profile.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mt_ctx *ctx;
    mt_profile *p = NULL, *q = NULL;
    char *a = NULL, *b = NULL;
    if (size > 1 << 20 || mt_ctx_create(&ctx) != MT_OK)
        return 0;
    mt_status st = mt_profile_parse_fhir(ctx, (const char *)data, size, &p);
    if (st != MT_OK) {
        if (p || !strstr(mt_errmsg(ctx), "FHIR") ||
            (st != MT_EPARSE && st != MT_EINVAL && st != MT_ELIMIT && st != MT_ENOMEM)) {
            fprintf(stderr, "bad failure: %d %s\n", st, mt_errmsg(ctx));
            abort();
        }
        mt_ctx_destroy(ctx);
        return 0;
    }
    if (mt_profile_to_json(ctx, p, &a) != MT_OK)
        abort();
    if (mt_profile_parse_json(ctx, a, strlen(a), &q) != MT_OK) {
        fprintf(stderr, "FHIR result is not a valid profile: %s\n%s\n", mt_errmsg(ctx), a);
        abort();
    }
    if (mt_profile_to_json(ctx, q, &b) != MT_OK)
        abort();
    if (strcmp(a, b) != 0) {
        fprintf(stderr, "canonical JSON differs after a round trip:\n%s\n---\n%s\n", a, b);
        abort();
    }
    free(a);
    free(b);
    mt_profile_destroy(p);
    mt_profile_destroy(q);
    mt_ctx_destroy(ctx);
    return 0;
}
