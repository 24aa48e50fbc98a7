/* SPDX-License-Identifier: Apache-2.0
 *
 * tests/fuzz/fuzz_tissue.c — libFuzzer target for the tissue composition tables of
 * data/tissue/ (mt_partition_tables_load_species(), twin/partition.c) and the four partition
 * methods and two blood:plasma predictions evaluated on whatever loads.
 *
 * Input: the text of a table (written to a private folder as tissue/human.csv, the loader
 * reads files).
 *
 * Checked on every input (a violation aborts):
 *   loading fails: MT_EIO, MT_EPARSE, MT_ELIMIT or MT_ENOMEM, a one-line message, no table;
 *   loading succeeds: for four drugs (neutral, acid, strong base with and without B:P) and each
 *     method, MT_OK with every Kp finite and > 0, or MT_EINVAL / MT_EUNSUPPORTED with a
 *     one-line message and every Kp NaN; the same for both B:P predictions (B:P finite and > 0
 *     on success, NaN on failure).
 */
#define _POSIX_C_SOURCE 200809L
#include "medtwin/partition.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_INPUT 262144

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz_tissue: %s: %s\n", what, detail ? detail : "");
    abort();
}

static char g_dir[256], g_file[320];

static void setup(void)
{
    if (g_dir[0])
        return;
    const char *tmp = getenv("TMPDIR");
    snprintf(g_dir, sizeof g_dir, "%s/mt_fuzz_tissue_%ld", tmp && *tmp ? tmp : "/tmp",
             (long)getpid());
    char sub[280];
    snprintf(sub, sizeof sub, "%s/tissue", g_dir);
    if ((mkdir(g_dir, 0700) != 0 && access(g_dir, W_OK) != 0) ||
        (mkdir(sub, 0700) != 0 && access(sub, W_OK) != 0))
        fail("cannot create", sub);
    snprintf(g_file, sizeof g_file, "%s/human.csv", sub);
}

static void one_line(mt_ctx *ctx, const char *what)
{
    const char *m = mt_errmsg(ctx);
    if (!m || !*m || strchr(m, '\n'))
        fail(what, m ? m : "(no message)");
}

static void drug(mt_kp_drug *d, int k)
{
    mt_kp_drug_init(d);
    d->logp = k == 0 ? 2.0 : k == 1 ? 1.5 : 3.2;
    d->fu_plasma = k == 0 ? 0.3 : 0.05 + 0.1 * k;
    if (k >= 1) {
        d->n_pka = 1;
        d->pka[0] = k == 1 ? 4.2 : 9.1;
        d->pka_type[0] = k == 1 ? MT_KP_PKA_ACID : MT_KP_PKA_BASE;
    }
    if (k == 3)
        d->blood_plasma_ratio = 1.4;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_INPUT)
        return 0;
    setup();
    FILE *f = fopen(g_file, "wb");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
        fail("cannot write", g_file);
    mt_ctx *ctx = NULL;
    if (mt_ctx_create(&ctx) != MT_OK)
        fail("no context", NULL);
    mt_partition_tables *t = NULL;
    mt_status st = mt_partition_tables_load_species(ctx, g_dir, "human", &t);
    if (st != MT_OK) {
        if (t)
            fail("a table on failure", mt_errmsg(ctx));
        if (st != MT_EIO && st != MT_EPARSE && st != MT_ELIMIT && st != MT_ENOMEM)
            fail("unexpected load status", mt_errmsg(ctx));
        one_line(ctx, "load message");
        mt_ctx_destroy(ctx);
        return 0;
    }
    static const mt_kp_method methods[] = {MT_KP_RODGERS_ROWLAND, MT_KP_POULIN_THEIL,
                                           MT_KP_BEREZHKOVSKIY, MT_KP_SCHMITT};
    for (int k = 0; k < 4; k++) {
        mt_kp_drug d;
        drug(&d, k);
        for (size_t m = 0; m < sizeof methods / sizeof methods[0]; m++) {
            double kp[MT_KP_N_ORGANS];
            mt_kp_detail det;
            st = mt_partition_kp(t, ctx, methods[m], &d, NULL, kp, &det);
            for (int o = 0; o < MT_KP_N_ORGANS; o++) {
                if (st == MT_OK && !(isfinite(kp[o]) && kp[o] > 0))
                    fail("Kp not finite and positive", mt_partition_organ((size_t)o));
                if (st != MT_OK && !isnan(kp[o]))
                    fail("Kp set on failure", mt_partition_organ((size_t)o));
            }
            if (st != MT_OK) {
                if (st != MT_EINVAL && st != MT_EUNSUPPORTED)
                    fail("unexpected Kp status", mt_errmsg(ctx));
                one_line(ctx, "Kp message");
            }
        }
        for (int b = 0; b < 2; b++) {
            double bp = 0;
            st = b ? mt_partition_bp_schmitt(t, ctx, &d, NAN, &bp, NULL)
                   : mt_partition_bp(t, ctx, &d, NAN, &bp, NULL);
            if (st == MT_OK && !(isfinite(bp) && bp > 0))
                fail("B:P not finite and positive", b ? "schmitt" : "rodgers_rowland");
            if (st != MT_OK) {
                if (!isnan(bp))
                    fail("B:P set on failure", b ? "schmitt" : "rodgers_rowland");
                if (st != MT_EINVAL && st != MT_EUNSUPPORTED)
                    fail("unexpected B:P status", mt_errmsg(ctx));
                one_line(ctx, "B:P message");
            }
        }
    }
    mt_partition_tables_destroy(t);
    mt_ctx_destroy(ctx);
    return 0;
}
