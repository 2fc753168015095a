#if PostgreSQL
public import Foundation
public import PostgresNIO
import SAMLCore
public import SAMLLogin
import SAMLRequests
public import SAMLVerification

/// Answered requests and used assertion IDs on PostgreSQL in one store that finishes an
/// SP-initiated login with a single statement: the request is recorded as answered and the
/// assertion as used in one transaction, so a login costs one round trip and one commit instead
/// of two.
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
    /// The answered requests half.
    public let requests: PostgresRequestTracker
    /// The used assertion IDs half (and LogoutRequest IDs, in their own scope).
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

    /// Records an answered request (see ``PostgresRequestTracker/consume(_:expiresAt:now:)``).
    public func consume(_ id: String, expiresAt: Date, now: Date) async throws -> Bool {
        try await requests.consume(id, expiresAt: expiresAt, now: now)
    }

    /// Records an ID (see ``PostgresReplayStore/insertIfAbsent(_:scope:expiresAt:now:)``).
    public func insertIfAbsent(_ id: String, scope: ReplayScope, expiresAt: Date, now: Date) async throws -> Bool {
        try await assertions.insertIfAbsent(id, scope: scope, expiresAt: expiresAt, now: now)
    }

    /// Records the request as answered and the assertion as used in one statement: the
    /// `INSERT … ON CONFLICT` of the request feeds the `INSERT … ON CONFLICT` of the assertion
    /// key, so the key is recorded only when this call recorded the request, and of any number of
    /// concurrent calls for one request exactly one records it.
    ///
    /// When the assertion key was already recorded (`LoginStateOutcome.replayed`), the request
    /// stays recorded as answered: the replayed assertion names this request, so it answered it
    /// before.
    ///
    /// - Parameters:
    ///   - requestID: the request the response answers.
    ///   - requestExpiresAt: until when the request's record is kept.
    ///   - assertionKey: the key the verifier records for the assertion.
    ///   - expiresAt: until when the assertion key is remembered.
    ///   - now: the current time.
    /// - Returns: `LoginStateOutcome.recorded`, or why not.
    /// - Throws: `stateStoreUnavailable` when the database does not answer in time or fails; the
    ///   request may or may not have been recorded then.
    public func finishLogin(request requestID: String, until requestExpiresAt: Date, recording assertionKey: String,
                            until expiresAt: Date, now: Date) async throws -> LoginStateOutcome {
        guard !requestID.utf8.contains(0) else {
            throw SAMLError(.invalidRequest, "A request ID containing NUL cannot be recorded.")
        }
        let key = PostgresReplayStore.key(assertionKey, scope: .assertion)
        let sql: PostgresQuery = try """
            WITH answered AS (
                INSERT INTO \(unescaped: configuration.requestsTable) AS r (id, expires_at) VALUES (\(requestID), \(requestExpiresAt))
                ON CONFLICT (id) DO UPDATE SET expires_at = EXCLUDED.expires_at WHERE r.expires_at < \(now)
                RETURNING 1
            ), recorded AS (
                INSERT INTO \(unescaped: configuration.assertionsTable) AS t (key_sha256, expires_at)
                SELECT sha256(\(key)), \(expiresAt) FROM answered
                ON CONFLICT (key_sha256) DO UPDATE SET expires_at = EXCLUDED.expires_at WHERE t.expires_at < \(now)
                RETURNING 1
            )
            SELECT (SELECT count(*) FROM answered), (SELECT count(*) FROM recorded)
            """
        let (answered, recorded) = try await query.run("finish the login") { client in
            var counts: (Int64, Int64) = (0, 0)
            for try await row in try await client.query(sql).decode((Int64, Int64).self) {
                counts = row
            }
            return counts
        }
        if answered == 0 { return .requestAlreadyAnswered }
        return recorded == 1 ? .recorded : .replayed
    }

    /// Deletes expired answered requests and IDs (see ``PostgresStatePurger``); returns how many
    /// of each were deleted.
    public func purgeExpired(before date: Date = Date(), maxBatches: Int = 100) async throws -> (requests: Int, assertions: Int) {
        (try await requests.purgeExpired(before: date, maxBatches: maxBatches),
         try await assertions.purgeExpired(before: date, maxBatches: maxBatches))
    }
}
#endif
