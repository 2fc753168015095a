public import Foundation
package import SAMLCore
package import SAMLMetadata

/// The rules behind `SAMLServiceProvider.Configuration.diagnose(now:)`, the directory export's
/// diagnosis and `saml doctor`, collecting ``ConfigurationFinding``s in the order they are checked.
package struct ConfigurationDiagnosis {
    /// The instant certificates and metadata are judged at.
    package let now: Date
    /// Certificates within this long of expiry are reported.
    package var expiryWarning: TimeInterval
    /// A metadata validUntil within this long is reported.
    package var validUntilWarning: TimeInterval = 7 * 86400
    /// The findings so far.
    package var findings: [ConfigurationFinding] = []
    /// Set on every finding added (a directory entry's ID).
    package var subject: String?

    package init(now: Date, expiryWarning: TimeInterval = 30 * 86400) {
        self.now = now
        self.expiryWarning = expiryWarning
    }

    package mutating func add(_ check: String, _ severity: ConfigurationFinding.Severity, _ message: String, fix: String? = nil) {
        findings.append(ConfigurationFinding(check: check, severity: severity, message: message, fix: fix, subject: subject))
    }

    private func time(_ date: Date) -> String { SAMLTime.describe(date, now: now) }

    // MARK: The whole configuration

    /// Every rule over `configuration`: its settings, each IdP, the SP's URLs and keys.
    package mutating func check(_ configuration: SAMLServiceProvider.Configuration) {
        do {
            try configuration.validate(withDirectory: true)
        } catch let error as SAMLError {
            add(error.code == .publishedDemoKey ? "publishedDemoKey" : "sp.configuration", .error, error.reason,
                fix: error.code == .publishedDemoKey ? nil : "Correct the setting named; the service refuses to start with it.")
        } catch {
            add("sp.configuration", .error, "\(error)")
        }
        for trusted in configuration.identityProviders {
            checkIdentityProvider(trusted.identityProvider, signingKeyGiven: configuration.signingKey != nil)
        }
        checkServiceProvider(configuration)
    }

    // MARK: IdP

    /// The rules over one IdP: its certificates, metadata validity, endpoints, request signing and SHA-1.
    package mutating func checkIdentityProvider(_ idp: IdentityProvider, signingKeyGiven: Bool) {
        for certificate in idp.signingCertificates { checkIdPCertificate(certificate, use: "signing") }
        for certificate in idp.encryptionCertificates where !idp.signingCertificates.contains(certificate) {
            checkIdPCertificate(certificate, use: "encryption")
        }
        checkValidUntil(idp.validUntil)
        checkEndpoints(idp)
        checkRequestSigning(idp, signingKeyGiven: signingKeyGiven)
        checkSHA1(idp)
    }

    mutating func checkIdPCertificate(_ c: SAMLCertificate, use: String) {
        let name = "\(c.subject) (SHA-256 \(c.sha256Fingerprint.prefix(16))…)"
        let check = "idp.certificate.\(use)"
        if now < c.notBefore {
            add(check, .error, "The IdP \(use) certificate \(name) is not valid before \(time(c.notBefore)).",
                fix: "Check this machine's clock, or ask the IdP whether the certificate was published too early.")
        } else if now > c.notAfter {
            add(check, use == "signing" ? .error : .warning, "The IdP \(use) certificate \(name) expired \(time(c.notAfter)).",
                fix: "Ask the IdP admin to roll over to a new certificate and download the metadata again; keys are pinned, but an expired certificate is the usual sign of an abandoned key.")
        } else if c.notAfter.timeIntervalSince(now) < expiryWarning {
            add(check, .warning, "The IdP \(use) certificate \(name) expires \(time(c.notAfter)).",
                fix: "Ask the IdP admin for the next certificate now and load metadata that lists both during the rollover.")
        } else {
            add(check, .ok, "IdP \(use) certificate \(c.subject), \(c.keyAlgorithm) \(c.keySize), valid to \(time(c.notAfter)).")
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
            add("idp.metadata.validUntil", .error, "The metadata's validUntil passed \(time(validUntil)).",
                fix: "Fetch fresh metadata from the IdP (or the federation) and refresh it automatically before validUntil.")
        } else if validUntil.timeIntervalSince(now) < validUntilWarning {
            add("idp.metadata.validUntil", .warning, "The metadata's validUntil is near: \(time(validUntil)).",
                fix: "Refresh the metadata on a schedule shorter than its validity (its cacheDuration says how often).")
        } else {
            add("idp.metadata.validUntil", .ok, "The metadata is valid until \(time(validUntil)).")
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
        let insecure = usable.filter { !Self.isHTTPSOrLoopback($0.location) }
        if !insecure.isEmpty {
            add("idp.sso", .warning, "SSO endpoint\(insecure.count == 1 ? "" : "s") without https: \(insecure.map(\.location).joined(separator: ", ")).",
                fix: "Ask the IdP for https endpoints; requests sent over http can be read and altered.")
        } else {
            add("idp.sso", .ok, "Single sign-on at \(first.location) (\(Array(Set(usable.map(\.binding.description))).sorted().joined(separator: ", "))).")
        }
    }

    mutating func checkRequestSigning(_ idp: IdentityProvider, signingKeyGiven: Bool) {
        switch (idp.wantsAuthnRequestsSigned, signingKeyGiven) {
        case (true, false):
            add("idp.wantsSignedRequests", .error, "The IdP wants signed AuthnRequests (WantAuthnRequestsSigned) but no SP signing key is given.",
                fix: "Give the SP a key pair (Configuration.signingKey, --sign-key/--sign-cert for saml) and register its certificate with the IdP, usually through the SP metadata.")
        case (true, true):
            add("idp.wantsSignedRequests", .ok, "The IdP wants signed AuthnRequests, and a signing key is given.")
        case (false, true):
            add("idp.wantsSignedRequests", .info, "AuthnRequests will be signed although the IdP does not ask for it.")
        case (false, false):
            add("idp.wantsSignedRequests", .ok, "The IdP accepts unsigned AuthnRequests.")
        }
    }

    mutating func checkSHA1(_ idp: IdentityProvider) {
        let methods = idp.signingMethods
        let isSHA1: (String) -> Bool = { $0.lowercased().hasSuffix("sha1") }
        if !methods.isEmpty {
            if methods.allSatisfy(isSHA1) {
                add("idp.sha1", .warning, "The IdP lists only SHA-1 signing methods (\(methods.map(Algorithms.shortName).joined(separator: ", "))); SHA-1 signatures are refused by default.",
                    fix: "Switch the IdP's signing algorithm to RSA-SHA256 (a setting on the SAML application in most IdPs). Accepting SHA-1 (VerificationPolicy.allowSHA1, --allow-sha1) is a last resort.")
            } else {
                add("idp.sha1", .ok, "The IdP lists SHA-2 signing methods (\(methods.filter { !isSHA1($0) }.map(Algorithms.shortName).joined(separator: ", "))).")
            }
        } else if idp.signingCertificates.allSatisfy(\.isSignedWithLegacyDigest) {
            let algorithms = Set(idp.signingCertificates.map(\.signatureAlgorithm)).sorted().joined(separator: ", ")
            add("idp.sha1", .warning, "Every IdP signing certificate is itself signed with \(algorithms); an IdP set up like this often signs responses with RSA-SHA1 too, which is refused by default.",
                fix: "Make sure the IdP signs with RSA-SHA256; ask for a certificate signed with SHA-256 at the next rollover.")
        } else {
            add("idp.sha1", .ok, "No sign of SHA-1-only signing (certificates signed with \(Set(idp.signingCertificates.map(\.signatureAlgorithm)).sorted().joined(separator: ", "))).")
        }
    }

    // MARK: SP

    /// The rules over the SP's own settings: ACS URLs, entity ID, certificates, demo keys, relaxed defaults.
    package mutating func checkServiceProvider(_ configuration: SAMLServiceProvider.Configuration) {
        for url in configuration.acsURLs { checkACS(url) }
        if configuration.entityID == configuration.acsURLs.first {
            add("sp.entityID", .info, "The ACS URL is the entity ID (the AWS IAM Identity Center / Cloudflare setup).")
        }
        if let signingKey = configuration.signingKey { checkSPCertificate(signingKey.certificate, what: "signing") }
        for key in configuration.decryptionKeys { checkSPCertificate(key.certificate, what: "decryption") }
        if !findings.contains(where: { $0.check == "publishedDemoKey" }) {
            // accepted here (every ACS URL is on loopback or an example name), refused when deployed
            for found in configuration.publishedDemoKeys {
                add("publishedDemoKey", .info, found + " Its private key is published with this package: fine for a demo, refused once an ACS URL is not on loopback.")
            }
        }
        for relaxation in configuration.relaxations {
            add("sp.policy.relaxed", .warning, relaxation)
        }
    }

    mutating func checkACS(_ acsURL: String) {
        if acsURL.lowercased().hasPrefix("https://") {
            add("sp.acs.https", .ok, "The ACS URL \(acsURL) uses https.")
        } else if LoopbackHost.contains(LoopbackHost.host(ofURL: acsURL) ?? "") {
            add("sp.acs.https", .warning, "The ACS URL \(acsURL) is plain http (on this machine: fine for development only).",
                fix: "Serve the ACS over https in every deployed environment.")
        } else {
            add("sp.acs.https", .error, "The ACS URL \(acsURL) is not https: assertions would cross the network readable and replayable.",
                fix: "Serve the ACS over https and register the https URL with the IdP.")
        }
    }

    /// The rule over an SP certificate (`what`: `signing` or `decryption`): expired or expiring soon.
    package mutating func checkSPCertificate(_ c: SAMLCertificate, what: String) {
        if now > c.notAfter {
            add("sp.certificate.\(what)", .warning, "The SP \(what) certificate \(c.subject) expired \(time(c.notAfter)); some IdPs refuse requests signed with it.",
                fix: "Make a new key pair, publish the certificate in the SP metadata and register it with the IdP.")
        } else if c.notAfter.timeIntervalSince(now) < expiryWarning {
            add("sp.certificate.\(what)", .warning, "The SP \(what) certificate \(c.subject) expires \(time(c.notAfter)).",
                fix: "Roll over now: publish the new certificate beside the old one, then switch.")
        }
    }

    /// Whether `url` is https, or http on a loopback host (a secure context that never leaves the machine).
    package static func isHTTPSOrLoopback(_ url: String) -> Bool {
        url.lowercased().hasPrefix("https://") || LoopbackHost.contains(LoopbackHost.host(ofURL: url) ?? "")
    }
}

extension SAMLServiceProvider.Configuration {
    /// Checks this configuration the way a support engineer would and says, rule by rule, what is
    /// fine and what to fix: each IdP's certificates (expired, expiring within 30 days, short RSA
    /// keys, published demo certificates), metadata `validUntil`, single sign-on endpoints without
    /// https, an IdP that wants signed requests while no signing key is set, SHA-1-only IdPs; the
    /// SP's ACS URLs, its certificates, published demo keys and relaxed secure defaults; and the
    /// settings the façade refuses at start-up.
    ///
    /// Call it from a start-up check or an admin page; `saml doctor` reports the same findings.
    /// Nothing is fetched or verified.
    ///
    /// - Parameter now: the instant certificates and metadata are judged at.
    /// - Returns: the findings in the order checked; ``ConfigurationFinding/isProblem`` marks
    ///   those to act on.
    public func diagnose(now: Date = Date()) -> [ConfigurationFinding] {
        var diagnosis = ConfigurationDiagnosis(now: now)
        diagnosis.check(self)
        return diagnosis.findings
    }
}
