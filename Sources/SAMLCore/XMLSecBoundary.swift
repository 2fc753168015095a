package import SAMLXMLSec

// The wrapper's operations that can fail, as the modules above call them: each throws
// `SAMLError`, mapped from the wrapper's failure by `SAMLError.init(_:)`. The wrapper itself
// offers these only with a `failuresAs:` error type, so none of its failures passes unmapped.

extension XMLDocument {
    /// Parses with the hardened settings within `limits` (the wrapper's plain numbers).
    package static func parse(_ bytes: [UInt8], limits: ParseLimits) throws -> XMLDocument {
        try parse(bytes, limits: limits, failuresAs: SAMLError.self)
    }

    /// A new document with one root element, for building messages.
    package convenience init(rootName: String, namespace: String, prefix: String) throws {
        try self.init(rootName: rootName, namespace: namespace, prefix: prefix, failuresAs: SAMLError.self)
    }

    /// Registers every `ID` attribute as an XML ID; a value used twice is refused (`duplicateID`).
    package func registerIDs() throws {
        try registerIDs(failuresAs: SAMLError.self)
    }
}

extension XMLElement {
    /// Verifies this `<ds:Signature>` with exactly `key`; KeyInfo is never consulted. Only the
    /// algorithms in `allowed` are enabled.
    package func verifySignature(with key: PublicKeyHandle, allowed: SignatureAllowlist,
                                 allowWholeDocument: Bool = false) throws -> SignatureCheck {
        try verifySignature(with: key, allowed: allowed, allowWholeDocument: allowWholeDocument, failuresAs: SAMLError.self)
    }

    /// Runs only the narrow signature path; nil when it declines.
    package func verifySignatureNarrowPath(with key: PublicKeyHandle) throws -> SignaturePathOutcome? {
        try verifySignatureNarrowPath(with: key, failuresAs: SAMLError.self)
    }

    /// Runs only xmlsec's generic signature path.
    package func verifySignatureGenericPath(with key: PublicKeyHandle, allowed: SignatureAllowlist) throws -> SignaturePathOutcome {
        try verifySignatureGenericPath(with: key, allowed: allowed, failuresAs: SAMLError.self)
    }

    /// Adds an enveloped signature over this element (which must carry `ID`), right after
    /// `after` (or first), optionally with the certificate in KeyInfo.
    package func sign(id: String, after: XMLElement?, key: PrivateKeyHandle, algorithm: SignatureAlgorithmCode,
                      certificateDER: [UInt8]?) throws {
        try sign(id: id, after: after, key: key, algorithm: algorithm, certificateDER: certificateDER, failuresAs: SAMLError.self)
    }

    /// Decrypts this `<xenc:EncryptedData>` in place with a raw AES key, allowing only the
    /// content algorithms in `algorithms`; the plaintext passes the shape pre-scan within `limits`.
    package func decryptData(key: [UInt8], algorithms: CStringList, limits: ParseLimits) throws {
        try decryptData(key: key, algorithms: algorithms, limits: limits, failuresAs: SAMLError.self)
    }

    /// Decrypts this AES-CBC `<xenc:EncryptedData>` in place with a raw key, `cipher` being its
    /// CipherValue's bytes: a padding failure does the scan and parse a valid padding does.
    package func decryptCBCData(key: [UInt8], cipher: [UInt8], limits: ParseLimits) throws {
        try decryptCBCData(key: key, cipher: cipher, limits: limits, failuresAs: SAMLError.self)
    }

    /// Encrypts this element for the RSA key of `certificateDER` and wraps the result in a new
    /// `{wrapperNamespace}wrapperName` element; this element must not be used afterwards.
    package func encrypt(algorithm: ContentEncryptionCode, certificateDER: [UInt8],
                         wrapperName: String, wrapperNamespace: String) throws -> XMLElement {
        try encrypt(algorithm: algorithm, certificateDER: certificateDER, wrapperName: wrapperName,
                    wrapperNamespace: wrapperNamespace, failuresAs: SAMLError.self)
    }
}

extension PublicKeyHandle {
    /// Reads the public key of a DER certificate.
    package convenience init(certificateDER der: [UInt8]) throws {
        try self.init(certificateDER: der, failuresAs: SAMLError.self)
    }
}

extension PrivateKeyHandle {
    /// Reads a PEM private key (PKCS#1, PKCS#8, SEC1 or encrypted PKCS#8 with `passphrase`).
    package convenience init(pem: String, passphrase: String?) throws {
        try self.init(pem: pem, passphrase: passphrase, failuresAs: SAMLError.self)
    }

    /// Signs bytes (RSA PKCS#1 v1.5, or ECDSA as r‖s) with `digest`.
    package func sign(_ data: [UInt8], digest: DigestAlgorithm) throws -> [UInt8] {
        try sign(data, digest: digest, failuresAs: SAMLError.self)
    }
}

extension CertificateFacts {
    /// Reads a DER certificate.
    package init(der: [UInt8]) throws {
        try self.init(der: der, failuresAs: SAMLError.self)
    }
}

extension Crypto {
    /// Secure random bytes.
    package static func randomBytes(_ count: Int) throws -> [UInt8] {
        try randomBytes(count, failuresAs: SAMLError.self)
    }
}

extension MessageAuthentication {
    /// HMAC-SHA256 of `data` under `key` (32 bytes).
    package static func hmacSHA256(_ data: [UInt8], key: [UInt8]) throws -> [UInt8] {
        try hmacSHA256(data, key: key, failuresAs: SAMLError.self)
    }
}

extension Deflate {
    /// Compresses bytes (raw DEFLATE, for the HTTP-Redirect binding).
    package static func compress(_ data: [UInt8]) throws -> [UInt8] {
        try compress(data, failuresAs: SAMLError.self)
    }

    /// Decompresses raw DEFLATE, refusing output larger than `limit` (`tooLarge`) and data that
    /// is not DEFLATE (`invalidEncoding`).
    package static func decompress(_ data: [UInt8], limit: Int) throws -> [UInt8] {
        try decompress(data, limit: limit, failuresAs: SAMLError.self)
    }
}
