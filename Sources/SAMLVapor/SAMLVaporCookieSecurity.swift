#if Vapor
import SAMLCore
import Vapor

/// The attributes of the cookies the SAML routes set (login and logout state).
///
/// The IdP returns the browser with a cross-site POST, so over https the state cookies must be
/// `SameSite=None; Secure` to come back with it. Plain http can only use `SameSite=Lax`, which
/// works when the IdP and the app are the same site — a demo on loopback.
public struct SAMLVaporCookieSecurity: Sendable, Hashable {
    enum Mode: Hashable {
        case automatic
        case crossSiteSecure
        case plainHTTPLoopback
    }

    let mode: Mode

    /// From the ACS URLs: https gives ``crossSiteSecure``; http on a loopback host gives
    /// ``plainHTTPLoopback``; http elsewhere is refused.
    public static let automatic = SAMLVaporCookieSecurity(mode: .automatic)
    /// `Secure; SameSite=None; HttpOnly` (https).
    public static let crossSiteSecure = SAMLVaporCookieSecurity(mode: .crossSiteSecure)
    /// `SameSite=Lax; HttpOnly`, not `Secure` (plain http on loopback).
    public static let plainHTTPLoopback = SAMLVaporCookieSecurity(mode: .plainHTTPLoopback)

    /// Whether cookies carry `Secure`.
    public var isSecure: Bool { mode != .plainHTTPLoopback }

    /// Resolves ``automatic`` for the given ACS URLs.
    func resolved(for acsURLs: [String]) throws -> SAMLVaporCookieSecurity {
        guard mode == .automatic else { return self }
        let parts = acsURLs.compactMap(AbsoluteURL.init)
        guard parts.count == acsURLs.count, !parts.isEmpty else {
            throw SAMLError(.invalidConfiguration, "The ACS URLs must be absolute http(s) URLs.")
        }
        if parts.allSatisfy({ $0.scheme == "https" }) { return .crossSiteSecure }
        if parts.allSatisfy({ $0.scheme == "http" && $0.isLoopback }) { return .plainHTTPLoopback }
        throw SAMLError(.invalidConfiguration, "Plain-http ACS URLs are accepted on loopback only (127.0.0.1, localhost, ::1); serve \(acsURLs.joined(separator: ", ")) over https.")
    }

    /// A cookie value with these attributes.
    func cookie(_ value: String, maxAge: Int, path: String) -> HTTPCookies.Value {
        let cookiePath = path.isEmpty ? "/" : path
        switch mode {
        case .plainHTTPLoopback:
            return HTTPCookies.Value(string: value, maxAge: maxAge, path: cookiePath, isSecure: false, isHTTPOnly: true, sameSite: .lax)
        case .automatic, .crossSiteSecure:
            return HTTPCookies.Value(string: value, maxAge: maxAge, path: cookiePath, isSecure: true, isHTTPOnly: true, sameSite: HTTPCookies.SameSitePolicy.none)
        }
    }
}

/// Scheme, authority and path of an absolute http(s) URL (enough for origins and path checks).
struct AbsoluteURL {
    let scheme: String
    let authority: String
    let path: String

    init?(_ url: String) {
        let lower = url.lowercased()
        if lower.hasPrefix("https://") { scheme = "https" } else if lower.hasPrefix("http://") { scheme = "http" } else { return nil }
        let rest = url.dropFirst(scheme.count + 3)
        let authorityPart = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard !authorityPart.isEmpty, !authorityPart.contains("@") else { return nil }
        authority = authorityPart.lowercased()
        let pathPart = rest.dropFirst(authorityPart.count).prefix { $0 != "?" && $0 != "#" }
        path = pathPart.isEmpty ? "/" : String(pathPart)
    }

    /// `scheme://host[:port]`.
    var origin: String { scheme + "://" + authority }

    /// Whether the host is this machine.
    var isLoopback: Bool {
        let host = authority.hasPrefix("[") ? String(authority.dropFirst().prefix { $0 != "]" }) : String(authority.prefix { $0 != ":" })
        return host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}
#endif
