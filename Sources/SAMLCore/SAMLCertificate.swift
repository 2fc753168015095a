public import Foundation
package import SAMLXMLSec

/// An X.509 certificate used as a trusted key carrier (metadata practice: the key counts, the
/// certificate's own validity and chain do not, though expiry is reported).
public struct SAMLCertificate: Sendable, Hashable, CustomStringConvertible {
    /// The DER encoding.
    public let der: [UInt8]
    /// Subject distinguished name (RFC 2253).
    public let subject: String
    /// Issuer distinguished name (RFC 2253).
    public let issuer: String
    /// Start of the validity period.
    public let notBefore: Date
    /// End of the validity period.
    public let notAfter: Date
    /// The public key's algorithm.
    public let keyAlgorithm: KeyAlgorithm
    /// The public key's size in bits.
    public let keySize: Int
    /// The certificate's serial number, upper-case hex.
    public let serialNumber: String
    /// SHA-256 of the DER encoding, lower-case hex without separators.
    public let sha256Fingerprint: String

    /// The public key as xmlsec uses it, built once.
    package let publicKey: PublicKeyHandle
    /// The DER as base64 bytes, for comparing with certificates carried in messages.
    package let base64Bytes: [UInt8]

    /// A public key algorithm.
    public enum KeyAlgorithm: Sendable, Hashable, CustomStringConvertible {
        /// RSA.
        case rsa
        /// Elliptic curve, with the curve's name (e.g. `prime256v1`).
        case ec(curve: String)
        /// Anything else (not usable for SAML signatures here).
        case other

        /// `RSA`, `EC prime256v1`, `other`.
        public var description: String {
            switch self {
            case .rsa: "RSA"
            case .ec(let curve): "EC \(curve)"
            case .other: "other"
            }
        }
    }

    /// Reads a DER certificate.
    public init(der: [UInt8]) throws {
        let facts = try CertificateFacts(der: der)
        self.der = der
        subject = facts.subject
        issuer = facts.issuer
        notBefore = Date(timeIntervalSince1970: TimeInterval(facts.notBefore))
        notAfter = Date(timeIntervalSince1970: TimeInterval(facts.notAfter))
        switch facts.keyType {
        case .rsa: keyAlgorithm = .rsa
        case .ec: keyAlgorithm = .ec(curve: facts.curve)
        case nil: keyAlgorithm = .other
        }
        keySize = facts.keyBits
        serialNumber = facts.serialHex
        sha256Fingerprint = facts.sha256.hex
        publicKey = try PublicKeyHandle(certificateDER: der)
        base64Bytes = Array(Base64.encode(der).utf8)
    }

    /// Whether base64 text (whitespace anywhere) ends like this certificate's encoding: the last
    /// 96 characters cover the certificate's own signature, so this tells certificates apart.
    /// Only used to choose which trusted key to try first, never to decide trust.
    package func probablyMatches(base64Text text: String) -> Bool {
        var index = base64Bytes.count
        var compared = 0
        for c in text.utf8.reversed() {
            if c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D { continue }
            index -= 1
            guard index >= 0, base64Bytes[index] == c else { return false }
            compared += 1
            if compared == 96 { return true }
        }
        return index == 0
    }

    /// Reads base64 DER as metadata carries it: whitespace, line breaks and spaces anywhere are fine.
    public init(base64: String) throws {
        guard let der = Base64.decode(base64) else {
            throw SAMLError(.invalidCertificate, "The certificate is not valid base64.")
        }
        try self.init(der: der)
    }

    /// Reads one PEM certificate (`-----BEGIN CERTIFICATE-----`), or bare base64 DER.
    public init(pem: String) throws {
        let certificates = try SAMLCertificate.all(inPEM: pem)
        guard certificates.count == 1 else {
            throw SAMLError(.invalidCertificate, "Expected one certificate, found \(certificates.count).")
        }
        self = certificates[0]
    }

    /// Every certificate in PEM text (several `BEGIN CERTIFICATE` blocks), or one bare base64 DER.
    public static func all(inPEM text: String) throws -> [SAMLCertificate] {
        let begin = "-----BEGIN CERTIFICATE-----", end = "-----END CERTIFICATE-----"
        guard text.contains(begin) else {
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty else { throw SAMLError(.invalidCertificate, "No certificate given.") }
            return [try SAMLCertificate(base64: trimmed)]
        }
        var result: [SAMLCertificate] = []
        var rest = Substring(text)
        while let b = rest.range(of: begin) {
            guard let e = rest.range(of: end, range: b.upperBound..<rest.endIndex) else {
                throw SAMLError(.invalidCertificate, "A PEM certificate block has no END line.")
            }
            result.append(try SAMLCertificate(base64: String(rest[b.upperBound..<e.lowerBound])))
            rest = rest[e.upperBound...]
        }
        return result
    }

    /// Whether `date` lies outside the validity period.
    public func isExpired(at date: Date = Date()) -> Bool { date > notAfter || date < notBefore }

    /// PEM text.
    public var pem: String {
        let b64 = Base64.encode(der)
        var lines: [Substring] = []
        var index = b64.startIndex
        while index < b64.endIndex {
            let next = b64.index(index, offsetBy: 64, limitedBy: b64.endIndex) ?? b64.endIndex
            lines.append(b64[index..<next])
            index = next
        }
        return "-----BEGIN CERTIFICATE-----\n" + lines.joined(separator: "\n") + "\n-----END CERTIFICATE-----\n"
    }

    /// Base64 DER on one line, as it goes into KeyInfo.
    public var base64: String { String(decoding: base64Bytes, as: UTF8.self) }

    /// `subject (SHA-256 fingerprint)`.
    public var description: String { "\(subject) (SHA-256 \(sha256Fingerprint))" }

    public static func == (lhs: SAMLCertificate, rhs: SAMLCertificate) -> Bool { lhs.der == rhs.der }
    public func hash(into hasher: inout Hasher) { hasher.combine(der) }
}
