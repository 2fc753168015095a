import Foundation
import SAML
import SAMLTesting
import Testing

/// A test IdP and an SP configured for it, both on the bundled demo-only keys.
enum TestIdPWorld {
    static let spEntityID = "https://sp.example.com/metadata"
    static let acsURL = "https://sp.example.com/saml/acs"
    static let requestID = "_req-test-idp-0001"

    static func idp(ecdsa: Bool = false, wantSigned: Bool = false, register: Bool = true) throws -> TestIdentityProvider {
        let sp = try serviceProvider()
        return try TestIdentityProvider.demo(baseURL: "https://idp.example.test/idp", ecdsa: ecdsa, wantAuthnRequestsSigned: wantSigned,
                                             serviceProviders: register ? [.init(sp)] : [])
    }

    static func serviceProvider() throws -> ServiceProvider {
        let key = try DemoOnlyCredentials.serviceProvider()
        return ServiceProvider(entityID: spEntityID, acsURL: acsURL, signingKey: key, decryptionKeys: [key.privateKey])
    }

    static func verifier(_ idp: TestIdentityProvider, policy: VerificationPolicy = .default) throws -> ResponseVerifier {
        ResponseVerifier(serviceProvider: try serviceProvider(), identityProvider: idp.identityProvider, policy: policy)
    }

    static func spCertificate() throws -> SAMLCertificate {
        try DemoOnlyCredentials.serviceProvider().certificate
    }

    /// At most two external processes at a time from these tests.
    static let processSlots = DispatchSemaphore(value: 2)

    /// Runs blocking work (an external process) on a dispatch thread, so waiting for it never
    /// holds one of Swift concurrency's few cooperative threads that other tests need.
    static func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                processSlots.wait()
                defer { processSlots.signal() }
                continuation.resume(with: Result { try body() })
            }
        }
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("saml-testidp-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
