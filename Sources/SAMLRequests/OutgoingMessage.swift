import Foundation
import SAMLCore
import SAMLXMLSec

/// Encodes a SAML protocol message this SP sends, for the HTTP-Redirect binding (DEFLATE,
/// base64, query-string signature over the exact bytes) or the HTTP-POST binding (enveloped
/// signature after the Issuer, base64, auto-submitting form).
enum OutgoingMessage {
    /// `SAMLRequest` or `SAMLResponse`.
    enum Kind: String {
        case request = "SAMLRequest"
        case response = "SAMLResponse"
    }

    /// The signing key and algorithm, or nil for an unsigned message.
    typealias Signer = (SAMLKeyPair, RequestSignatureAlgorithm)

    static func redirect(_ document: XMLDocument, kind: Kind, id: String, destination: String, relayState: String?,
                         signer: Signer?, issueInstant: Date) throws -> RedirectRequest {
        var xml = document.serialized(declaration: false)
        while xml.last == UInt8(ascii: "\n") { xml.removeLast() }
        let encoded = Base64.encode(try Deflate.compress(xml))
        var query = kind.rawValue + "=" + URLEncoding.encode(encoded)
        if let relayState { query += "&RelayState=" + URLEncoding.encode(relayState) }
        if let (key, algorithm) = signer {
            query += "&SigAlg=" + URLEncoding.encode(algorithm.uri)
            let signature = try key.privateKey.handle.sign(Array(query.utf8), digestBits: algorithm.digestBits)
            query += "&Signature=" + URLEncoding.encode(Base64.encode(signature))
        }
        let separator = destination.contains("?") ? "&" : "?"
        return RedirectRequest(
            id: id, destination: destination, relayState: relayState, url: destination + separator + query, query: query,
            xml: String(decoding: xml, as: UTF8.self), issueInstant: issueInstant, signatureAlgorithm: signer?.1)
    }

    static func post(_ document: XMLDocument, kind: Kind, id: String, destination: String, relayState: String?,
                     signer: Signer?, includesCertificate: Bool, issueInstant: Date) throws -> PostRequest {
        if let (key, algorithm) = signer, let root = document.root {
            try root.sign(id: id, after: root.child("Issuer", NS.assertion), key: key.privateKey.handle, algorithm: algorithm.xmlCode,
                          certificateDER: includesCertificate ? key.certificate.der : nil)
        }
        var xml = document.serialized(declaration: false)
        while xml.last == UInt8(ascii: "\n") { xml.removeLast() }
        let base64 = Base64.encode(xml)
        return PostRequest(
            id: id, destination: destination, relayState: relayState, base64: base64,
            form: HTMLForm.autoSubmitting(action: destination, field: kind.rawValue, value: base64, relayState: relayState),
            xml: String(decoding: xml, as: UTF8.self), issueInstant: issueInstant, signatureAlgorithm: signer?.1)
    }

    /// The signer for `serviceProvider`, or nil when it has no key or `signs` is false; refuses an
    /// unsigned message to an IdP that wants signed ones.
    static func signer(for serviceProvider: ServiceProvider, signs: Bool, algorithm: RequestSignatureAlgorithm?,
                       idpWantsSigned: Bool, idpEntityID: String, what: String) throws -> Signer? {
        guard signs, let key = serviceProvider.signingKey else {
            if idpWantsSigned {
                throw SAMLError(.invalidConfiguration, "The IdP \(idpEntityID) wants signed \(what) (WantAuthnRequestsSigned), and no signing key is configured for this SP.")
            }
            return nil
        }
        let chosen = algorithm ?? .default(for: key.privateKey)
        try chosen.check(key.privateKey)
        return (key, chosen)
    }

    /// The IssueInstant precision: whole seconds.
    static func wholeSeconds(_ date: Date) -> Date {
        Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
    }
}
