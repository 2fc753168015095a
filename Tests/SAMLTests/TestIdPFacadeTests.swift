import Foundation
import SAML
import SAMLTesting
import Testing

/// The whole login through the façade against the in-process IdP, at the real clock: what the
/// browser demo does, without a browser.
@Suite("Test IdP: a complete login through SAMLServiceProvider")
struct TestIdPFacadeTests {
    typealias W = TestIdPWorld

    static func facade(_ idp: TestIdentityProvider, encrypted: Bool) throws -> SAMLServiceProvider {
        let spKey = try DemoOnlyCredentials.serviceProvider()
        let configuration = SAMLServiceProvider.Configuration(
            acsURL: W.acsURL, entityID: W.spEntityID, identityProviders: [TrustedIdentityProvider(idp.identityProvider)],
            signingKey: spKey, decryptionKeys: encrypted ? [spKey] : [], unsafeAllowsPublishedDemoKeys: true)
        return try SAMLServiceProvider(configuration: configuration, requestTracker: InMemoryRequestTracker(),
                                       replayStore: InMemoryReplayStore())
    }

    /// The IdP's side of one login: read the request from the browser, pick Alice, answer.
    static func answer(_ start: LoginStart, idp: TestIdentityProvider, options: ResponseOptions) throws -> IssuedResponse {
        let received: ReceivedAuthnRequest
        switch start.action {
        case .redirect(let url):
            received = try idp.receiveRedirect(url: url)
        case .post(let form):
            let fields = Dictionary(uniqueKeysWithValues: form.fields.map { ($0.name, $0.value) })
            #expect(form.action == idp.postURL)
            received = try idp.receivePost(samlRequest: try #require(fields["SAMLRequest"]), relayState: fields["RelayState"])
        }
        #expect(received.id == start.requestID)
        #expect(received.signatureVerified)
        let user = try #require(idp.user(nameID: "alice@example.com"))
        return try idp.issueResponse(for: user, answering: received, options: options)
    }

    @Test("Redirect and POST, clear and encrypted: the landing identity is Alice's",
          arguments: [SAMLBinding.httpRedirect, .httpPost], [false, true])
    func login(binding: SAMLBinding, encrypted: Bool) async throws {
        let idp = try W.idp(wantSigned: true)
        let saml = try Self.facade(idp, encrypted: encrypted)
        let start = try await saml.login(returnTo: "/reports", options: LoginOptions(binding: binding))
        let issued = try Self.answer(start, idp: idp, options: ResponseOptions(encryptionCertificate: encrypted ? try W.spCertificate() : nil))
        let login = try await saml.finishLogin(samlResponse: issued.base64, relayState: issued.relayState, browserState: start.browserState)
        #expect(login.nameID.value == "alice@example.com")
        #expect(login.email == "alice@example.com")
        #expect(login.displayName == "Alice Example")
        #expect(login.givenName == "Alice")
        #expect(login.surname == "Example")
        #expect(login.returnTo == "/reports")
        #expect(login.wasRequested)
    }

    @Test("tampered and replayed responses end in a SAMLError, never a login")
    func refused() async throws {
        let idp = try W.idp(wantSigned: true)
        let saml = try Self.facade(idp, encrypted: false)

        let first = try await saml.login()
        let tampered = try Self.answer(first, idp: idp, options: ResponseOptions(broken: .tamperedAfterSigning))
        await expectRejection(.signatureInvalid) {
            _ = try await saml.finishLogin(samlResponse: tampered.base64, relayState: tampered.relayState, browserState: first.browserState)
        }

        let second = try await saml.login()
        let good = try Self.answer(second, idp: idp, options: ResponseOptions(broken: .replayed))
        let login = try await saml.finishLogin(samlResponse: good.base64, relayState: good.relayState, browserState: second.browserState)
        #expect(login.nameID.value == "alice@example.com")
        do {
            _ = try await saml.finishLogin(samlResponse: idp.replay(good).base64, relayState: good.relayState, browserState: second.browserState)
            Issue.record("a replayed response was accepted")
        } catch let error as SAMLError {
            // The façade's request tracker has consumed the request, so it refuses before the replay store.
            #expect(error.code == .inResponseToMismatch, "\(error)")
        }
    }
}
