/* SPDX-License-Identifier: Apache-2.0
 *
 * node/node.c — the repository node (medtwin/node.h): the API under /api/v1/ (docs/openapi.json)
 * over the storage of medtwin/store.h, served by node/http.c.
 *
 * Resources have a global id (a random UUID), metadata, a visibility (private: the token that
 * created it; group: its group; public: every token) and immutable versions addressed by the
 * SHA-256 of their content: posting the same content again returns the version that exists.
 * A resource another token may not see is answered 404, as if it did not exist.
 *
 * Tokens: "mtk_<id>.<secret>"; the store keeps the id, the role, the group and the argon2id
 * hash of the secret (libsodium crypto_pwhash_str). Verifying argon2id costs tens of
 * milliseconds on purpose, so a verified token is remembered for a minute in a small cache
 * keyed by a keyed BLAKE2b hash of the whole token (a per-process random key; the cache never
 * holds a secret). Roles, from least to most: reader, clinician, modeller, curator, admin.
 */
#define _GNU_SOURCE /* memmem */
#include "medtwin/node.h"
#include "medtwin/data.h"
#include "medtwin/model.h"
#include "medtwin/sim.h"
#include "medtwin/store.h"
#include "node/audit.h"
#include "node/http.h"
#include "node/node_internal.h"
#include "node/node_resources.h"
#include "node/privacy.h"
#include "util/util.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define API "/api/v1"

#define CACHE_TTL_S 60
#define MAX_SIM_STEPS 10000
#define MAX_LIST 500
#define MAX_MODEL_BYTES ((size_t)8 << 20)

static const char *const roles[] = {"reader", "clinician", "modeller", "curator", "admin"};

int mt_node_role_rank(const char *r)
{
    for (int i = 0; i < 5; i++)
        if (!strcmp(r, roles[i]))
            return i;
    return -1;
}

/* ---- schema ------------------------------------------------------------------------------ */

static const mt_store_migration migrations[] = {
    {1,
     "CREATE TABLE groups(id TEXT PRIMARY KEY, created TEXT NOT NULL);"
     "CREATE TABLE tokens(id TEXT PRIMARY KEY, hash TEXT NOT NULL, role TEXT NOT NULL CHECK "
     "(role IN ('reader','clinician','modeller','curator','admin')), group_id TEXT NOT NULL "
     "REFERENCES groups(id), label TEXT NOT NULL DEFAULT '', created TEXT NOT NULL, revoked "
     "INTEGER NOT NULL DEFAULT 0);"
     "CREATE TABLE resources(id TEXT PRIMARY KEY, kind TEXT NOT NULL CHECK (kind IN "
     "('model','drug','method','dataset','twin','report','actor','initiative')), title TEXT NOT "
     "NULL, description TEXT NOT NULL DEFAULT '', keywords TEXT NOT NULL DEFAULT '', metadata "
     "TEXT NOT NULL DEFAULT '{}', visibility TEXT NOT NULL CHECK (visibility IN "
     "('private','group','public')), group_id TEXT NOT NULL, owner TEXT NOT NULL, curation TEXT "
     "NOT NULL DEFAULT 'submitted', created TEXT NOT NULL, updated TEXT NOT NULL);"
     "CREATE INDEX resources_kind ON resources(kind, created);"
     "CREATE TABLE versions(resource_id TEXT NOT NULL REFERENCES resources(id), seq INTEGER NOT "
     "NULL, sha256 TEXT NOT NULL, media_type TEXT NOT NULL, content BLOB NOT NULL, size INTEGER "
     "NOT NULL, created TEXT NOT NULL, created_by TEXT NOT NULL, derived_from TEXT, PRIMARY "
     "KEY(resource_id, seq), UNIQUE(resource_id, sha256));"
     "CREATE VIRTUAL TABLE resource_fts USING fts5(id UNINDEXED, title, description, keywords);",
     "CREATE TABLE groups(id TEXT PRIMARY KEY, created TEXT NOT NULL);"
     "CREATE TABLE tokens(id TEXT PRIMARY KEY, hash TEXT NOT NULL, role TEXT NOT NULL CHECK "
     "(role IN ('reader','clinician','modeller','curator','admin')), group_id TEXT NOT NULL "
     "REFERENCES groups(id), label TEXT NOT NULL DEFAULT '', created TEXT NOT NULL, revoked "
     "BIGINT NOT NULL DEFAULT 0);"
     "CREATE TABLE resources(id TEXT PRIMARY KEY, kind TEXT NOT NULL CHECK (kind IN "
     "('model','drug','method','dataset','twin','report','actor','initiative')), title TEXT NOT "
     "NULL, description TEXT NOT NULL DEFAULT '', keywords TEXT NOT NULL DEFAULT '', metadata "
     "TEXT NOT NULL DEFAULT '{}', visibility TEXT NOT NULL CHECK (visibility IN "
     "('private','group','public')), group_id TEXT NOT NULL, owner TEXT NOT NULL, curation TEXT "
     "NOT NULL DEFAULT 'submitted', created TEXT NOT NULL, updated TEXT NOT NULL, tsv tsvector "
     "GENERATED ALWAYS AS (to_tsvector('simple', title || ' ' || description || ' ' || "
     "keywords)) STORED);"
     "CREATE INDEX resources_kind ON resources(kind, created);"
     "CREATE INDEX resources_tsv ON resources USING GIN(tsv);"
     "CREATE TABLE versions(resource_id TEXT NOT NULL REFERENCES resources(id), seq BIGINT NOT "
     "NULL, sha256 TEXT NOT NULL, media_type TEXT NOT NULL, content BYTEA NOT NULL, size BIGINT "
     "NOT NULL, created TEXT NOT NULL, created_by TEXT NOT NULL, derived_from TEXT, PRIMARY "
     "KEY(resource_id, seq), UNIQUE(resource_id, sha256));"},
    {2,
     /* twins' data keys, consent records, the audit log and its signed head (node/privacy.c,
      * node/audit.c, node/node_twins.c); consents and audit_log refuse updates and deletes */
     "CREATE TABLE twin_keys(twin_id TEXT PRIMARY KEY REFERENCES resources(id), wrapped BLOB NOT "
     "NULL, created TEXT NOT NULL);"
     "CREATE TABLE consents(twin_id TEXT NOT NULL REFERENCES resources(id), seq INTEGER NOT NULL, "
     "purpose TEXT NOT NULL, granted INTEGER NOT NULL CHECK (granted IN (0, 1)), time TEXT NOT "
     "NULL, token_id TEXT NOT NULL, PRIMARY KEY(twin_id, seq));"
     "CREATE TABLE audit_log(seq INTEGER PRIMARY KEY, time TEXT NOT NULL, token_id TEXT NOT NULL, "
     "action TEXT NOT NULL, resource_id TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT "
     "NULL);"
     "CREATE TABLE audit_head(id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL, hash "
     "TEXT NOT NULL, signature TEXT NOT NULL);"
     "INSERT INTO audit_head(id, seq, hash, signature) VALUES (1, 0, '"
     "0000000000000000000000000000000000000000000000000000000000000000', '');"
     "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, "
     "'audit_log is append-only'); END;"
     "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, "
     "'audit_log is append-only'); END;"
     "CREATE TRIGGER consents_no_update BEFORE UPDATE ON consents BEGIN SELECT RAISE(ABORT, "
     "'consents are append-only'); END;"
     "CREATE TRIGGER consents_no_delete BEFORE DELETE ON consents BEGIN SELECT RAISE(ABORT, "
     "'consents are append-only'); END;",
     "CREATE TABLE twin_keys(twin_id TEXT PRIMARY KEY REFERENCES resources(id), wrapped BYTEA NOT "
     "NULL, created TEXT NOT NULL);"
     "CREATE TABLE consents(twin_id TEXT NOT NULL REFERENCES resources(id), seq BIGINT NOT NULL, "
     "purpose TEXT NOT NULL, granted BIGINT NOT NULL CHECK (granted IN (0, 1)), time TEXT NOT "
     "NULL, token_id TEXT NOT NULL, PRIMARY KEY(twin_id, seq));"
     "CREATE TABLE audit_log(seq BIGINT PRIMARY KEY, time TEXT NOT NULL, token_id TEXT NOT NULL, "
     "action TEXT NOT NULL, resource_id TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT "
     "NULL);"
     "CREATE TABLE audit_head(id BIGINT PRIMARY KEY CHECK (id = 1), seq BIGINT NOT NULL, hash "
     "TEXT NOT NULL, signature TEXT NOT NULL);"
     "INSERT INTO audit_head(id, seq, hash, signature) VALUES (1, 0, '"
     "0000000000000000000000000000000000000000000000000000000000000000', '');"
     "CREATE FUNCTION mt_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE "
     "EXCEPTION '% is append-only', TG_TABLE_NAME; END $$;"
     "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW "
     "EXECUTE FUNCTION mt_append_only();"
     "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT "
     "EXECUTE FUNCTION mt_append_only();"
     "CREATE TRIGGER consents_append_only BEFORE UPDATE OR DELETE ON consents FOR EACH ROW "
     "EXECUTE FUNCTION mt_append_only();"
     "CREATE TRIGGER consents_no_truncate BEFORE TRUNCATE ON consents FOR EACH STATEMENT "
     "EXECUTE FUNCTION mt_append_only();"},
};

/* ---- small helpers ----------------------------------------------------------------------- */

void mt_node_now_iso(char out[40])
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char day[32];
    strftime(day, sizeof day, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, 40, "%.24s.%03dZ", day, (int)(ts.tv_nsec / 1000000) % 1000);
}

void mt_node_hex(const unsigned char *b, size_t n, char *out)
{
    static const char d[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = d[b[i] >> 4];
        out[2 * i + 1] = d[b[i] & 15];
    }
    out[2 * n] = 0;
}

/* A random UUID (version 4). */
void mt_node_uuid4(char out[37])
{
    unsigned char b[16];
    randombytes_buf(b, sizeof b);
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    char h[33];
    mt_node_hex(b, 16, h);
    snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", h, h + 8, h + 12, h + 16, h + 20);
}

void mt_node_sha256_hex(const void *p, size_t n, char out[65])
{
    unsigned char d[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(d, p, n);
    mt_node_hex(d, sizeof d, out);
}

void mt_node_respond(mt_http_response *res, int status, json_t *j)
{
    res->status = status;
    res->body = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
    res->body_len = res->body ? strlen(res->body) : 0;
    json_decref(j);
    if (!res->body)
        mt_http_error(res, 500, "out of memory");
}

/* Row collector: every row as a JSON object (text, numbers, null; blobs left out). */
typedef struct {
    json_t *rows;
} collect;

static int collect_row(void *arg, size_t n, const mt_value *c, const char *const *names)
{
    json_t *o = json_object();
    for (size_t i = 0; i < n; i++) {
        json_t *v = NULL;
        switch (c[i].type) {
        case MT_VALUE_NULL:
            v = json_null();
            break;
        case MT_VALUE_INT:
            v = json_integer((json_int_t)c[i].i);
            break;
        case MT_VALUE_REAL:
            v = json_real(c[i].d);
            break;
        case MT_VALUE_TEXT:
            v = json_stringn(c[i].s, c[i].n);
            break;
        case MT_VALUE_BLOB:
            break;
        }
        if (v)
            json_object_set_new(o, names[i], v);
    }
    json_array_append_new(((collect *)arg)->rows, o);
    return 0;
}

/* Runs sql and returns its rows as a JSON array (NULL on error: message on ctx). */
json_t *mt_node_query(mt_store_conn *c, mt_ctx *ctx, const char *sql, size_t n, const mt_value *p)
{
    collect k = {json_array()};
    if (mt_store_exec(c, ctx, sql, n, p, collect_row, &k, NULL) != MT_OK) {
        json_decref(k.rows);
        return NULL;
    }
    return k.rows;
}

/* ---- tokens ------------------------------------------------------------------------------- */

static mt_status ensure_group(mt_store_conn *c, mt_ctx *ctx, const char *group)
{
    char ts[40];
    mt_node_now_iso(ts);
    json_t *rows = mt_node_query(c, ctx, "SELECT id FROM groups WHERE id = ?", 1,
                                 (mt_value[]){mt_v_text(group)});
    if (!rows)
        return MT_EIO;
    size_t n = json_array_size(rows);
    json_decref(rows);
    if (n)
        return MT_OK;
    mt_value p[2] = {mt_v_text(group), mt_v_text(ts)};
    mt_status st = mt_store_exec(c, ctx, "INSERT INTO groups(id, created) VALUES (?, ?)", 2, p,
                                 NULL, NULL, NULL);
    return st == MT_EINVAL ? MT_OK : st; /* created meanwhile by another request */
}

int mt_node_valid_name(const char *s, size_t max)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > max)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-' && s[i] != '.')
            return 0;
    return 1;
}

static mt_status token_create(mt_node *nd, mt_ctx *ctx, const char *role, const char *group,
                              const char *label, char **token)
{
    *token = NULL;
    if (mt_node_role_rank(role) < 0)
        return mt_error(ctx, MT_EINVAL,
                        "role '%s' is not one of reader, clinician, modeller, "
                        "curator, admin",
                        role ? role : "");
    if (!mt_node_valid_name(group, 63))
        return mt_error(ctx, MT_EINVAL,
                        "group '%s': 1..63 characters of letters, digits, "
                        "'_', '-', '.'",
                        group ? group : "");
    if (label && strlen(label) > 200)
        return mt_error(ctx, MT_EINVAL, "label: at most 200 characters");
    unsigned char idb[8], sec[24];
    randombytes_buf(idb, sizeof idb);
    randombytes_buf(sec, sizeof sec);
    char id[17], secret[49], hash[crypto_pwhash_STRBYTES];
    mt_node_hex(idb, sizeof idb, id);
    mt_node_hex(sec, sizeof sec, secret);
    if (crypto_pwhash_str(hash, secret, strlen(secret), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return mt_error(ctx, MT_ENOMEM, "argon2id: out of memory");
    mt_store_conn *c;
    mt_status st = mt_store_acquire(nd->store, ctx, &c);
    if (st != MT_OK)
        return st;
    char ts[40];
    mt_node_now_iso(ts);
    st = mt_store_begin(c, ctx);
    if (st == MT_OK)
        st = ensure_group(c, ctx, group);
    mt_value p[6] = {mt_v_text(id),
                     mt_v_text(hash),
                     mt_v_text(role),
                     mt_v_text(group),
                     mt_v_text(label ? label : ""),
                     mt_v_text(ts)};
    if (st == MT_OK)
        st = mt_store_exec(c, ctx,
                           "INSERT INTO tokens(id, hash, role, group_id, label, created) VALUES "
                           "(?, ?, ?, ?, ?, ?)",
                           6, p, NULL, NULL, NULL);
    st = mt_store_finish(c, ctx, st);
    mt_store_release(c);
    if (st != MT_OK)
        return st;
    size_t len = 4 + 16 + 1 + 48 + 1;
    if (!(*token = malloc(len)))
        return mt_error(ctx, MT_ENOMEM, "out of memory");
    snprintf(*token, len, "mtk_%s.%s", id, secret);
    sodium_memzero(secret, sizeof secret);
    return MT_OK;
}

mt_status mt_node_token_create(mt_node *n, mt_ctx *ctx, const char *role, const char *group,
                               const char *label, char **token)
{
    return token_create(n, ctx, role, group, label, token);
}

mt_status mt_node_bootstrap_admin(mt_node *n, mt_ctx *ctx, char **token)
{
    *token = NULL;
    mt_store_conn *c;
    mt_status st = mt_store_acquire(n->store, ctx, &c);
    if (st != MT_OK)
        return st;
    json_t *rows = mt_node_query(
        c, ctx, "SELECT id FROM tokens WHERE role = 'admin' AND revoked = 0", 0, NULL);
    mt_store_release(c);
    if (!rows)
        return MT_EIO;
    size_t k = json_array_size(rows);
    json_decref(rows);
    return k ? MT_OK : token_create(n, ctx, "admin", "admin", "bootstrap", token);
}

/* Who the request's bearer token is; 0, or the HTTP status to answer (401). */
static int authenticate(mt_node *nd, mt_ctx *ctx, const mt_http_request *req,
                        mt_node_principal *who)
{
    const char *h = mt_http_header(req, "Authorization");
    if (!h || strncmp(h, "Bearer ", 7))
        return 401;
    const char *tok = h + 7;
    size_t n = strlen(tok);
    if (n != 4 + 16 + 1 + 48 || strncmp(tok, "mtk_", 4) || tok[20] != '.')
        return 401;
    for (size_t i = 4; i < n; i++)
        if (i != 20 && !isxdigit((unsigned char)tok[i]))
            return 401;
    unsigned char key[crypto_generichash_BYTES];
    crypto_generichash(key, sizeof key, (const unsigned char *)tok, n, nd->cache_key,
                       sizeof nd->cache_key);
    size_t slot = ((size_t)key[0] << 8 | key[1]) % MT_NODE_CACHE_SLOTS;
    time_t now = time(NULL);
    pthread_mutex_lock(&nd->mu);
    mt_node_cache_slot *cs = &nd->cache[slot];
    if (cs->used && cs->until > now && !sodium_memcmp(cs->key, key, sizeof key)) {
        snprintf(who->id, sizeof who->id, "%s", cs->id);
        snprintf(who->role, sizeof who->role, "%s", cs->role);
        snprintf(who->group, sizeof who->group, "%s", cs->group);
        pthread_mutex_unlock(&nd->mu);
        return 0;
    }
    pthread_mutex_unlock(&nd->mu);
    char id[17];
    memcpy(id, tok + 4, 16);
    id[16] = 0;
    mt_store_conn *c;
    if (mt_store_acquire(nd->store, ctx, &c) != MT_OK)
        return 503;
    json_t *rows = mt_node_query(
        c, ctx, "SELECT hash, role, group_id FROM tokens WHERE id = ? AND revoked = 0", 1,
        (mt_value[]){mt_v_text(id)});
    mt_store_release(c);
    if (!rows)
        return 503;
    json_t *r = json_array_get(rows, 0);
    int ok = r && crypto_pwhash_str_verify(json_string_value(json_object_get(r, "hash")), tok + 21,
                                           strlen(tok + 21)) == 0;
    if (ok) {
        snprintf(who->id, sizeof who->id, "%s", id);
        snprintf(who->role, sizeof who->role, "%s", json_string_value(json_object_get(r, "role")));
        snprintf(who->group, sizeof who->group, "%s",
                 json_string_value(json_object_get(r, "group_id")));
        pthread_mutex_lock(&nd->mu);
        memcpy(cs->key, key, sizeof key);
        cs->until = now + CACHE_TTL_S;
        memcpy(cs->id, who->id, sizeof cs->id);
        memcpy(cs->role, who->role, sizeof cs->role);
        memcpy(cs->group, who->group, sizeof cs->group);
        cs->used = 1;
        pthread_mutex_unlock(&nd->mu);
    }
    json_decref(rows);
    return ok ? 0 : 401;
}

/* ---- resources ----------------------------------------------------------------------------- */

/* The visibility condition for mt_node_principal who (4 parameters follow it: admin flag, group,
 * owner, group). */
#define VISIBLE                                                                                    \
    "(? = 1 OR visibility = 'public' OR (visibility = 'group' AND group_id = ?) OR "               \
    "(visibility = 'private' AND owner = ? AND group_id = ?))"

static void visible_params(const mt_node_principal *who, mt_value *p)
{
    p[0] = mt_v_int(!strcmp(who->role, "admin"));
    p[1] = mt_v_text(who->group);
    p[2] = mt_v_text(who->id);
    p[3] = mt_v_text(who->group);
}

long mt_node_query_long(const mt_http_request *req, const char *name, long def, long lo, long hi,
                        int *bad)
{
    const char *v = mt_http_query(req, name);
    if (!v)
        return def;
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (errno || !*v || *end || x < lo || x > hi) {
        *bad = 1;
        return def;
    }
    return x;
}

int mt_node_page_args(const mt_http_request *req, mt_http_response *res, long max, long *limit,
                      long *offset)
{
    int bad = 0;
    *limit = mt_node_query_long(req, "limit", 50, 1, max, &bad);
    *offset = mt_node_query_long(req, "offset", 0, 0, 1000000000L, &bad);
    if (bad)
        mt_http_error(res, 400, "limit must be 1..%ld and offset >= 0", max);
    return !bad;
}

void mt_node_respond_page(mt_http_response *res, json_t *rows, long limit, long offset)
{
    json_t *o = json_object();
    json_object_set_new(o, "items", rows);
    json_object_set_new(o, "limit", json_integer(limit));
    json_object_set_new(o, "offset", json_integer(offset));
    mt_node_respond(res, 200, o);
}

/* GET /models: the list and search of every kind (node_resources.c: q, keyword, curation,
 * visibility, creator, limit, offset). */
static void list_models(mt_node *nd, mt_ctx *ctx, const mt_node_principal *who,
                        const mt_http_request *req, mt_http_response *res)
{
    mt_node_res_list(nd, ctx, who, "model", req, res);
}

json_t *mt_node_get_resource(mt_store_conn *c, mt_ctx *ctx, const mt_node_principal *who,
                             const char *id, int *err)
{
    mt_value p[5] = {mt_v_text(id)};
    visible_params(who, p + 1);
    json_t *rows =
        mt_node_query(c, ctx,
                      "SELECT id, kind, title, description, keywords, metadata, visibility, "
                      "group_id, owner, curation, created, updated FROM resources WHERE id = "
                      "? AND " VISIBLE,
                      5, p);
    *err = rows == NULL;
    json_t *r = rows ? json_incref(json_array_get(rows, 0)) : NULL;
    json_decref(rows);
    return r;
}

int mt_node_valid_uuid(const char *s)
{
    if (strlen(s) != 36)
        return 0;
    for (int i = 0; i < 36; i++)
        if ((i == 8 || i == 13 || i == 18 || i == 23) ? s[i] != '-'
                                                      : !isxdigit((unsigned char)s[i]))
            return 0;
    return 1;
}

mt_status mt_node_add_version(mt_store_conn *c, mt_ctx *ctx, const char *id, const char *content,
                              size_t len, const char *media, const char *by,
                              const char *derived_from, char sha[65], int *created)
{
    mt_node_sha256_hex(content, len, sha);
    *created = 0;
    json_t *rows =
        mt_node_query(c, ctx, "SELECT seq FROM versions WHERE resource_id = ? AND sha256 = ?", 2,
                      (mt_value[]){mt_v_text(id), mt_v_text(sha)});
    if (!rows)
        return MT_EIO;
    size_t have = json_array_size(rows);
    json_decref(rows);
    if (have)
        return MT_OK;
    long long seq;
    if (mt_node_next_version(c, ctx, id, &seq) != MT_OK)
        return MT_EIO;
    char ts[40];
    mt_node_now_iso(ts);
    mt_value p[9] = {mt_v_text(id),    mt_v_int(seq),           mt_v_text(sha),
                     mt_v_text(media), mt_v_blob(content, len), mt_v_int((int64_t)len),
                     mt_v_text(ts),    mt_v_text(by),           mt_v_text(derived_from)};
    mt_status st = mt_store_exec(c, ctx,
                                 "INSERT INTO versions(resource_id, seq, sha256, media_type, "
                                 "content, size, created, created_by, derived_from) VALUES (?, "
                                 "?, ?, ?, ?, ?, ?, ?, ?)",
                                 9, p, NULL, NULL, NULL);
    if (st == MT_OK)
        st = mt_store_exec(c, ctx, "UPDATE resources SET updated = ? WHERE id = ?", 2,
                           (mt_value[]){mt_v_text(ts), mt_v_text(id)}, NULL, NULL, NULL);
    *created = st == MT_OK;
    return st;
}

void mt_node_respond_version(mt_http_response *res, const char *id, json_t *v, const char *sha,
                             int created)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(id));
    json_object_set_new(
        o, "version",
        json_integer(json_integer_value(json_object_get(json_array_get(v, 0), "seq"))));
    json_object_set_new(o, "sha256", json_string(sha));
    json_object_set_new(o, "created", json_boolean(created));
    json_decref(v);
    mt_node_respond(res, created ? 201 : 200, o);
}

int mt_node_check_sbml(mt_ctx *ctx, const char *xml, size_t len)
{
    if (memmem(xml, len, "externalModelDefinition", 23)) {
        mt_error(ctx, MT_EINVAL,
                 "external model definitions (comp) are not accepted on upload: "
                 "send the model flattened");
        return 0;
    }
    mt_model *m = NULL;
    mt_status st = mt_model_load_string(ctx, xml, len, NULL, &m);
    mt_model_destroy(m);
    return st == MT_OK;
}

mt_status mt_node_create_resource(mt_node *nd, mt_ctx *ctx, const mt_node_principal *who,
                                  const mt_node_resource_spec *r, char id[37], char sha[65])
{
    mt_store_conn *c;
    mt_status st = mt_store_acquire(nd->store, ctx, &c);
    if (st != MT_OK)
        return st;
    char none[65]; /* sha NULL: not wanted */
    st = mt_store_begin(c, ctx);
    if (st == MT_OK)
        st = mt_node_res_insert(c, ctx, mt_store_dialect_of(nd->store) == MT_DIALECT_POSTGRES, who,
                                r, id, sha ? sha : none);
    st = mt_store_finish(c, ctx, st);
    mt_store_release(c);
    return st;
}

static mt_status create_model(mt_node *nd, mt_ctx *ctx, const mt_node_principal *who,
                              const char *title, const char *description, const char *keywords,
                              const char *visibility, const char *sbml, size_t len, char id[37],
                              char sha[65])
{
    mt_node_resource_spec r = {.kind = "model",
                               .title = title,
                               .description = description,
                               .keywords = keywords,
                               .visibility = visibility,
                               .content = sbml,
                               .content_len = len,
                               .media_type = "application/sbml+xml"};
    return mt_node_create_resource(nd, ctx, who, &r, id, sha);
}

const char *mt_node_json_str(json_t *o, const char *k, const char *def)
{
    json_t *v = json_object_get(o, k);
    return json_is_string(v) ? json_string_value(v) : def;
}

int mt_node_text_ok(const char *s, size_t max)
{
    if (!s || strlen(s) > max)
        return 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 && *p != '\n' && *p != '\t')
            return 0;
    return 1;
}

static void post_model(mt_node *nd, mt_ctx *ctx, const mt_node_principal *who,
                       const mt_http_request *req, mt_http_response *res)
{
    if (mt_node_role_rank(who->role) < mt_node_role_rank("modeller"))
        return mt_http_error(res, 403,
                             "creating a model needs the modeller, curator or admin role");
    json_error_t je;
    json_t *b = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &je);
    if (!json_is_object(b)) {
        json_decref(b);
        return mt_http_error(res, 400, "the body must be a JSON object: %s", je.text);
    }
    const char *title = mt_node_json_str(b, "title", NULL),
               *desc = mt_node_json_str(b, "description", ""),
               *vis = mt_node_json_str(b, "visibility", "private"),
               *sbml = mt_node_json_str(b, "sbml", NULL);
    json_t *kw = json_object_get(b, "keywords");
    char keywords[1024] = "";
    int bad_kw = kw && !json_is_array(kw);
    for (size_t i = 0; !bad_kw && i < json_array_size(kw); i++) {
        const char *k = json_string_value(json_array_get(kw, i));
        size_t n = strlen(keywords);
        if (!k || !mt_node_text_ok(k, 64) || n + strlen(k) + 2 >= sizeof keywords)
            bad_kw = 1;
        else
            snprintf(keywords + n, sizeof keywords - n, "%s%s", n ? " " : "", k);
    }
    const char *why = !title || !*title || !mt_node_text_ok(title, 300) ? "title: 1..300 characters"
                      : !mt_node_text_ok(desc, 10000) ? "description: at most 10000 characters"
                      : bad_kw ? "keywords: an array of strings (each at most 64 characters)"
                      : strcmp(vis, "private") && strcmp(vis, "group") && strcmp(vis, "public")
                          ? "visibility: private, group or public"
                      : !sbml                          ? "sbml: the model's SBML text is required"
                      : strlen(sbml) > MAX_MODEL_BYTES ? "sbml: at most 8 MiB"
                                                       : NULL;
    if (why) {
        json_decref(b);
        return mt_http_error(res, 400, "%s", why);
    }
    char mwhy[600]; /* creators, licence, standard, annotations: as on every kind */
    json_t *meta = mt_node_common_metadata(b, mwhy, sizeof mwhy);
    char *mtext = meta ? json_dumps(meta, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(meta);
    if (!mtext) {
        json_decref(b);
        return mt_http_error(res, meta ? 500 : 400, "%s", meta ? "out of memory" : mwhy);
    }
    if (!strcmp(vis, "public") && mt_node_role_rank(who->role) < mt_node_role_rank("curator")) {
        free(mtext);
        json_decref(b);
        return mt_http_error(res, 403,
                             "publishing needs the curator or admin role; upload as "
                             "private or group");
    }
    if (!mt_node_check_sbml(ctx, sbml, strlen(sbml))) {
        free(mtext);
        json_decref(b);
        return mt_http_error(res, 422, "sbml: not a model medtwin can read: %s", mt_errmsg(ctx));
    }
    char id[37], sha[65];
    mt_node_resource_spec spec = {.kind = "model",
                                  .title = title,
                                  .description = desc,
                                  .keywords = keywords,
                                  .visibility = vis,
                                  .metadata = mtext,
                                  .content = sbml,
                                  .content_len = strlen(sbml),
                                  .media_type = "application/sbml+xml"};
    mt_status st = mt_node_create_resource(nd, ctx, who, &spec, id, sha);
    free(mtext);
    json_decref(b);
    if (st != MT_OK)
        return mt_http_error(res, 500, "storage: %s", mt_errmsg(ctx));
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(id));
    json_object_set_new(o, "version", json_integer(1));
    json_object_set_new(o, "sha256", json_string(sha));
    mt_node_respond(res, 201, o);
}

static void get_model(mt_node *nd, mt_ctx *ctx, const mt_node_principal *who, const char *id,
                      mt_http_response *res)
{
    mt_store_conn *c;
    if (mt_store_acquire(nd->store, ctx, &c) != MT_OK)
        return mt_http_error(res, 503, "storage unavailable");
    int err;
    json_t *r = mt_node_get_resource(c, ctx, who, id, &err);
    json_t *v =
        r ? mt_node_query(c, ctx,
                          "SELECT seq AS version, sha256, media_type, size, created, "
                          "created_by, derived_from FROM versions WHERE resource_id = ? ORDER "
                          "BY seq",
                          1, (mt_value[]){mt_v_text(id)})
          : NULL;
    mt_store_release(c);
    if (err || (r && !v)) {
        json_decref(r);
        return mt_http_error(res, 500, "storage: %s", mt_errmsg(ctx));
    }
    if (!r || strcmp(mt_node_json_str(r, "kind", ""), "model"))
        return json_decref(r), mt_http_error(res, 404, "no model %s", id);
    json_t *meta = json_loads(mt_node_json_str(r, "metadata", "{}"), 0, NULL);
    if (json_is_object(meta)) /* the metadata as an object, as for every kind */
        json_object_set(r, "metadata", meta);
    json_decref(meta);
    json_object_set_new(r, "versions", v);
    mt_node_respond(res, 200, r);
}

static int blob_row(void *arg, size_t n, const mt_value *c, const char *const *names)
{
    mt_node_blob *b = arg;
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(names[i], "content") &&
            (c[i].type == MT_VALUE_BLOB || c[i].type == MT_VALUE_TEXT)) {
            free(b->data);
            b->data = malloc(c[i].n + 1);
            if (b->data) {
                memcpy(b->data, c[i].s, c[i].n);
                b->data[c[i].n] = 0;
                b->n = c[i].n;
            }
        } else if (!strcmp(names[i], "media_type") && c[i].type == MT_VALUE_TEXT) {
            snprintf(b->media, sizeof b->media, "%.*s", (int)c[i].n, c[i].s);
        }
    }
    return 1;
}

mt_status mt_node_version_content(mt_store_conn *c, mt_ctx *ctx, const char *id, const char *sha,
                                  mt_node_blob *b)
{
    if (sha)
        return mt_store_exec(c, ctx,
                             "SELECT content, media_type FROM versions WHERE resource_id = ? AND "
                             "sha256 = ?",
                             2, (mt_value[]){mt_v_text(id), mt_v_text(sha)}, blob_row, b, NULL);
    return mt_store_exec(c, ctx,
                         "SELECT content, media_type FROM versions WHERE resource_id = ? ORDER "
                         "BY seq DESC LIMIT 1",
                         1, (mt_value[]){mt_v_text(id)}, blob_row, b, NULL);
}

json_t *mt_node_get_version(mt_store_conn *c, mt_ctx *ctx, const mt_node_principal *who,
                            const char *id, const char *sha, mt_node_blob *b, int *err)
{
    *b = (mt_node_blob){0};
    json_t *r = mt_node_get_resource(c, ctx, who, id, err);
    if (r && mt_node_version_content(c, ctx, id, sha, b) != MT_OK)
        *err = 1;
    return r;
}

int mt_node_valid_sha(const char *s)
{
    if (strlen(s) != 64)
        return 0;
    for (int i = 0; i < 64; i++)
        if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
            return 0;
    return 1;
}

static void get_sbml(mt_node *nd, mt_ctx *ctx, const mt_node_principal *who, const char *id,
                     const char *sha, mt_http_response *res)
{
    if (!mt_node_valid_sha(sha))
        return mt_http_error(res, 404, "no version %s", sha);
    mt_store_conn *c;
    if (mt_store_acquire(nd->store, ctx, &c) != MT_OK)
        return mt_http_error(res, 503, "storage unavailable");
    int err;
    mt_node_blob b;
    json_t *r = mt_node_get_version(c, ctx, who, id, sha, &b, &err);
    mt_store_release(c);
    json_decref(r);
    if (err) {
        free(b.data);
        return mt_http_error(res, 500, "storage: %s", mt_errmsg(ctx));
    }
    if (!r || !b.data) {
        free(b.data);
        return mt_http_error(res, 404, "no version %s of model %s", sha, id);
    }
    res->status = 200;
    res->content_type = "application/sbml+xml";
    res->body = b.data;
    res->body_len = b.n;
}

static void post_version(mt_node *nd, mt_ctx *ctx, const mt_node_principal *who, const char *id,
                         const mt_http_request *req, mt_http_response *res)
{
    if (mt_node_role_rank(who->role) < mt_node_role_rank("modeller"))
        return mt_http_error(res, 403,
                             "adding a version needs the modeller, curator or admin "
                             "role");
    json_error_t je;
    json_t *b = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &je);
    const char *sbml = mt_node_json_str(b, "sbml", NULL),
               *from = mt_node_json_str(b, "derived_from", NULL);
    if (!json_is_object(b) || !sbml || strlen(sbml) > MAX_MODEL_BYTES ||
        (from && !mt_node_valid_sha(from))) {
        json_decref(b);
        return mt_http_error(res, 400,
                             "the body must be {\"sbml\": \"...\"} (at most 8 MiB), "
                             "with an optional derived_from (a version's sha256)");
    }
    if (!mt_node_check_sbml(ctx, sbml, strlen(sbml))) {
        json_decref(b);
        return mt_http_error(res, 422, "sbml: not a model medtwin can read: %s", mt_errmsg(ctx));
    }
    mt_store_conn *c;
    if (mt_store_acquire(nd->store, ctx, &c) != MT_OK) {
        json_decref(b);
        return mt_http_error(res, 503, "storage unavailable");
    }
    int err, created = 0;
    char sha[65];
    json_t *r = mt_node_get_resource(c, ctx, who, id, &err);
    mt_status st = MT_OK;
    int may = r && (!strcmp(who->role, "admin") ||
                    !strcmp(mt_node_json_str(r, "group_id", ""), who->group));
    if (may) {
        st = mt_store_begin(c, ctx);
        if (st == MT_OK)
            st = mt_node_add_version(c, ctx, id, sbml, strlen(sbml), "application/sbml+xml",
                                     who->id, from, sha, &created);
        st = mt_store_finish(c, ctx, st);
    }
    json_t *v =
        may && st == MT_OK
            ? mt_node_query(c, ctx, "SELECT seq FROM versions WHERE resource_id = ? AND sha256 = ?",
                            2, (mt_value[]){mt_v_text(id), mt_v_text(sha)})
            : NULL;
    mt_store_release(c);
    json_decref(b);
    if (err || st != MT_OK) {
        json_decref(r);
        json_decref(v);
        return mt_http_error(res, 500, "storage: %s", mt_errmsg(ctx));
    }
    if (!r) {
        json_decref(v);
        return mt_http_error(res, 404, "no model %s", id);
    }
    json_decref(r);
    if (!may)
        return mt_http_error(res, 403, "only the model's group may add versions");
    mt_node_respond_version(res, id, v, sha, created);
}

static void simulate(mt_node *nd, mt_ctx *ctx, const mt_node_principal *who, const char *id,
                     const mt_http_request *req, mt_http_response *res)
{
    json_error_t je;
    json_t *b = req->body_len ? json_loadb(req->body, req->body_len, 0, &je) : json_object();
    json_t *end = json_object_get(b, "end"), *steps = json_object_get(b, "steps");
    const char *ver = mt_node_json_str(b, "version", NULL);
    double t_end = json_is_number(end) ? json_number_value(end) : NAN;
    json_int_t n_steps = json_is_integer(steps) ? json_integer_value(steps) : 100;
    if (!json_is_object(b) || !(t_end > 0 && t_end <= 1e7) || n_steps < 1 ||
        n_steps > MAX_SIM_STEPS || (ver && !mt_node_valid_sha(ver))) {
        json_decref(b);
        return mt_http_error(res, 400,
                             "the body must be {\"end\": T (0 < T <= 1e7), \"steps\": "
                             "N (1..%d), \"version\": sha256 (optional)}",
                             MAX_SIM_STEPS);
    }
    mt_store_conn *c;
    if (mt_store_acquire(nd->store, ctx, &c) != MT_OK) {
        json_decref(b);
        return mt_http_error(res, 503, "storage unavailable");
    }
    int err;
    mt_node_blob bo;
    json_t *r = mt_node_get_version(c, ctx, who, id, ver, &bo, &err);
    mt_store_release(c);
    char vtext[65]; /* ver lives in b: kept for the message below, b freed here */
    snprintf(vtext, sizeof vtext, "%s", ver ? ver : "");
    json_decref(b);
    if (err) {
        json_decref(r);
        free(bo.data);
        return mt_http_error(res, 500, "storage: %s", mt_errmsg(ctx));
    }
    int is_model = r && !strcmp(mt_node_json_str(r, "kind", ""), "model");
    json_decref(r);
    if (!is_model || !bo.data) {
        free(bo.data);
        return mt_http_error(res, 404, "no model %s%s%s", id, vtext[0] ? " version " : "", vtext);
    }
    mt_model *m = NULL;
    mt_program *p = NULL;
    mt_sim *s = NULL;
    mt_result *out = NULL;
    mt_status st = mt_model_load_string(ctx, bo.data, bo.n, NULL, &m);
    free(bo.data);
    if (st == MT_OK)
        st = mt_program_create(ctx, m, &p);
    if (st == MT_OK)
        st = mt_sim_create(ctx, p, &s);
    if (st == MT_OK)
        st = mt_sim_run(s, 0, t_end, (long)n_steps, &out);
    if (st != MT_OK) {
        mt_http_error(res, 422, "simulation failed: %s", mt_errmsg(ctx));
    } else {
        json_t *o = json_object(), *cols = json_array(), *rows = json_array();
        json_array_append_new(cols, json_string("time"));
        for (size_t j = 0; j < mt_result_n_cols(out); j++)
            json_array_append_new(cols, json_string(mt_result_col_id(out, j)));
        for (size_t i = 0; i < mt_result_n_rows(out); i++) {
            json_t *row = json_array();
            json_array_append_new(row, json_real(mt_result_time(out, i)));
            for (size_t j = 0; j < mt_result_n_cols(out); j++) {
                double v = mt_result_value(out, i, j);
                json_array_append_new(row, isfinite(v) ? json_real(v) : json_null());
            }
            json_array_append_new(rows, row);
        }
        json_object_set_new(o, "model", json_string(id));
        json_object_set_new(o, "columns", cols);
        json_object_set_new(o, "rows", rows);
        mt_node_respond(res, 200, o);
    }
    mt_result_destroy(out);
    mt_sim_destroy(s);
    mt_program_destroy(p);
    mt_model_destroy(m);
}

static void post_token(mt_node *nd, mt_ctx *ctx, const mt_node_principal *who,
                       const mt_http_request *req, mt_http_response *res)
{
    if (strcmp(who->role, "admin"))
        return mt_http_error(res, 403, "creating tokens needs the admin role");
    json_error_t je;
    json_t *b = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &je);
    if (!json_is_object(b)) {
        json_decref(b);
        return mt_http_error(res, 400, "the body must be a JSON object");
    }
    char *tok = NULL;
    mt_status st =
        token_create(nd, ctx, mt_node_json_str(b, "role", ""), mt_node_json_str(b, "group", ""),
                     mt_node_json_str(b, "label", ""), &tok);
    char role[16];
    snprintf(role, sizeof role, "%s", mt_node_json_str(b, "role", ""));
    json_decref(b);
    if (st == MT_EINVAL)
        return mt_http_error(res, 400, "%s", mt_errmsg(ctx));
    if (st != MT_OK)
        return mt_http_error(res, 500, "storage: %s", mt_errmsg(ctx));
    json_t *o = json_object();
    json_object_set_new(o, "token", json_string(tok));
    json_object_set_new(o, "role", json_string(role));
    sodium_memzero(tok, strlen(tok));
    free(tok);
    mt_node_respond(res, 201, o);
}

/* ---- routing ------------------------------------------------------------------------------ */

/* Splits path (after API) into at most 4 segments. Returns the count, or -1 when malformed. */
static int segments(const char *path, char seg[4][80])
{
    int n = 0;
    const char *s = path;
    while (*s == '/')
        s++;
    while (*s) {
        const char *e = strchr(s, '/');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        if (n == 4 || len == 0 || len >= 80)
            return -1;
        memcpy(seg[n], s, len);
        seg[n++][len] = 0;
        s += len;
        while (*s == '/')
            s++;
    }
    return n;
}

/* The routes of the node's other files (node_internal.h), tried in order after the ones
 * above: each returns 1 when it answered the request. */
static const mt_node_route module_routes[] = {
    mt_node_route_twins,      mt_node_route_resources, mt_node_route_jobs, mt_node_route_omex,
    mt_node_route_federation, mt_node_route_cohorts,   mt_node_route_none};

static void handle(void *arg, const mt_http_request *req, mt_http_response *res)
{
    mt_node *nd = arg;
    mt_ctx *ctx = NULL;
    if (mt_ctx_create(&ctx) != MT_OK)
        return mt_http_error(res, 500, "out of memory");
    char seg[4][80];
    const char *m = req->method;
    int n = strncmp(req->path, API, strlen(API)) ? -1 : segments(req->path + strlen(API), seg);
    if (n == 1 && !strcmp(seg[0], "health") && !strcmp(m, "GET")) {
        json_t *o = json_object();
        json_object_set_new(o, "status", json_string("ok"));
        json_object_set_new(o, "version", json_string(mt_version()));
        json_object_set_new(o, "storage",
                            json_string(mt_store_dialect_of(nd->store) == MT_DIALECT_POSTGRES
                                            ? "postgresql"
                                            : "sqlite"));
        mt_node_respond(res, 200, o);
        mt_ctx_destroy(ctx);
        return;
    }
    if (n < 1) {
        mt_http_error(res, 404, "no such endpoint: %s %s", m, req->path);
        mt_ctx_destroy(ctx);
        return;
    }
    mt_node_principal who;
    int a = authenticate(nd, ctx, req, &who);
    if (a) {
        if (a == 401) {
            mt_http_error(res, 401,
                          "a valid API token is required (Authorization: Bearer mtk_...)");
            res->www_authenticate = 1;
        } else {
            mt_http_error(res, a, "storage unavailable");
        }
        mt_ctx_destroy(ctx);
        return;
    }
    int get = !strcmp(m, "GET"), post = !strcmp(m, "POST");
    if (n == 1 && !strcmp(seg[0], "whoami") && get) {
        json_t *o = json_object();
        json_object_set_new(o, "token", json_string(who.id));
        json_object_set_new(o, "role", json_string(who.role));
        json_object_set_new(o, "group", json_string(who.group));
        mt_node_respond(res, 200, o);
    } else if (n == 1 && !strcmp(seg[0], "tokens") && post) {
        post_token(nd, ctx, &who, req, res);
    } else if (n == 1 && !strcmp(seg[0], "models") && get) {
        list_models(nd, ctx, &who, req, res);
    } else if (n == 1 && !strcmp(seg[0], "models") && post) {
        post_model(nd, ctx, &who, req, res);
    } else if (n >= 2 && !strcmp(seg[0], "models") && !mt_node_valid_uuid(seg[1])) {
        mt_http_error(res, 404, "no model %s", seg[1]);
    } else if (n == 2 && !strcmp(seg[0], "models") && get) {
        get_model(nd, ctx, &who, seg[1], res);
    } else if (n == 3 && !strcmp(seg[0], "models") && !strcmp(seg[2], "versions") && post) {
        post_version(nd, ctx, &who, seg[1], req, res);
    } else if (n == 3 && !strcmp(seg[0], "models") && !strcmp(seg[2], "simulate") && post) {
        simulate(nd, ctx, &who, seg[1], req, res);
    } else if (n == 4 && !strcmp(seg[0], "models") && !strcmp(seg[2], "versions") && get) {
        get_sbml(nd, ctx, &who, seg[1], seg[3], res);
    } else {
        int done = 0;
        for (size_t i = 0; !done && i < sizeof module_routes / sizeof *module_routes; i++)
            done = module_routes[i](nd, ctx, &who, req, n, seg, res);
        if (!done)
            mt_http_error(res, 404, "no such endpoint: %s %s", m, req->path);
    }
    mt_ctx_destroy(ctx);
}

mt_status mt_node_next_version(mt_store_conn *c, mt_ctx *ctx, const char *id, long long *seq)
{
    json_t *rows = mt_node_query(c, ctx,
                                 "SELECT COALESCE(MAX(seq), 0) AS n FROM versions WHERE "
                                 "resource_id = ?",
                                 1, (mt_value[]){mt_v_text(id)});
    if (!rows)
        return MT_EIO;
    *seq = (long long)json_integer_value(json_object_get(json_array_get(rows, 0), "n")) + 1;
    json_decref(rows);
    return MT_OK;
}

int mt_node_route_none(mt_node *nd, mt_ctx *ctx, const mt_node_principal *who,
                       const mt_http_request *req, int n, char seg[4][80], mt_http_response *res)
{
    (void)nd, (void)ctx, (void)who, (void)req, (void)n, (void)seg, (void)res;
    return 0;
}

/* ---- lifecycle ----------------------------------------------------------------------------- */

/* strcmp order, NULL (a name strdup could not copy) last. */
static int name_order(const void *a, const void *b)
{
    const char *x = *(char *const *)a, *y = *(char *const *)b;
    return !x || !y ? (x == NULL) - (y == NULL) : strcmp(x, y);
}

mt_status mt_node_list_dir(mt_ctx *ctx, const char *dir, const char *what, const char *suffix,
                           char **names, size_t max, size_t *n)
{
    *n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return mt_error(ctx, MT_EIO, "%s: %s: %s", what, dir, strerror(errno));
    size_t sl = strlen(suffix);
    struct dirent *e;
    while ((e = readdir(d)) && *n < max) {
        size_t l = strlen(e->d_name);
        if (l > sl && !strcmp(e->d_name + l - sl, suffix))
            names[(*n)++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, *n, sizeof *names, name_order); /* the same order on every node */
    return MT_OK;
}

/* The bundled models (the .xml files of data/models) as public models of the node, on first start.
 */
static mt_status load_bundled(mt_node *nd, mt_ctx *ctx)
{
    mt_store_conn *c;
    mt_status st = mt_store_acquire(nd->store, ctx, &c);
    if (st != MT_OK)
        return st;
    json_t *rows = mt_node_query(c, ctx, "SELECT COUNT(*) AS n FROM resources", 0, NULL);
    mt_store_release(c);
    if (!rows)
        return MT_EIO;
    json_int_t have = json_integer_value(json_object_get(json_array_get(rows, 0), "n"));
    json_decref(rows);
    if (have)
        return MT_OK;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/models", nd->data_dir);
    char *names[64];
    size_t nn;
    st = mt_node_list_dir(ctx, dir, "bundled models", ".xml", names, 64, &nn);
    if (st != MT_OK)
        return st;
    mt_node_principal node = {"node", "admin", "node"};
    for (size_t i = 0; st == MT_OK && i < nn; i++) {
        if (!names[i])
            continue;
        char path[4400];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        FILE *f = fopen(path, "rb");
        char *text = NULL;
        size_t len = 0;
        if (!f || mt_read_file(ctx, f, path, MAX_MODEL_BYTES, &text, &len) != MT_OK) {
            st = f ? MT_EIO : mt_error(ctx, MT_EIO, "bundled model %s: cannot open", path);
        } else if (mt_node_check_sbml(ctx, text, len)) {
            char title[300], id[37], sha[65];
            snprintf(title, sizeof title, "%.*s (bundled)", (int)(strlen(names[i]) - 4), names[i]);
            st = create_model(nd, ctx, &node, title, "a model bundled with medtwin (data/models)",
                              "bundled pk", "public", text, len, id, sha);
        }
        if (f)
            fclose(f);
        mt_free(ctx, text);
    }
    for (size_t i = 0; i < nn; i++)
        free(names[i]);
    return st;
}

mt_status mt_node_open(mt_ctx *ctx, const mt_node_options *o, mt_node **out)
{
    *out = NULL;
    if (sodium_init() < 0)
        return mt_error(ctx, MT_EIO, "libsodium could not be initialised");
    if (!o->db_url || !o->listen)
        return mt_error(ctx, MT_EINVAL, "serve: --db and --listen are required");
    mt_node *nd = calloc(1, sizeof *nd);
    if (!nd)
        return mt_error(ctx, MT_ENOMEM, "out of memory");
    nd->o = *o;
    nd->db_url = strdup(o->db_url);
    nd->listen = strdup(o->listen);
    nd->data_dir = strdup(o->data_dir ? o->data_dir : mt_data_dir());
    nd->tls_cert = o->tls_cert_pem ? strdup(o->tls_cert_pem) : NULL;
    nd->tls_key = o->tls_key_pem ? strdup(o->tls_key_pem) : NULL;
    pthread_mutex_init(&nd->mu, NULL);
    crypto_generichash_keygen(nd->cache_key);
    mt_status st =
        !nd->db_url || !nd->listen || !nd->data_dir
            ? mt_error(ctx, MT_ENOMEM, "out of memory")
            : mt_store_open(ctx, nd->db_url, o->threads > 0 ? o->threads + 2 : 6, &nd->store);
    if (st == MT_OK && !o->no_key) /* the node key: node/privacy.h */
        st = mt_privacy_keys_open(ctx, o->db_url, o->key_file, &nd->keys);
    int applied = 0;
    /* the core's migrations, then one per module (numbers fixed in node_internal.h) */
    mt_store_migration all[sizeof migrations / sizeof *migrations + 4];
    size_t n_all = sizeof migrations / sizeof *migrations;
    memcpy(all, migrations, sizeof migrations);
    all[n_all++] = mt_node_migration_resources;
    all[n_all++] = mt_node_migration_jobs;
    all[n_all++] = mt_node_migration_ops;
    all[n_all++] = mt_node_migration_cohorts;
    if (st == MT_OK)
        st = mt_store_migrate(nd->store, ctx, all, n_all, &applied);
    if (st == MT_OK && nd->keys) /* the store's pseudonym key (node_secrets, migration 5) */
        st = mt_privacy_keys_bind(nd->store, ctx, nd->keys);
    if (st == MT_OK && nd->keys)
        st = mt_audit_sign_genesis(nd->store, ctx, nd->keys);
    if (st == MT_OK && !o->no_bundled)
        st = load_bundled(nd, ctx);
    if (st == MT_OK && !o->no_bundled)
        st = mt_node_load_bundled_resources(nd, ctx);
    if (st == MT_OK && o->demo)
        st = mt_node_load_demo(nd, ctx);
    if (st != MT_OK) {
        mt_node_close(nd);
        return st;
    }
    *out = nd;
    return MT_OK;
}

mt_status mt_node_start(mt_node *nd, mt_ctx *ctx)
{
    mt_http_options ho = {.listen = nd->listen,
                          .threads = nd->o.threads > 0 ? nd->o.threads : 4,
                          .max_body = nd->o.max_body,
                          .tls_cert_pem = nd->tls_cert,
                          .tls_key_pem = nd->tls_key};
    mt_status st = mt_node_jobs_start(nd, ctx);
    if (st == MT_OK)
        st = mt_http_start(ctx, &ho, handle, nd, &nd->http);
    return st;
}

unsigned mt_node_port(const mt_node *nd) { return nd->http ? mt_http_port(nd->http) : 0; }

void mt_node_close(mt_node *nd)
{
    if (!nd)
        return;
    mt_http_stop(nd->http);
    mt_node_jobs_stop(nd);
    mt_store_close(nd->store);
    pthread_mutex_destroy(&nd->mu);
    free(nd->db_url);
    free(nd->listen);
    free(nd->data_dir);
    free(nd->tls_cert);
    free(nd->tls_key);
    sodium_memzero(nd->cache, sizeof nd->cache);
    mt_privacy_keys_destroy(nd->keys);
    free(nd);
}
