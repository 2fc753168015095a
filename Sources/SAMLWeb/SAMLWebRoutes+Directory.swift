import Foundation
import Logging
import SAMLCore
import SAMLLogin
import SAMLVerification

/// The routes that read the façade's identity-provider directory: per-IdP SP metadata, the
/// login's IdP choice, and the connection test's start and end.
extension SAMLWebRoutes {
    /// `GET {prefix}/metadata/{id}`: this SP's metadata for one IdP (its own certificates, the
    /// next rollover key included, and every ACS URL); 404 for an unknown ID.
    func metadata(forIdentityProvider id: String) async throws -> SAMLWebResponse {
        do {
            let xml = try await serviceProvider.metadata(forIdentityProvider: id)
            return SAMLWebResponse(status: 200, headers: [("Content-Type", "application/samlmetadata+xml; charset=utf-8")], body: Array(xml.utf8))
        } catch let error as SAMLError where error.code == .entityNotFound {
            return SAMLWebResponse(status: 404, headers: [("Content-Type", "text/plain; charset=utf-8"), ("Cache-Control", "no-store")],
                                   body: Array("There is no identity provider with this ID.\n".utf8))
        }
    }

    /// The enabled entries, and the default one a login without `idp=` starts at (the
    /// configured default, else the only enabled entry).
    func loginChoices() async throws -> (entries: [IdentityProviderEntry], default: IdentityProviderEntry?) {
        let snapshot = try await serviceProvider.directory.snapshot()
        let enabled = snapshot.enabled
        if let name = options.defaultIdentityProvider {
            return (enabled, enabled.first { $0.id == name || $0.entityID == name })
        }
        return (enabled, enabled.count == 1 ? enabled[0] : nil)
    }

    /// A page listing the directory's enabled IdPs, each a same-origin link that starts its login.
    func choicePage(_ entries: [IdentityProviderEntry], returnTo: String?) -> SAMLWebResponse {
        var items = ""
        for entry in entries {
            let href = loginPath(returnTo: returnTo, identityProvider: entry.id)
            let label = entry.name == entry.entityID ? entry.name : "\(entry.name) (\(entry.entityID))"
            items += "<li><a href=\"\(HTMLEscaping.escape(href))\">\(HTMLEscaping.escape(label))</a></li>\n"
        }
        return .html("""
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8"><meta name="referrer" content="same-origin"><title>Choose how to sign in</title></head>
            <body>
            <h1>Choose how to sign in</h1>
            <ul id="identity-providers">
            \(items)</ul>
            </body>
            </html>

            """)
    }

    /// The connection test cookie's name (`__Host-` prefixed over https).
    public var testStateCookieName: String { cookiePolicy.name(SAMLServiceProvider.testStateCookieName) }

    /// `GET {prefix}/test?ticket=…`: starts the connection test a ticket names (a login at its IdP
    /// whose state opens only as a test) and sets the test state cookie.
    func startConnectionTest(_ request: SAMLWebRequest) async throws -> SAMLWebResponse {
        guard let ticket = try request.query().value("ticket"), !ticket.isEmpty else {
            throw SAMLError(.invalidRequest, "The connection test link carries no ticket.")
        }
        let start = try await serviceProvider.startConnectionTest(ticket: ticket, options: options.loginOptions, now: now())
        var response = actionResponse(start.action)
        response.cookies.append(stateCookie(SAMLServiceProvider.testStateCookieName, start.browserState, expiresAt: start.expiresAt))
        return response
    }

    /// The ACS post of a connection test: verified like a login, reported with every check on the
    /// connection test page; no session. A refused post leaves the test in progress, as a refused
    /// login does.
    func finishConnectionTest(_ request: SAMLWebRequest, samlResponse: String, relayState: String?) async throws -> SAMLWebResponse {
        let browserState = try request.cookie(testStateCookieName)
        let trace = ConnectionTestTrace()
        let report: SAMLConnectionTestPage.Report
        var cookies: [SAMLWebCookie] = []
        do {
            let login = try await serviceProvider.finishConnectionTest(samlResponse: samlResponse, relayState: relayState,
                                                                       browserState: browserState, now: now(),
                                                                       diagnostics: { trace.checks.append($0) })
            request.logger.info("SAML connection test verified", metadata: ["saml.idp": .string(login.issuer)])
            report = .init(login: login, error: nil, checks: trace.checks, status: 200)
            cookies = [clearingCookie(SAMLServiceProvider.testStateCookieName)]
        } catch let error as SAMLError {
            request.logger.notice("SAML connection test refused", metadata: [
                "saml.code": .string(error.code.description), "saml.reason": .string(error.reason),
            ])
            report = .init(login: nil, error: error, checks: trace.checks, status: SAMLErrorPage.status(for: error.code))
        }
        var response = SAMLWebResponse.html(options.admin.connectionTestPage.render(report), status: report.status,
                                            contentSecurityPolicy: "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'")
        response.cookies = cookies
        return response
    }
}

/// The checks a verification reported, collected as it runs (one request, one task).
final class ConnectionTestTrace: @unchecked Sendable {
    var checks: [VerificationDiagnostic] = []
}
