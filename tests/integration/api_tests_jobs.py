# SPDX-License-Identifier: Apache-2.0
"""The job queue over real HTTP (loaded by api_test.py, which sets `api`; docs/jobs.md).

Covers POST /jobs, GET /jobs, GET /jobs/{id}, POST /jobs/{id}/cancel, GET /jobs/{id}/result:
each kind (simulate, population, predict on a twin and on an inline profile, fit, dose) with a
small workload, polled to done and its result fetched (the simulate job's result equals the
synchronous POST /models/{id}/simulate); a queued job and a running population job cancelled;
400 naming the field, 401, 403 (reader; clinician for model and population jobs), 404 (unknown
and another group's job, model or twin), 409 (no result yet, cancel of an ended job), 410 (the
result of a job on an erased twin); and that neither the profiles nor the results of jobs on
persons are readable at rest (SQLite database, WAL and the server's log; PostgreSQL: pg_dump).
"""
import binascii
import json
import os
import shutil
import subprocess
import time

# `api` (the api_test module) is set by api_test.py before this runs

SECRET_ID = "zq-JOBPATIENT-4417-MARIMBA"
SECRET_COND = "Quokkaform jobitis 4417"
SECRET_INLINE = "zq-INLINE-5521-OCARINA"
SECRET_ERASE = "zq-ERASEJOB-6630-BASSOON"

PROFILE = {
    "id": SECRET_ID, "sex": "female", "age_years": 52, "weight_kg": 71.5, "height_cm": 166.0,
    "serum_creatinine_mg_dl": 0.9, "biogeographic_group": "European",
    "conditions": [SECRET_COND], "genotypes": {"CYP3A5": "*3/*3"},
}
WARFARIN = {"id": SECRET_INLINE + "-W", "sex": "male", "age_years": 60, "weight_kg": 70,
            "height_cm": 175, "genotypes": {"CYP2C9": "*1/*1",
                                            "VKORC1": "rs9923231 reference (C)/rs9923231 variant (T)"}}
VANCO = "vancomycin 1 g ivinf over 60 min q12h x 4 doses"
J = {}
TWIN = {}
LONG_N = 20000  # a population run of minutes: cancelled long before it ends


def wait(token, jid, states=("done", "failed", "cancelled"), timeout=180, pred=None):
    """Polls GET /jobs/{id} until its status is one of states (and pred holds)."""
    t0 = time.time()
    js = None
    while time.time() - t0 < timeout:
        st, js, _ = api.call("GET", "/jobs/" + jid, token=token)
        if st == 200 and js["status"] in states and (pred is None or pred(js)):
            return js
        time.sleep(0.1)
    return js


def submit(token, body):
    st, js, _ = api.call("POST", "/jobs", token=token, body=body)
    return st, js


def msg(js):
    return (js or {}).get("error", {}).get("message", "")


def t_jobs_submit():
    call, check, T = api.call, api.check, api.T
    # a twin of group A and one to erase later
    st, js, _ = call("POST", "/twins", token=T["modA"], body=PROFILE)
    TWIN["a"] = js["id"] if st == 201 else "0" * 32
    st, js, _ = call("POST", "/twins", token=T["curA"], body=dict(PROFILE, id=SECRET_ERASE))
    TWIN["erase"] = js["id"] if st == 201 else "0" * 32
    check(TWIN["a"] != "0" * 32 and TWIN["erase"] != "0" * 32, "jobs: two twins of group A made")
    sim = {"kind": "simulate", "model": T["bundled"], "end": 24, "steps": 24}
    st, _ = submit(None, sim)
    check(st == 401, "POST /jobs without a token: 401")
    st, _ = submit(T["readA"], sim)
    check(st == 403, "POST /jobs as a reader: 403")
    st, _ = submit(T["clinB"], sim)
    check(st == 403, "POST /jobs simulate as a clinician: 403 (modeller+)")
    st, _ = submit(T["clinB"], {"kind": "population", "n": 64, "regimens": ["midazolam 2 mg iv once"]})
    check(st == 403, "POST /jobs population as a clinician: 403 (modeller+)")
    st, _, _ = call("POST", "/jobs", token=T["modA"], raw=b'{"kind": "simulate", ')
    check(st == 400, "POST /jobs with malformed JSON: 400")
    bad = [
        ({"kind": "bake"}, "kind"),
        ({}, "kind"),
        (dict(sim, colour="red"), "colour"),
        ({"kind": "simulate", "model": T["bundled"]}, "end"),
        (dict(sim, end=-1), "end"),
        (dict(sim, steps=10 ** 9), "steps"),
        (dict(sim, model="x' OR '1'='1"), "model"),
        (dict(sim, version="abc"), "version"),
        (dict(sim, set={"k": "fast"}), "set"),
        ({"kind": "population", "n": 10 ** 9, "regimens": ["midazolam 2 mg iv once"]}, "n"),
        ({"kind": "population", "n": 10, "regimens": "midazolam"}, "regimens"),
        ({"kind": "population", "n": 10, "regimens": ["midazolam two mg iv once"]}, "regimens"),
        ({"kind": "population", "n": 10, "population": "martian", "regimens": ["midazolam 2 mg iv once"]}, "population"),
        ({"kind": "predict", "regimens": ["midazolam 2 mg iv once"]}, "twin"),
        ({"kind": "predict", "twin": TWIN["a"], "profile": PROFILE, "regimens": ["midazolam 2 mg iv once"]}, "profile"),
        ({"kind": "predict", "twin": "zz", "regimens": ["midazolam 2 mg iv once"]}, "twin"),
        ({"kind": "predict", "profile": dict(PROFILE, age_years=-4), "regimens": ["midazolam 2 mg iv once"]}, "profile"),
        ({"kind": "predict", "twin": TWIN["a"], "regimens": []}, "regimens"),
        ({"kind": "predict", "twin": TWIN["a"], "regimens": ["midazolam 2 mg iv once"], "until_h": 0}, "until_h"),
        ({"kind": "fit", "twin": TWIN["a"], "drug": "unobtainium"}, "drug"),
        ({"kind": "fit", "twin": TWIN["a"], "drug": "vancomycin", "levels": [{"time_h": 3}]}, "levels"),
        ({"kind": "fit", "twin": TWIN["a"], "drug": "vancomycin", "regimens": ["midazolam 2 mg iv once"]}, "regimens"),
        ({"kind": "dose", "twin": TWIN["a"], "drug": "vancomycin"}, "target"),
        ({"kind": "dose", "twin": TWIN["a"], "drug": "vancomycin", "target": "auc24 600-400"}, "target"),
        ({"kind": "dose", "twin": TWIN["a"], "drug": "vancomycin", "target": "auc24 400-600", "draws": 0}, "draws"),
    ]
    for body, field in bad:
        st, js = submit(T["modA"], body)
        check(st == 400 and field in msg(js),
              "POST /jobs %s: 400 naming %s (%d: %s)" % (json.dumps(body)[:60], field, st, msg(js)[:70]))
    st, js = submit(T["modA"], dict(sim, model="00000000-0000-4000-8000-000000000000"))
    check(st == 404, "POST /jobs simulate of an unknown model: 404")
    st, js = submit(T["modB"], dict(sim, model=T["privA"]))
    check(st == 404, "POST /jobs simulate of another group's private model: 404")
    st, js = submit(T["clinB"], {"kind": "predict", "twin": TWIN["a"], "regimens": ["midazolam 2 mg iv once"]})
    check(st == 404, "POST /jobs predict on another group's twin: 404")
    # one of each kind
    kinds = {
        "simulate": (T["modA"], sim),
        "population": (T["modA"], {"kind": "population", "n": 64, "seed": 7,
                                   "regimens": ["midazolam 2 mg iv once"], "until_h": 12}),
        "predict": (T["modA"], {"kind": "predict", "twin": TWIN["a"], "until_h": 12, "steps": 48,
                                "regimens": ["midazolam 2 mg iv once"]}),
        "predict_inline": (T["clinB"], {"kind": "predict", "until_h": 12, "steps": 48,
                                        "profile": dict(PROFILE, id=SECRET_INLINE),
                                        "regimens": ["midazolam 2 mg iv once"]}),
        "fit": (T["curA"], {"kind": "fit", "twin": TWIN["a"], "drug": "vancomycin",
                            "regimens": [VANCO], "levels": [{"time_h": 35, "conc_mg_l": 12.5}]}),
        "dose": (T["modA"], {"kind": "dose", "twin": TWIN["a"], "drug": "vancomycin",
                             "regimens": [VANCO], "levels": [{"time_h": 35, "conc_mg_l": 12.5}],
                             "target": "auc24 400-600", "draws": 50}),
        "erase": (T["modA"], {"kind": "predict", "twin": TWIN["erase"], "until_h": 6, "steps": 6,
                              "regimens": ["midazolam 2 mg iv once"]}),
    }
    for name, (tok, body) in kinds.items():
        st, js = submit(tok, body)
        check(st == 202 and js["status"] == "queued" and len(js["id"]) == 36,
              "POST /jobs %s: 202 queued (%d %s)" % (name, st, msg(js)[:80]))
        J[name] = (tok, js["id"] if st == 202 else "00000000-0000-4000-8000-000000000000")
    for name, (tok, jid) in J.items():
        js = wait(tok, jid)
        check(js is not None and js["status"] == "done" and js["progress"] == 1 and js["result"],
              "job %s reaches done with a result (%s)" % (name, (js or {}).get("error") or (js or {}).get("status")))


def t_jobs_get():
    call, check, T, S = api.call, api.check, api.T, api.S
    tok, jid = J["predict"]
    st, js, _ = call("GET", "/jobs/" + jid, token=T["curA"])
    check(st == 200 and js["kind"] == "predict" and js["twin"] == TWIN["a"] and js["group"] == "groupA"
          and js["params"] == {"twin": TWIN["a"]} and js["params_encrypted"] is True
          and js["attempts"] == 1 and js["started"] and js["finished"],
          "GET /jobs/{id} of a twin job: only the pseudonym in its params, times, one attempt")
    tok, jid = J["simulate"]
    st, js, _ = call("GET", "/jobs/" + jid, token=T["modA"])
    check(st == 200 and js["params"]["model"] == T["bundled"] and js["params"]["end"] == 24,
          "GET /jobs/{id} of a simulate job: its parameters")
    st, _, _ = call("GET", "/jobs/" + jid, token=T["modB"])
    check(st == 404, "GET /jobs/{id}: another group's job: 404")
    st, _, _ = call("GET", "/jobs/" + jid, token=T["readA"])
    check(st == 403, "GET /jobs/{id} as a reader: 403")
    st, _, _ = call("GET", "/jobs/" + jid)
    check(st == 401, "GET /jobs/{id} without a token: 401")
    st, _, _ = call("GET", "/jobs/" + jid, token=S.admin)
    check(st == 200, "GET /jobs/{id} as admin: 200")
    for bad in ("00000000-0000-4000-8000-000000000000", "x%27%20OR%201%3D1--", "..%2F..%2Fetc"):
        st, _, _ = call("GET", "/jobs/" + bad, token=T["modA"])
        check(st in (400, 404), "GET /jobs/%s: %d" % (bad[:20], st))


def t_jobs_list():
    call, check, T = api.call, api.check, api.T
    st, js, _ = call("GET", "/jobs?limit=500", token=T["modA"])
    mine = {jid for name, (tok, jid) in J.items() if name != "predict_inline"}
    got = {j["id"] for j in js["items"]} if st == 200 else set()
    check(st == 200 and mine <= got and J["predict_inline"][1] not in got
          and all(j["group"] == "groupA" for j in js["items"]) and "params" not in js["items"][0],
          "GET /jobs: group A's jobs, not group B's")
    st, js, _ = call("GET", "/jobs", token=T["clinB"])
    check(st == 200 and {j["id"] for j in js["items"]} == {J["predict_inline"][1]},
          "GET /jobs as group B: only its own job")
    st, js, _ = call("GET", "/jobs?status=done&limit=2", token=T["modA"])
    check(st == 200 and len(js["items"]) == 2 and all(j["status"] == "done" for j in js["items"]),
          "GET /jobs?status=done&limit=2: two done jobs")
    st, js2, _ = call("GET", "/jobs?status=done&limit=2&offset=2", token=T["modA"])
    check(st == 200 and not ({j["id"] for j in js["items"]} & {j["id"] for j in js2["items"]}),
          "GET /jobs?offset=2: the next page")
    for q in ("limit=0", "limit=x", "offset=-1", "status=sleeping"):
        st, _, _ = call("GET", "/jobs?" + q, token=T["modA"])
        check(st == 400, "GET /jobs?%s: 400" % q)
    st, _, _ = call("GET", "/jobs", token=T["readA"])
    check(st == 403, "GET /jobs as a reader: 403")
    st, _, _ = call("GET", "/jobs")
    check(st == 401, "GET /jobs without a token: 401")


def t_jobs_result():
    call, check, T = api.call, api.check, api.T
    tok, jid = J["simulate"]
    st, js, _ = call("GET", "/jobs/%s/result" % jid, token=T["modA"])
    st2, sync, _ = call("POST", "/models/%s/simulate" % T["bundled"], token=T["modA"],
                        body={"end": 24, "steps": 24})
    check(st == 200 and st2 == 200 and js["columns"] == sync["columns"] and js["rows"] == sync["rows"]
          and len(js["version"]) == 64,
          "GET /jobs/{id}/result (simulate): the same table as POST /models/{id}/simulate")
    tok, jid = J["population"]
    st, js, _ = call("GET", "/jobs/%s/result" % jid, token=T["modA"])
    check(st == 200 and "64" in json.dumps(js) and "midazolam" in json.dumps(js),
          "GET /jobs/{id}/result (population): the summary of 64 twins")
    tok, jid = J["predict"]
    st, js, _ = call("GET", "/jobs/%s/result" % jid, token=T["modA"])
    d = js["drugs"][0] if st == 200 and js.get("drugs") else {}
    check(d.get("name") == "midazolam" and len(d.get("time_h", [])) == 49 and d.get("cmax_mg_per_l", 0) > 0,
          "GET /jobs/{id}/result (predict on a twin): decrypted, midazolam course of 49 points")
    tok, jid = J["predict_inline"]
    st, js, _ = call("GET", "/jobs/%s/result" % jid, token=T["clinB"])
    d2 = js["drugs"][0] if st == 200 and js.get("drugs") else {}
    check(d2.get("time_h") == d.get("time_h") and d2.get("conc_mg_per_l") == d.get("conc_mg_per_l"),
          "GET /jobs/{id}/result (predict, inline profile): the same course as on the twin")
    tok, jid = J["fit"]
    st, js, _ = call("GET", "/jobs/%s/result" % jid, token=T["modA"])
    check(st == 200 and js["posterior"]["converged"] and js["posterior"]["n_levels"] == 1
          and abs(js["levels"][0]["map"] - 12.5) < 5,
          "GET /jobs/{id}/result (fit): the MAP posterior, converged, near the level")
    tok, jid = J["dose"]
    st, js, _ = call("GET", "/jobs/%s/result" % jid, token=T["modA"])
    check(st == 200 and js["recommended"]["dose_mg"] > 0 and js["target"]["kind"] == "AUC24"
          and 0 <= js["recommended"]["probability_of_target"] <= 1,
          "GET /jobs/{id}/result (dose): a recommended regimen with its probability of target")
    st, _, _ = call("GET", "/jobs/%s/result" % jid, token=T["modB"])
    check(st == 404, "GET /jobs/{id}/result of another group's job: 404")
    st, _, _ = call("GET", "/jobs/%s/result" % jid, token=T["readA"])
    check(st == 403, "GET /jobs/{id}/result as a reader: 403")
    st, _, _ = call("GET", "/jobs/00000000-0000-4000-8000-000000000000/result", token=T["modA"])
    check(st == 404, "GET /jobs/{id}/result of an unknown job: 404")
    # erasure of the twin: its job's result can no longer be read
    tok, jid = J["erase"]
    st, _, _ = call("GET", "/jobs/%s/result" % jid, token=T["modA"])
    check(st == 200, "GET /jobs/{id}/result before the twin's erasure: 200")
    st, _, _ = call("DELETE", "/twins/" + TWIN["erase"], token=T["modA"])
    check(st == 200, "DELETE /twins/{id} of the job's twin: 200")
    st, js, _ = call("GET", "/jobs/%s/result" % jid, token=T["modA"])
    check(st == 410, "GET /jobs/{id}/result after the twin's erasure: 410 (%s)" % msg(js)[:60])
    st, js = submit(T["modA"], {"kind": "predict", "twin": TWIN["erase"], "regimens": ["midazolam 2 mg iv once"]})
    check(st == 410, "POST /jobs on an erased twin: 410")


def t_jobs_cancel():
    call, check, T = api.call, api.check, api.T
    long_pop = {"kind": "population", "n": LONG_N, "seed": 3, "regimens": ["midazolam 2 mg iv once"]}
    ids = []
    for _ in range(3):  # two workers: the first two run, the third waits in the queue
        st, js = submit(T["modA"], long_pop)
        ids.append(js["id"] if st == 202 else "00000000-0000-4000-8000-000000000000")
    a = wait(T["modA"], ids[0], states=("running",), timeout=60, pred=lambda j: j["progress"] > 0)
    b = wait(T["modA"], ids[1], states=("running",), timeout=60)
    st, q, _ = call("GET", "/jobs/" + ids[2], token=T["modA"])
    check(a and a["status"] == "running" and a["progress"] > 0 and b and b["status"] == "running"
          and q["status"] == "queued",
          "two long population jobs run (progress %.3f), a third is queued" % ((a or {}).get("progress") or 0))
    st, js, _ = call("POST", "/jobs/%s/cancel" % ids[2], token=T["modB"])
    check(st == 404, "POST /jobs/{id}/cancel of another group's job: 404")
    st, js, _ = call("POST", "/jobs/%s/cancel" % ids[2], token=T["readA"])
    check(st == 403, "POST /jobs/{id}/cancel as a reader: 403")
    st, js, _ = call("POST", "/jobs/%s/cancel" % ids[2])
    check(st == 401, "POST /jobs/{id}/cancel without a token: 401")
    st, js, _ = call("POST", "/jobs/%s/cancel" % ids[2], token=T["modA"])
    check(st == 200 and js["status"] == "cancelled", "POST /jobs/{id}/cancel of a queued job: 200, cancelled at once")
    st, _, _ = call("GET", "/jobs/%s/result" % ids[0], token=T["modA"])
    check(st == 409, "GET /jobs/{id}/result of a running job: 409")
    t0 = time.time()
    for jid in ids[:2]:
        st, js, _ = call("POST", "/jobs/%s/cancel" % jid, token=T["curA"])
        check(st == 202 and js["status"] == "running" and js["cancel_requested"],
              "POST /jobs/{id}/cancel of a running job: 202, cancel requested")
    ends = [wait(T["modA"], jid, timeout=60) for jid in ids[:2]]
    took = time.time() - t0
    check(all(e and e["status"] == "cancelled" and e["progress"] < 1 and e["result"] is None for e in ends)
          and took < 30,
          "the running population jobs stop at their next check point: cancelled in %.1f s" % took)
    st, js, _ = call("POST", "/jobs/%s/cancel" % ids[0], token=T["modA"])
    check(st == 409, "POST /jobs/{id}/cancel of a cancelled job: 409")
    # a dose search of minutes (INR: every regimen simulated for every draw) stops too
    st, js = submit(T["modA"], {"kind": "dose", "profile": WARFARIN, "drug": "warfarin",
                                "target": "inr 2-3", "draws": 2000})
    jid = js["id"] if st == 202 else "00000000-0000-4000-8000-000000000000"
    r = wait(T["modA"], jid, states=("running",), timeout=60)
    time.sleep(0.5)
    t0 = time.time()
    st, js, _ = call("POST", "/jobs/%s/cancel" % jid, token=T["modA"])
    e = wait(T["modA"], jid, timeout=60)
    check(r and r["status"] == "running" and st == 202 and e and e["status"] == "cancelled",
          "a running INR dose search is cancelled in %.1f s (%s)" % (time.time() - t0, (e or {}).get("error")))
    st, js, _ = call("POST", "/jobs/%s/cancel" % J["simulate"][1], token=T["modA"])
    check(st == 409, "POST /jobs/{id}/cancel of a done job: 409")
    st, js, _ = call("GET", "/jobs/%s/result" % ids[2], token=T["modA"])
    check(st == 409, "GET /jobs/{id}/result of a cancelled job: 409")
    st, js, _ = call("POST", "/jobs/00000000-0000-4000-8000-000000000000/cancel", token=T["modA"])
    check(st == 404, "POST /jobs/{id}/cancel of an unknown job: 404")


def pg_dump_text():
    pgbin = os.environ.get("MT_PGBIN", "/usr/lib/postgresql/15/bin")
    exe = os.path.join(pgbin, "pg_dump")
    if not os.access(exe, os.X_OK):
        exe = shutil.which("pg_dump")
    out = subprocess.run([exe, "--data-only", "--no-owner", api.DB], capture_output=True, timeout=120)
    if out.returncode:
        raise RuntimeError("pg_dump failed: %s" % out.stderr.decode(errors="replace")[:300])
    return out.stdout


def t_jobs_at_rest():
    check, S = api.check, api.S
    needles = [SECRET_ID, SECRET_COND, SECRET_INLINE, SECRET_ERASE,
               # keys that occur only in the results of jobs on persons (encrypted at rest)
               "conc_mg_per_l", '"matrix"', '"posterior"', "omega_sd", "probability_of_target"]
    places = []
    if api.DB.startswith("sqlite:"):
        db = api.DB[len("sqlite:"):]
        for path in (db, db + "-wal"):
            if os.path.exists(path):
                places.append((os.path.basename(path), open(path, "rb").read()))
    else:
        places.append(("pg_dump of every table", pg_dump_text()))
    S.err.flush()
    places.append(("the server's log", open(S.err.name, "rb").read()))
    stored = b"".join(p for _, p in places[:-1])
    check(J["fit"][1].encode() in stored and TWIN["a"].encode() in stored and (b'"columns"' in stored or binascii.hexlify(b'"columns"') in stored),
          "jobs at rest: the scanned storage holds the jobs and a plain (simulate) result")
    for where, data in places:
        found = [n for n in needles if n.encode() in data or binascii.hexlify(n.encode()) in data]
        check(not found, "jobs: no profile or result of a job on a person readable in %s%s"
              % (where, ": found " + ", ".join(found) if found else ""))


for fn, eps in ((t_jobs_submit, ("POST /jobs",)),
                (t_jobs_get, ("GET /jobs/{id}",)),
                (t_jobs_list, ("GET /jobs",)),
                (t_jobs_result, ("GET /jobs/{id}/result",)),
                (t_jobs_cancel, ("POST /jobs/{id}/cancel",)),
                (t_jobs_at_rest, ())):
    fn.covers = eps

TESTS = [t_jobs_submit, t_jobs_get, t_jobs_list, t_jobs_result, t_jobs_cancel, t_jobs_at_rest]
