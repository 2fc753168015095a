#if PostgreSQL
public import Foundation
public import PostgresNIO
import SAMLCore
public import SAMLLogin
public import ServiceLifecycle

/// An `IdentityProviderDirectory` on PostgreSQL: every instance of an application sees the same
/// identity providers, and a change made through one is seen by every other within
/// ``maximumAge`` (default 2 seconds, at most 5).
///
/// Each change increases a version counter in the same transaction. Each instance keeps a copy
/// of the entries and the instant the database last confirmed it (the start of the query that
/// read the counter). `snapshot()` uses the copy while it is younger than half of
/// ``maximumAge``; past that it asks the database for the counter (one row) and reloads the
/// entries when it moved. `cachedSnapshot()` (the synchronous session check) uses the copy while
/// it is younger than ``maximumAge`` and answers nil after, so the check refuses; ``run()``, run
/// as a service, confirms the copy every half of ``maximumAge`` so that never happens while the
/// database answers. A change committed at instant *t* is therefore in every read after
/// *t* + ``maximumAge``, and a removed or disabled IdP is refused by then on every instance.
///
/// Reads fail closed: when the database cannot answer within
/// `PostgresStoreConfiguration.queryTimeout`, `snapshot()` throws `directoryUnavailable` and the
/// copy ages out rather than serve trust that may have been withdrawn. Changes made through this
/// instance are seen by its next read (each change reads the entries again before it returns).
///
/// The tables are created by `PostgresStateSchema.migrate(client:configuration:)` with the state
/// stores'. Records, including this SP's per-IdP private keys, are stored as JSON: keep the
/// database as private as the keys.
///
/// ```swift
/// try await PostgresStateSchema.migrate(client: client)
/// let directory = try PostgresIdentityProviderDirectory(client: client)
/// let saml = try SAMLServiceProvider(configuration: configuration, stateStore: store, directory: directory)
/// let group = ServiceGroup(services: [client, directory, app], logger: logger)
/// ```
public actor PostgresIdentityProviderDirectory: IdentityProviderDirectory, Service {
    /// The settings in use (table prefix, query timeout).
    public nonisolated let configuration: PostgresStoreConfiguration
    /// The longest a copy of the entries is used after the database last confirmed it: the bound
    /// on how long a change made through another instance takes to be seen here.
    public nonisolated let maximumAge: Duration
    private let query: StoreQuery
    private let table: String
    private let versionTable: String
    private let clock: @Sendable () -> Date
    private var refreshing: Task<IdentityProviderSnapshot, any Error>?
    private nonisolated let copy = DirectoryCopy()

    /// Creates a directory on `client`'s pool. The tables must exist (see `PostgresStateSchema`).
    ///
    /// - Parameters:
    ///   - client: the pool; it must be running (`client.run()`, or a service of the group).
    ///   - configuration: the table prefix and the query timeout.
    ///   - maximumAge: how long a copy of the entries is used after the database confirmed it;
    ///     more than zero and at most 5 seconds. Default 2 seconds.
    ///   - now: the clock records are dated and checked with.
    /// - Throws: `invalidConfiguration` when the configuration is not usable or `maximumAge` is out
    ///   of range.
    public init(client: PostgresClient, configuration: PostgresStoreConfiguration = .init(), maximumAge: Duration = .seconds(2),
                now: @escaping @Sendable () -> Date = Date.init) throws {
        try configuration.validate()
        guard maximumAge > .zero, maximumAge <= .seconds(5) else {
            throw SAMLError(.invalidConfiguration, "The directory's maximum age must be more than 0 and at most 5 seconds (it is \(maximumAge)).")
        }
        self.configuration = configuration
        self.maximumAge = maximumAge
        self.query = StoreQuery(client: client, timeout: configuration.queryTimeout, code: .directoryUnavailable,
                                store: "PostgreSQL identity-provider directory",
                                refusal: "deciding on trust that may have been withdrawn")
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

    /// Every entry, enabled or not: the copy while it is younger than half of ``maximumAge``,
    /// else as the database has it now.
    ///
    /// - Throws: `SAMLError` `.directoryUnavailable` when the database does not answer within the
    ///   query timeout, refuses the query, or holds a record that cannot be read.
    public func snapshot() async throws -> IdentityProviderSnapshot {
        if let fresh = copy.get(youngerThan: maximumAge / 2) { return fresh }
        return try await refresh()
    }

    /// The copy while the database confirmed it less than ``maximumAge`` ago, else nil (the
    /// synchronous session check then refuses). A copy older than half of ``maximumAge`` starts a
    /// confirmation in the background.
    public nonisolated func cachedSnapshot() -> IdentityProviderSnapshot? {
        if copy.get(youngerThan: maximumAge / 2) == nil, copy.claimBackgroundRefresh() {
            Task {
                _ = try? await self.refresh()
                self.copy.endBackgroundRefresh()
            }
        }
        return copy.get(youngerThan: maximumAge)
    }

    /// Confirms the copy with the database every half of ``maximumAge`` until the task is
    /// cancelled or the service group shuts down, so the synchronous session check always has a
    /// current copy while the database answers. A failed confirmation is retried at the next
    /// round; meanwhile the copy ages out.
    public nonisolated func run() async throws {
        let interval = maximumAge / 2
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                _ = try? await self.refresh()
                do { try await Task.sleep(for: interval) } catch { return }
            }
        }
    }

    /// Reads the version, reloading the entries when it moved; callers arriving meanwhile share
    /// the read.
    private func refresh() async throws -> IdentityProviderSnapshot {
        if let refreshing { return try await refreshing.value }
        let task = Task { try await self.read() }
        refreshing = task
        defer { if refreshing == task { refreshing = nil } }
        return try await task.value
    }

    private func read() async throws -> IdentityProviderSnapshot {
        let generation = copy.generation
        let started = ContinuousClock.now
        let versionSQL: PostgresQuery = "SELECT version FROM \(unescaped: versionTable) WHERE singleton"
        let version: Int64 = try await query.run("read the directory version") { client in
            var found: Int64?
            for try await (value) in try await client.query(versionSQL, logger: Self.quietLogger).decode(Int64.self) { found = value }
            guard let found else { throw Self.missingVersion }
            return found
        }
        let snapshot: IdentityProviderSnapshot
        if let held = copy.held, held.version == version {
            snapshot = held
        } else {
            snapshot = try await load()
        }
        copy.set(snapshot, confirmedAt: started, ifGeneration: generation)
        return snapshot
    }

    /// Every record with the version it belongs to, read in one statement (one consistent view).
    private func load() async throws -> IdentityProviderSnapshot {
        let sql: PostgresQuery = """
            SELECT v.version, t.record, t.revision, t.updated_at FROM \(unescaped: versionTable) v \
            LEFT JOIN \(unescaped: table) t ON true WHERE v.singleton ORDER BY t.position
            """
        let rows: [(Int64, String?, Int64?, Date?)] = try await query.run("read the identity providers") { client in
            var rows: [(Int64, String?, Int64?, Date?)] = []
            for try await row in try await client.query(sql, logger: Self.quietLogger).decode((Int64, String?, Int64?, Date?).self) {
                rows.append(row)
            }
            return rows
        }
        guard let version = rows.first?.0 else { throw Self.missingVersion }
        let now = clock()
        var entries: [IdentityProviderEntry] = []
        for (_, text, revision, updatedAt) in rows {
            guard let text, let revision, let updatedAt else { continue }
            var record: IdentityProviderRecord
            do {
                record = try IdentityProviderRecord(storedJSON: Data(text.utf8))
            } catch {
                throw SAMLError(.directoryUnavailable, "A stored identity-provider record cannot be read; refusing rather than deciding without it.",
                                libraryMessage: "\(error)")
            }
            record.revision = revision
            record.updatedAt = updatedAt
            do {
                entries.append(try IdentityProviderEntry(record: record, now: now))
            } catch {
                // a stored record that no longer checks (its metadata expired, say): listed,
                // disabled, so an administrator sees it and logins through it are refused
                entries.append(IdentityProviderEntry(unusable: record, problem: error))
            }
        }
        return IdentityProviderSnapshot(version: version, entries: entries)
    }

    private static var missingVersion: SAMLError {
        SAMLError(.directoryUnavailable, "The directory's version row is missing; run PostgresStateSchema.migrate.")
    }

    // MARK: - Changing

    /// Adds an entry, checked first with `IdentityProviderEntry.init(record:now:)`.
    ///
    /// - Throws: `IdentityProviderInputError` for a bad field, an ID or entity ID another entry
    ///   has (checked across all instances); `directoryUnavailable` when the database does not answer.
    public func add(_ record: IdentityProviderRecord) async throws -> IdentityProviderEntry {
        let entry = try await write(record, replacing: false)
        _ = try? await refresh()
        return entry
    }

    /// Replaces the entry with the record's ID (settings, name, switches, keys, enabled).
    ///
    /// - Throws: `IdentityProviderInputError` for a bad field or an entity ID another entry has;
    ///   `SAMLError` `.entityNotFound` when there is no such entry; `directoryUnavailable` when the
    ///   database does not answer.
    public func update(_ record: IdentityProviderRecord) async throws -> IdentityProviderEntry {
        let entry = try await write(record, replacing: true)
        _ = try? await refresh()
        return entry
    }

    /// Removes an entry; returns whether there was one.
    ///
    /// - Throws: `directoryUnavailable` when the database does not answer.
    public func remove(id: String) async throws -> Bool {
        let removed = try await delete(id: id)
        _ = try? await refresh()
        return removed
    }

    private func delete(id: String) async throws -> Bool {
        let (table, versionTable) = (self.table, self.versionTable)
        defer { invalidate() }
        return try await query.run("remove the identity provider") { client in
            try await client.withTransaction(logger: Self.quietLogger) { connection in
                try await connection.query("SELECT version FROM \(unescaped: versionTable) WHERE singleton FOR UPDATE",
                                           logger: Self.quietLogger).drain()
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
    }

    private func write(_ record: IdentityProviderRecord, replacing: Bool) async throws -> IdentityProviderEntry {
        var record = record
        let now = clock()
        record.updatedAt = now
        // checked before anything is written
        let checked = try IdentityProviderEntry(record: record, now: now)
        record.entityID = checked.entityID
        let text = String(decoding: try record.storedJSON(), as: UTF8.self)
        let (table, versionTable, id, entityID) = (self.table, self.versionTable, record.id, record.entityID)
        defer { invalidate() }
        let outcome: WriteOutcome = try await query.run(replacing ? "update the identity provider" : "add the identity provider") { client in
            try await client.withTransaction(logger: Self.quietLogger) { connection in
                // every writer locks the version row first, so the checks below see every earlier write
                try await connection.query("SELECT version FROM \(unescaped: versionTable) WHERE singleton FOR UPDATE",
                                           logger: Self.quietLogger).drain()
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

    /// After a change through this instance (or an attempt whose outcome is unknown): the next
    /// read asks the database, and no read already under way may store its older answer.
    private func invalidate() {
        copy.invalidate()
        refreshing = nil
    }

    private enum WriteOutcome: Sendable {
        case written(Int64), notFound, duplicateID, duplicateEntityID(String)
    }

    private static let quietLogger: Logger = {
        var logger = Logger(label: "SAMLPostgres.directory")
        logger.logLevel = .critical
        return logger
    }()
}

/// A directory instance's copy of the entries and when the database last confirmed it, readable
/// without the actor (for `cachedSnapshot()`).
final class DirectoryCopy: @unchecked Sendable {
    private let lock = NSLock()
    private var snapshot: IdentityProviderSnapshot?
    private var confirmedAt: ContinuousClock.Instant?
    private var changes = 0
    private var backgroundRefresh = false

    /// Counts invalidations; a read stores its answer only if none happened since it started.
    var generation: Int { lock.withLock { changes } }

    /// The copy, however old (to skip reloading when the version did not move).
    var held: IdentityProviderSnapshot? { lock.withLock { snapshot } }

    func get(youngerThan age: Duration) -> IdentityProviderSnapshot? {
        lock.withLock {
            guard let snapshot, let confirmedAt, ContinuousClock.now - confirmedAt < age else { return nil }
            return snapshot
        }
    }

    func set(_ value: IdentityProviderSnapshot, confirmedAt instant: ContinuousClock.Instant, ifGeneration generation: Int) {
        lock.withLock {
            guard changes == generation else { return }
            snapshot = value
            confirmedAt = instant
        }
    }

    func invalidate() {
        lock.withLock {
            changes += 1
            confirmedAt = nil
        }
    }

    /// True for the one caller that may start a background refresh now.
    func claimBackgroundRefresh() -> Bool {
        lock.withLock {
            guard !backgroundRefresh else { return false }
            backgroundRefresh = true
            return true
        }
    }

    func endBackgroundRefresh() {
        lock.withLock { backgroundRefresh = false }
    }
}
#endif
