/* SPDX-License-Identifier: Apache-2.0
 *
 * tests/fuzz/fuzz_export.c — libFuzzer target for the check of a node's signed export
 * (node/node_federation.c, mt_node_export_verify; `medtwin export verify`).
 *
 * Each input is handed to mt_node_export_verify with no pinned key and with a pinned one. It
 * must answer MT_OK, MT_EPARSE, MT_EINVAL or MT_ELIMIT; on failure with a message; on success
 * (which a fuzzer reaches only with a valid signature: the committed corpus holds one) with a
 * 16-hex key id and counts that are not negative. Anything else (crash, leak, sanitizer report,
 * broken promise) aborts. Also built into replay_export (replay.c), which runs the committed
 * corpus in every build.
 */
#include "medtwin/node.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what)
{
    fprintf(stderr, "fuzz_export: %s\n", what);
    abort();
}

static void one(const uint8_t *data, size_t size, const char *pin)
{
    mt_ctx *ctx = NULL;
    if (mt_ctx_create(&ctx) != MT_OK)
        return;
    mt_node_export_info info;
    mt_status st = mt_node_export_verify(ctx, (const char *)data, size, pin, &info);
    if (st == MT_OK) {
        if (strlen(info.key_id) != 16 || info.n_resources < 0 || info.n_versions < 0)
            fail("a verified export with a bad key id or counts");
    } else if (st != MT_EPARSE && st != MT_EINVAL && st != MT_ELIMIT) {
        fail("an unexpected status");
    } else if (!mt_errmsg(ctx) || !*mt_errmsg(ctx)) {
        fail("a failure without a message");
    }
    mt_ctx_destroy(ctx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    one(data, size, NULL);
    one(data, size, "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
    return 0;
}
