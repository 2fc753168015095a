public import Foundation
public import SAMLCore
import SAMLXMLSec

/// Everything this SP trusts about one identity provider: its entity ID, endpoints and keys.
///
/// Build it from the IdP's metadata (``init(metadata:entityID:limits:)``), from signed
/// metadata with a certificate you obtained out of band
/// (``init(signedMetadata:signedBy:entityID:limits:)``), or from the plain values admin
/// dashboards show (``init(entityID:singleSignOnURL:certificates:emailAttributeName:signsRequests:)``).
public struct IdentityProvider: Sendable {
    /// The IdP's entity ID; assertions must name it as their Issuer.
    public var entityID: String
    /// Single sign-on endpoints in metadata order (several per binding for failover).
    public var singleSignOnServices: [Endpoint]
    /// Single logout endpoints in metadata order.
    public var singleLogoutServices: [Endpoint]
    /// Certificates whose keys may sign responses and assertions (all trusted: rollover).
    public var signingCertificates: [SAMLCertificate]
    /// Certificates the IdP publishes for encryption (never trusted for signatures).
    public var encryptionCertificates: [SAMLCertificate]
    /// NameID formats the IdP supports (empty `<NameIDFormat/>` elements are skipped).
    public var nameIDFormats: [NameIDFormat]
    /// Whether the IdP wants signed AuthnRequests (`WantAuthnRequestsSigned`), or the plain
    /// configuration's "sign requests" switch.
    public var wantsAuthnRequestsSigned: Bool
    /// The metadata's `validUntil` (the earliest one on the entity or its ancestors).
    public var validUntil: Date?
    /// The metadata's `cacheDuration` (an `xs:duration` such as `PT1H`), as written.
    public var cacheDuration: String?
    /// Which attribute carries the user's e-mail, when configured (nil: the NameID does).
    public var emailAttributeName: String?

    /// Creates an IdP from plain values.
    ///
    /// - Parameters:
    ///   - entityID: the issuer (entity ID) the IdP puts in assertions.
    ///   - singleSignOnURL: where AuthnRequests go (HTTP-Redirect and HTTP-POST are both offered).
    ///   - certificates: the IdP's signing certificates (one or more, for rollover).
    ///   - emailAttributeName: the attribute carrying the e-mail, if not the NameID.
    ///   - signsRequests: whether this SP signs AuthnRequests to this IdP.
    public init(entityID: String, singleSignOnURL: String?, certificates: [SAMLCertificate],
                emailAttributeName: String? = nil, signsRequests: Bool = false) {
        self.entityID = entityID
        self.singleSignOnServices = singleSignOnURL.map {
            [Endpoint(binding: .httpRedirect, location: $0), Endpoint(binding: .httpPost, location: $0)]
        } ?? []
        self.singleLogoutServices = []
        self.signingCertificates = certificates
        self.encryptionCertificates = []
        self.nameIDFormats = []
        self.wantsAuthnRequestsSigned = signsRequests
        self.validUntil = nil
        self.cacheDuration = nil
        self.emailAttributeName = emailAttributeName
    }

    /// Reads an IdP from metadata (`EntityDescriptor`, or `EntitiesDescriptor` with `entityID`
    /// choosing among several IdPs). A signature on the metadata is not checked here; use
    /// ``init(signedMetadata:signedBy:entityID:limits:)`` for that.
    public init(metadata: some Collection<UInt8>, entityID: String? = nil, limits: XMLLimits = .default) throws {
        let document = try XMLDocument.parse(Array(metadata), limits: limits)
        self = try MetadataReader.identityProvider(in: document, entityID: entityID)
    }

    /// Reads an IdP from metadata text.
    public init(metadata: String, entityID: String? = nil, limits: XMLLimits = .default) throws {
        try self.init(metadata: Array(metadata.utf8), entityID: entityID, limits: limits)
    }

    /// Reads an IdP from metadata whose root carries an enveloped signature by one of
    /// `signers` (certificates you obtained out of band — never the one inside the document).
    public init(signedMetadata metadata: some Collection<UInt8>, signedBy signers: [SAMLCertificate],
                entityID: String? = nil, allowSHA1: Bool = false, limits: XMLLimits = .default) throws {
        let document = try XMLDocument.parse(Array(metadata), limits: limits)
        guard let root = document.root else { throw SAMLError(.invalidMetadata, "The metadata is empty.") }
        try EnvelopedSignature.verify(root, trusted: signers, allowSHA1: allowSHA1, what: "metadata", allowWholeDocument: true)
        self = try MetadataReader.identityProvider(in: document, entityID: entityID)
    }

    /// The entity IDs of every IdP in a metadata document, in document order.
    public static func entityIDs(inMetadata metadata: some Collection<UInt8>, limits: XMLLimits = .default) throws -> [String] {
        let document = try XMLDocument.parse(Array(metadata), limits: limits)
        return try MetadataReader.idpEntities(in: document).map(\.entityID)
    }

    /// Single sign-on endpoints for `binding`, in failover order.
    public func singleSignOnServices(for binding: SAMLBinding) -> [Endpoint] {
        singleSignOnServices.filter { $0.binding == binding }
    }

    /// Signing certificates that are outside their validity period at `date` (still trusted,
    /// as metadata practice has it, but worth a warning).
    public func expiredSigningCertificates(at date: Date = Date()) -> [SAMLCertificate] {
        signingCertificates.filter { $0.isExpired(at: date) }
    }
}
