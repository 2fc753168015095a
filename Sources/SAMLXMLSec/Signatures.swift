import CSAMLShims
import Foundation

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
    /// The address of the element the single reference resolved to (0 when none): the root of
    /// what was canonicalized and digested. Compared with ``covers(_:)``, never dereferenced.
    var referencedNode: UInt
    /// Which of the keys given verified SignedInfo (nil when none did).
    package var keyIndex: Int?
    /// Public-key operations made on SignedInfo by the narrow path (0 on xmlsec's generic path,
    /// which makes its own one).
    package var signedInfoChecks: Int

    /// Whether the single reference resolved to exactly `element` (the same node, not an
    /// element with the same ID text).
    package func covers(_ element: XMLElement) -> Bool {
        referencedNode != 0 && referencedNode == UInt(bitPattern: unsafe element.node)
    }
}

/// Enveloped-signature algorithms this package can produce.
package enum SignatureAlgorithmCode: Int32, Sendable {
    case rsaSHA256 = 1, rsaSHA384 = 2, rsaSHA512 = 3, ecdsaSHA256 = 4, ecdsaSHA384 = 5, ecdsaSHA512 = 6
}

/// A list of algorithm URIs copied once into C strings, to hand an allowlist to the C layer.
@safe package final class CStringList: Sendable {
    nonisolated(unsafe) private let pointers: UnsafeMutablePointer<UnsafePointer<CChar>?>
    /// The strings.
    package let strings: [String]

    package init(_ strings: [String]) {
        self.strings = strings
        unsafe pointers = .allocate(capacity: max(strings.count, 1))
        for (index, string) in strings.enumerated() {
            unsafe pointers[index] = unsafe UnsafePointer(strdup(string))
        }
    }

    /// Lends the C array and its length.
    package func withPointers<R>(_ body: (UnsafePointer<UnsafePointer<CChar>?>, Int32) throws -> R) rethrows -> R {
        try unsafe body(UnsafePointer(pointers), Int32(strings.count))
    }

    deinit {
        for index in 0..<strings.count { unsafe free(UnsafeMutablePointer(mutating: pointers[index])) }
        unsafe pointers.deallocate()
    }
}

/// The algorithms a signature may use, by URI: `signature` governs CanonicalizationMethod and
/// SignatureMethod, `reference` the Reference transforms and DigestMethod. Built from the one
/// algorithm table (`Algorithms` in SAMLCore) and handed to xmlsec as is.
package struct SignatureAllowlist: Sendable {
    package let signature: CStringList
    package let reference: CStringList

    package init(signature: [String], reference: [String]) {
        self.signature = CStringList(signature)
        self.reference = CStringList(reference)
    }
}

extension XMLElement {
    /// Verifies this `<ds:Signature>` element with exactly `key`; KeyInfo is never consulted.
    /// Only the algorithms in `allowed` are enabled.
    package func verifySignature(with key: PublicKeyHandle, allowed: SignatureAllowlist, allowWholeDocument: Bool = false) throws(SAMLError) -> SignatureCheck {
        // one key: the narrow path, or xmlsec's generic one, always decides
        try verifySignature(with: [key], allowed: allowed, allowWholeDocument: allowWholeDocument)!
    }

    /// Verifies this `<ds:Signature>` with whichever of `keys` signed it; KeyInfo is never
    /// consulted. The narrow path canonicalizes and digests once whatever the number of keys.
    /// nil when it declined and there are several keys: the caller then picks the one that
    /// signed SignedInfo (``signedInfoVerifies(canonicalization:key:digest:signature:)``) and
    /// calls again with it alone.
    package func verifySignature(with keys: [PublicKeyHandle], allowed: SignatureAllowlist, allowWholeDocument: Bool = false) throws(SAMLError) -> SignatureCheck? {
        try Library.prepare()
        var result = unsafe saml_verification()
        var flags: Int32 = 0
        if allowWholeDocument { flags |= Int32(SAML_VERIFY_ALLOW_EMPTY_URI) }
        let rc = unsafe withUnsafeTemporaryAllocation(of: xmlSecKeyPtr?.self, capacity: keys.count) { pointers in
            for (index, key) in keys.enumerated() { unsafe pointers[index] = unsafe key.pointer }
            return unsafe allowed.signature.withPointers { signature, signatureCount in
                unsafe allowed.reference.withPointers { reference, referenceCount in
                    var list = unsafe saml_allowlist(signature_transforms: signature, signature_count: signatureCount,
                                                     reference_transforms: reference, reference_count: referenceCount)
                    return unsafe saml_signature_verify_keys(node, pointers.baseAddress, Int32(keys.count), flags, &list, &result)
                }
            }
        }
        if rc == -3 { return nil }
        if rc == -2 {
            throw Library.error(.libraryFailure, "The signature algorithm allowlist names an algorithm xmlsec does not provide.")
        }
        let uri = unsafe withUnsafeBytes(of: &result.reference_uri) { unsafe String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return unsafe SignatureCheck(
            succeeded: rc == 0 && result.status == 1,
            referenceCount: Int(result.reference_count),
            referenceDigestMatched: result.reference_status == 1,
            referenceURI: uri,
            libraryMessage: Library.lastMessage,
            referencedNode: UInt(bitPattern: unsafe result.reference_node),
            keyIndex: result.key_index >= 0 ? Int(result.key_index) : nil,
            signedInfoChecks: Int(result.signed_info_checks)
        )
    }

    /// Whether `key` made the SignatureValue `signature` over this `<ds:SignedInfo>`,
    /// canonicalized as `canonicalization` (its CanonicalizationMethod) says, with `digest`.
    /// Digests no Reference. nil when the check itself failed.
    package func signedInfoVerifies(canonicalization: XMLElement, key: PublicKeyHandle, digest: DigestAlgorithm, signature: [UInt8]) -> Bool? {
        guard (try? Library.prepare()) != nil else { return nil }
        let rc = unsafe signature.withUnsafeBufferPointer { s in
            unsafe saml_signed_info_verify(node, canonicalization.node, key.pointer, digest.code, s.baseAddress, s.count)
        }
        return rc < 0 ? nil : rc == 1
    }

    /// Adds an enveloped signature over this element (which must carry `ID`), right after `after`
    /// (or first), optionally with the certificate in KeyInfo, and optionally with an
    /// `InclusiveNamespaces PrefixList` on the Reference's exclusive c14n (`referencePrefixes`)
    /// and on the CanonicalizationMethod (`signedInfoPrefixes`).
    package func sign(id: String, after: XMLElement?, key: PrivateKeyHandle, algorithm: SignatureAlgorithmCode, certificateDER: [UInt8]?,
              referencePrefixes: String? = nil, signedInfoPrefixes: String? = nil) throws(SAMLError) {
        try Library.prepare()
        changed()
        let rc = unsafe id.withCString { idPointer in
            unsafe (certificateDER ?? []).withUnsafeBufferPointer { cert in
                unsafe Self.withOptionalCString(referencePrefixes) { reference in
                    unsafe Self.withOptionalCString(signedInfoPrefixes) { signedInfo in
                        unsafe saml_signature_sign(node, after?.node, idPointer, key.xmlsecKey, algorithm.rawValue,
                                                   certificateDER == nil ? nil : cert.baseAddress, Int32(cert.count), reference, signedInfo)
                    }
                }
            }
        }
        guard rc == 0 else { throw Library.error(.invalidKey, "Signing the XML failed; check that the key type matches the algorithm.") }
    }

    private static func withOptionalCString<R>(_ string: String?, _ body: (UnsafePointer<CChar>?) -> R) -> R {
        guard let string else { return body(nil) }
        return unsafe string.withCString { unsafe body($0) }
    }

    /// Decrypts this `<xenc:EncryptedData>` in place with a raw AES key and the one content
    /// algorithm the caller chose (its URI): xmlsec, which reads EncryptionMethod itself, can run
    /// no other, and the call fails unless that is the one it ran. The element is replaced by the
    /// decrypted nodes and must not be used afterwards. The plaintext passes the same shape
    /// pre-scan as every document.
    package func decryptData(key: [UInt8], algorithm: String, limits: XMLLimits) throws(SAMLError) {
        try Library.prepare()
        changed()
        var scanLimits = limits.prescanLimits
        let rc = unsafe key.withUnsafeBufferPointer { k in
            unsafe saml_decrypt_data(node, k.baseAddress, Int32(k.count), algorithm, &scanLimits)
        }
        if rc <= -100 {
            // decrypted with the right key, and then refused by the shape scan, as any document would be
            try XMLPreScan.report(-100 - rc, saml_prescan_result(), limits: limits, what: "decrypted content")
        }
        guard rc == 0 else {
            throw Library.error(.decryptionFailed, rc == -2
                ? "The decrypted content is not well-formed XML."
                : "The encrypted content could not be decrypted (wrong key, unsupported algorithm or damaged ciphertext).")
        }
    }

    /// Decrypts this `<xenc:EncryptedData>` in place as AES-CBC with a raw key, `cipher` being its
    /// CipherValue's bytes (IV first), without xmlsec: the padding is judged without branching on
    /// it, and the plaintext is scanned and parsed whether or not the padding is valid, so a
    /// padding failure takes the time a parse failure takes. On success the element is replaced
    /// by the decrypted nodes and must not be used afterwards.
    package func decryptCBCData(key: [UInt8], cipher: [UInt8], limits: XMLLimits) throws(SAMLError) {
        try Library.prepare()
        changed()
        var scanLimits = limits.prescanLimits
        var paddingValid: Int32 = 0
        let rc = unsafe key.withUnsafeBufferPointer { k in
            unsafe cipher.withUnsafeBufferPointer { c in
                unsafe saml_decrypt_cbc_data(node, k.baseAddress, Int32(k.count), c.baseAddress, c.count, &scanLimits, &paddingValid)
            }
        }
        if rc <= -100 {
            try XMLPreScan.report(-100 - rc, saml_prescan_result(), limits: limits, what: "decrypted content")
        }
        switch rc {
        case 0: return
        case -2: throw Library.error(.decryptionFailed, "The decrypted content is not well-formed XML.")
        case -3: throw Library.error(.decryptionFailed, "The decrypted content's padding is invalid (its plaintext was scanned and parsed all the same).")
        default: throw Library.error(.decryptionFailed, "The encrypted content could not be decrypted (wrong key length, or a ciphertext that is not whole AES blocks after its IV).")
        }
    }

    /// Decrypts this `<xenc:EncryptedData>` in place as AES-GCM with a raw key, `cipher` being its
    /// CipherValue's bytes (12-byte IV first, 16-byte tag last), without xmlsec. The tag is
    /// verified before the plaintext is scanned or parsed. On success the element is replaced by
    /// the decrypted nodes and must not be used afterwards.
    package func decryptGCMData(key: [UInt8], cipher: [UInt8], limits: XMLLimits) throws(SAMLError) {
        try Library.prepare()
        changed()
        var scanLimits = limits.prescanLimits
        let rc = unsafe key.withUnsafeBufferPointer { k in
            unsafe cipher.withUnsafeBufferPointer { c in
                unsafe saml_decrypt_gcm_data(node, k.baseAddress, Int32(k.count), c.baseAddress, c.count, &scanLimits)
            }
        }
        if rc <= -100 {
            try XMLPreScan.report(-100 - rc, saml_prescan_result(), limits: limits, what: "decrypted content")
        }
        switch rc {
        case 0: return
        case -2: throw Library.error(.decryptionFailed, "The decrypted content is not well-formed XML.")
        default: throw Library.error(.decryptionFailed, "The encrypted content could not be decrypted (wrong key, damaged ciphertext or tag, or data shorter than its IV and tag).")
        }
    }
}

/// Raw DEFLATE (RFC 1951) for the HTTP-Redirect binding.
package enum Deflate {
    /// Compresses bytes.
    package static func compress(_ data: [UInt8]) throws(SAMLError) -> [UInt8] {
        var out: UnsafeMutablePointer<UInt8>? = nil
        var length = 0
        let rc = unsafe data.withUnsafeBufferPointer { unsafe saml_deflate($0.baseAddress, $0.count, &out, &length) }
        guard rc == 0, let out = unsafe out else { throw SAMLError(.libraryFailure, "DEFLATE failed.") }
        defer { unsafe saml_buffer_free(out) }
        return unsafe Array(UnsafeBufferPointer(start: out, count: length))
    }

    /// Decompresses bytes, refusing output larger than `limit`.
    package static func decompress(_ data: [UInt8], limit: Int) throws(SAMLError) -> [UInt8] {
        var out: UnsafeMutablePointer<UInt8>? = nil
        var length = 0
        let rc = unsafe data.withUnsafeBufferPointer { unsafe saml_inflate($0.baseAddress, $0.count, limit, &out, &length) }
        if rc == -2 { throw SAMLError(.tooLarge, "The DEFLATE data expands beyond \(limit) bytes.") }
        guard rc == 0, let out = unsafe out else { throw SAMLError(.invalidEncoding, "The data is not valid raw DEFLATE.") }
        defer { unsafe saml_buffer_free(out) }
        return unsafe Array(UnsafeBufferPointer(start: out, count: length))
    }
}
