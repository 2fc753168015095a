public import Foundation
import SAMLCore
import SAMLMetadata

/// The façade over an ``IdentityProviderDirectory``: IdPs looked up on every request, sessions
/// re-checked against the directory, and each IdP's own SP metadata.
extension SAMLServiceProvider {
    /// Checks that the IdP a session's ``Login`` came from is still trusted. Call it on every
    /// request that uses the session (the framework integrations do): a removed or disabled
    /// IdP's sessions end at their next request.
    ///
    /// - Throws: `SAMLError` `.identityProviderRemoved` when the IdP is no longer in the directory,
    ///   `.identityProviderDisabled` when it is disabled, `.directoryUnavailable` when the directory
    ///   cannot be read.
    public func checkSession(_ login: Login, now: Date = Date()) async throws {
        let snapshot = try await directorySnapshot()
        guard let entry = snapshot.entry(entityID: login.issuer) else {
            throw Self.removed(login.issuer)
        }
        guard entry.isEnabled else { throw Self.disabled(entry) }
    }

    /// This SP's metadata for one IdP of the directory (served at `/saml/metadata/{id}`): every
    /// ACS URL, the logout URL, and the SP certificates for that IdP — its own signing and
    /// encryption keys, active and next (published before they are used), or the façade's when it
    /// has none; signed with its active signing key.
    ///
    /// - Throws: `SAMLError` `.entityNotFound` when no entry has the ID.
    public func metadata(forIdentityProvider id: String, validUntil: Date? = nil) async throws -> String {
        let snapshot = try await directorySnapshot()
        guard let entry = snapshot.entry(id: id) else {
            throw SAMLError(.entityNotFound, "There is no identity provider with the ID \(id).")
        }
        let signing = entry.signingKey ?? configuration.signingKey
        let signingCertificates = entry.publishedSigningCertificates.isEmpty
            ? configuration.signingKey.map { [$0.certificate] } ?? [] : entry.publishedSigningCertificates
        let encryptionCertificates = entry.publishedEncryptionCertificates.isEmpty
            ? configuration.decryptionKeys.map(\.certificate) : entry.publishedEncryptionCertificates
        var metadata = ServiceProviderMetadata(entityID: configuration.entityID, acsURL: configuration.acsURLs[0],
                                               signingCertificates: signingCertificates, encryptionCertificates: encryptionCertificates)
        metadata.assertionConsumerServices = configuration.acsURLs.enumerated().map { index, url in
            .init(location: url, binding: .httpPost, index: index, isDefault: index == 0)
        }
        if let slo = configuration.singleLogoutURL {
            metadata.singleLogoutServices = [Endpoint(binding: .httpRedirect, location: slo), Endpoint(binding: .httpPost, location: slo)]
        }
        metadata.validUntil = validUntil
        return try metadata.xml(signedWith: signing)
    }

    // MARK: - Internals

    func directorySnapshot() async throws -> IdentityProviderSnapshot {
        do {
            return try await directory.snapshot()
        } catch let error as SAMLError {
            throw error
        } catch {
            throw SAMLError(.directoryUnavailable, "The identity-provider directory could not be read: \(error)")
        }
    }

    /// `entry` when logins through it are accepted now; else the refusal naming why.
    func usable(_ entry: IdentityProviderEntry?, named name: String, now: Date) throws -> IdentityProviderEntry {
        guard let entry else { throw Self.removed(name) }
        if let problem = entry.problem {
            throw SAMLError(.identityProviderDisabled, "The identity provider \(entry.id) cannot be used: \(problem)")
        }
        guard entry.isEnabled else { throw Self.disabled(entry) }
        if entry.metadataExpired(at: now) {
            throw SAMLError(.metadataExpired, "The metadata of the IdP \(entry.id) expired at \(entry.trusted.identityProvider.validUntil.map { "\($0)" } ?? "?"); refresh or replace it.")
        }
        try configuration.refusePublishedDemoKeys(of: entry)
        return entry
    }

    /// The façade's return-to rule widened by the IdP's own allowed origins.
    func returnToPolicy(for entry: IdentityProviderEntry) -> ReturnToPolicy {
        guard !entry.record.allowedReturnToOrigins.isEmpty else { return configuration.returnTo }
        var policy = configuration.returnTo
        policy.allowedOrigins += entry.record.allowedReturnToOrigins.filter { !policy.allowedOrigins.contains($0) }
        return policy
    }

    static func removed(_ name: String) -> SAMLError {
        SAMLError(.identityProviderRemoved, "The identity provider \(name) is no longer in the directory; its responses and sessions are refused.")
    }

    static func disabled(_ entry: IdentityProviderEntry) -> SAMLError {
        SAMLError(.identityProviderDisabled, "The identity provider \(entry.id) (\(entry.entityID)) is disabled; its responses and sessions are refused.")
    }
}
