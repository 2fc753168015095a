import Foundation
import MetricsTestKit
import SAML
import SAMLTesting
import Testing
import SAMLTestSupport

/// The façade on an identity-provider directory changed while it runs: IdPs added from metadata or
/// the dashboard JSON, disabled and removed, each with its own SP keys and SP metadata.
@Suite("Identity-provider directory")
struct IdentityProviderDirectoryTests {
    typealias W = TestIdPWorld
    static let regionalACS = "https://eu.sp.example.com/saml/acs"

    static func facade(_ directory: any IdentityProviderDirectory, metrics: TestMetrics? = nil) throws -> SAMLServiceProvider {
        let spKey = try DemoOnlyCredentials.serviceProvider()
        var configuration = SAMLServiceProvider.Configuration(
            acsURL: W.acsURL, additionalACSURLs: [regionalACS], entityID: W.spEntityID, identityProviders: [],
            signingKey: spKey, decryptionKeys: [spKey], unsafeAllowsPublishedDemoKeys: true)
        configuration.metricsFactory = metrics
        return try SAMLServiceProvider(configuration: configuration, requestTracker: InMemoryRequestTracker(),
                                       replayStore: InMemoryReplayStore(), directory: directory)
    }

    /// A test IdP at its own base URL that trusts the demo SP key and `extra` signing certificates.
    static func idp(_ base: String, trusting extra: [SAMLCertificate] = []) throws -> TestIdentityProvider {
        let spKey = try DemoOnlyCredentials.serviceProvider()
        let registration = TestIdentityProvider.ServiceProviderRegistration(
            entityID: W.spEntityID, acsURLs: [W.acsURL, regionalACS], signingCertificates: extra.isEmpty ? [spKey.certificate] : extra)
        return try TestIdentityProvider.demo(baseURL: base, wantAuthnRequestsSigned: true, serviceProviders: [registration])
    }

    /// One login through `idp` started by directory ID; returns the browser state and the response.
    static func respond(_ saml: SAMLServiceProvider, id: String, idp: TestIdentityProvider,
                        options: ResponseOptions = ResponseOptions()) async throws -> (LoginStart, IssuedResponse) {
        let start = try await saml.login(idp: id, returnTo: "/home")
        let issued = try TestIdPWorld.answer(start, idp: idp, options: options)
        return (start, issued)
    }

    @Test("an IdP added from its metadata at run time signs users in; disabled, then removed, its responses and sessions are refused")
    func lifecycle() async throws {
        let directory = try InMemoryIdentityProviderDirectory()
        let saml = try Self.facade(directory)
        let idp = try Self.idp("https://acme.example.test/idp")
        await expectRejection(.entityNotFound) { _ = try await saml.login(idp: "acme") }

        var record = IdentityProviderRecord(id: "acme", name: "Acme", metadataXML: idp.metadata())
        let entry = try await directory.add(record)
        #expect(entry.entityID == idp.entityID)
        let (start, issued) = try await Self.respond(saml, id: "acme", idp: idp)
        let login = try await saml.finishLogin(samlResponse: issued.base64, relayState: issued.relayState, browserState: start.browserState)
        #expect(login.nameID.value == "alice@example.com")
        try await saml.checkSession(login)

        // a login in flight when the IdP is disabled: its response is refused, and so is the session
        let (pending, answer) = try await Self.respond(saml, id: "acme", idp: idp)
        record = try #require(try await directory.snapshot().entry(id: "acme")).record
        record.enabled = false
        _ = try await directory.update(record)
        await expectRejection(.identityProviderDisabled) {
            _ = try await saml.finishLogin(samlResponse: answer.base64, relayState: answer.relayState, browserState: pending.browserState)
        }
        await expectRejection(.identityProviderDisabled) { try await saml.checkSession(login) }
        await expectRejection(.identityProviderDisabled) { _ = try await saml.login(idp: "acme") }

        // enabled again, then removed while a login is in flight
        record.enabled = true
        _ = try await directory.update(record)
        try await saml.checkSession(login)
        let (inFlight, late) = try await Self.respond(saml, id: "acme", idp: idp)
        #expect(try await directory.remove(id: "acme"))
        #expect(try await !directory.remove(id: "acme"))
        await expectRejection(.identityProviderRemoved) {
            _ = try await saml.finishLogin(samlResponse: late.base64, relayState: late.relayState, browserState: inFlight.browserState)
        }
        await expectRejection(.identityProviderRemoved) { try await saml.checkSession(login) }
        await expectRejection(.entityNotFound) { _ = try await saml.login(idp: "acme") }
    }

    @Test("the dashboard JSON, exactly in its shape, configures an IdP; its attributes list reaches the login")
    func seedJSON() async throws {
        let idp = try Self.idp("https://json.example.test/idp")
        let pem = idp.signingKey.certificate.pem
        let json = """
            {"name": "JSON IdP", "type": "saml", "config": {"issuer_url": "\(idp.entityID)",
             "sso_target_url": "\(idp.redirectURL)", "idp_public_certs": [\(String(data: try JSONEncoder().encode(pem), encoding: .utf8)!)],
             "sign_request": true, "email_attribute_name": "email", "attributes": ["name"]}}
            """
        let configuration = try IdentityProviderConfiguration(json: Array(json.utf8))
        let directory = try InMemoryIdentityProviderDirectory()
        let saml = try Self.facade(directory)
        let entry = try await directory.add(IdentityProviderRecord(id: "json-idp", name: configuration.name ?? "", configuration: configuration))
        #expect(entry.trusted.identityProvider.wantsAuthnRequestsSigned)
        let (start, issued) = try await Self.respond(saml, id: "json-idp", idp: idp)
        let login = try await saml.finishLogin(samlResponse: issued.base64, relayState: issued.relayState, browserState: start.browserState)
        #expect(login.issuer == idp.entityID)
        #expect(login.applicationAttributes["name"] == ["Alice Example"])
    }

    @Test("bad input is refused naming the field: certificate, endpoint, expired metadata, duplicate ID and entity ID, bad ID")
    func refusals() async throws {
        let directory = try InMemoryIdentityProviderDirectory()
        let idp = try Self.idp("https://one.example.test/idp")
        func settings(certificate: String, sso: String) -> IdentityProviderConfiguration {
            IdentityProviderConfiguration(name: "x", config: .init(issuerURL: "https://other.example.test/idp", ssoTargetURL: sso,
                                                                   idpPublicCerts: [certificate]))
        }
        func refused(_ record: IdentityProviderRecord, field: String, code: SAMLError.Code) async {
            do {
                _ = try await directory.add(record)
                Issue.record("accepted, expected \(field) \(code)")
            } catch let error as IdentityProviderInputError {
                #expect(error.field == field, "\(error)")
                #expect(error.error.code == code, "\(error)")
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
        let pem = idp.signingKey.certificate.pem
        let garbled = pem.replacingOnce("MII", with: "MIX")
        await refused(.init(id: "c", name: "c", configuration: settings(certificate: garbled, sso: "https://x.example/sso")),
                      field: "config.idp_public_certs[0]", code: .invalidCertificate)
        await refused(.init(id: "c", name: "c", configuration: settings(certificate: pem, sso: "http://idp.example.com/sso")),
                      field: "config.sso_target_url", code: .unsafeEndpoint)
        await refused(.init(id: "c", name: "c", configuration: settings(certificate: pem, sso: "javascript:alert(1)")),
                      field: "config.sso_target_url", code: .unsafeEndpoint)
        // http on loopback is a developer's IdP on this machine: accepted
        _ = try await directory.add(.init(id: "local", name: "Local", configuration: settings(certificate: pem, sso: "http://127.0.0.1:9000/sso")))

        let expired = idp.metadata().replacingOnce(#"entityID=""#, with: #"validUntil="2020-01-01T00:00:00Z" entityID=""#)
        await refused(.init(id: "old", name: "Old", metadataXML: expired), field: "metadata_xml", code: .metadataExpired)
        await refused(.init(id: "bad id", name: "x", metadataXML: idp.metadata()), field: "id", code: .invalidConfiguration)
        await refused(.init(id: "noname", name: " ", metadataXML: idp.metadata()), field: "name", code: .invalidConfiguration)
        await refused(.init(id: "both", name: "x", configuration: settings(certificate: pem, sso: "https://x.example/sso"),
                            metadataXML: idp.metadata()), field: "config", code: .invalidConfiguration)

        _ = try await directory.add(.init(id: "one", name: "One", metadataXML: idp.metadata()))
        await refused(.init(id: "one", name: "Again", metadataXML: try Self.idp("https://two.example.test/idp").metadata()),
                      field: "id", code: .invalidConfiguration)
        await refused(.init(id: "copy", name: "Copy", metadataXML: idp.metadata()), field: "metadata_xml", code: .duplicateEntityID)
        await refused(.init(id: "copy", name: "Copy", configuration: settings(certificate: pem, sso: "https://x.example/sso")),
                      field: "config.issuer_url", code: .duplicateEntityID)  // "other" is taken by "local"
        #expect(try await directory.snapshot().entries.map(\.id) == ["local", "one"])
    }

    @Test("per-IdP SP keys: requests signed and assertions decrypted with the IdP's own keys; the next key is published before it signs")
    func keysAndRollover() async throws {
        let directory = try InMemoryIdentityProviderDirectory()
        let saml = try Self.facade(directory)
        var record = IdentityProviderRecord(id: "keyed", name: "Keyed", metadataXML: try Self.idp("https://keyed.example.test/idp").metadata())
        try record.generateKeys(commonName: "sp.example.com")
        var entry = try await directory.add(record)
        let firstSigning = try #require(entry.signingKey).certificate
        let encryption = try #require(entry.publishedEncryptionCertificates.first)
        #expect(firstSigning != (try DemoOnlyCredentials.serviceProvider().certificate))

        // the IdP knows only this IdP's own SP signing certificate: requests must be signed with it
        var idp = try Self.idp("https://keyed.example.test/idp", trusting: [firstSigning])
        var (start, issued) = try await Self.respond(saml, id: "keyed", idp: idp, options: ResponseOptions(encryptionCertificate: encryption))
        var login = try await saml.finishLogin(samlResponse: issued.base64, relayState: issued.relayState, browserState: start.browserState)
        #expect(login.nameID.value == "alice@example.com")

        // its SP metadata: this IdP's certificates (not the façade's) and every ACS URL
        var metadata = try await saml.metadata(forIdentityProvider: "keyed")
        #expect(metadata.contains(firstSigning.base64) && metadata.contains(encryption.base64))
        #expect(!metadata.contains(try DemoOnlyCredentials.serviceProvider().certificate.base64))
        #expect(metadata.contains(W.acsURL) && metadata.contains(Self.regionalACS))

        // rollover, step 1: a next key is published, requests are still signed with the active one
        record = entry.record
        try record.generateKeys(commonName: "sp.example.com")
        entry = try await directory.update(record)
        let nextSigning = try #require(entry.record.serviceProviderKeys.first { $0.use == .signing && $0.state == .next })
        let nextCertificate = try SAMLCertificate(pem: nextSigning.certificatePEM)
        metadata = try await saml.metadata(forIdentityProvider: "keyed")
        #expect(metadata.contains(nextCertificate.base64) && metadata.contains(firstSigning.base64))
        #expect(entry.signingKey?.certificate == firstSigning)
        (start, issued) = try await Self.respond(saml, id: "keyed", idp: idp)
        _ = try await saml.finishLogin(samlResponse: issued.base64, relayState: issued.relayState, browserState: start.browserState)

        // a roll-over before the minimum publication time is refused
        record = entry.record
        #expect(throws: SAMLError.self) { try record.rollOverKeys(minimumPublication: .seconds(3600)) }
        // step 2: the next key becomes active; an IdP that learnt only the old key refuses the request
        try record.rollOverKeys()
        entry = try await directory.update(record)
        #expect(entry.signingKey?.certificate == nextCertificate)
        let start2 = try await saml.login(idp: "keyed")
        #expect(throws: SAMLError.self) { _ = try TestIdPWorld.answer(start2, idp: idp, options: ResponseOptions()) }
        idp = try Self.idp("https://keyed.example.test/idp", trusting: [nextCertificate])
        (start, issued) = try await Self.respond(saml, id: "keyed", idp: idp)
        login = try await saml.finishLogin(samlResponse: issued.base64, relayState: issued.relayState, browserState: start.browserState)
        #expect(login.wasRequested)
        metadata = try await saml.metadata(forIdentityProvider: "keyed")
        #expect(!metadata.contains(firstSigning.base64))
    }

    @Test("the fixed list of the configuration is a directory too: its entries are found by entity ID")
    func fixedList() async throws {
        let idp = try Self.idp("https://fixed.example.test/idp")
        let spKey = try DemoOnlyCredentials.serviceProvider()
        let saml = try SAMLServiceProvider(configuration: .init(
            acsURL: W.acsURL, entityID: W.spEntityID, identityProviders: [TrustedIdentityProvider(idp.identityProvider)], signingKey: spKey,
            unsafeAllowsPublishedDemoKeys: true),
            requestTracker: InMemoryRequestTracker(), replayStore: InMemoryReplayStore())
        #expect(try await saml.directory.snapshot().entries.map(\.id) == [idp.entityID])
        let start = try await saml.login()
        let issued = try TestIdPWorld.answer(start, idp: idp, options: ResponseOptions())
        let login = try await saml.finishLogin(samlResponse: issued.base64, relayState: issued.relayState, browserState: start.browserState)
        try await saml.checkSession(login)
        #expect(try await saml.metadata(forIdentityProvider: idp.entityID).contains(spKey.certificate.base64))
    }

    @Test("a connection test runs a real round trip with a trace, and its state never finishes as a login (nor a login's as a test)")
    func connectionTest() async throws {
        let directory = try InMemoryIdentityProviderDirectory()
        let saml = try Self.facade(directory)
        let idp = try Self.idp("https://tested.example.test/idp")
        _ = try await directory.add(IdentityProviderRecord(id: "tested", name: "Tested", metadataXML: idp.metadata()))
        let ticket = try saml.connectionTestTicket(identityProvider: "tested")
        await expectRejection(.invalidRequest) { _ = try await saml.startConnectionTest(ticket: ticket + "x") }
        await expectRejection(.expired) {
            _ = try await saml.startConnectionTest(ticket: try saml.connectionTestTicket(identityProvider: "tested", now: Date().addingTimeInterval(-3600)))
        }

        let start = try await saml.startConnectionTest(ticket: ticket)
        let issued = try TestIdPWorld.answer(start, idp: idp, options: ResponseOptions())
        #expect(saml.isConnectionTest(relayState: issued.relayState))
        // the test's state is not a login's
        await expectRejection(.invalidRequest) {
            _ = try await saml.finishLogin(samlResponse: issued.base64, relayState: issued.relayState, browserState: start.browserState)
        }
        var checks: [String] = []
        let login = try await saml.finishConnectionTest(samlResponse: issued.base64, relayState: issued.relayState,
                                                        browserState: start.browserState) { checks.append("\($0)") }
        #expect(login.nameID.value == "alice@example.com")
        #expect(checks.count >= 5, "\(checks)")

        // a login's state is not a test's
        let (loginStart, answer) = try await Self.respond(saml, id: "tested", idp: idp)
        #expect(!saml.isConnectionTest(relayState: answer.relayState))
        await expectRejection(.invalidRequest) {
            _ = try await saml.finishConnectionTest(samlResponse: answer.base64, relayState: answer.relayState, browserState: loginStart.browserState)
        }
    }

    @Test("metrics count logins by directory ID and outcome code, never identity values")
    func metrics() async throws {
        let metrics = TestMetrics()
        let directory = try InMemoryIdentityProviderDirectory()
        let saml = try Self.facade(directory, metrics: metrics)
        let idp = try Self.idp("https://counted.example.test/idp")
        _ = try await directory.add(IdentityProviderRecord(id: "counted", name: "Counted", metadataXML: idp.metadata()))
        let (start, issued) = try await Self.respond(saml, id: "counted", idp: idp)
        _ = try await saml.finishLogin(samlResponse: issued.base64, relayState: issued.relayState, browserState: start.browserState)
        await expectRejection(.inResponseToMismatch) {
            _ = try await saml.finishLogin(samlResponse: issued.base64, relayState: issued.relayState, browserState: start.browserState)
        }
        let (pending, late) = try await Self.respond(saml, id: "counted", idp: idp)
        _ = try await directory.remove(id: "counted")
        await expectRejection(.identityProviderRemoved) {
            _ = try await saml.finishLogin(samlResponse: late.base64, relayState: late.relayState, browserState: pending.browserState)
        }
        #expect(try metrics.expectCounter("saml_logins_total", [("idp", "counted"), ("outcome", "success"), ("kind", "login")]).totalValue == 1)
        #expect(try metrics.expectCounter("saml_logins_total", [("idp", "unknown"), ("outcome", "identityProviderRemoved"), ("kind", "login")]).totalValue == 1)
        #expect(try metrics.expectCounter("saml_logins_total", [("idp", "counted"), ("outcome", "inResponseToMismatch"), ("kind", "login")]).totalValue == 1)
        #expect(try metrics.expectTimer("saml_login_duration_seconds", [("idp", "counted"), ("kind", "login")]).values.count == 2)
        let labels = metrics.counters.flatMap { $0.dimensions.map(\.1) }
        #expect(!labels.contains { $0.contains("alice") || $0.contains("example.test") }, "\(labels)")
    }

    @Test("metadata URLs are refreshed: a failure keeps the last good copy and records why; a new document replaces it")
    func refresh() async throws {
        final class Source: @unchecked Sendable {
            let lock = NSLock()
            var answer: Result<String, SAMLError>
            init(_ answer: Result<String, SAMLError>) { self.answer = answer }
            func get() throws -> [UInt8] { Array(try lock.withLock { answer }.get().utf8) }
            func set(_ value: Result<String, SAMLError>) { lock.withLock { answer = value } }
        }
        let url = "https://refreshed.example.test/idp/metadata"
        let idp = try Self.idp("https://refreshed.example.test/idp")
        let source = Source(.success(idp.metadata()))
        let metrics = TestMetrics()
        let directory = try InMemoryIdentityProviderDirectory()
        let saml = try Self.facade(directory)
        let refresher = IdentityProviderMetadataRefresher(directory: directory, metricsFactory: metrics) { _ in try source.get() }
        var record = IdentityProviderRecord(id: "refreshed", name: "Refreshed", metadataURL: url)
        record.metadataXML = idp.metadata()
        _ = try await directory.add(record)

        #expect(await refresher.refreshAll()["refreshed"]?.state == "fresh")
        source.set(.failure(SAMLError(.metadataUnavailable, "connection refused")))
        let stale = try #require(await refresher.refreshAll()["refreshed"])
        #expect(stale.state == "stale" && stale.lastErrorCode == "metadataUnavailable", "\(stale)")
        #expect(try await directory.snapshot().entry(id: "refreshed")?.record.metadataStatus?.lastError == "connection refused")
        // the last good copy still signs users in
        let (start, issued) = try await Self.respond(saml, id: "refreshed", idp: idp)
        _ = try await saml.finishLogin(samlResponse: issued.base64, relayState: issued.relayState, browserState: start.browserState)
        // an expired document never replaces the good one
        source.set(.success(idp.metadata().replacingOnce(#"entityID=""#, with: #"validUntil="2020-01-01T00:00:00Z" entityID=""#)))
        #expect(await refresher.refreshAll()["refreshed"]?.lastErrorCode == "metadataExpired")
        #expect(try await directory.snapshot().entry(id: "refreshed")?.metadataExpired(at: Date()) == false)
        #expect(try metrics.expectCounter("saml_metadata_refreshes_total", [("idp", "refreshed"), ("outcome", "success")]).totalValue == 1)
        #expect(try metrics.expectCounter("saml_metadata_refreshes_total", [("idp", "refreshed"), ("outcome", "metadataUnavailable")]).totalValue == 1)
    }

    @Test("a directory export leaves private keys out, reads back, and its diagnosis names expiring, failing and duplicated entries")
    func exportAndDiagnose() async throws {
        let directory = try InMemoryIdentityProviderDirectory()
        let idp = try Self.idp("https://exported.example.test/idp")
        var record = IdentityProviderRecord(id: "exported", name: "Exported", metadataURL: "https://exported.example.test/idp/metadata")
        record.metadataXML = idp.metadata()
        record.metadataStatus = MetadataRefreshStatus(state: "stale", lastErrorCode: "metadataUnavailable", lastError: "connection refused")
        try record.generateKeys(commonName: "sp.example.com")
        _ = try await directory.add(record)
        let export = try IdentityProviderDirectoryExport.json(try await directory.snapshot())
        #expect(!String(decoding: export, as: UTF8.self).contains("PRIVATE KEY"))
        var records = try IdentityProviderDirectoryExport.records(fromJSON: export)
        #expect(records.map(\.id) == ["exported"])
        var copy = records[0]
        copy.id = "copy"
        records.append(copy)
        let findings = IdentityProviderDirectoryExport.diagnose(records)
        #expect(findings.contains { $0.subject == "exported" && $0.check == "idp.metadata.refresh" && $0.severity == .warning })
        #expect(findings.contains { $0.subject == "copy" && $0.check == "idp.entity_id" && $0.severity == .error })
        // a year on, the SP certificates (10 years) are fine and the demo IdP's is judged against its own expiry
        let later = IdentityProviderDirectoryExport.diagnose(records, now: Date().addingTimeInterval(3650 * 86400))
        #expect(later.contains { $0.check == "sp.keys" && $0.severity == .error })
    }

    @Test("a stored record reads back as it was written")
    func storedJSON() throws {
        var record = IdentityProviderRecord(id: "r", name: "R", metadataURL: "https://idp.example.com/metadata",
                                            allowedReturnToOrigins: ["https://app.example.com"])
        record.metadataStatus = MetadataRefreshStatus(state: "fresh", lastAttempt: Date(timeIntervalSince1970: 1_700_000_000))
        record.revision = 4
        let back = try IdentityProviderRecord(storedJSON: record.storedJSON())
        #expect(back == record)
    }
}
