public import Foundation
public import SAMLCore
import SAMLXMLSec

/// Everything this SP trusts about one identity provider: its entity ID, endpoints and keys.
///
/// Build it from the IdP's metadata (`init(metadata:entityID:limits:policy:)`), from signed
/// metadata with a certificate you obtained out of band
/// (``init(signedMetadata:signedBy:entityID:allowSHA1:limits:policy:)``), from an aggregate
/// loaded once (``MetadataSet``), or from the plain values admin dashboards show
/// (``init(entityID:singleSignOnURL:certificates:emailAttributeName:wantsAuthnRequestsSigned:)``).
///
/// Metadata is refused when its `validUntil` has passed, when two entities share an entityID,
/// and when a single sign-on or logout location is not an `https:` URL (see ``MetadataPolicy``).
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
    /// Whether AuthnRequests to this IdP are signed: the metadata's `WantAuthnRequestsSigned`, or
    /// the plain configuration's `sign_request` switch. The one name for this setting across the API.
    public var wantsAuthnRequestsSigned: Bool
    /// The metadata's `validUntil` (the earliest one on the entity or its ancestors).
    public var validUntil: Date?
    /// The metadata's `cacheDuration` (an `xs:duration` such as `PT1H`), as written.
    public var cacheDuration: String?
    /// The signature algorithm URIs the metadata lists (`alg:SigningMethod` of the SAML metadata
    /// algorithm support profile, on the entity or its IDPSSODescriptor), in document order; empty
    /// when it lists none.
    public var signingMethods: [String]
    /// Which attribute carries the user's e-mail, when configured (nil: the NameID does).
    public var emailAttributeName: String?
    /// The attributes passed on to the application, as application name → SAML attribute name
    /// (the dashboard configuration's `attributes`). Nil: no selection configured, every attribute
    /// is passed on. See ``applicationAttributes(from:)``.
    public var attributeMapping: [String: String]?

    /// Creates an IdP from plain values.
    ///
    /// - Parameters:
    ///   - entityID: the issuer (entity ID) the IdP puts in assertions.
    ///   - singleSignOnURL: where AuthnRequests go (HTTP-Redirect and HTTP-POST are both offered).
    ///   - certificates: the IdP's signing certificates (one or more, for rollover).
    ///   - emailAttributeName: the attribute carrying the e-mail, if not the NameID.
    ///   - wantsAuthnRequestsSigned: whether AuthnRequests to this IdP are signed.
    ///
    /// The SSO URL is not checked here; ``init(configuration:allowHTTPEndpoints:)`` and the
    /// metadata readers refuse locations that are not `https:`.
    public init(entityID: String, singleSignOnURL: String?, certificates: [SAMLCertificate],
                emailAttributeName: String? = nil, wantsAuthnRequestsSigned: Bool = false) {
        self.entityID = entityID
        self.singleSignOnServices = singleSignOnURL.map {
            [Endpoint(binding: .httpRedirect, location: $0), Endpoint(binding: .httpPost, location: $0)]
        } ?? []
        self.singleLogoutServices = []
        self.signingCertificates = certificates
        self.encryptionCertificates = []
        self.nameIDFormats = []
        self.wantsAuthnRequestsSigned = wantsAuthnRequestsSigned
        self.validUntil = nil
        self.cacheDuration = nil
        self.signingMethods = []
        self.emailAttributeName = emailAttributeName
        self.attributeMapping = nil
    }

    /// Creates an IdP from plain values (the earlier spelling of
    /// ``init(entityID:singleSignOnURL:certificates:emailAttributeName:wantsAuthnRequestsSigned:)``).
    @available(*, deprecated, renamed: "init(entityID:singleSignOnURL:certificates:emailAttributeName:wantsAuthnRequestsSigned:)")
    public init(entityID: String, singleSignOnURL: String?, certificates: [SAMLCertificate],
                emailAttributeName: String? = nil, signsRequests: Bool) {
        self.init(entityID: entityID, singleSignOnURL: singleSignOnURL, certificates: certificates,
                  emailAttributeName: emailAttributeName, wantsAuthnRequestsSigned: signsRequests)
    }

    /// Reads an IdP from metadata (`EntityDescriptor`, or `EntitiesDescriptor` with `entityID`
    /// choosing among several IdPs). A signature on the metadata is not checked here; use
    /// ``init(signedMetadata:signedBy:entityID:allowSHA1:limits:policy:)`` for that.
    ///
    /// - Throws: `metadataExpired` when the entity's `validUntil` is not after `policy.now`,
    ///   `duplicateEntityID`, `unsafeEndpoint`, `invalidMetadata`, `entityNotFound`.
    public init(metadata: some Collection<UInt8>, entityID: String? = nil, limits: XMLLimits = .default,
                policy: MetadataPolicy = .default) throws {
        let document = try XMLDocument.parse(Array(metadata), limits: limits)
        self = try MetadataReader.identityProvider(in: document, entityID: entityID, policy: policy)
    }

    /// Reads an IdP from metadata text.
    public init(metadata: String, entityID: String? = nil, limits: XMLLimits = .default,
                policy: MetadataPolicy = .default) throws {
        try self.init(metadata: Array(metadata.utf8), entityID: entityID, limits: limits, policy: policy)
    }

    /// Reads an IdP from metadata whose root carries an enveloped signature by one of
    /// `signers` (certificates you obtained out of band — never the one inside the document).
    public init(signedMetadata metadata: some Collection<UInt8>, signedBy signers: [SAMLCertificate],
                entityID: String? = nil, allowSHA1: Bool = false, limits: XMLLimits = .default,
                policy: MetadataPolicy = .default) throws {
        let document = try XMLDocument.parse(Array(metadata), limits: limits)
        guard let root = document.root else { throw SAMLError(.invalidMetadata, "The metadata is empty.") }
        try EnvelopedSignature.verify(root, trusted: signers, allowSHA1: allowSHA1, what: "metadata", allowWholeDocument: true)
        self = try MetadataReader.identityProvider(in: document, entityID: entityID, policy: policy)
    }

    /// The entity IDs of every IdP in a metadata document, in document order.
    public static func entityIDs(inMetadata metadata: some Collection<UInt8>, limits: XMLLimits = .default) throws -> [String] {
        let document = try XMLDocument.parse(Array(metadata), limits: limits)
        return try MetadataReader.idpEntities(in: document).map(\.entityID)
    }

    /// The attributes to pass on to the application: with an ``attributeMapping``, only the mapped
    /// SAML attributes, under their application names; without one, `attributes` unchanged.
    public func applicationAttributes(from attributes: [String: [String]]) -> [String: [String]] {
        guard let attributeMapping else { return attributes }
        var result: [String: [String]] = [:]
        for (applicationName, samlName) in attributeMapping {
            if let values = attributes[samlName] { result[applicationName] = values }
        }
        return result
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
