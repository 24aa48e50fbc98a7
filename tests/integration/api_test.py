#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""API tests of the repository node over real HTTP (tests/integration/test_api.sh).

  api_test.py MEDTWIN DB_URL OPENAPI_JSON WORKDIR

Starts `medtwin serve --db DB_URL --listen 127.0.0.1:0`, reads its URL (stdout) and the first
admin token (stderr), and exercises every endpoint of docs/openapi.json. Each test names the
endpoints it covers; an endpoint of the OpenAPI document that no test covers is a failure.
Also: no token -> 401, wrong role -> 403, another group's private resource -> 404, SQL
injection and path traversal -> 4xx with the stored data unchanged, oversized and malformed
bodies -> 4xx. Prints one line per check; exits 1 on any failure.
"""
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

sys.dont_write_bytecode = True  # the api_tests_*.py modules leave no __pycache__ in the tree

MEDTWIN, DB, OPENAPI, WORK = sys.argv[1:5]
failures = []
covered = set()


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


def covers(*endpoints):
    def deco(fn):
        fn.covers = endpoints
        return fn
    return deco


class Server:
    def __init__(self):
        self.err = open(os.path.join(WORK, "serve.err"), "w+")
        # the node key: beside a SQLite store by default; PostgreSQL needs one named
        key = [] if DB.startswith("sqlite:") else ["--key", os.path.join(WORK, "pg.key")]
        self.p = subprocess.Popen([MEDTWIN, "serve", "--db", DB, "--listen", "127.0.0.1:0",
                                   "--threads", "4"] + key, stdout=subprocess.PIPE,
                                  stderr=self.err, text=True)
        line = self.p.stdout.readline()
        m = re.search(r"(http://127\.0\.0\.1:\d+)/api/v1/", line)
        if not m:
            self.err.seek(0)
            raise SystemExit("serve did not start: %r %s" % (line, self.err.read()))
        self.base = m.group(1) + "/api/v1"
        self.port = int(m.group(1).rsplit(":", 1)[1])
        self.err.flush()
        self.err.seek(0)
        toks = re.findall(r"mtk_[0-9a-f]{16}\.[0-9a-f]{48}", self.err.read())
        self.admin = toks[0] if toks else None

    def stop(self):
        self.p.send_signal(signal.SIGTERM)
        try:
            rc = self.p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.p.kill()
            rc = "killed"
        check(rc == 0, "serve stops cleanly on SIGTERM (exit %s)" % rc)


def call(method, path, token=None, body=None, raw=None, headers=None):
    url = S.base + path
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request(url, data=data, method=method)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            text = r.read()
            status = r.status
            ctype = r.headers.get("Content-Type", "")
    except urllib.error.HTTPError as e:
        text = e.read()
        status = e.code
        ctype = e.headers.get("Content-Type", "")
    try:
        js = json.loads(text) if "json" in ctype else None
    except ValueError:
        js = None
    return status, js, text


def raw_request(text):
    """Sends bytes as they are (for what urllib refuses to send) and returns the status."""
    s = socket.create_connection(("127.0.0.1", S.port), timeout=30)
    s.sendall(text)
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
        if b"\r\n\r\n" in data:
            break
    s.close()
    m = re.match(rb"HTTP/1\.[01] (\d+)", data)
    return int(m.group(1)) if m else 0


SBML = open(os.path.join(os.environ["MT_SOURCE_DIR"], "data/models/pk_oral_1cpt.xml")).read()
T = {}


@covers("GET /health")
def t_health():
    st, js, _ = call("GET", "/health")
    check(st == 200 and js["status"] == "ok" and js["storage"] in ("sqlite", "postgresql"),
          "GET /health: 200, storage %s" % (js or {}).get("storage"))


@covers("GET /whoami", "POST /tokens")
def t_tokens():
    check(S.admin is not None, "serve printed the first admin token")
    st, js, _ = call("GET", "/whoami")
    check(st == 401, "GET /whoami without a token: 401")
    st, _, _ = call("GET", "/whoami", token="mtk_0123456789abcdef." + "0" * 48)
    check(st == 401, "GET /whoami with an unknown token: 401")
    st, _, _ = call("GET", "/whoami", token="mtk_' OR '1'='1")
    check(st == 401, "GET /whoami with an injection as token: 401")
    st, js, _ = call("GET", "/whoami", token=S.admin)
    check(st == 200 and js["role"] == "admin", "GET /whoami as admin: 200, role admin")
    for name, role, group in (("modA", "modeller", "groupA"), ("modB", "modeller", "groupB"),
                              ("readA", "reader", "groupA"), ("curA", "curator", "groupA"),
                              ("clinB", "clinician", "groupB")):
        st, js, _ = call("POST", "/tokens", token=S.admin, body={"role": role, "group": group,
                                                                  "label": name})
        check(st == 201 and js["token"].startswith("mtk_"), "POST /tokens %s: 201" % name)
        T[name] = js["token"] if st == 201 else None
    st, _, _ = call("POST", "/tokens", token=T["modA"], body={"role": "admin", "group": "x"})
    check(st == 403, "POST /tokens as a modeller: 403")
    st, _, _ = call("POST", "/tokens", token=S.admin, body={"role": "king", "group": "x"})
    check(st == 400, "POST /tokens with an unknown role: 400")
    st, _, _ = call("POST", "/tokens", token=S.admin, body={"role": "reader", "group": "a/../b"})
    check(st == 400, "POST /tokens with a bad group name: 400")
    st, _, _ = call("POST", "/tokens", token=S.admin, raw=b"{not json")
    check(st == 400, "POST /tokens with malformed JSON: 400")
    st, js, _ = call("GET", "/whoami", token=T["readA"])
    check(st == 200 and js["role"] == "reader" and js["group"] == "groupA",
          "GET /whoami as a new reader: its role and group")


def ids(items):
    return {m["id"] for m in items}


@covers("GET /models", "POST /models")
def t_models():
    st, js, _ = call("GET", "/models", token=T["readA"])
    bundled = [m for m in js["items"] if "bundled" in m["title"]] if st == 200 else []
    check(st == 200 and len(bundled) >= 1, "GET /models: the bundled models are listed (%d)" % len(bundled))
    T["bundled"] = bundled[0]["id"] if bundled else None
    st, _, _ = call("GET", "/models")
    check(st == 401, "GET /models without a token: 401")
    # create: role checks and validation
    body = {"title": "Oral one-compartment PK", "description": "test model", "keywords": ["pk", "oral"],
            "visibility": "private", "sbml": SBML}
    st, _, _ = call("POST", "/models", token=T["readA"], body=body)
    check(st == 403, "POST /models as a reader: 403")
    st, js, _ = call("POST", "/models", token=T["modA"], body=body)
    check(st == 201 and len(js["sha256"]) == 64, "POST /models as a modeller (private): 201")
    T["privA"] = js["id"] if st == 201 else None
    T["privA_sha"] = js["sha256"] if st == 201 else None
    g = dict(body, title="Group model of A", visibility="group", keywords=["grouponly"])
    st, js, _ = call("POST", "/models", token=T["modA"], body=g)
    check(st == 201, "POST /models visibility group: 201")
    T["groupA"] = js["id"] if st == 201 else None
    st, _, _ = call("POST", "/models", token=T["modA"], body=dict(body, visibility="public"))
    check(st == 403, "POST /models public as a modeller: 403 (needs curator)")
    st, js, _ = call("POST", "/models", token=T["curA"], body=dict(body, title="Curated public", visibility="public"))
    check(st == 201, "POST /models public as a curator: 201")
    st, js, _ = call("POST", "/models", token=T["modA"], body=dict(body, sbml="<sbml>not a model"))
    check(st == 422, "POST /models with broken SBML: 422 (%s)" % ((js or {}).get("error", {}).get("message", "")[:60]))
    st, _, _ = call("POST", "/models", token=T["modA"], body=dict(body, title=""))
    check(st == 400, "POST /models without a title: 400")
    st, _, _ = call("POST", "/models", token=T["modA"], raw=b'{"title": "x", "sbml": ')
    check(st == 400, "POST /models with truncated JSON: 400")
    st, _, _ = call("POST", "/models", token=T["modA"], body=dict(body, visibility="everyone"))
    check(st == 400, "POST /models with a bad visibility: 400")
    big = b'{"title": "big", "sbml": "' + b"x" * (17 << 20) + b'"}'
    try:
        st, _, _ = call("POST", "/models", token=T["modA"], raw=big)
    except (ConnectionError, urllib.error.URLError):
        st = 413  # the server answered 413 and closed before the upload finished
    check(st == 413, "POST /models with a 17 MiB body: 413")
    # visibility in lists and search
    st, js, _ = call("GET", "/models", token=T["modB"])
    check(st == 200 and T["privA"] not in ids(js["items"]) and T["groupA"] not in ids(js["items"]),
          "GET /models as group B: A's private and group models are not listed")
    st, js, _ = call("GET", "/models", token=T["readA"])
    check(st == 200 and T["groupA"] in ids(js["items"]) and T["privA"] not in ids(js["items"]),
          "GET /models as a reader of group A: A's group model listed, the modeller's private one not")
    st, js, _ = call("GET", "/models?q=grouponly", token=T["readA"])
    check(st == 200 and ids(js["items"]) == {T["groupA"]}, "GET /models?q=grouponly: full-text search finds it")
    st, js, _ = call("GET", "/models?q=grouponly", token=T["modB"])
    check(st == 200 and not js["items"], "GET /models?q=grouponly as group B: nothing")
    before = call("GET", "/models?limit=500", token=S.admin)[1]["items"]
    for q in ("%27%20OR%201%3D1%20--", "%22%20OR%20%2A", "NEAR(a%20b)", "title%3A%2A", "%27%3B%20DROP%20TABLE%20resources%3B%20--"):
        st, js, _ = call("GET", "/models?q=" + q, token=T["modB"])
        check(st == 200 and not any(m["id"] in (T["privA"], T["groupA"]) for m in js["items"]),
              "GET /models?q=<injection %s>: 200, nothing hidden leaks" % q[:20])
    after = call("GET", "/models?limit=500", token=S.admin)[1]["items"]
    check(ids(before) == ids(after), "the injections changed no stored resource")
    for q in ("limit=0", "limit=abc", "offset=-1", "limit=100000"):
        st, _, _ = call("GET", "/models?" + q, token=T["readA"])
        check(st == 400, "GET /models?%s: 400" % q)


@covers("GET /models/{id}")
def t_model():
    st, js, _ = call("GET", "/models/" + T["privA"], token=T["modA"])
    check(st == 200 and js["versions"][0]["sha256"] == T["privA_sha"], "GET /models/{id} by its owner: 200 with versions")
    st, _, _ = call("GET", "/models/" + T["privA"], token=T["modB"])
    check(st == 404, "GET /models/{id}: another group's private model: 404")
    st, _, _ = call("GET", "/models/" + T["privA"], token=T["readA"])
    check(st == 404, "GET /models/{id}: the same group's reader, a private model: 404")
    st, _, _ = call("GET", "/models/" + T["groupA"], token=T["readA"])
    check(st == 200, "GET /models/{id}: the group's model for the group's reader: 200")
    st, _, _ = call("GET", "/models/" + T["privA"], token=S.admin)
    check(st == 200, "GET /models/{id} as admin: 200")
    for bad in ("x%27%20OR%20%271%27%3D%271", "00000000-0000-4000-8000-000000000000", "..%2F..%2Fetc%2Fpasswd"):
        st, _, _ = call("GET", "/models/" + bad, token=S.admin)
        check(st in (400, 404), "GET /models/%s: %d" % (bad[:24], st))
    st = raw_request(b"GET /api/v1/../../../etc/passwd HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                     + S.admin.encode() + b"\r\nConnection: close\r\n\r\n")
    check(st in (400, 404), "GET /api/v1/../../../etc/passwd (raw): %d" % st)
    st = raw_request(b"TRACE /api/v1/models HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    check(st == 405, "TRACE: 405")


@covers("POST /models/{id}/versions", "GET /models/{id}/versions/{sha256}")
def t_versions():
    sbml2 = SBML.replace("</model>", "<!-- v2 --></model>")
    st, js, _ = call("POST", "/models/%s/versions" % T["groupA"], token=T["modA"],
                     body={"sbml": sbml2, "derived_from": T["privA_sha"]})
    check(st == 201 and js["version"] == 2 and js["created"], "POST /models/{id}/versions: 201, version 2")
    sha2 = js["sha256"] if st == 201 else ""
    st, js, _ = call("POST", "/models/%s/versions" % T["groupA"], token=T["modA"], body={"sbml": sbml2})
    check(st == 200 and js["version"] == 2 and not js["created"], "the same content again: 200, the existing version")
    st, _, _ = call("POST", "/models/%s/versions" % T["groupA"], token=T["modB"], body={"sbml": sbml2})
    check(st == 404, "POST /models/{id}/versions by another group: 404")
    st, _, _ = call("POST", "/models/%s/versions" % T["groupA"], token=T["readA"], body={"sbml": sbml2})
    check(st == 403, "POST /models/{id}/versions by a reader: 403")
    st, _, _ = call("POST", "/models/%s/versions" % T["groupA"], token=T["modA"], body={"sbml": "nope"})
    check(st == 422, "POST /models/{id}/versions with broken SBML: 422")
    st, _, text = call("GET", "/models/%s/versions/%s" % (T["groupA"], sha2), token=T["readA"])
    check(st == 200 and text.decode() == sbml2, "GET /models/{id}/versions/{sha256}: the exact content")
    st, _, _ = call("GET", "/models/%s/versions/%s" % (T["groupA"], "0" * 64), token=T["readA"])
    check(st == 404, "GET an unknown version: 404")
    st, _, _ = call("GET", "/models/%s/versions/%s" % (T["groupA"], sha2), token=T["modB"])
    check(st == 404, "GET a version of another group's model: 404")
    st, js, _ = call("GET", "/models/" + T["groupA"], token=T["readA"])
    check(st == 200 and [v["version"] for v in js["versions"]] == [1, 2], "the model lists versions 1 and 2")


@covers("POST /models/{id}/simulate")
def t_simulate():
    st, js, _ = call("POST", "/models/%s/simulate" % T["bundled"], token=T["clinB"], body={"end": 24, "steps": 24})
    check(st == 200 and js["columns"][0] == "time" and len(js["rows"]) == 25,
          "POST /models/{id}/simulate (bundled model): 200, 25 rows")
    st, _, _ = call("POST", "/models/%s/simulate" % T["bundled"], token=T["clinB"], body={"end": -1})
    check(st == 400, "simulate with end < 0: 400")
    st, _, _ = call("POST", "/models/%s/simulate" % T["bundled"], token=T["clinB"], body={"end": 1, "steps": 10 ** 9})
    check(st == 400, "simulate with too many steps: 400")
    st, _, _ = call("POST", "/models/%s/simulate" % T["privA"], token=T["clinB"], body={"end": 1})
    check(st == 404, "simulate another group's private model: 404")
    st, js, _ = call("POST", "/models/%s/simulate" % T["bundled"], token=T["clinB"],
                     body={"end": 1, "version": "0" * 64})
    check(st == 404 and ("version " + "0" * 64) in (js or {}).get("error", {}).get("message", ""),
          "simulate an unknown version: 404 naming the version")


def endpoints_of_openapi():
    d = json.load(open(OPENAPI))
    out = set()
    for path, ops in d["paths"].items():
        for m in ops:
            if m in ("get", "post", "put", "patch", "delete"):
                out.add("%s %s" % (m.upper(), path))
    return out


def module_tests():
    """Tests of the node's other concerns: tests/integration/api_tests_*.py, each a module with a
    list TESTS of functions decorated by covers(); they get this module as `api` (call, check,
    covers, T: the tokens made by t_tokens, S: the server)."""
    import glob
    import importlib.util
    out = []
    for path in sorted(glob.glob(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                              "api_tests_*.py"))):
        spec = importlib.util.spec_from_file_location(os.path.basename(path)[:-3], path)
        mod = importlib.util.module_from_spec(spec)
        mod.api = sys.modules[__name__]
        spec.loader.exec_module(mod)
        out.extend(mod.TESTS)
    return out


if __name__ == "__main__":
    S = Server()
    try:
        for t in [t_health, t_tokens, t_models, t_model, t_versions, t_simulate] + module_tests():
            covered.update(t.covers)
            try:
                t()
            except Exception as e:  # a crash of the test is a failure, not a skip
                check(False, "%s raised %r" % (t.__name__, e))
        api = endpoints_of_openapi()
        missing = sorted(api - covered)
        check(not missing, "every endpoint of the OpenAPI document has a test%s"
              % (": missing " + ", ".join(missing) if missing else " (%d)" % len(api)))
        unknown = sorted(covered - api)
        check(not unknown, "every tested endpoint is documented%s" % (": " + ", ".join(unknown) if unknown else ""))
    finally:
        S.stop()
    S.err.seek(0)
    log = S.err.read()
    for name, tok in T.items():
        if isinstance(tok, str) and tok.startswith("mtk_"):
            check(tok.split(".")[1] not in log, "token %s's secret is not in the server's log" % name)
    print("%d failure(s)" % len(failures))
    sys.exit(1 if failures else 0)
