#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# tests/conformance/check_floor.sh — the `sbml_conformance` test: runs the official
# SBML Test Suite scorer over the shared semantic cases and fails when
#   * fewer cases pass than the committed floor (tests/conformance/floor.txt), or
#   * any case timed out, or
#   * any case crashed (killed by a signal: the scorer reports `wrapper exit -N`;
#     `wrapper exit 128+N` from a shell wrapper counts too), or
#   * any case ended with a sanitizer report (exit 86, see ASAN_OPTIONS below).
#
# Environment:
#   MEDTWIN                 the binary (default build/medtwin; a relative path is tried
#                           from the current folder, then from MT_SOURCE_DIR)
#   MT_SOURCE_DIR           the repository root (default: found from this script)
#   MT_SHARED               the shared folder holding sbml-test-suite/
#                           (default $MT_SOURCE_DIR/../shared)
#   MT_SANITIZED=1          sanitizer build: 60 s per case instead of 30 s (also chosen
#                           when the binary contains AddressSanitizer)
#   MT_CONFORMANCE_TIMEOUT  seconds per case, overrides both
#   MT_CONFORMANCE_KEEP=1   keep the scorer's files (failures, CSVs) even on success
#   PYTHON                  python interpreter (default python3)
#
# Exit: 0 ok, 1 failed, 77 skipped (no shared test suite).
set -u

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
MT_SOURCE_DIR=${MT_SOURCE_DIR:-$(cd "$SCRIPT_DIR/../.." && pwd)}
PYTHON=${PYTHON:-python3}
SANITIZER_EXIT=86

# --- the test suite ------------------------------------------------------------------------
SHARED=${MT_SHARED:-$MT_SOURCE_DIR/../shared}
if [ -f "$SHARED/sbml-test-suite/score.py" ]; then
    SUITE=$SHARED/sbml-test-suite
elif [ -f "$SHARED/score.py" ]; then
    SUITE=$SHARED
else
    SUITE=$SHARED/sbml-test-suite
fi
if [ ! -f "$SUITE/score.py" ] || [ ! -d "$SUITE/cases" ]; then
    echo "conformance: SKIPPED: no SBML Test Suite (score.py and cases/) at $SUITE;" \
         "set MT_SHARED to the folder holding sbml-test-suite/"
    exit 77
fi

# --- the binary ----------------------------------------------------------------------------
MEDTWIN=${MEDTWIN:-build/medtwin}
case $MEDTWIN in
    /*) ;;
    *) if [ -e "$MEDTWIN" ]; then MEDTWIN=$PWD/$MEDTWIN; else MEDTWIN=$MT_SOURCE_DIR/$MEDTWIN; fi ;;
esac
if [ ! -x "$MEDTWIN" ] || [ -d "$MEDTWIN" ]; then
    echo "conformance: FAILED: no executable medtwin binary at $MEDTWIN (set MEDTWIN)"
    exit 1
fi

# --- floor ---------------------------------------------------------------------------------
FLOOR_FILE=$SCRIPT_DIR/floor.txt
FLOOR=$(tr -d ' \t\r\n' <"$FLOOR_FILE" 2>/dev/null)
case $FLOOR in
    ''|*[!0-9]*) echo "conformance: FAILED: $FLOOR_FILE must hold one non-negative integer"
                 exit 1 ;;
esac

# --- timeout and sanitizers ----------------------------------------------------------------
sanitized=${MT_SANITIZED:-0}
if [ "$sanitized" != 1 ] && grep -q -a -m 1 '__asan_init' "$MEDTWIN" 2>/dev/null; then
    sanitized=1
fi
if [ -n "${MT_CONFORMANCE_TIMEOUT:-}" ]; then
    TIMEOUT=$MT_CONFORMANCE_TIMEOUT
elif [ "$sanitized" = 1 ]; then
    TIMEOUT=60
else
    TIMEOUT=30
fi

# add_opt VAR key=value: append the option unless VAR already sets that key.
add_opt() {
    local var=$1 kv=$2 cur
    cur=${!var:-}
    case ":$cur:" in
        *":${kv%%=*}="*) ;;
        *) cur=${cur:+$cur:}$kv ;;
    esac
    export "$var=$cur"
}
add_opt ASAN_OPTIONS "exitcode=$SANITIZER_EXIT"
add_opt UBSAN_OPTIONS "halt_on_error=1"
add_opt UBSAN_OPTIONS "exitcode=$SANITIZER_EXIT"

# --- run -----------------------------------------------------------------------------------
WORK=$(mktemp -d "${TMPDIR:-/tmp}/mt-conformance.XXXXXX")
JOBS=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)
WRAPPER="$(printf '%q' "$MEDTWIN") sbml-test-case {dir} {id} {out} {level} {version}"

echo "conformance: $MEDTWIN on $SUITE/cases (jobs $JOBS, timeout ${TIMEOUT}s$( \
      [ "$sanitized" = 1 ] && echo ', sanitized'))"
"$PYTHON" "$SUITE/score.py" --cases "$SUITE/cases" --wrapper "$WRAPPER" \
    --jobs "$JOBS" --timeout "$TIMEOUT" --quiet \
    --out "$WORK/out" --failures "$WORK/failures.tsv" >"$WORK/score-output.txt"
rc=$?
cat "$WORK/score-output.txt"

keep() {
    echo "conformance: scorer files kept in $WORK (failures.tsv, score-output.txt, out/)"
}
if [ $rc -ne 0 ]; then
    echo "conformance: FAILED: the scorer itself failed (exit $rc)"
    keep
    exit 1
fi

LAST=$(grep -v '^[[:space:]]*$' "$WORK/score-output.txt" | tail -n 1)
if [[ ! $LAST =~ ^sbml:\ ([0-9]+)/([0-9]+)\ passed ]]; then
    echo "conformance: FAILED: unexpected last line of the scorer: $LAST"
    keep
    exit 1
fi
PASSED=${BASH_REMATCH[1]}
TOTAL=${BASH_REMATCH[2]}

status=0
echo "conformance: $PASSED passed, floor $FLOOR"
if [ "$PASSED" -lt "$FLOOR" ]; then
    echo "conformance: FAILED: $PASSED of $TOTAL cases pass, below the floor of $FLOOR"
    status=1
fi

# Timeouts, crashes by signal and sanitizer reports fail the test whatever the pass count.
# The reason column of an error is `wrapper exit CODE <last stderr line>`.
if ! "$PYTHON" - "$WORK/failures.tsv" "$SANITIZER_EXIT" >"$WORK/offenders.tsv" <<'EOF'
import re, signal, sys
path, san = sys.argv[1], int(sys.argv[2])
crash = {int(s) for s in (signal.SIGILL, signal.SIGTRAP, signal.SIGABRT, signal.SIGBUS,
                          signal.SIGFPE, signal.SIGSEGV, signal.SIGSYS)}
def name(n):
    try:
        return signal.Signals(n).name
    except ValueError:
        return f"signal {n}"
for line in open(path, encoding="utf-8", errors="replace"):
    cells = line.rstrip("\n").split("\t", 3)
    if len(cells) < 2:
        continue
    cid, status = cells[0], cells[1]
    reason = cells[3] if len(cells) > 3 else ""
    kind = None
    if status == "timeout":
        kind = "timeout"
    elif status == "error":
        m = re.match(r"wrapper exit (-?\d+)", reason)
        code = int(m.group(1)) if m else None
        if code is not None and code < 0:
            kind = "crash " + name(-code)
        elif code is not None and code - 128 in crash:
            kind = "crash " + name(code - 128)
        elif code == san or re.search(r"Sanitizer|==\d+==ABORTING", reason):
            kind = "sanitizer"
    if kind:
        print(f"{cid}\t{kind}\t{reason}")
EOF
then
    echo "conformance: FAILED: could not read $WORK/failures.tsv"
    status=1
fi
BAD=$(grep -c . "$WORK/offenders.tsv" 2>/dev/null)
BAD=${BAD:-0}
if [ "$BAD" -gt 0 ]; then
    echo "conformance: FAILED: $BAD case(s) timed out, crashed or hit a sanitizer:"
    head -n 10 "$WORK/offenders.tsv" | while IFS=$'\t' read -r cid kind reason; do
        echo "  $cid  $kind  $reason"
    done
    [ "$BAD" -gt 10 ] && echo "  ... and $((BAD - 10)) more"
    status=1
fi

if [ $status -eq 0 ] && [ "$PASSED" -gt "$FLOOR" ]; then
    echo "conformance: the floor can be raised to $PASSED (tests/conformance/floor.txt)"
fi
if [ $status -ne 0 ] || [ "${MT_CONFORMANCE_KEEP:-0}" = 1 ]; then
    keep
else
    rm -rf "$WORK"
fi
exit $status
