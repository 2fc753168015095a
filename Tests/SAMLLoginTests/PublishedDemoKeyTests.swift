import Foundation
import SAML
import SAMLTesting
import Testing
import SAMLTestSupport

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

    @Test("loopback is told apart from every other host, names reserved for examples included")
    func hosts() {
        for url in ["http://localhost/a", "https://127.1.2.3/a", "http://[::1]:80/", "HTTP://LOCALHOST:8080/acs"] {
            #expect(PublishedDemoKeys.isLoopback(url), "\(url)")
        }
        for url in ["https://127.0.0.1.evil.net/", "https://localhost.evil.net/", "https://app.corp.net/", "ftp://localhost/",
                    "https://128.0.0.1/", "https://127.example.com/", "http://user@evil.net/@127.0.0.1/",
                    "https://sp.example.com/acs", "https://idp.example.test/", "https://x.invalid/", "http://app.localhost.evil.net/"] {
            #expect(!PublishedDemoKeys.isLoopback(url), "\(url)")
        }
    }

    @Test("an IdP added to the directory at run time with the demo IdP's certificate is refused off loopback, and accepted on it")
    func directoryEntriesAreCheckedToo() async throws {
        let demoIdP = try TestIdentityProvider.demo(baseURL: "https://idp.corp.net/idp")
        for (acs, refused) in [("https://app.corp.net/saml/acs", true), ("http://127.0.0.1:8080/saml/acs", false)] {
            let directory = try InMemoryIdentityProviderDirectory()
            let saml = try SAMLServiceProvider(configuration: .init(acsURL: acs, identityProviders: []), directory: directory)
            _ = try await directory.add(IdentityProviderRecord(id: "corp", name: "Corp", metadataXML: demoIdP.metadata()))
            do {
                _ = try await saml.login(idp: "corp")
                #expect(!refused, "a login through the demo IdP's certificate started at \(acs)")
            } catch let error as SAMLError {
                #expect(refused && error.code == .publishedDemoKey, "\(error)")
            }
        }
    }

    @Test("a published key on a name reserved for examples (example.com, .test) is refused too: only loopback is undeployable")
    func reservedExampleNamesAreNotLoopback() throws {
        let demoIdP = try DemoOnlyCredentials.identityProviderRSA().certificate
        for acs in ["https://sp.example.com/saml/acs", "https://app.example.test/acs"] {
            do {
                _ = try SAMLServiceProvider(configuration: try Self.configuration(acsURL: acs, spKey: true, idpCertificate: demoIdP))
                Issue.record("accepted a published demo key at \(acs)")
            } catch let error as SAMLError {
                #expect(error.code == .publishedDemoKey, "\(error)")
            }
        }
    }
}
