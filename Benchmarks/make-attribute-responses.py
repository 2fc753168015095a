#!/usr/bin/env python3
"""Writes signed responses with many attributes for the size curve of Benchmarks/run.sh.

For each COUNT, takes Fixtures/generated/responses/assertion-signed.xml, adds COUNT
attributes (about 200 bytes each; 5,000 make a response just under the default 1 MiB limit) to its AttributeStatement, empties the Assertion's
DigestValue and SignatureValue, and has the xmlsec1 CLI sign the Assertion again with
the IdP key (the same command as Fixtures/generate.sh). The result is written as raw XML
(attributes-COUNT.xml) and as the base64 form value (attributes-COUNT.b64).

usage: make-attribute-responses.py FIXTURES_GENERATED_DIR OUT_DIR COUNT...
"""
import base64
import re
import subprocess
import sys


def main() -> None:
    fixtures, out, counts = sys.argv[1], sys.argv[2], [int(c) for c in sys.argv[3:]]
    with open(f"{fixtures}/responses/assertion-signed.xml", encoding="utf-8") as f:
        signed = f.read()
    template = re.sub(r"<ds:DigestValue>[^<]*</ds:DigestValue>", "<ds:DigestValue></ds:DigestValue>", signed)
    template = re.sub(r"<ds:SignatureValue>[^<]*</ds:SignatureValue>", "<ds:SignatureValue></ds:SignatureValue>", template)
    assert template.count("<ds:DigestValue></ds:DigestValue>") == 1, "expected exactly one signature"
    assertion_id = re.search(r'<saml:Assertion [^>]*ID="([^"]+)"', template).group(1)
    for count in counts:
        extra = "".join(
            f'\n      <saml:Attribute Name="urn:example:bench:{i:05d}" '
            f'NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri">'
            f'<saml:AttributeValue xsi:type="xs:string">value {i:05d}</saml:AttributeValue></saml:Attribute>'
            for i in range(count)
        )
        unsigned = template.replace("\n    </saml:AttributeStatement>", extra + "\n    </saml:AttributeStatement>", 1)
        assert unsigned != template
        path = f"{out}/attributes-{count}"
        with open(f"{path}.unsigned.xml", "w", encoding="utf-8") as f:
            f.write(unsigned)
        key = f"{fixtures}/keys/idp-rsa.key.pem,{fixtures}/keys/idp-rsa.cert.pem"
        subprocess.run(
            ["xmlsec1", "--sign", "--privkey-pem", key,
             "--id-attr:ID", "urn:oasis:names:tc:SAML:2.0:assertion:Assertion",
             "--node-id", assertion_id, "--output", f"{path}.xml", f"{path}.unsigned.xml"],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with open(f"{path}.xml", "rb") as f:
            xml = f.read()
        with open(f"{path}.b64", "wb") as f:
            f.write(base64.b64encode(xml))
        print(f"attributes-{count}: {len(xml)} bytes of XML")


if __name__ == "__main__":
    main()
