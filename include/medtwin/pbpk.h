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
 *
 * Drug-drug interactions at hepatic enzymes (mt_pbpk_build_ddi; equations
 * and sources in docs/interactions.md). CL_H_<d> stays the baseline
 * (uninhibited) clearance; a victim d with an affected pathway is
 * eliminated at the rule
 *   CL_H_eff_<d> = CL_H_<d> * (1 + sum_e fm_<d>_<e> * (act_de - 1))
 *   act_de = E_<e> / (1 + sum_{p != d} I_<p> / Ki_<p>_<e>)   (E_<e> = 1 without a state)
 *   I_<p> = A_liv_<p> / (V_liv * Kp_liv_<p>) * fu_<p> / BP_<p> * 1000 / MW_<p>
 *           (rule: the perpetrator's unbound liver concentration, umol/L)
 *   dE_<e>/dt = kdeg_<e> * (1 + sum_p Emax_<p>_<e> I_<p> / (EC50_<p>_<e> + I_<p>))
 *               - kdeg_<e> * E_<e> - sum_p kinact_<p>_<e> I_<p> / (KI_<p>_<e> + I_<p>) * E_<e>
 *           (state, E_<e>(0) = 1; only for enzymes with mechanism-based inactivation or
 *           induction, which act on every drug's pathway, the perpetrator's own included)
 * A pathway (d, e) is affected when e has a state or a reversible inhibitor other than d
 * itself (a drug does not reversibly inhibit its own metabolism; PK-Sim allows no autoinhibition
 * either), or a saturation entry of d itself (MT_DDI_SATURATION): Michaelis-Menten kinetics of
 * the drug's own pathway in the liver, which enters the activity as the competitive term of the
 * drug itself with Ki = Km (v = kcat E S / (Km (1 + sum I/Ki) + S), i.e. CLint E / (1 + sum I/Ki
 * + S/Km) with S = I_<d>, the drug's unbound liver concentration):
 *   act_de = E_<e> / (1 + sum_{p != d} I_<p> / Ki_<p>_<e> + I_<d> / Km_<d>_<e>)
 * Saturation acts in the liver only (the gut wall stays linear) and on no other drug.
 * Parameter ids added: fm_<d>_<e> per affected pathway; MW_<p> (g/mol) and
 * fu_<p> per perpetrator (and per saturable drug); Ki_<p>_<e> (umol/L) per reversible inhibition;
 * Km_<d>_<e> (umol/L) per saturation;
 * kinact_<p>_<e> (1/h) and KI_<p>_<e> (umol/L) per inactivation; EC50_<p>_<e>
 * (umol/L) and Emax_<p>_<e> (1) per induction; kdeg_<e> (1/h) per enzyme with
 * a state. Outputs added: I_<p>, E_<e>, CL_H_eff_<d>. Without an affected
 * pathway the model is exactly mt_pbpk_build's.
 *
 * Metabolites (mt_pbpk_formation; docs/metabolites.md): a formation (P, e, M) adds to the
 * derivative of A_liv_<M>
 *   fform_<P>_<e>_<M> * act_Pe * CL_H_<P> * A_liv_<P> / (V_liv * Kp_liv_<P>) * MW_<M> / MW_<P>
 * (mg/h; act_Pe as above, 1 for an unaffected pathway; id fform_<P>_<M> when e is NULL).
 * fform is the fraction of the baseline CL_H_<P> that goes through this process and forms M.
 * Parameter ids added: fform_<P>_<e>_<M> (1) per formation, MW_<d> (g/mol) per parent and
 * metabolite (one per drug, shared with its perpetrator role). The metabolite is an ordinary drug
 * of the regimen (its own Kp, CL_H, CL_R, BP, and formations of its own: chains).
 *
 * Mechanistic oral absorption (mt_pbpk_build_gi, drug d with gi_transit[d] != 0;
 * docs/absorption.md): an oral dose goes
 * into the stomach lumen A_sto_<d> (not the depot, no F) and moves through five small-intestine
 * segments duo jej1 jej2 ile1 ile2 and six large-intestine segments cae asc tra des sig rec
 * (first-order transit, kt_<s>_<d>) into the faeces A_fec_<d>; each segment absorbs at
 * ka_<s>_<d>. Of the small intestine's absorbed flux J = sum_{s small} ka_<s>_<d> A_<s>_<d> the
 * fraction Fg_<d> escapes gut-wall metabolism and enters A_gut_<d>; the rest accumulates in
 * A_gwm_<d> (metabolised in the gut wall). The large intestine's absorbed flux enters A_gut_<d>
 * whole (no enterocyte metabolism there).
 *   dA_sto/dt = -kge A_sto
 *   dA_duo/dt = kge A_sto - (kt_duo + ka_duo) A_duo
 *   dA_<s>/dt = kt_<s-1> A_<s-1> - (kt_<s> + ka_<s>) A_<s>      (ile2 feeds cae)
 *   dA_fec/dt = kt_rec A_rec;  dA_gwm/dt = (1 - Fg) J;
 *   dA_gut/dt gains Fg J + sum_{s large} ka_<s> A_<s>
 * A dose with a Weibull formulation (mt_dose.diss_t50_h > 0) k (its index among the drug's doses)
 * enters undissolved states U_sto_<d>_<k>, U_<s>_<d>_<k> (all eleven segments) and U_fec_<d>_<k>
 * (excreted undissolved) instead, which move as the dissolved drug does (kge, kt: a suspension)
 * and dissolve in the lumen into A_sto, A_<s> at the
 * hazard hdis_<d>_<k> (a rule) = ln2 b / T50^b (tau + eps)^(b - 1), tau = time - t_dose - lag
 * (0 before),
 * eps = 1e-9 T50 (the regularisation of the integrable singularity at tau = 0 when b < 1: it
 * moves the dissolved fraction by less than ln2 (1e-9)^b).
 * Parameter ids added per such drug: kge_<d>, kt_<s>_<d>, ka_<s>_<d> (1/h, eleven segments),
 * Fg_<d> (1): 14 states and 24 parameters. The
 * depot, ka_<d> and F_<d> stay in the model (unused by oral doses of that drug). A drug without
 * gi_transit gets exactly the model above, bit for bit.
 *
 * Gut-wall interactions (mt_pbpk_build_gi with ddi; docs/interactions.md): a victim d with
 * gi_transit and an affected pathway absorbs through Fg_eff_<d> (rule) instead of Fg_<d>:
 *   Fg_eff_<d> = Fg_<d> / (Fg_<d> + (1 - Fg_<d>) (1 + sum_e fmg_<d>_<e> (actg_de - 1)))
 *   actg_de = Eg_<e> / (1 + sum_{p != d} Ig_<p> / Ki_<p>_<e>)   (Eg_<e> = 1 without a state)
 *   Ig_<p> = Fg_<p> (J_<p> / Qgut_<p> + fu_<p>/BP_<p> A_art_<p>/V_art) 1000 / MW_<p>
 *            (gi_transit perpetrator: J_<p> = sum_s ka_<s>_<p> A_<s>_<p>), else
 *            fu_<p>/BP_<p> A_art_<p>/V_art 1000 / MW_<p>: the unbound enterocyte concentration
 *   dEg_<e>/dt as dE_<e>/dt with Ig_<p> and kdeg_gut_<e> (state, only for enzymes with
 *            inactivation or induction and a gut-wall pathway)
 * Parameter ids added: fmg_<d>_<e> (1) per affected pathway of such a victim, Qgut_<p> (L/h) per
 * perpetrator with gi_transit, kdeg_gut_<e> (1/h) per gut-wall state. Outputs added: Ig_<p>,
 * Eg_<e>, Fg_eff_<d>. With no victim on the transit model nothing is added.
 * A formation (P, e, M) whose parent has gi_transit also forms M in the gut wall, into A_gut_<M>:
 *   fformg_<P>_<e>_<M> (1 - Fg_<P>) J_<P> MW_<M> / MW_<P>   (mg/h; Fg_eff_<P> x actg_Pe / the
 *   gut factor 1 + sum_e fmg (actg - 1) when an interaction changes P's gut wall)
 * Parameter ids added: fformg_<P>_<e>_<M> (fformg_<P>_<M> without an enzyme) per such formation.
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
    /* Oral doses of a drug on the transit model only: a Weibull formulation (docs/absorption.md,
     * "Formulations"). diss_t50_h > 0: the dose enters the stomach undissolved and dissolves
     * with the fraction dissolved 1 - exp(-ln2 ((t - t_dose - diss_lag_h) / diss_t50_h)^
     * diss_shape) while it moves down the lumen; 0 (the default): a solution. */
    double diss_t50_h, diss_shape, diss_lag_h;
} mt_dose;

typedef struct {
    const char *name; /* [A-Za-z_][A-Za-z0-9_]*, used in symbol ids */
    size_t n_doses;
    const mt_dose *doses;
    /* Nonzero: specific binding to a target in the tissues (docs/twin-parameters.md). Each organ
     * o gets a bound amount AB_<o>_<name> (mg, from 0) with
     *   dAB/dt = kon_<name> C_out,o (Bmax_<o>_<name> - AB) - koff_<name> AB,
     * taken from (and returned to) the organ's amount A_<o>_<name>, the flux a rule
     * Jb_<o>_<name>; C_out,o = A / (V Kp) is the organ's outflow blood concentration (kon
     * carries fu_b). Bmax, kon (L/(mg h)) and koff (1/h) are parameters the twin sets. */
    int specific_binding;
    /* Nonzero: permeability-limited cells (docs/twin-parameters.md, "Cell permeability"; PK-Sim's
     * passive exchange between the interstitial and intracellular spaces). Each tissue organ o
     * keeps A_<o>_<name> as its extracellular amount and gets an intracellular amount
     * AC_<o>_<name> (mg, from 0); fe_<o>_<name> (0 < fe < 1) is the extracellular share of the
     * organ's equilibrium amount and PSc_<o>_<name> (L/h) the unbound permeability-surface
     * product in blood terms (fu_b P SA). Rules KpE = Kp fe, KpI = Kp (1 - fe) and
     *   Jc_<o>_<name> = PSc (A / (V KpE) - AC / (V KpI))       (extracellular -> cells)
     *   dA/dt -= Jc, dAC/dt = Jc;
     * the organ's outflow concentration is A / (V KpE), hepatic elimination (CL_H, its
     * interactions, saturation, metabolite formation) acts on the liver cells' AC_liv / (V_liv
     * KpI_liv), and specific binding and renal elimination on the extracellular space. The
     * brain's extracellular space sits behind the blood-brain barrier: it exchanges with the
     * arterial blood at the rule Qbbb_<name> = Q_brain PSbbb / (Q_brain + PSbbb) (a well-stirred
     * brain vasculature with the barrier's unbound permeability-surface product PSbbb_<name>, L/h,
     * in series), and the rest of Q_brain passes from arterial to venous blood unchanged. As PSc
     * and PSbbb grow the organs become the perfusion-limited ones with Kp. */
    int cell_permeability;
    /* Nonzero (with cell_permeability): an active uptake into the liver cells by
     * MT_PBPK_UPTAKE_TRANSPORTER (docs/twin-parameters.md, "Liver uptake"), the rule
     *   Jup_<name> = Vup_<name> Eup_<name> C_out,liv / (Kmup_<name> + C_out,liv)      (mg/h)
     * from A_liv to AC_liv; C_out,liv = A_liv / (V_liv KpE_liv), Vup (mg/h) the transporter's
     * maximal rate and Kmup (mg/L) its Km in blood-equivalent terms (Km / fu_b). Eup_<name> is 1,
     * or (mt_pbpk_build_ddi) the rule E_<transporter> when an interaction induces or inactivates
     * the transporter (its turnover state, as an enzyme's). */
    int liver_uptake;
    /* Nonzero (with gi_transit, mt_pbpk_build_gi): PK-Sim's mucosa in place of the Qgut steady
     * state (docs/absorption.md, "PK-Sim's mucosa"). The small intestine's absorbed flux J enters
     * the enterocytes AM_<name> (mg, from 0), which leave through the basolateral membrane into
     * the gut tissue and are metabolised by the gut wall:
     *   C_M = AM / VM_<name>                     (blood-equivalent enterocyte concentration)
     *   Jm_<name> = PSm_<name> (C_M - C_out,gut) (a rule)
     *   dAM/dt = J - Jm - CLg_<name> C_M;  dA_gut/dt gains Jm;  dA_gwm/dt gains CLg C_M
     * C_out,gut is the gut's outflow concentration (A_gut / (V_gut KpE_gut) with cells). VM (L) is
     * the enterocytes' volume times their blood partition coefficient, PSm (L/h) the basolateral
     * unbound permeability-surface product in blood terms (fu_b P SA), CLg (L/h) the gut wall's
     * blood clearance (fu_b CLint_u,gut). Fg_<name> is then not a parameter; with
     * gut-wall interactions CLg_eff_<name> (a rule) = CLg (1 + sum_e fmg (actg - 1)) replaces
     * CLg, and as a perpetrator its enterocyte concentration is the state's (build_gut). */
    int mucosa;
    /* Nonzero (with cell_permeability): efflux by MT_PBPK_EFFLUX_TRANSPORTER out of the liver
     * cells into the bile, out of the kidney cells into the urine and, with the mucosa, out of
     * the enterocytes back into the lumen (docs/interactions.md, "P-gp"). Michaelis-Menten on the
     * cells' blood-equivalent concentration C (Kmef_<name> in blood terms, Km / fu_b):
     *   Jbil_<name> = Vbil_<name> Eef_liv_<name> C_liv / (Kmef_<name> + C_liv)   (mg/h; rules)
     *   Jkef_<name> = Vkef_<name> Eef_kid_<name> C_kid / (Kmef_<name> + C_kid)
     *   Jgef_<name> = Vgef_<name> Eef_gut_<name> C_M / (Kmef_<name> + C_M)      (the mucosa)
     * C_o = AC_o / (V_o KpI_o), C_M = AM / VM. The urine collects in A_uri_<name> (mg, from 0):
     * dA_uri/dt = CL_R C_out,kid + Jkef. Jbil leaves AC_liv into the duodenum's lumen with
     * the transit model (the bile flows continuously: PK-Sim's EHC continuous fraction 1) and
     * out of the body without it; Jkef leaves AC_kid into the urine; Jgef leaves AM into the
     * small-intestine segments, segment s receiving the share wef_<s>_<name> (s in duo jej1 jej2
     * ile1 ile2; the shares of the transporter's amount, summing to 1). Vbil, Vkef, Vgef (mg/h)
     * are the maximal rates; the activities Eef_* are 1, or (mt_pbpk_build_ddi) the rules
     *   Eef_liv = E_<t> / (1 + sum_p I_<p> / Ki_<p>_<t>)     (the liver's I and state)
     *   Eef_kid = Ek_<t> / (1 + sum_p Ik_<p> / Ki_<p>_<t>)   (the kidney's)
     *   Eef_gut = Eg_<t> / (1 + sum_p Ig_<p> / Ki_<p>_<t>)   (the enterocytes')
     * with t the transporter, p the reversible inhibitors other than the drug itself, E_<t>,
     * Ek_<t>, Eg_<t> its turnover states where an interaction induces or inactivates it (1
     * otherwise; Ek_<t> as E_<t> with Ik and kdeg_<t>), and
     *   Ik_<p> = A_kid_<p> / (V_kid Kp_kid_<p>) fu_<p> / BP_<p> 1000 / MW_<p>   (umol/L; the
     *            kidney cells' AC_kid and KpI_kid with cells) */
    int efflux;
} mt_pbpk_drug;

/* The transporter of mt_pbpk_drug.liver_uptake. */
#define MT_PBPK_UPTAKE_TRANSPORTER "OATP1B1"
/* The transporter of mt_pbpk_drug.efflux (the builder name of P-gp, ABCB1). */
#define MT_PBPK_EFFLUX_TRANSPORTER "P_gp"

/* Interaction mechanisms at a hepatic enzyme. Reversible: competitive (and, at
 * substrate concentrations well below Km, noncompetitive and mixed with the
 * competitive constant) inhibition, CLint / (1 + I/Ki). */
typedef enum {
    MT_DDI_REVERSIBLE,
    MT_DDI_INACTIVATION,
    MT_DDI_INDUCTION,
    MT_DDI_SATURATION /* Michaelis-Menten saturation of the drug's OWN pathway on the enzyme in
                         the liver: `perpetrator` is the drug itself, Km_<d>_<e> (umol/L) */
} mt_ddi_mechanism;

/* Victim drug `drug` is metabolised in the liver by `enzyme` (a fraction
 * fm_<drug>_<enzyme> of CL_H_<drug>). */
typedef struct {
    const char *drug;   /* a drug of the regimen */
    const char *enzyme; /* [A-Za-z0-9_]+, at most 32 characters */
} mt_pbpk_pathway;

/* Perpetrator drug `perpetrator` acts on `enzyme` by `mechanism`. */
typedef struct {
    const char *perpetrator; /* a drug of the regimen (may also be a victim) */
    const char *enzyme;
    mt_ddi_mechanism mechanism;
} mt_pbpk_interaction;

/* Whether interaction v changes drug d's pathway on v's enzyme: in the liver (gut_wall 0), in the
 * gut wall of the Qgut model (1) or in the gut wall of a drug with the mucosa (2): a reversible
 * inhibitor other than d (no autoinhibition), d's own saturation (the liver, and the mucosa's
 * enterocytes; the Qgut model's gut wall is linear), any inactivation or induction (d included).
 * The rule the builder applies; callers that describe regimens (twin) use it to list the same
 * pathways. */
int mt_pbpk_interaction_changes(const mt_pbpk_interaction *v, const char *d, int gut_wall);

/* Drug `parent` forms drug `metabolite` in the liver: a fraction fform of CL_H_<parent> goes
 * through the pathway on `enzyme` (NULL: a process without an enzyme, never changed by an
 * interaction) and yields the metabolite (docs/metabolites.md). */
typedef struct {
    const char *parent;     /* a drug of the regimen */
    const char *enzyme;     /* [A-Za-z0-9_]+, at most 32 characters, or NULL */
    const char *metabolite; /* another drug of the regimen (normally without doses) */
} mt_pbpk_formation;

/* A regimen's hepatic metabolism beyond elimination: interactions and metabolite formation.
 * Members left out of an initializer are zero (none). */
typedef struct mt_pbpk_ddi {
    size_t n_pathways;
    const mt_pbpk_pathway *pathways;
    size_t n_interactions;
    const mt_pbpk_interaction *interactions;
    size_t n_formations;
    const mt_pbpk_formation *formations;
} mt_pbpk_ddi;

/* The organs, in the order of the parameter list above. */
size_t mt_pbpk_n_organs(void);
const char *mt_pbpk_organ(size_t i);

/* Builds the regimen's model. OUT: *out (mt_model_destroy). MT_EINVAL for
 * a bad drug name, duplicate drugs, or a dose with a negative or
 * non-finite time or amount, or an infusion without a positive duration. */
MT_NODISCARD mt_status mt_pbpk_build(mt_ctx *ctx, size_t n_drugs, const mt_pbpk_drug *drugs,
                                     mt_model **out);

/* The same with hepatic drug-drug interactions and metabolite formation (ddi NULL or empty:
 * exactly mt_pbpk_build). MT_EINVAL as mt_pbpk_build, and for a pathway,
 * interaction or formation naming a drug not in the regimen, a bad enzyme name, a
 * pathway, interaction (perpetrator, enzyme, mechanism) or formation (parent, enzyme,
 * metabolite) listed twice, an unknown mechanism, a drug forming itself, a formation on an
 * enzyme that an interaction changes without the parent's pathway on it being listed, or names
 * that make two parameter ids equal. */
MT_NODISCARD mt_status mt_pbpk_build_ddi(mt_ctx *ctx, size_t n_drugs, const mt_pbpk_drug *drugs,
                                         const mt_pbpk_ddi *ddi, mt_model **out);

/* The same with the mechanistic oral absorption model for the drugs d with gi_transit[d] != 0
 * (gi_transit NULL: none; exactly mt_pbpk_build_ddi). Errors as mt_pbpk_build_ddi. */
MT_NODISCARD mt_status mt_pbpk_build_gi(mt_ctx *ctx, size_t n_drugs, const mt_pbpk_drug *drugs,
                                        const mt_pbpk_ddi *ddi, const int *gi_transit,
                                        mt_model **out);

#ifdef __cplusplus
}
#endif
#endif
