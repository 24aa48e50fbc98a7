#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The committed qualification report (docs/qualification/) is the one the code at this commit
# writes: the full `medtwin qualify` run (every set, the inputs of data/qualification/)
#   - meets the committed floors (docs/qualification/floors.csv), and
#   - gives the committed figures (summary.csv) and per-row results (each set's results.csv):
#     the same rows, the same text cells, and every number equal to the committed one within a
#     relative 1e-6 (the report is byte-identical on the machine that wrote it; the tolerance
#     only absorbs last-digit differences of the maths library between machines).
# So a change to the model, a card or the data that moves a figure fails here until the report
# is regenerated (scripts/qualify.sh) and committed, with its floors (docs/qualification.md).
set -u
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export LSAN_OPTIONS="suppressions=$MT_SOURCE_DIR/tests/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
fail=0
check() { if [ "$1" = 0 ]; then echo "ok $2"; else echo "FAIL $2"; fail=1; fi; }
doc="$MT_SOURCE_DIR/docs/qualification"

"$MEDTWIN" qualify --quiet --out "$tmp/q" --check "$doc/floors.csv" >"$tmp/out" 2>"$tmp/err"
check $? "the full qualify run meets docs/qualification/floors.csv"

python3 - "$doc" "$tmp/q" <<'PY'
import csv, math, os, sys
doc, new = sys.argv[1], sys.argv[2]
bad = []
def num(s):
    try:
        return float(s)
    except ValueError:
        return None
def same(a, b):
    x, y = num(a), num(b)
    if x is None or y is None:
        return a == b
    if math.isnan(x) or math.isnan(y):
        return math.isnan(x) and math.isnan(y)
    return x == y or abs(x - y) <= 1e-6 * max(abs(x), abs(y))
files = ["summary.csv"] + [os.path.join(s, "results.csv")
                           for s in sorted(os.listdir(doc)) if os.path.isdir(os.path.join(doc, s))]
for f in files:
    a = list(csv.reader(open(os.path.join(doc, f))))
    b = list(csv.reader(open(os.path.join(new, f))))
    if len(a) != len(b):
        bad.append("%s: %d rows committed, %d written" % (f, len(a), len(b)))
        continue
    for i, (ra, rb) in enumerate(zip(a, b)):
        if len(ra) != len(rb) or not all(same(x, y) for x, y in zip(ra, rb)):
            bad.append("%s line %d: committed %s, written %s" % (f, i + 1, ra[:6], rb[:6]))
            break
for m in bad:
    print("  " + m)
print("compared %d files" % len(files))
sys.exit(1 if bad else 0)
PY
check $? "the committed figures and per-row results are what this commit writes (regenerate with scripts/qualify.sh)"
exit $fail
