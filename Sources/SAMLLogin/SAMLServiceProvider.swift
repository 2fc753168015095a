public import Foundation
public import Logging
import SAMLCore
import SAMLMetadata
public import SAMLRequests
public import SAMLVerification
import SAMLXMLSec

/// This app as a SAML service provider: one value from "log in" to a verified, session-ready
/// ``Login``, with every security rule on by default.
///
/// ```swift
/// let saml = try SAMLServiceProvider(configuration: .init(
///     acsURL: "https://app.example.com/saml/acs",             // also the entity ID (audience)
///     identityProviders: [.init(try IdentityProvider(metadata: awsMetadata))]))
///
/// // GET /login
/// let start = try await saml.login(returnTo: request.query["returnTo"])
/// // set cookie SAMLServiceProvider.stateCookieName = start.browserState; redirect or post start.action
///
/// // POST /saml/acs
/// let login = try await saml.finishLogin(samlResponse: form["SAMLResponse"] ?? "",
///                                        relayState: form["RelayState"], browserState: cookie)
/// // store `login` in the session, redirect to login.returnTo
/// ```
///
/// It wires in what every ACS needs and apps get wrong: the login state (each response must
/// answer a request *this browser* started; the request travels sealed in the browser, so starting
/// a login stores nothing on the server), the request tracker (each request answered once, recorded
/// only after the response verified), the replay store, RelayState as an
/// opaque reference, return-to validation (no open redirects), IdP-initiated logins only where
/// enabled, several IdPs (chosen by the response's Issuer, then fully verified by that IdP's keys)
/// and several ACS URLs. Copies share their stores; the default stores and state secret are
/// process-wide, so a façade built per request still refuses replays.
public struct SAMLServiceProvider: Sendable {
    /// The cookie name the framework integrations use for ``LoginStart/browserState``.
    public static let stateCookieName = "saml_login_state"

    /// The configuration.
    public let configuration: Configuration
    /// Where answered requests are recorded once their response has verified, so each request is
    /// answered once.
    public let requestTracker: any RequestTracker
    /// Where accepted assertion IDs are remembered.
    public let replayStore: any ReplayStore
    /// Where decisions are logged (nothing is logged without one). Rejections at `notice` with
    /// their code and reason; attribute values never above `debug`.
    public let logger: Logger?
    /// The store that keeps both requests and assertion IDs and settles a login in one step,
    /// when the façade was made with one.
    public let stateStore: (any LoginStateStore)?
    /// Where the IdPs are looked up on every login, ACS post and session check: the directory
    /// given at creation, else an in-memory one holding the configuration's fixed list.
    public let directory: any IdentityProviderDirectory

    let secrets: [StateSecret]

    /// Creates the façade.
    ///
    /// - Parameters:
    ///   - configuration: this SP, its IdPs and rules.
    ///   - requestTracker: defaults to one in-memory tracker shared by the whole process; use a
    ///     shared store (e.g. PostgreSQL) when several instances serve the same users.
    ///   - replayStore: defaults to one in-memory store shared by the whole process.
    ///   - logger: optional.
    ///   - directory: the IdPs, changed while the service runs; nil: the configuration's fixed list.
    /// - Throws: `SAMLError` `.invalidConfiguration` when the configuration cannot work.
    public init(configuration: Configuration, requestTracker: (any RequestTracker)? = nil,
                replayStore: (any ReplayStore)? = nil, logger: Logger? = nil,
                directory: (any IdentityProviderDirectory)? = nil) throws {
        try configuration.validate(withDirectory: directory != nil)
        self.directory = try directory ?? InMemoryIdentityProviderDirectory(trusted: configuration.identityProviders)
        self.configuration = configuration
        self.requestTracker = requestTracker ?? ProcessDefaults.requestTracker
        self.replayStore = replayStore ?? ProcessDefaults.replayStore
        self.stateStore = nil
        self.logger = logger
        for warning in configuration.relaxations { logger?.warning("\(warning)") }
        self.secrets = configuration.stateSecrets.isEmpty ? [try ProcessDefaults.stateSecret()] : configuration.stateSecrets
    }

    /// Creates the façade on one store for requests and assertion IDs that finishes a login in a
    /// single atomic step (for example `PostgresLoginStateStore`): an SP-initiated login then
    /// verifies the response first, and consumes its request and records its assertion together.
    ///
    /// - Parameters:
    ///   - configuration: this SP, its IdPs and rules.
    ///   - stateStore: the shared store; it is also the request tracker and the replay store.
    ///   - logger: optional.
    ///   - directory: the IdPs, changed while the service runs; nil: the configuration's fixed list.
    /// - Throws: `SAMLError` `.invalidConfiguration` when the configuration cannot work.
    public init(configuration: Configuration, stateStore: any LoginStateStore, logger: Logger? = nil,
                directory: (any IdentityProviderDirectory)? = nil) throws {
        try configuration.validate(withDirectory: directory != nil)
        self.directory = try directory ?? InMemoryIdentityProviderDirectory(trusted: configuration.identityProviders)
        self.configuration = configuration
        self.requestTracker = stateStore
        self.replayStore = stateStore
        self.stateStore = stateStore
        self.logger = logger
        for warning in configuration.relaxations { logger?.warning("\(warning)") }
        self.secrets = configuration.stateSecrets.isEmpty ? [try ProcessDefaults.stateSecret()] : configuration.stateSecrets
    }

    // MARK: - Login

    /// Starts a login: builds the AuthnRequest and says what to send the browser. Nothing is stored
    /// on the server: the request's ID, IdP and expiry travel in ``LoginStart/browserState``, sealed.
    ///
    /// - Parameters:
    ///   - idp: the IdP's directory ID or entity ID; may be nil when exactly one IdP is enabled.
    ///   - returnTo: where to land after the ACS; validated by the ``ReturnToPolicy`` (an unsafe
    ///     value becomes its default path). It never travels to the IdP: RelayState is an opaque token.
    ///   - options: binding, ForceAuthn, IsPassive, RequestedAuthnContext, NameIDPolicy, ACS URL.
    ///   - now: the current time (injectable for tests).
    public func login(idp: String? = nil, returnTo: String? = nil, options: LoginOptions = LoginOptions(),
                      now: Date = Date()) async throws -> LoginStart {
        try await startLogin(idp: idp, returnTo: returnTo, options: options, now: now, purpose: .login)
    }

    func startLogin(idp: String?, returnTo: String?, options: LoginOptions, now: Date, purpose: BrowserState.Purpose) async throws -> LoginStart {
        let entry = try await identityProvider(named: idp, now: now)
        let trusted = entry.trusted
        let acsURL = options.acsURL ?? configuration.acsURLs[0]
        guard configuration.acsURLs.contains(acsURL) else {
            throw SAMLError(.invalidRequest, "The ACS URL \(acsURL) is not one of this SP's configured ACS URLs.")
        }
        let relayToken = (purpose == .test ? Self.connectionTestRelayPrefix : "") + (try Crypto.randomBytes(16).hex)
        let requestOptions = AuthnRequestOptions(
            nameIDPolicy: options.nameIDPolicy, forceAuthn: options.forceAuthn, isPassive: options.isPassive,
            requestedAuthnContext: options.requestedAuthnContext, providerName: options.providerName,
            relayState: relayToken)
        let builder = AuthnRequest(serviceProvider: serviceProvider(acsURL: acsURL, entry: entry), identityProvider: trusted.identityProvider,
                                   options: requestOptions)
        let requestID: String
        let action: LoginStart.Action
        switch options.binding {
        case .httpRedirect:
            let request = try builder.redirect(now: now)
            requestID = request.id
            action = .redirect(url: request.url)
        case .httpPost:
            let request = try builder.post(now: now)
            requestID = request.id
            action = .post(PostForm(action: request.destination,
                                    fields: [("SAMLRequest", request.base64), ("RelayState", relayToken)]))
        default:
            throw SAMLError(.invalidRequest, "AuthnRequests travel by HTTP-Redirect or HTTP-POST, not \(options.binding).")
        }
        let expiresAt = now.addingTimeInterval(configuration.requestLifetime.timeInterval)
        let state = BrowserState(requestID: requestID, identityProvider: trusted.entityID, acsURL: acsURL,
                                 relayToken: relayToken, returnTo: returnToPolicy(for: entry).resolve(returnTo),
                                 expires: Int64(expiresAt.timeIntervalSince1970.rounded(.down)))
        logger?.debug("SAML login started", metadata: [
            "saml.idp": .string(trusted.entityID), "saml.request_id": .string(requestID), "saml.binding": .string(options.binding.description),
        ])
        return LoginStart(action: action, browserState: try state.sealed(with: secrets[0], for: purpose), expiresAt: expiresAt,
                          requestID: requestID, identityProvider: trusted.entityID)
    }

    /// Finishes a login at the ACS: checks the browser's login state, verifies the response with
    /// the IdP's keys and every rule, then consumes the request and records the assertion (each
    /// once). A response that fails verification consumes nothing: the login stays pending.
    ///
    /// - Parameters:
    ///   - samlResponse: the posted `SAMLResponse` value.
    ///   - relayState: the posted `RelayState`, if any.
    ///   - browserState: the value ``login(idp:returnTo:options:now:)`` gave this browser (its
    ///     cookie), or nil when there is none (only IdP-initiated logins can then succeed).
    ///   - now: the current time (injectable for tests).
    ///   - diagnostics: called once per verification check with the values it compared (a
    ///     "test connection" page shows them); protocol values only, never attribute values.
    /// - Returns: the verified ``Login``.
    /// - Throws: `SAMLError` with a stable code; show the user a generic failure and log the rest.
    public func finishLogin(samlResponse: String, relayState: String?, browserState: String?,
                            now: Date = Date(), diagnostics: ((VerificationDiagnostic) -> Void)? = nil) async throws -> Login {
        try await finish(samlResponse: samlResponse, relayState: relayState, browserState: browserState, now: now,
                         diagnostics: diagnostics, purpose: .login)
    }

    func finish(samlResponse: String, relayState: String?, browserState: String?, now: Date,
                diagnostics: ((VerificationDiagnostic) -> Void)?, purpose: BrowserState.Purpose) async throws -> Login {
        var requestID: String?
        var issuerHint: String?
        var snapshot: IdentityProviderSnapshot?
        let started = ContinuousClock.now
        let metrics = SAMLMetrics(factory: configuration.metricsFactory)
        /// the directory ID of the IdP, for metrics: never a value from the message that is not configured
        func label(_ entityID: String?) -> String {
            entityID.flatMap { snapshot?.entry(entityID: $0)?.id } ?? "unknown"
        }
        do {
            let state = try browserState.flatMap { $0.isEmpty ? nil : $0 }.map {
                try BrowserState.open($0, secrets: secrets, now: now, for: purpose)
            }
            if purpose == .test, state == nil {
                throw SAMLError(.inResponseToMismatch, "No connection test was started in this browser (no test state cookie).")
            }
            let login: Login
            // Decoded and parsed once: the routing hints and the verification read this document.
            let posted = PostedResponse(samlResponse: samlResponse, limits: configuration.policy.limits)
            let current = try await directorySnapshot()
            snapshot = current
            if let state, try purpose == .test || !answersNothing(posted, state: state, snapshot: current) {
                requestID = state.requestID
                issuerHint = state.identityProvider
                login = try await finishRequested(posted: posted, relayState: relayState, state: state, now: now,
                                                  snapshot: current, diagnostics: diagnostics)
            } else {
                login = try await finishUnsolicited(posted: posted, relayState: relayState, now: now, issuer: &issuerHint,
                                                    snapshot: current, diagnostics: diagnostics)
            }
            logger?.info("SAML login accepted", metadata: [
                "saml.idp": .string(login.issuer), "saml.request_id": .string(requestID ?? "-"),
                "saml.assertion_id": .string(login.assertionID),
            ])
            logger?.debug("SAML login identity", metadata: [
                "saml.name_id": .string(login.nameID.value), "saml.email": .string(login.email ?? "-"),
                "saml.attributes": .string(login.attributes.map { "\($0.name)=\($0.values)" }.joined(separator: "; ")),
            ])
            metrics.login(idp: label(login.issuer), outcome: "success", test: purpose == .test, started: started)
            return login
        } catch let error as SAMLError {
            metrics.login(idp: label(issuerHint), outcome: error.code.rawValue, test: purpose == .test, started: started)
            if error.code == .stateStoreUnavailable { metrics.storeError("state") }
            if error.code == .directoryUnavailable { metrics.storeError("directory") }
            logger?.notice("SAML login refused", metadata: [
                "saml.code": .string(error.code.description), "saml.reason": .string(error.reason),
                "saml.idp": .string(issuerHint ?? "-"), "saml.request_id": .string(requestID ?? "-"),
            ])
            throw error
        }
    }

    /// This SP's metadata: every ACS URL (indexed, the first as default), the signing and
    /// encryption certificates; signed when a signing key is configured.
    public func metadata(validUntil: Date? = nil) throws -> String {
        var metadata = ServiceProviderMetadata(
            entityID: configuration.entityID, acsURL: configuration.acsURLs[0],
            signingCertificates: configuration.signingKey.map { [$0.certificate] } ?? [],
            encryptionCertificates: configuration.decryptionKeys.map(\.certificate))
        metadata.assertionConsumerServices = configuration.acsURLs.enumerated().map { index, url in
            .init(location: url, binding: .httpPost, index: index, isDefault: index == 0)
        }
        if let slo = configuration.singleLogoutURL {
            metadata.singleLogoutServices = [Endpoint(binding: .httpRedirect, location: slo), Endpoint(binding: .httpPost, location: slo)]
        }
        metadata.validUntil = validUntil
        return try metadata.xml(signedWith: configuration.signingKey)
    }

    // MARK: - Internals

    /// Whether a response arriving with login state is nonetheless IdP-initiated: only considered
    /// when that IdP allows IdP-initiated logins, and then only as routing (the verifier decides).
    private func answersNothing(_ posted: PostedResponse, state: BrowserState, snapshot: IdentityProviderSnapshot) throws -> Bool {
        let initiating = snapshot.enabled.map(\.trusted).filter(\.allowsIdPInitiatedLogin)
        guard !initiating.isEmpty else { return false }
        let hints = try ResponseHints.read(posted)
        guard hints.inResponseTo == nil, let issuer = hints.issuer else { return false }
        return initiating.contains { $0.entityID == issuer }
    }

    private func finishRequested(posted: PostedResponse, relayState: String?, state: BrowserState, now: Date,
                                 snapshot: IdentityProviderSnapshot, diagnostics: ((VerificationDiagnostic) -> Void)?) async throws -> Login {
        let entry = try usable(snapshot.entry(entityID: state.identityProvider), named: state.identityProvider, now: now)
        let trusted = entry.trusted
        if let relayState, !relayState.isEmpty,
           !MessageAuthentication.constantTimeEqual(Array(relayState.utf8), Array(state.relayToken.utf8)) {
            throw SAMLError(.inResponseToMismatch, "The RelayState does not belong to the login this browser started.")
        }
        var policy = configuration.policy(for: trusted)
        policy.allowUnsolicited = false
        // The request is consumed only once the response has verified: when the assertion is
        // recorded (the replay check, the pipeline's last step), or right after verifying when
        // replay detection is off.
        let requestExpiry = state.expiryDate
        let replay = RequestBoundReplayStore(
            stores: stateStore.map { .oneStep($0) } ?? .separate(tracker: requestTracker, replay: replayStore),
            requestID: state.requestID, requestExpiresAt: requestExpiry)
        let verifier = ResponseVerifier(serviceProvider: serviceProvider(acsURL: state.acsURL, entry: entry), identityProvider: trusted.identityProvider,
                                        policy: policy, replayStore: replay, logger: logger)
        let assertion = try await verifier.verify(posted: posted, inResponseTo: state.requestID, now: now,
                                                  diagnostics: diagnostics)
        if !policy.detectReplay {
            guard try await requestTracker.consume(state.requestID, expiresAt: requestExpiry, now: now) else {
                throw Self.unknownRequest(state.requestID)
            }
        }
        // the return-to was validated when the login started; the policy may have changed since
        return Login(assertion: assertion, identityProvider: trusted.identityProvider, mapping: mapping(for: trusted),
                     returnTo: returnToPolicy(for: entry).resolve(state.returnTo), sessionExpiresAt: sessionEnd(assertion, now: now))
    }

    private func finishUnsolicited(posted: PostedResponse, relayState: String?, now: Date, issuer: inout String?,
                                   snapshot: IdentityProviderSnapshot, diagnostics: ((VerificationDiagnostic) -> Void)?) async throws -> Login {
        let candidates = snapshot.entries.filter(\.trusted.allowsIdPInitiatedLogin)
        guard !candidates.isEmpty else {
            throw SAMLError(.unsolicitedResponse, "No login was started in this browser (no login state cookie), and IdP-initiated logins are not enabled for any IdP.")
        }
        let hints = try ResponseHints.read(posted)
        issuer = hints.issuer
        guard let found = candidates.first(where: { $0.entityID == hints.issuer }) else {
            throw SAMLError(.unsolicitedResponse, "No login was started in this browser, and the response's issuer is not an IdP allowed to start logins.")
        }
        let entry = try usable(found, named: found.entityID, now: now)
        let trusted = entry.trusted
        let acsURL = hints.destination.flatMap { configuration.acsURLs.contains($0) ? $0 : nil } ?? configuration.acsURLs[0]
        var policy = configuration.policy(for: trusted)
        policy.allowUnsolicited = true
        let verifier = ResponseVerifier(serviceProvider: serviceProvider(acsURL: acsURL, entry: entry), identityProvider: trusted.identityProvider,
                                        policy: policy, replayStore: replayStore, logger: logger)
        let assertion = try await verifier.verify(posted: posted, inResponseTo: nil, now: now, diagnostics: diagnostics)
        return Login(assertion: assertion, identityProvider: trusted.identityProvider, mapping: mapping(for: trusted),
                     returnTo: returnToPolicy(for: entry).resolve(relayState),
                     sessionExpiresAt: sessionEnd(assertion, now: now))
    }

    /// The refusal of a response whose request was already answered.
    static func unknownRequest(_ requestID: String) -> SAMLError {
        SAMLError(.inResponseToMismatch, "The login request \(requestID) was already answered; start the login again.")
    }

    /// The usable entry a login or logout names by directory ID or entity ID (nil: the only enabled one).
    func identityProvider(named name: String?, now: Date) async throws -> IdentityProviderEntry {
        let snapshot = try await directorySnapshot()
        if let name {
            guard let found = snapshot.entry(id: name) ?? snapshot.entry(entityID: name) else {
                throw SAMLError(.entityNotFound, "No configured IdP has the ID or entity ID \"\(SAMLError.shown(name))\".")
            }
            return try usable(found, named: name, now: now)
        }
        let enabled = snapshot.enabled
        guard enabled.count == 1 else {
            throw SAMLError(.invalidRequest, enabled.isEmpty ? "No IdP is enabled."
                : "Several IdPs are configured (\(enabled.map(\.id).joined(separator: ", "))); name the one to log in with.")
        }
        return try usable(enabled[0], named: enabled[0].id, now: now)
    }

    func serviceProvider(acsURL: String, entry: IdentityProviderEntry? = nil) -> ServiceProvider {
        let decryption = entry.map(\.decryptionKeys).flatMap { $0.isEmpty ? nil : $0 } ?? configuration.decryptionKeys
        return ServiceProvider(entityID: configuration.entityID, acsURL: acsURL, signingKey: entry?.signingKey ?? configuration.signingKey,
                               decryptionKeys: decryption.map(\.privateKey))
    }

    private func mapping(for trusted: TrustedIdentityProvider) -> AttributeMapping {
        if let mapping = trusted.attributeMapping { return mapping }
        if let name = trusted.identityProvider.emailAttributeName { return configuration.attributeMapping.withEmailAttribute(name) }
        return configuration.attributeMapping
    }

    private func sessionEnd(_ assertion: VerifiedAssertion, now: Date) -> Date {
        let cap = now.addingTimeInterval(configuration.maximumSessionLifetime.timeInterval)
        guard let idpEnd = assertion.sessionNotOnOrAfter else { return cap }
        return min(idpEnd, cap)
    }
}

/// The in-memory stores and state secret a façade uses when none are given: one per process.
enum ProcessDefaults {
    static let requestTracker = InMemoryRequestTracker()
    static let replayStore: any ReplayStore = InMemoryReplayStore.shared
    private static let secret = Result { try StateSecret.random() }
    static func stateSecret() throws -> StateSecret { try secret.get() }
}

extension SAMLServiceProvider {
    /// The login state for a request sent earlier with a known ID, as `login` seals it.
    /// For tests that replay recorded responses, whose `InResponseTo` is fixed.
    package func resumableState(requestID: String, idp: String, acsURL: String? = nil, returnTo: String? = nil,
                                now: Date) async throws -> String {
        let relayToken = try Crypto.randomBytes(16).hex
        let expiresAt = now.addingTimeInterval(configuration.requestLifetime.timeInterval)
        let state = BrowserState(requestID: requestID, identityProvider: idp, acsURL: acsURL ?? configuration.acsURLs[0],
                                 relayToken: relayToken, returnTo: configuration.returnTo.resolve(returnTo),
                                 expires: Int64(expiresAt.timeIntervalSince1970.rounded(.down)))
        return try state.sealed(with: secrets[0])
    }
}
