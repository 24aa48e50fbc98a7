#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# scripts/conformance.sh — run the official SBML Test Suite scorer over all shared
# semantic cases and regenerate docs/conformance.md from its results.
#
#   scripts/conformance.sh [--binary PATH] [--jobs N] [--timeout S]
#
# Writes (all generated, commit them together; never edit them by hand):
#   docs/conformance/score-output.txt  the scorer's full stdout
#   docs/conformance/failures.tsv      failing cases: id, status, seconds, reason
#   docs/conformance.md                tables made by scripts/conformance_table.py
#
# Environment:
#   MT_SHARED   the shared folder holding sbml-test-suite/ (default: <repo>/../shared);
#               a path to the sbml-test-suite folder itself is accepted too
#   PYTHON      python interpreter (default: python3)
#   MT_CONFORMANCE_OUT  folder for the produced CSVs (default: <repo>/build/conformance-out)
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PYTHON=${PYTHON:-python3}
BINARY=$REPO/build/medtwin
JOBS=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)
TIMEOUT=20

usage() {
    sed -n '4,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

while [ $# -gt 0 ]; do
    case $1 in
        --binary) [ $# -ge 2 ] || { usage >&2; exit 2; }; BINARY=$2; shift 2 ;;
        --binary=*) BINARY=${1#--binary=}; shift ;;
        --jobs) [ $# -ge 2 ] || { usage >&2; exit 2; }; JOBS=$2; shift 2 ;;
        --jobs=*) JOBS=${1#--jobs=}; shift ;;
        --timeout) [ $# -ge 2 ] || { usage >&2; exit 2; }; TIMEOUT=$2; shift 2 ;;
        --timeout=*) TIMEOUT=${1#--timeout=}; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "conformance.sh: unknown argument: $1" >&2; usage >&2; exit 2 ;;
    esac
done

SHARED=${MT_SHARED:-$REPO/../shared}
if [ -f "$SHARED/sbml-test-suite/score.py" ]; then
    SUITE=$SHARED/sbml-test-suite
elif [ -f "$SHARED/score.py" ]; then
    SUITE=$SHARED
else
    echo "conformance.sh: no SBML Test Suite at $SHARED/sbml-test-suite (set MT_SHARED)" >&2
    exit 1
fi
SUITE=$(cd "$SUITE" && pwd)
CASES=$SUITE/cases
[ -d "$CASES" ] || { echo "conformance.sh: no cases directory: $CASES" >&2; exit 1; }

case $BINARY in /*) ;; *) BINARY=$PWD/$BINARY ;; esac
if [ ! -x "$BINARY" ] || [ -d "$BINARY" ]; then
    echo "conformance.sh: no executable medtwin binary at $BINARY (build it, or --binary PATH)" >&2
    exit 1
fi

DOCS=$REPO/docs
OUTDIR=${MT_CONFORMANCE_OUT:-$REPO/build/conformance-out}
mkdir -p "$DOCS/conformance" "$OUTDIR"
WRAPPER="$(printf '%q' "$BINARY") sbml-test-case {dir} {id} {out} {level} {version}"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/mt-conformance.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

echo "conformance.sh: scoring $BINARY on $CASES (jobs $JOBS, timeout ${TIMEOUT}s)" >&2
# Progress goes to stderr (the terminal); stdout (tables and summary) is kept.
set +e
"$PYTHON" "$SUITE/score.py" --cases "$CASES" --wrapper "$WRAPPER" \
    --jobs "$JOBS" --timeout "$TIMEOUT" --out "$OUTDIR" \
    --failures "$TMP/failures.tsv" >"$TMP/score-output.txt"
rc=$?
set -e
if [ $rc -ne 0 ]; then
    cat "$TMP/score-output.txt" >&2
    echo "conformance.sh: the scorer failed (exit $rc); docs/ left unchanged" >&2
    exit 1
fi

# Machine-specific absolute paths would make the committed output differ between
# machines and runs for the same results: show them relative to the repository, and
# the scorer's random private case folders (in error messages) as <case-dir>.
"$PYTHON" - "$REPO" "$SUITE" "$TMP" <<'EOF'
import os, sys
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(sys.argv[1], "scripts"))
from conformance_table import scrub
repo, suite, tmp = sys.argv[1:4]
for name in ("score-output.txt", "failures.tsv"):
    path = os.path.join(tmp, name)
    text = open(path, encoding="utf-8", errors="replace").read()
    for old, new in ((tmp + os.sep, "docs/conformance/"), (suite + os.sep, "<sbml-test-suite>/"),
                     (repo + os.sep, "")):
        text = text.replace(old, new)
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(scrub(text))
EOF

"$PYTHON" "$REPO/scripts/conformance_table.py" \
    --score-output "$TMP/score-output.txt" --failures "$TMP/failures.tsv" \
    --cases "$CASES" --output "$TMP/conformance.md" \
    --command "scripts/conformance.sh" --timeout "$TIMEOUT" \
    --explained "$DOCS/conformance/explained.tsv"

mv "$TMP/score-output.txt" "$DOCS/conformance/score-output.txt"
mv "$TMP/failures.tsv" "$DOCS/conformance/failures.tsv"
mv "$TMP/conformance.md" "$DOCS/conformance.md"
tail -n 1 "$DOCS/conformance/score-output.txt"
echo "conformance.sh: wrote docs/conformance.md, docs/conformance/score-output.txt," \
     "docs/conformance/failures.tsv" >&2
