/* SPDX-License-Identifier: Apache-2.0
 *
 * cli/qualify_cli.h — private to `medtwin qualify` (cli/cmd_qualify.c: the command, the runs,
 * the figures and the floors; cli/cmd_qualify_html.c: index.html). Not installed.
 */
#ifndef MT_CLI_QUALIFY_H
#define MT_CLI_QUALIFY_H

#include "validate_cli.h"

/* One figure of the run (summary.csv; what --check compares with the floors). */
typedef struct {
    char set[48], figure[64];
    double value; /* NaN: not computed (no rows) */
    size_t n;     /* rows behind it */
} mt_qfy_figure;

/* A covariate or genotype arm: a dataset of the observed data predicted in a person made
 * from the study's stated covariates (data/qualification/covariate_arms.csv). */
typedef struct {
    char *dataset, *comparison, *arm, *reference_arm, *covariates, *source;
    char *person_json; /* the person, as given to the twin */
    char *gene;        /* the genotype's gene ("" if none) */
    int gene_on_card;  /* 1 if the drug card names the gene (pgx), 0 if not, -1 unknown */
} mt_qfy_arm;

/* One validation set of data/qualification/sets.csv: kind "datasets" (concentration-time
 * datasets, `medtwin validate --observed`), "ddi" (interaction study arms, `--ddi`) or "arms"
 * (datasets predicted each in its own person, covariate_arms.csv format). */
typedef enum { MT_QFY_DATASETS, MT_QFY_DDI, MT_QFY_ARMS } mt_qfy_kind;

typedef struct {
    char *name, *title, *input; /* input: the list, table or arms file used (full or reduced) */
    mt_qfy_kind kind;
    char *observed, *meta; /* datasets and arms */
    mt_vld_dataset_list l; /* datasets and arms: the results */
    mt_vld_ddi_row *ddi;   /* ddi: the results */
    size_t n_ddi;
    mt_qfy_arm *arms;
    size_t n_arms;
} mt_qfy_set;

typedef struct {
    const char *out, *data, *check;
    int reduced, quiet;
    mt_qfy_set *sets;
    size_t n_sets;
    mt_qfy_figure *fig;
    size_t n_fig;
} mt_qfy_run;

/* Writes DIR/index.html from the finished run; stamp is the one line that may differ between
 * two runs (the time). 0 or the exit status. */
int mt_qfy_write_html(const mt_qfy_run *q, const char *stamp);
/* The figure (set, figure), NULL if the run has none. */
const mt_qfy_figure *mt_qfy_find(const mt_qfy_run *q, const char *set, const char *figure);
/* The dataset of an arms set by name (NULL if not loaded). */
const mt_vld_dataset *mt_qfy_arm_dataset(const mt_qfy_set *s, const char *dataset);

#endif
