/* SPDX-License-Identifier: Apache-2.0
 *
 * medtwin/model.h — loading a mechanistic model (SBML Level 2/3, with the
 * comp package flattened on import) into medtwin's model IR, and inspecting
 * its symbols.
 *
 * A model is immutable once loaded, and may be shared between threads. Its
 * symbols are numbered 0..n-1 in document order (compartments, species,
 * parameters, reactions, species references with an id).
 */
#ifndef MEDTWIN_MODEL_H
#define MEDTWIN_MODEL_H

#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mt_model mt_model;

typedef enum {
    MT_SYM_COMPARTMENT,
    MT_SYM_SPECIES,
    MT_SYM_PARAMETER,
    MT_SYM_REACTION,
    MT_SYM_SPECIES_REF,
    MT_SYM_HIDDEN /* internal: local parameters, amounts of species */
} mt_symbol_kind;

/* Loads an SBML file. Relative external model definitions (comp) are
 * resolved against the file's folder. Consistency errors are reported with
 * their line numbers in mt_errmsg(); constructs the engine cannot simulate
 * exactly are refused with MT_EUNSUPPORTED and "unsupported: <what>".
 * OUT: *out, owned by the caller (mt_model_destroy). */
MT_NODISCARD mt_status mt_model_load_file(mt_ctx *ctx, const char *path, mt_model **out);
/* Same, from a string of len bytes; base_dir (may be NULL) resolves
 * external model definitions. */
MT_NODISCARD mt_status mt_model_load_string(mt_ctx *ctx, const char *xml, size_t len,
                                            const char *base_dir, mt_model **out);
void mt_model_destroy(mt_model *m);

/* Writes m as SBML Level 3 Version 2 text: every slot as a compartment,
 * species or parameter, states as rate rules, rules (reaction rates too) as
 * assignment rules, events in full. n_over (id, value) pairs replace
 * initial values. OUT: *xml_out, a NUL-terminated string released with
 * free(). MT_ENOTFOUND for an unknown override id. */
MT_NODISCARD mt_status mt_model_export_sbml(mt_ctx *ctx, const mt_model *m, size_t n_over,
                                            const char *const *over_ids, const double *over_vals,
                                            char **xml_out);

/* The model's id ("" if none). Borrowed, valid while m lives. */
const char *mt_model_id(const mt_model *m);
/* Number of public symbols (hidden internal symbols are not counted). */
size_t mt_model_n_symbols(const mt_model *m);
/* Id and kind of symbol i (i < mt_model_n_symbols). Borrowed. */
const char *mt_model_symbol_id(const mt_model *m, size_t i);
mt_symbol_kind mt_model_symbol_kind(const mt_model *m, size_t i);
/* Finds a public symbol by id. OUT: *index. MT_ENOTFOUND if absent. */
MT_NODISCARD mt_status mt_model_find(const mt_model *m, const char *id, size_t *index);
/* Number of state variables (ODEs) the model integrates. */
size_t mt_model_n_states(const mt_model *m);
/* Number of events. */
size_t mt_model_n_events(const mt_model *m);

#ifdef __cplusplus
}
#endif
#endif
