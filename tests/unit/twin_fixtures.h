/* SPDX-License-Identifier: Apache-2.0
 * tests/unit/twin_fixtures.h — small fixtures shared by the twin-layer unit tests: a derived
 * parameter's value by id, and the validation reference man
 * (data/validation/reference_adult_male.json). */
#ifndef MT_TEST_TWIN_FIXTURES_H
#define MT_TEST_TWIN_FIXTURES_H
#include "medtwin/data.h"
#include "medtwin/profile.h"
#include "medtwin/twin.h"

#include <math.h>
#include <stdio.h>

/* The value of parameter id in l, NaN when l has none. */
static inline double val(const mt_twin_param_list *l, const char *id)
{
    const mt_twin_param *p = mt_twin_param_find(l, id);
    return p ? p->value : NAN;
}

/* The reference man of the validation reports. */
static inline mt_status load_reference_man(mt_ctx *ctx, mt_profile **man)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/validation/reference_adult_male.json", mt_data_dir());
    return mt_profile_load(ctx, path, man);
}
#endif
