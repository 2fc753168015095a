import Synchronization

/// Counts the documents ``XMLDocument/parse(_:limits:)`` is asked to parse within a task that
/// binds one, so a test can show that a path reads a posted value once, without timing it.
package final class ParseCounter: Sendable {
    /// The counter of the current task, if one is bound (`ParseCounter.$current.withValue`).
    @TaskLocal package static var current: ParseCounter?

    private let count = Atomic<Int>(0)

    /// A counter at zero.
    package init() {}

    /// The parses counted so far.
    package var parses: Int { count.load(ordering: .relaxed) }

    func record() {
        count.add(1, ordering: .relaxed)
    }
}
