import Foundation
import SAMLCore
import SAMLMetadata
import SAMLXMLSec

/// Rule 5: an `EncryptedAssertion` decrypts with this SP's keys only (RSA-OAEP key transport
/// unless the policy allows RSA 1.5; AES-CBC/GCM content), into exactly one Assertion.
enum DecryptionCheck {
    /// Returns the assertion to read: `assertion` itself, or what it decrypts to.
    static func run(_ run: VerificationRun, document: XMLDocument, response: XMLElement, assertion: XMLElement) throws -> (XMLElement, Bool) {
        guard assertion.is("EncryptedAssertion", NS.assertion) else {
            run.report(VerificationDiagnostic(check: .decryption, passed: true, facts: [.init("encrypted", "no")], error: nil))
            return (assertion, false)
        }
        return try run.step(.decryption) { facts in
            facts.add("encrypted", "yes")
            let data = assertion.child("EncryptedData", NS.xenc)
            facts.add("content algorithm", data?.child("EncryptionMethod", NS.xenc)?.attribute("Algorithm") ?? "(none)")
            facts.add("SP keys", "\(run.sp.decryptionKeys.count)")
            let decrypted = try Decryptor(keys: run.sp.decryptionKeys, allowRSA15: run.policy.allowRSA15KeyTransport)
                .decrypt(assertion, expecting: "Assertion")
            try document.registerIDs()
            guard response.countDescendants(named: ["Assertion", "EncryptedAssertion"], NS.assertion) == 1 else {
                throw SAMLError(.wrappedSignature, "The decrypted content holds more than one Assertion.")
            }
            return (decrypted, true)
        }
    }
}
