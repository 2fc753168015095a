#if Vapor
import Foundation
import SAML
import SAMLCore
import SAMLLogin
import SAMLVapor
import SAMLWeb
import SAMLWebConformance
import Testing
import Vapor
import VaporTesting

/// Drives an app through Vapor's in-memory tester, translating the conformance requests.
struct VaporClient: ConformanceClient, @unchecked Sendable {
    let app: any TestingApplicationTester

    func send(_ request: ConformanceRequest) async throws -> ConformanceResponse {
        let headers = HTTPHeaders(request.headers.map { ($0.name, $0.value) })
        let method: HTTPMethod = switch request.method {
        case .get: .GET
        case .post: .POST
        case .put: .PUT
        case .delete: .DELETE
        case .patch: .PATCH
        }
        let response = try await app.sendRequest(method, request.uri, headers: headers,
                                                 body: request.body.isEmpty ? nil : ByteBuffer(string: request.body))
        return ConformanceResponse(status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) },
                                   body: response.body.string)
    }
}

@Suite("Web layer conformance, Vapor")
struct VaporConformanceTests {
    @Test("Conformance", arguments: ConformanceCase.allCases)
    func conformance(_ check: ConformanceCase) async throws {
        try await check.run { world, body in
            let routes = try SAMLVaporRoutes(serviceProvider: world.serviceProvider, options: world.options, session: .cookie(world.session),
                                             admin: try world.adminAuthorization())
            try await withApp(configure: { app in try app.register(collection: routes) }) { app in
                try await body(VaporClient(app: try app.testing()))
            }
        }
    }
}

/// The Vapor session hook: session fixation, the cookie's lifetime, logout forgery.
@Suite struct VaporSessionTests {
    func signIn(_ app: any TestingApplicationTester, _ browser: inout Browser,
                assertionID: String = Generated.assertionID) async throws -> TestingHTTPResponse {
        let start = try await app.sendRequest(.GET, "/saml/login", headers: browser.header)
        browser.take(start)
        let location = try #require(start.headers.first(name: .location))
        let message = try RedirectBindingMessage(query: location, expecting: "SAMLRequest", limits: .default)
        let id = try #require(String(decoding: message.xml, as: UTF8.self).slice(after: " ID=\"", before: "\""))
        let response = try await app.sendRequest(.POST, "/saml/acs", headers: formHeaders(browser), body: formBody([
            ("SAMLResponse", try VaporWorld.response(answering: id, assertionID: assertionID)), ("RelayState", try #require(message.relayState)),
        ]))
        browser.take(response)
        return response
    }

    @Test("Session fixation: a session ID the browser brought is deleted at login and a new one issued")
    func loginRotatesTheSession() async throws {
        let world = try VaporWorld()
        try await world.run { app in
            // the attacker gets a session ID from the app (here: by signing in) and plants it in the victim's browser
            var attacker = Browser()
            _ = try await signIn(app, &attacker)
            let planted = try #require(attacker.cookies["vapor-session"])
            var victim = Browser(cookies: ["vapor-session": planted])
            let response = try await signIn(app, &victim, assertionID: "_assert-victim-1")
            #expect(response.status == .seeOther)
            let issued = try #require(victim.cookies["vapor-session"])
            #expect(issued != planted)
            // the planted ID is no session any more: the attacker holds nothing
            #expect(try await app.sendRequest(.GET, "/me", headers: attacker.header).body.string == "anonymous")
            #expect(try await app.sendRequest(.GET, "/me", headers: victim.header).body.string == "alice@example.com")
        }
    }

    @Test("A request carrying Vapor's session cookie twice (one planted by a sibling subdomain) is refused by the SAML routes")
    func duplicatedSessionCookieIsRefused() async throws {
        let world = try VaporWorld()
        try await world.run { app in
            var victim = Browser()
            _ = try await signIn(app, &victim)
            let own = try #require(victim.cookies["vapor-session"])
            var attacker = Browser()
            _ = try await signIn(app, &attacker, assertionID: "_assert-attacker-1")
            let planted = try #require(attacker.cookies["vapor-session"])
            for order in [[planted, own], [own, planted]] {
                var headers = HTTPHeaders()
                headers.add(name: .cookie, value: order.map { "vapor-session=\($0)" }.joined(separator: "; "))
                let login = try await app.sendRequest(.GET, "/saml/login", headers: headers)
                #expect(login.status == .badRequest, "\(login.status)")
                headers.add(name: "Sec-Fetch-Site", value: "same-origin")
                let logout = try await app.sendRequest(.POST, "/saml/logout", headers: headers)
                #expect(logout.status == .badRequest, "\(logout.status)")
            }
            // each session on its own is untouched
            #expect(try await app.sendRequest(.GET, "/me", headers: victim.header).body.string == "alice@example.com")
        }
    }

    @Test("The session cookie lives no longer than the login's session")
    func sessionCookieLifetimeIsCapped() async throws {
        let world = try VaporWorld()
        try await world.run { app in
            var browser = Browser()
            let response = try await signIn(app, &browser)
            let cookie = try #require(SetCookie.named("vapor-session", in: response))
            let maxAge = try #require(Int(cookie.attributes["max-age"] ?? ""))
            let lifetime = world.saml.configuration.maximumSessionLifetime.components.seconds
            #expect(maxAge > 0 && Int64(maxAge) <= lifetime)
        }
    }

    @Test("A cross-site POST or any GET to /saml/logout leaves the Vapor session")
    func logoutForgeryRefused() async throws {
        let world = try VaporWorld(singleLogout: false)
        try await world.run { app in
            var browser = Browser()
            _ = try await signIn(app, &browser)
            var crossSite = browser.header
            crossSite.add(name: "Sec-Fetch-Site", value: "cross-site")
            let forged = try await app.sendRequest(.POST, "/saml/logout", headers: crossSite)
            #expect(forged.status == .forbidden)
            let page = try await app.sendRequest(.GET, "/saml/logout", headers: crossSite)
            #expect(page.status == .ok)
            #expect(try await app.sendRequest(.GET, "/me", headers: browser.header).body.string == "alice@example.com")
            let own = try await app.sendRequest(.POST, "/saml/logout", headers: browser.sameOrigin)
            browser.take(own)
            #expect(own.status == .seeOther)
            #expect(try await app.sendRequest(.GET, "/me", headers: browser.header).body.string == "anonymous")
        }
    }
}
#endif
