#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs everything medtwin needs to build, test, fuzz and plot on Debian 12 (bookworm).
# Run as root on a fresh machine. Every package the build or the tests use is named here
# explicitly; nothing is assumed to be there already. Idempotent: when all of them are
# installed it prints one line and never calls apt.
set -euo pipefail

packages=(
    # toolchain and build
    build-essential gcc libc6-dev make cmake pkg-config git file ca-certificates
    # clang: libFuzzer targets and their sanitizer runtimes, the formatter, the symbolizer
    clang clang-format libclang-rt-14-dev llvm
    # SBML import (libsbml.pc names libxml2, zlib and bzip2 for linking)
    libsbml5-dev libxml2-dev zlib1g-dev libbz2-dev
    # ODE integration (CVODES); KLU (SuiteSparse) for its sparse linear solver
    libsundials-dev libsuitesparse-dev
    # plots (PNG/SVG/PDF through the cairo driver; a font for the axis labels and legend)
    libplplot-dev plplot-driver-cairo fonts-dejavu-core
    # JSON
    libjansson-dev
    # flux balance analysis (fbc): the linear programming solver
    libglpk-dev
    # exact solutions of linear models: eigendecomposition and LU (LAPACK, reference BLAS)
    liblapack-dev libblas-dev
    # fitting: nonlinear least squares and quasi-Newton minimisation (src/fit)
    libgsl-dev
    # populations on MPI ranks (`mpirun -np R medtwin population`): Open MPI, its launcher
    libopenmpi-dev openmpi-bin
    # `script` (a terminal for the progress-bar test)
    bsdutils
    # the repository node (`medtwin serve`): HTTP server, SQLite and PostgreSQL storage (client
    # library, and the server the tests start on loopback), tokens and encryption
    libmicrohttpd-dev libsqlite3-dev libpq-dev postgresql libsodium-dev
    # the node's operations: COMBINE/OMEX archives (libzip; libxml2-dev above parses their
    # manifests), `medtwin backup`/`restore` of PostgreSQL stores (pg_dump, pg_restore) and the
    # TLS test's self-signed certificate (openssl)
    libzip-dev postgresql-client openssl
    # the node's load test (bench/node) and its tests' HTTP load
    wrk
    # tooling: the SBML conformance scorer and the test scripts
    python3 bash coreutils findutils grep sed diffutils
)

# --bench: also the peers of bench/pbpk15 (R deSolve with a compiled right-hand side, scipy,
# LAPACK for the C peer's exact method). Not needed to build or test medtwin.
if [ "${1:-}" = "--bench" ]; then
    packages+=(r-base-core r-cran-desolve python3-numpy python3-scipy util-linux)
fi

missing=()
for p in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
    [ "$status" = "installed" ] || missing+=("$p")
done

if [ "${#missing[@]}" -eq 0 ]; then
    echo "install-deps: all ${#packages[@]} packages present"
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing: ${missing[*]} (run this script as root to install them)" >&2
    exit 1
fi

echo "install-deps: installing ${#missing[@]} package(s): ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# Only the missing ones are named to apt, so packages already present are never upgraded
# behind the user's back.
if ! { apt-get update -q && apt-get install -y -q --no-install-recommends "${missing[@]}"; } \
    >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    echo "install-deps: apt-get failed" >&2
    exit 1
fi
echo "install-deps: done"
