import CSAMLShims

/// An owned libxml2 document. Not shared between threads: each operation parses its own.
@safe package final class XMLDocument {
    let pointer: xmlDocPtr

    private init(pointer: xmlDocPtr) { unsafe self.pointer = unsafe pointer }

    /// Whether the tree is large (a metadata aggregate): freed so that glibc merges its chunks as
    /// they are freed rather than all at once on a later allocation (`saml_document_free_large`).
    package var isLarge = false

    deinit {
        if isLarge { unsafe saml_document_free_large(pointer) } else { unsafe xmlFreeDoc(pointer) }
    }

    /// Parses within the limits for SAML messages (``XMLLimits/default``).
    package static func parse(_ bytes: [UInt8]) throws -> XMLDocument {
        try parse(bytes, limits: .default)
    }

    /// Parses UTF-8 text within `limits`.
    package static func parse(_ text: String, limits: XMLLimits = .default) throws -> XMLDocument {
        try parse(Array(text.utf8), limits: limits)
    }

    /// Parses with the hardened settings within `limits`: size checked first, shape pre-scan, no DTD,
    /// no entities, no network, DOCTYPE refused, depth bounded. IDs are registered and duplicates refused.
    package static func parse(_ bytes: [UInt8], limits: XMLLimits) throws(SAMLError) -> XMLDocument {
        ParseCounter.current?.record()
        let maximumBytes = limits.maximumBytes
        let maximumDepth = limits.maximumDepth
        guard bytes.count <= maximumBytes else {
            throw SAMLError(.tooLarge, "The XML is \(bytes.count) bytes; the limit is \(maximumBytes) bytes.")
        }
        guard !bytes.isEmpty else { throw SAMLError(.malformedXML, "The XML document is empty.") }
        try unsafe bytes.withUnsafeBufferPointer { (buffer) throws(SAMLError) in unsafe try XMLPreScan.check(buffer, limits: limits) }
        try Library.prepare()
        var outcome: Int32 = 0
        var text = ""
        let doc = unsafe withUnsafeTemporaryAllocation(of: CChar.self, capacity: 512) { message in
            let doc = unsafe bytes.withUnsafeBufferPointer { buffer in
                unsafe buffer.withMemoryRebound(to: CChar.self) { chars in
                    unsafe saml_parse(chars.baseAddress, Int32(chars.count), Int32(maximumDepth), &outcome, message.baseAddress, Int32(message.count))
                }
            }
            if outcome != SAML_PARSE_OK { text = unsafe String(cString: message.baseAddress!) }
            return unsafe doc
        }
        guard let doc = unsafe doc, outcome == SAML_PARSE_OK else {
            throw parseFailure(outcome, message: text, maximumDepth: maximumDepth)
        }
        let document = try unsafe adopt(doc)
        document.isLarge = bytes.count >= XMLStreamParser.largeDocumentBytes
        return document
    }

    /// The error for a `SAML_PARSE_*` outcome other than `SAML_PARSE_OK`.
    static func parseFailure(_ outcome: Int32, message: String, maximumDepth: Int) -> SAMLError {
        switch Int(outcome) {
        case Int(SAML_PARSE_DOCTYPE):
            SAMLError(.doctypeForbidden, "The XML carries a DOCTYPE declaration; DTDs and entities are never accepted.")
        case Int(SAML_PARSE_TOO_DEEP):
            SAMLError(.malformedXML, "The XML nests deeper than \(maximumDepth) elements.")
        default:
            SAMLError(.malformedXML, "The XML is not well-formed.", libraryMessage: message)
        }
    }

    /// Takes ownership of a document libxml2 parsed: IDs registered (duplicates refused), a root required.
    static func adopt(_ doc: xmlDocPtr) throws(SAMLError) -> XMLDocument {
        let document = unsafe XMLDocument(pointer: doc)
        try document.registerIDs()
        guard document.root != nil else { throw SAMLError(.malformedXML, "The XML has no root element.") }
        return document
    }

    /// A new document with one root element, for building messages.
    package init(rootName: String, namespace: String, prefix: String) throws(SAMLError) {
        try Library.prepare()
        guard let doc = unsafe xmlNewDoc("1.0") else { throw Library.error(.libraryFailure, "xmlNewDoc failed") }
        unsafe pointer = unsafe doc
        let node = unsafe xmlNewDocNode(doc, nil, rootName, nil)!
        let ns = unsafe xmlNewNs(node, namespace, prefix)
        unsafe xmlSetNs(node, ns)
        unsafe xmlDocSetRootElement(doc, node)
    }

    /// Registers every `ID` attribute as an XML ID; a value used twice is refused. Refuses a
    /// signature or encryption element with a namespaced `Algorithm`, `URI`, `Type` or `Id`
    /// (read differently by xmlsec and by these checks), and a relative namespace name.
    package func registerIDs() throws(SAMLError) {
        assertionsBelowRoot = nil
        var check = saml_document_check()
        let found: String? = unsafe withUnsafeTemporaryAllocation(of: CChar.self, capacity: 256) { buffer in
            unsafe saml_check_document(pointer, buffer.baseAddress, Int32(buffer.count), &check) != 0 ? String(cString: buffer.baseAddress!) : nil
        }
        guard let found else {
            assertionsBelowRoot = check.assertions
            return
        }
        if check.duplicate != 0 {
            throw SAMLError(.duplicateID, "The ID \"\(found)\" is used by more than one element; a signature could not say which one it covers.")
        }
        switch Int(check.conflict) {
        case Int(SAML_CONFLICT_NAMESPACED_ATTRIBUTE):
            throw SAMLError(.invalidMessage, "\(found), a namespaced attribute that xmlsec would read in place of the un-namespaced one these checks read; a signature or encryption element may not carry a namespaced Algorithm, URI, Type or Id.")
        case Int(SAML_CONFLICT_RELATIVE_NAMESPACE):
            throw SAMLError(.unsupported, "\(found), a relative namespace URI: XML canonicalization refuses relative namespace names (deprecated by the Namespaces recommendation), so no signature over it could be checked. Namespace names must be absolute URIs.")
        default:
            break
        }
    }

    /// How many `saml:Assertion` and `saml:EncryptedAssertion` elements lie below the root, as
    /// counted by the last ``registerIDs()``; nil once the tree has changed since.
    package internal(set) var assertionsBelowRoot: Int?

    /// The root element.
    package var root: XMLElement? {
        guard let node = unsafe xmlDocGetRootElement(pointer) else { return nil }
        return unsafe XMLElement(node: node, document: self)
    }

    /// The element whose registered ID is `id`.
    package func element(withID id: String) -> XMLElement? {
        guard let node = unsafe saml_element_by_id(pointer, id) else { return nil }
        return unsafe XMLElement(node: node, document: self)
    }

    /// The document as UTF-8 bytes.
    package func serialized(declaration: Bool = true) -> [UInt8] {
        var output: UnsafeMutablePointer<xmlChar>? = nil
        var length: Int32 = 0
        guard unsafe saml_document_serialize(pointer, declaration ? 0 : 1, &output, &length) == 0, let output = unsafe output else { return [] }
        defer { unsafe saml_xml_free(output) }
        return unsafe Array(UnsafeBufferPointer(start: output, count: Int(length)))
    }
}
