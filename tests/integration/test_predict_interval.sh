#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `medtwin predict --interval`: the population prediction interval (docs/interval.md).
#   - a profile without a creatinine: the interval is drawn over the population's kidney
#     function (named in "drawn"), lo <= median <= hi at every time and for every metric, and
#     it has a width;
#   - the same profile with every fact the card uses: nothing is drawn and the interval is the
#     typical prediction itself, at every time;
#   - the same seed gives the same interval, another seed another one;
#   - bad input: --interval without --patient, a share outside (0, 100), --people 1, --people
#     without --interval: a message naming the option, a non-zero exit, no output file.
set -u
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export LSAN_OPTIONS="suppressions=$MT_SOURCE_DIR/tests/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
P="$MT_SOURCE_DIR/examples/patients"
fail=0
check() { if [ "$1" = 0 ]; then echo "ok $2"; else echo "FAIL $2"; fail=1; fi; }
python3 - "$P/anna.json" "$tmp" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
p.pop("genotypes", None)
full = dict(p)
p.pop("serum_creatinine_mg_dl", None)
json.dump(p, open(sys.argv[2] + "/nocreat.json", "w"))
json.dump(full, open(sys.argv[2] + "/full.json", "w"))
assert "serum_creatinine_mg_dl" in full
PY
reg="alprazolam 1 mg po once"
"$MEDTWIN" predict --patient "$tmp/nocreat.json" --regimen "$reg" --interval 90 --people 40 \
    --out "$tmp/a.json" --plot "$tmp/a.png" 2>"$tmp/e"; check $? "interval without a creatinine"
[ -s "$tmp/a.png" ]; check $? "the plot with the interval is written"
"$MEDTWIN" predict --patient "$tmp/nocreat.json" --regimen "$reg" --interval 90 --people 40 \
    --out "$tmp/b.json" 2>>"$tmp/e"; check $? "the same seed again"
"$MEDTWIN" predict --patient "$tmp/nocreat.json" --regimen "$reg" --interval 90 --people 40 \
    --seed 7 --out "$tmp/c.json" 2>>"$tmp/e"; check $? "another seed"
"$MEDTWIN" predict --patient "$tmp/full.json" --regimen "$reg" --interval 80 --people 20 \
    --out "$tmp/f.json" 2>>"$tmp/e"; check $? "interval with every fact stated"
python3 - "$tmp" <<'PY'; check $? "interval contents"
import json, sys
d = sys.argv[1]
a, b, c, f = (json.load(open(f"{d}/{n}.json")) for n in "abcf")
ia = a["drugs"][0]["interval"]
assert ia["level"] == 0.9 and ia["n_people"] == 40, ia["level"]
assert "serum_creatinine_mg_dl" in ia["drawn"], ia["drawn"]
lo, med, hi = ia["lo_mg_per_l"], ia["median_mg_per_l"], ia["hi_mg_per_l"]
assert len(lo) == len(a["drugs"][0]["conc_mg_per_l"])
assert all(x <= m <= y for x, m, y in zip(lo, med, hi)), "lo <= median <= hi"
for k in ("auc_0_24_mg_h_per_l", "auc_0_last_mg_h_per_l", "cmax_mg_per_l", "ctrough_mg_per_l"):
    m = ia[k]
    assert m["lo"] <= m["median"] <= m["hi"], k
width = (hi[-1] - lo[-1]) / med[-1]
assert width > 0.01, f"an interval over kidney function has a width ({width:.4f} at the end)"
assert b["drugs"][0]["interval"] == ia, "the same seed gives the same interval"
assert c["drugs"][0]["interval"]["hi_mg_per_l"] != hi, "another seed gives another interval"
iff = f["drugs"][0]["interval"]
assert iff["drawn"] == "", iff["drawn"]
typ = f["drugs"][0]["conc_mg_per_l"]
for x, m, y, t in zip(iff["lo_mg_per_l"], iff["median_mg_per_l"], iff["hi_mg_per_l"], typ):
    assert abs(x - t) <= 1e-12 * abs(t) + 1e-15 and abs(y - t) <= 1e-12 * abs(t) + 1e-15 and x == m == y
print("alprazolam 1 mg po, no creatinine: 90%% interval of AUC0-24 %.4g-%.4g mg*h/L (median %.4g), "
      "typical %.4g; drawn: %s" % (ia["auc_0_24_mg_h_per_l"]["lo"], ia["auc_0_24_mg_h_per_l"]["hi"],
      ia["auc_0_24_mg_h_per_l"]["median"], a["drugs"][0]["auc_0_24_mg_h_per_l"], ia["drawn"]))
PY
bad() { # expected message, then the arguments
    local want=$1; shift
    rm -f "$tmp/bad.json"
    "$MEDTWIN" predict --regimen "$reg" "$@" --out "$tmp/bad.json" >/dev/null 2>"$tmp/bad.err"
    local rc=$?
    if [ "$rc" -ne 0 ] && [ "$rc" -lt 128 ] && grep -q -- "$want" "$tmp/bad.err" && [ ! -e "$tmp/bad.json" ]; then
        echo "ok refused: $*: $(head -c 120 "$tmp/bad.err")"
    else
        echo "FAIL $*: exit $rc, stderr: $(head -c 300 "$tmp/bad.err")"; fail=1
    fi
}
bad "needs --patient" --interval 90
bad "--interval" --patient "$tmp/full.json" --interval 0
bad "--interval" --patient "$tmp/full.json" --interval 150
bad "--interval" --patient "$tmp/full.json" --interval abc
bad "--people" --patient "$tmp/full.json" --interval 90 --people 1
bad "go with --interval" --patient "$tmp/full.json" --people 30
[ "$fail" = 0 ] || { cat "$tmp/e"; exit 1; }
