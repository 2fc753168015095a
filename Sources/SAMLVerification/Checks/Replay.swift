import Foundation
import SAMLCore
import SAMLMetadata
import SAMLXMLSec

/// Each assertion is accepted once. Its issuer and ID are recorded in the replay store
/// until the assertion could no longer be accepted anyway (the later of NotOnOrAfter and
/// IssueInstant plus the maximum message age, plus the clock skew); a second use is refused.
enum ReplayCheck {
    static func run(_ run: VerificationRun, assertion: VerifiedAssertion, store: any ReplayStore) async throws {
        guard run.policy.detectReplay else {
            run.report(VerificationDiagnostic(check: .replay, passed: true, facts: [.init("replay detection", "off (policy)")], error: nil))
            return
        }
        var facts: [VerificationDiagnostic.Fact] = []
        let until = assertion.acceptableUntil
        facts.add("assertion ID", assertion.assertionID)
        facts.add("remembered until", until)
        do {
            let fresh = try await store.insertIfAbsent(assertion.issuer + "\u{0}" + assertion.assertionID, expiresAt: until, now: run.now)
            guard fresh else {
                throw SAMLError(.replayed, "The assertion \(assertion.assertionID) was already used; a response is accepted once.")
            }
        } catch let error as SAMLError {
            run.report(VerificationDiagnostic(check: .replay, passed: false, facts: facts, error: error))
            throw error
        }
        run.report(VerificationDiagnostic(check: .replay, passed: true, facts: facts, error: nil))
    }
}
