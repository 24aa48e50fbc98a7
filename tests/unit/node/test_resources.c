/* SPDX-License-Identifier: Apache-2.0
 *
 * tests/unit/node/test_resources.c — the parsers behind the node's resources: the SED-ML subset
 * (src/node/sedml.c), the dataset table (mt_node_table_parse) and the common metadata
 * (mt_node_common_metadata: creators, licence, MIRIAM annotations). The HTTP side is
 * tests/integration/api_tests_resources.py.
 */
#include "node/node_resources.h"
#include "node/sedml.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;

#define CHECK(cond, what)                                                                          \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, what);                         \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

static const char *SEDML =
    "<?xml version='1.0'?><sedML xmlns='http://sed-ml.org/sed-ml/level1/version3' level='1' "
    "version='3'><listOfSimulations><uniformTimeCourse id='s' initialTime='0' "
    "outputStartTime='1' outputEndTime='24' numberOfPoints='23'><algorithm "
    "kisaoID='KISAO:0000019'/></uniformTimeCourse></listOfSimulations><listOfModels><model "
    "id='m' language='urn:sedml:language:sbml' source='x.xml'><listOfChanges><changeAttribute "
    "target=\"/sbml:sbml/sbml:model/sbml:listOfParameters/sbml:parameter[@id='k']/@value\" "
    "newValue='2.5'/></listOfChanges></model></listOfModels><listOfTasks><task id='t' "
    "modelReference='m' simulationReference='s'/></listOfTasks><listOfDataGenerators>"
    "<dataGenerator id='g'><listOfVariables><variable id='v' "
    "target=\"/sbml:sbml/sbml:model/sbml:listOfSpecies/sbml:species[@id='C']\" "
    "taskReference='t'/></listOfVariables><math "
    "xmlns='http://www.w3.org/1998/Math/MathML'><ci>v</ci></math></dataGenerator>"
    "</listOfDataGenerators><listOfOutputs><report id='r'><listOfDataSets><dataSet id='d' "
    "label='C' dataReference='g'/></listOfDataSets></report></listOfOutputs></sedML>";

static mt_status parse(mt_ctx *ctx, const char *s, json_t **out)
{
    return mt_sedml_parse(ctx, s, strlen(s), out);
}

/* s with the first occurrence of a replaced by b (malloc'd). */
static char *subst(const char *s, const char *a, const char *b)
{
    const char *p = strstr(s, a);
    if (!p)
        return NULL;
    size_t n = strlen(s) - strlen(a) + strlen(b);
    char *o = malloc(n + 1);
    if (!o)
        return NULL;
    size_t k = (size_t)(p - s);
    memcpy(o, s, k);
    strcpy(o + k, b);
    strcat(o, p + strlen(a));
    return o;
}

static void test_sedml(mt_ctx *ctx)
{
    json_t *o = NULL;
    CHECK(parse(ctx, SEDML, &o) == MT_OK, mt_errmsg(ctx));
    json_t *sim = json_object_get(o, "simulation");
    CHECK(json_number_value(json_object_get(sim, "start")) == 1 &&
              json_number_value(json_object_get(sim, "end")) == 24 &&
              json_integer_value(json_object_get(sim, "points")) == 23 &&
              !strcmp(json_string_value(json_object_get(sim, "algorithm")), "KISAO:0000019"),
          "the time course");
    json_t *ch = json_array_get(json_object_get(o, "changes"), 0);
    CHECK(!strcmp(json_string_value(json_object_get(ch, "target")), "k") &&
              !strcmp(json_string_value(json_object_get(ch, "attribute")), "value") &&
              json_number_value(json_object_get(ch, "value")) == 2.5,
          "the change");
    json_t *v = json_array_get(json_object_get(o, "variables"), 0);
    CHECK(!strcmp(json_string_value(json_object_get(v, "target")), "C"), "the variable");
    json_decref(o);
    static const char *const bad[][3] = {
        {"uniformTimeCourse id='s'", "steadyState id='s'", "steadyState"},
        {"outputEndTime='24'", "outputEndTime='0.5'", "outputEndTime"},
        {"numberOfPoints='23'", "numberOfPoints='2.5'", "numberOfPoints"},
        {"<ci>v</ci>", "<ci>w</ci>", "<ci>v</ci>"},
        {"dataReference='g'", "dataReference='h'", "dataReference"},
        {"<listOfOutputs>", "<listOfOutputs><plot2D id='p'/>", "plot2D"},
        {"/@value", "/@name", "name"},
        {"newValue='2.5'", "newValue='x'", "newValue"},
        {"modelReference='m'", "modelReference='n'", "modelReference"},
        {"<?xml version='1.0'?>", "<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]>", "DOCTYPE"},
        {"level='1'", "level='2'", "level"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char *s = subst(SEDML, bad[i][0], bad[i][1]);
        o = NULL;
        mt_status st = s ? parse(ctx, s, &o) : MT_ENOMEM;
        char what[200];
        snprintf(what, sizeof what, "refused, naming '%s': %s", bad[i][2], mt_errmsg(ctx));
        CHECK(st == MT_EPARSE && !o && strstr(mt_errmsg(ctx), bad[i][2]), what);
        json_decref(o);
        free(s);
    }
    CHECK(parse(ctx, "", &o) == MT_EPARSE && !o, "empty");
    CHECK(parse(ctx, "<sedML", &o) == MT_EPARSE && !o, "not well-formed");
}

static void test_table(mt_ctx *ctx)
{
    const char *csv = "time,C,depot\n0,0,4\n1,,2\n3,0.5,1e-3\n";
    mt_node_table t;
    CHECK(mt_node_table_parse(ctx, csv, strlen(csv), &t) == MT_OK, mt_errmsg(ctx));
    CHECK(t.n_rows == 3 && t.n_cols == 2 && !strcmp(t.names[0], "C") &&
              !strcmp(t.names[1], "depot") && t.time[2] == 3 && isnan(t.v[2]) && t.v[5] == 1e-3,
          "the table's values, an empty cell as NaN");
    mt_node_table_free(&t);
    static const char *const bad[][2] = {{"t,C\n0,1\n", "time"},
                                         {"time,C\n0,x\n", "not a number"},
                                         {"time,C\n1,1\n0,1\n", "decrease"},
                                         {"time,C\n", "rows"},
                                         {"time,1C\n0,1\n", "SBML ids"},
                                         {"time,C,C\n0,1,1\n", "twice"},
                                         {"time,C\n,1\n", "time"}};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        mt_status st = mt_node_table_parse(ctx, bad[i][0], strlen(bad[i][0]), &t);
        CHECK(st == MT_EPARSE && strstr(mt_errmsg(ctx), bad[i][1]), mt_errmsg(ctx));
    }
}

static void test_metadata(void)
{
    char why[600];
    json_error_t je;
    json_t *b = json_loads(
        "{\"creators\": [\"A B\"], \"licence\": \"CC0-1.0\", \"annotations\": "
        "[\"https://identifiers.org/CHEBI:6931\", \"urn:miriam:taxonomy:9606\", {\"qualifier\": "
        "\"bqbiol:is\", \"uri\": \"https://identifiers.org/uniprot:P08684\"}]}",
        0, &je);
    json_t *m = mt_node_common_metadata(b, why, sizeof why);
    CHECK(m && json_array_size(json_object_get(m, "annotations")) == 3 &&
              !strcmp(json_string_value(json_object_get(m, "licence")), "CC0-1.0"),
          "valid metadata kept");
    json_decref(m);
    json_decref(b);
    static const char *const bad[] = {
        "{\"annotations\": [\"http://identifiers.org/CHEBI:1\"]}",
        "{\"annotations\": [\"https://identifiers.org/CHEBI\"]}",
        "{\"annotations\": [\"https://identifiers.org/:1\"]}",
        "{\"annotations\": [\"urn:miriam:x y:1\"]}",
        "{\"annotations\": [\"https://identifiers.org/a:b c\"]}",
        "{\"annotations\": [{\"uri\": \"urn:miriam:a:1\", \"x\": 1}]}",
        "{\"annotations\": [{\"qualifier\": \"is\", \"uri\": \"urn:miriam:a:1\"}]}",
        "{\"creators\": [\"\"]}",
        "{\"licence\": \"a\\nb\"}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        b = json_loads(bad[i], 0, &je);
        m = mt_node_common_metadata(b, why, sizeof why);
        CHECK(!m && why[0], bad[i]);
        json_decref(m);
        json_decref(b);
    }
}

int main(void)
{
    mt_ctx *ctx = NULL;
    if (mt_ctx_create(&ctx) != MT_OK)
        return 1;
    test_sedml(ctx);
    test_table(ctx);
    test_metadata();
    mt_ctx_destroy(ctx);
    if (failures)
        fprintf(stderr, "%d failure(s)\n", failures);
    else
        printf("test_resources: all passed\n");
    return failures ? 1 : 0;
}
