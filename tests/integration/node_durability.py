#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Durability of the repository node (issue #7, acceptance 3); run by test_node_durability.sh.

  node_durability.py MEDTWIN DB_URL WORKDIR [--outage-down CMD --outage-up CMD --outage-hold S]
                     [--restart-cmd CMD]

crash (both backends): starts `medtwin serve` on DB_URL, creates a modeller token through the
first admin token (POST /tokens), fires 100 concurrent POST /models (distinct titles and
distinct SBML, so distinct sha256) from 100 threads, and sends SIGKILL to the server once some
of them have been acknowledged (201) while the others are still in flight. Then:
  - every HTTP answer received before the kill was 201 (no spurious 5xx under contention);
  - right after the kill, before the node restarts, the store itself holds every acknowledged
    write with the acknowledged sha256 (SQLite: a copy of the db and its WAL read with python's
    sqlite3; PostgreSQL: psql) and is consistent (every resource has a version, no orphans;
    SQLite: PRAGMA integrity_check = ok, foreign_key_check empty, the FTS index matches);
  - the node restarts on the same store: GET /models/{id} is 200 for every acknowledged write
    with its version's sha256 equal to the acknowledged one; every listed model has a version;
    a new write succeeds; SIGTERM stops it cleanly; SQLite: integrity_check on the file again.

PostgreSQL only (--outage-down/--outage-up; --restart-cmd): writers keep posting from 16
threads while the PostgreSQL server is shut down with an immediate shutdown:
  - restart round (--restart-cmd, e.g. pg_restart immediate): the node survives, every request
    is answered (201 or 5xx, no dropped connection) in bounded time, and every write started
    after the server is back succeeds;
  - held outage (--outage-down, wait --outage-hold seconds, --outage-up): requests sent and
    answered while the server is down all get a 5xx (at least one such request), in bounded
    time, the node does not crash; every request started after the server is back gets 201;
    every acknowledged write is present afterwards (API and psql).
Prints "ok ..." / "FAIL ..." lines and the counts; exits 1 on any failure.
"""
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time

ARGS = sys.argv[1:]
if len(ARGS) < 3:
    raise SystemExit(__doc__)
MEDTWIN, DB, WORK = ARGS[:3]
OPTS = {}
i = 3
while i < len(ARGS):
    OPTS[ARGS[i].lstrip("-")] = ARGS[i + 1]
    i += 2
PG = DB.startswith("postgresql://")
N_WRITES = 100
BOUND_S = 15.0          # a request must be answered within this (no hang)
failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        failures.append(what)
    return ok


def note(what):
    print("     " + what, flush=True)


SRC = os.environ["MT_SOURCE_DIR"]
SBML = open(os.path.join(SRC, "data/models/pk_oral_1cpt.xml")).read()
assert 'name="Theophylline, one-compartment oral PK"' in SBML


def sbml_for(tag):
    # a distinct document per write: distinct content hashes
    return SBML.replace('name="Theophylline, one-compartment oral PK"',
                        'name="durability %s"' % tag, 1)


sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
from node_client import SERVERS, Serve, call  # noqa: E402


class Server(Serve):
    def __init__(self, label):
        super().__init__(MEDTWIN, DB, WORK, label)

    def stop(self):
        rc, _ = self.term(20)
        if not check(rc == 0, "serve stops cleanly on SIGTERM (exit %s)" % rc):
            self.err.flush()
            self.err.seek(0)
            note("its standard error, the last 40 lines:")
            for line in self.err.read().splitlines()[-40:]:
                note("  serve: " + line)


def post_model(base, token, tag, timeout=30):
    """One write; returns a record: t0, t1, status (0: no HTTP answer), id, sha, error."""
    rec = {"tag": tag, "t0": time.monotonic()}
    try:
        st, js = call(base, "POST", "/models", token,
                      {"title": "durability write %s" % tag, "visibility": "private",
                       "keywords": ["durability"], "sbml": sbml_for(tag)}, timeout=timeout)
        rec["status"] = st
        if st == 201 and js:
            rec["id"], rec["sha"] = js.get("id"), js.get("sha256")
    except Exception as e:  # connection refused / reset / timeout: no answer
        rec["status"] = 0
        rec["error"] = type(e).__name__ + ": " + str(e)[:80]
    rec["t1"] = time.monotonic()
    return rec


def acked(recs):
    return [r for r in recs if r["status"] == 201 and r.get("id") and r.get("sha")]


# ---- looking at the store directly ---------------------------------------------------------

def psql(sql):
    pgbin = os.environ.get("MT_PGBIN", "/usr/lib/postgresql/15/bin")
    out = subprocess.run([os.path.join(pgbin, "psql"), "-X", "-q", "-A", "-t", "-v",
                          "ON_ERROR_STOP=1", DB, "-c", sql], capture_output=True, text=True,
                         timeout=30)
    if out.returncode:
        raise RuntimeError("psql: " + out.stderr.strip()[:200])
    return [ln.split("|") for ln in out.stdout.splitlines() if ln]


def sqlite_rows(path, sql):
    con = sqlite3.connect(path)
    try:
        return [tuple(str(x) for x in r) for r in con.execute(sql).fetchall()]
    finally:
        con.close()


CONSISTENCY = [
    ("resources without a version",
     "SELECT COUNT(*) FROM resources r WHERE NOT EXISTS "
     "(SELECT 1 FROM versions v WHERE v.resource_id = r.id)"),
    ("versions without a resource",
     "SELECT COUNT(*) FROM versions v WHERE NOT EXISTS "
     "(SELECT 1 FROM resources r WHERE r.id = v.resource_id)"),
    ("versions whose seq are not 1..n",
     "SELECT COUNT(*) FROM (SELECT resource_id FROM versions GROUP BY resource_id "
     "HAVING MIN(seq) <> 1 OR MAX(seq) <> COUNT(*)) x"),
    ("versions whose size is not their content's",
     "SELECT COUNT(*) FROM versions WHERE size <> LENGTH(content)"),
]
CONSISTENCY_SQLITE = [
    ("resources missing from the FTS index",
     "SELECT COUNT(*) FROM resources r WHERE NOT EXISTS "
     "(SELECT 1 FROM resource_fts f WHERE f.id = r.id)"),
    ("FTS rows without a resource",
     "SELECT COUNT(*) FROM resource_fts f WHERE NOT EXISTS "
     "(SELECT 1 FROM resources r WHERE r.id = f.id)"),
]


def store_check(label, recs, db_path=None):
    """The store itself (no node running on it): acknowledged writes and consistency."""
    ack = acked(recs)
    q = ("SELECT r.id, v.sha256 FROM resources r JOIN versions v ON v.resource_id = r.id "
         "WHERE r.title LIKE 'durability write %'")
    try:
        if PG:
            rows = psql(q)
            counts = [(w, psql(s)[0][0]) for w, s in CONSISTENCY]
        else:
            rows = sqlite_rows(db_path, q)
            counts = [(w, sqlite_rows(db_path, s)[0][0]) for w, s in
                      CONSISTENCY + CONSISTENCY_SQLITE]
            ic = sqlite_rows(db_path, "PRAGMA integrity_check")
            check(ic == [("ok",)], "%s: PRAGMA integrity_check = %s" % (label, ic[:3]))
            fk = sqlite_rows(db_path, "PRAGMA foreign_key_check")
            check(fk == [], "%s: PRAGMA foreign_key_check: %d violation(s)" % (label, len(fk)))
    except (RuntimeError, sqlite3.Error, subprocess.TimeoutExpired) as e:
        check(False, "%s: the store can be read: %s" % (label, e))
        return
    have = {(r[0], r[1]) for r in rows}
    missing = [r for r in ack if (r["id"], r["sha"]) not in have]
    check(not missing, "%s: every acknowledged write is in the store with its sha256 "
          "(%d acknowledged, %d missing%s)" % (label, len(ack), len(missing),
                                              ": " + missing[0]["id"] if missing else ""))
    for what, n in counts:
        check(str(n) == "0", "%s: %s: %s" % (label, what, n))
    ids = {r[0] for r in rows}
    extra = len(ids - {r["id"] for r in ack})
    note("%s: %d durability models in the store, %d of them committed without an "
         "acknowledgement reaching the client (allowed)" % (label, len(ids), extra))


def api_check(label, base, token, recs):
    """Through the node: every acknowledged write, and every listed model has a version."""
    ack = acked(recs)
    bad = []
    for r in ack:
        try:
            st, js = call(base, "GET", "/models/" + r["id"], token)
        except Exception as e:
            bad.append("%s: %s" % (r["id"], e))
            continue
        shas = [v.get("sha256") for v in (js or {}).get("versions", [])]
        if st != 200 or shas[:1] != [r["sha"]]:
            bad.append("%s: %s %s" % (r["id"], st, shas[:1]))
    check(not bad, "%s: GET /models/{id} 200 with the acknowledged sha256 for all %d "
          "acknowledged writes%s" % (label, len(ack), " (bad: %s)" % bad[:3] if bad else ""))
    listed, offset, empty = [], 0, []
    while True:
        st, js = call(base, "GET", "/models?limit=200&offset=%d" % offset, token)
        if st != 200:
            check(False, "%s: GET /models: %s" % (label, st))
            return
        items = js["items"]
        listed += items
        if len(items) < 200:
            break
        offset += 200
    for m in listed:
        st, js = call(base, "GET", "/models/" + m["id"], token)
        if st != 200 or not (js or {}).get("versions"):
            empty.append(m["id"])
    check(listed and not empty, "%s: every listed model (%d) has at least one version%s" %
          (label, len(listed), " (not: %s)" % empty[:3] if empty else ""))


# ---- crash: kill -9 during 100 concurrent writes --------------------------------------------

def crash_phase():
    print("-- kill -9 of the node during %d concurrent writes (%s)" %
          (N_WRITES, "postgresql" if PG else "sqlite"), flush=True)
    s = Server("first")
    if not check(s.admin is not None, "serve printed the first admin token"):
        return None
    st, js = call(s.base, "POST", "/tokens", s.admin, {"role": "modeller", "group": "g",
                                                       "label": "durability"})
    if not check(st == 201, "POST /tokens modeller: %s" % st):
        return None
    tok = js["token"]
    st, _ = call(s.base, "GET", "/whoami", tok)  # warm the token cache: argon2id once
    recs = [None] * N_WRITES
    gate = threading.Barrier(N_WRITES + 1)
    done = threading.Semaphore(0)

    def writer(k):
        gate.wait()
        recs[k] = post_model(s.base, tok, "c%03d" % k)
        done.release()

    threads = [threading.Thread(target=writer, args=(k,), daemon=True) for k in range(N_WRITES)]
    for t in threads:
        t.start()
    gate.wait()
    t_start = time.monotonic()
    # kill once 10 writes are acknowledged (or 15 s at most)
    while time.monotonic() - t_start < 15:
        if sum(1 for r in recs if r and r["status"] == 201) >= 10:
            break
        time.sleep(0.002)
    answered_before = sum(1 for r in recs if r)
    s.kill9()
    t_kill = time.monotonic()
    for t in threads:
        t.join(timeout=BOUND_S + 35)
    check(all(not t.is_alive() for t in threads), "every writer returned after the kill")
    recs = [r for r in recs if r]
    ack = acked(recs)
    in_flight = N_WRITES - answered_before
    statuses = sorted({r["status"] for r in recs if r["status"]})
    print("     writes: %d acknowledged (201), %d failed (no answer: the server died), "
          "%d in flight at the kill, killed %.3f s after the start" %
          (len(ack), sum(1 for r in recs if r["status"] == 0), in_flight, t_kill - t_start),
          flush=True)
    check(len(ack) >= 10, "some writes were acknowledged before the kill (%d)" % len(ack))
    check(in_flight > 0 and len(ack) < N_WRITES,
          "writes were in flight when the server was killed (%d)" % in_flight)
    check(statuses == [201], "every HTTP answer before the kill was 201 (statuses %s)" % statuses)
    # the store as the crash left it, before the node touches it again
    if PG:
        store_check("after kill -9, before restart (psql)", recs)
    else:
        path = DB[len("sqlite:"):]
        snap = os.path.join(WORK, "snapshot")
        os.makedirs(snap, exist_ok=True)
        for suf in ("", "-wal"):
            if os.path.exists(path + suf):
                shutil.copyfile(path + suf, os.path.join(snap, "node.db" + suf))
        store_check("after kill -9, a copy of the db and its WAL", recs,
                    os.path.join(snap, "node.db"))
    # restart on the same store
    s2 = Server("restart")
    check(s2.admin is None, "the restarted node keeps the existing admin (prints no new token)")
    api_check("after restart", s2.base, tok, recs)
    r = post_model(s2.base, tok, "after-restart")
    check(r["status"] == 201, "a new write after the restart: %s" % r["status"])
    recs.append(r)
    s2.stop()
    if PG:
        store_check("after the restart and a clean stop (psql)", recs)
    else:
        store_check("after the restart and a clean stop (the db file)", recs, DB[len("sqlite:"):])
    return tok, recs


# ---- PostgreSQL server outage under load ----------------------------------------------------

def shell(cmd):
    t0 = time.monotonic()
    p = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, timeout=90)
    if p.returncode:
        note("command failed (%d): %s %s" % (p.returncode, cmd[-60:], (p.stdout + p.stderr)[-300:]))
    return p.returncode == 0, t0, time.monotonic()


def outage_round(name, label, tok, history, down_cmd, up_cmd, hold, strict):
    print("-- %s while 16 writers post" % label, flush=True)
    s = Server(name)
    recs, stop = [], threading.Event()
    lock = threading.Lock()

    def writer(k):
        n = 0
        while not stop.is_set():
            r = post_model(s.base, tok, "%s-%d-%d" % (name, k, n), timeout=BOUND_S + 15)
            n += 1
            with lock:
                recs.append(r)
            if r["status"] != 201:
                time.sleep(0.02)  # do not spin on errors

    threads = [threading.Thread(target=writer, args=(k,), daemon=True) for k in range(16)]
    for t in threads:
        t.start()
    # the shutdown comes once writes are being acknowledged (at least 1 s of load, at most 30 s
    # of waiting for the first 201): a fixed 1 s was too short on a loaded 2-core machine, where
    # the first acknowledgement could come later and the round then failed its precondition
    t_start = time.monotonic()
    time.sleep(1.0)
    while not acked(list(recs)) and time.monotonic() - t_start < 30.0:
        time.sleep(0.1)
    before = len(acked(list(recs)))
    ok_down, t_down0, t_down1 = shell(down_cmd)
    if hold:
        time.sleep(hold)
    ok_up, t_up0, t_up1 = shell(up_cmd) if up_cmd else (True, t_down1, t_down1)
    check(ok_down and ok_up, "%s: the PostgreSQL server was stopped and started again" % label)
    time.sleep(2.0)
    stop.set()
    for t in threads:
        t.join(timeout=BOUND_S + 20)
    check(all(not t.is_alive() for t in threads), "%s: every writer returned" % label)
    alive = s.alive()
    check(alive, "%s: the node did not crash (process alive)" % label)
    recs = list(recs)
    ack = acked(recs)
    five = [r for r in recs if 500 <= r["status"] <= 599]
    noans = [r for r in recs if r["status"] == 0]
    other = [r for r in recs if r["status"] not in (0, 201) and not 500 <= r["status"] <= 599]
    longest = max(r["t1"] - r["t0"] for r in recs)
    print("     writes: %d sent, %d acknowledged (201; %d before the shutdown), %d failed "
          "with 5xx, %d without an answer, %d other; the server was down %.2f s; longest "
          "request %.2f s" % (len(recs), len(ack), before, len(five), len(noans), len(other),
                              t_up1 - t_down0, longest), flush=True)
    check(before > 0, "%s: writes succeeded before the shutdown (%d)" % (label, before))
    check(not noans, "%s: every request got an HTTP answer (no dropped connection)%s" %
          (label, ": " + noans[0].get("error", "") if noans else ""))
    check(not other, "%s: every answer was 201 or 5xx (other: %s)" %
          (label, sorted({r["status"] for r in other})))
    check(longest < BOUND_S, "%s: every request answered within %.0f s (longest %.2f s)" %
          (label, BOUND_S, longest))
    if strict:
        during = [r for r in recs if r["t0"] >= t_down1 and r["t1"] <= t_up0]
        during_5xx = [r for r in during if 500 <= r["status"] <= 599]
        check(during and len(during_5xx) == len(during),
              "%s: requests sent and answered while the server was down all got 5xx "
              "(%d of %d)" % (label, len(during_5xx), len(during)))
    after = [r for r in recs if r["t0"] >= t_up1]
    after_ok = [r for r in after if r["status"] == 201]
    check(after and len(after_ok) == len(after),
          "%s: every write started after the server was back succeeded (%d of %d)" %
          (label, len(after_ok), len(after)))
    # every write acknowledged so far, in this round and the earlier ones
    history += recs
    if alive:
        r = post_model(s.base, tok, "%s-final" % name)
        check(r["status"] == 201, "%s: a new write afterwards: %s" % (label, r["status"]))
        history.append(r)
        api_check(label, s.base, tok, history)
        s.stop()
    else:
        s.p.kill()
        s.p.wait()
    store_check("%s (psql)" % label, history)


def reader_phase(tok, history):
    """SQLite: another process opening and closing the live store (a reader, `audit verify`, a
    backup) costs the node nothing. The pool is grown by concurrent writes first: a node that
    opened and closed a descriptor to the database file for each new connection dropped its own
    POSIX locks with it (close() drops all of a process's locks on the file), so the reader's
    close could checkpoint and delete the WAL under the live node and lose acknowledged writes."""
    print("-- another process opens and closes the live SQLite store", flush=True)
    s = Server("reader")
    recs = [None] * 8

    def writer(k):
        recs[k] = post_model(s.base, tok, "r%d" % k)

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    check(all(r["status"] == 201 for r in recs), "8 concurrent writes grew the pool: all 201")
    path = DB[len("sqlite:"):]
    for _ in range(3):
        con = sqlite3.connect(path)
        con.execute("SELECT COUNT(*) FROM resources").fetchone()
        con.close()
    after = [post_model(s.base, tok, "r-after-%d" % k) for k in range(3)]
    check(all(r["status"] == 201 for r in after), "writes after the reader closed: all 201")
    check(os.path.exists(path + "-wal"), "the node's WAL is still there after the reader closed")
    history += recs + after
    api_check("after another process read the live store", s.base, tok, history)
    s.stop()
    store_check("after another process read the live store (a copy of the db and its WAL)",
                history, db_path=path)


def main():
    os.makedirs(WORK, exist_ok=True)
    res = crash_phase()
    if res and not PG:
        reader_phase(*res)
    if res and PG and "restart-cmd" in OPTS:
        tok, history = res
        outage_round("pgrestart", "restart of PostgreSQL (pg_restart immediate)", tok, history,
                     OPTS["restart-cmd"], None, 0, strict=False)
    if res and PG and "outage-down" in OPTS:
        tok, history = res
        outage_round("pgoutage", "outage of PostgreSQL (immediate shutdown, held %s s)" %
                     OPTS.get("outage-hold", "2"), tok, history, OPTS["outage-down"],
                     OPTS["outage-up"], float(OPTS.get("outage-hold", "2")), strict=True)
    print("node_durability %s: %d failure(s)" % ("postgresql" if PG else "sqlite", len(failures)))
    if failures:  # what the servers said (a sanitizer's report, a crash) goes with the failure
        for name in sorted(os.listdir(WORK)):
            if name.startswith("serve-") and name.endswith(".err"):
                lines = open(os.path.join(WORK, name), errors="replace").read().splitlines()
                note("%s, the last 30 of its %d lines:" % (name, len(lines)))
                for line in lines[-30:]:
                    note("  serve: " + line)
    return 1 if failures else 0


def cleanup(*_):
    for p in SERVERS:
        if p.poll() is None:
            p.kill()
            p.wait()


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        rc = main()
    finally:
        cleanup()
    sys.exit(rc)
