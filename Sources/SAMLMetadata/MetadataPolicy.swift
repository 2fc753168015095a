public import Foundation
import SAMLCore

/// The rules metadata is read under: the clock its `validUntil` is checked against and which
/// endpoint schemes are accepted.
public struct MetadataPolicy: Sendable, Hashable {
    /// The instant `validUntil` is compared with; nil means the current time when the metadata is read.
    public var now: Date?
    /// Whether `http:` single sign-on and logout locations are accepted (default false: `https:` only).
    /// Any other scheme (`javascript:`, `data:`, `file:`…) is always refused.
    public var allowHTTPEndpoints: Bool

    /// Creates a policy.
    ///
    /// - Parameters:
    ///   - now: the instant for `validUntil` checks (nil: the current time).
    ///   - allowHTTPEndpoints: accept `http:` endpoint locations (tests on loopback, closed networks).
    public init(now: Date? = nil, allowHTTPEndpoints: Bool = false) {
        self.now = now
        self.allowHTTPEndpoints = allowHTTPEndpoints
    }

    /// The instant to check `validUntil` against.
    public var currentDate: Date { now ?? Date() }

    /// `https:` endpoints only, checked against the current time.
    public static let `default` = MetadataPolicy()

    /// Refuses an endpoint location whose scheme is not `https` (or `http` when allowed), or that
    /// names no host. `what` describes the endpoint in the error.
    public func checkEndpoint(_ location: String, what: String) throws {
        let trimmed = location.trimmingCharacters(in: .whitespacesAndNewlines)
        let scheme = trimmed.firstIndex(of: ":").map { trimmed[..<$0].lowercased() }
        let allowed = scheme == "https" || (scheme == "http" && allowHTTPEndpoints)
        guard allowed, trimmed == location, let components = URLComponents(string: location),
              let host = components.host, !host.isEmpty else {
            let shown = location.count > 80 ? String(location.prefix(80)) + "…" : location
            let hint = scheme == "http" ? " (http: is accepted only when the policy allows HTTP endpoints)" : ""
            throw SAMLError(.unsafeEndpoint, "The \(what) location \"\(shown)\" is not an https: URL with a host\(hint); it would be used as a redirect or form target.")
        }
    }
}
