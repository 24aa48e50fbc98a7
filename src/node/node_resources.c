/* SPDX-License-Identifier: Apache-2.0
 *
 * node/node_resources.c — resources of every kind but twins behind the node's API
 * (docs/resources.md, docs/openapi.json):
 *   GET/POST /{kind}s                            list (search, filters) / create
 *   GET      /{kind}s/{id}                       metadata, versions, links
 *   POST     /{kind}s/{id}/versions              a new version
 *   GET      /{kind}s/{id}/versions/{sha256}     the content, with its media type
 *   GET/POST /{kind}s/{id}/curation              curation history / raise (or lower) the level
 *   POST     /{kind}s/{id}/visibility            private, group, public
 *   POST     /links, DELETE /links/{id}          typed links between resources
 *   GET      /graph?id=X&depth=N                 the linked resources the caller may see
 *   GET      /search?q=&kind=                    full-text search across kinds
 *   GET/POST /models/{id}/quality                quality reports (node_quality.c)
 * for kinds drug, method, dataset, report, actor, initiative ({kind}s), and models for
 * curation, visibility and quality (the rest of /models is in node.c). Twins never appear
 * here: every query excludes them.
 *
 * Content is validated per kind: drug cards by mt_drugcard_parse, methods by the SED-ML subset
 * of node/sedml.h, datasets as a numeric CSV with a time column, reports as a JSON object,
 * actors and initiatives by their own small schemas. Tables (migration 3): links,
 * curation_history (append-only), quality_reports.
 */
#define _GNU_SOURCE /* strdup */
#include "node/node_resources.h"
#include "medtwin/csv.h"
#include "medtwin/drugcard.h"
#include "node/sedml.h"
#include "util/util.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LIST 500
#define MAX_JSON_BYTES ((size_t)1 << 20)
#define MAX_CSV_BYTES ((size_t)8 << 20)
#define MAX_CSV_ROWS 100000
#define MAX_CSV_COLS 200
#define MAX_GRAPH_NODES 200
#define MAX_GRAPH_DEPTH 3

/* ---- schema ------------------------------------------------------------------------------ */

#define RELATIONS                                                                                  \
    "('provides','uses','validates','derived_from','member_of','funds','describes','reference',"   \
    "'observed')"

const mt_store_migration mt_node_migration_resources = {
    3,
    "CREATE TABLE links(id TEXT PRIMARY KEY, from_id TEXT NOT NULL REFERENCES resources(id), "
    "relation TEXT NOT NULL CHECK (relation IN " RELATIONS "), to_id TEXT NOT NULL REFERENCES "
    "resources(id), group_id TEXT NOT NULL, created_by TEXT NOT NULL, created TEXT NOT NULL, "
    "UNIQUE(from_id, relation, to_id));"
    "CREATE INDEX links_to ON links(to_id);"
    "CREATE TABLE curation_history(resource_id TEXT NOT NULL REFERENCES resources(id), seq "
    "INTEGER NOT NULL, from_level TEXT NOT NULL, to_level TEXT NOT NULL CHECK (to_level IN "
    "('submitted','checked','reproduced','qualified')), reason TEXT NOT NULL, token_id TEXT NOT "
    "NULL, time TEXT NOT NULL, PRIMARY KEY(resource_id, seq));"
    "CREATE TRIGGER curation_history_no_update BEFORE UPDATE ON curation_history BEGIN SELECT "
    "RAISE(ABORT, 'curation_history is append-only'); END;"
    "CREATE TRIGGER curation_history_no_delete BEFORE DELETE ON curation_history BEGIN SELECT "
    "RAISE(ABORT, 'curation_history is append-only'); END;"
    "CREATE TABLE quality_reports(report_id TEXT PRIMARY KEY REFERENCES resources(id), model_id "
    "TEXT NOT NULL REFERENCES resources(id), model_sha TEXT NOT NULL, consistency TEXT NOT NULL "
    "CHECK (consistency IN ('pass','fail')), reproduction TEXT NOT NULL CHECK (reproduction IN "
    "('pass','fail','none')), created TEXT NOT NULL);"
    "CREATE INDEX quality_model ON quality_reports(model_id, created)",
    "CREATE TABLE links(id TEXT PRIMARY KEY, from_id TEXT NOT NULL REFERENCES resources(id), "
    "relation TEXT NOT NULL CHECK (relation IN " RELATIONS "), to_id TEXT NOT NULL REFERENCES "
    "resources(id), group_id TEXT NOT NULL, created_by TEXT NOT NULL, created TEXT NOT NULL, "
    "UNIQUE(from_id, relation, to_id));"
    "CREATE INDEX links_to ON links(to_id);"
    "CREATE TABLE curation_history(resource_id TEXT NOT NULL REFERENCES resources(id), seq "
    "BIGINT NOT NULL, from_level TEXT NOT NULL, to_level TEXT NOT NULL CHECK (to_level IN "
    "('submitted','checked','reproduced','qualified')), reason TEXT NOT NULL, token_id TEXT NOT "
    "NULL, time TEXT NOT NULL, PRIMARY KEY(resource_id, seq));"
    "CREATE TRIGGER curation_history_append_only BEFORE UPDATE OR DELETE ON curation_history FOR "
    "EACH ROW EXECUTE FUNCTION mt_append_only();"
    "CREATE TRIGGER curation_history_no_truncate BEFORE TRUNCATE ON curation_history FOR EACH "
    "STATEMENT EXECUTE FUNCTION mt_append_only();"
    "CREATE TABLE quality_reports(report_id TEXT PRIMARY KEY REFERENCES resources(id), model_id "
    "TEXT NOT NULL REFERENCES resources(id), model_sha TEXT NOT NULL, consistency TEXT NOT NULL "
    "CHECK (consistency IN ('pass','fail')), reproduction TEXT NOT NULL CHECK (reproduction IN "
    "('pass','fail','none')), created TEXT NOT NULL);"
    "CREATE INDEX quality_model ON quality_reports(model_id, created)"};

/* ---- kinds ------------------------------------------------------------------------------- */

typedef struct {
    const char *kind, *plural, *media;
    const char *create_role; /* the least role that may create one */
} kind_info;

static const kind_info kinds[] = {
    {"model", "models", "application/sbml+xml", "modeller"},
    {"drug", "drugs", "application/json", "modeller"},
    {"method", "methods", "application/sed-ml+xml", "modeller"},
    {"dataset", "datasets", "text/csv", "modeller"},
    {"report", "reports", "application/json", "modeller"},
    {"actor", "actors", "application/json", "curator"},
    {"initiative", "initiatives", "application/json", "curator"},
};
#define N_KINDS (sizeof kinds / sizeof *kinds)

static const kind_info *kind_by_plural(const char *s)
{
    for (size_t i = 0; i < N_KINDS; i++)
        if (!strcmp(s, kinds[i].plural))
            return &kinds[i];
    return NULL;
}

static const kind_info *kind_by_name(const char *s)
{
    for (size_t i = 0; i < N_KINDS; i++)
        if (!strcmp(s, kinds[i].kind))
            return &kinds[i];
    return NULL;
}

static const char *const levels[] = {"submitted", "checked", "reproduced", "qualified"};

static int level_rank(const char *s)
{
    for (int i = 0; i < 4; i++)
        if (!strcmp(s, levels[i]))
            return i;
    return -1;
}

static const char *const relations[] = {"provides",     "uses",      "validates",
                                        "derived_from", "member_of", "funds",
                                        "describes",    "reference", "observed"};

static int valid_relation(const char *s)
{
    for (size_t i = 0; i < sizeof relations / sizeof *relations; i++)
        if (!strcmp(s, relations[i]))
            return 1;
    return 0;
}

static int rank(const mt_node_principal *who) { return mt_node_role_rank(who->role); }
static int is_admin(const mt_node_principal *who) { return !strcmp(who->role, "admin"); }
static int is_pg(mt_node *nd) { return mt_store_dialect_of(nd->store) == MT_DIALECT_POSTGRES; }

void mt_node_res_visible_params(const mt_node_principal *who, mt_value *p)
{
    p[0] = mt_v_int(is_admin(who));
    p[1] = mt_v_text(who->group);
    p[2] = mt_v_text(who->id);
    p[3] = mt_v_text(who->group);
}

/* ---- metadata ---------------------------------------------------------------------------- */

/* https://identifiers.org/<prefix>:<id> or urn:miriam:<namespace>:<id>. */
static int valid_annotation(const char *s)
{
    const char *rest = NULL;
    if (!strncmp(s, "https://identifiers.org/", 24))
        rest = s + 24;
    else if (!strncmp(s, "urn:miriam:", 11))
        rest = s + 11;
    if (!rest || strlen(s) > 300)
        return 0;
    const char *colon = strchr(rest, ':');
    if (!colon || colon == rest)
        return 0;
    for (const char *p = rest; p < colon; p++)
        if (!isalnum((unsigned char)*p) && *p != '.' && *p != '_' && *p != '-')
            return 0;
    if (!colon[1])
        return 0;
    for (const char *p = colon + 1; *p; p++)
        if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f || *p == '"' || *p == '<' ||
            *p == '>' || *p == '\\')
            return 0;
    return 1;
}

static int valid_qualifier(const char *s)
{
    if (strncmp(s, "bqbiol:", 7) && strncmp(s, "bqmodel:", 8))
        return 0;
    const char *p = strchr(s, ':') + 1;
    if (!*p || strlen(p) > 40)
        return 0;
    for (; *p; p++)
        if (!isalpha((unsigned char)*p))
            return 0;
    return 1;
}

json_t *mt_node_common_metadata(json_t *b, char *why, size_t why_n)
{
    json_t *m = json_object();
    json_t *cr = json_object_get(b, "creators"), *an = json_object_get(b, "annotations");
    const char *bad = NULL;
    if (cr) {
        if (!json_is_array(cr) || json_array_size(cr) > 50)
            bad = "creators: an array of at most 50 names (strings of 1..200 characters)";
        for (size_t i = 0; !bad && i < json_array_size(cr); i++) {
            const char *s = json_string_value(json_array_get(cr, i));
            if (!s || !*s || !mt_node_text_ok(s, 200) || strchr(s, '\n'))
                bad = "creators: an array of at most 50 names (strings of 1..200 characters)";
        }
        if (!bad)
            json_object_set(m, "creators", cr);
    }
    static const char *const strs[] = {"licence", "standard"};
    for (size_t i = 0; !bad && i < 2; i++) {
        json_t *v = json_object_get(b, strs[i]);
        if (!v)
            continue;
        const char *s = json_string_value(v);
        if (!s || !*s || !mt_node_text_ok(s, 200) || strchr(s, '\n'))
            bad = i == 0 ? "licence: a string of 1..200 characters (an SPDX id, say CC-BY-4.0)"
                         : "standard: a string of 1..200 characters (say SBML L3V2)";
        else
            json_object_set(m, strs[i], v);
    }
    if (!bad && an) {
        const char *msg = "annotations: an array of at most 100 URIs "
                          "https://identifiers.org/<prefix>:<id> or urn:miriam:<namespace>:<id>, "
                          "each a string or {\"qualifier\": \"bqbiol:is\", \"uri\": ...}";
        if (!json_is_array(an) || json_array_size(an) > 100)
            bad = msg;
        for (size_t i = 0; !bad && i < json_array_size(an); i++) {
            json_t *a = json_array_get(an, i);
            const char *uri = json_string_value(a);
            if (json_is_object(a)) {
                const char *q = mt_node_json_str(a, "qualifier", NULL);
                uri = mt_node_json_str(a, "uri", NULL);
                if (json_object_size(a) != (q ? 2u : 1u) || (q && !valid_qualifier(q)))
                    uri = NULL;
            }
            if (!uri || !valid_annotation(uri)) {
                snprintf(why, why_n, "%s; item %zu is not", msg, i);
                json_decref(m);
                return NULL;
            }
        }
        if (!bad)
            json_object_set(m, "annotations", an);
    }
    if (bad) {
        snprintf(why, why_n, "%s", bad);
        json_decref(m);
        return NULL;
    }
    return m;
}

/* Keywords (an array of strings) as a space-separated string; 0 when malformed. */
static int keywords_of(json_t *kw, char out[1024])
{
    out[0] = 0;
    if (kw && !json_is_array(kw))
        return 0;
    for (size_t i = 0; i < json_array_size(kw); i++) {
        const char *k = json_string_value(json_array_get(kw, i));
        size_t n = strlen(out);
        if (!k || !*k || !mt_node_text_ok(k, 64) || strpbrk(k, " \t\n") ||
            n + strlen(k) + 2 >= 1024)
            return 0;
        snprintf(out + n, 1024 - n, "%s%s", n ? " " : "", k);
    }
    return 1;
}

/* The first key of object b not in allowed (NULL-terminated), or NULL. */
static const char *unknown_key(json_t *b, const char *const *allowed)
{
    const char *k;
    json_t *v;
    json_object_foreach(b, k, v)
    {
        int ok = 0;
        for (size_t i = 0; allowed[i] && !ok; i++)
            ok = !strcmp(k, allowed[i]);
        if (!ok)
            return k;
    }
    return NULL;
}

static int valid_url(const char *s)
{
    if (!s || (strncmp(s, "https://", 8) && strncmp(s, "http://", 7)) || strlen(s) > 500)
        return 0;
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f || *p == '"' || *p == '<' ||
            *p == '>' || *p == '\\')
            return 0;
    return 1;
}

/* YYYY, YYYY-MM or YYYY-MM-DD. */
static int valid_date(const char *s)
{
    size_t n = strlen(s);
    if (n != 4 && n != 7 && n != 10)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((i == 4 || i == 7) ? s[i] != '-' : !isdigit((unsigned char)s[i]))
            return 0;
    return 1;
}

/* ---- datasets ---------------------------------------------------------------------------- */

void mt_node_table_free(mt_node_table *t)
{
    for (size_t j = 0; t->names && j < t->n_cols; j++)
        free(t->names[j]);
    free(t->names);
    free(t->time);
    free(t->v);
    memset(t, 0, sizeof *t);
}

static int sbml_id(const char *s)
{
    size_t n = strlen(s);
    if (!n || n > 100 || (!isalpha((unsigned char)s[0]) && s[0] != '_'))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '_')
            return 0;
    return 1;
}

/* s cut to n - 1 bytes with control characters as '?', for one-line messages. */
static const char *printable(const char *s, char *out, size_t n)
{
    size_t i = 0;
    for (; s[i] && i + 1 < n; i++)
        out[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
    out[i] = 0;
    return out;
}

static int cell_number(const char *s, double *x)
{
    char *end;
    errno = 0;
    *x = strtod(s, &end);
    return *s && !errno && !*end && isfinite(*x);
}

mt_status mt_node_table_parse(mt_ctx *ctx, const char *text, size_t len, mt_node_table *t)
{
    memset(t, 0, sizeof *t);
    if (len > MAX_CSV_BYTES)
        return mt_error(ctx, MT_ELIMIT, "dataset: larger than 8 MiB");
    if (memchr(text, 0, len))
        return mt_error(ctx, MT_EPARSE, "dataset: a NUL byte in the CSV");
    mt_csv *csv = NULL;
    mt_status st = mt_csv_parse(ctx, text, len, "dataset", &csv);
    if (st != MT_OK) { /* the reader's message, copied: mt_error writes where it lies */
        char msg[300];
        snprintf(msg, sizeof msg, "%s", mt_errmsg(ctx));
        return st == MT_ENOMEM ? st : mt_error(ctx, MT_EPARSE, "dataset: %s", msg);
    }
    size_t nr = mt_csv_n_rows(csv), nc = mt_csv_n_cols(csv);
    char pb[64];
    int tc = mt_csv_col(csv, "time");
    if (tc < 0)
        st = mt_error(ctx, MT_EPARSE, "dataset: the CSV needs a column named 'time'");
    else if (nc < 2 || nc > MAX_CSV_COLS + 1)
        st = mt_error(ctx, MT_EPARSE, "dataset: 1..%d value columns besides time are needed",
                      MAX_CSV_COLS);
    else if (nr < 1 || nr > MAX_CSV_ROWS)
        st = mt_error(ctx, MT_EPARSE, "dataset: 1..%d data rows are needed", MAX_CSV_ROWS);
    for (size_t j = 0; st == MT_OK && j < nc; j++) {
        const char *h = mt_csv_header(csv, j);
        if ((int)j == tc)
            continue;
        if (!sbml_id(h))
            st = mt_error(ctx, MT_EPARSE,
                          "dataset: column %zu '%s': names are SBML ids (a letter or '_', "
                          "then letters, digits, '_')",
                          j + 1, printable(h, pb, 61));
        for (size_t k = 0; st == MT_OK && k < j; k++)
            if (!strcmp(h, mt_csv_header(csv, k)))
                st = mt_error(ctx, MT_EPARSE, "dataset: column '%s' appears twice", h);
    }
    if (st == MT_OK) {
        t->n_rows = nr;
        t->n_cols = nc - 1;
        t->time = malloc(nr * sizeof *t->time);
        t->v = malloc(nr * t->n_cols * sizeof *t->v);
        t->names = calloc(t->n_cols, sizeof *t->names);
        if (!t->time || !t->v || !t->names)
            st = mt_error(ctx, MT_ENOMEM, "out of memory");
    }
    for (size_t j = 0, k = 0; st == MT_OK && j < nc; j++)
        if ((int)j != tc && !(t->names[k++] = strdup(mt_csv_header(csv, j))))
            st = mt_error(ctx, MT_ENOMEM, "out of memory");
    for (size_t i = 0; st == MT_OK && i < nr; i++) {
        if (!cell_number(mt_csv_cell(csv, i, (size_t)tc), &t->time[i]))
            st = mt_error(ctx, MT_EPARSE, "dataset: row %zu: time '%s' is not a number", i + 1,
                          printable(mt_csv_cell(csv, i, (size_t)tc), pb, 41));
        else if (i && t->time[i] < t->time[i - 1])
            st = mt_error(ctx, MT_EPARSE, "dataset: row %zu: times must not decrease", i + 1);
        for (size_t j = 0, k = 0; st == MT_OK && j < nc; j++) {
            if ((int)j == tc)
                continue;
            const char *c = mt_csv_cell(csv, i, j);
            double *x = &t->v[i * t->n_cols + k++];
            if (!*c)
                *x = NAN;
            else if (!cell_number(c, x))
                st = mt_error(ctx, MT_EPARSE,
                              "dataset: row %zu, column '%s': '%s' is not a number (leave "
                              "the cell empty for a missing value)",
                              i + 1, mt_csv_header(csv, j), printable(c, pb, 41));
        }
    }
    mt_csv_destroy(csv);
    if (st != MT_OK)
        mt_node_table_free(t);
    return st;
}

/* ---- content validation per kind ---------------------------------------------------------- */

/* The content of the body as text to store (malloc'd) for kind k, validated; the metadata it
 * implies is merged into meta, a default title into title (256 bytes) when the kind has one.
 * 0, or the HTTP status (400/422) with why filled. */
static int content_of(mt_ctx *ctx, const kind_info *k, json_t *content, json_t *meta,
                      char title[256], char **text, size_t *len, char *why, size_t why_n)
{
    *text = NULL;
    *len = 0;
    int json_kind = !strcmp(k->media, "application/json");
    if (!content) {
        snprintf(why, why_n, "content: required (%s)",
                 json_kind                    ? "a JSON object"
                 : !strcmp(k->kind, "method") ? "the SED-ML document as a string"
                                              : "the CSV text as a string");
        return 400;
    }
    if (json_kind) {
        if (json_is_object(content)) {
            *text = json_dumps(content, JSON_COMPACT | JSON_PRESERVE_ORDER);
        } else if (json_is_string(content)) {
            *text = strdup(json_string_value(content));
        } else {
            snprintf(why, why_n, "content: a JSON object (or its text as a string)");
            return 400;
        }
        if (!*text) {
            snprintf(why, why_n, "out of memory");
            return 500;
        }
        *len = strlen(*text);
        if (*len > MAX_JSON_BYTES) {
            snprintf(why, why_n, "content: at most 1 MiB");
            free(*text);
            *text = NULL;
            return 400;
        }
    } else {
        if (!json_is_string(content)) {
            snprintf(why, why_n, "content: the %s as a string",
                     !strcmp(k->kind, "method") ? "SED-ML document" : "CSV text");
            return 400;
        }
        *len = json_string_length(content);
        if (!(*text = malloc(*len + 1))) {
            snprintf(why, why_n, "out of memory");
            return 500;
        }
        memcpy(*text, json_string_value(content), *len + 1);
    }
    int code = 0;
    if (!strcmp(k->kind, "drug")) {
        mt_drugcard *card = NULL;
        if (mt_drugcard_parse(ctx, *text, *len, NULL, &card) != MT_OK) {
            snprintf(why, why_n, "content: not a valid drug card: %s", mt_errmsg(ctx));
            code = 422;
        } else {
            json_t *d = json_object();
            json_object_set_new(d, "name", json_string(mt_drugcard_name(card)));
            json_object_set_new(d, "display_name", json_string(mt_drugcard_display_name(card)));
            json_object_set_new(d, "kind", json_string(mt_drugcard_kind(card)));
            json_object_set_new(d, "version", json_string(mt_drugcard_version(card)));
            json_object_set_new(meta, "drug", d);
            snprintf(title, 256, "%s", mt_drugcard_display_name(card));
            mt_drugcard_destroy(card);
        }
    } else if (!strcmp(k->kind, "method")) {
        json_t *summary = NULL;
        if (mt_sedml_parse(ctx, *text, *len, &summary) != MT_OK) {
            snprintf(why, why_n, "content: %s", mt_errmsg(ctx));
            code = 422;
        } else {
            json_object_set_new(meta, "sedml", summary);
        }
    } else if (!strcmp(k->kind, "dataset")) {
        mt_node_table t;
        if (mt_node_table_parse(ctx, *text, *len, &t) != MT_OK) {
            snprintf(why, why_n, "content: %s", mt_errmsg(ctx));
            code = 422;
        } else {
            json_t *cols = json_array();
            for (size_t j = 0; j < t.n_cols; j++)
                json_array_append_new(cols, json_string(t.names[j]));
            json_object_set_new(meta, "columns", cols);
            json_object_set_new(meta, "rows", json_integer((json_int_t)t.n_rows));
            mt_node_table_free(&t);
        }
    } else { /* report, actor, initiative: a JSON object */
        json_error_t je;
        json_t *o = json_loadb(*text, *len, JSON_REJECT_DUPLICATES, &je);
        if (!json_is_object(o)) {
            snprintf(why, why_n, "content: not a JSON object: %s",
                     o ? "another JSON value" : je.text);
            code = 422;
        } else if (!strcmp(k->kind, "actor")) {
            static const char *const ok[] = {"name", "type", "country", "url", "description", NULL};
            static const char *const types[] = {"organisation", "group",  "consortium", "company",
                                                "agency",       "funder", "network",    NULL};
            const char *bad = unknown_key(o, ok), *name = mt_node_json_str(o, "name", NULL),
                       *type = mt_node_json_str(o, "type", NULL),
                       *country = mt_node_json_str(o, "country", NULL);
            int type_ok = 0;
            for (size_t i = 0; type && types[i]; i++)
                type_ok |= !strcmp(type, types[i]);
            json_t *u = json_object_get(o, "url"), *d = json_object_get(o, "description");
            const char *msg =
                bad ? "an actor has name, type, country, url, description only"
                : !name || !*name || !mt_node_text_ok(name, 200) ? "name: 1..200 characters"
                : !type_ok ? "type: organisation, group, consortium, company, agency, funder or "
                             "network"
                : json_object_get(o, "country") &&
                        (!country || strlen(country) != 2 || !isupper((unsigned char)country[0]) ||
                         !isupper((unsigned char)country[1]))
                    ? "country: an ISO 3166-1 alpha-2 code (two capital letters)"
                : u && !valid_url(json_string_value(u)) ? "url: an http(s) URL"
                : d && !mt_node_text_ok(json_string_value(d), 10000)
                    ? "description: at most 10000 characters"
                    : NULL;
            if (msg) {
                snprintf(why, why_n, "content: %s%s%s", msg, bad ? " (not " : "", bad ? bad : "");
                if (bad)
                    strncat(why, ")", why_n - strlen(why) - 1);
                code = 422;
            } else {
                snprintf(title, 256, "%s", name);
            }
        } else if (!strcmp(k->kind, "initiative")) {
            static const char *const ok[] = {"name", "description", "url", "start",
                                             "end",  "programme",   NULL};
            const char *bad = unknown_key(o, ok), *name = mt_node_json_str(o, "name", NULL);
            json_t *u = json_object_get(o, "url"), *d = json_object_get(o, "description"),
                   *s = json_object_get(o, "start"), *e = json_object_get(o, "end"),
                   *p = json_object_get(o, "programme");
            const char *msg =
                bad ? "an initiative has name, description, url, start, end, programme only"
                : !name || !*name || !mt_node_text_ok(name, 200) ? "name: 1..200 characters"
                : u && !valid_url(json_string_value(u))          ? "url: an http(s) URL"
                : d && !mt_node_text_ok(json_string_value(d), 10000)
                    ? "description: at most 10000 characters"
                : (s && (!json_is_string(s) || !valid_date(json_string_value(s)))) ||
                        (e && (!json_is_string(e) || !valid_date(json_string_value(e))))
                    ? "start, end: YYYY, YYYY-MM or YYYY-MM-DD"
                : p && !mt_node_text_ok(json_string_value(p), 200)
                    ? "programme: at most 200 characters"
                    : NULL;
            if (msg) {
                snprintf(why, why_n, "content: %s", msg);
                code = 422;
            } else {
                snprintf(title, 256, "%s", name);
            }
        }
        json_decref(o);
    }
    if (code) {
        free(*text);
        *text = NULL;
    }
    return code;
}

/* ---- inserting --------------------------------------------------------------------------- */

mt_status mt_node_res_insert(mt_store_conn *c, mt_ctx *ctx, int pg, const mt_node_principal *who,
                             const mt_node_resource_spec *r, char id[37], char sha[65])
{
    mt_node_uuid4(id);
    char ts[40];
    mt_node_now_iso(ts);
    mt_value p[11] = {mt_v_text(id),
                      mt_v_text(r->title),
                      mt_v_text(r->description ? r->description : ""),
                      mt_v_text(r->keywords ? r->keywords : ""),
                      mt_v_text(r->visibility),
                      mt_v_text(who->group),
                      mt_v_text(who->id),
                      mt_v_text(ts),
                      mt_v_text(ts),
                      mt_v_text(r->kind),
                      mt_v_text(r->metadata ? r->metadata : "{}")};
    mt_status st = mt_store_exec(c, ctx,
                                 "INSERT INTO resources(id, title, description, keywords, "
                                 "visibility, group_id, owner, created, updated, kind, metadata) "
                                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                 11, p, NULL, NULL, NULL);
    if (st == MT_OK && !pg)
        st = mt_store_exec(c, ctx,
                           "INSERT INTO resource_fts(id, title, description, keywords) VALUES "
                           "(?, ?, ?, ?)",
                           4, p, NULL, NULL, NULL);
    int created;
    sha[0] = 0;
    if (st == MT_OK && r->content)
        st = mt_node_add_version(c, ctx, id, r->content, r->content_len, r->media_type, who->id,
                                 r->derived_from, sha, &created);
    return st;
}

mt_status mt_node_res_link(mt_store_conn *c, mt_ctx *ctx, const mt_node_principal *who,
                           const char *from, const char *relation, const char *to, char link_id[37],
                           int *created)
{
    *created = 0;
    json_t *rows =
        mt_node_query(c, ctx,
                      "SELECT id FROM links WHERE from_id = ? AND relation = ? AND "
                      "to_id = ?",
                      3, (mt_value[]){mt_v_text(from), mt_v_text(relation), mt_v_text(to)});
    if (!rows)
        return MT_EIO;
    const char *have = json_string_value(json_object_get(json_array_get(rows, 0), "id"));
    if (have) {
        snprintf(link_id, 37, "%s", have);
        json_decref(rows);
        return MT_OK;
    }
    json_decref(rows);
    mt_node_uuid4(link_id);
    char ts[40];
    mt_node_now_iso(ts);
    mt_value p[7] = {mt_v_text(link_id),    mt_v_text(from),    mt_v_text(relation), mt_v_text(to),
                     mt_v_text(who->group), mt_v_text(who->id), mt_v_text(ts)};
    mt_status st = mt_store_exec(c, ctx,
                                 "INSERT INTO links(id, from_id, relation, to_id, group_id, "
                                 "created_by, created) VALUES (?, ?, ?, ?, ?, ?, ?)",
                                 7, p, NULL, NULL, NULL);
    *created = st == MT_OK;
    return st;
}

/* ---- helpers for handlers ---------------------------------------------------------------- */

static json_t *body_object(const mt_http_request *req, mt_http_response *res)
{
    json_error_t je;
    json_t *b = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &je);
    if (!json_is_object(b)) {
        json_decref(b);
        mt_http_error(res, 400, "the body must be a JSON object%s%s", b ? "" : ": ",
                      b ? "" : je.text);
        return NULL;
    }
    return b;
}

/* The resource id of kind (NULL: any but twin) visible to who; NULL with res answered (404 or
 * 500). */
static json_t *visible_resource(mt_store_conn *c, mt_ctx *ctx, const mt_node_principal *who,
                                const char *id, const char *kind, mt_http_response *res)
{
    if (!mt_node_valid_uuid(id)) {
        mt_http_error(res, 404, "no %s %s", kind ? kind : "resource", id);
        return NULL;
    }
    int err = 0;
    json_t *r = mt_node_get_resource(c, ctx, who, id, &err);
    if (err) {
        mt_http_error(res, 500, "storage: %s", mt_errmsg(ctx));
        return NULL;
    }
    const char *k = r ? mt_node_json_str(r, "kind", "") : "";
    if (!r || !strcmp(k, "twin") || (kind && strcmp(k, kind))) {
        json_decref(r);
        mt_http_error(res, 404, "no %s %s", kind ? kind : "resource", id);
        return NULL;
    }
    return r;
}

/* A connection (*c) and the resource id of kind visible to who (visible_resource); NULL with res
 * answered (503, 404 or 500) and no connection held. */
static json_t *acquire_visible(mt_node *nd, mt_ctx *ctx, const mt_node_principal *who,
                               const char *id, const char *kind, mt_http_response *res,
                               mt_store_conn **c)
{
    if (mt_store_acquire(nd->store, ctx, c) != MT_OK) {
        mt_http_error(res, 503, "storage unavailable");
        return NULL;
    }
    json_t *r = visible_resource(*c, ctx, who, id, kind, res);
    if (!r)
        mt_store_release(*c);
    return r;
}

/* The resource's metadata text as an object (an empty one when it is not JSON). */
static json_t *metadata_object(json_t *r)
{
    const char *s = mt_node_json_str(r, "metadata", "{}");
    json_error_t je;
    json_t *m = json_loads(s, 0, &je);
    if (!json_is_object(m)) {
        json_decref(m);
        m = json_object();
    }
    return m;
}

static char *dump(json_t *j) { return json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER); }

/* ---- POST /{kind}s ------------------------------------------------------------------------ */

static void post_resource(mt_node *nd, mt_ctx *ctx, const mt_node_principal *who,
                          const kind_info *k, const mt_http_request *req, mt_http_response *res)
{
    if (rank(who) < mt_node_role_rank(k->create_role))
        return mt_http_error(res, 403, "creating a %s needs the %s role or higher", k->kind,
                             k->create_role);
    json_t *b = body_object(req, res);
    if (!b)
        return;
    static const char *const allowed[] = {
        "title",    "description", "keywords",    "visibility", "creators",
        "licence",  "standard",    "annotations", "content",    "derived_from",
        "data_use", "tolerance",   "model",       NULL};
    const char *unk = unknown_key(b, allowed);
    char why[600] = "", keywords[1024], title[256] = "";
    const char *desc = mt_node_json_str(b, "description", ""),
               *vis = mt_node_json_str(b, "visibility", "private"),
               *from = mt_node_json_str(b, "derived_from", NULL),
               *model = mt_node_json_str(b, "model", NULL);
    json_t *du = json_object_get(b, "data_use"), *tol = json_object_get(b, "tolerance");
    json_t *meta = NULL;
    if (unk)
        snprintf(why, sizeof why, "unknown field '%.60s'", unk);
    else if (json_object_get(b, "title") &&
             (!mt_node_json_str(b, "title", NULL) ||
              !mt_node_text_ok(mt_node_json_str(b, "title", ""), 255) ||
              !*mt_node_json_str(b, "title", "")))
        snprintf(why, sizeof why, "title: 1..255 characters");
    else if (!mt_node_text_ok(desc, 10000) ||
             (json_object_get(b, "description") && !mt_node_json_str(b, "description", NULL)))
        snprintf(why, sizeof why, "description: a string of at most 10000 characters");
    else if (!keywords_of(json_object_get(b, "keywords"), keywords))
        snprintf(why, sizeof why,
                 "keywords: an array of words (no spaces, each at most 64 characters)");
    else if (strcmp(vis, "private") && strcmp(vis, "group") && strcmp(vis, "public"))
        snprintf(why, sizeof why, "visibility: private, group or public");
    else if (from && !mt_node_valid_sha(from))
        snprintf(why, sizeof why, "derived_from: a version's sha256 (64 lowercase hex digits)");
    else if (du && strcmp(k->kind, "dataset"))
        snprintf(why, sizeof why, "data_use: only datasets have data-use conditions");
    else if (tol && strcmp(k->kind, "dataset"))
        snprintf(why, sizeof why, "tolerance: only datasets have a reproduction tolerance");
    else if (tol &&
             !(json_is_number(tol) && json_number_value(tol) > 0 && json_number_value(tol) <= 1))
        snprintf(why, sizeof why, "tolerance: a number in (0, 1] (relative)");
    else if (json_object_get(b, "model") && (strcmp(k->kind, "method") || !model))
        snprintf(why, sizeof why, "model: only a method names a model (its id)");
    else
        meta = mt_node_common_metadata(b, why, sizeof why);
    if (!why[0] && du) {
        static const char *const ok[] = {"purpose", "conditions", NULL};
        json_t *pu = json_object_get(du, "purpose");
        int bad = !json_is_object(du) || unknown_key(du, ok) || (pu && !json_is_array(pu)) ||
                  json_array_size(pu) > 20 ||
                  (json_object_get(du, "conditions") &&
                   !mt_node_text_ok(mt_node_json_str(du, "conditions", NULL), 2000));
        for (size_t i = 0; !bad && i < json_array_size(pu); i++) {
            const char *s = json_string_value(json_array_get(pu, i));
            bad = !s || !*s || !mt_node_text_ok(s, 100);
        }
        if (bad)
            snprintf(why, sizeof why,
                     "data_use: {\"purpose\": [up to 20 strings of 1..100 characters], "
                     "\"conditions\": \"at most 2000 characters\"}");
        else
            json_object_set(meta, "data_use", du);
    }
    if (why[0]) {
        json_decref(meta);
        json_decref(b);
        return mt_http_error(res, 400, "%s", why);
    }
    if (tol)
        json_object_set(meta, "tolerance", tol);
    if (!strcmp(vis, "public") && rank(who) < mt_node_role_rank("curator")) {
        json_decref(meta);
        json_decref(b);
        return mt_http_error(res, 403,
                             "publishing needs the curator or admin role; create it as private "
                             "or group");
    }
    char *text = NULL;
    size_t len = 0;
    int code = content_of(ctx, k, json_object_get(b, "content"), meta, title, &text, &len, why,
                          sizeof why);
    if (code) {
        json_decref(meta);
        json_decref(b);
        return mt_http_error(res, code, "%s", why);
    }
    if (json_object_get(b, "title"))
        snprintf(title, sizeof title, "%s", mt_node_json_str(b, "title", ""));
    if (!title[0]) {
        free(text);
        json_decref(meta);
        json_decref(b);
        return mt_http_error(res, 400, "title: 1..255 characters");
    }
    mt_store_conn *c;
    if (mt_store_acquire(nd->store, ctx, &c) != MT_OK) {
        free(text);
        json_decref(meta);
        json_decref(b);
        return mt_http_error(res, 503, "storage unavailable");
    }
    if (model) {
        json_t *m = visible_resource(c, ctx, who, model, "model", res);
        if (!m) {
            mt_store_release(c);
            free(text);
            json_decref(meta);
            json_decref(b);
            return;
        }
        json_decref(m);
        json_object_set_new(meta, "model", json_string(model));
    }
    char *mtext = dump(meta);
    mt_node_resource_spec spec = {.kind = k->kind,
                                  .title = title,
                                  .description = desc,
                                  .keywords = keywords,
                                  .visibility = vis,
                                  .metadata = mtext,
                                  .content = text,
                                  .content_len = len,
                                  .media_type = k->media,
                                  .derived_from = from};
    char id[37], sha[65], link[37];
    int created;
    mt_status st = mtext ? mt_store_begin(c, ctx) : mt_error(ctx, MT_ENOMEM, "out of memory");
    if (st == MT_OK)
        st = mt_node_res_insert(c, ctx, is_pg(nd), who, &spec, id, sha);
    if (st == MT_OK && model)
        st = mt_node_res_link(c, ctx, who, id, "uses", model, link, &created);
    st = mt_store_finish(c, ctx, st);
    mt_store_release(c);
    free(mtext);
    free(text);
    json_decref(b);
    if (st != MT_OK) {
        json_decref(meta);
        return mt_http_error(res, 500, "storage: %s", mt_errmsg(ctx));
    }
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(id));
    json_object_set_new(o, "kind", json_string(k->kind));
    json_object_set_new(o, "title", json_string(title));
    json_object_set_new(o, "version", json_integer(1));
    json_object_set_new(o, "sha256", json_string(sha));
    json_object_set_new(o, "metadata", meta);
    mt_node_respond(res, 201, o);
}

/* ---- lists and search --------------------------------------------------------------------- */

/* The FTS5 query for free text: each word quoted, so that no FTS5 operator gets through (as for
 * GET /models in node.c). */
static char *fts_query(const char *q)
{
    size_t n = strlen(q);
    char *out = malloc(3 * n + 8), *w = out;
    if (!out)
        return NULL;
    int in = 0;
    for (const char *s = q; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (isalnum(ch) || ch >= 0x80 || ch == '_' || ch == '-') {
            if (!in) {
                if (w != out)
                    *w++ = ' ';
                *w++ = '"';
                in = 1;
            }
            *w++ = (char)ch;
        } else if (in) {
            *w++ = '"';
            in = 0;
        }
    }
    if (in)
        *w++ = '"';
    *w = 0;
    return out;
}

/* GET /{kind}s (kind set) and GET /search (kind from ?kind=, or every kind but twins). */
void mt_node_res_list(mt_node *nd, mt_ctx *ctx, const mt_node_principal *who, const char *kind,
                      const mt_http_request *req, mt_http_response *res)
{
    long limit, offset;
    if (!mt_node_page_args(req, res, MAX_LIST, &limit, &offset))
        return;
    const char *q = mt_http_query(req, "q"), *kw = mt_http_query(req, "keyword"),
               *cur = mt_http_query(req, "curation"), *vis = mt_http_query(req, "visibility"),
               *creator = mt_http_query(req, "creator");
    if (!kind && mt_http_query(req, "kind")) {
        kind = mt_http_query(req, "kind");
        if (!kind_by_name(kind))
            return mt_http_error(res, 400,
                                 "kind: model, drug, method, dataset, report, actor or "
                                 "initiative");
    }
    if (q && strlen(q) > 500)
        return mt_http_error(res, 400, "q: at most 500 characters");
    if (kw && (!*kw || strlen(kw) > 64 || strpbrk(kw, " \t\r\n") || !mt_node_text_ok(kw, 64)))
        return mt_http_error(res, 400, "keyword: one word of at most 64 characters");
    if (cur && level_rank(cur) < 0)
        return mt_http_error(res, 400, "curation: submitted, checked, reproduced or qualified");
    if (vis && strcmp(vis, "private") && strcmp(vis, "group") && strcmp(vis, "public"))
        return mt_http_error(res, 400, "visibility: private, group or public");
    if (creator && (!*creator || !mt_node_text_ok(creator, 200)))
        return mt_http_error(res, 400, "creator: a name of 1..200 characters");
    int pg = is_pg(nd);
    char *fq = NULL;
    if (q && *q && !pg && !(fq = fts_query(q)))
        return mt_http_error(res, 500, "out of memory");
    if (fq && !fq[0]) { /* no searchable word: nothing matches */
        free(fq);
        return mt_node_respond_page(res, json_array(), limit, offset);
    }
    char sql[2048], kwbuf[80];
    mt_value p[16];
    size_t np = 0;
    int n = snprintf(sql, sizeof sql,
                     "SELECT r.id, r.kind, r.title, r.description, r.keywords, r.visibility, "
                     "r.curation, r.created, r.updated FROM resources r%s WHERE r.kind <> 'twin'",
                     fq ? " JOIN resource_fts f ON f.id = r.id" : "");
#define ADD(...) n += snprintf(sql + n, sizeof sql - (size_t)n, __VA_ARGS__)
    if (kind) {
        ADD(" AND r.kind = ?");
        p[np++] = mt_v_text(kind);
    }
    if (fq) {
        ADD(" AND resource_fts MATCH ?");
        p[np++] = mt_v_text(fq);
    } else if (q && *q) {
        ADD(" AND r.tsv @@ plainto_tsquery('simple', ?)");
        p[np++] = mt_v_text(q);
    }
    if (kw) {
        snprintf(kwbuf, sizeof kwbuf, " %s ", kw);
        ADD(pg ? " AND strpos(' ' || r.keywords || ' ', ?) > 0"
               : " AND instr(' ' || r.keywords || ' ', ?) > 0");
        p[np++] = mt_v_text(kwbuf);
    }
    if (cur) {
        ADD(" AND r.curation = ?");
        p[np++] = mt_v_text(cur);
    }
    if (vis) {
        ADD(" AND r.visibility = ?");
        p[np++] = mt_v_text(vis);
    }
    if (creator) {
        ADD(pg ? " AND EXISTS (SELECT 1 FROM jsonb_array_elements_text(CASE WHEN "
                 "jsonb_typeof(r.metadata::jsonb -> 'creators') = 'array' THEN "
                 "r.metadata::jsonb -> 'creators' ELSE '[]'::jsonb END) j WHERE lower(j) = "
                 "lower(?))"
               : " AND EXISTS (SELECT 1 FROM json_each(r.metadata, '$.creators') j WHERE "
                 "lower(j.value) = lower(?))");
        p[np++] = mt_v_text(creator);
    }
    ADD(" AND " MT_NODE_VISIBLE("r") " ORDER BY r.created, r.id LIMIT ? OFFSET ?");
#undef ADD
    mt_node_res_visible_params(who, p + np);
    np += 4;
    p[np++] = mt_v_int(limit);
    p[np++] = mt_v_int(offset);
    mt_store_conn *c;
    if (mt_store_acquire(nd->store, ctx, &c) != MT_OK) {
        free(fq);
        return mt_http_error(res, 503, "storage unavailable");
    }
    json_t *rows = mt_node_query(c, ctx, sql, np, p);
    mt_store_release(c);
    free(fq);
    if (!rows)
        return mt_http_error(res, 500, "storage: %s", mt_errmsg(ctx));
    mt_node_respond_page(res, rows, limit, offset);
}

/* ---- GET /{kind}s/{id} -------------------------------------------------------------------- */

static const char *LINKS_SQL =
    "SELECT l.id, l.from_id AS \"from\", a.kind AS from_kind, a.title AS from_title, "
    "l.relation, l.to_id AS \"to\", b.kind AS to_kind, b.title AS to_title, l.created FROM "
    "links l JOIN resources a ON a.id = l.from_id JOIN resources b ON b.id = l.to_id WHERE "
    "(l.from_id = ? OR l.to_id = ?) AND a.kind <> 'twin' AND b.kind <> 'twin' AND " MT_NODE_VISIBLE(
        "a") " AND " MT_NODE_VISIBLE("b") " ORDER BY l.created, l.id";

static json_t *links_of(mt_store_conn *c, mt_ctx *ctx, const mt_node_principal *who, const char *id)
{
    mt_value p[10] = {mt_v_text(id), mt_v_text(id)};
    mt_node_res_visible_params(who, p + 2);
    mt_node_res_visible_params(who, p + 6);
    return mt_node_query(c, ctx, LINKS_SQL, 10, p);
}

static void get_resource(mt_node *nd, mt_ctx *ctx, const mt_node_principal *who, const kind_info *k,
                         const char *id, mt_http_response *res)
{
    mt_store_conn *c;
    json_t *r = acquire_visible(nd, ctx, who, id, k->kind, res, &c);
    if (!r)
        return;
    json_t *v = mt_node_query(c, ctx,
                              "SELECT seq AS version, sha256, media_type, size, created, "
                              "created_by, derived_from FROM versions WHERE resource_id = ? "
                              "ORDER BY seq",
                              1, (mt_value[]){mt_v_text(id)});
    json_t *l = v ? links_of(c, ctx, who, id) : NULL;
    mt_store_release(c);
    if (!v || !l) {
        json_decref(r);
        json_decref(v);
        return mt_http_error(res, 500, "storage: %s", mt_errmsg(ctx));
    }
    json_object_set_new(r, "metadata", metadata_object(r));
    json_object_set_new(r, "versions", v);
    json_object_set_new(r, "links", l);
    mt_node_respond(res, 200, r);
}

/* ---- versions ----------------------------------------------------------------------------- */

static void post_version(mt_node *nd, mt_ctx *ctx, const mt_node_principal *who, const kind_info *k,
                         const char *id, const mt_http_request *req, mt_http_response *res)
{
    if (rank(who) < mt_node_role_rank(k->create_role))
        return mt_http_error(res, 403, "adding a version of a %s needs the %s role or higher",
                             k->kind, k->create_role);
    json_t *b = body_object(req, res);
    if (!b)
        return;
    static const char *const allowed[] = {"content", "derived_from", NULL};
    const char *unk = unknown_key(b, allowed), *from = mt_node_json_str(b, "derived_from", NULL);
    if (unk || (json_object_get(b, "derived_from") && (!from || !mt_node_valid_sha(from)))) {
        mt_http_error(res, 400,
                      "the body must be {\"content\": ..., \"derived_from\": sha256 "
                      "(optional)}%s%.60s",
                      unk ? "; unknown field " : "", unk ? unk : "");
        json_decref(b); /* after the message: unk is one of its keys */
        return;
    }
    json_t *derived = json_object();
    char title[256], why[600], *text = NULL;
    size_t len = 0;
    int code = content_of(ctx, k, json_object_get(b, "content"), derived, title, &text, &len, why,
                          sizeof why);
    if (code) {
        json_decref(derived);
        json_decref(b);
        return mt_http_error(res, code, "%s", why);
    }
    mt_store_conn *c;
    json_t *r = acquire_visible(nd, ctx, who, id, k->kind, res, &c);
    if (!r) { /* answered */
        free(text);
        json_decref(derived);
        json_decref(b);
        return;
    }
    int may = is_admin(who) || !strcmp(mt_node_json_str(r, "group_id", ""), who->group);
    int created = 0;
    char sha[65] = "";
    mt_status st = MT_OK;
    json_t *v = NULL;
    if (may) {
        json_t *meta = metadata_object(r);
        json_object_update(meta, derived); /* the metadata the content implies: the latest */
        char *mtext = dump(meta);
        json_decref(meta);
        st = mtext ? mt_store_begin(c, ctx) : mt_error(ctx, MT_ENOMEM, "out of memory");
        if (st == MT_OK)
            st = mt_node_add_version(c, ctx, id, text, len, k->media, who->id, from, sha, &created);
        if (st == MT_OK && created)
            st = mt_store_exec(c, ctx, "UPDATE resources SET metadata = ? WHERE id = ?", 2,
                               (mt_value[]){mt_v_text(mtext), mt_v_text(id)}, NULL, NULL, NULL);
        st = mt_store_finish(c, ctx, st);
        free(mtext);
        if (st == MT_OK)
            v = mt_node_query(c, ctx,
                              "SELECT seq FROM versions WHERE resource_id = ? AND sha256 = ?", 2,
                              (mt_value[]){mt_v_text(id), mt_v_text(sha)});
        if (st == MT_OK && !v)
            st = MT_EIO;
    }
    mt_store_release(c);
    free(text);
    json_decref(derived);
    json_decref(b);
    json_decref(r);
    if (!may)
        return mt_http_error(res, 403, "only the %s's group may add versions", k->kind);
    if (st != MT_OK) {
        json_decref(v);
        return mt_http_error(res, 500, "storage: %s", mt_errmsg(ctx));
    }
    mt_node_respond_version(res, id, v, sha, created);
}

static void get_version(mt_node *nd, mt_ctx *ctx, const mt_node_principal *who, const kind_info *k,
                        const char *id, const char *sha, mt_http_response *res)
{
    if (!mt_node_valid_sha(sha))
        return mt_http_error(res, 404, "no version %s", sha);
    mt_store_conn *c;
    json_t *r = acquire_visible(nd, ctx, who, id, k->kind, res, &c);
    if (!r)
        return;
    mt_node_blob b = {0};
    mt_status st = mt_node_version_content(c, ctx, id, sha, &b);
    mt_store_release(c);
    json_decref(r);
    if (st != MT_OK) {
        free(b.data);
        return mt_http_error(res, 500, "storage: %s", mt_errmsg(ctx));
    }
    if (!b.data)
        return mt_http_error(res, 404, "no version %s of %s %s", sha, k->kind, id);
    res->status = 200;
    res->content_type = k->media;
    res->body = b.data;
    res->body_len = b.n;
}

/* ---- curation ----------------------------------------------------------------------------- */

/* 1 when the 'reproduced' level is earned: for a model, its latest quality report is about its
 * latest version and passed reproduction; for other kinds, a report links to it with
 * 'validates'. -1 on a storage error. */
static int reproduced_ok(mt_store_conn *c, mt_ctx *ctx, const char *id, const char *kind, char *why,
                         size_t why_n)
{
    if (!strcmp(kind, "model")) {
        json_t *q = mt_node_query(c, ctx,
                                  "SELECT q.reproduction, q.model_sha, (SELECT v.sha256 FROM "
                                  "versions v WHERE v.resource_id = q.model_id ORDER BY v.seq "
                                  "DESC LIMIT 1) AS latest FROM quality_reports q WHERE "
                                  "q.model_id = ? ORDER BY q.created DESC, q.report_id LIMIT 1",
                                  1, (mt_value[]){mt_v_text(id)});
        if (!q)
            return -1;
        json_t *row = json_array_get(q, 0);
        const char *rep = mt_node_json_str(row, "reproduction", NULL);
        int ok =
            row && !strcmp(rep, "pass") &&
            !strcmp(mt_node_json_str(row, "model_sha", ""), mt_node_json_str(row, "latest", "-"));
        if (!ok)
            snprintf(why, why_n,
                     !row ? "'reproduced' needs a quality report that passed reproduction "
                            "(POST /models/{id}/quality with a reference dataset linked); there "
                            "is none"
                     : strcmp(mt_node_json_str(row, "model_sha", ""),
                              mt_node_json_str(row, "latest", "-"))
                         ? "'reproduced' needs a quality report of the model's latest version"
                         : "'reproduced' needs the latest quality report to pass reproduction; "
                           "it did not (reproduction: %s)",
                     rep ? rep : "");
        json_decref(q);
        return ok;
    }
    json_t *q = mt_node_query(c, ctx,
                              "SELECT l.id FROM links l JOIN resources a ON a.id = l.from_id "
                              "WHERE l.to_id = ? AND l.relation = 'validates' AND a.kind = "
                              "'report' LIMIT 1",
                              1, (mt_value[]){mt_v_text(id)});
    if (!q)
        return -1;
    int ok = json_array_size(q) > 0;
    json_decref(q);
    if (!ok)
        snprintf(why, why_n, "'reproduced' needs a report linked to it with 'validates'");
    return ok;
}

/* The answer to a change of resource id's field (curation, visibility) from cur to value: 200
 * {"id", "from", field, "seq" (when seq > 0)}; else code with why, or 500 when st failed. Then
 * lets go of r and b (cur and value may lie in them). */
static void answer_change(mt_ctx *ctx, mt_http_response *res, const char *id, const char *field,
                          const char *cur, const char *value, long long seq, int code,
                          const char *why, mt_status st, json_t *r, json_t *b)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(id));
    json_object_set_new(o, "from", json_string(cur));
    json_object_set_new(o, field, json_string(value));
    if (seq > 0)
        json_object_set_new(o, "seq", json_integer(seq));
    json_decref(r);
    json_decref(b);
    if (code || st != MT_OK) {
        json_decref(o);
        if (code)
            return mt_http_error(res, code, "%s", why);
        return mt_http_error(res, 500, "storage: %s", mt_errmsg(ctx));
    }
    mt_node_respond(res, 200, o);
}

static void post_curation(mt_node *nd, mt_ctx *ctx, const mt_node_principal *who,
                          const kind_info *k, const char *id, const mt_http_request *req,
                          mt_http_response *res)
{
    if (rank(who) < mt_node_role_rank("curator"))
        return mt_http_error(res, 403, "changing a curation level needs the curator or admin role");
    json_t *b = body_object(req, res);
    if (!b)
        return;
    const char *level = mt_node_json_str(b, "level", ""),
               *reason = mt_node_json_str(b, "reason", "");
    static const char *const allowed[] = {"level", "reason", NULL};
    if (unknown_key(b, allowed) || level_rank(level) < 0 || !*reason ||
        !mt_node_text_ok(reason, 2000)) {
        json_decref(b);
        return mt_http_error(res, 400,
                             "the body must be {\"level\": submitted|checked|reproduced|"
                             "qualified, \"reason\": \"1..2000 characters\"}");
    }
    mt_store_conn *c;
    json_t *r = acquire_visible(nd, ctx, who, id, k->kind, res, &c);
    if (!r) {
        json_decref(b);
        return;
    }
    const char *cur = mt_node_json_str(r, "curation", "submitted");
    int from = level_rank(cur), to = level_rank(level);
    char why[300] = "";
    int code = 0;
    if (to == from)
        code = 409, snprintf(why, sizeof why, "the level is %s already", cur);
    else if (to > from + 1)
        code = 409,
        snprintf(why, sizeof why, "the level is raised one step at a time: from %s the next is %s",
                 cur, levels[from + 1 < 4 ? from + 1 : 3]);
    else if (to == 2) {
        int ok = reproduced_ok(c, ctx, id, k->kind, why, sizeof why);
        if (ok < 0)
            code = 500, snprintf(why, sizeof why, "storage: %s", mt_errmsg(ctx));
        else if (!ok)
            code = 409;
    }
    mt_status st = MT_OK;
    long long seq = 0;
    if (!code) {
        char ts[40];
        mt_node_now_iso(ts);
        int64_t changed = 0;
        st = mt_store_begin(c, ctx);
        if (st == MT_OK)
            st = mt_store_exec(
                c, ctx,
                "UPDATE resources SET curation = ?, updated = ? WHERE id = ? AND "
                "curation = ?",
                4, (mt_value[]){mt_v_text(level), mt_v_text(ts), mt_v_text(id), mt_v_text(cur)},
                NULL, NULL, &changed);
        json_t *n = st == MT_OK ? mt_node_query(c, ctx,
                                                "SELECT COALESCE(MAX(seq), 0) AS n FROM "
                                                "curation_history WHERE resource_id = ?",
                                                1, (mt_value[]){mt_v_text(id)})
                                : NULL;
        if (st == MT_OK && !n)
            st = MT_EIO;
        seq = (long long)json_integer_value(json_object_get(json_array_get(n, 0), "n")) + 1;
        json_decref(n);
        if (st == MT_OK && changed != 1)
            st = mt_error(ctx, MT_EINVAL, "the level changed meanwhile; read it again");
        mt_value p[7] = {mt_v_text(id),     mt_v_int(seq),      mt_v_text(cur), mt_v_text(level),
                         mt_v_text(reason), mt_v_text(who->id), mt_v_text(ts)};
        if (st == MT_OK)
            st = mt_store_exec(c, ctx,
                               "INSERT INTO curation_history(resource_id, seq, from_level, "
                               "to_level, reason, token_id, time) VALUES (?, ?, ?, ?, ?, ?, ?)",
                               7, p, NULL, NULL, NULL);
        st = mt_store_finish(c, ctx, st);
        if (st == MT_EINVAL)
            code = 409, snprintf(why, sizeof why, "%s", mt_errmsg(ctx));
        else if (st != MT_OK)
            code = 500, snprintf(why, sizeof why, "storage: %s", mt_errmsg(ctx));
    }
    mt_store_release(c);
    answer_change(ctx, res, id, "curation", cur, level, seq, code, why, MT_OK, r, b);
}

static void get_curation(mt_node *nd, mt_ctx *ctx, const mt_node_principal *who, const kind_info *k,
                         const char *id, mt_http_response *res)
{
    mt_store_conn *c;
    json_t *r = acquire_visible(nd, ctx, who, id, k->kind, res, &c);
    if (!r)
        return;
    json_t *h = mt_node_query(c, ctx,
                              "SELECT seq, from_level AS \"from\", to_level AS \"to\", "
                              "reason, token_id AS token, time FROM curation_history WHERE "
                              "resource_id = ? ORDER BY seq",
                              1, (mt_value[]){mt_v_text(id)});
    mt_store_release(c);
    if (!h) {
        json_decref(r);
        return mt_http_error(res, 500, "storage: %s", mt_errmsg(ctx));
    }
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(id));
    json_object_set(o, "curation", json_object_get(r, "curation"));
    json_object_set_new(o, "history", h);
    json_decref(r);
    mt_node_respond(res, 200, o);
}

/* ---- visibility --------------------------------------------------------------------------- */

static void post_visibility(mt_node *nd, mt_ctx *ctx, const mt_node_principal *who,
                            const kind_info *k, const char *id, const mt_http_request *req,
                            mt_http_response *res)
{
    if (rank(who) < mt_node_role_rank("modeller"))
        return mt_http_error(res, 403, "changing visibility needs the modeller role or higher");
    json_t *b = body_object(req, res);
    if (!b)
        return;
    const char *vis = mt_node_json_str(b, "visibility", "");
    static const char *const allowed[] = {"visibility", NULL};
    if (unknown_key(b, allowed) ||
        (strcmp(vis, "private") && strcmp(vis, "group") && strcmp(vis, "public"))) {
        json_decref(b);
        return mt_http_error(res, 400, "the body must be {\"visibility\": private|group|public}");
    }
    mt_store_conn *c;
    json_t *r = acquire_visible(nd, ctx, who, id, k->kind, res, &c);
    if (!r) {
        json_decref(b);
        return;
    }
    const char *cur = mt_node_json_str(r, "visibility", "");
    int code = 0;
    const char *why = "";
    if ((!strcmp(vis, "public") || !strcmp(cur, "public")) &&
        rank(who) < mt_node_role_rank("curator"))
        code = 403, why = "publishing or withdrawing a public resource needs the curator or admin "
                          "role";
    else if (!is_admin(who) && strcmp(mt_node_json_str(r, "group_id", ""), who->group))
        code = 403, why = "only the resource's group (or an admin) may change its visibility";
    mt_status st = MT_OK;
    if (!code && strcmp(cur, vis)) {
        char ts[40];
        mt_node_now_iso(ts);
        st = mt_store_begin(c, ctx);
        if (st == MT_OK)
            st = mt_store_exec(
                c, ctx, "UPDATE resources SET visibility = ?, updated = ? WHERE id = ?", 3,
                (mt_value[]){mt_v_text(vis), mt_v_text(ts), mt_v_text(id)}, NULL, NULL, NULL);
        st = mt_store_finish(c, ctx, st);
    }
    mt_store_release(c);
    answer_change(ctx, res, id, "visibility", cur, vis, 0, code, why, st, r, b);
}

/* ---- links -------------------------------------------------------------------------------- */

/* The kinds a relation may join (NULL: any). */
static const char *relation_rule(const char *rel, const char *fk, const char *tk)
{
    if ((!strcmp(rel, "reference") || !strcmp(rel, "observed")) &&
        (strcmp(fk, "dataset") || strcmp(tk, "model")))
        return "'reference' and 'observed' link a dataset (from) to a model (to)";
    if (!strcmp(rel, "validates") && strcmp(fk, "report"))
        return "'validates' links a report (from) to what it validates";
    if (!strcmp(rel, "member_of") &&
        (strcmp(fk, "actor") || (strcmp(tk, "actor") && strcmp(tk, "initiative"))))
        return "'member_of' links an actor (from) to an actor or an initiative (to)";
    if ((!strcmp(rel, "funds") || !strcmp(rel, "provides")) && strcmp(fk, "actor"))
        return "'funds' and 'provides' link an actor (from) to a resource";
    return NULL;
}

static void post_link(mt_node *nd, mt_ctx *ctx, const mt_node_principal *who,
                      const mt_http_request *req, mt_http_response *res)
{
    if (rank(who) < mt_node_role_rank("modeller"))
        return mt_http_error(res, 403, "creating a link needs the modeller role or higher");
    json_t *b = body_object(req, res);
    if (!b)
        return;
    static const char *const allowed[] = {"from", "relation", "to", NULL};
    const char *from = mt_node_json_str(b, "from", ""), *rel = mt_node_json_str(b, "relation", ""),
               *to = mt_node_json_str(b, "to", "");
    if (unknown_key(b, allowed) || !valid_relation(rel)) {
        json_decref(b);
        return mt_http_error(res, 400,
                             "the body must be {\"from\": id, \"relation\": provides|uses|"
                             "validates|derived_from|member_of|funds|describes|reference|"
                             "observed, \"to\": id}");
    }
    if (!strcmp(from, to)) {
        json_decref(b);
        return mt_http_error(res, 400, "a resource cannot be linked to itself");
    }
    mt_store_conn *c;
    if (mt_store_acquire(nd->store, ctx, &c) != MT_OK) {
        json_decref(b);
        return mt_http_error(res, 503, "storage unavailable");
    }
    json_t *a = visible_resource(c, ctx, who, from, NULL, res);
    json_t *z = a ? visible_resource(c, ctx, who, to, NULL, res) : NULL;
    if (!a || !z) {
        mt_store_release(c);
        json_decref(a);
        json_decref(b);
        return;
    }
    const char *rule =
        relation_rule(rel, mt_node_json_str(a, "kind", ""), mt_node_json_str(z, "kind", ""));
    char id[37];
    int created = 0;
    mt_status st = MT_OK;
    if (!rule) {
        st = mt_store_begin(c, ctx);
        if (st == MT_OK)
            st = mt_node_res_link(c, ctx, who, from, rel, to, id, &created);
        st = mt_store_finish(c, ctx, st);
    }
    mt_store_release(c);
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(rule ? "" : id));
    json_object_set_new(o, "from", json_string(from));
    json_object_set_new(o, "relation", json_string(rel));
    json_object_set_new(o, "to", json_string(to));
    json_object_set_new(o, "created", json_boolean(created));
    json_decref(a);
    json_decref(z);
    json_decref(b);
    if (rule || st != MT_OK) {
        json_decref(o);
        if (rule)
            return mt_http_error(res, 400, "%s", rule);
        return mt_http_error(res, 500, "storage: %s", mt_errmsg(ctx));
    }
    mt_node_respond(res, created ? 201 : 200, o);
}

static void delete_link(mt_node *nd, mt_ctx *ctx, const mt_node_principal *who, const char *id,
                        mt_http_response *res)
{
    if (rank(who) < mt_node_role_rank("modeller"))
        return mt_http_error(res, 403, "deleting a link needs the modeller role or higher");
    if (!mt_node_valid_uuid(id))
        return mt_http_error(res, 404, "no link %s", id);
    mt_store_conn *c;
    if (mt_store_acquire(nd->store, ctx, &c) != MT_OK)
        return mt_http_error(res, 503, "storage unavailable");
    mt_value p[9] = {mt_v_text(id)};
    mt_node_res_visible_params(who, p + 1);
    mt_node_res_visible_params(who, p + 5);
    json_t *rows = mt_node_query(c, ctx,
                                 "SELECT l.group_id FROM links l JOIN resources a ON a.id = "
                                 "l.from_id JOIN resources b ON b.id = l.to_id WHERE l.id = ? "
                                 "AND " MT_NODE_VISIBLE("a") " AND " MT_NODE_VISIBLE("b"),
                                 9, p);
    json_t *row = json_array_get(rows, 0);
    int may = row && (is_admin(who) || !strcmp(mt_node_json_str(row, "group_id", ""), who->group));
    mt_status st = rows ? MT_OK : MT_EIO;
    if (may) {
        st = mt_store_begin(c, ctx);
        if (st == MT_OK)
            st = mt_store_exec(c, ctx, "DELETE FROM links WHERE id = ?", 1,
                               (mt_value[]){mt_v_text(id)}, NULL, NULL, NULL);
        st = mt_store_finish(c, ctx, st);
    }
    mt_store_release(c);
    int found = row != NULL;
    json_decref(rows);
    if (st != MT_OK)
        return mt_http_error(res, 500, "storage: %s", mt_errmsg(ctx));
    if (!found)
        return mt_http_error(res, 404, "no link %s", id);
    if (!may)
        return mt_http_error(res, 403, "only the link's group (or an admin) may delete it");
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(id));
    json_object_set_new(o, "deleted", json_true());
    mt_node_respond(res, 200, o);
}

/* ---- the graph ---------------------------------------------------------------------------- */

static void add_node(json_t *nodes, json_t *seen, const char *id, const char *kind,
                     const char *title)
{
    if (json_object_get(seen, id))
        return;
    json_object_set_new(seen, id, json_true());
    json_t *n = json_object();
    json_object_set_new(n, "id", json_string(id));
    json_object_set_new(n, "kind", json_string(kind));
    json_object_set_new(n, "title", json_string(title));
    json_array_append_new(nodes, n);
}

static void add_edge(json_t *edges, json_t *seen, json_t *l)
{
    const char *id = mt_node_json_str(l, "id", "");
    if (json_object_get(seen, id))
        return;
    json_object_set_new(seen, id, json_true());
    json_t *e = json_object();
    json_object_set_new(e, "id", json_string(id));
    json_object_set(e, "from", json_object_get(l, "from"));
    json_object_set(e, "relation", json_object_get(l, "relation"));
    json_object_set(e, "to", json_object_get(l, "to"));
    json_array_append_new(edges, e);
}

static void get_graph(mt_node *nd, mt_ctx *ctx, const mt_node_principal *who,
                      const mt_http_request *req, mt_http_response *res)
{
    int bad = 0;
    long depth = mt_node_query_long(req, "depth", 1, 1, MAX_GRAPH_DEPTH, &bad);
    const char *id = mt_http_query(req, "id"), *rel = mt_http_query(req, "relation");
    if (bad)
        return mt_http_error(res, 400, "depth: 1..%d", MAX_GRAPH_DEPTH);
    if ((!id && !rel) || (rel && !valid_relation(rel)))
        return mt_http_error(res, 400,
                             "give id (a resource's id, with depth 1..%d) or relation (one of "
                             "provides, uses, validates, derived_from, member_of, funds, "
                             "describes, reference, observed)",
                             MAX_GRAPH_DEPTH);
    mt_store_conn *c;
    if (mt_store_acquire(nd->store, ctx, &c) != MT_OK)
        return mt_http_error(res, 503, "storage unavailable");
    json_t *nodes = json_array(), *edges = json_array(), *seen_n = json_object(),
           *seen_e = json_object();
    int truncated = 0, failed = 0;
    if (id) {
        json_t *r = visible_resource(c, ctx, who, id, NULL, res);
        if (!r) {
            mt_store_release(c);
            json_decref(nodes), json_decref(edges), json_decref(seen_n), json_decref(seen_e);
            return;
        }
        add_node(nodes, seen_n, id, mt_node_json_str(r, "kind", ""),
                 mt_node_json_str(r, "title", ""));
        json_decref(r);
        size_t lo = 0;
        for (long d = 0; d < depth && !failed && !truncated; d++) {
            size_t hi = json_array_size(nodes);
            for (size_t i = lo; i < hi && !failed && !truncated; i++) {
                const char *nid = mt_node_json_str(json_array_get(nodes, i), "id", "");
                json_t *ls = links_of(c, ctx, who, nid);
                if (!ls) {
                    failed = 1;
                    break;
                }
                size_t k;
                json_t *l;
                json_array_foreach(ls, k, l)
                {
                    if (json_array_size(nodes) >= MAX_GRAPH_NODES) {
                        truncated = 1;
                        break;
                    }
                    add_node(nodes, seen_n, mt_node_json_str(l, "from", ""),
                             mt_node_json_str(l, "from_kind", ""),
                             mt_node_json_str(l, "from_title", ""));
                    add_node(nodes, seen_n, mt_node_json_str(l, "to", ""),
                             mt_node_json_str(l, "to_kind", ""),
                             mt_node_json_str(l, "to_title", ""));
                    add_edge(edges, seen_e, l);
                }
                json_decref(ls);
            }
            lo = hi;
        }
    } else {
        mt_value p[9] = {mt_v_text(rel)};
        mt_node_res_visible_params(who, p + 1);
        mt_node_res_visible_params(who, p + 5);
        json_t *ls = mt_node_query(
            c, ctx,
            "SELECT l.id, l.from_id AS \"from\", a.kind AS from_kind, a.title AS from_title, "
            "l.relation, l.to_id AS \"to\", b.kind AS to_kind, b.title AS to_title FROM links l "
            "JOIN resources a ON a.id = l.from_id JOIN resources b ON b.id = l.to_id WHERE "
            "l.relation = ? AND a.kind <> 'twin' AND b.kind <> 'twin' AND " MT_NODE_VISIBLE(
                "a") " AND " MT_NODE_VISIBLE("b") " ORDER BY l.created, l.id LIMIT 501",
            9, p);
        if (!ls)
            failed = 1;
        size_t k;
        json_t *l;
        json_array_foreach(ls, k, l)
        {
            if (k >= 500 || json_array_size(nodes) >= MAX_GRAPH_NODES - 1) {
                truncated = 1;
                break;
            }
            add_node(nodes, seen_n, mt_node_json_str(l, "from", ""),
                     mt_node_json_str(l, "from_kind", ""), mt_node_json_str(l, "from_title", ""));
            add_node(nodes, seen_n, mt_node_json_str(l, "to", ""),
                     mt_node_json_str(l, "to_kind", ""), mt_node_json_str(l, "to_title", ""));
            add_edge(edges, seen_e, l);
        }
        json_decref(ls);
    }
    mt_store_release(c);
    json_decref(seen_n);
    json_decref(seen_e);
    if (failed) {
        json_decref(nodes), json_decref(edges);
        return mt_http_error(res, 500, "storage: %s", mt_errmsg(ctx));
    }
    json_t *o = json_object();
    if (id)
        json_object_set_new(o, "root", json_string(id));
    json_object_set_new(o, "depth", json_integer(depth));
    json_object_set_new(o, "nodes", nodes);
    json_object_set_new(o, "edges", edges);
    json_object_set_new(o, "truncated", json_boolean(truncated));
    mt_node_respond(res, 200, o);
}

/* ---- routing ------------------------------------------------------------------------------ */

int mt_node_route_resources(mt_node *nd, mt_ctx *ctx, const mt_node_principal *who,
                            const mt_http_request *req, int n, char seg[4][80],
                            mt_http_response *res)
{
    const char *m = req->method;
    int get = !strcmp(m, "GET"), post = !strcmp(m, "POST"), del = !strcmp(m, "DELETE");
    if (n == 1 && !strcmp(seg[0], "search") && get)
        return mt_node_res_list(nd, ctx, who, NULL, req, res), 1;
    if (n == 1 && !strcmp(seg[0], "graph") && get)
        return get_graph(nd, ctx, who, req, res), 1;
    if (n == 1 && !strcmp(seg[0], "links") && post)
        return post_link(nd, ctx, who, req, res), 1;
    if (n == 2 && !strcmp(seg[0], "links") && del)
        return delete_link(nd, ctx, who, seg[1], res), 1;
    const kind_info *k = n >= 1 ? kind_by_plural(seg[0]) : NULL;
    if (!k)
        return 0;
    int model = !strcmp(k->kind, "model");
    if (n == 3 && !strcmp(seg[2], "curation") && post)
        return post_curation(nd, ctx, who, k, seg[1], req, res), 1;
    if (n == 3 && !strcmp(seg[2], "curation") && get)
        return get_curation(nd, ctx, who, k, seg[1], res), 1;
    if (n == 3 && !strcmp(seg[2], "visibility") && post)
        return post_visibility(nd, ctx, who, k, seg[1], req, res), 1;
    if (model && n == 3 && !strcmp(seg[2], "quality") && post) {
        if (!mt_node_valid_uuid(seg[1]))
            return mt_http_error(res, 404, "no model %s", seg[1]), 1;
        return mt_node_quality_post(nd, ctx, who, seg[1], req, res), 1;
    }
    if (model && n == 3 && !strcmp(seg[2], "quality") && get) {
        if (!mt_node_valid_uuid(seg[1]))
            return mt_http_error(res, 404, "no model %s", seg[1]), 1;
        return mt_node_quality_list(nd, ctx, who, seg[1], res), 1;
    }
    if (model)
        return 0; /* the rest of /models is node.c's */
    if (n == 1 && get)
        return mt_node_res_list(nd, ctx, who, k->kind, req, res), 1;
    if (n == 1 && post)
        return post_resource(nd, ctx, who, k, req, res), 1;
    if (n == 2 && get)
        return get_resource(nd, ctx, who, k, seg[1], res), 1;
    if (n == 3 && !strcmp(seg[2], "versions") && post)
        return post_version(nd, ctx, who, k, seg[1], req, res), 1;
    if (n == 4 && !strcmp(seg[2], "versions") && get)
        return get_version(nd, ctx, who, k, seg[1], seg[3], res), 1;
    return 0;
}

/* ---- bundled drug cards ------------------------------------------------------------------- */

mt_status mt_node_load_bundled_resources(mt_node *nd, mt_ctx *ctx)
{
    mt_store_conn *c;
    mt_status st = mt_store_acquire(nd->store, ctx, &c);
    if (st != MT_OK)
        return st;
    json_t *rows = mt_node_query(
        c, ctx, "SELECT COUNT(*) AS n FROM resources WHERE kind = 'drug' AND owner = 'node'", 0,
        NULL);
    json_int_t have = rows ? json_integer_value(json_object_get(json_array_get(rows, 0), "n")) : 0;
    json_decref(rows);
    if (!rows || have) {
        mt_store_release(c);
        return rows ? MT_OK : MT_EIO;
    }
    char **names = NULL;
    size_t nn = 0;
    st = mt_drugcard_list(ctx, nd->data_dir, &names, &nn);
    if (st != MT_OK) {
        mt_store_release(c);
        return st;
    }
    mt_node_principal node = {"node", "admin", "node"};
    int pg = is_pg(nd);
    st = mt_store_begin(c, ctx); /* one transaction: one fsync for all the cards */
    for (size_t i = 0; st == MT_OK && i < nn; i++) {
        char path[4400];
        snprintf(path, sizeof path, "%s/drugs/%s.json", nd->data_dir, names[i]);
        FILE *f = fopen(path, "rb");
        char *text = NULL;
        size_t len = 0;
        mt_drugcard *card = NULL;
        if (!f)
            st = mt_error(ctx, MT_EIO, "bundled drug card %s: cannot open", path);
        else
            st = mt_read_file(ctx, f, path, MT_DRUGCARD_MAX_BYTES, &text, &len);
        if (f)
            fclose(f);
        if (st == MT_OK && mt_drugcard_parse(ctx, text, len, names[i], &card) != MT_OK) {
            fprintf(stderr, "medtwin serve: bundled drug card %s skipped: %s\n", names[i],
                    mt_errmsg(ctx));
            mt_free(ctx, text);
            continue;
        }
        json_error_t je;
        json_t *raw = st == MT_OK ? json_loadb(text, len, 0, &je) : NULL;
        json_t *meta = json_object(), *d = json_object();
        if (card) {
            json_object_set_new(d, "name", json_string(mt_drugcard_name(card)));
            json_object_set_new(d, "display_name", json_string(mt_drugcard_display_name(card)));
            json_object_set_new(d, "kind", json_string(mt_drugcard_kind(card)));
            json_object_set_new(d, "version", json_string(mt_drugcard_version(card)));
        }
        json_object_set_new(meta, "drug", d);
        json_object_set_new(meta, "standard", json_string(MT_DRUGCARD_SCHEMA));
        json_t *origin = json_object_get(raw, "origin");
        char src[600];
        if (json_is_object(origin) && mt_node_json_str(origin, "model", NULL))
            snprintf(src, sizeof src, "%s:%s", mt_node_json_str(origin, "model", ""),
                     mt_node_json_str(origin, "snapshot", ""));
        else
            snprintf(src, sizeof src, "medtwin data/drugs/%s.json", names[i]);
        json_object_set_new(meta, "source", json_string(src));
        const char *lic = mt_node_json_str(raw, "licence", mt_node_json_str(raw, "license", NULL));
        if (lic)
            json_object_set_new(meta, "licence", json_string(lic));
        char *mtext = dump(meta), kw[300], desc[400], id[37], sha[65];
        snprintf(kw, sizeof kw, "drug bundled %s %s", card ? mt_drugcard_kind(card) : "", names[i]);
        snprintf(desc, sizeof desc,
                 "the drug card %s (version %s) bundled with medtwin (data/drugs/%s.json)",
                 names[i], card ? mt_drugcard_version(card) : "", names[i]);
        mt_node_resource_spec spec = {.kind = "drug",
                                      .title = card ? mt_drugcard_display_name(card) : names[i],
                                      .description = desc,
                                      .keywords = kw,
                                      .visibility = "public",
                                      .metadata = mtext,
                                      .content = text,
                                      .content_len = len,
                                      .media_type = "application/json"};
        if (st == MT_OK)
            st = mtext ? mt_node_res_insert(c, ctx, pg, &node, &spec, id, sha)
                       : mt_error(ctx, MT_ENOMEM, "out of memory");
        free(mtext);
        json_decref(meta);
        json_decref(raw);
        mt_drugcard_destroy(card);
        mt_free(ctx, text);
    }
    st = mt_store_finish(c, ctx, st);
    mt_store_release(c);
    mt_drugcard_names_free(ctx, names, nn);
    return st;
}
