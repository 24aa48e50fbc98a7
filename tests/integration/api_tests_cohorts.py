# SPDX-License-Identifier: Apache-2.0
"""Research cohorts gated by consent, over real HTTP (loaded by api_test.py, which sets `api`).

Covers POST /cohorts, GET /cohorts, GET /cohorts/{id}: a twin enters a cohort only with a
current consent record for the cohort's purpose (none, withdrawn, another purpose, erased,
another group's or unknown twins are excluded, with the reason); membership is re-checked on
every read, so a withdrawal or an erasure after inclusion makes the member inactive; roles
(401, 403 for readers), another group's cohort (404), malformed bodies (400, nothing stored).
"""
import copy

# `api` (the api_test module: call, check, covers, T, S) is set by api_test.py before this runs

BASE = {"sex": "male", "age_years": 61, "weight_kg": 81.0, "height_cm": 178.0,
        "serum_creatinine_mg_dl": 1.1, "biogeographic_group": "European"}


def twin(token, pid):
    p = copy.deepcopy(BASE)
    p["id"] = pid
    st, js, _ = api.call("POST", "/twins", token=token, body=p)
    return js["id"] if st in (200, 201) else None


def consent(token, tid, purpose, granted):
    st, _, _ = api.call("POST", "/twins/%s/consent" % tid, token=token,
                        body={"purpose": purpose, "granted": granted})
    return st


def t_cohorts():
    call, check, T = api.call, api.check, api.T
    a = [twin(T["modA"], "cohort-a%d" % i) for i in range(5)]
    b = twin(T["clinB"], "cohort-b0")
    check(all(a) and b, "six twins for the cohort tests (five of group A, one of B)")
    # consent: a0 and a1 research; a2 research then withdrawn; a3 another purpose; a4 none
    sts = [consent(T["modA"], a[0], "research", True), consent(T["modA"], a[1], "research", True),
           consent(T["modA"], a[2], "research", True), consent(T["modA"], a[2], "research", False),
           consent(T["modA"], a[3], "treatment", True), consent(T["clinB"], b, "research", True)]
    check(sts == [201] * 6, "consent records written (%s)" % sts)
    body = {"title": "in-silico warfarin study", "purpose": "research",
            "twins": a + [b, "0" * 32, a[0]]}
    st, _, _ = call("POST", "/cohorts", body=body)
    check(st == 401, "POST /cohorts without a token: 401")
    st, _, _ = call("POST", "/cohorts", token=T["readA"], body=body)
    check(st == 403, "POST /cohorts as a reader: 403")
    st, js, _ = call("POST", "/cohorts", token=T["modA"], body=body)
    check(st == 201, "POST /cohorts as a modeller of group A: 201")
    if st != 201:
        return
    cid = js["id"]
    check(sorted(js["included"]) == sorted(a[:2]),
          "only the twins with a current research consent are included (%d)" % len(js["included"]))
    reasons = {e["twin"]: e["reason"] for e in js["excluded"]}
    check(reasons.get(a[2], "").startswith("no consent") and reasons.get(a[3], "").startswith("no consent")
          and reasons.get(a[4], "").startswith("no consent"),
          "withdrawn, other-purpose and missing consents are excluded as 'no consent'")
    check(reasons.get(b) == "not found" and reasons.get("0" * 32) == "not found",
          "another group's twin and an unknown id are excluded as 'not found' (indistinguishable)")
    st, js, _ = call("GET", "/cohorts/" + cid, token=T["curA"])
    check(st == 200 and js["active"] == 2 and js["purpose"] == "research"
          and all(m["active"] for m in js["members"]), "GET /cohorts/{id}: two active members")
    # withdrawal and erasure after inclusion are honoured on the next read
    check(consent(T["modA"], a[0], "research", False) == 201, "a0 withdraws its research consent")
    st, _, _ = call("DELETE", "/twins/" + a[1], token=T["modA"])
    check(st in (200, 204), "a1 is erased (%d)" % st)
    st, js, _ = call("GET", "/cohorts/" + cid, token=T["modA"])
    why = {m["twin"]: m.get("reason") for m in js.get("members", [])}
    check(st == 200 and js["active"] == 0 and why.get(a[0], "").startswith("no consent")
          and why.get(a[1]) == "erased",
          "after the withdrawal and the erasure no member is active, with the reasons")
    st, _, _ = call("GET", "/cohorts/" + cid, token=T["clinB"])
    check(st == 404, "GET another group's cohort: 404")
    st, _, _ = call("GET", "/cohorts/" + cid, token=T["readA"])
    check(st == 403, "GET /cohorts/{id} as a reader: 403")
    for bad in ("not-a-uuid", "00000000-0000-0000-0000-000000000000"):
        st, _, _ = call("GET", "/cohorts/" + bad, token=T["modA"])
        check(st == 404, "GET /cohorts/%s: 404" % bad)
    st, js, _ = call("GET", "/cohorts", token=T["modA"])
    check(st == 200 and any(c["id"] == cid and c["members"] == 2 for c in js["items"]),
          "GET /cohorts lists group A's cohort with its two members")
    st, js, _ = call("GET", "/cohorts", token=T["clinB"])
    check(st == 200 and all(c["id"] != cid for c in js["items"]), "GET /cohorts as group B: not A's")
    st, _, _ = call("GET", "/cohorts?limit=0", token=T["modA"])
    check(st == 400, "GET /cohorts?limit=0: 400")
    # malformed bodies: 400, nothing stored
    st, before, _ = call("GET", "/cohorts?limit=500", token=T["modA"])
    for what, bad in (("no title", {"purpose": "research", "twins": []}),
                      ("a bad purpose", {"title": "t", "purpose": "re search", "twins": []}),
                      ("a twin id that is not one", {"title": "t", "purpose": "research",
                                                     "twins": ["'; DROP TABLE cohorts; --"]}),
                      ("twins not an array", {"title": "t", "purpose": "research", "twins": "all"}),
                      ("too many twins", {"title": "t", "purpose": "research", "twins": a * 201})):
        st, _, _ = call("POST", "/cohorts", token=T["modA"], body=bad)
        check(st == 400, "POST /cohorts with %s: 400" % what)
    st, _, _ = call("POST", "/cohorts", token=T["modA"], raw=b'{"title": ')
    check(st == 400, "POST /cohorts with malformed JSON: 400")
    st, after, _ = call("GET", "/cohorts?limit=500", token=T["modA"])
    check(len(after["items"]) == len(before["items"]), "the refused cohorts stored nothing")


t_cohorts.covers = ("POST /cohorts", "GET /cohorts", "GET /cohorts/{id}")
TESTS = [t_cohorts]
