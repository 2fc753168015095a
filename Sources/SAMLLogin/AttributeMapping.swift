import SAMLCore
import SAMLVerification

/// Which SAML attributes carry the e-mail, names and groups an app shows and authorises with.
///
/// Each list is tried in order; an attribute is matched by its `Name` first, and by its
/// `FriendlyName` only when no attribute of any listed `Name` is present (so an attribute that
/// merely calls itself `email` cannot shadow the real one). The defaults cover AWS IAM Identity
/// Center (`Subject` = `${user:email}`, `name`, `givenName`, `surName`), Microsoft Entra ID's claim
/// URIs, Okta's and Google Workspace's usual names, and the LDAP/eduPerson OIDs.
public struct AttributeMapping: Sendable, Hashable, Codable {
    /// Attribute names that carry the e-mail address.
    public var email: [String]
    /// When the NameID stands in for a missing e-mail attribute. Default
    /// ``NameIDAsEmail/whenFormatIsEmailAddress``.
    public var nameIDAsEmail: NameIDAsEmail
    /// Attribute names that carry the display name.
    public var displayName: [String]
    /// Attribute names that carry the given (first) name.
    public var givenName: [String]
    /// Attribute names that carry the surname (family name).
    public var surname: [String]
    /// Attribute names that carry group memberships (every value of every listed attribute).
    public var groups: [String]

    /// Creates a mapping; every list defaults to the common names.
    public init(email: [String] = AttributeMapping.default.email, nameIDAsEmail: NameIDAsEmail = .whenFormatIsEmailAddress,
                displayName: [String] = AttributeMapping.default.displayName,
                givenName: [String] = AttributeMapping.default.givenName,
                surname: [String] = AttributeMapping.default.surname,
                groups: [String] = AttributeMapping.default.groups) {
        self.email = email
        self.nameIDAsEmail = nameIDAsEmail
        self.displayName = displayName
        self.givenName = givenName
        self.surname = surname
        self.groups = groups
    }

    private init(defaults: Void) {
        email = ["email", "mail", "emailAddress", "Email",
                 "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
                 "urn:oid:0.9.2342.19200300.100.1.3"]
        nameIDAsEmail = .whenFormatIsEmailAddress
        displayName = ["name", "displayName",
                       "http://schemas.microsoft.com/identity/claims/displayname",
                       "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name",
                       "urn:oid:2.16.840.1.113730.3.1.241"]
        givenName = ["givenName", "firstName", "given_name",
                     "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
                     "urn:oid:2.5.4.42"]
        surname = ["surName", "surname", "sn", "lastName", "familyName", "family_name",
                   "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
                   "urn:oid:2.5.4.4"]
        groups = ["groups", "memberOf", "Group",
                  "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups",
                  "http://schemas.xmlsoap.org/claims/Group",
                  "urn:oid:1.3.6.1.4.1.5923.1.5.1.1"]
    }

    /// The common names (see the type's documentation).
    public static let `default` = AttributeMapping(defaults: ())

    /// The mapping for an IdP whose configuration names its e-mail attribute: only that attribute
    /// carries the e-mail, and the NameID does not.
    public func withEmailAttribute(_ name: String) -> AttributeMapping {
        var copy = self
        copy.email = [name]
        copy.nameIDAsEmail = .never
        return copy
    }

    /// The first value of the first attribute in `names` that is present.
    func firstValue(_ names: [String], in attributes: [SAMLAttribute]) -> String? {
        allValues(names, in: attributes, firstOnly: true).first
    }

    /// Every value of the attributes in `names` (matched by Name, or else by FriendlyName).
    func allValues(_ names: [String], in attributes: [SAMLAttribute], firstOnly: Bool = false) -> [String] {
        var found: [String] = []
        for match in [{ (a: SAMLAttribute, n: String) in a.name == n }, { (a: SAMLAttribute, n: String) in a.friendlyName == n }] {
            for name in names {
                for attribute in attributes where match(attribute, name) {
                    let values = attribute.values.filter { !$0.isEmpty }
                    if firstOnly, let first = values.first { return [first] }
                    found += values
                }
            }
            if !found.isEmpty { return found }
        }
        return found
    }

    /// The e-mail of a verified assertion under this mapping.
    func email(of assertion: VerifiedAssertion) -> String? {
        if let value = firstValue(email, in: assertion.attributes) { return value }
        switch nameIDAsEmail {
        case .never: return nil
        case .whenFormatIsEmailAddress:
            return assertion.nameID.format == .emailAddress ? assertion.nameID.value : nil
        case .always: return assertion.nameID.value
        }
    }
}

/// When a NameID may stand in for the e-mail address.
public enum NameIDAsEmail: String, Sendable, Hashable, Codable {
    /// Never: only attributes carry the e-mail.
    case never
    /// Only when the NameID's format is `urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress`
    /// (AWS IAM Identity Center's `${user:email}` Subject, ADFS, Entra ID's e-mail NameID).
    case whenFormatIsEmailAddress
    /// Whatever its format: for IdPs you configured to put the e-mail in an unspecified-format
    /// NameID (Google Workspace's default "Unspecified" format, for instance).
    case always
}
