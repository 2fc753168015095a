import Foundation
import SAML
import SAMLTesting
import Synchronization
import Testing
import SAMLTestSupport

/// Single logout between `SAMLServiceProvider` and the in-process `TestIdentityProvider`, both
/// directions and both bindings, at the real clock.
@Suite("Test IdP: single logout with SAMLServiceProvider")
struct TestIdPLogoutTests {
    typealias W = TestIdPWorld
    static let spSLO = "https://sp.example.com/saml/slo"

    static func idp() throws -> TestIdentityProvider {
        try TestIdentityProvider.demo(baseURL: "https://idp.example.test/idp", wantAuthnRequestsSigned: true,
                                      serviceProviders: [.init(try W.serviceProvider(), singleLogoutURL: spSLO)])
    }

    static func facade(_ idp: TestIdentityProvider) throws -> SAMLServiceProvider {
        let configuration = SAMLServiceProvider.Configuration(
            acsURL: W.acsURL, entityID: W.spEntityID, identityProviders: [TrustedIdentityProvider(idp.identityProvider)],
            signingKey: try DemoOnlyCredentials.serviceProvider(), singleLogoutURL: spSLO, unsafeAllowsPublishedDemoKeys: true)
        return try SAMLServiceProvider(configuration: configuration, requestTracker: InMemoryRequestTracker(),
                                       replayStore: InMemoryReplayStore())
    }

    /// Alice logs in through the façade; the IdP's session index is `session`.
    static func login(_ saml: SAMLServiceProvider, _ idp: TestIdentityProvider, session: String) async throws -> Login {
        let start = try await saml.login(returnTo: "/reports")
        let issued = try TestIdPWorld.answer(start, idp: idp, options: ResponseOptions(sessionIndex: session))
        let login = try await saml.finishLogin(samlResponse: issued.base64, relayState: issued.relayState, browserState: start.browserState)
        #expect(login.sessionIndex == session)
        return login
    }

    static func fields(_ form: PostForm) -> [String: String] {
        Dictionary(form.fields.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
    }

    @Test("the IdP publishes single logout for both bindings")
    func metadata() throws {
        let idp = try Self.idp()
        let parsed = try IdentityProvider(metadata: Array(idp.metadata().utf8))
        #expect(parsed.singleLogoutServices.map(\.binding) == [.httpRedirect, .httpPost])
        #expect(parsed.singleLogoutServices.allSatisfy { $0.location == "https://idp.example.test/idp/slo" })
        #expect(idp.identityProvider.singleLogoutServices == parsed.singleLogoutServices)

        var without = idp
        without.singleLogoutURL = nil
        #expect(!without.metadata().contains("SingleLogoutService"))
        #expect(without.identityProvider.singleLogoutServices.isEmpty)
    }

    @Test("SP-initiated: the SP's signed LogoutRequest is verified by the IdP, whose answer ends the logout",
          arguments: [SAMLBinding.httpRedirect, .httpPost], [LogoutResponse.Outcome.success, .partialLogout])
    func spInitiated(binding: SAMLBinding, outcome: LogoutResponse.Outcome) async throws {
        let idp = try Self.idp()
        let saml = try Self.facade(idp)
        let login = try await Self.login(saml, idp, session: "_idx-\(UUID().uuidString)")
        let start = try await saml.logout(login, binding: binding, returnTo: "/goodbye")

        let received: VerifiedLogoutRequest
        switch start.action {
        case .redirect(let url):
            #expect(binding == .httpRedirect)
            #expect(url.hasPrefix("https://idp.example.test/idp/slo?SAMLRequest="))
            received = try await idp.receiveLogoutRequest(query: url)
        case .post(let form):
            #expect(binding == .httpPost)
            #expect(form.action == "https://idp.example.test/idp/slo")
            let fields = Self.fields(form)
            received = try await idp.receiveLogoutRequest(samlRequest: try #require(fields["SAMLRequest"]), relayState: fields["RelayState"])
        }
        #expect(received.id == start.requestID)
        #expect(received.issuer == W.spEntityID)
        #expect(received.nameID.value == "alice@example.com")
        #expect(received.nameID.format == .emailAddress)
        #expect(received.sessionIndexes == [try #require(login.sessionIndex)])
        #expect(received.binding == binding)
        #expect(received.wasSigned)

        let answer = try idp.issueLogoutResponse(answering: received, outcome: outcome)
        #expect(answer.binding == binding)
        #expect(answer.destination == Self.spSLO)
        #expect(answer.relayState == received.relayState)
        let result: LogoutResult
        if binding == .httpRedirect {
            let url = try #require(answer.url)
            #expect(url.hasPrefix(Self.spSLO + "?SAMLResponse="))
            result = try await saml.finishLogout(redirectQuery: url, browserState: start.browserState)
        } else {
            #expect(answer.form?.contains(#"name="SAMLResponse""#) == true)
            result = try await saml.finishLogout(samlResponse: try #require(answer.samlValue), relayState: answer.relayState,
                                                 browserState: start.browserState)
        }
        #expect(result.isPartial == (outcome == .partialLogout))
        #expect(result.returnTo == "/goodbye")

        // the same LogoutRequest a second time is a replay at the IdP
        do {
            switch start.action {
            case .redirect(let url): _ = try await idp.receiveLogoutRequest(query: url)
            case .post(let form):
                _ = try await idp.receiveLogoutRequest(samlRequest: Self.fields(form)["SAMLRequest"] ?? "", relayState: nil)
            }
            Issue.record("a replayed LogoutRequest was accepted")
        } catch let error as SAMLError {
            #expect(error.code == .replayed, "\(error)")
        }
    }

    @Test("SP-initiated: a Requester status from the IdP is refused by the SP")
    func spInitiatedRefusedStatus() async throws {
        let idp = try Self.idp()
        let saml = try Self.facade(idp)
        let login = try await Self.login(saml, idp, session: "_idx-refused")
        let start = try await saml.logout(login)
        guard case .redirect(let url) = start.action else { Issue.record("expected a redirect"); return }
        let answer = try idp.issueLogoutResponse(answering: try await idp.receiveLogoutRequest(query: url), outcome: .requesterError)
        await expectRejection(.statusNotSuccess) {
            _ = try await saml.finishLogout(redirectQuery: try #require(answer.url), browserState: start.browserState)
        }
    }

    @Test("IdP-initiated: the IdP's signed LogoutRequest ends the SP's sessions; the IdP verifies the SP's answer",
          arguments: [SAMLBinding.httpRedirect, .httpPost], [true, false])
    func idpInitiated(binding: SAMLBinding, ended: Bool) async throws {
        let idp = try Self.idp()
        let saml = try Self.facade(idp)
        let login = try await Self.login(saml, idp, session: "_idx-idp")
        let alice = try #require(idp.user(nameID: "alice@example.com"))
        let request = try idp.issueLogoutRequest(for: alice, serviceProviderEntityID: W.spEntityID, sessionIndexes: ["_idx-idp"],
                                                 binding: binding, relayState: "idp-relay")
        #expect(request.destination == Self.spSLO)
        #expect(request.parameter == "SAMLRequest")

        let seen = Mutex<VerifiedLogoutRequest?>(nil)
        let hook: (VerifiedLogoutRequest) async throws -> Bool = { r in
            seen.withLock { $0 = r }
            return ended
        }
        let action: LoginStart.Action
        if binding == .httpRedirect {
            action = try await saml.handleLogoutRequest(redirectQuery: try #require(request.url), endSessions: hook)
        } else {
            action = try await saml.handleLogoutRequest(samlRequest: try #require(request.samlValue), relayState: request.relayState,
                                                        endSessions: hook)
        }
        let handled = try #require(seen.withLock { $0 })
        #expect(handled.id == request.id)
        #expect(handled.issuer == idp.entityID)
        #expect(handled.nameID.value == login.nameID.value)
        #expect(handled.sessionIndexes == [try #require(login.sessionIndex)])
        #expect(handled.relayState == "idp-relay")

        let response: VerifiedLogoutResponse
        switch action {
        case .redirect(let url):
            #expect(binding == .httpRedirect)
            response = try idp.receiveLogoutResponse(query: url, expectedRequestID: request.id)
        case .post(let form):
            #expect(binding == .httpPost)
            let fields = Self.fields(form)
            response = try idp.receiveLogoutResponse(samlResponse: try #require(fields["SAMLResponse"]), relayState: fields["RelayState"],
                                                     expectedRequestID: request.id)
        }
        #expect(response.issuer == W.spEntityID)
        #expect(response.inResponseTo == request.id)
        #expect(response.isPartial == !ended)
        #expect(response.relayState == "idp-relay")

        // an answer to another request is refused
        if case .redirect(let url) = action {
            #expect(throws: SAMLError.self) { try idp.receiveLogoutResponse(query: url, expectedRequestID: "_other") }
        }
    }

    @Test("the IdP refuses logout messages it cannot check: tampered, foreign key, unregistered SP, no logout URL")
    func idpRefusals() async throws {
        let idp = try Self.idp()
        let saml = try Self.facade(idp)
        let login = try await Self.login(saml, idp, session: "_idx-refusals")
        let start = try await saml.logout(login)
        guard case .redirect(let url) = start.action else { Issue.record("expected a redirect"); return }

        await expectRejection(.signatureInvalid) {
            _ = try await idp.receiveLogoutRequest(query: url.replacingOccurrences(of: "&SigAlg=", with: "0&SigAlg="))
        }
        // the IdP's own key is not the SP's
        let impostor = ServiceProvider(entityID: W.spEntityID, acsURL: W.acsURL, signingKey: try DemoOnlyCredentials.identityProviderRSA())
        let forged = try LogoutRequest(serviceProvider: impostor, identityProvider: idp.identityProvider,
                                       subject: .init(value: "alice@example.com", format: .emailAddress)).redirect()
        await expectRejection(.signatureInvalid) { _ = try await idp.receiveLogoutRequest(query: forged.url) }
        let forgedPost = try LogoutRequest(serviceProvider: impostor, identityProvider: idp.identityProvider,
                                           subject: .init(value: "alice@example.com")).post()
        // its KeyInfo names a certificate not registered for the SP
        await expectRejection(.untrustedKey) {
            _ = try await idp.receiveLogoutRequest(samlRequest: forgedPost.base64, relayState: nil)
        }

        var unregistered = idp
        unregistered.serviceProviders = []
        await expectRejection(.entityNotFound) { _ = try await unregistered.receiveLogoutRequest(query: url) }
        #expect(throws: SAMLError.self) {
            _ = try unregistered.issueLogoutRequest(for: .init(nameID: "alice@example.com"), serviceProviderEntityID: W.spEntityID)
        }

        var noLogout = idp
        noLogout.singleLogoutURL = nil
        await expectRejection(.invalidConfiguration) { _ = try await noLogout.receiveLogoutRequest(query: url) }

        // the genuine request still passes afterwards
        let received = try await idp.receiveLogoutRequest(query: url)
        #expect(received.id == start.requestID)
    }
}
