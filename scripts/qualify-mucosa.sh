#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The qualification with PK-Sim's mucosa in place of the Qgut model (docs/absorption.md,
# "PK-Sim's mucosa: tried, not adopted"): copies data/ to a temporary folder, sets
# absorption.gut_wall to "mucosa" on every card that can take it (absorption.model
# pksim_permeability and partition.cell_permeability pksim_standard) and runs `medtwin qualify` on
# that copy. Nothing under docs/ or data/ changes; the report goes to OUT (default a temporary
# folder, printed at the end) and the figures are printed beside the committed ones.
# Usage: bash scripts/qualify-mucosa.sh [BUILD_DIR] [OUT]
set -euo pipefail

cd "$(dirname "$0")/.."
build=${1:-build}
if [ ! -x "$build/medtwin" ]; then
    cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$build" -j2 >/dev/null
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -r data "$tmp/data"
python3 - "$tmp/data/drugs" <<'PY'
import glob, json, sys
n = []
for f in sorted(glob.glob(sys.argv[1] + "/*.json")):
    c = json.load(open(f))
    ab, pt = c.get("absorption") or {}, c.get("partition") or {}
    if ab.get("model") == "pksim_permeability" and pt.get("cell_permeability") == "pksim_standard":
        ab["gut_wall"] = "mucosa"
        json.dump(c, open(f, "w"), indent=2, ensure_ascii=False)
        n.append(c["name"])
print("qualify-mucosa: absorption.gut_wall mucosa on %d cards: %s" % (len(n), ", ".join(n)))
PY
out=${2:-$(mktemp -d)}
MEDTWIN_DATA="$tmp/data" "$build/medtwin" qualify --quiet --out "$out" --data "$tmp/data/qualification"
python3 - docs/qualification/summary.csv "$out/summary.csv" <<'PY'
import csv, sys
def load(p):
    return {(r["set"], r["figure"]): r["value"] for r in csv.DictReader(open(p))}
a, b = load(sys.argv[1]), load(sys.argv[2])
print("%-44s %12s %12s" % ("figure", "Qgut", "mucosa"))
for k in a:
    if a[k] != b.get(k):
        print("%-44s %12s %12s" % ("/".join(k), a[k], b.get(k, "")))
PY
echo "qualify-mucosa: report $out/index.html"
