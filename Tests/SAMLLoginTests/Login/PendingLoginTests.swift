import Foundation
import SAML
import SAMLTesting
import Testing
import SAMLTestSupport

/// State an unauthenticated client can fill: starting logins and posting garbage to the ACS must
/// not end anyone else's login in progress. A started login lives in the browser (sealed); the
/// server records a request only once a verified response has answered it.
@Suite("Pending logins: floods and garbage posts")
struct PendingLoginTests {
    typealias W = TestIdPWorld

    /// An SP that signs nothing (so a login start is cheap) in front of the in-process IdP.
    static func facade(_ idp: TestIdentityProvider, tracker: InMemoryRequestTracker = InMemoryRequestTracker(),
                       replay: InMemoryReplayStore = InMemoryReplayStore()) throws -> SAMLServiceProvider {
        let configuration = SAMLServiceProvider.Configuration(
            acsURL: W.acsURL, entityID: W.spEntityID, identityProviders: [TrustedIdentityProvider(idp.identityProvider)],
            stateSecrets: [LoginWorld.secret], unsafeAllowsPublishedDemoKeys: true)
        return try SAMLServiceProvider(configuration: configuration, requestTracker: tracker, replayStore: replay)
    }

    /// The IdP's answer to a start (the SP signs nothing here).
    static func answer(_ start: LoginStart, idp: TestIdentityProvider, options: ResponseOptions) throws -> IssuedResponse {
        guard case .redirect(let url) = start.action else { throw SAMLError(.invalidRequest, "expected a redirect") }
        let received = try idp.receiveRedirect(url: url)
        #expect(received.id == start.requestID)
        return try idp.issueResponse(for: try #require(idp.user(nameID: "alice@example.com")), answering: received, options: options)
    }

    @Test("12,000 logins started by an anonymous client: an earlier pending login still finishes")
    func floodOfStartedLoginsEvictsNoPendingLogin() async throws {
        let idp = try W.idp()
        let tracker = InMemoryRequestTracker()
        let saml = try Self.facade(idp, tracker: tracker)
        let victim = try await saml.login(returnTo: "/inbox")
        for _ in 0..<12_000 { _ = try await saml.login() }
        // Starting logins stored nothing on the server.
        #expect(await tracker.count == 0)
        let issued = try Self.answer(victim, idp: idp, options: ResponseOptions())
        let login = try await saml.finishLogin(samlResponse: issued.base64, relayState: issued.relayState, browserState: victim.browserState)
        #expect(login.nameID.value == "alice@example.com")
        #expect(login.returnTo == "/inbox")
        #expect(await tracker.count == 1)
    }

    /// What a cross-site attacker can post to the ACS with the victim's state cookie attached.
    static func garbage(answering start: LoginStart, idp: TestIdentityProvider) throws -> [String] {
        let unsigned = try Self.answer(start, idp: idp, options: ResponseOptions(broken: .unsigned))
        let tampered = try Self.answer(start, idp: idp, options: ResponseOptions(broken: .tamperedAfterSigning))
        return ["", "garbage", "PHg+", Data("<samlp:Response/>".utf8).base64EncodedString(), unsigned.base64, tampered.base64]
    }

    /// Posts every garbage value with the victim's state; each must be refused.
    static func postGarbage(to saml: SAMLServiceProvider, answering victim: LoginStart, idp: TestIdentityProvider) async throws {
        for value in try garbage(answering: victim, idp: idp) {
            do {
                _ = try await saml.finishLogin(samlResponse: value, relayState: nil, browserState: victim.browserState)
                Issue.record("garbage was accepted")
            } catch is SAMLError {}
        }
    }

    @Test("a cross-site garbage POST to the ACS does not end the victim's pending login (separate stores)")
    func garbagePostKeepsThePendingLogin() async throws {
        let idp = try W.idp()
        let tracker = InMemoryRequestTracker()
        let saml = try Self.facade(idp, tracker: tracker)
        let victim = try await saml.login()
        try await Self.postGarbage(to: saml, answering: victim, idp: idp)
        #expect(await tracker.count == 0)
        let issued = try Self.answer(victim, idp: idp, options: ResponseOptions())
        let login = try await saml.finishLogin(samlResponse: issued.base64, relayState: issued.relayState, browserState: victim.browserState)
        #expect(login.nameID.value == "alice@example.com")
        // answered once: a second verified answer to the same request is refused
        let second = try Self.answer(victim, idp: idp, options: ResponseOptions())
        await expectRejection(.inResponseToMismatch) {
            _ = try await saml.finishLogin(samlResponse: second.base64, relayState: second.relayState, browserState: victim.browserState)
        }
    }

    @Test("a cross-site garbage POST does not end the victim's pending login (a LoginStateStore)")
    func garbagePostKeepsThePendingLoginOnALoginStateStore() async throws {
        let idp = try W.idp()
        let store = OneStepStore()
        let configuration = SAMLServiceProvider.Configuration(
            acsURL: W.acsURL, entityID: W.spEntityID, identityProviders: [TrustedIdentityProvider(idp.identityProvider)],
            stateSecrets: [LoginWorld.secret], unsafeAllowsPublishedDemoKeys: true)
        let saml = try SAMLServiceProvider(configuration: configuration, stateStore: store)
        let victim = try await saml.login()
        try await Self.postGarbage(to: saml, answering: victim, idp: idp)
        #expect(await store.finishes == 0)
        let issued = try Self.answer(victim, idp: idp, options: ResponseOptions())
        let login = try await saml.finishLogin(samlResponse: issued.base64, relayState: issued.relayState, browserState: victim.browserState)
        #expect(login.nameID.value == "alice@example.com")
    }
}
