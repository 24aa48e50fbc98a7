/* SPDX-License-Identifier: Apache-2.0
 *
 * node/node_demo.c — `medtwin serve --demo`: the demo twins of data/demo/twins (fictional
 * patients, data/demo/README.md) as the group "demo", and a clinician token of that group.
 *
 * The twins go through the same code as POST /api/v1/twins (mt_node_route_twins with a request
 * made inside the node): validated by the profile parser, encrypted under their own data keys,
 * pseudonymised, and recorded in the audit log as written by the token id "node".
 */
#define _POSIX_C_SOURCE 200809L
#include "node/node_internal.h"
#include "util/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEMO_GROUP "demo"
#define MAX_DEMO_TWINS 64
#define MAX_PROFILE_BYTES ((size_t)1 << 20)

/* How many rows sql (one text parameter) counts; -1 on a storage error. */
static long long count_of(mt_node *nd, mt_ctx *ctx, const char *sql, const char *arg)
{
    mt_store_conn *c;
    if (mt_store_acquire(nd->store, ctx, &c) != MT_OK)
        return -1;
    json_t *rows = mt_node_query(c, ctx, sql, 1, (mt_value[]){mt_v_text(arg)});
    mt_store_release(c);
    long long n =
        rows ? (long long)json_integer_value(json_object_get(json_array_get(rows, 0), "n")) : -1;
    json_decref(rows);
    return n;
}

/* One profile file posted as the demo group's twin. */
static mt_status post_profile(mt_node *nd, mt_ctx *ctx, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return mt_error(ctx, MT_EIO, "demo twin %s: %s", path, strerror(errno));
    char *text = NULL;
    size_t len = 0;
    mt_status st = mt_read_file(ctx, f, path, MAX_PROFILE_BYTES, &text, &len);
    fclose(f);
    if (st != MT_OK)
        return st;
    mt_node_principal node = {"node", "clinician", DEMO_GROUP};
    mt_http_request req = {.method = "POST",
                           .path = MT_NODE_API "/twins",
                           .body = text,
                           .body_len = len,
                           .remote = "node"};
    mt_http_response res = {0};
    char seg[4][80] = {"twins"};
    if (!mt_node_route_twins(nd, ctx, &node, &req, 1, seg, &res) ||
        (res.status != 201 && res.status != 200))
        st = mt_error(ctx, MT_EINVAL, "demo twin %s: %d %.*s", path, res.status, (int)res.body_len,
                      res.body ? res.body : "");
    free(res.body);
    mt_free(ctx, text);
    return st;
}

mt_status mt_node_load_demo(mt_node *nd, mt_ctx *ctx)
{
    if (!nd->keys)
        return mt_error(ctx, MT_EINVAL, "--demo needs the node key (twins are encrypted)");
    long long have = count_of(nd, ctx,
                              "SELECT COUNT(*) AS n FROM resources WHERE kind = 'twin' AND "
                              "group_id = ?",
                              DEMO_GROUP);
    if (have < 0)
        return MT_EIO;
    if (have > 0) /* loaded by an earlier start (or erased since: not brought back) */
        return MT_OK;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/demo/twins", nd->data_dir);
    char *names[MAX_DEMO_TWINS];
    size_t nn;
    mt_status st = mt_node_list_dir(ctx, dir, "demo twins", ".json", names, MAX_DEMO_TWINS, &nn);
    if (st != MT_OK)
        return st;
    for (size_t i = 0; i < nn; i++)
        if (!names[i])
            st = mt_error(ctx, MT_ENOMEM, "out of memory");
    for (size_t i = 0; st == MT_OK && i < nn; i++) {
        char path[4400];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        st = post_profile(nd, ctx, path);
    }
    for (size_t i = 0; i < nn; i++)
        free(names[i]);
    return st;
}

mt_status mt_node_demo_token(mt_node *nd, mt_ctx *ctx, char **token)
{
    *token = NULL;
    long long have = count_of(nd, ctx,
                              "SELECT COUNT(*) AS n FROM tokens WHERE group_id = ? AND revoked "
                              "= 0",
                              DEMO_GROUP);
    if (have < 0)
        return MT_EIO;
    if (have > 0)
        return MT_OK;
    return mt_node_token_create(nd, ctx, "clinician", DEMO_GROUP, "demo clinician", token);
}
