public import CoreMetrics
import Foundation
public import SAMLCore
import SAMLMetadata
public import SAMLVerification

extension SAMLServiceProvider {
    /// Everything the façade needs to know, set once at start-up.
    public struct Configuration: Sendable {
        /// This SP's entity ID (the audience assertions must name). By default the first ACS URL,
        /// as AWS IAM Identity Center and Cloudflare Access set SPs up.
        public var entityID: String
        /// The Assertion Consumer Service URLs, first the default (several for regional failover).
        /// Responses must name one of them as Destination and Recipient.
        public var acsURLs: [String]
        /// This SP's single logout URL (HTTP-Redirect and HTTP-POST), where IdPs send LogoutRequests
        /// and LogoutResponses; nil when the app does not offer single logout.
        public var singleLogoutURL: String?
        /// The key and certificate that sign AuthnRequests and metadata; nil sends unsigned requests
        /// (refused for an IdP that wants signed requests).
        public var signingKey: SAMLKeyPair?
        /// Keys (with their certificates, published in the metadata) that decrypt assertions;
        /// several during a rollover.
        public var decryptionKeys: [SAMLKeyPair]
        /// The IdPs logins are accepted from, when the façade is made without an
        /// ``IdentityProviderDirectory`` (they become an in-memory one).
        public var identityProviders: [TrustedIdentityProvider]
        /// The verification rules (secure defaults).
        public var policy: VerificationPolicy
        /// Which attributes carry e-mail, names and groups.
        public var attributeMapping: AttributeMapping
        /// Where logins may land afterwards.
        public var returnTo: ReturnToPolicy
        /// How long a started login may take to come back. Default 10 minutes.
        public var requestLifetime: Duration
        /// The longest session a login grants, whatever the IdP's `SessionNotOnOrAfter`. Default 8 hours.
        public var maximumSessionLifetime: Duration
        /// Keys protecting the login state in the browser: the first seals, all are accepted
        /// (rotation). Empty: one random secret per process — set a shared one for several instances.
        public var stateSecrets: [StateSecret]
        /// Where login, metadata-refresh and store-error metrics go (see the SAMLLogin article on
        /// metrics); nil: the factory the app bootstrapped with `MetricsSystem.bootstrap`.
        public var metricsFactory: (any MetricsFactory)?
        /// Accepts the keys published with this package (``PublishedDemoKeys``) on ACS URLs that are
        /// not on loopback. Off by default; for test suites whose recorded fixtures were made with
        /// those keys, never for a deployment: anyone can sign or decrypt with them.
        public var unsafeAllowsPublishedDemoKeys: Bool

        /// Creates a configuration.
        ///
        /// - Parameters:
        ///   - acsURL: the ACS URL (also the entity ID unless `entityID` is given).
        ///   - additionalACSURLs: further ACS URLs (regional failover).
        ///   - entityID: the SP's entity ID when it is not the ACS URL.
        ///   - identityProviders: the IdPs.
        ///   - signingKey: signs AuthnRequests and metadata; nil sends unsigned requests.
        ///   - decryptionKeys: decrypt encrypted assertions (and are published for encryption).
        ///   - policy: the verification rules.
        ///   - attributeMapping: which attributes carry e-mail, names and groups.
        ///   - returnTo: where logins may land afterwards.
        ///   - requestLifetime: how long a started login may take.
        ///   - maximumSessionLifetime: the longest session a login grants.
        ///   - stateSecrets: keys protecting the browser's login state (first seals, all open).
        ///   - singleLogoutURL: this SP's single logout endpoint, if it offers single logout.
        ///   - unsafeAllowsPublishedDemoKeys: accept the keys published with this package off loopback
        ///     (test suites only; see ``unsafeAllowsPublishedDemoKeys``).
        public init(acsURL: String, additionalACSURLs: [String] = [], entityID: String? = nil,
                    identityProviders: [TrustedIdentityProvider], signingKey: SAMLKeyPair? = nil,
                    decryptionKeys: [SAMLKeyPair] = [], policy: VerificationPolicy = .default,
                    attributeMapping: AttributeMapping = .default, returnTo: ReturnToPolicy = ReturnToPolicy(),
                    requestLifetime: Duration = .seconds(600), maximumSessionLifetime: Duration = .seconds(8 * 3600),
                    stateSecrets: [StateSecret] = [], singleLogoutURL: String? = nil,
                    unsafeAllowsPublishedDemoKeys: Bool = false) {
            self.entityID = entityID ?? acsURL
            self.acsURLs = [acsURL] + additionalACSURLs
            self.signingKey = signingKey
            self.decryptionKeys = decryptionKeys
            self.identityProviders = identityProviders
            self.policy = policy
            self.attributeMapping = attributeMapping
            self.returnTo = returnTo
            self.requestLifetime = requestLifetime
            self.maximumSessionLifetime = maximumSessionLifetime
            self.stateSecrets = stateSecrets
            self.singleLogoutURL = singleLogoutURL
            self.metricsFactory = nil
            self.unsafeAllowsPublishedDemoKeys = unsafeAllowsPublishedDemoKeys
        }

        /// The verification rules for responses from `trusted`: ``policy`` with the IdP's own
        /// relaxations applied.
        func policy(for trusted: TrustedIdentityProvider) -> VerificationPolicy {
            var policy = self.policy
            if trusted.allowsCBCInUnsignedResponse { policy.refuseCBCInUnsignedResponse = false }
            return policy
        }

        /// The secure defaults this configuration relaxes, one sentence each (logged as warnings
        /// when the façade is created).
        public var relaxations: [String] {
            var warnings: [String] = []
            if !policy.refuseCBCInUnsignedResponse {
                warnings.append("AES-CBC encrypted assertions are accepted inside unsigned Responses from every IdP (VerificationPolicy.refuseCBCInUnsignedResponse is off): an attacker can alter the ciphertext and learn from how it fails. Have the IdPs sign their Responses instead.")
            } else {
                for idp in identityProviders where idp.allowsCBCInUnsignedResponse {
                    warnings.append("AES-CBC encrypted assertions are accepted inside unsigned Responses from \(idp.entityID) (allowsCBCInUnsignedResponse): an attacker can alter the ciphertext and learn from how it fails. Have the IdP sign its Responses (Entra ID: \"Sign SAML response and assertion\"; AD FS: Set-AdfsRelyingPartyTrust -SamlResponseSignature MessageAndAssertion).")
                }
            }
            if unsafeAllowsPublishedDemoKeys, !publishedDemoKeys.isEmpty {
                warnings.append("unsafeAllowsPublishedDemoKeys is on and this configuration uses keys published with the package: anyone can sign as its IdP or decrypt what is sent to it. Only test suites may run like this.")
            }
            if policy.unsafeRevealDecryptionFailures {
                warnings.append("VerificationPolicy.unsafeRevealDecryptionFailures is on: diagnostics and debug logs say why a decryption failed, a decryption oracle for whoever reads them. Turn it off outside debugging.")
            }
            return warnings
        }

        func validate(withDirectory: Bool = false) throws {
            guard withDirectory || !identityProviders.isEmpty else {
                throw SAMLError(.invalidConfiguration, "Configure at least one identity provider.")
            }
            var seen = Set<String>()
            for idp in identityProviders where !seen.insert(idp.entityID).inserted {
                throw SAMLError(.invalidConfiguration, "The IdP \(idp.entityID) is configured twice.")
            }
            guard !entityID.isEmpty else { throw SAMLError(.invalidConfiguration, "The SP entity ID is empty.") }
            for url in acsURLs + (singleLogoutURL.map { [$0] } ?? []) {
                let lower = url.lowercased()
                guard lower.hasPrefix("https://") || lower.hasPrefix("http://") else {
                    throw SAMLError(.invalidConfiguration, "The URL \(url) is not an http(s) URL.")
                }
            }
            guard Set(acsURLs).count == acsURLs.count else {
                throw SAMLError(.invalidConfiguration, "An ACS URL is listed twice.")
            }
            guard requestLifetime > .zero, maximumSessionLifetime > .zero else {
                throw SAMLError(.invalidConfiguration, "The request and session lifetimes must be positive.")
            }
            try refusePublishedDemoKeys()
        }
    }
}
