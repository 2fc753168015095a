import Foundation
public import SAMLCore
import SAMLMetadata

/// The certificates this package publishes for its demos and tests (`SAMLTesting`'s
/// `DemoOnlyCredentials`: the demo IdP, and the demo SP that `saml demo` uses too). Their private keys are in the
/// source code: anyone can sign as an IdP that uses one, or decrypt what is encrypted for an SP
/// that does. A configuration uses them only while every ACS URL is on loopback.
public enum PublishedDemoKeys {
    /// SHA-256 fingerprints (lower-case hex) of the published certificates, with what each is.
    public static let certificates: [String: String] = [
        "6ccee473333fc88e26cf8590e0ec9318ab7f4c8377cc8017cd0a98b04e0e1869": "the demo IdP's RSA certificate (DemoOnlyCredentials.idpRSACertificatePEM)",
        "a1361db3a29cecfc8b11ff89e6a29de6a93c2ead10d6092d782ecd0ec6187829": "the demo IdP's EC certificate (DemoOnlyCredentials.idpECCertificatePEM)",
        "6fb21552b1ba7671d05f5a939165bbe4c0299fde36dc6386b6b8017a1e6e01fb": "the demo SP certificate (DemoOnlyCredentials.spCertificatePEM)",
    ]

    /// What `certificate` is, when it is one of the published ones. (The fingerprint is already
    /// lower-case hex without separators: a dictionary lookup, run on every login.)
    public static func describe(_ certificate: SAMLCertificate) -> String? {
        certificates[certificate.sha256Fingerprint]
    }

    /// Whether `url` is an http(s) URL whose host is on loopback (`localhost`, 127.0.0.0/8, `::1`;
    /// see `LoopbackHost`): the only place a published key may be used.
    public static func isLoopback(_ url: String) -> Bool {
        guard let colon = url.firstIndex(of: ":") else { return false }
        let scheme = url[..<colon].lowercased()
        guard scheme == "http" || scheme == "https", let host = LoopbackHost.host(ofURL: url) else { return false }
        return LoopbackHost.contains(host)
    }
}

extension SAMLServiceProvider.Configuration {
    /// Each published demo key or certificate this configuration uses (the SP's signing and
    /// decryption keys, the IdPs' signing certificates), one sentence each; empty when none.
    /// `saml doctor` and start-up checks report these.
    public var publishedDemoKeys: [String] {
        var found: [String] = []
        if let signingKey, let what = PublishedDemoKeys.describe(signingKey.certificate) {
            found.append("The SP signing key is \(what).")
        }
        for key in decryptionKeys {
            if let what = PublishedDemoKeys.describe(key.certificate) { found.append("An SP decryption key is \(what).") }
        }
        for idp in identityProviders {
            for certificate in idp.identityProvider.signingCertificates {
                if let what = PublishedDemoKeys.describe(certificate) { found.append("The IdP \(idp.entityID) is trusted with \(what).") }
            }
        }
        return found
    }

    /// Refuses a directory entry that trusts a published demo certificate or holds a published SP
    /// key, on the same terms as the configuration's own IdPs and keys.
    func refusePublishedDemoKeys(of entry: IdentityProviderEntry) throws {
        guard !unsafeAllowsPublishedDemoKeys else { return }
        var found: [String] = []
        for certificate in entry.trusted.identityProvider.signingCertificates {
            if let what = PublishedDemoKeys.describe(certificate) { found.append("The IdP \(entry.id) is trusted with \(what).") }
        }
        for certificate in entry.publishedSigningCertificates + entry.publishedEncryptionCertificates {
            if let what = PublishedDemoKeys.describe(certificate) { found.append("The SP key pair of the IdP \(entry.id) is \(what).") }
        }
        try refuse(found)
    }

    /// Refuses published demo keys unless every ACS URL is on loopback.
    func refusePublishedDemoKeys() throws {
        guard !unsafeAllowsPublishedDemoKeys else { return }
        try refuse(publishedDemoKeys)
    }

    private func refuse(_ found: [String]) throws {
        guard !found.isEmpty else { return }
        let exposed = acsURLs.filter { !PublishedDemoKeys.isLoopback($0) }
        guard !exposed.isEmpty else { return }
        throw SAMLError(.publishedDemoKey, found.joined(separator: " ") + " Its private key is published with this package, so anyone can "
            + "use it; it is accepted only while every ACS URL is on loopback, and \(exposed.joined(separator: ", ")) is not. "
            + "Generate your own key and certificate (saml keys), and use the IdP's real signing certificate from its metadata.")
    }
}
