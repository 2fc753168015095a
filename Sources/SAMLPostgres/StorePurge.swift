#if PostgreSQL
import Foundation
import PostgresNIO

/// Deletes rows whose expiry is before a date in bounded batches, using the expiry index.
enum StorePurge {
    static func run(query: StoreQuery, table: String, keyColumn: String, before date: Date,
                    batchSize: Int, maxBatches: Int) async throws -> Int {
        var total = 0
        for _ in 0..<max(1, maxBatches) {
            let sql: PostgresQuery = """
                WITH doomed AS (\
                SELECT \(unescaped: keyColumn) FROM \(unescaped: table) WHERE expires_at < \(date) \
                ORDER BY expires_at LIMIT \(batchSize) FOR UPDATE SKIP LOCKED), \
                deleted AS (DELETE FROM \(unescaped: table) t USING doomed \
                WHERE t.\(unescaped: keyColumn) = doomed.\(unescaped: keyColumn) AND t.expires_at < \(date) RETURNING 1) \
                SELECT count(*)::int8 FROM deleted
                """
            let deleted = try await query.run("purge expired rows") { client in
                var count: Int64 = 0
                for try await (n) in try await client.query(sql).decode(Int64.self) { count = n }
                return Int(count)
            }
            total += deleted
            if deleted < batchSize { break }
        }
        return total
    }
}
#endif
