#if HTTPMetadata
import Foundation
import Logging
import SAML
import SAMLCore
import SAMLMetadataHTTP
@_spi(Tools) import SAMLVerification
import Testing

/// `MetadataSource` against a real HTTP server on loopback (`metadata_server.py`), with metadata
/// and responses signed in-process by the fixture keys of `Fixtures/generated/keys`.
@Suite("Metadata over HTTP: fetch, verify, refresh", .serialized, .timeLimit(.minutes(1)))
struct MetadataSourceTests {
    static let idpID = "https://idp.example.org/metadata"

    static func configuration(anchors: [String] = ["idp-rsa"], _ change: (inout MetadataFetchConfiguration) -> Void = { _ in }) throws -> MetadataFetchConfiguration {
        var configuration = MetadataFetchConfiguration(trustAnchors: try anchors.map(Files.certificate), allowHTTP: true,
                                                       connectTimeout: .seconds(2), readTimeout: .seconds(2), totalTimeout: .seconds(5),
                                                       minimumRefreshInterval: .seconds(60), maximumRefreshInterval: .seconds(7200))
        change(&configuration)
        return configuration
    }

    @Test("Good signed metadata: the IdP is handed out, the anchor that verified it is reported")
    func good() async throws {
        let server = try await MetadataServer.start()
        let clock = TestClock()
        let xml = try MetadataBuilder.entity(Self.idpID, validUntil: clock.now + 86_400, cacheDuration: "PT1H")
        try await server.set("/md", body: try MetadataBuilder.signed(xml))
        let source = MetadataSource(url: server.base + "/md", configuration: try Self.configuration(), clock: clock.function)
        await expectFailure(.metadataUnavailable) { _ = try await source.identityProvider() }
        let status = try await source.refresh()
        #expect(status.state == .current)
        #expect(status.verifiedBy?.der == (try Files.certificate("idp-rsa")).der)
        #expect(status.entityCount == 1)
        #expect(status.lastSuccess == clock.now)
        #expect(status.nextRefresh == clock.now + 3600)
        let idp = try await source.identityProvider()
        #expect(idp.entityID == Self.idpID)
        #expect(idp.signingCertificates.map(\.der) == [try Files.certificate("idp-rsa").der])
    }

    @Test("Expired metadata (validUntil in the past) is refused")
    func expired() async throws {
        let server = try await MetadataServer.start()
        let clock = TestClock()
        try await server.set("/md", body: try MetadataBuilder.signed(MetadataBuilder.entity(Self.idpID, validUntil: clock.now - 1)))
        let source = MetadataSource(url: server.base + "/md", configuration: try Self.configuration(), clock: clock.function)
        await expectFailure(.metadataExpired) { try await source.refresh() }
        #expect(await source.status.state == .empty)
        #expect(await source.status.lastError?.code == .metadataExpired)
    }

    @Test("Unsigned metadata is refused when a trust anchor is set")
    func unsigned() async throws {
        let server = try await MetadataServer.start()
        try await server.set("/md", body: Array(try MetadataBuilder.entity(Self.idpID).utf8))
        let source = MetadataSource(url: server.base + "/md", configuration: try Self.configuration(), clock: TestClock().function)
        await expectFailure(.signatureMissing) { try await source.refresh() }
    }

    @Test("Metadata changed after signing (an attacker's SSO location) is refused")
    func tampered() async throws {
        let server = try await MetadataServer.start()
        var text = String(decoding: try MetadataBuilder.signed(MetadataBuilder.entity(Self.idpID)), as: UTF8.self)
        text = text.replacingOccurrences(of: "https://idp.example.org/sso", with: "https://evil.example.net/sso")
        try await server.set("/md", body: Array(text.utf8))
        let source = MetadataSource(url: server.base + "/md", configuration: try Self.configuration(), clock: TestClock().function)
        await expectFailure(.signatureInvalid) { try await source.refresh() }
    }

    @Test("Metadata signed by another key is refused")
    func otherKey() async throws {
        let server = try await MetadataServer.start()
        try await server.set("/md", body: try MetadataBuilder.signed(MetadataBuilder.entity(Self.idpID, certificates: ["attacker-rsa"]), by: "attacker-rsa"))
        let source = MetadataSource(url: server.base + "/md", configuration: try Self.configuration(), clock: TestClock().function)
        await expectFailure(.untrustedKey) { try await source.refresh() }
        #expect(await source.status.state == .empty)
    }

    @Test("A server that does not answer within the read timeout fails the fetch")
    func slowServer() async throws {
        let server = try await MetadataServer.start()
        try await server.set("/md", body: try MetadataBuilder.signed(MetadataBuilder.entity(Self.idpID)), mode: "slow", delay: 8)
        let source = MetadataSource(url: server.base + "/md", configuration: try Self.configuration { $0.readTimeout = .seconds(1) },
                                    clock: TestClock().function)
        let started = ContinuousClock.now
        await expectFailure(.metadataUnavailable) { try await source.refresh() }
        #expect(ContinuousClock.now - started < .seconds(6))
    }

    @Test("A body that trickles in for longer than the total timeout fails the fetch")
    func trickle() async throws {
        let server = try await MetadataServer.start()
        try await server.set("/md", body: try MetadataBuilder.signed(MetadataBuilder.entity(Self.idpID)), mode: "trickle", delay: 0.2)
        let source = MetadataSource(url: server.base + "/md",
                                    configuration: try Self.configuration { $0.readTimeout = .seconds(5); $0.totalTimeout = .seconds(2) },
                                    clock: TestClock().function)
        let started = ContinuousClock.now
        await expectFailure(.metadataUnavailable) { try await source.refresh() }
        #expect(ContinuousClock.now - started < .seconds(6))
    }

    @Test("An endless body stops at the size limit; an oversized Content-Length is refused up front")
    func oversized() async throws {
        let server = try await MetadataServer.start()
        try await server.set("/endless", mode: "endless")
        let limited = try Self.configuration { $0.maximumBytes = 1 << 20; $0.totalTimeout = .seconds(20) }
        let endless = MetadataSource(url: server.base + "/endless", configuration: limited, clock: TestClock().function)
        await expectFailure(.tooLarge) { try await endless.refresh() }
        try await server.set("/big", body: Array(repeating: UInt8(ascii: " "), count: (1 << 20) + 1))
        let big = MetadataSource(url: server.base + "/big", configuration: limited, clock: TestClock().function)
        await expectFailure(.tooLarge) { try await big.refresh() }
    }

    @Test("Redirects: same scheme followed (bounded), another scheme refused, http: URLs off loopback refused unless allowed")
    func redirects() async throws {
        let server = try await MetadataServer.start()
        let clock = TestClock()
        try await server.set("/md", body: try MetadataBuilder.signed(MetadataBuilder.entity(Self.idpID)))
        try await server.set("/moved", mode: "redirect", location: server.base + "/md")
        let followed = MetadataSource(url: server.base + "/moved", configuration: try Self.configuration(), clock: clock.function)
        try await followed.refresh()
        #expect(try await followed.identityProvider().entityID == Self.idpID)

        for target in ["https://127.0.0.1:\(server.port)/md", "ftp://127.0.0.1/md", "javascript:alert(1)", "file:///etc/passwd"] {
            try await server.set("/elsewhere", mode: "redirect", location: target)
            let source = MetadataSource(url: server.base + "/elsewhere", configuration: try Self.configuration(), clock: clock.function)
            await expectFailure(.metadataUnavailable) { try await source.refresh() }
            #expect(await source.status.lastError?.reason.contains("another scheme") == true, "\(target)")
        }

        try await server.set("/loop", mode: "redirect", location: server.base + "/loop")
        let loop = MetadataSource(url: server.base + "/loop", configuration: try Self.configuration(), clock: clock.function)
        await expectFailure(.metadataUnavailable) { try await loop.refresh() }
        #expect(try await server.count("/loop") == 4)

        // Without allowHTTP: http: on a loopback host is fetched (a secure context), http: elsewhere is refused
        // before any connection.
        let strictConfiguration = try Self.configuration { $0.allowHTTP = false }
        for host in ["192.0.2.1", "127.example.org", "localhost.example.org"] {
            let strict = MetadataSource(url: "http://\(host):\(server.port)/md", configuration: strictConfiguration, clock: clock.function)
            await expectFailure(.invalidConfiguration) { try await strict.refresh() }
        }
        #expect(try await server.count("/md") == 1)
        for base in [server.base, "http://localhost:\(server.port)"] {
            let loopback = MetadataSource(url: base + "/md", configuration: strictConfiguration, clock: clock.function)
            try await loopback.refresh()
            #expect(try await loopback.identityProvider().entityID == Self.idpID)
        }
    }

    @Test("Refresh revalidates with ETag and If-Modified-Since; a 304 keeps the copy")
    func notModified() async throws {
        let server = try await MetadataServer.start()
        let clock = TestClock()
        let body = try MetadataBuilder.signed(MetadataBuilder.entity(Self.idpID, validUntil: clock.now + 86_400))
        try await server.set("/md", body: body, etag: "\"v1\"")
        try await server.set("/lm", body: body, lastModified: "Wed, 14 Jan 2026 10:00:00 GMT")
        for (path, header, value) in [("/md", "if-none-match", "\"v1\""), ("/lm", "if-modified-since", "Wed, 14 Jan 2026 10:00:00 GMT")] {
            let source = MetadataSource(url: server.base + path, configuration: try Self.configuration(), clock: clock.function)
            try await source.refresh()
            #expect(try await server.lastHeaders(path)[header] == nil)
            clock.advance(3600)
            let status = try await source.refresh()
            #expect(try await server.lastHeaders(path)[header] == value)
            #expect(try await server.count(path) == 2)
            #expect(status.state == .current)
            #expect(status.lastSuccess == clock.now)
            #expect(try await source.identityProvider().entityID == Self.idpID)
        }
    }

    @Test("Key rollover: after the refresh that brings the new key, a response signed with it verifies")
    func rollover() async throws {
        let server = try await MetadataServer.start()
        let clock = TestClock()
        let metadataSigner = try Files.certificate("sp-rsa")  // the federation's key, not the IdP's
        try await server.set("/md", body: try MetadataBuilder.signed(
            MetadataBuilder.entity(Self.idpID, certificates: ["idp-rsa"], validUntil: clock.now + 86_400), by: "sp-rsa"), etag: "\"1\"")
        let source = MetadataSource(url: server.base + "/md", configuration: try Self.configuration(anchors: ["sp-rsa"]), clock: clock.function)
        try await source.refresh()
        #expect(await source.status.verifiedBy?.der == metadataSigner.der)

        let sp = ServiceProvider(entityID: "https://sp.example.com/saml/acs", acsURL: "https://sp.example.com/saml/acs")
        let newResponse = try MetadataBuilder.response(signedBy: "idp-rsa-next")
        func verify() async throws {
            let verifier = ResponseVerifier(serviceProvider: sp, identityProvider: try await source.identityProvider())
            _ = try verifier.verifyWithoutReplayCheck(responseXML: newResponse, inResponseTo: "_req-7c1f2c5e9b0a4d6e8f10", now: Files.now)
        }
        await expectFailure(.untrustedKey) { try await verify() }
        try await source.refresh()  // 304: nothing changed yet
        await expectFailure(.untrustedKey) { try await verify() }

        try await server.set("/md", body: try MetadataBuilder.signed(
            MetadataBuilder.entity(Self.idpID, certificates: ["idp-rsa", "idp-rsa-next"], validUntil: clock.now + 86_400), by: "sp-rsa"), etag: "\"2\"")
        try await source.refresh()
        try await verify()
        let old = ResponseVerifier(serviceProvider: sp, identityProvider: try await source.identityProvider())
        _ = try old.verifyWithoutReplayCheck(responseXML: try MetadataBuilder.response(signedBy: "idp-rsa"),
                                             inResponseTo: "_req-7c1f2c5e9b0a4d6e8f10", now: Files.now)
    }

    @Test("run() refreshes in the background at the cacheDuration interval and picks up a rolled key")
    func backgroundRefresh() async throws {
        let server = try await MetadataServer.start()
        try await server.set("/md", body: try MetadataBuilder.signed(
            MetadataBuilder.entity(Self.idpID, certificates: ["idp-rsa"], cacheDuration: "PT0.2S"), by: "sp-rsa"))
        let source = MetadataSource(url: server.base + "/md", configuration: try Self.configuration(anchors: ["sp-rsa"]) {
            $0.minimumRefreshInterval = .milliseconds(100)
            $0.maximumRefreshInterval = .seconds(1)
        })
        let refresher = Task { await source.run() }
        defer { refresher.cancel() }
        func waitFor(_ condition: () async throws -> Bool) async throws -> Bool {
            for _ in 0..<100 {
                if try await condition() { return true }
                try await Task.sleep(for: .milliseconds(100))
            }
            return false
        }
        #expect(try await waitFor { (try? await source.identityProvider()) != nil })
        try await server.set("/md", body: try MetadataBuilder.signed(
            MetadataBuilder.entity(Self.idpID, certificates: ["idp-rsa", "idp-rsa-next"], cacheDuration: "PT0.2S"), by: "sp-rsa"))
        #expect(try await waitFor { (try? await source.identityProvider())?.signingCertificates.count == 2 })
        #expect(try await server.count("/md") >= 2)
        refresher.cancel()
        await refresher.value
    }

    @Test("Server gone: the last good copy is kept until its validUntil, then lookups fail closed")
    func serverGone() async throws {
        let server = try await MetadataServer.start()
        let clock = TestClock()
        try await server.set("/md", body: try MetadataBuilder.signed(MetadataBuilder.entity(Self.idpID, validUntil: clock.now + 7200)))
        let messages = LogCollector()
        let source = MetadataSource(url: server.base + "/md", configuration: try Self.configuration(),
                                    logger: Logger(label: "test") { _ in messages }, clock: clock.function)
        try await source.refresh()
        await server.stop()
        clock.advance(3600)
        await expectFailure(.metadataUnavailable) { try await source.refresh() }
        var status = await source.status
        #expect(status.state == .stale)
        #expect(status.lastAttempt == clock.now)
        #expect(status.lastError?.code == .metadataUnavailable)
        #expect(try await source.identityProvider().entityID == Self.idpID)
        clock.advance(3601)
        await expectFailure(.metadataExpired) { _ = try await source.identityProvider() }
        status = await source.status
        #expect(status.state == .expired)
        let lines = messages.lines
        #expect(lines.contains { $0.hasPrefix("info metadata loaded") })
        #expect(lines.contains { $0.hasPrefix("warning metadata refresh failed; keeping the last good copy") })
        #expect(lines.contains { $0.hasPrefix("error metadata expired; failing closed") })
    }

    @Test("Aggregate: one signature, entities indexed; duplicate entityIDs refuse the document")
    func aggregates() async throws {
        let server = try await MetadataServer.start()
        let clock = TestClock()
        let entities = try (1...50).map { try MetadataBuilder.entity("https://idp\($0).example.org", root: false) }
        try await server.set("/agg", body: try MetadataBuilder.signed(MetadataBuilder.aggregate(entities, validUntil: clock.now + 86_400)))
        let source = MetadataSource(url: server.base + "/agg", configuration: try Self.configuration(), clock: clock.function)
        try await source.refresh()
        #expect(await source.status.entityCount == 50)
        #expect(try await source.identityProvider(entityID: "https://idp42.example.org").entityID == "https://idp42.example.org")
        await expectFailure(.entityNotFound) { _ = try await source.identityProvider() }

        let attacker = try MetadataBuilder.entity("https://idp7.example.org", certificates: ["attacker-rsa"], root: false)
        try await server.set("/dup", body: try MetadataBuilder.signed(MetadataBuilder.aggregate([attacker] + entities, validUntil: clock.now + 86_400)))
        let duplicated = MetadataSource(url: server.base + "/dup", configuration: try Self.configuration(), clock: clock.function)
        await expectFailure(.duplicateEntityID) { try await duplicated.refresh() }
        #expect(await duplicated.status.lastError?.reason.contains("https://idp7.example.org") == true)
    }

    @Test("A javascript: SSO location never reaches the application")
    func javascriptLocation() async throws {
        let server = try await MetadataServer.start()
        try await server.set("/md", body: try MetadataBuilder.signed(MetadataBuilder.entity(Self.idpID, sso: "javascript:alert(document.cookie)")))
        let source = MetadataSource(url: server.base + "/md", configuration: try Self.configuration(), clock: TestClock().function)
        await expectFailure(.unsafeEndpoint) { try await source.refresh() }
        let aggregate = MetadataSource(url: server.base + "/md", entityID: nil, configuration: try Self.configuration(), clock: TestClock().function)
        try await server.set("/md", body: try MetadataBuilder.signed(MetadataBuilder.aggregate(
            [try MetadataBuilder.entity(Self.idpID, sso: "data:text/html,%3Cscript%3Ealert(1)%3C/script%3E", root: false),
             try MetadataBuilder.entity("https://good.example.org", root: false)], validUntil: nil)))
        try await aggregate.refresh()
        await expectFailure(.unsafeEndpoint) { _ = try await aggregate.identityProvider(entityID: Self.idpID) }
        #expect(try await aggregate.identityProvider(entityID: "https://good.example.org").singleSignOnServices.count == 1)

        // a refresh that brings a javascript: location does not replace the good copy
        try await server.set("/md", body: try MetadataBuilder.signed(MetadataBuilder.entity(Self.idpID)))
        let kept = MetadataSource(url: server.base + "/md", configuration: try Self.configuration(), clock: TestClock().function)
        try await kept.refresh()
        try await server.set("/md", body: try MetadataBuilder.signed(MetadataBuilder.entity(Self.idpID, sso: "javascript:alert(1)")))
        await expectFailure(.unsafeEndpoint) { try await kept.refresh() }
        #expect(await kept.status.state == .stale)
        #expect(try await kept.identityProvider().singleSignOnServices.map(\.location) == ["https://idp.example.org/sso"])
    }
}

/// Collects log lines as "level message".
final class LogCollector: LogHandler, @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace
    var lines: [String] { lock.withLock { stored } }
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(event: LogEvent) {
        lock.withLock { stored.append("\(event.level) \(event.message)") }
    }
}
#endif
