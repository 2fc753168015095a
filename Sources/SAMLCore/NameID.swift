/// A SAML NameID.
public struct NameID: Sendable, Hashable, Codable {
    /// The identifier's full text.
    public var value: String
    /// Its Format, if stated.
    public var format: NameIDFormat?
    /// NameQualifier, if stated.
    public var nameQualifier: String?
    /// SPNameQualifier, if stated.
    public var spNameQualifier: String?

    /// Creates a NameID.
    public init(value: String, format: NameIDFormat? = nil, nameQualifier: String? = nil, spNameQualifier: String? = nil) {
        self.value = value
        self.format = format
        self.nameQualifier = nameQualifier
        self.spNameQualifier = spNameQualifier
    }
}
