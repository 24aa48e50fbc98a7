# SPDX-License-Identifier: Apache-2.0
"""What the node's crash tests share (node_durability.py, node_jobs.py): a `medtwin serve`
process on a free loopback port, and one JSON call over real HTTP."""
import json
import os
import re
import signal
import subprocess
import time
import urllib.error
import urllib.request

SERVERS = []  # every server started: the scripts kill what is left on the way out


class Serve:
    """`medtwin serve --db DB` on 127.0.0.1:0 (PostgreSQL: with WORK/pg.key), its stderr in
    WORK/serve-LABEL.err; base: the API's URL; admin: the first admin token when printed."""

    def __init__(self, medtwin, db, work, label, extra=()):
        self.errpath = os.path.join(work, "serve-%s.err" % label)
        self.err = open(self.errpath, "w+")
        key = [] if db.startswith("sqlite:") else ["--key", os.path.join(work, "pg.key")]
        self.p = subprocess.Popen([medtwin, "serve", "--db", db, "--listen", "127.0.0.1:0",
                                   "--threads", "4"] + list(extra) + key,
                                  stdout=subprocess.PIPE, stderr=self.err, text=True)
        SERVERS.append(self.p)
        line = self.p.stdout.readline()
        m = re.search(r"(http://127\.0\.0\.1:\d+)/api/v1/", line)
        if not m:
            self.err.seek(0)
            raise SystemExit("FAIL serve did not start: %r %s" % (line, self.err.read()))
        self.base = m.group(1) + "/api/v1"
        self.err.flush()
        self.err.seek(0)
        toks = re.findall(r"mtk_[0-9a-f]{16}\.[0-9a-f]{48}", self.err.read())
        self.admin = toks[0] if toks else None

    def alive(self):
        return self.p.poll() is None

    def kill9(self):
        os.kill(self.p.pid, signal.SIGKILL)
        self.p.wait(timeout=10)

    def term(self, bound=30):
        """SIGTERM; returns (exit status or "hung, killed", seconds it took)."""
        t0 = time.time()
        self.p.send_signal(signal.SIGTERM)
        try:
            rc = self.p.wait(timeout=bound)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
            rc = "hung, killed"
        return rc, time.time() - t0


def call(base, method, path, token=None, body=None, timeout=30):
    """(HTTP status, the JSON answer or None)."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            text, status = r.read(), r.status
    except urllib.error.HTTPError as e:
        text, status = e.read(), e.code
    try:
        js = json.loads(text)
    except ValueError:
        js = None
    return status, js
