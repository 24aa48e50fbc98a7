/* SPDX-License-Identifier: Apache-2.0
 *
 * node/omex.h — COMBINE/OMEX archives (node/omex.c, docs/operations.md "OMEX"): reading an
 * uploaded archive from memory with every guard a hostile ZIP needs, and writing one for export.
 * Not installed; node/node_omex.c (the HTTP endpoints) and tests/fuzz/fuzz_omex.c use it.
 *
 * Reading never touches the disk (libzip on a memory buffer) and never trusts what the archive
 * declares: every entry is decompressed with a hard cap on its bytes, on the total and on the
 * compression ratio. Refused (MT_EINVAL, the message names the entry and the reason): not a ZIP,
 * a malformed central directory, entry names that are absolute, hold '..' or '.' segments, a
 * backslash, a drive letter, NUL or control characters or invalid UTF-8, duplicate names,
 * symbolic links (Unix mode in the external attributes), encrypted entries, compression methods
 * other than stored and deflate, a corrupt entry (CRC), a manifest.xml that is not a COMBINE
 * manifest, has a DTD, or names a file the archive lacks, no SBML model or several without a
 * master. Over a limit (MT_ELIMIT): too many entries, an entry or the total over its size, a
 * compression ratio above the limit. Archives inside the archive are never expanded.
 */
#ifndef MT_NODE_OMEX_H
#define MT_NODE_OMEX_H

#include "medtwin/error.h"

#include <stddef.h>

#define MT_OMEX_FORMAT_SBML "http://identifiers.org/combine.specifications/sbml"
#define MT_OMEX_FORMAT_SEDML "http://identifiers.org/combine.specifications/sed-ml"
#define MT_OMEX_FORMAT_OMEX "http://identifiers.org/combine.specifications/omex"
#define MT_OMEX_FORMAT_MANIFEST "http://identifiers.org/combine.specifications/omex-manifest"
#define MT_OMEX_FORMAT_METADATA "http://identifiers.org/combine.specifications/omex-metadata"
#define MT_OMEX_MAX_CREATORS 50

typedef struct {
    size_t max_entries;     /* 0: 256 */
    size_t max_entry_bytes; /* uncompressed, per entry; 0: 8 MiB */
    size_t max_total_bytes; /* uncompressed, all entries; 0: 32 MiB */
    size_t max_ratio;       /* uncompressed / compressed above 1 MiB per entry; 0: 100 */
} mt_omex_limits;

typedef struct {
    char *name;          /* as in the archive (checked: relative, no '..', printable UTF-8) */
    unsigned char *data; /* the bytes, NUL-terminated; NULL for a folder entry */
    size_t n;
    char *format; /* the manifest's format for it, NULL when it is not listed */
} mt_omex_entry;

typedef struct {
    mt_omex_entry *entries;
    size_t n_entries;
    int has_manifest;
    size_t master; /* index of the model's SBML in entries */
    char *title;   /* dc:title of the metadata (NULL: none); whitespace collapsed */
    char *description;
    char **creators; /* the dc:creator names (at most MT_OMEX_MAX_CREATORS, 1..200 bytes) */
    size_t n_creators;
} mt_omex;

/* Reads the archive in buf (n bytes). lim may be NULL (the defaults). OUT: *out
 * (mt_omex_free). MT_EINVAL hostile or malformed (message says what), MT_ELIMIT over a limit,
 * MT_ENOMEM. */
MT_NODISCARD mt_status mt_omex_read(mt_ctx *ctx, const void *buf, size_t n,
                                    const mt_omex_limits *lim, mt_omex **out);
void mt_omex_free(mt_omex *o);

/* The COMBINE format identifier of an SBML document (from the level and version attributes of
 * its <sbml> element: ".../sbml.level-3.version-2"; MT_OMEX_FORMAT_SBML when not found). */
void mt_omex_sbml_format(const char *xml, size_t n, char out[96]);

/* One file of an exported archive. */
typedef struct {
    const char *name; /* "model.xml" */
    const void *data;
    size_t n;
    const char *format; /* COMBINE format identifier or a media type */
    int master;
} mt_omex_file;

typedef struct {
    const char *title, *description; /* description may be NULL */
    const char *identifier;          /* the resource's id (and version) */
    const char *publisher;           /* may be NULL */
    const char *created, *modified;  /* ISO 8601 */
    const char *const *creators;
    size_t n_creators;
    const mt_omex_file *files;
    size_t n_files;
} mt_omex_export;

/* The archive: manifest.xml (listing itself, the archive, metadata.rdf and every file),
 * metadata.rdf (Dublin Core: title, description, creators, publisher, dates, identifier) and the
 * files,
 * deflated. OUT: *out (malloc, free()), *out_n. MT_EINVAL for a bad file name, MT_ENOMEM. */
MT_NODISCARD mt_status mt_omex_write(mt_ctx *ctx, const mt_omex_export *x, unsigned char **out,
                                     size_t *out_n);

#endif
