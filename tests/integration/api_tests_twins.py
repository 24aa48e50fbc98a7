# SPDX-License-Identifier: Apache-2.0
"""Twins, consent and erasure over real HTTP (loaded by api_test.py, which sets `api`).

Covers POST /twins, GET and DELETE /twins/{id}, POST and GET /twins/{id}/consent: role checks
(403), another group's twin (404), pseudonyms (same patient and group -> same id; another group
-> another id), versions, consent and its withdrawal, erasure (410 afterwards), and that the
personal fields are readable nowhere at rest: the SQLite database, its -wal file and the
server's log (PostgreSQL: every table dumped as text) must not contain a distinctive string of
the profiles. The audit chain these calls wrote is checked by test_api.sh (medtwin audit verify).
"""
import binascii
import copy
import json
import os
import shutil
import subprocess

# `api` (the api_test module: call, check, covers, T, S, DB) is set by api_test.py before this runs

# Distinctive strings that occur only in the profiles' personal fields.
SECRET_ID = "zq-PATIENT-7781-XYLOPHONE"
SECRET_COND = "Zymurgic Quetzal fever 7781"
SECRET_ID_B = "zq-PATIENT-9902-OKAPI"

PROFILE = {
    "id": SECRET_ID, "sex": "female", "age_years": 45, "weight_kg": 68.5, "height_cm": 165.1,
    "serum_creatinine_mg_dl": 0.8, "biogeographic_group": "European",
    "conditions": [SECRET_COND], "genotypes": {"CYP2C19": "*2/*2"},
    "reference_time": "2024-03-04T07:00:00Z",
    "medications": [{"drug": "omeprazole", "dose_mg": 20, "route": "po", "interval_h": 24,
                     "start_h": 0, "n_doses": 7}],
}
TW = {}


def twin_id_ok(js):
    return isinstance(js, dict) and isinstance(js.get("id"), str) and len(js["id"]) == 32 \
        and all(c in "0123456789abcdef" for c in js["id"])


def t_twins_create():
    call, check, T, S = api.call, api.check, api.T, api.S
    st, _, _ = call("POST", "/twins", body=PROFILE)
    check(st == 401, "POST /twins without a token: 401")
    st, _, _ = call("POST", "/twins", token=T["readA"], body=PROFILE)
    check(st == 403, "POST /twins as a reader: 403")
    st, js, _ = call("POST", "/twins", token=T["modA"], body=PROFILE)
    check(st == 201 and twin_id_ok(js) and js["version"] == 1 and js["created"],
          "POST /twins as a modeller: 201, a 32-hex pseudonym, version 1")
    TW["a"] = js["id"] if st == 201 else "0" * 32
    check(SECRET_ID not in json.dumps(js), "POST /twins: the answer does not echo the profile id")
    st, js, _ = call("POST", "/twins", token=T["modA"], body=PROFILE)
    check(st == 200 and js["id"] == TW["a"] and not js["created"] and js["version"] == 1,
          "POST /twins again (same patient, same content): 200, the same pseudonym and version")
    st, js, _ = call("POST", "/twins", token=T["curA"], body=PROFILE)
    check(st == 200 and js["id"] == TW["a"],
          "POST /twins by a curator of the same group: the same pseudonym")
    p2 = dict(PROFILE, weight_kg=70.25)
    st, js, _ = call("POST", "/twins", token=T["modA"], body=p2)
    check(st == 201 and js["id"] == TW["a"] and js["version"] == 2 and js["created"],
          "POST /twins with a changed weight: 201, version 2 of the same twin")
    st, js, _ = call("POST", "/twins", token=T["clinB"], body=PROFILE)
    check(st == 201 and twin_id_ok(js) and js["id"] != TW["a"],
          "POST /twins by a clinician of group B: its own twin, another pseudonym")
    TW["b"] = js["id"] if st == 201 else "0" * 32
    st, js, _ = call("POST", "/twins", token=T["clinB"], body=dict(PROFILE, id=SECRET_ID_B))
    check(st == 201 and js["id"] not in (TW["a"], TW["b"]), "POST /twins, another patient: 201")
    TW["b2"] = js["id"] if st == 201 else "0" * 32
    # FHIR Bundle accepted too
    fhir = os.path.join(os.environ["MT_SOURCE_DIR"], "examples/patients/bernd.fhir.json")
    st, js, _ = call("POST", "/twins", token=T["clinB"], raw=open(fhir, "rb").read())
    check(st == 201 and twin_id_ok(js), "POST /twins with a FHIR R4 Bundle: 201")
    # bad input
    for what, raw in (("malformed JSON", b'{"id": "x", '), ("an empty body", b""),
                      ("a JSON array", b"[1, 2]")):
        st, _, _ = call("POST", "/twins", token=T["modA"], raw=raw)
        check(st == 400, "POST /twins with %s: 400" % what)
    bad = copy.deepcopy(PROFILE)
    bad["weigth_kg"] = 70
    st, js, _ = call("POST", "/twins", token=T["modA"], body=bad)
    check(st == 400 and "weigth_kg" in js["error"]["message"],
          "POST /twins with an unknown field: 400 naming it")
    st, _, _ = call("POST", "/twins", token=T["modA"], body=dict(PROFILE, age_years=-3))
    check(st == 400, "POST /twins with an impossible age: 400")
    st, _, _ = call("POST", "/twins", token=T["modA"], body=dict(PROFILE, id="x' OR '1'='1"))
    check(st in (201, 400), "POST /twins with an injection as id: %d (a pseudonym, no effect)" % st)


def t_twins_get():
    call, check, T, S = api.call, api.check, api.T, api.S
    a = TW["a"]
    st, js, _ = call("GET", "/twins/" + a, token=T["modA"])
    ok = st == 200 and js["id"] == a and js["version"] == 2 and js["profile"]["id"] == SECRET_ID
    check(ok and js["profile"]["weight_kg"] == 70.25 and js["profile"]["conditions"] == [SECRET_COND]
          and [v["version"] for v in js["versions"]] == [1, 2] and js["group"] == "groupA",
          "GET /twins/{id}: 200, the decrypted latest profile, versions 1 and 2")
    st, js, _ = call("GET", "/twins/%s?version=1" % a, token=T["curA"])
    check(st == 200 and js["version"] == 1 and js["profile"]["weight_kg"] == 68.5,
          "GET /twins/{id}?version=1 by a curator of the group: version 1")
    st, _, _ = call("GET", "/twins/%s?version=99" % a, token=T["modA"])
    check(st == 404, "GET /twins/{id}?version=99: 404")
    st, _, _ = call("GET", "/twins/%s?version=abc" % a, token=T["modA"])
    check(st == 400, "GET /twins/{id}?version=abc: 400")
    st, _, _ = call("GET", "/twins/" + a, token=T["readA"])
    check(st == 403, "GET /twins/{id} as a reader of the group: 403")
    st, _, _ = call("GET", "/twins/" + a, token=T["modB"])
    check(st == 404, "GET /twins/{id}: another group's twin (modeller B): 404")
    st, _, _ = call("GET", "/twins/" + a, token=T["clinB"])
    check(st == 404, "GET /twins/{id}: another group's twin (clinician B): 404")
    st, js, _ = call("GET", "/twins/" + TW["b"], token=T["clinB"])
    check(st == 200 and js["group"] == "groupB", "GET /twins/{id}: group B's own twin: 200")
    st, js, _ = call("GET", "/twins/" + a, token=S.admin)
    check(st == 200 and js["profile"]["id"] == SECRET_ID, "GET /twins/{id} as admin: 200")
    st, _, _ = call("GET", "/twins/" + a)
    check(st == 401, "GET /twins/{id} without a token: 401")
    for bad in ("0" * 32, "not-a-pseudonym", "..%2F..%2Fetc%2Fpasswd", "%27%20OR%201%3D1%20--"):
        st, _, _ = call("GET", "/twins/" + bad, token=S.admin)
        check(st in (400, 404), "GET /twins/%s: %d" % (bad[:24], st))


def t_twins_list():
    call, check, T = api.call, api.check, api.T
    st, _, _ = call("GET", "/twins")
    check(st == 401, "GET /twins without a token: 401")
    st, _, _ = call("GET", "/twins", token=T["readA"])
    check(st == 403, "GET /twins as a reader: 403")
    st, js, _ = call("GET", "/twins", token=T["modA"])
    ids = [t["id"] for t in js["items"]] if st == 200 else []
    check(st == 200 and TW["a"] in ids and TW["b"] not in ids and TW["b2"] not in ids,
          "GET /twins as a modeller of group A: A's twin, none of group B's (%d)" % len(ids))
    first = js["items"][0] if st == 200 and js["items"] else {}
    check(set(first) == {"id", "group_id", "created", "updated", "versions", "erased"},
          "GET /twins: pseudonyms, times and version counts only (%s)" % sorted(first))
    check(SECRET_ID not in json.dumps(js), "GET /twins does not show a profile's own id")
    st, js, _ = call("GET", "/twins", token=T["clinB"])
    ids = [t["id"] for t in js["items"]] if st == 200 else []
    check(st == 200 and {TW["b"], TW["b2"]} <= set(ids) and TW["a"] not in ids,
          "GET /twins as a clinician of group B: B's twins only")
    st, js, _ = call("GET", "/twins?limit=1", token=T["clinB"])
    check(st == 200 and len(js["items"]) == 1 and js["limit"] == 1, "GET /twins?limit=1: one")
    for bad in ("limit=0", "limit=501", "offset=-1", "limit=1%3BDROP%20TABLE%20resources"):
        st, _, _ = call("GET", "/twins?" + bad, token=T["clinB"])
        check(st == 400, "GET /twins?%s: 400" % bad)


def t_consent():
    call, check, T = api.call, api.check, api.T
    a = TW["a"]
    path = "/twins/%s/consent" % a
    st, js, _ = call("GET", path, token=T["modA"])
    check(st == 200 and js["items"] == [] and js["current"] == {},
          "GET /twins/{id}/consent before any record: empty")
    st, _, _ = call("POST", path, token=T["readA"], body={"purpose": "research", "granted": True})
    check(st == 403, "POST /twins/{id}/consent as a reader: 403")
    st, _, _ = call("POST", path, token=T["modB"], body={"purpose": "research", "granted": True})
    check(st == 404, "POST /twins/{id}/consent on another group's twin: 404")
    st, _, _ = call("GET", path, token=T["clinB"])
    check(st == 404, "GET /twins/{id}/consent on another group's twin: 404")
    st, _, _ = call("GET", path, token=T["readA"])
    check(st == 403, "GET /twins/{id}/consent as a reader: 403")
    for body in ({"purpose": "research"}, {"purpose": "research", "granted": "yes"},
                 {"purpose": "re search", "granted": True},
                 {"purpose": "research", "granted": True, "extra": 1}, {"purpose": "", "granted": False}):
        st, _, _ = call("POST", path, token=T["modA"], body=body)
        check(st == 400, "POST /twins/{id}/consent with %s: 400" % json.dumps(body)[:50])
    st, _, _ = call("POST", path, token=T["modA"], raw=b"{nope")
    check(st == 400, "POST /twins/{id}/consent with malformed JSON: 400")
    st, js, _ = call("POST", path, token=T["modA"], body={"purpose": "research", "granted": True})
    check(st == 201 and js["granted"] is True and js["seq"] == 1 and js["purpose"] == "research",
          "POST /twins/{id}/consent research granted: 201")
    st, js, _ = call("GET", path, token=T["curA"])
    check(st == 200 and js["current"] == {"research": True} and len(js["items"]) == 1,
          "GET /twins/{id}/consent: research granted")
    st, js, _ = call("POST", path, token=T["curA"], body={"purpose": "research", "granted": False})
    check(st == 201 and js["granted"] is False and js["seq"] == 2,
          "POST /twins/{id}/consent research withdrawn: 201")
    st, js, _ = call("POST", path, token=T["modA"], body={"purpose": "teaching", "granted": True})
    st, js, _ = call("GET", path, token=T["modA"])
    check(st == 200 and js["current"] == {"research": False, "teaching": True}
          and [i["granted"] for i in js["items"]] == [True, False, True],
          "GET /twins/{id}/consent: the withdrawal counts, the history is kept (append-only)")
    st, js, _ = call("POST", "/twins/%s/consent" % TW["b"], token=T["clinB"],
                     body={"purpose": "research", "granted": True})
    check(st == 201, "POST /twins/{id}/consent by group B's clinician on its twin: 201")


def t_erase():
    call, check, T, S = api.call, api.check, api.T, api.S
    a = TW["a"]
    st, _, _ = call("DELETE", "/twins/" + a, token=T["readA"])
    check(st == 403, "DELETE /twins/{id} as a reader: 403")
    st, _, _ = call("DELETE", "/twins/" + a, token=T["modB"])
    check(st == 404, "DELETE /twins/{id}: another group's twin: 404")
    st, _, _ = call("DELETE", "/twins/" + a)
    check(st == 401, "DELETE /twins/{id} without a token: 401")
    st, js, _ = call("DELETE", "/twins/" + a, token=T["modA"])
    check(st == 200 and js["id"] == a and js.get("erased"), "DELETE /twins/{id}: 200, erased")
    st, _, _ = call("GET", "/twins/" + a, token=T["modA"])
    check(st == 410, "GET /twins/{id} after erasure: 410 Gone")
    st, _, _ = call("GET", "/twins/%s?version=1" % a, token=S.admin)
    check(st == 410, "GET /twins/{id}?version=1 after erasure (admin): 410")
    st, _, _ = call("DELETE", "/twins/" + a, token=T["modA"])
    check(st == 410, "DELETE /twins/{id} again: 410")
    st, _, _ = call("GET", "/twins/%s/consent" % a, token=T["modA"])
    check(st == 410, "GET /twins/{id}/consent after erasure: 410")
    st, _, _ = call("POST", "/twins/%s/consent" % a, token=T["modA"],
                    body={"purpose": "research", "granted": True})
    check(st == 410, "POST /twins/{id}/consent after erasure: 410")
    st, _, _ = call("POST", "/twins", token=T["modA"], body=PROFILE)
    check(st == 410, "POST /twins with the erased patient again: 410 (the pseudonym is not reused)")
    st, js, _ = call("GET", "/twins/" + TW["b"], token=T["clinB"])
    check(st == 200 and js["profile"]["id"] == SECRET_ID,
          "the same patient's twin in group B is untouched by A's erasure")
    st, js, _ = call("DELETE", "/twins/" + TW["b2"], token=S.admin)
    check(st == 200, "DELETE /twins/{id} as admin (another group's twin): 200")


def pg_dump_text():
    pgbin = os.environ.get("MT_PGBIN", "/usr/lib/postgresql/15/bin")
    exe = os.path.join(pgbin, "pg_dump")
    if not os.access(exe, os.X_OK):
        exe = shutil.which("pg_dump")
    out = subprocess.run([exe, "--data-only", "--no-owner", api.DB], capture_output=True,
                         timeout=120)
    if out.returncode:
        raise RuntimeError("pg_dump failed: %s" % out.stderr.decode(errors="replace")[:300])
    return out.stdout


def t_at_rest():
    check, S = api.check, api.S
    needles = [SECRET_ID, SECRET_COND, SECRET_ID_B]
    forms = []
    for n in needles:
        b = n.encode()
        forms += [(n, b), (n + " (hex)", binascii.hexlify(b))]
    places = []
    if api.DB.startswith("sqlite:"):
        db = api.DB[len("sqlite:"):]
        for path in (db, db + "-wal"):
            if os.path.exists(path):
                places.append((os.path.basename(path), open(path, "rb").read()))
        check(len(places) >= 1, "the SQLite files are there to scan (%d)" % len(places))
    else:
        places.append(("pg_dump of every table", pg_dump_text()))
    S.err.flush()
    places.append(("the server's log", open(S.err.name, "rb").read()))
    # the scan finds what is there: the pseudonym of a twin is stored in plain text
    stored = b"".join(p for _, p in places[:-1])
    check(TW["b"].encode() in stored, "the scanned storage holds the twins (their pseudonyms)")
    for where, data in places:
        found = [name for name, form in forms if form in data]
        check(not found, "personal fields are not readable in %s%s"
              % (where, ": found " + ", ".join(found) if found else ""))
        low = data.lower()
        check(b"zymurgic" not in low and b"xylophone" not in low,
              "no personal field in %s, case-insensitively" % where)


for fn, eps in ((t_twins_create, ("POST /twins",)),
                (t_twins_get, ("GET /twins/{id}",)),
                (t_twins_list, ("GET /twins",)),
                (t_consent, ("POST /twins/{id}/consent", "GET /twins/{id}/consent")),
                (t_erase, ("DELETE /twins/{id}",)),
                (t_at_rest, ())):
    fn.covers = eps

TESTS = [t_twins_create, t_twins_get, t_twins_list, t_consent, t_erase, t_at_rest]
