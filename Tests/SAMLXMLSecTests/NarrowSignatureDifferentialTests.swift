import Foundation
import SAML
import SAMLCore
import SAMLSignatureOracle
import SAMLXMLSec
import Testing
import SAMLTestSupport

/// The narrow verification path (libxml2 exclusive c14n + OpenSSL EVP, for the SAML profile's
/// one shape) against xmlsec's generic path as the oracle: on every fixture, every constructed
/// attack, variants aimed at the narrow path's own checks and randomly damaged copies, whenever
/// the narrow path decides it must agree with xmlsec on the verdict, the reference, and the
/// exact canonical bytes digested.
@Suite("Narrow signature path agrees with xmlsec")
struct NarrowSignatureDifferentialTests {
    static let ds = "http://www.w3.org/2000/09/xmldsig#"
    static let keyNames = ["idp-rsa", "idp-rsa-next", "attacker-rsa", "idp-ec256", "idp-ec384"]

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
                #expect(narrow.referencedNode == generic.referencedNode, "\(name), key \(keyName): different referenced nodes")
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
        // RSA-SHA512 and ECDSA signed by the xmlsec1 CLI take the narrow path too.
        let sha512 = try XMLDocument.parse(try Generated.response("assertion-signed-rsa-sha512.xml"))
        for signature in try #require(sha512.root).descendants("Signature", Self.ds) {
            #expect(try signature.verifySignatureNarrowPath(with: idp)?.succeeded == true)
        }
        let ec = try PublicKeyHandle(certificateDER: Generated.certificate("idp-ec256").der)
        let ecDocument = try XMLDocument.parse(try Generated.response("assertion-signed-ec256.xml"))
        for signature in try #require(ecDocument.root).descendants("Signature", Self.ds) {
            #expect(try signature.verifySignatureNarrowPath(with: ec)?.succeeded == true)
        }
        // Outside the profile: declined, left to xmlsec.
        let sha1 = try XMLDocument.parse(try Generated.response("assertion-signed-rsa-sha1.xml"))
        for signature in try #require(sha1.root).descendants("Signature", Self.ds) {
            #expect(try signature.verifySignatureNarrowPath(with: idp) == nil)
        }
    }

    /// The shapes real IdPs send, signed in-process: every signature method (RSA-SHA256/384/512,
    /// ECDSA-SHA256/384), an `InclusiveNamespaces PrefixList` on the Reference and/or
    /// SignedInfo's CanonicalizationMethod (one prefix, several, `#default`, a name declared
    /// nowhere, empty names from doubled spaces), a certificate in KeyInfo, Response and
    /// Assertion both signed, and namespaces declared only above the signed element.
    static func idpShapes() throws -> [(String, String)] {
        let methods: [(SignatureAlgorithmCode, String)] = [
            (.rsaSHA256, "idp-rsa"), (.rsaSHA384, "idp-rsa"), (.rsaSHA512, "idp-rsa"),
            (.ecdsaSHA256, "idp-ec256"), (.ecdsaSHA384, "idp-ec384"),
        ]
        let lists: [(String?, String?)] = [
            (nil, nil), ("xs", nil), ("xs xsi", nil), ("#default xs", "#default"), ("xs undeclared", nil),
            ("xs  xsi", nil), ("samlp", "xs"), ("saml xs xsi samlp", "saml samlp"),
        ]
        // xs and xsi declared on the Response only: the Assertion inherits them.
        let above = [
            (#" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ID="_assert"#, #" ID="_assert"#),
            ("<samlp:Response ", #"<samlp:Response xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="urn:default-above" "#),
        ]
        var shapes: [(String, String)] = []
        for (method, signer) in methods {
            for (reference, signedInfo) in lists {
                let name = "\(method) \(signer) PrefixList \(reference ?? "-")/\(signedInfo ?? "-")"
                shapes.append(("\(name), assertion", try Generated.signed(signer: signer, algorithm: method, embed: signer,
                                                                         prefixes: reference, signedInfoPrefixes: signedInfo)))
                shapes.append(("\(name), both", try Generated.signed(response: true, signer: signer, algorithm: method,
                                                                    prefixes: reference, signedInfoPrefixes: signedInfo)))
                shapes.append(("\(name), namespaces above", try Generated.signed(edits: above, response: true, signer: signer,
                                                                                algorithm: method, prefixes: reference,
                                                                                signedInfoPrefixes: signedInfo)))
            }
        }
        return shapes
    }

    /// What an attacker changes in a signed document with a prefix list: the list itself (a
    /// prefix added, declared nowhere, rebound, default; separators), the namespaces the list
    /// names (rebound inside the signed element, declared or changed only above it), and the
    /// InclusiveNamespaces element (namespaced twin attributes, a second one, another namespace).
    static func prefixListMutations(_ name: String, _ xml: String) -> [(String, String)] {
        let list = xml.slice(from: "PrefixList=\"", through: "\"")
        var out: [(String, String)] = [
            ("\(name): xs rebound on NameID", xml.replacingIfPresent("<saml:NameID ", with: #"<saml:NameID xmlns:xs="urn:evil" "#)),
            ("\(name): default namespace declared on the Response", xml.replacingIfPresent("<samlp:Response ", with: #"<samlp:Response xmlns="urn:above" "#)),
            ("\(name): default namespace changed above", xml.replacingIfPresent(#"xmlns="urn:default-above""#, with: #"xmlns="urn:other""#)),
            ("\(name): xs changed above", xml.replacingIfPresent(#"<samlp:Response xmlns:xs="http://www.w3.org/2001/XMLSchema""#, with: #"<samlp:Response xmlns:xs="urn:evil""#)),
            ("\(name): undeclared prefix declared above", xml.replacingIfPresent("<samlp:Response ", with: #"<samlp:Response xmlns:undeclared="urn:u" "#)),
            ("\(name): unused prefix on the signed element", xml.replacingIfPresent("<saml:Assertion ", with: #"<saml:Assertion xmlns:unused="urn:x" "#)),
        ]
        if let list {
            let value = String(list.dropFirst("PrefixList=\"".count).dropLast())
            for replacement in [value + " evil", "#default " + value, value + " ", " " + value, value.replacingOccurrences(of: " ", with: "\t"),
                                value + " #default", "", "samlp " + value, "xml " + value] {
                out.append(("\(name): PrefixList \"\(replacement)\"", xml.replacingIfPresent(list, with: "PrefixList=\"\(replacement)\"")))
            }
            out.append(("\(name): namespaced PrefixList twin", xml.replacingIfPresent(list, with: #"xmlns:p="urn:p" p:PrefixList="samlp" "# + list)))
            out.append(("\(name): second InclusiveNamespaces", xml.replacingIfPresent("/></ds:Transform>", with: #"/><ec:InclusiveNamespaces xmlns:ec="http://www.w3.org/2001/10/xml-exc-c14n#" PrefixList="samlp"/></ds:Transform>"#)))
            out.append(("\(name): InclusiveNamespaces in another namespace", xml.replacingIfPresent(#"xmlns:ec="http://www.w3.org/2001/10/xml-exc-c14n#""#, with: #"xmlns:ec="urn:not-exc-c14n""#)))
        } else {
            out.append(("\(name): PrefixList added after signing", xml.replacingIfPresent(#"<ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>"#,
                with: #"<ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"><ec:InclusiveNamespaces xmlns:ec="http://www.w3.org/2001/10/xml-exc-c14n#" PrefixList="samlp"/></ds:Transform>"#)))
        }
        return out.filter { $0.1 != xml }
    }

    @Test("IdP shapes (methods, prefix lists, both signed, namespaces above) take the narrow path and agree with xmlsec")
    func agreesOnIdPShapes() throws {
        let keys = try Self.keys()
        var decided = 0, accepted = 0, documents = 0
        for (name, xml) in try Self.idpShapes() {
            documents += 1
            // Every genuine shape is decided on the narrow path, and verifies there.
            let document = try XMLDocument.parse(xml)
            let signatures = try #require(document.root).descendants("Signature", Self.ds)
            #expect(!signatures.isEmpty, "\(name)")
            let signer = name.contains("ec384") ? "idp-ec384" : name.contains("ec256") ? "idp-ec256" : "idp-rsa"
            let key = try PublicKeyHandle(certificateDER: Generated.certificate(signer).der)
            for signature in signatures {
                let outcome = try signature.verifySignatureNarrowPath(with: key)
                #expect(outcome?.succeeded == true, "\(name): \(outcome == nil ? "declined" : "refused")")
            }
            let (d, a) = try Self.compare(name, xml, keys: keys)
            decided += d
            accepted += a
            for (mutation, mutated) in Self.prefixListMutations(name, xml) {
                let (d, a) = try Self.compare(mutation, mutated, keys: keys)
                decided += d
                accepted += a
            }
        }
        #expect(documents == 120)
        #expect(decided > 2000 && accepted > 150 && decided - accepted > 1000, "decided \(decided), accepted \(accepted)")
    }

    @Test("recorded Okta response (PrefixList, Response and Assertion signed): narrow, verified, same bytes as xmlsec")
    func agreesOnRecordedOkta() throws {
        let xml = try Fixtures.text("reference/responses/okta_dev-116807_response-signed.xml")
        let okta = try PublicKeyHandle(certificateDER: SAMLCertificate(pem: Fixtures.text("reference/responses/okta_dev-116807_signing-cert.pem")).der)
        let document = try XMLDocument.parse(xml)
        let signatures = try #require(document.root).descendants("Signature", Self.ds)
        #expect(signatures.count == 2)
        for signature in signatures {
            #expect(try signature.verifySignatureNarrowPath(with: okta)?.succeeded == true)
        }
        let keys = try Self.keys() + [("okta", okta)]
        let (decided, accepted) = try Self.compare("okta", xml, keys: keys)
        #expect(decided == 2 * 4 && accepted == 2, "decided \(decided), accepted \(accepted)") // four RSA keys; EC keys cannot have made an RSA signature
        let oktaMutations = Self.prefixListMutations("okta", xml) + [
            ("okta: NameID changed", xml.replacingOnce("</saml2:NameID>", with: "x</saml2:NameID>")),
            ("okta: xs rebound on the AttributeValue", xml.replacingOnce(#"<saml2:AttributeValue xmlns:xs="http://www.w3.org/2001/XMLSchema""#, with: #"<saml2:AttributeValue xmlns:xs="urn:evil""#)),
            ("okta: xs changed on the Response only", xml.replacingOnce(#"Version="2.0" xmlns:xs="http://www.w3.org/2001/XMLSchema"><saml2:Issuer"#, with: #"Version="2.0" xmlns:xs="urn:evil"><saml2:Issuer"#)),
        ]
        #expect(oktaMutations.count > 8)
        for (mutation, mutated) in oktaMutations {
            _ = try Self.compare(mutation, mutated, keys: keys)
        }
    }

    @Test("fixtures, attack cases and narrow-path variants: same verdict, reference and canonical bytes")
    func agreesOnFixturesAndAttacks() throws {
        let keys = try Self.keys()
        var inputs = try Self.fixtureDocuments()
        inputs += SignatureAttacks.cases.compactMap { c in (try? c.build()).map { (c.name, $0) } }
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
        var rng = SplitMix64(state: 0x0DD5_1C14)
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

extension String {
    /// Replaces the first occurrence of `target`, or returns the string unchanged (a mutation
    /// that does not apply to a document is skipped).
    fileprivate func replacingIfPresent(_ target: String, with replacement: String) -> String {
        guard let range = range(of: target) else { return self }
        return replacingCharacters(in: range, with: replacement)
    }
}
