extension String {
    /// The text without leading and trailing XML whitespace (space, tab, CR, LF), trimmed on
    /// UTF-8 bytes (no Foundation bridging on the hot path).
    package var trimmingXMLWhitespace: String {
        let bytes = utf8
        func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = bytes.lastIndex(where: { !isSpace($0) })!
        if first == bytes.startIndex && bytes.index(after: last) == bytes.endIndex { return self }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }
}
