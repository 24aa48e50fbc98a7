/* SPDX-License-Identifier: Apache-2.0
 *
 * solve/sim.c — a simulation workspace over SUNDIALS CVODES (the only file
 * of the solve layer that includes SUNDIALS).
 *
 * A run: initial values (with the user's overrides) -> events that fire at
 * the start -> integrate output interval by interval. CVODES integrates the
 * states with BDF (default) or Adams and a direct linear solver: dense LU, or
 * sparse LU (KLU, over the Jacobian's compressed-column pattern) for a large model with an
 * analytic Jacobian (mt_sim_set_linear_solver, MT_SPARSE_MIN_STATES); the output grid is served by
 * CVODES' interpolation, so the solver is not forced to stop at every output time. Each event
 * trigger is a root function (+1 while true, -1 while false): CVODES locates every change of a
 * trigger, in both directions, so non-persistent events are cancelled when their trigger falls.
 * Delayed events wait in a queue; the solver is stopped exactly at the next execution time. Events
 * executing at the same time run by priority (highest first; ties in order of scheduling), and
 * triggers are re-examined after each execution, so cascades and
 * cancellations follow the SBML Level 3 rules. After events the solver is
 * re-initialised at the event time.
 *
 * Memory: the CVODES memory, vectors and matrices are created on the first
 * run and reused (re-initialised) for later runs of the same workspace.
 */
#include "compile/program.h"
#include "solve/lti.h"

#include <cvodes/cvodes.h>
#include <nvector/nvector_serial.h>
#include <sundials/sundials_context.h>
#include <sunlinsol/sunlinsol_dense.h>
#include <sunlinsol/sunlinsol_klu.h>
#include <sunmatrix/sunmatrix_dense.h>
#include <sunmatrix/sunmatrix_sparse.h>

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MT_MAX_PENDING 100000
#define MT_MAX_CASCADE 100000
/* MT_LINSOL_AUTO takes the sparse solver from this many states on, when the Jacobian's
 * pattern (with the diagonal) fills at most MT_SPARSE_MAX_DENSITY of the matrix; measured in
 * docs/performance.md (bench/cascade, tests/unit/solve/test_sparse.c). */
#define MT_SPARSE_MIN_STATES 40
#define MT_SPARSE_MAX_DENSITY 0.10

typedef struct {
    int ev;
    double t_exec;
    long seq;
    double *values; /* NULL unless the event uses trigger-time values */
    /* sensitivity runs only (else NULL): d values / d p (n_asg x n_par) and how the execution
     * time moves with each parameter (n_par; NULL: it does not move) */
    double *dvalues, *dtau;
} pending;

typedef struct mt_sens mt_sens;

typedef struct {
    int slot;
    mt_report how;
} output;

struct mt_result {
    size_t n_rows, n_cols;
    char **ids;
    double *time;
    double *data;
};

struct mt_sim {
    mt_ctx *ctx;
    const mt_program *p;
    double rtol, atol;
    mt_method method;
    long max_steps;
    /* values */
    double *vals;
    double *stack;
    double *tmp; /* event assignment values / one scalar */
    unsigned char *ovr_set;
    double *ovr_val;
    /* outputs */
    size_t n_out, cap_out;
    output *out;
    /* events */
    unsigned char *prev;
    pending *pend;
    size_t n_pend, cap_pend;
    long seq;
    uint64_t seed, rng;
    /* CVODES */
    SUNContext sun;
    void *cv;
    N_Vector y;
    SUNMatrix A;
    SUNLinearSolver LS;
    size_t n_eq;
    int cv_method;
    int *need; /* dynamic rules the outputs read, in evaluation order */
    size_t n_need;
    int *need_state; /* states the outputs read, directly or through those rules */
    size_t n_need_state;
    /* exact solution of linear time-invariant models (solve/lti.c) */
    int use_exact;
    int last_path; /* MT_PATH_* of the last run */
    mt_lti *lti;
    double *lti_a, *lti_b, *lti_y;
    int need_ok; /* need is current for the outputs */
    unsigned char *mark;
    int use_native; /* the program's native code when it has some (default) */
    int use_jac;    /* analytic Jacobian when the program has one (default) */
    int jac_set;    /* the solver memory currently has the analytic Jacobian */
    double *jbuf;   /* its non-zero entries */
    /* the linear solver: requested (MT_LINSOL_*), and whether the solver memory is sparse */
    mt_linsol linsol;
    int run_sparse; /* this run's choice (want_sparse, once per run) */
    int cv_sparse;
    int last_linsol; /* MT_LINSOL_DENSE/SPARSE of the last ODE run, 0 before */
    /* the Jacobian's compressed-column pattern (with the diagonal), made on first use:
     * csc_ptr[n + 1], csc_row[nnz], and csc_pos[k] the place of entry k of the program's
     * Jacobian in the column-sorted data */
    size_t csc_nnz;
    sunindextype *csc_ptr, *csc_row;
    size_t *csc_pos;
    /* doses of the current run (mt_sim_run_doses): sorted by time, the next one to give, the
     * infusion rate into each state, and the running infusions (end time, state, rate) */
    const mt_sim_dose *doses;
    size_t n_doses, next_dose;
    double *inrate;
    size_t n_inf, cap_inf;
    struct mt_infusion {
        double t_end;
        size_t state;
        double rate;
    } * inf;
    /* forward sensitivities (mt_sim_run_doses_sens): the run's state, NULL outside one; and
     * the number of sensitivities the CVODES memory was set up for (0: none) */
    mt_sens *sn;
    int cv_sens_ns;
    /* delay() (program n_delay > 0): the history of the delayed expressions, one point per
     * solver step and per event that changed them: hist_t[i], hist_x[i * n_delay + d], and
     * hist_seg[i] = 1 where point i starts a new smooth piece (values after an event or a
     * dose at the time of the point before). hist_buf: one point's values. */
    size_t n_hist, cap_hist;
    double *hist_t, *hist_x, *hist_buf;
    unsigned char *hist_seg;
    /* before the start (t_start; pre_ready once the run has started): the initial values
     * computed at the time asked for, in pre_work, pre_stack, pre_out (pre_busy: in use) */
    double *pre_work, *pre_stack, *pre_out;
    double t_start;
    int pre_ready, pre_busy;
    double t_solver;   /* where the solver's last step ended (it steps one at a time) */
    double delay_hmax; /* its largest step: the history must resolve the delayed values */
    char cv_msg[512];
};

/* ---------- public setup ---------- */

mt_status mt_sim_create(mt_ctx *ctx, const mt_program *p, mt_sim **out)
{
    *out = NULL;
    mt_sim *s = mt_calloc(ctx, 1, sizeof *s);
    if (!s)
        return mt_error(ctx, MT_ENOMEM, "out of memory");
    s->ctx = ctx;
    s->p = p;
    s->rtol = 1e-6;
    s->atol = 1e-12;
    s->method = MT_METHOD_BDF;
    s->max_steps = 100000;
    s->seed = 1;
    s->use_jac = 1;
    s->use_exact = 1;
    s->use_native = 1;
    s->linsol = MT_LINSOL_DEFAULT;
    size_t nasg = 1;
    for (size_t i = 0; i < p->n_event; i++)
        if (p->ev[i].n_asg > nasg)
            nasg = p->ev[i].n_asg;
    s->vals = mt_calloc(ctx, p->n_slot, sizeof *s->vals);
    s->stack = mt_calloc(ctx, p->max_stack, sizeof *s->stack);
    s->tmp = mt_calloc(ctx, nasg, sizeof *s->tmp);
    s->ovr_set = mt_calloc(ctx, p->n_slot, 1);
    s->ovr_val = mt_calloc(ctx, p->n_slot, sizeof *s->ovr_val);
    s->prev = mt_calloc(ctx, p->n_event, 1);
    s->jbuf = mt_calloc(ctx, p->n_jac ? p->n_jac : 1, sizeof *s->jbuf);
    s->need = mt_calloc(ctx, p->n_slot ? p->n_slot : 1, sizeof *s->need);
    s->mark = mt_calloc(ctx, p->n_slot ? p->n_slot : 1, 1);
    s->need_state = mt_calloc(ctx, p->n_state ? p->n_state : 1, sizeof *s->need_state);
    if (!s->vals || !s->stack || !s->tmp || !s->ovr_set || !s->ovr_val || !s->prev || !s->jbuf ||
        !s->need || !s->mark || !s->need_state) {
        mt_sim_destroy(s);
        return mt_error(ctx, MT_ENOMEM, "out of memory");
    }
    *out = s;
    return MT_OK;
}

static void clear_pending(mt_sim *s)
{
    for (size_t i = 0; i < s->n_pend; i++) {
        mt_free(s->ctx, s->pend[i].values);
        mt_free(s->ctx, s->pend[i].dvalues);
        mt_free(s->ctx, s->pend[i].dtau);
    }
    s->n_pend = 0;
}

static void free_cvode(mt_sim *s)
{
    if (s->cv)
        CVodeFree(&s->cv);
    if (s->LS)
        SUNLinSolFree(s->LS);
    if (s->A)
        SUNMatDestroy(s->A);
    if (s->y)
        N_VDestroy(s->y);
    if (s->sun)
        SUNContext_Free(&s->sun);
    s->cv = NULL;
    s->LS = NULL;
    s->A = NULL;
    s->y = NULL;
    s->sun = NULL;
    s->cv_sens_ns = 0;
}

void mt_sim_destroy(mt_sim *s)
{
    if (!s)
        return;
    free_cvode(s);
    clear_pending(s);
    mt_free(s->ctx, s->pend);
    mt_free(s->ctx, s->vals);
    mt_free(s->ctx, s->stack);
    mt_free(s->ctx, s->tmp);
    mt_free(s->ctx, s->ovr_set);
    mt_free(s->ctx, s->ovr_val);
    mt_free(s->ctx, s->prev);
    mt_free(s->ctx, s->jbuf);
    mt_free(s->ctx, s->need);
    mt_free(s->ctx, s->mark);
    mt_free(s->ctx, s->need_state);
    mt_lti_destroy(s->lti);
    mt_free(s->ctx, s->lti_a);
    mt_free(s->ctx, s->lti_b);
    mt_free(s->ctx, s->lti_y);
    mt_free(s->ctx, s->out);
    mt_free(s->ctx, s->csc_ptr);
    mt_free(s->ctx, s->csc_row);
    mt_free(s->ctx, s->csc_pos);
    mt_free(s->ctx, s->inrate);
    mt_free(s->ctx, s->inf);
    mt_free(s->ctx, s->hist_t);
    mt_free(s->ctx, s->hist_x);
    mt_free(s->ctx, s->hist_seg);
    mt_free(s->ctx, s->hist_buf);
    mt_free(s->ctx, s->pre_work);
    mt_free(s->ctx, s->pre_stack);
    mt_free(s->ctx, s->pre_out);
    mt_free(s->ctx, s);
}

mt_status mt_sim_set_tolerances(mt_sim *s, double rtol, double atol)
{
    if (!(rtol > 0) || !(atol > 0) || !isfinite(rtol) || !isfinite(atol) || rtol >= 1)
        return mt_error(s->ctx, MT_EINVAL,
                        "tolerances must be positive finite numbers (rtol < 1), got rtol=%g "
                        "atol=%g",
                        rtol, atol);
    s->rtol = rtol;
    s->atol = atol;
    return MT_OK;
}

mt_status mt_sim_set_method(mt_sim *s, mt_method method)
{
    if (method != MT_METHOD_BDF && method != MT_METHOD_ADAMS)
        return mt_error(s->ctx, MT_EINVAL, "unknown integration method %d", (int)method);
    s->method = method;
    return MT_OK;
}

void mt_sim_set_jacobian(mt_sim *s, int analytic) { s->use_jac = analytic != 0; }

mt_status mt_sim_set_linear_solver(mt_sim *s, mt_linsol kind)
{
    if (kind != MT_LINSOL_DEFAULT && kind != MT_LINSOL_AUTO && kind != MT_LINSOL_DENSE &&
        kind != MT_LINSOL_SPARSE)
        return mt_error(s->ctx, MT_EINVAL, "unknown linear solver %d", (int)kind);
    s->linsol = kind;
    return MT_OK;
}

mt_linsol mt_sim_last_linear_solver(const mt_sim *s) { return (mt_linsol)s->last_linsol; }

void mt_sim_set_exact(mt_sim *s, int exact) { s->use_exact = exact != 0; }

void mt_sim_set_native(mt_sim *s, int native) { s->use_native = native != 0; }

mt_path mt_sim_last_path(const mt_sim *s) { return (mt_path)s->last_path; }

int mt_sim_jacobian_kind(const mt_sim *s)
{
    if (!s->p->has_jac)
        return 0;
    return s->p->jac_constant ? 2 : 1;
}

mt_status mt_sim_set_max_steps(mt_sim *s, long max_steps)
{
    if (max_steps < 0)
        return mt_error(s->ctx, MT_EINVAL, "max steps must be >= 0");
    s->max_steps = max_steps ? max_steps : 100000;
    return MT_OK;
}

void mt_sim_set_seed(mt_sim *s, uint64_t seed) { s->seed = seed; }

static int find_public(const mt_program *p, const char *id)
{
    int slot = mt_program_find(p, id);
    if (slot < 0 || !p->slot[slot].is_public)
        return -1;
    return slot;
}

static int settable(const mt_pslot *q)
{
    return q->kind != MT_SYM_REACTION && !(q->rule >= 0 && q->amt < 0);
}

mt_status mt_sim_set_value(mt_sim *s, const char *id, double value)
{
    int slot = find_public(s->p, id);
    if (slot < 0)
        return mt_error(s->ctx, MT_ENOTFOUND, "unknown symbol '%s'", id);
    const mt_pslot *q = &s->p->slot[slot];
    if (q->kind == MT_SYM_REACTION)
        return mt_error(s->ctx, MT_EINVAL, "'%s' is a reaction; its rate cannot be set", id);
    if (!settable(q))
        return mt_error(s->ctx, MT_EINVAL, "'%s' is defined by an assignment rule", id);
    return mt_sim_set_value_at(s, slot, value);
}

int mt_sim_find(const mt_sim *s, const char *id)
{
    int slot = id ? find_public(s->p, id) : -1;
    if (slot < 0)
        return -1;
    return settable(&s->p->slot[slot]) ? slot : -2;
}

mt_status mt_sim_set_value_at(mt_sim *s, int index, double value)
{
    if (index < 0 || (size_t)index >= s->p->n_slot || !s->p->slot[index].is_public ||
        !settable(&s->p->slot[index]))
        return mt_error(s->ctx, MT_EINVAL, "no settable symbol at index %d", index);
    s->ovr_set[index] = 1;
    s->ovr_val[index] = value;
    return MT_OK;
}

void mt_sim_clear_values(mt_sim *s) { memset(s->ovr_set, 0, s->p->n_slot); }

mt_status mt_sim_add_output(mt_sim *s, const char *id, mt_report how)
{
    s->need_ok = 0;
    int slot = find_public(s->p, id);
    if (slot < 0)
        return mt_error(s->ctx, MT_ENOTFOUND, "unknown symbol '%s'", id);
    if (how != MT_REPORT_DEFAULT && s->p->slot[slot].kind != MT_SYM_SPECIES)
        return mt_error(s->ctx, MT_EINVAL, "'%s' is not a species: it has no amount/concentration",
                        id);
    if (s->n_out == s->cap_out) {
        size_t nc = s->cap_out ? s->cap_out * 2 : 16;
        output *n = mt_realloc(s->ctx, s->out, nc * sizeof *n);
        if (!n)
            return mt_error(s->ctx, MT_ENOMEM, "out of memory");
        s->out = n;
        s->cap_out = nc;
    }
    s->out[s->n_out].slot = slot;
    s->out[s->n_out].how = how;
    s->n_out++;
    return MT_OK;
}

void mt_sim_clear_outputs(mt_sim *s)
{
    s->n_out = 0;
    s->need_ok = 0;
}

/* ---------- evaluation helpers ---------- */

/* ---------- delay(): the history ---------- */

/* The polynomial through the k points (px, py), at x (Lagrange's form; k <= 5). */
static double lagrange(const double *px, const double *py, size_t k, double x)
{
    double sum = 0.0;
    for (size_t i = 0; i < k; i++) {
        double w = py[i];
        for (size_t j = 0; j < k; j++)
            if (j != i)
                w *= (x - px[j]) / (px[i] - px[j]);
        sum += w;
    }
    return sum;
}

/* mt_env.past: the value delayed expression d had at time tp (< t, the time of the
 * evaluation; x_now its value at t). Before the first point of the history: its value at
 * the start. Within the history: the cubic through the four nearest points of the same
 * smooth piece (fewer near an event). After the last point (a delay shorter than the
 * current step): through the last points and (t, x_now). */
static double past_value(void *ud, int d, double tp, double x_now, double t)
{
    mt_sim *s = ud;
    size_t n = s->n_hist, nd = s->p->n_delay;
    const double *T = s->hist_t;
    if (!(tp < t))
        return x_now;
    /* before the start: the initial values as they would be at tp (the SBML test suite:
     * delay(x, tau) of x = f(time), by a rule or an initial assignment, reads f(time - tau)
     * from the start; a constant initial value stays what it is); a delay inside that
     * evaluation which reaches before the start again gets the value there */
    if (s->pre_ready && tp < s->t_start && !s->pre_busy) {
        const mt_program *p = s->p;
        s->pre_busy = 1;
        mt_env env = {s->pre_work, NULL,         NULL,       tp, s->ovr_set,
                      s->ovr_val,  s->pre_stack, past_value, s};
        mt_vm_run(p, p->init, &env);
        env.out = s->pre_out;
        mt_vm_run(p, p->delay_x, &env);
        s->pre_busy = 0;
        return s->pre_out[d];
    }
    if (n == 0)
        return x_now;
    if (tp <= T[0])
        return s->hist_x[d];
    double px[4], py[4];
    size_t k = 0, lo, hi;
    if (tp >= T[n - 1]) {
        lo = n - 1;
        while (lo > 0 && n - 1 - lo < 2 && !s->hist_seg[lo])
            lo--;
        for (size_t i = lo; i < n; i++, k++) {
            px[k] = T[i];
            py[k] = s->hist_x[i * nd + (size_t)d];
        }
        if (t > T[n - 1]) {
            px[k] = t;
            py[k++] = x_now;
        }
        return k == 1 ? py[0] : lagrange(px, py, k, tp);
    }
    /* the last point at or before tp (after an event: the values after it) */
    size_t a = 0, b = n - 1; /* T[a] <= tp < T[b] */
    while (b - a > 1) {
        size_t m = a + (b - a) / 2;
        if (T[m] <= tp)
            a = m;
        else
            b = m;
    }
    if (T[a] == tp)
        return s->hist_x[a * nd + (size_t)d];
    lo = hi = a;
    for (int grew = 1; grew && hi - lo < 3;) {
        grew = 0;
        if (hi + 1 < n && !s->hist_seg[hi + 1]) {
            hi++;
            grew = 1;
        }
        if (hi - lo < 3 && lo > 0 && !s->hist_seg[lo]) {
            lo--;
            grew = 1;
        }
    }
    for (size_t i = lo; i <= hi; i++, k++) {
        px[k] = T[i];
        py[k] = s->hist_x[i * nd + (size_t)d];
    }
    return k == 1 ? py[0] : lagrange(px, py, k, tp);
}

static void run_block(mt_sim *s, mt_block b, double t, const double *y, double *out)
{
    mt_env env = {s->vals, y, out, t, s->ovr_set, s->ovr_val, s->stack, NULL, NULL};
    if (s->p->n_delay) {
        env.past = past_value;
        env.past_ud = s;
    }
    mt_vm_run(s->p, b, &env);
}

/* The start of a run at t0: from now on a delay reaching before t0 computes the past. */
static mt_status pre_start(mt_sim *s, double t0)
{
    const mt_program *p = s->p;
    if (!s->pre_work) {
        s->pre_work = mt_calloc(s->ctx, p->n_slot ? p->n_slot : 1, sizeof *s->pre_work);
        s->pre_stack = mt_calloc(s->ctx, p->max_stack, sizeof *s->pre_stack);
        s->pre_out = mt_calloc(s->ctx, p->n_delay, sizeof *s->pre_out);
        if (!s->pre_work || !s->pre_stack || !s->pre_out)
            return mt_error(s->ctx, MT_ENOMEM, "out of memory for the history of delay()");
    }
    s->t_start = t0;
    s->pre_ready = 1;
    return MT_OK;
}

/* Appends the delayed expressions' values at (t, y) to the history (new_piece: they jumped
 * at t, by an event or a dose). A point at the time of the last one replaces it unless it
 * starts a new piece; points after t (a step the solver took before it went back to an
 * event at t) are dropped. */
static mt_status hist_record(mt_sim *s, double t, const double *y, int new_piece)
{
    const mt_program *p = s->p;
    size_t nd = p->n_delay;
    while (s->n_hist && s->hist_t[s->n_hist - 1] > t)
        s->n_hist--;
    if (s->n_hist && s->hist_t[s->n_hist - 1] == t && !new_piece)
        s->n_hist--;
    if (s->n_hist == s->cap_hist) {
        size_t nc = s->cap_hist ? 2 * s->cap_hist : 256;
        if (nc > SIZE_MAX / (nd * sizeof(double)))
            return mt_error(s->ctx, MT_ENOMEM, "out of memory for the history of delay()");
        double *nt = mt_realloc(s->ctx, s->hist_t, nc * sizeof *nt);
        if (nt)
            s->hist_t = nt;
        double *nx = nt ? mt_realloc(s->ctx, s->hist_x, nc * nd * sizeof *nx) : NULL;
        if (nx)
            s->hist_x = nx;
        unsigned char *ns = nx ? mt_realloc(s->ctx, s->hist_seg, nc) : NULL;
        if (ns)
            s->hist_seg = ns;
        if (!ns)
            return mt_error(s->ctx, MT_ENOMEM, "out of memory for the history of delay()");
        s->cap_hist = nc;
    }
    if (!s->hist_buf && !(s->hist_buf = mt_calloc(s->ctx, nd, sizeof *s->hist_buf)))
        return mt_error(s->ctx, MT_ENOMEM, "out of memory for the history of delay()");
    run_block(s, p->rules_dyn, t, y, NULL);
    run_block(s, p->delay_x, t, y, s->hist_buf);
    size_t i = s->n_hist++;
    s->hist_t[i] = t;
    memcpy(s->hist_x + i * nd, s->hist_buf, nd * sizeof *s->hist_buf);
    s->hist_seg[i] = (unsigned char)(new_piece && i > 0);
    return MT_OK;
}

/* A hot block (rhs, jac, rules_dyn, roots): the program's native code when it has some. */
static void run_hot(mt_sim *s, mt_native_fn fn, mt_block b, double t, const double *y, double *out)
{
    if (fn && s->use_native)
        fn(s->vals, y, out, t, s->ovr_set, s->ovr_val);
    else
        run_block(s, b, t, y, out);
}

static double eval1(mt_sim *s, mt_block b, double t, const double *y)
{
    double v = NAN;
    run_block(s, b, t, y, &v);
    return v;
}

static int rhs_fn(sunrealtype t, N_Vector y, N_Vector yd, void *ud)
{
    mt_sim *s = ud;
    double *yy = N_VGetArrayPointer(y);
    double *dd = N_VGetArrayPointer(yd);
    if (s->p->n_state == 0) {
        dd[0] = 0.0;
        return 0;
    }
    run_hot(s, s->p->nat.rhs, s->p->rhs, t, yy, dd);
    if (s->n_inf)
        for (size_t i = 0; i < s->p->n_state; i++)
            dd[i] += s->inrate[i];
    return 0;
}

/* The analytic Jacobian (compile/deriv.c): dense J from the program's non-zero entries. */
static int jac_fn(sunrealtype t, N_Vector y, N_Vector fy, SUNMatrix J, void *ud, N_Vector t1,
                  N_Vector t2, N_Vector t3)
{
    (void)fy;
    (void)t1;
    (void)t2;
    (void)t3;
    mt_sim *s = ud;
    const mt_program *p = s->p;
    run_hot(s, p->nat.jac, p->jac, t, N_VGetArrayPointer(y), s->jbuf);
    SUNMatZero(J);
    for (size_t k = 0; k < p->n_jac; k++)
        SM_ELEMENT_D(J, p->jac_row[k], p->jac_col[k]) = s->jbuf[k];
    return 0;
}

/* The compressed-column pattern of the program's Jacobian plus the diagonal (which CVODES'
 * I - gamma J needs): entries sorted by column, then row; duplicates merged. */
static mt_status make_pattern(mt_sim *s)
{
    const mt_program *p = s->p;
    size_t n = p->n_state, m = p->n_jac + n;
    size_t *ord = mt_calloc(s->ctx, m, sizeof *ord), *cnt = mt_calloc(s->ctx, n + 1, sizeof *cnt);
    size_t *tmp = mt_calloc(s->ctx, m, sizeof *tmp);
    long *key = mt_calloc(s->ctx, m, sizeof *key);
    s->csc_ptr = mt_calloc(s->ctx, n + 1, sizeof *s->csc_ptr);
    s->csc_row = mt_calloc(s->ctx, m, sizeof *s->csc_row);
    s->csc_pos = mt_calloc(s->ctx, p->n_jac ? p->n_jac : 1, sizeof *s->csc_pos);
    if (!ord || !cnt || !tmp || !key || !s->csc_ptr || !s->csc_row || !s->csc_pos) {
        mt_free(s->ctx, ord);
        mt_free(s->ctx, cnt);
        mt_free(s->ctx, tmp);
        mt_free(s->ctx, key);
        mt_free(s->ctx, s->csc_ptr);
        mt_free(s->ctx, s->csc_row);
        mt_free(s->ctx, s->csc_pos);
        s->csc_ptr = s->csc_row = NULL;
        s->csc_pos = NULL;
        return mt_error(s->ctx, MT_ENOMEM, "out of memory");
    }
    /* key = col * n + row of every entry (the Jacobian's, then the diagonal's); counting sort
     * by row, then a stable one by column */
    for (size_t k = 0; k < m; k++) {
        size_t row = k < p->n_jac ? (size_t)p->jac_row[k] : k - p->n_jac;
        size_t col = k < p->n_jac ? (size_t)p->jac_col[k] : k - p->n_jac;
        key[k] = (long)(col * n + row);
    }
    for (int pass = 0; pass < 2; pass++) { /* pass 0: by row, pass 1: by column (stable) */
        memset(cnt, 0, (n + 1) * sizeof *cnt);
        for (size_t k = 0; k < m; k++) {
            size_t d = pass ? (size_t)key[k] / n : (size_t)key[k] % n;
            cnt[d + 1]++;
        }
        for (size_t i = 0; i < n; i++)
            cnt[i + 1] += cnt[i];
        for (size_t q = 0; q < m; q++) {
            size_t k = pass ? tmp[q] : q;
            size_t d = pass ? (size_t)key[k] / n : (size_t)key[k] % n;
            (pass ? ord : tmp)[cnt[d]++] = k;
        }
    }
    size_t nnz = 0;
    long prev = -1;
    for (size_t q = 0; q < m; q++) {
        size_t k = ord[q];
        if (key[k] != prev) {
            size_t col = (size_t)key[k] / n;
            s->csc_row[nnz] = (sunindextype)((size_t)key[k] % n);
            s->csc_ptr[col + 1]++;
            nnz++;
            prev = key[k];
        }
        if (k < p->n_jac)
            s->csc_pos[k] = nnz - 1;
    }
    for (size_t i = 0; i < n; i++)
        s->csc_ptr[i + 1] += s->csc_ptr[i];
    s->csc_nnz = nnz;
    mt_free(s->ctx, ord);
    mt_free(s->ctx, key);
    mt_free(s->ctx, cnt);
    mt_free(s->ctx, tmp);
    return MT_OK;
}

/* The analytic Jacobian into the sparse (CSC) matrix of make_pattern's pattern. */
static int jac_sparse_fn(sunrealtype t, N_Vector y, N_Vector fy, SUNMatrix J, void *ud, N_Vector t1,
                         N_Vector t2, N_Vector t3)
{
    (void)fy;
    (void)t1;
    (void)t2;
    (void)t3;
    mt_sim *s = ud;
    const mt_program *p = s->p;
    if ((size_t)SM_NNZ_S(J) < s->csc_nnz)
        return -1; /* not the matrix made for this pattern */
    run_hot(s, p->nat.jac, p->jac, t, N_VGetArrayPointer(y), s->jbuf);
    memcpy(SM_INDEXPTRS_S(J), s->csc_ptr, (p->n_state + 1) * sizeof *s->csc_ptr);
    memcpy(SM_INDEXVALS_S(J), s->csc_row, s->csc_nnz * sizeof *s->csc_row);
    double *data = SM_DATA_S(J);
    memset(data, 0, s->csc_nnz * sizeof *data);
    for (size_t k = 0; k < p->n_jac; k++)
        data[s->csc_pos[k]] += s->jbuf[k];
    return 0;
}

/* Sparse or dense for the next run: the request (MT_LINSOL_DEFAULT reads $MEDTWIN_LINSOL),
 * and sparse only with the analytic Jacobian (KLU has no difference quotients). */
static int want_sparse(const mt_sim *s)
{
    const mt_program *p = s->p;
    if (!s->use_jac || !p->has_jac || p->n_state == 0)
        return 0;
    mt_linsol k = s->linsol;
    if (k == MT_LINSOL_DEFAULT) {
        const char *e = getenv("MEDTWIN_LINSOL");
        k = e && !strcmp(e, "dense")    ? MT_LINSOL_DENSE
            : e && !strcmp(e, "sparse") ? MT_LINSOL_SPARSE
                                        : MT_LINSOL_AUTO;
    }
    if (k != MT_LINSOL_AUTO)
        return k == MT_LINSOL_SPARSE;
    double n = (double)p->n_state;
    return p->n_state >= MT_SPARSE_MIN_STATES &&
           (double)(p->n_jac + p->n_state) <= MT_SPARSE_MAX_DENSITY * n * n;
}

static int root_fn(sunrealtype t, N_Vector y, sunrealtype *g, void *ud)
{
    mt_sim *s = ud;
    const double *yy = N_VGetArrayPointer(y);
    run_hot(s, s->p->nat.rules_dyn, s->p->rules_dyn, t, yy, NULL);
    run_hot(s, s->p->nat.roots, s->p->roots, t, yy, g);
    /* CVODES's root search (Illinois) never ends when a root function is
     * NaN on one side of the interval: a comparison with an undefined
     * operand counts as a constant instead (no root in it). */
    for (size_t i = 0; i < s->p->n_roots; i++)
        if (isnan(g[i]))
            g[i] = 1.0;
    return 0;
}

static void err_fn(int code, const char *module, const char *function, char *msg, void *ud)
{
    mt_sim *s = ud;
    snprintf(s->cv_msg, sizeof s->cv_msg, "%s: %s", function ? function : "CVODES",
             msg ? msg : "?");
}

static mt_status cv_fail(mt_sim *s, const char *what, int flag, double t)
{
    char *name = CVodeGetReturnFlagName(flag); /* allocated by SUNDIALS */
    mt_status st = mt_error(s->ctx, MT_ESOLVER, "integration failed at t=%g in %s: %s (%s)", t,
                            what, name ? name : "?", s->cv_msg[0] ? s->cv_msg : "no detail");
    free(name);
    return st;
}

static mt_status setup_cvode(mt_sim *s, double t0)
{
    int cvm = s->method == MT_METHOD_ADAMS ? CV_ADAMS : CV_BDF;
    int sparse = s->run_sparse;
    if (sparse && !s->csc_ptr) {
        mt_status st = make_pattern(s);
        if (st != MT_OK)
            return st;
    }
    if (s->cv && s->cv_method == cvm && s->cv_sparse == sparse) {
        int f = CVodeReInit(s->cv, t0, s->y);
        if (f != CV_SUCCESS)
            return cv_fail(s, "CVodeReInit", f, t0);
    } else {
        /* y0 is the current content of s->y when the memory exists; keep it. */
        double *keep = NULL;
        size_t nkeep = 0;
        if (s->y) {
            nkeep = s->n_eq;
            keep = mt_malloc(s->ctx, nkeep * sizeof *keep);
            if (!keep)
                return mt_error(s->ctx, MT_ENOMEM, "out of memory");
            memcpy(keep, N_VGetArrayPointer(s->y), nkeep * sizeof *keep);
        }
        free_cvode(s);
        s->n_eq = s->p->n_state ? s->p->n_state : 1;
        sunindextype n = (sunindextype)s->n_eq;
        if (SUNContext_Create(NULL, &s->sun) != 0)
            return mt_error(s->ctx, MT_ENOMEM, "cannot create the SUNDIALS context");
        s->y = N_VNew_Serial(n, s->sun);
        s->cv = CVodeCreate(cvm, s->sun);
        s->A = sparse ? SUNSparseMatrix(n, n, (sunindextype)s->csc_nnz, CSC_MAT, s->sun)
                      : SUNDenseMatrix(n, n, s->sun);
        if (!s->y || !s->cv || !s->A)
            return mt_error(s->ctx, MT_ENOMEM, "out of memory creating the solver");
        s->LS = sparse ? SUNLinSol_KLU(s->y, s->A, s->sun) : SUNLinSol_Dense(s->y, s->A, s->sun);
        if (!s->LS)
            return mt_error(s->ctx, MT_ENOMEM, "out of memory creating the solver");
        s->cv_method = cvm;
        s->cv_sparse = sparse;
        CVodeSetErrHandlerFn(s->cv, err_fn, s);
        N_VConst(0.0, s->y);
        if (keep) {
            memcpy(N_VGetArrayPointer(s->y), keep, nkeep * sizeof *keep);
            mt_free(s->ctx, keep);
        }
        int f = CVodeInit(s->cv, rhs_fn, t0, s->y);
        if (f == CV_SUCCESS)
            f = CVodeSetUserData(s->cv, s);
        if (f == CV_SUCCESS)
            f = CVodeSetLinearSolver(s->cv, s->LS, s->A);
        if (f == CV_SUCCESS && s->p->n_roots)
            f = CVodeRootInit(s->cv, (int)s->p->n_roots, root_fn);
        if (f != CV_SUCCESS)
            return cv_fail(s, "solver setup", f, t0);
        s->jac_set = 0;
    }
    int want_jac = s->use_jac && s->p->has_jac && s->p->n_state > 0;
    if (want_jac != s->jac_set) {
        int f = CVodeSetJacFn(s->cv, !want_jac ? NULL : s->cv_sparse ? jac_sparse_fn : jac_fn);
        if (f != CV_SUCCESS)
            return cv_fail(s, "CVodeSetJacFn", f, t0);
        s->jac_set = want_jac;
    }
    int f = CVodeSStolerances(s->cv, s->rtol, s->atol);
    if (f == CV_SUCCESS)
        f = CVodeSetMaxNumSteps(s->cv, s->max_steps);
    if (f == CV_SUCCESS && s->p->n_delay)
        f = CVodeSetMaxStep(s->cv, s->delay_hmax);
    s->t_solver = t0;
    if (f == CV_SUCCESS)
        f = CVodeSetMaxHnilWarns(s->cv, -1);
    if (f != CV_SUCCESS)
        return cv_fail(s, "solver setup", f, t0);
    return MT_OK;
}

/* Creates the context and the state vector (once per workspace). */
static mt_status ensure_vectors(mt_sim *s)
{
    if (s->y)
        return MT_OK;
    s->n_eq = s->p->n_state ? s->p->n_state : 1;
    if (SUNContext_Create(NULL, &s->sun) != 0)
        return mt_error(s->ctx, MT_ENOMEM, "cannot create the SUNDIALS context");
    s->y = N_VNew_Serial((sunindextype)s->n_eq, s->sun);
    if (!s->y)
        return mt_error(s->ctx, MT_ENOMEM, "out of memory creating the solver");
    return MT_OK;
}

/* ---------- events ---------- */

/* Sensitivity hooks (the sensitivities section below); called only while s->sn is set. */
static mt_status sens_schedule(mt_sim *s, pending *q, double t, const double *y);
static mt_status sens_execute(mt_sim *s, pending *q, double t, double *y);

static mt_status schedule(mt_sim *s, int e, double t, const double *y)
{
    const mt_pevent *pe = &s->p->ev[e];
    if (s->n_pend >= MT_MAX_PENDING)
        return mt_error(s->ctx, MT_ELIMIT, "more than %d events pending at t=%g", MT_MAX_PENDING,
                        t);
    if (s->n_pend == s->cap_pend) {
        size_t nc = s->cap_pend ? s->cap_pend * 2 : 16;
        pending *n = mt_realloc(s->ctx, s->pend, nc * sizeof *n);
        if (!n)
            return mt_error(s->ctx, MT_ENOMEM, "out of memory");
        s->pend = n;
        s->cap_pend = nc;
    }
    double delay = pe->has_delay ? eval1(s, pe->delay, t, y) : 0.0;
    if (!(delay >= 0) || !isfinite(delay))
        return mt_error(s->ctx, MT_ESOLVER, "event '%s': delay %g at t=%g is not >= 0", pe->id,
                        delay, t);
    pending *q = &s->pend[s->n_pend];
    q->ev = e;
    q->t_exec = t + delay;
    q->seq = s->seq++;
    q->values = NULL;
    q->dvalues = q->dtau = NULL;
    if (pe->use_trigger_values && pe->n_asg) {
        q->values = mt_calloc(s->ctx, pe->n_asg, sizeof *q->values);
        if (!q->values)
            return mt_error(s->ctx, MT_ENOMEM, "out of memory");
        run_block(s, pe->assign, t, y, q->values);
    }
    s->n_pend++;
    if (s->sn)
        return sens_schedule(s, q, t, y);
    return MT_OK;
}

static void remove_pending(mt_sim *s, size_t i)
{
    mt_free(s->ctx, s->pend[i].values);
    mt_free(s->ctx, s->pend[i].dvalues);
    mt_free(s->ctx, s->pend[i].dtau);
    s->pend[i] = s->pend[--s->n_pend];
}

/* Re-examines every trigger at time t (rules must be current). */
static mt_status update_triggers(mt_sim *s, double t, const double *y)
{
    for (size_t e = 0; e < s->p->n_event; e++) {
        int cur = eval1(s, s->p->ev[e].trigger, t, y) != 0.0;
        if (cur && !s->prev[e]) {
            mt_status st = schedule(s, (int)e, t, y);
            if (st != MT_OK)
                return st;
        } else if (!cur && !s->p->ev[e].persistent) {
            for (size_t i = s->n_pend; i-- > 0;)
                if (s->pend[i].ev == (int)e)
                    remove_pending(s, i);
        }
        s->prev[e] = (unsigned char)cur;
    }
    return MT_OK;
}

static void apply_value(mt_sim *s, double *y, int slot, double v)
{
    const mt_pslot *q = &s->p->slot[slot];
    if (q->kind == MT_SYM_COMPARTMENT) {
        /* A size change conserves amounts. Amount-tracked species follow by
         * themselves; species integrated as concentrations (rate rules)
         * are rescaled here. */
        double ratio = s->vals[slot] / v;
        for (size_t i = 0; i < s->p->n_state; i++) {
            int sp = s->p->state_slot[i];
            const mt_pslot *r = &s->p->slot[sp];
            if (r->kind == MT_SYM_SPECIES && r->comp == slot && !r->hosu) {
                s->vals[sp] *= ratio;
                y[i] = s->vals[sp];
            }
        }
    }
    s->vals[slot] = v;
    if (q->amt >= 0) {
        double amount = v * s->vals[q->comp];
        s->vals[q->amt] = amount;
        if (s->p->slot[q->amt].state >= 0)
            y[s->p->slot[q->amt].state] = amount;
    } else if (q->state >= 0) {
        y[q->state] = v;
    }
}

static void execute(mt_sim *s, pending *q, double t, double *y)
{
    const mt_pevent *pe = &s->p->ev[q->ev];
    const double *v = q->values;
    if (!v) {
        run_block(s, pe->assign, t, y, s->tmp);
        v = s->tmp;
    }
    /* Compartments last: a species assigned a concentration in the same
     * event gets its amount from the size before the event, and the size
     * change then conserves amounts (as the SBML Test Suite expects). */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t j = 0; j < pe->n_asg; j++) {
            int slot = pe->targets[j];
            int is_comp = s->p->slot[slot].kind == MT_SYM_COMPARTMENT;
            if (is_comp == (pass == 1))
                apply_value(s, y, slot, v[j]);
        }
    }
    run_block(s, s->p->rules_all, t, y, NULL);
}

/* splitmix64: a small, well-mixed counter-based stream. */
static uint64_t next_random(mt_sim *s)
{
    uint64_t z = (s->rng += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Executes every event due at time t. OUT: *changed when states changed. */
static mt_status process_events(mt_sim *s, double t, double *y, int *changed)
{
    double eps = 1e-12 * fmax(1.0, fabs(t));
    for (long round = 0;; round++) {
        if (round > MT_MAX_CASCADE)
            return mt_error(s->ctx, MT_ELIMIT, "more than %d event executions at t=%g",
                            MT_MAX_CASCADE, t);
        long best = -1;
        double best_pri = 0;
        size_t n_tied = 0;
        for (size_t i = 0; i < s->n_pend; i++) {
            if (s->pend[i].t_exec > t + eps)
                continue;
            const mt_pevent *pe = &s->p->ev[s->pend[i].ev];
            double pri = pe->has_priority ? eval1(s, pe->priority, t, y) : -INFINITY;
            if (isnan(pri))
                pri = -INFINITY;
            if (best >= 0 && pri == best_pri && pe->has_priority)
                n_tied++;
            if (best < 0 || pri > best_pri ||
                (pri == best_pri && s->pend[i].seq < s->pend[best].seq)) {
                if (best < 0 || pri > best_pri)
                    n_tied = 1;
                best = (long)i;
                best_pri = pri;
            }
        }
        if (best < 0)
            return MT_OK;
        if (n_tied > 1) {
            /* SBML: events due together with equal priorities execute in
             * random order. Draw one of them from the workspace's seeded
             * stream, so a run is reproducible. */
            size_t pick = (size_t)(next_random(s) % n_tied), k = 0;
            for (size_t i = 0; i < s->n_pend; i++) {
                if (s->pend[i].t_exec > t + eps || !s->p->ev[s->pend[i].ev].has_priority)
                    continue;
                double pri = eval1(s, s->p->ev[s->pend[i].ev].priority, t, y);
                if (pri == best_pri && k++ == pick) {
                    best = (long)i;
                    break;
                }
            }
        }
        pending q = s->pend[best];
        s->pend[best] = s->pend[--s->n_pend];
        mt_status st = MT_OK;
        if (s->sn)
            st = sens_execute(s, &q, t, y);
        else
            execute(s, &q, t, y);
        mt_free(s->ctx, q.values);
        mt_free(s->ctx, q.dvalues);
        mt_free(s->ctx, q.dtau);
        if (st != MT_OK)
            return st;
        *changed = 1;
        st = update_triggers(s, t, y);
        if (st != MT_OK)
            return st;
    }
}

static double next_pending(const mt_sim *s)
{
    double t = INFINITY;
    for (size_t i = 0; i < s->n_pend; i++)
        if (s->pend[i].t_exec < t)
            t = s->pend[i].t_exec;
    return t;
}

mt_status mt_sim_check_defined(mt_sim *s, double t0)
{
    const mt_program *p = s->p;
    s->n_hist = 0;
    s->pre_ready = 0;
    run_block(s, p->init, t0, NULL, NULL);
    for (size_t i = 0; i < p->n_pub; i++) {
        int slot = p->pub[i];
        const mt_pslot *q = &p->slot[slot];
        if (q->kind == MT_SYM_REACTION || q->kind == MT_SYM_SPECIES_REF)
            continue;
        if (isnan(s->vals[slot]))
            return mt_error(s->ctx, MT_EINVAL, "'%s' has no value at the start time", q->id);
    }
    return MT_OK;
}

/* ---------- results ---------- */

static double report(const mt_sim *s, const output *o)
{
    const mt_pslot *q = &s->p->slot[o->slot];
    double v = s->vals[o->slot];
    if (q->kind == MT_SYM_SPECIES) {
        if (o->how == MT_REPORT_AMOUNT && !q->hosu)
            v *= s->vals[q->comp];
        else if (o->how == MT_REPORT_CONCENTRATION && q->hosu)
            v /= s->vals[q->comp];
    }
    return v;
}

/* Marks dynamic rule slot q and the dynamic rules it reads (iteratively: no recursion depth
 * limit on long rule chains); s->need collects them. */
static void need_rule(mt_sim *s, int q)
{
    const mt_program *p = s->p;
    if (q < 0 || p->rule_pos[q] < 0 || s->mark[q])
        return;
    size_t first = s->n_need;
    s->mark[q] = 1;
    s->need[s->n_need++] = q;
    for (size_t i = first; i < s->n_need; i++) {
        int r = s->need[i];
        for (size_t k = p->dep_start[r]; k < p->dep_start[r + 1]; k++) {
            int d = p->deps[k];
            if (p->rule_pos[d] >= 0 && !s->mark[d]) {
                s->mark[d] = 1;
                s->need[s->n_need++] = d;
            }
        }
    }
}

static void need_state(mt_sim *s, int q)
{
    const mt_program *p = s->p;
    if (q >= 0 && p->slot[q].state >= 0 && !s->mark[q]) {
        s->mark[q] = 1;
        s->need_state[s->n_need_state++] = p->slot[q].state;
    }
}

/* The dynamic rules the outputs need, in topological order. */
static void plan_outputs(mt_sim *s)
{
    const mt_program *p = s->p;
    memset(s->mark, 0, p->n_slot);
    s->n_need = 0;
    for (size_t j = 0; j < s->n_out; j++) {
        const mt_pslot *q = &p->slot[s->out[j].slot];
        need_rule(s, s->out[j].slot);
        if (q->kind == MT_SYM_SPECIES && q->comp >= 0)
            need_rule(s, q->comp);
    }
    /* by topological position (insertion sort: the lists are short) */
    for (size_t i = 1; i < s->n_need; i++) {
        int v = s->need[i];
        size_t k = i;
        while (k > 0 && p->rule_pos[s->need[k - 1]] > p->rule_pos[v]) {
            s->need[k] = s->need[k - 1];
            k--;
        }
        s->need[k] = v;
    }
    /* the states they read (for the exact linear path, which computes only those) */
    memset(s->mark, 0, p->n_slot);
    s->n_need_state = 0;
    for (size_t j = 0; j < s->n_out; j++) {
        need_state(s, s->out[j].slot);
        need_state(s, p->slot[s->out[j].slot].comp);
    }
    for (size_t i = 0; i < s->n_need; i++)
        for (size_t k = p->dep_start[s->need[i]]; k < p->dep_start[s->need[i] + 1]; k++)
            need_state(s, p->deps[k]);
    s->need_ok = 1;
}

static void record(mt_sim *s, mt_result *r, size_t row, double t, const double *y)
{
    const mt_program *p = s->p;
    /* only the states the outputs read, directly or through their rules (plan_outputs): the
     * other state slots are not read here, and every block that reads them loads them first */
    for (size_t i = 0; i < s->n_need_state; i++) {
        int k = s->need_state[i];
        s->vals[p->state_slot[k]] = y[k];
    }
    if (s->use_native && p->nat.rule)
        for (size_t i = 0; i < s->n_need; i++)
            p->nat.rule[s->need[i]](s->vals, y, NULL, t, s->ovr_set, s->ovr_val);
    else
        for (size_t i = 0; i < s->n_need; i++)
            run_block(s, p->rule_block[s->need[i]], t, y, NULL);
    r->time[row] = t;
    for (size_t j = 0; j < s->n_out; j++)
        r->data[row * r->n_cols + j] = report(s, &s->out[j]);
}

static mt_status default_outputs(mt_sim *s)
{
    const mt_program *p = s->p;
    for (size_t i = 0; i < p->n_pub; i++) {
        const mt_pslot *q = &p->slot[p->pub[i]];
        int want = q->kind == MT_SYM_SPECIES ||
                   ((q->kind == MT_SYM_COMPARTMENT || q->kind == MT_SYM_PARAMETER) && !q->constant);
        if (want && mt_sim_add_output(s, q->id, MT_REPORT_DEFAULT) != MT_OK)
            return MT_ENOMEM;
    }
    return MT_OK;
}

static mt_result *result_new(mt_sim *s, size_t rows)
{
    mt_result *r = mt_calloc(s->ctx, 1, sizeof *r);
    if (!r)
        return NULL;
    r->n_rows = rows;
    r->n_cols = s->n_out;
    r->ids = mt_calloc(s->ctx, s->n_out, sizeof *r->ids);
    r->time = mt_calloc(s->ctx, rows, sizeof *r->time);
    r->data = mt_calloc(s->ctx, rows * (s->n_out ? s->n_out : 1), sizeof *r->data);
    if (!r->ids || !r->time || !r->data) {
        mt_result_destroy(r);
        return NULL;
    }
    for (size_t j = 0; j < s->n_out; j++) {
        r->ids[j] = mt_strdup(s->ctx, s->p->slot[s->out[j].slot].id);
        if (!r->ids[j]) {
            mt_result_destroy(r);
            return NULL;
        }
    }
    return r;
}

/* ---------- forward sensitivities ---------- */

/* A sensitivity run (mt_sim_run_doses_sens) keeps S = dy/dp for every state and parameter,
 * integrated by CVODES with the states (CVodeSensInit, staggered corrector, error control on
 * the sensitivities). The derivatives with respect to a parameter are taken in "worlds": a copy
 * of the values in which parameter i is moved by +-h_i and everything that follows from it
 * moves with it: the constants the initial values derive from it (the init block run once per
 * world at the start), the states (y +- h S_i), the values events set that are not states
 * ("discrete" slots, with their own sensitivities Sd), and the time of an event whose trigger
 * depends on the parameter (t +- h dtau). A central difference between the two worlds of a
 * parameter gives the total derivative of whatever is evaluated there: the right-hand side
 * (with y fixed: df/dp), an event's jump, an output. Costs per parameter: two init runs per
 * run, two right-hand sides per sensitivity right-hand side (plus one Jacobian for them all),
 * two rule passes per output time. h_i = cbrt(eps) |p_i| (1 for p_i = 0): the central
 * difference errs by O(h^2) relative, ~1e-10, well under the solver's tolerances. */
struct mt_sens {
    size_t np, ns, nd; /* parameters, states (>= 1), discrete slots */
    const int *par;
    double *sens; /* the caller's array */
    size_t n_out;
    double t0;
    double *h, *pbar;
    double *base; /* 2 x np worlds of the init block: world (i, -) at 2i, (i, +) at 2i + 1 */
    double *w, *yw;
    double *S;  /* np x ns */
    int *disc;  /* nd discrete slots */
    double *Sd; /* np x nd */
    double *dtau;
    size_t last_r; /* the last trigger comparison found as a root (n_roots: none), and when */
    double last_rt;
    double *f0, *f1, *keep, *o0, *vb, *g;
    int *rootsfound;
    N_Vector *yS;
    SUNContext yS_sun;
};

static double *sens_base(const mt_sens *sn, size_t i, int sgn, size_t n_slot)
{
    return sn->base + (2 * i + (sgn > 0)) * n_slot;
}

/* Enters world (i, sgn) at time t (moved by sgn h dt) with states y + sgn h (dir + f dt)
 * (dir, f may be NULL): s->vals points to the world's values until sens_leave. rules: run
 * every rule there (else only when discrete slots feed static rules; the right-hand side
 * block computes the dynamic ones itself). Returns the world's time. */
static double sens_enter(mt_sim *s, size_t i, int sgn, double t, const double *y, const double *dir,
                         double dt, const double *f, int rules)
{
    mt_sens *sn = s->sn;
    const mt_program *p = s->p;
    double hs = sgn * sn->h[i];
    memcpy(sn->w, sens_base(sn, i, sgn, p->n_slot), p->n_slot * sizeof *sn->w);
    for (size_t d = 0; d < sn->nd; d++)
        sn->w[sn->disc[d]] = s->vals[sn->disc[d]] + hs * sn->Sd[i * sn->nd + d];
    for (size_t k = 0; k < sn->ns; k++) {
        double v = dir ? dir[k] : 0.0;
        if (f && dt != 0.0)
            v += f[k] * dt;
        sn->yw[k] = y[k] + hs * v;
    }
    double tw = t + hs * dt;
    sn->keep = s->vals;
    s->vals = sn->w;
    if (rules || sn->nd)
        run_block(s, p->rules_all, tw, sn->yw, NULL);
    return tw;
}

static void sens_leave(mt_sim *s) { s->vals = s->sn->keep; }

/* f(t, y) with the nominal values, infusions included. */
static void sens_f(mt_sim *s, double t, const double *y, double *out)
{
    run_hot(s, s->p->nat.rhs, s->p->rhs, t, y, out);
    if (s->n_inf)
        for (size_t k = 0; k < s->p->n_state; k++)
            out[k] += s->inrate[k];
}

/* CVODES' sensitivity right-hand side for all parameters at once:
 * dS_i/dt = J S_i + df/dp_i, J the analytic Jacobian (one evaluation for all parameters) and
 * df/dp_i a central difference between the worlds of p_i at fixed y; without an analytic
 * Jacobian, the directional difference of f along (S_i, e_i) gives both terms at once. */
static int sens_rhs_fn(int ns, sunrealtype t, N_Vector y, N_Vector yd, N_Vector *yS, N_Vector *ySd,
                       void *ud, N_Vector tmp1, N_Vector tmp2)
{
    (void)yd;
    (void)tmp1;
    (void)tmp2;
    mt_sim *s = ud;
    mt_sens *sn = s->sn;
    const mt_program *p = s->p;
    const double *yy = N_VGetArrayPointer(y);
    size_t n = p->n_state;
    if (n == 0) {
        for (int i = 0; i < ns; i++)
            N_VConst(0.0, ySd[i]);
        return 0;
    }
    int jac = s->use_jac && p->has_jac;
    if (jac)
        run_hot(s, p->nat.jac, p->jac, t, yy, s->jbuf);
    for (size_t i = 0; i < (size_t)ns; i++) {
        const double *Si = N_VGetArrayPointer(yS[i]);
        double *out = N_VGetArrayPointer(ySd[i]);
        sens_enter(s, i, -1, t, yy, jac ? NULL : Si, 0.0, NULL, 0);
        run_hot(s, p->nat.rhs, p->rhs, t, sn->yw, sn->f0);
        sens_leave(s);
        sens_enter(s, i, 1, t, yy, jac ? NULL : Si, 0.0, NULL, 0);
        run_hot(s, p->nat.rhs, p->rhs, t, sn->yw, sn->f1);
        sens_leave(s);
        double inv = 0.5 / sn->h[i];
        for (size_t k = 0; k < n; k++)
            out[k] = (sn->f1[k] - sn->f0[k]) * inv;
        /* a zero sensitivity contributes nothing, also where the Jacobian entry is infinite
         * (x^g with g < 1 at x = 0, e.g. an Emax model with a Hill exponent below 1 before the
         * drug arrives): 0 * inf would poison the whole sensitivity with NaN */
        if (jac)
            for (size_t k = 0; k < p->n_jac; k++)
                if (Si[p->jac_col[k]] != 0)
                    out[p->jac_row[k]] += s->jbuf[k] * Si[p->jac_col[k]];
    }
    return 0;
}

/* The instant of the current stop does not move with the parameters (a dose, a delayed
 * execution, an output time: fixed times). */
static void sens_instant(mt_sim *s) { memset(s->sn->dtau, 0, s->sn->np * sizeof *s->sn->dtau); }

/* The worlds of the init block, S(t0) and Sd(t0) (after the nominal init, before events). */
static mt_status sens_start(mt_sim *s, double t0)
{
    mt_sens *sn = s->sn;
    const mt_program *p = s->p;
    sn->t0 = t0;
    sn->last_r = p->n_roots;
    for (size_t i = 0; i < sn->np; i++) {
        int slot = sn->par[i];
        double v = s->vals[slot], h = cbrt(DBL_EPSILON) * (v != 0 ? fabs(v) : 1.0);
        volatile double vh = v + h; /* a step the floating-point numbers represent exactly */
        sn->h[i] = vh - v;
        sn->pbar[i] = v != 0 ? fabs(v) : 1.0;
        unsigned char set = s->ovr_set[slot];
        double ov = s->ovr_val[slot], *keep = s->vals;
        for (int sgn = -1; sgn <= 1; sgn += 2) {
            s->ovr_set[slot] = 1;
            s->ovr_val[slot] = v + sgn * sn->h[i];
            s->vals = sens_base(sn, i, sgn, p->n_slot);
            run_block(s, p->init, t0, NULL, NULL);
        }
        s->vals = keep;
        s->ovr_set[slot] = set;
        s->ovr_val[slot] = ov;
        const double *lo = sens_base(sn, i, -1, p->n_slot), *hi = sens_base(sn, i, 1, p->n_slot);
        double inv = 0.5 / sn->h[i];
        for (size_t k = 0; k < sn->ns; k++)
            sn->S[i * sn->ns + k] =
                k < p->n_state ? (hi[p->state_slot[k]] - lo[p->state_slot[k]]) * inv : 0.0;
        for (size_t d = 0; d < sn->nd; d++)
            sn->Sd[i * sn->nd + d] = (hi[sn->disc[d]] - lo[sn->disc[d]]) * inv;
        if (!isfinite(sn->h[i]) || !isfinite(v))
            return mt_error(s->ctx, MT_EINVAL,
                            "sensitivity parameter '%s' has no finite value at the start time",
                            p->slot[slot].id);
    }
    sens_instant(s);
    return MT_OK;
}

/* After setup_cvode: S into CVODES (first time: CVodeSensInit; later CVodeSensReInit). */
static mt_status sens_setup(mt_sim *s, double t)
{
    mt_sens *sn = s->sn;
    int np = (int)sn->np;
    if (sn->yS && sn->yS_sun != s->sun) {
        N_VDestroyVectorArray(sn->yS, np);
        sn->yS = NULL;
    }
    if (!sn->yS) {
        sn->yS = N_VCloneVectorArray(np, s->y);
        if (!sn->yS)
            return mt_error(s->ctx, MT_ENOMEM, "out of memory creating the sensitivities");
        sn->yS_sun = s->sun;
    }
    for (size_t i = 0; i < sn->np; i++)
        memcpy(N_VGetArrayPointer(sn->yS[i]), sn->S + i * sn->ns, sn->ns * sizeof *sn->S);
    int f;
    if (s->cv_sens_ns == np) {
        f = CVodeSensReInit(s->cv, CV_STAGGERED, sn->yS);
    } else {
        if (s->cv_sens_ns)
            CVodeSensFree(s->cv);
        s->cv_sens_ns = 0;
        f = CVodeSensInit(s->cv, np, CV_STAGGERED, sens_rhs_fn, sn->yS);
        if (f == CV_SUCCESS)
            s->cv_sens_ns = np;
    }
    if (f == CV_SUCCESS)
        f = CVodeSetSensParams(s->cv, NULL, sn->pbar, NULL);
    if (f == CV_SUCCESS)
        f = CVodeSensEEtolerances(s->cv);
    if (f == CV_SUCCESS)
        f = CVodeSetSensErrCon(s->cv, SUNTRUE);
    if (f != CV_SUCCESS)
        return cv_fail(s, "sensitivity setup", f, t);
    return MT_OK;
}

/* The derivative of root function r along the solution, d g_r / dt = g_t + g_y f, by a central
 * difference in time (nominal values, restored). */
static double sens_root_rate(mt_sim *s, size_t r, double t, const double *y)
{
    mt_sens *sn = s->sn;
    const mt_program *p = s->p;
    double hl = 0;
    if (CVodeGetLastStep(s->cv, &hl) != CV_SUCCESS)
        hl = 0;
    double dt = cbrt(DBL_EPSILON) * fmax(fabs(t), fabs(hl));
    if (!(dt > 0))
        dt = cbrt(DBL_EPSILON);
    sens_f(s, t, y, sn->f0);
    double gv[2];
    for (int sgn = -1; sgn <= 1; sgn += 2) {
        memcpy(sn->w, s->vals, p->n_slot * sizeof *sn->w);
        for (size_t k = 0; k < p->n_state; k++)
            sn->yw[k] = y[k] + sgn * dt * sn->f0[k];
        double *keep = s->vals;
        s->vals = sn->w;
        run_hot(s, p->nat.rules_dyn, p->rules_dyn, t + sgn * dt, sn->yw, NULL);
        run_hot(s, p->nat.roots, p->roots, t + sgn * dt, sn->yw, sn->g);
        s->vals = keep;
        gv[sgn > 0] = sn->g[r];
    }
    return (gv[1] - gv[0]) / (2 * dt);
}

/* After each CVode return: S at t from CVODES; at a root, how the instant moves with each
 * parameter: dtau_i = -(g_y S_i + g_p_i) / (dg/dt) for the continuous root function g of a
 * trigger's comparison that was found (the first one, when several are found at once). The
 * solver may report the comparison's crossing one stop before the trigger's own root (the
 * trigger still false by a rounding error): a trigger root found alone uses the comparison
 * found just before it, at the same time to 1e-6 relative. */
static mt_status sens_fetch(mt_sim *s, int flag, double t, const double *y)
{
    mt_sens *sn = s->sn;
    const mt_program *p = s->p;
    double tret = t;
    int f = CVodeGetSens(s->cv, &tret, sn->yS);
    if (f != CV_SUCCESS)
        return cv_fail(s, "CVodeGetSens", f, t);
    for (size_t i = 0; i < sn->np; i++)
        memcpy(sn->S + i * sn->ns, N_VGetArrayPointer(sn->yS[i]), sn->ns * sizeof *sn->S);
    sens_instant(s);
    if (flag != CV_ROOT_RETURN || p->n_roots <= p->n_event)
        return MT_OK;
    if (CVodeGetRootInfo(s->cv, sn->rootsfound) != CV_SUCCESS)
        return MT_OK;
    size_t r = p->n_event;
    while (r < p->n_roots && !sn->rootsfound[r])
        r++;
    if (r < p->n_roots) {
        sn->last_r = r;
        sn->last_rt = t;
    } else if (sn->last_r < p->n_roots && fabs(t - sn->last_rt) <= 1e-6 * fmax(1.0, fabs(t))) {
        r = sn->last_r;
    } else {
        return MT_OK;
    }
    double rate = sens_root_rate(s, r, t, y);
    if (!isfinite(rate) || rate == 0.0)
        return MT_OK; /* a grazing crossing: its time has no derivative */
    for (size_t i = 0; i < sn->np; i++) {
        double gv[2];
        for (int sgn = -1; sgn <= 1; sgn += 2) {
            sens_enter(s, i, sgn, t, y, sn->S + i * sn->ns, 0.0, NULL, 1);
            run_hot(s, p->nat.roots, p->roots, t, sn->yw, sn->g);
            sens_leave(s);
            gv[sgn > 0] = sn->g[r];
        }
        double a = (gv[1] - gv[0]) / (2 * sn->h[i]);
        sn->dtau[i] = isfinite(a) ? -a / rate : 0.0;
    }
    return MT_OK;
}

/* At scheduling: how the execution time moves (the instant's dtau plus d delay / dp) and, for
 * an event that uses trigger-time values, their derivatives. */
static mt_status sens_schedule(mt_sim *s, pending *q, double t, const double *y)
{
    mt_sens *sn = s->sn;
    const mt_pevent *pe = &s->p->ev[q->ev];
    int moving = 0;
    for (size_t i = 0; i < sn->np; i++)
        moving |= sn->dtau[i] != 0.0;
    int want_vals = q->values != NULL;
    if (!moving && !pe->has_delay && !want_vals)
        return MT_OK;
    q->dtau = mt_calloc(s->ctx, sn->np, sizeof *q->dtau);
    if (want_vals)
        q->dvalues = mt_calloc(s->ctx, pe->n_asg * sn->np, sizeof *q->dvalues);
    if (!q->dtau || (want_vals && !q->dvalues))
        return mt_error(s->ctx, MT_ENOMEM, "out of memory");
    if (moving)
        sens_f(s, t, y, sn->f0);
    for (size_t i = 0; i < sn->np; i++) {
        double dl[2] = {0, 0}, inv = 0.5 / sn->h[i];
        for (int sgn = -1; sgn <= 1; sgn += 2) {
            double tw = sens_enter(s, i, sgn, t, y, sn->S + i * sn->ns, sn->dtau[i],
                                   moving ? sn->f0 : NULL, 1);
            if (pe->has_delay)
                dl[sgn > 0] = eval1(s, pe->delay, tw, sn->yw);
            if (want_vals) {
                run_block(s, pe->assign, tw, sn->yw, sn->vb);
                for (size_t j = 0; j < pe->n_asg; j++)
                    q->dvalues[j * sn->np + i] += sgn * sn->vb[j] * inv;
            }
            sens_leave(s);
        }
        q->dtau[i] = sn->dtau[i] + (dl[1] - dl[0]) * inv;
        if (!isfinite(q->dtau[i]))
            q->dtau[i] = 0.0;
    }
    return MT_OK;
}

/* One execution with its sensitivity jump: S+ = dH/dy (S + f- dtau) + dH/dp + dH/dt dtau
 * - f+ dtau, the derivative of the jump H taken between the two worlds of each parameter
 * (each at its own time and state), then the nominal execution. Events the execution
 * triggers (a cascade) move with it. */
static mt_status sens_execute(mt_sim *s, pending *q, double t, double *y)
{
    mt_sens *sn = s->sn;
    const mt_program *p = s->p;
    const mt_pevent *pe = &p->ev[q->ev];
    size_t ns = sn->ns, nd = sn->nd;
    if (q->dtau)
        memcpy(sn->dtau, q->dtau, sn->np * sizeof *sn->dtau);
    else
        sens_instant(s);
    int moving = 0;
    for (size_t i = 0; i < sn->np; i++)
        moving |= sn->dtau[i] != 0.0;
    if (moving)
        sens_f(s, t, y, sn->f0);
    double *hi = sn->f1; /* the + world's states, then its discrete values (ns + nd) */
    for (size_t i = 0; i < sn->np; i++) {
        double inv = 0.5 / sn->h[i];
        for (int sgn = 1; sgn >= -1; sgn -= 2) {
            double tw =
                sens_enter(s, i, sgn, t, y, sn->S + i * ns, sn->dtau[i], moving ? sn->f0 : NULL, 1);
            const double *v = sn->vb;
            if (q->values) {
                for (size_t j = 0; j < pe->n_asg; j++)
                    sn->vb[j] = q->values[j] +
                                sgn * sn->h[i] * (q->dvalues ? q->dvalues[j * sn->np + i] : 0.0);
            } else {
                run_block(s, pe->assign, tw, sn->yw, sn->vb);
            }
            for (int pass = 0; pass < 2; pass++)
                for (size_t j = 0; j < pe->n_asg; j++) {
                    int slot = pe->targets[j];
                    if ((p->slot[slot].kind == MT_SYM_COMPARTMENT) == (pass == 1))
                        apply_value(s, sn->yw, slot, v[j]);
                }
            run_block(s, p->rules_all, tw, sn->yw, NULL);
            if (sgn > 0) {
                memcpy(hi, sn->yw, ns * sizeof *hi);
                for (size_t d = 0; d < nd; d++)
                    hi[ns + d] = sn->w[sn->disc[d]];
            } else {
                for (size_t k = 0; k < ns; k++)
                    sn->S[i * ns + k] = (hi[k] - sn->yw[k]) * inv;
                for (size_t d = 0; d < nd; d++)
                    sn->Sd[i * nd + d] = (hi[ns + d] - sn->w[sn->disc[d]]) * inv;
            }
            sens_leave(s);
        }
    }
    execute(s, q, t, y);
    if (moving) {
        sens_f(s, t, y, sn->f0);
        for (size_t i = 0; i < sn->np; i++)
            for (size_t k = 0; k < p->n_state; k++)
                sn->S[i * ns + k] -= sn->f0[k] * sn->dtau[i];
    }
    return MT_OK;
}

/* Output sensitivities at output row k: the outputs of the two worlds of each parameter. */
static void sens_record(mt_sim *s, size_t row, double t, const double *y)
{
    mt_sens *sn = s->sn;
    for (size_t i = 0; i < sn->np; i++) {
        double inv = 0.5 / sn->h[i];
        sens_enter(s, i, -1, t, y, sn->S + i * sn->ns, 0.0, NULL, 1);
        for (size_t j = 0; j < sn->n_out; j++)
            sn->o0[j] = report(s, &s->out[j]);
        sens_leave(s);
        sens_enter(s, i, 1, t, y, sn->S + i * sn->ns, 0.0, NULL, 1);
        for (size_t j = 0; j < sn->n_out; j++)
            sn->sens[(row * sn->n_out + j) * sn->np + i] =
                (report(s, &s->out[j]) - sn->o0[j]) * inv;
        sens_leave(s);
    }
}

static void sens_free(mt_sim *s, mt_sens *sn)
{
    if (!sn)
        return;
    if (sn->yS)
        N_VDestroyVectorArray(sn->yS, (int)sn->np);
    mt_free(s->ctx, sn->h);
    mt_free(s->ctx, sn->pbar);
    mt_free(s->ctx, sn->base);
    mt_free(s->ctx, sn->w);
    mt_free(s->ctx, sn->yw);
    mt_free(s->ctx, sn->S);
    mt_free(s->ctx, sn->disc);
    mt_free(s->ctx, sn->Sd);
    mt_free(s->ctx, sn->dtau);
    mt_free(s->ctx, sn->f0);
    mt_free(s->ctx, sn->f1);
    mt_free(s->ctx, sn->o0);
    mt_free(s->ctx, sn->vb);
    mt_free(s->ctx, sn->g);
    mt_free(s->ctx, sn->rootsfound);
    mt_free(s->ctx, sn);
}

/* The run's sensitivity state: buffers, and the discrete slots (what an event may set that is
 * neither a state nor recomputed by a rule: a target, or the amount slot of a target
 * species). */
static mt_status sens_new(mt_sim *s, const int *par, size_t np, double *sens, mt_sens **out)
{
    const mt_program *p = s->p;
    *out = NULL;
    mt_sens *sn = mt_calloc(s->ctx, 1, sizeof *sn);
    if (!sn)
        return mt_error(s->ctx, MT_ENOMEM, "out of memory");
    sn->np = np;
    sn->par = par;
    sn->sens = sens;
    sn->n_out = s->n_out;
    sn->ns = p->n_state ? p->n_state : 1;
    size_t nasg = 1, nslot = p->n_slot ? p->n_slot : 1;
    unsigned char *mark = mt_calloc(s->ctx, nslot, 1);
    sn->disc = mt_calloc(s->ctx, nslot, sizeof *sn->disc);
    if (mark && sn->disc)
        for (size_t e = 0; e < p->n_event; e++) {
            const mt_pevent *pe = &p->ev[e];
            if (pe->n_asg > nasg)
                nasg = pe->n_asg;
            for (size_t j = 0; j < pe->n_asg; j++) {
                int c[2] = {pe->targets[j], p->slot[pe->targets[j]].amt};
                for (int k = 0; k < 2; k++)
                    if (c[k] >= 0 && !mark[c[k]] && p->slot[c[k]].state < 0 &&
                        p->slot[c[k]].rule < 0) {
                        mark[c[k]] = 1;
                        sn->disc[sn->nd++] = c[k];
                    }
            }
        }
    int mark_ok = mark != NULL;
    mt_free(s->ctx, mark);
    sn->h = mt_calloc(s->ctx, np, sizeof *sn->h);
    sn->pbar = mt_calloc(s->ctx, np, sizeof *sn->pbar);
    sn->base = mt_calloc(s->ctx, 2 * np * nslot, sizeof *sn->base);
    sn->w = mt_calloc(s->ctx, nslot, sizeof *sn->w);
    sn->yw = mt_calloc(s->ctx, sn->ns, sizeof *sn->yw);
    sn->S = mt_calloc(s->ctx, np * sn->ns, sizeof *sn->S);
    sn->Sd = mt_calloc(s->ctx, np * (sn->nd ? sn->nd : 1), sizeof *sn->Sd);
    sn->dtau = mt_calloc(s->ctx, np, sizeof *sn->dtau);
    sn->f0 = mt_calloc(s->ctx, sn->ns, sizeof *sn->f0);
    sn->f1 = mt_calloc(s->ctx, sn->ns + sn->nd, sizeof *sn->f1);
    sn->o0 = mt_calloc(s->ctx, s->n_out ? s->n_out : 1, sizeof *sn->o0);
    sn->vb = mt_calloc(s->ctx, nasg, sizeof *sn->vb);
    sn->g = mt_calloc(s->ctx, p->n_roots ? p->n_roots : 1, sizeof *sn->g);
    sn->rootsfound = mt_calloc(s->ctx, p->n_roots ? p->n_roots : 1, sizeof *sn->rootsfound);
    if (!mark_ok || !sn->disc || !sn->h || !sn->pbar || !sn->base || !sn->w || !sn->yw || !sn->S ||
        !sn->Sd || !sn->dtau || !sn->f0 || !sn->f1 || !sn->o0 || !sn->vb || !sn->g ||
        !sn->rootsfound) {
        sens_free(s, sn);
        return mt_error(s->ctx, MT_ENOMEM, "out of memory");
    }
    *out = sn;
    return MT_OK;
}

/* ---------- the run ---------- */

/* The output times of a run: n_steps + 1 evenly spaced over [t0, t_end] (times NULL), or the
 * n_rows given times (ascending, the first >= t0). */
typedef struct {
    double t0, t_end;
    long n_steps;
    const double *times;
    size_t n_rows;
} out_grid;

/* Output time k (the last one of an even grid exactly t_end). */
static double grid_time(const out_grid *g, size_t k)
{
    if (g->times)
        return g->times[k];
    if (k == 0)
        return g->t0;
    return (long)k == g->n_steps ? g->t_end
                                 : g->t0 + (double)k * (g->t_end - g->t0) / (double)g->n_steps;
}

/* ---------- doses ---------- */

int mt_sim_find_dose_target(const mt_sim *s, const char *id)
{
    int slot = id ? find_public(s->p, id) : -1;
    if (slot < 0)
        return -1;
    const mt_pslot *q = &s->p->slot[slot];
    int st = q->amt >= 0 ? s->p->slot[q->amt].state : q->state;
    if (q->kind != MT_SYM_SPECIES && q->kind != MT_SYM_PARAMETER && q->kind != MT_SYM_COMPARTMENT)
        return -2;
    return st >= 0 ? st : -2;
}

/* The time of the next dose to give or infusion to end (INFINITY: none). */
static double next_dose_stop(const mt_sim *s)
{
    double t = s->next_dose < s->n_doses ? s->doses[s->next_dose].time : INFINITY;
    for (size_t i = 0; i < s->n_inf; i++)
        if (s->inf[i].t_end < t)
            t = s->inf[i].t_end;
    return t;
}

/* Gives the doses due at t (boluses into y, infusions started) and ends the infusions due;
 * *changed 1 when anything happened. */
static mt_status give_doses(mt_sim *s, double t, double *y, int *changed)
{
    double eps = 1e-12 * (fabs(t) > 1 ? fabs(t) : 1);
    for (size_t i = s->n_inf; i-- > 0;)
        if (s->inf[i].t_end <= t + eps) {
            s->inrate[s->inf[i].state] -= s->inf[i].rate;
            s->inf[i] = s->inf[--s->n_inf];
            *changed = 1;
        }
    if (s->n_inf == 0 && s->inrate)
        memset(s->inrate, 0, s->p->n_state * sizeof *s->inrate);
    while (s->next_dose < s->n_doses && s->doses[s->next_dose].time <= t + eps) {
        const mt_sim_dose *d = &s->doses[s->next_dose++];
        size_t k = (size_t)d->target;
        *changed = 1;
        if (d->duration <= 0) {
            y[k] += d->amount;
            continue;
        }
        if (s->n_inf == s->cap_inf) {
            size_t nc = s->cap_inf ? s->cap_inf * 2 : 8;
            struct mt_infusion *n = mt_realloc(s->ctx, s->inf, nc * sizeof *n);
            if (!n)
                return mt_error(s->ctx, MT_ENOMEM, "out of memory");
            s->inf = n;
            s->cap_inf = nc;
        }
        double rate = d->amount / d->duration;
        s->inf[s->n_inf++] = (struct mt_infusion){d->time + d->duration, k, rate};
        s->inrate[k] += rate;
    }
    return MT_OK;
}

/* The exact path (solve/lti.c) for a linear time-invariant model without events: y' = A y + b
 * with A the constant Jacobian and b = f(y0) - A y0. *used: 0 when the model does not
 * qualify or A is (nearly) defective (the caller then integrates numerically). */
/* The exact path with doses: between two dose events (a bolus, an infusion's start or end)
 * the model is y' = A y + b + rate; at each one the state jumps (bolus) or the input changes
 * (infusion), and the solution restarts from there with the same decomposition. Outputs at a
 * dose time report the value before the dose, as on the ODE path. y: the full state at t0. */
static mt_status exact_doses(mt_sim *s, mt_result *r, const out_grid *g, double *y, const double *b)
{
    size_t n = s->p->n_state;
    double *bb = mt_calloc(s->ctx, n, sizeof *bb);
    if (!bb)
        return mt_error(s->ctx, MT_ENOMEM, "out of memory");
    mt_status st = MT_OK;
    double t = g->t0;
    for (size_t k = 0; k < g->n_rows && st == MT_OK; k++) {
        double tout = grid_time(g, k);
        while (t < tout && st == MT_OK) {
            double ts = next_dose_stop(s);
            if (ts <= t) { /* doses due now: jump, new input, restart */
                int changed = 0;
                if ((st = give_doses(s, t, y, &changed)) != MT_OK)
                    break;
                for (size_t i = 0; i < n; i++)
                    bb[i] = b[i] + (s->n_inf ? s->inrate[i] : 0.0);
                st = mt_lti_restart(s->lti, y, bb);
                continue;
            }
            double target = ts < tout ? ts : tout;
            mt_lti_step_prepare(s->lti, target - t);
            mt_lti_advance(s->lti);
            for (size_t i = 0; i < n; i++)
                y[i] = mt_lti_state(s->lti, i);
            t = target;
        }
        if (st == MT_OK)
            record(s, r, k, tout, y);
    }
    mt_free(s->ctx, bb);
    return st;
}

static mt_status integrate_exact(mt_sim *s, mt_result *r, const out_grid *g, const double *y0,
                                 int *used)
{
    const mt_program *p = s->p;
    size_t n = p->n_state;
    double t0 = g->t0;
    *used = 0;
    if (!s->use_exact || !p->jac_constant || p->n_event > 0 || p->n_delay > 0 || n == 0 ||
        n > MT_LTI_MAX)
        return MT_OK;
    if (!s->lti) {
        mt_status st = mt_lti_create(s->ctx, n, &s->lti);
        if (st != MT_OK)
            return st;
        s->lti_a = mt_calloc(s->ctx, n * n, sizeof *s->lti_a);
        s->lti_b = mt_calloc(s->ctx, n, sizeof *s->lti_b);
        s->lti_y = mt_calloc(s->ctx, n, sizeof *s->lti_y);
        if (!s->lti_a || !s->lti_b || !s->lti_y)
            return mt_error(s->ctx, MT_ENOMEM, "out of memory");
    }
    double *A = s->lti_a, *b = s->lti_b, *y = s->lti_y;
    run_hot(s, p->nat.jac, p->jac, t0, y0, s->jbuf);
    memset(A, 0, n * n * sizeof *A);
    for (size_t k = 0; k < p->n_jac; k++)
        A[(size_t)p->jac_row[k] * n + (size_t)p->jac_col[k]] = s->jbuf[k];
    run_hot(s, p->nat.rhs, p->rhs, t0, y0, b);
    for (size_t i = 0; i < n * n; i++)
        if (!isfinite(A[i]))
            return MT_OK;
    for (size_t i = 0; i < n; i++) {
        double ay = 0;
        for (size_t j = 0; j < n; j++)
            ay += A[i * n + j] * y0[j];
        b[i] -= ay;
        if (!isfinite(b[i]))
            return MT_OK;
    }
    if (mt_lti_setup(s->lti, A, y0, b) != MT_OK)
        return MT_OK; /* (nearly) defective: numerical integration */
    *used = 1;
    memcpy(y, y0, n * sizeof *y);
    if (s->n_doses > 0)
        return exact_doses(s, r, g, y, b);
    double t = t0, h_prep = NAN;
    if (!g->times && g->n_steps > 0)
        mt_lti_step_prepare(s->lti, h_prep = (g->t_end - t0) / (double)g->n_steps);
    for (size_t k = 0; k < g->n_rows; k++) {
        double tout = grid_time(g, k);
        if (tout > t) {
            if (g->times && tout - t != h_prep)
                mt_lti_step_prepare(s->lti, h_prep = tout - t);
            mt_lti_advance(s->lti);
            for (size_t i = 0; i < s->n_need_state; i++) {
                size_t q = (size_t)s->need_state[i];
                y[q] = mt_lti_state(s->lti, q);
            }
            t = tout;
        }
        record(s, r, k, tout, y);
    }
    return MT_OK;
}

/* One step of the solver for a model with delay() (its history needs every step), or the
 * interpolation to target when the last step already went past it. The point where the
 * step ends goes into the history. Returns the solver's flag; *st an error of the history. */
static int step_delay(mt_sim *s, double target, double *tret, mt_status *st)
{
    *st = MT_OK;
    if (target - s->t_solver <= 4.0 * DBL_EPSILON * fmax(fabs(target), 1.0) &&
        target >= s->t_solver && s->t_solver == *tret) {
        *tret = target; /* an event or root just short of target: no step to take */
        return CV_SUCCESS;
    }
    if (s->t_solver >= target) {
        int f = CVodeGetDky(s->cv, target, 0, s->y);
        *tret = target;
        return f;
    }
    int f = CVode(s->cv, target, s->y, tret, CV_ONE_STEP);
    if (f < 0)
        return f;
    s->t_solver = *tret;
    if ((*st = hist_record(s, *tret, N_VGetArrayPointer(s->y), 0)) != MT_OK)
        return f;
    if (*tret > target) {
        int g = CVodeGetDky(s->cv, target, 0, s->y);
        *tret = target;
        if (g < 0)
            return g;
    }
    return f;
}

static mt_status integrate(mt_sim *s, mt_result *r, const out_grid *g)
{
    const mt_program *p = s->p;
    double t0 = g->t0, t_end = grid_time(g, g->n_rows - 1);
    mt_status st;
    /* initial values (delay(): no history yet, the values at the start) */
    s->n_hist = 0;
    s->pre_ready = 0;
    run_block(s, p->init, t0, NULL, NULL);
    st = ensure_vectors(s);
    if (st != MT_OK)
        return st;
    double *y = N_VGetArrayPointer(s->y);
    for (size_t i = 0; i < s->n_eq; i++)
        y[i] = i < p->n_state ? s->vals[p->state_slot[i]] : 0.0;
    if (p->n_delay && (st = pre_start(s, t0)) != MT_OK)
        return st;
    run_block(s, p->rules_all, t0, y, NULL);
    for (size_t q = 0; p->n_alg && q < p->n_slot; q++)
        if (p->slot[q].alg && !isfinite(s->vals[q])) {
            int sp = p->slot[q].amt_of >= 0 ? p->slot[q].amt_of : (int)q;
            return mt_error(s->ctx, MT_ESOLVER,
                            "the algebraic rules (or fast reactions) do not determine '%s' at "
                            "t=%g: their equations are singular there, or their inputs have "
                            "no value",
                            p->slot[sp].id, t0);
        }
    clear_pending(s);
    if (s->sn && (st = sens_start(s, t0)) != MT_OK)
        return st;
    if (p->n_delay) {
        /* the history resolves the delayed values to the output spacing and finer */
        s->delay_hmax = (t_end - t0) / 200.0;
        if ((st = hist_record(s, t0, y, 0)) != MT_OK)
            return st;
    }
    s->seq = 0;
    s->rng = s->seed;
    for (size_t e = 0; e < p->n_event; e++)
        s->prev[e] = (unsigned char)p->ev[e].initial_value;
    int changed = 0;
    if ((st = update_triggers(s, t0, y)) != MT_OK ||
        (st = process_events(s, t0, y, &changed)) != MT_OK ||
        (p->n_delay && changed && (st = hist_record(s, t0, y, 1)) != MT_OK))
        return st;
    int exact = 0;
    if ((st = integrate_exact(s, r, g, y, &exact)) != MT_OK)
        return st;
    s->last_path = exact ? MT_PATH_EXACT : MT_PATH_ODE;
    if (exact)
        return MT_OK;
    s->run_sparse = want_sparse(s);
    if ((st = setup_cvode(s, t0)) != MT_OK || (s->sn && (st = sens_setup(s, t0)) != MT_OK))
        return st;
    s->last_linsol = s->cv_sparse ? MT_LINSOL_SPARSE : MT_LINSOL_DENSE;
    y = N_VGetArrayPointer(s->y);

    double t = t0;
    for (size_t k = 0; k < g->n_rows; k++) {
        double tout = grid_time(g, k);
        /* Each pass stops the solver at a root, an event or a dose and restarts it.
         * A root that the solver reports again and again without getting
         * on (one closer to the current time than it resolves) would
         * otherwise spin here forever: bound the passes like the steps. */
        long passes = 0;
        while (t < tout) {
            if (++passes > s->max_steps)
                return mt_error(s->ctx, MT_ELIMIT,
                                "more than %ld event stops between two outputs at t=%g "
                                "(events or their trigger roots repeat without end)",
                                s->max_steps, t);
            if (s->sn)
                sens_instant(s);
            if (next_dose_stop(s) <= t) { /* doses due now, before the solver goes on */
                changed = 0;
                if ((st = give_doses(s, t, y, &changed)) != MT_OK)
                    return st;
                run_block(s, p->rules_all, t, y, NULL);
                if ((st = update_triggers(s, t, y)) != MT_OK ||
                    (st = process_events(s, t, y, &changed)) != MT_OK ||
                    (p->n_delay && changed && (st = hist_record(s, t, y, 1)) != MT_OK) ||
                    (st = setup_cvode(s, t)) != MT_OK ||
                    (s->sn && (st = sens_setup(s, t)) != MT_OK))
                    return st;
                y = N_VGetArrayPointer(s->y);
                continue;
            }
            double tev = next_pending(s), tdose = next_dose_stop(s);
            if (tdose < tev)
                tev = tdose;
            double tstop = tev < t_end ? tev : t_end;
            double target = tev < tout ? tev : tout;
            int f = CVodeSetStopTime(s->cv, tstop);
            if (f != CV_SUCCESS)
                return cv_fail(s, "CVodeSetStopTime", f, t);
            double tret = t;
            s->cv_msg[0] = '\0';
            st = MT_OK;
            if (p->n_delay)
                f = step_delay(s, target, &tret, &st);
            else
                f = CVode(s->cv, target, s->y, &tret, CV_NORMAL);
            if (st != MT_OK)
                return st;
            if (f < 0)
                return cv_fail(s, "CVode", f, t);
            y = N_VGetArrayPointer(s->y);
            t = tret;
            if (s->sn && (st = sens_fetch(s, f, t, y)) != MT_OK)
                return st;
            if (f == CV_ROOT_RETURN || t >= tev) {
                run_block(s, p->rules_all, t, y, NULL);
                changed = 0;
                if ((st = update_triggers(s, t, y)) != MT_OK ||
                    (st = process_events(s, t, y, &changed)) != MT_OK ||
                    (p->n_delay && changed && (st = hist_record(s, t, y, 1)) != MT_OK))
                    return st;
                if ((st = setup_cvode(s, t)) != MT_OK ||
                    (s->sn && (st = sens_setup(s, t)) != MT_OK))
                    return st;
            }
        }
        record(s, r, k, tout, y);
        if (s->sn)
            sens_record(s, k, tout, y);
    }
    return MT_OK;
}

/* The common part of mt_sim_run and mt_sim_run_doses. */
/* A value that algebraic rules determine is never reported as NaN or infinite: there the
 * equations were singular (a coefficient zero: a fast reaction switched off, say) or their
 * inputs had no value. An error, not a number (model/algebraic.h). */
static mt_status check_algebraic(mt_sim *s, const mt_result *r)
{
    const mt_program *p = s->p;
    for (size_t j = 0; j < s->n_out; j++) {
        const mt_pslot *q = &p->slot[s->out[j].slot];
        if (!q->alg && !(q->amt >= 0 && p->slot[q->amt].alg))
            continue;
        for (size_t k = 0; k < r->n_rows; k++)
            if (!isfinite(r->data[k * r->n_cols + j]))
                return mt_error(s->ctx, MT_ESOLVER,
                                "the algebraic rules (or fast reactions) do not determine '%s' at "
                                "t=%g: their equations are singular there, or their inputs have "
                                "no value",
                                q->id, r->time[k]);
    }
    return MT_OK;
}

static mt_status run_grid(mt_sim *s, const out_grid *g, mt_result **out)
{
    if (s->n_out == 0 && default_outputs(s) != MT_OK)
        return mt_error(s->ctx, MT_ENOMEM, "out of memory");
    if (!s->need_ok)
        plan_outputs(s);
    mt_result *r = result_new(s, g->n_rows);
    if (!r)
        return mt_error(s->ctx, MT_ENOMEM, "out of memory");
    s->next_dose = 0;
    s->n_inf = 0;
    if (s->inrate)
        memset(s->inrate, 0, s->p->n_state * sizeof *s->inrate);
    mt_status st = integrate(s, r, g);
    if (st == MT_OK && s->p->n_alg)
        st = check_algebraic(s, r);
    clear_pending(s);
    s->doses = NULL;
    s->n_doses = 0;
    s->n_inf = 0;
    if (st != MT_OK) {
        mt_result_destroy(r);
        return st;
    }
    *out = r;
    return MT_OK;
}

mt_status mt_sim_run_doses(mt_sim *s, double t0, const mt_sim_dose *doses, size_t n_doses,
                           const double *times, size_t n_times, mt_result **out)
{
    *out = NULL;
    if (n_times == 0 || !times)
        return mt_error(s->ctx, MT_EINVAL, "no output times");
    if (n_times > 100000000UL)
        return mt_error(s->ctx, MT_ELIMIT, "too many output times (%zu)", n_times);
    if (!isfinite(t0))
        return mt_error(s->ctx, MT_EINVAL, "start time %g is not finite", t0);
    for (size_t k = 0; k < n_times; k++)
        if (!isfinite(times[k]) || times[k] < (k ? times[k - 1] : t0))
            return mt_error(
                s->ctx, MT_EINVAL, "output time %zu (%g) is not finite or comes before %s (%g)", k,
                times[k], k ? "the one before it" : "the start time", k ? times[k - 1] : t0);
    for (size_t i = 0; i < n_doses; i++) {
        const mt_sim_dose *d = &doses[i];
        if (!isfinite(d->time) || d->time < t0 || (i && d->time < doses[i - 1].time))
            return mt_error(s->ctx, MT_EINVAL,
                            "dose %zu: time %g is not finite, before the start time %g or before "
                            "the dose before it (doses must be sorted by time)",
                            i, d->time, t0);
        if (!isfinite(d->amount) || !isfinite(d->duration) || d->duration < 0)
            return mt_error(s->ctx, MT_EINVAL,
                            "dose %zu: amount %g or duration %g is not a finite number (duration "
                            ">= 0)",
                            i, d->amount, d->duration);
        if (d->target < 0 || (size_t)d->target >= s->p->n_state)
            return mt_error(s->ctx, MT_EINVAL,
                            "dose %zu: target %d is not a state (use mt_sim_find_dose_target)", i,
                            d->target);
    }
    if (n_doses && !s->inrate) {
        s->inrate = mt_calloc(s->ctx, s->p->n_state ? s->p->n_state : 1, sizeof *s->inrate);
        if (!s->inrate)
            return mt_error(s->ctx, MT_ENOMEM, "out of memory");
    }
    s->doses = doses;
    s->n_doses = n_doses;
    out_grid g = {t0, times[n_times - 1], 0, times, n_times};
    return run_grid(s, &g, out);
}

mt_status mt_sim_run_doses_sens(mt_sim *s, double t0, const mt_sim_dose *doses, size_t n_doses,
                                const double *times, size_t n_times, const int *par, size_t n_par,
                                mt_result **out, double *sens)
{
    *out = NULL;
    if (n_par == 0)
        return mt_sim_run_doses(s, t0, doses, n_doses, times, n_times, out);
    if (!par || !sens)
        return mt_error(s->ctx, MT_EINVAL,
                        "no parameter indices or no array for the sensitivities");
    if (n_par > 100000)
        return mt_error(s->ctx, MT_ELIMIT, "too many sensitivity parameters (%zu)", n_par);
    const mt_program *p = s->p;
    for (size_t i = 0; i < n_par; i++) {
        int k = par[i];
        if (k < 0 || (size_t)k >= p->n_slot || !p->slot[k].is_public)
            return mt_error(s->ctx, MT_EINVAL,
                            "sensitivity parameter %zu: %d is not the index of a settable symbol "
                            "(see mt_sim_find)",
                            i, k);
        if (!settable(&p->slot[k]))
            return mt_error(s->ctx, MT_EINVAL,
                            "sensitivity parameter %zu: '%s' cannot be set (a reaction or the "
                            "target of an assignment rule), so it has no sensitivity",
                            i, p->slot[k].id);
    }
    if (p->n_delay)
        return mt_error(s->ctx, MT_EUNSUPPORTED,
                        "sensitivities of a model with delay() are not supported (the history's "
                        "sensitivities are not kept)");
    if (s->n_out == 0 && default_outputs(s) != MT_OK)
        return mt_error(s->ctx, MT_ENOMEM, "out of memory");
    mt_sens *sn = NULL;
    mt_status st = sens_new(s, par, n_par, sens, &sn);
    if (st != MT_OK)
        return st;
    int exact = s->use_exact;
    s->use_exact = 0; /* the exact path has no sensitivities */
    s->sn = sn;
    st = mt_sim_run_doses(s, t0, doses, n_doses, times, n_times, out);
    s->sn = NULL;
    s->use_exact = exact;
    if (s->cv && s->cv_sens_ns)
        (void)CVodeSensToggleOff(s->cv); /* later plain runs integrate the states only */
    sens_free(s, sn);
    return st;
}

mt_status mt_sim_run(mt_sim *s, double t0, double t_end, long n_steps, mt_result **out)
{
    *out = NULL;
    if (n_steps < 0)
        return mt_error(s->ctx, MT_EINVAL, "number of steps must be >= 0, got %ld", n_steps);
    if (!isfinite(t0) || !isfinite(t_end) || t_end < t0 || (n_steps > 0 && t_end == t0))
        return mt_error(s->ctx, MT_EINVAL, "end time %g must be after start time %g", t_end, t0);
    if (n_steps > 100000000L)
        return mt_error(s->ctx, MT_ELIMIT, "too many output steps (%ld)", n_steps);
    out_grid g = {t0, t_end, n_steps, NULL, (size_t)n_steps + 1};
    return run_grid(s, &g, out);
}

size_t mt_result_n_rows(const mt_result *r) { return r->n_rows; }
size_t mt_result_n_cols(const mt_result *r) { return r->n_cols; }
const char *mt_result_col_id(const mt_result *r, size_t col)
{
    return col < r->n_cols ? r->ids[col] : NULL;
}
double mt_result_time(const mt_result *r, size_t row) { return r->time[row]; }
double mt_result_value(const mt_result *r, size_t row, size_t col)
{
    return r->data[row * r->n_cols + col];
}
const double *mt_result_data(const mt_result *r) { return r->data; }

void mt_result_destroy(mt_result *r)
{
    if (!r)
        return;
    for (size_t j = 0; r->ids && j < r->n_cols; j++)
        mt_free(NULL, r->ids[j]);
    mt_free(NULL, r->ids);
    mt_free(NULL, r->time);
    mt_free(NULL, r->data);
    mt_free(NULL, r);
}

int mt_sim_symbol_dynamic(const mt_sim *s, const char *id)
{
    const mt_program *p = s->p;
    int slot = id ? find_public(p, id) : -1;
    if (slot < 0)
        return -1;
    const mt_pslot *q = &p->slot[slot];
    if (q->state >= 0 || (q->amt >= 0 && p->slot[q->amt].state >= 0) || p->rule_pos[slot] >= 0 ||
        q->kind == MT_SYM_REACTION)
        return 1;
    return 0;
}
