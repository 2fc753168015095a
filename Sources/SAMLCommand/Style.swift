import Foundation

/// Marks and colours for text output. Colour only on a terminal, never when `NO_COLOR` is set
/// (any non-empty value) or `TERM=dumb`; `CLICOLOR_FORCE=1` forces it for pagers such as `less -R`.
struct Style {
    var color: Bool

    /// Whether the environment and standard output allow colour.
    static var colorWanted: Bool {
        let environment = ProcessInfo.processInfo.environment
        if let noColor = environment["NO_COLOR"], !noColor.isEmpty { return false }
        if let force = environment["CLICOLOR_FORCE"], !force.isEmpty, force != "0" { return true }
        if environment["TERM"] == "dumb" { return false }
        return isatty(STDOUT_FILENO) == 1
    }

    private func paint(_ code: String, _ text: String) -> String { color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }

    /// ✓ in green.
    var pass: String { paint("32", "✓") }
    /// ✗ in red.
    var fail: String { paint("31", "✗") }
    /// ! in yellow.
    var warn: String { paint("33", "!") }
    /// · dimmed (information).
    var info: String { paint("2", "·") }
    /// Bold text.
    func bold(_ text: String) -> String { paint("1", text) }
    /// Red text.
    func red(_ text: String) -> String { paint("31", text) }
    /// Yellow text.
    func yellow(_ text: String) -> String { paint("33", text) }
    /// Dimmed text.
    func dim(_ text: String) -> String { paint("2", text) }
}

/// Builds aligned `label  value` text.
struct TextReport {
    private var lines: [(indent: Int, label: String, value: String)] = []
    private var blocks: [String] = []

    /// A row; `label` may be empty for a continuation line.
    mutating func row(_ label: String, _ value: String?, indent: Int = 0) {
        guard let value, !value.isEmpty else { return }
        lines.append((indent, label, value))
    }

    /// A line without a label column.
    mutating func line(_ text: String, indent: Int = 0) {
        lines.append((indent, "\u{0}", text))
    }

    /// The rows with the labels of each section (rows between two plain lines) and indent
    /// level padded to one width.
    var text: String {
        var section = 0
        var sections: [Int] = []
        var widths: [[Int]: Int] = [:]
        for l in lines {
            if l.label == "\u{0}" { section += 1 }
            sections.append(section)
            if l.label != "\u{0}" { widths[[section, l.indent]] = max(widths[[section, l.indent]] ?? 0, l.label.count) }
        }
        return zip(lines, sections).map { l, section in
            let pad = String(repeating: " ", count: l.indent * 2)
            if l.label == "\u{0}" { return pad + l.value }
            let width = widths[[section, l.indent]] ?? 0
            return pad + l.label + String(repeating: " ", count: width - l.label.count + 2) + l.value
        }.joined(separator: "\n")
    }

    /// Prints the report.
    func print() { Swift.print(text) }
}
