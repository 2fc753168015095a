#if PostgreSQL
import Foundation
import PostgresNIO

/// The one statement every store records with: insert the key, or take over a row whose expiry
/// is before `now`; a row comes back only when this call recorded it, so of any number of
/// concurrent calls for one key exactly one gets `true`, and a record blocks through its expiry
/// instant.
enum StoreRecord {
    /// How the key column holds the key.
    enum Key {
        /// The text itself (request IDs).
        case text(String)
        /// The SHA-256 of the bytes (assertion and LogoutRequest keys: any length, 32-byte index entries).
        case sha256(Data)
    }

    static func insertIfAbsent(_ query: StoreQuery, action: String, table: String, keyColumn: String, key: Key,
                               expiresAt: Date, now: Date) async throws -> Bool {
        var binds = PostgresBindings()
        let keyExpression: String
        switch key {
        case .text(let text):
            try binds.append(text)
            keyExpression = "$1"
        case .sha256(let bytes):
            try binds.append(bytes)
            keyExpression = "sha256($1)"
        }
        try binds.append(expiresAt)
        try binds.append(now)
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
}
#endif
