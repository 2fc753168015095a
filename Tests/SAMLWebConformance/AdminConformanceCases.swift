import Foundation
import SAMLCore
import SAMLLogin
public import SAMLTesting
public import SAMLWeb

extension ConformanceClient {
    /// An admin API request with the world's bearer token (unless `token` is nil) and a JSON body.
    public func admin(_ method: SAMLWebRequest.Method, _ path: String, json: String? = nil, token: String? = ConformanceWorld.adminToken,
               _ headers: [(name: String, value: String)] = []) async throws -> ConformanceResponse {
        var all = headers
        if let token { all.append(("Authorization", "Bearer " + token)) }
        if json != nil, !all.contains(where: { $0.name.lowercased() == "content-type" }) { all.append(("Content-Type", "application/json")) }
        return try await send(ConformanceRequest(method, path, headers: all, body: json ?? ""))
    }
}

extension ConformanceResponse {
    /// The body as a JSON object.
    public func json() throws -> [String: Any] {
        try require(try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any], "not a JSON object: \(body.prefix(300))")
    }

    /// The `error` object of a refusal: code and field.
    public func refusal() throws -> (code: String, field: String?) {
        let error = try require(try json()["error"] as? [String: Any], "no error object: \(body.prefix(300))")
        return (try require(error["code"] as? String, "no code"), error["field"] as? String)
    }
}

extension ConformanceWorld {
    /// A world whose IdPs live in a directory (one entry, `main`, with its own SP keys), with two
    /// ACS URLs, served over https.
    public static func directory(admin: Bool = true) throws -> ConformanceWorld {
        try ConformanceWorld(baseURL: "https://sp.example.com", directory: true, admin: admin)
    }

    /// The seed's JSON shape for `idp`.
    public static func seedJSON(_ idp: TestIdentityProvider, name: String, issuer: String? = nil, sso: String? = nil,
                         certificates: [String]? = nil, extra: String = "") -> String {
        let certificates = certificates ?? [idp.signingKey.certificate.pem]
        let list = certificates.map { "\"" + $0.replacingOccurrences(of: "\n", with: "\\n") + "\"" }.joined(separator: ", ")
        return """
            {"name": "\(name)", "type": "saml", \(extra)"config": {"issuer_url": "\(issuer ?? idp.entityID)", "sso_target_url": "\(sso ?? idp.redirectURL)", \
            "idp_public_certs": [\(list)], "sign_request": true, "email_attribute_name": "email", "attributes": ["email", "displayName"]}}
            """
    }

    /// A JSON string literal of `text`.
    public static func jsonString(_ text: String) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: [text], options: [.withoutEscapingSlashes]), as: UTF8.self)
            .dropFirst().dropLast().description
    }

    /// The path and query of an absolute URL of this world.
    public static func pathOf(_ url: String) -> String {
        guard let scheme = url.range(of: "://"), let slash = url[scheme.upperBound...].firstIndex(of: "/") else { return url }
        return String(url[slash...])
    }
}

extension ConformanceCase {
    static let admin: [ConformanceCase] = access + changes + refusals + perIdentityProvider

    static let access: [ConformanceCase] = [
        ConformanceCase("The admin API answers 401 without a valid bearer token (WWW-Authenticate), and its JSON with one",
                        world: { try .directory() }) { _, client in
            for token in [nil, "wrong-token-0123456789abcdef"] {
                let refused = try await client.admin(.get, "/admin/identity-providers", token: token)
                try check(refused.status == 401 && refused.header("WWW-Authenticate")?.hasPrefix("Bearer") == true,
                          "token \(token ?? "none") answered \(refused.status)")
                try check(try refused.refusal().code == "unauthenticated", "body \(refused.body)")
                try check(refused.header("Content-Type") == "application/json", "refusal not JSON")
            }
            for method in [SAMLWebRequest.Method.post, .put, .delete] {
                let path = method == .post ? "/admin/identity-providers" : "/admin/identity-providers/main"
                let refused = try await client.admin(method, path, json: "{}", token: nil)
                try check(refused.status == 401, "\(method) without a token answered \(refused.status)")
            }
            let list = try await client.admin(.get, "/admin/identity-providers")
            try check(list.status == 200, "the token was refused: \(list.status)")
            let entries = try require(try list.json()["identity_providers"] as? [[String: Any]], "no list")
            try check(entries.map { $0["id"] as? String } == ["main"], "list \(entries)")
        },
        ConformanceCase("Without an admin hook every admin request is refused (403 adminNotConfigured) and nothing changes",
                        world: { try .directory(admin: false) }) { world, client in
            let added = try await client.admin(.post, "/admin/identity-providers", json: ConformanceWorld.seedJSON(world.tenantIdP, name: "Tenant"))
            try check(added.status == 403 && (try added.refusal().code) == "adminNotConfigured", "answered \(added.status)")
            let removed = try await client.admin(.delete, "/admin/identity-providers/main")
            try check(removed.status == 403, "DELETE answered \(removed.status)")
            try check(try await world.serviceProvider.directory.snapshot().entries.map(\.id) == ["main"], "the directory changed")
        },
        ConformanceCase("A state-changing admin request carrying cookies must come from this site (403 crossSiteRequest); API clients without cookies may call",
                        world: { try .directory() }) { world, client in
            let json = ConformanceWorld.seedJSON(world.tenantIdP, name: "Tenant")
            for headers: [(name: String, value: String)] in [[("Cookie", "app_session=x"), ("Sec-Fetch-Site", "cross-site")],
                                                            [("Cookie", "app_session=x"), ("Origin", "https://attacker.example")],
                                                            [("Cookie", "app_session=x")]] {
                let refused = try await client.admin(.post, "/admin/identity-providers", json: json, headers)
                try check(refused.status == 403 && (try refused.refusal().code) == "crossSiteRequest", "\(headers) answered \(refused.status)")
                let removal = try await client.admin(.delete, "/admin/identity-providers/main", headers)
                try check(removal.status == 403, "DELETE with \(headers) answered \(removal.status)")
            }
            try check(try await world.serviceProvider.directory.snapshot().entries.map(\.id) == ["main"], "a forged request changed the directory")
            let sameOrigin = try await client.admin(.post, "/admin/identity-providers", json: json, [("Cookie", "app_session=x"), ("Sec-Fetch-Site", "same-origin")])
            try check(sameOrigin.status == 201, "a same-origin POST answered \(sameOrigin.status): \(sameOrigin.body.prefix(300))")
            let apiClient = try await client.admin(.delete, "/admin/identity-providers/tenant", [("Sec-Fetch-Site", "cross-site")])
            try check(apiClient.status == 200, "a DELETE without cookies answered \(apiClient.status)")
        },
    ]

    static let changes: [ConformanceCase] = [
        ConformanceCase("An IdP added in the seed's JSON shape signs users in at /saml/login?idp={id}; disabled, then removed, its logins and sessions are refused",
                        world: { try .directory() }) { world, client in
            let added = try await client.admin(.post, "/admin/identity-providers",
                                               json: ConformanceWorld.seedJSON(world.tenantIdP, name: "Tenant IdP", extra: "\"generate_sp_keys\": true, "))
            try check(added.status == 201 && added.header("Location") == "/admin/identity-providers/tenant-idp",
                      "POST answered \(added.status) \(added.header("Location") ?? "-"): \(added.body.prefix(300))")
            let view = try added.json()
            try check(view["entity_id"] as? String == world.tenantIdP.entityID && view["source"] as? String == "config"
                      && view["login_url"] as? String == "https://sp.example.com/saml/login?idp=tenant-idp"
                      && view["sp_metadata_url"] as? String == "https://sp.example.com/saml/metadata/tenant-idp", "view \(view)")
            try check((view["config"] as? [String: Any])?["issuer_url"] as? String == world.tenantIdP.entityID, "config not shown: \(view)")
            try check((view["sp_keys"] as? [[String: Any]])?.count == 2, "generate_sp_keys made no keys: \(view["sp_keys"] ?? "-")")
            try check(view["certificate_expiry"] is String && !(view["idp_certificates"] as? [Any] ?? []).isEmpty, "no certificate expiry")
            let tenant = try await world.registering(world.tenantIdP, asEntry: "tenant-idp")
            let shown = try await client.admin(.get, "/admin/identity-providers/tenant-idp")
            try check(shown.status == 200 && (try shown.json()["name"] as? String) == "Tenant IdP", "GET answered \(shown.status)")

            // a login through it
            let sameSite: [(name: String, value: String)] = [("Sec-Fetch-Site", "same-origin")]
            let (location, state) = try await client.startLogin(world, "/saml/login?idp=tenant-idp", sameSite)
            try check(location.hasPrefix(tenant.redirectURL), "not sent to the added IdP: \(location)")
            let request = try tenant.receiveRedirect(url: location)
            try check(request.signatureAlgorithm != nil, "sign_request: true, but the request was not signed")
            let signedIn = try await client.postACS(try tenant.issueResponse(for: .alice, answering: request), cookies: [state])
            try check(signedIn.status == 303, "the ACS answered \(signedIn.status)")
            let session = try require(signedIn.cookiePair(world.session.cookieName), "no session")
            let page = try await client.get("/saml/logout", [("Cookie", session)])
            try check(page.body.contains("csrf_token"), "the session is not accepted")

            // disabled: a login in progress is refused, new logins too
            let pending = try await client.startLogin(world, "/saml/login?idp=tenant-idp", sameSite)
            let disabled = try await client.admin(.put, "/admin/identity-providers/tenant-idp",
                                                  json: ConformanceWorld.seedJSON(tenant, name: "Tenant IdP", extra: "\"enabled\": false, "))
            try check(disabled.status == 200 && (try disabled.json()["enabled"] as? Bool) == false, "PUT answered \(disabled.status): \(disabled.body.prefix(300))")
            let late = try await client.postACS(try tenant.issueResponse(for: .alice, answering: try tenant.receiveRedirect(url: pending.location)),
                                                cookies: [pending.state])
            try check(late.status == 403 && late.cookiePair(world.session.cookieName) == nil, "a disabled IdP's response answered \(late.status)")
            try check(try await client.get("/saml/login?idp=tenant-idp", sameSite).status == 403, "a disabled IdP's login started")
            try check(!(try await client.get("/saml/logout", [("Cookie", session)])).body.contains("csrf_token"), "a disabled IdP's session is still accepted")

            let removed = try await client.admin(.delete, "/admin/identity-providers/tenant-idp")
            try check(removed.status == 200 && (try removed.json()["removed"] as? Bool) == true, "DELETE answered \(removed.status)")
            try check(try await client.get("/saml/login?idp=tenant-idp", sameSite).status == 403, "a removed IdP's login started")
            try check(try await client.admin(.get, "/admin/identity-providers/tenant-idp").status == 404, "a removed IdP is still shown")
            let again = try await client.admin(.delete, "/admin/identity-providers/tenant-idp")
            try check(again.status == 404 && (try again.refusal().field) == "id", "a second DELETE answered \(again.status)")
        },
        ConformanceCase("An IdP added by its metadata URL is fetched at once (status fresh); the choice page lists the directory's entries",
                        world: { try .directory() }) { world, client in
            let added = try await client.admin(.post, "/admin/identity-providers",
                                               json: #"{"id": "tenant", "name": "Tenant by URL", "metadata_url": "\#(ConformanceWorld.tenantMetadataURL)"}"#)
            try check(added.status == 201, "POST answered \(added.status): \(added.body.prefix(300))")
            let view = try added.json()
            try check(view["source"] as? String == "metadata_url" && view["entity_id"] as? String == world.tenantIdP.entityID, "view \(view)")
            try check((view["metadata_status"] as? [String: Any])?["state"] as? String == "fresh", "status \(view["metadata_status"] ?? "-")")
            let choice = try await client.get("/saml/login")
            try check(choice.status == 200 && choice.body.contains("Main IdP") && choice.body.contains("Tenant by URL")
                      && choice.body.contains("/saml/login?idp=tenant"), "the choice page: \(choice.body)")
            // a cross-site link to a non-default IdP shows the choice; a same-site request starts the login
            try check(try await client.get("/saml/login?idp=tenant", [("Sec-Fetch-Site", "cross-site")]).status == 200, "a cross-site login started")
            let (location, _) = try await client.startLogin(world, "/saml/login?idp=tenant", [("Sec-Fetch-Site", "same-origin")])
            try check(location.hasPrefix(world.tenantIdP.redirectURL), "not sent to the tenant IdP")
            let disabled = try await client.admin(.put, "/admin/identity-providers/tenant",
                                                  json: #"{"name": "Tenant by URL", "enabled": false, "metadata_url": "\#(ConformanceWorld.tenantMetadataURL)"}"#)
            try check(disabled.status == 200, "PUT answered \(disabled.status)")
            let single = try await client.get("/saml/login")
            try check(single.status == 302 && single.header("Location")?.hasPrefix(world.idp.redirectURL) == true,
                      "with one enabled IdP the login should start at it: \(single.status)")
        },
    ]

    static let refusals: [ConformanceCase] = [
        ConformanceCase("Bad input is refused with a 4xx JSON error naming the field, and adds nothing", world: { try .directory() }) { world, client in
            let tenant = world.tenantIdP
            let brokenPEM = "-----BEGIN CERTIFICATE-----\nMIIBbroken\n-----END CERTIFICATE-----"
            let expired = world.idp.metadata().replacingOccurrences(of: "<md:EntityDescriptor ", with: "<md:EntityDescriptor validUntil=\"2020-01-01T00:00:00Z\" ")
            let cases: [(String, String, Int, String?, String?)] = [
                ("a certificate that does not parse", ConformanceWorld.seedJSON(tenant, name: "T", certificates: [brokenPEM]), 422, "config.idp_public_certs[0]", nil),
                ("a non-https endpoint", ConformanceWorld.seedJSON(tenant, name: "T", sso: "http://idp.example.com/sso"), 422, "config.sso_target_url", "unsafeEndpoint"),
                ("a duplicate entity ID", ConformanceWorld.seedJSON(tenant, name: "T", issuer: world.idp.entityID), 409, "config.issuer_url", "duplicateEntityID"),
                ("expired metadata", #"{"name": "T", "metadata_xml": \#(ConformanceWorld.jsonString(expired))}"#, 422, "metadata_xml", "metadataExpired"),
                ("a metadata URL that does not answer", #"{"name": "T", "metadata_url": "https://down.example/metadata"}"#, 422, "metadata_url", "metadataUnavailable"),
                ("a plain-http metadata URL", #"{"name": "T", "metadata_url": "http://idp.example.com/metadata"}"#, 422, "metadata_url", "unsafeEndpoint"),
                ("no issuer", #"{"name": "T", "type": "saml", "config": {"sso_target_url": "https://x.example/sso", "idp_public_certs": []}}"#, 422, "config.issuer_url", nil),
                ("two sources", #"{"name": "T", "metadata_url": "https://a.example/m", "metadata_xml": "<x/>"}"#, 422, "metadata_xml", nil),
                ("an unknown field", #"{"name": "T", "metadata_ulr": "https://a.example/m"}"#, 400, "metadata_ulr", nil),
                ("a field of the wrong type", ConformanceWorld.seedJSON(tenant, name: "T", extra: "\"enabled\": \"yes\", "), 400, "enabled", nil),
                ("another type", ConformanceWorld.seedJSON(tenant, name: "T").replacingOccurrences(of: "\"saml\"", with: "\"oidc\""), 422, "type", nil),
                ("an invalid ID", ConformanceWorld.seedJSON(tenant, name: "T", extra: "\"id\": \"Not An ID\", "), 422, "id", nil),
                ("a taken ID", ConformanceWorld.seedJSON(tenant, name: "T", extra: "\"id\": \"main\", "), 409, "id", nil),
                ("no name", #"{"metadata_url": "\#(ConformanceWorld.tenantMetadataURL)"}"#, 422, "name", nil),
                ("not JSON", "name=T", 400, nil, nil),
            ]
            for (what, json, status, field, code) in cases {
                let refused = try await client.admin(.post, "/admin/identity-providers", json: json)
                try check(refused.status == status, "\(what): answered \(refused.status), not \(status): \(refused.body.prefix(300))")
                let error = try refused.refusal()
                try check(error.field == field, "\(what): field \(error.field ?? "none"), not \(field ?? "none")")
                if let code { try check(error.code == code, "\(what): code \(error.code), not \(code)") }
            }
            let plain = try await client.admin(.post, "/admin/identity-providers", json: ConformanceWorld.seedJSON(tenant, name: "T"),
                                               [("Content-Type", "text/plain")])
            try check(plain.status == 415, "a text/plain body answered \(plain.status)")
            let put = try await client.admin(.put, "/admin/identity-providers/main", json: ConformanceWorld.seedJSON(tenant, name: "T", sso: "http://idp.example.com/sso"))
            try check(put.status == 422 && (try put.refusal().field) == "config.sso_target_url", "a bad PUT answered \(put.status)")
            try check(try await client.admin(.put, "/admin/identity-providers/nobody", json: ConformanceWorld.seedJSON(tenant, name: "T")).status == 404,
                      "a PUT of an unknown ID did not answer 404")
            let snapshot = try await world.serviceProvider.directory.snapshot()
            try check(snapshot.entries.map(\.id) == ["main"] && snapshot.entries[0].record.metadataXML == world.idp.metadata(),
                      "a refused request changed the directory: \(snapshot.entries.map(\.id))")
            // loopback http is accepted, as elsewhere
            let loopback = try await client.admin(.post, "/admin/identity-providers",
                                                  json: ConformanceWorld.seedJSON(tenant, name: "Local", sso: "http://127.0.0.1:9000/sso"))
            try check(loopback.status == 201, "a loopback http endpoint answered \(loopback.status): \(loopback.body.prefix(300))")
        },
    ]

    static let perIdentityProvider: [ConformanceCase] = [
        ConformanceCase("GET /saml/metadata/{id} lists that IdP's SP certificates (the next key too) and every ACS URL; an unknown ID is 404",
                        world: { try .directory() }) { world, client in
            let metadata = try await client.get("/saml/metadata/main")
            try check(metadata.status == 200 && metadata.header("Content-Type")?.hasPrefix("application/samlmetadata+xml") == true,
                      "answered \(metadata.status)")
            for key in try ConformanceWorld.directoryKeys.get() {
                let base64 = try SAMLCertificate(pem: key.certificatePEM).base64
                try check(metadata.body.contains(base64), "the \(key.state) \(key.use) certificate is not published")
            }
            for acs in world.serviceProvider.configuration.acsURLs {
                try check(metadata.body.contains("Location=\"\(acs)\""), "the ACS URL \(acs) is not listed")
            }
            try check(try await client.get("/saml/metadata/nobody").status == 404, "an unknown ID did not answer 404")
        },
        ConformanceCase("POST /admin/identity-providers/{id}/test gives a login URL: a real round trip ends on the checks and the identity, with no session",
                        world: { try .directory() }) { world, client in
            let answer = try await client.admin(.post, "/admin/identity-providers/main/test")
            try check(answer.status == 200, "POST …/test answered \(answer.status): \(answer.body.prefix(300))")
            let url = try require(try answer.json()["login_url"] as? String, "no login_url")
            try check(url.hasPrefix("https://sp.example.com/saml/test?ticket="), "login_url \(url)")
            let started = try await client.get(ConformanceWorld.pathOf(url))
            try check(started.status == 302, "the test link answered \(started.status)")
            let state = try require(started.cookiePair(world.testStateCookieName), "no test state cookie")
            try check(started.setCookie(world.stateCookieName) == nil, "the test set a login state cookie")
            let request = try world.idp.receiveRedirect(url: try require(started.header("Location"), "no Location"))
            let issued = try world.idp.issueResponse(for: .alice, answering: request)
            // the test's response does not finish as a login, even with its state in the login cookie
            let asLogin = try await client.postACS(issued, cookies: [state.replacingOccurrences(of: world.testStateCookieName, with: world.stateCookieName)])
            try check(asLogin.status == 403 && asLogin.cookiePair(world.session.cookieName) == nil, "the test state finished as a login: \(asLogin.status)")
            let report = try await client.postACS(issued, cookies: [state])
            try check(report.status == 200 && report.body.contains("login verified") && report.body.contains(TestUser.alice.nameID),
                      "the report: \(report.status) \(report.body.prefix(400))")
            try check(report.body.contains("id=\"trace\"") && report.body.contains("audience") && report.body.contains("✔ replay"), "no trace of the checks")
            try check(report.cookiePair(world.session.cookieName) == nil, "the test created a session")
            try check(report.clears(world.testStateCookieName), "the test state cookie was not cleared")
            let replayed = try await client.postACS(issued, cookies: [state])
            try check(replayed.status == 403 && replayed.body.contains("error-code") && replayed.body.contains("✘"), "a replayed test answered \(replayed.status)")
            let forged = try await client.get("/saml/test?ticket=forged")
            try check([400, 403].contains(forged.status) && forged.setCookie(world.testStateCookieName) == nil, "a forged ticket answered \(forged.status)")
            try check(try await client.admin(.post, "/admin/identity-providers/nobody/test").status == 404, "a test of an unknown ID did not answer 404")
        },
    ]
}
