import Foundation
public import SAMLCore

/// An IdP's `<samlp:LogoutRequest>` that passed every check: end these sessions.
public struct VerifiedLogoutRequest: Sendable, Hashable {
    /// The request's ID (the LogoutResponse's `InResponseTo`).
    public let id: String
    /// The IdP (the verified Issuer).
    public let issuer: String
    /// The user whose sessions end.
    public let nameID: NameID
    /// The IdP session indexes to end; empty means every session of the user.
    public let sessionIndexes: [String]
    /// The RelayState received, to return unchanged.
    public let relayState: String?
    /// The binding the request arrived by.
    public let binding: SAMLBinding
    /// Whether it was signed (false only when unsigned requests are allowed for this IdP).
    public let wasSigned: Bool
}

/// An IdP's `<samlp:LogoutResponse>` to this SP's LogoutRequest that passed every check.
public struct VerifiedLogoutResponse: Sendable, Hashable {
    /// The response's ID.
    public let id: String
    /// The IdP (the verified Issuer).
    public let issuer: String
    /// The LogoutRequest it answers.
    public let inResponseTo: String
    /// Whether the IdP ended only some of the sessions (`PartialLogout`).
    public let isPartial: Bool
    /// The RelayState received.
    public let relayState: String?
}
