import Foundation
import SAMLCore
import SAMLMetadata
import SAMLXMLSec

/// Rule 10: the Response answers the request this SP sent; when none was sent the response is
/// unsolicited, which the policy must allow, and then it must name no request.
enum InResponseToCheck {
    /// Returns the Response's InResponseTo.
    static func run(_ run: VerificationRun, response: XMLElement) throws -> String? {
        try run.step(.inResponseTo) { facts in
            let value = response.attribute("InResponseTo")
            facts.add("expected request", run.expectedRequestID ?? "(none: unsolicited)")
            facts.add("Response InResponseTo", value ?? "(none)")
            facts.add("unsolicited allowed", run.policy.allowUnsolicited ? "yes" : "no")
            try compare(run, value, what: "Response")
            return value
        }
    }

    /// The rule for one InResponseTo value (the Response's or a SubjectConfirmationData's).
    static func compare(_ run: VerificationRun, _ value: String?, what: String) throws {
        if let expected = run.expectedRequestID {
            if let value, value != expected {
                throw SAMLError(.inResponseToMismatch, "The \(what) answers request \"\(value)\", not \"\(expected)\" which this SP sent.")
            }
        } else {
            guard run.policy.allowUnsolicited else {
                throw SAMLError(.unsolicitedResponse, "No request was expected (IdP-initiated login) and the policy refuses unsolicited responses.")
            }
            if let value {
                throw SAMLError(.inResponseToMismatch, "The \(what) answers request \"\(value)\", but this SP is not waiting for any request.")
            }
        }
    }
}
