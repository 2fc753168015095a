import Foundation
import SAML
import SAMLXMLSec
import Testing
import SAMLTestSupport

/// The xmlsec1-signed and -encrypted fixtures: accepted where they should be, each with the
/// values the IdP put in.
@Suite struct VerificationGeneratedTests {
    static let accepted = [
        "assertion-signed.xml", "response-signed.xml", "both-signed.xml", "assertion-signed-next-key.xml",
        "assertion-signed-ec256.xml", "assertion-signed-rsa-sha512.xml",
        "encrypted/assertion-signed-aes128-cbc-rsa-oaep-mgf1p.xml", "encrypted/assertion-signed-aes192-cbc-rsa-oaep-mgf1p.xml",
        "encrypted/assertion-signed-aes256-cbc-rsa-oaep-mgf1p.xml", "encrypted/assertion-signed-aes128-gcm-rsa-oaep-mgf1p.xml",
        "encrypted/assertion-signed-aes192-gcm-rsa-oaep-mgf1p.xml", "encrypted/assertion-signed-aes256-gcm-rsa-oaep-mgf1p.xml",
        "encrypted/assertion-signed-aes256-gcm-rsa-oaep-sha256.xml", "encrypted/assertion-signed-aes256-cbc-key-beside.xml",
        "encrypted/assertion-signed-aes256-cbc-next-sp-key.xml", "encrypted/response-signed-assertion-unsigned-encrypted.xml",
    ]

    @Test(arguments: accepted)
    func fixtureIsAccepted(_ name: String) async throws {
        let xml = try Generated.response(name)
        // AES-CBC in these unsigned Responses is refused by default; they are accepted when allowed.
        let v = try Generated.verifier(policy: name.contains("-cbc") ? DecryptionTests.cbcAllowed : .default, decryptionKeys: ["sp-rsa", "sp-rsa-next"])
        let a = try await v.verify(samlResponse: Data(xml.utf8).base64EncodedString(options: .lineLength64Characters),
                                   inResponseTo: Generated.requestID, now: Generated.now)
        #expect(a.issuer == Generated.idpEntityID)
        #expect(a.nameID == NameID(value: "alice@example.com", format: .emailAddress))
        #expect(a.assertionID == Generated.assertionID)
        #expect(a.responseID == Generated.responseID)
        #expect(a.inResponseTo == Generated.requestID)
        #expect(a.sessionIndex == "_session-5f2a9c")
        #expect(a.authnInstant == Fixtures.date("2026-01-15T09:58:30Z"))
        #expect(a.sessionNotOnOrAfter == Fixtures.date("2026-01-15T18:00:00Z"))
        #expect(a.notOnOrAfter == Fixtures.date("2026-01-15T10:05:00Z"))
        #expect(a.authnContextClassRef == "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport")
        #expect(a.wasEncrypted == name.hasPrefix("encrypted/"))
        #expect(a.email == "alice@example.com")
        #expect(a.displayName == "Alice Example")
        #expect(a.givenName == "Alice")
        #expect(a.surname == "Example")
        #expect(a.value(of: "mail") == nil)  // FriendlyName is matched only when asked for
        #expect(a.values(ofFriendlyName: "mail") == ["alice@example.com"])
        let email = a.attributes.first { $0.name == "email" }
        #expect(email?.friendlyName == "mail")
        #expect(email?.nameFormat == "urn:oasis:names:tc:SAML:2.0:attrname-format:basic")
        #expect(a.awsRoles == [
            AWSRole(attributeValue: "arn:aws:iam::123456789012:role/Admin,arn:aws:iam::123456789012:saml-provider/ExampleIdP")!,
            AWSRole(attributeValue: "arn:aws:iam::210987654321:role/ReadOnly,arn:aws:iam::210987654321:saml-provider/ExampleIdP")!,
        ])
        #expect(a.awsRoles[1].providerARN == "arn:aws:iam::210987654321:saml-provider/ExampleIdP")
        #expect(a.awsRoleSessionName == "alice@example.com")
        #expect(a.awsSessionDuration == 3600)
    }

    @Test func emailAttributeFromConfiguration() async throws {
        var idp = try Generated.idp()
        idp.emailAttributeName = "https://aws.amazon.com/SAML/Attributes/RoleSessionName"
        let a = try await Generated.verifier(idp: idp).verify(responseXML: Array(try Generated.response("assertion-signed.xml").utf8),
                                                              inResponseTo: Generated.requestID, now: Generated.now)
        #expect(a.email == "alice@example.com")
        idp.emailAttributeName = "missing"
        let b = try await Generated.verifier(idp: idp).verify(responseXML: Array(try Generated.response("assertion-signed.xml").utf8),
                                                              inResponseTo: Generated.requestID, now: Generated.now)
        #expect(b.email == nil)
    }

    @Test func sha1AcceptedOnlyWhenAllowed() async throws {
        let xml = Array(try Generated.response("assertion-signed-rsa-sha1.xml").utf8)
        await expectRejection(.algorithmNotAllowed) {
            _ = try await Generated.verifier().verify(responseXML: xml, inResponseTo: Generated.requestID, now: Generated.now)
        }
        var diagnostics: [VerificationDiagnostic] = []
        let a = try await Generated.verifier(policy: VerificationPolicy(allowSHA1: true)).verify(responseXML: xml, inResponseTo: Generated.requestID, now: Generated.now) { diagnostics.append($0) }
        #expect(a.assertionSigned)
        #expect(a.nameID.value == "alice@example.com")
        // it was the SHA-1 signature that verified
        let signature = try #require(diagnostics.first { $0.check == .assertionSignature })
        #expect(signature.passed)
        #expect(signature.fact("signature method") == "http://www.w3.org/2000/09/xmldsig#rsa-sha1")
        #expect(signature.fact("digest method") == "http://www.w3.org/2000/09/xmldsig#sha1")
    }

    @Test func awsRoleParsing() {
        #expect(AWSRole(attributeValue: "arn:aws:iam::1:role/A,arn:aws:iam::1:saml-provider/P")?.roleARN == "arn:aws:iam::1:role/A")
        #expect(AWSRole(attributeValue: "arn:aws:iam::1:saml-provider/P, arn:aws:iam::1:role/A")?.roleARN == "arn:aws:iam::1:role/A")
        #expect(AWSRole(attributeValue: "arn:aws:iam::1:role/A") == nil)
        #expect(AWSRole(attributeValue: "arn:aws:iam::1:role/A,arn:aws:iam::1:role/B") == nil)
        #expect(AWSRole(attributeValue: "a,b,c") == nil)
    }
}

/// Encrypted assertions: keys, algorithms and the rule that decryption never replaces a signature.
@Suite struct DecryptionTests {
    /// AES-CBC in an unsigned Response, refused by default, allowed for the tests of its mechanics.
    static let cbcAllowed = VerificationPolicy(refuseCBCInUnsignedResponse: false)

    static func verify(_ name: String, keys: [String], policy: VerificationPolicy = .default) async throws -> VerifiedAssertion {
        try await Generated.verifier(policy: policy, decryptionKeys: keys)
            .verify(responseXML: Array(try Generated.response(name).utf8), inResponseTo: Generated.requestID, now: Generated.now)
    }

    @Test func rsa15IsRefusedByDefault() async throws {
        await expectRejection(.algorithmNotAllowed) { _ = try await Self.verify("encrypted/assertion-signed-aes256-cbc-rsa-1_5.xml", keys: ["sp-rsa"], policy: Self.cbcAllowed) }
        let a = try await Self.verify("encrypted/assertion-signed-aes256-cbc-rsa-1_5.xml", keys: ["sp-rsa"],
                                      policy: VerificationPolicy(allowRSA15KeyTransport: true, refuseCBCInUnsignedResponse: false))
        #expect(a.wasEncrypted && a.assertionSigned)
    }

    @Test func rolloverKeysAreTriedInOrder() async throws {
        let file = "encrypted/assertion-signed-aes256-cbc-next-sp-key.xml"
        await expectRejection(.decryptionFailed) { _ = try await Self.verify(file, keys: ["sp-rsa"], policy: Self.cbcAllowed) }
        /// Which configured key unwrapped the session key, as the decryption step reports it.
        func unwrappedWith(_ keys: [String]) async throws -> String? {
            var diagnostics: [VerificationDiagnostic] = []
            let a = try await Generated.verifier(policy: Self.cbcAllowed, decryptionKeys: keys, replayStore: InMemoryReplayStore())
                .verify(responseXML: Array(try Generated.response(file).utf8), inResponseTo: Generated.requestID, now: Generated.now) { diagnostics.append($0) }
            #expect(a.wasEncrypted && a.assertionSigned)
            return diagnostics.first { $0.check == .decryption }?.fact("unwrapped with SP key")
        }
        // the old key is tried first and fails; the second, the next key, unwraps
        #expect(try await unwrappedWith(["sp-rsa", "sp-rsa-next"]) == "2 of 2")
        #expect(try await unwrappedWith(["sp-rsa-next", "sp-rsa"]) == "1 of 2")
        #expect(try await unwrappedWith(["attacker-rsa", "sp-rsa", "sp-rsa-next"]) == "3 of 3")
    }

    @Test func wrongOrMissingKey() async throws {
        await expectRejection(.decryptionFailed) { _ = try await Self.verify("encrypted/assertion-signed-aes256-gcm-rsa-oaep-mgf1p.xml", keys: []) }
        await expectRejection(.decryptionFailed) { _ = try await Self.verify("encrypted/assertion-signed-aes256-gcm-rsa-oaep-mgf1p.xml", keys: ["attacker-rsa"]) }
        // an EC key cannot unwrap an RSA-OAEP key
        await expectRejection(.decryptionFailed) { _ = try await Self.verify("encrypted/assertion-signed-aes256-gcm-rsa-oaep-mgf1p.xml", keys: ["sp-ec256"]) }
    }

    @Test func unsignedEncryptedAssertionInUnsignedResponse() async throws {
        // In an unsigned Response every failure after key transport reads as decryptionFailed
        // (no oracle); the missing signature is the detail, reported to diagnostics only when the
        // unsafe debugging switch is on.
        for reveal in [false, true] {
            var diagnostics: [VerificationDiagnostic] = []
            await expectRejection(.decryptionFailed) {
                _ = try await Generated.verifier(policy: VerificationPolicy(refuseCBCInUnsignedResponse: false, unsafeRevealDecryptionFailures: reveal),
                                                 decryptionKeys: ["sp-rsa"])
                    .verify(responseXML: Array(try Generated.response("encrypted/response-unsigned-assertion-unsigned-encrypted.xml").utf8),
                            inResponseTo: Generated.requestID, now: Generated.now) { diagnostics.append($0) }
            }
            #expect(diagnostics.contains { $0.error?.code == .signatureMissing } == reveal, "\(diagnostics)")
            #expect(diagnostics.last?.error?.code == .decryptionFailed)
        }
        let a = try await Self.verify("encrypted/response-signed-assertion-unsigned-encrypted.xml", keys: ["sp-rsa"])
        #expect(a.responseSigned && !a.assertionSigned && a.wasEncrypted)
        await expectRejection(.signatureMissing) {
            _ = try await Self.verify("encrypted/response-signed-assertion-unsigned-encrypted.xml", keys: ["sp-rsa"],
                                      policy: VerificationPolicy(requireSignedAssertion: true))
        }
    }

    static func tamperedCipherValue(_ name: String, inData: Bool) throws -> String {
        let xml = try Generated.response(name)
        // the EncryptedData's CipherValue is the last one in the file; the EncryptedKey's the first
        let marker = "<xenc:CipherValue>"
        let ranges = xml.ranges(of: marker)
        let start = inData ? ranges.last!.upperBound : ranges.first!.upperBound
        let end = xml.range(of: "</xenc:CipherValue>", range: start..<xml.endIndex)!.lowerBound
        var value = Base64Helper.decode(String(xml[start..<end]))
        value[value.count - 20] ^= 0x01
        return xml.replacingCharacters(in: start..<end, with: Data(value).base64EncodedString())
    }

    @Test(arguments: ["encrypted/assertion-signed-aes256-gcm-rsa-oaep-mgf1p.xml", "encrypted/assertion-signed-aes128-cbc-rsa-oaep-mgf1p.xml"])
    func tamperedCiphertext(_ name: String) async throws {
        for inData in [true, false] {
            let xml = try Self.tamperedCipherValue(name, inData: inData)
            await expectRejection(.decryptionFailed) {
                _ = try await Generated.verifier(policy: Self.cbcAllowed, decryptionKeys: ["sp-rsa"]).verify(responseXML: Array(xml.utf8), inResponseTo: Generated.requestID, now: Generated.now)
            }
        }
    }

    @Test func unsupportedContentAlgorithm() async throws {
        let xml = try Generated.response("encrypted/assertion-signed-aes256-cbc-rsa-oaep-mgf1p.xml")
            .replacingOnce("http://www.w3.org/2001/04/xmlenc#aes256-cbc", with: "http://www.w3.org/2001/04/xmlenc#tripledes-cbc")
        await expectRejection(.algorithmNotAllowed) {
            _ = try await Generated.verifier(decryptionKeys: ["sp-rsa"]).verify(responseXML: Array(xml.utf8), inResponseTo: Generated.requestID, now: Generated.now)
        }
    }

    @Test func malformedEncryptedData() async throws {
        let xml = try Generated.response("encrypted/assertion-signed-aes256-cbc-rsa-oaep-mgf1p.xml")
        let noKey = xml.replacingOnce(xml.slice(from: "<xenc:EncryptedKey", through: "</xenc:EncryptedKey>")!, with: "")
        await expectRejection(.decryptionFailed) {
            _ = try await Generated.verifier(policy: Self.cbcAllowed, decryptionKeys: ["sp-rsa"]).verify(responseXML: Array(noKey.utf8), inResponseTo: Generated.requestID, now: Generated.now)
        }
        let noData = "<saml:EncryptedAssertion></saml:EncryptedAssertion>"
        let replaced = xml.replacingOnce(xml.slice(from: "<saml:EncryptedAssertion", through: "</saml:EncryptedAssertion>")!, with: noData)
        await expectRejection(.decryptionFailed) {
            _ = try await Generated.verifier(policy: Self.cbcAllowed, decryptionKeys: ["sp-rsa"]).verify(responseXML: Array(replaced.utf8), inResponseTo: Generated.requestID, now: Generated.now)
        }
    }
}

enum Base64Helper {
    static func decode(_ text: String) -> [UInt8] {
        [UInt8](Data(base64Encoded: text.filter { !$0.isWhitespace })!)
    }
}

/// ECDSA keys verify when the configuration trusts them for signing.
@Suite struct ECDSATests {
    @Test func p384SignatureVerifiesWhenTrustedForSigning() async throws {
        let idp = IdentityProvider(entityID: Generated.idpEntityID, singleSignOnURL: nil, certificates: [try Generated.certificate("idp-ec384")])
        let a = try await Generated.verifier(idp: idp).verify(responseXML: Array(try Generated.response("assertion-signed-ec384.xml").utf8),
                                                             inResponseTo: Generated.requestID, now: Generated.now)
        #expect(a.assertionSigned)
        // the RSA-signed fixture does not verify against an EC-only configuration
        await expectRejection(.untrustedKey) {
            _ = try await Generated.verifier(idp: idp).verify(responseXML: Array(try Generated.response("assertion-signed.xml").utf8),
                                                              inResponseTo: Generated.requestID, now: Generated.now)
        }
    }

    @Test func p256InProcessSignatures() async throws {
        let idp = IdentityProvider(entityID: Generated.idpEntityID, singleSignOnURL: nil, certificates: [try Generated.certificate("idp-ec256")])
        for algorithm in [SignatureAlgorithmCode.ecdsaSHA256, .ecdsaSHA384, .ecdsaSHA512] {
            let xml = try Generated.signed(signer: "idp-ec256", algorithm: algorithm)
            let a = try await Generated.verifier(idp: idp).verify(responseXML: Array(xml.utf8), inResponseTo: Generated.requestID, now: Generated.now)
            #expect(a.assertionSigned)
        }
    }
}

/// Encrypted identifiers and attributes inside a signed assertion, and payloads of the wrong kind.
@Suite struct EncryptedPartsTests {
    @Test func encryptedNameIDAndAttribute() async throws {
        let xml = try Generated.response("encrypted/assertion-signed-encrypted-nameid-and-attribute.xml")
        #expect(!xml.contains(">alice@example.com</saml:NameID>"))
        let a = try await DecryptionTests.verify("encrypted/assertion-signed-encrypted-nameid-and-attribute.xml", keys: ["sp-rsa"])
        #expect(a.assertionSigned && !a.wasEncrypted)
        #expect(a.nameID == NameID(value: "alice@example.com", format: .emailAddress))
        #expect(a.givenName == "Alice")
        #expect(a.attributes.map(\.name).contains("givenName"))
        await expectRejection(.decryptionFailed) {
            _ = try await DecryptionTests.verify("encrypted/assertion-signed-encrypted-nameid-and-attribute.xml", keys: [])
        }
        await expectRejection(.decryptionFailed) {
            _ = try await DecryptionTests.verify("encrypted/assertion-signed-encrypted-nameid-and-attribute.xml", keys: ["sp-rsa-next"])
        }
    }

    @Test func decryptedPayloadMustBeAnAssertion() async throws {
        await expectRejection(.invalidMessage) {
            _ = try await DecryptionTests.verify("encrypted/payload-not-an-assertion.xml", keys: ["sp-rsa"])
        }
    }

    @Test func oaepWithSHA512AndMGF1SHA256() async throws {
        let a = try await DecryptionTests.verify("encrypted/assertion-signed-aes256-cbc-rsa-oaep-sha512-mgf1sha256.xml", keys: ["sp-rsa"], policy: DecryptionTests.cbcAllowed)
        #expect(a.wasEncrypted && a.assertionSigned)
        #expect(a.nameID.value == "alice@example.com")
    }
}
