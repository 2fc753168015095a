import Foundation
import SAML
import SAMLTesting
import Testing
import SAMLTestSupport

/// The test IdP's metadata, response shape and HTML pages.
@Suite("Test IdP: metadata, schema validity, pages")
struct TestIdPDocumentTests {
    typealias W = TestIdPWorld
    typealias S = RequestsSupport

    @Test("metadata: our reader finds what the IdP publishes; the document is schema-valid", arguments: [false, true])
    func metadata(ecdsa: Bool) throws {
        let idp = try W.idp(ecdsa: ecdsa, wantSigned: true)
        let xml = idp.metadata()
        let read = try IdentityProvider(metadata: xml)
        #expect(read.entityID == "https://idp.example.test/idp/metadata")
        #expect(read.singleSignOnServices(for: .httpRedirect).map(\.location) == ["https://idp.example.test/idp/sso"])
        #expect(read.singleSignOnServices(for: .httpPost).map(\.location) == ["https://idp.example.test/idp/sso"])
        #expect(read.signingCertificates == [idp.signingKey.certificate])
        #expect(read.wantsAuthnRequestsSigned)
        #expect(read.nameIDFormats.first == .emailAddress)
        // The SP-side view handed out directly says the same.
        let view = idp.identityProvider
        #expect(view.entityID == read.entityID)
        #expect(view.singleSignOnServices == read.singleSignOnServices)
        #expect(view.signingCertificates == read.signingCertificates)
        #expect(view.wantsAuthnRequestsSigned)

        let directory = try W.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try S.xmllintSchema(try S.write(xml, "idp-metadata.xml", in: directory), schema: "saml-schema-metadata-2.0.xsd")
        #expect(result.status == 0, "\(result.stderr)")
    }

    @Test("responses are valid against the SAML protocol schema", arguments: ResponseOptions.Signing.allCases)
    func schema(signing: ResponseOptions.Signing) throws {
        let idp = try W.idp()
        let directory = try W.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for encrypted in [false, true] {
            let issued = try idp.issueResponse(for: .alice, serviceProviderEntityID: W.spEntityID, acsURL: W.acsURL, inResponseTo: W.requestID,
                                               options: ResponseOptions(signing: signing, encryptionCertificate: encrypted ? try W.spCertificate() : nil))
            let result = try S.xmllintSchema(try S.write(issued.xml, "response-\(encrypted).xml", in: directory), schema: "saml-schema-protocol-2.0.xsd")
            #expect(result.status == 0, "\(encrypted ? "encrypted" : "clear"): \(result.stderr)")
        }
    }

    @Test("an encrypted assertion: EncryptedKey inside EncryptedData/KeyInfo, RSA-OAEP, and the saml: prefix inside too")
    func encryptedLayout() throws {
        let idp = try W.idp()
        let issued = try idp.issueResponse(for: .alice, serviceProviderEntityID: W.spEntityID, acsURL: W.acsURL, inResponseTo: W.requestID,
                                           options: ResponseOptions(signing: .assertion, encryptionCertificate: try W.spCertificate()))
        let xml = issued.xml
        let data = try #require(xml.slice(from: "<xenc:EncryptedData", through: "</xenc:EncryptedData>"))
        let keyInfo = try #require(data.slice(from: "<ds:KeyInfo", through: "</ds:KeyInfo>"))
        #expect(keyInfo.contains("<xenc:EncryptedKey"))
        #expect(keyInfo.contains("http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p"))
        #expect(data.contains(#"Type="http://www.w3.org/2001/04/xmlenc#Element""#))
        #expect(xml.contains("<saml:EncryptedAssertion><xenc:EncryptedData"))
        #expect(!xml.contains("<saml:Assertion"))
        // The clear assertion declares the same saml: prefix as the Response around it.
        let clear = try idp.issueResponse(for: .alice, serviceProviderEntityID: W.spEntityID, acsURL: W.acsURL, inResponseTo: W.requestID)
        #expect(clear.xml.contains(#"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion""#))
        #expect(clear.xml.contains(#"<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion""#))
    }

    @Test("the default users: Alice first, with the AWS IAM Identity Center attribute names")
    func users() throws {
        let alice = try #require(TestUser.defaultUsers.first)
        #expect(alice.nameID == "alice@example.com")
        #expect(alice.nameIDFormat == .emailAddress)
        #expect(alice.values(of: "name") == ["Alice Example"])
        #expect(alice.values(of: "givenName") == ["Alice"])
        #expect(alice.values(of: "surName") == ["Example"])
        #expect(alice.values(of: "email") == ["alice@example.com"])
        #expect(TestUser.defaultUsers.count >= 3)
        #expect(Set(TestUser.defaultUsers.map(\.nameID)).count == TestUser.defaultUsers.count)
        #expect(try W.idp().user(nameID: "bob@example.com") == .bob)
    }

    @Test("the demo-only credentials load, pair up, and say DEMO ONLY")
    func credentials() throws {
        for pair in [try DemoOnlyCredentials.identityProviderRSA(), try DemoOnlyCredentials.identityProviderEC(), try DemoOnlyCredentials.serviceProvider()] {
            #expect(pair.certificate.subject.contains("DEMO ONLY"))
            #expect(pair.certificate.notAfter > Date().addingTimeInterval(5 * 365 * 86400))
        }
        #expect(try DemoOnlyCredentials.identityProviderEC().certificate.keyAlgorithm == .ec(curve: "prime256v1"))
        #expect(try DemoOnlyCredentials.identityProviderRSA().privateKey.keyAlgorithm == .rsa)
    }

    @Test("user picker: every value escaped, no script, buttons post the NameID")
    func picker() throws {
        let open = try W.idp(register: false)
        let hostile = "https://sp.example/\"><script>alert(1)</script>"
        let request = try AuthnRequest(serviceProvider: ServiceProvider(entityID: hostile, acsURL: "https://sp.example/acs?a=1&b=<2>"),
                                       identityProvider: open.identityProvider, options: AuthnRequestOptions(relayState: "x\"<y>"))
            .redirect()
        let received = try open.receiveRedirect(query: request.query)
        let html = TestIdPPages.userPicker(for: received, users: open.users, action: "/idp/login",
                                           hiddenFields: [("SAMLRequest", "a+b/c=\"<>"), ("RelayState", received.relayState ?? "")])
        #expect(!html.contains("<script"))
        #expect(!html.contains("alert(1)</script>"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(html.contains("https://sp.example/acs?a=1&amp;b=&lt;2&gt;"))
        #expect(html.contains(#"<input type="hidden" name="SAMLRequest" value="a+b/c=&quot;&lt;&gt;">"#))
        #expect(html.contains(#"<input type="hidden" name="RelayState" value="x&quot;&lt;y&gt;">"#))
        #expect(!html.contains(" style=") && !html.contains(" onclick=") && !html.contains("<style"))
        let first = try #require(html.range(of: #"<button type="submit" name="user" value="alice@example.com">Alice Example &lt;alice@example.com&gt;</button>"#))
        let second = try #require(html.range(of: #"value="bob@example.com""#))
        #expect(first.lowerBound < second.lowerBound)
        #expect(html.contains("Chloé Ünicode &lt;&amp;&gt; &quot;Q&quot;"))
        // With a nonce, only a style element carries it; still no script.
        let styled = TestIdPPages.userPicker(for: received, users: open.users, action: "/idp/login", nonce: "n0nce")
        #expect(styled.contains(#"<style nonce="n0nce">"#))
        #expect(!styled.contains("<script"))
    }

    @Test("a received request and an issued response survive a JSON round trip (server-side state)")
    func codable() throws {
        let idp = try W.idp(wantSigned: true)
        let request = try AuthnRequest(serviceProvider: W.serviceProvider(), identityProvider: idp.identityProvider,
                                       options: AuthnRequestOptions(relayState: "/here")).post()
        let received = try idp.receivePost(samlRequest: request.base64, relayState: request.relayState)
        let decoded = try JSONDecoder().decode(ReceivedAuthnRequest.self, from: JSONEncoder().encode(received))
        #expect(decoded == received)
        let issued = try idp.issueResponse(for: .bob, answering: decoded)
        #expect(try JSONDecoder().decode(IssuedResponse.self, from: JSONEncoder().encode(issued)) == issued)
        #expect(issued.relayState == "/here")
    }

    @Test("POST form: SAMLResponse and RelayState escaped, a visible button, script only with a nonce")
    func postForm() throws {
        let idp = try W.idp()
        let issued = try idp.issueResponse(for: .alice, serviceProviderEntityID: W.spEntityID, acsURL: W.acsURL,
                                           inResponseTo: W.requestID, relayState: "/a?b=1&c=\"2\"")
        let plain = issued.postForm()
        #expect(plain.contains(#"<form method="post" action="https://sp.example.com/saml/acs">"#))
        #expect(plain.contains(#"<input type="hidden" name="SAMLResponse" value="\#(issued.base64)">"#))
        #expect(plain.contains(#"<input type="hidden" name="RelayState" value="/a?b=1&amp;c=&quot;2&quot;">"#))
        #expect(plain.contains(#"<button type="submit" id="continue">Continue</button>"#))
        #expect(!plain.contains("<script"))
        let scripted = issued.postForm(nonce: "abc123")
        #expect(scripted.contains(#"<script nonce="abc123">document.forms[0].submit();</script>"#))
        #expect(TestIdPPages.contentSecurityPolicy(nonce: "abc123", formActions: [W.acsURL])
            == "default-src 'none'; style-src 'nonce-abc123'; script-src 'nonce-abc123'; form-action 'self' https://sp.example.com/saml/acs; base-uri 'none'; frame-ancestors 'none'")
        #expect(TestIdPPages.contentSecurityPolicy(nonce: nil).contains("script-src 'none'"))
    }
}
