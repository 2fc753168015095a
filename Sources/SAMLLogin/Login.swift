public import Foundation
import SAMLCore
public import SAMLVerification
import SAMLMetadata

/// A finished, verified login: who the user is, what the IdP said about them, and where to send
/// them. `Codable`, so an app can put it straight into its session store.
///
/// Only ``SAMLServiceProvider/finishLogin(samlResponse:relayState:browserState:now:diagnostics:)`` creates one
/// from a response that passed every check.
public struct Login: Sendable, Hashable, Codable {
    /// The IdP that authenticated the user (the verified Issuer).
    public let issuer: String
    /// The subject's NameID, exactly as received (keep it for single logout).
    public let nameID: NameID
    /// Who the user is, scoped to the IdP that said so: the issuer with the NameID's value, format
    /// and qualifiers. **Key accounts by this** (or by ``Subject/accountKey``), never by e-mail or
    /// another attribute: two IdPs can each assert the same e-mail, and one IdP may reassign it.
    public var subject: Subject { Subject(issuer: issuer, nameID: nameID) }
    /// The e-mail address, per the attribute mapping.
    public let email: String?
    /// The display name, per the attribute mapping.
    public let displayName: String?
    /// The given name, per the attribute mapping.
    public let givenName: String?
    /// The surname, per the attribute mapping.
    public let surname: String?
    /// Group memberships, per the attribute mapping.
    public let groups: [String]
    /// Every attribute, in document order.
    public let attributes: [SAMLAttribute]
    /// The attributes the application receives, by name: every attribute (Name → values) unless
    /// the IdP's configuration selects and renames some (the dashboard JSON's `attributes`).
    public let applicationAttributes: [String: [String]]
    /// The IdP's session index (for single logout).
    public let sessionIndex: String?
    /// When the app's session must end: the IdP's `SessionNotOnOrAfter`, capped by
    /// ``SAMLServiceProvider/Configuration/maximumSessionLifetime``.
    public let sessionExpiresAt: Date
    /// How the user authenticated (`AuthnContextClassRef`).
    public let authnContextClassRef: String?
    /// When the user authenticated at the IdP.
    public let authnInstant: Date?
    /// AWS role/provider pairs (`https://aws.amazon.com/SAML/Attributes/Role`).
    public let awsRoles: [AWSRole]
    /// AWS `RoleSessionName`.
    public let awsRoleSessionName: String?
    /// AWS `SessionDuration`, in seconds.
    public let awsSessionDuration: Int?
    /// Where to send the browser now: a validated relative path or allow-listed URL.
    public let returnTo: String
    /// Whether the login answered a request this SP sent (false: IdP-initiated).
    public let wasRequested: Bool
    /// The Assertion's ID.
    public let assertionID: String
    /// The Response's ID.
    public let responseID: String

    init(assertion: VerifiedAssertion, identityProvider: IdentityProvider, mapping: AttributeMapping, returnTo: String,
         sessionExpiresAt: Date) {
        issuer = assertion.issuer
        nameID = assertion.nameID
        email = mapping.email(of: assertion)
        displayName = mapping.firstValue(mapping.displayName, in: assertion.attributes)
        givenName = mapping.firstValue(mapping.givenName, in: assertion.attributes)
        surname = mapping.firstValue(mapping.surname, in: assertion.attributes)
        groups = mapping.allValues(mapping.groups, in: assertion.attributes)
        attributes = assertion.attributes
        applicationAttributes = identityProvider.applicationAttributes(from: assertion.valuesByName)
        sessionIndex = assertion.sessionIndex
        self.sessionExpiresAt = sessionExpiresAt
        authnContextClassRef = assertion.authnContextClassRef
        authnInstant = assertion.authnInstant
        awsRoles = assertion.awsRoles
        awsRoleSessionName = assertion.awsRoleSessionName
        awsSessionDuration = assertion.awsSessionDuration
        self.returnTo = returnTo
        wasRequested = assertion.inResponseTo != nil
        assertionID = assertion.assertionID
        responseID = assertion.responseID
    }

    /// Every value of the attributes whose `Name` is `name`. `FriendlyName` is not matched: see
    /// ``values(ofFriendlyName:)``.
    public func values(of name: String) -> [String] {
        attributes.filter { $0.name == name }.flatMap(\.values)
    }

    /// Every value of the attributes whose `FriendlyName` is `friendlyName`: a display hint the IdP
    /// does not vouch for as an identifier; prefer ``values(of:)`` with the attribute's `Name`.
    public func values(ofFriendlyName friendlyName: String) -> [String] {
        attributes.filter { $0.friendlyName == friendlyName }.flatMap(\.values)
    }

    /// The first value of `name`.
    public func value(of name: String) -> String? { values(of: name).first }
}

extension Login {
    /// A user's identity as one IdP asserted it: the verified issuer, and the NameID's value,
    /// format and qualifiers. Two subjects are the same account only when all of these agree.
    public struct Subject: Sendable, Hashable, Codable {
        /// The IdP's entity ID (the verified Issuer).
        public let issuer: String
        /// The NameID's value.
        public let value: String
        /// The NameID's Format, if stated.
        public let format: String?
        /// The NameID's NameQualifier, if stated.
        public let nameQualifier: String?
        /// The NameID's SPNameQualifier, if stated.
        public let spNameQualifier: String?

        /// The subject of `nameID` as asserted by `issuer`.
        public init(issuer: String, nameID: NameID) {
            self.issuer = issuer
            value = nameID.value
            format = nameID.format?.rawValue
            nameQualifier = nameID.nameQualifier
            spNameQualifier = nameID.spNameQualifier
        }

        /// One string for a database column: each part length-prefixed, so no choice of values
        /// makes two different subjects read alike.
        public var accountKey: String {
            [issuer, format ?? "", nameQualifier ?? "", spNameQualifier ?? "", value].map { "\($0.utf8.count):\($0)" }.joined(separator: "|")
        }
    }
}
