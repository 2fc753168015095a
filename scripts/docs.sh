#!/usr/bin/env bash
# Builds the DocC documentation of every public module, the trait-gated ones included (in the
# trait build folder, .build-traits, shared with scripts/test-traits.sh); any warning fails.
#   scripts/docs.sh [OUTPUT_DIR]     default .build/docs
#   SAML_TRAITS_SCRATCH_PATH=DIR     another trait build folder (as for scripts/test.sh traits;
#                                    SAML_TRAITS_SCRATCH is read too)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh build
out="${1:-.build/docs}"
mkdir -p "$out"
traits="HTTPMetadata,PostgreSQL,Hummingbird,Vapor"
scratch="${SAML_TRAITS_SCRATCH_PATH:-${SAML_TRAITS_SCRATCH:-.build-traits}}"
failed=()
document() {  # TARGET [swift package options...]
    local target="$1"; shift
    echo "== $target" >&2
    if ! swift package "$@" --allow-writing-to-directory "$out" generate-documentation --target "$target" \
        --output-path "$out/$target" --warnings-as-errors --transform-for-static-hosting \
        2> >(grep -v "prohibited flag" >&2); then
        failed+=("$target")
    fi
}
for target in SAMLLogin SAMLCore SAMLXMLSec SAMLMetadata SAMLRequests SAMLVerification SAMLTesting SAMLInspection SAMLWeb; do
    document "$target"
done
for target in SAMLHummingbird SAMLVapor SAMLPostgres SAMLMetadataHTTP; do
    document "$target" --scratch-path "$scratch" --traits "$traits"
done
if [[ ${#failed[@]} -gt 0 ]]; then
    echo "Documentation failed for: ${failed[*]}" >&2
    exit 1
fi
echo "Documentation in $out" >&2
