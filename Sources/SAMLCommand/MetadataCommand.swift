import ArgumentParser
import Foundation
import SAML
#if HTTPMetadata
import SAMLMetadataHTTP
#endif

struct MetadataCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metadata",
        abstract: "Print what an IdP's metadata says.",
        discussion: """
        FILE|URL is a metadata file ("-" for standard input) or an https:// URL. URLs are fetched by the \
        SAMLMetadataHTTP module and need a build with the HTTPMetadata trait (swift build --traits HTTPMetadata). \
        \(Exit.outputHelp) \(Exit.help) Exit 1 here: the metadata is not usable (expired, duplicate entityIDs, non-https SSO/SLO \
        locations, a signature that does not verify with --verify-with), or --entity-id names no IdP in it.
        """
    )

    @Argument(help: "The IdP metadata: a file (EntityDescriptor or EntitiesDescriptor), '-' for standard input, or an https:// URL.")
    var source: String

    @Option(name: .customLong("entity-id"), help: "Which entity to show when the metadata holds several IdPs.")
    var entityID: String?

    @Option(name: .customLong("verify-with"), help: "A PEM certificate whose key must have signed the metadata root (repeatable).")
    var verifyWith: [String] = []

    @OptionGroup var common: InputOptions

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
        /// Whether the metadata's signature was checked and verified (only with --verify-with).
        var signatureVerified: Bool
        /// The --verify-with certificate whose key verified it.
        var verifiedWith: CertificateJSON?
        /// For an aggregate (EntitiesDescriptor): how many entities it holds.
        var entityCount: Int?
    }

    struct EndpointJSON: Encodable {
        var binding: String
        var location: String
        var responseLocation: String?
    }

    static func report(_ idp: IdentityProvider, set: MetadataSet? = nil, now: Date = Date()) -> Report {
        func endpoints(_ list: [Endpoint]) -> [EndpointJSON] {
            list.map { EndpointJSON(binding: $0.binding.rawValue, location: $0.location, responseLocation: $0.responseLocation) }
        }
        return Report(
            entityID: idp.entityID,
            singleSignOnServices: endpoints(idp.singleSignOnServices),
            singleLogoutServices: endpoints(idp.singleLogoutServices),
            signingCertificates: idp.signingCertificates.map { CertificateJSON($0, now: now) },
            encryptionCertificates: idp.encryptionCertificates.map { CertificateJSON($0, now: now) },
            nameIDFormats: idp.nameIDFormats.map(\.rawValue),
            wantAuthnRequestsSigned: idp.wantsAuthnRequestsSigned,
            validUntil: idp.validUntil,
            cacheDuration: idp.cacheDuration,
            signatureVerified: set?.verifiedBy != nil,
            verifiedWith: set?.verifiedBy.map { CertificateJSON($0) },
            entityCount: (set?.isAggregate ?? false) ? set?.entityCount : nil
        )
    }

    func run() async throws {
        var anchors: [SAMLCertificate] = []
        do {
            for path in verifyWith { anchors += try SAMLCertificate.all(inPEM: Output.readText(path)) }
            let policy = common.metadataPolicy
            let set: MetadataSet
            let lowered = source.lowercased()
            if lowered.hasPrefix("https://") || lowered.hasPrefix("http://") {
                set = try await fetch(anchors: anchors, policy: policy)
            } else {
                set = try MetadataSet(metadata: try common.read(source), signedBy: verifyWith.isEmpty ? nil : anchors,
                                      limits: common.metadataLimits, policy: policy)
            }
            let idp = try entityID.map { try set.identityProvider(entityID: $0) } ?? set.soleIdentityProvider()
            if output.mode == .json {
                print(Output.json(Self.report(idp, set: set, now: common.instant)))
            } else {
                Self.printText(idp, set: set, now: common.instant, style: output.style)
            }
        } catch let error as SAMLError {
            // A body over --max-bytes is the same refusal for a URL as for a file (exit 2).
            if error.code == .tooLarge, source.lowercased().hasPrefix("http"),
               error.reason.contains("limit is \(common.maxBytes) bytes") || error.reason.contains("limit of \(common.maxBytes) bytes") {
                Output.error("saml: \(source) holds more than \(common.maxBytes) bytes (--max-bytes); refused")
                throw Exit.usage
            }
            Output.error("saml metadata: \(error)")
            throw Exit.refused
        }
    }

    static func printText(_ idp: IdentityProvider, set: MetadataSet, now: Date = Date(), style: Style) {
        print(style.bold("IdP") + " \(idp.entityID)")
        var r = TextReport()
        r.row("signature", set.verifiedBy.map { "\(style.pass) verified with \($0.subject)" } ?? "not checked (give --verify-with CERT)", indent: 1)
        if set.entityCount > 1 { r.row("entities", "\(set.entityCount) in the aggregate", indent: 1) }
        r.row("valid until", idp.validUntil.map { SAMLTime.describe($0, now: now) } ?? "-", indent: 1)
        r.row("cache", idp.cacheDuration, indent: 1)
        r.row("signed requests", idp.wantsAuthnRequestsSigned ? "wanted (WantAuthnRequestsSigned)" : "not required", indent: 1)
        for (label, list) in [("SSO", idp.singleSignOnServices), ("SLO", idp.singleLogoutServices)] {
            for (n, e) in list.enumerated() { r.row(n == 0 ? label : "", "\(e.binding.description)  \(e.location)", indent: 1) }
        }
        for (label, list) in [("signing", idp.signingCertificates), ("encryption", idp.encryptionCertificates)] {
            for c in list {
                let mark = c.isExpired(at: now) ? style.fail : c.notAfter.timeIntervalSince(now) < 30 * 86400 ? style.warn : style.pass
                r.row(label, "\(mark) \(c.subject), \(c.keyAlgorithm) \(c.keySize), valid to \(SAMLTime.describe(c.notAfter, now: now))", indent: 1)
                r.row("", "  SHA-256 \(c.sha256Fingerprint)", indent: 1)
            }
        }
        r.row("NameID", idp.nameIDFormats.isEmpty ? "-" : idp.nameIDFormats.map { Algorithms.shortName($0.rawValue) }.joined(separator: ", "), indent: 1)
        r.print()
    }

    /// Fetches a metadata URL with the same rules as the library's metadata source (https, or http
    /// on loopback, unless --allow-http; redirects within the scheme, the size limit, timeouts).
    private func fetch(anchors: [SAMLCertificate], policy: MetadataPolicy) async throws -> MetadataSet {
        #if HTTPMetadata
        let configuration = MetadataFetchConfiguration(trustAnchors: anchors, allowHTTP: common.allowHTTP, policy: policy,
                                                       maximumBytes: common.maxBytes)
        let instant = common.instant
        let metadataSource = MetadataSource(url: source, configuration: configuration, clock: { instant })
        try await metadataSource.refresh()
        return try await metadataSource.currentSet()
        #else
        Output.error("saml metadata: this saml was built without URL support; build it with `swift build --traits HTTPMetadata`, or download the metadata and pass the file")
        throw Exit.usage
        #endif
    }
}
