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
            list or its certificates' own signatures).

            \(Exit.outputHelp) \(Exit.help) Exit 1 here: at least one finding is a warning or an error.
            """
    )

    @OptionGroup var idp: IdPOptions

    @OptionGroup var sp: SPOptions

    @OptionGroup var signing: SigningOptions

    @OptionGroup var decryption: DecryptionOptions

    @Option(name: .customLong("sp-metadata"), help: ArgumentHelp("This SP's metadata as the IdP knows it, to compare entity ID, ACS URL and certificates.", valueName: "file"))
    var spMetadata: String?

    @OptionGroup var common: InputOptions

    @OptionGroup var output: OutputOptions

    func run() throws {
        let instant = common.instant
        let metadata = try idp.bytes(common)
        let spMetadataBytes = try spMetadata.map { try common.read($0) }
        var doctor = Doctor(now: instant)
        if idp.idpMetadata.lowercased().hasPrefix("http://"), LoopbackHost.contains(LoopbackHost.host(ofURL: idp.idpMetadata) ?? "") {
            doctor.add("idp.metadata.transport", .ok, "The IdP metadata was fetched over http on loopback; it never left this machine.")
        } else if idp.idpMetadata.lowercased().hasPrefix("http://") {
            doctor.add("idp.metadata.transport", .warning, "The IdP metadata was fetched over plain http; anyone on the path could have swapped its certificates.",
                       fix: "Fetch metadata over https, or verify its signature against a certificate obtained out of band.")
        }
        doctor.checkIdP(metadata: metadata, entityID: idp.idpEntityID, source: idp.idpMetadata, signingGiven: signing.signKey != nil)
        doctor.checkACS(sp.acsURL, entityIDGiven: sp.spEntityID != nil)
        let signingPair = doctor.checkSigning(signing)
        let keys = doctor.checkDecryption(decryption)
        if let spMetadataBytes {
            doctor.checkSPMetadata(spMetadataBytes, entityID: sp.entityID, acsURL: sp.acsURL, signing: signingPair, decryptionKeys: keys)
        }
        let report = Doctor.Report(idp: doctor.idpEntityID, sp: sp.entityID, acsURL: sp.acsURL, checkedAt: instant, findings: doctor.findings)
        if output.mode == .json {
            print(Output.json(report))
        } else {
            Self.printText(report, style: output.style)
        }
        if !report.ok { throw Exit.refused }
    }

    static func printText(_ report: Doctor.Report, style: Style) {
        print(style.bold("saml doctor") + "  IdP \(report.idp ?? "(unreadable)")  ·  SP \(report.sp)  ·  ACS \(report.acsURL)")
        let width = report.findings.map(\.check.count).max() ?? 0
        for f in report.findings {
            let mark = switch f.severity {
            case .ok: style.pass
            case .info: style.info
            case .warning: style.warn
            case .error: style.fail
            }
            let padding = String(repeating: " ", count: width - f.check.count + 2)
            print("  \(mark) \(style.dim(f.check))\(padding)\(f.message)")
            if let fix = f.fix { print("    " + String(repeating: " ", count: width + 2) + "fix: \(fix)") }
        }
        let errors = report.findings.filter { $0.severity == .error }.count
        let warnings = report.findings.filter { $0.severity == .warning }.count
        if errors + warnings == 0 {
            print("\(style.pass) No problems found.")
        } else {
            print("\(style.fail) \(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s").")
        }
    }
}

/// The checks behind `saml doctor`, collecting findings.
struct Doctor {
    enum Severity: String, Encodable { case ok, info, warning, error }

    struct Finding: Encodable {
        var check: String
        var severity: Severity
        var message: String
        var fix: String?
    }

    struct Report: Encodable {
        var idp: String?
        var sp: String
        var acsURL: String
        var checkedAt: Date
        var findings: [Finding]
        var ok: Bool { !findings.contains { $0.severity == .warning || $0.severity == .error } }

        enum CodingKeys: String, CodingKey { case idp, sp, acsURL, checkedAt, findings, ok }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encodeIfPresent(idp, forKey: .idp)
            try c.encode(sp, forKey: .sp)
            try c.encode(acsURL, forKey: .acsURL)
            try c.encode(checkedAt, forKey: .checkedAt)
            try c.encode(findings, forKey: .findings)
            try c.encode(ok, forKey: .ok)
        }
    }

    let now: Date
    var findings: [Finding] = []
    var idpEntityID: String?
    /// Certificates within this many seconds of expiry are reported.
    static let expiryWarning: TimeInterval = 30 * 86400
    /// A metadata validUntil within this many seconds is reported.
    static let validUntilWarning: TimeInterval = 7 * 86400

    init(now: Date) { self.now = now }

    mutating func add(_ check: String, _ severity: Severity, _ message: String, fix: String? = nil) {
        findings.append(Finding(check: check, severity: severity, message: message, fix: fix))
    }

    // MARK: IdP

    mutating func checkIdP(metadata: [UInt8], entityID: String?, source: String, signingGiven: Bool) {
        let idp: IdentityProvider
        do {
            // Read as of long ago and with http endpoints allowed, so that an expired validUntil and
            // plain-http endpoints become findings below rather than a refusal here.
            idp = try IdentityProvider(metadata: metadata, entityID: entityID,
                                       policy: MetadataPolicy(now: .distantPast, allowHTTPEndpoints: true))
        } catch let error as SAMLError {
            add("idp.metadata", .error, "The IdP metadata from \(source) is not usable: \(error.code): \(error.reason)",
                fix: error.code == .entityNotFound ? "Choose the IdP with --idp-entity-id." : "Download the metadata again from the IdP's admin console (the federation metadata URL), unedited.")
            return
        } catch {
            add("idp.metadata", .error, "The IdP metadata could not be read: \(error)")
            return
        }
        idpEntityID = idp.entityID
        add("idp.metadata", .ok, "IdP \(idp.entityID): \(idp.signingCertificates.count) signing certificate\(idp.signingCertificates.count == 1 ? "" : "s").")
        let inspected = try? SAMLMessageInspector.inspect(bytes: metadata, now: now)
        let entity = inspected?.entities.first { $0.entityID == idp.entityID }

        for certificate in idp.signingCertificates { checkIdPCertificate(certificate, use: "signing") }
        for certificate in idp.encryptionCertificates where !idp.signingCertificates.contains(certificate) {
            checkIdPCertificate(certificate, use: "encryption")
        }
        checkValidUntil(idp.validUntil)
        checkEndpoints(idp)
        checkRequestSigning(idp, signingGiven: signingGiven)
        checkSHA1(idp, entity: entity, metadataSignatures: inspected?.signatures ?? [])
    }

    mutating func checkIdPCertificate(_ c: SAMLCertificate, use: String) {
        let name = "\(c.subject) (SHA-256 \(c.sha256Fingerprint.prefix(16))…)"
        let check = "idp.certificate.\(use)"
        if now < c.notBefore {
            add(check, .error, "The IdP \(use) certificate \(name) is not valid before \(Output.time(c.notBefore, now: now)).",
                fix: "Check this machine's clock, or ask the IdP whether the certificate was published too early.")
        } else if now > c.notAfter {
            add(check, use == "signing" ? .error : .warning, "The IdP \(use) certificate \(name) expired \(Output.time(c.notAfter, now: now)).",
                fix: "Ask the IdP admin to roll over to a new certificate and download the metadata again; keys are pinned, but an expired certificate is the usual sign of an abandoned key.")
        } else if c.notAfter.timeIntervalSince(now) < Self.expiryWarning {
            add(check, .warning, "The IdP \(use) certificate \(name) expires \(Output.time(c.notAfter, now: now)).",
                fix: "Ask the IdP admin for the next certificate now and load metadata that lists both during the rollover.")
        } else {
            add(check, .ok, "IdP \(use) certificate \(c.subject), \(c.keyAlgorithm) \(c.keySize), valid to \(Output.time(c.notAfter, now: now)).")
        }
        if c.keyAlgorithm == .rsa && c.keySize < 2048 {
            add("idp.certificate.keySize", .warning, "The IdP \(use) key is RSA \(c.keySize); 2048 bits is the minimum today.",
                fix: "Ask the IdP admin to roll over to an RSA-2048 (or larger) or EC key.")
        }
    }

    mutating func checkValidUntil(_ validUntil: Date?) {
        guard let validUntil else {
            add("idp.metadata.validUntil", .info, "The metadata sets no validUntil.")
            return
        }
        if validUntil < now {
            add("idp.metadata.validUntil", .error, "The metadata's validUntil passed \(Output.time(validUntil, now: now)).",
                fix: "Fetch fresh metadata from the IdP (or the federation) and refresh it automatically before validUntil.")
        } else if validUntil.timeIntervalSince(now) < Self.validUntilWarning {
            add("idp.metadata.validUntil", .warning, "The metadata's validUntil is near: \(Output.time(validUntil, now: now)).",
                fix: "Refresh the metadata on a schedule shorter than its validity (its cacheDuration says how often).")
        } else {
            add("idp.metadata.validUntil", .ok, "The metadata is valid until \(Output.time(validUntil, now: now)).")
        }
    }

    mutating func checkEndpoints(_ idp: IdentityProvider) {
        let usable = idp.singleSignOnServices.filter { $0.binding == .httpRedirect || $0.binding == .httpPost }
        guard let first = usable.first else {
            add("idp.sso", .error, "The IdP offers no HTTP-Redirect or HTTP-POST single sign-on endpoint.",
                fix: "Use the metadata of the IdP's SAML 2.0 web SSO application (not a WS-Federation or ECP-only one).")
            return
        }
        // http: on loopback is a secure context (a developer's local IdP); http: elsewhere is not.
        let insecure = usable.filter {
            !$0.location.lowercased().hasPrefix("https://") && !LoopbackHost.contains(LoopbackHost.host(ofURL: $0.location) ?? "")
        }
        if !insecure.isEmpty {
            add("idp.sso", .warning, "SSO endpoint\(insecure.count == 1 ? "" : "s") without https: \(insecure.map(\.location).joined(separator: ", ")).",
                fix: "Ask the IdP for https endpoints; requests sent over http can be read and altered.")
        } else {
            add("idp.sso", .ok, "Single sign-on at \(first.location) (\(Array(Set(usable.map(\.binding.description))).sorted().joined(separator: ", "))).")
        }
    }

    mutating func checkRequestSigning(_ idp: IdentityProvider, signingGiven: Bool) {
        switch (idp.wantsAuthnRequestsSigned, signingGiven) {
        case (true, false):
            add("idp.wantsSignedRequests", .error, "The IdP wants signed AuthnRequests (WantAuthnRequestsSigned) but no SP signing key is given.",
                fix: "Give the SP a key pair (--sign-key/--sign-cert here, ServiceProvider.signingKey in code) and register its certificate with the IdP, usually through the SP metadata.")
        case (true, true):
            add("idp.wantsSignedRequests", .ok, "The IdP wants signed AuthnRequests, and a signing key is given.")
        case (false, true):
            add("idp.wantsSignedRequests", .info, "AuthnRequests will be signed although the IdP does not ask for it.")
        case (false, false):
            add("idp.wantsSignedRequests", .ok, "The IdP accepts unsigned AuthnRequests.")
        }
    }

    mutating func checkSHA1(_ idp: IdentityProvider, entity: UnverifiedMessage.MetadataEntity?, metadataSignatures: [UnverifiedMessage.Signature]) {
        let methods = entity?.signingMethods ?? []
        let isSHA1: (String) -> Bool = { $0.lowercased().hasSuffix("sha1") }
        if !methods.isEmpty {
            if methods.allSatisfy(isSHA1) {
                add("idp.sha1", .warning, "The IdP lists only SHA-1 signing methods (\(methods.map(Output.short).joined(separator: ", "))); SHA-1 signatures are refused by default.",
                    fix: "Switch the IdP's signing algorithm to RSA-SHA256 (a setting on the SAML application in most IdPs). Accepting SHA-1 (--allow-sha1, VerificationPolicy.allowSHA1) is a last resort.")
            } else {
                add("idp.sha1", .ok, "The IdP lists SHA-2 signing methods (\(methods.filter { !isSHA1($0) }.map(Output.short).joined(separator: ", "))).")
            }
        } else if idp.signingCertificates.allSatisfy(\.isSignedWithLegacyDigest) {
            let algorithms = Set(idp.signingCertificates.map(\.signatureAlgorithm)).sorted().joined(separator: ", ")
            add("idp.sha1", .warning, "Every IdP signing certificate is itself signed with \(algorithms); an IdP set up like this often signs responses with RSA-SHA1 too, which is refused by default.",
                fix: "Make sure the IdP signs with RSA-SHA256; ask for a certificate signed with SHA-256 at the next rollover.")
        } else {
            add("idp.sha1", .ok, "No sign of SHA-1-only signing (certificates signed with \(Set(idp.signingCertificates.map(\.signatureAlgorithm)).sorted().joined(separator: ", "))).")
        }
        if let metadataSignature = metadataSignatures.first(where: { $0.parentElement.hasSuffix("EntityDescriptor") || $0.parentElement == "EntitiesDescriptor" }),
           let method = metadataSignature.signatureMethod, isSHA1(method) {
            add("idp.metadata.signature", .info, "The metadata itself is signed with \(Output.short(method)); verifying it needs SHA-1 allowed.")
        }
    }

    // MARK: SP

    mutating func checkACS(_ acsURL: String, entityIDGiven: Bool) {
        let url = URL(string: acsURL)
        let host = url?.host?.lowercased() ?? ""
        if url?.scheme?.lowercased() == "https" {
            add("sp.acs.https", .ok, "The ACS URL uses https.")
        } else if ["localhost", "127.0.0.1", "::1", "[::1]"].contains(host) {
            add("sp.acs.https", .warning, "The ACS URL \(acsURL) is plain http (on this machine: fine for development only).",
                fix: "Serve the ACS over https in every deployed environment.")
        } else {
            add("sp.acs.https", .error, "The ACS URL \(acsURL) is not https: assertions would cross the network readable and replayable.",
                fix: "Serve the ACS over https and register the https URL with the IdP.")
        }
        if !entityIDGiven {
            add("sp.entityID", .info, "No --sp-entity-id: the ACS URL is the entity ID (the AWS IAM Identity Center / Cloudflare setup).")
        }
    }

    mutating func checkSigning(_ options: SigningOptions) -> SAMLKeyPair? {
        guard options.signKey != nil else {
            if let certificate = try? options.certificate() { checkSPCertificate(certificate, what: "signing") }
            return nil
        }
        do {
            guard let pair = try options.keyPair() else { return nil }
            add("sp.signingKey", .ok, "The signing key matches its certificate \(pair.certificate.subject).")
            checkSPCertificate(pair.certificate, what: "signing")
            return pair
        } catch let error as SAMLError {
            let mismatch = error.code == .invalidKey && error.reason.contains("does not belong")
            add("sp.signingKey", .error, mismatch ? "The signing key does not belong to the signing certificate: \(error.reason)" : "The signing key or certificate cannot be used: \(error.code): \(error.reason)",
                fix: mismatch ? "Pair the key with the certificate made from it (compare `openssl x509 -noout -pubkey` with `openssl pkey -pubout`)."
                    : "Check the PEM files; an encrypted key needs --sign-key-passphrase-file.")
            return nil
        } catch {
            return nil
        }
    }

    mutating func checkSPCertificate(_ c: SAMLCertificate, what: String) {
        if now > c.notAfter {
            add("sp.certificate.\(what)", .warning, "The SP \(what) certificate \(c.subject) expired \(Output.time(c.notAfter, now: now)); some IdPs refuse requests signed with it.",
                fix: "Make a new key pair, publish the certificate in the SP metadata and register it with the IdP.")
        } else if c.notAfter.timeIntervalSince(now) < Self.expiryWarning {
            add("sp.certificate.\(what)", .warning, "The SP \(what) certificate \(c.subject) expires \(Output.time(c.notAfter, now: now)).",
                fix: "Roll over now: publish the new certificate beside the old one, then switch.")
        }
    }

    mutating func checkDecryption(_ options: DecryptionOptions) -> [SAMLPrivateKey] {
        guard !options.spKeys.isEmpty else { return [] }
        do {
            let keys = try options.keys()
            add("sp.decryptionKeys", .ok, "\(keys.count) decryption key\(keys.count == 1 ? "" : "s") read.")
            return keys.map(\.key)
        } catch let error as SAMLError {
            add("sp.decryptionKeys", .error, "A decryption key cannot be used: \(error.code): \(error.reason)",
                fix: "Check the PEM file; an encrypted key needs --sp-key-passphrase-file.")
        } catch {}
        return []
    }

    mutating func checkSPMetadata(_ bytes: [UInt8], entityID: String, acsURL: String, signing: SAMLKeyPair?, decryptionKeys: [SAMLPrivateKey]) {
        let message: UnverifiedMessage
        do {
            message = try SAMLMessageInspector.inspect(bytes: bytes, now: now)
        } catch let error as SAMLError {
            add("sp.metadata", .error, "The SP metadata is not readable: \(error.code): \(error.reason)", fix: "Regenerate it with `saml sp-metadata`.")
            return
        } catch { return }
        let spEntities = message.entities.filter { $0.roles.contains { $0.kind == "SPSSODescriptor" } }
        guard !spEntities.isEmpty else {
            add("sp.metadata", .error, "The SP metadata has no SPSSODescriptor.", fix: "Pass this SP's metadata, not the IdP's.")
            return
        }
        guard let entity = spEntities.first(where: { $0.entityID == entityID }) ?? (spEntities.count == 1 ? spEntities[0] : nil) else {
            add("sp.metadata.entityID", .error, "No SP entity in the metadata is \(entityID); it lists \(spEntities.map(\.entityID).joined(separator: ", ")).",
                fix: "Use one entity ID everywhere: the SP configuration, its metadata and the IdP's application settings.")
            return
        }
        if entity.entityID != entityID {
            add("sp.metadata.entityID", .error, "The SP metadata's entityID is \(entity.entityID), but this SP is configured as \(entityID); assertions will name the wrong audience.",
                fix: "Use one entity ID everywhere (--sp-entity-id, the SP metadata, the IdP's application settings).")
        } else {
            add("sp.metadata.entityID", .ok, "The SP metadata's entityID matches.")
        }
        let role = entity.roles.first { $0.kind == "SPSSODescriptor" }!
        let locations = role.endpoints.map(\.location)
        if locations.contains(acsURL) {
            add("sp.metadata.acs", .ok, "The SP metadata lists the ACS URL.")
        } else {
            add("sp.metadata.acs", .error, "The SP metadata's AssertionConsumerService locations (\(locations.joined(separator: ", "))) do not include \(acsURL); the IdP will post elsewhere or refuse the request.",
                fix: "Regenerate the SP metadata with this ACS URL (saml sp-metadata) and upload it to the IdP again.")
        }
        let signingKeys = role.keys.filter { $0.use == nil || $0.use == "signing" }
        if ["true", "1"].contains(role.authnRequestsSigned ?? ""), signing == nil {
            add("sp.metadata.authnRequestsSigned", .error, "The SP metadata promises signed AuthnRequests (AuthnRequestsSigned=\"true\") but no signing key is given.",
                fix: "Give the signing key (--sign-key/--sign-cert) or regenerate the metadata without AuthnRequestsSigned.")
        }
        if let signing, !signingKeys.isEmpty, !signingKeys.contains(where: { $0.der == signing.certificate.der }) {
            add("sp.metadata.signingCertificate", .error, "The signing certificate \(signing.certificate.subject) is not in the SP metadata; the IdP cannot verify requests signed with it.",
                fix: "Publish the certificate in the SP metadata (saml sp-metadata --sign-cert) and upload it to the IdP.")
        }
        let encryption = role.keys.filter { $0.use == nil || $0.use == "encryption" }
        if role.keys.contains(where: { $0.use == "encryption" }) {
            for key in encryption.filter({ $0.use == "encryption" }) {
                guard let certificate = try? SAMLCertificate(der: key.der) else { continue }
                if decryptionKeys.isEmpty {
                    add("sp.metadata.encryption", .warning, "The SP metadata publishes an encryption certificate (\(certificate.subject)) but no --sp-key is given; encrypted assertions could not be read.",
                        fix: "Give the matching private key (--sp-key, ServiceProvider.decryptionKeys), or remove the certificate from the metadata.")
                } else if !decryptionKeys.contains(where: { $0.matches(certificate) }) {
                    add("sp.metadata.encryption", .error, "No --sp-key matches the encryption certificate \(certificate.subject) in the SP metadata.",
                        fix: "Give the private key of that certificate, or publish the certificate of the key you have.")
                } else {
                    add("sp.metadata.encryption", .ok, "A decryption key matches the encryption certificate \(certificate.subject).")
                }
            }
        }
    }
}
