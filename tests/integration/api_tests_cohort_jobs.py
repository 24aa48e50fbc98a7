# SPDX-License-Identifier: Apache-2.0
"""Predict jobs on a research cohort over real HTTP (loaded by api_test.py, which sets `api`;
docs/jobs.md "Predict on a research cohort").

Covers POST /jobs with "cohort": a cohort of three consented twins, one of whom withdraws while
the job waits in the queue (both workers held by long population jobs): the result uses two
members and reports one left out for "no_consent", with per-drug exposure percentiles and no
per-person values; each used member's profile read is in the audit log, the withdrawn one's is
not; another group's cohort and an unknown one 404, a reader 403, malformed parameters 400
naming the field; and neither the profiles nor the result are readable at rest.
"""
import binascii
import copy
import json
import os
import shutil
import subprocess
import time

# `api` (the api_test module: call, check, covers, T, S, DB) is set by api_test.py before this runs

SECRET = "zq-COHORTJOB-7781-THEREMIN"
SECRET_COND = "Wombatoid cohortitis 7781"
BASE = {"sex": "female", "age_years": 47, "weight_kg": 64.0, "height_cm": 168.0,
        "serum_creatinine_mg_dl": 0.8, "biogeographic_group": "European",
        "conditions": [SECRET_COND]}
REG = ["midazolam 2 mg iv once"]
NONE = "00000000-0000-4000-8000-000000000000"
C = {}


def msg(js):
    return (js or {}).get("error", {}).get("message", "")


def wait(token, jid, states=("done", "failed", "cancelled"), timeout=180):
    t0 = time.time()
    js = None
    while time.time() - t0 < timeout:
        st, js, _ = api.call("GET", "/jobs/" + jid, token=token)
        if st == 200 and js["status"] in states:
            return js
        time.sleep(0.1)
    return js


def pg_rows(query):
    """Rows of a query on the node's PostgreSQL store (through psql)."""
    pgbin = os.environ.get("MT_PGBIN", "/usr/lib/postgresql/15/bin")
    exe = os.path.join(pgbin, "psql")
    if not os.access(exe, os.X_OK):
        exe = shutil.which("psql")
    out = subprocess.run([exe, "-At", "-F", "\t", "-d", api.DB, "-c", query],
                         capture_output=True, timeout=60, text=True)
    if out.returncode:
        raise RuntimeError("psql failed: %s" % out.stderr[:300])
    return [tuple(l.split("\t")) for l in out.stdout.splitlines() if l]


def reads_of(twins):
    """Whether each twin's profile read is in the audit log (twin.read). SQLite: the entries'
    bytes in the database and its WAL (a second SQLite connection to the live file is not
    opened: its close could checkpoint under the server)."""
    if api.DB.startswith("sqlite:"):
        db = api.DB[len("sqlite:"):]
        data = b"".join(open(p, "rb").read() for p in (db, db + "-wal") if os.path.exists(p))
        return [int(("twin.read" + t).encode() in data) for t in twins]
    rows = pg_rows("SELECT resource_id FROM audit_log WHERE action = 'twin.read'")
    return [int(any(r[0] == t for r in rows)) for t in twins]


def t_cohort_jobs():
    call, check, T = api.call, api.check, api.T
    tw = []
    for i in range(3):
        p = copy.deepcopy(BASE)
        p["id"] = "%s-%d" % (SECRET, i)
        p["weight_kg"] = 58.0 + 9 * i
        st, js, _ = call("POST", "/twins", token=T["modA"], body=p)
        tw.append(js["id"] if st == 201 else "0" * 32)
        st, _, _ = call("POST", "/twins/%s/consent" % tw[-1], token=T["modA"],
                        body={"purpose": "research", "granted": True})
    st, js, _ = call("POST", "/cohorts", token=T["modA"],
                     body={"title": "midazolam exposure study", "purpose": "research", "twins": tw})
    check(st == 201 and sorted(js["included"]) == sorted(tw),
          "cohort jobs: a cohort of three consented twins of group A")
    cid = C["cohort"] = js["id"] if st == 201 else NONE
    body = {"kind": "predict", "cohort": cid, "regimens": REG, "until_h": 24, "steps": 48}
    # roles and groups
    st, js, _ = call("POST", "/jobs", token=T["readA"], body=body)
    check(st == 403, "POST /jobs predict on a cohort as a reader: 403")
    st, js, _ = call("POST", "/jobs", token=T["clinB"], body=body)
    check(st == 404 and "cohort" in msg(js), "POST /jobs predict on another group's cohort: 404")
    st, js, _ = call("POST", "/jobs", token=T["modA"], body=dict(body, cohort=NONE))
    check(st == 404, "POST /jobs predict on an unknown cohort: 404")
    # malformed parameters: 400 naming the field
    for bad, field in ((dict(body, cohort="not-a-uuid"), "cohort"),
                       (dict(body, cohort=7), "cohort"),
                       (dict(body, twin=tw[0]), "cohort"),
                       (dict(body, profile=BASE), "cohort"),
                       ({"kind": "predict", "cohort": cid}, "regimens"),
                       (dict(body, regimens=["midazolam two mg iv once"]), "regimens"),
                       (dict(body, until_h=0), "until_h"),
                       (dict(body, members=3), "members"),
                       ({"kind": "fit", "cohort": cid, "drug": "vancomycin"}, "cohort")):
        st, js, _ = call("POST", "/jobs", token=T["modA"], body=bad)
        check(st == 400 and field in msg(js),
              "POST /jobs %s: 400 naming %s (%d: %s)" % (json.dumps(bad)[:70], field, st, msg(js)[:60]))
    # both workers held by long population jobs: the cohort job waits in the queue
    long_pop = {"kind": "population", "n": 20000, "seed": 5, "regimens": REG}
    hold = []
    for _ in range(2):
        st, js, _ = call("POST", "/jobs", token=T["modA"], body=long_pop)
        hold.append(js["id"] if st == 202 else NONE)
    running = [wait(T["modA"], h, states=("running",), timeout=60) for h in hold]
    st, js, _ = call("POST", "/jobs", token=T["modA"], body=body)
    jid = C["job"] = js["id"] if st == 202 else NONE
    st2, q, _ = call("GET", "/jobs/" + jid, token=T["modA"])
    check(st == 202 and all(r and r["status"] == "running" for r in running) and st2 == 200
          and q["status"] == "queued",
          "POST /jobs predict on a cohort: 202, queued behind two running jobs")
    # one member withdraws between submission and run
    st, _, _ = call("POST", "/twins/%s/consent" % tw[2], token=T["modA"],
                    body={"purpose": "research", "granted": False})
    check(st == 201, "the third member withdraws its research consent while the job waits")
    for h in hold:
        call("POST", "/jobs/%s/cancel" % h, token=T["modA"])
    js = wait(T["modA"], jid)
    ended = [wait(T["modA"], h, timeout=60) for h in hold]
    check(all(e and e["status"] == "cancelled" for e in ended), "the two holding jobs are cancelled")
    check(js and js["status"] == "done" and js["progress"] == 1 and js["result"],
          "the cohort job reaches done with a result (%s)" % ((js or {}).get("error") or (js or {}).get("status")))
    st, js, _ = call("GET", "/jobs/" + jid, token=T["curA"])
    check(st == 200 and js["kind"] == "predict" and js["params"] == {"cohort": cid}
          and js["params_encrypted"] is True and js["twin"] is None,
          "GET /jobs/{id} of a cohort job: only the cohort's id in its params")
    st, res, raw = call("GET", "/jobs/%s/result" % jid, token=T["modA"])
    text = json.dumps(res)
    d = (res.get("drugs") or [{}])[0] if st == 200 else {}
    auc = d.get("auc_0_24_mg_h_per_l", {})
    check(st == 200 and res["cohort"] == cid and res["members"] == 3 and res["used"] == 2
          and res["left_out"] == {"no_consent": 1, "erased": 0, "not_found": 0, "failed": 0},
          "the result uses two members and leaves one out for no consent (%s)"
          % {k: res.get(k) for k in ("members", "used", "left_out")} if st == 200 else st)
    check(d.get("name") == "midazolam" and auc.get("n") == 2
          and 0 < auc["p5"] <= auc["p25"] <= auc["p50"] <= auc["p75"] <= auc["p95"]
          and d.get("cmax_mg_per_l", {}).get("p50", 0) > 0,
          "the result: midazolam exposure percentiles across the two members (AUC p50 %s)"
          % auc.get("p50"))
    check(not any(t in text for t in tw) and "time_h" not in d and "conc_mg_per_l" not in d
          and SECRET not in text and SECRET_COND not in text,
          "the result holds no pseudonym, no time course and no profile field")
    reads = reads_of(tw)
    check(reads == [1, 1, 0],
          "each used member's profile read is audited (twin.read), the withdrawn one's is not (%s)"
          % reads)
    st, _, _ = call("GET", "/jobs/%s/result" % jid, token=T["clinB"])
    check(st == 404, "GET /jobs/{id}/result of group A's cohort job as group B: 404")
    st, _, _ = call("GET", "/jobs/%s/result" % jid, token=T["readA"])
    check(st == 403, "GET /jobs/{id}/result of a cohort job as a reader: 403")


def pg_dump_text():
    pgbin = os.environ.get("MT_PGBIN", "/usr/lib/postgresql/15/bin")
    exe = os.path.join(pgbin, "pg_dump")
    if not os.access(exe, os.X_OK):
        exe = shutil.which("pg_dump")
    out = subprocess.run([exe, "--data-only", "--no-owner", api.DB], capture_output=True, timeout=120)
    if out.returncode:
        raise RuntimeError("pg_dump failed: %s" % out.stderr.decode(errors="replace")[:300])
    return out.stdout


def t_cohort_jobs_at_rest():
    check, S = api.check, api.S
    needles = [SECRET, SECRET_COND, '"left_out"', "no_consent", '"p95"']
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
    check(C.get("job", "").encode() in stored and C.get("cohort", "").encode() in stored,
          "cohort jobs at rest: the scanned storage holds the cohort and its job")
    for where, data in places:
        found = [n for n in needles if n.encode() in data or binascii.hexlify(n.encode()) in data]
        check(not found, "cohort jobs: no profile and no result readable in %s%s"
              % (where, ": found " + ", ".join(found) if found else ""))


t_cohort_jobs.covers = ("POST /jobs", "GET /jobs/{id}", "GET /jobs/{id}/result")
t_cohort_jobs_at_rest.covers = ()
TESTS = [t_cohort_jobs, t_cohort_jobs_at_rest]
