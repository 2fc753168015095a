import Foundation
import SAML
import SAMLCore
import Testing
import SAMLTestSupport

/// `saml metadata` with the options of the metadata rules: --verify-with, --max-bytes, --allow-http,
/// --now, and the fields signatureVerified / verifiedWith / entityCount.
@Suite("CLI: saml metadata options")
struct MetadataCommandTests {
    static let anchor = "Fixtures/generated/keys/idp-rsa.cert.pem"

    static func signedAggregate() throws -> String {
        let entities = try (1...3).map { try MetadataSamples.entity("https://idp\($0).example.org") }
        let xml = MetadataSamples.aggregate(entities, validUntil: "2099-01-01T00:00:00Z")
        return try CLI.temporaryFile(String(decoding: try MetadataSamples.sign(xml), as: UTF8.self), name: "aggregate.xml")
    }

    @Test("--verify-with: signatureVerified, the verifying certificate and the entity count are reported")
    func verified() throws {
        let file = try Self.signedAggregate()
        let result = try CLI.run(["metadata", "--verify-with", Self.anchor, "--entity-id", "https://idp2.example.org", file])
        #expect(result.status == 0, "\(result.summary)")
        let json = try result.json()
        #expect(json["entityID"] as? String == "https://idp2.example.org")
        #expect(json["signatureVerified"] as? Bool == true)
        #expect(json["entityCount"] as? Int == 3)
        let verifiedWith = try #require(json["verifiedWith"] as? [String: Any])
        #expect(verifiedWith["sha256Fingerprint"] as? String == (try Generated.certificate("idp-rsa")).sha256Fingerprint)

        let unverified = try CLI.run(["metadata", "--entity-id", "https://idp2.example.org", file])
        #expect(unverified.status == 0, "\(unverified.summary)")
        #expect(try unverified.json()["signatureVerified"] as? Bool == false)
        #expect(try unverified.json()["verifiedWith"] == nil)

        let single = try CLI.run(["metadata", "Fixtures/generated/idp-metadata.xml"])
        #expect(try single.json()["entityCount"] == nil)
    }

    @Test("A wrong --verify-with certificate, an unsigned file, --max-bytes and expiry are refused with exit 1 and the code")
    func refusals() throws {
        let file = try Self.signedAggregate()
        let other = try CLI.run(["metadata", "--verify-with", "Fixtures/generated/keys/idp-rsa-next.cert.pem", "--entity-id", "https://idp2.example.org", file])
        #expect(other.status == 1)
        #expect(other.stderr.contains("untrustedKey"), "\(other.summary)")
        let unsigned = try CLI.run(["metadata", "--verify-with", Self.anchor, "Fixtures/generated/idp-metadata.xml"])
        #expect(unsigned.status == 1)
        #expect(unsigned.stderr.contains("signatureMissing"), "\(unsigned.summary)")
        let small = try CLI.run(["metadata", "--max-bytes", "100", "Fixtures/generated/idp-metadata.xml"])
        #expect(small.status == 2)
        #expect(small.stderr.contains("holds more than 100 bytes (--max-bytes)"), "\(small.summary)")
        let expired = try CLI.run(["metadata", "--entity-id", "http://idp-acc.test.ek.sll.se/neas", CLITests.sambi])
        #expect(expired.status == 1)
        #expect(expired.stderr.contains("metadataExpired"), "\(expired.summary)")
    }

    @Test("javascript: SSO locations are refused; http: on loopback passes, elsewhere only with --allow-http")
    func locations() throws {
        let script = try CLI.temporaryFile(try MetadataSamples.entity("https://a.example.org", sso: "javascript:alert(1)", root: true), name: "js.xml")
        let refused = try CLI.run(["metadata", script])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("unsafeEndpoint"), "\(refused.summary)")
        #expect(refused.stdout.isEmpty)
        let plain = try CLI.temporaryFile(try MetadataSamples.entity("https://a.example.org", sso: "http://127.0.0.1:8080/sso", root: true), name: "http.xml")
        let loopback = try CLI.run(["metadata", plain])
        #expect(loopback.status == 0, "\(loopback.summary)")
        let remote = try CLI.temporaryFile(try MetadataSamples.entity("https://a.example.org", sso: "http://idp.example.org/sso", root: true), name: "remote.xml")
        let refusedHTTP = try CLI.run(["metadata", remote])
        #expect(refusedHTTP.status == 1)
        #expect(refusedHTTP.stderr.contains("unsafeEndpoint"), "\(refusedHTTP.summary)")
        let allowed = try CLI.run(["metadata", "--allow-http", remote])
        #expect(allowed.status == 0, "\(allowed.summary)")
    }
}
