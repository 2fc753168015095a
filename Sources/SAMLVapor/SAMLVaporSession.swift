#if Vapor
public import Foundation
public import SAMLLogin
public import SAMLVerification
public import Vapor

/// A verified login can be the authenticated value of a request: `req.auth.login(login)` and
/// `req.auth.get(Login.self)`.
extension Login: Authenticatable {}

/// What the app does with a verified ``Login`` and at logout: the seam between SAML and the
/// app's own sessions.
///
/// ``vaporSession(key:logoutRedirect:now:)`` keeps the login in Vapor's `req.session` (add
/// `app.sessions.middleware` before the routes); apps with their own session store give their
/// own closures.
public struct SAMLVaporSessionHook: Sendable {
    /// Called after the ACS accepted a login; returns the response (typically a redirect to
    /// ``Login/returnTo`` that also starts the app's session).
    public var didLogin: @Sendable (Login, Request) async throws -> Response
    /// The login of the session `request` belongs to, if any (for SP-initiated single logout).
    public var currentLogin: @Sendable (Request) async throws -> Login?
    /// Ends the session `request` belongs to (at `{prefix}/logout`).
    public var endSession: @Sendable (Request) async throws -> Void
    /// Ends the sessions an IdP's LogoutRequest names (its NameID and session indexes), arriving
    /// through `request`'s browser. Returns false when some could not be ended (answered to the
    /// IdP as `PartialLogout`).
    public var endSessions: @Sendable (VerifiedLogoutRequest, Request) async throws -> Bool
    /// Where the browser goes after a logout that did not involve the IdP, or when the IdP's
    /// answer names no return path.
    public var logoutRedirect: String

    /// Creates a hook.
    public init(didLogin: @escaping @Sendable (Login, Request) async throws -> Response,
                currentLogin: @escaping @Sendable (Request) async throws -> Login?,
                endSession: @escaping @Sendable (Request) async throws -> Void,
                endSessions: @escaping @Sendable (VerifiedLogoutRequest, Request) async throws -> Bool,
                logoutRedirect: String = "/") {
        self.didLogin = didLogin
        self.currentLogin = currentLogin
        self.endSession = endSession
        self.endSessions = endSessions
        self.logoutRedirect = logoutRedirect
    }

    /// Keeps the login as JSON under `key` in Vapor's `req.session` (which needs
    /// `SessionsMiddleware`), logs it in with `req.auth`, and redirects to ``Login/returnTo``.
    /// Logout destroys the session. An IdP's LogoutRequest ends the session of the browser that
    /// carries it when it belongs to the named subject (and session index, when given); sessions
    /// of that subject in other browsers are not reachable through Vapor's session API — apps
    /// that must end those give their own ``endSessions``.
    ///
    /// - Parameter now: the current time, for the session's end (injectable for tests).
    public static func vaporSession(key: String = SAMLVaporSessionHook.defaultSessionKey, logoutRedirect: String = "/",
                                    now: @escaping @Sendable () -> Date = { Date() }) -> SAMLVaporSessionHook {
        SAMLVaporSessionHook(
            didLogin: { login, request in
                request.session.data[key] = String(decoding: try JSONEncoder().encode(login), as: UTF8.self)
                request.auth.login(login)
                return request.redirect(to: login.returnTo, redirectType: .normal)
            },
            currentLogin: { request in
                storedLogin(in: request, key: key, now: now())
            },
            endSession: { request in
                request.auth.logout(Login.self)
                if request.hasSession { request.session.destroy() }
            },
            endSessions: { logoutRequest, request in
                guard let login = storedLogin(in: request, key: key, honouringExpiry: false) else { return true }
                let sameSubject = login.issuer == logoutRequest.issuer && login.nameID.value == logoutRequest.nameID.value
                let sameSession = logoutRequest.sessionIndexes.isEmpty || login.sessionIndex.map(logoutRequest.sessionIndexes.contains) ?? true
                if sameSubject && sameSession {
                    request.auth.logout(Login.self)
                    request.session.destroy()
                }
                return true
            },
            logoutRedirect: logoutRedirect)
    }

    /// The default `req.session` key for the login.
    public static let defaultSessionKey = "saml.login"

    static func storedLogin(in request: Request, key: String, honouringExpiry: Bool = true, now: Date = Date()) -> Login? {
        guard request.hasSession, let json = request.session.data[key],
              let login = try? JSONDecoder().decode(Login.self, from: Data(json.utf8)) else { return nil }
        if honouringExpiry && now >= login.sessionExpiresAt { return nil }
        return login
    }
}

/// Logs in, for each request, the ``Login`` that ``SAMLVaporSessionHook/vaporSession(key:logoutRedirect:now:)``
/// keeps in `req.session`, while its session has not ended: `req.auth.get(Login.self)` then
/// returns it. Add it after `app.sessions.middleware`.
public struct SAMLSessionAuthenticator: AsyncMiddleware {
    /// The `req.session` key the login is kept under.
    public let key: String
    /// The current time (injectable for tests).
    public let now: @Sendable () -> Date

    /// Creates the authenticator.
    public init(key: String = SAMLVaporSessionHook.defaultSessionKey, now: @escaping @Sendable () -> Date = { Date() }) {
        self.key = key
        self.now = now
    }

    /// Logs the session's login in, then continues.
    public func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if let login = SAMLVaporSessionHook.storedLogin(in: request, key: key, now: now()) {
            request.auth.login(login)
        }
        return try await next.respond(to: request)
    }
}
#endif
