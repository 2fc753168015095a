#if Vapor
import Foundation
import Logging
import SAMLLogin
import SAML
import SAMLCore
import SAMLVapor
import SAMLXMLSec
import Synchronization
import Testing
import Vapor
import VaporTesting

/// The generated fixtures (`Fixtures/generated/`), as the core tests read them.
enum Fixtures {
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    static func url(_ path: String) -> URL { root.appendingPathComponent(path) }
    static func bytes(_ path: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: url(path))) }
    static func text(_ path: String) throws -> String { try String(contentsOf: url(path), encoding: .utf8) }
}

/// The fixed world of the generated fixtures: the IdP, the SP at `https://sp.example.com/saml/acs`,
/// and responses signed in-process with the IdP's key (times are the fixtures' own).
enum Generated {
    static let idpEntityID = "https://idp.example.org/metadata"
    static let acs = "https://sp.example.com/saml/acs"
    static let requestID = "_req-7c1f2c5e9b0a4d6e8f10"
    static let assertionID = "_assert-8e4c61f09d2b4a7c93e5"
    static let now: Date = {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.date(from: "2026-01-15T10:01:00Z")!
    }()

    static func idp() throws -> IdentityProvider { try IdentityProvider(metadata: Fixtures.bytes("generated/idp-metadata.xml")) }
    static func key(_ name: String) throws -> SAMLPrivateKey { try SAMLPrivateKey(pem: Fixtures.text("generated/keys/\(name).key.pem")) }
    static func certificate(_ name: String) throws -> SAMLCertificate {
        try SAMLCertificate(pem: Fixtures.text("generated/keys/\(name).cert.pem"))
    }

    /// The unsigned fixture response with `edits` applied, its Assertion signed with `signer`.
    static func signed(edits: [(String, String)], signer: String = "idp-rsa") throws -> String {
        var xml = try Fixtures.text("generated/responses/unsigned.xml")
        for (from, to) in edits {
            precondition(xml.contains(from), "edit target not found: \(from)")
            xml = xml.replacingOccurrences(of: from, with: to)
        }
        let document = try XMLDocument.parse(xml)
        let element = try #require(document.root?.child("Assertion", NS.assertion))
        try element.sign(id: element.attribute("ID")!, after: element.child("Issuer", NS.assertion), key: try key(signer).handle,
                         algorithm: .rsaSHA256, certificateDER: nil)
        return String(decoding: document.serialized(), as: UTF8.self)
    }
}

/// An app with the SAML routes over the generated IdP, Vapor sessions, and a `/me` page showing
/// `req.auth`'s login; the clock is the fixtures' time.
struct VaporWorld {
    static let spSLO = "https://sp.example.com/saml/slo"
    static let idpSLO = "https://idp.example.org/slo"
    static let secret = try! StateSecret("hQngNDgn1IN3yOAMjbQG2xd+foKiktfPy9nur44PvRE=")
    /// The state cookies' names over https.
    static let stateCookie = "__Host-" + SAMLServiceProvider.stateCookieName
    static let logoutStateCookie = "__Host-" + SAMLServiceProvider.logoutStateCookieName

    let saml: SAMLServiceProvider
    let log = RecordingLogHandler()

    init(acs: String = Generated.acs, singleLogout: Bool = true) throws {
        var idp = try Generated.idp()
        idp.singleLogoutServices = [Endpoint(binding: .httpRedirect, location: Self.idpSLO), Endpoint(binding: .httpPost, location: Self.idpSLO)]
        let configuration = SAMLServiceProvider.Configuration(
            acsURL: acs, identityProviders: [TrustedIdentityProvider(idp)],
            signingKey: try Self.spKeyPair(), returnTo: ReturnToPolicy(allowedOrigins: ["https://sp.example.com"]),
            stateSecrets: [Self.secret], singleLogoutURL: singleLogout ? Self.spSLO : nil, unsafeAllowsPublishedDemoKeys: true)
        saml = try SAMLServiceProvider(configuration: configuration, requestTracker: InMemoryRequestTracker(), replayStore: InMemoryReplayStore())
    }

    static func spKeyPair() throws -> SAMLKeyPair {
        try SAMLKeyPair(privateKey: Generated.key("sp-rsa"), certificate: Generated.certificate("sp-rsa"))
    }

    /// Runs `body` against a fresh app serving these routes.
    func run(options: SAMLVaporOptions = SAMLVaporOptions(), _ body: (any TestingApplicationTester) async throws -> Void) async throws {
        let routes = try SAMLVaporRoutes(serviceProvider: saml, options: options, now: { Generated.now })
        let handler = log
        try await withApp(configure: { app in
            app.logger = Logger(label: "saml-vapor-tests") { _ in handler }
            app.middleware.use(SAMLSessionCookieLifetime(now: { Generated.now }))
            app.middleware.use(app.sessions.middleware)
            app.middleware.use(SAMLSessionAuthenticator(now: { Generated.now }))
            try app.register(collection: routes)
            app.get("me") { request -> String in
                request.auth.get(Login.self)?.email ?? "anonymous"
            }
        }) { app in
            try await body(try app.testing())
        }
    }

    /// A response answering `requestID`, signed by the IdP, as base64.
    static func response(answering requestID: String, edits: [(String, String)] = [], assertionID: String = Generated.assertionID) throws -> String {
        var all = edits + [(Generated.requestID, requestID)]
        if assertionID != Generated.assertionID { all.append((Generated.assertionID, assertionID)) }
        return Data(try Generated.signed(edits: all).utf8).base64EncodedString()
    }

    /// The IdP as a sender of logout messages: its entity ID and key.
    static func idpAsSender() throws -> ServiceProvider {
        let pair = try SAMLKeyPair(privateKey: Generated.key("idp-rsa"), certificate: Generated.certificate("idp-rsa"))
        return ServiceProvider(entityID: Generated.idpEntityID, acsURL: Generated.idpEntityID, signingKey: pair)
    }

    /// This SP as the IdP side sees it.
    static func spAsReceiver() throws -> IdentityProvider {
        var sp = IdentityProvider(entityID: Generated.acs, singleSignOnURL: nil, certificates: [try Generated.certificate("sp-rsa")])
        sp.singleLogoutServices = [Endpoint(binding: .httpRedirect, location: spSLO), Endpoint(binding: .httpPost, location: spSLO)]
        return sp
    }

    /// The IdP side's verifier of this SP's logout answers.
    static func idpSideVerifier() throws -> LogoutVerifier {
        LogoutVerifier(serviceProvider: try idpAsSender(), singleLogoutURL: idpSLO, identityProvider: try spAsReceiver(),
                       replayStore: InMemoryReplayStore())
    }

    /// A LogoutRequest from the IdP naming alice's session.
    static func idpLogoutRequest(sessionIndexes: [String] = ["_session-5f2a9c"]) throws -> LogoutRequest {
        LogoutRequest(serviceProvider: try idpAsSender(), identityProvider: try spAsReceiver(),
                      subject: .init(value: "alice@example.com", format: .emailAddress), sessionIndexes: sessionIndexes,
                      relayState: "idp-relay")
    }
}

/// A browser's cookie jar, enough for these flows.
struct Browser {
    var cookies: [String: String] = [:]

    var header: HTTPHeaders {
        var headers = HTTPHeaders()
        if !cookies.isEmpty { headers.add(name: .cookie, value: cookies.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "; ")) }
        return headers
    }

    /// The cookies, sent by a page of the app itself (`Sec-Fetch-Site: same-origin`).
    var sameOrigin: HTTPHeaders {
        var headers = header
        headers.add(name: "Sec-Fetch-Site", value: "same-origin")
        return headers
    }

    /// Applies the response's `Set-Cookie` headers (a `Max-Age=0` removes the cookie).
    mutating func take(_ response: TestingHTTPResponse) {
        for line in response.headers[.setCookie] {
            let cookie = SetCookie(line)
            if cookie.attributes["max-age"] == "0" || cookie.value.isEmpty { cookies[cookie.name] = nil } else { cookies[cookie.name] = cookie.value }
        }
    }
}

/// One parsed `Set-Cookie` header.
struct SetCookie {
    let name: String
    let value: String
    /// Lower-cased attribute names to their values ("" for flags).
    let attributes: [String: String]

    init(_ line: String) {
        let parts = line.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        let first = parts[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        name = String(first[0])
        value = first.count > 1 ? String(first[1]) : ""
        var attributes: [String: String] = [:]
        for part in parts.dropFirst() {
            let pair = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            attributes[pair[0].lowercased()] = pair.count > 1 ? String(pair[1]) : ""
        }
        self.attributes = attributes
    }

    static func named(_ name: String, in response: TestingHTTPResponse) -> SetCookie? {
        response.headers[.setCookie].map(SetCookie.init).first { $0.name == name }
    }
}

/// Form-encodes fields for a POST body.
func formBody(_ fields: [(String, String)]) -> ByteBuffer {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    return ByteBuffer(string: fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }.joined(separator: "&"))
}

func formHeaders(_ browser: Browser) -> HTTPHeaders {
    var headers = browser.header
    headers.add(name: .contentType, value: "application/x-www-form-urlencoded")
    return headers
}

/// The query of a URL (everything after `?`), as sent.
func query(of url: String) -> String { String(url[url.index(after: url.firstIndex(of: "?")!)...]) }

/// A log handler that keeps every record.
final class RecordingLogHandler: LogHandler, @unchecked Sendable {
    struct Record: Sendable { var level: Logger.Level; var message: String; var metadata: Logger.Metadata }
    let records = Mutex<[Record]>([])
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        records.withLock { $0.append(Record(level: event.level, message: "\(event.message)", metadata: event.metadata ?? [:])) }
    }
}
#endif
