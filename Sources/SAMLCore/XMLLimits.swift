package import SAMLXMLSec

/// Size and shape limits applied to every XML document before and while it is parsed.
///
/// The shape limits are enforced by a linear byte-level scan before libxml2 sees the document:
/// libxml2 2.9 and canonicalization spend time that grows with the square of some of these
/// counts, so they are refused before any parsing, in time proportional to the size.
public struct XMLLimits: Sendable, Hashable {
    /// Largest accepted document, in bytes of XML (after base64 decoding). Default 1 MiB.
    public var maximumBytes: Int
    /// Deepest accepted element nesting. Default 64; SAML messages rarely pass 12.
    public var maximumDepth: Int
    /// Most attributes on one element, namespace declarations not counted. Default 64; SAML
    /// elements carry at most a dozen.
    public var maximumAttributesPerElement: Int
    /// Most namespace declarations (`xmlns`, `xmlns:p`) on one element. Default 32.
    public var maximumNamespaceDeclarationsPerElement: Int
    /// Most namespace declarations on an element and all its ancestors together. Default 64.
    public var maximumNamespacesInScope: Int
    /// Most elements in one document. Default 50,000 (a 1 MiB document of typical SAML
    /// metadata holds about 15,000).
    public var maximumElements: Int
    /// Longest attribute value, in bytes as written. Default 64 KiB; SAML attribute values
    /// (IDs, URIs, instants) are short, certificates and attribute contents are element text.
    public var maximumAttributeValueBytes: Int
    /// Most ancestors summed over all elements (each element counts how deep it sits). Default
    /// 100,000. Canonicalization and xmlsec's node sets walk from nodes towards the root, so many
    /// deeply nested elements cost elements × depth; a 1 MiB metadata aggregate sums to about 25,000.
    public var maximumTotalAncestors: Int
    /// Most namespace declarations in scope summed over all elements. Default 100,000.
    /// Canonicalization looks at every namespace in scope at every element; typical SAML sums
    /// to a few per element.
    public var maximumTotalNamespacesInScope: Int

    /// Creates limits; every value has the default described on its property.
    public init(maximumBytes: Int = 1 << 20, maximumDepth: Int = 64, maximumAttributesPerElement: Int = 64,
                maximumNamespaceDeclarationsPerElement: Int = 32, maximumNamespacesInScope: Int = 64,
                maximumElements: Int = 50_000, maximumAttributeValueBytes: Int = 64 << 10,
                maximumTotalAncestors: Int = 100_000, maximumTotalNamespacesInScope: Int = 100_000) {
        self.maximumBytes = maximumBytes
        self.maximumDepth = maximumDepth
        self.maximumAttributesPerElement = maximumAttributesPerElement
        self.maximumNamespaceDeclarationsPerElement = maximumNamespaceDeclarationsPerElement
        self.maximumNamespacesInScope = maximumNamespacesInScope
        self.maximumElements = maximumElements
        self.maximumAttributeValueBytes = maximumAttributeValueBytes
        self.maximumTotalAncestors = maximumTotalAncestors
        self.maximumTotalNamespacesInScope = maximumTotalNamespacesInScope
    }

    /// The defaults: 1 MiB, depth 64, and the shape limits above.
    public static let `default` = XMLLimits()

    /// The same limits as the wrapper's parser takes them.
    package var parseLimits: ParseLimits {
        ParseLimits(maximumBytes: maximumBytes, maximumDepth: maximumDepth,
                    maximumAttributesPerElement: maximumAttributesPerElement,
                    maximumNamespaceDeclarationsPerElement: maximumNamespaceDeclarationsPerElement,
                    maximumNamespacesInScope: maximumNamespacesInScope, maximumElements: maximumElements,
                    maximumAttributeValueBytes: maximumAttributeValueBytes, maximumTotalAncestors: maximumTotalAncestors,
                    maximumTotalNamespacesInScope: maximumTotalNamespacesInScope)
    }
}

extension XMLDocument {
    /// Parses with the hardened settings (size checked first, shape pre-scan, no DTD, no
    /// entities, no network, DOCTYPE refused, IDs registered and duplicates refused) within `limits`.
    package static func parse(_ bytes: [UInt8], limits: XMLLimits = .default) throws -> XMLDocument {
        try parse(bytes, limits: limits.parseLimits)
    }

    /// Parses UTF-8 text within `limits`.
    package static func parse(_ text: String, limits: XMLLimits = .default) throws -> XMLDocument {
        try parse(Array(text.utf8), limits: limits)
    }
}
