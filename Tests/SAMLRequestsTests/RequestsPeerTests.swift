import Foundation
import SAMLCore
import SAMLMetadata
import SAMLRequests
import Testing
import SAMLTestSupport

/// pysaml2 plays the IdP: its metadata store holds our SP metadata with our certificate, and
/// `Server.parse_authn_request` must accept what we send.
@Suite("Requests: pysaml2 IdP accepts our requests")
struct RequestsPeerTests {
    typealias S = RequestsSupport

    static func spMetadataFile(in dir: URL, certificate name: String = "sp-rsa") throws -> String {
        let metadata = ServiceProviderMetadata(entityID: S.spEntityID, acsURL: S.acsURL,
                                               signingCertificates: [try S.certificate(name)])
        return try S.write(try metadata.xml(), "sp-metadata.xml", in: dir)
    }

    static func json(_ run: RequestsSupport.Run) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "stdout: \(run.stdout)")
    }

    @Test("signed Redirect request (query-string signature checked)", arguments: [RequestSignatureAlgorithm.rsaSHA256, .rsaSHA512])
    func redirect(algorithm: RequestSignatureAlgorithm) throws {
        let dir = try S.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let metadata = try Self.spMetadataFile(in: dir)
        let options = AuthnRequestOptions(nameIDPolicy: NameIDPolicy(format: .emailAddress), forceAuthn: true,
                                          relayState: "/inbox?folder=1", signatureAlgorithm: algorithm)
        let request = try S.builder(key: S.keyPair(), options: options).redirect()
        let result = try S.peer(["redirect", metadata, request.query])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try Self.json(result)
        #expect(json["id"] as? String == request.id)
        #expect(json["issuer"] as? String == S.spEntityID)
        #expect(json["destination"] as? String == "https://idp.example.org/sso/redirect")
        #expect(json["acs"] as? String == S.acsURL)
        #expect(json["forceAuthn"] as? String == "true")
        #expect(json["nameIDFormat"] as? String == NameIDFormat.emailAddress.rawValue)
        #expect(json["relayState"] as? String == "/inbox?folder=1")
        #expect(json["sigAlg"] as? String == algorithm.uri)
        #expect(json["querySignatureVerified"] as? Bool == true)

        // A changed RelayState breaks the signature, and pysaml2 says so.
        let tampered = request.query.replacingOccurrences(of: "folder%3D1", with: "folder%3D2")
        #expect(tampered != request.query)
        let refused = try S.peer(["redirect", metadata, tampered])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("did not verify"))
    }

    @Test("signed POST request (XML signature required)", arguments: ["sp-rsa", "sp-ec256"])
    func post(key name: String) throws {
        let dir = try S.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let metadata = try Self.spMetadataFile(in: dir, certificate: name)
        let request = try S.builder(key: S.keyPair(name), options: AuthnRequestOptions(isPassive: true)).post()
        let result = try S.peer(["post", metadata, request.base64])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try Self.json(result)
        #expect(json["id"] as? String == request.id)
        #expect(json["destination"] as? String == "https://idp.example.org/sso/post")
        #expect(json["isPassive"] as? String == "true")
        #expect(json["signedXML"] as? Bool == true)

        // Altered XML is refused.
        let altered = request.xml.replacingOccurrences(of: S.acsURL, with: "https://evil.example/acs")
        let refused = try S.peer(["post", metadata, Base64.encode(Array(altered.utf8))])
        #expect(refused.status != 0)
        // Signed by a key the SP metadata does not list: refused.
        let stranger = try S.builder(key: S.keyPair(name == "sp-rsa" ? "sp-rsa-next" : "sp-rsa")).post()
        #expect(try S.peer(["post", metadata, stranger.base64]).status != 0)
    }
}
