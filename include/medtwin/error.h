/* SPDX-License-Identifier: Apache-2.0
 *
 * medtwin/error.h — status codes, the context object and its last message.
 *
 * Every fallible call returns an mt_status (MT_OK == 0). The human-readable
 * detail of the last failure is kept on the mt_ctx and read with mt_errmsg().
 * A context is not thread-safe: use one per thread (they are cheap).
 */
#ifndef MEDTWIN_ERROR_H
#define MEDTWIN_ERROR_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define MT_NODISCARD __attribute__((warn_unused_result))
#else
#define MT_NODISCARD
#endif

/* X-macro list: the enum and mt_strerror() are both generated from it. */
#define MT_STATUS_MAP(X)                                                                           \
    X(MT_OK, 0, "ok")                                                                              \
    X(MT_ENOMEM, -1, "out of memory")                                                              \
    X(MT_EINVAL, -2, "invalid argument")                                                           \
    X(MT_EIO, -3, "input/output error")                                                            \
    X(MT_EPARSE, -4, "parse error")                                                                \
    X(MT_ESBML, -5, "invalid SBML")                                                                \
    X(MT_EUNSUPPORTED, -6, "unsupported")                                                          \
    X(MT_ENOTFOUND, -7, "not found")                                                               \
    X(MT_ESOLVER, -8, "solver failure")                                                            \
    X(MT_ELIMIT, -9, "limit exceeded")

typedef enum {
#define MT_X_ENUM(name, code, text) name = code,
    MT_STATUS_MAP(MT_X_ENUM)
#undef MT_X_ENUM
} mt_status;

/* Static text for a status code; never NULL. */
const char *mt_strerror(mt_status st);

typedef struct mt_ctx mt_ctx;

/* Creates a context. OUT: *out, NULL on failure. */
MT_NODISCARD mt_status mt_ctx_create(mt_ctx **out);
/* Destroys a context; NULL is a no-op. */
void mt_ctx_destroy(mt_ctx *ctx);
/* The message of the last failure on this context ("" if none). Valid until
 * the next call that fails on the same context. */
const char *mt_errmsg(const mt_ctx *ctx);
/* Sets the message (printf-style) and returns st; used by every layer. */
mt_status mt_error(mt_ctx *ctx, mt_status st, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* Clears the message. */
void mt_error_clear(mt_ctx *ctx);

/* The library version, "MAJOR.MINOR.PATCH". */
const char *mt_version(void);

#ifdef __cplusplus
}
#endif
#endif
