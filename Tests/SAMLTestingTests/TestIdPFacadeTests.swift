import Foundation
import SAML
import SAMLTesting
import Testing
import SAMLTestSupport

/// The whole login through the façade against the in-process IdP, at the real clock: what the
/// browser demo does, without a browser.
@Suite("Test IdP: a complete login through SAMLServiceProvider")
struct TestIdPFacadeTests {
    typealias W = TestIdPWorld

    @Test("Redirect and POST, clear and encrypted: the landing identity is Alice's",
          arguments: [SAMLBinding.httpRedirect, .httpPost], [false, true])
    func login(binding: SAMLBinding, encrypted: Bool) async throws {
        let idp = try W.idp(wantSigned: true)
        let saml = try W.facade(idp, encrypted: encrypted)
        let start = try await saml.login(returnTo: "/reports", options: LoginOptions(binding: binding))
        let issued = try W.answer(start, idp: idp, options: ResponseOptions(encryptionCertificate: encrypted ? try W.spCertificate() : nil))
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
        let saml = try W.facade(idp, encrypted: false)

        let first = try await saml.login()
        let tampered = try W.answer(first, idp: idp, options: ResponseOptions(broken: .tamperedAfterSigning))
        await expectRejection(.signatureInvalid) {
            _ = try await saml.finishLogin(samlResponse: tampered.base64, relayState: tampered.relayState, browserState: first.browserState)
        }

        let second = try await saml.login()
        let good = try W.answer(second, idp: idp, options: ResponseOptions(broken: .replayed))
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
