public import Foundation
import SAMLCore

/// Where the façade finds its identity providers, read on every login, ACS post and session
/// check, and changed while the service runs.
///
/// ``InMemoryIdentityProviderDirectory`` keeps them in the process (the façade's fixed list is
/// one); `PostgresIdentityProviderDirectory` (SAMLPostgres) shares them between instances.
/// Implementations check every record with ``IdentityProviderEntry/init(record:now:)`` before
/// storing it, refuse a second entry with the same ID or entity ID, and fail closed: when they
/// cannot tell what the directory holds they throw `directoryUnavailable` rather than answer from
/// trust that may have been withdrawn.
public protocol IdentityProviderDirectory: Sendable {
    /// Every entry, enabled or not, as of now.
    func snapshot() async throws -> IdentityProviderSnapshot

    /// Adds an entry.
    /// - Throws: ``IdentityProviderInputError`` for a bad field, a duplicate ID (`id`) or entity ID.
    func add(_ record: IdentityProviderRecord) async throws -> IdentityProviderEntry

    /// Replaces the entry with the record's ID (its settings, name, switches, keys, status).
    /// - Throws: ``IdentityProviderInputError`` for a bad field or an entity ID another entry has;
    ///   `SAMLError` `.entityNotFound` when there is no such entry.
    func update(_ record: IdentityProviderRecord) async throws -> IdentityProviderEntry

    /// Removes an entry; returns whether there was one.
    func remove(id: String) async throws -> Bool

    /// The entries as last read, without waiting, for synchronous checks such as a session
    /// cookie's (`SAMLServiceProvider.acceptsSession`); nil when none was read yet (the check then
    /// refuses). May start a refresh in the background.
    func cachedSnapshot() -> IdentityProviderSnapshot?
}

extension IdentityProviderDirectory {
    /// No cached copy: synchronous checks refuse.
    public func cachedSnapshot() -> IdentityProviderSnapshot? { nil }
}

/// The directory's entries at one moment.
public struct IdentityProviderSnapshot: Sendable {
    /// Increases with every change.
    public let version: Int64
    /// The entries, in the order they were added.
    public let entries: [IdentityProviderEntry]

    /// Creates a snapshot.
    public init(version: Int64, entries: [IdentityProviderEntry]) {
        self.version = version
        self.entries = entries
    }

    /// The entry with this directory ID, if any.
    public func entry(id: String) -> IdentityProviderEntry? {
        entries.first { $0.id == id }
    }

    /// The entry with this IdP entity ID, if any.
    public func entry(entityID: String) -> IdentityProviderEntry? {
        entries.first { $0.entityID == entityID }
    }

    /// The enabled entries.
    public var enabled: [IdentityProviderEntry] { entries.filter(\.isEnabled) }

    /// Why `entry` cannot join this snapshot (as an addition, or as a replacement of the entry with
    /// its ID when `replacing`), or nil when it can.
    public func conflict(with entry: IdentityProviderEntry, replacing: Bool) -> (any Error)? {
        let existing = self.entry(id: entry.id)
        if replacing, existing == nil {
            return SAMLError(.entityNotFound, "There is no identity provider with the ID \(entry.id).")
        }
        if !replacing, existing != nil {
            return IdentityProviderInputError(field: "id", .invalidConfiguration, "An identity provider with the ID \(entry.id) exists already.")
        }
        if let other = self.entry(entityID: entry.entityID), other.id != entry.id {
            let field = entry.record.configuration != nil ? "config.issuer_url"
                : entry.record.metadataURL != nil ? "metadata_url" : "metadata_xml"
            return IdentityProviderInputError(field: field, .duplicateEntityID,
                                              "The identity provider \(other.id) has the entity ID \(entry.entityID) already.")
        }
        return nil
    }
}

/// An ``IdentityProviderDirectory`` in this process's memory: changes are seen at once by every
/// façade using it, and lost when the process ends.
public final class InMemoryIdentityProviderDirectory: IdentityProviderDirectory, @unchecked Sendable {
    private let lock = NSLock()
    private var current: IdentityProviderSnapshot
    private let clock: @Sendable () -> Date

    /// Creates a directory holding `entries`.
    ///
    /// - Throws: `SAMLError` `.invalidConfiguration` when two share an ID or an entity ID.
    public init(_ entries: [IdentityProviderEntry] = [], now: @escaping @Sendable () -> Date = Date.init) throws {
        var ids = Set<String>()
        var entityIDs = Set<String>()
        for entry in entries {
            guard ids.insert(entry.id).inserted, entityIDs.insert(entry.entityID).inserted else {
                throw SAMLError(.invalidConfiguration, "The IdP \(entry.entityID) (\(entry.id)) is configured twice.")
            }
        }
        current = IdentityProviderSnapshot(version: 1, entries: entries)
        clock = now
    }

    /// Creates a directory of IdPs configured in code; each entry's ID is its entity ID.
    public convenience init(trusted: [TrustedIdentityProvider]) throws {
        try self.init(trusted.map { IdentityProviderEntry($0) })
    }

    public func snapshot() async throws -> IdentityProviderSnapshot {
        lock.withLock { current }
    }

    public func cachedSnapshot() -> IdentityProviderSnapshot? {
        lock.withLock { current }
    }

    public func add(_ record: IdentityProviderRecord) async throws -> IdentityProviderEntry {
        try change(record, replacing: false)
    }

    public func update(_ record: IdentityProviderRecord) async throws -> IdentityProviderEntry {
        try change(record, replacing: true)
    }

    public func remove(id: String) async throws -> Bool {
        lock.withLock {
            guard current.entry(id: id) != nil else { return false }
            current = IdentityProviderSnapshot(version: current.version + 1, entries: current.entries.filter { $0.id != id })
            return true
        }
    }

    private func change(_ record: IdentityProviderRecord, replacing: Bool) throws -> IdentityProviderEntry {
        let now = clock()
        var record = record
        record.updatedAt = now
        return try lock.withLock {
            record.revision = (current.entry(id: record.id)?.record.revision ?? 0) + 1
            let entry = try IdentityProviderEntry(record: record, now: now)
            if let conflict = current.conflict(with: entry, replacing: replacing) { throw conflict }
            var entries = current.entries
            if let index = entries.firstIndex(where: { $0.id == entry.id }) {
                entries[index] = entry
            } else {
                entries.append(entry)
            }
            current = IdentityProviderSnapshot(version: current.version + 1, entries: entries)
            return entry
        }
    }
}
