import Foundation
import SAMLCore
import SAMLLogin
import SAMLTesting
import SAMLWeb
import SAMLVerification

/// One behaviour every integration of the web layer must show, run against the neutral router
/// and against each framework.
public struct ConformanceCase: Sendable, CustomStringConvertible {
    /// Serves a world's routes and hands a client to the body.
    public typealias Harness = @Sendable (ConformanceWorld, @Sendable (any ConformanceClient) async throws -> Void) async throws -> Void

    public let description: String
    let world: @Sendable () throws -> ConformanceWorld
    let body: @Sendable (ConformanceWorld, any ConformanceClient) async throws -> Void

    /// Runs the case on `harness`; a behaviour that does not hold throws a ``ConformanceFailure``.
    public func run(_ harness: Harness) async throws {
        let world = try world()
        try await harness(world) { client in try await body(world, client) }
    }

    init(_ description: String, world: @escaping @Sendable () throws -> ConformanceWorld = { try ConformanceWorld() },
         body: @escaping @Sendable (ConformanceWorld, any ConformanceClient) async throws -> Void) {
        self.description = description
        self.world = world
        self.body = body
    }
}

extension ConformanceClient {
    func get(_ uri: String, _ headers: [(name: String, value: String)] = []) async throws -> ConformanceResponse {
        try await send(ConformanceRequest(.get, uri, headers: headers))
    }

    func post(_ uri: String, form: String, _ headers: [(name: String, value: String)] = []) async throws -> ConformanceResponse {
        try await send(ConformanceRequest(.post, uri, headers: [("Content-Type", "application/x-www-form-urlencoded")] + headers, body: form))
    }

    /// Starts a login: the IdP's redirect location and the state cookie pair.
    func startLogin(_ world: ConformanceWorld, _ uri: String = "/saml/login",
                    _ headers: [(name: String, value: String)] = []) async throws -> (location: String, state: String) {
        let response = try await get(uri, headers)
        try check(response.status == 302, "GET \(uri) answered \(response.status), not a redirect to the IdP")
        return (try require(response.header("Location"), "no Location"),
                try require(response.cookiePair(world.stateCookieName), "no \(world.stateCookieName) cookie"))
    }

    /// Posts `issued` to the ACS with `cookies`.
    func postACS(_ issued: IssuedResponse, cookies: [String]) async throws -> ConformanceResponse {
        var form = "SAMLResponse=" + ConformanceWorld.formEscape(issued.base64)
        if let relayState = issued.relayState { form += "&RelayState=" + ConformanceWorld.formEscape(relayState) }
        return try await post("/saml/acs", form: form, cookies.isEmpty ? [] : [("Cookie", cookies.joined(separator: "; "))])
    }

    /// Signs `user` in at `idp` (the world's first IdP by default); returns the session cookie pair.
    func signIn(_ world: ConformanceWorld, user: TestUser = .alice, at idp: TestIdentityProvider? = nil,
                extraCookies: [String] = []) async throws -> (session: String, response: ConformanceResponse) {
        let idp = idp ?? world.idp
        let uri = world.otherIdP == nil ? "/saml/login" : "/saml/login?idp=" + ConformanceWorld.formEscape(idp.entityID)
        let (location, state) = try await startLogin(world, uri, [("Sec-Fetch-Site", "same-origin")])
        let issued = try idp.issueResponse(for: user, answering: try idp.receiveRedirect(url: location))
        let response = try await postACS(issued, cookies: [state] + extraCookies)
        try check(response.status == 303, "the ACS answered \(response.status), not 303: \(response.body.prefix(200))")
        return (try require(response.cookiePair(world.session.cookieName), "no session cookie"), response)
    }
}

extension ConformanceCase {
    /// Every case.
    public static let allCases: [ConformanceCase] = login + postForms + acs + cookies + logout + singleLogout + admin

    static let login: [ConformanceCase] = [
        ConformanceCase("GET /saml/login redirects to the IdP and sets the state cookie (HttpOnly, Lax, Path=/saml over loopback http)") { world, client in
            let response = try await client.get("/saml/login?returnTo=/inbox")
            try check(response.status == 302, "status \(response.status)")
            try check(response.header("Cache-Control") == "no-store", "cacheable redirect")
            let request = try world.idp.receiveRedirect(url: try require(response.header("Location"), "no Location"))
            try check(request.acsURL == world.baseURL + "/saml/acs", "ACS URL \(request.acsURL)")
            let attributes = response.attributes(SAMLServiceProvider.stateCookieName)
            try check(attributes["httponly"] != nil && attributes["samesite"] == "Lax" && attributes["secure"] == nil
                      && attributes["path"] == "/saml", "state cookie attributes \(attributes)")
            try check(Int(attributes["max-age"] ?? "") ?? 0 > 0, "state cookie without lifetime")
        },
        ConformanceCase("A cross-site link to a non-default IdP's login shows the choice page; a same-site request starts it",
                        world: { try ConformanceWorld(twoIdPs: true) }) { world, client in
            let other = try require(world.otherIdP, "no second IdP")
            let uri = "/saml/login?idp=" + ConformanceWorld.formEscape(other.entityID)
            for headers: [(name: String, value: String)] in [[("Sec-Fetch-Site", "cross-site")], [], [("Referer", "https://attacker.example/")]] {
                let response = try await client.get(uri, headers)
                try check(response.status == 200, "a cross-site login at \(other.entityID) answered \(response.status) with \(headers)")
                try check(response.body.contains(other.entityID) && response.body.contains(world.idp.entityID), "the choice page does not list the IdPs")
                try check(response.setCookie(world.stateCookieName) == nil, "a cross-site request started a login")
            }
            for headers: [(name: String, value: String)] in [[("Sec-Fetch-Site", "same-origin")], [("Sec-Fetch-Site", "none")],
                                                            [("Referer", world.baseURL + "/saml/login")]] {
                let response = try await client.get(uri, headers)
                try check(response.status == 302, "a same-site login answered \(response.status) with \(headers)")
                try check(response.header("Location")?.hasPrefix(other.redirectURL) == true, "not sent to the chosen IdP")
            }
            // without idp= and without a default IdP: the choice page
            let plain = try await client.get("/saml/login")
            try check(plain.status == 200 && plain.body.contains("identity-providers"), "no choice page without idp=")
        },
        ConformanceCase("The default IdP's login starts from any site",
                        world: { try ConformanceWorld(twoIdPs: true, firstIsDefault: true) }) { world, client in
            let response = try await client.get("/saml/login", [("Sec-Fetch-Site", "cross-site")])
            try check(response.status == 302 && response.header("Location")?.hasPrefix(world.idp.redirectURL) == true,
                      "the default IdP's login answered \(response.status)")
        },
        ConformanceCase("GET /saml/metadata serves the SP's metadata; GET /saml/autosubmit.js the POST page's script") { world, client in
            let metadata = try await client.get("/saml/metadata")
            try check(metadata.status == 200 && metadata.header("Content-Type")?.hasPrefix("application/samlmetadata+xml") == true,
                      "metadata answered \(metadata.status)")
            try check(metadata.body.contains(world.serviceProvider.configuration.entityID), "metadata without the entity ID")
            let script = try await client.get("/saml/autosubmit.js")
            try check(script.status == 200 && script.body == PostForm.autoSubmitScript, "autosubmit.js answered \(script.status)")
        },
    ]

    static let postForms: [ConformanceCase] = [SAMLWebOptions.PostFormScript.externalScript, .inlineWithNonce, .none].map { script in
        ConformanceCase("The HTTP-POST login page (\(script)) runs no script its Content-Security-Policy does not allow",
                        world: { try ConformanceWorld(options: SAMLWebOptions(loginOptions: LoginOptions(binding: .httpPost), postFormScript: script)) }) { world, client in
            let response = try await client.get("/saml/login")
            try check(response.status == 200 && response.header("Content-Type") == "text/html; charset=utf-8", "status \(response.status)")
            try check(response.setCookie(world.stateCookieName) != nil, "no state cookie")
            let csp = try require(response.header("Content-Security-Policy"), "no CSP")
            var directives: [String: [String]] = [:]
            for part in csp.split(separator: ";") {
                let words = part.split(separator: " ").map(String.init)
                directives[words[0]] = Array(words.dropFirst())
            }
            try check(directives["default-src"] == ["'none'"] && directives["form-action"] == [world.baseURL], "CSP \(csp)")
            let page = response.body
            let scripts = page.matches(of: /<script([^>]*)>([^<]*)<\/script>/).map { (String($0.1), String($0.2)) }
            switch script {
            case .externalScript:
                try check(scripts.count == 1 && page.contains(#"<script src="/saml/autosubmit.js"></script>"#)
                          && directives["script-src"] == ["'self'"], "external script page: \(scripts), \(csp)")
            case .inlineWithNonce:
                let nonce = try require(scripts.first?.0.firstMatch(of: /nonce="([^"]+)"/).map { String($0.1) }, "inline script without nonce")
                try check(scripts.count == 1 && directives["script-src"] == ["'nonce-\(nonce)'"], "nonce page: \(csp)")
            case .none:
                try check(scripts.isEmpty && directives["script-src"] == ["'none'"], "script-free page: \(scripts), \(csp)")
            }
            let samlRequest = try require(page.firstMatch(of: /name="SAMLRequest" value="([^"]+)"/).map { String($0.1) }, "no SAMLRequest")
            let relayState = page.firstMatch(of: /name="RelayState" value="([^"]+)"/).map { String($0.1) }
            try check(try world.idp.receivePost(samlRequest: samlRequest, relayState: relayState).binding == .httpPost, "the IdP cannot read the request")
        }
    }

    static let acs: [ConformanceCase] = [
        ConformanceCase("An IdP that wants signed requests, with no SP key: a readable 500 page, the state cookie cleared",
                        world: { try ConformanceWorld(idpWantsSignedRequests: true) }) { world, client in
            let response = try await client.get("/saml/login")
            try check(response.status == 500 && response.body.contains("Sign-in failed"), "answered \(response.status)")
            try check(response.clears(world.stateCookieName), "the state cookie is not cleared")
        },
        ConformanceCase("With the SP key the signed request reaches the IdP verified",
                        world: { try ConformanceWorld(idpWantsSignedRequests: true, signingKey: try DemoOnlyCredentials.serviceProvider()) }) { world, client in
            let (location, _) = try await client.startLogin(world)
            try check(try world.idp.receiveRedirect(url: location).signatureVerified, "the IdP did not verify the request's signature")
        },
        ConformanceCase("A return-to on another origin lands on / after the ACS") { world, client in
            for returnTo in ["https://evil.example/", "//evil.example", "/\\evil.example"] {
                let (location, state) = try await client.startLogin(world, "/saml/login?returnTo=" + ConformanceWorld.formEscape(returnTo))
                let issued = try world.idp.issueResponse(for: .alice, answering: try world.idp.receiveRedirect(url: location))
                let response = try await client.postACS(issued, cookies: [state])
                try check(response.status == 303 && response.header("Location") == "/", "\(returnTo) landed at \(response.header("Location") ?? "-")")
            }
        },
        ConformanceCase("A login too large for a cookie is refused (400), not silently dropped by the browser") { world, client in
            let big = TestUser(email: "big@example.com", givenName: "Big", surName: "Groups",
                               extra: [.init(name: "groups", values: (0..<200).map { "group-number-\($0)" })])
            let (location, state) = try await client.startLogin(world)
            let issued = try world.idp.issueResponse(for: big, answering: try world.idp.receiveRedirect(url: location))
            let response = try await client.postACS(issued, cookies: [state])
            try check(response.status == 400 && response.cookiePair(world.session.cookieName) == nil, "answered \(response.status)")
        },
        ConformanceCase("POST /saml/acs signs Alice in: 303 to returnTo, a session cookie, the state cookie cleared") { world, client in
            let (location, state) = try await client.startLogin(world, "/saml/login?returnTo=%2Finbox%3Ftab%3D2")
            let issued = try world.idp.issueResponse(for: .alice, answering: try world.idp.receiveRedirect(url: location))
            let posted = Date()  // the cookie's Max-Age is computed after this instant
            let response = try await client.postACS(issued, cookies: [state])
            try check(response.status == 303 && response.header("Location") == "/inbox?tab=2", "status \(response.status) to \(response.header("Location") ?? "-")")
            try check(response.header("Cache-Control") == "no-store", "cacheable login")
            try check(response.clears(world.stateCookieName), "the state cookie is not cleared")
            let pair = try require(response.cookiePair(world.session.cookieName), "no session cookie")
            let login = try require(world.session.login(fromCookieValue: String(pair.dropFirst(world.session.cookieName.count + 1))), "session cookie unreadable")
            try check(login.email == "alice@example.com" && login.issuer == world.idp.entityID, "signed in as \(login.email ?? "-")")
            let attributes = response.attributes(world.session.cookieName)
            try check(attributes["httponly"] != nil && attributes["samesite"] == "Lax", "session cookie attributes \(attributes)")
            let maxAge = try require(Int(attributes["max-age"] ?? ""), "session cookie without Max-Age")
            try check(maxAge > 0 && Double(maxAge) <= login.sessionExpiresAt.timeIntervalSince(posted) + 1,
                      "session cookie outlives the login: \(maxAge) s, \(login.sessionExpiresAt.timeIntervalSince(posted)) s left when posted")
        },
        ConformanceCase("Refused responses get the error page (403, correlation ID), no session, the login state left in place") { world, client in
            for broken in [BrokenVariant.tamperedAfterSigning, .expired] {
                let (location, state) = try await client.startLogin(world)
                let issued = try world.idp.issueResponse(for: .alice, answering: try world.idp.receiveRedirect(url: location),
                                                         options: ResponseOptions(broken: broken))
                let response = try await client.postACS(issued, cookies: [state])
                try check(response.status == 403, "\(broken) answered \(response.status)")
                try check(response.body.contains("correlation-id"), "no correlation ID on the page")
                try check(response.header("Content-Security-Policy")?.contains("default-src 'none'") == true, "error page without CSP")
                try check(response.cookiePair(world.session.cookieName) == nil, "a refused response set a session")
                try check(response.setCookie(world.stateCookieName) == nil, "a refused response touched the login state cookie")
            }
            // a response without login state, IdP-initiated logins off
            let issued = try world.idp.issueResponse(for: .alice, serviceProviderEntityID: world.serviceProvider.configuration.entityID,
                                                     acsURL: world.baseURL + "/saml/acs", inResponseTo: nil)
            let unsolicited = try await client.postACS(issued, cookies: [])
            try check(unsolicited.status == 403, "an unsolicited response answered \(unsolicited.status)")
        },
        ConformanceCase("A cross-site garbage POST to the ACS leaves the victim's login in progress: the real response still signs in") { world, client in
            let (location, state) = try await client.startLogin(world)
            for garbage in ["SAMLResponse=PHg%2BPC94Pg%3D%3D", "SAMLResponse=%25%25%25", "RelayState=x"] {
                let refused = try await client.post("/saml/acs", form: garbage, [("Cookie", state), ("Sec-Fetch-Site", "cross-site")])
                try check((400..<500).contains(refused.status), "garbage answered \(refused.status)")
                try check(refused.setCookie(world.stateCookieName) == nil, "a garbage post cleared or replaced the login state cookie")
            }
            let issued = try world.idp.issueResponse(for: .alice, answering: try world.idp.receiveRedirect(url: location))
            let response = try await client.postACS(issued, cookies: [state])
            try check(response.status == 303 && response.cookiePair(world.session.cookieName) != nil,
                      "after the garbage posts the real response answered \(response.status)")
        },
        ConformanceCase("The ACS reads its form with the one strict reader: bad escapes and repeated fields are 400") { world, client in
            let (location, state) = try await client.startLogin(world)
            let issued = try world.idp.issueResponse(for: .alice, answering: try world.idp.receiveRedirect(url: location))
            let value = ConformanceWorld.formEscape(issued.base64)
            for form in ["SAMLResponse=" + value + "%zz", "SAMLResponse=" + value + "&SAMLResponse=" + value,
                         "SAMLResponse=" + value + "%", "RelayState=only", "SAMLResponse=" + value + "\u{1}"] {
                let response = try await client.post("/saml/acs", form: form, [("Cookie", state)])
                try check(response.status == 400, "the form \(form.suffix(30)) answered \(response.status)")
                try check(response.cookiePair(world.session.cookieName) == nil, "a malformed form set a session")
            }
        },
        ConformanceCase("A body over the limit is refused with 400 before it is read",
                        world: { try ConformanceWorld(options: SAMLWebOptions(maximumBodyBytes: 2048)) }) { _, client in
            let response = try await client.post("/saml/acs", form: "SAMLResponse=" + String(repeating: "A", count: 4096))
            try check(response.status == 400 || response.status == 413, "an oversized body answered \(response.status)")
        },
    ]

    static let cookies: [ConformanceCase] = [
        ConformanceCase("Over https every cookie is __Host- prefixed, Secure, Path=/; the state cookie SameSite=None",
                        world: { try ConformanceWorld(baseURL: "https://app.example.com") }) { world, client in
            try check(world.stateCookieName == "__Host-saml_login_state" && world.session.cookieName == "__Host-saml_session",
                      "cookie names \(world.stateCookieName), \(world.session.cookieName)")
            let (session, response) = try await client.signIn(world)
            _ = session
            let state = try await client.get("/saml/login")
            let stateAttributes = state.attributes(world.stateCookieName)
            try check(stateAttributes["secure"] != nil && stateAttributes["path"] == "/" && stateAttributes["samesite"] == "None"
                      && stateAttributes["httponly"] != nil && stateAttributes["domain"] == nil, "state cookie \(stateAttributes)")
            let sessionAttributes = response.attributes(world.session.cookieName)
            try check(sessionAttributes["secure"] != nil && sessionAttributes["path"] == "/" && sessionAttributes["samesite"] == "Lax"
                      && sessionAttributes["httponly"] != nil, "session cookie \(sessionAttributes)")
        },
        ConformanceCase("A request carrying the state cookie twice is refused (400) and signs nobody in") { world, client in
            let (location, state) = try await client.startLogin(world)
            let (_, otherState) = try await client.startLogin(world)
            let issued = try world.idp.issueResponse(for: .alice, answering: try world.idp.receiveRedirect(url: location))
            let response = try await client.postACS(issued, cookies: [otherState, state])
            try check(response.status == 400, "two state cookies answered \(response.status)")
            try check(response.cookiePair(world.session.cookieName) == nil, "two state cookies signed someone in")
        },
        ConformanceCase("Session fixation: a session cookie planted before the login is replaced by a new one") { world, client in
            let (planted, _) = try await client.signIn(world, user: .bob)
            let (session, _) = try await client.signIn(world, user: .alice, extraCookies: [planted])
            try check(session != planted, "the login kept the planted session")
            let value = String(session.dropFirst(world.session.cookieName.count + 1))
            try check(world.session.login(fromCookieValue: value)?.email == "alice@example.com", "the new session is not Alice's")
        },
    ]

    static let logout: [ConformanceCase] = [
        ConformanceCase("GET /saml/logout shows a Sign-out form and never ends the session") { world, client in
            let (session, _) = try await client.signIn(world)
            for headers: [(name: String, value: String)] in [[("Sec-Fetch-Site", "cross-site")], [("Sec-Fetch-Site", "same-origin")], []] {
                let response = try await client.get("/saml/logout", [("Cookie", session)] + headers)
                try check(response.status == 200 && response.body.contains("method=\"post\""), "GET /saml/logout answered \(response.status)")
                try check(response.setCookie(world.session.cookieName) == nil, "GET /saml/logout touched the session")
            }
        },
        ConformanceCase("A cross-site POST /saml/logout is refused (403) and leaves the session") { world, client in
            let (session, _) = try await client.signIn(world)
            for headers: [(name: String, value: String)] in [[("Sec-Fetch-Site", "cross-site")], [("Sec-Fetch-Site", "same-site")], [],
                                                            [("Origin", "https://attacker.example")], [("Origin", "null")]] {
                let response = try await client.post("/saml/logout", form: "", [("Cookie", session)] + headers)
                try check(response.status == 403, "a POST with \(headers) answered \(response.status)")
                try check(response.setCookie(world.session.cookieName) == nil, "a cross-site POST ended the session")
            }
            let forged = try await client.post("/saml/logout", form: "csrf_token=00", [("Cookie", session)])
            try check(forged.status == 403, "a wrong token answered \(forged.status)")
        },
        ConformanceCase("A same-origin POST /saml/logout ends the session (Sec-Fetch-Site, or Origin without fetch metadata)") { world, client in
            for headers: [(name: String, value: String)] in [[("Sec-Fetch-Site", "same-origin")], [("Origin", world.baseURL)]] {
                let (session, _) = try await client.signIn(world)
                let response = try await client.post("/saml/logout", form: "", [("Cookie", session)] + headers)
                try check(response.status == 303 && response.header("Location") == "/", "logout answered \(response.status)")
                try check(response.clears(world.session.cookieName), "logout did not clear the session cookie")
            }
        },
        ConformanceCase("The logout page's token ends its own session only") { world, client in
            let (first, _) = try await client.signIn(world)
            let page = try await client.get("/saml/logout", [("Cookie", first)])
            let token = try require(Self.hiddenField("csrf_token", in: page.body), "no csrf_token on the logout page")
            let (second, _) = try await client.signIn(world, user: .bob)
            let other = try await client.post("/saml/logout", form: "csrf_token=" + token, [("Cookie", second)])
            try check(other.status == 403, "another session's token answered \(other.status)")
            let own = try await client.post("/saml/logout", form: "csrf_token=" + token, [("Cookie", first)])
            try check(own.status == 303 && own.clears(world.session.cookieName), "the session's own token answered \(own.status)")
        },
    ]

    static let singleLogout: [ConformanceCase] = [
        ConformanceCase("/saml/slo needs exactly one of SAMLRequest and SAMLResponse (400)", world: { try ConformanceWorld(singleLogout: true) }) { _, client in
            for uri in ["/saml/slo", "/saml/slo?SAMLRequest=a&SAMLResponse=b", "/saml/slo?RelayState=x"] {
                let response = try await client.get(uri)
                try check(response.status == 400, "GET \(uri) answered \(response.status)")
            }
            for form in ["SAMLRequest=a&SAMLResponse=b", "RelayState=x", ""] {
                let response = try await client.post("/saml/slo", form: form)
                try check(response.status == 400, "POST \(form) answered \(response.status)")
            }
        },
        ConformanceCase("SP-initiated single logout: the session ends, the IdP gets a signed request, its answer finishes once",
                        world: { try ConformanceWorld(singleLogout: true) }) { world, client in
            let (session, _) = try await client.signIn(world)
            let start = try await client.post("/saml/logout?returnTo=%2Fbye", form: "", [("Cookie", session), ("Sec-Fetch-Site", "same-origin")])
            try check(start.status == 302, "logout answered \(start.status)")
            let location = try require(start.header("Location"), "no Location")
            try check(location.hasPrefix(try require(world.idp.singleLogoutURL, "IdP without SLO") + "?"), "not sent to the IdP's SLO")
            try check(start.clears(world.session.cookieName), "the session cookie is not cleared")
            let logoutState = try require(start.cookiePair(world.logoutStateCookieName), "no logout state cookie")
            let received = try await world.idp.receiveLogoutRequest(query: ConformanceWorld.query(of: location))
            try check(received.nameID.value == "alice@example.com", "the LogoutRequest names \(received.nameID.value)")
            let answer = try world.idp.issueLogoutResponse(answering: received)
            let answerURI = "/saml/slo?" + ConformanceWorld.query(of: try require(answer.url, "no answer URL"))
            let finished = try await client.get(answerURI, [("Cookie", logoutState)])
            try check(finished.status == 303 && finished.header("Location") == "/bye", "the answer landed \(finished.status) at \(finished.header("Location") ?? "-")")
            try check(finished.clears(world.logoutStateCookieName), "the logout state cookie is not cleared")
            let again = try await client.get(answerURI, [("Cookie", logoutState)])
            try check(again.status == 403, "the same answer again answered \(again.status)")
        },
        ConformanceCase("An IdP's LogoutRequest ends the named session (redirect) and is answered Success; by POST with a CSP'd page",
                        world: { try ConformanceWorld(singleLogout: true) }) { world, client in
            let (session, _) = try await client.signIn(world)
            let issued = try world.idp.issueLogoutRequest(for: .alice, serviceProviderEntityID: world.serviceProvider.configuration.entityID,
                                                          relayState: "idp-relay-1")
            let response = try await client.get("/saml/slo?" + ConformanceWorld.query(of: try require(issued.url, "no URL")), [("Cookie", session)])
            try check(response.status == 302 && response.clears(world.session.cookieName), "the LogoutRequest answered \(response.status)")
            let answer = try world.idp.receiveLogoutResponse(query: ConformanceWorld.query(of: try require(response.header("Location"), "no Location")),
                                                             expectedRequestID: issued.id)
            try check(!answer.isPartial && answer.relayState == "idp-relay-1", "answered partial=\(answer.isPartial)")

            let (second, _) = try await client.signIn(world)
            let posted = try world.idp.issueLogoutRequest(for: .alice, serviceProviderEntityID: world.serviceProvider.configuration.entityID,
                                                          binding: .httpPost, relayState: "idp-relay-2")
            let page = try await client.post("/saml/slo", form: "SAMLRequest=" + ConformanceWorld.formEscape(try require(posted.samlValue, "no value"))
                                             + "&RelayState=idp-relay-2", [("Cookie", second)])
            try check(page.status == 200 && page.clears(world.session.cookieName), "the posted LogoutRequest answered \(page.status)")
            try check(page.header("Content-Security-Policy")?.contains("form-action " + world.baseURL) == true, "the answer page's CSP")
            let postedAnswer = try world.idp.receiveLogoutResponse(samlResponse: try require(Self.hiddenField("SAMLResponse", in: page.body), "no SAMLResponse"),
                                                                   relayState: Self.hiddenField("RelayState", in: page.body), expectedRequestID: posted.id)
            try check(!postedAnswer.isPartial, "the posted LogoutRequest was answered partial")
        },
        ConformanceCase("Another IdP's LogoutRequest for a colliding NameID ends nothing and is answered PartialLogout",
                        world: { try ConformanceWorld(singleLogout: true, twoIdPs: true) }) { world, client in
            let other = try require(world.otherIdP, "no second IdP")
            let (session, _) = try await client.signIn(world)
            let issued = try other.issueLogoutRequest(for: .alice, serviceProviderEntityID: world.serviceProvider.configuration.entityID)
            let response = try await client.get("/saml/slo?" + ConformanceWorld.query(of: try require(issued.url, "no URL")), [("Cookie", session)])
            try check(response.status == 302, "the LogoutRequest answered \(response.status)")
            try check(response.setCookie(world.session.cookieName) == nil, "another IdP's LogoutRequest ended Alice's session")
            let answer = try other.receiveLogoutResponse(query: ConformanceWorld.query(of: try require(response.header("Location"), "no Location")),
                                                         expectedRequestID: issued.id)
            try check(answer.isPartial, "answered Success for a session that was not ended")
        },
        ConformanceCase("A LogoutRequest whose query was re-encoded on the way is refused: the signature covers the octets sent",
                        world: { try ConformanceWorld(singleLogout: true) }) { world, client in
            let (session, _) = try await client.signIn(world)
            let issued = try world.idp.issueLogoutRequest(for: .alice, serviceProviderEntityID: world.serviceProvider.configuration.entityID)
            let original = ConformanceWorld.query(of: try require(issued.url, "no URL"))
            var reencoded = ""
            var rest = Substring(original)
            while let percent = rest.firstIndex(of: "%") {
                reencoded += rest[..<percent]
                reencoded += rest[percent...].prefix(3).lowercased()
                rest = rest[percent...].dropFirst(3)
            }
            reencoded += rest
            try check(reencoded != original, "nothing to re-encode")
            let refused = try await client.get("/saml/slo?" + reencoded, [("Cookie", session)])
            try check(refused.status == 403 && refused.setCookie(world.session.cookieName) == nil, "a re-encoded query answered \(refused.status)")
            let accepted = try await client.get("/saml/slo?" + original, [("Cookie", session)])
            try check(accepted.status == 302 && accepted.clears(world.session.cookieName), "the original query answered \(accepted.status)")
        },
    ]

    /// The value of a hidden field of a page (`&amp;` undone).
    static func hiddenField(_ name: String, in html: String) -> String? {
        guard let start = html.range(of: "name=\"\(name)\" value=\"") else { return nil }
        return String(html[start.upperBound...].prefix { $0 != "\"" }).replacingOccurrences(of: "&amp;", with: "&")
    }
}
