import SAMLCore

/// `name=value&…` fields of a query string or a form body, each name and value decoded by the
/// one strict decoder of posted values (`SAMLFormBody/decodeValue(_:)`: `+` is a
/// space, `%XX` exactly two hex digits, raw bytes outside printable ASCII refused, valid UTF-8).
///
/// The SAML fields of a form (`SAMLResponse`, `SAMLRequest`, `RelayState`) are read with
/// `SAMLFormBody` itself; this reads the routes' own parameters (`returnTo`, `idp`, the logout
/// token).
public struct URLEncodedFields: Sendable {
    private var pairs: [(name: String, value: String)] = []

    /// Reads `text`.
    ///
    /// - Throws: `SAMLError` `.invalidEncoding` for a malformed escape or raw byte.
    public init(_ text: String) throws {
        for field in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = field.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = try SAMLFormBody.decodeValue(String(parts[0]))
            let value = parts.count > 1 ? try SAMLFormBody.decodeValue(String(parts[1])) : ""
            pairs.append((name, value))
        }
    }

    /// Reads a form body given as bytes.
    public init(bytes: [UInt8]) throws {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw SAMLError(.invalidEncoding, "The form body is not valid UTF-8.")
        }
        try self.init(text)
    }

    /// The value of `name`, nil when absent.
    ///
    /// - Throws: `SAMLError` `.invalidRequest` when `name` appears more than once (which one a
    ///   framework would pick differs; neither is used).
    public func value(_ name: String) throws -> String? {
        let found = pairs.filter { $0.name == name }
        guard found.count <= 1 else {
            throw SAMLError(.invalidRequest, "The parameter \(name) appears \(found.count) times; it must appear at most once.")
        }
        return found.first?.value
    }

    /// Whether `name` appears at least once.
    public func contains(_ name: String) -> Bool {
        pairs.contains { $0.name == name }
    }

    /// Escapes `text` as a query value (unreserved characters and `/` kept).
    public static func escape(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "/"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                out += "%"
                out.unicodeScalars.append(hex[Int(byte >> 4)])
                out.unicodeScalars.append(hex[Int(byte & 0xF)])
            }
        }
        return out
    }
}
