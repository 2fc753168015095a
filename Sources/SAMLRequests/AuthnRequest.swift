public import Foundation
public import SAMLCore
public import SAMLMetadata
import SAMLXMLSec

/// Builds `<samlp:AuthnRequest>` messages from this SP to one IdP, for the HTTP-Redirect and
/// HTTP-POST bindings.
///
/// Each call to ``redirect(to:now:)`` or ``post(to:now:)`` makes a new request with a fresh,
/// unpredictable ID. Keep that ID with the user's session so the response's `InResponseTo` can
/// be checked later, and record it in a ``RequestTracker`` once a response has answered it.
///
/// ```swift
/// let builder = AuthnRequest(serviceProvider: sp, identityProvider: idp,
///                            options: AuthnRequestOptions(relayState: "/inbox"))
/// let request = try builder.redirect()
/// session["saml.request"] = request.id
/// // answer with a 302 to request.url
/// ```
public struct AuthnRequest: Sendable {
    /// The SP sending the request (entity ID, ACS URL and, for signed requests, its key).
    public var serviceProvider: ServiceProvider
    /// The IdP receiving it.
    public var identityProvider: IdentityProvider
    /// What to ask for and how.
    public var options: AuthnRequestOptions

    /// Creates a request builder.
    public init(serviceProvider: ServiceProvider, identityProvider: IdentityProvider, options: AuthnRequestOptions = AuthnRequestOptions()) {
        self.serviceProvider = serviceProvider
        self.identityProvider = identityProvider
        self.options = options
    }

    /// The IdP's single sign-on endpoints for `binding`, in failover order. The first is used
    /// unless another is passed to ``redirect(to:now:)`` or ``post(to:now:)``.
    public func endpoints(for binding: SAMLBinding) -> [Endpoint] {
        identityProvider.singleSignOnServices(for: binding)
    }

    /// A request for the HTTP-Redirect binding: DEFLATE, base64 and URL-encoding, with the
    /// query string signed when the SP has a signing key.
    ///
    /// - Parameters:
    ///   - endpoint: one of ``endpoints(for:)`` with `.httpRedirect`; nil takes the first.
    ///   - now: the IssueInstant.
    /// - Throws: `SAMLError` `.invalidRequest` (RelayState too long, no such endpoint),
    ///   `.invalidConfiguration` (the IdP wants signed requests and the SP has no key),
    ///   `.invalidKey` (the key cannot make the chosen signature).
    public func redirect(to endpoint: Endpoint? = nil, now: Date = Date()) throws -> RedirectRequest {
        try redirect(to: endpoint, now: now, id: nil)
    }

    /// A request for the HTTP-POST binding: an enveloped XML signature after the Issuer (when the
    /// SP has a signing key), base64, and an auto-submitting HTML form.
    ///
    /// - Parameters:
    ///   - endpoint: one of ``endpoints(for:)`` with `.httpPost`; nil takes the first.
    ///   - now: the IssueInstant.
    /// - Throws: as ``redirect(to:now:)``.
    public func post(to endpoint: Endpoint? = nil, now: Date = Date()) throws -> PostRequest {
        try post(to: endpoint, now: now, id: nil)
    }

    // MARK: - Package entry points with a fixed ID (golden tests)

    package func redirect(to endpoint: Endpoint?, now: Date, id: String?) throws -> RedirectRequest {
        let destination = try chooseEndpoint(endpoint, binding: .httpRedirect)
        let relayState = try checkedRelayState()
        let signer = try signer()
        let requestID = try id ?? Self.newID()
        let document = try buildDocument(id: requestID, destination: destination.location, now: now)
        return try OutgoingMessage.redirect(document, kind: .request, id: requestID, destination: destination.location,
                                            relayState: relayState, signer: signer, issueInstant: OutgoingMessage.wholeSeconds(now))
    }

    package func post(to endpoint: Endpoint?, now: Date, id: String?) throws -> PostRequest {
        let destination = try chooseEndpoint(endpoint, binding: .httpPost)
        let relayState = try checkedRelayState()
        let signer = try signer()
        let requestID = try id ?? Self.newID()
        let document = try buildDocument(id: requestID, destination: destination.location, now: now)
        return try OutgoingMessage.post(document, kind: .request, id: requestID, destination: destination.location,
                                        relayState: relayState, signer: signer, includesCertificate: options.includesCertificate,
                                        issueInstant: OutgoingMessage.wholeSeconds(now))
    }

    // MARK: - Building

    /// A new request ID: `_` and 160 random bits in hex (an NCName, as `xs:ID` requires).
    package static func newID() throws -> String {
        "_" + (try Crypto.randomBytes(20)).hex
    }

    private func chooseEndpoint(_ requested: Endpoint?, binding: SAMLBinding) throws -> Endpoint {
        let candidates = endpoints(for: binding)
        if let requested {
            guard requested.binding == binding, candidates.contains(requested) else {
                throw SAMLError(.invalidRequest, "The endpoint \(requested.location) (\(requested.binding)) is not one of the IdP's \(binding) single sign-on endpoints.")
            }
            return requested
        }
        guard let first = candidates.first else {
            throw SAMLError(.invalidRequest, "The IdP \(identityProvider.entityID) has no single sign-on endpoint for \(binding).")
        }
        return first
    }

    private func checkedRelayState() throws -> String? {
        guard let relayState = options.relayState else { return nil }
        let size = relayState.utf8.count
        if size > 80 && !options.allowsLongRelayState {
            throw SAMLError(.invalidRequest, "The RelayState is \(size) bytes; the SAML bindings allow at most 80. Keep a short key to server-side state instead, or opt in to longer values.")
        }
        return relayState
    }

    private func signer() throws -> OutgoingMessage.Signer? {
        try OutgoingMessage.signer(for: serviceProvider, signs: options.signsRequest, algorithm: options.signatureAlgorithm,
                                   idpWantsSigned: identityProvider.wantsAuthnRequestsSigned,
                                   idpEntityID: identityProvider.entityID, what: "AuthnRequests")
    }

    private func buildDocument(id: String, destination: String, now: Date) throws -> XMLDocument {
        let document = try XMLDocument(rootName: "AuthnRequest", namespace: NS.protocol_, prefix: "samlp")
        guard let root = document.root else { throw SAMLError(.libraryFailure, "The AuthnRequest could not be built.") }
        root.declareNamespace(NS.assertion, prefix: "saml")
        root.setAttribute("ID", id)
        root.setAttribute("Version", "2.0")
        root.setAttribute("IssueInstant", SAMLTime.format(now))
        root.setAttribute("Destination", destination)
        if options.forceAuthn { root.setAttribute("ForceAuthn", "true") }
        if options.isPassive { root.setAttribute("IsPassive", "true") }
        root.setAttribute("ProtocolBinding", SAMLBinding.httpPost.rawValue)
        root.setAttribute("AssertionConsumerServiceURL", serviceProvider.acsURL)
        if let providerName = options.providerName { root.setAttribute("ProviderName", providerName) }

        root.addChild("Issuer", namespace: NS.assertion, prefix: "saml").setText(serviceProvider.entityID)
        if let policy = options.nameIDPolicy {
            let element = root.addChild("NameIDPolicy", namespace: NS.protocol_, prefix: "samlp")
            if let format = policy.format { element.setAttribute("Format", format.rawValue) }
            if let allowCreate = policy.allowCreate { element.setAttribute("AllowCreate", allowCreate ? "true" : "false") }
        }
        if let context = options.requestedAuthnContext {
            guard !context.classReferences.isEmpty else {
                throw SAMLError(.invalidRequest, "A RequestedAuthnContext needs at least one class reference.")
            }
            let element = root.addChild("RequestedAuthnContext", namespace: NS.protocol_, prefix: "samlp")
            element.setAttribute("Comparison", context.comparison.rawValue)
            for reference in context.classReferences {
                element.addChild("AuthnContextClassRef", namespace: NS.assertion, prefix: "saml").setText(reference)
            }
        }
        return document
    }
}
