import Foundation
import SAMLCore
import SAMLMetadata
import SAMLRequests
import SAMLXMLSec
import Testing
import SAMLTestSupport

@Suite("Requests: SP metadata")
struct RequestsMetadataTests {
    typealias S = RequestsSupport

    static func fullMetadata() throws -> ServiceProviderMetadata {
        var metadata = ServiceProviderMetadata(
            entityID: S.spEntityID, acsURL: S.acsURL,
            signingCertificates: [try S.certificate("sp-rsa"), try S.certificate("sp-rsa-next")],
            encryptionCertificates: [try S.certificate("sp-rsa"), try S.certificate("sp-rsa-next")],
            nameIDFormats: [.emailAddress, .persistent], wantAssertionsSigned: true
        )
        metadata.assertionConsumerServices.append(.init(location: "https://sp-eu.example.com/acs", index: 1))
        metadata.singleLogoutServices = [Endpoint(binding: .httpRedirect, location: "https://sp.example.com/slo")]
        metadata.organization = .init(name: "Example & Co", displayName: "Example <SP>", url: "https://example.com/")
        metadata.contacts = [.init(type: .technical, company: "Example", givenName: "Ada", surname: "Lovelace",
                                   emailAddresses: ["ada@example.com"], telephoneNumbers: ["+1 555 0100"])]
        metadata.validUntil = Fixtures.date("2030-01-01T00:00:00Z")
        metadata.cacheDuration = "PT24H"
        return metadata
    }

    @Test("full SP metadata: structure, rollover keys, encryption methods, ACS indexes")
    func structure() throws {
        let xml = try Self.fullMetadata().xml()
        let document = try XMLDocument.parse(xml)
        let root = try #require(document.root)
        #expect(root.is("EntityDescriptor", NS.metadata))
        #expect(root.attribute("entityID") == S.spEntityID)
        #expect(root.attribute("validUntil") == "2030-01-01T00:00:00Z")
        #expect(root.attribute("cacheDuration") == "PT24H")
        #expect(root.attribute("ID") == nil)
        #expect(root.children.map(\.localName) == ["SPSSODescriptor", "Organization", "ContactPerson"])
        let sso = try #require(root.child("SPSSODescriptor", NS.metadata))
        #expect(sso.attribute("AuthnRequestsSigned") == "true")
        #expect(sso.attribute("WantAssertionsSigned") == "true")
        #expect(sso.children.map(\.localName) == ["KeyDescriptor", "KeyDescriptor", "KeyDescriptor", "KeyDescriptor",
                                                  "SingleLogoutService", "NameIDFormat", "NameIDFormat",
                                                  "AssertionConsumerService", "AssertionConsumerService"])
        let keys = sso.children("KeyDescriptor", NS.metadata)
        #expect(keys.map { $0.attribute("use") } == ["signing", "signing", "encryption", "encryption"])
        #expect(keys[0].children("EncryptionMethod", NS.metadata).isEmpty)
        #expect(keys[2].children("EncryptionMethod", NS.metadata).compactMap { $0.attribute("Algorithm") } == [
            "http://www.w3.org/2009/xmlenc11#aes256-gcm", "http://www.w3.org/2009/xmlenc11#aes128-gcm",
            "http://www.w3.org/2001/04/xmlenc#aes256-cbc", "http://www.w3.org/2001/04/xmlenc#aes128-cbc",
            "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p", "http://www.w3.org/2009/xmlenc11#rsa-oaep",
        ])
        #expect(keys[1].descendants("X509Certificate", NS.dsig).first.flatMap { Base64.decode($0.text) } == (try S.certificate("sp-rsa-next")).der)
        let acs = sso.children("AssertionConsumerService", NS.metadata)
        #expect(acs.map { $0.attribute("index") } == ["0", "1"])
        #expect(acs.map { $0.attribute("isDefault") } == ["true", nil])
        #expect(acs.allSatisfy { $0.attribute("Binding") == SAMLBinding.httpPost.rawValue })
        let organization = try #require(root.child("Organization", NS.metadata))
        #expect(organization.child("OrganizationName", NS.metadata)?.text == "Example & Co")
        #expect(organization.child("OrganizationName", NS.metadata)?.attribute("lang", namespace: "http://www.w3.org/XML/1998/namespace") == "en")
        #expect(root.child("ContactPerson", NS.metadata)?.child("EmailAddress", NS.metadata)?.text == "mailto:ada@example.com")
    }

    @Test("SP metadata (plain, full, signed RSA and EC) validates against the OASIS metadata schema")
    func schemaValid() throws {
        let dir = try S.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let samples = [
            ("minimal.xml", try ServiceProviderMetadata(entityID: S.spEntityID, acsURL: S.acsURL).xml()),
            ("full.xml", try Self.fullMetadata().xml()),
            ("signed.xml", try Self.fullMetadata().xml(signedWith: S.keyPair())),
            ("signed-ec.xml", try ServiceProviderMetadata(entityID: S.spEntityID, acsURL: S.acsURL,
                                                          signingCertificates: [try S.certificate("sp-ec256")]).xml(signedWith: S.keyPair("sp-ec256"))),
        ]
        for (name, xml) in samples {
            let result = try S.xmllintSchema(try S.write(xml, name, in: dir), schema: "saml-schema-metadata-2.0.xsd")
            #expect(result.status == 0, "\(name): \(result.stderr)")
            #expect(result.stderr.contains("validates"), "\(name): \(result.stderr)")
        }
        // The schema check has teeth: an ACS before the NameIDFormat is refused.
        let broken = try Self.fullMetadata().xml().replacingOccurrences(of: "<md:SingleLogoutService", with: "<md:AssertionConsumerService Binding=\"b\" Location=\"l\" index=\"9\"/><md:SingleLogoutService")
        let refused = try S.xmllintSchema(try S.write(broken, "broken.xml", in: dir), schema: "saml-schema-metadata-2.0.xsd")
        #expect(refused.status != 0)
    }

    @Test("signed SP metadata: Signature is the first child, verifies with xmlsec1 and with our verifier")
    func signed() throws {
        let xmlsec = try S.tool("xmlsec1")
        let pair = try S.keyPair()
        let xml = try Self.fullMetadata().xml(signedWith: pair, id: "_metadata1")
        let document = try XMLDocument.parse(xml)
        let root = try #require(document.root)
        #expect(root.attribute("ID") == "_metadata1")
        #expect(root.children.first?.is("Signature", NS.dsig) == true)
        try EnvelopedSignature.verify(root, trusted: [pair.certificate], allowSHA1: false, what: "metadata")
        #expect(throws: SAMLError.self) {
            try EnvelopedSignature.verify(root, trusted: [try S.certificate("sp-rsa-next")], allowSHA1: false, what: "metadata")
        }
        let dir = try S.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try S.write(xml, "signed.xml", in: dir)
        let ok = try S.run(xmlsec, ["--verify", "--pubkey-cert-pem", Fixtures.url("generated/keys/sp-rsa.cert.pem").path,
                                    "--id-attr:ID", "urn:oasis:names:tc:SAML:2.0:metadata:EntityDescriptor", file])
        #expect(ok.status == 0, "\(ok.stderr)")
        // Generated IDs are fresh.
        let a = try XMLDocument.parse(try Self.fullMetadata().xml(signedWith: pair)).root?.attribute("ID")
        let b = try XMLDocument.parse(try Self.fullMetadata().xml(signedWith: pair)).root?.attribute("ID")
        #expect(a != nil && a != b && a?.hasPrefix("_") == true)
    }

    @Test("pysaml2 loads our SP metadata into a MetadataStore")
    func pysaml2Accepts() throws {
        let dir = try S.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for (name, xml) in [("full.xml", try Self.fullMetadata().xml()), ("signed.xml", try Self.fullMetadata().xml(signedWith: S.keyPair()))] {
            let result = try S.peer(["metadata", try S.write(xml, name, in: dir)])
            #expect(result.status == 0, "\(name): \(result.stderr)")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            #expect(json["entityID"] as? String == S.spEntityID)
            #expect(json["acs"] as? [String] == [S.acsURL, "https://sp-eu.example.com/acs"])
            #expect(json["signingCerts"] as? Int == 2)
            #expect(json["encryptionCerts"] as? Int == 2)
        }
    }

    @Test("metadata configuration errors are reported")
    func configurationErrors() throws {
        var metadata = ServiceProviderMetadata(entityID: S.spEntityID, acsURL: S.acsURL)
        metadata.assertionConsumerServices.append(.init(location: "https://x.example/acs", index: 0))
        #expect(throws: SAMLError.self) { try metadata.xml() }
        metadata.assertionConsumerServices = []
        #expect(throws: SAMLError.self) { try metadata.xml() }
        metadata.assertionConsumerServices = [.init(location: "a", index: 0, isDefault: true), .init(location: "b", index: 1, isDefault: true)]
        #expect(throws: SAMLError.self) { try metadata.xml() }
        // Defaults follow the certificates.
        #expect(ServiceProviderMetadata(entityID: "e", acsURL: "a").authnRequestsSigned == false)
        #expect(ServiceProviderMetadata(serviceProvider: ServiceProvider(entityID: "e", acsURL: "a", signingKey: try S.keyPair())).authnRequestsSigned)
    }
}
