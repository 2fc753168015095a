#if PostgreSQL
public import Foundation
public import PostgresNIO
import SAMLCore
public import SAMLRequests

/// A `RequestTracker` on PostgreSQL, shared by every instance of an application.
///
/// A login started on one instance can complete on another, and each request is consumed once
/// across all of them: ``consume(_:at:)`` is one `DELETE … RETURNING` statement, so of any
/// number of concurrent calls for an ID exactly one gets the request.
///
/// Every call fails closed: when the database is down, slow past
/// ``PostgresStoreConfiguration/queryTimeout`` or answers with an error, the call throws
/// `SAMLError` with the code `stateStoreUnavailable`.
///
/// ```swift
/// let client = PostgresClient(configuration: ...)   // run it: `await client.run()` in a task
/// try await PostgresStateSchema.migrate(client: client)
/// let tracker = try PostgresRequestTracker(client: client)
/// ```
public struct PostgresRequestTracker: RequestTracker {
    /// The settings in use.
    public let configuration: PostgresStoreConfiguration
    private let query: StoreQuery
    private let table: String

    /// Creates a tracker using `client`'s pool. The tables must exist (see ``PostgresStateSchema``).
    /// - Throws: `invalidConfiguration` when the configuration is not usable.
    public init(client: PostgresClient, configuration: PostgresStoreConfiguration = .init()) throws {
        try configuration.validate()
        self.configuration = configuration
        self.query = StoreQuery(client: client, timeout: configuration.queryTimeout)
        self.table = configuration.requestsTable
    }

    /// Records a request. Storing an ID again replaces the earlier record.
    /// - Throws: `invalidRequest` for an ID containing NUL (which PostgreSQL text cannot hold);
    ///   `stateStoreUnavailable` when the database does not confirm the write.
    public func store(_ request: TrackedRequest) async throws {
        guard !request.id.utf8.contains(0), !(request.relayState?.utf8.contains(0) ?? false) else {
            throw SAMLError(.invalidRequest, "A request ID or RelayState containing NUL cannot be tracked.")
        }
        let sql: PostgresQuery = """
            INSERT INTO \(unescaped: table) (id, relay_state, expires_at) \
            VALUES (\(request.id), \(request.relayState), \(request.expiresAt)) \
            ON CONFLICT (id) DO UPDATE SET relay_state = EXCLUDED.relay_state, expires_at = EXCLUDED.expires_at
            """
        try await query.run("record the request") { client in
            try await client.query(sql).drain()
        }
    }

    /// Removes and returns the request with this ID, or nil if it is unknown, was already
    /// consumed (here or on another instance), or expired before `now`.
    ///
    /// An expired request is removed too. When this throws, the request may or may not have been
    /// removed; it is never handed out twice.
    /// - Throws: `stateStoreUnavailable` when the database does not answer in time or fails.
    public func consume(_ id: String, at now: Date) async throws -> TrackedRequest? {
        guard !id.utf8.contains(0) else { return nil }  // never stored
        let sql: PostgresQuery = "DELETE FROM \(unescaped: table) WHERE id = \(id) RETURNING relay_state, expires_at"
        let row: (String?, Date)? = try await query.run("consume the request") { client in
            var found: (String?, Date)?
            for try await row in try await client.query(sql).decode((String?, Date).self) {
                found = row
            }
            return found
        }
        guard let (relayState, expiresAt) = row, now < expiresAt else { return nil }
        return TrackedRequest(id: id, relayState: relayState, expiresAt: expiresAt)
    }

    /// Deletes requests that expired at or before `date`, at most
    /// ``PostgresStoreConfiguration/purgeBatchSize`` rows per statement and at most `maxBatches`
    /// statements; returns how many were deleted.
    ///
    /// Run it now and then (see ``PostgresStatePurger``), not on every login. Rows locked by a
    /// concurrent purge on another instance are skipped rather than waited for.
    public func purgeExpired(before date: Date = Date(), maxBatches: Int = 100) async throws -> Int {
        try await StorePurge.run(query: query, table: table, keyColumn: "id", before: date,
                                 batchSize: configuration.purgeBatchSize, maxBatches: maxBatches)
    }
}

extension PostgresRowSequence {
    /// Reads and discards every row, so the statement has completed when this returns.
    func drain() async throws {
        for try await _ in self {}
    }
}
#endif
