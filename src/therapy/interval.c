/* SPDX-License-Identifier: Apache-2.0
 *
 * therapy/interval.c — the population prediction interval around a person's twin
 * (medtwin/interval.h, docs/interval.md).
 *
 * Virtual person k: twin k of a cohort (medtwin/cohort.h) drawn for the person's sex and an
 * age band around theirs, with every field the person's profile states laid over it (the
 * person's genotypes over the drawn ones, gene by gene). Its twin is derived and run on the
 * caller's predictor; the interval's ends are the nearest-rank quantiles of the people's
 * values at each output time and of each exposure metric.
 */
#include "medtwin/interval.h"
#include "medtwin/cohort.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MT_INTERVAL_MAX_PEOPLE 100000

void mt_interval_clear(mt_interval *r)
{
    if (!r)
        return;
    for (size_t d = 0; r->drugs && d < r->n_drugs; d++) {
        free(r->drugs[d].lo);
        free(r->drugs[d].median);
        free(r->drugs[d].hi);
    }
    free(r->drugs);
    memset(r, 0, sizeof *r);
}

/* The person's fields over the drawn person's (genotypes merged gene by gene). Notes in
 * drawn[] the fields and in genes[] (comma-separated) the genes the person lacks (first person
 * only: drawn != NULL; both cap bytes). */
static json_t *overlay(json_t *virt, json_t *person, char *drawn, char *genes, size_t cap)
{
    json_t *out = json_deep_copy(virt);
    if (!out)
        return NULL;
    const char *key;
    json_t *v;
    json_object_foreach(person, key, v)
    {
        json_t *mine = json_object_get(out, key);
        if (!strcmp(key, "genotypes") && json_is_object(v) && json_is_object(mine)) {
            if (json_object_update(mine, v) != 0)
                goto fail;
        } else if (!strcmp(key, "id")) {
            continue; /* the virtual person keeps its own pseudonym */
        } else if (json_object_set(out, key, v) != 0) {
            goto fail;
        }
    }
    if (drawn) {
        json_object_foreach(virt, key, v)
        {
            if (!strcmp(key, "id") || !strcmp(key, "sex") || !strcmp(key, "age_years"))
                continue;
            if (!strcmp(key, "genotypes") && json_is_object(v)) {
                json_t *pg = json_object_get(person, "genotypes");
                const char *gene;
                json_t *g;
                json_object_foreach(v, gene, g)
                {
                    if (!json_object_get(pg, gene)) {
                        size_t n = strlen(genes);
                        snprintf(genes + n, cap - n, "%s%s", n ? "," : "", gene);
                    }
                }
            } else if (!json_object_get(person, key)) {
                size_t n = strlen(drawn);
                snprintf(drawn + n, cap - n, "%s%s", n ? ", " : "", key);
            }
        }
    }
    return out;
fail:
    json_decref(out);
    return NULL;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    if (isnan(x) || isnan(y))
        return isnan(x) - isnan(y); /* NaN last */
    return (x > y) - (x < y);
}

/* Nearest-rank quantiles of the finite values among v[0..n-1] (sorted in place): the lower and
 * upper ends of the central `level` share and the median. All NaN when none is finite. */
static mt_interval_metric quantiles(double *v, size_t n, double level)
{
    mt_interval_metric m = {NAN, NAN, NAN};
    qsort(v, n, sizeof *v, cmp_double);
    while (n > 0 && isnan(v[n - 1]))
        n--;
    if (n == 0)
        return m;
    double a = (1.0 - level) / 2.0;
    size_t lo = (size_t)ceil(a * (double)n), hi = (size_t)ceil((1.0 - a) * (double)n);
    size_t mid = (size_t)ceil(0.5 * (double)n);
    m.lo = v[lo ? lo - 1 : 0];
    m.median = v[mid ? mid - 1 : 0];
    m.hi = v[hi ? hi - 1 : 0];
    return m;
}

static mt_status check_options(mt_ctx *ctx, const mt_interval_options *io, mt_interval_options *o)
{
    *o = io ? *io : (mt_interval_options){0};
    if (o->n == 0)
        o->n = 200;
    if (o->level == 0)
        o->level = 0.90;
    if (o->seed == 0)
        o->seed = 1;
    if (o->half_width == 0)
        o->half_width = 2.5;
    if (!o->population)
        o->population = "european";
    if (o->n < 2 || o->n > MT_INTERVAL_MAX_PEOPLE)
        return mt_error(ctx, MT_EINVAL, "interval: %zu virtual people (2 to %d)", o->n,
                        MT_INTERVAL_MAX_PEOPLE);
    if (!(o->level > 0 && o->level < 1))
        return mt_error(ctx, MT_EINVAL, "interval: level %g is not between 0 and 1 (e.g. 0.9)",
                        o->level);
    if (!(o->half_width > 0 && o->half_width <= 50))
        return mt_error(ctx, MT_EINVAL, "interval: age half-width %g years (0 to 50)",
                        o->half_width);
    return MT_OK;
}

/* The cohort options for people like this person: their sex, an age band around theirs. */
static mt_status cohort_for(mt_ctx *ctx, const mt_population *pop, const mt_profile *person,
                            double half_width, mt_cohort_options *co)
{
    double lo, hi, age = mt_profile_age_years(person);
    mt_population_age_range(pop, &lo, &hi);
    mt_cohort_options_default(co);
    co->female = mt_profile_sex(person) == MT_SEX_FEMALE ? 1.0 : 0.0;
    co->age_lo = fmax(lo, age - half_width);
    co->age_hi = fmin(hi, age + half_width);
    if (!(co->age_lo < co->age_hi))
        return mt_error(ctx, MT_EINVAL,
                        "interval: age %g years is outside the population's tables (%g-%g years)",
                        age, lo, hi);
    return mt_cohort_check(pop, ctx, co);
}

/* Virtual person k's twin, derived and run: res filled. */
static mt_status run_one(mt_ctx *ctx, mt_predictor *p, const mt_twin_tables *t,
                         const mt_population *pop, const mt_cohort_options *co, uint64_t seed,
                         size_t k, json_t *person, const mt_predict_options *o,
                         mt_interval_apply_fn apply, void *ud, char *drawn, size_t cap,
                         mt_prediction *res)
{
    char *text = NULL;
    mt_status st = mt_cohort_twin(pop, ctx, co, seed, (uint64_t)k, &text);
    if (st != MT_OK)
        return st;
    json_error_t je;
    json_t *virt = json_loads(text, 0, &je);
    free(text);
    char genes[512] = "";
    json_t *merged =
        virt ? overlay(virt, person, drawn, genes, cap < sizeof genes ? cap : sizeof genes) : NULL;
    json_decref(virt);
    char *mtext = merged ? json_dumps(merged, JSON_COMPACT) : NULL;
    json_decref(merged);
    if (!mtext)
        return mt_error(ctx, MT_ENOMEM, "out of memory");
    mt_profile *vp = NULL;
    st = mt_profile_parse_json(ctx, mtext, strlen(mtext), &vp);
    free(mtext);
    if (st == MT_OK)
        st = mt_predictor_derive(p, t, vp, NULL);
    if (st == MT_OK && drawn) {
        /* the drawn genes the twin uses: named in a parameter's derivation */
        const mt_twin_param_list *tw = mt_predictor_twin(p);
        for (char *g = genes; *g;) {
            char *end = strchr(g, ',');
            size_t len = end ? (size_t)(end - g) : strlen(g);
            char gene[64];
            snprintf(gene, sizeof gene, "%.*s", (int)len, g);
            int used = 0;
            for (size_t i = 0; i < tw->n_params && !used; i++)
                used = tw->params[i].provenance && strstr(tw->params[i].provenance, gene);
            if (used) {
                size_t n = strlen(drawn);
                snprintf(drawn + n, cap - n, "%sgenotype %.*s", n ? ", " : "", (int)len, g);
            }
            g += len + (end ? 1 : 0);
        }
    }
    if (st == MT_OK && apply)
        st = apply(ud, p);
    if (st == MT_OK)
        st = mt_predictor_run(p, o, res);
    mt_profile_destroy(vp);
    if (st != MT_OK && st != MT_ENOMEM) {
        char msg[400];
        snprintf(msg, sizeof msg, "%s", mt_errmsg(ctx));
        return mt_error(ctx, st, "interval: virtual person %zu: %s", k, msg);
    }
    return st;
}

/* Per drug, per time (or metric), the people's values: vals[(d * n_cols + c) * n + k]. */
static mt_status fill(mt_interval *out, const mt_prediction *first, const double *vals, size_t n,
                      double level)
{
    size_t nt = first->n_times, nd = first->n_drugs, ncol = nt + 4;
    double *col = malloc(n * sizeof *col);
    out->drugs = calloc(nd, sizeof *out->drugs);
    if (!col || !out->drugs) {
        free(col);
        return MT_ENOMEM;
    }
    out->n_drugs = nd;
    out->n_times = nt;
    for (size_t d = 0; d < nd; d++) {
        mt_interval_drug *g = &out->drugs[d];
        snprintf(g->drug, sizeof g->drug, "%s", first->drugs[d].drug);
        g->lo = malloc(nt * sizeof *g->lo);
        g->median = malloc(nt * sizeof *g->median);
        g->hi = malloc(nt * sizeof *g->hi);
        if (!g->lo || !g->median || !g->hi) {
            free(col);
            return MT_ENOMEM;
        }
        for (size_t c = 0; c < ncol; c++) {
            memcpy(col, vals + (d * ncol + c) * n, n * sizeof *col);
            mt_interval_metric m = quantiles(col, n, level);
            if (c < nt) {
                g->lo[c] = m.lo;
                g->median[c] = m.median;
                g->hi[c] = m.hi;
            } else {
                mt_interval_metric *dst[4] = {&g->auc_0_24, &g->auc_0_last, &g->cmax, &g->ctrough};
                *dst[c - nt] = m;
            }
        }
    }
    free(col);
    return MT_OK;
}

mt_status mt_predict_interval(mt_ctx *ctx, mt_predictor *p, const mt_twin_tables *t,
                              const mt_profile *person, const mt_predict_options *o,
                              const mt_interval_options *io, mt_interval_apply_fn apply,
                              void *apply_ud, mt_interval *out)
{
    if (!out)
        return mt_error(ctx, MT_EINVAL, "interval: no result");
    mt_interval_clear(out);
    if (!p || !person)
        return mt_error(ctx, MT_EINVAL, "interval: no predictor or no person");
    mt_interval_options opt;
    mt_status st = check_options(ctx, io, &opt);
    if (st != MT_OK)
        return st;
    mt_population *pop = NULL;
    mt_twin_tables *own = NULL;
    json_t *pj = NULL;
    double *vals = NULL;
    mt_prediction res = {0}, first = {0};
    char *ptext = NULL;
    if ((st = mt_population_load(ctx, NULL, opt.population, &pop)) != MT_OK)
        goto done;
    if (!t && (st = mt_twin_tables_load(ctx, NULL, &own)) != MT_OK)
        goto done;
    mt_cohort_options co;
    if ((st = cohort_for(ctx, pop, person, opt.half_width, &co)) != MT_OK)
        goto done;
    if ((st = mt_profile_to_json(ctx, person, &ptext)) != MT_OK)
        goto done;
    json_error_t je;
    if (!(pj = json_loads(ptext, 0, &je))) {
        st = mt_error(ctx, MT_ENOMEM, "out of memory");
        goto done;
    }
    size_t n = opt.n, ncol = 0, nd = 0, nt = 0;
    for (size_t k = 0; k < n; k++) {
        mt_prediction *r = k == 0 ? &first : &res;
        st = run_one(ctx, p, t ? t : own, pop, &co, opt.seed, k, pj, o, apply, apply_ud,
                     k == 0 ? out->drawn : NULL, sizeof out->drawn, r);
        if (st != MT_OK)
            goto done;
        if (k == 0) {
            nd = first.n_drugs;
            nt = first.n_times;
            ncol = nt + 4;
            vals = malloc(nd * ncol * n * sizeof *vals);
            if (!vals) {
                st = mt_error(ctx, MT_ENOMEM, "out of memory");
                goto done;
            }
        } else if (res.n_drugs != nd || res.n_times != nt) {
            st = mt_error(ctx, MT_EINVAL, "interval: virtual person %zu has another grid", k);
            goto done;
        }
        for (size_t d = 0; d < nd; d++) {
            const mt_predicted_drug *g = &r->drugs[d];
            double *base = vals + d * ncol * n;
            for (size_t i = 0; i < nt; i++)
                base[i * n + k] = g->conc_mg_l[i];
            const double m[4] = {g->exposure.auc_0_24, g->exposure.auc_0_last, g->exposure.cmax,
                                 g->exposure.ctrough};
            for (size_t j = 0; j < 4; j++)
                base[(nt + j) * n + k] = m[j];
        }
        if (k > 0)
            mt_prediction_clear(&res);
    }
    out->level = opt.level;
    out->n_people = n;
    if (fill(out, &first, vals, n, opt.level) != MT_OK)
        st = mt_error(ctx, MT_ENOMEM, "out of memory");
done:
    if (st != MT_OK)
        mt_interval_clear(out);
    mt_prediction_clear(&res);
    mt_prediction_clear(&first);
    free(vals);
    free(ptext);
    json_decref(pj);
    mt_twin_tables_destroy(own);
    mt_population_destroy(pop);
    return st;
}
