public import Foundation

/// A request this SP sent and still waits an answer to.
public struct TrackedRequest: Sendable, Hashable, Codable {
    /// The AuthnRequest ID (the response's `InResponseTo`).
    public var id: String
    /// The RelayState sent with it, if any.
    public var relayState: String?
    /// When the request stops being answerable.
    public var expiresAt: Date

    /// Creates a record.
    public init(id: String, relayState: String?, expiresAt: Date) {
        self.id = id
        self.relayState = relayState
        self.expiresAt = expiresAt
    }
}

/// Remembers the AuthnRequests this SP sent, so the Assertion Consumer Service can tell whether
/// a response's `InResponseTo` names one of them, and accept each answer once.
///
/// Implementations must be safe to call concurrently. Back it with a shared store (Redis, a
/// database) when several SP instances serve the same users; ``InMemoryRequestTracker`` serves one
/// process.
public protocol RequestTracker: Sendable {
    /// Records a request that was sent.
    func store(_ request: TrackedRequest) async throws

    /// Removes and returns the request with this ID, or nil if it is unknown, was already
    /// consumed, or expired before `now`. A second call with the same ID returns nil.
    func consume(_ id: String, at now: Date) async throws -> TrackedRequest?
}

extension RequestTracker {
    /// Removes and returns the request with this ID if it is known and not expired now.
    public func consume(_ id: String) async throws -> TrackedRequest? {
        try await consume(id, at: Date())
    }
}

/// A request this SP sent and will see answered: an HTTP-Redirect or HTTP-POST AuthnRequest.
public protocol SentRequest: Sendable {
    /// The request's ID, which the response's InResponseTo must name.
    var id: String { get }
    /// The RelayState sent with it.
    var relayState: String? { get }
    /// When it was issued.
    var issueInstant: Date { get }
}

extension SentRequest {
    /// The record to store for this request, valid for `lifetime` seconds after it was issued.
    public func tracked(lifetime: TimeInterval = 600) -> TrackedRequest {
        TrackedRequest(id: id, relayState: relayState, expiresAt: issueInstant.addingTimeInterval(lifetime))
    }
}

extension RedirectRequest: SentRequest {}
extension PostRequest: SentRequest {}

/// A process-local ``RequestTracker``: bounded in size, forgetting expired requests.
///
/// When full, expired entries go first, then the oldest stored ones, so a flood of started
/// logins cannot grow memory without bound (the users whose requests were dropped simply
/// sign in again).
public actor InMemoryRequestTracker: RequestTracker {
    /// The most requests kept at once.
    public let capacity: Int
    private var entries: [String: TrackedRequest] = [:]
    /// IDs in the order they were stored; may hold IDs already consumed (skipped on eviction).
    private var order: [String] = []
    private var orderStart = 0

    /// Creates a tracker holding at most `capacity` requests (at least 1).
    public init(capacity: Int = 10_000) {
        self.capacity = max(1, capacity)
    }

    /// The number of requests held (expired ones included until they are purged).
    public var count: Int { entries.count }

    /// Records a request. Storing an ID again replaces the earlier record.
    public func store(_ request: TrackedRequest) {
        if entries[request.id] == nil {
            if entries.count >= capacity { purgeExpired(before: Date()) }
            while entries.count >= capacity, orderStart < order.count {
                let oldest = order[orderStart]
                orderStart += 1
                entries[oldest] = nil
            }
            order.append(request.id)
        }
        entries[request.id] = request
        compactOrder()
    }

    /// Removes and returns the request if known and `now` is before its expiry.
    public func consume(_ id: String, at now: Date) -> TrackedRequest? {
        guard let request = entries.removeValue(forKey: id) else { return nil }
        return now < request.expiresAt ? request : nil
    }

    /// Drops every request that expired before `date`.
    public func purgeExpired(before date: Date = Date()) {
        entries = entries.filter { $0.value.expiresAt > date }
        compactOrder(force: true)
    }

    private func compactOrder(force: Bool = false) {
        let live = order.count - orderStart
        guard force || orderStart > 1024 || live > 2 * capacity else { return }
        order = order[orderStart...].filter { entries[$0] != nil }
        orderStart = 0
    }
}
