#if PostgreSQL
import Foundation
import PostgresNIO
import SAML
import SAMLPostgres
import SAMLTesting
import Testing

/// Two application instances (two clients, as two processes would have) sharing the PostgreSQL
/// stores, with the test identity provider answering at the real clock.
@Suite struct PostgresFacadeTests {
    static let acs = "https://app.example.com/saml/acs"

    static func instance(_ client: PostgresClient, _ configuration: PostgresStoreConfiguration,
                         idp: TestIdentityProvider) throws -> SAMLServiceProvider {
        let secret = try StateSecret("mzjIh0Lj9SYeyogJNdlUqzJ46HNHmfjoeYIesNk6j6A=")
        return try SAMLServiceProvider(
            configuration: .init(acsURL: acs, identityProviders: [.init(idp.identityProvider, allowsIdPInitiatedLogin: true)],
                                 stateSecrets: [secret], unsafeAllowsPublishedDemoKeys: true),
            requestTracker: PostgresRequestTracker(client: client, configuration: configuration),
            replayStore: PostgresReplayStore(client: client, configuration: configuration))
    }

    static func refused(_ code: SAMLError.Code, sourceLocation: SourceLocation = #_sourceLocation,
                        _ body: () async throws -> Login) async {
        await expectRefusal(code, "the login", sourceLocation: sourceLocation, body)
    }

    static func redirectURL(_ start: LoginStart) throws -> String {
        guard case .redirect(let url) = start.action else { throw SimpleFailure("expected a redirect") }
        return url
    }

    @Test func aLoginStartedOnOneInstanceFinishesOnAnotherExactlyOnce() async throws {
        let configuration = TestDatabase.configuration("facade")
        let idp = try TestIdentityProvider.demo()
        try await TestDatabase.withClient { clientA in
            try await TestDatabase.withClient { clientB in
                try await PostgresStateSchema.migrate(client: clientA, configuration: configuration)
                let a = try Self.instance(clientA, configuration, idp: idp)
                let b = try Self.instance(clientB, configuration, idp: idp)

                // the browser starts on A; the IdP's POST lands on B
                let start = try await a.login(returnTo: "/reports")
                let request = try idp.receiveRedirect(url: try Self.redirectURL(start))
                let response = try idp.issueResponse(for: .alice, answering: request)
                // a cross-site garbage post with the victim's state first: refused, and it spends nothing
                for garbage in ["", "garbage", Data("<samlp:Response/>".utf8).base64EncodedString(),
                                Data(String(decoding: try #require(Data(base64Encoded: response.base64)), as: UTF8.self)
                                    .replacingOccurrences(of: "alice@example.com", with: "mallory@example.com").utf8).base64EncodedString()] {
                    do {
                        _ = try await a.finishLogin(samlResponse: garbage, relayState: nil, browserState: start.browserState)
                        Issue.record("garbage was accepted")
                    } catch is SAMLError {}
                }
                #expect(try await TestDatabase.count(configuration.requestsTable, on: clientA) == 0)
                let login = try await b.finishLogin(samlResponse: response.base64, relayState: request.relayState,
                                                    browserState: start.browserState)
                #expect(try await TestDatabase.count(configuration.requestsTable, on: clientA) == 1)
                #expect(login.email == "alice@example.com")
                #expect(login.returnTo == "/reports")

                // the same response posted again, to either instance: the request was consumed
                await Self.refused(.inResponseToMismatch) {
                    try await b.finishLogin(samlResponse: response.base64, relayState: request.relayState, browserState: start.browserState)
                }
                await Self.refused(.inResponseToMismatch) {
                    try await a.finishLogin(samlResponse: response.base64, relayState: request.relayState, browserState: start.browserState)
                }

                // a response answering a request started on A cannot serve a browser that started on B
                let second = try await a.login()
                let third = try await b.login()
                let secondRequest = try idp.receiveRedirect(url: try Self.redirectURL(second))
                let forSecond = try idp.issueResponse(for: .bob, answering: secondRequest)
                await Self.refused(.inResponseToMismatch) {
                    try await b.finishLogin(samlResponse: forSecond.base64, relayState: nil, browserState: third.browserState)
                }

                // an IdP-initiated response accepted on A is a replay on B
                let unsolicited = try idp.issueResponse(for: .alice, serviceProviderEntityID: Self.acs, acsURL: Self.acs, inResponseTo: nil)
                _ = try await a.finishLogin(samlResponse: unsolicited.base64, relayState: nil, browserState: nil)
                await Self.refused(.replayed) {
                    try await b.finishLogin(samlResponse: unsolicited.base64, relayState: nil, browserState: nil)
                }
            }
        }
    }
}
#endif
