#!/usr/bin/python3
"""Lasso peer: verifies a SAML Response with Lasso (Debian python3-lasso).

Per iteration: lasso.Login(server), processAuthnResponseMsg(base64 response),
acceptSso(), then reads the NameID and compares it with the expected value.
The Server is built once (SP metadata + SP key, IdP provider from its metadata),
as an SP would do at start-up.

Lasso 2.8.1 (Debian bookworm) does NOT check Conditions or
SubjectConfirmationData times in processAuthnResponseMsg/acceptSso (it accepts the
fixture 10 months after NotOnOrAfter), so this script checks NotBefore/NotOnOrAfter,
Recipient, InResponseTo and Audience itself against a pinned clock (--now).
run.sh still runs it under faketime at 2026-01-15 10:01:00 UTC so that any clock
read inside Lasso agrees with the pinned one.

Usage: verify.py [--iterations N] --idp-metadata FILE [--sp-key PEM] [--now RFC3339]
                 [--expect-fail] RESPONSE.xml
Prints "verify: <ops/s> ops/s <us/op> us/op" last.
"""
import argparse
import base64
import datetime
import os
import sys
import tempfile
import time

import lasso

SP_ENTITY_ID = "https://sp.example.com/saml/acs"
ACS_URL = "https://sp.example.com/saml/acs"
IDP_ENTITY_ID = "https://idp.example.org/metadata"
EXPECTED_NAMEID = "alice@example.com"
REQUEST_ID = "_req-7c1f2c5e9b0a4d6e8f10"
CM_BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
SKEW = datetime.timedelta(seconds=60)

SP_METADATA = """<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="{entity}">
  <md:SPSSODescriptor AuthnRequestsSigned="false" WantAssertionsSigned="true"
      protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>
    <md:AssertionConsumerService index="0" isDefault="true"
        Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="{acs}"/>
  </md:SPSSODescriptor>
</md:EntityDescriptor>
"""


def make_server(idp_metadata, sp_key, sp_metadata_path):
    server = lasso.Server(sp_metadata_path, sp_key, None, None)
    if sp_key:
        # Private key used to decrypt EncryptedAssertion.
        server.setEncryptionPrivateKey(sp_key)
    server.addProvider(lasso.PROVIDER_ROLE_IDP, idp_metadata, None, None)
    return server


def parse_instant(value):
    t = datetime.datetime.fromisoformat(value)  # Python 3.11 accepts the trailing Z
    if t.tzinfo is None:
        raise ValueError("instant without time zone: %r" % value)
    return t


def verify_once(server, msg, now, skew=SKEW):
    login = lasso.Login(server)
    login.processAuthnResponseMsg(msg)  # verifies signatures, decrypts
    login.acceptSso()
    response = login.response
    if response.destination != ACS_URL or response.inResponseTo != REQUEST_ID:
        raise RuntimeError("Destination/InResponseTo mismatch")
    name_id = login.nameIdentifier
    if name_id is None or name_id.content != EXPECTED_NAMEID:
        raise RuntimeError("unexpected NameID: %r" % (name_id and name_id.content))
    assertion = response.assertion[0]
    if assertion.issuer.content != IDP_ENTITY_ID:
        raise RuntimeError("unexpected Issuer")
    # Lasso 2.8.1 does not check these times itself: done here, pinned clock.
    cond = assertion.conditions
    if cond.notBefore and parse_instant(cond.notBefore) > now + skew:
        raise RuntimeError("assertion not yet valid")
    if cond.notOnOrAfter and now - skew >= parse_instant(cond.notOnOrAfter):
        raise RuntimeError("assertion expired")
    for restriction in cond.audienceRestriction or ():
        if restriction.audience != SP_ENTITY_ID:
            raise RuntimeError("audience mismatch")
    sc = assertion.subject.subjectConfirmation
    scd = sc.subjectConfirmationData
    if sc.method != CM_BEARER or scd is None or scd.recipient != ACS_URL \
            or scd.inResponseTo != REQUEST_ID or not scd.notOnOrAfter \
            or now - skew >= parse_instant(scd.notOnOrAfter):
        raise RuntimeError("bearer SubjectConfirmationData mismatch")
    return name_id.content


def tampered(xml):
    if b">alice@example.com<" in xml:
        return xml.replace(b">alice@example.com<", b">alicf@example.com<", 1)
    i = xml.rfind(b"<xenc:CipherValue>") + len(b"<xenc:CipherValue>") + 40
    return xml[:i] + (b"B" if xml[i:i + 1] == b"A" else b"A") + xml[i + 1:]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iterations", type=int, default=1000)
    ap.add_argument("--idp-metadata", required=True)
    ap.add_argument("--sp-key", default=None)
    ap.add_argument("--now", default="2026-01-15T10:01:00Z",
                    help="pinned clock for the time checks done in Python")
    ap.add_argument("--expect-fail", action="store_true")
    ap.add_argument("response")
    args = ap.parse_args()

    now = parse_instant(args.now)
    clock = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    print("lasso peer: process clock %s (%s); NotBefore/NotOnOrAfter checked in Python at %s" % (
        clock.isoformat().replace("+00:00", "Z"),
        "faketime" if "FAKETIME" in os.environ else "real clock", args.now))

    with open(args.response, "rb") as f:
        xml = f.read()
    msg = base64.b64encode(xml).decode("ascii")

    with tempfile.NamedTemporaryFile("w", suffix="-sp-metadata.xml", delete=False) as f:
        f.write(SP_METADATA.format(entity=SP_ENTITY_ID, acs=ACS_URL))
        sp_md = f.name
    try:
        server = make_server(args.idp_metadata, args.sp_key, sp_md)
    finally:
        os.unlink(sp_md)

    if args.expect_fail:
        try:
            verify_once(server, msg, now)
        except Exception as e:  # lasso.Error or our own check
            print("rejected as expected: %s (%s)" % (args.response, e))
            return 0
        print("FAIL: %s was accepted but must be rejected" % args.response, file=sys.stderr)
        return 3

    verify_once(server, msg, now)  # must not raise
    try:
        verify_once(server, base64.b64encode(tampered(xml)).decode("ascii"), now)
    except Exception as e:
        print("tampered copy rejected by Lasso: %s" % e)
    else:
        print("FAIL: Lasso accepted a tampered copy", file=sys.stderr)
        return 3

    n = args.iterations
    c0 = time.process_time()
    t0 = time.perf_counter()
    for _ in range(n):
        verify_once(server, msg, now)
    secs = time.perf_counter() - t0
    print("cpu: %.1f us/op" % ((time.process_time() - c0) * 1e6 / n))
    print("verify: %.1f ops/s %.2f us/op" % (n / secs, secs * 1e6 / n))
    return 0


if __name__ == "__main__":
    sys.exit(main())
