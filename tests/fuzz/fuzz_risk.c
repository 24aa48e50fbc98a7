/* SPDX-License-Identifier: Apache-2.0
 *
 * tests/fuzz/fuzz_risk.c — libFuzzer target for the risk-rule loader and its evaluation
 * (therapy/risk.c).
 *
 * Input: the first byte picks the table (modulo MT_RISK_N_TABLES: pgx_drug, inhibitors,
 * phenoconversion), the rest is that table's CSV text; the other two tables and the
 * vocabularies come from data/ (found through mt_data_dir()). Cards are loaded once per
 * process.
 *
 * Checked on every input (a violation aborts):
 *   failure: MT_EPARSE or MT_ELIMIT with a one-line message and no rules;
 *   success: the rules evaluate on a fixed person and regimen (phenotypes CYP2D6 normal,
 *     CYP2C19 poor; codeine, paroxetine, omeprazole with its card, fluvoxamine with its card,
 *     clopidogrel, simvastatin) without error, and every warning has a drug, a one-line
 *     message and a source; every effective phenotype is non-empty.
 */
#include "medtwin/drugcard.h"
#include "medtwin/risk.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INPUT 65536

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz_risk: %s: %s\n", what, detail ? detail : "");
    abort();
}

static int one_line(const char *s) { return s && !strchr(s, '\n') && !strchr(s, '\r'); }

static const mt_drugcard *card(const char *name)
{
    static mt_ctx *ctx;
    static mt_drugcard *c[2];
    static const char *const names[2] = {"omeprazole", "fluvoxamine"};
    if (!ctx) {
        if (mt_ctx_create(&ctx) != MT_OK)
            fail("no context", NULL);
        for (int i = 0; i < 2; i++)
            if (mt_drugcard_load(ctx, NULL, names[i], &c[i]) != MT_OK)
                fail("cannot load a card", mt_errmsg(ctx));
    }
    for (int i = 0; i < 2; i++)
        if (!strcmp(name, names[i]))
            return c[i];
    return NULL;
}

static void evaluate(const mt_risk_rules *r, mt_ctx *ctx)
{
    static const char *const names[] = {"codeine",     "paroxetine",  "omeprazole",
                                        "fluvoxamine", "clopidogrel", "simvastatin"};
    mt_risk_drug d[6];
    for (size_t i = 0; i < 6; i++) {
        d[i].name = names[i];
        d[i].card = card(names[i]);
        d[i].cmax = d[i].ctrough = d[i].auc = NAN;
    }
    mt_risk_phenotype ph[] = {{"CYP2D6", "Normal Metabolizer"}, {"CYP2C19", "Poor Metabolizer"}};
    mt_risk_report rep;
    mt_status st = mt_risk_evaluate(r, ctx, 2, ph, 6, d, &rep);
    if (st != MT_OK)
        fail("evaluation failed", mt_errmsg(ctx));
    for (size_t i = 0; i < rep.n_warnings; i++) {
        const mt_risk_warning *w = &rep.warnings[i];
        if (!w->drug[0] || !w->message[0] || !w->source[0] || !one_line(w->message))
            fail("incomplete warning", w->message);
    }
    for (size_t i = 0; i < rep.n_effective; i++)
        if (!rep.effective[i].gene[0] || !rep.effective[i].effective[0])
            fail("empty effective phenotype", rep.effective[i].gene);
    mt_risk_report_free(&rep);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0 || size > MAX_INPUT)
        return 0;
    mt_ctx *ctx = NULL;
    if (mt_ctx_create(&ctx) != MT_OK)
        return 0;
    const char *texts[MT_RISK_N_TABLES] = {NULL, NULL, NULL};
    size_t lens[MT_RISK_N_TABLES] = {0, 0, 0};
    const char *names[MT_RISK_N_TABLES] = {"fuzz.csv", "fuzz.csv", "fuzz.csv"};
    unsigned t = data[0] % MT_RISK_N_TABLES;
    texts[t] = (const char *)data + 1;
    lens[t] = size - 1;
    mt_risk_rules *r = NULL;
    mt_status st = mt_risk_rules_parse(ctx, NULL, texts, lens, names, &r);
    if (st != MT_OK) {
        const char *msg = mt_errmsg(ctx);
        if ((st != MT_EPARSE && st != MT_ELIMIT) || !msg[0] || !one_line(msg) || r)
            fail("bad failure", msg);
    } else {
        if (!r)
            fail("success without rules", NULL);
        evaluate(r, ctx);
    }
    mt_risk_rules_destroy(r);
    mt_ctx_destroy(ctx);
    return 0;
}
