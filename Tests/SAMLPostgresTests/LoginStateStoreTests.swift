#if PostgreSQL
import Foundation
import PostgresNIO
import SAML
import SAMLPostgres
import SAMLTesting
import Testing

extension PostgresStoreTests {
    /// `PostgresLoginStateStore`: recording the answered request and the assertion in one statement.
    @Suite struct LoginState {
        @Test func finishRecordsTheRequestAndTheAssertionOnce() async throws {
            let configuration = TestDatabase.configuration("ls")
            try await TestDatabase.withClient { client in
                try await PostgresStateSchema.migrate(client: client, configuration: configuration)
                let store = try PostgresLoginStateStore(client: client, configuration: configuration)
                let now = Date()
                let later = now.addingTimeInterval(600)
                func finish(_ request: String, _ key: String, at instant: Date = now) async throws -> LoginStateOutcome {
                    try await store.finishLogin(request: request, until: later, recording: key, until: later, now: instant)
                }

                #expect(try await finish("_a", "idp\u{0}assertion-1") == .recorded)
                // the request is answered: a second finish for it records nothing, whatever the assertion
                #expect(try await finish("_a", "idp\u{0}assertion-2") == .requestAlreadyAnswered)
                #expect(try await store.insertIfAbsent("idp\u{0}assertion-2", expiresAt: later, now: now))
                // another request answered by an assertion already used: a replay
                #expect(try await finish("_b", "idp\u{0}assertion-1") == .replayed)
                // a request record blocks through its expiry instant, and no longer after it
                #expect(try await store.consume("_edge", expiresAt: now, now: now.addingTimeInterval(-1)))
                #expect(try await finish("_edge", "idp\u{0}assertion-3") == .requestAlreadyAnswered)
                #expect(try await finish("_edge", "idp\u{0}assertion-3", at: now.addingTimeInterval(0.001)) == .recorded)
                // an ID PostgreSQL text cannot hold (this SP never issues one) is refused, not recorded
                await #expect(throws: SAMLError.self) { try await finish("_nul\u{0}", "k") }
                // an assertion key whose record expired does not block
                #expect(try await store.insertIfAbsent("idp\u{0}assertion-4", expiresAt: now.addingTimeInterval(1), now: now))
                #expect(try await finish("_c", "idp\u{0}assertion-4", at: now.addingTimeInterval(2)) == .recorded)
                // the same tables as the separate stores: what one records, the other sees
                let replay = try PostgresReplayStore(client: client, configuration: configuration)
                #expect(try await replay.insertIfAbsent("idp\u{0}assertion-1", expiresAt: later, now: now) == false)
                let tracker = try PostgresRequestTracker(client: client, configuration: configuration)
                #expect(try await tracker.consume("_a", expiresAt: later, now: now) == false)
                #expect(try await TestDatabase.count(configuration.requestsTable, on: client) == 4)
            }
        }

        @Test func concurrentFinishesOfOneRequestHaveOneWinner() async throws {
            let configuration = TestDatabase.configuration("lc")
            try await TestDatabase.withClient { client in
                try await PostgresStateSchema.migrate(client: client, configuration: configuration)
                let store = try PostgresLoginStateStore(client: client, configuration: configuration)
                let now = Date()
                // 20 requests × 10 callers each; the assertion key is shared by pairs of requests,
                // so a key may also be recorded once only across different requests.
                let outcomes = try await withThrowingTaskGroup(of: (Int, LoginStateOutcome).self) { group in
                    for call in 0..<200 {
                        let request = call % 20
                        group.addTask {
                            (request, try await store.finishLogin(request: "_r\(request)", until: now.addingTimeInterval(600),
                                                                  recording: "key-\(request / 2)", until: now.addingTimeInterval(600), now: now))
                        }
                    }
                    var all: [(Int, LoginStateOutcome)] = []
                    for try await outcome in group { all.append(outcome) }
                    return all
                }
                let recorded = outcomes.filter { $0.1 == .recorded }
                #expect(recorded.count == 10, "one per assertion key")
                #expect(Set(recorded.map { $0.0 / 2 }).count == 10)
                #expect(outcomes.filter { $0.1 == .replayed }.count == 10, "the other request of each pair, once")
                #expect(outcomes.filter { $0.1 == .requestAlreadyAnswered }.count == 180)
            }
        }

        @Test func facadeOnTheLoginStateStoreAcrossTwoInstances() async throws {
            let configuration = TestDatabase.configuration("lf")
            let idp = try TestIdentityProvider.demo()
            try await TestDatabase.withClient { clientA in
                try await TestDatabase.withClient { clientB in
                    try await PostgresStateSchema.migrate(client: clientA, configuration: configuration)
                    let secret = try StateSecret("mzjIh0Lj9SYeyogJNdlUqzJ46HNHmfjoeYIesNk6j6A=")
                    let settings = SAMLServiceProvider.Configuration(
                        acsURL: PostgresFacadeTests.acs, identityProviders: [.init(idp.identityProvider, allowsIdPInitiatedLogin: true)],
                        stateSecrets: [secret], unsafeAllowsPublishedDemoKeys: true)
                    let a = try SAMLServiceProvider(configuration: settings, stateStore: PostgresLoginStateStore(client: clientA, configuration: configuration))
                    let b = try SAMLServiceProvider(configuration: settings, stateStore: PostgresLoginStateStore(client: clientB, configuration: configuration))

                    // started on A, finished on B
                    let start = try await a.login(returnTo: "/reports")
                    let request = try idp.receiveRedirect(url: try PostgresFacadeTests.redirectURL(start))
                    // a response that fails verification (altered) does not spend the request
                    let response = try idp.issueResponse(for: .alice, answering: request)
                    let altered = Data(try #require(Data(base64Encoded: response.base64)))
                    let tampered = String(decoding: altered, as: UTF8.self).replacingOccurrences(of: "alice@example.com", with: "mallory@example.com")
                    await PostgresFacadeTests.refused(.signatureInvalid) {
                        try await b.finishLogin(samlResponse: Data(tampered.utf8).base64EncodedString(), relayState: request.relayState,
                                                browserState: start.browserState)
                    }
                    let login = try await b.finishLogin(samlResponse: response.base64, relayState: request.relayState, browserState: start.browserState)
                    #expect(login.email == "alice@example.com")
                    #expect(login.returnTo == "/reports")
                    #expect(try await TestDatabase.count(configuration.requestsTable, on: clientA) == 1)

                    // posted again, to either instance: the request is answered
                    await PostgresFacadeTests.refused(.inResponseToMismatch) {
                        try await a.finishLogin(samlResponse: response.base64, relayState: request.relayState, browserState: start.browserState)
                    }
                    await PostgresFacadeTests.refused(.inResponseToMismatch) {
                        try await b.finishLogin(samlResponse: response.base64, relayState: request.relayState, browserState: start.browserState)
                    }

                    // a response for A's request cannot serve a browser that started on B
                    let second = try await a.login()
                    let third = try await b.login()
                    let forSecond = try idp.issueResponse(for: .bob, answering: try idp.receiveRedirect(url: try PostgresFacadeTests.redirectURL(second)))
                    await PostgresFacadeTests.refused(.inResponseToMismatch) {
                        try await b.finishLogin(samlResponse: forSecond.base64, relayState: nil, browserState: third.browserState)
                    }
                    // …and that refusal spent nothing: A's browser still finishes its own login
                    let bob = try await a.finishLogin(samlResponse: forSecond.base64, relayState: nil, browserState: second.browserState)
                    #expect(bob.nameID.value.hasPrefix("bob"))

                    // IdP-initiated: recorded by the same store, a replay on the other instance
                    let unsolicited = try idp.issueResponse(for: .alice, serviceProviderEntityID: PostgresFacadeTests.acs,
                                                            acsURL: PostgresFacadeTests.acs, inResponseTo: nil)
                    _ = try await a.finishLogin(samlResponse: unsolicited.base64, relayState: nil, browserState: nil)
                    await PostgresFacadeTests.refused(.replayed) {
                        try await b.finishLogin(samlResponse: unsolicited.base64, relayState: nil, browserState: nil)
                    }
                }
            }
        }
    }
}
#endif
