/// A SAML 2.0 protocol binding, identified by its URN.
public struct SAMLBinding: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    /// The binding's URN.
    public let rawValue: String
    /// Wraps a binding URN.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// `urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect`
    public static let httpRedirect = SAMLBinding(rawValue: "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect")
    /// `urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST`
    public static let httpPost = SAMLBinding(rawValue: "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST")
    /// `urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Artifact`
    public static let httpArtifact = SAMLBinding(rawValue: "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Artifact")
    /// `urn:oasis:names:tc:SAML:2.0:bindings:SOAP`
    public static let soap = SAMLBinding(rawValue: "urn:oasis:names:tc:SAML:2.0:bindings:SOAP")
    /// `urn:oasis:names:tc:SAML:2.0:bindings:PAOS`
    public static let paos = SAMLBinding(rawValue: "urn:oasis:names:tc:SAML:2.0:bindings:PAOS")

    /// A short name for known bindings (`HTTP-Redirect`), the URN otherwise.
    public var description: String {
        rawValue.hasPrefix("urn:oasis:names:tc:SAML:2.0:bindings:") ? String(rawValue.dropFirst(37)) : rawValue
    }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// A NameID format URN.
public struct NameIDFormat: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    /// The format's URN.
    public let rawValue: String
    /// Wraps a format URN.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// `urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress`
    public static let emailAddress = NameIDFormat(rawValue: "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress")
    /// `urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified`
    public static let unspecified = NameIDFormat(rawValue: "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified")
    /// `urn:oasis:names:tc:SAML:2.0:nameid-format:persistent`
    public static let persistent = NameIDFormat(rawValue: "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent")
    /// `urn:oasis:names:tc:SAML:2.0:nameid-format:transient`
    public static let transient = NameIDFormat(rawValue: "urn:oasis:names:tc:SAML:2.0:nameid-format:transient")
    /// `urn:oasis:names:tc:SAML:2.0:nameid-format:entity`
    public static let entity = NameIDFormat(rawValue: "urn:oasis:names:tc:SAML:2.0:nameid-format:entity")

    /// The URN.
    public var description: String { rawValue }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// XML namespaces used across the package.
package enum NS {
    package static let assertion = "urn:oasis:names:tc:SAML:2.0:assertion"
    package static let protocol_ = "urn:oasis:names:tc:SAML:2.0:protocol"
    package static let metadata = "urn:oasis:names:tc:SAML:2.0:metadata"
    package static let dsig = "http://www.w3.org/2000/09/xmldsig#"
    package static let xenc = "http://www.w3.org/2001/04/xmlenc#"
    package static let xenc11 = "http://www.w3.org/2009/xmlenc11#"
    package static let xsi = "http://www.w3.org/2001/XMLSchema-instance"
    package static let xs = "http://www.w3.org/2001/XMLSchema"
    package static let soap11 = "http://schemas.xmlsoap.org/soap/envelope/"
}
