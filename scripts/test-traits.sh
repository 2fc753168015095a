#!/usr/bin/env bash
# The tests of the trait-gated products in one build (folder .build-traits): metadata fetching
# (HTTPMetadata, against a loopback HTTP server the tests start), the PostgreSQL stores (against a
# throwaway cluster started here), and the Hummingbird and Vapor integrations.
#   scripts/test-traits.sh [extra swift test arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh test
traits="HTTPMetadata,PostgreSQL,Hummingbird,Vapor"
swift build --build-tests --scratch-path .build-traits --traits "$traits" 2> >(grep -v "prohibited flag" >&2)

scripts/postgres.sh start
trap 'scripts/postgres.sh destroy' EXIT
eval "$(scripts/postgres.sh env)"
swift test --skip-build --scratch-path .build-traits --traits "$traits" \
    --filter 'SAMLMetadataHTTPTests|SAMLPostgresTests|SAMLHummingbirdTests|SAMLVaporTests' "$@"
