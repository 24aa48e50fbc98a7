/* SPDX-License-Identifier: Apache-2.0
 * medtwin/data.h — where the product's data files (drug cards, physiology,
 * pharmacogenomic tables: data/ in the source tree) are found at run time. */
#ifndef MEDTWIN_DATA_H
#define MEDTWIN_DATA_H

#ifdef __cplusplus
extern "C" {
#endif

/* The data folder: $MEDTWIN_DATA if set and non-empty, else the data/
 * folder of the source tree the library was built from. Borrowed. */
const char *mt_data_dir(void);

#ifdef __cplusplus
}
#endif
#endif
