import Foundation
import SAML
import SAMLTesting
import Testing
import SAMLTestSupport

/// Independent SPs verify what the test IdP issues: python3-saml (Debian `python3-onelogin-saml2`)
/// and pysaml2 (Debian `python3-pysaml2`), plus the `xmlsec1 --verify` CLI on the signatures.
/// A missing peer fails these tests.
@Suite("Test IdP: python3-saml, pysaml2 and xmlsec1 accept our responses")
struct TestIdPPeerTests {
    typealias W = TestIdPWorld
    typealias S = RequestsSupport

    enum Peer: String, CaseIterable, Sendable {
        case python3SAML = "python3_saml_sp.py"
        case pysaml2 = "pysaml2_sp.py"
    }

    /// Key files, IdP metadata and a peer configuration in a fresh directory.
    struct Setup {
        var directory: URL
        var config: String

        init(idp: TestIdentityProvider, signing: ResponseOptions.Signing, encrypted: Bool, requestID: String? = W.requestID) throws {
            directory = try W.temporaryDirectory()
            let sp = try DemoOnlyCredentials.serviceProvider()
            let spKey = try S.write(DemoOnlyCredentials.spPrivateKeyPEM, "sp.key.pem", in: directory)
            let spCert = try S.write(sp.certificate.pem, "sp.cert.pem", in: directory)
            let idpCert = try S.write(idp.signingKey.certificate.pem, "idp.cert.pem", in: directory)
            let metadata = try S.write(idp.metadata(), "idp-metadata.xml", in: directory)
            let object: [String: Any] = [
                "spEntityID": W.spEntityID, "acsURL": W.acsURL, "spKeyFile": spKey, "spCertFile": spCert,
                "idpEntityID": idp.entityID, "idpCertFile": idpCert, "idpMetadataFile": metadata,
                "requestID": requestID as Any,
                "wantAssertionsSigned": signing != .response, "wantMessagesSigned": signing != .assertion,
                "wantResponseSigned": signing != .assertion, "wantAssertionsEncrypted": encrypted,
            ]
            let json = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            config = try S.write([UInt8](json), "config.json", in: directory)
        }

        func run(_ peer: Peer, _ response: IssuedResponse) async throws -> RequestsSupport.Run {
            let file = try S.write(response.base64, "response-\(UUID().uuidString).b64", in: directory)
            let script = Fixtures.peerScript(peer.rawValue)
            let python = try S.systemPython(), config = config
            return try await W.offPool { try S.run(python, [script, config, file]) }
        }

        func remove() { try? FileManager.default.removeItem(at: directory) }
    }

    struct Good: CustomTestStringConvertible, Sendable {
        var peer: Peer
        var signing: ResponseOptions.Signing
        var ecdsa: Bool
        var encryption: ResponseOptions.ContentEncryption?
        var testDescription: String { "\(peer) \(signing) \(ecdsa ? "ECDSA" : "RSA") \(encryption.map { "\($0)" } ?? "clear")" }
    }

    static let goodCases: [Good] = Peer.allCases.flatMap { peer in
        ResponseOptions.Signing.allCases.flatMap { signing in
            [Good(peer: peer, signing: signing, ecdsa: false, encryption: nil),
             Good(peer: peer, signing: signing, ecdsa: false, encryption: .aes256GCM),
             Good(peer: peer, signing: signing, ecdsa: true, encryption: nil),
             Good(peer: peer, signing: signing, ecdsa: true, encryption: .aes128CBC)]
        }
    }

    @Test("good responses are accepted by the peer SP", arguments: goodCases)
    func good(_ variant: Good) async throws {
        let idp = try W.idp(ecdsa: variant.ecdsa)
        let setup = try Setup(idp: idp, signing: variant.signing, encrypted: variant.encryption != nil)
        defer { setup.remove() }
        let options = ResponseOptions(signing: variant.signing, encryptionCertificate: variant.encryption == nil ? nil : try W.spCertificate(),
                                      contentEncryption: variant.encryption ?? .aes256GCM)
        let issued = try idp.issueResponse(for: .alice, serviceProviderEntityID: W.spEntityID, acsURL: W.acsURL,
                                           inResponseTo: W.requestID, options: options)
        let result = try await setup.run(variant.peer, issued)
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stdout)")
        #expect(json["nameID"] as? String == "alice@example.com")
        #expect(json["nameIDFormat"] as? String == NameIDFormat.emailAddress.rawValue)
        #expect(json["assertionID"] as? String == issued.assertionID)
        let attributes = try #require(json["attributes"] as? [String: Any])
        #expect(attributes["email"] as? [String] == ["alice@example.com"])
        #expect(attributes["givenName"] as? [String] == ["Alice"])
        #expect(attributes["surName"] as? [String] == ["Example"])
        #expect(attributes["name"] as? [String] == ["Alice Example"])
        if variant.peer == .python3SAML {
            #expect(json["encrypted"] as? Bool == (variant.encryption != nil))
        } else {
            #expect(json["inResponseTo"] as? String == W.requestID)
        }
    }

    struct Refused: CustomTestStringConvertible, Sendable {
        var peer: Peer
        var kind: BrokenVariant
        var signing: ResponseOptions.Signing
        var encrypted: Bool
        /// What the peer's message must mention (one of), so the refusal is for this defect.
        var reasons: [String]
        var testDescription: String { "\(peer) \(kind) (\(signing), \(encrypted ? "encrypted" : "clear"))" }
    }

    static let python3SAMLReasons: [BrokenVariant: [String]] = [
        .expired: ["expired"], .notYetValid: ["not yet valid"], .wrongAudience: ["is not a valid audience"],
        .wrongRecipient: ["SubjectConfirmation"], .wrongIssuer: ["Invalid issuer"], .unsigned: ["not signed"],
        .tamperedAfterSigning: ["Signature validation failed"], .wrapped: ["must contain 1 assertion"],
        .otherRequestInResponseTo: ["InResponseTo"],
    ]
    /// pysaml2 7.0.1 does not compare the bearer Recipient with its ACS URL, so `wrongRecipient`
    /// is left out for it (our verifier and python3-saml refuse it).
    static let pysaml2Reasons: [BrokenVariant: [String]] = [
        .expired: ["too old"], .notYetValid: ["yet"], .wrongAudience: ["AudienceRestrictions"], .wrongIssuer: ["wrong-issuer"],
        .unsigned: ["Signature missing"], .tamperedAfterSigning: ["Failed to verify signature"], .wrapped: ["Failed to verify signature", "Invalid number of assertions", "Signature missing"],
        .otherRequestInResponseTo: ["Unsolicited"],
    ]

    static let refusedCases: [Refused] = Peer.allCases.flatMap { peer in
        let reasons = peer == .python3SAML ? python3SAMLReasons : pysaml2Reasons
        // Every defect with both signatures, clear and encrypted; tampering with each signing mode.
        return reasons.sorted { $0.key.rawValue < $1.key.rawValue }.flatMap { kind, reasons in
            (kind == .tamperedAfterSigning ? ResponseOptions.Signing.allCases : [.both]).flatMap { signing in
                [false, true].map { Refused(peer: peer, kind: kind, signing: signing, encrypted: $0, reasons: reasons) }
            }
        }
    }

    @Test("broken responses are refused by the peer SP for that defect", arguments: refusedCases)
    func refused(_ variant: Refused) async throws {
        let idp = try W.idp()
        let setup = try Setup(idp: idp, signing: variant.signing, encrypted: variant.encrypted)
        defer { setup.remove() }
        let options = ResponseOptions(signing: variant.signing, encryptionCertificate: variant.encrypted ? try W.spCertificate() : nil,
                                      broken: variant.kind)
        let issued = try idp.issueResponse(for: .alice, serviceProviderEntityID: W.spEntityID, acsURL: W.acsURL,
                                           inResponseTo: W.requestID, options: options)
        let result = try await setup.run(variant.peer, issued)
        #expect(result.status == 1, "accepted: \(result.stdout)")
        #expect(result.stderr.contains("refused the response"), "\(result.stderr)")
        #expect(variant.reasons.contains { result.stderr.contains($0) }, "\(result.stderr)")
    }

    @Test("the same response posted twice: python3-saml reads it again (it keeps no replay cache), our verifier refuses it")
    func replayed() async throws {
        let idp = try W.idp()
        let setup = try Setup(idp: idp, signing: .both, encrypted: false)
        defer { setup.remove() }
        let issued = try idp.issueResponse(for: .alice, serviceProviderEntityID: W.spEntityID, acsURL: W.acsURL,
                                           inResponseTo: W.requestID, options: ResponseOptions(broken: .replayed))
        #expect(try await setup.run(.python3SAML, issued).status == 0)
        let verifier = try W.verifier(idp)
        _ = try await verifier.verify(samlResponse: issued.base64, inResponseTo: W.requestID)
        await expectRejection(.replayed) {
            _ = try await verifier.verify(samlResponse: idp.replay(issued).base64, inResponseTo: W.requestID)
        }
    }

    // MARK: xmlsec1

    struct Signed: CustomTestStringConvertible, Sendable {
        var signing: ResponseOptions.Signing
        var ecdsa: Bool
        var testDescription: String { "\(signing) \(ecdsa ? "ECDSA" : "RSA")" }
    }

    @Test("xmlsec1 --verify accepts our signatures with the IdP certificate only, and refuses a tampered document",
          arguments: [ResponseOptions.Signing.response, .assertion].flatMap { s in [false, true].map { Signed(signing: s, ecdsa: $0) } })
    func xmlsec1(_ variant: Signed) async throws {
        let xmlsec1 = try S.tool("xmlsec1")
        let idp = try W.idp(ecdsa: variant.ecdsa)
        let directory = try W.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificate = try S.write(idp.signingKey.certificate.pem, "idp.cert.pem", in: directory)
        let other = try S.write((variant.ecdsa ? try DemoOnlyCredentials.identityProviderRSA() : try DemoOnlyCredentials.identityProviderEC()).certificate.pem,
                                "other.cert.pem", in: directory)
        let issued = try idp.issueResponse(for: .alice, serviceProviderEntityID: W.spEntityID, acsURL: W.acsURL,
                                           inResponseTo: W.requestID, options: ResponseOptions(signing: variant.signing))
        let file = try S.write(issued.xml, "response.xml", in: directory)
        let idAttribute = variant.signing == .response
            ? "urn:oasis:names:tc:SAML:2.0:protocol:Response" : "urn:oasis:names:tc:SAML:2.0:assertion:Assertion"
        func verify(_ path: String, with cert: String) async throws -> RequestsSupport.Run {
            try await W.offPool { try S.run(xmlsec1, ["--verify", "--pubkey-cert-pem", cert, "--id-attr:ID", idAttribute, path]) }
        }
        let good = try await verify(file, with: certificate)
        #expect(good.status == 0, "\(good.stderr)")
        #expect(good.stderr.contains("OK"))
        #expect(good.stderr.contains("SignedInfo References (ok/all): 1/1"))
        // Another key does not verify it, so the certificate given is the one used.
        #expect(try await verify(file, with: other).status != 0)
        let tampered = try S.write(issued.xml.replacingOccurrences(of: ">alice@example.com<", with: ">mallory@example.com<"),
                                   "tampered.xml", in: directory)
        #expect(try await verify(tampered, with: certificate).status != 0)
    }
}
