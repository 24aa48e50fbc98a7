/* SPDX-License-Identifier: Apache-2.0
 *
 * tests/fuzz/fuzz_sbml.c — libFuzzer target for the SBML import, the
 * compiler and a short simulation.
 *
 * Each input is a document handed to mt_model_load_string(). A model that
 * loads is inspected through the public accessors, compiled, and simulated
 * from 0 to 1 with 10 output steps and at most 5000 solver steps per output
 * interval, so the solver and the event code see the fuzzed models too.
 * Every failure is fine; what is not: a crash, a leak, a sanitizer report, a
 * hang, or a failure that leaves no message (or a message of more than one
 * line: the CLI prints it as its one line on stderr) in the context.
 *
 * Inputs over 256 KiB are ignored, and models with more than 200 states are
 * loaded and compiled but not simulated (the dense linear solver is cubic in
 * the number of states: such units are slow without being interesting).
 * Also built into replay_sbml (replay.c), which runs the committed corpus in
 * every build.
 */
#include "medtwin/medtwin.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INPUT (256u * 1024u)
#define MAX_SIM_STATES 200

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A failed call must explain itself in one line. */
static void check_msg(const mt_ctx *ctx, mt_status st, const char *what)
{
    const char *msg = mt_errmsg(ctx);
    if (!msg[0] || strchr(msg, '\n')) {
        fprintf(stderr, "fuzz_sbml: %s failed (%s) with %s message: '%s'\n", what, mt_strerror(st),
                msg[0] ? "a multi-line" : "no", msg);
        abort();
    }
}

static void simulate(mt_ctx *ctx, const mt_program *p)
{
    mt_sim *s = NULL;
    mt_result *r = NULL;
    mt_status st = mt_sim_create(ctx, p, &s);
    if (st != MT_OK) {
        check_msg(ctx, st, "mt_sim_create");
        return;
    }
    if (mt_sim_set_max_steps(s, 5000) != MT_OK)
        abort();
    st = mt_sim_run(s, 0.0, 1.0, 10, &r);
    if (st == MT_OK) {
        size_t nr = mt_result_n_rows(r), nc = mt_result_n_cols(r);
        if (nr != 11)
            abort();
        /* Touch every value so that a short buffer shows up under ASan. */
        volatile double sink = 0;
        for (size_t i = 0; i < nr; i++) {
            sink += mt_result_time(r, i);
            for (size_t j = 0; j < nc; j++)
                sink += mt_result_value(r, i, j);
        }
        for (size_t j = 0; j < nc; j++)
            if (!mt_result_col_id(r, j))
                abort();
        (void)sink;
    } else {
        check_msg(ctx, st, "mt_sim_run");
    }
    mt_result_destroy(r);
    mt_sim_destroy(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_INPUT)
        return 0;
    mt_ctx *ctx = NULL;
    if (mt_ctx_create(&ctx) != MT_OK)
        return 0;
    mt_model *m = NULL;
    mt_status st = mt_model_load_string(ctx, (const char *)data, size, NULL, &m);
    if (st != MT_OK) {
        check_msg(ctx, st, "mt_model_load_string");
        if (m)
            abort(); /* *out must be NULL on failure */
        mt_ctx_destroy(ctx);
        return 0;
    }
    size_t n = mt_model_n_symbols(m);
    for (size_t i = 0; i < n; i++) {
        const char *id = mt_model_symbol_id(m, i);
        size_t at = n;
        if (!id || mt_model_find(m, id, &at) != MT_OK || at != i)
            abort(); /* public ids are unique and found again */
        (void)mt_model_symbol_kind(m, i);
    }
    (void)mt_model_id(m);
    mt_program *p = NULL;
    st = mt_program_create_native(ctx, m, MT_NATIVE_OFF, &p);
    if (st == MT_OK) {
        if (mt_model_n_states(m) <= MAX_SIM_STATES)
            simulate(ctx, p);
    } else {
        check_msg(ctx, st, "mt_program_create");
    }
    mt_program_destroy(p);
    mt_model_destroy(m);
    mt_ctx_destroy(ctx);
    return 0;
}
