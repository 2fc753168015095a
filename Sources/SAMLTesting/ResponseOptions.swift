public import Foundation
public import SAMLCore

/// How the test identity provider builds one response.
public struct ResponseOptions: Sendable, Hashable {
    /// Which elements carry an enveloped signature.
    public enum Signing: String, Sendable, Hashable, CaseIterable {
        /// The Response only.
        case response
        /// The Assertion only.
        case assertion
        /// The Assertion, then the Response around it.
        case both
    }

    /// The content-encryption algorithm of an `EncryptedAssertion` (the key always travels
    /// with RSA-OAEP, `xmlenc#rsa-oaep-mgf1p`).
    public enum ContentEncryption: String, Sendable, Hashable, CaseIterable {
        /// `xmlenc11#aes256-gcm`
        case aes256GCM = "http://www.w3.org/2009/xmlenc11#aes256-gcm"
        /// `xmlenc11#aes128-gcm`
        case aes128GCM = "http://www.w3.org/2009/xmlenc11#aes128-gcm"
        /// `xmlenc#aes256-cbc`
        case aes256CBC = "http://www.w3.org/2001/04/xmlenc#aes256-cbc"
        /// `xmlenc#aes128-cbc`
        case aes128CBC = "http://www.w3.org/2001/04/xmlenc#aes128-cbc"

        /// The algorithm URI.
        public var uri: String { rawValue }
    }

    /// `urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport`
    public static let passwordProtectedTransport = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"

    /// What to sign. Default ``Signing/both``.
    public var signing: Signing
    /// Encrypt the assertion for this (RSA) certificate, usually the SP's encryption certificate.
    /// Default nil: the assertion travels in clear.
    public var encryptionCertificate: SAMLCertificate?
    /// The content encryption when ``encryptionCertificate`` is set. Default AES-256-GCM.
    public var contentEncryption: ContentEncryption
    /// Seconds from the issue instant to the assertion's and the bearer confirmation's
    /// `NotOnOrAfter`. Default 300.
    public var lifetime: TimeInterval
    /// Seconds from the issue instant to `SessionNotOnOrAfter`; nil omits it. Default 8 hours.
    public var sessionLifetime: TimeInterval?
    /// The `AuthnContextClassRef`. Default PasswordProtectedTransport.
    public var authnContextClassRef: String
    /// The `SessionIndex`; nil makes a random one.
    public var sessionIndex: String?
    /// A deliberate defect, to exercise an SP's error paths; nil issues a good response.
    public var broken: BrokenVariant?

    /// Creates options; the defaults issue a good, signed (both), unencrypted response.
    public init(signing: Signing = .both, encryptionCertificate: SAMLCertificate? = nil,
                contentEncryption: ContentEncryption = .aes256GCM, lifetime: TimeInterval = 300,
                sessionLifetime: TimeInterval? = 8 * 3600, authnContextClassRef: String = passwordProtectedTransport,
                sessionIndex: String? = nil, broken: BrokenVariant? = nil) {
        self.signing = signing
        self.encryptionCertificate = encryptionCertificate
        self.contentEncryption = contentEncryption
        self.lifetime = lifetime
        self.sessionLifetime = sessionLifetime
        self.authnContextClassRef = authnContextClassRef
        self.sessionIndex = sessionIndex
        self.broken = broken
    }
}

/// A deliberately defective response, and the `SAMLError.Code` a correct SP answers it with.
public enum BrokenVariant: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// Issued two hours ago with the normal lifetime: every time limit has passed.
    case expired
    /// Issued two hours in the future: nothing is valid yet.
    case notYetValid
    /// The AudienceRestriction names another SP.
    case wrongAudience
    /// The bearer confirmation's Recipient is another ACS URL (the Destination is right).
    case wrongRecipient
    /// Response and Assertion name another issuer, yet carry a valid signature by this IdP's key.
    case wrongIssuer
    /// No signature anywhere.
    case unsigned
    /// Signed, then the NameID changed to `mallory@example.com` (or, for a response-only
    /// signature over an encrypted assertion, the Response's IssueInstant moved by a second).
    case tamperedAfterSigning
    /// Signature wrapping: a forged, unsigned assertion for `mallory@example.com` placed before
    /// the genuine signed one.
    case wrapped
    /// A good response meant to be posted twice (see ``TestIdentityProvider/replay(_:)``); the
    /// second use must fail. (`ResponseVerifier` says `replayed`; the `SAMLServiceProvider`
    /// façade, whose request tracker has already consumed the request, says `inResponseToMismatch`.)
    case replayed
    /// `InResponseTo` names a request the SP never sent.
    case otherRequestInResponseTo

    /// The code this package's `ResponseVerifier` refuses the variant with (for ``replayed``:
    /// on the second use).
    public var expectedErrorCode: SAMLError.Code {
        switch self {
        case .expired: .expired
        case .notYetValid: .notYetValid
        case .wrongAudience: .audienceMismatch
        case .wrongRecipient: .recipientMismatch
        case .wrongIssuer: .issuerMismatch
        case .unsigned: .signatureMissing
        case .tamperedAfterSigning: .signatureInvalid
        case .wrapped: .wrappedSignature
        case .replayed: .replayed
        case .otherRequestInResponseTo: .inResponseToMismatch
        }
    }

    /// The code `ResponseVerifier` answers for this variant issued with `options`. It differs from
    /// ``expectedErrorCode`` where the verifier's order decides: a wrapped signed Response fails its
    /// own signature first (`signatureInvalid`), and an encrypted assertion in an unsigned Response
    /// fails as `decryptionFailed` however it was damaged (no decryption oracle).
    public func expectedErrorCode(for options: ResponseOptions) -> SAMLError.Code {
        let encrypted = options.encryptionCertificate != nil
        switch self {
        case .wrapped where options.signing != .assertion: return .signatureInvalid
        case .unsigned where encrypted: return .decryptionFailed
        case .tamperedAfterSigning where encrypted && options.signing == .assertion: return .decryptionFailed
        default: return expectedErrorCode
        }
    }

    /// Reads a variant from its name, camelCase (`notYetValid`) or kebab-case (`not-yet-valid`);
    /// `tampered` and `other-request` are accepted as short forms.
    public init?(name: String) {
        let folded = name.lowercased().filter { $0 != "-" && $0 != "_" }
        switch folded {
        case "tampered": self = .tamperedAfterSigning
        case "otherrequest": self = .otherRequestInResponseTo
        default:
            guard let match = Self.allCases.first(where: { $0.rawValue.lowercased() == folded }) else { return nil }
            self = match
        }
    }

    /// The variant's name, e.g. `notYetValid`.
    public var description: String { rawValue }
}
