#if HTTPMetadata
import Foundation
public import SAMLCore
public import SAMLMetadata

/// How metadata is fetched, checked and refreshed. Every field has a documented default.
public struct MetadataFetchConfiguration: Sendable {
    /// Certificates (obtained out of band) one of which must have signed the metadata root.
    /// Empty: the signature is not checked — only acceptable when the transport is trusted.
    public var trustAnchors: [SAMLCertificate]
    /// Accept RSA-SHA1 / SHA-1 digests in the metadata signature (default false).
    public var allowSHA1: Bool
    /// Accept `http://` metadata URLs on any host (default false: `https://`, and `http://` on a loopback
    /// host such as `127.0.0.1` or `localhost`, only).
    public var allowHTTP: Bool
    /// The clock and endpoint rules the metadata is read under (`MetadataPolicy.now` is
    /// ignored: the source's clock is used).
    public var policy: MetadataPolicy
    /// Largest accepted body in bytes (default 100 MiB, enough for federation aggregates).
    public var maximumBytes: Int
    /// Deepest accepted element nesting (default 64).
    public var maximumDepth: Int
    /// Time allowed to establish a connection (default 10 s).
    public var connectTimeout: Duration
    /// Longest silence while reading the response (default 30 s).
    public var readTimeout: Duration
    /// Time allowed for a whole fetch, redirects and body included (default 120 s).
    public var totalTimeout: Duration
    /// Redirects followed per fetch (default 3); a redirect to another scheme is always refused.
    public var maximumRedirects: Int
    /// Shortest time between two refreshes, also the retry delay after a failure (default 5 min).
    public var minimumRefreshInterval: Duration
    /// Longest time between two refreshes (default 24 h).
    public var maximumRefreshInterval: Duration
    /// Refresh interval when the metadata names no `cacheDuration` (default 1 h, then clamped).
    public var defaultRefreshInterval: Duration
    /// When set, a document must carry a root `validUntil` no further than this ahead of now, or it
    /// is refused (`invalidMetadata`): an old signed copy then stops working on its own. Shibboleth
    /// calls this `RequiredValidUntil` / `maxValidityInterval`; 14 days suits most federations.
    /// Default nil: many single-IdP documents carry no `validUntil`.
    public var maximumValidityInterval: Duration?
    /// How long a copy is handed out after the last refresh that brought or confirmed it, when
    /// every refresh since has failed; past it lookups fail closed (`metadataExpired`), even for
    /// a copy without `validUntil`. Default 7 days; nil keeps a copy until its own `validUntil`.
    public var maximumStaleness: Duration?

    /// Creates a configuration.
    ///
    /// - Parameters:
    ///   - trustAnchors: certificates one of which must sign the metadata (empty: no signature check).
    ///   - allowSHA1: accept SHA-1 in the metadata signature.
    ///   - allowHTTP: accept `http://` URLs on hosts other than loopback.
    ///   - policy: the endpoint rules for the IdPs read.
    ///   - maximumBytes: body size limit.
    ///   - maximumDepth: XML nesting limit.
    ///   - connectTimeout: connection timeout.
    ///   - readTimeout: read inactivity timeout.
    ///   - totalTimeout: limit for a whole fetch.
    ///   - maximumRedirects: redirects followed (same scheme only).
    ///   - minimumRefreshInterval: lower bound of the refresh interval, and the retry delay.
    ///   - maximumRefreshInterval: upper bound of the refresh interval.
    ///   - defaultRefreshInterval: interval used when the metadata has no `cacheDuration`.
    ///   - maximumValidityInterval: when set, `validUntil` is required and may lie at most this far ahead.
    ///   - maximumStaleness: how long a copy outlives failed refreshes (nil: until its `validUntil`).
    public init(trustAnchors: [SAMLCertificate] = [], allowSHA1: Bool = false, allowHTTP: Bool = false,
                policy: MetadataPolicy = .default, maximumBytes: Int = 100 << 20, maximumDepth: Int = 64,
                connectTimeout: Duration = .seconds(10), readTimeout: Duration = .seconds(30),
                totalTimeout: Duration = .seconds(120), maximumRedirects: Int = 3,
                minimumRefreshInterval: Duration = .seconds(300), maximumRefreshInterval: Duration = .seconds(86_400),
                defaultRefreshInterval: Duration = .seconds(3_600), maximumValidityInterval: Duration? = nil,
                maximumStaleness: Duration? = .seconds(7 * 86_400)) {
        self.trustAnchors = trustAnchors
        self.allowSHA1 = allowSHA1
        self.allowHTTP = allowHTTP
        self.policy = policy
        self.maximumBytes = maximumBytes
        self.maximumDepth = maximumDepth
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
        self.totalTimeout = totalTimeout
        self.maximumRedirects = maximumRedirects
        self.minimumRefreshInterval = minimumRefreshInterval
        self.maximumRefreshInterval = maximumRefreshInterval
        self.defaultRefreshInterval = defaultRefreshInterval
        self.maximumValidityInterval = maximumValidityInterval
        self.maximumStaleness = maximumStaleness
    }

    /// The interval until the next refresh after a good copy with `cacheDuration` arrived:
    /// the duration (or the default) clamped to the minimum and maximum. The document's number is
    /// clamped as a floating value before it becomes a `Duration`; one that is not a finite
    /// `xs:duration` counts as absent.
    func refreshInterval(cacheDuration: String?) -> Duration {
        let bounds = minimumRefreshInterval...max(minimumRefreshInterval, maximumRefreshInterval)
        if let seconds = cacheDuration.flatMap(XSDuration.seconds), let wanted = Duration.clamping(seconds: seconds, to: bounds) {
            return wanted
        }
        return min(max(defaultRefreshInterval, bounds.lowerBound), bounds.upperBound)
    }

    /// Refuses a newly fetched document that breaks the freshness rules: a `validUntil` missing or
    /// too far ahead (``maximumValidityInterval``), or a document older than the copy held (by
    /// `mdrpi:PublicationInfo` `creationInstant` when both carry one, else by `validUntil`).
    func checkFreshness(of set: MetadataSet, replacing held: MetadataSet?, now: Date, url: String) throws {
        if let interval = maximumValidityInterval {
            guard let until = set.validUntil else {
                throw SAMLError(.invalidMetadata, "The metadata from \(url) has no validUntil; this configuration requires one at most \(interval) ahead (maximumValidityInterval).")
            }
            guard until.timeIntervalSince(now) <= interval.timeInterval else {
                throw SAMLError(.invalidMetadata, "The metadata from \(url) is valid until \(SAMLTime.format(until)), further ahead than the \(interval) allowed (maximumValidityInterval); ask its publisher for a shorter validUntil or raise the limit.")
            }
        }
        guard let held else { return }
        if let published = set.publishedAt, let heldPublished = held.publishedAt {
            guard published >= heldPublished else {
                throw SAMLError(.invalidMetadata, "The metadata from \(url) was published at \(SAMLTime.format(published)), before the copy held (\(SAMLTime.format(heldPublished))); an older copy never replaces a newer one.")
            }
        } else if let until = set.validUntil, let heldUntil = held.validUntil, until < heldUntil {
            throw SAMLError(.invalidMetadata, "The metadata from \(url) is valid until \(SAMLTime.format(until)), earlier than the copy held (\(SAMLTime.format(heldUntil))): an older copy never replaces a newer one. If the publisher shortened validUntil on purpose, restart to load it.")
        }
    }

    /// The metadata parse limits scaled to this configuration's size (`XMLLimits.metadata(maximumBytes:)`),
    /// with its depth.
    var documentLimits: XMLLimits {
        var limits = XMLLimits.metadata(maximumBytes: maximumBytes)
        limits.maximumDepth = maximumDepth
        return limits
    }
}
#endif
