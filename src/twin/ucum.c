/* SPDX-License-Identifier: Apache-2.0
 *
 * twin/ucum.c — a strict subset of UCUM for patient data (see ucum.h).
 *
 * A unit is "A" or "A/B" where A and B are atoms with an optional metric prefix, or a lone curly
 * annotation ("{INR}", meaning 1), or "1". Atoms and their values follow the UCUM specification
 * (Schadow & McDonald, The Unified Code for Units of Measure, Regenstrief Institute, v2.1):
 *   g  m  L (= l = dm3)  mol  s  min  h  d  wk  a (= a_j = 365.25 d)  mo (= mo_j = a_j/12)
 *   [lb_av] = 453.59237 g   [oz_av] = [lb_av]/16   [in_i] = 2.54 cm   [ft_i] = 12 [in_i]
 * Metric prefixes k, d, c, m, u, n, p apply to g, m, L, l, mol and s only. Everything else
 * (exponents, "10*3", brackets other than the four above, "%") is refused, so that a unit this
 * code does not understand can never be converted wrongly. Cost: O(length of the code).
 *
 * Molar masses: the analyte table holds molecular formulas (PubChem compound records) and the
 * mass is computed from them with the IUPAC standard atomic weights (abridged, conventional
 * values: CIAAW, Standard atomic weights of the elements 2021, Pure Appl. Chem. 2022), so that
 * no mass is typed by hand. Creatinine C4H7N3O gives 113.12 g/mol (PubChem CID 588: 113.12).
 */
#include "twin/ucum.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

enum { DIM_M, DIM_L, DIM_T, DIM_N };

typedef struct {
    const char *code;
    double factor; /* to g, m, s, mol */
    signed char dim[4];
    int metric; /* takes a prefix */
} atom;

#define YEAR_S (365.25 * 86400.0)
static const atom atoms[] = {
    {"g", 1.0, {1, 0, 0, 0}, 1},
    {"m", 1.0, {0, 1, 0, 0}, 1},
    {"L", 1e-3, {0, 3, 0, 0}, 1},
    {"l", 1e-3, {0, 3, 0, 0}, 1},
    {"mol", 1.0, {0, 0, 0, 1}, 1},
    {"s", 1.0, {0, 0, 1, 0}, 1},
    {"min", 60.0, {0, 0, 1, 0}, 0},
    {"h", 3600.0, {0, 0, 1, 0}, 0},
    {"d", 86400.0, {0, 0, 1, 0}, 0},
    {"wk", 7 * 86400.0, {0, 0, 1, 0}, 0},
    {"a", YEAR_S, {0, 0, 1, 0}, 0},
    {"mo", YEAR_S / 12.0, {0, 0, 1, 0}, 0},
    {"[lb_av]", 453.59237, {1, 0, 0, 0}, 0},
    {"[oz_av]", 453.59237 / 16.0, {1, 0, 0, 0}, 0},
    {"[in_i]", 0.0254, {0, 1, 0, 0}, 0},
    {"[ft_i]", 12 * 0.0254, {0, 1, 0, 0}, 0},
};

static const struct {
    char c;
    double f;
} prefixes[] = {{'k', 1e3},  {'d', 1e-1}, {'c', 1e-2}, {'m', 1e-3},
                {'u', 1e-6}, {'n', 1e-9}, {'p', 1e-12}};

/* One atom with an optional prefix, text[0..n). A whole-atom match wins over prefix + atom,
 * so "min" is the minute, "mo" the month, "d" the day and "m" the metre. */
static int parse_atom(const char *text, size_t n, mt_ucum_unit *u)
{
    for (size_t pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < sizeof atoms / sizeof atoms[0]; i++) {
            const atom *a = &atoms[i];
            size_t len = strlen(a->code);
            double pf = 1.0;
            if (pass == 0) {
                if (len != n || memcmp(a->code, text, n) != 0)
                    continue;
            } else {
                if (!a->metric || len + 1 != n || memcmp(a->code, text + 1, len) != 0)
                    continue;
                size_t k;
                for (k = 0; k < sizeof prefixes / sizeof prefixes[0]; k++)
                    if (prefixes[k].c == text[0])
                        break;
                if (k == sizeof prefixes / sizeof prefixes[0])
                    continue;
                pf = prefixes[k].f;
            }
            u->factor = pf * a->factor;
            memcpy(u->dim, a->dim, sizeof u->dim);
            return 1;
        }
    }
    return 0;
}

static int is_annotation(const char *s)
{
    size_t n = strlen(s);
    if (n < 2 || s[0] != '{' || s[n - 1] != '}')
        return 0;
    for (size_t i = 1; i + 1 < n; i++)
        if (s[i] == '{' || s[i] == '}' || !isprint((unsigned char)s[i]))
            return 0;
    return 1;
}

mt_status mt_ucum_parse(mt_ctx *ctx, const char *field, const char *code, mt_ucum_unit *out)
{
    memset(out, 0, sizeof *out);
    out->factor = 1.0;
    if (!code || !*code)
        return mt_error(ctx, MT_EINVAL, "%s: missing unit", field);
    if (strcmp(code, "1") == 0 || is_annotation(code))
        return MT_OK;
    size_t n = strlen(code);
    const char *slash = memchr(code, '/', n);
    mt_ucum_unit num, den = {1.0, {0, 0, 0, 0}};
    int ok;
    if (slash)
        ok = parse_atom(code, (size_t)(slash - code), &num) &&
             parse_atom(slash + 1, n - (size_t)(slash - code) - 1, &den);
    else
        ok = parse_atom(code, n, &num);
    if (!ok)
        return mt_error(ctx, MT_EINVAL,
                        "%s: unknown unit '%.64s' (UCUM codes accepted: kg, g, [lb_av], cm, m, "
                        "[in_i], mg/dL, g/dL, g/L, mg/L, ug/mL, ng/mL, umol/L, a, mo, h, {INR}, "
                        "...; see docs/profile.md)",
                        field, code);
    out->factor = num.factor / den.factor;
    for (int i = 0; i < 4; i++)
        out->dim[i] = (signed char)(num.dim[i] - den.dim[i]);
    return MT_OK;
}

int mt_ucum_same(const mt_ucum_unit *a, const mt_ucum_unit *b)
{
    if (memcmp(a->dim, b->dim, sizeof a->dim) != 0)
        return 0;
    return fabs(a->factor - b->factor) <= 1e-12 * fabs(b->factor);
}

static void describe(const mt_ucum_unit *u, char *buf, size_t n)
{
    static const char *names[4] = {"g", "m", "s", "mol"};
    size_t w = 0;
    buf[0] = '\0';
    for (int i = 0; i < 4 && w < n; i++) {
        if (!u->dim[i])
            continue;
        int k = snprintf(buf + w, n - w, "%s%s^%d", w ? "." : "", names[i], u->dim[i]);
        if (k < 0)
            break;
        w += (size_t)k;
    }
    if (!buf[0])
        snprintf(buf, n, "1");
}

mt_status mt_ucum_convert(mt_ctx *ctx, const char *field, double value, const char *from,
                          const char *to, double molar_mass_g_mol, double *out)
{
    mt_ucum_unit uf, ut;
    mt_status st = mt_ucum_parse(ctx, field, from, &uf);
    if (st == MT_OK)
        st = mt_ucum_parse(ctx, field, to, &ut);
    if (st != MT_OK)
        return st;
    double v = value * uf.factor;
    signed char d[4];
    memcpy(d, uf.dim, sizeof d);
    /* amount <-> mass through the molar mass: g = mol * (g/mol) */
    if (d[DIM_N] != ut.dim[DIM_N] && d[DIM_N] + d[DIM_M] == ut.dim[DIM_N] + ut.dim[DIM_M]) {
        if (!(molar_mass_g_mol > 0))
            return mt_error(ctx, MT_EINVAL,
                            "%s: cannot convert '%.64s' to '%.64s' without the molar mass of "
                            "the substance, which medtwin does not know; give it in a mass unit",
                            field, from, to);
        int k = d[DIM_N] - ut.dim[DIM_N]; /* > 0: mol to g */
        v *= pow(molar_mass_g_mol, k);
        d[DIM_M] = (signed char)(d[DIM_M] + k);
        d[DIM_N] = (signed char)(d[DIM_N] - k);
    }
    if (memcmp(d, ut.dim, sizeof d) != 0) {
        char a[64], b[64];
        describe(&uf, a, sizeof a);
        describe(&ut, b, sizeof b);
        return mt_error(ctx, MT_EINVAL,
                        "%s: unit '%.64s' (%s) is not convertible to '%.64s' (%s): wrong kind of "
                        "quantity",
                        field, from, a, to, b);
    }
    *out = v / ut.factor;
    return MT_OK;
}

/* IUPAC/CIAAW 2021 abridged standard atomic weights (conventional values where an interval is
 * given: H, C, N, O, S, Cl, Br). */
static const struct {
    const char *sym;
    double w;
} elements[] = {{"H", 1.008},   {"C", 12.011}, {"N", 14.007},  {"O", 15.999},
                {"F", 18.998},  {"P", 30.974}, {"S", 32.06},   {"Cl", 35.45},
                {"Br", 79.904}, {"I", 126.90}, {"Na", 22.990}, {"K", 39.098}};

double mt_ucum_formula_mass(const char *f)
{
    double m = 0;
    if (!f || !*f)
        return 0;
    while (*f) {
        if (!isupper((unsigned char)*f))
            return 0;
        size_t len = islower((unsigned char)f[1]) ? 2 : 1;
        double w = 0;
        for (size_t i = 0; i < sizeof elements / sizeof elements[0]; i++)
            if (strlen(elements[i].sym) == len && memcmp(elements[i].sym, f, len) == 0)
                w = elements[i].w;
        if (w == 0)
            return 0;
        f += len;
        long count = 0;
        while (isdigit((unsigned char)*f) && count < 100000)
            count = count * 10 + (*f++ - '0');
        m += w * (double)(count ? count : 1);
    }
    return m;
}

/* Molecular formulas from the PubChem compound records of each substance (Hill notation). */
static const struct {
    const char *name, *formula;
} analytes[] = {
    {"caffeine", "C8H10N4O2"},         {"clarithromycin", "C38H69NO13"},
    {"clopidogrel", "C16H16ClNO2S"},   {"codeine", "C18H21NO3"},
    {"creatinine", "C4H7N3O"},         {"fluconazole", "C13H12F2N6O"},
    {"fluvoxamine", "C15H21F3N2O2"},   {"itraconazole", "C35H38Cl2N8O4"},
    {"ketoconazole", "C26H28Cl2N4O4"}, {"metoprolol", "C15H25NO3"},
    {"midazolam", "C18H13ClFN3"},      {"morphine", "C17H19NO3"},
    {"omeprazole", "C17H19N3O3S"},     {"paroxetine", "C19H20FNO3"},
    {"r-warfarin", "C19H16O4"},        {"rifampicin", "C43H58N4O12"},
    {"s-warfarin", "C19H16O4"},        {"simvastatin", "C25H38O5"},
    {"tacrolimus", "C44H69NO12"},      {"theophylline", "C7H8N4O2"},
    {"warfarin", "C19H16O4"},
};

const char *mt_ucum_analyte_at(size_t i, const char **formula)
{
    if (i >= sizeof analytes / sizeof analytes[0])
        return NULL;
    if (formula)
        *formula = analytes[i].formula;
    return analytes[i].name;
}

double mt_ucum_molar_mass(const char *analyte)
{
    if (!analyte)
        return 0;
    for (size_t i = 0; i < sizeof analytes / sizeof analytes[0]; i++)
        if (strcmp(analytes[i].name, analyte) == 0)
            return mt_ucum_formula_mass(analytes[i].formula);
    return 0;
}
