#if Hummingbird
public import Hummingbird
public import SAMLLogin

/// What the app does with a verified ``Login`` and at logout: the seam between SAML and the
/// app's own sessions.
///
/// ``cookie(_:logoutRedirect:)`` keeps the login in a signed cookie; apps with their own session
/// store give their own closures.
public struct SAMLSessionHook<Context: RequestContext>: Sendable {
    /// Called after the ACS accepted a login; returns the response (typically a redirect to
    /// ``Login/returnTo`` that also starts the app's session).
    public var didLogin: @Sendable (Login, Request, Context) async throws -> Response
    /// Called at `{prefix}/logout`; ends the app's session and returns the response.
    public var didLogout: @Sendable (Request, Context) async throws -> Response

    /// Creates a hook.
    public init(didLogin: @escaping @Sendable (Login, Request, Context) async throws -> Response,
                didLogout: @escaping @Sendable (Request, Context) async throws -> Response) {
        self.didLogin = didLogin
        self.didLogout = didLogout
    }

    /// Keeps the login in `session`'s signed cookie and redirects to ``Login/returnTo``; logout
    /// clears the cookie and redirects to `logoutRedirect`.
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
            })
    }
}
#endif
