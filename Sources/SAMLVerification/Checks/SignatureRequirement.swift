import Foundation
import SAMLCore
import SAMLMetadata
import SAMLXMLSec

/// Something verified a signature — the Response or the Assertion — and the Assertion
/// itself when the policy requires it. Unsigned assertions are never accepted.
enum SignatureRequirementCheck {
    static func run(_ run: VerificationRun, responseSigned: Bool, assertionSigned: Bool) throws {
        try run.step(.signatureRequirement) { facts in
            facts.add("response signed", responseSigned ? "yes" : "no")
            facts.add("assertion signed", assertionSigned ? "yes" : "no")
            facts.add("assertion signature required", run.policy.requireSignedAssertion ? "yes" : "no")
            guard responseSigned || assertionSigned else {
                throw SAMLError(.signatureMissing, "Neither the Response nor the Assertion is signed; unsigned assertions are never accepted.")
            }
            if run.policy.requireSignedAssertion && !assertionSigned {
                throw SAMLError(.signatureMissing, "The policy requires the Assertion itself to be signed; only the Response is.")
            }
        }
    }
}
