public import Foundation
public import SAMLCore
import SAMLMetadata

/// An identity provider of the directory, checked and ready to use: its record, the IdP it
/// trusts, and this SP's keys for it.
public struct IdentityProviderEntry: Sendable {
    /// The record it was made from.
    public let record: IdentityProviderRecord
    /// The IdP with the per-IdP rules the façade applies.
    public let trusted: TrustedIdentityProvider
    /// The SP key that signs requests and metadata for this IdP (the active signing key), nil to
    /// use the façade's.
    public let signingKey: SAMLKeyPair?
    /// The SP keys that decrypt this IdP's assertions (active and next), empty to use the façade's.
    public let decryptionKeys: [SAMLKeyPair]
    /// The signing certificates this IdP's SP metadata publishes (active and next).
    public let publishedSigningCertificates: [SAMLCertificate]
    /// The encryption certificates this IdP's SP metadata publishes (active and next).
    public let publishedEncryptionCertificates: [SAMLCertificate]
    /// Why a stored record can no longer be used (for example its metadata expired), when it
    /// cannot; such an entry is listed, disabled, and refuses every login.
    public let problem: String?

    /// The ID used in URLs.
    public var id: String { record.id }
    /// The IdP's entity ID.
    public var entityID: String { trusted.entityID }
    /// Whether logins through it are accepted.
    public var isEnabled: Bool { record.enabled }
    /// The display name.
    public var name: String { record.name }

    /// An entry for an IdP configured in code (the façade's fixed list): its ID is its entity ID.
    public init(_ trusted: TrustedIdentityProvider, id: String? = nil, name: String? = nil) {
        var record = IdentityProviderRecord(id: id ?? trusted.entityID, name: name ?? trusted.entityID,
                                            allowsIdPInitiatedLogin: trusted.allowsIdPInitiatedLogin,
                                            attributeMapping: trusted.attributeMapping)
        record.entityID = trusted.entityID
        self.record = record
        self.trusted = trusted
        self.signingKey = nil
        self.decryptionKeys = []
        self.publishedSigningCertificates = []
        self.publishedEncryptionCertificates = []
        self.problem = nil
    }

    /// An entry for a stored record that no longer checks: listed for administrators, disabled,
    /// refusing every login with `problem`.
    public init(unusable record: IdentityProviderRecord, problem: any Error) {
        var record = record
        record.enabled = false
        self.record = record
        self.trusted = TrustedIdentityProvider(IdentityProvider(entityID: record.entityID, singleSignOnURL: nil, certificates: []))
        self.signingKey = nil
        self.decryptionKeys = []
        self.publishedSigningCertificates = []
        self.publishedEncryptionCertificates = []
        self.problem = "\(problem)"
    }

    /// Checks a record and builds its entry.
    ///
    /// Refuses, naming the field: an invalid `id`, an empty `name`, not exactly one source of
    /// settings, a certificate that does not parse, metadata that is expired or unusable, an
    /// endpoint that is neither `https:` nor `http:` on a loopback host, a key that does not load.
    ///
    /// - Parameters:
    ///   - record: the stored settings to check.
    ///   - now: the instant metadata validity is checked against.
    public init(record: IdentityProviderRecord, now: Date = Date()) throws(IdentityProviderInputError) {
        guard IdentityProviderRecord.isValidID(record.id) else {
            throw IdentityProviderInputError(field: "id", .invalidConfiguration,
                                             "The ID must be 1 to 64 lowercase letters, digits, '-', '_' or '.', starting with a letter or digit.")
        }
        guard !record.name.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw IdentityProviderInputError(field: "name", .invalidConfiguration, "The name is empty.")
        }
        let identityProvider = try Self.identityProvider(of: record, now: now)
        for origin in record.allowedReturnToOrigins {
            try Self.checkEndpoint(origin, field: "allowed_return_to_origins", what: "return-to origin")
        }
        var record = record
        record.entityID = identityProvider.entityID
        let keys = try Self.keys(of: record)
        self.record = record
        self.trusted = TrustedIdentityProvider(identityProvider, allowsIdPInitiatedLogin: record.allowsIdPInitiatedLogin,
                                               attributeMapping: record.attributeMapping)
        self.signingKey = keys.first { $0.record.use == .signing && $0.record.state == .active }?.pair
        self.decryptionKeys = keys.filter { $0.record.use == .encryption }.map(\.pair)
        self.publishedSigningCertificates = keys.filter { $0.record.use == .signing }.map(\.pair.certificate)
        self.publishedEncryptionCertificates = keys.filter { $0.record.use == .encryption }.map(\.pair.certificate)
        self.problem = nil
    }

    /// Whether the IdP's metadata has expired at `now` (its `validUntil` has passed).
    public func metadataExpired(at now: Date) -> Bool {
        trusted.identityProvider.validUntil.map { $0 <= now } ?? false
    }

    /// The earliest `notAfter` of the IdP's signing certificates, for an expiry warning.
    public var earliestCertificateExpiry: Date? {
        trusted.identityProvider.signingCertificates.map(\.notAfter).min()
    }

    // MARK: - Checks

    private static func identityProvider(of record: IdentityProviderRecord, now: Date) throws(IdentityProviderInputError) -> IdentityProvider {
        let sources = [record.configuration != nil, record.metadataURL != nil, record.metadataXML != nil && record.metadataURL == nil]
        guard sources.filter({ $0 }).count == 1 else {
            throw IdentityProviderInputError(field: "config", .invalidConfiguration,
                                             "Give the IdP's settings exactly one way: config (the JSON settings), metadata_xml or metadata_url.")
        }
        // https, or http on a loopback host
        let policy = MetadataPolicy(now: now)
        let identityProvider: IdentityProvider
        let field: String
        if let configuration = record.configuration {
            field = "config"
            guard (configuration.type ?? "saml").lowercased() == "saml" else {
                throw IdentityProviderInputError(field: "type", .invalidConfiguration, "The type is \"\(configuration.type ?? "")\", not \"saml\".")
            }
            let settings = configuration.config
            guard !settings.issuerURL.isEmpty else {
                throw IdentityProviderInputError(field: "config.issuer_url", .invalidConfiguration, "issuer_url is empty.")
            }
            var certificates: [SAMLCertificate] = []
            for (index, text) in settings.idpPublicCerts.enumerated() {
                do {
                    certificates += try SAMLCertificate.all(inPEM: text)
                } catch let error as SAMLError {
                    throw IdentityProviderInputError(field: "config.idp_public_certs[\(index)]", error)
                } catch {
                    throw IdentityProviderInputError(field: "config.idp_public_certs[\(index)]", .invalidCertificate, "\(error)")
                }
            }
            guard !certificates.isEmpty else {
                throw IdentityProviderInputError(field: "config.idp_public_certs", .invalidConfiguration,
                                                 "idp_public_certs is empty; at least one IdP signing certificate is required.")
            }
            guard let sso = settings.ssoTargetURL, !sso.isEmpty else {
                throw IdentityProviderInputError(field: "config.sso_target_url", .invalidConfiguration, "sso_target_url is missing.")
            }
            try checkEndpoint(sso, field: "config.sso_target_url", what: "single sign-on")
            var idp = IdentityProvider(entityID: settings.issuerURL, singleSignOnURL: sso, certificates: certificates,
                                       emailAttributeName: settings.emailAttributeName,
                                       wantsAuthnRequestsSigned: settings.signRequest ?? false)
            idp.attributeMapping = settings.attributes
            identityProvider = idp
        } else {
            field = record.metadataURL != nil ? "metadata_url" : "metadata_xml"
            guard let xml = record.metadataXML else {
                throw IdentityProviderInputError(field: field, .metadataUnavailable,
                                                 "The metadata at \(record.metadataURL ?? "") has not been fetched successfully yet.")
            }
            do {
                identityProvider = try IdentityProvider(metadata: xml, entityID: record.entityID.isEmpty ? nil : record.entityID,
                                                        limits: MetadataSet.defaultLimits, policy: policy)
            } catch let error as SAMLError {
                throw IdentityProviderInputError(field: field, error)
            } catch {
                throw IdentityProviderInputError(field: field, .invalidMetadata, "\(error)")
            }
        }
        for (index, certificate) in identityProvider.signingCertificates.enumerated() where certificate.notAfter <= now {
            throw IdentityProviderInputError(field: field == "config" ? "config.idp_public_certs[\(index)]" : field, .invalidCertificate,
                                             "The IdP signing certificate \(certificate.subject) expired at \(certificate.notAfter).")
        }
        return identityProvider
    }

    /// `https:` anywhere; `http:` only on a loopback host (a developer's IdP on this machine).
    static func checkEndpoint(_ location: String, field: String, what: String) throws(IdentityProviderInputError) {
        do {
            try MetadataPolicy.default.checkEndpoint(location, what: what)
        } catch let error as SAMLError {
            throw IdentityProviderInputError(field: field, error)
        } catch {
            throw IdentityProviderInputError(field: field, .unsafeEndpoint, "\(error)")
        }
    }

    private static func keys(of record: IdentityProviderRecord) throws(IdentityProviderInputError)
        -> [(record: ServiceProviderKeyRecord, pair: SAMLKeyPair)] {
        var result: [(record: ServiceProviderKeyRecord, pair: SAMLKeyPair)] = []
        for (index, key) in record.serviceProviderKeys.enumerated() {
            do {
                result.append((key, try SAMLKeyPair(privateKeyPEM: key.privateKeyPEM, certificatePEM: key.certificatePEM)))
            } catch let error as SAMLError {
                throw IdentityProviderInputError(field: "sp_keys[\(index)]", error)
            } catch {
                throw IdentityProviderInputError(field: "sp_keys[\(index)]", .invalidKey, "\(error)")
            }
        }
        for use in [ServiceProviderKeyRecord.Use.signing, .encryption] {
            for state in [ServiceProviderKeyRecord.State.active, .next]
            where result.filter({ $0.record.use == use && $0.record.state == state }).count > 1 {
                throw IdentityProviderInputError(field: "sp_keys", .invalidConfiguration, "There are several \(state.rawValue) \(use.rawValue) keys; keep one.")
            }
            if result.contains(where: { $0.record.use == use && $0.record.state == .next }),
               !result.contains(where: { $0.record.use == use && $0.record.state == .active }) {
                throw IdentityProviderInputError(field: "sp_keys", .invalidConfiguration, "A next \(use.rawValue) key needs an active one it will replace.")
            }
        }
        return result
    }
}
