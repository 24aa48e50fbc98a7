/* SPDX-License-Identifier: Apache-2.0
 *
 * node/node_twins.c — twins (patient profiles: personal data) behind the node's API, with
 * consent records (docs/node.md "Data protection", docs/openapi.json):
 *   POST   /twins                    a profile (medtwin profile JSON or FHIR R4 Bundle)
 *   GET    /twins/{id}               the decrypted profile (?version=N)
 *   DELETE /twins/{id}               erasure: the data key is destroyed, then 410 Gone
 *   POST   /twins/{id}/consent       {"purpose": "research", "granted": true|false}
 *   GET    /twins/{id}/consent       the consent records, oldest first
 *
 * A twin is a resource of kind 'twin' whose id is the pseudonym of its profile's own "id" in
 * the caller's group (node/privacy.h), always of visibility 'group', with title = the
 * pseudonym and nothing personal in its metadata or the full-text index. Its versions hold the
 * canonical profile JSON encrypted with the twin's data key (table twin_keys, wrapped with the
 * node key); their "sha256" column holds a keyed content id instead of a plain hash.
 *
 * Every read and write of personal data appends an audit entry in the same transaction
 * (node/audit.h): no entry, no data. Who: clinician, modeller, curator (rank >= clinician) of
 * the twin's group, and admins; readers get 403, other groups 404.
 */
#include "medtwin/profile.h"
#include "node/audit.h"
#include "node/node_internal.h"
#include "node/privacy.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MEDIA_TYPE "application/vnd.medtwin.profile+json; enc=xchacha20poly1305"

int mt_node_valid_pseudonym(const char *s)
{
    if (!s || strlen(s) != MT_PRIVACY_PSEUDONYM_LEN)
        return 0;
    for (const char *p = s; *p; p++)
        if (!isdigit((unsigned char)*p) && !(*p >= 'a' && *p <= 'f'))
            return 0;
    return 1;
}

/* First column of the first row as a copied blob. */
typedef struct {
    unsigned char *p;
    size_t n;
    int found, oom;
} blob_copy;

static int take_blob(void *arg, size_t n, const mt_value *c, const char *const *names)
{
    (void)names;
    blob_copy *b = arg;
    if (n < 1 || c[0].type != MT_VALUE_BLOB)
        return 1;
    b->found = 1;
    if (!(b->p = malloc(c[0].n ? c[0].n : 1)))
        b->oom = 1;
    else
        memcpy(b->p, c[0].s, c[0].n);
    b->n = c[0].n;
    return 1;
}

static void blob_free(blob_copy *b)
{
    if (b->p)
        sodium_memzero(b->p, b->n);
    free(b->p);
    memset(b, 0, sizeof *b);
}

int mt_node_twin_key(mt_node *nd, mt_store_conn *c, mt_ctx *ctx, const char *group, const char *id,
                     unsigned char *dk)
{
    json_t *rows =
        mt_node_query(c, ctx, "SELECT group_id FROM resources WHERE id = ? AND kind = 'twin'", 1,
                      (mt_value[]){mt_v_text(id)});
    if (!rows)
        return 500;
    json_t *r = json_array_get(rows, 0);
    int visible = r && (!group || !strcmp(mt_node_json_str(r, "group_id", ""), group));
    json_decref(rows);
    if (!visible)
        return 404;
    blob_copy b = {0};
    if (mt_store_exec(c, ctx, "SELECT wrapped FROM twin_keys WHERE twin_id = ?", 1,
                      (mt_value[]){mt_v_text(id)}, take_blob, &b, NULL) != MT_OK ||
        b.oom) {
        if (b.oom)
            mt_error(ctx, MT_ENOMEM, "out of memory");
        blob_free(&b);
        return 500;
    }
    if (!b.found)
        return 410;
    mt_status st = mt_privacy_unwrap(ctx, nd->keys, id, b.p, b.n, dk);
    blob_free(&b);
    return st == MT_OK ? 0 : 500;
}

mt_status mt_node_twin_profile(mt_store_conn *c, mt_ctx *ctx, const char *id, long long seq,
                               const unsigned char *dk, char **text, size_t *len)
{
    *text = NULL;
    *len = 0;
    if (seq <= 0) {
        if (mt_node_next_version(c, ctx, id, &seq) != MT_OK)
            return MT_EIO;
        seq--; /* the latest */
        if (!seq)
            return mt_error(ctx, MT_ENOTFOUND, "twin %s has no version", id);
    }
    blob_copy b = {0};
    mt_status st =
        mt_store_exec(c, ctx, "SELECT content FROM versions WHERE resource_id = ? AND seq = ?", 2,
                      (mt_value[]){mt_v_text(id), mt_v_int(seq)}, take_blob, &b, NULL);
    if (st == MT_OK && (b.oom || !b.found))
        st = b.oom ? mt_error(ctx, MT_ENOMEM, "out of memory")
                   : mt_error(ctx, MT_ENOTFOUND, "twin %s has no version %lld", id, seq);
    char aad[96];
    snprintf(aad, sizeof aad, "medtwin twin %s version %lld", id, seq);
    if (st == MT_OK)
        st = mt_privacy_open(ctx, dk, aad, b.p, b.n, text, len);
    blob_free(&b);
    return st;
}

typedef struct {
    char group[64], created[40], updated[40];
    int has_key;
    unsigned char dk[MT_PRIVACY_KEY_BYTES];
} twin;

/* Loads twin id for who: 0 when found and not erased (t->dk holds its data key: wipe it),
 * else the HTTP status to answer (404 hidden or absent, 410 erased, 500 with res filled). */
static int load_twin(mt_node *nd, mt_store_conn *c, mt_ctx *ctx, const mt_node_principal *who,
                     const char *id, twin *t, mt_http_response *res)
{
    memset(t, 0, sizeof *t);
    json_t *rows = mt_node_query(
        c, ctx, "SELECT group_id, created, updated FROM resources WHERE id = ? AND kind = 'twin'",
        1, (mt_value[]){mt_v_text(id)});
    if (!rows) {
        mt_http_error(res, 500, "storage: %s", mt_errmsg(ctx));
        return 500;
    }
    json_t *r = json_array_get(rows, 0);
    const char *g = r ? mt_node_json_str(r, "group_id", "") : NULL;
    int visible = r && (!strcmp(who->role, "admin") || !strcmp(g, who->group));
    if (visible) {
        snprintf(t->group, sizeof t->group, "%s", g);
        snprintf(t->created, sizeof t->created, "%s", mt_node_json_str(r, "created", ""));
        snprintf(t->updated, sizeof t->updated, "%s", mt_node_json_str(r, "updated", ""));
    }
    json_decref(rows);
    if (!visible) {
        mt_http_error(res, 404, "no twin %s", id);
        return 404;
    }
    int code = mt_node_twin_key(nd, c, ctx, t->group, id, t->dk);
    if (code == 404)
        mt_http_error(res, 404, "no twin %s", id);
    else if (code == 410)
        mt_http_error(res, 410, "twin %s was erased: its data key is destroyed", id);
    else if (code)
        mt_http_error(res, 500, "%s", mt_errmsg(ctx));
    t->has_key = !code;
    return code;
}

static void twin_clear(twin *t) { sodium_memzero(t->dk, sizeof t->dk); }

int mt_node_twin_access(mt_node *nd, const mt_node_principal *who, const char *what,
                        mt_http_response *res)
{
    if (!nd->keys) {
        mt_http_error(res, 503, "this node runs without its key: twins are not available");
        return 0;
    }
    if (mt_node_role_rank(who->role) < mt_node_role_rank("clinician")) {
        mt_http_error(res, 403, "%s need the clinician, modeller, curator or admin role", what);
        return 0;
    }
    return 1;
}

static int may_touch(mt_node *nd, const mt_node_principal *who, mt_http_response *res)
{
    return mt_node_twin_access(nd, who, "twins", res);
}

/* ---- POST /twins ------------------------------------------------------------------------ */

/* Inside the open transaction: the twin's row and data key when new (*is_new), the data key
 * when it exists; 0 or the HTTP status answered in res. */
static int open_or_create(mt_node *nd, mt_store_conn *c, mt_ctx *ctx, const mt_node_principal *who,
                          const char *id, twin *t, int *is_new, mt_http_response *res)
{
    *is_new = 0;
    int code = load_twin(nd, c, ctx, who, id, t, res);
    if (code != 404)
        return code;
    /* the pseudonym carries the caller's group, so a 404 here means: not there yet */
    free(res->body);
    res->body = NULL;
    res->body_len = 0;
    char ts[40];
    mt_node_now_iso(ts);
    mt_value p[6] = {mt_v_text(id),      mt_v_text(id), mt_v_text(who->group),
                     mt_v_text(who->id), mt_v_text(ts), mt_v_text(ts)};
    mt_status st = mt_store_exec(c, ctx,
                                 "INSERT INTO resources(id, kind, title, visibility, group_id, "
                                 "owner, created, updated) VALUES (?, 'twin', ?, 'group', ?, ?, "
                                 "?, ?)",
                                 6, p, NULL, NULL, NULL);
    unsigned char w[MT_PRIVACY_WRAPPED_BYTES];
    if (st == MT_OK) {
        memset(t, 0, sizeof *t);
        randombytes_buf(t->dk, sizeof t->dk);
        t->has_key = 1;
        mt_privacy_wrap(nd->keys, id, t->dk, w);
        mt_value q[3] = {mt_v_text(id), mt_v_blob(w, sizeof w), mt_v_text(ts)};
        st = mt_store_exec(c, ctx,
                           "INSERT INTO twin_keys(twin_id, wrapped, created) VALUES (?, ?, ?)", 3,
                           q, NULL, NULL, NULL);
        snprintf(t->group, sizeof t->group, "%s", who->group);
        snprintf(t->created, sizeof t->created, "%s", ts);
    }
    if (st != MT_OK) {
        mt_http_error(res, 500, "storage: %s", mt_errmsg(ctx));
        return 500;
    }
    *is_new = 1;
    return 0;
}

/* Inside the open transaction: the version of canonical text under t's key. OUT: *seq,
 * *created. */
static mt_status put_version(mt_store_conn *c, mt_ctx *ctx, const mt_node_principal *who,
                             const char *id, const twin *t, const char *text, size_t len,
                             long long *seq, int *created)
{
    char cid[65];
    mt_privacy_content_id(t->dk, text, len, cid);
    *created = 0;
    json_t *rows =
        mt_node_query(c, ctx, "SELECT seq FROM versions WHERE resource_id = ? AND sha256 = ?", 2,
                      (mt_value[]){mt_v_text(id), mt_v_text(cid)});
    if (!rows)
        return MT_EIO;
    json_t *have = json_array_get(rows, 0);
    *seq = have ? (long long)json_integer_value(json_object_get(have, "seq")) : 0;
    json_decref(rows);
    if (*seq)
        return MT_OK;
    if (mt_node_next_version(c, ctx, id, seq) != MT_OK)
        return MT_EIO;
    char aad[96], ts[40];
    snprintf(aad, sizeof aad, "medtwin twin %s version %lld", id, *seq);
    unsigned char *ct = NULL;
    size_t ct_n = 0;
    mt_status st = mt_privacy_seal(ctx, t->dk, aad, text, len, &ct, &ct_n);
    if (st != MT_OK)
        return st;
    mt_node_now_iso(ts);
    mt_value p[8] = {mt_v_text(id),         mt_v_int(*seq),      mt_v_text(cid),
                     mt_v_text(MEDIA_TYPE), mt_v_blob(ct, ct_n), mt_v_int((int64_t)ct_n),
                     mt_v_text(ts),         mt_v_text(who->id)};
    st = mt_store_exec(c, ctx,
                       "INSERT INTO versions(resource_id, seq, sha256, media_type, content, size, "
                       "created, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       8, p, NULL, NULL, NULL);
    free(ct);
    if (st == MT_OK)
        st = mt_store_exec(c, ctx, "UPDATE resources SET updated = ? WHERE id = ?", 2,
                           (mt_value[]){mt_v_text(ts), mt_v_text(id)}, NULL, NULL, NULL);
    *created = st == MT_OK;
    return st;
}

static void post_twin(mt_node *nd, mt_ctx *ctx, const mt_node_principal *who,
                      const mt_http_request *req, mt_http_response *res)
{
    if (!may_touch(nd, who, res))
        return;
    if (!req->body_len)
        return mt_http_error(res, 400, "the body must be a patient profile (JSON)");
    mt_profile *p = NULL;
    mt_status st = mt_profile_parse(ctx, req->body, req->body_len, &p);
    if (st == MT_ENOMEM)
        return mt_http_error(res, 500, "out of memory");
    if (st != MT_OK)
        return mt_http_error(res, 400, "the profile is not valid: %s", mt_errmsg(ctx));
    char *text = NULL, id[MT_PRIVACY_PSEUDONYM_LEN + 1];
    st = mt_profile_to_json(ctx, p, &text);
    if (st == MT_OK)
        mt_privacy_pseudonym(nd->keys, who->group, mt_profile_id(p), id);
    mt_profile_destroy(p);
    if (st != MT_OK)
        return mt_http_error(res, 500, "out of memory");
    size_t len = strlen(text);
    int pg = mt_store_dialect_of(nd->store) == MT_DIALECT_POSTGRES;
    mt_store_conn *c;
    if (mt_store_acquire(nd->store, ctx, &c) != MT_OK) {
        sodium_memzero(text, len);
        free(text);
        return mt_http_error(res, 503, "storage unavailable");
    }
    twin t;
    memset(&t, 0, sizeof t);
    int is_new = 0, created = 0, code = 0;
    long long seq = 0;
    st = mt_store_begin(c, ctx);
    if (st == MT_OK)
        st = mt_audit_lock(c, ctx, pg);
    if (st == MT_OK && !(code = open_or_create(nd, c, ctx, who, id, &t, &is_new, res)))
        st = put_version(c, ctx, who, id, &t, text, len, &seq, &created);
    if (st == MT_OK && !code)
        st = mt_audit_append(c, ctx, pg, nd->keys, who->id,
                             is_new    ? "twin.create"
                             : created ? "twin.update"
                                       : "twin.write-unchanged",
                             id);
    st = mt_store_finish(c, ctx, code ? MT_EIO : st);
    mt_store_release(c);
    twin_clear(&t);
    sodium_memzero(text, len);
    free(text);
    if (code)
        return; /* answered by open_or_create */
    if (st != MT_OK)
        return mt_http_error(res, 500, "storage: %s", mt_errmsg(ctx));
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(id));
    json_object_set_new(o, "version", json_integer(seq));
    json_object_set_new(o, "created", json_boolean(created));
    mt_node_respond(res, created ? 201 : 200, o);
}

/* ---- GET /twins/{id} --------------------------------------------------------------------- */

static void get_twin(mt_node *nd, mt_ctx *ctx, const mt_node_principal *who, const char *id,
                     const mt_http_request *req, mt_http_response *res)
{
    if (!may_touch(nd, who, res))
        return;
    int bad = 0;
    long want = mt_node_query_long(req, "version", 0, 1, 1000000000L, &bad);
    if (bad)
        return mt_http_error(res, 400, "version must be a whole number >= 1");
    int pg = mt_store_dialect_of(nd->store) == MT_DIALECT_POSTGRES;
    mt_store_conn *c;
    if (mt_store_acquire(nd->store, ctx, &c) != MT_OK)
        return mt_http_error(res, 503, "storage unavailable");
    twin t;
    if (load_twin(nd, c, ctx, who, id, &t, res)) {
        mt_store_release(c);
        return;
    }
    json_t *vers = mt_node_query(c, ctx,
                                 "SELECT seq AS version, created, created_by FROM versions "
                                 "WHERE resource_id = ? ORDER BY seq",
                                 1, (mt_value[]){mt_v_text(id)});
    long long seq = want;
    if (vers && !seq && json_array_size(vers))
        seq = (long long)json_integer_value(
            json_object_get(json_array_get(vers, json_array_size(vers) - 1), "version"));
    char *text = NULL;
    size_t len = 0;
    mt_status st = vers ? MT_OK : MT_EIO;
    if (st == MT_OK)
        st = seq ? mt_node_twin_profile(c, ctx, id, seq, t.dk, &text, &len) : MT_ENOTFOUND;
    twin_clear(&t);
    if (st != MT_OK) {
        mt_store_release(c);
        json_decref(vers);
        if (st == MT_ENOTFOUND)
            return mt_http_error(res, 404, "twin %s has no version %lld", id, seq);
        return mt_http_error(res, 500, "%s", mt_errmsg(ctx));
    }
    json_error_t je;
    json_t *profile = json_loadb(text, len, 0, &je);
    sodium_memzero(text, len);
    free(text);
    if (!profile)
        st = mt_error(ctx, MT_EIO, "twin %s version %lld: the stored profile is not JSON", id, seq);
    /* the read is recorded before anything is sent */
    if (st == MT_OK)
        st = mt_store_begin(c, ctx);
    if (st == MT_OK)
        st = mt_store_finish(c, ctx,
                             mt_audit_append(c, ctx, pg, nd->keys, who->id, "twin.read", id));
    mt_store_release(c);
    if (st != MT_OK) {
        json_decref(profile);
        json_decref(vers);
        return mt_http_error(res, 500, "%s", mt_errmsg(ctx));
    }
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(id));
    json_object_set_new(o, "group", json_string(t.group));
    json_object_set_new(o, "created", json_string(t.created));
    json_object_set_new(o, "updated", json_string(t.updated));
    json_object_set_new(o, "version", json_integer(seq));
    json_object_set_new(o, "versions", vers);
    json_object_set_new(o, "profile", profile);
    /* the profile's numbers as written (12 significant digits), not as doubles print */
    res->status = 200;
    res->body = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
    res->body_len = res->body ? strlen(res->body) : 0;
    json_decref(o);
    if (!res->body)
        mt_http_error(res, 500, "out of memory");
}

/* ---- DELETE /twins/{id} ------------------------------------------------------------------ */

static void erase_twin(mt_node *nd, mt_ctx *ctx, const mt_node_principal *who, const char *id,
                       mt_http_response *res)
{
    if (!may_touch(nd, who, res))
        return;
    int pg = mt_store_dialect_of(nd->store) == MT_DIALECT_POSTGRES;
    mt_store_conn *c;
    if (mt_store_acquire(nd->store, ctx, &c) != MT_OK)
        return mt_http_error(res, 503, "storage unavailable");
    /* SQLite: overwrite the deleted key row's bytes instead of leaving them in a free page */
    if (!pg && mt_store_exec(c, ctx, "PRAGMA secure_delete = ON", 0, NULL, NULL, NULL, NULL))
        mt_error_clear(ctx);
    twin t;
    memset(&t, 0, sizeof t);
    char ts[40], meta[80];
    mt_node_now_iso(ts);
    snprintf(meta, sizeof meta, "{\"erased\":\"%s\"}", ts);
    int code = 0;
    int64_t gone = 0;
    mt_status st = mt_store_begin(c, ctx);
    if (st == MT_OK)
        st = mt_audit_lock(c, ctx, pg);
    if (st == MT_OK && !(code = load_twin(nd, c, ctx, who, id, &t, res)))
        st = mt_store_exec(c, ctx, "DELETE FROM twin_keys WHERE twin_id = ?", 1,
                           (mt_value[]){mt_v_text(id)}, NULL, NULL, &gone);
    twin_clear(&t);
    if (st == MT_OK && !code)
        st = mt_store_exec(c, ctx, "UPDATE resources SET metadata = ?, updated = ? WHERE id = ?", 3,
                           (mt_value[]){mt_v_text(meta), mt_v_text(ts), mt_v_text(id)}, NULL, NULL,
                           NULL);
    if (st == MT_OK && !code)
        st = mt_audit_append(c, ctx, pg, nd->keys, who->id, "twin.erase", id);
    st = mt_store_finish(c, ctx, code ? MT_EIO : st);
    /* and out of the WAL: best effort (readers may hold it; the wrapped key is useless without
     * the node key anyway) */
    if (st == MT_OK && !pg &&
        mt_store_exec(c, ctx, "PRAGMA wal_checkpoint(TRUNCATE)", 0, NULL, NULL, NULL, NULL))
        mt_error_clear(ctx);
    mt_store_release(c);
    if (code)
        return;
    if (st != MT_OK)
        return mt_http_error(res, 500, "storage: %s", mt_errmsg(ctx));
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(id));
    json_object_set_new(o, "erased", json_string(ts));
    mt_node_respond(res, 200, o);
}

/* ---- consent ----------------------------------------------------------------------------- */

static void post_consent(mt_node *nd, mt_ctx *ctx, const mt_node_principal *who, const char *id,
                         const mt_http_request *req, mt_http_response *res)
{
    if (!may_touch(nd, who, res))
        return;
    json_error_t je;
    json_t *b = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &je);
    json_t *g = json_object_get(b, "granted");
    const char *purpose = mt_node_json_str(b, "purpose", "");
    if (!json_is_object(b) || json_object_size(b) != 2 || !json_is_boolean(g) ||
        !mt_node_valid_name(purpose, 64)) {
        json_decref(b);
        return mt_http_error(res, 400,
                             "the body must be {\"purpose\": NAME (1..64 of letters, digits, '_', "
                             "'-', '.'), \"granted\": true|false}");
    }
    char pur[65];
    snprintf(pur, sizeof pur, "%s", purpose);
    int granted = json_is_true(g);
    json_decref(b);
    int pg = mt_store_dialect_of(nd->store) == MT_DIALECT_POSTGRES;
    mt_store_conn *c;
    if (mt_store_acquire(nd->store, ctx, &c) != MT_OK)
        return mt_http_error(res, 503, "storage unavailable");
    twin t;
    memset(&t, 0, sizeof t);
    int code = 0;
    long long seq = 0;
    char ts[40];
    mt_node_now_iso(ts);
    mt_status st = mt_store_begin(c, ctx);
    if (st == MT_OK)
        st = mt_audit_lock(c, ctx, pg);
    if (st == MT_OK)
        code = load_twin(nd, c, ctx, who, id, &t, res);
    twin_clear(&t);
    if (st == MT_OK && !code) {
        json_t *rows = mt_node_query(
            c, ctx, "SELECT COALESCE(MAX(seq), 0) AS n FROM consents WHERE twin_id = ?", 1,
            (mt_value[]){mt_v_text(id)});
        st = rows ? MT_OK : MT_EIO;
        seq = (long long)json_integer_value(json_object_get(json_array_get(rows, 0), "n")) + 1;
        json_decref(rows);
    }
    if (st == MT_OK && !code)
        st = mt_store_exec(c, ctx,
                           "INSERT INTO consents(twin_id, seq, purpose, granted, time, token_id) "
                           "VALUES (?, ?, ?, ?, ?, ?)",
                           6,
                           (mt_value[]){mt_v_text(id), mt_v_int(seq), mt_v_text(pur),
                                        mt_v_int(granted), mt_v_text(ts), mt_v_text(who->id)},
                           NULL, NULL, NULL);
    if (st == MT_OK && !code)
        st = mt_audit_append(c, ctx, pg, nd->keys, who->id,
                             granted ? "consent.grant" : "consent.withdraw", id);
    st = mt_store_finish(c, ctx, code ? MT_EIO : st);
    mt_store_release(c);
    if (code)
        return;
    if (st != MT_OK)
        return mt_http_error(res, 500, "storage: %s", mt_errmsg(ctx));
    json_t *o = json_object();
    json_object_set_new(o, "twin", json_string(id));
    json_object_set_new(o, "seq", json_integer(seq));
    json_object_set_new(o, "purpose", json_string(pur));
    json_object_set_new(o, "granted", json_boolean(granted));
    json_object_set_new(o, "time", json_string(ts));
    json_object_set_new(o, "token", json_string(who->id));
    mt_node_respond(res, 201, o);
}

static void get_consent(mt_node *nd, mt_ctx *ctx, const mt_node_principal *who, const char *id,
                        mt_http_response *res)
{
    if (!may_touch(nd, who, res))
        return;
    int pg = mt_store_dialect_of(nd->store) == MT_DIALECT_POSTGRES;
    mt_store_conn *c;
    if (mt_store_acquire(nd->store, ctx, &c) != MT_OK)
        return mt_http_error(res, 503, "storage unavailable");
    twin t;
    if (load_twin(nd, c, ctx, who, id, &t, res)) {
        mt_store_release(c);
        return;
    }
    twin_clear(&t);
    json_t *rows = mt_node_query(c, ctx,
                                 "SELECT seq, purpose, granted, time, token_id AS token FROM "
                                 "consents WHERE twin_id = ? ORDER BY seq",
                                 1, (mt_value[]){mt_v_text(id)});
    mt_status st = rows ? mt_store_begin(c, ctx) : MT_EIO;
    if (st == MT_OK)
        st = mt_store_finish(c, ctx,
                             mt_audit_append(c, ctx, pg, nd->keys, who->id, "consent.read", id));
    mt_store_release(c);
    if (st != MT_OK) {
        json_decref(rows);
        return mt_http_error(res, 500, "storage: %s", mt_errmsg(ctx));
    }
    json_t *current = json_object(), *r;
    size_t i;
    json_array_foreach(rows, i, r)
    {
        int on = json_integer_value(json_object_get(r, "granted")) != 0;
        json_object_set_new(r, "granted", json_boolean(on));
        json_object_set_new(current, mt_node_json_str(r, "purpose", ""), json_boolean(on));
    }
    json_t *o = json_object();
    json_object_set_new(o, "twin", json_string(id));
    json_object_set_new(o, "items", rows);
    json_object_set_new(o, "current", current);
    mt_node_respond(res, 200, o);
}

int mt_node_twin_consented(mt_store_conn *c, mt_ctx *ctx, const char *twin_id, const char *purpose)
{
    json_t *rows = mt_node_query(c, ctx,
                                 "SELECT c.granted FROM consents c JOIN twin_keys k ON k.twin_id "
                                 "= c.twin_id WHERE c.twin_id = ? AND c.purpose = ? ORDER BY "
                                 "c.seq DESC LIMIT 1",
                                 2, (mt_value[]){mt_v_text(twin_id), mt_v_text(purpose)});
    if (!rows)
        return -1;
    json_t *r = json_array_get(rows, 0);
    int yes = r && json_integer_value(json_object_get(r, "granted")) == 1;
    json_decref(rows);
    return yes;
}

/* ---- GET /twins ------------------------------------------------------------------------- */

/* The twins of the caller's group (admins: of every group), newest first: pseudonyms, times,
 * version counts and whether erased. Nothing personal is read, so nothing is audited. */
static void list_twins(mt_node *nd, mt_ctx *ctx, const mt_node_principal *who,
                       const mt_http_request *req, mt_http_response *res)
{
    if (!may_touch(nd, who, res))
        return;
    long limit, offset;
    if (!mt_node_page_args(req, res, 500, &limit, &offset))
        return;
    mt_store_conn *c;
    if (mt_store_acquire(nd->store, ctx, &c) != MT_OK)
        return mt_http_error(res, 503, "storage unavailable");
    mt_value p[4] = {mt_v_int(!strcmp(who->role, "admin")), mt_v_text(who->group), mt_v_int(limit),
                     mt_v_int(offset)};
    json_t *rows = mt_node_query(c, ctx,
                                 "SELECT r.id, r.group_id, r.created, r.updated, r.metadata, "
                                 "(SELECT COUNT(*) FROM versions v WHERE v.resource_id = r.id) "
                                 "AS versions FROM resources r WHERE r.kind = 'twin' AND (? = 1 "
                                 "OR r.group_id = ?) ORDER BY r.created DESC, r.id LIMIT ? "
                                 "OFFSET ?",
                                 4, p);
    mt_store_release(c);
    if (!rows)
        return mt_http_error(res, 500, "storage: %s", mt_errmsg(ctx));
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        json_t *meta = json_loads(mt_node_json_str(row, "metadata", "{}"), 0, NULL);
        json_object_set_new(row, "erased", json_boolean(json_object_get(meta, "erased") != NULL));
        json_decref(meta);
        json_object_del(row, "metadata");
    }
    mt_node_respond_page(res, rows, limit, offset);
}

/* ---- routes ------------------------------------------------------------------------------ */

int mt_node_route_twins(mt_node *nd, mt_ctx *ctx, const mt_node_principal *who,
                        const mt_http_request *req, int n, char seg[4][80], mt_http_response *res)
{
    if (n < 1 || strcmp(seg[0], "twins"))
        return 0;
    const char *m = req->method;
    int get = !strcmp(m, "GET"), post = !strcmp(m, "POST"), del = !strcmp(m, "DELETE");
    if (n == 1 && post)
        post_twin(nd, ctx, who, req, res);
    else if (n == 1 && get)
        list_twins(nd, ctx, who, req, res);
    else if (n >= 2 && n <= 3 && !mt_node_valid_pseudonym(seg[1]))
        mt_http_error(res, 404, "no twin %s", seg[1]);
    else if (n == 2 && get)
        get_twin(nd, ctx, who, seg[1], req, res);
    else if (n == 2 && del)
        erase_twin(nd, ctx, who, seg[1], res);
    else if (n == 3 && !strcmp(seg[2], "consent") && post)
        post_consent(nd, ctx, who, seg[1], req, res);
    else if (n == 3 && !strcmp(seg[2], "consent") && get)
        get_consent(nd, ctx, who, seg[1], res);
    else
        return 0;
    return 1;
}
