import Foundation
import SAMLCore
import SAMLMetadata
import SAMLXMLSec

/// When the policy names acceptable authentication context classes, the
/// AuthnStatement's AuthnContextClassRef is one of them; when it sets a maximum authentication
/// age, AuthnInstant is at most that old (with the clock skew). Both are off by default.
enum AuthenticationContextCheck {
    static func run(_ run: VerificationRun, assertion: XMLElement) throws {
        try run.step(.authenticationContext) { facts in
            let authn = assertion.child("AuthnStatement", NS.assertion)
            let classRef = authn?.child("AuthnContext", NS.assertion)?.child("AuthnContextClassRef", NS.assertion)?.text.trimmingXMLWhitespace
            facts.add("found class", classRef ?? "(none)")
            if let required = run.policy.requiredAuthnContext {
                facts.add("accepted classes", required.sorted().joined(separator: ", "))
                guard let classRef, required.contains(classRef) else {
                    throw SAMLError(.authnContextNotAccepted, "The user authenticated with \(classRef.map { "\"\($0)\"" } ?? "no stated AuthnContextClassRef"); the policy accepts only \(required.sorted().map { "\"\($0)\"" }.joined(separator: ", ")). Ask the IdP for that method (RequestedAuthnContext).")
                }
            }
            if let maximum = run.policy.maximumAuthenticationAge {
                let seconds = maximum.timeInterval
                facts.add("maximum authentication age", "\(seconds) s")
                guard let authn, let instant = try run.time(authn, "AuthnInstant") else {
                    throw SAMLError(.authenticationTooOld, "The policy limits the authentication age and the assertion states no AuthnInstant.")
                }
                facts.add("AuthnInstant", instant)
                if run.now.timeIntervalSince(instant) > seconds + run.skew {
                    throw SAMLError(.authenticationTooOld, "The user authenticated at \(SAMLTime.format(instant)), more than \(Int(seconds)) s before now (\(SAMLTime.format(run.now))); send the user to the IdP again with ForceAuthn.")
                }
            }
        }
    }
}
