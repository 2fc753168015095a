#if PostgreSQL
import Foundation
import PostgresNIO
import SAML
import SAMLPostgres
import Testing

extension PostgresStoreTests {
    /// When the database cannot answer, every store call throws `stateStoreUnavailable` and no
    /// login is accepted; when it is back, the same client works again. The stopped server is a
    /// cluster of the test's own.
    @Suite struct FailClosed {
        @Test func serverStoppedMidRunRefusesEverythingThenRecovers() async throws {
            let configuration = PostgresStoreConfiguration(tablePrefix: TestDatabase.uniquePrefix("down"), queryTimeout: .seconds(2))
            let response = try GeneratedFixture.bytes("responses/assertion-signed.xml")
            let sp = ServiceProvider(entityID: GeneratedFixture.acs, acsURL: GeneratedFixture.acs)
            let idp = try IdentityProvider(metadata: try GeneratedFixture.bytes("idp-metadata.xml"))
            // a cluster of its own: stopping the shared one would fail the tests running beside this one
            try await PrivateCluster.with("down") { cluster in try await cluster.withClient { client in
                var setup = configuration
                setup.queryTimeout = .seconds(30)  // the first query also opens the connection, on a loaded machine
                try await PostgresStateSchema.migrate(client: client, configuration: setup)
                let tracker = try PostgresRequestTracker(client: client, configuration: configuration)
                let replay = try PostgresReplayStore(client: client, configuration: configuration)
                let verifier = ResponseVerifier(serviceProvider: sp, identityProvider: idp, replayStore: replay)
                let loginStore = try PostgresLoginStateStore(client: client, configuration: configuration)
                let now = Date()
                #expect(try await tracker.consume("_kept", expiresAt: now.addingTimeInterval(600), now: now))
                #expect(try await replay.insertIfAbsent("before", expiresAt: now.addingTimeInterval(600), now: now))

                try cluster.stop()
                await expectUnavailable("consume") { try await tracker.consume("_new", expiresAt: now.addingTimeInterval(600), now: now) }
                await expectUnavailable("insertIfAbsent") { try await replay.insertIfAbsent("during", expiresAt: now.addingTimeInterval(600), now: now) }
                await expectUnavailable("a second insertIfAbsent") { try await replay.insertIfAbsent("before", expiresAt: now.addingTimeInterval(600), now: now) }
                await expectUnavailable("verify") {
                    try await verifier.verify(responseXML: response, inResponseTo: GeneratedFixture.requestID, now: GeneratedFixture.now)
                }
                await expectUnavailable("purge") { try await tracker.purgeExpired(before: now) }
                await expectUnavailable("finishLogin") {
                    try await loginStore.finishLogin(request: "_during", until: now.addingTimeInterval(600), recording: "during-login",
                                                     until: now.addingTimeInterval(600), now: now)
                }
                try cluster.start()

                // The same client reconnects (its pool backs off between attempts, so allow some time).
                let deadline = Date().addingTimeInterval(90)
                var recovered: Bool? = nil
                while recovered == nil, Date() < deadline {
                    do {
                        recovered = try await tracker.consume("_kept", expiresAt: now.addingTimeInterval(600), now: now)
                    } catch let error as SAMLError where error.code == .stateStoreUnavailable {
                        try await Task.sleep(for: .milliseconds(200))
                    }
                }
                // Nothing recorded before the outage was lost, nothing during it invented.
                #expect(recovered == false, "the request answered before the outage was forgotten")
                #expect(try await tracker.consume("_new", expiresAt: now.addingTimeInterval(600), now: now))
                #expect(try await replay.insertIfAbsent("before", expiresAt: now.addingTimeInterval(600), now: now) == false)
                // The login refused during the outage succeeds now, once.
                let accepted = try await verifier.verify(responseXML: response, inResponseTo: GeneratedFixture.requestID, now: GeneratedFixture.now)
                #expect(accepted.assertionID == GeneratedFixture.assertionID)
                // The one-statement finish works again too, and recorded nothing during the outage.
                #expect(try await loginStore.finishLogin(request: "_during", until: now.addingTimeInterval(600), recording: "during-login",
                                                         until: now.addingTimeInterval(600), now: now) == .recorded)
                do {
                    _ = try await verifier.verify(responseXML: response, inResponseTo: GeneratedFixture.requestID, now: GeneratedFixture.now)
                    Issue.record("the replayed response was accepted")
                } catch let error as SAMLError {
                    #expect(error.code == .replayed)
                }
            } }
        }

        /// A statement stuck behind a lock held by another connection: the call gives up at the
        /// timeout, while the lock is still held, and accepts nothing.
        @Test func slowStatementTimesOut() async throws {
            let configuration = PostgresStoreConfiguration(tablePrefix: TestDatabase.uniquePrefix("slow"), queryTimeout: .milliseconds(500))
            try await TestDatabase.withClient { client in
                try await PostgresStateSchema.migrate(client: client, configuration: configuration)
                let tracker = try PostgresRequestTracker(client: client, configuration: configuration)
                let replay = try PostgresReplayStore(client: client, configuration: configuration)
                let now = Date()

                try await TestDatabase.withClient(maximumConnections: 1) { locker in
                    let (locked, lockedSignal) = AsyncStream<Void>.makeStream()
                    let (release, releaseSignal) = AsyncStream<Void>.makeStream()
                    let holder = Task {
                        try await locker.withTransaction(logger: Logger(label: "test")) { connection in
                            try await connection.query("""
                                LOCK TABLE \(unescaped: configuration.requestsTable), \(unescaped: configuration.assertionsTable) IN ACCESS EXCLUSIVE MODE
                                """, logger: Logger(label: "test"))
                            lockedSignal.yield()
                            for await _ in release { break }
                        }
                    }
                    for await _ in locked { break }

                    await expectUnavailable("consume behind a lock") {
                        try await tracker.consume("_slow", expiresAt: now.addingTimeInterval(600), now: now)
                    }
                    await expectUnavailable("insertIfAbsent behind a lock") {
                        try await replay.insertIfAbsent("slow", expiresAt: now.addingTimeInterval(600), now: now)
                    }
                    // Both calls gave up while the lock was still held: it is released only now.
                    releaseSignal.yield()
                    try await holder.value
                }
                // Whether the statements of the timed-out calls still ran once the lock was released
                // depends on how far they had got; either way the request is recorded and the
                // assertion accepted at most once from now on.
                let lateConsume = try await tracker.consume("_slow", expiresAt: now.addingTimeInterval(600), now: now)
                #expect(try await tracker.consume("_slow", expiresAt: now.addingTimeInterval(600), now: now) == false)
                let lateInsert = try await replay.insertIfAbsent("slow", expiresAt: now.addingTimeInterval(600), now: now)
                #expect(try await replay.insertIfAbsent("slow", expiresAt: now.addingTimeInterval(600), now: now) == false)
                print("after the timeouts: request still unanswered: \(lateConsume), assertion still new: \(lateInsert)")
            }
        }
    }
}
#endif
