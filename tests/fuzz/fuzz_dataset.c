/* SPDX-License-Identifier: Apache-2.0
 *
 * tests/fuzz/fuzz_dataset.c — libFuzzer target for the node's dataset parser
 * (mt_node_table_parse in src/node/node_resources.c: observed data as CSV on the project's CSV
 * reader, a `time` column and numeric columns named like SBML ids).
 *
 * A table that parses must keep the promises of node/node_resources.h: 1..100000 rows, 1..200
 * value columns with non-empty names, finite non-decreasing times, every value finite or NaN
 * (an empty cell). A failure must leave a one-line message. Also built into replay_dataset
 * (replay.c), which runs the committed corpus in every build.
 */
#include "node/node_resources.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what)
{
    fprintf(stderr, "fuzz_dataset: %s\n", what);
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mt_ctx *ctx = NULL;
    if (mt_ctx_create(&ctx) != MT_OK)
        return 0;
    mt_node_table t;
    mt_status st = mt_node_table_parse(ctx, (const char *)data, size, &t);
    if (st == MT_OK) {
        if (t.n_rows < 1 || t.n_rows > 100000 || t.n_cols < 1 || t.n_cols > 200)
            fail("table size out of range");
        for (size_t j = 0; j < t.n_cols; j++)
            if (!t.names[j] || !t.names[j][0] || !strcmp(t.names[j], "time"))
                fail("a bad column name");
        for (size_t i = 0; i < t.n_rows; i++) {
            if (!isfinite(t.time[i]) || (i && t.time[i] < t.time[i - 1]))
                fail("times not finite and non-decreasing");
            for (size_t j = 0; j < t.n_cols; j++)
                if (isinf(t.v[i * t.n_cols + j]))
                    fail("an infinite value");
        }
        mt_node_table_free(&t);
    } else {
        const char *msg = mt_errmsg(ctx);
        if (!msg[0] || strchr(msg, '\n'))
            fail(msg[0] ? "multi-line error message" : "failure without a message");
    }
    mt_ctx_destroy(ctx);
    return 0;
}
