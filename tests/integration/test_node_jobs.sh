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
# shellcheck source=node_test_lib.sh
. "$(dirname "$0")/node_test_lib.sh"
node_test_init jobs

echo "== SQLite"
mkdir -p "$work/sqlite"
python3 "$here/node_jobs.py" "$MEDTWIN" "sqlite:$work/sqlite/node.db" "$work/sqlite" || fail=1

echo "== PostgreSQL"
if node_test_pg; then
    mkdir -p "$work/pg"
    python3 "$here/node_jobs.py" "$MEDTWIN" "$PG_URL" "$work/pg" || fail=1
fi
node_test_end "node jobs: SQLite and PostgreSQL"
