import Foundation
import SAML
import Testing
import SAMLTestSupport

/// Real responses captured from production IdPs verify at their recorded instants, and the
/// altered or placeholder ones are rejected.
@Suite struct VerificationRecordedTests {
    static func verifier(idp: IdentityProvider, sp: String, acs: String, policy: VerificationPolicy = .default,
                         keys: [SAMLPrivateKey] = []) -> ResponseVerifier {
        ResponseVerifier(serviceProvider: ServiceProvider(entityID: sp, acsURL: acs, decryptionKeys: keys),
                         identityProvider: idp, policy: policy)
    }

    @Test func googleWorkspaceSignedResponse() async throws {
        let idp = try IdentityProvider(metadata: Fixtures.bytes("reference/idp-metadata/google-workspace_C02dfl1r1.xml"),
                                       policy: MetadataPolicy(now: Fixtures.date("2016-01-05T16:55:39Z")))
        let v = Self.verifier(idp: idp, sp: "https://29ee6d2e.ngrok.io/saml/metadata", acs: "https://29ee6d2e.ngrok.io/saml/acs")
        let a = try await v.verify(samlResponse: Fixtures.text("reference/responses/google-workspace_response-signed.b64"),
                                   inResponseTo: "id-fd419a5ab0472645427f8e07d87a3a5dd0b2e9a6", now: Fixtures.date("2016-01-05T16:55:39Z"))
        #expect(a.nameID.value == "ross@octolabs.io")
        #expect(a.responseSigned && !a.assertionSigned)
        #expect(a.value(of: "firstName") == "Ross")
        #expect(a.value(of: "lastName") == "Kinder")
        #expect(a.givenName == "Ross")
        #expect(a.surname == "Kinder")
        // the NameID carries the address but states no format: it is not taken as the e-mail
        #expect(a.nameID.format == nil)
        #expect(a.email == nil)
        #expect(a.issuer == "https://accounts.google.com/o/saml2?idpid=C02dfl1r1")
    }

    @Test func oneLoginSHA1NeedsExplicitPolicy() async throws {
        let idp = try IdentityProvider(metadata: Fixtures.bytes("reference/idp-metadata/onelogin_app-503983.xml"))
        let response = try Fixtures.text("reference/responses/onelogin_response.b64")
        let now = Fixtures.date("2016-01-05T17:53:12Z")
        let request = "id-d40c15c104b52691eccf0a2a5c8a15595be75423"
        let strict = Self.verifier(idp: idp, sp: "https://29ee6d2e.ngrok.io/saml/metadata", acs: "https://29ee6d2e.ngrok.io/saml/acs")
        await expectRejection(.algorithmNotAllowed) { _ = try await strict.verify(samlResponse: response, inResponseTo: request, now: now) }
        let relaxed = Self.verifier(idp: idp, sp: "https://29ee6d2e.ngrok.io/saml/metadata", acs: "https://29ee6d2e.ngrok.io/saml/acs",
                                    policy: VerificationPolicy(allowSHA1: true))
        let a = try await relaxed.verify(samlResponse: response, inResponseTo: request, now: now)
        #expect(a.nameID.value == "ross@kndr.org")
        #expect(a.value(of: "User.email") == "ross@kndr.org")
        #expect(a.sessionNotOnOrAfter == Fixtures.date("2016-01-06T17:53:11Z"))
        // the metadata cert expired in 2018 but is still the trusted key
        #expect(idp.expiredSigningCertificates(at: Fixtures.date("2020-01-01T00:00:00Z")).count == 1)
    }

    @Test func adfsSignedAssertion() async throws {
        let cert = try SAMLCertificate(pem: Fixtures.text("derived/adfs-spstest2_signing-cert.pem"))
        let idp = IdentityProvider(entityID: "http://fs.spstest2.com/adfs/services/trust", singleSignOnURL: nil, certificates: [cert])
        let v = Self.verifier(idp: idp, sp: "https://saml.test.nope/session/sso/saml/spentityid/dknhyszjl7",
                              acs: "https://saml.test.nope/session/sso/saml/acs/dknhyszjl7")
        let a = try await v.verify(samlResponse: Fixtures.text("reference/responses/adfs_assertion-signed.b64"),
                                   inResponseTo: "_5988bf45-1cc8-4228-b3e8-1aa8590e63d3", now: Fixtures.date("2017-09-21T23:28:00Z"))
        #expect(a.assertionSigned && !a.responseSigned)
        #expect(a.nameID.format == .emailAddress)
        #expect(!a.nameID.value.isEmpty)
        #expect(a.email == a.nameID.value)
    }

    @Test func oktaBothSigned() async throws {
        let cert = try SAMLCertificate(pem: Fixtures.text("reference/responses/okta_dev-116807_signing-cert.pem"))
        let idp = IdentityProvider(entityID: "http://www.okta.com/exk659aytfMeNI49v0h7", singleSignOnURL: nil, certificates: [cert])
        // the recorded audience is literally "123" with the quotes
        let v = Self.verifier(idp: idp, sp: "\"123\"", acs: "http://localhost:8080/v1/_saml_callback")
        let a = try await v.verify(responseXML: Fixtures.bytes("reference/responses/okta_dev-116807_response-signed.xml"),
                                   inResponseTo: "_15f66d2d-628b-4d9b-a99e-089d8da862e1", now: Fixtures.date("2016-07-25T23:20:30Z"))  // IssueInstant 23:20:14Z; upstream pins 23:16:00Z, before the message was issued
        #expect(a.responseSigned && a.assertionSigned)
        #expect(a.nameID.value == "russellhaering")
        #expect(a.value(of: "username") == "russell.haering@scaleft.com")
    }

    @Test func netIQToAWSWithThirteenRoles() async throws {
        let cert = try SAMLCertificate(pem: Fixtures.text("derived/netiq-westpac_signing-cert.pem"))
        let idp = IdentityProvider(entityID: "https://login.authbridge.westpacgroup.com/nidp/saml2/metadata", singleSignOnURL: nil, certificates: [cert])
        let v = Self.verifier(idp: idp, sp: "urn:amazon:webservices", acs: "https://signin.aws.amazon.com/saml",
                              policy: VerificationPolicy(allowUnsolicited: true))
        let a = try await v.verify(samlResponse: Fixtures.text("reference/responses/netiq-to-aws_assertion-signed.b64"),
                                   inResponseTo: nil, now: Fixtures.date("2020-03-05T02:05:18Z"))
        #expect(a.values(of: "https://aws.amazon.com/SAML/Attributes/Role").count == 13)
        let roles = a.awsRoles
        #expect(roles.count == 13)
        #expect(roles.allSatisfy { $0.roleARN.contains(":role/") && $0.providerARN.contains(":saml-provider/") })
        #expect(a.awsRoleSessionName != nil)
        #expect(a.nameID.spNameQualifier == "urn:amazon:webservices")
        #expect(a.inResponseTo == nil)
        // the same response with a request expected is refused
        let solicited = Self.verifier(idp: idp, sp: "urn:amazon:webservices", acs: "https://signin.aws.amazon.com/saml")
        await expectRejection(.inResponseToMismatch) {
            _ = try await solicited.verify(samlResponse: Fixtures.text("reference/responses/netiq-to-aws_assertion-signed.b64"),
                                           inResponseTo: "_some-request", now: Fixtures.date("2020-03-05T02:05:18Z"))
        }
        await expectRejection(.unsolicitedResponse) {
            _ = try await solicited.verify(samlResponse: Fixtures.text("reference/responses/netiq-to-aws_assertion-signed.b64"),
                                           inResponseTo: nil, now: Fixtures.date("2020-03-05T02:05:18Z"))
        }
    }

    @Test func oktaEncryptedAssertion() async throws {
        let idp = try IdentityProvider(metadata: Fixtures.bytes("reference/idp-metadata/okta_dev-513394.xml"))
        let key = try SAMLPrivateKey(pem: Fixtures.text("reference/keys/crewjam-test-sp_key.pem"))
        let v = Self.verifier(idp: idp, sp: "http://localhost:8000/saml/metadata", acs: "http://localhost:8000/saml/acs", keys: [key])
        let response = try Fixtures.text("reference/responses/okta_response-signed_assertion-encrypted.b64")
        let a = try await v.verify(samlResponse: response, inResponseTo: "id-a7364d1e4432aa9085a7a8bd824ea2fa8fa8f684",
                                   now: Fixtures.date("2020-03-03T19:24:28Z"))
        #expect(a.wasEncrypted && a.responseSigned)
        #expect(a.nameID.value == "testuser@testrsc.com")
        #expect(a.value(of: "Username") == "FixedValue")
        let noKey = Self.verifier(idp: idp, sp: "http://localhost:8000/saml/metadata", acs: "http://localhost:8000/saml/acs")
        await expectRejection(.decryptionFailed) {
            _ = try await noKey.verify(samlResponse: response, inResponseTo: "id-a7364d1e4432aa9085a7a8bd824ea2fa8fa8f684", now: Fixtures.date("2020-03-03T19:24:28Z"))
        }
    }

    /// Certificates carried inside each negative fixture, trusted deliberately so that what fails
    /// is the signature itself, not key lookup.
    static func embeddedCertificate(_ xml: String) throws -> SAMLCertificate {
        let start = xml.range(of: "X509Certificate>")!.upperBound
        let end = xml.range(of: "<", range: start..<xml.endIndex)!.lowerBound
        return try SAMLCertificate(base64: String(xml[start..<end]))
    }

    @Test func googleToAWSEditedIsRejected() async throws {
        let xml = try Fixtures.text("reference/responses/google-workspace-to-aws_edited-signature-invalid.xml")
        let issuer = xml.slice(from: "<saml2:Issuer", through: "</saml2:Issuer>") ?? ""
        let entity = String(issuer.split(separator: ">")[1].split(separator: "<")[0])
        let idp = IdentityProvider(entityID: entity, singleSignOnURL: nil, certificates: [try Self.embeddedCertificate(xml)])
        let v = Self.verifier(idp: idp, sp: "https://signin.aws.amazon.com/saml", acs: "https://signin.aws.amazon.com/saml",
                              policy: VerificationPolicy(allowUnsolicited: true))
        await expectRejection(.signatureInvalid) {
            _ = try await v.verify(responseXML: Array(xml.utf8), inResponseTo: nil, now: Fixtures.date("2017-07-24T10:31:41Z"))
        }
    }

    @Test func entraSanitizedIsRejected() async throws {
        let xml = try Fixtures.text("reference/responses/entra-id-to-aws_sanitized.xml")
        let idp = IdentityProvider(entityID: "https://sts.windows.net/00000000-0000-0000-0000-000000000000/", singleSignOnURL: nil,
                                   certificates: [try Self.embeddedCertificate(xml)])
        let v = Self.verifier(idp: idp, sp: "https://signin.aws.amazon.com/saml", acs: "https://signin.aws.amazon.com/saml",
                              policy: VerificationPolicy(allowUnsolicited: true))
        await expectRejection(.signatureInvalid) {
            _ = try await v.verify(responseXML: Array(xml.utf8), inResponseTo: nil, now: Fixtures.date("2020-01-01T00:00:00Z"))
        }
    }

    @Test func oktaToAWSPlaceholderCertificatesAreRejected() async throws {
        let response = try Fixtures.text("reference/responses/okta-to-aws_redacted.b64")
        let idp = IdentityProvider(entityID: "http://www.okta.com/exkbXXXXXXXXXHw0h7", singleSignOnURL: nil,
                                   certificates: [try Generated.certificate("idp-rsa")])
        let v = Self.verifier(idp: idp, sp: "urn:amazon:webservices", acs: "https://signin.aws.amazon.com/saml",
                              policy: VerificationPolicy(allowUnsolicited: true))
        await expectRejection(.signatureInvalid) {
            _ = try await v.verify(samlResponse: response, inResponseTo: nil, now: Fixtures.date("2018-03-14T22:18:41Z"))
        }
    }

    @Test func shibbolethECPEnvelopeIsNotAResponse() async throws {
        let xml = try Fixtures.bytes("reference/responses/shibboleth-ecp-to-aws_soap-unsigned-placeholders.xml")
        let idp = IdentityProvider(entityID: "urn:mace:incommon:example.com", singleSignOnURL: nil, certificates: [try Generated.certificate("idp-rsa")])
        let v = Self.verifier(idp: idp, sp: "urn:amazon:webservices", acs: "https://signin.aws.amazon.com/saml")
        await expectRejection(.invalidMessage) {
            _ = try await v.verify(responseXML: xml, inResponseTo: nil, now: Fixtures.date("2019-05-29T20:25:00Z"))
        }
    }
}
