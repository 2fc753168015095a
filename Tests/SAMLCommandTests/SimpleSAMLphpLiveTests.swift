import Foundation
import SAML
import Testing
import SAMLTestSupport

/// A live SimpleSAMLphp IdP (Debian's `simplesamlphp` under `php -S` on loopback, started by
/// `scripts/simplesamlphp.sh` for each test) as a second, independently written peer: the library builds
/// the requests, a scripted browser (`curl` with a cookie jar) carries them and logs in, and the library
/// and the `saml` CLI verify what SimpleSAMLphp sends back. Its SSO and SLO locations are `http:` on
/// 127.0.0.1, accepted because loopback is a secure context. Without PHP or SimpleSAMLphp the tests fail.
@Suite("SimpleSAMLphp, live on loopback", .serialized)
struct SimpleSAMLphpLiveTests {
    static let acs = "http://127.0.0.1:9/saml/acs"
    static let slo = "http://127.0.0.1:9/saml/slo"
    static let entityID = "http://127.0.0.1:9/saml/metadata"

    /// One running SimpleSAMLphp in its own folder, stopped (and the folder removed) by `stop()`.
    final class IdP {
        let directory: URL
        let environment: [String: String]
        let script = CLI.repositoryRoot.appendingPathComponent("scripts/simplesamlphp.sh").path

        init() throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("ssp-\(UUID().uuidString)")
            let started = try Self.shell([script, "start"], ["SSP_DIR": directory.path])
            try #require(started.status == 0, "scripts/simplesamlphp.sh start failed (install PHP and simplesamlphp: scripts/install-deps.sh test): \(started.error)")
            var environment: [String: String] = [:]
            for line in started.output.split(separator: "\n") where line.hasPrefix("export ") {
                let pair = line.dropFirst(7).split(separator: "=", maxSplits: 1)
                environment[String(pair[0])] = String(pair[1]).trimmingCharacters(in: CharacterSet(charactersIn: "'"))
            }
            self.environment = environment
        }

        subscript(_ name: String) -> String { environment[name] ?? "" }

        /// Registers this SP with the given `register-sp` options.
        func register(_ options: [String]) throws {
            let run = try Self.shell([script, "register-sp", "--entity-id", SimpleSAMLphpLiveTests.entityID,
                                      "--acs", SimpleSAMLphpLiveTests.acs, "--slo", SimpleSAMLphpLiveTests.slo,
                                      "--cert", CLI.repositoryRoot.appendingPathComponent("Fixtures/generated/keys/sp-rsa.cert.pem").path] + options,
                                     ["SSP_DIR": directory.path])
            try #require(run.status == 0, "\(run.error)")
        }

        /// The IdP as its own published metadata describes it.
        func identityProvider() throws -> IdentityProvider {
            try IdentityProvider(metadata: Data(contentsOf: URL(fileURLWithPath: self["SSP_METADATA_FILE"])))
        }

        func stop() {
            _ = try? Self.shell([script, "stop"], ["SSP_DIR": directory.path])
            try? FileManager.default.removeItem(at: directory)
        }

        /// A browser with its cookie jar in this IdP's folder.
        func browser() -> Browser {
            Browser(jar: directory.appendingPathComponent("jar-\(UUID().uuidString)").path, idpBase: self["SSP_BASE_URL"])
        }

        static func shell(_ arguments: [String], _ extra: [String: String]) throws -> (status: Int32, output: String, error: String) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            process.arguments = arguments
            var environment = ProcessInfo.processInfo.environment
            for (key, value) in extra { environment[key] = value }
            process.environment = environment
            // files, not pipes: the PHP server the script leaves running must not hold our read end open
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("ssp-run-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: scratch) }
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
            let outURL = scratch.appendingPathComponent("out"), errURL = scratch.appendingPathComponent("err")
            try Data().write(to: outURL)
            try Data().write(to: errURL)
            let output = try FileHandle(forWritingTo: outURL), error = try FileHandle(forWritingTo: errURL)
            process.standardOutput = output
            process.standardError = error
            process.standardInput = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            try? output.close()
            try? error.close()
            let out = (try? Data(contentsOf: outURL)) ?? Data()
            let err = (try? Data(contentsOf: errURL)) ?? Data()
            return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
        }
    }

    /// A scripted browser: `curl` with a cookie jar, following redirects only while they stay on the IdP.
    struct Browser {
        let jar: String
        let idpBase: String

        struct Page {
            var status: Int
            var location: String?
            var body: String
        }

        func go(_ url: String, form: [(String, String)]? = nil) throws -> Page {
            var page = try fetch(url, form: form)
            var hops = 0
            while (300..<400).contains(page.status), let next = page.location, next.hasPrefix(idpBase), hops < 10 {
                page = try fetch(next, form: nil)
                hops += 1
            }
            return page
        }

        private func fetch(_ url: String, form: [(String, String)]?) throws -> Page {
            let headers = jar + ".headers", body = jar + ".body"
            var arguments = ["-s", "-b", jar, "-c", jar, "-D", headers, "-o", body, "-w", "%{http_code}"]
            for (name, value) in form ?? [] { arguments += ["--data-urlencode", "\(name)=\(value)"] }
            let run = try IdP.shell(["-c", "exec curl \"$@\"", "curl"] + arguments + [url], [:])
            let headerText = (try? String(contentsOfFile: headers, encoding: .utf8)) ?? ""
            let location = headerText.split(separator: "\r\n").first { $0.lowercased().hasPrefix("location:") }
                .map { String($0.dropFirst(9)).trimmingCharacters(in: .whitespaces) }
            return Page(status: Int(run.output) ?? 0, location: location, body: (try? String(contentsOfFile: body, encoding: .utf8)) ?? "")
        }

        /// Logs in on SimpleSAMLphp's user/password page and returns the page that follows (the auto-posting response form).
        func logIn(from page: Page, user: String = "student", password: String = "studentpass") throws -> Page {
            let state = try #require(Self.hidden("AuthState", in: page.body), "no login form: \(page.body.prefix(500))")
            return try go(idpBase + "module.php/core/loginuserpass.php", form: [("AuthState", state), ("username", user), ("password", password)])
        }

        /// The value of a hidden form field, HTML entities decoded.
        static func hidden(_ name: String, in html: String) -> String? {
            guard let match = html.firstMatch(of: try! Regex("name=\"\(name)\"\\s+value=\"([^\"]*)\"")),
                  let value = match.output[1].substring else { return nil }
            return String(value).replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#039;", with: "'")
                .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
                .replacingOccurrences(of: "&amp;", with: "&")
        }
    }

    static var spKey: SAMLKeyPair {
        get throws {
            try SAMLKeyPair(privateKeyPEM: Fixtures.text("generated/keys/sp-rsa.key.pem"),
                            certificatePEM: Fixtures.text("generated/keys/sp-rsa.cert.pem"))
        }
    }

    static func serviceProvider() throws -> ServiceProvider {
        ServiceProvider(entityID: entityID, acsURL: acs, signingKey: try spKey, decryptionKeys: [try Generated.key("sp-rsa")])
    }

    static func expectStudent(_ assertion: VerifiedAssertion, idp: IdentityProvider) {
        #expect(assertion.issuer == idp.entityID)
        #expect(assertion.values(of: "uid") == ["student"])
        #expect(assertion.values(of: "eduPersonAffiliation") == ["member", "student"])
        #expect(assertion.sessionIndex != nil)
    }

    @Test("SP-initiated, signed AuthnRequest by Redirect and by POST; signed response and assertion verified; SimpleSAMLphp checks our signatures")
    func spInitiated() async throws {
        let server = try IdP()
        defer { server.stop() }
        try server.register(["--validate-requests"])
        let idp = try server.identityProvider()
        #expect(idp.singleSignOnServices.allSatisfy { $0.location.hasPrefix("http://127.0.0.1:") })
        let verifier = ResponseVerifier(serviceProvider: try Self.serviceProvider(), identityProvider: idp, replayStore: InMemoryReplayStore())
        let builder = AuthnRequest(serviceProvider: try Self.serviceProvider(), identityProvider: idp)

        let browser = server.browser()
        let redirect = try builder.redirect(to: idp.singleSignOnServices(for: .httpRedirect).first)
        let posted = try browser.logIn(from: try browser.go(redirect.url))
        let response = try #require(Browser.hidden("SAMLResponse", in: posted.body), "\(posted.body.prefix(800))")
        #expect(posted.body.contains("action=\"\(Self.acs)\""))
        let assertion = try await verifier.verify(samlResponse: response, inResponseTo: redirect.id)
        Self.expectStudent(assertion, idp: idp)
        #expect(assertion.responseSigned && assertion.assertionSigned && !assertion.wasEncrypted)

        // POST binding; the IdP session already exists, so no login page this time
        let post = try builder.post(to: idp.singleSignOnServices(for: .httpPost).first)
        let second = try browser.go(post.destination, form: [("SAMLRequest", post.base64)])
        let again = try #require(Browser.hidden("SAMLResponse", in: second.body), "\(second.body.prefix(800))")
        Self.expectStudent(try await verifier.verify(samlResponse: again, inResponseTo: post.id), idp: idp)
        // the same response again is a replay
        await #expect(throws: SAMLError.self) { try await verifier.verify(samlResponse: again, inResponseTo: post.id) }

        // an AuthnRequest signed by another key is refused by SimpleSAMLphp
        let attacker = try SAMLKeyPair(privateKeyPEM: Fixtures.text("generated/keys/attacker-rsa.key.pem"),
                                       certificatePEM: Fixtures.text("generated/keys/attacker-rsa.cert.pem"))
        let forged = try AuthnRequest(serviceProvider: ServiceProvider(entityID: Self.entityID, acsURL: Self.acs, signingKey: attacker),
                                      identityProvider: idp).redirect()
        let refused = try server.browser().go(forged.url)
        #expect(Browser.hidden("SAMLResponse", in: refused.body) == nil)
    }

    @Test("IdP-initiated and encrypted: the unsolicited response is refused by default, accepted when allowed, and decrypted")
    func idpInitiatedEncrypted() async throws {
        let server = try IdP()
        defer { server.stop() }
        try server.register(["--encrypt-assertions", "--unsigned-response"])
        let idp = try server.identityProvider()
        let browser = server.browser()
        let encoded = Self.entityID.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        let posted = try browser.logIn(from: try browser.go(server["SSP_IDP_INITIATED_URL"] + encoded))
        let response = try #require(Browser.hidden("SAMLResponse", in: posted.body), "\(posted.body.prefix(800))")
        let strict = ResponseVerifier(serviceProvider: try Self.serviceProvider(), identityProvider: idp, replayStore: InMemoryReplayStore())
        await #expect(throws: SAMLError.self) { try await strict.verify(samlResponse: response, inResponseTo: nil) }
        // SimpleSAMLphp encrypts with AES-CBC by default, here in an unsigned Response: refused by
        // default (a decryption oracle), accepted when the policy opts out.
        let cbcRefused = ResponseVerifier(serviceProvider: try Self.serviceProvider(), identityProvider: idp,
                                          policy: VerificationPolicy(allowUnsolicited: true), replayStore: InMemoryReplayStore())
        let xml = String(decoding: Data(base64Encoded: response, options: .ignoreUnknownCharacters) ?? Data(), as: UTF8.self)
        if xml.contains("xmlenc#aes128-cbc") || xml.contains("xmlenc#aes256-cbc") {
            await #expect(throws: SAMLError(.algorithmNotAllowed, "")) { try await cbcRefused.verify(samlResponse: response, inResponseTo: nil) }
        } else {
            _ = try await cbcRefused.verify(samlResponse: response, inResponseTo: nil)
        }
        let open = ResponseVerifier(serviceProvider: try Self.serviceProvider(), identityProvider: idp,
                                    policy: VerificationPolicy(allowUnsolicited: true, refuseCBCInUnsignedResponse: false),
                                    replayStore: InMemoryReplayStore())
        let assertion = try await open.verify(samlResponse: response, inResponseTo: nil)
        Self.expectStudent(assertion, idp: idp)
        #expect(assertion.wasEncrypted && assertion.assertionSigned && !assertion.responseSigned)
        #expect(assertion.inResponseTo == nil)
        // without the SP key the encrypted assertion cannot be read
        let keyless = ResponseVerifier(serviceProvider: ServiceProvider(entityID: Self.entityID, acsURL: Self.acs), identityProvider: idp,
                                       policy: VerificationPolicy(allowUnsolicited: true), replayStore: InMemoryReplayStore())
        await #expect(throws: SAMLError.self) { try await keyless.verify(samlResponse: response, inResponseTo: nil) }
    }

    @Test("The saml CLI against the live IdP: metadata by http URL on loopback, authn-request, verify")
    func throughTheCLI() async throws {
        let server = try IdP()
        defer { server.stop() }
        try server.register([])
        let metadataURL = server["SSP_METADATA_URL"]
        let keys = ["--sign-key", "Fixtures/generated/keys/sp-rsa.key.pem", "--sign-cert", "Fixtures/generated/keys/sp-rsa.cert.pem"]
        let shown = try CLI.run(["metadata", server["SSP_METADATA_FILE"]])
        #expect(shown.status == 0, "\(shown.summary)")
        let request = try CLI.run(["authn-request", "--idp-metadata", metadataURL, "--sp-entity-id", Self.entityID, "--acs-url", Self.acs] + keys)
        #expect(request.status == 0, "\(request.summary)")
        let json = try request.json()
        let url = try #require(json["url"] as? String), id = try #require(json["id"] as? String)
        let browser = server.browser()
        let posted = try browser.logIn(from: try browser.go(url))
        let response = try #require(Browser.hidden("SAMLResponse", in: posted.body), "\(posted.body.prefix(800))")
        let file = try CLI.temporaryFile(response, name: "response.b64")
        let verified = try CLI.run(["verify", "--idp-metadata", metadataURL, "--sp-entity-id", Self.entityID, "--acs-url", Self.acs,
                                    "--request-id", id, file])
        #expect(verified.status == 0, "\(verified.summary)")
        #expect((try verified.json()["attributes"] as? [String: [String]])?["uid"] == ["student"])
    }

    @Test("Single logout: our signed LogoutRequest by Redirect, SimpleSAMLphp's signed LogoutResponse verified")
    func logout() async throws {
        let server = try IdP()
        defer { server.stop() }
        try server.register(["--validate-requests"])
        let idp = try server.identityProvider()
        let sp = try Self.serviceProvider()
        let browser = server.browser()
        let login = try AuthnRequest(serviceProvider: sp, identityProvider: idp).redirect()
        let posted = try browser.logIn(from: try browser.go(login.url))
        let response = try #require(Browser.hidden("SAMLResponse", in: posted.body))
        let assertion = try await ResponseVerifier(serviceProvider: sp, identityProvider: idp, replayStore: InMemoryReplayStore())
            .verify(samlResponse: response, inResponseTo: login.id)

        let logout = try LogoutRequest(serviceProvider: sp, identityProvider: idp, subject: assertion.nameID,
                                       sessionIndexes: assertion.sessionIndex.map { [$0] } ?? []).redirect()
        let answer = try browser.go(logout.url)
        let location = try #require(answer.location, "no redirect back: \(answer.status) \(answer.body.prefix(800))")
        #expect(location.hasPrefix(Self.slo + "?"))
        let query = String(location.dropFirst(Self.slo.count + 1))
        let verifier = LogoutVerifier(serviceProvider: sp, singleLogoutURL: Self.slo, identityProvider: idp, replayStore: InMemoryReplayStore())
        let verified = try verifier.verifyLogoutResponse(redirectQuery: query, expectedRequestID: logout.id)
        #expect(verified.issuer == idp.entityID)
        // the session is gone: a new AuthnRequest shows the login page again
        let fresh = try browser.go(try AuthnRequest(serviceProvider: sp, identityProvider: idp).redirect().url)
        #expect(Browser.hidden("AuthState", in: fresh.body) != nil)
        // and the LogoutResponse does not verify against another request ID
        #expect(throws: SAMLError.self) { try verifier.verifyLogoutResponse(redirectQuery: query, expectedRequestID: "_other") }
    }
}
