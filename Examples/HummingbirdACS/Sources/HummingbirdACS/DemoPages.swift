import Foundation
import Hummingbird
import SAML
import SAMLHummingbird

/// The demo's HTML pages. Every value is escaped; styles carry a per-response nonce, so the
/// pages run under `default-src 'none'`.
enum DemoPages {
    static func escape(_ text: String) -> String { SAMLErrorPage.escapeHTML(text) }

    static func nonce() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    static let style = """
        body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 52rem; padding: 0 1rem; color: #222; }
        h1 { font-size: 1.6rem; } table { border-collapse: collapse; margin: .5rem 0 1rem 0; }
        th, td { text-align: left; border-bottom: 1px solid #ddd; padding: .3rem .6rem; vertical-align: top; word-break: break-all; }
        th { white-space: nowrap; } .note { color: #666; font-size: .9rem; } .error { color: #a40000; }
        .warning { color: #8a5a00; } tr.finding td.severity { font-weight: bold; }
        nav a, nav form { margin-right: 1rem; display: inline; } textarea { width: 100%; font-family: monospace; }
        code { word-break: break-all; }
        """

    /// A full page with the demo's style.
    static func page(title: String, body: String, status: HTTPResponse.Status = .ok) -> Response {
        let nonce = nonce()
        let html = """
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape(title))</title>
            <style nonce="\(nonce)">\(style)</style></head>
            <body>
            \(body)
            </body>
            </html>

            """
        return Response(status: status, headers: [
            .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
            .contentSecurityPolicy: "default-src 'none'; style-src 'nonce-\(nonce)'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
        ], body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }

    static let navigation = """
        <nav><a href="/">Home</a><a href="/admin">Identity providers</a><a href="/test-connection">Test connection</a><a href="/idp/metadata">IdP metadata</a><a href="/saml/metadata">SP metadata</a>
        <form method="post" action="/saml/logout?returnTo=%2Fsigned-out"><button type="submit" id="logout">Sign out</button></form></nav>
        """

    /// Where single logout lands: the session has ended here and at the identity provider.
    static func signedOut(stillSignedIn: Bool) -> Response {
        var body = "<h1 id=\"signed-out\">Signed out</h1>\n"
        if stillSignedIn {
            body += "<p class=\"error\">This browser still carries a session.</p>\n"
        } else {
            body += "<p>Your session has ended here and at the identity provider.</p>\n"
        }
        body += "<p><a id=\"sign-in\" href=\"/\">Sign in again</a></p>\n"
        return page(title: "Signed out", body: body)
    }

    /// The page a signed-in user sees: who they are, according to the verified assertion.
    static func landing(_ login: Login, path: String) -> Response {
        var body = navigation
        body += "<h1>Signed in</h1>\n"
        body += "<p>You are at <code id=\"path\">\(escape(path))</code>. This is what the identity provider said about you, after every check passed.</p>\n"
        body += identityTable(login)
        body += "<p class=\"note\">The session is a signed cookie that ends at \(escape(iso(login.sessionExpiresAt))). The identity provider and the keys are DEMO ONLY.</p>\n"
        return page(title: "Signed in as \(login.email ?? login.nameID.value)", body: body)
    }

    /// The verified identity as tables (shared by the landing page and the connection test).
    static func identityTable(_ login: Login) -> String {
        var rows: [(String, String, String)] = [
            ("email", "E-mail", login.email ?? "—"),
            ("display-name", "Name", login.displayName ?? "—"),
            ("given-name", "Given name", login.givenName ?? "—"),
            ("surname", "Surname", login.surname ?? "—"),
            ("name-id", "NameID", login.nameID.value),
            ("name-id-format", "NameID format", login.nameID.format?.rawValue ?? "—"),
            ("issuer", "Identity provider", login.issuer),
        ]
        if !login.groups.isEmpty { rows.append(("groups", "Groups", login.groups.joined(separator: ", "))) }
        for role in login.awsRoles { rows.append(("aws-role", "AWS role", "\(role.roleARN) via \(role.providerARN)")) }
        var html = "<table id=\"identity\">\n"
        for (id, label, value) in rows {
            html += "<tr><th>\(escape(label))</th><td id=\"\(id)\">\(escape(value))</td></tr>\n"
        }
        html += "</table>\n<h2>Attributes</h2>\n<table id=\"attributes\">\n"
        for attribute in login.attributes {
            html += "<tr><th>\(escape(attribute.name))</th><td>\(escape(attribute.values.joined(separator: ", ")))</td></tr>\n"
        }
        html += "</table>\n"
        return html
    }

    /// Everything the login carries, for the connection test.
    static func loginDetails(_ login: Login) -> String {
        let rows: [(String, String)] = [
            ("Session index", login.sessionIndex ?? "—"),
            ("Authentication context", login.authnContextClassRef ?? "—"),
            ("Authenticated at", login.authnInstant.map(iso) ?? "—"),
            ("Session ends", iso(login.sessionExpiresAt)),
            ("Answered our request", login.wasRequested ? "yes" : "no (IdP-initiated)"),
            ("Assertion ID", login.assertionID),
            ("Response ID", login.responseID),
        ]
        var html = "<table id=\"details\">\n"
        for (label, value) in rows { html += "<tr><th>\(escape(label))</th><td>\(escape(value))</td></tr>\n" }
        return html + "</table>\n"
    }

    /// The demo's error page: the standard message and correlation ID, plus the code and reason,
    /// because this is a local demo (a production app shows only the correlation ID).
    static let errorPage = SAMLErrorPage { failure in
        """
        <!DOCTYPE html>
        <html lang="en">
        <head><meta charset="utf-8"><title>Sign-in failed</title></head>
        <body>
        <h1>Sign-in failed</h1>
        <p>We could not sign you in. Reference: <code id="correlation-id">\(escape(failure.correlationID))</code></p>
        <p>Shown because this is a local demo — a production page shows only the reference, the log has the rest:</p>
        <p><code id="error-code">\(escape(failure.code.description))</code>: <span id="error-reason">\(escape(failure.reason))</span></p>
        <p><a href="\(escape(failure.retryPath))">Try again</a> · <a href="/">Home</a></p>
        </body>
        </html>

        """
    }

    static func iso(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date)
    }
}
