/* SPDX-License-Identifier: Apache-2.0
 *
 * store/sqlite.c — the SQLite backend of medtwin/store.h (the only file that includes
 * sqlite3.h).
 *
 * Each pooled connection is one sqlite3 handle on the same file, opened without SQLite's own
 * mutexes (the pool hands a handle to one thread at a time). Every connection sets:
 *   journal_mode=WAL      readers never block the writer nor the writer readers;
 *   synchronous=FULL      the WAL is synced at every commit, so an acknowledged commit
 *                         survives a crash or a power loss (NORMAL would only keep the
 *                         database consistent, possibly losing the last commits);
 *   foreign_keys=ON       SQLite leaves them off by default;
 *   busy_timeout=10 s     a writer waits for the write lock instead of failing at once.
 * Transactions start with BEGIN IMMEDIATE: the write lock is taken at BEGIN, so two writers
 * never both hold a read snapshot and then fail to upgrade it (SQLITE_BUSY_SNAPSHOT, which the
 * busy handler cannot wait out). The file is created with mode 0600 before SQLite opens it;
 * SQLite gives the -wal and -shm files the database file's permissions.
 *
 * Statements are prepared per call (no cache yet); `?` placeholders are SQLite's own. One
 * statement per call: text after the first statement is refused.
 */
#define _POSIX_C_SOURCE 200809L
#include "store/store_internal.h"
#include "util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BUSY_TIMEOUT_MS 10000

static mt_status fail(mt_ctx *ctx, sqlite3 *db, int rc, const char *sql)
{
    char ex[96];
    mt_store_sql_excerpt(sql, ex, sizeof ex);
    const char *msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    if ((rc & 0xff) == SQLITE_CONSTRAINT)
        return mt_error(ctx, MT_EINVAL, "sqlite: constraint violation: %s (in: %s)", msg, ex);
    return mt_error(ctx, MT_EIO, "sqlite: %s (in: %s)", msg, ex);
}

static mt_status sq_connect(mt_ctx *ctx, const char *path, void **out)
{
    *out = NULL;
    /* A new file is created 0600 here (SQLite would use 0644 less the umask; its -wal and -shm
     * files take the database file's mode). An existing one is never opened and closed here:
     * on Linux close() drops every POSIX lock the process holds on the file, those of its live
     * SQLite connections included, and another process could then checkpoint and delete the WAL
     * under them (sqlite.org/howtocorrupt.html, 2.2). The store's first connection is made
     * alone (mt_store_open), so no connection of this process exists when the file is new. */
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd >= 0)
        close(fd);
    else if (errno != EEXIST)
        return mt_error(ctx, MT_EIO, "sqlite: cannot create %s: %s", path, strerror(errno));
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(path, &db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX |
                                 SQLITE_OPEN_EXRESCODE,
                             NULL);
    if (rc != SQLITE_OK) {
        mt_status st = mt_error(ctx, MT_EIO, "sqlite: cannot open %s: %s", path,
                                db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        sqlite3_close(db);
        return st;
    }
    sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
    /* journal_mode answers with the mode in force: a file that cannot do WAL (a read-only
     * directory, say) must not silently run in another mode */
    sqlite3_stmt *stmt = NULL;
    rc = sqlite3_prepare_v2(db, "PRAGMA journal_mode=WAL", -1, &stmt, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(stmt);
    if (rc != SQLITE_ROW) {
        mt_status st = mt_error(ctx, MT_EIO, "sqlite: cannot set WAL mode on %s: %s", path,
                                sqlite3_errmsg(db));
        sqlite3_finalize(stmt);
        sqlite3_close(db);
        return st;
    }
    const char *mode = (const char *)sqlite3_column_text(stmt, 0);
    int wal = mode && !strcmp(mode, "wal");
    sqlite3_finalize(stmt);
    if (!wal) {
        sqlite3_close(db);
        return mt_error(ctx, MT_EIO, "sqlite: %s cannot use WAL mode", path);
    }
    char *err = NULL;
    rc = sqlite3_exec(db, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON", NULL, NULL, &err);
    if (rc != SQLITE_OK) {
        mt_status st = mt_error(ctx, MT_EIO, "sqlite: cannot set the pragmas on %s: %s", path,
                                err ? err : sqlite3_errstr(rc));
        sqlite3_free(err);
        sqlite3_close(db);
        return st;
    }
    *out = db;
    return MT_OK;
}

static void sq_disconnect(void *h)
{
    /* every statement is finalised by the call that prepared it */
    if (h)
        sqlite3_close((sqlite3 *)h);
}

static mt_status sq_check(void *h, mt_ctx *ctx, const char *target)
{
    (void)h, (void)ctx, (void)target;
    return MT_OK;
}

static int only_space(const char *p)
{
    for (; *p; p++)
        if (*p != ' ' && *p != '\n' && *p != '\r' && *p != '\t' && *p != ';')
            return 0;
    return 1;
}

static int bind(sqlite3_stmt *stmt, int i, const mt_value *v)
{
    switch (v->type) {
    case MT_VALUE_NULL:
        return sqlite3_bind_null(stmt, i);
    case MT_VALUE_INT:
        return sqlite3_bind_int64(stmt, i, v->i);
    case MT_VALUE_REAL:
        return sqlite3_bind_double(stmt, i, v->d);
    case MT_VALUE_TEXT:
        if (!v->s)
            return sqlite3_bind_null(stmt, i);
        return sqlite3_bind_text64(stmt, i, v->s, v->n, SQLITE_STATIC, SQLITE_UTF8);
    case MT_VALUE_BLOB:
        /* a NULL pointer would bind NULL, not an empty blob */
        return sqlite3_bind_blob64(stmt, i, v->s ? v->s : "", v->n, SQLITE_STATIC);
    }
    return SQLITE_MISUSE;
}

static void column(sqlite3_stmt *stmt, int i, mt_value *v)
{
    memset(v, 0, sizeof *v);
    switch (sqlite3_column_type(stmt, i)) {
    case SQLITE_INTEGER:
        v->type = MT_VALUE_INT;
        v->i = sqlite3_column_int64(stmt, i);
        break;
    case SQLITE_FLOAT:
        v->type = MT_VALUE_REAL;
        v->d = sqlite3_column_double(stmt, i);
        break;
    case SQLITE_TEXT:
        v->type = MT_VALUE_TEXT;
        v->s = (const char *)sqlite3_column_text(stmt, i);
        v->n = (size_t)sqlite3_column_bytes(stmt, i);
        if (!v->s)
            v->s = "";
        break;
    case SQLITE_BLOB:
        v->type = MT_VALUE_BLOB;
        v->s = sqlite3_column_blob(stmt, i);
        v->n = (size_t)sqlite3_column_bytes(stmt, i);
        if (!v->s)
            v->s = "";
        break;
    default:
        v->type = MT_VALUE_NULL;
        break;
    }
}

static mt_status sq_exec(void *h, mt_ctx *ctx, const char *sql, size_t n_params,
                         const mt_value *params, mt_store_row_fn fn, void *arg, int64_t *changes)
{
    sqlite3 *db = h;
    sqlite3_stmt *stmt = NULL;
    const char *tail = NULL;
    char ex[96];
    int rc = sqlite3_prepare_v2(db, sql, -1, &stmt, &tail);
    if (rc != SQLITE_OK)
        return fail(ctx, db, rc, sql);
    if (!stmt) {
        mt_store_sql_excerpt(sql, ex, sizeof ex);
        return mt_error(ctx, MT_EINVAL, "sqlite: no statement in \"%s\"", ex);
    }
    if (tail && !only_space(tail)) {
        sqlite3_finalize(stmt);
        mt_store_sql_excerpt(sql, ex, sizeof ex);
        return mt_error(ctx, MT_EINVAL, "sqlite: more than one statement in one call (in: %s)", ex);
    }
    int n_ph = sqlite3_bind_parameter_count(stmt);
    if ((size_t)n_ph != n_params) {
        sqlite3_finalize(stmt);
        mt_store_sql_excerpt(sql, ex, sizeof ex);
        return mt_error(ctx, MT_EINVAL,
                        "sqlite: the statement has %d placeholders but %zu "
                        "parameters were given (in: %s)",
                        n_ph, n_params, ex);
    }
    for (size_t i = 0; i < n_params; i++) {
        rc = bind(stmt, (int)i + 1, &params[i]);
        if (rc != SQLITE_OK) {
            mt_status st = fail(ctx, db, rc, sql);
            sqlite3_finalize(stmt);
            return st;
        }
    }
    int n_cols = sqlite3_column_count(stmt);
    mt_value *cols = NULL;
    const char **names = NULL;
    if (fn && n_cols > 0) {
        cols = mt_calloc(ctx, (size_t)n_cols, sizeof *cols);
        names = mt_calloc(ctx, (size_t)n_cols, sizeof *names);
        if (!cols || !names) {
            mt_free(ctx, cols);
            mt_free(ctx, (void *)names);
            sqlite3_finalize(stmt);
            return mt_error(ctx, MT_ENOMEM, "sqlite: out of memory for a result row");
        }
        for (int i = 0; i < n_cols; i++) {
            names[i] = sqlite3_column_name(stmt, i);
            if (!names[i])
                names[i] = "";
        }
    }
    mt_status st = MT_OK;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (!fn)
            continue;
        for (int i = 0; i < n_cols; i++)
            column(stmt, i, &cols[i]);
        if (fn(arg, (size_t)n_cols, cols, names))
            break;
    }
    if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
        if (changes && !sqlite3_stmt_readonly(stmt))
            *changes = sqlite3_changes64(db);
    } else {
        st = fail(ctx, db, rc, sql);
    }
    mt_free(ctx, cols);
    mt_free(ctx, (void *)names);
    sqlite3_finalize(stmt);
    return st;
}

static mt_status sq_script(void *h, mt_ctx *ctx, const char *sql)
{
    char *err = NULL;
    int rc = sqlite3_exec((sqlite3 *)h, sql, NULL, NULL, &err);
    if (rc == SQLITE_OK)
        return MT_OK;
    char ex[96];
    mt_store_sql_excerpt(sql, ex, sizeof ex);
    mt_status st = mt_error(ctx, (rc & 0xff) == SQLITE_CONSTRAINT ? MT_EINVAL : MT_EIO,
                            "sqlite: %s (in: %s)", err ? err : sqlite3_errstr(rc), ex);
    sqlite3_free(err);
    return st;
}

static mt_status sq_simple(sqlite3 *db, mt_ctx *ctx, const char *sql)
{
    int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? MT_OK : fail(ctx, db, rc, sql);
}

static mt_status sq_begin(void *h, mt_ctx *ctx) { return sq_simple(h, ctx, "BEGIN IMMEDIATE"); }

static void sq_rollback(void *h)
{
    sqlite3 *db = h;
    if (!sqlite3_get_autocommit(db))
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}

static mt_status sq_commit(void *h, mt_ctx *ctx)
{
    mt_status st = sq_simple(h, ctx, "COMMIT");
    if (st != MT_OK)
        sq_rollback(h);
    return st;
}

static int sq_in_tx(void *h) { return !sqlite3_get_autocommit((sqlite3 *)h); }

static mt_status sq_lock_migrations(void *h, mt_ctx *ctx)
{
    (void)h, (void)ctx;
    return MT_OK;
}

const mt_store_backend mt_store_sqlite_backend = {
    .name = "sqlite",
    .dialect = MT_DIALECT_SQLITE,
    .connect = sq_connect,
    .disconnect = sq_disconnect,
    .check = sq_check,
    .exec = sq_exec,
    .script = sq_script,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .in_tx = sq_in_tx,
    .lock_migrations = sq_lock_migrations,
};

/* ---- backup and restore (medtwin/store.h) --------------------------------------------------- */

/* One value of a one-row query; -1 on error. */
static long long sq_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *s = NULL;
    long long v = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

/* "ok" from PRAGMA integrity_check. */
static int sq_intact(sqlite3 *db)
{
    sqlite3_stmt *s = NULL;
    int ok = 0;
    if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(s, 0);
        ok = t && !strcmp(t, "ok");
    }
    sqlite3_finalize(s);
    return ok;
}

/* Copies the main database of src into dst in one step (one read snapshot of src). */
static mt_status sq_copy(mt_ctx *ctx, sqlite3 *dst, sqlite3 *src, const char *what)
{
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
    if (!b)
        return mt_error(ctx, MT_EIO, "sqlite %s: %s", what, sqlite3_errmsg(dst));
    int rc;
    for (int tries = 0;; tries++) {
        rc = sqlite3_backup_step(b, -1);
        if ((rc != SQLITE_BUSY && rc != SQLITE_LOCKED) || tries > 1000)
            break;
        sqlite3_sleep(10);
    }
    int fin = sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE || fin != SQLITE_OK)
        return mt_error(ctx, MT_EIO, "sqlite %s: %s", what,
                        sqlite3_errstr(rc != SQLITE_DONE ? rc : fin));
    return MT_OK;
}

static mt_status sq_open_file(mt_ctx *ctx, const char *path, int flags, sqlite3 **db)
{
    *db = NULL;
    int rc = sqlite3_open_v2(path, db, flags | SQLITE_OPEN_EXRESCODE, NULL);
    if (rc != SQLITE_OK) {
        mt_status st = mt_error(ctx, MT_EIO, "sqlite: cannot open %s: %s", path,
                                *db ? sqlite3_errmsg(*db) : sqlite3_errstr(rc));
        sqlite3_close(*db);
        *db = NULL;
        return st;
    }
    sqlite3_busy_timeout(*db, BUSY_TIMEOUT_MS);
    return MT_OK;
}

mt_status mt_store_sqlite_backup(mt_ctx *ctx, const char *path, const char *out)
{
    if (access(path, R_OK) != 0)
        return mt_error(ctx, MT_EIO, "cannot read the store %s: %s", path, strerror(errno));
    size_t n = strlen(out) + 16;
    char *tmp = malloc(n);
    if (!tmp)
        return mt_error(ctx, MT_ENOMEM, "out of memory");
    snprintf(tmp, n, "%s.tmp-XXXXXX", out);
    int fd = mkstemp(tmp); /* mode 0600 */
    if (fd < 0) {
        mt_status st = mt_error(ctx, MT_EIO, "cannot create %s: %s", tmp, strerror(errno));
        free(tmp);
        return st;
    }
    close(fd);
    sqlite3 *src = NULL, *dst = NULL;
    mt_status st = sq_open_file(ctx, path, SQLITE_OPEN_READONLY, &src);
    if (st == MT_OK)
        st = sq_open_file(ctx, tmp, SQLITE_OPEN_READWRITE, &dst);
    if (st == MT_OK && sq_int(src, "SELECT COUNT(*) FROM sqlite_master WHERE name = "
                                   "'schema_migrations'") != 1)
        st = mt_error(ctx, MT_EINVAL, "%s is not a medtwin store (no schema_migrations)", path);
    if (st == MT_OK)
        st = sq_copy(ctx, dst, src, "backup");
    /* one self-contained file: out of WAL mode */
    if (st == MT_OK && sqlite3_exec(dst, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL))
        st = mt_error(ctx, MT_EIO, "%s", sqlite3_errmsg(dst));
    if (st == MT_OK && !sq_intact(dst))
        st = mt_error(ctx, MT_EIO, "the copy fails PRAGMA integrity_check");
    sqlite3_close(src);
    if (dst && sqlite3_close(dst) != SQLITE_OK && st == MT_OK)
        st = mt_error(ctx, MT_EIO, "cannot close %s", tmp);
    if (st == MT_OK)
        st = mt_sync_rename(ctx, tmp, out);
    if (st != MT_OK)
        unlink(tmp);
    free(tmp);
    return st;
}

mt_status mt_store_sqlite_restore(mt_ctx *ctx, const char *from, const char *path, int force)
{
    char head[16] = {0};
    int fd = open(from, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return mt_error(ctx, MT_EIO, "cannot open %s: %s", from, strerror(errno));
    ssize_t got = read(fd, head, sizeof head);
    close(fd);
    if (got != (ssize_t)sizeof head || memcmp(head, "SQLite format 3", 16))
        return mt_error(ctx, MT_EINVAL, "%s is not a SQLite backup", from);
    sqlite3 *src = NULL, *dst = NULL;
    mt_status st = sq_open_file(ctx, from, SQLITE_OPEN_READONLY, &src);
    if (st == MT_OK && (!sq_intact(src) || sq_int(src, "SELECT COUNT(*) FROM sqlite_master WHERE "
                                                       "name = 'schema_migrations'") != 1))
        st = mt_error(ctx, MT_EINVAL,
                      "%s is not an intact medtwin store (integrity check or "
                      "schema_migrations)",
                      from);
    if (st == MT_OK) {
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
            st = mt_error(ctx, MT_EIO, "cannot open or create %s: %s", path, strerror(errno));
        else
            close(fd);
    }
    if (st == MT_OK)
        st = sq_open_file(ctx, path, SQLITE_OPEN_READWRITE, &dst);
    long long tables = st == MT_OK ? sq_int(dst, "SELECT COUNT(*) FROM sqlite_master WHERE "
                                                 "type = 'table'")
                                   : 0;
    if (st == MT_OK && tables < 0)
        st = mt_error(ctx, MT_EIO, "%s: %s", path, sqlite3_errmsg(dst));
    if (st == MT_OK && tables > 0 && !force)
        st = mt_error(ctx, MT_EINVAL,
                      "the store %s is not empty (%lld tables): restore refuses to "
                      "replace it without --force (stop the node first)",
                      path, tables);
    if (st == MT_OK)
        st = sq_copy(ctx, dst, src, "restore");
    if (st == MT_OK && sqlite3_exec(dst, "PRAGMA journal_mode=WAL", NULL, NULL, NULL))
        st = mt_error(ctx, MT_EIO, "%s", sqlite3_errmsg(dst));
    if (st == MT_OK && !sq_intact(dst))
        st = mt_error(ctx, MT_EIO, "%s fails PRAGMA integrity_check", path);
    sqlite3_close(src);
    sqlite3_close(dst);
    return st;
}
