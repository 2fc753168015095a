package import Foundation

extension Duration {
    /// The duration in seconds, as Foundation's time arithmetic needs it. The one conversion from
    /// `Duration` to `TimeInterval` in this package.
    package var timeInterval: TimeInterval {
        let (seconds, attoseconds) = components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }

    /// `seconds` as a duration, clamped to `range` first: a number read from a document (any
    /// size, as a floating value) never reaches `Duration`'s integer arithmetic out of range.
    /// Returns nil for a value that is not finite.
    package static func clamping(seconds: Double, to range: ClosedRange<Duration>) -> Duration? {
        guard seconds.isFinite else { return nil }
        if seconds <= range.lowerBound.timeInterval { return range.lowerBound }
        if seconds >= range.upperBound.timeInterval { return range.upperBound }
        guard let milliseconds = Int64(exactly: (seconds * 1000).rounded(.down)) else { return range.upperBound }
        return Swift.min(Swift.max(.milliseconds(milliseconds), range.lowerBound), range.upperBound)
    }
}
