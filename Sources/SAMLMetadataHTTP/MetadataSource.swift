#if HTTPMetadata
public import Foundation
public import Logging
import SAMLCore
public import SAMLMetadata
import SAMLXMLSec

/// IdP metadata fetched from a URL and kept current: verified against the configured trust
/// anchors, refreshed in the background as `cacheDuration` (clamped) says, revalidated with
/// ETag / If-Modified-Since, and kept through failed refreshes until the good copy's own
/// `validUntil` or the configured ``MetadataFetchConfiguration/maximumStaleness``, whichever comes
/// first — after which lookups fail closed. A fetched copy older than the one held never replaces
/// it, and ``MetadataFetchConfiguration/maximumValidityInterval`` bounds how far ahead its
/// `validUntil` may lie.
///
/// ```swift
/// let source = MetadataSource(url: "https://idp.example.org/metadata",
///                             configuration: .init(trustAnchors: [anchor]), logger: logger)
/// try await source.refresh()                    // first copy, or throws
/// let refresher = Task { await source.run() }   // background refresh until cancelled
/// let idp = try await source.identityProvider() // the current IdP, keys included
/// ```
///
/// Every transition is logged at `info` (success, 304) or `warning`/`error` (failures, expiry),
/// and ``status`` reports the last refresh time and error.
public actor MetadataSource {
    /// The metadata URL.
    public nonisolated let url: String
    /// Which IdP of the document ``identityProvider()`` returns (nil: the only one).
    public nonisolated let entityID: String?
    /// The configuration.
    public nonisolated let configuration: MetadataFetchConfiguration
    private let logger: Logger
    private let clock: @Sendable () -> Date
    private let fetcher: MetadataFetcher

    private var current: MetadataSet?
    private var etag: String?
    private var lastModified: String?
    private var lastAttempt: Date?
    private var lastSuccess: Date?
    private var lastError: SAMLError?
    private var nextRefresh: Date?
    private var wasExpired = false

    /// Creates a source; nothing is fetched until ``refresh()`` or ``run()``.
    ///
    /// - Parameters:
    ///   - url: the metadata URL (`https://`; `http://` on a loopback host, elsewhere only with
    ///     ``MetadataFetchConfiguration/allowHTTP``).
    ///   - entityID: the IdP to hand out when the document holds several.
    ///   - configuration: trust anchors, limits, timeouts and refresh bounds.
    ///   - logger: where transitions are logged (default: nowhere).
    ///   - clock: the current time, for `validUntil` and scheduling (tests inject one).
    public init(url: String, entityID: String? = nil, configuration: MetadataFetchConfiguration = .init(),
                logger: Logger = Logger(label: "saml.metadata", factory: { _ in SwiftLogNoOpLogHandler() }),
                clock: @escaping @Sendable () -> Date = { Date() }) {
        self.url = url
        self.entityID = entityID
        self.configuration = configuration
        self.logger = logger
        self.clock = clock
        self.fetcher = MetadataFetcher(configuration: configuration)
    }

    /// What the source has done so far.
    public var status: MetadataSourceStatus {
        let now = clock()
        let state: MetadataSourceStatus.State
        if let current {
            if expiry(of: current, now: now) != nil { state = .expired } else { state = lastError == nil ? .current : .stale }
        } else {
            state = .empty
        }
        return MetadataSourceStatus(state: state, lastAttempt: lastAttempt, lastSuccess: lastSuccess, lastError: lastError,
                                    validUntil: current?.validUntil, nextRefresh: nextRefresh,
                                    verifiedBy: current?.verifiedBy, entityCount: current?.entityCount ?? 0)
    }

    /// The current IdP (the one named by ``entityID``, or the document's only IdP).
    ///
    /// - Throws: `metadataUnavailable` before any good copy arrived (with the last error's reason),
    ///   `metadataExpired` once the good copy's `validUntil` has passed or it has gone unconfirmed
    ///   longer than ``MetadataFetchConfiguration/maximumStaleness``, or the entity's own error.
    public func identityProvider() throws -> IdentityProvider {
        let set = try currentSet()
        if let entityID { return try set.identityProvider(entityID: entityID, now: clock()) }
        return try set.soleIdentityProvider(now: clock())
    }

    /// The current IdP with `entityID` (for aggregates).
    public func identityProvider(entityID: String) throws -> IdentityProvider {
        try currentSet().identityProvider(entityID: entityID, now: clock())
    }

    /// The good copy held, unless it has expired.
    public func currentSet() throws -> MetadataSet {
        let now = clock()
        guard let current else {
            throw SAMLError(.metadataUnavailable, "No metadata from \(url) yet\(lastError.map { ": \($0.reason)" } ?? ".")")
        }
        if let reason = expiry(of: current, now: now) {
            if !wasExpired {
                wasExpired = true
                logger.error("metadata expired; failing closed", metadata: ["url": "\(url)", "reason": "\(reason)"])
            }
            throw SAMLError(.metadataExpired, "The last good metadata from \(url) \(reason) and no valid copy replaced it\(lastError.map { " (last refresh: \($0.reason))" } ?? "").")
        }
        return current
    }

    /// Why the copy held may no longer be handed out at `now`, or nil while it may: its
    /// `validUntil` passed, or no refresh confirmed it for longer than the staleness bound.
    private func expiry(of set: MetadataSet, now: Date) -> String? {
        if let until = set.validUntil, until <= now { return "expired at \(SAMLTime.format(until))" }
        if let limit = configuration.maximumStaleness, let confirmed = lastSuccess, now.timeIntervalSince(confirmed) > limit.timeInterval {
            return "was last confirmed at \(SAMLTime.format(confirmed)), longer ago than the \(limit) allowed (maximumStaleness)"
        }
        return nil
    }

    /// Fetches now. On success the new copy replaces the old one (key rollover takes effect for the
    /// next ``identityProvider()``); on a 304 the copy held is confirmed; on failure the copy held
    /// is kept (until its `validUntil`) and the error is recorded, logged and thrown.
    @discardableResult
    public func refresh() async throws -> MetadataSourceStatus {
        do {
            let limits = configuration.documentLimits
            let outcome = try await fetcher.fetch(url, etag: current == nil ? nil : etag,
                                                  lastModified: current == nil ? nil : lastModified, logger: logger) { try ParsedBody(limits: limits) }
            let now = clock()
            switch outcome {
            case .notModified:
                guard let current else { throw SAMLError(.metadataUnavailable, "\(url) answered 304 without a copy held.") }
                if let until = current.validUntil, until <= now {
                    throw SAMLError(.metadataExpired, "\(url) answered 304 Not Modified, but the copy held expired at \(SAMLTime.format(until)).")
                }
                logger.info("metadata not modified", metadata: ["url": "\(url)"])
                lastSuccess = now
                nextRefresh = schedule(after: now, set: current)
            case .document(let parsed, let newETag, let newLastModified, _):
                var policy = configuration.policy
                policy.now = now
                let set = try MetadataSet(document: parsed.document, signedBy: configuration.trustAnchors.isEmpty ? nil : configuration.trustAnchors,
                                          allowSHA1: configuration.allowSHA1, policy: policy)
                try configuration.checkFreshness(of: set, replacing: current, now: now, url: url)
                // a copy whose chosen IdP cannot be used never replaces a good one
                if entityID != nil || !set.isAggregate {
                    _ = try chosen(in: set)
                }
                let previousKeys = current.flatMap { try? chosen(in: $0) }?.signingCertificates.map(\.sha256Fingerprint)
                current = set
                etag = newETag
                lastModified = newLastModified
                lastSuccess = now
                wasExpired = false
                nextRefresh = schedule(after: now, set: set)
                let newKeys = (try? chosen(in: set))?.signingCertificates.map(\.sha256Fingerprint)
                logger.info("metadata loaded", metadata: [
                    "url": "\(url)", "bytes": "\(parsed.byteCount)", "entities": "\(set.entityCount)",
                    "verifiedBy": "\(set.verifiedBy?.sha256Fingerprint ?? "unchecked")",
                    "validUntil": "\(set.validUntil.map { "\($0)" } ?? "none")",
                ])
                if let previousKeys, let newKeys, previousKeys != newKeys {
                    logger.notice("IdP signing keys changed", metadata: ["url": "\(url)", "keys": "\(newKeys.joined(separator: ","))"])
                }
            }
            lastError = nil
            lastAttempt = clock()
            return status
        } catch {
            let failure = (error as? SAMLError) ?? SAMLError(.metadataUnavailable, "Fetching \(url) failed: \(error).")
            let now = clock()
            lastError = failure
            lastAttempt = now
            nextRefresh = now.addingTimeInterval(configuration.minimumRefreshInterval.timeInterval)
            if let current, expiry(of: current, now: now) == nil {
                logger.warning("metadata refresh failed; keeping the last good copy", metadata: [
                    "url": "\(url)", "code": "\(failure.code)", "reason": "\(failure.reason)",
                    "keptUntil": "\(current.validUntil.map { "\($0)" } ?? "no validUntil")",
                ])
            } else {
                logger.error("metadata refresh failed; no valid copy", metadata: ["url": "\(url)", "code": "\(failure.code)", "reason": "\(failure.reason)"])
            }
            throw failure
        }
    }

    /// Refreshes in the background until the task is cancelled: right away when no copy is held,
    /// then at the interval `cacheDuration` asks for (clamped to the configured bounds, and never
    /// after the copy's `validUntil`), retrying failures after the minimum interval.
    public func run() async {
        logger.info("metadata refresh started", metadata: ["url": "\(url)"])
        while !Task.isCancelled {
            let now = clock()
            let due = nextRefresh ?? now
            if due > now {
                let wait = min(due.timeIntervalSince(now), configuration.maximumRefreshInterval.timeInterval)
                do { try await Task.sleep(for: .milliseconds(Int64(wait * 1000))) } catch { break }
                continue
            }
            _ = try? await refresh()
        }
        logger.info("metadata refresh stopped", metadata: ["url": "\(url)"])
    }

    private func chosen(in set: MetadataSet) throws -> IdentityProvider {
        if let entityID { return try set.identityProvider(entityID: entityID) }
        return try set.soleIdentityProvider()
    }

    private func schedule(after now: Date, set: MetadataSet) -> Date {
        var next = now.addingTimeInterval(configuration.refreshInterval(cacheDuration: set.cacheDuration).timeInterval)
        if let until = set.validUntil {
            // refresh before the copy expires (half the remaining time, at least the minimum interval)
            let halfway = now.addingTimeInterval(max(until.timeIntervalSince(now) / 2, configuration.minimumRefreshInterval.timeInterval))
            next = min(next, halfway)
        }
        return next
    }
}
#endif
