import Foundation
import SAML
import Testing
import SAMLTestSupport

/// The README's quick start, verbatim in the middle, run against recorded metadata and generated responses.
@Suite struct QuickStartTests {
    @Test func readmeQuickStartCompilesAndRuns() async throws {
        let metadataBytes = try Fixtures.bytes("reference/idp-metadata/aws-iam-identity-center_us-east-1.xml")
        let cookieJar = CookieJar()

        // --- README: Quick start (keep in step) ---
        // Once, at start-up: this SP (its ACS URL doubles as entity ID) and the IdP, from its metadata file.
        let saml = try SAMLServiceProvider(configuration: .init(
            acsURL: "https://app.example.com/saml/acs",
            identityProviders: [.init(try IdentityProvider(metadata: metadataBytes))]))

        // GET /login — send the browser to the IdP, keep the login state in a cookie.
        let start = try await saml.login(returnTo: "/inbox")
        cookieJar[SAMLServiceProvider.stateCookieName] = start.browserState  // HttpOnly; Secure; SameSite=None
        // → 302 to the URL in start.action (or serve its POST form)

        // POST /saml/acs — the IdP posts SAMLResponse and RelayState back.
        func acs(form: [String: String]) async throws -> Login {
            let login = try await saml.finishLogin(samlResponse: form["SAMLResponse"] ?? "", relayState: form["RelayState"],
                                                   browserState: cookieJar[SAMLServiceProvider.stateCookieName])
            return login  // Codable: store it in the session, then 303 to login.returnTo
        }
        // --- end of README code ---

        guard case .redirect(let url) = start.action else { Issue.record("expected a redirect"); return }
        #expect(url.hasPrefix("https://portal.sso.us-east-1.amazonaws.com/saml/assertion/NDQ0OTc1NjczNTMwX2lucy01MTRmOGNkNGRjYzJhMjky?SAMLRequest="))
        // The fixture response comes from another IdP, for another SP and request: refused.
        let posted = Data(try Generated.response("assertion-signed.xml").utf8).base64EncodedString()
        do {
            _ = try await acs(form: ["SAMLResponse": posted])
            Issue.record("a response from another IdP was accepted")
        } catch let error as SAMLError {
            #expect([SAMLError.Code.issuerMismatch, .untrustedKey].contains(error.code), "\(error)")
        }
        // Without the cookie (another browser), even before any signature check.
        cookieJar[SAMLServiceProvider.stateCookieName] = nil
        await expectRejection(.unsolicitedResponse) { _ = try await acs(form: ["SAMLResponse": posted]) }
    }
}

/// Stands in for a web framework's cookies.
final class CookieJar: @unchecked Sendable {
    private var values: [String: String] = [:]
    subscript(name: String) -> String? {
        get { values[name] }
        set { values[name] = newValue }
    }
}
