#if Hummingbird
@_exported public import SAMLWeb
public import Foundation
public import Hummingbird
import HTTPTypes
public import SAMLLogin

/// The options of ``SAMLRoutes``: the web layer's, shared with every framework.
public typealias SAMLRouteOptions = SAMLWebOptions

/// The SAML endpoints of a Hummingbird app, as one value: add them to a router and the app can
/// sign users in and out through its identity providers.
///
/// ```swift
/// let sessions = try SAMLCookieSession(secret: sessionSecret, for: serviceProvider)
/// let saml = try SAMLRoutes<BasicRequestContext>(serviceProvider: serviceProvider, session: .cookie(sessions))
/// saml.addRoutes(to: router)   // GET /saml/login, POST /saml/acs, GET /saml/metadata[/{id}], GET /saml/autosubmit.js,
///                              // GET|POST /saml/logout, GET|POST /saml/slo, GET /saml/test, /admin/identity-providers
/// ```
///
/// The routes are the web layer's `SAMLWebRoutes`: every rule (cookies, forms, CSRF, single
/// logout, the error page) lives there, the same for every framework. This type only translates
/// Hummingbird's requests and responses; the hook (`SAMLSessionHook`) receives the request's
/// `Context`.
public struct SAMLRoutes<Context: RequestContext>: Sendable {
    /// The framework-neutral routes these serve.
    public let web: SAMLWebRoutes<Context>

    /// Creates the routes.
    ///
    /// - Throws: `SAMLError` `.invalidConfiguration` when an ACS URL is not served by these
    ///   routes (its path must be `{prefix}/acs`), when the logout URL is not `{prefix}/slo`, or
    ///   when plain http is used off loopback.
    /// - Parameters:
    ///   - serviceProvider: the façade.
    ///   - options: paths, form script, cookies, limits, error page, admin API.
    ///   - session: the session seam.
    ///   - admin: who may use the admin API (`/admin/identity-providers`); nil refuses it (403).
    public init(serviceProvider: SAMLServiceProvider, options: SAMLRouteOptions = SAMLRouteOptions(),
                session: SAMLSessionHook<Context>, admin: SAMLAdminAuthorization<Context>? = nil) throws {
        web = try SAMLWebRoutes(serviceProvider: serviceProvider, options: options, session: session, admin: admin)
    }

    /// The façade every route calls.
    public var serviceProvider: SAMLServiceProvider { web.serviceProvider }
    /// The cookie names and attributes, resolved from the ACS URLs.
    public var cookiePolicy: SAMLCookiePolicy { web.cookiePolicy }

    /// The path that starts a login landing on `returnTo` afterwards, e.g. `/saml/login?returnTo=%2Finbox`.
    public func loginPath(returnTo: String? = nil, identityProvider: String? = nil) -> String {
        web.loginPath(returnTo: returnTo, identityProvider: identityProvider)
    }

    /// Adds the routes to `router` under `SAMLWebOptions.pathPrefix`.
    public func addRoutes(to router: some RouterMethods<Context>) {
        web.router.addRoutes(to: router)
    }
}

extension SAMLWebRouter where Context: RequestContext {
    /// Registers every route with Hummingbird's `router`; each request is translated into a
    /// `SAMLWebRequest` (its body collected up to `maximumBodyBytes`) and the answer back.
    public func addRoutes(to router: some RouterMethods<Context>) {
        for route in routes {
            let method: HTTPRequest.Method = switch route.method {
            case .get: .get
            case .post: .post
            case .put: .put
            case .delete: .delete
            case .patch: .patch
            }
            router.on(RouterPath(route.pattern), method: method) { request, context in
                try await self.answer(request, context: context)
            }
        }
    }

    func answer(_ request: Request, context: Context) async throws -> Response {
        var request = request
        var body: [UInt8] = []
        var tooLarge = false
        do {
            body = Array(try await request.collectBody(upTo: maximumBodyBytes).readableBytesView)
        } catch {
            tooLarge = true
        }
        let web = SAMLWebRequest(hummingbird: request, context: context, body: body, bodyTooLarge: tooLarge)
        guard let answer = try await respond(to: web, context: context) else {
            throw HTTPError(.notFound)
        }
        return Response(answer)
    }
}

extension SAMLWebRequest {
    /// The neutral view of a Hummingbird request.
    init(hummingbird request: Request, context: some RequestContext, body: [UInt8] = [], bodyTooLarge: Bool = false) {
        let method: Method = switch request.method {
        case .post: .post
        case .put: .put
        case .delete: .delete
        case .patch: .patch
        default: .get
        }
        self.init(method: method, path: request.uri.path, rawQuery: request.uri.query,
                  headers: request.headers.map { ($0.name.canonicalName, $0.value) },
                  body: body, bodyTooLarge: bodyTooLarge, logger: context.logger)
    }
}

extension Response {
    /// Hummingbird's response for a neutral one (each cookie one `Set-Cookie`).
    public init(_ response: SAMLWebResponse) {
        var fields = HTTPFields()
        for (name, value) in response.headers {
            if let field = HTTPField.Name(name) { fields.append(HTTPField(name: field, value: value)) }
        }
        for cookie in response.cookies { fields.append(HTTPField(name: .setCookie, value: cookie.headerValue)) }
        self.init(status: HTTPResponse.Status(code: response.status), headers: fields,
                  body: ResponseBody(byteBuffer: ByteBuffer(bytes: response.body)))
    }
}

extension SAMLCookieSession {
    /// The login in a Hummingbird request's session cookie (see `login(from:now:)`).
    public func login(from request: Request, now: Date = Date()) -> Login? {
        login(from: SAMLWebRequest(method: .get, path: request.uri.path, rawQuery: nil,
                                   headers: request.headers.map { ($0.name.canonicalName, $0.value) }), now: now)
    }
}
#endif
