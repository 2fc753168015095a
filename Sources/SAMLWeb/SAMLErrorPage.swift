public import SAMLCore
import SAMLLogin

/// The HTML page a refused or impossible login or logout shows.
///
/// ``standard`` tells the user only that signing in failed, with a correlation ID to quote and a
/// link to try again; the code and reason go to the request's log under the same ID. A custom
/// page receives the whole ``Failure`` and decides what to show (a local demo may show the reason).
public struct SAMLErrorPage: Sendable {
    /// What went wrong, for the page.
    public struct Failure: Sendable {
        /// The ID logged with the code and reason (`saml.correlation_id`).
        public let correlationID: String
        /// The error's stable code.
        public let code: SAMLError.Code
        /// The error's reason (for logs; show it only where users may see internals).
        public let reason: String
        /// The HTTP status the page is sent with.
        public let status: Int
        /// The path that starts a new login.
        public let retryPath: String
    }

    /// Renders the page's HTML. Pages are served with `default-src 'none'; style-src 'unsafe-inline'`.
    public var render: @Sendable (Failure) -> String

    /// A page rendered by `render`.
    public init(render: @escaping @Sendable (Failure) -> String) {
        self.render = render
    }

    /// "Sign-in failed", the correlation ID and a link to try again.
    public static let standard = SAMLErrorPage { failure in
        SignInFailurePage.html(correlationID: failure.correlationID, retryPath: failure.retryPath)
    }

    /// Escapes text for HTML content and quoted attribute values.
    public static func escapeHTML(_ text: String) -> String {
        HTMLEscaping.escape(text)
    }

    /// The status a refusal is answered with: 500 when the configuration or the library is at
    /// fault, 400 for a malformed request, else 403.
    public static func status(for code: SAMLError.Code) -> Int {
        switch code {
        case .invalidConfiguration, .libraryFailure: 500
        case .invalidRequest, .invalidEncoding, .tooLarge: 400
        default: 403
        }
    }
}
