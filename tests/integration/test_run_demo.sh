#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tests/integration/test_run_demo.sh — the README's run command (scripts/run-demo.sh, issue #7
# acceptance 5): it must start the node on SQLite with the bundled models, the drug cards and the
# demo twins loaded, and print the URL. Runs the real script (its dependency step is a no-op
# here, its build step finds build/ up to date) on a free port and a temporary store, then
# checks over HTTP what the node holds, restarts it (nothing loaded twice) and stops it.
set -uo pipefail
: "${MT_SOURCE_DIR:?}"
work=$(mktemp -d)
pid=
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
export LSAN_OPTIONS="suppressions=$MT_SOURCE_DIR/tests/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
exec python3 "$(dirname "$0")/run_demo_check.py" "$MT_SOURCE_DIR" "$work"
