import SAMLCore

/// Scheme, authority and path of an absolute http(s) URL, read without Foundation's URL parser
/// quirks (enough for origins and path comparisons).
struct URLParts: Sendable, Hashable {
    let scheme: String
    let authority: String
    let path: String

    init?(_ url: String) {
        let lower = url.lowercased()
        if lower.hasPrefix("https://") { scheme = "https" } else if lower.hasPrefix("http://") { scheme = "http" } else { return nil }
        let rest = url.dropFirst(scheme.count + 3)
        let authorityPart = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard !authorityPart.isEmpty, !authorityPart.contains("@") else { return nil }
        var authority = authorityPart.lowercased()
        if scheme == "https", authority.hasSuffix(":443") { authority.removeLast(4) }
        if scheme == "http", authority.hasSuffix(":80") { authority.removeLast(3) }
        self.authority = authority
        let pathPart = rest.dropFirst(authorityPart.count).prefix { $0 != "?" && $0 != "#" }
        path = pathPart.isEmpty ? "/" : String(pathPart)
    }

    /// `scheme://host[:port]`, default ports dropped.
    var origin: String { scheme + "://" + authority }

    /// The host without port or IPv6 brackets.
    var host: String {
        if authority.hasPrefix("[") { return String(authority.dropFirst().prefix { $0 != "]" }) }
        return String(authority.prefix { $0 != ":" })
    }

    /// Whether the host is this machine.
    var isLoopback: Bool {
        LoopbackHost.contains(host)
    }
}
