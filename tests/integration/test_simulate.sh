#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `medtwin simulate` end to end on the bundled model data/models/pk_oral_1cpt.xml:
#   - CSV (header time,depot,C, 241 rows) against tests/golden/pk_oral_1cpt.csv, which
#     tests/golden/make_pk_oral_1cpt.py computes from the model's closed form (not from medtwin):
#     every value within 1e-6 relative + 1e-9 absolute;
#   - the PNG and SVG plots (signature, "<svg");
#   - --set dose=8.04 doubles depot and C at every time (the model is linear);
#   - --method adams agrees with the golden values within 1e-5;
#   - without --out the CSV goes to stdout (the same text); --steps 1 gives 2 rows.
# Run by ctest with $MEDTWIN (the CLI) and $MT_SOURCE_DIR (the repository root). In a sanitizer
# build LeakSanitizer uses tests/lsan.supp (fontconfig's font cache, loaded for the plots).
set -u
: "${MEDTWIN:?MEDTWIN must name the medtwin executable}"
: "${MT_SOURCE_DIR:?MT_SOURCE_DIR must name the repository root}"
[ -x "$MEDTWIN" ] || { echo "FAIL: MEDTWIN=$MEDTWIN is not an executable file" >&2; exit 1; }
command -v python3 >/dev/null || { echo "test_simulate: skipped: python3 not found"; exit 77; }
export LSAN_OPTIONS="suppressions=$MT_SOURCE_DIR/tests/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

model="$MT_SOURCE_DIR/data/models/pk_oral_1cpt.xml"
golden="$MT_SOURCE_DIR/tests/golden/pk_oral_1cpt.csv"
[ -r "$model" ] || { echo "FAIL: no model $model" >&2; exit 1; }
[ -r "$golden" ] || { echo "FAIL: no golden file $golden" >&2; exit 1; }

fails=0
fail() {
    echo "FAIL: $*" >&2
    fails=$((fails + 1))
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# compare GOT EXPECTED REL ABS [SCALE]: same header, same number of rows, same times, and every
# value |got - SCALE*expected| <= REL*|SCALE*expected| + ABS. Prints the first mismatches.
cat >"$tmp/compare.py" <<'EOF'
import csv, sys

got_path, exp_path, rel, abs_ = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
scale = float(sys.argv[5]) if len(sys.argv) > 5 else 1.0
got = list(csv.reader(open(got_path)))
exp = list(csv.reader(open(exp_path)))
bad = []
if not got or got[0] != exp[0]:
    bad.append("header %s, want %s" % (got[0] if got else None, exp[0]))
elif len(got) != len(exp):
    bad.append("%d rows, want %d" % (len(got) - 1, len(exp) - 1))
else:
    for i in range(1, len(exp)):
        if len(got[i]) != len(exp[i]):
            bad.append("row %d has %d fields" % (i, len(got[i])))
            continue
        for j, name in enumerate(exp[0]):
            g = float(got[i][j])
            e = float(exp[i][j]) * (scale if j > 0 else 1.0)
            if not abs(g - e) <= rel * abs(e) + abs_:
                bad.append("t=%s %s: got %.12g, want %.12g" % (exp[i][0], name, g, e))
if bad:
    print("; ".join(bad[:4]) + (" (+%d more)" % (len(bad) - 4) if len(bad) > 4 else ""))
    sys.exit(1)
EOF

# run NAME ARGS...: runs medtwin simulate on the model; stdout to $tmp/NAME.stdout.
run() {
    local name=$1
    shift
    "$MEDTWIN" simulate "$model" --end 24 "$@" >"$tmp/$name.stdout" 2>"$tmp/$name.err"
    local rc=$?
    [ "$rc" -eq 0 ] || fail "$name: medtwin simulate exited $rc: $(head -c 400 "$tmp/$name.err")"
    return "$rc"
}

compare() { # label got expected rel abs [scale]
    local why
    why=$(python3 "$tmp/compare.py" "$2" "$3" "$4" "$5" ${6:+"$6"} 2>&1) || fail "$1: $why"
}

common=(--steps 240 --vars "depot,C" --rtol 1e-10 --atol 1e-14)

# 1. the golden time course, with a PNG plot
if run png "${common[@]}" --out "$tmp/out.csv" --plot "$tmp/out.png"; then
    head -n 1 "$tmp/out.csv" | tr -d '\r' | grep -qx 'time,depot,C' ||
        fail "header is '$(head -n 1 "$tmp/out.csv")', want 'time,depot,C'"
    rows=$(($(wc -l <"$tmp/out.csv") - 1))
    [ "$rows" -eq 241 ] || fail "$rows data rows, want 241"
    compare "golden" "$tmp/out.csv" "$golden" 1e-6 1e-9
    [ -s "$tmp/png.stdout" ] && fail "--out given, but CSV also went to stdout"
    if [ -s "$tmp/out.png" ]; then
        sig=$(head -c 8 "$tmp/out.png" | od -An -tx1 | tr -d ' \n')
        [ "$sig" = "89504e470d0a1a0a" ] || fail "out.png has no PNG signature ($sig)"
    else
        fail "no PNG written"
    fi
fi

# 2. the same with an SVG plot
if run svg "${common[@]}" --out "$tmp/out2.csv" --plot "$tmp/out.svg"; then
    if [ -s "$tmp/out.svg" ]; then
        head -c 4096 "$tmp/out.svg" | grep -q '<svg' || fail "out.svg has no '<svg'"
    else
        fail "no SVG written"
    fi
    cmp -s "$tmp/out.csv" "$tmp/out2.csv" || fail "the CSV differs between two identical runs"
fi

# 3. a double dose doubles everything (linear model; both doses use 'dose')
if run double "${common[@]}" --set dose=8.04 --out "$tmp/double.csv"; then
    compare "--set dose=8.04 vs 2 x golden" "$tmp/double.csv" "$golden" 1e-6 1e-9 2
    compare "--set dose=8.04 vs 2 x first run" "$tmp/double.csv" "$tmp/out.csv" 1e-6 1e-12 2
fi

# 4. Adams
if run adams "${common[@]}" --method adams --out "$tmp/adams.csv"; then
    compare "--method adams vs golden" "$tmp/adams.csv" "$golden" 1e-5 1e-9
    compare "--method adams vs bdf" "$tmp/adams.csv" "$tmp/out.csv" 1e-5 1e-9
fi

# 5. CSV on stdout when --out is omitted
if run stdout "${common[@]}"; then
    cmp -s "$tmp/stdout.stdout" "$tmp/out.csv" ||
        fail "CSV on stdout differs from --out: $(diff "$tmp/stdout.stdout" "$tmp/out.csv" | head -n 3)"
fi

# 6. one step: the start and the end
if run one --steps 1 --vars depot,C; then
    n=$(wc -l <"$tmp/one.stdout")
    [ "$n" -eq 3 ] || fail "--steps 1: $((n - 1)) data rows, want 2"
    why=$(python3 - "$tmp/one.stdout" "$golden" <<'EOF'
import csv, sys
got = list(csv.reader(open(sys.argv[1])))
exp = list(csv.reader(open(sys.argv[2])))
for g, e in ((got[1], exp[1]), (got[2], exp[-1])):
    for a, b, name in zip(g, e, exp[0]):
        if not abs(float(a) - float(b)) <= 1e-4 * abs(float(b)) + 1e-9:
            print("t=%s %s: got %s, want %s" % (e[0], name, a, b))
            sys.exit(1)
EOF
) || fail "--steps 1: $why"
fi

if [ "$fails" -ne 0 ]; then
    echo "test_simulate: $fails check(s) failed" >&2
    exit 1
fi
echo "test_simulate: ok"
