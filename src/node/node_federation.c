/* SPDX-License-Identifier: Apache-2.0
 *
 * node/node_federation.c — what a node gives other nodes of the federation to come (issue #7:
 * "design for it: global ids, content hashes, signed exports"), docs/node.md "Federation":
 *   GET /api/v1/node    the node's identity: its Ed25519 public key (derived from the node key,
 *                       the one that signs the audit head) and a short key id;
 *   GET /api/v1/export  its public resources (never twins) as a signed export: metadata and
 *                       every version's SHA-256, paged by (updated, id).
 * The export's payload is a JSON text carried as a string, so that the signed bytes are exactly
 * the bytes received: signature = Ed25519("medtwin-export-v1\0" || payload bytes). A peer
 * checks the signature with the key it pinned for that node, then fetches the versions' content
 * it wants and checks each against its signed SHA-256: integrity from the signer to the bytes.
 * mt_node_export_verify (medtwin/node.h, `medtwin export verify`) is that check.
 */
#include "medtwin/node.h"
#include "node/node_internal.h"
#include "node/privacy.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXPORT_FORMAT "medtwin-export-v1"
#define MAX_EXPORT 500
#define MAX_EXPORT_TEXT ((size_t)64 << 20)

/* The key id: the first 8 bytes of BLAKE2b-256(public key), hex. */
static void key_id_of(const unsigned char pk[crypto_sign_PUBLICKEYBYTES], char out[17])
{
    unsigned char h[32];
    crypto_generichash(h, sizeof h, pk, crypto_sign_PUBLICKEYBYTES, NULL, 0);
    mt_node_hex(h, 8, out);
}

static int hex_decode(const char *s, unsigned char *out, size_t n)
{
    size_t len = 0;
    return s && strlen(s) == 2 * n && sodium_hex2bin(out, n, s, 2 * n, NULL, &len, NULL) == 0 &&
           len == n;
}

/* The signed bytes: "medtwin-export-v1\0" || payload. OUT: malloc'd. */
static unsigned char *signed_message(const char *payload, size_t n, size_t *out_n)
{
    size_t head = sizeof EXPORT_FORMAT; /* with its NUL */
    unsigned char *m = malloc(head + n);
    if (!m)
        return NULL;
    memcpy(m, EXPORT_FORMAT, head);
    memcpy(m + head, payload, n);
    *out_n = head + n;
    return m;
}

static void get_node(mt_node *nd, mt_http_response *res)
{
    if (!nd->keys)
        return mt_http_error(res, 503, "this node runs without its key: it has no identity");
    char pk[2 * crypto_sign_PUBLICKEYBYTES + 1], kid[17];
    mt_node_hex(nd->keys->sign_pk, crypto_sign_PUBLICKEYBYTES, pk);
    key_id_of(nd->keys->sign_pk, kid);
    json_t *o = json_object();
    json_object_set_new(o, "public_key", json_string(pk));
    json_object_set_new(o, "key_id", json_string(kid));
    json_object_set_new(o, "algorithm", json_string("Ed25519"));
    json_object_set_new(o, "export_format", json_string(EXPORT_FORMAT));
    json_object_set_new(o, "version", json_string(mt_version()));
    mt_node_respond(res, 200, o);
}

/* since: an ISO time as the node writes them (2026-11-22T10:00:00.000Z) or a prefix of one. */
static int valid_since(const char *s)
{
    static const char shape[] = "dddd-dd-ddTdd:dd:dd.dddZ";
    size_t n = strlen(s);
    if (n < 4 || n > sizeof shape - 1)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (shape[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != shape[i])
            return 0;
    return 1;
}

static void get_export(mt_node *nd, mt_ctx *ctx, const mt_http_request *req, mt_http_response *res)
{
    if (!nd->keys)
        return mt_http_error(res, 503, "this node runs without its key: it cannot sign");
    int bad = 0;
    long limit = mt_node_query_long(req, "limit", 100, 1, MAX_EXPORT, &bad);
    if (bad)
        return mt_http_error(res, 400, "limit must be 1..%d", MAX_EXPORT);
    const char *since = mt_http_query(req, "since");
    const char *after = mt_http_query(req, "after");
    if (since && !valid_since(since))
        return mt_http_error(res, 400,
                             "since: a time as the node writes them, e.g. 2026-11-22T10:00:00.000Z "
                             "(or a prefix of one)");
    if (after && !mt_node_valid_uuid(after))
        return mt_http_error(res, 400, "after: a resource id (the last one of the previous page)");
    if (after && !since)
        return mt_http_error(res, 400, "after needs since (the updated time of that resource)");
    mt_store_conn *c;
    if (mt_store_acquire(nd->store, ctx, &c) != MT_OK)
        return mt_http_error(res, 503, "storage unavailable");
    mt_value p[4] = {mt_v_text(since ? since : ""), mt_v_text(since ? since : ""),
                     mt_v_text(after ? after : ""), mt_v_int(limit)};
    json_t *rows = mt_node_query(c, ctx,
                                 "SELECT id, kind, title, description, keywords, metadata, "
                                 "curation, created, updated FROM resources WHERE visibility = "
                                 "'public' AND kind <> 'twin' AND (updated > ? OR (updated = ? "
                                 "AND id > ?)) ORDER BY updated, id LIMIT ?",
                                 4, p);
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r)
    {
        json_t *meta = json_loads(mt_node_json_str(r, "metadata", "{}"), 0, NULL);
        json_object_set_new(r, "metadata", meta ? meta : json_object());
        json_t *v = mt_node_query(c, ctx,
                                  "SELECT seq AS version, sha256, media_type, size, created, "
                                  "derived_from FROM versions WHERE resource_id = ? ORDER BY seq",
                                  1, (mt_value[]){mt_v_text(mt_node_json_str(r, "id", ""))});
        if (!v) {
            json_decref(rows);
            rows = NULL;
            break;
        }
        json_object_set_new(r, "versions", v);
    }
    mt_store_release(c);
    if (!rows)
        return mt_http_error(res, 500, "storage: %s", mt_errmsg(ctx));
    char pk[2 * crypto_sign_PUBLICKEYBYTES + 1], kid[17], ts[40];
    mt_node_hex(nd->keys->sign_pk, crypto_sign_PUBLICKEYBYTES, pk);
    key_id_of(nd->keys->sign_pk, kid);
    mt_node_now_iso(ts);
    size_t n_rows = json_array_size(rows);
    json_t *last = json_array_get(rows, n_rows ? n_rows - 1 : 0);
    json_t *payload = json_object();
    json_object_set_new(payload, "format", json_string(EXPORT_FORMAT));
    json_object_set_new(payload, "key_id", json_string(kid));
    json_object_set_new(payload, "created", json_string(ts));
    json_object_set_new(payload, "since", since ? json_string(since) : json_null());
    json_object_set_new(payload, "resources", rows);
    json_t *next = json_null();
    if (n_rows == (size_t)limit && last) {
        next = json_object();
        json_object_set_new(next, "since", json_string(mt_node_json_str(last, "updated", "")));
        json_object_set_new(next, "after", json_string(mt_node_json_str(last, "id", "")));
    }
    json_object_set_new(payload, "next", next);
    char *text = json_dumps(payload, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(payload);
    size_t mn = 0;
    unsigned char *msg = text ? signed_message(text, strlen(text), &mn) : NULL;
    if (!msg) {
        free(text);
        return mt_http_error(res, 500, "out of memory");
    }
    unsigned char sig[crypto_sign_BYTES];
    crypto_sign_detached(sig, NULL, msg, mn, nd->keys->sign_sk);
    free(msg);
    char sh[2 * crypto_sign_BYTES + 1];
    mt_node_hex(sig, sizeof sig, sh);
    json_t *o = json_object();
    json_object_set_new(o, "format", json_string(EXPORT_FORMAT));
    json_object_set_new(o, "public_key", json_string(pk));
    json_object_set_new(o, "payload", json_string(text));
    json_object_set_new(o, "signature", json_string(sh));
    free(text);
    mt_node_respond(res, 200, o);
}

int mt_node_route_federation(mt_node *nd, mt_ctx *ctx, const mt_node_principal *who,
                             const mt_http_request *req, int n, char seg[4][80],
                             mt_http_response *res)
{
    (void)who; /* any role: both answer only what every token may see */
    if (n != 1 || strcmp(req->method, "GET"))
        return 0;
    if (!strcmp(seg[0], "node"))
        get_node(nd, res);
    else if (!strcmp(seg[0], "export"))
        get_export(nd, ctx, req, res);
    else
        return 0;
    return 1;
}

mt_status mt_node_export_verify(mt_ctx *ctx, const char *text, size_t len,
                                const char *public_key_hex, mt_node_export_info *info)
{
    memset(info, 0, sizeof *info);
    if (len > MAX_EXPORT_TEXT)
        return mt_error(ctx, MT_ELIMIT, "export: larger than %zu bytes", MAX_EXPORT_TEXT);
    json_error_t je;
    json_t *o = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    mt_status st = MT_OK;
    const char *fmt = mt_node_json_str(o, "format", NULL),
               *pk_hex = mt_node_json_str(o, "public_key", NULL),
               *sig_hex = mt_node_json_str(o, "signature", NULL);
    json_t *pl = json_object_get(o, "payload");
    unsigned char pk[crypto_sign_PUBLICKEYBYTES], sig[crypto_sign_BYTES],
        pin[crypto_sign_PUBLICKEYBYTES];
    if (!json_is_object(o))
        st = mt_error(ctx, MT_EPARSE, "export: not a JSON object (line %d: %s)", je.line, je.text);
    else if (!fmt || strcmp(fmt, EXPORT_FORMAT))
        st = mt_error(ctx, MT_EPARSE, "export: format must be \"%s\"", EXPORT_FORMAT);
    else if (!hex_decode(pk_hex, pk, sizeof pk))
        st = mt_error(ctx, MT_EPARSE, "export: public_key must be %d hex digits",
                      2 * crypto_sign_PUBLICKEYBYTES);
    else if (!hex_decode(sig_hex, sig, sizeof sig))
        st = mt_error(ctx, MT_EPARSE, "export: signature must be %d hex digits",
                      2 * crypto_sign_BYTES);
    else if (!json_is_string(pl))
        st = mt_error(ctx, MT_EPARSE, "export: payload must be a string (the signed JSON text)");
    else if (public_key_hex && !hex_decode(public_key_hex, pin, sizeof pin))
        st = mt_error(ctx, MT_EINVAL, "the pinned public key must be %d hex digits",
                      2 * crypto_sign_PUBLICKEYBYTES);
    else if (public_key_hex && sodium_memcmp(pin, pk, sizeof pk) != 0)
        st = mt_error(ctx, MT_EINVAL,
                      "export: signed by another key than the one pinned for this node");
    size_t mn = 0;
    unsigned char *msg = NULL;
    if (st == MT_OK && !(msg = signed_message(json_string_value(pl), json_string_length(pl), &mn)))
        st = mt_error(ctx, MT_ENOMEM, "out of memory");
    if (st == MT_OK && crypto_sign_verify_detached(sig, msg, mn, pk) != 0)
        st = mt_error(ctx, MT_EINVAL,
                      "export: the signature does not verify: the payload was "
                      "changed or another key signed it");
    free(msg);
    json_t *p = st == MT_OK ? json_loadb(json_string_value(pl), json_string_length(pl),
                                         JSON_REJECT_DUPLICATES, &je)
                            : NULL;
    json_t *rs = json_object_get(p, "resources");
    if (st == MT_OK && (!json_is_object(p) || !json_is_array(rs)))
        st = mt_error(ctx, MT_EPARSE, "export: the payload has no resources array");
    size_t i;
    json_t *r;
    json_array_foreach(rs, i, r)
    {
        if (st != MT_OK)
            break;
        const char *id = mt_node_json_str(r, "id", "");
        json_t *vs = json_object_get(r, "versions");
        if (!mt_node_valid_uuid(id) || !json_is_array(vs)) {
            st = mt_error(ctx, MT_EPARSE, "export: resource %zu: no id or no versions", i);
            break;
        }
        size_t j;
        json_t *v;
        json_array_foreach(vs, j, v)
        {
            if (!mt_node_valid_sha(mt_node_json_str(v, "sha256", ""))) {
                st = mt_error(ctx, MT_EPARSE, "export: resource %s: version %zu has no sha256", id,
                              j);
                break;
            }
            info->n_versions++;
        }
        info->n_resources++;
    }
    if (st == MT_OK)
        key_id_of(pk, info->key_id);
    json_decref(p);
    json_decref(o);
    return st;
}
