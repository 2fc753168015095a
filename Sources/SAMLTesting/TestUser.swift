public import SAMLCore

/// A user the test identity provider can log in: the NameID it asserts and the attributes it
/// sends, in order.
///
/// The bundled users (``defaultUsers``) carry the attribute names AWS IAM Identity Center's
/// default mapping uses for custom SAML applications: `name`, `givenName`, `surName`, `email`.
public struct TestUser: Sendable, Hashable, Codable {
    /// One attribute: a name and its values, in order.
    public struct Attribute: Sendable, Hashable, Codable {
        /// The attribute's `Name`.
        public var name: String
        /// Its values, each sent as one `AttributeValue`.
        public var values: [String]
        /// The `NameFormat` URN; nil sends `urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified`.
        public var nameFormat: String?

        /// Creates an attribute.
        public init(name: String, values: [String], nameFormat: String? = nil) {
            self.name = name
            self.values = values
            self.nameFormat = nameFormat
        }

        /// Creates an attribute with one value.
        public init(name: String, value: String) {
            self.init(name: name, values: [value])
        }
    }

    /// The NameID value (e-mail address for the bundled users).
    public var nameID: String
    /// The NameID format.
    public var nameIDFormat: NameIDFormat
    /// The attributes, in the order they are sent.
    public var attributes: [Attribute]

    /// Creates a user.
    public init(nameID: String, nameIDFormat: NameIDFormat = .emailAddress, attributes: [Attribute] = []) {
        self.nameID = nameID
        self.nameIDFormat = nameIDFormat
        self.attributes = attributes
    }

    /// A user with AWS IAM Identity Center-style attributes (`name`, `givenName`, `surName`,
    /// `email`), identified by e-mail, plus any extra attributes.
    public init(email: String, givenName: String, surName: String, extra: [Attribute] = []) {
        self.init(nameID: email, nameIDFormat: .emailAddress, attributes: [
            Attribute(name: "name", value: "\(givenName) \(surName)"),
            Attribute(name: "givenName", value: givenName),
            Attribute(name: "surName", value: surName),
            Attribute(name: "email", value: email),
        ] + extra)
    }

    /// Every value of the attribute named `name`.
    public func values(of name: String) -> [String] {
        attributes.filter { $0.name == name }.flatMap(\.values)
    }

    /// A label for pickers: the `name` attribute and the NameID, e.g. `Alice Example <alice@example.com>`.
    public var label: String {
        if let name = values(of: "name").first { return "\(name) <\(nameID)>" }
        return nameID
    }

    /// The AWS `Role` attribute name.
    public static let awsRoleAttribute = "https://aws.amazon.com/SAML/Attributes/Role"
    /// The AWS `RoleSessionName` attribute name.
    public static let awsRoleSessionNameAttribute = "https://aws.amazon.com/SAML/Attributes/RoleSessionName"

    /// `alice@example.com`: Alice Example, the first user, with an AWS role.
    public static let alice = TestUser(email: "alice@example.com", givenName: "Alice", surName: "Example", extra: [
        Attribute(name: awsRoleAttribute, value: "arn:aws:iam::123456789012:role/DemoReadOnly,arn:aws:iam::123456789012:saml-provider/DemoIdP"),
        Attribute(name: awsRoleSessionNameAttribute, value: "alice@example.com"),
    ])

    /// `bob@example.com`: Bob Builder, member of two groups.
    public static let bob = TestUser(email: "bob@example.com", givenName: "Bob", surName: "Builder", extra: [
        Attribute(name: "groups", values: ["engineering", "on-call"]),
    ])

    /// `chloe@example.com`: Chloé Ünicode, whose names are not ASCII and whose display name
    /// carries XML-special characters (escaping checks).
    public static let chloe = TestUser(nameID: "chloe@example.com", nameIDFormat: .emailAddress, attributes: [
        Attribute(name: "name", value: "Chloé Ünicode <&> \"Q\""),
        Attribute(name: "givenName", value: "Chloé"),
        Attribute(name: "surName", value: "Ünicode"),
        Attribute(name: "email", value: "chloe@example.com"),
    ])

    /// The bundled users, Alice first.
    public static let defaultUsers: [TestUser] = [alice, bob, chloe]
}
