import Foundation
import SAML
import SAMLTesting
import Testing
import SAMLTestSupport

/// `saml idp metadata` and `saml idp issue`, run as a user would.
@Suite("CLI: saml idp")
struct TestIdPCLITests {
    typealias W = TestIdPWorld

    static let idpEntityID = "https://idp.cli.example/metadata"

    /// Demo key files on disk.
    struct Files {
        var idpKey: String, idpCert: String, ecKey: String, ecCert: String, spCert: String

        init() throws {
            idpKey = try CLI.temporaryFile(DemoOnlyCredentials.idpRSAPrivateKeyPEM, name: "idp.key.pem")
            idpCert = try CLI.temporaryFile(DemoOnlyCredentials.idpRSACertificatePEM, name: "idp.cert.pem")
            ecKey = try CLI.temporaryFile(DemoOnlyCredentials.idpECPrivateKeyPEM, name: "idp-ec.key.pem")
            ecCert = try CLI.temporaryFile(DemoOnlyCredentials.idpECCertificatePEM, name: "idp-ec.cert.pem")
            spCert = try CLI.temporaryFile(DemoOnlyCredentials.spCertificatePEM, name: "sp.cert.pem")
        }
    }

    static func verifier(certificatePEM: String = DemoOnlyCredentials.idpRSACertificatePEM) throws -> ResponseVerifier {
        let idp = IdentityProvider(entityID: idpEntityID, singleSignOnURL: "https://idp.cli.example/sso",
                                   certificates: [try SAMLCertificate(pem: certificatePEM)])
        return ResponseVerifier(serviceProvider: try W.serviceProvider(), identityProvider: idp)
    }

    /// Runs `saml` off the cooperative thread pool.
    static func cli(_ arguments: [String]) async throws -> CLI.Result {
        try await W.offPool { try CLI.run(arguments) }
    }

    @Test("saml idp metadata prints metadata our reader accepts")
    func metadata() async throws {
        let files = try Files()
        let result = try await Self.cli(["idp", "metadata", "--idp-key", files.idpKey, "--idp-cert", files.idpCert,
                                  "--idp-entity-id", Self.idpEntityID, "--sso-url", "https://idp.cli.example/sso"])
        #expect(result.status == 0, "\(result.summary)")
        let idp = try IdentityProvider(metadata: result.stdout)
        #expect(idp.entityID == Self.idpEntityID)
        #expect(idp.singleSignOnServices.map(\.location) == ["https://idp.cli.example/sso", "https://idp.cli.example/sso"])
        #expect(idp.signingCertificates == [try DemoOnlyCredentials.identityProviderRSA().certificate])
        // A key that does not belong to the certificate is refused.
        let mismatched = try await Self.cli(["idp", "metadata", "--idp-key", files.ecKey, "--idp-cert", files.idpCert,
                                      "--idp-entity-id", Self.idpEntityID, "--sso-url", "https://idp.cli.example/sso"])
        #expect(mismatched.status == 2)
        #expect(mismatched.stderr.contains("invalidKey"))
    }

    @Test("saml idp issue: a signed, encrypted response at a given time, verified by our SP")
    func issue() async throws {
        let files = try Files()
        let result = try await Self.cli(["idp", "issue", "--idp-key", files.ecKey, "--idp-cert", files.ecCert,
                                  "--idp-entity-id", Self.idpEntityID, "--sp-entity-id", W.spEntityID, "--acs-url", W.acsURL,
                                  "--request-id", "_cli-request", "--name-id", "dana@example.com",
                                  "--name-id-format", NameIDFormat.persistent.rawValue,
                                  "--attribute", "email=dana@example.com", "--attribute", "groups=a", "--attribute", "groups=b=c",
                                  "--sign", "assertion", "--encrypt-cert", files.spCert, "--lifetime", "60",
                                  "--now", "2027-03-01T12:00:00Z"])
        #expect(result.status == 0, "\(result.summary)")
        let base64 = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let xml = String(decoding: try #require(Data(base64Encoded: base64)), as: UTF8.self)
        #expect(xml.contains(#"IssueInstant="2027-03-01T12:00:00Z""#))
        #expect(xml.contains("<saml:EncryptedAssertion>"))
        let at = try #require(SAMLTime.parse("2027-03-01T12:00:30Z"))
        let login = try await Self.verifier(certificatePEM: DemoOnlyCredentials.idpECCertificatePEM)
            .verify(samlResponse: base64, inResponseTo: "_cli-request", now: at)
        #expect(login.nameID.value == "dana@example.com")
        #expect(login.nameID.format == .persistent)
        #expect(login.values(of: "groups") == ["a", "b=c"])
        #expect(login.wasEncrypted && login.assertionSigned && !login.responseSigned)
        await expectRejection(.expired) {
            _ = try await Self.verifier(certificatePEM: DemoOnlyCredentials.idpECCertificatePEM)
                .verify(samlResponse: base64, inResponseTo: "_cli-request", now: at.addingTimeInterval(600))
        }
    }

    @Test("saml idp issue --broken: each kind is refused with its code", arguments: BrokenVariant.allCases.filter { $0 != .replayed })
    func broken(_ kind: BrokenVariant) async throws {
        let files = try Files()
        let result = try await Self.cli(["idp", "issue", "--idp-key", files.idpKey, "--idp-cert", files.idpCert,
                                  "--idp-entity-id", Self.idpEntityID, "--sp-entity-id", W.spEntityID, "--acs-url", W.acsURL,
                                  "--request-id", "_cli-request", "--name-id", "alice@example.com", "--broken", kind.rawValue])
        #expect(result.status == 0, "\(result.summary)")
        await expectRejection(kind.expectedErrorCode(for: ResponseOptions(signing: .both, broken: kind))) {
            _ = try await Self.verifier().verify(samlResponse: result.stdout.trimmingCharacters(in: .whitespacesAndNewlines),
                                                 inResponseTo: "_cli-request")
        }
    }

    @Test("saml idp issue: usage errors exit 2 with a reason")
    func usage() async throws {
        let files = try Files()
        let base = ["idp", "issue", "--idp-key", files.idpKey, "--idp-cert", files.idpCert, "--idp-entity-id", Self.idpEntityID,
                    "--sp-entity-id", W.spEntityID, "--acs-url", W.acsURL, "--name-id", "alice@example.com"]
        for (extra, message) in [(["--sign", "everything"], "--sign"), (["--broken", "sideways"], "--broken"),
                                 (["--now", "yesterday"], "--now"), (["--attribute", "novalue"], "--attribute"),
                                 (["--lifetime", "0"], "--lifetime"), (["--encrypt-cert", files.ecCert], "invalidCertificate")] {
            let result = try await Self.cli(base + extra)
            #expect(result.status == 2, "\(extra): \(result.summary)")
            #expect(result.stderr.contains(message), "\(extra): \(result.stderr)")
        }
        let missing = try await Self.cli(["idp", "issue", "--idp-key", files.idpKey])
        #expect(missing.status == 2)
    }
}
