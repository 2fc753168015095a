import Foundation
import SAMLCore
import SAMLMetadata
import SAMLXMLSec

/// The Response and Assertion were issued recently (IssueInstant within the maximum
/// message age, not in the future), now lies in the Conditions window, and the IdP session
/// (SessionNotOnOrAfter) has not ended — each with the clock skew.
enum TimeWindowCheck {
    /// What the window established: Conditions NotOnOrAfter and SessionNotOnOrAfter.
    struct Window {
        var notOnOrAfter: Date?
        var sessionNotOnOrAfter: Date?
        /// The last instant this assertion could still be accepted, however the checks are
        /// passed: the later of NotOnOrAfter and each IssueInstant plus the maximum age, plus
        /// the skew. The replay store remembers the assertion at least that long.
        var acceptableUntil = Date.distantPast
    }

    static func run(_ run: VerificationRun, response: XMLElement, assertion: XMLElement) throws -> Window {
        try run.step(.timeWindow) { facts in
            facts.add("now", run.now)
            facts.add("clock skew", "\(run.skew) s")
            facts.add("maximum message age", "\(run.policy.maximumMessageAge.timeInterval) s")
            let responseIssued = try issueInstant(run, response, what: "Response", facts: &facts)
            let assertionIssued = try issueInstant(run, assertion, what: "Assertion", facts: &facts)
            var window = Window()
            let age = run.policy.maximumMessageAge.timeInterval
            if let conditions = assertion.child("Conditions", NS.assertion) {
                let notBefore = try run.time(conditions, "NotBefore")
                let notOnOrAfter = try run.time(conditions, "NotOnOrAfter")
                facts.add("Conditions NotBefore", notBefore.map(SAMLTime.format) ?? "(none)")
                facts.add("Conditions NotOnOrAfter", notOnOrAfter.map(SAMLTime.format) ?? "(none)")
                if let notBefore, let notOnOrAfter, notOnOrAfter <= notBefore {
                    throw SAMLError(.expired, "The Conditions window is empty (NotBefore \(SAMLTime.format(notBefore)) is not before NotOnOrAfter \(SAMLTime.format(notOnOrAfter))); the assertion is never valid.")
                }
                if let notBefore, run.now.addingTimeInterval(run.skew) < notBefore {
                    throw SAMLError(.notYetValid, "The assertion is valid from \(SAMLTime.format(notBefore)); now is \(SAMLTime.format(run.now)) (skew \(Int(run.skew)) s). Check the clocks.")
                }
                if let notOnOrAfter, run.now.addingTimeInterval(-run.skew) >= notOnOrAfter {
                    throw SAMLError(.expired, "The assertion expired at \(SAMLTime.format(notOnOrAfter)); now is \(SAMLTime.format(run.now)).")
                }
                window.notOnOrAfter = notOnOrAfter
            }
            if let authn = assertion.child("AuthnStatement", NS.assertion), let end = try run.time(authn, "SessionNotOnOrAfter") {
                facts.add("SessionNotOnOrAfter", end)
                if run.now.addingTimeInterval(-run.skew) >= end {
                    throw SAMLError(.expired, "The IdP session ended at \(SAMLTime.format(end)) (SessionNotOnOrAfter).")
                }
                window.sessionNotOnOrAfter = end
            }
            window.acceptableUntil = max(window.notOnOrAfter ?? .distantPast, responseIssued.addingTimeInterval(age),
                                         assertionIssued.addingTimeInterval(age)).addingTimeInterval(run.skew)
            return window
        }
    }

    @discardableResult
    static func issueInstant(_ run: VerificationRun, _ element: XMLElement, what: String, facts: inout VerificationRun.Facts) throws -> Date {
        guard let instant = try run.time(element, "IssueInstant") else {
            throw SAMLError(.invalidMessage, "The \(what) has no IssueInstant.")
        }
        facts.add("\(what) IssueInstant", instant)
        let age = run.policy.maximumMessageAge.timeInterval
        if instant > run.now.addingTimeInterval(run.skew) {
            throw SAMLError(.notYetValid, "The \(what) was issued at \(SAMLTime.format(instant)), in the future (now \(SAMLTime.format(run.now)), skew \(Int(run.skew)) s); check the clocks.")
        }
        if run.now.timeIntervalSince(instant) > age + run.skew {
            throw SAMLError(.expired, "The \(what) was issued at \(SAMLTime.format(instant)), more than \(Int(age)) s ago (now \(SAMLTime.format(run.now))).")
        }
        return instant
    }
}
