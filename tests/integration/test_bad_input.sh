#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The CLI's bad-input contract. For every case below, `medtwin` must
#   - exit with a non-zero status below 128 (an error, not a signal),
#   - print exactly ONE line on stderr, starting "medtwin: " and naming what is wrong (each case
#     gives a word the line must contain),
#   - leave no file behind: it runs in an empty folder, which must still be empty afterwards
#     (no CSV, no plot, no temporary file), and a requested --out/--plot path must not exist.
# Run by ctest with $MEDTWIN (the CLI) and $MT_SOURCE_DIR (the repository root). Test models are
# written inline into a temporary folder. Prints each case's name with ok/FAIL; exits 1 if any
# failed.
set -u
: "${MEDTWIN:?MEDTWIN must name the medtwin executable}"
[ -x "$MEDTWIN" ] || { echo "FAIL: MEDTWIN=$MEDTWIN is not an executable file" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
models=$tmp/models
run=$tmp/run
mkdir -p "$models" "$run"
n_ok=0
n_fail=0

# ---------- inline models ----------
sbml_head='<?xml version="1.0" encoding="UTF-8"?>
<sbml xmlns="http://www.sbml.org/sbml/level3/version2/core" level="3" version="2">'
math='<math xmlns="http://www.w3.org/1998/Math/MathML">'

# A valid model: S1 -> S2 at rate k1*S1, parameter k1, rule-defined parameter r.
cat >"$models/good.xml" <<EOF
$sbml_head
  <model id="good">
    <listOfCompartments><compartment id="c" size="1" constant="true"/></listOfCompartments>
    <listOfSpecies>
      <species id="S1" compartment="c" initialAmount="1" hasOnlySubstanceUnits="false"
               boundaryCondition="false" constant="false"/>
      <species id="S2" compartment="c" initialAmount="0" hasOnlySubstanceUnits="false"
               boundaryCondition="false" constant="false"/>
    </listOfSpecies>
    <listOfParameters>
      <parameter id="k1" value="0.5" constant="true"/>
      <parameter id="r" constant="false"/>
    </listOfParameters>
    <listOfRules>
      <assignmentRule variable="r">$math<apply><times/><cn>2</cn><ci>k1</ci></apply></math></assignmentRule>
    </listOfRules>
    <listOfReactions>
      <reaction id="R1" reversible="false">
        <listOfReactants><speciesReference species="S1" stoichiometry="1" constant="true"/></listOfReactants>
        <listOfProducts><speciesReference species="S2" stoichiometry="1" constant="true"/></listOfProducts>
        <kineticLaw>$math<apply><times/><ci>k1</ci><ci>S1</ci></apply></math></kineticLaw>
      </reaction>
    </listOfReactions>
  </model>
</sbml>
EOF

: >"$models/empty.xml"
printf 'this is not XML {"at": "all"}\n' >"$models/not-xml.xml"
cat >"$models/not-sbml.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<html><body><p>a web page, not a model</p></body></html>
EOF
cat >"$models/unknown-species.xml" <<EOF
$sbml_head
  <model id="bad">
    <listOfCompartments><compartment id="c" size="1" constant="true"/></listOfCompartments>
    <listOfSpecies>
      <species id="S1" compartment="c" initialAmount="1" hasOnlySubstanceUnits="false"
               boundaryCondition="false" constant="false"/>
    </listOfSpecies>
    <listOfReactions>
      <reaction id="R1" reversible="false">
        <listOfReactants><speciesReference species="NoSuchSpecies" stoichiometry="1" constant="true"/></listOfReactants>
        <kineticLaw>$math<ci>S1</ci></math></kineticLaw>
      </reaction>
    </listOfReactions>
  </model>
</sbml>
EOF
cat >"$models/algebraic.xml" <<EOF
$sbml_head
  <model id="alg">
    <listOfParameters><parameter id="x" value="1" constant="false"/><parameter id="y" value="1" constant="false"/></listOfParameters>
    <listOfRules>
      <algebraicRule>$math<apply><minus/><apply><plus/><apply><exp/><ci>x</ci></apply><apply><times/><ci>y</ci><ci>y</ci></apply></apply><cn>2</cn></apply></math></algebraicRule>
      <algebraicRule>$math<apply><minus/><apply><plus/><apply><times/><ci>x</ci><ci>x</ci></apply><apply><exp/><ci>y</ci></apply></apply><cn>5</cn></apply></math></algebraicRule>
    </listOfRules>
  </model>
</sbml>
EOF
head -c 300 "$models/good.xml" >"$models/truncated.xml"

# An SBML Test Suite style case folder for sbml-test-case: 00001 (L3V2 only).
cases=$tmp/cases
mkdir -p "$cases/00001"
cp "$models/good.xml" "$cases/00001/00001-sbml-l3v2.xml"
cat >"$cases/00001/00001-settings.txt" <<'EOF'
start: 0
duration: 1
steps: 4
variables: S1, S2
absolute: 1e-10
relative: 1e-6
amount: S1, S2
concentration:
EOF

# ---------- the check ----------
# case NAME WORD [ARGS...]: runs medtwin ARGS in an empty folder; WORD must appear (fixed string,
# case-insensitive) in the one stderr line. An --out/--plot path named in ARGS must not exist
# afterwards.
case_() {
    local name=$1 word=$2 rc lines why=""
    shift 2
    rm -rf "$run" && mkdir -p "$run"
    (cd "$run" && "$MEDTWIN" "$@" >"$tmp/stdout" 2>"$tmp/stderr")
    rc=$?
    lines=$(wc -l <"$tmp/stderr")
    if [ "$rc" -eq 0 ]; then
        why="exited 0"
    elif [ "$rc" -ge 128 ]; then
        why="died from a signal (exit $rc)"
    elif [ "$lines" -ne 1 ] || [ "$(tail -c 1 "$tmp/stderr" | od -An -c | tr -d ' ')" != '\n' ]; then
        why="stderr has $lines line(s), not exactly one"
    elif ! head -n 1 "$tmp/stderr" | grep -q '^medtwin: '; then
        why="the message does not start with 'medtwin: '"
    elif ! grep -qiF -- "$word" "$tmp/stderr"; then
        why="the message does not mention '$word'"
    elif [ -n "$(ls -A "$run")" ]; then
        why="left files behind: $(ls -A "$run" | tr '\n' ' ')"
    fi
    local prev=""
    for a in "$@"; do
        if { [ "$prev" = "--out" ] || [ "$prev" = "--plot" ]; } && [ -e "$a" ] && [ -z "$why" ]; then
            why="left $prev file '$a' behind"
        fi
        prev=$a
    done
    if [ -z "$why" ]; then
        n_ok=$((n_ok + 1))
        printf 'ok   %s\n' "$name"
    else
        n_fail=$((n_fail + 1))
        printf 'FAIL %s: %s\n     medtwin %s\n     stderr: %s\n' "$name" "$why" "$*" \
            "$(head -c 400 "$tmp/stderr" | tr '\n' '|')"
    fi
}

good=$models/good.xml

# a sanity check that the good model runs, so that the cases below fail for their own reason
if ! (cd "$tmp" && "$MEDTWIN" simulate "$good" --end 1 --steps 2 >/dev/null 2>"$tmp/stderr"); then
    echo "FAIL good model: medtwin simulate fails on the valid model: $(head -c 300 "$tmp/stderr")"
    exit 1
fi

# model files
case_ "missing model file" "no-such-model.xml" simulate "$models/no-such-model.xml" --end 1
case_ "directory as model" "$models" simulate "$models" --end 1
case_ "empty file" "empty.xml" simulate "$models/empty.xml" --end 1
case_ "not XML" "not-xml.xml" simulate "$models/not-xml.xml" --end 1
case_ "truncated XML" "truncated.xml" simulate "$models/truncated.xml" --end 1
case_ "XML that is not SBML" "not-sbml.xml" simulate "$models/not-sbml.xml" --end 1
case_ "reaction with an unknown species" "NoSuchSpecies" \
    simulate "$models/unknown-species.xml" --end 1
case_ "coupled nonlinear algebraic rules (unsupported)" "coupled to other algebraic rules" \
    simulate "$models/algebraic.xml" --end 1
case_ "no model given" "model" simulate --end 1
case_ "two models given" "model" simulate "$good" "$good" --end 1

# --vars / --set
case_ "--vars unknown id" "nosuch" simulate "$good" --end 1 --vars S1,nosuch
case_ "--set unknown id" "nosuch" simulate "$good" --end 1 --set nosuch=1
case_ "--set rule-defined id" "r" simulate "$good" --end 1 --set r=1
case_ "--set without '='" "k1" simulate "$good" --end 1 --set k1
case_ "--set without value" "k1" simulate "$good" --end 1 --set k1=
case_ "--set value not a number" "abc" simulate "$good" --end 1 --set k1=abc
case_ "--set without id" "=3" simulate "$good" --end 1 --set =3

# numbers
for opt in --end --start --steps --rtol --atol; do
    for bad in abc 1e999 nan ''; do
        if [ "$opt" = --end ]; then
            case_ "$opt '$bad'" "$opt" simulate "$good" --end "$bad"
        else
            case_ "$opt '$bad'" "$opt" simulate "$good" --end 1 "$opt" "$bad"
        fi
    done
done
case_ "--steps 0" "--steps" simulate "$good" --end 1 --steps 0
case_ "--steps negative" "--steps" simulate "$good" --end 1 --steps -3
case_ "--steps fractional" "--steps" simulate "$good" --end 1 --steps 2.5
case_ "--rtol negative" "--rtol" simulate "$good" --end 1 --rtol -1e-6
case_ "--atol zero" "--atol" simulate "$good" --end 1 --atol 0
case_ "--end before --start" "--start" simulate "$good" --start 5 --end 1
case_ "--end equal to --start" "--start" simulate "$good" --start 1 --end 1
case_ "--end missing" "--end" simulate "$good"
case_ "--end without a value" "--end" simulate "$good" --end
case_ "--method unknown" "--method" simulate "$good" --end 1 --method rk4

# options and commands
case_ "unknown option" "--frobnicate" simulate "$good" --end 1 --frobnicate 3
case_ "unknown command" "frobnicate" frobnicate "$good"

# outputs
case_ "--out into a missing directory" "no-such-dir" \
    simulate "$good" --end 1 --out "$tmp/no-such-dir/out.csv"
case_ "--plot with a bad extension" "gif" \
    simulate "$good" --end 1 --out "$run/out.csv" --plot "$run/plot.gif"
case_ "--plot without an extension" "plot" \
    simulate "$good" --end 1 --out "$run/out.csv" --plot "$run/plot"
case_ "--plot into a missing directory" "no-such-dir" \
    simulate "$good" --end 1 --out "$run/out.csv" --plot "$tmp/no-such-dir/plot.png"

# sbml-test-case CASES_DIR CASE_ID OUT_DIR LEVEL VERSION
out=$tmp/stc-out
mkdir -p "$out"
case_ "sbml-test-case without arguments" "sbml-test-case" sbml-test-case
case_ "sbml-test-case with 4 arguments" "sbml-test-case" sbml-test-case "$cases" 00001 "$out" 3
case_ "sbml-test-case with 6 arguments" "sbml-test-case" \
    sbml-test-case "$cases" 00001 "$out" 3 2 extra
case_ "sbml-test-case missing case dir" "99999" sbml-test-case "$cases" 99999 "$out" 3 2
case_ "sbml-test-case missing cases dir" "no-such-cases" \
    sbml-test-case "$tmp/no-such-cases" 00001 "$out" 3 2
case_ "sbml-test-case level 9" "9" sbml-test-case "$cases" 00001 "$out" 9 2
case_ "sbml-test-case level 0" "0" sbml-test-case "$cases" 00001 "$out" 0 2
case_ "sbml-test-case level not a number" "x" sbml-test-case "$cases" 00001 "$out" x 2
case_ "sbml-test-case version not a number" "v2" sbml-test-case "$cases" 00001 "$out" 3 v2
case_ "sbml-test-case level with no model file" "l2v4" sbml-test-case "$cases" 00001 "$out" 2 4
case_ "sbml-test-case case id with a slash" "case id" sbml-test-case "$cases" ../00001 "$out" 3 2
case_ "sbml-test-case OUT_DIR missing" "no-such-out" \
    sbml-test-case "$cases" 00001 "$tmp/no-such-out" 3 2
if [ -n "$(ls -A "$out")" ]; then
    n_fail=$((n_fail + 1))
    echo "FAIL sbml-test-case left files in OUT_DIR: $(ls -A "$out" | tr '\n' ' ')"
fi

echo "test_bad_input: $n_ok ok, $n_fail failed"
[ "$n_fail" -eq 0 ]
