/// Which return-to locations a login may land on after the ACS: the open-redirect defence.
///
/// A relative path (`/inbox?tab=2`) is always allowed; an absolute URL only when its origin
/// (scheme, host and port) is listed in ``allowedOrigins``. Scheme-relative (`//evil.example`),
/// backslash (`/\evil.example`), `javascript:` and other schemes, control characters, and values
/// longer than ``maximumLength`` are refused and replaced by ``defaultPath``.
public struct ReturnToPolicy: Sendable, Hashable, Codable {
    /// Origins such as `https://app.example.com` that absolute return-to URLs may point at.
    public var allowedOrigins: [String]
    /// Where a login lands when no (acceptable) return-to was given. Default `/`.
    public var defaultPath: String
    /// The longest return-to accepted, in bytes. Default 2048.
    public var maximumLength: Int

    /// Creates a policy.
    public init(allowedOrigins: [String] = [], defaultPath: String = "/", maximumLength: Int = 2048) {
        self.allowedOrigins = allowedOrigins
        self.defaultPath = defaultPath
        self.maximumLength = maximumLength
    }

    /// `candidate` if it is a safe place to send the browser, else nil.
    public func validate(_ candidate: String?) -> String? {
        guard let candidate, !candidate.isEmpty, candidate.utf8.count <= maximumLength else { return nil }
        if candidate.utf8.allSatisfy({ $0 < 0x80 }) {
            // ASCII holds no format characters and no whitespace beyond these
            if candidate.utf8.contains(where: { $0 < 0x21 || $0 == 0x7F || $0 == UInt8(ascii: "\\") }) { return nil }
        } else {
            for scalar in candidate.unicodeScalars {
                // control characters, backslash, and whitespace have no place in a return-to
                if scalar.value < 0x21 || scalar.value == 0x7F || scalar == "\\" || (0x80...0x9F).contains(scalar.value)
                    || scalar.properties.isWhitespace || scalar.properties.generalCategory == .format {
                    return nil
                }
            }
        }
        if candidate.hasPrefix("/") {
            // "//host" is scheme-relative: another origin
            return candidate.hasPrefix("//") ? nil : candidate
        }
        guard let origin = Self.origin(of: candidate) else { return nil }
        return allowedOrigins.contains(where: { Self.normalisedOrigin($0) == origin }) ? candidate : nil
    }

    /// The return-to to use: `candidate` when valid, else ``defaultPath``.
    public func resolve(_ candidate: String?) -> String {
        validate(candidate) ?? defaultPath
    }

    /// `scheme://host[:port]` of an absolute http(s) URL, lower-cased, default ports dropped.
    static func origin(of url: String) -> String? {
        let lower = url.lowercased()
        let scheme: String
        if lower.hasPrefix("https://") { scheme = "https" } else if lower.hasPrefix("http://") { scheme = "http" } else { return nil }
        let rest = lower.dropFirst(scheme.count + 3)
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard !authority.isEmpty, !authority.contains("@") else { return nil }
        var host = String(authority)
        if scheme == "https", host.hasSuffix(":443") { host.removeLast(4) }
        if scheme == "http", host.hasSuffix(":80") { host.removeLast(3) }
        return scheme + "://" + host
    }

    static func normalisedOrigin(_ origin: String) -> String? {
        var text = origin
        while text.hasSuffix("/") { text.removeLast() }
        return Self.origin(of: text)
    }
}
