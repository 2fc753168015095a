import Foundation
@testable import SAMLLogin
import SAML
import Testing
import SAMLTestSupport

/// Records what the verifiers ask a replay store, and answers like an empty store.
actor RecordingReplayStore: ReplayStore {
    struct Record: Sendable { var id: String; var scope: ReplayScope; var expiresAt: Date }
    private(set) var records: [Record] = []

    func insertIfAbsent(_ id: String, scope: ReplayScope, expiresAt: Date, now: Date) async throws -> Bool {
        records.append(Record(id: id, scope: scope, expiresAt: expiresAt))
        return true
    }
}

/// With unsigned logout allowed for an IdP, anyone can post LogoutRequests with fresh IDs and a
/// far `NotOnOrAfter`: what they leave in the replay store must be short-lived and kept apart from
/// assertion IDs, so a flood never refuses a login and never leaves rows a purge cannot remove.
@Suite("Logout replay entries: short-lived, bounded, apart from assertions")
struct LogoutFloodTests {
    /// An unsigned LogoutRequest as an attacker writes it.
    static func forged(id: String, issued: Date, notOnOrAfter: String = "9999-12-31T23:59:59Z") -> String {
        let xml = """
        <samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" \
        ID="\(id)" Version="2.0" IssueInstant="\(SAMLTime.format(issued))" NotOnOrAfter="\(notOnOrAfter)" \
        Destination="\(LogoutWorld.spSLO)"><saml:Issuer>\(Generated.idpEntityID)</saml:Issuer>\
        <saml:NameID>victim@example.com</saml:NameID></samlp:LogoutRequest>
        """
        return Data(xml.utf8).base64EncodedString()
    }

    @Test("a LogoutRequest is remembered no longer than IssueInstant + maximum age + skew, whatever its NotOnOrAfter")
    func entriesAreCappedAtTheAcceptanceWindow() async throws {
        let store = RecordingReplayStore()
        let saml = try LogoutWorld.facade(allowUnsigned: true, replay: store)
        let issued = Generated.now.addingTimeInterval(-30)
        for (index, notOnOrAfter) in ["9999-12-31T23:59:59Z", "2100-01-01T00:00:00Z", SAMLTime.format(Generated.now.addingTimeInterval(60))].enumerated() {
            _ = try await saml.handleLogoutRequest(samlRequest: Self.forged(id: "_flood-\(index)", issued: issued, notOnOrAfter: notOnOrAfter),
                                                   relayState: nil, now: Generated.now) { _ in true }
        }
        let records = await store.records
        #expect(records.count == 3)
        let cap = issued.addingTimeInterval(300 + 90)
        for record in records {
            #expect(record.expiresAt <= cap, "remembered until \(record.expiresAt)")
            #expect(record.scope == .logoutRequest)
        }
        // a NotOnOrAfter earlier than the cap is what bounds that one
        #expect(records.last?.expiresAt == Generated.now.addingTimeInterval(60 + 90))
    }

    @Test("a flood of unsigned LogoutRequests with fresh IDs never makes a login fail")
    func floodDoesNotCrowdOutAssertions() async throws {
        let replay = InMemoryReplayStore(capacity: 20)
        let saml = try LogoutWorld.facade(allowUnsigned: true, replay: replay)
        for index in 0..<40 {
            do {
                _ = try await saml.handleLogoutRequest(samlRequest: Self.forged(id: "_flood-\(index)", issued: Generated.now),
                                                       relayState: nil, now: Generated.now) { _ in true }
            } catch let error as SAMLError {
                #expect(index >= 20, "refused too early: \(error)")
            }
        }
        #expect(await replay.count(in: .logoutRequest) == 20)
        #expect(await replay.count(in: .assertion) == 0)
        let login = try LoginWorld.facade(try LoginWorld.configuration(allowIdPInitiated: true), replay: replay)
        let done = try await login.finishLogin(samlResponse: try LoginWorld.response(answering: nil, assertionID: "_assert-after-flood"),
                                               relayState: nil, browserState: nil, now: Generated.now)
        #expect(done.nameID.value == "alice@example.com")
    }
}
