#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `medtwin validate`: concentration-time datasets and interaction studies against the twin.
#   - a small hand-made dataset pair (IV and PO): the observed AUC must equal the trapezoids
#     computed here by hand (for the PO row from the dose time with concentration 0, and its
#     Cmax the highest observation), the predicted side must be sampled at the same times
#     (midazolam is absorbed by the transit model, docs/absorption.md), a urine row must be
#     listed as not predicted with its reason, and results.csv / report.md / the plots must be
#     written;
#   - a few rows of the shared OSP midazolam set and of the shared DDI table (skipped without
#     ../shared): every row is either predicted or listed with a reason;
#   - the bad-input contract: missing file, malformed CSV, a missing column, a --set dataset
#     absent from the data, an unknown option -> one line on stderr, non-zero status < 128.
set -u
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export LSAN_OPTIONS="suppressions=$MT_SOURCE_DIR/tests/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
fail=0
check() { if [ "$1" = 0 ]; then echo "ok $2"; else echo "FAIL $2"; fail=1; fi; }

# --- a small dataset pair, values in three units (mg/l, ng/ml, umol/l with the molar mass) ---
cat >"$tmp/obs.csv" <<'CSV'
dataset,time,time_unit,value,value_unit,dimension,error,error_type,mol_weight_g_per_mol
T - iv,0.5,h,0.04,mg/l,Concentration (mass),,,325.77
T - iv,1,h,30,ng/ml,Concentration (mass),,,325.77
T - iv,2,h,0.02,mg/l,Concentration (mass),,,325.77
T - iv,240,min,0.01,mg/l,Concentration (mass),,,325.77
T - po,1,h,0.05,mg/l,Concentration (mass),,,325.77
T - po,3,h,0.0921,µmol/l,Concentration (molar),,,325.77
T - urine,1,h,0.1,,Fraction,,,325.77
H - iv,0.5,h,0.04,mg/l,Concentration (mass),,,325.77
H - iv,2,h,0.02,mg/l,Concentration (mass),,,325.77
CSV
cat >"$tmp/meta.csv" <<'CSV'
dataset,properties_json
T - iv,"{""Study Id"": ""T"", ""Molecule"": ""Midazolam"", ""Route"": ""IV"", ""Dose"": ""1 mg"", ""Times of Administration [h]"": 0.0, ""Compartment"": ""Plasma""}"
T - po,"{""Study Id"": ""T"", ""Molecule"": ""Midazolam"", ""Route"": ""PO"", ""Dose"": ""0.05 mg/kg"", ""Times of Administration [h]"": 0.0, ""Compartment"": ""Plasma""}"
T - urine,"{""Study Id"": ""T"", ""Molecule"": ""Midazolam"", ""Route"": ""IV"", ""Dose"": ""1 mg"", ""Times of Administration [h]"": 0.0, ""Compartment"": ""Urine""}"
H - iv,"{""Study Id"": ""Hohmann 2015"", ""Molecule"": ""Midazolam"", ""Route"": ""IV"", ""Dose"": ""1 mg"", ""Times of Administration [h]"": 0.0, ""Compartment"": ""Plasma""}"
CSV
"$MEDTWIN" validate --observed "$tmp/obs.csv" --meta "$tmp/meta.csv" --out "$tmp/v" \
    >"$tmp/out" 2>"$tmp/err"
check $? "validate runs on a small dataset pair"
grep -q "^validate: 3 predicted (1 of training studies), 1 not predicted; held out: AUC GMFE .* (n 2)" "$tmp/out"; check $? "summary line (a study of the card's training data is reported, not counted)"
grep -q "H - iv \*training\*" "$tmp/v/report.md"; check $? "the training study is marked in the report"
for f in report.md results.csv auc.png cmax.png profiles/001.png; do
    [ -s "$tmp/v/$f" ] || { echo "missing $f"; false; }
done; check $? "report, results and plots written"
python3 - "$tmp/v/results.csv" <<'PY'
import csv, sys
rows = {r["dataset"]: r for r in csv.DictReader(open(sys.argv[1]))}
iv, po, ur = rows["T - iv"], rows["T - po"], rows["T - urine"]
# by hand: (0.5,0.04) (1,0.03) (2,0.02) (4,0.01): 0.5*0.035 + 1*0.025 + 2*0.015 = 0.0725
assert iv["status"] == "predicted", iv
assert abs(float(iv["auc_obs_mg_h_l"]) - 0.0725) < 1e-9, iv["auc_obs_mg_h_l"]
assert iv["n_obs"] == "4" and float(iv["t_last_h"]) == 4.0
auc_p, fold = float(iv["auc_pred_mg_h_l"]), float(iv["auc_fold"])
assert auc_p > 0 and abs(fold - auc_p / 0.0725) < 1e-5 * fold, (auc_p, fold)
assert iv["cmax_obs_mg_l"] == ""  # Cmax is for oral doses
# the po row: 0.05 mg/kg x 73 kg (the reference person) = 3.65 mg; umol/l x 325.77 g/mol;
# by hand: (0,0) (1,0.05) (3,0.0921*0.32577): 0.5*0.05 + 2*(0.05 + 0.030003417)/2
assert po["status"] == "predicted", po
assert abs(float(po["dose_mg"]) - 3.65) < 1e-9, po["dose_mg"]
assert abs(float(po["auc_obs_mg_h_l"]) - 0.105003417) < 1e-6, po["auc_obs_mg_h_l"]  # 6 digits
assert abs(float(po["cmax_obs_mg_l"]) - 0.05) < 1e-12, po["cmax_obs_mg_l"]
cp, cf = float(po["cmax_pred_mg_l"]), float(po["cmax_fold"])
assert cp > 0 and abs(cf - cp / 0.05) < 1e-5 * cf, (cp, cf)
assert float(po["cmax_pred_continuous_mg_l"]) >= cp * (1 - 1e-9), po
assert ur["status"] == "not predicted" and "Fraction" in ur["reason"], ur
print("iv: AUC obs 0.0725 (by hand), pred %.4g, fold %.3g; po and urine rows listed" % (auc_p, fold))
PY
check $? "AUC by hand, fold, per-kg dose, reasons"
grep -q "Fraction" "$tmp/v/report.md" && grep -q "R1" "$tmp/v/report.md"
check $? "report lists the not-predicted rows with reasons"

# --- the predicted side is the twin sampled at the observed times: compare with predict ---
"$MEDTWIN" predict --patient "$MT_SOURCE_DIR/data/validation/reference_adult_male.json" \
    --regimen "midazolam 1 mg iv once" --until 4h --steps 8 --out "$tmp/p.json" 2>/dev/null
python3 - "$tmp/p.json" "$tmp/v/results.csv" <<'PY'
import csv, json, sys
d = json.load(open(sys.argv[1]))["drugs"][0]
c = dict(zip(d["time_h"], d["conc_mg_per_l"]))
auc = 0.5 * (c[0.5] + c[1.0]) / 2 + 1 * (c[1.0] + c[2.0]) / 2 + 2 * (c[2.0] + c[4.0]) / 2
got = float([r for r in csv.DictReader(open(sys.argv[2])) if r["dataset"] == "T - iv"][0]["auc_pred_mg_h_l"])
assert abs(got - auc) < 1e-4 * auc, (got, auc)
print("predicted AUC = trapezoids of medtwin predict at the same times: %.6g vs %.6g" % (got, auc))
PY
check $? "predicted AUC from the twin at the observed times"

# --- a few rows of the shared data ---
S="$MT_SHARED/data/clinical"
if [ -f "$S/midazolam_validation_set.csv" ] && [ -f "$S/ddi_validation_shared.csv" ]; then
    { head -1 "$S/midazolam_validation_set.csv"; grep -E "^(Hohmann 2015 - iv 1 mg|Smith 1981|Olkkola 1993)" "$S/midazolam_validation_set.csv"; } >"$tmp/set.csv"
    "$MEDTWIN" validate --observed "$S/osp_Midazolam_observed.csv" --meta "$S/osp_Midazolam_observed_meta.csv" \
        --set "$tmp/set.csv" --out "$tmp/m" --quiet >"$tmp/out" 2>"$tmp/err"
    check $? "midazolam set (5 rows) runs"
    python3 - "$tmp/m/results.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == 5, len(rows)
for r in rows:
    assert r["status"] in ("predicted", "not predicted")
    assert r["status"] == "predicted" or r["reason"], r
    if r["status"] == "predicted":
        assert 0.2 < float(r["auc_fold"]) < 5, r
print("; ".join("%s: %s" % (r["dataset"][:24], r["auc_fold"] or "not predicted") for r in rows))
PY
    check $? "every dataset predicted or listed with a reason"
    head -8 "$S/ddi_validation_shared.csv" >"$tmp/ddi.csv"
    "$MEDTWIN" validate --ddi "$tmp/ddi.csv" --out "$tmp/d" --quiet >"$tmp/out" 2>"$tmp/err"
    check $? "ddi (7 rows) runs"
    python3 - "$tmp/d/results.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == 7, len(rows)
for r in rows:
    assert r["status"] == "predicted" or r["reason"], r
print("ddi: %d predicted" % sum(r["status"] == "predicted" for r in rows))
PY
    check $? "every study arm predicted or listed with a reason"
    [ -s "$tmp/d/guest_aucr.png" ] && [ -s "$tmp/d/report.md" ]; check $? "ddi report and Guest plot"
else
    echo "skip: shared clinical data not found ($S)"
fi

# --- an interaction study with IV doses (the cards give complete IV twins): the predicted AUC
# ratio must be the ratio of the victim's AUC from its dose on in two `medtwin predict` runs ---
cat >"$tmp/ddi_iv.csv" <<'CSV'
study_id,victim,victim_dose_mg,victim_route,victim_time_h,perpetrator,perp_dose_mg,perp_route,perp_interval_h,perp_n_doses,observed_aucr,observed_cmaxr,auc_t0_h,auc_t1_h,compartment,qc_flags,source_file_row,dose_correction_factor
Synthetic,Midazolam,1,iv,24,Itraconazole,200,iv,24,2,3,,24,inf,Plasma,,S1,
Synthetic,Midazolam,1,iv,24,R_warfarin,10,iv,,1,1,,24,inf,Plasma,,S2,
Synthetic,Midazolam,1,iv,24,Itraconazole,200,iv,24,2,0.5,,24,inf,Urine,aucr_is_inverse_CLR,S3,
Synthetic,Midazolam,1,iv,24,Itraconazole,200,iv,24,2,6,,24,inf,Plasma,dose_corrected_ratio,S4,2
Synthetic,Midazolam,1,iv,24,Itraconazole,200,iv,24,2,6,,24,inf,Plasma,dose_corrected_ratio,S5,-2
Synthetic,Digoxin,0.5,iv,24,Itraconazole,200,iv,24,2,2,,24,72,Urine,aucr_is_inverse_CLR,S6,
CSV
"$MEDTWIN" validate --ddi "$tmp/ddi_iv.csv" --out "$tmp/di" --quiet >"$tmp/out" 2>"$tmp/err"
check $? "ddi with IV doses runs"
grep -q "^validate: 2 predicted (0 of training studies), 4 not predicted" "$tmp/out"; check $? "ddi summary line"
R="$MT_SOURCE_DIR/data/validation/reference_adult_male.json"
"$MEDTWIN" predict --patient "$R" --regimen "midazolam 1 mg iv once at 24 h" --until 200h \
    --steps 40000 --out "$tmp/alone.json" 2>/dev/null &&
"$MEDTWIN" predict --patient "$R" --regimen "midazolam 1 mg iv once at 24 h" \
    --regimen "itraconazole 200 mg iv q24h x 2 doses" --until 200h --steps 40000 \
    --out "$tmp/both.json" 2>/dev/null &&
"$MEDTWIN" predict --patient "$R" --regimen "digoxin 0.5 mg iv once at 24 h" --until 72h \
    --steps 14400 --out "$tmp/dig_alone.json" 2>/dev/null &&
"$MEDTWIN" predict --patient "$R" --regimen "digoxin 0.5 mg iv once at 24 h" \
    --regimen "itraconazole 200 mg iv q24h x 2 doses" --until 72h --steps 14400 \
    --out "$tmp/dig_both.json" 2>/dev/null
# trapezoids of a predicted curve from the victim's dose on (the grid point at the dose already
# holds the bolus, so the interval before it is not part of this dose's area); the curve is below
# 1e-10 mg/L at 200 h, so this is the AUC to infinity
cat >"$tmp/aucfrom.py" <<'PY'
import json
def auc_from(path, t0):
    d = json.load(open(path))["drugs"][0]
    t, c = d["time_h"], d["conc_mg_per_l"]
    return sum((t[i + 1] - t[i]) * (c[i] + c[i + 1]) / 2 for i in range(len(t) - 1) if t[i] >= t0)
PY
PYTHONPATH="$tmp" python3 - "$tmp/alone.json" "$tmp/both.json" "$tmp/di/results.csv" \
    "$tmp/dig_alone.json" "$tmp/dig_both.json" <<'PY'
import csv, json, sys
from aucfrom import auc_from
ratio = auc_from(sys.argv[2], 24) / auc_from(sys.argv[1], 24)
rows = {r["source_file_row"]: r for r in csv.DictReader(open(sys.argv[3]))}
got = float(rows["S1"]["aucr_pred"])
assert ratio > 1.2 and abs(got - ratio) < 1e-3 * ratio, (got, ratio)
# Guest: R = 3 -> limit (1 + 2*2)/3 = 5/3, accepted range [1.8, 5]
assert rows["S1"]["aucr_guest"] == ("yes" if 1.8 <= got <= 5 else "no"), rows["S1"]
assert rows["S2"]["status"] == "not predicted" and "no interaction" in rows["S2"]["reason"]
assert rows["S3"]["status"] == "not predicted" and "aucr_is_inverse_CLR" in rows["S3"]["reason"]
assert "integrates no urine amount" in rows["S3"]["reason"], rows["S3"]
# a urine row of a drug whose twin integrates its urine (digoxin's P-gp): compared as the renal
# clearance alone / with the perpetrator, each the urine collected over [24, 72] h / the plasma
# AUC over it, from two predict runs; not counted in the plasma figures
def clr(path):
    d = json.load(open(path))["drugs"][0]
    t, c, u = d["time_h"], d["conc_mg_per_l"], d["urine_mg"]
    auc = sum((t[i + 1] - t[i]) * (c[i] + c[i + 1]) / 2 for i in range(len(t) - 1) if t[i] >= 24)
    return (u[-1] - u[t.index(24.0)]) / auc
s6, want = rows["S6"], clr(sys.argv[4]) / clr(sys.argv[5])
assert s6["status"] == "compared (urine)" and abs(float(s6["aucr_pred"]) - want) < 2e-3 * want, (s6, want)
assert want > 1.01, want  # itraconazole inhibits digoxin's renal P-gp
# a dose-corrected ratio (factor 2: the control arm had 0.5 mg) is compared as reported: 6 / 2
s4 = rows["S4"]
assert float(s4["aucr_obs"]) == 3 and float(s4["aucr_pred"]) == got, s4
assert "control 0.5 mg; observed ratio 6 / dose correction factor 2" in s4["victim_regimen"], s4
s5 = rows["S5"]
assert s5["status"] == "not predicted" and "dose_correction_factor '-2' is not a positive number" in s5["reason"], s5
print("midazolam + itraconazole iv: AUC ratio %.4g (predict runs: %.4g)" % (got, ratio))
PY
check $? "ddi AUC ratio = ratio of two predict runs; Guest; reasons; a dose-corrected ratio / its factor; a urine row as the renal clearance ratio of two predict runs"

# --- a racemic perpetrator whose card only links its enantiomers (verapamil): the dose is split
# equally between the enantiomer cards, i.e. the same as giving each half in `medtwin predict` ---
cat >"$tmp/ddi_rac.csv" <<'CSV'
study_id,victim,victim_dose_mg,victim_route,victim_time_h,perpetrator,perp_dose_mg,perp_route,perp_interval_h,perp_n_doses,observed_aucr,observed_cmaxr,auc_t0_h,auc_t1_h,compartment,qc_flags,source_file_row
Synthetic,Midazolam,1,iv,24,Verapamil,80,iv,8,4,2,,24,inf,Plasma,,V1
Synthetic,Tizanidine,4,iv,24,Verapamil,80,iv,8,4,1,,24,inf,Plasma,,V2
CSV
"$MEDTWIN" validate --ddi "$tmp/ddi_rac.csv" --out "$tmp/dr" --quiet >"$tmp/out" 2>"$tmp/err"
check $? "ddi with a racemic perpetrator runs"
"$MEDTWIN" predict --patient "$R" --regimen "midazolam 1 mg iv once at 24 h" \
    --regimen "s_verapamil 40 mg iv q8h x 4 doses" --regimen "r_verapamil 40 mg iv q8h x 4 doses" \
    --until 200h --steps 40000 --out "$tmp/rac.json" 2>/dev/null
PYTHONPATH="$tmp" python3 - "$tmp/alone.json" "$tmp/rac.json" "$tmp/dr/results.csv" <<'PY'
import csv, sys
from aucfrom import auc_from
ratio = auc_from(sys.argv[2], 24) / auc_from(sys.argv[1], 24)
rows = {r["source_file_row"]: r for r in csv.DictReader(open(sys.argv[3]))}
row = rows["V1"]
assert row["status"] == "predicted", row
# no interaction of either enantiomer on tizanidine's enzymes: the reason names their cards
v2 = rows["V2"]
assert v2["status"] == "not predicted" and "no interaction of verapamil" in v2["reason"], v2
assert "interaction.s_verapamil." in v2["reason"] and "interaction.r_verapamil." in v2["reason"], v2
got = float(row["aucr_pred"])
assert ratio > 1.05 and abs(got - ratio) < 1e-3 * ratio, (got, ratio)
print("midazolam + verapamil (split into s- and r-verapamil): AUC ratio %.4g (predict: %.4g)" % (got, ratio))
PY
check $? "racemic perpetrator = its enantiomers with half the dose each"

# --- bad input: one line on stderr naming the problem, status 1..127 ---
expect_error() { # name, fragment, args...
    local name=$1 frag=$2; shift 2
    "$MEDTWIN" validate --quiet "$@" >"$tmp/out" 2>"$tmp/err"; local rc=$?
    if [ $rc -ne 0 ] && [ $rc -lt 128 ] && grep -q -- "$frag" "$tmp/err" && [ "$(wc -l <"$tmp/err")" -eq 1 ]; then
        echo "ok $name"
    else
        echo "FAIL $name (rc $rc): $(cat "$tmp/err")"; fail=1
    fi
}
printf 'dataset,time,value\n"T - iv,1,2\n' >"$tmp/bad_quote.csv"
printf 'dataset,time,value\nT - iv,1\n' >"$tmp/bad_cells.csv"
printf 'dataset,t,value\nT - iv,1,2\n' >"$tmp/no_time.csv"
printf 'dataset,time,value\nT - iv,soon,2\n' >"$tmp/bad_time.csv"
printf 'dataset\nNo such dataset\n' >"$tmp/set_unknown.csv"
printf 'study_id,victim\nX,Midazolam\n' >"$tmp/ddi_cols.csv"
expect_error "missing observed file" "nosuch.csv" --observed "$tmp/nosuch.csv" --meta "$tmp/meta.csv"
expect_error "missing meta file" "nometa.csv" --observed "$tmp/obs.csv" --meta "$tmp/nometa.csv"
expect_error "malformed CSV (quote)" "bad_quote.csv" --observed "$tmp/bad_quote.csv" --meta "$tmp/meta.csv"
expect_error "malformed CSV (cells)" "bad_cells.csv" --observed "$tmp/bad_cells.csv" --meta "$tmp/meta.csv"
expect_error "missing column" "no column 'time'" --observed "$tmp/no_time.csv" --meta "$tmp/meta.csv"
expect_error "not a number" "'soon' is not a number" --observed "$tmp/bad_time.csv" --meta "$tmp/meta.csv"
expect_error "unknown dataset in --set" "No such dataset" --observed "$tmp/obs.csv" --meta "$tmp/meta.csv" --set "$tmp/set_unknown.csv"
expect_error "ddi missing column" "no column 'victim_dose_mg'" --ddi "$tmp/ddi_cols.csv"
expect_error "missing ddi file" "nosuch_ddi.csv" --ddi "$tmp/nosuch_ddi.csv"
expect_error "unknown option" "unknown option" --frobnicate 1
expect_error "nothing to do" "nothing to validate"
expect_error "meta without observed" "need --observed" --meta "$tmp/meta.csv"
expect_error "missing patient" "nobody.json" --ddi "$tmp/ddi_cols.csv" --patient "$tmp/nobody.json"

# --- an unknown drug is a row the twin cannot build: listed, not a crash ---
sed 's/Midazolam/Nosuchdrug/' "$tmp/meta.csv" >"$tmp/meta_unknown.csv"
"$MEDTWIN" validate --observed "$tmp/obs.csv" --meta "$tmp/meta_unknown.csv" --out "$tmp/u" --quiet >"$tmp/out" 2>"$tmp/err"
rc=$?; [ $rc -eq 0 ] && grep -q "0 predicted (0 of training studies), 4 not predicted" "$tmp/out" && grep -q "unknown drug 'nosuchdrug'" "$tmp/u/results.csv"
check $? "unknown drug: listed as not predicted with the reason"
exit $fail
