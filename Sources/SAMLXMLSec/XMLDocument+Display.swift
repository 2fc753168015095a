import CSAMLShims

extension XMLDocument {
    /// The document re-indented for people to read: a copy with whitespace-only text between
    /// elements dropped, serialised with two-space indentation. Never feed the result to a
    /// signature check — whitespace is part of what a signature covers.
    package func indentedForDisplay() -> String? {
        guard let copy = unsafe xmlCopyDoc(pointer, 1) else { return nil }
        defer { unsafe xmlFreeDoc(copy) }
        if let root = unsafe xmlDocGetRootElement(copy) { unsafe Self.dropBlankText(under: root) }
        var output: UnsafeMutablePointer<xmlChar>? = nil
        var length: Int32 = 0
        unsafe xmlDocDumpFormatMemoryEnc(copy, &output, &length, "UTF-8", 1)
        guard let output = unsafe output else { return nil }
        defer { unsafe saml_xml_free(output) }
        return unsafe String(decoding: UnsafeBufferPointer(start: output, count: Int(length)), as: UTF8.self)
    }

    /// Removes whitespace-only text nodes below `node`, without recursion (depth is bounded by
    /// the parser, but a loop costs nothing).
    private static func dropBlankText(under node: xmlNodePtr) {
        var stack: [xmlNodePtr] = unsafe [node]
        while let current = unsafe stack.popLast() {
            var child = unsafe current.pointee.children
            while let c = unsafe child {
                let next = unsafe c.pointee.next
                if unsafe c.pointee.type == XML_TEXT_NODE, unsafe xmlIsBlankNode(c) != 0 {
                    unsafe xmlUnlinkNode(c)
                    unsafe xmlFreeNode(c)
                } else if unsafe c.pointee.type == XML_ELEMENT_NODE {
                    unsafe stack.append(c)
                }
                unsafe child = unsafe next
            }
        }
    }
}
