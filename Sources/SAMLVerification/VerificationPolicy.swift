public import SAMLCore
/// The rules a response must meet. The defaults are the secure choice; every relaxation is a
/// named switch a reviewer can find.
public struct VerificationPolicy: Sendable, Hashable {
    /// Tolerance applied to every time check in the message. Default 90 seconds.
    public var clockSkew: Double
    /// How old a Response or Assertion `IssueInstant` may be. Default 5 minutes.
    public var maximumMessageAge: Double
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
    /// Size and depth limits for the XML.
    public var limits: XMLLimits

    /// Creates a policy; every parameter defaults to the secure value.
    public init(clockSkew: Double = 90, maximumMessageAge: Double = 300, requireSignedAssertion: Bool = false,
                allowSHA1: Bool = false, allowUnsolicited: Bool = false, allowRSA15KeyTransport: Bool = false,
                detectReplay: Bool = true, limits: XMLLimits = .default) {
        self.clockSkew = clockSkew
        self.maximumMessageAge = maximumMessageAge
        self.requireSignedAssertion = requireSignedAssertion
        self.allowSHA1 = allowSHA1
        self.allowUnsolicited = allowUnsolicited
        self.allowRSA15KeyTransport = allowRSA15KeyTransport
        self.detectReplay = detectReplay
        self.limits = limits
    }

    /// The secure defaults.
    public static let `default` = VerificationPolicy()
}
