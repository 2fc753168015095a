#if HTTPMetadata
public import Foundation
public import SAMLCore

/// What a metadata source has done so far, for health checks and dashboards.
public struct MetadataSourceStatus: Sendable {
    /// The state of the copy the source hands out.
    public enum State: String, Sendable {
        /// No good copy has arrived yet.
        case empty
        /// A good copy is held and was confirmed by the last refresh.
        case current
        /// The last refresh failed; the previous good copy is still handed out until its `validUntil`
        /// or the staleness bound.
        case stale
        /// The good copy's `validUntil` has passed, or it went unconfirmed longer than the
        /// staleness bound: lookups fail closed.
        case expired
    }

    /// The state now.
    public var state: State
    /// When the last refresh attempt finished (successful or not).
    public var lastAttempt: Date?
    /// When the last refresh brought or confirmed (304) a good copy.
    public var lastSuccess: Date?
    /// Why the last refresh failed; nil after a success.
    public var lastError: SAMLError?
    /// The `validUntil` of the copy held (root), if any.
    public var validUntil: Date?
    /// When the next background refresh is due.
    public var nextRefresh: Date?
    /// The certificate that verified the copy held (nil when no trust anchor is configured).
    public var verifiedBy: SAMLCertificate?
    /// The number of entities in the copy held.
    public var entityCount: Int
}
#endif
