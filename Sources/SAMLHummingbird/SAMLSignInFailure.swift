#if Hummingbird
public import Hummingbird
public import SAMLCore

/// A login that was refused or could not start, as Hummingbird's error type: thrown by the SAML
/// routes, it renders the ``SAMLErrorPage`` with status 403 (500 when the configuration or the
/// library is at fault, 400 for a malformed request), `Cache-Control: no-store`, and clears the
/// login state cookie. It never sets a session.
public struct SAMLSignInFailure: HTTPResponseError {
    /// The underlying error (its code and reason were logged).
    public let error: SAMLError
    /// The ID shown to the user and logged with the reason.
    public let correlationID: String
    let retryPath: String
    let page: SAMLErrorPage
    let clearCookies: [Cookie]

    init(error: SAMLError, correlationID: String, retryPath: String, page: SAMLErrorPage, clearCookies: [Cookie]) {
        self.error = error
        self.correlationID = correlationID
        self.retryPath = retryPath
        self.page = page
        self.clearCookies = clearCookies
    }

    /// 500 for configuration and library failures, 400 for a malformed request, else 403.
    public var status: HTTPResponse.Status {
        switch error.code {
        case .invalidConfiguration, .libraryFailure: .internalServerError
        case .invalidRequest, .invalidEncoding, .tooLarge: .badRequest
        default: .forbidden
        }
    }

    /// The error page.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let failure = SAMLErrorPage.Failure(correlationID: correlationID, code: error.code, reason: error.reason,
                                            status: Int(status.code), retryPath: retryPath)
        var response = Response(status: status, headers: [
            .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
            .contentSecurityPolicy: "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'",
        ], body: ResponseBody(byteBuffer: ByteBuffer(string: page.render(failure))))
        for cookie in clearCookies { response.setCookie(cookie) }
        return response
    }
}
#endif
