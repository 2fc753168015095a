import CSAMLShims
import Foundation
import SAMLCore
@testable import SAMLXMLSec
import Testing
import SAMLTestSupport

/// The byte-level pre-scan against libxml2 itself, on random documents full of markup that is not
/// markup (tags inside comments, CDATA, processing instructions and attribute values) and random
/// damage: whenever the pre-scan lets a document through, the tree libxml2 builds stays within
/// every limit (the scan never counts less than the parser); and the scan never refuses a
/// document libxml2 accepts unless a limit is passed.
@Suite struct PreScanDifferentialTests {
    static let small = XMLLimits(maximumBytes: 1 << 20, maximumDepth: 6, maximumAttributesPerElement: 3,
                                 maximumNamespaceDeclarationsPerElement: 2, maximumNamespacesInScope: 3,
                                 maximumElements: 12, maximumAttributeValueBytes: 12,
                                 maximumTotalAncestors: 20, maximumTotalNamespacesEmitted: 14)
    static let unlimited = XMLLimits(maximumBytes: 1 << 20, maximumDepth: 256, maximumAttributesPerElement: 1 << 30,
                                     maximumNamespaceDeclarationsPerElement: 1 << 30, maximumNamespacesInScope: 1 << 30,
                                     maximumElements: 1 << 30, maximumAttributeValueBytes: 1 << 30,
                                     maximumTotalAncestors: 1 << 30, maximumTotalNamespacesEmitted: 1 << 30)

    /// A random document: nested elements with attributes and declarations, and decoys.
    static func document(_ rng: inout SplitMix64) -> String {
        func pick<T>(_ items: [T]) -> T { items[Int.random(in: 0..<items.count, using: &rng)] }
        let decoys = ["<!-- <a x='1' y='2' z='3' w='4'/> -->", "<![CDATA[<b q='1' r='2' s='3' t='4'>]]>", "<?pi <c a='1' b='2' c='3' d='4'/>?>",
                      "text &amp; &lt;d/&gt;", "\n  ", "<!---->", "<?p?>", "]]&gt;"]
        func element(_ depth: Int) -> String {
            let name = pick(["a", "p:b", "q:c", "e"])
            var tag = "<" + name
            for i in 0..<Int.random(in: 0...5, using: &rng) {
                tag += pick([" ", "\n", "\t", "  "])
                switch Int.random(in: 0..<5, using: &rng) {
                case 4: tag += "\(pick(["p", "q", "xml"])):u\(i)='x'"
                case 0: tag += "xmlns:p\(i)='urn:p'"
                case 1: tag += "xmlns\(pick([":p", ":q", ""]))=\"urn:\(i)\""
                case 2: tag += "v\(i)=\(pick(["'>'", "\"/>\"", "'a\"b'", "\"<x/>\"".replacingOccurrences(of: "<", with: "&lt;"), "'\(String(repeating: "z", count: Int.random(in: 0...20, using: &rng)))'"]))"
                default: tag += "w\(i) = 'x'"
                }
            }
            if !name.contains(":") || Bool.random(using: &rng) { tag += " xmlns:p='urn:p' xmlns:q='urn:q'" }
            if depth > 7 || Int.random(in: 0..<4, using: &rng) == 0 { return tag + pick(["/>", " />"]) }
            var body = ""
            for _ in 0..<Int.random(in: 0...3, using: &rng) {
                body += Bool.random(using: &rng) ? element(depth + 1) : pick(decoys)
            }
            return tag + ">" + body + "</" + name + pick([">", " >"])
        }
        return pick(["", "<?xml version='1.0'?>\n", "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>", "\u{FEFF}", "<!-- c -->"]) + element(0) + pick(["", "\n", "<!-- x -->", "<?pi?>"])
    }

    struct Counts {
        var maxAttributes = 0, maxDeclarations = 0, maxInScope = 0, elements = 0, maxDepth = 0
        var totalAncestors = 0, totalEmitted = 0, maxValue = 0
    }

    /// Counts the shapes in the tree libxml2 built.
    static func counts(_ document: XMLDocument) -> Counts {
        var c = Counts()
        func walk(_ node: xmlNodePtr, depth: Int, inScope: Int) {
            var attributes = 0
            // what exclusive c14n can emit here: the element's namespace, and each attribute's
            var emitted = 1
            var attribute = node.pointee.properties
            while let a = attribute {
                attributes += 1
                if a.pointee.ns != nil { emitted += 1 }
                if let value = xmlNodeListGetString(node.pointee.doc, a.pointee.children, 1) {
                    c.maxValue = max(c.maxValue, strlen(value))
                    saml_xml_free(value)
                }
                attribute = a.pointee.next
            }
            var declarations = 0
            var ns = node.pointee.nsDef
            while let n = ns { declarations += 1; ns = n.pointee.next }
            let scope = inScope + declarations
            c.elements += 1
            c.maxAttributes = max(c.maxAttributes, attributes)
            c.maxDeclarations = max(c.maxDeclarations, declarations)
            c.maxInScope = max(c.maxInScope, scope)
            c.maxDepth = max(c.maxDepth, depth + 1)
            c.totalAncestors += depth
            c.totalEmitted += emitted
            var child = node.pointee.children
            while let k = child {
                if k.pointee.type == XML_ELEMENT_NODE { walk(k, depth: depth + 1, inScope: scope) }
                child = k.pointee.next
            }
        }
        if let root = document.root { walk(root.node, depth: 0, inScope: 0) }
        return c
    }

    /// The hardened parser, its failures as `SAMLError`.
    static func parse(_ bytes: [UInt8], limits: XMLLimits) throws -> XMLDocument {
        try XMLDocument.parse(bytes, limits: limits)
    }

    /// libxml2 alone, with the same hardened options but no pre-scan.
    static func libxml2Accepts(_ bytes: [UInt8]) -> Bool {
        var outcome: Int32 = 0
        var message = [CChar](repeating: 0, count: 256)
        let doc = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { saml_parse($0.baseAddress, Int32($0.count), 256, &outcome, &message, 256) }
        }
        if let doc { xmlFreeDoc(doc) }
        return outcome == SAML_PARSE_OK
    }

    @Test func scanNeverCountsLessThanTheParser() throws {
        var rng = SplitMix64(state: 0x5052_4553_4341_4E00)
        var accepted = 0, refusedByLimits = 0, generatedValid = 0
        for round in 0..<6000 {
            var bytes = Array(Self.document(&rng).utf8)
            if round % 2 == 1 { bytes = SplitMix64.damage(bytes, &rng) }
            guard !bytes.isEmpty else { continue }
            // 1. no false refusals: what libxml2 accepts, the scan with no limits accepts too
            let parserAccepts = Self.libxml2Accepts(bytes)
            if parserAccepts {
                generatedValid += 1
                do { _ = try Self.parse(bytes, limits: Self.unlimited) } catch let error as SAMLError {
                    // the only refusals left are DOCTYPE and encoding rules, which libxml2 does not apply itself
                    #expect(error.code == .doctypeForbidden || error.code == .unsupported || error.code == .duplicateID,
                            "\(String(decoding: bytes, as: UTF8.self).debugDescription): \(error)")
                }
            }
            // 2. no undercount: what passes the small limits is within them in libxml2's tree
            do {
                let document = try Self.parse(bytes, limits: Self.small)
                accepted += 1
                let c = Self.counts(document)
                let text = String(decoding: bytes, as: UTF8.self).debugDescription
                #expect(c.maxAttributes <= Self.small.maximumAttributesPerElement, "\(text)")
                #expect(c.maxDeclarations <= Self.small.maximumNamespaceDeclarationsPerElement, "\(text)")
                #expect(c.maxInScope <= Self.small.maximumNamespacesInScope, "\(text)")
                #expect(c.elements <= Self.small.maximumElements, "\(text)")
                #expect(c.maxDepth <= Self.small.maximumDepth, "\(text)")
                #expect(c.totalAncestors <= Self.small.maximumTotalAncestors, "\(text)")
                #expect(c.totalEmitted <= Self.small.maximumTotalNamespacesEmitted, "\(text)")
                #expect(c.maxValue <= Self.small.maximumAttributeValueBytes, "\(text)")
            } catch let error as SAMLError {
                if error.code == .tooLarge { refusedByLimits += 1 }
            }
        }
        // the generator must exercise both sides
        #expect(generatedValid > 1000, "\(generatedValid) valid documents")
        #expect(accepted > 100, "\(accepted) accepted under the small limits")
        #expect(refusedByLimits > 500, "\(refusedByLimits) refused by a limit")
    }
}
