import ArgumentParser
import Foundation
import SAML
import SAMLInspection

struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check an SP/IdP configuration the way a support engineer would, each problem with a fix.",
        discussion: """
            Checks: IdP certificates expired or expiring within 30 days; metadata validUntil passed or \
            near; an IdP that wants signed requests while no signing key is given; an ACS URL that is \
            not https; entity ID and ACS URL against the SP metadata (--sp-metadata); SP keys against \
            their certificates; an IdP that signs with SHA-1 only (from the metadata's SigningMethod \
            list or its certificates' own signatures); published demo keys and relaxed secure defaults. \
            The rules are the library's Configuration.diagnose(now:); --directory runs them over \
            every entry of an IdP directory export (--directory, instead of --idp-metadata and --acs-url).

            \(Exit.outputHelp) \(Exit.help) Exit 1 here: at least one finding is a warning or an error.
            """
    )

    @Option(name: .customLong("idp-metadata"), help: OptionHelp.idpMetadata)
    var idpMetadata: String?

    @Option(name: .customLong("idp-entity-id"), help: OptionHelp.idpEntityID)
    var idpEntityID: String?

    @Option(name: .customLong("acs-url"), help: OptionHelp.acsURL)
    var acsURL: String?

    @Option(name: .customLong("sp-entity-id"), help: OptionHelp.spEntityID)
    var spEntityID: String?

    @Option(name: .customLong("directory"), help: ArgumentHelp("An IdP directory export (IdentityProviderDirectoryExport JSON): every entry is checked by the same rules, each finding naming its entry. Replaces --idp-metadata and --acs-url.", valueName: "export.json"))
    var directory: String?

    @Flag(name: .customLong("sp-signs"), help: "With --directory: the service has a signing key of its own for entries without one.")
    var serviceProviderSigns = false

    @OptionGroup var signing: SigningOptions

    @OptionGroup var decryption: DecryptionOptions

    @Option(name: .customLong("sp-metadata"), help: ArgumentHelp("This SP's metadata as the IdP knows it, to compare entity ID, ACS URL and certificates.", valueName: "file"))
    var spMetadata: String?

    @OptionGroup var common: InputOptions

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if directory != nil {
            guard idpMetadata == nil, acsURL == nil else { throw ValidationError("--directory replaces --idp-metadata and --acs-url; give one or the other.") }
            return
        }
        guard idpMetadata != nil else { throw ValidationError("Missing expected argument '--idp-metadata <file|url>' (or --directory).") }
        guard let acsURL else { throw ValidationError("Missing expected argument '--acs-url <url>'.") }
        try SPOptions.validate(acsURL: acsURL, spEntityID: spEntityID)
    }

    func run() throws {
        if let directory { return try runDirectory(directory) }
        let instant = common.instant
        let idpMetadata = idpMetadata ?? "", acsURL = acsURL ?? ""
        let entityID = spEntityID ?? acsURL
        let metadata = try common.read(idpMetadata, allowURL: true)
        let spMetadataBytes = try spMetadata.map { try common.read($0) }
        var doctor = Doctor(now: instant)
        if idpMetadata.lowercased().hasPrefix("http://"), LoopbackHost.contains(LoopbackHost.host(ofURL: idpMetadata) ?? "") {
            doctor.diagnosis.add("idp.metadata.transport", .ok, "The IdP metadata was fetched over http on loopback; it never left this machine.")
        } else if idpMetadata.lowercased().hasPrefix("http://") {
            doctor.diagnosis.add("idp.metadata.transport", .warning, "The IdP metadata was fetched over plain http; anyone on the path could have swapped its certificates.",
                                 fix: "Fetch metadata over https, or verify its signature against a certificate obtained out of band.")
        }
        let identityProvider = doctor.readIdP(metadata: metadata, entityID: idpEntityID, source: idpMetadata)
        let signingPair = doctor.checkSigning(signing)
        let keys = doctor.checkDecryption(decryption)
        let configuration = SAMLServiceProvider.Configuration(
            acsURL: acsURL, entityID: spEntityID, identityProviders: identityProvider.map { [TrustedIdentityProvider($0)] } ?? [],
            signingKey: signingPair)
        doctor.diagnosis.check(configuration)
        if let identityProvider { doctor.checkMetadataSignature(metadata, of: identityProvider) }
        if let spMetadataBytes {
            doctor.checkSPMetadata(spMetadataBytes, entityID: entityID, acsURL: acsURL, signing: signingPair, decryptionKeys: keys)
        }
        let report = Doctor.Report(idp: identityProvider?.entityID, sp: entityID, acsURL: acsURL, checkedAt: instant, findings: doctor.diagnosis.findings)
        try report.print(output)
    }

    /// `--directory`: every entry of an export.
    func runDirectory(_ path: String) throws {
        let records: [IdentityProviderRecord]
        do {
            records = try IdentityProviderDirectoryExport.records(fromJSON: Data(try common.read(path)))
        } catch let error as SAMLError {
            Output.error("saml doctor: \(path): \(error.reason)")
            throw Exit.usage
        }
        let findings = IdentityProviderDirectoryExport.diagnose(records, now: common.instant, serviceProviderSigns: serviceProviderSigns)
        try Doctor.Report(entries: records.map(\.id), checkedAt: common.instant, findings: findings).print(output)
    }

}

/// The checks of `saml doctor` that read files and options; the configuration rules themselves
/// are the library's (`ConfigurationDiagnosis`, `Configuration.diagnose(now:)`).
struct Doctor {
    /// What `saml doctor` prints.
    struct Report: Encodable {
        var idp: String? = nil
        var sp: String? = nil
        var acsURL: String? = nil
        var entries: [String]? = nil
        var checkedAt: Date
        var findings: [ConfigurationFinding]
        /// No finding is a warning or an error.
        var ok: Bool

        init(idp: String? = nil, sp: String? = nil, acsURL: String? = nil, entries: [String]? = nil, checkedAt: Date, findings: [ConfigurationFinding]) {
            (self.idp, self.sp, self.acsURL, self.entries, self.checkedAt, self.findings) = (idp, sp, acsURL, entries, checkedAt, findings)
            ok = !findings.contains(where: \.isProblem)
        }

        /// Prints as JSON or text; exits 1 when a finding is a warning or an error.
        func print(_ output: OutputOptions) throws {
            if output.mode == .json {
                Swift.print(Output.json(self))
            } else {
                printText(style: output.style)
            }
            if !ok { throw Exit.refused }
        }

        func printText(style: Style) {
            if let entries {
                Swift.print(style.bold("saml doctor") + "  directory of \(entries.count) entr\(entries.count == 1 ? "y" : "ies")")
            } else {
                Swift.print(style.bold("saml doctor") + "  IdP \(idp ?? "(unreadable)")  ·  SP \(sp ?? "")  ·  ACS \(acsURL ?? "")")
            }
            let label = { (f: ConfigurationFinding) in f.subject.map { "\($0) \(f.check)" } ?? f.check }
            let width = findings.map { label($0).count }.max() ?? 0
            for f in findings {
                let mark = switch f.severity {
                case .ok: style.pass
                case .info: style.info
                case .warning: style.warn
                case .error: style.fail
                }
                let padding = String(repeating: " ", count: width - label(f).count + 2)
                Swift.print("  \(mark) \(style.dim(label(f)))\(padding)\(f.message)")
                if let fix = f.fix { Swift.print("    " + String(repeating: " ", count: width + 2) + "fix: \(fix)") }
            }
            let errors = findings.filter { $0.severity == .error }.count
            let warnings = findings.filter { $0.severity == .warning }.count
            if errors + warnings == 0 {
                Swift.print("\(style.pass) No problems found.")
            } else {
                Swift.print("\(style.fail) \(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s").")
            }
        }
    }

    let now: Date
    var diagnosis: ConfigurationDiagnosis

    init(now: Date) {
        self.now = now
        diagnosis = ConfigurationDiagnosis(now: now)
    }

    /// Reads the IdP as of long ago and with http endpoints allowed, so that an expired validUntil
    /// and plain-http endpoints become findings rather than a refusal here.
    mutating func readIdP(metadata: [UInt8], entityID: String?, source: String) -> IdentityProvider? {
        do {
            let idp = try IdentityProvider(metadata: metadata, entityID: entityID,
                                           policy: MetadataPolicy(now: .distantPast, allowHTTPEndpoints: true))
            diagnosis.add("idp.metadata", .ok, "IdP \(idp.entityID): \(idp.signingCertificates.count) signing certificate\(idp.signingCertificates.count == 1 ? "" : "s").")
            return idp
        } catch let error as SAMLError {
            diagnosis.add("idp.metadata", .error, "The IdP metadata from \(source) is not usable: \(error.code): \(error.reason)",
                          fix: error.code == .entityNotFound ? "Choose the IdP with --idp-entity-id." : "Download the metadata again from the IdP's admin console (the federation metadata URL), unedited.")
        } catch {
            diagnosis.add("idp.metadata", .error, "The IdP metadata could not be read: \(error)")
        }
        return nil
    }

    /// A signature on the metadata itself made with SHA-1 (verifying it needs SHA-1 allowed).
    mutating func checkMetadataSignature(_ metadata: [UInt8], of idp: IdentityProvider) {
        let signatures = (try? SAMLMessageInspector.inspect(bytes: metadata, now: now))?.signatures ?? []
        if let signature = signatures.first(where: { $0.parentElement.hasSuffix("EntityDescriptor") || $0.parentElement == "EntitiesDescriptor" }),
           let method = signature.signatureMethod, method.lowercased().hasSuffix("sha1") {
            diagnosis.add("idp.metadata.signature", .info, "The metadata itself is signed with \(Algorithms.shortName(method)); verifying it needs SHA-1 allowed.")
        }
    }

    mutating func checkSigning(_ options: SigningOptions) -> SAMLKeyPair? {
        guard options.signKey != nil else {
            if let certificate = try? options.certificate() { diagnosis.checkSPCertificate(certificate, what: "signing") }
            return nil
        }
        do {
            guard let pair = try options.keyPair() else { return nil }
            diagnosis.add("sp.signingKey", .ok, "The signing key matches its certificate \(pair.certificate.subject).")
            return pair
        } catch let error as SAMLError {
            let mismatch = error.code == .invalidKey && error.reason.contains("does not belong")
            diagnosis.add("sp.signingKey", .error, mismatch ? "The signing key does not belong to the signing certificate: \(error.reason)" : "The signing key or certificate cannot be used: \(error.code): \(error.reason)",
                          fix: mismatch ? "Pair the key with the certificate made from it (compare `openssl x509 -noout -pubkey` with `openssl pkey -pubout`)."
                              : "Check the PEM files; an encrypted key needs --sign-key-passphrase-file.")
            return nil
        } catch {
            return nil
        }
    }

    mutating func checkDecryption(_ options: DecryptionOptions) -> [SAMLPrivateKey] {
        guard !options.spKeys.isEmpty else { return [] }
        do {
            let keys = try options.keys()
            diagnosis.add("sp.decryptionKeys", .ok, "\(keys.count) decryption key\(keys.count == 1 ? "" : "s") read.")
            return keys.map(\.key)
        } catch let error as SAMLError {
            diagnosis.add("sp.decryptionKeys", .error, "A decryption key cannot be used: \(error.code): \(error.reason)",
                          fix: "Check the PEM file; an encrypted key needs --sp-key-passphrase-file.")
        } catch {}
        return []
    }

    mutating func checkSPMetadata(_ bytes: [UInt8], entityID: String, acsURL: String, signing: SAMLKeyPair?, decryptionKeys: [SAMLPrivateKey]) {
        let message: UnverifiedMessage
        do {
            message = try SAMLMessageInspector.inspect(bytes: bytes, now: now)
        } catch let error as SAMLError {
            diagnosis.add("sp.metadata", .error, "The SP metadata is not readable: \(error.code): \(error.reason)", fix: "Regenerate it with `saml sp-metadata`.")
            return
        } catch { return }
        let spEntities = message.entities.filter { $0.roles.contains { $0.kind == "SPSSODescriptor" } }
        guard !spEntities.isEmpty else {
            diagnosis.add("sp.metadata", .error, "The SP metadata has no SPSSODescriptor.", fix: "Pass this SP's metadata, not the IdP's.")
            return
        }
        guard let entity = spEntities.first(where: { $0.entityID == entityID }) ?? (spEntities.count == 1 ? spEntities[0] : nil) else {
            diagnosis.add("sp.metadata.entityID", .error, "No SP entity in the metadata is \(entityID); it lists \(spEntities.map(\.entityID).joined(separator: ", ")).",
                fix: "Use one entity ID everywhere: the SP configuration, its metadata and the IdP's application settings.")
            return
        }
        if entity.entityID != entityID {
            diagnosis.add("sp.metadata.entityID", .error, "The SP metadata's entityID is \(entity.entityID), but this SP is configured as \(entityID); assertions will name the wrong audience.",
                fix: "Use one entity ID everywhere (--sp-entity-id, the SP metadata, the IdP's application settings).")
        } else {
            diagnosis.add("sp.metadata.entityID", .ok, "The SP metadata's entityID matches.")
        }
        let role = entity.roles.first { $0.kind == "SPSSODescriptor" }!
        let locations = role.endpoints.map(\.location)
        if locations.contains(acsURL) {
            diagnosis.add("sp.metadata.acs", .ok, "The SP metadata lists the ACS URL.")
        } else {
            diagnosis.add("sp.metadata.acs", .error, "The SP metadata's AssertionConsumerService locations (\(locations.joined(separator: ", "))) do not include \(acsURL); the IdP will post elsewhere or refuse the request.",
                fix: "Regenerate the SP metadata with this ACS URL (saml sp-metadata) and upload it to the IdP again.")
        }
        let signingKeys = role.keys.filter { $0.use == nil || $0.use == "signing" }
        if ["true", "1"].contains(role.authnRequestsSigned ?? ""), signing == nil {
            diagnosis.add("sp.metadata.authnRequestsSigned", .error, "The SP metadata promises signed AuthnRequests (AuthnRequestsSigned=\"true\") but no signing key is given.",
                fix: "Give the signing key (--sign-key/--sign-cert) or regenerate the metadata without AuthnRequestsSigned.")
        }
        if let signing, !signingKeys.isEmpty, !signingKeys.contains(where: { $0.der == signing.certificate.der }) {
            diagnosis.add("sp.metadata.signingCertificate", .error, "The signing certificate \(signing.certificate.subject) is not in the SP metadata; the IdP cannot verify requests signed with it.",
                fix: "Publish the certificate in the SP metadata (saml sp-metadata --sign-cert) and upload it to the IdP.")
        }
        let encryption = role.keys.filter { $0.use == nil || $0.use == "encryption" }
        if role.keys.contains(where: { $0.use == "encryption" }) {
            for key in encryption.filter({ $0.use == "encryption" }) {
                guard let certificate = try? SAMLCertificate(der: key.der) else { continue }
                if decryptionKeys.isEmpty {
                    diagnosis.add("sp.metadata.encryption", .warning, "The SP metadata publishes an encryption certificate (\(certificate.subject)) but no --sp-key is given; encrypted assertions could not be read.",
                        fix: "Give the matching private key (--sp-key, ServiceProvider.decryptionKeys), or remove the certificate from the metadata.")
                } else if !decryptionKeys.contains(where: { $0.matches(certificate) }) {
                    diagnosis.add("sp.metadata.encryption", .error, "No --sp-key matches the encryption certificate \(certificate.subject) in the SP metadata.",
                        fix: "Give the private key of that certificate, or publish the certificate of the key you have.")
                } else {
                    diagnosis.add("sp.metadata.encryption", .ok, "A decryption key matches the encryption certificate \(certificate.subject).")
                }
            }
        }
    }
}
