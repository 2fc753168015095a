#!/usr/bin/env bash
# Builds the `saml` tool and runs its demo on bundled data (no IdP, no network).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh build
swift build --product saml 2> >(grep -v "prohibited flag" >&2)
exec .build/debug/saml demo "$@"
