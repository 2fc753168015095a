import Foundation
import SAMLCore
import SAMLMetadata
import SAMLXMLSec

/// The Response's top-level StatusCode is Success. Checked after the Response's
/// signature (so a signed status is known to be the IdP's) and before the assertion count,
/// because a failure response usually carries no assertion at all. Text from an unsigned
/// Response is labelled unverified and shown escaped, never raw.
enum StatusCheck {
    static let success = "urn:oasis:names:tc:SAML:2.0:status:Success"

    static func run(_ run: VerificationRun, response: XMLElement, responseSigned: Bool) throws {
        try run.step(.status) { facts in
            guard let status = response.child("Status", NS.protocol_), let code = status.child("StatusCode", NS.protocol_) else {
                throw SAMLError(.invalidMessage, "The Response has no Status.")
            }
            let top = code.attribute("Value") ?? ""
            facts.add("expected status", success)
            facts.add("found status", VerificationRun.shown(top))
            facts.add("status signed", responseSigned ? "yes" : "no (unverified)")
            guard top == success else {
                let second = code.child("StatusCode", NS.protocol_)?.attribute("Value")
                let message = status.child("StatusMessage", NS.protocol_)?.text.trimmingXMLWhitespace
                var reason = responseSigned ? "The IdP answered with status " : "The unsigned Response states status (unverified) "
                reason += VerificationRun.shown(top)
                if let second { reason += " / " + VerificationRun.shown(second) }
                if let message, !message.isEmpty { reason += ": \"" + VerificationRun.shown(message) + "\"" }
                throw SAMLError(.statusNotSuccess, reason + ".")
            }
        }
    }
}
