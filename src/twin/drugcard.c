/* SPDX-License-Identifier: Apache-2.0
 *
 * twin/drugcard.c — drug cards (medtwin/drugcard.h, docs/drug-cards.md).
 *
 * A card is a JSON document held as a jansson tree; accessors look values
 * up on each call (cards are small, the builder reads each value once per
 * regimen). Validation happens once, at load, in two passes over the tree:
 *   1. the envelope and the sections' shape (check_card and friends), and
 *   2. every value object wherever it sits (check_values): an object with a
 *      "value" member is a value object; the key it sits under (or the key of
 *      the array holding it) names its field, and the field table fixes the
 *      units it may use (each with its factor to the canonical unit) and its
 *      physical range. A known field name holding anything but a value object
 *      is refused, so a bare number cannot slip in without unit and source.
 * Cost: O(size of the card) per load; accessors are O(members visited).
 * Nothing here allocates after load except mt_drugcard_list().
 */
#define _POSIX_C_SOURCE 200809L
#include "medtwin/drugcard.h"
#include "medtwin/data.h"
#include "medtwin/pbpk.h"
#include "util/util.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct mt_drugcard {
    json_t *root;
    const char *name, *version, *display_name, *kind;
};

/* ---- units and fields ---------------------------------------------------------------------- */

typedef struct {
    const char *unit;
    double factor; /* multiply to get the canonical unit */
} unit_def;

typedef struct {
    const char *canonical;
    unit_def units[8]; /* terminated by a NULL unit */
} qty;

enum {
    Q_MW,
    Q_LOG,
    Q_NUM,
    Q_FRAC,
    Q_RATE,
    Q_CONC,
    Q_MCONC,
    Q_VMIC,
    Q_VREC,
    Q_CRATE,
    Q_CONTENT,
    Q_CL,
    Q_CLKG,
    Q_PERM,
    Q_MASS,
    Q_FLOW,
    Q_TIME
};

static const qty qtys[] = {
    [Q_MW] = {"g/mol", {{"g/mol", 1}}},
    [Q_LOG] = {"log10", {{"log10", 1}}},
    [Q_NUM] = {"1", {{"1", 1}}},
    [Q_FRAC] = {"1", {{"1", 1}, {"%", 0.01}}},
    [Q_RATE] = {"1/h", {{"1/h", 1}, {"1/min", 60}, {"1/s", 3600}, {"1/d", 1.0 / 24}}},
    [Q_CONC] = {"umol/L", {{"umol/L", 1}, {"nmol/L", 1e-3}, {"mmol/L", 1e3}}},
    [Q_MCONC] = {"mg/L",
                 {{"mg/L", 1},
                  {"ug/mL", 1},
                  {"ng/mL", 1e-3},
                  {"ug/L", 1e-3},
                  {"mg/mL", 1e3},
                  {"g/L", 1e3}}},
    [Q_VMIC] = {"pmol/min/mg", {{"pmol/min/mg", 1}, {"nmol/min/mg", 1e3}}},
    [Q_VREC] = {"pmol/min/pmol", {{"pmol/min/pmol", 1}, {"nmol/min/pmol", 1e3}}},
    [Q_CRATE] = {"umol/L/h", {{"umol/L/h", 1}, {"umol/L/min", 60}, {"nmol/L/min", 0.06}}},
    [Q_CONTENT] = {"pmol/mg", {{"pmol/mg", 1}}},
    [Q_CL] = {"L/h", {{"L/h", 1}, {"L/min", 60}, {"mL/min", 0.06}}},
    [Q_CLKG] = {"L/h/kg", {{"L/h/kg", 1}, {"mL/min/kg", 0.06}, {"mL/h/kg", 1e-3}}},
    [Q_PERM] = {"cm/min", {{"cm/min", 1}, {"cm/s", 60}, {"dm/min", 10}}},
    [Q_MASS] = {"kg", {{"kg", 1}}},
    [Q_FLOW] = {"L/h", {{"L/h", 1}, {"L/min", 60}}},
    [Q_TIME] = {"h", {{"h", 1}, {"min", 1.0 / 60}, {"s", 1.0 / 3600}, {"d", 24}}},
};

typedef enum {
    R_ANY,
    R_POS,    /* > 0 */
    R_NONNEG, /* >= 0 */
    R_FU,     /* (0, 1] */
    R_FRAC,   /* [0, 1] */
    R_PH,     /* [0, 14] */
    R_PKA,    /* [-5, 20] */
    R_LOGP    /* [-10, 15] */
} range;

typedef struct {
    const char *key;
    int qty;
    range range;
} field_def;

/* Alphabetical for the reader; searched linearly (53 entries). */
static const field_def fields[] = {
    {"blood_plasma_ratio", Q_NUM, R_POS},
    {"bromine", Q_NUM, R_NONNEG}, /* physchem.halogens: atoms per molecule */
    {"body_weight", Q_MASS, R_POS},
    {"bp_experiment", Q_NUM, R_POS},
    {"chlorine", Q_NUM, R_NONNEG},
    {"cl_f", Q_CLKG, R_POS},
    {"clint", Q_CL, R_NONNEG},
    {"dissolution_shape", Q_NUM, R_POS},
    {"dissolution_time_50", Q_TIME, R_POS},
    {"ec50", Q_CONC, R_POS},
    {"emax", Q_NUM, R_NONNEG},
    {"enzyme_concentration", Q_CONC, R_POS},
    {"enzyme_content", Q_CONTENT, R_POS},
    {"fa", Q_FRAC, R_FRAC},
    {"fg", Q_FRAC, R_FRAC},
    {"fluorine", Q_NUM, R_NONNEG},
    {"fm", Q_FRAC, R_FRAC},
    {"fraction", Q_FRAC, R_FRAC},
    {"fu_experiment", Q_FRAC, R_FU},
    {"fu_plasma", Q_FRAC, R_FU},
    {"gfr_fraction", Q_NUM, R_NONNEG},
    {"high", Q_MCONC, R_POS},
    {"intestinal_permeability", Q_PERM, R_POS},
    {"iodine", Q_NUM, R_NONNEG},
    {"ka", Q_RATE, R_POS},
    {"kcat", Q_RATE, R_NONNEG},
    {"kd", Q_CONC, R_POS},
    {"ke", Q_RATE, R_POS},
    {"ki", Q_CONC, R_POS},
    {"ki_c", Q_CONC, R_POS},
    {"ki_half", Q_CONC, R_POS},
    {"ki_u", Q_CONC, R_POS},
    {"kidney_blood_flow", Q_FLOW, R_POS},
    {"kinact", Q_RATE, R_NONNEG},
    {"km", Q_CONC, R_POS},
    {"koff", Q_RATE, R_NONNEG},
    {"kp", Q_NUM, R_POS}, /* members of partition.kp, keyed by organ */
    {"lag_time", Q_TIME, R_NONNEG},
    {"logp", Q_LOG, R_LOGP},
    {"logp_experiment", Q_LOG, R_LOGP},
    {"low", Q_MCONC, R_POS},
    {"mucosa_permeability", Q_PERM, R_POS}, /* absorption: PK-Sim's basolateral mucosa P */
    {"mw", Q_MW, R_POS},
    {"permeability", Q_PERM, R_POS}, /* partition.permeability: PK-Sim's cell permeability */
    {"pka", Q_NUM, R_PKA},
    {"plasma_clearance", Q_CLKG, R_NONNEG},
    {"solubility", Q_MCONC, R_POS},
    {"solubility_ph", Q_NUM, R_PH},
    {"specific_clearance", Q_RATE, R_NONNEG},
    {"toxic_above", Q_MCONC, R_POS},
    {"transporter_concentration", Q_CONC, R_POS},
    {"vmax", Q_CRATE, R_NONNEG},
    {"vmax_microsomal", Q_VMIC, R_NONNEG},
    {"vmax_recombinant", Q_VREC, R_NONNEG},
};

static const field_def *field_find(const char *key)
{
    for (size_t i = 0; key && i < sizeof fields / sizeof fields[0]; i++)
        if (!strcmp(fields[i].key, key))
            return &fields[i];
    return NULL;
}

/* Factor of unit for quantity q, or 0 if the unit is not allowed. */
static double unit_factor(int q, const char *unit)
{
    for (const unit_def *u = qtys[q].units; u->unit; u++)
        if (!strcmp(u->unit, unit))
            return u->factor;
    return 0;
}

static void unit_list(int q, char *buf, size_t n)
{
    size_t w = 0;
    buf[0] = '\0';
    for (const unit_def *u = qtys[q].units; u->unit && w < n; u++) {
        int k = snprintf(buf + w, n - w, "%s'%s'", w ? ", " : "", u->unit);
        if (k < 0)
            break;
        w += (size_t)k;
    }
}

static int in_range(range r, double v)
{
    switch (r) {
    case R_ANY:
        return 1;
    case R_POS:
        return v > 0;
    case R_NONNEG:
        return v >= 0;
    case R_FU:
        return v > 0 && v <= 1;
    case R_FRAC:
        return v >= 0 && v <= 1;
    case R_PH:
        return v >= 0 && v <= 14;
    case R_PKA:
        return v >= -5 && v <= 20;
    case R_LOGP:
        return v >= -10 && v <= 15;
    }
    return 0;
}

static const char *range_text(range r)
{
    switch (r) {
    case R_ANY:
        return "may be any number";
    case R_POS:
        return "must be > 0";
    case R_NONNEG:
        return "must be >= 0";
    case R_FU:
        return "must lie in (0, 1]";
    case R_FRAC:
        return "must lie in [0, 1]";
    case R_PH:
        return "must lie in [0, 14]";
    case R_PKA:
        return "must lie in [-5, 20]";
    case R_LOGP:
        return "must lie in [-10, 15]";
    }
    return "?";
}

/* ---- validation ---------------------------------------------------------------------------- */

#define MAX_DEPTH 16
#define MAX_NAME 64

typedef struct {
    mt_ctx *ctx;
    const char *card; /* name used in messages */
} vctx;

/* Keys in messages come from the card: control characters become '?' so
 * that a message stays one line. */
static mt_status one_line(mt_ctx *ctx, mt_status st)
{
    if (ctx)
        for (char *p = ctx->msg; *p; p++)
            if ((unsigned char)*p < 0x20 || *p == 0x7f)
                *p = '?';
    return st;
}

static mt_status bad(vctx *v, const char *path, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static mt_status bad(vctx *v, const char *path, const char *fmt, ...)
{
    char detail[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    mt_error(v->ctx, MT_EPARSE, "drug card '%s': %s%s%s", v->card, path, *path ? ": " : "", detail);
    return one_line(v->ctx, MT_EPARSE);
}

static int valid_name(const char *s)
{
    size_t n = 0;
    if (!s || !*s)
        return 0;
    for (; s[n]; n++)
        if (!((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' && s[n] <= '9') || s[n] == '_'))
            return 0;
    return n <= MAX_NAME;
}

static int nonblank(const char *s)
{
    for (; s && *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return 1;
    return 0;
}

/* path + "." + key (or index) into buf. */
/* Paths only label messages: a long one is cut, which the return value checks say. */
static void path_join(char *buf, size_t n, const char *path, const char *key)
{
    if (snprintf(buf, n, "%s%s%s", path, *path ? "." : "", key) < 0)
        buf[0] = '\0';
}

static void path_index(char *buf, size_t n, const char *path, size_t i)
{
    if (snprintf(buf, n, "%s.%zu", path, i) < 0)
        buf[0] = '\0';
}

static mt_status check_value_object(vctx *v, const json_t *o, const field_def *f, const char *path)
{
    const char *k;
    json_t *m;
    json_object_foreach((json_t *)o, k, m)
    {
        if (strcmp(k, "value") && strcmp(k, "unit") && strcmp(k, "source") && strcmp(k, "fitted") &&
            strcmp(k, "fitted_to") && strcmp(k, "note") && strcmp(k, "type"))
            return bad(v, path, "unknown member '%s' in a value object", k);
        if (strcmp(k, "value") && strcmp(k, "fitted") && !json_is_string(m))
            return bad(v, path, "'%s' must be a string", k);
    }
    const json_t *jv = json_object_get(o, "value");
    if (!json_is_number(jv))
        return bad(v, path, "'value' must be a number");
    double x = json_number_value(jv);
    if (!isfinite(x))
        return bad(v, path, "'value' is not finite");
    const char *unit = json_string_value(json_object_get(o, "unit"));
    if (!unit)
        return bad(v, path, "missing unit");
    double fac = unit_factor(f->qty, unit);
    if (fac == 0) {
        char allowed[200];
        unit_list(f->qty, allowed, sizeof allowed);
        return bad(v, path, "unit '%s' is not allowed for '%s' (allowed: %s)", unit, f->key,
                   allowed);
    }
    const char *src = json_string_value(json_object_get(o, "source"));
    if (!nonblank(src))
        return bad(v, path, "missing source (every value names its paper, table or data row)");
    const json_t *fit = json_object_get(o, "fitted");
    if (!json_is_boolean(fit))
        return bad(v, path, "'fitted' must be true or false");
    if (json_is_true(fit) && !nonblank(json_string_value(json_object_get(o, "fitted_to"))))
        return bad(v, path, "fitted value without 'fitted_to' (name the training data)");
    const char *type = json_string_value(json_object_get(o, "type"));
    if (!strcmp(f->key, "pka")) {
        if (!type || (strcmp(type, "acid") && strcmp(type, "base")))
            return bad(v, path, "pKa 'type' must be \"acid\" or \"base\"");
    } else if (type) {
        return bad(v, path, "'type' is only allowed on a pKa");
    }
    double c = x * fac;
    if (!in_range(f->range, c)) {
        const char *cu = qtys[f->qty].canonical;
        int plain = !strcmp(unit, "1");
        if (!strcmp(unit, cu))
            return bad(v, path, "value %g%s%s is out of range: %s", x, plain ? "" : " ",
                       plain ? "" : unit, range_text(f->range));
        return bad(v, path, "value %g %s (= %g%s%s) is out of range: %s", x, unit, c,
                   strcmp(cu, "1") ? " " : "", strcmp(cu, "1") ? cu : "", range_text(f->range));
    }
    return MT_OK;
}

/* Walks the tree; key: the member name this node sits under (for array
 * items, the array's). */
static mt_status check_values(vctx *v, const json_t *node, const char *key, const char *path,
                              int depth)
{
    char sub[512];
    if (depth > MAX_DEPTH)
        return bad(v, path, "nested too deeply");
    const field_def *f = key ? field_find(key) : NULL;
    if (json_is_object(node)) {
        if (json_object_get(node, "value")) {
            if (!f)
                return bad(v, path, "'%s' is not a known quantity (see docs/drug-cards.md)",
                           key ? key : "(top level)");
            return check_value_object(v, node, f, path);
        }
        if (f && strcmp(f->key, "kp"))
            return bad(v, path, "'%s' must be a value object {value, unit, source, fitted}", key);
        const char *k;
        json_t *m;
        json_object_foreach((json_t *)node, k, m)
        {
            path_join(sub, sizeof sub, path, k);
            /* members of partition.kp are organs: their quantity is "kp" */
            const char *mk = (key && !strcmp(key, "kp")) ? "kp" : k;
            if (key && !strcmp(key, "kp") && !json_is_object(m))
                return bad(v, sub, "'%s' must be a value object {value, unit, source, fitted}", k);
            mt_status st = check_values(v, m, mk, sub, depth + 1);
            if (st)
                return st;
        }
        return MT_OK;
    }
    if (json_is_array(node)) {
        size_t i;
        json_t *m;
        if (f && strcmp(f->key, "pka"))
            return bad(v, path, "'%s' must be one value object, not an array", key);
        json_array_foreach((json_t *)node, i, m)
        {
            path_index(sub, sizeof sub, path, i);
            if (f && !json_is_object(m))
                return bad(v, sub, "'%s' must be a value object {value, unit, source, fitted}",
                           key);
            mt_status st = check_values(v, m, key, sub, depth + 1);
            if (st)
                return st;
        }
        return MT_OK;
    }
    if (f)
        return bad(v, path,
                   "'%s' must be a value object {value, unit, source, fitted}, not a "
                   "bare %s",
                   key, json_is_number(node) ? "number" : "scalar");
    return MT_OK;
}

static int one_of(const char *s, const char *const *set)
{
    for (; *set; set++)
        if (!strcmp(s, *set))
            return 1;
    return 0;
}

static mt_status want_string(vctx *v, const json_t *o, const char *key, const char *path,
                             int required, const char *const *set, const char **out)
{
    char p[512];
    path_join(p, sizeof p, path, key);
    const json_t *m = json_object_get(o, key);
    if (out)
        *out = NULL;
    if (!m) {
        if (required)
            return bad(v, p, "missing");
        return MT_OK;
    }
    const char *s = json_string_value(m);
    if (!s || !*s)
        return bad(v, p, "must be a non-empty string");
    if (set && !one_of(s, set)) {
        char allowed[300];
        size_t w = 0;
        allowed[0] = '\0';
        for (const char *const *x = set; *x && w < sizeof allowed; x++) {
            int k = snprintf(allowed + w, sizeof allowed - w, "%s%s", w ? ", " : "", *x);
            if (k < 0)
                break;
            w += (size_t)k;
        }
        return bad(v, p, "'%s' is not one of: %s", s, allowed);
    }
    if (out)
        *out = s;
    return MT_OK;
}

static mt_status want_kind(vctx *v, const json_t *o, const char *key, const char *path,
                           int (*is)(const json_t *), const char *what)
{
    const json_t *m = json_object_get(o, key);
    if (m && !is(m)) {
        char p[512];
        path_join(p, sizeof p, path, key);
        return bad(v, p, "must be %s", what);
    }
    return MT_OK;
}

static int is_object(const json_t *j) { return json_is_object(j); }
static int is_array(const json_t *j) { return json_is_array(j); }

static mt_status check_name_link(vctx *v, const json_t *o, const char *key)
{
    const json_t *m = json_object_get(o, key);
    if (m && !valid_name(json_string_value(m)))
        return bad(v, key, "must name a card ([a-z0-9_]+)");
    return MT_OK;
}

/* Each item of array o[key] must be an object with a non-empty string
 * member `str`. */
static mt_status check_items(vctx *v, const json_t *o, const char *key, const char *path,
                             const char *str, const char *const *set)
{
    const json_t *a = json_object_get(o, key);
    char p[512], q[512];
    path_join(p, sizeof p, path, key);
    if (!a)
        return MT_OK;
    if (!json_is_array(a))
        return bad(v, p, "must be an array");
    size_t i;
    json_t *m;
    json_array_foreach((json_t *)a, i, m)
    {
        path_index(q, sizeof q, p, i);
        if (!json_is_object(m))
            return bad(v, q, "must be an object");
        mt_status st = want_string(v, m, str, q, 1, set, NULL);
        if (st)
            return st;
    }
    return MT_OK;
}

/* absorption.formulations: [{id, type "weibull", description, food?, dissolution_time_50,
 * dissolution_shape, lag_time?}], ids unique (docs/drug-cards.md). */
static mt_status check_formulations(vctx *v, const json_t *ab)
{
    static const char *const types[] = {"weibull", NULL};
    static const char *const foods[] = {"fasted", "fed", "unspecified", NULL};
    static const char *const need[] = {"dissolution_time_50", "dissolution_shape", NULL};
    mt_status st;
    if ((st = check_items(v, ab, "formulations", "absorption", "id", NULL)) ||
        (st = check_items(v, ab, "formulations", "absorption", "type", types)) ||
        (st = check_items(v, ab, "formulations", "absorption", "description", NULL)))
        return st;
    const json_t *fs = json_object_get(ab, "formulations");
    size_t i;
    json_t *f;
    json_array_foreach((json_t *)fs, i, f)
    {
        char q[512];
        snprintf(q, sizeof q, "absorption.formulations.%zu", i);
        const char *id = json_string_value(json_object_get(f, "id"));
        if (!valid_name(id))
            return bad(v, q, "id '%s' is not a formulation name ([a-z0-9_]+, at most %d)", id,
                       MAX_NAME);
        for (size_t j = 0; j < i; j++)
            if (!strcmp(id, json_string_value(json_object_get(json_array_get(fs, j), "id"))))
                return bad(v, q, "id '%s' is given twice", id);
        if ((st = want_string(v, f, "food", q, 0, foods, NULL)))
            return st;
        for (const char *const *n = need; *n; n++)
            if (!json_is_object(json_object_get(f, *n)))
                return bad(v, q, "needs %s (a value object)", *n);
    }
    return MT_OK;
}

static const char *const top_keys[] = {"schema",
                                       "name",
                                       "version",
                                       "display_name",
                                       "kind",
                                       "origin",
                                       "note",
                                       "parent",
                                       "racemate",
                                       "enantiomers",
                                       "physchem",
                                       "partition",
                                       "absorption",
                                       "elimination",
                                       "interactions",
                                       "metabolites",
                                       "specific_binding",
                                       "therapeutic_range",
                                       "pgx",
                                       "pd",
                                       "empirical_pk",
                                       "training_data",
                                       "missing",
                                       NULL};
static const char *const partition_methods[] = {"rodgers_rowland", "poulin_theil",   "schmitt",
                                                "berezhkovskiy",   "pksim_standard", NULL};
static const char *const cell_permeability_methods[] = {"pksim_standard",
                                                        "charge_dependent_schmitt", NULL};
static const char *const halogens[] = {"fluorine", "chlorine", "bromine", "iodine", NULL};
static const char *const gut_wall_models[] = {"qgut", "mucosa", NULL};
static const char *const efflux_transporters[] = {"P-gp", NULL};
static const char *const absorption_models[] = {"first_order", "pksim_permeability", "unspecified",
                                                NULL};
static const char *const logp_measures[] = {"pksim_lipophilicity", "logp_octanol_water",
                                            "logp_membrane", "logd", NULL};
static const char *const mechanisms[] = {
    "competitive", "noncompetitive", "mixed", "mechanism_based", "induction", "unspecified", NULL};

static mt_status check_card(vctx *v, const json_t *root, const char *want_name)
{
    mt_status st;
    if (!json_is_object(root))
        return bad(v, "", "a card must be a JSON object");
    const char *k;
    json_t *m;
    json_object_foreach((json_t *)root, k, m)
    {
        if (!one_of(k, top_keys))
            return bad(v, k, "unknown section (see docs/drug-cards.md)");
    }
    const char *schema = json_string_value(json_object_get(root, "schema"));
    if (!schema)
        return bad(v, "schema", "missing (expected \"%s\")", MT_DRUGCARD_SCHEMA);
    if (strcmp(schema, MT_DRUGCARD_SCHEMA))
        return bad(v, "schema", "'%s' is not \"%s\"", schema, MT_DRUGCARD_SCHEMA);
    const char *name;
    if ((st = want_string(v, root, "name", "", 1, NULL, &name)))
        return st;
    if (!valid_name(name))
        return bad(v, "name", "'%s' is not a card name ([a-z0-9_]+, at most %d)", name, MAX_NAME);
    if (want_name && strcmp(name, want_name))
        return bad(v, "name", "'%s' does not match the file name '%s'", name, want_name);
    static const char *const kinds[] = {"pbpk", NULL};
    if ((st = want_string(v, root, "version", "", 1, NULL, NULL)) ||
        (st = want_string(v, root, "display_name", "", 1, NULL, NULL)) ||
        (st = want_string(v, root, "kind", "", 1, kinds, NULL)) ||
        (st = check_name_link(v, root, "parent")) || (st = check_name_link(v, root, "racemate")))
        return st;
    const json_t *en = json_object_get(root, "enantiomers");
    if (en) {
        size_t i;
        json_t *e;
        if (!json_is_array(en))
            return bad(v, "enantiomers", "must be an array of card names");
        json_array_foreach((json_t *)en, i, e)
        {
            if (!valid_name(json_string_value(e)))
                return bad(v, "enantiomers", "item %zu must name a card ([a-z0-9_]+)", i);
        }
    }
    static const char *const objs[] = {
        "origin", "physchem",     "partition",     "absorption", "elimination", "therapeutic_range",
        "pd",     "empirical_pk", "training_data", NULL};
    for (const char *const *o = objs; *o; o++)
        if ((st = want_kind(v, root, *o, "", is_object, "an object")))
            return st;
    static const char *const arrs[] = {"interactions", "metabolites", "specific_binding",
                                       "pgx",          "missing",     NULL};
    for (const char *const *o = arrs; *o; o++)
        if ((st = want_kind(v, root, *o, "", is_array, "an array")))
            return st;

    const json_t *pc = json_object_get(root, "physchem");
    if (pc) {
        const char *pka_src = NULL;
        if ((st = want_kind(v, pc, "pka", "physchem", is_array, "an array")) ||
            (st = want_string(v, pc, "logp_measure", "physchem", 0, logp_measures, NULL)) ||
            (st = want_string(v, pc, "pka_source", "physchem", 0, NULL, &pka_src)))
            return st;
        /* An empty pKa list says "no ionisable group" (a neutral compound): that is a value
         * too, so it names its source; pka_source belongs to such a list only. */
        const json_t *pk = json_object_get(pc, "pka");
        if (pk && json_array_size(pk) == 0 && !nonblank(pka_src))
            return bad(v, "physchem.pka",
                       "an empty list (a neutral compound) needs physchem.pka_source naming "
                       "where it says so");
        if (pka_src && !(pk && json_array_size(pk) == 0))
            return bad(v, "physchem.pka_source",
                       "only goes with an empty physchem.pka list (a neutral compound); each pKa "
                       "value names its own source");
    }
    /* physchem.halogens: the atoms PK-Sim subtracts for its effective molecular weight, all four
     * stated (a zero too: PK-Sim's default where a snapshot stores none), whole numbers */
    const json_t *hal = pc ? json_object_get(pc, "halogens") : NULL;
    if (hal) {
        if (!json_is_object(hal))
            return bad(v, "physchem.halogens",
                       "must be an object: fluorine, chlorine, bromine, "
                       "iodine (value objects, atoms per molecule)");
        json_object_foreach((json_t *)hal, k, m)
        {
            if (!one_of(k, halogens))
                return bad(v, "physchem.halogens",
                           "'%s' is not fluorine, chlorine, bromine or "
                           "iodine",
                           k);
        }
        for (const char *const *h = halogens; *h; h++) {
            char p[64];
            path_join(p, sizeof p, "physchem.halogens", *h);
            double n = json_number_value(json_object_get(json_object_get(hal, *h), "value"));
            if (!json_object_get(hal, *h))
                return bad(v, p, "missing: all four halogens are stated (0 where there are none)");
            if (!(n >= 0 && n <= 100 && n == floor(n)))
                return bad(v, p, "must be a whole number of atoms (0 to 100)");
        }
    }
    const json_t *pt = json_object_get(root, "partition");
    if (pt) {
        const char *cpm = NULL, *cps = NULL;
        if ((st = want_string(v, pt, "method", "partition", 0, partition_methods, NULL)) ||
            (st = want_kind(v, pt, "kp", "partition", is_object, "an object keyed by organ")) ||
            (st = want_string(v, pt, "cell_permeability", "partition", 0, cell_permeability_methods,
                              &cpm)) ||
            (st = want_string(v, pt, "cell_permeability_source", "partition", 0, NULL, &cps)))
            return st;
        if (cpm && !nonblank(cps))
            return bad(v, "partition.cell_permeability",
                       "needs partition.cell_permeability_source naming where it is stated");
        if (cps && !cpm)
            return bad(v, "partition.cell_permeability_source",
                       "only goes with partition.cell_permeability");
        if (cpm && !hal)
            return bad(v, "partition.cell_permeability",
                       "needs physchem.halogens (PK-Sim's effective molecular weight)");
        const json_t *kp = json_object_get(pt, "kp");
        if (kp) {
            json_object_foreach((json_t *)kp, k, m)
            {
                size_t i, n = mt_pbpk_n_organs();
                for (i = 0; i < n && strcmp(k, mt_pbpk_organ(i)); i++)
                    ;
                if (i == n) {
                    char p[512];
                    path_join(p, sizeof p, "partition.kp", k);
                    return bad(v, p,
                               "'%s' is not a builder organ (lung, adi, bone, brain, gut, "
                               "heart, kid, liv, mus, skin, spl, rest)",
                               k);
                }
            }
        }
    }
    const json_t *ab = json_object_get(root, "absorption");
    const char *abm = NULL;
    const char *gw = NULL;
    if (ab && ((st = want_string(v, ab, "model", "absorption", 0, absorption_models, &abm)) ||
               (st = want_string(v, ab, "gut_wall", "absorption", 0, gut_wall_models, &gw)) ||
               (st = check_formulations(v, ab))))
        return st;
    const char *mpath = json_object_get(ab, "mucosa_permeability")
                            ? "absorption.mucosa_permeability"
                        : gw && !strcmp(gw, "mucosa") ? "absorption.gut_wall"
                                                      : NULL;
    if (mpath && (!abm || strcmp(abm, "pksim_permeability") || !pt ||
                  !json_object_get(pt, "cell_permeability")))
        return bad(v, mpath,
                   "only goes with absorption.model pksim_permeability and "
                   "partition.cell_permeability (PK-Sim's mucosa, docs/absorption.md)");
    const json_t *el = json_object_get(root, "elimination");
    if (el) {
        if ((st = check_items(v, el, "hepatic", "elimination", "enzyme", NULL)) ||
            (st = check_items(v, el, "transport", "elimination", "transporter", NULL)) ||
            (st = want_kind(v, el, "renal", "elimination", is_object, "an object")))
            return st;
        const json_t *rn = json_object_get(el, "renal");
        if (rn && (st = check_items(v, rn, "clearance", "elimination.renal", "process", NULL)))
            return st;
        /* the efflux the twin builds (docs/interactions.md, "P-gp"): the transporter's
         * Michaelis-Menten process out of PK-Sim's cells */
        const char *ef = NULL;
        if ((st = want_string(v, el, "efflux", "elimination", 0, efflux_transporters, &ef)))
            return st;
        if (ef && (!pt || !json_object_get(pt, "cell_permeability")))
            return bad(v, "elimination.efflux",
                       "only goes with partition.cell_permeability (the efflux leaves the cells; "
                       "docs/interactions.md)");
        int has = 0;
        const json_t *tl = json_object_get(el, "transport");
        for (size_t i = 0; ef && i < json_array_size(tl); i++) {
            const json_t *t = json_array_get(tl, i);
            const char *tn = json_string_value(json_object_get(t, "transporter"));
            const char *pr = json_string_value(json_object_get(t, "process"));
            has |= tn && !strcmp(tn, ef) && pr && !strcmp(pr, "michaelis_menten") &&
                   json_object_get(t, "km") && json_object_get(t, "kcat");
        }
        if (ef && !has)
            return bad(v, "elimination.efflux",
                       "'%s' needs an elimination.transport entry of that transporter with "
                       "process michaelis_menten, km and kcat",
                       ef);
    }
    if ((st = check_items(v, root, "interactions", "", "target", NULL)) ||
        (st = check_items(v, root, "interactions", "", "mechanism", mechanisms)) ||
        (st = check_items(v, root, "metabolites", "", "name", NULL)) ||
        (st = check_items(v, root, "pgx", "", "gene", NULL)) ||
        (st = check_items(v, root, "pgx", "", "scales", NULL)) ||
        (st = check_items(v, root, "missing", "", "field", NULL)) ||
        (st = check_items(v, root, "missing", "", "why", NULL)) ||
        (st = check_items(v, root, "specific_binding", "", "target", NULL)))
        return st;
    /* every metabolite link and pgx mapping states its source */
    if ((st = check_items(v, root, "metabolites", "", "source", NULL)) ||
        (st = check_items(v, root, "pgx", "", "source", NULL)))
        return st;
    const json_t *tr = json_object_get(root, "therapeutic_range");
    if (tr) {
        const json_t *lo = json_object_get(tr, "low"), *hi = json_object_get(tr, "high");
        if (!lo && !hi && !json_object_get(tr, "toxic_above"))
            return bad(v, "therapeutic_range", "needs low, high or toxic_above");
    }
    return check_values(v, root, NULL, "", 0);
}

/* ---- load ---------------------------------------------------------------------------------- */

static mt_status finish(mt_ctx *ctx, json_t *root, const char *want, const char *label,
                        mt_drugcard **out)
{
    vctx v = {ctx, label};
    mt_status st = check_card(&v, root, want);
    if (st) {
        json_decref(root);
        return st;
    }
    mt_drugcard *c = calloc(1, sizeof *c);
    if (!c) {
        json_decref(root);
        return mt_error(ctx, MT_ENOMEM, "out of memory loading drug card '%s'", label);
    }
    c->root = root;
    c->name = json_string_value(json_object_get(root, "name"));
    c->version = json_string_value(json_object_get(root, "version"));
    c->display_name = json_string_value(json_object_get(root, "display_name"));
    c->kind = json_string_value(json_object_get(root, "kind"));
    *out = c;
    return MT_OK;
}

mt_status mt_drugcard_parse(mt_ctx *ctx, const char *text, size_t len, const char *name,
                            mt_drugcard **out)
{
    *out = NULL;
    const char *label = name ? name : "(memory)";
    if (!text)
        return mt_error(ctx, MT_EINVAL, "drug card '%s': no text", label);
    if (name && !valid_name(name))
        return mt_error(ctx, MT_EINVAL, "'%s' is not a drug card name ([a-z0-9_]+)", name);
    if (len > MT_DRUGCARD_MAX_BYTES)
        return mt_error(ctx, MT_ELIMIT, "drug card '%s' is larger than %zu bytes", label,
                        MT_DRUGCARD_MAX_BYTES);
    json_error_t err;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
    if (!root) {
        mt_error(ctx, MT_EPARSE, "drug card '%s': invalid JSON at line %d, column %d: %s", label,
                 err.line, err.column, err.text);
        return one_line(ctx, MT_EPARSE);
    }
    if (!name && valid_name(json_string_value(json_object_get(root, "name"))))
        label = json_string_value(json_object_get(root, "name"));
    return finish(ctx, root, name, label, out);
}

/* Cuts path at its last '/' (in place) and returns it. */
static char *dirname_of(char *path)
{
    char *slash = strrchr(path, '/');
    if (slash)
        *slash = '\0';
    return path;
}

mt_status mt_drugcard_load(mt_ctx *ctx, const char *data_dir, const char *name, mt_drugcard **out)
{
    *out = NULL;
    if (!name || !valid_name(name))
        return mt_error(ctx, MT_ENOTFOUND,
                        "unknown drug '%s' (see `medtwin drugs`; card names are lower-case "
                        "letters, digits and '_')",
                        name ? name : "(null)");
    if (!data_dir)
        data_dir = mt_data_dir();
    char path[4096];
    int k = snprintf(path, sizeof path, "%s/drugs/%s.json", data_dir, name);
    if (k < 0 || (size_t)k >= sizeof path)
        return mt_error(ctx, MT_EINVAL, "data folder path too long");
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (errno == ENOENT) {
            DIR *d = opendir(path[0] ? dirname_of(path) : ".");
            if (!d)
                return mt_error(ctx, MT_EIO, "no drug card folder '%s/drugs'", data_dir);
            closedir(d);
            return mt_error(ctx, MT_ENOTFOUND, "unknown drug '%s' (see `medtwin drugs`)", name);
        }
        return mt_error(ctx, MT_EIO, "cannot open drug card '%s': %s", path, strerror(errno));
    }
    char *buf = NULL;
    size_t n = 0;
    mt_status st = mt_read_file(ctx, f, path, MT_DRUGCARD_MAX_BYTES, &buf, &n);
    fclose(f);
    if (st != MT_OK)
        return st;
    st = mt_drugcard_parse(ctx, buf, n, name, out);
    mt_free(ctx, buf);
    return st;
}

void mt_drugcard_destroy(mt_drugcard *card)
{
    if (!card)
        return;
    json_decref(card->root);
    free(card);
}

mt_status mt_drugcard_list(mt_ctx *ctx, const char *data_dir, char ***names, size_t *n)
{
    return mt_list_cards(ctx, data_dir, "drugs", MAX_NAME, "drug card", names, n);
}

void mt_drugcard_names_free(mt_ctx *ctx, char **names, size_t n) { mt_names_free(ctx, names, n); }

/* ---- accessors ----------------------------------------------------------------------------- */

const char *mt_drugcard_name(const mt_drugcard *c) { return c->name; }
const char *mt_drugcard_version(const mt_drugcard *c) { return c->version; }
const char *mt_drugcard_display_name(const mt_drugcard *c) { return c->display_name; }
const char *mt_drugcard_kind(const mt_drugcard *c) { return c->kind; }

static const json_t *get(const json_t *o, const char *key) { return json_object_get(o, key); }

static const char *str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

const char *mt_drugcard_parent(const mt_drugcard *c) { return str(c->root, "parent"); }
const char *mt_drugcard_racemate(const mt_drugcard *c) { return str(c->root, "racemate"); }

/* training_data.studies: strings "Author Year: what" (validated only as a section here) */
size_t mt_drugcard_n_training(const mt_drugcard *c)
{
    const json_t *s = get(get(c->root, "training_data"), "studies");
    return json_is_array(s) ? json_array_size(s) : 0;
}

const char *mt_drugcard_training(const mt_drugcard *c, size_t i)
{
    const json_t *s = get(get(c->root, "training_data"), "studies");
    return json_is_array(s) ? json_string_value(json_array_get(s, i)) : NULL;
}

int mt_drugcard_is_training_study(const mt_drugcard *c, const char *study)
{
    size_t len = study ? strlen(study) : 0;
    if (len == 0)
        return 0;
    for (size_t i = 0; i < mt_drugcard_n_training(c); i++) {
        const char *t = mt_drugcard_training(c, i);
        if (t && strncmp(t, study, len) == 0 && (t[len] == ':' || t[len] == '\0' || t[len] == ' '))
            return 1;
    }
    return 0;
}

size_t mt_drugcard_n_enantiomers(const mt_drugcard *c)
{
    return json_array_size(get(c->root, "enantiomers"));
}

const char *mt_drugcard_enantiomer(const mt_drugcard *c, size_t i)
{
    return json_string_value(json_array_get(get(c->root, "enantiomers"), i));
}

/* The canonical value of value object o sitting under field key; NaN when o
 * is not a value object. Valid cards only (units checked at load). */
static double canon(const json_t *o, const char *key)
{
    const field_def *f = field_find(key);
    const json_t *jv = json_object_get(o, "value");
    if (!f || !json_is_object(o) || !json_is_number(jv))
        return NAN;
    const char *unit = json_string_value(json_object_get(o, "unit"));
    double fac = unit ? unit_factor(f->qty, unit) : 0;
    return fac ? json_number_value(jv) * fac : NAN;
}

static double member(const json_t *o, const char *key) { return canon(get(o, key), key); }

static int is_fitted(const json_t *o, const char *key)
{
    return json_is_true(json_object_get(get(o, key), "fitted"));
}

double mt_drugcard_mw(const mt_drugcard *c) { return member(get(c->root, "physchem"), "mw"); }

const char *mt_drugcard_cell_permeability(const mt_drugcard *c)
{
    return c ? json_string_value(get(get(c->root, "partition"), "cell_permeability")) : NULL;
}
double mt_drugcard_logp(const mt_drugcard *c) { return member(get(c->root, "physchem"), "logp"); }
const char *mt_drugcard_logp_measure(const mt_drugcard *c)
{
    return str(get(c->root, "physchem"), "logp_measure");
}
double mt_drugcard_fu(const mt_drugcard *c)
{
    return member(get(c->root, "physchem"), "fu_plasma");
}
double mt_drugcard_bp(const mt_drugcard *c)
{
    return member(get(c->root, "physchem"), "blood_plasma_ratio");
}

size_t mt_drugcard_n_pka(const mt_drugcard *c)
{
    return json_array_size(get(get(c->root, "physchem"), "pka"));
}

mt_status mt_drugcard_pka(const mt_drugcard *c, size_t i, double *value, mt_pka_type *type)
{
    const json_t *o = json_array_get(get(get(c->root, "physchem"), "pka"), i);
    if (!o)
        return MT_ENOTFOUND;
    if (value)
        *value = canon(o, "pka");
    if (type)
        *type = strcmp(str(o, "type"), "acid") ? MT_PKA_BASE : MT_PKA_ACID;
    return MT_OK;
}

const char *mt_drugcard_partition_method(const mt_drugcard *c)
{
    return str(get(c->root, "partition"), "method");
}

double mt_drugcard_kp(const mt_drugcard *c, const char *organ)
{
    const json_t *kp = get(get(c->root, "partition"), "kp");
    return organ ? canon(get(kp, organ), "kp") : NAN;
}

const char *mt_drugcard_absorption_model(const mt_drugcard *c)
{
    return str(get(c->root, "absorption"), "model");
}

const char *mt_drugcard_efflux(const mt_drugcard *c)
{
    return c ? str(get(c->root, "elimination"), "efflux") : NULL;
}

const char *mt_drugcard_gut_wall(const mt_drugcard *c)
{
    return c ? str(get(c->root, "absorption"), "gut_wall") : NULL;
}
double mt_drugcard_ka(const mt_drugcard *c) { return member(get(c->root, "absorption"), "ka"); }
double mt_drugcard_fa(const mt_drugcard *c) { return member(get(c->root, "absorption"), "fa"); }
double mt_drugcard_fg(const mt_drugcard *c) { return member(get(c->root, "absorption"), "fg"); }

static const json_t *formulations(const mt_drugcard *c)
{
    return get(get(c->root, "absorption"), "formulations");
}
size_t mt_drugcard_n_formulations(const mt_drugcard *c) { return json_array_size(formulations(c)); }
const char *mt_drugcard_formulation_id(const mt_drugcard *c, size_t i)
{
    return str(json_array_get(formulations(c), i), "id");
}
int mt_drugcard_formulation(const mt_drugcard *c, const char *id, mt_formulation *out)
{
    size_t i;
    json_t *f;
    memset(out, 0, sizeof *out);
    json_array_foreach((json_t *)formulations(c), i, f)
    {
        if (!id || strcmp(str(f, "id"), id))
            continue;
        out->id = str(f, "id");
        out->description = str(f, "description");
        out->food = str(f, "food");
        out->t50_h = member(f, "dissolution_time_50");
        out->shape = member(f, "dissolution_shape");
        out->lag_h = json_object_get(f, "lag_time") ? member(f, "lag_time") : 0.0;
        return 0;
    }
    return -1;
}

static void process_from(const json_t *o, const char *protein_key, mt_drugcard_process *p)
{
    static const char *const nums[] = {"km",
                                       "kcat",
                                       "vmax_microsomal",
                                       "vmax_recombinant",
                                       "vmax",
                                       "enzyme_content",
                                       "enzyme_concentration",
                                       "transporter_concentration",
                                       "specific_clearance",
                                       "clint",
                                       "plasma_clearance",
                                       "fm",
                                       NULL};
    p->protein = str(o, protein_key);
    p->process = str(o, "process");
    p->system = str(o, "system");
    p->osp_process = str(o, "osp_process");
    p->metabolite = str(o, "metabolite");
    p->km_umol_l = member(o, "km");
    p->kcat_per_h = member(o, "kcat");
    p->vmax_microsomal_pmol_min_mg = member(o, "vmax_microsomal");
    p->vmax_recombinant_pmol_min_pmol = member(o, "vmax_recombinant");
    p->vmax_umol_l_h = member(o, "vmax");
    p->enzyme_content_pmol_mg = member(o, "enzyme_content");
    p->protein_conc_umol_l = member(o, "enzyme_concentration");
    if (isnan(p->protein_conc_umol_l))
        p->protein_conc_umol_l = member(o, "transporter_concentration");
    p->specific_clearance_per_h = member(o, "specific_clearance");
    p->clint_l_h = member(o, "clint");
    p->plasma_clearance_l_h_kg = member(o, "plasma_clearance");
    p->fm = member(o, "fm");
    p->any_fitted = 0;
    for (const char *const *k = nums; *k; k++)
        p->any_fitted |= is_fitted(o, *k);
}

size_t mt_drugcard_n_hepatic(const mt_drugcard *c)
{
    return json_array_size(get(get(c->root, "elimination"), "hepatic"));
}

mt_status mt_drugcard_hepatic(const mt_drugcard *c, size_t i, mt_drugcard_process *out)
{
    const json_t *o = json_array_get(get(get(c->root, "elimination"), "hepatic"), i);
    if (!o)
        return MT_ENOTFOUND;
    process_from(o, "enzyme", out);
    return MT_OK;
}

size_t mt_drugcard_n_transport(const mt_drugcard *c)
{
    return json_array_size(get(get(c->root, "elimination"), "transport"));
}

mt_status mt_drugcard_transport(const mt_drugcard *c, size_t i, mt_drugcard_process *out)
{
    const json_t *o = json_array_get(get(get(c->root, "elimination"), "transport"), i);
    if (!o)
        return MT_ENOTFOUND;
    process_from(o, "transporter", out);
    return MT_OK;
}

size_t mt_drugcard_n_specific_binding(const mt_drugcard *c)
{
    return json_array_size(get(c->root, "specific_binding"));
}

const char *mt_drugcard_specific_binding_target(const mt_drugcard *c, size_t i)
{
    return json_string_value(get(json_array_get(get(c->root, "specific_binding"), i), "target"));
}

mt_status mt_drugcard_renal_get(const mt_drugcard *c, mt_drugcard_renal *out)
{
    const json_t *r = get(get(c->root, "elimination"), "renal");
    if (!r)
        return MT_ENOTFOUND;
    const json_t *cl = json_array_get(get(r, "clearance"), 0);
    out->gfr_fraction = member(r, "gfr_fraction");
    out->specific_clearance_per_h = member(cl, "specific_clearance");
    out->plasma_clearance_l_h_kg = member(cl, "plasma_clearance");
    out->n_clearance = json_array_size(get(r, "clearance"));
    out->any_fitted = is_fitted(r, "gfr_fraction") || is_fitted(cl, "specific_clearance") ||
                      is_fitted(cl, "plasma_clearance");
    if (isnan(out->gfr_fraction) && !out->n_clearance)
        return MT_ENOTFOUND;
    return MT_OK;
}

static const char *const mech_names[] = {"competitive",     "noncompetitive", "mixed",
                                         "mechanism_based", "induction",      "unspecified"};

const char *mt_mechanism_name(mt_mechanism m)
{
    return (unsigned)m < sizeof mech_names / sizeof mech_names[0] ? mech_names[m] : "?";
}

size_t mt_drugcard_n_interactions(const mt_drugcard *c)
{
    return json_array_size(get(c->root, "interactions"));
}

mt_status mt_drugcard_interaction_get(const mt_drugcard *c, size_t i, mt_drugcard_interaction *out)
{
    static const char *const nums[] = {"ki",      "ki_c", "ki_u", "kinact",
                                       "ki_half", "ec50", "emax", NULL};
    const json_t *o = json_array_get(get(c->root, "interactions"), i);
    if (!o)
        return MT_ENOTFOUND;
    const char *m = str(o, "mechanism");
    out->target = str(o, "target");
    out->mechanism = MT_MECH_UNSPECIFIED;
    for (size_t k = 0; m && k < sizeof mech_names / sizeof mech_names[0]; k++)
        if (!strcmp(m, mech_names[k]))
            out->mechanism = (mt_mechanism)k;
    out->ki_umol_l = member(o, "ki");
    out->ki_c_umol_l = member(o, "ki_c");
    out->ki_u_umol_l = member(o, "ki_u");
    out->kinact_per_h = member(o, "kinact");
    out->ki_half_umol_l = member(o, "ki_half");
    out->ec50_umol_l = member(o, "ec50");
    out->emax = member(o, "emax");
    out->any_fitted = 0;
    for (const char *const *k = nums; *k; k++)
        out->any_fitted |= is_fitted(o, *k);
    return MT_OK;
}

size_t mt_drugcard_n_metabolites(const mt_drugcard *c)
{
    return json_array_size(get(c->root, "metabolites"));
}

mt_status mt_drugcard_metabolite_get(const mt_drugcard *c, size_t i, mt_drugcard_metabolite *out)
{
    const json_t *o = json_array_get(get(c->root, "metabolites"), i);
    if (!o)
        return MT_ENOTFOUND;
    out->name = str(o, "name");
    out->via = str(o, "via");
    out->fraction = member(o, "fraction");
    return MT_OK;
}

mt_status mt_drugcard_therapeutic_range(const mt_drugcard *c, double *low, double *high,
                                        double *toxic_above)
{
    const json_t *t = get(c->root, "therapeutic_range");
    if (low)
        *low = member(t, "low");
    if (high)
        *high = member(t, "high");
    if (toxic_above)
        *toxic_above = member(t, "toxic_above");
    return t ? MT_OK : MT_ENOTFOUND;
}

size_t mt_drugcard_n_pgx(const mt_drugcard *c) { return json_array_size(get(c->root, "pgx")); }

mt_status mt_drugcard_pgx(const mt_drugcard *c, size_t i, const char **gene, const char **scales)
{
    const json_t *o = json_array_get(get(c->root, "pgx"), i);
    if (!o)
        return MT_ENOTFOUND;
    if (gene)
        *gene = str(o, "gene");
    if (scales)
        *scales = str(o, "scales");
    return MT_OK;
}

size_t mt_drugcard_n_missing(const mt_drugcard *c)
{
    return json_array_size(get(c->root, "missing"));
}

mt_status mt_drugcard_missing(const mt_drugcard *c, size_t i, const char **field, const char **why)
{
    const json_t *o = json_array_get(get(c->root, "missing"), i);
    if (!o)
        return MT_ENOTFOUND;
    if (field)
        *field = str(o, "field");
    if (why)
        *why = str(o, "why");
    return MT_OK;
}

/* Follows a dotted path. OUT: *key, the last object key on the way (the
 * field name of the value object, or of the array holding it). */
static const json_t *lookup(const json_t *root, const char *path, char *key, size_t key_n)
{
    const json_t *node = root;
    char part[128];
    key[0] = '\0';
    while (node && *path) {
        size_t n = strcspn(path, ".");
        if (n == 0 || n >= sizeof part)
            return NULL;
        memcpy(part, path, n);
        part[n] = '\0';
        path += n;
        if (*path == '.' && !*++path)
            return NULL; /* trailing dot */
        if (json_is_array(node)) {
            char *end;
            unsigned long i = strtoul(part, &end, 10);
            if (*end || part[0] < '0' || part[0] > '9')
                return NULL;
            node = json_array_get(node, i);
        } else if (json_is_object(node)) {
            /* partition.kp.<organ>: the quantity is "kp" */
            snprintf(key, key_n, "%s", strcmp(key, "kp") ? part : "kp");
            node = json_object_get(node, part);
        } else {
            return NULL;
        }
    }
    return node;
}

mt_status mt_drugcard_value(const mt_drugcard *c, const char *path, double *value,
                            const char **unit)
{
    char key[128];
    const json_t *o = path ? lookup(c->root, path, key, sizeof key) : NULL;
    const field_def *f = o ? field_find(key) : NULL;
    double v = f ? canon(o, key) : NAN;
    if (isnan(v))
        return MT_ENOTFOUND;
    if (value)
        *value = v;
    if (unit)
        *unit = qtys[f->qty].canonical;
    return MT_OK;
}

mt_status mt_drugcard_value_source(const mt_drugcard *c, const char *path, const char **source,
                                   int *fitted, const char **fitted_to)
{
    char key[128];
    const json_t *o = path ? lookup(c->root, path, key, sizeof key) : NULL;
    if (!json_is_object(o) || !json_object_get(o, "value"))
        return MT_ENOTFOUND;
    int fit = json_is_true(json_object_get(o, "fitted"));
    if (source)
        *source = str(o, "source");
    if (fitted)
        *fitted = fit;
    if (fitted_to)
        *fitted_to = fit ? str(o, "fitted_to") : NULL;
    return MT_OK;
}

static const char *const flag_names[MT_DC_N_FLAGS] = {
    "mw", "logp", "pka", "fu",      "bp",    "partition",    "kp",
    "ka", "fa",   "fg",  "hepatic", "renal", "interactions", "therapeutic"};

const char *mt_drugcard_flag_name(unsigned i) { return i < MT_DC_N_FLAGS ? flag_names[i] : "?"; }

unsigned mt_drugcard_completeness(const mt_drugcard *c)
{
    unsigned f = 0;
    mt_drugcard_renal r;
    if (!isnan(mt_drugcard_mw(c)))
        f |= MT_DC_MW;
    if (!isnan(mt_drugcard_logp(c)))
        f |= MT_DC_LOGP;
    if (mt_drugcard_n_pka(c))
        f |= MT_DC_PKA;
    if (!isnan(mt_drugcard_fu(c)))
        f |= MT_DC_FU;
    if (!isnan(mt_drugcard_bp(c)))
        f |= MT_DC_BP;
    if (mt_drugcard_partition_method(c) && (f & MT_DC_LOGP) && (f & MT_DC_FU))
        f |= MT_DC_PARTITION;
    size_t n = mt_pbpk_n_organs(), i;
    for (i = 0; i < n && !isnan(mt_drugcard_kp(c, mt_pbpk_organ(i))); i++)
        ;
    if (i == n)
        f |= MT_DC_KP;
    if (!isnan(mt_drugcard_ka(c)))
        f |= MT_DC_KA;
    if (!isnan(mt_drugcard_fa(c)))
        f |= MT_DC_FA;
    if (!isnan(mt_drugcard_fg(c)))
        f |= MT_DC_FG;
    if (mt_drugcard_n_hepatic(c))
        f |= MT_DC_HEPATIC;
    if (mt_drugcard_renal_get(c, &r) == MT_OK)
        f |= MT_DC_RENAL;
    if (mt_drugcard_n_interactions(c))
        f |= MT_DC_INTERACTIONS;
    if (get(c->root, "therapeutic_range"))
        f |= MT_DC_THERAPEUTIC;
    return f;
}
