public import Foundation
public import SAMLCore
public import SAMLMetadata
import SAMLXMLSec

/// Builds the `<samlp:LogoutResponse>` this SP answers an IdP's LogoutRequest with, for the
/// HTTP-Redirect and HTTP-POST bindings. Always signed.
public struct LogoutResponse: Sendable {
    /// What the SP did with the request.
    public enum Outcome: Sendable, Hashable {
        /// Every session named was ended.
        case success
        /// Some sessions could not be ended (`urn:oasis:names:tc:SAML:2.0:status:PartialLogout`).
        case partialLogout
        /// The request was refused (e.g. it failed verification): top-level `Requester`.
        case requesterError
    }

    /// This SP (its signing key is required).
    public var serviceProvider: ServiceProvider
    /// The IdP that sent the request.
    public var identityProvider: IdentityProvider
    /// The ID of the LogoutRequest answered.
    public var inResponseTo: String
    /// The outcome.
    public var outcome: Outcome
    /// The RelayState received with the request, returned unchanged.
    public var relayState: String?
    /// The signature algorithm; nil chooses by key type.
    public var signatureAlgorithm: RequestSignatureAlgorithm?

    /// Creates a response builder.
    public init(serviceProvider: ServiceProvider, identityProvider: IdentityProvider, inResponseTo: String,
                outcome: Outcome, relayState: String? = nil, signatureAlgorithm: RequestSignatureAlgorithm? = nil) {
        self.serviceProvider = serviceProvider
        self.identityProvider = identityProvider
        self.inResponseTo = inResponseTo
        self.outcome = outcome
        self.relayState = relayState
        self.signatureAlgorithm = signatureAlgorithm
    }

    /// The response for the HTTP-Redirect binding (to the endpoint's `ResponseLocation` when it has one).
    public func redirect(to endpoint: Endpoint? = nil, now: Date = Date()) throws -> RedirectRequest {
        let (destination, signer, id) = try prepare(endpoint, binding: .httpRedirect)
        return try OutgoingMessage.redirect(buildDocument(id: id, destination: destination, now: now), kind: .response, id: id,
                                            destination: destination, relayState: relayState, signer: signer,
                                            issueInstant: OutgoingMessage.wholeSeconds(now))
    }

    /// The response for the HTTP-POST binding.
    public func post(to endpoint: Endpoint? = nil, now: Date = Date()) throws -> PostRequest {
        let (destination, signer, id) = try prepare(endpoint, binding: .httpPost)
        return try OutgoingMessage.post(buildDocument(id: id, destination: destination, now: now), kind: .response, id: id,
                                        destination: destination, relayState: relayState, signer: signer, includesCertificate: true,
                                        issueInstant: OutgoingMessage.wholeSeconds(now))
    }

    private func prepare(_ endpoint: Endpoint?, binding: SAMLBinding) throws -> (String, OutgoingMessage.Signer, String) {
        let destination = try SingleLogoutEndpoint.choose(endpoint, binding: binding, of: identityProvider, forResponse: true)
        guard let signer = try OutgoingMessage.signer(for: serviceProvider, signs: true, algorithm: signatureAlgorithm,
                                                      idpWantsSigned: true, idpEntityID: identityProvider.entityID,
                                                      what: "LogoutResponses") else {
            throw SAMLError(.invalidConfiguration, "A LogoutResponse must be signed, and no signing key is configured for this SP.")
        }
        return (destination, signer, try AuthnRequest.newID())
    }

    private func buildDocument(id: String, destination: String, now: Date) throws -> XMLDocument {
        let document = try XMLDocument(rootName: "LogoutResponse", namespace: NS.protocol_, prefix: "samlp")
        guard let root = document.root else { throw SAMLError(.libraryFailure, "The LogoutResponse could not be built.") }
        root.declareNamespace(NS.assertion, prefix: "saml")
        root.setAttribute("ID", id)
        root.setAttribute("Version", "2.0")
        root.setAttribute("IssueInstant", SAMLTime.format(now))
        root.setAttribute("Destination", destination)
        root.setAttribute("InResponseTo", inResponseTo)
        root.addChild("Issuer", namespace: NS.assertion, prefix: "saml").setText(serviceProvider.entityID)
        let status = root.addChild("Status", namespace: NS.protocol_, prefix: "samlp")
        let code = status.addChild("StatusCode", namespace: NS.protocol_, prefix: "samlp")
        switch outcome {
        case .success:
            code.setAttribute("Value", StatusCodes.success)
        case .partialLogout:
            code.setAttribute("Value", StatusCodes.success)
            code.addChild("StatusCode", namespace: NS.protocol_, prefix: "samlp").setAttribute("Value", StatusCodes.partialLogout)
        case .requesterError:
            code.setAttribute("Value", StatusCodes.requester)
        }
        return document
    }
}

/// SAML status code URNs used in logout.
package enum StatusCodes {
    package static let success = "urn:oasis:names:tc:SAML:2.0:status:Success"
    package static let requester = "urn:oasis:names:tc:SAML:2.0:status:Requester"
    package static let responder = "urn:oasis:names:tc:SAML:2.0:status:Responder"
    package static let partialLogout = "urn:oasis:names:tc:SAML:2.0:status:PartialLogout"
}
