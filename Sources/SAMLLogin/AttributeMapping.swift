import SAMLCore
import SAMLVerification

/// Which SAML attributes carry the e-mail, names and groups an app shows and authorises with.
///
/// Each list is tried in order and an attribute is matched by its `Name`. `FriendlyName` is a
/// display hint that the IdP does not vouch for as an identifier, so it is matched only when
/// ``matchesFriendlyName`` is on, and then only when no attribute of any listed `Name` is present
/// (an attribute that merely calls itself `email` never shadows the real one). The defaults cover AWS IAM Identity
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
    /// Whether an attribute may also be found by its `FriendlyName` when no attribute has a listed
    /// `Name`. Off by default: turn it on only for an IdP whose attribute names you cannot change
    /// and whose `FriendlyName`s you have checked.
    public var matchesFriendlyName: Bool

    /// Creates a mapping; every list defaults to the common names.
    public init(email: [String] = AttributeMapping.default.email, nameIDAsEmail: NameIDAsEmail = .whenFormatIsEmailAddress,
                displayName: [String] = AttributeMapping.default.displayName,
                givenName: [String] = AttributeMapping.default.givenName,
                surname: [String] = AttributeMapping.default.surname,
                groups: [String] = AttributeMapping.default.groups, matchesFriendlyName: Bool = false) {
        self.email = email
        self.nameIDAsEmail = nameIDAsEmail
        self.displayName = displayName
        self.givenName = givenName
        self.surname = surname
        self.groups = groups
        self.matchesFriendlyName = matchesFriendlyName
    }

    private enum CodingKeys: String, CodingKey {
        case email, nameIDAsEmail, displayName, givenName, surname, groups, matchesFriendlyName
    }

    /// Reads a mapping; a missing field takes its default (mappings stored before a field existed
    /// still load, and `matchesFriendlyName` stays off unless it is written).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = AttributeMapping.default
        email = try container.decodeIfPresent([String].self, forKey: .email) ?? defaults.email
        nameIDAsEmail = try container.decodeIfPresent(NameIDAsEmail.self, forKey: .nameIDAsEmail) ?? defaults.nameIDAsEmail
        displayName = try container.decodeIfPresent([String].self, forKey: .displayName) ?? defaults.displayName
        givenName = try container.decodeIfPresent([String].self, forKey: .givenName) ?? defaults.givenName
        surname = try container.decodeIfPresent([String].self, forKey: .surname) ?? defaults.surname
        groups = try container.decodeIfPresent([String].self, forKey: .groups) ?? defaults.groups
        matchesFriendlyName = try container.decodeIfPresent(Bool.self, forKey: .matchesFriendlyName) ?? false
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
        matchesFriendlyName = false
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

    /// Every value of the attributes in `names` (matched by Name, or else by FriendlyName when
    /// ``matchesFriendlyName`` is on).
    func allValues(_ names: [String], in attributes: [SAMLAttribute], firstOnly: Bool = false) -> [String] {
        var found: [String] = []
        for byFriendlyName in matchesFriendlyName ? [false, true] : [false] {
            for name in names {
                let length = name.utf8.count
                for attribute in attributes {
                    // lengths first: most names differ in length, and the count is at hand
                    guard let candidate = byFriendlyName ? attribute.friendlyName : attribute.name,
                          candidate.utf8.count == length, candidate == name else { continue }
                    for value in attribute.values where !value.isEmpty {
                        if firstOnly { return [value] }
                        found.append(value)
                    }
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
