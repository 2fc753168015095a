import Foundation

/// Base64 as IdPs and metadata carry it.
package enum Base64 {
    /// Decodes padded base64, skipping ASCII whitespace (spaces, tabs, CR, LF) anywhere; any
    /// other character outside the alphabet, data after padding, or a wrong length makes it fail.
    package static func decode(_ text: some StringProtocol) -> [UInt8]? {
        var out = [UInt8]()
        out.reserveCapacity(text.utf8.count / 4 * 3)
        var accumulator: UInt32 = 0
        var count = 0
        var padding = 0
        for c in text.utf8 {
            let value: UInt8
            switch c {
            case 65...90: value = c - 65
            case 97...122: value = c - 71
            case 48...57: value = c + 4
            case 43: value = 62
            case 47: value = 63
            case 61:
                padding += 1
                guard padding <= 2 else { return nil }
                continue
            case 32, 9, 10, 13: continue
            default: return nil
            }
            guard padding == 0 else { return nil }
            accumulator = accumulator << 6 | UInt32(value)
            count += 1
            if count == 4 {
                out.append(UInt8(truncatingIfNeeded: accumulator >> 16))
                out.append(UInt8(truncatingIfNeeded: accumulator >> 8))
                out.append(UInt8(truncatingIfNeeded: accumulator))
                accumulator = 0
                count = 0
            }
        }
        switch (count, padding) {
        case (0, 0): break
        case (2, 2): out.append(UInt8(truncatingIfNeeded: accumulator >> 4))
        case (3, 1):
            out.append(UInt8(truncatingIfNeeded: accumulator >> 10))
            out.append(UInt8(truncatingIfNeeded: accumulator >> 2))
        default: return nil
        }
        return out.isEmpty ? nil : out
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
