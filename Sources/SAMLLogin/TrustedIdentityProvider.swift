public import SAMLMetadata

/// An identity provider this SP accepts logins from, with the rules that are per IdP.
public struct TrustedIdentityProvider: Sendable {
    /// The IdP: entity ID, endpoints, signing certificates.
    public var identityProvider: IdentityProvider
    /// Accept IdP-initiated (unsolicited) logins from this IdP, e.g. from the AWS access portal.
    /// Their RelayState is then only a return-to candidate. Default false.
    public var allowsIdPInitiatedLogin: Bool
    /// Accept unsigned LogoutRequests and LogoutResponses from this IdP. Default false: anyone
    /// could otherwise end your users' sessions.
    public var allowsUnsignedLogoutMessages: Bool
    /// The attribute mapping for this IdP; nil uses the façade's, restricted to the IdP's
    /// configured e-mail attribute when it names one.
    public var attributeMapping: AttributeMapping?
    /// Accept an assertion encrypted with AES-CBC inside an unsigned Response from this IdP
    /// (`VerificationPolicy.refuseCBCInUnsignedResponse` off for it). Default false: an attacker
    /// could alter the ciphertext and learn from how it fails. Logged as a warning at start-up;
    /// prefer having the IdP sign its Responses (Entra ID: "Sign SAML response and assertion";
    /// AD FS: `Set-AdfsRelyingPartyTrust -SamlResponseSignature MessageAndAssertion`).
    public var allowsCBCInUnsignedResponse: Bool

    /// Creates the entry.
    public init(_ identityProvider: IdentityProvider, allowsIdPInitiatedLogin: Bool = false, attributeMapping: AttributeMapping? = nil,
                allowsUnsignedLogoutMessages: Bool = false, allowsCBCInUnsignedResponse: Bool = false) {
        self.allowsCBCInUnsignedResponse = allowsCBCInUnsignedResponse
        self.allowsUnsignedLogoutMessages = allowsUnsignedLogoutMessages
        self.identityProvider = identityProvider
        self.allowsIdPInitiatedLogin = allowsIdPInitiatedLogin
        self.attributeMapping = attributeMapping
    }

    /// The IdP's entity ID.
    public var entityID: String { identityProvider.entityID }
}
