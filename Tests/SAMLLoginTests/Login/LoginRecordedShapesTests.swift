import Foundation
@testable import SAMLLogin
import SAML
import Testing
import SAMLTestSupport

/// Recorded responses from real IdPs through the façade, at their recorded instants: the
/// `Login` an app gets for each IdP shape, with the default attribute mapping.
@Suite struct LoginRecordedShapesTests {
    static func facade(idp: IdentityProvider, acs: String, entityID: String, allowIdPInitiated: Bool = false,
                       decryption: [SAMLKeyPair] = []) throws -> SAMLServiceProvider {
        try SAMLServiceProvider(
            configuration: .init(acsURL: acs, entityID: entityID,
                                 identityProviders: [TrustedIdentityProvider(idp, allowsIdPInitiatedLogin: allowIdPInitiated)],
                                 decryptionKeys: decryption, stateSecrets: [LoginWorld.secret], unsafeAllowsPublishedDemoKeys: true),
            requestTracker: InMemoryRequestTracker(), replayStore: InMemoryReplayStore())
    }

    static func finish(_ saml: SAMLServiceProvider, response: String, requestID: String, now: Date) async throws -> Login {
        let idp = saml.configuration.identityProviders[0].entityID
        let state = try await saml.resumableState(requestID: requestID, idp: idp, returnTo: "/home", now: now)
        return try await saml.finishLogin(samlResponse: response, relayState: nil, browserState: state, now: now)
    }

    @Test func googleWorkspace() async throws {
        // the recorded metadata's validUntil (2021) is long past: read it as of the recording
        let idp = try IdentityProvider(metadata: Fixtures.bytes("reference/idp-metadata/google-workspace_C02dfl1r1.xml"),
                                       policy: MetadataPolicy(now: Fixtures.date("2016-01-05T16:55:39Z")))
        let saml = try Self.facade(idp: idp, acs: "https://29ee6d2e.ngrok.io/saml/acs", entityID: "https://29ee6d2e.ngrok.io/saml/metadata")
        let login = try await Self.finish(saml, response: Fixtures.text("reference/responses/google-workspace_response-signed.b64"),
                                          requestID: "id-fd419a5ab0472645427f8e07d87a3a5dd0b2e9a6", now: Fixtures.date("2016-01-05T16:55:39Z"))
        // Google's NameID has no format: it is not taken as the e-mail unless the app says so
        #expect(login.email == nil)
        #expect(login.nameID.value == "ross@octolabs.io")
        #expect(login.givenName == "Ross")
        #expect(login.surname == "Kinder")
        #expect(login.issuer == "https://accounts.google.com/o/saml2?idpid=C02dfl1r1")
        #expect(login.returnTo == "/home")

        var mapping = AttributeMapping.default
        mapping.nameIDAsEmail = .always
        var configuration = saml.configuration
        configuration.identityProviders[0].attributeMapping = mapping
        let told = try SAMLServiceProvider(configuration: configuration, requestTracker: InMemoryRequestTracker(), replayStore: InMemoryReplayStore())
        let again = try await Self.finish(told, response: Fixtures.text("reference/responses/google-workspace_response-signed.b64"),
                                          requestID: "id-fd419a5ab0472645427f8e07d87a3a5dd0b2e9a6", now: Fixtures.date("2016-01-05T16:55:39Z"))
        #expect(again.email == "ross@octolabs.io")
    }

    @Test func oktaBothSignedWithUnspecifiedNameID() async throws {
        let cert = try SAMLCertificate(pem: Fixtures.text("reference/responses/okta_dev-116807_signing-cert.pem"))
        let idp = IdentityProvider(entityID: "http://www.okta.com/exk659aytfMeNI49v0h7", singleSignOnURL: nil, certificates: [cert])
        let saml = try Self.facade(idp: idp, acs: "http://localhost:8080/v1/_saml_callback", entityID: "\"123\"")
        let login = try await Self.finish(saml, response: Data(Fixtures.bytes("reference/responses/okta_dev-116807_response-signed.xml")).base64EncodedString(),
                                          requestID: "_15f66d2d-628b-4d9b-a99e-089d8da862e1", now: Fixtures.date("2016-07-25T23:20:30Z"))
        #expect(login.nameID.value == "russellhaering")
        #expect(login.email == nil)  // a NameID that is not in emailAddress format is never taken as the e-mail
        #expect(login.value(of: "username") == "russell.haering@scaleft.com")
    }

    @Test func adfsEmailNameID() async throws {
        let cert = try SAMLCertificate(pem: Fixtures.text("derived/adfs-spstest2_signing-cert.pem"))
        let idp = IdentityProvider(entityID: "http://fs.spstest2.com/adfs/services/trust", singleSignOnURL: nil, certificates: [cert])
        let saml = try Self.facade(idp: idp, acs: "https://saml.test.nope/session/sso/saml/acs/dknhyszjl7",
                                   entityID: "https://saml.test.nope/session/sso/saml/spentityid/dknhyszjl7")
        let login = try await Self.finish(saml, response: Fixtures.text("reference/responses/adfs_assertion-signed.b64"),
                                          requestID: "_5988bf45-1cc8-4228-b3e8-1aa8590e63d3", now: Fixtures.date("2017-09-21T23:28:00Z"))
        #expect(login.nameID.format == .emailAddress)
        #expect(login.email == login.nameID.value && !login.nameID.value.isEmpty)
    }

    @Test func oktaEncryptedAssertion() async throws {
        let idp = try IdentityProvider(metadata: Fixtures.bytes("reference/idp-metadata/okta_dev-513394.xml"))
        let key = try SAMLKeyPair(privateKeyPEM: Fixtures.text("reference/keys/crewjam-test-sp_key.pem"),
                                  certificatePEM: Fixtures.text("reference/keys/crewjam-test-sp_cert.pem"))
        let saml = try Self.facade(idp: idp, acs: "http://localhost:8000/saml/acs", entityID: "http://localhost:8000/saml/metadata",
                                   decryption: [key])
        let login = try await Self.finish(saml, response: Fixtures.text("reference/responses/okta_response-signed_assertion-encrypted.b64"),
                                          requestID: "id-a7364d1e4432aa9085a7a8bd824ea2fa8fa8f684", now: Fixtures.date("2020-03-03T19:24:28Z"))
        #expect(login.nameID.value == "testuser@testrsc.com")
        #expect(login.value(of: "Username") == "FixedValue")
        // the decryption certificate is published in the SP metadata
        #expect(try saml.metadata().contains("use=\"encryption\""))
    }

    @Test func idpInitiatedIntoAWSWithThirteenRoles() async throws {
        let cert = try SAMLCertificate(pem: Fixtures.text("derived/netiq-westpac_signing-cert.pem"))
        let idp = IdentityProvider(entityID: "https://login.authbridge.westpacgroup.com/nidp/saml2/metadata", singleSignOnURL: nil, certificates: [cert])
        let response = try Fixtures.text("reference/responses/netiq-to-aws_assertion-signed.b64")
        let now = Fixtures.date("2020-03-05T02:05:18Z")
        let strict = try Self.facade(idp: idp, acs: "https://signin.aws.amazon.com/saml", entityID: "urn:amazon:webservices")
        await expectRejection(.unsolicitedResponse) {
            _ = try await strict.finishLogin(samlResponse: response, relayState: nil, browserState: nil, now: now)
        }
        let open = try Self.facade(idp: idp, acs: "https://signin.aws.amazon.com/saml", entityID: "urn:amazon:webservices", allowIdPInitiated: true)
        let login = try await open.finishLogin(samlResponse: response, relayState: nil, browserState: nil, now: now)
        #expect(login.awsRoles.count == 13)
        #expect(!login.wasRequested)
        #expect(login.returnTo == "/")
    }

    @Test func awsIAMIdentityCenterMetadataDrivesTheLogin() async throws {
        let idp = try IdentityProvider(metadata: Fixtures.bytes("reference/idp-metadata/aws-iam-identity-center_us-east-1.xml"))
        let saml = try Self.facade(idp: idp, acs: "https://app.example.com/saml/acs", entityID: "https://app.example.com/saml/acs")
        let start = try await saml.login(returnTo: "/reports")
        guard case .redirect(let url) = start.action else { Issue.record("expected a redirect"); return }
        #expect(url.hasPrefix(idp.singleSignOnServices(for: .httpRedirect)[0].location + "?SAMLRequest="))
        #expect(start.identityProvider == idp.entityID)
        let metadata = try saml.metadata()
        #expect(metadata.contains("entityID=\"https://app.example.com/saml/acs\""))
        #expect(metadata.contains("Location=\"https://app.example.com/saml/acs\""))
    }
}
