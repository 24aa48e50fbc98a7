/* SPDX-License-Identifier: Apache-2.0
 *
 * node/node_internal.h — what the repository node's files share (node.c: core, tokens, models;
 * the others: one concern each, adding routes through mt_node_route and tables through the
 * migration list in node.c). Not installed.
 */
#ifndef MT_NODE_INTERNAL_H
#define MT_NODE_INTERNAL_H

#include "medtwin/node.h"
#include "medtwin/store.h"
#include "node/http.h"

#include <jansson.h>
#include <pthread.h>
#include <sodium.h>
#include <time.h>

#define MT_NODE_API "/api/v1"
#define MT_NODE_CACHE_SLOTS 256

typedef struct {
    unsigned char key[crypto_generichash_BYTES];
    time_t until;
    char id[40], role[16], group[64];
    int used;
} mt_node_cache_slot;

struct mt_node {
    mt_node_options o;
    char *db_url, *listen, *tls_cert, *tls_key, *data_dir;
    mt_store *store;
    mt_http_server *http;
    pthread_mutex_t mu;
    unsigned char cache_key[crypto_generichash_KEYBYTES];
    mt_node_cache_slot cache[MT_NODE_CACHE_SLOTS];
    struct mt_privacy_keys *keys; /* node/privacy.h; NULL with mt_node_options.no_key */
    struct mt_node_jobs *jobs;    /* node/node_jobs.c: the job queue's workers; NULL when none */
};

typedef struct {
    char id[40], role[16], group[64];
} mt_node_principal;

/* Roles from least to most: reader 0, clinician 1, modeller 2, curator 3, admin 4; -1 unknown. */
int mt_node_role_rank(const char *role);
/* UTC now as 2026-11-22T10:00:00.000Z. */
void mt_node_now_iso(char out[40]);
void mt_node_hex(const unsigned char *b, size_t n, char *out); /* out: 2n + 1 bytes */
void mt_node_uuid4(char out[37]);
void mt_node_sha256_hex(const void *p, size_t n, char out[65]);
/* Sends j (taken) with status; 500 when it cannot be serialised. */
void mt_node_respond(mt_http_response *res, int status, json_t *j);
/* Rows of sql as a JSON array of objects (blobs left out); NULL on error (message on ctx). */
json_t *mt_node_query(mt_store_conn *c, mt_ctx *ctx, const char *sql, size_t n, const mt_value *p);
const char *mt_node_json_str(json_t *o, const char *k, const char *def);
/* Printable text (tabs and newlines allowed) of at most max bytes. */
int mt_node_text_ok(const char *s, size_t max);
int mt_node_valid_uuid(const char *s);
int mt_node_valid_sha(const char *s);
/* Letters, digits, '_', '-', '.'; 1..max bytes. */
int mt_node_valid_name(const char *s, size_t max);
/* A query argument as a whole number in [lo, hi]; def when absent; *bad = 1 when malformed. */
long mt_node_query_long(const mt_http_request *req, const char *name, long def, long lo, long hi,
                        int *bad);
/* A list's paging: ?limit= (1..max, default 50) and ?offset= (>= 0, default 0). 1 to go on, 0
 * when it answered 400. */
int mt_node_page_args(const mt_http_request *req, mt_http_response *res, long max, long *limit,
                      long *offset);
/* Answers 200 {"items": rows (taken), "limit", "offset"}. */
void mt_node_respond_page(mt_http_response *res, json_t *rows, long limit, long offset);

/* ---- resources (node.c) ---- */

/* The resource (a JSON object of its row: id, kind, title, ..., group_id, owner, curation) if
 * who may see it; NULL: not there or hidden (answer 404), or a storage error on ctx when *err. */
json_t *mt_node_get_resource(mt_store_conn *c, mt_ctx *ctx, const mt_node_principal *who,
                             const char *id, int *err);
/* Adds a version (content) to resource id inside an open transaction. *created: 1 new, 0 the
 * same content was there. OUT: sha (the SHA-256 of content, hex). */
mt_status mt_node_add_version(mt_store_conn *c, mt_ctx *ctx, const char *id, const char *content,
                              size_t len, const char *media, const char *by,
                              const char *derived_from, char sha[65], int *created);
/* Answers a version posted to resource id: 201 when created, 200 when the same content was
 * there: {"id", "version" (the seq of rows v's first row), "sha256", "created"}. Takes v. */
void mt_node_respond_version(mt_http_response *res, const char *id, json_t *v, const char *sha,
                             int created);
typedef struct {
    char *data; /* malloc'd, NUL-terminated; NULL when there is no such version */
    size_t n;
    char media[64];
} mt_node_blob;
/* The content of version sha of resource id (sha NULL: the latest) into *b (free(b->data)). */
mt_status mt_node_version_content(mt_store_conn *c, mt_ctx *ctx, const char *id, const char *sha,
                                  mt_node_blob *b);
/* The resource id if who may see it (mt_node_get_resource; NULL: not there or hidden) and the
 * content of its version sha (NULL: the latest) into *b (free(b->data); b->data NULL: no such
 * version). *err = 1 when either read failed (message on ctx). */
json_t *mt_node_get_version(mt_store_conn *c, mt_ctx *ctx, const mt_node_principal *who,
                            const char *id, const char *sha, mt_node_blob *b, int *err);
/* SBML validation: libSBML reads it and medtwin can compile it. A model that names external
 * model definitions (SBML comp) is refused: libSBML would resolve them against the server's own
 * files; a model arrives whole, or as a COMBINE archive. 1 valid, 0 not (message on ctx). */
int mt_node_check_sbml(mt_ctx *ctx, const char *xml, size_t len);

/* A new resource and its first version (content NULL: none), in one transaction. */
typedef struct {
    const char *kind;  /* model, drug, method, dataset, twin, report, actor, initiative */
    const char *title; /* required */
    const char *description, *keywords; /* NULL: "" (keywords: space-separated) */
    const char *visibility;             /* private, group, public */
    const char *metadata;               /* a JSON object's text; NULL: "{}" */
    const char *content;                /* the first version; NULL: no version */
    size_t content_len;
    const char *media_type;
    const char *derived_from; /* a version's sha256, or NULL */
} mt_node_resource_spec;
/* Creates it, owned by who and its group. OUT: id, sha (the first version's; "" when none). */
mt_status mt_node_create_resource(mt_node *nd, mt_ctx *ctx, const mt_node_principal *who,
                                  const mt_node_resource_spec *r, char id[37], char sha[65]);

/* The number the next version of resource id gets (1 for the first). MT_EIO on a storage error. */
mt_status mt_node_next_version(mt_store_conn *c, mt_ctx *ctx, const char *id, long long *seq);

/* A module's routes: the path after /api/v1 split into n segments (n <= 4, each < 80 bytes);
 * who is authenticated. Returns 1 when it answered (res filled), 0 when the path is not its. */
typedef int (*mt_node_route)(mt_node *nd, mt_ctx *ctx, const mt_node_principal *who,
                             const mt_http_request *req, int n, char seg[4][80],
                             mt_http_response *res);
int mt_node_route_none(mt_node *nd, mt_ctx *ctx, const mt_node_principal *who,
                       const mt_http_request *req, int n, char seg[4][80], mt_http_response *res);

/* Twins, consent and the audit log (node/node_twins.c, docs/node.md "Data protection"). */
int mt_node_route_twins(mt_node *nd, mt_ctx *ctx, const mt_node_principal *who,
                        const mt_http_request *req, int n, char seg[4][80], mt_http_response *res);
/* The checks before anything touches twins: the node key (else 503) and the clinician role or
 * higher (else 403, "WHAT need the ... role"). 1 to go on, 0 when res was answered. */
int mt_node_twin_access(mt_node *nd, const mt_node_principal *who, const char *what,
                        mt_http_response *res);
/* For cohorts: 1 when twin_id is not erased and its latest consent record for purpose grants
 * it, 0 when not (none, withdrawn, erased), -1 on a storage error (message on ctx). */
int mt_node_twin_consented(mt_store_conn *c, mt_ctx *ctx, const char *twin_id, const char *purpose);
/* A twin's id: a pseudonym (MT_PRIVACY_PSEUDONYM_LEN lower-case hex digits). */
int mt_node_valid_pseudonym(const char *s);
/* The data key (MT_PRIVACY_KEY_BYTES, node/privacy.h: wipe it) of twin id if group may use it
 * (NULL: any group, for admins and for the job workers): 0, or 404 (absent or another group's),
 * 410 (erased: the key is destroyed), 500 (message on ctx). Reads no personal data. */
int mt_node_twin_key(mt_node *nd, mt_store_conn *c, mt_ctx *ctx, const char *group, const char *id,
                     unsigned char *dk);
/* Version seq (<= 0: the latest) of twin id's profile, decrypted with its data key dk.
 * OUT: *text, *len (wipe and free). MT_ENOTFOUND when there is no such version. The caller
 * records the read in the audit log (node/audit.h) before it uses or sends the profile. */
mt_status mt_node_twin_profile(mt_store_conn *c, mt_ctx *ctx, const char *id, long long seq,
                               const unsigned char *dk, char **text, size_t *len);

/* The names of the files of folder dir ending in suffix, at most max of them, into names (free
 * each; NULL where strdup failed), sorted (NULLs last): the same order on every node. OUT: *n.
 * MT_EIO "what: dir: why" when dir cannot be read. */
mt_status mt_node_list_dir(mt_ctx *ctx, const char *dir, const char *what, const char *suffix,
                           char **names, size_t max, size_t *n);

/* node/node_demo.c: the demo twins (mt_node_options.demo), loaded after the bundled resources. */
mt_status mt_node_load_demo(mt_node *nd, mt_ctx *ctx);

/* node/node_federation.c: GET /node (the node's public key) and GET /export (a signed export of
 * its public resources). */
int mt_node_route_federation(mt_node *nd, mt_ctx *ctx, const mt_node_principal *who,
                             const mt_http_request *req, int n, char seg[4][80],
                             mt_http_response *res);

/* node/node_cohorts.c: research cohorts of twins, gated by consent. Migration 6. */
extern const mt_store_migration mt_node_migration_cohorts;
int mt_node_route_cohorts(mt_node *nd, mt_ctx *ctx, const mt_node_principal *who,
                          const mt_http_request *req, int n, char seg[4][80],
                          mt_http_response *res);
/* The members of cohort_id (of who's group; admins: any) as [{"twin", "added", "active",
 * "reason"?}], re-checked now: active when the twin is not erased and its latest consent record
 * for the cohort's purpose grants it. Anything that runs on a cohort uses the active ones only.
 * OUT: *cohort (its row: id, title, purpose, group_id, owner, created; json_decref). NULL with
 * *cohort NULL: no such cohort for who (404); NULL with *err: a storage error (on ctx). */
json_t *mt_node_cohort_members(mt_store_conn *c, mt_ctx *ctx, const mt_node_principal *who,
                               const char *cohort_id, json_t **cohort, int *err);

/* ---- modules: each adds one migration (its number fixed here) and its routes ---- */

/* node/node_resources.c: drug cards, methods, datasets, reports, actors, initiatives, links and
 * the graph, search across kinds, quality reports and curation levels. Migration 3. */
extern const mt_store_migration mt_node_migration_resources;
int mt_node_route_resources(mt_node *nd, mt_ctx *ctx, const mt_node_principal *who,
                            const mt_http_request *req, int n, char seg[4][80],
                            mt_http_response *res);
/* The bundled drug cards (and other bundled resources) on first start, after the models. */
mt_status mt_node_load_bundled_resources(mt_node *nd, mt_ctx *ctx);

/* node/node_jobs.c: the persistent job queue and its worker threads. Migration 4. */
extern const mt_store_migration mt_node_migration_jobs;
int mt_node_route_jobs(mt_node *nd, mt_ctx *ctx, const mt_node_principal *who,
                       const mt_http_request *req, int n, char seg[4][80], mt_http_response *res);
/* Starts the workers (called by mt_node_start before the HTTP server); jobs left running by a
 * previous process are queued again. */
mt_status mt_node_jobs_start(mt_node *nd, mt_ctx *ctx);
/* Stops the workers (called by mt_node_close after the HTTP server); a job in progress is left
 * to be resumed by the next start. Safe when never started. */
void mt_node_jobs_stop(mt_node *nd);

/* node/node_omex.c (and the operations: backup, restore, key rotation): COMBINE/OMEX import and
 * export. Migration 5. */
extern const mt_store_migration mt_node_migration_ops;
int mt_node_route_omex(mt_node *nd, mt_ctx *ctx, const mt_node_principal *who,
                       const mt_http_request *req, int n, char seg[4][80], mt_http_response *res);

#endif
