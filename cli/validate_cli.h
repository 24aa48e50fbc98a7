/* SPDX-License-Identifier: Apache-2.0
 *
 * cli/validate_cli.h — private to `medtwin validate` and `medtwin qualify`: shared by
 * cli/cmd_validate.c (the command and the concentration-time datasets), cli/cmd_validate_ddi.c
 * (interaction studies), cli/validate_common.c (the helpers below) and cli/cmd_qualify*.c
 * (every validation set in one report). Not installed.
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
    /* set by `medtwin qualify`: no per-dataset profile plots, no summary line on stdout, and
     * report.md names source_note instead of the input paths (which may be absolute) */
    int embedded;
    const char *source_note;
} mt_vld_args;

/* What every row's simulation shares: the person and the twin tables. */
typedef struct {
    const mt_vld_args *a;
    mt_ctx *ctx;
    mt_twin_tables *tables;
    mt_profile *person;
    double weight_kg;
    const char *person_path; /* as shown in the report */
    /* data/validation/ddi_formulations.csv (interaction runs): the oral formulation a study
     * arm's source states for a drug, by the arm's source_file_row */
    mt_csv *ddi_forms;
} mt_vld_runner;

/* The person (a->patient, default data/validation/reference_adult_male.json) and the twin
 * tables; a->out made when given. 0 or the exit status (message printed); close either way. */
int mt_vld_runner_open(mt_vld_runner *R, const mt_vld_args *a);
void mt_vld_runner_close(mt_vld_runner *R);

/* The two modes; each writes its report under a->out and prints the summary line. Returns
 * the exit status (0, or 1 after printing the error). */
int mt_vld_datasets(mt_vld_runner *R);
int mt_vld_ddi(mt_vld_runner *R);

/* ---- concentration-time datasets, step by step (cli/cmd_validate.c) ---- */
typedef struct {
    char *name, *study, *reference, *molecule, *compartment, *dose_text;
    char drug[64];
    int po;           /* route */
    double dose_mg;   /* NaN until known */
    double dose_time; /* h */
    size_t n_obs;
    double *t, *c, *p; /* observed times (h), observed and predicted concentrations (mg/L) */
    double auc_obs, auc_pred, cmax_obs, cmax_pred, cmax_cont, tmax_obs;
    int predicted;
    int training;    /* the study is one the drug card's fitted values were estimated from */
    char *why;       /* not predicted: the reason */
    size_t n_curve;  /* the predicted curve from the dose to the last observation */
    double *ct, *cc; /* (h, mg/L), for the profile plot */
} mt_vld_dataset;

typedef struct {
    size_t n, cap;
    mt_vld_dataset *d;
} mt_vld_dataset_list;

/* Reads a->observed, a->meta and (if given) a->set into l. 0 or the exit status. */
int mt_vld_datasets_load(mt_vld_runner *R, mt_vld_dataset_list *l);
/* Marks a training study and predicts one dataset in R's person (d->why when it cannot). */
void mt_vld_dataset_run(mt_vld_runner *R, mt_vld_dataset *d);
/* Plots, results.csv and report.md under a->out (when given) and the summary line. */
int mt_vld_datasets_report(mt_vld_runner *R, const mt_vld_dataset_list *l);
void mt_vld_datasets_free(mt_vld_dataset_list *l);

/* Fold summary of the predicted datasets: what 0 AUC, 1 Cmax at the observed times, 2 the
 * continuous Cmax (1 and 2 oral doses only); route -1 any, 0 iv, 1 po; held_out: without the
 * card's training studies. */
void mt_vld_dataset_folds(const mt_vld_dataset_list *l, int what, int route, int held_out,
                          mt_fold_summary *out);

/* ---- interaction studies, step by step (cli/cmd_validate_ddi.c) ---- */
typedef struct {
    char *row_id, *study, *victim_name, *perp_name, *mechanism, *victim_desc, *perp_desc;
    char victim[64], perp[64];
    double t0, t1; /* AUC window (h, t1 may be +Inf) */
    double aucr_obs, cmaxr_obs, aucr_pred, cmaxr_pred;
    int predicted;
    int left_out; /* not comparable by the method (urine rows, other compartments) */
    int urine;    /* a urine row (its 'AUCR' is 1/(renal clearance ratio)): left out of the
                     plasma figures; compared when aucr_pred is finite (the twin's urine amount) */
    int training; /* the arm's study is in the victim's or the perpetrator's card's
                     training_data: reported, left out of the figures */
    char *why;
} mt_vld_ddi_row;

/* Reads a->ddi and predicts every arm. OUT: *rows (mt_vld_ddi_rows_free), *n. */
int mt_vld_ddi_run(mt_vld_runner *R, mt_vld_ddi_row **rows, size_t *n);
/* Guest plots, results.csv and report.md under a->out (when given) and the summary line. */
int mt_vld_ddi_report(mt_vld_runner *R, const mt_vld_ddi_row *rows, size_t n);
void mt_vld_ddi_rows_free(mt_vld_ddi_row *rows, size_t n);

/* Summary of the arms whose mechanism is mechanism (NULL: all). The folds and Guest counts are
 * over the predicted arms that are not training arms (n_pred - n_training of them). */
typedef struct {
    size_t n_rows, n_pred, n_left_out, n_training;
    mt_fold_summary aucr, cmaxr;
    size_t aucr_guest, aucr_guest_n, cmaxr_guest, cmaxr_guest_n;
    /* the urine rows compared as 1/(renal clearance ratio), not of a training study */
    mt_fold_summary urine;
    size_t urine_guest, urine_guest_n;
} mt_vld_ddi_summary;
void mt_vld_ddi_summarise(const mt_vld_ddi_row *rows, size_t n, const char *mechanism,
                          mt_vld_ddi_summary *s);
/* The mechanisms of the table, in the order reported (the last entry is NULL). */
extern const char *const mt_vld_mechanisms[4];

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

/* The title and "Generated by" line of a report.md: from (the command and its inputs) unless
 * the run has a source_note; the method link relative to the report. */
void mt_vld_report_head(FILE *g, const mt_vld_runner *R, const char *title, const char *from);
/* A Markdown summary row of a fold summary. */
void mt_vld_summary_md(FILE *f, const char *what, const mt_fold_summary *s);
/* Reference curves of an observed-vs-predicted plot: unity, 1.25- and 2-fold (c[5]; lx[2] and
 * y[10] hold their points). */
void mt_vld_fold_curves(mt_plot_curve *c, double *lx, double *y);

#endif
