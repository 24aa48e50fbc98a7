#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The qualification with PK-Sim's mucosa on every card that can take it (docs/absorption.md,
# "PK-Sim's mucosa"): scripts/qualify-variant.sh mucosa.
# Usage: bash scripts/qualify-mucosa.sh [BUILD_DIR] [OUT]
exec bash "$(dirname "$0")/qualify-variant.sh" mucosa "$@"
