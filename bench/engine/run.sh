#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# bench/engine/run.sh — the engine's speed on ordinary models, before and after a change, in one
# run on one machine: two revisions built side by side (Release), then R rounds that alternate
# between them so that both see the same machine state. Workloads (medtwin only):
#   pbpk15-exact   ../shared/bench/pbpk15 (15 states), the linear shortcut, native code, N twins
#   pbpk15-ode     the same on the ODE path (BDF), native code
#   pbpk15-vm      the same on the ODE path, bytecode VM
#   cascade-vm     bench/cascade's 240-species nonlinear network, bytecode VM
#   cascade-native the same, native code
# Each line gives the median over the rounds of each revision's per-run median, and after/before
# (above 1: slower after the change).
#
#   bash bench/engine/run.sh BEFORE [AFTER]    revisions (AFTER: the working tree, default)
#   R=7 N=300 bash bench/engine/run.sh 2b115a8
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
shared=${MT_SHARED:-$root/../shared}
before=${1:?usage: bash bench/engine/run.sh BEFORE [AFTER]}
after=${2:-}
R=${R:-5}
N=${N:-200}
[ -f "$shared/bench/pbpk15/pbpk15.xml" ] || { echo "engine: $shared/bench/pbpk15 not found (set MT_SHARED)" >&2; exit 1; }
work=$(mktemp -d)
cleanup() {
    git -C "$root" worktree remove --force "$work/before" 2>/dev/null || true
    [ -z "$after" ] || git -C "$root" worktree remove --force "$work/after" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

build_rev() { # dir: configure and build the two bench targets
    cmake -S "$1" -B "$1/build-bench" -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$1/build-bench" -j"$(nproc)" --target bench_pbpk15 bench_cascade >/dev/null
}
git -C "$root" worktree add --detach -q "$work/before" "$before"
build_rev "$work/before"
if [ -n "$after" ]; then
    git -C "$root" worktree add --detach -q "$work/after" "$after"
    adir=$work/after
else
    adir=$root
fi
build_rev "$adir"
python3 "$root/bench/cascade/make_cascade.py" 30 4 >"$work/cascade.xml"
PIN=""
if command -v taskset >/dev/null && [ "$(nproc)" -gt 1 ]; then PIN="taskset -c 1"; fi
bdesc=$(git -C "$root" rev-parse --short "$before")
adesc=${after:+$(git -C "$root" rev-parse --short "$after")}
adesc=${adesc:-$(git -C "$root" describe --always --dirty 2>/dev/null || echo 'working tree')}
echo "# $(date -u)  $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)  nproc=$(nproc)  pin='$PIN'"
echo "# before: $bdesc   after: $adesc   rounds: $R   pbpk15 twins per run: $N"

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
pk=$shared/bench/pbpk15
one() { # dir workload -> the per-run median in us
    local b=$1/build-bench
    case $2 in
    pbpk15-exact) $PIN "$b/bench_pbpk15" "$pk/pbpk15.xml" "$pk/params.csv" "$((N * 5))" "$work/o.csv" 0 ;;
    pbpk15-ode) MT_BENCH_EXACT=0 MT_BENCH_NATIVE=1 $PIN "$b/bench_pbpk15" "$pk/pbpk15.xml" "$pk/params.csv" "$N" "$work/o.csv" 0 ;;
    pbpk15-vm) MT_BENCH_EXACT=0 MT_BENCH_NATIVE=0 $PIN "$b/bench_pbpk15" "$pk/pbpk15.xml" "$pk/params.csv" "$N" "$work/o.csv" 0 ;;
    cascade-*) $PIN "$b/bench_cascade" "$work/cascade.xml" 100 200 5 ;;
    esac 2>/dev/null | {
        case $2 in
        pbpk15-*) sed -n 's/.* median=\([0-9.]*\) us.*/\1/p' ;;
        cascade-vm) sed -n 's/^path=vm .* median=\([0-9.]*\) us.*/\1/p' ;;
        cascade-native) sed -n 's/^path=native .* median=\([0-9.]*\) us.*/\1/p' ;;
        esac
    }
}
loads=(pbpk15-exact pbpk15-ode pbpk15-vm cascade-vm cascade-native)
for w in "${loads[@]}"; do : >"$work/$w.before"; : >"$work/$w.after"; done
for r in $(seq 1 "$R"); do
    for w in "${loads[@]}"; do
        if [ $((r % 2)) = 1 ]; then order="before after"; else order="after before"; fi
        for side in $order; do
            if [ "$side" = before ]; then d=$work/before; else d=$adir; fi
            one "$d" "$w" >>"$work/$w.$side"
        done
    done
    echo "round $r/$R done" >&2
done
printf '%-15s %14s %14s %12s\n' workload "before (us)" "after (us)" after/before
for w in "${loads[@]}"; do
    b=$(median <"$work/$w.before"); a=$(median <"$work/$w.after")
    awk -v w="$w" -v b="$b" -v a="$a" 'BEGIN { printf "%-15s %14.1f %14.1f %12.3f\n", w, b, a, a / b }'
done
