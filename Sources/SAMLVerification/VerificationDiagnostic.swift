public import SAMLCore

/// The name of one step of response verification, in the order the steps run.
///
/// A closed set of names a program can switch on; new steps may be added.
public struct VerificationCheck: Sendable, Hashable, CustomStringConvertible {
    /// The step's stable name, e.g. `audience`.
    public let name: String
    private init(_ name: String) { self.name = name }
    /// The step's name.
    public var description: String { name }

    /// Safe parsing (size, no DOCTYPE, depth, unique IDs) into a SAML 2.0 Response with an ID.
    public static let parsing = VerificationCheck("parsing")
    /// The Response's top-level status.
    public static let status = VerificationCheck("status")
    /// Exactly one assertion, a direct child of the Response, none hidden elsewhere.
    public static let messageShape = VerificationCheck("messageShape")
    /// The Response's own signature (when it carries one).
    public static let responseSignature = VerificationCheck("responseSignature")
    /// Decryption of an `EncryptedAssertion` (when the assertion is encrypted).
    public static let decryption = VerificationCheck("decryption")
    /// The Assertion's own signature (when it carries one).
    public static let assertionSignature = VerificationCheck("assertionSignature")
    /// At least one signature verified, and the Assertion's when the policy requires it.
    public static let signatureRequirement = VerificationCheck("signatureRequirement")
    /// The (decrypted) Assertion is SAML 2.0 and has an ID.
    public static let assertionShape = VerificationCheck("assertionShape")
    /// The Response and Assertion Issuer are the configured IdP.
    public static let issuer = VerificationCheck("issuer")
    /// The Response's Destination is this SP's ACS URL.
    public static let destination = VerificationCheck("destination")
    /// The Response answers the request this SP sent (or none, for an unsolicited one).
    public static let inResponseTo = VerificationCheck("inResponseTo")
    /// IssueInstant ages, the Conditions window and SessionNotOnOrAfter, with the clock skew.
    public static let timeWindow = VerificationCheck("timeWindow")
    /// Conditions this SP understands, with an AudienceRestriction naming this SP.
    public static let audience = VerificationCheck("audience")
    /// A bearer SubjectConfirmation for this ACS URL, unexpired, answering the expected request.
    public static let subjectConfirmation = VerificationCheck("subjectConfirmation")
    /// The AuthnContextClassRef and AuthnInstant meet the policy.
    public static let authenticationContext = VerificationCheck("authenticationContext")
    /// The identity (NameID, attributes) read from the verified assertion.
    public static let identity = VerificationCheck("identity")
    /// The assertion ID had not been accepted before.
    public static let replay = VerificationCheck("replay")
}

/// What one verification step found: which step, whether it passed, and the values it compared.
///
/// ``ResponseVerifier`` reports one diagnostic per step it ran, in order, through the
/// `diagnostics` closure of `verify`; a rejected response ends with the failing step. The facts
/// hold protocol values (IDs, URLs, times, algorithm URIs, key subjects), never attribute values.
public struct VerificationDiagnostic: Sendable, CustomStringConvertible {
    /// One compared value: a label such as `expected audience` and the text found or required.
    public struct Fact: Sendable, Hashable, CustomStringConvertible {
        /// What the value is.
        public let label: String
        /// The value as text.
        public let value: String
        /// Creates a fact.
        public init(_ label: String, _ value: String) {
            self.label = label
            self.value = value
        }
        /// `label: value`.
        public var description: String { "\(label): \(value)" }
    }

    /// The step.
    public let check: VerificationCheck
    /// Whether the step passed.
    public let passed: Bool
    /// The values the step compared, in the order it compared them.
    public let facts: [Fact]
    /// The rejection, when the step failed.
    public let error: SAMLError?

    /// Creates a diagnostic.
    public init(check: VerificationCheck, passed: Bool, facts: [Fact], error: SAMLError?) {
        self.check = check
        self.passed = passed
        self.facts = facts
        self.error = error
    }

    /// The value of the first fact with `label`.
    public func fact(_ label: String) -> String? { facts.first { $0.label == label }?.value }

    /// `✓ audience (expected audience: …; found audiences: …)` or `✗ …: error`.
    public var description: String {
        var line = (passed ? "✓ " : "✗ ") + check.name
        if !facts.isEmpty { line += " (" + facts.map(\.description).joined(separator: "; ") + ")" }
        if let error { line += " — \(error.code): \(error.reason)" }
        return line
    }
}
