#if Vapor
import Foundation
import SAMLLogin
import SAML
import SAMLCore
import SAMLVapor
import SAMLXMLSec
import Synchronization
import Testing
import Vapor
import VaporTesting

/// The Vapor routes end to end over the in-memory tester: cookies, sessions, refusals, logout.
@Suite struct SAMLVaporRoutesTests {
    /// Starts a login in `browser`: the request ID and RelayState the IdP received.
    func startLogin(_ app: any TestingApplicationTester, _ browser: inout Browser, returnTo: String = "/inbox") async throws -> (id: String, relay: String) {
        let response = try await app.sendRequest(.GET, "/saml/login?returnTo=\(returnTo)", headers: browser.header)
        #expect(response.status == .found)
        browser.take(response)
        let location = try #require(response.headers.first(name: .location))
        let message = try RedirectBindingMessage(query: location, expecting: "SAMLRequest", limits: .default)
        let xml = String(decoding: message.xml, as: UTF8.self)
        let id = try #require(xml.slice(after: " ID=\"", before: "\""))
        return (id, try #require(message.relayState))
    }

    /// Posts `samlResponse` to the ACS from `browser`.
    func post(_ app: any TestingApplicationTester, _ browser: inout Browser, samlResponse: String, relay: String) async throws -> TestingHTTPResponse {
        let response = try await app.sendRequest(.POST, "/saml/acs", headers: formHeaders(browser),
                                                 body: formBody([("SAMLResponse", samlResponse), ("RelayState", relay)]))
        browser.take(response)
        return response
    }

    func whoAmI(_ app: any TestingApplicationTester, _ browser: Browser) async throws -> String {
        try await app.sendRequest(.GET, "/me", headers: browser.header).body.string
    }

    /// Logs alice in; returns her browser.
    func loggedIn(_ app: any TestingApplicationTester) async throws -> Browser {
        var browser = Browser()
        let started = try await startLogin(app, &browser)
        let response = try await post(app, &browser, samlResponse: try VaporWorld.response(answering: started.id), relay: started.relay)
        #expect(response.status == .seeOther)
        return browser
    }

    func expectErrorPage(_ response: TestingHTTPResponse, status: HTTPStatus = .forbidden, world: VaporWorld, code: SAMLError.Code,
                         sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(response.status == status, sourceLocation: sourceLocation)
        let page = response.body.string
        #expect(page.contains("<h1>Sign-in failed</h1>"), sourceLocation: sourceLocation)
        #expect(response.headers.first(name: .cacheControl) == "no-store", sourceLocation: sourceLocation)
        #expect(response.headers.first(name: "Content-Security-Policy")?.hasPrefix("default-src 'none'") == true, sourceLocation: sourceLocation)
        #expect(SetCookie.named("vapor-session", in: response) == nil, "a refusal must not start a session", sourceLocation: sourceLocation)
        // the page's correlation ID is the one logged with the code and reason
        let id = page.slice(after: "<code id=\"correlation-id\">", before: "</code>") ?? "?"
        let logged = world.log.records.withLock { $0 }.filter { $0.metadata["saml.correlation_id"] == .string(id) }
        #expect(logged.count == 1, sourceLocation: sourceLocation)
        #expect(logged.first?.metadata["saml.code"] == .string(code.description), sourceLocation: sourceLocation)
        #expect(logged.first?.level == .notice, sourceLocation: sourceLocation)
        #expect(!page.contains(code.description), "the page shows no internals", sourceLocation: sourceLocation)
    }

    // MARK: - Login

    @Test func loginRedirectsToTheIdPWithASecureStateCookie() async throws {
        let world = try VaporWorld()
        try await world.run { app in
            let response = try await app.sendRequest(.GET, "/saml/login?returnTo=/inbox")
            #expect(response.status == .found)
            let location = try #require(response.headers.first(name: .location))
            #expect(location.hasPrefix("https://idp.example.org/sso/redirect?SAMLRequest="))
            #expect(location.contains("&Signature="))
            #expect(response.headers.first(name: .cacheControl) == "no-store")
            // over https: __Host- prefixed, so no sibling subdomain can plant it
            let cookie = try #require(SetCookie.named(VaporWorld.stateCookie, in: response))
            #expect(!cookie.value.isEmpty)
            #expect(cookie.attributes["httponly"] != nil)
            #expect(cookie.attributes["secure"] != nil)
            #expect(cookie.attributes["samesite"] == "None")
            #expect(cookie.attributes["path"] == "/")
            #expect(cookie.attributes["domain"] == nil)
            #expect(Int(cookie.attributes["max-age"] ?? "") ?? 0 > 0)
        }
    }

    @Test func plainHTTPLoopbackUsesLaxCookiesAndPlainHTTPElsewhereIsRefused() async throws {
        let world = try VaporWorld(acs: "http://127.0.0.1:8080/saml/acs", singleLogout: false)
        try await world.run { app in
            let response = try await app.sendRequest(.GET, "/saml/login")
            let cookie = try #require(SetCookie.named(SAMLServiceProvider.stateCookieName, in: response))
            #expect(cookie.attributes["httponly"] != nil)
            #expect(cookie.attributes["secure"] == nil)
            #expect(cookie.attributes["samesite"] == "Lax")
        }
        let offLoopback = try VaporWorld(acs: "http://sp.example.com/saml/acs", singleLogout: false)
        #expect(throws: SAMLError.self) { try SAMLVaporRoutes(serviceProvider: offLoopback.saml) }
        let wrongPath = try VaporWorld(acs: "https://sp.example.com/sso/acs", singleLogout: false)
        #expect(throws: SAMLError.self) { try SAMLVaporRoutes(serviceProvider: wrongPath.saml) }
    }

    @Test func acsAcceptsTheAnswerAndStartsAVaporSession() async throws {
        let world = try VaporWorld()
        try await world.run { app in
            var browser = Browser()
            let started = try await startLogin(app, &browser)
            #expect(try await whoAmI(app, browser) == "anonymous")
            let response = try await post(app, &browser, samlResponse: try VaporWorld.response(answering: started.id), relay: started.relay)
            #expect(response.status == .seeOther)
            #expect(response.headers.first(name: .location) == "/inbox")
            #expect(response.headers.first(name: .cacheControl) == "no-store")
            let cleared = try #require(SetCookie.named(VaporWorld.stateCookie, in: response))
            #expect(cleared.attributes["max-age"] == "0")
            #expect(browser.cookies[VaporWorld.stateCookie] == nil)
            #expect(browser.cookies["vapor-session"] != nil)
            // req.auth has the login on later requests, through the session
            #expect(try await whoAmI(app, browser) == "alice@example.com")
            // another browser has no session
            #expect(try await whoAmI(app, Browser()) == "anonymous")
        }
    }

    @Test func tamperedResponseShowsTheErrorPageAndNoSession() async throws {
        let world = try VaporWorld()
        try await world.run { app in
            var browser = Browser()
            let started = try await startLogin(app, &browser)
            let signed = try Generated.signed(edits: [(Generated.requestID, started.id)])
            let tampered = signed.replacingOccurrences(of: "alice@example.com", with: "mallory@example.com")
            #expect(tampered != signed)
            let response = try await post(app, &browser, samlResponse: Data(tampered.utf8).base64EncodedString(), relay: started.relay)
            expectErrorPage(response, world: world, code: .signatureInvalid)
            // anyone can post to the ACS: a refusal leaves the login in progress
            #expect(SetCookie.named(VaporWorld.stateCookie, in: response) == nil)
            #expect(try await whoAmI(app, browser) == "anonymous")
        }
    }

    @Test func replayedResponseIsRefused() async throws {
        let world = try VaporWorld()
        try await world.run { app in
            var browser = Browser()
            let started = try await startLogin(app, &browser)
            let samlResponse = try VaporWorld.response(answering: started.id)
            let savedCookies = browser.cookies
            #expect(try await post(app, &browser, samlResponse: samlResponse, relay: started.relay).status == .seeOther)
            // an attacker replays the captured POST with the captured state cookie, from a fresh browser
            var attacker = Browser(cookies: savedCookies.filter { $0.key == VaporWorld.stateCookie })
            let replay = try await post(app, &attacker, samlResponse: samlResponse, relay: started.relay)
            expectErrorPage(replay, world: world, code: .inResponseToMismatch)
            #expect(try await whoAmI(app, attacker) == "anonymous")
        }
    }

    @Test func responseForAnotherBrowsersRequestIsRefused() async throws {
        let world = try VaporWorld()
        try await world.run { app in
            var victim = Browser()
            let victimLogin = try await startLogin(app, &victim)
            var attacker = Browser()
            let attackerLogin = try await startLogin(app, &attacker)
            // the attacker's own response, planted in the victim's browser
            let planted = try await post(app, &victim, samlResponse: try VaporWorld.response(answering: attackerLogin.id),
                                         relay: attackerLogin.relay)
            expectErrorPage(planted, world: world, code: .inResponseToMismatch)
            #expect(try await whoAmI(app, victim) == "anonymous")
            // without any state cookie (IdP-initiated is not enabled)
            var bare = Browser()
            let unsolicited = try await post(app, &bare, samlResponse: try VaporWorld.response(answering: victimLogin.id), relay: victimLogin.relay)
            expectErrorPage(unsolicited, world: world, code: .unsolicitedResponse)
        }
    }

    @Test func malformedPostIsABadRequest() async throws {
        let world = try VaporWorld()
        try await world.run { app in
            let missing = try await app.sendRequest(.POST, "/saml/acs", headers: formHeaders(Browser()), body: formBody([("RelayState", "x")]))
            expectErrorPage(missing, status: .badRequest, world: world, code: .invalidRequest)
            let broken = try await app.sendRequest(.POST, "/saml/acs", headers: formHeaders(Browser()), body: ByteBuffer(string: "SAMLResponse=%zz"))
            expectErrorPage(broken, status: .badRequest, world: world, code: .invalidEncoding)
        }
    }

    // MARK: - POST binding page, metadata, script

    @Test func postBindingPageCarriesNoInlineScript() async throws {
        let world = try VaporWorld()
        var options = SAMLVaporOptions()
        options.loginOptions.binding = .httpPost
        try await world.run(options: options) { app in
            let response = try await app.sendRequest(.GET, "/saml/login")
            #expect(response.status == .ok)
            let policy = try #require(response.headers.first(name: "Content-Security-Policy"))
            #expect(policy.contains("script-src 'self'"))
            #expect(policy.contains("form-action https://idp.example.org"))
            let page = response.body.string
            #expect(page.contains("<form id=\"saml-post\" method=\"post\" action=\"https://idp.example.org/sso/post\">"))
            #expect(page.contains("name=\"SAMLRequest\""))
            #expect(page.contains("<script src=\"/saml/autosubmit.js\"></script>"))
            // every script element has a src: nothing inline, no event-handler attributes
            #expect(page.components(separatedBy: "<script").count - 1 == 1)
            #expect(!page.contains("<script>") && !page.contains("onload") && !page.contains("javascript:"))
            #expect(SetCookie.named(VaporWorld.stateCookie, in: response) != nil)

            let script = try await app.sendRequest(.GET, "/saml/autosubmit.js")
            #expect(script.status == .ok)
            #expect(script.headers.first(name: .contentType)?.hasPrefix("text/javascript") == true)
            #expect(script.body.string == PostForm.autoSubmitScript)
        }
        options.postFormScript = .none
        try await world.run(options: options) { app in
            let response = try await app.sendRequest(.GET, "/saml/login")
            #expect(response.headers.first(name: "Content-Security-Policy")?.contains("script-src 'none'") == true)
            #expect(!response.body.string.contains("<script"))
            #expect(response.body.string.contains("<button type=\"submit\">Continue</button>"))
        }
    }

    @Test func metadataIsServed() async throws {
        let world = try VaporWorld()
        try await world.run { app in
            let response = try await app.sendRequest(.GET, "/saml/metadata")
            #expect(response.status == .ok)
            #expect(response.headers.first(name: .contentType) == "application/samlmetadata+xml; charset=utf-8")
            let xml = response.body.string
            #expect(xml.contains("entityID=\"\(Generated.acs)\""))
            #expect(xml.contains("Location=\"\(Generated.acs)\""))
            #expect(xml.contains("SingleLogoutService"))
            #expect(xml.contains("Location=\"\(VaporWorld.spSLO)\""))
            // the metadata parses back as an SP's metadata would
            _ = try XMLDocument.parse(xml)
        }
    }

    // MARK: - Logout

    @Test func spInitiatedLogoutRedirectsToTheIdPAndFinishesOnItsAnswer() async throws {
        let world = try VaporWorld()
        try await world.run { app in
            var browser = try await loggedIn(app)
            #expect(try await whoAmI(app, browser) == "alice@example.com")
            let response = try await app.sendRequest(.POST, "/saml/logout?returnTo=/bye", headers: browser.sameOrigin)
            browser.take(response)
            #expect(response.status == .found)
            let location = try #require(response.headers.first(name: .location))
            #expect(location.hasPrefix(VaporWorld.idpSLO + "?SAMLRequest="))
            let cookie = try #require(SetCookie.named(VaporWorld.logoutStateCookie, in: response))
            #expect(cookie.attributes["httponly"] != nil && cookie.attributes["samesite"] == "None" && cookie.attributes["secure"] != nil)
            #expect(try await whoAmI(app, browser) == "anonymous")

            // the IdP reads the signed request and answers
            let sent = try RedirectBindingMessage(query: location, expecting: "SAMLRequest", limits: .default)
            try sent.verifySignature(trusted: [try Generated.certificate("sp-rsa")], allowSHA1: false, what: "LogoutRequest")
            let xml = String(decoding: sent.xml, as: UTF8.self)
            #expect(xml.contains(">alice@example.com</saml:NameID>"))
            let requestID = try #require(xml.slice(after: " ID=\"", before: "\""))
            let answer = LogoutResponse(serviceProvider: try VaporWorld.idpAsSender(), identityProvider: try VaporWorld.spAsReceiver(),
                                        inResponseTo: requestID, outcome: .success, relayState: sent.relayState)
            let answerURL = try answer.redirect(now: Generated.now).url
            let finished = try await app.sendRequest(.GET, "/saml/slo?" + query(of: answerURL), headers: browser.header)
            browser.take(finished)
            #expect(finished.status == .seeOther)
            #expect(finished.headers.first(name: .location) == "/bye")
            #expect(SetCookie.named(VaporWorld.logoutStateCookie, in: finished)?.attributes["max-age"] == "0")
            // the same answer again is refused
            let again = try await app.sendRequest(.GET, "/saml/slo?" + query(of: answerURL), headers: browser.header)
            expectErrorPage(again, world: world, code: .inResponseToMismatch)
        }
    }

    @Test func logoutWithoutAnSLOURLEndsTheSessionLocally() async throws {
        let world = try VaporWorld(singleLogout: false)
        try await world.run { app in
            var browser = try await loggedIn(app)
            #expect(try await whoAmI(app, browser) == "alice@example.com")
            let response = try await app.sendRequest(.POST, "/saml/logout", headers: browser.sameOrigin)
            browser.take(response)
            #expect(response.status == .seeOther)
            #expect(response.headers.first(name: .location) == "/")
            #expect(SetCookie.named(VaporWorld.logoutStateCookie, in: response) == nil)
            #expect(try await whoAmI(app, browser) == "anonymous")
        }
    }

    @Test func idpInitiatedRedirectLogoutEndsTheSessionAndIsAnswered() async throws {
        let world = try VaporWorld()
        try await world.run { app in
            var browser = try await loggedIn(app)
            let request = try VaporWorld.idpLogoutRequest().redirect(now: Generated.now)
            let response = try await app.sendRequest(.GET, "/saml/slo?" + query(of: request.url), headers: browser.header)
            browser.take(response)
            #expect(response.status == .found)
            let location = try #require(response.headers.first(name: .location))
            #expect(location.hasPrefix(VaporWorld.idpSLO + "?SAMLResponse="))
            let answer = try VaporWorld.idpSideVerifier().verifyLogoutResponse(redirectQuery: location, expectedRequestID: request.id, now: Generated.now)
            #expect(!answer.isPartial)
            #expect(answer.relayState == "idp-relay")
            #expect(try await whoAmI(app, browser) == "anonymous")

            // replayed, and re-encoded (the route must hand over the query's octets as received)
            let replay = try await app.sendRequest(.GET, "/saml/slo?" + query(of: request.url))
            expectErrorPage(replay, world: world, code: .replayed)
        }
    }

    @Test func idpLogoutOfAnotherSessionLeavesThisBrowsersSession() async throws {
        let world = try VaporWorld()
        try await world.run { app in
            var browser = try await loggedIn(app)
            let request = try VaporWorld.idpLogoutRequest(sessionIndexes: ["_another-session"]).redirect(now: Generated.now)
            let response = try await app.sendRequest(.GET, "/saml/slo?" + query(of: request.url), headers: browser.header)
            browser.take(response)
            #expect(response.status == .found)
            #expect(response.headers.first(name: .location)?.hasPrefix(VaporWorld.idpSLO + "?SAMLResponse=") == true)
            #expect(try await whoAmI(app, browser) == "alice@example.com")
        }
    }

    @Test func reEncodedRedirectQueryIsRefused() async throws {
        let world = try VaporWorld()
        try await world.run { app in
            var reEncoded: String?
            for _ in 0..<40 where reEncoded == nil {
                let raw = query(of: try VaporWorld.idpLogoutRequest().redirect(now: Generated.now).url)
                let cut = raw.range(of: "&Signature=")!.lowerBound
                if raw[..<cut].contains("%2F") {
                    reEncoded = raw[..<cut].replacingOccurrences(of: "%2F", with: "%2f") + raw[cut...]
                }
            }
            let query = try #require(reEncoded)
            let response = try await app.sendRequest(.GET, "/saml/slo?" + query)
            expectErrorPage(response, world: world, code: .signatureInvalid)
        }
    }

    @Test func lowerCaseEscapesSignedByTheIdPAreVerifiedAsReceived() async throws {
        // An IdP that escapes with lower-case hex signs those octets: the route must pass them on
        // unchanged (an upper-cased or re-encoded query would fail the signature).
        let world = try VaporWorld()
        try await world.run { app in
            var browser = try await loggedIn(app)
            let request = try VaporWorld.idpLogoutRequest().redirect(now: Generated.now)
            let raw = query(of: request.url)
            let signedPart = String(raw[..<raw.range(of: "&Signature=")!.lowerBound])
            let lowered = signedPart.replacing(/%[0-9A-F]{2}/) { $0.output.lowercased() }
            try #require(lowered != signedPart)
            let signature = try Generated.key("idp-rsa").handle.sign(Array(lowered.utf8), digest: .sha256)
            let encodedSignature = Data(signature).base64EncodedString()
                .replacingOccurrences(of: "+", with: "%2b").replacingOccurrences(of: "/", with: "%2f").replacingOccurrences(of: "=", with: "%3d")
            let response = try await app.sendRequest(.GET, "/saml/slo?" + lowered + "&Signature=" + encodedSignature, headers: browser.header)
            browser.take(response)
            #expect(response.status == .found)
            #expect(response.headers.first(name: .location)?.hasPrefix(VaporWorld.idpSLO + "?SAMLResponse=") == true)
            #expect(try await whoAmI(app, browser) == "anonymous")
        }
    }

    @Test func idpInitiatedPostLogoutIsAnsweredByPost() async throws {
        let world = try VaporWorld()
        try await world.run { app in
            var browser = try await loggedIn(app)
            let request = try VaporWorld.idpLogoutRequest().post(now: Generated.now)
            let response = try await app.sendRequest(.POST, "/saml/slo", headers: formHeaders(browser),
                                                     body: formBody([("SAMLRequest", request.base64), ("RelayState", "idp-relay")]))
            browser.take(response)
            #expect(response.status == .ok)
            let page = response.body.string
            #expect(page.contains("action=\"\(VaporWorld.idpSLO)\""))
            let samlResponse = try #require(page.slice(after: "name=\"SAMLResponse\" value=\"", before: "\""))
            let answer = try VaporWorld.idpSideVerifier().verifyLogoutResponse(samlResponse: samlResponse, relayState: "idp-relay",
                                                                               expectedRequestID: request.id, now: Generated.now)
            #expect(!answer.isPartial)
            #expect(try await whoAmI(app, browser) == "anonymous")
        }
    }
}

extension String {
    /// The text between the first `start` and the following `end`.
    func slice(after start: String, before end: String) -> String? {
        guard let s = range(of: start), let e = range(of: end, range: s.upperBound..<endIndex) else { return nil }
        return String(self[s.upperBound..<e.lowerBound])
    }
}
#endif
