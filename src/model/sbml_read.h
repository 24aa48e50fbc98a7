/* SPDX-License-Identifier: Apache-2.0
 * model/sbml_read.h — the guarded SBML file reader shared by the importer and
 * the flux-balance reader (private; the only header that exposes libSBML types). */
#ifndef MT_SBML_READ_H
#define MT_SBML_READ_H

#include "util/util.h"

#include <sbml/SBMLTypes.h>

/* Reads path with libSBML after the checks that protect it from hostile
 * text (element nesting, entity declarations, a root namespace that does
 * not match level/version), and records the file's absolute location so
 * relative external references resolve. OUT: *out (SBMLDocument_free).
 * Errors name the file and what is wrong. */
MT_NODISCARD mt_status mt_sbml_open(mt_ctx *ctx, const char *path, SBMLDocument_t **out);

/* MT_ESBML with the first three errors (line numbers included) of d's error
 * log, prefixed by `what`, if the log holds an error or a fatal error;
 * MT_OK otherwise (warnings are advice). */
MT_NODISCARD mt_status mt_sbml_errors(mt_ctx *ctx, SBMLDocument_t *d, const char *what);

#endif
