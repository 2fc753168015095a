public import SAMLLogin
public import SAMLVerification

/// What the app does with a verified `Login` and at logout: the seam between SAML and
/// the app's own sessions, one contract for every framework. `Context` is what the framework
/// integration passes along (Hummingbird's request context, Vapor's `Request`).
///
/// ``cookie(_:logoutRedirect:)`` keeps the login in a sealed cookie; the framework integrations
/// offer hooks on their own session stores; apps with another store give their own closures.
/// A hook must start a *new* session at ``didLogin`` (never write the login into a session
/// the browser brought along: session fixation) and should let it live no longer than
/// `Login/sessionExpiresAt`.
public struct SAMLSessionHook<Context: Sendable>: Sendable {
    /// What ``endSessions`` reports.
    public struct SessionsEnded: Sendable {
        /// Whether the named sessions ended (false is answered as `PartialLogout`).
        public var ended: Bool
        /// Cookies to set on the answer (e.g. one clearing the session cookie).
        public var cookies: [SAMLWebCookie]

        /// A report.
        public init(ended: Bool, cookies: [SAMLWebCookie] = []) {
            self.ended = ended
            self.cookies = cookies
        }
    }

    /// Called after the ACS accepted a login; starts a new session and returns the response
    /// (typically a redirect to `Login/returnTo`).
    public var didLogin: @Sendable (Login, SAMLWebRequest, Context) async throws -> SAMLWebResponse
    /// Called at `{prefix}/logout` when the logout stays local (no single logout configured, no
    /// session, or the IdP cannot take part); ends the session and returns the response.
    public var didLogout: @Sendable (SAMLWebRequest, Context) async throws -> SAMLWebResponse
    /// The `Login` of the request's session, if any: the session `{prefix}/logout`
    /// asks the IdP to end. Returning nil keeps logout local.
    public var currentLogin: @Sendable (SAMLWebRequest, Context) async throws -> Login?
    /// Ends the request's session before the browser is sent to the IdP for single logout;
    /// returns the cookies to set on that response.
    public var endSession: @Sendable (SAMLWebRequest, Context) async throws -> [SAMLWebCookie]
    /// Ends the sessions an IdP's verified LogoutRequest names (its issuer and NameID, and its
    /// session indexes when it lists any).
    public var endSessions: @Sendable (VerifiedLogoutRequest, SAMLWebRequest, Context) async throws -> SessionsEnded
    /// The names of the cookies the hook reads: a request carrying one of them twice is refused.
    public var cookieNames: [String]

    /// Creates a hook. Without `currentLogin` the routes never start single logout; without
    /// `endSessions` an IdP's LogoutRequest is answered `PartialLogout` (no session was ended).
    public init(didLogin: @escaping @Sendable (Login, SAMLWebRequest, Context) async throws -> SAMLWebResponse,
                didLogout: @escaping @Sendable (SAMLWebRequest, Context) async throws -> SAMLWebResponse,
                currentLogin: @escaping @Sendable (SAMLWebRequest, Context) async throws -> Login? = { _, _ in nil },
                endSession: @escaping @Sendable (SAMLWebRequest, Context) async throws -> [SAMLWebCookie] = { _, _ in [] },
                endSessions: @escaping @Sendable (VerifiedLogoutRequest, SAMLWebRequest, Context) async throws -> SessionsEnded
                    = { _, _, _ in SessionsEnded(ended: false) },
                cookieNames: [String] = []) {
        self.didLogin = didLogin
        self.didLogout = didLogout
        self.currentLogin = currentLogin
        self.endSession = endSession
        self.endSessions = endSessions
        self.cookieNames = cookieNames
    }

    /// Whether `login` is the session a LogoutRequest names: the same IdP, the same NameID (value,
    /// format and both qualifiers), and one of its session indexes when it lists any.
    public static func isNamed(_ login: Login, by request: VerifiedLogoutRequest) -> Bool {
        login.issuer == request.issuer && login.nameID == request.nameID
            && (request.sessionIndexes.isEmpty || login.sessionIndex.map(request.sessionIndexes.contains) == true)
    }

    /// Keeps the login in `session`'s sealed cookie (a new cookie at every login) and redirects to
    /// `Login/returnTo`; logout clears the cookie and redirects to `logoutRedirect`.
    ///
    /// An IdP's LogoutRequest clears the cookie of the browser that carries it when the cookie's
    /// login is the one named (``isNamed(_:by:)``). When this browser holds another user's (or
    /// another IdP's) session, nothing is cleared and the answer is `PartialLogout`; a browser
    /// holding no session answers `Success`. A cookie session lives only in its browser, so
    /// sessions elsewhere cannot be ended from here.
    public static func cookie(_ session: SAMLCookieSession, logoutRedirect: String = "/") -> SAMLSessionHook {
        SAMLSessionHook(
            didLogin: { login, _, _ in
                var response = SAMLWebResponse.redirect(to: login.returnTo)
                response.cookies.append(try session.cookie(for: login))
                return response
            },
            didLogout: { _, _ in
                var response = SAMLWebResponse.redirect(to: logoutRedirect)
                response.cookies.append(session.clearingCookie())
                return response
            },
            currentLogin: { request, _ in session.login(from: request) },
            endSession: { _, _ in [session.clearingCookie()] },
            endSessions: { logoutRequest, request, _ in
                guard let login = session.login(from: request) else { return SessionsEnded(ended: true) }
                guard isNamed(login, by: logoutRequest) else { return SessionsEnded(ended: false) }
                return SessionsEnded(ended: true, cookies: [session.clearingCookie()])
            },
            cookieNames: [session.cookieName])
    }
}
