import SAMLCore

/// Heuristics for the attribute names IdPs commonly use for e-mail and names (LDAP, eduPerson,
/// WS-Federation claim URIs, and the IdP configuration's own e-mail attribute).
extension VerifiedAssertion {
    /// The user's e-mail: only the configured e-mail attribute when the IdP configuration names
    /// one; otherwise a common e-mail attribute (matched by `Name`; never by `FriendlyName`), else the NameID when its format is `emailAddress` —
    /// never a NameID of another format, whatever it looks like. (`SAMLServiceProvider` applies the
    /// same rules through its configurable `AttributeMapping`.)
    public var email: String? {
        if let emailAttributeName { return value(of: emailAttributeName) }
        let names = ["email", "mail", "emailAddress", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
                     "urn:oid:0.9.2342.19200300.100.1.3"]
        for name in names {
            if let attribute = attributes.first(where: { $0.name == name }), let value = attribute.values.first { return value }
        }
        return nameID.format == .emailAddress ? nameID.value : nil
    }

    /// The display name (`name`, or the WS-Federation name claim).
    public var displayName: String? {
        value(of: "name") ?? value(of: "displayName") ?? value(of: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name")
    }

    /// The given name (`givenName`, `firstName` or the claim URI).
    public var givenName: String? {
        value(of: "givenName") ?? value(of: "firstName") ?? value(of: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname")
    }

    /// The surname (attribute `surName`, `surname`, `sn`, `lastName` or the claim URI).
    public var surname: String? {
        value(of: "surName") ?? value(of: "surname") ?? value(of: "sn") ?? value(of: "lastName")
            ?? value(of: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname")
    }

    /// The surname, under its former spelling.
    @available(*, deprecated, renamed: "surname")
    public var surName: String? { surname }
}
