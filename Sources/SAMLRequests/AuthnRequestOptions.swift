public import SAMLCore

/// What the SP asks of the IdP in an `<samlp:AuthnRequest>`, and how the request travels.
public struct AuthnRequestOptions: Sendable {
    /// The `<samlp:NameIDPolicy>` to send, or nil to leave the choice to the IdP.
    public var nameIDPolicy: NameIDPolicy?
    /// Ask the IdP to authenticate the user again even with a live session (`ForceAuthn`).
    public var forceAuthn: Bool
    /// Ask the IdP not to interact with the user (`IsPassive`).
    public var isPassive: Bool
    /// The `<samlp:RequestedAuthnContext>` to send, if any.
    public var requestedAuthnContext: RequestedAuthnContext?
    /// A human-readable SP name for the IdP's pages (`ProviderName`).
    public var providerName: String?
    /// The RelayState to send along (the IdP returns it unchanged). At most 80 bytes, as the
    /// bindings specification requires, unless ``allowsLongRelayState`` is set.
    public var relayState: String?
    /// Accept a RelayState longer than 80 bytes (some IdPs do; the specification does not).
    public var allowsLongRelayState: Bool
    /// Sign the request when the SP has a signing key. Default true.
    public var signsRequest: Bool
    /// The signature algorithm; nil chooses RSA-SHA256 for RSA keys and ECDSA-SHA256 for EC keys.
    public var signatureAlgorithm: RequestSignatureAlgorithm?
    /// Put the signing certificate in the POST signature's `<ds:KeyInfo>`. Default true.
    public var includesCertificate: Bool

    /// Creates options; the defaults send a minimal request.
    public init(nameIDPolicy: NameIDPolicy? = nil, forceAuthn: Bool = false, isPassive: Bool = false,
                requestedAuthnContext: RequestedAuthnContext? = nil, providerName: String? = nil,
                relayState: String? = nil, allowsLongRelayState: Bool = false, signsRequest: Bool = true,
                signatureAlgorithm: RequestSignatureAlgorithm? = nil, includesCertificate: Bool = true) {
        self.nameIDPolicy = nameIDPolicy
        self.forceAuthn = forceAuthn
        self.isPassive = isPassive
        self.requestedAuthnContext = requestedAuthnContext
        self.providerName = providerName
        self.relayState = relayState
        self.allowsLongRelayState = allowsLongRelayState
        self.signsRequest = signsRequest
        self.signatureAlgorithm = signatureAlgorithm
        self.includesCertificate = includesCertificate
    }
}

/// The `<samlp:NameIDPolicy>` of a request.
public struct NameIDPolicy: Sendable, Hashable {
    /// The NameID format wanted, or nil for any.
    public var format: NameIDFormat?
    /// Whether the IdP may create a new identifier for the user (`AllowCreate`); nil omits it.
    public var allowCreate: Bool?

    /// Creates a policy.
    public init(format: NameIDFormat? = nil, allowCreate: Bool? = true) {
        self.format = format
        self.allowCreate = allowCreate
    }
}

/// The `<samlp:RequestedAuthnContext>` of a request.
public struct RequestedAuthnContext: Sendable, Hashable {
    /// How the IdP compares its authentication with the listed classes.
    public enum Comparison: String, Sendable, Hashable {
        /// One of the listed classes exactly.
        case exact
        /// At least as strong as one of them.
        case minimum
        /// At most as strong as one of them.
        case maximum
        /// Stronger than every one of them.
        case better
    }

    /// The comparison.
    public var comparison: Comparison
    /// Authentication context class references, e.g.
    /// `urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport`. At least one.
    public var classReferences: [String]

    /// Creates a requested context.
    public init(comparison: Comparison = .exact, classReferences: [String]) {
        self.comparison = comparison
        self.classReferences = classReferences
    }
}
