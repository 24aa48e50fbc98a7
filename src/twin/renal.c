/* SPDX-License-Identifier: Apache-2.0
 *
 * twin/renal.c — renal function from serum creatinine: the CKD-EPI 2021 race-free creatinine
 * equation (Inker et al., N Engl J Med 2021;385:1737-49) and the Cockcroft-Gault creatinine
 * clearance (Nephron 1976;16:31-41). Every coefficient is a row of
 * data/physiology/covariate_equations.csv, looked up by name in the loaded tables (a binary
 * search each; a call costs a dozen look-ups and a few pow()). No allocation, no state.
 */
#include "medtwin/physiology.h"

#include "util/util.h"

#include <math.h>

static mt_status get(const mt_physio_tables *t, mt_ctx *ctx, const char *category,
                     const char *parameter, mt_sex sex, double *out)
{
    return mt_physio_tables_get(t, ctx, category, "kidney", parameter, sex, out, NULL);
}

/* Checks v against the medtwin_guard rows of `compartment`. */
static mt_status guard(const mt_physio_tables *t, mt_ctx *ctx, const char *compartment,
                       const char *field, const char *unit, double v)
{
    double lo, hi;
    mt_status st = mt_physio_tables_get(t, ctx, "medtwin_guard", compartment, "minimum",
                                        MT_PHYSIO_SEX_ANY, &lo, NULL);
    if (st == MT_OK)
        st = mt_physio_tables_get(t, ctx, "medtwin_guard", compartment, "maximum",
                                  MT_PHYSIO_SEX_ANY, &hi, NULL);
    if (st != MT_OK)
        return st;
    if (isfinite(v) && v >= lo && v <= hi)
        return MT_OK;
    return mt_error(ctx, MT_EINVAL, "%s: %g %s is outside the accepted range (%g to %g %s)", field,
                    v, unit, lo, hi, unit);
}

static mt_status check_common(const mt_physio_tables *t, mt_ctx *ctx, mt_sex sex, double age,
                              double scr, const double *out)
{
    if (!t || !out)
        return mt_error(ctx, MT_EINVAL, "renal function: NULL argument");
    if (sex != MT_SEX_FEMALE && sex != MT_SEX_MALE)
        return mt_error(ctx, MT_EINVAL, "sex: %d is neither female nor male", (int)sex);
    mt_status st = guard(t, ctx, "age", "age_years", "years", age);
    if (st == MT_OK)
        st = guard(t, ctx, "serum creatinine", "serum_creatinine_mg_dl", "mg/dL", scr);
    return st;
}

mt_status mt_renal_egfr_ckd_epi_2021(const mt_physio_tables *t, mt_ctx *ctx, mt_sex sex,
                                     double age_years, double serum_creatinine_mg_dl, double *out)
{
    double a, kappa, alpha, beta, age_base, sex_factor;
    mt_status st = check_common(t, ctx, sex, age_years, serum_creatinine_mg_dl, out);
    if (st == MT_OK)
        st = get(t, ctx, "ckd_epi_2021", "multiplier", sex, &a);
    if (st == MT_OK)
        st = get(t, ctx, "ckd_epi_2021", "kappa", sex, &kappa);
    if (st == MT_OK)
        st = get(t, ctx, "ckd_epi_2021", "alpha", sex, &alpha);
    if (st == MT_OK)
        st = get(t, ctx, "ckd_epi_2021", "exponent above kappa", sex, &beta);
    if (st == MT_OK)
        st = get(t, ctx, "ckd_epi_2021", "age base", sex, &age_base);
    if (st == MT_OK)
        st = get(t, ctx, "ckd_epi_2021", "sex factor", sex, &sex_factor);
    if (st != MT_OK)
        return st;
    const double r = serum_creatinine_mg_dl / kappa;
    *out = a * pow(fmin(r, 1.0), alpha) * pow(fmax(r, 1.0), beta) * pow(age_base, age_years) *
           sex_factor;
    return MT_OK;
}

mt_status mt_renal_crcl_cockcroft_gault(const mt_physio_tables *t, mt_ctx *ctx, mt_sex sex,
                                        double age_years, double weight_kg,
                                        double serum_creatinine_mg_dl, double *out)
{
    double offset, divisor, sex_factor;
    mt_status st = check_common(t, ctx, sex, age_years, serum_creatinine_mg_dl, out);
    if (st == MT_OK)
        st = guard(t, ctx, "weight", "weight_kg", "kg", weight_kg);
    if (st == MT_OK)
        st = get(t, ctx, "cockcroft_gault_1976", "age offset", sex, &offset);
    if (st == MT_OK)
        st = get(t, ctx, "cockcroft_gault_1976", "divisor", sex, &divisor);
    if (st == MT_OK)
        st = get(t, ctx, "cockcroft_gault_1976", "sex factor", sex, &sex_factor);
    if (st != MT_OK)
        return st;
    *out = (offset - age_years) * weight_kg / (divisor * serum_creatinine_mg_dl) * sex_factor;
    return MT_OK;
}
