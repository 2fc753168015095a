import Foundation
import Testing
import SAMLTestSupport

/// `saml verify --explain`: the verifier's checks as the command prints them.
@Suite("CLI: saml verify --explain")
struct VerifyExplainTests {
    @Test("--explain on an accepted response: one ✓ line per check with the compared values")
    func explainAccepted() throws {
        let result = try CLI.run(["verify", "--explain"] + CLI.verifyOptions + [CLI.signed])
        #expect(result.status == 0, "\(result.summary)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        let checkLines = lines.filter { $0.hasPrefix("✓ ") || $0.hasPrefix("✗ ") }
        #expect(checkLines.map { $0.dropFirst(2).split(separator: " ").first.map(String.init) ?? "" } == VerificationChecks.all)
        #expect(checkLines.allSatisfy { $0.hasPrefix("✓ ") })
        #expect(result.stdout.contains("expected audience: \(Generated.acs)"))
        #expect(result.stdout.contains("found audiences: \(Generated.acs)"))
        #expect(result.stdout.contains("signature method: http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"))
        #expect(result.stdout.contains("Conditions NotOnOrAfter: 2026-01-15T10:05:00Z"))
        #expect(lines.last == "accepted: alice@example.com from \(Generated.idpEntityID) (assertion \(Generated.assertionID))")
        #expect(!result.stdout.contains("{"))  // text, not JSON
    }

    @Test("--explain on a rejected response: ✓ up to the failing check, then ✗ with the reason")
    func explainRejected() throws {
        let tampered = try Generated.response("assertion-signed.xml").replacingOnce("Alice Example", with: "Alice Exampla")
        let result = try CLI.run(["verify", "--explain"] + CLI.verifyOptions + [try CLI.temporaryFile(tampered)])
        #expect(result.status == 1, "\(result.summary)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        let checkLines = lines.filter { $0.hasPrefix("✓ ") || $0.hasPrefix("✗ ") }
        #expect(checkLines.last?.hasPrefix("✗ assertionSignature") == true, "\(result.stdout)")
        #expect(checkLines.dropLast().allSatisfy { $0.hasPrefix("✓ ") })
        #expect(result.stdout.contains("→ signatureInvalid: "))
        #expect(lines.contains { $0.hasPrefix("rejected: signatureInvalid: ") })

        let wrongAudience = try CLI.run(["verify", "--explain", "--idp-metadata", CLI.idpMetadata, "--sp-entity-id", "https://other.example.com/sp",
                                         "--acs-url", Generated.acs, "--request-id", Generated.requestID, "--now", "2026-01-15T10:01:00Z", CLI.signed])
        #expect(wrongAudience.status == 1, "\(wrongAudience.summary)")
        #expect(wrongAudience.stdout.contains("✗ audience"))
        #expect(wrongAudience.stdout.contains("expected audience: https://other.example.com/sp; found audiences: \(Generated.acs)"))
    }
}
