/* SPDX-License-Identifier: Apache-2.0
 *
 * medtwin/store.h — the repository node's storage (issue #7): one interface over SQLite (the
 * embedded default: WAL, synchronous=FULL) and PostgreSQL (libpq, the backend for scale).
 *
 * The node writes its SQL once, with `?` placeholders; the PostgreSQL backend rewrites them to
 * $1, $2, ... Statements that differ between the two dialects (schema, full-text search) are
 * chosen by mt_store_dialect(). A store is a small pool of connections: a request takes one
 * (mt_store_acquire), runs its statements — in a transaction when it writes more than one row
 * — and gives it back (mt_store_release). Any number of threads may share one store.
 *
 * Schema migrations: mt_store_migrate() applies, in order and each in its own transaction, the
 * migrations whose number is above the one recorded in the table schema_migrations; a store
 * opened by a newer medtwin (a higher number than this one knows) is refused.
 */
#ifndef MEDTWIN_STORE_H
#define MEDTWIN_STORE_H

#include "error.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mt_store mt_store;
typedef struct mt_store_conn mt_store_conn;

typedef enum { MT_DIALECT_SQLITE = 1, MT_DIALECT_POSTGRES = 2 } mt_store_dialect;

typedef enum {
    MT_VALUE_NULL = 0,
    MT_VALUE_INT = 1,  /* i */
    MT_VALUE_REAL = 2, /* d */
    MT_VALUE_TEXT = 3, /* s[0..n-1], UTF-8, no NUL needed (results: NUL-terminated too) */
    MT_VALUE_BLOB = 4  /* s[0..n-1] */
} mt_value_type;

/* A statement parameter or a result cell. Results are borrowed: valid during the row callback
 * only. */
typedef struct {
    mt_value_type type;
    int64_t i;
    double d;
    const char *s;
    size_t n;
} mt_value;

/* Convenience constructors for parameters. */
mt_value mt_v_null(void);
mt_value mt_v_int(int64_t i);
mt_value mt_v_real(double d);
mt_value mt_v_text(const char *s); /* NUL-terminated; NULL gives a NULL value */
mt_value mt_v_blob(const void *p, size_t n);

/* Opens url: "sqlite:PATH" (created if missing, mode 0600) or "postgresql://..." /
 * "postgres://..." (a libpq connection URI). pool: connections (1..64; 0: 8). OUT: *out.
 * MT_EINVAL for another scheme (message names it); MT_EIO when the database cannot be opened
 * or reached (message from the backend, the password never shown); MT_EUNSUPPORTED for a
 * backend this build lacks. Does not migrate. */
MT_NODISCARD mt_status mt_store_open(mt_ctx *ctx, const char *url, int pool, mt_store **out);
void mt_store_close(mt_store *s);
mt_store_dialect mt_store_dialect_of(const mt_store *s);

/* A migration: its number (1, 2, ...) and its SQL per dialect (several statements separated by
 * ';' are allowed). */
typedef struct {
    int number;
    const char *sqlite_sql;
    const char *postgres_sql;
} mt_store_migration;

/* Applies the migrations above the recorded number, in order, each in one transaction.
 * OUT: *applied (may be NULL): how many ran. MT_EINVAL when the store records a migration
 * number above the highest of migrations[] (a newer medtwin wrote it); MT_EIO on a failed
 * statement (message names the migration). */
MT_NODISCARD mt_status mt_store_migrate(mt_store *s, mt_ctx *ctx,
                                        const mt_store_migration *migrations, size_t n,
                                        int *applied);

/* Takes a connection from the pool (waits while all are in use). MT_EIO when a broken
 * connection cannot be re-established. */
MT_NODISCARD mt_status mt_store_acquire(mt_store *s, mt_ctx *ctx, mt_store_conn **out);
/* Gives it back; a connection inside an open transaction is rolled back first. */
void mt_store_release(mt_store_conn *c);

/* Called once per result row: n columns, their names. Return 0 to go on, non-zero to stop
 * (mt_store_exec then returns MT_OK). */
typedef int (*mt_store_row_fn)(void *arg, size_t n, const mt_value *cols, const char *const *names);

/* Runs one statement with n_params parameters bound to its `?` placeholders, in order.
 * fn (may be NULL) sees each row. OUT: *changes (may be NULL): rows inserted, updated or
 * deleted. MT_EINVAL for a constraint violation (unique, foreign key, check: the message says
 * which); MT_EIO for anything else the backend reports (message from it). */
MT_NODISCARD mt_status mt_store_exec(mt_store_conn *c, mt_ctx *ctx, const char *sql,
                                     size_t n_params, const mt_value *params, mt_store_row_fn fn,
                                     void *arg, int64_t *changes);

/* Transactions on one connection. begin: BEGIN IMMEDIATE on SQLite (takes the write lock at
 * once, so that two writers never deadlock on an upgrade), BEGIN on PostgreSQL. */
MT_NODISCARD mt_status mt_store_begin(mt_store_conn *c, mt_ctx *ctx);
MT_NODISCARD mt_status mt_store_commit(mt_store_conn *c, mt_ctx *ctx);
void mt_store_rollback(mt_store_conn *c);
/* Ends a transaction begun with mt_store_begin: commits when st is MT_OK (returning the
 * commit's status), else rolls back and returns st. */
MT_NODISCARD mt_status mt_store_finish(mt_store_conn *c, mt_ctx *ctx, mt_status st);

/* SQLite only (medtwin backup/restore, docs/operations.md). mt_store_sqlite_backup: a consistent
 * copy of the database at path into the new file out (written as out.tmp-XXXXXX, mode 0600,
 * then renamed over out), through SQLite's online backup API in one read snapshot, so the node
 * may go on writing meanwhile; the copy is a single file (rollback journal mode) checked with
 * PRAGMA integrity_check. mt_store_sqlite_restore: copies the backup file from into the store
 * at path (created 0600 when missing) and puts it back in WAL mode; MT_EINVAL when from is not
 * a SQLite database with a schema_migrations table, or when the store holds tables and force
 * is 0 (the message says so). MT_EIO for files that cannot be read or written. */
MT_NODISCARD mt_status mt_store_sqlite_backup(mt_ctx *ctx, const char *path, const char *out);
MT_NODISCARD mt_status mt_store_sqlite_restore(mt_ctx *ctx, const char *from, const char *path,
                                               int force);

#ifdef __cplusplus
}
#endif
#endif
