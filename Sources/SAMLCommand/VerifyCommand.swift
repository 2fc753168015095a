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

    @Option(name: .customLong("now"), help: ArgumentHelp("Check times as of this RFC 3339 instant instead of the clock.", valueName: "instant"))
    var now: String?

    @Option(name: .customLong("clock-skew"), help: ArgumentHelp("Allowed clock skew in seconds.", valueName: "seconds"))
    var clockSkew: Double = 90

    @Flag(name: .customLong("allow-sha1"), help: "Accept RSA-SHA1 signatures and SHA-1 digests.")
    var allowSHA1 = false

    @OptionGroup var decryption: DecryptionOptions

    @Argument(help: ArgumentHelp("The SAMLResponse form value (base64), the POST body, or raw XML; - reads standard input.", valueName: "response"))
    var responseFile: String

    func validate() throws {
        if requestID != nil && allowUnsolicited {
            throw ValidationError("--request-id and --allow-unsolicited exclude each other.")
        }
        if let now, SAMLTime.parseRFC3339(now) == nil {
            throw ValidationError("--now must be an RFC 3339 instant such as 2026-01-15T10:01:00Z.")
        }
        guard clockSkew >= 0, clockSkew <= 3600 else { throw ValidationError("--clock-skew must be between 0 and 3600 seconds.") }
    }

    /// Builds the verifier and reads the response; exits 2 on unusable configuration or input.
    func prepare() throws -> (ResponseVerifier, String, Date) {
        let idp = try self.idp.load(command: "verify")
        let keys: [SAMLPrivateKey]
        do {
            keys = try decryption.keys().map(\.key)
        } catch let error as SAMLError {
            Output.error("saml verify: \(error)")
            throw Exit.usage
        }
        let sp = ServiceProvider(entityID: self.sp.entityID, acsURL: self.sp.acsURL, decryptionKeys: keys)
        let policy = VerificationPolicy(clockSkew: clockSkew, allowSHA1: allowSHA1, allowUnsolicited: allowUnsolicited)
        let verifier = ResponseVerifier(serviceProvider: sp, identityProvider: idp, policy: policy)
        let response = Self.formValue(try Output.readText(responseFile))
        let instant = now.flatMap(SAMLTime.parseRFC3339) ?? Date()
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
        nameID = NameIDJSON(value: a.nameID.value, format: a.nameID.format, nameQualifier: a.nameID.nameQualifier, spNameQualifier: a.nameID.spNameQualifier)
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
        abstract: "Verify a SAMLResponse as an ACS would, and print the identity or the rejection.",
        discussion: "\(Exit.help) Exit 0 prints the identity; exit 1 the code and reason (in JSON {\"error\", \"message\"}); exit 2 also covers unusable IdP metadata or SP keys."
    )

    @OptionGroup var options: VerifyOptions

    @OptionGroup var output: OutputOptions

    func run() async throws {
        let (verifier, response, now) = try options.prepare()
        do {
            let assertion = try await verifier.verify(samlResponse: response, inResponseTo: options.requestID, now: now)
            if output.mode == .json {
                print(Output.json(VerifiedJSON(assertion)))
            } else {
                Self.printText(assertion, now: now, style: output.style)
            }
        } catch let error as SAMLError {
            if output.mode == .json {
                print(Output.json(RejectionJSON(error)))
            } else {
                print("\(output.style.fail) Rejected: \(error.code)")
                var r = TextReport()
                r.row("reason", error.reason, indent: 1)
                r.row("library", error.libraryMessage, indent: 1)
                r.print()
            }
            throw Exit.refused
        }
    }

    static func printText(_ a: VerifiedAssertion, now: Date, style: Style) {
        print("\(style.pass) Verified: \(a.nameID.value)")
        var r = TextReport()
        r.row("issuer", a.issuer, indent: 1)
        r.row("NameID", a.nameID.value + (a.nameID.format.map { " (\(Output.short($0)))" } ?? ""), indent: 1)
        r.row("signed", "response \(a.responseSigned ? style.pass : "-"), assertion \(a.assertionSigned ? style.pass : "-")\(a.wasEncrypted ? ", encrypted" : "")", indent: 1)
        r.row("assertion", a.assertionID, indent: 1)
        r.row("response", a.responseID, indent: 1)
        r.row("in response to", a.inResponseTo ?? "(IdP-initiated)", indent: 1)
        r.row("session", a.sessionIndex, indent: 1)
        r.row("authenticated", a.authnInstant.map { Output.time($0, now: now) }, indent: 1)
        r.row("context", a.authnContextClassRef.map(Output.short), indent: 1)
        r.row("valid until", a.notOnOrAfter.map { Output.time($0, now: now) }, indent: 1)
        r.row("session until", a.sessionNotOnOrAfter.map { Output.time($0, now: now) }, indent: 1)
        for role in a.awsRoles { r.row("AWS role", "\(role.roleARN) via \(role.providerARN)", indent: 1) }
        if !a.attributes.isEmpty { r.line("attributes", indent: 1) }
        for attribute in a.attributes { r.row(attribute.name, attribute.values.joined(separator: " | "), indent: 2) }
        r.print()
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
