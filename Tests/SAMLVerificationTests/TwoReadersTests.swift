import Foundation
import SAML
import SAMLCore
import SAMLTesting
import SAMLXMLSec
@_spi(Tools) import SAMLVerification
import Testing
import SAMLTestSupport

/// Two readers of one element: our checks read an attribute without a namespace, xmlsec reads
/// the first attribute with that local name in any namespace (`xmlGetProp`). Every `ds:`/`xenc:`
/// element carrying a namespaced `Algorithm`, `URI`, `Type` or `Id` is refused, and xmlsec is
/// given only the one content algorithm the policy chose.
@Suite("Two readers of one element")
struct TwoReadersTests {
    static let cbcFixture = "encrypted/assertion-signed-aes256-cbc-rsa-oaep-mgf1p.xml"
    static let cbc = "http://www.w3.org/2001/04/xmlenc#aes256-cbc"
    static let gcm = "http://www.w3.org/2009/xmlenc11#aes256-gcm"

    static func check(_ xml: String, policy: VerificationPolicy = .default) throws -> VerifiedAssertion {
        try Generated.verifier(policy: policy, decryptionKeys: ["sp-rsa"])
            .verifyWithoutReplayCheck(responseXML: Array(xml.utf8), inResponseTo: Generated.requestID, now: Generated.now)
    }

    /// The real AES-256-CBC response (unsigned Response, signed Assertion) whose content
    /// EncryptionMethod shows AES-GCM to an un-namespaced reader and AES-CBC to xmlsec.
    static func disguisedCBC() throws -> String {
        let xml = try Generated.response(cbcFixture)
        let original = "<xenc:EncryptionMethod Algorithm=\"\(cbc)\"/>"
        #expect(xml.contains(original))
        return xml.replacingOccurrences(of: original, with:
            "<xenc:EncryptionMethod xmlns:x=\"urn:x\" x:Algorithm=\"\(cbc)\" Algorithm=\"\(gcm)\"/>")
    }

    @Test("AES-CBC disguised as AES-GCM by a namespaced Algorithm is refused, whatever the CBC policy")
    func cbcDisguisedAsGCM() throws {
        let attack = try Self.disguisedCBC()
        for policy in [VerificationPolicy.default, VerificationPolicy(refuseCBCInUnsignedResponse: true),
                       VerificationPolicy(refuseCBCInUnsignedResponse: false)] {
            do {
                let accepted = try Self.check(attack, policy: policy)
                Issue.record("accepted the disguised CBC content: \(accepted.nameID.value)")
            } catch let error as SAMLError {
                #expect(error.code == .invalidMessage, "\(error)")
                #expect(error.reason.contains("x:Algorithm"), "\(error)")
            }
        }
        // The undisguised document is still accepted when the policy allows CBC.
        _ = try Self.check(try Generated.response(Self.cbcFixture), policy: VerificationPolicy(refuseCBCInUnsignedResponse: false))
    }

    @Test("a namespaced Algorithm, URI, Type or Id on any ds:/xenc: element is refused at parse time",
          arguments: [
            ("<ds:Reference URI=\"#a\" x:URI=\"#b\"/>", "x:URI"),
            ("<ds:SignatureMethod Algorithm=\"urn:a\" x:Algorithm=\"urn:b\"/>", "x:Algorithm"),
            ("<xenc:EncryptedData x:Type=\"urn:b\"/>", "x:Type"),
            ("<xenc:EncryptedKey x:Id=\"k\"/>", "x:Id"),
            ("<ds:Transform x:Algorithm=\"urn:b\"/>", "x:Algorithm"),
          ])
    func namespacedAttributeOnSecurityElement(_ element: String, _ named: String) throws {
        let xml = "<r xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\" xmlns:xenc=\"http://www.w3.org/2001/04/xmlenc#\" xmlns:x=\"urn:x\">\(element)</r>"
        do {
            _ = try XMLDocument.parse(xml)
            Issue.record("parsed \(element)")
        } catch let error as SAMLError {
            #expect(error.code == .invalidMessage, "\(error)")
            #expect(error.reason.contains(named), "\(error)")
        }
        // The same attributes on other elements, and un-namespaced ones, are ordinary.
        _ = try XMLDocument.parse("<r xmlns:x=\"urn:x\" xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"><e x:Algorithm=\"a\" x:URI=\"b\"/><ds:Reference URI=\"#a\"/></r>")
    }

    /// The fixture's EncryptedData and its real session key, unwrapped with the SP's key.
    static func encryptedData() throws -> (XMLDocument, XMLElement, [UInt8]) {
        let document = try XMLDocument.parse(try Generated.response(Self.cbcFixture))
        let xenc = "http://www.w3.org/2001/04/xmlenc#"
        let data = try #require(document.root?.descendants("EncryptedData", xenc).first)
        let wrapped = try #require(data.descendants("EncryptedKey", xenc).first?.descendants("CipherValue", xenc).first?.text)
        let cipher = try #require(Base64.decode(wrapped))
        let spKey = try Generated.key("sp-rsa")
        let sessionKey = try #require(spKey.handle.rsaDecrypt(cipher, padding: .oaep(digest: .sha1, mgf: .sha1, label: [])))
        return (document, data, sessionKey)
    }

    @Test("xmlsec decrypts only with the algorithm the policy chose")
    func xmlsecGetsOnlyTheChosenAlgorithm() throws {
        // The right key, CBC content, AES-GCM chosen: xmlsec must not run CBC.
        let (document, data, key) = try Self.encryptedData()
        do {
            try data.decryptData(key: key, algorithm: Self.gcm, limits: XMLLimits.default)
            Issue.record("xmlsec decrypted CBC content with only AES-GCM enabled")
        } catch {
            #expect(error.code == .decryptionFailed, "\(error)")
        }
        withExtendedLifetime(document) {}
        // With CBC chosen, the same key decrypts it: the refusal above was the algorithm.
        let (again, cbcData, sameKey) = try Self.encryptedData()
        try cbcData.decryptData(key: sameKey, algorithm: Self.cbc, limits: XMLLimits.default)
        #expect(again.root?.descendants("Assertion", "urn:oasis:names:tc:SAML:2.0:assertion").count == 1)
    }
}
