/* SPDX-License-Identifier: Apache-2.0
 *
 * cli/cmd_export.c — `medtwin export verify FILE [--public-key HEX]`: checks a node's signed
 * export (GET /api/v1/export; medtwin/node.h mt_node_export_verify, docs/node.md "Federation").
 */
#include "cli.h"
#include "medtwin/node.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const export_help =
    "usage: medtwin export verify FILE [--public-key HEX]\n"
    "\n"
    "Checks a node's signed export (the answer of GET /api/v1/export): its Ed25519 signature\n"
    "over the payload and, with --public-key, that the signer is the key pinned for that node\n"
    "(GET /api/v1/node). Prints the signer's key id and the counts; exits 1 when it does not\n"
    "verify.\n";

int mt_cmd_export(int argc, char **argv)
{
    int sub = mt_cli_subcommand(argc, argv, 3, "verify", export_help);
    if (sub >= 0)
        return sub;
    const char *file = NULL, *pk = NULL;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--public-key")) {
            if (i + 1 >= argc)
                return mt_cli_fail("export verify: --public-key needs a value");
            pk = argv[++i];
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return mt_cli_fail("export verify: unknown option %s (see --help)", argv[i]);
        } else if (file) {
            return mt_cli_fail("export verify: one FILE only");
        } else {
            file = argv[i];
        }
    }
    if (!file)
        return mt_cli_fail("export verify: FILE is required");
    mt_ctx *ctx = NULL;
    if (mt_ctx_create(&ctx) != MT_OK)
        return mt_cli_fail("out of memory");
    FILE *f = fopen(file, "rb");
    size_t cap = ((size_t)64 << 20) + 1, len = 0; /* one byte over the limit: refused there */
    char *text = f ? malloc(cap) : NULL;
    int rc = 0;
    mt_node_export_info info;
    if (!f)
        rc = mt_cli_fail("export verify: %s: %s", file, strerror(errno));
    else if (!text)
        rc = mt_cli_fail("out of memory");
    else if ((len = fread(text, 1, cap, f), ferror(f)))
        rc = mt_cli_fail("export verify: %s: cannot read it", file);
    else if (mt_node_export_verify(ctx, text, len, pk, &info) != MT_OK)
        rc = mt_cli_fail("export verify: %s: %s", file, mt_errmsg(ctx));
    else
        printf("export: %lld resources, %lld versions, signature verified (key %s%s)\n",
               info.n_resources, info.n_versions, info.key_id, pk ? ", the pinned one" : "");
    if (f)
        fclose(f);
    free(text);
    mt_ctx_destroy(ctx);
    return rc;
}
