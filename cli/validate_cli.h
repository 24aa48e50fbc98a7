/* SPDX-License-Identifier: Apache-2.0
 *
 * cli/validate_cli.h — private to `medtwin validate`: shared by cli/cmd_validate.c (the
 * command and the concentration-time datasets), cli/cmd_validate_ddi.c (interaction studies)
 * and cli/validate_common.c (the helpers below). Not installed.
 */
#ifndef MT_CLI_VALIDATE_H
#define MT_CLI_VALIDATE_H

#include "medtwin/csv.h"
#include "medtwin/plot.h"
#include "medtwin/predict.h"
#include "medtwin/profile.h"
#include "medtwin/twin.h"
#include "medtwin/validate.h"

#include <stdio.h>

typedef struct {
    const char *observed, *meta, *set, *ddi, *patient, *out;
    int quiet;
} mt_vld_args;

/* What every row's simulation shares: the person and the twin tables. */
typedef struct {
    const mt_vld_args *a;
    mt_ctx *ctx;
    mt_twin_tables *tables;
    mt_profile *person;
    double weight_kg;
    const char *person_path; /* as shown in the report */
} mt_vld_runner;

/* The two modes; each writes its report under a->out and prints the summary line. Returns
 * the exit status (0, or 1 after printing the error). */
int mt_vld_datasets(mt_vld_runner *R);
int mt_vld_ddi(mt_vld_runner *R);

/* Output intervals of a run to until_h: GRID_H apart (an IV bolus peak falls within minutes:
 * the trapezoids of a one-minute grid overstate its area by about 1%), at most GRID_MAX. */
#define MT_VLD_GRID_H 0.005
#define MT_VLD_GRID_MAX 2000000L
long mt_vld_grid_steps(double until_h);

/* A one-drug or two-drug twin with the hepatic interactions the cards describe, its values
 * derived from the person; NULL with *why (allocated) the twin's message when it cannot be
 * built. */
mt_predictor *mt_vld_predictor(mt_vld_runner *R, size_t n, const mt_regimen *reg, char **why);
/* A regimen of n doses of one drug (r cleared with mt_regimen_clear). -1 out of memory. */
int mt_vld_regimen(mt_regimen *r, const char *drug, mt_dose_route route, size_t n,
                   const double *times, const double *amounts);

/* Drug card name of a molecule name (lower case, ' ' and '-' as '_'); 0 if it cannot be one. */
int mt_vld_card_name(const char *molecule, char *out, size_t cap);
/* ASCII case-insensitive equality. */
int mt_vld_ieq(const char *a, const char *b);
/* Column index; for a column that is absent -1, and (first time) *rc set by a message naming
 * opt, the file and the column. */
int mt_vld_need_col(const mt_csv *t, const char *file, const char *opt, const char *name, int *rc);
/* Cell text ("" for col < 0). */
const char *mt_vld_cell(const mt_csv *t, size_t row, int col);
/* A number from a cell; NaN for "" or text. */
double mt_vld_num(const char *s);
/* A ';'-separated list of numbers: the count (0 for ""), -1 for a bad item or more than cap. */
long mt_vld_num_list(const char *s, double *out, size_t cap);
/* Allocating string helpers; out of memory ends the process with a message (the CLI only). */
char *mt_vld_strdup(const char *s);
char *mt_vld_printf(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
/* CSV field (quoted when needed), number (empty when not finite), Markdown cell text. */
void mt_vld_csv_str(FILE *f, const char *s);
void mt_vld_csv_num(FILE *f, double v);
void mt_vld_md_str(FILE *f, const char *s);
/* "%.4g", or "–" when not finite. */
const char *mt_vld_fmt(char *buf, size_t cap, double v);

/* --out DIR: made if missing; a file written atomically inside it. 0 or the exit status. */
int mt_vld_make_dir(const char *dir);
int mt_vld_write_file(const char *dir, const char *name, const char *text);

/* Reasons of the rows not predicted, shortened to the drugs and card fields they name and
 * counted, numbered R1, R2, ... in order of first appearance. */
typedef struct {
    size_t n;
    char *reason[512];
    char *example[512]; /* the first full message */
    size_t count[512];
} mt_vld_tally;
/* Adds a reason; returns its number (1-based; 0 past 512 distinct reasons). */
size_t mt_vld_tally_add(mt_vld_tally *t, const char *why);
void mt_vld_tally_write(FILE *f, const mt_vld_tally *t);
void mt_vld_tally_free(mt_vld_tally *t);

/* The reasons of the not-predicted rows (their numbers R1, R2, ...) as Markdown; frees t. */
void mt_vld_reasons_md(FILE *g, mt_vld_tally *t);
/* Writes results.csv and report.md under out from the finished memory streams (ok: both
 * streams were opened); frees csv and md. Returns the exit status. */
int mt_vld_write_reports(const char *out, int ok, char *csv, char *md);

/* A Markdown summary row of a fold summary. */
void mt_vld_summary_md(FILE *f, const char *what, const mt_fold_summary *s);
/* Reference curves of an observed-vs-predicted plot: unity, 1.25- and 2-fold (c[5]; lx[2] and
 * y[10] hold their points). */
void mt_vld_fold_curves(mt_plot_curve *c, double *lx, double *y);

#endif
