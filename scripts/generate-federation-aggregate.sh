#!/usr/bin/env bash
# Generates an eduGAIN-shaped federation aggregate and signs its root with the `xmlsec1` CLI.
#
#   scripts/generate-federation-aggregate.sh OUT.xml [ENTITIES]    (default 10000 entities, about 65 MB)
#
# The shape is described in scripts/generate-federation-aggregate.py. The signature is RSA-SHA256 over
# the whole EntitiesDescriptor (enveloped, exclusive c14n) by Fixtures/generated/keys/idp-rsa; verify
# with that certificate (`saml metadata OUT.xml --verify-with Fixtures/generated/keys/idp-rsa.cert.pem`).
# Entity i is an IdP when i % 10 < 3: https://idp<i>.example-<i % 97>.org/idp/shibboleth.
# The output is never committed: the tests and Benchmarks/metadata generate it when they need it.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:?usage: generate-federation-aggregate.sh OUT.xml [ENTITIES]}"
count="${2:-10000}"
keys="$root/Fixtures/generated/keys"
command -v xmlsec1 >/dev/null || { echo "generate-federation-aggregate: xmlsec1 is not installed (scripts/install-deps.sh test)" >&2; exit 1; }
# Both intermediate files are private to this run, and the result is moved into place whole, so
# runs that generate the same file at once never read or clobber each other's half-written output.
unsigned="$(mktemp "${out}.unsigned.XXXXXX")"
signed="$(mktemp "${out}.signed.XXXXXX")"
trap 'rm -f "$unsigned" "$signed"' EXIT
python3 "$root/scripts/generate-federation-aggregate.py" "$unsigned" "$count" \
    "$keys/idp-rsa.cert.pem" "$keys/idp-rsa-next.cert.pem" "$keys/sp-rsa.cert.pem" "$keys/sp-rsa-next.cert.pem"
xmlsec1 --sign --privkey-pem "$keys/idp-rsa.key.pem,$keys/idp-rsa.cert.pem" \
    --id-attr:ID urn:oasis:names:tc:SAML:2.0:metadata:EntitiesDescriptor --output "$signed" "$unsigned"
mv "$signed" "$out"
