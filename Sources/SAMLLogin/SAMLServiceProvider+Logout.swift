public import Foundation
public import SAMLCore
import SAMLMetadata
import SAMLRequests
import Logging
public import SAMLVerification
import SAMLXMLSec

/// Single logout, both directions, as strict as the ACS.
extension SAMLServiceProvider {
    /// The cookie name the framework integrations use for a logout's state.
    public static let logoutStateCookieName = "saml_logout_state"

    /// Starts SP-initiated single logout for a login: a signed LogoutRequest naming the login's
    /// NameID (as received) and session index. Its ID travels sealed in the logout state; the
    /// IdP's answer is accepted once.
    ///
    /// - Parameters:
    ///   - login: the session's ``Login``.
    ///   - binding: HTTP-Redirect (default) or HTTP-POST.
    ///   - returnTo: where to land after the IdP answers (validated like a login's return-to).
    ///   - now: the current time (injectable for tests).
    /// - Returns: what to send the browser, and the state to keep in ``logoutStateCookieName``.
    /// - Throws: `invalidConfiguration` (no SP signing key or no logout URL), `invalidRequest`
    ///   (the IdP has no single logout endpoint for the binding), `entityNotFound`.
    public func logout(_ login: Login, binding: SAMLBinding = .httpRedirect, returnTo: String? = nil,
                       now: Date = Date()) async throws -> LoginStart {
        guard configuration.singleLogoutURL != nil else {
            throw SAMLError(.invalidConfiguration, "Single logout needs this SP's logout URL (singleLogoutURL) in the configuration.")
        }
        let entry = try await identityProvider(named: login.issuer, now: now)
        let trusted = entry.trusted
        let relayToken = try Crypto.randomBytes(16).hex
        let builder = LogoutRequest(serviceProvider: serviceProvider(acsURL: configuration.acsURLs[0], entry: entry),
                                    identityProvider: trusted.identityProvider, subject: login.nameID,
                                    sessionIndexes: login.sessionIndex.map { [$0] } ?? [], relayState: relayToken)
        let requestID: String
        let action: LoginStart.Action
        switch binding {
        case .httpRedirect:
            let request = try builder.redirect(now: now)
            (requestID, action) = (request.id, .redirect(url: request.url))
        case .httpPost:
            let request = try builder.post(now: now)
            (requestID, action) = (request.id, .post(PostForm(action: request.destination,
                                                              fields: [("SAMLRequest", request.base64), ("RelayState", relayToken)])))
        default:
            throw SAMLError(.invalidRequest, "LogoutRequests travel by HTTP-Redirect or HTTP-POST, not \(binding).")
        }
        let expiresAt = now.addingTimeInterval(configuration.requestLifetime.timeInterval)
        let state = BrowserState(requestID: requestID, identityProvider: trusted.entityID, acsURL: "", relayToken: relayToken,
                                 returnTo: configuration.returnTo.resolve(returnTo),
                                 expires: Int64(expiresAt.timeIntervalSince1970.rounded(.down)))
        logger?.debug("SAML logout started", metadata: ["saml.idp": .string(trusted.entityID), "saml.request_id": .string(requestID)])
        return LoginStart(action: action, browserState: try state.sealed(with: secrets[0], for: .logout), expiresAt: expiresAt,
                          requestID: requestID, identityProvider: trusted.entityID)
    }

    /// Finishes SP-initiated logout with the IdP's LogoutResponse received by HTTP-Redirect
    /// (`query`: the raw query string or full URL, exactly as received).
    public func finishLogout(redirectQuery query: String, browserState: String?, now: Date = Date()) async throws -> LogoutResult {
        let (state, verifier) = try await prepareLogoutFinish(browserState, now: now)
        let response = try verifier.verifyLogoutResponse(redirectQuery: query, expectedRequestID: state.requestID, now: now)
        return try await logoutResult(response, state: state, now: now)
    }

    /// Finishes SP-initiated logout with the IdP's LogoutResponse received by HTTP-POST.
    public func finishLogout(samlResponse: String, relayState: String?, browserState: String?, now: Date = Date()) async throws -> LogoutResult {
        let (state, verifier) = try await prepareLogoutFinish(browserState, now: now)
        let response = try verifier.verifyLogoutResponse(samlResponse: samlResponse, relayState: relayState,
                                                         expectedRequestID: state.requestID, now: now)
        return try await logoutResult(response, state: state, now: now)
    }

    /// Handles an IdP-initiated LogoutRequest received by HTTP-Redirect: verifies it (signature over
    /// the raw received query octets), lets `endSessions` end the sessions it names, and returns the
    /// signed LogoutResponse to send the browser back to the IdP with.
    ///
    /// - Parameters:
    ///   - query: the raw query string (or the full URL) exactly as received.
    ///   - now: the current time (injectable for tests).
    ///   - endSessions: ends the sessions of the request's NameID and session indexes; returns
    ///     false when some could not be ended (answered as `PartialLogout`).
    public func handleLogoutRequest(redirectQuery query: String, now: Date = Date(),
                                    endSessions: (VerifiedLogoutRequest) async throws -> Bool) async throws -> LoginStart.Action {
        let message = try RedirectBindingMessage(query: query, expecting: "SAMLRequest", limits: configuration.policy.limits)
        let trusted = try await logoutIdentityProvider(issuerOf: message.xml, now: now)
        let request = try await logoutVerifier(for: trusted).verifyLogoutRequest(redirectQuery: query, now: now)
        return try await answer(request, trusted: trusted, now: now, endSessions: endSessions)
    }

    /// Handles an IdP-initiated LogoutRequest received by HTTP-POST (the `SAMLRequest` form value).
    public func handleLogoutRequest(samlRequest: String, relayState: String?, now: Date = Date(),
                                    endSessions: (VerifiedLogoutRequest) async throws -> Bool) async throws -> LoginStart.Action {
        let trusted = try await logoutIdentityProvider(issuerOf: LogoutShapeHint.decode(samlRequest, limits: configuration.policy.limits), now: now)
        let request = try await logoutVerifier(for: trusted).verifyLogoutRequest(samlRequest: samlRequest, relayState: relayState, now: now)
        return try await answer(request, trusted: trusted, now: now, endSessions: endSessions)
    }

    // MARK: - Internals

    private func logoutVerifier(for entry: IdentityProviderEntry) throws -> LogoutVerifier {
        guard let slo = configuration.singleLogoutURL else {
            throw SAMLError(.invalidConfiguration, "Single logout needs this SP's logout URL (singleLogoutURL) in the configuration.")
        }
        return LogoutVerifier(serviceProvider: serviceProvider(acsURL: configuration.acsURLs[0], entry: entry), singleLogoutURL: slo,
                              identityProvider: entry.trusted.identityProvider, policy: configuration.policy, replayStore: replayStore,
                              allowsUnsignedMessages: entry.trusted.allowsUnsignedLogoutMessages)
    }

    private func prepareLogoutFinish(_ browserState: String?, now: Date) async throws -> (BrowserState, LogoutVerifier) {
        guard let browserState, !browserState.isEmpty else {
            throw SAMLError(.inResponseToMismatch, "No logout was started in this browser (no logout state cookie).")
        }
        let state = try BrowserState.open(browserState, secrets: secrets, now: now, for: .logout)
        let trusted = try await identityProvider(named: state.identityProvider, now: now)
        return (state, try logoutVerifier(for: trusted))
    }

    /// The verified answer's outcome; the request is consumed only now, after verification.
    private func logoutResult(_ response: VerifiedLogoutResponse, state: BrowserState, now: Date) async throws -> LogoutResult {
        if let relayState = response.relayState, !relayState.isEmpty,
           !MessageAuthentication.constantTimeEqual(Array(relayState.utf8), Array(state.relayToken.utf8)) {
            throw SAMLError(.inResponseToMismatch, "The RelayState does not belong to the logout this browser started.")
        }
        guard try await requestTracker.consume(state.requestID, expiresAt: state.expiryDate, now: now) else {
            throw SAMLError(.inResponseToMismatch, "The logout request \(state.requestID) was already answered.")
        }
        logger?.info("SAML logout finished", metadata: ["saml.idp": .string(response.issuer), "saml.partial": .stringConvertible(response.isPartial)])
        return LogoutResult(isPartial: response.isPartial, returnTo: configuration.returnTo.resolve(state.returnTo))
    }

    private func logoutIdentityProvider(issuerOf xml: [UInt8], now: Date) async throws -> IdentityProviderEntry {
        let snapshot = try await directorySnapshot()
        if snapshot.entries.count == 1 { return try usable(snapshot.entries[0], named: snapshot.entries[0].id, now: now) }
        let document = try XMLDocument.parse(xml, limits: configuration.policy.limits)
        let issuer = document.root?.child("Issuer", NS.assertion)?.text.trimmingXMLWhitespace
        guard let issuer, let entry = snapshot.entry(entityID: issuer) else {
            throw SAMLError(.issuerMismatch, "The LogoutRequest's issuer is not a configured IdP.")
        }
        return try usable(entry, named: issuer, now: now)
    }

    private func answer(_ request: VerifiedLogoutRequest, trusted entry: IdentityProviderEntry, now: Date,
                        endSessions: (VerifiedLogoutRequest) async throws -> Bool) async throws -> LoginStart.Action {
        let trusted = entry.trusted
        let ended = try await endSessions(request)
        logger?.info("SAML logout request handled", metadata: [
            "saml.idp": .string(trusted.entityID), "saml.request_id": .string(request.id), "saml.partial": .stringConvertible(!ended),
        ])
        let builder = LogoutResponse(serviceProvider: serviceProvider(acsURL: configuration.acsURLs[0], entry: entry),
                                     identityProvider: trusted.identityProvider, inResponseTo: request.id,
                                     outcome: ended ? .success : .partialLogout, relayState: request.relayState)
        let hasRedirect = trusted.identityProvider.singleLogoutServices.contains { $0.binding == .httpRedirect }
        let hasPost = trusted.identityProvider.singleLogoutServices.contains { $0.binding == .httpPost }
        if request.binding == .httpRedirect && hasRedirect || !hasPost {
            return .redirect(url: try builder.redirect(now: now).url)
        }
        let response = try builder.post(now: now)
        var fields = [("SAMLResponse", response.base64)]
        if let relayState = request.relayState { fields.append(("RelayState", relayState)) }
        return .post(PostForm(action: response.destination, fields: fields))
    }
}

/// The outcome of SP-initiated logout.
public struct LogoutResult: Sendable, Hashable {
    /// Whether the IdP ended only some sessions.
    public let isPartial: Bool
    /// Where to send the browser now.
    public let returnTo: String
}

enum LogoutShapeHint {
    static func decode(_ value: String, limits: XMLLimits) throws -> [UInt8] {
        guard value.utf8.count <= limits.maximumBytes / 3 * 4 + limits.maximumBytes / 16 + 1024 else {
            throw SAMLError(.tooLarge, "The SAMLRequest value is beyond the \(limits.maximumBytes)-byte XML limit.")
        }
        guard let bytes = Base64.decode(value) else { throw SAMLError(.invalidEncoding, "The SAMLRequest value is not valid base64.") }
        return bytes
    }
}
