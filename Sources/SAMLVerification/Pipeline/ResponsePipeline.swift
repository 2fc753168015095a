import Foundation
import SAMLCore
import SAMLMetadata
import SAMLXMLSec

/// The fixed order of the checks. Each step passes or throws the `SAMLError` that names it;
/// the rules themselves live in `Checks/`, one file each, numbered in this order.
enum ResponsePipeline {
    static func run(_ run: VerificationRun, xml: [UInt8]) throws -> VerifiedAssertion {
        guard !run.idp.signingCertificates.isEmpty else {
            throw SAMLError(.invalidConfiguration, "The IdP \"\(run.idp.entityID)\" has no signing certificate configured; nothing can be verified.")
        }
        let (document, response, responseID) = try ParsingCheck.run(run, xml: xml)
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
