/* SPDX-License-Identifier: Apache-2.0
 * tests/unit/twin_fixtures.h — small fixtures shared by the twin-layer unit tests: a derived
 * parameter's value by id, the validation reference man
 * (data/validation/reference_adult_male.json), and a synthetic body for builder tests. */
#ifndef MT_TEST_TWIN_FIXTURES_H
#define MT_TEST_TWIN_FIXTURES_H
#include "medtwin/data.h"
#include "medtwin/pbpk.h"
#include "medtwin/profile.h"
#include "medtwin/sim.h"
#include "medtwin/twin.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* The value of parameter id in l, NaN when l has none. */
static inline double val(const mt_twin_param_list *l, const char *id)
{
    const mt_twin_param *p = mt_twin_param_find(l, id);
    return p ? p->value : NAN;
}

/* 1 if the twin l gave drug name specific-binding parameters (koff_<name>): the builder's
 * mt_pbpk_drug.specific_binding must then be set for those parameters to exist. */
static inline int twin_binds(const mt_twin_param_list *l, const char *name)
{
    char id[160];
    snprintf(id, sizeof id, "koff_%s", name);
    return mt_twin_param_find(l, id) != NULL;
}

/* 1 if the twin l gave drug name permeability-limited cells (fe_liv_<name>): the builder's
 * mt_pbpk_drug.cell_permeability must then be set (docs/twin-parameters.md, "Cell permeability").
 */
static inline int twin_cells(const mt_twin_param_list *l, const char *name)
{
    char id[160];
    snprintf(id, sizeof id, "fe_liv_%s", name);
    return mt_twin_param_find(l, id) != NULL;
}

/* 1 if the twin l gave drug name an active liver uptake (Vup_<name>): the builder's
 * mt_pbpk_drug.liver_uptake must then be set (docs/twin-parameters.md, "Liver uptake"). */
static inline int twin_uptake(const mt_twin_param_list *l, const char *name)
{
    char id[160];
    snprintf(id, sizeof id, "Vup_%s", name);
    return mt_twin_param_find(l, id) != NULL;
}

/* 1 if the twin l gave drug name PK-Sim's mucosa (PSm_<name>): the builder's mt_pbpk_drug.mucosa
 * must then be set (docs/absorption.md, "The mucosa"). */
static inline int twin_mucosa(const mt_twin_param_list *l, const char *name)
{
    char id[160];
    snprintf(id, sizeof id, "PSm_%s", name);
    return mt_twin_param_find(l, id) != NULL;
}

/* 1 if the twin l gave drug name an efflux (Vbil_<name>): the builder's mt_pbpk_drug.efflux must
 * then be set (docs/interactions.md, "P-gp"). */
static inline int twin_efflux(const mt_twin_param_list *l, const char *name)
{
    char id[160];
    snprintf(id, sizeof id, "Vbil_%s", name);
    return mt_twin_param_find(l, id) != NULL;
}

/* The reference man of the validation reports. */
static inline mt_status load_reference_man(mt_ctx *ctx, mt_profile **man)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/validation/reference_adult_male.json", mt_data_dir());
    return mt_profile_load(ctx, path, man);
}

/* The transit model of drugs d (gi_transit gi; interactions x, NULL: none) built, compiled and
 * ready to run with the given tolerances; MT_OK or the first failure (*m, *p, *s then as far as
 * they got). */
static inline mt_status build_gi_ddi_sim(mt_ctx *ctx, size_t n, const mt_pbpk_drug *d,
                                         const mt_pbpk_ddi *x, const int *gi, double rtol,
                                         double atol, mt_model **m, mt_program **p, mt_sim **s)
{
    mt_status st = mt_pbpk_build_gi(ctx, n, d, x, gi, m);
    st = st ? st : mt_program_create(ctx, *m, p);
    st = st ? st : mt_sim_create(ctx, *p, s);
    return st ? st : mt_sim_set_tolerances(*s, rtol, atol);
}
static inline mt_status build_gi_sim(mt_ctx *ctx, size_t n, const mt_pbpk_drug *d, const int *gi,
                                     double rtol, double atol, mt_model **m, mt_program **p,
                                     mt_sim **s)
{
    return build_gi_ddi_sim(ctx, n, d, NULL, gi, rtol, atol, m, p, s);
}

/* A context, the twin tables and the reference man: MT_OK or the first failure (the caller
 * destroys what was made). */
static inline mt_status open_reference(mt_ctx **ctx, mt_twin_tables **t, mt_profile **man)
{
    mt_status st = mt_ctx_create(ctx);
    st = st ? st : mt_twin_tables_load(*ctx, NULL, t);
    return st ? st : load_reference_man(*ctx, man);
}

/* A synthetic body for builder tests of drug d: organ o's volume v0 + dv x o (L), every tissue
 * Kp kp, flow i (in the builder's flow order) q0 + dq x i (L/h). MT_OK or the first failure. */
static inline mt_status set_test_body(mt_sim *s, const char *d, double v0, double dv, double kp,
                                      double q0, double dq)
{
    static const char *const q[] = {"adi", "bone", "brain", "gut", "heart", "kid",
                                    "ha",  "mus",  "skin",  "spl", "rest"};
    mt_status st = MT_OK;
    char id[96];
    for (size_t o = 0; o < mt_pbpk_n_organs() && st == MT_OK; o++) {
        snprintf(id, sizeof id, "V_%s", mt_pbpk_organ(o));
        st = mt_sim_set_value(s, id, v0 + dv * (double)o);
        snprintf(id, sizeof id, "Kp_%s_%s", mt_pbpk_organ(o), d);
        if (st == MT_OK && strcmp(mt_pbpk_organ(o), "art") && strcmp(mt_pbpk_organ(o), "ven"))
            st = mt_sim_set_value(s, id, kp);
    }
    for (size_t i = 0; i < sizeof q / sizeof *q && st == MT_OK; i++) {
        snprintf(id, sizeof id, "Q_%s", q[i]);
        st = mt_sim_set_value(s, id, q0 + dq * (double)i);
    }
    return st;
}
#endif
