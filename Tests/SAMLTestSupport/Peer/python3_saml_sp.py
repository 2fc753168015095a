#!/usr/bin/python3
"""Plays the SP side with python3-saml (OneLogin) to check responses issued by SAMLTesting.

Usage:
  python3_saml_sp.py CONFIG_JSON RESPONSE_FILE

RESPONSE_FILE holds the SAMLResponse form value (base64).

CONFIG_JSON names: spEntityID, acsURL, spKeyFile, spCertFile, idpEntityID, idpCertFile,
requestID (or null), wantAssertionsSigned, wantMessagesSigned, wantAssertionsEncrypted.

Runs python3-saml in strict mode (signature, destination, recipient, audience, issuer, times,
InResponseTo). Prints one JSON object describing the login and exits 0 when the response is
valid; prints python3-saml's reason on stderr and exits 1 otherwise.
"""

import json
import sys
from urllib.parse import urlparse

from onelogin.saml2.response import OneLogin_Saml2_Response
from onelogin.saml2.settings import OneLogin_Saml2_Settings


def fail(message):
    sys.stderr.write("peer: " + message + "\n")
    sys.exit(1)


def read(path):
    with open(path) as handle:
        return handle.read()


def main(argv):
    if len(argv) != 3:
        fail(__doc__)
    config = json.loads(read(argv[1]))
    with open(argv[2]) as handle:
        response_b64 = handle.read().strip()
    settings = OneLogin_Saml2_Settings({
        "strict": True,
        "debug": False,
        "sp": {
            "entityId": config["spEntityID"],
            "assertionConsumerService": {
                "url": config["acsURL"],
                "binding": "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST",
            },
            "NameIDFormat": "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
            "x509cert": read(config["spCertFile"]),
            "privateKey": read(config["spKeyFile"]),
        },
        "idp": {
            "entityId": config["idpEntityID"],
            "singleSignOnService": {
                "url": "https://idp.invalid/sso",
                "binding": "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect",
            },
            "x509cert": read(config["idpCertFile"]),
        },
        "security": {
            "wantAssertionsSigned": bool(config.get("wantAssertionsSigned")),
            "wantMessagesSigned": bool(config.get("wantMessagesSigned")),
            "wantAssertionsEncrypted": bool(config.get("wantAssertionsEncrypted")),
            "wantNameId": True,
            "rejectDeprecatedAlgorithm": True,
        },
    }, sp_validation_only=True)

    acs = urlparse(config["acsURL"])
    request_data = {
        "https": "on" if acs.scheme == "https" else "off",
        "http_host": acs.hostname,
        "server_port": str(acs.port or (443 if acs.scheme == "https" else 80)),
        "script_name": acs.path,
        "get_data": {},
        "post_data": {"SAMLResponse": response_b64},
    }
    try:
        response = OneLogin_Saml2_Response(settings, response_b64)
        response.is_valid(request_data, request_id=config.get("requestID"), raise_exceptions=True)
    except Exception as error:  # python3-saml raises its own ValidationError and others
        fail("python3-saml refused the response: %s: %s" % (type(error).__name__, error))
    print(json.dumps({
        "nameID": response.get_nameid(),
        "nameIDFormat": response.get_nameid_format(),
        "attributes": response.get_attributes(),
        "sessionIndex": response.get_session_index(),
        "issuers": response.get_issuers(),
        "encrypted": bool(response.encrypted),
        "assertionID": response.get_assertion_id(),
    }, sort_keys=True))


if __name__ == "__main__":
    main(sys.argv)
