package import Foundation

/// `xs:dateTime` as SAML uses it. The one date parser of this package: messages, metadata and
/// the command line all read times here.
package enum SAMLTime {
    /// Parses an `xs:dateTime` strictly: `YYYY-MM-DDThh:mm:ss[.f…][Z|±hh:mm]`.
    ///
    /// - The date must exist in the proleptic Gregorian calendar (`2026-02-31` is refused, not
    ///   read as 3 March); the year has at least four digits (more only without a leading zero)
    ///   and is not 0000 or negative.
    /// - Hours 00–23, minutes and seconds 00–59; `24:00:00` (with no or zero fraction) is the
    ///   first instant of the next day, as XML Schema defines it.
    /// - Fractional seconds of any length (digits beyond nanoseconds are read and ignored).
    /// - Offsets `±hh:mm` up to ±14:00. A value without zone is read as UTC, as SAML requires UTC.
    /// - Leading and trailing XML whitespace is tolerated (the type's whitespace facet).
    package static func parse(_ text: String) -> Date? {
        let s = Array(text.trimmingXMLWhitespace.utf8)
        func digit(_ i: Int) -> Int? {
            guard i < s.count, s[i] >= 48, s[i] <= 57 else { return nil }
            return Int(s[i] - 48)
        }
        func num(_ from: Int, _ count: Int) -> Int? {
            var v = 0
            for i in from..<(from + count) {
                guard let d = digit(i) else { return nil }
                v = v * 10 + d
            }
            return v
        }
        func byte(_ i: Int, _ c: Character) -> Bool { i < s.count && s[i] == c.asciiValue! }

        // year: four digits or more (no leading zero when more)
        var i = 0
        while digit(i) != nil { i += 1 }
        guard i >= 4, i <= 9, !(i > 4 && s[0] == UInt8(ascii: "0")), let year = num(0, i), year >= 1 else { return nil }
        guard byte(i, "-"), let month = num(i + 1, 2), byte(i + 3, "-"), let day = num(i + 4, 2), byte(i + 6, "T"),
              let hour = num(i + 7, 2), byte(i + 9, ":"), let minute = num(i + 10, 2), byte(i + 12, ":"),
              let second = num(i + 13, 2) else { return nil }
        i += 15
        guard (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year),
              minute <= 59, second <= 59, hour <= 24 else { return nil }
        var nanoseconds = 0
        var fractionIsZero = true
        if byte(i, ".") {
            i += 1
            let start = i
            var scale = 100_000_000
            while let d = digit(i) {
                if d != 0 { fractionIsZero = false }
                nanoseconds += d * scale
                scale /= 10
                i += 1
            }
            guard i > start else { return nil }
        }
        if hour == 24 {
            guard minute == 0, second == 0, fractionIsZero else { return nil }
        }
        var offset = 0
        if i < s.count {
            if byte(i, "Z") {
                i += 1
            } else if byte(i, "+") || byte(i, "-") {
                guard let oh = num(i + 1, 2), byte(i + 3, ":"), let om = num(i + 4, 2),
                      om <= 59, oh < 14 || (oh == 14 && om == 0) else { return nil }
                offset = (oh * 3600 + om * 60) * (byte(i, "+") ? 1 : -1)
                i += 6
            } else {
                return nil
            }
        }
        guard i == s.count else { return nil }
        // days from civil (proleptic Gregorian), Howard Hinnant's algorithm
        let y = month <= 2 ? year - 1 : year
        let era = y / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146097 + doe - 719468
        let seconds = days * 86400 + hour * 3600 + minute * 60 + second - offset
        return Date(timeIntervalSince1970: Double(seconds) + Double(nanoseconds) / 1e9)
    }

    /// Days in a month of the proleptic Gregorian calendar.
    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// `in 3 days`, `5 min ago`, `now`: how far `date` is from `now`, for people.
    package static func relative(_ date: Date, to now: Date = Date()) -> String {
        let seconds = date.timeIntervalSince(now)
        let magnitude = abs(seconds)
        let amount: String
        switch magnitude {
        case ..<5: return "now"
        case ..<120: amount = "\(Int(magnitude)) s"
        case ..<7200: amount = "\(Int(magnitude / 60)) min"
        case ..<(3 * 86400): amount = "\(Int(magnitude / 3600)) h"
        case ..<(2 * 365 * 86400): amount = "\(Int(magnitude / 86400)) days"
        default: amount = "\(Int(magnitude / (365.25 * 86400))) years"
        }
        return seconds > 0 ? "in \(amount)" : "\(amount) ago"
    }

    /// `2026-01-15T10:01:00Z (3 min ago)`: the instant and its distance from `now`.
    package static func describe(_ date: Date, now: Date = Date()) -> String {
        "\(format(date)) (\(relative(date, to: now)))"
    }

    /// Formats as `YYYY-MM-DDThh:mm:ssZ` (whole seconds, UTC).
    package static func format(_ date: Date) -> String {
        let t = Int(date.timeIntervalSince1970.rounded(.down))
        var days = t / 86400
        var rem = t % 86400
        if rem < 0 { rem += 86400; days -= 1 }
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let yy = String(y)
        let year = String(repeating: "0", count: max(0, 4 - yy.count)) + yy
        return "\(year)-\(two(m))-\(two(d))T\(two(rem / 3600)):\(two(rem % 3600 / 60)):\(two(rem % 60))Z"
    }
}
