/* SPDX-License-Identifier: Apache-2.0
 *
 * medtwin/pgx.h — pharmacogenomic phenotypes derived from a diplotype by the
 * CPIC rule of each gene.
 *
 * Nothing here looks a diplotype up: each allele's function and activity
 * value come from CPIC's allele table, and the phenotype follows from them by
 * the gene's rule (data/pgx/pgx_gene_rules.csv): an activity score (sum of the
 * two allele activity values) placed in CPIC's bins (CYP2D6, CYP2C9, DPYD), or
 * the unordered pair of allele functions mapped to CPIC's phenotype term
 * (CYP2C19, CYP3A5, SLCO1B1, TPMT, UGT1A1; VKORC1 gives its rs9923231
 * genotype). CYP2D6 copy-number alleles ("*1x2", "*4x2", "*1x≥3", "*2xN") are
 * valued copies x value. docs/pgx.md states each rule and its source.
 *
 * An mt_pgx is immutable once loaded: any number of threads may call
 * mt_pgx_phenotype() on it at once, each with its own mt_ctx.
 */
#ifndef MEDTWIN_PGX_H
#define MEDTWIN_PGX_H

#include "error.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mt_pgx mt_pgx;

/* Size of the text fields of mt_pgx_call (with the terminating NUL). */
#define MT_PGX_TEXT 64
#define MT_PGX_RULE_TEXT 256

/* One derived call. Caller-owned storage; every text is NUL-terminated. */
typedef struct {
    char gene[MT_PGX_TEXT];        /* canonical symbol, "CYP2D6" */
    char allele[2][MT_PGX_TEXT];   /* as CPIC spells them, input order;
                                      copy numbers kept: "*1x2", "*2xN" */
    char function[2][MT_PGX_TEXT]; /* CPIC allele function, "No function";
                                      "Indeterminate" for a copy-number
                                      allele whose class depends on the
                                      unknown count */
    double activity[2];            /* activity value, copies applied; NaN
                                      where CPIC gives none */
    int activity_at_least[2];      /* 1: a lower bound ("*1x≥3", "*2xN") */
    double activity_score;         /* sum; NaN where the gene has none or
                                      an allele has no value */
    int activity_score_at_least;   /* 1: activity_score is a lower bound */
    char phenotype[MT_PGX_TEXT];   /* CPIC term, "Poor Metabolizer",
                                      "Decreased Function", "-1639 AG" */
    char rule[MT_PGX_RULE_TEXT];   /* the rule used, short text */
} mt_pgx_call;

/* Loads the allele table and the rules from data_dir/pgx/ (data_dir NULL:
 * mt_data_dir()). Checks that the rules cover every allele: a missing bin,
 * function pair or activity value is an error here, not at call time.
 * ctx must outlive the handle. OUT: *out, NULL on failure. MT_EIO if a file
 * is unreadable, MT_EPARSE (naming file and row) for a bad or incomplete
 * table, MT_ENOMEM. */
MT_NODISCARD mt_status mt_pgx_load(mt_ctx *ctx, const char *data_dir, mt_pgx **out);
/* Frees the handle; NULL is a no-op. */
void mt_pgx_destroy(mt_pgx *p);

/* Supported genes, in the order of the rules file. Borrowed, valid while p
 * lives; i < mt_pgx_n_genes(p). */
size_t mt_pgx_n_genes(const mt_pgx *p);
const char *mt_pgx_gene(const mt_pgx *p, size_t i);

/* Derives the phenotype of gene (case-insensitive) for diplotype "A/B":
 * allele order is irrelevant, whitespace around and within alleles is
 * tolerated, allele names match CPIC's spelling case-insensitively. CYP2D6
 * alleles may carry a copy number: "x2", "x3", ... (exact copies), "x≥3" or
 * "x>=3" (three or more), "xN" (two or more, count unknown).
 * OUT: *out (cleared on failure). Errors, with the message on ctx:
 *   MT_ENOTFOUND  unknown gene ("unknown gene 'X' (supported: ...)") or
 *                 allele ("CYP2C19: unknown allele '*99'");
 *   MT_EINVAL     malformed text: not two alleles, an empty allele, a star
 *                 allele without '*', a copy number of 0 or above 20, NULL. */
MT_NODISCARD mt_status mt_pgx_phenotype(const mt_pgx *p, mt_ctx *ctx, const char *gene,
                                        const char *diplotype, mt_pgx_call *out);

#ifdef __cplusplus
}
#endif
#endif
