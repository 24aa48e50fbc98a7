/* SPDX-License-Identifier: Apache-2.0
 * cli/cli.h — shared helpers of the `medtwin` command (argument parsing,
 * CSV output). The CLI contains no modelling logic: it calls the library. */
#ifndef MT_CLI_H
#define MT_CLI_H

#include "medtwin/medtwin.h"

#include <stdio.h>

typedef int (*mt_cmd_fn)(int argc, char **argv);

int mt_cmd_simulate(int argc, char **argv);
int mt_cmd_sbml_test_case(int argc, char **argv);
int mt_cmd_predict(int argc, char **argv);
int mt_cmd_twin(int argc, char **argv);
int mt_cmd_drugs(int argc, char **argv);
int mt_cmd_validate(int argc, char **argv);
int mt_cmd_qualify(int argc, char **argv);
int mt_cmd_fit(int argc, char **argv);
int mt_cmd_fit_study(int argc, char **argv);
int mt_cmd_case_study(int argc, char **argv);
int mt_cmd_dose(int argc, char **argv);
int mt_cmd_cohort(int argc, char **argv);
int mt_cmd_population(int argc, char **argv);
int mt_cmd_serve(int argc, char **argv);
int mt_cmd_token(int argc, char **argv);
int mt_cmd_audit(int argc, char **argv);
int mt_cmd_backup(int argc, char **argv);
int mt_cmd_restore(int argc, char **argv);
int mt_cmd_key(int argc, char **argv);
int mt_cmd_export(int argc, char **argv);
/* `medtwin fit --drug ...` (cli/cmd_mipd.c): the MAP posterior of a population-PK twin. */
int mt_cli_fit_drug(int argc, char **argv);

/* Prints "medtwin: <fmt>" on stderr and returns 1 (the exit status). */
int mt_cli_fail(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
/* `medtwin CMD SUB ...`: -1 to go on when argv[1] is sub and there are at least min_argc
 * arguments (min_argc >= 2); else help is printed (on stdout for --help or -h, then 0; else on
 * stderr, then 2) and that is the exit status. */
int mt_cli_subcommand(int argc, char **argv, int min_argc, const char *sub, const char *help);
/* Strict number parsing: the whole string must be a finite number.
 * Returns 0 on success. */
int mt_cli_parse_double(const char *s, double *out);
int mt_cli_parse_long(const char *s, long *out);
/* Writes a result as CSV with header `time,<ids>` (ids may be NULL: the
 * result's own). Returns 0 on success. */
int mt_cli_write_csv(FILE *f, const mt_result *r, const char *const *ids);
/* Writes path atomically: write(f, arg) fills a temporary file that is
 * renamed over path only when everything succeeded. Returns 0 on success,
 * else prints the error and returns 1. */
typedef int (*mt_cli_writer)(FILE *f, const void *arg);
int mt_cli_write_atomic(const char *path, mt_cli_writer write, const void *arg);
/* The CSV of a result, or a text (a newline added if missing), to path. */
int mt_cli_write_csv_file(const char *path, const mt_result *r, const char *const *ids);
int mt_cli_write_text_file(const char *path, const char *text);
/* Plots every column of r against time (names: legend entries, NULL for the
 * column ids). Errors are printed prefixed by cmd; returns 0 on success. */
int mt_cli_plot(mt_ctx *ctx, const char *cmd, const mt_result *r, const char *path,
                const char *title, const char *xlabel, const char *ylabel,
                const char *const *names);

/* `medtwin simulate MODEL.xml --params TABLE.csv` (cli/cmd_simulate_batch.c): one run of sim
 * (which holds --set, the outputs and the solver settings) per row of the table, the row's
 * cells set by id after --set; every result in one long-format CSV (`row,time,<vars>`, or
 * `id,time,<vars>` with an id column) to out or standard output, and with plot the first
 * output of every row. Nothing is written unless every row succeeded. Returns 0 on success,
 * else prints one error line and returns 1. */
typedef struct {
    const char *model, *table, *out, *plot, *title;
    double t0, t_end;
    long steps;
    int quiet; /* no progress lines */
} mt_cli_batch;
int mt_cli_simulate_batch(mt_ctx *ctx, mt_sim *sim, const mt_cli_batch *b);

#endif
