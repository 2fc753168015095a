import Foundation
package import SAMLLogin
package import SAML
import Testing

/// An SP with single logout against the generated IdP, and an "IdP side" that builds and checks
/// logout messages with the IdP's key (the library's builders with the roles reversed).
package enum LogoutWorld {
    package static let spSLO = "https://sp.example.com/saml/slo"
    package static let idpSLO = "https://idp.example.org/slo"

    package static func idp() throws -> IdentityProvider {
        var idp = try Generated.idp()
        idp.singleLogoutServices = [Endpoint(binding: .httpRedirect, location: idpSLO), Endpoint(binding: .httpPost, location: idpSLO)]
        return idp
    }

    package static func facade(allowUnsigned: Bool = false, tracker: (any RequestTracker)? = nil,
                       replay: (any ReplayStore)? = nil) throws -> SAMLServiceProvider {
        let configuration = SAMLServiceProvider.Configuration(
            acsURL: Generated.acs, identityProviders: [TrustedIdentityProvider(try idp(), allowsUnsignedLogoutMessages: allowUnsigned)],
            signingKey: try LoginWorld.spKeyPair(), stateSecrets: [LoginWorld.secret], singleLogoutURL: spSLO, unsafeAllowsPublishedDemoKeys: true)
        return try SAMLServiceProvider(configuration: configuration, requestTracker: tracker ?? InMemoryRequestTracker(),
                                       replayStore: replay ?? InMemoryReplayStore())
    }

    /// The IdP as a sender: its entity ID and key, sending to this SP's logout endpoint.
    package static func idpAsSender(key: String = "idp-rsa") throws -> ServiceProvider {
        let pair = try SAMLKeyPair(privateKey: Generated.key(key), certificate: Generated.certificate(key))
        return ServiceProvider(entityID: Generated.idpEntityID, acsURL: Generated.idpEntityID, signingKey: pair)
    }

    /// This SP as the IdP side sees it: entity ID, logout endpoints, certificate.
    package static func spAsReceiver() throws -> IdentityProvider {
        var sp = IdentityProvider(entityID: Generated.acs, singleSignOnURL: nil, certificates: [try Generated.certificate("sp-rsa")])
        sp.singleLogoutServices = [Endpoint(binding: .httpRedirect, location: spSLO), Endpoint(binding: .httpPost, location: spSLO)]
        return sp
    }

    /// A login for alice, as the ACS would have produced it.
    package static func login() async throws -> Login {
        let saml = try LoginWorld.facade(try LoginWorld.configuration(allowIdPInitiated: true))
        return try await saml.finishLogin(samlResponse: try LoginWorld.response(answering: nil, assertionID: "_assert-\(UUID().uuidString)"),
                                          relayState: nil, browserState: nil, now: Generated.now)
    }

    /// A LogoutRequest from the IdP to this SP.
    package static func idpLogoutRequest(key: String = "idp-rsa", sessionIndexes: [String] = ["_session-5f2a9c"]) throws -> LogoutRequest {
        LogoutRequest(serviceProvider: try idpAsSender(key: key), identityProvider: try spAsReceiver(),
                      subject: .init(value: "alice@example.com", format: .emailAddress), sessionIndexes: sessionIndexes,
                      relayState: "idp-relay")
    }

    /// Runs the pysaml2 logout peer (`Peer/pysaml2_slo.py`) with `arguments`.
    package static func peer(_ arguments: [String]) throws -> RequestsSupport.Run {
        let script = Fixtures.peerScript("pysaml2_slo.py")
        return try RequestsSupport.run(try RequestsSupport.systemPython(), [script] + arguments)
    }

    /// The peer's standard output as a JSON object; the run must have succeeded.
    package static func json(_ run: RequestsSupport.Run) throws -> [String: Any] {
        #expect(run.status == 0, "\(run.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "stdout: \(run.stdout) \(run.stderr)")
    }

    package static func query(of url: String) -> String { String(url[url.index(after: url.firstIndex(of: "?")!)...]) }
}
