/* SPDX-License-Identifier: Apache-2.0
 *
 * cli/cmd_serve.c — `medtwin serve` (the repository node: medtwin/node.h, docs/node.md) and
 * `medtwin token create` (an API token, offline, straight into the store).
 *
 * serve opens and migrates the store, loads the bundled models on first start, creates the
 * first admin token when there is none (printed once on stderr: the store keeps only its
 * argon2id hash), prints the URL and serves until SIGINT or SIGTERM, then stops cleanly
 * (requests in flight finish; the store is closed).
 */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"
#include "medtwin/node.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

static const char *const serve_help =
    "usage: medtwin serve [--db sqlite:PATH|postgresql://...] [--listen HOST:PORT] [options]\n"
    "\n"
    "Runs the repository node: the JSON API under /api/v1/ (docs/openapi.json, docs/node.md).\n"
    "\n"
    "  --db URL           storage (default sqlite:medtwin-node.db): SQLite file or a\n"
    "                     PostgreSQL connection URI\n"
    "  --listen ADDR      address and port (default 127.0.0.1:8080; port 0: any free one)\n"
    "  --threads N        HTTP worker threads (default 4)\n"
    "  --job-workers N    job queue worker threads (default 2; docs/jobs.md)\n"
    "  --max-body BYTES   largest request body (default 16 MiB)\n"
    "  --tls-cert FILE --tls-key FILE   serve HTTPS (PEM)\n"
    "  --key FILE         the node key (32 random bytes, mode 0600, created when missing;\n"
    "                     default PATH.key beside a sqlite:PATH store, required with\n"
    "                     PostgreSQL): encrypts twins, pseudonyms, signs the audit log\n"
    "  --no-bundled       do not load the bundled models and drugs into an empty store\n"
    "  --demo             also load the demo twins (data/demo/twins, fictional patients) as the\n"
    "                     group demo, and create a clinician token of it (printed once)\n";

static const char *const token_help =
    "usage: medtwin token create --db URL --role ROLE --group GROUP [--label TEXT]\n"
    "\n"
    "Creates an API token in the node's store and prints it (once: only its hash is kept).\n"
    "ROLE: reader, clinician, modeller, curator or admin.\n";

int mt_cmd_serve(int argc, char **argv)
{
    mt_node_options o = {.db_url = "sqlite:medtwin-node.db", .listen = "127.0.0.1:8080"};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(serve_help, stdout);
            return 0;
        }
        if (!strcmp(a, "--no-bundled")) {
            o.no_bundled = 1;
            continue;
        }
        if (!strcmp(a, "--demo")) {
            o.demo = 1;
            continue;
        }
        if (i + 1 >= argc)
            return mt_cli_fail("serve: option %s needs a value", a);
        const char *v = argv[++i];
        long x;
        if (!strcmp(a, "--db")) {
            o.db_url = v;
        } else if (!strcmp(a, "--listen")) {
            o.listen = v;
        } else if (!strcmp(a, "--threads")) {
            if (mt_cli_parse_long(v, &x) || x < 1 || x > 256)
                return mt_cli_fail("serve: --threads '%s': 1..256", v);
            o.threads = (int)x;
        } else if (!strcmp(a, "--job-workers")) {
            if (mt_cli_parse_long(v, &x) || x < 1 || x > 64)
                return mt_cli_fail("serve: --job-workers '%s': 1..64", v);
            o.job_workers = (int)x;
        } else if (!strcmp(a, "--max-body")) {
            if (mt_cli_parse_long(v, &x) || x < 1024 || x > (1L << 30))
                return mt_cli_fail("serve: --max-body '%s': 1024..1073741824 bytes", v);
            o.max_body = (size_t)x;
        } else if (!strcmp(a, "--tls-cert")) {
            o.tls_cert_pem = v;
        } else if (!strcmp(a, "--tls-key")) {
            o.tls_key_pem = v;
        } else if (!strcmp(a, "--key")) {
            o.key_file = v;
        } else {
            return mt_cli_fail("serve: unknown option %s (see --help)", a);
        }
    }
    /* the signals are waited for below, in this thread only; the server's threads inherit the
     * mask; a client that goes away must not kill the server (SIGPIPE) */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    mt_ctx *ctx = NULL;
    if (mt_ctx_create(&ctx) != MT_OK)
        return mt_cli_fail("out of memory");
    mt_node *node = NULL;
    char *admin = NULL, *demo = NULL;
    int rc = 0;
    if (mt_node_open(ctx, &o, &node) != MT_OK ||
        mt_node_bootstrap_admin(node, ctx, &admin) != MT_OK ||
        (o.demo && mt_node_demo_token(node, ctx, &demo) != MT_OK) ||
        mt_node_start(node, ctx) != MT_OK) {
        rc = mt_cli_fail("serve: %s", mt_errmsg(ctx));
    } else {
        if (admin)
            fprintf(stderr,
                    "medtwin serve: the first admin token (shown only now, keep it):\n"
                    "  %s\n",
                    admin);
        if (demo)
            fprintf(stderr,
                    "medtwin serve: a clinician token of the group demo, to read the demo twins "
                    "(shown only now):\n"
                    "  %s\n",
                    demo);
        const char *host = o.listen;
        const char *colon = strrchr(host, ':');
        int hlen = colon ? (int)(colon - host) : (int)strlen(host);
        printf("medtwin node listening on %s://%.*s:%u/api/v1/ (storage %s)\n",
               o.tls_cert_pem ? "https" : "http", hlen ? hlen : 9, hlen ? host : "127.0.0.1",
               mt_node_port(node), strncmp(o.db_url, "sqlite:", 7) ? "postgresql" : o.db_url);
        fflush(stdout);
        int sig = 0;
        sigwait(&set, &sig);
        fprintf(stderr, "medtwin serve: %s received, stopping\n",
                sig == SIGINT ? "SIGINT" : "SIGTERM");
    }
    free(admin);
    free(demo);
    mt_node_close(node);
    mt_ctx_destroy(ctx);
    return rc;
}

int mt_cmd_token(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "create")) {
        fputs(token_help, argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
                              ? stdout
                              : stderr);
        return argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) ? 0 : 2;
    }
    const char *db = NULL, *role = NULL, *group = NULL, *label = "";
    for (int i = 2; i < argc; i++) {
        if (i + 1 >= argc)
            return mt_cli_fail("token create: option %s needs a value", argv[i]);
        const char *a = argv[i], *v = argv[++i];
        if (!strcmp(a, "--db"))
            db = v;
        else if (!strcmp(a, "--role"))
            role = v;
        else if (!strcmp(a, "--group"))
            group = v;
        else if (!strcmp(a, "--label"))
            label = v;
        else
            return mt_cli_fail("token create: unknown option %s", a);
    }
    if (!db || !role || !group)
        return mt_cli_fail("token create: --db, --role and --group are required");
    mt_ctx *ctx = NULL;
    if (mt_ctx_create(&ctx) != MT_OK)
        return mt_cli_fail("out of memory");
    mt_node_options o = {.db_url = db, .listen = "127.0.0.1:0", .no_bundled = 1, .no_key = 1};
    mt_node *node = NULL;
    char *tok = NULL;
    int rc = 0;
    if (mt_node_open(ctx, &o, &node) != MT_OK ||
        mt_node_token_create(node, ctx, role, group, label, &tok) != MT_OK)
        rc = mt_cli_fail("token create: %s", mt_errmsg(ctx));
    else
        printf("%s\n", tok);
    free(tok);
    mt_node_close(node);
    mt_ctx_destroy(ctx);
    return rc;
}
