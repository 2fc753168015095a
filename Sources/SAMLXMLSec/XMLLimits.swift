import CSAMLShims

/// Size and shape limits applied to an XML document before and while it is parsed — one type for
/// every kind of document, with presets for each: ``default`` for SAML messages (a response is a few
/// KiB), ``metadata`` and ``metadata(maximumBytes:)`` for metadata (a federation aggregate is 50–100 MB).
///
/// The shape limits are enforced by a linear byte-level scan before libxml2 sees the document:
/// libxml2 2.9 and canonicalization spend time that grows with the product of some of these counts,
/// so each product is bounded here and the whole cost stays linear in the document's size.
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
    /// libxml2 resolves each prefix by walking the declarations in scope, so this bounds the cost of
    /// every element while parsing.
    public var maximumNamespacesInScope: Int
    /// Most elements in one document. Default 50,000.
    public var maximumElements: Int
    /// Longest attribute value, in bytes as written. Default 64 KiB; SAML attribute values
    /// (IDs, URIs, instants) are short, certificates and attribute contents are element text.
    public var maximumAttributeValueBytes: Int
    /// Most ancestors summed over all elements (each element counts how deep it sits). Default
    /// 100,000. Canonicalization and xmlsec's node sets walk from nodes towards the root, so many
    /// deeply nested elements cost elements × depth.
    public var maximumTotalAncestors: Int
    /// Most namespace declarations exclusive canonicalization can emit, summed over all elements.
    /// Default 100,000. Exclusive canonicalization (the only one SAML signatures may use here) emits
    /// at an element only the namespaces its own name and its attributes use — one for the element,
    /// one per prefixed attribute — whatever else is in scope, and looks each up among those already
    /// rendered on the path; declarations merely in scope (a federation aggregate's thirteen on its
    /// root) cost it nothing.
    public var maximumTotalNamespacesEmitted: Int

    /// Creates limits; every value has the default described on its property.
    public init(maximumBytes: Int = 1 << 20, maximumDepth: Int = 64, maximumAttributesPerElement: Int = 64,
                maximumNamespaceDeclarationsPerElement: Int = 32, maximumNamespacesInScope: Int = 64,
                maximumElements: Int = 50_000, maximumAttributeValueBytes: Int = 64 << 10,
                maximumTotalAncestors: Int = 100_000, maximumTotalNamespacesEmitted: Int = 100_000) {
        self.maximumBytes = maximumBytes
        self.maximumDepth = maximumDepth
        self.maximumAttributesPerElement = maximumAttributesPerElement
        self.maximumNamespaceDeclarationsPerElement = maximumNamespaceDeclarationsPerElement
        self.maximumNamespacesInScope = maximumNamespacesInScope
        self.maximumElements = maximumElements
        self.maximumAttributeValueBytes = maximumAttributeValueBytes
        self.maximumTotalAncestors = maximumTotalAncestors
        self.maximumTotalNamespacesEmitted = maximumTotalNamespacesEmitted
    }

    /// The limits for SAML messages: 1 MiB, depth 64, and the shape limits above.
    public static let `default` = XMLLimits()

    /// The limits for metadata up to 100 MiB: ``metadata(maximumBytes:)`` with 100 MiB.
    public static let metadata = XMLLimits.metadata(maximumBytes: 100 << 20)

    /// Limits for metadata documents of up to `maximumBytes`, with the totals scaled to that size so that
    /// an aggregate of any accepted size fits and the cost stays linear in it: at most one element per
    /// 4 bytes (`<a/>` is the shortest), one ancestor summed per byte and one emitted namespace per
    /// 2 bytes. An eduGAIN-shaped aggregate uses about a tenth of each; the per-element limits
    /// (depth, attributes, declarations, namespaces in scope) are those of ``default``.
    public static func metadata(maximumBytes: Int) -> XMLLimits {
        let bytes = max(maximumBytes, 0)
        return XMLLimits(maximumBytes: bytes, maximumElements: max(50_000, bytes / 4),
                         maximumTotalAncestors: max(100_000, bytes), maximumTotalNamespacesEmitted: max(100_000, bytes / 2))
    }

    /// The limits as the C scan takes them.
    var prescanLimits: saml_prescan_limits {
        saml_prescan_limits(
            max_attributes_per_element: maximumAttributesPerElement,
            max_namespace_declarations_per_element: maximumNamespaceDeclarationsPerElement,
            max_namespaces_in_scope: maximumNamespacesInScope,
            max_elements: maximumElements,
            max_depth: maximumDepth,
            max_attribute_value_bytes: maximumAttributeValueBytes,
            max_total_ancestors: maximumTotalAncestors,
            max_total_namespaces_emitted: maximumTotalNamespacesEmitted)
    }
}
