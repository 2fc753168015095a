import Foundation
import SAMLCore
import SAMLMetadata
import SAMLXMLSec

/// The bytes parse safely (size, no DOCTYPE, depth, unique IDs) into a SAML 2.0
/// protocol `<Response>` with an ID.
enum ParsingCheck {
    /// Returns the document, its root Response and the Response's ID.
    static func run(_ run: VerificationRun, xml: [UInt8]) throws -> (XMLDocument, XMLElement, String) {
        try run.step(.parsing) { facts in
            facts.add("bytes", "\(xml.count) (limit \(run.policy.limits.maximumBytes))")
            let document = try XMLDocument.parse(xml, limits: run.policy.limits)
            guard let response = document.root, response.is("Response", NS.protocol_) else {
                let root = document.root
                throw SAMLError(.invalidMessage, "The message is <\(root?.localName ?? "?")> in \(root?.namespaceURI.map { "\"\($0)\"" } ?? "no namespace"), not a SAML 2.0 protocol Response.")
            }
            guard response.attribute("Version") == "2.0" else {
                throw SAMLError(.invalidMessage, "The Response has Version \"\(response.attribute("Version") ?? "")\"; only SAML 2.0 is accepted.")
            }
            guard let responseID = response.attribute("ID"), !responseID.isEmpty else {
                throw SAMLError(.invalidMessage, "The Response has no ID.")
            }
            facts.add("response ID", responseID)
            return (document, response, responseID)
        }
    }
}
