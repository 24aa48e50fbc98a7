/* SPDX-License-Identifier: Apache-2.0
 * util/datadir.c — location of the data folder (see medtwin/data.h). */
#define _POSIX_C_SOURCE 200809L
#include "medtwin/data.h"

#include <stdlib.h>

#ifndef MT_DATA_DIR
#define MT_DATA_DIR "data"
#endif

const char *mt_data_dir(void)
{
    const char *env = getenv("MEDTWIN_DATA");
    return (env && *env) ? env : MT_DATA_DIR;
}
