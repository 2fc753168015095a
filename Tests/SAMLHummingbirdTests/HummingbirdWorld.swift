#if Hummingbird
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import SAML
import SAMLHummingbird
import SAMLLogin
import SAMLTesting
import Synchronization
import Testing

/// An app with the SAML routes in front of the in-process test IdP, and helpers to drive it.
struct HummingbirdWorld {
    let baseURL: String
    let idp: TestIdentityProvider
    let serviceProvider: SAMLServiceProvider
    let session: SAMLCookieSession
    let routes: SAMLRoutes<BasicRequestContext>
    let logs = LogCapture()

    static let sessionSecret = "a session secret for the tests, longer than 32 characters"

    init(baseURL: String = "http://127.0.0.1:8080", options: SAMLRouteOptions = SAMLRouteOptions(),
         idpWantsSignedRequests: Bool = false, signingKey: SAMLKeyPair? = nil, singleLogout: Bool = false) throws {
        self.baseURL = baseURL
        // With single logout: the SP signs with the demo key and is registered with the IdP
        // (certificate and logout URL), which advertises its own logout endpoint.
        let spKey = singleLogout ? try DemoOnlyCredentials.serviceProvider() : signingKey
        var registrations: [TestIdentityProvider.ServiceProviderRegistration] = []
        if singleLogout, let spKey {
            var registration = TestIdentityProvider.ServiceProviderRegistration(
                entityID: baseURL + "/saml/acs", acsURLs: [baseURL + "/saml/acs"], signingCertificates: [spKey.certificate])
            registration.singleLogoutURL = baseURL + "/saml/slo"
            registrations.append(registration)
        }
        idp = try TestIdentityProvider.demo(baseURL: baseURL + "/idp", wantAuthnRequestsSigned: idpWantsSignedRequests,
                                            serviceProviders: registrations)
        let configuration = SAMLServiceProvider.Configuration(
            acsURL: baseURL + "/saml/acs", identityProviders: [TrustedIdentityProvider(idp.identityProvider)],
            signingKey: spKey, singleLogoutURL: singleLogout ? baseURL + "/saml/slo" : nil)
        serviceProvider = try SAMLServiceProvider(configuration: configuration, requestTracker: InMemoryRequestTracker(),
                                                  replayStore: InMemoryReplayStore())
        session = try SAMLCookieSession(secret: Self.sessionSecret, for: serviceProvider)
        routes = try SAMLRoutes(serviceProvider: serviceProvider, options: options, session: .cookie(session))
    }

    /// The app: the SAML routes, and `/me`, which shows the session's e-mail.
    func application() -> some ApplicationProtocol {
        let router = Router()
        routes.addRoutes(to: router)
        let session = self.session
        router.get("/me") { request, _ -> String in
            session.login(from: request).map { "signed in as \($0.email ?? $0.nameID.value)" } ?? "anonymous"
        }
        var logger = Logger(label: "saml-tests") { _ in logs }
        logger.logLevel = .debug
        return Application(router: router, logger: logger)
    }

    /// Starts a login in a browser: the redirect's Location and the state cookie.
    func startLogin(_ client: some TestClientProtocol, returnTo: String? = nil) async throws -> (location: String, stateCookie: String) {
        let uri = routes.loginPath(returnTo: returnTo)
        return try await client.execute(uri: uri, method: .get) { response in
            #expect(response.status == .found)
            let location = try #require(response.headers[.location])
            let cookie = try #require(Self.setCookie(SAMLServiceProvider.stateCookieName, in: response))
            return (location, Self.cookiePair(cookie))
        }
    }

    /// What the test IdP issues for `user` answering the request in `location`.
    func respond(to location: String, user: TestUser = .alice, broken: BrokenVariant? = nil) throws -> IssuedResponse {
        let request = try idp.receiveRedirect(url: location)
        return try idp.issueResponse(for: user, answering: request, options: ResponseOptions(broken: broken))
    }

    /// Posts a response to the ACS as a browser with `cookies` would.
    func postACS(_ client: some TestClientProtocol, _ response: IssuedResponse, cookies: [String]) async throws -> TestResponse {
        var body = "SAMLResponse=" + Self.formEscape(response.base64)
        if let relayState = response.relayState { body += "&RelayState=" + Self.formEscape(relayState) }
        var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
        if !cookies.isEmpty { headers[.cookie] = cookies.joined(separator: "; ") }
        return try await client.execute(uri: "/saml/acs", method: .post, headers: headers, body: ByteBuffer(string: body))
    }

    static func formEscape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
    }

    /// The `Set-Cookie` value for `name`, if the response sets it.
    static func setCookie(_ name: String, in response: TestResponse) -> String? {
        response.headers[values: .setCookie].first { $0.hasPrefix(name + "=") }
    }

    /// `name=value` of a `Set-Cookie` value.
    static func cookiePair(_ setCookie: String) -> String {
        String(setCookie.prefix { $0 != ";" })
    }

    /// The attributes of a `Set-Cookie` value, lower-cased names.
    static func attributes(_ setCookie: String) -> [String: String] {
        var result: [String: String] = [:]
        for part in setCookie.split(separator: ";").dropFirst() {
            let pieces = part.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            result[pieces[0].lowercased()] = pieces.count > 1 ? String(pieces[1]) : ""
        }
        return result
    }

    static func body(_ response: TestResponse) -> String {
        String(buffer: response.body)
    }
}

/// Collects log records so tests can check what was logged.
final class LogCapture: LogHandler, @unchecked Sendable {
    struct Record: Sendable {
        let level: Logger.Level
        let message: String
        let metadata: [String: String]
    }

    private let storage = Mutex<[Record]>([])
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .debug

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        storage.withLock { $0.append(Record(level: event.level, message: event.message.description, metadata: merged.mapValues(\.description))) }
    }

    var records: [Record] { storage.withLock { $0 } }
}
#endif
