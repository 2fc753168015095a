public import Foundation
import SAMLCore

/// The rules metadata is read under: the clock its `validUntil` is checked against and which
/// endpoint schemes are accepted.
///
/// `https:` locations are always accepted, and so are `http:` locations on a loopback host
/// (127.0.0.0/8, `[::1]`, `localhost`; see `LoopbackHost`), which browsers treat as a secure context:
/// that is how a developer runs SimpleSAMLphp or Keycloak on their machine. `http:` elsewhere needs
/// ``allowHTTPEndpoints``.
public struct MetadataPolicy: Sendable, Hashable {
    /// The instant `validUntil` is compared with; nil means the current time when the metadata is read.
    public var now: Date?
    /// Whether `http:` single sign-on and logout locations on hosts other than loopback are accepted
    /// (default false: `https:`, or `http:` on loopback, only). Any other scheme (`javascript:`, `data:`,
    /// `file:`…) is always refused.
    public var allowHTTPEndpoints: Bool

    /// Creates a policy.
    ///
    /// - Parameters:
    ///   - now: the instant for `validUntil` checks (nil: the current time).
    ///   - allowHTTPEndpoints: accept `http:` endpoint locations on any host (closed networks); loopback
    ///     `http:` is accepted without it.
    public init(now: Date? = nil, allowHTTPEndpoints: Bool = false) {
        self.now = now
        self.allowHTTPEndpoints = allowHTTPEndpoints
    }

    /// The instant to check `validUntil` against.
    public var currentDate: Date { now ?? Date() }

    /// `https:` endpoints, and `http:` on loopback, checked against the current time.
    public static let `default` = MetadataPolicy()

    /// Whether an `http:` URL on `host` is accepted: always on loopback, elsewhere only with
    /// ``allowHTTPEndpoints``.
    public func allowsHTTP(host: String) -> Bool {
        allowHTTPEndpoints || LoopbackHost.contains(host)
    }

    /// Refuses an endpoint location whose scheme is not `https` (or `http` on loopback, or `http`
    /// anywhere when allowed), or that names no host. `what` describes the endpoint in the error.
    public func checkEndpoint(_ location: String, what: String) throws {
        let trimmed = location.trimmingCharacters(in: .whitespacesAndNewlines)
        let scheme = trimmed.firstIndex(of: ":").map { trimmed[..<$0].lowercased() }
        let components = trimmed == location ? URLComponents(string: location) : nil
        let host = components?.host.flatMap { $0.isEmpty ? nil : $0 }
        let allowed = scheme == "https" || (scheme == "http" && host.map(allowsHTTP(host:)) == true)
        guard allowed, host != nil else {
            let shown = location.count > 80 ? String(location.prefix(80)) + "…" : location
            let hint = scheme == "http"
                ? " (http: is accepted on loopback hosts, elsewhere only when HTTP endpoints are allowed: --allow-http, MetadataPolicy.allowHTTPEndpoints)"
                : ""
            throw SAMLError(.unsafeEndpoint, "The \(what) location \"\(shown)\" is not an https: URL with a host\(hint); it would be used as a redirect or form target.")
        }
    }
}
