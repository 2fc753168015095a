#if Hummingbird
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SAMLHummingbird
import SAMLLogin
import SAMLWeb
import SAMLTesting
import SAMLVerification
import SAMLWebConformance
import Testing

/// Drives an app through Hummingbird's test client, translating the conformance requests.
struct HummingbirdClient: ConformanceClient {
    let client: any TestClientProtocol

    func send(_ request: ConformanceRequest) async throws -> ConformanceResponse {
        var headers = HTTPFields()
        for (name, value) in request.headers {
            headers.append(HTTPField(name: try #require(HTTPField.Name(name)), value: value))
        }
        let method: HTTPRequest.Method = switch request.method {
        case .get: .get
        case .post: .post
        case .put: .put
        case .delete: .delete
        case .patch: .patch
        }
        return try await client.execute(uri: request.uri, method: method, headers: headers,
                                        body: request.body.isEmpty ? nil : ByteBuffer(string: request.body)) { response in
            ConformanceResponse(status: Int(response.status.code), headers: response.headers.map { ($0.name.canonicalName, $0.value) },
                                body: String(buffer: response.body))
        }
    }
}

/// The app of a conformance world: the SAML routes, and `/me` showing the cookie session's login.
func hummingbirdApplication(_ world: ConformanceWorld) throws -> some ApplicationProtocol {
    let router = Router()
    try SAMLRoutes<BasicRequestContext>(serviceProvider: world.serviceProvider, options: world.options, session: .cookie(world.session),
                                        admin: try world.adminAuthorization())
        .addRoutes(to: router)
    let session = world.session
    router.get("/me") { request, _ -> String in
        session.login(from: request).map { "signed in as \($0.email ?? $0.nameID.value)" } ?? "anonymous"
    }
    return Application(router: router)
}

@Suite("Web layer conformance, Hummingbird")
struct HummingbirdConformanceTests {
    @Test("Conformance", arguments: ConformanceCase.allCases)
    func conformance(_ check: ConformanceCase) async throws {
        try await check.run { world, body in
            try await hummingbirdApplication(world).test(.router) { client in
                try await body(HummingbirdClient(client: client))
            }
        }
    }

    @Test("The app reads the session cookie through SAMLCookieSession; an edited or doubled cookie is no session")
    func appReadsTheSession() async throws {
        let world = try ConformanceWorld()
        try await hummingbirdApplication(world).test(.router) { client in
            let hummingbird = HummingbirdClient(client: client)
            let start = try await hummingbird.send(ConformanceRequest(.get, "/saml/login"))
            let location = try #require(start.header("Location"))
            let state = try #require(start.cookiePair(world.stateCookieName))
            let issued = try world.idp.issueResponse(for: .alice, answering: try world.idp.receiveRedirect(url: location))
            let form = "SAMLResponse=" + ConformanceWorld.formEscape(issued.base64) + "&RelayState=" + ConformanceWorld.formEscape(issued.relayState ?? "")
            let signedIn = try await hummingbird.send(ConformanceRequest(.post, "/saml/acs", headers: [
                ("Content-Type", "application/x-www-form-urlencoded"), ("Cookie", state),
            ], body: form))
            let session = try #require(signedIn.cookiePair(world.session.cookieName))
            #expect(try await hummingbird.send(ConformanceRequest(.get, "/me", headers: [("Cookie", session)])).body == "signed in as alice@example.com")
            #expect(try await hummingbird.send(ConformanceRequest(.get, "/me")).body == "anonymous")
            var forged = session
            let last = forged.removeLast()
            forged.append(last == "A" ? "B" : "A")
            #expect(try await hummingbird.send(ConformanceRequest(.get, "/me", headers: [("Cookie", forged)])).body == "anonymous")
            // the session cookie twice (one planted by a sibling subdomain): no session
            #expect(try await hummingbird.send(ConformanceRequest(.get, "/me", headers: [("Cookie", session + "; " + session)])).body == "anonymous")
        }
    }
}
#endif
