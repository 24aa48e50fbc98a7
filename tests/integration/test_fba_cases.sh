#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Every flux balance (fbc) case of the SBML Test Suite — those whose NNNNN-model.m names an fbc
# component or test tag — through `medtwin sbml-test-case`, compared with the expected
# NNNNN-results.csv under the case's own tolerances: a value passes iff
# |expected - got| <= absolute + relative * |expected|; NaN must match NaN (an infeasible
# problem), INF an infinity of the same sign. The expected results have one row and no time
# column; columns are matched by id. See docs/fba.md.
# Needs $MT_SHARED/sbml-test-suite/cases (exit 77 = skipped when absent) and python3.
set -u
: "${MEDTWIN:?MEDTWIN must name the medtwin executable}"
[ -x "$MEDTWIN" ] || { echo "FAIL: MEDTWIN=$MEDTWIN is not an executable file" >&2; exit 1; }
cases="${MT_SHARED:-}/sbml-test-suite/cases"
if [ -z "${MT_SHARED:-}" ] || [ ! -d "$cases" ]; then
    echo "test_fba_cases: skipped: no SBML Test Suite at '${MT_SHARED:-}/sbml-test-suite/cases'"
    exit 77
fi
command -v python3 >/dev/null || { echo "test_fba_cases: skipped: python3 not found"; exit 77; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# compare EXPECTED.csv GOT.csv SETTINGS.txt: silent and exit 0 when every expected value is
# matched; else prints the first mismatches and exits 1.
cat >"$tmp/compare.py" <<'EOF'
import math, sys

def settings(path):
    out = {}
    for line in open(path):
        if ":" in line:
            k, v = line.split(":", 1)
            out[k.strip()] = v.strip()
    return out

def number(tok):
    t = tok.strip().lower()
    return {"inf": math.inf, "+inf": math.inf, "-inf": -math.inf, "nan": math.nan}.get(t) \
        if t in ("inf", "+inf", "-inf", "nan") else float(t)

def table(path):
    lines = [l for l in open(path).read().splitlines() if l.strip()]
    head = [h.strip().strip('"') for h in lines[0].split(",")]
    return head, [[number(x) for x in l.split(",")] for l in lines[1:]]

def same(e, g, atol, rtol):
    if math.isnan(e) or math.isnan(g):
        return math.isnan(e) and math.isnan(g)
    if math.isinf(e) or math.isinf(g):
        return g == e
    return abs(e - g) <= atol + rtol * abs(e)

exp_path, got_path, set_path = sys.argv[1:4]
s = settings(set_path)
atol, rtol = float(s.get("absolute") or 0), float(s.get("relative") or 0)
eh, er = table(exp_path)
gh, gr = table(got_path)
bad = []
if len(gr) < len(er):
    bad.append("rows: expected %d, got %d" % (len(er), len(gr)))
for j, name in enumerate(eh):
    if name.lower() == "time":
        continue
    if name not in gh:
        bad.append("column %s missing (got %s)" % (name, ",".join(gh)))
        continue
    gj = gh.index(name)
    for i in range(min(len(er), len(gr))):
        e, g = er[i][j], gr[i][gj]
        if not same(e, g, atol, rtol):
            bad.append("row %d %s: expected %r, got %r" % (i + 1, name, e, g))
if bad:
    print("; ".join(bad[:5]) + (" (+%d more)" % (len(bad) - 5) if len(bad) > 5 else ""))
    sys.exit(1)
EOF

passed=0
failed=0
fail() {
    echo "FAIL: $*" >&2
    failed=$((failed + 1))
}

ids=$(grep -l "fbc:" "$cases"/*/*-model.m 2>/dev/null | sed 's|.*/\([^/]*\)-model\.m$|\1|' | sort)
if [ -z "$ids" ]; then
    echo "FAIL: no fbc case found under $cases" >&2
    exit 1
fi
for id in $ids; do
    f=""
    for g in "$cases/$id/$id"-sbml-l*v*.xml; do # sorted: the last is the highest level/version
        [ -e "$g" ] && f=$g
    done
    if [ -z "$f" ]; then
        fail "$id: no model file"
        continue
    fi
    lv=${f##*-sbml-l}
    lv=${lv%.xml}
    "$MEDTWIN" sbml-test-case "$cases" "$id" "$tmp" "${lv%v*}" "${lv#*v}" \
        >"$tmp/$id.out" 2>"$tmp/$id.err"
    rc=$?
    if [ "$rc" -ne 0 ]; then
        fail "$id: medtwin sbml-test-case exited $rc: $(head -c 300 "$tmp/$id.err")"
        continue
    fi
    [ -s "$tmp/$id.csv" ] || { fail "$id: no $id.csv written"; continue; }
    if ! why=$(python3 "$tmp/compare.py" "$cases/$id/$id-results.csv" "$tmp/$id.csv" \
        "$cases/$id/$id-settings.txt" 2>&1); then
        fail "$id: differs from $id-results.csv: $why"
        continue
    fi
    passed=$((passed + 1))
    echo "ok $id"
done

echo "test_fba_cases: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
