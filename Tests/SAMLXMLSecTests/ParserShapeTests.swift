import Foundation
import SAML
import SAMLCore
@testable import SAMLXMLSec
@_spi(Tools) import SAMLVerification
import CSAMLShims
import Testing
import SAMLTestSupport

/// Documents shaped to make libxml2 or canonicalization super-linear, each sent through the public
/// verify path. The guard is the pre-scan: one linear pass that refuses a document at the first
/// shape limit passed, before libxml2 or canonicalization sees a byte, and counts what the shapes it
/// lets through will cost (attributes and declarations per element, namespaces in scope, ancestors
/// summed over elements, namespaces canonicalization can emit) against fixed budgets. So the tests
/// assert, without a clock: each worst case past a limit is refused by the pre-scan for that limit
/// (the reason names it); each worst case inside the limits is
/// counted against the limit it fills, which caps the parser's and canonicalization's work at a
/// constant per document. No wall clock: speed belongs to benchmarks. Peak memory of a separate
/// `saml verify` process stays under 100 MB.
@Suite struct ParserShapeTests {
    /// Size of each generated worst case: just under the default 1 MiB limit.
    static let size = 1_000_000

    // MARK: - building documents

    static func unsigned() throws -> String { try Generated.response("unsigned.xml") }

    /// Extra attributes (or declarations) on the unsigned Response element.
    static func onRoot(_ extra: String) throws -> String {
        try unsigned().replacingOnce("InResponseTo=\"\(Generated.requestID)\">", with: "InResponseTo=\"\(Generated.requestID)\" \(extra)>")
    }

    /// Content in an Extensions element of the Response, outside anything signed.
    static func inExtensions(_ content: String) throws -> String {
        try unsigned().replacingOnce("  <samlp:Status>", with: "  <samlp:Extensions>\(content)</samlp:Extensions>\n  <samlp:Status>")
    }

    /// Content inside the assertion (in an attribute value), so the signature's canonicalization walks it.
    static func inAssertion(_ content: String, attributes: String = "") throws -> String {
        try unsigned().replacingOnce("<saml:AttributeStatement>", with:
            "<saml:AttributeStatement><saml:Attribute Name=\"pad\"><saml:AttributeValue\(attributes)>\(content)</saml:AttributeValue></saml:Attribute>")
    }

    /// `count` repetitions of `unit(i)` joined by `separator`, filling about `bytes` bytes.
    static func repeated(_ bytes: Int, separator: String = " ", _ unit: (Int) -> String) -> String {
        var out = ""
        out.reserveCapacity(bytes + 64)
        var i = 0
        while out.utf8.count < bytes {
            if i > 0 { out += separator }
            out += unit(i)
            i += 1
        }
        return out
    }

    /// The peer: a plain signed response of `bytes` bytes, padded as a large genuine response
    /// is — with more attributes, each value distinct.
    static func plainSigned(bytes: Int) throws -> [UInt8] {
        let block = "<saml:Attribute Name=\"urn:oid:1.3.6.1.4.1.5923.1.1.1.7\" NameFormat=\"urn:oasis:names:tc:SAML:2.0:attrname-format:uri\" FriendlyName=\"eduPersonEntitlement\"><saml:AttributeValue xsi:type=\"xs:string\">urn:mace:example.org:group:"
        let base = try Generated.sign(inAssertion(""), assertion: true, response: false)
        var padding = ""
        var i = 0
        while base.utf8.count + padding.utf8.count < bytes - 200 {
            padding += block + "\(i)</saml:AttributeValue></saml:Attribute>\n"
            i += 1
        }
        let unsignedXML = try unsigned().replacingOnce("<saml:AttributeStatement>", with: "<saml:AttributeStatement>" + padding)
        let signed = try Generated.sign(unsignedXML, assertion: true, response: false)
        // top up to the exact size with white space after the assertion (outside what is signed)
        let fill = String(repeating: " ", count: max(0, bytes - signed.utf8.count))
        return Array(signed.replacingOnce("</saml:Assertion>", with: "</saml:Assertion>" + fill).utf8)
    }

    // MARK: - checking

    static func verifier() throws -> ResponseVerifier {
        try Generated.verifier(policy: VerificationPolicy(detectReplay: false))
    }

    /// The outcome of one verification: the NameID, or the error code.
    static func outcome(_ verifier: ResponseVerifier, _ xml: [UInt8]) -> String {
        do {
            return try verifier.verifyWithoutReplayCheck(responseXML: xml, inResponseTo: Generated.requestID, now: Generated.now).nameID.value
        } catch let error as SAMLError {
            return error.code.rawValue
        } catch {
            return "unexpected \(error)"
        }
    }

    /// The pre-scan's verdict on `bytes` under `limits`: its outcome and the byte where it stopped.
    static func scan(_ bytes: [UInt8], _ limits: XMLLimits = .default) -> (outcome: Int32, offset: Int) {
        var scanLimits = limits.prescanLimits
        var result = saml_prescan_result()
        let outcome = bytes.withUnsafeBufferPointer { saml_prescan($0.baseAddress, $0.count, &scanLimits, &result) }
        return (outcome, result.offset)
    }

    /// What `bytes` cost as the limit at `limit` counts it: the least value of that limit under
    /// which the pre-scan accepts them (the other limits at their defaults).
    static func counted(_ bytes: [UInt8], _ limit: WritableKeyPath<XMLLimits, Int>) -> Int {
        var low = 0, high = XMLLimits.default[keyPath: limit]
        while low < high {
            var limits = XMLLimits.default
            limits[keyPath: limit] = (low + high) / 2
            if scan(bytes, limits).outcome == Int32(SAML_PRESCAN_OK) { high = (low + high) / 2 } else { low = (low + high) / 2 + 1 }
        }
        return low
    }

    /// Verifies `xml` and checks the outcome; then, without a clock, that its cost is bounded:
    /// - `refusedBy`: the pre-scan refuses it with one of these outcomes, and the verifier's reason
    ///   names the `XMLLimits` property passed (libxml2 never saw it);
    /// - otherwise the pre-scan lets it through, and it fills each limit in `fills` to more than
    ///   half without passing it: the shape is counted where its cost is capped.
    static func expectBounded(_ name: String, _ xml: String, outcome expected: String, or alternative: String? = nil,
                              refusedBy refusals: [Int32] = [], fills: [WritableKeyPath<XMLLimits, Int>] = [],
                              sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let bytes = Array(xml.utf8)
        let verifier = try verifier()
        let result = outcome(verifier, bytes)
        #expect(result == expected || result == alternative, "\(name): \(result)", sourceLocation: sourceLocation)
        let verdict = scan(bytes)
        if refusals.isEmpty {
            #expect(verdict.outcome == Int32(SAML_PRESCAN_OK), "\(name): the pre-scan refused it (\(verdict.outcome))", sourceLocation: sourceLocation)
        } else {
            #expect(refusals.contains(verdict.outcome), "\(name): pre-scan outcome \(verdict.outcome)", sourceLocation: sourceLocation)
            do {
                _ = try verifier.verifyWithoutReplayCheck(responseXML: bytes, inResponseTo: Generated.requestID, now: Generated.now)
            } catch let error as SAMLError {
                #expect(error.reason.contains("XMLLimits.maximum"), "\(name): \(error.reason)", sourceLocation: sourceLocation)
            }
        }
        for limit in fills {
            let cost = counted(bytes, limit), bound = XMLLimits.default[keyPath: limit]
            #expect(cost > bound / 2 && cost <= bound, "\(name): counts \(cost) against \(limit) of \(bound)", sourceLocation: sourceLocation)
        }
        print("shape \(name): \(bytes.count) bytes, \(result), pre-scan \(verdict.outcome) at byte \(verdict.offset)")
    }

    // MARK: - shapes past the limits: refused by the pre-scan

    @Test func manyAttributesOnOneElement() async throws {
        // 1 MB of attributes on one element: libxml2 2.9.14 alone spends ~20 s on this
        let xml = try Self.onRoot(Self.repeated(Self.size - 4000) { "a\($0)=\"\"" })
        try await Self.expectBounded("attributes on one element", xml, outcome: "tooLarge", refusedBy: [Int32(SAML_PRESCAN_ATTRIBUTES)])
    }

    @Test func manyNamespaceDeclarationsOnOneElement() async throws {
        let xml = try Self.onRoot(Self.repeated(Self.size - 4000) { "xmlns:n\($0)=\"urn:n\"" })
        try await Self.expectBounded("namespace declarations on one element", xml, outcome: "tooLarge", refusedBy: [Int32(SAML_PRESCAN_NAMESPACES)])
    }

    @Test func namespacesTimesDepthTimesElements() async throws {
        // every level declares 30 namespaces; 60 levels; the rest empty elements using them
        let declarations = (0..<30).map { "xmlns:n\($0)=\"urn:n\($0)\"" }.joined(separator: " ")
        let open = String(repeating: "<n0:d \(declarations)>", count: 60)
        let close = String(repeating: "</n0:d>", count: 60)
        let fill = Self.repeated(Self.size - 4000 - open.utf8.count - close.utf8.count, separator: "") { "<n\($0 % 30):e/>" }
        let xml = try Self.inExtensions(open.replacingOnce("<n0:d ", with: "<n0:d ") + fill + close)
        try await Self.expectBounded("namespaces x depth x elements", xml, outcome: "tooLarge", refusedBy: [Int32(SAML_PRESCAN_NAMESPACES_IN_SCOPE)])
    }

    @Test func longAttributeValue() async throws {
        let xml = try Self.onRoot("a=\"\(String(repeating: "v", count: Self.size - 4000))\"")
        try await Self.expectBounded("one long attribute value", xml, outcome: "tooLarge", refusedBy: [Int32(SAML_PRESCAN_ATTRIBUTE_VALUE)])
    }

    @Test func manySmallElements() async throws {
        let xml = try Self.inExtensions(Self.repeated(Self.size - 4000, separator: "") { _ in "<e/>" })
        try await Self.expectBounded("many small elements", xml, outcome: "tooLarge",
                                    refusedBy: [Int32(SAML_PRESCAN_ELEMENTS), Int32(SAML_PRESCAN_TOTAL_ANCESTORS)])
    }

    // MARK: - the same shapes just inside the limits: still bounded

    @Test func attributesAndNamespacesAtTheLimit() async throws {
        // 55 attributes, 30 declarations on the root; an element with 26 more in scope; 1,500
        // elements using them inside the signed assertion (canonicalization walks them)
        let attributes = (0..<55).map { "a\($0)=\"\(String(repeating: "v", count: 100))\"" }.joined(separator: " ")
        let rootDeclarations = (0..<30).map { "xmlns:r\($0)=\"urn:r\($0)\"" }.joined(separator: " ")
        let innerDeclarations = (0..<26).map { "xmlns:n\($0)=\"urn:n\($0)\"" }.joined(separator: " ")
        let fill = (0..<1_500).map { "<n\($0 % 26):e/>" }.joined()
        let unsignedXML = try Self.onRoot(attributes + " " + rootDeclarations)
            .replacingOnce("<saml:AttributeStatement>", with:
                "<saml:AttributeStatement><saml:Attribute Name=\"pad\"><saml:AttributeValue><n0:d \(innerDeclarations)>\(fill)</n0:d></saml:AttributeValue></saml:Attribute>")
        let xml = try Generated.sign(unsignedXML, assertion: true, response: false)
        try await Self.expectBounded("attributes, namespaces and elements at the limits (signed)", xml, outcome: "alice@example.com",
                                    fills: [\.maximumAttributesPerElement, \.maximumNamespacesInScope])
    }

    @Test func longAttributeValuesAtTheLimit() async throws {
        let values = (0..<14).map { "v\($0)=\"\(String(repeating: "<>&\"", count: 0))\(String(repeating: "a&amp;b", count: 9000))\"" }.joined(separator: " ")
        let xml = try Generated.sign(Self.inAssertion("x", attributes: " " + values), assertion: true, response: false)
        try await Self.expectBounded("long attribute values in the signed assertion", xml, outcome: "alice@example.com",
                                    fills: [\.maximumAttributeValueBytes])
    }

    @Test func manySmallElementsAtTheLimit() async throws {
        // 20,000 elements at depth 5: 100,000 ancestors in total, the default budget
        let xml = try Generated.sign(Self.inAssertion(String(repeating: "<e/>", count: 19_900)), assertion: true, response: false)
        try await Self.expectBounded("19,900 small elements in the signed assertion", xml, outcome: "alice@example.com",
                                    fills: [\.maximumTotalAncestors])
        let over = try Self.inAssertion(String(repeating: "<e/>", count: 21_000))
        try await Self.expectBounded("21,000 small elements in the assertion", over, outcome: "tooLarge",
                                    refusedBy: [Int32(SAML_PRESCAN_TOTAL_ANCESTORS)])
    }

    @Test func deepNestingAtTheLimitWithNamespaces() async throws {
        // 55 levels (the assertion adds 5), each redeclaring one namespace, 1,600 elements below:
        // just under 100,000 ancestors in total
        let open = (0..<55).map { "<n:d xmlns:n=\"urn:d\($0)\">" }.joined()
        let close = String(repeating: "</n:d>", count: 55)
        let xml = try Generated.sign(Self.inAssertion(open + String(repeating: "<n:e/>", count: 1_600) + close), assertion: true, response: false)
        try await Self.expectBounded("deep nesting with namespaces (signed)", xml, outcome: "alice@example.com",
                                    fills: [\.maximumDepth, \.maximumTotalAncestors])
    }

    /// A forged signature naming inclusive canonicalization (whose cost grows with elements ×
    /// namespaces in scope) over an assertion carrying as many namespaces and elements as the
    /// limits let through: refused by name before any canonicalization.
    @Test func forgedInclusiveCanonicalizationAtTheLimits() async throws {
        let outer = (0..<30).map { "xmlns:m\($0)=\"urn:m\($0)\"" }.joined(separator: " ")
        let declarations = (0..<25).map { "xmlns:n\($0)=\"urn:n\($0)\"" }.joined(separator: " ")
        let inner = "<m0:c \(outer)><n0:d \(declarations)>" + String(repeating: "<e/>", count: 1_400) + "</n0:d></m0:c>"
        let genuine = try Generated.sign(Self.inAssertion(inner), assertion: true, response: false)
        let exclusive = genuine.replacingOnce("<ds:SignatureValue>", with: "<ds:SignatureValue>AAAA")
        try await Self.expectBounded("forged signature, exclusive c14n", exclusive, outcome: "signatureInvalid",
                                    fills: [\.maximumNamespacesInScope])
        // Inclusive canonicalization costs elements × namespaces in scope squared inside libxml2;
        // SAML messages allow only exclusive canonicalization, so it is refused before any c14n.
        for method in ["http://www.w3.org/TR/2001/REC-xml-c14n-20010315", "http://www.w3.org/2006/12/xml-c14n11#WithComments"] {
            let forged = exclusive.replacingOccurrences(of: "http://www.w3.org/2001/10/xml-exc-c14n#", with: method)
            try await Self.expectBounded("forged signature, \(method)", forged, outcome: "algorithmNotAllowed",
                                        fills: [\.maximumNamespacesInScope])
        }
    }

    // MARK: - the limits are configurable

    @Test func limitsAreConfigurable() async throws {
        let tag = "<r " + (0..<100).map { "a\($0)=\"\"" }.joined(separator: " ") + "/>"
        #expect(throws: SAMLError.self) { try XMLDocument.parse(tag) }
        _ = try XMLDocument.parse(tag, limits: XMLLimits(maximumAttributesPerElement: 100))
        let declarations = "<r " + (0..<40).map { "xmlns:n\($0)=\"urn:n\"" }.joined(separator: " ") + "/>"
        #expect(throws: SAMLError.self) { try XMLDocument.parse(declarations) }
        _ = try XMLDocument.parse(declarations, limits: XMLLimits(maximumNamespaceDeclarationsPerElement: 40))
        let nested = "<a " + (0..<30).map { "xmlns:a\($0)=\"urn:n\"" }.joined(separator: " ") + "><b " + (0..<30).map { "xmlns:b\($0)=\"urn:n\"" }.joined(separator: " ") + "><c xmlns:c=\"urn:c\" xmlns:d=\"urn:c\" xmlns:e=\"urn:c\" xmlns:f=\"urn:c\" xmlns:g=\"urn:c\"/></b></a>"
        do { _ = try XMLDocument.parse(nested); Issue.record("accepted 65 namespaces in scope") } catch let error as SAMLError {
            #expect(error.code == .tooLarge)
            #expect(error.reason.contains("maximumNamespacesInScope"))
        }
        // siblings do not add up: only ancestors are in scope
        let siblings = "<a>" + String(repeating: "<b " + (0..<30).map { "xmlns:b\($0)=\"urn:n\"" }.joined(separator: " ") + "/>", count: 10) + "</a>"
        _ = try XMLDocument.parse(siblings)
        let elements = "<a>" + String(repeating: "<b/>", count: 20) + "</a>"
        _ = try XMLDocument.parse(elements, limits: XMLLimits(maximumElements: 21))
        #expect(throws: SAMLError.self) { try XMLDocument.parse(elements, limits: XMLLimits(maximumElements: 20)) }
        let value = "<a v=\"\(String(repeating: "x", count: 100))\"/>"
        _ = try XMLDocument.parse(value, limits: XMLLimits(maximumAttributeValueBytes: 100))
        #expect(throws: SAMLError.self) { try XMLDocument.parse(value, limits: XMLLimits(maximumAttributeValueBytes: 99)) }
    }

    /// The pre-scan must never read less structure than libxml2: markup hidden in comments, CDATA,
    /// processing instructions and attribute values is not counted; anything it cannot follow is refused.
    @Test func preScanReadsWhatTheParserReads() async throws {
        let many = (0..<100).map { "a\($0)=\"\"" }.joined(separator: " ")
        // not elements: skipped as wholes, parsed fine
        _ = try XMLDocument.parse("<r><!-- <x \(many)/> --><![CDATA[<x \(many)/>]]><?pi <x \(many)/> ?><s v='<'/></r>".replacingOccurrences(of: "<s v='<'/>", with: "<s v='&lt;'/>"))
        _ = try XMLDocument.parse("<r v='&gt; /> <x \(many)/>'/>".replacingOccurrences(of: "<x", with: "&lt;x"))
        // encodings whose markup bytes are not ASCII are refused before libxml2 converts them
        for bytes: [UInt8] in [[0xFF, 0xFE, 0x3C, 0x00, 0x72, 0x00, 0x2F, 0x00, 0x3E, 0x00], [0x3C, 0x00, 0x72, 0x00, 0x2F, 0x00, 0x3E, 0x00],
                               Array("<?xml version='1.0' encoding='UTF-16'?><r/>".utf8), Array("<?xml version='1.0' encoding='IBM037'?><r/>".utf8)] {
            do { _ = try XMLDocument.parse(bytes); Issue.record("accepted \(bytes.prefix(12))") } catch let error as SAMLError {
                #expect(error.code == .unsupported || error.code == .malformedXML, "\(error)")
            }
        }
        _ = try XMLDocument.parse("\u{FEFF}<?xml version='1.0' encoding='utf-8'?>\n<r/>")
        _ = try XMLDocument.parse("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><r a='1'\n\tb = \"2\" />")
        _ = try XMLDocument.parse("<?xml version=\"1.0\" ?>\n<r/>")
        _ = try XMLDocument.parse("<?xml version='1.0' encoding='UTF-8' standalone='yes' ?><r/>")
        #expect(throws: SAMLError.self) { try XMLDocument.parse("<r a='1'b='2'/>") }
        #expect(throws: SAMLError.self) { try XMLDocument.parse("<r a/>") }
        #expect(throws: SAMLError.self) { try XMLDocument.parse("<r></r><r/>") }
        #expect(throws: SAMLError.self) { try XMLDocument.parse("text<r/>") }
        do { _ = try XMLDocument.parse("<!DOCTYPE r [<!ATTLIST r \(many)>]><r/>"); Issue.record("accepted a DOCTYPE") } catch let error as SAMLError {
            #expect(error.code == .doctypeForbidden)
        }
    }

    // MARK: - transforms and references

    /// An XSLT transform holding an exponential stylesheet never runs: the transform is refused
    /// by name before xmlsec sees the signature.
    @Test func xsltAndXPathTransformsAreRefusedByName() async throws {
        let bomb = """
        <ds:Transform Algorithm="http://www.w3.org/TR/1999/REC-xslt-19991116"><xsl:stylesheet xmlns:xsl="http://www.w3.org/1999/XSL/Transform" version="1.0">\
        <xsl:template match="/"><xsl:call-template name="b"><xsl:with-param name="n" select="40"/></xsl:call-template></xsl:template>\
        <xsl:template name="b"><xsl:param name="n"/><xsl:if test="$n &gt; 0"><xsl:call-template name="b"><xsl:with-param name="n" select="$n - 1"/></xsl:call-template>\
        <xsl:call-template name="b"><xsl:with-param name="n" select="$n - 1"/></xsl:call-template></xsl:if></xsl:template></xsl:stylesheet></ds:Transform>
        """
        let xpath = """
        <ds:Transform Algorithm="http://www.w3.org/TR/1999/REC-xpath-19991116"><ds:XPath>count(//. | //@* | //namespace::*) &gt; 0</ds:XPath></ds:Transform>
        """
        let signed = try Generated.response("assertion-signed.xml")
        for (name, transform) in [("XSLT", bomb), ("XPath", xpath)] {
            let xml = signed.replacingOnce("<ds:Transforms>", with: "<ds:Transforms>\(transform)")
            #expect(xml != signed)
            try await Self.expectBounded("\(name) transform", xml, outcome: "algorithmNotAllowed")
        }
    }

    /// A Reference naming its target by XPointer (or anything but `#ID`) is refused before xmlsec
    /// resolves it.
    @Test func xpointerReferencesAreRefused() async throws {
        let signed = try Generated.response("assertion-signed.xml")
        let verifier = try Self.verifier()
        let uri = "URI=\"#\(Generated.assertionID)\""
        for replacement in ["URI=\"#xpointer(id('\(Generated.assertionID)'))\"", "URI=\"#xpointer(/)\"", "URI=\"\"",
                            "URI=\"http://attacker.example/x.xml\"", "URI=\"#xpointer(//*[local-name()='Assertion'])\""] {
            let xml = signed.replacingOnce(uri, with: replacement)
            let result = Self.outcome(verifier, Array(xml.utf8))
            #expect(result == "wrappedSignature" || result == "algorithmNotAllowed", "\(replacement): \(result)")
        }
    }

    // MARK: - memory

    /// Peak resident memory of a `saml verify` process fed the worst cases (and the peer).
    @Test func peakMemoryStaysBounded() async throws {
        let documents: [(String, String)] = [
            ("attributes", try Self.onRoot(Self.repeated(Self.size - 4000) { "a\($0)=\"\"" })),
            ("namespaces", try Self.onRoot(Self.repeated(Self.size - 4000) { "xmlns:n\($0)=\"urn:n\"" })),
            ("elements", try Self.inExtensions(Self.repeated(Self.size - 4000, separator: "") { _ in "<e/>" })),
            ("elements at the limit", try Generated.sign(Self.inAssertion(String(repeating: "<e/>", count: 19_900)), assertion: true, response: false)),
            ("peer", String(decoding: try Self.plainSigned(bytes: Self.size), as: UTF8.self)),
        ]
        let executable = try CLI.executable()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("saml-shapes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for (name, xml) in documents {
            let file = directory.appendingPathComponent("\(name.replacingOccurrences(of: " ", with: "-")).xml")
            try Data(xml.utf8).write(to: file)
            let options = CLI.verifyOptions.map { $0.hasPrefix("Fixtures/") ? CLI.repositoryRoot.appendingPathComponent($0).path : $0 }
            let (status, peakKB) = try Self.runMeasured(executable.path, ["verify"] + options + [file.path])
            print("shape \(name): saml verify exit \(status), peak RSS \(peakKB / 1024) MB")
            #expect(status == (name.hasSuffix("limit") || name == "peer" ? 0 : 1), "\(name): exit \(status)")
            #expect(peakKB < Self.memoryLimitKB, "\(name): peak RSS \(peakKB) KB")
        }
    }

    /// 100 MB; under AddressSanitizer or ThreadSanitizer (`scripts/sanitize.sh` sets ASAN_OPTIONS
    /// or TSAN_OPTIONS) shadow memory multiplies every allocation, so the bound is scaled by 3.
    static let memoryLimitKB: Int = {
        let environment = ProcessInfo.processInfo.environment
        return (environment["ASAN_OPTIONS"] == nil && environment["TSAN_OPTIONS"] == nil ? 1 : 3) * 100 * 1024
    }()

    /// Runs `saml` under a small python3 parent and returns its exit status and peak RSS (KB).
    /// The parent reports the child's own high-water mark; spawning it from the test process
    /// would count the test process's memory too (a vfork child starts in its parent's pages).
    static func runMeasured(_ path: String, _ arguments: [String]) throws -> (Int32, Int) {
        let script = """
        import resource, subprocess, sys
        r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        print(r.returncode if r.returncode >= 0 else 128 - r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
        """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, path] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let fields = output.split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        guard process.terminationStatus == 0, fields.count == 2 else {
            throw SAMLError(.libraryFailure, "python3 could not measure the child (exit \(process.terminationStatus)): \(output)")
        }
        return (Int32(fields[0]), fields[1])
    }
}
