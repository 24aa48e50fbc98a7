#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tests/integration/test_node_durability.sh — durability of the repository node (issue #7,
# acceptance 3), through tests/integration/node_durability.py:
#   SQLite:      kill -9 of `medtwin serve` during 100 concurrent POST /models; every write
#                acknowledged with 201 is in the store (a copy of the db + WAL taken right after
#                the kill, then through the restarted node, with the acknowledged sha256), the
#                store is consistent (PRAGMA integrity_check, foreign keys, versions, FTS index);
#   PostgreSQL:  the same on a real PostgreSQL 15 server started on loopback (pg_server.sh),
#                checked with psql; then, under load from 16 writers, `pg_restart immediate`
#                and an immediate shutdown held for 2 s: the node stays up, answers 5xx during
#                the outage in bounded time, new writes succeed once the server is back and
#                every acknowledged write is present.
# Exits 77 only when the PostgreSQL binaries are missing (after the SQLite part passed).
set -uo pipefail
# shellcheck source=node_test_lib.sh
. "$(dirname "$0")/node_test_lib.sh"
node_test_init durability

echo "== SQLite"
mkdir -p "$work/sqlite"
python3 "$here/node_durability.py" "$MEDTWIN" "sqlite:$work/sqlite/node.db" "$work/sqlite" || fail=1

echo "== PostgreSQL"
if node_test_pg; then
    # the commands the helper runs, in a fresh bash that sources pg_server.sh with this server
    pre=". '$here/pg_server.sh'; PG_DIR='$PG_DIR'; PG_PORT='$PG_PORT'"
    mkdir -p "$work/pg"
    python3 "$here/node_durability.py" "$MEDTWIN" "$PG_URL" "$work/pg" \
        --restart-cmd "$pre; pg_restart immediate" \
        --outage-down "$pre; pg_as \"\$PGBIN/pg_ctl\" -D \"\$PG_DIR/data\" -m immediate -w stop" \
        --outage-up "$pre; pg_run" --outage-hold 2 || fail=1
fi
node_test_end "node durability: SQLite and PostgreSQL"
