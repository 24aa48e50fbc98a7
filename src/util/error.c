/* SPDX-License-Identifier: Apache-2.0
 *
 * util/error.c — the context object and status texts.
 *
 * The context holds the last error message (a fixed buffer: formatting a
 * message never allocates, so it works when memory is exhausted). Status
 * texts come from the X-macro table in medtwin/error.h.
 */
#include "util/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef MT_VERSION_STRING
#define MT_VERSION_STRING "0.0.0"
#endif

const char *mt_version(void) { return MT_VERSION_STRING; }

const char *mt_strerror(mt_status st)
{
    switch (st) {
#define MT_X_CASE(name, code, text)                                                                \
    case name:                                                                                     \
        return text;
        MT_STATUS_MAP(MT_X_CASE)
#undef MT_X_CASE
    }
    return "unknown status";
}

mt_status mt_ctx_create(mt_ctx **out)
{
    *out = NULL;
    mt_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        return MT_ENOMEM;
    *out = ctx;
    return MT_OK;
}

void mt_ctx_destroy(mt_ctx *ctx) { free(ctx); }

const char *mt_errmsg(const mt_ctx *ctx) { return ctx ? ctx->msg : ""; }

void mt_error_clear(mt_ctx *ctx)
{
    if (ctx)
        ctx->msg[0] = '\0';
}

mt_status mt_error(mt_ctx *ctx, mt_status st, const char *fmt, ...)
{
    if (!ctx)
        return st;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx->msg, sizeof ctx->msg, fmt, ap);
    va_end(ap);
    return st;
}

void *mt_malloc(mt_ctx *ctx, size_t n)
{
    (void)ctx;
    return malloc(n ? n : 1);
}

void *mt_calloc(mt_ctx *ctx, size_t count, size_t n)
{
    (void)ctx;
    return calloc(count ? count : 1, n ? n : 1);
}

void *mt_realloc(mt_ctx *ctx, void *p, size_t n)
{
    (void)ctx;
    return realloc(p, n ? n : 1);
}

void mt_free(mt_ctx *ctx, void *p)
{
    (void)ctx;
    free(p);
}

char *mt_strdup(mt_ctx *ctx, const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = mt_malloc(ctx, n);
    if (d)
        memcpy(d, s, n);
    return d;
}

const char *mt_shown(const char *s, char *buf)
{
    size_t i = 0;
    for (; s[i] && i < MT_SHOWN_MAX; i++) {
        unsigned char c = (unsigned char)s[i];
        buf[i] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
    }
    buf[i] = '\0';
    if (s[i])
        memcpy(buf + i, "...", 4);
    return buf;
}
