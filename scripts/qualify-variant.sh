#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The qualification with a card option set on every card that can take it, to measure an option
# before any card adopts it: copies data/ to a temporary folder, changes the cards there and runs
# `medtwin qualify` on that copy. Nothing under docs/ or data/ changes; the report goes to OUT
# (default a temporary folder, printed at the end) and every figure that differs is printed beside
# the committed one. Variants:
#   mucosa  absorption.gut_wall "mucosa" on every card with absorption.model pksim_permeability
#           and partition.cell_permeability pksim_standard (docs/absorption.md, "PK-Sim's mucosa")
#   efflux  elimination.efflux "P-gp" on every card with partition.cell_permeability
#           pksim_standard and a P-gp michaelis_menten transport entry with km and kcat, and the
#           mucosa where it absorbs mechanistically (docs/interactions.md, "P-gp")
# Usage: bash scripts/qualify-variant.sh mucosa|efflux [BUILD_DIR] [OUT]
set -euo pipefail

cd "$(dirname "$0")/.."
variant=${1:-}
case "$variant" in
mucosa | efflux) ;;
*)
    echo "usage: bash scripts/qualify-variant.sh mucosa|efflux [BUILD_DIR] [OUT]" >&2
    exit 2
    ;;
esac
build=${2:-build}
if [ ! -x "$build/medtwin" ]; then
    cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$build" -j2 >/dev/null
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -r data "$tmp/data"
python3 - "$tmp/data/drugs" "$variant" <<'PY'
import glob, json, sys
variant, n = sys.argv[2], []
for f in sorted(glob.glob(sys.argv[1] + "/*.json")):
    c = json.load(open(f))
    ab, pt = c.get("absorption") or {}, c.get("partition") or {}
    el = c.get("elimination") or {}
    cells = pt.get("cell_permeability") == "pksim_standard"
    mech = ab.get("model") == "pksim_permeability"
    if variant == "mucosa":
        take = cells and mech
    else:
        take = cells and any(t.get("transporter") == "P-gp" and t.get("process") ==
                             "michaelis_menten" and "km" in t and "kcat" in t
                             for t in el.get("transport") or [])
        if take:
            el["efflux"] = "P-gp"
    if take and mech:
        ab["gut_wall"] = "mucosa"
    if take:
        json.dump(c, open(f, "w"), indent=2, ensure_ascii=False)
        n.append(c["name"])
print("qualify-variant %s: %d cards: %s" % (variant, len(n), ", ".join(n)))
PY
out=${3:-$(mktemp -d)}
MEDTWIN_DATA="$tmp/data" "$build/medtwin" qualify --quiet --out "$out" --data "$tmp/data/qualification"
python3 - docs/qualification/summary.csv "$out/summary.csv" "$variant" <<'PY'
import csv, sys
def load(p):
    return {(r["set"], r["figure"]): r["value"] for r in csv.DictReader(open(p))}
a, b = load(sys.argv[1]), load(sys.argv[2])
print("%-44s %12s %12s" % ("figure", "committed", sys.argv[3]))
for k in a:
    if a[k] != b.get(k):
        print("%-44s %12s %12s" % ("/".join(k), a[k], b.get(k, "")))
PY
echo "qualify-variant $variant: report $out/index.html"
