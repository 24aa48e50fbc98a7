/* SPDX-License-Identifier: Apache-2.0
 *
 * cli/cmd_drugs.c — `medtwin drugs [--json] [--data DIR]`: lists the drug
 * card library (the JSON files in data/drugs): name, version, kind, and which inputs of
 * the PBPK builder each card has. Every card is loaded and validated; a card
 * that fails validation is listed with its error and makes the exit status 1.
 */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"
#include "medtwin/data.h"
#include "medtwin/drugcard.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const char *const help =
    "usage: medtwin drugs [--json] [--data DIR]\n"
    "\n"
    "Lists the drug cards in DIR/drugs (default: the medtwin data folder,\n"
    "$MEDTWIN_DATA or the source tree's data/). For each card: name, version,\n"
    "kind and the PBPK builder inputs it has; a '-' marks an absent one:\n"
    "  mw logp pka fu bp   physicochemistry (bp: blood:plasma ratio)\n"
    "  partition           a Kp method with logP and fu (kp: explicit Kp)\n"
    "  ka fa fg            first-order absorption, fraction absorbed, gut wall\n"
    "  hepatic renal       elimination processes\n"
    "  interactions        the drug as perpetrator (inhibition, induction)\n"
    "  therapeutic         a therapeutic range\n"
    "Each card also lists what is missing and why (see docs/drug-cards.md).\n"
    "\n"
    "  --json      one JSON array instead of the table\n"
    "  --data DIR  the data folder to read\n";

/* Also declared in cli.h (the command table); repeated here so this file builds on its own. */
int mt_cmd_drugs(int argc, char **argv);

static void flags_text(unsigned flags, char *buf, size_t n)
{
    size_t w = 0;
    buf[0] = '\0';
    for (unsigned i = 0; i < MT_DC_N_FLAGS && w < n; i++) {
        int k = snprintf(buf + w, n - w, "%s%s%s", w ? " " : "", (flags >> i) & 1u ? "" : "-",
                         mt_drugcard_flag_name(i));
        if (k < 0)
            break;
        w += (size_t)k;
    }
}

static json_t *card_json(const char *name, const mt_drugcard *c, const char *error)
{
    json_t *o = json_object();
    json_object_set_new(o, "name", json_string(name));
    if (!c) {
        json_object_set_new(o, "valid", json_false());
        json_object_set_new(o, "error", json_string(error));
        return o;
    }
    json_object_set_new(o, "valid", json_true());
    json_object_set_new(o, "version", json_string(mt_drugcard_version(c)));
    json_object_set_new(o, "kind", json_string(mt_drugcard_kind(c)));
    json_object_set_new(o, "display_name", json_string(mt_drugcard_display_name(c)));
    unsigned f = mt_drugcard_completeness(c);
    json_t *have = json_array(), *lack = json_array(), *miss = json_array();
    for (unsigned i = 0; i < MT_DC_N_FLAGS; i++)
        json_array_append_new((f >> i) & 1u ? have : lack, json_string(mt_drugcard_flag_name(i)));
    json_object_set_new(o, "present", have);
    json_object_set_new(o, "absent", lack);
    for (size_t i = 0; i < mt_drugcard_n_missing(c); i++) {
        const char *field, *why;
        if (mt_drugcard_missing(c, i, &field, &why) == MT_OK) {
            json_t *m = json_object();
            json_object_set_new(m, "field", json_string(field));
            json_object_set_new(m, "why", json_string(why));
            json_array_append_new(miss, m);
        }
    }
    json_object_set_new(o, "missing", miss);
    const char *links[] = {mt_drugcard_parent(c), mt_drugcard_racemate(c)};
    if (links[0])
        json_object_set_new(o, "parent", json_string(links[0]));
    if (links[1])
        json_object_set_new(o, "racemate", json_string(links[1]));
    if (mt_drugcard_n_enantiomers(c)) {
        json_t *e = json_array();
        for (size_t i = 0; i < mt_drugcard_n_enantiomers(c); i++)
            json_array_append_new(e, json_string(mt_drugcard_enantiomer(c, i)));
        json_object_set_new(o, "enantiomers", e);
    }
    return o;
}

int mt_cmd_drugs(int argc, char **argv)
{
    int as_json = 0;
    const char *dir = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(help, stdout);
            return 0;
        } else if (!strcmp(argv[i], "--json")) {
            as_json = 1;
        } else if (!strcmp(argv[i], "--data")) {
            if (i + 1 >= argc) {
                mt_cli_fail("drugs: option --data needs a value");
                return 2;
            }
            dir = argv[++i];
        } else {
            mt_cli_fail("drugs: unknown argument '%s' (see medtwin drugs --help)", argv[i]);
            return 2;
        }
    }
    mt_ctx *ctx = NULL;
    if (mt_ctx_create(&ctx) != MT_OK)
        return mt_cli_fail("drugs: out of memory");
    char **names = NULL;
    size_t n = 0;
    if (mt_drugcard_list(ctx, dir, &names, &n) != MT_OK) {
        mt_cli_fail("drugs: %s", mt_errmsg(ctx));
        mt_ctx_destroy(ctx);
        return 1;
    }
    int n_bad = 0;
    json_t *arr = as_json ? json_array() : NULL;
    if (!as_json)
        printf("%-26s %-8s %-5s %s\n", "NAME", "VERSION", "KIND", "BUILDER INPUTS ('-' = absent)");
    for (size_t i = 0; i < n; i++) {
        mt_drugcard *c = NULL;
        mt_status st = mt_drugcard_load(ctx, dir, names[i], &c);
        const char *err = st == MT_OK ? NULL : mt_errmsg(ctx);
        if (st != MT_OK)
            n_bad++;
        if (as_json) {
            json_array_append_new(arr, card_json(names[i], c, err));
        } else if (c) {
            char fl[256];
            flags_text(mt_drugcard_completeness(c), fl, sizeof fl);
            printf("%-26s %-8s %-5s %s\n", names[i], mt_drugcard_version(c), mt_drugcard_kind(c),
                   fl);
        } else {
            printf("%-26s INVALID: %s\n", names[i], err);
        }
        mt_drugcard_destroy(c);
    }
    if (as_json) {
        json_dumpf(arr, stdout, JSON_INDENT(2));
        fputc('\n', stdout);
        json_decref(arr);
    } else {
        printf("%zu cards", n);
        if (n_bad)
            printf(", %d invalid", n_bad);
        printf(" in %s/drugs\n", dir ? dir : mt_data_dir());
    }
    mt_drugcard_names_free(ctx, names, n);
    mt_ctx_destroy(ctx);
    if (n_bad)
        return mt_cli_fail("drugs: %d card%s failed validation", n_bad, n_bad == 1 ? "" : "s");
    return 0;
}
