#if PostgreSQL
import Foundation
import PostgresNIO
import SAMLCore

/// Runs one store operation against the pool under the configured deadline, and turns every way
/// it can fail into a `SAMLError` with `code` (`stateStoreUnavailable` for the state stores,
/// `directoryUnavailable` for the identity-provider directory).
///
/// The deadline covers waiting for a pooled connection (which is where a stopped server shows:
/// the pool keeps retrying to connect), the statement and reading its rows. When it passes, the
/// caller gets the error at once; the operation itself is cancelled and, if the server already
/// runs it, finishes there on its own. That is safe in both directions: a late consume removes a
/// request whose login was already refused, and a late insert records an assertion that was
/// already refused.
struct StoreQuery: Sendable {
    let client: PostgresClient
    let timeout: Duration
    /// The code of every failure.
    var code: SAMLError.Code = .stateStoreUnavailable
    /// The store as reasons name it.
    var store = "PostgreSQL state store"
    /// What is not done instead, as reasons say it.
    var refusal = "accepting unchecked"

    func run<Value: Sendable>(_ action: String,
                              _ operation: @escaping @Sendable (PostgresClient) async throws -> Value) async throws -> Value {
        let client = self.client
        let outcome = OneShot<Value>()
        let result: Result<Value, any Error> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                outcome.install(continuation)
                let work = Task {
                    do { outcome.finish(.success(try await operation(client))) } catch { outcome.finish(.failure(error)) }
                }
                let timeout = self.timeout
                let timer = Task {
                    try? await Task.sleep(for: timeout)
                    if !Task.isCancelled { outcome.finish(.failure(DeadlinePassed())) }
                }
                outcome.attach(work: work, timer: timer)
            }
        } onCancel: {
            outcome.finish(.failure(CancellationError()))
        }
        switch result {
        case .success(let value):
            return value
        case .failure(let error as SAMLError):
            throw error
        case .failure(is DeadlinePassed):
            throw SAMLError(code, "The \(store) did not \(action) within \(timeout); refusing rather than \(refusal).")
        case .failure(is CancellationError):
            throw SAMLError(code, "The call to \(action) was cancelled before the \(store) answered; refusing.")
        case .failure(let error):
            throw SAMLError(code, "The \(store) could not \(action); refusing rather than \(refusal).",
                            libraryMessage: Self.describe(error))
        }
    }

    /// What PostgresNIO reported, without the bound values of the statement.
    static func describe(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            var parts = ["\(error.code)"]
            if let state = error.serverInfo?[.sqlState] { parts.append("SQLSTATE \(state)") }
            if let message = error.serverInfo?[.message] { parts.append(message) }
            if let underlying = error.underlying { parts.append(String(describing: underlying)) }
            return parts.joined(separator: ": ")
        }
        return String(describing: error)
    }
}

/// The deadline of a store call passed before the store answered.
struct DeadlinePassed: Error {}

/// Delivers the first of several outcomes (result, deadline, cancellation) to one waiter, then
/// stops whatever is still running.
final class OneShot<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<Result<Value, any Error>, Never>?
    private var early: Result<Value, any Error>?
    private var done = false
    private var work: Task<Void, Never>?
    private var timer: Task<Void, Never>?

    func install(_ continuation: CheckedContinuation<Result<Value, any Error>, Never>) {
        lock.lock()
        if let early {
            lock.unlock()
            continuation.resume(returning: early)
            return
        }
        self.continuation = continuation
        lock.unlock()
    }

    func attach(work: Task<Void, Never>, timer: Task<Void, Never>) {
        lock.lock()
        let finished = done
        if !finished {
            self.work = work
            self.timer = timer
        }
        lock.unlock()
        if finished {
            work.cancel()
            timer.cancel()
        }
    }

    func finish(_ result: Result<Value, any Error>) {
        lock.lock()
        guard !done else { lock.unlock(); return }
        done = true
        let continuation = self.continuation
        self.continuation = nil
        if continuation == nil { early = result }
        let work = self.work, timer = self.timer
        self.work = nil
        self.timer = nil
        lock.unlock()
        timer?.cancel()
        if case .success = result {} else { work?.cancel() }
        continuation?.resume(returning: result)
    }
}
#endif
