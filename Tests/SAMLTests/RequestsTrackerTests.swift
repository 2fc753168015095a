import Foundation
import SAMLRequests
import Testing

@Suite("Requests: request tracking")
struct RequestsTrackerTests {
    typealias S = RequestsSupport

    @Test("a stored request is consumed once, with its RelayState")
    func consumeOnce() async throws {
        let tracker = InMemoryRequestTracker()
        let request = try S.builder(options: .init(relayState: "/here"), wantsSigned: false).redirect(now: S.fixedNow)
        await tracker.store(request.tracked(lifetime: 300))
        let first = await tracker.consume(request.id, at: S.fixedNow.addingTimeInterval(10))
        #expect(first?.relayState == "/here")
        #expect(first?.expiresAt == S.fixedNow.addingTimeInterval(300))
        #expect(await tracker.consume(request.id, at: S.fixedNow.addingTimeInterval(11)) == nil)
        #expect(await tracker.consume("_unknown", at: S.fixedNow) == nil)
    }

    @Test("an expired request is not accepted")
    func expiry() async throws {
        let tracker = InMemoryRequestTracker()
        await tracker.store(TrackedRequest(id: "_a", relayState: nil, expiresAt: S.fixedNow))
        #expect(await tracker.consume("_a", at: S.fixedNow.addingTimeInterval(1)) == nil)
        await tracker.store(TrackedRequest(id: "_b", relayState: nil, expiresAt: S.fixedNow.addingTimeInterval(5)))
        await tracker.store(TrackedRequest(id: "_c", relayState: nil, expiresAt: Date().addingTimeInterval(600)))
        await tracker.purgeExpired(before: S.fixedNow.addingTimeInterval(10))
        #expect(await tracker.count == 1)
    }

    @Test("the tracker stays within its capacity: expired entries go first, then the oldest")
    func bounded() async throws {
        let tracker = InMemoryRequestTracker(capacity: 3)
        let later = Date().addingTimeInterval(600)
        await tracker.store(TrackedRequest(id: "_old-expired", relayState: nil, expiresAt: Date().addingTimeInterval(-1)))
        await tracker.store(TrackedRequest(id: "_1", relayState: nil, expiresAt: later))
        await tracker.store(TrackedRequest(id: "_2", relayState: nil, expiresAt: later))
        await tracker.store(TrackedRequest(id: "_3", relayState: nil, expiresAt: later))
        #expect(await tracker.count == 3)
        #expect(await tracker.consume("_1", at: Date()) != nil)   // the expired one was dropped, not _1
        await tracker.store(TrackedRequest(id: "_4", relayState: nil, expiresAt: later))
        await tracker.store(TrackedRequest(id: "_5", relayState: nil, expiresAt: later))
        #expect(await tracker.count == 3)
        #expect(await tracker.consume("_2", at: Date()) == nil)   // oldest evicted
        for id in ["_3", "_4", "_5"] { #expect(await tracker.consume(id, at: Date()) != nil) }
        for i in 0..<5_000 { await tracker.store(TrackedRequest(id: "_x\(i)", relayState: nil, expiresAt: later)) }
        #expect(await tracker.count == 3)
        #expect(await tracker.consume("_x4999", at: Date()) != nil)
    }

    @Test("concurrent consumers: exactly one wins")
    func concurrentConsume() async throws {
        let tracker: any RequestTracker = InMemoryRequestTracker()
        // a fixed instant well inside the request's life: a loaded machine cannot make it expire mid-test
        let now = Date()
        try await tracker.store(TrackedRequest(id: "_race", relayState: "s", expiresAt: now.addingTimeInterval(60)))
        let wins = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<50 { group.addTask { try await tracker.consume("_race", at: now) != nil } }
            var count = 0
            for try await won in group where won { count += 1 }
            return count
        }
        #expect(wins == 1)
    }
}
