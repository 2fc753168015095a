#if Vapor
public import Foundation
public import SAMLLogin
public import SAMLWeb
public import Vapor

/// A verified login can be the authenticated value of a request: `req.auth.login(login)` and
/// `req.auth.get(Login.self)`.
extension Login: Authenticatable {}

/// The session hook of ``SAMLVaporRoutes``: the web layer's, with Vapor's `Request` as context.
public typealias SAMLVaporSessionHook = SAMLSessionHook<Request>

extension SAMLSessionHook where Context == Request {
    /// The default `req.session` key for the login.
    public static var defaultSessionKey: String { "saml.login" }

    /// Keeps the login as JSON under `key` in Vapor's `req.session` (which needs
    /// `SessionsMiddleware`), logs it in with `req.auth`, and redirects to `Login/returnTo`.
    ///
    /// At login the session the browser brought is deleted and a new one (a new session ID) is
    /// started, so a session ID planted before the login never becomes a signed-in session
    /// (session fixation). ``SAMLSessionCookieLifetime`` caps the session cookie at the login's
    /// `Login/sessionExpiresAt`. Logout destroys the session. An IdP's LogoutRequest
    /// ends the session of the browser that carries it when it is the one named (`isNamed(_:by:)`),
    /// and is answered `PartialLogout` when this browser holds another session.
    ///
    /// - Parameters:
    ///   - key: the key under which the login is kept in `req.session`.
    ///   - logoutRedirect: where a local logout lands.
    ///   - now: the current time, for the session's end (injectable for tests).
    ///   - cookieName: the session cookie's name as `app.sessions.configuration` sets it (Vapor's
    ///     default `vapor-session`): a request to the SAML routes carrying it twice (one planted by a
    ///     sibling subdomain, say) is refused.
    public static func vaporSession(key: String = Self.defaultSessionKey, logoutRedirect: String = "/",
                                    now: @escaping @Sendable () -> Date = { Date() },
                                    cookieName: String = "vapor-session") -> SAMLSessionHook<Request> {
        SAMLSessionHook<Request>(
            didLogin: { login, _, request in
                if let planted = request.session.id {
                    try await request.application.sessions.driver.deleteSession(planted, for: request).get()
                }
                request.session.id = nil
                request.session.data = SessionData()
                request.session.data[key] = String(decoding: try JSONEncoder().encode(login), as: UTF8.self)
                request.storage[SessionEnd.self] = login.sessionExpiresAt
                request.auth.login(login)
                return .redirect(to: login.returnTo)
            },
            didLogout: { _, request in
                request.auth.logout(Login.self)
                if request.hasSession { request.session.destroy() }
                return .redirect(to: logoutRedirect)
            },
            currentLogin: { _, request in
                storedLogin(in: request, key: key, now: now())
            },
            endSession: { _, request in
                request.auth.logout(Login.self)
                if request.hasSession { request.session.destroy() }
                return []
            },
            endSessions: { logoutRequest, _, request in
                guard let login = storedLogin(in: request, key: key, honouringExpiry: false) else { return SessionsEnded(ended: true) }
                guard isNamed(login, by: logoutRequest) else { return SessionsEnded(ended: false) }
                request.auth.logout(Login.self)
                request.session.destroy()
                return SessionsEnded(ended: true)
            },
            cookieNames: [cookieName])
    }

    static func storedLogin(in request: Request, key: String, honouringExpiry: Bool = true, now: Date = Date()) -> Login? {
        guard request.hasSession, let json = request.session.data[key],
              let login = try? JSONDecoder().decode(Login.self, from: Data(json.utf8)) else { return nil }
        if honouringExpiry && now >= login.sessionExpiresAt { return nil }
        return login
    }
}

/// When a login's session ends, kept for ``SAMLSessionCookieLifetime``.
enum SessionEnd: StorageKey {
    typealias Value = Date
}

/// Caps the session cookie a login starts at the login's `Login/sessionExpiresAt`
/// (`Max-Age` and `Expires`). Add it *before* `app.sessions.middleware`, which writes the cookie.
public struct SAMLSessionCookieLifetime: AsyncMiddleware {
    /// The current time (injectable for tests).
    public let now: @Sendable () -> Date

    /// Creates the middleware.
    public init(now: @escaping @Sendable () -> Date = { Date() }) {
        self.now = now
    }

    /// Continues, then caps the session cookie of a response that started a login's session.
    public func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response = try await next.respond(to: request)
        guard let end = request.storage[SessionEnd.self] else { return response }
        let name = request.application.sessions.configuration.cookieName
        if var cookie = response.cookies[name] {
            let seconds = max(1, Int(end.timeIntervalSince(now()).rounded(.down)))
            cookie.maxAge = min(cookie.maxAge ?? seconds, seconds)
            cookie.expires = Date().addingTimeInterval(TimeInterval(cookie.maxAge ?? seconds))
            response.cookies[name] = cookie
        }
        return response
    }
}

/// Logs in, for each request, the `Login` that
/// `SAMLSessionHook/vaporSession(key:logoutRedirect:now:)` keeps in `req.session`, while
/// its session has not ended (and, given the façade, while its IdP is still configured):
/// `req.auth.get(Login.self)` then returns it. Add it after `app.sessions.middleware`.
public struct SAMLSessionAuthenticator: AsyncMiddleware {
    /// The `req.session` key the login is kept under.
    public let key: String
    /// The façade whose configuration a session must still match, if given.
    public let serviceProvider: SAMLServiceProvider?
    /// The current time (injectable for tests).
    public let now: @Sendable () -> Date

    /// Creates the authenticator.
    public init(key: String = SAMLVaporSessionHook.defaultSessionKey, serviceProvider: SAMLServiceProvider? = nil,
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.key = key
        self.serviceProvider = serviceProvider
        self.now = now
    }

    /// Logs the session's login in, then continues.
    public func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if let login = SAMLVaporSessionHook.storedLogin(in: request, key: key, now: now()),
           serviceProvider?.acceptsSession(login, now: now()) ?? true {
            request.auth.login(login)
        }
        return try await next.respond(to: request)
    }
}
#endif
