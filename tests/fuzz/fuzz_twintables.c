/* SPDX-License-Identifier: Apache-2.0
 *
 * tests/fuzz/fuzz_twintables.c — libFuzzer target for the twin's own data tables, read by
 * mt_twin_tables_load() (twin/twin.c, twin/gi.c): the enzyme abundances
 * (enzymes/enzyme_abundance.csv), the intestine of the oral absorption model
 * (physiology/gi_tract.csv), PK-Sim's fractions vascular (physiology/pksim_fraction_vascular.csv)
 * and its cell exchange (physiology/pksim_cell_exchange.csv), and the twin parameters computed
 * from whatever loads.
 *
 * Input: one selector byte (its value modulo 4 picks the table), then the text of that table.
 * It is written into a private copy of the data folder in which every other file is a link to
 * the real one (the loader reads files).
 *
 * Checked on every input (a violation aborts):
 *   loading fails: MT_EIO, MT_EPARSE, MT_ELIMIT or MT_ENOMEM, a one-line message, no tables;
 *   loading succeeds: the twins of the reference man for erythromycin IV (a CYP3A4 Vmax and a
 *     PK-Sim specific clearance), omeprazole IV (enzymes' specific clearances) and midazolam
 *     oral (the intestine; permeability-limited cells) and digoxin oral (P-gp's efflux with the
 *     mucosa: the enzyme table's P-gp rows, the intestine's) are MT_OK with every
 *     parameter finite, or MT_ENOTFOUND / MT_EUNSUPPORTED / MT_EINVAL with a one-line message
 *     and an empty list.
 */
#define _POSIX_C_SOURCE 200809L
#include "medtwin/data.h"
#include "medtwin/drugcard.h"
#include "medtwin/profile.h"
#include "medtwin/twin.h"

#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_INPUT 262144

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz_twintables: %s: %s\n", what, detail ? detail : "");
    abort();
}

#define N_FUZZED 4
static const char *const fuzzed[N_FUZZED] = {
    "enzymes/enzyme_abundance.csv", "physiology/gi_tract.csv",
    "physiology/pksim_fraction_vascular.csv", "physiology/pksim_cell_exchange.csv"};
static char g_dir[256];
static mt_ctx *g_ctx;
static mt_profile *g_person;
static mt_drugcard *g_card[4];

/* Links every entry of src/ into dst/; the folders named in `copy` become real folders whose
 * files are links, so that one of their files can be replaced. */
static void mirror(const char *src, const char *dst, int top)
{
    DIR *d = opendir(src);
    if (!d)
        fail("cannot read", src);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char from[1024], to[1024];
        snprintf(from, sizeof from, "%s/%s", src, e->d_name);
        snprintf(to, sizeof to, "%s/%s", dst, e->d_name);
        if (top && (!strcmp(e->d_name, "enzymes") || !strcmp(e->d_name, "physiology"))) {
            if (mkdir(to, 0700) != 0 && access(to, W_OK) != 0)
                fail("cannot create", to);
            mirror(from, to, 0);
        } else if (symlink(from, to) != 0 && access(to, F_OK) != 0) {
            fail("cannot link", to);
        }
    }
    closedir(d);
}

static void setup(void)
{
    if (g_dir[0])
        return;
    const char *tmp = getenv("TMPDIR");
    snprintf(g_dir, sizeof g_dir, "%s/mt_fuzz_twintables_%ld", tmp && *tmp ? tmp : "/tmp",
             (long)getpid());
    if (mkdir(g_dir, 0700) != 0 && access(g_dir, W_OK) != 0)
        fail("cannot create", g_dir);
    mirror(mt_data_dir(), g_dir, 1);
    if (mt_ctx_create(&g_ctx) != MT_OK)
        fail("no context", NULL);
    static const char person[] = "{\"id\": \"ref\", \"sex\": \"male\", \"age_years\": 30, "
                                 "\"weight_kg\": 73, \"height_cm\": 176}";
    if (mt_profile_parse_json(g_ctx, person, strlen(person), &g_person) != MT_OK)
        fail("reference person", mt_errmsg(g_ctx));
    if (mt_drugcard_load(g_ctx, NULL, "erythromycin", &g_card[0]) != MT_OK ||
        mt_drugcard_load(g_ctx, NULL, "midazolam", &g_card[1]) != MT_OK ||
        mt_drugcard_load(g_ctx, NULL, "omeprazole", &g_card[2]) != MT_OK ||
        mt_drugcard_load(g_ctx, NULL, "digoxin", &g_card[3]) != MT_OK)
        fail("drug cards", mt_errmsg(g_ctx));
}

static void one_line(mt_ctx *ctx, const char *what)
{
    const char *m = mt_errmsg(ctx);
    if (!m || !*m || strchr(m, '\n'))
        fail(what, m ? m : "(no message)");
}

static void twin(const mt_twin_tables *t, int k)
{
    const mt_drugcard *cards[] = {g_card[k]};
    static const char *const names[] = {"erythromycin", "midazolam", "omeprazole", "digoxin"};
    const char *ids[] = {names[k]};
    int oral[] = {k == 1 || k == 3};
    mt_twin_param_list l;
    mt_status st = mt_twin_params(t, g_ctx, g_person, 1, cards, ids, oral, &l);
    if (st == MT_OK) {
        for (size_t i = 0; i < l.n_params; i++)
            if (!isfinite(l.params[i].value))
                fail("parameter not finite", l.params[i].id);
    } else {
        if (st != MT_ENOTFOUND && st != MT_EUNSUPPORTED && st != MT_EINVAL)
            fail("unexpected twin status", mt_errmsg(g_ctx));
        one_line(g_ctx, "twin message");
        if (l.n_params || l.n_facts)
            fail("a list on failure", ids[0]);
    }
    mt_twin_param_list_free(&l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > MAX_INPUT)
        return 0;
    setup();
    char path[512];
    snprintf(path, sizeof path, "%s/%s", g_dir, fuzzed[data[0] % N_FUZZED]);
    unlink(path);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data + 1, 1, size - 1, f) != size - 1 || fclose(f) != 0)
        fail("cannot write", path);
    mt_twin_tables *t = NULL;
    mt_status st = mt_twin_tables_load(g_ctx, g_dir, &t);
    if (st != MT_OK) {
        if (t)
            fail("tables on failure", mt_errmsg(g_ctx));
        if (st != MT_EIO && st != MT_EPARSE && st != MT_ELIMIT && st != MT_ENOMEM)
            fail("unexpected load status", mt_errmsg(g_ctx));
        one_line(g_ctx, "load message");
    } else {
        for (int k = 0; k < 4; k++)
            twin(t, k);
        mt_twin_tables_destroy(t);
    }
    /* put the real table back, so that the next input changes one table only */
    char real[512];
    snprintf(real, sizeof real, "%s/%s", mt_data_dir(), fuzzed[data[0] % N_FUZZED]);
    unlink(path);
    if (symlink(real, path) != 0)
        fail("cannot link", path);
    return 0;
}
