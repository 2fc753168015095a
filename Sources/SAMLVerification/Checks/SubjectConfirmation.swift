import Foundation
import SAMLCore
import SAMLMetadata
import SAMLXMLSec

/// The Subject has a bearer SubjectConfirmation whose data is for this ACS URL
/// (Recipient), carries no NotBefore, has not expired (NotOnOrAfter, required) and answers the
/// expected request; a response to a request names that request in signed data (the
/// confirmation, or a signed Response); and the bearer assertion carries an AuthnStatement, as
/// the Web SSO profile requires.
enum SubjectConfirmationCheck {
    static let bearer = "urn:oasis:names:tc:SAML:2.0:cm:bearer"

    /// Returns the confirming SubjectConfirmationData's InResponseTo. `signedResponseInResponseTo`
    /// is the Response's value when the Response is signed, else nil.
    static func run(_ run: VerificationRun, assertion: XMLElement, signedResponseInResponseTo: String?) throws -> String? {
        try run.step(.subjectConfirmation) { facts in
            guard let subject = assertion.child("Subject", NS.assertion) else {
                throw SAMLError(.subjectConfirmationFailed, "The Assertion has no Subject.")
            }
            facts.add("expected recipient", run.sp.acsURL)
            let inResponseTo = try confirm(run, subject, facts: &facts)
            if let expected = run.expectedRequestID, signedResponseInResponseTo == nil, inResponseTo == nil {
                throw SAMLError(.inResponseToMismatch, "A response to request \"\(expected)\" was expected, but no signed data names a request (InResponseTo missing from the bearer confirmation, and the Response is unsigned or names none); this is an unsolicited response.")
            }
            guard assertion.child("AuthnStatement", NS.assertion) != nil else {
                throw SAMLError(.invalidMessage, "The bearer assertion carries no AuthnStatement; the Web SSO profile requires one.")
            }
            return inResponseTo
        }
    }

    /// Finds a bearer confirmation that holds; returns its InResponseTo. Throws the first
    /// confirmation's failure when none holds.
    static func confirm(_ run: VerificationRun, _ subject: XMLElement, facts: inout VerificationRun.Facts) throws -> String? {
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
                facts.add("found recipient", data.attribute("Recipient").map(VerificationRun.shown) ?? "(none)")
                guard let recipient = data.attribute("Recipient") else {
                    throw SAMLError(.recipientMismatch, "The bearer SubjectConfirmationData has no Recipient.")
                }
                guard recipient == run.sp.acsURL else {
                    throw SAMLError(.recipientMismatch, "The bearer confirmation is for \"\(VerificationRun.shown(recipient))\", not this SP's ACS URL \"\(run.sp.acsURL)\".")
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
