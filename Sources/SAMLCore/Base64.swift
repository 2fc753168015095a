import Foundation

/// Base64 as IdPs and metadata carry it.
package enum Base64 {
    /// Decodes padded base64, skipping ASCII whitespace (spaces, tabs, CR, LF) anywhere; any
    /// other character outside the alphabet, data after padding, a wrong length or unused bits
    /// that are not zero (a second spelling of the same bytes) makes it fail: apart from
    /// whitespace, only the canonical encoding of some bytes is accepted.
    ///
    /// Works on the text's UTF-8 bytes in place when they are contiguous (always for a native
    /// `String` or `Substring`); the generic entry only forwards to the byte decoder.
    package static func decode(_ text: some StringProtocol) -> [UInt8]? {
        if let result = text.utf8.withContiguousStorageIfAvailable({ decode(bytes: $0) }) {
            return result
        }
        return decode(bytes: Array(text.utf8))
    }

    /// Decodes a `String` (the common case), without a copy of its bytes.
    package static func decode(_ text: String) -> [UInt8]? {
        if let result = text.utf8.withContiguousStorageIfAvailable({ decode(bytes: $0) }) {
            return result
        }
        var copy = text
        return copy.withUTF8 { decode(bytes: $0) }
    }

    /// Decodes base64 held as bytes (ASCII).
    package static func decode(bytes: [UInt8]) -> [UInt8]? {
        bytes.withUnsafeBufferPointer { decode(bytes: $0) }
    }

    /// Class of a byte in `table`: values below 64 are alphabet digits.
    private static let whitespace: UInt8 = 0x40
    private static let pad: UInt8 = 0x41
    private static let invalid: UInt8 = 0xFF

    /// Maps every byte to its 6-bit value, `whitespace`, `pad` or `invalid`.
    private static let table: [UInt8] = {
        var t = [UInt8](repeating: invalid, count: 256)
        for (i, c) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            t[Int(c)] = UInt8(i)
        }
        for c in [32, 9, 10, 13] { t[c] = whitespace }
        t[Int(UInt8(ascii: "="))] = pad
        return t
    }()

    /// The decoder: one pass over the input, one allocation for the output (sized from the input).
    package static func decode(bytes input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard !input.isEmpty else { return nil }
        var valid = true
        let result = table.withUnsafeBufferPointer { table in
            [UInt8](unsafeUninitializedCapacity: input.count / 4 * 3 + 3) { out, written in
                var n = 0
                var accumulator: UInt32 = 0
                var count = 0
                var padding = 0
                var i = 0
                let end = input.count
                while i < end {
                    // Fast path at a group boundary: four alphabet digits at a time, as long as no
                    // whitespace or padding appears.
                    if count == 0 && padding == 0 {
                        while i + 4 <= end {
                            let a = table[Int(input[i])], b = table[Int(input[i + 1])]
                            let c = table[Int(input[i + 2])], d = table[Int(input[i + 3])]
                            guard (a | b | c | d) < 64 else { break }
                            let v = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
                            out[n] = UInt8(truncatingIfNeeded: v >> 16)
                            out[n + 1] = UInt8(truncatingIfNeeded: v >> 8)
                            out[n + 2] = UInt8(truncatingIfNeeded: v)
                            n += 3
                            i += 4
                        }
                        guard i < end else { break }
                    }
                    // General path: one byte at a time (whitespace, padding, the tail).
                    let value = table[Int(input[i])]
                    i += 1
                    if value < 64 {
                        guard padding == 0 else { valid = false; break }
                        accumulator = accumulator << 6 | UInt32(value)
                        count += 1
                        if count == 4 {
                            out[n] = UInt8(truncatingIfNeeded: accumulator >> 16)
                            out[n + 1] = UInt8(truncatingIfNeeded: accumulator >> 8)
                            out[n + 2] = UInt8(truncatingIfNeeded: accumulator)
                            n += 3
                            accumulator = 0
                            count = 0
                        }
                    } else if value == whitespace {
                        continue
                    } else if value == pad {
                        padding += 1
                        guard padding <= 2 else { valid = false; break }
                    } else {
                        valid = false
                        break
                    }
                }
                if valid {
                    switch (count, padding) {
                    case (0, 0): break
                    case (2, 2) where accumulator & 0xF == 0:
                        out[n] = UInt8(truncatingIfNeeded: accumulator >> 4)
                        n += 1
                    case (3, 1) where accumulator & 0x3 == 0:
                        out[n] = UInt8(truncatingIfNeeded: accumulator >> 10)
                        out[n + 1] = UInt8(truncatingIfNeeded: accumulator >> 2)
                        n += 2
                    default: valid = false
                    }
                }
                written = valid ? n : 0
            }
        }
        return valid && !result.isEmpty ? result : nil
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
