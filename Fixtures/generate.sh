#!/usr/bin/env bash
# Regenerates Fixtures/generated/: test keys, IdP metadata and signed / encrypted SAML Responses.
#
# Requirements: xmlsec1 (1.2.x, OpenSSL backend), openssl, python3 with the `cryptography` package.
# Keys are created once; if Fixtures/generated/keys/ already holds them they are reused, so a
# re-run only re-signs and re-encrypts (signature values, ciphertexts and session keys change,
# everything else is byte-identical). The test suite only reads the outputs; it never needs xmlsec1.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="$HERE/generated"
KEYS="$OUT/keys"
RESP="$OUT/responses"
ENC="$RESP/encrypted"
TOOLS="$HERE/tools"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT; [[ -n "${KEEP_WORK:-}" ]] && trap - EXIT

ASSERT_ID="_assert-8e4c61f09d2b4a7c93e5"
RESP_ID="_resp-3b9d2a71c0e84f55a6d1"
ID_ATTRS=(--id-attr:ID urn:oasis:names:tc:SAML:2.0:assertion:Assertion
          --id-attr:ID urn:oasis:names:tc:SAML:2.0:protocol:Response)
# xmlsec1 resolves <ds:RetrievalMethod URI="#_ek1"> only if EncryptedKey/@Id is a declared ID
ENC_ID_ATTRS=(--id-attr:Id http://www.w3.org/2001/04/xmlenc#:EncryptedKey
              --id-attr:Id http://www.w3.org/2001/04/xmlenc#:EncryptedData)
SP_KEY_PASSPHRASE="correct horse battery staple"

mkdir -p "$KEYS" "$ENC"

log() { printf '%s\n' "$*" >&2; }
fail() { printf 'generate.sh: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- keys
python3 "$TOOLS/make_keys.py" "$KEYS"
if [[ ! -f "$KEYS/sp-rsa.pkcs1.key.pem" ]]; then
  openssl rsa -in "$KEYS/sp-rsa.key.pem" -traditional -out "$KEYS/sp-rsa.pkcs1.key.pem" 2>/dev/null
fi
if [[ ! -f "$KEYS/sp-rsa.encrypted.key.pem" ]]; then
  openssl pkcs8 -topk8 -v2 aes-256-cbc -v2prf hmacWithSHA256 -in "$KEYS/sp-rsa.key.pem" \
    -passout "pass:$SP_KEY_PASSPHRASE" -out "$KEYS/sp-rsa.encrypted.key.pem"
fi
grep -q "BEGIN RSA PRIVATE KEY" "$KEYS/sp-rsa.pkcs1.key.pem" || fail "sp-rsa.pkcs1.key.pem is not PKCS#1"
grep -q "BEGIN ENCRYPTED PRIVATE KEY" "$KEYS/sp-rsa.encrypted.key.pem" || fail "sp-rsa.encrypted.key.pem is not encrypted PKCS#8"
# all three SP key files must hold the same key
spmod() { openssl pkey -in "$1" -passin "pass:$SP_KEY_PASSPHRASE" -pubout 2>/dev/null | openssl sha256 | awk '{print $NF}'; }
[[ "$(spmod "$KEYS/sp-rsa.key.pem")" == "$(spmod "$KEYS/sp-rsa.pkcs1.key.pem")" &&
   "$(spmod "$KEYS/sp-rsa.key.pem")" == "$(spmod "$KEYS/sp-rsa.encrypted.key.pem")" ]] || fail "SP key variants differ"

# keys/demo-sp.* are copies of SAMLTesting's DemoOnlyCredentials SP key (the one demo credential set)
[[ -f "$KEYS/demo-sp.key.pem" && -f "$KEYS/demo-sp.cert.pem" ]] || fail "keys/demo-sp.key.pem and .cert.pem (DemoOnlyCredentials' SP key) are missing"

# ---------------------------------------------------------------- helpers
key() { printf '%s,%s' "$KEYS/$1.key.pem" "$KEYS/$1.cert.pem"; }

# sign IN OUT KEYNAME NODE_ID  — signs the first ds:Signature template inside the element NODE_ID
sign() {
  xmlsec1 --sign --privkey-pem "$(key "$3")" "${ID_ATTRS[@]}" --node-id "$4" --output "$2" "$1"
}

# verify FILE CERTNAME NODE_ID  — fails the script unless the signature verifies with that cert only
verify() {
  xmlsec1 --verify --pubkey-cert-pem "$KEYS/$2.cert.pem" "${ID_ATTRS[@]}" --node-id "$3" "$1" \
    >"$WORK/verify.log" 2>&1 || { cat "$WORK/verify.log" >&2; fail "signature on $3 in $1 does not verify with $2"; }
}

# must_not_verify FILE CERTNAME NODE_ID
must_not_verify() {
  if xmlsec1 --verify --pubkey-cert-pem "$KEYS/$2.cert.pem" "${ID_ATTRS[@]}" --node-id "$3" "$1" >/dev/null 2>&1; then
    fail "signature on $3 in $1 unexpectedly verifies with $2"
  fi
}

build() { python3 "$TOOLS/build_response.py" "$@"; }

cert_b64() { sed -e '/-----/d' "$KEYS/$1.cert.pem"; }

# ---------------------------------------------------------------- IdP metadata
{
  cat <<XML
<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://idp.example.org/metadata">
  <md:IDPSSODescriptor WantAuthnRequestsSigned="true" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
XML
  for kd in 'use="signing"|idp-rsa' 'use="signing"|idp-rsa-next' '|idp-ec256' 'use="encryption"|idp-ec384'; do
    use="${kd%%|*}"; name="${kd#*|}"
    printf '    <md:KeyDescriptor%s>\n' "${use:+ $use}"
    printf '      <ds:KeyInfo>\n        <ds:X509Data>\n          <ds:X509Certificate>\n'
    cert_b64 "$name" | sed -e 's/^/            /'
    printf '          </ds:X509Certificate>\n        </ds:X509Data>\n      </ds:KeyInfo>\n'
    printf '    </md:KeyDescriptor>\n'
  done
  cat <<XML
    <md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.org/slo"/>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.org/sso/redirect"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp-eu.example.org/sso/redirect"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example.org/sso/post"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>
XML
} >"$OUT/idp-metadata.xml"
xmllint --noout "$OUT/idp-metadata.xml"

# ---------------------------------------------------------------- signed responses
build >"$RESP/unsigned.xml"
xmllint --noout "$RESP/unsigned.xml"

# assertion-only signatures: output name | signature algorithm | key
for spec in \
  "assertion-signed|rsa-sha256|idp-rsa" \
  "assertion-signed-rsa-sha1|rsa-sha1|idp-rsa" \
  "assertion-signed-rsa-sha512|rsa-sha512|idp-rsa" \
  "assertion-signed-next-key|rsa-sha256|idp-rsa-next" \
  "assertion-signed-ec256|ecdsa-sha256|idp-ec256" \
  "assertion-signed-ec384|ecdsa-sha384|idp-ec384" \
  "assertion-signed-attacker|rsa-sha256|attacker-rsa"
do
  IFS='|' read -r name alg signer <<<"$spec"
  build --assertion-sig "$alg" >"$WORK/$name.tmpl.xml"
  sign "$WORK/$name.tmpl.xml" "$RESP/$name.xml" "$signer" "$ASSERT_ID"
  verify "$RESP/$name.xml" "$signer" "$ASSERT_ID"
done
# the attacker key has the same subject as idp-rsa but must not verify against it
must_not_verify "$RESP/assertion-signed-attacker.xml" idp-rsa "$ASSERT_ID"

build --response-sig rsa-sha256 >"$WORK/response-signed.tmpl.xml"
sign "$WORK/response-signed.tmpl.xml" "$RESP/response-signed.xml" idp-rsa "$RESP_ID"
verify "$RESP/response-signed.xml" idp-rsa "$RESP_ID"

build --assertion-sig rsa-sha256 --response-sig rsa-sha256 >"$WORK/both-signed.tmpl.xml"
sign "$WORK/both-signed.tmpl.xml" "$WORK/both-signed.step1.xml" idp-rsa "$ASSERT_ID"
sign "$WORK/both-signed.step1.xml" "$RESP/both-signed.xml" idp-rsa "$RESP_ID"
verify "$RESP/both-signed.xml" idp-rsa "$ASSERT_ID"
verify "$RESP/both-signed.xml" idp-rsa "$RESP_ID"

# ---------------------------------------------------------------- encrypted assertions
# wrap_in_encrypted_assertion IN OUT: drops the Response signature (none here) and puts the signed
# <saml:Assertion> of IN, byte for byte, inside <saml:EncryptedAssertion>.
wrap_in_encrypted_assertion() {
  python3 - "$1" "$2" <<'PY'
import sys
text = open(sys.argv[1], encoding="utf-8").read()
start = text.index("  <saml:Assertion ")
end = text.index("</saml:Assertion>\n", start) + len("</saml:Assertion>\n")
open(sys.argv[2], "w", encoding="utf-8").write(
    text[:start] + "  <saml:EncryptedAssertion>\n    " + text[start:end - 1].lstrip(" ")
    + "\n  </saml:EncryptedAssertion>\n" + text[end:])
PY
}

# enc_template DATA_ALG KEY_ALG: xmlsec1 EncryptedData template, EncryptedKey inside KeyInfo
enc_template() {
  local data_alg="$1" key_alg="$2" digest=""
  if [[ "$key_alg" == rsa-oaep-mgf1p ]]; then
    digest=$'\n            <ds:DigestMethod Algorithm="http://www.w3.org/2000/09/xmldsig#sha1"/>\n          '
  fi
  cat <<XML
<xenc:EncryptedData xmlns:xenc="http://www.w3.org/2001/04/xmlenc#" Type="http://www.w3.org/2001/04/xmlenc#Element">
      <xenc:EncryptionMethod Algorithm="$data_alg"/>
      <ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
        <xenc:EncryptedKey>
          <xenc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#$key_alg">${digest:+${digest}}</xenc:EncryptionMethod>
          <ds:KeyInfo>
            <ds:X509Data>
              <ds:X509Certificate></ds:X509Certificate>
            </ds:X509Data>
          </ds:KeyInfo>
          <xenc:CipherData>
            <xenc:CipherValue></xenc:CipherValue>
          </xenc:CipherData>
        </xenc:EncryptedKey>
      </ds:KeyInfo>
      <xenc:CipherData>
        <xenc:CipherValue></xenc:CipherValue>
      </xenc:CipherData>
    </xenc:EncryptedData>
XML
}

# encrypt IN OUT DATA_ALG_URI SESSION_KEY KEY_ALG SP_KEYNAME
encrypt() {
  enc_template "$3" "$5" >"$WORK/enc.tmpl.xml"
  xmlsec1 --encrypt --pubkey-cert-pem "$KEYS/$6.cert.pem" --session-key "$4" \
    --xml-data "$1" "${ID_ATTRS[@]}" --node-id "$ASSERT_ID" --output "$2" "$WORK/enc.tmpl.xml"
}

# check_decrypts ENCRYPTED PLAIN SP_KEYNAME [strip-ek]: xmlsec1 must give back PLAIN byte for byte
# (with strip-ek: after dropping the detached <xenc:EncryptedKey>, which decryption leaves in place)
check_decrypts() {
  xmlsec1 --decrypt --privkey-pem "$KEYS/$3.key.pem" "${ID_ATTRS[@]}" "${ENC_ID_ATTRS[@]}" --output "$WORK/decrypted.xml" "$1" \
    >"$WORK/decrypt.log" 2>&1 || { cat "$WORK/decrypt.log" >&2; fail "$1 does not decrypt with $3"; }
  if [[ "${4:-}" == strip-ek ]]; then
    sed -i -e '/<xenc:EncryptedKey /,/<\/xenc:EncryptedKey>/d' "$WORK/decrypted.xml"
  fi
  cmp -s "$WORK/decrypted.xml" "$2" || fail "$1 decrypts to something else than its input"
  ! grep -q "EncryptedAssertion>" "$1" || ! grep -q "<saml:Assertion " "$1" || fail "$1 still holds a plaintext Assertion"
}

XENC="http://www.w3.org/2001/04/xmlenc#"
XENC11="http://www.w3.org/2009/xmlenc11#"

wrap_in_encrypted_assertion "$RESP/assertion-signed.xml" "$WORK/signed-wrapped.xml"
verify "$WORK/signed-wrapped.xml" idp-rsa "$ASSERT_ID"

for spec in \
  "aes128-cbc|${XENC}aes128-cbc|aes-128" \
  "aes192-cbc|${XENC}aes192-cbc|aes-192" \
  "aes256-cbc|${XENC}aes256-cbc|aes-256" \
  "aes128-gcm|${XENC11}aes128-gcm|aes-128" \
  "aes192-gcm|${XENC11}aes192-gcm|aes-192" \
  "aes256-gcm|${XENC11}aes256-gcm|aes-256"
do
  IFS='|' read -r short uri session <<<"$spec"
  out="$ENC/assertion-signed-$short-rsa-oaep-mgf1p.xml"
  encrypt "$WORK/signed-wrapped.xml" "$out" "$uri" "$session" rsa-oaep-mgf1p sp-rsa
  check_decrypts "$out" "$WORK/signed-wrapped.xml" sp-rsa
  verify "$WORK/decrypted.xml" idp-rsa "$ASSERT_ID"
done

# `saml demo` decrypts with the one demo SP key: SAMLTesting's DemoOnlyCredentials, copied to keys/demo-sp.*
out="$ENC/assertion-signed-aes256-gcm-demo-sp.xml"
encrypt "$WORK/signed-wrapped.xml" "$out" "${XENC11}aes256-gcm" aes-256 rsa-oaep-mgf1p demo-sp
check_decrypts "$out" "$WORK/signed-wrapped.xml" demo-sp
verify "$WORK/decrypted.xml" idp-rsa "$ASSERT_ID"

out="$ENC/assertion-signed-aes256-cbc-rsa-1_5.xml"
encrypt "$WORK/signed-wrapped.xml" "$out" "${XENC}aes256-cbc" aes-256 rsa-1_5 sp-rsa
check_decrypts "$out" "$WORK/signed-wrapped.xml" sp-rsa

out="$ENC/assertion-signed-aes256-cbc-next-sp-key.xml"
encrypt "$WORK/signed-wrapped.xml" "$out" "${XENC}aes256-cbc" aes-256 rsa-oaep-mgf1p sp-rsa-next
check_decrypts "$out" "$WORK/signed-wrapped.xml" sp-rsa-next
if xmlsec1 --decrypt --privkey-pem "$KEYS/sp-rsa.key.pem" --output "$WORK/x.xml" "$out" >/dev/null 2>&1; then
  fail "$out unexpectedly decrypts with sp-rsa"
fi

encrypt "$WORK/signed-wrapped.xml" "$WORK/key-inside.xml" "${XENC}aes256-cbc" aes-256 rsa-oaep-mgf1p sp-rsa
out="$ENC/assertion-signed-aes256-cbc-key-beside.xml"
python3 "$TOOLS/move_encrypted_key.py" "$WORK/key-inside.xml" "$out"
xmllint --noout "$out"
check_decrypts "$out" "$WORK/signed-wrapped.xml" sp-rsa strip-ek

out="$ENC/assertion-signed-aes256-gcm-rsa-oaep-sha256.xml"
python3 "$TOOLS/encrypt_oaep256.py" encrypt "$WORK/signed-wrapped.xml" "$KEYS/sp-rsa.cert.pem" "$out"
xmllint --noout "$out"
python3 "$TOOLS/encrypt_oaep256.py" decrypt "$out" "$KEYS/sp-rsa.key.pem" "$WORK/decrypted.xml"
cmp -s "$WORK/decrypted.xml" "$WORK/signed-wrapped.xml" || fail "$out does not round-trip"
verify "$WORK/decrypted.xml" idp-rsa "$ASSERT_ID"

# unsigned assertion, encrypted; Response signed after encryption (valid) or not at all (invalid)
build --encrypted-wrapper --response-sig rsa-sha256 >"$WORK/rs-wrapped.xml"
encrypt "$WORK/rs-wrapped.xml" "$WORK/rs-encrypted.xml" "${XENC}aes256-cbc" aes-256 rsa-oaep-mgf1p sp-rsa
out="$ENC/response-signed-assertion-unsigned-encrypted.xml"
sign "$WORK/rs-encrypted.xml" "$out" idp-rsa "$RESP_ID"
verify "$out" idp-rsa "$RESP_ID"
xmlsec1 --decrypt --privkey-pem "$KEYS/sp-rsa.key.pem" "${ID_ATTRS[@]}" --output "$WORK/decrypted.xml" "$out" >/dev/null 2>&1 \
  || fail "$out does not decrypt"
grep -q "<saml:Assertion " "$WORK/decrypted.xml" || fail "$out: no Assertion after decryption"

build --encrypted-wrapper >"$WORK/ru-wrapped.xml"
out="$ENC/response-unsigned-assertion-unsigned-encrypted.xml"
encrypt "$WORK/ru-wrapped.xml" "$out" "${XENC}aes256-cbc" aes-256 rsa-oaep-mgf1p sp-rsa
check_decrypts "$out" "$WORK/ru-wrapped.xml" sp-rsa

for f in "$RESP"/*.xml "$ENC"/*.xml; do xmllint --noout "$f"; done
log "generate.sh: all fixtures written to $OUT and verified"

# ---------------------------------------------------------------- encrypted NameID / Attribute, non-Assertion payload
# Single elements are encrypted with `xmlsec1 --encrypt --binary-data PLAIN`: PLAIN holds the exact
# element bytes (self-contained: xmlns:saml and, where xsi:type is used, xmlns:xs / xmlns:xsi are
# declared on the element), the EncryptedData is then spliced in by tools/encrypted_parts.py.
parts() { python3 "$TOOLS/encrypted_parts.py" "$@"; }

# encrypt_bytes PLAIN OUT DATA_ALG_URI SESSION_KEY KEY_ALG SP_KEYNAME EXTRA_INDENT
encrypt_bytes() {
  enc_template "$3" "$5" | sed -e "2,\$s/^/$7/" >"$WORK/enc-bytes.tmpl.xml"
  xmlsec1 --encrypt --pubkey-cert-pem "$KEYS/$6.cert.pem" --session-key "$4" \
    --binary-data "$1" --output "$2" "$WORK/enc-bytes.tmpl.xml"
}

# decrypt_all ENCRYPTED COUNT SP_KEYNAME: xmlsec1 decrypts the first EncryptedData of a document,
# so run it COUNT times; the result is left in $WORK/decrypted.xml
decrypt_all() {
  cp "$1" "$WORK/decrypted.xml"
  local n
  for ((n = 0; n < $2; n++)); do
    xmlsec1 --decrypt --privkey-pem "$KEYS/$3.key.pem" "${ID_ATTRS[@]}" --output "$WORK/decrypt-step.xml" "$WORK/decrypted.xml" \
      >"$WORK/decrypt.log" 2>&1 || { cat "$WORK/decrypt.log" >&2; fail "$1 does not decrypt with $3 (EncryptedData #$((n + 1)))"; }
    mv "$WORK/decrypt-step.xml" "$WORK/decrypted.xml"
  done
  ! grep -q "<xenc:EncryptedData " "$WORK/decrypted.xml" || fail "$1: EncryptedData left after $2 decryptions"
}

# 1. Subject NameID -> EncryptedID (aes256-gcm), givenName Attribute -> EncryptedAttribute
#    (aes128-cbc), both rsa-oaep-mgf1p to sp-rsa; then the Assertion is signed (Response unsigned).
build --assertion-sig rsa-sha256 >"$WORK/ep.tmpl.xml"
parts plaintext "$WORK/ep.tmpl.xml" nameid "$WORK/ep-nameid.plain.xml"
parts plaintext "$WORK/ep.tmpl.xml" attribute:givenName "$WORK/ep-attr.plain.xml"
encrypt_bytes "$WORK/ep-nameid.plain.xml" "$WORK/ep-nameid.enc.xml" "${XENC11}aes256-gcm" aes-256 rsa-oaep-mgf1p sp-rsa "    "
encrypt_bytes "$WORK/ep-attr.plain.xml" "$WORK/ep-attr.enc.xml" "${XENC}aes128-cbc" aes-128 rsa-oaep-mgf1p sp-rsa "    "
parts replace "$WORK/ep.tmpl.xml" nameid EncryptedID "$WORK/ep-nameid.enc.xml" "$WORK/ep.step1.xml"
parts replace "$WORK/ep.step1.xml" attribute:givenName EncryptedAttribute "$WORK/ep-attr.enc.xml" "$WORK/ep.step2.xml"
out="$ENC/assertion-signed-encrypted-nameid-and-attribute.xml"
sign "$WORK/ep.step2.xml" "$out" idp-rsa "$ASSERT_ID"
verify "$out" idp-rsa "$ASSERT_ID"
xmllint --noout "$out"
! grep -q "<saml:NameID " "$out" || fail "$out still holds a plaintext NameID"
! grep -q 'Name="givenName"' "$out" || fail "$out still holds the plaintext givenName Attribute"
parts restore "$out" "$WORK/ep-nameid.plain.xml" "$WORK/ep-attr.plain.xml" "$WORK/ep.expected.xml"
decrypt_all "$out" 2 sp-rsa
cmp -s "$WORK/decrypted.xml" "$WORK/ep.expected.xml" || fail "$out decrypts to something else than its input"

# 2. signed Response whose EncryptedAssertion decrypts to a NameID, not to an Assertion
printf '%s' '<saml:NameID xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">mallory@example.com</saml:NameID>' \
  >"$WORK/na.plain.xml"
build --encrypted-wrapper --response-sig rsa-sha256 >"$WORK/na.tmpl.xml"
encrypt_bytes "$WORK/na.plain.xml" "$WORK/na.enc.xml" "${XENC}aes256-cbc" aes-256 rsa-oaep-mgf1p sp-rsa ""
parts replace "$WORK/na.tmpl.xml" assertion - "$WORK/na.enc.xml" "$WORK/na.step1.xml"
out="$ENC/payload-not-an-assertion.xml"
sign "$WORK/na.step1.xml" "$out" idp-rsa "$RESP_ID"
verify "$out" idp-rsa "$RESP_ID"
xmllint --noout "$out"
parts restore "$out" "$WORK/na.plain.xml" "$WORK/na.expected.xml"
check_decrypts "$out" "$WORK/na.expected.xml" sp-rsa
! grep -q "<saml:Assertion " "$WORK/decrypted.xml" || fail "$out: decrypted payload is an Assertion"

# 3. signed Assertion, aes256-cbc, xmlenc11#rsa-oaep with DigestMethod sha512 and MGF mgf1sha256
out="$ENC/assertion-signed-aes256-cbc-rsa-oaep-sha512-mgf1sha256.xml"
python3 "$TOOLS/encrypt_oaep_sha512.py" encrypt "$WORK/signed-wrapped.xml" "$KEYS/sp-rsa.cert.pem" "$out"
xmllint --noout "$out"
python3 "$TOOLS/encrypt_oaep_sha512.py" decrypt "$out" "$KEYS/sp-rsa.key.pem" "$WORK/decrypted.xml"
cmp -s "$WORK/decrypted.xml" "$WORK/signed-wrapped.xml" || fail "$out does not round-trip"
verify "$WORK/decrypted.xml" idp-rsa "$ASSERT_ID"
# independent check with the openssl CLI: unwrap the key, decrypt the content, compare with the Assertion
hex() { od -An -v -tx1 "$1" | tr -d ' \n'; }
ed="//*[local-name()='EncryptedData']"
xmllint --xpath "string($ed/*[local-name()='KeyInfo']/*[local-name()='EncryptedKey']/*[local-name()='CipherData']/*[local-name()='CipherValue'])" "$out" \
  | tr -d ' \n' | openssl base64 -d -A >"$WORK/o3.wrapped"
xmllint --xpath "string($ed/*[local-name()='CipherData']/*[local-name()='CipherValue'])" "$out" \
  | tr -d ' \n' | openssl base64 -d -A >"$WORK/o3.sealed"
openssl pkeyutl -decrypt -inkey "$KEYS/sp-rsa.key.pem" -pkeyopt rsa_padding_mode:oaep \
  -pkeyopt rsa_oaep_md:sha512 -pkeyopt rsa_mgf1_md:sha256 -in "$WORK/o3.wrapped" -out "$WORK/o3.cek"
[[ "$(stat -c %s "$WORK/o3.cek")" == 32 ]] || fail "$out: unwrapped key is not 32 bytes"
head -c 16 "$WORK/o3.sealed" >"$WORK/o3.iv"
tail -c +17 "$WORK/o3.sealed" | openssl enc -d -aes-256-cbc -K "$(hex "$WORK/o3.cek")" \
  -iv "$(hex "$WORK/o3.iv")" -out "$WORK/o3.plain"
python3 "$TOOLS/encrypted_parts.py" plaintext "$WORK/signed-wrapped.xml" assertion "$WORK/o3.expected"
cmp -s "$WORK/o3.plain" "$WORK/o3.expected" || fail "$out: openssl decryption differs from the signed Assertion"

for f in "$ENC"/assertion-signed-encrypted-nameid-and-attribute.xml "$ENC"/payload-not-an-assertion.xml \
         "$ENC"/assertion-signed-aes256-cbc-rsa-oaep-sha512-mgf1sha256.xml; do xmllint --noout "$f"; done
log "generate.sh: encrypted NameID / Attribute and non-Assertion payload fixtures written and verified"
