public import Foundation
import SAMLCore

/// A SAML NameID.
public struct NameID: Sendable, Hashable, Codable {
    /// The identifier's full text.
    public var value: String
    /// Its Format URN, if stated.
    public var format: String?
    /// NameQualifier, if stated.
    public var nameQualifier: String?
    /// SPNameQualifier, if stated.
    public var spNameQualifier: String?

    /// Creates a NameID.
    public init(value: String, format: String? = nil, nameQualifier: String? = nil, spNameQualifier: String? = nil) {
        self.value = value
        self.format = format
        self.nameQualifier = nameQualifier
        self.spNameQualifier = spNameQualifier
    }
}

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

/// An AWS role the IdP lets the user assume (`https://aws.amazon.com/SAML/Attributes/Role`).
public struct AWSRole: Sendable, Hashable, Codable {
    /// `arn:aws:iam::<account>:role/<name>`
    public var roleARN: String
    /// `arn:aws:iam::<account>:saml-provider/<name>`
    public var providerARN: String

    /// Parses a `role,provider` or `provider,role` value.
    public init?(attributeValue: String) {
        let parts = attributeValue.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2 else { return nil }
        let isRole: (String) -> Bool = { $0.hasPrefix("arn:") && $0.contains(":role/") }
        let isProvider: (String) -> Bool = { $0.hasPrefix("arn:") && $0.contains(":saml-provider/") }
        if isRole(parts[0]), isProvider(parts[1]) {
            roleARN = parts[0]; providerARN = parts[1]
        } else if isProvider(parts[0]), isRole(parts[1]) {
            roleARN = parts[1]; providerARN = parts[0]
        } else {
            return nil
        }
    }
}

/// What a verified response says about the user. Only ``ResponseVerifier`` creates one, so
/// holding a value proves every check passed.
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

    package init(issuer: String, nameID: NameID, sessionIndex: String?, authnInstant: Date?, authnContextClassRef: String?,
                 sessionNotOnOrAfter: Date?, attributes: [SAMLAttribute], assertionID: String, responseID: String,
                 inResponseTo: String?, notOnOrAfter: Date?, responseSigned: Bool, assertionSigned: Bool,
                 wasEncrypted: Bool, emailAttributeName: String?) {
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
    }

    /// Every value of the attributes whose Name or FriendlyName is `name`.
    public func values(of name: String) -> [String] {
        attributes.filter { $0.name == name || $0.friendlyName == name }.flatMap(\.values)
    }

    /// The first value of `name`.
    public func value(of name: String) -> String? { values(of: name).first }

    /// The user's e-mail: the configured e-mail attribute if the IdP configuration names one;
    /// otherwise the NameID when it is an e-mail, else a common e-mail attribute.
    public var email: String? {
        if let emailAttributeName { return value(of: emailAttributeName) }
        if nameID.format == NameIDFormat.emailAddress.rawValue || nameID.value.contains("@") { return nameID.value }
        for name in ["email", "mail", "emailAddress", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
                     "urn:oid:0.9.2342.19200300.100.1.3"] {
            if let value = value(of: name) { return value }
        }
        return nil
    }

    /// The display name (`name`, or the WS-Federation name claim).
    public var displayName: String? {
        value(of: "name") ?? value(of: "displayName") ?? value(of: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name")
    }

    /// The given name (`givenName`, `firstName` or the claim URI).
    public var givenName: String? {
        value(of: "givenName") ?? value(of: "firstName") ?? value(of: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname")
    }

    /// The surname (`surName`, `surname`, `sn`, `lastName` or the claim URI).
    public var surName: String? {
        value(of: "surName") ?? value(of: "surname") ?? value(of: "sn") ?? value(of: "lastName")
            ?? value(of: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname")
    }

    /// The AWS role/provider pairs (values in either order; malformed ones are skipped).
    public var awsRoles: [AWSRole] {
        values(of: "https://aws.amazon.com/SAML/Attributes/Role").compactMap(AWSRole.init(attributeValue:))
    }

    /// AWS `RoleSessionName`.
    public var awsRoleSessionName: String? { value(of: "https://aws.amazon.com/SAML/Attributes/RoleSessionName") }

    /// AWS `SessionDuration` in seconds.
    public var awsSessionDuration: Int? {
        value(of: "https://aws.amazon.com/SAML/Attributes/SessionDuration").flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    }
}
