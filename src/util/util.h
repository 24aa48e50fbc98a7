/* SPDX-License-Identifier: Apache-2.0
 * util/util.h — private helpers shared by every layer: the context layout,
 * allocation wrappers. Not installed. */
#ifndef MT_UTIL_H
#define MT_UTIL_H

#include "medtwin/error.h"

#include <stddef.h>

struct mt_ctx {
    char msg[1024];
};

void *mt_malloc(mt_ctx *ctx, size_t n);
void *mt_calloc(mt_ctx *ctx, size_t count, size_t n);
void *mt_realloc(mt_ctx *ctx, void *p, size_t n);
void mt_free(mt_ctx *ctx, void *p);
char *mt_strdup(mt_ctx *ctx, const char *s);

#endif
