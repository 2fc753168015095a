import Foundation
import SAMLCore
import SAMLXMLSec

/// How an HTTP-POST binding page submits itself under its Content-Security-Policy (the choice the
/// framework integrations offer).
public enum PostFormScript: Sendable, Hashable {
    /// A script served by the app at a URL of its own (`script-src 'self'`). The default.
    case externalScript
    /// An inline script carrying a fresh nonce per response (`script-src 'nonce-…'`).
    case inlineWithNonce
    /// No script: the user presses the Continue button (`script-src 'none'`).
    case none
}

extension PostForm {
    /// The page with `script`, and the Content-Security-Policy that allows exactly that script and
    /// posting only to the form's own origin.
    ///
    /// - Parameters:
    ///   - script: how the page submits itself.
    ///   - scriptURL: where the app serves ``autoSubmitScript`` (for `.externalScript`).
    public func page(script: PostFormScript, scriptURL: String) -> (html: String, contentSecurityPolicy: String) {
        let submission: Submission
        let scriptSource: String
        switch script {
        case .externalScript:
            submission = .externalScript(src: scriptURL)
            scriptSource = "'self'"
        case .inlineWithNonce:
            let nonce = SignInFailurePage.randomHex(16)
            submission = .inlineScript(nonce: nonce)
            scriptSource = "'nonce-\(nonce)'"
        case .none:
            submission = .button
            scriptSource = "'none'"
        }
        let formTarget = ReturnToPolicy.origin(of: action) ?? "'none'"
        let policy = "default-src 'none'; script-src \(scriptSource); form-action \(formTarget); base-uri 'none'; frame-ancestors 'none'"
        return (html(submission: submission), policy)
    }
}

/// The page a refused login shows by default in the framework integrations: "Sign-in failed", a
/// correlation ID the log carries with the code and reason, and a link to try again.
public enum SignInFailurePage {
    /// The page's HTML (values escaped).
    public static func html(correlationID: String, retryPath: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head><meta charset="utf-8"><title>Sign-in failed</title></head>
        <body>
        <h1>Sign-in failed</h1>
        <p>We could not sign you in. If this keeps happening, contact support and quote this reference:
        <code id="correlation-id">\(HTMLEscaping.escape(correlationID))</code></p>
        <p><a href="\(HTMLEscaping.escape(retryPath))">Try again</a></p>
        </body>
        </html>

        """
    }

    /// A new random correlation ID (16 hex digits).
    public static func newCorrelationID() -> String { randomHex(8) }

    /// `count` random bytes as hex; a UUID's random bits should the system generator fail.
    static func randomHex(_ count: Int) -> String {
        if let bytes = try? Crypto.randomBytes(count) { return bytes.hex }
        return String(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(count * 2))
    }
}
