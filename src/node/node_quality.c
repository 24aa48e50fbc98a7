/* SPDX-License-Identifier: Apache-2.0
 *
 * node/node_quality.c — quality reports of model versions, computed by the node
 * (docs/resources.md "Quality and curation"):
 *   POST /models/{id}/quality   {"version": sha256 (default: the latest), "tolerance": t}
 *   GET  /models/{id}/quality   the model's reports the caller may see
 *
 * A report holds
 *   - SBML consistency: libSBML's checkConsistency (all categories); passed when no error
 *     (warnings, e.g. of units, are listed but do not fail it);
 *   - reproduction: for every dataset linked to the model with 'reference' (dataset -> model),
 *     the model version simulated at the dataset's times, per column the largest relative error
 *     |sim - ref| / max(|ref|, 1e-6 max|ref of the column|), passed when every column is within
 *     the tolerance (the request's, else the dataset's metadata "tolerance", else 1e-3);
 *   - observed-vs-predicted metrics for every dataset linked with 'observed': per column n,
 *     RMSE, the mean fold error (geometric mean of predicted/observed), the absolute average
 *     fold error and the share of predictions within 2-fold of the observation.
 * It is stored as a resource of kind report whose version is derived from the model version,
 * linked to the model with 'validates', and recorded in quality_reports (which curation reads:
 * 'reproduced' needs the latest report of the latest version to pass reproduction). Only
 * datasets the caller may see are used; the report's visibility is the most restrictive of the
 * model's and the datasets'.
 */
#include "medtwin/model.h"
#include "medtwin/sim.h"
#include "node/node_resources.h"
#include "util/util.h"

#include <math.h>
#include <sbml/SBMLTypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DATASETS 20
#define MAX_MESSAGES 20
#define DEFAULT_TOLERANCE 1e-3

static int vis_rank(const char *v)
{
    return !strcmp(v, "private") ? 0 : !strcmp(v, "group") ? 1 : 2;
}
static const char *const vis_names[] = {"private", "group", "public"};

/* SBML consistency of xml (len bytes). */
static json_t *consistency(const char *xml, size_t len, int *passed)
{
    json_t *o = json_object(), *msgs = json_array();
    char *copy = malloc(len + 1);
    unsigned errors = 0, warnings = 0;
    if (copy) {
        memcpy(copy, xml, len);
        copy[len] = 0;
        mt_xml_init();
        SBMLDocument_t *d = readSBMLFromString(copy);
        free(copy);
        if (d) {
            SBMLDocument_checkConsistency(d);
            unsigned n = SBMLDocument_getNumErrors(d);
            for (unsigned i = 0; i < n; i++) {
                const XMLError_t *e = (const XMLError_t *)SBMLDocument_getError(d, i);
                unsigned sev = XMLError_getSeverity(e);
                if (sev >= LIBSBML_SEV_ERROR)
                    errors++;
                else if (sev == LIBSBML_SEV_WARNING)
                    warnings++;
                else
                    continue;
                if (json_array_size(msgs) < MAX_MESSAGES) {
                    char m[400];
                    const char *t = XMLError_getMessage(e);
                    snprintf(m, sizeof m, "%s", t ? t : "");
                    for (char *p = m; *p; p++)
                        if (*p == '\n' || *p == '\r')
                            *p = ' ';
                    json_t *x = json_object();
                    json_object_set_new(
                        x, "severity", json_string(sev >= LIBSBML_SEV_ERROR ? "error" : "warning"));
                    json_object_set_new(x, "code", json_integer(XMLError_getErrorId(e)));
                    json_object_set_new(x, "line", json_integer(XMLError_getLine(e)));
                    json_object_set_new(x, "message", json_string(m));
                    json_array_append_new(msgs, x);
                }
            }
            SBMLDocument_free(d);
        } else {
            errors = 1;
        }
    } else {
        errors = 1;
    }
    *passed = errors == 0;
    json_object_set_new(o, "passed", json_boolean(*passed));
    json_object_set_new(o, "errors", json_integer(errors));
    json_object_set_new(o, "warnings", json_integer(warnings));
    json_object_set_new(o, "messages", msgs);
    return o;
}

typedef struct {
    char id[37], relation[16], title[256], visibility[16];
    double tolerance; /* NaN: none on the dataset */
    char *csv;
    size_t len;
} linked;

/* Simulates program p at the dataset's times (t >= 0) for its columns. OUT: *out (columns in
 * the order of the matched ones), matched[j] per dataset column, *used rows (times t >= 0). */
static mt_status simulate_at(mt_ctx *ctx, const mt_program *p, const mt_node_table *t, int *matched,
                             size_t *first, mt_result **out)
{
    *out = NULL;
    size_t f = 0;
    while (f < t->n_rows && t->time[f] < 0)
        f++;
    *first = f;
    mt_sim *s = NULL;
    mt_status st = mt_sim_create(ctx, p, &s);
    size_t n_ok = 0;
    for (size_t j = 0; st == MT_OK && j < t->n_cols; j++) {
        matched[j] = mt_sim_add_output(s, t->names[j], MT_REPORT_DEFAULT) == MT_OK;
        n_ok += (size_t)matched[j];
    }
    if (st == MT_OK && n_ok && f < t->n_rows)
        st = mt_sim_run_doses(s, 0, NULL, 0, t->time + f, t->n_rows - f, out);
    mt_sim_destroy(s);
    return st;
}

/* The reproduction or observed metrics of one dataset. */
static json_t *compare(mt_ctx *ctx, const mt_program *p, const linked *l, double tol_req,
                       int *failed)
{
    json_t *o = json_object(), *cols = json_array(), *unmatched = json_array();
    json_object_set_new(o, "id", json_string(l->id));
    json_object_set_new(o, "title", json_string(l->title));
    mt_node_table t;
    int reference = !strcmp(l->relation, "reference");
    double tol = !isnan(tol_req)        ? tol_req
                 : !isnan(l->tolerance) ? l->tolerance
                                        : DEFAULT_TOLERANCE;
    if (reference)
        json_object_set_new(o, "tolerance", json_real(tol));
    if (mt_node_table_parse(ctx, l->csv, l->len, &t) != MT_OK) {
        json_object_set_new(o, "error", json_string(mt_errmsg(ctx)));
        *failed = 1;
        json_decref(cols), json_decref(unmatched);
        return o;
    }
    int *matched = calloc(t.n_cols ? t.n_cols : 1, sizeof *matched);
    size_t first = 0;
    mt_result *r = NULL;
    mt_status st = matched ? simulate_at(ctx, p, &t, matched, &first, &r)
                           : mt_error(ctx, MT_ENOMEM, "out of memory");
    if (st != MT_OK) {
        json_object_set_new(o, "error", json_string(mt_errmsg(ctx)));
        *failed = 1;
    } else if (!r) {
        json_object_set_new(o, "error",
                            json_string("no column of the dataset is a model variable "
                                        "(or no time >= 0)"));
        *failed = 1;
    }
    int all_pass = r != NULL;
    for (size_t j = 0, k = 0; r && j < t.n_cols; j++) {
        if (!matched[j]) {
            json_array_append_new(unmatched, json_string(t.names[j]));
            continue;
        }
        json_t *c = json_object();
        json_object_set_new(c, "id", json_string(t.names[j]));
        size_t n = 0, n_pos = 0, within = 0;
        double scale = 0, max_rel = 0, sse = 0, sum_log = 0, sum_abs_log = 0;
        for (size_t i = first; i < t.n_rows; i++) {
            double ref = t.v[i * t.n_cols + j];
            if (!isnan(ref) && fabs(ref) > scale)
                scale = fabs(ref);
        }
        double floor_ = scale > 0 ? 1e-6 * scale : 1e-300;
        int bad_value = 0;
        for (size_t i = first; i < t.n_rows; i++) {
            double obs = t.v[i * t.n_cols + j], sim = mt_result_value(r, i - first, k);
            if (isnan(obs))
                continue;
            if (!isfinite(sim)) {
                bad_value = 1;
                continue;
            }
            n++;
            double rel = fabs(sim - obs) / fmax(fabs(obs), floor_);
            if (rel > max_rel)
                max_rel = rel;
            sse += (sim - obs) * (sim - obs);
            if (obs > 0 && sim > 0) {
                double lr = log10(sim / obs);
                n_pos++;
                sum_log += lr;
                sum_abs_log += fabs(lr);
                within += fabs(lr) <= log10(2.0) + 1e-12;
            }
        }
        json_object_set_new(c, "n", json_integer((json_int_t)n));
        if (reference) {
            int pass = n > 0 && !bad_value && max_rel <= tol;
            json_object_set_new(c, "max_relative_error", n ? json_real(max_rel) : json_null());
            json_object_set_new(c, "passed", json_boolean(pass));
            all_pass &= pass;
        } else {
            json_object_set_new(c, "rmse", n ? json_real(sqrt(sse / (double)n)) : json_null());
            json_object_set_new(c, "mean_fold_error",
                                n_pos ? json_real(pow(10, sum_log / (double)n_pos)) : json_null());
            json_object_set_new(c, "absolute_average_fold_error",
                                n_pos ? json_real(pow(10, sum_abs_log / (double)n_pos))
                                      : json_null());
            json_object_set_new(c, "within_2_fold_percent",
                                n_pos ? json_real(100.0 * (double)within / (double)n_pos)
                                      : json_null());
            json_object_set_new(c, "n_positive", json_integer((json_int_t)n_pos));
        }
        if (bad_value)
            json_object_set_new(c, "note", json_string("the simulation gave non-finite values"));
        json_array_append_new(cols, c);
        k++;
    }
    if (reference) {
        json_object_set_new(o, "passed", json_boolean(all_pass));
        if (!all_pass)
            *failed = 1;
    }
    json_object_set_new(o, "columns", cols);
    json_object_set_new(o, "unmatched_columns", unmatched);
    if (first)
        json_object_set_new(o, "rows_before_time_0_skipped", json_integer((json_int_t)first));
    mt_result_destroy(r);
    free(matched);
    mt_node_table_free(&t);
    return o;
}

static int copy_blob(void *arg, size_t n, const mt_value *c, const char *const *names)
{
    (void)names;
    linked *l = arg;
    if (n < 1 || (c[0].type != MT_VALUE_BLOB && c[0].type != MT_VALUE_TEXT))
        return 1;
    if ((l->csv = malloc(c[0].n + 1))) {
        memcpy(l->csv, c[0].s, c[0].n);
        l->csv[c[0].n] = 0;
        l->len = c[0].n;
    }
    return 1;
}

void mt_node_quality_post(mt_node *nd, mt_ctx *ctx, const mt_node_principal *who, const char *id,
                          const mt_http_request *req, mt_http_response *res)
{
    if (mt_node_role_rank(who->role) < mt_node_role_rank("modeller"))
        return mt_http_error(res, 403,
                             "computing a quality report needs the modeller role or "
                             "higher");
    json_error_t je;
    json_t *b = req->body_len ? json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &je)
                              : json_object();
    const char *ver = mt_node_json_str(b, "version", NULL);
    json_t *tj = json_object_get(b, "tolerance");
    size_t keys = json_object_size(b);
    if (!json_is_object(b) || keys != (size_t)(!!json_object_get(b, "version") + !!tj) ||
        (json_object_get(b, "version") && (!ver || !mt_node_valid_sha(ver))) ||
        (tj && !(json_is_number(tj) && json_number_value(tj) > 0 && json_number_value(tj) <= 1))) {
        json_decref(b);
        return mt_http_error(res, 400,
                             "the body must be {\"version\": sha256 (optional: the latest), "
                             "\"tolerance\": a relative tolerance in (0, 1] (optional)}");
    }
    double tol_req = tj ? json_number_value(tj) : NAN;
    char sha_want[65] = "";
    if (ver)
        snprintf(sha_want, sizeof sha_want, "%s", ver);
    json_decref(b);
    mt_store_conn *c;
    if (mt_store_acquire(nd->store, ctx, &c) != MT_OK)
        return mt_http_error(res, 503, "storage unavailable");
    int err = 0;
    json_t *r = mt_node_get_resource(c, ctx, who, id, &err);
    if (err || !r || strcmp(mt_node_json_str(r, "kind", ""), "model")) {
        mt_store_release(c);
        json_decref(r);
        if (err)
            return mt_http_error(res, 500, "storage: %s", mt_errmsg(ctx));
        return mt_http_error(res, 404, "no model %s", id);
    }
    json_t *vrow = mt_node_query(
        c, ctx,
        sha_want[0]
            ? "SELECT seq, sha256 FROM versions WHERE resource_id = ? AND sha256 = ?"
            : "SELECT seq, sha256 FROM versions WHERE resource_id = ? ORDER BY seq DESC LIMIT 1",
        sha_want[0] ? 2 : 1, (mt_value[]){mt_v_text(id), mt_v_text(sha_want)});
    json_t *v0 = json_array_get(vrow, 0);
    char sha[65];
    snprintf(sha, sizeof sha, "%s", mt_node_json_str(v0, "sha256", ""));
    long long seq = (long long)json_integer_value(json_object_get(v0, "seq"));
    json_decref(vrow);
    mt_node_blob model = {0};
    mt_status st = sha[0] ? mt_node_version_content(c, ctx, id, sha, &model) : MT_OK;
    /* the datasets linked with reference / observed that the caller may see */
    mt_value p[5] = {mt_v_text(id)};
    mt_node_res_visible_params(who, p + 1);
    json_t *ds = st == MT_OK ? mt_node_query(c, ctx,
                                             "SELECT d.id, d.title, d.visibility, d.metadata, "
                                             "l.relation FROM links l JOIN resources d ON d.id = "
                                             "l.from_id WHERE l.to_id = ? AND l.relation IN "
                                             "('reference', 'observed') AND d.kind = 'dataset' "
                                             "AND " MT_NODE_VISIBLE("d") " ORDER BY l.created, "
                                                                         "l.id LIMIT 20",
                                             5, p)
                             : NULL;
    size_t nl = json_array_size(ds);
    linked *ls = calloc(nl ? nl : 1, sizeof *ls);
    int vis = vis_rank(mt_node_json_str(r, "visibility", "private"));
    for (size_t i = 0; ds && ls && i < nl && st == MT_OK; i++) {
        json_t *d = json_array_get(ds, i);
        snprintf(ls[i].id, sizeof ls[i].id, "%s", mt_node_json_str(d, "id", ""));
        snprintf(ls[i].relation, sizeof ls[i].relation, "%s", mt_node_json_str(d, "relation", ""));
        snprintf(ls[i].title, sizeof ls[i].title, "%s", mt_node_json_str(d, "title", ""));
        int dv = vis_rank(mt_node_json_str(d, "visibility", "private"));
        if (dv < vis)
            vis = dv;
        json_t *m = json_loads(mt_node_json_str(d, "metadata", "{}"), 0, &je);
        json_t *t = json_object_get(m, "tolerance");
        ls[i].tolerance = json_is_number(t) ? json_number_value(t) : NAN;
        json_decref(m);
        st = mt_store_exec(c, ctx,
                           "SELECT content FROM versions WHERE resource_id = ? ORDER BY seq DESC "
                           "LIMIT 1",
                           1, (mt_value[]){mt_v_text(ls[i].id)}, copy_blob, &ls[i], NULL);
    }
    mt_store_release(c);
    char title[400];
    snprintf(title, sizeof title, "Quality report: %.250s (version %lld)",
             mt_node_json_str(r, "title", ""), seq);
    json_decref(r);
    if (st != MT_OK || !ds || !ls) {
        for (size_t i = 0; ls && i < nl; i++)
            free(ls[i].csv);
        free(ls);
        json_decref(ds);
        free(model.data);
        return mt_http_error(res, 500, "storage: %s", ls ? mt_errmsg(ctx) : "out of memory");
    }
    json_decref(ds);
    if (!model.data) {
        for (size_t i = 0; i < nl; i++)
            free(ls[i].csv);
        free(ls);
        return mt_http_error(res, 404, "no version %s of model %s",
                             sha_want[0] ? sha_want : "(any)", id);
    }
    /* the checks, without a connection held */
    int cons_ok = 0, repro_fail = 0, n_ref = 0;
    json_t *rep = json_object();
    char ts[40];
    mt_node_now_iso(ts);
    json_object_set_new(rep, "schema", json_string("medtwin-quality-report/1"));
    json_object_set_new(rep, "model", json_string(id));
    json_object_set_new(rep, "model_version", json_string(sha));
    json_object_set_new(rep, "model_version_number", json_integer(seq));
    json_object_set_new(rep, "computed_by", json_string("node"));
    json_object_set_new(rep, "requested_by", json_string(who->id));
    json_object_set_new(rep, "created", json_string(ts));
    json_object_set_new(rep, "consistency", consistency(model.data, model.n, &cons_ok));
    mt_model *mm = NULL;
    mt_program *pg = NULL;
    mt_status sst = mt_model_load_string(ctx, model.data, model.n, NULL, &mm);
    if (sst == MT_OK)
        sst = mt_program_create(ctx, mm, &pg);
    free(model.data);
    json_t *repro = json_array(), *obs = json_array();
    for (size_t i = 0; i < nl; i++) {
        int reference = !strcmp(ls[i].relation, "reference");
        int failed = 0;
        json_t *one;
        if (!ls[i].csv) {
            one = json_object();
            json_object_set_new(one, "id", json_string(ls[i].id));
            json_object_set_new(one, "error", json_string("the dataset has no version"));
            failed = 1;
        } else if (sst != MT_OK) {
            one = json_object();
            json_object_set_new(one, "id", json_string(ls[i].id));
            json_object_set_new(one, "error", json_string(mt_errmsg(ctx)));
            failed = 1;
        } else {
            one = compare(ctx, pg, &ls[i], tol_req, &failed);
        }
        if (reference) {
            n_ref++;
            repro_fail |= failed;
            json_array_append_new(repro, one);
        } else {
            json_array_append_new(obs, one);
        }
        free(ls[i].csv);
    }
    free(ls);
    mt_program_destroy(pg);
    mt_model_destroy(mm);
    const char *repro_status = !n_ref ? "none" : repro_fail ? "fail" : "pass";
    json_t *ro = json_object();
    json_object_set_new(ro, "status", json_string(repro_status));
    json_object_set_new(ro, "datasets", repro);
    json_object_set_new(rep, "reproduction", ro);
    json_t *oo = json_object();
    json_object_set_new(oo, "datasets", obs);
    json_object_set_new(rep, "observed", oo);
    int passed = cons_ok && strcmp(repro_status, "fail");
    json_object_set_new(rep, "passed", json_boolean(passed));
    char *text = json_dumps(rep, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_t *meta = json_object();
    json_object_set_new(meta, "model", json_string(id));
    json_object_set_new(meta, "model_version", json_string(sha));
    json_object_set_new(meta, "passed", json_boolean(passed));
    json_object_set_new(meta, "standard", json_string("medtwin-quality-report/1"));
    char *mtext = json_dumps(meta, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(meta);
    mt_node_resource_spec spec = {.kind = "report",
                                  .title = title,
                                  .description = "a quality report computed by the node",
                                  .keywords = "quality report",
                                  .visibility = vis_names[vis],
                                  .metadata = mtext,
                                  .content = text,
                                  .content_len = text ? strlen(text) : 0,
                                  .media_type = "application/json",
                                  .derived_from = sha};
    char rid[37] = "", rsha[65] = "", link[37];
    int created;
    st = text && mtext ? mt_store_acquire(nd->store, ctx, &c)
                       : mt_error(ctx, MT_ENOMEM, "out of memory");
    if (st == MT_OK) {
        st = mt_store_begin(c, ctx);
        if (st == MT_OK)
            st = mt_node_res_insert(c, ctx, mt_store_dialect_of(nd->store) == MT_DIALECT_POSTGRES,
                                    who, &spec, rid, rsha);
        if (st == MT_OK)
            st = mt_node_res_link(c, ctx, who, rid, "validates", id, link, &created);
        mt_value q[6] = {mt_v_text(rid),          mt_v_text(id),
                         mt_v_text(sha),          mt_v_text(cons_ok ? "pass" : "fail"),
                         mt_v_text(repro_status), mt_v_text(ts)};
        if (st == MT_OK)
            st = mt_store_exec(c, ctx,
                               "INSERT INTO quality_reports(report_id, model_id, model_sha, "
                               "consistency, reproduction, created) VALUES (?, ?, ?, ?, ?, ?)",
                               6, q, NULL, NULL, NULL);
        st = mt_store_finish(c, ctx, st);
        mt_store_release(c);
    }
    free(text);
    free(mtext);
    if (st != MT_OK) {
        json_decref(rep);
        return mt_http_error(res, 500, "storage: %s", mt_errmsg(ctx));
    }
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(rid));
    json_object_set_new(o, "sha256", json_string(rsha));
    json_object_set_new(o, "visibility", json_string(vis_names[vis]));
    json_object_set_new(o, "report", rep);
    mt_node_respond(res, 201, o);
}

void mt_node_quality_list(mt_node *nd, mt_ctx *ctx, const mt_node_principal *who, const char *id,
                          mt_http_response *res)
{
    mt_store_conn *c;
    if (mt_store_acquire(nd->store, ctx, &c) != MT_OK)
        return mt_http_error(res, 503, "storage unavailable");
    int err = 0;
    json_t *r = mt_node_get_resource(c, ctx, who, id, &err);
    int ok = r && !strcmp(mt_node_json_str(r, "kind", ""), "model");
    json_decref(r);
    json_t *rows = NULL;
    if (ok) {
        mt_value p[5] = {mt_v_text(id)};
        mt_node_res_visible_params(who, p + 1);
        rows = mt_node_query(
            c, ctx,
            "SELECT q.report_id AS report, q.model_sha AS version, "
            "q.consistency, q.reproduction, q.created FROM quality_reports q "
            "JOIN resources r ON r.id = q.report_id WHERE q.model_id = ? AND " MT_NODE_VISIBLE(
                "r") " ORDER BY q.created, q.report_id",
            5, p);
    }
    mt_store_release(c);
    if (err || (ok && !rows))
        return mt_http_error(res, 500, "storage: %s", mt_errmsg(ctx));
    if (!ok)
        return mt_http_error(res, 404, "no model %s", id);
    json_t *o = json_object();
    json_object_set_new(o, "model", json_string(id));
    json_object_set_new(o, "items", rows);
    mt_node_respond(res, 200, o);
}
