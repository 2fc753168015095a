public import Foundation
import SAMLCore
public import SAMLLogin
import SAMLXMLSec

/// A session kept in the browser: the verified `Login` as JSON in an `HttpOnly`
/// cookie, sealed (a `SealedToken` under a key derived from a server secret), living no longer
/// than the login's session (`Login/sessionExpiresAt`).
///
/// Over https the cookie is `__Host-saml_session; Secure; HttpOnly; SameSite=Lax; Path=/`. Every
/// login writes a new cookie, so a session planted before the login never survives it. A cookie
/// holds about 4 KB, so a login with many attributes or groups is refused (`tooLarge`) — use a
/// server-side session store then. Ending the session clears the cookie in this browser; a copied
/// cookie stays valid until it expires.
public struct SAMLCookieSession: Sendable {
    /// The default cookie name (prefixed `__Host-` over https).
    public static let defaultCookieName = "saml_session"

    /// The cookie's name as sent (with its `__Host-` prefix when secure).
    public let cookieName: String
    /// Whether the cookie carries `Secure` (serve the app over https).
    public let isSecure: Bool
    private let policy: SAMLCookiePolicy
    private let key: [UInt8]
    private let serviceProvider: SAMLServiceProvider?

    private static let token = SealedToken(purpose: "swift-saml cookie session v1")
    private static let maximumCookieBytes = 4000

    /// Creates a session whose cookies are sealed with a key derived from `secret`: at least 32
    /// random bytes in base64 (`openssl rand -base64 32`); instances sharing it share sessions.
    ///
    /// - Throws: `SAMLError` `.invalidConfiguration` for a secret that is not base64 of 32
    ///   random bytes, or an invalid name.
    public init(secret: String, cookieName: String = SAMLCookieSession.defaultCookieName, secure: Bool) throws {
        let random = try SecretText.bytes(secret, what: "session secret")
        try self.init(key: random, cookieName: cookieName, secure: secure, serviceProvider: nil)
    }

    /// Creates a session for `serviceProvider`'s app: `Secure` when its ACS URLs are https; a
    /// session whose IdP is no longer configured is refused.
    public init(secret: String, cookieName: String = SAMLCookieSession.defaultCookieName, for serviceProvider: SAMLServiceProvider) throws {
        let random = try SecretText.bytes(secret, what: "session secret")
        let secure = serviceProvider.configuration.acsURLs.allSatisfy { $0.lowercased().hasPrefix("https://") }
        try self.init(key: random, cookieName: cookieName, secure: secure, serviceProvider: serviceProvider)
    }

    private init(key random: [UInt8], cookieName: String, secure: Bool, serviceProvider: SAMLServiceProvider?) throws {
        guard SAMLWebCookie.isValidName(cookieName), !cookieName.hasPrefix("__") else {
            throw SAMLError(.invalidConfiguration, "The cookie name \(cookieName) is not a valid cookie name (the __Host- prefix is added over https).")
        }
        self.key = try MessageAuthentication.hmacSHA256(random, key: Array("swift-saml session secret".utf8))
        self.policy = secure ? .crossSiteSecure : .plainHTTPLoopback
        self.cookieName = policy.name(cookieName)
        self.isSecure = secure
        self.serviceProvider = serviceProvider
    }

    /// A session with a random secret: sessions end when the process does and are not shared.
    public static func random(cookieName: String = SAMLCookieSession.defaultCookieName, secure: Bool) throws -> SAMLCookieSession {
        try SAMLCookieSession(secret: Base64.encode(Crypto.randomBytes(32)), cookieName: cookieName, secure: secure)
    }

    /// The cookie that carries `login` until its session ends (`Max-Age` capped at
    /// `Login/sessionExpiresAt`).
    ///
    /// - Throws: `SAMLError` `.tooLarge` when the login does not fit in a cookie.
    public func cookie(for login: Login, now: Date = Date()) throws -> SAMLWebCookie {
        let value = try Self.token.seal(Array(try JSONEncoder().encode(login)), key: key)
        guard value.utf8.count <= Self.maximumCookieBytes else {
            throw SAMLError(.tooLarge, "The login (\(login.attributes.count) attributes) does not fit in a session cookie; keep it in a server-side session instead.")
        }
        let maxAge = max(1, Int(login.sessionExpiresAt.timeIntervalSince(now).rounded(.down)))
        var cookie = policy.sessionCookie("", value: value, maxAge: maxAge)
        cookie.name = cookieName
        return cookie
    }

    /// A cookie that removes the session from the browser.
    public func clearingCookie() -> SAMLWebCookie {
        var cookie = policy.sessionCookie("", value: "", maxAge: 0)
        cookie.name = cookieName
        return cookie
    }

    /// The login in `request`'s session cookie, if it is authentic, its session has not ended and
    /// (for a session made `for:` a service provider) its IdP is still configured. A request
    /// carrying the cookie twice has no session.
    public func login(from request: SAMLWebRequest, now: Date = Date()) -> Login? {
        guard let value = try? request.cookie(cookieName) else { return nil }
        return login(fromCookieValue: value, now: now)
    }

    /// The login in a cookie value, if it is authentic and its session may still be used.
    public func login(fromCookieValue value: String, now: Date = Date()) -> Login? {
        guard let payload = try? Self.token.open(value, keys: [key], maximumBytes: Self.maximumCookieBytes),
              let login = try? JSONDecoder().decode(Login.self, from: Data(payload)),
              now < login.sessionExpiresAt else { return nil }
        if let serviceProvider, !serviceProvider.acceptsSession(login, now: now) { return nil }
        return login
    }
}
