#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# bench/pbpk15/run.sh — medtwin and the peers of ../shared/bench/pbpk15 on the same machine, in one
# run: every result checked against the reference output, per-twin times, twins per core-second
# and the ratios. The last line is
#   pbpk15: medtwin <M> us/twin; desolve-dll <D> us; cvode-c <C> us; vs-desolve <D/M>x;
#   vs-cvode <C/M>x; max-rel-err <E>
# (means = total wall time / N; E: medtwin against the reference file), after a line for the ODE
# path (the linear shortcut off) with native code and on the bytecode VM against cvode-c.
#
#   bash bench/pbpk15/run.sh            N=1000 twins for medtwin and the C/R peers
#   N=200 bash bench/pbpk15/run.sh      fewer
# Needs the bench packages: bash scripts/install-deps.sh --bench (R, deSolve, scipy, LAPACK).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
shared=${MT_SHARED:-$root/../shared}
peer_dir=$shared/bench/pbpk15
N=${N:-1000}
build=${BUILD:-$root/build}
[ -f "$peer_dir/pbpk15.xml" ] || { echo "pbpk15: $peer_dir/pbpk15.xml not found (set MT_SHARED)" >&2; exit 1; }
PY=/usr/bin/python3
"$PY" -c 'import numpy, scipy' 2>/dev/null || { echo "pbpk15: needs python3-numpy and python3-scipy (bash scripts/install-deps.sh --bench)" >&2; exit 1; }
command -v Rscript >/dev/null || { echo "pbpk15: needs r-base-core and r-cran-desolve (bash scripts/install-deps.sh --bench)" >&2; exit 1; }

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j"$(nproc)" --target bench_pbpk15 >/dev/null
PIN=""
if command -v taskset >/dev/null && [ "$(nproc)" -gt 1 ]; then PIN="taskset -c 1"; fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "# $(date -u)  $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)  nproc=$(nproc)  pin='$PIN'  medtwin $(git -C "$root" describe --always --dirty 2>/dev/null || echo '?')"
echo "## medtwin (compiled once; per twin: set 40 parameters by id, reset, simulate 0-24 h, 1441 outputs)"
mt_line=$($PIN "$build/bench_pbpk15" "$peer_dir/pbpk15.xml" "$peer_dir/params.csv" "$N" "$work/medtwin.csv" 20)
echo "$mt_line"
mt_chk=$("$PY" "$peer_dir/check_reference.py" "$work/medtwin.csv" "$peer_dir/reference_venous_first20.csv")
echo "$mt_chk"
echo "## medtwin, other paths: the ODE path (linear shortcut off) with native code and on the bytecode VM"
ode_nat=$(MT_BENCH_EXACT=0 MT_BENCH_NATIVE=1 $PIN "$build/bench_pbpk15" "$peer_dir/pbpk15.xml" "$peer_dir/params.csv" "$N" "$work/medtwin_ode_native.csv" 20)
echo "$ode_nat"
"$PY" "$peer_dir/check_reference.py" "$work/medtwin_ode_native.csv" "$peer_dir/reference_venous_first20.csv"
ode_vm=$(MT_BENCH_EXACT=0 MT_BENCH_NATIVE=0 $PIN "$build/bench_pbpk15" "$peer_dir/pbpk15.xml" "$peer_dir/params.csv" "$N" "$work/medtwin_ode_vm.csv" 20)
echo "$ode_vm"
"$PY" "$peer_dir/check_reference.py" "$work/medtwin_ode_vm.csv" "$peer_dir/reference_venous_first20.csv"
echo "## peers (../shared/bench/pbpk15/run_peers.sh)"
peers=$(cd "$peer_dir" && PYTHON="$PY" N_C="$N" N_R="$N" N_PY="${N_PY:-100}" N_RFUN="${N_RFUN:-20}" PIN="$PIN" ./run_peers.sh 2>&1)
echo "$peers"

mean_of() { sed -n 's/.* mean=\([0-9.]*\) us.*/\1/p' <<<"$1" | head -1; }
M=$(mean_of "$mt_line")
D=$(mean_of "$(grep 'method=deSolve_dll' <<<"$peers")")
C=$(mean_of "$(grep -m1 'method=.*jac' <<<"$(grep -v scipy <<<"$peers")")")
E=$(sed -n 's/.*max rel diff \([^,]*\),.*/\1/p' <<<"$mt_chk")
[ -n "$M" ] && [ -n "$D" ] && [ -n "$C" ] && [ -n "$E" ] || { echo "pbpk15: could not read every figure (M='$M' D='$D' C='$C' E='$E')" >&2; exit 1; }
grep -q PASS <<<"$mt_chk" || { echo "pbpk15: medtwin does not match the reference: $mt_chk" >&2; exit 1; }
ON=$(mean_of "$ode_nat")
OV=$(mean_of "$ode_vm")
awk -v on="$ON" -v ov="$OV" -v c="$C" 'BEGIN {
  printf "pbpk15-ode: medtwin-ode-native %.1f us/twin; medtwin-ode-vm %.1f us; cvode-c %.1f us; native/cvode %.2fx; vm/cvode %.2fx\n", on, ov, c, on / c, ov / c }'
awk -v m="$M" -v d="$D" -v c="$C" -v e="$E" 'BEGIN {
  printf "pbpk15: medtwin %.1f us/twin; desolve-dll %.1f us; cvode-c %.1f us; vs-desolve %.2fx; vs-cvode %.2fx; max-rel-err %s\n", m, d, c, d / m, c / m, e }'
