#if PostgreSQL
import Foundation
import PostgresNIO
import SAML
import SAMLPostgres
import SAMLTesting
import Testing

/// The PostgreSQL request tracker and replay store against a real server. Serialized: one of the
/// nested suites stops and restarts the server.
@Suite(.serialized) struct PostgresStoreTests {
    @Test func migrationIsIdempotentAndSafeWhenInstancesStartTogether() async throws {
        let configuration = TestDatabase.configuration("mig")
        try await TestDatabase.withClient { client in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<4 { group.addTask { try await PostgresStateSchema.migrate(client: client, configuration: configuration) } }
                try await group.waitForAll()
            }
            try await PostgresStateSchema.migrate(client: client, configuration: configuration)
            var indexes: [String] = []
            let rows = try await client.query("""
                SELECT indexname FROM pg_indexes WHERE tablename IN (\(configuration.requestsTable), \(configuration.assertionsTable)) ORDER BY indexname
                """)
            for try await (name) in rows.decode(String.self) { indexes.append(name) }
            #expect(indexes == [
                configuration.assertionsTable + "_expires_at", configuration.assertionsTable + "_pkey",
                configuration.requestsTable + "_expires_at", configuration.requestsTable + "_pkey",
            ])
        }
    }

    @Test func unusableTablePrefixesAreRefused() throws {
        for prefix in ["", "Saml_", "saml;drop", "9saml_", "saml-", String(repeating: "a", count: 41)] {
            #expect(throws: SAMLError.self) { try PostgresStateSchema.migrationSQL(configuration: .init(tablePrefix: prefix)) }
        }
        #expect(throws: SAMLError.self) { try PostgresStateSchema.migrationSQL(configuration: .init(queryTimeout: .zero)) }
        #expect(throws: SAMLError.self) { try PostgresStateSchema.migrationSQL(configuration: .init(purgeBatchSize: 0)) }
    }

    @Test func connectionURLIsRead() throws {
        let c = try PostgresConnectionURL.clientConfiguration("postgres://saml%40app:p%2Fss@db.internal:6543/app_db?sslmode=disable")
        #expect(c.host == "db.internal")
        #expect(c.port == 6543)
        #expect(c.username == "saml@app")
        #expect(c.password == "p/ss")
        #expect(c.database == "app_db")
        let d = try PostgresConnectionURL.clientConfiguration("postgresql://u@localhost")
        #expect(d.port == 5432)
        #expect(d.password == nil)
        #expect(d.database == nil)
        for bad in ["mysql://u@h/db", "postgres:///db", "postgres://h/db", "postgres://u@h/db?sslmode=verify-full", "postgres://u@h/db?pool=3"] {
            #expect(throws: SAMLError.self, "\(bad)") { try PostgresConnectionURL.clientConfiguration(bad) }
        }
    }

    /// The article shows the migration for the default prefix; it must be what `migrate` runs.
    @Test func documentedMigrationMatchesTheCode() throws {
        let article = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/SAMLPostgres/SAMLPostgres.docc/RunningSeveralInstances.md")
        let text = try String(contentsOf: article, encoding: .utf8)
        for statement in try PostgresStateSchema.migrationSQL() {
            #expect(text.contains(statement + ";"), "the article lacks: \(statement)")
        }
    }

    @Test func trackerRecordsEachAnsweredRequestOnce() async throws {
        let configuration = TestDatabase.configuration("trk")
        try await TestDatabase.withClient { client in
            try await PostgresStateSchema.migrate(client: client, configuration: configuration)
            let tracker = try PostgresRequestTracker(client: client, configuration: configuration)
            let now = Date(timeIntervalSince1970: 1_800_000_000)
            let until = now.addingTimeInterval(600)
            #expect(try await tracker.consume("_a", expiresAt: until, now: now))
            #expect(try await tracker.consume("_a", expiresAt: until, now: now) == false)
            #expect(try await tracker.consume("_b", expiresAt: until, now: now))
            await #expect(throws: SAMLError.self) { try await tracker.consume("_x\u{0}", expiresAt: until, now: now) }
            #expect(try await TestDatabase.count(configuration.requestsTable, on: client) == 2)
        }
    }

    /// The verifiers accept a message up to and including the instant they record as its expiry;
    /// the stores must refuse it at that instant too (and take the entry over just after).
    @Test func recordsBlockThroughTheirExpiryInstant() async throws {
        let configuration = TestDatabase.configuration("edg")
        try await TestDatabase.withClient { client in
            try await PostgresStateSchema.migrate(client: client, configuration: configuration)
            let tracker = try PostgresRequestTracker(client: client, configuration: configuration)
            let replay = try PostgresReplayStore(client: client, configuration: configuration)
            let t0 = Date(timeIntervalSince1970: 1_800_000_000)
            let edge = t0.addingTimeInterval(390)
            #expect(try await tracker.consume("_r", expiresAt: edge, now: t0))
            #expect(try await tracker.consume("_r", expiresAt: edge, now: edge) == false)
            #expect(try await tracker.consume("_r", expiresAt: edge.addingTimeInterval(600), now: edge.addingTimeInterval(0.001)))
            #expect(try await replay.insertIfAbsent("k", expiresAt: edge, now: t0))
            #expect(try await replay.insertIfAbsent("k", expiresAt: edge, now: edge) == false)
            #expect(try await replay.insertIfAbsent("k", expiresAt: edge.addingTimeInterval(600), now: edge.addingTimeInterval(0.001)))
            // a LogoutRequest key never meets an assertion key
            #expect(try await replay.insertIfAbsent("k", scope: .logoutRequest, expiresAt: edge, now: t0))
            #expect(try await replay.insertIfAbsent("k", scope: .logoutRequest, expiresAt: edge, now: t0) == false)
        }
    }

    @Test func replayStoreRefusesSecondUseAndExpiredEntriesDoNotBlock() async throws {
        let configuration = TestDatabase.configuration("rep")
        try await TestDatabase.withClient { client in
            try await PostgresStateSchema.migrate(client: client, configuration: configuration)
            let store = try PostgresReplayStore(client: client, configuration: configuration)
            let t0 = Date(timeIntervalSince1970: 1_800_000_000)
            let key = "https://idp.example.org\u{0}_assertion-1"
            #expect(try await store.insertIfAbsent(key, expiresAt: t0.addingTimeInterval(300), now: t0))
            #expect(try await store.insertIfAbsent(key, expiresAt: t0.addingTimeInterval(300), now: t0.addingTimeInterval(299)) == false)
            // Another issuer's assertion with the same ID is a different key.
            #expect(try await store.insertIfAbsent("https://other.example\u{0}_assertion-1", expiresAt: t0.addingTimeInterval(300), now: t0))
            // Once expired, the ID no longer blocks; the new expiry then does.
            #expect(try await store.insertIfAbsent(key, expiresAt: t0.addingTimeInterval(900), now: t0.addingTimeInterval(300.5)))
            #expect(try await store.insertIfAbsent(key, expiresAt: t0.addingTimeInterval(900), now: t0.addingTimeInterval(600)) == false)
            #expect(try await TestDatabase.count(configuration.assertionsTable, on: client) == 2)
            // A very long key still fits the index (it is hashed).
            let long = String(repeating: "x", count: 100_000)
            #expect(try await store.insertIfAbsent(long, expiresAt: t0.addingTimeInterval(300), now: t0))
            #expect(try await store.insertIfAbsent(long, expiresAt: t0.addingTimeInterval(300), now: t0) == false)
        }
    }

    @Test func purgeRemovesExpiredRowsInBoundedBatches() async throws {
        let configuration = TestDatabase.configuration("pur", purgeBatchSize: 7)
        try await TestDatabase.withClient { client in
            try await PostgresStateSchema.migrate(client: client, configuration: configuration)
            let tracker = try PostgresRequestTracker(client: client, configuration: configuration)
            let store = try PostgresReplayStore(client: client, configuration: configuration)
            let now = Date(timeIntervalSince1970: 1_800_000_000)
            for i in 0..<50 {
                let expiry = now.addingTimeInterval(-Double(i + 1))
                #expect(try await tracker.consume("_old\(i)", expiresAt: expiry, now: now.addingTimeInterval(-3600)))
                #expect(try await store.insertIfAbsent("old\(i)", expiresAt: expiry, now: now.addingTimeInterval(-3600)))
            }
            for i in 0..<5 {
                #expect(try await tracker.consume("_live\(i)", expiresAt: now.addingTimeInterval(60), now: now))
                #expect(try await store.insertIfAbsent("live\(i)", expiresAt: now.addingTimeInterval(60), now: now))
            }
            // Bounded: two batches of 7 at most.
            #expect(try await tracker.purgeExpired(before: now, maxBatches: 2) == 14)
            #expect(try await TestDatabase.count(configuration.requestsTable, on: client) == 41)

            // The purger keeps a clock-skew margin (default 5 minutes): rows that expired less than
            // that before its clock stay, for instances whose clocks run behind.
            let purger = PostgresStatePurger(requestTracker: tracker, replayStore: store)
            #expect(try await purger.purgeOnce(now: now) == .init(requests: 0, assertions: 0))
            let round = try await purger.purgeOnce(now: now.addingTimeInterval(300))
            #expect(round == .init(requests: 36, assertions: 50))
            #expect(try await TestDatabase.count(configuration.requestsTable, on: client) == 5)
            #expect(try await TestDatabase.count(configuration.assertionsTable, on: client) == 5)
            for i in 0..<5 {
                #expect(try await tracker.consume("_live\(i)", expiresAt: now.addingTimeInterval(60), now: now) == false)
                #expect(try await store.insertIfAbsent("live\(i)", expiresAt: now.addingTimeInterval(60), now: now) == false)
            }
            #expect(try await purger.purgeOnce(now: now.addingTimeInterval(300)) == .init(requests: 0, assertions: 0))
        }
    }

    /// Unsigned LogoutRequests with fresh IDs and a far NotOnOrAfter leave rows that the purge
    /// removes once the requests could no longer be accepted (IssueInstant + maximum age + skew).
    @Test func logoutRequestFloodLeavesNoRowThePurgeCannotRemove() async throws {
        let configuration = TestDatabase.configuration("lof")
        let idp = try TestIdentityProvider.demo()
        try await TestDatabase.withClient { client in
            try await PostgresStateSchema.migrate(client: client, configuration: configuration)
            let store = try PostgresReplayStore(client: client, configuration: configuration)
            var metadata = idp.identityProvider
            metadata.singleLogoutServices = [Endpoint(binding: .httpPost, location: "https://idp.example.org/slo")]
            let verifier = LogoutVerifier(serviceProvider: ServiceProvider(entityID: PostgresFacadeTests.acs, acsURL: PostgresFacadeTests.acs),
                                          singleLogoutURL: "https://app.example.com/saml/slo", identityProvider: metadata,
                                          replayStore: store, allowsUnsignedMessages: true)
            let now = Date(timeIntervalSince1970: 1_800_000_000)
            for i in 0..<20 {
                let xml = """
                <samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" \
                ID="_flood-\(i)" Version="2.0" IssueInstant="2027-01-15T08:00:00Z" NotOnOrAfter="9999-12-31T23:59:59Z" \
                Destination="https://app.example.com/saml/slo"><saml:Issuer>\(idp.entityID)</saml:Issuer>\
                <saml:NameID>victim@example.com</saml:NameID></samlp:LogoutRequest>
                """
                _ = try await verifier.verifyLogoutRequest(samlRequest: Data(xml.utf8).base64EncodedString(), relayState: nil, now: now)
            }
            #expect(try await TestDatabase.count(configuration.assertionsTable, on: client) == 20)
            // IssueInstant (08:00:00) + 300 s + 90 s, then the purger's 300 s margin
            let round = try await PostgresStatePurger(replayStore: store).purgeOnce(now: now.addingTimeInterval(390 + 300 + 1))
            #expect(round.assertions == 20)
            #expect(try await TestDatabase.count(configuration.assertionsTable, on: client) == 0)
        }
    }

    /// Two verifiers (two application instances) sharing the PostgreSQL replay store: the
    /// second one refuses the response the first accepted.
    @Test func responseAcceptedByOneVerifierIsRefusedByAnother() async throws {
        let configuration = TestDatabase.configuration("ver")
        let response = try GeneratedFixture.bytes("responses/assertion-signed.xml")
        let sp = ServiceProvider(entityID: GeneratedFixture.acs, acsURL: GeneratedFixture.acs)
        let idp = try IdentityProvider(metadata: try GeneratedFixture.bytes("idp-metadata.xml"))
        try await TestDatabase.withClient { clientA in
            try await TestDatabase.withClient { clientB in
                try await PostgresStateSchema.migrate(client: clientA, configuration: configuration)
                let instanceA = ResponseVerifier(serviceProvider: sp, identityProvider: idp,
                                                 replayStore: try PostgresReplayStore(client: clientA, configuration: configuration))
                let instanceB = ResponseVerifier(serviceProvider: sp, identityProvider: idp,
                                                 replayStore: try PostgresReplayStore(client: clientB, configuration: configuration))
                let accepted = try await instanceA.verify(responseXML: response, inResponseTo: GeneratedFixture.requestID,
                                                          now: GeneratedFixture.now)
                #expect(accepted.assertionID == GeneratedFixture.assertionID)
                for instance in [instanceB, instanceA] {
                    do {
                        _ = try await instance.verify(responseXML: response, inResponseTo: GeneratedFixture.requestID,
                                                      now: GeneratedFixture.now.addingTimeInterval(30))
                        Issue.record("the replayed response was accepted")
                    } catch let error as SAMLError {
                        #expect(error.code == .replayed)
                    }
                }
                // An in-memory store on instance B alone would have accepted it: the shared store is what refuses.
                let isolated = ResponseVerifier(serviceProvider: sp, identityProvider: idp)
                _ = try await isolated.verify(responseXML: response, inResponseTo: GeneratedFixture.requestID, now: GeneratedFixture.now)
            }
        }
    }
}
#endif
