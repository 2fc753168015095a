public import SAMLCore
import SAMLXMLSec

/// How a request is signed: the query-string signature of the HTTP-Redirect binding, or the
/// enveloped XML signature of the HTTP-POST binding.
public enum RequestSignatureAlgorithm: String, Sendable, Hashable, CaseIterable {
    /// RSA PKCS#1 v1.5 with SHA-256 (the default).
    case rsaSHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
    /// RSA PKCS#1 v1.5 with SHA-512.
    case rsaSHA512 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512"
    /// ECDSA with SHA-256 (signature value `r‖s`, as XML Signature has it).
    case ecdsaSHA256 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"

    /// The algorithm URI, as sent in `SigAlg` or `SignatureMethod`.
    public var uri: String { rawValue }

    /// The key type this algorithm needs.
    public var keyAlgorithm: SAMLPrivateKey.KeyAlgorithm {
        switch self {
        case .rsaSHA256, .rsaSHA512: .rsa
        case .ecdsaSHA256: .ec
        }
    }

    /// The usual algorithm for a key: RSA-SHA256 for RSA keys, ECDSA-SHA256 for EC keys.
    public static func `default`(for key: SAMLPrivateKey) -> RequestSignatureAlgorithm {
        key.keyAlgorithm == .rsa ? .rsaSHA256 : .ecdsaSHA256
    }

    var digest: DigestAlgorithm {
        switch self {
        case .rsaSHA256, .ecdsaSHA256: .sha256
        case .rsaSHA512: .sha512
        }
    }

    var xmlCode: SignatureAlgorithmCode {
        switch self {
        case .rsaSHA256: .rsaSHA256
        case .rsaSHA512: .rsaSHA512
        case .ecdsaSHA256: .ecdsaSHA256
        }
    }

    /// Refuses a key of the wrong type before any signing is attempted.
    func check(_ key: SAMLPrivateKey) throws {
        guard key.keyAlgorithm == keyAlgorithm else {
            let have = key.keyAlgorithm == .rsa ? "an RSA" : "an EC"
            throw SAMLError(.invalidKey, "The signing key is \(have) key, which cannot sign with \(self) (\(uri)); choose \(Self.default(for: key)).")
        }
    }
}

extension RequestSignatureAlgorithm: CustomStringConvertible {
    /// `RSA-SHA256`, `RSA-SHA512`, `ECDSA-SHA256`.
    public var description: String {
        switch self {
        case .rsaSHA256: "RSA-SHA256"
        case .rsaSHA512: "RSA-SHA512"
        case .ecdsaSHA256: "ECDSA-SHA256"
        }
    }
}
