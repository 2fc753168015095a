import Foundation
package import SAMLXMLSec

/// The algorithm URIs this package knows and the one table of which it accepts. The C layer
/// enables exactly what this table lists (``signatureAllowlist(allowSHA1:)``), so the reasons
/// given in Swift and what xmlsec enforces cannot drift apart.
package enum Algorithms {
    package static let excC14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
    package static let excC14NWithComments = "http://www.w3.org/2001/10/xml-exc-c14n#WithComments"
    package static let c14n = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
    package static let c14nWithComments = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments"
    package static let c14n11 = "http://www.w3.org/2006/12/xml-c14n11"
    package static let c14n11WithComments = "http://www.w3.org/2006/12/xml-c14n11#WithComments"
    package static let enveloped = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"

    package static let rsaSHA1 = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
    package static let rsaSHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
    package static let rsaSHA384 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384"
    package static let rsaSHA512 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512"
    package static let ecdsaSHA256 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
    package static let ecdsaSHA384 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384"
    package static let ecdsaSHA512 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512"

    package static let sha1 = "http://www.w3.org/2000/09/xmldsig#sha1"
    package static let sha256 = "http://www.w3.org/2001/04/xmlenc#sha256"
    package static let sha384 = "http://www.w3.org/2001/04/xmldsig-more#sha384"
    package static let sha512 = "http://www.w3.org/2001/04/xmlenc#sha512"

    /// What an accepted algorithm is used for.
    package enum Role: Sendable, Hashable {
        /// CanonicalizationMethod, and a Reference transform.
        case canonicalization
        /// A Reference transform only.
        case transform
        /// SignatureMethod, with the key type it needs and the digest it uses.
        case signature(KeyType, DigestAlgorithm)
        /// DigestMethod.
        case digest
    }

    /// A relaxation an algorithm needs before it is accepted.
    package enum Permission: Sendable, Equatable {
        /// SHA-1 (RSA-SHA1 signatures, SHA-1 digests).
        case sha1
        /// Inclusive canonicalization (c14n 1.0 and 1.1): its cost grows with every namespace
        /// declaration in scope, which an attacker controls; SAML messages use exclusive c14n.
        case inclusiveCanonicalization
    }

    /// One row of the table.
    package struct Entry: Sendable {
        package let uri: String
        package let role: Role
        /// The relaxation it needs, if any.
        package let permission: Permission?

        init(uri: String, role: Role, needsSHA1Permission: Bool) {
            self.uri = uri
            self.role = role
            self.permission = needsSHA1Permission ? .sha1 : nil
        }

        init(uri: String, role: Role, permission: Permission?) {
            self.uri = uri
            self.role = role
            self.permission = permission
        }
    }

    /// Every algorithm accepted in XML signatures.
    package static let table: [Entry] = [
        Entry(uri: excC14N, role: .canonicalization, needsSHA1Permission: false),
        Entry(uri: excC14NWithComments, role: .canonicalization, needsSHA1Permission: false),
        Entry(uri: c14n, role: .canonicalization, permission: .inclusiveCanonicalization),
        Entry(uri: c14nWithComments, role: .canonicalization, permission: .inclusiveCanonicalization),
        Entry(uri: c14n11, role: .canonicalization, permission: .inclusiveCanonicalization),
        Entry(uri: c14n11WithComments, role: .canonicalization, permission: .inclusiveCanonicalization),
        Entry(uri: enveloped, role: .transform, needsSHA1Permission: false),
        Entry(uri: rsaSHA256, role: .signature(.rsa, .sha256), needsSHA1Permission: false),
        Entry(uri: rsaSHA384, role: .signature(.rsa, .sha384), needsSHA1Permission: false),
        Entry(uri: rsaSHA512, role: .signature(.rsa, .sha512), needsSHA1Permission: false),
        Entry(uri: ecdsaSHA256, role: .signature(.ec, .sha256), needsSHA1Permission: false),
        Entry(uri: ecdsaSHA384, role: .signature(.ec, .sha384), needsSHA1Permission: false),
        Entry(uri: ecdsaSHA512, role: .signature(.ec, .sha512), needsSHA1Permission: false),
        Entry(uri: rsaSHA1, role: .signature(.rsa, .sha1), needsSHA1Permission: true),
        Entry(uri: sha256, role: .digest, needsSHA1Permission: false),
        Entry(uri: sha384, role: .digest, needsSHA1Permission: false),
        Entry(uri: sha512, role: .digest, needsSHA1Permission: false),
        Entry(uri: sha1, role: .digest, needsSHA1Permission: true),
    ]

    static func entries(allowSHA1: Bool, allowInclusive: Bool = true) -> [Entry] {
        table.filter { entry in
            switch entry.permission {
            case nil: true
            case .sha1: allowSHA1
            case .inclusiveCanonicalization: allowInclusive
            }
        }
    }

    /// Canonicalization methods accepted.
    package static func canonicalizations(allowInclusive: Bool) -> Set<String> {
        allowInclusive ? canonicalizationSets.inclusive : canonicalizationSets.exclusive
    }
    /// Reference transforms accepted.
    package static func referenceTransforms(allowInclusive: Bool) -> Set<String> {
        allowInclusive ? transformSets.inclusive : transformSets.exclusive
    }

    // The sets above, made once (verification asks for them on every signature).
    private static func uris(allowInclusive: Bool, _ roles: Set<Role>) -> Set<String> {
        Set(entries(allowSHA1: false, allowInclusive: allowInclusive).filter { roles.contains($0.role) }.map(\.uri))
    }
    private static let canonicalizationSets = (exclusive: uris(allowInclusive: false, [.canonicalization]),
                                               inclusive: uris(allowInclusive: true, [.canonicalization]))
    private static let transformSets = (exclusive: uris(allowInclusive: false, [.canonicalization, .transform]),
                                        inclusive: uris(allowInclusive: true, [.canonicalization, .transform]))
    /// Whether `uri` is an inclusive canonicalization, accepted only with permission.
    package static func isInclusiveCanonicalization(_ uri: String) -> Bool {
        table.contains { $0.uri == uri && $0.permission == .inclusiveCanonicalization }
    }

    /// Signature methods accepted, and the key type each needs.
    package static func signatureMethodKeyType(_ uri: String, allowSHA1: Bool) -> KeyType? {
        signatureMethod(uri, allowSHA1: allowSHA1)?.keyType
    }

    /// An accepted signature method's key type and digest.
    package static func signatureMethod(_ uri: String, allowSHA1: Bool) -> (keyType: KeyType, digest: DigestAlgorithm)? {
        for entry in table where entry.uri == uri && (entry.permission == nil || (allowSHA1 && entry.permission == .sha1)) {
            if case .signature(let type, let digest) = entry.role { return (type, digest) }
        }
        return nil
    }

    /// Whether a DigestMethod is accepted.
    package static func digestAllowed(_ uri: String, allowSHA1: Bool) -> Bool {
        table.contains { $0.uri == uri && $0.role == .digest && ($0.permission == nil || (allowSHA1 && $0.permission == .sha1)) }
    }

    private static func makeAllowlist(allowSHA1: Bool, allowInclusive: Bool) -> SignatureAllowlist {
        let entries = entries(allowSHA1: allowSHA1, allowInclusive: allowInclusive)
        return SignatureAllowlist(
            signature: entries.filter { if case .signature = $0.role { true } else { $0.role == .canonicalization } }.map(\.uri),
            reference: entries.filter { [.canonicalization, .transform, .digest].contains($0.role) }.map(\.uri)
        )
    }
    private static let allowlists: [SignatureAllowlist] = [
        makeAllowlist(allowSHA1: false, allowInclusive: false), makeAllowlist(allowSHA1: true, allowInclusive: false),
        makeAllowlist(allowSHA1: false, allowInclusive: true), makeAllowlist(allowSHA1: true, allowInclusive: true),
    ]

    /// The table as the C layer takes it.
    package static func signatureAllowlist(allowSHA1: Bool, allowInclusive: Bool) -> SignatureAllowlist {
        allowlists[(allowSHA1 ? 1 : 0) + (allowInclusive ? 2 : 0)]
    }

    /// Content-encryption algorithms accepted for EncryptedData, with their key length in bytes.
    package static let contentEncryption: [(uri: String, keyLength: Int)] = [
        ("http://www.w3.org/2001/04/xmlenc#aes128-cbc", 16),
        ("http://www.w3.org/2001/04/xmlenc#aes192-cbc", 24),
        ("http://www.w3.org/2001/04/xmlenc#aes256-cbc", 32),
        ("http://www.w3.org/2009/xmlenc11#aes128-gcm", 16),
        ("http://www.w3.org/2009/xmlenc11#aes192-gcm", 24),
        ("http://www.w3.org/2009/xmlenc11#aes256-gcm", 32),
    ]

    /// The short name of a well-known algorithm or binding URI (`rsa-sha256`), the URI otherwise.
    package static func shortName(_ uri: String) -> String {
        for separator in ["#", "bindings:", "nameid-format:", "status:", "ac:classes:", "cm:"] {
            if let range = uri.range(of: separator, options: .backwards), !uri[range.upperBound...].isEmpty,
               uri.hasPrefix("http://www.w3.org/") || uri.hasPrefix("urn:oasis:names:tc:SAML:") {
                return String(uri[range.upperBound...])
            }
        }
        return uri
    }
}
