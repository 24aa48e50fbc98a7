/* SPDX-License-Identifier: Apache-2.0
 *
 * tests/fuzz/fuzz_drugcard.c — libFuzzer target for the drug-card parser
 * and validator (twin/drugcard.c).
 *
 * Each input is a card's text handed to mt_drugcard_parse() twice: with no
 * expected name, and with the name "fuzz". A card that parses is read
 * through every public accessor (all indices, a set of value paths, the
 * completeness flags), and the validator's promises are checked: every
 * present physical value is finite and in its range (fu in (0, 1], MW > 0,
 * ...), the name is a card name, every value reached by path has a
 * non-empty source, a fitted one names its training data. A failed parse
 * must leave a one-line message in the context. Anything else that goes
 * wrong (crash, leak, sanitizer report, broken promise) aborts.
 *
 * Inputs over MT_DRUGCARD_MAX_BYTES + 1 are cut there (the parser must
 * refuse the over-long ones itself). Also built into replay_drugcard
 * (replay.c), which runs the committed corpus in every build.
 */
#include "medtwin/drugcard.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz_drugcard: %s: %s\n", what, detail ? detail : "");
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

/* NaN (absent) or a value satisfying ok. */
static void want(double v, int ok, const char *what)
{
    if (!isnan(v) && (!isfinite(v) || !ok))
        fail("accessor returned an impossible value", what);
}

static void check_source(const mt_drugcard *c, const char *path)
{
    const char *src = NULL, *to = NULL;
    int fitted = -1;
    double v;
    const char *unit = NULL;
    if (mt_drugcard_value_source(c, path, &src, &fitted, &to) != MT_OK)
        return;
    if (!src || !*src)
        fail("value without source", path);
    if (fitted && (!to || !*to))
        fail("fitted value without fitted_to", path);
    if (mt_drugcard_value(c, path, &v, &unit) == MT_OK && (!isfinite(v) || !unit))
        fail("value by path not finite", path);
}

static void process(const mt_drugcard_process *p)
{
    want(p->km_umol_l, p->km_umol_l > 0, "km");
    want(p->kcat_per_h, p->kcat_per_h >= 0, "kcat");
    want(p->fm, p->fm >= 0 && p->fm <= 1, "fm");
    want(p->specific_clearance_per_h, p->specific_clearance_per_h >= 0, "specific clearance");
    want(p->clint_l_h, p->clint_l_h >= 0, "clint");
    want(p->plasma_clearance_l_h_kg, p->plasma_clearance_l_h_kg >= 0, "plasma clearance");
    want(p->vmax_umol_l_h, p->vmax_umol_l_h >= 0, "vmax");
    want(p->protein_conc_umol_l, p->protein_conc_umol_l > 0, "protein concentration");
}

static void inspect(const mt_drugcard *c)
{
    static const char *const paths[] = {"physchem.mw",
                                        "physchem.logp",
                                        "physchem.fu_plasma",
                                        "physchem.blood_plasma_ratio",
                                        "physchem.pka.0",
                                        "physchem.pka.1",
                                        "absorption.ka",
                                        "absorption.fa",
                                        "absorption.fg",
                                        "partition.kp.liv",
                                        "elimination.hepatic.0.km",
                                        "elimination.hepatic.0.kcat",
                                        "elimination.renal.gfr_fraction",
                                        "interactions.0.ki",
                                        "interactions.0.kinact",
                                        "therapeutic_range.low",
                                        "therapeutic_range.high",
                                        "metabolites.0.fraction",
                                        "",
                                        ".",
                                        "physchem..mw",
                                        "physchem.pka.99999999999999999999",
                                        "elimination.hepatic.-1.km"};
    const char *name = mt_drugcard_name(c);
    if (!name || !*name || strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(name))
        fail("bad card name", name);
    if (!mt_drugcard_version(c) || !mt_drugcard_display_name(c) || !mt_drugcard_kind(c))
        fail("missing identity", name);
    (void)mt_drugcard_parent(c);
    (void)mt_drugcard_racemate(c);
    for (size_t i = 0; i < mt_drugcard_n_enantiomers(c); i++)
        if (!mt_drugcard_enantiomer(c, i))
            fail("enantiomer without a name", name);
    want(mt_drugcard_mw(c), mt_drugcard_mw(c) > 0, "mw");
    want(mt_drugcard_fu(c), mt_drugcard_fu(c) > 0 && mt_drugcard_fu(c) <= 1, "fu");
    want(mt_drugcard_bp(c), mt_drugcard_bp(c) > 0, "bp");
    want(mt_drugcard_logp(c), 1, "logp");
    want(mt_drugcard_ka(c), mt_drugcard_ka(c) > 0, "ka");
    want(mt_drugcard_fa(c), mt_drugcard_fa(c) >= 0 && mt_drugcard_fa(c) <= 1, "fa");
    want(mt_drugcard_fg(c), mt_drugcard_fg(c) >= 0 && mt_drugcard_fg(c) <= 1, "fg");
    want(mt_drugcard_kp(c, "liv"), mt_drugcard_kp(c, "liv") > 0, "kp");
    (void)mt_drugcard_kp(c, NULL);
    (void)mt_drugcard_logp_measure(c);
    (void)mt_drugcard_partition_method(c);
    (void)mt_drugcard_absorption_model(c);
    for (size_t i = 0; i <= mt_drugcard_n_formulations(c); i++) {
        const char *id = mt_drugcard_formulation_id(c, i);
        mt_formulation f;
        if ((i < mt_drugcard_n_formulations(c)) != (id != NULL))
            fail("formulation index", name);
        if (id && (mt_drugcard_formulation(c, id, &f) != 0 || !(f.t50_h > 0) || !(f.shape > 0) ||
                   !(f.lag_h >= 0) || !f.description))
            fail("formulation values", name);
    }
    for (size_t i = 0; i <= mt_drugcard_n_pka(c); i++) {
        double v;
        mt_pka_type t;
        mt_status st = mt_drugcard_pka(c, i, &v, &t);
        if ((i < mt_drugcard_n_pka(c)) != (st == MT_OK))
            fail("pka index", name);
    }
    mt_drugcard_process p;
    for (size_t i = 0; i <= mt_drugcard_n_hepatic(c); i++)
        if (mt_drugcard_hepatic(c, i, &p) == MT_OK)
            process(&p);
    for (size_t i = 0; i <= mt_drugcard_n_transport(c); i++)
        if (mt_drugcard_transport(c, i, &p) == MT_OK)
            process(&p);
    mt_drugcard_renal r;
    if (mt_drugcard_renal_get(c, &r) == MT_OK)
        want(r.gfr_fraction, r.gfr_fraction >= 0, "gfr fraction");
    mt_drugcard_interaction in;
    for (size_t i = 0; i <= mt_drugcard_n_interactions(c); i++)
        if (mt_drugcard_interaction_get(c, i, &in) == MT_OK) {
            if (!in.target || !mt_mechanism_name(in.mechanism))
                fail("interaction without target", name);
            want(in.ki_umol_l, in.ki_umol_l > 0, "ki");
            want(in.ec50_umol_l, in.ec50_umol_l > 0, "ec50");
            want(in.emax, in.emax >= 0, "emax");
        }
    mt_drugcard_metabolite m;
    for (size_t i = 0; i <= mt_drugcard_n_metabolites(c); i++)
        if (mt_drugcard_metabolite_get(c, i, &m) == MT_OK && !m.name)
            fail("metabolite without name", name);
    double lo, hi, tox;
    if (mt_drugcard_therapeutic_range(c, &lo, &hi, &tox) == MT_OK) {
        want(lo, lo > 0, "therapeutic low");
        want(hi, hi > 0, "therapeutic high");
        want(tox, tox > 0, "toxic threshold");
    }
    const char *a, *b;
    for (size_t i = 0; i <= mt_drugcard_n_pgx(c); i++)
        if (mt_drugcard_pgx(c, i, &a, &b) == MT_OK && (!a || !b))
            fail("pgx without gene", name);
    for (size_t i = 0; i <= mt_drugcard_n_missing(c); i++)
        if (mt_drugcard_missing(c, i, &a, &b) == MT_OK && (!a || !b))
            fail("missing entry without field", name);
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
        check_source(c, paths[i]);
    unsigned f = mt_drugcard_completeness(c);
    for (unsigned i = 0; i < MT_DC_N_FLAGS; i++)
        (void)mt_drugcard_flag_name(i);
    (void)f;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MT_DRUGCARD_MAX_BYTES + 1)
        size = MT_DRUGCARD_MAX_BYTES + 1;
    mt_ctx *ctx = NULL;
    if (mt_ctx_create(&ctx) != MT_OK)
        return 0;
    static const char *const names[] = {NULL, "fuzz"};
    for (size_t k = 0; k < 2; k++) {
        mt_drugcard *c = NULL;
        mt_status st = mt_drugcard_parse(ctx, (const char *)data, size, names[k], &c);
        check_msg(ctx, st);
        if (st == MT_OK) {
            if (!c)
                fail("MT_OK without a card", NULL);
            if (names[k] && strcmp(mt_drugcard_name(c), names[k]))
                fail("name not checked", mt_drugcard_name(c));
            inspect(c);
        } else if (c) {
            fail("failure with a card", mt_strerror(st));
        }
        mt_drugcard_destroy(c);
    }
    mt_ctx_destroy(ctx);
    return 0;
}
