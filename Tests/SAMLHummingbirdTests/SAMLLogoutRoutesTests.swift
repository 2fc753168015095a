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

/// Single logout through `/saml/logout` and `/saml/slo`, with the test IdP on the other side.
@Suite("Hummingbird single logout routes")
struct SAMLLogoutRoutesTests {
    static let sessionName = SAMLCookieSession.defaultCookieName

    /// Signs Alice in and returns the `name=value` of her session cookie.
    static func signIn(_ world: HummingbirdWorld, _ client: some TestClientProtocol) async throws -> String {
        let (location, state) = try await world.startLogin(client)
        let signedIn = try await world.postACS(client, world.respond(to: location), cookies: [state])
        #expect(signedIn.status == .seeOther)
        return HummingbirdWorld.cookiePair(try #require(HummingbirdWorld.setCookie(sessionName, in: signedIn)))
    }

    static func query(of url: String) throws -> String {
        let mark = try #require(url.firstIndex(of: "?"))
        return String(url[url.index(after: mark)...])
    }

    /// The value of a hidden field of an HTTP-POST binding page (base64 and RelayState values
    /// carry no characters the page escapes besides `&`, undone here).
    static func hiddenField(_ name: String, in html: String) throws -> String {
        let marker = "name=\"\(name)\" value=\""
        let start = try #require(html.range(of: marker))
        let rest = html[start.upperBound...]
        return String(rest.prefix { $0 != "\"" }).replacingOccurrences(of: "&amp;", with: "&")
    }

    static func isCleared(_ name: String, in response: TestResponse) -> Bool {
        guard let cookie = HummingbirdWorld.setCookie(name, in: response) else { return false }
        return HummingbirdWorld.cookiePair(cookie) == name + "=" && HummingbirdWorld.attributes(cookie)["max-age"] == "0"
    }

    @Test("GET /saml/logout ends the session here, sends a signed LogoutRequest to the IdP's SLO; the IdP's answer finishes it once")
    func spInitiated() async throws {
        let world = try HummingbirdWorld(singleLogout: true)
        try await world.application().test(.router) { client in
            let session = try await Self.signIn(world, client)
            let (location, logoutState) = try await client.execute(uri: "/saml/logout?returnTo=%2Fbye", method: .get,
                                                                   headers: [.cookie: session]) { response in
                #expect(response.status == .found)
                #expect(response.headers[.cacheControl] == "no-store")
                let location = try #require(response.headers[.location])
                #expect(location.hasPrefix(try #require(world.idp.singleLogoutURL) + "?"))
                #expect(Self.isCleared(Self.sessionName, in: response))
                let state = try #require(HummingbirdWorld.setCookie(SAMLServiceProvider.logoutStateCookieName, in: response))
                let attributes = HummingbirdWorld.attributes(state)
                #expect(attributes["httponly"] != nil)
                #expect(attributes["samesite"] == "Lax")
                #expect(attributes["path"] == "/saml")
                #expect(attributes["secure"] == nil)
                return (location, HummingbirdWorld.cookiePair(state))
            }
            // the IdP verifies the request over the received query and finds Alice's session
            let received = try await world.idp.receiveLogoutRequest(query: try Self.query(of: location))
            #expect(received.nameID.value == "alice@example.com")
            #expect(received.issuer == world.serviceProvider.configuration.entityID)
            #expect(received.sessionIndexes.count == 1)
            let answer = try world.idp.issueLogoutResponse(answering: received)
            let answerURI = "/saml/slo?" + (try Self.query(of: try #require(answer.url)))
            try await client.execute(uri: answerURI, method: .get, headers: [.cookie: logoutState]) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/bye")
                #expect(Self.isCleared(SAMLServiceProvider.logoutStateCookieName, in: response))
            }
            // the same answer again is refused: the logout it answers is finished
            try await client.execute(uri: answerURI, method: .get, headers: [.cookie: logoutState]) { response in
                #expect(response.status == .forbidden)
                #expect(HummingbirdWorld.body(response).contains("correlation-id"))
            }
        }
        #expect(world.logs.records.contains { $0.metadata["saml.code"] == SAMLError.Code.inResponseToMismatch.description })
    }

    @Test("The IdP's answer by HTTP-POST finishes a logout started with POST /saml/logout")
    func spInitiatedAnsweredByPost() async throws {
        let world = try HummingbirdWorld(singleLogout: true)
        try await world.application().test(.router) { client in
            let session = try await Self.signIn(world, client)
            let (location, logoutState) = try await client.execute(uri: "/saml/logout", method: .post, headers: [.cookie: session]) { response in
                #expect(response.status == .found)
                let state = try #require(HummingbirdWorld.setCookie(SAMLServiceProvider.logoutStateCookieName, in: response))
                return (try #require(response.headers[.location]), HummingbirdWorld.cookiePair(state))
            }
            let received = try await world.idp.receiveLogoutRequest(query: try Self.query(of: location))
            let answer = try world.idp.issueLogoutResponse(answering: received, binding: .httpPost)
            var body = "SAMLResponse=" + HummingbirdWorld.formEscape(try #require(answer.samlValue))
            if let relayState = answer.relayState { body += "&RelayState=" + HummingbirdWorld.formEscape(relayState) }
            let headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded", .cookie: logoutState]
            try await client.execute(uri: "/saml/slo", method: .post, headers: headers, body: ByteBuffer(string: body)) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/")
                #expect(Self.isCleared(SAMLServiceProvider.logoutStateCookieName, in: response))
            }
            // without the logout state cookie (another browser) the answer finishes nothing
            try await client.execute(uri: "/saml/slo", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                                     body: ByteBuffer(string: body)) { response in
                #expect(response.status == .forbidden)
            }
        }
    }

    @Test("An IdP LogoutRequest by HTTP-Redirect ends the browser's session and is answered with a signed LogoutResponse the IdP accepts")
    func idpInitiatedRedirect() async throws {
        let world = try HummingbirdWorld(singleLogout: true)
        try await world.application().test(.router) { client in
            let session = try await Self.signIn(world, client)
            let issued = try world.idp.issueLogoutRequest(for: .alice, serviceProviderEntityID: world.serviceProvider.configuration.entityID,
                                                          relayState: "idp-relay-1")
            let location = try await client.execute(uri: "/saml/slo?" + (try Self.query(of: try #require(issued.url))), method: .get,
                                                    headers: [.cookie: session]) { response in
                #expect(response.status == .found)
                #expect(Self.isCleared(Self.sessionName, in: response))
                return try #require(response.headers[.location])
            }
            #expect(location.hasPrefix(try #require(world.idp.singleLogoutURL) + "?"))
            let answer = try world.idp.receiveLogoutResponse(query: try Self.query(of: location), expectedRequestID: issued.id)
            #expect(!answer.isPartial)
            #expect(answer.relayState == "idp-relay-1")
            #expect(answer.issuer == world.serviceProvider.configuration.entityID)
        }
    }

    @Test("An IdP LogoutRequest by HTTP-POST is answered by an HTTP-POST page carrying a signed LogoutResponse the IdP accepts")
    func idpInitiatedPost() async throws {
        let world = try HummingbirdWorld(singleLogout: true)
        try await world.application().test(.router) { client in
            let session = try await Self.signIn(world, client)
            let issued = try world.idp.issueLogoutRequest(for: .alice, serviceProviderEntityID: world.serviceProvider.configuration.entityID,
                                                          binding: .httpPost, relayState: "idp-relay-2")
            let body = "SAMLRequest=" + HummingbirdWorld.formEscape(try #require(issued.samlValue)) + "&RelayState=idp-relay-2"
            let headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded", .cookie: session]
            let page = try await client.execute(uri: "/saml/slo", method: .post, headers: headers, body: ByteBuffer(string: body)) { response in
                #expect(response.status == .ok)
                #expect(Self.isCleared(Self.sessionName, in: response))
                #expect(response.headers[.contentSecurityPolicy]?.contains("form-action http://127.0.0.1:8080") == true)
                return HummingbirdWorld.body(response)
            }
            #expect(page.contains("action=\"" + (try #require(world.idp.singleLogoutURL)) + "\""))
            let answer = try world.idp.receiveLogoutResponse(samlResponse: try Self.hiddenField("SAMLResponse", in: page),
                                                             relayState: try Self.hiddenField("RelayState", in: page),
                                                             expectedRequestID: issued.id)
            #expect(!answer.isPartial)
            #expect(answer.relayState == "idp-relay-2")
        }
    }

    @Test("A LogoutRequest whose query was re-encoded on the way is refused: the signature covers the octets sent")
    func reencodedQueryRefused() async throws {
        let world = try HummingbirdWorld(singleLogout: true)
        try await world.application().test(.router) { client in
            let session = try await Self.signIn(world, client)
            let issued = try world.idp.issueLogoutRequest(for: .alice, serviceProviderEntityID: world.serviceProvider.configuration.entityID)
            let original = try Self.query(of: try #require(issued.url))
            // the same values with lower-case percent escapes: equal once decoded, different octets
            var reencoded = ""
            var rest = Substring(original)
            while let percent = rest.firstIndex(of: "%") {
                reencoded += rest[..<percent]
                let escape = rest[percent...].prefix(3)
                reencoded += escape.lowercased()
                rest = rest[percent...].dropFirst(3)
            }
            reencoded += rest
            #expect(reencoded != original)
            #expect(reencoded.removingPercentEncoding == original.removingPercentEncoding)
            try await client.execute(uri: "/saml/slo?" + reencoded, method: .get, headers: [.cookie: session]) { response in
                #expect(response.status == .forbidden)
                #expect(HummingbirdWorld.setCookie(Self.sessionName, in: response) == nil)
            }
            // the query as the IdP sent it is accepted
            try await client.execute(uri: "/saml/slo?" + original, method: .get, headers: [.cookie: session]) { response in
                #expect(response.status == .found)
                #expect(Self.isCleared(Self.sessionName, in: response))
            }
        }
        #expect(world.logs.records.contains { $0.message == "SAML sign-in failed" && $0.metadata["saml.code"] == SAMLError.Code.signatureInvalid.description })
    }

    @Test("Without a session, or without a logout URL, /saml/logout stays local")
    func localLogoutWithoutSingleLogout() async throws {
        let world = try HummingbirdWorld(singleLogout: true)
        try await world.application().test(.router) { client in
            try await client.execute(uri: "/saml/logout", method: .get) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/")
                #expect(HummingbirdWorld.setCookie(SAMLServiceProvider.logoutStateCookieName, in: response) == nil)
            }
        }
    }

    @Test("A logout URL the routes do not serve is refused at start-up")
    func logoutURLMustBeServed() throws {
        let world = try HummingbirdWorld(singleLogout: true)
        var configuration = world.serviceProvider.configuration
        configuration.singleLogoutURL = world.baseURL + "/elsewhere/slo"
        let serviceProvider = try SAMLServiceProvider(configuration: configuration, requestTracker: InMemoryRequestTracker(),
                                                      replayStore: InMemoryReplayStore())
        #expect(throws: SAMLError.self) {
            try SAMLRoutes<BasicRequestContext>(serviceProvider: serviceProvider, session: .cookie(world.session))
        }
    }
}
#endif
