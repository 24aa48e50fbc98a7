/* SPDX-License-Identifier: Apache-2.0
 *
 * medtwin/node.h — the repository node (issue #7, `medtwin serve`): resources (models, ...)
 * with immutable content-addressed versions, search, API tokens and roles, behind a JSON HTTP
 * API under /api/v1/ (docs/openapi.json, docs/node.md), on the storage of medtwin/store.h.
 *
 * Use:
 *   mt_node_open(ctx, &options, &node);       // opens and migrates the store, loads the bundled
 *                                             // models on first start
 *   mt_node_bootstrap_admin(node, ctx, &tok); // the first admin token, when none exists
 *   mt_node_start(node, ctx);                 // listens
 *   ... mt_node_close(node);
 */
#ifndef MEDTWIN_NODE_H
#define MEDTWIN_NODE_H

#include "error.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mt_node mt_node;

typedef struct {
    const char *db_url;       /* "sqlite:PATH" or "postgresql://..." (medtwin/store.h) */
    const char *listen;       /* "127.0.0.1:8080" */
    int threads;              /* HTTP worker threads (0: 4) */
    size_t max_body;          /* request bodies (0: 16 MiB) */
    const char *tls_cert_pem; /* HTTPS when both are given */
    const char *tls_key_pem;
    const char *data_dir; /* NULL: mt_data_dir() (the bundled models) */
    int no_bundled;       /* 1: do not load the bundled models on first start */
    /* The node key (docs/node.md, "Data protection"): a file of 32 random bytes, created 0600
     * when missing, refused when group/others may access it or another user owns it. NULL:
     * "PATH.key" beside a "sqlite:PATH" store; required with PostgreSQL. */
    const char *key_file;
    int no_key; /* 1: open without the node key (tools that touch no personal data); the twin
                 * endpoints then answer 503 */
    int demo;   /* 1: load the demo twins (data/demo/twins) as the group "demo" when it has none */
    int job_workers; /* job queue worker threads (0: 2; docs/jobs.md) */
} mt_node_options;

MT_NODISCARD mt_status mt_node_open(mt_ctx *ctx, const mt_node_options *o, mt_node **out);
/* When no active admin token exists: creates one (role admin, group "admin") and returns its
 * secret text in *token (free()); else *token = NULL. The secret is shown only here: the store
 * keeps its argon2id hash. */
MT_NODISCARD mt_status mt_node_bootstrap_admin(mt_node *n, mt_ctx *ctx, char **token);
/* Creates a token: role reader|modeller|clinician|curator|admin, group (created if new). */
MT_NODISCARD mt_status mt_node_token_create(mt_node *n, mt_ctx *ctx, const char *role,
                                            const char *group, const char *label, char **token);
/* Recomputes the audit log's hash chain in the store at db_url and checks its signed head
 * with the node key in key_file (NULL: the default beside a SQLite store). OUT: *n_entries
 * (may be NULL). MT_OK: chain and signed head verified; MT_EINVAL: the message says what is
 * wrong (changed, missing or unlinked entries, a truncated log, a forged head); MT_EIO: the
 * store or the key cannot be read. */
MT_NODISCARD mt_status mt_node_audit_verify(mt_ctx *ctx, const char *db_url, const char *key_file,
                                            long long *n_entries);
/* With mt_node_options.demo: when the group "demo" has no active token, creates a clinician
 * token of it (to read the demo twins) and returns its secret text in *token (free()); else
 * *token = NULL. */
MT_NODISCARD mt_status mt_node_demo_token(mt_node *n, mt_ctx *ctx, char **token);
/* A signed export of a node (GET /api/v1/export, docs/node.md "Federation"): checks its format,
 * its Ed25519 signature over "medtwin-export-v1\0" || payload, and, when public_key_hex is not
 * NULL, that the signer is that key (the one pinned for the node); then that every resource has
 * an id and every version a SHA-256. OUT: *info. MT_EPARSE: not an export (the message names
 * the field); MT_EINVAL: the signature does not verify, or another key signed; MT_ELIMIT: over
 * 64 MiB. */
typedef struct {
    char key_id[17]; /* the signer's key id (16 hex digits) */
    long long n_resources, n_versions;
} mt_node_export_info;
MT_NODISCARD mt_status mt_node_export_verify(mt_ctx *ctx, const char *text, size_t len,
                                             const char *public_key_hex, mt_node_export_info *info);
MT_NODISCARD mt_status mt_node_start(mt_node *n, mt_ctx *ctx);
unsigned mt_node_port(const mt_node *n);
void mt_node_close(mt_node *n);

#ifdef __cplusplus
}
#endif
#endif
