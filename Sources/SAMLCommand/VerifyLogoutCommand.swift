import ArgumentParser
import Foundation
import SAML
import SAMLCore

struct VerifyLogoutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-logout",
        abstract: "Verify an IdP's LogoutRequest or LogoutResponse sent to this SP's logout URL.",
        discussion: """
            MESSAGE is one of: the full HTTP-Redirect URL or its query string (the signature is checked \
            over the octets exactly as given, never re-encoded); the HTTP-POST form value (base64); or a \
            URL-encoded POST body (SAMLRequest=…&RelayState=… or SAMLResponse=…). - reads it from \
            standard input. Whether it is a LogoutRequest or a LogoutResponse is read from the message; \
            a LogoutResponse needs --request-id, the ID of the LogoutRequest it answers.

            The checks are the library's: the signature with the IdP's metadata keys only (unsigned \
            messages are refused, unknown or SHA-1 SigAlg too), Issuer, Destination (--slo-url), \
            IssueInstant age, NotOnOrAfter, InResponseTo and status. Replay detection remembers IDs \
            within one process only, so it plays no part here: the same message verifies twice.

            \(Exit.outputHelp) \(Exit.help) Exit 0 prints the verified message; exit 1 the code and reason (in JSON \
            {"error", "message"}); exit 2 also covers unusable IdP metadata, a LogoutResponse without \
            --request-id, and an input that is none of the shapes above.
            """
    )

    @OptionGroup var idp: IdPOptions

    @Option(name: .customLong("sp-entity-id"), help: ArgumentHelp("This SP's entity ID.", valueName: "id"))
    var spEntityID: String

    @Option(name: .customLong("slo-url"), help: ArgumentHelp("This SP's single logout URL: the Destination the message must name.", valueName: "url"))
    var sloURL: String

    @Option(name: .customLong("request-id"), help: ArgumentHelp("The ID of this SP's LogoutRequest that a LogoutResponse must answer.", valueName: "id"))
    var requestID: String?

    @Option(name: .customLong("relay-state"), help: ArgumentHelp("The RelayState received beside a bare POST form value.", valueName: "text"))
    var relayState: String?

    @Option(help: "Read MESSAGE as this binding instead of guessing from its shape.")
    var binding: AuthnRequestCommand.RequestBinding?

    @OptionGroup var common: InputOptions

    @Argument(help: ArgumentHelp("The Redirect URL or query string, the POST form value, or a URL-encoded POST body; - for standard input.", valueName: "message"))
    var message: String

    @OptionGroup var output: OutputOptions

    func validate() throws {
        try URLCheck.require(sloURL, option: "--slo-url")
        if spEntityID.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("--sp-entity-id must not be empty.")
        }
        if let requestID, requestID.isEmpty { throw ValidationError("--request-id must not be empty.") }
    }

    /// The message as this command reads it.
    enum Input {
        case redirect(query: String, isRequest: Bool)
        case post(value: String, relayState: String?, isRequest: Bool)
    }

    /// The parameter names of a query string or form body (the text before each `=`).
    static func parameterNames(_ text: String) -> [Substring] {
        let query = text.firstIndex(of: "?").map { text[text.index(after: $0)...] } ?? text[...]
        return query.split(separator: "&").map { $0.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).first ?? "" }
    }

    /// Works out the binding and the message kind; nil when the text has none of the accepted shapes.
    func read(_ text: String) throws -> Input? {
        let names = Self.parameterNames(text)
        let hasRequest = names.contains("SAMLRequest"), hasResponse = names.contains("SAMLResponse")
        if hasRequest || hasResponse {
            guard hasRequest != hasResponse else { return nil }
            let looksRedirect = text.contains("?") || names.contains("SigAlg") || names.contains("Signature")
            if binding == .redirect || (binding == nil && looksRedirect) {
                return .redirect(query: text, isRequest: hasRequest)
            }
            let body = try SAMLFormBody(text)
            if hasRequest, let value = body.samlRequest { return .post(value: value, relayState: body.relayState ?? relayState, isRequest: true) }
            if hasResponse, let value = body.samlResponse { return .post(value: value, relayState: body.relayState ?? relayState, isRequest: false) }
            return nil
        }
        guard binding != .redirect, let xml = Base64.decode(text) else { return nil }
        return Self.kind(of: xml).map { .post(value: text, relayState: relayState, isRequest: $0) }
    }

    /// Whether decoded XML is a LogoutRequest (true) or a LogoutResponse (false), by the first of
    /// the two names it holds. The verifier checks the root element itself.
    static func kind(of xml: [UInt8]) -> Bool? {
        let text = String(decoding: xml.prefix(4096), as: UTF8.self)
        let request = text.range(of: "LogoutRequest"), response = text.range(of: "LogoutResponse")
        switch (request, response) {
        case (let r?, let s?): return r.lowerBound < s.lowerBound
        case (_?, nil): return true
        case (nil, _?): return false
        default: return nil
        }
    }

    func run() async throws {
        let provider = try idp.load(command: "verify-logout", input: common)
        var text = message == "-" ? try common.readText("-") : message
        text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let input: Input?
        do {
            input = try read(text)
        } catch let error as SAMLError {
            Output.error("saml verify-logout: the message is not a readable form body: \(error.reason)")
            throw Exit.usage
        }
        guard let input else {
            Output.error("saml verify-logout: MESSAGE is neither a Redirect URL or query string with SAMLRequest or SAMLResponse, a URL-encoded POST body, nor a base64 LogoutRequest or LogoutResponse.")
            throw Exit.usage
        }
        let isRequest: Bool
        switch input {
        case .redirect(_, let r), .post(_, _, let r): isRequest = r
        }
        if !isRequest && requestID == nil {
            Output.error("saml verify-logout: the message is a LogoutResponse; give --request-id with the ID of the LogoutRequest it answers.")
            throw Exit.usage
        }
        let instant = common.instant
        let verifier = LogoutVerifier(serviceProvider: ServiceProvider(entityID: spEntityID, acsURL: sloURL), singleLogoutURL: sloURL,
                                      identityProvider: provider, replayStore: InMemoryReplayStore())
        do {
            switch input {
            case .redirect(let query, true):
                report(try await verifier.verifyLogoutRequest(redirectQuery: query, now: instant))
            case .post(let value, let relay, true):
                report(try await verifier.verifyLogoutRequest(samlRequest: value, relayState: relay, now: instant))
            case .redirect(let query, false):
                report(try verifier.verifyLogoutResponse(redirectQuery: query, expectedRequestID: requestID ?? "", now: instant), binding: .httpRedirect)
            case .post(let value, let relay, false):
                report(try verifier.verifyLogoutResponse(samlResponse: value, relayState: relay, expectedRequestID: requestID ?? "", now: instant),
                       binding: .httpPost)
            }
        } catch let error as SAMLError {
            RejectionJSON.print(error, output: output)
            throw Exit.refused
        }
    }

    static func bindingName(_ binding: SAMLBinding) -> String { binding == .httpPost ? "post" : "redirect" }

    struct RequestJSON: Encodable {
        var kind = "LogoutRequest"
        var id: String
        var issuer: String
        var nameID: NameIDJSON
        var sessionIndexes: [String]
        var relayState: String?
        var binding: String
        var signed: Bool
    }

    struct ResponseJSON: Encodable {
        var kind = "LogoutResponse"
        var id: String
        var issuer: String
        var inResponseTo: String
        var partial: Bool
        var relayState: String?
        var binding: String
    }

    func report(_ r: VerifiedLogoutRequest) {
        let json = RequestJSON(id: r.id, issuer: r.issuer,
                               nameID: NameIDJSON(r.nameID),
                               sessionIndexes: r.sessionIndexes, relayState: r.relayState, binding: Self.bindingName(r.binding),
                               signed: r.wasSigned)
        if output.mode == .json {
            print(Output.json(json))
            return
        }
        let style = output.style
        print("\(style.pass) Verified LogoutRequest: end the sessions of \(r.nameID.value)")
        var t = TextReport()
        t.row("id", r.id, indent: 1)
        t.row("issuer", r.issuer, indent: 1)
        t.row("name id", r.nameID.value, indent: 1)
        t.row("format", r.nameID.format.map { Algorithms.shortName($0.rawValue) }, indent: 1)
        t.row("name qualifier", r.nameID.nameQualifier, indent: 1)
        t.row("sp name qualifier", r.nameID.spNameQualifier, indent: 1)
        t.row("sessions", r.sessionIndexes.isEmpty ? "all of the user's sessions" : r.sessionIndexes.joined(separator: ", "), indent: 1)
        t.row("relay state", r.relayState, indent: 1)
        t.row("binding", json.binding, indent: 1)
        t.row("signed", r.wasSigned ? style.pass : "no", indent: 1)
        t.print()
    }

    func report(_ r: VerifiedLogoutResponse, binding: SAMLBinding) {
        let json = ResponseJSON(id: r.id, issuer: r.issuer, inResponseTo: r.inResponseTo, partial: r.isPartial,
                                relayState: r.relayState, binding: Self.bindingName(binding))
        if output.mode == .json {
            print(Output.json(json))
            return
        }
        let style = output.style
        print("\(style.pass) Verified LogoutResponse: \(r.isPartial ? "\(style.warn) partial logout" : "logged out") at \(r.issuer)")
        var t = TextReport()
        t.row("id", r.id, indent: 1)
        t.row("issuer", r.issuer, indent: 1)
        t.row("in response to", r.inResponseTo, indent: 1)
        t.row("partial", r.isPartial ? "yes" : "no", indent: 1)
        t.row("relay state", r.relayState, indent: 1)
        t.row("binding", json.binding, indent: 1)
        t.print()
    }
}
