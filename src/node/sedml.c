/* SPDX-License-Identifier: Apache-2.0
 *
 * node/sedml.c — the SED-ML subset of node/sedml.h, parsed with libxml2 (tree API, no network,
 * no entities, no DTD).
 */
#define _GNU_SOURCE /* memmem */
#include "node/sedml.h"
#include "util/util.h"

#include <errno.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ELEMENTS 20000
#define MAX_POINTS 100000

typedef struct {
    mt_ctx *ctx;
    mt_status st;
    json_t *out, *changes, *variables, *reports;
    json_t *dg_ids; /* object: dataGenerator id -> true */
    char sim_id[128], model_id[128];
    int n_sims, n_models, n_tasks;
    long elements;
} parse_state;

static int fail(parse_state *p, const char *fmt, const char *a, const char *b)
{
    if (p->st == MT_OK)
        p->st = mt_error(p->ctx, MT_EPARSE, fmt, a ? a : "", b ? b : "");
    return 0;
}

static int is(const xmlNode *n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name);
}

/* A copied attribute (free) or NULL. */
static char *attr(const xmlNode *n, const char *name)
{
    xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
    if (!v)
        return NULL;
    char *s = strdup((const char *)v);
    xmlFree(v);
    return s;
}

/* An SId-like identifier: letter or '_' first, then letters, digits, '_'; 1..127 bytes. */
static int valid_id(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 127)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        int alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
        if (!alpha && (i == 0 || c < '0' || c > '9'))
            return 0;
    }
    return 1;
}

static int number(const char *s, double *x)
{
    if (!s || !*s)
        return 0;
    char *end;
    errno = 0;
    *x = strtod(s, &end);
    while (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r')
        end++;
    return !errno && !*end && isfinite(*x);
}

/* The elements among n's children, skipping notes, annotation, text and comments. */
static int skip(const xmlNode *c)
{
    return c->type != XML_ELEMENT_NODE || is(c, "notes") || is(c, "annotation");
}

/* Id X of an XPath target ".../sbml:kind[@id='X']" (attribute NULL) or ".../sbml:kind[@id='X']/@a"
 * (*attribute = a). 1 when it has that form. */
static int xpath_target(const char *t, char id[128], char attribute[64])
{
    const char *p = t ? strstr(t, "[@id=") : NULL;
    if (!p || strstr(p + 1, "[@id="))
        return 0;
    p += 5;
    char q = *p;
    if (q != '\'' && q != '"')
        return 0;
    const char *e = strchr(p + 1, q);
    if (!e || e[1] != ']' || (size_t)(e - p - 1) >= 128)
        return 0;
    memcpy(id, p + 1, (size_t)(e - p - 1));
    id[e - p - 1] = 0;
    if (!valid_id(id))
        return 0;
    const char *rest = e + 2;
    attribute[0] = 0;
    if (!*rest)
        return 1;
    if (strncmp(rest, "/@", 2) || strlen(rest + 2) >= 64 || !valid_id(rest + 2))
        return 0;
    strcpy(attribute, rest + 2);
    return 1;
}

static int count(parse_state *p)
{
    if (++p->elements > MAX_ELEMENTS)
        return fail(p, "SED-ML: more than 20000 elements%s%s", NULL, NULL);
    return 1;
}

static int uniform_time_course(parse_state *p, const xmlNode *n)
{
    char *id = attr(n, "id"), *t0 = attr(n, "initialTime"), *ts = attr(n, "outputStartTime"),
         *te = attr(n, "outputEndTime"), *np = attr(n, "numberOfPoints");
    double a, b, c, pts;
    int ok = 1;
    if (!valid_id(id))
        ok = fail(p, "SED-ML: uniformTimeCourse needs an id (an SId)%s%s", NULL, NULL);
    else if (!number(t0, &a) || !number(ts, &b) || !number(te, &c))
        ok = fail(p,
                  "SED-ML: uniformTimeCourse '%s': initialTime, outputStartTime and "
                  "outputEndTime must be numbers%s",
                  id, NULL);
    else if (!(a <= b && b < c))
        ok = fail(p,
                  "SED-ML: uniformTimeCourse '%s': needs initialTime <= outputStartTime < "
                  "outputEndTime%s",
                  id, NULL);
    else if (!number(np, &pts) || pts != floor(pts) || pts < 1 || pts > MAX_POINTS)
        ok = fail(p, "SED-ML: uniformTimeCourse '%s': numberOfPoints must be a whole number 1..%s",
                  id, "100000");
    char *kisao = NULL;
    for (const xmlNode *k = n->children; ok && k; k = k->next) {
        if (skip(k))
            continue;
        if (!count(p))
            ok = 0;
        else if (!is(k, "algorithm") || kisao)
            ok = fail(p, "SED-ML: uniformTimeCourse '%s': unexpected element <%s>", id,
                      (const char *)k->name);
        else if (!(kisao = attr(k, "kisaoID")))
            ok = fail(p, "SED-ML: algorithm without a kisaoID%s%s", NULL, NULL);
        for (const xmlNode *s = k->children; ok && s; s = s->next)
            if (!skip(s) && !is(s, "listOfAlgorithmParameters"))
                ok = fail(p, "SED-ML: algorithm: unexpected element <%s>%s", (const char *)s->name,
                          NULL);
    }
    if (ok) {
        snprintf(p->sim_id, sizeof p->sim_id, "%s", id);
        json_t *s = json_object();
        json_object_set_new(s, "id", json_string(id));
        json_object_set_new(s, "initial_time", json_real(a));
        json_object_set_new(s, "start", json_real(b));
        json_object_set_new(s, "end", json_real(c));
        json_object_set_new(s, "points", json_integer((json_int_t)pts));
        json_object_set_new(s, "algorithm", kisao ? json_string(kisao) : json_null());
        json_object_set_new(p->out, "simulation", s);
    }
    free(id), free(t0), free(ts), free(te), free(np), free(kisao);
    return ok;
}

static int change(parse_state *p, const xmlNode *c)
{
    char *target = attr(c, "target"), *nv = NULL, id[128], at[64];
    double v = NAN;
    int ok = 1;
    if (!xpath_target(target, id, at) || !at[0])
        ok = fail(p,
                  "SED-ML: <%s> target '%s' is not of the form "
                  ".../sbml:parameter[@id='k']/@value",
                  (const char *)c->name, target ? target : "");
    else if (strcmp(at, "value") && strcmp(at, "initialConcentration") &&
             strcmp(at, "initialAmount") && strcmp(at, "size"))
        ok = fail(p,
                  "SED-ML: change of attribute '%s' of '%s': only value, initialConcentration, "
                  "initialAmount and size can be changed",
                  at, id);
    else if (is(c, "changeAttribute")) {
        if (!number(nv = attr(c, "newValue"), &v))
            ok = fail(p, "SED-ML: changeAttribute of '%s': newValue must be a number%s", id, NULL);
    } else { /* computeChange / setValue: <math><cn>x</cn></math> */
        const xmlNode *m = NULL;
        for (const xmlNode *k = c->children; ok && k; k = k->next) {
            if (skip(k))
                continue;
            if (is(k, "math") && !m)
                m = k;
            else if (!is(k, "listOfVariables") && !is(k, "listOfParameters"))
                ok = fail(p, "SED-ML: <%s> of '%s': unexpected element", (const char *)c->name, id);
            else if (k->children && xmlFirstElementChild((xmlNode *)k))
                ok = fail(p,
                          "SED-ML: <%s> of '%s': only a constant (math <cn>) is supported, not "
                          "variables or parameters",
                          (const char *)c->name, id);
        }
        const xmlNode *cn = m ? xmlFirstElementChild((xmlNode *)m) : NULL;
        xmlChar *txt = cn && is(cn, "cn") && !xmlNextElementSibling((xmlNode *)cn)
                           ? xmlNodeGetContent(cn)
                           : NULL;
        if (ok && (!txt || !number((const char *)txt, &v)))
            ok = fail(p, "SED-ML: <%s> of '%s': the math must be one number (<cn>)",
                      (const char *)c->name, id);
        if (txt)
            xmlFree(txt);
    }
    if (ok) {
        json_t *o = json_object();
        json_object_set_new(o, "target", json_string(id));
        json_object_set_new(o, "attribute", json_string(at));
        json_object_set_new(o, "value", json_real(v));
        json_array_append_new(p->changes, o);
    }
    free(target), free(nv);
    return ok;
}

static int model(parse_state *p, const xmlNode *n)
{
    char *id = attr(n, "id"), *lang = attr(n, "language"), *src = attr(n, "source");
    int ok = 1;
    if (++p->n_models > 1)
        ok = fail(p, "SED-ML: more than one model (the subset takes one)%s%s", NULL, NULL);
    else if (!valid_id(id))
        ok = fail(p, "SED-ML: model needs an id (an SId)%s%s", NULL, NULL);
    else if (lang && strncmp(lang, "urn:sedml:language:sbml", 23))
        ok = fail(p, "SED-ML: model '%s': language '%s' is not SBML", id, lang);
    else if (src && strlen(src) > 1000)
        ok = fail(p, "SED-ML: model '%s': source longer than 1000 characters%s", id, NULL);
    for (const xmlNode *k = n->children; ok && k; k = k->next) {
        if (skip(k))
            continue;
        if (!count(p))
            ok = 0;
        else if (!is(k, "listOfChanges"))
            ok = fail(p, "SED-ML: model '%s': unexpected element <%s>", id, (const char *)k->name);
        for (const xmlNode *c = ok ? k->children : NULL; ok && c; c = c->next) {
            if (skip(c))
                continue;
            if (!count(p))
                ok = 0;
            else if (is(c, "changeAttribute") || is(c, "computeChange") || is(c, "setValue"))
                ok = change(p, c);
            else
                ok = fail(p,
                          "SED-ML: model '%s': change <%s> is not supported (changeAttribute, "
                          "computeChange, setValue)",
                          id, (const char *)c->name);
        }
    }
    if (ok) {
        snprintf(p->model_id, sizeof p->model_id, "%s", id);
        json_t *m = json_object();
        json_object_set_new(m, "id", json_string(id));
        json_object_set_new(m, "source", src ? json_string(src) : json_null());
        json_object_set_new(p->out, "model", m);
    }
    free(id), free(lang), free(src);
    return ok;
}

static int task(parse_state *p, const xmlNode *n)
{
    char *id = attr(n, "id"), *mr = attr(n, "modelReference"), *sr = attr(n, "simulationReference");
    int ok = 1;
    if (!is(n, "task"))
        ok = fail(p, "SED-ML: <%s> is not supported (one task)%s", (const char *)n->name, NULL);
    else if (++p->n_tasks > 1)
        ok = fail(p, "SED-ML: more than one task (the subset takes one)%s%s", NULL, NULL);
    else if (!valid_id(id))
        ok = fail(p, "SED-ML: task needs an id (an SId)%s%s", NULL, NULL);
    else if (!sr || strcmp(sr, p->sim_id))
        ok = fail(p, "SED-ML: task '%s': simulationReference '%s' is not the simulation", id,
                  sr ? sr : "");
    else if (!mr || strcmp(mr, p->model_id))
        ok = fail(p, "SED-ML: task '%s': modelReference '%s' is not the model", id, mr ? mr : "");
    free(id), free(mr), free(sr);
    return ok;
}

static int data_generator(parse_state *p, const xmlNode *n)
{
    char *id = attr(n, "id");
    int ok = 1;
    char *var_id = NULL, *target = NULL, *symbol = NULL;
    const xmlNode *math = NULL;
    if (!is(n, "dataGenerator"))
        ok = fail(p, "SED-ML: <%s> in listOfDataGenerators%s", (const char *)n->name, NULL);
    else if (!valid_id(id))
        ok = fail(p, "SED-ML: dataGenerator needs an id (an SId)%s%s", NULL, NULL);
    else if (json_object_get(p->dg_ids, id))
        ok = fail(p, "SED-ML: dataGenerator '%s' is defined twice%s", id, NULL);
    for (const xmlNode *k = ok ? n->children : NULL; ok && k; k = k->next) {
        if (skip(k))
            continue;
        if (!count(p))
            ok = 0;
        else if (is(k, "math") && !math)
            math = k;
        else if (is(k, "listOfVariables")) {
            for (const xmlNode *v = k->children; ok && v; v = v->next) {
                if (skip(v))
                    continue;
                if (!count(p))
                    ok = 0;
                else if (!is(v, "variable") || var_id)
                    ok = fail(p,
                              "SED-ML: dataGenerator '%s': one <variable> only (a plain "
                              "variable reference)%s",
                              id, NULL);
                else {
                    var_id = attr(v, "id");
                    target = attr(v, "target");
                    symbol = attr(v, "symbol");
                    if (!valid_id(var_id))
                        ok =
                            fail(p, "SED-ML: dataGenerator '%s': variable needs an id%s", id, NULL);
                }
            }
        } else
            ok = fail(p,
                      "SED-ML: dataGenerator '%s': <%s> is not supported (a plain variable "
                      "reference)",
                      id, (const char *)k->name);
    }
    char tid[128] = "", at[64];
    if (ok && !var_id)
        ok = fail(p, "SED-ML: dataGenerator '%s' has no variable%s", id, NULL);
    else if (ok && symbol) {
        if (strcmp(symbol, "urn:sedml:symbol:time") || target)
            ok = fail(p, "SED-ML: dataGenerator '%s': symbol '%s' (only urn:sedml:symbol:time)", id,
                      symbol);
        else
            strcpy(tid, "time");
    } else if (ok && (!xpath_target(target, tid, at) || at[0]))
        ok = fail(p,
                  "SED-ML: dataGenerator '%s': variable target '%s' is not of the form "
                  ".../sbml:species[@id='C']",
                  id, target ? target : "");
    if (ok) {
        const xmlNode *ci = math ? xmlFirstElementChild((xmlNode *)math) : NULL;
        xmlChar *txt = ci && is(ci, "ci") && !xmlNextElementSibling((xmlNode *)ci)
                           ? xmlNodeGetContent(ci)
                           : NULL;
        char name[128] = "";
        if (txt) {
            const char *s = (const char *)txt;
            while (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r')
                s++;
            snprintf(name, sizeof name, "%s", s);
            size_t l = strlen(name);
            while (l && (name[l - 1] == ' ' || name[l - 1] == '\n' || name[l - 1] == '\t' ||
                         name[l - 1] == '\r'))
                name[--l] = 0;
            xmlFree(txt);
        }
        if (strcmp(name, var_id))
            ok = fail(p, "SED-ML: dataGenerator '%s': the math must be <ci>%s</ci>", id, var_id);
    }
    if (ok) {
        json_object_set_new(p->dg_ids, id, json_true());
        json_t *o = json_object();
        json_object_set_new(o, "id", json_string(id));
        json_object_set_new(o, "target", json_string(tid));
        json_array_append_new(p->variables, o);
    }
    free(id), free(var_id), free(target), free(symbol);
    return ok;
}

static int report(parse_state *p, const xmlNode *n)
{
    char *id = attr(n, "id");
    int ok = 1;
    json_t *sets = json_array();
    if (!is(n, "report"))
        ok = fail(p, "SED-ML: output <%s> is not supported (reports only)%s", (const char *)n->name,
                  NULL);
    else if (!valid_id(id))
        ok = fail(p, "SED-ML: report needs an id (an SId)%s%s", NULL, NULL);
    for (const xmlNode *k = ok ? n->children : NULL; ok && k; k = k->next) {
        if (skip(k))
            continue;
        if (!count(p))
            ok = 0;
        else if (!is(k, "listOfDataSets"))
            ok = fail(p, "SED-ML: report '%s': unexpected element <%s>", id, (const char *)k->name);
        for (const xmlNode *d = ok ? k->children : NULL; ok && d; d = d->next) {
            if (skip(d))
                continue;
            char *did = attr(d, "id"), *label = attr(d, "label"), *ref = attr(d, "dataReference");
            if (!count(p))
                ok = 0;
            else if (!is(d, "dataSet"))
                ok = fail(p, "SED-ML: report '%s': unexpected element <%s>", id,
                          (const char *)d->name);
            else if (!valid_id(did))
                ok = fail(p, "SED-ML: report '%s': a dataSet needs an id (an SId)%s", id, NULL);
            else if (!ref || !json_object_get(p->dg_ids, ref))
                ok = fail(p, "SED-ML: dataSet '%s': dataReference '%s' is no dataGenerator", did,
                          ref ? ref : "");
            else if (label && strlen(label) > 200)
                ok = fail(p, "SED-ML: dataSet '%s': label longer than 200 characters%s", did, NULL);
            if (ok) {
                json_t *o = json_object();
                json_object_set_new(o, "id", json_string(did));
                json_object_set_new(o, "label", json_string(label ? label : did));
                json_object_set_new(o, "data", json_string(ref));
                json_array_append_new(sets, o);
            }
            free(did), free(label), free(ref);
        }
    }
    if (ok) {
        json_t *o = json_object();
        json_object_set_new(o, "id", json_string(id));
        json_object_set_new(o, "datasets", json_incref(sets));
        json_array_append_new(p->reports, o);
    }
    json_decref(sets);
    free(id);
    return ok;
}

/* The children of a listOf element, each handed to fn. */
static int each(parse_state *p, const xmlNode *list, int (*fn)(parse_state *, const xmlNode *))
{
    for (const xmlNode *k = list->children; k; k = k->next) {
        if (skip(k))
            continue;
        if (!count(p) || !fn(p, k))
            return 0;
    }
    return 1;
}

static int simulation(parse_state *p, const xmlNode *n)
{
    if (!is(n, "uniformTimeCourse"))
        return fail(p, "SED-ML: simulation <%s> is not supported (uniformTimeCourse only)%s",
                    (const char *)n->name, NULL);
    if (++p->n_sims > 1)
        return fail(p, "SED-ML: more than one simulation (the subset takes one)%s%s", NULL, NULL);
    return uniform_time_course(p, n);
}

static int model_any(parse_state *p, const xmlNode *n)
{
    if (!is(n, "model"))
        return fail(p, "SED-ML: <%s> in listOfModels%s", (const char *)n->name, NULL);
    return model(p, n);
}

static int document(parse_state *p, const xmlNode *root)
{
    if (!root || !is(root, "sedML"))
        return fail(p, "SED-ML: the root element must be <sedML>, not <%s>%s",
                    root ? (const char *)root->name : "", NULL);
    const char *ns = root->ns && root->ns->href ? (const char *)root->ns->href : "";
    if (strncmp(ns, "http://sed-ml.org/", 18) || !strstr(ns, "level1"))
        return fail(p, "SED-ML: namespace '%s' is not SED-ML Level 1%s", ns, NULL);
    char *lv = attr(root, "level"), *vs = attr(root, "version");
    double l = 0, v = 0;
    int ok = number(lv, &l) && l == 1 && number(vs, &v) && v >= 1 && v <= 5 && v == floor(v);
    free(lv), free(vs);
    if (!ok)
        return fail(p, "SED-ML: level must be 1 and version 1..5%s%s", NULL, NULL);
    json_object_set_new(p->out, "level", json_integer(1));
    json_object_set_new(p->out, "version", json_integer((json_int_t)v));
    /* the order matters for references: simulations and models before tasks before data
     * generators before outputs; the SED-ML schema fixes this order too */
    static const char *const order[] = {"listOfSimulations", "listOfModels", "listOfTasks",
                                        "listOfDataGenerators", "listOfOutputs"};
    int (*const fns[])(parse_state *, const xmlNode *) = {simulation, model_any, task,
                                                          data_generator, report};
    int seen[5] = {0};
    for (const xmlNode *k = root->children; k; k = k->next) {
        if (skip(k))
            continue;
        int i = 0;
        while (i < 5 && !is(k, order[i]))
            i++;
        if (i == 5)
            return fail(p, "SED-ML: unexpected element <%s> in <sedML>%s", (const char *)k->name,
                        NULL);
        if (seen[i]++)
            return fail(p, "SED-ML: <%s> appears twice%s", order[i], NULL);
        for (int j = i + 1; j < 5; j++)
            if (seen[j])
                return fail(p, "SED-ML: <%s> must come before <%s>", order[i], order[j]);
        if (!count(p) || !each(p, k, fns[i]))
            return 0;
    }
    if (p->n_sims != 1)
        return fail(p, "SED-ML: exactly one uniformTimeCourse simulation is required%s%s", NULL,
                    NULL);
    if (p->n_tasks == 0 && p->n_models)
        return fail(p, "SED-ML: a model without a task%s%s", NULL, NULL);
    if (!json_object_get(p->out, "model"))
        json_object_set_new(p->out, "model", json_null());
    return 1;
}

mt_status mt_sedml_parse(mt_ctx *ctx, const char *xml, size_t len, json_t **out)
{
    *out = NULL;
    if (len > MT_SEDML_MAX_BYTES)
        return mt_error(ctx, MT_ELIMIT, "SED-ML: larger than 1 MiB");
    if (!xml || !len)
        return mt_error(ctx, MT_EPARSE, "SED-ML: empty document");
    /* no DTD at all: no entity can be declared, so none can be expanded or fetched */
    if (memmem(xml, len, "<!DOCTYPE", 9) || memmem(xml, len, "<!ENTITY", 8) ||
        memmem(xml, len, "<!doctype", 9))
        return mt_error(ctx, MT_EPARSE, "SED-ML: a DOCTYPE or entity declaration is not accepted");
    if (memchr(xml, 0, len))
        return mt_error(ctx, MT_EPARSE, "SED-ML: a NUL byte in the document");
    if (len > (size_t)0x7fffffff)
        return mt_error(ctx, MT_ELIMIT, "SED-ML: too large");
    mt_xml_init();
    xmlParserCtxtPtr pc = xmlNewParserCtxt();
    if (!pc)
        return mt_error(ctx, MT_ENOMEM, "out of memory");
    xmlDocPtr doc = xmlCtxtReadMemory(pc, xml, (int)len, "method.sedml", NULL,
                                      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                                          XML_PARSE_NOCDATA);
    if (!doc) {
        xmlErrorPtr e = xmlCtxtGetLastError(pc);
        char msg[200] = "not well-formed";
        if (e && e->message) {
            snprintf(msg, sizeof msg, "%s", e->message);
            for (char *s = msg; *s; s++)
                if (*s == '\n' || *s == '\r')
                    *s = ' ';
            size_t l = strlen(msg);
            while (l && msg[l - 1] == ' ')
                msg[--l] = 0;
        }
        mt_status st = mt_error(ctx, MT_EPARSE, "SED-ML: line %d: %s", e ? e->line : 0, msg);
        xmlFreeParserCtxt(pc);
        return st;
    }
    xmlFreeParserCtxt(pc);
    if (doc->intSubset || doc->extSubset) {
        xmlFreeDoc(doc);
        return mt_error(ctx, MT_EPARSE, "SED-ML: a DOCTYPE is not accepted");
    }
    parse_state p = {.ctx = ctx,
                     .st = MT_OK,
                     .out = json_object(),
                     .changes = json_array(),
                     .variables = json_array(),
                     .reports = json_array(),
                     .dg_ids = json_object()};
    int ok = p.out && p.changes && p.variables && p.reports && p.dg_ids;
    if (!ok)
        p.st = mt_error(ctx, MT_ENOMEM, "out of memory");
    else
        ok = document(&p, xmlDocGetRootElement(doc));
    xmlFreeDoc(doc);
    json_decref(p.dg_ids);
    if (ok) {
        json_object_set_new(p.out, "changes", p.changes);
        json_object_set_new(p.out, "variables", p.variables);
        json_object_set_new(p.out, "reports", p.reports);
        *out = p.out;
        return MT_OK;
    }
    json_decref(p.changes);
    json_decref(p.variables);
    json_decref(p.reports);
    json_decref(p.out);
    return p.st != MT_OK ? p.st : mt_error(ctx, MT_EPARSE, "SED-ML: not valid");
}
