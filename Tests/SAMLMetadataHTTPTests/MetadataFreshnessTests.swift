#if HTTPMetadata
import Foundation
import SAML
import SAMLCore
import SAMLMetadataHTTP
import Testing

/// Numbers and dates a metadata document controls: none may trap the process, and none may keep
/// a copy alive longer than the configuration allows, or let an older copy replace a newer one.
@Suite("Metadata over HTTP: freshness and numbers from the document", .serialized, .timeLimit(.minutes(1)))
struct MetadataFreshnessTests {
    static let idpID = MetadataSourceTests.idpID

    /// `cacheDuration` values that overflow a `Duration` (the first trapped the process), one that
    /// is not finite as a floating value, and garbage.
    static let hugeDurations = ["P99999999999999999999Y", "PT99999999999999999999S", "P" + String(repeating: "9", count: 400) + "Y",
                                "P1" + String(repeating: "0", count: 320) + "D", "P1E400Y", "PT-5S"]

    @Test("A huge or non-finite cacheDuration is clamped or ignored, never a trap", arguments: hugeDurations)
    func hugeCacheDuration(_ duration: String) async throws {
        let server = try await MetadataServer.start()
        let clock = TestClock()
        try await server.set("/md", body: try MetadataBuilder.signed(MetadataBuilder.entity(Self.idpID, cacheDuration: duration)))
        let source = MetadataSource(url: server.base + "/md", configuration: try MetadataSourceTests.configuration(), clock: clock.function)
        let status = try await source.refresh()
        let next = try #require(status.nextRefresh)
        // within [minimum, maximum] = [60 s, 7200 s]
        #expect(next >= clock.now + 60 && next <= clock.now + 7200, "\(duration): next refresh \(next)")
        #expect(try await source.identityProvider().entityID == Self.idpID)
    }

    @Test("MDQ: a huge cacheDuration on an entity answer is clamped, never a trap", arguments: hugeDurations)
    func hugeCacheDurationOverMDQ(_ duration: String) async throws {
        let server = try await MetadataServer.start()
        let clock = TestClock()
        let client = MetadataQueryClient(baseURL: server.base, configuration: try MetadataSourceTests.configuration(), clock: clock.function)
        let path = String(client.url(for: Self.idpID).dropFirst(server.base.count))
        try await server.set(path, body: try MetadataBuilder.signed(MetadataBuilder.entity(Self.idpID, cacheDuration: duration)))
        #expect(try await client.identityProvider(entityID: Self.idpID).entityID == Self.idpID)
        // after the maximum interval the entity is asked again
        clock.advance(7201)
        _ = try await client.identityProvider(entityID: Self.idpID)
        #expect(try await server.count(path) == 2)
    }

    @Test("Metadata without validUntil is not kept forever through failed refreshes: maximumStaleness fails closed")
    func maximumStaleness() async throws {
        let server = try await MetadataServer.start()
        let clock = TestClock()
        try await server.set("/md", body: try MetadataBuilder.signed(MetadataBuilder.entity(Self.idpID)))
        let source = MetadataSource(url: server.base + "/md", configuration: try MetadataSourceTests.configuration {
            $0.maximumStaleness = .seconds(3 * 86_400)
        }, clock: clock.function)
        try await source.refresh()
        await server.stop()
        clock.advance(2 * 86_400)
        await expectFailure(.metadataUnavailable) { try await source.refresh() }
        #expect(try await source.identityProvider().entityID == Self.idpID)
        #expect(await source.status.state == .stale)
        clock.advance(86_400 + 1)
        await expectFailure(.metadataExpired) { _ = try await source.identityProvider() }
        #expect(await source.status.state == .expired)
    }

    @Test("The default staleness bound is finite")
    func defaultStaleness() {
        #expect(MetadataFetchConfiguration().maximumStaleness != nil)
    }

    @Test("maximumValidityInterval: validUntil is required and may lie at most that far ahead")
    func maximumValidityInterval() async throws {
        let server = try await MetadataServer.start()
        let clock = TestClock()
        let configuration = try MetadataSourceTests.configuration { $0.maximumValidityInterval = .seconds(14 * 86_400) }
        let source = MetadataSource(url: server.base + "/md", configuration: configuration, clock: clock.function)
        try await server.set("/md", body: try MetadataBuilder.signed(MetadataBuilder.entity(Self.idpID)))
        await expectFailure(.invalidMetadata) { try await source.refresh() }
        try await server.set("/md", body: try MetadataBuilder.signed(MetadataBuilder.entity(Self.idpID, validUntil: clock.now + 30 * 86_400)))
        await expectFailure(.invalidMetadata) { try await source.refresh() }
        try await server.set("/md", body: try MetadataBuilder.signed(MetadataBuilder.entity(Self.idpID, validUntil: clock.now + 7 * 86_400)))
        try await source.refresh()
        #expect(try await source.identityProvider().entityID == Self.idpID)
    }

    @Test("An older signed copy never replaces the newer one held (by validUntil)")
    func olderCopyByValidUntil() async throws {
        let server = try await MetadataServer.start()
        let clock = TestClock()
        let source = MetadataSource(url: server.base + "/md", configuration: try MetadataSourceTests.configuration(), clock: clock.function)
        let older = try MetadataBuilder.signed(MetadataBuilder.entity(Self.idpID, sso: "https://old.example.org/sso", validUntil: clock.now + 5 * 86_400))
        let newer = try MetadataBuilder.signed(MetadataBuilder.entity(Self.idpID, validUntil: clock.now + 10 * 86_400))
        try await server.set("/md", body: newer)
        try await source.refresh()
        try await server.set("/md", body: older)
        await expectFailure(.invalidMetadata) { try await source.refresh() }
        #expect(try await source.identityProvider().singleSignOnServices.first?.location == "https://idp.example.org/sso")
    }

    @Test("An older signed copy never replaces the newer one held (by PublicationInfo creationInstant)")
    func olderCopyByCreationInstant() async throws {
        let server = try await MetadataServer.start()
        let clock = TestClock()
        let source = MetadataSource(url: server.base + "/md", configuration: try MetadataSourceTests.configuration(), clock: clock.function)
        func published(_ instant: Date, sso: String) throws -> [UInt8] {
            let xml = try MetadataBuilder.entity(Self.idpID, sso: sso, validUntil: clock.now + 10 * 86_400)
                .replacingOccurrences(of: "><md:IDPSSODescriptor", with: """
                ><md:Extensions><mdrpi:PublicationInfo xmlns:mdrpi="urn:oasis:names:tc:SAML:metadata:rpi" \
                creationInstant="\(SAMLTime.format(instant))" publisher="https://federation.example.org"/></md:Extensions><md:IDPSSODescriptor
                """)
            return try MetadataBuilder.signed(xml)
        }
        try await server.set("/md", body: try published(clock.now - 3600, sso: "https://idp.example.org/sso"))
        try await source.refresh()
        try await server.set("/md", body: try published(clock.now - 7200, sso: "https://old.example.org/sso"))
        await expectFailure(.invalidMetadata) { try await source.refresh() }
        try await server.set("/md", body: try published(clock.now - 60, sso: "https://new.example.org/sso"))
        try await source.refresh()
        #expect(try await source.identityProvider().singleSignOnServices.first?.location == "https://new.example.org/sso")
    }
}
#endif
