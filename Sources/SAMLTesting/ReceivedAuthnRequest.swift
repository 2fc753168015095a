public import Foundation
public import SAMLCore

/// An AuthnRequest the test identity provider accepted, with what it asks for.
public struct ReceivedAuthnRequest: Sendable, Hashable, Codable {
    /// The request's ID (the response's `InResponseTo`).
    public let id: String
    /// The SP's entity ID (the request's Issuer).
    public let issuer: String
    /// The binding it arrived by.
    public let binding: SAMLBinding
    /// Where the response goes: the request's `AssertionConsumerServiceURL`, or the registered
    /// SP's first ACS URL when the request names none.
    public let acsURL: String
    /// The request's `Destination`, if any.
    public let destination: String?
    /// The request's `IssueInstant`.
    public let issueInstant: Date
    /// The RelayState that came with it, to be returned unchanged.
    public let relayState: String?
    /// The NameIDPolicy's Format, if any.
    public let nameIDFormat: NameIDFormat?
    /// `ForceAuthn`.
    public let forceAuthn: Bool
    /// `IsPassive`.
    public let isPassive: Bool
    /// Whether a signature (query-string or enveloped) was present and verified.
    public let signatureVerified: Bool
    /// The signature algorithm URI, when signed.
    public let signatureAlgorithm: String?
    /// The request XML as received (after inflating, for HTTP-Redirect).
    public let xml: String
}
