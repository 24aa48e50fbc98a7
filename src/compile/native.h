/* SPDX-License-Identifier: Apache-2.0
 *
 * compile/native.h — the native code path: the C of compile/codegen.c compiled by the system C
 * compiler into a shared object, cached on disk by content, loaded with dlopen. See
 * compile/native.c for the cache's rules (location, ownership, keys, concurrency).
 */
#ifndef MT_COMPILE_NATIVE_H
#define MT_COMPILE_NATIVE_H

#include "compile/program.h"

/* Flags the generated C is compiled with (part of the cache key). */
#define MT_NATIVE_CFLAGS "-std=c99 -O2 -fPIC -shared -ffp-contract=off"

/* Mode MT_NATIVE_DEFAULT resolves through the environment: MEDTWIN_NATIVE=0 off, =1 on, else
 * it stays MT_NATIVE_DEFAULT: native code for every model up to MT_NATIVE_AUTO_MAX_INS
 * instructions (compiled in about 2 s at most, once per machine), and for a larger one only
 * when it is in the cache already. MT_NATIVE_ON compiles up to MT_CODEGEN_MAX_INS. */
#define MT_NATIVE_AUTO_MAX_INS ((size_t)50000)
mt_native_mode mt_native_resolve(mt_native_mode mode);

/* Gives p native code for its hot blocks (p->nat), compiling it or taking it from the cache.
 * Native code that cannot be had (mode off, no compiler, unusable cache directory, compiler
 * error, model too large) is not an error: p->nat.handle stays NULL and p->nat.info says
 * why; only MT_ENOMEM is returned. */
MT_NODISCARD mt_status mt_native_attach(mt_ctx *ctx, mt_program *p, mt_native_mode mode);
void mt_native_detach(mt_program *p);

/* The cache directory: $MEDTWIN_CACHE_DIR, else $XDG_CACHE_HOME/medtwin, else
 * $HOME/.cache/medtwin; created (mode 0700) when missing. MT_EINVAL when it is not a
 * directory, a symbolic link, owned by another user or writable by group or others; MT_EIO
 * when it cannot be created. OUT: the path in out[cap]. */
MT_NODISCARD mt_status mt_native_cache_dir(mt_ctx *ctx, char *out, size_t cap);

/* SHA-256 of data as 64 lowercase hex digits + NUL. */
void mt_native_sha256_hex(const void *data, size_t len, char hex[65]);

#endif
