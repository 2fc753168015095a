import ArgumentParser
import Foundation
import SAML

struct LogoutRequestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logout-request",
        abstract: "Build a signed LogoutRequest for an IdP: a redirect URL, or an auto-submitting HTML form.",
        discussion: """
            The request goes to the IdP's SingleLogoutService for the binding (from its metadata). \
            Text output is the URL (or the HTML form) alone on standard output, with `request-id: ID` \
            on standard error; JSON output holds the URL or form, the ID and the RelayState. Keep the ID: \
            `saml verify-logout --request-id ID` checks the IdP's LogoutResponse against it.

            \(Exit.outputHelp) \(Exit.help) Exit 2 also when no --sign-key is given (a LogoutRequest must be signed), the key \
            does not match its certificate, or the IdP has no logout endpoint for the binding.
            """
    )

    @OptionGroup var idp: IdPOptions

    @Option(name: .customLong("sp-entity-id"), help: ArgumentHelp("This SP's entity ID (the request's Issuer).", valueName: "id"))
    var spEntityID: String

    @Option(name: .customLong("name-id"), help: ArgumentHelp("The user's NameID value, exactly as the IdP sent it.", valueName: "value"))
    var nameID: String

    @Option(name: .customLong("name-id-format"), help: ArgumentHelp("The NameID's Format URN, as the IdP sent it.", valueName: "urn"))
    var nameIDFormat: String?

    @Option(name: .customLong("name-qualifier"), help: ArgumentHelp("The NameID's NameQualifier, as the IdP sent it.", valueName: "text"))
    var nameQualifier: String?

    @Option(name: .customLong("sp-name-qualifier"), help: ArgumentHelp("The NameID's SPNameQualifier, as the IdP sent it.", valueName: "text"))
    var spNameQualifier: String?

    @Option(name: .customLong("session-index"), help: ArgumentHelp("An IdP session index to end (repeatable); without it every session of the user ends.", valueName: "s"))
    var sessionIndexes: [String] = []

    @Option(help: "How the request travels.")
    var binding: AuthnRequestCommand.RequestBinding = .redirect

    @Option(name: .customLong("relay-state"), help: ArgumentHelp("RelayState to send along (at most 80 bytes).", valueName: "text"))
    var relayState: String?

    @OptionGroup var signing: SigningOptions

    @OptionGroup var common: InputOptions

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if spEntityID.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("--sp-entity-id must not be empty.")
        }
        if nameID.isEmpty {
            throw ValidationError("--name-id must not be empty.")
        }
        if signing.signKey == nil {
            throw ValidationError("A LogoutRequest must be signed: give --sign-key and --sign-cert (this SP's key pair, as in its metadata).")
        }
    }

    func run() throws {
        let provider = try idp.load(command: "logout-request", input: common)
        do {
            let sp = ServiceProvider(entityID: spEntityID, acsURL: spEntityID, signingKey: try signing.keyPair())
            let subject = NameID(value: nameID, format: nameIDFormat.map(NameIDFormat.init(rawValue:)),
                                                nameQualifier: nameQualifier, spNameQualifier: spNameQualifier)
            let builder = LogoutRequest(serviceProvider: sp, identityProvider: provider, subject: subject,
                                        sessionIndexes: sessionIndexes, relayState: relayState)
            try SentRequestOutput.send(binding, json: output.mode == .json,
                                       redirect: { try builder.redirect(now: common.instant) }, post: { try builder.post(now: common.instant) })
        } catch let error as SAMLError {
            Output.error("saml logout-request: \(error)")
            throw Exit.usage
        }
    }
}
