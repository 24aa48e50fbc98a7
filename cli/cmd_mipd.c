/* SPDX-License-Identifier: Apache-2.0
 *
 * cli/cmd_mipd.c — model-informed precision dosing on population-PK twins:
 *   medtwin fit  --patient P.json --drug DRUG [--levels L.csv]     the MAP posterior
 *   medtwin dose --patient P.json --drug DRUG --target "auc24 400-600"   the regimen
 * The twin is the drug's population-PK card (data/poppk) with the patient's covariates
 * (profile, FHIR bundle or --covariates); the dosing history comes from the profile's
 * medications or --regimen, the levels from the profile's measurements or --levels
 * (docs/fitting.md). The library does the work (medtwin/mipd.h).
 */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DOSES 100000
#define MAX_LEVELS 10000
#define N_GRID 241

static const char *const fit_help =
    "usage: medtwin fit --drug DRUG [--patient P.json] [--covariates K=V,...]\n"
    "                   [--regimen TEXT]... [--levels L.csv] [options]\n"
    "\n"
    "Bayesian MAP estimate of a patient's pharmacokinetic parameters: the drug's\n"
    "population-PK card (data/poppk: prior = typical values for the patient's\n"
    "covariates and inter-individual variability) updated by the patient's levels.\n"
    "  --patient P.json    profile JSON or FHIR bundle: covariates, genotypes, the\n"
    "                      medications of DRUG and its measured levels (and INR)\n"
    "  --covariates K=V,.. covariates (override the profile's): WT, AGE, HT, BSA,\n"
    "                      CRCL (mL/min), SCR, BWT, PNA, INR0, SEX (1 male, 0\n"
    "                      female), genotypes GENE=CALL (CYP2C9=*1/*3, VKORC1=GA)\n"
    "  --regimen TEXT      a dose history line, e.g. \"vancomycin 1 g ivinf over\n"
    "                      60 min q12h x 4 doses\" (repeatable; instead of the\n"
    "                      profile's medications)\n"
    "  --levels L.csv      measured levels: columns time_h and conc_mg_l and/or inr\n"
    "  --draws N           posterior draws for the prediction intervals (500)\n"
    "  --seed S            random seed (1)\n"
    "  --out FILE.json     the posterior, the SIR check and the prediction\n"
    "  --plot FILE         levels, MAP curve and the 90% prediction interval\n";

static const char *const dose_help =
    "usage: medtwin dose --drug DRUG [--patient P.json] [--covariates K=V,...]\n"
    "                    --target \"auc24 400-600\" [options]\n"
    "\n"
    "Recommends the regimen with the highest probability of target attainment\n"
    "under the patient's posterior (MAP + Laplace draws; the prior without\n"
    "levels). Targets: auc24 LO-HI (mg*h/L over the last 24 h of the horizon),\n"
    "trough LO-HI (mg/L, before the last dose), peak LO-HI (mg/L, end of the\n"
    "last infusion), inr LO-HI (before the last dose).\n"
    "  --interval 8h,12h,24h   candidate dosing intervals (default by target)\n"
    "  --doses 250,500,...      candidate doses in mg (default: the card's\n"
    "                           practical strengths, see docs/fitting.md)\n"
    "  --infusion H             infusion duration of IV doses in hours (1)\n"
    "  --horizon H              hours of the new regimen before the target is\n"
    "                           read (default 336 for PK targets, 1440 for inr)\n"
    "  --typical                use the typical twin only (no draws): the dose\n"
    "                           whose prediction is nearest the target's middle\n"
    "  plus --patient, --covariates, --regimen, --levels, --draws, --seed,\n"
    "  --out, --plot as for medtwin fit --drug\n";

typedef struct {
    int dose; /* the dose command */
    const char *drug, *patient, *covs, *levels, *out, *plot, *target, *intervals, *doses;
    const char *regimens[64];
    int n_reg, n_draws, typical;
    unsigned long seed;
    double infusion_h, horizon_h;
} margs;

static int parse(int argc, char **argv, margs *a)
{
    const char *cmd = a->dose ? "dose" : "fit";
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        if (!strcmp(o, "--help") || !strcmp(o, "-h")) {
            fputs(a->dose ? dose_help : fit_help, stdout);
            exit(0);
        }
        if (!strcmp(o, "--typical")) {
            a->typical = 1;
            continue;
        }
        if (o[0] != '-' || i + 1 >= argc)
            return mt_cli_fail("%s: %s '%s' (see medtwin %s --help)", cmd,
                               o[0] == '-' ? "option needs a value:" : "unexpected argument", o,
                               cmd);
        const char *v = argv[++i];
        long n;
        double x;
        if (!strcmp(o, "--drug"))
            a->drug = v;
        else if (!strcmp(o, "--patient"))
            a->patient = v;
        else if (!strcmp(o, "--covariates"))
            a->covs = v;
        else if (!strcmp(o, "--levels"))
            a->levels = v;
        else if (!strcmp(o, "--out"))
            a->out = v;
        else if (!strcmp(o, "--plot"))
            a->plot = v;
        else if (!strcmp(o, "--regimen")) {
            if (a->n_reg == 64)
                return mt_cli_fail("%s: more than 64 --regimen lines", cmd);
            a->regimens[a->n_reg++] = v;
        } else if (!strcmp(o, "--draws")) {
            if (mt_cli_parse_long(v, &n) || n < 20 || n > 100000)
                return mt_cli_fail("%s: --draws: '%s' is not a whole number in 20..100000", cmd, v);
            a->n_draws = (int)n;
        } else if (!strcmp(o, "--seed")) {
            if (mt_cli_parse_long(v, &n) || n < 0)
                return mt_cli_fail("%s: --seed: '%s' is not a whole number >= 0", cmd, v);
            a->seed = (unsigned long)n;
        } else if (a->dose && !strcmp(o, "--target"))
            a->target = v;
        else if (a->dose && !strcmp(o, "--interval"))
            a->intervals = v;
        else if (a->dose && !strcmp(o, "--doses"))
            a->doses = v;
        else if (a->dose && !strcmp(o, "--infusion")) {
            if (mt_parse_duration_h(v, &x) || !(x > 0) || x > 48)
                return mt_cli_fail("dose: --infusion: '%s' is not a duration in (0, 48] h", v);
            a->infusion_h = x;
        } else if (a->dose && !strcmp(o, "--horizon")) {
            if (mt_parse_duration_h(v, &x) || !(x >= 24) || x > 24 * 365)
                return mt_cli_fail("dose: --horizon: '%s' is not a duration of 24 h to 1 year", v);
            a->horizon_h = x;
        } else
            return mt_cli_fail("%s: unknown option '%s' (see medtwin %s --help)", cmd, o, cmd);
    }
    if (!a->drug)
        return mt_cli_fail("%s: --drug is required", cmd);
    if (a->dose && !a->target)
        return mt_cli_fail("dose: --target is required, e.g. \"auc24 400-600\"");
    return 0;
}

/* ---------- the twin from the profile and options ---------- */

typedef struct {
    mt_ctx *ctx;
    mt_profile *prof;
    mt_poppk *card;
    mt_poppk_covariates cov;
    char gbuf[MT_POPPK_MAX_GENES][2][64];
    mt_mipd *twin;
    mt_mipd_dose *doses;
    size_t n_doses;
    mt_mipd_level *levels;
    size_t n_levels;
    double last_interval_h; /* of the history's last regimen (0: none) */
    char notes[8][256];
    int n_notes;
} session;

static void note(session *s, const char *fmt, const char *arg)
{
    if (s->n_notes < 8)
        snprintf(s->notes[s->n_notes++], sizeof s->notes[0], fmt, arg);
}

static int set_genotype(session *s, const char *gene, const char *call)
{
    size_t k = s->cov.n_genotypes;
    for (size_t i = 0; i < s->cov.n_genotypes; i++)
        if (!strcmp(s->cov.genotypes[i].gene, gene))
            k = i;
    if (k >= MT_POPPK_MAX_GENES)
        return mt_cli_fail("too many genotypes");
    snprintf(s->gbuf[k][0], 64, "%s", gene);
    snprintf(s->gbuf[k][1], 64, "%s", call);
    s->cov.genotypes[k].gene = s->gbuf[k][0];
    s->cov.genotypes[k].genotype = s->gbuf[k][1];
    if (k == s->cov.n_genotypes)
        s->cov.n_genotypes++;
    return 0;
}

/* Covariates from the profile: body size, age, sex, CrCl (Cockcroft-Gault, total body weight)
 * from serum creatinine, and genotypes (VKORC1 as its -1639G>A call). */
static int profile_covariates(session *s)
{
    mt_profile *p = s->prof;
    s->cov.weight_kg = mt_profile_weight_kg(p);
    s->cov.age_years = mt_profile_age_years(p);
    s->cov.height_cm = mt_profile_height_cm(p);
    s->cov.sex = mt_profile_sex(p) == MT_SEX_MALE ? 1 : mt_profile_sex(p) == MT_SEX_FEMALE ? 0 : -1;
    if (s->cov.weight_kg > 0 && s->cov.height_cm > 0)
        s->cov.bsa_m2 = sqrt(s->cov.weight_kg * s->cov.height_cm / 3600.0); /* Mosteller */
    double scr = mt_profile_serum_creatinine_mg_dl(p);
    if (isfinite(scr)) {
        s->cov.scr_mg_dl = scr;
        mt_physio_tables *t = NULL;
        double crcl;
        if (mt_physio_tables_load(s->ctx, NULL, &t) != MT_OK ||
            mt_renal_crcl_cockcroft_gault(t, s->ctx, mt_profile_sex(p), s->cov.age_years,
                                          s->cov.weight_kg, scr, &crcl) != MT_OK) {
            mt_physio_tables_destroy(t);
            return mt_cli_fail("creatinine clearance: %s", mt_errmsg(s->ctx));
        }
        mt_physio_tables_destroy(t);
        s->cov.crcl_ml_min = crcl;
    }
    mt_pgx *pgx = NULL;
    for (size_t i = 0; i < mt_profile_n_genotypes(p); i++) {
        const char *gene = mt_profile_genotype_gene(p, i), *call = mt_profile_genotype_at(p, i);
        if (!strcmp(gene, "VKORC1")) {
            mt_pgx_call c;
            if (!pgx && mt_pgx_load(s->ctx, NULL, &pgx) != MT_OK)
                return mt_cli_fail("pharmacogenomics tables: %s", mt_errmsg(s->ctx));
            if (mt_pgx_phenotype(pgx, s->ctx, gene, call, &c) != MT_OK) {
                mt_pgx_destroy(pgx);
                return mt_cli_fail("VKORC1 %s: %s", call, mt_errmsg(s->ctx));
            }
            /* "-1639 AG" -> the card's G/A call */
            const char *g = strrchr(c.phenotype, ' ');
            char two[3] = {0};
            if (g && strlen(g + 1) == 2) {
                two[0] = g[1];
                two[1] = g[2];
                if (!strcmp(two, "AG")) { /* the card's spelling */
                    two[0] = 'G';
                    two[1] = 'A';
                }
                if (set_genotype(s, gene, two)) {
                    mt_pgx_destroy(pgx);
                    return 1;
                }
            }
        } else if (set_genotype(s, gene, call)) {
            mt_pgx_destroy(pgx);
            return 1;
        }
    }
    mt_pgx_destroy(pgx);
    return 0;
}

static int option_covariates(session *s, const char *list)
{
    char *copy = strdup(list), *save = NULL;
    if (!copy)
        return mt_cli_fail("out of memory");
    int rc = 0;
    for (char *t = strtok_r(copy, ",", &save); t && !rc; t = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(t, '=');
        if (!eq || eq == t) {
            rc = mt_cli_fail("--covariates: '%s' is not NAME=VALUE", t);
            break;
        }
        *eq = '\0';
        const char *k = t, *v = eq + 1;
        struct {
            const char *name;
            double *field;
        } num[] = {{"WT", &s->cov.weight_kg},        {"AGE", &s->cov.age_years},
                   {"HT", &s->cov.height_cm},        {"BSA", &s->cov.bsa_m2},
                   {"CRCL", &s->cov.crcl_ml_min},    {"SCR", &s->cov.scr_mg_dl},
                   {"BWT", &s->cov.birth_weight_kg}, {"PNA", &s->cov.postnatal_age_days},
                   {"INR0", &s->cov.baseline_inr}};
        int done = 0;
        for (size_t i = 0; i < sizeof num / sizeof *num && !done; i++)
            if (!strcmp(k, num[i].name)) {
                double x;
                if (mt_cli_parse_double(v, &x) || !(x >= 0))
                    rc = mt_cli_fail("--covariates: %s: '%s' is not a number >= 0", k, v);
                *num[i].field = x;
                done = 1;
            }
        if (!done && !strcmp(k, "SEX")) {
            if (strcmp(v, "0") && strcmp(v, "1"))
                rc = mt_cli_fail("--covariates: SEX: '%s' is not 1 (male) or 0 (female)", v);
            s->cov.sex = v[0] == '1';
            done = 1;
        }
        if (!done) {
            int upper = 1;
            for (const char *c = k; *c; c++)
                upper &= (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9');
            if (!upper)
                rc = mt_cli_fail("--covariates: unknown covariate '%s'", k);
            else
                rc = set_genotype(s, k, v);
        }
    }
    free(copy);
    return rc;
}

static int add_dose(session *s, double t, double mg, double dur)
{
    if (s->n_doses >= MAX_DOSES)
        return mt_cli_fail("more than %d doses in the history", MAX_DOSES);
    mt_mipd_dose *n = realloc(s->doses, (s->n_doses + 1) * sizeof *n);
    if (!n)
        return mt_cli_fail("out of memory");
    s->doses = n;
    n[s->n_doses++] = (mt_mipd_dose){t, mg, dur};
    return 0;
}

static int add_level(session *s, double t, int inr, double v)
{
    if (s->n_levels >= MAX_LEVELS)
        return mt_cli_fail("more than %d levels", MAX_LEVELS);
    mt_mipd_level *n = realloc(s->levels, (s->n_levels + 1) * sizeof *n);
    if (!n)
        return mt_cli_fail("out of memory");
    s->levels = n;
    n[s->n_levels++] = (mt_mipd_level){t, inr, v};
    return 0;
}

/* Dose route of the card: IV cards take IV doses, oral cards oral ones. */
static int route_ok(session *s, int oral_dose, const char *what)
{
    int oral_card = strcmp(mt_poppk_absorption(s->card), "iv") != 0;
    if (oral_card != oral_dose)
        return mt_cli_fail("%s: a%s dose, but the %s card's model is %s", what,
                           oral_dose ? "n oral" : "n intravenous", mt_poppk_drug(s->card),
                           oral_card ? "oral" : "intravenous");
    return 0;
}

static int history(session *s, const margs *a)
{
    const char *drug = mt_poppk_drug(s->card);
    if (a->n_reg == 0 && s->prof) {
        for (size_t i = 0; i < mt_profile_n_medications(s->prof); i++) {
            const mt_medication *m = mt_profile_medication(s->prof, i);
            if (strcmp(m->drug, drug))
                continue;
            if (route_ok(s, m->route == MT_ROUTE_PO, "profile medication"))
                return 1;
            for (int k = 0; k < m->n_doses; k++)
                if (add_dose(s, m->start_h + k * m->interval_h, m->dose_mg,
                             m->route == MT_ROUTE_IVINF ? m->infusion_h : 0))
                    return 1;
            s->last_interval_h = m->interval_h;
        }
    }
    for (int i = 0; i < a->n_reg; i++) {
        mt_regimen r;
        double wt = s->cov.weight_kg > 0 ? s->cov.weight_kg : NAN;
        if (mt_regimen_parse(s->ctx, a->regimens[i], 24 * 365, wt, &r) != MT_OK)
            return mt_cli_fail("--regimen '%s': %s", a->regimens[i], mt_errmsg(s->ctx));
        int rc = strcmp(r.drug, drug) ? mt_cli_fail("--regimen '%s': the drug is %s, not %s",
                                                    a->regimens[i], r.drug, drug)
                 : r.formulation[0]
                     ? mt_cli_fail("--regimen '%s': a formulation ('as %s') belongs to the PBPK "
                                   "twin (medtwin predict); the population PK model of dose "
                                   "individualisation absorbs first order",
                                   a->regimens[i], r.formulation)
                     : route_ok(s, r.route == MT_DOSE_PO, "--regimen");
        for (size_t k = 0; k < r.n_doses && !rc; k++)
            rc = add_dose(s, r.doses[k].time_h, r.doses[k].amount_mg,
                          r.doses[k].route == MT_DOSE_IV_INFUSION ? r.doses[k].duration_h : 0);
        s->last_interval_h = r.interval_h;
        mt_regimen_clear(&r);
        if (rc)
            return rc;
    }
    return 0;
}

/* Levels: the profile's measurements of the card's analyte (for a card whose concentration is
 * an enantiomer, "s_<drug>") and INR, then --levels. */
static int read_levels(session *s, const margs *a)
{
    const char *drug = mt_poppk_drug(s->card);
    char analyte[80];
    snprintf(analyte, sizeof analyte, mt_poppk_pd(s->card) ? "s_%s" : "%s", drug);
    int has_inr = mt_mipd_has_inr(s->twin);
    for (size_t i = 0; s->prof && i < mt_profile_n_measurements(s->prof); i++) {
        const mt_measurement *m = mt_profile_measurement(s->prof, i);
        if (!strcmp(m->analyte, "inr") && has_inr) {
            if (add_level(s, m->time_h, 1, m->value))
                return 1;
        } else if (!strcmp(m->analyte, analyte)) {
            if (add_level(s, m->time_h, 0, m->value))
                return 1;
        } else if (!strcmp(m->analyte, drug)) {
            note(s,
                 "the profile's %s levels are not used: the card's model predicts the "
                 "S-enantiomer",
                 drug);
        }
    }
    if (!a->levels)
        return 0;
    mt_csv *csv = NULL;
    if (mt_csv_read(s->ctx, a->levels, 16u << 20, &csv) != MT_OK)
        return mt_cli_fail("--levels: %s", mt_errmsg(s->ctx));
    int ct = mt_csv_col(csv, "time_h"), cc = mt_csv_col(csv, "conc_mg_l"),
        ci = mt_csv_col(csv, "inr");
    int rc = 0;
    if (ct < 0 || (cc < 0 && ci < 0))
        rc = mt_cli_fail("--levels %s: needs a time_h column and conc_mg_l and/or inr columns",
                         a->levels);
    if (!rc && ci >= 0 && !has_inr)
        rc = mt_cli_fail("--levels %s: an inr column, but the %s card has no INR model", a->levels,
                         drug);
    for (size_t r = 0; r < mt_csv_n_rows(csv) && !rc; r++) {
        double t, v;
        if (mt_cli_parse_double(mt_csv_cell(csv, r, (size_t)ct), &t)) {
            rc = mt_cli_fail("--levels %s row %zu: time_h '%s' is not a number", a->levels, r + 2,
                             mt_csv_cell(csv, r, (size_t)ct));
            break;
        }
        const int cols[2] = {cc, ci};
        for (int k = 0; k < 2 && !rc; k++) {
            if (cols[k] < 0)
                continue;
            const char *cell = mt_csv_cell(csv, r, (size_t)cols[k]);
            if (!cell || !*cell)
                continue;
            if (mt_cli_parse_double(cell, &v) || !(v > 0))
                rc = mt_cli_fail("--levels %s row %zu: %s '%s' is not a positive number", a->levels,
                                 r + 2, k ? "inr" : "conc_mg_l", cell);
            else
                rc = add_level(s, t, k, v);
        }
    }
    mt_csv_destroy(csv);
    return rc;
}

static void session_close(session *s)
{
    mt_mipd_destroy(s->twin);
    mt_poppk_destroy(s->card);
    mt_profile_destroy(s->prof);
    free(s->doses);
    free(s->levels);
    mt_ctx_destroy(s->ctx);
}

static int session_open(session *s, const margs *a)
{
    memset(s, 0, sizeof *s);
    if (mt_ctx_create(&s->ctx) != MT_OK)
        return mt_cli_fail("out of memory");
    if (mt_poppk_load(s->ctx, a->drug, &s->card) != MT_OK)
        return mt_cli_fail("%s", mt_errmsg(s->ctx));
    mt_poppk_covariates_init(&s->cov);
    if (a->patient) {
        if (mt_profile_load(s->ctx, a->patient, &s->prof) != MT_OK)
            return mt_cli_fail("%s: %s", a->patient, mt_errmsg(s->ctx));
        if (profile_covariates(s))
            return 1;
    }
    if (a->covs && option_covariates(s, a->covs))
        return 1;
    /* a baseline INR: the profile's INR before the first dose, else 1.0 (the card's source) */
    for (size_t i = 0; mt_poppk_pd(s->card) && !(s->cov.baseline_inr > 0) && s->prof &&
                       i < mt_profile_n_measurements(s->prof);
         i++) {
        const mt_measurement *m = mt_profile_measurement(s->prof, i);
        double first = INFINITY;
        for (size_t k = 0; k < mt_profile_n_medications(s->prof); k++)
            if (!strcmp(mt_profile_medication(s->prof, k)->drug, a->drug))
                first = fmin(first, mt_profile_medication(s->prof, k)->start_h);
        if (!strcmp(m->analyte, "inr") && m->time_h <= first)
            s->cov.baseline_inr = m->value;
    }
    if (mt_poppk_pd(s->card) && !(s->cov.baseline_inr > 0)) {
        s->cov.baseline_inr = 1.0;
        note(s, "%s", "no INR before the first dose: baseline INR 1.0 (the card's default)");
    }
    if (mt_mipd_create(s->ctx, s->card, &s->cov, &s->twin) != MT_OK)
        return mt_cli_fail("%s twin: %s", a->drug, mt_errmsg(s->ctx));
    if (history(s, a) || read_levels(s, a))
        return 1;
    if (s->n_levels && !s->n_doses)
        return mt_cli_fail("%s: levels but no dose of %s (give the profile's medication or "
                           "--regimen)",
                           a->drug, a->drug);
    for (size_t i = 0; i < s->n_levels; i++)
        if (s->levels[i].time_h < s->doses[0].time_h)
            return mt_cli_fail("level at %g h comes before the first dose (%g h)",
                               s->levels[i].time_h, s->doses[0].time_h);
    return 0;
}

/* ---------- shared output pieces ---------- */

static json_t *num(double v) { return isfinite(v) ? json_real(v) : json_null(); }

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

/* q-quantile of v[0..n) (sorted in place) */
static double quantile(double *v, size_t n, double q)
{
    qsort(v, n, sizeof *v, cmp_double);
    return mt_quantile_sorted(v, n, q);
}

static json_t *twin_json(const session *s, const mt_mipd_posterior *post)
{
    json_t *o = json_object();
    json_object_set_new(o, "drug", json_string(mt_poppk_drug(s->card)));
    json_object_set_new(o, "model", json_string(mt_poppk_citation(s->card)));
    json_t *cov = json_object();
    const double vals[] = {s->cov.weight_kg, s->cov.age_years, s->cov.height_cm, s->cov.crcl_ml_min,
                           s->cov.bsa_m2};
    const char *names[] = {"weight_kg", "age_years", "height_cm", "crcl_ml_min", "bsa_m2"};
    for (size_t i = 0; i < 5; i++)
        if (isfinite(vals[i]) && vals[i] > 0)
            json_object_set_new(cov, names[i], json_real(vals[i]));
    for (size_t i = 0; i < s->cov.n_genotypes; i++)
        json_object_set_new(cov, s->cov.genotypes[i].gene,
                            json_string(s->cov.genotypes[i].genotype));
    json_object_set_new(o, "covariates", cov);
    json_t *par = json_object();
    size_t n = mt_mipd_n_eta(s->twin);
    for (size_t i = 0; i < n; i++) {
        json_t *p = json_object();
        double sd = sqrt(post->cov[i * n + i]);
        double om = sqrt(mt_mipd_omega(s->twin)[i * n + i]);
        json_object_set_new(p, "typical", num(mt_mipd_typical(s->twin, i)));
        json_object_set_new(p, "map", num(post->theta[i]));
        json_object_set_new(p, "se_log", num(sd));
        json_object_set_new(p, "ci90",
                            json_pack("[oo]", num(exp(post->u[i] - 1.6448536 * sd)),
                                      num(exp(post->u[i] + 1.6448536 * sd))));
        json_object_set_new(p, "prior_sd_log", num(om));
        json_object_set_new(
            p, "unit",
            json_string(mt_poppk_param_unit(
                s->card, (size_t)mt_poppk_param_index(s->card, mt_mipd_eta_name(s->twin, i)))));
        json_object_set_new(par, mt_mipd_eta_name(s->twin, i), p);
    }
    json_object_set_new(o, "parameters", par);
    json_object_set_new(o, "status",
                        json_string(post->status == MT_FIT_CONVERGED        ? "converged"
                                    : post->status == MT_FIT_UNIDENTIFIABLE ? "unidentifiable"
                                    : post->status == MT_FIT_NOT_CONVERGED  ? "not_converged"
                                                                            : "failed"));
    json_object_set_new(o, "message", json_string(post->message));
    json_object_set_new(o, "n_levels", json_integer(post->n_levels));
    json_t *notes = json_array();
    for (int i = 0; i < s->n_notes; i++)
        json_array_append_new(notes, json_string(s->notes[i]));
    json_object_set_new(o, "notes", notes);
    return o;
}

static int write_json(FILE *f, const void *arg)
{
    return json_dumpf((const json_t *)arg, f, JSON_INDENT(2) | JSON_REAL_PRECISION(8)) ||
           fputc('\n', f) == EOF;
}

/* Percentile bands (5, 50, 95) of the concentration (or INR) under doses over times, from
 * draws (n_draws x n_eta). band: 3 x n_times. */
static int bands(session *s, const double *draws, size_t n_draws, const mt_mipd_dose *doses,
                 size_t nd, const double *times, size_t nt, int inr, double *band)
{
    double *all = malloc(n_draws * nt * sizeof *all), *c = malloc(nt * sizeof *c),
           *r = malloc(nt * sizeof *r), *col = malloc(n_draws * sizeof *col);
    int rc = 0;
    if (!all || !c || !r || !col)
        rc = mt_cli_fail("out of memory");
    size_t n_eta = mt_mipd_n_eta(s->twin);
    for (size_t k = 0; k < n_draws && !rc; k++) {
        if (mt_mipd_simulate(s->twin, draws + k * n_eta, doses, nd, times, nt, c, r) != MT_OK)
            rc = mt_cli_fail("prediction: %s", mt_errmsg(s->ctx));
        for (size_t j = 0; j < nt && !rc; j++)
            all[k * nt + j] = inr ? r[j] : c[j];
    }
    for (size_t j = 0; j < nt && !rc; j++) {
        for (size_t k = 0; k < n_draws; k++)
            col[k] = all[k * nt + j];
        band[j] = quantile(col, n_draws, 0.05);
        band[nt + j] = quantile(col, n_draws, 0.5);
        band[2 * nt + j] = quantile(col, n_draws, 0.95);
    }
    free(all);
    free(c);
    free(r);
    free(col);
    return rc;
}

static int plot_bands(session *s, const char *path, const char *title, const double *t, size_t nt,
                      const double *band, const double *map, int inr)
{
    size_t nl = 0;
    double lx[4096], ly[4096];
    for (size_t i = 0; i < s->n_levels && nl < 4096; i++)
        if (s->levels[i].inr == inr) {
            lx[nl] = s->levels[i].time_h;
            ly[nl++] = s->levels[i].value;
        }
    mt_plot_points pts = {inr ? "measured INR" : "measured levels", nl, lx, ly};
    mt_plot_curve cur[4] = {{"MAP prediction", nt, t, map, 0},
                            {"median of the posterior", nt, t, band + nt, 1},
                            {"5th and 95th percentiles", nt, t, band, 2},
                            {NULL, nt, t, band + 2 * nt, 2}};
    mt_plot_xy_options o = {title, "time (h)", inr ? "INR" : "concentration (mg/L)", 0, 0, 0, 0,
                            0,     1};
    if (mt_plot_xy(s->ctx, path, &o, nl ? 1 : 0, &pts, 4, cur) != MT_OK)
        return mt_cli_fail("plot: %s", mt_errmsg(s->ctx));
    return 0;
}

/* ---------- medtwin fit --drug ---------- */

static int run_fit(const margs *a)
{
    session s;
    int rc = session_open(&s, a);
    mt_mipd_posterior post = {0};
    json_t *root = NULL;
    double *draws = NULL, *sir = NULL;
    size_t nd = (size_t)a->n_draws;
    if (rc)
        goto out;
    if (mt_mipd_fit(s.twin, s.doses, s.n_doses, s.levels, s.n_levels, &post) != MT_OK) {
        rc = mt_cli_fail("fit: %s", mt_errmsg(s.ctx));
        goto out;
    }
    size_t n = mt_mipd_n_eta(s.twin);
    printf("%s twin: %zu level(s), %s\n", a->drug, s.n_levels, post.message);
    for (size_t i = 0; i < n; i++)
        printf("  %-6s typical %-10.4g MAP %-10.4g 90%% interval %.4g-%.4g\n",
               mt_mipd_eta_name(s.twin, i), mt_mipd_typical(s.twin, i), post.theta[i],
               exp(post.u[i] - 1.6448536 * sqrt(post.cov[i * n + i])),
               exp(post.u[i] + 1.6448536 * sqrt(post.cov[i * n + i])));
    root = json_object();
    json_object_set_new(root, "twin", twin_json(&s, &post));
    if (post.status != MT_FIT_CONVERGED) {
        if (a->out)
            (void)mt_cli_write_atomic(a->out, write_json, root);
        fprintf(stderr, "medtwin: fit: the posterior is not usable: %s\n", post.message);
        rc = 3;
        goto out;
    }
    draws = malloc(nd * n * sizeof *draws);
    if (!draws || mt_mipd_draw(s.twin, &post, nd, a->seed, draws) != MT_OK) {
        rc = mt_cli_fail("draws: %s", draws ? mt_errmsg(s.ctx) : "out of memory");
        goto out;
    }
    /* SIR check of the Laplace approximation */
    if (s.n_levels) {
        double ess = 0;
        sir = malloc(nd * n * sizeof *sir);
        if (!sir || mt_mipd_sir(s.twin, &post, 4 * nd, nd, a->seed + 7, sir, &ess) != MT_OK) {
            rc = mt_cli_fail("SIR: %s", sir ? mt_errmsg(s.ctx) : "out of memory");
            goto out;
        }
        json_t *chk = json_object(), *pars = json_object();
        json_object_set_new(chk, "effective_sample_size", json_real(ess));
        double *col = malloc(nd * sizeof *col), worst = 0;
        for (size_t i = 0; col && i < n; i++) {
            double ql[3], qs[3];
            const double q[3] = {0.05, 0.5, 0.95};
            for (int w = 0; w < 2; w++) {
                const double *src = w ? sir : draws;
                for (size_t k = 0; k < nd; k++)
                    col[k] = src[k * n + i];
                for (int j = 0; j < 3; j++)
                    (w ? qs : ql)[j] = exp(quantile(col, nd, q[j]));
            }
            for (int j = 0; j < 3; j++)
                worst = fmax(worst, fabs(log(qs[j] / ql[j])));
            json_object_set_new(pars, mt_mipd_eta_name(s.twin, i),
                                json_pack("{s[ooo]s[ooo]}", "laplace", num(ql[0]), num(ql[1]),
                                          num(ql[2]), "sir", num(qs[0]), num(qs[1]), num(qs[2])));
        }
        free(col);
        json_object_set_new(chk, "quantiles_5_50_95", pars);
        json_object_set_new(chk, "max_abs_log_ratio", json_real(worst));
        json_object_set_new(root, "sir_check", chk);
        printf("  SIR check: effective sample size %.0f of %zu; quantiles 5/50/95 agree with "
               "Laplace within %.1f%%\n",
               ess, 4 * nd, 100 * (exp(worst) - 1));
    }
    /* prediction with intervals */
    double t_end = 0;
    for (size_t i = 0; i < s.n_doses; i++)
        t_end = fmax(t_end, s.doses[i].time_h + 24);
    for (size_t i = 0; i < s.n_levels; i++)
        t_end = fmax(t_end, s.levels[i].time_h + 12);
    double t0 = s.n_doses ? s.doses[0].time_h : 0;
    if (!s.n_doses)
        t_end = 24;
    double tg[N_GRID], band[3 * N_GRID], map[N_GRID], mapi[N_GRID];
    for (size_t k = 0; k < N_GRID; k++)
        tg[k] = t0 + (t_end - t0) * (double)k / (N_GRID - 1);
    int inr = mt_mipd_has_inr(s.twin);
    if (mt_mipd_simulate(s.twin, post.u, s.doses, s.n_doses, tg, N_GRID, map, mapi) != MT_OK) {
        rc = mt_cli_fail("prediction: %s", mt_errmsg(s.ctx));
        goto out;
    }
    if ((rc = bands(&s, draws, nd, s.doses, s.n_doses, tg, N_GRID, inr, band)) != 0)
        goto out;
    json_t *pred = json_object();
    json_t *jt = json_array(), *jm = json_array(), *j5 = json_array(), *j50 = json_array(),
           *j95 = json_array();
    for (size_t k = 0; k < N_GRID; k++) {
        json_array_append_new(jt, num(tg[k]));
        json_array_append_new(jm, num(inr ? mapi[k] : map[k]));
        json_array_append_new(j5, num(band[k]));
        json_array_append_new(j50, num(band[N_GRID + k]));
        json_array_append_new(j95, num(band[2 * N_GRID + k]));
    }
    json_object_set_new(pred, "quantity", json_string(inr ? "INR" : "concentration_mg_per_l"));
    json_object_set_new(pred, "time_h", jt);
    json_object_set_new(pred, "map", jm);
    json_object_set_new(pred, "p5", j5);
    json_object_set_new(pred, "p50", j50);
    json_object_set_new(pred, "p95", j95);
    json_object_set_new(root, "prediction", pred);
    json_t *res = json_array();
    for (size_t i = 0; i < s.n_levels; i++) {
        double c = NAN, r = NAN;
        if (mt_mipd_simulate(s.twin, post.u, s.doses, s.n_doses, &s.levels[i].time_h, 1, &c, &r) !=
            MT_OK)
            c = r = NAN;
        json_array_append_new(res, json_pack("{s:o,s:s,s:o,s:o}", "time_h", num(s.levels[i].time_h),
                                             "analyte", s.levels[i].inr ? "INR" : "concentration",
                                             "observed", num(s.levels[i].value), "map",
                                             num(s.levels[i].inr ? r : c)));
    }
    json_object_set_new(root, "levels", res);
    if (a->out && mt_cli_write_atomic(a->out, write_json, root)) {
        rc = 1;
        goto out;
    }
    if (a->plot) {
        char title[128];
        snprintf(title, sizeof title, "%s twin: MAP and 90%% prediction interval", a->drug);
        rc = plot_bands(&s, a->plot, title, tg, N_GRID, band, inr ? mapi : map, inr);
    }
out:
    json_decref(root);
    free(draws);
    free(sir);
    mt_mipd_posterior_free(s.ctx, &post);
    session_close(&s);
    return rc;
}

int mt_cli_fit_drug(int argc, char **argv)
{
    margs a;
    memset(&a, 0, sizeof a);
    a.n_draws = 500;
    a.seed = 1;
    if (parse(argc, argv, &a))
        return 1;
    return run_fit(&a);
}

/* ---------- medtwin dose ---------- */

/* Comma list of numbers (durations when dur) into v (at most max). */
static int parse_list(const char *opt, const char *text, int dur, double *v, size_t max, size_t *n)
{
    char *copy = strdup(text), *save = NULL;
    *n = 0;
    int rc = copy ? 0 : mt_cli_fail("out of memory");
    for (char *t = copy ? strtok_r(copy, ",", &save) : NULL; t && !rc;
         t = strtok_r(NULL, ",", &save)) {
        double x;
        if (*n == max)
            rc = mt_cli_fail("dose: %s: more than %zu values", opt, max);
        else if ((dur ? mt_parse_duration_h(t, &x) : mt_cli_parse_double(t, &x)) || !(x > 0) ||
                 x > (dur ? 24 * 14 : 1e6))
            rc = mt_cli_fail("dose: %s: '%s' is not a positive %s", opt, t,
                             dur ? "interval (at most 14 days)" : "dose in mg (at most 1e6)");
        else
            v[(*n)++] = x;
    }
    free(copy);
    if (!rc && *n == 0)
        rc = mt_cli_fail("dose: %s: no values", opt);
    return rc;
}

static void progress(size_t done, size_t total, void *arg)
{
    (void)arg;
    size_t step = total / 10 ? total / 10 : 1;
    if (done % step == 0 || done == total)
        fprintf(stderr, "dose: %zu of %zu regimens evaluated\n", done, total);
}

static int run_dose(const margs *a)
{
    session s;
    int rc = session_open(&s, a);
    mt_mipd_posterior post = {0};
    mt_dose_result res = {0};
    json_t *root = NULL;
    double *draws = NULL;
    mt_target tg = {MT_TARGET_AUC24, 0, 0};
    if (rc)
        goto out;
    if (mt_target_parse(s.ctx, a->target, &tg) != MT_OK) {
        rc = mt_cli_fail("dose: --target: %s", mt_errmsg(s.ctx));
        goto out;
    }
    int oral = strcmp(mt_poppk_absorption(s.card), "iv") != 0;
    if (tg.kind == MT_TARGET_INR && !mt_mipd_has_inr(s.twin)) {
        rc = mt_cli_fail("dose: an inr target, but the %s card has no INR model", a->drug);
        goto out;
    }
    /* candidates: intervals and doses */
    double taus[16], mgs[512];
    size_t n_tau = 0, n_mg = 0;
    if (a->intervals) {
        if ((rc = parse_list("--interval", a->intervals, 1, taus, 16, &n_tau)) != 0)
            goto out;
    } else if (tg.kind == MT_TARGET_INR || oral) {
        taus[n_tau++] = 24;
    } else {
        taus[0] = 8, taus[1] = 12, taus[2] = 24, n_tau = 3;
    }
    if (a->doses) {
        if ((rc = parse_list("--doses", a->doses, 0, mgs, 512, &n_mg)) != 0)
            goto out;
    } else if (oral) { /* oral: 0.5 mg steps to 15 mg (docs/fitting.md) */
        for (int k = 1; k <= 30; k++)
            mgs[n_mg++] = 0.5 * k;
    } else { /* IV: 250 mg steps to 4 g (docs/fitting.md) */
        for (int k = 1; k <= 16; k++)
            mgs[n_mg++] = 250.0 * k;
    }
    double inf_h = oral ? 0 : a->infusion_h > 0 ? a->infusion_h : 1.0;
    double horizon = a->horizon_h > 0 ? a->horizon_h : tg.kind == MT_TARGET_INR ? 1440 : 336;
    /* the new regimen starts one interval after the history's last dose, not before a level */
    double t_start = 0;
    if (s.n_doses) {
        double last = s.doses[0].time_h;
        for (size_t i = 0; i < s.n_doses; i++)
            last = fmax(last, s.doses[i].time_h);
        t_start = last + (s.last_interval_h > 0 ? s.last_interval_h : 24);
    }
    for (size_t i = 0; i < s.n_levels; i++)
        t_start = fmax(t_start, s.levels[i].time_h);
    if (mt_mipd_fit(s.twin, s.doses, s.n_doses, s.levels, s.n_levels, &post) != MT_OK) {
        rc = mt_cli_fail("dose: %s", mt_errmsg(s.ctx));
        goto out;
    }
    if (post.status != MT_FIT_CONVERGED) {
        fprintf(stderr, "medtwin: dose: the posterior is not usable: %s\n", post.message);
        rc = 3;
        goto out;
    }
    size_t n_eta = mt_mipd_n_eta(s.twin), nd = a->typical ? 1 : (size_t)a->n_draws;
    draws = malloc(nd * n_eta * sizeof *draws);
    if (!draws) {
        rc = mt_cli_fail("out of memory");
        goto out;
    }
    if (a->typical)
        memcpy(draws, post.u, n_eta * sizeof *draws);
    else if (mt_mipd_draw(s.twin, &post, nd, a->seed, draws) != MT_OK) {
        rc = mt_cli_fail("dose: %s", mt_errmsg(s.ctx));
        goto out;
    }
    mt_dose_search sr = {mgs,   n_mg, taus,       n_tau, inf_h, t_start, horizon,
                         draws, nd,   a->typical, NULL,  NULL,  NULL,    NULL};
    if (!a->typical && tg.kind == MT_TARGET_INR)
        sr.progress = progress; /* INR: every regimen is simulated */
    if (mt_mipd_recommend(s.twin, s.doses, s.n_doses, &tg, &sr, &res) != MT_OK) {
        rc = mt_cli_fail("dose: %s", mt_errmsg(s.ctx));
        goto out;
    }
    const char *unit = tg.kind == MT_TARGET_AUC24 ? " mg*h/L"
                       : tg.kind == MT_TARGET_INR ? ""
                                                  : " mg/L";
    const char *kname = mt_target_name(tg.kind);
    const mt_dose_candidate *b = &res.cand[0];
    char reason[512];
    if (a->typical)
        snprintf(reason, sizeof reason,
                 "%g mg every %g h: the %s twin's %s %.3g%s is the nearest of %zu regimens to the "
                 "middle of %g-%g",
                 b->dose_mg, b->interval_h, s.n_levels ? "MAP" : "typical", kname, b->p50, unit,
                 res.n, tg.lo, tg.hi);
    else
        snprintf(reason, sizeof reason,
                 "%g mg every %g h: probability of %s in %g-%g%s %.0f%% (median %.3g, 90%% "
                 "interval %.3g-%.3g), the highest of %zu regimens (%zu posterior draws, %s)",
                 b->dose_mg, b->interval_h, kname, tg.lo, tg.hi, unit, 100 * b->pta, b->p50, b->p5,
                 b->p95, res.n, nd, s.n_levels ? "MAP of the levels" : "no levels: the prior");
    printf("recommended: %s\n", reason);
    if (a->typical)
        printf("exact dose for %s %g: %.4g mg every %g h\n", kname, 0.5 * (tg.lo + tg.hi),
               res.exact_mg, b->interval_h);
    root = json_object();
    json_object_set_new(root, "twin", twin_json(&s, &post));
    json_t *rec = json_pack("{s:o,s:o,s:o,s:o}", "dose_mg", num(b->dose_mg), "interval_h",
                            num(b->interval_h), "infusion_h", num(inf_h), "start_h", num(t_start));
    json_object_set_new(rec, "reason", json_string(reason));
    json_object_set_new(rec, "exact_dose_mg", num(res.exact_mg));
    json_object_set_new(rec, "probability_of_target", num(b->pta));
    json_object_set_new(
        rec, "predicted",
        json_pack("{s:o,s:o,s:o}", "p5", num(b->p5), "p50", num(b->p50), "p95", num(b->p95)));
    json_object_set_new(root, "recommended", rec);
    json_object_set_new(root, "target",
                        json_pack("{s:s,s:o,s:o,s:o}", "kind", kname, "lo", num(tg.lo), "hi",
                                  num(tg.hi), "horizon_h", num(horizon)));
    json_t *alts = json_array();
    for (size_t i = 0; i < res.n && i < 10; i++)
        json_array_append_new(
            alts, json_pack("{s:o,s:o,s:o,s:o,s:o,s:o}", "dose_mg", num(res.cand[i].dose_mg),
                            "interval_h", num(res.cand[i].interval_h), "probability_of_target",
                            num(res.cand[i].pta), "p5", num(res.cand[i].p5), "p50",
                            num(res.cand[i].p50), "p95", num(res.cand[i].p95)));
    json_object_set_new(root, "candidates", alts);
    if (a->out && mt_cli_write_atomic(a->out, write_json, root)) {
        rc = 1;
        goto out;
    }
    if (a->plot) {
        /* the history and the recommended regimen over 4 days (INR: the horizon) */
        int inr = tg.kind == MT_TARGET_INR;
        double span = inr ? horizon : fmin(horizon, 96);
        size_t n_new = (size_t)ceil(span / b->interval_h);
        mt_mipd_dose *d = malloc((s.n_doses + n_new) * sizeof *d);
        if (!d) {
            rc = mt_cli_fail("out of memory");
            goto out;
        }
        if (s.n_doses)
            memcpy(d, s.doses, s.n_doses * sizeof *d);
        for (size_t k = 0; k < n_new; k++)
            d[s.n_doses + k] =
                (mt_mipd_dose){t_start + (double)k * b->interval_h, b->dose_mg, inf_h};
        double t0 = s.n_doses ? s.doses[0].time_h : t_start;
        double tg2[N_GRID], band[3 * N_GRID], map[N_GRID], mapi[N_GRID];
        for (size_t k = 0; k < N_GRID; k++)
            tg2[k] = t0 + (t_start + span - t0) * (double)k / (N_GRID - 1);
        if (mt_mipd_simulate(s.twin, post.u, d, s.n_doses + n_new, tg2, N_GRID, map, mapi) != MT_OK)
            rc = mt_cli_fail("dose: %s", mt_errmsg(s.ctx));
        size_t nb = nd < 200 ? nd : 200;
        if (!rc)
            rc = bands(&s, draws, nb, d, s.n_doses + n_new, tg2, N_GRID, inr, band);
        free(d);
        char title[160];
        snprintf(title, sizeof title, "%s: %g mg q%gh recommended", a->drug, b->dose_mg,
                 b->interval_h);
        if (!rc)
            rc = plot_bands(&s, a->plot, title, tg2, N_GRID, band, inr ? mapi : map, inr);
    }
out:
    json_decref(root);
    free(draws);
    mt_dose_result_free(s.ctx, &res);
    mt_mipd_posterior_free(s.ctx, &post);
    session_close(&s);
    return rc;
}

int mt_cmd_dose(int argc, char **argv)
{
    margs a;
    memset(&a, 0, sizeof a);
    a.dose = 1;
    a.n_draws = 200;
    a.seed = 1;
    if (parse(argc, argv, &a))
        return 1;
    return run_dose(&a);
}
