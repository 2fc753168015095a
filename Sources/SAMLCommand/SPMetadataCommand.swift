import ArgumentParser
import Foundation
import SAML

struct SPMetadataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sp-metadata",
        abstract: "Print this SP's metadata XML (signed when --sign-key is given)."
    )

    @Option(name: .customLong("sp-entity-id"), help: "This SP's entity ID.")
    var spEntityID: String

    @Option(name: .customLong("acs-url"), help: "This SP's Assertion Consumer Service URL (HTTP-POST).")
    var acsURL: String

    @Option(name: .customLong("sign-cert"), help: "PEM certificate of the key that signs requests (and the metadata).")
    var signCert: String?

    @Option(name: .customLong("encrypt-cert"), help: "PEM certificate IdPs encrypt assertions to.")
    var encryptCert: String?

    @Option(name: .customLong("sign-key"), help: "PEM private key to sign the metadata with (needs --sign-cert).")
    var signKey: String?

    @Flag(name: .customLong("want-assertions-signed"), help: "Set WantAssertionsSigned.")
    var wantAssertionsSigned = false

    @Option(name: .customLong("name-id-format"), help: "A NameID format URN (repeatable).")
    var nameIDFormats: [String] = []

    func run() throws {
        do {
            if signKey != nil && signCert == nil {
                Output.error("saml sp-metadata: --sign-key requires --sign-cert.")
                throw ExitCode(2)
            }
            let signing = try signCert.map { try SAMLCertificate(pem: try Output.readText($0)) }
            let encryption = try encryptCert.map { try SAMLCertificate(pem: try Output.readText($0)) }
            let key = try signKey.map { path -> SAMLKeyPair in
                guard let signing else { throw ExitCode(2) }
                return try SAMLKeyPair(privateKey: SAMLPrivateKey(pem: try Output.readText(path)), certificate: signing)
            }
            let metadata = ServiceProviderMetadata(
                entityID: spEntityID, acsURL: acsURL,
                signingCertificates: signing.map { [$0] } ?? [],
                encryptionCertificates: encryption.map { [$0] } ?? [],
                nameIDFormats: nameIDFormats.map { NameIDFormat(rawValue: $0) },
                wantAssertionsSigned: wantAssertionsSigned
            )
            print(try metadata.xml(signedWith: key), terminator: "")
        } catch let error as SAMLError {
            Output.error("saml sp-metadata: \(error)")
            throw ExitCode(2)
        }
    }
}
