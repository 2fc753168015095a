import Foundation
@testable import SAMLLogin
import SAML
import Testing

/// An SP with single logout against the generated IdP, and an "IdP side" that builds and checks
/// logout messages with the IdP's key (the library's builders with the roles reversed).
enum LogoutWorld {
    static let spSLO = "https://sp.example.com/saml/slo"
    static let idpSLO = "https://idp.example.org/slo"

    static func idp() throws -> IdentityProvider {
        var idp = try Generated.idp()
        idp.singleLogoutServices = [Endpoint(binding: .httpRedirect, location: idpSLO), Endpoint(binding: .httpPost, location: idpSLO)]
        return idp
    }

    static func facade(allowUnsigned: Bool = false, tracker: (any RequestTracker)? = nil,
                       replay: (any ReplayStore)? = nil) throws -> SAMLServiceProvider {
        let configuration = SAMLServiceProvider.Configuration(
            acsURL: Generated.acs, identityProviders: [TrustedIdentityProvider(try idp(), allowsUnsignedLogoutMessages: allowUnsigned)],
            signingKey: try LoginWorld.spKeyPair(), stateSecrets: [LoginWorld.secret], singleLogoutURL: spSLO, unsafeAllowsPublishedDemoKeys: true)
        return try SAMLServiceProvider(configuration: configuration, requestTracker: tracker ?? InMemoryRequestTracker(),
                                       replayStore: replay ?? InMemoryReplayStore())
    }

    /// The IdP as a sender: its entity ID and key, sending to this SP's logout endpoint.
    static func idpAsSender(key: String = "idp-rsa") throws -> ServiceProvider {
        let pair = try SAMLKeyPair(privateKey: Generated.key(key), certificate: Generated.certificate(key))
        return ServiceProvider(entityID: Generated.idpEntityID, acsURL: Generated.idpEntityID, signingKey: pair)
    }

    /// This SP as the IdP side sees it: entity ID, logout endpoints, certificate.
    static func spAsReceiver() throws -> IdentityProvider {
        var sp = IdentityProvider(entityID: Generated.acs, singleSignOnURL: nil, certificates: [try Generated.certificate("sp-rsa")])
        sp.singleLogoutServices = [Endpoint(binding: .httpRedirect, location: spSLO), Endpoint(binding: .httpPost, location: spSLO)]
        return sp
    }

    /// A login for alice, as the ACS would have produced it.
    static func login() async throws -> Login {
        let saml = try LoginWorld.facade(try LoginWorld.configuration(allowIdPInitiated: true))
        return try await saml.finishLogin(samlResponse: try LoginWorld.response(answering: nil, assertionID: "_assert-\(UUID().uuidString)"),
                                          relayState: nil, browserState: nil, now: Generated.now)
    }

    /// A LogoutRequest from the IdP to this SP.
    static func idpLogoutRequest(key: String = "idp-rsa", sessionIndexes: [String] = ["_session-5f2a9c"]) throws -> LogoutRequest {
        LogoutRequest(serviceProvider: try idpAsSender(key: key), identityProvider: try spAsReceiver(),
                      subject: .init(value: "alice@example.com", format: .emailAddress), sessionIndexes: sessionIndexes,
                      relayState: "idp-relay")
    }

    static func query(of url: String) -> String { String(url[url.index(after: url.firstIndex(of: "?")!)...]) }
}
