import Foundation
import Hummingbird
import Logging
import PostgresNIO
import SAML
import SAMLHummingbird
import SAMLPostgres
import SAMLTesting
import ServiceLifecycle

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
        var logger = Logger(label: "saml-demo")
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info

        // --store memory: the process-wide in-memory request tracker and replay store;
        // --store postgres://…: both on the database, shared by every instance using it, and a
        // login finished with one statement (consume the request, record the assertion)
        let store = try settings.postgres.map { try PostgresStore(configuration: $0, description: settings.storeDescription, logger: logger) }
        let serviceProvider = try store.map { try SAMLServiceProvider(configuration: configuration, stateStore: $0.loginState) }
            ?? SAMLServiceProvider(configuration: configuration)
        let sessions = try settings.sessionSecret.map { try SAMLCookieSession(secret: $0, for: serviceProvider) }
            ?? SAMLCookieSession.random(secure: base.lowercased().hasPrefix("https://"))
        let routes = try SAMLRoutes<BasicRequestContext>(
            serviceProvider: serviceProvider, options: SAMLRouteOptions(errorPage: DemoPages.errorPage), session: .cookie(sessions))

        let router = Router()
        router.add(middleware: LogRequestsMiddleware(.debug))
        routes.addRoutes(to: router)
        DemoIdentityProvider(idp: testIdP, encryptionCertificate: spKey.certificate).addRoutes(to: router)
        TestConnection(baseURL: base, entityID: configuration.entityID, signingKey: spKey, stateSecrets: stateSecrets,
                       cookieSecurity: routes.cookiePolicy).addRoutes(to: router)

        // /login?returnTo=/some/path starts a login that lands there (unsafe targets land on /)
        router.get("login") { request, _ in
            Response.redirect(to: routes.loginPath(returnTo: request.uri.queryParameters["returnTo"].map(String.init)), type: .found)
        }
        // where "Sign out" lands once the IdP has answered (public)
        router.get("signed-out") { request, _ in
            DemoPages.signedOut(stillSignedIn: sessions.login(from: request) != nil)
        }
        // browsers fetch this on every site by themselves: answering it with a login would start
        // a new login behind the user's back, whose login state cookie replaces the one of the
        // login in progress (which then fails with inResponseToMismatch)
        router.get("favicon.ico") { _, _ in
            Response(status: .notFound, headers: [.cacheControl: "public, max-age=86400"])
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

        let ready = "Demo running at \(settings.baseURL)/ (listening on 127.0.0.1:\(settings.port), store: \(settings.storeDescription))\n"
        var app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: settings.port)),
                              onServerRunning: { _ in FileHandle.standardOutput.write(Data(ready.utf8)) }, logger: logger)
        if let store {
            // the pool and the purge run beside the server; the tables exist before it accepts a request
            app.addServices(store.client, store.purge)
            app.beforeServerStarts { try await store.migrate() }
        }
        return app
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? StoreUnreachable { return error.message }
        if let error = error as? SAMLError { return "\(error.reason) (\(error.code))" }
        return String(describing: error)
    }
}

/// `--store postgres://…`: the login state store (requests and used assertions) on one `PostgresClient`, its
/// start-up migration and the periodic purge of expired rows.
struct PostgresStore: Sendable {
    let client: PostgresClient
    let loginState: PostgresLoginStateStore
    let purge: PostgresStatePurgeService
    let description: String

    init(configuration: PostgresClient.Configuration, description: String, logger: Logger) throws {
        var configuration = configuration
        configuration.options.maximumConnections = 8
        configuration.options.connectTimeout = .seconds(3)
        client = PostgresClient(configuration: configuration)
        loginState = try PostgresLoginStateStore(client: client)
        purge = PostgresStatePurgeService(purger: PostgresStatePurger(requestTracker: loginState.requests, replayStore: loginState.assertions), logger: logger)
        self.description = description
    }

    /// Creates the tables if they are missing (idempotent; instances starting together wait for
    /// each other). Gives up after 5 seconds with a message naming the database.
    func migrate() async throws {
        do {
            try await PostgresStateSchema.migrate(client: client, configuration: PostgresStoreConfiguration(queryTimeout: .seconds(5)))
        } catch let error as SAMLError {
            let problem = error.libraryMessage.map { "it answered with an error (\($0))" } ?? "it did not answer within 5 seconds"
            throw StoreUnreachable(message: """
                cannot use the PostgreSQL store \(description) to create its tables: \(problem), so the server does not start.
                Check that the database is running and reachable, and that the URL names the right user, password and database.
                """)
        }
    }
}

/// The PostgreSQL store could not be prepared at start-up.
struct StoreUnreachable: Error {
    let message: String
}
