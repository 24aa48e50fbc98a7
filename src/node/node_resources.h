/* SPDX-License-Identifier: Apache-2.0
 *
 * node/node_resources.h — what node_resources.c (resources of every kind, links, the graph,
 * search, curation, visibility) shares with node_quality.c (quality reports) and node.c
 * (common metadata on models). docs/resources.md. Not installed.
 */
#ifndef MT_NODE_RESOURCES_H
#define MT_NODE_RESOURCES_H

#include "node/node_internal.h"

/* The visibility condition on the resources row aliased A (4 parameters: see
 * mt_node_res_visible_params). */
#define MT_NODE_VISIBLE(A)                                                                         \
    "(? = 1 OR " A ".visibility = 'public' OR (" A ".visibility = 'group' AND " A                  \
    ".group_id = ?) OR (" A ".visibility = 'private' AND " A ".owner = ? AND " A ".group_id = ?))"
void mt_node_res_visible_params(const mt_node_principal *who, mt_value *p);

/* The common metadata of a request body b (any kind, models included): creators, licence,
 * standard, annotations (identifiers.org / MIRIAM URIs). Returns a new JSON object holding
 * those present; NULL when one is malformed (why: the reason, naming the field). */
json_t *mt_node_common_metadata(json_t *b, char *why, size_t why_n);

/* Inside an open transaction: a new resource owned by who (its group) and, when r->content,
 * its first version. OUT: id, sha ("" when no version). */
mt_status mt_node_res_insert(mt_store_conn *c, mt_ctx *ctx, int pg, const mt_node_principal *who,
                             const mt_node_resource_spec *r, char id[37], char sha[65]);

/* Inside an open transaction: the link from -relation-> to (relation from the closed set),
 * idempotent. OUT: link_id (37 bytes), *created. */
mt_status mt_node_res_link(mt_store_conn *c, mt_ctx *ctx, const mt_node_principal *who,
                           const char *from, const char *relation, const char *to, char link_id[37],
                           int *created);

/* The CSV of a dataset as columns: time plus numeric columns (NaN for an empty cell). */
typedef struct {
    size_t n_rows, n_cols; /* n_cols: without time */
    double *time;          /* n_rows */
    double *v;             /* n_rows x n_cols, row-major */
    char **names;          /* n_cols */
} mt_node_table;
/* Parses and validates a dataset CSV: a header with `time` and other columns named like SBML
 * ids, at least one row, every cell a finite number (empty: missing, not for time), times
 * non-decreasing. 0 on success (t filled: mt_node_table_free), else MT_EPARSE/ELIMIT/ENOMEM with
 * the message on ctx. */
mt_status mt_node_table_parse(mt_ctx *ctx, const char *text, size_t len, mt_node_table *t);
void mt_node_table_free(mt_node_table *t);

/* GET /{kind}s (kind: model, drug, ...) and GET /search (kind NULL: ?kind= or all but twins):
 * q (full text), keyword, curation, visibility, creator, limit, offset. */
void mt_node_res_list(mt_node *nd, mt_ctx *ctx, const mt_node_principal *who, const char *kind,
                      const mt_http_request *req, mt_http_response *res);

/* node_quality.c: POST and GET /models/{id}/quality. */
void mt_node_quality_post(mt_node *nd, mt_ctx *ctx, const mt_node_principal *who, const char *id,
                          const mt_http_request *req, mt_http_response *res);
void mt_node_quality_list(mt_node *nd, mt_ctx *ctx, const mt_node_principal *who, const char *id,
                          mt_http_response *res);

#endif
