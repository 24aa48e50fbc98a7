/* SPDX-License-Identifier: Apache-2.0
 * util/util.h — private helpers shared by every layer: the context layout,
 * allocation wrappers. Not installed. */
#ifndef MT_UTIL_H
#define MT_UTIL_H

#include "medtwin/error.h"

#include <stddef.h>
#include <stdio.h>

struct mt_ctx {
    char msg[1024];
};

void *mt_malloc(mt_ctx *ctx, size_t n);
void *mt_calloc(mt_ctx *ctx, size_t count, size_t n);
void *mt_realloc(mt_ctx *ctx, void *p, size_t n);
void mt_free(mt_ctx *ctx, void *p);
char *mt_strdup(mt_ctx *ctx, const char *s);

/* s made fit for a one-line message: at most MT_SHOWN_MAX bytes, control characters as '?',
 * "..." where cut. buf holds MT_SHOWN bytes. Returns buf. */
#define MT_SHOWN_MAX 80
#define MT_SHOWN (MT_SHOWN_MAX + 4)
const char *mt_shown(const char *s, char *buf);

/* Reads the rest of the open file f (named path in messages) into memory.
 * OUT: *out (NUL-terminated, released with mt_free) and *len. MT_ELIMIT
 * above max_bytes (0: no limit), MT_ENOMEM, MT_EIO. Does not close f. */
MT_NODISCARD mt_status mt_read_file(mt_ctx *ctx, FILE *f, const char *path, size_t max_bytes,
                                    char **out, size_t *len);

/* Puts a finished file in place: fsync(tmp), then rename(tmp, path). MT_EIO naming the step and
 * the file; tmp is left for the caller to remove on failure. */
MT_NODISCARD mt_status mt_sync_rename(mt_ctx *ctx, const char *tmp, const char *path);

/* The names of the cards in data_dir/sub (data_dir NULL: mt_data_dir()): the stems of its
 * NAME.json files with NAME of [a-z0-9_], at most max_name bytes, sorted. what names the
 * cards in messages ("drug card"). OUT: *names (mt_names_free) and *n. MT_EIO: no folder. */
MT_NODISCARD mt_status mt_list_cards(mt_ctx *ctx, const char *data_dir, const char *sub,
                                     size_t max_name, const char *what, char ***names, size_t *n);
void mt_names_free(mt_ctx *ctx, char **names, size_t n);

/* libxml2's initialisation, once per process and thread-safe (util/xmlinit.c): call it before
 * parsing XML (libSBML, libxml2), since libxml2's lazy first-use setup races between threads. */
void mt_xml_init(void);

#endif
