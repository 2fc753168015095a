import ArgumentParser
import Foundation
import SAML

/// The options `saml verify` and `saml bench verify` share.
struct VerifyOptions: ParsableArguments {
    @OptionGroup var idp: IdPOptions

    @OptionGroup var sp: SPOptions

    @Option(name: .customLong("request-id"), help: ArgumentHelp("The ID of the AuthnRequest the response must answer.", valueName: "id"))
    var requestID: String?

    @Flag(name: .customLong("allow-unsolicited"), help: "Accept an IdP-initiated response (no InResponseTo).")
    var allowUnsolicited = false

    @Option(name: .customLong("clock-skew"), help: ArgumentHelp("Allowed clock skew in seconds.", valueName: "seconds"))
    var clockSkew: Double = 90

    @Flag(name: .customLong("allow-sha1"), help: "Accept RSA-SHA1 signatures and SHA-1 digests.")
    var allowSHA1 = false

    @OptionGroup var decryption: DecryptionOptions

    @OptionGroup var common: InputOptions

    @Argument(help: ArgumentHelp("The SAMLResponse form value (base64), the POST body, or raw XML; - reads standard input.", valueName: "response"))
    var responseFile: String

    func validate() throws {
        if requestID != nil && allowUnsolicited {
            throw ValidationError("--request-id and --allow-unsolicited exclude each other.")
        }
        guard clockSkew >= 0, clockSkew <= 3600 else { throw ValidationError("--clock-skew must be between 0 and 3600 seconds.") }
    }

    /// Builds the verifier and reads the response (or takes `text`); exits 2 on unusable
    /// configuration or input.
    func prepare(text: String? = nil) throws -> (ResponseVerifier, String, Date) {
        let idp = try self.idp.load(command: "verify", input: common)
        let keys: [SAMLPrivateKey]
        do {
            keys = try decryption.keys().map(\.key)
        } catch let error as SAMLError {
            Output.error("saml verify: \(error)")
            throw Exit.usage
        }
        let sp = ServiceProvider(entityID: self.sp.entityID, acsURL: self.sp.acsURL, decryptionKeys: keys)
        let policy = VerificationPolicy(clockSkew: .milliseconds(Int64((clockSkew * 1000).rounded())), allowSHA1: allowSHA1,
                                        allowUnsolicited: allowUnsolicited)
        let verifier = ResponseVerifier(serviceProvider: sp, identityProvider: idp, policy: policy)
        let response = try Self.formValue(try text ?? common.readText(responseFile))
        return (verifier, response, common.instant)
    }
}

extension VerifyOptions {
    /// Accepts what operators paste: the bare value, or `SAMLResponse=…` still URL-encoded as it
    /// appears in a captured request body.
    /// Both are read by the library's own form reader (``SAMLFormBody``).
    static func formValue(_ text: String) throws -> String {
        let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard value.first != "<" else { return value }
        do {
            if value.contains("SAMLResponse=") {
                return try SAMLFormBody(value).samlResponse ?? value
            }
            // "+" in a form value is a space, which base64 decoding skips; "%2B" is a real plus.
            return value.contains("%") ? try SAMLFormBody.decodeValue(value) : value
        } catch let error as SAMLError {
            Output.error("saml: \(error)")
            throw Exit.usage
        }
    }
}

/// A NameID in command output (`saml verify`, `saml verify-logout`).
struct NameIDJSON: Encodable {
    var value: String
    var format: String?
    var nameQualifier: String?
    var spNameQualifier: String?

    init(_ n: NameID) {
        (value, format, nameQualifier, spNameQualifier) = (n.value, n.format?.rawValue, n.nameQualifier, n.spNameQualifier)
    }
}

/// The JSON `saml verify` prints on success: the verified assertion's fields, each named once
/// here, those without a value left out.
struct VerifiedJSON: Encodable {
    private struct RoleJSON: Encodable {
        var role: String
        var provider: String
    }

    private enum Field: String, CodingKey {
        case issuer, nameID, sessionIndex, authnInstant, authnContextClassRef, sessionNotOnOrAfter, attributes, assertionID
        case responseID, inResponseTo, notOnOrAfter, responseSigned, assertionSigned, encrypted, email, awsRoles
    }

    let assertion: VerifiedAssertion

    init(_ assertion: VerifiedAssertion) { self.assertion = assertion }

    func encode(to encoder: any Encoder) throws {
        let a = assertion
        var json = encoder.container(keyedBy: Field.self)
        try json.encode(a.issuer, forKey: .issuer)
        try json.encode(NameIDJSON(a.nameID), forKey: .nameID)
        try json.encodeIfPresent(a.sessionIndex, forKey: .sessionIndex)
        try json.encodeIfPresent(a.authnInstant, forKey: .authnInstant)
        try json.encodeIfPresent(a.authnContextClassRef, forKey: .authnContextClassRef)
        try json.encodeIfPresent(a.sessionNotOnOrAfter, forKey: .sessionNotOnOrAfter)
        try json.encode(a.valuesByName, forKey: .attributes)
        try json.encode(a.assertionID, forKey: .assertionID)
        try json.encode(a.responseID, forKey: .responseID)
        try json.encodeIfPresent(a.inResponseTo, forKey: .inResponseTo)
        try json.encodeIfPresent(a.notOnOrAfter, forKey: .notOnOrAfter)
        try json.encode(a.responseSigned, forKey: .responseSigned)
        try json.encode(a.assertionSigned, forKey: .assertionSigned)
        try json.encode(a.wasEncrypted, forKey: .encrypted)
        try json.encodeIfPresent(a.email, forKey: .email)
        let roles = a.awsRoles.map { RoleJSON(role: $0.roleARN, provider: $0.providerARN) }
        try json.encodeIfPresent(roles.isEmpty ? nil : roles, forKey: .awsRoles)
    }
}

struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify a SAMLResponse as an ACS would, and print the identity or the rejection.",
        discussion: "\(Exit.outputHelp) \(Exit.help) Exit 0 prints the identity; exit 1 the code and reason (in JSON {\"error\", \"message\"}); exit 2 also covers unusable IdP metadata or SP keys. With --explain, a text trace of every check replaces the report (same exit codes)."
    )

    @OptionGroup var options: VerifyOptions

    @OptionGroup var output: OutputOptions

    @Flag(name: .customLong("explain"), help: "Print each check as a line (✓ passed, ✗ failed) with the values it compared, instead of the report.")
    var explain = false

    func run() async throws {
        let (verifier, response, now) = try options.prepare()
        let trace = Trace()
        do {
            let assertion = try await verifier.verify(samlResponse: response, inResponseTo: options.requestID, now: now,
                                                      diagnostics: explain ? trace.record : nil)
            if explain {
                print(trace.text)
                print("accepted: \(assertion.nameID.value) from \(assertion.issuer) (assertion \(assertion.assertionID))")
            } else if output.mode == .json {
                print(Output.json(VerifiedJSON(assertion)))
            } else {
                Self.printText(assertion, now: now, style: output.style)
            }
        } catch let error as SAMLError {
            if explain {
                print(trace.text)
                print("rejected: \(error.code): \(error.reason)")
                if let library = error.libraryMessage { print("library: \(library)") }
            } else {
                RejectionJSON.print(error, output: output)
            }
            throw Exit.refused
        }
    }

    static func printText(_ a: VerifiedAssertion, now: Date, style: Style) {
        print("\(style.pass) Verified: \(a.nameID.value)")
        var r = TextReport()
        r.row("issuer", a.issuer, indent: 1)
        r.row("NameID", a.nameID.value + (a.nameID.format.map { " (\(Algorithms.shortName($0.rawValue)))" } ?? ""), indent: 1)
        r.row("signed", "response \(a.responseSigned ? style.pass : "-"), assertion \(a.assertionSigned ? style.pass : "-")\(a.wasEncrypted ? ", encrypted" : "")", indent: 1)
        r.row("assertion", a.assertionID, indent: 1)
        r.row("response", a.responseID, indent: 1)
        r.row("in response to", a.inResponseTo ?? "(IdP-initiated)", indent: 1)
        r.row("session", a.sessionIndex, indent: 1)
        r.row("authenticated", a.authnInstant.map { SAMLTime.describe($0, now: now) }, indent: 1)
        r.row("context", a.authnContextClassRef.map(Algorithms.shortName), indent: 1)
        r.row("valid until", a.notOnOrAfter.map { SAMLTime.describe($0, now: now) }, indent: 1)
        r.row("session until", a.sessionNotOnOrAfter.map { SAMLTime.describe($0, now: now) }, indent: 1)
        for role in a.awsRoles { r.row("AWS role", "\(role.roleARN) via \(role.providerARN)", indent: 1) }
        if !a.attributes.isEmpty { r.line("attributes", indent: 1) }
        for attribute in a.attributes { r.row(attribute.name, attribute.values.joined(separator: " | "), indent: 2) }
        r.print()
    }
}

/// The checks `--explain` prints, one line each with the values compared.
final class Trace {
    private(set) var diagnostics: [VerificationDiagnostic] = []

    func record(_ diagnostic: VerificationDiagnostic) { diagnostics.append(diagnostic) }

    var text: String {
        let width = diagnostics.map(\.check.name.count).max() ?? 0
        return diagnostics.map { d in
            let name = d.check.name.padding(toLength: width, withPad: " ", startingAt: 0)
            var line = "\(d.passed ? "✓" : "✗") \(name)"
            if !d.facts.isEmpty { line += "  " + d.facts.map { "\($0.label): \($0.value)" }.joined(separator: "; ") }
            if let error = d.error { line += "\n  \(String(repeating: " ", count: width)) → \(error.code): \(error.reason)" }
            return line
        }.joined(separator: "\n")
    }
}

/// The JSON printed for a rejection.
struct RejectionJSON: Encodable {
    var error: String
    var message: String
    var libraryMessage: String?

    init(_ e: SAMLError) {
        error = e.code.rawValue
        message = e.reason
        libraryMessage = e.libraryMessage
    }

    /// Prints a refusal as JSON or as a text report.
    static func print(_ error: SAMLError, output: OutputOptions) {
        if output.mode == .json {
            Swift.print(Output.json(RejectionJSON(error)))
        } else {
            Swift.print("\(output.style.fail) Rejected: \(error.code)")
            var r = TextReport()
            r.row("reason", error.reason, indent: 1)
            r.row("library", error.libraryMessage, indent: 1)
            r.print()
        }
    }
}
