package import CSAMLShims

/// A borrowed element of an ``XMLDocument``; keeps its document alive.
/// Safe to hold: it retains its document, so the node lives as long as the value (except after
/// ``remove()`` or ``replace(_:)``, which callers use only at the end of a value's life).
@safe package struct XMLElement {
    package let node: xmlNodePtr
    package let document: XMLDocument

    init(node: xmlNodePtr, document: XMLDocument) {
        unsafe self.node = unsafe node
        self.document = document
    }

    /// The local name (no prefix).
    package var localName: String { unsafe String(cString: node.pointee.name) }

    /// The namespace URI, or nil for none.
    package var namespaceURI: String? {
        guard let ns = unsafe node.pointee.ns, let href = unsafe ns.pointee.href else { return nil }
        return unsafe String(cString: href)
    }

    /// Whether this element is `{namespace}name`.
    package func `is`(_ name: String, _ namespace: String) -> Bool {
        guard let ns = unsafe node.pointee.ns, let href = unsafe ns.pointee.href else { return false }
        return unsafe Self.equal(node.pointee.name, name) && Self.equal(href, namespace)
    }

    /// Compares a NUL-terminated libxml2 string with a Swift string without copying either.
    @inline(__always)
    static func equal(_ c: UnsafePointer<xmlChar>?, _ string: String) -> Bool {
        guard let c = unsafe c else { return false }
        var string = string
        return string.withUTF8 { bytes in
            for i in 0..<bytes.count where unsafe c[i] != bytes[i] { return false }
            return unsafe c[bytes.count] == 0
        }
    }

    /// An attribute without namespace.
    package func attribute(_ name: String) -> String? {
        var present: Int32 = 0
        if let value = unsafe name.withCString({ unsafe saml_attribute_in_place(node, $0, &present) }) {
            return unsafe String(cString: value)
        }
        guard present != 0 else { return nil }
        let value = unsafe name.withCString { unsafe xmlGetNoNsProp(node, UnsafeRawPointer($0).assumingMemoryBound(to: xmlChar.self)) }
        guard let value = unsafe value else { return nil }
        defer { unsafe saml_xml_free(value) }
        return unsafe String(cString: value)
    }

    /// A namespaced attribute.
    package func attribute(_ name: String, namespace: String) -> String? {
        var present: Int32 = 0
        let inPlace = unsafe name.withCString { n in unsafe namespace.withCString { unsafe saml_ns_attribute_in_place(node, n, $0, &present) } }
        if let inPlace = unsafe inPlace { return unsafe String(cString: inPlace) }
        guard present != 0, let value = unsafe xmlGetNsProp(node, name, namespace) else { return nil }
        defer { unsafe saml_xml_free(value) }
        return unsafe String(cString: value)
    }

    /// Child elements, in order.
    package var children: [XMLElement] {
        // one allocation for the usual handful of children; one walk (a second one to count
        // costs more than growing on elements with thousands of children, whose nodes no
        // longer fit in the cache)
        var result: [XMLElement] = []
        result.reserveCapacity(8)
        var child = unsafe node.pointee.children
        while let c = unsafe child {
            if unsafe c.pointee.type == XML_ELEMENT_NODE { unsafe result.append(XMLElement(node: c, document: document)) }
            unsafe child = unsafe c.pointee.next
        }
        return result
    }

    /// Child elements named `{namespace}name`.
    package func children(_ name: String, _ namespace: String) -> [XMLElement] {
        var result: [XMLElement] = []
        var child = unsafe node.pointee.children
        while let c = unsafe child {
            if unsafe c.pointee.type == XML_ELEMENT_NODE {
                let e = unsafe XMLElement(node: c, document: document)
                if e.is(name, namespace) { result.append(e) }
            }
            unsafe child = unsafe c.pointee.next
        }
        return result
    }

    /// The first child element named `{namespace}name`.
    package func child(_ name: String, _ namespace: String) -> XMLElement? {
        var child = unsafe node.pointee.children
        while let c = unsafe child {
            if unsafe c.pointee.type == XML_ELEMENT_NODE {
                let e = unsafe XMLElement(node: c, document: document)
                if e.is(name, namespace) { return e }
            }
            unsafe child = unsafe c.pointee.next
        }
        return nil
    }

    /// Every descendant element named `{namespace}name` (document order, excluding self).
    package func descendants(_ name: String, _ namespace: String) -> [XMLElement] {
        var result: [XMLElement] = []
        unsafe forEachDescendant { c, _ in
            let e = unsafe XMLElement(node: c, document: document)
            if e.is(name, namespace) { result.append(e) }
        }
        return result
    }

    /// How many descendant elements are in `namespace` and named one of `names`, without
    /// building a list.
    package func countDescendants(named names: [String], _ namespace: String) -> Int {
        var count = 0
        unsafe forEachDescendant { c, _ in
            if let ns = unsafe c.pointee.ns, unsafe Self.equal(ns.pointee.href, namespace),
               names.contains(where: { unsafe Self.equal(c.pointee.name, $0) }) {
                count += 1
            }
        }
        return count
    }

    /// How many descendants are `saml:Assertion` or `saml:EncryptedAssertion`: the count of the
    /// document's last ``XMLDocument/registerIDs()`` when this is the root and the tree has not
    /// changed since, else counted now.
    package var assertionDescendantCount: Int {
        if let counted = document.assertionsBelowRoot, unsafe node == xmlDocGetRootElement(document.pointer) { return counted }
        return countDescendants(named: ["Assertion", "EncryptedAssertion"], "urn:oasis:names:tc:SAML:2.0:assertion")
    }

    /// How many element levels this element spans: 1 for an element without element children.
    /// Walks without recursion.
    package var subtreeDepth: Int {
        var deepest = 0
        unsafe forEachDescendant { _, depth in deepest = max(deepest, depth) }
        return deepest + 1
    }

    /// How many ancestors this element has (0 for the root).
    package var ancestorCount: Int {
        var count = 0
        var p = unsafe node.pointee.parent
        while let q = unsafe p, unsafe q.pointee.type == XML_ELEMENT_NODE {
            count += 1
            unsafe p = unsafe q.pointee.parent
        }
        return count
    }

    /// Calls `body` with every descendant element node, in document order, and its depth below
    /// this element (1 for a child), without recursion.
    private func forEachDescendant(_ body: (xmlNodePtr, Int) -> Void) {
        var depth = 1
        var current = unsafe node.pointee.children
        while let c = unsafe current {
            if unsafe c.pointee.type == XML_ELEMENT_NODE {
                unsafe body(c, depth)
                if let first = unsafe c.pointee.children {
                    unsafe current = unsafe first
                    depth += 1
                    continue
                }
            }
            var m = unsafe c
            unsafe current = nil
            while true {
                if let sibling = unsafe m.pointee.next { unsafe current = unsafe sibling; break }
                guard let p = unsafe m.pointee.parent, unsafe p != node else { break }
                unsafe m = unsafe p
                depth -= 1
            }
        }
    }

    /// The concatenated text of every text descendant (comments and processing instructions
    /// are not text, so a comment inside a value never truncates it).
    package var text: String {
        if let content = unsafe saml_text_in_place(node) { return unsafe String(cString: content) }
        guard let content = unsafe xmlNodeGetContent(node) else { return "" }
        defer { unsafe saml_xml_free(content) }
        return unsafe String(cString: content)
    }

    /// Whether both refer to the same node.
    package func isSameNode(as other: XMLElement) -> Bool { unsafe node == other.node }

    /// The parent element, if any.
    package var parent: XMLElement? {
        guard let p = unsafe node.pointee.parent, unsafe p.pointee.type == XML_ELEMENT_NODE else { return nil }
        return unsafe XMLElement(node: p, document: document)
    }

    // MARK: Building

    /// Records that the tree changes: what the last document check found no longer holds.
    func changed() {
        unsafe saml_document_changed(node)
        document.assertionsBelowRoot = nil
    }

    /// Appends a child element in the namespace of an in-scope or new declaration.
    @discardableResult
    package func addChild(_ name: String, namespace: String, prefix: String) -> XMLElement {
        changed()
        let child = unsafe xmlNewDocNode(node.pointee.doc, nil, name, nil)!
        unsafe xmlAddChild(node, child)
        var ns = unsafe xmlSearchNsByHref(node.pointee.doc, child, namespace)
        if unsafe ns == nil { unsafe ns = unsafe xmlNewNs(child, namespace, prefix) }
        unsafe xmlSetNs(child, ns)
        return unsafe XMLElement(node: child, document: document)
    }

    /// Sets an attribute without namespace.
    package func setAttribute(_ name: String, _ value: String) {
        changed()
        unsafe xmlSetProp(node, name, value)
    }

    /// Sets an attribute in a namespace, declaring the prefix on this element when needed.
    package func setAttribute(_ name: String, _ value: String, namespace: String, prefix: String) {
        changed()
        var ns = unsafe xmlSearchNsByHref(node.pointee.doc, node, namespace)
        if unsafe ns == nil { unsafe ns = unsafe xmlNewNs(node, namespace, prefix) }
        unsafe xmlSetNsProp(node, ns, name, value)
    }

    /// Declares a namespace prefix on this element.
    package func declareNamespace(_ namespace: String, prefix: String) {
        changed()
        if unsafe xmlSearchNsByHref(node.pointee.doc, node, namespace) == nil {
            _ = unsafe xmlNewNs(node, namespace, prefix)
        }
    }

    /// Replaces the content with text (escaped by libxml2).
    package func setText(_ text: String) {
        changed()
        let escaped = unsafe xmlEncodeSpecialChars(node.pointee.doc, text)
        unsafe xmlNodeSetContent(node, escaped)
        unsafe saml_xml_free(escaped)
    }

    /// Detaches and frees this element. The value must not be used afterwards.
    package func remove() {
        changed()
        unsafe xmlUnlinkNode(node)
        unsafe xmlFreeNode(node)
    }

    /// Moves this element to take `other`'s place; `other` is freed.
    package func replace(_ other: XMLElement) {
        changed()
        other.changed()
        unsafe xmlUnlinkNode(node)
        unsafe xmlReplaceNode(other.node, node)
        unsafe xmlFreeNode(other.node)
    }
}
