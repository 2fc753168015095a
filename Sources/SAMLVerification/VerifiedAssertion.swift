public import Foundation
public import SAMLCore
/// `NameID` lives in SAMLCore (requests name users with it too); importing this module still provides it.
@_exported public import struct SAMLCore.NameID

/// One SAML attribute with all its values.
public struct SAMLAttribute: Sendable, Hashable, Codable {
    /// The attribute's Name.
    public var name: String
    /// Its FriendlyName, if any.
    public var friendlyName: String?
    /// Its NameFormat URN, if any.
    public var nameFormat: String?
    /// Its values, in order (text content of each AttributeValue).
    public var values: [String]

    /// Creates an attribute.
    public init(name: String, friendlyName: String? = nil, nameFormat: String? = nil, values: [String]) {
        self.name = name
        self.friendlyName = friendlyName
        self.nameFormat = nameFormat
        self.values = values
    }
}

/// What a verified response says about the user. Only ``ResponseVerifier`` creates one (its
/// reader, after every check passed), so holding a value proves verification ran.
///
/// Conveniences for common attribute names (``email``, ``displayName``, ``givenName``,
/// ``surname``) and for AWS (``awsRoles``) are in `Vendors/`.
public struct VerifiedAssertion: Sendable {
    /// The IdP's entity ID (the verified Issuer).
    public let issuer: String
    /// The subject's NameID.
    public let nameID: NameID
    /// The session index from the AuthnStatement, for logout.
    public let sessionIndex: String?
    /// When the user authenticated at the IdP.
    public let authnInstant: Date?
    /// How the user authenticated (AuthnContextClassRef).
    public let authnContextClassRef: String?
    /// When the IdP wants the SP session to end, if it says.
    public let sessionNotOnOrAfter: Date?
    /// Attributes in document order.
    public let attributes: [SAMLAttribute]
    /// The Assertion's ID (recorded by the replay check).
    public let assertionID: String
    /// The Response's ID.
    public let responseID: String
    /// The request this answers, or nil for an IdP-initiated response.
    public let inResponseTo: String?
    /// The end of the assertion's validity (Conditions NotOnOrAfter).
    public let notOnOrAfter: Date?
    /// Whether the Response element was signed (and verified).
    public let responseSigned: Bool
    /// Whether the Assertion element was signed (and verified).
    public let assertionSigned: Bool
    /// Whether the assertion arrived encrypted.
    public let wasEncrypted: Bool
    /// Which attribute carries the e-mail, from the IdP configuration.
    let emailAttributeName: String?
    /// Until when the replay store must remember this assertion.
    let acceptableUntil: Date

    init(issuer: String, nameID: NameID, sessionIndex: String?, authnInstant: Date?, authnContextClassRef: String?,
                 sessionNotOnOrAfter: Date?, attributes: [SAMLAttribute], assertionID: String, responseID: String,
                 inResponseTo: String?, notOnOrAfter: Date?, responseSigned: Bool, assertionSigned: Bool,
                 wasEncrypted: Bool, emailAttributeName: String?, acceptableUntil: Date) {
        self.issuer = issuer
        self.nameID = nameID
        self.sessionIndex = sessionIndex
        self.authnInstant = authnInstant
        self.authnContextClassRef = authnContextClassRef
        self.sessionNotOnOrAfter = sessionNotOnOrAfter
        self.attributes = attributes
        self.assertionID = assertionID
        self.responseID = responseID
        self.inResponseTo = inResponseTo
        self.notOnOrAfter = notOnOrAfter
        self.responseSigned = responseSigned
        self.assertionSigned = assertionSigned
        self.wasEncrypted = wasEncrypted
        self.emailAttributeName = emailAttributeName
        self.acceptableUntil = acceptableUntil
    }

    /// Every value of the attributes whose `Name` is `name`. `FriendlyName` is not matched: see
    /// ``values(ofFriendlyName:)``.
    public func values(of name: String) -> [String] {
        let length = name.utf8.count
        var found: [String] = []
        for attribute in attributes where attribute.name.utf8.count == length && attribute.name == name {
            found += attribute.values
        }
        return found
    }

    /// Every value of the attributes whose `FriendlyName` is `friendlyName`: a display hint the IdP
    /// does not vouch for as an identifier; prefer ``values(of:)`` with the attribute's `Name`.
    public func values(ofFriendlyName friendlyName: String) -> [String] {
        attributes.filter { $0.friendlyName == friendlyName }.flatMap(\.values)
    }

    /// The first value of `name`.
    public func value(of name: String) -> String? { values(of: name).first }

    /// Every attribute's values keyed by `Name`; attributes that repeat a `Name` are merged, in
    /// document order.
    public var valuesByName: [String: [String]] {
        var byName: [String: [String]] = [:]
        byName.reserveCapacity(attributes.count)
        for attribute in attributes { byName[attribute.name, default: []] += attribute.values }
        return byName
    }
}
