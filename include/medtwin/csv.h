/* SPDX-License-Identifier: Apache-2.0
 * medtwin/csv.h — a small RFC 4180 CSV reader: quoted fields with
 * doubled quotes, CRLF or LF line ends, a header row. Tables are read whole
 * into memory (the data files are small). */
#ifndef MEDTWIN_CSV_H
#define MEDTWIN_CSV_H

#include "error.h"

#include <stddef.h>
#include <stdio.h>

typedef struct mt_csv mt_csv;

/* Reads path. OUT: *out. MT_EIO if unreadable, MT_EPARSE (with line number)
 * for an unterminated quote or a row whose cell count differs from the
 * header's; MT_ELIMIT above max_bytes (0: 256 MiB). */
MT_NODISCARD mt_status mt_csv_read(mt_ctx *ctx, const char *path, size_t max_bytes, mt_csv **out);
/* Same from memory. */
MT_NODISCARD mt_status mt_csv_parse(mt_ctx *ctx, const char *text, size_t len, const char *name,
                                    mt_csv **out);
void mt_csv_destroy(mt_csv *t);
size_t mt_csv_n_rows(const mt_csv *t); /* data rows, header excluded */
size_t mt_csv_n_cols(const mt_csv *t);
/* Column index of a header name, -1 if absent. */
int mt_csv_col(const mt_csv *t, const char *name);
const char *mt_csv_header(const mt_csv *t, size_t col);
/* Cell text (never NULL; "" for empty). Borrowed, valid while t lives. */
const char *mt_csv_cell(const mt_csv *t, size_t row, size_t col);
/* Writes s (NULL: empty) as one CSV cell: as is, or quoted with inner quotes doubled when it
 * holds a comma, a quote or a line break (RFC 4180). */
void mt_csv_put_cell(FILE *f, const char *s);

#endif
