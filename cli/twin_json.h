/* SPDX-License-Identifier: Apache-2.0
 * cli/twin_json.h — the JSON form of a twin's parameters and facts and of a risk warning,
 * shared by `medtwin predict` (result.json) and `medtwin twin show --json`. */
#ifndef MT_CLI_TWIN_JSON_H
#define MT_CLI_TWIN_JSON_H

#include "medtwin/risk.h"
#include "medtwin/twin.h"

#include <jansson.h>

/* Appends {"key", "value" (null when not a number), "unit", "text", "how"} per fact of l
 * (NULL: nothing) to arr. */
void mt_cli_json_facts(json_t *arr, const mt_twin_param_list *l);
/* Appends {"id", "value", "unit", "provenance"} per parameter of l to arr. */
void mt_cli_json_params(json_t *arr, const mt_twin_param_list *l);
/* {"kind", "severity", "drug", ["perpetrator", "gene", "phenotype" when not empty], "message",
 * "source"}. */
json_t *mt_cli_json_warning(const mt_risk_warning *w);

#endif
