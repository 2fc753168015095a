import Foundation
import SAML
import SAMLTesting
import Testing
import SAMLTestSupport

/// The test IdP reads this package's AuthnRequests and refuses tampered ones.
@Suite("Test IdP: reading AuthnRequests")
struct TestIdPRequestTests {
    typealias W = TestIdPWorld

    static func builder(_ idp: TestIdentityProvider, key: SAMLKeyPair? = nil, signs: Bool = true,
                        algorithm: RequestSignatureAlgorithm? = nil, relayState: String? = "/inbox?folder=1") throws -> AuthnRequest {
        let signing = try key ?? DemoOnlyCredentials.serviceProvider()
        let sp = ServiceProvider(entityID: W.spEntityID, acsURL: W.acsURL, signingKey: signing)
        return AuthnRequest(serviceProvider: sp, identityProvider: idp.identityProvider,
                            options: AuthnRequestOptions(nameIDPolicy: NameIDPolicy(format: .emailAddress), forceAuthn: true,
                                                         relayState: relayState, signsRequest: signs, signatureAlgorithm: algorithm))
    }

    @Test("signed Redirect request: read, signature verified over the received octets",
          arguments: [RequestSignatureAlgorithm.rsaSHA256, .rsaSHA512])
    func redirect(algorithm: RequestSignatureAlgorithm) throws {
        let idp = try W.idp(wantSigned: true)
        let request = try Self.builder(idp, algorithm: algorithm).redirect()
        let received = try idp.receiveRedirect(query: request.query)
        #expect(received.id == request.id)
        #expect(received.issuer == W.spEntityID)
        #expect(received.acsURL == W.acsURL)
        #expect(received.binding == .httpRedirect)
        #expect(received.relayState == "/inbox?folder=1")
        #expect(received.signatureVerified)
        #expect(received.signatureAlgorithm == algorithm.uri)
        #expect(received.nameIDFormat == .emailAddress)
        #expect(received.forceAuthn)
        #expect(received.destination == idp.redirectURL)
        // The full URL works too.
        #expect(try idp.receiveRedirect(url: request.url).id == request.id)
    }

    @Test("signed Redirect request with an EC key")
    func redirectEC() throws {
        let ecKey = try DemoOnlyCredentials.identityProviderEC()  // any EC pair serves as an SP key here
        var idp = try W.idp(wantSigned: true)
        idp.serviceProviders = [.init(entityID: W.spEntityID, acsURLs: [W.acsURL], signingCertificates: [ecKey.certificate])]
        let request = try Self.builder(idp, key: ecKey).redirect()
        let received = try idp.receiveRedirect(query: request.query)
        #expect(received.signatureAlgorithm == RequestSignatureAlgorithm.ecdsaSHA256.uri)
    }

    @Test("tampered Redirect requests are refused")
    func redirectTampered() throws {
        let idp = try W.idp(wantSigned: true)
        let query = try Self.builder(idp).redirect().query
        func refuse(_ code: SAMLError.Code, _ query: String, sourceLocation: SourceLocation = #_sourceLocation) {
            do {
                _ = try idp.receiveRedirect(query: query)
                Issue.record("accepted, expected \(code)", sourceLocation: sourceLocation)
            } catch {
                #expect((error as? SAMLError)?.code == code, "\(error)", sourceLocation: sourceLocation)
            }
        }
        let changedRelayState = query.replacingOccurrences(of: "folder%3D1", with: "folder%3D2")
        #expect(changedRelayState != query)
        refuse(.signatureInvalid, changedRelayState)
        // The same value, encoded differently: the octets changed, so the signature no longer holds.
        let reencoded = query.replacingOccurrences(of: "%2Finbox", with: "%2finbox")
        #expect(reencoded != query)
        refuse(.signatureInvalid, reencoded)
        // Signature dropped: the IdP wants signed requests.
        let unsigned = String(query[..<query.range(of: "&SigAlg=")!.lowerBound])
        refuse(.signatureMissing, unsigned)
        // Signature kept, SigAlg dropped.
        refuse(.signatureInvalid, query.replacingOccurrences(of: #"&SigAlg=[^&]*"#, with: "", options: .regularExpression))
        // SHA-1 is refused.
        refuse(.algorithmNotAllowed, query.replacingOccurrences(of: "rsa-sha256", with: "rsa-sha1").replacingOccurrences(of: "xmldsig-more%23rsa-sha1", with: "xmldsig%23rsa-sha1"))
        // Parameter repeated.
        refuse(.invalidRequest, query + "&RelayState=x")
        // Garbage in SAMLRequest.
        refuse(.invalidEncoding, "SAMLRequest=%ZZ")
        refuse(.invalidEncoding, "SAMLRequest=AAAA")
        refuse(.invalidRequest, "RelayState=x")
    }

    @Test("a request signed by a key the IdP does not know is refused")
    func redirectStranger() throws {
        let idp = try W.idp(wantSigned: true)
        let stranger = try Self.builder(idp, key: DemoOnlyCredentials.identityProviderRSA()).redirect()
        #expect(performing: { _ = try idp.receiveRedirect(query: stranger.query) },
                throws: { ($0 as? SAMLError)?.code == .signatureInvalid })
        let post = try Self.builder(idp, key: DemoOnlyCredentials.identityProviderRSA()).post()
        #expect(performing: { _ = try idp.receivePost(samlRequest: post.base64, relayState: nil) },
                throws: { [.signatureInvalid, .untrustedKey].contains(($0 as? SAMLError)?.code) })
    }

    @Test("unsigned requests: accepted when not required, refused when required")
    func unsigned() throws {
        let relaxed = try W.idp(wantSigned: false)
        let request = try Self.builder(relaxed, signs: false).redirect()
        let received = try relaxed.receiveRedirect(query: request.query)
        #expect(!received.signatureVerified)
        let strict = try W.idp(wantSigned: true)
        #expect(performing: { _ = try strict.receiveRedirect(query: request.query) },
                throws: { ($0 as? SAMLError)?.code == .signatureMissing })
        let post = try Self.builder(relaxed, signs: false).post()
        #expect(try !relaxed.receivePost(samlRequest: post.base64, relayState: post.relayState).signatureVerified)
        #expect(performing: { _ = try strict.receivePost(samlRequest: post.base64, relayState: nil) },
                throws: { ($0 as? SAMLError)?.code == .signatureMissing })
    }

    @Test("signed POST request: read, enveloped signature verified; tampered ones refused")
    func post() throws {
        let idp = try W.idp(wantSigned: true)
        let request = try Self.builder(idp).post()
        let received = try idp.receivePost(samlRequest: request.base64, relayState: request.relayState)
        #expect(received.id == request.id)
        #expect(received.binding == .httpPost)
        #expect(received.signatureVerified)
        #expect(received.signatureAlgorithm == RequestSignatureAlgorithm.rsaSHA256.uri)
        #expect(received.relayState == "/inbox?folder=1")
        #expect(received.destination == idp.postURL)

        let altered = request.xml.replacingOccurrences(of: "ForceAuthn=\"true\"", with: "ForceAuthn=\"false\"")
        #expect(altered != request.xml)
        #expect(performing: { _ = try idp.receivePost(samlRequest: Base64.encode(Array(altered.utf8)), relayState: nil) },
                throws: { ($0 as? SAMLError)?.code == .signatureInvalid })
        let doctype = "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>" + request.xml
        #expect(performing: { _ = try idp.receivePost(samlRequest: Base64.encode(Array(doctype.utf8)), relayState: nil) },
                throws: { ($0 as? SAMLError)?.code == .doctypeForbidden })
    }

    @Test("unregistered SPs, unregistered ACS URLs and foreign destinations are refused")
    func registration() throws {
        let idp = try W.idp(wantSigned: false)
        let other = AuthnRequest(serviceProvider: ServiceProvider(entityID: "https://other.example/sp", acsURL: "https://other.example/acs"),
                                 identityProvider: idp.identityProvider)
        #expect(performing: { _ = try idp.receiveRedirect(query: try other.redirect().query) },
                throws: { ($0 as? SAMLError)?.code == .entityNotFound })
        let evilACS = AuthnRequest(serviceProvider: ServiceProvider(entityID: W.spEntityID, acsURL: "https://evil.example/acs"),
                                   identityProvider: idp.identityProvider)
        #expect(performing: { _ = try idp.receiveRedirect(query: try evilACS.redirect().query) },
                throws: { ($0 as? SAMLError)?.code == .invalidRequest })
        // An open IdP (no registrations) answers any SP at the ACS URL it names.
        let open = try W.idp(register: false)
        #expect(try open.receiveRedirect(query: try other.redirect().query).acsURL == "https://other.example/acs")
        // A request addressed to another IdP.
        var elsewhere = idp.identityProvider
        elsewhere.singleSignOnServices = [Endpoint(binding: .httpRedirect, location: "https://elsewhere.example/sso")]
        let misdirected = AuthnRequest(serviceProvider: ServiceProvider(entityID: W.spEntityID, acsURL: W.acsURL), identityProvider: elsewhere)
        #expect(performing: { _ = try idp.receiveRedirect(query: try misdirected.redirect().query) },
                throws: { ($0 as? SAMLError)?.code == .destinationMismatch })
    }

    @Test("an old request is refused as expired")
    func oldRequest() throws {
        let idp = try W.idp()
        let request = try Self.builder(idp).redirect(now: Date().addingTimeInterval(-3600))
        #expect(performing: { _ = try idp.receiveRedirect(query: request.query) },
                throws: { ($0 as? SAMLError)?.code == .expired })
        #expect(try idp.receiveRedirect(query: request.query, now: Date().addingTimeInterval(-3590)).id == request.id)
    }

    @Test("the response to a received request verifies with our SP, RelayState carried along")
    func roundTrip() async throws {
        let idp = try W.idp(wantSigned: true)
        let request = try Self.builder(idp).redirect()
        let received = try idp.receiveRedirect(query: request.query)
        let issued = try idp.issueResponse(for: .alice, answering: received)
        #expect(issued.relayState == "/inbox?folder=1")
        #expect(issued.destination == W.acsURL)
        #expect(issued.inResponseTo == request.id)
        let login = try await W.verifier(idp).verify(samlResponse: issued.base64, inResponseTo: request.id)
        #expect(login.nameID.value == "alice@example.com")
    }
}
