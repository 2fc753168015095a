package import CSAMLShims

/// One verification path's verdict on a `<ds:Signature>`, with the canonical bytes it digested
/// for the reference: what the differential test compares between the narrow path and xmlsec.
package struct SignaturePathOutcome: Sendable, Equatable {
    /// Verification ran and the signature value matched.
    package var succeeded: Bool
    /// Number of references processed.
    package var referenceCount: Int
    /// The single reference's digest matched.
    package var referenceDigestMatched: Bool
    /// The single reference's URI as written.
    package var referenceURI: String
    /// The canonical bytes digested for the reference (empty when none were).
    package var canonicalReference: [UInt8]
    /// The address of the element the reference resolved to (0 when none); compared, never read.
    package var referencedNode: UInt
}

extension XMLElement {
    /// Runs only the narrow path (see `CSAMLNarrowSignature.h`) on this `<ds:Signature>`; nil when
    /// the signature is not of the narrow profile's shape and the generic path would decide.
    package func verifySignatureNarrowPath(with key: PublicKeyHandle) throws(SAMLError) -> SignaturePathOutcome? {
        try Library.prepare()
        var result = unsafe saml_verification()
        guard let buffer = unsafe saml_c14n_buffer_create() else { throw Library.error(.libraryFailure, "Out of memory.") }
        defer { unsafe saml_c14n_buffer_free(buffer) }
        var key: xmlSecKeyPtr? = unsafe key.pointer
        guard unsafe saml_narrow_signature_verify(node, &key, 1, 0, &result, buffer) == 1 else { return nil }
        return unsafe Self.outcome(result, rc: 0, buffer: buffer)
    }

    /// The outcome of a path's run, from its result and the bytes it digested.
    package static func outcome(_ result: saml_verification, rc: Int32, buffer: xmlBufferPtr) -> SignaturePathOutcome {
        var result = unsafe result
        let uri = unsafe withUnsafeBytes(of: &result.reference_uri) { unsafe String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let count = Int(unsafe saml_c14n_buffer_length(buffer))
        let bytes: [UInt8] = if count > 0, let base = unsafe saml_c14n_buffer_bytes(buffer) {
            unsafe Array(UnsafeBufferPointer(start: base, count: count))
        } else {
            []
        }
        return unsafe SignaturePathOutcome(
            succeeded: rc == 0 && result.status == 1,
            referenceCount: Int(result.reference_count),
            referenceDigestMatched: result.reference_status == 1,
            referenceURI: uri,
            canonicalReference: bytes,
            referencedNode: UInt(bitPattern: unsafe result.reference_node)
        )
    }
}
