/* SPDX-License-Identifier: Apache-2.0
 *
 * model/ir.h — the model IR (private to the library).
 *
 * The IR describes a model as value slots and what computes them:
 *   - every SBML symbol (compartment, species, parameter, reaction, species
 *     reference with an id) is a slot; hidden slots hold what SBML leaves
 *     implicit (the amount of a species whose symbol means a concentration,
 *     local parameters, stoichiometryMath values);
 *   - `init` of each slot gives its value at the start time (attribute value,
 *     initial assignment, or the assignment rule that holds at all times);
 *   - states are slots integrated in time (rate rules, amounts of species
 *     changed by reactions) with their derivative expressions;
 *   - rules are the slots computed from others at every time (assignment
 *     rules, reaction rates, concentrations of amount-tracked species);
 *   - events.
 * The compiler orders rules and initial values by dependency.
 */
#ifndef MT_IR_H
#define MT_IR_H

#include "medtwin/model.h"
#include "model/expr.h"

typedef struct {
    char *id;
    mt_symbol_kind kind;
    int comp;      /* species: compartment slot, else -1 */
    int hosu;      /* species: symbol means amount (hasOnlySubstanceUnits) */
    int amt;       /* species: slot holding its amount when the symbol means a
                      concentration and no rule defines it; -1 otherwise */
    int amt_of;    /* hidden amount slot: the species it belongs to, else -1 */
    int constant;  /* SBML constant attribute */
    int state;     /* index of the state integrated in this slot, or -1 */
    int rule;      /* index of the rule that computes it at all times, or -1 */
    int rate_rule; /* target of a rate rule */
    int alg;       /* its rule is the solution of algebraic rules (or of fast equilibria) */
    mt_expr *init; /* value at the start time (before rules) */
} mt_sym;

typedef struct {
    int target;
    mt_expr *e;
} mt_assign;

typedef struct {
    char *id;
    mt_expr *trigger;
    mt_expr *delay;    /* NULL: none */
    mt_expr *priority; /* NULL: none */
    int initial_value;
    int persistent;
    int use_trigger_values;
    size_t n_asg;
    mt_assign *asg;
} mt_event;

typedef struct {
    int slot;
    mt_expr *deriv;
} mt_state;

struct mt_model {
    char *id;
    size_t n_sym, cap_sym;
    mt_sym *sym;
    size_t n_pub;
    int *pub; /* public slots in document order */
    size_t n_state, cap_state;
    mt_state *state;
    size_t n_rule, cap_rule;
    mt_assign *rule;
    size_t n_event, cap_event;
    mt_event *ev;
    /* id -> slot hash (open addressing, power-of-two size) */
    size_t hcap;
    int *hash;
};

/* Adds a slot; returns its index or -1 (ENOMEM, or duplicate id when
 * public). id is copied. */
int mt_ir_add_sym(mt_ctx *ctx, mt_model *m, const char *id, mt_symbol_kind kind, int is_public);
/* Slot of a public or hidden id, -1 if none. */
int mt_ir_find(const mt_model *m, const char *id);
int mt_ir_add_state(mt_ctx *ctx, mt_model *m, int slot, mt_expr *deriv);
int mt_ir_add_rule(mt_ctx *ctx, mt_model *m, int target, mt_expr *e);
mt_model *mt_ir_new(mt_ctx *ctx);

#endif
