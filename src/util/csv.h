/* SPDX-License-Identifier: Apache-2.0
 * util/csv.h — the CSV reader is public API: see medtwin/csv.h. */
#ifndef MT_UTIL_CSV_H
#define MT_UTIL_CSV_H
#include "medtwin/csv.h"
#include "util/util.h"
#endif
