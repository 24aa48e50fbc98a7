# SPDX-License-Identifier: Apache-2.0
# tests/integration/node_test_lib.sh — what the repository node's test scripts share (sourced by
# test_node_durability.sh, test_node_jobs.sh, test_node_ops.sh):
#   node_test_init NAME  sets here (this folder), work (a fresh /tmp/mt_NAME_XXXXXX, removed on
#                        exit with any PostgreSQL server started), fail=0, the exported
#                        MT_SOURCE_DIR and LSAN_OPTIONS (ASan builds: tests/lsan.supp);
#   node_test_pg         sources pg_server.sh and starts a PostgreSQL server on loopback; exits
#                        the script 77 (skip) when the server binaries are missing and nothing
#                        failed before, 1 when something did; returns 1, with a FAIL line, when
#                        the server does not start;
#   node_test_end WHAT   prints the summary line and exits with the result.
: "${MEDTWIN:?}" "${MT_SOURCE_DIR:?}"

node_test_cleanup() {
    type pg_stop >/dev/null 2>&1 && pg_stop
    rm -rf "$work"
}

node_test_init() {
    here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
    work=$(mktemp -d "/tmp/mt_$1_XXXXXX")
    fail=0
    trap node_test_cleanup EXIT
    trap 'exit 130' INT TERM
    export MT_SOURCE_DIR
    export LSAN_OPTIONS="suppressions=$MT_SOURCE_DIR/tests/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
}

node_test_pg() {
    # shellcheck source=pg_server.sh
    . "$here/pg_server.sh"
    if [ ! -x "$PGBIN/initdb" ]; then
        echo "skip: no PostgreSQL server binaries in $PGBIN (apt-get install postgresql)"
        [ "$fail" = 0 ] && exit 77
        exit 1
    fi
    pg_start && return 0
    echo "FAIL the PostgreSQL server did not start"
    fail=1
    return 1
}

node_test_end() {
    if [ "$fail" = 0 ]; then echo "ok   $1"; else echo "FAIL $1"; fi
    exit "$fail"
}
