/* SPDX-License-Identifier: Apache-2.0
 *
 * tests/fuzz/fuzz_poppk.c — libFuzzer target for the population-PK card parser and
 * validator (poppk/poppk.c).
 *
 * Each input is a card's text handed to mt_poppk_parse(). A card that parses is read through
 * every accessor, and the validator's promises are checked: every parameter has a name, a
 * model unit, a source and a published value > 0; the typical values at the card's reference
 * covariates are finite and > 0; the IIV matrix is symmetric with a diagonal >= 0; the
 * residual magnitudes are >= 0; the SBML text is produced. A person with every covariate
 * unknown must be refused with a message (or accepted when the card has no covariate). A
 * failed parse must leave a one-line message in the context. Anything else that goes wrong
 * (crash, leak, sanitizer report, broken promise) aborts.
 *
 * Inputs over MT_POPPK_MAX_BYTES + 1 are cut there. Also built into replay_poppk
 * (replay.c), which runs the committed corpus in every build.
 */
#include "medtwin/poppk.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz_poppk: %s: %s\n", what, detail ? detail : "");
    abort();
}

static void check_msg(const mt_ctx *ctx, mt_status st)
{
    const char *msg = mt_errmsg(ctx);
    if (st == MT_OK)
        return;
    if (!msg[0] || strchr(msg, '\n'))
        fail(msg[0] ? "multi-line error message" : "failure without a message", msg);
}

static void inspect(mt_ctx *ctx, const mt_poppk *c)
{
    const char *drug = mt_poppk_drug(c);
    if (!drug || !*drug || strspn(drug, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(drug))
        fail("bad drug name", drug);
    if (!mt_poppk_structure(c) || !mt_poppk_absorption(c) || !mt_poppk_dose_target(c) ||
        !mt_poppk_citation(c))
        fail("missing identity", drug);
    (void)mt_poppk_pd(c);
    if (mt_poppk_n_sources(c) == 0 || !mt_poppk_source_seen(c, 0) ||
        mt_poppk_source_seen(c, mt_poppk_n_sources(c)))
        fail("source_seen", drug);
    size_t n = mt_poppk_n_params(c);
    for (size_t i = 0; i <= n; i++) {
        const char *name = mt_poppk_param_name(c, i);
        if (i == n) {
            if (name || mt_poppk_param_unit(c, i) || !isnan(mt_poppk_param_published(c, i)))
                fail("parameter past the end", drug);
            break;
        }
        const char *src = mt_poppk_param_source(c, i);
        if (!name || !mt_poppk_param_unit(c, i) || !src || !*src)
            fail("parameter without name, unit or source", name);
        if (!(mt_poppk_param_published(c, i) > 0))
            fail("published value not > 0", name);
        if (mt_poppk_param_index(c, name) != (int)i)
            fail("parameter index", name);
    }
    for (size_t i = 0; i < mt_poppk_n_covariates(c); i++)
        if (!mt_poppk_covariate_name(c, i) || !mt_poppk_covariate_unit(c, i))
            fail("covariate without name", drug);
    double *theta = calloc(n + 1, sizeof *theta), *om = calloc(n * n + 1, sizeof *om);
    if (!theta || !om)
        fail("out of memory", NULL);
    mt_poppk_covariates cov;
    mt_poppk_reference_covariates(c, &cov);
    mt_status st = mt_poppk_typical(ctx, c, &cov, theta);
    check_msg(ctx, st);
    if (st != MT_OK)
        fail("the reference covariates are refused", mt_errmsg(ctx));
    for (size_t i = 0; i < n; i++)
        if (!isfinite(theta[i]) || !(theta[i] > 0))
            fail("typical value not finite and > 0", mt_poppk_param_name(c, i));
    mt_poppk_covariates_init(&cov);
    st = mt_poppk_typical(ctx, c, &cov, theta);
    check_msg(ctx, st);
    mt_poppk_omega(c, om);
    for (size_t i = 0; i < n; i++) {
        if (!(om[i * n + i] >= 0) || !isfinite(om[i * n + i]))
            fail("omega diagonal", mt_poppk_param_name(c, i));
        for (size_t k = 0; k < n; k++)
            if (om[i * n + k] != om[k * n + i])
                fail("omega not symmetric", mt_poppk_param_name(c, i));
    }
    free(theta);
    free(om);
    static const char *const obs[] = {"Cc", "INR", "", "x"};
    for (size_t i = 0; i < 4; i++) {
        mt_poppk_residual r;
        if (mt_poppk_residual_get(c, obs[i], &r) == MT_OK &&
            (!(r.additive_sd >= 0) || !(r.proportional_cv >= 0) || !r.form || !r.source))
            fail("residual", obs[i]);
    }
    char *xml = NULL;
    st = mt_poppk_sbml(ctx, c, &xml);
    check_msg(ctx, st);
    if (st != MT_OK || !xml || !strstr(xml, "</sbml>"))
        fail("no SBML for a valid card", mt_errmsg(ctx));
    free(xml);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MT_POPPK_MAX_BYTES + 1)
        size = MT_POPPK_MAX_BYTES + 1;
    mt_ctx *ctx = NULL;
    if (mt_ctx_create(&ctx) != MT_OK)
        return 0;
    mt_poppk *c = NULL;
    mt_status st = mt_poppk_parse(ctx, (const char *)data, size, &c);
    check_msg(ctx, st);
    if (st == MT_OK) {
        if (!c)
            fail("MT_OK without a card", NULL);
        inspect(ctx, c);
    } else if (c) {
        fail("failure with a card", mt_strerror(st));
    }
    mt_poppk_destroy(c);
    mt_ctx_destroy(ctx);
    return 0;
}
