#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The job queue across crashes and restarts (docs/jobs.md); run by test_node_jobs.sh.

  node_jobs.py MEDTWIN DB_URL WORKDIR

1. reference: one job of each spec (population runs of two sizes, simulations, a prediction on
   an inline profile) run undisturbed to done; their results are the reference.
2. kill -9: the same specs submitted again (several of each) while a thread keeps submitting
   simulations; once population jobs are running with progress and others are queued, the
   server gets SIGKILL. Right after, the store itself (sqlite3 on a copy of the db and its WAL /
   psql) holds every acknowledged (202) job. The node restarts on the same store: every
   acknowledged job reaches done, its result equals the reference of its spec, the jobs that
   were running count a second attempt, and every done job has exactly one result resource
   (none stored twice, none orphaned).
3. SIGTERM with jobs queued and running: the node exits 0 within bounds, no job is left
   running in the store (the ones in progress are queued again, their attempt not counted);
   after a restart they all finish with the reference results.
4. a job whose process dies 3 times while running it (kill -9 each time) is failed at the next
   start, with the reason, and not run again.
Prints "ok ..." / "FAIL ..." lines; exits 1 on any failure.
"""
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time

MEDTWIN, DB, WORK = sys.argv[1:4]
PG = DB.startswith("postgresql://")
SECRET_INLINE = "zq-CRASHJOB-8812-THEREMIN"
failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        failures.append(what)
    return ok


sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
from node_client import SERVERS, Serve, call  # noqa: E402


class Server(Serve):
    def __init__(self, label):
        super().__init__(MEDTWIN, DB, WORK, label, ["--job-workers", "2"])


def store_rows(sql):
    """Rows of sql read from the store directly (SQLite: a copy of the db and its WAL)."""
    if PG:
        pgbin = os.environ.get("MT_PGBIN", "/usr/lib/postgresql/15/bin")
        out = subprocess.run([os.path.join(pgbin, "psql"), "-X", "-q", "-A", "-t", "-v",
                              "ON_ERROR_STOP=1", DB, "-c", sql], capture_output=True, text=True,
                             timeout=30)
        if out.returncode:
            raise RuntimeError("psql: " + out.stderr.strip()[:200])
        return [tuple(ln.split("|")) for ln in out.stdout.splitlines() if ln]
    src = DB[len("sqlite:"):]
    copy = os.path.join(WORK, "copy.db")
    for suf in ("", "-wal"):
        if os.path.exists(copy + suf):
            os.remove(copy + suf)
        if os.path.exists(src + suf):
            shutil.copyfile(src + suf, copy + suf)
    con = sqlite3.connect(copy)
    try:
        return [tuple(str(x) for x in r) for r in con.execute(sql).fetchall()]
    finally:
        con.close()


# ---- the job specs ---------------------------------------------------------------------------

PROFILE = {"id": SECRET_INLINE, "sex": "male", "age_years": 61, "weight_kg": 82.0,
           "height_cm": 178.0, "serum_creatinine_mg_dl": 1.1, "genotypes": {"CYP3A5": "*3/*3"}}
LONG_N = int(os.environ.get("MT_JOBS_LONG_N", "192"))


def specs(model):
    return {
        "pop_long_a": {"kind": "population", "n": LONG_N, "seed": 11,
                       "regimens": ["midazolam 2 mg iv once"], "until_h": 12},
        "pop_long_b": {"kind": "population", "n": LONG_N, "seed": 12,
                       "regimens": ["midazolam 2 mg iv once"], "until_h": 12},
        "pop_short": {"kind": "population", "n": 64, "seed": 5,
                      "regimens": ["midazolam 2 mg iv once"], "until_h": 12},
        "sim_24": {"kind": "simulate", "model": model, "end": 24, "steps": 48},
        "sim_96": {"kind": "simulate", "model": model, "end": 96, "steps": 96,
                   "set": {"ka": 2.0}},
        "predict": {"kind": "predict", "profile": PROFILE, "until_h": 12, "steps": 24,
                    "regimens": ["midazolam 2 mg iv once"]},
    }


def wait_all(base, tok, ids, timeout):
    """Polls until every job has ended; returns {id: job}."""
    t0 = time.time()
    out = {}
    while time.time() - t0 < timeout:
        for jid in ids:
            if jid in out:
                continue
            st, js = call(base, "GET", "/jobs/" + jid, tok)
            if st == 200 and js["status"] in ("done", "failed", "cancelled"):
                out[jid] = js
        if len(out) == len(ids):
            break
        time.sleep(0.2)
    return out


def result(base, tok, jid):
    st, js = call(base, "GET", "/jobs/%s/result" % jid, tok)
    return js if st == 200 else None


def running_and_queued(base, tok):
    st, r = call(base, "GET", "/jobs?status=running&limit=500", tok)
    st2, q = call(base, "GET", "/jobs?status=queued&limit=500", tok)
    return (r or {}).get("items", []), (q or {}).get("items", [])


def wait_state(base, tok, pred, timeout=60):
    t0 = time.time()
    while time.time() - t0 < timeout:
        run, queued = running_and_queued(base, tok)
        if pred(run, queued):
            return run, queued
        time.sleep(0.05)
    return None, None


def main():
    A = Server("a")
    st, js = call(A.base, "POST", "/tokens", A.admin, {"role": "modeller", "group": "jobsg"})
    tok = js["token"]
    st, js = call(A.base, "GET", "/models", tok)
    model = [m for m in js["items"] if "pk_oral_1cpt" in m["title"]][0]["id"]
    SP = specs(model)

    # 1. the reference results, undisturbed
    ref_ids = {}
    for name, body in SP.items():
        st, js = call(A.base, "POST", "/jobs", tok, body)
        ref_ids[name] = js["id"]
    done = wait_all(A.base, tok, list(ref_ids.values()), 240)
    ref = {}
    for name, jid in ref_ids.items():
        ok = done.get(jid, {}).get("status") == "done"
        ref[name] = result(A.base, tok, jid) if ok else None
    check(all(ref.values()), "reference: one job of each of %d specs done undisturbed" % len(SP))

    # 2. kill -9 with jobs queued and running, and submissions in flight
    acked = {}  # id -> spec name
    order = ["pop_long_a", "pop_long_b", "sim_24", "predict", "pop_short", "sim_96", "sim_24"]
    for name in order:
        st, js = call(A.base, "POST", "/jobs", tok, SP[name])
        if check(st == 202, "submit %s: 202" % name) and js:
            acked[js["id"]] = name
    stop_flag = threading.Event()
    inflight = {"sent": 0, "acked": 0, "no_answer": 0}
    lock = threading.Lock()

    def submitter():
        while not stop_flag.is_set():
            try:
                st, js = call(A.base, "POST", "/jobs", tok, SP["sim_24"], timeout=10)
            except Exception:
                with lock:
                    inflight["no_answer"] += 1
                time.sleep(0.05)
                continue
            with lock:
                inflight["sent"] += 1
                if st == 202 and js:
                    acked[js["id"]] = "sim_24"
                    inflight["acked"] += 1
            time.sleep(0.1)

    th = threading.Thread(target=submitter)
    th.start()
    run, queued = wait_state(A.base, tok, lambda r, q: any(j["kind"] == "population" and
                                                           j["progress"] > 0 for j in r) and
                             len(q) >= 2)
    check(run is not None, "before the kill: population jobs running with progress (%s), %d queued"
          % (", ".join("%.2f" % j["progress"] for j in (run or [])), len(queued or [])))
    running_at_kill = {j["id"] for j in (run or [])}
    A.kill9()
    time.sleep(0.3)
    stop_flag.set()
    th.join()
    check(inflight["acked"] >= 1, "submissions during the kill: %d acknowledged, %d unanswered"
          % (inflight["acked"], inflight["no_answer"]))
    rows = {r[0]: r[1] for r in store_rows("SELECT id, status FROM jobs")}
    missing = [j for j in acked if j not in rows]
    check(not missing, "right after the kill the store holds every acknowledged job (%d; %d "
          "running, %d queued)" % (len(acked), sum(1 for j in acked if rows.get(j) == "running"),
                                   sum(1 for j in acked if rows.get(j) == "queued")))
    B = Server("b")
    ends = wait_all(B.base, tok, list(acked), 300)
    not_done = [j for j in acked if ends.get(j, {}).get("status") != "done"]
    check(not not_done, "after the restart every acknowledged job reaches done (%d)%s"
          % (len(acked), ": not " + ", ".join(not_done[:3]) if not_done else ""))
    wrong = [j for j in acked if j in ends and result(B.base, tok, j) != ref[acked[j]]]
    check(not wrong, "every result equals the undisturbed run of its spec%s"
          % (": differ " + ", ".join("%s (%s)" % (j, acked[j]) for j in wrong[:3]) if wrong else ""))
    again = [j for j in running_at_kill if j in ends and ends[j]["attempts"] < 2]
    check(running_at_kill and not again, "the %d jobs running at the kill ran again (attempts 2)"
          % len(running_at_kill))
    # none stored twice: one result resource per done job, no orphan
    res = store_rows("SELECT id, metadata FROM resources WHERE title LIKE 'result of %'")
    per_job = {}
    for rid, meta in res:
        per_job.setdefault(json.loads(meta)["job"], []).append(rid)
    all_done = {r[0]: r[1] for r in store_rows("SELECT id, result_id FROM jobs WHERE status = 'done'")}
    twice = [j for j, v in per_job.items() if len(v) != 1]
    orphans = [j for j in per_job if j not in all_done]
    mism = [j for j, rid in all_done.items() if per_job.get(j, [None])[0] != rid]
    check(not twice and not orphans and not mism and len(per_job) == len(all_done),
          "one result resource per done job (%d), none stored twice (%d), no orphan (%d)"
          % (len(all_done), len(twice), len(orphans)))

    # 3. SIGTERM with jobs queued and running
    batch = {}
    for name in ["pop_long_a", "pop_long_b", "pop_short", "predict"]:
        st, js = call(B.base, "POST", "/jobs", tok, SP[name])
        if st == 202:
            batch[js["id"]] = name
    run, queued = wait_state(B.base, tok, lambda r, q: len(r) >= 1 and any(
        j["kind"] == "population" and j["progress"] > 0 for j in r) and len(q) >= 1)
    check(run is not None, "before SIGTERM: %d running, %d queued" % (len(run or []), len(queued or [])))
    rc, took = B.term()
    check(rc == 0 and took < 20, "SIGTERM with jobs running: exit %s in %.1f s" % (rc, took))
    rows = {r[0]: (r[1], r[2]) for r in store_rows("SELECT id, status, attempts FROM jobs")}
    left = [j for j in batch if rows.get(j, ("?",))[0] == "running"]
    requeued = [j for j in batch if rows.get(j, ("?",))[0] == "queued"]
    check(not left and requeued and all(rows[j][1] == "0" for j in requeued),
          "after SIGTERM no job is left running; %d queued again, no attempt counted" % len(requeued))
    C = Server("c")
    ends = wait_all(C.base, tok, list(batch), 300)
    ok = all(ends.get(j, {}).get("status") == "done" and result(C.base, tok, j) == ref[n]
             for j, n in batch.items())
    check(ok, "after the restart the %d jobs finish with the reference results" % len(batch))

    # 4. a job whose process dies 3 times is failed, not retried forever
    st, js = call(C.base, "POST", "/jobs", tok, dict(SP["pop_long_a"], n=100000))
    doomed = js["id"]
    srv = C
    for k in range(3):
        r, _ = wait_state(srv.base, tok, lambda r, q: any(j["id"] == doomed for j in r))
        check(r is not None, "the long job runs (start %d)" % (k + 1))
        srv.kill9()
        srv = Server("d%d" % k)
    st, js = call(srv.base, "GET", "/jobs/" + doomed, tok)
    check(st == 200 and js["status"] == "failed" and js["attempts"] == 3
          and "3 times" in (js["error"] or ""),
          "after 3 deaths the job is failed: %s" % (js or {}).get("error"))
    time.sleep(1)
    st, js = call(srv.base, "GET", "/jobs/" + doomed, tok)
    check(js["status"] == "failed", "and it is not run again")
    # SIGTERM during a dose search of minutes (INR: every regimen simulated for every draw)
    st, js = call(srv.base, "POST", "/jobs", tok, {
        "kind": "dose", "drug": "warfarin", "target": "inr 2-3", "draws": 2000,
        "profile": dict(PROFILE, genotypes={
            "CYP2C9": "*1/*1", "VKORC1": "rs9923231 reference (C)/rs9923231 variant (T)"})})
    dose_id = js["id"] if st == 202 else ""
    r, _ = wait_state(srv.base, tok, lambda r, q: any(j["id"] == dose_id for j in r))
    time.sleep(0.5)
    rc, took = srv.term()
    rows = {x[0]: x[1] for x in store_rows("SELECT id, status FROM jobs")}
    check(r is not None and rc == 0 and took < 10 and rows.get(dose_id) == "queued",
          "SIGTERM during a long dose search: exit %s in %.1f s, the job queued again" % (rc, took))
    logs = b""
    for f in os.listdir(WORK):
        if f.startswith("serve-"):
            logs += open(os.path.join(WORK, f), "rb").read()
    check(SECRET_INLINE.encode() not in logs, "no profile in the servers' logs")


try:
    main()
except Exception as e:  # a crash of the test is a failure
    check(False, "node_jobs.py raised %r" % e)
finally:
    for p in SERVERS:
        if p.poll() is None:
            p.kill()
            p.wait()
print("%d failure(s)" % len(failures))
sys.exit(1 if failures else 0)
