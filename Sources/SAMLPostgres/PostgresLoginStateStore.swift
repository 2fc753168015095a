#if PostgreSQL
public import Foundation
public import PostgresNIO
import SAMLCore
public import SAMLLogin
public import SAMLRequests
public import SAMLVerification

/// Requests and used assertion IDs on PostgreSQL in one store that finishes an SP-initiated login
/// with a single statement: the request is consumed and the assertion recorded in one
/// transaction, so a login costs one round trip and one commit instead of two.
///
/// It is also a ``PostgresRequestTracker`` and a ``PostgresReplayStore`` on the same tables (an
/// instance using the separate stores and one using this store share their state), and it fails
/// closed the same way: `stateStoreUnavailable` when the database is down, slow past
/// ``PostgresStoreConfiguration/queryTimeout`` or answers with an error.
///
/// ```swift
/// try await PostgresStateSchema.migrate(client: client)
/// let saml = try SAMLServiceProvider(configuration: configuration,
///                                    stateStore: PostgresLoginStateStore(client: client))
/// ```
public struct PostgresLoginStateStore: LoginStateStore {
    /// The requests half.
    public let requests: PostgresRequestTracker
    /// The assertion IDs half.
    public let assertions: PostgresReplayStore
    /// The settings in use.
    public var configuration: PostgresStoreConfiguration { requests.configuration }
    private let query: StoreQuery

    /// Creates the store using `client`'s pool. The tables must exist (see ``PostgresStateSchema``).
    /// - Throws: `invalidConfiguration` when the configuration is not usable.
    public init(client: PostgresClient, configuration: PostgresStoreConfiguration = .init()) throws {
        self.requests = try PostgresRequestTracker(client: client, configuration: configuration)
        self.assertions = try PostgresReplayStore(client: client, configuration: configuration)
        self.query = StoreQuery(client: client, timeout: configuration.queryTimeout)
    }

    /// Records a request (see ``PostgresRequestTracker/store(_:)``).
    public func store(_ request: TrackedRequest) async throws {
        try await requests.store(request)
    }

    /// Consumes a request (see ``PostgresRequestTracker/consume(_:at:)``).
    public func consume(_ id: String, at now: Date) async throws -> TrackedRequest? {
        try await requests.consume(id, at: now)
    }

    /// Records an assertion ID (see ``PostgresReplayStore/insertIfAbsent(_:expiresAt:now:)``).
    public func insertIfAbsent(_ id: String, expiresAt: Date, now: Date) async throws -> Bool {
        try await assertions.insertIfAbsent(id, expiresAt: expiresAt, now: now)
    }

    /// Consumes the request and records the assertion in one statement: a `DELETE … RETURNING`
    /// of the request feeds the `INSERT … ON CONFLICT` of the assertion key, so the key is
    /// recorded only when this call consumed an unexpired request, and of any number of
    /// concurrent calls for one request exactly one consumes it.
    ///
    /// - Parameters:
    ///   - requestID: the request the response answers.
    ///   - assertionKey: the key the verifier records for the assertion.
    ///   - expiresAt: until when the assertion key is remembered.
    ///   - now: the current time.
    /// - Returns: `LoginStateOutcome.recorded`, or why not.
    /// - Throws: `stateStoreUnavailable` when the database does not answer in time or fails; the
    ///   request may or may not have been consumed then, and is never handed out twice.
    public func finishLogin(request requestID: String, recording assertionKey: String, until expiresAt: Date,
                            now: Date) async throws -> LoginStateOutcome {
        guard !requestID.utf8.contains(0) else { return .requestUnknown }  // never stored
        let key = Data(assertionKey.utf8)
        let sql: PostgresQuery = try """
            WITH consumed AS (
                DELETE FROM \(unescaped: configuration.requestsTable) WHERE id = \(requestID) RETURNING expires_at
            ), recorded AS (
                INSERT INTO \(unescaped: configuration.assertionsTable) AS t (key_sha256, expires_at)
                SELECT sha256(\(key)), \(expiresAt) FROM consumed WHERE consumed.expires_at > \(now)
                ON CONFLICT (key_sha256) DO UPDATE SET expires_at = EXCLUDED.expires_at WHERE t.expires_at <= \(now)
                RETURNING 1
            )
            SELECT (SELECT count(*) FROM consumed WHERE expires_at > \(now)), (SELECT count(*) FROM recorded)
            """
        let (consumed, recorded) = try await query.run("finish the login") { client in
            var counts: (Int64, Int64) = (0, 0)
            for try await row in try await client.query(sql).decode((Int64, Int64).self) {
                counts = row
            }
            return counts
        }
        if consumed == 0 { return .requestUnknown }
        return recorded == 1 ? .recorded : .replayed
    }

    /// Deletes expired requests and assertion IDs (see ``PostgresStatePurger``); returns how
    /// many of each were deleted.
    public func purgeExpired(before date: Date = Date(), maxBatches: Int = 100) async throws -> (requests: Int, assertions: Int) {
        (try await requests.purgeExpired(before: date, maxBatches: maxBatches),
         try await assertions.purgeExpired(before: date, maxBatches: maxBatches))
    }
}
#endif
