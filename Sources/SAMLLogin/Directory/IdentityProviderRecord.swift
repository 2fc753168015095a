public import Foundation
public import SAMLMetadata

/// One identity provider of an ``IdentityProviderDirectory`` as it is stored and exchanged as
/// JSON: a relying-party trust an administrator adds, changes, disables and removes while the
/// service runs. ``IdentityProviderEntry`` is its checked, ready-to-use form.
///
/// The IdP's own settings come from exactly one of: ``configuration`` (the dashboard JSON shape
/// `{"name", "type": "saml", "config": {"issuer_url", "sso_target_url", "idp_public_certs", …}}`),
/// ``metadataXML`` (an uploaded metadata document), or ``metadataURL`` (metadata fetched and
/// refreshed; the last good copy is kept in ``metadataXML`` and the refresh state in ``metadataStatus``).
public struct IdentityProviderRecord: Sendable, Codable, Hashable {
    /// The ID used in URLs (`/saml/login?idp={id}`, `/saml/metadata/{id}`): 1–64 of `a-z 0-9 - _ .`.
    public var id: String
    /// The name shown to users and administrators.
    public var name: String
    /// Whether logins through this IdP are accepted. A disabled IdP's responses and sessions are
    /// refused with `identityProviderDisabled`.
    public var enabled: Bool
    /// The IdP's settings in the dashboard JSON shape, when given that way.
    public var configuration: IdentityProviderConfiguration?
    /// The IdP's metadata document: uploaded, or the last good copy fetched from ``metadataURL``.
    public var metadataXML: String?
    /// Where the IdP's metadata is fetched from and refreshed, when given that way.
    public var metadataURL: String?
    /// The IdP's entity ID, as read from its settings (filled in by the directory).
    public var entityID: String
    /// Accept IdP-initiated logins from this IdP. Default false.
    public var allowsIdPInitiatedLogin: Bool
    /// Origins (`https://host[:port]`) a login through this IdP may return to, besides the
    /// application's own paths and the façade's allowed origins.
    public var allowedReturnToOrigins: [String]
    /// Which attributes carry e-mail, names and groups for this IdP; nil uses the façade's.
    public var attributeMapping: AttributeMapping?
    /// This SP's own signing and encryption keys for this IdP; empty uses the façade's keys.
    public var serviceProviderKeys: [ServiceProviderKeyRecord]
    /// How the last metadata refresh went, for an IdP configured by ``metadataURL``.
    public var metadataStatus: MetadataRefreshStatus?
    /// Counts changes; the directory sets it.
    public var revision: Int64
    /// When the record last changed; the directory sets it.
    public var updatedAt: Date

    /// Creates a record; exactly one of `configuration`, `metadataXML` and `metadataURL` is
    /// normally given (``IdentityProviderEntry`` refuses anything else).
    public init(id: String, name: String, enabled: Bool = true, configuration: IdentityProviderConfiguration? = nil,
                metadataXML: String? = nil, metadataURL: String? = nil, allowsIdPInitiatedLogin: Bool = false,
                allowedReturnToOrigins: [String] = [], attributeMapping: AttributeMapping? = nil,
                serviceProviderKeys: [ServiceProviderKeyRecord] = []) {
        self.id = id
        self.name = name
        self.enabled = enabled
        self.configuration = configuration
        self.metadataXML = metadataXML
        self.metadataURL = metadataURL
        self.entityID = configuration?.config.issuerURL ?? ""
        self.allowsIdPInitiatedLogin = allowsIdPInitiatedLogin
        self.allowedReturnToOrigins = allowedReturnToOrigins
        self.attributeMapping = attributeMapping
        self.serviceProviderKeys = serviceProviderKeys
        self.metadataStatus = nil
        self.revision = 0
        self.updatedAt = Date(timeIntervalSince1970: 0)
    }

    enum CodingKeys: String, CodingKey {
        case id, name, enabled, configuration, metadataXML = "metadata_xml", metadataURL = "metadata_url"
        case entityID = "entity_id", allowsIdPInitiatedLogin = "allow_idp_initiated"
        case allowedReturnToOrigins = "allowed_return_to_origins", attributeMapping = "attribute_mapping"
        case serviceProviderKeys = "sp_keys", metadataStatus = "metadata_status", revision, updatedAt = "updated_at"
    }

    /// Decodes a stored record; absent optional fields take their defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        name = try c.decode(String.self, forKey: .name)
        enabled = try c.decodeIfPresent(Bool.self, forKey: .enabled) ?? true
        configuration = try c.decodeIfPresent(IdentityProviderConfiguration.self, forKey: .configuration)
        metadataXML = try c.decodeIfPresent(String.self, forKey: .metadataXML)
        metadataURL = try c.decodeIfPresent(String.self, forKey: .metadataURL)
        entityID = try c.decodeIfPresent(String.self, forKey: .entityID) ?? ""
        allowsIdPInitiatedLogin = try c.decodeIfPresent(Bool.self, forKey: .allowsIdPInitiatedLogin) ?? false
        allowedReturnToOrigins = try c.decodeIfPresent([String].self, forKey: .allowedReturnToOrigins) ?? []
        attributeMapping = try c.decodeIfPresent(AttributeMapping.self, forKey: .attributeMapping)
        serviceProviderKeys = try c.decodeIfPresent([ServiceProviderKeyRecord].self, forKey: .serviceProviderKeys) ?? []
        metadataStatus = try c.decodeIfPresent(MetadataRefreshStatus.self, forKey: .metadataStatus)
        revision = try c.decodeIfPresent(Int64.self, forKey: .revision) ?? 0
        updatedAt = try c.decodeIfPresent(Date.self, forKey: .updatedAt) ?? Date(timeIntervalSince1970: 0)
    }

    /// The record as stored (JSON, dates as seconds since 1970). Private keys are included: keep
    /// the store as private as the keys themselves.
    public func storedJSON() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .secondsSince1970
        return try encoder.encode(self)
    }

    /// Reads a record written by ``storedJSON()``.
    public init(storedJSON: Data) throws {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        self = try decoder.decode(Self.self, from: storedJSON)
    }

    /// Whether `id` is a valid directory ID: 1–64 of lowercase letters, digits, `-`, `_` and `.`,
    /// starting with a letter or digit.
    public static func isValidID(_ id: String) -> Bool {
        let bytes = Array(id.utf8)
        guard (1...64).contains(bytes.count), let first = bytes.first, Self.isAlphanumeric(first) else { return false }
        return bytes.allSatisfy { Self.isAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") }
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}

/// How refreshing an IdP's metadata from its URL went.
public struct MetadataRefreshStatus: Sendable, Codable, Hashable {
    /// `fresh` (the last refresh succeeded), `stale` (the last one failed; the last good copy is
    /// used until it expires) or `failed` (no good copy).
    public var state: String
    /// When a refresh was last tried.
    public var lastAttempt: Date?
    /// When a refresh last succeeded.
    public var lastSuccess: Date?
    /// The last failure's code, when the last refresh failed.
    public var lastErrorCode: String?
    /// The last failure's reason, when the last refresh failed.
    public var lastError: String?
    /// The held metadata's `validUntil`, if it has one.
    public var validUntil: Date?

    /// Creates a status.
    public init(state: String, lastAttempt: Date? = nil, lastSuccess: Date? = nil, lastErrorCode: String? = nil,
                lastError: String? = nil, validUntil: Date? = nil) {
        self.state = state
        self.lastAttempt = lastAttempt
        self.lastSuccess = lastSuccess
        self.lastErrorCode = lastErrorCode
        self.lastError = lastError
        self.validUntil = validUntil
    }

    enum CodingKeys: String, CodingKey {
        case state, lastAttempt = "last_attempt", lastSuccess = "last_success", lastErrorCode = "last_error_code"
        case lastError = "last_error", validUntil = "valid_until"
    }
}
