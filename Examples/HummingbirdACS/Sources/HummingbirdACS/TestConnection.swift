import Foundation
import Hummingbird
import SAML
import SAMLHummingbird

/// The "Test connection" pages: read an IdP's metadata (or the JSON an admin dashboard keeps),
/// show what was read, run a login against it and show the verified identity — without a session.
struct TestConnection: Sendable {
    let baseURL: String
    let entityID: String
    let signingKey: SAMLKeyPair
    let stateSecrets: [StateSecret]
    let cookieSecurity: SAMLCookiePolicy
    let store = Store()

    static let stateCookie = "saml_test_state"
    static let idCookie = "saml_test_id"

    /// The IdPs read so far, each with its own façade; bounded and short-lived.
    actor Store {
        struct Entry {
            let identityProvider: IdentityProvider
            let serviceProvider: SAMLServiceProvider
            let created: Date
        }

        private var entries: [String: Entry] = [:]

        func add(_ entry: Entry) -> String {
            let now = Date()
            entries = entries.filter { now.timeIntervalSince($0.value.created) < 3600 }
            if entries.count >= 100, let oldest = entries.min(by: { $0.value.created < $1.value.created }) {
                entries[oldest.key] = nil
            }
            let id = UUID().uuidString.lowercased()
            entries[id] = entry
            return id
        }

        func entry(_ id: String) -> Entry? {
            guard let entry = entries[id], Date().timeIntervalSince(entry.created) < 3600 else { return nil }
            return entry
        }
    }

    var acsURL: String { baseURL + "/test-connection/acs" }

    func addRoutes(to router: Router<BasicRequestContext>) {
        router.get("test-connection") { _, _ in form(error: nil) }
        router.post("test-connection") { request, _ in try await read(request) }
        router.get("test-connection/:id/login") { request, context in
            try await login(id: context.parameters.get("id") ?? "")
        }
        router.post("test-connection/acs") { request, _ in try await finish(request) }
    }

    // MARK: - Reading the IdP

    func form(error: String?, input: String = "", findings: [ConfigurationFinding] = [], status: HTTPResponse.Status = .ok) -> Response {
        var body = DemoPages.navigation + "<h1>Test connection</h1>\n"
        body += "<p>Upload your identity provider's SAML metadata, or paste it, or paste the JSON an admin dashboard keeps (<code>issuer_url</code>, <code>sso_target_url</code>, <code>idp_public_certs</code>, <code>email_attribute_name</code>, <code>sign_request</code>, <code>attributes</code>). Then run a login against it: you see the verified identity, and no session is created.</p>\n"
        body += "<p class=\"note\">Give the IdP this service provider: entity ID (audience) <code>\(DemoPages.escape(entityID))</code>, ACS URL for the test <code>\(DemoPages.escape(acsURL))</code>. The built-in test IdP's metadata is at <a href=\"/idp/metadata\">/idp/metadata</a>.</p>\n"
        if let error {
            body += "<p class=\"error\" id=\"read-error\">\(DemoPages.escape(error))</p>\n"
        }
        body += Self.findingsTable(findings)
        body += """
            <form method="post" action="/test-connection" enctype="multipart/form-data">
            <p><label for="metadata_file">Metadata file:</label> <input type="file" id="metadata_file" name="metadata_file"></p>
            <p><label for="metadata">…or paste metadata XML or configuration JSON:</label><br>
            <textarea id="metadata" name="metadata" rows="12">\(DemoPages.escape(input))</textarea></p>
            <p><label><input type="checkbox" id="sign" name="sign" value="on" checked> Sign AuthnRequests with the demo SP key</label></p>
            <p><button type="submit" id="read">Read</button></p>
            </form>
            """
        return DemoPages.page(title: "Test connection", body: body, status: status)
    }

    func read(_ request: Request) async throws -> Response {
        var request = request
        let contentType = request.headers[.contentType] ?? ""
        let body = try await request.collectBody(upTo: 2 << 20)
        var text = ""
        var sign = false
        if let boundary = Multipart.boundary(contentType: contentType) {
            for part in Multipart.parse(Array(buffer: body), boundary: boundary) {
                switch part.name {
                case "metadata_file": if !part.content.isEmpty { text = String(decoding: part.content, as: UTF8.self) }
                case "metadata": if text.isEmpty { text = String(decoding: part.content, as: UTF8.self) }
                case "sign": sign = true
                default: break
                }
            }
        } else {
            let fields = FormBody.parse(String(buffer: body))
            text = fields["metadata"] ?? ""
            sign = fields["sign"] != nil
        }
        text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { return form(error: "Nothing was uploaded or pasted.", status: .badRequest) }
        let identityProvider: IdentityProvider
        do {
            // a demo served over plain http (loopback only) accepts http endpoints, such as its own
            // test IdP's; over https only https endpoints are read
            let allowHTTP = !cookieSecurity.isSecure
            if text.hasPrefix("{") {
                identityProvider = try IdentityProvider(configuration: IdentityProviderConfiguration(json: Array(text.utf8)),
                                                        allowHTTPEndpoints: allowHTTP)
            } else {
                identityProvider = try IdentityProvider(metadata: text, policy: MetadataPolicy(allowHTTPEndpoints: allowHTTP))
            }
        } catch let error as SAMLError {
            return form(error: "This could not be read (\(error.code)): \(error.reason)", input: text, status: .badRequest)
        }
        let configuration = SAMLServiceProvider.Configuration(
            acsURL: acsURL, entityID: entityID, identityProviders: [TrustedIdentityProvider(identityProvider)],
            signingKey: sign ? signingKey : nil, decryptionKeys: [signingKey], stateSecrets: stateSecrets)
        // the library's rules, the same `saml doctor` and an app's start-up check run
        let findings = configuration.diagnose(now: Date())
        let serviceProvider: SAMLServiceProvider
        do {
            serviceProvider = try SAMLServiceProvider(configuration: configuration)
        } catch let error as SAMLError {
            return form(error: "This IdP cannot be used (\(error.code)): \(error.reason)", input: text, findings: findings, status: .badRequest)
        }
        let id = await store.add(.init(identityProvider: identityProvider, serviceProvider: serviceProvider, created: Date()))
        return summary(identityProvider, id: id, signs: sign, findings: findings)
    }

    /// The findings of `SAMLServiceProvider.Configuration.diagnose(now:)` as a table, problems first:
    /// severity, the rule's code, what was found and the fix.
    static func findingsTable(_ findings: [ConfigurationFinding]) -> String {
        guard !findings.isEmpty else { return "" }
        let e = DemoPages.escape
        let problems = findings.filter(\.isProblem).count
        var html = "<h2>Configuration check</h2>\n<p id=\"findings-summary\">"
        html += problems == 0 ? "No problems found" : "\(problems) problem\(problems == 1 ? "" : "s") to fix"
        html += " by the rules <code>saml doctor</code> applies (<code>Configuration.diagnose(now:)</code>).</p>\n<table id=\"findings\">\n"
        html += "<tr><th>Severity</th><th>Check</th><th>Found</th><th>Fix</th></tr>\n"
        // stable: problems first, worst first, otherwise in the order checked
        let ordered = findings.enumerated().sorted { ($0.element.severity, $1.offset) > ($1.element.severity, $0.offset) }.map(\.element)
        for finding in ordered {
            let severity = finding.severity.rawValue
            html += "<tr class=\"finding \(severity)\"><td class=\"severity\">\(e(severity))</td><td class=\"check\"><code>\(e(finding.check))</code></td>"
            html += "<td class=\"message\">\(e(finding.message))</td><td class=\"fix\">\(e(finding.fix ?? ""))</td></tr>\n"
        }
        return html + "</table>\n"
    }

    func summary(_ idp: IdentityProvider, id: String, signs: Bool, findings: [ConfigurationFinding]) -> Response {
        let e = DemoPages.escape
        var body = DemoPages.navigation + "<h1>Test connection: what was read</h1>\n<table id=\"idp\">\n"
        body += "<tr><th>Entity ID</th><td id=\"entity-id\">\(e(idp.entityID))</td></tr>\n"
        for endpoint in idp.singleSignOnServices {
            body += "<tr><th>Single sign-on</th><td class=\"sso\">\(e(endpoint.binding.description)): \(e(endpoint.location))</td></tr>\n"
        }
        body += "<tr><th>Wants signed requests</th><td id=\"wants-signed\">\(idp.wantsAuthnRequestsSigned ? "yes" : "no")</td></tr>\n"
        body += "<tr><th>Requests will be</th><td>\(signs ? "signed with the demo SP key" : "unsigned")</td></tr>\n"
        if let email = idp.emailAttributeName { body += "<tr><th>E-mail attribute</th><td>\(e(email))</td></tr>\n" }
        if !idp.nameIDFormats.isEmpty {
            body += "<tr><th>NameID formats</th><td>\(e(idp.nameIDFormats.map(\.rawValue).joined(separator: ", ")))</td></tr>\n"
        }
        if let validUntil = idp.validUntil { body += "<tr><th>Metadata valid until</th><td>\(e(DemoPages.iso(validUntil)))</td></tr>\n" }
        body += "</table>\n<h2>Signing certificates</h2>\n<table id=\"certificates\">\n"
        for certificate in idp.signingCertificates {
            let expired = certificate.isExpired()
            body += "<tr><th>\(e(certificate.subject))</th><td>\(e(certificate.keyAlgorithm.description)) \(certificate.keySize) bits; valid \(e(DemoPages.iso(certificate.notBefore))) to <span class=\"expiry\">\(e(DemoPages.iso(certificate.notAfter)))</span>\(expired ? " <strong class=\"error\">EXPIRED or not yet valid</strong>" : ""); SHA-256 \(e(certificate.sha256Fingerprint))</td></tr>\n"
        }
        body += "</table>\n"
        body += Self.findingsTable(findings)
        body += "<p><a id=\"run-login\" href=\"/test-connection/\(e(id))/login\">Run a test login against this IdP</a> (no session is created)</p>\n"
        return DemoPages.page(title: "Test connection: \(idp.entityID)", body: body)
    }

    // MARK: - The test login

    func login(id: String) async throws -> Response {
        guard let entry = await store.entry(id) else {
            return form(error: "That connection test has expired; read the metadata again.", status: .notFound)
        }
        var options = LoginOptions()
        if entry.identityProvider.singleSignOnServices(for: .httpRedirect).isEmpty,
           !entry.identityProvider.singleSignOnServices(for: .httpPost).isEmpty {
            options.binding = .httpPost
        }
        let start: LoginStart
        do {
            start = try await entry.serviceProvider.login(options: options)
        } catch let error as SAMLError {
            return problem(error, status: .internalServerError)
        }
        var response: Response
        switch start.action {
        case .redirect(let url):
            response = Response.redirect(to: url, type: .found)
        case .post(let form):
            let origin = DemoIdentityProvider.origin(of: form.action)
            response = Response(status: .ok, headers: [
                .contentType: "text/html; charset=utf-8",
                .contentSecurityPolicy: "default-src 'none'; script-src 'self'; form-action \(origin); base-uri 'none'; frame-ancestors 'none'",
            ], body: ResponseBody(byteBuffer: ByteBuffer(string: form.html(submission: .externalScript(src: "/saml/autosubmit.js")))))
        }
        response.headers[.cacheControl] = "no-store"
        response.setCookie(cookie(Self.stateCookie, start.browserState, maxAge: 600))
        response.setCookie(cookie(Self.idCookie, id, maxAge: 600))
        return response
    }

    func finish(_ request: Request) async throws -> Response {
        var request = request
        let state = request.cookies[Self.stateCookie]?.value
        let id = request.cookies[Self.idCookie]?.value ?? ""
        let fields = try await FormBody.read(&request)
        var response: Response
        if let entry = await store.entry(id) {
            let trace = Trace()
            do {
                let login = try await entry.serviceProvider.finishLogin(samlResponse: fields["SAMLResponse"] ?? "",
                                                                       relayState: fields["RelayState"], browserState: state,
                                                                       diagnostics: { trace.steps.append($0) })
                var body = DemoPages.navigation + "<h1>Test connection: login verified</h1>\n"
                body += "<p id=\"result\">Every check passed. <strong>No session was created</strong>: you are not signed in to this demo by this test.</p>\n"
                body += DemoPages.identityTable(login) + "<h2>Assertion</h2>\n" + DemoPages.loginDetails(login)
                body += trace.html
                response = DemoPages.page(title: "Test connection: verified", body: body)
            } catch let error as SAMLError {
                response = problem(error, status: .forbidden, trace: trace)
            }
        } else {
            response = form(error: "No connection test is running in this browser; read the metadata again.", status: .badRequest)
        }
        response.setCookie(cookie(Self.stateCookie, "", maxAge: 0))
        response.setCookie(cookie(Self.idCookie, "", maxAge: 0))
        return response
    }

    func problem(_ error: SAMLError, status: HTTPResponse.Status, trace: Trace? = nil) -> Response {
        DemoPages.page(title: "Test connection: failed", body: DemoPages.navigation + """
            <h1>Test connection: the login failed</h1>
            <p class="error"><code id="error-code">\(DemoPages.escape(error.code.description))</code>: <span id="error-reason">\(DemoPages.escape(error.reason))</span></p>
            \(trace?.html ?? "")
            <p><a href="/test-connection">Try another IdP</a></p>
            """, status: status)
    }

    /// The verifier's diagnostics for one response: each check, passed or not, with the values it compared.
    final class Trace {
        var steps: [VerificationDiagnostic] = []

        var html: String {
            guard !steps.isEmpty else { return "" }
            var html = "<h2>Verification trace</h2>\n<table id=\"trace\">\n"
            for step in steps {
                let facts = step.facts.map { DemoPages.escape($0.description) }.joined(separator: "<br>")
                html += "<tr class=\"\(step.passed ? "passed" : "failed")\"><th>\(step.passed ? "✔" : "✘") \(DemoPages.escape(step.check.name))</th><td>\(facts)</td></tr>\n"
            }
            return html + "</table>\n"
        }
    }

    func cookie(_ name: String, _ value: String, maxAge: Int) -> Cookie {
        if cookieSecurity.isSecure {
            return Cookie(name: name, value: value, maxAge: maxAge, path: "/test-connection", secure: true, httpOnly: true, sameSite: .none)
        }
        return Cookie(name: name, value: value, maxAge: maxAge, path: "/test-connection", secure: false, httpOnly: true, sameSite: .lax)
    }
}
