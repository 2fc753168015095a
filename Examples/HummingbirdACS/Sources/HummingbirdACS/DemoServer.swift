import Foundation
import Hummingbird
import Logging
import SAML
import SAMLHummingbird
import SAMLTesting

/// Puts the demo together: SP routes, session, landing pages, the test IdP and the connection test.
enum DemoServer {
    static func application(_ settings: DemoSettings) throws -> some ApplicationProtocol {
        let base = settings.baseURL
        let acsURL = base + "/saml/acs"
        let spKey = try DemoOnlyCredentials.serviceProvider()  // DEMO ONLY: published key
        let stateSecrets = try settings.sessionSecret.map { [try StateSecret($0)] } ?? []

        let sloURL = base + "/saml/slo"
        var registration = TestIdentityProvider.ServiceProviderRegistration(
            entityID: acsURL, acsURLs: [acsURL, base + "/test-connection/acs"], signingCertificates: [spKey.certificate])
        registration.singleLogoutURL = sloURL  // the IdP answers the SP's LogoutRequests there
        let testIdP = try TestIdentityProvider.demo(baseURL: base + "/idp", wantAuthnRequestsSigned: true, serviceProviders: [registration])

        let configuration = SAMLServiceProvider.Configuration(
            acsURL: acsURL, identityProviders: [TrustedIdentityProvider(testIdP.identityProvider)],
            signingKey: spKey, decryptionKeys: [spKey], stateSecrets: stateSecrets,
            singleLogoutURL: sloURL)
        // --store memory: the process-wide in-memory request tracker and replay store
        let serviceProvider = try SAMLServiceProvider(configuration: configuration)
        let sessions = try settings.sessionSecret.map { try SAMLCookieSession(secret: $0, for: serviceProvider) }
            ?? SAMLCookieSession.random(secure: base.lowercased().hasPrefix("https://"))
        let routes = try SAMLRoutes<BasicRequestContext>(
            serviceProvider: serviceProvider, options: SAMLRouteOptions(errorPage: DemoPages.errorPage), session: .cookie(sessions))

        let router = Router()
        router.add(middleware: LogRequestsMiddleware(.debug))
        routes.addRoutes(to: router)
        DemoIdentityProvider(idp: testIdP, encryptionCertificate: spKey.certificate).addRoutes(to: router)
        TestConnection(baseURL: base, entityID: configuration.entityID, signingKey: spKey, stateSecrets: stateSecrets,
                       cookieSecurity: routes.cookieSecurity).addRoutes(to: router)

        // /login?returnTo=/some/path starts a login that lands there (unsafe targets land on /)
        router.get("login") { request, _ in
            Response.redirect(to: routes.loginPath(returnTo: request.uri.queryParameters["returnTo"].map(String.init)), type: .found)
        }
        // where "Sign out" lands once the IdP has answered (public)
        router.get("signed-out") { request, _ in
            DemoPages.signedOut(stillSignedIn: sessions.login(from: request) != nil)
        }
        // everything else is the protected area: the landing page for a session, else a login
        let protected: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
            guard let login = sessions.login(from: request) else {
                var path = request.uri.path
                if let query = request.uri.query, !query.isEmpty { path += "?" + query }
                return Response.redirect(to: routes.loginPath(returnTo: path), type: .found)
            }
            return DemoPages.landing(login, path: request.uri.path)
        }
        router.get("/", use: protected)
        router.get("**", use: protected)

        var logger = Logger(label: "saml-demo")
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: settings.port)), logger: logger)
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? SAMLError { return "\(error.reason) (\(error.code))" }
        return String(describing: error)
    }
}
