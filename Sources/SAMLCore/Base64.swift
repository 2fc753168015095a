import Foundation

/// Base64 as IdPs and metadata carry it.
package enum Base64 {
    /// Decodes base64, skipping ASCII whitespace (spaces, tabs, CR, LF) anywhere; any other
    /// character outside the alphabet makes it fail.
    package static func decode(_ text: some StringProtocol) -> [UInt8]? {
        var clean = [UInt8]()
        clean.reserveCapacity(text.utf8.count)
        for c in text.utf8 {
            switch c {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: "\n"):
                continue
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "/"), UInt8(ascii: "="):
                clean.append(c)
            default:
                return nil
            }
        }
        guard !clean.isEmpty, let data = Data(base64Encoded: Data(clean)) else { return nil }
        return [UInt8](data)
    }

    /// Encodes bytes without line breaks.
    package static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
    }
}

extension Array where Element == UInt8 {
    /// Lower-case hex.
    package var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(count * 2)
        for b in self {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
