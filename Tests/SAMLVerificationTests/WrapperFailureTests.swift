import Foundation
import SAML
import SAMLCore
import SAMLInspection
import SAMLTesting
import SAMLXMLSec
import Testing
import SAMLTestSupport

/// Every kind of failure the libxml2/xmlsec/OpenSSL wrapper produces reaches the public API as a
/// `SAMLError` with the matching code and a reason an operator can act on.
@Suite("Wrapper failures arrive as SAMLError")
struct WrapperFailureTests {
    /// Runs `body`, requires a `SAMLError` with `code`, and returns it for further checks.
    @discardableResult
    static func failure(_ code: SAMLError.Code, sourceLocation: SourceLocation = #_sourceLocation,
                        _ body: () async throws -> Void) async -> SAMLError? {
        guard let error = await expectRejection(code, sourceLocation: sourceLocation, body) else { return nil }
        #expect(!error.reason.isEmpty, sourceLocation: sourceLocation)
        #expect(error.localizedDescription == error.description, sourceLocation: sourceLocation)
        #expect(error.localizedDescription.contains(error.reason), sourceLocation: sourceLocation)
        return error
    }

    static func verify(_ xml: String, policy: VerificationPolicy = .default, keys: [String] = []) async throws {
        _ = try await Generated.verifier(policy: policy, decryptionKeys: keys)
            .verify(responseXML: Array(xml.utf8), inResponseTo: Generated.requestID, now: Generated.now)
    }

    @Test("malformed XML: malformedXML with libxml2's own detail")
    func malformedXML() async throws {
        // Refused by the pre-scan, which says where.
        let truncated = String(try Generated.response("assertion-signed.xml").dropLast(40))
        let scan = await Self.failure(.malformedXML) { try await Self.verify(truncated) }
        #expect(scan?.reason.contains("not well-formed (at byte") == true, "\(String(describing: scan))")
        // Refused by libxml2, whose own message comes along.
        let mismatched = try Generated.response("assertion-signed.xml").replacingOccurrences(of: "</samlp:Status>", with: "</samlp:Statue>")
        let error = await Self.failure(.malformedXML) { try await Self.verify(mismatched) }
        #expect(error?.reason.contains("not well-formed") == true, "\(String(describing: error))")
        #expect(error?.libraryMessage?.isEmpty == false, "libxml2 says what: \(String(describing: error))")
        await Self.failure(.malformedXML) { _ = try IdentityProvider(metadata: "<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\">") }
        let empty = await Self.failure(.malformedXML) { _ = try SAMLMessageInspector.inspect(bytes: Array("<?xml version='1.0'?>".utf8)) }
        #expect(empty != nil)
    }

    @Test("too large and the shape pre-scan: tooLarge naming the limit to raise")
    func tooLargeAndPreScan() async throws {
        let xml = try Generated.response("assertion-signed.xml")
        let size = await Self.failure(.tooLarge) { try await Self.verify(xml, policy: VerificationPolicy(limits: XMLLimits(maximumBytes: 1000))) }
        #expect(size?.reason.contains("the limit is 1000 bytes") == true, "\(String(describing: size))")
        let attributes = await Self.failure(.tooLarge) {
            try await Self.verify(xml, policy: VerificationPolicy(limits: XMLLimits(maximumAttributesPerElement: 2)))
        }
        #expect(attributes?.reason.contains("XMLLimits.maximumAttributesPerElement") == true, "\(String(describing: attributes))")
        let value = await Self.failure(.tooLarge) {
            _ = try SAMLMessageInspector.inspect("<r a=\"\(String(repeating: "v", count: 64))\"/>", limits: XMLLimits(maximumAttributeValueBytes: 10))
        }
        #expect(value?.reason.contains("64 bytes long") == true, "\(String(describing: value))")
        let doctype = await Self.failure(.doctypeForbidden) { 
            try await Self.verify(xml.replacingOccurrences(of: "?>\n<samlp:Response", with: "?>\n<!DOCTYPE r [<!ENTITY e \"x\">]>\n<samlp:Response"))
        }
        #expect(doctype?.reason.contains("DOCTYPE") == true)
        let utf16 = await Self.failure(.unsupported) {
            _ = try SAMLMessageInspector.inspect(bytes: [0xFF, 0xFE] + Array("<r/>".utf8).flatMap { [$0, 0] })
        }
        #expect(utf16?.reason.contains("UTF-8") == true, "\(String(describing: utf16))")
    }

    @Test("a duplicated ID: duplicateID naming the value")
    func duplicateID() async throws {
        let xml = try Generated.response("assertion-signed.xml")
            .replacingOccurrences(of: "<samlp:Status>", with: "<samlp:Status><samlp:Extensions ID=\"\(Generated.assertionID)\"/>")
        let error = await Self.failure(.duplicateID) { try await Self.verify(xml) }
        #expect(error?.reason.contains(Generated.assertionID) == true, "\(String(describing: error))")
    }

    @Test("a bad certificate: invalidCertificate, also when encrypting for an EC certificate")
    func badCertificate() async throws {
        let der = await Self.failure(.invalidCertificate) { _ = try SAMLCertificate(der: [0x30, 0x03, 0x02, 0x01, 0x01]) }
        #expect(der?.reason.contains("not a DER X.509 certificate") == true, "\(String(describing: der))")
        let truncated = try Array(Generated.certificate("idp-rsa").der.dropLast(20))
        await Self.failure(.invalidCertificate) { _ = try SAMLCertificate(der: truncated) }
        let idp = try TestIdPWorld.idp()
        let ec = try Generated.certificate("sp-ec256")
        let encryption = await Self.failure(.invalidCertificate) {
            _ = try idp.issueResponse(for: .alice, serviceProviderEntityID: TestIdPWorld.spEntityID, acsURL: TestIdPWorld.acsURL,
                                      inResponseTo: TestIdPWorld.requestID, options: ResponseOptions(encryptionCertificate: ec))
        }
        #expect(encryption?.reason.contains("needs an RSA certificate") == true, "\(String(describing: encryption))")
    }

    @Test("a bad private key: invalidKey saying what to do")
    func badPrivateKey() async throws {
        let garbage = await Self.failure(.invalidKey) {
            _ = try SAMLPrivateKey(pem: "-----BEGIN PRIVATE KEY-----\nAAAAAAAA\n-----END PRIVATE KEY-----\n")
        }
        #expect(garbage?.reason.contains("could not be read") == true, "\(String(describing: garbage))")
        let encrypted = try Fixtures.text("generated/keys/sp-rsa.encrypted.key.pem")
        let noPassphrase = await Self.failure(.invalidKey) { _ = try SAMLPrivateKey(pem: encrypted) }
        #expect(noPassphrase?.reason.contains("supply its passphrase") == true, "\(String(describing: noPassphrase))")
        let wrong = await Self.failure(.invalidKey) { _ = try SAMLPrivateKey(pem: encrypted, passphrase: "tr0ub4dor") }
        #expect(wrong?.reason.contains("wrong passphrase") == true, "\(String(describing: wrong))")
        _ = try SAMLPrivateKey(pem: encrypted, passphrase: "correct horse battery staple")
    }

    @Test("a decryption failure: decryptionFailed naming the SP keys")
    func decryptionFailure() async throws {
        let xml = try Generated.response("encrypted/assertion-signed-aes256-gcm-rsa-oaep-mgf1p.xml")
        let other = await Self.failure(.decryptionFailed) { try await Self.verify(xml, keys: ["attacker-rsa"]) }
        #expect(other?.reason.contains("cannot be decrypted with the configured SP key") == true, "\(String(describing: other))")
        // The right key, a damaged content ciphertext.
        let tampered = try DecryptionTests.tamperedCipherValue("encrypted/assertion-signed-aes256-gcm-rsa-oaep-mgf1p.xml", inData: true)
        let damaged = await Self.failure(.decryptionFailed) { try await Self.verify(tampered, keys: ["sp-rsa"]) }
        #expect(damaged?.reason.contains("damaged") == true, "\(String(describing: damaged))")
    }

    @Test("bad DEFLATE in the Redirect binding: invalidEncoding; a DEFLATE bomb: tooLarge")
    func badDeflate() async throws {
        let notDeflate = Data("<samlp:AuthnRequest/> is not compressed".utf8).base64EncodedString()
        let query = "SAMLRequest=" + notDeflate.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let error = await Self.failure(.invalidEncoding) { _ = try RedirectBindingMessage(query: query) }
        #expect(error?.reason.contains("not valid raw DEFLATE") == true, "\(String(describing: error))")
        let bomb = try Deflate.compress([UInt8](repeating: UInt8(ascii: "<"), count: 1 << 20))
        let bombQuery = "SAMLRequest=" + Data(bomb).base64EncodedString().addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let large = await Self.failure(.tooLarge) { _ = try RedirectBindingMessage(query: bombQuery, limits: XMLLimits(maximumBytes: 1 << 16)) }
        #expect(large?.reason.contains("expands beyond 65536 bytes") == true, "\(String(describing: large))")
    }

    @Test("a signature failure: signatureInvalid, and the wrapper's verification errors are SAMLErrors")
    func signatureFailure() async throws {
        let xml = try Generated.response("assertion-signed.xml").replacingOccurrences(of: "alice@example.com", with: "mallory@example.com")
        let error = await Self.failure(.signatureInvalid) { try await Self.verify(xml) }
        #expect(error?.reason.isEmpty == false)
        // The wrapper's own entry points throw SAMLError itself: no other error type leaves them.
        do {
            _ = try XMLDocument.parse("<r")
            Issue.record("parsed a truncated document")
        } catch {
            #expect((error as? SAMLError)?.code == .malformedXML, "\(error)")
        }
    }
}
