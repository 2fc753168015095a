import Foundation
import SAMLCore
import SAMLMetadata
import SAMLXMLSec

/// Rule 13: the Subject has a bearer SubjectConfirmation whose data is for this ACS URL
/// (Recipient), carries no NotBefore, has not expired (NotOnOrAfter, required) and answers the
/// expected request; and a response to a request names that request somewhere.
enum SubjectConfirmationCheck {
    static let bearer = "urn:oasis:names:tc:SAML:2.0:cm:bearer"

    /// Returns the confirming SubjectConfirmationData's InResponseTo.
    static func run(_ run: VerificationRun, assertion: XMLElement, responseInResponseTo: String?) throws -> String? {
        try run.step(.subjectConfirmation) { facts in
            guard let subject = assertion.child("Subject", NS.assertion) else {
                throw SAMLError(.subjectConfirmationFailed, "The Assertion has no Subject.")
            }
            facts.add("expected recipient", run.sp.acsURL)
            let inResponseTo = try confirm(run, subject, facts: &facts)
            if let expected = run.expectedRequestID, responseInResponseTo == nil, inResponseTo == nil {
                throw SAMLError(.inResponseToMismatch, "A response to request \"\(expected)\" was expected, but this one names no request (InResponseTo missing).")
            }
            return inResponseTo
        }
    }

    /// Finds a bearer confirmation that holds; returns its InResponseTo. Throws the first
    /// confirmation's failure when none holds.
    static func confirm(_ run: VerificationRun, _ subject: XMLElement, facts: inout [VerificationDiagnostic.Fact]) throws -> String? {
        let bearers = subject.children("SubjectConfirmation", NS.assertion).filter { $0.attribute("Method") == bearer }
        facts.add("bearer confirmations", "\(bearers.count)")
        guard !bearers.isEmpty else {
            throw SAMLError(.subjectConfirmationFailed, "The Subject has no bearer SubjectConfirmation.")
        }
        var firstFailure: SAMLError?
        for confirmation in bearers {
            do {
                guard let data = confirmation.child("SubjectConfirmationData", NS.assertion) else {
                    throw SAMLError(.subjectConfirmationFailed, "The bearer SubjectConfirmation has no SubjectConfirmationData.")
                }
                facts.add("found recipient", data.attribute("Recipient") ?? "(none)")
                guard let recipient = data.attribute("Recipient") else {
                    throw SAMLError(.recipientMismatch, "The bearer SubjectConfirmationData has no Recipient.")
                }
                guard recipient == run.sp.acsURL else {
                    throw SAMLError(.recipientMismatch, "The bearer confirmation is for \"\(recipient)\", not this SP's ACS URL \"\(run.sp.acsURL)\".")
                }
                if data.attribute("NotBefore") != nil {
                    throw SAMLError(.subjectConfirmationFailed, "A bearer SubjectConfirmationData must not carry NotBefore.")
                }
                guard let notOnOrAfter = try run.time(data, "NotOnOrAfter") else {
                    throw SAMLError(.subjectConfirmationFailed, "The bearer SubjectConfirmationData has no NotOnOrAfter.")
                }
                facts.add("confirmation NotOnOrAfter", notOnOrAfter)
                if run.now.addingTimeInterval(-run.skew) >= notOnOrAfter {
                    throw SAMLError(.expired, "The bearer confirmation expired at \(SAMLTime.format(notOnOrAfter)); now is \(SAMLTime.format(run.now)).")
                }
                let inResponseTo = data.attribute("InResponseTo")
                facts.add("confirmation InResponseTo", inResponseTo ?? "(none)")
                try InResponseToCheck.compare(run, inResponseTo, what: "SubjectConfirmationData")
                return inResponseTo
            } catch let error as SAMLError {
                if firstFailure == nil { firstFailure = error }
            }
        }
        throw firstFailure!
    }
}
