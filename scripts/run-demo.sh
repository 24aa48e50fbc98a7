#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# THE demo: installs the dependencies, builds the release CLI in build/ and simulates the bundled
# one-compartment oral PK model for 24 h, writing a CSV trajectory and a PNG plot under out/.
set -euo pipefail

cd "$(dirname "$0")/.."
model=data/models/pk_oral_1cpt.xml

echo "==> dependencies"
bash scripts/install-deps.sh

echo "==> build (Release, build/)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j2 >/dev/null || cmake --build build -j1 # show the errors when it fails

[ -f "$model" ] || { echo "run-demo: $model is missing" >&2; exit 1; }
mkdir -p out
echo "==> medtwin simulate $model --end 24 --steps 240"
build/medtwin simulate "$model" --end 24 --steps 240 --out out/demo.csv --plot out/demo.png

echo
echo "trajectory: $(pwd)/out/demo.csv"
echo "plot:       $(pwd)/out/demo.png"
