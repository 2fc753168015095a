import Foundation
import SAML
import SAMLCore
import SAMLTesting
import Testing
import SAMLTestSupport

/// `Configuration.diagnose(now:)` on recorded IdP metadata: each rule's finding, with the code
/// `saml doctor` reports and a fix for every problem.
@Suite("Configuration.diagnose: the doctor's rules as a library API")
struct ConfigurationDiagnosisTests {
    static let acs = "https://sp.example.com/saml/acs"
    static let january2026 = Fixtures.date("2026-01-15T10:01:00Z")

    /// The IdP of a recorded metadata file, read as of long ago (so that expired metadata is a
    /// finding, not a refusal) with http endpoints allowed.
    static func idp(_ file: String, edit: (String) -> String = { $0 }) throws -> IdentityProvider {
        try IdentityProvider(metadata: edit(try Fixtures.text("reference/idp-metadata/" + file)),
                             policy: MetadataPolicy(now: .distantPast, allowHTTPEndpoints: true))
    }

    static func configuration(_ idp: IdentityProvider, acsURL: String = acs, signingKey: SAMLKeyPair? = nil) -> SAMLServiceProvider.Configuration {
        SAMLServiceProvider.Configuration(acsURL: acsURL, identityProviders: [TrustedIdentityProvider(idp)], signingKey: signingKey)
    }

    /// The worst severity per check.
    static func worst(_ findings: [ConfigurationFinding]) -> [String: ConfigurationFinding.Severity] {
        findings.reduce(into: [:]) { map, f in map[f.check] = max(map[f.check] ?? .ok, f.severity) }
    }

    @Test("AWS IAM Identity Center metadata with an https ACS: no problem, every rule reported")
    func clean() throws {
        let findings = Self.configuration(try Self.idp("aws-iam-identity-center_us-east-1.xml")).diagnose(now: Self.january2026)
        #expect(!findings.contains { $0.isProblem }, "\(findings)")
        let worst = Self.worst(findings)
        #expect(worst["idp.certificate.signing"] == .ok)
        #expect(worst["idp.sso"] == .ok)
        #expect(worst["idp.sha1"] == .ok)
        #expect(worst["sp.acs.https"] == .ok)
        #expect(worst["sp.entityID"] == .info, "the entity ID defaults to the ACS URL")
    }

    @Test("IdP certificate expiring within 30 days, then expired", arguments: [
        ("2028-12-20T00:00:00Z", ConfigurationFinding.Severity.warning, "expires 2029-01-03T14:27:25Z (in 14 days)"),
        ("2029-02-01T00:00:00Z", ConfigurationFinding.Severity.error, "expired 2029-01-03T14:27:25Z (28 days ago)"),
    ])
    func expiry(now: String, severity: ConfigurationFinding.Severity, text: String) throws {
        let findings = Self.configuration(try Self.idp("aws-iam-identity-center_us-east-1.xml")).diagnose(now: Fixtures.date(now))
        let finding = try #require(findings.first { $0.check == "idp.certificate.signing" })
        #expect(finding.severity == severity)
        #expect(finding.message.contains(text), "\(finding.message)")
        #expect(finding.fix?.isEmpty == false)
    }

    @Test("recorded metadata with known problems: each found, each with a fix", arguments: [
        ("google-workspace_C02dfl1r1.xml", "idp.metadata.validUntil", ConfigurationFinding.Severity.error),
        ("onelogin_app-503983.xml", "idp.sha1", .warning),
        ("adfs-2016_fs.msidlab11.com_signed.xml", "idp.certificate.signing", .error),
    ])
    func recorded(file: String, check: String, severity: ConfigurationFinding.Severity) throws {
        let findings = Self.configuration(try Self.idp(file)).diagnose(now: Self.january2026)
        #expect(Self.worst(findings)[check] == severity, "\(findings)")
        let finding = try #require(findings.first { $0.check == check && $0.severity == severity })
        #expect(finding.fix?.isEmpty == false, "every problem comes with a fix")
    }

    @Test("alg:SigningMethod is read from metadata; an IdP listing only SHA-1 is a warning")
    func sha1SigningMethods() throws {
        let opening = "<md:IDPSSODescriptor WantAuthnRequestsSigned=\"false\" protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\">"
        func listing(_ algorithm: String) throws -> IdentityProvider {
            try Self.idp("aws-iam-identity-center_us-east-1.xml") { original in
                #expect(original.contains(opening))
                return original.replacingOccurrences(of: opening, with: opening
                    + "<md:Extensions><alg:SigningMethod xmlns:alg=\"urn:oasis:names:tc:SAML:metadata:algsupport\" Algorithm=\"\(algorithm)\"/></md:Extensions>")
            }
        }
        let sha1 = try listing("http://www.w3.org/2000/09/xmldsig#rsa-sha1")
        #expect(sha1.signingMethods == ["http://www.w3.org/2000/09/xmldsig#rsa-sha1"])
        let finding = try #require(Self.configuration(sha1).diagnose(now: Self.january2026).first { $0.check == "idp.sha1" })
        #expect(finding.severity == .warning)
        #expect(finding.message.contains("only SHA-1 signing methods (rsa-sha1)"), "\(finding.message)")
        let sha256 = try listing("http://www.w3.org/2001/04/xmldsig-more#rsa-sha256")
        #expect(Self.worst(Self.configuration(sha256).diagnose(now: Self.january2026))["idp.sha1"] == .ok)
        #expect(try Self.idp("aws-iam-identity-center_us-east-1.xml").signingMethods.isEmpty)
    }

    @Test("signed requests wanted without a key; http ACS on and off loopback")
    func serviceProviderRules() throws {
        let generated = try IdentityProvider(metadata: Fixtures.bytes("generated/idp-metadata.xml"), policy: MetadataPolicy(now: .distantPast))
        #expect(generated.wantsAuthnRequestsSigned)
        let plain = Self.worst(Self.configuration(generated, acsURL: "http://sp.example.com/saml/acs").diagnose(now: Self.january2026))
        #expect(plain["idp.wantsSignedRequests"] == .error)
        #expect(plain["sp.acs.https"] == .error)
        let local = Self.worst(Self.configuration(generated, acsURL: "http://127.0.0.1:8080/saml/acs").diagnose(now: Self.january2026))
        #expect(local["sp.acs.https"] == .warning)

        let key = try SAMLKeyPair(privateKeyPEM: Fixtures.text("generated/keys/sp-rsa.key.pem"), certificatePEM: Fixtures.text("generated/keys/sp-rsa.cert.pem"))
        let signed = Self.configuration(generated, signingKey: key).diagnose(now: Self.january2026)
        #expect(Self.worst(signed)["idp.wantsSignedRequests"] == .ok)
        // the SP certificate is judged too: at its expiry it is a warning
        let late = Self.configuration(generated, signingKey: key).diagnose(now: key.certificate.notAfter.addingTimeInterval(86400))
        #expect(Self.worst(late)["sp.certificate.signing"] == .warning)
    }

    @Test("published demo keys: noted on loopback, an error once an ACS URL is deployed; relaxed defaults are warnings")
    func demoKeysAndRelaxations() throws {
        let idp = try TestIdentityProvider(entityID: "https://idp.example.test", singleSignOnURL: "https://idp.example.test/sso",
                                          signingKey: DemoOnlyCredentials.identityProviderRSA()).identityProvider
        let demoKey = try DemoOnlyCredentials.serviceProvider()
        let local = Self.configuration(idp, acsURL: "http://localhost:8080/saml/acs", signingKey: demoKey).diagnose()
        #expect(Self.worst(local)["publishedDemoKey"] == .info, "\(local)")
        let deployed = Self.configuration(idp, acsURL: "https://sp.company.com/saml/acs", signingKey: demoKey).diagnose()
        let refused = try #require(deployed.first { $0.check == "publishedDemoKey" })
        #expect(refused.severity == .error)
        #expect(refused.message.contains("sp.company.com"), "\(refused.message)")

        var relaxed = Self.configuration(try Self.idp("aws-iam-identity-center_us-east-1.xml"))
        relaxed.policy.refuseCBCInUnsignedResponse = false
        #expect(Self.worst(relaxed.diagnose(now: Self.january2026))["sp.policy.relaxed"] == .warning)
        relaxed.acsURLs.append(Self.acs)
        #expect(Self.worst(relaxed.diagnose(now: Self.january2026))["sp.configuration"] == .error, "an ACS URL listed twice")
    }

    @Test("a directory export: each entry gets the IdP rules, named by its ID")
    func directoryEntries() throws {
        let aws = IdentityProviderRecord(id: "aws", name: "AWS", metadataXML: try Fixtures.text("reference/idp-metadata/aws-iam-identity-center_us-east-1.xml"))
        let okta = IdentityProviderRecord(id: "okta", name: "Okta", metadataXML: try Fixtures.text("reference/idp-metadata/okta_dev-513394.xml"))
        // Okta's certificate ends 2028-09-07, AWS's 2029-01-03
        let findings = IdentityProviderDirectoryExport.diagnose([aws, okta], now: Fixtures.date("2028-08-20T00:00:00Z"))
        #expect(findings.contains { $0.subject == "okta" && $0.check == "idp.certificate.signing" && $0.severity == .warning }, "\(findings)")
        #expect(findings.contains { $0.subject == "aws" && $0.check == "idp.certificate.signing" && $0.severity == .ok })
        #expect(findings.contains { $0.subject == "okta" && $0.check == "idp.sso" })
        // once expired, the directory no longer loads the entry: that is the finding
        let later = IdentityProviderDirectoryExport.diagnose([aws, okta], now: Fixtures.date("2028-12-20T00:00:00Z"))
        #expect(later.contains { $0.subject == "okta" && $0.check == "idp.settings" && $0.severity == .error })
        #expect(later.contains { $0.subject == "aws" && $0.check == "idp.certificate.signing" && $0.severity == .warning })
        #expect(findings.allSatisfy { $0.subject == "aws" || $0.subject == "okta" })
    }
}
