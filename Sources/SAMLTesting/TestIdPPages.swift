import SAMLCore

/// HTML pages for a test identity provider served over HTTP, framework-free: a user picker for
/// a received AuthnRequest, and the HTTP-POST page that carries the response to the SP.
///
/// Every value is HTML-escaped. The pages work without script and without inline styles or
/// handlers; with a `nonce`, a `<style>` (and, on the POST page, an auto-submit `<script>`)
/// carry it, to pair with ``contentSecurityPolicy(nonce:formActions:)``.
public enum TestIdPPages {
    /// The form field the user picker's buttons submit: the chosen user's NameID.
    public static let userField = "user"

    /// A page listing `users` as submit buttons (each posts ``userField`` = the user's NameID
    /// to `action`), with the request's details and `hiddenFields` (for example the received
    /// `SAMLRequest` and `RelayState`, or a key to server-side state) carried along.
    public static func userPicker(for request: ReceivedAuthnRequest, users: [TestUser], action: String,
                                  hiddenFields: [(name: String, value: String)] = [], nonce: String? = nil) -> String {
        var html = head(title: "Test identity provider: choose a user", nonce: nonce)
        html += "<main>\n<h1>Test identity provider</h1>\n"
        html += "<p class=\"warning\">For tests and demos only: it signs in whoever you pick, with demo keys.</p>\n"
        html += "<dl>\n"
        html += "<dt>Service provider</dt><dd id=\"sp\">\(escape(request.issuer))</dd>\n"
        html += "<dt>Response goes to</dt><dd id=\"acs\">\(escape(request.acsURL))</dd>\n"
        html += "<dt>Request</dt><dd id=\"request\">\(escape(request.id)) (\(escape(request.binding.description)), \(request.signatureVerified ? "signature verified" : "unsigned"))</dd>\n"
        if let format = request.nameIDFormat { html += "<dt>NameID format</dt><dd>\(escape(format.rawValue))</dd>\n" }
        html += "</dl>\n"
        html += "<form method=\"post\" action=\"\(escape(action))\">\n"
        for field in hiddenFields {
            html += "<input type=\"hidden\" name=\"\(escape(field.name))\" value=\"\(escape(field.value))\">\n"
        }
        html += "<ul class=\"users\">\n"
        for user in users {
            html += "<li><button type=\"submit\" name=\"\(userField)\" value=\"\(escape(user.nameID))\">\(escape(user.label))</button>\n"
            if !user.attributes.isEmpty {
                html += "<ul class=\"attributes\">"
                for attribute in user.attributes {
                    html += "<li>\(escape(attribute.name)) = \(escape(attribute.values.joined(separator: ", ")))</li>"
                }
                html += "</ul>\n"
            }
            html += "</li>\n"
        }
        html += "</ul>\n</form>\n</main>\n</body>\n</html>\n"
        return html
    }

    /// The HTTP-POST binding page: a form posting `SAMLResponse` (and `RelayState`) to `action`
    /// with a visible Continue button; with `nonce`, a script carrying that nonce submits it.
    public static func postForm(action: String, samlResponse: String, relayState: String?, nonce: String? = nil) -> String {
        var html = head(title: "Signing in", nonce: nonce)
        html += "<main>\n<form method=\"post\" action=\"\(escape(action))\">\n"
        html += "<input type=\"hidden\" name=\"SAMLResponse\" value=\"\(escape(samlResponse))\">\n"
        if let relayState {
            html += "<input type=\"hidden\" name=\"RelayState\" value=\"\(escape(relayState))\">\n"
        }
        html += "<p>Signing you in to \(escape(action))</p>\n"
        html += "<button type=\"submit\" id=\"continue\">Continue</button>\n</form>\n</main>\n"
        if let nonce {
            html += "<script nonce=\"\(escape(nonce))\">document.forms[0].submit();</script>\n"
        }
        html += "</body>\n</html>\n"
        return html
    }

    /// A Content-Security-Policy for these pages: nothing loads, style and script only with
    /// `nonce` (none at all without one), forms post only to `formActions` (origins or URLs,
    /// e.g. the ACS URL) and to this page's origin.
    public static func contentSecurityPolicy(nonce: String?, formActions: [String] = []) -> String {
        let inline = nonce.map { "'nonce-\($0)'" } ?? "'none'"
        let actions = (["'self'"] + formActions).joined(separator: " ")
        return "default-src 'none'; style-src \(inline); script-src \(inline); form-action \(actions); base-uri 'none'; frame-ancestors 'none'"
    }

    static func head(title: String, nonce: String?) -> String {
        var html = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        html += "<title>\(escape(title))</title>\n"
        if let nonce {
            html += """
            <style nonce="\(escape(nonce))">
            body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 42rem; padding: 0 1rem; }
            .warning { color: #8a4b00; }
            dt { font-weight: bold; } dd { margin: 0 0 .5rem 0; word-break: break-all; }
            ul.users { list-style: none; padding: 0; } ul.users > li { margin: 0 0 1rem 0; }
            button { font-size: 1rem; padding: .4rem .8rem; cursor: pointer; }
            ul.attributes { font-size: .85rem; color: #444; }
            </style>

            """
        }
        html += "</head>\n<body>\n"
        return html
    }

    /// Escapes text for HTML content and double-quoted attribute values.
    static func escape(_ text: String) -> String {
        HTMLEscaping.escape(text)
    }
}
