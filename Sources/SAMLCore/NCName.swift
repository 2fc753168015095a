/// The XML `NCName` production (Namespaces in XML 1.0, over XML 1.0 fifth edition's `Name`
/// minus `:`): what an `xs:ID`, and so every SAML `ID`, must be.
///
/// Signed elements are held to it: a signature's `URI="#…"` can then name the element only one
/// way, with no XPointer escapes (`^^`), whitespace-separated lists, quotes or parentheses that
/// another reader of the reference could resolve to a different element.
package enum NCName {
    /// Whether `value` is an `NCName`.
    package static func isValid(_ value: String) -> Bool {
        var scalars = value.unicodeScalars.makeIterator()
        guard let first = scalars.next(), isStart(first.value) else { return false }
        while let scalar = scalars.next() {
            guard isStart(scalar.value) || isOther(scalar.value) else { return false }
        }
        return true
    }

    private static func isStart(_ c: UInt32) -> Bool {
        switch c {
        case 0x41...0x5A, 0x5F, 0x61...0x7A, 0xC0...0xD6, 0xD8...0xF6, 0xF8...0x2FF, 0x370...0x37D,
             0x37F...0x1FFF, 0x200C...0x200D, 0x2070...0x218F, 0x2C00...0x2FEF, 0x3001...0xD7FF,
             0xF900...0xFDCF, 0xFDF0...0xFFFD, 0x10000...0xEFFFF:
            true
        default:
            false
        }
    }

    private static func isOther(_ c: UInt32) -> Bool {
        switch c {
        case 0x2D, 0x2E, 0x30...0x39, 0xB7, 0x300...0x36F, 0x203F...0x2040: true
        default: false
        }
    }
}
