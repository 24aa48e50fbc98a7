/* SPDX-License-Identifier: Apache-2.0
 *
 * cli/cmd_audit.c — `medtwin audit verify`: recomputes the repository node's audit log (the
 * hash chain of every read and write of personal data) and checks its signed head with the node
 * key (medtwin/node.h mt_node_audit_verify, docs/node.md "Data protection").
 *
 * Exit status: 0 verified; 1 the log is not intact (the message says what: a changed, missing
 * or unlinked entry, a truncated log, a forged head) or cannot be checked; 2 usage.
 */
#include "cli.h"
#include "medtwin/node.h"

#include <stdlib.h>
#include <string.h>

static const char *const audit_help =
    "usage: medtwin audit verify --db sqlite:PATH|postgresql://... [--key FILE]\n"
    "\n"
    "Recomputes the node's audit log (a hash chain of every read and write of personal data)\n"
    "and checks its Ed25519-signed head: detects changed, deleted and reordered entries, a\n"
    "truncated log and a forged head.\n"
    "\n"
    "  --db URL     the node's store\n"
    "  --key FILE   the node key (default PATH.key beside a sqlite:PATH store; required with\n"
    "               PostgreSQL)\n";

int mt_cmd_audit(int argc, char **argv)
{
    int sub = mt_cli_subcommand(argc, argv, 2, "verify", audit_help);
    if (sub >= 0)
        return sub;
    const char *db = NULL, *key = NULL;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(audit_help, stdout);
            return 0;
        }
        if (i + 1 >= argc)
            return mt_cli_fail("audit verify: option %s needs a value", a);
        const char *v = argv[++i];
        if (!strcmp(a, "--db"))
            db = v;
        else if (!strcmp(a, "--key"))
            key = v;
        else
            return mt_cli_fail("audit verify: unknown option %s (see --help)", a);
    }
    if (!db)
        return mt_cli_fail("audit verify: --db is required");
    mt_ctx *ctx = NULL;
    if (mt_ctx_create(&ctx) != MT_OK)
        return mt_cli_fail("out of memory");
    long long n = 0;
    mt_status st = mt_node_audit_verify(ctx, db, key, &n);
    int rc = 0;
    if (st == MT_OK)
        printf("audit: %lld entries, chain and signed head verified\n", n);
    else
        rc = mt_cli_fail("audit verify: %s", mt_errmsg(ctx));
    mt_ctx_destroy(ctx);
    return rc;
}
