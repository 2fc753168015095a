import Foundation
import SAML
@_spi(Tools) import SAMLVerification
import Testing

/// A small deterministic generator, so a failing case can be replayed from its seed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random damage to signed responses: every outcome must be a clean acceptance of exactly the
/// signed content, or a `SAMLError` — never a crash, a hang, another error type, or altered data.
@Suite struct RobustnessTests {
    static let interesting: [UInt8] = Array("<>/=\"' &;:#-_!?xmlns".utf8) + [0, 0x0A, 0xC3, 0xA9, 0xFF]

    static func mutate(_ bytes: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        var out = bytes
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            guard !out.isEmpty else { break }
            let i = Int.random(in: 0..<out.count, using: &rng)
            switch Int.random(in: 0..<6, using: &rng) {
            case 0: out[i] = interesting.randomElement(using: &rng)!
            case 1: out[i] ^= UInt8(1 << Int.random(in: 0..<8, using: &rng))
            case 2: out.remove(at: i)
            case 3: out.insert(interesting.randomElement(using: &rng)!, at: i)
            case 4: out = Array(out.prefix(i))
            default:
                // duplicate a slice somewhere else (structure-level damage)
                let length = Int.random(in: 1...min(400, out.count - i), using: &rng)
                let slice = out[i..<(i + length)]
                out.insert(contentsOf: slice, at: Int.random(in: 0...out.count, using: &rng))
            }
        }
        return out
    }

    @Test(arguments: ["assertion-signed.xml", "response-signed.xml", "encrypted/assertion-signed-aes256-gcm-rsa-oaep-mgf1p.xml"])
    func randomDamageIsHandled(_ name: String) async throws {
        let original = Array(try Generated.response(name).utf8)
        let verifier = try Generated.verifier(policy: VerificationPolicy(detectReplay: false), decryptionKeys: ["sp-rsa"])
        let reference = try verifier.verifyWithoutReplayCheck(responseXML: original, inResponseTo: Generated.requestID, now: Generated.now)
        var rng = SplitMix64(state: 0x5A4D_4C00 ^ UInt64(name.utf8.count))
        var rejected: [SAMLError.Code: Int] = [:]
        var accepted = 0
        for _ in 0..<1500 {
            let damaged = Self.mutate(original, &rng)
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
