/* SPDX-License-Identifier: Apache-2.0
 *
 * node/sedml.h — the SED-ML subset the repository node accepts as a method (a simulation
 * experiment; docs/resources.md "Methods"). Not installed.
 *
 * Accepted: SED-ML Level 1 (any version) with
 *   - exactly one simulation, a uniformTimeCourse (initialTime <= outputStartTime <
 *     outputEndTime, numberOfPoints 1..100000) with an optional algorithm (kisaoID);
 *   - at most one model (language SBML when given) whose changes are changeAttribute (newValue)
 *     or computeChange/setValue whose math is one number (<cn>), on a parameter's value, a
 *     species' initial amount or concentration or a compartment's size, targeted by XPath
 *     .../sbml:parameter[@id='k']/@value;
 *   - at most one task, referring to that model and that simulation;
 *   - data generators that are plain variable references: one variable (an element
 *     [@id='X'] or the symbol urn:sedml:symbol:time) and math <ci> of that variable;
 *   - reports whose data sets refer to those data generators.
 * Anything else (plots, repeated tasks, unknown elements) is refused with its name. notes and
 * annotation elements are skipped.
 *
 * Security: parsed with libxml2 with no network access (XML_PARSE_NONET), no entity
 * substitution and no DTD loading; a document with a DOCTYPE or an entity declaration is
 * refused before parsing (external entities, billion laughs). At most MT_SEDML_MAX_BYTES.
 */
#ifndef MT_NODE_SEDML_H
#define MT_NODE_SEDML_H

#include "medtwin/error.h"

#include <jansson.h>
#include <stddef.h>

#define MT_SEDML_MAX_BYTES ((size_t)1 << 20)

/* Parses and validates xml (len bytes, no NUL needed). OUT: *out, a JSON summary (json_decref):
 *   {"level": 1, "version": V,
 *    "simulation": {"id", "initial_time", "start", "end", "points", "algorithm"},
 *    "model": {"id", "source"} or null,
 *    "changes": [{"target": "k", "attribute": "value", "value": 2.0}, ...],
 *    "variables": [{"id": dataGenerator id, "target": "C" or "time"}, ...],
 *    "reports": [{"id", "datasets": [{"id", "label", "data": dataGenerator id}]}]}
 * MT_EPARSE with a one-line message naming what is wrong, MT_ELIMIT over the size limit,
 * MT_ENOMEM. */
mt_status mt_sedml_parse(mt_ctx *ctx, const char *xml, size_t len, json_t **out);

#endif
