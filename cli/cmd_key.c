/* SPDX-License-Identifier: Apache-2.0
 *
 * cli/cmd_key.c — `medtwin key rotate`: re-wraps every key of a node's store under a new node
 * key and re-signs its audit log (medtwin/node_ops.h, docs/operations.md "Key rotation").
 *
 * Exit status: 0 rotated; 1 refused or failed (the message says why); 2 usage.
 */
#include "cli.h"
#include "medtwin/node_ops.h"

#include <string.h>

static const char *const key_help =
    "usage: medtwin key rotate --db sqlite:PATH|postgresql://... --key OLD --new-key NEW\n"
    "\n"
    "Rotates the node key: in one transaction every twin's data key, the per-job keys and the\n"
    "store's pseudonym key are re-wrapped under NEW (created, 32 random bytes, mode 0600, when\n"
    "missing), and the rotation is appended to the audit log, signed with NEW. Pseudonyms do not\n"
    "change; after it only NEW opens the store and `medtwin audit verify --key NEW` passes.\n"
    "Stop the node first, then start it with --key NEW (or move NEW to PATH.key beside a SQLite\n"
    "store). Backups taken before still need OLD.\n";

int mt_cmd_key(int argc, char **argv)
{
    int sub = mt_cli_subcommand(argc, argv, 2, "rotate", key_help);
    if (sub >= 0)
        return sub;
    const char *db = NULL, *old = NULL, *new_key = NULL;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(key_help, stdout);
            return 0;
        }
        if (i + 1 >= argc) {
            mt_cli_fail("key rotate: option %s needs a value", a);
            return 2;
        }
        const char *v = argv[++i];
        if (!strcmp(a, "--db"))
            db = v;
        else if (!strcmp(a, "--key"))
            old = v;
        else if (!strcmp(a, "--new-key"))
            new_key = v;
        else {
            mt_cli_fail("key rotate: unknown option %s (see --help)", a);
            return 2;
        }
    }
    if (!db || !old || !new_key) {
        mt_cli_fail("key rotate: --db, --key and --new-key are required");
        return 2;
    }
    mt_ctx *ctx = NULL;
    if (mt_ctx_create(&ctx) != MT_OK)
        return mt_cli_fail("out of memory");
    long long n = 0;
    int rc = 0;
    if (mt_node_key_rotate(ctx, db, old, new_key, &n) != MT_OK)
        rc = mt_cli_fail("key rotate: %s", mt_errmsg(ctx));
    else
        printf("key rotate: %lld twin data keys and the pseudonym key re-wrapped under %s; audit "
               "head signed with it and verified\n"
               "note: start the node with the new key; back up the new key file separately\n",
               n, new_key);
    mt_ctx_destroy(ctx);
    return rc;
}
