#!/usr/bin/python3
"""Plays the IdP side with pysaml2 to check that this package's AuthnRequests are accepted.

Usage:
  pysaml2_idp.py metadata SP_METADATA
      Load SP metadata into a pysaml2 MetadataStore; print the SP's entity ID and ACS URLs.
  pysaml2_idp.py redirect SP_METADATA QUERY_STRING
      Parse an HTTP-Redirect AuthnRequest (the query string as sent) and check its signature.
  pysaml2_idp.py post SP_METADATA BASE64
      Parse an HTTP-POST AuthnRequest (the SAMLRequest form value), requiring a valid XML signature.

Prints one JSON object on success and exits 0; prints the failure on stderr and exits 1.
"""

import json
import os
import sys
from urllib.parse import parse_qs

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import Config, IdPConfig
from saml2.mdstore import MetadataStore
from saml2.server import Server
from saml2.sigver import verify_redirect_signature

HERE = os.path.dirname(os.path.abspath(__file__))
KEYS = os.path.normpath(os.path.join(HERE, "..", "..", "..", "Fixtures", "generated", "keys"))
XMLSEC = "/usr/bin/xmlsec1"


def fail(message):
    sys.stderr.write("peer: " + message + "\n")
    sys.exit(1)


def idp_config(sp_metadata, want_signed):
    config = IdPConfig()
    config.load({
        "entityid": "https://idp.example.org/metadata",
        "xmlsec_binary": XMLSEC,
        "key_file": os.path.join(KEYS, "idp-rsa.key.pem"),
        "cert_file": os.path.join(KEYS, "idp-rsa.cert.pem"),
        "metadata": {"local": [sp_metadata]},
        "service": {
            "idp": {
                "endpoints": {
                    "single_sign_on_service": [
                        ("https://idp.example.org/sso/redirect", BINDING_HTTP_REDIRECT),
                        ("https://idp-eu.example.org/sso/redirect", BINDING_HTTP_REDIRECT),
                        ("https://idp.example.org/sso/post", BINDING_HTTP_POST),
                    ],
                },
                "want_authn_requests_signed": want_signed,
            },
        },
    })
    return config


def describe(request, extra):
    message = request.message
    policy = message.name_id_policy
    result = {
        "id": message.id,
        "issuer": message.issuer.text,
        "destination": message.destination,
        "acs": message.assertion_consumer_service_url,
        "protocolBinding": message.protocol_binding,
        "forceAuthn": message.force_authn,
        "isPassive": message.is_passive,
        "nameIDFormat": policy.format if policy is not None else None,
        "signedXML": message.signature is not None,
    }
    result.update(extra)
    print(json.dumps(result, sort_keys=True))


def main(argv):
    if len(argv) < 3:
        fail(__doc__)
    mode, sp_metadata = argv[1], argv[2]

    if mode == "metadata":
        store = MetadataStore(None, Config())
        store.load("local", sp_metadata)
        entities = list(store.keys())
        if len(entities) != 1:
            fail("expected one entity, found %r" % entities)
        entity = entities[0]
        acs = store.assertion_consumer_service(entity, BINDING_HTTP_POST)
        signing = store.certs(entity, "spsso", "signing")
        encryption = store.certs(entity, "spsso", "encryption")
        print(json.dumps({
            "entityID": entity,
            "acs": [a["location"] for a in acs],
            "signingCerts": len(signing),
            "encryptionCerts": len(encryption),
            "nameIDFormats": store.supported_nameid_format(entity) if hasattr(store, "supported_nameid_format") else None,
        }, sort_keys=True))
        return

    if len(argv) != 4:
        fail(__doc__)
    value = argv[3]

    if mode == "redirect":
        server = Server(config=idp_config(sp_metadata, want_signed=False))
        query = {k: v[0] for k, v in parse_qs(value, keep_blank_values=True).items()}
        if "SAMLRequest" not in query:
            fail("no SAMLRequest in the query string")
        request = server.parse_authn_request(query["SAMLRequest"], BINDING_HTTP_REDIRECT)
        if request is None or request.message is None:
            fail("pysaml2 did not accept the request")
        issuer = request.message.issuer.text
        verified = False
        if "Signature" in query:
            certs = server.metadata.certs(issuer, "any", "signing")
            if not certs:
                fail("no signing certificate for %s in the SP metadata" % issuer)
            for cert in certs:
                if isinstance(cert, tuple):
                    cert = cert[-1]
                if verify_redirect_signature(query, server.sec.sec_backend, cert):
                    verified = True
                    break
            if not verified:
                fail("the query-string signature did not verify")
        else:
            fail("the redirect request is not signed")
        describe(request, {"relayState": query.get("RelayState"), "sigAlg": query.get("SigAlg"),
                           "querySignatureVerified": verified})
    elif mode == "post":
        server = Server(config=idp_config(sp_metadata, want_signed=True))
        try:
            request = server.parse_authn_request(value, BINDING_HTTP_POST)
        except Exception as error:  # pysaml2 raises several unrelated types
            fail("pysaml2 refused the request: %s: %s" % (type(error).__name__, error))
        if request is None or request.message is None:
            fail("pysaml2 did not accept the request")
        if request.message.signature is None:
            fail("the POST request carries no XML signature")
        describe(request, {})
    else:
        fail("unknown mode " + mode)


if __name__ == "__main__":
    main(sys.argv)
