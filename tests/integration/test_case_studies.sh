#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Issue #5 acceptance 3, the fast version of `medtwin case-study` (docs/case_studies.md,
# scripts/case-studies.sh):
#  - vancomycin: 12 virtual patients (CrCl 30/75/120 mL/min x 4 weights), 50 draws each; the
#    recommended regimen's predicted median AUC24 must lie in 400-600 mg*h/L for >= 90% of
#    them (counted here from the per-patient values, not taken from the summary);
#  - warfarin: the IWPC 2009 doses recomputed here (python, from data/poppk/iwpc_2009.csv) for
#    a fresh run and for every row of the committed docs/case_studies/warfarin.json; the
#    twin's exact dose re-simulated through `medtwin dose --doses <exact> --typical` gives a
#    steady-state INR of 2.5; the committed table agrees with a fresh run (else the docs are
#    stale: run scripts/case-studies.sh).
set -u
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export LSAN_OPTIONS="suppressions=$MT_SOURCE_DIR/tests/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
fail=0
check() { if [ "$1" = 0 ]; then echo "ok $2"; else echo "FAIL $2"; fail=1; fi; }

# ---------- vancomycin ----------
"$MEDTWIN" case-study vancomycin --patients 12 --draws 50 --seed 3 --no-prior \
    --out "$tmp/v.json" >"$tmp/v.txt" 2>&1
check $? "case-study vancomycin runs"
cat "$tmp/v.txt"
python3 - "$tmp/v.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
pts = s["patient_list"]
assert len(pts) == 12, len(pts)
crcl = sorted({p["crcl_ml_min"] for p in pts})
assert crcl == [30.0, 75.0, 120.0], crcl
assert sorted({p["weight_kg"] for p in pts}) == [50.0, 70.0, 90.0, 110.0]
inside = 0
for p in pts:
    r = p["recommended"]
    med = r["auc24_median"]
    if med is not None and 400 <= med <= 600:
        inside += 1
    if r["dose_mg"] is not None:
        assert r["interval_h"] in (8, 12, 24), r
        assert 250 <= r["dose_mg"] <= 4000 and r["dose_mg"] % 250 == 0, r
        assert 0 <= r["pta"] <= 1 and r["auc24_p5"] <= med <= r["auc24_p95"], r
        assert r["auc24_true"] > 0, r
frac = inside / len(pts)
assert abs(frac - s["results"]["predicted_in_target_fraction"]) < 1e-12
print("vancomycin: predicted median AUC24 in 400-600 for %d of %d (%.0f%%); true %.0f%%"
      % (inside, len(pts), 100 * frac, 100 * s["results"]["true_in_target_fraction"]))
assert frac >= 0.9, "fewer than 90%% of the predicted AUC24 in 400-600: %.3f" % frac
PY
check $? "vancomycin: predicted AUC24 in 400-600 for >= 90% of 12 virtual patients"

# ---------- warfarin ----------
G='*1/*2'; V='AA'
"$MEDTWIN" case-study warfarin --genotypes "$G:$V" --out "$tmp/w.json" >"$tmp/w.txt" 2>&1
check $? "case-study warfarin runs"
cat "$tmp/w.txt"

# the IWPC dose, computed independently from the csv (fresh run and the committed table)
iwpc_check() {
    python3 - "$MT_SOURCE_DIR/data/poppk/iwpc_2009.csv" "$1" <<'PY'
import csv, json, sys
coef = {r["term"]: float(r["coefficient"]) for r in csv.DictReader(open(sys.argv[1]))}
s = json.load(open(sys.argv[2]))
ref = s["reference_covariates"]
vk = {"GG": 0.0, "GA": coef["vkorc1_ag"], "AA": coef["vkorc1_aa"]}
cyp = {"*1/*1": 0.0, "*1/*2": coef["cyp2c9_12"], "*1/*3": coef["cyp2c9_13"],
       "*2/*2": coef["cyp2c9_22"], "*2/*3": coef["cyp2c9_23"], "*3/*3": coef["cyp2c9_33"]}
assert ref["race"].startswith("White") and not ref["enzyme_inducer"] and not ref["amiodarone"]
for row in s["table"]:
    root = (coef["intercept"] + coef["age_decades"] * (int(ref["age_years"]) // 10)
            + coef["height_cm"] * ref["height_cm"] + coef["weight_kg"] * ref["weight_kg"]
            + vk[row["vkorc1"]] + cyp[row["cyp2c9"]])
    want = root * root / 7
    got = row["iwpc_mg_day"]
    assert abs(got - want) <= 1e-7 * want, (row, want)  # JSON: 8 digits
    assert abs(row["ratio"] - row["twin_mg_day"] / got) <= 1e-7 * row["ratio"], row
    assert row["within_25pct"] == (0.75 <= row["ratio"] <= 1.25), row
    print("  %s %s: IWPC %.4f mg/day (recomputed %.4f), twin %.4f, ratio %.3f"
          % (row["cyp2c9"], row["vkorc1"], got, want, row["twin_mg_day"], row["ratio"]))
print(len(s["table"]), "rows")
PY
}
iwpc_check "$tmp/w.json"
check $? "warfarin: IWPC dose of the fresh run recomputed from iwpc_2009.csv"
committed="$MT_SOURCE_DIR/docs/case_studies/warfarin.json"
if [ -f "$committed" ]; then
    iwpc_check "$committed"
    check $? "warfarin: IWPC doses of the committed table recomputed from iwpc_2009.csv"
    python3 - "$committed" "$tmp/w.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
new = json.load(open(sys.argv[2]))["table"][0]
main = [r for r in doc["table"] if not r["extra"]]
assert len(main) == 9 and len({(r["cyp2c9"], r["vkorc1"]) for r in main}) == 9
assert doc["within_25pct"]["main"] == sum(r["within_25pct"] for r in main)
row = [r for r in doc["table"] if (r["cyp2c9"], r["vkorc1"]) == (new["cyp2c9"], new["vkorc1"])]
assert row, "the committed table has no %s %s row" % (new["cyp2c9"], new["vkorc1"])
for k in ("twin_mg_day", "twin_mg_day_120d", "iwpc_mg_day"):
    assert abs(row[0][k] - new[k]) <= 1e-4 * new[k], \
        ("docs/case_studies is stale (run scripts/case-studies.sh)", k, row[0][k], new[k])
PY
    check $? "warfarin: the committed table agrees with a fresh run"
else
    echo "note: $committed not found; run scripts/case-studies.sh"
fi

# the exact dose gives INR 2.5 at steady state, re-simulated through `medtwin dose`
exact=$(python3 -c 'import json,sys; print("%.10g" % json.load(open(sys.argv[1]))["table"][0]["twin_mg_day"])' "$tmp/w.json")
"$MEDTWIN" dose --drug warfarin --covariates "AGE=71,INR0=1,CYP2C9=$G,VKORC1=$V" \
    --target "inr 2-3" --typical --doses "$exact" --interval 24h --horizon 180d \
    --out "$tmp/d.json" >"$tmp/d.txt" 2>&1
check $? "medtwin dose --doses $exact --typical runs"
cat "$tmp/d.txt"
python3 - "$tmp/d.json" "$tmp/w.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))["recommended"]
w = json.load(open(sys.argv[2]))["table"][0]
inr = d["predicted"]["p50"]
print("INR after 180 days of %.4f mg/day: %.5f (case study: %.5f)" % (d["dose_mg"], inr,
                                                                    w["inr_at_twin_dose"]))
assert abs(inr - 2.5) < 2e-3, inr
assert abs(d["exact_dose_mg"] - w["twin_mg_day"]) <= 1e-4 * w["twin_mg_day"], (d, w)
PY
check $? "warfarin: the twin's exact dose re-simulated by medtwin dose gives INR 2.5"

# bad usage
"$MEDTWIN" case-study >/dev/null 2>&1; rc=$?
[ "$rc" = 2 ]; check $? "case-study without a study: usage error (got $rc)"
"$MEDTWIN" case-study warfarin --genotypes '*1/*1' >/dev/null 2>&1; rc=$?
[ "$rc" = 2 ]; check $? "case-study warfarin --genotypes without VKORC1: usage error (got $rc)"
"$MEDTWIN" case-study warfarin --genotypes '*1/*4:GG' >/dev/null 2>&1; rc=$?
[ "$rc" = 1 ]; check $? "case-study warfarin with a genotype IWPC lacks: error (got $rc)"
exit $fail
