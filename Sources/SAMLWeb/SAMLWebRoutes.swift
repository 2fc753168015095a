public import Foundation
import Logging
import SAMLCore
public import SAMLLogin
import SAMLVerification

/// The SAML endpoints over neutral requests: every web rule of the SAML routes lives here, once
/// for every framework (the integrations only translate requests and responses).
///
/// - `GET {prefix}/login?returnTo=/path[&idp=id]` starts a login at the directory's IdP with that
///   ID (or entity ID): a redirect to the IdP,
///   or a page that posts the request to it, and the login state cookie. A login at an IdP other
///   than the default starts only from a same-site request (`Sec-Fetch-Site` `same-origin`,
///   `same-site` or `none`, or a same-origin `Referer` from browsers without it); anything else,
///   and a login without `idp=` when several IdPs are enabled and none is the default, shows
///   a page listing the directory's enabled IdPs.
/// - `POST {prefix}/acs` finishes it (the form read by `SAMLFormBody`), clears the state cookie
///   and hands the `Login` to the hook's `didLogin`.
/// - `GET {prefix}/metadata` publishes this SP's metadata, `GET {prefix}/metadata/{id}` its
///   metadata for one IdP of the directory (that IdP's SP certificates, the next rollover key
///   included, and every ACS URL); `GET {prefix}/autosubmit.js` serves `PostForm/autoSubmitScript`.
/// - `GET {prefix}/test?ticket=…` starts a connection test (the admin API hands out the link);
///   the ACS finishes it on the ``SAMLConnectionTestPage`` without a session.
/// - The admin API under ``SAMLAdminOptions/path`` (`/admin/identity-providers`), behind the
///   app's ``SAMLAdminAuthorization``.
/// - `GET {prefix}/logout` shows a page with a "Sign out" button; it never ends a session.
///   `POST {prefix}/logout[?returnTo=/path]` ends the session when the request proves it comes
///   from this site: `Sec-Fetch-Site: same-origin`, an `Origin` of this SP (browsers without
///   fetch metadata), or the page's `csrf_token` for the current session. Then through the IdP
///   (SP-initiated single logout) when this SP has a logout URL, the hook knows the session and
///   the IdP has a logout endpoint; else locally through the hook's `didLogout`.
/// - `GET|POST {prefix}/slo` is that logout URL: exactly one of `SAMLRequest` and `SAMLResponse`
///   (else 400). An IdP's LogoutRequest is verified (HTTP-Redirect over the raw query string, never
///   re-encoded), the sessions it names end through the hook, and a signed LogoutResponse goes
///   back; an IdP's LogoutResponse finishes an SP-initiated logout (once).
///
/// A request carrying one of the routes' cookies (or the hook's) twice is refused with 400. A
/// refusal renders the ``SAMLErrorPage`` (status from ``SAMLErrorPage/status(for:)``) and clears
/// the state cookies — except at the ACS, where anyone can post: a refused post there leaves the
/// login in progress, which only a verified response consumes. The code and reason are logged
/// under a correlation ID.
public struct SAMLWebRoutes<Context: Sendable>: Sendable {
    /// The façade every route calls.
    public let serviceProvider: SAMLServiceProvider
    /// Paths, cookies, limits, the POST form's script and the error page.
    public let options: SAMLWebOptions
    /// What happens after a login and at logout.
    public let session: SAMLSessionHook<Context>
    /// The cookie names and attributes, resolved from the ACS URLs.
    public let cookiePolicy: SAMLCookiePolicy
    /// The current time given to the façade (injectable for tests).
    public let now: @Sendable () -> Date
    /// Who may use the admin API (``SAMLAdminOptions``); nil refuses every admin request.
    public let adminAuthorization: SAMLAdminAuthorization<Context>?
    /// The origins of this SP (from its ACS URLs): requests from them are same-origin.
    let origins: Set<String>

    /// Creates the routes.
    ///
    /// - Throws: `SAMLError` `.invalidConfiguration` when an ACS URL is not served by these
    ///   routes (its path must be `{prefix}/acs`), when the logout URL is not `{prefix}/slo`, when
    ///   plain http is used off loopback, or when the default IdP is not in the directory.
    /// - Parameters:
    ///   - serviceProvider: the façade every route calls.
    ///   - options: paths, cookies, limits, pages, the admin API.
    ///   - session: what happens after a login and at logout.
    ///   - admin: who may use the admin API; nil refuses every admin request (403).
    ///   - now: the current time given to the façade.
    public init(serviceProvider: SAMLServiceProvider, options: SAMLWebOptions = SAMLWebOptions(),
                session: SAMLSessionHook<Context>, admin: SAMLAdminAuthorization<Context>? = nil,
                now: @escaping @Sendable () -> Date = { Date() }) throws {
        let prefix = options.normalisedPrefix
        for url in serviceProvider.configuration.acsURLs {
            guard URLParts(url)?.path == prefix + "/acs" else {
                throw SAMLError(.invalidConfiguration, "The ACS URL \(url) is not served by these routes: its path must be \(prefix)/acs.")
            }
        }
        if let slo = serviceProvider.configuration.singleLogoutURL {
            guard URLParts(slo)?.path == prefix + "/slo" else {
                throw SAMLError(.invalidConfiguration, "The logout URL \(slo) is not served by these routes: its path must be \(prefix)/slo.")
            }
        }
        // a directory not read yet (a database) is checked at the first login instead
        if let idp = options.defaultIdentityProvider, let snapshot = serviceProvider.directory.cachedSnapshot(),
           snapshot.entry(id: idp) == nil, snapshot.entry(entityID: idp) == nil {
            throw SAMLError(.invalidConfiguration, "The default IdP \(idp) is not one of the configured IdPs.")
        }
        self.cookiePolicy = try options.cookiePolicy.resolved(for: serviceProvider.configuration.acsURLs)
        self.serviceProvider = serviceProvider
        self.options = options
        self.session = session
        self.adminAuthorization = admin
        self.now = now
        self.origins = Set(serviceProvider.configuration.acsURLs.compactMap { URLParts($0)?.origin })
    }

    /// The login state cookie's name (`__Host-` prefixed over https).
    public var stateCookieName: String { cookiePolicy.name(SAMLServiceProvider.stateCookieName) }
    /// The logout state cookie's name (`__Host-` prefixed over https).
    public var logoutStateCookieName: String { cookiePolicy.name(SAMLServiceProvider.logoutStateCookieName) }

    /// The path that starts a login landing on `returnTo` afterwards, e.g.
    /// `/saml/login?returnTo=%2Finbox`. Unsafe return-to values are replaced by the façade anyway.
    public func loginPath(returnTo: String? = nil, identityProvider: String? = nil) -> String {
        var query: [String] = []
        if let returnTo { query.append("returnTo=" + URLEncodedFields.escape(returnTo)) }
        if let identityProvider { query.append("idp=" + URLEncodedFields.escape(identityProvider)) }
        let path = options.normalisedPrefix + "/login"
        return query.isEmpty ? path : path + "?" + query.joined(separator: "&")
    }

    /// The value of the `csrf_token` field a logout form of `login`'s session carries (for apps
    /// that render their own "Sign out" form).
    public func logoutToken(for login: Login) throws -> String {
        try serviceProvider.logoutToken(for: login)
    }

    /// Adds the SAML routes to `router` (and raises its body limit to ``SAMLWebOptions/maximumBodyBytes``).
    public func mount(on router: inout SAMLWebRouter<Context>) {
        let prefix = options.normalisedPrefix
        router.maximumBodyBytes = max(router.maximumBodyBytes, options.maximumBodyBytes)
        router.add(.get, prefix + "/login") { request, _ in await self.guarded(request) { try await self.startLogin(request) } }
        router.add(.post, prefix + "/acs") { request, context in
            await self.guarded(request, keepsLoginState: true) { try await self.finishLogin(request, context) }
        }
        router.add(.get, prefix + "/metadata") { request, _ in await self.guarded(request) { try self.metadata() } }
        router.add(.get, prefix + "/metadata/{id}") { request, _ in
            await self.guarded(request) { try await self.metadata(forIdentityProvider: request.pathParameters["id", default: ""]) }
        }
        router.add(.get, prefix + "/test") { request, _ in await self.guarded(request) { try await self.startConnectionTest(request) } }
        router.add(.get, prefix + "/autosubmit.js") { _, _ in Self.autoSubmitScript() }
        router.add(.get, prefix + "/logout") { request, context in await self.guarded(request) { try await self.logoutPage(request, context) } }
        router.add(.post, prefix + "/logout") { request, context in await self.guarded(request) { try await self.logout(request, context) } }
        router.add(.get, prefix + "/slo") { request, context in await self.guarded(request) { try await self.singleLogout(request, context) } }
        router.add(.post, prefix + "/slo") { request, context in await self.guarded(request) { try await self.singleLogout(request, context) } }
        mountAdmin(on: &router)
    }

    /// A router serving only the SAML routes.
    public var router: SAMLWebRouter<Context> {
        var router = SAMLWebRouter<Context>(maximumBodyBytes: options.maximumBodyBytes)
        mount(on: &router)
        return router
    }

    // MARK: - Handlers

    func startLogin(_ request: SAMLWebRequest) async throws -> SAMLWebResponse {
        let query = try request.query()
        let returnTo = try query.value("returnTo"), idp = try query.value("idp")
        let (entries, defaultIdP) = try await loginChoices()
        guard let chosen = idp ?? defaultIdP?.id else { return choicePage(entries, returnTo: returnTo) }
        let isDefault = defaultIdP.map { chosen == $0.id || chosen == $0.entityID } ?? false
        if !isDefault, !RequestSite.isSameSite(request, origins: origins) {
            request.logger.notice("SAML login at a non-default IdP requested from another site; showing the choice page", metadata: [
                "saml.idp": .string(chosen), "saml.fetch_site": .string(request.header("Sec-Fetch-Site") ?? "-"),
            ])
            return choicePage(entries, returnTo: returnTo)
        }
        let start = try await serviceProvider.login(idp: chosen, returnTo: returnTo, options: options.loginOptions, now: now())
        var response = actionResponse(start.action)
        response.cookies.append(stateCookie(SAMLServiceProvider.stateCookieName, start.browserState, expiresAt: start.expiresAt))
        return response
    }

    func finishLogin(_ request: SAMLWebRequest, _ context: Context) async throws -> SAMLWebResponse {
        let browserState = try request.cookie(stateCookieName)
        let form = try readForm(request)
        guard let samlResponse = form.samlResponse, !samlResponse.isEmpty else {
            throw SAMLError(.invalidRequest, "The POST to the ACS carries no SAMLResponse.")
        }
        if serviceProvider.isConnectionTest(relayState: form.relayState) {
            return try await finishConnectionTest(request, samlResponse: samlResponse, relayState: form.relayState)
        }
        let login = try await serviceProvider.finishLogin(samlResponse: samlResponse, relayState: form.relayState,
                                                          browserState: browserState, now: now())
        request.logger.info("SAML sign-in", metadata: ["saml.idp": .string(login.issuer), "saml.assertion_id": .string(login.assertionID)])
        var response = try await session.didLogin(login, request, context)
        response.setHeader("Cache-Control", "no-store")
        response.cookies.append(clearingCookie(SAMLServiceProvider.stateCookieName))
        return response
    }

    func metadata() throws -> SAMLWebResponse {
        SAMLWebResponse(status: 200, headers: [("Content-Type", "application/samlmetadata+xml; charset=utf-8")],
                        body: Array(try serviceProvider.metadata().utf8))
    }

    static func autoSubmitScript() -> SAMLWebResponse {
        SAMLWebResponse(status: 200, headers: [("Content-Type", "text/javascript; charset=utf-8"), ("Cache-Control", "public, max-age=3600")],
                        body: Array(PostForm.autoSubmitScript.utf8))
    }

    /// `GET {prefix}/logout`: a page whose button posts the logout; a link from any site can show
    /// it, none can end the session with it.
    func logoutPage(_ request: SAMLWebRequest, _ context: Context) async throws -> SAMLWebResponse {
        let returnTo = try request.query().value("returnTo")
        var action = options.normalisedPrefix + "/logout"
        if let returnTo { action += "?returnTo=" + URLEncodedFields.escape(returnTo) }
        var field = ""
        if let login = try await currentLogin(request, context) {
            field = "<input type=\"hidden\" name=\"csrf_token\" value=\"\(HTMLEscaping.escape(try logoutToken(for: login)))\">\n"
        }
        return .html("""
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8"><meta name="referrer" content="same-origin"><title>Sign out</title></head>
            <body>
            <form method="post" action="\(HTMLEscaping.escape(action))">
            \(field)<p>Sign out of this site?</p>
            <button type="submit" id="logout">Sign out</button>
            </form>
            </body>
            </html>

            """)
    }

    /// `POST {prefix}/logout`: single logout through the IdP when possible, else a local logout.
    func logout(_ request: SAMLWebRequest, _ context: Context) async throws -> SAMLWebResponse {
        let login = try await currentLogin(request, context)
        let token = request.bodyTooLarge ? nil : try URLEncodedFields(bytes: request.body).value("csrf_token")
        let tokenMatches = login.map { login in token.map { serviceProvider.isLogoutToken($0, for: login) } ?? false } ?? false
        guard tokenMatches || RequestSite.isSameOrigin(request, origins: origins) else {
            throw SAMLError(.crossSiteRequest, "The logout request did not come from this site (no Sec-Fetch-Site: same-origin, no Origin of this SP, no logout token); the session was left as it was.")
        }
        let returnTo = try request.query().value("returnTo")
        if let login, serviceProvider.configuration.singleLogoutURL != nil {
            do {
                let start = try await serviceProvider.logout(login, returnTo: returnTo, now: now())
                var response = actionResponse(start.action)
                response.cookies += try await session.endSession(request, context)
                response.cookies.append(stateCookie(SAMLServiceProvider.logoutStateCookieName, start.browserState, expiresAt: start.expiresAt))
                return response
            } catch let error as SAMLError {
                // The IdP cannot take part (no logout endpoint, no signing key): end the session here.
                request.logger.notice("SAML single logout not possible; ending the local session", metadata: [
                    "saml.code": .string(error.code.description), "saml.reason": .string(error.reason),
                ])
            }
        }
        var response = try await session.didLogout(request, context)
        response.setHeader("Cache-Control", "no-store")
        return response
    }

    /// `{prefix}/slo`: the IdP's LogoutRequests and LogoutResponses, by HTTP-Redirect or HTTP-POST.
    func singleLogout(_ request: SAMLWebRequest, _ context: Context) async throws -> SAMLWebResponse {
        let browserState = try request.cookie(logoutStateCookieName)
        if request.method == .post {
            let form = try readForm(request)
            switch (form.samlRequest, form.samlResponse) {
            case (let samlRequest?, nil):
                return try await answered(request, context) { endSessions in
                    try await serviceProvider.handleLogoutRequest(samlRequest: samlRequest, relayState: form.relayState, now: now(),
                                                                  endSessions: endSessions)
                }
            case (nil, let samlResponse?):
                let result = try await serviceProvider.finishLogout(samlResponse: samlResponse, relayState: form.relayState,
                                                                    browserState: browserState, now: now())
                return loggedOut(result)
            default:
                throw SAMLError(.invalidRequest, "The POST to the logout endpoint must carry exactly one of SAMLRequest and SAMLResponse.")
            }
        }
        // The raw query string as received: the redirect binding's signature covers its octets.
        let query = request.rawQuery ?? ""
        let names = Set(query.split(separator: "&").map { $0.prefix { $0 != "=" } })
        switch (names.contains("SAMLRequest"), names.contains("SAMLResponse")) {
        case (true, false):
            return try await answered(request, context) { endSessions in
                try await serviceProvider.handleLogoutRequest(redirectQuery: query, now: now(), endSessions: endSessions)
            }
        case (false, true):
            return loggedOut(try await serviceProvider.finishLogout(redirectQuery: query, browserState: browserState, now: now()))
        default:
            throw SAMLError(.invalidRequest, "The logout endpoint must be called with exactly one of SAMLRequest and SAMLResponse.")
        }
    }

    // MARK: - Pieces

    /// The answer to an IdP's LogoutRequest, handled by `handle` with the hook's `endSessions`,
    /// carrying the cookies the hook set.
    func answered(_ request: SAMLWebRequest, _ context: Context,
                  _ handle: ((VerifiedLogoutRequest) async throws -> Bool) async throws -> LoginStart.Action)
        async throws -> SAMLWebResponse {
        var cookies: [SAMLWebCookie] = []
        let action = try await handle { logoutRequest in
            let outcome = try await self.session.endSessions(logoutRequest, request, context)
            cookies = outcome.cookies
            return outcome.ended
        }
        var response = actionResponse(action)
        response.cookies += cookies
        return response
    }

    /// The session's login through the hook, when the façade still accepts it (its IdP is still
    /// configured, its session has not ended).
    func currentLogin(_ request: SAMLWebRequest, _ context: Context) async throws -> Login? {
        guard let login = try await session.currentLogin(request, context) else { return nil }
        guard serviceProvider.acceptsSession(login, now: now()) else {
            request.logger.notice("SAML session refused: its IdP is no longer configured or it has ended", metadata: ["saml.idp": .string(login.issuer)])
            return nil
        }
        return login
    }

    /// Runs a handler after refusing duplicated cookies; a `SAMLError` becomes the error page.
    /// `keepsLoginState`: the refusal leaves the login state cookie alone (the ACS, where anyone
    /// can post; a refused post must not end the login this browser has in progress).
    func guarded(_ request: SAMLWebRequest, keepsLoginState: Bool = false,
                 _ handler: () async throws -> SAMLWebResponse) async -> SAMLWebResponse {
        do {
            for name in [stateCookieName, logoutStateCookieName, testStateCookieName] + session.cookieNames {
                _ = try request.cookie(name)
            }
            return try await handler()
        } catch let error as SAMLError {
            return failure(error, request: request, keepsLoginState: keepsLoginState)
        } catch {
            return failure(SAMLError(.libraryFailure, "The session hook failed: \(error)"), request: request,
                           keepsLoginState: keepsLoginState)
        }
    }

    func readForm(_ request: SAMLWebRequest) throws -> SAMLFormBody {
        guard !request.bodyTooLarge else {
            throw SAMLError(.tooLarge, "The posted form is larger than \(options.maximumBodyBytes) bytes.")
        }
        return try SAMLFormBody(bytes: request.body, maximumBytes: options.maximumBodyBytes)
    }

    /// A redirect (302) or the HTTP-POST binding page, never cached.
    func actionResponse(_ action: LoginStart.Action) -> SAMLWebResponse {
        switch action {
        case .redirect(let url):
            return .redirect(to: url, status: 302)
        case .post(let form):
            let page = form.page(script: options.postFormScript, scriptURL: options.normalisedPrefix + "/autosubmit.js")
            return .html(page.html, contentSecurityPolicy: page.contentSecurityPolicy)
        }
    }

    /// Where an SP-initiated logout lands once the IdP answered; the logout state cookie cleared.
    func loggedOut(_ result: LogoutResult) -> SAMLWebResponse {
        var response = SAMLWebResponse.redirect(to: result.returnTo)
        response.cookies.append(clearingCookie(SAMLServiceProvider.logoutStateCookieName))
        return response
    }

    func stateCookie(_ base: String, _ value: String, expiresAt: Date) -> SAMLWebCookie {
        let maxAge = max(1, Int(expiresAt.timeIntervalSince(now()).rounded(.down)))
        return cookiePolicy.stateCookie(base, value: value, maxAge: maxAge, path: options.normalisedPrefix)
    }

    func clearingCookie(_ base: String) -> SAMLWebCookie {
        cookiePolicy.stateCookie(base, value: "", maxAge: 0, path: options.normalisedPrefix)
    }

    /// Logs the refusal with a correlation ID and renders the error page; clears the state cookies
    /// unless `keepsLoginState`.
    func failure(_ error: SAMLError, request: SAMLWebRequest, keepsLoginState: Bool = false) -> SAMLWebResponse {
        let correlationID = SignInFailurePage.newCorrelationID()
        request.logger.notice("SAML sign-in failed", metadata: [
            "saml.code": .string(error.code.description), "saml.reason": .string(error.reason),
            "saml.correlation_id": .string(correlationID),
        ])
        let status = SAMLErrorPage.status(for: error.code)
        let failure = SAMLErrorPage.Failure(correlationID: correlationID, code: error.code, reason: error.reason, status: status,
                                            retryPath: options.normalisedPrefix + "/login")
        var response = SAMLWebResponse.html(options.errorPage.render(failure), status: status,
                                            contentSecurityPolicy: "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'")
        if !keepsLoginState {
            response.cookies = [clearingCookie(SAMLServiceProvider.stateCookieName), clearingCookie(SAMLServiceProvider.logoutStateCookieName)]
        }
        return response
    }
}

