public import Foundation

/// The one error every part of this package throws.
///
/// `code` is stable and meant for programs (switch on it, count it in metrics); `reason` is a
/// sentence an operator can act on; `libraryMessage` carries what libxml2, xmlsec or OpenSSL
/// said, when they said something. Show end users a generic "authentication failed" and log the rest.
///
/// Two errors are equal when their codes are: `error == SAMLError(.expired, "")` asks "is this
/// an expiry?", whatever the wording. `localizedDescription` is ``description``.
///
/// Declared beside the libxml2/xmlsec/OpenSSL wrapper, which throws it itself, and re-exported
/// by SAMLCore (and so by every module above it).
public struct SAMLError: Error, Sendable, Hashable, CustomStringConvertible, LocalizedError {
    /// A stable identifier for a kind of failure. The set is defined by this package (there is no
    /// public initialiser): new codes may be added; existing ones keep their meaning.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code's stable text, e.g. `signatureInvalid`.
        public let rawValue: String
        init(_ rawValue: String) { self.rawValue = rawValue }
        /// The code's text.
        public var description: String { rawValue }

        // Input and parsing
        /// The input is larger than the configured limit.
        public static let tooLarge = Code("tooLarge")
        /// The input is not valid base64 (or not valid DEFLATE where that binding is used).
        public static let invalidEncoding = Code("invalidEncoding")
        /// The XML is not well-formed, not namespace-well-formed, or nests too deeply.
        public static let malformedXML = Code("malformedXML")
        /// The XML carries a DOCTYPE declaration, which is never accepted.
        public static let doctypeForbidden = Code("doctypeForbidden")
        /// Two elements carry the same ID.
        public static let duplicateID = Code("duplicateID")
        /// The document is well-formed but is not the SAML message or metadata expected.
        public static let invalidMessage = Code("invalidMessage")
        /// A feature the message uses is not supported.
        public static let unsupported = Code("unsupported")

        // Metadata, certificates and keys
        /// The metadata is not usable (no IdP role, no signing key, bad values…).
        public static let invalidMetadata = Code("invalidMetadata")
        /// No entity with the requested entityID, or several entities and none chosen.
        public static let entityNotFound = Code("entityNotFound")
        /// A certificate could not be read.
        public static let invalidCertificate = Code("invalidCertificate")
        /// A private key could not be read or does not suit the requested use.
        public static let invalidKey = Code("invalidKey")
        /// Configuration values are missing or contradictory.
        public static let invalidConfiguration = Code("invalidConfiguration")
        /// A key or certificate published with this package's demos (anyone holds its private
        /// key) is configured for an SP whose ACS URLs are not all on loopback.
        public static let publishedDemoKey = Code("publishedDemoKey")
        /// The metadata's `validUntil` has passed (or the last good copy expired while refreshing failed).
        public static let metadataExpired = Code("metadataExpired")
        /// Several entities in one metadata document share an entityID.
        public static let duplicateEntityID = Code("duplicateEntityID")
        /// An endpoint `Location` uses a scheme other than `https` (or `http` when allowed).
        public static let unsafeEndpoint = Code("unsafeEndpoint")
        /// Metadata could not be fetched (connection, timeout, HTTP status, redirect or size limit).
        public static let metadataUnavailable = Code("metadataUnavailable")

        // Signatures
        /// A signature was required and is absent.
        public static let signatureMissing = Code("signatureMissing")
        /// A signature did not verify (wrong key, altered content, bad value).
        public static let signatureInvalid = Code("signatureInvalid")
        /// The signature or digest algorithm, or a transform, is not on the allowlist.
        public static let algorithmNotAllowed = Code("algorithmNotAllowed")
        /// The message was signed by a key the configuration does not trust.
        public static let untrustedKey = Code("untrustedKey")
        /// The signature does not cover the element that would be read (signature wrapping).
        public static let wrappedSignature = Code("wrappedSignature")

        // Protocol checks
        /// The IdP reported a status other than Success.
        public static let statusNotSuccess = Code("statusNotSuccess")
        /// The Issuer is not the configured IdP.
        public static let issuerMismatch = Code("issuerMismatch")
        /// The Destination is not this SP's ACS URL.
        public static let destinationMismatch = Code("destinationMismatch")
        /// The bearer confirmation's Recipient is not this SP's ACS URL.
        public static let recipientMismatch = Code("recipientMismatch")
        /// This SP is not in the AudienceRestriction.
        public static let audienceMismatch = Code("audienceMismatch")
        /// A time limit has passed.
        public static let expired = Code("expired")
        /// A time limit has not been reached yet.
        public static let notYetValid = Code("notYetValid")
        /// InResponseTo does not match the request this SP sent.
        public static let inResponseToMismatch = Code("inResponseToMismatch")
        /// An IdP-initiated response arrived and the policy refuses them.
        public static let unsolicitedResponse = Code("unsolicitedResponse")
        /// The assertion has no usable bearer SubjectConfirmation or Subject.
        public static let subjectConfirmationFailed = Code("subjectConfirmationFailed")
        /// The assertion ID was already accepted once.
        public static let replayed = Code("replayed")
        /// The AuthnContextClassRef is not one the policy's `requiredAuthnContext` accepts.
        public static let authnContextNotAccepted = Code("authnContextNotAccepted")
        /// The user authenticated longer ago than the policy's `maximumAuthenticationAge`.
        public static let authenticationTooOld = Code("authenticationTooOld")
        /// The shared request tracker or replay store could not be asked (down, slow past its
        /// timeout, or it returned an error), so the message is refused rather than accepted unchecked.
        public static let stateStoreUnavailable = Code("stateStoreUnavailable")

        // Encryption
        /// Decryption failed: no key, wrong key, or damaged ciphertext.
        public static let decryptionFailed = Code("decryptionFailed")

        // Identity-provider directory
        /// The IdP is in the directory but disabled: its logins, responses and sessions are refused
        /// until an administrator enables it again.
        public static let identityProviderDisabled = Code("identityProviderDisabled")
        /// The IdP a login, response or session belongs to is no longer in the directory (removed
        /// while the service runs): its responses and sessions are refused.
        public static let identityProviderRemoved = Code("identityProviderRemoved")
        /// The identity-provider directory could not be read or written (its database is down or
        /// answered with an error), so the request is refused rather than decided on stale trust.
        public static let directoryUnavailable = Code("directoryUnavailable")

        // Requests
        /// A RelayState or other request value is out of bounds.
        public static let invalidRequest = Code("invalidRequest")
        /// A request that changes a session (logout, a login at a non-default IdP) came from
        /// another site, without the same-origin proof it needs (cross-site request forgery).
        public static let crossSiteRequest = Code("crossSiteRequest")

        /// libxml2 or xmlsec could not be initialised, or misbehaved.
        public static let libraryFailure = Code("libraryFailure")
    }

    /// What kind of failure this is.
    public let code: Code
    /// A sentence an operator can act on.
    public let reason: String
    /// What the underlying library reported, if anything.
    public let libraryMessage: String?

    /// Creates an error.
    public init(_ code: Code, _ reason: String, libraryMessage: String? = nil) {
        self.code = code
        self.reason = reason
        let trimmed = libraryMessage?.trimmingCharacters(in: .whitespacesAndNewlines)
        self.libraryMessage = (trimmed?.isEmpty ?? true) ? nil : trimmed
    }

    /// `code: reason (library: message)`.
    public var description: String {
        if let libraryMessage { return "\(code): \(reason) (library: \(libraryMessage))" }
        return "\(code): \(reason)"
    }

    /// The same as ``description``, so `localizedDescription` reads as the reason.
    public var errorDescription: String? { description }

    /// Errors are equal when their codes are.
    public static func == (lhs: SAMLError, rhs: SAMLError) -> Bool { lhs.code == rhs.code }

    /// Hashes the code only, in step with `==`.
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}

extension SAMLError {
    /// Text from a message or a request as it may appear in a reason or a log line: control
    /// characters (CR and LF among them), line and paragraph separators and bidirectional controls
    /// escaped as `\u{…}`, a backslash doubled, at most 200 characters (then `…`). Every value an
    /// unauthenticated sender chose goes through here before it enters an error (log forging).
    package static func shown(_ text: String) -> String {
        var out = ""
        var count = 0
        for scalar in text.unicodeScalars {
            if count == 200 { out += "…"; break }
            let v = scalar.value
            if v < 0x20 || v == 0x7F || (0x80...0x9F).contains(v) || v == 0x2028 || v == 0x2029
                || (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v) || v == 0x5C {
                out += v == 0x5C ? "\\\\" : "\\u{\(String(v, radix: 16))}"
            } else {
                out.unicodeScalars.append(scalar)
            }
            count += 1
        }
        return out
    }
}
