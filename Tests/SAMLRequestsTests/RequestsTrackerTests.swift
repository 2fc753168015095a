import Foundation
import SAMLCore
import SAMLRequests
import Testing
import SAMLTestSupport

@Suite("Requests: request tracking")
struct RequestsTrackerTests {
    typealias S = RequestsSupport

    @Test("a request is recorded as answered once; a second answer is refused until the record expires")
    func consumeOnce() async throws {
        let tracker = InMemoryRequestTracker()
        let until = S.fixedNow.addingTimeInterval(300)
        #expect(try await tracker.consume("_a", expiresAt: until, now: S.fixedNow.addingTimeInterval(10)))
        #expect(try await !tracker.consume("_a", expiresAt: until, now: S.fixedNow.addingTimeInterval(11)))
        // the record blocks through its expiry instant, then no longer
        #expect(try await !tracker.consume("_a", expiresAt: until, now: until))
        #expect(try await tracker.consume("_a", expiresAt: until.addingTimeInterval(300), now: until.addingTimeInterval(0.001)))
        #expect(try await tracker.consume("_b", expiresAt: until, now: S.fixedNow))
        #expect(await tracker.count == 2)
        await tracker.purgeExpired(before: until.addingTimeInterval(1))
        #expect(await tracker.count == 1)
    }

    @Test("the tracker stays within its capacity: expired entries go first, then it refuses (fails closed)")
    func bounded() async throws {
        let tracker = InMemoryRequestTracker(capacity: 3)
        let now = S.fixedNow
        #expect(try await tracker.consume("_expired", expiresAt: now.addingTimeInterval(-1), now: now.addingTimeInterval(-2)))
        for id in ["_1", "_2"] { #expect(try await tracker.consume(id, expiresAt: now.addingTimeInterval(600), now: now)) }
        #expect(try await tracker.consume("_3", expiresAt: now.addingTimeInterval(600), now: now))   // the expired one made room
        #expect(await tracker.count == 3)
        await #expect(throws: SAMLError.self) { try await tracker.consume("_4", expiresAt: now.addingTimeInterval(600), now: now) }
        #expect(try await !tracker.consume("_1", expiresAt: now.addingTimeInterval(600), now: now))  // still answered
        #expect(try await tracker.consume("_4", expiresAt: now.addingTimeInterval(1200), now: now.addingTimeInterval(601)))
    }

    @Test("concurrent answers to one request: exactly one wins")
    func concurrentConsume() async throws {
        let tracker: any RequestTracker = InMemoryRequestTracker()
        let now = Date()
        let wins = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<50 { group.addTask { try await tracker.consume("_race", expiresAt: now.addingTimeInterval(60), now: now) } }
            var count = 0
            for try await won in group where won { count += 1 }
            return count
        }
        #expect(wins == 1)
    }
}

@Suite("Durations from documents")
struct DurationClampTests {
    @Test("a number of seconds from a document is clamped before it becomes a Duration; non-finite is refused")
    func clamping() {
        let bounds = Duration.seconds(60)...Duration.seconds(7200)
        #expect(Duration.clamping(seconds: 3.15e27, to: bounds) == .seconds(7200))
        #expect(Duration.clamping(seconds: -1e300, to: bounds) == .seconds(60))
        #expect(Duration.clamping(seconds: 90.5, to: bounds) == .milliseconds(90_500))
        #expect(Duration.clamping(seconds: .infinity, to: bounds) == nil)
        #expect(Duration.clamping(seconds: .nan, to: bounds) == nil)
        // a bound far beyond any document still does not trap
        let wide = Duration.zero...Duration.seconds(Int64.max)
        #expect(Duration.clamping(seconds: 9e18, to: wide) != nil)
        #expect(Duration.clamping(seconds: 1e30, to: wide) == .seconds(Int64.max))
    }
}
