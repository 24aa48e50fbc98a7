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
#include "node/node_resources.h"
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
#define MAX_LINKED 64
#define MAX_LINKED_BYTES ((size_t)24 << 20)

/* Methods (SED-ML) and datasets linked to the model, latest versions, for the archive. */
typedef struct {
    char id[40], kind[16];
    char *data;
    size_t n;
} linked;

typedef struct {
    linked v[MAX_LINKED];
    size_t n, bytes;
    int oom;
} linked_list;

static int linked_row(void *arg, size_t n, const mt_value *c, const char *const *names)
{
    (void)names;
    linked_list *l = arg;
    if (n < 3 || c[0].type != MT_VALUE_TEXT || c[1].type != MT_VALUE_TEXT ||
        (c[2].type != MT_VALUE_BLOB && c[2].type != MT_VALUE_TEXT))
        return 0;
    for (size_t i = 0; i < l->n; i++) /* one resource linked twice (reference and observed) */
        if (strlen(l->v[i].id) == c[0].n && !memcmp(l->v[i].id, c[0].s, c[0].n))
            return 0;
    if (l->n == MAX_LINKED || l->bytes + c[2].n > MAX_LINKED_BYTES)
        return 1;
    linked *k = &l->v[l->n];
    snprintf(k->id, sizeof k->id, "%.*s", (int)c[0].n, c[0].s);
    snprintf(k->kind, sizeof k->kind, "%.*s", (int)c[1].n, c[1].s);
    if (!(k->data = malloc(c[2].n ? c[2].n : 1))) {
        l->oom = 1;
        return 1;
    }
    memcpy(k->data, c[2].s, c[2].n);
    k->n = c[2].n;
    l->bytes += c[2].n;
    l->n++;
    return 0;
}

static void linked_free(linked_list *l)
{
    for (size_t i = 0; l && i < l->n; i++)
        free(l->v[i].data);
    free(l);
}

static mt_status linked_resources(mt_store_conn *c, mt_ctx *ctx, const mt_node_principal *who,
                                  const char *model, linked_list *l)
{
    mt_value p[5] = {mt_v_text(model)};
    mt_node_res_visible_params(who, p + 1);
    mt_status st = mt_store_exec(
        c, ctx,
        "SELECT r.id, r.kind, v.content FROM links l JOIN resources r ON r.id = l.from_id JOIN "
        "versions v ON v.resource_id = r.id WHERE l.to_id = ? AND ((r.kind = 'method' AND "
        "l.relation = 'uses') OR (r.kind = 'dataset' AND l.relation IN ('reference', "
        "'observed'))) AND v.seq = (SELECT MAX(seq) FROM versions WHERE resource_id = r.id) "
        "AND " MT_NODE_VISIBLE("r") " ORDER BY r.kind, r.id",
        5, p, linked_row, l, NULL);
    if (st == MT_OK && l->oom)
        st = mt_error(ctx, MT_ENOMEM, "out of memory");
    return st;
}

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
    mt_node_blob b;
    json_t *r = mt_node_get_version(c, ctx, who, id, ver, &b, &err);
    mt_status st = MT_OK;
    json_t *vrow = NULL;
    linked_list *ll = calloc(1, sizeof *ll);
    char sha[65] = "";
    if (!ll)
        st = mt_error(ctx, MT_ENOMEM, "out of memory");
    if (!err && st == MT_OK && b.data) {
        mt_node_sha256_hex(b.data, b.n, sha);
        vrow = mt_node_query(c, ctx,
                             "SELECT seq, created FROM versions WHERE resource_id = ? AND "
                             "sha256 = ?",
                             2, (mt_value[]){mt_v_text(id), mt_v_text(sha)});
        if (!vrow)
            st = MT_EIO;
        if (st == MT_OK && !strcmp(mt_node_json_str(r, "kind", ""), "model"))
            st = linked_resources(c, ctx, who, id, ll);
    }
    mt_store_release(c);
    if (err || st != MT_OK || !r || strcmp(mt_node_json_str(r, "kind", ""), "model") || !b.data) {
        if (err || st != MT_OK)
            mt_http_error(res, 500, "storage: %s", mt_errmsg(ctx));
        else
            mt_http_error(res, 404, "no model %s%s%s", id, ver ? " version " : "", ver ? ver : "");
        json_decref(r);
        free(b.data);
        json_decref(vrow);
        linked_free(ll);
        return;
    }
    /* creators: the model's metadata ("creators": names or {"name": ...}); its group publishes */
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
    char publisher[120];
    snprintf(publisher, sizeof publisher, "medtwin node, group %s",
             mt_node_json_str(r, "group_id", ""));
    char ident[160], fmt[96];
    json_t *v0 = json_array_get(vrow, 0);
    snprintf(ident, sizeof ident, "medtwin:model/%s/version/%lld (sha256 %s)", id,
             (long long)json_integer_value(json_object_get(v0, "seq")), sha);
    mt_omex_sbml_format(b.data, b.n, fmt);
    mt_omex_file f[1 + MAX_LINKED] = {{"model.xml", b.data, b.n, fmt, 1}};
    char names[MAX_LINKED][64];
    for (size_t i = 0; i < ll->n; i++) {
        int method = !strcmp(ll->v[i].kind, "method");
        snprintf(names[i], sizeof names[i], "%s/%s.%s", method ? "methods" : "datasets",
                 ll->v[i].id, method ? "sedml" : "csv");
        f[1 + i] = (mt_omex_file){
            names[i], ll->v[i].data, ll->v[i].n,
            method ? MT_OMEX_FORMAT_SEDML : "http://purl.org/NET/mediatypes/text/csv", 0};
    }
    mt_omex_export x = {.title = mt_node_json_str(r, "title", ""),
                        .description = mt_node_json_str(r, "description", NULL),
                        .identifier = ident,
                        .publisher = publisher,
                        .created = mt_node_json_str(r, "created", NULL),
                        .modified = mt_node_json_str(v0, "created", NULL),
                        .creators = creators,
                        .n_creators = nc,
                        .files = f,
                        .n_files = 1 + ll->n};
    unsigned char *zip = NULL;
    size_t zn = 0;
    st = mt_omex_write(ctx, &x, &zip, &zn);
    json_decref(meta);
    json_decref(vrow);
    json_decref(r);
    free(b.data);
    linked_free(ll);
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
    if (o->n_creators) { /* as the common metadata of POST /models has them: names */
        json_t *cr = json_array();
        for (size_t i = 0; i < o->n_creators; i++)
            json_array_append_new(cr, json_string(o->creators[i]));
        json_object_set_new(meta, "creators", cr);
    }
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
