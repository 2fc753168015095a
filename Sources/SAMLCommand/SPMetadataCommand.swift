import ArgumentParser
import Foundation
import SAML

struct SPMetadataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sp-metadata",
        abstract: "Print this SP's metadata XML (signed when --sign-key is given).",
        discussion: "The output is always the XML document. \(Exit.help)"
    )

    @OptionGroup var sp: SPOptions

    @OptionGroup var signing: SigningOptions

    @Option(name: .customLong("encrypt-cert"), help: ArgumentHelp("PEM certificate IdPs encrypt assertions to.", valueName: "pem"))
    var encryptCert: String?

    @Flag(name: .customLong("want-assertions-signed"), help: "Set WantAssertionsSigned.")
    var wantAssertionsSigned = false

    @Option(name: .customLong("name-id-format"), help: ArgumentHelp("A NameID format URN (repeatable).", valueName: "urn"))
    var nameIDFormats: [String] = []

    @Option(name: .customLong("slo-url"), help: ArgumentHelp("This SP's single logout URL, listed as a SingleLogoutService for HTTP-Redirect and HTTP-POST.", valueName: "url"))
    var sloURL: String?

    func validate() throws {
        if let sloURL { try URLCheck.require(sloURL, option: "--slo-url") }
    }

    func run() throws {
        do {
            let logout = sloURL.map { [Endpoint(binding: .httpRedirect, location: $0), Endpoint(binding: .httpPost, location: $0)] } ?? []
            let key = try signing.keyPair()
            let signingCertificate = try key?.certificate ?? signing.certificate()
            let encryption = try encryptCert.map { try SAMLCertificate(pem: try Output.readText($0)) }
            var metadata = ServiceProviderMetadata(
                entityID: sp.entityID, acsURL: sp.acsURL,
                signingCertificates: signingCertificate.map { [$0] } ?? [],
                encryptionCertificates: encryption.map { [$0] } ?? [],
                nameIDFormats: nameIDFormats.map { NameIDFormat(rawValue: $0) },
                wantAssertionsSigned: wantAssertionsSigned
            )
            metadata.singleLogoutServices = logout
            print(try metadata.xml(signedWith: key), terminator: "")
        } catch let error as SAMLError {
            Output.error("saml sp-metadata: \(error)")
            throw Exit.usage
        }
    }
}
