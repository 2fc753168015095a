public import Foundation
import SAMLCore

/// One of this SP's own key pairs for one IdP, as stored: PEM text, what it is for, and where it
/// is in its rollover.
///
/// A key is first added as ``State/next``: published in the IdP's SP metadata (so the IdP learns
/// it) and accepted for decryption, but not used to sign. ``IdentityProviderRecord/rollOverKeys(minimumPublication:now:)``
/// then makes it ``State/active`` and drops the key it replaces, so a key is never used before it
/// was published.
public struct ServiceProviderKeyRecord: Sendable, Codable, Hashable {
    /// What a key is for.
    public enum Use: String, Sendable, Codable, Hashable {
        /// Signs AuthnRequests, LogoutRequests and the SP metadata.
        case signing
        /// Decrypts assertions the IdP encrypted to its certificate.
        case encryption
    }

    /// Where a key is in its rollover.
    public enum State: String, Sendable, Codable, Hashable {
        /// In use: signs (signing keys) and decrypts (encryption keys).
        case active
        /// Published in the metadata ahead of its use; decrypts already, never signs.
        case next
    }

    /// What the key is for.
    public var use: Use
    /// Where it is in its rollover.
    public var state: State
    /// The private key, PEM.
    public var privateKeyPEM: String
    /// Its certificate, PEM.
    public var certificatePEM: String
    /// When it was added (published).
    public var createdAt: Date

    /// Creates a key record.
    public init(use: Use, state: State, privateKeyPEM: String, certificatePEM: String, createdAt: Date = Date()) {
        self.use = use
        self.state = state
        self.privateKeyPEM = privateKeyPEM
        self.certificatePEM = certificatePEM
        self.createdAt = createdAt
    }

    /// A new RSA key pair with a self-signed certificate (see `SAMLKeyPair.generatePEM`).
    public static func generate(use: Use, state: State, commonName: String, now: Date = Date()) throws -> ServiceProviderKeyRecord {
        let pem = try SAMLKeyPair.generatePEM(commonName: commonName)
        return ServiceProviderKeyRecord(use: use, state: state, privateKeyPEM: pem.privateKeyPEM,
                                        certificatePEM: pem.certificatePEM, createdAt: now)
    }

    enum CodingKeys: String, CodingKey {
        case use, state, privateKeyPEM = "private_key_pem", certificatePEM = "certificate_pem", createdAt = "created_at"
    }
}

extension IdentityProviderRecord {
    /// Adds this SP's keys for the IdP: for each use, an active key when there is none, else a
    /// next key (published before it is used) when there is no next key yet.
    ///
    /// - Parameters:
    ///   - commonName: the generated certificates' CN (e.g. the SP's host name).
    ///   - now: the instant the new keys are dated from.
    public mutating func generateKeys(commonName: String, now: Date = Date()) throws {
        for use in [ServiceProviderKeyRecord.Use.signing, .encryption] {
            let ofUse = serviceProviderKeys.filter { $0.use == use }
            if !ofUse.contains(where: { $0.state == .active }) {
                serviceProviderKeys.append(try .generate(use: use, state: .active, commonName: commonName, now: now))
            } else if !ofUse.contains(where: { $0.state == .next }) {
                serviceProviderKeys.append(try .generate(use: use, state: .next, commonName: commonName, now: now))
            }
        }
    }

    /// Makes each next key active, dropping the active key it replaces. Uses without a next key
    /// keep their active key.
    ///
    /// - Parameters:
    ///   - minimumPublication: how long a next key must have been published first, so
    ///     IdPs that refresh this SP's metadata have learnt it. Default zero.
    ///   - now: the instant the rollover is judged at.
    /// - Throws: `SAMLError` `.invalidRequest` when there is no next key, or one was published
    ///   for less than `minimumPublication`.
    public mutating func rollOverKeys(minimumPublication: Duration = .zero, now: Date = Date()) throws {
        let next = serviceProviderKeys.filter { $0.state == .next }
        guard !next.isEmpty else {
            throw SAMLError(.invalidRequest, "There is no next key to roll over to; generate one and publish the metadata first.")
        }
        let (seconds, _) = minimumPublication.components
        for key in next where now.timeIntervalSince(key.createdAt) < TimeInterval(seconds) {
            throw SAMLError(.invalidRequest, "The next \(key.use.rawValue) key was published \(Int(now.timeIntervalSince(key.createdAt))) s ago, less than the \(seconds) s IdPs are given to learn it.")
        }
        let rolling = Set(next.map(\.use))
        serviceProviderKeys.removeAll { $0.state == .active && rolling.contains($0.use) }
        for index in serviceProviderKeys.indices where serviceProviderKeys[index].state == .next {
            serviceProviderKeys[index].state = .active
        }
    }
}
