# SPDX-License-Identifier: Apache-2.0
"""The node's identity and its signed export, over real HTTP (loaded by api_test.py, which sets
`api`): GET /node, GET /export (public resources only, never twins or private ones; paging by
(updated, id); bad arguments 400), and `medtwin export verify` on what the node signed: it
verifies with the node's own pinned key, and fails for a changed payload, a changed signature,
another pinned key and a file that is not an export.
"""
import json
import os
import subprocess

# `api` (the api_test module: call, check, covers, T, S, MEDTWIN, WORK) is set by api_test.py


def verify(doc, *extra):
    path = os.path.join(api.WORK, "export.json")
    with open(path, "w") as f:
        f.write(doc if isinstance(doc, str) else json.dumps(doc))
    p = subprocess.run([api.MEDTWIN, "export", "verify", path] + list(extra),
                       capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout + p.stderr


def t_node():
    call, check, T = api.call, api.check, api.T
    st, _, _ = call("GET", "/node")
    check(st == 401, "GET /node without a token: 401")
    st, js, _ = call("GET", "/node", token=T["readA"])
    check(st == 200 and len(js.get("public_key", "")) == 64 and len(js.get("key_id", "")) == 16
          and js.get("algorithm") == "Ed25519",
          "GET /node as a reader: 200, a 32-byte Ed25519 public key and a key id")
    api.T["node_pk"] = js.get("public_key", "") if st == 200 else ""


def t_export():
    call, check, T = api.call, api.check, api.T
    st, _, _ = call("GET", "/export")
    check(st == 401, "GET /export without a token: 401")
    st, js, _ = call("GET", "/export?limit=500", token=T["readA"])
    check(st == 200 and js.get("format") == "medtwin-export-v1" and isinstance(js.get("payload"), str),
          "GET /export as a reader: 200, a signed payload")
    if st != 200:
        return
    pl = json.loads(js["payload"])
    kinds = {r["kind"] for r in pl["resources"]}
    ids = {r["id"] for r in pl["resources"]}
    check("twin" not in kinds, "the export holds no twin (kinds: %s)" % ", ".join(sorted(kinds)))
    check(T["bundled"] in ids, "the export holds the public bundled model")
    check(T["privA"] not in ids, "the export holds no private model")
    check(all(len(v["sha256"]) == 64 for r in pl["resources"] for v in r["versions"]),
          "every exported version carries its SHA-256")
    check(js["public_key"] == T.get("node_pk"), "the export is signed by the node's key (GET /node)")
    rc, out = verify(js, "--public-key", T.get("node_pk", ""))
    check(rc == 0 and "signature verified" in out, "medtwin export verify with the pinned key: ok (%s)" % out.strip())
    # a changed payload: one character of a title
    bad = dict(js, payload=js["payload"].replace('"title":"', '"title":"X', 1))
    rc, out = verify(bad)
    check(rc == 1 and "does not verify" in out, "export verify: a changed payload fails (%s)" % out.strip())
    sig = js["signature"]
    bad = dict(js, signature=("0" if sig[0] != "0" else "1") + sig[1:])
    rc, out = verify(bad)
    check(rc == 1 and "does not verify" in out, "export verify: a changed signature fails")
    rc, out = verify(js, "--public-key", "ab" * 32)
    check(rc == 1 and "another key" in out, "export verify: another pinned key fails")
    for what, doc in (("not JSON", "{"), ("no payload", dict(js, payload=None)),
                      ("another format", dict(js, format="x"))):
        rc, out = verify(doc)
        check(rc == 1 and "export" in out, "export verify: %s fails with a message" % what)
    # paging: limit 1 gives a next cursor that leads to the second resource
    st, p1, _ = call("GET", "/export?limit=1", token=T["readA"])
    n1 = json.loads(p1["payload"]) if st == 200 else {}
    nxt = n1.get("next") or {}
    st2, p2, _ = call("GET", "/export?limit=1&since=%s&after=%s" % (nxt.get("since", ""), nxt.get("after", "")),
                      token=T["readA"])
    n2 = json.loads(p2["payload"]) if st2 == 200 else {}
    check(st == 200 and st2 == 200 and len(n1["resources"]) == 1 and len(n2["resources"]) == 1
          and n1["resources"][0]["id"] != n2["resources"][0]["id"],
          "GET /export pages with limit=1 and the next cursor")
    for q in ("limit=0", "limit=501", "since=yesterday", "since=2026-11-22%27%20OR%201=1--",
              "after=../../etc", "after=00000000-0000-0000-0000-000000000000"):
        st, _, _ = call("GET", "/export?" + q, token=T["readA"])
        check(st == 400, "GET /export?%s: 400" % q)


t_node.covers = ("GET /node",)
t_export.covers = ("GET /export",)
TESTS = [t_node, t_export]
