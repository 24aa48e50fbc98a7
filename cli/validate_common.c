/* SPDX-License-Identifier: Apache-2.0
 *
 * cli/validate_common.c — helpers of `medtwin validate` (cli/validate_cli.h): the twin of one
 * row, cell and number parsing, CSV/Markdown writing, and the tally of "not predicted"
 * reasons with their short form for the report's tables.
 */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"
#include "validate_cli.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Drug card name of a molecule name: lower case, spaces and '-' as '_'. 0 if it cannot be
 * one (other characters, too long). */
int mt_vld_card_name(const char *molecule, char *out, size_t cap)
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

int mt_vld_ieq(const char *a, const char *b)
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
int mt_vld_need_col(const mt_csv *t, const char *file, const char *opt, const char *name, int *rc)
{
    int j = mt_csv_col(t, name);
    if (j < 0 && !*rc)
        *rc = mt_cli_fail("%s %s: no column '%s'", opt, file, name);
    return j;
}

const char *mt_vld_cell(const mt_csv *t, size_t row, int col)
{
    return col >= 0 ? mt_csv_cell(t, row, (size_t)col) : "";
}

/* A number from a cell; "" or anything else is NaN. */
double mt_vld_num(const char *s)
{
    double v;
    return *s && !mt_cli_parse_double(s, &v) ? v : NAN;
}

/* A ';'-separated list of numbers. Returns the count (0 for ""), -1 if an item is not a
 * number or there are more than cap. */
long mt_vld_num_list(const char *s, double *out, size_t cap)
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

char *mt_vld_strdup(const char *s)
{
    char *d = strdup(s ? s : "");
    if (!d) {
        fputs("medtwin: out of memory\n", stderr);
        exit(1);
    }
    return d;
}

char *mt_vld_printf(const char *fmt, ...)
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
void mt_vld_csv_str(FILE *f, const char *s) { mt_csv_put_cell(f, s); }

void mt_vld_csv_num(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, "%.6g", v);
}

/* Markdown table cell text: '|' and newlines would break the table. */
void mt_vld_md_str(FILE *f, const char *s)
{
    for (s = s ? s : ""; *s; s++)
        fputs(*s == '|' ? "\\|" : *s == '\n' ? " " : (char[2]){*s, 0}, f);
}

const char *mt_vld_fmt(char *buf, size_t cap, double v)
{
    if (!isfinite(v))
        snprintf(buf, cap, "–");
    else
        snprintf(buf, cap, "%.4g", v);
    return buf;
}

/* ---------- shared run state ---------- */

long mt_vld_grid_steps(double until_h)
{
    double n = ceil(until_h / MT_VLD_GRID_H);
    return n < (double)MT_VLD_GRID_MAX ? (long)n : MT_VLD_GRID_MAX;
}

/* A one-drug or two-drug prediction, with the hepatic interactions the cards describe;
 * *why gets the reason when it cannot be made (the twin's message). Returns the predictor
 * (ready to run) or NULL. */
mt_predictor *mt_vld_predictor(mt_vld_runner *R, size_t n, const mt_regimen *reg, char **why)
{
    mt_predictor *p = NULL;
    if (mt_predictor_create_ddi(R->ctx, R->tables, n, reg, NULL, &p) != MT_OK ||
        mt_predictor_derive(p, R->tables, R->person, NULL) != MT_OK ||
        mt_predictor_check(p) != MT_OK) {
        *why = mt_vld_strdup(mt_errmsg(R->ctx));
        mt_predictor_destroy(p);
        return NULL;
    }
    return p;
}

/* A regimen of n doses of one drug. */
int mt_vld_regimen(mt_regimen *r, const char *drug, mt_dose_route route, size_t n,
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

int mt_vld_make_dir(const char *dir)
{
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return mt_cli_fail("--out %s: %s", dir, strerror(errno));
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return mt_cli_fail("--out %s: not a folder", dir);
    return 0;
}

int mt_vld_write_file(const char *dir, const char *name, const char *text)
{
    char *path = mt_vld_printf("%s/%s", dir, name);
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
        return strlen(why) > 160 ? mt_vld_printf("%.157s...", why) : mt_vld_strdup(why);
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    if (!f)
        return mt_vld_strdup(why);
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
    return out ? out : mt_vld_strdup(why);
}

/* Returns the reason's number (1-based). */
size_t mt_vld_tally_add(mt_vld_tally *t, const char *why)
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
    t->example[t->n] = mt_vld_strdup(why);
    t->count[t->n++] = 1;
    return t->n;
}

void mt_vld_tally_write(FILE *f, const mt_vld_tally *t)
{
    for (size_t i = 0; i < t->n; i++) {
        fprintf(f, "- **R%zu** (%zu): ", i + 1, t->count[i]);
        mt_vld_md_str(f, t->reason[i]);
        fputc('\n', f);
    }
    if (t->n) {
        fputs("\n<details><summary>The first message of each reason in full (every row's "
              "message is in results.csv)</summary>\n\n",
              f);
        for (size_t i = 0; i < t->n; i++) {
            fprintf(f, "- **R%zu**: ", i + 1);
            mt_vld_md_str(f, t->example[i]);
            fputc('\n', f);
        }
        fputs("\n</details>\n", f);
    }
}

void mt_vld_tally_free(mt_vld_tally *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->reason[i]);
        free(t->example[i]);
    }
    t->n = 0;
}

void mt_vld_summary_md(FILE *f, const char *what, const mt_fold_summary *s)
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
void mt_vld_fold_curves(mt_plot_curve *c, double *lx, double *y)
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

void mt_vld_reasons_md(FILE *g, mt_vld_tally *t)
{
    fprintf(g, "\nReasons (the twin's own messages, shortened to the drug card fields they "
               "name):\n\n");
    mt_vld_tally_write(g, t);
    mt_vld_tally_free(t);
}

int mt_vld_write_reports(const char *out, int ok, char *csv, char *md)
{
    int rc = 0;
    if (!ok || !csv || !md)
        rc = mt_cli_fail("out of memory");
    if (!rc)
        rc = mt_vld_write_file(out, "results.csv", csv);
    if (!rc)
        rc = mt_vld_write_file(out, "report.md", md);
    free(csv);
    free(md);
    return rc;
}

int mt_vld_runner_open(mt_vld_runner *R, const mt_vld_args *a)
{
    memset(R, 0, sizeof *R);
    R->a = a;
    R->weight_kg = NAN;
    if (mt_ctx_create(&R->ctx) != MT_OK)
        return mt_cli_fail("out of memory");
    R->person_path = a->patient ? a->patient : "data/validation/reference_adult_male.json";
    char *default_patient =
        a->patient ? NULL : mt_vld_printf("%s/validation/reference_adult_male.json", mt_data_dir());
    int rc = 0;
    if (mt_profile_load(R->ctx, a->patient ? a->patient : default_patient, &R->person) != MT_OK)
        rc = mt_cli_fail("validate: --patient: %s", mt_errmsg(R->ctx));
    free(default_patient);
    if (!rc)
        R->weight_kg = mt_profile_weight_kg(R->person);
    if (!rc && mt_twin_tables_load(R->ctx, NULL, &R->tables) != MT_OK)
        rc = mt_cli_fail("validate: %s", mt_errmsg(R->ctx));
    if (!rc && a->out)
        rc = mt_vld_make_dir(a->out);
    return rc;
}

void mt_vld_runner_close(mt_vld_runner *R)
{
    mt_csv_destroy(R->ddi_forms);
    R->ddi_forms = NULL;
    mt_twin_tables_destroy(R->tables);
    mt_profile_destroy(R->person);
    mt_ctx_destroy(R->ctx);
    R->tables = NULL;
    R->person = NULL;
    R->ctx = NULL;
}

void mt_vld_report_head(FILE *g, const mt_vld_runner *R, const char *title, const char *from)
{
    fprintf(g, "# %s\n\nGenerated by %s; the person: `%s`. Method: [README](%s).\n\n", title,
            R->a->source_note ? R->a->source_note : from, R->person_path,
            R->a->source_note ? "../../validation/README.md" : "../README.md");
}
