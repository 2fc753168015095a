import SAMLXMLSec

/// A SAML message received over the HTTP-Redirect binding, read from the query string exactly as
/// the browser sent it: percent-decoded, base64-decoded and inflated (raw DEFLATE) with the output
/// capped at `XMLLimits.maximumBytes`.
///
/// Nothing here is trusted until ``verifySignature(trusted:allowSHA1:what:)`` has checked the
/// signature over the received octets of `SAMLRequest`/`SAMLResponse`, `RelayState` and `SigAlg`
/// in that order — never over re-encoded values — and the XML has passed its verifier.
public struct RedirectBindingMessage: Sendable, Hashable {
    /// `SAMLRequest` or `SAMLResponse`.
    public let parameter: String
    /// The inflated message (XML, not yet parsed).
    public let xml: [UInt8]
    /// The decoded RelayState, if any.
    public let relayState: String?
    /// The decoded `SigAlg`, when the query is signed.
    public let signatureAlgorithm: String?
    /// The decoded `Signature`, when the query is signed.
    public let signature: [UInt8]?
    /// The octets the signature covers, exactly as received: `SAMLRequest=…[&RelayState=…]&SigAlg=…`.
    /// Nil when the query is not signed.
    public let signedOctets: [UInt8]?

    /// Takes a query apart whichever message it carries (`SAMLRequest` or `SAMLResponse`).
    ///
    /// - Throws: `SAMLError` `tooLarge`, `invalidEncoding` (percent-encoding, base64 or DEFLATE),
    ///   `invalidRequest` (no message, two messages, a parameter twice).
    public init(query: String, limits: XMLLimits = .default) throws {
        let names = Substring(query).split(separator: "&").map { $0.prefix { $0 != "=" } }
        let parameter = names.contains("SAMLResponse") && !names.contains("SAMLRequest") ? "SAMLResponse" : "SAMLRequest"
        try self.init(query: query, expecting: parameter, limits: limits)
    }

    /// Parses the raw query (a full URL is accepted: everything up to `?` is dropped).
    ///
    /// - Throws: `invalidRequest` (parameters missing or repeated, bad percent-encoding),
    ///   `invalidEncoding`, `tooLarge` (also for a DEFLATE bomb), `unsupported` (another SAMLEncoding).
    /// Takes a query apart, requiring `parameter` (`SAMLRequest` or `SAMLResponse`).
    public init(query: String, expecting parameter: String, limits: XMLLimits = .default) throws {
        var raw = Substring(query)
        if let mark = raw.firstIndex(of: "?") { raw = raw[raw.index(after: mark)...] }
        if let hash = raw.firstIndex(of: "#") { raw = raw[..<hash] }
        guard raw.utf8.count <= limits.maximumBytes * 2 else {
            throw SAMLError(.tooLarge, "The query string is \(raw.utf8.count) bytes, beyond the limit.")
        }
        var parameters: [String: Substring] = [:]
        for pair in raw.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = try Self.percentDecode(parts[0])
            guard ["SAMLRequest", "SAMLResponse", "RelayState", "SigAlg", "Signature", "SAMLEncoding"].contains(name) else { continue }
            guard parameters[name] == nil else {
                throw SAMLError(.invalidRequest, "The query string carries \(name) twice.")
            }
            parameters[name] = parts.count == 2 ? parts[1] : ""
        }
        let other = parameter == "SAMLRequest" ? "SAMLResponse" : "SAMLRequest"
        guard parameters[other] == nil else {
            throw SAMLError(.invalidRequest, "The query string carries \(other) where \(parameter) was expected.")
        }
        guard let rawMessage = parameters[parameter] else {
            throw SAMLError(.invalidRequest, "The query string has no \(parameter) parameter.")
        }
        if let encoding = parameters["SAMLEncoding"] {
            let value = try Self.percentDecode(encoding)
            guard value == "urn:oasis:names:tc:SAML:2.0:bindings:URL-Encoding:DEFLATE" else {
                throw SAMLError(.unsupported, "SAMLEncoding \"\(SAMLError.shown(value))\" is not supported; only DEFLATE is.")
            }
        }
        let encoded = try Self.percentDecode(rawMessage)
        guard let compressed = Base64.decode(encoded) else {
            throw SAMLError(.invalidEncoding, "The \(parameter) parameter is not valid base64.")
        }
        self.parameter = parameter
        self.xml = try Deflate.decompress(compressed, limit: limits.maximumBytes)
        self.relayState = try parameters["RelayState"].map { try Self.percentDecode($0) }

        switch (parameters["Signature"], parameters["SigAlg"]) {
        case (nil, nil):
            signature = nil
            signatureAlgorithm = nil
            signedOctets = nil
        case (.some(let rawSignature), .some(let rawAlgorithm)):
            guard let value = Base64.decode(try Self.percentDecode(rawSignature)) else {
                throw SAMLError(.invalidEncoding, "The Signature parameter is not valid base64.")
            }
            signature = value
            signatureAlgorithm = try Self.percentDecode(rawAlgorithm)
            var octets = parameter + "=" + rawMessage
            if let rawRelayState = parameters["RelayState"] { octets += "&RelayState=" + rawRelayState }
            octets += "&SigAlg=" + rawAlgorithm
            signedOctets = Array(octets.utf8)
        case (.some, nil):
            throw SAMLError(.signatureInvalid, "The query string has a Signature but no SigAlg.")
        case (nil, .some):
            throw SAMLError(.signatureMissing, "The query string has a SigAlg but no Signature.")
        }
    }

    /// Whether the query carries a signature.
    public var isSigned: Bool { signature != nil }

    /// Verifies the query-string signature with one of `trusted` (configuration keys only).
    /// Returns the certificate whose key verified it.
    ///
    /// - Throws: `signatureMissing`, `algorithmNotAllowed` (SHA-1 unless allowed, unknown `SigAlg`:
    ///   never a fallback), `untrustedKey` (no trusted key of the algorithm's type), `signatureInvalid`.
    @discardableResult
    public func verifySignature(trusted: [SAMLCertificate], allowSHA1: Bool = false, what: String = "message") throws -> SAMLCertificate {
        guard let signature, let algorithm = signatureAlgorithm, let signedOctets else {
            throw SAMLError(.signatureMissing, "The \(what) is not signed (no Signature in the query string).")
        }
        guard let (keyType, digest) = Algorithms.signatureMethod(algorithm, allowSHA1: allowSHA1) else {
            let hint = algorithm == Algorithms.rsaSHA1 ? " RSA-SHA1 is refused unless SHA-1 is allowed." : " Allowed: RSA-SHA256/384/512 and ECDSA-SHA256/384/512."
            throw SAMLError(.algorithmNotAllowed, "The query-string signature algorithm \"\(SAMLError.shown(algorithm))\" is not allowed.\(hint)")
        }
        let candidates = trusted.filter { certificate in
            switch certificate.keyAlgorithm {
            case .rsa: keyType == .rsa
            case .ec: keyType == .ec
            case .other: false
            }
        }
        guard !candidates.isEmpty else {
            throw SAMLError(.untrustedKey, "The \(what) is signed with \(keyType == .rsa ? "an RSA" : "an EC") algorithm and no trusted certificate has such a key.")
        }
        for certificate in candidates
        where CertificateFacts.verify(signature: signature, of: signedOctets, digest: digest, certificateDER: certificate.der) {
            return certificate
        }
        throw SAMLError(.signatureInvalid, "The \(what)'s query-string signature does not verify with the trusted keys (the parameters were changed, re-encoded, or another key signed them).")
    }


    /// Strict percent-decoding (`+` is a space, as form encoding has it, unless `plusIsSpace` is
    /// false); invalid escapes or UTF-8 are refused.
    package static func percentDecode(_ text: Substring, plusIsSpace: Bool = true) throws -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        func hex(_ b: UInt8?) -> UInt8? {
            guard let b else { return nil }
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return b - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return b - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return b - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "%"):
                guard let high = hex(iterator.next()), let low = hex(iterator.next()) else {
                    throw SAMLError(.invalidEncoding, "The query string has an invalid percent-escape.")
                }
                bytes.append(high << 4 | low)
            case UInt8(ascii: "+") where plusIsSpace:
                bytes.append(UInt8(ascii: " "))
            default:
                bytes.append(byte)
            }
        }
        guard let decoded = String(validating: bytes, as: UTF8.self) else {
            throw SAMLError(.invalidEncoding, "The query string is not valid UTF-8 once decoded.")
        }
        return decoded
    }
}
