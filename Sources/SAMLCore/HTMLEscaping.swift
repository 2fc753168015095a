/// Escaping for text placed in HTML pages (content and quoted attribute values alike): the one
/// implementation every generated page uses.
package enum HTMLEscaping {
    /// Escapes `&`, `<`, `>`, `"` and `'`.
    package static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
