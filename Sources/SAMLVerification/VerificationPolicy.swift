public import SAMLCore

/// The rules a response must meet. The defaults are the secure choice; every relaxation is a
/// named switch a reviewer can find.
///
/// ``default`` is exactly:
/// - ``clockSkew``: 90 seconds
/// - ``maximumMessageAge``: 5 minutes (300 seconds)
/// - ``requireSignedAssertion``: false (a signed Response around an unsigned Assertion is accepted)
/// - ``allowSHA1``: false
/// - ``allowUnsolicited``: false
/// - ``allowRSA15KeyTransport``: false
/// - ``detectReplay``: true
/// - ``requiredAuthnContext``: nil (any authentication context)
/// - ``maximumAuthenticationAge``: nil (no limit on AuthnInstant's age)
/// - ``allowInclusiveCanonicalization``: false (exclusive c14n only)
/// - ``refuseCBCInUnsignedResponse``: true (AES-CBC refused in an unsigned Response)
/// - ``unsafeRevealDecryptionFailures``: false (diagnostics never tell decryption failures apart)
/// - ``limits``: `XMLLimits/default` (1 MiB, depth 64)
public struct VerificationPolicy: Sendable, Hashable {
    /// Tolerance applied to every time check in the message. Default 90 seconds.
    public var clockSkew: Duration
    /// How old a Response or Assertion `IssueInstant` may be. Default 5 minutes.
    public var maximumMessageAge: Duration
    /// Require the Assertion itself to be signed, not only the enclosing Response. Default false.
    public var requireSignedAssertion: Bool
    /// Accept RSA-SHA1 signatures and SHA-1 digests (some old IdP apps still send them). Default false.
    public var allowSHA1: Bool
    /// Accept IdP-initiated (unsolicited) responses, which then must carry no InResponseTo. Default false.
    public var allowUnsolicited: Bool
    /// Accept RSA PKCS#1 v1.5 key transport in encrypted assertions (padding-oracle risk). Default false.
    public var allowRSA15KeyTransport: Bool
    /// Record each assertion ID in the replay store and refuse a second use. Default true.
    public var detectReplay: Bool
    /// The acceptable `AuthnContextClassRef` values (for multi-factor or step-up login); any
    /// other, or none, is refused with `authnContextNotAccepted`. Default nil: any context.
    public var requiredAuthnContext: Set<String>?
    /// How long ago the user may have authenticated at the IdP (`AuthnInstant`), for
    /// applications that send `ForceAuthn`; older is refused with `authenticationTooOld`.
    /// Default nil: no limit.
    public var maximumAuthenticationAge: Duration?
    /// Accept inclusive canonicalization (c14n 1.0 and 1.1, with or without comments) in
    /// signatures. Its cost grows with the namespace declarations in scope, which an unsigned
    /// message controls, so only exclusive c14n — what SAML IdPs use — is accepted by default.
    public var allowInclusiveCanonicalization: Bool
    /// Refuse an AES-CBC `EncryptedAssertion` inside an unsigned Response. CBC without an
    /// outer signature lets an attacker alter the ciphertext and watch how it fails (the XML
    /// Encryption CBC attack): every such failure reads the same (`decryptionFailed`, one
    /// message, no detail in diagnostics or logs), and invalid padding is scanned and parsed as
    /// valid padding is, but a plaintext that parses goes on to the signature check, which takes
    /// longer — whether it parsed shows in the time taken. Default true. Turn it off (for one IdP:
    /// `TrustedIdentityProvider.allowsCBCInUnsignedResponse`) only for an IdP that cannot sign
    /// its Responses; better, ask it to: in Entra ID set the signing option to "Sign SAML
    /// response and assertion"; in AD FS run
    /// `Set-AdfsRelyingPartyTrust -TargetName <name> -SamlResponseSignature MessageAndAssertion`.
    public var refuseCBCInUnsignedResponse: Bool
    /// Put the precise reason a decryption failed (unwrap, padding, parsing, the decrypted
    /// Assertion's signature) into diagnostics and debug logs even in an unsigned Response.
    /// **Unsafe**: whoever sees the diagnostics — a test page, a log reader — gets a decryption
    /// oracle. For debugging an IdP on a machine no one else can post to. Default false.
    public var unsafeRevealDecryptionFailures: Bool
    /// Size and depth limits for the XML, applied to the message and to decrypted content.
    /// Default `XMLLimits/default`.
    public var limits: XMLLimits

    /// Creates a policy; every parameter defaults to the secure value listed on the type.
    public init(clockSkew: Duration = .seconds(90), maximumMessageAge: Duration = .seconds(300), requireSignedAssertion: Bool = false,
                allowSHA1: Bool = false, allowUnsolicited: Bool = false, allowRSA15KeyTransport: Bool = false,
                detectReplay: Bool = true, requiredAuthnContext: Set<String>? = nil, maximumAuthenticationAge: Duration? = nil,
                allowInclusiveCanonicalization: Bool = false, refuseCBCInUnsignedResponse: Bool = true,
                limits: XMLLimits = .default, unsafeRevealDecryptionFailures: Bool = false) {
        self.clockSkew = clockSkew
        self.maximumMessageAge = maximumMessageAge
        self.requireSignedAssertion = requireSignedAssertion
        self.allowSHA1 = allowSHA1
        self.allowUnsolicited = allowUnsolicited
        self.allowRSA15KeyTransport = allowRSA15KeyTransport
        self.detectReplay = detectReplay
        self.requiredAuthnContext = requiredAuthnContext
        self.maximumAuthenticationAge = maximumAuthenticationAge
        self.allowInclusiveCanonicalization = allowInclusiveCanonicalization
        self.refuseCBCInUnsignedResponse = refuseCBCInUnsignedResponse
        self.unsafeRevealDecryptionFailures = unsafeRevealDecryptionFailures
        self.limits = limits
    }

    /// The secure defaults, as listed on the type.
    public static let `default` = VerificationPolicy()
}
