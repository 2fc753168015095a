#if Hummingbird
public import Foundation
public import Hummingbird
import SAMLCore
public import SAMLLogin
import SAMLXMLSec

/// A session kept in the browser: the verified ``Login`` as JSON in an `HttpOnly` cookie, with
/// an HMAC-SHA256 under a server secret and an expiry (the login's ``Login/sessionExpiresAt``).
///
/// Suitable for small logins and demos: a cookie holds about 4 KB, so a login with many
/// attributes or groups is refused (`tooLarge`) — use a server-side session store then. Ending
/// the session clears the cookie in this browser; a copied cookie stays valid until it expires.
public struct SAMLCookieSession: Sendable {
    /// The default cookie name.
    public static let defaultCookieName = "saml_session"

    /// The cookie's name.
    public let cookieName: String
    /// Whether the cookie carries `Secure` (serve the app over https).
    public let isSecure: Bool
    private let key: [UInt8]

    private static let context = Array("swift-saml cookie session v1\u{0}".utf8)
    private static let maximumCookieBytes = 4000

    /// Creates a session whose cookies are signed with a key derived from `secret` (at least 32
    /// characters; instances sharing it share sessions).
    ///
    /// - Throws: `SAMLError` `.invalidConfiguration` for a short secret or an invalid name.
    public init(secret: String, cookieName: String = SAMLCookieSession.defaultCookieName, secure: Bool) throws {
        guard secret.utf8.count >= 32 else {
            throw SAMLError(.invalidConfiguration, "The session secret is \(secret.utf8.count) characters; use at least 32 random characters.")
        }
        guard !cookieName.isEmpty, cookieName.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && !Array("()<>@,;:\\\"/[]?={}".utf8).contains($0) }) else {
            throw SAMLError(.invalidConfiguration, "The cookie name \(cookieName) is not a valid cookie name.")
        }
        self.key = try MessageAuthentication.hmacSHA256(Array(secret.utf8), key: Array("swift-saml session secret".utf8))
        self.cookieName = cookieName
        self.isSecure = secure
    }

    /// Creates a session for `serviceProvider`'s app: `Secure` when its ACS URLs are https.
    public init(secret: String, cookieName: String = SAMLCookieSession.defaultCookieName, for serviceProvider: SAMLServiceProvider) throws {
        let secure = serviceProvider.configuration.acsURLs.allSatisfy { $0.lowercased().hasPrefix("https://") }
        try self.init(secret: secret, cookieName: cookieName, secure: secure)
    }

    /// A session with a random secret: sessions end when the process does and are not shared.
    public static func random(cookieName: String = SAMLCookieSession.defaultCookieName, secure: Bool) throws -> SAMLCookieSession {
        try SAMLCookieSession(secret: Crypto.randomBytes(32).hex, cookieName: cookieName, secure: secure)
    }

    /// The cookie that carries `login` until its session ends.
    ///
    /// - Throws: `SAMLError` `.tooLarge` when the login does not fit in a cookie.
    public func cookie(for login: Login, now: Date = Date()) throws -> Cookie {
        let payload = Array(try JSONEncoder().encode(login))
        let mac = try MessageAuthentication.hmacSHA256(Self.context + payload, key: key)
        let value = Base64URL.encode(payload) + "." + Base64URL.encode(mac)
        guard value.utf8.count <= Self.maximumCookieBytes else {
            throw SAMLError(.tooLarge, "The login (\(login.attributes.count) attributes) does not fit in a session cookie; keep it in a server-side session instead.")
        }
        let maxAge = max(1, Int(login.sessionExpiresAt.timeIntervalSince(now).rounded(.down)))
        return Cookie(name: cookieName, value: value, maxAge: maxAge, path: "/", secure: isSecure, httpOnly: true, sameSite: .lax)
    }

    /// A cookie that removes the session from the browser.
    public func clearingCookie() -> Cookie {
        Cookie(name: cookieName, value: "", maxAge: 0, path: "/", secure: isSecure, httpOnly: true, sameSite: .lax)
    }

    /// The login in `request`'s session cookie, if it is authentic and its session has not ended.
    public func login(from request: Request, now: Date = Date()) -> Login? {
        guard let value = request.cookies[cookieName]?.value else { return nil }
        return login(fromCookieValue: value, now: now)
    }

    /// The login in a cookie value, if it is authentic and its session has not ended.
    public func login(fromCookieValue value: String, now: Date = Date()) -> Login? {
        guard value.utf8.count <= Self.maximumCookieBytes else { return nil }
        let parts = value.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let payload = Base64URL.decode(parts[0]), let mac = Base64URL.decode(parts[1]),
              let expected = try? MessageAuthentication.hmacSHA256(Self.context + payload, key: key),
              MessageAuthentication.constantTimeEqual(expected, mac),
              let login = try? JSONDecoder().decode(Login.self, from: Data(payload)),
              now < login.sessionExpiresAt else { return nil }
        return login
    }
}

/// base64url without padding.
enum Base64URL {
    static func encode(_ bytes: [UInt8]) -> String {
        var text = Data(bytes).base64EncodedString()
        text = text.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        while text.hasSuffix("=") { text.removeLast() }
        return text
    }

    static func decode(_ text: Substring) -> [UInt8]? {
        guard text.utf8.allSatisfy({ b in
            (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) || b == 0x2D || b == 0x5F
        }) else { return nil }
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while standard.utf8.count % 4 != 0 { standard += "=" }
        return Data(base64Encoded: standard).map { [UInt8]($0) }
    }
}
#endif
