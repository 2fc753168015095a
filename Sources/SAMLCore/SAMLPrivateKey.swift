package import SAMLXMLSec

/// A private key (RSA or EC) for signing requests and metadata or decrypting assertions,
/// parsed once and reused.
public struct SAMLPrivateKey: Sendable {
    package let handle: PrivateKeyHandle

    /// A private key's algorithm (``SAMLCertificate/KeyAlgorithm`` is its certificate-side
    /// counterpart, which also names the curve).
    public enum KeyAlgorithm: Sendable, Hashable {
        /// RSA.
        case rsa
        /// Elliptic curve (ECDSA).
        case ec
    }

    /// The former name of ``KeyAlgorithm``.
    @available(*, deprecated, renamed: "KeyAlgorithm")
    public typealias Algorithm = KeyAlgorithm

    /// The key's algorithm.
    public var keyAlgorithm: KeyAlgorithm {
        switch handle.keyType {
        case .rsa: .rsa
        case .ec: .ec
        }
    }

    /// The former name of ``keyAlgorithm``.
    @available(*, deprecated, renamed: "keyAlgorithm")
    public var algorithm: KeyAlgorithm { keyAlgorithm }
    /// The key's size in bits.
    public var keySize: Int { handle.bits }

    /// Reads a PEM private key: PKCS#1 (`BEGIN RSA PRIVATE KEY`), SEC1 (`BEGIN EC PRIVATE KEY`),
    /// PKCS#8 (`BEGIN PRIVATE KEY`) or encrypted PKCS#8 (`BEGIN ENCRYPTED PRIVATE KEY`) with `passphrase`.
    public init(pem: String, passphrase: String? = nil) throws {
        handle = try PrivateKeyHandle(pem: pem, passphrase: passphrase)
    }

    /// Whether this key belongs to `certificate`.
    public func matches(_ certificate: SAMLCertificate) -> Bool {
        handle.matches(certificateDER: certificate.der)
    }
}

/// A private key with the certificate that publishes its public half.
public struct SAMLKeyPair: Sendable {
    /// The private key.
    public let privateKey: SAMLPrivateKey
    /// Its certificate.
    public let certificate: SAMLCertificate

    /// Pairs a key with its certificate; they must match.
    public init(privateKey: SAMLPrivateKey, certificate: SAMLCertificate) throws {
        guard privateKey.matches(certificate) else {
            throw SAMLError(.invalidKey, "The private key does not belong to the certificate \(certificate.subject).")
        }
        self.privateKey = privateKey
        self.certificate = certificate
    }

    /// Reads both from PEM text.
    public init(privateKeyPEM: String, certificatePEM: String, passphrase: String? = nil) throws {
        try self.init(privateKey: SAMLPrivateKey(pem: privateKeyPEM, passphrase: passphrase),
                      certificate: SAMLCertificate(pem: certificatePEM))
    }
}

extension SAMLKeyPair {
    /// A new RSA key pair with a self-signed certificate, as PEM text to store and to read back
    /// with ``init(privateKeyPEM:certificatePEM:passphrase:)``: SHA-256, a random serial, valid
    /// from now for `days` days. For an SP's signing and encryption keys, which IdPs trust by the
    /// certificate in the SP's metadata, not by a certificate authority.
    ///
    /// - Parameters:
    ///   - commonName: the certificate's subject and issuer CN, e.g. the SP's host name.
    ///   - bits: the RSA key size, 2048 to 8192. Default 3072.
    ///   - days: the certificate's validity, 1 to 36500 days. Default 3650.
    /// - Throws: `SAMLError` `.invalidKey` for sizes or validities out of range, `.libraryFailure`
    ///   when OpenSSL cannot generate the key.
    public static func generatePEM(commonName: String, bits: Int = 3072, days: Int = 3650) throws
        -> (privateKeyPEM: String, certificatePEM: String) {
        let generated = try KeyGeneration.rsa(bits: bits, commonName: commonName, days: days)
        return (generated.key, generated.certificate)
    }
}
