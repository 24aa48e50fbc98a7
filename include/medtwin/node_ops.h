/* SPDX-License-Identifier: Apache-2.0
 *
 * medtwin/node_ops.h — operations on a repository node's store (docs/operations.md): backup,
 * restore and rotation of the node key. Used by `medtwin backup`, `medtwin restore` and
 * `medtwin key rotate`.
 */
#ifndef MEDTWIN_NODE_OPS_H
#define MEDTWIN_NODE_OPS_H

#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A consistent backup of the store at db_url into the file out (replaced atomically; mode
 * 0600): SQLite through its online backup API (the node may keep running and writing),
 * PostgreSQL through pg_dump --format=custom (one snapshot), run as a child process with the
 * password in PGPASSWORD, never on its command line. The node key is NOT in the backup. MT_EIO
 * when the store cannot be read or pg_dump fails (its messages go to stderr); MT_EINVAL for a
 * URL of another kind. */
MT_NODISCARD mt_status mt_node_backup(mt_ctx *ctx, const char *db_url, const char *out);

/* Restores the backup file from into the store at db_url: a SQLite backup into a sqlite: store
 * (SQLite's backup API), a pg_dump custom-format file into a PostgreSQL store (pg_restore, in
 * one transaction). MT_EINVAL when the store is not empty and force is 0, or the file is not a
 * backup of that kind of store (the message says which); MT_EIO when pg_restore fails. */
MT_NODISCARD mt_status mt_node_restore(mt_ctx *ctx, const char *db_url, const char *from,
                                       int force);

/* Rotates the node key of the store at db_url from the key file old_key to new_key (created,
 * 32 random bytes, mode 0600, when missing): in one transaction every twin's data key, every
 * per-job key (jobs on inline profiles) and the store's pseudonym key are re-wrapped under the
 * new key and an audit entry "node.key-rotate" is appended, signed with the new key. Pseudonyms
 * stay the same; the node's signing key (audit head, federation exports) becomes the new key's.
 * Refused (MT_EINVAL) when the old key does not open the store, the two keys are the same, or the
 * audit log does not verify with the old key. The node must be stopped while this runs. OUT:
 * *n_twins (may be NULL): the twins' data keys re-wrapped. */
MT_NODISCARD mt_status mt_node_key_rotate(mt_ctx *ctx, const char *db_url, const char *old_key,
                                          const char *new_key, long long *n_twins);

#ifdef __cplusplus
}
#endif
#endif
