import Foundation
import SAML
import SAMLCore
import SAMLXMLSec
import Testing
import SAMLTestSupport

/// The small parsers every message goes through.
@Suite struct CoreTests {
    @Test func base64IsStrictButToleratesWhitespace() {
        #expect(Base64.decode("aGVsbG8=") == Array("hello".utf8))
        #expect(Base64.decode(" aGVs\r\nbG8=\n") == Array("hello".utf8))
        #expect(Base64.decode("aGVsbA==") == Array("hell".utf8))
        #expect(Base64.decode("aGVsbG8h") == Array("hello!".utf8))
        #expect(Base64.decode("aGVsbG8") == nil)          // unpadded
        #expect(Base64.decode("aGVsbG8=aGVs") == nil)     // data after padding
        #expect(Base64.decode("aGVs===") == nil)
        #expect(Base64.decode("aGVs-G8=") == nil)         // base64url alphabet
        #expect(Base64.decode("aGVs%G8=") == nil)
        #expect(Base64.decode("") == nil)
        // agrees with Foundation on random data
        for length in [1, 2, 3, 4, 57, 1000] {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255) }
            let text = Data(bytes).base64EncodedString(options: .lineLength64Characters)
            #expect(Base64.decode(text) == bytes)
        }
    }

    /// RFC 4231 test cases 1, 2 and 6 (a key longer than SHA-256's block is hashed first), a key of
    /// exactly one block and the empty key and message (from Python's `hmac`).
    @Test(arguments: [
        (Array(repeating: UInt8(0x0b), count: 20), "Hi There", "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        (Array("Jefe".utf8), "what do ya want for nothing?", "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        (Array(repeating: UInt8(0xaa), count: 131), "Test Using Larger Than Block-Size Key - Hash Key First",
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
        (Array(UInt8(0)..<64), "sixty-four byte key", "94fbbed2e6254a9d61efd004feddcae9c4fae48c965af84977023ac95ba06435"),
        ([], "", "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad"),
    ])
    func hmacSHA256MatchesTheReferenceVectors(_ key: [UInt8], _ message: String, _ expected: String) throws {
        let mac = try MessageAuthentication.hmacSHA256(Array(message.utf8), key: key)
        #expect(mac.map { String(format: "%02x", $0) }.joined() == expected)
    }

    @Test func dateTimes() {
        #expect(SAMLTime.parse("2026-01-15T10:01:00Z") == Date(timeIntervalSince1970: 1_768_471_260))
        #expect(SAMLTime.parse("2026-01-15T10:01:00.500Z") == Date(timeIntervalSince1970: 1_768_471_260.5))
        #expect(SAMLTime.parse("2026-01-15T11:01:00+01:00") == Date(timeIntervalSince1970: 1_768_471_260))
        #expect(SAMLTime.parse(" 2026-01-15T10:01:00Z\n") == Date(timeIntervalSince1970: 1_768_471_260))
        #expect(SAMLTime.parse("2026-01-15T10:01:00") == Date(timeIntervalSince1970: 1_768_471_260))
        #expect(SAMLTime.parse("2000-02-29T00:00:00Z") == Date(timeIntervalSince1970: 951_782_400))
        for bad in ["", "yesterday", "2026-13-01T00:00:00Z", "2026-01-15 10:01:00Z", "2026-01-15T10:01:00.Z", "2026-01-15T10:01:00Zjunk"] {
            #expect(SAMLTime.parse(bad) == nil, "\(bad)")
        }
        #expect(SAMLTime.format(Date(timeIntervalSince1970: 1_768_471_260.9)) == "2026-01-15T10:01:00Z")
        #expect(SAMLTime.format(Date(timeIntervalSince1970: 951_782_400)) == "2000-02-29T00:00:00Z")
    }

    @Test func whitespaceTrimming() {
        #expect(" \t\r\nabc \n".trimmingXMLWhitespace == "abc")
        #expect("abc".trimmingXMLWhitespace == "abc")
        #expect(" \n ".trimmingXMLWhitespace == "")
        #expect("\u{00A0}abc".trimmingXMLWhitespace == "\u{00A0}abc")  // only XML whitespace
    }

    @Test func errorDescriptionCarriesCodeReasonAndLibraryMessage() {
        let e = SAMLError(.signatureInvalid, "The digest does not match.", libraryMessage: "  data do not match \n")
        #expect(e.description == "signatureInvalid: The digest does not match. (library: data do not match)")
        #expect(SAMLError(.expired, "x", libraryMessage: "  ").libraryMessage == nil)
        #expect(SAMLError.Code.replayed.rawValue == "replayed")
    }
}

/// Shapes real metadata files take that the reader must pass over.
@Suite struct MetadataShapeTests {
    @Test func commentsAndProcessingInstructionsAroundTheRoot() throws {
        let original = try Fixtures.text("reference/idp-metadata/aws-iam-identity-center_us-east-1.xml")
        let decorated = original.replacingOccurrences(of: "<md:EntityDescriptor", with: "<!-- exported 2026-01-01 -->\n<?generator x?>\n<md:EntityDescriptor")
            .replacingOccurrences(of: "<md:IDPSSODescriptor", with: "<!-- the IdP role --><md:IDPSSODescriptor")
        #expect(decorated != original)
        let a = try IdentityProvider(metadata: original)
        let b = try IdentityProvider(metadata: decorated)
        #expect(a.entityID == b.entityID)
        #expect(a.singleSignOnServices == b.singleSignOnServices)
        #expect(a.signingCertificates == b.signingCertificates)
    }

    @Test func extensionsAndUnknownRolesAreSkipped() throws {
        let original = try Fixtures.text("generated/idp-metadata.xml")
        let extended = original.replacingOccurrences(of: "<md:IDPSSODescriptor", with: """
            <md:Extensions><x:Thing xmlns:x="urn:example:x">ignored</x:Thing></md:Extensions>\
            <md:AttributeAuthorityDescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">\
            <md:AttributeService Binding="urn:oasis:names:tc:SAML:2.0:bindings:SOAP" Location="https://idp.example.org/aa"/>\
            </md:AttributeAuthorityDescriptor><md:IDPSSODescriptor
            """)
        #expect(extended != original)
        let idp = try IdentityProvider(metadata: extended)
        #expect(idp.entityID == Generated.idpEntityID)
        #expect(idp.singleSignOnServices.count == 3)
        #expect(idp.signingCertificates.count == 3)
    }
}

/// A configuration whose "sign requests" switch cannot be read is refused, not guessed.
@Suite struct ConfigurationStrictnessTests {
    static func json(signRequest: String) -> [UInt8] {
        Array(#"{"type":"saml","name":"x","config":{"issuer_url":"https://idp.example.org/metadata","sso_target_url":"https://idp.example.org/sso","idp_public_certs":["AAAA"],"sign_request":\#(signRequest)}}"#.utf8)
    }

    @Test func unreadableSignRequestIsRefused() throws {
        for bad in ["1", "\"maybe\"", "[true]", "{}"] {
            #expect(throws: SAMLError.self, "\(bad)") { _ = try IdentityProviderConfiguration(json: Self.json(signRequest: bad)) }
        }
        #expect(try IdentityProviderConfiguration(json: Self.json(signRequest: "\"no\"")).config.signRequest == false)
        #expect(try IdentityProviderConfiguration(json: Self.json(signRequest: "true")).config.signRequest == true)
        #expect(try IdentityProviderConfiguration(json: Self.json(signRequest: "null")).config.signRequest == nil)
    }

    /// Certificates in a shape that is neither a list of strings nor one string are refused, never read as "none".
    @Test func unreadableCertificateListIsRefused() throws {
        for bad in ["5", "[1, 2]", "{\"pem\": \"AAAA\"}", "true"] {
            let json = Array(#"{"type":"saml","config":{"issuer_url":"https://idp.example.org/metadata","idp_public_certs":\#(bad)}}"#.utf8)
            #expect(throws: SAMLError.self, "\(bad)") { _ = try IdentityProviderConfiguration(json: json) }
        }
        let absent = Array(#"{"type":"saml","config":{"issuer_url":"https://idp.example.org/metadata"}}"#.utf8)
        #expect(try IdentityProviderConfiguration(json: absent).config.idpPublicCerts.isEmpty)
    }
}
