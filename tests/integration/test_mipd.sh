#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Issue #5: Bayesian MAP on population-PK twins and dose finding through the CLI.
#  - `medtwin fit --drug vancomycin`: levels simulated here from known individual parameters
#    (closed form of the 2-compartment infusion model, computed in python, not by medtwin) move
#    the MAP estimate of CL from the typical value towards the truth; the posterior's 90%
#    interval is narrower than the prior's; the SIR check runs; JSON and plot are written.
#  - the same twin from a profile (JSON) and from its FHIR bundle gives the same posterior
#    (examples/patients/bernd: warfarin with INR measurements; CYP2C9 and VKORC1 from the profile).
#  - `medtwin dose`: the recommended regimen's predicted AUC24 lies in the target; with the
#    typical twin the exact dose reproduces the middle of the target when simulated again;
#    the recommended warfarin dose falls with CYP2C9 and VKORC1 variant alleles.
#  - bad input: unknown drug, an INR level for a card without INR, a non-positive level, a level
#    before the first dose, a bad target, an impossible covariate, a route the card's model does
#    not have, a formulation (PBPK only): clear messages and non-zero exits.
set -u
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export LSAN_OPTIONS="suppressions=$MT_SOURCE_DIR/tests/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
fail=0
check() { if [ "$1" = 0 ]; then echo "ok $2"; else echo "FAIL $2"; fail=1; fi; }
P="$MT_SOURCE_DIR/examples/patients"

# levels from known parameters: CL 2.0 L/h (typical at CrCl 70 and 80 kg: 3.17), V1 60, Q 2.28, V2 58.6
python3 - "$tmp/levels.csv" <<'PY'
import math, sys
CL, V1, Q, V2 = 2.0, 60.0, 2.28, 58.56
k10, k12, k21 = CL / V1, Q / V1, Q / V2
s = k10 + k12 + k21
a = (s + math.sqrt(s * s - 4 * k10 * k21)) / 2
b = (s - math.sqrt(s * s - 4 * k10 * k21)) / 2
def unit_inf(t, T):  # concentration after a unit-rate infusion of duration T started at 0
    def step(t):     # response to a unit-rate infusion running from 0 to t
        if t <= 0:
            return 0.0
        A = (a - k21) / (V1 * a * (a - b))
        B = (k21 - b) / (V1 * b * (a - b))
        return A * (1 - math.exp(-a * t)) + B * (1 - math.exp(-b * t))
    return step(t) - step(t - T)
def conc(t):
    return sum(1000.0 * unit_inf(t - 12 * k, 1.0) for k in range(4) if t > 12 * k)
with open(sys.argv[1], "w") as f:
    f.write("time_h,conc_mg_l\n")
    for t in (25.0, 35.9):
        f.write(f"{t},{conc(t):.6f}\n")
PY
V="$MEDTWIN fit --drug vancomycin --covariates WT=80,AGE=60,CRCL=70 --regimen"
$V "vancomycin 1 g ivinf over 60 min q12h x 4 doses" --levels "$tmp/levels.csv" \
    --out "$tmp/v.json" --plot "$tmp/v.svg" >"$tmp/v.out" 2>&1
check $? "fit --drug vancomycin"
python3 - "$tmp/v.json" <<'PY'
import json, math, sys
r = json.load(open(sys.argv[1]))
p = r["twin"]["parameters"]["CL"]
assert r["twin"]["status"] == "converged", r["twin"]["message"]
# the levels carry the truth (CL 2.0): the estimate moves from the typical 3.17 towards it
# (two levels against a prior of CV 27%: shrinkage keeps it well short of the truth)
assert abs(math.log(p["map"] / 2.0)) < 0.9 * abs(math.log(p["typical"] / 2.0)), p
# the posterior is narrower than the prior
assert p["se_log"] < p["prior_sd_log"], p
assert r["sir_check"]["effective_sample_size"] > 100
assert len(r["prediction"]["p50"]) == len(r["prediction"]["time_h"]) > 100
lv = r["levels"]
assert len(lv) == 2 and all(abs(math.log(l["map"] / l["observed"])) < 0.3 for l in lv), lv
print(f"vancomycin: CL typical {p['typical']:.3g}, MAP {p['map']:.3g} (truth 2.0), "
      f"se_log {p['se_log']:.3g} < prior {p['prior_sd_log']:.3g}")
PY
check $? "MAP moves towards the truth and narrows the prior"
grep -q "<svg" "$tmp/v.svg"; check $? "fit plot written"

# profile and FHIR: the same posterior
$MEDTWIN fit --drug warfarin --patient "$P/bernd.json" --draws 20 --out "$tmp/b1.json" >/dev/null 2>&1
r1=$?
$MEDTWIN fit --drug warfarin --patient "$P/bernd.fhir.json" --draws 20 --out "$tmp/b2.json" >/dev/null 2>&1
r2=$?
[ $r1 = 0 ] && [ $r2 = 0 ]; check $? "fit --drug warfarin from the profile and from FHIR"
python3 - "$tmp/b1.json" "$tmp/b2.json" <<'PY'
import json, sys
a, b = (json.load(open(f))["twin"] for f in sys.argv[1:3])
assert a["n_levels"] == 3 and a["covariates"]["CYP2C9"] == "*1/*3" and a["covariates"]["VKORC1"] == "GA", a["covariates"]
for k, v in a["parameters"].items():
    assert abs(v["map"] - b["parameters"][k]["map"]) <= 1e-9 * abs(v["map"]), k
print("warfarin (bernd): JSON and FHIR give the same posterior;", len(a["parameters"]), "random effects, 3 INR levels")
PY
check $? "JSON and FHIR give the same posterior"

# dose: vancomycin from the levels
$MEDTWIN dose --drug vancomycin --covariates WT=80,AGE=60,CRCL=70 \
    --regimen "vancomycin 1 g ivinf over 60 min q12h x 4 doses" --levels "$tmp/levels.csv" \
    --target "auc24 400-600" --out "$tmp/d.json" --plot "$tmp/d.svg" >"$tmp/d.out" 2>&1
check $? "dose vancomycin"
python3 - "$tmp/d.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["recommended"]
assert 400 <= r["predicted"]["p50"] <= 600, r
assert r["probability_of_target"] > 0.5, r
assert r["dose_mg"] % 250 == 0, r
print(f"vancomycin: {r['dose_mg']:g} mg q{r['interval_h']:g}h, P(target) {r['probability_of_target']:.2f}, median AUC24 {r['predicted']['p50']:.0f}")
PY
check $? "the recommended regimen's AUC24 is in the target"

# typical twin: the exact dose hits the middle when simulated again as the only candidate
$MEDTWIN dose --drug vancomycin --covariates WT=70,AGE=50,CRCL=90 --target "auc24 400-600" \
    --typical --interval 12h --out "$tmp/t.json" >/dev/null 2>&1
check $? "dose --typical"
exact=$(python3 -c "import json;print(json.load(open('$tmp/t.json'))['recommended']['exact_dose_mg'])")
$MEDTWIN dose --drug vancomycin --covariates WT=70,AGE=50,CRCL=90 --target "auc24 400-600" \
    --typical --interval 12h --doses "$exact" --out "$tmp/t2.json" >/dev/null 2>&1
python3 -c "
import json; r=json.load(open('$tmp/t2.json'))['recommended']
assert abs(r['predicted']['p50'] - 500) < 0.01, r; print('exact dose', r['dose_mg'], 'mg q12h gives AUC24', r['predicted']['p50'])"
check $? "the exact dose gives the middle of the target"

# warfarin: doses fall with variant alleles
prev=1000
for g in "*1/*1 GG" "*1/*3 GA" "*3/*3 AA"; do
    set -- $g
    d=$($MEDTWIN dose --drug warfarin --covariates "AGE=71,CYP2C9=$1,VKORC1=$2" --target "inr 2-3" \
        --typical --out "$tmp/w.json" 2>/dev/null | sed -n 's/^exact dose for INR 2.5: \([0-9.e+-]*\) mg.*/\1/p')
    python3 -c "assert 0 < $d < $prev, ($d, $prev)"; check $? "warfarin $1 $2: $d mg/day (below the previous)"
    prev=$d
done

# bad input
expect_fail() { # rc pattern description -- command...
    local want=$1 pat=$2 what=$3; shift 4
    "$@" >"$tmp/o" 2>"$tmp/e"; local rc=$?
    if [ "$rc" = "$want" ] && grep -q -- "$pat" "$tmp/e"; then echo "ok $what"
    else echo "FAIL $what (rc $rc)"; cat "$tmp/e"; fail=1; fi
}
expect_fail 1 "no population-PK card\|unknown drug\|not found\|no card" "unknown drug" -- \
    $MEDTWIN fit --drug nodrug --covariates WT=70
printf 'time_h,inr\n30,2\n' >"$tmp/inr.csv"
expect_fail 1 "no INR model" "an INR level for vancomycin" -- \
    $V "vancomycin 1 g ivinf over 60 min q12h x 2 doses" --covariates WT=80,AGE=60,CRCL=70 --levels "$tmp/inr.csv"
printf 'time_h,conc_mg_l\n13,-4\n' >"$tmp/neg.csv"
expect_fail 1 "is not a positive number" "a negative level" -- \
    $V "vancomycin 1 g ivinf over 60 min q12h x 2 doses" --levels "$tmp/neg.csv"
printf 'time_h,conc_mg_l\n-5,4\n' >"$tmp/early.csv"
expect_fail 1 "before the first dose" "a level before the first dose" -- \
    $V "vancomycin 1 g ivinf over 60 min q12h x 2 doses" --levels "$tmp/early.csv"
expect_fail 1 "not auc24, trough, peak or inr" "an unknown target" -- \
    $MEDTWIN dose --drug vancomycin --covariates WT=70,AGE=50,CRCL=90 --target "cmax 1-2"
expect_fail 1 "not 0 < LO < HI" "an empty target range" -- \
    $MEDTWIN dose --drug vancomycin --covariates WT=70,AGE=50,CRCL=90 --target "auc24 600-400"
expect_fail 1 "CRCL" "a covariate the card needs is missing" -- \
    $MEDTWIN dose --drug vancomycin --covariates WT=70 --target "auc24 400-600"
expect_fail 1 "is not a number >= 0" "an impossible covariate" -- \
    $MEDTWIN dose --drug vancomycin --covariates WT=-70,CRCL=90 --target "auc24 400-600"
expect_fail 1 "an oral dose, but the vancomycin card's model is intravenous" "a route the model lacks" -- \
    $MEDTWIN fit --drug vancomycin --covariates WT=70,CRCL=90 --regimen "vancomycin 1 g po once"
expect_fail 1 "a formulation ('as capsule') belongs to the PBPK twin" "a formulation the model lacks" -- \
    $MEDTWIN fit --drug vancomycin --covariates WT=70,CRCL=90 --regimen "vancomycin 1 g po q12h x 2 doses as capsule"
exit $fail
