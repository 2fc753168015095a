#!/usr/bin/env python3
"""Print the fixed test SAML Response (a signing template) on stdout.

Usage: build_response.py [--assertion-sig ALG] [--response-sig ALG] [--encrypted-wrapper]

ALG is one of rsa-sha1, rsa-sha256, rsa-sha512, ecdsa-sha256, ecdsa-sha384. When given, an empty
<ds:Signature> template (exc-c14n, enveloped-signature + exc-c14n transforms, X509Certificate slot)
is placed right after the Issuer of the Assertion / Response, ready for `xmlsec1 --sign`.
The digest is sha256, except with rsa-sha1 where it is sha1.

--encrypted-wrapper puts the <saml:Assertion> inside <saml:EncryptedAssertion>, so that
`xmlsec1 --encrypt` (Type=Element) can replace the Assertion by <xenc:EncryptedData> in place.

The Assertion declares every namespace it uses on itself (saml, xs, xsi) so that it stays
self-contained once cut out of the Response and encrypted.
"""
import argparse

IDP = "https://idp.example.org/metadata"
SP = "https://sp.example.com/saml/acs"
REQ_ID = "_req-7c1f2c5e9b0a4d6e8f10"
RESP_ID = "_resp-3b9d2a71c0e84f55a6d1"
ASSERT_ID = "_assert-8e4c61f09d2b4a7c93e5"

SIG_ALGS = {
    "rsa-sha1": "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
    "rsa-sha256": "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
    "rsa-sha512": "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512",
    "ecdsa-sha256": "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
    "ecdsa-sha384": "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384",
}
DIGEST_SHA1 = "http://www.w3.org/2000/09/xmldsig#sha1"
DIGEST_SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"


def signature_template(alg, ref_id, indent):
    digest = DIGEST_SHA1 if alg == "rsa-sha1" else DIGEST_SHA256
    lines = [
        '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#">',
        '  <ds:SignedInfo>',
        '    <ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>',
        f'    <ds:SignatureMethod Algorithm="{SIG_ALGS[alg]}"/>',
        f'    <ds:Reference URI="#{ref_id}">',
        '      <ds:Transforms>',
        '        <ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>',
        '        <ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>',
        '      </ds:Transforms>',
        f'      <ds:DigestMethod Algorithm="{digest}"/>',
        '      <ds:DigestValue></ds:DigestValue>',
        '    </ds:Reference>',
        '  </ds:SignedInfo>',
        '  <ds:SignatureValue></ds:SignatureValue>',
        '  <ds:KeyInfo>',
        '    <ds:X509Data>',
        '      <ds:X509Certificate></ds:X509Certificate>',
        '    </ds:X509Data>',
        '  </ds:KeyInfo>',
        '</ds:Signature>',
    ]
    return "".join(indent + l + "\n" for l in lines)


def attribute(name, name_format, values, indent, friendly=None):
    fmt = f"urn:oasis:names:tc:SAML:2.0:attrname-format:{name_format}"
    fn = f' FriendlyName="{friendly}"' if friendly else ""
    out = f'{indent}<saml:Attribute Name="{name}" NameFormat="{fmt}"{fn}>\n'
    for v in values:
        out += f'{indent}  <saml:AttributeValue xsi:type="xs:string">{v}</saml:AttributeValue>\n'
    out += f"{indent}</saml:Attribute>\n"
    return out


def assertion(sig_alg, indent):
    i = indent
    out = (
        f'{i}<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"'
        ' xmlns:xs="http://www.w3.org/2001/XMLSchema"'
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
        f' ID="{ASSERT_ID}" Version="2.0" IssueInstant="2026-01-15T10:00:00Z">\n'
        f"{i}  <saml:Issuer>{IDP}</saml:Issuer>\n"
    )
    if sig_alg:
        out += signature_template(sig_alg, ASSERT_ID, i + "  ")
    out += (
        f"{i}  <saml:Subject>\n"
        f'{i}    <saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">alice@example.com</saml:NameID>\n'
        f'{i}    <saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">\n'
        f'{i}      <saml:SubjectConfirmationData NotOnOrAfter="2026-01-15T10:05:00Z" Recipient="{SP}" InResponseTo="{REQ_ID}"/>\n'
        f"{i}    </saml:SubjectConfirmation>\n"
        f"{i}  </saml:Subject>\n"
        f'{i}  <saml:Conditions NotBefore="2026-01-15T09:59:00Z" NotOnOrAfter="2026-01-15T10:05:00Z">\n'
        f"{i}    <saml:AudienceRestriction>\n"
        f"{i}      <saml:Audience>{SP}</saml:Audience>\n"
        f"{i}    </saml:AudienceRestriction>\n"
        f"{i}  </saml:Conditions>\n"
        f'{i}  <saml:AuthnStatement AuthnInstant="2026-01-15T09:58:30Z" SessionIndex="_session-5f2a9c" SessionNotOnOrAfter="2026-01-15T18:00:00Z">\n'
        f"{i}    <saml:AuthnContext>\n"
        f"{i}      <saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef>\n"
        f"{i}    </saml:AuthnContext>\n"
        f"{i}  </saml:AuthnStatement>\n"
        f"{i}  <saml:AttributeStatement>\n"
    )
    a = i + "    "
    out += attribute("email", "basic", ["alice@example.com"], a, friendly="mail")
    out += attribute("name", "basic", ["Alice Example"], a)
    out += attribute("givenName", "basic", ["Alice"], a)
    out += attribute("surName", "basic", ["Example"], a)
    out += attribute("https://aws.amazon.com/SAML/Attributes/Role", "uri", [
        "arn:aws:iam::123456789012:role/Admin,arn:aws:iam::123456789012:saml-provider/ExampleIdP",
        "arn:aws:iam::210987654321:saml-provider/ExampleIdP,arn:aws:iam::210987654321:role/ReadOnly",
    ], a)
    out += attribute("https://aws.amazon.com/SAML/Attributes/RoleSessionName", "uri", ["alice@example.com"], a)
    out += attribute("https://aws.amazon.com/SAML/Attributes/SessionDuration", "uri", ["3600"], a)
    out += f"{i}  </saml:AttributeStatement>\n{i}</saml:Assertion>\n"
    return out


def response(assertion_sig, response_sig, encrypted_wrapper):
    out = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"'
        ' xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"'
        f' ID="{RESP_ID}" Version="2.0" IssueInstant="2026-01-15T10:00:00Z"'
        f' Destination="{SP}" InResponseTo="{REQ_ID}">\n'
        f"  <saml:Issuer>{IDP}</saml:Issuer>\n"
    )
    if response_sig:
        out += signature_template(response_sig, RESP_ID, "  ")
    out += (
        "  <samlp:Status>\n"
        '    <samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/>\n'
        "  </samlp:Status>\n"
    )
    if encrypted_wrapper:
        out += "  <saml:EncryptedAssertion>\n"
        out += assertion(assertion_sig, "    ")
        out += "  </saml:EncryptedAssertion>\n"
    else:
        out += assertion(assertion_sig, "  ")
    out += "</samlp:Response>\n"
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--assertion-sig", choices=sorted(SIG_ALGS))
    p.add_argument("--response-sig", choices=sorted(SIG_ALGS))
    p.add_argument("--encrypted-wrapper", action="store_true")
    args = p.parse_args()
    print(response(args.assertion_sig, args.response_sig, args.encrypted_wrapper), end="")


if __name__ == "__main__":
    main()
