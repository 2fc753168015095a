import Foundation
import SAML
import Testing
import SAMLTestSupport

/// The replay store and the acceptance window must agree at their common edge: an entry blocks
/// for as long as the assertion could still be accepted, the last instant included.
@Suite("Replay: the store remembers through the last acceptable instant")
struct ReplayEdgeTests {
    /// The fixture's assertion with no Conditions NotOnOrAfter and a later bearer NotOnOrAfter,
    /// so IssueInstant (10:00:00) + maximum age (300 s) + skew (90 s) = 10:06:30 is the last
    /// instant it is accepted.
    static func response() throws -> [UInt8] {
        Array(try Generated.signed(edits: [
            (" NotOnOrAfter=\"2026-01-15T10:05:00Z\">", ">"),
            ("SubjectConfirmationData NotOnOrAfter=\"2026-01-15T10:05:00Z\"", "SubjectConfirmationData NotOnOrAfter=\"2026-01-15T10:30:00Z\""),
        ]).utf8)
    }

    static let lastAcceptable = Fixtures.date("2026-01-15T10:06:30Z")

    @Test("an assertion replayed at exactly IssueInstant + maximum age + skew is refused")
    func replayAtTheLastAcceptableInstant() async throws {
        let xml = try Self.response()
        let verifier = try Generated.verifier(replayStore: InMemoryReplayStore())
        _ = try await verifier.verify(responseXML: xml, inResponseTo: Generated.requestID, now: Generated.now)
        await expectRejection(.replayed) {
            _ = try await verifier.verify(responseXML: xml, inResponseTo: Generated.requestID, now: Self.lastAcceptable)
        }
        // one second later the window itself refuses it
        await expectRejection(.expired) {
            _ = try await Generated.verifier().verify(responseXML: xml, inResponseTo: Generated.requestID,
                                                      now: Self.lastAcceptable.addingTimeInterval(1))
        }
    }

    @Test("the in-memory stores block an entry while its expiry is not before now")
    func inMemoryStoresBlockThroughTheExpiryInstant() async throws {
        let store = InMemoryReplayStore()
        let until = Generated.now.addingTimeInterval(60)
        #expect(try await store.insertIfAbsent("k", expiresAt: until, now: Generated.now))
        #expect(try await !store.insertIfAbsent("k", expiresAt: until, now: until))
        #expect(try await store.insertIfAbsent("k", expiresAt: until.addingTimeInterval(60), now: until.addingTimeInterval(0.001)))
    }
}
