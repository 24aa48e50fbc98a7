/* SPDX-License-Identifier: Apache-2.0
 *
 * compile/program.h — the compiled model (private): one array of stack
 * bytecode holding blocks for initial values, rules, derivatives, event
 * triggers, delays, priorities and assignments, plus the slot metadata the
 * simulator needs. Immutable after mt_program_create; shared by threads.
 */
#ifndef MT_PROGRAM_H
#define MT_PROGRAM_H

#include "medtwin/sim.h"
#include "util/util.h"

#include <stdint.h>

typedef enum {
    MT_OP_CONST,
    MT_OP_LOAD,
    MT_OP_TIME,
    MT_OP_OVRSET,
    MT_OP_OVRVAL,
    MT_OP_STORE,
    MT_OP_OUT,
    MT_OP_LOADSTATES,
    MT_OP_ADD,
    MT_OP_SUB,
    MT_OP_MUL,
    MT_OP_DIV,
    MT_OP_NEG,
    MT_OP_POW,
    MT_OP_FN,
    MT_OP_LOG,
    MT_OP_ROOT,
    MT_OP_REM,
    MT_OP_QUOT,
    MT_OP_MIN,
    MT_OP_MAX,
    MT_OP_LT,
    MT_OP_LE,
    MT_OP_GT,
    MT_OP_GE,
    MT_OP_EQ,
    MT_OP_NE,
    MT_OP_AND,
    MT_OP_OR,
    MT_OP_XOR,
    MT_OP_NOT,
    MT_OP_IMPLIES,
    MT_OP_PM1,   /* +1 if true, -1 if false */
    MT_OP_JZ,    /* pop; jump by a if zero */
    MT_OP_JMP,   /* jump by a */
    MT_OP_DELAY, /* pop the delay tau and the current value x of delayed expression a; push
                    its value at t - tau (mt_env.past; x itself when tau is 0 or there is no
                    history) */
    MT_OP_END
} mt_opcode;

typedef struct {
    int32_t op;
    int32_t a;
} mt_ins;

typedef struct {
    uint32_t start; /* index of the first instruction; blocks end with MT_OP_END */
} mt_block;

typedef struct {
    char *id;
    mt_block trigger, delay, priority, assign;
    int has_delay, has_priority;
    int initial_value, persistent, use_trigger_values;
    size_t n_asg;
    int *targets;
} mt_pevent;

typedef struct {
    char *id;
    mt_symbol_kind kind;
    int comp, amt, amt_of, hosu, state, rule, constant, is_public;
    int alg; /* determined by algebraic rules: a value that is not finite is an error */
} mt_pslot;

/* Native code (compile/native.c): the blocks rhs, jac, rules_dyn, roots and rule_block compiled to
 * machine code by the system C compiler, with the VM's semantics. Same arguments as mt_env;
 * the arrays v, y and out never overlap. MT_NATIVE_ABI changes with the calling convention
 * or the generated code's meaning, and is part of the cache key. */
#define MT_NATIVE_ABI 2
typedef void (*mt_native_fn)(double *restrict v, const double *restrict y, double *restrict out,
                             double t, const unsigned char *os, const double *ov);

typedef struct {
    void *handle; /* dlopen handle; NULL: no native code (the VM runs every block) */
    mt_native_fn rhs, jac, rules_dyn, roots;
    mt_native_fn const *rule; /* rule[s]: rule_block[s] natively (NULL where none) */
    char info[256];           /* what happened: "native: compiled ..." or "vm: <reason>" */
} mt_native;

struct mt_program {
    size_t n_slot;
    mt_pslot *slot;
    size_t n_alg; /* slots determined by algebraic rules (mt_pslot.alg) */
    size_t n_pub;
    int *pub;
    size_t n_state;
    int *state_slot;
    size_t n_const;
    double *consts;
    size_t n_code;
    mt_ins *code;
    size_t max_stack;
    mt_block init;      /* all slots at the start time (with overrides) */
    mt_block rules_all; /* LOADSTATES + every rule */
    mt_block rules_dyn; /* LOADSTATES + rules that depend on time or a state */
    mt_block rhs;       /* rules_dyn + derivatives -> out */
    /* Dynamic rules one by one, for outputs that need only some of them: rule_block[s] is
     * the block that computes dynamic rule slot s from the slot values (no LOADSTATES);
     * rule_pos[s] its topological position (-1: not a dynamic rule); the dynamic rules and
     * states it reads directly are deps[dep_start[s] .. dep_start[s + 1]). */
    mt_block *rule_block;
    int *rule_pos;
    size_t *dep_start;
    int *deps;
    /* Analytic Jacobian (compile/deriv.c): block jac = LOADSTATES + dynamic rules + one
     * OUT k per structurally non-zero entry (jac_row[k], jac_col[k]) = d f_row / d y_col.
     * has_jac 0: a function without a symbolic derivative, or too large (the solver then
     * uses difference quotients). jac_constant: every entry is free of states, dynamic rules
     * and time, and no derivative reads time: f(y) = J y + f(0) between events (a linear
     * time-invariant model). */
    int has_jac, jac_constant;
    size_t n_jac;
    int *jac_row, *jac_col;
    mt_block jac;
    size_t n_event;
    mt_pevent *ev;
    /* root functions: one per event (+1 while its trigger holds, else -1),
     * then lhs - rhs of every comparison inside a trigger, so that CVODES
     * finds a trigger that is true only briefly between two steps */
    size_t n_roots;
    mt_block roots;
    /* delay(): n_delay distinct delayed expressions; block delay_x puts the value of each
     * (OUT d) from the slot values (run it after the rules, no LOADSTATES). The simulator
     * records them after every step and answers MT_OP_DELAY from that history. */
    size_t n_delay;
    mt_block delay_x;
    mt_native nat;
};

/* Evaluation environment of one run of a block. */
typedef struct {
    double *vals;
    const double *y;
    double *out;
    double t;
    const unsigned char *ovr_set;
    const double *ovr_val;
    double *stack; /* program->max_stack entries */
    /* MT_OP_DELAY: the value delayed expression d had at time s < t, given its value now
     * (x_now); NULL: no history, x_now (as at the start time) */
    double (*past)(void *ud, int d, double s, double x_now, double t);
    void *past_ud;
} mt_env;

void mt_vm_run(const mt_program *p, mt_block b, mt_env *env);
/* Slot of an id (public or hidden), -1 if none. */
int mt_program_find(const mt_program *p, const char *id);

#endif
