/* SPDX-License-Identifier: Apache-2.0
 *
 * tests/fuzz/fuzz_pgx.c — libFuzzer target for the diplotype parser and the
 * CPIC rules (mt_pgx_phenotype(), twin/pgx.c).
 *
 * Input: "GENE\nDIPLOTYPE", split at the first newline. Without a newline
 * the first byte picks a supported gene (modulo their number) and the rest
 * is the diplotype, so that most inputs reach the allele parser. The tables
 * (data/pgx, found through mt_data_dir()) are loaded once per process.
 *
 * Checked on every input (a violation aborts):
 *   failure: MT_EINVAL or MT_ENOTFOUND, a one-line message, a cleared call;
 *   success: gene, alleles, functions and phenotype non-empty; each activity
 *     NaN or finite >= 0; the score NaN or the sum of the two activities;
 *     the call re-derived from its own normalised alleles, in both orders,
 *     gives the same alleles, phenotype and score (normalising is
 *     idempotent and allele order does not matter).
 */
#include "medtwin/pgx.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INPUT 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static mt_pgx *tables(void)
{
    static mt_ctx *ctx;
    static mt_pgx *p;
    if (!p) {
        if (mt_ctx_create(&ctx) != MT_OK || mt_pgx_load(ctx, NULL, &p) != MT_OK) {
            fprintf(stderr, "fuzz_pgx: cannot load data/pgx: %s\n", mt_errmsg(ctx));
            abort();
        }
    }
    return p;
}

static int same(double a, double b) { return (isnan(a) && isnan(b)) || fabs(a - b) < 1e-9; }

static void check_failure(const mt_ctx *ctx, mt_status st, const mt_pgx_call *c)
{
    const char *msg = mt_errmsg(ctx);
    if ((st != MT_EINVAL && st != MT_ENOTFOUND) || !msg[0] || strchr(msg, '\n') ||
        c->phenotype[0] || c->allele[0][0] || !isnan(c->activity_score)) {
        fprintf(stderr, "fuzz_pgx: failure %s with message '%s' or a call not cleared\n",
                mt_strerror(st), msg);
        abort();
    }
}

static void check_call(const mt_pgx_call *c)
{
    int ok = c->gene[0] && c->phenotype[0] && c->rule[0];
    for (int i = 0; i < 2; i++)
        ok = ok && c->allele[i][0] && c->function[i][0] &&
             (isnan(c->activity[i]) || (isfinite(c->activity[i]) && c->activity[i] >= 0));
    if (ok && !isnan(c->activity_score))
        ok = same(c->activity_score, c->activity[0] + c->activity[1]);
    if (!ok) {
        fprintf(stderr, "fuzz_pgx: inconsistent call %s %s/%s -> %s (%g)\n", c->gene, c->allele[0],
                c->allele[1], c->phenotype, c->activity_score);
        abort();
    }
}

/* The call again from its normalised alleles, in order `swap`. */
static void check_again(const mt_pgx *p, mt_ctx *ctx, const mt_pgx_call *c, int swap)
{
    char dip[2 * MT_PGX_TEXT + 2];
    mt_pgx_call d;
    snprintf(dip, sizeof dip, "%s/%s", c->allele[swap], c->allele[!swap]);
    mt_status st = mt_pgx_phenotype(p, ctx, c->gene, dip, &d);
    if (st != MT_OK || strcmp(d.phenotype, c->phenotype) != 0 ||
        strcmp(d.allele[0], c->allele[swap]) != 0 || strcmp(d.allele[1], c->allele[!swap]) != 0 ||
        !same(d.activity_score, c->activity_score)) {
        fprintf(stderr, "fuzz_pgx: %s '%s' -> %s '%s', first call %s\n", c->gene, dip,
                mt_strerror(st), st == MT_OK ? d.phenotype : mt_errmsg(ctx), c->phenotype);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0 || size > MAX_INPUT)
        return 0;
    const mt_pgx *p = tables();
    char *buf = malloc(size + 1);
    mt_ctx *ctx = NULL;
    if (!buf || mt_ctx_create(&ctx) != MT_OK) {
        free(buf);
        return 0;
    }
    memcpy(buf, data, size);
    buf[size] = '\0';
    const char *gene, *dip;
    char *nl = memchr(buf, '\n', size);
    if (nl) {
        *nl = '\0';
        gene = buf;
        dip = nl + 1;
    } else {
        gene = mt_pgx_gene(p, (unsigned char)buf[0] % mt_pgx_n_genes(p));
        dip = buf + 1;
    }
    mt_pgx_call c;
    mt_status st = mt_pgx_phenotype(p, ctx, gene, dip, &c);
    if (st != MT_OK) {
        check_failure(ctx, st, &c);
    } else {
        check_call(&c);
        check_again(p, ctx, &c, 0);
        check_again(p, ctx, &c, 1);
    }
    mt_ctx_destroy(ctx);
    free(buf);
    return 0;
}
