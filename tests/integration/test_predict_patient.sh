#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `medtwin predict --patient`: a twin derived from a profile (JSON and the equivalent FHIR
# bundle) and the drug cards. The JSON and FHIR forms of one person must give the same
# prediction; a card that lacks a value the twin needs is named in the error.
set -u
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export LSAN_OPTIONS="suppressions=$MT_SOURCE_DIR/tests/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
P="$MT_SOURCE_DIR/examples/patients"
fail=0
check() { if [ "$1" = 0 ]; then echo "ok $2"; else echo "FAIL $2"; fail=1; fi; }
"$MEDTWIN" predict --patient "$P/anna.json" --regimen "r_warfarin 5 mg iv once" --until 48h \
    --out "$tmp/json.json" 2>"$tmp/e1"; check $? "predict from the JSON profile"
"$MEDTWIN" predict --patient "$P/anna.fhir.json" --regimen "r_warfarin 5 mg iv once" --until 48h \
    --out "$tmp/fhir.json" 2>"$tmp/e2"; check $? "predict from the FHIR bundle"
python3 - "$tmp/json.json" "$tmp/fhir.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
da, db = a["drugs"][0], b["drugs"][0]
# FHIR carries the same quantities in other units (converted by UCUM), so values agree to
# rounding, not bit for bit
worst = max(abs(x - y) / max(abs(x), 1e-12) for x, y in zip(da["conc_mg_per_l"], db["conc_mg_per_l"]))
assert len(da["conc_mg_per_l"]) == len(db["conc_mg_per_l"]) and worst < 1e-8, worst
assert da["auc_0_inf_mg_h_per_l"] > 0 and da["cmax_mg_per_l"] > 0
ids = {p["id"] for p in a["twin"]["parameters"]}
for need in ("V_liv", "Q_ha", "Kp_liv_r_warfarin", "CL_H_r_warfarin", "CL_R_r_warfarin", "BP_r_warfarin"):
    assert need in ids, need
assert all(p["provenance"] for p in a["twin"]["parameters"])
print("r_warfarin 5 mg iv, anna: AUC0-inf %.4g mg*h/L, same from FHIR" % da["auc_0_inf_mg_h_per_l"])
PY
check $? "JSON and FHIR give the same twin and prediction"
"$MEDTWIN" predict --patient "$P/anna.json" --regimen "simvastatin 20 mg iv once" 2>"$tmp/e3"
rc=$?; [ $rc -ne 0 ] && [ $rc -lt 128 ] && grep -q "drug card 'simvastatin'" "$tmp/e3" &&
    grep -q "physchem.fu_plasma: absent" "$tmp/e3" && grep -q "physchem.blood_plasma_ratio" "$tmp/e3"
check $? "a card gap is named (simvastatin: no fu, no B:P and none can be predicted)"
"$MEDTWIN" predict --patient "$P/anna.json" --regimen "erythromycin 500 mg iv once" --out "$tmp/ery.json" 2>"$tmp/e5"
python3 - "$tmp/ery.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
p = {x["id"]: x for x in r["twin"]["parameters"]}
v_liv, cl_h = p["V_liv"]["value"], p["CL_H_erythromycin"]["provenance"]
# card CLspec 4.1462183378/min x PK-Sim's liver volume (PK-Sim's Undefined Liver, 1 umol/L): the
# twin's V_liv / (1 - fraction vascular 0.17), data/physiology/pksim_fraction_vascular.csv
want = 248.773 * v_liv / (1 - 0.17)
got = float(cl_h.split("elimination.hepatic.1 (unspecific, fitted): CLint_u ")[1].split(" ")[0])
assert abs(got / want - 1) < 1e-4, (got, want)
print("erythromycin, anna: unspecific CLint_u %.4g L/h from the PK-Sim specific clearance" % got)
PY
check $? "an unspecific PK-Sim specific clearance becomes CLspec x V_liv (erythromycin)"
"$MEDTWIN" predict --patient "$P/anna.json" --regimen "midazolam 2 mg iv once" --out "$tmp/mdz.json" 2>"$tmp/e4"
python3 - "$tmp/mdz.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
p = {x["id"]: x for x in r["twin"]["parameters"]}
bp = p["BP_midazolam"]
assert 0.5 < bp["value"] < 0.8 and "predicted" in bp["provenance"], bp
facts = {f["key"]: f for f in r["twin"]["facts"]}
sb = facts["drug.midazolam.specific_binding"]  # the card binds GABRG2, expressed in the brain
assert sb["text"] == "represented" and "GABRG2" in sb["how"], sb
# data/enzymes: GABRG2 reference concentration 1.04099689 umol/L, brain relative expression 1
# mg; MW of the midazolam card; PK-Sim's brain volume: / (1 - fraction vascular 0.039)
bmax = 1.04099689 * 1.0 * p["V_brain"]["value"] / (1 - 0.039) * 325.78 / 1000
assert abs(p["Bmax_brain_midazolam"]["value"] - bmax) < 1e-3 * bmax, (p["Bmax_brain_midazolam"], bmax)
assert p["Bmax_mus_midazolam"]["value"] == 0 and abs(p["koff_midazolam"]["value"] - 60) < 1e-9
d = r["drugs"][0]
assert d["auc_0_inf_mg_h_per_l"] > 0
print("midazolam 2 mg iv, anna: predicted B:P %.3f, AUC0-inf %.4g mg*h/L" % (bp["value"], d["auc_0_inf_mg_h_per_l"]))
PY
check $? "midazolam iv: the twin predicts B:P from physicochemistry (the card has none)"
"$MEDTWIN" predict --patient "$P/anna.json" --regimen "digoxin 0.5 mg iv once" --until 7d \
    --steps 168 --out "$tmp/dig.json" 2>"$tmp/e7"
python3 - "$tmp/dig.json" <<'PY'
import json, math, sys
r = json.load(open(sys.argv[1]))
p = {x["id"]: x for x in r["twin"]["parameters"]}
facts = {f["key"]: f for f in r["twin"]["facts"]}
# neutral (its source's literature table: pKa 'none'), so B:P is predicted
assert "predicted" in p["BP_digoxin"]["provenance"], p["BP_digoxin"]
sb = facts["drug.digoxin.specific_binding"]
assert sb["text"] == "represented" and "ATP1A2" in sb["how"], sb
# data/enzymes: ATP1A2 reference concentration 0.39140774 umol/L, muscle relative expression
# 0.7034193524; MW 780.93 g/mol; PK-Sim's muscle volume: / (1 - fraction vascular 0.025)
bmax = 0.39140774 * 0.7034193524 * p["V_mus"]["value"] / (1 - 0.025) * 780.93 / 1000
assert abs(p["Bmax_mus_digoxin"]["value"] - bmax) < 1e-6 * bmax, (p["Bmax_mus_digoxin"], bmax)
d = r["drugs"][0]
t, c = d["time_h"], d["conc_mg_per_l"]
i96, i168 = t.index(96.0), t.index(168.0)
half = (168 - 96) * math.log(2) / math.log(c[i96] / c[i168])
# the slow release from the binding sites (koff 0.059/h) sets a terminal half-life of days;
# without binding the twin's digoxin was gone within a day (Kp of a neutral, logP 1.4)
assert half > 20, half
print("digoxin 0.5 mg iv, anna: terminal half-life %.1f h (96-168 h), bound capacity %.3g mg"
      % (half, sb["value"]))
PY
check $? "digoxin iv: neutral B:P predicted; ATP1A2 binding sets a long terminal half-life"
"$MEDTWIN" predict --patient "$P/anna.json" --regimen "midazolam 2 mg iv once at 24 h" \
    --regimen "itraconazole 200 mg iv q24h x 2 doses" --until 48h --out "$tmp/ddi.json" 2>"$tmp/e6"
python3 - "$tmp/ddi.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
names = [d["name"] for d in r["drugs"]]
assert names[:2] == ["midazolam", "itraconazole"] and "hydroxy_itraconazole" in names, names
w = [x for x in r["warnings"] if x["kind"] == "interaction"]
assert len(w) == 1 and w[0]["drug"] == "midazolam" and w[0]["perpetrator"] == "itraconazole", w
assert w[0]["severity"] == "high" and w[0]["source"] and "CYP3A" in w[0]["message"], w
assert any(e["gene"] == "CYP2C19" and e["effective_phenotype"] == "Poor Metabolizer"
           for e in r["effective_phenotypes"]), r["effective_phenotypes"]
print("midazolam + itraconazole: metabolites %s; warning: %s" % (names[2:], w[0]["message"][:60]))
PY
check $? "interacting regimen: metabolites in drugs[], the interaction warning with its source"
"$MEDTWIN" predict --patient "$P/anna.json" --regimen "r_warfarin 2 mg po once" 2>"$tmp/e5"
rc=$?; [ $rc -ne 0 ] && [ $rc -lt 128 ] && grep -q "absorption.intestinal_permeability" "$tmp/e5"
check $? "r_warfarin po: the missing absorption value is named (no intestinal permeability)"
"$MEDTWIN" predict --patient "$P/anna.json" --regimen "nosuchdrug 2 mg iv once" 2>"$tmp/e4"
rc=$?; [ $rc -ne 0 ] && [ $rc -lt 128 ] && grep -q "unknown drug 'nosuchdrug'" "$tmp/e4"
check $? "unknown drug"
"$MEDTWIN" predict --patient "$tmp/missing.json" --regimen "r_warfarin 5 mg iv once" 2>"$tmp/e5"
rc=$?; [ $rc -ne 0 ] && [ $rc -lt 128 ] && grep -q "missing.json" "$tmp/e5"
check $? "missing patient file"
exit $fail
