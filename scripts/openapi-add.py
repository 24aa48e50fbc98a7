#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Merges an OpenAPI fragment into docs/openapi.json (tooling for writers of the node's modules).

  scripts/openapi-add.py FRAGMENT.json

FRAGMENT holds {"paths": {...}, "components": {"schemas": {...}}, "tags": [...]}; its paths
and schemas replace those of the same name, others are added. The file is written back in one
canonical layout (json.dumps, indent 2) so that concurrent writers' changes merge cleanly.
"""
import json
import os
import sys

doc_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "docs", "openapi.json")
frag = json.load(open(sys.argv[1]))
doc = json.load(open(doc_path))
doc.setdefault("paths", {}).update(frag.get("paths", {}))
for k, v in frag.get("components", {}).items():
    doc.setdefault("components", {}).setdefault(k, {}).update(v)
have = {t["name"] for t in doc.get("tags", [])}
doc.setdefault("tags", []).extend(t for t in frag.get("tags", []) if t["name"] not in have)
tmp = doc_path + ".tmp"
with open(tmp, "w") as f:
    f.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
os.replace(tmp, doc_path)
print("openapi: %d paths" % len(doc["paths"]))
