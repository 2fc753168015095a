extension SAMLCertificate {
    /// The algorithm the certificate's issuer signed it with, by OpenSSL's short name
    /// (`sha256WithRSAEncryption`, `ecdsa-with-SHA256`, …), or the dotted OID when unknown.
    ///
    /// SAML pins keys, so this does not affect whether a signature made with the key is accepted;
    /// it hints at how current the IdP's tooling is (a SHA-1-signed certificate often comes with
    /// SHA-1 message signatures).
    public var signatureAlgorithm: String {
        guard let oid = Self.signatureAlgorithmOID(der) else { return "unknown" }
        return Self.signatureAlgorithmNames[oid] ?? oid
    }

    /// Whether the certificate itself is signed with SHA-1 or MD5.
    public var isSignedWithLegacyDigest: Bool {
        guard let oid = Self.signatureAlgorithmOID(der) else { return false }
        return Self.legacyOIDs.contains(oid)
    }

    static let signatureAlgorithmNames: [String: String] = [
        "1.2.840.113549.1.1.4": "md5WithRSAEncryption",
        "1.2.840.113549.1.1.5": "sha1WithRSAEncryption",
        "1.2.840.113549.1.1.10": "RSASSA-PSS",
        "1.2.840.113549.1.1.11": "sha256WithRSAEncryption",
        "1.2.840.113549.1.1.12": "sha384WithRSAEncryption",
        "1.2.840.113549.1.1.13": "sha512WithRSAEncryption",
        "1.2.840.10045.4.1": "ecdsa-with-SHA1",
        "1.2.840.10045.4.3.2": "ecdsa-with-SHA256",
        "1.2.840.10045.4.3.3": "ecdsa-with-SHA384",
        "1.2.840.10045.4.3.4": "ecdsa-with-SHA512",
        "1.3.101.112": "ED25519",
    ]
    static let legacyOIDs: Set<String> = ["1.2.840.113549.1.1.4", "1.2.840.113549.1.1.5", "1.2.840.10045.4.1"]

    /// Reads `Certificate.signatureAlgorithm.algorithm`: SEQUENCE { tbs SEQUENCE, SEQUENCE { OID, … }, BIT STRING }.
    static func signatureAlgorithmOID(_ der: [UInt8]) -> String? {
        var reader = DERReader(der)
        guard let certificate = reader.element(tag: 0x30) else { return nil }
        var inner = DERReader(certificate)
        guard inner.element(tag: 0x30) != nil, let algorithm = inner.element(tag: 0x30) else { return nil }
        var identifier = DERReader(algorithm)
        guard let oid = identifier.element(tag: 0x06), !oid.isEmpty else { return nil }
        var arcs: [UInt64] = []
        var value: UInt64 = 0
        for byte in oid {
            guard value < (1 << 56) else { return nil }
            value = value << 7 | UInt64(byte & 0x7F)
            if byte & 0x80 == 0 { arcs.append(value); value = 0 }
        }
        guard let first = arcs.first else { return nil }
        let head = first < 40 ? [0, first] : first < 80 ? [1, first - 40] : [2, first - 80]
        return (head + arcs.dropFirst()).map(String.init).joined(separator: ".")
    }
}

/// A minimal reader of DER tag-length-value elements (definite lengths only).
struct DERReader {
    private let bytes: ArraySlice<UInt8>
    private var index: Int

    init(_ bytes: some Collection<UInt8>) {
        self.bytes = ArraySlice(bytes)
        index = self.bytes.startIndex
    }

    /// The contents of the next element if its tag is `tag`; nil when absent or malformed.
    mutating func element(tag: UInt8) -> ArraySlice<UInt8>? {
        guard index < bytes.endIndex, bytes[index] == tag, index + 1 < bytes.endIndex else { return nil }
        var position = index + 1
        var length = Int(bytes[position])
        position += 1
        if length & 0x80 != 0 {
            let count = length & 0x7F
            guard count >= 1, count <= 4, position + count <= bytes.endIndex else { return nil }
            length = 0
            for _ in 0..<count { length = length << 8 | Int(bytes[position]); position += 1 }
        }
        guard length >= 0, position + length <= bytes.endIndex else { return nil }
        index = position + length
        return bytes[position..<(position + length)]
    }
}
