#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# CLI basics: --version prints a version and exits 0, --help exits 0, an unknown sub-command
# exits non-zero with a message on stderr. Run by ctest with $MEDTWIN set to the built CLI.
set -u
: "${MEDTWIN:?MEDTWIN must name the medtwin executable}"
[ -x "$MEDTWIN" ] || { echo "FAIL: MEDTWIN=$MEDTWIN is not an executable file" >&2; exit 1; }

fails=0
fail() {
    echo "FAIL: $*" >&2
    fails=$((fails + 1))
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$MEDTWIN" --version >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 0 ] || fail "medtwin --version exited $rc (stderr: $(head -c 300 "$tmp/err"))"
grep -Eq '[0-9]+\.[0-9]+' "$tmp/out" ||
    fail "medtwin --version printed no version number on stdout: '$(head -c 300 "$tmp/out")'"

"$MEDTWIN" --help >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 0 ] || fail "medtwin --help exited $rc (stderr: $(head -c 300 "$tmp/err"))"
[ -s "$tmp/out" ] || [ -s "$tmp/err" ] || fail "medtwin --help printed nothing"

"$MEDTWIN" nosuchcmd >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -ne 0 ] || fail "medtwin nosuchcmd exited 0; an unknown command must fail"
[ "$rc" -lt 128 ] || fail "medtwin nosuchcmd died from a signal (exit $rc)"
[ -s "$tmp/err" ] || fail "medtwin nosuchcmd printed no message on stderr"

if [ "$fails" -ne 0 ]; then
    echo "test_cli_basic: $fails check(s) failed" >&2
    exit 1
fi
echo "test_cli_basic: ok"
