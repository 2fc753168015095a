#!/usr/bin/python3
"""Plays the SP side with pysaml2 to check responses issued by SAMLTesting.

Usage:
  pysaml2_sp.py CONFIG_JSON RESPONSE_FILE

RESPONSE_FILE holds the SAMLResponse form value (base64).

CONFIG_JSON names: spEntityID, acsURL, spKeyFile, spCertFile, idpMetadataFile, requestID (or
null), wantAssertionsSigned, wantResponseSigned.

pysaml2's Saml2Client parses the response as an SP does (signatures checked with the xmlsec1
CLI against the IdP metadata's certificate; audience, recipient, destination, times and
InResponseTo checked; encrypted assertions decrypted with the SP key). Prints one JSON object
and exits 0 when accepted; prints the reason on stderr and exits 1 otherwise.
"""

import json
import logging
import sys

from saml2 import BINDING_HTTP_POST
from saml2.client import Saml2Client
from saml2.config import SPConfig

XMLSEC = "/usr/bin/xmlsec1"


def fail(message):
    sys.stderr.write("peer: " + message + "\n")
    sys.exit(1)


def main(argv):
    if len(argv) != 3:
        fail(__doc__)
    logging.disable(logging.CRITICAL)
    with open(argv[1]) as handle:
        config = json.load(handle)
    with open(argv[2]) as handle:
        response_b64 = handle.read().strip()
    sp_config = SPConfig()
    sp_config.load({
        "entityid": config["spEntityID"],
        "xmlsec_binary": XMLSEC,
        "key_file": config["spKeyFile"],
        "cert_file": config["spCertFile"],
        "encryption_keypairs": [{"key_file": config["spKeyFile"], "cert_file": config["spCertFile"]}],
        "metadata": {"local": [config["idpMetadataFile"]]},
        "allow_unknown_attributes": True,
        "service": {
            "sp": {
                "endpoints": {"assertion_consumer_service": [(config["acsURL"], BINDING_HTTP_POST)]},
                "want_assertions_signed": bool(config.get("wantAssertionsSigned")),
                "want_response_signed": bool(config.get("wantResponseSigned")),
                "allow_unsolicited": config.get("requestID") is None,
            },
        },
    })
    client = Saml2Client(config=sp_config)
    outstanding = {config["requestID"]: "/"} if config.get("requestID") else {}
    try:
        response = client.parse_authn_request_response(response_b64, BINDING_HTTP_POST, outstanding=outstanding)
    except Exception as error:  # pysaml2 raises many unrelated types
        fail("pysaml2 refused the response: %s: %s" % (type(error).__name__, error))
    if response is None:
        fail("pysaml2 returned no response")
    identity = response.get_identity()
    subject = response.get_subject()
    print(json.dumps({
        "nameID": subject.text,
        "nameIDFormat": subject.format,
        "attributes": identity,
        "assertionID": response.assertion.id,
        "inResponseTo": response.in_response_to,
    }, sort_keys=True, default=str))


if __name__ == "__main__":
    main(sys.argv)
