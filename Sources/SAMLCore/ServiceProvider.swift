/// This service provider, as the IdP knows it.
///
/// Many integrations use the ACS URL as the entity ID too (AWS IAM Identity Center custom
/// applications do); ``init(acsURL:)`` covers that case.
public struct ServiceProvider: Sendable {
    /// The SP's entity ID: the audience assertions must name.
    public var entityID: String
    /// Where the IdP posts responses (the Assertion Consumer Service URL).
    public var acsURL: String
    /// Key and certificate that sign AuthnRequests and metadata, if requests are signed.
    public var signingKey: SAMLKeyPair?
    /// Keys that decrypt encrypted assertions, tried in order (rollover: current first).
    public var decryptionKeys: [SAMLKeyPair]

    /// Creates an SP description.
    public init(entityID: String, acsURL: String, signingKey: SAMLKeyPair? = nil, decryptionKeys: [SAMLKeyPair] = []) {
        self.entityID = entityID
        self.acsURL = acsURL
        self.signingKey = signingKey
        self.decryptionKeys = decryptionKeys
    }

    /// An SP whose entity ID is its ACS URL.
    public init(acsURL: String, signingKey: SAMLKeyPair? = nil, decryptionKeys: [SAMLKeyPair] = []) {
        self.init(entityID: acsURL, acsURL: acsURL, signingKey: signingKey, decryptionKeys: decryptionKeys)
    }
}
