#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# THE demo: installs the dependencies, builds the release CLI in build/, simulates the bundled
# one-compartment oral PK model for 24 h (a CSV trajectory and a PNG plot under out/), then starts
# the repository node on SQLite (out/medtwin-node.db) with the bundled models, the drug cards and
# the demo twins loaded, prints its URL and tokens, and serves until Ctrl-C.
#   MT_LISTEN   the node's address (default 127.0.0.1:8080; port 0: any free port)
#   MT_NODE_DB  its store (default sqlite:out/medtwin-node.db)
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

listen=${MT_LISTEN:-127.0.0.1:8080}
db=${MT_NODE_DB:-sqlite:out/medtwin-node.db}
echo
echo "==> medtwin serve --db $db --listen $listen --demo   (Ctrl-C stops it)"
echo "    the bundled models and drug cards, and three demo twins (fictional patients) as the group"
echo "    demo; the tokens are printed once, on the first start. Try:"
echo "      curl -H 'Authorization: Bearer TOKEN' http://HOST:PORT/api/v1/models"
exec build/medtwin serve --db "$db" --listen "$listen" --demo
