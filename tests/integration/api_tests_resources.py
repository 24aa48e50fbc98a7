# SPDX-License-Identifier: Apache-2.0
"""Resources of every kind, links, the graph, search, quality reports and curation over real
HTTP (loaded by api_test.py, which sets `api`; run on SQLite and on PostgreSQL by test_api.sh).

Covers GET/POST /{kind}s, GET /{kind}s/{id}, POST /{kind}s/{id}/versions,
GET /{kind}s/{id}/versions/{sha256}, GET/POST /{kind}s/{id}/curation, POST
/{kind}s/{id}/visibility for drugs, methods, datasets, reports, actors, initiatives (and
curation, visibility and quality of models), POST /links, DELETE /links/{id}, GET /graph,
GET /search. Security: 401, 403 by role, 404 for another group's private resource, SQL
injection in q, filters and ids, malformed drug cards, SED-ML and CSV, XML bombs (billion laughs,
external entities) -> 4xx with the stored resources unchanged, a curation raise by a modeller
-> 403, a graph that does not show hidden nodes, search that never returns twins.
"""
import json
import os

# `api` (the api_test module: call, check, covers, T, S) is set by api_test.py before this runs

SRC = os.environ["MT_SOURCE_DIR"]
CARD = json.load(open(os.path.join(SRC, "data/drugs/midazolam.json")))
KINDS = ["drugs", "methods", "datasets", "reports", "actors", "initiatives"]
R = {}  # ids made here

SEDML = """<?xml version="1.0" encoding="UTF-8"?>
<sedML xmlns="http://sed-ml.org/sed-ml/level1/version3" level="1" version="3">
  <listOfSimulations>
    <uniformTimeCourse id="sim1" initialTime="0" outputStartTime="0" outputEndTime="24"
                       numberOfPoints="48"><algorithm kisaoID="KISAO:0000019"/></uniformTimeCourse>
  </listOfSimulations>
  <listOfModels>
    <model id="m1" language="urn:sedml:language:sbml.level-3.version-1" source="pk_oral_1cpt.xml">
      <listOfChanges>
        <changeAttribute target="/sbml:sbml/sbml:model/sbml:listOfParameters/sbml:parameter[@id='lKa']/@value" newValue="0.5"/>
        <computeChange target="/sbml:sbml/sbml:model/sbml:listOfParameters/sbml:parameter[@id='dose']/@value">
          <math xmlns="http://www.w3.org/1998/Math/MathML"><cn>5</cn></math></computeChange>
      </listOfChanges>
    </model>
  </listOfModels>
  <listOfTasks><task id="t1" modelReference="m1" simulationReference="sim1"/></listOfTasks>
  <listOfDataGenerators>
    <dataGenerator id="dg_time"><listOfVariables><variable id="time" symbol="urn:sedml:symbol:time" taskReference="t1"/></listOfVariables>
      <math xmlns="http://www.w3.org/1998/Math/MathML"><ci>time</ci></math></dataGenerator>
    <dataGenerator id="dg_C"><listOfVariables><variable id="C" target="/sbml:sbml/sbml:model/sbml:listOfSpecies/sbml:species[@id='C']" taskReference="t1"/></listOfVariables>
      <math xmlns="http://www.w3.org/1998/Math/MathML"><ci> C </ci></math></dataGenerator>
  </listOfDataGenerators>
  <listOfOutputs><report id="r1"><listOfDataSets>
    <dataSet id="d1" label="time" dataReference="dg_time"/><dataSet id="d2" label="C" dataReference="dg_C"/>
  </listOfDataSets></report></listOfOutputs>
</sedML>
"""

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol9 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">]>
<sedML xmlns="http://sed-ml.org/sed-ml/level1/version3" level="1" version="3"><notes>&lol9;</notes></sedML>"""

XXE = """<?xml version="1.0"?>
<!DOCTYPE sedML [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<sedML xmlns="http://sed-ml.org/sed-ml/level1/version3" level="1" version="3">
<listOfSimulations><uniformTimeCourse id="&xxe;" initialTime="0" outputStartTime="0" outputEndTime="1" numberOfPoints="2"/></listOfSimulations></sedML>"""

# an external DTD fetched over the network, without an entity declared inline
XXE_DTD = """<?xml version="1.0"?>
<!DOCTYPE sedML SYSTEM "http://127.0.0.1:9/evil.dtd">
<sedML xmlns="http://sed-ml.org/sed-ml/level1/version3" level="1" version="3"/>"""

CSV = "time,C,depot\n0,0,4.02\n1,0.5,2.1\n2,0.7,1.1\n4,,0.3\n"


def content_for(plural):
    if plural == "drugs":
        return CARD
    if plural == "methods":
        return SEDML
    if plural == "datasets":
        return CSV
    if plural == "reports":
        return {"summary": "an independent reproduction", "passed": True}
    if plural == "actors":
        return {"name": "Example Pharmacometrics Lab", "type": "group", "country": "DE",
                "url": "https://example.org/lab"}
    return {"name": "Open PBPK Initiative", "url": "https://example.org/opbpk", "start": "2024"}


def creator_for(plural):
    """A token allowed to create this kind: modellers for most, curators for actors/initiatives."""
    return api.T["curA"] if plural in ("actors", "initiatives") else api.T["modA"]


def all_ids():
    st, js, _ = api.call("GET", "/search?limit=500", token=api.S.admin)
    return {(m["id"], m["title"], m["visibility"], m["curation"]) for m in js["items"]} if st == 200 else set()


def ok_items(st, js):
    return js["items"] if st == 200 and isinstance(js, dict) else []


# ---- bundled drugs --------------------------------------------------------------------------

def t_bundled_drugs():
    call, check, T = api.call, api.check, api.T
    st, js, _ = call("GET", "/drugs?limit=500", token=T["readA"])
    items = ok_items(st, js)
    names = {d["title"] for d in items}
    n_cards = len([f for f in os.listdir(os.path.join(SRC, "data/drugs")) if f.endswith(".json")])
    check(st == 200 and len(items) == n_cards and "Midazolam" in names
          and all(d["visibility"] == "public" for d in items),
          "GET /drugs: the %d bundled drug cards are public drugs (%d)" % (n_cards, len(items)))
    mdz = [d for d in items if d["title"] == "Midazolam"]
    R["mdz"] = mdz[0]["id"] if mdz else "00000000-0000-4000-8000-000000000000"
    st, js, _ = call("GET", "/drugs/" + R["mdz"], token=T["clinB"])
    check(st == 200 and js["metadata"]["drug"]["name"] == "midazolam"
          and js["metadata"]["standard"] == "medtwin-drug-card/1" and "Midazolam-Model" in js["metadata"]["source"]
          and len(js["versions"]) == 1, "GET /drugs/{id}: a bundled card with its name, standard and source")
    sha = js["versions"][0]["sha256"] if st == 200 else "0" * 64
    st, _, text = call("GET", "/drugs/%s/versions/%s" % (R["mdz"], sha), token=T["clinB"])
    check(st == 200 and json.loads(text)["name"] == "midazolam"
          and text == open(os.path.join(SRC, "data/drugs/midazolam.json"), "rb").read(),
          "GET /drugs/{id}/versions/{sha256}: the bundled card's exact bytes")


# ---- every kind: create, read, versions -------------------------------------------------------

def t_kinds():
    call, check, T, S = api.call, api.check, api.T, api.S
    for plural in KINDS:
        who = creator_for(plural)
        body = {"title": "res test %s" % plural, "description": "made by api_tests_resources",
                "keywords": ["restest", "kind" + plural], "visibility": "private",
                "creators": ["Ada Lovelace", "Grace Hopper"], "licence": "CC-BY-4.0",
                "standard": "test", "content": content_for(plural),
                "annotations": ["https://identifiers.org/CHEBI:6931",
                                {"qualifier": "bqbiol:is", "uri": "urn:miriam:pubmed:12345"}]}
        if plural == "datasets":
            body["data_use"] = {"purpose": ["research", "validation"],
                                "conditions": "no re-identification; cite the source"}
        st, _, _ = call("POST", "/" + plural, body=body)
        check(st == 401, "POST /%s without a token: 401" % plural)
        st, _, _ = call("POST", "/" + plural, token=T["readA"], body=body)
        check(st == 403, "POST /%s as a reader: 403" % plural)
        if plural in ("actors", "initiatives"):
            st, _, _ = call("POST", "/" + plural, token=T["modA"], body=body)
            check(st == 403, "POST /%s as a modeller: 403 (curator+)" % plural)
        st, _, _ = call("POST", "/" + plural, token=T["modA"], body=dict(body, visibility="public"))
        check(st == 403, "POST /%s public as a modeller: 403" % plural)
        st, js, _ = call("POST", "/" + plural, token=who, body=body)
        check(st == 201 and len(js["sha256"]) == 64 and js["version"] == 1,
              "POST /%s: 201, version 1 (%s)" % (plural, (js or {}).get("error", {}).get("message", "")[:80]))
        rid = js["id"] if st == 201 else "00000000-0000-4000-8000-000000000000"
        R[plural] = rid
        R[plural + "_sha"] = js["sha256"] if st == 201 else "0" * 64
        st, js, _ = call("GET", "/%s/%s" % (plural, rid), token=who)
        md = js.get("metadata", {}) if st == 200 else {}
        check(st == 200 and js["kind"] == plural[:-1] and md.get("creators") == ["Ada Lovelace", "Grace Hopper"]
              and md.get("licence") == "CC-BY-4.0" and len(md.get("annotations", [])) == 2
              and js["versions"][0]["sha256"] == R[plural + "_sha"],
              "GET /%s/{id}: metadata (creators, licence, annotations) and versions" % plural)
        if plural == "datasets":
            check(md.get("data_use", {}).get("conditions") == body["data_use"]["conditions"]
                  and md.get("columns") == ["C", "depot"] and md.get("rows") == 4,
                  "GET /datasets/{id}: the data-use conditions and the columns are shown")
        if plural == "methods":
            sim = md.get("sedml", {}).get("simulation", {})
            check(sim.get("points") == 48 and sim.get("end") == 24
                  and [c["target"] for c in md["sedml"]["changes"]] == ["lKa", "dose"]
                  and [v["target"] for v in md["sedml"]["variables"]] == ["time", "C"],
                  "GET /methods/{id}: the parsed SED-ML (time course, changes, variables)")
        st, _, _ = call("GET", "/%s/%s" % (plural, rid), token=T["modB"])
        check(st == 404, "GET /%s/{id}: another group's private one: 404" % plural)
        st, _, _ = call("GET", "/%s/%s" % (plural, rid), token=T["readA"])
        check(st == 404, "GET /%s/{id}: the same group's reader, a private one: 404" % plural)
        st, _, _ = call("GET", "/%s/%s" % (plural, rid))
        check(st == 401, "GET /%s/{id} without a token: 401" % plural)
        # list, with filters
        st, js, _ = call("GET", "/%s?keyword=kind%s" % (plural, plural), token=who)
        check([m["id"] for m in ok_items(st, js)] == [rid], "GET /%s?keyword=: finds it" % plural)
        st, js, _ = call("GET", "/%s?creator=ada%%20lovelace&q=restest" % plural, token=who)
        check([m["id"] for m in ok_items(st, js)] == [rid], "GET /%s?creator=&q=: finds it" % plural)
        st, js, _ = call("GET", "/%s?keyword=kind%s" % (plural, plural), token=T["modB"])
        check(st == 200 and not js["items"], "GET /%s as group B: the private one is not listed" % plural)
        # versions
        st, _, text = call("GET", "/%s/%s/versions/%s" % (plural, rid, R[plural + "_sha"]), token=who)
        c = content_for(plural)
        same = json.loads(text) == c if isinstance(c, dict) else text.decode() == c
        check(st == 200 and same, "GET /%s/{id}/versions/{sha256}: the content" % plural)
        st, _, _ = call("GET", "/%s/%s/versions/%s" % (plural, rid, "0" * 64), token=who)
        check(st == 404, "GET /%s/{id}/versions/<unknown>: 404" % plural)
        st, _, _ = call("GET", "/%s/%s/versions/%s" % (plural, rid, R[plural + "_sha"]), token=T["modB"])
        check(st == 404, "GET /%s/{id}/versions/{sha256} by another group: 404" % plural)
        c2 = dict(c, description="second") if plural in ("actors", "initiatives") else \
            dict(c, extra_note="v2") if plural == "reports" else \
            CSV + "6,0.2,0.01\n" if plural == "datasets" else \
            SEDML.replace('numberOfPoints="48"', 'numberOfPoints="96"') if plural == "methods" else \
            dict(c, version="1.0.1")
        st, js, _ = call("POST", "/%s/%s/versions" % (plural, rid), token=who,
                         body={"content": c2, "derived_from": R[plural + "_sha"]})
        check(st == 201 and js["version"] == 2 and js["created"],
              "POST /%s/{id}/versions: 201, version 2 (%s)" % (plural, (js or {}).get("error", {}).get("message", "")[:80]))
        st, js, _ = call("POST", "/%s/%s/versions" % (plural, rid), token=who, body={"content": c2})
        check(st == 200 and js["version"] == 2 and not js["created"],
              "POST /%s/{id}/versions, the same content: 200" % plural)
        st, _, _ = call("POST", "/%s/%s/versions" % (plural, rid), token=T["modB"], body={"content": c2})
        want = 403 if plural in ("actors", "initiatives") else 404  # the role is checked first
        check(st == want, "POST /%s/{id}/versions by another group's modeller: %d" % (plural, want))
        st, _, _ = call("POST", "/%s/%s/versions" % (plural, rid), token=T["readA"], body={"content": c2})
        check(st == 403, "POST /%s/{id}/versions by a reader: 403" % plural)
        st, _, _ = call("POST", "/%s/%s/versions" % (plural, rid), token=who, body={"content": c2, "x": 1})
        check(st == 400, "POST /%s/{id}/versions with an unknown field: 400" % plural)
        if plural == "methods":
            st, js, _ = call("GET", "/methods/" + rid, token=who)
            check(st == 200 and js["metadata"]["sedml"]["simulation"]["points"] == 96,
                  "POST /methods/{id}/versions: the metadata follows the latest version")
    # common metadata errors (any kind)
    base = {"title": "bad", "content": content_for("reports")}
    for what, extra in (("an annotation that is not a MIRIAM URI", {"annotations": ["http://evil.example/x"]}),
                        ("an annotation without an id", {"annotations": ["https://identifiers.org/CHEBI:"]}),
                        ("a bad qualifier", {"annotations": [{"qualifier": "evil", "uri": "urn:miriam:pubmed:1"}]}),
                        ("creators not an array", {"creators": "me"}),
                        ("a licence that is a number", {"licence": 3}),
                        ("an unknown field", {"sbml": "x"}),
                        ("data_use on a report", {"data_use": {"purpose": ["x"]}}),
                        ("keywords with a space", {"keywords": ["a b"]}),
                        ("a bad visibility", {"visibility": "world"}),
                        ("a bad derived_from", {"derived_from": "../../etc"})):
        st, _, _ = call("POST", "/reports", token=T["modA"], body=dict(base, **extra))
        check(st == 400, "POST /reports with %s: 400" % what)
    st, _, _ = call("POST", "/reports", token=T["modA"], body={"title": "big", "content": {"x": "y" * (1 << 20)}})
    check(st == 400, "POST /reports with a report over 1 MiB: 400")
    st, _, _ = call("POST", "/reports", token=T["modA"], raw=b'{"title": "x", "content": ')
    check(st == 400, "POST /reports with truncated JSON: 400")
    st, _, _ = call("POST", "/reports", token=T["modA"], raw=b'[1]')
    check(st == 400, "POST /reports with a JSON array: 400")


@api.covers("POST /datasets", "POST /drugs", "POST /methods")
def t_bad_content():
    call, check, T = api.call, api.check, api.T
    before = all_ids()
    bad_card = dict(CARD, schema="medtwin-drug-card/0")
    cases = [("drugs", "a card with a wrong schema", bad_card, 422),
             ("drugs", "a card that is not an object", [1, 2], 400),
             ("drugs", "a card text that is not JSON", "{not json", 422),
             ("drugs", "a card with a negative fu",
              json.loads(json.dumps(CARD).replace('"fu_plasma": {"value": ', '"fu_plasma": {"value": -')), 422),
             ("methods", "SED-ML that is not XML", "<sedML", 422),
             ("methods", "a billion laughs", BILLION_LAUGHS, 422),
             ("methods", "an external entity (file:///etc/passwd)", XXE, 422),
             ("methods", "an external DTD", XXE_DTD, 422),
             ("methods", "two simulations", SEDML.replace("</listOfSimulations>",
              '<uniformTimeCourse id="sim2" initialTime="0" outputStartTime="0" outputEndTime="1" numberOfPoints="2"/></listOfSimulations>'), 422),
             ("methods", "a steady state simulation", SEDML.replace("uniformTimeCourse", "steadyState"), 422),
             ("methods", "a plot", SEDML.replace("<report id=\"r1\">", "<plot2D id=\"p\"/><report id=\"r1\">"), 422),
             ("methods", "an unknown element", SEDML.replace("<listOfTasks>", "<listOfGizmos/><listOfTasks>"), 422),
             ("methods", "a data generator with arithmetic", SEDML.replace("<ci> C </ci>", "<apply><times/><ci>C</ci><cn>2</cn></apply>"), 422),
             ("methods", "a change of a species' compartment", SEDML.replace("[@id='lKa']/@value", "[@id='lKa']/@compartment"), 422),
             ("methods", "end before start", SEDML.replace('outputEndTime="24"', 'outputEndTime="-1"'), 422),
             ("methods", "numberOfPoints too large", SEDML.replace('numberOfPoints="48"', 'numberOfPoints="100000000"'), 422),
             ("methods", "the wrong namespace", SEDML.replace("http://sed-ml.org/sed-ml/level1/version3", "urn:x"), 422),
             ("methods", "a dataSet referring to nothing", SEDML.replace('dataReference="dg_C"', 'dataReference="nope"'), 422),
             ("methods", "SED-ML as an object", {"x": 1}, 400),
             ("datasets", "a CSV without a time column", "t,C\n0,1\n", 422),
             ("datasets", "a CSV with text in a value", "time,C\n0,abc\n", 422),
             ("datasets", "a CSV with decreasing times", "time,C\n2,1\n1,1\n", 422),
             ("datasets", "a CSV with an unterminated quote", 'time,C\n0,"1\n', 422),
             ("datasets", "a CSV with a ragged row", "time,C\n0,1,2\n", 422),
             ("datasets", "a CSV with a bad column name", "time,C;DROP TABLE resources\n0,1\n", 422),
             ("datasets", "a CSV with only a header", "time,C\n", 422),
             ("datasets", "a CSV with an infinite value", "time,C\n0,inf\n", 422),
             ("datasets", "bad data_use", CSV, 400)]
    for plural, what, content, want in cases:
        body = {"title": "bad " + what, "content": content}
        if what == "bad data_use":
            body["data_use"] = {"purpose": "research", "evil": 1}
        st, js, text = call("POST", "/" + plural, token=T["modA"], body=body)
        msg = (js or {}).get("error", {}).get("message", "")
        check(st == want and b"root:" not in text, "POST /%s with %s: %d (%s)" % (plural, what, st, msg[:70]))
    # a deeply nested document and a large one
    deep = SEDML.replace("<listOfTasks>", "<notes>" + "<a>" * 3000 + "</a>" * 3000 + "</notes><listOfTasks>")
    st, _, _ = call("POST", "/methods", token=T["modA"], body={"title": "deep", "content": deep})
    check(st in (201, 422), "POST /methods with 3000 nested elements in notes: %d, no crash" % st)
    if st == 201:
        before = all_ids()  # notes are skipped: a valid method was stored on purpose
    st, _, _ = call("POST", "/methods", token=T["modA"],
                    body={"title": "big", "content": SEDML + "<!--" + "x" * (2 << 20) + "-->"})
    check(st == 422, "POST /methods with a 2 MiB SED-ML: 422")
    big = b'{"title": "big", "content": "time,C\\n' + b"0,1\\n" * (4 << 20) + b'"}'
    try:
        st, _, _ = call("POST", "/datasets", token=T["modA"], raw=big)
    except (ConnectionError, OSError):
        st = 413  # the server answered 413 and closed before the upload finished
    check(st == 413, "POST /datasets with a 20 MiB body: 413")
    check(all_ids() == before, "the malformed contents stored nothing")


# ---- search -----------------------------------------------------------------------------------

@api.covers("GET /search")
def t_search():
    call, check, T, S = api.call, api.check, api.T, api.S
    st, js, _ = call("GET", "/search?q=midazolam", token=T["readA"])
    check(R["mdz"] in [m["id"] for m in ok_items(st, js)], "GET /search?q=midazolam: the bundled drug")
    st, js, _ = call("GET", "/search?q=restest", token=T["modA"])
    kinds = {m["kind"] for m in ok_items(st, js)}
    check(st == 200 and {"drug", "method", "dataset", "report"} <= kinds,
          "GET /search?q=restest as modeller A: across kinds (%s)" % ",".join(sorted(kinds)))
    st, js, _ = call("GET", "/search?q=restest&kind=dataset", token=T["modA"])
    check([m["id"] for m in ok_items(st, js)] == [R["datasets"]], "GET /search?kind=dataset: only the dataset")
    st, js, _ = call("GET", "/search?q=restest", token=T["modB"])
    check(st == 200 and not js["items"], "GET /search?q=restest as group B: nothing of A's private ones")
    st, js, _ = call("GET", "/search?curation=submitted&visibility=public&kind=drug&limit=500", token=T["readA"])
    check(len(ok_items(st, js)) >= 40, "GET /search?curation=&visibility=&kind=: filters")
    st, _, _ = call("GET", "/search?q=x")
    check(st == 401, "GET /search without a token: 401")
    for q in ("kind=twin", "kind=%27%20OR%201%3D1", "curation=gold", "visibility=world",
              "limit=0", "offset=-1", "keyword=a%20b", "q=" + "x" * 501):
        st, _, _ = call("GET", "/search?" + q, token=T["modA"])
        check(st == 400, "GET /search?%s: 400" % q[:30])
    # twins never appear: a twin's title is its pseudonym
    st, js, _ = call("POST", "/twins", token=T["modA"], body={
        "id": "res-test-patient", "sex": "male", "age_years": 50, "weight_kg": 80, "height_cm": 180,
        "serum_creatinine_mg_dl": 1.0})
    tw = js["id"] if st in (200, 201) else None
    check(tw is not None, "POST /twins (for the search test): %d" % st)
    if tw:
        for path in ("/search?q=" + tw, "/search?limit=500", "/search?q=" + tw + "&visibility=group"):
            st, js, _ = call("GET", path, token=T["modA"])
            check(st == 200 and tw not in [m["id"] for m in js["items"]], "GET %s: no twin" % path[:40])
        st, _, _ = call("GET", "/graph?id=" + tw, token=T["modA"])
        check(st == 404, "GET /graph?id=<a twin>: 404")
    before = all_ids()
    for inj in ("%27%20OR%201%3D1%20--", "%22%20OR%20%2A", "NEAR(a%20b)", "title%3A%2A",
                "%27%3B%20DROP%20TABLE%20links%3B%20--", "restest%27)%20OR%20(%271%27%3D%271"):
        for f in ("q", "keyword", "creator"):
            st, js, _ = call("GET", "/search?%s=%s" % (f, inj), token=T["modB"])
            check(st in (200, 400) and not any(m["id"] in (R["datasets"], R["methods"]) for m in ok_items(st, js)),
                  "GET /search?%s=<injection %s>: %d, nothing hidden" % (f, inj[:14], st))
    for bad in ("x%27%20OR%20%271%27%3D%271", "..%2F..%2Fetc%2Fpasswd", "00000000-0000-4000-8000-000000000000"):
        for plural in KINDS:
            st, _, _ = call("GET", "/%s/%s" % (plural, bad), token=S.admin)
            check(st in (400, 404), "GET /%s/%s: %d" % (plural, bad[:16], st))
    check(all_ids() == before, "the injections changed no stored resource")


# ---- links and the graph ----------------------------------------------------------------------

@api.covers("POST /links", "DELETE /links/{id}", "GET /graph")
def t_links_graph():
    call, check, T, S = api.call, api.check, api.T, api.S
    # a group model of A, A's private dataset observed for it, a public drug used by the method
    st, js, _ = call("POST", "/models", token=T["modA"], body={
        "title": "res graph model", "visibility": "group", "sbml": open(os.path.join(SRC, "data/models/pk_oral_1cpt.xml")).read()})
    gm = js["id"] if st == 201 else "00000000-0000-4000-8000-000000000000"
    R["graph_model"] = gm
    body = {"from": R["datasets"], "relation": "observed", "to": gm}
    st, _, _ = call("POST", "/links", body=body)
    check(st == 401, "POST /links without a token: 401")
    st, _, _ = call("POST", "/links", token=T["readA"], body=body)
    check(st == 403, "POST /links as a reader: 403")
    st, js, _ = call("POST", "/links", token=T["modA"], body=body)
    check(st == 201 and js["created"], "POST /links dataset -observed-> model: 201")
    lid = js["id"] if st == 201 else "00000000-0000-4000-8000-000000000000"
    st, js, _ = call("POST", "/links", token=T["modA"], body=body)
    check(st == 200 and js["id"] == lid and not js["created"], "POST /links again: 200, the same link")
    st, js, _ = call("POST", "/links", token=T["modA"], body={"from": R["methods"], "relation": "uses", "to": R["mdz"]})
    check(st == 201, "POST /links method -uses-> public drug: 201")
    st, js, _ = call("POST", "/links", token=T["curA"], body={"from": R["actors"], "relation": "provides", "to": gm})
    check(st == 201, "POST /links actor -provides-> model: 201")
    st, js, _ = call("POST", "/links", token=T["curA"], body={"from": R["actors"], "relation": "member_of", "to": R["initiatives"]})
    check(st == 201, "POST /links actor -member_of-> initiative: 201")
    for what, b, want in (("an unknown relation", dict(body, relation="owns"), 400),
                          ("reference from a drug", {"from": R["mdz"], "relation": "reference", "to": gm}, 400),
                          ("validates from a dataset", {"from": R["datasets"], "relation": "validates", "to": gm}, 400),
                          ("a self-link", {"from": gm, "relation": "uses", "to": gm}, 400),
                          ("an unknown field", dict(body, note="x"), 400),
                          ("an injection as id", dict(body, to="x' OR '1'='1"), 404),
                          ("a missing end", {"from": R["datasets"], "relation": "uses"}, 404)):
        st, _, _ = call("POST", "/links", token=T["modA"], body=b)
        check(st == want, "POST /links with %s: %d" % (what, st))
    # B cannot link to A's hidden things
    st, js, _ = call("POST", "/reports", token=T["modB"], body={"title": "B's report", "content": {"x": 1},
                                                                "visibility": "group"})
    brep = js["id"] if st == 201 else "00000000-0000-4000-8000-000000000000"
    st, _, _ = call("POST", "/links", token=T["modB"], body={"from": brep, "relation": "validates", "to": R["datasets"]})
    check(st == 404, "POST /links to another group's private dataset: 404")
    st, _, _ = call("POST", "/links", token=T["modB"], body={"from": brep, "relation": "validates", "to": gm})
    check(st == 404, "POST /links to another group's group model: 404")
    st, js, _ = call("POST", "/links", token=T["modB"], body={"from": brep, "relation": "validates", "to": R["mdz"]})
    check(st == 201, "POST /links B's report -validates-> a public drug: 201")
    blink = js["id"] if st == 201 else "00000000-0000-4000-8000-000000000000"
    # the graph
    st, js, _ = call("GET", "/graph?id=%s&depth=2" % gm, token=S.admin)
    nodes = {n["id"] for n in js["nodes"]} if st == 200 else set()
    rels = {e["relation"] for e in js["edges"]} if st == 200 else set()
    check(st == 200 and {gm, R["datasets"], R["actors"], R["initiatives"]} <= nodes
          and {"observed", "provides", "member_of"} <= rels,
          "GET /graph?id=model&depth=2 as admin: model, dataset, actor and (depth 2) initiative")
    st, js, _ = call("GET", "/graph?id=%s&depth=1" % gm, token=S.admin)
    check(st == 200 and R["initiatives"] not in {n["id"] for n in js["nodes"]} and R["actors"] in {n["id"] for n in js["nodes"]},
          "GET /graph depth 1: the actor, not the initiative two steps away")
    st, js, _ = call("GET", "/graph?id=%s&depth=3" % gm, token=T["modA"])
    nodes = {n["id"] for n in js["nodes"]} if st == 200 else set()
    check(st == 200 and R["datasets"] in nodes and R["actors"] not in nodes and R["initiatives"] not in nodes
          and all(R["actors"] not in (e["from"], e["to"]) for e in js["edges"]),
          "GET /graph as modeller A: its dataset, not the curator's private actor nor what lies behind it")
    st, js, _ = call("GET", "/graph?id=%s&depth=3" % R["mdz"], token=T["modB"])
    nodes = {n["id"] for n in js["nodes"]} if st == 200 else set()
    check(st == 200 and brep in nodes and R["methods"] not in nodes and gm not in nodes
          and R["datasets"] not in nodes and all(R["methods"] not in (e["from"], e["to"]) for e in js["edges"]),
          "GET /graph?id=<public drug> as B: B's report, none of A's hidden method, model, dataset")
    st, js, _ = call("GET", "/graph?id=%s&depth=3" % R["mdz"], token=T["modA"])
    nodes = {n["id"] for n in js["nodes"]} if st == 200 else set()
    check(st == 200 and R["methods"] in nodes and brep not in nodes,
          "GET /graph?id=<public drug> as A: A's method, not B's group report")
    st, _, _ = call("GET", "/graph?id=" + gm, token=T["modB"])
    check(st == 404, "GET /graph?id=<A's group model> as B: 404")
    st, js, _ = call("GET", "/graph?relation=provides", token=T["readA"])
    check(st == 200 and any(e["from"] == R["actors"] for e in js["edges"]) is False,
          "GET /graph?relation=provides as A's reader: the curator's private actor is hidden")
    st, js, _ = call("GET", "/graph?relation=provides", token=T["curA"])
    check(st == 200 and any(e["from"] == R["actors"] and e["to"] == gm for e in js["edges"]),
          "GET /graph?relation=provides: who provides what")
    for q in ("", "?depth=2", "?id=%s&depth=9" % gm, "?id=%s&depth=x" % gm, "?relation=owns"):
        st, _, _ = call("GET", "/graph" + q, token=T["modA"])
        check(st == 400, "GET /graph%s: 400" % q[:40])
    st, _, _ = call("GET", "/graph?id=%27%20OR%201%3D1", token=T["modA"])
    check(st == 404, "GET /graph?id=<injection>: 404")
    st, _, _ = call("GET", "/graph?id=" + gm)
    check(st == 401, "GET /graph without a token: 401")
    # deleting
    st, js, _ = call("POST", "/links", token=T["modB"], body={"from": R["mdz"], "relation": "describes", "to": T["bundled"]})
    plink = js["id"] if st == 201 else "00000000-0000-4000-8000-000000000000"
    check(st == 201, "POST /links between two public resources by group B: 201")
    st, _, _ = call("DELETE", "/links/" + plink, token=T["modA"])
    check(st == 403, "DELETE /links/{id}: another group's link: 403")
    st, _, _ = call("DELETE", "/links/" + plink, token=S.admin)
    check(st == 200, "DELETE /links/{id} by an admin: 200")
    st, _, _ = call("DELETE", "/links/" + blink, token=T["modA"])
    check(st == 404, "DELETE /links/{id}: a link from a resource hidden from the caller: 404")
    st, _, _ = call("DELETE", "/links/" + lid, token=T["modB"])
    check(st == 404, "DELETE /links/{id}: a link to hidden resources: 404")
    st, _, _ = call("DELETE", "/links/" + lid, token=T["readA"])
    check(st == 403, "DELETE /links/{id} as a reader: 403")
    st, _, _ = call("DELETE", "/links/" + blink, token=T["modB"])
    check(st == 200, "DELETE /links/{id} by its group: 200")
    st, _, _ = call("DELETE", "/links/" + blink, token=T["modB"])
    check(st == 404, "DELETE /links/{id} again: 404")
    st, _, _ = call("DELETE", "/links/x%27%20OR%201%3D1", token=S.admin)
    check(st == 404, "DELETE /links/<injection>: 404")
    st, js, _ = call("GET", "/drugs/" + R["mdz"], token=T["modB"])
    check(st == 200 and not any(l["id"] == blink for l in js["links"]), "the deleted link is gone")


# ---- quality and curation ---------------------------------------------------------------------

def simulated_csv(model_id, token, scale=1.0):
    st, js, _ = api.call("POST", "/models/%s/simulate" % model_id, token=token, body={"end": 24, "steps": 24})
    if st != 200:
        return None
    cols = js["columns"]
    keep = [i for i, c in enumerate(cols) if c in ("C", "depot")]
    lines = ["time," + ",".join(cols[i] for i in keep)]
    for row in js["rows"]:
        lines.append(",".join([repr(row[0])] + [repr(row[i] * scale) for i in keep]))
    return "\n".join(lines) + "\n"


@api.covers("POST /models/{id}/quality", "GET /models/{id}/quality", "POST /models/{id}/curation",
            "GET /models/{id}/curation")
def t_quality_curation():
    call, check, T, S = api.call, api.check, api.T, api.S
    sbml = open(os.path.join(SRC, "data/models/pk_oral_1cpt.xml")).read()
    models = {}
    for name in ("good", "bad"):
        st, js, _ = call("POST", "/models", token=T["modA"], body={"title": "res quality " + name, "visibility": "group", "sbml": sbml})
        models[name] = js["id"] if st == 201 else "00000000-0000-4000-8000-000000000000"
    m = models["good"]
    ref = simulated_csv(m, T["modA"])
    check(ref is not None, "reference results from POST /models/{id}/simulate")
    st, js, _ = call("POST", "/datasets", token=T["modA"], body={"title": "res reference", "visibility": "group", "content": ref})
    dref = js["id"] if st == 201 else None
    st, js, _ = call("POST", "/datasets", token=T["modA"], body={"title": "res wrong reference", "visibility": "group",
                                                                 "content": simulated_csv(m, T["modA"], 1.5)})
    dbad = js["id"] if st == 201 else None
    st, js, _ = call("POST", "/datasets", token=T["modA"], body={"title": "res observed", "visibility": "group",
                                                                 "content": simulated_csv(m, T["modA"], 1.25)})
    dobs = js["id"] if st == 201 else None
    for f, rel, t in ((dref, "reference", m), (dobs, "observed", m), (dbad, "reference", models["bad"])):
        st, _, _ = call("POST", "/links", token=T["modA"], body={"from": f, "relation": rel, "to": t})
        check(st == 201, "POST /links dataset -%s-> model: 201" % rel)
    st, _, _ = call("POST", "/models/%s/quality" % m)
    check(st == 401, "POST /models/{id}/quality without a token: 401")
    st, _, _ = call("POST", "/models/%s/quality" % m, token=T["readA"])
    check(st == 403, "POST /models/{id}/quality as a reader: 403")
    st, _, _ = call("POST", "/models/%s/quality" % m, token=T["modB"])
    check(st == 404, "POST /models/{id}/quality: another group's model: 404")
    for what, b in (("an unknown field", {"x": 1}), ("a bad version", {"version": "abc"}),
                    ("a tolerance of 5", {"tolerance": 5})):
        st, _, _ = call("POST", "/models/%s/quality" % m, token=T["modA"], body=b)
        check(st == 400, "POST /models/{id}/quality with %s: 400" % what)
    st, _, _ = call("POST", "/models/%s/quality" % m, token=T["modA"], body={"version": "0" * 64})
    check(st == 404, "POST /models/{id}/quality with an unknown version: 404")
    st, js, _ = call("POST", "/models/%s/quality" % m, token=T["modA"])
    rep = js.get("report", {}) if st == 201 else {}
    cols = rep.get("reproduction", {}).get("datasets", [{}])[0].get("columns", []) if rep else []
    check(st == 201 and rep["consistency"]["passed"] and rep["reproduction"]["status"] == "pass"
          and {c["id"] for c in cols} == {"C", "depot"} and all(c["max_relative_error"] < 1e-3 for c in cols)
          and rep["passed"] and js["visibility"] == "group",
          "POST /models/{id}/quality: 201, consistent, reproduction passed (max rel. error %s)"
          % [round(c.get("max_relative_error", -1), 8) for c in cols])
    rid = js["id"] if st == 201 else "00000000-0000-4000-8000-000000000000"
    obs = rep.get("observed", {}).get("datasets", [{}])[0].get("columns", []) if rep else []
    cobs = [c for c in obs if c["id"] == "C"]
    check(cobs and abs(cobs[0]["mean_fold_error"] - 0.8) < 1e-4 and cobs[0]["within_2_fold_percent"] == 100
          and cobs[0]["rmse"] > 0 and abs(cobs[0]["absolute_average_fold_error"] - 1.25) < 1e-4,
          "observed vs predicted: mean fold error 0.8, AAFE 1.25, 100%% within 2-fold (%s)" % (cobs[:1],))
    st, js, _ = call("GET", "/reports/" + rid, token=T["readA"])
    check(st == 200 and any(l["relation"] == "validates" and l["to"] == m for l in js["links"])
          and js["versions"][0]["derived_from"] is not None,
          "GET /reports/{id}: the report validates the model and derives from its version")
    st, js, _ = call("GET", "/models/%s/quality" % m, token=T["readA"])
    check(st == 200 and [i["report"] for i in js["items"]] == [rid] and js["items"][0]["reproduction"] == "pass",
          "GET /models/{id}/quality: the report")
    st, _, _ = call("GET", "/models/%s/quality" % m, token=T["modB"])
    check(st == 404, "GET /models/{id}/quality by another group: 404")
    st, js, _ = call("POST", "/models/%s/quality" % models["bad"], token=T["modA"], body={})
    check(st == 201 and js["report"]["reproduction"]["status"] == "fail" and not js["report"]["passed"],
          "POST /models/{id}/quality with a wrong reference: reproduction fails")
    st, js, _ = call("POST", "/models/%s/quality" % models["bad"], token=T["modA"], body={"tolerance": 0.6})
    check(st == 201 and js["report"]["reproduction"]["status"] == "pass",
          "... and passes with a tolerance of 0.6 given in the request")
    # the latest report of the wrong model fails again (the default tolerance)
    st, js, _ = call("POST", "/models/%s/quality" % models["bad"], token=T["modA"], body={})
    # curation
    up = lambda mid, level, tok: call("POST", "/models/%s/curation" % mid, token=tok, body={"level": level, "reason": "test " + level})
    st, _, _ = up(m, "checked", T["modA"])
    check(st == 403, "POST /models/{id}/curation by a modeller: 403")
    st, _, _ = up(m, "checked", None)
    check(st == 401, "POST /models/{id}/curation without a token: 401")
    st, _, _ = call("POST", "/models/%s/curation" % m, token=T["curA"], body={"level": "checked"})
    check(st == 400, "POST /models/{id}/curation without a reason: 400")
    st, _, _ = up(m, "gold", T["curA"])
    check(st == 400, "POST /models/{id}/curation to an unknown level: 400")
    st, _, _ = up(m, "reproduced", T["curA"])
    check(st == 409, "POST /models/{id}/curation two steps at once: 409")
    st, js, _ = up(m, "checked", T["curA"])
    check(st == 200 and js["curation"] == "checked", "POST /models/{id}/curation to checked: 200")
    st, js, _ = up(m, "reproduced", T["curA"])
    check(st == 200 and js["curation"] == "reproduced", "... to reproduced (the latest report passed): 200")
    st, js, _ = up(m, "qualified", T["curA"])
    check(st == 200, "... to qualified: 200")
    st, js, _ = call("GET", "/models/%s/curation" % m, token=T["readA"])
    check(st == 200 and js["curation"] == "qualified" and [h["to"] for h in js["history"]] == ["checked", "reproduced", "qualified"],
          "GET /models/{id}/curation: the history, oldest first")
    st, _, _ = call("GET", "/models/%s/curation" % m, token=T["modB"])
    check(st == 404, "GET /models/{id}/curation by another group: 404")
    st, _, _ = up(models["bad"], "checked", T["curA"])
    st, js, _ = up(models["bad"], "reproduced", T["curA"])
    check(st == 409 and "reproduction" in js["error"]["message"],
          "POST /models/{id}/curation to reproduced when the latest report failed: 409")
    st, _, _ = up(models["bad"], "checked", T["curA"])
    check(st == 409, "the same level again: 409")
    st, js, _ = up(models["bad"], "submitted", T["curA"])
    check(st == 200, "lowering a level (curator): 200")
    # the bundled model: consistency of a bundled model
    st, js, _ = call("POST", "/models/%s/quality" % T["bundled"], token=T["modB"])
    check(st == 201 and js["report"]["consistency"]["passed"] and js["report"]["reproduction"]["status"] == "none"
          and js["visibility"] == "public",
          "POST /models/{id}/quality on a bundled public model: consistent, no reference, a public report")


@api.covers(*["%s /%s/{id}/curation" % (m, p) for p in KINDS for m in ("GET", "POST")])
def t_curation_kinds():
    call, check, T, S = api.call, api.check, api.T, api.S
    for plural in KINDS:
        rid = R[plural]
        st, _, _ = call("POST", "/%s/%s/curation" % (plural, rid), token=T["modA"], body={"level": "checked", "reason": "x"})
        check(st == 403, "POST /%s/{id}/curation by a modeller: 403" % plural)
        st, _, _ = call("POST", "/%s/%s/curation" % (plural, rid), token=T["curA"], body={"level": "checked", "reason": "looked at"})
        # A's private resources are not visible to A's curator (private = the creating token)
        want = 200 if plural in ("actors", "initiatives") else 404
        check(st == want, "POST /%s/{id}/curation by a curator (%s): %d" % (plural, "its creator" if want == 200 else "private to another token", st))
        st, js, _ = call("POST", "/%s/%s/curation" % (plural, rid), token=S.admin, body={"level": "checked", "reason": "admin check"})
        check(st in (200, 409), "POST /%s/{id}/curation by an admin: %d" % (plural, st))
        st, js, _ = call("POST", "/%s/%s/curation" % (plural, rid), token=S.admin, body={"level": "reproduced", "reason": "x"})
        check(st == 409, "POST /%s/{id}/curation to reproduced without a validating report: 409" % plural)
        st, js, _ = call("GET", "/%s/%s/curation" % (plural, rid), token=S.admin)
        check(st == 200 and js["curation"] == "checked" and js["history"][-1]["to"] == "checked",
              "GET /%s/{id}/curation: checked, with its history" % plural)
        st, _, _ = call("GET", "/%s/%s/curation" % (plural, rid), token=T["modB"])
        check(st == 404, "GET /%s/{id}/curation by another group: 404" % plural)
    # a report validating the drug makes 'reproduced' possible for it
    st, js, _ = call("POST", "/links", token=T["modA"], body={"from": R["reports"], "relation": "validates", "to": R["drugs"]})
    st, js, _ = call("POST", "/drugs/%s/curation" % R["drugs"], token=S.admin, body={"level": "reproduced", "reason": "independently reproduced"})
    check(st == 200, "POST /drugs/{id}/curation to reproduced with a validating report: 200")


@api.covers(*(["POST /%s/{id}/visibility" % p for p in KINDS] + ["POST /models/{id}/visibility"]))
def t_visibility():
    call, check, T, S = api.call, api.check, api.T, api.S
    for plural in KINDS:
        rid = R[plural]
        who = creator_for(plural)
        st, _, _ = call("POST", "/%s/%s/visibility" % (plural, rid), token=who, body={"visibility": "sideways"})
        check(st == 400, "POST /%s/{id}/visibility with a bad value: 400" % plural)
        st, _, _ = call("POST", "/%s/%s/visibility" % (plural, rid), token=T["readA"], body={"visibility": "group"})
        check(st == 403, "POST /%s/{id}/visibility as a reader: 403" % plural)
        st, _, _ = call("POST", "/%s/%s/visibility" % (plural, rid), token=T["modB"], body={"visibility": "group"})
        check(st == 404, "POST /%s/{id}/visibility by another group (hidden): 404" % plural)
        if plural not in ("actors", "initiatives"):
            st, _, _ = call("POST", "/%s/%s/visibility" % (plural, rid), token=who, body={"visibility": "public"})
            check(st == 403, "POST /%s/{id}/visibility public as a modeller: 403" % plural)
        st, js, _ = call("POST", "/%s/%s/visibility" % (plural, rid), token=who, body={"visibility": "group"})
        check(st == 200 and js["visibility"] == "group", "POST /%s/{id}/visibility group by its creator: 200" % plural)
        st, _, _ = call("GET", "/%s/%s" % (plural, rid), token=T["readA"])
        check(st == 200, "GET /%s/{id}: now the group's reader sees it" % plural)
        st, _, _ = call("GET", "/%s/%s" % (plural, rid), token=T["modB"])
        check(st == 404, "GET /%s/{id}: group B still does not" % plural)
    st, js, _ = call("POST", "/datasets/%s/visibility" % R["datasets"], token=T["curA"], body={"visibility": "public"})
    check(st == 200, "POST /datasets/{id}/visibility public by a curator of the group: 200")
    st, js, _ = call("GET", "/datasets/" + R["datasets"], token=T["modB"])
    check(st == 200 and js["metadata"]["data_use"]["purpose"] == ["research", "validation"],
          "GET /datasets/{id} by group B once public: the data-use conditions are shown")
    st, _, _ = call("POST", "/datasets/%s/visibility" % R["datasets"], token=T["modA"], body={"visibility": "group"})
    check(st == 403, "withdrawing a public dataset as a modeller: 403")
    m = R["graph_model"]
    st, _, _ = call("POST", "/models/%s/visibility" % m, token=T["modA"], body={"visibility": "public"})
    check(st == 403, "POST /models/{id}/visibility public as a modeller: 403")
    st, js, _ = call("POST", "/models/%s/visibility" % m, token=T["curA"], body={"visibility": "public"})
    check(st == 200 and js["from"] == "group", "POST /models/{id}/visibility public by a curator: 200")
    st, _, _ = call("GET", "/models/" + m, token=T["modB"])
    check(st == 200, "GET /models/{id}: the published model is visible to group B")
    st, _, _ = call("POST", "/models/%s/visibility" % T["privA"], token=T["modB"], body={"visibility": "group"})
    check(st == 404, "POST /models/{id}/visibility on another group's private model: 404")


@api.covers("POST /models", "GET /models", "GET /models/{id}")
def t_model_metadata():
    """Models carry the common metadata too, and GET /models has the filters of every kind."""
    call, check, T = api.call, api.check, api.T
    sbml = open(os.path.join(SRC, "data/models/pk_oral_1cpt.xml")).read()
    body = {"title": "res metadata model", "visibility": "group", "sbml": sbml, "keywords": ["resmeta"],
            "creators": ["Rosalind Franklin"], "licence": "CC0-1.0", "standard": "SBML L3V1",
            "annotations": ["https://identifiers.org/taxonomy:9606"]}
    st, js, _ = call("POST", "/models", token=T["modA"], body=body)
    mid = js["id"] if st == 201 else None
    check(st == 201, "POST /models with creators, licence, standard, annotations: 201")
    st, js, _ = call("GET", "/models/%s" % mid, token=T["readA"])
    md = js.get("metadata") if st == 200 else None
    check(isinstance(md, dict) and md.get("creators") == ["Rosalind Franklin"] and md.get("licence") == "CC0-1.0"
          and md.get("annotations") == ["https://identifiers.org/taxonomy:9606"],
          "GET /models/{id}: the metadata as an object")
    st, js, _ = call("GET", "/models?creator=rosalind%20franklin&keyword=resmeta", token=T["readA"])
    check([m["id"] for m in ok_items(st, js)] == [mid], "GET /models?creator=&keyword=: the model")
    st, js, _ = call("GET", "/models?creator=rosalind%20franklin", token=T["modB"])
    check(st == 200 and not js["items"], "GET /models?creator= as group B: nothing of A's group model")
    st, _, _ = call("GET", "/models?curation=gold", token=T["readA"])
    check(st == 400, "GET /models?curation=gold: 400")
    st, _, _ = call("POST", "/models", token=T["modA"], body=dict(body, annotations=["https://evil.example/x"]))
    check(st == 400, "POST /models with an annotation that is not an identifiers.org/MIRIAM URI: 400")


def endpoints_of_kinds():
    out = []
    for p in KINDS:
        out += ["GET /%s" % p, "POST /%s" % p, "GET /%s/{id}" % p, "POST /%s/{id}/versions" % p,
                "GET /%s/{id}/versions/{sha256}" % p]
    return out


t_kinds = api.covers(*endpoints_of_kinds())(t_kinds)
t_bundled_drugs = api.covers("GET /drugs", "GET /drugs/{id}", "GET /drugs/{id}/versions/{sha256}")(t_bundled_drugs)

TESTS = [t_bundled_drugs, t_model_metadata, t_kinds, t_bad_content, t_search, t_links_graph, t_quality_curation,
         t_curation_kinds, t_visibility]
