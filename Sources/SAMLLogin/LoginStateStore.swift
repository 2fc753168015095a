public import Foundation
public import SAMLRequests
public import SAMLVerification

/// A store for both login requests and used assertion IDs that finishes a login in one atomic
/// step: it consumes the request the response answers and records the assertion together.
///
/// Given to ``SAMLServiceProvider/init(configuration:stateStore:logger:)``, it halves the store
/// round trips of an SP-initiated login (one statement, one commit, instead of a consume and an
/// insert), which is what a database-backed store spends its time on. The façade then verifies
/// the response first and settles afterwards, so a response that fails verification does not
/// consume the request. `SAMLPostgres` provides one (`PostgresLoginStateStore`).
public protocol LoginStateStore: RequestTracker, ReplayStore {
    /// Consumes the request `requestID` and, in the same atomic step, records `assertionKey` until
    /// `expiresAt`.
    ///
    /// - Parameters:
    ///   - requestID: the request the response answers.
    ///   - assertionKey: the key the verifier records for the assertion (as for
    ///     `ReplayStore.insertIfAbsent(_:expiresAt:now:)`).
    ///   - expiresAt: until when the assertion must be remembered.
    ///   - now: the current time; a request that expired at or before it counts as unknown.
    /// - Returns: what happened; only ``LoginStateOutcome/recorded`` lets the login proceed.
    /// - Throws: `SAMLError` `stateStoreUnavailable` when the store cannot answer (the login is refused).
    func finishLogin(request requestID: String, recording assertionKey: String, until expiresAt: Date,
                     now: Date) async throws -> LoginStateOutcome
}

/// What ``LoginStateStore/finishLogin(request:recording:until:now:)`` did.
public enum LoginStateOutcome: Sendable, Hashable {
    /// The request was consumed and the assertion recorded: the login may proceed.
    case recorded
    /// The request is unknown, expired or already consumed; nothing was recorded.
    case requestUnknown
    /// The request was consumed, and the assertion had already been recorded: a replay.
    case replayed
}

/// The replay store the verifier sees during an SP-initiated login on a ``LoginStateStore``:
/// recording the assertion also consumes the request, in one step.
struct RequestBoundReplayStore: ReplayStore {
    let store: any LoginStateStore
    let requestID: String

    func insertIfAbsent(_ id: String, expiresAt: Date, now: Date) async throws -> Bool {
        switch try await store.finishLogin(request: requestID, recording: id, until: expiresAt, now: now) {
        case .recorded: true
        case .replayed: false
        case .requestUnknown: throw SAMLServiceProvider.unknownRequest(requestID)
        }
    }
}
