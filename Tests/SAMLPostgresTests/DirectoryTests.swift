#if PostgreSQL
import Foundation
import PostgresNIO
import SAML
import SAMLPostgres
import SAMLTesting
import Testing

/// The identity-provider directory on PostgreSQL: its schema, its changes, two instances (two
/// clients, as two processes would have) seeing each other's changes within the bound, logins
/// through per-IdP SP keys, and reads failing closed when the server is stopped.
@Suite struct PostgresDirectoryTests {
    static let acs = "https://app.example.com/saml/acs"
    static let spEntityID = "https://app.example.com/saml/metadata"
    /// The bound the two-instance tests use.
    static let maximumAge = Duration.seconds(2)

    static func facade(_ client: PostgresClient, _ configuration: PostgresStoreConfiguration,
                       _ directory: PostgresIdentityProviderDirectory) throws -> SAMLServiceProvider {
        let secret = try StateSecret("mzjIh0Lj9SYeyogJNdlUqzJ46HNHmfjoeYIesNk6j6A=")
        return try SAMLServiceProvider(
            configuration: .init(acsURL: acs, entityID: spEntityID, identityProviders: [], stateSecrets: [secret],
                                 unsafeAllowsPublishedDemoKeys: true),
            requestTracker: PostgresRequestTracker(client: client, configuration: configuration),
            replayStore: PostgresReplayStore(client: client, configuration: configuration), directory: directory)
    }

    /// A test IdP at `base` that wants signed AuthnRequests from this SP, checked with `signing`.
    static func idp(_ base: String, signing: [SAMLCertificate] = []) throws -> TestIdentityProvider {
        try TestIdentityProvider.demo(baseURL: base, wantAuthnRequestsSigned: !signing.isEmpty,
                                      serviceProviders: [.init(entityID: spEntityID, acsURLs: [acs], signingCertificates: signing)])
    }

    /// Starts a login through `id` and has `idp` answer it (checking the request's signature
    /// when it has a certificate for this SP).
    static func respond(_ saml: SAMLServiceProvider, id: String, idp: TestIdentityProvider,
                        options: ResponseOptions = ResponseOptions()) async throws -> (LoginStart, ReceivedAuthnRequest, IssuedResponse) {
        let start = try await saml.login(idp: id, returnTo: "/home")
        guard case .redirect(let url) = start.action else { throw SimpleFailure("expected a redirect") }
        let received = try idp.receiveRedirect(url: url)
        let issued = try idp.issueResponse(for: .alice, answering: received, options: options)
        return (start, received, issued)
    }

    static func finish(_ saml: SAMLServiceProvider, _ start: LoginStart, _ issued: IssuedResponse) async throws -> Login {
        try await saml.finishLogin(samlResponse: issued.base64, relayState: issued.relayState, browserState: start.browserState)
    }

    static func version(_ configuration: PostgresStoreConfiguration, on client: PostgresClient) async throws -> Int64 {
        var version: Int64 = -1
        for try await (value) in try await client.query("SELECT version FROM \(unescaped: configuration.directoryVersionTable)").decode(Int64.self) {
            version = value
        }
        return version
    }

    @Test("the migration is idempotent, also when instances run it together, and keeps the entries")
    func migrationIsIdempotent() async throws {
        let configuration = TestDatabase.configuration("dirmigrate")
        try await TestDatabase.withClient { client in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<3 { group.addTask { try await PostgresStateSchema.migrate(client: client, configuration: configuration) } }
                try await group.waitForAll()
            }
            #expect(try await Self.version(configuration, on: client) == 1)
            #expect(try await TestDatabase.count(configuration.directoryVersionTable, on: client) == 1)
            let directory = try PostgresIdentityProviderDirectory(client: client, configuration: configuration)
            _ = try await directory.add(IdentityProviderRecord(id: "kept", name: "Kept", metadataXML: try Self.idp("https://kept.example.test/idp").metadata()))
            try await PostgresStateSchema.migrate(client: client, configuration: configuration)
            #expect(try await Self.version(configuration, on: client) == 2)
            #expect(try await TestDatabase.count(configuration.identityProvidersTable, on: client) == 1)
            let other = try PostgresIdentityProviderDirectory(client: client, configuration: configuration)
            #expect(try await other.snapshot().entry(id: "kept")?.name == "Kept")
            let statements = try PostgresStateSchema.migrationSQL(configuration: configuration)
            #expect(statements.contains { $0.contains("CREATE TABLE IF NOT EXISTS \(configuration.identityProvidersTable)") })
        }
    }

    @Test("entries are added, updated, disabled and removed; bad input and duplicates are refused naming the field and change nothing")
    func changes() async throws {
        let configuration = TestDatabase.configuration("dirchanges")
        let idp = try Self.idp("https://acme.example.test/idp")
        try await TestDatabase.withClient { client in
            try await PostgresStateSchema.migrate(client: client, configuration: configuration)
            let directory = try PostgresIdentityProviderDirectory(client: client, configuration: configuration)
            #expect(try await directory.snapshot().entries.isEmpty)

            var record = IdentityProviderRecord(id: "acme", name: "Acme", metadataXML: idp.metadata())
            try record.generateKeys(commonName: "app.example.com")
            let added = try await directory.add(record)
            #expect(added.entityID == idp.entityID && added.record.revision == 1)
            #expect(try await directory.snapshot().entry(id: "acme")?.isEnabled == true)
            let afterAdd = try await Self.version(configuration, on: client)

            // refusals: nothing is written, the version does not move
            await #expect(throws: IdentityProviderInputError.self) {
                _ = try await directory.add(IdentityProviderRecord(id: "Bad ID", name: "Bad", metadataXML: idp.metadata()))
            }
            do {
                _ = try await directory.add(IdentityProviderRecord(id: "copy", name: "Copy", metadataXML: idp.metadata()))
                Issue.record("a second entry with the same entity ID was accepted")
            } catch let error as IdentityProviderInputError {
                #expect(error.field == "metadata_xml" && error.error.code == .duplicateEntityID, "\(error)")
            }
            do {
                _ = try await directory.add(IdentityProviderRecord(id: "acme", name: "Again",
                                                                   metadataXML: try Self.idp("https://other.example.test/idp").metadata()))
                Issue.record("a second entry with the same ID was accepted")
            } catch let error as IdentityProviderInputError {
                #expect(error.field == "id", "\(error)")
            }
            await expectRefusal(.entityNotFound, "updating an entry that does not exist") {
                try await directory.update(IdentityProviderRecord(id: "ghost", name: "Ghost",
                                                                  metadataXML: try Self.idp("https://ghost.example.test/idp").metadata()))
            }
            #expect(try await Self.version(configuration, on: client) == afterAdd)
            #expect(try await TestDatabase.count(configuration.identityProvidersTable, on: client) == 1)

            // update: the name changes and the SP keys read back as stored, from another instance too
            record = added.record
            record.name = "Acme Corp"
            try record.generateKeys(commonName: "app.example.com")  // a next key for each use
            var updated = try await directory.update(record)
            #expect(updated.record.revision == 2)
            let other = try PostgresIdentityProviderDirectory(client: client, configuration: configuration)
            let read = try #require(try await other.snapshot().entry(id: "acme"))
            #expect(read.name == "Acme Corp" && read.record.revision == 2)
            func keys(_ record: IdentityProviderRecord) -> [String] {
                record.serviceProviderKeys.map { "\($0.use) \($0.state) \($0.certificatePEM) \($0.privateKeyPEM)" }
            }
            #expect(keys(read.record) == keys(record))
            #expect(read.record.serviceProviderKeys.count == 4)
            #expect(read.signingKey?.certificate == updated.signingKey?.certificate)

            // rollover: the next keys become active
            record = updated.record
            try record.rollOverKeys()
            updated = try await directory.update(record)
            // (a new instance: `other` may use its copy for up to half of its maximum age)
            let third = try PostgresIdentityProviderDirectory(client: client, configuration: configuration)
            let rolled = try #require(try await third.snapshot().entry(id: "acme"))
            #expect(rolled.record.serviceProviderKeys.count == 2 && rolled.record.serviceProviderKeys.allSatisfy { $0.state == .active })
            #expect(rolled.signingKey?.certificate == read.record.serviceProviderKeys
                .first { $0.use == .signing && $0.state == .next }.flatMap { try? SAMLCertificate(pem: $0.certificatePEM) })

            // disable, enable
            record = updated.record
            record.enabled = false
            _ = try await directory.update(record)
            #expect(try await directory.snapshot().entry(id: "acme")?.isEnabled == false)
            record.enabled = true
            _ = try await directory.update(record)
            #expect(try await directory.snapshot().entry(id: "acme")?.isEnabled == true)

            // remove
            #expect(try await directory.remove(id: "acme"))
            #expect(try await !directory.remove(id: "acme"))
            #expect(try await directory.snapshot().entries.isEmpty)
            #expect(try await TestDatabase.count(configuration.identityProvidersTable, on: client) == 0)
            // the entity ID is free again
            _ = try await directory.add(IdentityProviderRecord(id: "acme-again", name: "Acme", metadataXML: idp.metadata()))
        }
    }

    @Test("the bound must be more than zero and at most 5 seconds")
    func boundIsChecked() async throws {
        try await TestDatabase.withClient { client in
            for bad in [Duration.zero, .milliseconds(5001)] {
                #expect(throws: SAMLError.self) { _ = try PostgresIdentityProviderDirectory(client: client, maximumAge: bad) }
            }
            let standard = try PostgresIdentityProviderDirectory(client: client)
            #expect(standard.maximumAge == .seconds(2))
        }
    }

    @Test("two instances: a change through one is seen by the other within the bound; a login through B of an IdP removed through A is refused")
    func twoInstances() async throws {
        let configuration = TestDatabase.configuration("dirtwo")
        let idp = try Self.idp("https://tenant.example.test/idp")
        try await TestDatabase.withClient { clientA in
            try await TestDatabase.withClient { clientB in
                try await PostgresStateSchema.migrate(client: clientA, configuration: configuration)
                let directoryA = try PostgresIdentityProviderDirectory(client: clientA, configuration: configuration, maximumAge: Self.maximumAge)
                let directoryB = try PostgresIdentityProviderDirectory(client: clientB, configuration: configuration, maximumAge: Self.maximumAge)
                let a = try Self.facade(clientA, configuration, directoryA)
                let b = try Self.facade(clientB, configuration, directoryB)
                // B keeps its copy current, as an application runs it
                let keeper = Task { try await directoryB.run() }
                defer { keeper.cancel() }
                #expect(try await directoryB.snapshot().entries.isEmpty)

                // added through A; after the bound, B's reads (async and synchronous) have it
                let record = IdentityProviderRecord(id: "tenant", name: "Tenant", metadataXML: idp.metadata())
                _ = try await directoryA.add(record)
                let added = ContinuousClock.now
                let seen = try await Self.firstSeen(since: added) { try await directoryB.snapshot().entry(id: "tenant") != nil }
                // (the time includes the queries' own latency, which is high on a loaded machine)
                print("directory: an addition through A was first read by B \(seen) after it committed (bound on a copy's age: \(Self.maximumAge))")
                try await Task.sleep(until: added + Self.maximumAge)
                #expect(try await directoryB.snapshot().entry(id: "tenant") != nil)
                let copy = directoryB.cachedSnapshot()
                #expect(copy == nil || copy?.entry(id: "tenant") != nil, "a synchronous read after the bound has the change or nothing")

                // a login through B
                var (start, _, issued) = try await Self.respond(b, id: "tenant", idp: idp)
                let login = try await Self.finish(b, start, issued)
                #expect(login.issuer == idp.entityID && login.nameID.value == "alice@example.com")
                try await b.checkSession(login)
                // B's background refresh keeps a current copy for the synchronous check
                _ = try await Self.firstSeen(since: .now) { b.acceptsSession(login) }

                // disabled through B: after the bound A refuses the session and new logins
                var stored = try #require(try await directoryB.snapshot().entry(id: "tenant")).record
                stored.enabled = false
                _ = try await directoryB.update(stored)
                let disabledAt = ContinuousClock.now
                let disabledSeen = try await Self.firstSeen(since: disabledAt) { try await directoryA.snapshot().entry(id: "tenant")?.isEnabled == false }
                print("directory: disabling through B was seen by A after \(disabledSeen)")
                try await Task.sleep(until: disabledAt + Self.maximumAge / 2)
                await expectRefusal(.identityProviderDisabled, "A's session check of a disabled IdP") { try await a.checkSession(login) }
                await expectRefusal(.identityProviderDisabled, "a login through A of a disabled IdP") { try await a.login(idp: "tenant") }
                #expect(!a.acceptsSession(login))

                // enabled again; a login started through B is in flight when A removes the IdP
                stored.enabled = true
                _ = try await directoryB.update(stored)
                (start, _, issued) = try await Self.respond(b, id: "tenant", idp: idp)
                #expect(try await directoryA.remove(id: "tenant"))
                let removedAt = ContinuousClock.now
                let removedSeen = try await Self.firstSeen(since: removedAt) { try await directoryB.snapshot().entry(id: "tenant") == nil }
                print("directory: a removal through A was seen by B after \(removedSeen)")
                try await Task.sleep(until: removedAt + Self.maximumAge)
                await expectRefusal(.identityProviderRemoved, "B finishing a login of an IdP removed through A") {
                    try await Self.finish(b, start, issued)
                }
                await expectRefusal(.identityProviderRemoved, "B's session check of an IdP removed through A") { try await b.checkSession(login) }
                #expect(!b.acceptsSession(login), "the synchronous session check refuses after the bound")
                await expectRefusal(.entityNotFound, "a new login through B of an IdP removed through A") { try await b.login(idp: "tenant") }
            }
        }
    }

    /// `body`, tried again for up to 60 s while it fails with `directoryUnavailable` (a server that
    /// runs but answers slowly on a loaded machine).
    static func whileUp<T>(_ body: () async throws -> T) async throws -> T {
        let deadline = ContinuousClock.now + .seconds(60)
        while true {
            do { return try await body() } catch let error as SAMLError where error.code == .directoryUnavailable && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(200))
            }
        }
    }

    /// Polls `condition` every 20 ms from `start` for up to 30 s (a loaded machine); returns when it first held.
    static func firstSeen(since start: ContinuousClock.Instant, _ condition: () async throws -> Bool) async throws -> Duration {
        while ContinuousClock.now - start < .seconds(30) {
            if try await condition() { return ContinuousClock.now - start }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw SimpleFailure("the change was not seen within 30 seconds")
    }

    @Test("a façade login through an IdP of the directory, its AuthnRequest signed with the IdP's own SP key and checked by the IdP")
    func perIdPSigningKey() async throws {
        let configuration = TestDatabase.configuration("dirkeys")
        try await TestDatabase.withClient { clientA in
            try await TestDatabase.withClient { clientB in
                try await PostgresStateSchema.migrate(client: clientA, configuration: configuration)
                let directoryA = try PostgresIdentityProviderDirectory(client: clientA, configuration: configuration)
                let directoryB = try PostgresIdentityProviderDirectory(client: clientB, configuration: configuration)
                let b = try Self.facade(clientB, configuration, directoryB)

                // keys generated for this IdP, stored through A
                var record = IdentityProviderRecord(id: "keyed", name: "Keyed", metadataXML: try Self.idp("https://keyed.example.test/idp").metadata())
                try record.generateKeys(commonName: "app.example.com")
                let entry = try await directoryA.add(record)
                let signing = try #require(entry.signingKey).certificate
                let encryption = try #require(entry.publishedEncryptionCertificates.first)

                // the IdP knows only that certificate for this SP and wants requests signed; the façade has no key of its own
                let idp = try Self.idp("https://keyed.example.test/idp", signing: [signing])
                let (start, received, issued) = try await Self.respond(b, id: "keyed", idp: idp,
                                                                       options: ResponseOptions(encryptionCertificate: encryption))
                #expect(received.signatureVerified)
                let login = try await Self.finish(b, start, issued)
                #expect(login.nameID.value == "alice@example.com" && login.wasRequested)

                // an IdP that learnt another certificate for this SP refuses the request
                let stranger = try Self.idp("https://keyed.example.test/idp", signing: [try DemoOnlyCredentials.serviceProvider().certificate])
                let second = try await b.login(idp: "keyed")
                guard case .redirect(let url) = second.action else { throw SimpleFailure("expected a redirect") }
                #expect(throws: SAMLError.self) { _ = try stranger.receiveRedirect(url: url) }

                // the IdP's own SP metadata, served by B, lists its certificates
                let metadata = try await b.metadata(forIdentityProvider: "keyed")
                #expect(metadata.contains(signing.base64) && metadata.contains(encryption.base64))
            }
        }
    }

    @Test("the server stopped: reads, logins, session checks and changes fail with directoryUnavailable, never accept; back, it works again")
    func serverStoppedFailsClosed() async throws {
        // the setup and the state stores have the generous timeout of a loaded machine; the directory
        // under test a short one, so each refusal while the server is down comes within seconds
        let setup = TestDatabase.configuration("dirdown")
        var configuration = setup
        configuration.queryTimeout = .seconds(3)
        let maximumAge = Duration.seconds(4)
        let idp = try Self.idp("https://down.example.test/idp")
        // a cluster of its own: stopping the shared one would fail the tests running beside this one
        try await PrivateCluster.with("dirdown") { cluster in
            try await cluster.withClient { client in
                try await PostgresStateSchema.migrate(client: client, configuration: setup)
                let directory = try PostgresIdentityProviderDirectory(client: client, configuration: configuration, maximumAge: maximumAge)
                let saml = try Self.facade(client, setup, directory)
                let keeper = Task { try await directory.run() }
                defer { keeper.cancel() }
                _ = try await PostgresIdentityProviderDirectory(client: client, configuration: setup)
                    .add(IdentityProviderRecord(id: "down", name: "Down", metadataXML: idp.metadata()))
                // added through another instance: seen here within the maximum age
                _ = try await Self.whileUp { try await Self.firstSeen(since: .now) { try await directory.snapshot().entry(id: "down") != nil } }
                // while the server runs, a slow answer on a loaded machine is retried: not what this test is about
                var (start, _, issued) = try await Self.whileUp { try await Self.respond(saml, id: "down", idp: idp) }
                let login = try await Self.whileUp { try await Self.finish(saml, start, issued) }
                (start, _, issued) = try await Self.whileUp { try await Self.respond(saml, id: "down", idp: idp) }
                _ = try await Self.firstSeen(since: .now) { saml.acceptsSession(login) }

                try cluster.stop()
                let stopped = ContinuousClock.now
                try await Task.sleep(until: stopped + maximumAge / 2)
                await expectRefusal(.directoryUnavailable, "a read") { try await directory.snapshot() }
                await expectRefusal(.directoryUnavailable, "finishing a login") { try await Self.finish(saml, start, issued) }
                await expectRefusal(.directoryUnavailable, "a session check") { try await saml.checkSession(login) }
                await expectRefusal(.directoryUnavailable, "starting a login") { try await saml.login(idp: "down") }
                await expectRefusal(.directoryUnavailable, "an addition") {
                    try await directory.add(IdentityProviderRecord(id: "new", name: "New",
                                                                   metadataXML: try Self.idp("https://new.example.test/idp").metadata()))
                }
                await expectRefusal(.directoryUnavailable, "a removal") { try await directory.remove(id: "absent") }
                try await Task.sleep(until: stopped + maximumAge)
                #expect(directory.cachedSnapshot() == nil, "the copy aged out")
                #expect(!saml.acceptsSession(login))

                try cluster.start()
                // the pool reconnects with back-off: allow some time
                let deadline = ContinuousClock.now + .seconds(90)
                var back: IdentityProviderSnapshot?
                while back == nil, ContinuousClock.now < deadline {
                    do { back = try await directory.snapshot() } catch let error as SAMLError where error.code == .directoryUnavailable {
                        try await Task.sleep(for: .milliseconds(200))
                    }
                }
                // the login refused during the outage succeeds now
                #expect(try #require(back).entry(id: "down") != nil)
                _ = try await Self.whileUp { try await Self.finish(saml, start, issued) }
                try await Self.whileUp { try await saml.checkSession(login) }
            }
        }
    }
}
#endif
