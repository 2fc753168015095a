#if Vapor
public import Foundation
import Logging
import SAMLCore
public import SAMLLogin
import SAMLXMLSec
public import Vapor

/// The SAML endpoints of a Vapor app, as a `RouteCollection`: register it and the app can sign
/// users in and out through its identity providers.
///
/// ```swift
/// app.middleware.use(app.sessions.middleware)
/// app.middleware.use(SAMLSessionAuthenticator())
/// try app.register(collection: SAMLVaporRoutes(serviceProvider: serviceProvider))
/// // GET /saml/login, POST /saml/acs, GET /saml/metadata, GET /saml/autosubmit.js,
/// // GET|POST /saml/logout, GET|POST /saml/slo
/// ```
///
/// Every SAML decision stays in ``SAMLServiceProvider``; these routes only turn requests into its
/// inputs and its results or errors into responses:
///
/// - `GET {prefix}/login?returnTo=/path[&idp=entityID]` starts a login: a redirect to the IdP, or
///   a page that posts the request to it under a strict Content-Security-Policy, and the login
///   state cookie (``SAMLServiceProvider/stateCookieName``: `HttpOnly`, `Secure; SameSite=None`
///   over https, `SameSite=Lax` over plain-http loopback).
/// - `POST {prefix}/acs` finishes it with the posted form and that cookie, clears the cookie, and
///   hands the ``Login`` to the ``SAMLVaporSessionHook``.
/// - `GET {prefix}/metadata` serves this SP's metadata; `GET {prefix}/autosubmit.js` the script
///   of the POST page.
/// - `GET|POST {prefix}/logout` ends the session: through the IdP (SP-initiated single logout,
///   with the logout state cookie ``SAMLServiceProvider/logoutStateCookieName``) when this SP has
///   a logout URL and the IdP a logout endpoint, else locally.
/// - `GET|POST {prefix}/slo` is that logout URL: IdP-initiated LogoutRequests are verified (by
///   HTTP-Redirect over the raw received query string, never re-encoded), their sessions ended,
///   and answered; LogoutResponses finish an SP-initiated logout.
///
/// A refusal renders the ``SAMLVaporErrorPage`` (see ``SAMLVaporFailure``), with the code and
/// reason logged to `req.logger` under a correlation ID; no session is touched.
public struct SAMLVaporRoutes: RouteCollection, Sendable {
    /// The façade that decides.
    public let serviceProvider: SAMLServiceProvider
    /// Paths, form script, cookies, limits and the error page.
    public let options: SAMLVaporOptions
    /// What happens after a login and at logout.
    public let session: SAMLVaporSessionHook
    /// The cookie attributes, resolved from the ACS URLs.
    public let cookieSecurity: SAMLVaporCookieSecurity
    /// The current time given to the façade (injectable for tests).
    public let now: @Sendable () -> Date

    /// Creates the routes.
    ///
    /// - Parameters:
    ///   - serviceProvider: the façade.
    ///   - options: paths, form script, cookies, limits, error page.
    ///   - session: the session seam; default Vapor's `req.session`.
    ///   - now: the clock handed to the façade's `now:` parameters.
    /// - Throws: `SAMLError` `.invalidConfiguration` when an ACS URL is not served by these
    ///   routes (its path must be `{prefix}/acs`), when the logout URL is not `{prefix}/slo`, or
    ///   when plain http is used off loopback.
    public init(serviceProvider: SAMLServiceProvider, options: SAMLVaporOptions = SAMLVaporOptions(),
                session: SAMLVaporSessionHook? = nil, now: @escaping @Sendable () -> Date = { Date() }) throws {
        let prefix = options.normalisedPrefix
        for url in serviceProvider.configuration.acsURLs {
            guard AbsoluteURL(url)?.path == prefix + "/acs" else {
                throw SAMLError(.invalidConfiguration, "The ACS URL \(url) is not served by these routes: its path must be \(prefix)/acs.")
            }
        }
        if let slo = serviceProvider.configuration.singleLogoutURL {
            guard AbsoluteURL(slo)?.path == prefix + "/slo" else {
                throw SAMLError(.invalidConfiguration, "The logout URL \(slo) is not served by these routes: its path must be \(prefix)/slo.")
            }
        }
        self.cookieSecurity = try options.cookieSecurity.resolved(for: serviceProvider.configuration.acsURLs)
        self.serviceProvider = serviceProvider
        self.options = options
        self.session = session ?? .vaporSession(now: now)
        self.now = now
    }

    /// The path that starts a login landing on `returnTo` afterwards, e.g.
    /// `/saml/login?returnTo=%2Finbox`. Unsafe return-to values are replaced by the façade anyway.
    public func loginPath(returnTo: String? = nil, identityProvider: String? = nil) -> String {
        var query: [String] = []
        if let returnTo { query.append("returnTo=" + Self.queryEscape(returnTo)) }
        if let identityProvider { query.append("idp=" + Self.queryEscape(identityProvider)) }
        let path = options.normalisedPrefix + "/login"
        return query.isEmpty ? path : path + "?" + query.joined(separator: "&")
    }

    /// Registers the routes under ``SAMLVaporOptions/pathPrefix``.
    public func boot(routes: any RoutesBuilder) throws {
        let prefix = options.normalisedPrefix.split(separator: "/").map { PathComponent(stringLiteral: String($0)) }
        let group = routes.grouped(prefix)
        group.get("login") { request in try await self.startLogin(request) }
        group.on(.POST, "acs", body: .stream) { request in try await self.finishLogin(request) }
        group.get("metadata") { request in try await self.metadata(request) }
        group.get("autosubmit.js") { _ in Self.autoSubmitScript() }
        group.get("logout") { request in try await self.logout(request) }
        group.on(.POST, "logout", body: .stream) { request in try await self.logout(request) }
        group.get("slo") { request in try await self.singleLogout(request, posted: false) }
        group.on(.POST, "slo", body: .stream) { request in try await self.singleLogout(request, posted: true) }
    }

    // MARK: - Handlers

    func startLogin(_ request: Request) async throws -> Response {
        do {
            let returnTo = request.query[String.self, at: "returnTo"]
            let idp = request.query[String.self, at: "idp"]
            let start = try await serviceProvider.login(idp: idp, returnTo: returnTo, options: options.loginOptions, now: now())
            let response = actionResponse(start.action, request: request)
            response.cookies[SAMLServiceProvider.stateCookieName] = stateCookie(start.browserState, expiresAt: start.expiresAt)
            return response
        } catch let error as SAMLError {
            return try await failure(error, request: request)
        }
    }

    func finishLogin(_ request: Request) async throws -> Response {
        let browserState = request.cookies[SAMLServiceProvider.stateCookieName]?.string
        let login: Login
        do {
            let form = try await readForm(request)
            guard let samlResponse = form.samlResponse, !samlResponse.isEmpty else {
                throw SAMLError(.invalidRequest, "The POST to the ACS carries no SAMLResponse.")
            }
            login = try await serviceProvider.finishLogin(samlResponse: samlResponse, relayState: form.relayState,
                                                          browserState: browserState, now: now())
        } catch let error as SAMLError {
            return try await failure(error, request: request)
        }
        request.logger.info("SAML sign-in", metadata: [
            "saml.idp": .string(login.issuer), "saml.assertion_id": .string(login.assertionID),
        ])
        let response: Response
        do {
            response = try await session.didLogin(login, request)
        } catch let error as SAMLError {
            return try await failure(error, request: request)
        }
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        response.cookies[SAMLServiceProvider.stateCookieName] = clearingCookie
        return response
    }

    func metadata(_ request: Request) async throws -> Response {
        do {
            let xml = try serviceProvider.metadata()
            var headers = HTTPHeaders()
            headers.replaceOrAdd(name: .contentType, value: "application/samlmetadata+xml; charset=utf-8")
            return Response(status: .ok, headers: headers, body: .init(string: xml))
        } catch let error as SAMLError {
            return try await failure(error, request: request)
        }
    }

    static func autoSubmitScript() -> Response {
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "text/javascript; charset=utf-8")
        headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=3600")
        return Response(status: .ok, headers: headers, body: .init(string: PostForm.autoSubmitScript))
    }

    /// `{prefix}/logout`: single logout through the IdP when possible, else a local logout.
    func logout(_ request: Request) async throws -> Response {
        let returnTo = request.query[String.self, at: "returnTo"]
        let login = try await session.currentLogin(request)
        if let login, serviceProvider.configuration.singleLogoutURL != nil {
            do {
                let start = try await serviceProvider.logout(login, returnTo: returnTo, now: now())
                try await session.endSession(request)
                let response = actionResponse(start.action, request: request)
                response.cookies[SAMLServiceProvider.logoutStateCookieName] = stateCookie(start.browserState, expiresAt: start.expiresAt)
                return response
            } catch let error as SAMLError {
                // The IdP cannot take part (no logout endpoint, no signing key): end the session here.
                request.logger.notice("SAML single logout not possible; ending the local session", metadata: [
                    "saml.code": .string(error.code.description), "saml.reason": .string(error.reason),
                ])
            }
        }
        try await session.endSession(request)
        let response = request.redirect(to: session.logoutRedirect, redirectType: .normal)
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }

    /// `{prefix}/slo`: the IdP's LogoutRequests and LogoutResponses, by HTTP-Redirect or HTTP-POST.
    func singleLogout(_ request: Request, posted: Bool) async throws -> Response {
        do {
            if posted {
                let form = try await readForm(request)
                if let samlRequest = form.samlRequest {
                    let action = try await serviceProvider.handleLogoutRequest(samlRequest: samlRequest, relayState: form.relayState, now: now()) {
                        try await session.endSessions($0, request)
                    }
                    return actionResponse(action, request: request)
                }
                if let samlResponse = form.samlResponse {
                    let result = try await serviceProvider.finishLogout(
                        samlResponse: samlResponse, relayState: form.relayState,
                        browserState: request.cookies[SAMLServiceProvider.logoutStateCookieName]?.string, now: now())
                    return loggedOut(result, request: request)
                }
                throw SAMLError(.invalidRequest, "The POST to the logout endpoint carries neither SAMLRequest nor SAMLResponse.")
            }
            // The raw query string as received: the redirect binding's signature covers its octets.
            let query = request.url.query ?? ""
            let names = Set(query.split(separator: "&").map { $0.prefix { $0 != "=" } })
            if names.contains("SAMLRequest") {
                let action = try await serviceProvider.handleLogoutRequest(redirectQuery: query, now: now()) {
                    try await session.endSessions($0, request)
                }
                return actionResponse(action, request: request)
            }
            if names.contains("SAMLResponse") {
                let result = try await serviceProvider.finishLogout(
                    redirectQuery: query, browserState: request.cookies[SAMLServiceProvider.logoutStateCookieName]?.string, now: now())
                return loggedOut(result, request: request)
            }
            throw SAMLError(.invalidRequest, "The logout endpoint was called with neither SAMLRequest nor SAMLResponse.")
        } catch let error as SAMLError {
            return try await failure(error, request: request)
        }
    }

    // MARK: - Pieces

    func loggedOut(_ result: LogoutResult, request: Request) -> Response {
        let response = request.redirect(to: result.returnTo, redirectType: .normal)
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        response.cookies[SAMLServiceProvider.logoutStateCookieName] = clearingCookie
        return response
    }

    func readForm(_ request: Request) async throws -> SAMLFormBody {
        let body: ByteBuffer?
        do {
            body = try await request.body.collect(max: options.maximumBodyBytes).get()
        } catch {
            throw SAMLError(.tooLarge, "The posted form is larger than \(options.maximumBodyBytes) bytes.")
        }
        guard let body else { throw SAMLError(.invalidRequest, "The POST carries no form body.") }
        return try SAMLFormBody(bytes: Array(body.readableBytesView), maximumBytes: options.maximumBodyBytes)
    }

    /// A redirect (302) or the HTTP-POST binding page, never cached.
    func actionResponse(_ action: LoginStart.Action, request: Request) -> Response {
        let response: Response
        switch action {
        case .redirect(let url):
            response = request.redirect(to: url, redirectType: .normal)
        case .post(let form):
            response = postPage(form)
        }
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }

    /// The HTTP-POST binding page with a Content-Security-Policy that allows exactly its script.
    func postPage(_ form: PostForm) -> Response {
        let page = form.page(script: options.postFormScript, scriptURL: options.normalisedPrefix + "/autosubmit.js")
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "text/html; charset=utf-8")
        headers.replaceOrAdd(name: "Content-Security-Policy", value: page.contentSecurityPolicy)
        return Response(status: .ok, headers: headers, body: .init(string: page.html))
    }

    func stateCookie(_ value: String, expiresAt: Date) -> HTTPCookies.Value {
        let maxAge = max(1, Int(expiresAt.timeIntervalSince(now()).rounded(.down)))
        return cookieSecurity.cookie(value, maxAge: maxAge, path: options.normalisedPrefix)
    }

    var clearingCookie: HTTPCookies.Value {
        cookieSecurity.cookie("", maxAge: 0, path: options.normalisedPrefix)
    }

    /// Logs the refusal with a correlation ID and renders the error page.
    func failure(_ error: SAMLError, request: Request) async throws -> Response {
        let correlationID = SignInFailurePage.newCorrelationID()
        request.logger.notice("SAML sign-in failed", metadata: [
            "saml.code": .string(error.code.description), "saml.reason": .string(error.reason),
            "saml.correlation_id": .string(correlationID),
        ])
        let failure = SAMLVaporFailure(
            error: error, correlationID: correlationID, retryPath: options.normalisedPrefix + "/login", page: options.errorPage,
            clearCookies: [(SAMLServiceProvider.stateCookieName, clearingCookie), (SAMLServiceProvider.logoutStateCookieName, clearingCookie)])
        return try await failure.encodeResponse(for: request)
    }

    static func queryEscape(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~/")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}
#endif
