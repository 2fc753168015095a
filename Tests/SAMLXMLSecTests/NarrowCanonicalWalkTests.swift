import Foundation
import SAML
import SAMLCore
import SAMLSignatureOracle
import SAMLXMLSec
import SAMLTestSupport
import Testing

/// The narrow path's canonicalization starts its walk at the signed element (or SignedInfo)
/// instead of the document's root when the document check found every namespace name absolute
/// and the tree has not changed since; the one-walk document check also counts the assertions.
/// xmlsec (which always walks the whole document) stays the oracle.
@Suite("Narrow path: canonicalization walks only the signed subtree")
struct NarrowCanonicalWalkTests {
    static let ds = "http://www.w3.org/2000/09/xmldsig#"

    static func signatures(_ document: XMLDocument) throws -> [XMLElement] {
        try #require(document.root).descendants("Signature", ds)
    }

    @Test("the walk from the signed element gives the bytes of the walk over the whole document")
    func subtreeWalkMatchesWholeDocumentWalk() throws {
        let idp = try PublicKeyHandle(certificateDER: Generated.certificate("idp-rsa").der)
        for file in ["assertion-signed.xml", "response-signed.xml", "both-signed.xml"] {
            let xml = try Generated.response(file)
            let checked = try XMLDocument.parse(xml)
            // An unused declaration changes no canonical byte, but the changed tree is walked whole.
            let changed = try XMLDocument.parse(xml)
            try #require(changed.root).declareNamespace("urn:example:unused", prefix: "unused")
            let short = try Self.signatures(checked), whole = try Self.signatures(changed)
            #expect(short.count == whole.count && !short.isEmpty, "\(file)")
            for (a, b) in zip(short, whole) {
                let fromSubtree = try #require(try a.verifySignatureNarrowPath(with: idp), "\(file): declined")
                let fromRoot = try #require(try b.verifySignatureNarrowPath(with: idp), "\(file): declined after the change")
                let oracle = try a.verifySignatureGenericPath(with: idp, allowed: Algorithms.signatureAllowlist(allowSHA1: false, allowInclusive: false))
                #expect(fromSubtree.succeeded && fromRoot.succeeded && oracle.succeeded, "\(file)")
                #expect(!fromSubtree.canonicalReference.isEmpty, "\(file)")
                #expect(fromSubtree.canonicalReference == fromRoot.canonicalReference, "\(file): the two walks differ")
                #expect(fromSubtree.canonicalReference == oracle.canonicalReference, "\(file): xmlsec's bytes differ")
            }
        }
    }

    @Test("a relative namespace name added outside the signed element after the check: refused as xmlsec refuses it")
    func relativeNamespaceAddedLaterIsNotSkipped() throws {
        let idp = try PublicKeyHandle(certificateDER: Generated.certificate("idp-rsa").der)
        let allowed = Algorithms.signatureAllowlist(allowSHA1: false, allowInclusive: false)
        let document = try XMLDocument.parse(try Generated.response("assertion-signed.xml"))
        let signature = try #require(try Self.signatures(document).first)
        #expect(try signature.verifySignatureNarrowPath(with: idp)?.succeeded == true)
        #expect(try signature.verifySignatureGenericPath(with: idp, allowed: allowed).succeeded)

        // On the Response, above the signed Assertion: a walk from the Assertion would never see it.
        try #require(document.root).declareNamespace("relative/name", prefix: "rel")
        #expect(try signature.verifySignatureGenericPath(with: idp, allowed: allowed).succeeded == false)
        let narrow = try signature.verifySignatureNarrowPath(with: idp)
        #expect(narrow == nil || narrow?.succeeded == false, "the narrow path accepted what xmlsec refuses")
        // and the document check, run again, names it
        #expect(throws: SAMLError.self) { try document.registerIDs() }
    }

    @Test("the assertion count of the document check is the count of a walk, and follows changes")
    func assertionCountFollowsTheTree() throws {
        let assertion = "urn:oasis:names:tc:SAML:2.0:assertion"
        for file in ["assertion-signed.xml", "both-signed.xml", "response-signed.xml"] {
            let document = try XMLDocument.parse(try Generated.response(file))
            let root = try #require(document.root)
            let walked = root.countDescendants(named: ["Assertion", "EncryptedAssertion"], assertion)
            #expect(walked == 1, "\(file)")
            #expect(document.assertionsBelowRoot == walked, "\(file)")
            #expect(root.assertionDescendantCount == walked, "\(file)")
            root.addChild("Assertion", namespace: assertion, prefix: "saml")
            #expect(document.assertionsBelowRoot == nil, "\(file): the count outlived a change")
            #expect(root.assertionDescendantCount == 2, "\(file)")
            try document.registerIDs()
            #expect(document.assertionsBelowRoot == 2, "\(file)")
        }
        // a wrapped copy hidden deeper is counted too
        let wrapped = try XMLDocument.parse(try Generated.response("assertion-signed.xml")
            .replacingOccurrences(of: "</samlp:Status>", with: "</samlp:Status><samlp:Extensions><saml:Assertion/></samlp:Extensions>"))
        #expect(try #require(wrapped.root).assertionDescendantCount == 2)
    }
}
