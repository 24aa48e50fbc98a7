/* SPDX-License-Identifier: Apache-2.0
 *
 * tests/fuzz/fuzz_fitdata.c — libFuzzer target for the fitting data reader (fit/fitdata.c,
 * mt_fit_data_read) and the dose-target parser (mt_target_parse).
 *
 * Input: the first byte picks the column options (bit 0: a CMT map 1=depot,2=C; bit 1: the
 * dose goes into depot and the dv observes C; bit 2: an LLOQ of 0.5; bit 3: the column
 * renames Subject=id,Time=time,conc=C,Dose=dose and Wt ignored; bit 4: the input's first line
 * is also a target text), the rest is the CSV text, read against the model
 * data/models/pk_oral_1cpt_sd.xml (loaded once, found through mt_data_dir()).
 *
 * Checked on every input (a violation aborts):
 *   failure: a one-line message and no data;
 *   success: at least one subject, each with observations sorted by time whose outputs are
 *     valid and whose values are finite (BLQ ones at the LLOQ), doses sorted by time with
 *     positive amounts, finite times and state targets; a fit of lKe on subject 0 returns a
 *     result or a one-line error (no crash, no hang: at most 20 iterations).
 *   targets: parsed ones have 0 < lo < hi and a known kind.
 */
#include "medtwin/data.h"
#include "medtwin/fit.h"
#include "medtwin/mipd.h"
#include "medtwin/model.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INPUT 16384

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz_fitdata: %s: %s\n", what, detail ? detail : "");
    abort();
}

static int one_line(const char *s) { return s && *s && !strchr(s, '\n') && !strchr(s, '\r'); }

static mt_sim *model_sim(mt_ctx **ctx_out)
{
    static mt_ctx *ctx;
    static mt_sim *sim;
    if (!sim) {
        mt_model *m = NULL;
        mt_program *p = NULL;
        char path[4096];
        snprintf(path, sizeof path, "%s/models/pk_oral_1cpt_sd.xml", mt_data_dir());
        if (mt_ctx_create(&ctx) != MT_OK || mt_model_load_file(ctx, path, &m) != MT_OK ||
            mt_program_create(ctx, m, &p) != MT_OK || mt_sim_create(ctx, p, &sim) != MT_OK)
            fail("cannot load the model", ctx ? mt_errmsg(ctx) : NULL);
        mt_model_destroy(m); /* the program keeps what it needs; p lives with the process */
    }
    *ctx_out = ctx;
    return sim;
}

static void check_target(const char *text, size_t len)
{
    char buf[256];
    size_t n = len < sizeof buf - 1 ? len : sizeof buf - 1;
    memcpy(buf, text, n);
    buf[n] = '\0';
    char *nl = strchr(buf, '\n');
    if (nl)
        *nl = '\0';
    mt_ctx *ctx = NULL;
    if (mt_ctx_create(&ctx) != MT_OK)
        fail("no context", NULL);
    mt_target t;
    mt_status st = mt_target_parse(ctx, buf, &t);
    if (st == MT_OK) {
        if (!(t.lo > 0) || !(t.hi > t.lo) || (unsigned)t.kind > MT_TARGET_INR)
            fail("a parsed target is impossible", buf);
    } else if (!one_line(mt_errmsg(ctx))) {
        fail("target error without a one-line message", buf);
    }
    mt_ctx_destroy(ctx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > MAX_INPUT)
        return 0;
    unsigned opt = data[0];
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    if (opt & 16)
        check_target(text, len);
    mt_ctx *ctx;
    mt_sim *sim = model_sim(&ctx);
    mt_fit_columns cols = {NULL, NULL, NULL, NULL, NULL, NAN};
    if (opt & 1)
        cols.cmt = "1=depot,2=C";
    if (opt & 2) {
        cols.dose_into = "depot";
        cols.observe = "C";
    }
    if (opt & 4)
        cols.lloq = 0.5;
    if (opt & 8) {
        cols.rename = "Subject=id,Time=time,conc=C,Dose=dose";
        cols.ignore = "Wt";
    }
    mt_csv *csv = NULL;
    mt_fit_data *d = NULL;
    mt_status st = mt_csv_parse(ctx, text, len, "fuzz", &csv);
    if (st == MT_OK)
        st = mt_fit_data_read(ctx, csv, sim, &cols, &d);
    mt_csv_destroy(csv);
    if (st != MT_OK) {
        if (d)
            fail("data on failure", NULL);
        if (!one_line(mt_errmsg(ctx)))
            fail("error without a one-line message", mt_errmsg(ctx));
        return 0;
    }
    if (!d || d->n_subjects == 0 || d->n_outputs == 0)
        fail("success without subjects or outputs", NULL);
    for (size_t i = 0; i < d->n_subjects; i++) {
        const mt_fit_subject *s = &d->subjects[i];
        if (!s->n_obs)
            fail("a subject without observations", s->id);
        for (size_t k = 0; k < s->n_obs; k++) {
            const mt_fit_obs *o = &s->obs[k];
            if (!isfinite(o->time) || !isfinite(o->value) || o->output < 0 ||
                (size_t)o->output >= d->n_outputs || (k && o->time < s->obs[k - 1].time) ||
                o->time < d->t0)
                fail("a bad observation", s->id);
        }
        for (size_t k = 0; k < s->n_doses; k++) {
            const mt_sim_dose *q = &s->doses[k];
            if (!(q->amount > 0) || !isfinite(q->time) || q->target < 0 ||
                (k && q->time < s->doses[k - 1].time) || !(q->duration >= 0))
                fail("a bad dose", s->id);
        }
    }
    /* a short fit must end in a result or an error, never a crash */
    mt_fit_param par = {"lKe", 0, -INFINITY, INFINITY, NAN, NAN, NAN};
    mt_fit_problem pb = {1, &par, NULL, MT_ERR_ADDITIVE, NAN, NAN, NULL, NULL, 20, 1};
    mt_fit_result *r = NULL;
    const mt_fit_subject *s0 = &d->subjects[0];
    double span = s0->obs[s0->n_obs - 1].time - d->t0;
    if (s0->n_obs <= 50 && s0->n_doses <= 50 && span <= 1e4) {
        st = mt_fit_subject_run(ctx, sim, &pb, d, 0, &r);
        if (st != MT_OK && !one_line(mt_errmsg(ctx)))
            fail("fit error without a one-line message", mt_errmsg(ctx));
        if (st == MT_OK && !r)
            fail("fit success without a result", NULL);
        mt_fit_result_destroy(ctx, r);
    }
    mt_fit_data_destroy(ctx, d);
    return 0;
}
