import Foundation
import SAML
import SAMLCore
@_spi(Tools) import SAMLVerification
import Testing
import SAMLTestSupport

/// Rules an attacker could bend, each with a document built to bend it: signed with the
/// fixture keys in-process, or encrypted with the xmlsec1 CLI.
@Suite struct VerificationHardeningTests {
    static let responseIssuer = "  <saml:Issuer>https://idp.example.org/metadata</saml:Issuer>\n  <samlp:Status>"

    static func check(_ xml: String, policy: VerificationPolicy = .default, keys: [String] = [], now: Date = Generated.now,
                      diagnostics: ((VerificationDiagnostic) -> Void)? = nil) throws -> VerifiedAssertion {
        try Generated.verifier(policy: policy, decryptionKeys: keys)
            .verifyWithoutReplayCheck(responseXML: Array(xml.utf8), inResponseTo: Generated.requestID, now: now, diagnostics: diagnostics)
    }

    // MARK: canonicalization

    @Test func inclusiveCanonicalizationIsRefusedBeforeAnyCryptoUnlessAllowed() async throws {
        let signed = try Generated.response("assertion-signed.xml")
        for inclusive in ["http://www.w3.org/TR/2001/REC-xml-c14n-20010315", "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments",
                          "http://www.w3.org/2006/12/xml-c14n11", "http://www.w3.org/2006/12/xml-c14n11#WithComments"] {
            let forged = signed.replacingOnce("<ds:CanonicalizationMethod Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/>",
                                              with: "<ds:CanonicalizationMethod Algorithm=\"\(inclusive)\"/>")
            let collector = DiagnosticsCollector()
            await expectRejection(.algorithmNotAllowed) { _ = try Self.check(forged, diagnostics: collector.record) }
            #expect(collector.diagnostics.last?.error?.reason.contains("allowInclusiveCanonicalization") == true)
            // With the switch on, the method is accepted and the (forged) signature is what fails.
            await expectRejection(.signatureInvalid) { _ = try Self.check(forged, policy: VerificationPolicy(allowInclusiveCanonicalization: true)) }
            // The same method named as a Reference transform is refused too.
            let transform = signed.replacingOnce("<ds:Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/>",
                                                 with: "<ds:Transform Algorithm=\"\(inclusive)\"/>")
            await expectRejection(.algorithmNotAllowed) { _ = try Self.check(transform) }
        }
        // Exclusive c14n with comments stays accepted as a method (the signature then fails).
        let comments = signed.replacingOnce("<ds:CanonicalizationMethod Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/>",
                                            with: "<ds:CanonicalizationMethod Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#WithComments\"/>")
        await expectRejection(.signatureInvalid) { _ = try Self.check(comments) }
        #expect(VerificationPolicy.default.allowInclusiveCanonicalization == false)
    }

    // MARK: keys

    @Test func theContentIsDigestedOnceHoweverManyKeysAreConfigured() async throws {
        // Three RSA keys configured; the response is signed by none of them.
        let idp = IdentityProvider(entityID: Generated.idpEntityID, singleSignOnURL: nil,
                                   certificates: try ["sp-rsa", "sp-rsa-next", "idp-rsa"].map(Generated.certificate))
        let attacker = try Generated.signed(signer: "attacker-rsa")
        let collector = DiagnosticsCollector()
        do {
            _ = try Generated.verifier(idp: idp).verifyWithoutReplayCheck(samlResponse: attacker, inResponseTo: Generated.requestID,
                                                                          now: Generated.now, diagnostics: collector.record)
            Issue.record("accepted")
        } catch let error as SAMLError {
            #expect(error.code == .signatureInvalid || error.code == .untrustedKey, "\(error)")
        }
        let refused = try #require(collector.first(.assertionSignature))
        #expect(!refused.passed)
        #expect(refused.fact("SignedInfo checks") == "3 of 3 configured keys")
        #expect(refused.fact("SignedInfo signed by a configured key") == "no")
        #expect(refused.fact("content digests computed") == "1")
        // The genuine response: the right key is found on SignedInfo, and verified once.
        let genuine = DiagnosticsCollector()
        _ = try Generated.verifier(idp: idp).verifyWithoutReplayCheck(samlResponse: try Generated.signed(), inResponseTo: Generated.requestID,
                                                                      now: Generated.now, diagnostics: genuine.record)
        let accepted = try #require(genuine.first(.assertionSignature))
        #expect(accepted.fact("SignedInfo checks") == "3 of 3 configured keys")
        #expect(accepted.fact("SignedInfo signed by a configured key") == "yes")
        #expect(accepted.fact("content digests computed") == "1")
        #expect(accepted.fact("verified with") == (try Generated.certificate("idp-rsa")).description)
        // Response and Assertion signed (PrefixList on both, as the Shibboleth IdP sends), checked
        // against the IdP's own metadata: one public-key operation on each SignedInfo.
        let both = DiagnosticsCollector()
        _ = try Generated.verifier().verifyWithoutReplayCheck(
            samlResponse: try Generated.signed(assertion: true, response: true, prefixes: "xs"), inResponseTo: Generated.requestID,
            now: Generated.now, diagnostics: both.record)
        let keys = try Generated.idp().signingCertificates.count
        for check in [VerificationCheck.responseSignature, .assertionSignature] {
            #expect(try #require(both.first(check)).fact("SignedInfo checks") == "1 of \(keys) configured keys", "\(check)")
        }
        // An EC-signed response against RSA-only keys is refused before any canonicalization.
        let ec = DiagnosticsCollector()
        await expectRejection(.untrustedKey) {
            _ = try Generated.verifier(idp: idp).verifyWithoutReplayCheck(
                samlResponse: try Generated.signed(signer: "idp-ec256", algorithm: .ecdsaSHA256), inResponseTo: Generated.requestID,
                now: Generated.now, diagnostics: ec.record)
        }
        #expect(ec.first(.assertionSignature)?.fact("content digests computed") == "0")
    }

    // MARK: rules that come from signed content

    @Test func anUnsignedResponsesInResponseToBindsNothing() async throws {
        // Assertion signed, Response not: the attacker writes the Response's InResponseTo.
        let noConfirmation = [(" InResponseTo=\"_req-7c1f2c5e9b0a4d6e8f10\"/>", "/>")]
        let assertionOnly = try Generated.signed(edits: noConfirmation, assertion: true, response: false)
        #expect(assertionOnly.contains("<samlp:Response") && assertionOnly.contains("InResponseTo=\"\(Generated.requestID)\""))
        await expectRejection(.inResponseToMismatch) { _ = try Self.check(assertionOnly) }
        // A signed Response binds the request with its own InResponseTo.
        let bothSigned = try Generated.signed(edits: noConfirmation, assertion: true, response: true)
        let a = try Self.check(bothSigned)
        #expect(a.inResponseTo == Generated.requestID)
        // With the confirmation's InResponseTo, the assertion alone binds the request.
        #expect(try Self.check(try Generated.signed()).inResponseTo == Generated.requestID)
    }

    @Test func aSignedResponseWithoutIssuerIsRefused() async throws {
        let edits = [(Self.responseIssuer, "  <samlp:Status>")]
        await expectRejection(.issuerMismatch) { _ = try Self.check(try Generated.signed(edits: edits, assertion: true, response: true)) }
        await expectRejection(.issuerMismatch) { _ = try Self.check(try Generated.signed(edits: edits, assertion: false, response: true)) }
        // An unsigned Response may omit it (the signed assertion names its issuer).
        _ = try Self.check(try Generated.signed(edits: edits, assertion: true, response: false))
    }

    @Test func aSecondConditionsElementIsRefused() async throws {
        // The second, expired window would go unchecked if only the first were read.
        let second = "</saml:Conditions>\n    <saml:Conditions NotBefore=\"2020-01-01T00:00:00Z\" NotOnOrAfter=\"2020-01-01T00:05:00Z\">"
            + "<saml:AudienceRestriction><saml:Audience>https://evil.example.com</saml:Audience></saml:AudienceRestriction></saml:Conditions>"
        let xml = try Generated.signed(edits: [("</saml:Conditions>", second)])
        await expectRejection(.invalidMessage) { _ = try Self.check(xml) }
    }

    @Test func aBearerAssertionWithoutAuthnStatementIsRefused() async throws {
        let unsigned = try Generated.response("unsigned.xml")
        let statement = try #require(unsigned.slice(from: "<saml:AuthnStatement", through: "</saml:AuthnStatement>"))
        let xml = try Generated.signed(edits: [(statement, "")])
        await expectRejection(.invalidMessage) { _ = try Self.check(xml) }
    }

    // MARK: status

    @Test func statusIsJudgedAfterTheSignatureAndUnsignedTextIsLabelledAndEscaped() async throws {
        let failure = "<samlp:StatusCode Value=\"urn:oasis:names:tc:SAML:2.0:status:Responder\"/>\n    <samlp:StatusMessage>line one\nSAML response accepted for admin\t&#13;\u{2028}x\u{202E}</samlp:StatusMessage>"
        let success = "<samlp:StatusCode Value=\"urn:oasis:names:tc:SAML:2.0:status:Success\"/>"
        // Unsigned Response: refused, labelled unverified, no raw control characters or newlines.
        let unsigned = try Generated.signed(edits: [(success, failure)], assertion: true, response: false)
        do {
            _ = try Self.check(unsigned)
            Issue.record("accepted")
        } catch let error as SAMLError {
            #expect(error.code == .statusNotSuccess)
            #expect(error.reason.contains("unverified"))
            #expect(!error.reason.contains("\n") && !error.reason.contains("\r") && !error.reason.contains("\u{2028}") && !error.reason.contains("\u{202E}"))
            #expect(error.reason.contains("line one\\u{a}SAML response accepted for admin\\u{9}\\u{d}\\u{2028}x\\u{202e}"), "\(error.reason)")
        }
        // Signed Response: the IdP's own status.
        let signed = try Generated.signed(edits: [(success, failure)], assertion: false, response: true)
        do {
            _ = try Self.check(signed)
            Issue.record("accepted")
        } catch let error as SAMLError {
            #expect(error.code == .statusNotSuccess)
            #expect(error.reason.hasPrefix("The IdP answered with status urn:oasis:names:tc:SAML:2.0:status:Responder"))
        }
        // A signed Response whose status was changed afterwards fails on the signature first.
        let signedSuccess = try Generated.signed(assertion: false, response: true)
        let altered = signedSuccess.replacingOnce("status:Success", with: "status:Requester")
        await expectRejection(.signatureInvalid) { _ = try Self.check(altered) }
    }

    // MARK: replay

    @Test func aReplayIsRefusedForAsLongAsTheAssertionCouldBeAccepted() async throws {
        let id = "_assert-replay-" + UUID().uuidString
        let xml = try Generated.signed(edits: [(Generated.assertionID, id)])
        // A lenient clock, so that six minutes later only the replay store stands in the way.
        let policy = VerificationPolicy(clockSkew: .seconds(180))
        let store = InMemoryReplayStore()
        func verify(at now: Date) async throws {
            _ = try await Generated.verifier(policy: policy, replayStore: store)
                .verify(samlResponse: xml, inResponseTo: Generated.requestID, now: now)
        }
        try await verify(at: Generated.now)
        await expectRejection(.replayed) { try await verify(at: Generated.now) }
        let sixMinutesLater = Generated.now.addingTimeInterval(360)
        // Every other check passes then: a fresh store accepts it.
        _ = try await Generated.verifier(policy: policy, replayStore: InMemoryReplayStore())
            .verify(samlResponse: xml, inResponseTo: Generated.requestID, now: sixMinutesLater)
        await expectRejection(.replayed) { try await verify(at: sixMinutesLater) }
        // Remembered until max(NotOnOrAfter 10:05, IssueInstant 10:00 + 300 s) + 180 s = 10:08.
        var diagnostics: [VerificationDiagnostic] = []
        let other = try Generated.signed(edits: [(Generated.assertionID, id + "-b")])
        _ = try await Generated.verifier(policy: policy, replayStore: store)
            .verify(samlResponse: other, inResponseTo: Generated.requestID, now: Generated.now) { diagnostics.append($0) }
        #expect(diagnostics.last?.fact("remembered until") == "2026-01-15T10:08:00Z")
        let longAge = VerificationPolicy(maximumMessageAge: .seconds(3600))
        diagnostics = []
        _ = try await Generated.verifier(policy: longAge, replayStore: store)
            .verify(samlResponse: try Generated.signed(edits: [(Generated.assertionID, id + "-c")]), inResponseTo: Generated.requestID, now: Generated.now) { diagnostics.append($0) }
        #expect(diagnostics.last?.fact("remembered until") == "2026-01-15T11:01:30Z")
    }
}

/// Decryption must not be an oracle: in an unsigned Response every failure after the key
/// transport reads the same.
@Suite struct DecryptionOracleTests {
    static let cbc = "encrypted/assertion-signed-aes256-cbc-rsa-oaep-mgf1p.xml"

    /// The response with one bit of the EncryptedData's ciphertext flipped at `offset` (negative
    /// counts from the end).
    static func flipped(_ name: String, at offset: Int) throws -> String {
        let xml = try Generated.response(name)
        let marker = "<xenc:CipherValue>"
        let start = xml.ranges(of: marker).last!.upperBound
        let end = xml.range(of: "</xenc:CipherValue>", range: start..<xml.endIndex)!.lowerBound
        var value = try #require(Base64.decode(String(xml[start..<end])))
        let index = offset >= 0 ? offset : value.count + offset
        value[index] ^= 0x01
        return xml.replacingCharacters(in: start..<end, with: Data(value).base64EncodedString())
    }

    @Test func everyTamperingOfCBCCiphertextReadsTheSame() async throws {
        let xml = try Generated.response(Self.cbc)
        #expect(!xml.contains("<ds:Signature") || xml.range(of: "<ds:Signature")!.lowerBound > xml.range(of: "<saml:EncryptedAssertion")!.lowerBound,
                "the Response itself must be unsigned for this test")
        // IV bytes change the first plaintext block predictably (name, prefix, attribute text);
        // the last bytes break the padding; a middle byte garbles a block.
        var outcomes: Set<String> = []
        let cbcAllowed = VerificationPolicy(refuseCBCInUnsignedResponse: false)
        func outcome(_ xml: String, keys: [String] = ["sp-rsa"], policy: VerificationPolicy = cbcAllowed) -> (String, [VerificationDiagnostic]) {
            let collector = DiagnosticsCollector()
            do {
                _ = try VerificationHardeningTests.check(xml, policy: policy, keys: keys, diagnostics: collector.record)
                return ("accepted", collector.diagnostics)
            } catch let error as SAMLError {
                return ("\(error.code)|\(error.reason)|\(error.libraryMessage ?? "")", collector.diagnostics)
            } catch {
                return ("\(error)", collector.diagnostics)
            }
        }
        for offset in [0, 1, 5, 6, 9, 12, 15, 40, 200, -1, -2, -17] {
            outcomes.insert(outcome(try Self.flipped(Self.cbc, at: offset)).0)
        }
        // A key that does not unwrap at all reads the same as damaged content.
        outcomes.insert(outcome(xml, keys: ["sp-rsa-next"]).0)
        // So does plaintext that decrypts and parses but is not an Assertion: the fixture's
        // signed Response with its signature removed.
        let payload = try Generated.response("encrypted/payload-not-an-assertion.xml")
        let unsignedPayload = payload.replacingOnce(try #require(payload.slice(from: "<ds:Signature", through: "</ds:Signature>")), with: "")
        let (text, diagnostics) = outcome(unsignedPayload)
        outcomes.insert(text)
        #expect(outcomes.count == 1, "\(outcomes)")
        #expect(outcomes.first?.hasPrefix("decryptionFailed|") == true)
        // Diagnostics say no more than the error: no detail, no step that passed inside.
        #expect(diagnostics.allSatisfy { $0.fact("detail") == nil && $0.fact("unwrapped with SP key") == nil }, "\(diagnostics)")
        #expect(!diagnostics.contains { $0.check == .assertionSignature })
        // Only the explicitly unsafe switch puts the detail there, for debugging an IdP.
        var unsafe = cbcAllowed
        unsafe.unsafeRevealDecryptionFailures = true
        let revealed = outcome(unsignedPayload, policy: unsafe).1
        #expect(revealed.contains { $0.fact("detail")?.hasPrefix("invalidMessage") == true }, "\(revealed)")
        // Signed, the same payload gets its precise reason.
        #expect(outcome(payload).0.hasPrefix("invalidMessage|"))
    }

    @Test func cbcInAnUnsignedResponseIsRefusedByDefaultWithWhatToChange() async throws {
        #expect(VerificationPolicy.default.refuseCBCInUnsignedResponse == true)
        let collector = DiagnosticsCollector()
        let error = await expectRejection(.algorithmNotAllowed) {
            _ = try VerificationHardeningTests.check(try Generated.response(Self.cbc), keys: ["sp-rsa"], diagnostics: collector.record)
        }
        for advice in ["Sign SAML response and assertion", "-SamlResponseSignature MessageAndAssertion", "AES-GCM", "allowsCBCInUnsignedResponse"] {
            #expect(error?.reason.contains(advice) == true, "\(String(describing: error))")
        }
        // refused before any key touched the ciphertext
        #expect(collector.first(.decryption)?.fact("unwrapped with SP key") == nil)
        // GCM is accepted, and CBC when the policy opts out.
        _ = try VerificationHardeningTests.check(try Generated.response("encrypted/assertion-signed-aes256-gcm-rsa-oaep-mgf1p.xml"), keys: ["sp-rsa"])
        _ = try VerificationHardeningTests.check(try Generated.response(Self.cbc), policy: VerificationPolicy(refuseCBCInUnsignedResponse: false), keys: ["sp-rsa"])
    }

    /// Encrypts the Assertion of `xml` for sp-rsa with the xmlsec1 CLI (AES-256-GCM, RSA-OAEP).
    static func encryptAssertion(_ xml: String) throws -> String {
        let directory = try RequestsSupport.temporaryDirectory()
        let start = try #require(xml.range(of: "  <saml:Assertion "))
        let end = try #require(xml.range(of: "</saml:Assertion>\n", range: start.upperBound..<xml.endIndex))
        let wrapped = xml[..<start.lowerBound] + "  <saml:EncryptedAssertion>\n    " + xml[start.lowerBound..<end.upperBound].dropFirst(2).dropLast()
            + "\n  </saml:EncryptedAssertion>\n" + xml[end.upperBound...]
        let input = try RequestsSupport.write(String(wrapped), "in.xml", in: directory)
        let template = try RequestsSupport.write("""
            <xenc:EncryptedData xmlns:xenc="http://www.w3.org/2001/04/xmlenc#" Type="http://www.w3.org/2001/04/xmlenc#Element">
              <xenc:EncryptionMethod Algorithm="http://www.w3.org/2009/xmlenc11#aes256-gcm"/>
              <ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><xenc:EncryptedKey>
                <xenc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p"/>
                <xenc:CipherData><xenc:CipherValue></xenc:CipherValue></xenc:CipherData>
              </xenc:EncryptedKey></ds:KeyInfo>
              <xenc:CipherData><xenc:CipherValue></xenc:CipherValue></xenc:CipherData>
            </xenc:EncryptedData>
            """, "template.xml", in: directory)
        let output = directory.appendingPathComponent("out.xml").path
        let run = try RequestsSupport.run(try RequestsSupport.tool("xmlsec1"), [
            "--encrypt", "--pubkey-cert-pem", Fixtures.url("generated/keys/sp-rsa.cert.pem").path, "--session-key", "aes-256",
            "--xml-data", input, "--id-attr:ID", "urn:oasis:names:tc:SAML:2.0:assertion:Assertion",
            "--node-id", Generated.assertionID, "--output", output, template,
        ])
        try #require(run.status == 0, "xmlsec1 --encrypt failed: \(run.stderr)")
        return try String(contentsOfFile: output, encoding: .utf8)
    }

    @Test func theDepthLimitAppliesToDecryptedContent() async throws {
        // 30 nested elements inside an attribute value: the posted document is 7 deep, the
        // decrypted Assertion 35 — beyond a limit of 32.
        let deep = String(repeating: "<x>", count: 30) + "v" + String(repeating: "</x>", count: 30)
        let limited = VerificationPolicy(limits: XMLLimits(maximumDepth: 32))
        let plain = try Generated.signed(edits: [(">Alice Example<", ">\(deep)<")])
        let encrypted = try Self.encryptAssertion(plain)
        #expect(encrypted.contains("EncryptedAssertion") && !encrypted.contains("<x>"))
        // Inside a signed Response the reason is precise.
        let signedResponse = try Generated.sign(encrypted, assertion: false, response: true)
        await expectRejection(.malformedXML) { _ = try VerificationHardeningTests.check(signedResponse, policy: limited, keys: ["sp-rsa"]) }
        // Inside an unsigned one it reads as any other decryption failure; the detail is in diagnostics.
        let collector = DiagnosticsCollector()
        await expectRejection(.decryptionFailed) { _ = try VerificationHardeningTests.check(encrypted, policy: limited, keys: ["sp-rsa"], diagnostics: collector.record) }
        #expect(collector.diagnostics.allSatisfy { $0.fact("detail") == nil }, "\(collector.diagnostics)")
        // the unsafe debugging switch reveals it
        var unsafe = limited
        unsafe.unsafeRevealDecryptionFailures = true
        let revealed = DiagnosticsCollector()
        await expectRejection(.decryptionFailed) { _ = try VerificationHardeningTests.check(encrypted, policy: unsafe, keys: ["sp-rsa"], diagnostics: revealed.record) }
        #expect(revealed.diagnostics.last { $0.check == .decryption }?.fact("detail")?.hasPrefix("malformedXML") == true)
        // The same content within a higher limit decrypts and verifies.
        let a = try VerificationHardeningTests.check(signedResponse, keys: ["sp-rsa"])
        #expect(a.wasEncrypted && a.assertionSigned)
    }

    @Test func theShapePreScanAppliesToDecryptedContent() async throws {
        // 30 attributes on one element inside the encrypted Assertion, under a limit of 20:
        // invisible in the posted document, refused by the same linear scan once decrypted,
        // before libxml2 parses it.
        let limited = VerificationPolicy(limits: XMLLimits(maximumAttributesPerElement: 20))
        let attributes = (0..<30).map { "a\($0)=\"v\"" }.joined(separator: " ")
        let plain = try Generated.signed(edits: [(">Alice Example<", "><x \(attributes)/><")])
        let encrypted = try Self.encryptAssertion(plain)
        #expect(!encrypted.contains("a29="))
        let signedResponse = try Generated.sign(encrypted, assertion: false, response: true)
        await expectRejection(.tooLarge) { _ = try VerificationHardeningTests.check(signedResponse, policy: limited, keys: ["sp-rsa"]) }
        // in an unsigned Response it reads as any other decryption failure; the detail is in diagnostics
        let collector = DiagnosticsCollector()
        await expectRejection(.decryptionFailed) {
            _ = try VerificationHardeningTests.check(encrypted, policy: limited, keys: ["sp-rsa"], diagnostics: collector.record)
        }
        #expect(collector.diagnostics.allSatisfy { $0.fact("detail") == nil }, "\(collector.diagnostics)")
        // the unsafe debugging switch reveals it
        var unsafe = limited
        unsafe.unsafeRevealDecryptionFailures = true
        let revealed = DiagnosticsCollector()
        await expectRejection(.decryptionFailed) { _ = try VerificationHardeningTests.check(encrypted, policy: unsafe, keys: ["sp-rsa"], diagnostics: revealed.record) }
        #expect(revealed.diagnostics.last { $0.check == .decryption }?.fact("detail")?.hasPrefix("tooLarge") == true)
        // within the default limits the same content decrypts and verifies
        let a = try VerificationHardeningTests.check(signedResponse, keys: ["sp-rsa"])
        #expect(a.wasEncrypted)
    }
}

/// The e-mail accessor follows the attribute rules, never a guess.
@Suite struct EmailAccessorTests {
    @Test func friendlyNameNeverShadowsANameAndANonEmailNameIDIsNeverTheEmail() async throws {
        let nick = """
              <saml:Attribute Name="urn:example:nickname" FriendlyName="email">
                <saml:AttributeValue xsi:type="xs:string">mallory@evil.example</saml:AttributeValue>
              </saml:Attribute>
              <saml:Attribute Name="email"
        """
        let shadowed = try Generated.signed(edits: [("<saml:Attribute Name=\"email\"", nick)])
        let a = try await Generated.verifier().verify(responseXML: Array(shadowed.utf8), inResponseTo: Generated.requestID, now: Generated.now)
        #expect(a.email == "alice@example.com")
        #expect(a.values(of: "email") == ["alice@example.com"])

        // no e-mail attribute, and a persistent NameID that happens to contain "@"
        let persistent = try Generated.signed(edits: [
            ("<saml:Attribute Name=\"email\" NameFormat=\"urn:oasis:names:tc:SAML:2.0:attrname-format:basic\" FriendlyName=\"mail\">",
             "<saml:Attribute Name=\"x-contact\">"),
            ("urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress", "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"),
        ])
        let b = try await Generated.verifier().verify(responseXML: Array(persistent.utf8), inResponseTo: Generated.requestID, now: Generated.now)
        #expect(b.nameID.value == "alice@example.com")
        #expect(b.email == nil)
    }
}
