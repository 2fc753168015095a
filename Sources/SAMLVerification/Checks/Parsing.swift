import Foundation
import SAMLCore
import SAMLMetadata
import SAMLXMLSec

/// The bytes parse safely (size, no DOCTYPE, depth, unique IDs) into a SAML 2.0
/// protocol `<Response>` with an ID.
enum ParsingCheck {
    /// Returns the document, its root Response and the Response's ID.
    static func run(_ run: VerificationRun, xml: [UInt8]) throws -> (XMLDocument, XMLElement, String) {
        try check(run, bytes: xml.count) { try XMLDocument.parse(xml, limits: run.policy.limits) }
    }

    /// The same for a value decoded and parsed once already (parsed again only if that was done
    /// within other limits than this verification's).
    static func run(_ run: VerificationRun, posted: PostedResponse) throws -> (XMLDocument, XMLElement, String) {
        switch posted.stage {
        case .undecodable(let error, let characters):
            run.report(VerificationDiagnostic(check: .parsing, passed: false, facts: [.init("posted characters", "\(characters)")], error: error))
            throw error
        case .unparsable(_, let bytes), .parsed(_, let bytes):
            guard posted.limits == run.policy.limits else { return try self.run(run, xml: posted.xml) }
            return try check(run, bytes: bytes) { try posted.document() }
        }
    }

    private static func check(_ run: VerificationRun, bytes: Int, _ parse: () throws -> XMLDocument) throws -> (XMLDocument, XMLElement, String) {
        try run.step(.parsing) { facts in
            facts.add("bytes", "\(bytes) (limit \(run.policy.limits.maximumBytes))")
            let document = try parse()
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
