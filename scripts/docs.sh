#!/usr/bin/env bash
# Builds the DocC documentation of every public module; any warning fails the build.
#   scripts/docs.sh [OUTPUT_DIR]     default .build/docs
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh build
out="${1:-.build/docs}"
mkdir -p "$out"
failed=()
for target in SAMLLogin SAMLCore SAMLXMLSec SAMLMetadata SAMLRequests SAMLVerification SAMLTesting; do
    echo "== $target" >&2
    if ! swift package --allow-writing-to-directory "$out" generate-documentation --target "$target" \
        --output-path "$out/$target" --warnings-as-errors --transform-for-static-hosting \
        2> >(grep -v "prohibited flag" >&2); then
        failed+=("$target")
    fi
done
if [[ ${#failed[@]} -gt 0 ]]; then
    echo "Documentation failed for: ${failed[*]}" >&2
    exit 1
fi
echo "Documentation in $out" >&2
