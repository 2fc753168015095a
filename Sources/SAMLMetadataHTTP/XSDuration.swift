#if HTTPMetadata
import Foundation

/// Reads `xs:duration` values such as `PT1H` or `P1DT12H` (metadata `cacheDuration`).
enum XSDuration {
    /// The duration in seconds (a year counts 365 days, a month 30), or nil when `text` is not an
    /// `xs:duration`, is negative, or is too large to be a finite floating value. The result may be
    /// far beyond any `Duration`: callers clamp it before converting.
    static func seconds(_ text: String) -> Double? {
        var rest = Substring(text.trimmingCharacters(in: [" ", "\t", "\n", "\r"]))
        guard rest.first == "P" else { return nil }
        rest = rest.dropFirst()
        var total = 0.0
        var inTime = false
        var number = ""
        var sawField = false
        for character in rest {
            switch character {
            case "T":
                guard !inTime, number.isEmpty else { return nil }
                inTime = true
            case "0"..."9", ".":
                number.append(character)
            case "Y", "M", "D", "H", "S":
                guard let value = Double(number) else { return nil }
                number = ""
                sawField = true
                switch (character, inTime) {
                case ("Y", false): total += value * 365 * 86_400
                case ("M", false): total += value * 30 * 86_400
                case ("D", false): total += value * 86_400
                case ("H", true): total += value * 3_600
                case ("M", true): total += value * 60
                case ("S", true): total += value
                default: return nil
                }
            default:
                return nil
            }
        }
        guard sawField, number.isEmpty, total.isFinite else { return nil }
        return total
    }
}
#endif
