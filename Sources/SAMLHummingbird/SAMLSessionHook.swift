#if Hummingbird
public import Hummingbird
public import SAMLLogin
public import SAMLVerification

/// What the app does with a verified ``Login`` and at logout: the seam between SAML and the
/// app's own sessions.
///
/// ``cookie(_:logoutRedirect:)`` keeps the login in a signed cookie; apps with their own session
/// store give their own closures.
public struct SAMLSessionHook<Context: RequestContext>: Sendable {
    /// Called after the ACS accepted a login; returns the response (typically a redirect to
    /// ``Login/returnTo`` that also starts the app's session).
    public var didLogin: @Sendable (Login, Request, Context) async throws -> Response
    /// Called at `{prefix}/logout` when the logout stays local (no single logout configured, no
    /// session, or the IdP cannot take part); ends the app's session and returns the response.
    public var didLogout: @Sendable (Request, Context) async throws -> Response
    /// The ``Login`` of the request's session, if any: the session `{prefix}/logout` asks the IdP
    /// to end. Returning nil keeps logout local.
    public var currentLogin: @Sendable (Request, Context) async throws -> Login?
    /// Ends the request's session before the browser is sent to the IdP for single logout;
    /// returns the cookies to set on that response (e.g. one clearing the session cookie).
    public var endSession: @Sendable (Request, Context) async throws -> [Cookie]
    /// Ends the sessions an IdP's verified LogoutRequest names (its NameID, and its session
    /// indexes when it lists any); returns whether all of them ended (false is answered as
    /// `PartialLogout`) and the cookies to set on the answer.
    public var endSessions: @Sendable (VerifiedLogoutRequest, Request, Context) async throws -> (ended: Bool, cookies: [Cookie])

    /// Creates a hook. Without `currentLogin` the routes never start single logout; without
    /// `endSessions` an IdP's LogoutRequest is answered `PartialLogout` (no session was ended).
    public init(didLogin: @escaping @Sendable (Login, Request, Context) async throws -> Response,
                didLogout: @escaping @Sendable (Request, Context) async throws -> Response,
                currentLogin: @escaping @Sendable (Request, Context) async throws -> Login? = { _, _ in nil },
                endSession: @escaping @Sendable (Request, Context) async throws -> [Cookie] = { _, _ in [] },
                endSessions: @escaping @Sendable (VerifiedLogoutRequest, Request, Context) async throws -> (ended: Bool, cookies: [Cookie])
                    = { _, _, _ in (false, []) }) {
        self.didLogin = didLogin
        self.didLogout = didLogout
        self.currentLogin = currentLogin
        self.endSession = endSession
        self.endSessions = endSessions
    }

    /// Keeps the login in `session`'s signed cookie and redirects to ``Login/returnTo``; logout
    /// clears the cookie and redirects to `logoutRedirect`.
    ///
    /// An IdP's LogoutRequest clears the cookie of the browser that carries it when the cookie's
    /// login has the request's NameID (and one of its session indexes, when it lists any). A
    /// cookie session lives only in its browser, so sessions elsewhere cannot be ended from here;
    /// the answer is `Success` for this browser's session, as is usual for front-channel logout.
    public static func cookie(_ session: SAMLCookieSession, logoutRedirect: String = "/") -> SAMLSessionHook {
        SAMLSessionHook(
            didLogin: { login, _, _ in
                var response = Response.redirect(to: login.returnTo, type: .normal)
                response.setCookie(try session.cookie(for: login))
                return response
            },
            didLogout: { _, _ in
                var response = Response.redirect(to: logoutRedirect, type: .normal)
                response.headers[.cacheControl] = "no-store"
                response.setCookie(session.clearingCookie())
                return response
            },
            currentLogin: { request, _ in session.login(from: request) },
            endSession: { _, _ in [session.clearingCookie()] },
            endSessions: { logoutRequest, request, _ in
                guard let login = session.login(from: request) else { return (true, []) }
                let sameSubject = login.nameID.value == logoutRequest.nameID.value
                let sameSession = logoutRequest.sessionIndexes.isEmpty
                    || login.sessionIndex.map(logoutRequest.sessionIndexes.contains) == true
                return (true, sameSubject && sameSession ? [session.clearingCookie()] : [])
            })
    }
}
#endif
