import Foundation
import SAMLCore
import SAMLMetadata
import SAMLXMLSec

/// The fixed order of the checks, and the index of `Checks/` (one rule per file, named after it).
/// Each step passes or throws the `SAMLError` that names it. In the order the code runs:
///
/// 1. `Parsing.swift` — the bytes parse safely into a SAML 2.0 Response with an ID.
/// 2. `ResponseSignature.swift` — a signature on the Response verifies and covers it.
/// 3. `Status.swift` — the top-level StatusCode is Success.
/// 4. `MessageShape.swift` (`MessageShapeCheck.run`) — exactly one assertion.
/// 5. `Decryption.swift` with `AssertionSignature.swift` — one step: an `EncryptedAssertion` is
///    decrypted, then the Assertion's own signature is checked (for a plain Assertion, only the
///    signature); in an unsigned Response every failure of the two reads the same.
/// 6. `SignatureRequirement.swift` — something signed verified, the Assertion when required.
/// 7. `MessageShape.swift` (`MessageShapeCheck.assertion`) — the (decrypted) Assertion's
///    version, ID and single Conditions.
/// 8. `Issuer.swift`, 9. `Destination.swift`, 10. `InResponseTo.swift`, 11. `TimeWindow.swift`,
///    12. `Audience.swift`, 13. `SubjectConfirmation.swift`, 14. `AuthenticationContext.swift`.
/// 15. `Reader/AssertionReader.swift` — the one reader that creates the `VerifiedAssertion`.
/// 16. `Replay.swift` — the assertion ID is recorded once (`verify(_:xml:replayStore:)` only).
enum ResponsePipeline {
    /// Every step, the replay store last.
    static func verify(_ run: VerificationRun, xml: [UInt8], replayStore: any ReplayStore) async throws -> VerifiedAssertion {
        let assertion = try self.run(run, xml: xml)
        try await ReplayCheck.run(run, assertion: assertion, store: replayStore)
        return assertion
    }

    /// Every step on a posted value decoded and parsed once already, the replay store last.
    static func verify(_ run: VerificationRun, posted: PostedResponse, replayStore: any ReplayStore) async throws -> VerifiedAssertion {
        try requireSigningCertificates(run)
        let assertion = try checks(run, parsed: try ParsingCheck.run(run, posted: posted))
        try await ReplayCheck.run(run, assertion: assertion, store: replayStore)
        return assertion
    }

    /// Every step but the replay store (steps 1 to 15).
    static func run(_ run: VerificationRun, xml: [UInt8]) throws -> VerifiedAssertion {
        try requireSigningCertificates(run)
        return try checks(run, parsed: try ParsingCheck.run(run, xml: xml))
    }

    private static func requireSigningCertificates(_ run: VerificationRun) throws {
        guard !run.idp.signingCertificates.isEmpty else {
            throw SAMLError(.invalidConfiguration, "The IdP \"\(run.idp.entityID)\" has no signing certificate configured; nothing can be verified.")
        }
    }

    /// Steps 2 to 15, on the parsed document.
    private static func checks(_ run: VerificationRun, parsed: (XMLDocument, XMLElement, String)) throws -> VerifiedAssertion {
        let (document, response, responseID) = parsed
        let responseSigned = try ResponseSignatureCheck.run(run, response: response)
        try StatusCheck.run(run, response: response, responseSigned: responseSigned)
        let container = try MessageShapeCheck.run(run, response: response)
        let (assertion, wasEncrypted, assertionSigned) = try DecryptionCheck.run(
            run, document: document, response: response, assertion: container, responseSigned: responseSigned)
        try SignatureRequirementCheck.run(run, responseSigned: responseSigned, assertionSigned: assertionSigned)
        let assertionID = try MessageShapeCheck.assertion(run, assertion)
        try IssuerCheck.run(run, response: response, assertion: assertion, responseSigned: responseSigned)
        try DestinationCheck.run(run, response: response, responseSigned: responseSigned)
        let responseInResponseTo = try InResponseToCheck.run(run, response: response, responseSigned: responseSigned)
        let window = try TimeWindowCheck.run(run, response: response, assertion: assertion)
        try AudienceCheck.run(run, assertion: assertion)
        let confirmationInResponseTo = try SubjectConfirmationCheck.run(run, assertion: assertion, signedResponseInResponseTo: responseInResponseTo)
        try AuthenticationContextCheck.run(run, assertion: assertion)
        return try AssertionReader.read(run, assertion: assertion, established: .init(
            responseID: responseID, assertionID: assertionID, inResponseTo: confirmationInResponseTo ?? responseInResponseTo,
            window: window, responseSigned: responseSigned, assertionSigned: assertionSigned, wasEncrypted: wasEncrypted))
    }
}
