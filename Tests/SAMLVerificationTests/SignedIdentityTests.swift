import Foundation
import SAML
import SAMLCore
import SAMLXMLSec
import Testing
import SAMLTestSupport

/// The element read must be the very element the verified Reference digested. xmlsec resolves
/// `URI="#id"` as the XPointer `id('id')`: it unescapes `^^` to `^` and splits the value on
/// whitespace. An Assertion whose ID is `_a^^b` (or `_a _x`) beside a decoy whose ID is `_a^b`
/// (or `_x`) therefore gets a signature that digests the decoy; with the Assertion's NameID
/// edited afterwards, the URI text still equals `#` + the Assertion's ID. Each such document is
/// signed here with the IdP's own key, as a careless IdP would, and must be refused.
@Suite struct SignedIdentityTests {
    struct Shape: Sendable, CustomTestStringConvertible {
        let assertionID: String
        let decoyID: String
        let algorithm: SignatureAlgorithmCode
        var testDescription: String { "Assertion ID \"\(assertionID)\", decoy \"\(decoyID)\", \(algorithm)" }
    }

    static let shapes: [Shape] = [
        Shape(assertionID: "_a^^b", decoyID: "_a^b", algorithm: .rsaSHA256),
        Shape(assertionID: "_a^^b", decoyID: "_a^b", algorithm: .rsaSHA512),
        Shape(assertionID: "_a _x", decoyID: "_x", algorithm: .rsaSHA256),
        Shape(assertionID: "_a _x", decoyID: "_x", algorithm: .rsaSHA512),
    ]

    /// The signed document (Assertion signed by the IdP key over the decoy) with the NameID then
    /// edited.
    static func attack(_ shape: Shape) throws -> String {
        let decoy = "<samlp:Extensions><x:Decoy xmlns:x=\"urn:decoy\" ID=\"\(shape.decoyID)\">signed</x:Decoy></samlp:Extensions>"
        let signed = try Generated.signed(edits: [
            ("ID=\"\(Generated.assertionID)\"", "ID=\"\(shape.assertionID)\""),
            ("<samlp:Status>", decoy + "<samlp:Status>"),
        ], algorithm: shape.algorithm)
        #expect(signed.contains("URI=\"#\(shape.assertionID)\""))
        return signed.replacingOnce(">alice@example.com</saml:NameID>", with: ">mallory@evil.example</saml:NameID>")
    }

    @Test(arguments: shapes)
    func assertionWhoseIDIsNoNCNameIsRefused(_ shape: Shape) async throws {
        let xml = try Self.attack(shape)
        let verifier = try Generated.verifier()
        await expectRejection(.wrappedSignature) {
            _ = try await verifier.verify(responseXML: Array(xml.utf8), inResponseTo: Generated.requestID, now: Generated.now)
        }
        await expectRejection(.wrappedSignature) {
            _ = try await verifier.verify(samlResponse: Data(xml.utf8).base64EncodedString(), inResponseTo: Generated.requestID, now: Generated.now)
        }
    }

    @Test(arguments: shapes)
    func responseWhoseIDIsNoNCNameIsRefused(_ shape: Shape) async throws {
        // The same on the Response's signature: the Response's ID carries the shape.
        let decoy = "<samlp:Extensions><x:Decoy xmlns:x=\"urn:decoy\" ID=\"\(shape.decoyID)\">signed</x:Decoy></samlp:Extensions>"
        let signed = try Generated.signed(edits: [
            ("ID=\"\(Generated.responseID)\"", "ID=\"\(shape.assertionID)\""),
            ("<samlp:Status>", decoy + "<samlp:Status>"),
        ], assertion: false, response: true, algorithm: shape.algorithm)
        let xml = signed.replacingOnce(">alice@example.com</saml:NameID>", with: ">mallory@evil.example</saml:NameID>")
        await expectRejection(.wrappedSignature) {
            _ = try await Generated.verifier().verify(responseXML: Array(xml.utf8), inResponseTo: Generated.requestID, now: Generated.now)
        }
    }

    /// Below the policy: the C verification itself (narrow path first, xmlsec's otherwise)
    /// resolves `#id` by the registered ID alone and reports the node its one Reference
    /// digested. On these documents a verified reference never covers the Assertion, whatever
    /// the URI text says; on a well-formed one it covers exactly the Assertion.
    @Test(arguments: shapes)
    func aVerifiedReferenceNeverCoversTheEditedAssertion(_ shape: Shape) throws {
        let key = try PublicKeyHandle(certificateDER: Generated.certificate("idp-rsa").der)
        let allowed = Algorithms.signatureAllowlist(allowSHA1: false, allowInclusive: false)
        let document = try XMLDocument.parse(try Self.attack(shape))
        let assertion = try #require(document.root?.child("Assertion", NS.assertion))
        let check = try #require(assertion.child("Signature", NS.dsig)).verifySignature(with: key, allowed: allowed)
        #expect(check.referenceURI == "#" + shape.assertionID)
        #expect(!(check.succeeded && check.covers(assertion)), "\(shape.testDescription): verified and covering the Assertion")

        let control = try XMLDocument.parse(try Generated.signed(algorithm: shape.algorithm))
        let signed = try #require(control.root?.child("Assertion", NS.assertion))
        let good = try #require(signed.child("Signature", NS.dsig)).verifySignature(with: key, allowed: allowed)
        let response = try #require(control.root)
        #expect(good.succeeded && good.covers(signed) && !good.covers(response))
    }

    @Test func signedElementIDsMustBeNCNames() {
        for good in ["_a", "a", "_assert-8e4c61f09d2b4a7c93e5", "id.1-2_3", "\u{00E9}l\u{00E9}ment", "_\u{0300}"] {
            #expect(NCName.isValid(good), "\(good)")
        }
        for bad in ["", "1abc", "-a", ".a", "_a^^b", "_a _x", "a:b", "_a\tb", "id('x')", "_a'b", "_a\"b", "_a(b", "#a", "_a,b"] {
            #expect(!NCName.isValid(bad), "\(bad)")
        }
    }
}
