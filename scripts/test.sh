#!/usr/bin/env bash
# Installs what the tests need, builds everything (the CLI tests run the `saml` binary), runs the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh test
swift build --build-tests
swift test --skip-build "$@"
