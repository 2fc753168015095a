package import Foundation
package import SAML
package import SAMLCore
package import SAMLXMLSec
package import Testing

/// The fixed world of `Fixtures/generated/` (see its README).
package enum Generated {
    package static let idpEntityID = "https://idp.example.org/metadata"
    package static let acs = "https://sp.example.com/saml/acs"
    package static let requestID = "_req-7c1f2c5e9b0a4d6e8f10"
    package static let responseID = "_resp-3b9d2a71c0e84f55a6d1"
    package static let assertionID = "_assert-8e4c61f09d2b4a7c93e5"
    package static let now = Fixtures.date("2026-01-15T10:01:00Z")

    package static func idp() throws -> IdentityProvider {
        try IdentityProvider(metadata: Fixtures.bytes("generated/idp-metadata.xml"))
    }

    package static func key(_ name: String) throws -> SAMLPrivateKey {
        try SAMLPrivateKey(pem: Fixtures.text("generated/keys/\(name).key.pem"))
    }

    package static func certificate(_ name: String) throws -> SAMLCertificate {
        try SAMLCertificate(pem: Fixtures.text("generated/keys/\(name).cert.pem"))
    }

    package static func verifier(policy: VerificationPolicy = .default, spEntityID: String = acs, acsURL: String = acs,
                         decryptionKeys: [String] = [], idp: IdentityProvider? = nil,
                         replayStore: any ReplayStore = InMemoryReplayStore()) throws -> ResponseVerifier {
        let sp = ServiceProvider(entityID: spEntityID, acsURL: acsURL, decryptionKeys: try decryptionKeys.map(key))
        return ResponseVerifier(serviceProvider: sp, identityProvider: try idp ?? self.idp(), policy: policy, replayStore: replayStore)
    }

    package static func response(_ name: String) throws -> String {
        try Fixtures.text("generated/responses/\(name)")
    }

    /// The unsigned response with `edits` applied, then signed in-process with `signer`
    /// (Assertion and/or Response), as an IdP would.
    package static func signed(edits: [(String, String)] = [], assertion: Bool = true, response: Bool = false,
                       signer: String = "idp-rsa", algorithm: SignatureAlgorithmCode = .rsaSHA256,
                       embed certificate: String? = nil, prefixes: String? = nil, signedInfoPrefixes: String? = nil) throws -> String {
        var xml = try self.response("unsigned.xml")
        for (from, to) in edits {
            precondition(xml.contains(from), "edit target not found: \(from)")
            xml = xml.replacingOccurrences(of: from, with: to)
        }
        return try sign(xml, assertion: assertion, response: response, signer: signer, algorithm: algorithm, embed: certificate,
                        prefixes: prefixes, signedInfoPrefixes: signedInfoPrefixes)
    }

    package static func sign(_ xml: String, assertion: Bool, response: Bool, signer: String = "idp-rsa",
                     algorithm: SignatureAlgorithmCode = .rsaSHA256, embed certificate: String? = nil,
                     prefixes: String? = nil, signedInfoPrefixes: String? = nil) throws -> String {
        let document = try XMLDocument.parse(xml)
        let root = document.root!
        let key = try self.key(signer)
        let der = try certificate.map { try self.certificate($0).der }
        if assertion, let element = root.child("Assertion", NS.assertion) {
            try element.sign(id: element.attribute("ID")!, after: element.child("Issuer", NS.assertion), key: key.handle, algorithm: algorithm, certificateDER: der,
                             referencePrefixes: prefixes, signedInfoPrefixes: signedInfoPrefixes)
        }
        if response {
            try root.sign(id: root.attribute("ID")!, after: root.child("Issuer", NS.assertion), key: key.handle, algorithm: algorithm, certificateDER: der,
                             referencePrefixes: prefixes, signedInfoPrefixes: signedInfoPrefixes)
        }
        return String(decoding: document.serialized(), as: UTF8.self)
    }
}

/// Runs `body` and checks it fails with `code`; returns the error for further checks.
@discardableResult
package func expectRejection(_ code: SAMLError.Code, sourceLocation: SourceLocation = #_sourceLocation,
                     _ body: () async throws -> Void) async -> SAMLError? {
    do {
        try await body()
        Issue.record("accepted, expected \(code)", sourceLocation: sourceLocation)
    } catch let error as SAMLError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

extension String {
    /// Replaces exactly one occurrence; fails the test when `target` is absent.
    package func replacingOnce(_ target: String, with replacement: String) -> String {
        guard let range = range(of: target) else {
            Issue.record("fixture edit target not found: \(target.prefix(80))")
            return self
        }
        return replacingCharacters(in: range, with: replacement)
    }

    /// The substring from the first `start` to the end of the first following `end`.
    package func slice(from start: String, through end: String) -> String? {
        guard let s = range(of: start), let e = range(of: end, range: s.upperBound..<endIndex) else { return nil }
        return String(self[s.lowerBound..<e.upperBound])
    }
}
