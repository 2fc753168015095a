#if Hummingbird
import Hummingbird
import SAMLCore

/// The attributes of the cookies the SAML routes set.
///
/// The IdP returns the browser with a cross-site POST, so over https the login state cookie must
/// be `SameSite=None; Secure` to come back with it. Plain http can only use `SameSite=Lax`, which
/// works when the IdP and the app are the same site — a demo on loopback.
public struct SAMLCookieSecurity: Sendable, Hashable {
    enum Mode: Hashable {
        case automatic
        case crossSiteSecure
        case plainHTTPLoopback
    }

    let mode: Mode

    /// From the ACS URLs: https gives ``crossSiteSecure``; http on a loopback host gives
    /// ``plainHTTPLoopback``; http elsewhere is refused.
    public static let automatic = SAMLCookieSecurity(mode: .automatic)
    /// `Secure; SameSite=None; HttpOnly` (https).
    public static let crossSiteSecure = SAMLCookieSecurity(mode: .crossSiteSecure)
    /// `SameSite=Lax; HttpOnly`, not `Secure` (plain http on loopback).
    public static let plainHTTPLoopback = SAMLCookieSecurity(mode: .plainHTTPLoopback)

    /// Whether cookies carry `Secure`.
    public var isSecure: Bool { mode != .plainHTTPLoopback }

    /// Resolves ``automatic`` for the given ACS URLs.
    func resolved(for acsURLs: [String]) throws -> SAMLCookieSecurity {
        guard mode == .automatic else { return self }
        let parts = acsURLs.compactMap(URLParts.init)
        guard parts.count == acsURLs.count, !parts.isEmpty else {
            throw SAMLError(.invalidConfiguration, "The ACS URLs must be absolute http(s) URLs.")
        }
        if parts.allSatisfy({ $0.scheme == "https" }) { return .crossSiteSecure }
        if parts.allSatisfy({ $0.scheme == "http" && $0.isLoopback }) { return .plainHTTPLoopback }
        throw SAMLError(.invalidConfiguration, "Plain-http ACS URLs are accepted on loopback only (127.0.0.1, localhost, ::1); serve \(acsURLs.joined(separator: ", ")) over https.")
    }

    /// A cookie with these attributes.
    func cookie(name: String, value: String, maxAge: Int, path: String) -> Cookie {
        let cookiePath = path.isEmpty ? "/" : path
        switch mode {
        case .plainHTTPLoopback:
            return Cookie(name: name, value: value, maxAge: maxAge, path: cookiePath, secure: false, httpOnly: true, sameSite: .lax)
        case .automatic, .crossSiteSecure:
            return Cookie(name: name, value: value, maxAge: maxAge, path: cookiePath, secure: true, httpOnly: true, sameSite: .none)
        }
    }
}
#endif
