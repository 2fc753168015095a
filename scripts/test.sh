#!/usr/bin/env bash
# The test suite. With no argument (or `all`) it runs everything CI runs (`.ci/run`); a mode runs
# one part. Each installs what it needs (apt) first; any failure stops the run with a non-zero status.
#
#   scripts/test.sh [all]      core, docs, traits, browser, then fuzz — what CI runs
#   scripts/test.sh core       builds and runs the core tests (the peers pysaml2, python3-saml and
#                              xmlsec1 included, a live SimpleSAMLphp IdP on loopback that the tests
#                              start through scripts/simplesamlphp.sh, and the eduGAIN-shaped aggregate
#                              of scripts/generate-federation-aggregate.sh)
#   scripts/test.sh docs       builds the DocC documentation of every public module, warnings as errors
#   scripts/test.sh traits [SUITE…] [-- swift test arguments]
#                              the trait-gated products in one build (HTTPMetadata, PostgreSQL,
#                              Hummingbird, Vapor; folder .build-traits, or $SAML_TRAITS_SCRATCH_PATH):
#                              metadata fetching against a loopback HTTP server the tests start, the
#                              PostgreSQL stores against a throwaway cluster started here, the two
#                              web integrations. SUITE narrows it: metadata, postgres, hummingbird, vapor.
#   scripts/test.sh browser    the login demo in a real headless Chromium (scripts/test-browser.sh)
#   scripts/test.sh fuzz [SECONDS]
#                              each fuzz target for a bounded time (default $SAML_FUZZ_SECONDS or 20)
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
step() { echo "=== [$(( $(date +%s) - started )) s] $*" >&2; }
mode="${1:-all}"
[[ $# -gt 0 ]] && shift

core() {
    # A folder under Tests/ that no target names is never compiled: its tests would silently not run.
    local folder
    for folder in Tests/*/; do
        folder="${folder%/}"
        grep -q -e "name: \"${folder#Tests/}\"" -e "path: \"$folder\"" Package.swift ||
            { echo "$folder is not a target of Package.swift, so nothing in it is compiled: move its files to the test target of the module they test" >&2; exit 1; }
    done
    step "core: build"
    swift build --build-tests 2> >(grep -v "prohibited flag" >&2)
    step "core: tests"
    # The live SimpleSAMLphp tests need PHP and Debian's simplesamlphp; without them they fail, never skip.
    command -v php >/dev/null && [[ -d /usr/share/simplesamlphp/www ]] || { echo "PHP or simplesamlphp missing" >&2; exit 1; }
    swift test --skip-build
}

docs() {
    step "documentation"
    scripts/docs.sh
}

# In a subshell: the PostgreSQL cluster it starts is destroyed when it returns.
traits() (
    local filters=() extra=()
    while [[ $# -gt 0 ]]; do
        case "$1" in
            metadata) filters+=(SAMLMetadataHTTPTests) ;;
            postgres) filters+=(SAMLPostgresTests) ;;
            hummingbird) filters+=(SAMLHummingbirdTests) ;;
            vapor) filters+=(SAMLVaporTests) ;;
            --) shift; extra=("$@"); break ;;
            *) echo "test.sh traits: unknown suite '$1' (metadata, postgres, hummingbird, vapor)" >&2; exit 2 ;;
        esac
        shift
    done
    [[ ${#filters[@]} -eq 0 ]] && filters=(SAMLMetadataHTTPTests SAMLPostgresTests SAMLHummingbirdTests SAMLVaporTests)
    local filter
    filter="$(IFS='|'; echo "${filters[*]}")"
    local scratch="${SAML_TRAITS_SCRATCH_PATH:-.build-traits}"
    local set="HTTPMetadata,PostgreSQL,Hummingbird,Vapor"
    command -v python3 >/dev/null || { echo "test.sh traits: python3 is required (the metadata tests' HTTP server)" >&2; exit 1; }
    step "trait-gated products: build"
    swift build --build-tests --scratch-path "$scratch" --traits "$set" 2> >(grep -v "prohibited flag" >&2)
    if [[ "$filter" == *SAMLPostgresTests* ]]; then
        scripts/postgres.sh start
        trap 'scripts/postgres.sh destroy' EXIT
        eval "$(scripts/postgres.sh env)"
    fi
    step "trait-gated products: tests ($filter)"
    swift test --skip-build --scratch-path "$scratch" --traits "$set" --filter "$filter" ${extra[@]+"${extra[@]}"}
)

browser() {
    step "browser demo"
    scripts/test-browser.sh
}

fuzz() {
    step "fuzzing (bounded)"
    scripts/fuzz.sh all "${1:-${SAML_FUZZ_SECONDS:-20}}"
}

case "$mode" in
    all)
        step "installing dependencies"
        scripts/install-deps.sh test
        core
        docs
        traits
        browser
        fuzz
        ;;
    core) scripts/install-deps.sh test; core ;;
    docs) scripts/install-deps.sh build; docs ;;
    traits) scripts/install-deps.sh test; traits "$@" ;;
    browser) browser ;;
    fuzz) scripts/install-deps.sh build; fuzz "$@" ;;
    *) echo "usage: scripts/test.sh [all|core|docs|traits [SUITE…]|browser|fuzz [SECONDS]]" >&2; exit 2 ;;
esac
step "passed: $mode"
