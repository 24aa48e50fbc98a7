/* SPDX-License-Identifier: Apache-2.0
 *
 * tests/fuzz/fuzz_sedml.c — libFuzzer target for the node's SED-ML subset parser
 * (src/node/sedml.c, libxml2 with no network, no entities, no DTD).
 *
 * Each input is handed to mt_sedml_parse(). A document that parses must give the summary the
 * header promises: one simulation with initial_time <= start < end and 1..100000 points,
 * arrays of changes (finite values), variables and reports whose data sets refer to known data
 * generators. A failure must leave a one-line message. Anything else (crash, leak, sanitizer
 * report, broken promise) aborts. Also built into replay_sedml (replay.c), which runs the
 * committed corpus in every build.
 */
#include "node/sedml.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what)
{
    fprintf(stderr, "fuzz_sedml: %s\n", what);
    abort();
}

static void inspect(json_t *s)
{
    json_t *sim = json_object_get(s, "simulation");
    double t0 = json_number_value(json_object_get(sim, "initial_time")),
           a = json_number_value(json_object_get(sim, "start")),
           b = json_number_value(json_object_get(sim, "end"));
    json_int_t n = json_integer_value(json_object_get(sim, "points"));
    if (!json_is_object(sim) || !(t0 <= a && a < b) || n < 1 || n > 100000)
        fail("simulation out of its promised range");
    json_t *ch = json_object_get(s, "changes"), *vars = json_object_get(s, "variables"),
           *reps = json_object_get(s, "reports");
    if (!json_is_array(ch) || !json_is_array(vars) || !json_is_array(reps))
        fail("changes, variables or reports missing");
    size_t i, j;
    json_t *x, *d;
    json_array_foreach(ch, i, x)
    {
        if (!json_is_string(json_object_get(x, "target")) ||
            !isfinite(json_number_value(json_object_get(x, "value"))))
            fail("a change without a target or a finite value");
    }
    json_array_foreach(reps, i, x)
    {
        json_array_foreach(json_object_get(x, "datasets"), j, d)
        {
            const char *ref = json_string_value(json_object_get(d, "data"));
            int found = 0;
            size_t k;
            json_t *v;
            json_array_foreach(vars, k, v) found |=
                ref && !strcmp(ref, json_string_value(json_object_get(v, "id")));
            if (!found)
                fail("a data set refers to an unknown data generator");
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MT_SEDML_MAX_BYTES + 1)
        size = MT_SEDML_MAX_BYTES + 1;
    mt_ctx *ctx = NULL;
    if (mt_ctx_create(&ctx) != MT_OK)
        return 0;
    json_t *out = NULL;
    mt_status st = mt_sedml_parse(ctx, (const char *)data, size, &out);
    if (st == MT_OK) {
        if (!out)
            fail("MT_OK without a summary");
        inspect(out);
    } else {
        const char *msg = mt_errmsg(ctx);
        if (out)
            fail("a failure with a summary");
        if (!msg[0] || strchr(msg, '\n'))
            fail(msg[0] ? "multi-line error message" : "failure without a message");
    }
    json_decref(out);
    mt_ctx_destroy(ctx);
    return 0;
}
