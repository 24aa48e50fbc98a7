/* SPDX-License-Identifier: Apache-2.0
 *
 * poppk/poppk.c — population-PK(PD) drug cards (medtwin/poppk.h, docs/poppk.md).
 *
 * A card is read once from JSON (jansson) into flat arrays: parameters, covariate effects,
 * covariates (continuous, or genotype with a table of category values), the IIV covariance
 * matrix, residual models. Each parameter may carry a covariate expression, parsed at load by
 * the small recursive-descent parser below into a node array (numbers, names, + - * / ^,
 * unary minus, exp/log/sqrt/abs, pow/min/max) whose names are resolved then: the parameter
 * itself (its typical value), an effect, or a covariate. A name that is none of these refuses
 * the card, so evaluation cannot meet an unknown name. The same parser turns the SBML
 * formulas of mt_poppk_sbml into MathML, with names left as SBML ids.
 * Cost: O(card size) per load; mt_poppk_typical is O(expression nodes); nothing allocates
 * after load except mt_poppk_list and mt_poppk_sbml. The file is long mainly because
 * clang-format spreads the tables and messages over lines; the parser (first section) could
 * move to its own file if a second module needs it.
 */
#define _POSIX_C_SOURCE 200809L
#include "medtwin/poppk.h"
#include "medtwin/data.h"
#include "util/util.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NAME 64
#define MAX_NODES 256
#define MAX_ID 48

/* ---- expressions ---------------------------------------------------------------------------- */

typedef enum {
    X_NUM,
    X_ID,
    X_ADD,
    X_SUB,
    X_MUL,
    X_DIV,
    X_POW,
    X_NEG,
    X_EXP,
    X_LOG,
    X_SQRT,
    X_ABS,
    X_MIN,
    X_MAX
} xop;

typedef enum { R_NONE, R_SELF, R_EFFECT, R_COV } xref;

typedef struct {
    xop op;
    int a, b; /* children (node indices), -1 when absent */
    double v;
    xref ref;
    int idx;
    char id[MAX_ID];
} xnode;

typedef struct {
    xnode *n;
    int count, root;
} xtree;

typedef struct {
    const char *s, *p;
    xnode *n;
    int count;
    char err[160];
} xparser;

static void skip_ws(xparser *ps)
{
    while (*ps->p == ' ' || *ps->p == '\t')
        ps->p++;
}

static int new_node(xparser *ps, xop op, int a, int b)
{
    if (ps->count >= MAX_NODES) {
        snprintf(ps->err, sizeof ps->err, "expression longer than %d nodes", MAX_NODES);
        return -1;
    }
    xnode *x = &ps->n[ps->count];
    memset(x, 0, sizeof *x);
    x->op = op;
    x->a = a;
    x->b = b;
    x->idx = -1;
    return ps->count++;
}

static int parse_sum(xparser *ps);

static int is_id_char(char c, int first)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
           (!first && c >= '0' && c <= '9');
}

static int parse_primary(xparser *ps)
{
    skip_ws(ps);
    char c = *ps->p;
    if (c == '(') {
        ps->p++;
        int e = parse_sum(ps);
        if (e < 0)
            return -1;
        skip_ws(ps);
        if (*ps->p != ')') {
            snprintf(ps->err, sizeof ps->err, "')' expected at column %d",
                     (int)(ps->p - ps->s) + 1);
            return -1;
        }
        ps->p++;
        return e;
    }
    if ((c >= '0' && c <= '9') || c == '.') {
        char *end = NULL;
        double v = strtod(ps->p, &end);
        if (end == ps->p || !isfinite(v)) {
            snprintf(ps->err, sizeof ps->err, "bad number at column %d", (int)(ps->p - ps->s) + 1);
            return -1;
        }
        ps->p = end;
        int k = new_node(ps, X_NUM, -1, -1);
        if (k >= 0)
            ps->n[k].v = v;
        return k;
    }
    if (is_id_char(c, 1)) {
        const char *q = ps->p;
        while (is_id_char(*q, 0))
            q++;
        size_t len = (size_t)(q - ps->p);
        if (len >= MAX_ID) {
            snprintf(ps->err, sizeof ps->err, "name longer than %d characters", MAX_ID - 1);
            return -1;
        }
        char id[MAX_ID];
        memcpy(id, ps->p, len);
        id[len] = '\0';
        ps->p = q;
        skip_ws(ps);
        if (*ps->p == '(') {
            static const struct {
                const char *name;
                xop op;
                int nargs;
            } fns[] = {{"exp", X_EXP, 1}, {"log", X_LOG, 1}, {"sqrt", X_SQRT, 1}, {"abs", X_ABS, 1},
                       {"pow", X_POW, 2}, {"min", X_MIN, 2}, {"max", X_MAX, 2}};
            for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
                if (strcmp(fns[i].name, id))
                    continue;
                ps->p++;
                int a = parse_sum(ps), b = -1;
                if (a < 0)
                    return -1;
                skip_ws(ps);
                if (fns[i].nargs == 2) {
                    if (*ps->p != ',') {
                        snprintf(ps->err, sizeof ps->err, "%s() takes two arguments", id);
                        return -1;
                    }
                    ps->p++;
                    if ((b = parse_sum(ps)) < 0)
                        return -1;
                    skip_ws(ps);
                }
                if (*ps->p != ')') {
                    snprintf(ps->err, sizeof ps->err, "')' expected after the arguments of %s()",
                             id);
                    return -1;
                }
                ps->p++;
                return new_node(ps, fns[i].op, a, b);
            }
            snprintf(ps->err, sizeof ps->err, "unknown function '%s'", id);
            return -1;
        }
        int k = new_node(ps, X_ID, -1, -1);
        if (k >= 0)
            memcpy(ps->n[k].id, id, len + 1);
        return k;
    }
    if (!c)
        snprintf(ps->err, sizeof ps->err, "unexpected end of the expression");
    else
        snprintf(ps->err, sizeof ps->err, "unexpected '%c' at column %d", c,
                 (int)(ps->p - ps->s) + 1);
    return -1;
}

static int parse_unary(xparser *ps);

static int parse_power(xparser *ps)
{
    int a = parse_primary(ps);
    if (a < 0)
        return -1;
    skip_ws(ps);
    if (*ps->p == '^') {
        ps->p++;
        int b = parse_unary(ps); /* right-associative */
        return b < 0 ? -1 : new_node(ps, X_POW, a, b);
    }
    return a;
}

static int parse_unary(xparser *ps)
{
    skip_ws(ps);
    if (*ps->p == '-') {
        ps->p++;
        int a = parse_unary(ps);
        return a < 0 ? -1 : new_node(ps, X_NEG, a, -1);
    }
    if (*ps->p == '+') {
        ps->p++;
        return parse_unary(ps);
    }
    return parse_power(ps);
}

static int parse_product(xparser *ps)
{
    int a = parse_unary(ps);
    while (a >= 0) {
        skip_ws(ps);
        char c = *ps->p;
        if (c != '*' && c != '/')
            break;
        ps->p++;
        int b = parse_unary(ps);
        if (b < 0)
            return -1;
        a = new_node(ps, c == '*' ? X_MUL : X_DIV, a, b);
    }
    return a;
}

static int parse_sum(xparser *ps)
{
    int a = parse_product(ps);
    while (a >= 0) {
        skip_ws(ps);
        char c = *ps->p;
        if (c != '+' && c != '-')
            break;
        ps->p++;
        int b = parse_product(ps);
        if (b < 0)
            return -1;
        a = new_node(ps, c == '+' ? X_ADD : X_SUB, a, b);
    }
    return a;
}

/* Parses text into *t (nodes allocated on ctx). On failure returns -1 with ps->err set. */
static int xparse(mt_ctx *ctx, const char *text, xtree *t, char *err, size_t errn)
{
    xparser ps = {.s = text, .p = text};
    ps.n = mt_malloc(ctx, MAX_NODES * sizeof *ps.n);
    if (!ps.n) {
        snprintf(err, errn, "out of memory");
        return -1;
    }
    int root = parse_sum(&ps);
    if (root >= 0) {
        skip_ws(&ps);
        if (*ps.p) {
            snprintf(ps.err, sizeof ps.err, "unexpected '%c' at column %d", *ps.p,
                     (int)(ps.p - ps.s) + 1);
            root = -1;
        }
    }
    if (root < 0) {
        snprintf(err, errn, "%s", ps.err);
        mt_free(ctx, ps.n);
        return -1;
    }
    t->n = ps.n;
    t->count = ps.count;
    t->root = root;
    return 0;
}

/* ---- the card ------------------------------------------------------------------------------- */

typedef struct {
    char *name, *unit, *model_unit, *source;
    double published;
    int has_expr;
    xtree expr;
    double omega; /* variance of eta, 0 without IIV */
} param;

typedef struct {
    char *name, *source;
    double value;
} effect;

typedef enum { C_CONT, C_GENE } cov_type;

typedef struct {
    char *name, *unit, *source;
    cov_type type;
    int field; /* index into cont_fields, -1 for a genotype */
    double reference;
    char *reference_genotype;
    size_t n_cat;
    char **cat;
    double *cat_value;
} covariate;

typedef struct {
    char *observable, *form, *source;
    double add_sd, prop_cv;
} residual;

struct mt_poppk {
    char *drug, *structure, *absorption, *pd, *citation;
    size_t n_sources;
    char **sources;
    size_t n_params, n_effects, n_covs, n_res;
    param *params;
    effect *effects;
    covariate *covs;
    residual *res;
    double *omega;
    int n_transit1, n_transit2;
};

static const struct {
    const char *name, *unit;
} cont_fields[] = {{"WT", "kg"},     {"AGE", "y"},  {"HT", "cm"}, {"BSA", "m2"}, {"CRCL", "mL/min"},
                   {"SCR", "mg/dL"}, {"BWT", "kg"}, {"PNA", "d"}, {"INR0", "1"}, {"SEX", "1"}};
#define N_CONT (sizeof cont_fields / sizeof cont_fields[0])

static double cont_value(const mt_poppk_covariates *c, int field)
{
    switch (field) {
    case 0:
        return c->weight_kg;
    case 1:
        return c->age_years;
    case 2:
        return c->height_cm;
    case 3:
        return c->bsa_m2;
    case 4:
        return c->crcl_ml_min;
    case 5:
        return c->scr_mg_dl;
    case 6:
        return c->birth_weight_kg;
    case 7:
        return c->postnatal_age_days;
    case 8:
        return c->baseline_inr;
    case 9:
        return c->sex == 0 || c->sex == 1 ? (double)c->sex : NAN;
    default:
        return NAN;
    }
}

static void cont_set(mt_poppk_covariates *c, int field, double v)
{
    switch (field) {
    case 0:
        c->weight_kg = v;
        break;
    case 1:
        c->age_years = v;
        break;
    case 2:
        c->height_cm = v;
        break;
    case 3:
        c->bsa_m2 = v;
        break;
    case 4:
        c->crcl_ml_min = v;
        break;
    case 5:
        c->scr_mg_dl = v;
        break;
    case 6:
        c->birth_weight_kg = v;
        break;
    case 7:
        c->postnatal_age_days = v;
        break;
    case 8:
        c->baseline_inr = v;
        break;
    case 9:
        c->sex = v == 1 ? 1 : v == 0 ? 0 : -1;
        break;
    default:
        break;
    }
}

/* Model units of the parameters a structure names, and the units a card may print. */
static const struct {
    const char *name, *model_unit;
} known_params[] = {{"CL", "L/h"},   {"V1", "L"},      {"Q", "L/h"},  {"V2", "L"},
                    {"KA", "1/h"},   {"F", "1"},       {"TLAG", "h"}, {"EMAX", "1"},
                    {"GAMMA", "1"},  {"EC50", "mg/L"}, {"MTT1", "h"}, {"MTT2", "h"},
                    {"LAMBDA", "1"}, {"INRMAX", "1"},  {"BASE", "1"}};
static const char *const units_ok[] = {"L/h",  "L",    "1/h",    "1",        "h",
                                       "mg/L", "L/kg", "L/h/kg", "L/h/70kg", "L/70kg"};

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

static int in_list(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; s && i < n; i++)
        if (!strcmp(s, list[i]))
            return 1;
    return 0;
}

void mt_poppk_destroy(mt_poppk *c)
{
    if (!c)
        return;
    mt_ctx *ctx = NULL; /* the allocator ignores the context; a card outlives any */
    mt_free(ctx, c->drug);
    mt_free(ctx, c->structure);
    mt_free(ctx, c->absorption);
    mt_free(ctx, c->pd);
    mt_free(ctx, c->citation);
    for (size_t i = 0; i < c->n_sources; i++)
        mt_free(ctx, c->sources[i]);
    mt_free(ctx, c->sources);
    for (size_t i = 0; i < c->n_params; i++) {
        param *p = &c->params[i];
        mt_free(ctx, p->name);
        mt_free(ctx, p->unit);
        mt_free(ctx, p->model_unit);
        mt_free(ctx, p->source);
        mt_free(ctx, p->expr.n);
    }
    mt_free(ctx, c->params);
    for (size_t i = 0; i < c->n_effects; i++) {
        mt_free(ctx, c->effects[i].name);
        mt_free(ctx, c->effects[i].source);
    }
    mt_free(ctx, c->effects);
    for (size_t i = 0; i < c->n_covs; i++) {
        covariate *v = &c->covs[i];
        mt_free(ctx, v->name);
        mt_free(ctx, v->unit);
        mt_free(ctx, v->source);
        mt_free(ctx, v->reference_genotype);
        for (size_t k = 0; k < v->n_cat; k++)
            mt_free(ctx, v->cat[k]);
        mt_free(ctx, v->cat);
        mt_free(ctx, v->cat_value);
    }
    mt_free(ctx, c->covs);
    for (size_t i = 0; i < c->n_res; i++) {
        mt_free(ctx, c->res[i].observable);
        mt_free(ctx, c->res[i].form);
        mt_free(ctx, c->res[i].source);
    }
    mt_free(ctx, c->res);
    mt_free(ctx, c->omega);
    mt_free(ctx, c);
}

/* ---- loading -------------------------------------------------------------------------------- */

typedef struct {
    mt_ctx *ctx; /* the caller's: messages */
    mt_ctx *own; /* allocations of the card (NULL: it outlives the caller's context) */
    const char *label;
    mt_status st;
} loader;

static mt_status fail(loader *L, mt_status st, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static mt_status fail(loader *L, mt_status st, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    for (char *q = msg; *q; q++)
        if (*q == '\n' || *q == '\r')
            *q = ' ';
    L->st = st;
    return mt_error(L->ctx, st, "population-PK card '%s': %s", L->label, msg);
}

static char *dup(loader *L, const char *s)
{
    char *d = mt_strdup(L->own, s ? s : "");
    if (!d)
        fail(L, MT_ENOMEM, "out of memory");
    return d;
}

/* A non-empty string member, or NULL after a message naming path.key. */
static const char *need_str(loader *L, json_t *obj, const char *key, const char *path)
{
    const char *s = json_string_value(json_object_get(obj, key));
    if (!s || !*s) {
        fail(L, MT_EPARSE, "%s%s%s: a non-empty string is required", path, *path ? "." : "", key);
        return NULL;
    }
    return s;
}

static int need_num(loader *L, json_t *obj, const char *key, const char *path, double *v)
{
    json_t *j = json_object_get(obj, key);
    if (!json_is_number(j) || !isfinite(json_number_value(j))) {
        fail(L, MT_EPARSE, "%s.%s: a finite number is required", path, key);
        return -1;
    }
    *v = json_number_value(j);
    return 0;
}

static int load_citation(loader *L, mt_poppk *c, json_t *root)
{
    json_t *cit = json_object_get(root, "citation");
    if (!json_is_object(cit))
        return fail(L, MT_EPARSE, "citation: an object is required"), -1;
    const char *authors = need_str(L, cit, "authors", "citation");
    const char *journal = authors ? need_str(L, cit, "journal", "citation") : NULL;
    json_t *year = json_object_get(cit, "year");
    if (!journal)
        return -1;
    if (!json_is_integer(year) || json_integer_value(year) < 1900 ||
        json_integer_value(year) > 2100)
        return fail(L, MT_EPARSE, "citation.year: a year is required"), -1;
    const char *title = json_string_value(json_object_get(cit, "title"));
    const char *ref = json_string_value(json_object_get(cit, "reference"));
    const char *pmid = json_string_value(json_object_get(cit, "pmid"));
    const char *doi = json_string_value(json_object_get(cit, "doi"));
    if (!(title && *title) && !(pmid && *pmid) && !(doi && *doi))
        return fail(L, MT_EPARSE, "citation: a title, pmid or doi is required"), -1;
    char buf[1024];
    snprintf(buf, sizeof buf, "%s (%lld). %s%s%s%s%s%s%s%s", authors,
             (long long)json_integer_value(year), title ? title : "", title ? ". " : "", journal,
             ref ? " " : "", ref ? ref : "", doi ? ". doi:" : "", doi ? doi : "",
             pmid ? (doi ? "" : ". PMID ") : "");
    if (pmid && !doi) {
        size_t w = strlen(buf);
        snprintf(buf + w, sizeof buf - w, "%s", pmid);
    }
    if (!(c->citation = dup(L, buf)))
        return -1;
    json_t *seen = json_object_get(root, "source_seen");
    if (!json_is_array(seen) || json_array_size(seen) == 0)
        return fail(L, MT_EPARSE,
                    "source_seen: a non-empty array of the places the values were read is "
                    "required"),
               -1;
    c->sources = mt_calloc(L->own, json_array_size(seen), sizeof *c->sources);
    if (!c->sources)
        return fail(L, MT_ENOMEM, "out of memory"), -1;
    for (size_t i = 0; i < json_array_size(seen); i++) {
        const char *s = json_string_value(json_array_get(seen, i));
        if (!s || !*s)
            return fail(L, MT_EPARSE, "source_seen[%zu]: a non-empty string is required", i), -1;
        if (!(c->sources[c->n_sources++] = dup(L, s)))
            return -1;
    }
    return 0;
}

static int load_effects(loader *L, mt_poppk *c, json_t *root)
{
    json_t *eff = json_object_get(root, "effects");
    if (!eff)
        return 0;
    if (!json_is_object(eff))
        return fail(L, MT_EPARSE, "effects: an object is required"), -1;
    c->effects = mt_calloc(L->own, json_object_size(eff) + 1, sizeof *c->effects);
    if (!c->effects)
        return fail(L, MT_ENOMEM, "out of memory"), -1;
    const char *key;
    json_t *v;
    json_object_foreach(eff, key, v)
    {
        char path[128];
        snprintf(path, sizeof path, "effects.%s", key);
        effect *e = &c->effects[c->n_effects];
        if (!json_is_object(v))
            return fail(L, MT_EPARSE, "%s: an object {value, unit, source} is required", path), -1;
        if (!is_id_char(key[0], 1) || strlen(key) >= MAX_ID)
            return fail(L, MT_EPARSE, "%s: not a name", path), -1;
        if (need_num(L, v, "value", path, &e->value) < 0 || !need_str(L, v, "unit", path))
            return -1;
        const char *src = need_str(L, v, "source", path);
        if (!src)
            return -1;
        if (!(e->name = dup(L, key)) || !(e->source = dup(L, src)))
            return -1;
        c->n_effects++;
    }
    return 0;
}

static int load_covariates(loader *L, mt_poppk *c, json_t *root)
{
    json_t *arr = json_object_get(root, "covariates");
    if (!arr)
        return 0;
    if (!json_is_array(arr))
        return fail(L, MT_EPARSE, "covariates: an array is required"), -1;
    c->covs = mt_calloc(L->own, json_array_size(arr) + 1, sizeof *c->covs);
    if (!c->covs)
        return fail(L, MT_ENOMEM, "out of memory"), -1;
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_t *o = json_array_get(arr, i);
        char path[64];
        snprintf(path, sizeof path, "covariates[%zu]", i);
        if (!json_is_object(o))
            return fail(L, MT_EPARSE, "%s: an object is required", path), -1;
        covariate *v = &c->covs[c->n_covs];
        const char *name = need_str(L, o, "name", path);
        const char *type = name ? need_str(L, o, "type", path) : NULL;
        const char *unit = type ? need_str(L, o, "unit", path) : NULL;
        const char *src = unit ? need_str(L, o, "source", path) : NULL;
        if (!src)
            return -1;
        for (size_t k = 0; k < c->n_covs; k++)
            if (!strcmp(c->covs[k].name, name))
                return fail(L, MT_EPARSE, "%s: covariate '%s' declared twice", path, name), -1;
        if (!(v->name = dup(L, name)) || !(v->unit = dup(L, unit)) || !(v->source = dup(L, src)))
            return -1;
        c->n_covs++;
        v->field = -1;
        v->reference = NAN;
        if (!strcmp(type, "continuous")) {
            v->type = C_CONT;
            for (size_t k = 0; k < N_CONT; k++)
                if (!strcmp(cont_fields[k].name, name))
                    v->field = (int)k;
            if (v->field < 0)
                return fail(L, MT_EPARSE,
                            "%s: unknown covariate '%s' (known: WT, AGE, HT, BSA, CRCL, SCR, BWT, "
                            "PNA, INR0, SEX)",
                            path, name),
                       -1;
            if (strcmp(unit, cont_fields[v->field].unit))
                return fail(L, MT_EPARSE, "%s: %s is in '%s', not '%s'", path, name,
                            cont_fields[v->field].unit, unit),
                       -1;
            if (need_num(L, o, "reference", path, &v->reference) < 0)
                return -1;
        } else if (!strcmp(type, "genotype")) {
            v->type = C_GENE;
            json_t *cats = json_object_get(o, "categories");
            if (!json_is_object(cats) || json_object_size(cats) == 0)
                return fail(L, MT_EPARSE, "%s.categories: an object {genotype: value} is required",
                            path),
                       -1;
            size_t n = json_object_size(cats);
            v->cat = mt_calloc(L->own, n, sizeof *v->cat);
            v->cat_value = mt_calloc(L->own, n, sizeof *v->cat_value);
            if (!v->cat || !v->cat_value)
                return fail(L, MT_ENOMEM, "out of memory"), -1;
            const char *key;
            json_t *val;
            json_object_foreach(cats, key, val)
            {
                if (!json_is_number(val) || !isfinite(json_number_value(val)))
                    return fail(L, MT_EPARSE, "%s.categories.%s: a finite number is required", path,
                                key),
                           -1;
                if (!(v->cat[v->n_cat] = dup(L, key)))
                    return -1;
                v->cat_value[v->n_cat++] = json_number_value(val);
            }
            const char *ref = need_str(L, o, "reference", path);
            if (!ref)
                return -1;
            int found = 0;
            for (size_t k = 0; k < v->n_cat; k++)
                found |= !strcmp(v->cat[k], ref);
            if (!found)
                return fail(L, MT_EPARSE, "%s.reference: '%s' is not one of the categories", path,
                            ref),
                       -1;
            if (!(v->reference_genotype = dup(L, ref)))
                return -1;
        } else {
            return fail(L, MT_EPARSE, "%s.type: 'continuous' or 'genotype' expected, not '%s'",
                        path, type),
                   -1;
        }
    }
    return 0;
}

/* Resolves the names of a parameter's expression. */
static int resolve(loader *L, mt_poppk *c, size_t ip, const char *path)
{
    xtree *t = &c->params[ip].expr;
    for (int k = 0; k < t->count; k++) {
        xnode *x = &t->n[k];
        if (x->op != X_ID)
            continue;
        if (!strcmp(x->id, c->params[ip].name)) {
            x->ref = R_SELF;
            continue;
        }
        for (size_t e = 0; e < c->n_effects && x->ref == R_NONE; e++)
            if (!strcmp(c->effects[e].name, x->id)) {
                x->ref = R_EFFECT;
                x->idx = (int)e;
            }
        for (size_t e = 0; e < c->n_covs && x->ref == R_NONE; e++)
            if (!strcmp(c->covs[e].name, x->id)) {
                x->ref = R_COV;
                x->idx = (int)e;
            }
        if (x->ref == R_NONE)
            return fail(L, MT_EINVAL,
                        "%s.covariates: unknown name '%s' (neither the parameter, an effect nor "
                        "a declared covariate)",
                        path, x->id),
                   -1;
    }
    return 0;
}

static double iiv_from(json_t *iiv, const char **which)
{
    json_t *om = json_object_get(iiv, "omega");
    json_t *cv = json_object_get(iiv, "cv");
    if (json_is_number(om) && !cv) {
        *which = "omega";
        return json_number_value(om);
    }
    if (json_is_number(cv) && !om) {
        *which = "cv";
        double v = json_number_value(cv);
        return v >= 0 ? log1p(v * v) : -1;
    }
    *which = NULL;
    return NAN;
}

static int load_params(loader *L, mt_poppk *c, json_t *root)
{
    json_t *obj = json_object_get(root, "parameters");
    if (!json_is_object(obj) || json_object_size(obj) == 0)
        return fail(L, MT_EPARSE, "parameters: a non-empty object is required"), -1;
    size_t n = json_object_size(obj);
    c->params = mt_calloc(L->own, n, sizeof *c->params);
    c->omega = mt_calloc(L->own, n * n, sizeof *c->omega);
    if (!c->params || !c->omega)
        return fail(L, MT_ENOMEM, "out of memory"), -1;
    const char *key;
    json_t *o;
    json_object_foreach(obj, key, o)
    {
        char path[96];
        snprintf(path, sizeof path, "parameters.%s", key);
        param *p = &c->params[c->n_params];
        if (!json_is_object(o))
            return fail(L, MT_EPARSE, "%s: an object is required", path), -1;
        const char *model_unit = NULL;
        for (size_t k = 0; k < sizeof known_params / sizeof known_params[0]; k++)
            if (!strcmp(known_params[k].name, key))
                model_unit = known_params[k].model_unit;
        if (!model_unit)
            return fail(L, MT_EPARSE,
                        "%s: unknown parameter (known: CL V1 Q V2 KA F TLAG EMAX GAMMA EC50 MTT1 "
                        "MTT2 LAMBDA INRMAX BASE)",
                        path),
                   -1;
        if (!(p->name = dup(L, key)))
            return -1;
        c->n_params++;
        json_t *typ = json_object_get(o, "typical");
        if (!json_is_number(typ) || !isfinite(json_number_value(typ)))
            return fail(L, MT_EPARSE, "%s.typical: a finite number is required", path), -1;
        p->published = json_number_value(typ);
        if (!(p->published > 0))
            return fail(L, MT_EINVAL, "%s.typical: %g is not > 0", path, p->published), -1;
        if (!strcmp(key, "F") && p->published > 1)
            return fail(L, MT_EINVAL, "%s.typical: a fraction must be <= 1, not %g", path,
                        p->published),
                   -1;
        const char *unit = need_str(L, o, "unit", path);
        if (!unit)
            return -1;
        if (!in_list(unit, units_ok, sizeof units_ok / sizeof units_ok[0]))
            return fail(L, MT_EPARSE, "%s.unit: '%s' is not a card unit", path, unit), -1;
        const char *mu = json_string_value(json_object_get(o, "model_unit"));
        if (!mu)
            mu = unit;
        if (strcmp(mu, model_unit))
            return fail(L, MT_EPARSE, "%s: the model unit of %s is '%s', not '%s'%s", path, key,
                        model_unit, mu,
                        strcmp(unit, model_unit) ? " (give \"model_unit\" when the covariate "
                                                   "expression converts the unit)"
                                                 : ""),
                   -1;
        const char *src = need_str(L, o, "source", path);
        if (!src)
            return -1;
        if (!(p->unit = dup(L, unit)) || !(p->model_unit = dup(L, mu)) ||
            !(p->source = dup(L, src)))
            return -1;
        json_t *ex = json_object_get(o, "covariates");
        if (ex) {
            const char *text = json_string_value(ex);
            char err[200];
            if (!text || !*text)
                return fail(L, MT_EPARSE, "%s.covariates: an expression string is required", path),
                       -1;
            if (xparse(L->own, text, &p->expr, err, sizeof err) < 0)
                return fail(L, MT_EPARSE, "%s.covariates: %s", path, err), -1;
            p->has_expr = 1;
            if (resolve(L, c, c->n_params - 1, path) < 0)
                return -1;
        } else if (strcmp(unit, model_unit)) {
            return fail(L, MT_EPARSE,
                        "%s: '%s' is not the model unit '%s' and no covariate expression "
                        "converts it",
                        path, unit, model_unit),
                   -1;
        }
        json_t *iiv = json_object_get(o, "iiv");
        if (iiv) {
            const char *which = NULL;
            double om = json_is_object(iiv) ? iiv_from(iiv, &which) : NAN;
            if (!which)
                return fail(L, MT_EPARSE,
                            "%s.iiv: {\"omega\": variance} or {\"cv\": fraction} "
                            "is required",
                            path),
                       -1;
            if (!(om >= 0) || !isfinite(om))
                return fail(L, MT_EINVAL, "%s.iiv.%s: must be a finite number >= 0", path, which),
                       -1;
            char ipath[128];
            snprintf(ipath, sizeof ipath, "%s.iiv", path);
            if (!need_str(L, iiv, "source", ipath))
                return -1;
            p->omega = om;
        }
        size_t i = c->n_params - 1;
        c->omega[i * n + i] = p->omega;
    }
    return 0;
}

/* The index of parameter name, -1 when the card has none (or name is NULL: not a string). */
static int find_param(const mt_poppk *c, const char *name)
{
    for (size_t i = 0; name && i < c->n_params; i++)
        if (!strcmp(c->params[i].name, name))
            return (int)i;
    return -1;
}

static int load_correlations(loader *L, mt_poppk *c, json_t *root)
{
    json_t *arr = json_object_get(root, "correlations");
    if (!arr)
        return 0;
    if (!json_is_array(arr))
        return fail(L, MT_EPARSE, "correlations: an array is required"), -1;
    size_t n = c->n_params;
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_t *o = json_array_get(arr, i);
        char path[64];
        snprintf(path, sizeof path, "correlations[%zu]", i);
        json_t *btw = json_object_get(o, "between");
        if (!json_is_array(btw) || json_array_size(btw) != 2)
            return fail(L, MT_EPARSE, "%s.between: two parameter names are required", path), -1;
        int a = find_param(c, json_string_value(json_array_get(btw, 0)));
        int b = find_param(c, json_string_value(json_array_get(btw, 1)));
        if (a < 0 || b < 0 || a == b)
            return fail(L, MT_EPARSE, "%s.between: two different parameters of the card", path), -1;
        double va = c->omega[(size_t)a * n + (size_t)a], vb = c->omega[(size_t)b * n + (size_t)b];
        if (!(va > 0) || !(vb > 0))
            return fail(L, MT_EINVAL, "%s: both parameters need IIV", path), -1;
        json_t *cv = json_object_get(o, "covariance"), *r = json_object_get(o, "correlation");
        double cov;
        if (json_is_number(cv) && !r)
            cov = json_number_value(cv);
        else if (json_is_number(r) && !cv)
            cov = json_number_value(r) * sqrt(va * vb);
        else
            return fail(L, MT_EPARSE, "%s: \"covariance\" or \"correlation\" is required", path),
                   -1;
        if (!isfinite(cov) || fabs(cov) > sqrt(va * vb) * (1 + 1e-12))
            return fail(L, MT_EINVAL, "%s: the correlation is outside [-1, 1]", path), -1;
        if (!need_str(L, o, "source", path))
            return -1;
        c->omega[(size_t)a * n + (size_t)b] = c->omega[(size_t)b * n + (size_t)a] = cov;
    }
    return 0;
}

/* Factor to mg/L of a concentration unit, 0 if unknown. */
static double conc_factor(const char *u)
{
    static const struct {
        const char *u;
        double f;
    } t[] = {{"mg/L", 1}, {"ug/mL", 1}, {"ng/mL", 1e-3}, {"ug/L", 1e-3}, {"1", 1}};
    for (size_t i = 0; u && i < sizeof t / sizeof t[0]; i++)
        if (!strcmp(t[i].u, u))
            return t[i].f;
    return 0;
}

static int load_residual(loader *L, mt_poppk *c, json_t *o, const char *observable,
                         const char *path)
{
    if (!json_is_object(o))
        return fail(L, MT_EPARSE, "%s: an object is required", path), -1;
    residual *r = &c->res[c->n_res];
    static const char *const forms[] = {"additive", "proportional", "combined", "exponential"};
    const char *form = need_str(L, o, "form", path);
    if (!form)
        return -1;
    if (!in_list(form, forms, 4))
        return fail(L, MT_EPARSE,
                    "%s.form: '%s' is not additive, proportional, combined or "
                    "exponential",
                    path, form),
               -1;
    const char *src = need_str(L, o, "source", path);
    if (!src)
        return -1;
    r->add_sd = 0;
    r->prop_cv = 0;
    json_t *a = json_object_get(o, "additive_sd"), *p = json_object_get(o, "proportional_cv");
    int want_a = strcmp(form, "proportional") && strcmp(form, "exponential");
    int want_p = strcmp(form, "additive") != 0;
    if (want_a) {
        if (need_num(L, o, "additive_sd", path, &r->add_sd) < 0)
            return -1;
        const char *unit = need_str(L, o, "unit", path);
        if (!unit)
            return -1;
        double f = conc_factor(unit);
        if (!f)
            return fail(L, MT_EPARSE, "%s.unit: '%s' is not a concentration unit", path, unit), -1;
        r->add_sd *= f;
    } else if (a) {
        return fail(L, MT_EPARSE, "%s.additive_sd: not part of a %s error", path, form), -1;
    }
    if (want_p) {
        if (need_num(L, o, "proportional_cv", path, &r->prop_cv) < 0)
            return -1;
    } else if (p) {
        return fail(L, MT_EPARSE, "%s.proportional_cv: not part of an additive error", path), -1;
    }
    if (!(r->add_sd >= 0) || !(r->prop_cv >= 0))
        return fail(L, MT_EINVAL, "%s: error magnitudes must be >= 0", path), -1;
    if (!(r->observable = dup(L, observable)) || !(r->form = dup(L, form)) ||
        !(r->source = dup(L, src)))
        return -1;
    c->n_res++;
    return 0;
}

static double eval(const mt_poppk *c, const param *p, const xtree *t, int k,
                   const mt_poppk_covariates *cov, int *missing)
{
    const xnode *x = &t->n[k];
    double a = x->a >= 0 ? eval(c, p, t, x->a, cov, missing) : 0;
    double b = x->b >= 0 ? eval(c, p, t, x->b, cov, missing) : 0;
    switch (x->op) {
    case X_NUM:
        return x->v;
    case X_ID:
        if (x->ref == R_SELF)
            return p->published;
        if (x->ref == R_EFFECT)
            return c->effects[x->idx].value;
        if (x->ref == R_COV) {
            const covariate *v = &c->covs[x->idx];
            if (v->type == C_CONT) {
                double val = cont_value(cov, v->field);
                if (isnan(val) && *missing < 0)
                    *missing = x->idx;
                return val;
            }
            const char *g = NULL;
            for (size_t i = 0; i < cov->n_genotypes && i < MT_POPPK_MAX_GENES; i++)
                if (cov->genotypes[i].gene && !strcmp(cov->genotypes[i].gene, v->name))
                    g = cov->genotypes[i].genotype;
            for (size_t i = 0; g && i < v->n_cat; i++)
                if (!strcmp(v->cat[i], g))
                    return v->cat_value[i];
            if (*missing < 0)
                *missing = x->idx;
            return NAN;
        }
        return NAN;
    case X_ADD:
        return a + b;
    case X_SUB:
        return a - b;
    case X_MUL:
        return a * b;
    case X_DIV:
        return a / b;
    case X_POW:
        return pow(a, b);
    case X_NEG:
        return -a;
    case X_EXP:
        return exp(a);
    case X_LOG:
        return log(a);
    case X_SQRT:
        return sqrt(a);
    case X_ABS:
        return fabs(a);
    case X_MIN:
        return a < b ? a : b;
    case X_MAX:
        return a > b ? a : b;
    }
    return NAN;
}

static double param_value(const mt_poppk *c, size_t i, const mt_poppk_covariates *cov, int *missing)
{
    const param *p = &c->params[i];
    *missing = -1;
    return p->has_expr ? eval(c, p, &p->expr, p->expr.root, cov, missing) : p->published;
}

static int check_structure(loader *L, mt_poppk *c, json_t *root)
{
    json_t *m = json_object_get(root, "model");
    if (!json_is_object(m))
        return fail(L, MT_EPARSE, "model: an object is required"), -1;
    const char *st = need_str(L, m, "structure", "model");
    const char *ab = st ? need_str(L, m, "absorption", "model") : NULL;
    if (!ab)
        return -1;
    if (strcmp(st, "1cpt") && strcmp(st, "2cpt"))
        return fail(L, MT_EPARSE, "model.structure: '1cpt' or '2cpt', not '%s'", st), -1;
    if (strcmp(ab, "iv") && strcmp(ab, "oral_first_order"))
        return fail(L, MT_EPARSE, "model.absorption: 'iv' or 'oral_first_order', not '%s'", ab), -1;
    if (!(c->structure = dup(L, st)) || !(c->absorption = dup(L, ab)))
        return -1;
    const char *need[16];
    size_t nn = 0;
    need[nn++] = "CL";
    need[nn++] = "V1";
    if (!strcmp(st, "2cpt")) {
        need[nn++] = "Q";
        need[nn++] = "V2";
    }
    if (!strcmp(ab, "oral_first_order")) {
        need[nn++] = "KA";
        need[nn++] = "F";
    }
    json_t *pd = json_object_get(root, "pd");
    if (pd) {
        if (!json_is_object(pd))
            return fail(L, MT_EPARSE, "pd: an object is required"), -1;
        const char *pm = need_str(L, pd, "model", "pd");
        if (!pm)
            return -1;
        if (strcmp(pm, "hamberg_inr"))
            return fail(L, MT_EPARSE, "pd.model: only 'hamberg_inr' is known, not '%s'", pm), -1;
        if (!(c->pd = dup(L, pm)))
            return -1;
        static const char *const pdp[] = {"EMAX", "GAMMA",  "EC50",   "MTT1",
                                          "MTT2", "LAMBDA", "INRMAX", "BASE"};
        for (size_t i = 0; i < 8; i++)
            need[nn++] = pdp[i];
        json_t *n1 = json_object_get(pd, "n_transit_1"), *n2 = json_object_get(pd, "n_transit_2");
        if (!json_is_integer(n1) || !json_is_integer(n2) || json_integer_value(n1) < 1 ||
            json_integer_value(n1) > 20 || json_integer_value(n2) < 1 ||
            json_integer_value(n2) > 20)
            return fail(L, MT_EPARSE,
                        "pd.n_transit_1, pd.n_transit_2: integers in 1..20 are "
                        "required"),
                   -1;
        if (!need_str(L, pd, "source", "pd"))
            return -1;
        c->n_transit1 = (int)json_integer_value(n1);
        c->n_transit2 = (int)json_integer_value(n2);
    }
    for (size_t i = 0; i < nn; i++)
        if (find_param(c, need[i]) < 0)
            return fail(L, MT_EPARSE, "parameters.%s: required by the %s%s model", need[i], st,
                        pd ? " + PD" : ""),
                   -1;
    for (size_t i = 0; i < c->n_params; i++) {
        int used = !strcmp(c->params[i].name, "TLAG") && !strcmp(ab, "oral_first_order");
        for (size_t k = 0; k < nn; k++)
            used |= !strcmp(c->params[i].name, need[k]);
        if (!used)
            return fail(L, MT_EPARSE, "parameters.%s: not part of the %s %s model",
                        c->params[i].name, st, ab),
                   -1;
    }
    return 0;
}

static mt_status finish(loader *L, json_t *root, const char *expect, mt_poppk **out)
{
    mt_poppk *c = mt_calloc(L->own, 1, sizeof *c);
    if (!c) {
        json_decref(root);
        return mt_error(L->ctx, MT_ENOMEM, "out of memory loading a population-PK card");
    }
    const char *schema = json_string_value(json_object_get(root, "schema"));
    const char *kind = json_string_value(json_object_get(root, "kind"));
    const char *drug = json_string_value(json_object_get(root, "drug"));
    if (!json_is_object(root))
        fail(L, MT_EPARSE, "the card is not a JSON object");
    else if (!schema || strcmp(schema, MT_POPPK_SCHEMA))
        fail(L, MT_EPARSE, "schema: \"%s\" is required", MT_POPPK_SCHEMA);
    else if (!kind || strcmp(kind, "poppk"))
        fail(L, MT_EPARSE, "kind: \"poppk\" is required");
    else if (!valid_name(drug))
        fail(L, MT_EPARSE, "drug: a card name ([a-z0-9_]+) is required");
    else if (expect && strcmp(drug, expect))
        fail(L, MT_EPARSE, "drug: '%s' differs from the file name '%s'", drug, expect);
    if (L->st == MT_OK) {
        L->label = drug;
        if ((c->drug = dup(L, drug)) && load_citation(L, c, root) == 0 &&
            load_effects(L, c, root) == 0 && load_covariates(L, c, root) == 0 &&
            load_params(L, c, root) == 0 && check_structure(L, c, root) == 0 &&
            load_correlations(L, c, root) == 0) {
            c->res = mt_calloc(L->own, 2, sizeof *c->res);
            if (!c->res)
                fail(L, MT_ENOMEM, "out of memory");
            else if (load_residual(L, c, json_object_get(root, "residual"), "Cc", "residual") ==
                         0 &&
                     c->pd) {
                json_t *pd = json_object_get(root, "pd");
                const char *obs = need_str(L, pd, "observable", "pd");
                if (obs && strcmp(obs, "INR"))
                    fail(L, MT_EPARSE, "pd.observable: 'INR' expected, not '%s'", obs);
                else if (obs)
                    load_residual(L, c, json_object_get(pd, "residual"), obs, "pd.residual");
            }
        }
    }
    /* Self-check: each expression gives the typical value at the reference covariates. */
    if (L->st == MT_OK) {
        mt_poppk_covariates ref;
        mt_poppk_reference_covariates(c, &ref);
        for (size_t i = 0; i < c->n_params && L->st == MT_OK; i++) {
            const param *p = &c->params[i];
            int missing;
            double v = param_value(c, i, &ref, &missing);
            if (!isfinite(v) || !(v > 0))
                fail(L, MT_EINVAL,
                     "parameters.%s.covariates: not finite and > 0 at the reference covariates "
                     "(%g)",
                     p->name, v);
            else if (!strcmp(p->unit, p->model_unit) &&
                     fabs(v - p->published) > 1e-9 * fabs(p->published))
                fail(L, MT_EINVAL,
                     "parameters.%s.covariates: gives %.10g at the reference covariates, not the "
                     "typical value %.10g",
                     p->name, v, p->published);
        }
    }
    json_decref(root);
    if (L->st != MT_OK) {
        mt_poppk_destroy(c);
        return L->st;
    }
    *out = c;
    return MT_OK;
}

static mt_status parse_text(mt_ctx *ctx, const char *text, size_t len, const char *expect,
                            const char *label, mt_poppk **out)
{
    *out = NULL;
    if (!text)
        return mt_error(ctx, MT_EINVAL, "population-PK card '%s': no text", label);
    if (len > MT_POPPK_MAX_BYTES)
        return mt_error(ctx, MT_ELIMIT, "population-PK card '%s' is larger than %zu bytes", label,
                        MT_POPPK_MAX_BYTES);
    json_error_t err;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
    loader L = {.ctx = ctx, .label = label, .st = MT_OK};
    if (!root) {
        fail(&L, MT_EPARSE, "invalid JSON at line %d, column %d: %s", err.line, err.column,
             err.text);
        return MT_EPARSE;
    }
    return finish(&L, root, expect, out);
}

mt_status mt_poppk_parse(mt_ctx *ctx, const char *text, size_t len, mt_poppk **out)
{
    return parse_text(ctx, text, len, NULL, "(memory)", out);
}

static mt_status load_path(mt_ctx *ctx, const char *path, const char *expect, mt_poppk **out)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (errno == ENOENT && expect)
            return mt_error(ctx, MT_ENOTFOUND, "no population-PK card for '%s' (%s)", expect, path);
        return mt_error(ctx, errno == ENOENT ? MT_ENOTFOUND : MT_EIO,
                        "cannot open population-PK card '%s': %s", path, strerror(errno));
    }
    char *buf = NULL;
    size_t n = 0;
    mt_status st = mt_read_file(ctx, f, path, MT_POPPK_MAX_BYTES, &buf, &n);
    fclose(f);
    if (st != MT_OK)
        return st;
    st = parse_text(ctx, buf, n, expect, expect ? expect : path, out);
    mt_free(ctx, buf);
    return st;
}

mt_status mt_poppk_load_file(mt_ctx *ctx, const char *path, mt_poppk **out)
{
    if (!path) {
        *out = NULL;
        return mt_error(ctx, MT_EINVAL, "population-PK card: no path");
    }
    return load_path(ctx, path, NULL, out);
}

mt_status mt_poppk_load(mt_ctx *ctx, const char *drug, mt_poppk **out)
{
    *out = NULL;
    if (!valid_name(drug))
        return mt_error(ctx, MT_ENOTFOUND,
                        "no population-PK card for '%s' (card names are lower-case letters, "
                        "digits and '_')",
                        drug ? drug : "(null)");
    char path[4096];
    int k = snprintf(path, sizeof path, "%s/poppk/%s.json", mt_data_dir(), drug);
    if (k < 0 || (size_t)k >= sizeof path)
        return mt_error(ctx, MT_EINVAL, "data folder path too long");
    return load_path(ctx, path, drug, out);
}

void mt_poppk_names_free(mt_ctx *ctx, char **names, size_t n) { mt_names_free(ctx, names, n); }

mt_status mt_poppk_list(mt_ctx *ctx, char ***names, size_t *n)
{
    return mt_list_cards(ctx, NULL, "poppk", MAX_NAME, "population-PK card", names, n);
}

/* ---- accessors ------------------------------------------------------------------------------ */

const char *mt_poppk_drug(const mt_poppk *c) { return c->drug; }
const char *mt_poppk_structure(const mt_poppk *c) { return c->structure; }
const char *mt_poppk_absorption(const mt_poppk *c) { return c->absorption; }
const char *mt_poppk_dose_target(const mt_poppk *c)
{
    return strcmp(c->absorption, "iv") ? "depot" : "central";
}
const char *mt_poppk_pd(const mt_poppk *c) { return c->pd; }
const char *mt_poppk_citation(const mt_poppk *c) { return c->citation; }
size_t mt_poppk_n_sources(const mt_poppk *c) { return c->n_sources; }
const char *mt_poppk_source_seen(const mt_poppk *c, size_t i)
{
    return i < c->n_sources ? c->sources[i] : NULL;
}
size_t mt_poppk_n_params(const mt_poppk *c) { return c->n_params; }
const char *mt_poppk_param_name(const mt_poppk *c, size_t i)
{
    return i < c->n_params ? c->params[i].name : NULL;
}
const char *mt_poppk_param_unit(const mt_poppk *c, size_t i)
{
    return i < c->n_params ? c->params[i].model_unit : NULL;
}
const char *mt_poppk_param_source(const mt_poppk *c, size_t i)
{
    return i < c->n_params ? c->params[i].source : NULL;
}
double mt_poppk_param_published(const mt_poppk *c, size_t i)
{
    return i < c->n_params ? c->params[i].published : NAN;
}
int mt_poppk_param_index(const mt_poppk *c, const char *name)
{
    return name ? find_param(c, name) : -1;
}

size_t mt_poppk_n_covariates(const mt_poppk *c) { return c->n_covs; }
const char *mt_poppk_covariate_name(const mt_poppk *c, size_t i)
{
    return i < c->n_covs ? c->covs[i].name : NULL;
}
const char *mt_poppk_covariate_unit(const mt_poppk *c, size_t i)
{
    return i < c->n_covs ? c->covs[i].unit : NULL;
}
double mt_poppk_covariate_reference(const mt_poppk *c, size_t i)
{
    return i < c->n_covs ? c->covs[i].reference : NAN;
}
const char *mt_poppk_covariate_reference_genotype(const mt_poppk *c, size_t i)
{
    return i < c->n_covs ? c->covs[i].reference_genotype : NULL;
}

void mt_poppk_covariates_init(mt_poppk_covariates *cov)
{
    memset(cov, 0, sizeof *cov);
    for (int k = 0; k < (int)N_CONT; k++)
        cont_set(cov, k, NAN);
    cov->sex = -1;
}

mt_status mt_poppk_covariates_set_genotype(mt_poppk_covariates *cov, const char *gene,
                                           const char *genotype)
{
    if (!cov || !gene || !genotype)
        return MT_EINVAL;
    for (size_t i = 0; i < cov->n_genotypes && i < MT_POPPK_MAX_GENES; i++)
        if (cov->genotypes[i].gene && !strcmp(cov->genotypes[i].gene, gene)) {
            cov->genotypes[i].genotype = genotype;
            return MT_OK;
        }
    if (cov->n_genotypes >= MT_POPPK_MAX_GENES)
        return MT_ELIMIT;
    cov->genotypes[cov->n_genotypes].gene = gene;
    cov->genotypes[cov->n_genotypes++].genotype = genotype;
    return MT_OK;
}

void mt_poppk_reference_covariates(const mt_poppk *c, mt_poppk_covariates *cov)
{
    mt_poppk_covariates_init(cov);
    for (size_t i = 0; i < c->n_covs; i++) {
        const covariate *v = &c->covs[i];
        if (v->type == C_CONT)
            cont_set(cov, v->field, v->reference);
        else if (mt_poppk_covariates_set_genotype(cov, v->name, v->reference_genotype) != MT_OK)
            break; /* more genes than MT_POPPK_MAX_GENES: the rest stay unknown */
    }
}

mt_status mt_poppk_typical(mt_ctx *ctx, const mt_poppk *c, const mt_poppk_covariates *cov,
                           double *theta)
{
    if (!c || !cov || !theta)
        return mt_error(ctx, MT_EINVAL, "mt_poppk_typical: NULL argument");
    for (size_t i = 0; i < c->n_params; i++) {
        int missing;
        double v = param_value(c, i, cov, &missing);
        if (missing >= 0) {
            const covariate *m = &c->covs[missing];
            if (m->type == C_CONT)
                return mt_error(ctx, MT_EINVAL, "%s: %s of %s needs covariate %s (%s), not given",
                                c->drug, c->params[i].name, c->drug, m->name, m->unit);
            const char *g = NULL;
            for (size_t k = 0; k < cov->n_genotypes && k < MT_POPPK_MAX_GENES; k++)
                if (cov->genotypes[k].gene && !strcmp(cov->genotypes[k].gene, m->name))
                    g = cov->genotypes[k].genotype;
            if (!g)
                return mt_error(ctx, MT_EINVAL, "%s: %s needs the %s genotype, not given", c->drug,
                                c->params[i].name, m->name);
            char known[256];
            size_t w = 0;
            known[0] = '\0';
            for (size_t k = 0; k < m->n_cat && w < sizeof known; k++) {
                int r = snprintf(known + w, sizeof known - w, "%s%s", k ? ", " : "", m->cat[k]);
                if (r < 0)
                    break;
                w += (size_t)r;
            }
            return mt_error(ctx, MT_EINVAL, "%s: %s genotype '%s' is not on the card (known: %s)",
                            c->drug, m->name, g, known);
        }
        if (!isfinite(v) || !(v > 0))
            return mt_error(ctx, MT_EINVAL,
                            "%s: %s comes out as %g for these covariates (outside the model's "
                            "range)",
                            c->drug, c->params[i].name, v);
        theta[i] = v;
    }
    return MT_OK;
}

void mt_poppk_omega(const mt_poppk *c, double *omega)
{
    memcpy(omega, c->omega, c->n_params * c->n_params * sizeof *omega);
}

mt_status mt_poppk_residual_get(const mt_poppk *c, const char *observable, mt_poppk_residual *out)
{
    for (size_t i = 0; observable && i < c->n_res; i++)
        if (!strcmp(c->res[i].observable, observable)) {
            out->form = c->res[i].form;
            out->additive_sd = c->res[i].add_sd;
            out->proportional_cv = c->res[i].prop_cv;
            out->source = c->res[i].source;
            return MT_OK;
        }
    return MT_ENOTFOUND;
}

/* ---- SBML ------------------------------------------------------------------------------------ */

typedef struct {
    char *s;
    size_t len, cap;
    int oom;
} sbuf;

static void put(sbuf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static void put(sbuf *b, const char *fmt, ...)
{
    if (b->oom)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        size_t room = b->cap - b->len;
        int k = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? room : 0, fmt, ap);
        va_end(ap);
        if (k < 0) {
            b->oom = 1;
            return;
        }
        if (b->s && (size_t)k < room) {
            b->len += (size_t)k;
            return;
        }
        size_t nc = (b->cap ? b->cap * 2 : 8192) + (size_t)k;
        char *ns = realloc(b->s, nc);
        if (!ns) {
            b->oom = 1;
            return;
        }
        b->s = ns;
        b->cap = nc;
    }
}

static void mathml_node(sbuf *b, const xtree *t, int k)
{
    const xnode *x = &t->n[k];
    static const char *const tag[] = {
        [X_ADD] = "plus",  [X_SUB] = "minus", [X_MUL] = "times", [X_DIV] = "divide",
        [X_POW] = "power", [X_NEG] = "minus", [X_EXP] = "exp",   [X_LOG] = "ln",
        [X_SQRT] = "root", [X_ABS] = "abs",   [X_MIN] = "min",   [X_MAX] = "max"};
    if (x->op == X_NUM) {
        put(b, "<cn>%.17g</cn>", x->v);
        return;
    }
    if (x->op == X_ID) {
        put(b, "<ci>%s</ci>", x->id);
        return;
    }
    put(b, "<apply><%s/>", tag[x->op]);
    if (x->a >= 0)
        mathml_node(b, t, x->a);
    if (x->b >= 0)
        mathml_node(b, t, x->b);
    put(b, "</apply>");
}

/* Writes a rule whose formula is infix text (names are SBML ids). */
static int rule(mt_ctx *ctx, sbuf *b, const char *kind, const char *var, const char *formula)
{
    xtree t;
    char err[200];
    if (xparse(ctx, formula, &t, err, sizeof err) < 0)
        return -1;
    put(b, "<%s variable=\"%s\"><math xmlns=\"http://www.w3.org/1998/Math/MathML\">", kind, var);
    mathml_node(b, &t, t.root);
    put(b, "</math></%s>\n", kind);
    mt_free(ctx, t.n);
    return 0;
}

mt_status mt_poppk_sbml(mt_ctx *ctx, const mt_poppk *c, char **xml)
{
    *xml = NULL;
    mt_poppk_covariates ref;
    mt_poppk_reference_covariates(c, &ref);
    double *theta = mt_malloc(ctx, (c->n_params + 1) * sizeof *theta);
    if (!theta)
        return mt_error(ctx, MT_ENOMEM, "out of memory writing SBML");
    mt_status st = mt_poppk_typical(ctx, c, &ref, theta);
    if (st != MT_OK) {
        mt_free(ctx, theta);
        return st;
    }
    int oral = strcmp(c->absorption, "iv") != 0, two = !strcmp(c->structure, "2cpt");
    sbuf b = {0};
    put(&b,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<sbml xmlns=\"http://www.sbml.org/sbml/level3/version2/core\" level=\"3\" "
        "version=\"2\">\n<model id=\"poppk_%s\" name=\"%s population PK (%s %s)\">\n",
        c->drug, c->drug, c->structure, c->absorption);
    put(&b, "<listOfCompartments>\n<compartment id=\"body\" spatialDimensions=\"3\" size=\"1\" "
            "constant=\"true\"/>\n</listOfCompartments>\n<listOfSpecies>\n");
    const char *species[3] = {oral ? "depot" : NULL, "central", two ? "peripheral" : NULL};
    for (int i = 0; i < 3; i++)
        if (species[i])
            put(&b,
                "<species id=\"%s\" compartment=\"body\" initialAmount=\"0\" "
                "hasOnlySubstanceUnits=\"true\" boundaryCondition=\"false\" "
                "constant=\"false\"/>\n",
                species[i]);
    put(&b, "</listOfSpecies>\n<listOfParameters>\n");
    for (size_t i = 0; i < c->n_params; i++)
        put(&b, "<parameter id=\"%s\" value=\"%.17g\" constant=\"true\"/>\n", c->params[i].name,
            theta[i]);
    put(&b, "<parameter id=\"Cc\" value=\"0\" constant=\"false\"/>\n");
    if (c->pd) {
        put(&b, "<parameter id=\"INH\" value=\"1\" constant=\"false\"/>\n"
                "<parameter id=\"INR\" value=\"1\" constant=\"false\"/>\n");
        for (int k = 1; k <= c->n_transit1 + c->n_transit2; k++)
            put(&b, "<parameter id=\"A%d\" value=\"1\" constant=\"false\"/>\n", k);
    }
    put(&b, "</listOfParameters>\n<listOfRules>\n");
    char f[512];
    int bad = rule(ctx, &b, "assignmentRule", "Cc", "central / V1");
    if (oral)
        bad |= rule(ctx, &b, "rateRule", "depot", "-KA * depot");
    snprintf(f, sizeof f, "%s - CL / V1 * central%s", oral ? "F * KA * depot" : "0",
             two ? " - Q / V1 * central + Q / V2 * peripheral" : "");
    bad |= rule(ctx, &b, "rateRule", "central", f);
    if (two)
        bad |= rule(ctx, &b, "rateRule", "peripheral", "Q / V1 * central - Q / V2 * peripheral");
    if (c->pd) {
        /* Hamberg 2007: inhibition of the synthesis of the coagulation factors, two parallel
         * transit chains of n1 and n2 compartments, mean transit times MTT1, MTT2. */
        bad |= rule(ctx, &b, "assignmentRule", "INH",
                    "1 - EMAX * max(Cc, 0)^GAMMA / (EC50^GAMMA + max(Cc, 0)^GAMMA)");
        int n1 = c->n_transit1, n2 = c->n_transit2;
        for (int k = 1; k <= n1 + n2; k++) {
            char var[16];
            int chain1 = k <= n1;
            snprintf(var, sizeof var, "A%d", k);
            char prev[16];
            if (k == 1 || k == n1 + 1)
                snprintf(prev, sizeof prev, "INH");
            else
                snprintf(prev, sizeof prev, "A%d", k - 1);
            snprintf(f, sizeof f, "%d / %s * (%s - %s)", chain1 ? n1 : n2, chain1 ? "MTT1" : "MTT2",
                     prev, var);
            bad |= rule(ctx, &b, "rateRule", var, f);
        }
        snprintf(f, sizeof f, "BASE + INRMAX * (1 - A%d * A%d)^LAMBDA", n1, n1 + n2);
        bad |= rule(ctx, &b, "assignmentRule", "INR", f);
    }
    put(&b, "</listOfRules>\n</model>\n</sbml>\n");
    mt_free(ctx, theta);
    if (bad || b.oom) {
        free(b.s);
        return mt_error(ctx, MT_ENOMEM, "out of memory writing SBML for '%s'", c->drug);
    }
    *xml = b.s;
    return MT_OK;
}
