/* SPDX-License-Identifier: Apache-2.0
 *
 * cli/cmd_backup.c — `medtwin backup` and `medtwin restore` of a repository node's store
 * (medtwin/node_ops.h, docs/operations.md): SQLite through its online backup API while the node
 * runs, PostgreSQL through pg_dump / pg_restore (custom format).
 *
 * Exit status: 0 done; 1 failed (the message says why: a store that is not empty without
 * --force, a file of the wrong kind, pg_dump's own messages); 2 usage.
 */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"
#include "medtwin/node_ops.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const backup_help =
    "usage: medtwin backup --db sqlite:PATH|postgresql://... --out FILE\n"
    "\n"
    "A consistent copy of the node's store, taken while the node runs: SQLite through its\n"
    "online backup API (one file), PostgreSQL through pg_dump --format=custom (the password\n"
    "goes to pg_dump in PGPASSWORD, never on its command line). FILE is replaced atomically,\n"
    "mode 0600. The node key is NOT in the backup: back up the key file separately.\n";

static const char *const restore_help =
    "usage: medtwin restore --db sqlite:PATH|postgresql://... --from FILE [--force]\n"
    "\n"
    "Restores a backup made by `medtwin backup` into the store: a SQLite backup into a\n"
    "sqlite: store, a pg_dump file into a PostgreSQL database (pg_restore, one transaction).\n"
    "A store that is not empty is refused unless --force (stop the node first). The node key\n"
    "is not in the backup: put the key file back too (PATH.key beside a SQLite store, or\n"
    "--key), then check with `medtwin audit verify`.\n";

/* --db, --out/--from, --force; returns 0, or the exit status for a usage error. */
static int parse(int argc, char **argv, const char *cmd, const char *help, const char *file_opt,
                 const char **db, const char **file, int *force)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(help, stdout);
            return -1;
        }
        if (force && !strcmp(a, "--force")) {
            *force = 1;
            continue;
        }
        if (i + 1 >= argc) {
            mt_cli_fail("%s: option %s needs a value (see --help)", cmd, a);
            return 2;
        }
        const char *v = argv[++i];
        if (!strcmp(a, "--db"))
            *db = v;
        else if (!strcmp(a, file_opt))
            *file = v;
        else {
            mt_cli_fail("%s: unknown option %s (see --help)", cmd, a);
            return 2;
        }
    }
    if (!*db || !*file) {
        mt_cli_fail("%s: --db and %s are required (see --help)", cmd, file_opt);
        return 2;
    }
    return 0;
}

int mt_cmd_backup(int argc, char **argv)
{
    const char *db = NULL, *out = NULL;
    int rc = parse(argc, argv, "backup", backup_help, "--out", &db, &out, NULL);
    if (rc)
        return rc < 0 ? 0 : rc;
    mt_ctx *ctx = NULL;
    if (mt_ctx_create(&ctx) != MT_OK)
        return mt_cli_fail("out of memory");
    if (mt_node_backup(ctx, db, out) != MT_OK) {
        rc = mt_cli_fail("backup: %s", mt_errmsg(ctx));
    } else {
        struct stat sb;
        long long size = stat(out, &sb) == 0 ? (long long)sb.st_size : -1;
        printf("backup: %s written (%lld bytes)\n"
               "note: the node key is not in the backup; back up the key file separately\n",
               out, size);
    }
    mt_ctx_destroy(ctx);
    return rc;
}

int mt_cmd_restore(int argc, char **argv)
{
    const char *db = NULL, *from = NULL;
    int force = 0;
    int rc = parse(argc, argv, "restore", restore_help, "--from", &db, &from, &force);
    if (rc)
        return rc < 0 ? 0 : rc;
    mt_ctx *ctx = NULL;
    if (mt_ctx_create(&ctx) != MT_OK)
        return mt_cli_fail("out of memory");
    if (mt_node_restore(ctx, db, from, force) != MT_OK)
        rc = mt_cli_fail("restore: %s", mt_errmsg(ctx));
    else
        printf("restore: %s restored into the store\n"
               "note: the node key is not in the backup; put the key file back beside the "
               "store (or pass --key), then run `medtwin audit verify`\n",
               from);
    mt_ctx_destroy(ctx);
    return rc;
}
