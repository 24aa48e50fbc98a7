/* SPDX-License-Identifier: Apache-2.0
 *
 * node/node_omex.c — COMBINE/OMEX archives behind the node's API (docs/operations.md "OMEX",
 * docs/openapi.json), and migration 5 (the operations' table node_secrets: node/privacy.h):
 *   GET  /models/{id}/omex[?version=SHA256]   the model as a COMBINE archive (application/zip):
 *        manifest.xml, model.xml (the SBML of that version, the latest by default) and
 *        metadata.rdf (Dublin Core: title, description, creators, dates, identifier)
 *   POST /omex[?title=T&visibility=V]        an archive (Content-Type application/zip or
 *        application/omex) whose master SBML (or only SBML) becomes a new model: modeller or
 *        above, public needs curator; the title from ?title, else the archive's metadata, else
 *        the SBML file's name.
 * The archive is read from memory with the guards of node/omex.h: 400 for a hostile or malformed
 * archive, 413 over a limit, 415 another Content-Type, 422 an SBML medtwin cannot read; nothing
 * is stored unless every check passed.
 */
#include "node/node_internal.h"
#include "node/omex.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const mt_store_migration mt_node_migration_ops = {
    5,
    /* node secrets wrapped with the node key's wrap key: the pseudonym key, so that pseudonyms
     * survive a rotation of the node key (node/privacy.h mt_privacy_keys_bind) */
    "CREATE TABLE node_secrets(name TEXT PRIMARY KEY, wrapped BLOB NOT NULL, created TEXT NOT "
    "NULL, updated TEXT NOT NULL)",
    "CREATE TABLE node_secrets(name TEXT PRIMARY KEY, wrapped BYTEA NOT NULL, created TEXT NOT "
    "NULL, updated TEXT NOT NULL)"};

#define MAX_CREATORS 32

static void get_omex(mt_node *nd, mt_ctx *ctx, const mt_node_principal *who, const char *id,
                     const mt_http_request *req, mt_http_response *res)
{
    const char *ver = mt_http_query(req, "version");
    if (ver && !mt_node_valid_sha(ver))
        return mt_http_error(res, 400, "version: a version's sha256 (64 lower-case hex digits)");
    mt_store_conn *c;
    if (mt_store_acquire(nd->store, ctx, &c) != MT_OK)
        return mt_http_error(res, 503, "storage unavailable");
    int err;
    json_t *r = mt_node_get_resource(c, ctx, who, id, &err);
    mt_node_blob b = {0};
    mt_status st = r ? mt_node_version_content(c, ctx, id, ver, &b) : MT_OK;
    json_t *vrow = NULL;
    char sha[65] = "";
    if (st == MT_OK && b.data) {
        mt_node_sha256_hex(b.data, b.n, sha);
        vrow = mt_node_query(c, ctx,
                             "SELECT seq, created FROM versions WHERE resource_id = ? AND "
                             "sha256 = ?",
                             2, (mt_value[]){mt_v_text(id), mt_v_text(sha)});
        if (!vrow)
            st = MT_EIO;
    }
    mt_store_release(c);
    if (err || st != MT_OK) {
        json_decref(r);
        free(b.data);
        return mt_http_error(res, 500, "storage: %s", mt_errmsg(ctx));
    }
    if (!r || strcmp(mt_node_json_str(r, "kind", ""), "model") || !b.data) {
        json_decref(r);
        free(b.data);
        json_decref(vrow);
        return mt_http_error(res, 404, "no model %s%s%s", id, ver ? " version " : "",
                             ver ? ver : "");
    }
    /* creators: the model's metadata ("creators": names or {"name": ...}), else its group */
    const char *creators[MAX_CREATORS];
    size_t nc = 0;
    json_error_t je;
    json_t *meta = json_loads(mt_node_json_str(r, "metadata", "{}"), 0, &je);
    json_t *cr = json_object_get(meta, "creators");
    for (size_t i = 0; i < json_array_size(cr) && nc < MAX_CREATORS; i++) {
        json_t *x = json_array_get(cr, i);
        const char *s =
            json_is_string(x) ? json_string_value(x) : mt_node_json_str(x, "name", NULL);
        if (s && *s)
            creators[nc++] = s;
    }
    char group[80];
    snprintf(group, sizeof group, "group %s", mt_node_json_str(r, "group_id", ""));
    if (!nc)
        creators[nc++] = group;
    char ident[160], fmt[96];
    json_t *v0 = json_array_get(vrow, 0);
    snprintf(ident, sizeof ident, "medtwin:model/%s/version/%lld (sha256 %s)", id,
             (long long)json_integer_value(json_object_get(v0, "seq")), sha);
    mt_omex_sbml_format(b.data, b.n, fmt);
    mt_omex_file f = {"model.xml", b.data, b.n, fmt, 1};
    mt_omex_export x = {.title = mt_node_json_str(r, "title", ""),
                        .description = mt_node_json_str(r, "description", NULL),
                        .identifier = ident,
                        .created = mt_node_json_str(r, "created", NULL),
                        .modified = mt_node_json_str(v0, "created", NULL),
                        .creators = creators,
                        .n_creators = nc,
                        .files = &f,
                        .n_files = 1};
    unsigned char *zip = NULL;
    size_t zn = 0;
    st = mt_omex_write(ctx, &x, &zip, &zn);
    json_decref(meta);
    json_decref(vrow);
    json_decref(r);
    free(b.data);
    if (st != MT_OK)
        return mt_http_error(res, 500, "%s", mt_errmsg(ctx));
    res->status = 200;
    res->content_type = "application/zip";
    res->body = (char *)zip;
    res->body_len = zn;
}

static int archive_type(const char *ct)
{
    if (!ct)
        return 0;
    size_t n = strcspn(ct, "; \t");
    return (n == 15 && !strncasecmp(ct, "application/zip", 15)) ||
           (n == 16 && !strncasecmp(ct, "application/omex", 16));
}

/* The base name of an entry without its extension, as a title. */
static void title_of_name(const char *name, char *out, size_t n)
{
    const char *base = strrchr(name, '/');
    base = base ? base + 1 : name;
    size_t len = strlen(base);
    const char *dot = strrchr(base, '.');
    if (dot && dot != base)
        len = (size_t)(dot - base);
    if (len >= n)
        len = n - 1;
    while (len > 0 && ((unsigned char)base[len] & 0xc0) == 0x80)
        len--; /* cut on a UTF-8 boundary */
    memcpy(out, base, len);
    out[len] = 0;
}

static void post_omex(mt_node *nd, mt_ctx *ctx, const mt_node_principal *who,
                      const mt_http_request *req, mt_http_response *res)
{
    if (mt_node_role_rank(who->role) < mt_node_role_rank("modeller"))
        return mt_http_error(res, 403,
                             "importing an archive needs the modeller, curator or admin role");
    if (!archive_type(mt_http_header(req, "Content-Type")))
        return mt_http_error(res, 415,
                             "the body must be a COMBINE/OMEX archive with Content-Type "
                             "application/zip or application/omex");
    const char *qt = mt_http_query(req, "title"), *vis = mt_http_query(req, "visibility");
    if (!vis)
        vis = "private";
    json_t *utf8 = qt ? json_string(qt) : NULL; /* NULL: not UTF-8 */
    json_decref(utf8);
    if (qt && (!*qt || !utf8 || !mt_node_text_ok(qt, 300)))
        return mt_http_error(res, 400, "title: 1..300 characters of UTF-8 text");
    if (strcmp(vis, "private") && strcmp(vis, "group") && strcmp(vis, "public"))
        return mt_http_error(res, 400, "visibility: private, group or public");
    if (!strcmp(vis, "public") && mt_node_role_rank(who->role) < mt_node_role_rank("curator"))
        return mt_http_error(res, 403,
                             "publishing needs the curator or admin role; import as private "
                             "or group");
    mt_omex *o = NULL;
    mt_status st = mt_omex_read(ctx, req->body, req->body_len, NULL, &o);
    if (st == MT_ELIMIT)
        return mt_http_error(res, 413, "archive: %s", mt_errmsg(ctx));
    if (st == MT_ENOMEM)
        return mt_http_error(res, 500, "out of memory");
    if (st != MT_OK)
        return mt_http_error(res, 400, "archive: %s", mt_errmsg(ctx));
    const mt_omex_entry *m = &o->entries[o->master];
    if (!mt_node_check_sbml(ctx, (const char *)m->data, m->n)) {
        mt_http_error(res, 422, "archive: %s is not a model medtwin can read: %s", m->name,
                      mt_errmsg(ctx));
        mt_omex_free(o);
        return;
    }
    char title[301];
    if (qt)
        snprintf(title, sizeof title, "%s", qt);
    else if (o->title)
        snprintf(title, sizeof title, "%s", o->title);
    else
        title_of_name(m->name, title, sizeof title);
    if (!title[0])
        snprintf(title, sizeof title, "imported model");
    json_t *meta = json_object(), *files = json_array();
    for (size_t i = 0; i < o->n_entries; i++)
        if (o->entries[i].data)
            json_array_append_new(files, json_string(o->entries[i].name));
    json_t *src = json_object();
    json_object_set_new(src, "master", json_string(m->name));
    json_object_set_new(src, "files", files);
    json_object_set_new(src, "manifest", json_boolean(o->has_manifest));
    json_object_set_new(meta, "omex", src);
    char *meta_text = json_dumps(meta, JSON_COMPACT);
    json_decref(meta);
    mt_node_resource_spec r = {.kind = "model",
                               .title = title,
                               .description = o->description,
                               .keywords = "omex",
                               .visibility = vis,
                               .metadata = meta_text,
                               .content = (const char *)m->data,
                               .content_len = m->n,
                               .media_type = "application/sbml+xml"};
    char id[37], sha[65];
    st = meta_text ? mt_node_create_resource(nd, ctx, who, &r, id, sha)
                   : mt_error(ctx, MT_ENOMEM, "out of memory");
    free(meta_text);
    if (st != MT_OK) {
        mt_omex_free(o);
        return mt_http_error(res, 500, "storage: %s", mt_errmsg(ctx));
    }
    json_t *out = json_object();
    json_object_set_new(out, "id", json_string(id));
    json_object_set_new(out, "version", json_integer(1));
    json_object_set_new(out, "sha256", json_string(sha));
    json_object_set_new(out, "title", json_string(title));
    json_object_set_new(out, "master", json_string(m->name));
    mt_omex_free(o);
    mt_node_respond(res, 201, out);
}

int mt_node_route_omex(mt_node *nd, mt_ctx *ctx, const mt_node_principal *who,
                       const mt_http_request *req, int n, char seg[4][80], mt_http_response *res)
{
    int get = !strcmp(req->method, "GET"), post = !strcmp(req->method, "POST");
    if (n == 1 && !strcmp(seg[0], "omex") && post)
        post_omex(nd, ctx, who, req, res);
    else if (n == 3 && !strcmp(seg[0], "models") && !strcmp(seg[2], "omex") && get)
        get_omex(nd, ctx, who, seg[1], req, res);
    else
        return 0;
    return 1;
}
