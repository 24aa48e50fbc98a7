#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Regenerates docs/validation/ (issue #3): `medtwin validate` on the shared clinical data.
#   docs/validation/midazolam/  the 62 single-dose midazolam datasets of midazolam_validation_set.csv
#                               (observations and study properties from the OSP Midazolam model)
#   docs/validation/ddi/        the 110 interaction study arms of ddi_validation_shared.csv
# Each folder gets report.md, results.csv and PNG plots; the summary lines are printed.
# Usage: bash scripts/validation.sh [BUILD_DIR]   (default build/; builds it when missing)
# The data are read from ../shared/data/clinical (MT_SHARED overrides ../shared).
set -euo pipefail

cd "$(dirname "$0")/.."
build=${1:-build}
shared=${MT_SHARED:-../shared}
clinical=$shared/data/clinical
for f in osp_Midazolam_observed.csv osp_Midazolam_observed_meta.csv midazolam_validation_set.csv \
    ddi_validation_shared.csv; do
    [ -f "$clinical/$f" ] || { echo "validation: $clinical/$f is missing" >&2; exit 1; }
done
if [ ! -x "$build/medtwin" ]; then
    cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$build" -j2 >/dev/null
fi

# generated folders only (README.md stays): no stale plot of a dataset no longer predicted
rm -rf docs/validation/midazolam docs/validation/ddi
mkdir -p docs/validation/midazolam docs/validation/ddi
# the report names its inputs as given here: paths relative to the repository
"$build/medtwin" validate --quiet \
    --observed "$clinical/osp_Midazolam_observed.csv" \
    --meta "$clinical/osp_Midazolam_observed_meta.csv" \
    --set "$clinical/midazolam_validation_set.csv" \
    --out docs/validation/midazolam
"$build/medtwin" validate --quiet --ddi "$clinical/ddi_validation_shared.csv" --out docs/validation/ddi
