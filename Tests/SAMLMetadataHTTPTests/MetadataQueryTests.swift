#if HTTPMetadata
import Foundation
import SAML
import SAMLCore
import SAMLMetadataHTTP
import Testing

/// The MDQ client against the loopback server: per-entity URLs, signatures, caching.
@Suite("Metadata over HTTP: MDQ", .serialized, .timeLimit(.minutes(1)))
struct MetadataQueryTests {
    @Test("Entity IDs are percent-encoded into {base}/entities/{id}")
    func urls() {
        let client = MetadataQueryClient(baseURL: "https://mdq.example.org/")
        #expect(client.url(for: "https://idp.example.org/idp/shibboleth?x=1&y=2")
                == "https://mdq.example.org/entities/https%3A%2F%2Fidp.example.org%2Fidp%2Fshibboleth%3Fx%3D1%26y%3D2")
        #expect(client.url(for: "urn:mace:a b") == "https://mdq.example.org/entities/urn%3Amace%3Aa%20b")
    }

    @Test("Lookups are signed, cached per entity for cacheDuration, revalidated with ETag, kept while the service is down")
    func lookups() async throws {
        let server = try await MetadataServer.start()
        let clock = TestClock()
        let ids = ["https://idp.example.org/metadata", "urn:example:idp:two"]
        let client = MetadataQueryClient(baseURL: server.base, configuration: try MetadataSourceTests.configuration(anchors: ["sp-rsa"]),
                                         clock: clock.function)
        var paths: [String] = []
        for (index, id) in ids.enumerated() {
            let path = String(client.url(for: id).dropFirst(server.base.count))
            paths.append(path)
            try await server.set(path, body: try MetadataBuilder.signed(
                MetadataBuilder.entity(id, validUntil: clock.now + 86_400, cacheDuration: "PT10M", id: "_e\(index)"), by: "sp-rsa"),
                etag: "\"e\(index)\"")
        }
        #expect(try await client.identityProvider(entityID: ids[0]).entityID == ids[0])
        #expect(try await client.identityProvider(entityID: ids[1]).entityID == ids[1])
        #expect(try await client.identityProvider(entityID: ids[0]).entityID == ids[0])
        #expect(try await server.count(paths[0]) == 1)
        #expect(try await server.count(paths[1]) == 1)

        clock.advance(601)
        #expect(try await client.identityProvider(entityID: ids[0]).entityID == ids[0])
        #expect(try await server.count(paths[0]) == 2)
        #expect(try await server.lastHeaders(paths[0])["if-none-match"] == "\"e0\"")
        #expect(await client.requestCount == 3)

        // an unknown entity: 404 → unavailable; an answer about another entity → refused
        await expectFailure(.metadataUnavailable) { _ = try await client.identityProvider(entityID: "https://unknown.example.org") }
        let swapped = String(client.url(for: "https://swapped.example.org").dropFirst(server.base.count))
        try await server.set(swapped, body: try MetadataBuilder.signed(MetadataBuilder.entity(ids[0]), by: "sp-rsa"))
        await expectFailure(.entityNotFound) { _ = try await client.identityProvider(entityID: "https://swapped.example.org") }
        // signed by the IdP's own key instead of the MDQ signer: refused
        let selfSigned = String(client.url(for: "https://self.example.org").dropFirst(server.base.count))
        try await server.set(selfSigned, body: try MetadataBuilder.signed(MetadataBuilder.entity("https://self.example.org"), by: "idp-rsa"))
        await expectFailure(.untrustedKey) { _ = try await client.identityProvider(entityID: "https://self.example.org") }

        // service down: the cached copy serves until its validUntil
        await server.stop()
        clock.advance(3600)
        #expect(try await client.identityProvider(entityID: ids[1]).entityID == ids[1])
        clock.advance(86_400)
        await expectFailure(.metadataUnavailable) { _ = try await client.identityProvider(entityID: ids[1]) }
    }
}
#endif
