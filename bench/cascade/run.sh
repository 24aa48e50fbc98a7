#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# bench/cascade/run.sh — generic (bytecode VM) versus native code, and the dense versus the sparse
# (KLU) linear solver, on a large nonlinear model: the synthetic signalling network of
# make_cascade.py (C=30 cascades x L=4 levels: 240 species, 240 reactions), 0..100 with 200
# output steps, N runs per path (default 50), one core.
#   bash bench/cascade/run.sh                 N=50, the native object from the cache when there
#   FRESH=1 bash bench/cascade/run.sh         an empty cache: native creation includes compiling
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${BUILD:-$root/build}
N=${N:-50}
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j"$(nproc)" --target bench_cascade >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 "$here/make_cascade.py" 30 4 >"$work/cascade.xml"
if [ "${FRESH:-0}" = 1 ]; then export MEDTWIN_CACHE_DIR="$work/cache"; fi
PIN=""
if command -v taskset >/dev/null && [ "$(nproc)" -gt 1 ]; then PIN="taskset -c 1"; fi
echo "# $(date -u)  $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)  nproc=$(nproc)  pin='$PIN'  medtwin $(git -C "$root" describe --always --dirty 2>/dev/null || echo '?')"
$PIN "$build/bench_cascade" "$work/cascade.xml" 100 200 "$N"
