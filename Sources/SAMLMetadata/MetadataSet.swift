public import Foundation
public import SAMLCore
import SAMLXMLSec

/// A metadata document — one `EntityDescriptor` or an `EntitiesDescriptor` aggregate of any size —
/// read once: its signature checked once over the whole document, then every entity indexed by
/// entityID, so looking one up costs a dictionary access.
///
/// Certificates are decoded on an IdP's first lookup (and kept), so loading a federation feed
/// does not pay for thousands of certificates nobody asks for.
///
/// Loading refuses the whole document when its signature does not verify with a trusted
/// certificate (when certificates are given), when its root `validUntil` has passed, or when two
/// entities share an entityID. Problems confined to one entity (no signing key, an unsafe endpoint,
/// an unreadable certificate, its own `validUntil` passed) are reported when that entity is looked up.
public struct MetadataSet: Sendable {
    /// What the set knows about one entity.
    struct Entry: Sendable {
        var validUntil: Date?
        var cacheDuration: String?
        /// The IdP read from the entity (certificates still encoded), or why it could not be
        /// read; nil for entities without a SAML 2.0 IDPSSODescriptor.
        var identityProvider: Result<MetadataReader.PendingIdentityProvider, SAMLError>?
    }

    /// IdPs whose certificates have been decoded, filled on first lookup (shared by copies of the set).
    final class ResolvedCache: @unchecked Sendable {
        private let lock = NSLock()
        private var resolved: [String: Result<IdentityProvider, SAMLError>] = [:]

        func value(for entityID: String, _ make: () -> Result<IdentityProvider, SAMLError>) -> Result<IdentityProvider, SAMLError> {
            lock.lock()
            let hit = resolved[entityID]
            lock.unlock()
            if let hit { return hit }
            let made = make()
            lock.lock()
            resolved[entityID] = made
            lock.unlock()
            return made
        }
    }

    /// The default limits for metadata documents: `XMLLimits.metadata`, 100 MiB with the totals scaled
    /// to it, enough for federation aggregates. (SAML protocol messages keep their own, much smaller limits.)
    public static let defaultLimits = XMLLimits.metadata

    /// Every entityID in the document, in document order.
    public let entityIDs: [String]
    /// The entityIDs of the entities with a SAML 2.0 IDPSSODescriptor, in document order.
    public let identityProviderIDs: [String]
    /// The root element's `validUntil`, if any.
    public let validUntil: Date?
    /// The root element's `cacheDuration` (an `xs:duration`), as written.
    public let cacheDuration: String?
    /// When the document was published: the root's `mdrpi:PublicationInfo` `creationInstant`
    /// (SAML V2.0 Metadata Extensions for Registration and Publication Information), if any.
    public let publishedAt: Date?
    /// Whether the root is an `EntitiesDescriptor` (an aggregate).
    public let isAggregate: Bool
    /// The trusted certificate whose key verified the document's signature; nil when no
    /// certificates were given, so the signature (if any) was not checked.
    public let verifiedBy: SAMLCertificate?
    /// The policy the set was read under (its clock is used again by lookups without `now`).
    public let policy: MetadataPolicy
    private let entries: [String: Entry]
    private let cache = ResolvedCache()

    /// The number of entities (of every role) in the document.
    public var entityCount: Int { entityIDs.count }

    /// Reads a metadata document.
    ///
    /// - Parameters:
    ///   - metadata: the document's bytes.
    ///   - signers: trusted certificates (obtained out of band). When given, the root must carry an
    ///     enveloped signature by one of them; when nil, no signature is checked.
    ///   - allowSHA1: accept RSA-SHA1 / SHA-1 digests in the metadata signature.
    ///   - limits: size and shape limits (default ``defaultLimits``: `XMLLimits.metadata`, 100 MiB).
    ///   - policy: the clock for `validUntil` and the accepted endpoint schemes.
    /// - Throws: `tooLarge`, `malformedXML`, `invalidMetadata`, signature errors, `metadataExpired`,
    ///   `duplicateEntityID`.
    public init(metadata: some Collection<UInt8>, signedBy signers: [SAMLCertificate]? = nil, allowSHA1: Bool = false,
                limits: XMLLimits = MetadataSet.defaultLimits, policy: MetadataPolicy = .default) throws {
        let document = try XMLDocument.parse(Array(metadata), limits: limits)
        try self.init(document: document, signedBy: signers, allowSHA1: allowSHA1, policy: policy)
    }

    /// Reads a metadata document from a file, parsing it block by block as it is read: the same
    /// checks and errors as ``init(metadata:signedBy:allowSHA1:limits:policy:)`` on the file's bytes,
    /// without holding its text in memory besides the parsed tree (a federation aggregate is 50–100 MB).
    ///
    /// - Parameters:
    ///   - path: the file's path.
    ///   - signers: trusted certificates (obtained out of band). When given, the root must carry an
    ///     enveloped signature by one of them; when nil, no signature is checked.
    ///   - allowSHA1: accept RSA-SHA1 / SHA-1 digests in the metadata signature.
    ///   - limits: size and shape limits (default ``defaultLimits``: `XMLLimits.metadata`, 100 MiB).
    ///   - policy: the clock for `validUntil` and the accepted endpoint schemes.
    /// - Throws: `invalidConfiguration` when the file cannot be read, else as
    ///   ``init(metadata:signedBy:allowSHA1:limits:policy:)``.
    public init(contentsOfFile path: String, signedBy signers: [SAMLCertificate]? = nil, allowSHA1: Bool = false,
                limits: XMLLimits = MetadataSet.defaultLimits, policy: MetadataPolicy = .default) throws {
        let document = try XMLDocument.parse(contentsOfFile: path, limits: limits)
        try self.init(document: document, signedBy: signers, allowSHA1: allowSHA1, policy: policy)
    }

    /// Reads a parsed metadata document (see ``init(metadata:signedBy:allowSHA1:limits:policy:)``).
    package init(document: XMLDocument, signedBy signers: [SAMLCertificate]?, allowSHA1: Bool, policy: MetadataPolicy) throws {
        guard let root = document.root else { throw SAMLError(.invalidMetadata, "The metadata is empty.") }
        if let signers {
            verifiedBy = try EnvelopedSignature.verify(root, trusted: signers, allowSHA1: allowSHA1, what: "metadata", allowWholeDocument: true)
        } else {
            verifiedBy = nil
        }
        let entities = try MetadataReader.entities(in: document)
        let rootValidUntil = try root.attribute("validUntil").map { text in
            guard let date = SAMLTime.parse(text) else {
                throw SAMLError(.invalidMetadata, "validUntil \"\(text)\" is not an xs:dateTime.")
            }
            return date
        }
        try MetadataReader.checkValidity(rootValidUntil, now: policy.currentDate, what: "this document")
        var entries: [String: Entry] = [:]
        entries.reserveCapacity(entities.count)
        var idpIDs: [String] = []
        for entity in entities {
            var entry = Entry(validUntil: entity.validUntil, cacheDuration: entity.cacheDuration, identityProvider: nil)
            if entity.idpDescriptor != nil {
                idpIDs.append(entity.entityID)
                do {
                    let pending = try MetadataReader.readPending(entity, policy: policy)
                    entry.validUntil = pending.base.validUntil
                    entry.identityProvider = .success(pending)
                } catch let error as SAMLError {
                    entry.identityProvider = .failure(error)
                }
            }
            entries[entity.entityID] = entry
        }
        self.entityIDs = entities.map(\.entityID)
        self.identityProviderIDs = idpIDs
        self.validUntil = rootValidUntil
        self.cacheDuration = root.attribute("cacheDuration")
        self.publishedAt = try root.child("Extensions", NS.metadata)?
            .child("PublicationInfo", "urn:oasis:names:tc:SAML:metadata:rpi")?.attribute("creationInstant").map { text in
                guard let date = SAMLTime.parse(text) else {
                    throw SAMLError(.invalidMetadata, "The PublicationInfo creationInstant \"\(text.prefix(64))\" is not an xs:dateTime.")
                }
                return date
            }
        self.isAggregate = root.is("EntitiesDescriptor", NS.metadata)
        self.policy = policy
        self.entries = entries
    }

    /// Whether an entity with `entityID` (of any role) is in the document.
    public func contains(entityID: String) -> Bool { entries[entityID] != nil }

    /// The effective `validUntil` of an entity (the earliest on it or its ancestors).
    public func validUntil(ofEntity entityID: String) -> Date? { entries[entityID]?.validUntil }

    /// The IdP with `entityID`.
    ///
    /// - Parameters:
    ///   - entityID: the IdP's entity ID.
    ///   - now: the instant its `validUntil` is checked against (default: the set's policy clock).
    /// - Throws: `entityNotFound`, `invalidMetadata` (no IdP role), `metadataExpired`, or the error
    ///   that reading the entity produced (`unsafeEndpoint`, `invalidCertificate`…).
    public func identityProvider(entityID: String, now: Date? = nil) throws -> IdentityProvider {
        guard let entry = entries[entityID] else {
            throw SAMLError(.entityNotFound, "No entity \"\(entityID)\" in the metadata (\(entityIDs.count) entities).")
        }
        guard let result = entry.identityProvider else {
            throw SAMLError(.invalidMetadata, "The entity \"\(entityID)\" has no SAML 2.0 IDPSSODescriptor.")
        }
        let idp = try cache.value(for: entityID) {
            Result { try result.get().resolve() }.mapError { ($0 as? SAMLError) ?? SAMLError(.invalidMetadata, "\($0)") }
        }.get()
        try MetadataReader.checkValidity(idp.validUntil, now: now ?? policy.currentDate, what: "\"\(entityID)\"")
        return idp
    }

    /// The only IdP of the document.
    ///
    /// - Throws: `entityNotFound` when the document holds several IdPs, `invalidMetadata` when none.
    public func soleIdentityProvider(now: Date? = nil) throws -> IdentityProvider {
        guard identityProviderIDs.count == 1 else {
            if identityProviderIDs.isEmpty {
                throw SAMLError(.invalidMetadata, "The metadata describes no SAML 2.0 identity provider (no IDPSSODescriptor).")
            }
            let shown = identityProviderIDs.prefix(20).joined(separator: ", ")
            throw SAMLError(.entityNotFound, "The metadata describes \(identityProviderIDs.count) identity providers; choose one by entity ID: \(shown)\(identityProviderIDs.count > 20 ? ", …" : "").")
        }
        return try identityProvider(entityID: identityProviderIDs[0], now: now)
    }
}
