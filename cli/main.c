/* SPDX-License-Identifier: Apache-2.0
 *
 * cli/main.c — the `medtwin` command: a table of sub-commands, each a thin
 * client of the library (include/medtwin/). Exit status 0 on success, 1 on
 * bad input or a failed run, 2 on a usage error.
 */
#include "cli.h"

#include <string.h>

typedef struct {
    const char *name;
    mt_cmd_fn fn;
    const char *summary;
} command;

static const command commands[] = {
    {"simulate", mt_cmd_simulate, "simulate an SBML model; write CSV and a plot"},
    {"predict", mt_cmd_predict,
     "predict a person's exposure to a regimen with a whole-body PBPK twin"},
    {"drugs", mt_cmd_drugs, "list the drug card library (data/drugs) and what each card holds"},
    {"fit", mt_cmd_fit,
     "fit model parameters to measurements: least squares, likelihood, Bayesian MAP"},
    {"fit-study", mt_cmd_fit_study, "simulation-estimation study of MAP fits on a poppk card"},
    {"case-study", mt_cmd_case_study, "the vancomycin and warfarin dosing case studies (docs/)"},
    {"dose", mt_cmd_dose,
     "recommend the regimen most likely to reach a target (AUC24, trough, peak, INR)"},
    {"validate", mt_cmd_validate,
     "simulate clinical datasets and interaction studies; fold errors, Guest criterion"},
    {"qualify", mt_cmd_qualify,
     "run every shipped validation set: HTML report, plots, CSV; --check against floors"},
    {"cohort", mt_cmd_cohort, "draw a virtual cohort of patient profiles (JSON lines)"},
    {"population", mt_cmd_population,
     "give a regimen to a virtual population (threads, MPI); percentiles and warnings"},
    {"serve", mt_cmd_serve, "run the repository node: the JSON API under /api/v1/"},
    {"token", mt_cmd_token, "token create: an API token for the repository node"},
    {"audit", mt_cmd_audit, "audit verify: check the node's signed audit log of personal data"},
    {"backup", mt_cmd_backup, "a consistent backup of the node's store (SQLite or PostgreSQL)"},
    {"restore", mt_cmd_restore, "restore a backup into an empty store"},
    {"key", mt_cmd_key, "key rotate: re-wrap the node's keys under a new node key"},
    {"export", mt_cmd_export, "export verify: check a node's signed export (federation)"},
    {"twin", mt_cmd_twin,
     "twin export: a twin's PBPK model as SBML; twin show: a person's twin, explained"},
    {"sbml-test-case", mt_cmd_sbml_test_case,
     "run one SBML Test Suite case (SBML Test Runner wrapper convention)"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: medtwin <command> [options]\n"
               "       medtwin --help | --version\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-16s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\n`medtwin <command> --help` describes a command.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
        printf("medtwin %s\n", mt_version());
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].fn(argc - 1, argv + 1);
    mt_cli_fail("unknown command '%s' (see medtwin --help)", argv[1]);
    return 2;
}
