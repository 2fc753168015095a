import Foundation
import SAML
import SAMLCore
import SAMLTesting
import SAMLXMLSec
@_spi(Tools) import SAMLVerification
import Testing
import SAMLTestSupport

/// Small edges of reading a document: xs:boolean spellings and relative namespace names.
@Suite("Document edges")
struct DocumentEdgeTests {
    static func check(_ xml: String) throws -> VerifiedAssertion {
        try Generated.verifier().verifyWithoutReplayCheck(responseXML: Array(xml.utf8), inResponseTo: Generated.requestID, now: Generated.now)
    }

    @Test("xsi:nil reads as absent in every xs:boolean spelling of true, and only in those",
          arguments: [("true", true), ("1", true), (" 1 ", true), ("false", false), ("0", false)])
    func xsiNil(_ value: String, _ absent: Bool) throws {
        let xml = try Generated.signed(edits: [("<saml:AttributeValue xsi:type=\"xs:string\">Alice</saml:AttributeValue>",
                                                "<saml:AttributeValue xsi:type=\"xs:string\" xsi:nil=\"\(value)\"></saml:AttributeValue>")])
        let assertion = try Self.check(xml)
        #expect(assertion.values(of: "givenName") == (absent ? [] : [""]), "xsi:nil=\"\(value)\"")
    }

    @Test("a relative namespace URI is refused as what it is, signed or not, not as content changed after signing",
          arguments: ["<saml:Subject>", "<samlp:Status>"])
    func relativeNamespace(_ element: String) throws {
        let signed = try Generated.signed()
        #expect(signed.contains(element))
        let edited = signed.replacingOccurrences(of: element, with: String(element.dropLast()) + " xmlns:rel=\"relative/path\">")
        do {
            _ = try Self.check(edited)
            Issue.record("accepted a relative namespace URI")
        } catch let error as SAMLError {
            #expect(error.code == .unsupported, "\(error)")
            #expect(error.reason.contains("relative namespace"), "\(error)")
            #expect(error.reason.contains("xmlns:rel=\"relative/path\""), "\(error)")
            #expect(!error.reason.contains("changed after it was signed"), "\(error)")
        }
        // Absolute URIs (any scheme) and undeclaring the default namespace are ordinary.
        for declaration in ["xmlns:a=\"urn:x\"", "xmlns:a=\"https://example.com/ns\"", "xmlns=\"\""] {
            _ = try XMLDocument.parse("<r \(declaration)><e/></r>")
        }
    }
}
