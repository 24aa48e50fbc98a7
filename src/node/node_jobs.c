/* SPDX-License-Identifier: Apache-2.0
 *
 * node/node_jobs.c — the node's persistent job queue (docs/jobs.md):
 *   POST /jobs                  {"kind": "simulate"|"predict"|"fit"|"dose"|"population", ...}
 *   GET  /jobs                  the caller's group's jobs, newest first (paged)
 *   GET  /jobs/{id}             status, progress, times, error, result resource
 *   POST /jobs/{id}/cancel      queued: cancelled at once; running: stops at its next check
 *   GET  /jobs/{id}/result      the result's content (decrypted for jobs on a person)
 *
 * A job is a row of the table jobs (migration 4), claimed by one of the worker threads
 * (mt_node_options.job_workers, default 2) in a transaction (PostgreSQL: FOR UPDATE SKIP
 * LOCKED; SQLite: BEGIN IMMEDIATE), run, and finished in one more transaction that stores its
 * result as a resource (dataset: simulate, population; report: predict, fit, dose) and marks
 * it done together: a result exists exactly when its job is done, never twice. Jobs left
 * running by a process that died are queued again at the next start, at most MAX_ATTEMPTS
 * times in all; then they fail.
 *
 * A predict job may name a research cohort instead of one person ("cohort": node_cohorts.c):
 * run_predict for each member active when the job runs (consent re-checked then), the result
 * an aggregate (per-drug exposure percentiles, members used and left out by reason), sealed
 * with a per-job key like an inline profile's (docs/jobs.md "Predict on a research cohort").
 *
 * Personal data: a job on a person (predict, fit, dose: a twin, or an inline profile) keeps
 * only the twin's pseudonym in plain text; its parameters and its result are encrypted with the
 * twin's data key (node/privacy.h: erasing the twin makes both unreadable, 410), or, for an
 * inline profile, with a random per-job key stored wrapped with the node's wrap key. Reading
 * the twin's profile to run the job, and reading such a result, append audit entries.
 */
#define _GNU_SOURCE
#include "medtwin/medtwin.h"
#include "medtwin/population.h"
#include "node/audit.h"
#include "node/node_internal.h"
#include "node/privacy.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_ATTEMPTS 3
#define MAX_WORKERS 64
#define MAX_LIST 500
#define MAX_REG 8
#define MAX_POP_N 100000
#define MAX_LEVELS 1000
#define MAX_SIM_STEPS 10000
#define MAX_PARAMS_BYTES ((size_t)1 << 20)
#define SEALED_MEDIA "application/json; enc=xchacha20poly1305"
#define CHECK_EVERY_S 0.25

const mt_store_migration mt_node_migration_jobs = {
    4,
    "CREATE TABLE jobs(id TEXT PRIMARY KEY, kind TEXT NOT NULL CHECK (kind IN ('simulate',"
    "'predict','fit','dose','population')), status TEXT NOT NULL CHECK (status IN ('queued',"
    "'running','done','failed','cancelled')), group_id TEXT NOT NULL, owner TEXT NOT NULL, role "
    "TEXT NOT NULL, params TEXT NOT NULL, sealed BLOB, job_key BLOB, twin_id TEXT, progress REAL "
    "NOT NULL DEFAULT 0, attempts INTEGER NOT NULL DEFAULT 0, cancel_requested INTEGER NOT NULL "
    "DEFAULT 0, claim TEXT, error TEXT, result_id TEXT, created TEXT NOT NULL, started TEXT, "
    "finished TEXT, updated TEXT NOT NULL);"
    "CREATE INDEX jobs_queue ON jobs(status, created);"
    "CREATE INDEX jobs_group ON jobs(group_id, created)",
    "CREATE TABLE jobs(id TEXT PRIMARY KEY, kind TEXT NOT NULL CHECK (kind IN ('simulate',"
    "'predict','fit','dose','population')), status TEXT NOT NULL CHECK (status IN ('queued',"
    "'running','done','failed','cancelled')), group_id TEXT NOT NULL, owner TEXT NOT NULL, role "
    "TEXT NOT NULL, params TEXT NOT NULL, sealed BYTEA, job_key BYTEA, twin_id TEXT, progress "
    "DOUBLE PRECISION NOT NULL DEFAULT 0, attempts BIGINT NOT NULL DEFAULT 0, cancel_requested "
    "BIGINT NOT NULL DEFAULT 0, claim TEXT, error TEXT, result_id TEXT, created TEXT NOT NULL, "
    "started TEXT, finished TEXT, updated TEXT NOT NULL);"
    "CREATE INDEX jobs_queue ON jobs(status, created);"
    "CREATE INDEX jobs_group ON jobs(group_id, created)"};

struct mt_node_jobs {
    mt_node *nd;
    pthread_t th[MAX_WORKERS];
    int n;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop, wake;
};

static double mono_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int is_pg(mt_node *nd) { return mt_store_dialect_of(nd->store) == MT_DIALECT_POSTGRES; }

static int person_kind(const char *kind)
{
    return !strcmp(kind, "predict") || !strcmp(kind, "fit") || !strcmp(kind, "dose");
}

/* ---- the jobs' blobs ---------------------------------------------------------------------- */

typedef struct {
    unsigned char *p;
    size_t n;
    int found, oom;
} blob_copy;

static void blob_free(blob_copy *b)
{
    if (b->p)
        sodium_memzero(b->p, b->n);
    free(b->p);
    memset(b, 0, sizeof *b);
}

/* ---- small helpers ------------------------------------------------------------------------ */

static void wipe_free(char *s, size_t n)
{
    if (s) {
        sodium_memzero(s, n);
        free(s);
    }
}

static mt_status exec0(mt_store_conn *c, mt_ctx *ctx, const char *sql, size_t n, const mt_value *p,
                       int64_t *changes)
{
    return mt_store_exec(c, ctx, sql, n, p, NULL, NULL, changes);
}

/* The job's key: the twin's data key (twin jobs) or the unwrapped per-job key. 0, or the HTTP
 * status (410: the twin was erased; 500: message on ctx). */
static int job_key(mt_node *nd, mt_store_conn *c, mt_ctx *ctx, const char *job_id, const char *twin,
                   const unsigned char *wrapped, size_t wrapped_n,
                   unsigned char dk[MT_PRIVACY_KEY_BYTES])
{
    if (!nd->keys) {
        mt_error(ctx, MT_EINVAL,
                 "this node runs without its key: jobs on persons are not available");
        return 503;
    }
    if (twin && *twin) {
        int code = mt_node_twin_key(nd, c, ctx, NULL, twin, dk);
        if (code == 404)
            mt_error(ctx, MT_ENOTFOUND, "twin %s no longer exists", twin);
        if (code == 410)
            mt_error(ctx, MT_ENOTFOUND, "twin %s was erased", twin);
        return code == 404 ? 410 : code;
    }
    char aad[64];
    snprintf(aad, sizeof aad, "job %s", job_id);
    if (!wrapped) {
        mt_error(ctx, MT_EIO, "job %s: its key is missing", job_id);
        return 500;
    }
    return mt_privacy_unwrap(ctx, nd->keys, aad, wrapped, wrapped_n, dk) == MT_OK ? 0 : 500;
}

/* ---- parameters --------------------------------------------------------------------------- */

typedef struct {
    char field[64];
    char msg[400];
} bad_param;

static int badp(bad_param *b, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int badp(bad_param *b, const char *field, const char *fmt, ...)
{
    snprintf(b->field, sizeof b->field, "%s", field);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b->msg, sizeof b->msg, fmt, ap);
    va_end(ap);
    return 0;
}

static int allowed_keys(json_t *o, const char *const *keys, const char *kind, bad_param *b)
{
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
    {
        int ok = 0;
        for (const char *const *p = keys; *p && !ok; p++)
            ok = !strcmp(*p, k);
        if (!ok)
            return badp(b, k, "%.40s: not a parameter of a %s job", k, kind);
    }
    return 1;
}

static int num_in(json_t *o, const char *k, double lo, double hi, double def, double *out,
                  bad_param *b)
{
    json_t *v = json_object_get(o, k);
    if (!v) {
        *out = def;
        if (isnan(def))
            return badp(b, k, "%s is required (a number in (%g, %g])", k, lo, hi);
        return 1;
    }
    if (!json_is_number(v) || !(json_number_value(v) > lo) || !(json_number_value(v) <= hi))
        return badp(b, k, "%s: a number in (%g, %g]", k, lo, hi);
    *out = json_number_value(v);
    return 1;
}

static int int_in(json_t *o, const char *k, long long lo, long long hi, long long def,
                  long long *out, bad_param *b)
{
    json_t *v = json_object_get(o, k);
    if (!v) {
        *out = def;
        return 1;
    }
    if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
        return badp(b, k, "%s: a whole number %lld..%lld", k, lo, hi);
    *out = (long long)json_integer_value(v);
    return 1;
}

/* regimens: an array of 1..MAX_REG texts (or, with alt, a single string under alt). */
static int regimens_of(json_t *o, const char *alt, int required, const char *regs[MAX_REG],
                       size_t *n, bad_param *b)
{
    *n = 0;
    json_t *a = json_object_get(o, "regimens"), *one = alt ? json_object_get(o, alt) : NULL;
    if (a && one)
        return badp(b, alt, "give regimens or %s, not both", alt);
    if (one) {
        if (!json_is_string(one) || !json_string_length(one) ||
            !mt_node_text_ok(json_string_value(one), 200))
            return badp(b, alt, "%s: a regimen text of 1..200 characters", alt);
        regs[(*n)++] = json_string_value(one);
        return 1;
    }
    if (!a)
        return required ? badp(b, "regimens",
                               "regimens is required: an array of 1..%d regimen texts, e.g. "
                               "[\"omeprazole 20 mg po once\"]",
                               MAX_REG)
                        : 1;
    if (!json_is_array(a) || json_array_size(a) < 1 || json_array_size(a) > MAX_REG)
        return badp(b, "regimens", "regimens: an array of 1..%d regimen texts", MAX_REG);
    for (size_t i = 0; i < json_array_size(a); i++) {
        json_t *s = json_array_get(a, i);
        if (!json_is_string(s) || !json_string_length(s) ||
            !mt_node_text_ok(json_string_value(s), 200))
            return badp(b, "regimens", "regimens[%zu]: a regimen text of 1..200 characters", i);
        regs[(*n)++] = json_string_value(s);
    }
    return 1;
}

/* Checks what a regimen text can be checked for without the person (weight: per-kg doses). */
static int regimens_parse_ok(mt_ctx *ctx, const char *const *regs, size_t n, double until_h,
                             double weight, const char *drug, bad_param *b)
{
    for (size_t i = 0; i < n; i++) {
        mt_regimen r;
        memset(&r, 0, sizeof r);
        if (mt_regimen_parse(ctx, regs[i], until_h, weight, &r) != MT_OK)
            return badp(b, "regimens", "regimens[%zu]: %.300s", i, mt_errmsg(ctx));
        int other = drug && strcmp(r.drug, drug);
        char d[64];
        snprintf(d, sizeof d, "%s", r.drug);
        mt_regimen_clear(&r);
        if (other)
            return badp(b, "regimens", "regimens[%zu]: the drug is %s, not %s", i, d, drug);
    }
    return 1;
}

/* The levels of fit/dose: [{"time_h": T, "conc_mg_l": C} | {"time_h": T, "inr": I}, ...]. */
static int levels_ok(json_t *o, bad_param *b)
{
    json_t *a = json_object_get(o, "levels");
    if (!a)
        return 1;
    if (!json_is_array(a) || json_array_size(a) > MAX_LEVELS)
        return badp(b, "levels",
                    "levels: an array of at most %d {\"time_h\", \"conc_mg_l\" or "
                    "\"inr\"} objects",
                    MAX_LEVELS);
    for (size_t i = 0; i < json_array_size(a); i++) {
        json_t *l = json_array_get(a, i), *t = json_object_get(l, "time_h"),
               *c = json_object_get(l, "conc_mg_l"), *r = json_object_get(l, "inr");
        if (!json_is_object(l) || json_object_size(l) != 2 || !json_is_number(t) ||
            !(json_number_value(t) >= 0) || !(json_number_value(t) < 1e6) || (!c == !r) ||
            !json_is_number(c ? c : r) || !(json_number_value(c ? c : r) > 0) ||
            !(json_number_value(c ? c : r) < 1e6))
            return badp(b, "levels",
                        "levels[%zu]: {\"time_h\": T >= 0, \"conc_mg_l\": C > 0} or "
                        "{\"time_h\": T, \"inr\": I > 0}",
                        i);
    }
    return 1;
}

static int num_list_ok(json_t *o, const char *k, double lo, double hi, size_t max, bad_param *b)
{
    json_t *a = json_object_get(o, k);
    if (!a)
        return 1;
    if (!json_is_array(a) || !json_array_size(a) || json_array_size(a) > max)
        return badp(b, k, "%s: an array of 1..%zu numbers in (%g, %g]", k, max, lo, hi);
    for (size_t i = 0; i < json_array_size(a); i++) {
        json_t *v = json_array_get(a, i);
        if (!json_is_number(v) || !(json_number_value(v) > lo) || !(json_number_value(v) <= hi))
            return badp(b, k, "%s[%zu]: a number in (%g, %g]", k, i, lo, hi);
    }
    return 1;
}

/* Validates a job's parameters (the body less "kind"). 1 valid; 0 with b filled. */
static int validate(mt_ctx *ctx, const char *kind, json_t *p, bad_param *b)
{
    double x;
    long long i;
    const char *regs[MAX_REG];
    size_t nr;
    if (!strcmp(kind, "simulate")) {
        static const char *const keys[] = {"kind", "model", "version", "end", "steps", "set", NULL};
        const char *model = mt_node_json_str(p, "model", NULL),
                   *ver = mt_node_json_str(p, "version", NULL);
        json_t *set = json_object_get(p, "set");
        if (!allowed_keys(p, keys, kind, b))
            return 0;
        if (!model || !mt_node_valid_uuid(model))
            return badp(b, "model", "model: the id of a model (a UUID) is required");
        if (json_object_get(p, "version") && (!ver || !mt_node_valid_sha(ver)))
            return badp(b, "version", "version: a version's sha256 (64 lower-case hex digits)");
        if (!num_in(p, "end", 0, 1e7, NAN, &x, b) ||
            !int_in(p, "steps", 1, MAX_SIM_STEPS, 100, &i, b))
            return 0;
        if (set && (!json_is_object(set) || json_object_size(set) > 200))
            return badp(b, "set", "set: an object of at most 200 {\"id\": number}");
        const char *k;
        json_t *v;
        json_object_foreach(set, k, v)
        {
            if (!mt_node_valid_name(k, 64) || !json_is_number(v) || !isfinite(json_number_value(v)))
                return badp(b, "set", "set.%.64s: an SBML id mapped to a finite number", k);
        }
        return 1;
    }
    if (!strcmp(kind, "population")) {
        static const char *const keys[] = {"kind",    "population", "n",      "seed", "regimens",
                                           "regimen", "until_h",    "female", NULL};
        if (!allowed_keys(p, keys, kind, b))
            return 0;
        json_t *pop = json_object_get(p, "population");
        if (pop && (!json_is_string(pop) || !mt_node_valid_name(json_string_value(pop), 63)))
            return badp(b, "population", "population: a population id such as \"european\"");
        json_t *n = json_object_get(p, "n");
        if (!json_is_integer(n) || json_integer_value(n) < 1 || json_integer_value(n) > MAX_POP_N)
            return badp(b, "n", "n: the number of twins, a whole number 1..%d", MAX_POP_N);
        json_t *seed = json_object_get(p, "seed");
        if (seed && (!json_is_integer(seed) || json_integer_value(seed) < 0))
            return badp(b, "seed", "seed: a whole number >= 0");
        if (!num_in(p, "until_h", 0, 720, 24, &x, b))
            return 0;
        json_t *fem = json_object_get(p, "female");
        if (fem && (!json_is_number(fem) || !(json_number_value(fem) >= 0) ||
                    !(json_number_value(fem) <= 1)))
            return badp(b, "female", "female: the share of women, a number in [0, 1]");
        if (!regimens_of(p, "regimen", 1, regs, &nr, b) ||
            !regimens_parse_ok(ctx, regs, nr, x, NAN, NULL, b))
            return 0;
        mt_population *P = NULL;
        if (mt_population_load(ctx, NULL, mt_node_json_str(p, "population", "european"), &P) !=
            MT_OK)
            return badp(b, "population", "population: %.300s", mt_errmsg(ctx));
        mt_population_destroy(P);
        return 1;
    }
    /* predict, fit, dose: a person (twin or inline profile) */
    static const char *const pkeys[] = {"kind",     "twin",    "profile", "cohort",
                                        "regimens", "until_h", "steps",   NULL};
    static const char *const fkeys[] = {"kind",   "twin",     "profile", "drug",
                                        "levels", "regimens", NULL};
    static const char *const dkeys[] = {"kind",     "twin",    "profile",     "drug",      "levels",
                                        "regimens", "target",  "intervals_h", "doses_mg",  "draws",
                                        "seed",     "typical", "infusion_h",  "horizon_h", NULL};
    int predict = !strcmp(kind, "predict"), dose = !strcmp(kind, "dose");
    if (!allowed_keys(p, predict ? pkeys : dose ? dkeys : fkeys, kind, b))
        return 0;
    json_t *twin = json_object_get(p, "twin"), *prof = json_object_get(p, "profile"),
           *cohort = predict ? json_object_get(p, "cohort") : NULL;
    if (cohort && (twin || prof))
        return badp(b, "cohort", "give one of twin, profile or cohort, not %s and cohort",
                    twin ? "twin" : "profile");
    if (cohort && (!json_is_string(cohort) || !mt_node_valid_uuid(json_string_value(cohort))))
        return badp(b, "cohort", "cohort: a cohort's id (a UUID)");
    if (!cohort && !twin == !prof)
        return badp(b, twin ? "profile" : "twin",
                    "give either twin (a twin's id) or profile (a patient profile)%s, not %s",
                    predict ? " or cohort (a cohort's id)" : "", twin ? "both" : "neither");
    if (twin && (!json_is_string(twin) || !mt_node_valid_pseudonym(json_string_value(twin))))
        return badp(b, "twin", "twin: a twin's id (32 lower-case hex digits)");
    double weight = 70; /* for the syntax check of per-kg doses; the person's at run time */
    if (prof) {
        if (!json_is_object(prof))
            return badp(b, "profile", "profile: a patient profile (a JSON object)");
        char *text = json_dumps(prof, JSON_COMPACT);
        mt_profile *pp = NULL;
        mt_status st = text ? mt_profile_parse(ctx, text, strlen(text), &pp) : MT_ENOMEM;
        wipe_free(text, text ? strlen(text) : 0);
        if (st != MT_OK)
            return badp(b, "profile", "profile: %.300s", mt_errmsg(ctx));
        if (mt_profile_weight_kg(pp) > 0)
            weight = mt_profile_weight_kg(pp);
        mt_profile_destroy(pp);
    }
    if (predict) {
        double until;
        if (!num_in(p, "until_h", 0, 720, 24, &until, b) ||
            !int_in(p, "steps", 1, 100000, 0, &i, b) || !regimens_of(p, NULL, 1, regs, &nr, b) ||
            !regimens_parse_ok(ctx, regs, nr, until, weight, NULL, b))
            return 0;
        return 1;
    }
    const char *drug = mt_node_json_str(p, "drug", NULL);
    if (!drug || !mt_node_valid_name(drug, 63))
        return badp(b, "drug", "drug: a population-PK drug such as \"vancomycin\" is required");
    mt_poppk *card = NULL;
    if (mt_poppk_load(ctx, drug, &card) != MT_OK)
        return badp(b, "drug", "drug: %.300s", mt_errmsg(ctx));
    char cdrug[64];
    snprintf(cdrug, sizeof cdrug, "%s", mt_poppk_drug(card));
    mt_poppk_destroy(card);
    if (!levels_ok(p, b) || !regimens_of(p, NULL, 0, regs, &nr, b) ||
        !regimens_parse_ok(ctx, regs, nr, 24 * 365, weight, cdrug, b))
        return 0;
    if (!dose)
        return 1;
    const char *target = mt_node_json_str(p, "target", NULL);
    mt_target tg;
    if (!target || mt_target_parse(ctx, target, &tg) != MT_OK)
        return badp(b, "target", "target: %s",
                    target ? mt_errmsg(ctx) : "required, e.g. \"auc24 400-600\"");
    json_t *typ = json_object_get(p, "typical");
    if (typ && !json_is_boolean(typ))
        return badp(b, "typical", "typical: true or false");
    if (!num_list_ok(p, "intervals_h", 0, 168, 16, b) ||
        !num_list_ok(p, "doses_mg", 0, 100000, 512, b) ||
        !int_in(p, "draws", 1, 2000, 200, &i, b) ||
        !int_in(p, "seed", 0, (long long)1 << 62, 1, &i, b) ||
        !num_in(p, "infusion_h", 0, 24, 1, &x, b) || !num_in(p, "horizon_h", 0, 4320, 336, &x, b))
        return 0;
    return 1;
}

/* ---- running a job ------------------------------------------------------------------------ */

typedef struct {
    mt_node *nd;
    struct mt_node_jobs *J;
    mt_ctx *ctx;
    char id[37], kind[16], claim[33], twin[40];
    mt_node_principal who; /* the submitter */
    double last_check;
    int cancel, stop;
    double progress;
} job_run;

/* Records progress and reads the cancel flag, at most every CHECK_EVERY_S (force: now).
 * Returns 1 when the job should stop (cancelled, or the node is stopping). */
static int job_check(job_run *jr, double progress, int force)
{
    pthread_mutex_lock(&jr->J->mu);
    jr->stop = jr->J->stop;
    pthread_mutex_unlock(&jr->J->mu);
    double t = mono_s();
    jr->progress = progress;
    if (!force && t - jr->last_check < CHECK_EVERY_S)
        return jr->cancel || jr->stop;
    jr->last_check = t;
    mt_ctx *ctx = NULL;
    mt_store_conn *c;
    if (mt_ctx_create(&ctx) != MT_OK || mt_store_acquire(jr->nd->store, ctx, &c) != MT_OK) {
        mt_ctx_destroy(ctx);
        return jr->cancel || jr->stop;
    }
    char ts[40];
    mt_node_now_iso(ts);
    if (exec0(c, ctx, "UPDATE jobs SET progress = ?, updated = ? WHERE id = ? AND claim = ?", 4,
              (mt_value[]){mt_v_real(progress), mt_v_text(ts), mt_v_text(jr->id),
                           mt_v_text(jr->claim)},
              NULL) != MT_OK)
        mt_error_clear(ctx);
    json_t *rows = mt_node_query(c, ctx, "SELECT cancel_requested FROM jobs WHERE id = ?", 1,
                                 (mt_value[]){mt_v_text(jr->id)});
    if (rows && json_integer_value(json_object_get(json_array_get(rows, 0), "cancel_requested")))
        jr->cancel = 1;
    json_decref(rows);
    mt_store_release(c);
    mt_ctx_destroy(ctx);
    return jr->cancel || jr->stop;
}

static json_t *jnum(double v) { return isfinite(v) ? json_real(v) : json_null(); }

static json_t *num_array(const double *x, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, jnum(x[i]));
    return a;
}

static mt_status run_simulate(job_run *jr, json_t *p, json_t **out, char *model_ref, size_t mref)
{
    mt_ctx *ctx = jr->ctx;
    const char *id = mt_node_json_str(p, "model", ""), *ver = mt_node_json_str(p, "version", NULL);
    mt_store_conn *c;
    mt_status st = mt_store_acquire(jr->nd->store, ctx, &c);
    if (st != MT_OK)
        return st;
    int err = 0;
    json_t *r = mt_node_get_resource(c, ctx, &jr->who, id, &err);
    mt_node_blob bo = {0};
    if (r && !strcmp(mt_node_json_str(r, "kind", ""), "model"))
        st = mt_node_version_content(c, ctx, id, ver, &bo);
    mt_store_release(c);
    json_decref(r);
    if (err || st != MT_OK) {
        free(bo.data);
        return err ? MT_EIO : st;
    }
    if (!bo.data)
        return mt_error(ctx, MT_ENOTFOUND, "no model %s%s%s", id, ver ? " version " : "",
                        ver ? ver : "");
    char sha[65];
    mt_node_sha256_hex(bo.data, bo.n, sha);
    snprintf(model_ref, mref, "%s@%s", id, sha);
    mt_model *m = NULL;
    mt_program *pr = NULL;
    mt_sim *s = NULL;
    mt_result *res = NULL;
    st = mt_model_load_string(ctx, bo.data, bo.n, NULL, &m);
    free(bo.data);
    if (st == MT_OK)
        st = mt_program_create(ctx, m, &pr);
    if (st == MT_OK)
        st = mt_sim_create(ctx, pr, &s);
    const char *k;
    json_t *v;
    json_t *set = json_object_get(p, "set");
    json_object_foreach(set, k, v)
    {
        if (st == MT_OK && (st = mt_sim_set_value(s, k, json_number_value(v))) != MT_OK)
            st = mt_error(ctx, MT_EINVAL, "set.%s: %s", k, mt_errmsg(ctx));
    }
    json_t *steps = json_object_get(p, "steps");
    if (st == MT_OK)
        st = mt_sim_run(s, 0, json_number_value(json_object_get(p, "end")),
                        steps ? (long)json_integer_value(steps) : 100, &res);
    if (st == MT_OK) {
        json_t *o = json_object(), *cols = json_array(), *rows = json_array();
        json_array_append_new(cols, json_string("time"));
        for (size_t j = 0; j < mt_result_n_cols(res); j++)
            json_array_append_new(cols, json_string(mt_result_col_id(res, j)));
        for (size_t i = 0; i < mt_result_n_rows(res); i++) {
            json_t *row = json_array();
            json_array_append_new(row, json_real(mt_result_time(res, i)));
            for (size_t j = 0; j < mt_result_n_cols(res); j++)
                json_array_append_new(row, jnum(mt_result_value(res, i, j)));
            json_array_append_new(rows, row);
        }
        json_object_set_new(o, "model", json_string(id));
        json_object_set_new(o, "version", json_string(sha));
        json_object_set_new(o, "columns", cols);
        json_object_set_new(o, "rows", rows);
        *out = o;
    }
    mt_result_destroy(res);
    mt_sim_destroy(s);
    mt_program_destroy(pr);
    mt_model_destroy(m);
    return st;
}

static void pop_progress(void *arg, uint64_t done, uint64_t total)
{
    job_run *jr = arg;
    job_check(jr, total ? (double)done / (double)total : 0, 0);
}

static void dose_progress(size_t done, size_t total, void *arg)
{
    job_check(arg, total ? (double)done / (double)total : 0, 0);
}

/* The libraries' cancellation hook: the node stopping, or a cancel request (read from the
 * store at most every CHECK_EVERY_S, with the progress last recorded). */
static int job_cancelled(void *arg)
{
    job_run *jr = arg;
    return job_check(jr, jr->progress, 0);
}

static mt_status run_population(job_run *jr, json_t *p, json_t **out)
{
    mt_ctx *ctx = jr->ctx;
    const char *regs[MAX_REG];
    size_t nr;
    bad_param b;
    if (!regimens_of(p, "regimen", 1, regs, &nr, &b))
        return mt_error(ctx, MT_EINVAL, "%s", b.msg);
    mt_population *pop = NULL;
    mt_status st =
        mt_population_load(ctx, NULL, mt_node_json_str(p, "population", "european"), &pop);
    if (st != MT_OK)
        return st;
    mt_cohort_options co;
    mt_cohort_options_default(&co);
    double lo, hi;
    mt_population_age_range(pop, &lo, &hi);
    co.age_lo = fmax(co.age_lo, lo);
    co.age_hi = fmin(co.age_hi, hi);
    json_t *fem = json_object_get(p, "female");
    if (fem)
        co.female = json_number_value(fem);
    st = mt_cohort_check(pop, ctx, &co);
    json_t *until = json_object_get(p, "until_h");
    mt_popsim_options o = {.pop = pop,
                           .cohort = co,
                           .seed = (uint64_t)json_integer_value(json_object_get(p, "seed")),
                           .n = (uint64_t)json_integer_value(json_object_get(p, "n")),
                           .n_regimens = nr,
                           .regimens = regs,
                           .until_h = until ? json_number_value(until) : 24,
                           .threads = 1,
                           .rank = 0,
                           .n_ranks = 1,
                           .progress = pop_progress,
                           .progress_arg = jr,
                           .cancelled = job_cancelled,
                           .cancelled_arg = jr};
    mt_popsim *S = NULL;
    if (st == MT_OK)
        st = mt_popsim_run(ctx, &o, &S);
    char *text = NULL;
    if (st == MT_OK)
        st = mt_popsim_summary(ctx, S, &text);
    if (st == MT_OK) {
        json_error_t je;
        if (!(*out = json_loads(text, 0, &je)))
            st = mt_error(ctx, MT_EIO, "population: the summary is not JSON: %s", je.text);
    }
    free(text);
    mt_popsim_destroy(S);
    mt_population_destroy(pop);
    return st;
}

static mt_status run_predict(job_run *jr, json_t *p, const mt_profile *person, json_t **out)
{
    mt_ctx *ctx = jr->ctx;
    const char *regs[MAX_REG];
    size_t nr;
    bad_param b;
    if (!regimens_of(p, NULL, 1, regs, &nr, &b))
        return mt_error(ctx, MT_EINVAL, "%s", b.msg);
    json_t *u = json_object_get(p, "until_h"), *steps = json_object_get(p, "steps");
    double until = u ? json_number_value(u) : 24;
    double wt = mt_profile_weight_kg(person);
    mt_regimen reg[MAX_REG];
    memset(reg, 0, sizeof reg);
    mt_status st = MT_OK;
    size_t parsed = 0;
    for (; st == MT_OK && parsed < nr; parsed++)
        if ((st = mt_regimen_parse(ctx, regs[parsed], until, wt > 0 ? wt : NAN, &reg[parsed])) !=
            MT_OK)
            st = mt_error(ctx, st, "regimens[%zu]: %s", parsed, mt_errmsg(ctx));
    mt_twin_tables *tt = NULL;
    if (st == MT_OK)
        st = mt_twin_tables_load(ctx, NULL, &tt);
    mt_prediction pr;
    memset(&pr, 0, sizeof pr);
    mt_predict_options o = {.until_h = until, .steps = steps ? (long)json_integer_value(steps) : 0};
    if (st == MT_OK)
        st = mt_predict(ctx, tt, person, nr, reg, 0, NULL, NULL, &o, &pr);
    if (st == MT_OK) {
        json_t *root = json_object(), *drugs = json_array(), *rj = json_array();
        for (size_t d = 0; d < nr; d++)
            json_array_append_new(rj, json_string(regs[d]));
        for (size_t j = 0; j < pr.n_drugs; j++) {
            const mt_predicted_drug *g = &pr.drugs[j];
            const mt_exposure *e = &g->exposure;
            json_t *dj = json_object();
            json_object_set_new(dj, "name", json_string(g->drug));
            json_object_set_new(dj, "matrix", json_string("plasma"));
            json_object_set_new(dj, "time_h", num_array(pr.time_h, pr.n_times));
            json_object_set_new(dj, "conc_mg_per_l", num_array(g->conc_mg_l, pr.n_times));
            json_object_set_new(dj, "auc_0_inf_mg_h_per_l", jnum(e->auc_0_inf));
            json_object_set_new(dj, "auc_0_24_mg_h_per_l", jnum(e->auc_0_24));
            json_object_set_new(dj, "auc_0_last_mg_h_per_l", jnum(e->auc_0_last));
            json_object_set_new(dj, "cmax_mg_per_l", jnum(e->cmax));
            json_object_set_new(dj, "tmax_h", jnum(e->tmax));
            json_object_set_new(dj, "ctrough_mg_per_l", jnum(e->ctrough));
            if (g->urine_mg) /* where the twin integrates it (medtwin/predict.h) */
                json_object_set_new(dj, "urine_mg", num_array(g->urine_mg, pr.n_times));
            json_array_append_new(drugs, dj);
        }
        json_object_set_new(root, "regimens", rj);
        json_object_set_new(root, "until_h", json_real(until));
        json_object_set_new(root, "drugs", drugs);
        *out = root;
    }
    mt_prediction_clear(&pr);
    mt_twin_tables_destroy(tt);
    for (size_t d = 0; d < nr; d++)
        mt_regimen_clear(&reg[d]);
    return st;
}

/* ---- predict on a research cohort ---------------------------------------------------------- */

/* The exposures of run_predict's result summarised across a cohort's members. */
static const char *const EXPOSURES[] = {"auc_0_inf_mg_h_per_l",
                                        "auc_0_24_mg_h_per_l",
                                        "auc_0_last_mg_h_per_l",
                                        "cmax_mg_per_l",
                                        "tmax_h",
                                        "ctrough_mg_per_l",
                                        NULL};

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* {"n", "p5", "p25", "p50", "p75", "p95"} of the finite numbers of a (linear interpolation
 * between order statistics); percentiles null when there is none. */
static json_t *percentiles(json_t *a)
{
    size_t n = 0, m = json_array_size(a);
    double *x = malloc((m ? m : 1) * sizeof *x);
    for (size_t i = 0; x && i < m; i++)
        if (json_is_number(json_array_get(a, i)))
            x[n++] = json_number_value(json_array_get(a, i));
    if (x)
        qsort(x, n, sizeof *x, cmp_double);
    json_t *o = json_object();
    json_object_set_new(o, "n", json_integer((json_int_t)n));
    static const int q[] = {5, 25, 50, 75, 95};
    for (size_t k = 0; k < 5; k++) {
        char key[8];
        snprintf(key, sizeof key, "p%d", q[k]);
        double v = NAN;
        if (x && n) {
            double h = (double)(n - 1) * q[k] / 100.0, f = floor(h);
            size_t lo = (size_t)f, hi = lo + 1 < n ? lo + 1 : lo;
            v = x[lo] + (h - f) * (x[hi] - x[lo]);
        }
        json_object_set_new(o, key, jnum(v));
    }
    free(x);
    return o;
}

/* One active member: its data key and latest profile (the read recorded in the audit log, as
 * for a job on that twin) and run_predict on it. OUT: *pred (run_predict's result). 0 done, or
 * the reason it was left out ("erased", "not_found", "no_consent", "failed": message on ctx);
 * NULL with *fatal on a storage error. */
static const char *predict_member(job_run *jr, const char *twin, const char *purpose, json_t *p,
                                  json_t **pred, int *fatal)
{
    mt_ctx *ctx = jr->ctx;
    mt_node *nd = jr->nd;
    *pred = NULL;
    mt_store_conn *c;
    if (mt_store_acquire(nd->store, ctx, &c) != MT_OK)
        return *fatal = 1, NULL;
    /* consent once more, just before the read: a withdrawal during the run is honoured */
    int ok = mt_node_twin_consented(c, ctx, twin, purpose);
    unsigned char dk[MT_PRIVACY_KEY_BYTES];
    int code = ok == 1 ? mt_node_twin_key(nd, c, ctx, NULL, twin, dk) : 0;
    char *text = NULL;
    size_t len = 0;
    mt_status st = ok < 0 || code == 500 ? MT_EIO : MT_OK;
    const char *why = ok == 0 ? "no_consent" : code == 410 ? "erased" : code ? "not_found" : NULL;
    if (st == MT_OK && !why)
        st = mt_node_twin_profile(c, ctx, twin, 0, dk, &text, &len);
    sodium_memzero(dk, sizeof dk);
    if (st == MT_OK && !why) { /* no entry, no data */
        int pg = is_pg(nd);
        st = mt_store_begin(c, ctx);
        if (st == MT_OK) {
            mt_status a = mt_audit_lock(c, ctx, pg);
            if (a == MT_OK)
                a = mt_audit_append(c, ctx, pg, nd->keys, jr->who.id, "twin.read", twin);
            st = mt_store_finish(c, ctx, a);
        }
    }
    mt_store_release(c);
    if (st != MT_OK) {
        wipe_free(text, len);
        return *fatal = 1, NULL;
    }
    if (why)
        return why;
    mt_profile *person = NULL;
    st = mt_profile_parse(ctx, text, len, &person);
    wipe_free(text, len);
    if (st == MT_OK)
        st = run_predict(jr, p, person, pred);
    mt_profile_destroy(person);
    return st == MT_OK ? NULL : "failed";
}

/* predict with "cohort": run_predict for every member of the cohort active when the job runs
 * (consent re-checked now and again just before each member's read), the exposures summarised
 * per drug across them; no per-person values. Progress: members done / members. */
static mt_status run_cohort(job_run *jr, json_t *p, json_t **out)
{
    mt_ctx *ctx = jr->ctx;
    const char *cid = mt_node_json_str(p, "cohort", "");
    mt_store_conn *c;
    mt_status st = mt_store_acquire(jr->nd->store, ctx, &c);
    if (st != MT_OK)
        return st;
    json_t *co = NULL;
    int err = 0;
    json_t *ms = mt_node_cohort_members(c, ctx, &jr->who, cid, &co, &err);
    mt_store_release(c);
    if (err)
        return MT_EIO;
    if (!co)
        return mt_error(ctx, MT_ENOTFOUND, "cohort %s is not there any more", cid);
    char purpose[72];
    snprintf(purpose, sizeof purpose, "%s", mt_node_json_str(co, "purpose", ""));
    json_t *left = json_object(), *acc = json_object(); /* drug -> exposure -> [values] */
    static const char *const reasons[] = {"no_consent", "erased", "not_found", "failed", NULL};
    for (const char *const *r = reasons; *r; r++)
        json_object_set_new(left, *r, json_integer(0));
    size_t n = json_array_size(ms), used = 0;
    char last_error[300] = "";
    for (size_t i = 0; st == MT_OK && i < n; i++) {
        if (job_check(jr, (double)i / (double)n, 0)) {
            st = mt_error(ctx, MT_EINVAL, "cancelled");
            break;
        }
        json_t *m = json_array_get(ms, i), *pred = NULL;
        const char *why = NULL, *reason = mt_node_json_str(m, "reason", "");
        int fatal = 0;
        if (!json_is_true(json_object_get(m, "active")))
            why = !strcmp(reason, "erased")      ? "erased"
                  : !strcmp(reason, "not found") ? "not_found"
                                                 : "no_consent";
        else
            why = predict_member(jr, mt_node_json_str(m, "twin", ""), purpose, p, &pred, &fatal);
        if (fatal) {
            st = MT_EIO;
            break;
        }
        if (why && !strcmp(why, "failed")) {
            snprintf(last_error, sizeof last_error, "%s", mt_errmsg(ctx));
            mt_error_clear(ctx);
        }
        if (why) {
            json_object_set_new(left, why,
                                json_integer(json_integer_value(json_object_get(left, why)) + 1));
            continue;
        }
        used++;
        size_t j;
        json_t *d;
        json_array_foreach(json_object_get(pred, "drugs"), j, d)
        {
            const char *name = mt_node_json_str(d, "name", "");
            json_t *per = json_object_get(acc, name);
            if (!per) {
                per = json_object();
                json_object_set_new(acc, name, per);
            }
            for (const char *const *k = EXPOSURES; *k; k++) {
                json_t *a = json_object_get(per, *k);
                if (!a) {
                    a = json_array();
                    json_object_set_new(per, *k, a);
                }
                json_array_append(a, json_object_get(d, *k) ? json_object_get(d, *k) : json_null());
            }
        }
        json_decref(pred);
    }
    if (st == MT_OK && !used && json_integer_value(json_object_get(left, "failed")))
        st = mt_error(ctx, MT_EINVAL, "no member's prediction succeeded: %s", last_error);
    if (st == MT_OK) {
        json_t *root = json_object(), *drugs = json_array(), *rj = json_array(), *per;
        const char *name;
        json_object_foreach(acc, name, per)
        {
            json_t *dj = json_object();
            json_object_set_new(dj, "name", json_string(name));
            json_object_set_new(dj, "matrix", json_string("plasma"));
            for (const char *const *k = EXPOSURES; *k; k++)
                json_object_set_new(dj, *k, percentiles(json_object_get(per, *k)));
            json_array_append_new(drugs, dj);
        }
        json_t *regs = json_object_get(p, "regimens"), *u = json_object_get(p, "until_h");
        for (size_t d = 0; d < json_array_size(regs); d++)
            json_array_append(rj, json_array_get(regs, d));
        json_object_set_new(root, "cohort", json_string(cid));
        json_object_set_new(root, "purpose", json_string(purpose));
        json_object_set_new(root, "regimens", rj);
        json_object_set_new(root, "until_h", json_real(u ? json_number_value(u) : 24));
        json_object_set_new(root, "members", json_integer((json_int_t)n));
        json_object_set_new(root, "used", json_integer((json_int_t)used));
        json_object_set_new(root, "left_out", left);
        left = NULL;
        json_object_set_new(root, "drugs", drugs);
        *out = root;
    }
    json_decref(left);
    json_decref(acc);
    json_decref(ms);
    json_decref(co);
    return st;
}

/* ---- fit and dose (medtwin/mipd.h; as `medtwin fit --drug` and `medtwin dose`) ---- */

typedef struct {
    mt_ctx *ctx;
    mt_poppk *card;
    mt_poppk_covariates cov;
    char gbuf[MT_POPPK_MAX_GENES][2][64];
    mt_mipd *twin;
    mt_mipd_dose *doses;
    size_t n_doses, cap_doses;
    mt_mipd_level *levels;
    size_t n_levels, cap_levels;
    double last_interval_h;
} mipd_session;

static mt_status set_genotype(mipd_session *s, const char *gene, const char *call)
{
    size_t k = s->cov.n_genotypes;
    for (size_t i = 0; i < s->cov.n_genotypes; i++)
        if (!strcmp(s->cov.genotypes[i].gene, gene))
            k = i;
    if (k >= MT_POPPK_MAX_GENES)
        return mt_error(s->ctx, MT_ELIMIT, "too many genotypes");
    snprintf(s->gbuf[k][0], 64, "%s", gene);
    snprintf(s->gbuf[k][1], 64, "%s", call);
    s->cov.genotypes[k].gene = s->gbuf[k][0];
    s->cov.genotypes[k].genotype = s->gbuf[k][1];
    if (k == s->cov.n_genotypes)
        s->cov.n_genotypes++;
    return MT_OK;
}

static mt_status add_dose(mipd_session *s, double t, double mg, double dur)
{
    if (s->n_doses == s->cap_doses) {
        size_t cap = s->cap_doses ? 2 * s->cap_doses : 64;
        if (cap > MT_REGIMEN_MAX_DOSES)
            return mt_error(s->ctx, MT_ELIMIT, "more than %d doses in the history",
                            MT_REGIMEN_MAX_DOSES);
        mt_mipd_dose *n = realloc(s->doses, cap * sizeof *n);
        if (!n)
            return mt_error(s->ctx, MT_ENOMEM, "out of memory");
        s->doses = n;
        s->cap_doses = cap;
    }
    s->doses[s->n_doses++] = (mt_mipd_dose){t, mg, dur};
    return MT_OK;
}

static mt_status add_level(mipd_session *s, double t, int inr, double v)
{
    if (s->n_levels == s->cap_levels) {
        size_t cap = s->cap_levels ? 2 * s->cap_levels : 32;
        mt_mipd_level *n = realloc(s->levels, cap * sizeof *n);
        if (!n)
            return mt_error(s->ctx, MT_ENOMEM, "out of memory");
        s->levels = n;
        s->cap_levels = cap;
    }
    s->levels[s->n_levels++] = (mt_mipd_level){t, inr, v};
    return MT_OK;
}

static mt_status profile_covariates(mipd_session *s, const mt_profile *p)
{
    s->cov.weight_kg = mt_profile_weight_kg(p);
    s->cov.age_years = mt_profile_age_years(p);
    s->cov.height_cm = mt_profile_height_cm(p);
    s->cov.sex = mt_profile_sex(p) == MT_SEX_MALE ? 1 : mt_profile_sex(p) == MT_SEX_FEMALE ? 0 : -1;
    if (s->cov.weight_kg > 0 && s->cov.height_cm > 0)
        s->cov.bsa_m2 = sqrt(s->cov.weight_kg * s->cov.height_cm / 3600.0); /* Mosteller */
    double scr = mt_profile_serum_creatinine_mg_dl(p);
    mt_status st = MT_OK;
    if (isfinite(scr)) {
        s->cov.scr_mg_dl = scr;
        mt_physio_tables *t = NULL;
        double crcl = NAN;
        st = mt_physio_tables_load(s->ctx, NULL, &t);
        if (st == MT_OK)
            st = mt_renal_crcl_cockcroft_gault(t, s->ctx, mt_profile_sex(p), s->cov.age_years,
                                               s->cov.weight_kg, scr, &crcl);
        mt_physio_tables_destroy(t);
        if (st != MT_OK)
            return mt_error(s->ctx, st, "creatinine clearance: %s", mt_errmsg(s->ctx));
        s->cov.crcl_ml_min = crcl;
    }
    mt_pgx *pgx = NULL;
    for (size_t i = 0; st == MT_OK && i < mt_profile_n_genotypes(p); i++) {
        const char *gene = mt_profile_genotype_gene(p, i), *call = mt_profile_genotype_at(p, i);
        if (strcmp(gene, "VKORC1")) {
            st = set_genotype(s, gene, call);
            continue;
        }
        mt_pgx_call c;
        if (!pgx && (st = mt_pgx_load(s->ctx, NULL, &pgx)) != MT_OK)
            break;
        if ((st = mt_pgx_phenotype(pgx, s->ctx, gene, call, &c)) != MT_OK)
            break;
        /* "-1639 AG" -> the card's G/A call */
        const char *g = strrchr(c.phenotype, ' ');
        if (g && strlen(g + 1) == 2) {
            char two[3] = {g[1], g[2], 0};
            if (!strcmp(two, "AG"))
                two[0] = 'G', two[1] = 'A';
            st = set_genotype(s, gene, two);
        }
    }
    mt_pgx_destroy(pgx);
    return st;
}

static void mipd_close(mipd_session *s)
{
    mt_mipd_destroy(s->twin);
    mt_poppk_destroy(s->card);
    free(s->doses);
    free(s->levels);
}

/* The twin of the drug's card for the person, its dose history (the regimens given, else the
 * profile's medications of the drug) and levels (the profile's, then the levels given). */
static mt_status mipd_open(mipd_session *s, mt_ctx *ctx, json_t *p, const mt_profile *person)
{
    memset(s, 0, sizeof *s);
    s->ctx = ctx;
    const char *drug = mt_node_json_str(p, "drug", "");
    mt_status st = mt_poppk_load(ctx, drug, &s->card);
    if (st != MT_OK)
        return st;
    mt_poppk_covariates_init(&s->cov);
    if ((st = profile_covariates(s, person)) != MT_OK)
        return st;
    const char *cd = mt_poppk_drug(s->card);
    int pd = mt_poppk_pd(s->card) != NULL;
    double first = INFINITY;
    for (size_t k = 0; k < mt_profile_n_medications(person); k++)
        if (!strcmp(mt_profile_medication(person, k)->drug, cd))
            first = fmin(first, mt_profile_medication(person, k)->start_h);
    for (size_t i = 0; pd && !(s->cov.baseline_inr > 0) && i < mt_profile_n_measurements(person);
         i++) {
        const mt_measurement *m = mt_profile_measurement(person, i);
        if (!strcmp(m->analyte, "inr") && m->time_h <= first)
            s->cov.baseline_inr = m->value;
    }
    if (pd && !(s->cov.baseline_inr > 0))
        s->cov.baseline_inr = 1.0;
    if ((st = mt_mipd_create(ctx, s->card, &s->cov, &s->twin)) != MT_OK)
        return mt_error(ctx, st, "%s twin: %s", cd, mt_errmsg(ctx));
    int oral_card = strcmp(mt_poppk_absorption(s->card), "iv") != 0;
    json_t *regs = json_object_get(p, "regimens");
    if (!json_array_size(regs)) {
        for (size_t i = 0; st == MT_OK && i < mt_profile_n_medications(person); i++) {
            const mt_medication *m = mt_profile_medication(person, i);
            if (strcmp(m->drug, cd))
                continue;
            if (oral_card != (m->route == MT_ROUTE_PO))
                return mt_error(ctx, MT_EINVAL,
                                "the profile's %s medication: its route does not match the "
                                "card's model (%s)",
                                cd, oral_card ? "oral" : "intravenous");
            for (int k = 0; st == MT_OK && k < m->n_doses; k++)
                st = add_dose(s, m->start_h + k * m->interval_h, m->dose_mg,
                              m->route == MT_ROUTE_IVINF ? m->infusion_h : 0);
            s->last_interval_h = m->interval_h;
        }
    }
    for (size_t i = 0; st == MT_OK && i < json_array_size(regs); i++) {
        mt_regimen r;
        memset(&r, 0, sizeof r);
        double wt = s->cov.weight_kg > 0 ? s->cov.weight_kg : NAN;
        const char *text = json_string_value(json_array_get(regs, i));
        if ((st = mt_regimen_parse(ctx, text, 24 * 365, wt, &r)) != MT_OK)
            return mt_error(ctx, st, "regimens[%zu]: %s", i, mt_errmsg(ctx));
        if (oral_card != (r.route == MT_DOSE_PO))
            st = mt_error(ctx, MT_EINVAL,
                          "regimens[%zu]: the route does not match the %s card's "
                          "model (%s)",
                          i, cd, oral_card ? "oral" : "intravenous");
        else if (r.formulation[0])
            st = mt_error(ctx, MT_EINVAL,
                          "regimens[%zu]: a formulation ('as %s') belongs to the PBPK twin "
                          "(predict); the %s card's population PK model absorbs first order",
                          i, r.formulation, cd);
        for (size_t k = 0; k < r.n_doses && st == MT_OK; k++)
            st = add_dose(s, r.doses[k].time_h, r.doses[k].amount_mg,
                          r.doses[k].route == MT_DOSE_IV_INFUSION ? r.doses[k].duration_h : 0);
        s->last_interval_h = r.interval_h;
        mt_regimen_clear(&r);
    }
    char analyte[80];
    snprintf(analyte, sizeof analyte, pd ? "s_%s" : "%s", cd);
    int has_inr = mt_mipd_has_inr(s->twin);
    for (size_t i = 0; st == MT_OK && i < mt_profile_n_measurements(person); i++) {
        const mt_measurement *m = mt_profile_measurement(person, i);
        if (!strcmp(m->analyte, "inr") && has_inr)
            st = add_level(s, m->time_h, 1, m->value);
        else if (!strcmp(m->analyte, analyte))
            st = add_level(s, m->time_h, 0, m->value);
    }
    json_t *lv = json_object_get(p, "levels");
    for (size_t i = 0; st == MT_OK && i < json_array_size(lv); i++) {
        json_t *l = json_array_get(lv, i), *inr = json_object_get(l, "inr");
        if (inr && !has_inr)
            return mt_error(ctx, MT_EINVAL, "levels[%zu]: an INR, but the %s card has no INR model",
                            i, cd);
        st = add_level(s, json_number_value(json_object_get(l, "time_h")), inr != NULL,
                       json_number_value(inr ? inr : json_object_get(l, "conc_mg_l")));
    }
    if (st == MT_OK && s->n_levels && !s->n_doses)
        return mt_error(ctx, MT_EINVAL,
                        "levels but no dose of %s (the profile's medications or regimens)", cd);
    for (size_t i = 0; st == MT_OK && i < s->n_levels; i++)
        if (s->levels[i].time_h < s->doses[0].time_h)
            return mt_error(ctx, MT_EINVAL, "the level at %g h comes before the first dose (%g h)",
                            s->levels[i].time_h, s->doses[0].time_h);
    return st;
}

static json_t *posterior_json(mipd_session *s, const mt_mipd_posterior *post)
{
    json_t *o = json_object(), *par = json_object();
    json_object_set_new(o, "drug", json_string(mt_poppk_drug(s->card)));
    json_object_set_new(o, "model", json_string(mt_poppk_citation(s->card)));
    size_t n = mt_mipd_n_eta(s->twin);
    for (size_t i = 0; i < n; i++) {
        json_t *q = json_object();
        json_object_set_new(q, "typical", jnum(mt_mipd_typical(s->twin, i)));
        json_object_set_new(q, "map", jnum(post->theta ? post->theta[i] : NAN));
        json_object_set_new(q, "omega_sd", jnum(sqrt(mt_mipd_omega(s->twin)[i * n + i])));
        json_object_set_new(par, mt_mipd_eta_name(s->twin, i), q);
    }
    json_object_set_new(o, "parameters", par);
    json_object_set_new(o, "converged", json_boolean(post->status == MT_FIT_CONVERGED));
    json_object_set_new(o, "message", json_string(post->message));
    json_object_set_new(o, "objective", jnum(post->objective));
    json_object_set_new(o, "n_levels", json_integer(post->n_levels));
    json_object_set_new(o, "n_doses", json_integer((json_int_t)s->n_doses));
    return o;
}

static mt_status run_fit_dose(job_run *jr, json_t *p, const mt_profile *person, int dose,
                              json_t **out)
{
    mt_ctx *ctx = jr->ctx;
    mipd_session s;
    mt_status st = mipd_open(&s, ctx, p, person);
    mt_mipd_posterior post;
    memset(&post, 0, sizeof post);
    if (st == MT_OK)
        st = mt_mipd_fit(s.twin, s.doses, s.n_doses, s.levels, s.n_levels, &post);
    if (st == MT_OK && !dose) {
        json_t *root = json_object();
        json_object_set_new(root, "posterior", posterior_json(&s, &post));
        json_t *res = json_array();
        for (size_t i = 0; st == MT_OK && i < s.n_levels; i++) {
            double c = NAN, r = NAN;
            st = mt_mipd_simulate(s.twin, post.u, s.doses, s.n_doses, &s.levels[i].time_h, 1, &c,
                                  &r);
            json_array_append_new(
                res, json_pack("{s:o,s:s,s:o,s:o}", "time_h", jnum(s.levels[i].time_h), "analyte",
                               s.levels[i].inr ? "INR" : "concentration", "observed",
                               jnum(s.levels[i].value), "map", jnum(s.levels[i].inr ? r : c)));
        }
        json_object_set_new(root, "levels", res);
        if (st == MT_OK)
            *out = root;
        else
            json_decref(root);
    }
    double *draws = NULL;
    mt_dose_result dr;
    memset(&dr, 0, sizeof dr);
    if (st == MT_OK && dose) {
        mt_target tg;
        st = mt_target_parse(ctx, mt_node_json_str(p, "target", ""), &tg);
        int oral = strcmp(mt_poppk_absorption(s.card), "iv") != 0;
        if (st == MT_OK && tg.kind == MT_TARGET_INR && !mt_mipd_has_inr(s.twin))
            st = mt_error(ctx, MT_EINVAL, "target: an INR target, but the %s card has no INR model",
                          mt_poppk_drug(s.card));
        if (st == MT_OK && post.status != MT_FIT_CONVERGED)
            st = mt_error(ctx, MT_EINVAL, "the posterior is not usable: %s", post.message);
        double taus[16], mgs[512];
        size_t n_tau = 0, n_mg = 0;
        json_t *a = json_object_get(p, "intervals_h"), *d = json_object_get(p, "doses_mg");
        for (size_t i = 0; i < json_array_size(a) && n_tau < 16; i++)
            taus[n_tau++] = json_number_value(json_array_get(a, i));
        if (!n_tau && (tg.kind == MT_TARGET_INR || oral))
            taus[n_tau++] = 24;
        else if (!n_tau)
            taus[0] = 8, taus[1] = 12, taus[2] = 24, n_tau = 3;
        for (size_t i = 0; i < json_array_size(d) && n_mg < 512; i++)
            mgs[n_mg++] = json_number_value(json_array_get(d, i));
        for (int k = 1; !json_array_size(d) && k <= (oral ? 30 : 16); k++)
            mgs[n_mg++] = oral ? 0.5 * k : 250.0 * k;
        json_t *inf = json_object_get(p, "infusion_h"), *hor = json_object_get(p, "horizon_h"),
               *nd_j = json_object_get(p, "draws"), *seed = json_object_get(p, "seed");
        int typical = json_is_true(json_object_get(p, "typical"));
        double inf_h = oral ? 0 : inf ? json_number_value(inf) : 1.0;
        double horizon = hor ? json_number_value(hor) : tg.kind == MT_TARGET_INR ? 1440 : 336;
        double t_start = 0;
        if (s.n_doses) {
            double last = s.doses[0].time_h;
            for (size_t i = 0; i < s.n_doses; i++)
                last = fmax(last, s.doses[i].time_h);
            t_start = last + (s.last_interval_h > 0 ? s.last_interval_h : 24);
        }
        for (size_t i = 0; i < s.n_levels; i++)
            t_start = fmax(t_start, s.levels[i].time_h);
        size_t n_eta = mt_mipd_n_eta(s.twin), nd = typical ? 1
                                                   : nd_j  ? (size_t)json_integer_value(nd_j)
                                                           : 200;
        if (st == MT_OK && !(draws = malloc(nd * n_eta * sizeof *draws)))
            st = mt_error(ctx, MT_ENOMEM, "out of memory");
        if (st == MT_OK && typical)
            memcpy(draws, post.u, n_eta * sizeof *draws);
        else if (st == MT_OK)
            st = mt_mipd_draw(s.twin, &post, nd, seed ? (uint64_t)json_integer_value(seed) : 1,
                              draws);
        mt_dose_search sr = {mgs,   n_mg, taus,    n_tau,         inf_h, t_start,       horizon,
                             draws, nd,   typical, dose_progress, jr,    job_cancelled, jr};
        if (st == MT_OK)
            st = mt_mipd_recommend(s.twin, s.doses, s.n_doses, &tg, &sr, &dr);
        if (st == MT_OK && !dr.n)
            st = mt_error(ctx, MT_EINVAL, "no candidate regimen");
        if (st == MT_OK) {
            const mt_dose_candidate *bc = &dr.cand[0];
            json_t *root = json_object();
            json_object_set_new(root, "posterior", posterior_json(&s, &post));
            json_t *rec = json_pack("{s:o,s:o,s:o,s:o,s:o,s:o}", "dose_mg", jnum(bc->dose_mg),
                                    "interval_h", jnum(bc->interval_h), "infusion_h", jnum(inf_h),
                                    "start_h", jnum(t_start), "exact_dose_mg", jnum(dr.exact_mg),
                                    "probability_of_target", jnum(bc->pta));
            json_object_set_new(rec, "predicted",
                                json_pack("{s:o,s:o,s:o}", "p5", jnum(bc->p5), "p50", jnum(bc->p50),
                                          "p95", jnum(bc->p95)));
            json_object_set_new(root, "recommended", rec);
            json_object_set_new(root, "target",
                                json_pack("{s:s,s:o,s:o,s:o}", "kind", mt_target_name(tg.kind),
                                          "lo", jnum(tg.lo), "hi", jnum(tg.hi), "horizon_h",
                                          jnum(horizon)));
            json_t *alts = json_array();
            for (size_t i = 0; i < dr.n && i < 10; i++)
                json_array_append_new(
                    alts,
                    json_pack("{s:o,s:o,s:o,s:o,s:o,s:o}", "dose_mg", jnum(dr.cand[i].dose_mg),
                              "interval_h", jnum(dr.cand[i].interval_h), "probability_of_target",
                              jnum(dr.cand[i].pta), "p5", jnum(dr.cand[i].p5), "p50",
                              jnum(dr.cand[i].p50), "p95", jnum(dr.cand[i].p95)));
            json_object_set_new(root, "candidates", alts);
            json_object_set_new(root, "draws", json_integer((json_int_t)nd));
            *out = root;
        }
    }
    free(draws);
    mt_dose_result_free(ctx, &dr);
    mt_mipd_posterior_free(ctx, &post);
    mipd_close(&s);
    return st;
}

/* ---- the worker ---------------------------------------------------------------------------- */

/* The job's row (all columns but the blobs) and its blobs. */
typedef struct {
    json_t *row;
    blob_copy sealed, key;
} job_row;

static int take_job_blobs(void *arg, size_t n, const mt_value *c, const char *const *names)
{
    job_row *j = arg;
    for (size_t i = 0; i < n; i++) {
        blob_copy *b = !strcmp(names[i], "sealed")    ? &j->sealed
                       : !strcmp(names[i], "job_key") ? &j->key
                                                      : NULL;
        if (!b || c[i].type != MT_VALUE_BLOB)
            continue;
        b->found = 1;
        if (!(b->p = malloc(c[i].n ? c[i].n : 1)))
            b->oom = 1;
        else
            memcpy(b->p, c[i].s, c[i].n);
        b->n = c[i].n;
    }
    return 1;
}

static void job_row_free(job_row *j)
{
    json_decref(j->row);
    blob_free(&j->sealed);
    blob_free(&j->key);
    memset(j, 0, sizeof *j);
}

#define JOB_COLS                                                                                   \
    "id, kind, status, group_id, owner, role, params, twin_id, progress, attempts, "               \
    "cancel_requested, error, result_id, created, started, finished, updated"

static mt_status load_job(mt_store_conn *c, mt_ctx *ctx, const char *id, job_row *j)
{
    memset(j, 0, sizeof *j);
    json_t *rows = mt_node_query(c, ctx, "SELECT " JOB_COLS " FROM jobs WHERE id = ?", 1,
                                 (mt_value[]){mt_v_text(id)});
    if (!rows)
        return MT_EIO;
    j->row = json_incref(json_array_get(rows, 0));
    json_decref(rows);
    if (!j->row)
        return MT_OK;
    mt_status st = mt_store_exec(c, ctx, "SELECT sealed, job_key FROM jobs WHERE id = ?", 1,
                                 (mt_value[]){mt_v_text(id)}, take_job_blobs, j, NULL);
    if (st == MT_OK && (j->sealed.oom || j->key.oom))
        st = mt_error(ctx, MT_ENOMEM, "out of memory");
    return st;
}

/* Claims the oldest queued job. 1 claimed (jr filled), 0 none, -1 error. */
static int claim(struct mt_node_jobs *J, mt_ctx *ctx, job_run *jr)
{
    mt_node *nd = J->nd;
    mt_store_conn *c;
    if (mt_store_acquire(nd->store, ctx, &c) != MT_OK)
        return -1;
    /* a plain read first: an idle node does not take the write lock twice a second */
    json_t *any =
        mt_node_query(c, ctx, "SELECT id FROM jobs WHERE status = 'queued' LIMIT 1", 0, NULL);
    int failed = any == NULL;
    size_t n_any = json_array_size(any);
    json_decref(any);
    if (!n_any) {
        mt_store_release(c);
        return failed ? -1 : 0;
    }
    unsigned char rb[16];
    randombytes_buf(rb, sizeof rb);
    mt_node_hex(rb, sizeof rb, jr->claim);
    char ts[40], id[37] = "";
    mt_node_now_iso(ts);
    int64_t changed = 0;
    mt_status st = mt_store_begin(c, ctx);
    json_t *rows = NULL;
    if (st == MT_OK) {
        rows = mt_node_query(c, ctx,
                             is_pg(nd) ? "SELECT id FROM jobs WHERE status = 'queued' ORDER BY "
                                         "created, id LIMIT 1 FOR UPDATE SKIP LOCKED"
                                       : "SELECT id FROM jobs WHERE status = 'queued' ORDER BY "
                                         "created, id LIMIT 1",
                             0, NULL);
        st = rows ? MT_OK : MT_EIO;
    }
    if (st == MT_OK && json_array_size(rows)) {
        snprintf(id, sizeof id, "%s", mt_node_json_str(json_array_get(rows, 0), "id", ""));
        st = exec0(c, ctx,
                   "UPDATE jobs SET status = 'running', attempts = attempts + 1, claim = ?, "
                   "started = ?, updated = ?, progress = 0 WHERE id = ? AND status = 'queued'",
                   4,
                   (mt_value[]){mt_v_text(jr->claim), mt_v_text(ts), mt_v_text(ts), mt_v_text(id)},
                   &changed);
    }
    json_decref(rows);
    st = mt_store_finish(c, ctx, st);
    mt_store_release(c);
    if (st != MT_OK)
        return -1;
    if (!changed)
        return 0;
    snprintf(jr->id, sizeof jr->id, "%s", id);
    return 1;
}

/* Ends a claimed job without a result: status (failed, cancelled, or queued again when the
 * node stops: the attempt is not counted). */
static void finish_job(job_run *jr, mt_ctx *ctx, const char *status, const char *error)
{
    mt_store_conn *c;
    if (mt_store_acquire(jr->nd->store, ctx, &c) != MT_OK)
        return;
    char ts[40];
    mt_node_now_iso(ts);
    mt_status st;
    if (!strcmp(status, "queued"))
        st = exec0(c, ctx,
                   "UPDATE jobs SET status = 'queued', attempts = attempts - 1, claim = NULL, "
                   "progress = 0, updated = ? WHERE id = ? AND claim = ? AND status = 'running'",
                   3, (mt_value[]){mt_v_text(ts), mt_v_text(jr->id), mt_v_text(jr->claim)}, NULL);
    else
        st = exec0(c, ctx,
                   "UPDATE jobs SET status = ?, error = ?, finished = ?, updated = ?, sealed = "
                   "NULL WHERE id = ? AND claim = ? "
                   "AND status = 'running'",
                   6,
                   (mt_value[]){mt_v_text(status), mt_v_text(error), mt_v_text(ts), mt_v_text(ts),
                                mt_v_text(jr->id), mt_v_text(jr->claim)},
                   NULL);
    if (st != MT_OK)
        fprintf(stderr, "medtwin serve: job %s: %s\n", jr->id, mt_errmsg(ctx));
    mt_store_release(c);
}

/* Stores the result as a resource and marks the job done, in one transaction. */
static mt_status store_result(job_run *jr, mt_ctx *ctx, const char *content, size_t len,
                              const char *media, const char *meta, const char *derived_from,
                              int *lost)
{
    mt_node *nd = jr->nd;
    *lost = 0;
    mt_store_conn *c;
    mt_status st = mt_store_acquire(nd->store, ctx, &c);
    if (st != MT_OK)
        return st;
    char rid[37], ts[40], title[120], sha[65];
    mt_node_uuid4(rid);
    mt_node_now_iso(ts);
    int dataset = !strcmp(jr->kind, "simulate") || !strcmp(jr->kind, "population");
    snprintf(title, sizeof title, "result of %s job %s", jr->kind, jr->id);
    st = mt_store_begin(c, ctx);
    json_t *rows = NULL;
    if (st == MT_OK) {
        rows = mt_node_query(c, ctx,
                             is_pg(nd) ? "SELECT status, claim FROM jobs WHERE id = ? FOR UPDATE"
                                       : "SELECT status, claim FROM jobs WHERE id = ?",
                             1, (mt_value[]){mt_v_text(jr->id)});
        json_t *r = json_array_get(rows, 0);
        if (!rows)
            st = MT_EIO;
        else if (!r || strcmp(mt_node_json_str(r, "status", ""), "running") ||
                 strcmp(mt_node_json_str(r, "claim", ""), jr->claim))
            *lost = 1, st = mt_error(ctx, MT_EINVAL, "job %s is no longer this worker's", jr->id);
        json_decref(rows);
    }
    mt_value p[11] = {mt_v_text(rid),        mt_v_text(title),
                      mt_v_text(""),         mt_v_text(""),
                      mt_v_text("group"),    mt_v_text(jr->who.group),
                      mt_v_text(jr->who.id), mt_v_text(ts),
                      mt_v_text(ts),         mt_v_text(dataset ? "dataset" : "report"),
                      mt_v_text(meta)};
    if (st == MT_OK)
        st = exec0(c, ctx,
                   "INSERT INTO resources(id, title, description, keywords, visibility, group_id, "
                   "owner, created, updated, kind, metadata) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                   "?)",
                   11, p, NULL);
    if (st == MT_OK && !is_pg(nd))
        st = exec0(c, ctx,
                   "INSERT INTO resource_fts(id, title, description, keywords) VALUES (?, ?, ?, ?)",
                   4, p, NULL);
    int created = 0;
    if (st == MT_OK)
        st = mt_node_add_version(c, ctx, rid, content, len, media, jr->who.id, derived_from, sha,
                                 &created);
    if (st == MT_OK)
        st = exec0(c, ctx,
                   "UPDATE jobs SET status = 'done', progress = 1, result_id = ?, finished = ?, "
                   "updated = ?, sealed = NULL "
                   "WHERE id = ?",
                   4, (mt_value[]){mt_v_text(rid), mt_v_text(ts), mt_v_text(ts), mt_v_text(jr->id)},
                   NULL);
    st = mt_store_finish(c, ctx, st);
    mt_store_release(c);
    return st;
}

/* The person of a predict/fit/dose job: the twin's latest profile (read under the audit log)
 * or the inline profile of its sealed parameters. OUT: *person, *params (the full
 * parameters), dk (the job's key). 0, or an error text in msg. */
static int open_person_job(job_run *jr, mt_ctx *ctx, job_row *j, json_t **params,
                           mt_profile **person, unsigned char dk[MT_PRIVACY_KEY_BYTES], char *msg,
                           size_t msz)
{
    mt_node *nd = jr->nd;
    *params = NULL;
    *person = NULL;
    mt_store_conn *c;
    if (mt_store_acquire(nd->store, ctx, &c) != MT_OK)
        return snprintf(msg, msz, "storage: %s", mt_errmsg(ctx)), 1;
    int code = job_key(nd, c, ctx, jr->id, jr->twin, j->key.found ? j->key.p : NULL, j->key.n, dk);
    char aad[96], *text = NULL, *ptext = NULL;
    size_t len = 0, plen = 0;
    snprintf(aad, sizeof aad, "medtwin job %s params", jr->id);
    mt_status st = code ? MT_EIO : MT_OK;
    if (st == MT_OK && !j->sealed.found)
        st = mt_error(ctx, MT_EIO, "its parameters are missing");
    if (st == MT_OK)
        st = mt_privacy_open(ctx, dk, aad, j->sealed.p, j->sealed.n, &text, &len);
    json_error_t je;
    if (st == MT_OK && !(*params = json_loadb(text, len, 0, &je)))
        st = mt_error(ctx, MT_EIO, "its parameters are not JSON");
    wipe_free(text, len);
    if (st == MT_OK && *jr->twin) {
        int pg = is_pg(nd);
        st = mt_node_twin_profile(c, ctx, jr->twin, 0, dk, &ptext, &plen);
        /* the read is recorded (no entry, no data) */
        if (st == MT_OK)
            st = mt_store_begin(c, ctx);
        if (st == MT_OK) {
            mt_status a = mt_audit_lock(c, ctx, pg);
            if (a == MT_OK)
                a = mt_audit_append(c, ctx, pg, nd->keys, jr->who.id, "twin.read", jr->twin);
            st = mt_store_finish(c, ctx, a);
        }
    } else if (st == MT_OK && json_object_get(*params, "cohort")) {
        /* predict on a cohort: its members are read one by one (run_cohort) */
    } else if (st == MT_OK) {
        json_t *pj = json_object_get(*params, "profile");
        ptext = json_dumps(pj, JSON_COMPACT);
        plen = ptext ? strlen(ptext) : 0;
        if (!ptext)
            st = mt_error(ctx, MT_ENOMEM, "out of memory");
    }
    mt_store_release(c);
    if (st == MT_OK && ptext && (st = mt_profile_parse(ctx, ptext, plen, person)) != MT_OK)
        mt_error(ctx, st, "the profile: %s", mt_errmsg(ctx));
    wipe_free(ptext, plen);
    if (st != MT_OK) {
        snprintf(msg, msz, "%s", code == 410 ? "the twin was erased" : mt_errmsg(ctx));
        json_decref(*params);
        *params = NULL;
        return 1;
    }
    return 0;
}

static void run_job(struct mt_node_jobs *J, mt_ctx *ctx, job_run *jr)
{
    mt_node *nd = J->nd;
    jr->nd = nd;
    jr->J = J;
    jr->ctx = ctx;
    job_row j;
    mt_store_conn *c;
    mt_status st = mt_store_acquire(nd->store, ctx, &c);
    if (st == MT_OK) {
        st = load_job(c, ctx, jr->id, &j);
        mt_store_release(c);
    } else {
        memset(&j, 0, sizeof j);
    }
    if (st != MT_OK || !j.row) {
        job_row_free(&j);
        finish_job(jr, ctx, "queued", NULL);
        return;
    }
    snprintf(jr->kind, sizeof jr->kind, "%s", mt_node_json_str(j.row, "kind", ""));
    snprintf(jr->twin, sizeof jr->twin, "%s", mt_node_json_str(j.row, "twin_id", ""));
    snprintf(jr->who.id, sizeof jr->who.id, "%s", mt_node_json_str(j.row, "owner", ""));
    snprintf(jr->who.group, sizeof jr->who.group, "%s", mt_node_json_str(j.row, "group_id", ""));
    snprintf(jr->who.role, sizeof jr->who.role, "%s", mt_node_json_str(j.row, "role", ""));
    jr->last_check = mono_s();
    int person = person_kind(jr->kind);
    unsigned char dk[MT_PRIVACY_KEY_BYTES];
    sodium_memzero(dk, sizeof dk);
    json_t *params = NULL, *out = NULL;
    mt_profile *prof = NULL;
    char msg[600] = "", model_ref[120] = "";
    if (person) {
        if (open_person_job(jr, ctx, &j, &params, &prof, dk, msg, sizeof msg)) {
            job_row_free(&j);
            sodium_memzero(dk, sizeof dk);
            finish_job(jr, ctx, "failed", msg);
            return;
        }
    } else {
        json_error_t je;
        params = json_loads(mt_node_json_str(j.row, "params", "{}"), 0, &je);
    }
    if (!params)
        st = mt_error(ctx, MT_EIO, "the job's parameters are not JSON");
    else if (!strcmp(jr->kind, "simulate"))
        st = run_simulate(jr, params, &out, model_ref, sizeof model_ref);
    else if (!strcmp(jr->kind, "population"))
        st = run_population(jr, params, &out);
    else if (!strcmp(jr->kind, "predict") && json_object_get(params, "cohort"))
        st = run_cohort(jr, params, &out);
    else if (!strcmp(jr->kind, "predict"))
        st = run_predict(jr, params, prof, &out);
    else
        st = run_fit_dose(jr, params, prof, !strcmp(jr->kind, "dose"), &out);
    mt_profile_destroy(prof);
    job_check(jr, jr->progress, 1); /* a last look at the cancel flag */
    if (st != MT_OK && (jr->cancel || jr->stop)) {
        finish_job(jr, ctx, jr->cancel ? "cancelled" : "queued",
                   jr->cancel ? "cancelled on request" : NULL);
    } else if (st != MT_OK) {
        snprintf(msg, sizeof msg, "%s", mt_errmsg(ctx));
        finish_job(jr, ctx, "failed", msg);
    } else {
        char *text = json_dumps(out, JSON_COMPACT | JSON_PRESERVE_ORDER);
        size_t len = text ? strlen(text) : 0;
        unsigned char *ct = NULL;
        size_t ct_n = 0;
        char aad[96];
        snprintf(aad, sizeof aad, "medtwin job %s result", jr->id);
        if (!text)
            st = mt_error(ctx, MT_ENOMEM, "out of memory");
        else if (person)
            st = mt_privacy_seal(ctx, dk, aad, text, len, &ct, &ct_n);
        json_t *meta = json_object();
        json_object_set_new(meta, "job", json_string(jr->id));
        json_object_set_new(meta, "run_by", json_string(jr->who.id));
        json_object_set_new(meta, "kind", json_string(jr->kind));
        const char *at = strchr(model_ref, '@');
        if (at) { /* simulate: the model and the version run */
            json_object_set_new(meta, "model", json_stringn(model_ref, (size_t)(at - model_ref)));
            json_object_set_new(meta, "derived_from", json_string(at + 1));
        }
        if (*jr->twin)
            json_object_set_new(meta, "twin", json_string(jr->twin));
        if (json_object_get(params, "cohort"))
            json_object_set_new(meta, "cohort", json_incref(json_object_get(params, "cohort")));
        if (!strcmp(jr->kind, "population"))
            json_object_set_new(meta, "population", json_incref(params));
        if (person)
            json_object_set_new(meta, "encrypted", json_true());
        char *mtext = json_dumps(meta, JSON_COMPACT | JSON_SORT_KEYS);
        json_decref(meta);
        int lost = 0;
        if (st == MT_OK && !mtext)
            st = mt_error(ctx, MT_ENOMEM, "out of memory");
        if (st == MT_OK)
            st = store_result(jr, ctx, person ? (const char *)ct : text, person ? ct_n : len,
                              person ? SEALED_MEDIA : "application/json", mtext, at ? at + 1 : NULL,
                              &lost);
        if (st != MT_OK && !lost) {
            snprintf(msg, sizeof msg, "storing the result: %s", mt_errmsg(ctx));
            finish_job(jr, ctx, "failed", msg);
        }
        free(mtext);
        free(ct);
        wipe_free(text, len);
    }
    sodium_memzero(dk, sizeof dk);
    json_decref(out);
    json_decref(params);
    job_row_free(&j);
}

static void *worker(void *arg)
{
    struct mt_node_jobs *J = arg;
    for (;;) {
        pthread_mutex_lock(&J->mu);
        int stop = J->stop;
        pthread_mutex_unlock(&J->mu);
        if (stop)
            break;
        mt_ctx *ctx = NULL;
        if (mt_ctx_create(&ctx) != MT_OK)
            break;
        job_run jr;
        memset(&jr, 0, sizeof jr);
        int got = claim(J, ctx, &jr);
        if (got == 1)
            run_job(J, ctx, &jr);
        mt_ctx_destroy(ctx);
        if (got == 1)
            continue;
        /* nothing queued (or storage down): wait for a submission or 0.5 s */
        pthread_mutex_lock(&J->mu);
        if (!J->stop && !J->wake) {
            struct timespec t;
            clock_gettime(CLOCK_REALTIME, &t);
            t.tv_nsec += 500000000L;
            if (t.tv_nsec >= 1000000000L)
                t.tv_sec++, t.tv_nsec -= 1000000000L;
            pthread_cond_timedwait(&J->cv, &J->mu, &t);
        }
        if (J->wake)
            J->wake--;
        pthread_mutex_unlock(&J->mu);
    }
    return NULL;
}

mt_status mt_node_jobs_start(mt_node *nd, mt_ctx *ctx)
{
    /* jobs a dead process left running: cancelled when that was asked, failed after
     * MAX_ATTEMPTS starts, else queued again */
    mt_store_conn *c;
    mt_status st = mt_store_acquire(nd->store, ctx, &c);
    if (st != MT_OK)
        return st;
    char ts[40], why[160];
    mt_node_now_iso(ts);
    snprintf(why, sizeof why, "the node stopped %d times while running this job: not retried again",
             MAX_ATTEMPTS);
    st = mt_store_begin(c, ctx);
    if (st == MT_OK)
        st = exec0(c, ctx,
                   "UPDATE jobs SET status = 'cancelled', error = 'cancelled on request', "
                   "finished = ?, updated = ?, claim = NULL WHERE status = 'running' AND "
                   "cancel_requested = 1",
                   2, (mt_value[]){mt_v_text(ts), mt_v_text(ts)}, NULL);
    if (st == MT_OK)
        st = exec0(
            c, ctx,
            "UPDATE jobs SET status = 'failed', error = ?, finished = ?, updated = ?, "
            "claim = NULL WHERE status = 'running' AND attempts >= ?",
            4, (mt_value[]){mt_v_text(why), mt_v_text(ts), mt_v_text(ts), mt_v_int(MAX_ATTEMPTS)},
            NULL);
    if (st == MT_OK)
        st = exec0(c, ctx,
                   "UPDATE jobs SET status = 'queued', claim = NULL, progress = 0, updated = ? "
                   "WHERE status = 'running'",
                   1, (mt_value[]){mt_v_text(ts)}, NULL);
    st = mt_store_finish(c, ctx, st);
    mt_store_release(c);
    if (st != MT_OK)
        return st;
    struct mt_node_jobs *J = calloc(1, sizeof *J);
    if (!J)
        return mt_error(ctx, MT_ENOMEM, "out of memory");
    J->nd = nd;
    pthread_mutex_init(&J->mu, NULL);
    pthread_cond_init(&J->cv, NULL);
    nd->jobs = J;
    int n = nd->o.job_workers > 0 ? nd->o.job_workers : 2;
    if (n > MAX_WORKERS)
        n = MAX_WORKERS;
    for (int i = 0; i < n; i++) {
        if (pthread_create(&J->th[i], NULL, worker, J) != 0)
            return mt_error(ctx, MT_ENOMEM, "jobs: cannot start a worker thread");
        J->n++;
    }
    return MT_OK;
}

void mt_node_jobs_stop(mt_node *nd)
{
    struct mt_node_jobs *J = nd ? nd->jobs : NULL;
    if (!J)
        return;
    pthread_mutex_lock(&J->mu);
    J->stop = 1;
    pthread_cond_broadcast(&J->cv);
    pthread_mutex_unlock(&J->mu);
    for (int i = 0; i < J->n; i++)
        pthread_join(J->th[i], NULL);
    pthread_mutex_destroy(&J->mu);
    pthread_cond_destroy(&J->cv);
    free(J);
    nd->jobs = NULL;
}

static void wake_workers(mt_node *nd)
{
    struct mt_node_jobs *J = nd->jobs;
    if (!J)
        return;
    pthread_mutex_lock(&J->mu);
    J->wake++;
    pthread_cond_signal(&J->cv);
    pthread_mutex_unlock(&J->mu);
}

/* ---- the endpoints ------------------------------------------------------------------------- */

static int may_use_jobs(const mt_node_principal *who, mt_http_response *res)
{
    if (mt_node_role_rank(who->role) < mt_node_role_rank("clinician")) {
        mt_http_error(res, 403, "jobs need the clinician, modeller, curator or admin role");
        return 0;
    }
    return 1;
}

static void post_job(mt_node *nd, mt_ctx *ctx, const mt_node_principal *who,
                     const mt_http_request *req, mt_http_response *res)
{
    if (!may_use_jobs(who, res))
        return;
    if (req->body_len > MAX_PARAMS_BYTES)
        return mt_http_error(res, 413, "a job's parameters: at most 1 MiB");
    json_error_t je;
    json_t *b = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &je);
    if (!json_is_object(b)) {
        json_decref(b);
        return mt_http_error(res, 400, "the body must be a JSON object: {\"kind\": ..., ...}");
    }
    char kind[16];
    snprintf(kind, sizeof kind, "%s", mt_node_json_str(b, "kind", ""));
    static const char *const kinds[] = {"simulate", "predict", "fit", "dose", "population"};
    int known = 0;
    for (size_t i = 0; i < 5; i++)
        known |= !strcmp(kind, kinds[i]);
    if (!known) {
        json_decref(b);
        return mt_http_error(res, 400,
                             "kind: one of simulate, predict, fit, dose, population is required");
    }
    int person = person_kind(kind);
    if (!person && mt_node_role_rank(who->role) < mt_node_role_rank("modeller")) {
        json_decref(b);
        return mt_http_error(res, 403, "%s jobs need the modeller, curator or admin role", kind);
    }
    bad_param bp;
    memset(&bp, 0, sizeof bp);
    if (!validate(ctx, kind, b, &bp)) {
        json_decref(b);
        return mt_http_error(res, 400, "%s", bp.msg);
    }
    if (person && !nd->keys) {
        json_decref(b);
        return mt_http_error(res, 503,
                             "this node runs without its key: jobs on persons are not "
                             "available");
    }
    char id[37], ts[40], twin[40] = "";
    mt_node_uuid4(id);
    mt_node_now_iso(ts);
    snprintf(twin, sizeof twin, "%s", mt_node_json_str(b, "twin", ""));
    mt_store_conn *c;
    if (mt_store_acquire(nd->store, ctx, &c) != MT_OK) {
        json_decref(b);
        return mt_http_error(res, 503, "storage unavailable");
    }
    /* simulate: the model must be one the caller may see */
    if (!strcmp(kind, "simulate")) {
        int err = 0;
        json_t *r = mt_node_get_resource(c, ctx, who, mt_node_json_str(b, "model", ""), &err);
        int ok = r && !strcmp(mt_node_json_str(r, "kind", ""), "model");
        json_decref(r);
        if (err || !ok) {
            mt_store_release(c);
            json_decref(b);
            if (err)
                return mt_http_error(res, 500, "storage: %s", mt_errmsg(ctx));
            return mt_http_error(res, 404, "model: no model %s", mt_node_json_str(b, "model", ""));
        }
    }
    /* predict on a cohort: one of the caller's group's (admins: any) */
    char cohort_id[40] = "";
    snprintf(cohort_id, sizeof cohort_id, "%s", mt_node_json_str(b, "cohort", ""));
    const char *cohort = *cohort_id ? cohort_id : NULL;
    if (cohort) {
        json_t *co = NULL;
        int err = 0;
        json_t *ms = mt_node_cohort_members(c, ctx, who, cohort, &co, &err);
        json_decref(ms);
        int found = co != NULL;
        json_decref(co);
        if (err || !found) {
            mt_store_release(c);
            json_decref(b);
            if (err)
                return mt_http_error(res, 500, "storage: %s", mt_errmsg(ctx));
            return mt_http_error(res, 404, "cohort: no cohort %s", cohort);
        }
    }
    unsigned char dk[MT_PRIVACY_KEY_BYTES], wrapped[MT_PRIVACY_WRAPPED_BYTES];
    unsigned char *sealed = NULL;
    size_t sealed_n = 0;
    int code = 0, has_wrapped = 0;
    mt_status st = MT_OK;
    if (person && *twin) {
        code =
            mt_node_twin_key(nd, c, ctx, !strcmp(who->role, "admin") ? NULL : who->group, twin, dk);
    } else if (person) {
        char aad[64];
        snprintf(aad, sizeof aad, "job %s", id);
        randombytes_buf(dk, sizeof dk);
        mt_privacy_wrap(nd->keys, aad, dk, wrapped);
        has_wrapped = 1;
    }
    if (person && !code) {
        char *text = json_dumps(b, JSON_COMPACT | JSON_PRESERVE_ORDER);
        char aad[96];
        snprintf(aad, sizeof aad, "medtwin job %s params", id);
        st = text ? mt_privacy_seal(ctx, dk, aad, text, strlen(text), &sealed, &sealed_n)
                  : mt_error(ctx, MT_ENOMEM, "out of memory");
        wipe_free(text, text ? strlen(text) : 0);
    }
    sodium_memzero(dk, sizeof dk);
    char *plain = NULL;
    if (person) {
        json_t *o = json_object();
        if (*twin)
            json_object_set_new(o, "twin", json_string(twin));
        if (cohort)
            json_object_set_new(o, "cohort", json_string(cohort));
        plain = json_dumps(o, JSON_COMPACT);
        json_decref(o);
    } else {
        plain = json_dumps(b, JSON_COMPACT | JSON_PRESERVE_ORDER);
    }
    if (!plain && st == MT_OK)
        st = mt_error(ctx, MT_ENOMEM, "out of memory");
    int pg = is_pg(nd);
    if (!code && st == MT_OK) {
        st = mt_store_begin(c, ctx);
        if (st == MT_OK && person)
            st = mt_audit_lock(c, ctx, pg);
        mt_value p[13] = {mt_v_text(id),
                          mt_v_text(kind),
                          mt_v_text(who->group),
                          mt_v_text(who->id),
                          mt_v_text(who->role),
                          mt_v_text(plain),
                          sealed ? mt_v_blob(sealed, sealed_n) : mt_v_null(),
                          has_wrapped ? mt_v_blob(wrapped, sizeof wrapped) : mt_v_null(),
                          *twin ? mt_v_text(twin) : mt_v_null(),
                          mt_v_text(ts),
                          mt_v_text(ts)};
        if (st == MT_OK)
            st = exec0(c, ctx,
                       "INSERT INTO jobs(id, kind, status, group_id, owner, role, params, sealed, "
                       "job_key, twin_id, created, updated) VALUES (?, ?, 'queued', ?, ?, ?, ?, "
                       "?, ?, ?, ?, ?)",
                       11, p, NULL);
        if (st == MT_OK && person)
            st = mt_audit_append(c, ctx, pg, nd->keys, who->id, "job.create", *twin ? twin : id);
        st = mt_store_finish(c, ctx, st);
    }
    mt_store_release(c);
    free(plain);
    free(sealed);
    json_decref(b);
    if (code == 404)
        return mt_http_error(res, 404, "twin: no twin %s", twin);
    if (code == 410)
        return mt_http_error(res, 410, "twin: twin %s was erased", twin);
    if (code || st != MT_OK)
        return mt_http_error(res, 500, "storage: %s", mt_errmsg(ctx));
    wake_workers(nd);
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(id));
    json_object_set_new(o, "kind", json_string(kind));
    json_object_set_new(o, "status", json_string("queued"));
    json_object_set_new(o, "created", json_string(ts));
    mt_node_respond(res, 202, o);
}

/* A job row as the API shows it. */
static json_t *job_json(json_t *row, int with_params)
{
    json_t *o = json_object();
    static const char *const keys[] = {"id",       "kind",    "status",  "progress",
                                       "attempts", "created", "started", "finished",
                                       "updated",  "error",   NULL};
    for (const char *const *k = keys; *k; k++) {
        json_t *v = json_object_get(row, *k);
        json_object_set(o, *k, v ? v : json_null());
    }
    json_object_set(o, "group", json_object_get(row, "group_id"));
    json_object_set(o, "owner", json_object_get(row, "owner"));
    json_t *tw = json_object_get(row, "twin_id");
    json_object_set(o, "twin", tw ? tw : json_null());
    json_object_set_new(o, "cancel_requested",
                        json_boolean(json_integer_value(json_object_get(row, "cancel_requested"))));
    json_t *r = json_object_get(row, "result_id");
    json_object_set(o, "result", r ? r : json_null());
    if (with_params) {
        json_error_t je;
        json_t *p = json_loads(mt_node_json_str(row, "params", "{}"), 0, &je);
        json_object_set_new(o, "params", p ? p : json_object());
        if (person_kind(mt_node_json_str(row, "kind", "")))
            json_object_set_new(o, "params_encrypted", json_true());
    }
    return o;
}

/* The job for who: 0 with *row, else 404 (answered) or 500. */
static int visible_job(mt_store_conn *c, mt_ctx *ctx, const mt_node_principal *who, const char *id,
                       job_row *j, mt_http_response *res)
{
    if (!mt_node_valid_uuid(id)) {
        mt_http_error(res, 404, "no job %s", id);
        return 404;
    }
    if (load_job(c, ctx, id, j) != MT_OK) {
        job_row_free(j);
        mt_http_error(res, 500, "storage: %s", mt_errmsg(ctx));
        return 500;
    }
    if (!j->row || (strcmp(who->role, "admin") &&
                    strcmp(mt_node_json_str(j->row, "group_id", ""), who->group))) {
        job_row_free(j);
        mt_http_error(res, 404, "no job %s", id);
        return 404;
    }
    return 0;
}

/* The role check, a connection and the job for who: 0 with *c (the caller releases it) and *j,
 * else the status answered in res (403, 404, 500, 503), with no connection held. */
static int open_job(mt_node *nd, mt_ctx *ctx, const mt_node_principal *who, const char *id,
                    mt_store_conn **c, job_row *j, mt_http_response *res)
{
    if (!may_use_jobs(who, res))
        return 403;
    if (mt_store_acquire(nd->store, ctx, c) != MT_OK) {
        mt_http_error(res, 503, "storage unavailable");
        return 503;
    }
    int code = visible_job(*c, ctx, who, id, j, res);
    if (code)
        mt_store_release(*c);
    return code;
}

static void get_job(mt_node *nd, mt_ctx *ctx, const mt_node_principal *who, const char *id,
                    mt_http_response *res)
{
    mt_store_conn *c;
    job_row j;
    if (open_job(nd, ctx, who, id, &c, &j, res))
        return;
    mt_store_release(c);
    json_t *o = job_json(j.row, 1);
    job_row_free(&j);
    mt_node_respond(res, 200, o);
}

static void list_jobs(mt_node *nd, mt_ctx *ctx, const mt_node_principal *who,
                      const mt_http_request *req, mt_http_response *res)
{
    if (!may_use_jobs(who, res))
        return;
    long limit, offset;
    if (!mt_node_page_args(req, res, MAX_LIST, &limit, &offset))
        return;
    const char *status = mt_http_query(req, "status");
    if (status && strcmp(status, "queued") && strcmp(status, "running") && strcmp(status, "done") &&
        strcmp(status, "failed") && strcmp(status, "cancelled"))
        return mt_http_error(res, 400, "status: one of queued, running, done, failed, cancelled");
    mt_store_conn *c;
    if (mt_store_acquire(nd->store, ctx, &c) != MT_OK)
        return mt_http_error(res, 503, "storage unavailable");
    mt_value p[6] = {
        mt_v_int(!strcmp(who->role, "admin")), mt_v_text(who->group), mt_v_int(status == NULL),
        mt_v_text(status ? status : ""),       mt_v_int(limit),       mt_v_int(offset)};
    json_t *rows = mt_node_query(c, ctx,
                                 "SELECT " JOB_COLS " FROM jobs WHERE (? = 1 OR group_id = ?) AND "
                                 "(? = 1 OR status = ?) ORDER BY created DESC, id LIMIT ? OFFSET ?",
                                 6, p);
    mt_store_release(c);
    if (!rows)
        return mt_http_error(res, 500, "storage: %s", mt_errmsg(ctx));
    json_t *items = json_array(), *r;
    size_t i;
    json_array_foreach(rows, i, r) json_array_append_new(items, job_json(r, 0));
    json_decref(rows);
    mt_node_respond_page(res, items, limit, offset);
}

static void cancel_job(mt_node *nd, mt_ctx *ctx, const mt_node_principal *who, const char *id,
                       mt_http_response *res)
{
    mt_store_conn *c;
    job_row j;
    if (open_job(nd, ctx, who, id, &c, &j, res))
        return;
    job_row_free(&j);
    char ts[40];
    mt_node_now_iso(ts);
    int64_t n1 = 0, n2 = 0;
    mt_status st = exec0(
        c, ctx,
        "UPDATE jobs SET status = 'cancelled', error = 'cancelled on request', "
        "finished = ?, updated = ?, cancel_requested = 1, sealed = NULL WHERE id = ? AND status = "
        "'queued'",
        3, (mt_value[]){mt_v_text(ts), mt_v_text(ts), mt_v_text(id)}, &n1);
    if (st == MT_OK && !n1)
        st = exec0(c, ctx,
                   "UPDATE jobs SET cancel_requested = 1, updated = ? WHERE id = ? AND status = "
                   "'running'",
                   2, (mt_value[]){mt_v_text(ts), mt_v_text(id)}, &n2);
    json_t *rows = st == MT_OK ? mt_node_query(c, ctx, "SELECT " JOB_COLS " FROM jobs WHERE id = ?",
                                               1, (mt_value[]){mt_v_text(id)})
                               : NULL;
    mt_store_release(c);
    if (!rows)
        return mt_http_error(res, 500, "storage: %s", mt_errmsg(ctx));
    json_t *row = json_array_get(rows, 0);
    if (!n1 && !n2) {
        char s[16];
        snprintf(s, sizeof s, "%s", mt_node_json_str(row, "status", ""));
        json_decref(rows);
        return mt_http_error(res, 409, "job %s is already %s", id, s);
    }
    json_t *o = job_json(row, 0);
    json_decref(rows);
    mt_node_respond(res, n1 ? 200 : 202, o);
}

static void get_result(mt_node *nd, mt_ctx *ctx, const mt_node_principal *who, const char *id,
                       mt_http_response *res)
{
    mt_store_conn *c;
    job_row j;
    if (open_job(nd, ctx, who, id, &c, &j, res))
        return;
    const char *status = mt_node_json_str(j.row, "status", "");
    const char *rid = mt_node_json_str(j.row, "result_id", NULL);
    if (strcmp(status, "done") || !rid) {
        mt_http_error(res, 409, "job %s is %s: no result%s", id, status,
                      !strcmp(status, "queued") || !strcmp(status, "running") ? " yet" : "");
        mt_store_release(c);
        job_row_free(&j);
        return;
    }
    mt_node_blob b = {0};
    mt_status st = mt_node_version_content(c, ctx, rid, NULL, &b);
    if (st != MT_OK || !b.data) {
        mt_store_release(c);
        job_row_free(&j);
        free(b.data);
        return mt_http_error(res, 500, "storage: %s",
                             st ? mt_errmsg(ctx) : "the result is missing");
    }
    if (!strcmp(b.media, SEALED_MEDIA)) {
        unsigned char dk[MT_PRIVACY_KEY_BYTES];
        const char *twin = mt_node_json_str(j.row, "twin_id", "");
        int code = job_key(nd, c, ctx, id, twin, j.key.found ? j.key.p : NULL, j.key.n, dk);
        char aad[96], *text = NULL;
        size_t len = 0;
        snprintf(aad, sizeof aad, "medtwin job %s result", id);
        if (!code)
            st = mt_privacy_open(ctx, dk, aad, (const unsigned char *)b.data, b.n, &text, &len);
        sodium_memzero(dk, sizeof dk);
        /* the read of personal data is recorded before it is sent */
        int pg = is_pg(nd);
        if (!code && st == MT_OK)
            st = mt_store_begin(c, ctx);
        if (!code && st == MT_OK) {
            mt_status a = mt_audit_lock(c, ctx, pg);
            if (a == MT_OK)
                a = mt_audit_append(c, ctx, pg, nd->keys, who->id, "job.result.read",
                                    *twin ? twin : id);
            st = mt_store_finish(c, ctx, a);
        }
        mt_store_release(c);
        job_row_free(&j);
        free(b.data);
        if (code == 410)
            return wipe_free(text, len),
                   mt_http_error(res, 410,
                                 "job %s: its twin was erased, the result cannot be "
                                 "decrypted any more",
                                 id);
        if (code || st != MT_OK) {
            wipe_free(text, len);
            return mt_http_error(res, code == 503 ? 503 : 500, "%s", mt_errmsg(ctx));
        }
        res->status = 200;
        res->body = text; /* the server frees it */
        res->body_len = len;
        return;
    }
    mt_store_release(c);
    job_row_free(&j);
    res->status = 200;
    res->body = b.data;
    res->body_len = b.n;
}

int mt_node_route_jobs(mt_node *nd, mt_ctx *ctx, const mt_node_principal *who,
                       const mt_http_request *req, int n, char seg[4][80], mt_http_response *res)
{
    if (n < 1 || strcmp(seg[0], "jobs"))
        return 0;
    int get = !strcmp(req->method, "GET"), post = !strcmp(req->method, "POST");
    if (n == 1 && post)
        post_job(nd, ctx, who, req, res);
    else if (n == 1 && get)
        list_jobs(nd, ctx, who, req, res);
    else if (n == 2 && get)
        get_job(nd, ctx, who, seg[1], res);
    else if (n == 3 && !strcmp(seg[2], "cancel") && post)
        cancel_job(nd, ctx, who, seg[1], res);
    else if (n == 3 && !strcmp(seg[2], "result") && get)
        get_result(nd, ctx, who, seg[1], res);
    else
        return 0;
    return 1;
}
