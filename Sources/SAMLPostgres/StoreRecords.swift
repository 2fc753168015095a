#if PostgreSQL
import Foundation
import PostgresNIO

/// One table of keys that expire, as the request tracker and the replay store keep them: the
/// validated configuration, the deadline-bound query runner, the table and its key column.
///
/// Every store records with one statement: insert the key, or take over a row whose expiry is
/// before `now`; a row comes back only when this call recorded it, so of any number of
/// concurrent calls for one key exactly one gets `true`, and a record blocks through its expiry
/// instant.
struct StoreRecords: Sendable {
    /// How the key column holds the key.
    enum Key {
        /// The text itself (request IDs).
        case text(String)
        /// The SHA-256 of the bytes (assertion and LogoutRequest keys: any length, 32-byte index entries).
        case sha256(Data)
    }

    /// The settings in use.
    let configuration: PostgresStoreConfiguration
    private let query: StoreQuery
    private let table: String
    private let keyColumn: String

    /// Checks `configuration` and keeps `table`, keyed by `keyColumn`, on `client`'s pool.
    /// - Throws: `invalidConfiguration` when the configuration is not usable.
    init(client: PostgresClient, configuration: PostgresStoreConfiguration, table: KeyPath<PostgresStoreConfiguration, String>,
         keyColumn: String) throws {
        try configuration.validate()
        self.configuration = configuration
        self.query = StoreQuery(client: client, timeout: configuration.queryTimeout)
        self.table = configuration[keyPath: table]
        self.keyColumn = keyColumn
    }

    /// Records `key` until `expiresAt` unless a record of it that has not expired at `now` exists;
    /// returns whether this call recorded it. `action` names the call in a failure's reason.
    func insertIfAbsent(_ key: Key, action: String, expiresAt: Date, now: Date) async throws -> Bool {
        var binds = PostgresBindings()
        let keyExpression: String
        switch key {
        case .text(let text):
            binds.append(text)
            keyExpression = "$1"
        case .sha256(let bytes):
            try binds.append(bytes)
            keyExpression = "sha256($1)"
        }
        binds.append(expiresAt)
        binds.append(now)
        let sql = PostgresQuery(unsafeSQL: """
            INSERT INTO \(table) AS t (\(keyColumn), expires_at) VALUES (\(keyExpression), $2) \
            ON CONFLICT (\(keyColumn)) DO UPDATE SET expires_at = EXCLUDED.expires_at WHERE t.expires_at < $3 \
            RETURNING 1
            """, binds: binds)
        let affected = try await query.run(action) { client in
            var rows = 0
            for try await _ in try await client.query(sql) { rows += 1 }
            return rows
        }
        return affected == 1
    }

    /// Deletes rows whose expiry is before `date`, in batches of the configured size, at most
    /// `maxBatches` statements; returns how many were deleted.
    func purgeExpired(before date: Date, maxBatches: Int) async throws -> Int {
        try await StorePurge.run(query: query, table: table, keyColumn: keyColumn, before: date,
                                 batchSize: configuration.purgeBatchSize, maxBatches: maxBatches)
    }
}
#endif
