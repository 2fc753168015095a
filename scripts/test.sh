#!/usr/bin/env bash
# The whole test suite, as CI runs it (`.ci/run`): installs what it needs (apt), then
#   1. builds and runs the core tests (the peers pysaml2, python3-saml and xmlsec1 included),
#   2. builds the DocC documentation of every public module, warnings as errors,
#   3. the trait-gated products: metadata fetching, PostgreSQL stores, Hummingbird and Vapor,
#   4. the login demo in a real headless Chromium,
#   5. each fuzz target for a bounded time.
# Any failure stops the run with a non-zero status. `scripts/test.sh core` runs step 1 only.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
step() { echo "=== [$(( $(date +%s) - started )) s] $*" >&2; }

step "installing dependencies"
scripts/install-deps.sh test

step "core: build"
swift build --build-tests 2> >(grep -v "prohibited flag" >&2)
step "core: tests"
swift test --skip-build
[[ "${1:-}" == "core" ]] && { step "done"; exit 0; }

step "documentation"
scripts/docs.sh

step "trait-gated products"
scripts/test-traits.sh

step "browser demo"
scripts/test-browser.sh

if [[ -x scripts/fuzz.sh && -d Fuzz ]]; then
    step "fuzzing (bounded)"
    scripts/fuzz.sh all "${SAML_FUZZ_SECONDS:-20}"
fi
step "all passed"
