// The wrapper's entry points for every operation that can fail. Each runs the internal
// implementation (which throws `XMLSecFailure`) and maps its failure into the caller's error
// type; SAMLCore passes `SAMLError` (see `XMLSecBoundary.swift` there). Nothing else that
// throws is visible outside this module, so a wrapper failure cannot reach the modules above
// unmapped.

extension Library {
    /// Initialises the libraries (once) and checks their versions.
    package static func prepare<Failure: XMLSecFailureMapping>(failuresAs: Failure.Type) throws(Failure) {
        try XMLSecFailure.mapped(failuresAs) { () throws(XMLSecFailure) in try prepare() }
    }
}

extension XMLDocument {
    /// Parses with the hardened settings within `limits` (see the internal `parse(_:limits:)`).
    package static func parse<Failure: XMLSecFailureMapping>(_ bytes: [UInt8], limits: ParseLimits,
                                                             failuresAs: Failure.Type) throws(Failure) -> XMLDocument {
        try XMLSecFailure.mapped(failuresAs) { () throws(XMLSecFailure) in try parse(bytes, limits: limits) }
    }

    /// A new document with one root element, for building messages.
    package convenience init<Failure: XMLSecFailureMapping>(rootName: String, namespace: String, prefix: String,
                                                             failuresAs: Failure.Type) throws(Failure) {
        do throws(XMLSecFailure) {
            try self.init(rootName: rootName, namespace: namespace, prefix: prefix)
        } catch {
            throw Failure(error)
        }
    }

    /// Registers every `ID` attribute as an XML ID; a value used twice is refused.
    package func registerIDs<Failure: XMLSecFailureMapping>(failuresAs: Failure.Type) throws(Failure) {
        try XMLSecFailure.mapped(failuresAs) { () throws(XMLSecFailure) in try registerIDs() }
    }
}

extension XMLElement {
    /// Verifies this `<ds:Signature>` with exactly `key` (see the internal `verifySignature`).
    package func verifySignature<Failure: XMLSecFailureMapping>(with key: PublicKeyHandle, allowed: SignatureAllowlist,
                                                                allowWholeDocument: Bool = false,
                                                                failuresAs: Failure.Type) throws(Failure) -> SignatureCheck {
        try XMLSecFailure.mapped(failuresAs) { () throws(XMLSecFailure) in
            try verifySignature(with: key, allowed: allowed, allowWholeDocument: allowWholeDocument)
        }
    }

    /// Runs only the narrow signature path; nil when it declines.
    package func verifySignatureNarrowPath<Failure: XMLSecFailureMapping>(with key: PublicKeyHandle,
                                                                          failuresAs: Failure.Type) throws(Failure) -> SignaturePathOutcome? {
        try XMLSecFailure.mapped(failuresAs) { () throws(XMLSecFailure) in try verifySignatureNarrowPath(with: key) }
    }

    /// Runs only xmlsec's generic signature path.
    package func verifySignatureGenericPath<Failure: XMLSecFailureMapping>(with key: PublicKeyHandle, allowed: SignatureAllowlist,
                                                                           failuresAs: Failure.Type) throws(Failure) -> SignaturePathOutcome {
        try XMLSecFailure.mapped(failuresAs) { () throws(XMLSecFailure) in try verifySignatureGenericPath(with: key, allowed: allowed) }
    }

    /// Adds an enveloped signature over this element (see the internal `sign`).
    package func sign<Failure: XMLSecFailureMapping>(id: String, after: XMLElement?, key: PrivateKeyHandle,
                                                     algorithm: SignatureAlgorithmCode, certificateDER: [UInt8]?,
                                                     failuresAs: Failure.Type) throws(Failure) {
        try XMLSecFailure.mapped(failuresAs) { () throws(XMLSecFailure) in
            try sign(id: id, after: after, key: key, algorithm: algorithm, certificateDER: certificateDER)
        }
    }

    /// Decrypts this `<xenc:EncryptedData>` in place (see the internal `decryptData`).
    package func decryptData<Failure: XMLSecFailureMapping>(key: [UInt8], algorithms: CStringList, limits: ParseLimits,
                                                            failuresAs: Failure.Type) throws(Failure) {
        try XMLSecFailure.mapped(failuresAs) { () throws(XMLSecFailure) in
            try decryptData(key: key, algorithms: algorithms, limits: limits)
        }
    }

    /// Decrypts this AES-CBC `<xenc:EncryptedData>` in place (see the internal `decryptCBCData`).
    package func decryptCBCData<Failure: XMLSecFailureMapping>(key: [UInt8], cipher: [UInt8], limits: ParseLimits,
                                                               failuresAs: Failure.Type) throws(Failure) {
        try XMLSecFailure.mapped(failuresAs) { () throws(XMLSecFailure) in
            try decryptCBCData(key: key, cipher: cipher, limits: limits)
        }
    }

    /// Encrypts this element for a certificate's RSA key (see the internal `encrypt`).
    package func encrypt<Failure: XMLSecFailureMapping>(algorithm: ContentEncryptionCode, certificateDER: [UInt8],
                                                        wrapperName: String, wrapperNamespace: String,
                                                        failuresAs: Failure.Type) throws(Failure) -> XMLElement {
        try XMLSecFailure.mapped(failuresAs) { () throws(XMLSecFailure) in
            try encrypt(algorithm: algorithm, certificateDER: certificateDER, wrapperName: wrapperName, wrapperNamespace: wrapperNamespace)
        }
    }
}

extension PublicKeyHandle {
    /// Reads the public key of a DER certificate.
    package convenience init<Failure: XMLSecFailureMapping>(certificateDER der: [UInt8], failuresAs: Failure.Type) throws(Failure) {
        do throws(XMLSecFailure) { try self.init(certificateDER: der) } catch { throw Failure(error) }
    }
}

extension PrivateKeyHandle {
    /// Reads a PEM private key (see the internal initialiser).
    package convenience init<Failure: XMLSecFailureMapping>(pem: String, passphrase: String?, failuresAs: Failure.Type) throws(Failure) {
        do throws(XMLSecFailure) { try self.init(pem: pem, passphrase: passphrase) } catch { throw Failure(error) }
    }

    /// Signs bytes (RSA PKCS#1 v1.5, or ECDSA as r‖s) with `digest`.
    package func sign<Failure: XMLSecFailureMapping>(_ data: [UInt8], digest: DigestAlgorithm, failuresAs: Failure.Type) throws(Failure) -> [UInt8] {
        try XMLSecFailure.mapped(failuresAs) { () throws(XMLSecFailure) in try sign(data, digest: digest) }
    }
}

extension CertificateFacts {
    /// Reads a DER certificate.
    package init<Failure: XMLSecFailureMapping>(der: [UInt8], failuresAs: Failure.Type) throws(Failure) {
        do throws(XMLSecFailure) { try self.init(der: der) } catch { throw Failure(error) }
    }
}

extension Crypto {
    /// Secure random bytes.
    package static func randomBytes<Failure: XMLSecFailureMapping>(_ count: Int, failuresAs: Failure.Type) throws(Failure) -> [UInt8] {
        try XMLSecFailure.mapped(failuresAs) { () throws(XMLSecFailure) in try randomBytes(count) }
    }
}

extension MessageAuthentication {
    /// HMAC-SHA256 of `data` under `key`.
    package static func hmacSHA256<Failure: XMLSecFailureMapping>(_ data: [UInt8], key: [UInt8], failuresAs: Failure.Type) throws(Failure) -> [UInt8] {
        try XMLSecFailure.mapped(failuresAs) { () throws(XMLSecFailure) in try hmacSHA256(data, key: key) }
    }
}

extension Deflate {
    /// Compresses bytes (raw DEFLATE).
    package static func compress<Failure: XMLSecFailureMapping>(_ data: [UInt8], failuresAs: Failure.Type) throws(Failure) -> [UInt8] {
        try XMLSecFailure.mapped(failuresAs) { () throws(XMLSecFailure) in try compress(data) }
    }

    /// Decompresses raw DEFLATE, refusing output larger than `limit`.
    package static func decompress<Failure: XMLSecFailureMapping>(_ data: [UInt8], limit: Int, failuresAs: Failure.Type) throws(Failure) -> [UInt8] {
        try XMLSecFailure.mapped(failuresAs) { () throws(XMLSecFailure) in try decompress(data, limit: limit) }
    }
}
