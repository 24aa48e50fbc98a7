/* SPDX-License-Identifier: Apache-2.0
 * fit/fit_internal.h — what the files of src/fit share privately. */
#ifndef MT_FIT_INTERNAL_H
#define MT_FIT_INTERNAL_H

#include "medtwin/mipd.h"

/* The context a twin reports its errors through. */
mt_ctx *mt_mipd_ctx_(const mt_mipd *m);

#endif
