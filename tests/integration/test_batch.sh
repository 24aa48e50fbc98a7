#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `medtwin simulate MODEL.xml --params TABLE.csv` (batch, cli/cmd_simulate_batch.c):
#   - pbpk15 (../shared/bench/pbpk15) with the first 3 rows of params.csv: every value of the
#     batch equals (as text, exactly) the one of 3 single `medtwin simulate --set ...` runs, and
#     C_venous of rows 1..3 matches ind0..ind2 of reference_venous_first20.csv to 1e-5 relative
#     (points above 1e-3 x Cmax, as test_predict_pbpk15.sh);
#   - a nonlinear model with an event (the ODE path, solver memory reused between rows): batch
#     equals single runs, also with --method adams; --set applies to every row, before (under)
#     the row's own values; an `id` column names the rows (quoted when it has a comma);
#   - standard output equals --out; --plot writes a PNG; progress lines for long tables and
#     --quiet; --plot is skipped with a note above 1000 rows;
#   - bad tables: one stderr line naming the problem (file:line and column), a non-zero exit,
#     no output or plot file left behind.
# Run by ctest with $MEDTWIN, $MT_SOURCE_DIR and $MT_SHARED (pbpk15 cases are skipped without it).
set -u
: "${MEDTWIN:?MEDTWIN must name the medtwin executable}"
: "${MT_SOURCE_DIR:?MT_SOURCE_DIR must name the repository root}"
[ -x "$MEDTWIN" ] || { echo "FAIL: MEDTWIN=$MEDTWIN is not an executable file" >&2; exit 1; }
command -v python3 >/dev/null || { echo "test_batch: skipped: python3 not found"; exit 77; }
export LSAN_OPTIONS="suppressions=$MT_SOURCE_DIR/tests/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() {
    echo "FAIL: $*" >&2
    fails=$((fails + 1))
}
ok() { echo "ok   $*"; }

# rows_of BATCH ROW: the batch's lines of row ROW (first field) without that field
rows_of() { awk -F, -v r="$2" 'NR > 1 && $1 == r' "$1" | cut -d, -f2-; }

# same NAME BATCH ROW SINGLE: the batch's lines of ROW equal SINGLE's data lines, as text
same() {
    if cmp -s <(rows_of "$2" "$3") <(tail -n +2 "$4"); then
        ok "$1"
    else
        fail "$1: batch row $3 differs from the single run: $(diff <(rows_of "$2" "$3") \
            <(tail -n +2 "$4") | head -n 3 | tr '\n' '|')"
    fi
}

# ---------- pbpk15: 3 rows of the population ----------
B=${MT_SHARED:-$MT_SOURCE_DIR/../shared}/bench/pbpk15
if [ -r "$B/pbpk15.xml" ] && [ -r "$B/params.csv" ] && [ -r "$B/reference_venous_first20.csv" ]; then
    head -n 4 "$B/params.csv" >"$tmp/p3.csv"
    opts=(--end 24 --steps 1440 --vars C_venous,A_liv --rtol 1e-8 --atol 1e-12)
    if "$MEDTWIN" simulate "$B/pbpk15.xml" "${opts[@]}" --params "$tmp/p3.csv" \
        --out "$tmp/pb.csv" 2>"$tmp/err"; then
        head -n 1 "$tmp/pb.csv" | grep -qx 'row,time,C_venous,A_liv' ||
            fail "pbpk15 header '$(head -n 1 "$tmp/pb.csv")', want row,time,C_venous,A_liv"
        [ "$(wc -l <"$tmp/pb.csv")" -eq $((3 * 1441 + 1)) ] ||
            fail "pbpk15: $(wc -l <"$tmp/pb.csv") lines, want $((3 * 1441 + 1))"
        [ -s "$tmp/err" ] && fail "pbpk15: a 3-row batch printed on stderr: $(head -c 200 "$tmp/err")"
        for r in 1 2 3; do
            mapfile -t sets < <(python3 - "$B/params.csv" "$r" <<'EOF'
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
for h, v in zip(rows[0], rows[int(sys.argv[2])]):
    print("--set")
    print("%s=%s" % (h, v))
EOF
)
            if "$MEDTWIN" simulate "$B/pbpk15.xml" "${opts[@]}" "${sets[@]}" \
                --out "$tmp/single$r.csv" 2>"$tmp/err"; then
                same "pbpk15 row $r equals a single run with its 40 --set" "$tmp/pb.csv" "$r" \
                    "$tmp/single$r.csv"
            else
                fail "pbpk15 single run $r: $(head -c 300 "$tmp/err")"
            fi
        done
        if why=$(python3 - "$tmp/pb.csv" "$B/reference_venous_first20.csv" <<'EOF'
import csv, sys
got = list(csv.reader(open(sys.argv[1])))[1:]
ref = list(csv.reader(open(sys.argv[2])))
head, ref = ref[0], ref[1:]
worst = 0.0
for r in (1, 2, 3):
    col = head.index("ind%d" % (r - 1))
    g = [(float(x[1]), float(x[2])) for x in got if x[0] == str(r)]
    e = [(float(x[0]), float(x[col])) for x in ref]
    assert len(g) == len(e) == 1441, (r, len(g), len(e))
    cmax = max(v for _, v in e)
    for (tg, vg), (te, ve) in zip(g, e):
        assert abs(tg - te) <= 1e-12 * max(1.0, te), (r, tg, te)
        if ve > 1e-3 * cmax:
            d = abs(vg - ve) / ve
            worst = max(worst, d)
            if d > 1e-5:
                print("row %d t=%g: C_venous %.10g, reference %.10g" % (r, te, vg, ve))
                sys.exit(1)
print("%.3g" % worst)
EOF
        ); then
            ok "pbpk15 rows 1..3 = reference ind0..ind2 (max relative difference $why)"
        else
            fail "pbpk15 against the reference: $why"
        fi
    else
        fail "pbpk15 batch: $(head -c 300 "$tmp/err")"
    fi
else
    echo "skip pbpk15 cases: $B not found"
fi

# ---------- a small nonlinear model with an event ----------
math='<math xmlns="http://www.w3.org/1998/Math/MathML">'
cat >"$tmp/mm.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<sbml xmlns="http://www.sbml.org/sbml/level3/version2/core" level="3" version="2">
  <model id="mm">
    <listOfCompartments><compartment id="c" size="1" constant="true"/></listOfCompartments>
    <listOfSpecies>
      <species id="S" compartment="c" initialAmount="10" hasOnlySubstanceUnits="false"
               boundaryCondition="false" constant="false"/>
      <species id="P" compartment="c" initialAmount="0" hasOnlySubstanceUnits="false"
               boundaryCondition="false" constant="false"/>
    </listOfSpecies>
    <listOfParameters>
      <parameter id="Vmax" value="2" constant="true"/>
      <parameter id="Km" value="1.5" constant="true"/>
      <parameter id="dose" value="5" constant="true"/>
      <parameter id="d" value="0" constant="true"/>
    </listOfParameters>
    <listOfReactions>
      <reaction id="R" reversible="false">
        <listOfReactants><speciesReference species="S" stoichiometry="1" constant="true"/></listOfReactants>
        <listOfProducts><speciesReference species="P" stoichiometry="1" constant="true"/></listOfProducts>
        <kineticLaw>$math<apply><divide/><apply><times/><ci>Vmax</ci><ci>S</ci></apply>
          <apply><plus/><ci>Km</ci><ci>S</ci></apply></apply></math></kineticLaw>
      </reaction>
    </listOfReactions>
    <listOfEvents>
      <event id="redose" useValuesFromTriggerTime="true">
        <trigger initialValue="false" persistent="true">$math<apply><geq/>
          <csymbol encoding="text" definitionURL="http://www.sbml.org/sbml/symbols/time">t</csymbol>
          <cn>3</cn></apply></math></trigger>
        <delay>$math<ci>d</ci></math></delay>
        <listOfEventAssignments>
          <eventAssignment variable="S">$math<apply><plus/><ci>S</ci><ci>dose</ci></apply></math></eventAssignment>
        </listOfEventAssignments>
      </event>
    </listOfEvents>
  </model>
</sbml>
EOF
mm=$tmp/mm.xml
printf 'Vmax,Km,S\n2,1.5,10\n0.5,3,4\n\n4,0.2,20\n' >"$tmp/mm.csv"
mmopts=(--end 10 --steps 50 --vars S,P)

# batch NAME ARGS...: medtwin simulate on mm.xml with mmopts; stdout to $tmp/NAME.out
batch() {
    local name=$1
    shift
    "$MEDTWIN" simulate "$mm" "${mmopts[@]}" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
    local rc=$?
    [ "$rc" -eq 0 ] || fail "$name: exited $rc: $(head -c 300 "$tmp/$name.err")"
    return "$rc"
}

if batch mm --params "$tmp/mm.csv" && batch mm_adams --params "$tmp/mm.csv" --method adams &&
    batch mm_set --params "$tmp/mm.csv" --set dose=1 --set Vmax=99; then
    [ "$(head -n 1 "$tmp/mm.out")" = "row,time,S,P" ] || fail "mm header '$(head -n 1 "$tmp/mm.out")'"
    [ "$(wc -l <"$tmp/mm.out")" -eq $((3 * 51 + 1)) ] || fail "mm: $(wc -l <"$tmp/mm.out") lines"
    r=0
    for row in "Vmax=2 Km=1.5 S=10" "Vmax=0.5 Km=3 S=4" "Vmax=4 Km=0.2 S=20"; do
        r=$((r + 1))
        read -r -a kv <<<"$row"
        sets=()
        for x in "${kv[@]}"; do sets+=(--set "$x"); done
        batch one$r "${sets[@]}" && same "mm row $r (events, ODE path) equals a single run" \
            "$tmp/mm.out" "$r" "$tmp/one$r.out"
        batch one_adams$r "${sets[@]}" --method adams &&
            same "mm row $r with --method adams equals a single run" "$tmp/mm_adams.out" "$r" \
                "$tmp/one_adams$r.out"
        # --set dose=1 applies to every row; --set Vmax=99 is overridden by the row's Vmax
        batch one_set$r --set dose=1 "${sets[@]}" &&
            same "mm row $r: --set under the row's values" "$tmp/mm_set.out" "$r" \
                "$tmp/one_set$r.out"
    done
    cmp -s <(rows_of "$tmp/mm.out" 1) <(rows_of "$tmp/mm_set.out" 1) &&
        fail "--set dose=1 changed nothing in the batch"
fi

# standard output equals --out
if batch mm_out --params "$tmp/mm.csv" --out "$tmp/mm_file.csv"; then
    [ -s "$tmp/mm_out.out" ] && fail "--out given, but the batch also went to stdout"
    cmp -s "$tmp/mm_file.csv" "$tmp/mm.out" && ok "--out equals standard output" ||
        fail "--out differs from standard output"
fi

# an id column (anywhere), quoted in the output when it has a comma; a plot
printf 'Km,id,Vmax\n1.5,"a, first",2\n3,b,0.5\n' >"$tmp/ids.csv"
if batch ids --params "$tmp/ids.csv" --plot "$tmp/ids.png"; then
    [ "$(head -n 1 "$tmp/ids.out")" = "id,time,S,P" ] || fail "id header '$(head -n 1 "$tmp/ids.out")'"
    grep -q '^"a, first",0,10,0$' "$tmp/ids.out" && grep -q '^b,0,10,0$' "$tmp/ids.out" &&
        ok "id column names the rows" || fail "id column: $(sed -n 2p "$tmp/ids.out")"
    sig=$(head -c 8 "$tmp/ids.png" 2>/dev/null | od -An -tx1 | tr -d ' \n')
    [ "$sig" = "89504e470d0a1a0a" ] && ok "--plot writes a PNG" || fail "no PNG plot ($sig)"
fi

# long tables: progress on stderr (every 5%), --quiet; more than 1000 rows: no plot, a note
python3 -c "
print('Vmax')
for i in range(1001): print(1 + i / 1000)" >"$tmp/long.csv"
if batch long --params "$tmp/long.csv" --steps 2 --plot "$tmp/long.png"; then
    n=$(grep -c 'rows (' "$tmp/long.err")
    [ "$n" -ge 15 ] && [ "$n" -le 25 ] && grep -q '1001/1001 rows (100%)' "$tmp/long.err" &&
        ok "progress: $n lines for 1001 rows" || fail "progress: $n lines: $(head -n 3 "$tmp/long.err")"
    grep -q 'plot skipped' "$tmp/long.err" && [ ! -e "$tmp/long.png" ] &&
        ok "--plot skipped above 1000 rows" || fail "--plot with 1001 rows: no note or a plot"
    [ "$(wc -l <"$tmp/long.out")" -eq $((1001 * 3 + 1)) ] || fail "long: $(wc -l <"$tmp/long.out") lines"
fi
if batch quiet --params "$tmp/long.csv" --steps 2 --quiet; then
    [ -s "$tmp/quiet.err" ] && fail "--quiet: stderr has $(head -c 200 "$tmp/quiet.err")" ||
        ok "--quiet prints nothing"
    cmp -s "$tmp/quiet.out" "$tmp/long.out" || fail "--quiet changed the results"
fi

# ---------- bad input: one stderr line, non-zero exit, nothing left behind ----------
run=$tmp/run
# case_ NAME WORD TABLE-TEXT [ARGS...]: the table is written to $tmp/t.csv; medtwin simulate
# mm.xml --params $tmp/t.csv ARGS runs in an empty folder with --out and --plot there.
case_() {
    local name=$1 word=$2 text=$3 rc lines why=""
    shift 3
    rm -rf "$run" && mkdir -p "$run"
    printf '%b' "$text" >"$tmp/t.csv"
    (cd "$run" && "$MEDTWIN" simulate "$mm" "${mmopts[@]}" --params "$tmp/t.csv" \
        --out out.csv --plot plot.png "$@" >"$tmp/stdout" 2>"$tmp/stderr")
    rc=$?
    lines=$(wc -l <"$tmp/stderr")
    if [ "$rc" -eq 0 ]; then
        why="exited 0"
    elif [ "$rc" -ge 128 ]; then
        why="died from a signal (exit $rc)"
    elif [ "$lines" -ne 1 ]; then
        why="stderr has $lines line(s), not exactly one"
    elif ! grep -q '^medtwin: ' "$tmp/stderr"; then
        why="the message does not start with 'medtwin: '"
    elif ! grep -qiF -- "$word" "$tmp/stderr"; then
        why="the message does not mention '$word'"
    elif [ -n "$(ls -A "$run")" ]; then
        why="left files behind: $(ls -A "$run" | tr '\n' ' ')"
    elif [ -s "$tmp/stdout" ]; then
        why="wrote to standard output"
    fi
    if [ -z "$why" ]; then
        ok "$name: $(cat "$tmp/stderr")"
    else
        fail "$name: $why; stderr: $(head -c 300 "$tmp/stderr" | tr '\n' '|')"
    fi
}

case_ "unknown column" "t.csv:1: column 2: 'nosuch'" 'Vmax,nosuch\n1,2\n'
case_ "reaction column" "t.csv:1: column 1: 'R' is a reaction" 'R\n1\n'
case_ "column named twice" "'Km' repeats column 1" 'Km,Vmax,Km\n1,2,3\n'
case_ "column without a name" "column 2 has no name" 'Km,\n1,2\n'
case_ "non-numeric cell" "t.csv:3: column 2 (Vmax): 'abc'" 'Km,Vmax\n1,2\n1,abc\n'
case_ "non-numeric cell after a blank line" "t.csv:5: column 1 (Km): '1x'" 'Km,Vmax\n1,2\n\n1,3\n1x,3\n'
case_ "non-numeric cell after a quoted newline" "t.csv:4: column 2 (Vmax): ''" \
    'id,Vmax\n"a\nb",2\nc,\n'
case_ "nan cell" "'nan' is not a finite number" 'Km\nnan\n'
case_ "inf cell" "'-inf' is not a finite number" 'Km\n-inf\n'
case_ "overflowing cell" "'1e999' is not a finite number" 'Km\n1e999\n'
case_ "empty cell" "t.csv:2: column 1 (Km): ''" 'Km,Vmax\n,2\n'
case_ "header only" "no data rows" 'Km,Vmax\n'
case_ "empty file" "empty table" ''
case_ "ragged row" "t.csv:3" 'Km,Vmax\n1,2\n3\n'
case_ "unterminated quote" "unterminated" 'id,Km\n"a,1\n'
case_ "empty id" "t.csv:2: column 1: empty id" 'id,Km\n,1\n'
case_ "id twice" "id 'a' names more than one row" 'id,Km\na,1\nb,2\na,3\n'
case_ "row whose run fails" "t.csv:3: row 2 (id 'bad')" 'id,d\nok,0\nbad,-1\nok2,1\n'
case_ "row whose run fails, no id" "t.csv:2: row 1:" 'd\n-2\n'
case_ "too many output lines" "more than 50000000 output lines" 'Km\n1\n2\n' --steps 30000000
python3 -c "print('Km'); [print(1) for _ in range(100001)]" >"$tmp/big.csv"
case_ "too many rows" "more than 100000" 'Km\n1\n' --params "$tmp/big.csv"
case_ "missing table" "no-such.csv" 'Km\n1\n' --params "$tmp/no-such.csv"
case_ "table is a directory" "cannot read" 'Km\n1\n' --params "$tmp"
case_ "--params without a value" "--params" 'Km\n1\n' --params
# the row that fails also must not leave its rows on stdout (no --out)
rm -rf "$run" && mkdir -p "$run"
printf 'd\n0\n-1\n' >"$tmp/t.csv"
(cd "$run" && "$MEDTWIN" simulate "$mm" "${mmopts[@]}" --params "$tmp/t.csv" >"$tmp/stdout" \
    2>"$tmp/stderr")
[ $? -ne 0 ] && [ ! -s "$tmp/stdout" ] && [ -z "$(ls -A "$run")" ] &&
    ok "a failing row leaves nothing on standard output" ||
    fail "a failing row without --out: stdout has $(wc -c <"$tmp/stdout") bytes"

if [ "$fails" -ne 0 ]; then
    echo "test_batch: $fails check(s) failed" >&2
    exit 1
fi
echo "test_batch: ok"
