public import Foundation
public import SAMLCore
public import SAMLMetadata
import SAMLXMLSec

/// Builds the `<samlp:LogoutRequest>` this SP sends to end a user's session at the IdP (SP-initiated
/// single logout), for the HTTP-Redirect and HTTP-POST bindings. Always signed: the single logout
/// profile requires the requester to authenticate itself, and front-channel bindings can only do
/// that with a signature.
public struct LogoutRequest: Sendable {
    /// This SP (its signing key is required).
    public var serviceProvider: ServiceProvider
    /// The IdP whose session ends.
    public var identityProvider: IdentityProvider
    /// Whom to log out: the NameID exactly as the IdP sent it in the assertion (value, Format and
    /// qualifiers as received).
    public var subject: NameID
    /// The IdP session indexes to end (from the assertion's AuthnStatement); empty ends every session of the user.
    public var sessionIndexes: [String]
    /// The RelayState to send along, if any (at most 80 bytes).
    public var relayState: String?
    /// The signature algorithm; nil chooses RSA-SHA256 or ECDSA-SHA256 by key type.
    public var signatureAlgorithm: RequestSignatureAlgorithm?
    /// How long the request stays valid (`NotOnOrAfter`). Default 5 minutes.
    public var lifetime: Duration

    /// Creates a request builder.
    public init(serviceProvider: ServiceProvider, identityProvider: IdentityProvider, subject: NameID,
                sessionIndexes: [String] = [], relayState: String? = nil, signatureAlgorithm: RequestSignatureAlgorithm? = nil,
                lifetime: Duration = .seconds(300)) {
        self.serviceProvider = serviceProvider
        self.identityProvider = identityProvider
        self.subject = subject
        self.sessionIndexes = sessionIndexes
        self.relayState = relayState
        self.signatureAlgorithm = signatureAlgorithm
        self.lifetime = lifetime
    }

    /// The request for the HTTP-Redirect binding, its query string signed.
    ///
    /// - Throws: `invalidRequest` (the IdP has no logout endpoint for the binding, RelayState too
    ///   long), `invalidConfiguration` (no signing key).
    public func redirect(to endpoint: Endpoint? = nil, now: Date = Date()) throws -> RedirectRequest {
        try redirect(to: endpoint, now: now, id: nil)
    }

    /// The request for the HTTP-POST binding, with an enveloped signature.
    public func post(to endpoint: Endpoint? = nil, now: Date = Date()) throws -> PostRequest {
        try post(to: endpoint, now: now, id: nil)
    }

    package func redirect(to endpoint: Endpoint?, now: Date, id: String?) throws -> RedirectRequest {
        let (destination, signer, requestID) = try prepare(endpoint, binding: .httpRedirect, id: id)
        return try OutgoingMessage.redirect(buildDocument(id: requestID, destination: destination, now: now), kind: .request,
                                            id: requestID, destination: destination, relayState: relayState, signer: signer,
                                            issueInstant: OutgoingMessage.wholeSeconds(now))
    }

    package func post(to endpoint: Endpoint?, now: Date, id: String?) throws -> PostRequest {
        let (destination, signer, requestID) = try prepare(endpoint, binding: .httpPost, id: id)
        return try OutgoingMessage.post(buildDocument(id: requestID, destination: destination, now: now), kind: .request,
                                        id: requestID, destination: destination, relayState: relayState, signer: signer,
                                        includesCertificate: true, issueInstant: OutgoingMessage.wholeSeconds(now))
    }

    private func prepare(_ endpoint: Endpoint?, binding: SAMLBinding, id: String?) throws -> (String, OutgoingMessage.Signer, String) {
        let destination = try SingleLogoutEndpoint.choose(endpoint, binding: binding, of: identityProvider, forResponse: false)
        if let relayState, relayState.utf8.count > 80 {
            throw SAMLError(.invalidRequest, "The RelayState is \(relayState.utf8.count) bytes; the SAML bindings allow at most 80.")
        }
        guard let signer = try OutgoingMessage.signer(for: serviceProvider, signs: true, algorithm: signatureAlgorithm,
                                                      idpWantsSigned: true, idpEntityID: identityProvider.entityID,
                                                      what: "LogoutRequests") else {
            throw SAMLError(.invalidConfiguration, "A LogoutRequest must be signed, and no signing key is configured for this SP.")
        }
        return (destination, signer, try id ?? AuthnRequest.newID())
    }

    private func buildDocument(id: String, destination: String, now: Date) throws -> XMLDocument {
        let document = try XMLDocument(rootName: "LogoutRequest", namespace: NS.protocol_, prefix: "samlp")
        guard let root = document.root else { throw SAMLError(.libraryFailure, "The LogoutRequest could not be built.") }
        root.declareNamespace(NS.assertion, prefix: "saml")
        root.setAttribute("ID", id)
        root.setAttribute("Version", "2.0")
        root.setAttribute("IssueInstant", SAMLTime.format(now))
        root.setAttribute("Destination", destination)
        root.setAttribute("NotOnOrAfter", SAMLTime.format(now.addingTimeInterval(lifetime.timeInterval)))
        root.addChild("Issuer", namespace: NS.assertion, prefix: "saml").setText(serviceProvider.entityID)
        let nameID = root.addChild("NameID", namespace: NS.assertion, prefix: "saml")
        if let qualifier = subject.nameQualifier { nameID.setAttribute("NameQualifier", qualifier) }
        if let qualifier = subject.spNameQualifier { nameID.setAttribute("SPNameQualifier", qualifier) }
        if let format = subject.format { nameID.setAttribute("Format", format.rawValue) }
        nameID.setText(subject.value)
        for index in sessionIndexes {
            root.addChild("SessionIndex", namespace: NS.protocol_, prefix: "samlp").setText(index)
        }
        return document
    }
}

/// Choosing the IdP's single logout endpoint.
enum SingleLogoutEndpoint {
    static func choose(_ requested: Endpoint?, binding: SAMLBinding, of idp: IdentityProvider, forResponse: Bool) throws -> String {
        let candidates = idp.singleLogoutServices.filter { $0.binding == binding }
        let endpoint: Endpoint
        if let requested {
            guard requested.binding == binding, candidates.contains(requested) else {
                throw SAMLError(.invalidRequest, "The endpoint \(requested.location) (\(requested.binding)) is not one of the IdP's \(binding) single logout endpoints.")
            }
            endpoint = requested
        } else {
            guard let first = candidates.first else {
                throw SAMLError(.invalidRequest, "The IdP \(idp.entityID) has no single logout endpoint for \(binding).")
            }
            endpoint = first
        }
        return forResponse ? (endpoint.responseLocation ?? endpoint.location) : endpoint.location
    }
}
