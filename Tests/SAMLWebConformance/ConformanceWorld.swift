import Foundation
public import SAMLCore
public import SAMLLogin
public import SAMLTesting
public import SAMLWeb
import SAMLVerification
import SAMLRequests

/// A request a conformance case sends, as a browser would.
public struct ConformanceRequest: Sendable {
    /// `GET` or `POST`.
    public var method: SAMLWebRequest.Method
    /// Path and query, e.g. `/saml/login?returnTo=%2F`.
    public var uri: String
    /// Headers (`Cookie`, `Sec-Fetch-Site`, `Content-Type`, …).
    public var headers: [(name: String, value: String)]
    /// The body.
    public var body: String

    public init(_ method: SAMLWebRequest.Method, _ uri: String, headers: [(name: String, value: String)] = [], body: String = "") {
        self.method = method
        self.uri = uri
        self.headers = headers
        self.body = body
    }

    /// The path (before `?`).
    public var path: String { String(uri.prefix { $0 != "?" }) }
    /// The raw query (after `?`), if any.
    public var rawQuery: String? { uri.firstIndex(of: "?").map { String(uri[uri.index(after: $0)...]) } }
}

/// A response as the browser received it.
public struct ConformanceResponse: Sendable {
    public var status: Int
    /// Every header, `Set-Cookie` included (one per cookie).
    public var headers: [(name: String, value: String)]
    public var body: String

    public init(status: Int, headers: [(name: String, value: String)], body: String) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public func header(_ name: String) -> String? {
        headers.last { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// The `Set-Cookie` value for cookie `name`, if set.
    public func setCookie(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == "set-cookie" && $0.value.hasPrefix(name + "=") }?.value
    }

    /// `name=value` of the cookie set for `name`, if set with a non-empty value.
    public func cookiePair(_ name: String) -> String? {
        guard let cookie = setCookie(name) else { return nil }
        let pair = String(cookie.prefix { $0 != ";" })
        return pair == name + "=" ? nil : pair
    }

    /// Whether the response clears cookie `name` (`Max-Age=0`).
    public func clears(_ name: String) -> Bool {
        guard let cookie = setCookie(name) else { return false }
        return cookie.hasPrefix(name + "=;") && attributes(name)["max-age"] == "0"
    }

    /// The attributes of the cookie set for `name`, lower-cased names.
    public func attributes(_ name: String) -> [String: String] {
        var result: [String: String] = [:]
        for part in (setCookie(name) ?? "").split(separator: ";").dropFirst() {
            let pieces = part.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            result[pieces[0].lowercased()] = pieces.count > 1 ? String(pieces[1]) : ""
        }
        return result
    }
}

/// Sends requests to an app serving a world's routes: the neutral router itself or a framework.
public protocol ConformanceClient: Sendable {
    func send(_ request: ConformanceRequest) async throws -> ConformanceResponse
}

/// The SP, its IdPs and its cookie session that every conformance case runs against.
public struct ConformanceWorld: Sendable {
    public let baseURL: String
    public let idp: TestIdentityProvider
    /// A second IdP (configured when asked for), whose users may carry the same NameIDs.
    public let otherIdP: TestIdentityProvider?
    public let serviceProvider: SAMLServiceProvider
    public let session: SAMLCookieSession
    public let options: SAMLWebOptions
    /// Whether the admin API has an authorization hook (the bearer token ``adminToken``).
    public let hasAdmin: Bool
    /// An IdP whose metadata the admin API's fetch serves at ``tenantMetadataURL`` (directory worlds).
    public let tenantIdP: TestIdentityProvider

    /// The admin API's bearer token.
    public static let adminToken = "conformance-admin-token-0123456789"
    /// Where the admin API's fetch finds ``tenantIdP``'s metadata; any other URL does not answer.
    public static let tenantMetadataURL = "https://tenant.example/idp/metadata"
    /// The second ACS URL of a directory world (a regional endpoint).
    public static let regionalACS = "https://eu.sp.example.com/saml/acs"
    /// This SP's keys for the first IdP of a directory world: an active and a next pair of each use.
    public static let directoryKeys: Result<[ServiceProviderKeyRecord], any Error> = Result {
        var record = IdentityProviderRecord(id: "keys", name: "keys")
        try record.generateKeys(commonName: "sp.example.com")
        try record.generateKeys(commonName: "sp.example.com")
        return record.serviceProviderKeys
    }

    /// A base64 session secret for the tests (32 random bytes).
    public static let sessionSecret = "q83vEjRWeJq7zN7/ESIzRFVmd4iZqrvM3e7/ABEiM0Q="

    public init(baseURL: String = "http://127.0.0.1:8080", singleLogout: Bool = false, twoIdPs: Bool = false,
                firstIsDefault: Bool = false, idpWantsSignedRequests: Bool = false, signingKey: SAMLKeyPair? = nil,
                options: SAMLWebOptions = SAMLWebOptions(), directory: Bool = false, admin: Bool = true) throws {
        self.baseURL = baseURL
        let spKey = singleLogout ? try DemoOnlyCredentials.serviceProvider() : signingKey
        var registrations: [TestIdentityProvider.ServiceProviderRegistration] = []
        if let spKey {
            var registration = TestIdentityProvider.ServiceProviderRegistration(
                entityID: baseURL + "/saml/acs", acsURLs: [baseURL + "/saml/acs"], signingCertificates: [spKey.certificate])
            if singleLogout { registration.singleLogoutURL = baseURL + "/saml/slo" }
            registrations.append(registration)
        }
        if directory {
            let signing = try Self.directoryKeys.get().filter { $0.use == .signing }.map { try SAMLCertificate(pem: $0.certificatePEM) }
            registrations.append(.init(entityID: baseURL + "/saml/acs", acsURLs: [baseURL + "/saml/acs", Self.regionalACS], signingCertificates: signing))
        }
        idp = try TestIdentityProvider.demo(baseURL: baseURL + "/idp", wantAuthnRequestsSigned: idpWantsSignedRequests,
                                            serviceProviders: registrations)
        otherIdP = twoIdPs ? try TestIdentityProvider.demo(baseURL: baseURL + "/tenant-idp", serviceProviders: registrations) : nil
        let tenantIdP = try TestIdentityProvider.demo(baseURL: "https://tenant.example/idp")
        self.tenantIdP = tenantIdP
        self.hasAdmin = admin
        var options = options
        if firstIsDefault { options.defaultIdentityProvider = idp.entityID }
        options.admin.fetchMetadata = { url in
            guard url == Self.tenantMetadataURL else { throw SAMLError(.metadataUnavailable, "connection refused") }
            return Array(tenantIdP.metadata().utf8)
        }
        self.options = options
        let trusted = [idp, otherIdP].compactMap { $0 }.map { TrustedIdentityProvider($0.identityProvider) }
        var entries: [IdentityProviderEntry]?
        if directory {
            var record = IdentityProviderRecord(id: "main", name: "Main IdP", metadataXML: idp.metadata())
            record.serviceProviderKeys = try Self.directoryKeys.get()
            entries = [try IdentityProviderEntry(record: record)]
        }
        let configuration = SAMLServiceProvider.Configuration(
            acsURL: baseURL + "/saml/acs", additionalACSURLs: directory ? [Self.regionalACS] : [],
            identityProviders: directory ? [] : trusted, signingKey: spKey,
            singleLogoutURL: singleLogout ? baseURL + "/saml/slo" : nil, unsafeAllowsPublishedDemoKeys: true)
        serviceProvider = try SAMLServiceProvider(configuration: configuration, requestTracker: InMemoryRequestTracker(),
                                                  replayStore: InMemoryReplayStore(),
                                                  directory: try entries.map { try InMemoryIdentityProviderDirectory($0) })
        session = try SAMLCookieSession(secret: Self.sessionSecret, for: serviceProvider)
    }

    /// The SAML routes with the cookie session hook, as every integration serves them.
    public func routes<Context: Sendable>(_: Context.Type = Context.self) throws -> SAMLWebRoutes<Context> {
        try SAMLWebRoutes(serviceProvider: serviceProvider, options: options, session: .cookie(session), admin: try adminAuthorization())
    }

    /// The admin hook every integration is given: the bearer token, or none when the world has no admin.
    public func adminAuthorization<Context: Sendable>(_: Context.Type = Context.self) throws -> SAMLAdminAuthorization<Context>? {
        hasAdmin ? try .bearerToken(Self.adminToken) : nil
    }

    /// `idp` with this SP registered as the directory entry `id` has it: its SP signing certificates
    /// (as an IdP learns them from `/saml/metadata/{id}`).
    public func registering(_ idp: TestIdentityProvider, asEntry id: String) async throws -> TestIdentityProvider {
        let entry = try require(try await serviceProvider.directory.snapshot().entry(id: id), "no entry \(id)")
        let signing = try entry.record.serviceProviderKeys.filter { $0.use == .signing }.map { try SAMLCertificate(pem: $0.certificatePEM) }
        var idp = idp
        idp.serviceProviders = [.init(entityID: serviceProvider.configuration.entityID, acsURLs: serviceProvider.configuration.acsURLs,
                                      signingCertificates: signing)]
        return idp
    }

    /// The connection test cookie's name in this world.
    public var testStateCookieName: String { (try? routes(Int.self).testStateCookieName) ?? SAMLServiceProvider.testStateCookieName }

    /// The login state cookie's name in this world.
    public var stateCookieName: String { (try? routes(Int.self).stateCookieName) ?? SAMLServiceProvider.stateCookieName }
    /// The logout state cookie's name in this world.
    public var logoutStateCookieName: String { (try? routes(Int.self).logoutStateCookieName) ?? SAMLServiceProvider.logoutStateCookieName }

    /// `application/x-www-form-urlencoded` escaping.
    public static func formEscape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
    }

    /// The query of a URL.
    public static func query(of url: String) -> String {
        url.firstIndex(of: "?").map { String(url[url.index(after: $0)...]) } ?? ""
    }
}

/// A conformance check that did not hold.
public struct ConformanceFailure: Error, CustomStringConvertible {
    public let description: String
}

/// Fails the case with `message` unless `condition` holds.
func check(_ condition: Bool, _ message: @autoclosure () -> String) throws {
    guard condition else { throw ConformanceFailure(description: message()) }
}

/// The value, or a failure with `message`.
func require<T>(_ value: T?, _ message: @autoclosure () -> String) throws -> T {
    guard let value else { throw ConformanceFailure(description: message()) }
    return value
}
