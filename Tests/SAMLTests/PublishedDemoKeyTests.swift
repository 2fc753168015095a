import Foundation
import SAML
import SAMLTesting
import Testing

/// The keys published with the demos are refused in any configuration that could be deployed.
@Suite("Published demo keys")
struct PublishedDemoKeyTests {
    static func configuration(acsURL: String, spKey: Bool, idpCertificate: SAMLCertificate) throws -> SAMLServiceProvider.Configuration {
        let idp = IdentityProvider(entityID: "https://idp.corp.net/saml", singleSignOnURL: "https://idp.corp.net/sso", certificates: [idpCertificate])
        return SAMLServiceProvider.Configuration(acsURL: acsURL, identityProviders: [TrustedIdentityProvider(idp)],
                                                 signingKey: spKey ? try DemoOnlyCredentials.serviceProvider() : nil)
    }

    @Test("the demo SP key or the demo IdP certificate on a deployable ACS URL: publishedDemoKey; on loopback: accepted")
    func refusedOutsideLoopback() throws {
        let ownCertificate = try Generated.certificate("idp-rsa")
        let demoIdP = try DemoOnlyCredentials.identityProviderRSA().certificate
        for (spKey, idpCertificate) in [(true, ownCertificate), (false, demoIdP), (true, demoIdP)] {
            let deployed = try Self.configuration(acsURL: "https://app.corp.net/saml/acs", spKey: spKey, idpCertificate: idpCertificate)
            #expect(!deployed.publishedDemoKeys.isEmpty)
            do {
                _ = try SAMLServiceProvider(configuration: deployed)
                Issue.record("accepted a published demo key on a deployable ACS URL")
            } catch let error as SAMLError {
                #expect(error.code == .publishedDemoKey, "\(error)")
                #expect(error.reason.contains("https://app.corp.net/saml/acs"), "\(error)")
            }
            for local in ["http://localhost:8080/saml/acs", "http://127.0.0.1:8080/saml/acs", "http://[::1]:8080/saml/acs"] {
                _ = try SAMLServiceProvider(configuration: try Self.configuration(acsURL: local, spKey: spKey, idpCertificate: idpCertificate))
            }
        }
        // Own keys are fine anywhere.
        let own = try Self.configuration(acsURL: "https://app.corp.net/saml/acs", spKey: false, idpCertificate: ownCertificate)
        #expect(own.publishedDemoKeys.isEmpty)
        _ = try SAMLServiceProvider(configuration: own)
    }

    @Test("loopback and reserved names are told apart from deployable hosts")
    func hosts() {
        for url in ["http://localhost/a", "https://127.1.2.3/a", "http://[::1]:80/", "http://app.localhost/"] {
            #expect(PublishedDemoKeys.isLoopback(url), "\(url)")
        }
        for url in ["https://127.0.0.1.evil.net/", "https://localhost.evil.net/", "https://app.corp.net/", "ftp://localhost/", "https://128.0.0.1/"] {
            #expect(!PublishedDemoKeys.isLoopback(url), "\(url)")
            #expect(!PublishedDemoKeys.isUndeployable(url), "\(url)")
        }
        for url in ["https://sp.example.com/acs", "https://idp.example.test/", "https://x.invalid/"] {
            #expect(PublishedDemoKeys.isUndeployable(url), "\(url)")
        }
    }
}
