import SAMLCore

/// The attributes and names of the cookies the web layer sets (login and logout state, and the
/// cookie session).
///
/// The IdP returns the browser with a cross-site POST, so over https the login state cookie must
/// be `SameSite=None; Secure` to come back with it. Over https every cookie is `Secure`, has
/// `Path=/` and carries the `__Host-` prefix, so no sibling subdomain and no plain-http page can
/// plant or overwrite one. Plain http can only use `SameSite=Lax` without a prefix, which works
/// when the IdP and the app are the same site — a demo on loopback.
public struct SAMLCookiePolicy: Sendable, Hashable {
    enum Mode: Hashable {
        case automatic
        case crossSiteSecure
        case plainHTTPLoopback
    }

    let mode: Mode

    /// From the ACS URLs: https gives ``crossSiteSecure``; http on a loopback host gives
    /// ``plainHTTPLoopback``; http elsewhere is refused.
    public static let automatic = SAMLCookiePolicy(mode: .automatic)
    /// `__Host-` names, `Secure; HttpOnly; Path=/`, state cookies `SameSite=None` (https).
    public static let crossSiteSecure = SAMLCookiePolicy(mode: .crossSiteSecure)
    /// Plain names, `HttpOnly; SameSite=Lax`, not `Secure` (plain http on loopback).
    public static let plainHTTPLoopback = SAMLCookiePolicy(mode: .plainHTTPLoopback)

    /// Whether cookies carry `Secure` (and the `__Host-` prefix).
    public var isSecure: Bool { mode != .plainHTTPLoopback }

    /// Resolves ``automatic`` for the given ACS URLs.
    ///
    /// - Throws: `SAMLError` `.invalidConfiguration` for a URL that is not absolute http(s), or
    ///   plain http off loopback.
    public func resolved(for acsURLs: [String]) throws -> SAMLCookiePolicy {
        guard mode == .automatic else { return self }
        let parts = acsURLs.compactMap(URLParts.init)
        guard parts.count == acsURLs.count, !parts.isEmpty else {
            throw SAMLError(.invalidConfiguration, "The ACS URLs must be absolute http(s) URLs.")
        }
        if parts.allSatisfy({ $0.scheme == "https" }) { return .crossSiteSecure }
        if parts.allSatisfy({ $0.scheme == "http" && $0.isLoopback }) { return .plainHTTPLoopback }
        throw SAMLError(.invalidConfiguration, "Plain-http ACS URLs are accepted on loopback only (127.0.0.1, localhost, ::1); serve \(acsURLs.joined(separator: ", ")) over https.")
    }

    /// The name a cookie called `base` has under this policy: `__Host-base` when secure.
    public func name(_ base: String) -> String {
        isSecure ? "__Host-" + base : base
    }

    /// A state cookie (login or logout state): it must come back with the IdP's cross-site POST.
    ///
    /// - Parameters:
    ///   - base: the name without prefix.
    ///   - value: the value.
    ///   - maxAge: seconds until it expires (0 removes it).
    ///   - path: the routes' prefix; used on plain http only (`__Host-` requires `Path=/`).
    public func stateCookie(_ base: String, value: String, maxAge: Int, path: String) -> SAMLWebCookie {
        if isSecure {
            return SAMLWebCookie(name: name(base), value: value, maxAge: maxAge, path: "/", isSecure: true, sameSite: .none)
        }
        return SAMLWebCookie(name: base, value: value, maxAge: maxAge, path: path.isEmpty ? "/" : path, isSecure: false, sameSite: .lax)
    }

    /// A session cookie: `HttpOnly; SameSite=Lax`, `Secure` with `__Host-` and `Path=/` over https.
    ///
    /// - Parameters:
    ///   - base: the name without prefix.
    ///   - value: the value.
    ///   - maxAge: seconds until it expires (0 removes it).
    public func sessionCookie(_ base: String, value: String, maxAge: Int) -> SAMLWebCookie {
        SAMLWebCookie(name: name(base), value: value, maxAge: maxAge, path: "/", isSecure: isSecure, sameSite: .lax)
    }
}
