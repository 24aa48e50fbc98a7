/* SPDX-License-Identifier: Apache-2.0
 *
 * medtwin/fba.h — flux balance analysis: a steady-state metabolic network
 * (stoichiometric matrix S, flux bounds lb <= v <= ub) and a linear
 * objective c, solved as the linear programme
 *
 *     maximise (or minimise)  c . v   subject to  S v = 0,  lb <= v <= ub
 *
 * with GLPK's simplex method. A problem is either read from an SBML file
 * that uses the flux balance constraints package (fbc, versions 1 and 2:
 * mt_fba_load_file) or built by hand (mt_fba_create and the add/set calls).
 * See docs/fba.md for the bounds conventions and what is refused.
 *
 * An mt_fba is not thread-safe: use one per thread. It keeps the context it
 * was created with for allocation and for the messages of the calls that
 * take no context.
 */
#ifndef MEDTWIN_FBA_H
#define MEDTWIN_FBA_H

#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mt_fba mt_fba;

typedef enum { MT_FBA_MAXIMIZE = 0, MT_FBA_MINIMIZE = 1 } mt_fba_sense;

/* What the last mt_fba_solve found. */
typedef enum {
    MT_FBA_UNSOLVED = 0, /* not solved yet, or changed since */
    MT_FBA_OPTIMAL,      /* an optimal flux vector was found */
    MT_FBA_INFEASIBLE,   /* no flux vector satisfies S v = 0 and the bounds */
    MT_FBA_UNBOUNDED     /* the objective grows without limit */
} mt_fba_outcome;

/* ---------- reading SBML (src/model/sbml_fbc.c) ---------- */

/* Reads an SBML file whose model uses fbc: one column per reaction, one row
 * per species that is not a boundary species, bounds from fbc v1 FluxBound
 * elements or fbc v2 lowerFluxBound/upperFluxBound parameters (their
 * values at time zero: initial assignments and assignment rules applied),
 * and the active objective. Invalid documents fail with MT_ESBML naming
 * the line; constructs it does not implement (fbc v3 user constraints,
 * quadratic objectives, ...) with MT_EUNSUPPORTED and "unsupported: <what>".
 * OUT: *out, owned by the caller (mt_fba_destroy); NULL on failure. */
MT_NODISCARD mt_status mt_fba_load_file(mt_ctx *ctx, const char *path, mt_fba **out);

/* Cheap check (reads the root element only) whether the SBML file at path
 * declares the fbc package. 1 if so, 0 otherwise or if it cannot be read. */
int mt_fba_is_fbc_file(const char *path);

/* ---------- building by hand (src/solve/fba.c) ---------- */

/* Creates an empty problem (no reactions, maximisation, no objective id).
 * OUT: *out, NULL on failure. */
MT_NODISCARD mt_status mt_fba_create(mt_ctx *ctx, mt_fba **out);
/* Destroys f; NULL is a no-op. */
void mt_fba_destroy(mt_fba *f);

/* Adds a reaction (a flux column) with bounds lower <= v <= upper; either
 * may be infinite (-INFINITY, INFINITY). MT_EINVAL for a duplicate or empty
 * id or a NaN bound. lower > upper is accepted: solving reports the problem
 * infeasible, naming the reaction. */
MT_NODISCARD mt_status mt_fba_add_reaction(mt_fba *f, const char *id, double lower, double upper);
/* Replaces the bounds of a reaction. MT_ENOTFOUND for an unknown id. */
MT_NODISCARD mt_status mt_fba_set_bounds(mt_fba *f, const char *reaction_id, double lower,
                                         double upper);
/* Adds coef to S[species, reaction] (a product has coef > 0, a reactant
 * coef < 0); the species row is created on first use. The reaction must
 * exist (MT_ENOTFOUND); coef must be finite (MT_EINVAL). */
MT_NODISCARD mt_status mt_fba_add_stoichiometry(mt_fba *f, const char *species_id,
                                                const char *reaction_id, double coef);
/* Names the objective and its sense, and clears its coefficients. */
MT_NODISCARD mt_status mt_fba_set_objective(mt_fba *f, const char *id, mt_fba_sense sense);
/* Adds coef to the objective coefficient of a reaction (MT_ENOTFOUND,
 * MT_EINVAL for a non-finite coef). */
MT_NODISCARD mt_status mt_fba_add_objective_coef(mt_fba *f, const char *reaction_id, double coef);

/* ---------- solving and reading the solution ---------- */

/* Solves the linear programme. MT_OK with an optimal flux vector; otherwise
 * MT_ESOLVER with a message that starts "infeasible:" or "unbounded:" (see
 * mt_fba_outcome) or names the GLPK failure. Errors are reported on ctx
 * (NULL: the context f was created with). Cost: one simplex solve. */
MT_NODISCARD mt_status mt_fba_solve(mt_fba *f, mt_ctx *ctx);
/* The outcome of the last solve (MT_FBA_UNSOLVED after any change). */
mt_fba_outcome mt_fba_get_outcome(const mt_fba *f);

/* The optimal flux of a reaction. MT_ENOTFOUND for an unknown id,
 * MT_EINVAL if the last solve found no optimum (*v is then NaN). */
MT_NODISCARD mt_status mt_fba_flux(const mt_fba *f, const char *reaction_id, double *v);
/* The optimal objective value c . v; NaN unless the last solve found an
 * optimum. */
double mt_fba_objective_value(const mt_fba *f);
/* The objective's id ("" if none was set). Borrowed, valid while f lives
 * and until the next mt_fba_set_objective. */
const char *mt_fba_objective_id(const mt_fba *f);
mt_fba_sense mt_fba_objective_sense(const mt_fba *f);

/* Reactions and species rows, in the order they were added. Ids are
 * borrowed, valid while f lives. */
size_t mt_fba_n_reactions(const mt_fba *f);
const char *mt_fba_reaction_id(const mt_fba *f, size_t i);
/* The index of a reaction. OUT: *index. MT_ENOTFOUND if absent (no message
 * is set: a lookup, not a failure). */
MT_NODISCARD mt_status mt_fba_find_reaction(const mt_fba *f, const char *id, size_t *index);
size_t mt_fba_n_species(const mt_fba *f);

#ifdef __cplusplus
}
#endif
#endif
