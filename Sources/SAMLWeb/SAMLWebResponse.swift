/// An HTTP response as the web layer writes it, whatever the framework: the integrations copy
/// it into the framework's response unchanged.
public struct SAMLWebResponse: Sendable {
    /// The status code.
    public var status: Int
    /// Headers other than `Set-Cookie`, in order.
    public var headers: [(name: String, value: String)]
    /// The cookies to set (each one `Set-Cookie` header).
    public var cookies: [SAMLWebCookie]
    /// The body.
    public var body: [UInt8]

    /// A response.
    public init(status: Int, headers: [(name: String, value: String)] = [], cookies: [SAMLWebCookie] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.cookies = cookies
        self.body = body
    }

    /// A redirect (`303 See Other` by default, so a POST becomes a GET) to `location`, never cached.
    public static func redirect(to location: String, status: Int = 303) -> SAMLWebResponse {
        SAMLWebResponse(status: status, headers: [("Location", location), ("Cache-Control", "no-store")])
    }

    /// An HTML page under a Content-Security-Policy, never cached.
    public static func html(_ page: String, status: Int = 200,
                            contentSecurityPolicy: String = SAMLWebResponse.pageContentSecurityPolicy) -> SAMLWebResponse {
        SAMLWebResponse(status: status, headers: [
            ("Content-Type", "text/html; charset=utf-8"), ("Cache-Control", "no-store"),
            ("Content-Security-Policy", contentSecurityPolicy),
        ], body: Array(page.utf8))
    }

    /// The policy of the layer's own pages: no script, inline style, forms posting to this origin only.
    public static let pageContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

    /// The value of header `name` (case-insensitive), if set.
    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.last { $0.name.lowercased() == lower }?.value
    }

    /// Sets header `name`, replacing any value it had.
    public mutating func setHeader(_ name: String, _ value: String) {
        let lower = name.lowercased()
        headers.removeAll { $0.name.lowercased() == lower }
        headers.append((name, value))
    }

    /// The body as text.
    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}
