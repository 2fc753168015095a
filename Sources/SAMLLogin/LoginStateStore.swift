public import Foundation
public import SAMLRequests
public import SAMLVerification

/// A store for both answered requests and used assertion IDs that finishes a login in one atomic
/// step: it records the request as answered and the assertion as used together.
///
/// Given to `SAMLServiceProvider.init(configuration:stateStore:logger:)`, it halves the store
/// round trips of an SP-initiated login (one statement, one commit, instead of two), which is
/// what a database-backed store spends its time on. As with separate stores, the façade verifies
/// the response first and settles afterwards, so a response that fails verification consumes
/// nothing. `SAMLPostgres` provides one (`PostgresLoginStateStore`).
public protocol LoginStateStore: RequestTracker, ReplayStore {
    /// Records the request `requestID` as answered until `requestExpiresAt` and, in the same
    /// atomic step, records `assertionKey` until `expiresAt` (both or neither).
    ///
    /// - Parameters:
    ///   - requestID: the request the response answers.
    ///   - requestExpiresAt: until when the request's record is kept (the request's own expiry).
    ///   - assertionKey: the key the verifier records for the assertion (as for
    ///     `ReplayStore.insertIfAbsent(_:expiresAt:now:)`).
    ///   - expiresAt: until when the assertion must be remembered.
    ///   - now: the current time; a record blocks while its expiry is not before it.
    /// - Returns: what happened; only ``LoginStateOutcome/recorded`` lets the login proceed.
    /// - Throws: `SAMLError` `stateStoreUnavailable` when the store cannot answer (the login is refused).
    func finishLogin(request requestID: String, until requestExpiresAt: Date, recording assertionKey: String,
                     until expiresAt: Date, now: Date) async throws -> LoginStateOutcome
}

/// What ``LoginStateStore/finishLogin(request:until:recording:until:now:)`` did.
public enum LoginStateOutcome: Sendable, Hashable {
    /// The request and the assertion were recorded: the login may proceed.
    case recorded
    /// The request had already been answered; nothing was recorded.
    case requestAlreadyAnswered
    /// The assertion had already been recorded: a replay; nothing was recorded.
    case replayed
}

/// The replay store the verifier sees during an SP-initiated login: recording the assertion (the
/// replay check, the pipeline's last step, reached only by a response that passed every other
/// check) also records the request as answered — in one step on a ``LoginStateStore``, else the
/// request first, then the assertion. So on every store a request is consumed only by a verified
/// response, and a second answer is refused as an answered request.
struct RequestBoundReplayStore: ReplayStore {
    /// Where the request and the assertion are recorded.
    enum Stores {
        case oneStep(any LoginStateStore)
        case separate(tracker: any RequestTracker, replay: any ReplayStore)
    }

    let stores: Stores
    let requestID: String
    let requestExpiresAt: Date

    func insertIfAbsent(_ id: String, scope: ReplayScope, expiresAt: Date, now: Date) async throws -> Bool {
        switch stores {
        case .oneStep(let store):
            guard scope == .assertion else { return try await store.insertIfAbsent(id, scope: scope, expiresAt: expiresAt, now: now) }
            switch try await store.finishLogin(request: requestID, until: requestExpiresAt, recording: id, until: expiresAt, now: now) {
            case .recorded: return true
            case .replayed: return false
            case .requestAlreadyAnswered: throw SAMLServiceProvider.unknownRequest(requestID)
            }
        case .separate(let tracker, let replay):
            guard scope == .assertion else { return try await replay.insertIfAbsent(id, scope: scope, expiresAt: expiresAt, now: now) }
            guard try await tracker.consume(requestID, expiresAt: requestExpiresAt, now: now) else {
                throw SAMLServiceProvider.unknownRequest(requestID)
            }
            return try await replay.insertIfAbsent(id, scope: .assertion, expiresAt: expiresAt, now: now)
        }
    }
}
