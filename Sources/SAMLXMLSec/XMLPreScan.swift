import CSAMLShims

/// The byte-level scan every document passes before libxml2 parses it.
///
/// libxml2 2.9.14 checks attribute and namespace-declaration names for duplicates pair by pair,
/// so one element with 131,000 attributes (1 MiB) keeps the parser busy for about 20 seconds;
/// namespaces in scope multiply the cost of every element in canonicalization. The scan counts
/// those shapes in one linear pass (C, no allocation beyond one counter per nesting level) and
/// refuses the document at the first limit passed, so such input costs milliseconds.
package enum XMLPreScan {
    /// Refuses `bytes` when their shape passes one of `limits`, or when they cannot be XML in
    /// an ASCII-compatible encoding (the scan must read the structure libxml2 will read).
    static func check(_ bytes: UnsafeBufferPointer<UInt8>, limits: XMLLimits) throws(SAMLError) {
        var scanLimits = limits.prescanLimits
        var result = saml_prescan_result()
        let outcome = unsafe saml_prescan(bytes.baseAddress, bytes.count, &scanLimits, &result)
        try report(outcome, result, limits: limits)
    }

    /// Throws the failure for a scan outcome (nothing for `SAML_PRESCAN_OK`).
    static func report(_ outcome: Int32, _ result: saml_prescan_result, limits: XMLLimits, what: String = "XML") throws(SAMLError) {
        let at = what == "XML" ? "at byte \(result.offset)" : "in the \(what)"
        switch outcome {
        case Int32(SAML_PRESCAN_OK):
            return
        case Int32(SAML_PRESCAN_DOCTYPE):
            throw SAMLError(.doctypeForbidden, "The XML carries a DOCTYPE declaration (\(at)); DTDs and entities are never accepted.")
        case Int32(SAML_PRESCAN_ENCODING):
            throw SAMLError(.unsupported, "The XML is not encoded in UTF-8 (\(at)); SAML messages and metadata are accepted in UTF-8 only.")
        case Int32(SAML_PRESCAN_ATTRIBUTES):
            throw SAMLError(.tooLarge, "An element carries more than \(limits.maximumAttributesPerElement) attributes (\(at)); raise XMLLimits.maximumAttributesPerElement if this document is genuine.")
        case Int32(SAML_PRESCAN_NAMESPACES):
            throw SAMLError(.tooLarge, "An element declares more than \(limits.maximumNamespaceDeclarationsPerElement) namespaces (\(at)); raise XMLLimits.maximumNamespaceDeclarationsPerElement if this document is genuine.")
        case Int32(SAML_PRESCAN_NAMESPACES_IN_SCOPE):
            throw SAMLError(.tooLarge, "More than \(limits.maximumNamespacesInScope) namespace declarations are in scope (\(at)); raise XMLLimits.maximumNamespacesInScope if this document is genuine.")
        case Int32(SAML_PRESCAN_ELEMENTS):
            throw SAMLError(.tooLarge, "The XML holds more than \(limits.maximumElements) elements; raise XMLLimits.maximumElements if this document is genuine.")
        case Int32(SAML_PRESCAN_DEPTH):
            throw SAMLError(.malformedXML, "The XML nests deeper than \(limits.maximumDepth) elements (\(at)).")
        case Int32(SAML_PRESCAN_ATTRIBUTE_VALUE):
            throw SAMLError(.tooLarge, "An attribute value is \(result.observed) bytes long (\(at)); the limit is \(limits.maximumAttributeValueBytes) bytes (XMLLimits.maximumAttributeValueBytes).")
        case Int32(SAML_PRESCAN_TOTAL_ANCESTORS):
            throw SAMLError(.tooLarge, "The XML's elements sit too deep in total (more than \(limits.maximumTotalAncestors) ancestors summed over all elements, \(at)); raise XMLLimits.maximumTotalAncestors if this document is genuine.")
        case Int32(SAML_PRESCAN_TOTAL_NAMESPACES):
            throw SAMLError(.tooLarge, "The XML's elements use too many namespaces in total (more than \(limits.maximumTotalNamespacesEmitted) that exclusive canonicalization could emit, summed over all elements, \(at)); raise XMLLimits.maximumTotalNamespacesEmitted if this document is genuine.")
        default:
            throw SAMLError(.malformedXML, "The XML is not well-formed (\(at)).")
        }
    }
}
