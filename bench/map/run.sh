#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# bench/map/run.sh — the time of one Bayesian MAP fit to 4 drug levels (issue #5, acceptance 4):
# medtwin on a compartmental population-PK twin (vancomycin; gradients from CVODES sensitivities
# and from finite differences; mt_mipd_fit) and on a whole-body PBPK twin (midazolam, exported by
# `medtwin twin export`, fitted through mt_fit_*), and a scipy peer of the compartmental problem
# (bench/map/peer_scipy.py: solve_ivp and the closed form, same objective, same data), with the
# agreement of the estimates. The last line is
#   map: compartmental medtwin X ms/fit (sens), Y ms/fit (fd); pbpk Z ms/fit (sens), Z2 (fd);
#   peer-scipy W ms/fit (solve_ivp), W2 ms/fit (closed form); ratio ...
# (medians over the virtual patients; each fit timed alone; the scipy/medtwin ratios compare medians
# over the same patients: the solve_ivp peer fits only the first N_PY_ODE of them).
#
#   bash bench/map/run.sh                 N_VANCO=50 patients, N_PBPK=20, N_PY=50 (closed), N_PY_ODE=5
#   N_VANCO=20 N_PBPK=5 bash bench/map/run.sh
# Needs python3-numpy and python3-scipy: bash scripts/install-deps.sh --bench.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${BUILD:-$root/build}
N_VANCO=${N_VANCO:-50}
N_PBPK=${N_PBPK:-20}
N_PY=${N_PY:-$N_VANCO}
N_PY_ODE=${N_PY_ODE:-5}
PY=/usr/bin/python3
"$PY" -c 'import numpy, scipy' 2>/dev/null || { echo "map: needs python3-numpy and python3-scipy (bash scripts/install-deps.sh --bench)" >&2; exit 1; }
[ "$N_PY" -le "$N_VANCO" ] || N_PY=$N_VANCO
[ "$N_PY_ODE" -le "$N_VANCO" ] || N_PY_ODE=$N_VANCO

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j"$(nproc)" --target bench_map medtwin_cli >/dev/null
PIN=""
if command -v taskset >/dev/null && [ "$(nproc)" -gt 1 ]; then PIN="taskset -c 1"; fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "# $(date -u)  $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)  nproc=$(nproc)  load=$(cut -d' ' -f1-3 /proc/loadavg)  pin='$PIN'  medtwin $(git -C "$root" describe --always --dirty 2>/dev/null || echo '?')"
# the PBPK twin: midazolam 2 mg IV for the example patient anna
"$build/medtwin" twin export --regimen "midazolam 2 mg iv once" \
    --patient "$root/examples/patients/anna.json" --out "$work/twin.xml"
echo "## medtwin (bench/map/bench_map.c)"
$PIN "$build/bench_map" "$work/twin.xml" "$N_VANCO" "$N_PBPK" "$work/problem.json" 2>"$work/bench.err" | tee "$work/bench.out"
if [ -s "$work/bench.err" ]; then
    echo "(standard error of bench_map: $(wc -l <"$work/bench.err") line(s))"
    sed 's/^/  /' "$work/bench.err"
fi
echo "## peer: scipy (bench/map/peer_scipy.py), the same compartmental problem and data"
$PIN "$PY" "$here/peer_scipy.py" "$work/problem.json" "$N_PY" "$N_PY_ODE" | tee "$work/peer.out"

mt=$(grep '^bench_map:' "$work/bench.out")
pe=$(grep '^peer_scipy:' "$work/peer.out")
val() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<" $2"; }
VS=$(val vanco_sens "$mt"); VF=$(val vanco_fd "$mt"); VM=$(val vanco_mipd "$mt")
PS=$(val pbpk_sens "$mt"); PF=$(val pbpk_fd "$mt")
WO=$(val ode "$pe"); WC=$(val closed "$pe"); SO=$(val medtwin_ode_set "$pe"); SC=$(val medtwin_closed_set "$pe")
DU=$(val vanco_maxdu "$mt"); DO=$(val ode_maxdu "$pe"); DC=$(val closed_maxdu "$pe")
for v in VS VF VM PS PF WO WC SO SC DU DO DC; do
    [ -n "${!v}" ] || { echo "map: could not read $v from the output" >&2; exit 1; }
done
awk -v vs="$VS" -v vf="$VF" -v vm="$VM" -v ps="$PS" -v pf="$PF" -v wo="$WO" -v wc="$WC" \
    -v so="$SO" -v sc="$SC" -v du="$DU" -v do_="$DO" -v dc="$DC" 'BEGIN {
  printf "agreement: medtwin sens vs fd max|du| %s; peer-scipy vs medtwin max|du| %s (solve_ivp), %s (closed form); mt_mipd_fit %.1f ms/fit\n", du, do_, dc, vm
  printf "map: compartmental medtwin %.1f ms/fit (sens), %.1f ms/fit (fd); pbpk %.1f ms/fit (sens), %.1f (fd); peer-scipy %.1f ms/fit (solve_ivp), %.1f ms/fit (closed form); ratio fd/sens %.2fx (vanco), %.2fx (pbpk); scipy-ode/medtwin %.1fx; scipy-closed/medtwin %.2fx\n", vs, vf, ps, pf, wo, wc, vf / vs, pf / ps, wo / so, wc / sc }'
