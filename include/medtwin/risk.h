/* SPDX-License-Identifier: Apache-2.0
 *
 * medtwin/risk.h — effects and risk of a regimen for one person: pharmacogenomic
 * recommendations (CPIC), drug-drug interaction warnings, phenoconversion and exposure
 * outside a card's therapeutic range. Every warning says why and cites its source.
 *
 * The rules are data, read from data_dir/rules/ (docs/risk.md):
 *   pgx_drug.csv         gene, CPIC phenotype, drug -> recommendation, classification, source;
 *   inhibitors.csv       perpetrator drug, enzyme, inhibitor/inducer, strong/moderate/weak,
 *                        source (the FDA classification);
 *   phenoconversion.csv  gene, enzyme, perpetrator strength, phenotype -> effective phenotype,
 *                        source.
 * Genes and phenotypes are checked against the pharmacogenomic tables (data_dir/pgx: the
 * phenotypes the CPIC rules can produce), enzymes against data_dir/enzymes plus "CYP3A", the
 * FDA's name of the subfamily (it matches CYP3A4 and CYP3A5 processes on a card).
 *
 * Evaluation (mt_risk_evaluate), for one person's phenotypes and one regimen's drugs:
 *   1. phenoconversion: a regimen drug that inhibits the gene's enzyme with the strength of a
 *      phenoconversion row turns the gene's phenotype into the row's effective phenotype
 *      (also when the person has no genotype for that gene: the inhibition does not depend on
 *      it); one MT_RISK_PHENOCONVERSION warning per converted gene;
 *   2. pgx: each pgx_drug row whose drug is in the regimen and whose phenotype is the
 *      person's EFFECTIVE phenotype gives a warning (the message says when the phenotype is
 *      the result of phenoconversion);
 *   3. interaction: a regimen drug listed in inhibitors.csv and another regimen drug whose
 *      card has a hepatic process on that enzyme (mt_drugcard_hepatic);
 *   4. exposure: a predicted Cmax above the card's toxic threshold or upper bound, or a
 *      trough below its lower bound (mt_drugcard_therapeutic_range). A drug without a range
 *      on its card gets a note, not a warning.
 *
 * Severity: pgx from the recommendation's action (avoid/alternative: high; reduce_dose/
 * increase_dose: moderate; monitor: low); interaction from the perpetrator's strength
 * (strong: high, moderate: moderate, weak: low); phenoconversion: moderate; exposure: above
 * the toxic threshold high, otherwise moderate.
 *
 * A loaded mt_risk_rules is immutable: threads may evaluate on it at once, each with its own
 * mt_ctx.
 */
#ifndef MEDTWIN_RISK_H
#define MEDTWIN_RISK_H

#include "error.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mt_drugcard mt_drugcard;
typedef struct mt_risk_rules mt_risk_rules;

/* The rule tables, in the order of the `texts` arguments of mt_risk_rules_parse(). */
typedef enum {
    MT_RISK_TABLE_PGX,
    MT_RISK_TABLE_INHIBITORS,
    MT_RISK_TABLE_PHENOCONVERSION
} mt_risk_table;
#define MT_RISK_N_TABLES 3
/* File name of a table in data_dir/rules ("pgx_drug.csv", ...). */
const char *mt_risk_table_file(mt_risk_table t);

/* Loads data_dir/rules/ and the vocabularies it is checked against (data_dir NULL:
 * mt_data_dir()). OUT: *out (mt_risk_rules_destroy), NULL on failure. MT_EIO for an
 * unreadable file; MT_EPARSE naming file:line:column for a missing column, a row without a
 * source, an unknown gene, phenotype, enzyme, action, classification or strength, a
 * malformed drug name or a duplicate row; MT_ENOMEM. */
MT_NODISCARD mt_status mt_risk_rules_load(mt_ctx *ctx, const char *data_dir, mt_risk_rules **out);
/* Same, with the text of some tables given: texts[t] (lens[t] bytes, no NUL needed, named
 * names[t] in messages) replaces data_dir/rules/<file of t>; a NULL texts[t] reads the file.
 * texts, lens and names may be NULL (read every file). The vocabularies are always read from
 * data_dir. */
MT_NODISCARD mt_status mt_risk_rules_parse(mt_ctx *ctx, const char *data_dir,
                                           const char *const *texts, const size_t *lens,
                                           const char *const *names, mt_risk_rules **out);
/* NULL is a no-op. */
void mt_risk_rules_destroy(mt_risk_rules *r);
/* Rows per table (after validation). */
size_t mt_risk_rules_count(const mt_risk_rules *r, mt_risk_table t);

/* The person's derived phenotype of one gene (mt_pgx_call.gene and .phenotype). */
typedef struct {
    const char *gene;
    const char *phenotype;
} mt_risk_phenotype;

/* One drug of the regimen. name: the regimen's drug name (lower case, as the rules spell it);
 * card: its drug card or NULL (no card: no interaction or exposure check for it as victim);
 * cmax, ctrough (mg/L) and auc (mg*h/L): predicted exposure, NaN when not predicted. */
typedef struct {
    const char *name;
    const mt_drugcard *card;
    double cmax, ctrough, auc;
} mt_risk_drug;

typedef enum {
    MT_RISK_PGX,
    MT_RISK_INTERACTION,
    MT_RISK_EXPOSURE,
    MT_RISK_PHENOCONVERSION,
    MT_RISK_MODEL /* a process of the drug's card that the twin does not represent */
} mt_risk_kind;
typedef enum { MT_RISK_LOW, MT_RISK_MODERATE, MT_RISK_HIGH } mt_risk_severity;
/* "pgx", "interaction", "exposure", "phenoconversion", "model"; "low", "moderate", "high". */
const char *mt_risk_kind_name(mt_risk_kind k);
const char *mt_risk_severity_name(mt_risk_severity s);

/* One warning; the strings are owned by the report. */
typedef struct {
    mt_risk_kind kind;
    mt_risk_severity severity;
    char *drug;        /* the drug affected (for phenoconversion: the perpetrator) */
    char *perpetrator; /* interaction and phenoconversion: the perpetrator; else "" */
    char *gene;        /* pgx and phenoconversion: the gene; else "" */
    char *phenotype;   /* pgx: the effective phenotype the rule matched; phenoconversion: the
                          effective phenotype; else "" */
    char *message;     /* why, one line */
    char *source;      /* the rule's source(s) */
} mt_risk_warning;

/* The phenotype a gene has for the rules: by genotype, and after phenoconversion. */
typedef struct {
    char *gene;
    char *genotype_phenotype; /* from the genotype; "" when the person has none for the gene */
    char *effective;          /* what the rules see */
    char *perpetrator;        /* the drug that converted it; "" when not converted */
    char *source;             /* phenoconversion source; "" when not converted */
} mt_risk_effective;

typedef struct {
    size_t n_warnings;
    mt_risk_warning *warnings;
    size_t n_effective; /* every gene given in phenotypes[], and every gene converted */
    mt_risk_effective *effective;
    size_t n_notes; /* what was not checked and why ("omeprazole: no therapeutic range ...") */
    char **notes;
} mt_risk_report;

/* Evaluates the rules (see the top of this file). phenotypes[0..n_phenotypes-1]: one entry
 * per gene (a repeated gene is MT_EINVAL); drugs[0..n_drugs-1]: the regimen (a repeated name
 * is used once). OUT: *out (mt_risk_report_free), empty on failure. MT_EINVAL for NULL or
 * empty names, MT_ENOMEM. Warnings come in the order phenoconversion, pgx, interaction,
 * exposure; within a kind, in the order of the drugs. */
MT_NODISCARD mt_status mt_risk_evaluate(const mt_risk_rules *r, mt_ctx *ctx, size_t n_phenotypes,
                                        const mt_risk_phenotype *phenotypes, size_t n_drugs,
                                        const mt_risk_drug *drugs, mt_risk_report *out);
/* Frees the contents and empties the report; NULL is a no-op. */
void mt_risk_report_free(mt_risk_report *rep);

#ifdef __cplusplus
}
#endif
#endif
