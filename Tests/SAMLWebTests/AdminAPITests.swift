import Foundation
import SAML
import SAMLCore
import SAMLLogin
import SAMLTesting
import SAMLWeb
import SAMLWebConformance
import Testing

/// The admin API's rules that need no framework: the hook's contract, what is never shown, how a
/// directory that fails is answered.
@Suite("Identity-provider admin API")
struct AdminAPITests {
    /// A client of routes built from `world` with `admin` as the hook and `options` changed by `edit`.
    func client(_ world: ConformanceWorld, admin: SAMLAdminAuthorization<String>?, context: String = "app",
                edit: (inout SAMLWebOptions) -> Void = { _ in }) throws -> ContextClient {
        var options = world.options
        edit(&options)
        let routes = try SAMLWebRoutes<String>(serviceProvider: world.serviceProvider, options: options,
                                               session: .cookie(world.session), admin: admin)
        return ContextClient(router: routes.router, context: context)
    }

    @Test("A bearer token shorter than 16 characters or with spaces is refused; other schemes and near misses are 401")
    func bearerTokens() async throws {
        for weak in ["", "short", "fifteen-chars-x", "has a space in it 0123"] {
            #expect(throws: SAMLError.self) { try SAMLAdminAuthorization<Void>.bearerToken(weak) }
        }
        let hook = try SAMLAdminAuthorization<Void>.bearerToken("s3cret-admin-token-0123")
        func decide(_ value: String?) async throws -> SAMLAdminAuthorization<Void>.Decision {
            let headers: [(name: String, value: String)] = value.map { [("Authorization", $0)] } ?? []
            return try await hook.decide(SAMLWebRequest(method: .get, path: "/", rawQuery: nil, headers: headers), ())
        }
        #expect(try await decide("Bearer s3cret-admin-token-0123") == .allowed)
        #expect(try await decide("bearer s3cret-admin-token-0123") == .allowed)
        for refused in [nil, "Basic czNjcmV0", "Bearer s3cret-admin-token-012", "Bearer s3cret-admin-token-01234", "Bearer", "s3cret-admin-token-0123"] {
            #expect(try await decide(refused) == .unauthenticated, "\(refused ?? "none")")
        }
    }

    @Test("The app's own hook sees the request and the framework context; .forbidden is a 403 JSON refusal")
    func appHook() async throws {
        let world = try ConformanceWorld.directory()
        let hook = SAMLAdminAuthorization<String> { request, context in
            context == "admin-user" && request.header("X-Role") == "admin" ? .allowed : .forbidden
        }
        let user = try client(world, admin: hook, context: "plain-user")
        let refused = try await user.send(ConformanceRequest(.get, "/admin/identity-providers", headers: [("X-Role", "admin")]))
        #expect(refused.status == 403)
        #expect(try refused.refusal().code == "forbidden")
        let admin = try client(world, admin: hook, context: "admin-user")
        #expect(try await admin.send(ConformanceRequest(.get, "/admin/identity-providers", headers: [("X-Role", "admin")])).status == 200)
    }

    @Test("The API never shows a private key; an export of the directory keeps them out too")
    func noPrivateKeys() async throws {
        let world = try ConformanceWorld.directory()
        let api = try client(world, admin: try .bearerToken(ConformanceWorld.adminToken))
        let list = try await api.admin(.get, "/admin/identity-providers")
        let shown = try await api.admin(.get, "/admin/identity-providers/main")
        for response in [list, shown] {
            #expect(response.status == 200)
            #expect(!response.body.contains("PRIVATE KEY") && !response.body.contains("private_key"))
            for key in try ConformanceWorld.directoryKeys.get() {
                let body = key.privateKeyPEM.split(separator: "\n").dropFirst().first.map(String.init) ?? "?"
                #expect(!response.body.contains(body))
            }
        }
        let keys = try #require(try shown.json()["sp_keys"] as? [[String: Any]])
        #expect(Set(keys.map { "\($0["use"] ?? "")/\($0["state"] ?? "")" }) == ["signing/active", "signing/next", "encryption/active", "encryption/next"])
    }

    @Test("The seed's JSON is read exactly: attributes as a list or an object, sign_request as a boolean or its text")
    func seedShape() async throws {
        let world = try ConformanceWorld.directory()
        let api = try client(world, admin: try .bearerToken(ConformanceWorld.adminToken))
        let pem = ConformanceWorld.jsonString(world.tenantIdP.signingKey.certificate.pem)
        let json = """
            {"name": "Okta", "type": "saml", "config": {"issuer_url": "http://www.okta.com/exk123", "sso_target_url": "https://example.okta.com/sso/saml",
             "idp_public_certs": [\(pem)], "sign_request": "false", "email_attribute_name": "mail", "attributes": {"first_name": "givenName"}}}
            """
        let added = try await api.admin(.post, "/admin/identity-providers", json: json)
        #expect(added.status == 201, "\(added.body)")
        let entry = try #require(try await world.serviceProvider.directory.snapshot().entry(id: "okta"))
        #expect(entry.trusted.identityProvider.wantsAuthnRequestsSigned == false)
        #expect(entry.trusted.identityProvider.emailAttributeName == "mail")
        #expect(entry.record.configuration?.config.attributes == ["first_name": "givenName"])
        let bad = try await api.admin(.post, "/admin/identity-providers", json: json.replacingOccurrences(of: "\"false\"", with: "\"perhaps\""))
        #expect(bad.status == 422)
        #expect(try bad.refusal().field == "config.sign_request")
    }

    @Test("Without a metadata fetch, metadata_url is refused naming the field; with the admin path unset no admin route exists")
    func options() async throws {
        let world = try ConformanceWorld.directory()
        let noFetch = try client(world, admin: try .bearerToken(ConformanceWorld.adminToken)) { $0.admin.fetchMetadata = nil }
        let refused = try await noFetch.admin(.post, "/admin/identity-providers",
                                              json: #"{"name": "T", "metadata_url": "\#(ConformanceWorld.tenantMetadataURL)"}"#)
        #expect(refused.status == 422)
        #expect(try refused.refusal() == ("unsupported", "metadata_url"))
        let unmounted = try client(world, admin: try .bearerToken(ConformanceWorld.adminToken)) { $0.admin.path = nil }
        #expect(try await unmounted.admin(.get, "/admin/identity-providers").status == 404)
        #expect(try await unmounted.send(ConformanceRequest(.get, "/saml/metadata/main")).status == 200)
    }

    @Test("A directory that cannot be read is answered 503 directoryUnavailable, and the login refuses rather than guess")
    func unavailableDirectory() async throws {
        let world = try ConformanceWorld.directory()
        let broken = try SAMLServiceProvider(configuration: world.serviceProvider.configuration, directory: FailingDirectory())
        let routes = try SAMLWebRoutes<String>(serviceProvider: broken, options: world.options, session: .cookie(world.session),
                                               admin: try .bearerToken(ConformanceWorld.adminToken))
        let api = ContextClient(router: routes.router, context: "app")
        let list = try await api.admin(.get, "/admin/identity-providers")
        #expect(list.status == 503)
        #expect(try list.refusal().code == "directoryUnavailable")
        let added = try await api.admin(.post, "/admin/identity-providers", json: ConformanceWorld.seedJSON(world.tenantIdP, name: "T"))
        #expect(added.status == 503)
        let login = try await api.send(ConformanceRequest(.get, "/saml/login?idp=main", headers: [("Sec-Fetch-Site", "same-origin")]))
        #expect(login.status >= 400 && login.cookiePair(world.stateCookieName) == nil)
    }
}

/// The neutral router with a context of the test's choosing.
struct ContextClient: ConformanceClient {
    let router: SAMLWebRouter<String>
    let context: String

    func send(_ request: ConformanceRequest) async throws -> ConformanceResponse {
        let web = SAMLWebRequest(method: request.method, path: request.path, rawQuery: request.rawQuery, headers: request.headers,
                                 body: Array(request.body.utf8))
        guard let response = try await router.respond(to: web, context: context) else {
            return ConformanceResponse(status: 404, headers: [], body: "")
        }
        return ConformanceResponse(status: response.status, headers: response.headers + response.cookies.map { ("Set-Cookie", $0.headerValue) },
                                   body: response.bodyText)
    }
}

/// A directory whose database is down.
struct FailingDirectory: IdentityProviderDirectory {
    struct Down: Error {}
    func snapshot() async throws -> IdentityProviderSnapshot { throw Down() }
    func add(_ record: IdentityProviderRecord) async throws -> IdentityProviderEntry { throw Down() }
    func update(_ record: IdentityProviderRecord) async throws -> IdentityProviderEntry { throw Down() }
    func remove(id: String) async throws -> Bool { throw Down() }
}
