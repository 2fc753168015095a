import Foundation
import SAML
import SAMLCore
import SAMLXMLSec
import Testing
import SAMLTestSupport

/// The rules metadata is read under: aggregates indexed once, duplicate entityIDs refused,
/// expired metadata refused, unsafe endpoint schemes refused, the dashboard `attributes` applied.
@Suite("Metadata: aggregates, expiry, endpoints, attributes")
struct MetadataRulesTests {
    static let now = Fixtures.date("2026-01-15T10:01:00Z")

    // MARK: - Aggregates

    @Test("An aggregate is indexed by entityID: counts, roles, inherited validity, O(1) lookups")
    func aggregateIndex() throws {
        let set = try MetadataSet(metadata: Fixtures.bytes(MetadataTests.sambi), policy: MetadataPolicy(now: Fixtures.date("2014-11-01T00:00:00Z")))
        #expect(set.isAggregate)
        #expect(set.entityCount == 13)
        #expect(set.identityProviderIDs == MetadataSamples.sambiIdPs)
        #expect(set.verifiedBy == nil)
        #expect(set.validUntil == Fixtures.date("2014-11-06T10:45:03Z"))
        #expect(set.cacheDuration == "PT15M")
        let idp = try set.identityProvider(entityID: "https://idp.maggie.bif.ost.se:9445/idp/saml")
        #expect(idp.signingCertificates.map(\.sha256Fingerprint) == ["ccc20fe076eec6d76ab4e55b3d0dd66b442e641b7bfcb2f378a62f85772cdbb2"])
        #expect(idp.validUntil == Fixtures.date("2014-11-06T10:45:03Z"))
        #expect(idp.cacheDuration == "PT15M")
        #expect(set.contains(entityID: "https://maggie.bif.ost.se:9443/sp/saml"))
        #expect(throws: SAMLError.self) { try set.identityProvider(entityID: "https://maggie.bif.ost.se:9443/sp/saml") }
        #expect(throws: SAMLError.self) { try set.identityProvider(entityID: "https://nobody.example.org") }
        #expect(throws: SAMLError.self) { try set.soleIdentityProvider() }
        // a lookup after validUntil fails closed even though the set was loaded before it
        do {
            _ = try set.identityProvider(entityID: "https://idp.maggie.bif.ost.se:9445/idp/saml", now: Fixtures.date("2014-11-06T10:45:03Z"))
            Issue.record("an expired entity was handed out")
        } catch let error as SAMLError {
            #expect(error.code == .metadataExpired)
        }
    }

    @Test("Nested EntitiesDescriptors pass the earliest validUntil and the nearest cacheDuration down")
    func nestedValidity() throws {
        let inner = "<md:EntitiesDescriptor validUntil=\"2026-01-20T00:00:00Z\" cacheDuration=\"PT5M\">" + (try MetadataSamples.entity("https://inner.example.org")) + "</md:EntitiesDescriptor>"
        let xml = MetadataSamples.aggregate([inner, try MetadataSamples.entity("https://outer.example.org", validUntil: "2026-01-16T00:00:00Z")],
                                 validUntil: "2026-02-01T00:00:00Z", cacheDuration: "PT1H")
        let set = try MetadataSet(metadata: Array(xml.utf8), policy: MetadataPolicy(now: Self.now))
        let inside = try set.identityProvider(entityID: "https://inner.example.org")
        #expect(inside.validUntil == Fixtures.date("2026-01-20T00:00:00Z"))
        #expect(inside.cacheDuration == "PT5M")
        let outside = try set.identityProvider(entityID: "https://outer.example.org")
        #expect(outside.validUntil == Fixtures.date("2026-01-16T00:00:00Z"))
        #expect(outside.cacheDuration == "PT1H")
        #expect(throws: SAMLError.self) { try set.identityProvider(entityID: "https://outer.example.org", now: Fixtures.date("2026-01-17T00:00:00Z")) }
        #expect(try set.identityProvider(entityID: "https://inner.example.org", now: Fixtures.date("2026-01-17T00:00:00Z")).entityID == "https://inner.example.org")
    }

    @Test("A signed aggregate is verified once over the whole document; tampering and other keys are refused")
    func signedAggregate() async throws {
        let entities = try (1...20).map { try MetadataSamples.entity("https://idp\($0).example.org") }
        let signed = try MetadataSamples.sign(MetadataSamples.aggregate(entities, validUntil: "2026-02-01T00:00:00Z"))
        let anchor = try Generated.certificate("idp-rsa")
        let set = try MetadataSet(metadata: signed, signedBy: [try Generated.certificate("sp-rsa"), anchor], policy: MetadataPolicy(now: Self.now))
        #expect(set.verifiedBy == anchor)
        #expect(set.entityCount == 20)
        #expect(try set.identityProvider(entityID: "https://idp17.example.org").entityID == "https://idp17.example.org")

        let tampered = String(decoding: signed, as: UTF8.self).replacingOccurrences(of: "https://idp.example.org/sso", with: "https://evil.example.net/sso")
        await expectRejection(.signatureInvalid) { _ = try MetadataSet(metadata: Array(tampered.utf8), signedBy: [anchor], policy: MetadataPolicy(now: Self.now)) }
        await expectRejection(.untrustedKey) { _ = try MetadataSet(metadata: signed, signedBy: [try Generated.certificate("idp-rsa-next")], policy: MetadataPolicy(now: Self.now)) }
        await expectRejection(.signatureMissing) {
            _ = try MetadataSet(metadata: Array(MetadataSamples.aggregate(entities).utf8), signedBy: [anchor], policy: MetadataPolicy(now: Self.now))
        }
    }

    // MARK: - Duplicates

    @Test("Duplicate entityIDs are reported and refused, whichever entry comes first")
    func duplicates() async throws {
        let attacker = try MetadataSamples.entity("https://idp.example.org/metadata", key: "attacker-rsa")
        let genuine = try MetadataSamples.entity("https://idp.example.org/metadata")
        for order in [[attacker, genuine], [genuine, attacker]] {
            let xml = MetadataSamples.aggregate(order + [try MetadataSamples.entity("https://other.example.org")])
            await expectRejection(.duplicateEntityID) { _ = try IdentityProvider(metadata: xml, entityID: "https://idp.example.org/metadata") }
            await expectRejection(.duplicateEntityID) { _ = try IdentityProvider(metadata: xml, entityID: "https://other.example.org") }
            await expectRejection(.duplicateEntityID) { _ = try IdentityProvider.entityIDs(inMetadata: Array(xml.utf8)) }
            await expectRejection(.duplicateEntityID) { _ = try MetadataSet(metadata: Array(xml.utf8)) }
            do {
                _ = try MetadataSet(metadata: Array(xml.utf8))
            } catch let error as SAMLError {
                #expect(error.reason.contains("\"https://idp.example.org/metadata\""), "\(error)")
            }
        }
        // an SP and an IdP entity with the same entityID are also ambiguous
        let sp = "<md:EntityDescriptor entityID=\"https://idp.example.org/metadata\"><md:SPSSODescriptor protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\"/></md:EntityDescriptor>"
        await expectRejection(.duplicateEntityID) { _ = try MetadataSet(metadata: Array(MetadataSamples.aggregate([sp, genuine]).utf8)) }
    }

    // MARK: - Expiry

    @Test("validUntil in the past (on the entity, the IdP role or an ancestor) is refused; in the future accepted")
    func expiry() async throws {
        let policy = MetadataPolicy(now: Self.now)
        await expectRejection(.metadataExpired) {
            _ = try IdentityProvider(metadata: MetadataSamples.entity("https://a.example.org", validUntil: "2026-01-15T10:00:59Z", root: true), policy: policy)
        }
        await expectRejection(.metadataExpired) {
            _ = try IdentityProvider(metadata: MetadataSamples.entity("https://a.example.org", validUntil: "2026-01-15T10:01:00Z", root: true), policy: policy)
        }
        #expect(try IdentityProvider(metadata: MetadataSamples.entity("https://a.example.org", validUntil: "2026-01-15T10:01:01Z", root: true), policy: policy).entityID == "https://a.example.org")
        let onRole = try MetadataSamples.entity("https://a.example.org", root: true)
            .replacingOccurrences(of: "<md:IDPSSODescriptor ", with: "<md:IDPSSODescriptor validUntil=\"2025-12-31T00:00:00Z\" ")
        await expectRejection(.metadataExpired) { _ = try IdentityProvider(metadata: onRole, policy: policy) }
        let ancestor = MetadataSamples.aggregate([try MetadataSamples.entity("https://a.example.org", validUntil: "2030-01-01T00:00:00Z")], validUntil: "2026-01-01T00:00:00Z")
        await expectRejection(.metadataExpired) { _ = try IdentityProvider(metadata: ancestor, entityID: "https://a.example.org", policy: policy) }
        await expectRejection(.metadataExpired) { _ = try MetadataSet(metadata: Array(ancestor.utf8), policy: policy) }
        // the default policy uses the current time: recorded metadata from 2021 is expired today
        await expectRejection(.metadataExpired) { _ = try IdentityProvider(metadata: Fixtures.bytes(MetadataTests.google)) }
        // unparsable validUntil on the IdP role is refused, not ignored
        let garbage = try MetadataSamples.entity("https://a.example.org", root: true)
            .replacingOccurrences(of: "<md:IDPSSODescriptor ", with: "<md:IDPSSODescriptor validUntil=\"soon\" ")
        await expectRejection(.invalidMetadata) { _ = try IdentityProvider(metadata: garbage, policy: policy) }
    }

    @Test("The generated fixture and the unexpired reference metadata load under the default (current-time) policy")
    func currentFixtures() throws {
        for file in [MetadataTests.generated, MetadataTests.awsUS, MetadataTests.okta, MetadataTests.samltest, MetadataTests.adfs] {
            #expect(try IdentityProvider(metadata: Fixtures.bytes(file)).signingCertificates.isEmpty == false, "\(file)")
        }
    }

    // MARK: - Endpoint schemes

    static let unsafeLocations = [
        "javascript:alert(document.cookie)", "JavaScript:alert(1)", "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "vbscript:msgbox(1)", "file:///etc/passwd", "ftp://idp.example.org/sso", "//evil.example.net/sso", "/relative/sso",
        "https:///no-host", "https:no-slashes", " https://idp.example.org/sso", "http://idp.example.org/sso",
    ]

    @Test("SSO/SLO locations that are not https: URLs with a host are refused", arguments: unsafeLocations)
    func unsafeLocation(_ location: String) async throws {
        let escaped = location.replacingOccurrences(of: "&", with: "&amp;")
        await expectRejection(.unsafeEndpoint) { _ = try IdentityProvider(metadata: MetadataSamples.entity("https://a.example.org", sso: escaped, root: true)) }
        await expectRejection(.unsafeEndpoint) {
            _ = try IdentityProvider(metadata: MetadataSamples.entity("https://a.example.org", slo: escaped, root: true))
        }
        await expectRejection(.unsafeEndpoint) {
            _ = try IdentityProvider(metadata: MetadataSamples.entity("https://a.example.org", slo: "https://idp.example.org/slo", responseLocation: escaped, root: true))
        }
        // in an aggregate only that entity is refused
        let set = try MetadataSet(metadata: Array(MetadataSamples.aggregate([try MetadataSamples.entity("https://bad.example.org", sso: escaped),
                                                                  try MetadataSamples.entity("https://good.example.org")]).utf8))
        await expectRejection(.unsafeEndpoint) { _ = try set.identityProvider(entityID: "https://bad.example.org") }
        #expect(try set.identityProvider(entityID: "https://good.example.org").entityID == "https://good.example.org")
    }

    @Test("http: locations on loopback by default, elsewhere only when the policy allows them; javascript: never")
    func httpAllowed() async throws {
        for location in ["http://127.0.0.1:8080/sso", "http://127.9.8.7/sso", "http://localhost:8080/sso", "http://LOCALHOST/sso",
                         "http://[::1]:8080/sso"] {
            let idp = try IdentityProvider(metadata: MetadataSamples.entity("https://a.example.org", sso: location, root: true))
            #expect(idp.singleSignOnServices.map(\.location) == [location])
        }
        let allow = MetadataPolicy(allowHTTPEndpoints: true)
        for location in ["http://idp.example.org/sso", "http://127.example.org/sso", "http://localhost.example.org/sso",
                         "http://128.0.0.1/sso", "http://127.0.0.1.example.org/sso", "http://[::2]/sso", "http://127.0.0.256/sso"] {
            await expectRejection(.unsafeEndpoint) {
                _ = try IdentityProvider(metadata: MetadataSamples.entity("https://a.example.org", sso: location, root: true))
            }
            let idp = try IdentityProvider(metadata: MetadataSamples.entity("https://a.example.org", sso: location, root: true), policy: allow)
            #expect(idp.singleSignOnServices.map(\.location) == [location])
        }
        for location in ["javascript:alert(1)", "file:///etc/passwd", "http:///sso", "data:text/html,x"] {
            await expectRejection(.unsafeEndpoint) {
                _ = try IdentityProvider(metadata: MetadataSamples.entity("https://a.example.org", sso: location, root: true), policy: allow)
            }
        }
    }

    @Test("LoopbackHost: 127.0.0.0/8, ::1 and localhost, nothing that only looks like them")
    func loopbackHosts() {
        for host in ["127.0.0.1", "127.255.255.254", "localhost", "LocalHost", "::1", "[::1]", "0:0:0:0:0:0:0:1"] {
            #expect(LoopbackHost.contains(host), "\(host)")
        }
        for host in ["127.example.org", "localhost.example.org", "127.0.0", "127.0.0.1.", "127.0.0.256", "128.0.0.1", "::2",
                     "0.0.0.0", "", "127.0.0.01x", "1270.0.0.1"] {
            #expect(!LoopbackHost.contains(host), "\(host)")
        }
        #expect(LoopbackHost.host(ofURL: "http://user@[::1]:8080/x") == "::1")
        #expect(LoopbackHost.host(ofURL: "http://127.0.0.1:8080/x?y") == "127.0.0.1")
        #expect(LoopbackHost.host(ofURL: "https://idp.example.org") == "idp.example.org")
        #expect(LoopbackHost.host(ofURL: "not a url") == nil)
    }

    @Test("A javascript: location never reaches an AuthnRequest form action or redirect")
    func noJavascriptFormAction() async throws {
        let xml = try MetadataSamples.entity("https://a.example.org", sso: "javascript:alert(1)", root: true)
        await expectRejection(.unsafeEndpoint) { _ = try IdentityProvider(metadata: xml) }
        let json = #"{"type":"saml","config":{"issuer_url":"https://a.example.org","sso_target_url":"javascript:alert(1)","idp_public_certs":["\#(try MetadataSamples.certificateBase64())"]}}"#
        let configuration = try IdentityProviderConfiguration(json: Array(json.utf8))
        await expectRejection(.unsafeEndpoint) { _ = try IdentityProvider(configuration: configuration) }
        let httpJSON = json.replacingOccurrences(of: "javascript:alert(1)", with: "http://idp.example.org/sso")
        await expectRejection(.unsafeEndpoint) { _ = try IdentityProvider(configuration: IdentityProviderConfiguration(json: Array(httpJSON.utf8))) }
        #expect(try IdentityProvider(configuration: IdentityProviderConfiguration(json: Array(httpJSON.utf8)), allowHTTPEndpoints: true)
            .singleSignOnServices.first?.location == "http://idp.example.org/sso")
        let loopbackJSON = json.replacingOccurrences(of: "javascript:alert(1)", with: "http://127.0.0.1/sso")
        #expect(try IdentityProvider(configuration: IdentityProviderConfiguration(json: Array(loopbackJSON.utf8)))
            .singleSignOnServices.first?.location == "http://127.0.0.1/sso")
    }

    // MARK: - Dashboard attributes and naming

    static func dashboard(attributes: String) throws -> [UInt8] {
        Array(#"{"type":"saml","config":{"issuer_url":"https://a.example.org","sso_target_url":"https://a.example.org/sso","idp_public_certs":["\#(try MetadataSamples.certificateBase64())"],"sign_request":true,"attributes":\#(attributes)}}"#.utf8)
    }

    @Test("The dashboard's attributes (object or list) become the IdP's attribute mapping and filter what the app gets")
    func attributes() async throws {
        let mapped = try IdentityProvider(configuration: IdentityProviderConfiguration(json: Self.dashboard(attributes: #"{"first_name":"givenName","last_name":"surName"}"#)))
        #expect(mapped.attributeMapping == ["first_name": "givenName", "last_name": "surName"])
        #expect(mapped.wantsAuthnRequestsSigned)
        let received = ["givenName": ["Alice"], "surName": ["Example"], "https://aws.amazon.com/SAML/Attributes/Role": ["admin"]]
        #expect(mapped.applicationAttributes(from: received) == ["first_name": ["Alice"], "last_name": ["Example"]])

        let listed = try IdentityProvider(configuration: IdentityProviderConfiguration(json: Self.dashboard(attributes: #"["email","givenName"]"#)))
        #expect(listed.attributeMapping == ["email": "email", "givenName": "givenName"])
        #expect(listed.applicationAttributes(from: received) == ["givenName": ["Alice"]])

        let none = try IdentityProvider(configuration: IdentityProviderConfiguration(json: Self.dashboard(attributes: "null")))
        #expect(none.attributeMapping == nil)
        #expect(none.applicationAttributes(from: received) == received)
        let empty = try IdentityProvider(configuration: IdentityProviderConfiguration(json: Self.dashboard(attributes: "{}")))
        #expect(empty.applicationAttributes(from: received) == [:])

        await expectRejection(.invalidConfiguration) { _ = try IdentityProviderConfiguration(json: Self.dashboard(attributes: "42")) }
        await expectRejection(.invalidConfiguration) { _ = try IdentityProviderConfiguration(json: Self.dashboard(attributes: #"{"a":1}"#)) }
        // metadata has no attribute selection
        #expect(try Generated.idp().attributeMapping == nil)
    }

    @Test("One name for signed requests: wantsAuthnRequestsSigned in the initialiser, the property and from metadata")
    func signedRequestsName() throws {
        let plain = IdentityProvider(entityID: "https://a.example.org", singleSignOnURL: "https://a.example.org/sso",
                                     certificates: [try Generated.certificate("idp-rsa")], wantsAuthnRequestsSigned: true)
        #expect(plain.wantsAuthnRequestsSigned)
        #expect(try Generated.idp().wantsAuthnRequestsSigned)
    }
}
