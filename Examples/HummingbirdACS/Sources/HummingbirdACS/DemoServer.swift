import Foundation
import Hummingbird
import Logging
#if PostgreSQL
import PostgresNIO
#endif
import SAML
import SAMLHummingbird
#if PostgreSQL
import SAMLPostgres
#endif
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

        // the IdPs live in a directory the admin API changes while the server runs; the test IdP is its first entry
        let configuration = SAMLServiceProvider.Configuration(
            acsURL: acsURL, identityProviders: [],
            signingKey: spKey, decryptionKeys: [spKey], stateSecrets: stateSecrets,
            singleLogoutURL: sloURL)
        let demoRecord = IdentityProviderRecord(id: "demo", name: "Demo test IdP", metadataXML: testIdP.metadata())
        var logger = Logger(label: "saml-demo")
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info

        // --store memory: the process-wide in-memory request tracker and replay store;
        // --store postgres://…: both on the database, shared by every instance using it, and a
        // login finished with one statement (consume the request, record the assertion)
        #if PostgreSQL
        let store = try settings.postgres.map { try PostgresStore(configuration: $0, description: settings.storeDescription, logger: logger) }
        // with --store postgres://… the directory is on the database too: an IdP added through one
        // instance is seen by every other within its maximum age (2 s)
        let directory: any IdentityProviderDirectory = try store?.directory
            ?? InMemoryIdentityProviderDirectory([IdentityProviderEntry(record: demoRecord)])
        let serviceProvider = try store.map { try SAMLServiceProvider(configuration: configuration, stateStore: $0.loginState, directory: directory) }
            ?? SAMLServiceProvider(configuration: configuration, directory: directory)
        #else
        let directory: any IdentityProviderDirectory = try InMemoryIdentityProviderDirectory([IdentityProviderEntry(record: demoRecord)])
        let serviceProvider = try SAMLServiceProvider(configuration: configuration, directory: directory)
        #endif
        // bound to the façade: a session whose IdP was removed or disabled is refused at its next request
        var generator = SystemRandomNumberGenerator()
        let randomSecret = Data((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }).base64EncodedString()
        let sessions = try SAMLCookieSession(secret: settings.sessionSecret ?? randomSecret, for: serviceProvider)
        // IdPs added by metadata URL: fetched at once by the admin API, then refreshed every 5 minutes,
        // with Foundation's URLSession under the library fetcher's rules (MetadataDownload.swift)
        let fetch = MetadataDownload(timeout: 10).fetch
        let admin = try settings.adminToken.map { try SAMLAdminAuthorization<BasicRequestContext>.bearerToken($0) }
        let routes = try SAMLRoutes<BasicRequestContext>(
            serviceProvider: serviceProvider,
            options: SAMLRouteOptions(errorPage: DemoPages.errorPage, admin: SAMLAdminOptions(fetchMetadata: fetch)),
            session: .cookie(sessions), admin: admin)
        let refresher = IdentityProviderMetadataRefresher(directory: directory, fetch: fetch)

        let router = Router()
        router.add(middleware: LogRequestsMiddleware(.debug))
        routes.addRoutes(to: router)
        DemoIdentityProvider(idp: testIdP, encryptionCertificate: spKey.certificate).addRoutes(to: router)
        AdminPage.addRoutes(to: router)
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

        var ready = "Demo running at \(settings.baseURL)/ (listening on 127.0.0.1:\(settings.port), store: \(settings.storeDescription))\n"
        if admin != nil { ready += "Admin page: \(settings.baseURL)/admin (API \(settings.baseURL)/admin/identity-providers, bearer token as given)\n" }
        var app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: settings.port)),
                              onServerRunning: { [ready] _ in FileHandle.standardOutput.write(Data(ready.utf8)) }, logger: logger)
        app.addServices(MetadataRefreshService(refresher: refresher))
        #if PostgreSQL
        if let store {
            // the pool, the purge and the directory's refresh run beside the server; the tables exist and
            // hold the test IdP before it accepts a request
            app.addServices(store.client, store.purge, store.directory)
            app.beforeServerStarts {
                try await store.migrate()
                try await store.addIfMissing(demoRecord)
            }
        }
        #endif
        return app
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? StoreUnreachable { return error.message }
        if let error = error as? SAMLError { return "\(error.reason) (\(error.code))" }
        return String(describing: error)
    }
}

#if PostgreSQL
/// `--store postgres://…`: the login state store (requests and used assertions) on one `PostgresClient`, its
/// start-up migration and the periodic purge of expired rows.
struct PostgresStore: Sendable {
    let client: PostgresClient
    let loginState: PostgresLoginStateStore
    let directory: PostgresIdentityProviderDirectory
    let purge: PostgresStatePurgeService
    let description: String

    init(configuration: PostgresClient.Configuration, description: String, logger: Logger) throws {
        var configuration = configuration
        configuration.options.maximumConnections = 8
        configuration.options.connectTimeout = .seconds(3)
        client = PostgresClient(configuration: configuration)
        loginState = try PostgresLoginStateStore(client: client)
        directory = try PostgresIdentityProviderDirectory(client: client)
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
#endif

/// Refreshes the directory's IdPs added by metadata URL every 5 minutes, until shutdown.
struct MetadataRefreshService: Service {
    let refresher: IdentityProviderMetadataRefresher

    func run() async throws {
        await cancelWhenGracefulShutdown { await refresher.run(every: .seconds(300)) }
    }
}

#if PostgreSQL
extension PostgresStore {
    /// Adds `record` unless the directory has an entry with its ID (instances starting together
    /// may both try; the second is refused as a duplicate, which is fine).
    func addIfMissing(_ record: IdentityProviderRecord) async throws {
        guard try await directory.snapshot().entry(id: record.id) == nil else { return }
        do {
            _ = try await directory.add(record)
        } catch let error as IdentityProviderInputError where error.field == "id" || error.error.code == .duplicateEntityID {
            return
        }
    }
}
#endif

/// The PostgreSQL store could not be prepared at start-up.
struct StoreUnreachable: Error {
    let message: String
}
