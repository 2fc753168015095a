import Foundation
public import SAMLCore
public import SAMLLogin
public import SAMLVerification

/// The HTML page a connection test (`POST /admin/identity-providers/{id}/test`) ends on: the
/// verified identity, or why the response was refused, and every verification check with the
/// values it compared. No session is created by a test.
public struct SAMLConnectionTestPage: Sendable {
    /// What the test found.
    public struct Report: Sendable {
        /// The verified identity, when every check passed.
        public let login: Login?
        /// The refusal, when a check failed.
        public let error: SAMLError?
        /// Every check that ran, in order (a refused response ends with the failing one).
        public let checks: [VerificationDiagnostic]
        /// The HTTP status the page is sent with (200 verified, else the refusal's status).
        public let status: Int
    }

    /// Renders the page's HTML. Pages are served with `default-src 'none'; style-src 'unsafe-inline'`.
    public var render: @Sendable (Report) -> String

    /// A page rendered by `render`.
    public init(render: @escaping @Sendable (Report) -> String) {
        self.render = render
    }

    /// The result, the identity (NameID, issuer, every attribute) and the checks as tables. The
    /// refusal's reason is shown: the test is run by an administrator diagnosing the connection.
    public static let standard = SAMLConnectionTestPage { report in
        let e: (String) -> String = { HTMLEscaping.escape($0) }
        var body = ""
        if let login = report.login {
            body += "<h1>Connection test: login verified</h1>\n"
            body += "<p id=\"result\" class=\"passed\">Every check passed. No session was created.</p>\n<table id=\"identity\">\n"
            var rows: [(String, String, String)] = [("issuer", "Identity provider", login.issuer), ("name-id", "NameID", login.nameID.value),
                        ("name-id-format", "NameID format", login.nameID.format?.rawValue ?? "—"), ("email", "E-mail", login.email ?? "—"),
                        ("session-index", "Session index", login.sessionIndex ?? "—"),
                        ("authn-context", "Authentication context", login.authnContextClassRef ?? "—")]
            for attribute in login.attributes {
                rows.append(("", attribute.name, attribute.values.joined(separator: ", ")))
            }
            for (id, label, value) in rows {
                let attribute = id.isEmpty ? " class=\"attribute\"" : " id=\"\(id)\""
                body += "<tr><th>\(e(label))</th><td\(attribute)>\(e(value))</td></tr>\n"
            }
            body += "</table>\n"
        } else if let error = report.error {
            body += "<h1>Connection test: the login was refused</h1>\n"
            body += "<p id=\"result\" class=\"failed\"><code id=\"error-code\">\(e(error.code.description))</code>: <span id=\"error-reason\">\(e(error.reason))</span></p>\n"
        }
        if !report.checks.isEmpty {
            body += "<h2>Checks</h2>\n<table id=\"trace\">\n"
            for check in report.checks {
                let facts = check.facts.map { e($0.description) } + (check.error.map { [e("\($0.code): \($0.reason)")] } ?? [])
                body += "<tr class=\"\(check.passed ? "passed" : "failed")\"><th>\(check.passed ? "✔" : "✘") \(e(check.check.name))</th><td>\(facts.joined(separator: "<br>"))</td></tr>\n"
            }
            body += "</table>\n"
        }
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8"><meta name="referrer" content="no-referrer"><title>Connection test</title>
            <style>body { font-family: system-ui, sans-serif; margin: 2rem; } th, td { text-align: left; padding: .2rem .6rem; vertical-align: top; } .failed { color: #a40000; }</style></head>
            <body>
            \(body)</body>
            </html>

            """
    }
}
