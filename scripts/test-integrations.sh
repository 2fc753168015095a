#!/usr/bin/env bash
# Builds the framework integrations (package traits, off by default) and runs their tests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh build
swift test --traits Hummingbird --filter SAMLHummingbirdTests "$@"
