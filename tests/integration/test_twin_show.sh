#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `medtwin twin show`: what the twin derives from a profile (examples/patients), as text and
# JSON; the JSON profile and its FHIR bundle show the same twin; phenoconversion (chris, a
# CYP2D6 ultrarapid metabolizer, on codeine with paroxetine) reaches the CPIC rule and says
# so; bad input gives one error line and no crash. Skipped (77) while `twin show` is not yet
# dispatched by `medtwin twin`.
set -u
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export LSAN_OPTIONS="suppressions=$MT_SOURCE_DIR/tests/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
P="$MT_SOURCE_DIR/examples/patients"
fail=0
check() { if [ "$1" = 0 ]; then echo "ok $2"; else echo "FAIL $2"; fail=1; fi; }
# one error line, a usage/error status, no signal
one_error() { [ "$1" -ne 0 ] && [ "$1" -lt 128 ] && [ "$(wc -l <"$2")" -eq 1 ] && grep -q "$3" "$2"; }

"$MEDTWIN" twin show "$P/anna.json" >"$tmp/anna.txt" 2>"$tmp/e0"
rc=$?
if [ $rc -ne 0 ] && grep -q "unknown subcommand 'show'" "$tmp/e0"; then
    echo "skip: medtwin twin does not dispatch 'show' yet"
    exit 77
fi
[ $rc -eq 0 ] && grep -q "CYP2C19  Poor Metabolizer" "$tmp/anna.txt" &&
    grep -q "CKD-EPI 2021" "$tmp/anna.txt" && grep -q "Cockcroft" "$tmp/anna.txt" &&
    grep -q "child_pugh_class" "$tmp/anna.txt" &&
    grep -q "pgx omeprazole: CYP2C19 Poor Metabolizer" "$tmp/anna.txt" &&
    grep -q "source: Lima JJ" "$tmp/anna.txt" &&
    grep -q "omeprazole: no therapeutic range on the card" "$tmp/anna.txt"
check $? "anna: phenotype, renal, hepatic, the CPIC omeprazole rule with its source, no range"

for f in anna.json anna.fhir.json chris.json chris.fhir.json; do
    "$MEDTWIN" twin show "$P/$f" --json >"$tmp/$f.out" 2>"$tmp/$f.err" || echo "rc $? for $f"
done
python3 - "$tmp" <<'PY'
import json, os, sys
d = sys.argv[1]
for name in ("anna", "chris"):
    a, b = (json.load(open(os.path.join(d, n + ".out"))) for n in (name + ".json", name + ".fhir.json"))
    strip = lambda x: [(p["gene"], p["phenotype"], p["effective_phenotype"]) for p in x["phenotypes"]]
    assert strip(a) == strip(b), (strip(a), strip(b))
    assert [(w["kind"], w["drug"], w["message"]) for w in a["warnings"]] == \
           [(w["kind"], w["drug"], w["message"]) for w in b["warnings"]]
    keys = {f["key"] for f in a["facts"]}
    for k in ("renal.egfr_ml_min_1_73", "renal.crcl_cockcroft_gault_ml_min", "hepatic.child_pugh_class",
              "physiology.cardiac_output_l_h"):
        assert k in keys, k
    assert all(w["source"] for w in a["warnings"])
chris = json.load(open(os.path.join(d, "chris.json.out")))
assert chris["phenotypes"][0]["phenotype"] == "Ultrarapid Metabolizer", chris["phenotypes"]
w = [w for w in chris["warnings"] if w["kind"] == "pgx" and w["drug"] == "codeine"]
assert w and "serious toxicity" in w[0]["message"] and "Crews KR" in w[0]["source"], w
print("JSON and FHIR profiles show the same twin; chris (CYP2D6 UM) on codeine gets CPIC's UM rule")
PY
check $? "JSON and FHIR forms agree; CYP2D6 UM codeine rule"

"$MEDTWIN" twin show "$P/chris.json" --regimen "paroxetine 20 mg po q24h" --json >"$tmp/pc.json" 2>"$tmp/e1"
python3 - "$tmp/pc.json" <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))
g = a["phenotypes"][0]
assert g["phenotype"] == "Ultrarapid Metabolizer" and g["effective_phenotype"] == "Poor Metabolizer", g
assert g["phenoconversion_by"] == "paroxetine" and "Cicali" in g["phenoconversion_source"], g
kinds = [w["kind"] for w in a["warnings"]]
assert "phenoconversion" in kinds, kinds
w = [w for w in a["warnings"] if w["kind"] == "pgx" and w["drug"] == "codeine"][0]
assert w["phenotype"] == "Poor Metabolizer" and "phenoconversion" in w["message"], w
assert "diminished analgesia" in w["message"] and w["perpetrator"] == "paroxetine", w
print("chris + paroxetine: effective CYP2D6 PM, codeine rule of the PM, phenoconversion named")
PY
check $? "phenoconversion: paroxetine turns chris's CYP2D6 UM into an effective PM"

"$MEDTWIN" twin show "$P/bernd.json" --regimen "r_warfarin 5 mg iv once" >"$tmp/bernd.txt" 2>"$tmp/e2"
[ $? -eq 0 ] && grep -q "CL_H_r_warfarin" "$tmp/bernd.txt" && grep -q "CYP2C9   Intermediate Metabolizer" "$tmp/bernd.txt" &&
    grep -q "VKORC1" "$tmp/bernd.txt"
check $? "bernd + r_warfarin: the drug's derived parameters with provenance"

# r_warfarin's card absorbs mechanistically but stores no intestinal permeability
"$MEDTWIN" twin show "$P/anna.json" --regimen "r_warfarin 2 mg po once" >"$tmp/mdz.txt" 2>"$tmp/e3"
[ $? -eq 0 ] && grep -q "parameters not derived: drug card 'r_warfarin'" "$tmp/mdz.txt" &&
    grep -q "intestinal_permeability" "$tmp/mdz.txt"
check $? "a card gap is shown, the rest of the report still is"

"$MEDTWIN" twin show "$tmp/missing.json" 2>"$tmp/b1" >/dev/null
one_error $? "$tmp/b1" "missing.json"
check $? "missing patient file: one error line naming it"
"$MEDTWIN" twin show "$P/anna.json" --regimen "nosuchdrug 2 mg iv once" 2>"$tmp/b2" >/dev/null
one_error $? "$tmp/b2" "unknown drug 'nosuchdrug'"
check $? "unknown drug in --regimen"
"$MEDTWIN" twin show "$P/anna.json" --regimen "omeprazole twenty mg po once" 2>"$tmp/b3" >/dev/null
one_error $? "$tmp/b3" "regimen"
check $? "malformed regimen"
"$MEDTWIN" twin show 2>"$tmp/b4" >/dev/null
one_error $? "$tmp/b4" "patient file is required"
check $? "no patient"
"$MEDTWIN" twin show "$P/anna.json" --frobnicate 2>"$tmp/b5" >/dev/null
one_error $? "$tmp/b5" "unknown option '--frobnicate'"
check $? "unknown option"
printf '{"id": "x", "sex": "female", "age_years": 40, "weight_kg": 60, "height_cm": 160, "genotypes": {"CYP2C19": "*2/*99"}}' >"$tmp/bad.json"
"$MEDTWIN" twin show "$tmp/bad.json" 2>"$tmp/b6" >/dev/null
one_error $? "$tmp/b6" "\*99"
check $? "unknown allele named"
"$MEDTWIN" twin show --help | grep -q "usage: medtwin twin show"
check $? "--help"
exit $fail
