/* SPDX-License-Identifier: Apache-2.0
 *
 * tests/unit/twin/test_twin_params.c — a person and drug cards to the PBPK builder's parameter
 * values (medtwin/twin.h, docs/twin-parameters.md):
 *   1. a synthetic card (written below) and the example patient anna: V and Q are exactly
 *      mt_physiology_compute's; Kp = mt_partition_kp / B:P (an explicit card Kp wins); CL_H,
 *      CL_R, ka and F equal the formulas evaluated here from the card's numbers; the set is
 *      complete for the builder (every id exists, nothing undefined); Child-Pugh B scales
 *      Q_ha, Q_kid, the CYP abundances and the Kp haematocrit, and nothing else;
 *   2. every card of data/drugs gives a complete IV parameter set or an error that names the
 *      drug and a field (the table is printed);
 *   3. bad input: missing or out-of-range covariates name the profile field, absent card
 *      values name the field, malformed arguments are refused.
 */
#include "harness.h"
#include "medtwin/medtwin.h"
#include "medtwin/twin.h"
#include "twin_fixtures.h"

#include "medtwin/drugcard.h"
#include "medtwin/partition.h"
#include "medtwin/pbpk.h"
#include "medtwin/pgx.h"
#include "medtwin/profile.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- fixtures ------------------------------------------------------------------------------ */

/* clang-format off */
#define V(x) "{\"value\": " #x ", \"unit\": \"1\", \"source\": \"synthetic test value\", \"fitted\": false}"
#define VU(x, u) "{\"value\": " #x ", \"unit\": \"" u "\", \"source\": \"synthetic test value\", \"fitted\": false}"

/* A synthetic card with every process type the module converts. Values are arbitrary. */
static const char *const synth_card =
    "{\"schema\": \"medtwin-drug-card/1\", \"name\": \"synth\", \"version\": \"0.0.1\","
    " \"display_name\": \"Synthetic\", \"kind\": \"pbpk\","
    " \"physchem\": {\"logp\": " VU(2.5, "log10") ","
    "   \"pka\": [{\"value\": 8.5, \"unit\": \"1\", \"source\": \"synthetic test value\","
    "              \"fitted\": false, \"type\": \"base\"}],"
    "   \"fu_plasma\": " V(0.2) ", \"blood_plasma_ratio\": " V(1.3) "},"
    " \"partition\": {\"method\": \"rodgers_rowland\", \"kp\": {\"brain\": " V(0.7) "}},"
    " \"absorption\": {\"model\": \"first_order\", \"ka\": " VU(1.2, "1/h") ","
    "   \"fa\": " V(0.9) ", \"fg\": " VU(80, "%") "},"
    " \"elimination\": {\"hepatic\": ["
    "   {\"enzyme\": \"CYP3A4\", \"process\": \"michaelis_menten\","
    "    \"km\": " VU(5, "umol/L") ", \"kcat\": " VU(2, "1/min") "},"
    "   {\"enzyme\": \"CYP2C19\", \"process\": \"michaelis_menten\", \"system\": \"liver_microsomes\","
    "    \"km\": " VU(20000, "nmol/L") ", \"vmax_microsomal\": " VU(100, "pmol/min/mg") ","
    "    \"enzyme_content\": " VU(19, "pmol/mg") "},"
    "   {\"enzyme\": \"CYP1A2\", \"process\": \"michaelis_menten\", \"system\": \"liver_microsomes\","
    "    \"km\": " VU(10, "umol/L") ", \"vmax_microsomal\": " VU(50, "pmol/min/mg") "},"
    "   {\"enzyme\": \"CYP2D6\", \"process\": \"first_order\", \"clint\": " VU(0.5, "L/min") "},"
    "   {\"enzyme\": \"unspecific\", \"process\": \"hepatic_clearance\","
    "    \"plasma_clearance\": " VU(1, "mL/min/kg") ", \"fu_experiment\": " V(0.2) ","
    "    \"bp_experiment\": " V(1.3) "}],"
    "  \"renal\": {\"gfr_fraction\": " V(1) "}},"
    " \"pgx\": [{\"gene\": \"CYP2C19\", \"scales\": \"CYP2C19\", \"source\": \"synthetic\"}]}";
/* clang-format on */

static mt_ctx *ctx;
static mt_twin_tables *tables;

static void setup(void)
{
    if (ctx)
        return;
    if (mt_ctx_create(&ctx) != MT_OK)
        exit(1);
    if (mt_twin_tables_load(ctx, NULL, &tables) != MT_OK) {
        printf("FAIL loading the twin tables: %s\n", mt_errmsg(ctx));
        exit(1);
    }
}

static mt_profile *load_anna(void)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/../examples/patients/anna.json", mt_data_dir());
    mt_profile *p = NULL;
    if (mt_profile_load(ctx, path, &p) != MT_OK)
        printf("cannot load %s: %s\n", path, mt_errmsg(ctx));
    return p;
}

static mt_profile *parse_profile(const char *json)
{
    mt_profile *p = NULL;
    if (mt_profile_parse_json(ctx, json, strlen(json), &p) != MT_OK)
        printf("profile: %s\n", mt_errmsg(ctx));
    return p;
}

static mt_drugcard *synth(const char *text)
{
    mt_drugcard *c = NULL;
    if (mt_drugcard_parse(ctx, text, strlen(text), NULL, &c) != MT_OK)
        printf("card: %s\n", mt_errmsg(ctx));
    return c;
}

/* A copy of the synthetic card with one substring replaced (for bad-input cases). */
static mt_drugcard *synth_with(const char *from, const char *to)
{
    const char *at = strstr(synth_card, from);
    if (!at)
        return NULL;
    size_t n = strlen(synth_card) - strlen(from) + strlen(to) + 1;
    char *s = malloc(n);
    if (!s)
        return NULL;
    snprintf(s, n, "%.*s%s%s", (int)(at - synth_card), synth_card, to, at + strlen(from));
    mt_drugcard *c = synth(s);
    free(s);
    return c;
}

static mt_covariates covariates_of(const mt_profile *p)
{
    mt_covariates c = {mt_profile_sex(p),
                       mt_profile_age_years(p),
                       mt_profile_weight_kg(p),
                       mt_profile_height_cm(p),
                       mt_profile_serum_creatinine_mg_dl(p),
                       mt_profile_child_pugh_class(p)};
    return c;
}

static int rel_close(double a, double b, double tol)
{
    return fabs(a - b) <= tol * fmax(fabs(a), fabs(b)) || a == b;
}

/* Builds the builder's model for drug `name` (one IV bolus, or an oral dose), sets every
 * parameter of l and asks the simulator whether anything is left undefined. */
static mt_status complete_for_builder(const mt_twin_param_list *l, const char *name, int oral,
                                      char *why, size_t nwhy)
{
    mt_dose dose = {0.0, 10.0, oral ? MT_DOSE_PO : MT_DOSE_IV_BOLUS, 0.0, 0, 0, 0};
    mt_pbpk_drug drug = {name,
                         1,
                         &dose,
                         twin_binds(l, name),
                         twin_cells(l, name),
                         twin_uptake(l, name),
                         0,
                         twin_efflux(l, name)};
    mt_model *m = NULL;
    mt_program *p = NULL;
    mt_sim *s = NULL;
    mt_status st = mt_pbpk_build(ctx, 1, &drug, &m);
    if (st == MT_OK)
        st = mt_program_create(ctx, m, &p);
    if (st == MT_OK)
        st = mt_sim_create(ctx, p, &s);
    for (size_t i = 0; st == MT_OK && i < l->n_params; i++) {
        if (!isfinite(l->params[i].value)) {
            snprintf(why, nwhy, "%s is not finite", l->params[i].id);
            st = MT_EINVAL;
        } else {
            st = mt_sim_set_value(s, l->params[i].id, l->params[i].value);
        }
    }
    if (st == MT_OK)
        st = mt_sim_check_defined(s, 0.0);
    if (st != MT_OK && !why[0])
        snprintf(why, nwhy, "%s", mt_errmsg(ctx));
    mt_sim_destroy(s);
    mt_program_destroy(p);
    mt_model_destroy(m);
    return st;
}

/* ---- 1. hand-computed expectations -------------------------------------------------------- */

/* Expected CL_H of the synthetic card for physiology ph (Child-Pugh factors f_*). */
static double synth_cl_h(const mt_physiology *ph, double weight, double f3a4, double f2c19,
                         double f1a2, double f2d6)
{
    /* PK-Sim's liver volume, blood included: / (1 - fraction vascular 0.17),
     * data/physiology/pksim_fraction_vascular.csv */
    const double v_liv = ph->organ[MT_ORGAN_LIVER].volume_l / (1.0 - 0.17);
    const double fu = 0.2, bp = 1.3;
    /* enzyme concentrations in liver: data/enzymes (reference concentration x liver relative
     * expression 1): CYP3A4 4.32, CYP2C19 0.76, CYP1A2 1.8 umol/L */
    double cl_3a4 = (2.0 * 60.0) * 4.32 * v_liv / 5.0 * f3a4;
    double cl_2c19 = (100.0 / 19.0 * 60.0) * 0.76 * v_liv / 20.0 * f2c19;
    double cl_1a2 = (50.0 / 108.0 * 60.0) * 1.8 * v_liv / 10.0 * f1a2; /* PK-Sim default 108 */
    double cl_2d6 = 0.5 * 60.0 * f2d6;
    double q = ph->organ[MT_ORGAN_LIVER].blood_flow_l_h + ph->organ[MT_ORGAN_GUT].blood_flow_l_h +
               ph->organ[MT_ORGAN_SPLEEN].blood_flow_l_h; /* healthy liver blood flow */
    double clb = 1.0 * 0.06 * weight / 1.3;
    double cl_unspec = q * clb / ((q - clb) * (0.2 / 1.3));
    return fu / bp * (cl_3a4 + cl_2c19 + cl_1a2 + cl_2d6 + cl_unspec);
}

TEST(enzyme_table)
{
    setup();
    double c;
    const char *src = NULL;
    ASSERT_EQ_INT(mt_twin_enzyme_liver_umol_l(tables, ctx, "CYP3A4", &c, &src), MT_OK);
    ASSERT_NEAR(c, 4.32, 0);
    ASSERT_TRUE(src && strstr(src, "Open-Systems-Pharmacology"));
    ASSERT_EQ_INT(mt_twin_enzyme_liver_umol_l(tables, ctx, "CYP2C19", &c, NULL), MT_OK);
    ASSERT_NEAR(c, 0.76, 0);
    ASSERT_EQ_INT(mt_twin_enzyme_liver_umol_l(tables, ctx, "CYP1A2", &c, NULL), MT_OK);
    ASSERT_NEAR(c, 1.8, 0);
    /* CES2's reference organ is not the liver in the source: no liver value */
    ASSERT_EQ_INT(mt_twin_enzyme_liver_umol_l(tables, ctx, "CES2", &c, NULL), MT_ENOTFOUND);
    ASSERT_TRUE(strstr(mt_errmsg(ctx), "CES2") != NULL);
    ASSERT_EQ_INT(mt_twin_enzyme_liver_umol_l(tables, ctx, "CYP4F2", &c, NULL), MT_ENOTFOUND);
    ASSERT_TRUE(strstr(mt_errmsg(ctx), "CYP4F2") != NULL);
}

TEST(synthetic_card_anna)
{
    setup();
    mt_profile *anna = load_anna();
    mt_drugcard *card = synth(synth_card);
    ASSERT_TRUE(anna && card);
    const mt_drugcard *cards[] = {card};
    const char *ids[] = {"synth"};
    int oral[] = {1};
    mt_twin_param_list l;
    mt_status st = mt_twin_params(tables, ctx, anna, 1, cards, ids, oral, &l);
    if (st != MT_OK)
        printf("  %s\n", mt_errmsg(ctx));
    ASSERT_EQ_INT(st, MT_OK);

    /* V and Q: exactly the physiology module's output */
    mt_covariates cov = covariates_of(anna);
    mt_physiology ph;
    ASSERT_EQ_INT(mt_physiology_compute(mt_twin_tables_physio(tables), ctx, &cov, &ph), MT_OK);
    static const char *const vid[MT_ORGAN_COUNT] = {
        "V_lung",  "V_art", "V_ven", "V_adi", "V_bone", "V_brain", "V_gut",
        "V_heart", "V_kid", "V_liv", "V_mus", "V_skin", "V_spl",   "V_rest"};
    for (int o = 0; o < MT_ORGAN_COUNT; o++)
        ASSERT_TRUE(val(&l, vid[o]) == ph.organ[o].volume_l);
    static const char *const qid[MT_ORGAN_COUNT] = {
        NULL,      NULL,    NULL,   "Q_adi", "Q_bone", "Q_brain", "Q_gut",
        "Q_heart", "Q_kid", "Q_ha", "Q_mus", "Q_skin", "Q_spl",   "Q_rest"};
    for (int o = MT_ORGAN_ADIPOSE; o < MT_ORGAN_COUNT; o++)
        ASSERT_TRUE(val(&l, qid[o]) == ph.organ[o].blood_flow_l_h);

    /* Kp = mt_partition_kp (tissue:plasma) / B:P; the card's brain Kp wins */
    mt_kp_drug kd;
    mt_kp_drug_init(&kd);
    kd.logp = 2.5;
    kd.n_pka = 1;
    kd.pka[0] = 8.5;
    kd.pka_type[0] = MT_KP_PKA_BASE;
    kd.fu_plasma = 0.2;
    kd.blood_plasma_ratio = 1.3;
    mt_kp_opts opts = {ph.haematocrit, MT_KP_REST_MUSCLE, NULL};
    double kp[MT_KP_N_ORGANS];
    mt_kp_detail det;
    ASSERT_EQ_INT(mt_partition_kp(mt_twin_tables_partition(tables), ctx, MT_KP_RODGERS_ROWLAND, &kd,
                                  &opts, kp, &det),
                  MT_OK);
    ASSERT_EQ_INT(det.equation, MT_KP_EQ_RR2005);
    for (size_t o = 0; o < MT_KP_N_ORGANS; o++) {
        char id[64];
        snprintf(id, sizeof id, "Kp_%s_synth", mt_partition_organ(o));
        double want = (o == MT_KP_BRAIN ? 0.7 : kp[o]) / 1.3;
        ASSERT_TRUE(rel_close(val(&l, id), want, 1e-14));
    }
    ASSERT_NEAR(val(&l, "BP_synth"), 1.3, 0);

    /* CL_H and CL_R from the card's numbers */
    double cl_h = synth_cl_h(&ph, cov.weight_kg, 1, 1, 1, 1);
    printf("  CL_H_synth %.10g (expected %.10g)\n", val(&l, "CL_H_synth"), cl_h);
    ASSERT_TRUE(rel_close(val(&l, "CL_H_synth"), cl_h, 1e-13));
    ASSERT_TRUE(rel_close(val(&l, "CL_R_synth"), 1.0 * 0.2 * ph.gfr_l_h / 1.3, 1e-14));
    ASSERT_NEAR(val(&l, "ka_synth"), 1.2, 1e-15);
    ASSERT_NEAR(val(&l, "F_synth"), 0.9 * 0.8, 1e-15);

    /* provenance: anna is a CYP2C19 Poor Metabolizer, not applied without a factor */
    const mt_twin_param *p = mt_twin_param_find(&l, "CL_H_synth");
    ASSERT_TRUE(p && strstr(p->provenance, "phenotype not applied: no sourced activity factor"));
    ASSERT_TRUE(strstr(p->provenance, "Poor Metabolizer") != NULL);
    ASSERT_TRUE(strstr(p->provenance, "PK-Sim's default microsomal content") != NULL);
    ASSERT_STR_EQ(mt_twin_param_find(&l, "CL_H_synth")->unit, "L/h");

    /* facts */
    const mt_twin_fact *f = mt_twin_fact_find(&l, "pgx.CYP2C19");
    ASSERT_TRUE(f != NULL);
    ASSERT_STR_EQ(f->text, "Poor Metabolizer");
    f = mt_twin_fact_find(&l, "renal.gfr_l_h");
    ASSERT_TRUE(f && f->value == ph.gfr_l_h);
    f = mt_twin_fact_find(&l, "renal.egfr_ml_min_1_73");
    ASSERT_TRUE(f && f->value == ph.egfr_ml_min_1_73);
    f = mt_twin_fact_find(&l, "drug.synth.CL_H");
    ASSERT_TRUE(f && f->value == val(&l, "CL_H_synth"));
    f = mt_twin_fact_find(&l, "drug.synth.partition");
    ASSERT_TRUE(f && strstr(f->text, "2005"));

    /* the set is complete for the builder, oral and IV */
    char why[1024] = "";
    st = complete_for_builder(&l, "synth", 1, why, sizeof why);
    if (st != MT_OK)
        printf("  incomplete: %s\n", why);
    ASSERT_EQ_INT(st, MT_OK);
    size_t n_oral = l.n_params;
    mt_twin_param_list_free(&l);
    ASSERT_EQ_INT((int)l.n_params, 0);

    /* IV only: ka 0, F 1, the rest unchanged */
    oral[0] = 0;
    ASSERT_EQ_INT(mt_twin_params(tables, ctx, anna, 1, cards, ids, oral, &l), MT_OK);
    ASSERT_EQ_INT((int)l.n_params, (int)n_oral);
    ASSERT_TRUE(val(&l, "ka_synth") == 0.0 && val(&l, "F_synth") == 1.0);
    ASSERT_TRUE(strstr(mt_twin_param_find(&l, "ka_synth")->provenance, "no oral dose") != NULL);
    ASSERT_TRUE(rel_close(val(&l, "CL_H_synth"), cl_h, 1e-13));
    why[0] = '\0';
    ASSERT_EQ_INT(complete_for_builder(&l, "synth", 0, why, sizeof why), MT_OK);
    mt_twin_param_list_free(&l);

    /* the same card under another builder name, next to itself: ids follow drug_ids */
    const mt_drugcard *two[] = {card, card};
    const char *two_ids[] = {"a", "b"};
    ASSERT_EQ_INT(mt_twin_params(tables, ctx, anna, 2, two, two_ids, NULL, &l), MT_OK);
    ASSERT_TRUE(rel_close(val(&l, "CL_H_a"), cl_h, 1e-13) &&
                val(&l, "CL_H_a") == val(&l, "CL_H_b"));
    mt_twin_param_list_free(&l);

    /* a stored PK-Sim specific clearance on the unspecific process replaces its plasma
     * clearance: CLint_u = CLspec x V_liv (PK-Sim's 'Undefined Liver' enzyme, 1 umol/L) */
    mt_drugcard *sc = synth_with("\"plasma_clearance\": " VU(1, "mL/min/kg"),
                                 "\"specific_clearance\": " VU(0.5, "1/min"));
    ASSERT_TRUE(sc != NULL);
    const mt_drugcard *scards[] = {sc};
    ASSERT_EQ_INT(mt_twin_params(tables, ctx, anna, 1, scards, ids, NULL, &l), MT_OK);
    {
        const double v_liv = ph.organ[MT_ORGAN_LIVER].volume_l / (1.0 - 0.17); /* PK-Sim's */
        double q = ph.organ[MT_ORGAN_LIVER].blood_flow_l_h + ph.organ[MT_ORGAN_GUT].blood_flow_l_h +
                   ph.organ[MT_ORGAN_SPLEEN].blood_flow_l_h;
        double clb = 1.0 * 0.06 * cov.weight_kg / 1.3;
        double unspec_pc = q * clb / ((q - clb) * (0.2 / 1.3));
        double unspec_sc = 30.0 * v_liv;
        double want = cl_h + 0.2 / 1.3 * (unspec_sc - unspec_pc);
        printf("  CL_H_synth with a specific clearance %.10g (expected %.10g)\n",
               val(&l, "CL_H_synth"), want);
        ASSERT_TRUE(rel_close(val(&l, "CL_H_synth"), want, 1e-12));
        const mt_twin_param *ps = mt_twin_param_find(&l, "CL_H_synth");
        ASSERT_TRUE(ps && strstr(ps->provenance, "PK-Sim specific clearance 30/h") &&
                    strstr(ps->provenance, "it overrides the process inputs") &&
                    strstr(ps->provenance, "Undefined Liver"));
    }
    mt_twin_param_list_free(&l);
    mt_drugcard_destroy(sc);

    /* an enzyme's stored specific clearance (CYP2D6, in place of its clint): CLspec x CYP2D6 in
     * liver 0.4 umol/L (data/enzymes) / 1 umol/L x V_liv; a renal one: CLspec x V_kid x fu / B:P */
    sc = synth_with("\"clint\": " VU(0.5, "L/min"), "\"specific_clearance\": " VU(0.5, "1/min"));
    mt_drugcard *sr =
        synth_with("\"renal\": {\"gfr_fraction\": " V(1) "}},",
                   "\"renal\": {\"clearance\": [{\"process\": "
                   "\"renal_clearance\", \"specific_clearance\": " VU(0.02, "1/min") "}]}},");
    ASSERT_TRUE(sc != NULL && sr != NULL);
    scards[0] = sc;
    ASSERT_EQ_INT(mt_twin_params(tables, ctx, anna, 1, scards, ids, NULL, &l), MT_OK);
    {
        const double v_liv = ph.organ[MT_ORGAN_LIVER].volume_l / (1.0 - 0.17); /* PK-Sim's */
        double want = cl_h + 0.2 / 1.3 * (30.0 * 0.4 * v_liv - 0.5 * 60.0);
        ASSERT_TRUE(rel_close(val(&l, "CL_H_synth"), want, 1e-12));
        ASSERT_TRUE(strstr(mt_twin_param_find(&l, "CL_H_synth")->provenance,
                           "CYP2D6 in liver 0.4 umol/L / the process's enzyme concentration") !=
                    NULL);
    }
    mt_twin_param_list_free(&l);
    scards[0] = sr;
    ASSERT_EQ_INT(mt_twin_params(tables, ctx, anna, 1, scards, ids, NULL, &l), MT_OK);
    /* PK-Sim's kidney volume, blood included: / (1 - fraction vascular 0.23) */
    ASSERT_TRUE(rel_close(val(&l, "CL_R_synth"),
                          1.2 * ph.organ[MT_ORGAN_KIDNEY].volume_l / (1.0 - 0.23) * 0.2 / 1.3,
                          1e-13));
    ASSERT_TRUE(rel_close(val(&l, "CL_H_synth"), cl_h, 1e-13));
    mt_twin_param_list_free(&l);
    mt_drugcard_destroy(sc);
    mt_drugcard_destroy(sr);

    mt_drugcard_destroy(card);
    mt_profile_destroy(anna);
}

TEST(child_pugh_b)
{
    setup();
    mt_profile *p = parse_profile("{\"id\": \"cp\", \"sex\": \"male\", \"age_years\": 58, "
                                  "\"weight_kg\": 80, \"height_cm\": 178, "
                                  "\"child_pugh_class\": \"B\"}");
    mt_drugcard *card = synth(synth_card);
    ASSERT_TRUE(p && card);
    const mt_drugcard *cards[] = {card};
    const char *ids[] = {"synth"};
    mt_twin_param_list l;
    ASSERT_EQ_INT(mt_twin_params(tables, ctx, p, 1, cards, ids, NULL, &l), MT_OK);
    mt_covariates cov = covariates_of(p);
    ASSERT_EQ_INT(cov.child_pugh_class, 'B');
    mt_physiology ph;
    ASSERT_EQ_INT(mt_physiology_compute(mt_twin_tables_physio(tables), ctx, &cov, &ph), MT_OK);
    /* OSP Qualification-HI Table 2, class B: hepatic artery 2.3, renal 0.65; portal, other
     * organs and cardiac index are not applied */
    ASSERT_TRUE(rel_close(val(&l, "Q_ha"), ph.organ[MT_ORGAN_LIVER].blood_flow_l_h * 2.3, 1e-15));
    ASSERT_TRUE(
        rel_close(val(&l, "Q_kid"), ph.organ[MT_ORGAN_KIDNEY].blood_flow_l_h * 0.65, 1e-15));
    ASSERT_TRUE(val(&l, "Q_gut") == ph.organ[MT_ORGAN_GUT].blood_flow_l_h);
    ASSERT_TRUE(val(&l, "Q_mus") == ph.organ[MT_ORGAN_MUSCLE].blood_flow_l_h);
    ASSERT_TRUE(strstr(mt_twin_param_find(&l, "Q_gut")->provenance, "NOT applied") != NULL);
    /* CYP factors B: 3A4 0.4, 2C19 0.26, 1A2 0.1, 2D6 0.33; unspecific clearance unscaled.
     * No creatinine: GFR is the allometric reference x GFR factor, inside physiology. */
    double cl_h = synth_cl_h(&ph, 80, 0.4, 0.26, 0.1, 0.33);
    ASSERT_TRUE(rel_close(val(&l, "CL_H_synth"), cl_h, 1e-13));
    ASSERT_TRUE(rel_close(val(&l, "CL_R_synth"), 0.2 * ph.gfr_l_h / 1.3, 1e-14));
    /* Kp with the haematocrit x 0.88 */
    mt_kp_drug kd;
    mt_kp_drug_init(&kd);
    kd.logp = 2.5;
    kd.n_pka = 1;
    kd.pka[0] = 8.5;
    kd.pka_type[0] = MT_KP_PKA_BASE;
    kd.fu_plasma = 0.2;
    kd.blood_plasma_ratio = 1.3;
    mt_kp_opts opts = {ph.haematocrit * 0.88, MT_KP_REST_MUSCLE, NULL};
    double kp[MT_KP_N_ORGANS];
    ASSERT_EQ_INT(mt_partition_kp(mt_twin_tables_partition(tables), ctx, MT_KP_RODGERS_ROWLAND, &kd,
                                  &opts, kp, NULL),
                  MT_OK);
    ASSERT_TRUE(rel_close(val(&l, "Kp_liv_synth"), kp[MT_KP_LIV] / 1.3, 1e-14));
    const mt_twin_fact *f = mt_twin_fact_find(&l, "hepatic.child_pugh_class");
    ASSERT_TRUE(f && !strcmp(f->text, "B"));
    mt_twin_param_list_free(&l);
    mt_drugcard_destroy(card);
    mt_profile_destroy(p);
}

/* The card fields an error message names (for the table): tokens starting with a card
 * section ("physchem.fu_plasma", "elimination.hepatic.0", ...), each once. */
static void fields_named(const char *msg, char *out, size_t n)
{
    static const char *const sections[] = {"physchem.",    "partition.", "absorption.",
                                           "elimination.", "racemate",   NULL};
    out[0] = '\0';
    for (const char *p = msg; *p; p++) {
        if (p > msg && (isalnum((unsigned char)p[-1]) || strchr("._/", p[-1])))
            continue;
        for (const char *const *s = sections; *s; s++) {
            if (strncmp(p, *s, strlen(*s)))
                continue;
            size_t k = 0;
            while (p[k] && (isalnum((unsigned char)p[k]) || p[k] == '.' || p[k] == '_'))
                k++;
            while (k && p[k - 1] == '.')
                k--;
            char tok[96];
            snprintf(tok, sizeof tok, "%.*s", (int)k, p);
            /* skip a token already listed */
            const char *q = out;
            int seen = 0;
            while ((q = strstr(q, tok)) != NULL) {
                size_t e = strlen(tok);
                if ((q == out || q[-1] == ' ') && (q[e] == ',' || q[e] == '\0')) {
                    seen = 1;
                    break;
                }
                q += e;
            }
            size_t len = strlen(out);
            if (!seen && len + strlen(tok) + 3 < n)
                snprintf(out + len, n - len, "%s%s", len ? ", " : "", tok);
        }
    }
}

/* ---- 2. every card of the library --------------------------------------------------------- */

TEST(library_cards_iv)
{
    setup();
    mt_profile *anna = load_anna();
    ASSERT_TRUE(anna != NULL);
    char **names = NULL;
    size_t n = 0;
    ASSERT_EQ_INT(mt_drugcard_list(ctx, NULL, &names, &n), MT_OK);
    ASSERT_TRUE(n > 0);
    size_t n_complete = 0;
    int r_warfarin = 0, s_warfarin = 0;
    printf("  %-26s %-10s %s\n", "card (IV, patient anna)", "twin", "fields missing or unusable");
    for (size_t i = 0; i < n; i++) {
        mt_drugcard *c = NULL;
        if (mt_drugcard_load(ctx, NULL, names[i], &c) != MT_OK) {
            mt_check_(0, __FILE__, __LINE__, "card %s does not load: %s", names[i], mt_errmsg(ctx));
            continue;
        }
        const mt_drugcard *cards[] = {c};
        const char *ids[] = {names[i]};
        int oral[] = {0};
        mt_twin_param_list l;
        mt_status st = mt_twin_params(tables, ctx, anna, 1, cards, ids, oral, &l);
        if (st == MT_OK) {
            char why[1024] = "";
            mt_status cs = complete_for_builder(&l, names[i], 0, why, sizeof why);
            printf("  %-26s %-10s %s\n", names[i], cs == MT_OK ? "complete" : "INCOMPLETE",
                   cs == MT_OK ? "" : why);
            mt_check_(cs == MT_OK, __FILE__, __LINE__, "%s: parameters not complete: %s", names[i],
                      why);
            n_complete++;
            r_warfarin |= !strcmp(names[i], "r_warfarin");
            s_warfarin |= !strcmp(names[i], "s_warfarin");
        } else {
            const char *msg = mt_errmsg(ctx);
            char want[128];
            snprintf(want, sizeof want, "drug card '%s'", names[i]);
            char fields[512];
            fields_named(msg, fields, sizeof fields);
            printf("  %-26s %-10s %s\n", names[i], "error", fields);
            mt_check_(msg[0] != '\0' && strstr(msg, want) != NULL, __FILE__, __LINE__,
                      "%s: the error must name the card: '%s'", names[i], msg);
            mt_check_(st == MT_ENOTFOUND || st == MT_EUNSUPPORTED || st == MT_EINVAL, __FILE__,
                      __LINE__, "%s: unexpected status %d", names[i], (int)st);
            mt_check_(fields[0] != '\0', __FILE__, __LINE__,
                      "%s: the error must name a card field: '%s'", names[i], msg);
            mt_check_(l.n_params == 0 && l.params == NULL, __FILE__, __LINE__,
                      "%s: the list is not empty after a failure", names[i]);
        }
        /* oral: must not crash, and an error names a field */
        oral[0] = 1;
        mt_twin_param_list lo;
        if (mt_twin_params(tables, ctx, anna, 1, cards, ids, oral, &lo) != MT_OK)
            mt_check_(mt_errmsg(ctx)[0] != '\0', __FILE__, __LINE__, "%s oral: empty message",
                      names[i]);
        mt_twin_param_list_free(&lo);
        mt_twin_param_list_free(&l);
        mt_drugcard_destroy(c);
    }
    printf("  %zu of %zu cards give a complete IV twin\n", n_complete, n);
    mt_drugcard_names_free(ctx, names, n);
    mt_profile_destroy(anna);
    /* pinned: R-warfarin has everything an IV twin needs; so has S-warfarin, whose unspecific
     * hepatic and renal processes ran with stored PK-Sim specific clearances */
    ASSERT_TRUE(r_warfarin);
    ASSERT_TRUE(s_warfarin);
}

/* ---- 3. bad input ------------------------------------------------------------------------- */

static void expect_fail(const mt_profile *p, const mt_drugcard *c, int oral, mt_status want,
                        const char *needle, int line)
{
    const mt_drugcard *cards[] = {c};
    const char *ids[] = {"synth"};
    int o[] = {oral};
    mt_twin_param_list l;
    mt_status st = mt_twin_params(tables, ctx, p, c ? 1 : 0, cards, ids, o, &l);
    mt_check_(st == want, __FILE__, line, "status %d, expected %d (%s)", (int)st, (int)want,
              mt_errmsg(ctx));
    mt_check_(strstr(mt_errmsg(ctx), needle) != NULL, __FILE__, line,
              "message '%s' does not name '%s'", mt_errmsg(ctx), needle);
    mt_check_(l.n_params == 0 && l.n_facts == 0, __FILE__, line, "list not empty on failure");
    mt_twin_param_list_free(&l);
}

/* The OSP Mexiletine model's own value origins split its "0.50 tot hep spec CL" into CYP1A2
 * 28.6% ("divided by 1.8 umol/l reference concentration of CYP1A2"), CYP2D6 37.1% ("divided by
 * 0.4 umol/l") and the unspecific process 34.3% (../shared/data/drugs/drug_properties.csv,
 * Mexiletine-Model rows): the twin's three intrinsic clearances must keep those shares, i.e. an
 * enzyme's specific clearance counts per umol/L of enzyme and the unspecific one as PK-Sim's
 * 'Undefined Liver' enzyme at 1 umol/L (docs/twin-parameters.md). */
static double clint_of(const char *prov, const char *process)
{
    const char *at = strstr(prov, process);
    const char *c = at ? strstr(at, "CLint_u ") : NULL;
    return c ? strtod(c + 8, NULL) : NAN;
}

TEST(mexiletine_split)
{
    setup();
    mt_profile *anna = load_anna();
    mt_drugcard *c = NULL;
    ASSERT_TRUE(anna != NULL);
    ASSERT_EQ_INT(mt_drugcard_load(ctx, NULL, "mexiletine", &c), MT_OK);
    const mt_drugcard *cards[] = {c};
    const char *ids[] = {"mexiletine"};
    mt_twin_param_list l;
    ASSERT_EQ_INT(mt_twin_params(tables, ctx, anna, 1, cards, ids, NULL, &l), MT_OK);
    const mt_twin_param *p = mt_twin_param_find(&l, "CL_H_mexiletine");
    ASSERT_TRUE(p != NULL);
    double a = clint_of(p->provenance, "elimination.hepatic.0 (CYP1A2"),
           b = clint_of(p->provenance, "elimination.hepatic.1 (CYP2D6"),
           u = clint_of(p->provenance, "elimination.hepatic.2 (unspecific"), sum = a + b + u;
    printf("  mexiletine CLint_u shares: CYP1A2 %.1f%%, CYP2D6 %.1f%%, unspecific %.1f%%\n",
           100 * a / sum, 100 * b / sum, 100 * u / sum);
    ASSERT_TRUE(fabs(100 * a / sum - 28.6) < 0.1 && fabs(100 * b / sum - 37.1) < 0.1 &&
                fabs(100 * u / sum - 34.3) < 0.1);
    mt_twin_param_list_free(&l);
    mt_drugcard_destroy(c);
    mt_profile_destroy(anna);
}

/* Permeability-limited cells (cells.c, docs/twin-parameters.md "Cell permeability"):
 * (1) PK-Sim Standard's cellular permeability of a caffeine-like card (MW 194.2 g/mol, no halogen,
 *     lipophilicity -0.07) is the value PK-Sim's own export computes for caffeine, 4.5664e-5 dm/min
 *     (export id 52111796471, P_3423);
 * (2) rifampicin's fe and PSc of the liver, muscle and rest recomputed here from
 *     data/physiology/pksim_cell_exchange.csv and the twin's Kp, B:P, fu and volumes;
 * (3) a card naming charge_dependent_schmitt gets no cells and a fact saying so. */
static const char *const caffeine_like =
    "{\"schema\": \"medtwin-drug-card/1\", \"name\": \"caf\", \"version\": \"0\","
    " \"display_name\": \"c\", \"kind\": \"pbpk\","
    " \"physchem\": {\"logp\": " VU(
        -0.07,
        "log10") ", \"logp_measure\": \"pksim_lipophilicity\","
                 "   \"mw\": " VU(
                     194.2,
                     "g/mol") ", \"pka\": [], \"pka_source\": \"synthetic\","
                              "   \"fu_plasma\": " V(0.7) ", \"blood_plasma_ratio\": " V(
                                  1) ","
                                     "   \"halogens\": {\"fluorine\": " V(0) ", \"chlorine\": " V(
                                         0) ", \"bromine\": " V(0) ","
                                                                   "                \"iodine\": " V(
                                                                       0) "}},"
                                                                          " \"partition\": "
                                                                          "{\"method\": "
                                                                          "\"rodgers_rowland\", "
                                                                          "\"cell_permeability\": "
                                                                          "\"%s\","
                                                                          "   "
                                                                          "\"cell_permeability_"
                                                                          "source\": "
                                                                          "\"synthetic\"},"
                                                                          " \"elimination\": "
                                                                          "{\"renal\": "
                                                                          "{\"gfr_fraction\": " V(
                                                                              1) "}}}";

TEST(cell_permeability)
{
    setup();
    mt_profile *man = NULL;
    ASSERT_EQ_INT(load_reference_man(ctx, &man), MT_OK);
    char text[4096];
    snprintf(text, sizeof text, caffeine_like, "pksim_standard");
    mt_drugcard *caf = synth(text), *rif = NULL;
    ASSERT_TRUE(caf != NULL);
    ASSERT_TRUE(mt_twin_cells_represented(caf));
    const mt_drugcard *cards[] = {caf};
    const char *ids[] = {"caf"};
    mt_twin_param_list l;
    ASSERT_EQ_INT(mt_twin_params(tables, ctx, man, 1, cards, ids, NULL, &l), MT_OK);
    const mt_twin_fact *f = mt_twin_fact_find(&l, "drug.caf.cell_permeability");
    ASSERT_TRUE(f != NULL);
    printf("  caffeine-like P_cell %.6g dm/min (PK-Sim export 4.5664e-05)\n", f->value);
    ASSERT_TRUE(rel_close(f->value, 4.5664e-5, 1e-4));
    char why[256] = "";
    ASSERT_EQ_INT(complete_for_builder(&l, "caf", 0, why, sizeof why), MT_OK);
    mt_twin_param_list_free(&l);
    mt_drugcard_destroy(caf);

    ASSERT_EQ_INT(mt_drugcard_load(ctx, NULL, "rifampicin", &rif), MT_OK);
    cards[0] = rif;
    ids[0] = "rifampicin";
    ASSERT_EQ_INT(mt_twin_params(tables, ctx, man, 1, cards, ids, NULL, &l), MT_OK);
    const double p = 2e-6 * pow(10.0, 2.5) * pow(336.0 / 822.94, 6.0), fu = 0.17;
    const double bp = val(&l, "BP_rifampicin"), kint = (0.935 + 0.37 * (1.0 / fu - 0.926)) * fu;
    ASSERT_TRUE(
        rel_close(mt_twin_fact_find(&l, "drug.rifampicin.cell_permeability")->value, p, 1e-12));
    /* organ, fraction vascular, fraction interstitial, a, b (pksim_cell_exchange.csv) */
    static const struct {
        const char *o;
        double fvas, fint, a, b;
    } org[] = {{"liv", 0.17, 0.163, 100.0, 8200.0},
               {"mus", 0.025, 0.16, 9.082652134423252, 754.0},
               {"rest", 0.025, 0.16, 9.082652134423252, 754.0}};
    for (size_t k = 0; k < 3; k++) {
        char id[64];
        snprintf(id, sizeof id, "V_%s", org[k].o);
        double v = val(&l, id) / (1.0 - org[k].fvas);
        snprintf(id, sizeof id, "Kp_%s_rifampicin", org[k].o);
        double kp_tp = val(&l, id) * bp;
        double fe = fmin(kint * org[k].fint / ((1.0 - org[k].fvas) * kp_tp), 0.99);
        double ps = fu / bp * p * pow(v * org[k].a, 0.75) * org[k].b * 60.0;
        snprintf(id, sizeof id, "fe_%s_rifampicin", org[k].o);
        printf("  rifampicin %s: fe %.4g (want %.4g), ", org[k].o, val(&l, id), fe);
        ASSERT_TRUE(rel_close(val(&l, id), fe, 1e-12));
        snprintf(id, sizeof id, "PSc_%s_rifampicin", org[k].o);
        printf("PSc %.4g L/h (want %.4g)\n", val(&l, id), ps);
        ASSERT_TRUE(rel_close(val(&l, id), ps, 1e-12));
    }
    /* the blood-brain barrier: fu_b x 0.5 P x 9500 dm2/L x f_vas 0.039 x V x 60 */
    double vb = val(&l, "V_brain") / (1.0 - 0.039);
    double bbb = fu / bp * 0.5 * p * 9500.0 * 0.039 * vb * 60.0;
    printf("  rifampicin PSbbb %.4g L/h (want %.4g)\n", val(&l, "PSbbb_rifampicin"), bbb);
    ASSERT_TRUE(rel_close(val(&l, "PSbbb_rifampicin"), bbb, 1e-12));
    /* OATP1B1's uptake: kcat 5.21004653/min x RC 1 x relative expression 1 x PK-Sim's liver
     * volume x MW / 1000, and Km 1.5 umol/L / fu_b x MW / 1000 (data/enzymes, the card) */
    ASSERT_TRUE(mt_twin_liver_uptake_represented(rif) && twin_uptake(&l, "rifampicin"));
    double vup = 5.21004653 * 60.0 * val(&l, "V_liv") / (1.0 - 0.17) * 822.94 / 1000.0;
    double kmup = 1.5 / (fu / bp) * 822.94 / 1000.0;
    printf("  rifampicin Vup %.5g mg/h (want %.5g), Kmup %.5g mg/L (want %.5g)\n",
           val(&l, "Vup_rifampicin"), vup, val(&l, "Kmup_rifampicin"), kmup);
    ASSERT_TRUE(rel_close(val(&l, "Vup_rifampicin"), vup, 1e-12));
    ASSERT_TRUE(rel_close(val(&l, "Kmup_rifampicin"), kmup, 1e-12));
    ASSERT_EQ_INT(complete_for_builder(&l, "rifampicin", 0, why, sizeof why), MT_OK);
    mt_twin_param_list_free(&l);
    mt_drugcard_destroy(rif);

    snprintf(text, sizeof text, caffeine_like, "charge_dependent_schmitt");
    caf = synth(text);
    ASSERT_TRUE(caf && !mt_twin_cells_represented(caf));
    cards[0] = caf;
    ids[0] = "caf";
    ASSERT_EQ_INT(mt_twin_params(tables, ctx, man, 1, cards, ids, NULL, &l), MT_OK);
    f = mt_twin_fact_find(&l, "drug.caf.cell_permeability");
    ASSERT_TRUE(f && !strcmp(f->text, "not represented") && !twin_cells(&l, "caf"));
    mt_twin_param_list_free(&l);
    mt_drugcard_destroy(caf);
    mt_profile_destroy(man);
}

TEST(bad_person)
{
    setup();
    mt_drugcard *card = synth(synth_card);
    ASSERT_TRUE(card != NULL);
    expect_fail(NULL, card, 0, MT_EINVAL, "profile", __LINE__);
    /* a profile without a weight is refused by the profile parser, naming the field */
    mt_profile *p = NULL;
    const char *no_weight = "{\"id\": \"x\", \"sex\": \"female\", \"age_years\": 40, "
                            "\"height_cm\": 160}";
    ASSERT_EQ_INT(mt_profile_parse_json(ctx, no_weight, strlen(no_weight), &p), MT_EINVAL);
    ASSERT_TRUE(strstr(mt_errmsg(ctx), "weight_kg") != NULL);
    /* a valid profile outside the physiology method's range: the message names the field */
    p = parse_profile("{\"id\": \"heavy\", \"sex\": \"female\", \"age_years\": 40, "
                      "\"weight_kg\": 400, \"height_cm\": 160}");
    ASSERT_TRUE(p != NULL);
    expect_fail(p, card, 0, MT_EINVAL, "weight_kg", __LINE__);
    mt_profile_destroy(p);
    p = parse_profile("{\"id\": \"child\", \"sex\": \"male\", \"age_years\": 10, "
                      "\"weight_kg\": 30, \"height_cm\": 140}");
    ASSERT_TRUE(p != NULL);
    expect_fail(p, card, 0, MT_EINVAL, "age_years", __LINE__);
    mt_profile_destroy(p);
    /* an allele CPIC does not know */
    p = parse_profile("{\"id\": \"g\", \"sex\": \"male\", \"age_years\": 40, \"weight_kg\": 80, "
                      "\"height_cm\": 180, \"genotypes\": {\"CYP2C19\": \"*1/*99\"}}");
    ASSERT_TRUE(p != NULL);
    expect_fail(p, card, 0, MT_ENOTFOUND, "genotypes.CYP2C19", __LINE__);
    mt_profile_destroy(p);
    mt_drugcard_destroy(card);
}

TEST(bad_card)
{
    setup();
    mt_profile *anna = load_anna();
    ASSERT_TRUE(anna != NULL);
    mt_drugcard *c;
    /* no fu */
    c = synth_with("\"fu_plasma\": " V(0.2) ", ", "");
    ASSERT_TRUE(c != NULL);
    expect_fail(anna, c, 0, MT_ENOTFOUND, "drug card 'synth': physchem.fu_plasma", __LINE__);
    mt_drugcard_destroy(c);
    /* no B:P: a base with pKa 8.5 under Rodgers & Rowland, whose blood-cell equation needs a
     * measured B:P, gets one from the Schmitt erythrocytes (said in the provenance) */
    c = synth_with(", \"blood_plasma_ratio\": " V(1.3), "");
    ASSERT_TRUE(c != NULL);
    {
        const mt_drugcard *cards[] = {c};
        const char *ids[] = {"synth"};
        mt_twin_param_list l;
        ASSERT_EQ_INT(mt_twin_params(tables, ctx, anna, 1, cards, ids, NULL, &l), MT_OK);
        const mt_twin_param *bp = mt_twin_param_find(&l, "BP_synth");
        ASSERT_TRUE(bp && bp->value > 0 && isfinite(bp->value));
        ASSERT_TRUE(strstr(bp->provenance, "Schmitt 2008: the Rodgers & Rowland blood-cell "
                                           "equation cannot predict it") != NULL);
        mt_twin_param_list_free(&l);
    }
    mt_drugcard_destroy(c);
    /* oral dose without ka */
    c = synth_with("\"ka\": " VU(1.2, "1/h") ",", "");
    ASSERT_TRUE(c != NULL);
    expect_fail(anna, c, 1, MT_ENOTFOUND, "absorption.ka", __LINE__);
    /* ... which an IV regimen does not need */
    {
        const mt_drugcard *cards[] = {c};
        const char *ids[] = {"synth"};
        mt_twin_param_list l;
        ASSERT_EQ_INT(mt_twin_params(tables, ctx, anna, 1, cards, ids, NULL, &l), MT_OK);
        mt_twin_param_list_free(&l);
    }
    mt_drugcard_destroy(c);
    /* Km absent */
    c = synth_with("\"km\": " VU(5, "umol/L") ",", "");
    ASSERT_TRUE(c != NULL);
    expect_fail(anna, c, 0, MT_ENOTFOUND, "elimination.hepatic.0 (CYP3A4).km", __LINE__);
    mt_drugcard_destroy(c);
    /* an enzyme without an abundance in data/enzymes */
    c = synth_with("\"enzyme\": \"CYP3A4\"", "\"enzyme\": \"CYP4F2\"");
    ASSERT_TRUE(c != NULL);
    expect_fail(anna, c, 0, MT_ENOTFOUND, "CYP4F2", __LINE__);
    mt_drugcard_destroy(c);
    /* a partition method medtwin does not implement */
    c = synth_with("\"rodgers_rowland\"", "\"pksim_standard\"");
    ASSERT_TRUE(c != NULL);
    expect_fail(anna, c, 0, MT_EUNSUPPORTED, "partition.method 'pksim_standard'", __LINE__);
    mt_drugcard_destroy(c);
    /* genotype alternatives on one enzyme are not summed */
    c = synth_with("\"enzyme\": \"CYP1A2\", \"process\": \"michaelis_menten\",",
                   "\"enzyme\": \"CYP3A4\", \"osp_process\": \"CYP3A4*22\", \"process\": "
                   "\"michaelis_menten\",");
    ASSERT_TRUE(c != NULL);
    expect_fail(anna, c, 0, MT_EUNSUPPORTED, "different genotypes", __LINE__);
    mt_drugcard_destroy(c);
    /* an enzyme's PK-Sim specific clearance needs the enzyme's liver abundance */
    c = synth_with(
        "\"enzyme\": \"CYP2D6\", \"process\": \"first_order\", \"clint\": " VU(0.5, "L/min"),
        "\"enzyme\": \"CYP4F2\", \"process\": \"first_order\", "
        "\"specific_clearance\": " VU(0.5, "1/min"));
    ASSERT_TRUE(c != NULL);
    expect_fail(anna, c, 0, MT_ENOTFOUND, "elimination.hepatic.3 (CYP4F2): enzyme 'CYP4F2'",
                __LINE__);
    mt_drugcard_destroy(c);

    /* malformed arguments */
    c = synth(synth_card);
    ASSERT_TRUE(c != NULL);
    const mt_drugcard *cards[] = {c, c};
    const char *bad_ids[] = {"1abc"};
    const char *dup_ids[] = {"x", "x"};
    mt_twin_param_list l;
    ASSERT_EQ_INT(mt_twin_params(tables, ctx, anna, 1, cards, bad_ids, NULL, &l), MT_EINVAL);
    ASSERT_TRUE(strstr(mt_errmsg(ctx), "drug_ids[0]") != NULL);
    ASSERT_EQ_INT(mt_twin_params(tables, ctx, anna, 2, cards, dup_ids, NULL, &l), MT_EINVAL);
    ASSERT_TRUE(strstr(mt_errmsg(ctx), "twice") != NULL);
    ASSERT_EQ_INT(mt_twin_params(tables, ctx, anna, 1, NULL, bad_ids, NULL, &l), MT_EINVAL);
    ASSERT_EQ_INT(mt_twin_params(NULL, ctx, anna, 1, cards, bad_ids, NULL, &l), MT_EINVAL);
    ASSERT_EQ_INT(mt_twin_params(tables, ctx, anna, 0, NULL, NULL, NULL, NULL), MT_EINVAL);
    /* no drugs: the physiology alone */
    ASSERT_EQ_INT(mt_twin_params(tables, ctx, anna, 0, NULL, NULL, NULL, &l), MT_OK);
    ASSERT_TRUE(mt_twin_param_find(&l, "V_liv") && mt_twin_param_find(&l, "Q_ha"));
    ASSERT_EQ_INT((int)l.n_params, 25);
    mt_twin_param_list_free(&l);
    mt_twin_param_list_free(NULL);
    mt_drugcard_destroy(c);
    mt_profile_destroy(anna);
}

TEST(teardown)
{
    mt_twin_tables_destroy(tables);
    tables = NULL;
    mt_ctx_destroy(ctx);
    ctx = NULL;
}

TEST_MAIN(TEST_ENTRY(enzyme_table), TEST_ENTRY(synthetic_card_anna), TEST_ENTRY(child_pugh_b),
          TEST_ENTRY(library_cards_iv), TEST_ENTRY(mexiletine_split), TEST_ENTRY(cell_permeability),
          TEST_ENTRY(bad_person), TEST_ENTRY(bad_card), TEST_ENTRY(teardown))
