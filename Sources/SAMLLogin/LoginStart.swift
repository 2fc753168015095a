import SAMLCore
public import Foundation

/// What the app sends the browser to start a login, and what it must keep for the ACS.
public struct LoginStart: Sendable {
    /// How the request travels to the IdP.
    public enum Action: Sendable {
        /// Answer with a `302`/`303` to this URL (HTTP-Redirect binding).
        case redirect(url: String)
        /// Answer with this page, which posts the request to the IdP (HTTP-POST binding).
        case post(PostForm)
    }

    /// The redirect or the form.
    public let action: Action
    /// The value to keep in the browser until the ACS, typically as the cookie named
    /// ``SAMLServiceProvider/stateCookieName`` (`HttpOnly`, `Secure`, `SameSite=None` over https so
    /// it survives the IdP's cross-site POST). It is integrity-protected: the app need not guard it.
    public let browserState: String
    /// When ``browserState`` stops being accepted; a good cookie expiry.
    public let expiresAt: Date
    /// The AuthnRequest's ID (for logs and diagnostics).
    public let requestID: String
    /// The IdP the request goes to.
    public let identityProvider: String
}

/// An HTML page that posts SAML form fields to another site (the HTTP-POST binding), working
/// under a strict Content-Security-Policy.
///
/// ``html(submission:)`` renders it: without script (the user presses a visible button), with an
/// inline script carrying your CSP nonce, or with an external script URL you serve. Every value
/// is HTML-escaped.
public struct PostForm: Sendable, Hashable {
    /// How the page submits itself.
    public enum Submission: Sendable, Hashable {
        /// No script at all: a visible button the user presses.
        case button
        /// An inline script with this CSP nonce (`script-src 'nonce-…'`) submits on load; the button stays as fallback.
        case inlineScript(nonce: String)
        /// A script at this URL (e.g. `/saml/autosubmit.js` serving ``PostForm/autoSubmitScript``) submits on load.
        case externalScript(src: String)
    }

    /// Where the form posts.
    public let action: String
    /// The fields, in order (`SAMLRequest` or `SAMLResponse`, then `RelayState`).
    public let fields: [(name: String, value: String)]

    /// Creates a form.
    public init(action: String, fields: [(name: String, value: String)]) {
        self.action = action
        self.fields = fields
    }

    /// The script to serve for ``Submission/externalScript(src:)``.
    public static let autoSubmitScript = "document.addEventListener('DOMContentLoaded',function(){var f=document.getElementById('saml-post');if(f){f.submit();}});\n"

    /// The page.
    public func html(submission: Submission = .button) -> String {
        var page = """
        <!DOCTYPE html>
        <html lang="en">
        <head><meta charset="utf-8"><meta name="referrer" content="no-referrer"><title>Signing in…</title></head>
        <body>
        <form id="saml-post" method="post" action="\(Self.escape(action))">

        """
        for field in fields {
            page += "<input type=\"hidden\" name=\"\(Self.escape(field.name))\" value=\"\(Self.escape(field.value))\">\n"
        }
        page += "<p>Continue to sign in.</p>\n<button type=\"submit\">Continue</button>\n</form>\n"
        switch submission {
        case .button:
            break
        case .inlineScript(let nonce):
            page += "<script nonce=\"\(Self.escape(nonce))\">document.getElementById('saml-post').submit();</script>\n"
        case .externalScript(let src):
            page += "<script src=\"\(Self.escape(src))\"></script>\n"
        }
        page += "</body>\n</html>\n"
        return page
    }

    /// HTML-escapes text for element content and quoted attribute values.
    static func escape(_ text: String) -> String {
        HTMLEscaping.escape(text)
    }

    public static func == (lhs: PostForm, rhs: PostForm) -> Bool {
        lhs.action == rhs.action && lhs.fields.map(\.name) == rhs.fields.map(\.name) && lhs.fields.map(\.value) == rhs.fields.map(\.value)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(action)
        for field in fields { hasher.combine(field.name); hasher.combine(field.value) }
    }
}
