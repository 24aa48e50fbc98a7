/* SPDX-License-Identifier: Apache-2.0
 *
 * node/node_cohorts.c — research cohorts of twins, gated by consent (docs/node.md, "Research
 * cohorts"). A twin enters a cohort only when its latest consent record for the cohort's
 * purpose grants it (mt_node_twin_consented); each entry is recorded in the audit log
 * ("cohort.include"). Membership is re-checked on every read: a twin whose consent was withdrawn
 * or who was erased since is shown as inactive with the reason, and mt_node_cohort_active — what
 * anything that runs on a cohort must use — leaves it out. Cohorts hold pseudonyms only.
 *
 *   POST /api/v1/cohorts       {"title", "purpose", "twins": [pseudonym, ...]} (clinician+)
 *   GET  /api/v1/cohorts       the caller's group's cohorts (admins: all)
 *   GET  /api/v1/cohorts/{id}  its members, each active or not (and why), re-checked now
 */
#include "node/audit.h"
#include "node/node_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_COHORT 1000

const mt_store_migration mt_node_migration_cohorts = {
    6,
    "CREATE TABLE cohorts(id TEXT PRIMARY KEY, group_id TEXT NOT NULL, owner TEXT NOT NULL, "
    "title TEXT NOT NULL, purpose TEXT NOT NULL, created TEXT NOT NULL);"
    "CREATE INDEX cohorts_group ON cohorts(group_id, created);"
    "CREATE TABLE cohort_members(cohort_id TEXT NOT NULL REFERENCES cohorts(id), twin_id TEXT NOT "
    "NULL REFERENCES resources(id), added TEXT NOT NULL, PRIMARY KEY(cohort_id, twin_id));",
    "CREATE TABLE cohorts(id TEXT PRIMARY KEY, group_id TEXT NOT NULL, owner TEXT NOT NULL, "
    "title TEXT NOT NULL, purpose TEXT NOT NULL, created TEXT NOT NULL);"
    "CREATE INDEX cohorts_group ON cohorts(group_id, created);"
    "CREATE TABLE cohort_members(cohort_id TEXT NOT NULL REFERENCES cohorts(id), twin_id TEXT NOT "
    "NULL REFERENCES resources(id), added TEXT NOT NULL, PRIMARY KEY(cohort_id, twin_id));"};

static int may_use(mt_node *nd, const mt_node_principal *who, mt_http_response *res)
{
    return mt_node_twin_access(nd, who, "cohorts", res);
}

/* Why twin (of the caller's group, or any for admins) may not be in a cohort for purpose now:
 * NULL when it may; "not found", "erased" or "no consent for PURPOSE". *err on storage errors. */
static const char *why_not(mt_store_conn *c, mt_ctx *ctx, const mt_node_principal *who,
                           const char *twin, const char *purpose, int *err)
{
    json_t *rows =
        mt_node_query(c, ctx,
                      "SELECT r.id, (SELECT COUNT(*) FROM twin_keys k WHERE k.twin_id "
                      "= r.id) AS has_key FROM resources r WHERE r.id = ? AND r.kind "
                      "= 'twin' AND (? = 1 OR r.group_id = ?)",
                      3,
                      (mt_value[]){mt_v_text(twin), mt_v_int(!strcmp(who->role, "admin")),
                                   mt_v_text(who->group)});
    if (!rows) {
        *err = 1;
        return NULL;
    }
    json_t *r = json_array_get(rows, 0);
    int found = r != NULL, keyed = r && json_integer_value(json_object_get(r, "has_key")) > 0;
    json_decref(rows);
    if (!found)
        return "not found";
    if (!keyed)
        return "erased";
    int ok = mt_node_twin_consented(c, ctx, twin, purpose);
    if (ok < 0) {
        *err = 1;
        return NULL;
    }
    return ok ? NULL : "no consent for this purpose (none, or withdrawn)";
}

static void post_cohort(mt_node *nd, mt_ctx *ctx, const mt_node_principal *who,
                        const mt_http_request *req, mt_http_response *res)
{
    if (!may_use(nd, who, res))
        return;
    json_error_t je;
    json_t *b = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &je);
    const char *title = mt_node_json_str(b, "title", NULL),
               *purpose = mt_node_json_str(b, "purpose", NULL);
    json_t *tw = json_object_get(b, "twins");
    int bad_twins = !json_is_array(tw) || json_array_size(tw) > MAX_COHORT;
    for (size_t i = 0; !bad_twins && i < json_array_size(tw); i++)
        bad_twins = !mt_node_valid_pseudonym(json_string_value(json_array_get(tw, i)));
    const char *why = !json_is_object(b) ? "the body must be a JSON object"
                      : !title || !*title || !mt_node_text_ok(title, 300)
                          ? "title: 1..300 characters"
                      : !purpose || !mt_node_valid_name(purpose, 64)
                          ? "purpose: 1..64 letters, digits, '_', '-', '.' (as in consent records)"
                      : bad_twins ? "twins: an array of at most 1000 twin ids (32 hex digits)"
                                  : NULL;
    if (why) {
        json_decref(b);
        return mt_http_error(res, 400, "%s", why);
    }
    int pg = mt_store_dialect_of(nd->store) == MT_DIALECT_POSTGRES;
    mt_store_conn *c;
    if (mt_store_acquire(nd->store, ctx, &c) != MT_OK) {
        json_decref(b);
        return mt_http_error(res, 503, "storage unavailable");
    }
    char id[37], ts[40];
    mt_node_uuid4(id);
    mt_node_now_iso(ts);
    json_t *inc = json_array(), *exc = json_array();
    int err = 0;
    mt_status st = mt_store_begin(c, ctx);
    if (st == MT_OK)
        st = mt_audit_lock(c, ctx, pg);
    if (st == MT_OK)
        st = mt_store_exec(c, ctx,
                           "INSERT INTO cohorts(id, group_id, owner, title, purpose, created) "
                           "VALUES (?, ?, ?, ?, ?, ?)",
                           6,
                           (mt_value[]){mt_v_text(id), mt_v_text(who->group), mt_v_text(who->id),
                                        mt_v_text(title), mt_v_text(purpose), mt_v_text(ts)},
                           NULL, NULL, NULL);
    for (size_t i = 0; st == MT_OK && i < json_array_size(tw); i++) {
        const char *twin = json_string_value(json_array_get(tw, i));
        int dup = 0;
        for (size_t j = 0; j < json_array_size(inc); j++)
            dup |= !strcmp(json_string_value(json_array_get(inc, j)), twin);
        if (dup)
            continue;
        const char *no = why_not(c, ctx, who, twin, purpose, &err);
        if (err) {
            st = MT_EIO;
        } else if (no) {
            json_t *e = json_object();
            json_object_set_new(e, "twin", json_string(twin));
            json_object_set_new(e, "reason", json_string(no));
            json_array_append_new(exc, e);
        } else {
            st = mt_store_exec(c, ctx,
                               "INSERT INTO cohort_members(cohort_id, twin_id, added) VALUES (?, "
                               "?, ?)",
                               3, (mt_value[]){mt_v_text(id), mt_v_text(twin), mt_v_text(ts)}, NULL,
                               NULL, NULL);
            if (st == MT_OK)
                st = mt_audit_append(c, ctx, pg, nd->keys, who->id, "cohort.include", twin);
            json_array_append_new(inc, json_string(twin));
        }
    }
    st = mt_store_finish(c, ctx, st);
    mt_store_release(c);
    json_decref(b);
    if (st != MT_OK) {
        json_decref(inc);
        json_decref(exc);
        return mt_http_error(res, 500, "storage: %s", mt_errmsg(ctx));
    }
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(id));
    json_object_set_new(o, "included", inc);
    json_object_set_new(o, "excluded", exc);
    mt_node_respond(res, 201, o);
}

static void list_cohorts(mt_node *nd, mt_ctx *ctx, const mt_node_principal *who,
                         const mt_http_request *req, mt_http_response *res)
{
    if (!may_use(nd, who, res))
        return;
    long limit, offset;
    if (!mt_node_page_args(req, res, 500, &limit, &offset))
        return;
    mt_store_conn *c;
    if (mt_store_acquire(nd->store, ctx, &c) != MT_OK)
        return mt_http_error(res, 503, "storage unavailable");
    json_t *rows = mt_node_query(
        c, ctx,
        "SELECT c.id, c.title, c.purpose, c.group_id, c.created, (SELECT COUNT(*) FROM "
        "cohort_members m WHERE m.cohort_id = c.id) AS members FROM cohorts c WHERE (? = 1 OR "
        "c.group_id = ?) ORDER BY c.created DESC, c.id LIMIT ? OFFSET ?",
        4,
        (mt_value[]){mt_v_int(!strcmp(who->role, "admin")), mt_v_text(who->group), mt_v_int(limit),
                     mt_v_int(offset)});
    mt_store_release(c);
    if (!rows)
        return mt_http_error(res, 500, "storage: %s", mt_errmsg(ctx));
    mt_node_respond_page(res, rows, limit, offset);
}

json_t *mt_node_cohort_members(mt_store_conn *c, mt_ctx *ctx, const mt_node_principal *who,
                               const char *cohort_id, json_t **cohort, int *err)
{
    *err = 0;
    *cohort = NULL;
    json_t *rows =
        mt_node_query(c, ctx,
                      "SELECT id, title, purpose, group_id, owner, created FROM "
                      "cohorts WHERE id = ? AND (? = 1 OR group_id = ?)",
                      3,
                      (mt_value[]){mt_v_text(cohort_id), mt_v_int(!strcmp(who->role, "admin")),
                                   mt_v_text(who->group)});
    if (!rows) {
        *err = 1;
        return NULL;
    }
    json_t *co = json_incref(json_array_get(rows, 0));
    json_decref(rows);
    if (!co)
        return NULL;
    json_t *ms = mt_node_query(c, ctx,
                               "SELECT twin_id AS twin, added FROM cohort_members WHERE "
                               "cohort_id = ? ORDER BY added, twin_id",
                               1, (mt_value[]){mt_v_text(cohort_id)});
    if (!ms) {
        json_decref(co);
        *err = 1;
        return NULL;
    }
    mt_node_principal owner_group = *who;
    snprintf(owner_group.group, sizeof owner_group.group, "%s",
             mt_node_json_str(co, "group_id", ""));
    size_t i;
    json_t *m;
    json_array_foreach(ms, i, m)
    {
        const char *no = why_not(c, ctx, &owner_group, mt_node_json_str(m, "twin", ""),
                                 mt_node_json_str(co, "purpose", ""), err);
        if (*err)
            break;
        json_object_set_new(m, "active", json_boolean(no == NULL));
        if (no)
            json_object_set_new(m, "reason", json_string(no));
    }
    if (*err) {
        json_decref(co);
        json_decref(ms);
        return NULL;
    }
    *cohort = co;
    return ms;
}

static void get_cohort(mt_node *nd, mt_ctx *ctx, const mt_node_principal *who, const char *id,
                       mt_http_response *res)
{
    if (!may_use(nd, who, res))
        return;
    if (!mt_node_valid_uuid(id))
        return mt_http_error(res, 404, "no cohort %s", id);
    mt_store_conn *c;
    if (mt_store_acquire(nd->store, ctx, &c) != MT_OK)
        return mt_http_error(res, 503, "storage unavailable");
    json_t *co = NULL;
    int err = 0;
    json_t *ms = mt_node_cohort_members(c, ctx, who, id, &co, &err);
    mt_store_release(c);
    if (err)
        return mt_http_error(res, 500, "storage: %s", mt_errmsg(ctx));
    if (!co)
        return mt_http_error(res, 404, "no cohort %s", id);
    size_t i, active = 0;
    json_t *m;
    json_array_foreach(ms, i, m) active += json_is_true(json_object_get(m, "active"));
    json_object_set_new(co, "members", ms);
    json_object_set_new(co, "active", json_integer((json_int_t)active));
    mt_node_respond(res, 200, co);
}

int mt_node_route_cohorts(mt_node *nd, mt_ctx *ctx, const mt_node_principal *who,
                          const mt_http_request *req, int n, char seg[4][80], mt_http_response *res)
{
    if (n < 1 || strcmp(seg[0], "cohorts"))
        return 0;
    int get = !strcmp(req->method, "GET"), post = !strcmp(req->method, "POST");
    if (n == 1 && post)
        post_cohort(nd, ctx, who, req, res);
    else if (n == 1 && get)
        list_cohorts(nd, ctx, who, req, res);
    else if (n == 2 && get)
        get_cohort(nd, ctx, who, seg[1], res);
    else
        return 0;
    return 1;
}
