import Foundation
import SAML
import SAMLCore
import SAMLTesting
import SAMLWeb
import SAMLWebConformance
import Testing

@Suite("Web layer rules")
struct WebRulesTests {
    static let randomSecret = ConformanceWorld.sessionSecret

    @Test("A secret given as text must be base64 of 32 random bytes: a passphrase, a short or repetitive value is refused")
    func secretsAreRandomBytes() throws {
        let refused = [
            "a passphrase that is long enough, over 32 characters",  // any 32 characters: not base64
            String(repeating: "a", count: 44),                         // base64, but 33 bytes of 3 values
            String(repeating: "ABCD", count: 11),                       // a repeated word
            "c2hvcnQgc2VjcmV0IG9mIDI0IGJ5dGVzISEh",                     // 27 bytes
            "",
        ]
        for text in refused {
            #expect(throws: SAMLError.self, "\(text) was accepted") { try StateSecret(text) }
            #expect(throws: SAMLError.self, "\(text) was accepted") { try SAMLCookieSession(secret: text, secure: true) }
        }
        _ = try StateSecret(Self.randomSecret)
        _ = try SAMLCookieSession(secret: Self.randomSecret, secure: true)
        // url-safe base64 without padding, as `secrets.token_urlsafe(32)` prints it
        let urlSafe = Self.randomSecret.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        _ = try StateSecret(urlSafe)
    }

    @Test("A sealed token opens only for its own purpose and key, unchanged")
    func sealedTokens() throws {
        let key = Array(repeating: UInt8(7), count: 32)
        let login = SealedToken(purpose: "swift-saml login state v1")
        let session = SealedToken(purpose: "swift-saml cookie session v1")
        let sealed = try login.seal(Array("payload".utf8), key: key)
        #expect(try login.open(sealed, keys: [key]) == Array("payload".utf8))
        #expect(throws: SealedToken.Refusal.notAuthentic) { try session.open(sealed, keys: [key]) }
        #expect(throws: SealedToken.Refusal.notAuthentic) { try login.open(sealed, keys: [Array(repeating: 8, count: 32)]) }
        var edited = Array(sealed)
        edited[2] = edited[2] == "A" ? "B" : "A"
        #expect(throws: SealedToken.Refusal.notAuthentic) { try login.open(String(edited), keys: [key]) }
        #expect(throws: SealedToken.Refusal.malformed) { try login.open(sealed + ".x", keys: [key]) }
        #expect(throws: SealedToken.Refusal.tooLong) { try login.open(String(repeating: "A", count: 5000), keys: [key]) }
    }

    @Test("The return-to a login started with is validated again at the ACS: an origin removed since is not followed")
    func returnToRevalidatedAtFinish() async throws {
        let idp = try TestIdentityProvider.demo(baseURL: "https://app.example.com/idp")
        let secret = try StateSecret(Self.randomSecret)
        let tracker = InMemoryRequestTracker(), replay = InMemoryReplayStore()
        func facade(allowing origins: [String]) throws -> SAMLServiceProvider {
            try SAMLServiceProvider(configuration: .init(
                acsURL: "https://app.example.com/saml/acs", identityProviders: [TrustedIdentityProvider(idp.identityProvider)],
                returnTo: ReturnToPolicy(allowedOrigins: origins), stateSecrets: [secret], unsafeAllowsPublishedDemoKeys: true),
                requestTracker: tracker, replayStore: replay)
        }
        let before = try facade(allowing: ["https://partner.example"])
        let start = try await before.login(returnTo: "https://partner.example/landing")
        guard case .redirect(let url) = start.action else { Issue.record("not a redirect"); return }
        let issued = try idp.issueResponse(for: .alice, answering: try idp.receiveRedirect(url: url))
        let after = try facade(allowing: [])
        let login = try await after.finishLogin(samlResponse: issued.base64, relayState: issued.relayState, browserState: start.browserState)
        #expect(login.returnTo == "/")
    }

    @Test("A session whose IdP is no longer configured is refused at the next request")
    func sessionOfRemovedIdPRefused() async throws {
        let world = try ConformanceWorld(twoIdPs: true)
        let routes = try world.routes(Void.self)
        let client = DirectClient(router: routes.router)
        let start = try await client.send(ConformanceRequest(.get, "/saml/login?idp=" + ConformanceWorld.formEscape(world.idp.entityID),
                                                             headers: [("Sec-Fetch-Site", "same-origin")]))
        let state = String(try #require(start.headers.first { $0.name == "Set-Cookie" && $0.value.hasPrefix("saml_login_state=") }?.value
            .prefix { $0 != ";" }))
        let issued = try world.idp.issueResponse(for: .alice, answering: try world.idp.receiveRedirect(url: try #require(start.header("Location"))))
        let form = "SAMLResponse=" + ConformanceWorld.formEscape(issued.base64) + "&RelayState=" + ConformanceWorld.formEscape(issued.relayState ?? "")
        let signedIn = try await client.send(ConformanceRequest(.post, "/saml/acs", headers: [("Cookie", state)], body: form))
        let pair = try #require(signedIn.cookiePair(world.session.cookieName))
        let value = String(pair.dropFirst(world.session.cookieName.count + 1))
        let login = try #require(world.session.login(fromCookieValue: value))
        #expect(world.serviceProvider.acceptsSession(login))

        // the same app, restarted without that IdP (the same session secret)
        var configuration = world.serviceProvider.configuration
        configuration.identityProviders.removeAll { $0.entityID == world.idp.entityID }
        let reconfigured = try SAMLServiceProvider(configuration: configuration)
        #expect(!reconfigured.acceptsSession(login))
        let session = try SAMLCookieSession(secret: ConformanceWorld.sessionSecret, for: reconfigured)
        #expect(session.login(fromCookieValue: value) == nil)
        // an ended session is refused too
        #expect(!world.serviceProvider.acceptsSession(login, now: login.sessionExpiresAt))
    }

    @Test("Cookies are read from every Cookie header; a name given twice is refused, quotes are removed")
    func cookieReading() throws {
        let request = SAMLWebRequest(method: .get, path: "/", rawQuery: nil, headers: [
            ("Cookie", "a=1; b=\"two\""), ("cookie", "c=3;a=4"),
        ])
        #expect(try request.cookie("b") == "two")
        #expect(try request.cookie("c") == "3")
        #expect(try request.cookie("missing") == nil)
        #expect(throws: SAMLError.self) { try request.cookie("a") }
    }

    @Test("Routes match literal and {parameter} segments, parameters percent-decoded; others fall through")
    func routerMatching() async throws {
        var router = SAMLWebRouter<Void>()
        router.add(.get, "/admin/identity-providers/{id}") { request, _ in
            SAMLWebResponse(status: 200, body: Array((request.pathParameters["id"] ?? "-").utf8))
        }
        router.add(.post, "/admin/identity-providers/{id}/test") { _, _ in SAMLWebResponse(status: 202) }
        func send(_ method: SAMLWebRequest.Method, _ path: String) async throws -> SAMLWebResponse? {
            try await router.respond(to: SAMLWebRequest(method: method, path: path, rawQuery: nil, headers: []), context: ())
        }
        #expect(try await send(.get, "/admin/identity-providers/https%3A%2F%2Fidp.example%2F")?.bodyText == "https://idp.example/")
        #expect(try await send(.post, "/admin/identity-providers/x/test")?.status == 202)
        #expect(try await send(.post, "/admin/identity-providers/x") == nil)
        #expect(try await send(.get, "/admin/identity-providers/") == nil)
        #expect(try await send(.get, "/admin/identity-providers/%zz") == nil)
        #expect(try await send(.get, "/admin/identity-providers/a/b") == nil)
    }
}

@Suite("Web layer configuration")
struct WebConfigurationTests {
    @Test("Configurations the routes cannot serve are refused at start-up")
    func configurationRefused() throws {
        let idp = try TestIdentityProvider.demo()
        func routes(acs: String, prefix: String = "/saml", slo: String? = nil, defaultIdP: String? = nil) throws {
            let sp = try SAMLServiceProvider(configuration: .init(acsURL: acs, identityProviders: [.init(idp.identityProvider)],
                                                                  singleLogoutURL: slo, unsafeAllowsPublishedDemoKeys: true))
            _ = try SAMLWebRoutes<Void>(serviceProvider: sp, options: .init(pathPrefix: prefix, defaultIdentityProvider: defaultIdP),
                                        session: .cookie(try SAMLCookieSession.random(secure: false)))
        }
        #expect(throws: SAMLError.self) { try routes(acs: "http://app.example.com/saml/acs") }
        #expect(throws: SAMLError.self) { try routes(acs: "https://app.example.com/other/acs") }
        #expect(throws: SAMLError.self) { try routes(acs: "https://app.example.com/saml/acs", slo: "https://app.example.com/other/slo") }
        #expect(throws: SAMLError.self) { try routes(acs: "https://app.example.com/saml/acs", defaultIdP: "https://unknown.example") }
        try routes(acs: "https://app.example.com/auth/acs", prefix: "/auth")
        try routes(acs: "http://localhost:9000/saml/acs")
        try routes(acs: "https://app.example.com/saml/acs", slo: "https://app.example.com/saml/slo", defaultIdP: idp.entityID)
    }
}
