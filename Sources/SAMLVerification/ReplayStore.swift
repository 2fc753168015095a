public import Foundation
import SAMLCore

/// What kind of identifier a ``ReplayStore`` records. Each kind is kept apart, so identifiers that
/// an anonymous sender can create (the IDs of unsigned LogoutRequests, where an IdP is allowed to
/// send those) never crowd out assertion IDs.
public struct ReplayScope: Sendable, Hashable, CustomStringConvertible {
    /// A short name, stable across releases (stores may persist it).
    public let name: String

    /// Creates a scope.
    public init(_ name: String) {
        self.name = name
    }

    /// Accepted assertions, keyed by issuer and assertion ID.
    public static let assertion = ReplayScope("assertion")
    /// Received LogoutRequests, keyed by issuer and request ID.
    public static let logoutRequest = ReplayScope("logout-request")

    /// The scope's name.
    public var description: String { name }
}

/// Remembers accepted message IDs until they expire, so each is accepted once.
///
/// Share one store between all instances of an application; the in-memory store protects a
/// single process.
public protocol ReplayStore: Sendable {
    /// Records `id` in `scope` until `expiresAt`.
    ///
    /// - Returns: false when `id` is already recorded in `scope` and that record is still in
    ///   force: a record blocks while its expiry is not before `now` (the verifiers accept a
    ///   message up to and including the instant they record as its expiry).
    func insertIfAbsent(_ id: String, scope: ReplayScope, expiresAt: Date, now: Date) async throws -> Bool
}

extension ReplayStore {
    /// Records an assertion key until `expiresAt` (``ReplayScope/assertion``).
    public func insertIfAbsent(_ id: String, expiresAt: Date, now: Date) async throws -> Bool {
        try await insertIfAbsent(id, scope: .assertion, expiresAt: expiresAt, now: now)
    }
}

/// A bounded in-process ``ReplayStore``. Each scope holds at most `capacity` IDs; expired IDs are
/// dropped; when a scope is full of unexpired IDs it refuses new ones (fail closed) rather than
/// forgetting old ones, and the other scopes are unaffected.
public actor InMemoryReplayStore: ReplayStore {
    private var scopes: [ReplayScope: [String: Date]] = [:]
    private let capacity: Int

    /// The process-wide store ``ResponseVerifier`` uses unless given another: every verifier in
    /// the process records into it, so a verifier built per request still refuses a replay.
    public static let shared = InMemoryReplayStore()

    /// Creates a store holding at most `capacity` unexpired IDs per scope.
    public init(capacity: Int = 100_000) {
        self.capacity = max(1, capacity)
    }

    /// See ``ReplayStore/insertIfAbsent(_:scope:expiresAt:now:)``.
    public func insertIfAbsent(_ id: String, scope: ReplayScope, expiresAt: Date, now: Date) throws -> Bool {
        if let existing = scopes[scope]?[id], existing >= now { return false }
        if scopes[scope]?[id] == nil, count(in: scope) >= capacity {
            scopes[scope] = scopes[scope]?.filter { $0.value >= now }
            guard count(in: scope) < capacity else {
                throw SAMLError(.replayed, "The replay cache for \(scope) IDs is full of unexpired entries (\(capacity)); refusing rather than forgetting one.")
            }
        }
        scopes[scope, default: [:]][id] = expiresAt
        return true
    }

    /// Number of IDs held, in every scope.
    public var count: Int { scopes.values.reduce(0) { $0 + $1.count } }

    /// Number of IDs held in `scope`.
    public func count(in scope: ReplayScope) -> Int { scopes[scope]?.count ?? 0 }
}
