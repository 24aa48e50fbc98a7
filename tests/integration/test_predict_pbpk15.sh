#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Issue #3 acceptance 1: given pbpk15's organ volumes, flows, Kp and
# clearances (instead of computed ones), `medtwin predict` reproduces
# ../shared/bench/pbpk15/reference_venous_first20.csv for individual 0 to
# 1e-5 relative (points above 1e-3 x Cmax). Plus the predict error contract.
set -u
B="$MT_SHARED/bench/pbpk15"
[ -f "$B/params.csv" ] || { echo "skip: $B missing"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
# plotting loads fontconfig, whose one-time cache LeakSanitizer reports (tests/lsan.supp)
export LSAN_OPTIONS="suppressions=$MT_SOURCE_DIR/tests/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
fail=0
check() { if [ "$1" = 0 ]; then echo "ok $2"; else echo "FAIL $2"; fail=1; fi; }

"$MEDTWIN" predict --regimen "x 100 mg po once" --given "$B/params.csv" --row 0 \
    --until 24h --out "$tmp/r.json" --plot "$tmp/r.svg" 2>"$tmp/err"
check $? "predict runs"
python3 - "$tmp/r.json" "$B/reference_venous_first20.csv" <<'PY'
import csv, json, sys
r = json.load(open(sys.argv[1]))
d = r["drugs"][0]
ref = [float(x[1]) for x in list(csv.reader(open(sys.argv[2])))[1:]]
got = d["conc_mg_per_l"]
assert len(got) == len(ref) == 1441, (len(got), len(ref))
cmax = max(ref)
worst = max(abs(g - e) / e for e, g in zip(ref, got) if e > 1e-3 * cmax)
print(f"pbpk15 individual 0 via medtwin predict: max relative difference {worst:.3g}")
assert worst < 1e-5
for k in ("auc_0_inf_mg_h_per_l", "auc_0_24_mg_h_per_l", "cmax_mg_per_l", "tmax_h",
          "ctrough_mg_per_l"):
    assert isinstance(d[k], float), k
assert abs(d["cmax_mg_per_l"] - cmax) < 1e-5 * cmax
assert r["provenance"]["medtwin_version"]
PY
check $? "pbpk15 individual 0 within 1e-5 and metrics present"
grep -q "<svg" "$tmp/r.svg"; check $? "plot written"

# the same twin exported as SBML and run by `medtwin simulate` (any SBML tool could)
"$MEDTWIN" twin export --regimen "x 100 mg po once" --given "$B/params.csv" --row 0 \
    --out "$tmp/twin.xml" && "$MEDTWIN" simulate "$tmp/twin.xml" --end 24 --steps 1440 \
    --vars C_plasma_x --rtol 1e-6 --atol 1e-9 --out "$tmp/twin.csv"
check $? "twin export + simulate"
python3 - "$tmp/twin.csv" "$B/reference_venous_first20.csv" <<'PY'
import csv, sys
got = [float(r[1]) for r in list(csv.reader(open(sys.argv[1])))[1:]]
ref = [float(r[1]) for r in list(csv.reader(open(sys.argv[2])))[1:]]
cmax = max(ref)
worst = max(abs(g - e) / e for e, g in zip(ref, got) if e > 1e-3 * cmax)
print(f"exported twin (SBML) individual 0: max relative difference {worst:.3g}")
assert len(got) == 1441 and worst < 1e-5
PY
check $? "exported twin reproduces the reference"

expect_error() { # name, fragment, args...
    local name=$1 frag=$2; shift 2
    "$MEDTWIN" predict "$@" >"$tmp/out" 2>"$tmp/err"; local rc=$?
    if [ $rc -ne 0 ] && [ $rc -lt 128 ] && grep -q -- "$frag" "$tmp/err" && [ "$(wc -l <"$tmp/err")" -eq 1 ]; then
        echo "ok $name"
    else
        echo "FAIL $name (rc $rc): $(cat "$tmp/err")"; fail=1
    fi
}
expect_error "no regimen" "no --regimen"
expect_error "bad regimen" "furlong" --regimen "x 100 furlong po once"
expect_error "incomplete twin" "incomplete" --regimen "x 100 mg po once"
printf 'V_lung,nonsense\n1,2\n' >"$tmp/bad.csv"
expect_error "unknown column" "names no twin parameter" --regimen "x 1 mg po once" --given "$tmp/bad.csv"
expect_error "row out of range" "rows" --regimen "x 1 mg po once" --given "$B/params.csv" --row 5000
expect_error "bad until" "--until" --regimen "x 1 mg po once" --until soon
expect_error "unknown option" "unknown option" --regimen "x 1 mg po once" --frobnicate 1
exit $fail
