public import Foundation
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
/// The checks run in a fixed order: decoding and safe parsing; message shape; status; signatures
/// against the IdP's configured keys only (and proof that the signed element is the one read);
/// decryption; issuer, destination, subject confirmation, conditions and age; replay.
public struct ResponseVerifier: Sendable {
    /// This SP.
    public var serviceProvider: ServiceProvider
    /// The trusted IdP.
    public var identityProvider: IdentityProvider
    /// The rules.
    public var policy: VerificationPolicy
    /// Where accepted assertion IDs are remembered.
    public var replayStore: any ReplayStore

    /// Creates a verifier.
    public init(serviceProvider: ServiceProvider, identityProvider: IdentityProvider,
                policy: VerificationPolicy = .default, replayStore: any ReplayStore = InMemoryReplayStore()) {
        self.serviceProvider = serviceProvider
        self.identityProvider = identityProvider
        self.policy = policy
        self.replayStore = replayStore
    }

    /// Verifies the `SAMLResponse` form value (base64, line breaks tolerated; raw XML starting
    /// with `<` is accepted too).
    ///
    /// - Parameters:
    ///   - samlResponse: the posted value.
    ///   - inResponseTo: the ID of the AuthnRequest this SP sent, or nil when none is expected
    ///     (then the response must be unsolicited and the policy must allow that).
    ///   - now: the current time (injectable for tests).
    /// - Throws: ``SAMLError`` describing the first failed check.
    public func verify(samlResponse: String, inResponseTo: String?, now: Date = Date()) async throws -> VerifiedAssertion {
        let assertion = try verifyWithoutReplayCheck(samlResponse: samlResponse, inResponseTo: inResponseTo, now: now)
        try await recordUse(of: assertion, now: now)
        return assertion
    }

    /// Verifies a response given as XML bytes.
    public func verify(responseXML: [UInt8], inResponseTo: String?, now: Date = Date()) async throws -> VerifiedAssertion {
        let assertion = try verifyWithoutReplayCheck(responseXML: responseXML, inResponseTo: inResponseTo, now: now)
        try await recordUse(of: assertion, now: now)
        return assertion
    }

    /// Every check except the replay store. For tools and benchmarks; an ACS must use `verify`.
    public func verifyWithoutReplayCheck(samlResponse: String, inResponseTo: String?, now: Date = Date()) throws -> VerifiedAssertion {
        let xml = try Self.decode(samlResponse, limits: policy.limits)
        return try verifyWithoutReplayCheck(responseXML: xml, inResponseTo: inResponseTo, now: now)
    }

    /// Every check except the replay store, on XML bytes.
    public func verifyWithoutReplayCheck(responseXML: [UInt8], inResponseTo: String?, now: Date = Date()) throws -> VerifiedAssertion {
        var pipeline = ResponsePipeline(sp: serviceProvider, idp: identityProvider, policy: policy, expectedRequestID: inResponseTo, now: now)
        return try pipeline.run(responseXML)
    }

    private func recordUse(of assertion: VerifiedAssertion, now: Date) async throws {
        guard policy.detectReplay else { return }
        let until = (assertion.notOnOrAfter ?? now.addingTimeInterval(policy.maximumMessageAge)).addingTimeInterval(policy.clockSkew)
        let fresh = try await replayStore.insertIfAbsent(assertion.issuer + "\u{0}" + assertion.assertionID, expiresAt: until, now: now)
        guard fresh else {
            throw SAMLError(.replayed, "The assertion \(assertion.assertionID) was already used; a response is accepted once.")
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
