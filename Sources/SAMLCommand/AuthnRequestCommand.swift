import ArgumentParser
import Foundation
import SAML

struct AuthnRequestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "authn-request",
        abstract: "Build an AuthnRequest for an IdP: a redirect URL, or an auto-submitting HTML form.",
        discussion: """
            Text output is the URL (or the HTML form) alone on standard output, with `request-id: ID` \
            on standard error; JSON output holds the URL or form, the ID and the RelayState.

            \(Exit.outputHelp) \(Exit.help) Exit 2 also when the IdP wants signed requests and no --sign-key is given, \
            or the key does not match its certificate.
            """
    )

    @OptionGroup var idp: IdPOptions

    @OptionGroup var sp: SPOptions

    @Option(help: "How the request travels.")
    var binding: RequestBinding = .redirect

    @Option(name: .customLong("relay-state"), help: ArgumentHelp("RelayState to send along (at most 80 bytes).", valueName: "text"))
    var relayState: String?

    @OptionGroup var signing: SigningOptions

    @OptionGroup var common: InputOptions

    @Flag(name: .customLong("force-authn"), help: "Ask the IdP to authenticate again.")
    var forceAuthn = false

    @Flag(name: .customLong("is-passive"), help: "Ask the IdP not to interact with the user.")
    var isPassive = false

    @Option(name: .customLong("name-id-format"), help: ArgumentHelp("NameIDPolicy Format URN.", valueName: "urn"))
    var nameIDFormat: String?

    @OptionGroup var output: OutputOptions

    enum RequestBinding: String, ExpressibleByArgument, CaseIterable {
        case redirect, post
    }

    func validate() throws {
        if signing.signCert != nil && signing.signKey == nil {
            throw ValidationError("--sign-cert needs --sign-key to sign requests.")
        }
    }

    func run() throws {
        let provider = try idp.load(command: "authn-request", input: common)
        do {
            let sp = ServiceProvider(entityID: self.sp.entityID, acsURL: self.sp.acsURL, signingKey: try signing.keyPair())
            let options = AuthnRequestOptions(
                nameIDPolicy: nameIDFormat.map { NameIDPolicy(format: NameIDFormat(rawValue: $0), allowCreate: true) },
                forceAuthn: forceAuthn, isPassive: isPassive, relayState: relayState
            )
            let builder = AuthnRequest(serviceProvider: sp, identityProvider: provider, options: options)
            try SentRequestOutput.send(binding, json: output.mode == .json,
                                       redirect: { try builder.redirect(now: common.instant) }, post: { try builder.post(now: common.instant) })
        } catch let error as SAMLError {
            Output.error("saml authn-request: \(error)")
            throw Exit.usage
        }
    }
}
