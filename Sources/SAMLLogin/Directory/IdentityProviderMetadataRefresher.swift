public import Foundation
import SAMLCore
import SAMLMetadata
public import CoreMetrics

/// Refreshes the metadata of every directory entry configured by a metadata URL: the fetched
/// document replaces the held one when it checks (new keys take effect at once); a failure keeps
/// the last good copy until its `validUntil` and records why in the entry's
/// ``IdentityProviderRecord/metadataStatus``, visible in the admin API.
///
/// Fetching is the caller's (for example `MetadataSource` of SAMLMetadataHTTP, which bounds size,
/// time and redirects). Counts `saml_metadata_refreshes_total` by IdP ID and outcome.
public struct IdentityProviderMetadataRefresher: Sendable {
    /// Fetches a metadata URL's document; throws when it does not answer.
    public typealias Fetch = @Sendable (String) async throws -> [UInt8]

    /// The directory whose entries are refreshed.
    public let directory: any IdentityProviderDirectory
    /// The fetch.
    public let fetch: Fetch
    let metrics: SAMLMetrics

    /// Creates a refresher.
    public init(directory: any IdentityProviderDirectory, metricsFactory: (any MetricsFactory)? = nil, fetch: @escaping Fetch) {
        self.directory = directory
        self.fetch = fetch
        self.metrics = SAMLMetrics(factory: metricsFactory)
    }

    /// Refreshes every entry with a metadata URL once; returns each one's status by ID.
    @discardableResult
    public func refreshAll(now: @Sendable () -> Date = Date.init) async -> [String: MetadataRefreshStatus] {
        guard let snapshot = try? await directory.snapshot() else {
            metrics.storeError("directory")
            return [:]
        }
        var result: [String: MetadataRefreshStatus] = [:]
        for entry in snapshot.entries {
            guard let url = entry.record.metadataURL else { continue }
            result[entry.id] = await refresh(entry.record, url: url, now: now)
        }
        return result
    }

    /// Refreshes every `interval` until the task is cancelled.
    public func run(every interval: Duration) async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: interval) } catch { return }
            await refreshAll()
        }
    }

    private func refresh(_ record: IdentityProviderRecord, url: String, now: @Sendable () -> Date) async -> MetadataRefreshStatus {
        var record = record
        let attempt = now()
        do {
            let bytes = try await fetch(url)
            var updated = record
            updated.metadataXML = String(decoding: bytes, as: UTF8.self)
            updated.metadataStatus = MetadataRefreshStatus(state: "fresh", lastAttempt: attempt, lastSuccess: attempt)
            let entry = try await directory.update(updated)
            metrics.metadataRefresh(idp: record.id, outcome: "success")
            var status = entry.record.metadataStatus ?? MetadataRefreshStatus(state: "fresh")
            status.validUntil = entry.trusted.identityProvider.validUntil
            return status
        } catch {
            let failure: SAMLError = (error as? SAMLError) ?? (error as? IdentityProviderInputError)?.error
                ?? SAMLError(.metadataUnavailable, "\(url) did not answer: \(error)")
            metrics.metadataRefresh(idp: record.id, outcome: failure.code.rawValue)
            var status = record.metadataStatus ?? MetadataRefreshStatus(state: "stale")
            status.state = record.metadataXML == nil ? "failed" : "stale"
            status.lastAttempt = attempt
            status.lastErrorCode = failure.code.rawValue
            status.lastError = failure.reason
            record.metadataStatus = status
            if (try? await directory.update(record)) == nil { metrics.storeError("directory") }
            return status
        }
    }
}
