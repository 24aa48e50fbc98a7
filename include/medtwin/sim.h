/* SPDX-License-Identifier: Apache-2.0
 *
 * medtwin/sim.h — compiling a model into an immutable program and simulating
 * it on SUNDIALS CVODES.
 *
 * mt_program: the compiled form of a model (bytecode for initial values,
 * rules, reaction rates, derivatives, event triggers/delays/priorities and
 * assignments). Immutable; share it between threads.
 * mt_sim: one simulation workspace over a program (solver memory, values,
 * event queue). Not thread-safe; one per thread. Parameter and initial-value
 * overrides are kept until changed and apply to every run.
 */
#ifndef MEDTWIN_SIM_H
#define MEDTWIN_SIM_H

#include "model.h"

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mt_program mt_program;
typedef struct mt_sim mt_sim;
typedef struct mt_result mt_result;

/* Compiles m. The program keeps its own copy of what it needs; m may be
 * destroyed afterwards. OUT: *out. */
MT_NODISCARD mt_status mt_program_create(mt_ctx *ctx, const mt_model *m, mt_program **out);
void mt_program_destroy(mt_program *p);

/* Native code: the right-hand side, the analytic Jacobian, the dynamic rules and the event
 * root functions compiled to machine code by the system C compiler (cc) and cached on disk
 * (docs/performance.md). It computes exactly what the bytecode VM computes; when it cannot be
 * had (no compiler, an unusable cache directory, a model too large) the program runs on the
 * VM, which is not an error. MT_NATIVE_DEFAULT: $MEDTWIN_NATIVE=0 turns it off, =1 on;
 * unset, on. mt_program_create uses MT_NATIVE_DEFAULT.
 * The cache directory is $MEDTWIN_CACHE_DIR, else $XDG_CACHE_HOME/medtwin, else
 * ~/.cache/medtwin (created 0700; refused when owned by someone else or writable by group or
 * others); the compiler is $MEDTWIN_CC, else cc or gcc on PATH. */
typedef enum { MT_NATIVE_DEFAULT = 0, MT_NATIVE_OFF = 1, MT_NATIVE_ON = 2 } mt_native_mode;
MT_NODISCARD mt_status mt_program_create_native(mt_ctx *ctx, const mt_model *m, mt_native_mode mode,
                                                mt_program **out);
/* 1 when the program has native code. */
int mt_program_native(const mt_program *p);
/* One line on the native code: "native: compiled in 61.2 ms", "native: loaded from the cache
 * (0.4 ms)", "vm: no C compiler found ...", "vm: native code off", ... Borrowed. */
const char *mt_program_native_info(const mt_program *p);

typedef enum { MT_METHOD_BDF = 0, MT_METHOD_ADAMS = 1 } mt_method;

/* How a species is reported: as the model's own symbol means it
 * (concentration unless hasOnlySubstanceUnits), or forced. */
typedef enum { MT_REPORT_DEFAULT = 0, MT_REPORT_AMOUNT = 1, MT_REPORT_CONCENTRATION = 2 } mt_report;

MT_NODISCARD mt_status mt_sim_create(mt_ctx *ctx, const mt_program *p, mt_sim **out);
void mt_sim_destroy(mt_sim *s);

/* Solver settings: relative and absolute tolerance (> 0), method, and the
 * maximum number of internal steps between two outputs (0 = default). */
MT_NODISCARD mt_status mt_sim_set_tolerances(mt_sim *s, double rtol, double atol);
MT_NODISCARD mt_status mt_sim_set_method(mt_sim *s, mt_method method);
MT_NODISCARD mt_status mt_sim_set_max_steps(mt_sim *s, long max_steps);

/* The Newton iterations of the implicit method use the model's analytic Jacobian (symbolic
 * derivatives of the right-hand side, through its rules) when it has one (default, analytic
 * 1), or difference quotients (analytic 0). mt_sim_jacobian_kind: 0 the model has no
 * analytic Jacobian (a function without a symbolic derivative, or too large), 1 it has one,
 * 2 it has one and it is constant: the model is linear and time-invariant between events. */
void mt_sim_set_jacobian(mt_sim *s, int analytic);
int mt_sim_jacobian_kind(const mt_sim *s);

/* The linear solver of the Newton iterations: dense LU (SUNDIALS' own), or sparse
 * LU (KLU) over the compressed-column pattern of the analytic Jacobian. Sparse needs the
 * analytic Jacobian: without one (or with mt_sim_set_jacobian(s, 0)) the solver is dense
 * whatever is asked. MT_LINSOL_AUTO: sparse for a model of at least 40 states whose Jacobian
 * (with the diagonal) fills at most 10% of the matrix, dense otherwise (docs/performance.md).
 * MT_LINSOL_DEFAULT (the default): $MEDTWIN_LINSOL=dense|sparse|auto, unset (or another
 * value) auto. Both solve the same equations; results agree to the tolerances, not bit for
 * bit. MT_EINVAL for an unknown kind. */
typedef enum {
    MT_LINSOL_DEFAULT = 0,
    MT_LINSOL_AUTO = 1,
    MT_LINSOL_DENSE = 2,
    MT_LINSOL_SPARSE = 3
} mt_linsol;
MT_NODISCARD mt_status mt_sim_set_linear_solver(mt_sim *s, mt_linsol kind);
/* The solver of the last run on the ODE path: MT_LINSOL_DENSE or MT_LINSOL_SPARSE
 * (MT_LINSOL_DEFAULT before any, or when every run took the exact path). */
mt_linsol mt_sim_last_linear_solver(const mt_sim *s);

/* A model that is linear and time-invariant (constant Jacobian, no time in its right-hand
 * side) and has no events is solved exactly, by eigendecomposition (exact 1, default); with
 * exact 0, or when its matrix is (nearly) defective, it is integrated numerically. */
void mt_sim_set_exact(mt_sim *s, int exact);
typedef enum { MT_PATH_NONE = 0, MT_PATH_ODE = 1, MT_PATH_EXACT = 2 } mt_path;
/* Which path the last run took (MT_PATH_NONE before the first). */
mt_path mt_sim_last_path(const mt_sim *s);

/* Runs the program's native code when it has some (native 1, default) or the bytecode VM
 * (native 0): the same values either way. */
void mt_sim_set_native(mt_sim *s, int native);

/* Seeds the random stream that orders simultaneous events of equal
 * priority (SBML's random event order). The same seed gives the same run;
 * every run restarts the stream from the seed. Default seed: 1. */
void mt_sim_set_seed(mt_sim *s, uint64_t seed);

/* Overrides the initial value of a compartment, species (in the unit its
 * symbol has), parameter or species reference before initial assignments
 * run. A symbol set this way is not recomputed from its own initial
 * assignment. MT_ENOTFOUND for an unknown id, MT_EINVAL if it is the target
 * of an assignment rule or a reaction id. */
MT_NODISCARD mt_status mt_sim_set_value(mt_sim *s, const char *id, double value);
/* Index-based overrides for repeated runs (a population): mt_sim_find returns the index of
 * an id that mt_sim_set_value accepts (-1 for an unknown id, -2 for one that cannot be set),
 * and mt_sim_set_value_at(s, index, value) is mt_sim_set_value without the look-up
 * (MT_EINVAL for an index mt_sim_find did not return). */
int mt_sim_find(const mt_sim *s, const char *id);
MT_NODISCARD mt_status mt_sim_set_value_at(mt_sim *s, int index, double value);
/* Removes every override. */
void mt_sim_clear_values(mt_sim *s);

/* Selects the reported columns, in order. No call: every compartment,
 * species and parameter that is not constant, plus every species. */
MT_NODISCARD mt_status mt_sim_add_output(mt_sim *s, const char *id, mt_report how);
void mt_sim_clear_outputs(mt_sim *s);

/* Computes the initial values (with overrides) and fails with MT_EINVAL
 * naming the first compartment, species or parameter that is undefined
 * (NaN): a model or twin with a missing value. */
MT_NODISCARD mt_status mt_sim_check_defined(mt_sim *s, double t0);

/* Runs from t0 to t_end with outputs at n_steps+1 evenly spaced times
 * (n_steps >= 0). OUT: *out, owned by the caller (mt_result_destroy). */
MT_NODISCARD mt_status mt_sim_run(mt_sim *s, double t0, double t_end, long n_steps,
                                  mt_result **out);

/* Doses (a dosing history for fitting and dose finding): at `time`, `amount` goes into a state
 * as a bolus (duration 0) or as a zero-order infusion of amount / duration over
 * [time, time + duration). `target` is a state index from mt_sim_find_dose_target: for a
 * species the amount is added to its amount (whatever unit its symbol has), for a parameter
 * or compartment with a rate rule to its value. */
typedef struct {
    double time;
    int target;
    double amount;
    double duration;
} mt_sim_dose;

/* The state index of a species, parameter or compartment that doses can go into (-1 for an
 * unknown id, -2 for a symbol that is not a state: constant, or set by an assignment rule). */
int mt_sim_find_dose_target(const mt_sim *s, const char *id);

/* Runs from t0 with the doses given (sorted by time, none before t0; several at one time are
 * given together), with outputs at n_times times (ascending, the first >= t0; repeats allowed).
 * An output at the time of a dose reports the value just before it (a trough drawn before the
 * dose). The doses are read during the call only. A linear time-invariant model without events
 * takes the exact path with doses too (restarted at each dose), others the ODE path.
 * MT_EINVAL: no times, times out of order, a dose before t0 or out of order, not finite, a
 * negative duration or a target that is not a state. OUT: *out as mt_sim_run. */
MT_NODISCARD mt_status mt_sim_run_doses(mt_sim *s, double t0, const mt_sim_dose *doses,
                                        size_t n_doses, const double *times, size_t n_times,
                                        mt_result **out);

/* mt_sim_run_doses with forward sensitivities: also
 *     sens[(k * n_out + j) * n_par + i] = d output_j(times[k]) / d value(par[i]),
 * n_out the result's columns (the outputs added, else the default ones), par[i] indices from
 * mt_sim_find (a constant parameter, a compartment size, a species' initial value: the value
 * mt_sim_set_value_at would set). The derivative follows the parameter everywhere it goes:
 * through initial assignments of other symbols, rules, concentrations, event assignments and
 * event times (docs/sensitivities.md). sens holds n_times * n_out * n_par doubles, written by
 * the call. The run takes the ODE path; CVODES integrates the sensitivities with the states
 * under the same tolerances (error control on them too). n_par 0: mt_sim_run_doses.
 * MT_EINVAL as mt_sim_run_doses, and for an index that is not a settable symbol (named).
 * OUT: *out as mt_sim_run. */
MT_NODISCARD mt_status mt_sim_run_doses_sens(mt_sim *s, double t0, const mt_sim_dose *doses,
                                             size_t n_doses, const double *times, size_t n_times,
                                             const int *par, size_t n_par, mt_result **out,
                                             double *sens);

/* 1 when id names a symbol whose value can change during a run (a state, or a rule that reads
 * time or a state), 0 one that is constant during a run, -1 an unknown id. */
int mt_sim_symbol_dynamic(const mt_sim *s, const char *id);

size_t mt_result_n_rows(const mt_result *r);
size_t mt_result_n_cols(const mt_result *r); /* outputs, time not counted */
const char *mt_result_col_id(const mt_result *r, size_t col);
double mt_result_time(const mt_result *r, size_t row);
double mt_result_value(const mt_result *r, size_t row, size_t col);
/* The row-major matrix of values (n_rows x n_cols). Borrowed. */
const double *mt_result_data(const mt_result *r);
void mt_result_destroy(mt_result *r);

#ifdef __cplusplus
}
#endif
#endif
