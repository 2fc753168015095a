public import Foundation
import SAMLCore

/// Remembers accepted assertion IDs until they expire, so each is accepted once.
///
/// Share one store between all instances of an application; the in-memory store protects a
/// single process.
public protocol ReplayStore: Sendable {
    /// Records `id` until `expiresAt`. Returns false when `id` is already recorded and unexpired.
    func insertIfAbsent(_ id: String, expiresAt: Date, now: Date) async throws -> Bool
}

/// A bounded in-process ``ReplayStore``. Expired IDs are dropped; when the store is full of
/// unexpired IDs it refuses new ones (fail closed) rather than forgetting old ones.
public actor InMemoryReplayStore: ReplayStore {
    private var entries: [String: Date] = [:]
    private let capacity: Int

    /// The process-wide store ``ResponseVerifier`` uses unless given another: every verifier in
    /// the process records into it, so a verifier built per request still refuses a replay.
    public static let shared = InMemoryReplayStore()

    /// Creates a store holding at most `capacity` unexpired IDs.
    public init(capacity: Int = 100_000) {
        self.capacity = capacity
    }

    /// See ``ReplayStore/insertIfAbsent(_:expiresAt:now:)``.
    public func insertIfAbsent(_ id: String, expiresAt: Date, now: Date) throws -> Bool {
        if let existing = entries[id], existing > now { return false }
        if entries.count >= capacity {
            entries = entries.filter { $0.value > now }
            guard entries.count < capacity else {
                throw SAMLError(.replayed, "The replay cache is full of unexpired assertion IDs (\(capacity)); refusing rather than forgetting one.")
            }
        }
        entries[id] = expiresAt
        return true
    }

    /// Number of IDs held.
    public var count: Int { entries.count }
}
