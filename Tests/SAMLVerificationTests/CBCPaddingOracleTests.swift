import Foundation
import SAML
import Testing
import SAMLTestSupport

/// The XML Encryption CBC attack against an unsigned Response: an attacker alters the ciphertext
/// and learns from each answer whether the padding was valid or the plaintext parsed. The
/// ciphertexts here are made with the `openssl` CLI from the fixture's own session key (unwrapped
/// with the SP's key), so every case is exactly the one named: valid padding or not, plaintext
/// that parses or not.
@Suite struct CBCPaddingOracleTests {
    static let fixture = "encrypted/assertion-signed-aes256-cbc-rsa-oaep-mgf1p.xml"

    /// The fixture's session key and plaintext, recovered with the openssl CLI.
    struct Opened {
        var xml: String
        var key: [UInt8]
        var iv: [UInt8]
        var plaintext: [UInt8]   // padding removed
        var directory: URL
    }

    static func cipherValues(_ xml: String) -> [Range<String.Index>] {
        xml.ranges(of: "<xenc:CipherValue>").map { start in
            start.upperBound..<xml.range(of: "</xenc:CipherValue>", range: start.upperBound..<xml.endIndex)!.lowerBound
        }
    }

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    static func open() throws -> Opened {
        let xml = try Generated.response(fixture)
        let values = cipherValues(xml)
        try #require(values.count == 2, "EncryptedKey and EncryptedData")
        let directory = try RequestsSupport.temporaryDirectory()
        let openssl = try RequestsSupport.tool("openssl")
        let wrapped = directory.appendingPathComponent("wrapped.bin")
        try Data(try #require(Base64.decode(String(xml[values[0]])))).write(to: wrapped)
        let keyFile = directory.appendingPathComponent("key.bin")
        let unwrap = try RequestsSupport.run(openssl, ["pkeyutl", "-decrypt", "-inkey", Fixtures.url("generated/keys/sp-rsa.key.pem").path,
                                                       "-pkeyopt", "rsa_padding_mode:oaep", "-in", wrapped.path, "-out", keyFile.path])
        try #require(unwrap.status == 0, "\(unwrap.stderr)")
        let key = [UInt8](try Data(contentsOf: keyFile))
        try #require(key.count == 32)
        let body = try #require(Base64.decode(String(xml[values[1]])))
        let iv = Array(body.prefix(16))
        let padded = try crypt(decrypt: true, Array(body.dropFirst(16)), key: key, iv: iv, in: directory)
        let pad = Int(padded.last!)
        try #require((1...16).contains(pad), "xmlsec1's padding")
        return Opened(xml: xml, key: key, iv: iv, plaintext: Array(padded.dropLast(pad)), directory: directory)
    }

    /// AES-256-CBC without padding through the openssl CLI.
    static func crypt(decrypt: Bool, _ input: [UInt8], key: [UInt8], iv: [UInt8], in directory: URL) throws -> [UInt8] {
        let name = UUID().uuidString
        let source = directory.appendingPathComponent(name + ".in"), target = directory.appendingPathComponent(name + ".out")
        try Data(input).write(to: source)
        let run = try RequestsSupport.run(try RequestsSupport.tool("openssl"),
                                          ["enc", decrypt ? "-d" : "-e", "-aes-256-cbc", "-nopad", "-K", hex(key), "-iv", hex(iv),
                                           "-in", source.path, "-out", target.path])
        try #require(run.status == 0, "\(run.stderr)")
        return [UInt8](try Data(contentsOf: target))
    }

    /// The fixture with its EncryptedData replaced by `blocks` (whole blocks, padding included)
    /// encrypted under the same key and IV.
    static func with(_ opened: Opened, blocks: [UInt8]) throws -> String {
        precondition(blocks.count % 16 == 0)
        let cipher = try crypt(decrypt: false, blocks, key: opened.key, iv: opened.iv, in: opened.directory)
        let values = cipherValues(opened.xml)
        return opened.xml.replacingCharacters(in: values[1], with: Data(opened.iv + cipher).base64EncodedString())
    }

    /// `plaintext` with XML Encryption padding whose last byte is `last` (valid: 1…16 and equal to
    /// the padding's length).
    static func padded(_ plaintext: [UInt8], last: UInt8? = nil) -> [UInt8] {
        let count = 16 - plaintext.count % 16
        var result = plaintext + [UInt8](repeating: 0x41, count: count)
        result[result.count - 1] = last ?? UInt8(count)
        return result
    }

    @Test func paddingAndParsingFailuresReadTheSameAndTheDetailIsRevealedOnlyByTheUnsafeSwitch() async throws {
        let opened = try Self.open()
        // The control: re-encrypted by openssl with valid padding, the assertion is accepted.
        let control = try Self.with(opened, blocks: Self.padded(opened.plaintext))
        let allowed = VerificationPolicy(refuseCBCInUnsignedResponse: false)
        var unsafe = allowed
        unsafe.unsafeRevealDecryptionFailures = true
        #expect(try VerificationHardeningTests.check(control, policy: allowed, keys: ["sp-rsa"]).nameID.value == "alice@example.com")

        let cases: [(name: String, blocks: [UInt8], detail: String)] = [
            ("padding byte 0, assertion intact", Self.padded(opened.plaintext, last: 0), "padding is invalid"),
            ("padding byte 17, assertion intact", Self.padded(opened.plaintext, last: 17), "padding is invalid"),
            ("padding byte 0xff", Self.padded(opened.plaintext, last: 0xff), "padding is invalid"),
            ("valid padding, plaintext cut mid-tag", Self.padded(Array(opened.plaintext.prefix(100))), "not well-formed"),
            ("valid padding, plaintext is text", Self.padded(Array("hello, world".utf8)), "not well-formed"),
            ("valid padding, a different element", Self.padded(Array("<saml:Issuer>x</saml:Issuer>".utf8)), "not exactly one Assertion"),
        ]
        var answers: Set<String> = []
        for item in cases {
            let xml = try Self.with(opened, blocks: item.blocks)
            for policy in [allowed, unsafe] {
                let collector = DiagnosticsCollector()
                do {
                    _ = try VerificationHardeningTests.check(xml, policy: policy, keys: ["sp-rsa"], diagnostics: collector.record)
                    Issue.record("\(item.name): accepted")
                } catch let error as SAMLError {
                    answers.insert("\(error.code)|\(error.reason)|\(error.libraryMessage ?? "")|\(error.localizedDescription)")
                    let shown = collector.diagnostics.map(\.description).joined(separator: "\n")
                    // the reason is in diagnostics only behind the unsafe switch, never in the answer
                    #expect(shown.contains(item.detail) == policy.unsafeRevealDecryptionFailures, "\(item.name): \(shown)")
                    #expect(!error.description.contains(item.detail), "\(item.name): the answer names the reason")
                }
            }
        }
        #expect(answers.count == 1, "\(answers)")
        #expect(answers.first?.hasPrefix("decryptionFailed|") == true)
    }

    @Test func aCiphertextThatIsNotWholeBlocksIsRefusedAlike() async throws {
        let opened = try Self.open()
        let values = Self.cipherValues(opened.xml)
        let body = try #require(Base64.decode(String(opened.xml[values[1]])))
        for cut in [1, 15, body.count - 16] {
            let xml = opened.xml.replacingCharacters(in: values[1], with: Data(body.dropLast(cut)).base64EncodedString())
            await expectRejection(.decryptionFailed) {
                _ = try VerificationHardeningTests.check(xml, policy: VerificationPolicy(refuseCBCInUnsignedResponse: false), keys: ["sp-rsa"])
            }
        }
    }
}
