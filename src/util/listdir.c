/* SPDX-License-Identifier: Apache-2.0
 *
 * util/listdir.c — the names of the cards in a data folder (util/util.h): the stems of its
 * NAME.json files, NAME of [a-z0-9_] only, sorted; shared by the drug cards and the
 * population-PK cards.
 */
#define _POSIX_C_SOURCE 200809L
#include "medtwin/data.h"
#include "util/util.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int card_name(const char *s, size_t len, size_t max_name)
{
    if (len == 0 || len > max_name)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return 0;
    return 1;
}

void mt_names_free(mt_ctx *ctx, char **names, size_t n)
{
    for (size_t i = 0; names && i < n; i++)
        mt_free(ctx, names[i]);
    mt_free(ctx, names);
}

mt_status mt_list_cards(mt_ctx *ctx, const char *data_dir, const char *sub, size_t max_name,
                        const char *what, char ***names, size_t *n)
{
    *names = NULL;
    *n = 0;
    char path[4096];
    int k = snprintf(path, sizeof path, "%s/%s", data_dir ? data_dir : mt_data_dir(), sub);
    if (k < 0 || (size_t)k >= sizeof path)
        return mt_error(ctx, MT_EINVAL, "data folder path too long");
    DIR *d = opendir(path);
    if (!d)
        return mt_error(ctx, MT_EIO, "cannot read the %s folder '%s': %s", what, path,
                        strerror(errno));
    size_t cap = 0, cnt = 0;
    char **v = NULL;
    mt_status st = MT_OK;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len <= 5 || strcmp(e->d_name + len - 5, ".json") ||
            !card_name(e->d_name, len - 5, max_name))
            continue;
        if (cnt == cap) {
            size_t nc = cap ? cap * 2 : 32;
            char **nv = mt_realloc(ctx, v, nc * sizeof *nv);
            if (!nv) {
                st = mt_error(ctx, MT_ENOMEM, "out of memory listing %ss", what);
                break;
            }
            v = nv;
            cap = nc;
        }
        if (!(v[cnt] = mt_calloc(ctx, len - 4, 1))) {
            st = mt_error(ctx, MT_ENOMEM, "out of memory listing %ss", what);
            break;
        }
        memcpy(v[cnt++], e->d_name, len - 5);
    }
    closedir(d);
    if (st != MT_OK) {
        mt_names_free(ctx, v, cnt);
        return st;
    }
    if (cnt)
        qsort(v, cnt, sizeof *v, name_cmp);
    *names = v;
    *n = cnt;
    return MT_OK;
}
