package import CSAMLShims

/// A public-key algorithm, as the C layer reports it (`SAML_KEY_*`).
package enum KeyType: Sendable, Hashable {
    case rsa, ec

    /// Reads a `SAML_KEY_*` code; nil for any other key type.
    init?(code: Int32) {
        switch code {
        case Int32(SAML_KEY_RSA): self = .rsa
        case Int32(SAML_KEY_EC): self = .ec
        default: return nil
        }
    }
}

/// A message digest for raw signatures and RSA-OAEP (`SAML_DIGEST_*`).
package enum DigestAlgorithm: Sendable, Hashable {
    case sha1, sha256, sha384, sha512

    var code: Int32 {
        switch self {
        case .sha1: Int32(SAML_DIGEST_SHA1)
        case .sha256: Int32(SAML_DIGEST_SHA256)
        case .sha384: Int32(SAML_DIGEST_SHA384)
        case .sha512: Int32(SAML_DIGEST_SHA512)
        }
    }
}

/// How an RSA-wrapped key is padded.
package enum RSAPadding: Sendable {
    /// RSA-OAEP with its digest, mask-generation digest and label.
    case oaep(digest: DigestAlgorithm, mgf: DigestAlgorithm, label: [UInt8])
    /// RSA PKCS#1 v1.5.
    case pkcs1v15
}

/// An xmlsec key holding only a public key taken from a certificate. Immutable once made, so it
/// is lent to any number of concurrent verifications.
@safe package final class PublicKeyHandle: Sendable {
    nonisolated(unsafe) package let pointer: xmlSecKeyPtr

    /// Reads the public key of a DER certificate.
    package init(certificateDER der: [UInt8]) throws(SAMLError) {
        try Library.prepare()
        guard let key = unsafe der.withUnsafeBufferPointer({ unsafe saml_public_key_from_certificate($0.baseAddress, Int32($0.count)) }) else {
            throw Library.error(.invalidCertificate, "The certificate's public key could not be loaded.")
        }
        unsafe pointer = unsafe key
    }

    deinit { unsafe saml_key_destroy(pointer) }
}

/// An OpenSSL private key plus its xmlsec wrapper, parsed once and reused for every signature.
@safe package final class PrivateKeyHandle: Sendable {
    nonisolated(unsafe) private let evp: UnsafeMutableRawPointer
    nonisolated(unsafe) let xmlsecKey: xmlSecKeyPtr
    /// RSA or EC.
    package let keyType: KeyType
    package let bits: Int

    /// Reads a PEM private key (PKCS#1, PKCS#8, SEC1 or encrypted PKCS#8 with `passphrase`).
    package init(pem: String, passphrase: String?) throws(SAMLError) {
        try Library.prepare()
        var bytes = Array(pem.utf8)
        bytes.append(0)
        let key: UnsafeMutableRawPointer? = unsafe bytes.withUnsafeBufferPointer { buffer in
            unsafe buffer.withMemoryRebound(to: CChar.self) { chars in
                if let passphrase {
                    return unsafe passphrase.withCString { unsafe saml_private_key_read_pem(chars.baseAddress, Int32(chars.count - 1), $0) }
                }
                return unsafe saml_private_key_read_pem(chars.baseAddress, Int32(chars.count - 1), nil)
            }
        }
        guard let key = unsafe key else {
            let hint = passphrase == nil && pem.contains("ENCRYPTED")
                ? "The PEM private key is encrypted; supply its passphrase."
                : (passphrase != nil ? "The PEM private key could not be read: wrong passphrase or damaged key." : "The PEM private key could not be read.")
            throw Library.error(.invalidKey, hint)
        }
        var bits: Int32 = 0
        guard let type = unsafe KeyType(code: saml_evp_key_type(key, &bits)) else {
            unsafe saml_evp_free(key)
            throw SAMLError(.invalidKey, "Only RSA and EC private keys are supported.")
        }
        guard let wrapped = unsafe saml_xmlsec_key_from_evp(key) else {
            unsafe saml_evp_free(key)
            throw Library.error(.invalidKey, "The private key could not be handed to xmlsec.")
        }
        unsafe evp = unsafe key
        unsafe xmlsecKey = unsafe wrapped
        keyType = type
        self.bits = Int(bits)
    }

    /// Whether this key belongs to the certificate.
    package func matches(certificateDER der: [UInt8]) -> Bool {
        unsafe der.withUnsafeBufferPointer { unsafe saml_evp_matches_certificate(evp, $0.baseAddress, Int32($0.count)) == 1 }
    }

    /// Signs bytes (RSA PKCS#1 v1.5, or ECDSA as r‖s) with `digest`.
    package func sign(_ data: [UInt8], digest: DigestAlgorithm) throws(SAMLError) -> [UInt8] {
        try Library.prepare()
        var signature = [UInt8](repeating: 0, count: 1024)
        let n = unsafe data.withUnsafeBufferPointer { d in
            unsafe saml_evp_sign(evp, digest.code, d.baseAddress, d.count, &signature, signature.count)
        }
        guard n > 0 else { throw Library.error(.invalidKey, "Signing failed.") }
        return Array(signature.prefix(Int(n)))
    }

    /// Unwraps an RSA-encrypted key; nil when this key cannot.
    package func rsaDecrypt(_ input: [UInt8], padding: RSAPadding) -> [UInt8]? {
        var output = [UInt8](repeating: 0, count: 1024)
        let (code, oaepDigest, mgfDigest, label): (Int32, Int32, Int32, [UInt8]) = switch padding {
        case .oaep(let digest, let mgf, let label): (Int32(SAML_PADDING_OAEP), digest.code, mgf.code, label)
        case .pkcs1v15: (Int32(SAML_PADDING_PKCS1), DigestAlgorithm.sha1.code, DigestAlgorithm.sha1.code, [])
        }
        let n = unsafe input.withUnsafeBufferPointer { i in
            unsafe label.withUnsafeBufferPointer { l in
                unsafe saml_rsa_unwrap(evp, code, oaepDigest, mgfDigest, l.baseAddress, l.count, i.baseAddress, i.count, &output, output.count)
            }
        }
        guard n >= 0 else { return nil }
        return Array(output.prefix(Int(n)))
    }

    deinit {
        unsafe saml_key_destroy(xmlsecKey)
        unsafe saml_evp_free(evp)
    }
}

/// Facts read from a DER certificate.
package struct CertificateFacts: Sendable {
    package var subject: String
    package var issuer: String
    package var notBefore: Int64
    package var notAfter: Int64
    /// RSA, EC, or nil for another type.
    package var keyType: KeyType?
    package var keyBits: Int
    package var curve: String
    package var sha256: [UInt8]
    package var serialHex: String

    /// Reads a DER certificate.
    package init(der: [UInt8]) throws(SAMLError) {
        try Library.prepare()
        var info = saml_certificate_info()
        let rc = unsafe der.withUnsafeBufferPointer { unsafe saml_certificate_read($0.baseAddress, Int32($0.count), &info) }
        guard rc == 0 else { throw SAMLError(.invalidCertificate, "The data is not a DER X.509 certificate.") }
        func string<T>(_ tuple: inout T) -> String {
            unsafe withUnsafeBytes(of: &tuple) { raw in
                unsafe String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
        }
        subject = string(&info.subject)
        issuer = string(&info.issuer)
        notBefore = info.not_before
        notAfter = info.not_after
        keyType = KeyType(code: info.key_type)
        keyBits = Int(info.key_bits)
        curve = string(&info.curve)
        sha256 = unsafe withUnsafeBytes(of: &info.sha256) { unsafe Array($0) }
        serialHex = string(&info.serial)
    }

    /// Verifies a raw signature (redirect binding) with a DER certificate's key.
    package static func verify(signature: [UInt8], of data: [UInt8], digest: DigestAlgorithm, certificateDER der: [UInt8]) -> Bool {
        unsafe (try? Library.prepare()) != nil && der.withUnsafeBufferPointer { c in
            unsafe data.withUnsafeBufferPointer { d in
                unsafe signature.withUnsafeBufferPointer { s in
                    unsafe saml_evp_verify_with_certificate(c.baseAddress, Int32(c.count), digest.code, d.baseAddress, d.count, s.baseAddress, s.count) == 1
                }
            }
        }
    }
}

/// Cryptographic helpers.
package enum Crypto {
    /// Secure random bytes.
    package static func randomBytes(_ count: Int) throws(SAMLError) -> [UInt8] {
        try Library.prepare()
        var out = [UInt8](repeating: 0, count: count)
        guard unsafe saml_random(&out, Int32(count)) == 0 else { throw Library.error(.libraryFailure, "No secure random bytes available.") }
        return out
    }
}
