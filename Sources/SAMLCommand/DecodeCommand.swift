import ArgumentParser
import Foundation
import SAML
import SAMLInspection

struct DecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Show what a captured SAML message says, without verifying anything.",
        discussion: """
            INPUT is whatever the browser carried: a full HTTP-Redirect URL or its query string (the \
            SAMLRequest/SAMLResponse is inflated, RelayState and SigAlg shown), an HTTP-POST body \
            (SAMLResponse=...&RelayState=...), a bare base64 value, or the XML. It may be given inline, \
            as a file, or as - for standard input (the default). The output is the re-indented XML and \
            a summary: message type, IDs, issuer, destination, times relative to now, NameID, \
            attributes, and which elements carry signatures with which algorithms and certificates. \
            All of it is UNVERIFIED: use `saml verify` to check a response.

            \(Exit.outputHelp) \(Exit.help) Exit 1 here: the input is not a readable SAML message (bad base64, a DEFLATE \
            bomb, a DOCTYPE, malformed XML).
            """
    )

    @Argument(help: ArgumentHelp("The message, a file holding it, or - for standard input.", valueName: "input"))
    var input: String = "-"

    @Flag(name: .customLong("no-xml"), help: "Leave the XML out; print only the summary.")
    var noXML = false

    @OptionGroup var common: InputOptions

    @OptionGroup var output: OutputOptions

    func run() throws {
        let bytes: [UInt8]
        if input == "-" && isatty(STDIN_FILENO) == 1 {
            Output.error("saml decode: reading the message from standard input (paste it, then Ctrl-D)")
        }
        if input == "-" || FileManager.default.fileExists(atPath: input) {
            bytes = try common.read(input)
        } else if input.hasPrefix("<") || input.contains("=") || input.count > 64 {
            bytes = Array(input.utf8)
        } else {
            Output.error("saml decode: \(input) is neither a file nor a SAML message.")
            throw Exit.usage
        }
        var message: UnverifiedMessage
        do {
            message = try SAMLMessageInspector.inspect(bytes: bytes, now: common.instant)
        } catch let error as SAMLError {
            if output.mode == .json {
                print(Output.json(RejectionJSON(error)))
            } else {
                print("\(output.style.fail) saml decode: \(error.code): \(error.reason)")
            }
            throw Exit.refused
        }
        if noXML { message.indentedXML = "" }
        if output.mode == .json {
            print(Output.json(message))
        } else {
            Self.printText(message, style: output.style)
        }
    }

    static func printText(_ m: UnverifiedMessage, style: Style) {
        let now = m.inspectedAt
        print(style.yellow(style.bold("UNVERIFIED")) + " — decoded only; no signature has been checked and nothing below is trusted.\n")
        var r = TextReport()
        let t = m.transport
        r.row("Carried as", "\(t.encoding)\(t.parameter.map { " (\($0))" } ?? ""), \(t.xmlBytes) bytes of XML")
        r.row("RelayState", t.relayState)
        r.row("SigAlg", t.sigAlg.map(Algorithms.shortName))
        if t.encoding == "HTTP-Redirect" || t.sigAlg != nil {
            r.row("Signature", t.hasQuerySignature ? "present in the query string (not checked)" : "none in the query string")
        }
        r.row("Message", m.messageType + (m.namespace.map { " (\($0))" } ?? ""))
        r.row("ID", m.id)
        r.row("InResponseTo", m.inResponseTo)
        r.row("Issuer", m.issuer)
        r.row("Destination", m.destination)
        if let status = m.status {
            let text = Algorithms.shortName(status.code) + (status.subCode.map { " / \(Algorithms.shortName($0))" } ?? "") + (status.message.map { ": \($0)" } ?? "")
            r.row("Status", (status.isSuccess ? style.pass : style.fail) + " " + text)
        }
        if let q = m.request {
            r.row("ACS URL", q.assertionConsumerServiceURL)
            r.row("Binding", q.protocolBinding.map(Algorithms.shortName))
            r.row("NameIDPolicy", q.nameIDPolicyFormat.map(Algorithms.shortName))
            r.row("ForceAuthn", q.forceAuthn)
            r.row("IsPassive", q.isPassive)
        }
        if !m.times.isEmpty {
            r.line("")
            r.line(style.bold("Times") + " (now \(SAMLTime.format(now)))")
        }
        for (label, date) in m.times { r.row(label, SAMLTime.describe(date, now: now), indent: 1) }
        if m.encryptedAssertions > 0 {
            r.row("Encrypted", "\(m.encryptedAssertions) EncryptedAssertion (saml verify --sp-key decrypts)")
        }
        for (n, a) in m.assertions.enumerated() {
            r.line("")
            r.line(style.bold("Assertion\(m.assertions.count > 1 ? " \(n + 1)" : "")") + (a.id.map { " \($0)" } ?? ""))
            r.row("Issuer", a.issuer, indent: 1)
            if let nameID = a.nameID { r.row("NameID", nameID.value + (nameID.format.map { " (\(Algorithms.shortName($0)))" } ?? ""), indent: 1) }
            for c in a.subjectConfirmations {
                r.row("Confirmation", [c.method.map(Algorithms.shortName), c.recipient.map { "recipient \($0)" }, c.inResponseTo.map { "in response to \($0)" }]
                    .compactMap { $0 }.joined(separator: ", "), indent: 1)
            }
            r.row("Audience", a.audiences.isEmpty ? nil : a.audiences.joined(separator: ", "), indent: 1)
            r.row("Session", a.sessionIndex, indent: 1)
            r.row("AuthnContext", a.authnContextClassRef.map(Algorithms.shortName), indent: 1)
            if !a.attributes.isEmpty { r.line("Attributes", indent: 1) }
            for attribute in a.attributes {
                r.row(attribute.name, attribute.values.joined(separator: " | "), indent: 2)
            }
        }
        r.line("")
        r.line(style.bold("Signatures") + (m.signatures.isEmpty ? ": none in the XML" : " (present, not verified)"))
        for s in m.signatures {
            let covers = s.referencesParent ? "covers its \(s.parentElement)" : style.yellow("does not simply cover its \(s.parentElement) (references \(s.referenceURIs.joined(separator: ", ")))")
            r.row(s.parentElement + (s.parentID.map { " \($0)" } ?? ""),
                  "\(s.signatureMethod.map(Algorithms.shortName) ?? "no SignatureMethod"), digest \(s.digestMethods.map(Algorithms.shortName).joined(separator: ", ")); \(covers)", indent: 1)
            for c in s.certificates {
                r.row("certificate", "\(c.subject), \(c.expired ? style.red("expired") : "expires") \(SAMLTime.describe(c.notAfter, now: now))", indent: 2)
                r.row("", "SHA-256 \(c.sha256Fingerprint)", indent: 2)
            }
            if s.unreadableCertificates > 0 { r.row("certificate", "\(s.unreadableCertificates) unreadable", indent: 2) }
        }
        for e in m.entities {
            r.line("")
            r.line(style.bold("Entity") + " \(e.entityID)")
            for role in e.roles {
                r.row(role.kind, [role.wantAuthnRequestsSigned.map { "WantAuthnRequestsSigned=\($0)" },
                                   role.authnRequestsSigned.map { "AuthnRequestsSigned=\($0)" },
                                   role.wantAssertionsSigned.map { "WantAssertionsSigned=\($0)" }].compactMap { $0 }.joined(separator: ", "),
                      indent: 1)
                for endpoint in role.endpoints { r.row("endpoint", "\(Algorithms.shortName(endpoint.binding))  \(endpoint.location)", indent: 2) }
                for key in role.keys {
                    r.row(key.use ?? "signing+encryption", "\(key.certificate.subject), \(key.certificate.expired ? style.red("expired") : "expires") \(SAMLTime.describe(key.certificate.notAfter, now: now))", indent: 2)
                }
            }
            if !e.signingMethods.isEmpty { r.row("SigningMethod", e.signingMethods.map(Algorithms.shortName).joined(separator: ", "), indent: 1) }
        }
        r.print()
        if !m.indentedXML.isEmpty {
            print("\n" + style.dim("--- XML, re-indented for reading (not byte-exact: never verify this copy) ---"))
            print(m.indentedXML, terminator: m.indentedXML.hasSuffix("\n") ? "" : "\n")
        }
    }
}
