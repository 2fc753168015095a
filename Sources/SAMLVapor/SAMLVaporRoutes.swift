#if Vapor
@_exported public import SAMLWeb
public import Foundation
public import SAMLLogin
public import Vapor

/// The options of ``SAMLVaporRoutes``: the web layer's, shared with every framework.
public typealias SAMLVaporOptions = SAMLWebOptions

/// The SAML endpoints of a Vapor app, as a `RouteCollection`: register it and the app can sign
/// users in and out through its identity providers.
///
/// ```swift
/// app.middleware.use(SAMLSessionCookieLifetime())      // caps the session cookie at the login's expiry
/// app.middleware.use(app.sessions.middleware)
/// app.middleware.use(SAMLSessionAuthenticator())
/// try app.register(collection: SAMLVaporRoutes(serviceProvider: serviceProvider))
/// // GET /saml/login, POST /saml/acs, GET /saml/metadata[/{id}], GET /saml/autosubmit.js,
/// // GET|POST /saml/logout, GET|POST /saml/slo, GET /saml/test, /admin/identity-providers
/// ```
///
/// The routes are the web layer's `SAMLWebRoutes`: every rule (cookies, forms, CSRF, single
/// logout, the error page) lives there, the same for every framework. This type only translates
/// Vapor's requests and responses; the hook (`SAMLSessionHook`) receives the Vapor `Request`,
/// by default `SAMLSessionHook/vaporSession(key:logoutRedirect:now:)`.
public struct SAMLVaporRoutes: RouteCollection, Sendable {
    /// The framework-neutral routes these serve.
    public let web: SAMLWebRoutes<Request>

    /// Creates the routes.
    ///
    /// - Parameters:
    ///   - serviceProvider: the façade.
    ///   - options: paths, form script, cookies, limits, error page.
    ///   - session: the session seam; default Vapor's `req.session`.
    ///   - admin: who may use the admin API (`/admin/identity-providers`); nil refuses it (403).
    ///   - now: the clock handed to the façade's `now:` parameters.
    /// - Throws: `SAMLError` `.invalidConfiguration` when an ACS URL is not served by these
    ///   routes (its path must be `{prefix}/acs`), when the logout URL is not `{prefix}/slo`, or
    ///   when plain http is used off loopback.
    public init(serviceProvider: SAMLServiceProvider, options: SAMLVaporOptions = SAMLVaporOptions(),
                session: SAMLSessionHook<Request>? = nil, admin: SAMLAdminAuthorization<Request>? = nil,
                now: @escaping @Sendable () -> Date = { Date() }) throws {
        web = try SAMLWebRoutes(serviceProvider: serviceProvider, options: options, session: session ?? .vaporSession(now: now),
                                admin: admin, now: now)
    }

    /// The façade every route calls.
    public var serviceProvider: SAMLServiceProvider { web.serviceProvider }

    /// The path that starts a login landing on `returnTo` afterwards, e.g. `/saml/login?returnTo=%2Finbox`.
    public func loginPath(returnTo: String? = nil, identityProvider: String? = nil) -> String {
        web.loginPath(returnTo: returnTo, identityProvider: identityProvider)
    }

    /// Registers the routes.
    public func boot(routes: any RoutesBuilder) throws {
        web.router.register(on: routes)
    }
}

extension SAMLWebRouter where Context == Request {
    /// Registers every route with Vapor; each request is translated into a `SAMLWebRequest` (its
    /// body collected up to `maximumBodyBytes`) and the answer back.
    public func register(on routes: any RoutesBuilder) {
        for route in self.routes {
            let method: HTTPMethod = switch route.method {
            case .get: .GET
            case .post: .POST
            case .put: .PUT
            case .delete: .DELETE
            case .patch: .PATCH
            }
            let path: [PathComponent] = route.segments.map { segment in
                switch segment {
                case .literal(let text): .constant(text)
                case .parameter(let name): .parameter(name)
                }
            }
            routes.on(method, path, body: .stream) { request in try await self.answer(request) }
        }
    }

    func answer(_ request: Request) async throws -> Response {
        var body: [UInt8] = []
        var tooLarge = false
        do {
            if let buffer = try await request.body.collect(max: maximumBodyBytes).get() { body = Array(buffer.readableBytesView) }
        } catch {
            tooLarge = true
        }
        let method: SAMLWebRequest.Method = switch request.method {
        case .POST: .post
        case .PUT: .put
        case .DELETE: .delete
        case .PATCH: .patch
        default: .get
        }
        let web = SAMLWebRequest(method: method, path: request.url.path, rawQuery: request.url.query,
                                 headers: request.headers.map { ($0.name, $0.value) }, body: body, bodyTooLarge: tooLarge,
                                 logger: request.logger)
        guard let answer = try await respond(to: web, context: request) else { throw Abort(.notFound) }
        var headers = HTTPHeaders(answer.headers.map { ($0.name, $0.value) })
        for cookie in answer.cookies { headers.add(name: .setCookie, value: cookie.headerValue) }
        return Response(status: HTTPResponseStatus(statusCode: answer.status), headers: headers, body: .init(data: Data(answer.body)))
    }
}
#endif
