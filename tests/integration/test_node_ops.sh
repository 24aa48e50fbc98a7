#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tests/integration/test_node_ops.sh — the repository node's operations (docs/operations.md),
# through tests/integration/node_ops.py:
#   TLS:         a self-signed certificate (openssl CLI); HTTPS verified against it, plain HTTP
#                to the TLS port refused, bad certificate/key files -> non-zero exit, clear message;
#   SQLite:      `medtwin backup` while 8 threads write, `medtwin restore` into a fresh store
#                (refused when not empty without --force), audit verify, a node on the restored
#                store reads every acknowledged model and twin; `medtwin key rotate` (old key
#                refused afterwards, pseudonyms stable, audit verify with the new key);
#   PostgreSQL:  the same on a real PostgreSQL 15 server started on loopback (pg_server.sh),
#                pg_dump/pg_restore into a second database.
# Exits 77 only when the PostgreSQL binaries are missing (after the other parts passed).
set -uo pipefail
# shellcheck source=node_test_lib.sh
. "$(dirname "$0")/node_test_lib.sh"
node_test_init ops

echo "== TLS"
mkdir -p "$work/tls"
python3 "$here/node_ops.py" "$MEDTWIN" --tls "$work/tls" || fail=1

echo "== SQLite"
mkdir -p "$work/sqlite"
python3 "$here/node_ops.py" "$MEDTWIN" "sqlite:$work/sqlite/node.db" "$work/sqlite" \
    --restore-url "sqlite:$work/sqlite/restored.db" || fail=1

echo "== PostgreSQL"
if node_test_pg; then
    pg_as "$PGBIN/psql" -X -q -h "$PG_DIR" -p "$PG_PORT" -U postgres -d postgres \
        -c "CREATE DATABASE medtwin_restore" >/dev/null || fail=1
    mkdir -p "$work/pg" "$work/bin"
    # pg_dump and pg_restore seen through wrappers that log their arguments and whether
    # PGPASSWORD was set, then run the real tools
    for tool in pg_dump pg_restore; do
        real=$(command -v "$tool") || { echo "FAIL no $tool on PATH (postgresql-client)"; fail=1; }
        printf '#!/bin/sh\nprintf "%%s\\n" "%s $*" >>"%s"\n[ -n "$PGPASSWORD" ] && echo "%s PGPASSWORD set" >>"%s"\nexec "%s" "$@"\n' \
            "$tool" "$work/argv.log" "$tool" "$work/argv.log" "$real" >"$work/bin/$tool"
        chmod +x "$work/bin/$tool"
    done
    PATH="$work/bin:$PATH" python3 "$here/node_ops.py" "$MEDTWIN" "$PG_URL" "$work/pg" \
        --restore-url "${PG_URL%/medtwin_test}/medtwin_restore" || fail=1
    # the password never reached a command line: pg_dump and pg_restore got it in PGPASSWORD
    pw=${PG_URL#postgresql://postgres:}
    pw=${pw%%@*}
    if grep -q "^pg_dump PGPASSWORD set" "$work/argv.log" && grep -q "^pg_restore PGPASSWORD set" "$work/argv.log" &&
        ! grep -qF "$pw" "$work/argv.log"; then
        echo "ok   pg_dump and pg_restore got the password in PGPASSWORD, never in their arguments"
    else
        echo "FAIL the password of the URL reached pg_dump/pg_restore's arguments, or PGPASSWORD was not set:"
        cat "$work/argv.log"
        fail=1
    fi
fi
node_test_end "node operations: TLS, SQLite and PostgreSQL"
