public import Logging
import SAMLCore

/// An HTTP request as the web layer reads it, whatever the framework: the integrations copy the
/// framework's request into this value, unparsed.
public struct SAMLWebRequest: Sendable {
    /// The HTTP method.
    public enum Method: String, Sendable, Hashable {
        /// `GET` (and `HEAD`, which the integrations answer as `GET`).
        case get = "GET"
        /// `POST`.
        case post = "POST"
        /// `PUT`.
        case put = "PUT"
        /// `DELETE`.
        case delete = "DELETE"
        /// `PATCH`.
        case patch = "PATCH"
    }

    /// The method.
    public var method: Method
    /// The path, percent-escapes left as received (`/saml/acs`).
    public var path: String
    /// The query string exactly as received, without `?` (the redirect binding's signature covers
    /// these octets), or nil when the URL has none.
    public var rawQuery: String?
    /// The body as received, up to the router's ``SAMLWebRouter/maximumBodyBytes``.
    public var body: [UInt8]
    /// Whether the body was longer than the limit (``body`` then holds nothing).
    public var bodyTooLarge: Bool
    /// Every header as received, in order; names compare case-insensitively.
    public var headers: [(name: String, value: String)]
    /// Every cookie of every `Cookie` header, in order, repeated names kept (the rules refuse a
    /// request carrying a cookie of theirs twice).
    public var cookies: [(name: String, value: String)]
    /// Where the routes log (the framework's request logger).
    public var logger: Logger
    /// The values of the path pattern's `{name}` segments, set by the router.
    public var pathParameters: [String: String] = [:]

    /// A request; `cookies` are read from the `Cookie` headers.
    public init(method: Method, path: String, rawQuery: String?, headers: [(name: String, value: String)],
                body: [UInt8] = [], bodyTooLarge: Bool = false, logger: Logger = Logger(label: "saml.web")) {
        self.method = method
        self.path = path
        self.rawQuery = rawQuery.flatMap { $0.isEmpty ? nil : $0 }
        self.headers = headers
        self.body = body
        self.bodyTooLarge = bodyTooLarge
        self.logger = logger
        self.cookies = headers.filter { $0.name.lowercased() == "cookie" }.flatMap { Self.parseCookies($0.value) }
    }

    /// The value of header `name` (case-insensitive); several headers of that name are joined with `, `.
    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        let values = headers.filter { $0.name.lowercased() == lower }.map(\.value)
        return values.isEmpty ? nil : values.joined(separator: ", ")
    }

    /// The value of cookie `name`, nil when absent.
    ///
    /// - Throws: `SAMLError` `.invalidRequest` when the request carries the cookie more than once
    ///   (a sibling subdomain or an http page can plant a second one; which is read first differs
    ///   between servers, so neither is trusted).
    public func cookie(_ name: String) throws -> String? {
        let values = cookies.filter { $0.name == name }
        guard values.count <= 1 else {
            throw SAMLError(.invalidRequest, "The request carries \(values.count) cookies named \(name); a second one was planted by another site or page. Clear this site's cookies and try again.")
        }
        return values.first?.value
    }

    /// The query parameters, decoded strictly (see ``URLEncodedFields``).
    public func query() throws -> URLEncodedFields {
        try URLEncodedFields(rawQuery ?? "")
    }

    /// `name=value` pairs of a `Cookie` header (RFC 6265 §5.4: `; `-separated, values may be quoted).
    static func parseCookies(_ header: String) -> [(name: String, value: String)] {
        header.split(separator: ";").compactMap { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = parts[0].trimmingCharacters(in: " \t")
            guard !name.isEmpty else { return nil }
            var value = parts.count > 1 ? parts[1].trimmingCharacters(in: " \t") : ""
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            return (name, value)
        }
    }
}

extension Substring {
    func trimmingCharacters(in set: String) -> String {
        var slice = self[...]
        while let first = slice.first, set.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, set.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }
}
