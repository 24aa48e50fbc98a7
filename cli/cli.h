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

/* Prints "medtwin: <fmt>" on stderr and returns 1 (the exit status). */
int mt_cli_fail(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
/* Strict number parsing: the whole string must be a finite number.
 * Returns 0 on success. */
int mt_cli_parse_double(const char *s, double *out);
int mt_cli_parse_long(const char *s, long *out);
/* Writes a result as CSV with header `time,<ids>` (ids may be NULL: the
 * result's own). Returns 0 on success. */
int mt_cli_write_csv(FILE *f, const mt_result *r, const char *const *ids);
/* Writes the CSV to path (atomically: a temporary file renamed). */
int mt_cli_write_csv_file(const char *path, const mt_result *r, const char *const *ids);

#endif
