#!/usr/bin/env bash
# Builds the Vapor integration (the `Vapor` package trait, off by default) and runs its tests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh build
swift test --traits Vapor --filter SAMLVaporTests "$@"
