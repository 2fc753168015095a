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
    /// Reports held back by ``withholdingReports(_:)``; nil when reports go out at once.
    private var withheld: [VerificationDiagnostic]?

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
    func step<T>(_ check: VerificationCheck, _ body: (inout Facts) throws -> T) throws -> T {
        var facts = Facts(recorded: recordsFacts)
        do {
            let result = try body(&facts)
            report(VerificationDiagnostic(check: check, passed: true, facts: facts.list, error: nil))
            return result
        } catch let error as SAMLError {
            report(VerificationDiagnostic(check: check, passed: false, facts: facts.list, error: error))
            throw error
        }
    }

    /// Whether anyone reads the steps' facts: a diagnostics closure, or a logger at debug level.
    /// Without one, no fact is even formatted.
    private var recordsFacts: Bool {
        diagnostics != nil || (logger.map { $0.logLevel <= .debug } ?? false)
    }

    /// The values one step compared, kept only when someone reads them.
    struct Facts {
        let recorded: Bool
        var list: [VerificationDiagnostic.Fact] = []

        /// Appends `label: value`; `value` is evaluated only when facts are recorded.
        mutating func add(_ label: String, _ value: @autoclosure () -> String) {
            if recorded { list.append(VerificationDiagnostic.Fact(label, value())) }
        }

        /// Appends a time as xs:dateTime text.
        mutating func add(_ label: String, _ date: @autoclosure () -> Date) {
            if recorded { list.append(VerificationDiagnostic.Fact(label, SAMLTime.format(date()))) }
        }
    }

    /// Runs `body` with its reports held back. When it succeeds they are reported in order; when
    /// it fails they are dropped (unless the policy's unsafe switch reveals them) and the caller
    /// reports one failure in their place, so nothing tells how far the steps got.
    func withholdingReports<T>(_ body: () throws -> T) throws -> T {
        let outer = withheld
        withheld = []
        let result: T
        do {
            result = try body()
        } catch {
            let held = withheld ?? []
            withheld = outer
            if policy.unsafeRevealDecryptionFailures { held.forEach(report) }
            throw error
        }
        let held = withheld ?? []
        withheld = outer
        held.forEach(report)
        return result
    }

    /// Reports one finished step.
    func report(_ diagnostic: VerificationDiagnostic) {
        if withheld != nil {
            withheld!.append(diagnostic)
            return
        }
        diagnostics?(diagnostic)
        guard let logger else { return }
        if logger.logLevel <= .debug {
            var metadata: Logger.Metadata = ["saml.check": "\(diagnostic.check.name)", "saml.passed": "\(diagnostic.passed)"]
            for fact in diagnostic.facts { metadata["saml.\(fact.label)"] = "\(fact.value)" }
            logger.debug("SAML response check \(diagnostic.passed ? "passed" : "failed"): \(diagnostic.check.name)", metadata: metadata)
        }
    }

    /// Logs the rejection the caller sees (notice), once per verification.
    func logRejection(_ error: SAMLError) {
        logger?.notice("SAML response rejected", metadata: ["saml.code": "\(error.code)", "saml.reason": "\(error.reason)"])
    }

    /// Message text as it may appear in an error or a log line (`SAMLError.shown`). Anything read
    /// from an unsigned element goes through here.
    static func shown(_ text: String) -> String { SAMLError.shown(text) }

    /// An optional xs:dateTime attribute; a value that is not one is refused.
    func time(_ element: XMLElement, _ attribute: String) throws -> Date? {
        guard let text = element.attribute(attribute) else { return nil }
        guard let date = SAMLTime.parse(text) else {
            throw SAMLError(.invalidMessage, "\(element.localName) \(attribute) \"\(Self.shown(text))\" is not an xs:dateTime.")
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
