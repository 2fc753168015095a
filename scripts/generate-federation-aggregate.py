#!/usr/bin/env python3
"""Writes an unsigned EntitiesDescriptor aggregate shaped like a research-federation feed
(eduGAIN): N entities, about 30 % IdPs and 70 % SPs mixed, thirteen namespace declarations on the
root as eduGAIN and InCommon publish them, per-entity namespace declarations (as entities keep them
when national feeds are aggregated; every third entity binds the XML-DSig namespace to another
prefix), mdui/mdrpi/mdattr/shibmd/alg extensions, organisation, contacts, two or three signing keys
per IdP plus an encryption key, and several endpoints, ~6.5 KB each (10,000 entities: ~65 MB).

Usage: generate-federation-aggregate.py OUT.xml [N] [CERT.pem ...]
The root carries ID="_federation" and a ds:Signature template that `xmlsec1 --sign` fills in;
scripts/generate-federation-aggregate.sh generates and signs in one step.
"""
import base64
import sys

out = sys.argv[1]
count = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
pems = sys.argv[3:]


def der_base64(path):
    text = open(path).read()
    body = text.split("-----BEGIN CERTIFICATE-----")[1].split("-----END CERTIFICATE-----")[0]
    raw = base64.b64decode("".join(body.split()))
    encoded = base64.b64encode(raw).decode()
    return "\n".join(encoded[i:i + 64] for i in range(0, len(encoded), 64))


certs = [der_base64(p) for p in pems]
MD = "urn:oasis:names:tc:SAML:2.0:metadata"
DS = "http://www.w3.org/2000/09/xmldsig#"
MDUI = "urn:oasis:names:tc:SAML:metadata:ui"
MDRPI = "urn:oasis:names:tc:SAML:metadata:rpi"
MDATTR = "urn:oasis:names:tc:SAML:metadata:attribute"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
SHIBMD = "urn:mace:shibboleth:metadata:1.0"
PROTO = "urn:oasis:names:tc:SAML:2.0:protocol"
POST = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
REDIRECT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
ARTIFACT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Artifact"
SOAP = "urn:oasis:names:tc:SAML:2.0:bindings:SOAP"


def key(use, cert, ds="ds"):
    return (f'<md:KeyDescriptor use="{use}"><{ds}:KeyInfo><{ds}:X509Data><{ds}:X509Certificate>\n{cert}\n'
            f'</{ds}:X509Certificate></{ds}:X509Data></{ds}:KeyInfo></md:KeyDescriptor>\n')


def extensions(i, host):
    langs = ["en", "de", "fr", "sv"]
    names = "".join(f'<mdui:DisplayName xml:lang="{l}">Service {i} of the Example Federation ({l})</mdui:DisplayName>' for l in langs)
    descs = "".join(f'<mdui:Description xml:lang="{l}">Entity number {i}, a member of a generated research and education federation used to measure metadata loading at federation scale ({l}).</mdui:Description>' for l in langs)
    return (f'<md:Extensions><mdrpi:RegistrationInfo registrationAuthority="https://federation.example.org" registrationInstant="2024-01-01T00:00:00Z">'
            f'<mdrpi:RegistrationPolicy xml:lang="en">https://federation.example.org/policy</mdrpi:RegistrationPolicy></mdrpi:RegistrationInfo>'
            f'<mdattr:EntityAttributes><saml:Attribute Name="http://macedir.org/entity-category" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri">'
            f'<saml:AttributeValue>http://refeds.org/category/research-and-scholarship</saml:AttributeValue></saml:Attribute></mdattr:EntityAttributes>'
            f'<alg:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>'
            f'<alg:SigningMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256" MinKeySize="2048"/></md:Extensions>\n',
            f'<md:Extensions><shibmd:Scope regexp="false">example-{i % 97}.org</shibmd:Scope>'
            f'<mdui:UIInfo>{names}{descs}<mdui:Logo height="64" width="64">https://{host}/logo.png</mdui:Logo>'
            f'<mdui:InformationURL xml:lang="en">https://{host}/about</mdui:InformationURL>'
            f'<mdui:PrivacyStatementURL xml:lang="en">https://{host}/privacy</mdui:PrivacyStatementURL></mdui:UIInfo>'
            f'<mdui:DiscoHints><mdui:DomainHint>example-{i % 97}.org</mdui:DomainHint></mdui:DiscoHints></md:Extensions>\n')


def org(i, host):
    return (f'<md:Organization><md:OrganizationName xml:lang="en">Example Organisation {i}</md:OrganizationName>'
            f'<md:OrganizationDisplayName xml:lang="en">Example Organisation {i}</md:OrganizationDisplayName>'
            f'<md:OrganizationURL xml:lang="en">https://{host}/</md:OrganizationURL></md:Organization>\n'
            f'<md:ContactPerson contactType="technical"><md:GivenName>Admin</md:GivenName><md:EmailAddress>mailto:admin@{host}</md:EmailAddress></md:ContactPerson>\n'
            f'<md:ContactPerson contactType="support"><md:EmailAddress>mailto:support@{host}</md:EmailAddress></md:ContactPerson>\n')


with open(out, "w") as f:
    # thirteen declarations on the root, as eduGAIN's and InCommon's aggregates carry them
    f.write(f'<?xml version="1.0" encoding="UTF-8"?>\n<md:EntitiesDescriptor xmlns:md="{MD}" xmlns:ds="{DS}" '
            f'xmlns:mdui="{MDUI}" xmlns:mdrpi="{MDRPI}" xmlns:mdattr="{MDATTR}" xmlns:saml="{SAML}" xmlns:shibmd="{SHIBMD}" '
            'xmlns:alg="urn:oasis:names:tc:SAML:metadata:algsupport" xmlns:idpdisc="urn:oasis:names:tc:SAML:profiles:SSO:idp-discovery-protocol" '
            'xmlns:init="urn:oasis:names:tc:SAML:profiles:SSO:request-init" xmlns:remd="http://refeds.org/metadata" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xenc="http://www.w3.org/2001/04/xmlenc#" '
            'ID="_federation" Name="https://federation.example.org" validUntil="2099-01-01T00:00:00Z" cacheDuration="PT6H">\n'
            '<ds:Signature><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>'
            '<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>'
            '<ds:Reference URI="#_federation"><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>'
            '<ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms>'
            '<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/></ds:Reference></ds:SignedInfo>'
            '<ds:SignatureValue/><ds:KeyInfo><ds:X509Data/></ds:KeyInfo></ds:Signature>\n')
    for i in range(count):
        idp = i % 10 < 3
        host = f"{'idp' if idp else 'sp'}{i}.example-{i % 97}.org"
        entity_id = f"https://{host}/{'idp/shibboleth' if idp else 'shibboleth'}"
        signing, encryption = certs[i % len(certs)], certs[(i + 1) % len(certs)]
        entity_ext, role_ext = extensions(i, host)
        # per-entity declarations, as aggregated national feeds keep them; every third entity uses "dsig"
        ds = "dsig" if i % 3 == 0 else "ds"
        f.write(f'<md:EntityDescriptor xmlns:{ds}="{DS}" xmlns:mdui="{MDUI}" xmlns:mdrpi="{MDRPI}" xmlns:shibmd="{SHIBMD}" '
                f'entityID="{entity_id}">\n{entity_ext}')
        if idp:
            keys = "".join(key("signing", certs[(i + k) % len(certs)], ds) for k in range(2 + i % 2))
            f.write(f'<md:IDPSSODescriptor protocolSupportEnumeration="{PROTO}">\n{role_ext}{keys}{key("encryption", encryption, ds)}'
                    f'<md:ArtifactResolutionService Binding="{SOAP}" Location="https://{host}:8443/idp/profile/SAML2/SOAP/ArtifactResolution" index="1"/>\n'
                    f'<md:SingleLogoutService Binding="{REDIRECT}" Location="https://{host}/idp/profile/SAML2/Redirect/SLO"/>\n'
                    f'<md:SingleLogoutService Binding="{POST}" Location="https://{host}/idp/profile/SAML2/POST/SLO"/>\n'
                    '<md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>\n'
                    '<md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:transient</md:NameIDFormat>\n'
                    f'<md:SingleSignOnService Binding="{REDIRECT}" Location="https://{host}/idp/profile/SAML2/Redirect/SSO"/>\n'
                    f'<md:SingleSignOnService Binding="{POST}" Location="https://{host}/idp/profile/SAML2/POST/SSO"/>\n'
                    f'<md:SingleSignOnService Binding="{ARTIFACT}" Location="https://{host}/idp/profile/SAML2/Artifact/SSO"/>\n'
                    '</md:IDPSSODescriptor>\n')
        else:
            f.write(f'<md:SPSSODescriptor protocolSupportEnumeration="{PROTO}">\n{role_ext}{key("signing", signing, ds)}{key("encryption", encryption, ds)}'
                    f'<md:SingleLogoutService Binding="{REDIRECT}" Location="https://{host}/Shibboleth.sso/SLO/Redirect"/>\n'
                    '<md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:transient</md:NameIDFormat>\n'
                    f'<md:AssertionConsumerService Binding="{POST}" Location="https://{host}/Shibboleth.sso/SAML2/POST" index="1"/>\n'
                    f'<md:AssertionConsumerService Binding="{ARTIFACT}" Location="https://{host}/Shibboleth.sso/SAML2/Artifact" index="2"/>\n'
                    '</md:SPSSODescriptor>\n')
        f.write(org(i, host) + '</md:EntityDescriptor>\n')
    f.write('</md:EntitiesDescriptor>\n')
