import Foundation
import SAMLCore
import SAMLMetadata
import SAMLXMLSec

/// The Response answers the request this SP sent; when none was sent the response is
/// unsolicited, which the policy must allow, and then it must name no request.
///
/// Only signed data binds a request: the Response's InResponseTo counts only when the Response
/// is signed (on an unsigned Response the attribute is the attacker's to write; a value that
/// contradicts the expected request is still refused). The signed assertion's
/// SubjectConfirmationData InResponseTo is checked by `SubjectConfirmationCheck`.
enum InResponseToCheck {
    /// Returns the Response's InResponseTo when the Response is signed, else nil.
    static func run(_ run: VerificationRun, response: XMLElement, responseSigned: Bool) throws -> String? {
        try run.step(.inResponseTo) { facts in
            let value = response.attribute("InResponseTo")
            facts.add("expected request", run.expectedRequestID ?? "(none: unsolicited)")
            facts.add("Response InResponseTo", (value.map(VerificationRun.shown) ?? "(none)") + (responseSigned ? "" : " (unsigned: does not bind)"))
            facts.add("unsolicited allowed", run.policy.allowUnsolicited ? "yes" : "no")
            try compare(run, value, what: "Response")
            return responseSigned ? value : nil
        }
    }

    /// The rule for one InResponseTo value (the Response's or a SubjectConfirmationData's).
    static func compare(_ run: VerificationRun, _ value: String?, what: String) throws {
        if let expected = run.expectedRequestID {
            if let value, value != expected {
                throw SAMLError(.inResponseToMismatch, "The \(what) answers request \"\(VerificationRun.shown(value))\", not \"\(expected)\" which this SP sent.")
            }
        } else {
            guard run.policy.allowUnsolicited else {
                throw SAMLError(.unsolicitedResponse, "No request was expected (IdP-initiated login) and the policy refuses unsolicited responses.")
            }
            if let value {
                throw SAMLError(.inResponseToMismatch, "The \(what) answers request \"\(VerificationRun.shown(value))\", but this SP is not waiting for any request.")
            }
        }
    }
}
