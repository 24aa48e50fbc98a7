#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Operations of the repository node, over real HTTP and the real CLI (test_node_ops.sh).

  node_ops.py MEDTWIN DB_URL WORKDIR --restore-url URL     backup, restore, key rotation
  node_ops.py MEDTWIN --tls WORKDIR                        HTTPS round trip

backup/restore/rotation (SQLite or PostgreSQL): a node with models, twins (personal data,
encrypted) and consent records; `medtwin backup` taken while 8 threads keep posting models;
`medtwin restore` into a fresh store (refused again without --force, accepted with it; a file
that is no backup refused); `medtwin audit verify` on the restored store; a node started on it
answers every model acknowledged before the backup began with the same sha256, every twin with
the same profile. Then `medtwin key rotate` on the original store: refused with a wrong old key
and with the same key; afterwards `audit verify --key NEW` passes and --key OLD fails, a node
started with the old key is refused with a clear message, a node started with the new key
reads every twin, the same patient gets the same pseudonym, a new twin can be written, and
audit verify passes again after it.

--tls: a self-signed certificate made with the openssl CLI; the node serves HTTPS with it; a
request verified against that certificate succeeds; one verified against the system CAs fails
(the certificate is really checked); plain HTTP to the TLS port gets no HTTP answer; a
certificate that is not PEM, a key that does not match, a missing file and a certificate
without a key each make `medtwin serve` exit non-zero with a message naming the problem.
Prints ok/FAIL lines; exits 1 on any failure.
"""
import http.client
import json
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

failures = []
SRC = os.environ["MT_SOURCE_DIR"]
SBML = open(os.path.join(SRC, "data/models/pk_oral_1cpt.xml")).read()
TAG = 'name="Theophylline, one-compartment oral PK"'
assert TAG in SBML


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        failures.append(what)
    return ok


def run(args, timeout=120):
    p = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout + p.stderr


class Node:
    def __init__(self, medtwin, db, key, work, name, extra=(), scheme="http"):
        self.err_path = os.path.join(work, name + ".err")
        self.err = open(self.err_path, "w+")
        args = [medtwin, "serve", "--db", db, "--listen", "127.0.0.1:0", "--threads", "4"]
        if key:
            args += ["--key", key]
        self.p = subprocess.Popen(args + list(extra), stdout=subprocess.PIPE, stderr=self.err,
                                  text=True)
        line = self.p.stdout.readline()
        m = re.search(r"(%s://127\.0\.0\.1:(\d+))/api/v1/" % scheme, line)
        self.base = m.group(1) + "/api/v1" if m else None
        self.port = int(m.group(2)) if m else None
        self.err.flush()
        self.err.seek(0)
        toks = re.findall(r"mtk_[0-9a-f]{16}\.[0-9a-f]{48}", self.err.read())
        self.admin = toks[0] if toks else None

    def log(self):
        self.err.flush()
        self.err.seek(0)
        return self.err.read()

    def stop(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
            try:
                return self.p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.p.kill()
                return "killed"
        return self.p.returncode


def call(node, method, path, token=None, body=None, ctx=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(node.base + path, data=data, method=method)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=60, context=ctx) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        try:
            return e.code, json.loads(e.read() or b"null")
        except ValueError:
            return e.code, None


def profile(i, weight=70.0):
    return {"id": "ops-patient-%03d" % i, "sex": "female" if i % 2 else "male",
            "age_years": 30 + i, "weight_kg": weight, "height_cm": 170.0,
            "serum_creatinine_mg_dl": 0.9, "genotypes": {"CYP2C19": "*1/*2"}}


# ---- backup, restore, key rotation ----------------------------------------------------------

def ops(medtwin, db, work, restore_url):
    pg = not db.startswith("sqlite:")
    key = os.path.join(work, "node.key") if pg else None
    old_key = key or db[len("sqlite:"):] + ".key"
    node = Node(medtwin, db, key, work, "node")
    if not check(node.base and node.admin, "serve started on %s" % ("PostgreSQL" if pg else "SQLite")):
        print(node.log())
        return
    st, js = call(node, "POST", "/tokens", node.admin, {"role": "modeller", "group": "opsA"})
    mod = js["token"] if st == 201 else None
    st, js = call(node, "POST", "/tokens", node.admin, {"role": "clinician", "group": "opsA"})
    clin = js["token"] if st == 201 else None
    check(mod and clin, "tokens for group opsA")
    st, js = call(node, "GET", "/models?limit=500", mod)
    initial = {m["id"] for m in js["items"]} if st == 200 else set()  # the bundled models
    models = {}
    for i in range(10):
        st, js = call(node, "POST", "/models", mod, {"title": "ops model %d" % i, "visibility": "group",
                                                     "sbml": SBML.replace(TAG, 'name="ops %d"' % i, 1)})
        if st == 201:
            models[js["id"]] = js["sha256"]
    twins = {}
    for i in range(5):
        st, js = call(node, "POST", "/twins", clin, profile(i))
        if st == 201:
            twins[js["id"]] = profile(i)
            call(node, "POST", "/twins/%s/consent" % js["id"], clin, {"purpose": "research", "granted": True})
    check(len(models) == 10 and len(twins) == 5, "10 models and 5 twins written (%d, %d)" % (len(models), len(twins)))
    # a job on an inline profile: its result is sealed with a per-job key wrapped with the node key
    st, js = call(node, "POST", "/jobs", clin, {"kind": "predict", "until_h": 6, "steps": 12,
                                                "profile": profile(7), "regimens": ["midazolam 2 mg iv once"]})
    job = js["id"] if st == 202 else None
    job_result = None
    t0 = time.time()
    while job and time.time() - t0 < 120:
        st, js = call(node, "GET", "/jobs/" + job, clin)
        if st == 200 and js["status"] in ("done", "failed", "cancelled"):
            break
        time.sleep(0.2)
    if job:
        st, job_result = call(node, "GET", "/jobs/%s/result" % job, clin)
    check(job and st == 200 and job_result, "a predict job on an inline profile is done, its result readable")

    # backup while 8 threads keep writing
    stop = threading.Event()
    lock = threading.Lock()
    during = {}
    errors = []

    def writer(w):
        k = 0
        while not stop.is_set():
            k += 1
            try:
                st, js = call(node, "POST", "/models", mod, {"title": "load %d-%d" % (w, k), "visibility": "group",
                                                             "sbml": SBML.replace(TAG, 'name="load %d %d"' % (w, k), 1)})
            except Exception as e:  # noqa: BLE001 - any failure of the node under load counts
                errors.append(repr(e))
                continue
            if st == 201:
                with lock:
                    during[js["id"]] = js["sha256"]
            else:
                errors.append(st)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    time.sleep(1.0)
    with lock:
        acked_before = dict(models)
        acked_before.update(during)
    out = os.path.join(work, "backup.bin")
    t0 = time.time()
    rc, text = run([medtwin, "backup", "--db", db, "--out", out])
    took = time.time() - t0
    time.sleep(0.5)
    stop.set()
    for t in threads:
        t.join()
    check(rc == 0 and "key" in text and "not in the backup" in text,
          "medtwin backup under write load: exit 0 in %.1f s, the key reminder printed (%s)"
          % (took, text.strip().splitlines()[0] if text.strip() else ""))
    check(not errors and len(during) > 0,
          "the node kept answering 201 during the backup (%d writes, errors %s)" % (len(during), errors[:3]))
    check(os.path.exists(out) and (os.stat(out).st_mode & 0o777) == 0o600,
          "the backup file is mode 0600")
    check(not [f for f in os.listdir(work) if ".tmp-" in f], "no temporary file left beside it")
    rc, text = run([medtwin, "backup", "--db", db, "--out", os.path.join(work, "no/such/dir/b")])
    check(rc == 1 and "cannot" in text, "backup into a missing folder: exit 1 (%s)" % text.strip()[:80])
    with open(os.path.join(work, "backup.bin"), "rb") as f:
        blob = f.read()
    for i in range(5):
        check(profile(i)["id"].encode() not in blob, "the backup holds no plain patient id (%d)" % i)

    # restore into a fresh store
    rc, text = run([medtwin, "restore", "--db", restore_url, "--from", out])
    check(rc == 0 and "audit verify" in text, "medtwin restore into an empty store: exit 0")
    rc, text = run([medtwin, "restore", "--db", restore_url, "--from", out])
    check(rc == 1 and "not empty" in text and "--force" in text,
          "restore again without --force: refused (%s)" % text.strip()[:100])
    rc, text = run([medtwin, "restore", "--db", restore_url, "--from", out, "--force"])
    check(rc == 0, "restore --force over it: exit 0 %s" % text.strip()[:100])
    junk = os.path.join(work, "junk.bin")
    with open(junk, "wb") as f:
        f.write(b"not a backup at all")
    rc, text = run([medtwin, "restore", "--db", restore_url, "--from", junk, "--force"])
    check(rc == 1 and "neither" in text, "restore of a file that is no backup: refused (%s)" % text.strip()[:90])
    rkey = key
    if not pg:
        rkey = restore_url[len("sqlite:"):] + ".key"
        shutil.copyfile(old_key, rkey)
        os.chmod(rkey, 0o600)
    rc, text = run([medtwin, "audit", "verify", "--db", restore_url, "--key", rkey])
    check(rc == 0 and "verified" in text, "audit verify on the restored store: %s" % text.strip()[:90])
    r = Node(medtwin, restore_url, rkey, work, "restored")
    if check(r.base is not None, "a node starts on the restored store"):
        bad = []
        for i, sha in acked_before.items():
            st, js = call(r, "GET", "/models/" + i, mod)
            if st != 200 or js["versions"][-1]["sha256"] != sha:
                bad.append(i)
        check(not bad, "every model acknowledged before the backup began is there with its sha256 (%d; missing %s)"
              % (len(acked_before), bad[:3]))
        st, js = call(r, "GET", "/models?limit=500", mod)
        listed = {m["id"] for m in js["items"]} if st == 200 else set()
        extra = listed - set(acked_before) - set(during) - initial
        check(st == 200 and not extra, "the restored store holds no model that was never acknowledged (%d listed)"
              % len(listed))
        ok = True
        for t, p in twins.items():
            st, js = call(r, "GET", "/twins/" + t, clin)
            ok = ok and st == 200 and js["profile"]["id"] == p["id"] and js["profile"]["weight_kg"] == p["weight_kg"]
        check(ok, "every twin reads back decrypted from the restored store (%d)" % len(twins))
        st, js = call(r, "POST", "/twins", clin, profile(0))
        check(st == 200 and js["id"] in twins, "the same patient maps to the same pseudonym on the restored store")
        check(r.stop() == 0, "the restored node stops cleanly")
    check(node.stop() == 0, "the original node stops cleanly")

    # key rotation on the original store
    new_key = os.path.join(work, "new.key")
    wrong = os.path.join(work, "wrong.key")
    with open(wrong, "wb") as f:
        f.write(os.urandom(32))
    os.chmod(wrong, 0o600)
    rc, text = run([medtwin, "key", "rotate", "--db", db, "--key", wrong, "--new-key", new_key])
    check(rc == 1 and "does not open this store" in text and not os.path.exists(new_key),
          "key rotate with a wrong old key: refused (%s)" % text.strip()[:100])
    rc, text = run([medtwin, "key", "rotate", "--db", db, "--key", old_key, "--new-key", old_key])
    check(rc == 1 and "same key" in text, "key rotate to the same key: refused")
    rc, text = run([medtwin, "key", "rotate", "--db", db, "--key", old_key, "--new-key", new_key])
    check(rc == 0 and re.search(r"\b%d twin data keys" % len(twins), text) is not None,
          "medtwin key rotate: exit 0, %d twin data keys re-wrapped (%s)" % (len(twins), text.strip()[:80]))
    check(os.path.exists(new_key) and (os.stat(new_key).st_mode & 0o777) == 0o600, "the new key file: 0600")
    rc, text = run([medtwin, "audit", "verify", "--db", db, "--key", new_key])
    check(rc == 0 and "verified" in text, "audit verify --key NEW: %s" % text.strip()[:80])
    rc, text = run([medtwin, "audit", "verify", "--db", db, "--key", old_key])
    check(rc == 1, "audit verify --key OLD: fails")
    old = Node(medtwin, db, old_key, work, "old-key")
    rc = old.p.wait(timeout=60) if old.base is None else old.stop()
    check(old.base is None and rc != 0 and "does not open this store" in old.log(),
          "serve with the old key: refused, exit %s (%s)" % (rc, old.log().strip()[-110:]))
    n = Node(medtwin, db, new_key, work, "new-key")
    if check(n.base is not None, "serve with the new key starts"):
        ok = True
        for t, p in twins.items():
            st, js = call(n, "GET", "/twins/" + t, clin)
            ok = ok and st == 200 and js["profile"]["id"] == p["id"] and js["profile"]["weight_kg"] == p["weight_kg"]
        check(ok, "every twin reads back with the new key (%d)" % len(twins))
        same = True
        for i in range(5):
            st, js = call(n, "POST", "/twins", clin, profile(i))
            same = same and st == 200 and js["id"] in twins and twins[js["id"]]["id"] == profile(i)["id"]
        check(same, "the same patients get the same pseudonyms after the rotation")
        if job:
            st, js = call(n, "GET", "/jobs/%s/result" % job, clin)
            check(st == 200 and js == job_result,
                  "the job's sealed result reads back with the new key (its per-job key re-wrapped): %d" % st)
        st, js = call(n, "POST", "/twins", clin, profile(9))
        check(st == 201 and js["id"] not in twins, "a new twin is written with the new key: 201")
        st, js = call(n, "GET", "/twins/" + (js or {}).get("id", "x"), clin)
        check(st == 200, "and reads back")
        check(n.stop() == 0, "the node on the new key stops cleanly")
    rc, text = run([medtwin, "audit", "verify", "--db", db, "--key", new_key])
    check(rc == 0 and "verified" in text, "audit verify --key NEW after more twin writes: %s" % text.strip()[:80])
    rc, text = run([medtwin, "key", "rotate", "--db", db, "--key", old_key, "--new-key",
                    os.path.join(work, "third.key")])
    check(rc == 1 and "does not open this store" in text, "the old key cannot rotate it again either")


# ---- TLS ---------------------------------------------------------------------------------------

def openssl_cert(work, name, cn="127.0.0.1"):
    cert, key = os.path.join(work, name + ".crt"), os.path.join(work, name + ".key.pem")
    rc, text = run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=" + cn,
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"])
    check(rc == 0, "openssl made a self-signed certificate %s %s" % (name, "" if rc == 0 else text[-200:]))
    return cert, key


def serve_fails(medtwin, work, extra, what, needle):
    args = [medtwin, "serve", "--db", "sqlite:" + os.path.join(work, "tls-bad.db"), "--listen", "127.0.0.1:0",
            "--no-bundled"] + extra
    try:
        p = subprocess.run(args, capture_output=True, text=True, timeout=60)
        rc, text = p.returncode, p.stdout + p.stderr
    except subprocess.TimeoutExpired:
        rc, text = "hang", ""
    check(rc not in (0, "hang") and needle in text and "listening" not in text,
          "serve with %s: exit %s, %s" % (what, rc, text.strip().splitlines()[-1][:120] if text.strip() else ""))


def tls(medtwin, work):
    cert, key = openssl_cert(work, "node")
    node = Node(medtwin, "sqlite:" + os.path.join(work, "tls.db"), None, work, "tls",
                extra=["--tls-cert", cert, "--tls-key", key], scheme="https")
    if not check(node.base is not None and node.base.startswith("https://"), "serve --tls-cert/--tls-key prints an https URL"):
        print(node.log())
        node.stop()
        return
    ctx = ssl.create_default_context(cafile=cert)
    st, js = call(node, "GET", "/health", ctx=ctx)
    check(st == 200 and js["status"] == "ok", "GET /health over HTTPS, verified against the certificate: 200")
    st, js = call(node, "GET", "/whoami", node.admin, ctx=ctx)
    check(st == 200 and js["role"] == "admin", "GET /whoami over HTTPS with the admin token: 200")
    c = http.client.HTTPSConnection("127.0.0.1", node.port, context=ctx, timeout=30)
    c.request("GET", "/api/v1/health")
    r = c.getresponse()
    check(r.status == 200 and c.sock.version() in ("TLSv1.2", "TLSv1.3"),
          "the connection is TLS (%s, %s)" % (c.sock.version(), c.sock.cipher()[0]))
    c.close()
    try:
        call(node, "GET", "/health", ctx=ssl.create_default_context())
        refused = False
    except urllib.error.URLError as e:
        refused = isinstance(e.reason, ssl.SSLCertVerificationError)
    check(refused, "the same request verified against the system CAs fails (the certificate is checked)")
    plain_ok = False
    try:
        p = http.client.HTTPConnection("127.0.0.1", node.port, timeout=10)
        p.request("GET", "/api/v1/health")
        plain_ok = p.getresponse().status == 200
    except (http.client.HTTPException, OSError):
        plain_ok = False
    check(not plain_ok, "plain HTTP to the TLS port gets no HTTP answer")
    st, _ = call(node, "GET", "/health", ctx=ctx)
    check(st == 200, "the node still answers HTTPS afterwards")
    check(node.stop() == 0, "the TLS node stops cleanly on SIGTERM")

    junk = os.path.join(work, "junk.pem")
    with open(junk, "w") as f:
        f.write("this is not a certificate\n")
    other_cert, other_key = openssl_cert(work, "other")
    serve_fails(medtwin, work, ["--tls-cert", junk, "--tls-key", key], "a certificate that is not PEM", "not PEM")
    serve_fails(medtwin, work, ["--tls-cert", cert, "--tls-key", other_key], "a key that does not match the certificate",
                "cannot start the HTTP server")
    serve_fails(medtwin, work, ["--tls-cert", os.path.join(work, "missing.crt"), "--tls-key", key],
                "a missing certificate file", "missing.crt")
    serve_fails(medtwin, work, ["--tls-cert", cert], "a certificate without a key", "key")


if __name__ == "__main__":
    a = sys.argv[1:]
    if len(a) >= 3 and a[1] == "--tls":
        tls(a[0], a[2])
    elif len(a) == 5 and a[3] == "--restore-url":
        ops(a[0], a[1], a[2], a[4])
    else:
        raise SystemExit(__doc__)
    print("%d failure(s)" % len(failures))
    sys.exit(1 if failures else 0)
