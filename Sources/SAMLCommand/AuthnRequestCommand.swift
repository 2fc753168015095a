import ArgumentParser
import Foundation
import SAML

struct AuthnRequestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "authn-request",
        abstract: "Build an AuthnRequest for an IdP: a redirect URL, or an auto-submitting HTML form.",
        discussion: "The request ID goes to standard error as `request-id: ID` (or into the JSON with --json)."
    )

    @Option(name: .customLong("idp-metadata"), help: "The IdP metadata file.")
    var idpMetadata: String

    @Option(name: .customLong("idp-entity-id"), help: "Which IdP when the metadata holds several.")
    var idpEntityID: String?

    @Option(name: .customLong("sp-entity-id"), help: "This SP's entity ID (the request's Issuer).")
    var spEntityID: String

    @Option(name: .customLong("acs-url"), help: "This SP's Assertion Consumer Service URL.")
    var acsURL: String

    @Option(help: "redirect (default) or post.")
    var binding: String = "redirect"

    @Option(name: .customLong("relay-state"), help: "RelayState to send along (at most 80 bytes).")
    var relayState: String?

    @Option(name: .customLong("sign-key"), help: "PEM private key to sign the request with (needs --sign-cert).")
    var signKey: String?

    @Option(name: .customLong("sign-cert"), help: "PEM certificate of the signing key.")
    var signCert: String?

    @Flag(name: .customLong("force-authn"), help: "Ask the IdP to authenticate again.")
    var forceAuthn = false

    @Flag(name: .customLong("is-passive"), help: "Ask the IdP not to interact with the user.")
    var isPassive = false

    @Option(name: .customLong("name-id-format"), help: "NameIDPolicy Format URN.")
    var nameIDFormat: String?

    @Flag(help: "Print one JSON object (url or form, id, relayState).")
    var json = false

    struct Report: Encodable {
        var id: String
        var binding: String
        var destination: String
        var url: String?
        var form: String?
        var base64: String?
        var relayState: String?
    }

    func run() throws {
        do {
            let chosen: SAMLBinding
            switch binding.lowercased() {
            case "redirect": chosen = .httpRedirect
            case "post": chosen = .httpPost
            default:
                Output.error("saml authn-request: --binding must be redirect or post, not \"\(binding)\".")
                throw ExitCode(2)
            }
            let idp = try IdentityProvider(metadata: try Output.read(idpMetadata), entityID: idpEntityID)
            var key: SAMLKeyPair?
            switch (signKey, signCert) {
            case (nil, nil): key = nil
            case (let k?, let c?):
                key = try SAMLKeyPair(privateKeyPEM: try Output.readText(k), certificatePEM: try Output.readText(c))
            default:
                Output.error("saml authn-request: --sign-key and --sign-cert go together.")
                throw ExitCode(2)
            }
            let sp = ServiceProvider(entityID: spEntityID, acsURL: acsURL, signingKey: key)
            let options = AuthnRequestOptions(
                nameIDPolicy: nameIDFormat.map { NameIDPolicy(format: NameIDFormat(rawValue: $0), allowCreate: true) },
                forceAuthn: forceAuthn, isPassive: isPassive, relayState: relayState
            )
            let builder = AuthnRequest(serviceProvider: sp, identityProvider: idp, options: options)
            if chosen == .httpRedirect {
                let request = try builder.redirect()
                if json {
                    print(Output.json(Report(id: request.id, binding: "redirect", destination: request.destination,
                                             url: request.url, relayState: request.relayState)))
                } else {
                    Output.error("request-id: \(request.id)")
                    print(request.url)
                }
            } else {
                let request = try builder.post()
                if json {
                    print(Output.json(Report(id: request.id, binding: "post", destination: request.destination,
                                             form: request.form, base64: request.base64, relayState: request.relayState)))
                } else {
                    Output.error("request-id: \(request.id)")
                    print(request.form, terminator: "")
                }
            }
        } catch let error as SAMLError {
            Output.error("saml authn-request: \(error)")
            throw ExitCode(2)
        }
    }
}
