/* SPDX-License-Identifier: Apache-2.0
 *
 * solve/fba.c — flux balance analysis over GLPK. The only file that
 * includes glpk.h.
 *
 * An mt_fba holds the problem in the form it was given: reaction columns
 * (id, bounds, objective coefficient), species rows (id) and the nonzeros
 * of S as (row, column, value) triples in insertion order; ids are found
 * through two small open-addressing hash tables. Solving builds a fresh
 * glp_prob each time — rows fixed at 0 (S v = 0), columns bounded by
 * lb/ub with GLPK's free/lower/upper/double/fixed kinds so that infinite
 * bounds never reach GLPK as numbers — and runs the primal simplex method
 * without the presolver, so that infeasible and unbounded problems come
 * back as a solution status rather than as a failed call. Duplicate
 * nonzeros (a species listed twice in one reaction) are summed first:
 * GLPK aborts the process on a duplicate. Every input is checked for NaN
 * and infinity before it reaches GLPK for the same reason.
 * Cost: building is linear in the nonzeros (plus one sort when solving);
 * the solve is one simplex run.
 */
#include "medtwin/fba.h"
#include "util/util.h"

#include <glpk.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Id -> index table: slots hold index + 1, 0 means empty. */
typedef struct {
    size_t *slot;
    size_t cap; /* a power of two, or 0 */
} idmap;

typedef struct {
    size_t row, col;
    double val;
} nz;

struct mt_fba {
    mt_ctx *ctx;
    size_t n_rxn, cap_rxn;
    char **rxn_id;
    double *lb, *ub, *obj, *flux;
    idmap rxn_map;
    size_t n_met, cap_met;
    char **met_id;
    idmap met_map;
    size_t n_nz, cap_nz;
    nz *nzs;
    char *obj_id;
    mt_fba_sense sense;
    mt_fba_outcome outcome;
    double obj_value;
};

/* ---------- id tables ---------- */

static size_t hash_id(const char *s)
{
    size_t h = 1469598103934665603u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

/* Index of id in ids via m, or (size_t)-1. */
static size_t map_find(const idmap *m, char *const *ids, const char *id)
{
    if (!m->cap)
        return (size_t)-1;
    for (size_t i = hash_id(id) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        if (!m->slot[i])
            return (size_t)-1;
        if (!strcmp(ids[m->slot[i] - 1], id))
            return m->slot[i] - 1;
    }
}

/* Makes room for n entries (load at most one half), rehashing ids[0..n). */
static int map_reserve(mt_ctx *ctx, idmap *m, char *const *ids, size_t n)
{
    if (2 * n <= m->cap)
        return 0;
    size_t cap = m->cap ? m->cap : 16;
    while (2 * n > cap)
        cap *= 2;
    size_t *slot = mt_calloc(ctx, cap, sizeof *slot);
    if (!slot)
        return -1;
    for (size_t k = 0; k + 1 < n; k++) {
        size_t i = hash_id(ids[k]) & (cap - 1);
        while (slot[i])
            i = (i + 1) & (cap - 1);
        slot[i] = k + 1;
    }
    mt_free(ctx, m->slot);
    m->slot = slot;
    m->cap = cap;
    return 0;
}

/* Records ids[n - 1] (already stored) in m; map_reserve(n) has run. */
static void map_put(idmap *m, char *const *ids, size_t n)
{
    size_t i = hash_id(ids[n - 1]) & (m->cap - 1);
    while (m->slot[i])
        i = (i + 1) & (m->cap - 1);
    m->slot[i] = n;
}

/* The capacity to grow cap to so that it holds n (n > cap). */
static size_t next_cap(size_t cap, size_t n)
{
    size_t c = cap ? 2 * cap : 16;
    while (c < n)
        c *= 2;
    return c;
}

/* Typed reallocations to cap elements: 0 on success, *p unchanged on
 * failure. */
static int resize_strs(mt_ctx *ctx, char ***p, size_t cap)
{
    char **q = mt_realloc(ctx, *p, cap * sizeof *q);
    if (!q)
        return -1;
    *p = q;
    return 0;
}

static int resize_doubles(mt_ctx *ctx, double **p, size_t cap)
{
    double *q = mt_realloc(ctx, *p, cap * sizeof *q);
    if (!q)
        return -1;
    *p = q;
    return 0;
}

static int resize_nzs(mt_ctx *ctx, nz **p, size_t cap)
{
    nz *q = mt_realloc(ctx, *p, cap * sizeof *q);
    if (!q)
        return -1;
    *p = q;
    return 0;
}

/* ---------- building ---------- */

mt_status mt_fba_create(mt_ctx *ctx, mt_fba **out)
{
    *out = NULL;
    mt_fba *f = mt_calloc(ctx, 1, sizeof *f);
    if (!f)
        return mt_error(ctx, MT_ENOMEM, "out of memory");
    f->ctx = ctx;
    f->sense = MT_FBA_MAXIMIZE;
    f->obj_value = NAN;
    *out = f;
    return MT_OK;
}

void mt_fba_destroy(mt_fba *f)
{
    if (!f)
        return;
    mt_ctx *ctx = f->ctx;
    for (size_t i = 0; i < f->n_rxn; i++)
        mt_free(ctx, f->rxn_id[i]);
    for (size_t i = 0; i < f->n_met; i++)
        mt_free(ctx, f->met_id[i]);
    mt_free(ctx, f->rxn_id);
    mt_free(ctx, f->lb);
    mt_free(ctx, f->ub);
    mt_free(ctx, f->obj);
    mt_free(ctx, f->flux);
    mt_free(ctx, f->rxn_map.slot);
    mt_free(ctx, f->met_id);
    mt_free(ctx, f->met_map.slot);
    mt_free(ctx, f->nzs);
    mt_free(ctx, f->obj_id);
    mt_free(ctx, f);
}

static void unsolve(mt_fba *f)
{
    f->outcome = MT_FBA_UNSOLVED;
    f->obj_value = NAN;
}

static mt_status check_bounds(mt_fba *f, const char *id, double lower, double upper)
{
    if (isnan(lower) || isnan(upper))
        return mt_error(f->ctx, MT_EINVAL, "flux bound of reaction '%s' is NaN", id);
    if (lower == INFINITY || upper == -INFINITY)
        return mt_error(f->ctx, MT_EINVAL,
                        "reaction '%s': a lower bound of +infinity or an upper bound of "
                        "-infinity admits no flux",
                        id);
    return MT_OK;
}

mt_status mt_fba_add_reaction(mt_fba *f, const char *id, double lower, double upper)
{
    if (!id || !*id)
        return mt_error(f->ctx, MT_EINVAL, "reaction without an id");
    if (map_find(&f->rxn_map, f->rxn_id, id) != (size_t)-1)
        return mt_error(f->ctx, MT_EINVAL, "duplicate reaction id '%s'", id);
    if (check_bounds(f, id, lower, upper) != MT_OK)
        return MT_EINVAL;
    size_t n = f->n_rxn + 1;
    if (n > f->cap_rxn) {
        /* The parallel arrays share one capacity; one that grew before a
         * later one failed is merely larger than needed. */
        size_t cap = next_cap(f->cap_rxn, n);
        if (resize_strs(f->ctx, &f->rxn_id, cap) || resize_doubles(f->ctx, &f->lb, cap) ||
            resize_doubles(f->ctx, &f->ub, cap) || resize_doubles(f->ctx, &f->obj, cap) ||
            resize_doubles(f->ctx, &f->flux, cap))
            return mt_error(f->ctx, MT_ENOMEM, "out of memory");
        f->cap_rxn = cap;
    }
    char *copy = mt_strdup(f->ctx, id);
    if (!copy || map_reserve(f->ctx, &f->rxn_map, f->rxn_id, n)) {
        mt_free(f->ctx, copy);
        return mt_error(f->ctx, MT_ENOMEM, "out of memory");
    }
    f->rxn_id[f->n_rxn] = copy;
    f->lb[f->n_rxn] = lower;
    f->ub[f->n_rxn] = upper;
    f->obj[f->n_rxn] = 0;
    f->flux[f->n_rxn] = NAN;
    f->n_rxn = n;
    map_put(&f->rxn_map, f->rxn_id, n);
    unsolve(f);
    return MT_OK;
}

static size_t find_reaction(const mt_fba *f, const char *id)
{
    return id ? map_find(&f->rxn_map, f->rxn_id, id) : (size_t)-1;
}

mt_status mt_fba_set_bounds(mt_fba *f, const char *reaction_id, double lower, double upper)
{
    size_t j = find_reaction(f, reaction_id);
    if (j == (size_t)-1)
        return mt_error(f->ctx, MT_ENOTFOUND, "no reaction '%s'",
                        reaction_id ? reaction_id : "(null)");
    if (check_bounds(f, reaction_id, lower, upper) != MT_OK)
        return MT_EINVAL;
    f->lb[j] = lower;
    f->ub[j] = upper;
    unsolve(f);
    return MT_OK;
}

mt_status mt_fba_add_stoichiometry(mt_fba *f, const char *species_id, const char *reaction_id,
                                   double coef)
{
    size_t j = find_reaction(f, reaction_id);
    if (j == (size_t)-1)
        return mt_error(f->ctx, MT_ENOTFOUND, "no reaction '%s'",
                        reaction_id ? reaction_id : "(null)");
    if (!species_id || !*species_id)
        return mt_error(f->ctx, MT_EINVAL, "species without an id in reaction '%s'", reaction_id);
    if (!isfinite(coef))
        return mt_error(f->ctx, MT_EINVAL, "stoichiometry of '%s' in reaction '%s' is %g",
                        species_id, reaction_id, coef);
    size_t i = map_find(&f->met_map, f->met_id, species_id);
    if (i == (size_t)-1) {
        size_t n = f->n_met + 1;
        char *copy = mt_strdup(f->ctx, species_id);
        if (n > f->cap_met && resize_strs(f->ctx, &f->met_id, next_cap(f->cap_met, n)) == 0)
            f->cap_met = next_cap(f->cap_met, n);
        if (!copy || n > f->cap_met || map_reserve(f->ctx, &f->met_map, f->met_id, n)) {
            mt_free(f->ctx, copy);
            return mt_error(f->ctx, MT_ENOMEM, "out of memory");
        }
        f->met_id[f->n_met] = copy;
        f->n_met = n;
        map_put(&f->met_map, f->met_id, n);
        i = n - 1;
    }
    if (f->n_nz == f->cap_nz) {
        size_t cap = next_cap(f->cap_nz, f->n_nz + 1);
        if (resize_nzs(f->ctx, &f->nzs, cap))
            return mt_error(f->ctx, MT_ENOMEM, "out of memory");
        f->cap_nz = cap;
    }
    f->nzs[f->n_nz++] = (nz){i, j, coef};
    unsolve(f);
    return MT_OK;
}

mt_status mt_fba_set_objective(mt_fba *f, const char *id, mt_fba_sense sense)
{
    if (sense != MT_FBA_MAXIMIZE && sense != MT_FBA_MINIMIZE)
        return mt_error(f->ctx, MT_EINVAL, "objective sense must be maximise or minimise");
    char *copy = mt_strdup(f->ctx, id ? id : "");
    if (!copy)
        return mt_error(f->ctx, MT_ENOMEM, "out of memory");
    mt_free(f->ctx, f->obj_id);
    f->obj_id = copy;
    f->sense = sense;
    for (size_t j = 0; j < f->n_rxn; j++)
        f->obj[j] = 0;
    unsolve(f);
    return MT_OK;
}

mt_status mt_fba_add_objective_coef(mt_fba *f, const char *reaction_id, double coef)
{
    size_t j = find_reaction(f, reaction_id);
    if (j == (size_t)-1)
        return mt_error(f->ctx, MT_ENOTFOUND, "objective: no reaction '%s'",
                        reaction_id ? reaction_id : "(null)");
    if (!isfinite(coef))
        return mt_error(f->ctx, MT_EINVAL, "objective coefficient of '%s' is %g", reaction_id,
                        coef);
    f->obj[j] += coef;
    unsolve(f);
    return MT_OK;
}

/* ---------- solving ---------- */

static int cmp_nz(const void *a, const void *b)
{
    const nz *x = a, *y = b;
    if (x->col != y->col)
        return x->col < y->col ? -1 : 1;
    if (x->row != y->row)
        return x->row < y->row ? -1 : 1;
    return 0;
}

static int glp_bound_kind(double lo, double up)
{
    int has_lo = isfinite(lo), has_up = isfinite(up);
    if (has_lo && has_up)
        return lo == up ? GLP_FX : GLP_DB;
    return has_lo ? GLP_LO : has_up ? GLP_UP : GLP_FR;
}

/* Loads the problem into lp. Returns 0, or -1 when out of memory. */
static int load(mt_fba *f, glp_prob *lp)
{
    glp_set_obj_dir(lp, f->sense == MT_FBA_MINIMIZE ? GLP_MIN : GLP_MAX);
    if (f->n_met)
        glp_add_rows(lp, (int)f->n_met);
    for (size_t i = 0; i < f->n_met; i++)
        glp_set_row_bnds(lp, (int)i + 1, GLP_FX, 0.0, 0.0);
    if (f->n_rxn)
        glp_add_cols(lp, (int)f->n_rxn);
    for (size_t j = 0; j < f->n_rxn; j++) {
        double lo = f->lb[j], up = f->ub[j];
        glp_set_col_bnds(lp, (int)j + 1, glp_bound_kind(lo, up), isfinite(lo) ? lo : 0.0,
                         isfinite(up) ? up : 0.0);
        glp_set_obj_coef(lp, (int)j + 1, f->obj[j]);
    }
    if (!f->n_nz)
        return 0;
    /* Sum duplicates and drop zeros on a sorted copy; GLPK's arrays are
     * 1-based. */
    nz *s = mt_malloc(f->ctx, f->n_nz * sizeof *s);
    int *ia = mt_malloc(f->ctx, (f->n_nz + 1) * sizeof *ia);
    int *ja = mt_malloc(f->ctx, (f->n_nz + 1) * sizeof *ja);
    double *ar = mt_malloc(f->ctx, (f->n_nz + 1) * sizeof *ar);
    int rc = -1;
    if (s && ia && ja && ar) {
        memcpy(s, f->nzs, f->n_nz * sizeof *s);
        qsort(s, f->n_nz, sizeof *s, cmp_nz);
        size_t k = 0;
        for (size_t a = 0; a < f->n_nz;) {
            size_t b = a;
            double v = 0;
            for (; b < f->n_nz && s[b].row == s[a].row && s[b].col == s[a].col; b++)
                v += s[b].val;
            if (v != 0) {
                k++;
                ia[k] = (int)s[a].row + 1;
                ja[k] = (int)s[a].col + 1;
                ar[k] = v;
            }
            a = b;
        }
        if (k)
            glp_load_matrix(lp, (int)k, ia, ja, ar);
        rc = 0;
    }
    mt_free(f->ctx, s);
    mt_free(f->ctx, ia);
    mt_free(f->ctx, ja);
    mt_free(f->ctx, ar);
    return rc;
}

static const char *glp_ret_text(int ret)
{
    switch (ret) {
    case GLP_EBADB:
        return "invalid initial basis";
    case GLP_ESING:
        return "singular basis matrix";
    case GLP_ECOND:
        return "ill-conditioned basis matrix";
    case GLP_EBOUND:
        return "invalid bounds";
    case GLP_EFAIL:
        return "solver failure";
    case GLP_EITLIM:
        return "iteration limit exceeded";
    case GLP_ETMLIM:
        return "time limit exceeded";
    default:
        return "unexpected GLPK return code";
    }
}

mt_status mt_fba_solve(mt_fba *f, mt_ctx *ctx)
{
    if (!ctx)
        ctx = f->ctx;
    unsolve(f);
    for (size_t j = 0; j < f->n_rxn; j++)
        f->flux[j] = NAN;
    if (f->n_rxn > (size_t)INT32_MAX / 2 || f->n_met > (size_t)INT32_MAX / 2 ||
        f->n_nz > (size_t)INT32_MAX / 2)
        return mt_error(ctx, MT_ELIMIT, "flux balance problem too large for GLPK");
    /* Crossed bounds make GLPK fail with GLP_EBOUND; they are an empty
     * feasible set, so report them as such, by name. */
    for (size_t j = 0; j < f->n_rxn; j++)
        if (f->lb[j] > f->ub[j]) {
            f->outcome = MT_FBA_INFEASIBLE;
            return mt_error(ctx, MT_ESOLVER,
                            "infeasible: reaction '%s' has lower bound %g above upper bound %g",
                            f->rxn_id[j], f->lb[j], f->ub[j]);
        }
    glp_prob *lp = glp_create_prob();
    if (load(f, lp)) {
        glp_delete_prob(lp);
        return mt_error(ctx, MT_ENOMEM, "out of memory");
    }
    glp_smcp parm;
    glp_init_smcp(&parm);
    parm.msg_lev = GLP_MSG_OFF;
    parm.presolve = GLP_OFF;
    int ret = glp_simplex(lp, &parm);
    if (ret == GLP_ESING || ret == GLP_ECOND) {
        /* Recover from a bad starting basis once, from the standard one. */
        glp_std_basis(lp);
        ret = glp_simplex(lp, &parm);
    }
    mt_status st = MT_OK;
    if (ret != 0) {
        st = mt_error(ctx, MT_ESOLVER, "flux balance: GLPK simplex failed: %s (code %d)",
                      glp_ret_text(ret), ret);
    } else {
        int status = glp_get_status(lp);
        if (status == GLP_OPT) {
            f->outcome = MT_FBA_OPTIMAL;
            for (size_t j = 0; j < f->n_rxn; j++)
                f->flux[j] = glp_get_col_prim(lp, (int)j + 1) + 0.0; /* no -0 */
            f->obj_value = glp_get_obj_val(lp) + 0.0;
        } else if (status == GLP_NOFEAS || glp_get_prim_stat(lp) == GLP_NOFEAS) {
            f->outcome = MT_FBA_INFEASIBLE;
            st = mt_error(ctx, MT_ESOLVER,
                          "infeasible: no flux vector satisfies the steady state and the "
                          "flux bounds");
        } else if (status == GLP_UNBND) {
            f->outcome = MT_FBA_UNBOUNDED;
            st = mt_error(ctx, MT_ESOLVER, "unbounded: the objective '%s' can be %s without limit",
                          f->obj_id ? f->obj_id : "",
                          f->sense == MT_FBA_MINIMIZE ? "decreased" : "increased");
        } else {
            st = mt_error(ctx, MT_ESOLVER, "flux balance: GLPK found no optimum (status %d)",
                          status);
        }
    }
    glp_delete_prob(lp);
    return st;
}

/* ---------- the solution ---------- */

mt_fba_outcome mt_fba_get_outcome(const mt_fba *f) { return f->outcome; }

mt_status mt_fba_flux(const mt_fba *f, const char *reaction_id, double *v)
{
    *v = NAN;
    size_t j = find_reaction(f, reaction_id);
    if (j == (size_t)-1)
        return mt_error(f->ctx, MT_ENOTFOUND, "no reaction '%s'",
                        reaction_id ? reaction_id : "(null)");
    if (f->outcome != MT_FBA_OPTIMAL)
        return mt_error(f->ctx, MT_EINVAL, "flux of '%s': the problem has no optimal solution",
                        reaction_id);
    *v = f->flux[j];
    return MT_OK;
}

double mt_fba_objective_value(const mt_fba *f)
{
    return f->outcome == MT_FBA_OPTIMAL ? f->obj_value : NAN;
}

const char *mt_fba_objective_id(const mt_fba *f) { return f->obj_id ? f->obj_id : ""; }

mt_fba_sense mt_fba_objective_sense(const mt_fba *f) { return f->sense; }

size_t mt_fba_n_reactions(const mt_fba *f) { return f->n_rxn; }

const char *mt_fba_reaction_id(const mt_fba *f, size_t i)
{
    return i < f->n_rxn ? f->rxn_id[i] : NULL;
}

mt_status mt_fba_find_reaction(const mt_fba *f, const char *id, size_t *index)
{
    *index = find_reaction(f, id);
    return *index == (size_t)-1 ? MT_ENOTFOUND : MT_OK;
}

size_t mt_fba_n_species(const mt_fba *f) { return f->n_met; }
