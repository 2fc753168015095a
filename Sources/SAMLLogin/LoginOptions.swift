public import SAMLCore
public import SAMLRequests

/// Per-login choices: how the request travels and what it asks of the IdP.
public struct LoginOptions: Sendable {
    /// HTTP-Redirect (default) or HTTP-POST.
    public var binding: SAMLBinding
    /// Make the IdP authenticate the user again (`ForceAuthn`); pair it with
    /// `VerificationPolicy.maximumAuthenticationAge` where that matters.
    public var forceAuthn: Bool
    /// Ask the IdP not to interact with the user (`IsPassive`).
    public var isPassive: Bool
    /// The authentication context to ask for (e.g. MFA classes).
    public var requestedAuthnContext: RequestedAuthnContext?
    /// The NameID policy to send, if any.
    public var nameIDPolicy: NameIDPolicy?
    /// Which of the configured ACS URLs the IdP should post to; nil takes the first.
    public var acsURL: String?
    /// A human-readable SP name for the IdP's pages.
    public var providerName: String?

    /// Creates options; the defaults send a minimal HTTP-Redirect request.
    public init(binding: SAMLBinding = .httpRedirect, forceAuthn: Bool = false, isPassive: Bool = false,
                requestedAuthnContext: RequestedAuthnContext? = nil, nameIDPolicy: NameIDPolicy? = nil,
                acsURL: String? = nil, providerName: String? = nil) {
        self.binding = binding
        self.forceAuthn = forceAuthn
        self.isPassive = isPassive
        self.requestedAuthnContext = requestedAuthnContext
        self.nameIDPolicy = nameIDPolicy
        self.acsURL = acsURL
        self.providerName = providerName
    }
}
