import ArgumentParser
import Foundation
import SAML

/// The options `saml verify` and `saml bench verify` share.
struct VerifyOptions: ParsableArguments {
    @Option(name: .customLong("idp-metadata"), help: "The IdP's metadata file.")
    var idpMetadata: String

    @Option(name: .customLong("idp-entity-id"), help: "Which IdP to use when the metadata holds several.")
    var idpEntityID: String?

    @Option(name: .customLong("sp-entity-id"), help: "This SP's entity ID (the audience).")
    var spEntityID: String

    @Option(name: .customLong("acs-url"), help: "This SP's Assertion Consumer Service URL.")
    var acsURL: String

    @Option(name: .customLong("request-id"), help: "The ID of the AuthnRequest the response must answer.")
    var requestID: String?

    @Flag(name: .customLong("allow-unsolicited"), help: "Accept an IdP-initiated response (no InResponseTo).")
    var allowUnsolicited = false

    @Option(name: .customLong("now"), help: "Check times as of this RFC 3339 instant instead of the clock.")
    var now: String?

    @Option(name: .customLong("clock-skew"), help: "Allowed clock skew in seconds (default 90).")
    var clockSkew: Double = 90

    @Flag(name: .customLong("allow-sha1"), help: "Accept RSA-SHA1 signatures and SHA-1 digests.")
    var allowSHA1 = false

    @Option(name: .customLong("sp-key"), help: "An SP private key (PEM) that decrypts encrypted assertions; repeatable.")
    var spKeys: [String] = []

    @Argument(help: "The SAMLResponse form value (base64) or raw XML; - reads standard input.")
    var responseFile: String

    func validate() throws {
        if requestID != nil && allowUnsolicited {
            throw ValidationError("--request-id and --allow-unsolicited exclude each other.")
        }
        if let now, SAMLTime.parse(now) == nil {
            throw ValidationError("--now must be an xs:dateTime instant such as 2026-01-15T10:01:00Z (a real calendar date; Z or ±hh:mm).")
        }
    }

    /// Builds the verifier and reads the response; exits 2 on unusable input.
    func prepare() throws -> (ResponseVerifier, String, Date) {
        let metadata = try Output.read(idpMetadata)
        let idp: IdentityProvider
        do {
            idp = try IdentityProvider(metadata: metadata, entityID: idpEntityID)
        } catch let error as SAMLError {
            Output.error("saml: \(idpMetadata): \(error)")
            throw ExitCode(2)
        }
        var keys: [SAMLPrivateKey] = []
        for path in spKeys {
            do {
                keys.append(try SAMLPrivateKey(pem: try Output.readText(path)))
            } catch let error as SAMLError {
                Output.error("saml: \(path): \(error)")
                throw ExitCode(2)
            }
        }
        let sp = ServiceProvider(entityID: spEntityID, acsURL: acsURL, decryptionKeys: keys)
        let policy = VerificationPolicy(clockSkew: .milliseconds(Int64((clockSkew * 1000).rounded())), allowSHA1: allowSHA1,
                                        allowUnsolicited: allowUnsolicited)
        let verifier = ResponseVerifier(serviceProvider: sp, identityProvider: idp, policy: policy)
        let response = Self.formValue(try Output.readText(responseFile))
        let instant = now.flatMap(SAMLTime.parse) ?? Date()
        return (verifier, response, instant)
    }
}

extension VerifyOptions {
    /// Accepts what operators paste: the bare value, or `SAMLResponse=…` still URL-encoded as it
    /// appears in a captured request body.
    static func formValue(_ text: String) -> String {
        var value = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if let field = value.split(separator: "&").first(where: { $0.hasPrefix("SAMLResponse=") }) {
            value = String(field.dropFirst("SAMLResponse=".count))
        }
        if value.first != "<", value.contains("%"), let decoded = value.replacingOccurrences(of: "+", with: " ").removingPercentEncoding {
            // "+" in a form body is a space, which base64 decoding skips; "%2B" is a real plus.
            value = decoded
        }
        return value
    }
}

/// The JSON `saml verify` prints on success.
struct VerifiedJSON: Encodable {
    struct NameIDJSON: Encodable {
        var value: String
        var format: String?
        var nameQualifier: String?
        var spNameQualifier: String?
    }
    struct RoleJSON: Encodable {
        var role: String
        var provider: String
    }
    var issuer: String
    var nameID: NameIDJSON
    var sessionIndex: String?
    var authnInstant: Date?
    var authnContextClassRef: String?
    var sessionNotOnOrAfter: Date?
    var attributes: [String: [String]]
    var assertionID: String
    var responseID: String
    var inResponseTo: String?
    var notOnOrAfter: Date?
    var responseSigned: Bool
    var assertionSigned: Bool
    var encrypted: Bool
    var email: String?
    var awsRoles: [RoleJSON]?

    init(_ a: VerifiedAssertion) {
        issuer = a.issuer
        nameID = NameIDJSON(value: a.nameID.value, format: a.nameID.format?.rawValue, nameQualifier: a.nameID.nameQualifier, spNameQualifier: a.nameID.spNameQualifier)
        sessionIndex = a.sessionIndex
        authnInstant = a.authnInstant
        authnContextClassRef = a.authnContextClassRef
        sessionNotOnOrAfter = a.sessionNotOnOrAfter
        var attributes: [String: [String]] = [:]
        for attribute in a.attributes { attributes[attribute.name, default: []] += attribute.values }
        self.attributes = attributes
        assertionID = a.assertionID
        responseID = a.responseID
        inResponseTo = a.inResponseTo
        notOnOrAfter = a.notOnOrAfter
        responseSigned = a.responseSigned
        assertionSigned = a.assertionSigned
        encrypted = a.wasEncrypted
        email = a.email
        let roles = a.awsRoles
        awsRoles = roles.isEmpty ? nil : roles.map { RoleJSON(role: $0.roleARN, provider: $0.providerARN) }
    }
}

struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify a SAMLResponse as an ACS would, and print the identity or the rejection as JSON.",
        discussion: "Exit 0: verified (JSON identity on stdout). Exit 1: rejected ({\"error\", \"message\"} on stdout). Exit 2: usage error or unreadable file. With --explain, a text trace of every check replaces the JSON (same exit codes)."
    )

    @OptionGroup var options: VerifyOptions

    @Flag(name: .customLong("explain"), help: "Print each check as a line (✓ passed, ✗ failed) with the values it compared, instead of JSON.")
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
            } else {
                print(Output.json(VerifiedJSON(assertion)))
            }
        } catch let error as SAMLError {
            if explain {
                print(trace.text)
                print("rejected: \(error.code): \(error.reason)")
                if let library = error.libraryMessage { print("library: \(library)") }
            } else {
                print(Output.json(RejectionJSON(error)))
            }
            throw ExitCode(1)
        }
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
}
