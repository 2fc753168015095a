import ArgumentParser
import Foundation
import SAML

struct MetadataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metadata",
        abstract: "Print what an IdP's metadata says, as JSON."
    )

    @Argument(help: "The IdP metadata file (EntityDescriptor or EntitiesDescriptor).")
    var file: String

    @Option(name: .customLong("entity-id"), help: "Which entity to show when the file holds several IdPs.")
    var entityID: String?

    struct Report: Encodable {
        var entityID: String
        var singleSignOnServices: [EndpointJSON]
        var singleLogoutServices: [EndpointJSON]
        var signingCertificates: [CertificateJSON]
        var encryptionCertificates: [CertificateJSON]
        var nameIDFormats: [String]
        var wantAuthnRequestsSigned: Bool
        var validUntil: Date?
        var cacheDuration: String?
    }

    struct EndpointJSON: Encodable {
        var binding: String
        var location: String
        var responseLocation: String?
    }

    static func report(_ idp: IdentityProvider) -> Report {
        func endpoints(_ list: [Endpoint]) -> [EndpointJSON] {
            list.map { EndpointJSON(binding: $0.binding.rawValue, location: $0.location, responseLocation: $0.responseLocation) }
        }
        return Report(
            entityID: idp.entityID,
            singleSignOnServices: endpoints(idp.singleSignOnServices),
            singleLogoutServices: endpoints(idp.singleLogoutServices),
            signingCertificates: idp.signingCertificates.map { CertificateJSON($0) },
            encryptionCertificates: idp.encryptionCertificates.map { CertificateJSON($0) },
            nameIDFormats: idp.nameIDFormats.map(\.rawValue),
            wantAuthnRequestsSigned: idp.wantsAuthnRequestsSigned,
            validUntil: idp.validUntil,
            cacheDuration: idp.cacheDuration
        )
    }

    func run() throws {
        let bytes = try Output.read(file)
        do {
            let idp = try IdentityProvider(metadata: bytes, entityID: entityID)
            print(Output.json(Self.report(idp)))
        } catch let error as SAMLError {
            Output.error("saml metadata: \(error)")
            throw ExitCode(2)
        }
    }
}
