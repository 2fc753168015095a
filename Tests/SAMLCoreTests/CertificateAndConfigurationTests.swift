import Foundation
import SAML
import SAMLCore
import Testing
import SAMLTestSupport

/// Certificates, private keys, key pairs and the plain-value IdP configuration.
/// Certificate facts were read with `openssl x509 -noout -subject -issuer -dates -serial
/// -fingerprint -sha256 -nameopt RFC2253` (OpenSSL 3.0) and `openssl x509 -noout -text`.
@Suite("Certificates, keys and IdP configuration")
struct CertificateAndConfigurationTests {
    static func pem(_ name: String) throws -> String { try Fixtures.text("generated/keys/\(name).cert.pem") }

    /// The base64 body of a PEM certificate, on one line.
    static func body(_ pem: String) -> String {
        pem.split(whereSeparator: \.isNewline).filter { !$0.hasPrefix("-----") }.joined()
    }

    // MARK: - Certificates

    @Test("idp-rsa.cert.pem: every field matches openssl")
    func rsaCertificateFacts() throws {
        let cert = try SAMLCertificate(pem: Self.pem("idp-rsa"))
        // subject=O=Example IdP,CN=idp.example.org  (RFC 2253: last RDN first; openssl's default
        // one-line form is "CN = idp.example.org, O = Example IdP")
        #expect(cert.subject == "O=Example IdP,CN=idp.example.org")
        #expect(cert.issuer == "O=Example IdP,CN=idp.example.org")
        #expect(cert.notBefore == Fixtures.date("2025-01-01T00:00:00Z"))
        #expect(cert.notAfter == Fixtures.date("2035-01-01T00:00:00Z"))
        #expect(cert.serialNumber == "3132FEAC491F27398E7FEB0A05699BB832BAE2D3")
        #expect(cert.sha256Fingerprint == "9d39998ae0c451691ec2ee26181cf96d101504f79e530950379ffc9d2731c2d8")
        #expect(cert.keyAlgorithm == .rsa)
        #expect(cert.keyAlgorithm.description == "RSA")
        #expect(cert.keySize == 2048)
        #expect(cert.description == "O=Example IdP,CN=idp.example.org (SHA-256 9d39998ae0c451691ec2ee26181cf96d101504f79e530950379ffc9d2731c2d8)")
        #expect(!cert.isExpired(at: Generated.now))
        #expect(cert.isExpired(at: Fixtures.date("2035-01-01T00:00:01Z")))
        #expect(cert.isExpired(at: Fixtures.date("2024-12-31T23:59:59Z")))
    }

    @Test("idp-ec256.cert.pem: every field matches openssl")
    func ecCertificateFacts() throws {
        let cert = try SAMLCertificate(pem: Self.pem("idp-ec256"))
        #expect(cert.subject == "O=Example IdP,CN=idp.example.org")
        #expect(cert.issuer == "O=Example IdP,CN=idp.example.org")
        #expect(cert.notBefore == Fixtures.date("2025-01-01T00:00:00Z"))
        #expect(cert.notAfter == Fixtures.date("2035-01-01T00:00:00Z"))
        #expect(cert.serialNumber == "204E41A7B8F0F950E257A274AF0182E3D4D14A0B")
        #expect(cert.sha256Fingerprint == "6c71822864798d2856c06b58321b92a885fce6daf37fbbcc42323a33a0ac55c4")
        // Public-Key: (256 bit), ASN1 OID: prime256v1
        #expect(cert.keyAlgorithm == .ec(curve: "prime256v1"))
        #expect(cert.keyAlgorithm.description == "EC prime256v1")
        #expect(cert.keySize == 256)
    }

    @Test("base64 with spaces, tabs and CR/LF anywhere loads the same certificate")
    func whitespaceInBase64() throws {
        let pem = try Self.pem("idp-rsa")
        let reference = try SAMLCertificate(pem: pem)
        let b64 = Self.body(pem)
        var messy = ""
        for (i, c) in b64.enumerated() {
            messy.append(c)
            switch i % 7 {
            case 0: messy += " "
            case 2: messy += "\t"
            case 4: messy += "\r\n"
            case 5: messy += "\n  \t"
            default: break
            }
        }
        let cert = try SAMLCertificate(base64: "\r\n\t " + messy + " \r\n")
        #expect(cert == reference)
        #expect(cert.der == reference.der)
        #expect(cert.base64 == b64)
        // PEM with CRLF line ends
        #expect(try SAMLCertificate(pem: pem.replacingOccurrences(of: "\n", with: "\r\n")) == reference)
    }

    @Test("PEM: several certificates, one certificate, bare base64 DER")
    func pemForms() async throws {
        let names = ["idp-rsa", "idp-ec256", "sp-rsa"]
        let pems = try names.map(Self.pem)
        let bundle = "subject=whatever\n" + pems.joined(separator: "\n# comment between blocks\n")
        let all = try SAMLCertificate.all(inPEM: bundle)
        #expect(all.map(\.sha256Fingerprint) == [
            "9d39998ae0c451691ec2ee26181cf96d101504f79e530950379ffc9d2731c2d8",
            "6c71822864798d2856c06b58321b92a885fce6daf37fbbcc42323a33a0ac55c4",
            try Generated.certificate("sp-rsa").sha256Fingerprint,
        ])
        #expect(all[2].subject == "O=Example SP,CN=sp.example.com")

        let one = try SAMLCertificate(pem: pems[0])
        #expect(one == all[0])
        #expect(one.pem == pems[0]) // same 64-column PEM as openssl writes
        #expect(try SAMLCertificate(pem: one.pem) == one)

        // bare base64 DER, through init(pem:) and all(inPEM:)
        let bare = Self.body(pems[1])
        #expect(try SAMLCertificate(pem: bare) == all[1])
        #expect(try SAMLCertificate(pem: "\n  " + bare + "\n") == all[1])
        #expect(try SAMLCertificate.all(inPEM: bare) == [all[1]])
        // raw DER
        #expect(try SAMLCertificate(der: all[1].der) == all[1])

        await expectRejection(.invalidCertificate) { _ = try SAMLCertificate(pem: bundle) } // three, not one
    }

    @Test("garbage is invalidCertificate")
    func garbageCertificates() async throws {
        let pem = try Self.pem("idp-rsa")
        await expectRejection(.invalidCertificate) { _ = try SAMLCertificate(base64: "not a certificate!") }
        await expectRejection(.invalidCertificate) { _ = try SAMLCertificate(base64: "") }
        await expectRejection(.invalidCertificate) { _ = try SAMLCertificate(base64: "aGVsbG8gd29ybGQ=") } // "hello world"
        await expectRejection(.invalidCertificate) { _ = try SAMLCertificate(der: [0x30, 0x03, 0x02, 0x01, 0x01]) }
        await expectRejection(.invalidCertificate) { _ = try SAMLCertificate(der: []) }
        await expectRejection(.invalidCertificate) { _ = try SAMLCertificate(pem: "") }
        await expectRejection(.invalidCertificate) { _ = try SAMLCertificate(pem: "   \n") }
        await expectRejection(.invalidCertificate) {
            _ = try SAMLCertificate(pem: pem.replacingOccurrences(of: "-----END CERTIFICATE-----", with: ""))
        }
        // truncated DER
        let b64 = Self.body(pem)
        let der = try #require(Data(base64Encoded: b64))
        await expectRejection(.invalidCertificate) { _ = try SAMLCertificate(der: Array(der.prefix(der.count - 10))) }
        // a private key is not a certificate
        await expectRejection(.invalidCertificate) {
            _ = try SAMLCertificate(pem: Fixtures.text("generated/keys/idp-rsa.key.pem"))
        }
    }

    // MARK: - Private keys

    @Test("private keys: RSA and EC, PKCS#8, PKCS#1 and encrypted PKCS#8")
    func privateKeys() async throws {
        let spCert = try Generated.certificate("sp-rsa")
        let pkcs8 = try SAMLPrivateKey(pem: Fixtures.text("generated/keys/sp-rsa.key.pem"))
        let pkcs1 = try SAMLPrivateKey(pem: Fixtures.text("generated/keys/sp-rsa.pkcs1.key.pem"))
        let encrypted = try SAMLPrivateKey(pem: Fixtures.text("generated/keys/sp-rsa.encrypted.key.pem"),
                                           passphrase: "correct horse battery staple")
        for key in [pkcs8, pkcs1, encrypted] {
            #expect(key.keyAlgorithm == .rsa)
            #expect(key.keySize == 2048)
            #expect(key.matches(spCert))
            #expect(!key.matches(try Generated.certificate("sp-rsa-next")))
            #expect(!key.matches(try Generated.certificate("idp-rsa")))
            #expect(!key.matches(try Generated.certificate("sp-ec256")))
        }
        let ec = try Generated.key("sp-ec256")
        #expect(ec.keyAlgorithm == .ec)
        #expect(ec.keySize == 256)
        #expect(ec.matches(try Generated.certificate("sp-ec256")))
        #expect(!ec.matches(try Generated.certificate("idp-ec256")))
        #expect(!ec.matches(spCert))
        let ec384 = try Generated.key("idp-ec384")
        #expect(ec384.keyAlgorithm == .ec)
        #expect(ec384.keySize == 384)
        #expect(ec384.matches(try Generated.certificate("idp-ec384")))

        let encryptedPEM = try Fixtures.text("generated/keys/sp-rsa.encrypted.key.pem")
        await expectRejection(.invalidKey) { _ = try SAMLPrivateKey(pem: encryptedPEM) }
        await expectRejection(.invalidKey) { _ = try SAMLPrivateKey(pem: encryptedPEM, passphrase: "wrong") }
        await expectRejection(.invalidKey) { _ = try SAMLPrivateKey(pem: "") }
        await expectRejection(.invalidKey) { _ = try SAMLPrivateKey(pem: Self.pem("sp-rsa")) } // a certificate
        await expectRejection(.invalidKey) {
            _ = try SAMLPrivateKey(pem: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
        }
    }

    @Test("key pairs: matching pairs load, mismatched ones are invalidKey")
    func keyPairs() async throws {
        let pair = try SAMLKeyPair(privateKey: Generated.key("sp-rsa"), certificate: Generated.certificate("sp-rsa"))
        #expect(pair.certificate == (try Generated.certificate("sp-rsa")))
        let fromPEM = try SAMLKeyPair(privateKeyPEM: Fixtures.text("generated/keys/sp-rsa.encrypted.key.pem"),
                                      certificatePEM: Self.pem("sp-rsa"), passphrase: "correct horse battery staple")
        #expect(fromPEM.privateKey.matches(pair.certificate))
        _ = try SAMLKeyPair(privateKey: Generated.key("sp-ec256"), certificate: Generated.certificate("sp-ec256"))

        await expectRejection(.invalidKey) {
            _ = try SAMLKeyPair(privateKey: Generated.key("sp-rsa"), certificate: Generated.certificate("sp-rsa-next"))
        }
        await expectRejection(.invalidKey) {
            _ = try SAMLKeyPair(privateKey: Generated.key("sp-ec256"), certificate: Generated.certificate("idp-ec256"))
        }
        await expectRejection(.invalidKey) {
            _ = try SAMLKeyPair(privateKey: Generated.key("attacker-rsa"), certificate: Generated.certificate("idp-rsa"))
        }
        await expectRejection(.invalidKey) {
            _ = try SAMLKeyPair(privateKeyPEM: Fixtures.text("generated/keys/idp-rsa.key.pem"), certificatePEM: Self.pem("sp-rsa"))
        }
    }

    // MARK: - IdP configuration JSON

    /// `{"config": {...}, "type": ..., "name": ...}` built with JSONSerialization (PEM newlines escaped).
    static func json(certs: Any?, signRequest: Any? = true, type: String = "saml", issuer: String? = Generated.idpEntityID,
                     email: String? = "email") throws -> [UInt8] {
        var config: [String: Any] = [
            "sso_target_url": "https://idp.example.org/sso/saml",
            "attributes": ["first_name": "givenName", "last_name": "surName"],
        ]
        if let issuer { config["issuer_url"] = issuer }
        if let email { config["email_attribute_name"] = email }
        if let signRequest { config["sign_request"] = signRequest }
        if let certs { config["idp_public_certs"] = certs }
        let object: [String: Any] = ["config": config, "type": type, "name": "Example IdP"]
        return [UInt8](try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
    }

    @Test("configuration JSON: the documented shape, with PEM certificates")
    func configurationShape() throws {
        let configuration = try IdentityProviderConfiguration(json: Self.json(certs: [Self.pem("idp-rsa"), Self.pem("idp-rsa-next")]))
        #expect(configuration.type == "saml")
        #expect(configuration.name == "Example IdP")
        #expect(configuration.config.issuerURL == "https://idp.example.org/metadata")
        #expect(configuration.config.ssoTargetURL == "https://idp.example.org/sso/saml")
        #expect(configuration.config.attributes == ["first_name": "givenName", "last_name": "surName"])
        #expect(configuration.config.emailAttributeName == "email")
        #expect(configuration.config.signRequest == true)
        #expect(configuration.config.idpPublicCerts.count == 2)

        let idp = try IdentityProvider(configuration: configuration)
        #expect(idp.entityID == "https://idp.example.org/metadata")
        #expect(idp.singleSignOnServices == [
            Endpoint(binding: .httpRedirect, location: "https://idp.example.org/sso/saml"),
            Endpoint(binding: .httpPost, location: "https://idp.example.org/sso/saml"),
        ])
        #expect(idp.singleSignOnServices(for: .httpRedirect).map(\.location) == ["https://idp.example.org/sso/saml"])
        #expect(idp.singleSignOnServices(for: .httpPost).map(\.location) == ["https://idp.example.org/sso/saml"])
        #expect(idp.signingCertificates.map(\.sha256Fingerprint) == [
            "9d39998ae0c451691ec2ee26181cf96d101504f79e530950379ffc9d2731c2d8",
            "fbbecbcd1e1d1c84f6336c6f5e1a2d37a8f21a88ce9b391d2deb9e61c53eea25",
        ])
        #expect(idp.encryptionCertificates.isEmpty)
        #expect(idp.singleLogoutServices.isEmpty)
        #expect(idp.wantsAuthnRequestsSigned == true)
        #expect(idp.emailAttributeName == "email")
        #expect(idp.validUntil == nil)
    }

    @Test("configuration JSON: hand-written text with bare base64, one string, sign_request as text")
    func configurationVariants() throws {
        let bare = Self.body(try Self.pem("idp-ec256"))
        let text = """
        {"config": {"issuer_url": "http://www.okta.com/exk123", "sso_target_url": "https://example.okta.com/app/x/sso/saml",
                    "attributes": {}, "email_attribute_name": "mail", "sign_request": "false",
                    "idp_public_certs": "\(bare)"},
         "type": "saml", "name": "Okta"}
        """
        let configuration = try IdentityProviderConfiguration(json: Array(text.utf8))
        #expect(configuration.config.idpPublicCerts == [bare])
        #expect(configuration.config.signRequest == false)
        #expect(configuration.config.attributes == [:])
        let idp = try IdentityProvider(configuration: configuration)
        #expect(idp.entityID == "http://www.okta.com/exk123")
        #expect(idp.signingCertificates.map(\.sha256Fingerprint) == ["6c71822864798d2856c06b58321b92a885fce6daf37fbbcc42323a33a0ac55c4"])
        #expect(idp.wantsAuthnRequestsSigned == false)
        #expect(idp.emailAttributeName == "mail")

        // sign_request: "true" as text, true/false as JSON booleans, absent → false
        for (value, expected) in [("\"true\"", true), ("true", true), ("false", false), ("\"TRUE\"", true)] {
            let json = text.replacingOnce("\"sign_request\": \"false\"", with: "\"sign_request\": \(value)")
            let idp = try IdentityProvider(configuration: IdentityProviderConfiguration(json: Array(json.utf8)))
            #expect(idp.wantsAuthnRequestsSigned == expected, "sign_request \(value)")
        }
        let absent = try IdentityProviderConfiguration(json: Self.json(certs: [bare], signRequest: nil))
        #expect(absent.config.signRequest == nil)
        #expect(try IdentityProvider(configuration: absent).wantsAuthnRequestsSigned == false)

        // one PEM string holding two certificates; a list mixing PEM and bare base64
        let twoInOne = try IdentityProviderConfiguration(json: Self.json(certs: try Self.pem("idp-rsa") + Self.pem("idp-rsa-next")))
        #expect(try IdentityProvider(configuration: twoInOne).signingCertificates.count == 2)
        let mixed = try IdentityProviderConfiguration(json: Self.json(certs: [try Self.pem("idp-rsa"), bare]))
        #expect(try IdentityProvider(configuration: mixed).signingCertificates.count == 2)
        // no sso_target_url: no endpoints
        let noURL = "{\"config\": {\"issuer_url\": \"x\", \"idp_public_certs\": [\"\(bare)\"]}}"
        let minimal = try IdentityProviderConfiguration(json: Array(noURL.utf8))
        #expect(minimal.type == nil)
        #expect(try IdentityProvider(configuration: minimal).singleSignOnServices.isEmpty)
    }

    @Test("configuration JSON: wrong type, missing issuer, empty or bad certificates")
    func configurationErrors() async throws {
        let pem = try Self.pem("idp-rsa")
        await expectRejection(.invalidConfiguration) { _ = try IdentityProviderConfiguration(json: Self.json(certs: [pem], type: "oidc")) }
        await expectRejection(.invalidConfiguration) { _ = try IdentityProviderConfiguration(json: Self.json(certs: [pem], issuer: nil)) }
        await expectRejection(.invalidConfiguration) { _ = try IdentityProviderConfiguration(json: Array("not json".utf8)) }
        await expectRejection(.invalidConfiguration) { _ = try IdentityProviderConfiguration(json: Array("{}".utf8)) }
        await expectRejection(.invalidConfiguration) { _ = try IdentityProviderConfiguration(json: [UInt8]()) }

        // these decode, but cannot make an IdP
        let empty = try IdentityProviderConfiguration(json: Self.json(certs: [String]()))
        #expect(empty.config.idpPublicCerts.isEmpty)
        await expectRejection(.invalidConfiguration) { _ = try IdentityProvider(configuration: empty) }
        let missing = try IdentityProviderConfiguration(json: Self.json(certs: nil))
        await expectRejection(.invalidConfiguration) { _ = try IdentityProvider(configuration: missing) }
        let emptyIssuer = try IdentityProviderConfiguration(json: Self.json(certs: [pem], issuer: ""))
        await expectRejection(.invalidConfiguration) { _ = try IdentityProvider(configuration: emptyIssuer) }
        let garbage = try IdentityProviderConfiguration(json: Self.json(certs: ["not a certificate"]))
        await expectRejection(.invalidCertificate) { _ = try IdentityProvider(configuration: garbage) }
    }

    @Test("an IdP built from configuration JSON verifies the generated signed assertion")
    func configurationEndToEnd() async throws {
        let configuration = try IdentityProviderConfiguration(json: Self.json(certs: [Self.pem("idp-rsa")], email: "givenName"))
        let idp = try IdentityProvider(configuration: configuration)
        let verifier = try Generated.verifier(idp: idp)
        let assertion = try await verifier.verify(samlResponse: Generated.response("assertion-signed.xml"),
                                                  inResponseTo: Generated.requestID, now: Generated.now)
        #expect(assertion.issuer == Generated.idpEntityID)
        #expect(assertion.nameID.value == "alice@example.com")
        #expect(assertion.assertionID == Generated.assertionID)
        // email_attribute_name flows through to the verified identity
        #expect(assertion.email == "Alice")

        // with only the rollover key configured, the same response is refused
        let other = try IdentityProvider(configuration: IdentityProviderConfiguration(json: Self.json(certs: [Self.pem("idp-rsa-next")])))
        await expectRejection(.untrustedKey) {
            _ = try await Generated.verifier(idp: other).verify(samlResponse: Generated.response("assertion-signed.xml"),
                                                                inResponseTo: Generated.requestID, now: Generated.now)
        }
    }
}
