/* SPDX-License-Identifier: Apache-2.0
 *
 * node/node_resources.c — (being written, issue #7; see node_internal.h for its part).
 */
#include "node/node_internal.h"

const mt_store_migration mt_node_migration_resources = {3, "SELECT 1", "SELECT 1"};

int mt_node_route_resources(mt_node *nd, mt_ctx *ctx, const mt_node_principal *who,
                            const mt_http_request *req, int n, char seg[4][80],
                            mt_http_response *res)
{
    return mt_node_route_none(nd, ctx, who, req, n, seg, res);
}

mt_status mt_node_load_bundled_resources(mt_node *nd, mt_ctx *ctx)
{
    (void)nd;
    (void)ctx;
    return MT_OK;
}
