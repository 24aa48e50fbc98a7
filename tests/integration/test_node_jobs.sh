#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tests/integration/test_node_jobs.sh — the node's job queue across crashes (docs/jobs.md),
# through tests/integration/node_jobs.py, on SQLite and on a real PostgreSQL 15 server started
# on loopback (pg_server.sh): kill -9 with jobs queued and running (every acknowledged job
# reaches done after the restart with the result of an undisturbed run, no result stored
# twice), SIGTERM with jobs queued (they finish after the restart), and a job whose process
# died 3 times is failed. Exits 77 only when the PostgreSQL binaries are missing (after the
# SQLite part passed).
set -uo pipefail
: "${MEDTWIN:?}" "${MT_SOURCE_DIR:?}"
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/mt_jobs_XXXXXX)
fail=0
cleanup() {
    type pg_stop >/dev/null 2>&1 && pg_stop
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
export MT_SOURCE_DIR
# ASan builds: LeakSanitizer skips fontconfig's process-wide cache (tests/lsan.supp)
export LSAN_OPTIONS="suppressions=$MT_SOURCE_DIR/tests/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

echo "== SQLite"
mkdir -p "$work/sqlite"
python3 "$here/node_jobs.py" "$MEDTWIN" "sqlite:$work/sqlite/node.db" "$work/sqlite" || fail=1

echo "== PostgreSQL"
# shellcheck source=pg_server.sh
. "$here/pg_server.sh"
if [ ! -x "$PGBIN/initdb" ]; then
    echo "skip: no PostgreSQL server binaries in $PGBIN (apt-get install postgresql)"
    [ $fail = 0 ] && exit 77
    exit 1
fi
if pg_start; then
    mkdir -p "$work/pg"
    python3 "$here/node_jobs.py" "$MEDTWIN" "$PG_URL" "$work/pg" || fail=1
else
    echo "FAIL the PostgreSQL server did not start"
    fail=1
fi
[ $fail = 0 ] && echo "ok   node jobs: SQLite and PostgreSQL" || echo "FAIL node jobs"
exit $fail
