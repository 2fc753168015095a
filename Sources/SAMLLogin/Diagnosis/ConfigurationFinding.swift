/// One result of checking a configuration the way a support engineer would: which rule, how bad,
/// what was found and what to do about it.
///
/// Made by `SAMLServiceProvider.Configuration.diagnose(now:)`, by
/// ``IdentityProviderDirectoryExport/diagnose(_:now:warningWindow:serviceProviderSigns:)`` and by `saml doctor`.
public struct ConfigurationFinding: Sendable, Hashable, Codable {
    /// How bad a finding is, from fine to broken.
    public enum Severity: String, Sendable, Hashable, Codable, Comparable {
        /// Checked and fine.
        case ok
        /// Worth knowing.
        case info
        /// Will break soon, or works less safely than it should.
        case warning
        /// Logins fail now, or would be unsafe.
        case error

        /// Orders from ``ok`` to ``error``.
        public static func < (lhs: Severity, rhs: Severity) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }

        private static let allCases: [Severity] = [.ok, .info, .warning, .error]
    }

    /// The rule's stable code, e.g. `idp.certificate.signing` or `sp.acs.https`. Codes keep their
    /// meaning; new rules add new codes.
    public var check: String
    /// How bad.
    public var severity: Severity
    /// What was found, naming the certificate, URL or setting.
    public var message: String
    /// What to do about it, for warnings and errors.
    public var fix: String?
    /// What the finding is about when it is not the SP as a whole: a directory entry's ID, or nil.
    public var subject: String?

    /// Creates a finding.
    public init(check: String, severity: Severity, message: String, fix: String? = nil, subject: String? = nil) {
        self.check = check
        self.severity = severity
        self.message = message
        self.fix = fix
        self.subject = subject
    }

    /// Whether the finding is a warning or an error.
    public var isProblem: Bool { severity >= .warning }
}
