/* SPDX-License-Identifier: Apache-2.0
 *
 * util/file.c — reading a whole file into memory, with a size limit, for
 * the parsers that work on text in memory (CSV, profiles, the SBML guard).
 * The buffer doubles from 64 KiB, so the cost is O(size) with at most
 * log2(size / 64 KiB) reallocations.
 */
#define _POSIX_C_SOURCE 200809L
#include "util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

mt_status mt_sync_rename(mt_ctx *ctx, const char *tmp, const char *path)
{
    int fd = open(tmp, O_RDONLY | O_CLOEXEC);
    mt_status st = MT_OK;
    if (fd < 0 || fsync(fd) != 0)
        st = mt_error(ctx, MT_EIO, "cannot sync %s: %s", tmp, strerror(errno));
    if (fd >= 0)
        close(fd);
    if (st == MT_OK && rename(tmp, path) != 0)
        st = mt_error(ctx, MT_EIO, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
    return st;
}

mt_status mt_read_file(mt_ctx *ctx, FILE *f, const char *path, size_t max_bytes, char **out,
                       size_t *len)
{
    *out = NULL;
    *len = 0;
    if (!max_bytes)
        max_bytes = SIZE_MAX / 2;
    size_t cap = 1 << 16, n = 0;
    char *buf = mt_malloc(ctx, cap + 1);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n > max_bytes) {
            mt_free(ctx, buf);
            return mt_error(ctx, MT_ELIMIT, "'%s' is larger than %zu bytes", path, max_bytes);
        }
        if (n < cap)
            break;
        char *nb = mt_realloc(ctx, buf, cap * 2 + 1);
        if (!nb) {
            mt_free(ctx, buf);
            buf = NULL;
            break;
        }
        buf = nb;
        cap *= 2;
    }
    if (!buf)
        return mt_error(ctx, MT_ENOMEM, "out of memory reading '%s'", path);
    if (ferror(f)) {
        mt_free(ctx, buf);
        return mt_error(ctx, MT_EIO, "cannot read '%s'", path);
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return MT_OK;
}
