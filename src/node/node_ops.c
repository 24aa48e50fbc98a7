/* SPDX-License-Identifier: Apache-2.0
 *
 * node/node_ops.c — operations on a node's store (medtwin/node_ops.h, docs/operations.md):
 * backup and restore (SQLite's online backup API; pg_dump and pg_restore for PostgreSQL, run as
 * child processes with execvp — no shell — and the password in PGPASSWORD, never in argv where
 * ps would show it), and rotation of the node key (every wrapped key re-wrapped in one
 * transaction, the audit head re-signed by an entry appended with the new key).
 */
#define _GNU_SOURCE /* execvpe */
#include "medtwin/node_ops.h"
#include "medtwin/node.h"
#include "medtwin/store.h"
#include "node/audit.h"
#include "node/node_internal.h"
#include "node/privacy.h"
#include "util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static int is_pg(const char *url)
{
    return url && (!strncmp(url, "postgresql://", 13) || !strncmp(url, "postgres://", 11));
}

static int is_sqlite(const char *url) { return url && !strncmp(url, "sqlite:", 7) && url[7]; }

static int hexval(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* s[0..n) percent-decoded into a new string. */
static char *pct_decode(const char *s, size_t n)
{
    char *o = malloc(n + 1), *w = o;
    for (size_t i = 0; o && i < n; i++) {
        if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
            *w++ = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 2;
        } else {
            *w++ = s[i];
        }
    }
    if (o)
        *w = 0;
    return o;
}

/* A libpq URI without its password (in the user info or a password= parameter). OUT: *clean
 * and *password (NULL when none), both malloc'd. */
static mt_status pg_split(mt_ctx *ctx, const char *url, char **clean, char **password)
{
    *clean = *password = NULL;
    const char *auth = strstr(url, "://") + 3;
    size_t alen = strcspn(auth, "/?#");
    const char *at = NULL;
    for (const char *p = auth; p < auth + alen; p++)
        if (*p == '@')
            at = p;
    size_t n = strlen(url);
    char *c = malloc(n + 1);
    if (!c)
        return mt_error(ctx, MT_ENOMEM, "out of memory");
    size_t w = 0;
    memcpy(c, url, (size_t)(auth - url));
    w = (size_t)(auth - url);
    const char *rest = auth;
    if (at) {
        const char *colon = memchr(auth, ':', (size_t)(at - auth));
        if (colon) {
            *password = pct_decode(colon + 1, (size_t)(at - colon - 1));
            memcpy(c + w, auth, (size_t)(colon - auth));
            w += (size_t)(colon - auth);
            rest = at;
        }
    }
    /* the rest, without a password=... query parameter */
    const char *q = strchr(rest, '?');
    size_t upto = q ? (size_t)(q - rest) : strlen(rest);
    memcpy(c + w, rest, upto);
    w += upto;
    if (q) {
        const char *p = q + 1;
        int first = 1;
        while (*p) {
            size_t len = strcspn(p, "&");
            if (len >= 9 && !strncmp(p, "password=", 9)) {
                free(*password);
                *password = pct_decode(p + 9, len - 9);
            } else if (len) {
                c[w++] = first ? '?' : '&';
                memcpy(c + w, p, len);
                w += len;
                first = 0;
            }
            p += len;
            if (*p == '&')
                p++;
        }
    }
    c[w] = 0;
    *clean = c;
    return MT_OK;
}

/* Runs argv[0] (found on PATH) with PGPASSWORD set to password (when not NULL) and waits. */
static mt_status run_tool(mt_ctx *ctx, const char *const argv[], const char *password)
{
    size_t ne = 0;
    while (environ && environ[ne])
        ne++;
    char **envp = calloc(ne + 2, sizeof *envp);
    char *pw = NULL;
    if (!envp)
        return mt_error(ctx, MT_ENOMEM, "out of memory");
    size_t k = 0;
    for (size_t i = 0; i < ne; i++)
        if (strncmp(environ[i], "PGPASSWORD=", 11))
            envp[k++] = environ[i];
    if (password) {
        size_t n = strlen(password) + 12;
        if (!(pw = malloc(n))) {
            free(envp);
            return mt_error(ctx, MT_ENOMEM, "out of memory");
        }
        snprintf(pw, n, "PGPASSWORD=%s", password);
        envp[k++] = pw;
    }
    envp[k] = NULL;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        execvpe(argv[0], (char *const *)argv, envp);
        _exit(127);
    }
    int status = 0, err = errno;
    if (pid > 0)
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
    if (pw) {
        sodium_memzero(pw, strlen(pw));
        free(pw);
    }
    free(envp);
    if (pid < 0)
        return mt_error(ctx, MT_EIO, "%s: cannot start it: %s", argv[0], strerror(err));
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
        return mt_error(ctx, MT_EIO,
                        "%s: not found on PATH (Debian: apt-get install postgresql-client)",
                        argv[0]);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return mt_error(ctx, MT_EIO, "%s failed (%s %d; its messages are above)", argv[0],
                        WIFEXITED(status) ? "exit status" : "signal",
                        WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
    return MT_OK;
}

/* ---- backup and restore --------------------------------------------------------------------- */

mt_status mt_node_backup(mt_ctx *ctx, const char *db_url, const char *out)
{
    if (!out || !*out)
        return mt_error(ctx, MT_EINVAL, "--out FILE is required");
    if (is_sqlite(db_url))
        return mt_store_sqlite_backup(ctx, db_url + 7, out);
    if (!is_pg(db_url))
        return mt_error(ctx, MT_EINVAL,
                        "--db must be sqlite:PATH or postgresql://... (got \"%.40s\")",
                        db_url ? db_url : "");
    char *clean = NULL, *pw = NULL;
    mt_status st = pg_split(ctx, db_url, &clean, &pw);
    if (st != MT_OK)
        return st;
    size_t n = strlen(out) + 16;
    char *tmp = malloc(n), *fdb = malloc(strlen(clean) + 16), *ffile = malloc(n + 8);
    int fd = -1, created = 0;
    if (!tmp || !fdb || !ffile) {
        st = mt_error(ctx, MT_ENOMEM, "out of memory");
    } else {
        snprintf(tmp, n, "%s.tmp-XXXXXX", out);
        if ((fd = mkstemp(tmp)) < 0) /* mode 0600; pg_dump writes into it */
            st = mt_error(ctx, MT_EIO, "cannot create %s: %s", tmp, strerror(errno));
        else
            created = 1, close(fd);
    }
    if (st == MT_OK) {
        snprintf(fdb, strlen(clean) + 16, "--dbname=%s", clean);
        snprintf(ffile, n + 8, "--file=%s", tmp);
        const char *argv[] = {
            "pg_dump", "--format=custom", "--no-owner", "--no-privileges", fdb, ffile, NULL};
        st = run_tool(ctx, argv, pw);
    }
    if (st == MT_OK)
        st = mt_sync_rename(ctx, tmp, out);
    if (st != MT_OK && created)
        unlink(tmp);
    if (pw) {
        sodium_memzero(pw, strlen(pw));
        free(pw);
    }
    free(clean);
    free(tmp);
    free(fdb);
    free(ffile);
    return st;
}

static int count_row(void *arg, size_t n, const mt_value *c, const char *const *names)
{
    (void)names;
    if (n >= 1 && c[0].type == MT_VALUE_INT)
        *(long long *)arg = (long long)c[0].i;
    return 1;
}

mt_status mt_node_restore(mt_ctx *ctx, const char *db_url, const char *from, int force)
{
    if (!from || !*from)
        return mt_error(ctx, MT_EINVAL, "--from FILE is required");
    char head[16] = {0};
    int fd = open(from, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return mt_error(ctx, MT_EIO, "cannot open %s: %s", from, strerror(errno));
    ssize_t got = read(fd, head, sizeof head);
    close(fd);
    int sqlite_file = got == 16 && !memcmp(head, "SQLite format 3", 16);
    int pg_file = got >= 5 && !memcmp(head, "PGDMP", 5);
    if (!sqlite_file && !pg_file)
        return mt_error(ctx, MT_EINVAL,
                        "%s is neither a SQLite backup nor a pg_dump custom-format "
                        "file",
                        from);
    if (is_sqlite(db_url)) {
        if (!sqlite_file)
            return mt_error(ctx, MT_EINVAL,
                            "%s is a PostgreSQL dump: restore it into a "
                            "postgresql:// store",
                            from);
        return mt_store_sqlite_restore(ctx, from, db_url + 7, force);
    }
    if (!is_pg(db_url))
        return mt_error(ctx, MT_EINVAL,
                        "--db must be sqlite:PATH or postgresql://... (got \"%.40s\")",
                        db_url ? db_url : "");
    if (!pg_file)
        return mt_error(ctx, MT_EINVAL, "%s is a SQLite backup: restore it into a sqlite: store",
                        from);
    /* the target must be empty unless --force */
    mt_store *s = NULL;
    mt_store_conn *c = NULL;
    long long tables = -1;
    mt_status st = mt_store_open(ctx, db_url, 1, &s);
    if (st == MT_OK)
        st = mt_store_acquire(s, ctx, &c);
    if (st == MT_OK)
        st = mt_store_exec(c, ctx,
                           "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = "
                           "current_schema()",
                           0, NULL, count_row, &tables, NULL);
    if (c)
        mt_store_release(c);
    mt_store_close(s);
    if (st != MT_OK)
        return st;
    if (tables > 0 && !force)
        return mt_error(ctx, MT_EINVAL,
                        "the store is not empty (%lld tables): restore refuses to "
                        "replace it without --force (stop the node first)",
                        tables);
    char *clean = NULL, *pw = NULL;
    st = pg_split(ctx, db_url, &clean, &pw);
    if (st != MT_OK)
        return st;
    char *fdb = malloc(strlen(clean) + 16);
    if (!fdb) {
        st = mt_error(ctx, MT_ENOMEM, "out of memory");
    } else {
        snprintf(fdb, strlen(clean) + 16, "--dbname=%s", clean);
        const char *argv[10];
        int k = 0;
        argv[k++] = "pg_restore";
        argv[k++] = fdb;
        argv[k++] = "--no-owner";
        argv[k++] = "--no-privileges";
        argv[k++] = "--exit-on-error";
        argv[k++] = "--single-transaction";
        if (tables > 0) {
            argv[k++] = "--clean";
            argv[k++] = "--if-exists";
        }
        argv[k++] = from;
        argv[k] = NULL;
        st = run_tool(ctx, argv, pw);
    }
    if (pw) {
        sodium_memzero(pw, strlen(pw));
        free(pw);
    }
    free(clean);
    free(fdb);
    return st;
}

/* ---- key rotation --------------------------------------------------------------------------- */

typedef struct {
    char id[80];
    unsigned char w[MT_PRIVACY_WRAPPED_BYTES];
    size_t n;
} wrapped_key;

typedef struct {
    wrapped_key *v;
    size_t n, cap;
    int bad;
} key_list;

static int collect_key(void *arg, size_t n, const mt_value *c, const char *const *names)
{
    (void)names;
    key_list *l = arg;
    if (n < 2 || c[0].type != MT_VALUE_TEXT || c[1].type != MT_VALUE_BLOB || c[0].n >= 80 ||
        c[1].n != MT_PRIVACY_WRAPPED_BYTES) {
        l->bad = 1;
        return 1;
    }
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        wrapped_key *v = realloc(l->v, cap * sizeof *v);
        if (!v) {
            l->bad = 2;
            return 1;
        }
        l->v = v;
        l->cap = cap;
    }
    wrapped_key *k = &l->v[l->n++];
    snprintf(k->id, sizeof k->id, "%.*s", (int)c[0].n, c[0].s);
    memcpy(k->w, c[1].s, c[1].n);
    k->n = c[1].n;
    return 0;
}

mt_status mt_node_key_rotate(mt_ctx *ctx, const char *db_url, const char *old_key,
                             const char *new_key, long long *n_twins)
{
    if (n_twins)
        *n_twins = 0;
    if (sodium_init() < 0)
        return mt_error(ctx, MT_EIO, "libsodium could not be initialised");
    if (!db_url || !old_key || !new_key)
        return mt_error(ctx, MT_EINVAL, "--db, --key and --new-key are required");
    if (is_sqlite(db_url) && access(db_url + 7, F_OK) != 0)
        return mt_error(ctx, MT_EINVAL, "no store at %s: %s", db_url + 7, strerror(errno));
    mt_privacy_keys *ok = NULL, *nk = NULL;
    mt_status st = mt_privacy_keys_load(ctx, old_key, 0, &ok); /* never created */
    if (st != MT_OK)
        return st;
    mt_privacy_keys_destroy(ok);
    ok = NULL;
    /* the store, migrated, with the old key bound (refused when the old key does not open it) */
    mt_node_options o = {
        .db_url = db_url, .listen = "127.0.0.1:0", .no_bundled = 1, .key_file = old_key};
    mt_node *nd = NULL;
    st = mt_node_open(ctx, &o, &nd);
    if (st == MT_OK)
        st = mt_privacy_keys_load(ctx, new_key, 1, &nk);
    if (st == MT_OK && !sodium_memcmp(nk->wrap, nd->keys->wrap, sizeof nk->wrap))
        st = mt_error(ctx, MT_EINVAL, "--new-key holds the same key as --key");
    long long n_entries = 0;
    if (st == MT_OK && mt_audit_verify(nd->store, ctx, nd->keys->sign_pk, &n_entries) != MT_OK)
        st = mt_error(ctx, MT_EINVAL,
                      "the audit log does not verify with the old key, so it will "
                      "not be re-signed: %s",
                      mt_errmsg(ctx));
    if (st != MT_OK) {
        mt_privacy_keys_destroy(nk);
        mt_node_close(nd);
        return st;
    }
    /* the pseudonym key stays: the store's, now wrapped with the new key */
    memcpy(nk->pseudonym, nd->keys->pseudonym, sizeof nk->pseudonym);
    int pg = mt_store_dialect_of(nd->store) == MT_DIALECT_POSTGRES;
    mt_store_conn *c = NULL;
    key_list l = {0};
    st = mt_store_acquire(nd->store, ctx, &c);
    /* SQLite: the replaced wrapped keys are overwritten in the file, not left in free pages */
    if (st == MT_OK && !pg)
        st = mt_store_exec(c, ctx, "PRAGMA secure_delete = ON", 0, NULL, NULL, NULL, NULL);
    if (st == MT_OK)
        st = mt_store_begin(c, ctx);
    if (st == MT_OK)
        st = mt_audit_lock(c, ctx, pg); /* no twin written meanwhile (PostgreSQL) */
    if (st == MT_OK)
        st = mt_store_exec(c, ctx, "SELECT twin_id, wrapped FROM twin_keys ORDER BY twin_id", 0,
                           NULL, collect_key, &l, NULL);
    if (st == MT_OK && l.bad)
        st = l.bad == 2 ? mt_error(ctx, MT_ENOMEM, "out of memory")
                        : mt_error(ctx, MT_EIO, "a row of twin_keys is malformed");
    char ts[40];
    mt_node_now_iso(ts);
    for (size_t i = 0; st == MT_OK && i < l.n; i++) {
        unsigned char dk[MT_PRIVACY_KEY_BYTES], w[MT_PRIVACY_WRAPPED_BYTES];
        st = mt_privacy_unwrap(ctx, nd->keys, l.v[i].id, l.v[i].w, l.v[i].n, dk);
        if (st != MT_OK)
            break;
        mt_privacy_wrap(nk, l.v[i].id, dk, w);
        sodium_memzero(dk, sizeof dk);
        int64_t changed = 0;
        st = mt_store_exec(c, ctx, "UPDATE twin_keys SET wrapped = ? WHERE twin_id = ?", 2,
                           (mt_value[]){mt_v_blob(w, sizeof w), mt_v_text(l.v[i].id)}, NULL, NULL,
                           &changed);
        if (st == MT_OK && changed != 1)
            st = mt_error(ctx, MT_EIO, "twin %s changed meanwhile", l.v[i].id);
    }
    /* the per-job keys of jobs on inline profiles (node_jobs.c: associated data "job ID") */
    key_list jl = {0};
    if (st == MT_OK)
        st = mt_store_exec(c, ctx,
                           "SELECT id, job_key FROM jobs WHERE job_key IS NOT NULL ORDER BY id", 0,
                           NULL, collect_key, &jl, NULL);
    if (st == MT_OK && jl.bad)
        st = jl.bad == 2 ? mt_error(ctx, MT_ENOMEM, "out of memory")
                         : mt_error(ctx, MT_EIO, "a job_key of the table jobs is malformed");
    for (size_t i = 0; st == MT_OK && i < jl.n; i++) {
        unsigned char dk[MT_PRIVACY_KEY_BYTES], w[MT_PRIVACY_WRAPPED_BYTES];
        char aad[96];
        snprintf(aad, sizeof aad, "job %s", jl.v[i].id);
        st = mt_privacy_unwrap(ctx, nd->keys, aad, jl.v[i].w, jl.v[i].n, dk);
        if (st != MT_OK)
            break;
        mt_privacy_wrap(nk, aad, dk, w);
        sodium_memzero(dk, sizeof dk);
        st = mt_store_exec(c, ctx, "UPDATE jobs SET job_key = ? WHERE id = ?", 2,
                           (mt_value[]){mt_v_blob(w, sizeof w), mt_v_text(jl.v[i].id)}, NULL, NULL,
                           NULL);
    }
    if (jl.v) {
        sodium_memzero(jl.v, jl.cap * sizeof *jl.v);
        free(jl.v);
    }
    if (st == MT_OK) {
        unsigned char w[MT_PRIVACY_WRAPPED_BYTES];
        mt_privacy_wrap(nk, MT_PRIVACY_SECRET_PSEUDONYM, nk->pseudonym, w);
        int64_t changed = 0;
        st = mt_store_exec(c, ctx,
                           "UPDATE node_secrets SET wrapped = ?, updated = ? WHERE name = "
                           "'pseudonym'",
                           2, (mt_value[]){mt_v_blob(w, sizeof w), mt_v_text(ts)}, NULL, NULL,
                           &changed);
        if (st == MT_OK && changed != 1)
            st = mt_error(ctx, MT_EIO, "the store's pseudonym key is missing");
    }
    /* the rotation in the audit log, and the head signed with the new key */
    if (st == MT_OK)
        st = mt_audit_append(c, ctx, pg, nk, "medtwin-key-rotate", "node.key-rotate", "node");
    st = mt_store_finish(c, ctx, st);
    if (st == MT_OK && !pg) { /* drop the old wrapped keys from the WAL too (best effort) */
        mt_ctx *quiet = NULL;
        if (mt_ctx_create(&quiet) == MT_OK &&
            mt_store_exec(c, quiet, "PRAGMA wal_checkpoint(TRUNCATE)", 0, NULL, NULL, NULL, NULL) !=
                MT_OK)
            fprintf(stderr, "note: WAL checkpoint: %s\n", mt_errmsg(quiet));
        mt_ctx_destroy(quiet);
    }
    if (c)
        mt_store_release(c);
    if (l.v) {
        sodium_memzero(l.v, l.cap * sizeof *l.v);
        free(l.v);
    }
    if (st == MT_OK && mt_audit_verify(nd->store, ctx, nk->sign_pk, &n_entries) != MT_OK)
        st = mt_error(ctx, MT_EIO, "the audit log does not verify afterwards: %s", mt_errmsg(ctx));
    if (st == MT_OK && n_twins)
        *n_twins = (long long)l.n;
    mt_privacy_keys_destroy(nk);
    mt_node_close(nd);
    return st;
}
