/* SPDX-License-Identifier: Apache-2.0
 *
 * cli/cmd_twin_show.c — `medtwin twin show P.json|bundle.json [--regimen TEXT]... [--json]`:
 * prints what the twin derived from a patient profile (JSON or HL7 FHIR R4 bundle): profile
 * covariates, physiology summary, renal function (CKD-EPI 2021, Cockcroft-Gault), hepatic
 * impairment (Child-Pugh), the phenotype of each genotype with its activity score and the
 * effective phenotype after phenoconversion, per-drug derived parameters with provenance when
 * regimens are given, and the risk warnings (medtwin/risk.h) with their sources.
 *
 * The drugs the risk rules see are the regimens' and the profile's medications. Parameters
 * come from mt_twin_params() (medtwin/twin.h); when a card lacks a value they need, the
 * parameters are not shown and the reason is, the rest of the report still is. Nothing is
 * simulated, so the exposure rules have no prediction to check (medtwin predict does).
 * A thin client: every value and rule comes from the library.
 */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"
#include "medtwin/drugcard.h"
#include "medtwin/pgx.h"
#include "medtwin/profile.h"
#include "medtwin/regimen.h"
#include "medtwin/risk.h"
#include "medtwin/twin.h"
#include "twin_json.h"
#include "twin_show.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DRUGS 64
#define MAX_REG 16

static const char *const help =
    "usage: medtwin twin show PATIENT.json|BUNDLE.json [--regimen TEXT ...] [--json]\n"
    "\n"
    "Prints what the twin derives from a patient profile (medtwin JSON or an HL7\n"
    "FHIR R4 bundle): covariates, physiology, renal function (CKD-EPI 2021,\n"
    "Cockcroft-Gault), hepatic impairment (Child-Pugh), the phenotype of each\n"
    "genotype (CPIC rules) and its effective phenotype when a drug of the regimen\n"
    "inhibits the enzyme (phenoconversion), the drugs' derived parameters with\n"
    "their provenance, and the risk warnings (CPIC recommendations, interactions,\n"
    "phenoconversion) with their sources (docs/risk.md).\n"
    "\n"
    "  --regimen TEXT  a regimen, e.g. \"codeine 30 mg po q6h\" (repeatable); the\n"
    "                  profile's medications are checked by the risk rules too\n"
    "  --json          one JSON object instead of the text report\n";

typedef struct {
    char name[64];
    mt_drugcard *card;
    int oral, from_regimen;
} drug_entry;

typedef struct {
    const char *patient;
    const char *regimen[MAX_REG];
    int n_regimen, as_json;
} args;

typedef struct {
    mt_ctx *ctx;
    mt_profile *person;
    mt_twin_tables *tt;
    mt_risk_rules *rules;
    drug_entry drug[MAX_DRUGS];
    size_t n_drug, n_param_drugs;
    mt_twin_param_list l;
    char *param_error; /* why the drugs' parameters are not shown, or NULL */
    mt_pgx_call *calls;
    const char **call_geno;
    size_t n_calls;
    mt_risk_report rep;
} state;

static int parse_args(int argc, char **argv, args *a)
{
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        if (!strcmp(o, "--json")) {
            a->as_json = 1;
        } else if (!strcmp(o, "--regimen")) {
            if (i + 1 >= argc) {
                mt_cli_fail("twin show: option --regimen needs a value");
                return 2;
            }
            if (a->n_regimen == MAX_REG) {
                mt_cli_fail("twin show: at most %d regimens", MAX_REG);
                return 2;
            }
            a->regimen[a->n_regimen++] = argv[++i];
        } else if (o[0] == '-' && o[1]) {
            mt_cli_fail("twin show: unknown option '%s' (see medtwin twin show --help)", o);
            return 2;
        } else if (a->patient) {
            mt_cli_fail("twin show: one patient file only ('%s' and '%s')", a->patient, o);
            return 2;
        } else {
            a->patient = o;
        }
    }
    if (!a->patient) {
        mt_cli_fail("twin show: a patient file is required (see medtwin twin show --help)");
        return 2;
    }
    return 0;
}

static drug_entry *find_drug(state *s, const char *name)
{
    for (size_t i = 0; i < s->n_drug; i++)
        if (!strcmp(s->drug[i].name, name))
            return &s->drug[i];
    return NULL;
}

/* Adds a drug (once); a regimen drug must have a card, a profile medication need not. */
static int add_drug(state *s, const char *name, int oral, int from_regimen)
{
    drug_entry *d = find_drug(s, name);
    if (d) {
        d->oral |= oral;
        d->from_regimen |= from_regimen;
        return 0;
    }
    if (s->n_drug == MAX_DRUGS)
        return mt_cli_fail("twin show: more than %d drugs", MAX_DRUGS);
    d = &s->drug[s->n_drug];
    snprintf(d->name, sizeof d->name, "%s", name);
    d->oral = oral;
    d->from_regimen = from_regimen;
    if (mt_drugcard_load(s->ctx, NULL, name, &d->card) != MT_OK) {
        if (from_regimen)
            return mt_cli_fail("twin show: --regimen %s: %s", name, mt_errmsg(s->ctx));
        d->card = NULL;
    }
    s->n_drug++;
    return 0;
}

static int collect_drugs(state *s, const args *a)
{
    for (int i = 0; i < a->n_regimen; i++) {
        mt_regimen r = {0};
        if (mt_regimen_parse(s->ctx, a->regimen[i], 24, mt_profile_weight_kg(s->person), &r) !=
            MT_OK)
            return mt_cli_fail("twin show: --regimen: %s", mt_errmsg(s->ctx));
        int rc = add_drug(s, r.drug, r.route == MT_DOSE_PO, 1);
        mt_regimen_clear(&r);
        if (rc)
            return rc;
    }
    /* the regimen's drugs first: mt_twin_params() gets them as a prefix of the list */
    drug_entry tmp[MAX_DRUGS];
    size_t k = 0;
    for (size_t i = 0; i < s->n_drug; i++)
        if (s->drug[i].from_regimen)
            tmp[k++] = s->drug[i];
    s->n_param_drugs = k;
    for (size_t i = 0; i < mt_profile_n_medications(s->person); i++) {
        const mt_medication *m = mt_profile_medication(s->person, i);
        if (m && m->drug && add_drug(s, m->drug, m->route == MT_ROUTE_PO, 0))
            return 1;
    }
    for (size_t i = 0; i < s->n_drug; i++)
        if (!s->drug[i].from_regimen)
            tmp[k++] = s->drug[i];
    memcpy(s->drug, tmp, k * sizeof *tmp);
    return 0;
}

/* Parameters and facts: with the regimen's drugs if their cards allow, else the person only
 * (and the reason). */
static int derive(state *s)
{
    const mt_drugcard *cards[MAX_DRUGS];
    const char *ids[MAX_DRUGS];
    int oral[MAX_DRUGS];
    for (size_t i = 0; i < s->n_param_drugs; i++) {
        cards[i] = s->drug[i].card;
        ids[i] = s->drug[i].name;
        oral[i] = s->drug[i].oral;
    }
    if (s->n_param_drugs && mt_twin_params(s->tt, s->ctx, s->person, s->n_param_drugs, cards, ids,
                                           oral, &s->l) == MT_OK)
        return 0;
    if (s->n_param_drugs && !(s->param_error = strdup(mt_errmsg(s->ctx))))
        return mt_cli_fail("out of memory");
    if (mt_twin_params(s->tt, s->ctx, s->person, 0, NULL, NULL, NULL, &s->l) != MT_OK)
        return mt_cli_fail("twin show: %s: %s", mt_profile_id(s->person), mt_errmsg(s->ctx));
    return 0;
}

/* The phenotype of each genotype of a gene with a CPIC rule in medtwin. */
static int phenotypes(state *s)
{
    const mt_pgx *pgx = mt_twin_tables_pgx(s->tt);
    size_t n = mt_profile_n_genotypes(s->person);
    s->calls = calloc(n ? n : 1, sizeof *s->calls);
    s->call_geno = calloc(n ? n : 1, sizeof *s->call_geno);
    if (!s->calls || !s->call_geno)
        return mt_cli_fail("out of memory");
    for (size_t i = 0; i < n; i++) {
        const char *gene = mt_profile_genotype_gene(s->person, i);
        int supported = 0;
        for (size_t k = 0; gene && k < mt_pgx_n_genes(pgx); k++)
            supported |= !strcmp(mt_pgx_gene(pgx, k), gene);
        if (!supported)
            continue;
        const char *geno = mt_profile_genotype_at(s->person, i);
        if (mt_pgx_phenotype(pgx, s->ctx, gene, geno, &s->calls[s->n_calls]) != MT_OK)
            return mt_cli_fail("twin show: genotypes.%s: %s", gene, mt_errmsg(s->ctx));
        s->call_geno[s->n_calls++] = geno;
    }
    return 0;
}

static int risk(state *s)
{
    mt_risk_phenotype ph[64];
    mt_risk_drug d[MAX_DRUGS];
    size_t n_ph = s->n_calls < 64 ? s->n_calls : 64;
    for (size_t i = 0; i < n_ph; i++) {
        ph[i].gene = s->calls[i].gene;
        ph[i].phenotype = s->calls[i].phenotype;
    }
    for (size_t i = 0; i < s->n_drug; i++) {
        d[i].name = s->drug[i].name;
        d[i].card = s->drug[i].card;
        d[i].cmax = d[i].ctrough = d[i].auc = NAN;
    }
    if (mt_risk_rules_load(s->ctx, NULL, &s->rules) != MT_OK ||
        mt_risk_evaluate(s->rules, s->ctx, n_ph, ph, s->n_drug, d, &s->rep) != MT_OK)
        return mt_cli_fail("twin show: risk rules: %s", mt_errmsg(s->ctx));
    return 0;
}

/* ---- text --------------------------------------------------------------------------------- */

static int has_prefix(const char *s, const char *p) { return !strncmp(s, p, strlen(p)); }

static void print_fact(const mt_twin_fact *f, const char *prefix)
{
    printf("  %-34s ", f->key + strlen(prefix));
    if (isfinite(f->value))
        printf("%.6g%s%s", f->value, f->unit[0] ? " " : "", f->unit);
    if (f->text[0])
        printf("%s%s", isfinite(f->value) ? "  " : "", f->text);
    if (!isfinite(f->value) && !f->text[0])
        printf("-");
    if (f->how[0])
        printf("  [%s]", f->how);
    putchar('\n');
}

static void print_section(const state *s, const char *title, const char *prefix)
{
    printf("\n%s\n", title);
    for (size_t i = 0; i < s->l.n_facts; i++)
        if (has_prefix(s->l.facts[i].key, prefix))
            print_fact(&s->l.facts[i], prefix);
}

static const mt_risk_effective *effective_of(const state *s, const char *gene)
{
    for (size_t i = 0; i < s->rep.n_effective; i++)
        if (!strcmp(s->rep.effective[i].gene, gene))
            return &s->rep.effective[i];
    return NULL;
}

static void print_text(const state *s, const char *path)
{
    printf("twin of '%s' (%s)\n", mt_profile_id(s->person), path);
    print_section(s, "profile", "profile.");
    print_section(s, "physiology", "physiology.");
    print_section(s, "renal function", "renal.");
    print_section(s, "hepatic function", "hepatic.");
    printf("\npharmacogenomics (CPIC rules; effective = what the risk rules see)\n");
    if (!mt_profile_n_genotypes(s->person))
        printf("  no genotypes in the profile\n");
    for (size_t i = 0; i < s->l.n_facts; i++) {
        const mt_twin_fact *f = &s->l.facts[i];
        if (!has_prefix(f->key, "pgx."))
            continue;
        const char *gene = f->key + 4;
        const mt_risk_effective *e = effective_of(s, gene);
        printf("  %-8s %-24s", gene, f->text);
        if (isfinite(f->value))
            printf(" activity score %g", f->value);
        if (e && e->perpetrator[0])
            printf("  effective: %s (phenoconversion by %s)", e->effective, e->perpetrator);
        else if (e)
            printf("  effective: %s", e->effective);
        printf("\n           [%s]\n", f->how);
    }
    for (size_t i = 0; i < s->rep.n_effective; i++) {
        const mt_risk_effective *e = &s->rep.effective[i];
        if (!e->genotype_phenotype[0])
            printf("  %-8s no genotype given  effective: %s (phenoconversion by %s)\n", e->gene,
                   e->effective, e->perpetrator);
    }
    printf("\ndrugs\n");
    if (!s->n_drug)
        printf("  none (no --regimen, no medications in the profile)\n");
    for (size_t d = 0; d < s->n_drug; d++) {
        const drug_entry *de = &s->drug[d];
        printf("  %s (%s%s)\n", de->name, de->from_regimen ? "--regimen" : "profile medication",
               de->card ? "" : "; no drug card");
        if (!de->from_regimen)
            continue;
        if (s->param_error) {
            printf("    parameters not derived: %s\n", s->param_error);
            continue;
        }
        char prefix[96];
        snprintf(prefix, sizeof prefix, "drug.%s.", de->name);
        for (size_t i = 0; i < s->l.n_facts; i++)
            if (has_prefix(s->l.facts[i].key, prefix)) {
                printf("  ");
                print_fact(&s->l.facts[i], prefix);
            }
        size_t nl = strlen(de->name);
        for (size_t i = 0; i < s->l.n_params; i++) {
            const mt_twin_param *p = &s->l.params[i];
            size_t n = strlen(p->id);
            if (n > nl + 1 && p->id[n - nl - 1] == '_' && !strcmp(p->id + n - nl, de->name))
                printf("    %-32s %.6g %s  [%s]\n", p->id, p->value, p->unit, p->provenance);
        }
    }
    printf("\nrisk (%zu warning%s)\n", s->rep.n_warnings, s->rep.n_warnings == 1 ? "" : "s");
    for (size_t i = 0; i < s->rep.n_warnings; i++) {
        const mt_risk_warning *w = &s->rep.warnings[i];
        printf("  [%s] %s %s: %s\n      source: %s\n", mt_risk_severity_name(w->severity),
               mt_risk_kind_name(w->kind), w->drug, w->message, w->source);
    }
    for (size_t i = 0; i < s->rep.n_notes; i++)
        printf("  note: %s\n", s->rep.notes[i]);
    if (s->n_drug)
        printf("  note: nothing is simulated here; exposure is checked by medtwin predict\n");
}

/* ---- JSON --------------------------------------------------------------------------------- */

static json_t *num(double v) { return isfinite(v) ? json_real(v) : json_null(); }

static int print_json(const state *s, const char *path)
{
    json_t *o = json_object(), *facts = json_array(), *params = json_array(), *genes = json_array(),
           *drugs = json_array(), *warn = json_array(), *notes = json_array();
    json_object_set_new(o, "patient", json_string(path));
    json_object_set_new(o, "id", json_string(mt_profile_id(s->person)));
    mt_cli_json_facts(facts, &s->l);
    mt_cli_json_params(params, &s->l);
    for (size_t i = 0; i < s->n_calls; i++) {
        const mt_pgx_call *c = &s->calls[i];
        const mt_risk_effective *e = effective_of(s, c->gene);
        json_t *x = json_object();
        json_object_set_new(x, "gene", json_string(c->gene));
        json_object_set_new(x, "genotype", json_string(s->call_geno[i]));
        json_object_set_new(x, "phenotype", json_string(c->phenotype));
        json_object_set_new(x, "activity_score", num(c->activity_score));
        json_object_set_new(x, "rule", json_string(c->rule));
        json_object_set_new(x, "effective_phenotype", json_string(e ? e->effective : c->phenotype));
        json_object_set_new(x, "phenoconversion_by",
                            e && e->perpetrator[0] ? json_string(e->perpetrator) : json_null());
        if (e && e->perpetrator[0])
            json_object_set_new(x, "phenoconversion_source", json_string(e->source));
        json_array_append_new(genes, x);
    }
    for (size_t i = 0; i < s->rep.n_effective; i++) {
        const mt_risk_effective *e = &s->rep.effective[i];
        if (e->genotype_phenotype[0])
            continue;
        json_t *x = json_object();
        json_object_set_new(x, "gene", json_string(e->gene));
        json_object_set_new(x, "genotype", json_null());
        json_object_set_new(x, "phenotype", json_null());
        json_object_set_new(x, "effective_phenotype", json_string(e->effective));
        json_object_set_new(x, "phenoconversion_by", json_string(e->perpetrator));
        json_object_set_new(x, "phenoconversion_source", json_string(e->source));
        json_array_append_new(genes, x);
    }
    for (size_t i = 0; i < s->n_drug; i++) {
        const drug_entry *d = &s->drug[i];
        json_t *x = json_object();
        json_object_set_new(x, "name", json_string(d->name));
        json_object_set_new(x, "from", json_string(d->from_regimen ? "regimen" : "profile"));
        json_object_set_new(x, "card_version",
                            d->card ? json_string(mt_drugcard_version(d->card)) : json_null());
        if (d->from_regimen && s->param_error)
            json_object_set_new(x, "parameters_error", json_string(s->param_error));
        json_array_append_new(drugs, x);
    }
    for (size_t i = 0; i < s->rep.n_warnings; i++)
        json_array_append_new(warn, mt_cli_json_warning(&s->rep.warnings[i]));
    for (size_t i = 0; i < s->rep.n_notes; i++)
        json_array_append_new(notes, json_string(s->rep.notes[i]));
    json_object_set_new(o, "facts", facts);
    json_object_set_new(o, "parameters", params);
    json_object_set_new(o, "phenotypes", genes);
    json_object_set_new(o, "drugs", drugs);
    json_object_set_new(o, "warnings", warn);
    json_object_set_new(o, "notes", notes);
    int rc = json_dumpf(o, stdout, JSON_INDENT(2)) != 0;
    fputc('\n', stdout);
    json_decref(o);
    return rc ? mt_cli_fail("twin show: cannot write the JSON") : 0;
}

int mt_cmd_twin_show(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(help, stdout);
            return 0;
        }
    args a = {0};
    int rc = parse_args(argc, argv, &a);
    if (rc)
        return rc;
    state s = {0};
    if (mt_ctx_create(&s.ctx) != MT_OK)
        return mt_cli_fail("out of memory");
    if (mt_profile_load(s.ctx, a.patient, &s.person) != MT_OK)
        rc = mt_cli_fail("twin show: %s", mt_errmsg(s.ctx));
    if (!rc && mt_twin_tables_load(s.ctx, NULL, &s.tt) != MT_OK)
        rc = mt_cli_fail("twin show: %s", mt_errmsg(s.ctx));
    if (!rc)
        rc = collect_drugs(&s, &a);
    if (!rc)
        rc = derive(&s);
    if (!rc)
        rc = phenotypes(&s);
    if (!rc)
        rc = risk(&s);
    if (!rc) {
        if (a.as_json)
            rc = print_json(&s, a.patient);
        else
            print_text(&s, a.patient);
    }
    mt_risk_report_free(&s.rep);
    mt_risk_rules_destroy(s.rules);
    free(s.calls);
    free(s.call_geno);
    free(s.param_error);
    mt_twin_param_list_free(&s.l);
    for (size_t i = 0; i < s.n_drug; i++)
        mt_drugcard_destroy(s.drug[i].card);
    mt_twin_tables_destroy(s.tt);
    mt_profile_destroy(s.person);
    mt_ctx_destroy(s.ctx);
    return rc;
}
