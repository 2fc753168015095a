#if Hummingbird
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SAML
import SAMLHummingbird
import SAMLLogin
import SAMLTesting
import Testing

@Suite("Hummingbird SAML routes")
struct SAMLRoutesTests {
    @Test("GET /saml/login redirects to the IdP with a request it can read, and sets the state cookie (Lax over loopback http)")
    func loginRedirect() async throws {
        let world = try HummingbirdWorld()
        try await world.application().test(.router) { client in
            try await client.execute(uri: "/saml/login?returnTo=/inbox", method: .get) { response in
                #expect(response.status == .found)
                let location = try #require(response.headers[.location])
                #expect(location.hasPrefix(world.idp.redirectURL + "?SAMLRequest="))
                #expect(response.headers[.cacheControl] == "no-store")
                let request = try world.idp.receiveRedirect(url: location)
                #expect(request.issuer == world.serviceProvider.configuration.entityID)
                #expect(request.acsURL == "http://127.0.0.1:8080/saml/acs")
                let cookie = try #require(HummingbirdWorld.setCookie(SAMLServiceProvider.stateCookieName, in: response))
                let attributes = HummingbirdWorld.attributes(cookie)
                #expect(attributes["httponly"] != nil)
                #expect(attributes["samesite"] == "Lax")
                #expect(attributes["secure"] == nil)
                #expect(attributes["path"] == "/saml")
                #expect(Int(attributes["max-age"] ?? "") ?? 0 > 0)
                #expect(HummingbirdWorld.cookiePair(cookie).count > SAMLServiceProvider.stateCookieName.count + 20)
                // no session yet
                #expect(HummingbirdWorld.setCookie(SAMLCookieSession.defaultCookieName, in: response) == nil)
            }
        }
    }

    @Test("Over https the state cookie is Secure and SameSite=None, so it survives the IdP's cross-site POST")
    func loginCookieOverHTTPS() async throws {
        let world = try HummingbirdWorld(baseURL: "https://app.example.com")
        try await world.application().test(.router) { client in
            try await client.execute(uri: "/saml/login", method: .get) { response in
                let cookie = try #require(HummingbirdWorld.setCookie(SAMLServiceProvider.stateCookieName, in: response))
                let attributes = HummingbirdWorld.attributes(cookie)
                #expect(attributes["secure"] != nil)
                #expect(attributes["samesite"] == "None")
                #expect(attributes["httponly"] != nil)
            }
        }
    }

    @Test("POST /saml/acs with the IdP's answer to the request the login sent: a session for Alice, the state cookie cleared, back to returnTo")
    func acsSuccess() async throws {
        let world = try HummingbirdWorld()
        try await world.application().test(.router) { client in
            let (location, state) = try await world.startLogin(client, returnTo: "/inbox?tab=2")
            let issued = try world.respond(to: location)
            let response = try await world.postACS(client, issued, cookies: [state])
            #expect(response.status == .seeOther)
            #expect(response.headers[.location] == "/inbox?tab=2")
            let sessionCookie = try #require(HummingbirdWorld.setCookie(SAMLCookieSession.defaultCookieName, in: response))
            let sessionAttributes = HummingbirdWorld.attributes(sessionCookie)
            #expect(sessionAttributes["httponly"] != nil)
            #expect(sessionAttributes["samesite"] == "Lax")
            let cleared = try #require(HummingbirdWorld.setCookie(SAMLServiceProvider.stateCookieName, in: response))
            #expect(HummingbirdWorld.attributes(cleared)["max-age"] == "0")

            let value = String(HummingbirdWorld.cookiePair(sessionCookie).dropFirst(SAMLCookieSession.defaultCookieName.count + 1))
            let login = try #require(world.session.login(fromCookieValue: value))
            #expect(login.email == "alice@example.com")
            #expect(login.givenName == "Alice")
            #expect(login.surname == "Example")
            #expect(login.displayName == "Alice Example")
            #expect(login.issuer == world.idp.entityID)
            #expect(login.wasRequested)

            try await client.execute(uri: "/me", method: .get, headers: [.cookie: HummingbirdWorld.cookiePair(sessionCookie)]) { me in
                #expect(HummingbirdWorld.body(me) == "signed in as alice@example.com")
            }
            try await client.execute(uri: "/me", method: .get) { me in
                #expect(HummingbirdWorld.body(me) == "anonymous")
            }
            // a session cookie with one byte changed is not a session
            var forged = HummingbirdWorld.cookiePair(sessionCookie)
            let last = forged.removeLast()
            forged.append(last == "A" ? "B" : "A")
            try await client.execute(uri: "/me", method: .get, headers: [.cookie: forged]) { me in
                #expect(HummingbirdWorld.body(me) == "anonymous")
            }
        }
        #expect(world.logs.records.contains { $0.message == "SAML sign-in" && $0.metadata["saml.idp"] == world.idp.entityID })
    }

    enum Refusal: String, CaseIterable, CustomTestStringConvertible {
        case tampered, replayed, anotherBrowsersRequest, noLoginState, wrapped, expired
        var testDescription: String { rawValue }
    }

    @Test("Refused responses get the HTML error page with a correlation ID, the reason in the log, and no session", arguments: Refusal.allCases)
    func acsRefusal(_ refusal: Refusal) async throws {
        let world = try HummingbirdWorld()
        try await world.application().test(.router) { client in
            let (location, state) = try await world.startLogin(client)
            let response: TestResponse
            let expectedCode: SAMLError.Code
            switch refusal {
            case .tampered:
                response = try await world.postACS(client, world.respond(to: location, broken: .tamperedAfterSigning), cookies: [state])
                expectedCode = .signatureInvalid
            case .wrapped:
                response = try await world.postACS(client, world.respond(to: location, broken: .wrapped), cookies: [state])
                // a wrapped, signed Response fails its own signature first
                expectedCode = BrokenVariant.wrapped.expectedErrorCode(for: ResponseOptions(broken: .wrapped))
            case .expired:
                response = try await world.postACS(client, world.respond(to: location, broken: .expired), cookies: [state])
                expectedCode = .expired
            case .replayed:
                let issued = try world.respond(to: location)
                let first = try await world.postACS(client, issued, cookies: [state])
                #expect(first.status == .seeOther)
                // the same response with a fresh login's state: the assertion was already used
                let (_, secondState) = try await world.startLogin(client)
                response = try await world.postACS(client, world.idp.replay(issued), cookies: [secondState])
                expectedCode = .inResponseToMismatch
            case .anotherBrowsersRequest:
                let issued = try world.respond(to: location)
                let (_, otherBrowser) = try await world.startLogin(client)
                response = try await world.postACS(client, issued, cookies: [otherBrowser])
                expectedCode = .inResponseToMismatch
            case .noLoginState:
                response = try await world.postACS(client, world.respond(to: location), cookies: [])
                expectedCode = .unsolicitedResponse
            }
            #expect(response.status == .forbidden)
            #expect(response.headers[.contentType] == "text/html; charset=utf-8")
            #expect(response.headers[.cacheControl] == "no-store")
            let body = HummingbirdWorld.body(response)
            #expect(body.contains("Sign-in failed"))
            #expect(!body.contains(expectedCode.description), "the page does not show internals")
            #expect(HummingbirdWorld.setCookie(SAMLCookieSession.defaultCookieName, in: response) == nil)
            let cleared = try #require(HummingbirdWorld.setCookie(SAMLServiceProvider.stateCookieName, in: response))
            #expect(HummingbirdWorld.attributes(cleared)["max-age"] == "0")
            let correlation = try #require(body.firstMatch(of: /id="correlation-id">([0-9a-f]+)</).map { String($0.1) })
            let logged = try #require(world.logs.records.first { $0.metadata["saml.correlation_id"] == correlation })
            #expect(logged.message == "SAML sign-in failed")
            #expect(logged.metadata["saml.code"] == expectedCode.description)
            #expect(!(logged.metadata["saml.reason"] ?? "").isEmpty)
        }
    }

    @Test("A POST without a SAMLResponse is a 400 error page")
    func acsWithoutResponse() async throws {
        let world = try HummingbirdWorld()
        try await world.application().test(.router) { client in
            try await client.execute(uri: "/saml/acs", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                                     body: ByteBuffer(string: "RelayState=x")) { response in
                #expect(response.status == .badRequest)
                #expect(HummingbirdWorld.body(response).contains("Sign-in failed"))
            }
        }
    }

    @Test("returnTo to another origin lands on / after the ACS", arguments: ["https://evil.example/", "//evil.example", "/\\evil.example"])
    func returnToElsewhere(_ returnTo: String) async throws {
        let world = try HummingbirdWorld()
        try await world.application().test(.router) { client in
            let (location, state) = try await world.startLogin(client, returnTo: returnTo)
            let response = try await world.postACS(client, world.respond(to: location), cookies: [state])
            #expect(response.status == .seeOther)
            #expect(response.headers[.location] == "/")
        }
    }

    @Test("GET /saml/metadata publishes the SP's entity ID and ACS")
    func metadata() async throws {
        let world = try HummingbirdWorld(signingKey: try DemoOnlyCredentials.serviceProvider())
        try await world.application().test(.router) { client in
            try await client.execute(uri: "/saml/metadata", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/samlmetadata+xml; charset=utf-8")
                let xml = HummingbirdWorld.body(response)
                #expect(xml.contains(#"entityID="http://127.0.0.1:8080/saml/acs""#))
                #expect(xml.contains(#"Location="http://127.0.0.1:8080/saml/acs""#))
                let certificate = try DemoOnlyCredentials.serviceProvider().certificate.base64
                #expect(xml.contains("X509Certificate>" + certificate))
            }
        }
    }

    @Test("GET and POST /saml/logout end the local session")
    func logout() async throws {
        let world = try HummingbirdWorld()
        try await world.application().test(.router) { client in
            let (location, state) = try await world.startLogin(client)
            let signedIn = try await world.postACS(client, world.respond(to: location), cookies: [state])
            let session = HummingbirdWorld.cookiePair(try #require(HummingbirdWorld.setCookie(SAMLCookieSession.defaultCookieName, in: signedIn)))
            for method in [HTTPRequest.Method.get, .post] {
                try await client.execute(uri: "/saml/logout", method: method, headers: [.cookie: session]) { response in
                    #expect(response.status == .seeOther)
                    #expect(response.headers[.location] == "/")
                    let cleared = try #require(HummingbirdWorld.setCookie(SAMLCookieSession.defaultCookieName, in: response))
                    #expect(HummingbirdWorld.cookiePair(cleared) == "\(SAMLCookieSession.defaultCookieName)=")
                    #expect(HummingbirdWorld.attributes(cleared)["max-age"] == "0")
                }
            }
        }
    }

    @Test("The HTTP-POST login page runs no script its Content-Security-Policy does not allow", arguments: [
        SAMLRouteOptions.PostFormScript.externalScript, .inlineWithNonce, .none,
    ])
    func postFormCSP(_ script: SAMLRouteOptions.PostFormScript) async throws {
        let world = try HummingbirdWorld(options: SAMLRouteOptions(loginOptions: LoginOptions(binding: .httpPost), postFormScript: script))
        try await world.application().test(.router) { client in
            try await client.execute(uri: "/saml/login", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                #expect(HummingbirdWorld.setCookie(SAMLServiceProvider.stateCookieName, in: response) != nil)
                let csp = try #require(response.headers[.contentSecurityPolicy])
                let directives = Dictionary(csp.split(separator: ";").map { part -> (String, [String]) in
                    let words = part.split(separator: " ").map(String.init)
                    return (words[0], Array(words.dropFirst()))
                }, uniquingKeysWith: { $1 })
                #expect(directives["default-src"] == ["'none'"])
                #expect(directives["form-action"] == ["http://127.0.0.1:8080"])
                let page = HummingbirdWorld.body(response)
                let scripts = page.matches(of: /<script([^>]*)>([^<]*)<\/script>/).map { (String($0.1), String($0.2)) }
                for (attributes, content) in scripts {
                    if let src = attributes.firstMatch(of: /src="([^"]+)"/)?.1 {
                        #expect(src.hasPrefix("/"), "a same-origin script")
                        #expect(directives["script-src"]?.contains("'self'") == true)
                        #expect(content.isEmpty)
                    } else {
                        let nonce = try #require(attributes.firstMatch(of: /nonce="([^"]+)"/)?.1, "inline script without nonce")
                        #expect(directives["script-src"] == ["'nonce-\(nonce)'"])
                    }
                }
                switch script {
                case .externalScript:
                    #expect(scripts.count == 1)
                    #expect(page.contains(#"<script src="/saml/autosubmit.js"></script>"#))
                case .inlineWithNonce:
                    #expect(scripts.count == 1)
                case .none:
                    #expect(scripts.isEmpty)
                    #expect(directives["script-src"] == ["'none'"])
                }
                // the IdP reads the posted request
                let samlRequest = try #require(page.firstMatch(of: /name="SAMLRequest" value="([^"]+)"/).map { String($0.1) })
                let relayState = page.firstMatch(of: /name="RelayState" value="([^"]+)"/).map { String($0.1) }
                let request = try world.idp.receivePost(samlRequest: samlRequest, relayState: relayState)
                #expect(request.binding == .httpPost)
            }
            try await client.execute(uri: "/saml/autosubmit.js", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/javascript; charset=utf-8")
                #expect(HummingbirdWorld.body(response) == PostForm.autoSubmitScript)
            }
        }
    }

    @Test("An IdP that wants signed requests, with no SP key: a readable 500 page, not an empty one")
    func signedRequestsWithoutKey() async throws {
        let world = try HummingbirdWorld(idpWantsSignedRequests: true)
        try await world.application().test(.router) { client in
            try await client.execute(uri: "/saml/login", method: .get) { response in
                #expect(response.status == .internalServerError)
                #expect(HummingbirdWorld.body(response).contains("Sign-in failed"))
                #expect(HummingbirdWorld.setCookie(SAMLServiceProvider.stateCookieName, in: response).map(HummingbirdWorld.attributes)?["max-age"] == "0")
            }
        }
        let logged = try #require(world.logs.records.first { $0.message == "SAML sign-in failed" })
        #expect(logged.metadata["saml.code"] == "invalidConfiguration")
        #expect(logged.metadata["saml.reason"]?.contains("WantAuthnRequestsSigned") == true)
    }

    @Test("With the SP key the signed request reaches the IdP verified")
    func signedRequests() async throws {
        let world = try HummingbirdWorld(idpWantsSignedRequests: true, signingKey: try DemoOnlyCredentials.serviceProvider())
        var registered = world.idp
        registered.serviceProviders = [.init(entityID: world.serviceProvider.configuration.entityID, acsURLs: world.serviceProvider.configuration.acsURLs,
                                      signingCertificates: [try DemoOnlyCredentials.serviceProvider().certificate])]
        let idp = registered
        try await world.application().test(.router) { client in
            let (location, _) = try await world.startLogin(client)
            #expect(try idp.receiveRedirect(url: location).signatureVerified)
        }
    }

    @Test("Configurations the routes cannot serve are refused at start-up")
    func configurationRefused() throws {
        let idp = try TestIdentityProvider.demo()
        func routes(acs: String, prefix: String = "/saml") throws {
            let sp = try SAMLServiceProvider(configuration: .init(acsURL: acs, identityProviders: [.init(idp.identityProvider)]))
            _ = try SAMLRoutes<BasicRequestContext>(serviceProvider: sp, options: .init(pathPrefix: prefix),
                                                   session: .cookie(try SAMLCookieSession.random(secure: false)))
        }
        #expect(throws: SAMLError.self) { try routes(acs: "http://app.example.com/saml/acs") }
        #expect(throws: SAMLError.self) { try routes(acs: "https://app.example.com/other/acs") }
        try routes(acs: "https://app.example.com/auth/acs", prefix: "/auth")
        try routes(acs: "http://localhost:9000/saml/acs")
        #expect(throws: SAMLError.self) { try SAMLCookieSession(secret: "short", secure: true) }
    }

    @Test("A login too large for a cookie is refused, not silently dropped by the browser")
    func cookieSessionLimit() async throws {
        let world = try HummingbirdWorld()
        let big = TestUser(email: "big@example.com", givenName: "Big", surName: "Groups",
                           extra: [.init(name: "groups", values: (0..<200).map { "group-number-\($0)" })])
        try await world.application().test(.router) { client in
            let (location, state) = try await world.startLogin(client)
            let response = try await world.postACS(client, world.respond(to: location, user: big), cookies: [state])
            #expect(response.status == .badRequest)
            #expect(HummingbirdWorld.setCookie(SAMLCookieSession.defaultCookieName, in: response) == nil)
        }
    }
}
#endif
