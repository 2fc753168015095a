#if PostgreSQL
public import Foundation
public import PostgresNIO
import SAMLCore
public import SAMLLogin

/// An `IdentityProviderDirectory` on PostgreSQL: every instance of an application sees the same
/// identity providers, and a change made through one is seen by the others within
/// ``pollInterval`` (default 1 second).
///
/// Each change bumps a version counter in the same transaction; a read that finds its copy older
/// than ``pollInterval`` asks the database for the counter (one indexed row) and reloads the
/// entries when it moved. Reads fail closed: when the database cannot answer within
/// `PostgresStoreConfiguration.queryTimeout`, the read throws `directoryUnavailable` rather than
/// use a copy from which a removed IdP may not have gone yet.
///
/// The tables are created by `PostgresStateSchema.migrate(client:configuration:)` with the state
/// store's. Records, including this SP's per-IdP private keys, are stored as JSON: keep the
/// database as private as the keys.
///
/// ```swift
/// let directory = try PostgresIdentityProviderDirectory(client: client)
/// let saml = try SAMLServiceProvider(configuration: configuration, stateStore: store, directory: directory)
/// ```
public actor PostgresIdentityProviderDirectory: IdentityProviderDirectory {
    /// The settings in use.
    public nonisolated let configuration: PostgresStoreConfiguration
    /// How old the local copy may be before a read asks the database whether it changed.
    public nonisolated let pollInterval: Duration
    private let query: StoreQuery
    private let table: String
    private let versionTable: String
    private var cached: IdentityProviderSnapshot?
    private var checkedAt: ContinuousClock.Instant?
    private var refreshing: Task<IdentityProviderSnapshot, any Error>?
    private let clock: @Sendable () -> Date
    private nonisolated let shared = SharedCopy()

    /// Creates a directory on `client`'s pool. The tables must exist (see `PostgresStateSchema`).
    /// - Throws: `invalidConfiguration` when the configuration is not usable or `pollInterval` is
    ///   not between 0 and 5 seconds.
    public init(client: PostgresClient, configuration: PostgresStoreConfiguration = .init(), pollInterval: Duration = .seconds(1),
                now: @escaping @Sendable () -> Date = Date.init) throws {
        try configuration.validate()
        guard pollInterval >= .zero, pollInterval <= .seconds(5) else {
            throw SAMLError(.invalidConfiguration, "The directory poll interval must be between 0 and 5 seconds (it is \(pollInterval)).")
        }
        self.configuration = configuration
        self.pollInterval = pollInterval
        self.query = StoreQuery(client: client, timeout: configuration.queryTimeout)
        self.table = configuration.identityProvidersTable
        self.versionTable = configuration.directoryVersionTable
        self.clock = now
    }

    /// The schema's statements for the directory (part of `PostgresStateSchema.migrationSQL`).
    static func migrationSQL(configuration: PostgresStoreConfiguration) -> [String] {
        let table = configuration.identityProvidersTable
        let version = configuration.directoryVersionTable
        return [
            """
            CREATE TABLE IF NOT EXISTS \(table) (
                id          text        PRIMARY KEY,
                entity_id   text        NOT NULL UNIQUE,
                record      text        NOT NULL,
                revision    bigint      NOT NULL,
                position    bigserial,
                updated_at  timestamptz NOT NULL
            )
            """,
            """
            CREATE TABLE IF NOT EXISTS \(version) (
                singleton   boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
                version     bigint      NOT NULL
            )
            """,
            "INSERT INTO \(version) (singleton, version) VALUES (true, 1) ON CONFLICT (singleton) DO NOTHING",
        ]
    }

    // MARK: - Reading

    public func snapshot() async throws -> IdentityProviderSnapshot {
        if let cached, let checkedAt, ContinuousClock.now - checkedAt < pollInterval { return cached }
        if let refreshing { return try await refreshing.value }
        let task = Task { try await self.refresh() }
        refreshing = task
        defer { refreshing = nil }
        return try await task.value
    }

    private func refresh() async throws -> IdentityProviderSnapshot {
        let started = ContinuousClock.now
        let versionSQL: PostgresQuery = "SELECT version FROM \(unescaped: versionTable) WHERE singleton"
        let version: Int64 = try await run("read the directory version") { client in
            var found: Int64?
            for try await (value) in try await client.query(versionSQL).decode(Int64.self) { found = value }
            guard let found else { throw SAMLError(.directoryUnavailable, "The directory version row is missing; run the migration.") }
            return found
        }
        if let cached, cached.version == version {
            checkedAt = started
            shared.set(cached)
            return cached
        }
        let snapshot = try await load()
        cached = snapshot
        checkedAt = started
        shared.set(snapshot)
        return snapshot
    }

    /// Every record with the version it belongs to, read in one transaction-consistent statement.
    private func load() async throws -> IdentityProviderSnapshot {
        let sql: PostgresQuery = """
            SELECT v.version, t.record, t.revision, t.updated_at FROM \(unescaped: versionTable) v \
            LEFT JOIN \(unescaped: table) t ON true WHERE v.singleton ORDER BY t.position
            """
        let rows: [(Int64, String?, Int64?, Date?)] = try await run("read the identity providers") { client in
            var rows: [(Int64, String?, Int64?, Date?)] = []
            for try await row in try await client.query(sql).decode((Int64, String?, Int64?, Date?).self) { rows.append(row) }
            return rows
        }
        guard let version = rows.first?.0 else {
            throw SAMLError(.directoryUnavailable, "The directory version row is missing; run the migration.")
        }
        var entries: [IdentityProviderEntry] = []
        for (_, text, revision, updatedAt) in rows {
            guard let text, let revision, let updatedAt else { continue }
            var record = try IdentityProviderRecord(storedJSON: Data(text.utf8))
            record.revision = revision
            record.updatedAt = updatedAt
            do {
                entries.append(try IdentityProviderEntry(record: record, now: clock()))
            } catch {
                // a stored record that no longer checks (for example its metadata expired): kept
                // in the list, disabled, so an administrator sees it and logins through it fail
                record.enabled = false
                entries.append(IdentityProviderEntry(unusable: record, problem: error))
            }
        }
        return IdentityProviderSnapshot(version: version, entries: entries)
    }

    /// The copy last read; when older than ``pollInterval`` a refresh starts in the background
    /// (a session check then sees a removal at the request after it).
    public nonisolated func cachedSnapshot() -> IdentityProviderSnapshot? {
        let (snapshot, stale) = shared.get(maximumAge: pollInterval)
        if stale { Task { _ = try? await self.snapshot() } }
        return snapshot
    }

    // MARK: - Changing

    public func add(_ record: IdentityProviderRecord) async throws -> IdentityProviderEntry {
        try await write(record, replacing: false)
    }

    public func update(_ record: IdentityProviderRecord) async throws -> IdentityProviderEntry {
        try await write(record, replacing: true)
    }

    public func remove(id: String) async throws -> Bool {
        let (table, versionTable) = (self.table, self.versionTable)
        let removed: Bool = try await run("remove the identity provider") { client in
            try await client.withTransaction(logger: Self.quietLogger) { connection in
                try await connection.query("SELECT version FROM \(unescaped: versionTable) WHERE singleton FOR UPDATE", logger: Self.quietLogger).drain()
                var count = 0
                for try await _ in try await connection.query("DELETE FROM \(unescaped: table) WHERE id = \(id) RETURNING id",
                                                              logger: Self.quietLogger) { count += 1 }
                if count > 0 {
                    try await connection.query("UPDATE \(unescaped: versionTable) SET version = version + 1 WHERE singleton",
                                               logger: Self.quietLogger).drain()
                }
                return count > 0
            }
        }
        checkedAt = nil
        return removed
    }

    private func write(_ record: IdentityProviderRecord, replacing: Bool) async throws -> IdentityProviderEntry {
        guard !record.id.utf8.contains(0) else {
            throw IdentityProviderInputError(field: "id", .invalidConfiguration, "The ID contains NUL.")
        }
        var record = record
        let now = clock()
        record.updatedAt = now
        // checked before anything is written; the stored JSON is the record as given
        let checked = try IdentityProviderEntry(record: record, now: now)
        record.entityID = checked.entityID
        let text = String(decoding: try record.storedJSON(), as: UTF8.self)
        let (table, versionTable, id, entityID) = (self.table, self.versionTable, record.id, record.entityID)
        let outcome: WriteOutcome = try await run(replacing ? "update the identity provider" : "add the identity provider") { client in
            try await client.withTransaction(logger: Self.quietLogger) { connection in
                // every writer takes the version row first, so the checks below see every earlier write
                try await connection.query("SELECT version FROM \(unescaped: versionTable) WHERE singleton FOR UPDATE", logger: Self.quietLogger).drain()
                var existing: Int64?
                for try await revision in try await connection.query("SELECT revision FROM \(unescaped: table) WHERE id = \(id)",
                                                                     logger: Self.quietLogger).decode(Int64.self) { existing = revision }
                if replacing, existing == nil { return .notFound }
                if !replacing, existing != nil { return .duplicateID }
                var other: String?
                for try await found in try await connection.query("SELECT id FROM \(unescaped: table) WHERE entity_id = \(entityID) AND id <> \(id)",
                                                                  logger: Self.quietLogger).decode(String.self) { other = found }
                if let other { return .duplicateEntityID(other) }
                let revision = (existing ?? 0) + 1
                if replacing {
                    try await connection.query("""
                        UPDATE \(unescaped: table) SET entity_id = \(entityID), record = \(text), revision = \(revision), updated_at = \(now) \
                        WHERE id = \(id)
                        """, logger: Self.quietLogger).drain()
                } else {
                    try await connection.query("""
                        INSERT INTO \(unescaped: table) (id, entity_id, record, revision, updated_at) \
                        VALUES (\(id), \(entityID), \(text), \(revision), \(now))
                        """, logger: Self.quietLogger).drain()
                }
                try await connection.query("UPDATE \(unescaped: versionTable) SET version = version + 1 WHERE singleton",
                                           logger: Self.quietLogger).drain()
                return .written(revision)
            }
        }
        checkedAt = nil
        switch outcome {
        case .written(let revision):
            record.revision = revision
            return try IdentityProviderEntry(record: record, now: now)
        case .notFound:
            throw SAMLError(.entityNotFound, "There is no identity provider with the ID \(record.id).")
        case .duplicateID:
            throw IdentityProviderInputError(field: "id", .invalidConfiguration, "An identity provider with the ID \(record.id) exists already.")
        case .duplicateEntityID(let other):
            let field = record.configuration != nil ? "config.issuer_url" : record.metadataURL != nil ? "metadata_url" : "metadata_xml"
            throw IdentityProviderInputError(field: field, .duplicateEntityID,
                                             "The identity provider \(other) has the entity ID \(record.entityID) already.")
        }
    }

    private enum WriteOutcome: Sendable {
        case written(Int64), notFound, duplicateID, duplicateEntityID(String)
    }

    private static let quietLogger: Logger = {
        var logger = Logger(label: "SAMLPostgres.directory")
        logger.logLevel = .critical
        return logger
    }()

    /// Runs a query under the deadline; a database failure becomes `directoryUnavailable`.
    private func run<Value: Sendable>(_ action: String, _ operation: @escaping @Sendable (PostgresClient) async throws -> Value) async throws -> Value {
        do {
            return try await query.run(action, operation)
        } catch let error as SAMLError where error.code == .stateStoreUnavailable {
            throw SAMLError(.directoryUnavailable, error.reason.replacingOccurrences(of: "PostgreSQL state store", with: "PostgreSQL identity-provider directory")
                .replacingOccurrences(of: "accepting unchecked", with: "deciding on trust that may have been withdrawn"),
                            libraryMessage: error.libraryMessage)
        }
    }
}

/// The snapshot last read, for synchronous readers.
final class SharedCopy: @unchecked Sendable {
    private let lock = NSLock()
    private var snapshot: IdentityProviderSnapshot?
    private var readAt = ContinuousClock.now

    func set(_ value: IdentityProviderSnapshot) {
        lock.withLock {
            snapshot = value
            readAt = ContinuousClock.now
        }
    }

    func get(maximumAge: Duration) -> (IdentityProviderSnapshot?, stale: Bool) {
        lock.withLock { (snapshot, ContinuousClock.now - readAt >= maximumAge) }
    }
}

extension PostgresStoreConfiguration {
    /// The table holding the identity-provider directory's records.
    public var identityProvidersTable: String { tablePrefix + "identity_providers" }

    /// The one-row table holding the directory's version counter.
    public var directoryVersionTable: String { tablePrefix + "directory_version" }
}
#endif
