#!/usr/bin/env python3
"""Writes signed responses shaped like those of the recorded IdPs, for the benchmarks.

Usage: make-idp-shapes.py FIXTURES_GENERATED_DIR OUT_DIR

Each document carries the generated fixture's content (issuer, IDs, audience, times, NameID,
attributes: Fixtures/generated/responses/unsigned.xml), laid out the way one IdP lays out its
responses (Fixtures/reference/responses/, /work/shared/reference/), and is signed by the
generated IdP key with the xmlsec1 CLI, so `saml bench verify`, the C peer and Lasso all accept
it with Fixtures/generated/idp-metadata.xml:

  okta        saml2p/saml2 prefixes, xs declared on Response and Assertion, Assertion signed,
              InclusiveNamespaces PrefixList="xs" on the Reference, certificate in KeyInfo
  entra-id    Assertion in the default namespace, Signature in the default ds namespace,
              Assertion signed, certificate in KeyInfo, pretty-printed with tabs
  adfs        samlp prefix, Assertion in the default namespace, ds prefix, Assertion signed
  google      saml2p/saml2, the Response signed (not the Assertion), certificate in KeyInfo
  shibboleth  saml2p/saml2, Response and Assertion both signed, PrefixList="xsd" on both
              References, xsd declared on the Assertion, certificate in KeyInfo

Every signature verifies with xmlsec1 before the file is written.
"""
import os
import re
import subprocess
import sys
import tempfile

DS = "http://www.w3.org/2000/09/xmldsig#"
RESP_ID = "_resp-3b9d2a71c0e84f55a6d1"
ASSERT_ID = "_assert-8e4c61f09d2b4a7c93e5"
ID_ATTRS = ["--id-attr:ID", "urn:oasis:names:tc:SAML:2.0:assertion:Assertion",
            "--id-attr:ID", "urn:oasis:names:tc:SAML:2.0:protocol:Response"]


def template(ref_id, ds_prefix="ds", prefix_list=None):
    p = f"{ds_prefix}:" if ds_prefix else ""
    decl = f'xmlns:{ds_prefix}="{DS}"' if ds_prefix else f'xmlns="{DS}"'
    exc = "http://www.w3.org/2001/10/xml-exc-c14n#"
    if prefix_list:
        transform = (f'<{p}Transform Algorithm="{exc}"><ec:InclusiveNamespaces xmlns:ec="{exc}" '
                     f'PrefixList="{prefix_list}"/></{p}Transform>')
    else:
        transform = f'<{p}Transform Algorithm="{exc}"/>'
    return (f'<{p}Signature {decl}><{p}SignedInfo><{p}CanonicalizationMethod Algorithm="{exc}"/>'
            f'<{p}SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>'
            f'<{p}Reference URI="#{ref_id}"><{p}Transforms>'
            f'<{p}Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>{transform}'
            f'</{p}Transforms><{p}DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>'
            f'<{p}DigestValue></{p}DigestValue></{p}Reference></{p}SignedInfo>'
            f'<{p}SignatureValue></{p}SignatureValue><{p}KeyInfo><{p}X509Data><{p}X509Certificate>'
            f'</{p}X509Certificate></{p}X509Data></{p}KeyInfo></{p}Signature>')


def body(unsigned):
    """The Response's parts, from the generated unsigned fixture."""
    assertion = unsigned[unsigned.index("<saml:Assertion "):unsigned.index("</saml:Assertion>") + len("</saml:Assertion>")]
    inner = assertion[assertion.index(">") + 1:assertion.rindex("</saml:Assertion>")]
    return inner


def prefixed(inner, prefix):
    """The Assertion's children with the saml prefix renamed (or dropped for the default namespace)."""
    if prefix:
        return inner.replace("<saml:", f"<{prefix}:").replace("</saml:", f"</{prefix}:")
    return inner.replace("<saml:", "<").replace("</saml:", "</")


ISSUER = "https://idp.example.org/metadata"
RESPONSE_ATTRS = ('ID="_resp-3b9d2a71c0e84f55a6d1" Version="2.0" IssueInstant="2026-01-15T10:00:00Z" '
                  'Destination="https://sp.example.com/saml/acs" InResponseTo="_req-7c1f2c5e9b0a4d6e8f10"')
ASSERTION_ATTRS = 'ID="_assert-8e4c61f09d2b4a7c93e5" Version="2.0" IssueInstant="2026-01-15T10:00:00Z"'
XS = 'xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
STATUS = '<{p}:Status><{p}:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></{p}:Status>'


def issuer_and(inner, prefix, signature):
    """Puts `signature` right after the Assertion's Issuer."""
    tag = f"</{prefix}:Issuer>" if prefix else "</Issuer>"
    i = inner.index(tag) + len(tag)
    return inner[:i] + signature + inner[i:]


def compact(xml):
    return re.sub(r">\s+<", "><", xml)


def shapes(unsigned):
    inner = body(unsigned)
    out = {}
    # Okta: one line, saml2 prefixes, xs on Response and Assertion, PrefixList="xs".
    a = issuer_and(prefixed(compact(inner), "saml2"), "saml2", template(ASSERT_ID, prefix_list="xs"))
    out["okta"] = ([ASSERT_ID],
        f'<?xml version="1.0" encoding="UTF-8"?><saml2p:Response xmlns:saml2p="urn:oasis:names:tc:SAML:2.0:protocol" '
        f'{RESPONSE_ATTRS} xmlns:xs="http://www.w3.org/2001/XMLSchema">'
        f'<saml2:Issuer xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion">{ISSUER}</saml2:Issuer>'
        + STATUS.format(p="saml2p") +
        f'<saml2:Assertion xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion" {XS} {ASSERTION_ATTRS}>{a}</saml2:Assertion>'
        f'</saml2p:Response>')
    # Entra ID: default namespaces, tabs, Signature in the default ds namespace.
    tabbed = prefixed(inner, None).replace("  ", "\t")
    a = issuer_and(tabbed, None, template(ASSERT_ID, ds_prefix=None))
    out["entra-id"] = ([ASSERT_ID],
        f'<samlp:Response {RESPONSE_ATTRS}\n\txmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">\n'
        f'\t<Issuer\n\t\txmlns="urn:oasis:names:tc:SAML:2.0:assertion">{ISSUER}</Issuer>\n\t'
        + STATUS.format(p="samlp") +
        f'\n\t<Assertion {ASSERTION_ATTRS}\n\t\txmlns="urn:oasis:names:tc:SAML:2.0:assertion" {XS}>{a}</Assertion>\n'
        f'</samlp:Response>')
    # AD FS: samlp, default-namespace Assertion, ds prefix, one line.
    a = issuer_and(prefixed(compact(inner), None), None, template(ASSERT_ID))
    out["adfs"] = ([ASSERT_ID],
        f'<samlp:Response {RESPONSE_ATTRS} Consent="urn:oasis:names:tc:SAML:2.0:consent:unspecified" '
        f'xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">'
        f'<Issuer xmlns="urn:oasis:names:tc:SAML:2.0:assertion">{ISSUER}</Issuer>'
        + STATUS.format(p="samlp") +
        f'<Assertion {ASSERTION_ATTRS} xmlns="urn:oasis:names:tc:SAML:2.0:assertion" {XS}>{compact(prefixed(inner, None))}</Assertion>'
        f'</samlp:Response>'.replace(compact(prefixed(inner, None)), a))
    # Google Workspace: the Response signed, the Assertion not.
    out["google"] = ([RESP_ID],
        f'<?xml version="1.0" encoding="UTF-8" standalone="no"?><saml2p:Response xmlns:saml2p="urn:oasis:names:tc:SAML:2.0:protocol" '
        f'{RESPONSE_ATTRS}><saml2:Issuer xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion">{ISSUER}</saml2:Issuer>'
        + template(RESP_ID) + STATUS.format(p="saml2p") +
        f'<saml2:Assertion xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion" {XS} {ASSERTION_ATTRS}>'
        f'{prefixed(compact(inner), "saml2")}</saml2:Assertion></saml2p:Response>')
    # Shibboleth IdP: both signed, PrefixList="xsd", pretty-printed.
    shib = prefixed(inner, "saml2").replace('xsi:type="xs:string"', 'xsi:type="xsd:string"')
    a = issuer_and(shib, "saml2", template(ASSERT_ID, prefix_list="xsd"))
    out["shibboleth"] = ([ASSERT_ID, RESP_ID],
        f'<?xml version="1.0" encoding="UTF-8"?><saml2p:Response xmlns:saml2p="urn:oasis:names:tc:SAML:2.0:protocol" {RESPONSE_ATTRS}>'
        f'<saml2:Issuer xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion">{ISSUER}</saml2:Issuer>'
        + template(RESP_ID, prefix_list="xsd") + STATUS.format(p="saml2p") +
        f'<saml2:Assertion xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion" '
        f'xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" {ASSERTION_ATTRS}>'
        f'{a}</saml2:Assertion></saml2p:Response>')
    return out


def main():
    fixtures, out_dir = sys.argv[1], sys.argv[2]
    os.makedirs(out_dir, exist_ok=True)
    keys = os.path.join(fixtures, "keys")
    key = f"{keys}/idp-rsa.key.pem,{keys}/idp-rsa.cert.pem"
    with open(os.path.join(fixtures, "responses", "unsigned.xml")) as f:
        unsigned = f.read()
    with tempfile.TemporaryDirectory() as tmp:
        for name, (ids, xml) in shapes(unsigned).items():
            current = os.path.join(tmp, f"{name}.tmpl.xml")
            with open(current, "w") as f:
                f.write(xml)
            for node_id in ids:  # inner signature first: the outer one covers it
                signed = os.path.join(tmp, f"{name}.{node_id}.xml")
                subprocess.run(["xmlsec1", "--sign", "--privkey-pem", key, *ID_ATTRS, "--node-id", node_id,
                                "--output", signed, current], check=True)
                current = signed
            for node_id in ids:
                subprocess.run(["xmlsec1", "--verify", "--pubkey-cert-pem", f"{keys}/idp-rsa.cert.pem", *ID_ATTRS,
                                "--node-id", node_id, current], check=True, capture_output=True)
            target = os.path.join(out_dir, f"{name}.xml")
            with open(current) as f, open(target, "w") as g:
                g.write(f.read())
            print(f"{target}: {os.path.getsize(target)} bytes, signed {', '.join(ids)}", file=sys.stderr)


if __name__ == "__main__":
    main()
