#if HTTPMetadata
public import Foundation
public import Logging
import SAMLCore
public import SAMLMetadata

/// A Metadata Query Protocol (MDQ) client: looks entities up one at a time with
/// `GET {base}/entities/{percent-encoded entityID}`, for federations where nobody loads the whole
/// aggregate. Each answer must be signed by a trust anchor (when configured), is cached per entity
/// for its `cacheDuration` (clamped to the configured bounds, never past `validUntil`), revalidated
/// with ETag / If-Modified-Since, and kept through failed refreshes until its own `validUntil` or
/// the configured ``MetadataFetchConfiguration/maximumStaleness``. An answer older than the
/// entity's cached copy never replaces it.
public actor MetadataQueryClient {
    /// The MDQ base URL (without the trailing `/entities`).
    public nonisolated let baseURL: String
    /// The configuration (trust anchors, limits, timeouts, cache bounds).
    public nonisolated let configuration: MetadataFetchConfiguration
    private let logger: Logger
    private let clock: @Sendable () -> Date
    private let fetcher: MetadataFetcher

    private struct CacheEntry {
        var set: MetadataSet
        var etag: String?
        var lastModified: String?
        var freshUntil: Date
        /// When a fetch last brought or confirmed (304) this copy.
        var confirmedAt: Date
    }
    private var cache: [String: CacheEntry] = [:]
    /// The number of HTTP requests sent so far (200, 304 or failed).
    public private(set) var requestCount = 0

    /// Creates a client.
    ///
    /// - Parameters:
    ///   - baseURL: the MDQ service base, e.g. `https://mdq.example.org` (requests go to `…/entities/…`).
    ///   - configuration: trust anchors, limits, timeouts and cache bounds.
    ///   - logger: where lookups and failures are logged (default: nowhere).
    ///   - clock: the current time (tests inject one).
    public init(baseURL: String, configuration: MetadataFetchConfiguration = .init(),
                logger: Logger = Logger(label: "saml.mdq", factory: { _ in SwiftLogNoOpLogHandler() }),
                clock: @escaping @Sendable () -> Date = { Date() }) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.configuration = configuration
        self.logger = logger
        self.clock = clock
        self.fetcher = MetadataFetcher(configuration: configuration)
    }

    /// The request URL for `entityID`: every character outside RFC 3986's unreserved set is
    /// percent-encoded, as MDQ requires.
    public nonisolated func url(for entityID: String) -> String {
        var unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        unreserved.insert(charactersIn: "-._~")
        return baseURL + "/entities/" + (entityID.addingPercentEncoding(withAllowedCharacters: unreserved) ?? entityID)
    }

    /// The IdP with `entityID`, from the cache while fresh, else from the MDQ service.
    ///
    /// - Throws: `metadataUnavailable` (fetch failed and nothing valid cached), `metadataExpired`,
    ///   signature errors, `entityNotFound` when the answer describes another entity, or the entity's own error.
    public func identityProvider(entityID: String) async throws -> IdentityProvider {
        let now = clock()
        if let entry = cache[entityID], entry.freshUntil > now {
            return try entry.set.identityProvider(entityID: entityID, now: now)
        }
        let cached = cache[entityID]
        let url = url(for: entityID)
        do {
            requestCount += 1
            let outcome = try await fetcher.fetch(url, etag: cached?.etag, lastModified: cached?.lastModified, logger: logger)
            let now = clock()
            switch outcome {
            case .notModified:
                guard var entry = cached else { throw SAMLError(.metadataUnavailable, "\(url) answered 304 without a cached copy.") }
                entry.freshUntil = freshUntil(now: now, set: entry.set)
                entry.confirmedAt = now
                cache[entityID] = entry
                logger.debug("mdq not modified", metadata: ["entityID": "\(entityID)"])
                return try entry.set.identityProvider(entityID: entityID, now: now)
            case .document(let bytes, let etag, let lastModified, _):
                var policy = configuration.policy
                policy.now = now
                let set = try MetadataSet(metadata: bytes, signedBy: configuration.trustAnchors.isEmpty ? nil : configuration.trustAnchors,
                                          allowSHA1: configuration.allowSHA1,
                                          limits: .init(maximumBytes: configuration.maximumBytes, maximumDepth: configuration.maximumDepth),
                                          policy: policy)
                try configuration.checkFreshness(of: set, replacing: cached?.set, now: now, url: url)
                guard set.contains(entityID: entityID) else {
                    throw SAMLError(.entityNotFound, "The MDQ answer for \"\(entityID)\" describes \(set.entityIDs.prefix(3).joined(separator: ", ")) instead.")
                }
                let idp = try set.identityProvider(entityID: entityID, now: now)
                cache[entityID] = CacheEntry(set: set, etag: etag, lastModified: lastModified, freshUntil: freshUntil(now: now, set: set),
                                             confirmedAt: now)
                logger.info("mdq entity loaded", metadata: ["entityID": "\(entityID)", "verifiedBy": "\(set.verifiedBy?.sha256Fingerprint ?? "unchecked")"])
                return idp
            }
        } catch {
            let failure = (error as? SAMLError) ?? SAMLError(.metadataUnavailable, "Fetching \(url) failed: \(error).")
            let now = clock()
            let unconfirmedTooLong = configuration.maximumStaleness.map { limit in
                cached.map { now.timeIntervalSince($0.confirmedAt) > limit.timeInterval } ?? false
            } ?? false
            if let cached, !unconfirmedTooLong, cached.set.validUntil(ofEntity: entityID).map({ $0 > now }) ?? true,
               let idp = try? cached.set.identityProvider(entityID: entityID, now: now) {
                logger.warning("mdq refresh failed; using the cached copy", metadata: ["entityID": "\(entityID)", "reason": "\(failure.reason)"])
                return idp
            }
            logger.error("mdq lookup failed", metadata: ["entityID": "\(entityID)", "code": "\(failure.code)", "reason": "\(failure.reason)"])
            throw failure
        }
    }

    /// Drops every cached entity.
    public func clearCache() { cache.removeAll() }

    private func freshUntil(now: Date, set: MetadataSet) -> Date {
        var until = now.addingTimeInterval(configuration.refreshInterval(cacheDuration: set.cacheDuration).timeInterval)
        if let validUntil = set.validUntil { until = min(until, validUntil) }
        return until
    }
}
#endif
