import CSAMLShims

/// What xmlsec reported for one `<ds:Signature>` checked with one pinned key.
package struct SignatureCheck: Sendable {
    /// Verification ran and the signature value matched.
    package var succeeded: Bool
    /// Number of `<ds:Reference>` elements xmlsec processed.
    package var referenceCount: Int
    /// The single reference's digest matched.
    package var referenceDigestMatched: Bool
    /// The single reference's URI as written.
    package var referenceURI: String
    /// What the libraries said on failure.
    package var libraryMessage: String?
}

/// Enveloped-signature algorithms this package can produce.
package enum SignatureAlgorithmCode: Int32, Sendable {
    case rsaSHA256 = 1, rsaSHA384 = 2, rsaSHA512 = 3, ecdsaSHA256 = 4, ecdsaSHA384 = 5, ecdsaSHA512 = 6
}

extension XMLElement {
    /// Verifies this `<ds:Signature>` element with exactly `key`; KeyInfo is never consulted.
    package func verifySignature(with key: PublicKeyHandle, allowSHA1: Bool, allowWholeDocument: Bool = false) throws -> SignatureCheck {
        try Library.prepare()
        var result = saml_verification()
        var flags: Int32 = 0
        if allowSHA1 { flags |= Int32(SAML_VERIFY_ALLOW_SHA1) }
        if allowWholeDocument { flags |= Int32(SAML_VERIFY_ALLOW_EMPTY_URI) }
        let rc = unsafe saml_signature_verify(node, key.pointer, flags, &result)
        let uri = unsafe withUnsafeBytes(of: &result.reference_uri) { unsafe String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return SignatureCheck(
            succeeded: rc == 0 && result.status == 1,
            referenceCount: Int(result.reference_count),
            referenceDigestMatched: result.reference_status == 1,
            referenceURI: uri,
            libraryMessage: Library.lastMessage
        )
    }

    /// Adds an enveloped signature over this element (which must carry `ID`), right after `after`
    /// (or first), optionally with the certificate in KeyInfo.
    package func sign(id: String, after: XMLElement?, key: PrivateKeyHandle, algorithm: SignatureAlgorithmCode, certificateDER: [UInt8]?) throws {
        try Library.prepare()
        let rc = unsafe id.withCString { idPointer in
            unsafe (certificateDER ?? []).withUnsafeBufferPointer { cert in
                unsafe saml_signature_sign(node, after?.node, idPointer, key.xmlsecKey, algorithm.rawValue,
                                    certificateDER == nil ? nil : cert.baseAddress, Int32(cert.count))
            }
        }
        guard rc == 0 else { throw Library.error(.invalidKey, "Signing the XML failed; check that the key type matches the algorithm.") }
    }

    /// Decrypts this `<xenc:EncryptedData>` in place with a raw AES key. The element is replaced
    /// by the decrypted nodes and must not be used afterwards.
    package func decryptData(key: [UInt8]) throws {
        try Library.prepare()
        let rc = unsafe key.withUnsafeBufferPointer { unsafe saml_decrypt_data(node, $0.baseAddress, Int32($0.count)) }
        guard rc == 0 else {
            throw Library.error(.decryptionFailed, rc == -2
                ? "The decrypted content is not well-formed XML."
                : "The encrypted content could not be decrypted (wrong key, unsupported algorithm or damaged ciphertext).")
        }
    }
}

/// Raw DEFLATE (RFC 1951) for the HTTP-Redirect binding.
package enum Deflate {
    /// Compresses bytes.
    package static func compress(_ data: [UInt8]) throws -> [UInt8] {
        var out: UnsafeMutablePointer<UInt8>? = nil
        var length = 0
        let rc = unsafe data.withUnsafeBufferPointer { unsafe saml_deflate($0.baseAddress, $0.count, &out, &length) }
        guard rc == 0, let out = unsafe out else { throw SAMLError(.libraryFailure, "DEFLATE failed.") }
        defer { unsafe saml_buffer_free(out) }
        return unsafe Array(UnsafeBufferPointer(start: out, count: length))
    }

    /// Decompresses bytes, refusing output larger than `limit`.
    package static func decompress(_ data: [UInt8], limit: Int) throws -> [UInt8] {
        var out: UnsafeMutablePointer<UInt8>? = nil
        var length = 0
        let rc = unsafe data.withUnsafeBufferPointer { unsafe saml_inflate($0.baseAddress, $0.count, limit, &out, &length) }
        if rc == -2 { throw SAMLError(.tooLarge, "The DEFLATE data expands beyond \(limit) bytes.") }
        guard rc == 0, let out = unsafe out else { throw SAMLError(.invalidEncoding, "The data is not valid raw DEFLATE.") }
        defer { unsafe saml_buffer_free(out) }
        return unsafe Array(UnsafeBufferPointer(start: out, count: length))
    }
}
