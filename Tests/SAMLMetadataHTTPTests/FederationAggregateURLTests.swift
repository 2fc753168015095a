#if HTTPMetadata
import Foundation
import SAML
import SAMLMetadataHTTP
import Testing

/// The eduGAIN-shaped aggregate of `scripts/generate-federation-aggregate.sh` (10,000 entities, about
/// 65 MB, signed by the `xmlsec1` CLI) fetched by URL from a loopback server, signature checked.
@Suite("Metadata over HTTP: a federation-size aggregate", .timeLimit(.minutes(5)))
struct FederationAggregateURLTests {
    @Test("Fetched by URL (http: on loopback, no allowHTTP) under the metadata limits, verified and indexed")
    func loadsByURL() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("saml-aggregate-url-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("aggregate.xml").path
        let generator = Process()
        generator.executableURL = URL(fileURLWithPath: "/bin/bash")
        generator.arguments = [Files.repository.appendingPathComponent("scripts/generate-federation-aggregate.sh").path, file, "10000"]
        try generator.run()
        generator.waitUntilExit()
        try #require(generator.terminationStatus == 0, "scripts/generate-federation-aggregate.sh needs python3 and the xmlsec1 CLI")
        let size = try #require(try FileManager.default.attributesOfItem(atPath: file)[.size] as? Int)
        #expect(size >= 50_000_000)

        let server = try await MetadataServer.start()
        try await server.set("/aggregate.xml", file: file)
        let configuration = MetadataFetchConfiguration(trustAnchors: [try Files.certificate("idp-rsa")], totalTimeout: .seconds(240))
        let source = MetadataSource(url: server.base + "/aggregate.xml", configuration: configuration)
        let status = try await source.refresh()
        #expect(status.entityCount == 10_000)
        #expect(status.verifiedBy?.der == (try Files.certificate("idp-rsa")).der)
        let set = try await source.currentSet()
        #expect(set.identityProviderIDs.count == 3_000)
        #expect(try set.identityProvider(entityID: "https://idp5001.example-54.org/idp/shibboleth").signingCertificates.count == 3)

        // another trust anchor: refused, nothing handed out
        let wrong = MetadataSource(url: server.base + "/aggregate.xml",
                                   configuration: MetadataFetchConfiguration(trustAnchors: [try Files.certificate("idp-rsa-next")], totalTimeout: .seconds(240)))
        await expectFailure(.untrustedKey) { try await wrong.refresh() }
        await server.stop()
    }
}
#endif
