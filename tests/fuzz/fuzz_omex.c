/* SPDX-License-Identifier: Apache-2.0
 *
 * tests/fuzz/fuzz_omex.c — libFuzzer target for the COMBINE/OMEX reader of the repository node
 * (node/omex.c: the ZIP central directory walk, libzip on a memory buffer with hard caps,
 * manifest.xml and metadata.rdf through libxml2).
 *
 * The input is the archive's bytes. On failure the status must be one of the documented codes
 * (MT_EINVAL hostile or malformed, MT_ELIMIT over a limit, MT_ENOMEM) with a message. On
 * success: the master entry exists and holds data, every entry name is relative without '..',
 * and an archive written from the master (mt_omex_write) reads back with the same master bytes,
 * title, description and creators.
 */
#include "node/omex.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int same(const char *a, const char *b) { return (!a && !b) || (a && b && !strcmp(a, b)); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mt_ctx *ctx;
    if (size > (1u << 20) || mt_ctx_create(&ctx) != MT_OK)
        return 0;
    /* small limits: the fuzzer explores the guards, not the memory */
    mt_omex_limits lim = {64, (size_t)1 << 20, (size_t)4 << 20, 100};
    mt_omex *o = NULL;
    mt_status st = mt_omex_read(ctx, data, size, &lim, &o);
    if (st != MT_OK) {
        if (o || !mt_errmsg(ctx)[0] || (st != MT_EINVAL && st != MT_ELIMIT && st != MT_ENOMEM)) {
            fprintf(stderr, "bad failure: %d %s\n", st, mt_errmsg(ctx));
            abort();
        }
        mt_ctx_destroy(ctx);
        return 0;
    }
    if (o->master >= o->n_entries || !o->entries[o->master].data)
        abort();
    for (size_t i = 0; i < o->n_entries; i++) {
        const char *n = o->entries[i].name;
        if (!n[0] || n[0] == '/' || strstr(n, "..") == n || strstr(n, "/../") || strchr(n, '\\'))
            abort();
    }
    const mt_omex_entry *m = &o->entries[o->master];
    char fmt[96];
    mt_omex_sbml_format((const char *)m->data, m->n, fmt);
    mt_omex_file f = {"model.xml", m->data, m->n, fmt, 1};
    mt_omex_export x = {.title = o->title ? o->title : "",
                        .description = o->description,
                        .identifier = "fuzz",
                        .creators = (const char *const *)o->creators,
                        .n_creators = o->n_creators,
                        .files = &f,
                        .n_files = 1};
    unsigned char *zip = NULL;
    size_t zn = 0;
    if (mt_omex_write(ctx, &x, &zip, &zn) != MT_OK) {
        fprintf(stderr, "write failed: %s\n", mt_errmsg(ctx));
        abort();
    }
    mt_omex *back = NULL;
    if (mt_omex_read(ctx, zip, zn, &lim, &back) != MT_OK) {
        fprintf(stderr, "the written archive does not read back: %s\n", mt_errmsg(ctx));
        abort();
    }
    const mt_omex_entry *bm = &back->entries[back->master];
    if (strcmp(bm->name, "model.xml") || bm->n != m->n || memcmp(bm->data, m->data, m->n) ||
        !same(back->title, o->title) || !same(back->description, o->description) ||
        back->n_creators != o->n_creators) {
        fprintf(stderr, "round trip differs\n");
        abort();
    }
    for (size_t i = 0; i < o->n_creators; i++)
        if (strcmp(back->creators[i], o->creators[i])) {
            fprintf(stderr, "creator %zu differs after a round trip\n", i);
            abort();
        }
    mt_omex_free(back);
    free(zip);
    mt_omex_free(o);
    mt_ctx_destroy(ctx);
    return 0;
}
