#if Vapor
public import SAMLCore
import SAMLLogin
public import Vapor

/// The HTML page a refused or impossible login or logout shows.
///
/// ``standard`` tells the user only that signing in failed, with a correlation ID to quote and a
/// link to try again; the code and reason go to `req.logger` under the same ID. A custom page
/// receives the whole ``Failure`` and decides what to show.
public struct SAMLVaporErrorPage: Sendable {
    /// What went wrong, for the page.
    public struct Failure: Sendable {
        /// The ID logged with the code and reason (`saml.correlation_id`).
        public let correlationID: String
        /// The error's stable code.
        public let code: SAMLError.Code
        /// The error's reason (for logs; show it only where users may see internals).
        public let reason: String
        /// The HTTP status the page is sent with.
        public let status: HTTPResponseStatus
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
    public static let standard = SAMLVaporErrorPage { failure in
        SignInFailurePage.html(correlationID: failure.correlationID, retryPath: failure.retryPath)
    }

    /// Escapes text for HTML content and quoted attribute values.
    public static func escapeHTML(_ text: String) -> String {
        HTMLEscaping.escape(text)
    }
}

/// A refused or impossible login or logout, as Vapor's `AbortError`: its status is 403 (500 when
/// the configuration or the library is at fault, 400 for a malformed request), its `reason` is
/// generic (the correlation ID only), and as a response it renders the ``SAMLVaporErrorPage``
/// with `Cache-Control: no-store` and clears the SAML state cookies. It never carries a session.
public struct SAMLVaporFailure: AbortError, AsyncResponseEncodable {
    /// The underlying error (its code and reason were logged).
    public let error: SAMLError
    /// The ID shown to the user and logged with the reason.
    public let correlationID: String
    let retryPath: String
    let page: SAMLVaporErrorPage
    let clearCookies: [(String, HTTPCookies.Value)]

    init(error: SAMLError, correlationID: String, retryPath: String, page: SAMLVaporErrorPage,
         clearCookies: [(String, HTTPCookies.Value)]) {
        self.error = error
        self.correlationID = correlationID
        self.retryPath = retryPath
        self.page = page
        self.clearCookies = clearCookies
    }

    /// 500 for configuration and library failures, 400 for a malformed request, else 403.
    public var status: HTTPResponseStatus {
        switch error.code {
        case .invalidConfiguration, .libraryFailure: .internalServerError
        case .invalidRequest, .invalidEncoding, .tooLarge: .badRequest
        default: .forbidden
        }
    }

    /// A generic reason: the details are in the log under ``correlationID``.
    public var reason: String { "Sign-in failed (reference \(correlationID))." }

    /// `Cache-Control: no-store`.
    public var headers: HTTPHeaders { ["Cache-Control": "no-store"] }

    /// The error page.
    public func encodeResponse(for request: Request) async throws -> Response {
        let failure = SAMLVaporErrorPage.Failure(correlationID: correlationID, code: error.code, reason: error.reason,
                                                 status: status, retryPath: retryPath)
        var headers: HTTPHeaders = [
            "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store",
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'",
        ]
        headers.contentType = .html
        let response = Response(status: status, headers: headers, body: .init(string: page.render(failure)))
        for (name, cookie) in clearCookies { response.cookies[name] = cookie }
        return response
    }
}
#endif
