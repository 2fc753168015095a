public import Foundation
public import SAMLCore
import SAMLMetadata
public import SAMLRequests
public import SAMLVerification
import SAMLXMLSec

/// A single logout message the test identity provider issued, signed with its key, ready for the
/// browser: a redirect to ``url``, or ``form`` posting ``samlValue``.
public struct IssuedLogoutMessage: Sendable, Hashable {
    /// The message's ID (a LogoutResponse's is not needed by the SP; a LogoutRequest's is the
    /// `expectedRequestID` of its answer).
    public let id: String
    /// `SAMLRequest` for a LogoutRequest, `SAMLResponse` for a LogoutResponse.
    public let parameter: String
    /// The binding it travels by.
    public let binding: SAMLBinding
    /// The SP's single logout URL it is addressed to.
    public let destination: String
    /// The RelayState sent along, if any.
    public let relayState: String?
    /// HTTP-Redirect: the full URL with the signed query string; nil for HTTP-POST.
    public let url: String?
    /// HTTP-POST: the form value (base64 of the signed XML); nil for HTTP-Redirect.
    public let samlValue: String?

    /// HTTP-POST: a complete HTML page whose form posts the message on load (with a button for
    /// browsers without script); nil for HTTP-Redirect.
    public let form: String?
    /// The message XML as sent.
    public let xml: String
}

extension IssuedLogoutMessage {
    init(_ request: RedirectRequest, parameter: String) {
        self.init(id: request.id, parameter: parameter, binding: .httpRedirect, destination: request.destination,
                  relayState: request.relayState, url: request.url, samlValue: nil, form: nil, xml: request.xml)
    }

    init(_ request: PostRequest, parameter: String) {
        self.init(id: request.id, parameter: parameter, binding: .httpPost, destination: request.destination,
                  relayState: request.relayState, url: nil, samlValue: request.base64, form: request.form, xml: request.xml)
    }
}

extension TestIdentityProvider {
    // MARK: Receiving

    /// Verifies an SP's LogoutRequest received by HTTP-Redirect at ``singleLogoutURL``: the query
    /// string (or full URL) exactly as received, its signature checked over the received octets
    /// with the registered SP's certificates, then Issuer, Destination, times and replay — the
    /// checks `LogoutVerifier` makes on the SP side, with the roles reversed.
    ///
    /// - Throws: `SAMLError`: `.invalidConfiguration` (no ``singleLogoutURL``), `.entityNotFound`
    ///   (the Issuer is not a registered SP), `.untrustedKey` (no certificate registered), and
    ///   every code `LogoutVerifier.verifyLogoutRequest(redirectQuery:now:)` throws.
    public func receiveLogoutRequest(query: String, now: Date = Date(), limits: XMLLimits = .default) async throws -> VerifiedLogoutRequest {
        let message = try RedirectBindingMessage(query: query, expecting: "SAMLRequest", limits: limits)
        let verifier = try logoutVerifier(issuerOf: message.xml, limits: limits)
        return try await verifier.verifyLogoutRequest(redirectQuery: query, now: now)
    }

    /// Verifies an SP's LogoutRequest received by HTTP-POST (the `SAMLRequest` form value): the
    /// enveloped signature with the registered SP's certificates, one Reference to the request.
    ///
    /// - Throws: as ``receiveLogoutRequest(query:now:limits:)``.
    public func receiveLogoutRequest(samlRequest: String, relayState: String?, now: Date = Date(),
                                     limits: XMLLimits = .default) async throws -> VerifiedLogoutRequest {
        let verifier = try logoutVerifier(issuerOf: try Self.decodePost(samlRequest, limits: limits), limits: limits)
        return try await verifier.verifyLogoutRequest(samlRequest: samlRequest, relayState: relayState, now: now)
    }

    /// Verifies an SP's LogoutResponse received by HTTP-Redirect, answering the LogoutRequest
    /// ``issueLogoutRequest(for:serviceProviderEntityID:sessionIndexes:binding:relayState:now:)`` made.
    public func receiveLogoutResponse(query: String, expectedRequestID: String, now: Date = Date(),
                                      limits: XMLLimits = .default) throws -> VerifiedLogoutResponse {
        let message = try RedirectBindingMessage(query: query, expecting: "SAMLResponse", limits: limits)
        return try logoutVerifier(issuerOf: message.xml, limits: limits)
            .verifyLogoutResponse(redirectQuery: query, expectedRequestID: expectedRequestID, now: now)
    }

    /// Verifies an SP's LogoutResponse received by HTTP-POST (the `SAMLResponse` form value).
    public func receiveLogoutResponse(samlResponse: String, relayState: String?, expectedRequestID: String, now: Date = Date(),
                                      limits: XMLLimits = .default) throws -> VerifiedLogoutResponse {
        try logoutVerifier(issuerOf: try Self.decodePost(samlResponse, limits: limits), limits: limits)
            .verifyLogoutResponse(samlResponse: samlResponse, relayState: relayState, expectedRequestID: expectedRequestID, now: now)
    }

    // MARK: Issuing

    /// Answers a verified LogoutRequest with a LogoutResponse signed by ``signingKey``, sent to
    /// the SP's registered single logout URL by `binding` (default: the binding the request came by),
    /// carrying the request's RelayState back.
    ///
    /// - Parameters:
    ///   - request: the SP's verified LogoutRequest.
    ///   - outcome: `.success`, `.partialLogout`, or `.requesterError` to test the SP's refusal.
    ///   - binding: how the answer travels; nil answers by the request's binding.
    ///   - now: the IssueInstant.
    /// - Throws: `.entityNotFound` (the SP is not registered), `.invalidConfiguration` (no
    ///   single logout URL registered for it).
    public func issueLogoutResponse(answering request: VerifiedLogoutRequest, outcome: LogoutResponse.Outcome = .success,
                                    binding: SAMLBinding? = nil, now: Date = Date()) throws -> IssuedLogoutMessage {
        let builder = LogoutResponse(serviceProvider: try asSender(), identityProvider: try receiver(request.issuer),
                                     inResponseTo: request.id, outcome: outcome, relayState: request.relayState)
        switch binding ?? request.binding {
        case .httpRedirect: return IssuedLogoutMessage(try builder.redirect(now: now), parameter: "SAMLResponse")
        case .httpPost: return IssuedLogoutMessage(try builder.post(now: now), parameter: "SAMLResponse")
        case let other: throw SAMLError(.invalidRequest, "LogoutResponses travel by HTTP-Redirect or HTTP-POST, not \(other).")
        }
    }

    /// Starts IdP-initiated logout: a LogoutRequest for `user`, signed by ``signingKey``, sent to
    /// the SP's registered single logout URL.
    ///
    /// - Parameters:
    ///   - user: whose sessions end (the NameID and format this IdP asserted).
    ///   - serviceProviderEntityID: the registered SP to log the user out of.
    ///   - sessionIndexes: the session indexes of the responses issued; empty ends every session.
    ///   - binding: HTTP-Redirect (default) or HTTP-POST.
    ///   - relayState: RelayState to send along (at most 80 bytes).
    ///   - now: the IssueInstant.
    /// - Throws: `.entityNotFound`, `.invalidConfiguration` (no single logout URL registered for
    ///   the SP), `.invalidRequest` (RelayState too long).
    public func issueLogoutRequest(for user: TestUser, serviceProviderEntityID: String, sessionIndexes: [String] = [],
                                   binding: SAMLBinding = .httpRedirect, relayState: String? = nil,
                                   now: Date = Date()) throws -> IssuedLogoutMessage {
        let builder = LogoutRequest(serviceProvider: try asSender(), identityProvider: try receiver(serviceProviderEntityID),
                                    subject: .init(value: user.nameID, format: user.nameIDFormat),
                                    sessionIndexes: sessionIndexes, relayState: relayState)
        switch binding {
        case .httpRedirect: return IssuedLogoutMessage(try builder.redirect(now: now), parameter: "SAMLRequest")
        case .httpPost: return IssuedLogoutMessage(try builder.post(now: now), parameter: "SAMLRequest")
        default: throw SAMLError(.invalidRequest, "LogoutRequests travel by HTTP-Redirect or HTTP-POST, not \(binding).")
        }
    }

    // MARK: Internals

    /// This IdP in the sender's role of the library's logout builders.
    private func asSender() throws -> ServiceProvider {
        ServiceProvider(entityID: entityID, acsURL: try ownLogoutURL(), signingKey: signingKey)
    }

    private func ownLogoutURL() throws -> String {
        guard let singleLogoutURL else {
            throw SAMLError(.invalidConfiguration, "This test IdP has no singleLogoutURL, so it takes no part in single logout.")
        }
        return singleLogoutURL
    }

    private func registration(_ spEntityID: String) throws -> ServiceProviderRegistration {
        guard let found = serviceProviders.first(where: { $0.entityID == spEntityID }) else {
            throw SAMLError(.entityNotFound, "The SP \"\(String(spEntityID.prefix(200)))\" is not registered with this IdP; single logout needs its certificate and logout URL.")
        }
        return found
    }

    /// A registered SP in the receiver's (or sender's) role: its entity ID, signing certificates
    /// and single logout endpoints.
    private func receiver(_ spEntityID: String) throws -> IdentityProvider {
        let sp = try registration(spEntityID)
        var asPeer = IdentityProvider(entityID: sp.entityID, singleSignOnURL: nil, certificates: sp.signingCertificates)
        if let url = sp.singleLogoutURL {
            asPeer.singleLogoutServices = [Endpoint(binding: .httpRedirect, location: url), Endpoint(binding: .httpPost, location: url)]
        }
        guard !asPeer.singleLogoutServices.isEmpty else {
            throw SAMLError(.invalidConfiguration, "The SP \"\(sp.entityID)\" is registered without a singleLogoutURL.")
        }
        return asPeer
    }

    /// `LogoutVerifier` with the roles reversed, for the SP that issued `xml` (by its Issuer;
    /// the verifier then checks the signature and the Issuer for real).
    private func logoutVerifier(issuerOf xml: [UInt8], limits: XMLLimits) throws -> LogoutVerifier {
        let document = try XMLDocument.parse(xml, limits: limits)
        guard let issuer = document.root?.child("Issuer", NS.assertion)?.text.trimmingXMLWhitespace, !issuer.isEmpty else {
            throw SAMLError(.issuerMismatch, "The logout message names no Issuer, so the SP cannot be told.")
        }
        let sp = try registration(issuer)
        guard !sp.signingCertificates.isEmpty else {
            throw SAMLError(.untrustedKey, "No signing certificate is registered for the SP \"\(sp.entityID)\"; its logout messages cannot be checked.")
        }
        var policy = VerificationPolicy.default
        policy.limits = limits
        var sender = IdentityProvider(entityID: sp.entityID, singleSignOnURL: nil, certificates: sp.signingCertificates)
        sender.singleLogoutServices = sp.singleLogoutURL.map { [Endpoint(binding: .httpRedirect, location: $0)] } ?? []
        return LogoutVerifier(serviceProvider: try asSender(), singleLogoutURL: try ownLogoutURL(), identityProvider: sender,
                              policy: policy, replayStore: replayStore)
    }

    private static func decodePost(_ value: String, limits: XMLLimits) throws -> [UInt8] {
        guard value.utf8.count <= limits.maximumBytes / 3 * 4 + 1024 else {
            throw SAMLError(.tooLarge, "The form value is beyond the size limit.")
        }
        guard let xml = Base64.decode(value) else {
            throw SAMLError(.invalidEncoding, "The form value is not valid base64.")
        }
        return xml
    }
}

extension TestIdentityProvider.ServiceProviderRegistration {
    /// Registers a `ServiceProvider` that takes part in single logout at `singleLogoutURL`.
    public init(_ serviceProvider: ServiceProvider, singleLogoutURL: String) {
        self.init(serviceProvider)
        self.singleLogoutURL = singleLogoutURL
    }
}
