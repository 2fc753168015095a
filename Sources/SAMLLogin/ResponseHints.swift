import SAMLCore
import SAMLXMLSec

/// Values read from a response BEFORE it is verified, used only to choose which configured IdP
/// and ACS URL must then verify it. Nothing here is trusted: the chosen IdP's keys and rules
/// check everything afterwards, and a response whose signed Issuer differs is refused.
struct ResponseHints {
    var issuer: String?
    var destination: String?
    var inResponseTo: String?

    static func read(_ samlResponse: String, limits: XMLLimits) throws -> ResponseHints {
        let trimmed = samlResponse.trimmingXMLWhitespace
        let bytes: [UInt8]
        if trimmed.utf8.first == UInt8(ascii: "<") {
            bytes = Array(trimmed.utf8)
        } else {
            guard samlResponse.utf8.count <= limits.maximumBytes / 3 * 4 + limits.maximumBytes / 16 + 1024 else {
                throw SAMLError(.tooLarge, "The SAMLResponse value is \(samlResponse.utf8.count) bytes, beyond the \(limits.maximumBytes)-byte XML limit.")
            }
            guard let decoded = Base64.decode(samlResponse) else {
                throw SAMLError(.invalidEncoding, "The SAMLResponse value is not valid base64.")
            }
            bytes = decoded
        }
        let document = try XMLDocument.parse(bytes, limits: limits)
        guard let root = document.root, root.is("Response", NS.protocol_) else {
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
