import Foundation
import SAML
import SAMLTesting
import Testing
import SAMLTestSupport

/// An in-memory `LoginStateStore` for these tests: answered requests and assertion keys in one
/// actor, the one-step finish done atomically by the actor.
actor OneStepStore: LoginStateStore {
    private var answered: [String: Date] = [:]
    private var keys: [ReplayScope: [String: Date]] = [:]
    private(set) var finishes = 0

    func consume(_ id: String, expiresAt: Date, now: Date) async throws -> Bool {
        if let until = answered[id], until >= now { return false }
        answered[id] = expiresAt
        return true
    }

    func insertIfAbsent(_ id: String, scope: ReplayScope, expiresAt: Date, now: Date) async throws -> Bool {
        if let until = keys[scope]?[id], until >= now { return false }
        keys[scope, default: [:]][id] = expiresAt
        return true
    }

    func finishLogin(request requestID: String, until requestExpiresAt: Date, recording assertionKey: String,
                     until expiresAt: Date, now: Date) async throws -> LoginStateOutcome {
        finishes += 1
        guard try await consume(requestID, expiresAt: requestExpiresAt, now: now) else { return .requestAlreadyAnswered }
        return try await insertIfAbsent(assertionKey, expiresAt: expiresAt, now: now) ? .recorded : .replayed
    }

    var answeredCount: Int { answered.count }
}

/// The façade on a `LoginStateStore` verifies first and settles after: every defective response
/// is refused by the verifier with its own code before the store is asked, and leaves the
/// request pending; only a verified response consumes it, once.
@Suite("SAMLServiceProvider on a LoginStateStore")
struct LoginStateStoreFacadeTests {
    typealias W = TestIdPWorld

    @Test("wrapped, unsigned, tampered, expired, wrong-audience and replayed responses are refused")
    func refusesEveryBrokenKind() async throws {
        let idp = try W.idp(wantSigned: true)
        let store = OneStepStore()
        let configuration = SAMLServiceProvider.Configuration(
            acsURL: W.acsURL, entityID: W.spEntityID, identityProviders: [TrustedIdentityProvider(idp.identityProvider)],
            signingKey: try DemoOnlyCredentials.serviceProvider(), unsafeAllowsPublishedDemoKeys: true)
        let saml = try SAMLServiceProvider(configuration: configuration, stateStore: store)

        let start = try await saml.login()
        let kinds: [BrokenVariant] = [.wrapped, .unsigned, .tamperedAfterSigning, .expired, .wrongAudience, .wrongRecipient,
                                      .wrongIssuer, .notYetValid, .otherRequestInResponseTo]
        for kind in kinds {
            for signing in [ResponseOptions.Signing.both, .assertion] {
                let options = ResponseOptions(signing: signing, broken: kind)
                let broken = try TestIdPWorld.answer(start, idp: idp, options: options)
                await expectRejection(kind.expectedErrorCode(for: options)) {
                    _ = try await saml.finishLogin(samlResponse: broken.base64, relayState: broken.relayState,
                                                   browserState: start.browserState)
                }
            }
        }
        // None of them reached the store: the request is still pending.
        #expect(await store.finishes == 0)
        #expect(await store.answeredCount == 0)

        let good = try TestIdPWorld.answer(start, idp: idp, options: ResponseOptions(broken: .replayed))
        let login = try await saml.finishLogin(samlResponse: good.base64, relayState: good.relayState, browserState: start.browserState)
        #expect(login.nameID.value == "alice@example.com")
        #expect(await store.answeredCount == 1)
        // Posted again: the request is spent (the same code as with separate stores).
        await expectRejection(.inResponseToMismatch) {
            _ = try await saml.finishLogin(samlResponse: idp.replay(good).base64, relayState: good.relayState, browserState: start.browserState)
        }
        // The store was asked twice: the good response, and its second post (verified, then request unknown).
        #expect(await store.finishes == 2)
    }

    @Test("a replayed assertion on a new request is refused as replayed; policy without replay detection still consumes the request")
    func replayAcrossRequestsAndNoReplayPolicy() async throws {
        let idp = try W.idp(wantSigned: true)
        let store = OneStepStore()
        var configuration = SAMLServiceProvider.Configuration(
            acsURL: W.acsURL, entityID: W.spEntityID, identityProviders: [TrustedIdentityProvider(idp.identityProvider)],
            signingKey: try DemoOnlyCredentials.serviceProvider(), unsafeAllowsPublishedDemoKeys: true)
        let saml = try SAMLServiceProvider(configuration: configuration, stateStore: store)
        let start = try await saml.login()
        let good = try TestIdPWorld.answer(start, idp: idp, options: ResponseOptions())
        _ = try await saml.finishLogin(samlResponse: good.base64, relayState: good.relayState, browserState: start.browserState)
        // An assertion key recorded already makes the store answer `.replayed`: the façade refuses.
        let key = "\(idp.entityID)\u{0}\(good.assertionID)"
        #expect(try await store.finishLogin(request: "_other", until: Date().addingTimeInterval(600), recording: key,
                                            until: Date().addingTimeInterval(600), now: Date()) == .replayed)

        // With replay detection off the store is never asked to record; the request is consumed after verifying.
        configuration.policy.detectReplay = false
        let lax = try SAMLServiceProvider(configuration: configuration, stateStore: store)
        let third = try await lax.login()
        let answer = try TestIdPWorld.answer(third, idp: idp, options: ResponseOptions())
        let before = await store.finishes
        _ = try await lax.finishLogin(samlResponse: answer.base64, relayState: answer.relayState, browserState: third.browserState)
        #expect(await store.finishes == before)
        await expectRejection(.inResponseToMismatch) {
            _ = try await lax.finishLogin(samlResponse: answer.base64, relayState: answer.relayState, browserState: third.browserState)
        }
    }
}
