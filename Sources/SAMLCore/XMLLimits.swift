package import SAMLXMLSec

/// Size and shape limits applied to every XML document before and while it is parsed.
public struct XMLLimits: Sendable, Hashable {
    /// Largest accepted document, in bytes of XML (after base64 decoding). Default 1 MiB.
    public var maximumBytes: Int
    /// Deepest accepted element nesting. Default 64; SAML messages rarely pass 12.
    public var maximumDepth: Int

    /// Creates limits.
    public init(maximumBytes: Int = 1 << 20, maximumDepth: Int = 64) {
        self.maximumBytes = maximumBytes
        self.maximumDepth = maximumDepth
    }

    /// The defaults: 1 MiB, depth 64.
    public static let `default` = XMLLimits()
}

extension XMLDocument {
    /// Parses with the hardened settings (see `XMLDocument.parse(_:maximumBytes:maximumDepth:)`)
    /// within `limits`.
    package static func parse(_ bytes: [UInt8], limits: XMLLimits = .default) throws -> XMLDocument {
        try parse(bytes, maximumBytes: limits.maximumBytes, maximumDepth: limits.maximumDepth)
    }

    /// Parses UTF-8 text within `limits`.
    package static func parse(_ text: String, limits: XMLLimits = .default) throws -> XMLDocument {
        try parse(Array(text.utf8), limits: limits)
    }
}
