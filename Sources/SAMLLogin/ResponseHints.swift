import SAMLCore
import SAMLVerification
import SAMLXMLSec

/// Values read from a response BEFORE it is verified, used only to choose which configured IdP
/// and ACS URL must then verify it. Nothing here is trusted: the chosen IdP's keys and rules
/// check everything afterwards, and a response whose signed Issuer differs is refused.
struct ResponseHints {
    var issuer: String?
    var destination: String?
    var inResponseTo: String?

    /// Reads the hints from the posted value's one parsed document; throws what decoding or
    /// parsing refused.
    static func read(_ posted: PostedResponse) throws -> ResponseHints {
        guard let root = try posted.document().root, root.is("Response", NS.protocol_) else {
            throw SAMLError(.invalidMessage, "The SAMLResponse is not a SAML 2.0 Response.")
        }
        var hints = ResponseHints()
        hints.destination = root.attribute("Destination")
        hints.inResponseTo = root.attribute("InResponseTo")
        hints.issuer = root.child("Issuer", NS.assertion)?.text.trimmingXMLWhitespace
        if hints.issuer == nil || hints.issuer?.isEmpty == true {
            hints.issuer = root.child("Assertion", NS.assertion)?.child("Issuer", NS.assertion)?.text.trimmingXMLWhitespace
        }
        return hints
    }
}
