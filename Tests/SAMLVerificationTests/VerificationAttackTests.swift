import Foundation
import SAML
import SAMLCore
import Testing
import SAMLTestSupport

/// Every attack of `SignatureAttacks` refused with its exact code, and other tampering with
/// signed content.
@Suite struct VerificationAttackTests {
    @Test(arguments: SignatureAttacks.cases)
    func attackIsRejected(_ attack: AttackCase) async throws {
        let xml = try attack.build()
        let verifier = try Generated.verifier()
        await expectRejection(attack.code) {
            _ = try await verifier.verify(responseXML: Array(xml.utf8), inResponseTo: Generated.requestID, now: Generated.now)
        }
        // the same bytes posted as base64, as a browser would
        await expectRejection(attack.code) {
            _ = try await verifier.verify(samlResponse: Data(xml.utf8).base64EncodedString(options: .lineLength76Characters),
                                          inResponseTo: Generated.requestID, now: Generated.now)
        }
    }

    @Test func commentInsideNameIDDoesNotTruncateIt() async throws {
        // Comments are outside the canonical form, so the signature still verifies; the value
        // read must be the whole signed text, not the part before the comment.
        let xml = SignatureAttacks.assertionSigned.replacingOnce(">alice@example.com</saml:NameID>", with: ">alice@example.com<!-- -->.evil.example</saml:NameID>")
        await expectRejection(.signatureInvalid) {
            _ = try await Generated.verifier().verify(responseXML: Array(xml.utf8), inResponseTo: Generated.requestID, now: Generated.now)
        }
        let split = SignatureAttacks.assertionSigned.replacingOnce(">alice@example.com</saml:NameID>", with: ">alice@<!-- injected -->example.com</saml:NameID>")
        let a = try await Generated.verifier().verify(responseXML: Array(split.utf8), inResponseTo: Generated.requestID, now: Generated.now)
        #expect(a.nameID.value == "alice@example.com")
    }

    @Test func certificateInKeyInfoIsOnlyAHint() async throws {
        // Swapping the embedded certificate for another trusted one changes nothing: the
        // signature is checked with configured keys only.
        let other = try Generated.certificate("idp-rsa-next").base64
        let original = SignatureAttacks.signatureA.slice(from: "<ds:X509Certificate>", through: "</ds:X509Certificate>")!
        let xml = SignatureAttacks.assertionSigned.replacingOnce(original, with: "<ds:X509Certificate>\(other)</ds:X509Certificate>")
        let a = try await Generated.verifier().verify(responseXML: Array(xml.utf8), inResponseTo: Generated.requestID, now: Generated.now)
        #expect(a.nameID.value == "alice@example.com")
    }

    @Test func garbageInputs() async throws {
        let v = try Generated.verifier()
        await expectRejection(.invalidEncoding) { _ = try await v.verify(samlResponse: "%%%not base64%%%", inResponseTo: nil, now: Generated.now) }
        await expectRejection(.invalidEncoding) { _ = try await v.verify(samlResponse: "", inResponseTo: nil, now: Generated.now) }
        await expectRejection(.malformedXML) {
            _ = try await v.verify(samlResponse: Data("this is not xml".utf8).base64EncodedString(), inResponseTo: nil, now: Generated.now)
        }
        await expectRejection(.malformedXML) { _ = try await v.verify(samlResponse: "<samlp:Response", inResponseTo: nil, now: Generated.now) }
        let big = String(repeating: "QUFB", count: 3 << 20)
        await expectRejection(.tooLarge) { _ = try await v.verify(samlResponse: big, inResponseTo: nil, now: Generated.now) }
        await expectRejection(.invalidMessage) {
            _ = try await v.verify(samlResponse: Data("<a/>".utf8).base64EncodedString(), inResponseTo: nil, now: Generated.now)
        }
    }
}
