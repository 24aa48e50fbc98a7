/* SPDX-License-Identifier: Apache-2.0
 * cli/twin_show.h — `medtwin twin show`: what the twin derived from a patient (see
 * cli/cmd_twin_show.c). argv[0] is "show"; returns the exit status. */
#ifndef MT_CLI_TWIN_SHOW_H
#define MT_CLI_TWIN_SHOW_H

int mt_cmd_twin_show(int argc, char **argv);

#endif
