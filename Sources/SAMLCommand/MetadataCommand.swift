import ArgumentParser
import Foundation
import SAML

struct MetadataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metadata",
        abstract: "Print what an IdP's metadata says.",
        discussion: "\(Exit.help) Exit 1 here: the file is not usable IdP metadata, or --entity-id names no IdP in it."
    )

    @Argument(help: "The IdP metadata file (EntityDescriptor or EntitiesDescriptor).")
    var file: String

    @Option(name: .customLong("entity-id"), help: "Which entity to show when the file holds several IdPs.")
    var entityID: String?

    @OptionGroup var output: OutputOptions

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
            if output.mode == .json {
                print(Output.json(Self.report(idp)))
            } else {
                Self.printText(idp, style: output.style)
            }
        } catch let error as SAMLError {
            Output.error("saml metadata: \(error)")
            throw Exit.refused
        }
    }

    static func printText(_ idp: IdentityProvider, now: Date = Date(), style: Style) {
        print(style.bold("IdP") + " \(idp.entityID)")
        var r = TextReport()
        r.row("valid until", idp.validUntil.map { Output.time($0, now: now) } ?? "-", indent: 1)
        r.row("cache", idp.cacheDuration, indent: 1)
        r.row("signed requests", idp.wantsAuthnRequestsSigned ? "wanted (WantAuthnRequestsSigned)" : "not required", indent: 1)
        for (label, list) in [("SSO", idp.singleSignOnServices), ("SLO", idp.singleLogoutServices)] {
            for (n, e) in list.enumerated() { r.row(n == 0 ? label : "", "\(e.binding.description)  \(e.location)", indent: 1) }
        }
        for (label, list) in [("signing", idp.signingCertificates), ("encryption", idp.encryptionCertificates)] {
            for c in list {
                let mark = c.isExpired(at: now) ? style.fail : c.notAfter.timeIntervalSince(now) < 30 * 86400 ? style.warn : style.pass
                r.row(label, "\(mark) \(c.subject), \(c.keyAlgorithm) \(c.keySize), valid to \(Output.time(c.notAfter, now: now))", indent: 1)
                r.row("", "  SHA-256 \(c.sha256Fingerprint)", indent: 1)
            }
        }
        r.row("NameID", idp.nameIDFormats.isEmpty ? "-" : idp.nameIDFormats.map { Output.short($0.rawValue) }.joined(separator: ", "), indent: 1)
        r.print()
    }
}
