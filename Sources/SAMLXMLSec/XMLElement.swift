package import CSAMLShims

/// A borrowed element of an ``XMLDocument``; keeps its document alive.
package struct XMLElement {
    package let node: xmlNodePtr
    package let document: XMLDocument

    package init(node: xmlNodePtr, document: XMLDocument) {
        self.node = node
        self.document = document
    }

    /// The local name (no prefix).
    package var localName: String { String(cString: node.pointee.name) }

    /// The namespace URI, or nil for none.
    package var namespaceURI: String? {
        guard let ns = node.pointee.ns, let href = ns.pointee.href else { return nil }
        return String(cString: href)
    }

    /// Whether this element is `{namespace}name`.
    package func `is`(_ name: String, _ namespace: String) -> Bool {
        guard let ns = node.pointee.ns, let href = ns.pointee.href else { return false }
        return Self.equal(node.pointee.name, name) && Self.equal(href, namespace)
    }

    /// Compares a NUL-terminated libxml2 string with a Swift string without copying either.
    @inline(__always)
    static func equal(_ c: UnsafePointer<xmlChar>?, _ string: String) -> Bool {
        guard let c else { return false }
        var string = string
        return string.withUTF8 { bytes in
            for i in 0..<bytes.count where c[i] != bytes[i] { return false }
            return c[bytes.count] == 0
        }
    }

    /// An attribute without namespace.
    package func attribute(_ name: String) -> String? {
        let value = name.withCString { xmlGetNoNsProp(node, UnsafeRawPointer($0).assumingMemoryBound(to: xmlChar.self)) }
        guard let value else { return nil }
        defer { saml_xml_free(value) }
        return String(cString: value)
    }

    /// A namespaced attribute.
    package func attribute(_ name: String, namespace: String) -> String? {
        guard let value = xmlGetNsProp(node, name, namespace) else { return nil }
        defer { saml_xml_free(value) }
        return String(cString: value)
    }

    /// Every attribute as (namespace, local name, value).
    package var attributes: [(namespace: String?, name: String, value: String)] {
        var result: [(String?, String, String)] = []
        var attr = node.pointee.properties
        while let a = attr {
            let name = String(cString: a.pointee.name)
            let ns = a.pointee.ns.flatMap { $0.pointee.href.map { String(cString: $0) } }
            var value = ""
            if let v = xmlNodeListGetString(node.pointee.doc, a.pointee.children, 1) {
                value = String(cString: v)
                saml_xml_free(v)
            }
            result.append((ns, name, value))
            attr = a.pointee.next
        }
        return result
    }

    /// Child elements, in order.
    package var children: [XMLElement] {
        var result: [XMLElement] = []
        var child = node.pointee.children
        while let c = child {
            if c.pointee.type == XML_ELEMENT_NODE { result.append(XMLElement(node: c, document: document)) }
            child = c.pointee.next
        }
        return result
    }

    /// Child elements named `{namespace}name`.
    package func children(_ name: String, _ namespace: String) -> [XMLElement] {
        children.filter { $0.is(name, namespace) }
    }

    /// The first child element named `{namespace}name`.
    package func child(_ name: String, _ namespace: String) -> XMLElement? {
        var child = node.pointee.children
        while let c = child {
            if c.pointee.type == XML_ELEMENT_NODE {
                let e = XMLElement(node: c, document: document)
                if e.is(name, namespace) { return e }
            }
            child = c.pointee.next
        }
        return nil
    }

    /// Every descendant element named `{namespace}name` (document order, excluding self).
    package func descendants(_ name: String, _ namespace: String) -> [XMLElement] {
        var result: [XMLElement] = []
        var current = node.pointee.children
        while let c = current {
            if c.pointee.type == XML_ELEMENT_NODE {
                let e = XMLElement(node: c, document: document)
                if e.is(name, namespace) { result.append(e) }
                if let first = c.pointee.children {
                    current = first
                    continue
                }
            }
            var m = c
            current = nil
            while true {
                if let sibling = m.pointee.next { current = sibling; break }
                guard let p = m.pointee.parent, p != node else { break }
                m = p
            }
        }
        return result
    }

    /// How many descendant elements are in `namespace` and named one of `names`, without
    /// building a list.
    package func countDescendants(named names: [String], _ namespace: String) -> Int {
        var count = 0
        var current = node.pointee.children
        while let c = current {
            if c.pointee.type == XML_ELEMENT_NODE {
                if let ns = c.pointee.ns, Self.equal(ns.pointee.href, namespace),
                   names.contains(where: { Self.equal(c.pointee.name, $0) }) {
                    count += 1
                }
                if let first = c.pointee.children {
                    current = first
                    continue
                }
            }
            var m = c
            current = nil
            while true {
                if let sibling = m.pointee.next { current = sibling; break }
                guard let p = m.pointee.parent, p != node else { break }
                m = p
            }
        }
        return count
    }

    /// The concatenated text of every text descendant (comments and processing instructions
    /// are not text, so a comment inside a value never truncates it).
    package var text: String {
        guard let content = xmlNodeGetContent(node) else { return "" }
        defer { saml_xml_free(content) }
        return String(cString: content)
    }

    /// Whether any direct child is an element.
    package var hasElementChildren: Bool {
        var child = node.pointee.children
        while let c = child {
            if c.pointee.type == XML_ELEMENT_NODE { return true }
            child = c.pointee.next
        }
        return false
    }

    /// The parent element, if any.
    package var parent: XMLElement? {
        guard let p = node.pointee.parent, p.pointee.type == XML_ELEMENT_NODE else { return nil }
        return XMLElement(node: p, document: document)
    }

    /// Whether both refer to the same node.
    package func isSameNode(as other: XMLElement) -> Bool { node == other.node }

    // MARK: Building

    /// Appends a child element in the namespace of an in-scope or new declaration.
    @discardableResult
    package func addChild(_ name: String, namespace: String, prefix: String) -> XMLElement {
        let child = xmlNewDocNode(node.pointee.doc, nil, name, nil)!
        xmlAddChild(node, child)
        var ns = xmlSearchNsByHref(node.pointee.doc, child, namespace)
        if ns == nil { ns = xmlNewNs(child, namespace, prefix) }
        xmlSetNs(child, ns)
        return XMLElement(node: child, document: document)
    }

    /// Sets an attribute without namespace.
    package func setAttribute(_ name: String, _ value: String) {
        xmlSetProp(node, name, value)
    }

    /// Sets an attribute in a namespace, declaring the prefix on this element when needed.
    package func setAttribute(_ name: String, _ value: String, namespace: String, prefix: String) {
        var ns = xmlSearchNsByHref(node.pointee.doc, node, namespace)
        if ns == nil { ns = xmlNewNs(node, namespace, prefix) }
        xmlSetNsProp(node, ns, name, value)
    }

    /// Declares a namespace prefix on this element.
    package func declareNamespace(_ namespace: String, prefix: String) {
        if xmlSearchNsByHref(node.pointee.doc, node, namespace) == nil {
            _ = xmlNewNs(node, namespace, prefix)
        }
    }

    /// Replaces the content with text (escaped by libxml2).
    package func setText(_ text: String) {
        let escaped = xmlEncodeSpecialChars(node.pointee.doc, text)
        xmlNodeSetContent(node, escaped)
        saml_xml_free(escaped)
    }

    /// Detaches and frees this element. The value must not be used afterwards.
    package func remove() {
        xmlUnlinkNode(node)
        xmlFreeNode(node)
    }

    /// Moves this element to take `other`'s place; `other` is freed.
    package func replace(_ other: XMLElement) {
        xmlUnlinkNode(node)
        xmlReplaceNode(other.node, node)
        xmlFreeNode(other.node)
    }
}
