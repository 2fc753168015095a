package import Foundation
package import SAML
package import SAMLTesting
import Testing

/// A test IdP and an SP configured for it, both on the bundled demo-only keys.
package enum TestIdPWorld {
    package static let spEntityID = "https://sp.example.com/metadata"
    package static let acsURL = "https://sp.example.com/saml/acs"
    package static let requestID = "_req-test-idp-0001"

    package static func idp(ecdsa: Bool = false, wantSigned: Bool = false, register: Bool = true) throws -> TestIdentityProvider {
        let sp = try serviceProvider()
        return try TestIdentityProvider.demo(baseURL: "https://idp.example.test/idp", ecdsa: ecdsa, wantAuthnRequestsSigned: wantSigned,
                                             serviceProviders: register ? [.init(sp)] : [])
    }

    package static func serviceProvider() throws -> ServiceProvider {
        let key = try DemoOnlyCredentials.serviceProvider()
        return ServiceProvider(entityID: spEntityID, acsURL: acsURL, signingKey: key, decryptionKeys: [key.privateKey])
    }

    package static func verifier(_ idp: TestIdentityProvider, policy: VerificationPolicy = .default) throws -> ResponseVerifier {
        ResponseVerifier(serviceProvider: try serviceProvider(), identityProvider: idp.identityProvider, policy: policy)
    }

    package static func spCertificate() throws -> SAMLCertificate {
        try DemoOnlyCredentials.serviceProvider().certificate
    }

    /// At most two external processes at a time from these tests.
    package static let processSlots = DispatchSemaphore(value: 2)

    /// Runs blocking work (an external process) on a dispatch thread, so waiting for it never
    /// holds one of Swift concurrency's few cooperative threads that other tests need.
    package static func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                processSlots.wait()
                defer { processSlots.signal() }
                continuation.resume(with: Result { try body() })
            }
        }
    }

    package static func facade(_ idp: TestIdentityProvider, encrypted: Bool) throws -> SAMLServiceProvider {
        let spKey = try DemoOnlyCredentials.serviceProvider()
        let configuration = SAMLServiceProvider.Configuration(
            acsURL: acsURL, entityID: spEntityID, identityProviders: [TrustedIdentityProvider(idp.identityProvider)],
            signingKey: spKey, decryptionKeys: encrypted ? [spKey] : [], unsafeAllowsPublishedDemoKeys: true)
        return try SAMLServiceProvider(configuration: configuration, requestTracker: InMemoryRequestTracker(),
                                       replayStore: InMemoryReplayStore())
    }

    /// The IdP's side of one login: read the request from the browser, pick Alice, answer.
    package static func answer(_ start: LoginStart, idp: TestIdentityProvider, options: ResponseOptions) throws -> IssuedResponse {
        let received: ReceivedAuthnRequest
        switch start.action {
        case .redirect(let url):
            received = try idp.receiveRedirect(url: url)
        case .post(let form):
            let fields = Dictionary(uniqueKeysWithValues: form.fields.map { ($0.name, $0.value) })
            #expect(form.action == idp.postURL)
            received = try idp.receivePost(samlRequest: try #require(fields["SAMLRequest"]), relayState: fields["RelayState"])
        }
        #expect(received.id == start.requestID)
        #expect(received.signatureVerified)
        let user = try #require(idp.user(nameID: "alice@example.com"))
        return try idp.issueResponse(for: user, answering: received, options: options)
    }

    package static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("saml-testidp-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
