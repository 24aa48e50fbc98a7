/* SPDX-License-Identifier: Apache-2.0
 *
 * twin/regimen.c — the regimen text parser (grammar in medtwin/regimen.h).
 * A tokenizer splits on blanks (and between a number and its unit, so
 * "500mg" equals "500 mg"); a small recursive-descent parser reads the
 * parts in order and expands the schedule into dose times. Every error
 * names the token at fault. Cost O(length + doses).
 */
#include "medtwin/regimen.h"

#include "util/util.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TOK 32

typedef struct {
    char tok[MAX_TOK][48];
    size_t n, i;
    const char *text;
    mt_ctx *ctx;
} lexer;

static int lex(lexer *L, const char *s)
{
    L->n = L->i = 0;
    while (*s) {
        while (*s && isspace((unsigned char)*s))
            s++;
        if (!*s)
            break;
        if (L->n == MAX_TOK)
            return -1;
        char *t = L->tok[L->n];
        size_t k = 0;
        int numeric = isdigit((unsigned char)*s) || *s == '.';
        while (*s && !isspace((unsigned char)*s)) {
            /* split "500mg" into "500" "mg", but keep "q12h", "5d" whole */
            if (numeric && k > 0 && isalpha((unsigned char)*s) &&
                !(strchr("dh", tolower((unsigned char)*s)) && !isalpha((unsigned char)s[1])))
                break;
            if (k + 1 >= sizeof L->tok[0])
                return -1;
            t[k++] = (char)tolower((unsigned char)*s++);
        }
        t[k] = '\0';
        L->n++;
    }
    return 0;
}

static const char *peek(const lexer *L) { return L->i < L->n ? L->tok[L->i] : NULL; }
static const char *next(lexer *L) { return L->i < L->n ? L->tok[L->i++] : NULL; }

static int number(const char *s, double *v)
{
    if (!s || !*s)
        return -1;
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    return (*end || errno || !isfinite(*v)) ? -1 : 0;
}

/* "min", "h", "d" (and long forms) to hours; -1 if unknown */
static double unit_hours(const char *u)
{
    if (!strcmp(u, "min") || !strcmp(u, "mins") || !strcmp(u, "minutes") || !strcmp(u, "minute"))
        return 1.0 / 60.0;
    if (!strcmp(u, "h") || !strcmp(u, "hr") || !strcmp(u, "hrs") || !strcmp(u, "hour") ||
        !strcmp(u, "hours"))
        return 1.0;
    if (!strcmp(u, "d") || !strcmp(u, "day") || !strcmp(u, "days"))
        return 24.0;
    return -1.0;
}

int mt_parse_duration_h(const char *text, double *hours)
{
    if (!text)
        return -1;
    char num[64], unit[32] = "";
    size_t k = 0;
    while (isspace((unsigned char)*text))
        text++;
    while (*text &&
           (isdigit((unsigned char)*text) || *text == '.' || *text == 'e' || *text == 'E' ||
            *text == '+' || *text == '-') &&
           k + 1 < sizeof num) {
        if ((*text == 'e' || *text == 'E') && !isdigit((unsigned char)text[1]) && text[1] != '-' &&
            text[1] != '+')
            break;
        num[k++] = *text++;
    }
    num[k] = '\0';
    while (isspace((unsigned char)*text))
        text++;
    k = 0;
    while (*text && !isspace((unsigned char)*text) && k + 1 < sizeof unit)
        unit[k++] = (char)tolower((unsigned char)*text++);
    unit[k] = '\0';
    while (isspace((unsigned char)*text))
        text++;
    double v, f = 1.0;
    if (*text || number(num, &v) != 0 || v < 0)
        return -1;
    if (*unit && (f = unit_hours(unit)) < 0)
        return -1;
    *hours = v * f;
    return 0;
}

/* The error naming the regimen and the token at fault; both as mt_shown() gives them (control
 * characters, such as a newline in the text, would break the one-line message). */
static mt_status bad(lexer *L, mt_status st, const char *what, const char *tok)
{
    char t[MT_SHOWN], k[MT_SHOWN];
    return mt_error(L->ctx, st, "regimen '%s': %s%s%s%s", mt_shown(L->text, t), what,
                    tok ? " '" : "", tok ? mt_shown(tok, k) : "", tok ? "'" : "");
}

/* "N unit" or "Nunit" as one token ("5d", "30min" lexed as "30" "min"). */
static int quantity(lexer *L, double *hours)
{
    const char *t = next(L);
    if (!t)
        return -1;
    double v;
    if (number(t, &v) == 0) {
        const char *u = peek(L);
        double f = u ? unit_hours(u) : -1;
        if (f < 0)
            return -1;
        next(L);
        *hours = v * f;
        return 0;
    }
    return mt_parse_duration_h(t, hours);
}

void mt_regimen_clear(mt_regimen *r)
{
    if (!r)
        return;
    free(r->doses);
    memset(r, 0, sizeof *r);
}

static mt_status parse(mt_ctx *ctx, const char *text, double until_h, double weight_kg,
                       mt_regimen *out);

mt_status mt_regimen_parse(mt_ctx *ctx, const char *text, double until_h, double weight_kg,
                           mt_regimen *out)
{
    mt_status st = parse(ctx, text, until_h, weight_kg, out);
    if (st != MT_OK)
        mt_regimen_clear(out); /* a failure leaves no partial result */
    return st;
}

static mt_status parse(mt_ctx *ctx, const char *text, double until_h, double weight_kg,
                       mt_regimen *out)
{
    memset(out, 0, sizeof *out);
    lexer L;
    L.ctx = ctx;
    L.text = text ? text : "";
    if (!text || !*text)
        return mt_error(ctx, MT_EINVAL, "regimen: empty text");
    if (strlen(text) > 512 || lex(&L, text) != 0)
        return mt_error(ctx, MT_ELIMIT, "regimen: text too long");
    /* drug */
    const char *t = next(&L);
    if (!t)
        return bad(&L, MT_EPARSE, "no drug", NULL);
    for (const char *c = t; *c; c++)
        if (!(isalnum((unsigned char)*c) || *c == '_' || *c == '-'))
            return bad(&L, MT_EPARSE, "not a drug name:", t);
    if (strlen(t) >= sizeof out->drug)
        return bad(&L, MT_EPARSE, "drug name too long:", t);
    snprintf(out->drug, sizeof out->drug, "%s", t);
    for (char *c = out->drug; *c; c++)
        if (*c == '-')
            *c = '_';
    /* dose and unit */
    double dose;
    t = next(&L);
    if (number(t, &dose) != 0)
        return bad(&L, MT_EPARSE, "expected a dose after the drug, got", t ? t : "end of text");
    if (!(dose > 0))
        return bad(&L, MT_EINVAL, "the dose must be positive, got", t);
    t = next(&L);
    if (!t)
        return bad(&L, MT_EPARSE, "no dose unit", NULL);
    double per_kg = 0, f;
    char unit[48];
    snprintf(unit, sizeof unit, "%s", t);
    char *slash = strchr(unit, '/');
    if (slash) {
        if (strcmp(slash, "/kg") != 0)
            return bad(&L, MT_EINVAL, "unknown dose unit", t);
        *slash = '\0';
        per_kg = 1;
    }
    if (!strcmp(unit, "mg"))
        f = 1.0;
    else if (!strcmp(unit, "g"))
        f = 1000.0;
    else if (!strcmp(unit, "ug") || !strcmp(unit, "mcg") || !strcmp(unit, "µg"))
        f = 1e-3;
    else
        return bad(&L, MT_EINVAL, "unknown dose unit (use g, mg, ug, or per kg)", t);
    dose *= f;
    if (per_kg) {
        if (!(weight_kg > 0))
            return bad(&L, MT_EINVAL, "a per-kg dose needs the body weight:", t);
        dose *= weight_kg;
    }
    out->dose_mg = dose;
    /* route */
    t = next(&L);
    if (!t)
        return bad(&L, MT_EPARSE, "no route (po, iv, ivinf over N min)", NULL);
    if (!strcmp(t, "po") || !strcmp(t, "oral")) {
        out->route = MT_DOSE_PO;
    } else if (!strcmp(t, "iv")) {
        out->route = MT_DOSE_IV_BOLUS;
    } else if (!strcmp(t, "ivinf")) {
        out->route = MT_DOSE_IV_INFUSION;
        t = next(&L);
        if (!t || strcmp(t, "over") != 0)
            return bad(&L, MT_EPARSE, "expected 'over N min' after ivinf, got",
                       t ? t : "end of text");
        if (quantity(&L, &out->duration_h) != 0 || !(out->duration_h > 0))
            return bad(&L, MT_EINVAL, "infusion duration must be a positive time (e.g. 30 min)",
                       NULL);
    } else {
        return bad(&L, MT_EINVAL, "unknown route (use po, iv, ivinf over N min):", t);
    }
    /* schedule */
    t = next(&L);
    if (!t)
        return bad(&L, MT_EPARSE, "no schedule (once or qNh)", NULL);
    if (!strcmp(t, "once")) {
        out->interval_h = 0;
    } else if (t[0] == 'q' && t[1]) {
        double h;
        if (mt_parse_duration_h(t + 1, &h) != 0 || !(h > 0))
            return bad(&L, MT_EINVAL, "bad dosing interval", t);
        if (!(h >= MT_REGIMEN_MIN_INTERVAL_H))
            return bad(&L, MT_EINVAL,
                       "dosing interval shorter than 1 min (give an infusion instead):", t);
        out->interval_h = h;
    } else {
        return bad(&L, MT_EPARSE, "unknown schedule (use once or qNh):", t);
    }
    /* options */
    double count = -1, span_h = -1;
    out->first_h = 0;
    while ((t = next(&L)) != NULL) {
        if (!strcmp(t, "x")) {
            const char *a = next(&L);
            double v;
            if (a && number(a, &v) == 0) {
                const char *u = peek(&L);
                if (u && (!strcmp(u, "doses") || !strcmp(u, "dose"))) {
                    next(&L);
                    if (!(v >= 1) || v != floor(v))
                        return bad(&L, MT_EINVAL, "dose count must be a whole number >= 1:", a);
                    count = v;
                } else if (u && unit_hours(u) > 0) {
                    next(&L);
                    span_h = v * unit_hours(u);
                } else {
                    return bad(&L, MT_EPARSE, "expected 'x N d' or 'x N doses' near", a);
                }
            } else if (a && mt_parse_duration_h(a, &v) == 0) {
                span_h = v;
            } else {
                return bad(&L, MT_EPARSE, "expected 'x N d' or 'x N doses' near",
                           a ? a : "end of text");
            }
            if (count < 0 && (!(span_h > 0) || !isfinite(span_h))) /* 'x N d' was given */
                return bad(&L, MT_EINVAL, "the duration of a course must be positive", NULL);
        } else if (!strcmp(t, "as")) {
            const char *a = next(&L);
            if (!a)
                return bad(&L, MT_EPARSE, "expected a formulation after 'as'", NULL);
            for (const char *c = a; *c; c++)
                if (!(islower((unsigned char)*c) || isdigit((unsigned char)*c) || *c == '_'))
                    return bad(&L, MT_EPARSE, "not a formulation name ([a-z0-9_]):", a);
            if (out->route != MT_DOSE_PO)
                return bad(&L, MT_EINVAL, "a formulation ('as') is for oral doses only:", a);
            if (out->formulation[0])
                return bad(&L, MT_EPARSE, "a second formulation:", a);
            snprintf(out->formulation, sizeof out->formulation, "%s", a);
        } else if (!strcmp(t, "at")) {
            if (quantity(&L, &out->first_h) != 0)
                return bad(&L, MT_EPARSE, "expected 'at T h' (a time)", NULL);
            if (!(out->first_h >= 0) || !isfinite(out->first_h))
                return bad(&L, MT_EINVAL, "the first dose ('at') must be at a time >= 0", NULL);
        } else {
            return bad(&L, MT_EPARSE, "unexpected", t);
        }
    }
    /* expand */
    double nd; /* the dose count as a double: checked against the limit before any cast */
    if (out->interval_h == 0) {
        if (count > 1)
            return bad(&L, MT_EINVAL, "'once' with a dose count above 1", NULL);
        nd = 1;
    } else if (count > 0) {
        nd = count;
    } else {
        double span = span_h > 0 ? span_h : until_h - out->first_h;
        if (!(span > 0))
            return bad(&L, MT_EINVAL, "the first dose is after the end of the simulation", NULL);
        nd = ceil(span / out->interval_h - 1e-9);
        if (!(nd >= 1))
            nd = 1;
    }
    if (!(nd <= MT_REGIMEN_MAX_DOSES))
        return bad(&L, MT_ELIMIT, "too many doses (more than 100000)", NULL);
    /* the last dose (and so every one) within the time limit */
    if (!(out->first_h + (nd - 1) * out->interval_h <= MT_REGIMEN_MAX_TIME_H))
        return bad(&L, MT_ELIMIT, "a dose later than 200 years after time 0", NULL);
    size_t n = (size_t)nd;
    out->doses = calloc(n, sizeof *out->doses);
    if (!out->doses)
        return mt_error(ctx, MT_ENOMEM, "out of memory");
    for (size_t k = 0; k < n; k++) {
        out->doses[k].time_h = out->first_h + (double)k * out->interval_h;
        out->doses[k].amount_mg = out->dose_mg;
        out->doses[k].route = out->route;
        out->doses[k].duration_h = out->duration_h;
    }
    out->n_doses = n;
    return MT_OK;
}
