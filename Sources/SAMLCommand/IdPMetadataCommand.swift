import ArgumentParser
import Foundation
import SAML
import SAMLTesting

struct IdPMetadataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metadata",
        abstract: "Print the test IdP's metadata (entity ID, signing certificate, HTTP-Redirect and HTTP-POST single sign-on at --sso-url)."
    )

    @Option(name: .customLong("idp-key"), help: "PEM private key of the IdP (checked against the certificate).")
    var idpKey: String

    @Option(name: .customLong("idp-cert"), help: "PEM certificate of the IdP's signing key.")
    var idpCert: String

    @Option(name: .customLong("idp-entity-id"), help: "The IdP's entity ID.")
    var idpEntityID: String

    @Option(name: .customLong("sso-url"), help: "The single sign-on URL (both bindings).")
    var ssoURL: String

    func run() throws {
        do {
            let key = try SAMLKeyPair(privateKeyPEM: try Output.readText(idpKey), certificatePEM: try Output.readText(idpCert))
            let idp = TestIdentityProvider(entityID: idpEntityID, singleSignOnURL: ssoURL, signingKey: key)
            print(idp.metadata(), terminator: "")
        } catch let error as SAMLError {
            Output.error("saml idp metadata: \(error)")
            throw ExitCode(2)
        }
    }
}
