import Foundation
import Logging
import SAML
import SAMLTesting
import Testing
import SAMLTestSupport

/// The decryption oracle through the façade: AES-CBC in an unsigned Response is refused unless
/// the IdP's entry opts out, which is logged as a warning when the façade starts.
@Suite("Façade: AES-CBC in an unsigned Response")
struct DecryptionOracleFacadeTests {
    typealias W = TestIdPWorld

    static func facade(_ idp: TestIdentityProvider, allowsCBC: Bool, logs: CapturingLogHandler.Store) throws -> SAMLServiceProvider {
        let spKey = try DemoOnlyCredentials.serviceProvider()
        let configuration = SAMLServiceProvider.Configuration(
            acsURL: W.acsURL, entityID: W.spEntityID,
            identityProviders: [TrustedIdentityProvider(idp.identityProvider, allowsCBCInUnsignedResponse: allowsCBC)],
            signingKey: spKey, decryptionKeys: [spKey], unsafeAllowsPublishedDemoKeys: true)
        return try SAMLServiceProvider(configuration: configuration, requestTracker: InMemoryRequestTracker(),
                                       replayStore: InMemoryReplayStore(),
                                       logger: Logger(label: "test") { _ in CapturingLogHandler(store: logs) })
    }

    @Test("refused by default with what to change at the IdP; accepted, with a warning, when the IdP's entry opts out")
    func cbcInUnsignedResponse() async throws {
        let idp = try W.idp(wantSigned: true)
        let options = ResponseOptions(signing: .assertion, encryptionCertificate: try W.spCertificate(), contentEncryption: .aes256CBC)
        for allowsCBC in [false, true] {
            let logs = CapturingLogHandler.Store()
            let saml = try Self.facade(idp, allowsCBC: allowsCBC, logs: logs)
            let warnings = logs.records.filter { $0.level == .warning }.map(\.message)
            #expect(warnings.contains { $0.contains("AES-CBC") && $0.contains(idp.identityProvider.entityID) } == allowsCBC, "\(warnings)")
            let start = try await saml.login()
            let issued = try TestIdPWorld.answer(start, idp: idp, options: options)
            if allowsCBC {
                let login = try await saml.finishLogin(samlResponse: issued.base64, relayState: issued.relayState, browserState: start.browserState)
                #expect(login.nameID.value == "alice@example.com")
            } else {
                let error = await expectRejection(.algorithmNotAllowed) {
                    _ = try await saml.finishLogin(samlResponse: issued.base64, relayState: issued.relayState, browserState: start.browserState)
                }
                #expect(error?.reason.contains("Sign SAML response and assertion") == true, "\(String(describing: error))")
                #expect(error?.reason.contains("MessageAndAssertion") == true)
            }
        }
    }
}
