#if HTTPMetadata
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
    /// The clock and endpoint rules the metadata is read under (``MetadataPolicy/now`` is
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
    public init(trustAnchors: [SAMLCertificate] = [], allowSHA1: Bool = false, allowHTTP: Bool = false,
                policy: MetadataPolicy = .default, maximumBytes: Int = 100 << 20, maximumDepth: Int = 64,
                connectTimeout: Duration = .seconds(10), readTimeout: Duration = .seconds(30),
                totalTimeout: Duration = .seconds(120), maximumRedirects: Int = 3,
                minimumRefreshInterval: Duration = .seconds(300), maximumRefreshInterval: Duration = .seconds(86_400),
                defaultRefreshInterval: Duration = .seconds(3_600)) {
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
    }

    /// The interval until the next refresh after a good copy with `cacheDuration` arrived:
    /// the duration (or the default) clamped to the minimum and maximum.
    func refreshInterval(cacheDuration: String?) -> Duration {
        let wanted = cacheDuration.flatMap(XSDuration.seconds).map { Duration.seconds($0) } ?? defaultRefreshInterval
        return min(max(wanted, minimumRefreshInterval), maximumRefreshInterval)
    }

    /// The metadata parse limits (``MetadataSet/defaultLimits``) with this configuration's size and depth.
    var documentLimits: XMLLimits {
        var limits = MetadataSet.defaultLimits
        limits.maximumBytes = maximumBytes
        limits.maximumDepth = maximumDepth
        return limits
    }
}
#endif
