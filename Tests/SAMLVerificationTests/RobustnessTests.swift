import Foundation
import SAML
@_spi(Tools) import SAMLVerification
import Testing
import SAMLTestSupport

/// Random damage to signed responses: every outcome must be a clean acceptance of exactly the
/// signed content, or a `SAMLError` — never a crash, a hang, another error type, or altered data.
@Suite struct RobustnessTests {
    @Test(arguments: ["assertion-signed.xml", "response-signed.xml", "encrypted/assertion-signed-aes256-gcm-rsa-oaep-mgf1p.xml"])
    func randomDamageIsHandled(_ name: String) async throws {
        let original = Array(try Generated.response(name).utf8)
        let verifier = try Generated.verifier(policy: VerificationPolicy(detectReplay: false), decryptionKeys: ["sp-rsa"])
        let reference = try verifier.verifyWithoutReplayCheck(responseXML: original, inResponseTo: Generated.requestID, now: Generated.now)
        var rng = SplitMix64(state: 0x5A4D_4C00 ^ UInt64(name.utf8.count))
        var rejected: [SAMLError.Code: Int] = [:]
        var accepted = 0
        for _ in 0..<1500 {
            let damaged = SplitMix64.damage(original, &rng)
            do {
                let a = try verifier.verifyWithoutReplayCheck(responseXML: damaged, inResponseTo: Generated.requestID, now: Generated.now)
                accepted += 1
                // whatever was accepted must say exactly what was signed
                #expect(a.nameID == reference.nameID)
                #expect(a.attributes == reference.attributes)
                #expect(a.assertionID == reference.assertionID)
                #expect(a.sessionIndex == reference.sessionIndex)
            } catch let error as SAMLError {
                rejected[error.code, default: 0] += 1
            } catch {
                Issue.record("non-SAMLError \(error)")
            }
        }
        #expect(rejected.values.reduce(0, +) > 1000, "most damage must be refused: \(rejected)")
        #expect(accepted < 500)
    }

    @Test func concurrentVerificationsAgree() async throws {
        let verifier = try Generated.verifier(policy: VerificationPolicy(detectReplay: false), decryptionKeys: ["sp-rsa"])
        let names = ["assertion-signed.xml", "both-signed.xml", "encrypted/assertion-signed-aes128-gcm-rsa-oaep-mgf1p.xml", "assertion-signed-attacker.xml"]
        let documents = try names.map { Array(try Generated.response($0).utf8) }
        try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for i in 0..<64 {
                group.addTask {
                    let k = i % documents.count
                    do {
                        let a = try verifier.verifyWithoutReplayCheck(responseXML: documents[k], inResponseTo: Generated.requestID, now: Generated.now)
                        return (k, a.nameID.value)
                    } catch let error as SAMLError {
                        return (k, error.code.rawValue)
                    }
                }
            }
            for try await (k, outcome) in group {
                #expect(outcome == (k == 3 ? "untrustedKey" : "alice@example.com"))
            }
        }
    }
}
