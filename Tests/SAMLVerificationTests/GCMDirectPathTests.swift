import Foundation
import SAML
import SAMLCore
import SAMLXMLSec
import Testing
import SAMLTestSupport

/// AES-GCM content is decrypted with OpenSSL directly (`decryptGCMData`), no longer by xmlsec's
/// generic path. xmlsec stays the oracle: on the recorded fixtures and on documents the `xmlsec1`
/// CLI encrypts here, both give the same document, and both refuse every damaged variant. Through
/// the verifier, every damaged variant (IV, ciphertext or tag altered, data cut short, wrong key,
/// the algorithm URI swapped between CBC and GCM) reads as the one uniform failure.
@Suite struct GCMDirectPathTests {
    static let xenc = "http://www.w3.org/2001/04/xmlenc#"
    static let gcm128 = "http://www.w3.org/2009/xmlenc11#aes128-gcm"
    static let gcm256 = "http://www.w3.org/2009/xmlenc11#aes256-gcm"
    static let cbc256 = "http://www.w3.org/2001/04/xmlenc#aes256-cbc"
    static let fixtures = [
        "encrypted/assertion-signed-aes128-gcm-rsa-oaep-mgf1p.xml",
        "encrypted/assertion-signed-aes192-gcm-rsa-oaep-mgf1p.xml",
        "encrypted/assertion-signed-aes256-gcm-rsa-oaep-mgf1p.xml",
        "encrypted/assertion-signed-aes256-gcm-rsa-oaep-sha256.xml",
    ]

    /// The two CipherValues of an encrypted fixture: EncryptedKey's, then EncryptedData's.
    static func cipherValues(_ xml: String) -> [Range<String.Index>] {
        xml.ranges(of: "<xenc:CipherValue>").map { start in
            start.upperBound..<xml.range(of: "</xenc:CipherValue>", range: start.upperBound..<xml.endIndex)!.lowerBound
        }
    }

    /// The content bytes (IV, ciphertext, tag) of a document's EncryptedData.
    static func content(_ xml: String) throws -> [UInt8] {
        let values = cipherValues(xml)
        try #require(values.count == 2, "EncryptedKey and EncryptedData")
        return try #require(Base64.decode(String(xml[values[1]])))
    }

    /// `xml` with its EncryptedData content replaced by `bytes`.
    static func replacingContent(_ xml: String, with bytes: [UInt8]) -> String {
        xml.replacingCharacters(in: cipherValues(xml)[1], with: Data(bytes).base64EncodedString())
    }

    /// The session key, unwrapped from the document's EncryptedKey with the SP's key (RSA-OAEP
    /// with the digests the document names).
    static func sessionKey(_ xml: String) throws -> [UInt8] {
        let wrapped = try #require(Base64.decode(String(xml[cipherValues(xml)[0]])))
        let digest: DigestAlgorithm = xml.contains("xmlenc#sha256") ? .sha256 : .sha1
        let mgf: DigestAlgorithm = xml.contains("xmlenc11#mgf1sha256") ? .sha256 : .sha1
        return try #require(try Generated.key("sp-rsa").handle.rsaDecrypt(wrapped, padding: .oaep(digest: digest, mgf: mgf, label: [])))
    }

    enum Path { case xmlsec, direct }

    /// Decrypts the document's EncryptedData in place with `key` by one path; the whole document
    /// serialized afterwards, or the error.
    static func decrypt(_ xml: String, key: [UInt8], by path: Path) throws -> Result<[UInt8], SAMLError> {
        let document = try XMLDocument.parse(xml)
        let data = try #require(document.root?.descendants("EncryptedData", xenc).first)
        let algorithm = try #require(data.child("EncryptionMethod", xenc)?.attribute("Algorithm"))
        do {
            switch path {
            case .xmlsec:
                try data.decryptData(key: key, algorithm: algorithm, limits: .default)
            case .direct:
                let value = try #require(data.child("CipherData", xenc)?.child("CipherValue", xenc)?.text)
                try data.decryptGCMData(key: key, cipher: try #require(Base64.decode(value)), limits: .default)
            }
            return .success(document.serialized())
        } catch let error as SAMLError {
            return .failure(error)
        }
    }

    /// Both paths give the same document, and the verifier accepts it.
    static func expectSameAsXMLSec(_ xml: String, _ name: String) throws {
        let key = try sessionKey(xml)
        let oracle = try decrypt(xml, key: key, by: .xmlsec), direct = try decrypt(xml, key: key, by: .direct)
        guard case .success(let expected) = oracle, case .success(let produced) = direct else {
            Issue.record("\(name): xmlsec \(oracle), direct \(direct)")
            return
        }
        #expect(produced == expected, "\(name): the documents differ")
        #expect(String(decoding: produced, as: UTF8.self).contains("<saml:Assertion "), "\(name)")
        #expect(try VerificationHardeningTests.check(xml, keys: ["sp-rsa"]).nameID.value == "alice@example.com", "\(name)")
    }

    /// Both paths refuse `xml` decrypted with `key`, with `code`.
    static func expectBothRefuse(_ xml: String, key: [UInt8], _ code: SAMLError.Code, _ name: String) throws {
        for path in [Path.xmlsec, .direct] {
            guard case .failure(let error) = try decrypt(xml, key: key, by: path) else {
                Issue.record("\(name): decrypted by \(path)")
                continue
            }
            #expect(error.code == code, "\(name) \(path): \(error)")
        }
    }

    @Test(arguments: fixtures)
    func recordedFixturesDecryptAsXMLSecDecryptsThem(_ fixture: String) throws {
        try Self.expectSameAsXMLSec(try Generated.response(fixture), fixture)
    }

    /// assertion-signed.xml's signed Assertion wrapped in EncryptedAssertion and encrypted by the
    /// `xmlsec1` CLI with a fresh session key (the command of Fixtures/generate.sh).
    static func encryptedByXMLSec1(_ algorithm: String, session: String) throws -> String {
        let text = try Generated.response("assertion-signed.xml")
        let start = try #require(text.range(of: "  <saml:Assertion "))
        let end = try #require(text.range(of: "</saml:Assertion>\n", range: start.upperBound..<text.endIndex))
        let assertion = String(text[start.lowerBound..<end.upperBound]).trimmingCharacters(in: .whitespacesAndNewlines)
        let wrapped = String(text[..<start.lowerBound]) + "  <saml:EncryptedAssertion>\n    " + assertion
            + "\n  </saml:EncryptedAssertion>\n" + String(text[end.upperBound...])
        let template = """
            <xenc:EncryptedData xmlns:xenc="http://www.w3.org/2001/04/xmlenc#" Type="http://www.w3.org/2001/04/xmlenc#Element">
              <xenc:EncryptionMethod Algorithm="\(algorithm)"/>
              <ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
                <xenc:EncryptedKey>
                  <xenc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p">
                    <ds:DigestMethod Algorithm="http://www.w3.org/2000/09/xmldsig#sha1"/>
                  </xenc:EncryptionMethod>
                  <xenc:CipherData><xenc:CipherValue></xenc:CipherValue></xenc:CipherData>
                </xenc:EncryptedKey>
              </ds:KeyInfo>
              <xenc:CipherData><xenc:CipherValue></xenc:CipherValue></xenc:CipherData>
            </xenc:EncryptedData>
            """
        let directory = try RequestsSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("in.xml"), templateFile = directory.appendingPathComponent("template.xml")
        let output = directory.appendingPathComponent("out.xml")
        try wrapped.write(to: input, atomically: true, encoding: .utf8)
        try template.write(to: templateFile, atomically: true, encoding: .utf8)
        let run = try RequestsSupport.run(try RequestsSupport.tool("xmlsec1"), [
            "--encrypt", "--pubkey-cert-pem", Fixtures.url("generated/keys/sp-rsa.cert.pem").path, "--session-key", session,
            "--xml-data", input.path, "--id-attr:ID", "urn:oasis:names:tc:SAML:2.0:assertion:Assertion",
            "--node-id", Generated.assertionID, "--output", output.path, templateFile.path,
        ])
        try #require(run.status == 0, "\(run.stderr)")
        let encrypted = try String(contentsOf: output, encoding: .utf8)
        try #require(!encrypted.contains("<saml:Assertion "), "the Assertion is encrypted")
        return encrypted
    }

    @Test(arguments: [(gcm128, "aes-128"), (gcm256, "aes-256")])
    func documentsEncryptedByTheXMLSec1CLIDecryptAsXMLSecDecryptsThem(_ algorithm: String, _ session: String) throws {
        for round in 0..<3 {  // a fresh session key and IV each time
            try Self.expectSameAsXMLSec(try Self.encryptedByXMLSec1(algorithm, session: session), "\(session) #\(round)")
        }
    }

    /// Damaged variants of a GCM fixture's content; each refused by both paths with the right key.
    static func damaged(_ body: [UInt8]) -> [(String, [UInt8])] {
        func flipping(_ index: Int, _ bit: UInt8 = 0x01) -> [UInt8] {
            var copy = body
            copy[index] ^= bit
            return copy
        }
        return [
            ("IV first byte", flipping(0)), ("IV last byte", flipping(11, 0x80)),
            ("ciphertext first byte", flipping(12)), ("ciphertext middle byte", flipping(body.count / 2, 0x10)),
            ("ciphertext last byte", flipping(body.count - 17)),
            ("tag first byte", flipping(body.count - 16)), ("tag last byte", flipping(body.count - 1, 0x80)),
            ("last byte cut", Array(body.dropLast())), ("tag cut", Array(body.dropLast(16))),
            ("first byte cut", Array(body.dropFirst())),
            ("IV and tag only (28 bytes)", Array(body.prefix(12) + body.suffix(16))),
            ("27 bytes", Array(body.prefix(27))), ("12 bytes", Array(body.prefix(12))), ("1 byte", [body[0]]),
            ("IV and tag swapped", Array(body.suffix(16) + body.dropFirst(12).dropLast(16) + body.prefix(12))),
        ]
    }

    @Test(arguments: [fixtures[0], fixtures[2]])
    func damagedContentIsRefusedByBothPaths(_ fixture: String) throws {
        let xml = try Generated.response(fixture)
        let key = try Self.sessionKey(xml)
        for (name, bytes) in Self.damaged(try Self.content(xml)) {
            try Self.expectBothRefuse(Self.replacingContent(xml, with: bytes), key: key, .decryptionFailed, "\(fixture) \(name)")
        }
        // a key of the right length that is not the session key; a key of the wrong length
        var wrong = key
        wrong[0] ^= 1
        for (name, candidate) in [("wrong key", wrong), ("short key", Array(key.prefix(8)))] {
            try Self.expectBothRefuse(xml, key: candidate, .decryptionFailed, "\(fixture) \(name)")
        }
    }

    @Test func everyDamagedVariantReadsAsTheOneUniformFailure() throws {
        let policy = VerificationPolicy(refuseCBCInUnsignedResponse: false)
        var unsafe = policy
        unsafe.unsafeRevealDecryptionFailures = true
        var cases: [(name: String, xml: String, keys: [String], tampered: Bool)] = []
        for fixture in [Self.fixtures[0], Self.fixtures[2]] {
            let xml = try Generated.response(fixture)
            for (name, bytes) in Self.damaged(try Self.content(xml)) {
                cases.append(("\(fixture): \(name)", Self.replacingContent(xml, with: bytes), ["sp-rsa"], true))
            }
            cases.append(("\(fixture): wrong SP key", xml, ["attacker-rsa"], false))
            // GCM data labelled CBC, and the other GCM key size
            let label = fixture.contains("aes128") ? Self.gcm128 : Self.gcm256
            cases.append(("\(fixture): labelled CBC", xml.replacingOccurrences(of: label, with: Self.cbc256), ["sp-rsa"], false))
            cases.append(("\(fixture): labelled the other GCM size",
                          xml.replacingOccurrences(of: label, with: label == Self.gcm128 ? Self.gcm256 : Self.gcm128), ["sp-rsa"], false))
        }
        // CBC data labelled GCM
        let cbc = try Generated.response("encrypted/assertion-signed-aes256-cbc-rsa-oaep-mgf1p.xml")
        cases.append(("CBC data labelled GCM", cbc.replacingOccurrences(of: Self.cbc256, with: Self.gcm256), ["sp-rsa"], true))
        var answers: Set<String> = []
        for item in cases {
            for current in [policy, unsafe] {
                let collector = DiagnosticsCollector()
                do {
                    _ = try VerificationHardeningTests.check(item.xml, policy: current, keys: item.keys, diagnostics: collector.record)
                    Issue.record("\(item.name): accepted")
                } catch let error as SAMLError {
                    answers.insert("\(error.code)|\(error.reason)|\(error.libraryMessage ?? "")|\(error.localizedDescription)")
                    let shown = collector.diagnostics.map(\.description).joined(separator: "\n")
                    if item.tampered {
                        // the content decryption's own reason: in diagnostics only behind the unsafe switch
                        #expect(shown.contains("damaged ciphertext or tag") == current.unsafeRevealDecryptionFailures, "\(item.name): \(shown)")
                    }
                    #expect(!error.description.contains("tag"), "\(item.name): the answer names the reason")
                }
            }
        }
        #expect(answers.count == 1, "\(answers)")
        #expect(answers.first?.hasPrefix("decryptionFailed|") == true)
        // By default, GCM data labelled CBC in an unsigned Response is refused before any key is used.
        let labelled = try Generated.response(Self.fixtures[2]).replacingOccurrences(of: Self.gcm256, with: Self.cbc256)
        do {
            _ = try VerificationHardeningTests.check(labelled, keys: ["sp-rsa"])
            Issue.record("GCM data labelled CBC was accepted")
        } catch let error as SAMLError {
            #expect(error.code == .algorithmNotAllowed, "\(error)")
        }
    }

    /// AES-GCM by the `cryptography` package (Debian's python3-cryptography): IV, ciphertext, tag.
    static func pythonGCM(key: [UInt8], iv: [UInt8], plaintext: [UInt8]) throws -> [UInt8] {
        let script = """
            import sys
            from cryptography.hazmat.primitives.ciphers.aead import AESGCM
            key, iv, data = (bytes.fromhex(a) for a in sys.argv[1:4])
            sys.stdout.write((iv + AESGCM(key).encrypt(iv, data, None)).hex())
            """
        func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
        let run = try RequestsSupport.run(try RequestsSupport.tool("python3"), ["-c", script, hex(key), hex(iv), hex(plaintext)])
        try #require(run.status == 0, "\(run.stderr)")
        var bytes: [UInt8] = []
        var index = run.stdout.startIndex
        while index < run.stdout.endIndex {
            let next = run.stdout.index(index, offsetBy: 2)
            bytes.append(try #require(UInt8(run.stdout[index..<next], radix: 16)))
            index = next
        }
        return bytes
    }

    @Test func theTagIsVerifiedBeforeThePlaintextIsScannedOrParsed() throws {
        let xml = try Generated.response(Self.fixtures[2])
        let key = try Self.sessionKey(xml)
        let iv = Array(try Self.content(xml).prefix(12))
        // A plaintext the shape scan refuses with its own code (a DOCTYPE), under a valid tag: the
        // direct path reaches the scan, as xmlsec's path does.
        let hostile = Array("<!DOCTYPE a [<!ENTITY b \"c\">]><saml:Assertion/>".utf8)
        let sealed = try Self.pythonGCM(key: key, iv: iv, plaintext: hostile)
        try Self.expectBothRefuse(Self.replacingContent(xml, with: sealed), key: key, .doctypeForbidden, "a DOCTYPE under a valid tag")
        // The same plaintext under a tag one bit off: refused as undecryptable, never scanned.
        var forged = sealed
        forged[forged.count - 1] ^= 1
        guard case .failure(let error) = try Self.decrypt(Self.replacingContent(xml, with: forged), key: key, by: .direct) else {
            Issue.record("a forged tag was accepted")
            return
        }
        #expect(error.code == .decryptionFailed, "\(error)")
        #expect(error.reason.contains("damaged ciphertext or tag"), "\(error)")
    }
}
