/* SPDX-License-Identifier: Apache-2.0
 * cli/twin_json.c — see twin_json.h. */
#include "twin_json.h"

#include <math.h>

void mt_cli_json_facts(json_t *arr, const mt_twin_param_list *l)
{
    for (size_t i = 0; l && i < l->n_facts; i++) {
        const mt_twin_fact *f = &l->facts[i];
        json_t *o = json_object();
        json_object_set_new(o, "key", json_string(f->key));
        json_object_set_new(o, "value", isfinite(f->value) ? json_real(f->value) : json_null());
        json_object_set_new(o, "unit", json_string(f->unit));
        json_object_set_new(o, "text", json_string(f->text));
        json_object_set_new(o, "how", json_string(f->how));
        json_array_append_new(arr, o);
    }
}

void mt_cli_json_params(json_t *arr, const mt_twin_param_list *l)
{
    for (size_t i = 0; l && i < l->n_params; i++) {
        const mt_twin_param *p = &l->params[i];
        json_t *o = json_object();
        json_object_set_new(o, "id", json_string(p->id));
        json_object_set_new(o, "value", json_real(p->value));
        json_object_set_new(o, "unit", json_string(p->unit));
        json_object_set_new(o, "provenance", json_string(p->provenance));
        json_array_append_new(arr, o);
    }
}

json_t *mt_cli_json_warning(const mt_risk_warning *w)
{
    json_t *x = json_object();
    json_object_set_new(x, "kind", json_string(mt_risk_kind_name(w->kind)));
    json_object_set_new(x, "severity", json_string(mt_risk_severity_name(w->severity)));
    json_object_set_new(x, "drug", json_string(w->drug));
    if (w->perpetrator[0])
        json_object_set_new(x, "perpetrator", json_string(w->perpetrator));
    if (w->gene[0])
        json_object_set_new(x, "gene", json_string(w->gene));
    if (w->phenotype[0])
        json_object_set_new(x, "phenotype", json_string(w->phenotype));
    json_object_set_new(x, "message", json_string(w->message));
    json_object_set_new(x, "source", json_string(w->source));
    return x;
}
