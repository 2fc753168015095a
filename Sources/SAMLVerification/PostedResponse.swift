import Foundation
import SAMLCore
package import SAMLXMLSec

/// A posted `SAMLResponse` value, decoded and parsed once. The façade reads its routing hints
/// (issuer, InResponseTo, Destination) from this document and hands the same document to the
/// verifier, which runs every check on it; nothing decodes or parses the value a second time.
///
/// Single use: verification decrypts in place, so a value goes to one verification only. A
/// value that does not decode or parse keeps its error, which the verifier reports as the
/// failing parsing step.
package final class PostedResponse {
    enum Stage {
        case undecodable(SAMLError, postedCharacters: Int)
        case unparsable(SAMLError, bytes: Int)
        case parsed(XMLDocument, bytes: Int)
    }

    /// The decoded XML (empty when it did not decode).
    let xml: [UInt8]

    let stage: Stage
    /// The limits it was parsed within.
    let limits: XMLLimits

    /// Decodes (base64, or raw XML starting with `<`) and parses `samlResponse` within `limits`.
    package init(samlResponse: String, limits: XMLLimits) {
        self.limits = limits
        let bytes: [UInt8]
        do {
            bytes = try ResponseVerifier.decode(samlResponse, limits: limits)
        } catch {
            xml = []
            stage = .undecodable(Self.samlError(error), postedCharacters: samlResponse.utf8.count)
            return
        }
        xml = bytes
        do {
            stage = .parsed(try XMLDocument.parse(bytes, limits: limits), bytes: bytes.count)
        } catch {
            stage = .unparsable(Self.samlError(error), bytes: bytes.count)
        }
    }

    /// The parsed document; throws what decoding or parsing refused.
    package func document() throws -> XMLDocument {
        switch stage {
        case .undecodable(let error, _), .unparsable(let error, _): throw error
        case .parsed(let document, _): return document
        }
    }

    private static func samlError(_ error: any Error) -> SAMLError {
        error as? SAMLError ?? SAMLError(.libraryFailure, "\(error)")
    }
}
