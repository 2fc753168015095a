import SAMLXMLSec

/// A SAML message received through the HTTP-Redirect binding, taken apart from the URL's query
/// string: the parameter is percent-decoded, base64-decoded and inflated (raw DEFLATE) with the
/// output capped at ``XMLLimits/maximumBytes``.
///
/// Nothing here is verified: ``xml`` still has to pass the verifier, and when the message is
/// signed, ``signature`` must be checked over ``signedOctets`` with a configured key.
public struct RedirectBindingMessage: Sendable, Hashable {
    /// `SAMLRequest` or `SAMLResponse`.
    public let parameter: String
    /// The inflated message (XML, not yet parsed).
    public let xml: [UInt8]
    /// The `RelayState` value, decoded.
    public let relayState: String?
    /// The `SigAlg` value, decoded.
    public let signatureAlgorithm: String?
    /// The `Signature` value, base64-decoded.
    public let signature: [UInt8]?
    /// The octets a Redirect-binding signature covers, as the sender encoded them:
    /// `SAMLRequest=…[&RelayState=…]&SigAlg=…`. Nil when the query carries no `SigAlg`.
    public let signedOctets: [UInt8]?

    /// Takes a query string apart (without the leading `?`).
    /// - Throws: ``SAMLError`` `tooLarge`, `invalidEncoding` (bad percent-encoding, base64 or
    ///   DEFLATE), or `invalidMessage` (no message parameter, or a parameter given twice).
    public init(query: String, limits: XMLLimits = .default) throws {
        let bytes = Array(query.utf8)
        // percent-encoded base64 of DEFLATE output stays well under three times the XML size
        guard bytes.count <= limits.maximumBytes * 3 else {
            throw SAMLError(.tooLarge, "The query string is \(bytes.count) bytes, beyond what a \(limits.maximumBytes)-byte message needs.")
        }
        var raw: [String: [UInt8]] = [:]
        for field in bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let parts = field.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            guard let nameBytes = Self.percentDecode(parts[0]) else {
                throw SAMLError(.invalidEncoding, "A query parameter name is not valid percent-encoding.")
            }
            let name = String(decoding: nameBytes, as: UTF8.self)
            guard ["SAMLRequest", "SAMLResponse", "RelayState", "SigAlg", "Signature"].contains(name) else { continue }
            guard raw[name] == nil else {
                throw SAMLError(.invalidMessage, "The query carries \(name) more than once.")
            }
            raw[name] = parts.count > 1 ? Array(parts[1]) : []
        }
        let candidates = ["SAMLRequest", "SAMLResponse"].filter { raw[$0] != nil }
        guard candidates.count == 1, let parameter = candidates.first, let encodedMessage = raw[parameter] else {
            throw SAMLError(.invalidMessage, "The query must carry exactly one of SAMLRequest and SAMLResponse.")
        }
        func decoded(_ name: String) throws -> [UInt8]? {
            guard let value = raw[name] else { return nil }
            guard let bytes = Self.percentDecode(value[...]) else {
                throw SAMLError(.invalidEncoding, "The \(name) parameter is not valid percent-encoding.")
            }
            return bytes
        }
        guard let base64 = try decoded(parameter), let compressed = Base64.decode(String(decoding: base64, as: UTF8.self)) else {
            throw SAMLError(.invalidEncoding, "The \(parameter) parameter is not valid base64.")
        }
        self.parameter = parameter
        self.xml = try Deflate.decompress(compressed, limit: limits.maximumBytes)
        self.relayState = try decoded("RelayState").map { String(decoding: $0, as: UTF8.self) }
        self.signatureAlgorithm = try decoded("SigAlg").map { String(decoding: $0, as: UTF8.self) }
        if let text = try decoded("Signature") {
            guard let signature = Base64.decode(String(decoding: text, as: UTF8.self)) else {
                throw SAMLError(.invalidEncoding, "The Signature parameter is not valid base64.")
            }
            self.signature = signature
        } else {
            self.signature = nil
        }
        if let sigAlg = raw["SigAlg"] {
            var octets = Array("\(parameter)=".utf8) + encodedMessage
            if let relay = raw["RelayState"] { octets += Array("&RelayState=".utf8) + relay }
            octets += Array("&SigAlg=".utf8) + sigAlg
            self.signedOctets = octets
        } else {
            self.signedOctets = nil
        }
    }

    /// `application/x-www-form-urlencoded` decoding: `%XX` escapes and `+` for space. Nil on a
    /// broken escape.
    static func percentDecode(_ bytes: ArraySlice<UInt8>) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = bytes.startIndex
        func hex(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
        while i < bytes.endIndex {
            let c = bytes[i]
            if c == UInt8(ascii: "%") {
                guard i + 2 < bytes.endIndex, let high = hex(bytes[i + 1]), let low = hex(bytes[i + 2]) else { return nil }
                out.append(high << 4 | low)
                i += 3
            } else {
                out.append(c == UInt8(ascii: "+") ? UInt8(ascii: " ") : c)
                i += 1
            }
        }
        return out
    }
}
