#if Hummingbird
import Foundation
public import Hummingbird
import Logging
import SAMLCore
public import SAMLLogin
import SAMLXMLSec

/// The SAML endpoints of a Hummingbird app, as one value: add them to a router and the app can
/// sign users in through its identity providers.
///
/// ```swift
/// let sessions = try SAMLCookieSession(secret: sessionSecret, for: serviceProvider)
/// let saml = try SAMLRoutes<BasicRequestContext>(serviceProvider: serviceProvider, session: .cookie(sessions))
/// saml.addRoutes(to: router)   // GET /saml/login, POST /saml/acs, GET /saml/metadata, GET /saml/autosubmit.js,
///                              // GET|POST /saml/logout, GET|POST /saml/slo
/// ```
///
/// Every SAML decision stays in ``SAMLServiceProvider``; these routes only turn requests into
/// its inputs and its results or errors into responses:
///
/// - `GET {prefix}/login?returnTo=/path[&idp=entityID]` starts a login: a redirect to the IdP, or
///   a page that posts the request to it under a strict Content-Security-Policy, and the login
///   state cookie (``SAMLServiceProvider/stateCookieName``, `HttpOnly`, `Secure; SameSite=None`
///   over https, `SameSite=Lax` over plain-http loopback).
/// - `POST {prefix}/acs` finishes it, clears the state cookie and hands the ``Login`` to the
///   ``SAMLSessionHook``, which decides what the app does with it.
/// - `GET {prefix}/metadata` publishes this SP's metadata.
/// - `GET {prefix}/autosubmit.js` serves ``PostForm/autoSubmitScript``.
/// - `GET|POST {prefix}/logout[?returnTo=/path]` ends the session: through the IdP (SP-initiated
///   single logout: the local session ends first, then the browser carries a signed
///   LogoutRequest to the IdP, with the logout state cookie
///   ``SAMLServiceProvider/logoutStateCookieName``, same attributes as the login state cookie)
///   when this SP has a logout URL, the hook knows the session's ``Login`` and the IdP has a
///   logout endpoint; else locally through the hook's `didLogout`.
/// - `GET|POST {prefix}/slo` is that logout URL: an IdP's LogoutRequest is verified (by
///   HTTP-Redirect over the raw query string as received, never re-encoded), the sessions it names
///   end through the hook, and a signed LogoutResponse goes back; an IdP's LogoutResponse finishes
///   an SP-initiated logout (once) and clears the logout state cookie.
///
/// A refused login becomes a ``SAMLSignInFailure``: an HTML page with a correlation ID (by
/// default nothing more), while the code and reason go to the request's `Logger`.
public struct SAMLRoutes<Context: RequestContext>: Sendable {
    /// The façade every route calls.
    public let serviceProvider: SAMLServiceProvider
    /// Paths, cookies, the POST form's script and the error page.
    public let options: SAMLRouteOptions
    /// What happens after a login and at logout.
    public let session: SAMLSessionHook<Context>
    /// The cookie attributes, derived from the ACS URLs.
    public let cookieSecurity: SAMLCookieSecurity

    /// Creates the routes.
    ///
    /// - Throws: `SAMLError` `.invalidConfiguration` when an ACS URL is not served by these
    ///   routes (its path must be `{prefix}/acs`), when the logout URL is not `{prefix}/slo`, or
    ///   when plain http is used off loopback.
    public init(serviceProvider: SAMLServiceProvider, options: SAMLRouteOptions = SAMLRouteOptions(),
                session: SAMLSessionHook<Context>) throws {
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
        self.cookieSecurity = try options.cookieSecurity.resolved(for: serviceProvider.configuration.acsURLs)
        self.serviceProvider = serviceProvider
        self.options = options
        self.session = session
    }

    /// The path that starts a login landing on `returnTo` afterwards, e.g.
    /// `/saml/login?returnTo=%2Finbox`. Unsafe return-to values are replaced at the ACS anyway.
    public func loginPath(returnTo: String? = nil, identityProvider: String? = nil) -> String {
        var query: [String] = []
        if let returnTo { query.append("returnTo=" + Self.queryEscape(returnTo)) }
        if let identityProvider { query.append("idp=" + Self.queryEscape(identityProvider)) }
        let path = options.normalisedPrefix + "/login"
        return query.isEmpty ? path : path + "?" + query.joined(separator: "&")
    }

    /// Adds the routes to `router` under ``SAMLRouteOptions/pathPrefix``.
    public func addRoutes(to router: some RouterMethods<Context>) {
        let group = router.group(RouterPath(options.normalisedPrefix))
        group.get("login") { request, context in try await self.startLogin(request, context: context) }
        group.post("acs") { request, context in try await self.finishLogin(request, context: context) }
        group.get("metadata") { request, context in try self.metadata(request, context: context) }
        group.get("autosubmit.js") { _, _ in Self.autoSubmitScript() }
        group.get("logout") { request, context in try await self.logout(request, context: context) }
        group.post("logout") { request, context in try await self.logout(request, context: context) }
        group.get("slo") { request, context in try await self.singleLogout(request, context: context, posted: false) }
        group.post("slo") { request, context in try await self.singleLogout(request, context: context, posted: true) }
    }

    // MARK: - Handlers

    func startLogin(_ request: Request, context: Context) async throws -> Response {
        let query = request.uri.queryParameters
        let returnTo = query["returnTo"].map(String.init)
        let idp = query["idp"].map(String.init)
        let start: LoginStart
        do {
            start = try await serviceProvider.login(idp: idp, returnTo: returnTo, options: options.loginOptions)
        } catch let error as SAMLError {
            throw failure(error, context: context)
        }
        let maxAge = max(1, Int(start.expiresAt.timeIntervalSinceNow.rounded(.down)))
        let stateCookie = cookieSecurity.cookie(name: SAMLServiceProvider.stateCookieName, value: start.browserState,
                                                maxAge: maxAge, path: options.normalisedPrefix)
        var response: Response
        switch start.action {
        case .redirect(let url):
            response = Response.redirect(to: url, type: .found)
        case .post(let form):
            response = postPage(form)
        }
        response.headers[.cacheControl] = "no-store"
        response.setCookie(stateCookie)
        return response
    }

    func finishLogin(_ request: Request, context: Context) async throws -> Response {
        var request = request
        let browserState = request.cookies[SAMLServiceProvider.stateCookieName]?.value
        let login: Login
        do {
            let body: ByteBuffer
            do {
                body = try await request.collectBody(upTo: options.maximumResponseBytes)
            } catch {
                throw SAMLError(.tooLarge, "The posted form is larger than \(options.maximumResponseBytes) bytes.")
            }
            let fields = FormFields(String(buffer: body))
            guard let samlResponse = fields.value("SAMLResponse"), !samlResponse.isEmpty else {
                throw SAMLError(.invalidRequest, "The POST to the ACS carries no SAMLResponse, or more than one.")
            }
            login = try await serviceProvider.finishLogin(samlResponse: samlResponse, relayState: fields.value("RelayState"),
                                                          browserState: browserState)
        } catch let error as SAMLError {
            throw failure(error, context: context)
        }
        context.logger.info("SAML sign-in", metadata: [
            "saml.idp": .string(login.issuer), "saml.assertion_id": .string(login.assertionID),
        ])
        var response: Response
        do {
            response = try await session.didLogin(login, request, context)
        } catch let error as SAMLError {
            throw failure(error, context: context)
        }
        response.headers[.cacheControl] = "no-store"
        response.setCookie(clearStateCookie)
        return response
    }

    /// `{prefix}/logout`: single logout through the IdP when possible, else a local logout.
    func logout(_ request: Request, context: Context) async throws -> Response {
        if serviceProvider.configuration.singleLogoutURL != nil, let login = try await session.currentLogin(request, context) {
            let returnTo = request.uri.queryParameters["returnTo"].map(String.init)
            do {
                let start = try await serviceProvider.logout(login, returnTo: returnTo)
                let cookies = try await session.endSession(request, context)
                var response = actionResponse(start.action)
                for cookie in cookies { response.setCookie(cookie) }
                let maxAge = max(1, Int(start.expiresAt.timeIntervalSinceNow.rounded(.down)))
                response.setCookie(cookieSecurity.cookie(name: SAMLServiceProvider.logoutStateCookieName, value: start.browserState,
                                                         maxAge: maxAge, path: options.normalisedPrefix))
                return response
            } catch let error as SAMLError {
                // The IdP cannot take part (no logout endpoint, no signing key): end the session here.
                context.logger.notice("SAML single logout not possible; ending the local session", metadata: [
                    "saml.code": .string(error.code.description), "saml.reason": .string(error.reason),
                ])
            }
        }
        return try await session.didLogout(request, context)
    }

    /// `{prefix}/slo`: the IdP's LogoutRequests and LogoutResponses, by HTTP-Redirect or HTTP-POST.
    func singleLogout(_ request: Request, context: Context, posted: Bool) async throws -> Response {
        var request = request
        let browserState = request.cookies[SAMLServiceProvider.logoutStateCookieName]?.value
        do {
            if posted {
                let body: ByteBuffer
                do {
                    body = try await request.collectBody(upTo: options.maximumResponseBytes)
                } catch {
                    throw SAMLError(.tooLarge, "The posted form is larger than \(options.maximumResponseBytes) bytes.")
                }
                let fields = FormFields(String(buffer: body))
                let samlRequest = fields.value("SAMLRequest"), samlResponse = fields.value("SAMLResponse")
                if let samlRequest, samlResponse == nil {
                    var cookies: [Cookie] = []
                    let action = try await serviceProvider.handleLogoutRequest(samlRequest: samlRequest, relayState: fields.value("RelayState")) {
                        let outcome = try await self.session.endSessions($0, request, context)
                        cookies = outcome.cookies
                        return outcome.ended
                    }
                    return answered(action, cookies: cookies)
                }
                if let samlResponse, samlRequest == nil {
                    let result = try await serviceProvider.finishLogout(samlResponse: samlResponse, relayState: fields.value("RelayState"),
                                                                        browserState: browserState)
                    return loggedOut(result)
                }
                throw SAMLError(.invalidRequest, "The POST to the logout endpoint carries neither one SAMLRequest nor one SAMLResponse.")
            }
            // The raw query string as received: the redirect binding's signature covers its octets.
            let query = request.uri.query ?? ""
            let names = Set(query.split(separator: "&").map { $0.prefix { $0 != "=" } })
            if names.contains("SAMLRequest"), !names.contains("SAMLResponse") {
                var cookies: [Cookie] = []
                let action = try await serviceProvider.handleLogoutRequest(redirectQuery: query) {
                    let outcome = try await self.session.endSessions($0, request, context)
                    cookies = outcome.cookies
                    return outcome.ended
                }
                return answered(action, cookies: cookies)
            }
            if names.contains("SAMLResponse"), !names.contains("SAMLRequest") {
                let result = try await serviceProvider.finishLogout(redirectQuery: query, browserState: browserState)
                return loggedOut(result)
            }
            throw SAMLError(.invalidRequest, "The logout endpoint was called with neither SAMLRequest nor SAMLResponse.")
        } catch let error as SAMLError {
            throw failure(error, context: context)
        }
    }

    func metadata(_ request: Request, context: Context) throws -> Response {
        let xml: String
        do {
            xml = try serviceProvider.metadata()
        } catch let error as SAMLError {
            throw failure(error, context: context)
        }
        return Response(status: .ok, headers: [.contentType: "application/samlmetadata+xml; charset=utf-8"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: xml)))
    }

    static func autoSubmitScript() -> Response {
        Response(status: .ok, headers: [.contentType: "text/javascript; charset=utf-8", .cacheControl: "public, max-age=3600"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: PostForm.autoSubmitScript)))
    }

    // MARK: - Pieces

    /// A redirect (302) or the HTTP-POST binding page, never cached.
    func actionResponse(_ action: LoginStart.Action) -> Response {
        var response: Response
        switch action {
        case .redirect(let url):
            response = Response.redirect(to: url, type: .found)
        case .post(let form):
            response = postPage(form)
        }
        response.headers[.cacheControl] = "no-store"
        return response
    }

    /// The answer to an IdP's LogoutRequest, with the cookies the hook set when ending sessions.
    func answered(_ action: LoginStart.Action, cookies: [Cookie]) -> Response {
        var response = actionResponse(action)
        for cookie in cookies { response.setCookie(cookie) }
        return response
    }

    /// Where an SP-initiated logout lands once the IdP answered; the logout state cookie cleared.
    func loggedOut(_ result: LogoutResult) -> Response {
        var response = Response.redirect(to: result.returnTo, type: .normal)
        response.headers[.cacheControl] = "no-store"
        response.setCookie(clearLogoutStateCookie)
        return response
    }

    /// The HTTP-POST binding page with a Content-Security-Policy that allows exactly its script.
    func postPage(_ form: PostForm) -> Response {
        let page = form.page(script: options.postFormScript, scriptURL: options.normalisedPrefix + "/autosubmit.js")
        return Response(status: .ok, headers: [
            .contentType: "text/html; charset=utf-8", .contentSecurityPolicy: page.contentSecurityPolicy,
        ], body: ResponseBody(byteBuffer: ByteBuffer(string: page.html)))
    }

    /// Logs the refusal with a correlation ID and turns it into the error page.
    func failure(_ error: SAMLError, context: Context) -> SAMLSignInFailure {
        let correlationID = SignInFailurePage.newCorrelationID()
        context.logger.notice("SAML sign-in failed", metadata: [
            "saml.code": .string(error.code.description), "saml.reason": .string(error.reason),
            "saml.correlation_id": .string(correlationID),
        ])
        return SAMLSignInFailure(error: error, correlationID: correlationID, retryPath: options.normalisedPrefix + "/login",
                                 page: options.errorPage, clearCookies: [clearStateCookie, clearLogoutStateCookie])
    }

    var clearStateCookie: Cookie {
        cookieSecurity.cookie(name: SAMLServiceProvider.stateCookieName, value: "", maxAge: 0, path: options.normalisedPrefix)
    }

    var clearLogoutStateCookie: Cookie {
        cookieSecurity.cookie(name: SAMLServiceProvider.logoutStateCookieName, value: "", maxAge: 0, path: options.normalisedPrefix)
    }

    static func queryEscape(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~/")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}

/// Scheme, host, port and path of an absolute http(s) URL, without Foundation's URL parser
/// quirks (enough for origins and path comparisons).
struct URLParts {
    let scheme: String
    let authority: String
    let path: String

    init?(_ url: String) {
        let lower = url.lowercased()
        if lower.hasPrefix("https://") { scheme = "https" } else if lower.hasPrefix("http://") { scheme = "http" } else { return nil }
        let rest = url.dropFirst(scheme.count + 3)
        let authorityPart = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard !authorityPart.isEmpty, !authorityPart.contains("@") else { return nil }
        authority = authorityPart.lowercased()
        let afterAuthority = rest.dropFirst(authorityPart.count)
        let pathPart = afterAuthority.prefix { $0 != "?" && $0 != "#" }
        path = pathPart.isEmpty ? "/" : String(pathPart)
    }

    /// `scheme://host[:port]`.
    var origin: String { scheme + "://" + authority }

    /// The host without port or IPv6 brackets.
    var host: String {
        if authority.hasPrefix("[") {
            return String(authority.dropFirst().prefix { $0 != "]" })
        }
        return String(authority.prefix { $0 != ":" })
    }

    /// Whether the host is this machine.
    var isLoopback: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}

/// `application/x-www-form-urlencoded` fields, decoded (`+` as space, percent escapes as UTF-8).
struct FormFields {
    private var pairs: [(String, String)] = []

    init(_ body: String) {
        for pair in body.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(parts[0])
            let value = parts.count > 1 ? Self.decode(parts[1]) : ""
            if let name, let value { pairs.append((name, value)) }
        }
    }

    /// The value of the single field `name`; nil when it is absent or repeated.
    func value(_ name: String) -> String? {
        let found = pairs.filter { $0.0 == name }
        return found.count == 1 ? found[0].1 : nil
    }

    private static func decode(_ text: Substring) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
#endif
