public import Foundation
import SAMLCore

/// Remembers which of this SP's requests have been answered, so each is answered once.
///
/// Nothing is recorded when a request is sent: the sender keeps the request's ID (a login keeps
/// it in the browser, sealed under the state secret, with the IdP and the expiry), so starting
/// logins creates no server state however many an anonymous client starts. A request is recorded
/// only once a response to it has been fully verified, until the request itself expires; a second
/// verified answer to the same request is then refused. A response that fails verification
/// consumes nothing, so a forged post cannot end someone else's login in progress.
///
/// Implementations must be safe to call concurrently, and of any number of concurrent calls for
/// one ID exactly one may return true. Back it with a shared store (a database) when several SP
/// instances serve the same users; ``InMemoryRequestTracker`` serves one process.
public protocol RequestTracker: Sendable {
    /// Records that the request `id` has been answered, until `expiresAt`.
    ///
    /// - Returns: true when this call recorded it; false when it was already recorded and that
    ///   record is still in force (its expiry is not before `now`).
    /// - Throws: `SAMLError` when the store cannot answer (the response is then refused).
    func consume(_ id: String, expiresAt: Date, now: Date) async throws -> Bool
}

/// A process-local ``RequestTracker``: the answered request IDs, each until its expiry.
///
/// Only verified responses add entries, so what it holds is bounded by the logins the IdPs
/// complete within one request lifetime. Expired entries are dropped when it fills; when it is
/// full of unexpired ones it refuses (fails closed) rather than forgetting an answered request.
public actor InMemoryRequestTracker: RequestTracker {
    /// The most answered requests kept at once.
    public let capacity: Int
    private var entries: [String: Date] = [:]

    /// Creates a tracker holding at most `capacity` answered requests (at least 1).
    public init(capacity: Int = 100_000) {
        self.capacity = max(1, capacity)
    }

    /// The number of answered requests held (expired ones included until they are purged).
    public var count: Int { entries.count }

    /// See ``RequestTracker/consume(_:expiresAt:now:)``.
    public func consume(_ id: String, expiresAt: Date, now: Date) throws -> Bool {
        if let existing = entries[id], existing >= now { return false }
        if entries[id] == nil, entries.count >= capacity {
            purgeExpired(before: now)
            guard entries.count < capacity else {
                throw SAMLError(.stateStoreUnavailable,
                                "The request tracker is full of unexpired answered requests (\(capacity)); refusing rather than forgetting one.")
            }
        }
        entries[id] = expiresAt
        return true
    }

    /// Drops every entry whose expiry is before `date`.
    public func purgeExpired(before date: Date = Date()) {
        entries = entries.filter { $0.value >= date }
    }
}
