import Foundation
import SAMLCore
import SAMLMetadata
import SAMLRequests
import SAMLXMLSec
import Testing
import SAMLTestSupport

@Suite("Requests: AuthnRequest building")
struct RequestsAuthnRequestTests {
    typealias S = RequestsSupport

    static let goldenXML =
        #"<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" "# +
        #"ID="_00112233445566778899aabbccddeeff00112233" Version="2.0" IssueInstant="2025-06-01T12:00:00Z" "# +
        #"Destination="https://idp.example.org/sso/redirect" ProtocolBinding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" "# +
        #"AssertionConsumerServiceURL="https://sp.example.com/acs"><saml:Issuer>https://sp.example.com/metadata</saml:Issuer></samlp:AuthnRequest>"#

    static func inflate(_ request: RedirectRequest) throws -> String {
        let pairs = S.rawQuery(request.query)
        #expect(pairs.first?.0 == "SAMLRequest")
        let base64 = S.percentDecode(try #require(pairs.first?.1))
        let deflated = try #require(Base64.decode(base64))
        return String(decoding: try Deflate.decompress(deflated, limit: 1 << 20), as: UTF8.self)
    }

    static var allOptions: AuthnRequestOptions {
        AuthnRequestOptions(
            nameIDPolicy: NameIDPolicy(format: .emailAddress, allowCreate: true),
            forceAuthn: true, isPassive: true,
            requestedAuthnContext: RequestedAuthnContext(comparison: .minimum, classReferences: [
                "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport",
                "urn:oasis:names:tc:SAML:2.0:ac:classes:X509",
            ]),
            providerName: #"Example <SP> & "Friends""#,
            relayState: "/inbox?folder=a b&x=ü"
        )
    }

    @Test("golden unsigned Redirect request with a fixed ID and clock")
    func goldenRedirect() throws {
        let request = try S.builder(wantsSigned: false).redirect(to: nil, now: S.fixedNow, id: S.fixedID)
        #expect(request.xml == Self.goldenXML)
        #expect(request.id == S.fixedID)
        #expect(request.destination == "https://idp.example.org/sso/redirect")
        #expect(request.url.hasPrefix("https://idp.example.org/sso/redirect?SAMLRequest="))
        #expect(request.url == request.destination + "?" + request.query)
        #expect(!request.query.contains("Signature"))
        #expect(request.signatureAlgorithm == nil)
        #expect(request.relayState == nil)
        #expect(try Self.inflate(request) == Self.goldenXML)
        #expect(request.issueInstant == S.fixedNow)
    }

    @Test("DEFLATE round trip keeps every option, escaped, in schema order; no XML signature in Redirect")
    func deflateRoundTripAllOptions() throws {
        let request = try S.builder(key: S.keyPair(), options: Self.allOptions).redirect(to: nil, now: S.fixedNow, id: S.fixedID)
        let xml = try Self.inflate(request)
        #expect(xml == request.xml)
        let document = try XMLDocument.parse(xml)
        let root = try #require(document.root)
        #expect(root.is("AuthnRequest", NS.protocol_))
        #expect(root.attribute("ForceAuthn") == "true")
        #expect(root.attribute("IsPassive") == "true")
        #expect(root.attribute("ProviderName") == #"Example <SP> & "Friends""#)
        #expect(root.attribute("ProtocolBinding") == SAMLBinding.httpPost.rawValue)
        #expect(root.attribute("AssertionConsumerServiceURL") == S.acsURL)
        #expect(root.children.map(\.localName) == ["Issuer", "NameIDPolicy", "RequestedAuthnContext"])
        #expect(root.child("Issuer", NS.assertion)?.text == S.spEntityID)
        let policy = try #require(root.child("NameIDPolicy", NS.protocol_))
        #expect(policy.attribute("Format") == NameIDFormat.emailAddress.rawValue)
        #expect(policy.attribute("AllowCreate") == "true")
        let context = try #require(root.child("RequestedAuthnContext", NS.protocol_))
        #expect(context.attribute("Comparison") == "minimum")
        #expect(context.children("AuthnContextClassRef", NS.assertion).map(\.text) == [
            "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport",
            "urn:oasis:names:tc:SAML:2.0:ac:classes:X509",
        ])
        #expect(root.child("Signature", NS.dsig) == nil)
        // RelayState: percent-encoded UTF-8, unreserved characters only left as they are.
        let relay = try #require(S.rawQuery(request.query).first { $0.0 == "RelayState" }?.1)
        #expect(relay == "%2Finbox%3Ffolder%3Da%20b%26x%3D%C3%BC")
        #expect(S.percentDecode(relay) == "/inbox?folder=a b&x=ü")
        #expect(S.rawQuery(request.query).map(\.0) == ["SAMLRequest", "RelayState", "SigAlg", "Signature"])
    }

    @Test("IDs start with _, carry 160 random bits and never repeat")
    func idsAreUnpredictable() throws {
        let builder = try S.builder(wantsSigned: false)
        var seen = Set<String>()
        for _ in 0..<200 {
            let id = try builder.redirect().id
            #expect(id.hasPrefix("_"))
            #expect(id.count == 41)
            #expect(id.dropFirst().allSatisfy { $0.isHexDigit })
            seen.insert(id)
        }
        #expect(seen.count == 200)
    }

    @Test("endpoint failover list is exposed in metadata order; the first is the default; others can be picked")
    func endpointChoice() throws {
        let builder = try S.builder(wantsSigned: false)
        let redirects = builder.endpoints(for: .httpRedirect)
        #expect(redirects.map(\.location) == ["https://idp.example.org/sso/redirect", "https://idp-eu.example.org/sso/redirect"])
        #expect(builder.endpoints(for: .httpPost).map(\.location) == ["https://idp.example.org/sso/post"])
        let second = try builder.redirect(to: redirects[1])
        #expect(second.destination == "https://idp-eu.example.org/sso/redirect")
        #expect(second.url.hasPrefix("https://idp-eu.example.org/sso/redirect?SAMLRequest="))
        #expect(second.xml.contains(#"Destination="https://idp-eu.example.org/sso/redirect""#))
        let stranger = Endpoint(binding: .httpRedirect, location: "https://evil.example/sso")
        #expect(throws: SAMLError.self) { try builder.redirect(to: stranger) }
        do {
            _ = try builder.post(to: redirects[0])
            Issue.record("a Redirect endpoint was accepted for POST")
        } catch let error as SAMLError {
            #expect(error.code == .invalidRequest)
        }
    }

    @Test("RelayState over 80 bytes is refused unless the caller opts out; 80 bytes pass")
    func relayStateLimit() throws {
        let long = String(repeating: "a", count: 81)
        do {
            _ = try S.builder(options: AuthnRequestOptions(relayState: long), wantsSigned: false).redirect()
            Issue.record("81-byte RelayState accepted")
        } catch let error as SAMLError {
            #expect(error.code == .invalidRequest)
            #expect(error.reason.contains("80"))
        }
        // Bytes, not characters: 41 two-byte characters are 82 bytes.
        #expect(throws: SAMLError.self) {
            try S.builder(options: AuthnRequestOptions(relayState: String(repeating: "é", count: 41)), wantsSigned: false).post()
        }
        let exact = try S.builder(options: AuthnRequestOptions(relayState: String(repeating: "b", count: 80)), wantsSigned: false).redirect()
        #expect(exact.relayState?.utf8.count == 80)
        let optedOut = try S.builder(options: AuthnRequestOptions(relayState: long, allowsLongRelayState: true), wantsSigned: false).redirect()
        #expect(optedOut.relayState == long)
    }

    @Test("an IdP that wants signed requests gets none unsigned")
    func unsignedRefusedWhenIdPWantsSigned() throws {
        do {
            _ = try S.builder(wantsSigned: true).redirect()
            Issue.record("unsigned request built for an IdP that wants them signed")
        } catch let error as SAMLError {
            #expect(error.code == .invalidConfiguration)
        }
    }

    @Test("signed Redirect: signature over SAMLRequest&RelayState&SigAlg verifies with CertificateFacts", arguments: [
        ("sp-rsa", RequestSignatureAlgorithm.rsaSHA256, 256),
        ("sp-rsa", .rsaSHA512, 512),
        ("sp-ec256", .ecdsaSHA256, 256),
    ])
    func signedRedirectVerifies(key name: String, algorithm: RequestSignatureAlgorithm, bits: Int) throws {
        let pair = try S.keyPair(name)
        let request = try S.builder(key: pair, options: AuthnRequestOptions(relayState: "state-1", signatureAlgorithm: algorithm)).redirect()
        #expect(request.signatureAlgorithm == algorithm)
        let pairs = S.rawQuery(request.query)
        #expect(pairs.map(\.0) == ["SAMLRequest", "RelayState", "SigAlg", "Signature"])
        #expect(S.percentDecode(pairs[2].1) == algorithm.uri)
        let signed = Array(pairs.prefix(3).map { "\($0.0)=\($0.1)" }.joined(separator: "&").utf8)
        let signature = try #require(Base64.decode(S.percentDecode(pairs[3].1)))
        #expect(CertificateFacts.verify(signature: signature, of: signed, digest: bits == 512 ? .sha512 : .sha256, certificateDER: pair.certificate.der))
        // Altering the RelayState breaks it.
        let altered = Array(signed.map { $0 == UInt8(ascii: "1") ? UInt8(ascii: "2") : $0 })
        #expect(!CertificateFacts.verify(signature: signature, of: altered, digest: bits == 512 ? .sha512 : .sha256, certificateDER: pair.certificate.der))
        // And a different key does not verify it.
        let other = try S.certificate(name == "sp-rsa" ? "sp-rsa-next" : "idp-ec256")
        #expect(!CertificateFacts.verify(signature: signature, of: signed, digest: bits == 512 ? .sha512 : .sha256, certificateDER: other.der))
    }

    @Test("signed Redirect without RelayState signs SAMLRequest&SigAlg only")
    func signedRedirectWithoutRelayState() throws {
        let pair = try S.keyPair()
        let request = try S.builder(key: pair).redirect()
        let pairs = S.rawQuery(request.query)
        #expect(pairs.map(\.0) == ["SAMLRequest", "SigAlg", "Signature"])
        let signed = Array("\(pairs[0].0)=\(pairs[0].1)&\(pairs[1].0)=\(pairs[1].1)".utf8)
        let signature = try #require(Base64.decode(S.percentDecode(pairs[2].1)))
        #expect(CertificateFacts.verify(signature: signature, of: signed, digest: .sha256, certificateDER: pair.certificate.der))
    }

    @Test("signed Redirect verifies with the openssl CLI", arguments: [(RequestSignatureAlgorithm.rsaSHA256, "-sha256"), (.rsaSHA512, "-sha512")])
    func signedRedirectVerifiesWithOpenSSL(algorithm: RequestSignatureAlgorithm, digest: String) throws {
        let openssl = try S.tool("openssl")
        let pair = try S.keyPair()
        let request = try S.builder(key: pair, options: AuthnRequestOptions(relayState: "/after login", signatureAlgorithm: algorithm)).redirect()
        let pairs = S.rawQuery(request.query)
        let signedText = pairs.prefix(3).map { "\($0.0)=\($0.1)" }.joined(separator: "&")
        let signature = try #require(Base64.decode(S.percentDecode(pairs[3].1)))
        let dir = try S.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = try S.write(signedText, "signed.txt", in: dir)
        let sig = try S.write(signature, "sig.bin", in: dir)
        let cert = Fixtures.url("generated/keys/sp-rsa.cert.pem").path
        let pub = dir.appendingPathComponent("pub.pem").path
        let extract = try S.run(openssl, ["x509", "-in", cert, "-pubkey", "-noout", "-out", pub])
        #expect(extract.status == 0, "\(extract.stderr)")
        let verify = try S.run(openssl, ["dgst", digest, "-verify", pub, "-signature", sig, data])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        #expect(verify.stdout.contains("Verified OK"))
        let tampered = try S.write(signedText.replacingOccurrences(of: "after", with: "afTer"), "tampered.txt", in: dir)
        let refused = try S.run(openssl, ["dgst", digest, "-verify", pub, "-signature", sig, tampered])
        #expect(refused.status != 0)
    }

    @Test("signed POST: enveloped signature right after Issuer verifies with the xmlsec1 CLI", arguments: [
        ("sp-rsa", RequestSignatureAlgorithm.rsaSHA256), ("sp-rsa", .rsaSHA512), ("sp-ec256", .ecdsaSHA256),
    ])
    func signedPostVerifiesWithXmlsec(key name: String, algorithm: RequestSignatureAlgorithm) throws {
        let xmlsec = try S.tool("xmlsec1")
        let pair = try S.keyPair(name)
        let request = try S.builder(key: pair, options: AuthnRequestOptions(nameIDPolicy: NameIDPolicy(format: .persistent),
                                                                             relayState: "r", signatureAlgorithm: algorithm)).post()
        #expect(Base64.decode(request.base64).map { String(decoding: $0, as: UTF8.self) } == request.xml)
        let document = try XMLDocument.parse(request.xml)
        let root = try #require(document.root)
        #expect(root.children.map(\.localName) == ["Issuer", "Signature", "NameIDPolicy"])
        let signature = try #require(root.child("Signature", NS.dsig))
        let signedInfo = try #require(signature.child("SignedInfo", NS.dsig))
        #expect(signedInfo.child("SignatureMethod", NS.dsig)?.attribute("Algorithm") == algorithm.uri)
        #expect(signedInfo.child("CanonicalizationMethod", NS.dsig)?.attribute("Algorithm") == "http://www.w3.org/2001/10/xml-exc-c14n#")
        #expect(signedInfo.child("Reference", NS.dsig)?.attribute("URI") == "#" + request.id)
        #expect(signature.descendants("X509Certificate", NS.dsig).first.flatMap { Base64.decode($0.text) } == pair.certificate.der)
        // Our own verifier agrees.
        try EnvelopedSignature.verify(root, trusted: [pair.certificate], allowSHA1: false, what: "AuthnRequest")

        let dir = try S.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try S.write(request.xml, "request.xml", in: dir)
        let cert = Fixtures.url("generated/keys/\(name).cert.pem").path
        let ok = try S.run(xmlsec, ["--verify", "--pubkey-cert-pem", cert, "--id-attr:ID", "urn:oasis:names:tc:SAML:2.0:protocol:AuthnRequest", file])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stderr.contains("OK"))
        // Another key does not verify it (xmlsec1 uses the given key, not the KeyInfo certificate).
        let otherCert = Fixtures.url("generated/keys/\(name == "sp-rsa" ? "sp-rsa-next" : "idp-ec256").cert.pem").path
        let wrongKey = try S.run(xmlsec, ["--verify", "--pubkey-cert-pem", otherCert, "--id-attr:ID", "urn:oasis:names:tc:SAML:2.0:protocol:AuthnRequest", file])
        #expect(wrongKey.status != 0)
        // Altered content fails.
        let altered = try S.write(request.xml.replacingOccurrences(of: S.acsURL, with: "https://evil.example/acs"), "altered.xml", in: dir)
        let bad = try S.run(xmlsec, ["--verify", "--pubkey-cert-pem", cert, "--id-attr:ID", "urn:oasis:names:tc:SAML:2.0:protocol:AuthnRequest", altered])
        #expect(bad.status != 0)
    }

    @Test("unsigned POST carries no Signature; KeyInfo certificate can be left out")
    func postSigningVariants() throws {
        let unsigned = try S.builder(wantsSigned: false).post(to: nil, now: S.fixedNow, id: S.fixedID)
        #expect(unsigned.xml == Self.goldenXML.replacingOccurrences(of: "sso/redirect", with: "sso/post"))
        #expect(unsigned.signatureAlgorithm == nil)
        let pair = try S.keyPair()
        let bare = try S.builder(key: pair, options: AuthnRequestOptions(includesCertificate: false)).post()
        #expect(bare.xml.contains("<ds:SignatureValue>"))
        #expect(!bare.xml.contains("X509Certificate"))
        let notSigning = try S.builder(key: pair, options: AuthnRequestOptions(signsRequest: false), wantsSigned: false).post()
        #expect(!notSigning.xml.contains("Signature"))
    }

    @Test("POST form: auto-submits, has a noscript button, HTML-escapes every value, RelayState only when present")
    func postForm() throws {
        var idp = try S.identityProvider(wantsSigned: false)
        idp.singleSignOnServices = [Endpoint(binding: .httpPost, location: #"https://idp.example.org/sso?a=1&b="2"<x>"#)]
        let evil = #""><script>alert('x')</script>"#
        let builder = AuthnRequest(serviceProvider: ServiceProvider(entityID: S.spEntityID, acsURL: S.acsURL),
                                   identityProvider: idp, options: AuthnRequestOptions(relayState: evil))
        let request = try builder.post()
        let form = request.form
        #expect(form.contains(#"<form method="post" action="https://idp.example.org/sso?a=1&amp;b=&quot;2&quot;&lt;x&gt;">"#))
        #expect(form.contains(#"<input type="hidden" name="SAMLRequest" value="\#(request.base64)">"#))
        #expect(form.contains(#"<input type="hidden" name="RelayState" value="&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;">"#))
        #expect(!form.contains("<script>alert"))
        #expect(form.contains("<noscript>"))
        #expect(form.contains(#"<button type="submit">"#))
        #expect(form.contains("document.forms[0].submit()"))
        let noRelay = try AuthnRequest(serviceProvider: builder.serviceProvider, identityProvider: idp).post()
        #expect(!noRelay.form.contains("RelayState"))
        #expect(noRelay.relayState == nil)
    }

    @Test("AuthnRequests validate against the OASIS protocol schema")
    func schemaValid() throws {
        let pair = try S.keyPair()
        let dir = try S.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let samples = [
            ("plain.xml", try S.builder(wantsSigned: false).redirect().xml),
            ("options.xml", try S.builder(key: pair, options: Self.allOptions).redirect().xml),
            ("signed-post.xml", try S.builder(key: pair, options: Self.allOptions).post().xml),
            ("signed-post-ec.xml", try S.builder(key: S.keyPair("sp-ec256"), options: Self.allOptions).post().xml),
        ]
        for (name, xml) in samples {
            let result = try S.xmllintSchema(try S.write(xml, name, in: dir), schema: "saml-schema-protocol-2.0.xsd")
            #expect(result.status == 0, "\(name): \(result.stderr)")
            #expect(result.stderr.contains("validates"), "\(name): \(result.stderr)")
        }
        // The check has teeth: an element out of order is refused.
        let broken = Self.goldenXML.replacingOccurrences(of: "<saml:Issuer>https://sp.example.com/metadata</saml:Issuer>",
                                                          with: #"<samlp:NameIDPolicy/><saml:Issuer>https://sp.example.com/metadata</saml:Issuer>"#)
        let refused = try S.xmllintSchema(try S.write(broken, "broken.xml", in: dir), schema: "saml-schema-protocol-2.0.xsd")
        #expect(refused.status != 0)
    }

    @Test("signing keys: PKCS#1, PKCS#8 and encrypted PKCS#8 sign; bad keys and passphrases give clear errors")
    func keyHandling() throws {
        let pkcs1 = try S.keyPair("sp-rsa", keyFile: "sp-rsa.pkcs1.key.pem")
        let encrypted = try S.keyPair("sp-rsa", keyFile: "sp-rsa.encrypted.key.pem", passphrase: S.passphrase)
        for pair in [pkcs1, encrypted] {
            let request = try S.builder(key: pair).redirect()
            let pairs = S.rawQuery(request.query)
            let signed = Array("\(pairs[0].0)=\(pairs[0].1)&\(pairs[1].0)=\(pairs[1].1)".utf8)
            let signature = try #require(Base64.decode(S.percentDecode(pairs[2].1)))
            #expect(CertificateFacts.verify(signature: signature, of: signed, digest: .sha256, certificateDER: pair.certificate.der))
        }

        func code(_ body: () throws -> Void) -> (SAMLError.Code, String)? {
            do { try body(); return nil } catch let error as SAMLError { return (error.code, error.reason) } catch { return nil }
        }
        let encryptedPEM = try Fixtures.text("generated/keys/sp-rsa.encrypted.key.pem")
        let noPassphrase = code { _ = try SAMLPrivateKey(pem: encryptedPEM) }
        #expect(noPassphrase?.0 == .invalidKey)
        #expect(noPassphrase?.1.contains("passphrase") == true)
        let wrong = code { _ = try SAMLPrivateKey(pem: encryptedPEM, passphrase: "wrong horse") }
        #expect(wrong?.0 == .invalidKey)
        #expect(wrong?.1.contains("passphrase") == true)
        let garbage = code { _ = try SAMLPrivateKey(pem: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n") }
        #expect(garbage?.0 == .invalidKey)
        let empty = code { _ = try SAMLPrivateKey(pem: "") }
        #expect(empty?.0 == .invalidKey)
        let certificateAsKey = code { _ = try SAMLPrivateKey(pem: Fixtures.text("generated/keys/sp-rsa.cert.pem")) }
        #expect(certificateAsKey?.0 == .invalidKey)
        let mismatch = code {
            _ = try SAMLKeyPair(privateKeyPEM: Fixtures.text("generated/keys/sp-rsa.key.pem"),
                                certificatePEM: Fixtures.text("generated/keys/sp-rsa-next.cert.pem"))
        }
        #expect(mismatch?.0 == .invalidKey)
        // A key of the wrong type for the chosen algorithm is refused before signing.
        let ecForRSA = code { _ = try S.builder(key: S.keyPair("sp-ec256"), options: AuthnRequestOptions(signatureAlgorithm: .rsaSHA256)).redirect() }
        #expect(ecForRSA?.0 == .invalidKey)
        #expect(ecForRSA?.1.contains("ECDSA-SHA256") == true)
        let rsaForEC = code { _ = try S.builder(key: S.keyPair(), options: AuthnRequestOptions(signatureAlgorithm: .ecdsaSHA256)).post() }
        #expect(rsaForEC?.0 == .invalidKey)
        // The EC key picks ECDSA-SHA256 by itself.
        #expect(try S.builder(key: S.keyPair("sp-ec256")).redirect().signatureAlgorithm == .ecdsaSHA256)
    }
}
