#!/usr/bin/python3
"""Plays the IdP side of single logout with pysaml2, against this package's SP.

Usage:
  pysaml2_slo.py parse-request SP_METADATA redirect QUERY_STRING
  pysaml2_slo.py parse-request SP_METADATA post BASE64
      pysaml2 reads the SP's LogoutRequest, requiring a valid signature (query-string or XML).
  pysaml2_slo.py make-request SP_METADATA redirect|post SESSION_INDEX
      pysaml2 issues a signed LogoutRequest for alice@example.com to the SP's logout endpoint.
  pysaml2_slo.py make-response SP_METADATA redirect|post IN_RESPONSE_TO RELAY_STATE [partial]
      pysaml2 issues a signed LogoutResponse answering the SP's request, echoing its RelayState.
  pysaml2_slo.py parse-response SP_METADATA redirect QUERY_STRING
  pysaml2_slo.py parse-response SP_METADATA post BASE64
      pysaml2 reads the SP's LogoutResponse, requiring a valid signature.

Prints one JSON object on success and exits 0; prints the failure on stderr and exits 1.
"""

import json
import os
import sys
from urllib.parse import parse_qs, urlencode

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.s_utils import success_status_factory, status_message_factory
from saml2.saml import NameID, NAMEID_FORMAT_EMAILADDRESS
from saml2.samlp import LogoutResponse, STATUS_SUCCESS, STATUS_PARTIAL_LOGOUT, Status, StatusCode
from saml2.server import Server
from saml2.sigver import verify_redirect_signature
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

HERE = os.path.dirname(os.path.abspath(__file__))
KEYS = os.path.normpath(os.path.join(HERE, "..", "..", "..", "Fixtures", "generated", "keys"))
XMLSEC = "/usr/bin/xmlsec1"
IDP = "https://idp.example.org/metadata"
IDP_SLO = "https://idp.example.org/slo"


def fail(message):
    sys.stderr.write("peer: " + message + "\n")
    sys.exit(1)


def server(sp_metadata, want_signed_xml=True):
    config = IdPConfig()
    config.load({
        "entityid": IDP,
        "xmlsec_binary": XMLSEC,
        "key_file": os.path.join(KEYS, "idp-rsa.key.pem"),
        "cert_file": os.path.join(KEYS, "idp-rsa.cert.pem"),
        "metadata": {"local": [sp_metadata]},
        "accepted_time_diff": 60,
        "service": {
            "idp": {
                "endpoints": {
                    "single_sign_on_service": [("https://idp.example.org/sso", BINDING_HTTP_REDIRECT)],
                    "single_logout_service": [(IDP_SLO, BINDING_HTTP_REDIRECT), (IDP_SLO, BINDING_HTTP_POST)],
                },
                "want_authn_requests_signed": want_signed_xml,
            },
        },
    })
    return Server(config=config)


def sp_entity(srv):
    entities = list(srv.metadata.keys())
    if len(entities) != 1:
        fail("expected one SP in the metadata, found %r" % entities)
    return entities[0]


def sp_slo(srv, entity, binding):
    services = srv.metadata.single_logout_service(entity, binding, "spsso")
    if not services:
        fail("the SP metadata lists no %s logout endpoint" % binding)
    return services[0]["location"]


def verify_query(srv, entity, query):
    if "Signature" not in query:
        fail("the redirect message is not signed")
    for cert in srv.metadata.certs(entity, "any", "signing"):
        if isinstance(cert, tuple):
            cert = cert[-1]
        if verify_redirect_signature(query, srv.sec.sec_backend, cert):
            return True
    fail("the query-string signature did not verify")


def main(argv):
    if len(argv) < 5:
        fail(__doc__)
    mode, sp_metadata, binding_name, value = argv[1], argv[2], argv[3], argv[4]
    binding = {"redirect": BINDING_HTTP_REDIRECT, "post": BINDING_HTTP_POST}[binding_name]
    # HTTP-Redirect messages carry their signature in the query string (checked by verify_query),
    # not in the XML, so pysaml2 is told to require an XML signature only for HTTP-POST.
    srv = server(sp_metadata, want_signed_xml=(binding == BINDING_HTTP_POST))
    entity = sp_entity(srv)

    if mode == "parse-request":
        if binding == BINDING_HTTP_REDIRECT:
            query = {k: v[0] for k, v in parse_qs(value, keep_blank_values=True).items()}
            verify_query(srv, entity, query)
            encoded = query["SAMLRequest"]
        else:
            encoded = value
        try:
            request = srv.parse_logout_request(encoded, binding)
        except Exception as error:
            fail("pysaml2 refused the LogoutRequest: %s: %s" % (type(error).__name__, error))
        if request is None or request.message is None:
            fail("pysaml2 did not accept the LogoutRequest")
        message = request.message
        if binding == BINDING_HTTP_POST and message.signature is None:
            fail("the POST LogoutRequest carries no XML signature")
        print(json.dumps({
            "id": message.id,
            "issuer": message.issuer.text,
            "destination": message.destination,
            "nameID": message.name_id.text,
            "nameIDFormat": message.name_id.format,
            "sessionIndexes": [s.text for s in message.session_index],
            "notOnOrAfter": message.not_on_or_after,
        }, sort_keys=True))
    elif mode == "make-request":
        destination = sp_slo(srv, entity, binding)
        sign_xml = binding == BINDING_HTTP_POST
        req_id, request = srv.create_logout_request(
            destination, entity, name_id=NameID(text="alice@example.com", format=NAMEID_FORMAT_EMAILADDRESS),
            session_indexes=[value], sign=sign_xml, sign_alg=SIG_RSA_SHA256, digest_alg=DIGEST_SHA256)
        info = srv.apply_binding(binding, str(request), destination, relay_state="peer-relay",
                                 sign=not sign_xml, sigalg=SIG_RSA_SHA256)
        emit(req_id, binding, info)
    elif mode == "make-response":
        destination = sp_slo(srv, entity, binding)
        relay_state = argv[5] if len(argv) > 5 else ""
        if len(argv) > 6 and argv[6] == "partial":
            status = Status(status_code=StatusCode(value=STATUS_SUCCESS, status_code=StatusCode(value=STATUS_PARTIAL_LOGOUT)))
        else:
            status = success_status_factory()
        sign_xml = binding == BINDING_HTTP_POST
        response = srv._status_response(LogoutResponse, srv._issuer(), status, sign=sign_xml, sign_alg=SIG_RSA_SHA256,
                                        digest_alg=DIGEST_SHA256, in_response_to=value, destination=destination)
        info = srv.apply_binding(binding, str(response), destination, relay_state=relay_state, response=True,
                                 sign=not sign_xml, sigalg=SIG_RSA_SHA256)
        emit(None, binding, info)
    elif mode == "parse-response":
        if binding == BINDING_HTTP_REDIRECT:
            query = {k: v[0] for k, v in parse_qs(value, keep_blank_values=True).items()}
            verify_query(srv, entity, query)
            encoded = query["SAMLResponse"]
        else:
            encoded = value
        try:
            response = srv.parse_logout_request_response(encoded, binding)
        except Exception as error:
            fail("pysaml2 refused the LogoutResponse: %s: %s" % (type(error).__name__, error))
        if response is None or response.response is None:
            fail("pysaml2 did not accept the LogoutResponse")
        message = response.response
        if binding == BINDING_HTTP_POST and message.signature is None:
            fail("the POST LogoutResponse carries no XML signature")
        code = message.status.status_code
        print(json.dumps({
            "id": message.id,
            "inResponseTo": message.in_response_to,
            "issuer": message.issuer.text,
            "destination": message.destination,
            "status": code.value,
            "secondStatus": code.status_code.value if code.status_code is not None else None,
        }, sort_keys=True))
    else:
        fail("unknown mode " + mode)


def emit(message_id, binding, info):
    if binding == BINDING_HTTP_REDIRECT:
        location = dict(info["headers"])["Location"]
        print(json.dumps({"id": message_id, "url": location}, sort_keys=True))
    else:
        data = info["data"]
        # the form holds SAMLRequest/SAMLResponse and RelayState as hidden inputs
        import re
        fields = dict(re.findall(r'name="(SAML(?:Request|Response)|RelayState)" value="([^"]*)"', data))
        print(json.dumps({"id": message_id, "fields": fields}, sort_keys=True))


if __name__ == "__main__":
    main(sys.argv)
