import Foundation
import Logging
import SAMLCore
import SAMLMetadata
import SAMLXMLSec

/// One verification in progress: the configuration it runs under, and the reporting of each
/// step to the caller's diagnostics closure and logger.
final class VerificationRun {
    let sp: ServiceProvider
    let idp: IdentityProvider
    let policy: VerificationPolicy
    let expectedRequestID: String?
    let now: Date
    private let diagnostics: ((VerificationDiagnostic) -> Void)?
    private let logger: Logger?

    init(sp: ServiceProvider, idp: IdentityProvider, policy: VerificationPolicy, expectedRequestID: String?, now: Date,
         diagnostics: ((VerificationDiagnostic) -> Void)?, logger: Logger?) {
        self.sp = sp
        self.idp = idp
        self.policy = policy
        self.expectedRequestID = expectedRequestID
        self.now = now
        self.diagnostics = diagnostics
        self.logger = logger
    }

    /// The clock skew in seconds.
    var skew: TimeInterval { policy.clockSkew.timeInterval }

    /// Runs one step: `body` records the values it compares in `facts`; the outcome is reported
    /// once, passed or failed, and a failure is rethrown unchanged.
    func step<T>(_ check: VerificationCheck, _ body: (inout [VerificationDiagnostic.Fact]) throws -> T) throws -> T {
        var facts: [VerificationDiagnostic.Fact] = []
        do {
            let result = try body(&facts)
            report(VerificationDiagnostic(check: check, passed: true, facts: facts, error: nil))
            return result
        } catch let error as SAMLError {
            report(VerificationDiagnostic(check: check, passed: false, facts: facts, error: error))
            throw error
        }
    }

    /// Reports one finished step.
    func report(_ diagnostic: VerificationDiagnostic) {
        diagnostics?(diagnostic)
        guard let logger else { return }
        if logger.logLevel <= .debug {
            var metadata: Logger.Metadata = ["saml.check": "\(diagnostic.check.name)", "saml.passed": "\(diagnostic.passed)"]
            for fact in diagnostic.facts { metadata["saml.\(fact.label)"] = "\(fact.value)" }
            logger.debug("SAML response check \(diagnostic.passed ? "passed" : "failed"): \(diagnostic.check.name)", metadata: metadata)
        }
        if let error = diagnostic.error {
            logger.notice("SAML response rejected", metadata: [
                "saml.check": "\(diagnostic.check.name)", "saml.code": "\(error.code)", "saml.reason": "\(error.reason)",
            ])
        }
    }

    /// An optional xs:dateTime attribute; a value that is not one is refused.
    func time(_ element: XMLElement, _ attribute: String) throws -> Date? {
        guard let text = element.attribute(attribute) else { return nil }
        guard let date = SAMLTime.parse(text) else {
            throw SAMLError(.invalidMessage, "\(element.localName) \(attribute) \"\(text)\" is not an xs:dateTime.")
        }
        return date
    }
}

extension [VerificationDiagnostic.Fact] {
    /// Appends `label: value`.
    mutating func add(_ label: String, _ value: String) { append(VerificationDiagnostic.Fact(label, value)) }
    /// Appends a time as xs:dateTime text.
    mutating func add(_ label: String, _ date: Date) { add(label, SAMLTime.format(date)) }
}

extension Duration {
    /// The duration in seconds, as Foundation's time arithmetic needs it.
    var timeInterval: TimeInterval {
        let (seconds, attoseconds) = components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}
