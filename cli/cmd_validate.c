/* SPDX-License-Identifier: Apache-2.0
 *
 * cli/cmd_validate.c — `medtwin validate`: the twin's predictions against clinical
 * observations, judged the way PBPK qualification does (docs/validation/README.md).
 *
 *   --observed FILE.csv --meta FILE_meta.csv [--set LIST.csv]
 *       concentration-time datasets in the Open Systems Pharmacology export format (one row
 *       per observation: dataset,time,time_unit,value,value_unit,...; the meta file holds
 *       one JSON object of study properties per dataset). Each dataset is simulated with
 *       its own dose, route and dose time; AUC by linear trapezoids at the observed times on
 *       both sides, and for oral doses Cmax, give fold errors pred/obs.
 *   --ddi FILE.csv
 *       interaction study arms in the structured format of ddi_validation_shared.csv:
 *       victim alone and victim + perpetrator, predicted vs observed AUC and Cmax ratios,
 *       the Guest criterion.
 *
 * Every row that cannot be simulated is listed with its reason (the twin's own message
 * for a card that lacks a value); nothing is dropped silently. The person is a reference
 * individual (data/validation/reference_adult_male.json) unless --patient names another.
 * Input errors (a missing file, malformed CSV, a missing column, a --set dataset absent
 * from the data) stop the command with one line naming the problem.
 *
 * Outputs under --out DIR: report.md, results.csv and PNG plots; one summary line on
 * standard output; progress on standard error (--quiet: none).
 */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"
#include "medtwin/csv.h"
#include "medtwin/data.h"
#include "medtwin/plot.h"
#include "medtwin/predict.h"
#include "medtwin/profile.h"
#include "medtwin/twin.h"
#include "medtwin/validate.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const help =
    "usage: medtwin validate --observed FILE.csv --meta FILE_meta.csv [--set LIST.csv]\n"
    "                        [options]\n"
    "       medtwin validate --ddi FILE.csv [options]\n"
    "\n"
    "Simulates clinical datasets with the twin and compares them with the observations.\n"
    "\n"
    "  --observed FILE    concentration-time observations (columns dataset, time, value;\n"
    "                     optional time_unit, value_unit, dimension, mol_weight_g_per_mol)\n"
    "  --meta FILE        study properties per dataset (columns dataset, properties_json:\n"
    "                     Molecule, Route, Dose, Times of Administration [h], Compartment)\n"
    "  --set LIST         the datasets to run (column dataset; optional route, dose_mg,\n"
    "                     dose_time_h override the meta file); default: every dataset\n"
    "  --ddi FILE         interaction study arms (ddi_validation_shared.csv format)\n"
    "  --patient FILE     the person (default: data/validation/reference_adult_male.json)\n"
    "  --out DIR          write report.md, results.csv and PNG plots there\n"
    "  --quiet            no progress on standard error\n";

typedef struct {
    const char *observed, *meta, *set, *ddi, *patient, *out;
    int quiet;
} args;

/* ---------- small helpers ---------- */

/* Drug card name of a molecule name: lower case, spaces and '-' as '_'. 0 if it cannot be
 * one (other characters, too long). */
static int card_name(const char *molecule, char *out, size_t cap)
{
    size_t n = 0;
    for (const char *s = molecule; *s; s++) {
        char c = *s;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        else if (c == ' ' || c == '-')
            c = '_';
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_') || n + 1 >= cap)
            return 0;
        out[n++] = c;
    }
    out[n] = '\0';
    return n > 0;
}

static int ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        int x = (unsigned char)*a, y = (unsigned char)*b;
        if (x >= 'A' && x <= 'Z')
            x += 'a' - 'A';
        if (y >= 'A' && y <= 'Z')
            y += 'a' - 'A';
        if (x != y)
            return 0;
    }
    return *a == *b;
}

/* Column index or -1; required columns fail with a message naming the file. */
static int need_col(const mt_csv *t, const char *file, const char *opt, const char *name, int *rc)
{
    int j = mt_csv_col(t, name);
    if (j < 0 && !*rc)
        *rc = mt_cli_fail("validate: %s %s: no column '%s'", opt, file, name);
    return j;
}

static const char *cell(const mt_csv *t, size_t row, int col)
{
    return col >= 0 ? mt_csv_cell(t, row, (size_t)col) : "";
}

/* A number from a cell; "" or anything else is NaN. */
static double num(const char *s)
{
    double v;
    return *s && !mt_cli_parse_double(s, &v) ? v : NAN;
}

/* A ';'-separated list of numbers. Returns the count (0 for ""), -1 if an item is not a
 * number or there are more than cap. */
static long num_list(const char *s, double *out, size_t cap)
{
    if (!*s)
        return 0;
    size_t n = 0;
    char buf[64];
    while (*s) {
        const char *e = strchr(s, ';');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        if (len == 0 || len >= sizeof buf || n == cap)
            return -1;
        memcpy(buf, s, len);
        buf[len] = '\0';
        if (mt_cli_parse_double(buf, &out[n++]))
            return -1;
        s += len + (e ? 1 : 0);
    }
    return (long)n;
}

static char *xstrdup(const char *s)
{
    char *d = strdup(s ? s : "");
    if (!d) {
        fputs("medtwin: out of memory\n", stderr);
        exit(1);
    }
    return d;
}

static char *xprintf(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
static char *xprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = malloc((size_t)(n > 0 ? n : 0) + 1);
    if (!s) {
        fputs("medtwin: out of memory\n", stderr);
        exit(1);
    }
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

/* A CSV field, quoted when needed. */
static void csv_str(FILE *f, const char *s)
{
    s = s ? s : "";
    if (!strpbrk(s, ",\"\n\r")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void csv_num(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, "%.6g", v);
}

/* Markdown table cell text: '|' and newlines would break the table. */
static void md_str(FILE *f, const char *s)
{
    for (s = s ? s : ""; *s; s++)
        fputs(*s == '|' ? "\\|" : *s == '\n' ? " " : (char[2]){*s, 0}, f);
}

static const char *fmt_num(char *buf, size_t cap, double v)
{
    if (!isfinite(v))
        snprintf(buf, cap, "–");
    else
        snprintf(buf, cap, "%.4g", v);
    return buf;
}

/* ---------- shared run state ---------- */

/* Output intervals of a run to until_h: GRID_H apart (an IV bolus peak falls within minutes:
 * the trapezoids of a one-minute grid overstate its area by about 1%), at most GRID_MAX. */
#define GRID_H 0.005
#define GRID_MAX 2000000L
static long grid_steps(double until_h)
{
    double n = ceil(until_h / GRID_H);
    return n < (double)GRID_MAX ? (long)n : GRID_MAX;
}

typedef struct {
    const args *a;
    mt_ctx *ctx;
    mt_twin_tables *tables;
    mt_profile *person;
    double weight_kg;
    const char *person_path;
} runner;

/* A one-drug or two-drug prediction, with the hepatic interactions the cards describe;
 * *why gets the reason when it cannot be made (the twin's message). Returns the predictor
 * (ready to run) or NULL. */
static mt_predictor *make_predictor(runner *R, size_t n, const mt_regimen *reg, char **why)
{
    mt_predictor *p = NULL;
    if (mt_predictor_create_ddi(R->ctx, n, reg, NULL, &p) != MT_OK ||
        mt_predictor_derive(p, R->tables, R->person, NULL) != MT_OK ||
        mt_predictor_check(p) != MT_OK) {
        *why = xstrdup(mt_errmsg(R->ctx));
        mt_predictor_destroy(p);
        return NULL;
    }
    return p;
}

/* A regimen of n doses of one drug. */
static int regimen_of(mt_regimen *r, const char *drug, mt_dose_route route, size_t n,
                      const double *times, const double *amounts)
{
    memset(r, 0, sizeof *r);
    snprintf(r->drug, sizeof r->drug, "%s", drug);
    r->route = route;
    r->n_doses = n;
    r->dose_mg = n ? amounts[0] : 0;
    r->first_h = n ? times[0] : 0;
    if (!(r->doses = calloc(n ? n : 1, sizeof *r->doses)))
        return -1;
    for (size_t k = 0; k < n; k++) {
        r->doses[k].time_h = times[k];
        r->doses[k].amount_mg = amounts[k];
        r->doses[k].route = route;
    }
    return 0;
}

static int make_dir(const char *dir)
{
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return mt_cli_fail("validate: --out %s: %s", dir, strerror(errno));
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return mt_cli_fail("validate: --out %s: not a folder", dir);
    return 0;
}

static int write_file(const char *dir, const char *name, const char *text)
{
    char *path = xprintf("%s/%s", dir, name);
    int rc = mt_cli_write_text_file(path, text);
    free(path);
    return rc;
}

/* A short form of a "not predicted" reason for the report's tables: for the twin's card
 * messages ("drug card 'x': field: why; field: why; drug card 'y': ...") the drugs and the
 * card fields named (numbered entries such as elimination.hepatic.0 counted once), else the
 * message itself, cut at 160 characters. The full message stays in results.csv. */
static int is_field_char(char c)
{
    return (c >= 'a' && c <= 'z') || c == '_' || c == '.' || (c >= '0' && c <= '9');
}

/* Writes item (len bytes) unless seen (a "|a|b|" list) already holds it. */
static void add_item(FILE *f, char *seen, size_t cap, int *n_items, const char *item, size_t len)
{
    char buf[96];
    if (len >= sizeof buf)
        len = sizeof buf - 1;
    memcpy(buf, item, len);
    buf[len] = '\0';
    char pat[100];
    snprintf(pat, sizeof pat, "|%s|", buf);
    if (strstr(seen, pat))
        return;
    if (strlen(seen) + strlen(pat) < cap) {
        size_t n = strlen(seen);
        snprintf(seen + n, cap - n, "%s", n ? pat + 1 : pat);
    }
    fprintf(f, "%s%s", (*n_items)++ ? ", " : "", buf);
}

static char *short_reason(const char *why)
{
    const char *k = strstr(why, "drug card '");
    if (!k)
        return strlen(why) > 160 ? xprintf("%.157s...", why) : xstrdup(why);
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    if (!f)
        return xstrdup(why);
    int first_drug = 1;
    while (k) {
        const char *name = k + 11, *q = strchr(name, '\'');
        if (!q)
            break;
        const char *body = q + 1, *next = strstr(body, "drug card '");
        const char *end = next ? next : body + strlen(body);
        if (*body == ':')
            body++;
        while (*body == ' ')
            body++;
        fprintf(f, "%s%.*s: ", first_drug ? "" : "; ", (int)(q - name), name);
        first_drug = 0;
        char seen[1024] = "";
        int n_items = 0;
        /* items: split at "; " outside parentheses */
        const char *it = body;
        int depth = 0;
        for (const char *c = body; c <= end; c++) {
            int stop = c == end || (depth == 0 && c[0] == ';' && c + 1 < end && c[1] == ' ');
            if (c < end && *c == '(')
                depth++;
            if (c < end && *c == ')' && depth > 0)
                depth--;
            if (!stop)
                continue;
            size_t n = 0;
            while (it + n < c && is_field_char(it[n]))
                n++;
            if (n > 0 && memchr(it, '.', n) && (it[n] == ':' || it[n] == ' ')) {
                /* a card field: drop numbered components (elimination.hepatic.0 -> .hepatic) */
                char fld[96];
                size_t m = 0;
                for (size_t x = 0; x < n && m + 1 < sizeof fld; x++) {
                    if (it[x] == '.' && x + 1 < n && it[x + 1] >= '0' && it[x + 1] <= '9') {
                        while (x + 1 < n && it[x + 1] != '.')
                            x++;
                        continue;
                    }
                    fld[m++] = it[x];
                }
                add_item(f, seen, sizeof seen, &n_items, fld, m);
            } else if (c > it && n_items == 0) {
                /* the drug's first problem in words ("has no blood_plasma_ratio") */
                size_t m = 0;
                while (it + m < c && it[m] != '(' && it[m] != ':' && m < 60)
                    m++;
                while (m > 0 && it[m - 1] == ' ')
                    m--;
                add_item(f, seen, sizeof seen, &n_items, it, m);
            }
            it = c + 2;
            if (c == end)
                break;
        }
        k = next;
    }
    fclose(f);
    return out ? out : xstrdup(why);
}

/* Counts of identical short reasons, numbered R1, R2, ... in order of first appearance. */
typedef struct {
    size_t n;
    char *reason[512];
    char *example[512]; /* the first full message */
    size_t count[512];
} reason_tally;

/* Returns the reason's number (1-based). */
static size_t tally(reason_tally *t, const char *why)
{
    char *s = short_reason(why);
    for (size_t i = 0; i < t->n; i++)
        if (!strcmp(t->reason[i], s)) {
            t->count[i]++;
            free(s);
            return i + 1;
        }
    if (t->n == 512) {
        free(s);
        return 0;
    }
    t->reason[t->n] = s;
    t->example[t->n] = xstrdup(why);
    t->count[t->n++] = 1;
    return t->n;
}

static void tally_write(FILE *f, const reason_tally *t)
{
    for (size_t i = 0; i < t->n; i++) {
        fprintf(f, "- **R%zu** (%zu): ", i + 1, t->count[i]);
        md_str(f, t->reason[i]);
        fputc('\n', f);
    }
    if (t->n) {
        fputs("\n<details><summary>The first message of each reason in full (every row's "
              "message is in results.csv)</summary>\n\n",
              f);
        for (size_t i = 0; i < t->n; i++) {
            fprintf(f, "- **R%zu**: ", i + 1);
            md_str(f, t->example[i]);
            fputc('\n', f);
        }
        fputs("\n</details>\n", f);
    }
}

static void tally_free(reason_tally *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->reason[i]);
        free(t->example[i]);
    }
    t->n = 0;
}

static void summary_md(FILE *f, const char *what, const mt_fold_summary *s)
{
    if (!s->n) {
        fprintf(f, "| %s | 0 | – | – | – | – | – |\n", what);
        return;
    }
    fprintf(f, "| %s | %zu | %.3g | %.3g | %.0f%% (%zu) | %.0f%% (%zu) | %.0f%% (%zu) |\n", what,
            s->n, s->gmfe, s->bias, 100 * s->within_125, s->n_125, 100 * s->within_15, s->n_15,
            100 * s->within_2, s->n_2);
}

/* Reference curves of an observed-vs-predicted plot: unity, 1.25- and 2-fold. */
static void fold_curves(mt_plot_curve *c, double *lx, double *y)
{
    static const double f[5] = {1, 2, 0.5, 1.25, 0.8};
    static const char *const name[5] = {"unity", "2-fold", "", "1.25-fold", ""};
    static const int style[5] = {0, 1, 1, 2, 2};
    lx[0] = 1e-12;
    lx[1] = 1e12;
    for (int k = 0; k < 5; k++) {
        y[2 * k] = lx[0] * f[k];
        y[2 * k + 1] = lx[1] * f[k];
        c[k] = (mt_plot_curve){name[k], 2, lx, y + 2 * k, style[k]};
    }
}

static int plot_obs_pred(runner *R, const char *file, const char *title, const char *what,
                         size_t n_sets, const mt_plot_points *sets)
{
    if (!R->a->out)
        return 0;
    double lx[2], y[10];
    mt_plot_curve c[5];
    fold_curves(c, lx, y);
    char xl[128], yl[128];
    snprintf(xl, sizeof xl, "observed %s", what);
    snprintf(yl, sizeof yl, "predicted %s", what);
    mt_plot_xy_options o = {title, xl, yl, 1, 1, 1, 0, 0};
    char *path = xprintf("%s/%s", R->a->out, file);
    mt_status st = mt_plot_xy(R->ctx, path, &o, n_sets, sets, 5, c);
    free(path);
    return st == MT_OK ? 0 : mt_cli_fail("validate: %s", mt_errmsg(R->ctx));
}

/* ---------- concentration-time datasets ---------- */

typedef struct {
    char *name, *study, *reference, *molecule, *compartment, *dose_text;
    char drug[64];
    int po;           /* route */
    double dose_mg;   /* NaN until known */
    double dose_time; /* h */
    size_t n_obs;
    double *t, *c, *p; /* observed times (h), observed and predicted concentrations (mg/L) */
    double auc_obs, auc_pred, cmax_obs, cmax_pred, cmax_cont, tmax_obs;
    int predicted;
    char *why; /* not predicted: the reason */
} dataset;

typedef struct {
    size_t n, cap;
    dataset *d;
} dataset_list;

static void dataset_free(dataset *d)
{
    free(d->name);
    free(d->study);
    free(d->reference);
    free(d->molecule);
    free(d->compartment);
    free(d->dose_text);
    free(d->t);
    free(d->c);
    free(d->p);
    free(d->why);
}

static dataset *find_dataset(dataset_list *l, const char *name)
{
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->d[i].name, name))
            return &l->d[i];
    return NULL;
}

static dataset *add_dataset(dataset_list *l, const char *name)
{
    if (l->n == l->cap) {
        size_t nc = l->cap ? 2 * l->cap : 64;
        dataset *nd = realloc(l->d, nc * sizeof *nd);
        if (!nd) {
            fputs("medtwin: out of memory\n", stderr);
            exit(1);
        }
        l->d = nd;
        l->cap = nc;
    }
    dataset *d = &l->d[l->n++];
    memset(d, 0, sizeof *d);
    d->name = xstrdup(name);
    d->dose_mg = d->dose_time = NAN;
    d->auc_obs = d->auc_pred = d->cmax_obs = d->cmax_pred = d->cmax_cont = d->tmax_obs = NAN;
    return d;
}

static void not_predicted(dataset *d, char *why)
{
    if (!d->why)
        d->why = why;
    else
        free(why);
}

/* Concentration unit factor to mg/L (mw: g/mol for molar units). NaN if unknown. */
static double unit_factor(const char *u, double mw)
{
    if (ieq(u, "mg/l") || ieq(u, "µg/ml") || ieq(u, "ug/ml") || ieq(u, "mcg/ml"))
        return 1;
    if (ieq(u, "ng/ml") || ieq(u, "µg/l") || ieq(u, "ug/l") || ieq(u, "mcg/l"))
        return 1e-3;
    if (ieq(u, "pg/ml") || ieq(u, "ng/l"))
        return 1e-6;
    if (ieq(u, "µmol/l") || ieq(u, "umol/l"))
        return mw > 0 ? mw * 1e-3 : NAN;
    if (ieq(u, "nmol/l"))
        return mw > 0 ? mw * 1e-6 : NAN;
    return NAN;
}

static double time_factor(const char *u)
{
    if (!*u || ieq(u, "h") || ieq(u, "hour") || ieq(u, "hours"))
        return 1;
    if (ieq(u, "min"))
        return 1.0 / 60;
    if (ieq(u, "d") || ieq(u, "day") || ieq(u, "day(s)") || ieq(u, "days"))
        return 24;
    return NAN;
}

static int read_observed(mt_ctx *ctx, const char *path, dataset_list *l)
{
    mt_csv *t = NULL;
    if (mt_csv_read(ctx, path, 0, &t) != MT_OK)
        return mt_cli_fail("validate: --observed: %s", mt_errmsg(ctx));
    int rc = 0;
    int jd = need_col(t, path, "--observed", "dataset", &rc);
    int jt = need_col(t, path, "--observed", "time", &rc);
    int jv = need_col(t, path, "--observed", "value", &rc);
    int jtu = mt_csv_col(t, "time_unit"), jvu = mt_csv_col(t, "value_unit");
    int jdim = mt_csv_col(t, "dimension"), jmw = mt_csv_col(t, "mol_weight_g_per_mol");
    for (size_t i = 0; !rc && i < mt_csv_n_rows(t); i++) {
        const char *name = cell(t, i, jd);
        if (!*name) {
            rc = mt_cli_fail("validate: --observed %s row %zu: empty dataset name", path, i + 1);
            break;
        }
        double tv = num(cell(t, i, jt)), v = num(cell(t, i, jv));
        if (isnan(tv)) {
            rc = mt_cli_fail("validate: --observed %s row %zu: time '%s' is not a number", path,
                             i + 1, cell(t, i, jt));
            break;
        }
        if (isnan(v)) {
            rc = mt_cli_fail("validate: --observed %s row %zu: value '%s' is not a number", path,
                             i + 1, cell(t, i, jv));
            break;
        }
        dataset *d = find_dataset(l, name);
        if (!d)
            d = add_dataset(l, name);
        const char *dim = cell(t, i, jdim), *vu = jvu >= 0 ? cell(t, i, jvu) : "mg/l";
        double tf = time_factor(cell(t, i, jtu)), vf = unit_factor(vu, num(cell(t, i, jmw)));
        if (*dim && strncmp(dim, "Concentration", 13) != 0)
            not_predicted(d, xprintf("not a concentration (dimension %s)", dim));
        else if (isnan(tf))
            not_predicted(d, xprintf("time unit '%s' is not known", cell(t, i, jtu)));
        else if (isnan(vf))
            not_predicted(d,
                          xprintf("concentration unit '%s' is not known (or no molar mass)", vu));
        double *nt = realloc(d->t, (d->n_obs + 1) * sizeof *nt);
        double *nc = nt ? realloc(d->c, (d->n_obs + 1) * sizeof *nc) : NULL;
        if (nt)
            d->t = nt;
        if (!nt || !nc) {
            rc = mt_cli_fail("out of memory");
            break;
        }
        d->c = nc;
        d->t[d->n_obs] = tv * (isnan(tf) ? 1 : tf);
        d->c[d->n_obs] = v * (isnan(vf) ? 1 : vf);
        d->n_obs++;
    }
    mt_csv_destroy(t);
    return rc;
}

static const char *json_text(json_t *o, const char *key, char *buf, size_t cap)
{
    json_t *v = json_object_get(o, key);
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_number(v)) {
        snprintf(buf, cap, "%.17g", json_number_value(v));
        return buf;
    }
    return NULL;
}

/* "15 mg", "0.05 mg/kg", "10 µg" -> mg (per-kg with the weight). NaN if not understood. */
static double parse_dose(const char *s, double weight_kg)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || errno || !isfinite(v) || v <= 0)
        return NAN;
    while (*end == ' ')
        end++;
    if (!strcmp(end, "mg"))
        return v;
    if (!strcmp(end, "µg") || !strcmp(end, "ug"))
        return v * 1e-3;
    if (!strcmp(end, "g"))
        return v * 1e3;
    if (!strcmp(end, "mg/kg"))
        return v * weight_kg;
    if (!strcmp(end, "µg/kg") || !strcmp(end, "ug/kg"))
        return v * 1e-3 * weight_kg;
    return NAN;
}

static int read_meta(mt_ctx *ctx, const char *path, dataset_list *l, double weight_kg)
{
    mt_csv *t = NULL;
    if (mt_csv_read(ctx, path, 0, &t) != MT_OK)
        return mt_cli_fail("validate: --meta: %s", mt_errmsg(ctx));
    int rc = 0;
    int jd = need_col(t, path, "--meta", "dataset", &rc);
    int jp = need_col(t, path, "--meta", "properties_json", &rc);
    for (size_t i = 0; !rc && i < mt_csv_n_rows(t); i++) {
        dataset *d = find_dataset(l, cell(t, i, jd));
        if (!d)
            continue; /* meta of a dataset without observations */
        json_error_t je;
        const char *text = cell(t, i, jp);
        json_t *o = json_loads(text, 0, &je);
        if (!json_is_object(o)) {
            json_decref(o);
            rc = mt_cli_fail("validate: --meta %s row %zu: properties_json is not a JSON object "
                             "(%s)",
                             path, i + 1, je.text);
            break;
        }
        char b1[64], b2[64];
        const char *mol = json_text(o, "Molecule", b1, sizeof b1);
        const char *route = json_text(o, "Route", b2, sizeof b2);
        json_t *dv = json_object_get(o, "Dose"),
               *tv = json_object_get(o, "Times of Administration [h]");
        const char *comp = json_string_value(json_object_get(o, "Compartment"));
        free(d->molecule);
        free(d->compartment);
        free(d->study);
        free(d->reference);
        free(d->dose_text);
        d->molecule = xstrdup(mol);
        d->compartment = xstrdup(comp);
        d->study = xstrdup(json_string_value(json_object_get(o, "Study Id")));
        d->reference = xstrdup(json_string_value(json_object_get(o, "Reference")));
        d->dose_text = xstrdup(json_is_string(dv) ? json_string_value(dv) : "");
        if (!mol || !card_name(mol, d->drug, sizeof d->drug))
            not_predicted(d, xprintf("meta: no usable Molecule"));
        if (route && ieq(route, "PO"))
            d->po = 1;
        else if (route && ieq(route, "IV"))
            d->po = 0;
        else
            not_predicted(d, xprintf("meta: route '%s' is neither PO nor IV", route ? route : ""));
        d->dose_mg = json_is_string(dv) ? parse_dose(json_string_value(dv), weight_kg) : NAN;
        d->dose_time = json_is_number(tv) ? json_number_value(tv) : 0.0;
        json_decref(o);
    }
    mt_csv_destroy(t);
    return rc;
}

/* --set: which datasets, with optional route/dose/time overrides; others are dropped from
 * the run (they are not part of the requested set, not "not predicted"). */
static int apply_set(mt_ctx *ctx, const args *a, dataset_list *l)
{
    mt_csv *t = NULL;
    if (mt_csv_read(ctx, a->set, 0, &t) != MT_OK)
        return mt_cli_fail("validate: --set: %s", mt_errmsg(ctx));
    int rc = 0;
    int jd = need_col(t, a->set, "--set", "dataset", &rc);
    int jr = mt_csv_col(t, "route"), jdose = mt_csv_col(t, "dose_mg"),
        jtime = mt_csv_col(t, "dose_time_h");
    char *keep = calloc(l->n + 1, 1);
    size_t *order = calloc(mt_csv_n_rows(t) + 1, sizeof *order);
    size_t n_order = 0;
    if (!keep || !order)
        rc = mt_cli_fail("out of memory");
    for (size_t i = 0; !rc && i < mt_csv_n_rows(t); i++) {
        const char *name = cell(t, i, jd);
        dataset *d = find_dataset(l, name);
        if (!d) {
            rc = mt_cli_fail("validate: --set %s row %zu: dataset '%s' is not in %s", a->set, i + 1,
                             name, a->observed);
            break;
        }
        if (!d->molecule) {
            rc = mt_cli_fail("validate: --set %s row %zu: dataset '%s' is not in %s", a->set, i + 1,
                             name, a->meta);
            break;
        }
        size_t k = (size_t)(d - l->d);
        if (keep[k])
            continue;
        keep[k] = 1;
        order[n_order++] = k;
        const char *r = cell(t, i, jr);
        if (*r) {
            if (ieq(r, "po"))
                d->po = 1;
            else if (ieq(r, "iv"))
                d->po = 0;
            else
                rc = mt_cli_fail("validate: --set %s row %zu: route '%s' is neither po nor iv",
                                 a->set, i + 1, r);
        }
        const char *ds = cell(t, i, jdose), *ts = cell(t, i, jtime);
        if (!rc && *ds) {
            d->dose_mg = num(ds);
            if (!(d->dose_mg > 0))
                rc = mt_cli_fail("validate: --set %s row %zu: dose_mg '%s' is not a positive "
                                 "number",
                                 a->set, i + 1, ds);
        }
        if (!rc && *ts) {
            d->dose_time = num(ts);
            if (!(d->dose_time >= 0))
                rc = mt_cli_fail("validate: --set %s row %zu: dose_time_h '%s' is not a time "
                                 ">= 0",
                                 a->set, i + 1, ts);
        }
    }
    if (!rc) {
        /* keep the set's order */
        dataset *nd = calloc(n_order + 1, sizeof *nd);
        if (!nd) {
            rc = mt_cli_fail("out of memory");
        } else {
            for (size_t i = 0; i < n_order; i++)
                nd[i] = l->d[order[i]];
            for (size_t k = 0; k < l->n; k++)
                if (!keep[k])
                    dataset_free(&l->d[k]);
            free(l->d);
            l->d = nd;
            l->n = l->cap = n_order;
        }
    }
    free(keep);
    free(order);
    mt_csv_destroy(t);
    return rc;
}

static void run_dataset(runner *R, dataset *d)
{
    if (d->why)
        return;
    if (!d->molecule) {
        d->why = xstrdup("no meta row for the dataset");
        return;
    }
    if (!d->compartment || !(ieq(d->compartment, "plasma") || ieq(d->compartment, "serum") ||
                             ieq(d->compartment, "whole blood") || ieq(d->compartment, "blood"))) {
        d->why = xprintf("compartment '%s' is not plasma, serum or blood",
                         d->compartment ? d->compartment : "");
        return;
    }
    if (!(d->dose_mg > 0)) {
        d->why = xprintf("dose '%s' is not understood (a single amount in mg, µg, mg/kg)",
                         d->dose_text ? d->dose_text : "");
        return;
    }
    /* observations from the dose on (a pre-dose sample says nothing of this dose); after an
     * IV bolus only those after the dose time: at the bolus instant a sample is pre-dose or
     * mixing, and the model's value is the dose spread over the venous blood alone */
    size_t k = 0;
    for (size_t i = 0; i < d->n_obs; i++)
        if (d->t[i] > d->dose_time || (d->po && d->t[i] == d->dose_time)) {
            d->t[k] = d->t[i];
            d->c[k++] = d->c[i];
        }
    d->n_obs = k;
    for (size_t i = 1; i < d->n_obs; i++)
        if (d->t[i] < d->t[i - 1]) {
            d->why = xstrdup("observation times are not increasing");
            return;
        }
    if (d->n_obs < 2 || !(d->t[d->n_obs - 1] > d->t[0])) {
        d->why = xstrdup("fewer than 2 observation times after the dose");
        return;
    }
    mt_regimen reg;
    double amount = d->dose_mg, when = d->dose_time;
    if (regimen_of(&reg, d->drug, d->po ? MT_DOSE_PO : MT_DOSE_IV_BOLUS, 1, &when, &amount)) {
        d->why = xstrdup("out of memory");
        return;
    }
    mt_predictor *p = make_predictor(R, 1, &reg, &d->why);
    mt_regimen_clear(&reg);
    if (!p)
        return;
    double tlast = d->t[d->n_obs - 1];
    mt_predict_options o = {.until_h = tlast, .steps = grid_steps(tlast)};
    mt_prediction res = {0};
    d->p = calloc(d->n_obs, sizeof *d->p);
    if (!d->p || mt_predictor_run(p, &o, &res) != MT_OK ||
        mt_predictor_sample(p, NULL, d->n_obs, d->t, d->p) != MT_OK) {
        d->why = xstrdup(d->p ? mt_errmsg(R->ctx) : "out of memory");
        mt_prediction_clear(&res);
        mt_predictor_destroy(p);
        return;
    }
    double scale = 1; /* blood: plasma x B:P */
    if (ieq(d->compartment, "whole blood") || ieq(d->compartment, "blood")) {
        char id[96];
        snprintf(id, sizeof id, "BP_%s", d->drug);
        const char *const *ids = mt_predictor_value_ids(p);
        for (size_t i = 0; i < mt_predictor_n_values(p); i++)
            if (!strcmp(ids[i], id))
                scale = mt_predictor_values(p)[i];
    }
    for (size_t i = 0; i < d->n_obs; i++)
        d->p[i] *= scale;
    double cont = NAN;
    for (size_t i = 0; i < res.n_times; i++)
        if (res.time_h[i] >= d->dose_time && !(res.drugs[0].conc_mg_l[i] * scale <= cont))
            cont = res.drugs[0].conc_mg_l[i] * scale;
    mt_prediction_clear(&res);
    mt_predictor_destroy(p);

    /* AUC on the observed times, both sides; an oral dose adds (dose time, 0) on both */
    size_t n = d->n_obs;
    double *tt = malloc((n + 1) * sizeof *tt), *co = malloc((n + 1) * sizeof *co),
           *cp = malloc((n + 1) * sizeof *cp);
    if (!tt || !co || !cp) {
        free(tt);
        free(co);
        free(cp);
        d->why = xstrdup("out of memory");
        return;
    }
    size_t m = 0;
    if (d->po && d->t[0] > d->dose_time) {
        tt[m] = d->dose_time;
        co[m] = cp[m] = 0;
        m++;
    }
    for (size_t i = 0; i < n; i++, m++) {
        tt[m] = d->t[i];
        co[m] = d->c[i];
        cp[m] = d->p[i];
    }
    d->auc_obs = mt_validate_auc(m, tt, co);
    d->auc_pred = mt_validate_auc(m, tt, cp);
    free(tt);
    free(co);
    free(cp);
    if (d->po) {
        for (size_t i = 0; i < n; i++) {
            if (!(d->c[i] <= d->cmax_obs)) {
                d->cmax_obs = d->c[i];
                d->tmax_obs = d->t[i];
            }
            if (!(d->p[i] <= d->cmax_pred))
                d->cmax_pred = d->p[i];
        }
        d->cmax_cont = cont;
    }
    d->predicted = 1;
}

static void write_dataset_results(FILE *f, const dataset_list *l)
{
    fputs("dataset,study,reference,drug,route,dose_mg,dose_time_h,compartment,n_obs,t_first_h,"
          "t_last_h,auc_obs_mg_h_l,auc_pred_mg_h_l,auc_fold,cmax_obs_mg_l,cmax_pred_mg_l,"
          "cmax_fold,cmax_pred_continuous_mg_l,tmax_obs_h,status,reason\n",
          f);
    for (size_t i = 0; i < l->n; i++) {
        const dataset *d = &l->d[i];
        csv_str(f, d->name);
        fputc(',', f);
        csv_str(f, d->study);
        fputc(',', f);
        csv_str(f, d->reference);
        fputc(',', f);
        csv_str(f, d->drug);
        fprintf(f, ",%s,", d->po ? "po" : "iv");
        csv_num(f, d->dose_mg);
        fputc(',', f);
        csv_num(f, d->dose_time);
        fputc(',', f);
        csv_str(f, d->compartment);
        fprintf(f, ",%zu,", d->n_obs);
        csv_num(f, d->n_obs ? d->t[0] : NAN);
        fputc(',', f);
        csv_num(f, d->n_obs ? d->t[d->n_obs - 1] : NAN);
        double vals[] = {d->auc_obs,   d->auc_pred,  d->auc_pred / d->auc_obs,
                         d->cmax_obs,  d->cmax_pred, d->cmax_pred / d->cmax_obs,
                         d->cmax_cont, d->tmax_obs};
        for (size_t k = 0; k < sizeof vals / sizeof vals[0]; k++) {
            fputc(',', f);
            csv_num(f, d->predicted ? vals[k] : NAN);
        }
        fprintf(f, ",%s,", d->predicted ? "predicted" : "not predicted");
        csv_str(f, d->why);
        fputc('\n', f);
    }
}

static int validate_datasets(runner *R)
{
    const args *a = R->a;
    dataset_list l = {0};
    int rc = read_observed(R->ctx, a->observed, &l);
    if (!rc)
        rc = read_meta(R->ctx, a->meta, &l, R->weight_kg);
    if (!rc && a->set)
        rc = apply_set(R->ctx, a, &l);
    for (size_t i = 0; !rc && i < l.n; i++) {
        run_dataset(R, &l.d[i]);
        if (!a->quiet)
            fprintf(stderr, "validate: [%zu/%zu] %s: %s\n", i + 1, l.n, l.d[i].name,
                    l.d[i].predicted ? "predicted" : "not predicted");
    }
    /* summary */
    size_t n_pred = 0, n_po = 0;
    double *ao = calloc(l.n + 1, sizeof *ao), *ap = calloc(l.n + 1, sizeof *ap);
    double *co = calloc(l.n + 1, sizeof *co), *cp = calloc(l.n + 1, sizeof *cp);
    double *xs[4];
    double *ys[4];
    size_t ns[4] = {0};
    for (int k = 0; k < 4; k++) {
        xs[k] = calloc(l.n + 1, sizeof *xs[k]);
        ys[k] = calloc(l.n + 1, sizeof *ys[k]);
    }
    mt_fold_summary sa = {0}, sc = {0}, sc_cont = {0};
    if (!rc && (!ao || !ap || !co || !cp || !xs[3] || !ys[3] || !xs[0] || !ys[0] || !xs[1] ||
                !ys[1] || !xs[2] || !ys[2]))
        rc = mt_cli_fail("out of memory");
    double *cc = NULL;
    if (!rc) {
        cc = calloc(l.n + 1, sizeof *cc);
        for (size_t i = 0; i < l.n; i++) {
            const dataset *d = &l.d[i];
            if (!d->predicted)
                continue;
            ao[n_pred] = d->auc_obs;
            ap[n_pred++] = d->auc_pred;
            int set = d->po ? 1 : 0;
            xs[set][ns[set]] = d->auc_obs;
            ys[set][ns[set]++] = d->auc_pred;
            if (d->po) {
                co[n_po] = d->cmax_obs;
                if (cc)
                    cc[n_po] = d->cmax_cont;
                cp[n_po++] = d->cmax_pred;
                xs[2][ns[2]] = d->cmax_obs;
                ys[2][ns[2]++] = d->cmax_pred;
            }
        }
        mt_validate_folds(n_pred, ap, ao, &sa);
        mt_validate_folds(n_po, cp, co, &sc);
        if (cc)
            mt_validate_folds(n_po, cc, co, &sc_cont);
    }
    if (!rc && a->out) {
        mt_plot_points auc_sets[2] = {{"iv", ns[0], xs[0], ys[0]}, {"po", ns[1], xs[1], ys[1]}};
        mt_plot_points cmax_set[1] = {{"po", ns[2], xs[2], ys[2]}};
        rc = plot_obs_pred(R, "auc.png", "AUC(t1-tlast), trapezoids at the observed times",
                           "AUC (mg*h/L)", 2, auc_sets);
        if (!rc)
            rc = plot_obs_pred(R, "cmax.png", "Cmax of oral doses (at the observed times)",
                               "Cmax (mg/L)", 1, cmax_set);
    }
    if (!rc && a->out) {
        char *csv = NULL, *md = NULL;
        size_t csv_len = 0, md_len = 0;
        FILE *f = open_memstream(&csv, &csv_len);
        if (f) {
            write_dataset_results(f, &l);
            fclose(f);
        }
        FILE *g = open_memstream(&md, &md_len);
        if (g) {
            char b1[32], b2[32], b3[32], b4[32], b5[32], b6[32];
            reason_tally rt = {0};
            fprintf(g, "# Validation: concentration-time datasets\n\n");
            fprintf(g,
                    "Generated by `medtwin validate` (medtwin %s) from `%s` and `%s`%s%s%s; "
                    "the person: `%s`. Method: [README](../README.md).\n\n",
                    mt_version(), a->observed, a->meta, a->set ? ", datasets listed in `" : "",
                    a->set ? a->set : "", a->set ? "`" : "", R->person_path);
            fprintf(g, "**%zu datasets: %zu predicted, %zu not predicted.**\n\n", l.n, n_pred,
                    l.n - n_pred);
            fprintf(g, "| measure | n | GMFE | geometric mean pred/obs | within 1.25-fold | "
                       "within 1.5-fold | within 2-fold |\n|---|---|---|---|---|---|---|\n");
            summary_md(g, "AUC(t1–tlast)", &sa);
            summary_md(g, "Cmax (po, at the observed times)", &sc);
            summary_md(g, "Cmax (po, continuous prediction)", &sc_cont);
            fprintf(g, "\n![AUC observed vs predicted](auc.png)\n\n"
                       "![Cmax observed vs predicted](cmax.png)\n\n");
            fprintf(g, "## Predicted datasets\n\n| dataset | route | dose (mg) | n obs | t "
                       "(h) | AUC obs | AUC pred | fold | Cmax obs | Cmax pred | fold |\n"
                       "|---|---|---|---|---|---|---|---|---|---|---|\n");
            for (size_t i = 0; i < l.n; i++) {
                const dataset *d = &l.d[i];
                if (!d->predicted)
                    continue;
                fputs("| ", g);
                md_str(g, d->name);
                fprintf(g, " | %s | %.4g | %zu | %.3g–%.3g | %s | %s | %s | %s | %s | %s |\n",
                        d->po ? "po" : "iv", d->dose_mg, d->n_obs, d->t[0], d->t[d->n_obs - 1],
                        fmt_num(b1, sizeof b1, d->auc_obs), fmt_num(b2, sizeof b2, d->auc_pred),
                        fmt_num(b3, sizeof b3, d->auc_pred / d->auc_obs),
                        fmt_num(b4, sizeof b4, d->cmax_obs), fmt_num(b5, sizeof b5, d->cmax_pred),
                        fmt_num(b6, sizeof b6, d->cmax_pred / d->cmax_obs));
            }
            if (!n_pred)
                fprintf(g, "| (none) | | | | | | | | | | |\n");
            fprintf(g, "\nAUC in mg·h/L, Cmax in mg/L; fold = predicted / observed.\n\n");
            fprintf(g, "## Not predicted\n\n| dataset | route | dose | reason |\n"
                       "|---|---|---|---|\n");
            for (size_t i = 0; i < l.n; i++) {
                const dataset *d = &l.d[i];
                if (d->predicted)
                    continue;
                size_t k = tally(&rt, d->why ? d->why : "");
                fputs("| ", g);
                md_str(g, d->name);
                fprintf(g, " | %s | ", d->po ? "po" : "iv");
                md_str(g, d->dose_text);
                fprintf(g, " | R%zu |\n", k);
            }
            if (l.n == n_pred)
                fprintf(g, "| (none) | | | |\n");
            fprintf(g, "\nReasons (the twin's own messages, shortened to the drug card fields "
                       "they name):\n\n");
            tally_write(g, &rt);
            tally_free(&rt);
            fclose(g);
        }
        if (!f || !g || !csv || !md)
            rc = mt_cli_fail("out of memory");
        if (!rc)
            rc = write_file(a->out, "results.csv", csv);
        if (!rc)
            rc = write_file(a->out, "report.md", md);
        free(csv);
        free(md);
    }
    if (!rc) {
        printf("validate: %zu predicted, %zu not predicted", n_pred, l.n - n_pred);
        if (sa.n)
            printf("; AUC GMFE %.3g, within 2-fold %.0f%%", sa.gmfe, 100 * sa.within_2);
        if (sc.n)
            printf("; Cmax (po) GMFE %.3g, within 2-fold %.0f%%", sc.gmfe, 100 * sc.within_2);
        putchar('\n');
    }
    free(cc);
    free(ao);
    free(ap);
    free(co);
    free(cp);
    for (int k = 0; k < 4; k++) {
        free(xs[k]);
        free(ys[k]);
    }
    for (size_t i = 0; i < l.n; i++)
        dataset_free(&l.d[i]);
    free(l.d);
    return rc;
}

/* ---------- interaction studies ---------- */

typedef struct {
    char *row_id, *study, *victim_name, *perp_name, *mechanism, *victim_desc, *perp_desc;
    char victim[64], perp[64];
    double t0, t1; /* AUC window (h, t1 may be +Inf) */
    double aucr_obs, cmaxr_obs, aucr_pred, cmaxr_pred;
    int predicted;
    char *why;
} ddi_row;

static void ddi_row_free(ddi_row *r)
{
    free(r->row_id);
    free(r->study);
    free(r->victim_name);
    free(r->perp_name);
    free(r->mechanism);
    free(r->victim_desc);
    free(r->perp_desc);
    free(r->why);
}

enum { MAX_DOSES = 4096 };
#define ELIM_FRACTION 1e-3 /* "to infinity": extrapolated share of the AUC at most this */
#define ELIM_MAX_H 3000.0  /* ... reached within this time after the last victim dose */

/* The victim's AUC over [t0, t1] and Cmax over the same window in one arm (the predictor
 * p, victim = drug 0). For t1 = Inf the run is extended (doubling, from 24 h after the last
 * victim dose, at most ELIM_MAX_H) until the extrapolated rest C_last / lambda_z (lambda_z
 * from the log-linear end of the curve, medtwin/exposure.h) is below ELIM_FRACTION of the
 * area so far; the rest is then added (AUC to infinity as non-compartmental analysis
 * defines it, with at most 0.1% extrapolated). */
static int ddi_arm(runner *R, mt_predictor *p, double t0, double t1, double last_dose, double *auc,
                   double *cmax, char **why)
{
    double start = fmax(last_dose, t0);
    double until = isfinite(t1) ? t1 : start + 24;
    for (;;) {
        mt_predict_options o = {.until_h = until, .steps = grid_steps(until)};
        mt_prediction res = {0};
        if (mt_predictor_run(p, &o, &res) != MT_OK) {
            *why = xstrdup(mt_errmsg(R->ctx));
            return -1;
        }
        const mt_predicted_drug *v = &res.drugs[0];
        size_t n = res.n_times;
        *cmax = mt_validate_max_window(n, res.time_h, v->conc_mg_l, t0, until);
        *auc = mt_validate_auc_window(n, res.time_h, v->conc_mg_l, t0, fmin(t1, until));
        double lz = v->exposure.lambda_z, rest = lz > 0 ? v->conc_mg_l[n - 1] / lz : INFINITY;
        int done = isfinite(t1) || (*auc > 0 && rest < ELIM_FRACTION * *auc);
        mt_prediction_clear(&res);
        if (done) {
            if (!isfinite(t1))
                *auc += rest;
            return 0;
        }
        if (until - start >= ELIM_MAX_H) {
            *why = xprintf("the victim's AUC to infinity is not within %g%% by %g h after its "
                           "last dose (no terminal log-linear decline)",
                           100 * ELIM_FRACTION, ELIM_MAX_H);
            return -1;
        }
        until = start + fmin(2 * (until - start), ELIM_MAX_H);
    }
}

static void ddi_row_core(runner *R, const mt_csv *t, size_t i, ddi_row *r, double *buf)
{
#define COL(name) cell(t, i, mt_csv_col(t, name))
    const char *qc = COL("qc_flags"), *comp = COL("compartment");
    r->row_id = xstrdup(COL("source_file_row"));
    r->study = xstrdup(COL("study_id"));
    r->victim_name = xstrdup(COL("victim"));
    r->perp_name = xstrdup(COL("perpetrator"));
    r->mechanism = xstrdup(COL("mechanism"));
    r->aucr_obs = num(COL("observed_aucr"));
    r->cmaxr_obs = num(COL("observed_cmaxr"));
    r->aucr_pred = r->cmaxr_pred = NAN;
    r->t0 = r->t1 = NAN;
    double *vt = buf, *va = buf + MAX_DOSES, *pt = buf + 2 * MAX_DOSES, *pa = buf + 3 * MAX_DOSES;
    double w = R->weight_kg;
    long nv = 0, np = 0;

    /* the victim's doses */
    const char *vroute = COL("victim_route"), *proute = COL("perp_route");
    double vdose = num(COL("victim_dose_mg"));
    if (isnan(vdose) && num(COL("victim_dose_mg_per_kg")) > 0)
        vdose = num(COL("victim_dose_mg_per_kg")) * w;
    nv = num_list(COL("victim_times_h"), vt, MAX_DOSES);
    if (nv == 0) {
        double first = num(COL("victim_time_h")), iv = num(COL("victim_interval_h"));
        double nd = num(COL("victim_n_doses"));
        if (isnan(nd))
            nd = 1;
        if (isfinite(first) && nd >= 1 && nd <= MAX_DOSES && (nd == 1 || iv > 0))
            for (nv = 0; nv < (long)nd; nv++)
                vt[nv] = first + (double)nv * (nd > 1 ? iv : 0);
        else
            nv = -1;
    }
    for (long k = 0; k < nv; k++)
        va[k] = vdose;
    /* the perpetrator's */
    double pdose = num(COL("perp_dose_mg"));
    np = num_list(COL("perp_times_h"), pt, MAX_DOSES);
    if (np == 0) {
        double iv = num(COL("perp_interval_h")), nd = num(COL("perp_n_doses"));
        if (isnan(nd))
            nd = 1;
        if (nd >= 1 && nd <= MAX_DOSES && (nd == 1 || iv > 0))
            for (np = 0; np < (long)nd; np++)
                pt[np] = (double)np * (nd > 1 ? iv : 0);
        else
            np = -1;
    }
    long npa = num_list(COL("perp_doses_mg"), pa, MAX_DOSES);
    if (npa == 0)
        for (long k = 0; k < np; k++)
            pa[k] = pdose;
    const char *t0s = COL("auc_t0_h"), *t1s = COL("auc_t1_h");
    r->t0 = *t0s ? num(t0s) : (nv > 0 ? vt[0] : NAN);
    r->t1 = !*t1s || ieq(t1s, "inf") ? INFINITY : num(t1s);
    r->victim_desc = nv > 1    ? xprintf("%.4g mg %s × %ld from %g h", vdose, vroute, nv, vt[0])
                     : nv == 1 ? xprintf("%.4g mg %s at %g h", vdose, vroute, vt[0])
                               : xprintf("%.4g mg %s", vdose, vroute);
    r->perp_desc = np > 1 ? xprintf("%.4g mg %s × %ld (%g–%g h)", np > 0 ? pa[0] : pdose, proute,
                                    np, pt[0], pt[np - 1])
                          : xprintf("%.4g mg %s at 0 h", pdose, proute);

    if (strstr(qc, "aucr_is_inverse_CLR")) {
        r->why = xstrdup("urine row: its 'AUCR' is 1/(renal clearance ratio), not a plasma AUC "
                         "ratio (qc_flags aucr_is_inverse_CLR)");
        return;
    }
    if (!(ieq(comp, "plasma") || ieq(comp, "serum") || ieq(comp, "whole blood") ||
          ieq(comp, "blood") || !*comp)) {
        r->why = xprintf("compartment '%s' is not plasma, serum or blood", comp);
        return;
    }
    if (!(r->aucr_obs > 0)) {
        r->why = xstrdup("no observed AUC ratio");
        return;
    }
    if (!card_name(r->victim_name, r->victim, sizeof r->victim) ||
        !card_name(r->perp_name, r->perp, sizeof r->perp)) {
        r->why = xprintf("'%s' or '%s' cannot be a drug card name", r->victim_name, r->perp_name);
        return;
    }
    if (!strcmp(r->victim, r->perp)) {
        r->why = xstrdup("victim and perpetrator are the same drug");
        return;
    }
    mt_dose_route rv, rp;
    if (ieq(vroute, "po") || ieq(vroute, "iv"))
        rv = ieq(vroute, "po") ? MT_DOSE_PO : MT_DOSE_IV_BOLUS;
    else {
        r->why = xprintf("victim route '%s' is neither po nor iv", vroute);
        return;
    }
    if (ieq(proute, "po") || ieq(proute, "iv"))
        rp = ieq(proute, "po") ? MT_DOSE_PO : MT_DOSE_IV_BOLUS;
    else {
        r->why = xprintf("perpetrator route '%s' is neither po nor iv", proute);
        return;
    }
    if (nv <= 0 || !(vdose > 0)) {
        r->why = xstrdup("the victim's dose or dosing times are not given as numbers");
        return;
    }
    if (np <= 0 || npa < 0 || (npa > 0 && npa != np)) {
        r->why = xstrdup("the perpetrator's doses or dosing times are not given as numbers "
                         "(or their counts differ)");
        return;
    }
    for (long k = 0; k < np; k++)
        if (!(pa[k] > 0) || !(pt[k] >= 0)) {
            r->why = xstrdup("a perpetrator dose is not a positive amount at a time >= 0");
            return;
        }
    for (long k = 0; k < nv; k++)
        if (!(vt[k] >= 0)) {
            r->why = xstrdup("a victim dose time is before the first perpetrator dose (< 0)");
            return;
        }
    if (!(r->t0 >= 0) || !(r->t1 > r->t0)) {
        r->why = xprintf("the AUC window '%s'..'%s' is not a time interval", t0s, t1s);
        return;
    }
    mt_regimen reg[2];
    if (regimen_of(&reg[0], r->victim, rv, (size_t)nv, vt, va) ||
        regimen_of(&reg[1], r->perp, rp, (size_t)np, pt, pa)) {
        r->why = xstrdup("out of memory");
        mt_regimen_clear(&reg[0]);
        return;
    }
    mt_predictor *alone = NULL, *both = make_predictor(R, 2, reg, &r->why);
    if (both && !mt_predictor_interacts(both, 0)) {
        /* the twin's facts say why a card interaction is not modelled */
        const mt_twin_param_list *tw = mt_predictor_twin(both);
        char *facts = xstrdup("");
        char prefix[96];
        snprintf(prefix, sizeof prefix, "interaction.%s.", r->perp);
        for (size_t k = 0; k < tw->n_facts; k++)
            if (!strncmp(tw->facts[k].key, prefix, strlen(prefix))) {
                char *nf = xprintf("%s%s%s: %s %s", facts, *facts ? "; " : "", tw->facts[k].key,
                                   tw->facts[k].text, tw->facts[k].how);
                free(facts);
                facts = nf;
            }
        r->why = xprintf("the twin models no interaction of %s on %s's hepatic clearance%s%s",
                         r->perp, r->victim,
                         *facts ? " ("
                                : " (the perpetrator's card has no "
                                  "interaction on the victim's "
                                  "enzymes",
                         *facts ? facts : "");
        free(facts);
        char *closed = xprintf("%s)", r->why);
        free(r->why);
        r->why = closed;
    }
    if (!r->why)
        alone = make_predictor(R, 1, reg, &r->why);
    double last = vt[nv - 1], auc0 = NAN, auc1 = NAN, c0 = NAN, c1 = NAN;
    if (!r->why && !ddi_arm(R, alone, r->t0, r->t1, last, &auc0, &c0, &r->why) &&
        !ddi_arm(R, both, r->t0, r->t1, last, &auc1, &c1, &r->why)) {
        r->aucr_pred = auc1 / auc0;
        r->cmaxr_pred = c1 / c0;
        r->predicted = isfinite(r->aucr_pred) && r->aucr_pred > 0;
        if (!r->predicted)
            r->why = xstrdup("the predicted AUC of the victim alone is zero or undefined");
    }
    mt_predictor_destroy(alone);
    mt_predictor_destroy(both);
    mt_regimen_clear(&reg[0]);
    mt_regimen_clear(&reg[1]);
#undef COL
}

/* One study arm: victim alone and with the perpetrator (r filled; r->why when not
 * predicted). */
static void run_ddi_row(runner *R, const mt_csv *t, size_t i, ddi_row *r)
{
    double *buf = calloc(4 * MAX_DOSES, sizeof *buf);
    if (!buf) {
        r->why = xstrdup("out of memory");
        return;
    }
    ddi_row_core(R, t, i, r, buf);
    free(buf);
}

static int plot_guest(runner *R, const char *file, const char *title, const char *what, size_t n,
                      const double *obs, const double *pred)
{
    if (!R->a->out)
        return 0;
    enum { NG = 200 };
    double gx[NG], gu[NG], gl[NG], lx[2] = {1e-6, 1e6}, one[2] = {1e-6, 1e6}, two[2] = {2e-6, 2e6},
                                   half[2] = {0.5e-6, 0.5e6};
    for (int k = 0; k < NG; k++) {
        gx[k] = pow(10, -2 + 4.0 * k / (NG - 1));
        double lim = mt_validate_guest_limit(gx[k]);
        gu[k] = gx[k] * lim;
        gl[k] = gx[k] / lim;
    }
    mt_plot_curve c[5] = {{"unity", 2, lx, one, 0},
                          {"Guest limits", NG, gx, gu, 2},
                          {"", NG, gx, gl, 2},
                          {"2-fold", 2, lx, two, 1},
                          {"", 2, lx, half, 1}};
    mt_plot_points s[1] = {{what, n, obs, pred}};
    char xl[96], yl[96];
    snprintf(xl, sizeof xl, "observed %s", what);
    snprintf(yl, sizeof yl, "predicted %s", what);
    /* at least 0.1..10: the ratios of weak to strong interactions, with or without points */
    mt_plot_xy_options o = {title, xl, yl, 1, 1, 1, 0.1, 10};
    char *path = xprintf("%s/%s", R->a->out, file);
    mt_status st = mt_plot_xy(R->ctx, path, &o, 1, s, 5, c);
    free(path);
    return st == MT_OK ? 0 : mt_cli_fail("validate: %s", mt_errmsg(R->ctx));
}

static size_t guest_count(size_t n, const double *obs, const double *pred, size_t *n_used)
{
    size_t k = 0;
    *n_used = 0;
    for (size_t i = 0; i < n; i++) {
        int w = mt_validate_guest_within(obs[i], pred[i]);
        if (w >= 0)
            (*n_used)++;
        if (w == 1)
            k++;
    }
    return k;
}

static int validate_ddi(runner *R)
{
    const args *a = R->a;
    mt_csv *t = NULL;
    if (mt_csv_read(R->ctx, a->ddi, 0, &t) != MT_OK)
        return mt_cli_fail("validate: --ddi: %s", mt_errmsg(R->ctx));
    int rc = 0;
    static const char *const required[] = {"study_id",     "victim",        "victim_dose_mg",
                                           "victim_route", "victim_time_h", "perpetrator",
                                           "perp_dose_mg", "perp_route",    "perp_interval_h",
                                           "perp_n_doses", "observed_aucr", "observed_cmaxr"};
    for (size_t k = 0; k < sizeof required / sizeof required[0]; k++)
        need_col(t, a->ddi, "--ddi", required[k], &rc);
    size_t n = mt_csv_n_rows(t);
    ddi_row *rows = calloc(n + 1, sizeof *rows);
    if (!rc && !rows)
        rc = mt_cli_fail("out of memory");
    for (size_t i = 0; !rc && i < n; i++) {
        run_ddi_row(R, t, i, &rows[i]);
        if (!a->quiet)
            fprintf(stderr, "validate: [%zu/%zu] %s %s + %s: %s\n", i + 1, n, rows[i].study,
                    rows[i].victim_name, rows[i].perp_name,
                    rows[i].predicted ? "predicted" : "not predicted");
    }
    mt_csv_destroy(t);
    double *ao = calloc(n + 1, sizeof *ao), *ap = calloc(n + 1, sizeof *ap);
    double *co = calloc(n + 1, sizeof *co), *cp = calloc(n + 1, sizeof *cp);
    size_t na = 0, nc = 0, n_pred = 0;
    if (!rc && (!ao || !ap || !co || !cp))
        rc = mt_cli_fail("out of memory");
    for (size_t i = 0; !rc && i < n; i++) {
        const ddi_row *r = &rows[i];
        if (!r->predicted)
            continue;
        n_pred++;
        ao[na] = r->aucr_obs;
        ap[na++] = r->aucr_pred;
        if (r->cmaxr_obs > 0 && isfinite(r->cmaxr_pred)) {
            co[nc] = r->cmaxr_obs;
            cp[nc++] = r->cmaxr_pred;
        }
    }
    mt_fold_summary sa = {0}, sc = {0};
    size_t ga_n = 0, gc_n = 0, ga = 0, gc = 0;
    if (!rc) {
        mt_validate_folds(na, ap, ao, &sa);
        mt_validate_folds(nc, cp, co, &sc);
        ga = guest_count(na, ao, ap, &ga_n);
        gc = guest_count(nc, co, cp, &gc_n);
    }
    if (!rc && a->out) {
        rc = plot_guest(R, "guest_aucr.png", "AUC ratio: predicted vs observed", "AUC ratio", na,
                        ao, ap);
        if (!rc)
            rc = plot_guest(R, "guest_cmaxr.png", "Cmax ratio: predicted vs observed", "Cmax ratio",
                            nc, co, cp);
    }
    if (!rc && a->out) {
        char *csv = NULL, *md = NULL;
        size_t csv_len = 0, md_len = 0;
        FILE *f = open_memstream(&csv, &csv_len);
        if (f) {
            fputs("source_file_row,study_id,victim,perpetrator,mechanism,victim_regimen,"
                  "perpetrator_regimen,auc_t0_h,auc_t1_h,aucr_obs,aucr_pred,aucr_fold,"
                  "aucr_guest,cmaxr_obs,cmaxr_pred,cmaxr_fold,cmaxr_guest,status,reason\n",
                  f);
            for (size_t i = 0; i < n; i++) {
                const ddi_row *r = &rows[i];
                const char *s[] = {r->row_id,    r->study,       r->victim_name, r->perp_name,
                                   r->mechanism, r->victim_desc, r->perp_desc};
                for (size_t k = 0; k < 7; k++) {
                    csv_str(f, s[k]);
                    fputc(',', f);
                }
                csv_num(f, r->t0);
                fputc(',', f);
                if (isinf(r->t1))
                    fputs("inf", f);
                else
                    csv_num(f, r->t1);
                int gA = mt_validate_guest_within(r->aucr_obs, r->aucr_pred);
                int gC = mt_validate_guest_within(r->cmaxr_obs, r->cmaxr_pred);
                fputc(',', f);
                csv_num(f, r->aucr_obs);
                fputc(',', f);
                csv_num(f, r->aucr_pred);
                fputc(',', f);
                csv_num(f, r->aucr_pred / r->aucr_obs);
                fprintf(f, ",%s,", gA < 0 ? "" : gA ? "yes" : "no");
                csv_num(f, r->cmaxr_obs);
                fputc(',', f);
                csv_num(f, r->cmaxr_pred);
                fputc(',', f);
                csv_num(f, r->cmaxr_pred / r->cmaxr_obs);
                fprintf(f, ",%s,%s,",
                        gC < 0 ? ""
                        : gC   ? "yes"
                               : "no",
                        r->predicted ? "predicted" : "not predicted");
                csv_str(f, r->why);
                fputc('\n', f);
            }
            fclose(f);
        }
        FILE *g = open_memstream(&md, &md_len);
        if (g) {
            char b1[32], b2[32], b3[32], b4[32];
            reason_tally rt = {0};
            fprintf(g, "# Validation: drug-drug interaction studies\n\n");
            fprintf(g,
                    "Generated by `medtwin validate --ddi` (medtwin %s) from `%s`; the person: "
                    "`%s`. Method: [README](../README.md).\n\n",
                    mt_version(), a->ddi, R->person_path);
            fprintf(g, "**%zu study arms: %zu predicted, %zu not predicted.**\n\n", n, n_pred,
                    n - n_pred);
            fprintf(g, "| ratio | n | GMFE | geometric mean pred/obs | within Guest limits | "
                       "within 1.25-fold | within 2-fold |\n|---|---|---|---|---|---|---|\n");
            fprintf(g, "| AUC ratio | %zu | %s | %s | %zu of %zu | %zu | %zu |\n", sa.n,
                    fmt_num(b1, sizeof b1, sa.gmfe), fmt_num(b2, sizeof b2, sa.bias), ga, ga_n,
                    sa.n_125, sa.n_2);
            fprintf(g, "| Cmax ratio | %zu | %s | %s | %zu of %zu | %zu | %zu |\n\n", sc.n,
                    fmt_num(b1, sizeof b1, sc.gmfe), fmt_num(b2, sizeof b2, sc.bias), gc, gc_n,
                    sc.n_125, sc.n_2);
            fprintf(g, "![AUC ratio, Guest plot](guest_aucr.png)\n\n"
                       "![Cmax ratio, Guest plot](guest_cmaxr.png)\n\n");
            fprintf(g, "## Predicted study arms\n\n| study | victim | perpetrator | AUCR obs "
                       "| AUCR pred | Guest | CmaxR obs | CmaxR pred |\n"
                       "|---|---|---|---|---|---|---|---|\n");
            for (size_t i = 0; i < n; i++) {
                const ddi_row *r = &rows[i];
                if (!r->predicted)
                    continue;
                int gA = mt_validate_guest_within(r->aucr_obs, r->aucr_pred);
                fputs("| ", g);
                md_str(g, r->study);
                fprintf(g, " | %s %s | %s %s | %s | %s | %s | %s | %s |\n", r->victim_name,
                        r->victim_desc, r->perp_name, r->perp_desc,
                        fmt_num(b1, sizeof b1, r->aucr_obs), fmt_num(b2, sizeof b2, r->aucr_pred),
                        gA == 1   ? "yes"
                        : gA == 0 ? "no"
                                  : "–",
                        fmt_num(b3, sizeof b3, r->cmaxr_obs),
                        fmt_num(b4, sizeof b4, r->cmaxr_pred));
            }
            if (!n_pred)
                fprintf(g, "| (none) | | | | | | | |\n");
            fprintf(g, "\n## Not predicted\n\n| row | study | victim | perpetrator | reason "
                       "|\n|---|---|---|---|---|\n");
            for (size_t i = 0; i < n; i++) {
                const ddi_row *r = &rows[i];
                if (r->predicted)
                    continue;
                size_t k = tally(&rt, r->why ? r->why : "");
                fprintf(g, "| %s | ", r->row_id);
                md_str(g, r->study);
                fprintf(g, " | %s %s | %s %s | R%zu |\n", r->victim_name, r->victim_desc,
                        r->perp_name, r->perp_desc, k);
            }
            if (n == n_pred)
                fprintf(g, "| (none) | | | | |\n");
            fprintf(g, "\nReasons (the twin's own messages, shortened to the drug card fields "
                       "they name):\n\n");
            tally_write(g, &rt);
            tally_free(&rt);
            fclose(g);
        }
        if (!f || !g || !csv || !md)
            rc = mt_cli_fail("out of memory");
        if (!rc)
            rc = write_file(a->out, "results.csv", csv);
        if (!rc)
            rc = write_file(a->out, "report.md", md);
        free(csv);
        free(md);
    }
    if (!rc) {
        printf("validate: %zu predicted, %zu not predicted", n_pred, n - n_pred);
        if (sa.n)
            printf("; AUC ratio GMFE %.3g, within Guest limits %zu of %zu", sa.gmfe, ga, ga_n);
        putchar('\n');
    }
    for (size_t i = 0; rows && i < n; i++)
        ddi_row_free(&rows[i]);
    free(rows);
    free(ao);
    free(ap);
    free(co);
    free(cp);
    return rc;
}

/* ---------- the command ---------- */

int mt_cmd_validate(int argc, char **argv)
{
    args a = {0};
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        if (!strcmp(o, "--help") || !strcmp(o, "-h")) {
            fputs(help, stdout);
            return 0;
        }
        if (!strcmp(o, "--quiet")) {
            a.quiet = 1;
            continue;
        }
        const char **dst = !strcmp(o, "--observed")  ? &a.observed
                           : !strcmp(o, "--meta")    ? &a.meta
                           : !strcmp(o, "--set")     ? &a.set
                           : !strcmp(o, "--ddi")     ? &a.ddi
                           : !strcmp(o, "--patient") ? &a.patient
                           : !strcmp(o, "--out")     ? &a.out
                                                     : NULL;
        if (!dst)
            return mt_cli_fail("validate: unknown option '%s' (see medtwin validate --help)", o);
        if (i + 1 >= argc)
            return mt_cli_fail("validate: option %s needs a value", o);
        *dst = argv[++i];
    }
    if (a.ddi && (a.observed || a.meta || a.set))
        return mt_cli_fail("validate: give either --ddi or --observed/--meta, not both");
    if (a.observed && !a.meta)
        return mt_cli_fail("validate: --observed needs --meta FILE_meta.csv");
    if ((a.meta || a.set) && !a.observed)
        return mt_cli_fail("validate: --meta and --set need --observed FILE.csv");
    if (!a.ddi && !a.observed)
        return mt_cli_fail("validate: nothing to validate: give --observed FILE --meta FILE or "
                           "--ddi FILE (see medtwin validate --help)");
    runner R = {.a = &a, .weight_kg = NAN};
    char *default_patient = NULL;
    int rc = 0;
    if (mt_ctx_create(&R.ctx) != MT_OK)
        return mt_cli_fail("out of memory");
    R.person_path = a.patient ? a.patient : "data/validation/reference_adult_male.json";
    if (!a.patient)
        default_patient = xprintf("%s/validation/reference_adult_male.json", mt_data_dir());
    if (mt_profile_load(R.ctx, a.patient ? a.patient : default_patient, &R.person) != MT_OK)
        rc = mt_cli_fail("validate: --patient: %s", mt_errmsg(R.ctx));
    if (!rc)
        R.weight_kg = mt_profile_weight_kg(R.person);
    if (!rc && mt_twin_tables_load(R.ctx, NULL, &R.tables) != MT_OK)
        rc = mt_cli_fail("validate: %s", mt_errmsg(R.ctx));
    if (!rc && a.out)
        rc = make_dir(a.out);
    if (!rc)
        rc = a.ddi ? validate_ddi(&R) : validate_datasets(&R);
    mt_twin_tables_destroy(R.tables);
    mt_profile_destroy(R.person);
    mt_ctx_destroy(R.ctx);
    free(default_patient);
    return rc;
}
