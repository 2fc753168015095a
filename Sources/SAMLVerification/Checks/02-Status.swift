import Foundation
import SAMLCore
import SAMLMetadata
import SAMLXMLSec

/// Rule 2: the Response's top-level StatusCode is Success. Checked before the assertion count
/// because a failure response usually carries no assertion at all.
enum StatusCheck {
    static let success = "urn:oasis:names:tc:SAML:2.0:status:Success"

    static func run(_ run: VerificationRun, response: XMLElement) throws {
        try run.step(.status) { facts in
            guard let status = response.child("Status", NS.protocol_), let code = status.child("StatusCode", NS.protocol_) else {
                throw SAMLError(.invalidMessage, "The Response has no Status.")
            }
            let top = code.attribute("Value") ?? ""
            facts.add("expected status", success)
            facts.add("found status", top)
            guard top == success else {
                let second = code.child("StatusCode", NS.protocol_)?.attribute("Value")
                let message = status.child("StatusMessage", NS.protocol_)?.text.trimmingXMLWhitespace
                var reason = "The IdP answered with status \(top)"
                if let second { reason += " / \(second)" }
                if let message, !message.isEmpty { reason += ": \(message)" }
                throw SAMLError(.statusNotSuccess, reason + ".")
            }
        }
    }
}
