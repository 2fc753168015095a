import Foundation
import SAMLCore
import SAMLMetadata
import SAMLXMLSec

/// Exactly one assertion, a direct child of the Response, and none hidden anywhere else
/// (extra copies are how signature-wrapping attacks hide the signed one); after decryption the
/// assertion is SAML 2.0, has an ID and at most one Conditions element (a second one would go
/// unchecked).
enum MessageShapeCheck {
    /// Returns the single `Assertion` or `EncryptedAssertion`.
    static func run(_ run: VerificationRun, response: XMLElement) throws -> XMLElement {
        try run.step(.messageShape) { facts in
            let direct = response.children.filter { $0.is("Assertion", NS.assertion) || $0.is("EncryptedAssertion", NS.assertion) }
            let everywhere = response.assertionDescendantCount
            facts.add("assertions as children", "\(direct.count) (expected 1)")
            facts.add("assertions anywhere", "\(everywhere) (expected 1)")
            guard direct.count == 1, let assertion = direct.first else {
                if direct.isEmpty && everywhere == 0 {
                    throw SAMLError(.invalidMessage, "The Response carries no Assertion.")
                }
                throw SAMLError(.wrappedSignature, "The Response carries \(direct.count) assertions as children; exactly one is accepted.")
            }
            guard everywhere == 1 else {
                throw SAMLError(.wrappedSignature, "The Response holds \(everywhere) assertions; extra copies are how signature-wrapping attacks hide the signed one.")
            }
            facts.add("assertion", assertion.localName)
            return assertion
        }
    }

    /// The (decrypted) Assertion's Version and ID; returns the ID.
    static func assertion(_ run: VerificationRun, _ assertion: XMLElement) throws -> String {
        try run.step(.assertionShape) { facts in
            guard assertion.attribute("Version") == "2.0" else {
                throw SAMLError(.invalidMessage, "The Assertion has Version \"\(assertion.attribute("Version") ?? "")\"; only 2.0 is accepted.")
            }
            guard let assertionID = assertion.attribute("ID"), !assertionID.isEmpty else {
                throw SAMLError(.invalidMessage, "The Assertion has no ID.")
            }
            facts.add("assertion ID", assertionID)
            let conditions = assertion.children("Conditions", NS.assertion).count
            facts.add("Conditions elements", "\(conditions) (at most 1)")
            guard conditions <= 1 else {
                throw SAMLError(.invalidMessage, "The Assertion carries \(conditions) Conditions elements; at most one is allowed, and every condition must be checked.")
            }
            return assertionID
        }
    }
}
