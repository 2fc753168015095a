/// Escaping for text placed in HTML pages (content and quoted attribute values alike): the one
/// implementation every generated page uses, and the one escaper of hand-built XML.
package enum HTMLEscaping {
    /// `&`, `<`, `>`, `"` and `'` as character references.
    package static let markup: [Unicode.Scalar: String] = ["&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;"]

    /// Escapes `&`, `<`, `>`, `"` and `'`.
    package static func escape(_ text: String) -> String {
        escape(text, markup)
    }

    /// Replaces each scalar of `text` found in `replacements` (all of them below `?`, U+003F).
    package static func escape(_ text: String, _ replacements: [Unicode.Scalar: String]) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text.unicodeScalars {
            if c.value < 0x3F, let replacement = replacements[c] { out += replacement } else { out.unicodeScalars.append(c) }
        }
        return out
    }
}
