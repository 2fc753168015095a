#if PostgreSQL
public import Foundation
public import PostgresNIO
import SAMLCore
public import SAMLRequests

/// A `RequestTracker` on PostgreSQL, shared by every instance of an application: a request
/// answered on one instance is refused as answered on all of them.
///
/// Only answered requests are stored (a started login lives in the browser), each until its own
/// expiry. ``consume(_:expiresAt:now:)`` is one `INSERT … ON CONFLICT` statement, so of any number
/// of concurrent calls for an ID exactly one gets `true`.
///
/// Every call fails closed (see ``PostgresStoreConfiguration/queryTimeout``).
///
/// ```swift
/// let client = PostgresClient(configuration: ...)   // run it: `await client.run()` in a task
/// try await PostgresStateSchema.migrate(client: client)
/// let tracker = try PostgresRequestTracker(client: client)
/// ```
public struct PostgresRequestTracker: RequestTracker {
    /// The settings in use.
    public var configuration: PostgresStoreConfiguration { records.configuration }
    private let records: StoreRecords

    /// Creates a tracker using `client`'s pool. The tables must exist (see ``PostgresStateSchema``).
    /// - Throws: `invalidConfiguration` when the configuration is not usable.
    public init(client: PostgresClient, configuration: PostgresStoreConfiguration = .init()) throws {
        records = try StoreRecords(client: client, configuration: configuration, table: \.requestsTable, keyColumn: "id")
    }

    /// Records that the request `id` was answered, until `expiresAt`. Returns false when it was
    /// already recorded and that record's expiry is not before `now`; an older record is replaced.
    /// - Throws: `invalidRequest` for an ID containing NUL (which PostgreSQL text cannot hold; this
    ///   SP never issues one); `stateStoreUnavailable` when the database does not answer in time
    ///   or fails (the request may or may not have been recorded then).
    public func consume(_ id: String, expiresAt: Date, now: Date) async throws -> Bool {
        guard !id.utf8.contains(0) else {
            throw SAMLError(.invalidRequest, "A request ID containing NUL cannot be recorded.")
        }
        return try await records.insertIfAbsent(.text(id), action: "record the answered request", expiresAt: expiresAt, now: now)
    }

    /// Deletes answered requests whose expiry is before `date`, at most
    /// ``PostgresStoreConfiguration/purgeBatchSize`` rows per statement and at most `maxBatches`
    /// statements; returns how many were deleted.
    ///
    /// Run it now and then (see ``PostgresStatePurger``, which keeps a clock-skew margin), not on
    /// every login. Rows locked by a concurrent purge on another instance are skipped rather than
    /// waited for.
    public func purgeExpired(before date: Date = Date(), maxBatches: Int = 100) async throws -> Int {
        try await records.purgeExpired(before: date, maxBatches: maxBatches)
    }
}

extension PostgresRowSequence {
    /// Reads and discards every row, so the statement has completed when this returns.
    func drain() async throws {
        for try await _ in self {}
    }
}
#endif
