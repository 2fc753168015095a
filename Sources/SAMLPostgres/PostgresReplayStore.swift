#if PostgreSQL
public import Foundation
public import PostgresNIO
import SAMLCore
public import SAMLVerification

/// A `ReplayStore` on PostgreSQL: an assertion (or LogoutRequest) accepted by any instance of
/// an application is refused by all of them until it expires.
///
/// ``insertIfAbsent(_:expiresAt:now:)`` is one `INSERT … ON CONFLICT` statement that inserts the
/// key, or takes over a row whose expiry has passed, and reports through its returned row count
/// whether it did; of any number of concurrent calls for one key exactly one gets `true`. Keys of
/// the scopes other than assertions are stored under their scope's name, so they never meet an
/// assertion key; the verifiers cap every entry's expiry at the last instant the message could be
/// accepted, so a purge removes them all.
///
/// Every call fails closed (see ``PostgresStoreConfiguration/queryTimeout``), and the verifier
/// then refuses the response.
///
/// ```swift
/// let replayStore = try PostgresReplayStore(client: client)
/// let verifier = ResponseVerifier(serviceProvider: sp, identityProvider: idp, replayStore: replayStore)
/// ```
public struct PostgresReplayStore: ReplayStore {
    /// The settings in use.
    public var configuration: PostgresStoreConfiguration { records.configuration }
    private let records: StoreRecords

    /// Creates a store using `client`'s pool. The tables must exist (see ``PostgresStateSchema``).
    /// - Throws: `invalidConfiguration` when the configuration is not usable.
    public init(client: PostgresClient, configuration: PostgresStoreConfiguration = .init()) throws {
        records = try StoreRecords(client: client, configuration: configuration, table: \.assertionsTable, keyColumn: "key_sha256")
    }

    /// Records `id` in `scope` until `expiresAt`. Returns false when it is already recorded and
    /// its expiry is not before `now`; a row whose expiry is before `now` does not block and is
    /// replaced.
    /// - Throws: `stateStoreUnavailable` when the database does not answer in time or fails; the
    ///   caller must then refuse the message.
    public func insertIfAbsent(_ id: String, scope: ReplayScope, expiresAt: Date, now: Date) async throws -> Bool {
        try await records.insertIfAbsent(.sha256(Self.key(id, scope: scope)), action: "record the ID", expiresAt: expiresAt, now: now)
    }

    /// The bytes hashed into `key_sha256`: an assertion key as given, any other scope's key after
    /// its scope name and a NUL byte.
    static func key(_ id: String, scope: ReplayScope) -> Data {
        scope == .assertion ? Data(id.utf8) : Data((scope.name + "\u{0}" + id).utf8)
    }

    /// Deletes entries whose expiry is before `date`, at most
    /// ``PostgresStoreConfiguration/purgeBatchSize`` rows per statement and at most `maxBatches`
    /// statements; returns how many were deleted.
    ///
    /// Expired rows never block an insert, so purging only reclaims space: run it now and then
    /// (see ``PostgresStatePurger``, which keeps a clock-skew margin), not on every login.
    public func purgeExpired(before date: Date = Date(), maxBatches: Int = 100) async throws -> Int {
        try await records.purgeExpired(before: date, maxBatches: maxBatches)
    }
}
#endif
