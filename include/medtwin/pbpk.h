/* SPDX-License-Identifier: Apache-2.0
 *
 * medtwin/pbpk.h — the whole-body PBPK builder: one model structure per
 * regimen (drugs and their doses), built directly as model IR and compiled
 * once; twins differ only by the values of its parameters.
 *
 * Structure (per drug, perfusion-limited, amounts in mg, volumes in L,
 * flows in L/h, time in h): lung, arterial blood, venous blood and the
 * organs adipose, bone, brain, gut, heart, kidney, liver, muscle, skin,
 * spleen, rest; gut and spleen drain into the liver (liver outflow
 * Q_liv = Q_ha + Q_gut + Q_spl); cardiac output Q_C is the sum of the organ
 * flows; tissue outflow is the venous-equilibrium concentration
 * A / (V * Kp); hepatic and renal elimination act on the outflow
 * concentration of liver and kidney (blood clearances CL_H, CL_R); oral
 * doses enter a gut-lumen depot (fraction F) absorbed first-order (ka).
 *
 * Parameter ids (set them with mt_sim_set_value; every one starts as NaN):
 *   V_<o>  for o in lung art ven adi bone brain gut heart kid liv mus skin spl rest
 *   Q_<o>  for o in adi bone brain gut heart kid ha mus skin spl rest
 *   per drug d: Kp_<o>_<d> (o in lung adi bone brain gut heart kid liv mus
 *   skin spl rest), CL_H_<d>, CL_R_<d>, ka_<d>, F_<d>, BP_<d> (blood:plasma)
 * Outputs: A_<o>_<d>, A_depot_<d> (amounts), C_venous_<d> = A_ven_<d>/V_ven
 * (blood), C_plasma_<d> = C_venous_<d> / BP_<d>; Q_C and Q_liv (rules).
 */
#ifndef MEDTWIN_PBPK_H
#define MEDTWIN_PBPK_H

#include "model.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { MT_DOSE_PO, MT_DOSE_IV_BOLUS, MT_DOSE_IV_INFUSION } mt_dose_route;

typedef struct {
    double time_h;
    double amount_mg;
    mt_dose_route route;
    double duration_h; /* infusions only (> 0) */
} mt_dose;

typedef struct {
    const char *name; /* [A-Za-z_][A-Za-z0-9_]*, used in symbol ids */
    size_t n_doses;
    const mt_dose *doses;
} mt_pbpk_drug;

/* The organs, in the order of the parameter list above. */
size_t mt_pbpk_n_organs(void);
const char *mt_pbpk_organ(size_t i);

/* Builds the regimen's model. OUT: *out (mt_model_destroy). MT_EINVAL for
 * a bad drug name, duplicate drugs, or a dose with a negative or
 * non-finite time or amount, or an infusion without a positive duration. */
MT_NODISCARD mt_status mt_pbpk_build(mt_ctx *ctx, size_t n_drugs, const mt_pbpk_drug *drugs,
                                     mt_model **out);

#ifdef __cplusplus
}
#endif
#endif
