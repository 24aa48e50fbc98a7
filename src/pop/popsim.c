/* SPDX-License-Identifier: Apache-2.0
 *
 * pop/popsim.c — population simulation (medtwin/population.h): chunks of twins on a pool of
 * threads, each twin's PBPK prediction and risk check reduced into integer histograms and
 * counts, committed in chunk order, checkpointed atomically.
 *
 * The state is one array of uint64 counts (so that MPI can sum it, and a checkpoint is that
 * array): for every drug d, metric m and group g a histogram of NB bins; then per group the
 * twins in it; then the cohort counts (sex, conditions), the warnings by kind and severity
 * and per drug the therapeutic-window counts. Groups: 0 is everyone; then for each gene of
 * the population its phenotypes (every phenotype the population's alleles can give, found up
 * front by calling the phenotype rules on every allele pair) and one "other" (no genotype, or
 * one from a cohort file outside the table).
 */
#define _POSIX_C_SOURCE 200809L
#include "medtwin/data.h"
#include "medtwin/drugcard.h"
#include "medtwin/pgx.h"
#include "medtwin/plot.h"
#include "medtwin/population.h"
#include "medtwin/predict.h"
#include "medtwin/profile.h"
#include "medtwin/regimen.h"
#include "medtwin/risk.h"
#include "medtwin/twin.h"
#include "pop/checkpoint.h"
#include "util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define N_METRICS 4
static const char *const metric_name[N_METRICS] = {"auc_0_inf_mg_h_per_l", "auc_0_last_mg_h_per_l",
                                                   "cmax_mg_per_l", "ctrough_mg_per_l"};
#define LOG_LO (-9)
#define LOG_HI 6
#define NB ((LOG_HI - LOG_LO) * MT_POPSIM_BINS_PER_DECADE + 3) /* + n/a, under, over */
#define MAX_DRUGS 16
#define MAX_GENES 16
#define MAX_PHENOTYPES 24
#define WINDOW_PER_THREAD 4
#define MAX_LINE ((size_t)1 << 20)
#define N_KINDS 4
#define N_SEV 3
static const char *const percentiles_q[] = {"p5", "p25", "p50", "p75", "p95"};
static const double percentiles_v[] = {0.05, 0.25, 0.50, 0.75, 0.95};

typedef struct {
    char gene[32];
    size_t n_ph;
    char ph[MAX_PHENOTYPES][MT_PGX_TEXT];
    size_t base; /* group index of ph[0]; base + n_ph: "other" */
} gene_groups;

struct mt_popsim {
    /* the run, for the summary */
    char population[MT_COHORT_ID];
    mt_cohort_options cohort;
    uint64_t seed, n;
    int from_file;
    char **regimen_text;
    size_t n_regimens;
    double until_h;
    long steps;
    /* layout */
    size_t n_drugs, n_dosed;
    char drug[MAX_DRUGS][64];
    double range[MAX_DRUGS][3]; /* low, high, toxic_above (NaN: absent) */
    int has_range[MAX_DRUGS];
    size_t n_genes, n_groups;
    gene_groups genes[MAX_GENES];
    /* counts */
    size_t len;
    uint64_t *c;
    size_t off_group, off_cohort, off_warn, off_window;
};

/* cohort counts: [0] twins in the figures, [1] female, [2] male, [3..3+MAX_CONDITIONS)
 * conditions; then 3 more: twins excluded, of them female, male */
#define COHORT_SLOTS(s) (3 + MT_COHORT_MAX_CONDITIONS)

static uint64_t *hist(const mt_popsim *s, size_t d, size_t m, size_t g)
{
    return s->c + ((d * N_METRICS + m) * s->n_groups + g) * NB;
}

static size_t bin_of(double v)
{
    if (!(v > 0) || !isfinite(v))
        return 0;
    double x = (log10(v) - LOG_LO) * MT_POPSIM_BINS_PER_DECADE;
    if (x < 0)
        return 1;
    if (x >= (double)((LOG_HI - LOG_LO) * MT_POPSIM_BINS_PER_DECADE))
        return NB - 1;
    return 2 + (size_t)x;
}

/* The geometric centre of bin b (2..NB-2); the range's edges for under- and overflow. */
static double bin_value(size_t b)
{
    if (b <= 1)
        return pow(10, LOG_LO);
    if (b >= NB - 1)
        return pow(10, LOG_HI);
    return pow(10, LOG_LO + ((double)(b - 2) + 0.5) / MT_POPSIM_BINS_PER_DECADE);
}

/* ---- one twin ----------------------------------------------------------------------------- */

typedef struct {
    uint16_t bin[MAX_DRUGS * N_METRICS];
    uint16_t group[MAX_GENES]; /* group index per gene */
    uint8_t female;
    uint16_t conditions; /* bit i: has option condition i */
    uint16_t warn[N_KINDS * N_SEV];
    uint8_t window[MAX_DRUGS]; /* 0 no range / not predicted, 1 below, 2 within, 3 above */
    uint8_t excluded;          /* the twin's physiology cannot be built from its covariates */
} twin_result;

typedef struct {
    uint64_t j; /* local chunk index */
    size_t n;
    twin_result *tw;
    char *rows; /* twins-table rows (NULL without one) */
    size_t rows_len;
} chunk_result;

/* A worker's tools: its own ctx, predictor, cards and rules. */
typedef struct {
    mt_ctx *ctx;
    mt_predictor *pred;
    mt_drugcard *card[MT_POPSIM_MAX_REGIMENS];
    mt_risk_rules *rules;
} worker;

typedef struct {
    const mt_popsim_options *o;
    mt_popsim *S;
    const mt_twin_tables *tables;
    mt_regimen reg[MT_POPSIM_MAX_REGIMENS];
    char cond_text[MT_COHORT_MAX_CONDITIONS][160]; /* the profile text of each option condition */
    /* scheduling */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    uint64_t n_chunks, n_local, next, committed, done_twins, local_twins;
    size_t window;
    chunk_result **slot;
    int failed;
    mt_status st;
    char msg[1024];
    /* cohort file */
    FILE *cohort;
    uint64_t line_no;
    char **lines; /* window * CHUNK line texts, per slot */
    /* outputs */
    FILE *twins;
    uint64_t twins_bytes;
    uint64_t fingerprint;
    double last_ckpt, ckpt_every_s;
} run;

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void fail(run *R, mt_status st, const char *msg)
{
    if (!R->failed) {
        R->failed = 1;
        R->st = st;
        size_t n = strlen(msg);
        if (n >= sizeof R->msg)
            n = sizeof R->msg - 1;
        memcpy(R->msg, msg, n);
        R->msg[n] = 0;
    }
    pthread_cond_broadcast(&R->cv);
}

static size_t group_of(const mt_popsim *S, size_t gi, const char *phenotype)
{
    const gene_groups *g = &S->genes[gi];
    for (size_t i = 0; phenotype && i < g->n_ph; i++)
        if (!strcmp(g->ph[i], phenotype))
            return g->base + i;
    return g->base + g->n_ph;
}

static int fmt_num(char *buf, size_t n, double v)
{
    return isfinite(v) ? snprintf(buf, n, "%.6g", v) : snprintf(buf, n, "%s", "");
}

/* Simulates one twin from its profile text. */
static mt_status one_twin(run *R, worker *w, const char *text, uint64_t k, twin_result *out,
                          char **rows, size_t *rows_len, size_t *rows_cap)
{
    mt_popsim *S = R->S;
    const mt_popsim_options *o = R->o;
    mt_profile *person = NULL;
    mt_prediction pr = {0};
    mt_risk_report rep = {0};
    memset(out, 0, sizeof *out);
    mt_status st = mt_profile_parse_json(w->ctx, text, strlen(text), &person);
    if (st == MT_OK) {
        st = mt_predictor_derive(w->pred, R->tables, person, (const mt_drugcard *const *)w->card);
        if (st == MT_EINVAL) {
            /* covariates the physiology method refuses (httk-pop: too little adipose tissue
             * left for the weight): the twin is counted as excluded, as httk-pop leaves such
             * individuals out of its populations */
            out->female = mt_profile_sex(person) == MT_SEX_FEMALE;
            out->excluded = 1;
            mt_profile_destroy(person);
            mt_error_clear(w->ctx);
            return MT_OK;
        }
    }
    mt_predict_options po = {.until_h = o->until_h, .steps = o->steps};
    if (st == MT_OK)
        st = mt_predictor_run(w->pred, &po, &pr);
    if (st != MT_OK) {
        mt_profile_destroy(person);
        mt_prediction_clear(&pr);
        return st;
    }
    out->female = mt_profile_sex(person) == MT_SEX_FEMALE;
    for (size_t i = 0; i < o->cohort.n_conditions; i++)
        for (size_t j = 0; j < mt_profile_n_conditions(person); j++)
            if (!strcmp(mt_profile_condition(person, j), R->cond_text[i]))
                out->conditions |= (uint16_t)(1u << i);
    /* phenotypes from the twin (the rules' view: pgx.<GENE> facts) */
    const mt_twin_param_list *tw = mt_predictor_twin(w->pred);
    mt_risk_phenotype ph[MAX_GENES];
    size_t n_ph = 0;
    for (size_t g = 0; g < S->n_genes; g++) {
        char key[64];
        snprintf(key, sizeof key, "pgx.%s", S->genes[g].gene);
        const mt_twin_fact *f = mt_twin_fact_find(tw, key);
        const char *t = f && f->text[0] && strcmp(f->text, "not derived") ? f->text : NULL;
        out->group[g] = (uint16_t)group_of(S, g, t);
        if (t) {
            ph[n_ph].gene = S->genes[g].gene;
            ph[n_ph++].phenotype = t;
        }
    }
    mt_risk_drug rd[MT_POPSIM_MAX_REGIMENS];
    for (size_t d = 0; d < S->n_drugs; d++) {
        const mt_exposure *e = &pr.drugs[d].exposure;
        const double v[N_METRICS] = {e->auc_0_inf, e->auc_0_last, e->cmax, e->ctrough};
        for (size_t m = 0; m < N_METRICS; m++)
            out->bin[d * N_METRICS + m] = (uint16_t)bin_of(v[m]);
        if (S->has_range[d] && (isfinite(e->cmax) || isfinite(e->ctrough))) {
            const double *r = S->range[d];
            int above = (!isnan(r[2]) && e->cmax > r[2]) || (!isnan(r[1]) && e->cmax > r[1]);
            int below = !isnan(r[0]) && e->ctrough < r[0];
            out->window[d] = above ? 3 : below ? 1 : 2;
        }
        if (d < S->n_dosed) {
            rd[d].name = S->drug[d];
            rd[d].card = w->card[d];
            rd[d].cmax = e->cmax;
            rd[d].ctrough = e->ctrough;
            rd[d].auc = e->auc_0_inf;
        }
    }
    st = mt_risk_evaluate(w->rules, w->ctx, n_ph, ph, S->n_dosed, rd, &rep);
    for (size_t i = 0; st == MT_OK && i < rep.n_warnings; i++) {
        size_t x = (size_t)rep.warnings[i].kind * N_SEV + (size_t)rep.warnings[i].severity;
        if (x < N_KINDS * N_SEV && out->warn[x] < UINT16_MAX)
            out->warn[x]++;
    }
    /* the twins-table row */
    if (st == MT_OK && rows) {
        char line[4096];
        int n = snprintf(line, sizeof line, "%llu,%s,%s,%.2f,%.2f,%.1f,%.3f", (unsigned long long)k,
                         mt_profile_id(person), out->female ? "female" : "male",
                         mt_profile_age_years(person), mt_profile_weight_kg(person),
                         mt_profile_height_cm(person), mt_profile_serum_creatinine_mg_dl(person));
        for (size_t g = 0; g < S->n_genes && n > 0 && (size_t)n < sizeof line; g++) {
            size_t gr = out->group[g];
            const gene_groups *G = &S->genes[g];
            const char *t = gr < G->base + G->n_ph ? G->ph[gr - G->base] : "other";
            n += snprintf(line + n, sizeof line - (size_t)n, ",\"%s\"", t);
        }
        for (size_t d = 0; d < S->n_drugs && n > 0 && (size_t)n < sizeof line; d++) {
            const mt_exposure *e = &pr.drugs[d].exposure;
            const double v[N_METRICS] = {e->auc_0_inf, e->auc_0_last, e->cmax, e->ctrough};
            for (size_t m = 0; m < N_METRICS && (size_t)n < sizeof line; m++) {
                line[n++] = ',';
                n += fmt_num(line + n, sizeof line - (size_t)n, v[m]);
            }
        }
        unsigned nw = 0;
        for (size_t x = 0; x < N_KINDS * N_SEV; x++)
            nw += out->warn[x];
        if (n > 0 && (size_t)n < sizeof line)
            n += snprintf(line + n, sizeof line - (size_t)n, ",%u\n", nw);
        if (n <= 0 || (size_t)n >= sizeof line) {
            st = mt_error(w->ctx, MT_ELIMIT, "twins table: a row is longer than %zu bytes",
                          sizeof line);
        } else {
            if (*rows_len + (size_t)n + 1 > *rows_cap) {
                size_t cap = (*rows_cap + (size_t)n + 1) * 2;
                char *nr = realloc(*rows, cap);
                if (!nr) {
                    st = MT_ENOMEM;
                } else {
                    *rows = nr;
                    *rows_cap = cap;
                }
            }
            if (st == MT_OK) {
                memcpy(*rows + *rows_len, line, (size_t)n);
                *rows_len += (size_t)n;
            }
        }
    }
    mt_risk_report_free(&rep);
    mt_prediction_clear(&pr);
    mt_profile_destroy(person);
    return st;
}

/* ---- checkpoint --------------------------------------------------------------------------- */

/* Writes the state atomically: a temporary file in the same folder, fsync, rename over the
 * checkpoint, fsync of the folder. The twins table is flushed to disk first, so the bytes the
 * checkpoint records are there. */
static mt_status write_checkpoint(run *R, mt_ctx *ctx)
{
    const mt_popsim_options *o = R->o;
    if (R->twins) {
        if (fflush(R->twins) || fsync(fileno(R->twins)))
            return mt_error(ctx, MT_EIO, "twins table: %s", strerror(errno));
    }
    mt_ckpt_header h = {R->fingerprint, (uint64_t)o->rank, (uint64_t)o->n_ranks,
                        R->committed,   R->twins_bytes,    (uint64_t)R->S->len};
    unsigned char *buf;
    size_t n;
    mt_status st = mt_ckpt_encode(ctx, &h, R->S->c, &buf, &n);
    if (st != MT_OK)
        return st;
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", o->checkpoint, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    int ok = f && fwrite(buf, 1, n, f) == n && fflush(f) == 0 && fsync(fileno(f)) == 0;
    int e = errno;
    free(buf);
    if (f && fclose(f) != 0 && ok) {
        ok = 0;
        e = errno;
    }
    if (!ok || rename(tmp, o->checkpoint) != 0) {
        e = ok ? errno : e;
        remove(tmp);
        return mt_error(ctx, MT_EIO, "checkpoint '%s': cannot write: %s", o->checkpoint,
                        strerror(e));
    }
    char dir[4200];
    snprintf(dir, sizeof dir, "%s", o->checkpoint);
    char *slash = strrchr(dir, '/');
    if (slash)
        *(slash == dir ? slash + 1 : slash) = 0;
    else
        snprintf(dir, sizeof dir, ".");
    int fd = open(dir, O_RDONLY);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
    R->last_ckpt = now_s();
    return MT_OK;
}

/* Reads an existing checkpoint into the state. *found = 0 when there is none. */
static mt_status read_checkpoint(run *R, mt_ctx *ctx, int *found)
{
    const mt_popsim_options *o = R->o;
    *found = 0;
    FILE *f = fopen(o->checkpoint, "rb");
    if (!f) {
        if (errno == ENOENT)
            return MT_OK;
        return mt_error(ctx, MT_EIO, "checkpoint '%s': %s", o->checkpoint, strerror(errno));
    }
    size_t limit = MT_CKPT_HEADER_BYTES + R->S->len * 8 + 8, n = 0;
    unsigned char *buf = malloc(limit + 1);
    if (!buf) {
        fclose(f);
        return mt_error(ctx, MT_ENOMEM, "out of memory");
    }
    n = fread(buf, 1, limit + 1, f); /* one byte more than a checkpoint of this run: too long */
    int err = ferror(f) && errno != EISDIR;
    fclose(f);
    if (err) {
        free(buf);
        return mt_error(ctx, MT_EIO, "checkpoint '%s': read error: %s", o->checkpoint,
                        strerror(errno));
    }
    mt_ckpt_header want = {R->fingerprint,
                           (uint64_t)o->rank,
                           (uint64_t)o->n_ranks,
                           R->n_local,
                           0,
                           (uint64_t)R->S->len},
                   got;
    mt_status st = mt_ckpt_parse(ctx, o->checkpoint, buf, n, &want, &got, R->S->c);
    free(buf);
    if (st != MT_OK)
        return st;
    R->committed = R->next = got.committed;
    R->twins_bytes = got.twins_bytes;
    *found = 1;
    return MT_OK;
}

/* ---- scheduling ----------------------------------------------------------------------------- */

static uint64_t chunk_first(const run *R, uint64_t j)
{
    return (j * (uint64_t)R->o->n_ranks + (uint64_t)R->o->rank) * MT_POPSIM_CHUNK;
}

static size_t chunk_size(const run *R, uint64_t j)
{
    uint64_t a = chunk_first(R, j), n = R->S->n;
    return (size_t)(a + MT_POPSIM_CHUNK <= n ? MT_POPSIM_CHUNK : n - a);
}

static void commit(run *R, chunk_result *cr)
{
    mt_popsim *S = R->S;
    for (size_t i = 0; i < cr->n; i++) {
        const twin_result *t = &cr->tw[i];
        if (t->excluded) {
            S->c[S->off_cohort + COHORT_SLOTS(S)] += 1;
            S->c[S->off_cohort + COHORT_SLOTS(S) + (t->female ? 1 : 2)] += 1;
            continue;
        }
        size_t groups[1 + MAX_GENES];
        size_t ng = 0;
        groups[ng++] = 0;
        for (size_t g = 0; g < S->n_genes; g++)
            groups[ng++] = t->group[g];
        for (size_t d = 0; d < S->n_drugs; d++)
            for (size_t m = 0; m < N_METRICS; m++)
                for (size_t x = 0; x < ng; x++)
                    hist(S, d, m, groups[x])[t->bin[d * N_METRICS + m]]++;
        for (size_t x = 0; x < ng; x++)
            S->c[S->off_group + groups[x]]++;
        uint64_t *co = S->c + S->off_cohort;
        co[0]++;
        co[t->female ? 1 : 2]++;
        for (size_t k = 0; k < MT_COHORT_MAX_CONDITIONS; k++)
            co[3 + k] += (t->conditions >> k) & 1u;
        uint64_t *wa = S->c + S->off_warn;
        int any = 0;
        for (size_t x = 0; x < N_KINDS * N_SEV; x++) {
            wa[x] += t->warn[x];
            any |= t->warn[x] != 0;
        }
        for (size_t k = 0; k < N_KINDS; k++) {
            int some = 0;
            for (size_t v = 0; v < N_SEV; v++)
                some |= t->warn[k * N_SEV + v] != 0;
            wa[N_KINDS * N_SEV + k] += (uint64_t)some;
        }
        wa[N_KINDS * N_SEV + N_KINDS] += (uint64_t)any;
        for (size_t d = 0; d < S->n_drugs; d++)
            S->c[S->off_window + d * 4 + t->window[d]]++;
    }
    R->done_twins += cr->n;
}

static void free_chunk(chunk_result *cr)
{
    if (cr) {
        free(cr->tw);
        free(cr->rows);
        free(cr);
    }
}

/* Reads the cohort file's lines of local chunk j into the slot's line buffers. Caller holds
 * the lock; chunks are handed out in order, so the file is read forward only. */
static mt_status read_lines(run *R, mt_ctx *ctx, uint64_t j, char **lines)
{
    uint64_t first = chunk_first(R, j);
    size_t n = chunk_size(R, j);
    char *buf = NULL;
    size_t cap = 0;
    mt_status st = MT_OK;
    while (R->line_no < first + n) {
        ssize_t len = getline(&buf, &cap, R->cohort);
        if (len < 0) {
            st = mt_error(ctx, MT_EPARSE, "cohort: the file ended at line %llu",
                          (unsigned long long)R->line_no);
            break;
        }
        if ((size_t)len > MAX_LINE) {
            st = mt_error(ctx, MT_ELIMIT, "cohort: line %llu is longer than %zu bytes",
                          (unsigned long long)R->line_no + 1, MAX_LINE);
            break;
        }
        if (R->line_no >= first) {
            size_t i = (size_t)(R->line_no - first);
            free(lines[i]);
            if (!(lines[i] = strdup(buf))) {
                st = MT_ENOMEM;
                break;
            }
        }
        R->line_no++;
    }
    free(buf);
    return st;
}

typedef struct {
    run *R;
    int id;
} thread_arg;

static mt_status worker_init(run *R, worker *w)
{
    mt_status st = mt_ctx_create(&w->ctx);
    if (st != MT_OK)
        return st;
    for (size_t d = 0; st == MT_OK && d < R->o->n_regimens; d++)
        st = mt_drugcard_load(w->ctx, NULL, R->reg[d].drug, &w->card[d]);
    if (st == MT_OK)
        st = mt_predictor_create_ddi(w->ctx, R->tables, R->o->n_regimens, R->reg,
                                     (const mt_drugcard *const *)w->card, &w->pred);
    if (st == MT_OK)
        st = mt_risk_rules_load(w->ctx, NULL, &w->rules);
    return st;
}

static void worker_free(worker *w)
{
    mt_predictor_destroy(w->pred);
    mt_risk_rules_destroy(w->rules);
    for (size_t d = 0; d < MT_POPSIM_MAX_REGIMENS; d++)
        mt_drugcard_destroy(w->card[d]);
    mt_ctx_destroy(w->ctx);
}

static void *work(void *arg)
{
    run *R = ((thread_arg *)arg)->R;
    const mt_popsim_options *o = R->o;
    worker w = {0};
    char emsg[1200];
    if (worker_init(R, &w) != MT_OK) {
        pthread_mutex_lock(&R->mu);
        snprintf(emsg, sizeof emsg, "%s", w.ctx ? mt_errmsg(w.ctx) : "out of memory");
        fail(R, MT_EINVAL, emsg);
        pthread_mutex_unlock(&R->mu);
        worker_free(&w);
        return NULL;
    }
    char **lines = NULL;
    if (o->cohort_path && !(lines = calloc(MT_POPSIM_CHUNK, sizeof *lines))) {
        pthread_mutex_lock(&R->mu);
        fail(R, MT_ENOMEM, "out of memory");
        pthread_mutex_unlock(&R->mu);
    }
    pthread_mutex_lock(&R->mu);
    while (!R->failed && R->next < R->n_local) {
        while (!R->failed && R->next - R->committed >= R->window)
            pthread_cond_wait(&R->cv, &R->mu);
        if (R->failed || R->next >= R->n_local)
            break;
        if (o->cancelled && o->cancelled(o->cancelled_arg)) {
            fail(R, MT_ELIMIT, "population: cancelled");
            break;
        }
        uint64_t j = R->next++;
        mt_status st = MT_OK;
        if (lines && (st = read_lines(R, w.ctx, j, lines)) != MT_OK) {
            fail(R, st, mt_errmsg(w.ctx));
            break;
        }
        pthread_mutex_unlock(&R->mu);

        size_t n = chunk_size(R, j);
        uint64_t first = chunk_first(R, j);
        chunk_result *cr = calloc(1, sizeof *cr);
        size_t rows_cap = 0;
        if (!cr || !(cr->tw = calloc(n, sizeof *cr->tw)))
            st = mt_error(w.ctx, MT_ENOMEM, "out of memory");
        for (size_t i = 0; st == MT_OK && i < n; i++) {
            char *text = NULL;
            if (lines) {
                text = lines[i];
            } else if ((st = mt_cohort_twin(o->pop, w.ctx, &o->cohort, o->seed, first + i,
                                            &text)) != MT_OK) {
                break;
            }
            st = one_twin(R, &w, text, first + i, &cr->tw[i], R->twins ? &cr->rows : NULL,
                          &cr->rows_len, &rows_cap);
            if (st != MT_OK) {
                char m[1024];
                snprintf(m, sizeof m, "%s", mt_errmsg(w.ctx));
                if (lines)
                    mt_error(w.ctx, st, "twin %llu (cohort line %llu): %s",
                             (unsigned long long)(first + i), (unsigned long long)(first + i + 1),
                             m);
                else
                    mt_error(w.ctx, st, "twin %llu: %s", (unsigned long long)(first + i), m);
            }
            if (!lines)
                free(text);
        }
        if (cr)
            cr->n = n;
        if (cr)
            cr->j = j;

        pthread_mutex_lock(&R->mu);
        if (st != MT_OK) {
            snprintf(emsg, sizeof emsg, "%s", mt_errmsg(w.ctx));
            fail(R, st, emsg);
            free_chunk(cr);
            break;
        }
        R->slot[j % R->window] = cr;
        while (!R->failed && R->committed < R->n_local && R->slot[R->committed % R->window] &&
               R->slot[R->committed % R->window]->j == R->committed) {
            chunk_result *c = R->slot[R->committed % R->window];
            R->slot[R->committed % R->window] = NULL;
            commit(R, c);
            if (R->twins && c->rows_len) {
                if (fwrite(c->rows, 1, c->rows_len, R->twins) != c->rows_len) {
                    fail(R, MT_EIO, "twins table: write failed");
                    free_chunk(c);
                    break;
                }
                R->twins_bytes += c->rows_len;
            }
            free_chunk(c);
            R->committed++;
            if (o->checkpoint && now_s() - R->last_ckpt >= R->ckpt_every_s &&
                write_checkpoint(R, w.ctx) != MT_OK) {
                fail(R, MT_EIO, mt_errmsg(w.ctx));
                break;
            }
            if (o->progress)
                o->progress(o->progress_arg, R->done_twins, R->local_twins);
        }
        pthread_cond_broadcast(&R->cv);
    }
    pthread_cond_broadcast(&R->cv);
    pthread_mutex_unlock(&R->mu);
    if (lines)
        for (size_t i = 0; i < MT_POPSIM_CHUNK; i++)
            free(lines[i]);
    free(lines);
    worker_free(&w);
    return NULL;
}

/* ---- layout ------------------------------------------------------------------------------- */

static int cmp_text(const void *a, const void *b) { return strcmp(a, b); }

/* The phenotypes each gene of the population can have: the rules applied to every pair of
 * its alleles. */
static mt_status enumerate_groups(mt_popsim *S, mt_ctx *ctx, const mt_population *pop,
                                  const mt_twin_tables *tables)
{
    const mt_pgx *pgx = mt_twin_tables_pgx(tables);
    size_t ng = mt_population_n_genes(pop);
    if (ng > MAX_GENES)
        return mt_error(ctx, MT_ELIMIT, "population: more than %d genes", MAX_GENES);
    S->n_groups = 1;
    for (size_t g = 0; g < ng; g++) {
        gene_groups *G = &S->genes[S->n_genes++];
        snprintf(G->gene, sizeof G->gene, "%s", mt_population_gene(pop, g));
        size_t na = mt_population_n_alleles(pop, g);
        for (size_t a = 0; a < na; a++)
            for (size_t b = a; b < na; b++) {
                char dip[300];
                snprintf(dip, sizeof dip, "%s/%s", mt_population_allele(pop, g, a, NULL),
                         mt_population_allele(pop, g, b, NULL));
                mt_pgx_call call;
                mt_status st = mt_pgx_phenotype(pgx, ctx, G->gene, dip, &call);
                if (st != MT_OK)
                    return mt_error(ctx, st, "population allele table: %s: %s", G->gene,
                                    mt_errmsg(ctx));
                size_t i = 0;
                while (i < G->n_ph && strcmp(G->ph[i], call.phenotype))
                    i++;
                if (i == G->n_ph) {
                    if (G->n_ph == MAX_PHENOTYPES)
                        return mt_error(ctx, MT_ELIMIT, "%s: more than %d phenotypes", G->gene,
                                        MAX_PHENOTYPES);
                    memcpy(G->ph[G->n_ph++], call.phenotype, MT_PGX_TEXT);
                }
            }
        qsort(G->ph, G->n_ph, sizeof G->ph[0], cmp_text);
        G->base = S->n_groups;
        S->n_groups += G->n_ph + 1;
    }
    return MT_OK;
}

static uint64_t fingerprint(const mt_popsim_options *o, const mt_popsim *S, uint64_t file_hash)
{
    char b[8192];
    int n = snprintf(b, sizeof b,
                     "medtwin-popsim/1|%s|pop=%s|age=%.17g-%.17g|female=%.17g|seed=%llu|n=%llu|"
                     "file=%d:%016llx|until=%.17g|steps=%ld|chunk=%d|bins=%d|len=%zu|ranks=%d/%d",
                     mt_version(), S->population, o->cohort.age_lo, o->cohort.age_hi,
                     o->cohort.female, (unsigned long long)o->seed, (unsigned long long)S->n,
                     o->cohort_path != NULL, (unsigned long long)file_hash, o->until_h, o->steps,
                     MT_POPSIM_CHUNK, MT_POPSIM_BINS_PER_DECADE, S->len, o->rank, o->n_ranks);
    for (size_t i = 0; i < o->cohort.n_conditions && n > 0 && (size_t)n < sizeof b; i++)
        n += snprintf(b + n, sizeof b - (size_t)n, "|cond=%s:%.17g", o->cohort.condition[i],
                      o->cohort.share[i]);
    for (size_t i = 0; i < o->n_regimens && n > 0 && (size_t)n < sizeof b; i++)
        n += snprintf(b + n, sizeof b - (size_t)n, "|reg=%s", o->regimens[i]);
    return mt_fnv1a(MT_FNV0, b, n > 0 ? strlen(b) : 0);
}

/* Counts the lines of the cohort file (twins) and hashes its content. */
static mt_status scan_cohort(mt_ctx *ctx, const char *path, uint64_t *lines, uint64_t *hash)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return mt_error(ctx, MT_EIO, "cohort '%s': %s", path, strerror(errno));
    char buf[65536];
    size_t n;
    uint64_t h = MT_FNV0, count = 0;
    int last = '\n';
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        h = mt_fnv1a(h, buf, n);
        for (size_t i = 0; i < n; i++)
            count += buf[i] == '\n';
        last = buf[n - 1];
    }
    int err = ferror(f);
    fclose(f);
    if (err)
        return mt_error(ctx, MT_EIO, "cohort '%s': read error", path);
    *lines = count + (last != '\n');
    *hash = h;
    return MT_OK;
}

static const char *const kind_names[N_KINDS] = {"pgx", "interaction", "exposure",
                                                "phenoconversion"};

mt_status mt_popsim_run(mt_ctx *ctx, const mt_popsim_options *o, mt_popsim **out)
{
    *out = NULL;
    if (!o->pop)
        return mt_error(ctx, MT_EINVAL, "population: no population given");
    if (o->n_regimens < 1 || o->n_regimens > MT_POPSIM_MAX_REGIMENS)
        return mt_error(ctx, MT_EINVAL, "population: 1..%d regimens", MT_POPSIM_MAX_REGIMENS);
    if (o->threads < 1 || o->threads > 1024)
        return mt_error(ctx, MT_EINVAL, "population: --threads must be 1..1024");
    if (!(o->until_h > 0))
        return mt_error(ctx, MT_EINVAL, "population: the prediction must last > 0 h");
    if (o->n_ranks < 1 || o->rank < 0 || o->rank >= o->n_ranks)
        return mt_error(ctx, MT_EINVAL, "population: rank %d of %d", o->rank, o->n_ranks);
    uint64_t file_lines = 0, file_hash = 0;
    if (o->cohort_path) {
        mt_status st = scan_cohort(ctx, o->cohort_path, &file_lines, &file_hash);
        if (st != MT_OK)
            return st;
        if (!file_lines)
            return mt_error(ctx, MT_EINVAL, "cohort '%s' has no twin", o->cohort_path);
        if (o->n > file_lines)
            return mt_error(ctx, MT_EINVAL, "cohort '%s' has %llu twins, fewer than --n %llu",
                            o->cohort_path, (unsigned long long)file_lines,
                            (unsigned long long)o->n);
    } else {
        mt_status st = mt_cohort_check(o->pop, ctx, &o->cohort);
        if (st != MT_OK)
            return st;
    }
    uint64_t n = o->cohort_path && !o->n ? file_lines : o->n;
    if (n < 1 || n > MT_POPSIM_MAX_N)
        return mt_error(ctx, MT_EINVAL, "population: --n must be 1..%llu (got %llu)",
                        (unsigned long long)MT_POPSIM_MAX_N, (unsigned long long)n);

    run R;
    memset(&R, 0, sizeof R);
    R.o = o;
    mt_popsim *S = calloc(1, sizeof *S);
    if (!S)
        return MT_ENOMEM;
    R.S = S;
    snprintf(S->population, sizeof S->population, "%s", mt_population_id(o->pop));
    S->cohort = o->cohort;
    S->seed = o->seed;
    S->n = n;
    S->from_file = o->cohort_path != NULL;
    S->until_h = o->until_h;
    S->steps = o->steps;
    mt_status st = MT_OK;
    if (!(S->regimen_text = calloc(o->n_regimens, sizeof *S->regimen_text)))
        st = MT_ENOMEM;
    for (size_t i = 0; st == MT_OK && i < o->n_regimens; i++) {
        S->n_regimens++;
        if (!(S->regimen_text[i] = strdup(o->regimens[i])))
            st = MT_ENOMEM;
        else if ((st = mt_regimen_parse(ctx, o->regimens[i], o->until_h, NAN, &R.reg[i])) !=
                 MT_OK) {
            char m[1024];
            snprintf(m, sizeof m, "%s", mt_errmsg(ctx));
            st = mt_error(ctx, st, "%s%s", m,
                          strstr(m, "kg") ? " (a population takes absolute doses: per-kg "
                                            "dosing is not supported yet)"
                                          : "");
        }
    }
    mt_twin_tables *tables = NULL;
    if (st == MT_OK)
        st = mt_twin_tables_load(ctx, NULL, &tables);
    R.tables = tables;
    if (st == MT_OK)
        st = enumerate_groups(S, ctx, o->pop, tables);
    /* the drugs (with metabolites) and their ranges: from a predictor made here once */
    if (st == MT_OK) {
        worker w = {0};
        st = worker_init(&R, &w);
        if (st != MT_OK) {
            st = mt_error(ctx, st, "%s", w.ctx ? mt_errmsg(w.ctx) : "out of memory");
        } else {
            S->n_drugs = mt_predictor_n_drugs(w.pred);
            S->n_dosed = mt_predictor_n_dosed(w.pred);
            if (S->n_drugs > MAX_DRUGS)
                st = mt_error(ctx, MT_ELIMIT, "population: more than %d drugs", MAX_DRUGS);
            for (size_t d = 0; st == MT_OK && d < S->n_drugs; d++) {
                snprintf(S->drug[d], sizeof S->drug[d], "%s", mt_predictor_drug(w.pred, d));
                S->range[d][0] = S->range[d][1] = S->range[d][2] = NAN;
                S->has_range[d] = d < S->n_dosed && mt_drugcard_therapeutic_range(
                                                        w.card[d], &S->range[d][0], &S->range[d][1],
                                                        &S->range[d][2]) == MT_OK;
            }
        }
        worker_free(&w);
    }
    if (st == MT_OK) {
        S->off_group = S->n_drugs * N_METRICS * S->n_groups * NB;
        S->off_cohort = S->off_group + S->n_groups;
        S->off_warn = S->off_cohort + COHORT_SLOTS(S) + 3; /* + excluded: all, female, male */
        S->off_window = S->off_warn + N_KINDS * N_SEV + N_KINDS + 1;
        S->len = S->off_window + S->n_drugs * 4;
        if (!(S->c = calloc(S->len, sizeof *S->c)))
            st = MT_ENOMEM;
    }
    /* the option conditions' profile texts (for counting) */
    for (size_t i = 0; st == MT_OK && i < o->cohort.n_conditions; i++) {
        const char *t = mt_population_condition_text(o->pop, o->cohort.condition[i]);
        if (!t)
            st = mt_error(ctx, MT_ENOTFOUND, "unknown condition '%s'", o->cohort.condition[i]);
        else
            snprintf(R.cond_text[i], sizeof R.cond_text[i], "%s", t);
    }
    if (st == MT_OK) {
        R.n_chunks = (n + MT_POPSIM_CHUNK - 1) / MT_POPSIM_CHUNK;
        R.n_local =
            (uint64_t)o->rank < R.n_chunks
                ? (R.n_chunks - (uint64_t)o->rank + (uint64_t)o->n_ranks - 1) / (uint64_t)o->n_ranks
                : 0;
        for (uint64_t j = 0; j < R.n_local; j++)
            R.local_twins += chunk_size(&R, j);
        R.window = (size_t)o->threads * WINDOW_PER_THREAD;
        R.fingerprint = fingerprint(o, S, file_hash);
        if (!(R.slot = calloc(R.window, sizeof *R.slot)))
            st = MT_ENOMEM;
    }
    int resumed = 0;
    if (st == MT_OK && o->checkpoint)
        st = read_checkpoint(&R, ctx, &resumed);
    R.done_twins = 0;
    for (uint64_t j = 0; j < R.committed; j++)
        R.done_twins += chunk_size(&R, j);
    if (st == MT_OK && o->twins_path) {
        if (resumed) {
            struct stat sb;
            if (stat(o->twins_path, &sb) != 0 || (uint64_t)sb.st_size < R.twins_bytes)
                st = mt_error(ctx, MT_EIO,
                              "twins table '%s' is shorter than the checkpoint "
                              "records (%llu bytes): it cannot be resumed",
                              o->twins_path, (unsigned long long)R.twins_bytes);
            else if (truncate(o->twins_path, (off_t)R.twins_bytes) != 0 ||
                     !(R.twins = fopen(o->twins_path, "ab")))
                st = mt_error(ctx, MT_EIO, "twins table '%s': %s", o->twins_path, strerror(errno));
        } else if (!(R.twins = fopen(o->twins_path, "wb"))) {
            st = mt_error(ctx, MT_EIO, "twins table '%s': %s", o->twins_path, strerror(errno));
        } else {
            int len = fprintf(R.twins, "twin,id,sex,age_years,weight_kg,height_cm,"
                                       "serum_creatinine_mg_dl");
            for (size_t g = 0; g < S->n_genes; g++)
                len += fprintf(R.twins, ",%s", S->genes[g].gene);
            for (size_t d = 0; d < S->n_drugs; d++)
                for (size_t m = 0; m < N_METRICS; m++)
                    len += fprintf(R.twins, ",%s.%s", S->drug[d], metric_name[m]);
            len += fprintf(R.twins, ",warnings\n");
            R.twins_bytes = (uint64_t)len;
        }
    }
    if (st == MT_OK && o->cohort_path) {
        if (!(R.cohort = fopen(o->cohort_path, "rb")))
            st = mt_error(ctx, MT_EIO, "cohort '%s': %s", o->cohort_path, strerror(errno));
        /* read_lines skips the lines of chunks that are not this run's to do */
    }
    if (st == MT_OK) {
        pthread_mutex_init(&R.mu, NULL);
        pthread_cond_init(&R.cv, NULL);
        R.last_ckpt = now_s();
        /* MEDTWIN_CHECKPOINT_SECONDS: another interval (0: after every chunk; tests use it) */
        const char *every = getenv("MEDTWIN_CHECKPOINT_SECONDS");
        R.ckpt_every_s = every && *every ? atof(every) : MT_POPSIM_CHECKPOINT_S;
        if (!(R.ckpt_every_s >= 0))
            R.ckpt_every_s = MT_POPSIM_CHECKPOINT_S;
        if (o->progress)
            o->progress(o->progress_arg, R.done_twins, R.local_twins);
        pthread_t *th = calloc((size_t)o->threads, sizeof *th);
        thread_arg *ta = calloc((size_t)o->threads, sizeof *ta);
        int started = 0;
        if (th && ta)
            for (int t = 0; t < o->threads; t++) {
                ta[t].R = &R;
                ta[t].id = t;
                if (pthread_create(&th[t], NULL, work, &ta[t]) != 0)
                    break;
                started++;
            }
        if (!started) {
            st = mt_error(ctx, MT_ENOMEM, "population: cannot start a worker thread");
        }
        for (int t = 0; t < started; t++)
            pthread_join(th[t], NULL);
        free(th);
        free(ta);
        if (st == MT_OK && R.failed)
            st = mt_error(ctx, R.st, "%s", R.msg);
        if (st == MT_OK && R.committed != R.n_local)
            st = mt_error(ctx, MT_EINVAL, "population: internal error: %llu of %llu chunks",
                          (unsigned long long)R.committed, (unsigned long long)R.n_local);
        if (st == MT_OK && o->checkpoint)
            st = write_checkpoint(&R, ctx);
        pthread_mutex_destroy(&R.mu);
        pthread_cond_destroy(&R.cv);
    }
    if (R.twins && fclose(R.twins) != 0 && st == MT_OK)
        st = mt_error(ctx, MT_EIO, "twins table '%s': write failed", o->twins_path);
    if (R.cohort)
        fclose(R.cohort);
    for (size_t i = 0; R.slot && i < R.window; i++)
        free_chunk(R.slot[i]);
    free(R.slot);
    for (size_t i = 0; i < MT_POPSIM_MAX_REGIMENS; i++)
        mt_regimen_clear(&R.reg[i]);
    mt_twin_tables_destroy(tables);
    if (st != MT_OK) {
        mt_popsim_destroy(S);
        return st;
    }
    *out = S;
    return MT_OK;
}

void mt_popsim_destroy(mt_popsim *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n_regimens; i++)
        free(s->regimen_text[i]);
    free(s->regimen_text);
    free(s->c);
    free(s);
}

size_t mt_popsim_counts_len(const mt_popsim *s) { return s->len; }
uint64_t *mt_popsim_counts(mt_popsim *s) { return s->c; }

/* ---- summary ------------------------------------------------------------------------------ */

/* 4 significant digits, as a JSON number (deterministic text). */
static json_t *num4(double v)
{
    char b[64];
    snprintf(b, sizeof b, "%.4g", v);
    return json_real(strtod(b, NULL));
}

static json_t *share(uint64_t k, uint64_t n)
{
    return n ? num4((double)k / (double)n) : json_null();
}

/* Percentiles of one histogram: the bin holding the order statistic at q (nearest rank). */
static json_t *percentiles(const uint64_t *h)
{
    uint64_t n = 0;
    for (size_t b = 1; b < NB; b++)
        n += h[b];
    json_t *o = json_object();
    json_object_set_new(o, "n", json_integer((json_int_t)n));
    if (h[0])
        json_object_set_new(o, "not_available", json_integer((json_int_t)h[0]));
    for (size_t q = 0; q < sizeof percentiles_v / sizeof *percentiles_v; q++) {
        if (!n) {
            json_object_set_new(o, percentiles_q[q], json_null());
            continue;
        }
        uint64_t rank = (uint64_t)ceil(percentiles_v[q] * (double)n);
        if (rank < 1)
            rank = 1;
        uint64_t acc = 0;
        size_t b = 1;
        for (; b < NB; b++) {
            acc += h[b];
            if (acc >= rank)
                break;
        }
        json_object_set_new(o, percentiles_q[q], num4(bin_value(b)));
    }
    return o;
}

mt_status mt_popsim_summary(mt_ctx *ctx, const mt_popsim *S, char **json)
{
    *json = NULL;
    json_t *root = json_object();
    json_object_set_new(root, "schema", json_string("medtwin-population-summary/1"));
    json_object_set_new(root, "population", json_string(S->population));
    json_object_set_new(root, "cohort_source", json_string(S->from_file ? "file" : "drawn"));
    json_object_set_new(root, "n", json_integer((json_int_t)S->n));
    if (!S->from_file) {
        json_object_set_new(root, "seed", json_integer((json_int_t)S->seed));
        json_t *co = json_object();
        json_t *age = json_array();
        json_array_append_new(age, json_real(S->cohort.age_lo));
        json_array_append_new(age, json_real(S->cohort.age_hi));
        json_object_set_new(co, "age_years", age);
        json_object_set_new(co, "female", json_real(S->cohort.female));
        json_t *cd = json_object();
        for (size_t i = 0; i < S->cohort.n_conditions; i++)
            json_object_set_new(cd, S->cohort.condition[i], json_real(S->cohort.share[i]));
        json_object_set_new(co, "conditions", cd);
        json_object_set_new(root, "cohort", co);
    }
    json_t *regs = json_array();
    for (size_t i = 0; i < S->n_regimens; i++)
        json_array_append_new(regs, json_string(S->regimen_text[i]));
    json_object_set_new(root, "regimens", regs);
    json_object_set_new(root, "until_h", json_real(S->until_h));
    json_t *pq = json_array();
    for (size_t q = 0; q < 5; q++)
        json_array_append_new(pq, json_integer((json_int_t)lround(100 * percentiles_v[q])));
    json_object_set_new(root, "percentiles", pq);
    json_object_set_new(root, "percentile_resolution",
                        json_string("histogram bins of 1/200 decade: values are bin centres, "
                                    "within 0.6 % of the exact order statistic"));

    const uint64_t *co = S->c + S->off_cohort;
    json_t *counts = json_object();
    json_object_set_new(counts, "twins", json_integer((json_int_t)co[0]));
    json_object_set_new(counts, "female", json_integer((json_int_t)co[1]));
    json_object_set_new(counts, "male", json_integer((json_int_t)co[2]));
    json_t *cc = json_object();
    for (size_t i = 0; i < S->cohort.n_conditions; i++)
        json_object_set_new(cc, S->cohort.condition[i], json_integer((json_int_t)co[3 + i]));
    json_object_set_new(counts, "conditions", cc);
    const uint64_t *ex = co + COHORT_SLOTS(S);
    json_t *exj = json_object();
    json_object_set_new(exj, "twins", json_integer((json_int_t)ex[0]));
    json_object_set_new(exj, "female", json_integer((json_int_t)ex[1]));
    json_object_set_new(exj, "male", json_integer((json_int_t)ex[2]));
    json_object_set_new(exj, "reason",
                        json_string("the physiology method cannot build the twin from its "
                                    "covariates (httk-pop: the organs take the whole weight, "
                                    "leaving no more than 1 kg of adipose tissue); such twins "
                                    "are left out of every figure below, as httk-pop leaves "
                                    "them out of its populations"));
    json_object_set_new(counts, "excluded", exj);
    json_object_set_new(root, "counts", counts);

    json_t *phen = json_object();
    for (size_t g = 0; g < S->n_genes; g++) {
        const gene_groups *G = &S->genes[g];
        json_t *x = json_object();
        for (size_t i = 0; i <= G->n_ph; i++) {
            uint64_t k = S->c[S->off_group + G->base + i];
            if (i == G->n_ph && !k)
                continue;
            json_object_set_new(x, i < G->n_ph ? G->ph[i] : "other", json_integer((json_int_t)k));
        }
        json_object_set_new(phen, G->gene, x);
    }
    json_object_set_new(root, "phenotypes", phen);

    json_t *drugs = json_array();
    for (size_t d = 0; d < S->n_drugs; d++) {
        json_t *dj = json_object();
        json_object_set_new(dj, "name", json_string(S->drug[d]));
        json_object_set_new(dj, "dosed", json_boolean(d < S->n_dosed));
        json_t *ms = json_object();
        for (size_t m = 0; m < N_METRICS; m++) {
            json_t *mj = json_object();
            json_object_set_new(mj, "overall", percentiles(hist(S, d, m, 0)));
            json_t *by = json_object();
            for (size_t g = 0; g < S->n_genes; g++) {
                const gene_groups *G = &S->genes[g];
                json_t *x = json_object();
                for (size_t i = 0; i <= G->n_ph; i++) {
                    if (!S->c[S->off_group + G->base + i])
                        continue;
                    json_object_set_new(x, i < G->n_ph ? G->ph[i] : "other",
                                        percentiles(hist(S, d, m, G->base + i)));
                }
                json_object_set_new(by, G->gene, x);
            }
            json_object_set_new(mj, "by_phenotype", by);
            json_object_set_new(ms, metric_name[m], mj);
        }
        json_object_set_new(dj, "metrics", ms);
        json_t *win = json_object();
        const uint64_t *wc = S->c + S->off_window + d * 4;
        if (!S->has_range[d]) {
            json_object_set_new(win, "range", json_null());
            json_object_set_new(win, "note",
                                json_string(d < S->n_dosed ? "no therapeutic range on the drug "
                                                             "card: exposure not judged"
                                                           : "a metabolite: not judged"));
        } else {
            json_t *rg = json_object();
            const char *rn[3] = {"low_mg_per_l", "high_mg_per_l", "toxic_above_mg_per_l"};
            for (int i = 0; i < 3; i++)
                json_object_set_new(rg, rn[i],
                                    isnan(S->range[d][i]) ? json_null() : num4(S->range[d][i]));
            json_object_set_new(win, "range", rg);
            uint64_t judged = wc[1] + wc[2] + wc[3];
            json_object_set_new(win, "judged", json_integer((json_int_t)judged));
            json_object_set_new(win, "share_below", share(wc[1], judged));
            json_object_set_new(win, "share_within", share(wc[2], judged));
            json_object_set_new(win, "share_above", share(wc[3], judged));
            json_object_set_new(win, "share_outside", share(wc[1] + wc[3], judged));
            json_object_set_new(win, "rule",
                                json_string("below: trough under the low bound; above: Cmax "
                                            "over the high bound or the toxic threshold"));
        }
        json_object_set_new(dj, "therapeutic_window", win);
        json_array_append_new(drugs, dj);
    }
    json_object_set_new(root, "drugs", drugs);

    const uint64_t *wa = S->c + S->off_warn;
    json_t *wj = json_object();
    for (size_t k = 0; k < N_KINDS; k++) {
        json_t *x = json_object();
        json_object_set_new(
            x, "warnings",
            json_integer((json_int_t)(wa[k * N_SEV] + wa[k * N_SEV + 1] + wa[k * N_SEV + 2])));
        json_object_set_new(x, "low", json_integer((json_int_t)wa[k * N_SEV]));
        json_object_set_new(x, "moderate", json_integer((json_int_t)wa[k * N_SEV + 1]));
        json_object_set_new(x, "high", json_integer((json_int_t)wa[k * N_SEV + 2]));
        json_object_set_new(x, "twins", json_integer((json_int_t)wa[N_KINDS * N_SEV + k]));
        json_object_set_new(wj, kind_names[k], x);
    }
    json_object_set_new(wj, "twins_with_any",
                        json_integer((json_int_t)wa[N_KINDS * N_SEV + N_KINDS]));
    json_object_set_new(root, "warnings", wj);

    *json = json_dumps(root, JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
    json_decref(root);
    return *json ? MT_OK : mt_error(ctx, MT_ENOMEM, "out of memory");
}

/* ---- plot ---------------------------------------------------------------------------------- */

static double quantile_of(const uint64_t *h, double q)
{
    uint64_t n = 0;
    for (size_t b = 1; b < NB; b++)
        n += h[b];
    if (!n)
        return NAN;
    uint64_t rank = (uint64_t)ceil(q * (double)n), acc = 0;
    if (rank < 1)
        rank = 1;
    for (size_t b = 1; b < NB; b++) {
        acc += h[b];
        if (acc >= rank)
            return bin_value(b);
    }
    return NAN;
}

mt_status mt_popsim_plot(mt_ctx *ctx, const mt_popsim *S, const char *path)
{
    /* the first drug's AUC(0-inf): empirical CDF (1st..99th percentile) overall and for each
     * phenotype of the gene whose group medians spread most */
    const size_t m = 0, d = 0;
    size_t best = SIZE_MAX;
    double spread = 0;
    for (size_t g = 0; g < S->n_genes; g++) {
        const gene_groups *G = &S->genes[g];
        double lo = INFINITY, hi = -INFINITY;
        for (size_t i = 0; i < G->n_ph; i++) {
            if (S->c[S->off_group + G->base + i] < 20)
                continue;
            double med = quantile_of(hist(S, d, m, G->base + i), 0.5);
            lo = fmin(lo, med);
            hi = fmax(hi, med);
        }
        if (hi > lo && hi / lo > spread) {
            spread = hi / lo;
            best = g;
        }
    }
    mt_plot_points sets[1 + MAX_PHENOTYPES];
    double xs[1 + MAX_PHENOTYPES][99], ys[99];
    char names[1 + MAX_PHENOTYPES][128];
    size_t ns = 0;
    for (int i = 0; i < 99; i++)
        ys[i] = (i + 1) / 100.0;
    size_t groups[1 + MAX_PHENOTYPES], n_groups = 0;
    groups[n_groups++] = 0;
    snprintf(names[0], sizeof names[0], "everyone (n=%llu)",
             (unsigned long long)S->c[S->off_group]);
    if (best != SIZE_MAX)
        for (size_t i = 0; i < S->genes[best].n_ph; i++) {
            size_t g = S->genes[best].base + i;
            if (S->c[S->off_group + g] < 20)
                continue;
            snprintf(names[n_groups], sizeof names[n_groups], "%s %s (n=%llu)", S->genes[best].gene,
                     S->genes[best].ph[i], (unsigned long long)S->c[S->off_group + g]);
            groups[n_groups++] = g;
        }
    for (size_t s = 0; s < n_groups; s++) {
        for (int i = 0; i < 99; i++)
            xs[s][i] = quantile_of(hist(S, d, m, groups[s]), ys[i]);
        sets[ns].name = names[s];
        sets[ns].n = 99;
        sets[ns].x = xs[s];
        sets[ns].y = ys;
        ns++;
    }
    char title[256], xl[128];
    snprintf(title, sizeof title, "%s: AUC(0-inf) across %llu twins%s%s", S->drug[d],
             (unsigned long long)S->c[S->off_group], best != SIZE_MAX ? ", by " : "",
             best != SIZE_MAX ? S->genes[best].gene : "");
    snprintf(xl, sizeof xl, "AUC(0-inf) (mg*h/L)");
    mt_plot_xy_options po = {
        .title = title, .xlabel = xl, .ylabel = "cumulative share", .log_x = 1};
    return mt_plot_xy(ctx, path, &po, ns, sets, 0, NULL);
}
