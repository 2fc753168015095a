public import Foundation
public import Logging
public import SAMLCore
public import SAMLMetadata
import SAMLXMLSec

/// Verifies the `SAMLResponse` an IdP posts to this SP's Assertion Consumer Service.
///
/// ```swift
/// let verifier = ResponseVerifier(serviceProvider: sp, identityProvider: idp)
/// let login = try await verifier.verify(samlResponse: form["SAMLResponse"], inResponseTo: requestID)
/// print(login.nameID.value, login.attributes)
/// ```
///
/// The checks run in a fixed order, one file each in `Checks/`, indexed by
/// `Pipeline/ResponsePipeline.swift`: safe parsing; the Response's signature; status; message
/// shape; decryption with the Assertion's signature (against the IdP's configured keys only, with
/// proof that the signed element is the one read); issuer, destination, InResponseTo, time
/// window, audience, bearer subject confirmation, authentication context; then the identity is
/// read and the assertion ID recorded (replay).
/// Pass `diagnostics` to `verify` to see each step with the values it compared.
public struct ResponseVerifier: Sendable {
    /// This SP.
    public var serviceProvider: ServiceProvider
    /// The trusted IdP.
    public var identityProvider: IdentityProvider
    /// The rules.
    public var policy: VerificationPolicy
    /// Where accepted assertion IDs are remembered.
    public var replayStore: any ReplayStore
    /// Where each check is logged (debug) and each rejection (notice); nil logs nothing.
    /// Attribute values are never logged above debug, and not at all by the checks.
    public var logger: Logger?

    /// Creates a verifier.
    ///
    /// - Parameters:
    ///   - serviceProvider: this SP.
    ///   - identityProvider: the IdP whose keys and rules verify the response.
    ///   - policy: the rules; the secure defaults unless given.
    ///   - replayStore: where accepted assertion IDs are remembered. The default is
    ///     ``InMemoryReplayStore/shared``, one store for the whole process, so verifiers built per
    ///     request still refuse a replay; an application with several instances passes a store
    ///     they share.
    ///   - logger: where checks (debug) and rejections (notice) are logged; nil logs nothing.
    public init(serviceProvider: ServiceProvider, identityProvider: IdentityProvider,
                policy: VerificationPolicy = .default, replayStore: any ReplayStore = InMemoryReplayStore.shared,
                logger: Logger? = nil) {
        self.serviceProvider = serviceProvider
        self.identityProvider = identityProvider
        self.policy = policy
        self.replayStore = replayStore
        self.logger = logger
    }

    /// Verifies the `SAMLResponse` form value (base64, line breaks tolerated; raw XML starting
    /// with `<` is accepted too).
    ///
    /// - Parameters:
    ///   - samlResponse: the posted value.
    ///   - inResponseTo: the ID of the AuthnRequest this SP sent, or nil when none is expected
    ///     (then the response must be unsolicited and the policy must allow that).
    ///   - now: the current time (injectable for tests).
    ///   - diagnostics: called once per check, in order, with the values it compared; a
    ///     rejection's last call is the failing check.
    /// - Throws: `SAMLError` describing the first failed check.
    public func verify(samlResponse: String, inResponseTo: String?, now: Date = Date(),
                       diagnostics: ((VerificationDiagnostic) -> Void)? = nil) async throws -> VerifiedAssertion {
        let run = makeRun(inResponseTo: inResponseTo, now: now, diagnostics: diagnostics)
        return try await Self.logged(run) {
            try await ResponsePipeline.verify(run, xml: try decode(run, samlResponse), replayStore: replayStore)
        }
    }

    /// Verifies a posted value the caller decoded and parsed once with ``PostedResponse``
    /// (within this verifier's `policy.limits`), consuming it.
    package func verify(posted: PostedResponse, inResponseTo: String?, now: Date = Date(),
                        diagnostics: ((VerificationDiagnostic) -> Void)? = nil) async throws -> VerifiedAssertion {
        let run = makeRun(inResponseTo: inResponseTo, now: now, diagnostics: diagnostics)
        return try await Self.logged(run) {
            try await ResponsePipeline.verify(run, posted: posted, replayStore: replayStore)
        }
    }

    /// Verifies a response given as XML bytes.
    public func verify(responseXML: [UInt8], inResponseTo: String?, now: Date = Date(),
                       diagnostics: ((VerificationDiagnostic) -> Void)? = nil) async throws -> VerifiedAssertion {
        let run = makeRun(inResponseTo: inResponseTo, now: now, diagnostics: diagnostics)
        return try await Self.logged(run) {
            try await ResponsePipeline.verify(run, xml: responseXML, replayStore: replayStore)
        }
    }

    /// Every check except the replay store. For tools and benchmarks only; an ACS must use `verify`.
    @_spi(Tools)
    public func verifyWithoutReplayCheck(samlResponse: String, inResponseTo: String?, now: Date = Date(),
                                         diagnostics: ((VerificationDiagnostic) -> Void)? = nil) throws -> VerifiedAssertion {
        let run = makeRun(inResponseTo: inResponseTo, now: now, diagnostics: diagnostics)
        return try Self.logged(run) { try ResponsePipeline.run(run, xml: try decode(run, samlResponse)) }
    }

    /// Every check except the replay store, on XML bytes. For tools and benchmarks only.
    @_spi(Tools)
    public func verifyWithoutReplayCheck(responseXML: [UInt8], inResponseTo: String?, now: Date = Date(),
                                         diagnostics: ((VerificationDiagnostic) -> Void)? = nil) throws -> VerifiedAssertion {
        let run = makeRun(inResponseTo: inResponseTo, now: now, diagnostics: diagnostics)
        return try Self.logged(run) { try ResponsePipeline.run(run, xml: responseXML) }
    }

    private static func logged<T>(_ run: VerificationRun, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as SAMLError { run.logRejection(error); throw error }
    }

    private static func logged<T>(_ run: VerificationRun, _ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let error as SAMLError { run.logRejection(error); throw error }
    }

    private func makeRun(inResponseTo: String?, now: Date, diagnostics: ((VerificationDiagnostic) -> Void)?) -> VerificationRun {
        VerificationRun(sp: serviceProvider, idp: identityProvider, policy: policy, expectedRequestID: inResponseTo,
                        now: now, diagnostics: diagnostics, logger: logger)
    }

    /// Decoding the posted value, reported as part of the parsing step when it fails.
    private func decode(_ run: VerificationRun, _ value: String) throws -> [UInt8] {
        do {
            return try Self.decode(value, limits: policy.limits)
        } catch let error as SAMLError {
            run.report(VerificationDiagnostic(check: .parsing, passed: false, facts: [.init("posted characters", "\(value.utf8.count)")], error: error))
            throw error
        }
    }

    /// Turns the posted value into XML bytes.
    static func decode(_ value: String, limits: XMLLimits) throws -> [UInt8] {
        if value.utf8.first == UInt8(ascii: "<") { return Array(value.utf8) }
        let trimmed = value.trimmingXMLWhitespace
        if trimmed.utf8.first == UInt8(ascii: "<") { return Array(trimmed.utf8) }
        // base64 grows data by 4/3; allow line breaks on top
        guard value.utf8.count <= limits.maximumBytes / 3 * 4 + limits.maximumBytes / 16 + 1024 else {
            throw SAMLError(.tooLarge, "The SAMLResponse value is \(value.utf8.count) bytes, beyond the \(limits.maximumBytes)-byte XML limit.")
        }
        guard let bytes = Base64.decode(value) else {
            throw SAMLError(.invalidEncoding, "The SAMLResponse value is not valid base64.")
        }
        return bytes
    }
}
