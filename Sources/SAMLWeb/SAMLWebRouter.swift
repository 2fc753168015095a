/// A table of routes over neutral requests: the SAML endpoints (``SAMLWebRoutes``) and whatever
/// else an app or another module mounts beside them, served by any framework integration.
///
/// ```swift
/// var router = SAMLWebRouter<Context>()
/// saml.mount(on: &router)                                    // /saml/login, /saml/acs, …
/// router.add(.get, "/admin/identity-providers/{id}") { request, context in
///     SAMLWebResponse(status: 200, body: Array(request.pathParameters["id", default: ""].utf8))
/// }
/// ```
///
/// A pattern is a path whose segments are literal or `{name}` (one non-empty segment, its value
/// percent-decoded into ``SAMLWebRequest/pathParameters``). The integrations register every
/// pattern with the framework's own router, then hand matching requests to ``respond(to:context:)``.
public struct SAMLWebRouter<Context: Sendable>: Sendable {
    /// Answers a request that matched a route.
    public typealias Handler = @Sendable (SAMLWebRequest, Context) async throws -> SAMLWebResponse

    /// One route.
    public struct Route: Sendable {
        /// The method it answers.
        public let method: SAMLWebRequest.Method
        /// Its pattern, e.g. `/admin/identity-providers/{id}`.
        public let pattern: String
        /// The pattern's segments: a literal, or a parameter name.
        public let segments: [Segment]
        let handler: Handler
    }

    /// One segment of a pattern.
    public enum Segment: Sendable, Hashable {
        /// Matches exactly this text.
        case literal(String)
        /// Matches any one non-empty segment, recorded under this name.
        case parameter(String)
    }

    /// The routes, in the order they were added (the first match answers).
    public private(set) var routes: [Route] = []
    /// The largest body an integration collects for these routes, in bytes. Default 1 MiB; a
    /// longer body arrives with ``SAMLWebRequest/bodyTooLarge`` set.
    public var maximumBodyBytes: Int

    /// An empty router.
    public init(maximumBodyBytes: Int = 1 << 20) {
        self.maximumBodyBytes = maximumBodyBytes
    }

    /// Adds a route.
    public mutating func add(_ method: SAMLWebRequest.Method, _ pattern: String, handler: @escaping Handler) {
        let segments: [Segment] = pattern.split(separator: "/").map { part in
            part.hasPrefix("{") && part.hasSuffix("}") ? .parameter(String(part.dropFirst().dropLast())) : .literal(String(part))
        }
        routes.append(Route(method: method, pattern: pattern, segments: segments, handler: handler))
    }

    /// The route matching `method` and `path`, with its parameters; `HEAD` is matched as `GET`.
    public func match(_ method: SAMLWebRequest.Method, path: String) -> (route: Route, parameters: [String: String])? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        routes: for route in routes where route.method == method && route.segments.count == parts.count {
            var parameters: [String: String] = [:]
            for (segment, part) in zip(route.segments, parts) {
                switch segment {
                case .literal(let text):
                    guard part == text else { continue routes }
                case .parameter(let name):
                    guard !part.isEmpty, let value = Self.percentDecoded(part) else { continue routes }
                    parameters[name] = value
                }
            }
            return (route, parameters)
        }
        return nil
    }

    /// The answer of the matching route, or nil when no route matches (the integration answers 404).
    public func respond(to request: SAMLWebRequest, context: Context) async throws -> SAMLWebResponse? {
        guard let (route, parameters) = match(request.method, path: request.path) else { return nil }
        var request = request
        request.pathParameters = parameters
        return try await route.handler(request, context)
    }

    /// `%XX` escapes decoded; nil for a malformed escape or bytes that are not UTF-8.
    static func percentDecoded(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8)[...]
        while let byte = iterator.popFirst() {
            if byte == UInt8(ascii: "%") {
                let digits = Array(iterator.prefix(2))
                guard digits.count == 2, digits.allSatisfy({ $0 < 0x80 && Character(Unicode.Scalar($0)).isHexDigit }),
                      let value = UInt8(String(decoding: digits, as: UTF8.self), radix: 16) else { return nil }
                bytes.append(value)
                iterator = iterator.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }
}
