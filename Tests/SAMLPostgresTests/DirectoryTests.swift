#if PostgreSQL
import Foundation
import PostgresNIO
import SAML
import SAMLPostgres
import SAMLTesting
import Testing

/// The identity-provider directory on PostgreSQL: two instances (two clients, as two processes
/// would have) see each other's changes within the poll interval, and reads fail closed.
@Suite struct PostgresDirectoryTests {
    static let acs = "https://app.example.com/saml/acs"

    static func instance(_ client: PostgresClient, _ configuration: PostgresStoreConfiguration) throws
        -> (SAMLServiceProvider, PostgresIdentityProviderDirectory) {
        let directory = try PostgresIdentityProviderDirectory(client: client, configuration: configuration)
        let secret = try StateSecret("the state secret every instance of this app shares")
        let saml = try SAMLServiceProvider(
            configuration: .init(acsURL: acs, identityProviders: [], stateSecrets: [secret]),
            requestTracker: PostgresRequestTracker(client: client, configuration: configuration),
            replayStore: PostgresReplayStore(client: client, configuration: configuration), directory: directory)
        return (saml, directory)
    }

    static func idp() throws -> TestIdentityProvider {
        try TestIdentityProvider.demo(baseURL: "https://tenant.example.test/idp",
                                      serviceProviders: [.init(entityID: acs, acsURLs: [acs])])
    }

    /// Polls `condition` every 50 ms for up to 5 s; returns how long it took to hold.
    static func within5s(_ condition: () async throws -> Bool) async throws -> Duration {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < .seconds(5) {
            if try await condition() { return ContinuousClock.now - start }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw SimpleFailure("the change was not seen within 5 seconds")
    }

    static func login(_ saml: SAMLServiceProvider, idp: TestIdentityProvider) async throws -> Login {
        let start = try await saml.login(idp: "tenant")
        guard case .redirect(let url) = start.action else { throw SimpleFailure("expected a redirect") }
        let received = try idp.receiveRedirect(url: url)
        let issued = try idp.issueResponse(for: try #require(idp.user(nameID: "alice@example.com")), answering: received)
        return try await saml.finishLogin(samlResponse: issued.base64, relayState: issued.relayState, browserState: start.browserState)
    }

    @Test func anIdPAddedOnOneInstanceSignsInOnTheOtherAndItsRemovalIsSeenWithin5Seconds() async throws {
        let configuration = PostgresStoreConfiguration(tablePrefix: TestDatabase.uniquePrefix("dir"))
        let idp = try Self.idp()
        try await TestDatabase.withClient { clientA in
            try await TestDatabase.withClient { clientB in
                try await PostgresStateSchema.migrate(client: clientA, configuration: configuration)
                let (a, directoryA) = try Self.instance(clientA, configuration)
                let (b, directoryB) = try Self.instance(clientB, configuration)
                #expect(try await directoryB.snapshot().entries.isEmpty)

                // added through A (with its own SP keys), used through B
                var record = IdentityProviderRecord(id: "tenant", name: "Tenant", metadataXML: idp.metadata())
                try record.generateKeys(commonName: "app.example.com")
                _ = try await directoryA.add(record)
                let seen = try await Self.within5s { try await directoryB.snapshot().entry(id: "tenant") != nil }
                print("directory: an addition through A was seen by B after \(seen)")
                let login = try await Self.login(b, idp: idp)
                #expect(login.issuer == idp.entityID)
                let metadataA = try await a.metadata(forIdentityProvider: "tenant")
                let metadataB = try await b.metadata(forIdentityProvider: "tenant")
                #expect(metadataA.contains(try SAMLCertificate(pem: record.serviceProviderKeys[0].certificatePEM).base64))
                #expect(metadataB.contains(try SAMLCertificate(pem: record.serviceProviderKeys[0].certificatePEM).base64))

                // duplicates are refused by the database-wide check, naming the field
                do {
                    _ = try await directoryB.add(IdentityProviderRecord(id: "copy", name: "Copy", metadataXML: idp.metadata()))
                    Issue.record("a second entry with the same entity ID was accepted")
                } catch let error as IdentityProviderInputError {
                    #expect(error.field == "metadata_xml" && error.error.code == .duplicateEntityID, "\(error)")
                }
                do {
                    _ = try await directoryB.add(IdentityProviderRecord(id: "tenant", name: "Again", metadataXML: idp.metadata()))
                    Issue.record("a second entry with the same ID was accepted")
                } catch let error as IdentityProviderInputError {
                    #expect(error.field == "id", "\(error)")
                }

                // disabled through B: A refuses the session and new logins within 5 s
                var stored = try #require(try await directoryB.snapshot().entry(id: "tenant")).record
                stored.enabled = false
                let updated = try await directoryB.update(stored)
                #expect(updated.record.revision == 2)
                let disabled = try await Self.within5s {
                    do { try await a.checkSession(login); return false } catch let error as SAMLError {
                        return error.code == .identityProviderDisabled
                    }
                }
                print("directory: disabling through B was seen by A after \(disabled)")

                // removed through A: B refuses its sessions within 5 s, and its login
                stored.enabled = true
                _ = try await directoryA.update(stored)
                _ = try await Self.within5s { (try? await b.checkSession(login)) != nil }
                #expect(try await directoryA.remove(id: "tenant"))
                let removed = try await Self.within5s {
                    do { try await b.checkSession(login); return false } catch let error as SAMLError {
                        return error.code == .identityProviderRemoved
                    }
                }
                print("directory: a removal through A was seen by B after \(removed)")
                do {
                    _ = try await b.login(idp: "tenant")
                    Issue.record("a login through a removed IdP started")
                } catch let error as SAMLError {
                    #expect(error.code == .entityNotFound)
                }
            }
        }
    }

    @Test func readsFailClosedWhenTheDatabaseIsGone() async throws {
        let configuration = PostgresStoreConfiguration(tablePrefix: TestDatabase.uniquePrefix("dirdown"), queryTimeout: .milliseconds(800))
        try await TestDatabase.withClient { client in
            try await PostgresStateSchema.migrate(client: client, configuration: configuration)
            let directory = try PostgresIdentityProviderDirectory(client: client, configuration: configuration, pollInterval: .zero)
            _ = try await directory.add(IdentityProviderRecord(id: "tenant", name: "Tenant", metadataXML: try Self.idp().metadata()))
            #expect(try await directory.snapshot().entries.count == 1)
            // the tables vanish (as when the database is replaced): the read refuses, it does not serve its copy
            try await client.query("DROP TABLE \(unescaped: configuration.directoryVersionTable)").drain()
            do {
                let snapshot = try await directory.snapshot()
                Issue.record("read \(snapshot.entries.count) entries from a directory that is gone")
            } catch let error as SAMLError {
                #expect(error.code == .directoryUnavailable, "\(error)")
            }
        }
    }
}

extension PostgresRowSequence {
    func drain() async throws { for try await _ in self {} }
}
#endif
