import Foundation
import SAML
import SAMLCore
import SAMLXMLSec
import Testing

/// The narrow verification path (libxml2 exclusive c14n + OpenSSL EVP, for the SAML profile's
/// one shape) against xmlsec's generic path as the oracle: on every fixture, every constructed
/// attack, variants aimed at the narrow path's own checks and randomly damaged copies, whenever
/// the narrow path decides it must agree with xmlsec on the verdict, the reference, and the
/// exact canonical bytes digested.
@Suite("Narrow signature path agrees with xmlsec")
struct NarrowSignatureDifferentialTests {
    static let ds = "http://www.w3.org/2000/09/xmldsig#"
    static let keyNames = ["idp-rsa", "idp-rsa-next", "attacker-rsa", "idp-ec256"]

    static func keys() throws -> [(String, PublicKeyHandle)] {
        try keyNames.map { ($0, try PublicKeyHandle(certificateDER: Generated.certificate($0).der)) }
    }

    /// Every fixture response under Fixtures/generated/responses, recursively.
    static func fixtureDocuments() throws -> [(String, String)] {
        let root = Fixtures.url("generated/responses")
        let files = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)!
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "xml" }.sorted { $0.path < $1.path }
        return try files.map { ($0.lastPathComponent, try String(contentsOf: $0, encoding: .utf8)) }
    }

    /// Variants of the signed fixtures aimed at what the narrow path checks itself.
    static func narrowVariants() throws -> [(String, String)] {
        let a = try Generated.response("assertion-signed.xml")
        let r = try Generated.response("response-signed.xml")
        let digest = a.slice(from: "<ds:DigestValue>", through: "</ds:DigestValue>")!
        let sigValue = a.slice(from: "<ds:SignatureValue>", through: "</ds:SignatureValue>")!
        let exc = #"<ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>"#
        let reference = a.slice(from: "<ds:Reference ", through: "</ds:Reference>")!
        let uri = "URI=\"#\(Generated.assertionID)\""
        return [
            ("comment in NameID", a.replacingOnce(">alice@example.com<", with: ">alice@example.com<!-- x --><")),
            ("comment in SignedInfo", a.replacingOnce("<ds:SignedInfo>", with: "<ds:SignedInfo><!-- c -->")),
            ("NameID changed", a.replacingOnce(">alice@example.com<", with: ">alicf@example.com<")),
            ("attribute value changed", a.replacingOnce(#"Version="2.0" IssueInstant="2026-01-15T10:00:00Z">"#, with: #"Version="2.0" IssueInstant="2026-01-15T10:00:01Z">"#)),
            ("unused namespace on the Response", a.replacingOnce("<samlp:Response ", with: #"<samlp:Response xmlns:unused="urn:x" "#)),
            ("unused namespace on the Assertion", a.replacingOnce("<saml:Assertion ", with: #"<saml:Assertion xmlns:unused="urn:x" "#)),
            ("default namespace on the Response", a.replacingOnce("<samlp:Response ", with: #"<samlp:Response xmlns="urn:x" "#)),
            ("whitespace in DigestValue", a.replacingOnce("<ds:DigestValue>", with: "<ds:DigestValue>\n  ")),
            ("DigestValue of another length", a.replacingOnce(digest, with: "<ds:DigestValue>AAAA</ds:DigestValue>")),
            ("DigestValue not base64", a.replacingOnce(digest, with: "<ds:DigestValue>!!!!</ds:DigestValue>")),
            ("DigestValue flipped", a.replacingOnce("<ds:DigestValue>", with: "<ds:DigestValue>A").replacingOnce("=</ds:DigestValue>", with: "</ds:DigestValue>")),
            ("SignatureValue truncated", a.replacingOnce(sigValue, with: "<ds:SignatureValue>" + sigValue.dropFirst(19).prefix(40) + "</ds:SignatureValue>")),
            ("SignatureValue empty", a.replacingOnce(sigValue, with: "<ds:SignatureValue></ds:SignatureValue>")),
            ("InclusiveNamespaces", a.replacingOnce(exc + "\n", with: #"<ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"><ec:InclusiveNamespaces xmlns:ec="http://www.w3.org/2001/10/xml-exc-c14n#" PrefixList="xs"/></ds:Transform>"# + "\n")),
            ("transforms in the other order", a.replacingOnce(exc, with: "").replacingOnce("<ds:Transforms>", with: "<ds:Transforms>" + exc)),
            ("only exc-c14n", a.replacingOnce(#"<ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>"#, with: "")),
            ("two references", a.replacingOnce("</ds:Reference>", with: "</ds:Reference>" + reference)),
            ("xpointer URI", a.replacingOnce(uri, with: "URI=\"#xpointer(id('\(Generated.assertionID)'))\"")),
            ("URI to the Response", a.replacingOnce(uri, with: "URI=\"#\(Generated.responseID)\"")),
            ("URI to nothing", a.replacingOnce(uri, with: "URI=\"#nothing\"")),
            ("element after SignatureValue", a.replacingOnce("</ds:SignatureValue>", with: "</ds:SignatureValue><ds:Bogus/>")),
            ("Object after KeyInfo", a.replacingOnce("</ds:Signature>", with: "<ds:Object><x/></ds:Object></ds:Signature>")),
            ("response signature, NameID changed", r.replacingOnce(">alice@example.com<", with: ">alicf@example.com<")),
            ("response signature, comment before Status", r.replacingOnce("<samlp:Status>", with: "<!-- c --><samlp:Status>")),
        ]
    }

    /// Compares both paths on every signature of `xml` with every key; returns how many times
    /// the narrow path decided and how many of those it accepted.
    static func compare(_ name: String, _ xml: String, keys: [(String, PublicKeyHandle)]) throws -> (decided: Int, accepted: Int) {
        guard let document = try? XMLDocument.parse(xml), let root = document.root else { return (0, 0) }
        var signatures = root.descendants("Signature", ds)
        if root.is("Signature", ds) { signatures.append(root) }
        var decided = 0, accepted = 0
        for signature in signatures {
            for (keyName, key) in keys {
                let generic = try signature.verifySignatureGenericPath(with: key, allowed: Algorithms.signatureAllowlist(allowSHA1: false, allowInclusive: false))
                guard let narrow = try signature.verifySignatureNarrowPath(with: key) else { continue }
                decided += 1
                if narrow.succeeded { accepted += 1 }
                #expect(narrow.succeeded == generic.succeeded, "\(name), key \(keyName): narrow \(narrow.succeeded), xmlsec \(generic.succeeded)")
                #expect(narrow.referenceCount == generic.referenceCount, "\(name), key \(keyName)")
                #expect(narrow.referenceDigestMatched == generic.referenceDigestMatched, "\(name), key \(keyName)")
                #expect(narrow.referenceURI == generic.referenceURI, "\(name), key \(keyName)")
                #expect(narrow.canonicalReference == generic.canonicalReference,
                        "\(name), key \(keyName): canonical forms differ (\(narrow.canonicalReference.count) vs \(generic.canonicalReference.count) bytes)")
            }
        }
        return (decided, accepted)
    }

    @Test("the plain signed fixtures take the narrow path and verify with the IdP key only")
    func plainFixturesAreNarrow() throws {
        let idp = try PublicKeyHandle(certificateDER: Generated.certificate("idp-rsa").der)
        let attacker = try PublicKeyHandle(certificateDER: Generated.certificate("attacker-rsa").der)
        for file in ["assertion-signed.xml", "response-signed.xml", "both-signed.xml"] {
            let document = try XMLDocument.parse(try Generated.response(file))
            let signatures = try #require(document.root).descendants("Signature", Self.ds)
            #expect(!signatures.isEmpty, "\(file)")
            for signature in signatures {
                let good = try #require(try signature.verifySignatureNarrowPath(with: idp), "\(file): declined")
                #expect(good.succeeded && good.referenceDigestMatched && good.referenceCount == 1, "\(file)")
                let bad = try #require(try signature.verifySignatureNarrowPath(with: attacker), "\(file): declined")
                #expect(!bad.succeeded && bad.referenceDigestMatched, "\(file)")
            }
        }
        // Outside the profile: declined, left to xmlsec.
        let sha512 = try XMLDocument.parse(try Generated.response("assertion-signed-rsa-sha512.xml"))
        for signature in try #require(sha512.root).descendants("Signature", Self.ds) {
            #expect(try signature.verifySignatureNarrowPath(with: idp) == nil)
        }
        let ec = try PublicKeyHandle(certificateDER: Generated.certificate("idp-ec256").der)
        let ecDocument = try XMLDocument.parse(try Generated.response("assertion-signed-ec256.xml"))
        for signature in try #require(ecDocument.root).descendants("Signature", Self.ds) {
            #expect(try signature.verifySignatureNarrowPath(with: ec) == nil)
        }
    }

    @Test("fixtures, attack cases and narrow-path variants: same verdict, reference and canonical bytes")
    func agreesOnFixturesAndAttacks() throws {
        let keys = try Self.keys()
        var inputs = try Self.fixtureDocuments()
        inputs += VerificationAttackTests.cases.compactMap { c in (try? c.build()).map { (c.name, $0) } }
        inputs += try Self.narrowVariants()
        var decided = 0, accepted = 0
        for (name, xml) in inputs {
            let (d, a) = try Self.compare(name, xml, keys: keys)
            decided += d
            accepted += a
        }
        // Both verdicts were exercised on the narrow path, over many documents.
        #expect(decided > 100 && accepted > 10 && decided - accepted > 50, "decided \(decided), accepted \(accepted)")
    }

    @Test("randomly damaged copies of the signed fixtures: same verdict and canonical bytes")
    func agreesOnDamagedCopies() throws {
        let keys = try Self.keys()
        var rng = FormInputTests.SplitMix(state: 0x0DD5_1C14)
        var decided = 0, accepted = 0
        for file in ["assertion-signed.xml", "both-signed.xml"] {
            let original = Array(try Generated.response(file).utf8)
            for round in 0..<150 {
                var bytes = original
                for _ in 0..<Int.random(in: 1...3, using: &rng) {
                    let at = Int.random(in: 0..<bytes.count, using: &rng)
                    switch Int.random(in: 0..<3, using: &rng) {
                    case 0: bytes[at] = UInt8.random(in: 0x20...0x7E, using: &rng)
                    case 1: bytes.remove(at: at)
                    default: bytes.insert(Array(" \n<>=\"/".utf8).randomElement(using: &rng)!, at: at)
                    }
                }
                let (d, a) = try Self.compare("\(file) round \(round)", String(decoding: bytes, as: UTF8.self), keys: keys)
                decided += d
                accepted += a
            }
        }
        #expect(decided > 200 && decided - accepted > 100, "decided \(decided), accepted \(accepted)")
    }
}
