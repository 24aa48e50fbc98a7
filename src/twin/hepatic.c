/* SPDX-License-Identifier: Apache-2.0
 *
 * twin/hepatic.c — Child-Pugh hepatic impairment as multiplicative factors on the healthy
 * physiology: blood flows (portal vein, hepatic artery, kidney, other organs), cardiac index,
 * plasma proteins, haematocrit, GFR and the hepatic abundance of ten CYP enzymes. The values
 * are the rows "child_pugh_A/B/C" of data/physiology/hepatic_impairment.csv, transcribed from
 * Table 2 of the Open Systems Pharmacology hepatic-impairment qualification report, which
 * compiles Edginton & Willmann 2008 and Johnson et al. 2010. Class 0 (no impairment) gives 1
 * everywhere. The only derived number is the total liver inflow factor, the flow-weighted
 * mean of the arterial and portal factors. No allocation, no state.
 */
#include "medtwin/physiology.h"

#include "util/util.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

static const char *const cyp_names[MT_CYP_COUNT] = {"CYP1A2", "CYP2A6",  "CYP2B6",  "CYP2C8",
                                                    "CYP2C9", "CYP2C18", "CYP2C19", "CYP2D6",
                                                    "CYP2E1", "CYP3A4"};

const char *mt_cyp_name(mt_cyp enzyme)
{
    return (unsigned)enzyme < MT_CYP_COUNT ? cyp_names[enzyme] : "?";
}

typedef struct {
    const char *compartment, *parameter;
    size_t offset;
} factor_spec;

#define HF(comp, par, field)                                                                       \
    {                                                                                              \
        comp, par, offsetof(mt_hepatic, field)                                                     \
    }

static const factor_spec specs[] = {
    HF("portal vein", "blood flow factor", portal_flow_factor),
    HF("hepatic artery", "blood flow factor", hepatic_artery_flow_factor),
    HF("kidney", "blood flow factor", renal_blood_flow_factor),
    HF("other organs", "blood flow factor", other_organ_flow_factor),
    HF("whole body", "cardiac index factor", cardiac_index_factor),
    HF("plasma", "albumin factor", albumin_factor),
    HF("plasma", "alpha1-acid glycoprotein factor", aag_factor),
    HF("blood", "haematocrit factor", haematocrit_factor),
    HF("kidney", "GFR factor", gfr_factor),
};

mt_status mt_hepatic_factors(const mt_physio_tables *t, mt_ctx *ctx, int child_pugh_class,
                             double q_hepatic_artery_l_h, double q_portal_l_h, mt_hepatic *out)
{
    mt_hepatic h;
    if (!t || !out)
        return mt_error(ctx, MT_EINVAL, "mt_hepatic_factors: NULL argument");
    if (child_pugh_class != 0 && child_pugh_class != 'A' && child_pugh_class != 'B' &&
        child_pugh_class != 'C')
        return mt_error(ctx, MT_EINVAL, "child_pugh_class: %d is not 0 (none), 'A', 'B' or 'C'",
                        child_pugh_class);
    if (!(isfinite(q_hepatic_artery_l_h) && q_hepatic_artery_l_h > 0.0 && isfinite(q_portal_l_h) &&
          q_portal_l_h > 0.0))
        return mt_error(ctx, MT_EINVAL,
                        "mt_hepatic_factors: hepatic artery (%g L/h) and portal (%g L/h) flows "
                        "must be positive",
                        q_hepatic_artery_l_h, q_portal_l_h);
    memset(&h, 0, sizeof h);
    h.child_pugh_class = child_pugh_class;
    if (child_pugh_class == 0) {
        for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
            const double one = 1.0;
            memcpy((char *)&h + specs[i].offset, &one, sizeof one);
        }
        for (int e = 0; e < MT_CYP_COUNT; e++)
            h.enzyme_abundance_factor[e] = 1.0;
    } else {
        char category[16];
        memcpy(category, "child_pugh_", 11);
        category[11] = (char)child_pugh_class;
        category[12] = '\0';
        for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
            double v;
            mt_status st = mt_physio_tables_get(t, ctx, category, specs[i].compartment,
                                                specs[i].parameter, MT_PHYSIO_SEX_ANY, &v, NULL);
            if (st != MT_OK)
                return st;
            memcpy((char *)&h + specs[i].offset, &v, sizeof v);
        }
        for (int e = 0; e < MT_CYP_COUNT; e++) {
            char parameter[32];
            snprintf(parameter, sizeof parameter, "%s factor", cyp_names[e]);
            mt_status st =
                mt_physio_tables_get(t, ctx, category, "liver", parameter, MT_PHYSIO_SEX_ANY,
                                     &h.enzyme_abundance_factor[e], NULL);
            if (st != MT_OK)
                return st;
        }
    }
    h.liver_blood_flow_factor = (q_hepatic_artery_l_h * h.hepatic_artery_flow_factor +
                                 q_portal_l_h * h.portal_flow_factor) /
                                (q_hepatic_artery_l_h + q_portal_l_h);
    *out = h;
    return MT_OK;
}
