/// This service provider, as the IdP knows it.
///
/// Many integrations use the ACS URL as the entity ID too (AWS IAM Identity Center custom
/// applications do); ``init(acsURL:signingKey:decryptionKeys:)`` covers that case.
public struct ServiceProvider: Sendable {
    /// The SP's entity ID: the audience assertions must name.
    public var entityID: String
    /// Where the IdP posts responses (the Assertion Consumer Service URL).
    public var acsURL: String
    /// Key and certificate that sign AuthnRequests and metadata, if requests are signed.
    public var signingKey: SAMLKeyPair?
    /// Private keys that decrypt encrypted assertions, identifiers and attributes, tried in
    /// order (rollover: publish the new certificate, add its key here, remove the old one later).
    public var decryptionKeys: [SAMLPrivateKey]

    /// Creates an SP description.
    public init(entityID: String, acsURL: String, signingKey: SAMLKeyPair? = nil, decryptionKeys: [SAMLPrivateKey] = []) {
        self.entityID = entityID
        self.acsURL = acsURL
        self.signingKey = signingKey
        self.decryptionKeys = decryptionKeys
    }

    /// An SP whose entity ID is its ACS URL.
    public init(acsURL: String, signingKey: SAMLKeyPair? = nil, decryptionKeys: [SAMLPrivateKey] = []) {
        self.init(entityID: acsURL, acsURL: acsURL, signingKey: signingKey, decryptionKeys: decryptionKeys)
    }
}
