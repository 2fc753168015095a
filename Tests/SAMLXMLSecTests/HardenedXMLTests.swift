import Foundation
import SAML
import SAMLXMLSec
import Testing
import SAMLTestSupport

/// The parser every module shares refuses DTDs, entities, oversized and over-deep input.
@Suite struct HardenedXMLTests {
    static func parse(_ text: String, limits: XMLLimits = .default) throws {
        _ = try XMLDocument.parse(text, limits: limits)
    }

    @Test func doctypeIsRefused() {
        #expect(throws: SAMLError.self) { try Self.parse("<!DOCTYPE a><a/>") }
        do { try Self.parse("<!DOCTYPE a SYSTEM \"http://example.com/a.dtd\"><a/>") } catch let e as SAMLError {
            #expect(e.code == .doctypeForbidden)
        } catch { Issue.record("\(error)") }
    }

    @Test func externalEntityIsNeverLoaded() throws {
        let xxe = "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/hostname\">]><r>&x;</r>"
        do { try Self.parse(xxe); Issue.record("accepted") } catch let e as SAMLError { #expect(e.code == .doctypeForbidden) }
        let parameter = "<!DOCTYPE r [<!ENTITY % p SYSTEM \"http://127.0.0.1:1/evil.dtd\"> %p;]><r/>"
        do { try Self.parse(parameter); Issue.record("accepted") } catch let e as SAMLError { #expect(e.code == .doctypeForbidden) }
    }

    @Test func billionLaughsIsRefusedBeforeExpansion() throws {
        var dtd = "<!ENTITY l0 \"lol\">"
        for i in 1...9 { dtd += "<!ENTITY l\(i) \"" + String(repeating: "&l\(i - 1);", count: 10) + "\">" }
        let bomb = "<?xml version=\"1.0\"?><!DOCTYPE r [\(dtd)]><r>&l9;</r>"
        let before = Self.maxRSS()
        do { try Self.parse(bomb); Issue.record("accepted") } catch let e as SAMLError { #expect(e.code == .doctypeForbidden) }
        #expect(Self.maxRSS() - before < 64 << 20, "parsing must not expand entities")
    }

    @Test func quadraticBlowupIsRefused() throws {
        let entity = String(repeating: "A", count: 50_000)
        let body = String(repeating: "&a;", count: 40_000)
        let bomb = "<!DOCTYPE r [<!ENTITY a \"\(entity)\">]><r>\(body)</r>"
        #expect(bomb.utf8.count < 1 << 20)
        let before = Self.maxRSS()
        do { try Self.parse(bomb); Issue.record("accepted") } catch let e as SAMLError { #expect(e.code == .doctypeForbidden) }
        #expect(Self.maxRSS() - before < 64 << 20)
    }

    @Test func undeclaredEntityIsMalformed() throws {
        do { try Self.parse("<r>&x;</r>"); Issue.record("accepted") } catch let e as SAMLError { #expect(e.code == .malformedXML) }
    }

    @Test func oversizedInputIsRefusedWithoutParsing() throws {
        let big = "<r>" + String(repeating: "x", count: 10 << 20) + "</r>"
        do { try Self.parse(big); Issue.record("accepted") } catch let e as SAMLError { #expect(e.code == .tooLarge) }
        // a raised limit lets the same document through
        try Self.parse(big, limits: XMLLimits(maximumBytes: 11 << 20))
    }

    @Test func deepNestingIsRefused() throws {
        let deep = String(repeating: "<a>", count: 65) + String(repeating: "</a>", count: 65)
        do { try Self.parse(deep); Issue.record("accepted") } catch let e as SAMLError { #expect(e.code == .malformedXML) }
        try Self.parse(String(repeating: "<a>", count: 64) + String(repeating: "</a>", count: 64))
        let veryDeep = String(repeating: "<a>", count: 100_000) + String(repeating: "</a>", count: 100_000)
        do { try Self.parse(veryDeep, limits: XMLLimits(maximumBytes: 4 << 20)); Issue.record("accepted") } catch let e as SAMLError { #expect(e.code == .malformedXML) }
    }

    @Test func malformedInputs() throws {
        for text in ["", "<", "<a>", "<a></b>", "<a x='1' x='2'/>", "<p:a/>", "\u{0}", "<a/><b/>"] {
            do { try Self.parse(text); Issue.record("accepted \(text)") } catch let e as SAMLError {
                #expect(e.code == .malformedXML, "\(text.debugDescription): \(e)")
            }
        }
    }

    @Test func duplicateIDsAreRefused() throws {
        do { try Self.parse("<r><a ID='x'/><b ID='x'/></r>"); Issue.record("accepted") } catch let e as SAMLError { #expect(e.code == .duplicateID) }
        do { try Self.parse("<r xml:id='x'><a ID='x'/></r>"); Issue.record("accepted") } catch let e as SAMLError { #expect(e.code == .duplicateID) }
        try Self.parse("<r><a ID='x'/><b ID='y'/></r>")
    }

    @Test func noNetworkAccessForExternalSubset() throws {
        // even a public identifier pointing at the network is refused before any fetch
        let text = "<!DOCTYPE r PUBLIC \"-//X//DTD X//EN\" \"http://127.0.0.1:9/x.dtd\"><r/>"
        do { try Self.parse(text); Issue.record("accepted") } catch let e as SAMLError { #expect(e.code == .doctypeForbidden) }
    }

    @Test func errorsCarryTheLibraryMessage() throws {
        do { try Self.parse("<a></b>"); Issue.record("accepted") } catch let e as SAMLError {
            #expect(e.libraryMessage?.contains("mismatch") == true, "\(e)")
        }
    }

    @Test func concurrentParsingIsSafe() async throws {
        let text = try Generated.response("assertion-signed.xml")
        // Each task reports what it saw: well-formed documents read back their own root, and a
        // malformed one gets its own thread's library message, not a neighbour's.
        let outcomes = try await withThrowingTaskGroup(of: String.self) { group in
            for i in 0..<16 {
                group.addTask {
                    if i % 2 == 0 {
                        let document = try XMLDocument.parse(text)
                        let root = try #require(document.root)
                        return "parsed \(root.localName) \(root.attribute("ID") ?? "-") \(root.countDescendants(named: ["Assertion"], NS.assertion))"
                    }
                    do {
                        try Self.parse("<a></b>")
                        return "accepted"
                    } catch let e as SAMLError {
                        return "refused \(e.code) \(e.libraryMessage?.contains("mismatch") == true)"
                    }
                }
            }
            var all: [String] = []
            for try await outcome in group { all.append(outcome) }
            return all
        }
        #expect(outcomes.count == 16)
        #expect(outcomes.filter { $0 == "parsed Response \(Generated.responseID) 1" }.count == 8, "\(outcomes)")
        #expect(outcomes.filter { $0 == "refused malformedXML true" }.count == 8, "\(outcomes)")
    }

    /// Peak resident set size of this process, in bytes.
    static func maxRSS() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss * 1024
    }
}
