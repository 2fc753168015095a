#!/usr/bin/env bash
# Runs the metadata-over-HTTP tests (SAMLMetadataHTTP, behind the HTTPMetadata trait) against a real
# HTTP server on loopback that the tests start themselves (Tests/SAMLMetadataHTTPTests/metadata_server.py).
# Needs python3. A missing python3 or a server that cannot start makes the tests fail, never skip.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v python3 >/dev/null || { echo "test-http-metadata: python3 is required (the tests' HTTP server)" >&2; exit 1; }
swift build --traits HTTPMetadata --build-tests
swift test --traits HTTPMetadata --skip-build --filter SAMLMetadataHTTPTests
