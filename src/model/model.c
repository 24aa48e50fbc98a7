/* SPDX-License-Identifier: Apache-2.0
 *
 * model/model.c — the model IR container: slots, states, rules, events, and
 * an id -> slot hash table (FNV-1a, open addressing, load <= 1/2), so that
 * importing a model with n symbols costs O(n) lookups, not O(n^2).
 */
#include "model/ir.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

static int hash_insert(mt_ctx *ctx, mt_model *m, int slot);

static int hash_grow(mt_ctx *ctx, mt_model *m)
{
    size_t ncap = m->hcap ? m->hcap * 2 : 64;
    int *nh = mt_malloc(ctx, ncap * sizeof *nh);
    if (!nh)
        return -1;
    for (size_t i = 0; i < ncap; i++)
        nh[i] = -1;
    mt_free(ctx, m->hash);
    m->hash = nh;
    m->hcap = ncap;
    for (size_t i = 0; i < m->n_sym; i++)
        if (m->sym[i].id && hash_insert(ctx, m, (int)i) != 0)
            return -1;
    return 0;
}

static int hash_insert(mt_ctx *ctx, mt_model *m, int slot)
{
    size_t mask = m->hcap - 1;
    size_t i = (size_t)hash_str(m->sym[slot].id) & mask;
    while (m->hash[i] >= 0)
        i = (i + 1) & mask;
    m->hash[i] = slot;
    return 0;
}

int mt_ir_find(const mt_model *m, const char *id)
{
    if (!m->hcap || !id)
        return -1;
    size_t mask = m->hcap - 1;
    size_t i = (size_t)hash_str(id) & mask;
    while (m->hash[i] >= 0) {
        if (strcmp(m->sym[m->hash[i]].id, id) == 0)
            return m->hash[i];
        i = (i + 1) & mask;
    }
    return -1;
}

mt_model *mt_ir_new(mt_ctx *ctx)
{
    mt_model *m = mt_calloc(ctx, 1, sizeof *m);
    return m;
}

#define GROW(ctx, arr, n, cap)                                                                     \
    do {                                                                                           \
        if ((n) == (cap)) {                                                                        \
            size_t nc_ = (cap) ? (cap)*2 : 16;                                                     \
            void *na_ = mt_realloc(ctx, (arr), nc_ * sizeof *(arr));                               \
            if (!na_)                                                                              \
                return -1;                                                                         \
            (arr) = na_;                                                                           \
            (cap) = nc_;                                                                           \
        }                                                                                          \
    } while (0)

int mt_ir_add_sym(mt_ctx *ctx, mt_model *m, const char *id, mt_symbol_kind kind, int is_public)
{
    if (is_public && mt_ir_find(m, id) >= 0)
        return -1;
    GROW(ctx, m->sym, m->n_sym, m->cap_sym);
    if (is_public) {
        int *np = mt_realloc(ctx, m->pub, (m->n_pub + 1) * sizeof *np);
        if (!np)
            return -1;
        m->pub = np;
    }
    mt_sym *s = &m->sym[m->n_sym];
    memset(s, 0, sizeof *s);
    s->id = mt_strdup(ctx, id);
    if (!s->id)
        return -1;
    s->kind = kind;
    s->comp = s->amt = s->amt_of = s->state = s->rule = -1;
    int slot = (int)m->n_sym++;
    if (is_public)
        m->pub[m->n_pub++] = slot;
    if ((m->n_sym + 1) * 2 > m->hcap) {
        if (hash_grow(ctx, m) != 0)
            return -1;
    } else if (hash_insert(ctx, m, slot) != 0) {
        return -1;
    }
    return slot;
}

int mt_ir_add_state(mt_ctx *ctx, mt_model *m, int slot, mt_expr *deriv)
{
    GROW(ctx, m->state, m->n_state, m->cap_state);
    m->state[m->n_state].slot = slot;
    m->state[m->n_state].deriv = deriv;
    m->sym[slot].state = (int)m->n_state;
    return (int)m->n_state++;
}

int mt_ir_add_rule(mt_ctx *ctx, mt_model *m, int target, mt_expr *e)
{
    GROW(ctx, m->rule, m->n_rule, m->cap_rule);
    m->rule[m->n_rule].target = target;
    m->rule[m->n_rule].e = e;
    m->sym[target].rule = (int)m->n_rule;
    return (int)m->n_rule++;
}

void mt_model_destroy(mt_model *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n_sym; i++) {
        mt_free(NULL, m->sym[i].id);
        mt_expr_free(NULL, m->sym[i].init);
    }
    for (size_t i = 0; i < m->n_state; i++)
        mt_expr_free(NULL, m->state[i].deriv);
    for (size_t i = 0; i < m->n_rule; i++)
        mt_expr_free(NULL, m->rule[i].e);
    for (size_t i = 0; i < m->n_event; i++) {
        mt_event *e = &m->ev[i];
        mt_free(NULL, e->id);
        mt_expr_free(NULL, e->trigger);
        mt_expr_free(NULL, e->delay);
        mt_expr_free(NULL, e->priority);
        for (size_t j = 0; j < e->n_asg; j++)
            mt_expr_free(NULL, e->asg[j].e);
        mt_free(NULL, e->asg);
    }
    mt_free(NULL, m->sym);
    mt_free(NULL, m->pub);
    mt_free(NULL, m->state);
    mt_free(NULL, m->rule);
    mt_free(NULL, m->ev);
    mt_free(NULL, m->hash);
    mt_free(NULL, m->id);
    mt_free(NULL, m);
}

const char *mt_model_id(const mt_model *m) { return m->id ? m->id : ""; }
size_t mt_model_n_symbols(const mt_model *m) { return m->n_pub; }
const char *mt_model_symbol_id(const mt_model *m, size_t i)
{
    return i < m->n_pub ? m->sym[m->pub[i]].id : NULL;
}
mt_symbol_kind mt_model_symbol_kind(const mt_model *m, size_t i)
{
    return i < m->n_pub ? m->sym[m->pub[i]].kind : MT_SYM_HIDDEN;
}
size_t mt_model_n_states(const mt_model *m) { return m->n_state; }
size_t mt_model_n_events(const mt_model *m) { return m->n_event; }

mt_status mt_model_find(const mt_model *m, const char *id, size_t *index)
{
    int slot = mt_ir_find(m, id);
    if (slot >= 0 && m->sym[slot].kind != MT_SYM_HIDDEN) {
        for (size_t i = 0; i < m->n_pub; i++) {
            if (m->pub[i] == slot) {
                *index = i;
                return MT_OK;
            }
        }
    }
    return MT_ENOTFOUND;
}
