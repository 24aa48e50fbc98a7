#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Checks the README's run command (tests/integration/test_run_demo.sh).

  run_demo_check.py SOURCE_DIR WORKDIR

Runs `bash scripts/run-demo.sh` with MT_LISTEN=127.0.0.1:0 and MT_NODE_DB in WORKDIR, waits for
the URL line, and checks over HTTP: every bundled model (data/models/*.xml) and every bundled
drug card (data/drugs/*.json) is there and public; the demo twins (data/demo/twins/*.json) are
listed for the printed demo clinician token and readable; then SIGINT stops the node with exit
0, and a second start on the same store loads nothing twice.
"""
import glob
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request

SRC, WORK = sys.argv[1:3]
failures = []
STARTED = []  # every node started: killed on the way out, whatever happens


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


def start(n):
    env = dict(os.environ, MT_LISTEN="127.0.0.1:0", MT_NODE_DB="sqlite:%s/node.db" % WORK)
    log = open(os.path.join(WORK, "run%d.log" % n), "w+")
    p = subprocess.Popen(["bash", "scripts/run-demo.sh"], cwd=SRC, env=env, stdout=log,
                         stderr=subprocess.STDOUT, text=True)
    STARTED.append(p)
    deadline = time.monotonic() + 600  # the first call may configure and build
    url = None
    while time.monotonic() < deadline and p.poll() is None and not url:
        time.sleep(0.2)
        log.seek(0)
        m = re.search(r"listening on (http://127\.0\.0\.1:\d+/api/v1/)", log.read())
        url = m.group(1) if m else None
    log.seek(0)
    text = log.read()
    return p, url, text


def get(url, token, path):
    req = urllib.request.Request(url + path, headers={"Authorization": "Bearer " + token})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, None


def items(url, token, path):
    out, off = [], 0
    while True:
        st, js = get(url, token, "%s%slimit=500&offset=%d" % (path, "&" if "?" in path else "?", off))
        if st != 200:
            return None
        out += js["items"]
        if len(js["items"]) < 500:
            return out
        off += 500


def stop(p, what):
    p.send_signal(signal.SIGINT)
    try:
        rc = p.wait(timeout=30)
    except subprocess.TimeoutExpired:
        p.kill()
        rc = "hung"
    check(rc == 0, "%s: SIGINT stops the node with exit 0 (%s)" % (what, rc))


def main():
    global admin, demo
    models = sorted(os.path.basename(f)[:-4] for f in glob.glob(os.path.join(SRC, "data/models/*.xml")))
    drugs = sorted(os.path.basename(f)[:-5] for f in glob.glob(os.path.join(SRC, "data/drugs/*.json")))
    twins = sorted(glob.glob(os.path.join(SRC, "data/demo/twins/*.json")))

    p, url, text = start(1)
    check(url is not None, "the run command prints the node's URL (%s)" % url)
    admin = re.search(r"first admin token[^\n]*\n\s*(mtk_\S+)", text)
    demo = re.search(r"group demo[^\n]*\n\s*(mtk_\S+)", text)
    check(admin is not None and demo is not None, "it prints the admin and the demo clinician tokens")
    if url and admin and demo:
        admin, demo = admin.group(1), demo.group(1)
        ms = items(url, demo, "models") or []
        titles = sorted(m["title"].replace(" (bundled)", "") for m in ms)
        check(titles == models and all(m["visibility"] == "public" for m in ms),
              "every bundled model is loaded and public (%d of %d)" % (len(titles), len(models)))
        ds = items(url, demo, "drugs") or []
        names = sorted(m.group(1) for m in (re.search(r"data/drugs/([\w-]+)\.json", d["description"])
                                             for d in ds) if m)
        check(names == drugs and all(d["visibility"] == "public" for d in ds),
              "every bundled drug card is loaded and public (%d of %d)" % (len(names), len(drugs)))
        ts = items(url, demo, "twins") or []
        check(len(ts) == len(twins) and len(twins) >= 3,
              "the demo twins are listed for the demo clinician (%d of %d)" % (len(ts), len(twins)))
        want = sorted(json.load(open(f))["id"] for f in twins)
        got = sorted((get(url, demo, "twins/" + t["id"])[1] or {}).get("profile", {}).get("id", "?")
                     for t in ts)
        check(got == want, "each demo twin reads back as its profile (%s)" % ", ".join(got))
    stop(p, "first start")

    p, url, text = start(2)
    check(url is not None, "a second start on the same store serves again")
    check("admin token" not in text and "group demo" not in text.split("==> medtwin serve")[-1],
          "a restart prints no new token (the first ones stay valid)")
    if url and demo:
        ts = items(url, demo, "twins") or []
        check(len(ts) == len(twins), "a restart loads no twin twice (%d)" % len(ts))
        ms = items(url, demo, "models") or []
        check(len(ms) == len(models), "a restart loads no model twice (%d)" % len(ms))
    stop(p, "second start")


try:
    main()
except Exception as e:  # a crash of the check is a failure, and no node is left running
    check(False, "the check raised %r" % e)
finally:
    for p in STARTED:
        if p.poll() is None:
            p.kill()
            p.wait()
print("%d failure(s)" % len(failures))
sys.exit(1 if failures else 0)
