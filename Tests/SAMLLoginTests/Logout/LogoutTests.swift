import Foundation
@testable import SAMLLogin
import SAML
import SAMLXMLSec
import Synchronization
import Testing
import SAMLTestSupport

/// Single logout through the façade, both directions and bindings, and the attacks on it.
@Suite struct LogoutTests {
    @Test func spInitiatedRedirectLogoutCompletesOnce() async throws {
        let saml = try LogoutWorld.facade()
        let login = try await LogoutWorld.login()
        let start = try await saml.logout(login, returnTo: "/bye", now: Generated.now)
        guard case .redirect(let url) = start.action else { Issue.record("expected a redirect"); return }
        #expect(url.hasPrefix(LogoutWorld.idpSLO + "?SAMLRequest="))

        // The IdP side reads the request: signed by the SP over the received octets, naming alice and the session
        let sent = try RedirectBindingMessage(query: url, expecting: "SAMLRequest", limits: .default)
        try sent.verifySignature(trusted: [try Generated.certificate("sp-rsa")], allowSHA1: false, what: "LogoutRequest")
        let xml = String(decoding: sent.xml, as: UTF8.self)
        #expect(xml.contains(">alice@example.com</saml:NameID>"))
        #expect(xml.contains("Format=\"urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress\""))
        #expect(xml.contains("<samlp:SessionIndex>_session-5f2a9c</samlp:SessionIndex>"))
        #expect(xml.contains("Destination=\"\(LogoutWorld.idpSLO)\""))

        // The IdP answers
        let answer = LogoutResponse(serviceProvider: try LogoutWorld.idpAsSender(), identityProvider: try LogoutWorld.spAsReceiver(),
                                    inResponseTo: start.requestID, outcome: .success, relayState: sent.relayState)
        let response = try answer.redirect(now: Generated.now)
        let result = try await saml.finishLogout(redirectQuery: LogoutWorld.query(of: response.url), browserState: start.browserState,
                                                 now: Generated.now)
        #expect(!result.isPartial)
        #expect(result.returnTo == "/bye")
        // The same answer again: the request was consumed
        await expectRejection(.inResponseToMismatch) {
            _ = try await saml.finishLogout(redirectQuery: LogoutWorld.query(of: response.url), browserState: start.browserState, now: Generated.now)
        }
    }

    @Test func spInitiatedPostLogoutReportsPartialLogout() async throws {
        let saml = try LogoutWorld.facade()
        let start = try await saml.logout(try await LogoutWorld.login(), binding: .httpPost, now: Generated.now)
        guard case .post(let form) = start.action else { Issue.record("expected a form"); return }
        #expect(form.action == LogoutWorld.idpSLO)
        // the enveloped signature verifies with the SP's certificate (one Reference to the request's own ID)
        let document = try XMLDocument.parse(Base64.decode(form.fields[0].value)!)
        try EnvelopedSignature.verify(document.root!, trusted: [try Generated.certificate("sp-rsa")], allowSHA1: false, what: "LogoutRequest")

        let answer = LogoutResponse(serviceProvider: try LogoutWorld.idpAsSender(), identityProvider: try LogoutWorld.spAsReceiver(),
                                    inResponseTo: start.requestID, outcome: .partialLogout, relayState: form.fields[1].value)
        let response = try answer.post(now: Generated.now)
        let result = try await saml.finishLogout(samlResponse: response.base64, relayState: form.fields[1].value,
                                                 browserState: start.browserState, now: Generated.now)
        #expect(result.isPartial)
    }

    @Test func logoutResponseToARequestNeverSentIsRefused() async throws {
        let saml = try LogoutWorld.facade()
        let start = try await saml.logout(try await LogoutWorld.login(), now: Generated.now)
        let stray = LogoutResponse(serviceProvider: try LogoutWorld.idpAsSender(), identityProvider: try LogoutWorld.spAsReceiver(),
                                   inResponseTo: "_never-sent", outcome: .success)
        await expectRejection(.inResponseToMismatch) {
            _ = try await saml.finishLogout(redirectQuery: LogoutWorld.query(of: try stray.redirect(now: Generated.now).url),
                                            browserState: start.browserState, now: Generated.now)
        }
        await expectRejection(.inResponseToMismatch) {
            _ = try await saml.finishLogout(redirectQuery: LogoutWorld.query(of: try stray.redirect(now: Generated.now).url),
                                            browserState: nil, now: Generated.now)
        }
        // a login state cookie does not open as a logout state
        let login = try await LoginWorld.facade(try LoginWorld.configuration()).login(now: Generated.now)
        await expectRejection(.invalidRequest) {
            _ = try await saml.finishLogout(redirectQuery: LogoutWorld.query(of: try stray.redirect(now: Generated.now).url),
                                            browserState: login.browserState, now: Generated.now)
        }
    }

    @Test func idpInitiatedRedirectLogoutEndsTheSessionsAndAnswersSigned() async throws {
        let saml = try LogoutWorld.facade()
        let request = try LogoutWorld.idpLogoutRequest().redirect(now: Generated.now)
        let seen = Mutex<[VerifiedLogoutRequest]>([])
        let action = try await saml.handleLogoutRequest(redirectQuery: LogoutWorld.query(of: request.url), now: Generated.now) { r in
            seen.withLock { $0.append(r) }
            return true
        }
        let handled = try #require(seen.withLock { $0.first })
        #expect(handled.nameID == NameID(value: "alice@example.com", format: .emailAddress))
        #expect(handled.sessionIndexes == ["_session-5f2a9c"])
        #expect(handled.relayState == "idp-relay")
        #expect(handled.wasSigned)
        guard case .redirect(let url) = action else { Issue.record("expected a redirect"); return }
        // the IdP side verifies our answer with the SP's key
        let idpSide = LogoutVerifier(serviceProvider: try LogoutWorld.idpAsSender(), singleLogoutURL: LogoutWorld.idpSLO,
                                     identityProvider: try LogoutWorld.spAsReceiver(), replayStore: InMemoryReplayStore())
        let answer = try idpSide.verifyLogoutResponse(redirectQuery: url, expectedRequestID: request.id, now: Generated.now)
        #expect(!answer.isPartial)
        #expect(answer.relayState == "idp-relay")

        // the same request again: replay
        await expectRejection(.replayed) {
            _ = try await saml.handleLogoutRequest(redirectQuery: LogoutWorld.query(of: request.url), now: Generated.now) { _ in true }
        }
    }

    @Test func idpInitiatedPostLogoutAnswersPartialWhenTheAppSaysSo() async throws {
        let saml = try LogoutWorld.facade()
        let request = try LogoutWorld.idpLogoutRequest().post(now: Generated.now)
        let action = try await saml.handleLogoutRequest(samlRequest: request.base64, relayState: "idp-relay", now: Generated.now) { _ in false }
        guard case .post(let form) = action else { Issue.record("expected a form"); return }
        #expect(form.fields.map(\.name) == ["SAMLResponse", "RelayState"])
        let idpSide = LogoutVerifier(serviceProvider: try LogoutWorld.idpAsSender(), singleLogoutURL: LogoutWorld.idpSLO,
                                     identityProvider: try LogoutWorld.spAsReceiver(), replayStore: InMemoryReplayStore())
        let answer = try idpSide.verifyLogoutResponse(samlResponse: form.fields[0].value, relayState: nil, expectedRequestID: request.id, now: Generated.now)
        #expect(answer.isPartial)
    }

    // MARK: - Attacks

    @Test(arguments: [("%2F", "%2f"), ("%2B", "%2b"), ("%3D", "%3d")])
    func reEncodedQueryFailsOverTheReceivedOctets(_ change: (String, String)) async throws {
        let saml = try LogoutWorld.facade()
        // find a request whose query has the escape to re-encode
        var query = ""
        for _ in 0..<40 {
            query = LogoutWorld.query(of: try LogoutWorld.idpLogoutRequest().redirect(now: Generated.now).url)
            let signed = query[..<query.range(of: "&Signature=")!.lowerBound]
            if signed.contains(change.0) { break }
        }
        let signedPart = query[..<query.range(of: "&Signature=")!.lowerBound]
        try #require(signedPart.contains(change.0))
        let reEncoded = String(signedPart).replacingOccurrences(of: change.0, with: change.1) + query[query.range(of: "&Signature=")!.lowerBound...]
        await expectRejection(.signatureInvalid) {
            _ = try await saml.handleLogoutRequest(redirectQuery: reEncoded, now: Generated.now) { _ in true }
        }
    }

    @Test func spaceEncodedAsPlusInsteadOfPercent20FailsToo() async throws {
        let saml = try LogoutWorld.facade()
        var builder = try LogoutWorld.idpLogoutRequest()
        builder.relayState = "to the app"
        let query = LogoutWorld.query(of: try builder.redirect(now: Generated.now).url)
        #expect(query.contains("RelayState=to%20the%20app"))
        await expectRejection(.signatureInvalid) {
            _ = try await saml.handleLogoutRequest(redirectQuery: query.replacingOccurrences(of: "to%20the%20app", with: "to+the+app"),
                                                   now: Generated.now) { _ in true }
        }
    }

    @Test(arguments: ["http://www.w3.org/2000/09/xmldsig#rsa-sha1", "http://www.w3.org/2000/09/xmldsig#hmac-sha1", "urn:unknown", ""])
    func swappedOrUnknownSigAlgIsRefused(_ algorithm: String) async throws {
        let saml = try LogoutWorld.facade()
        let query = LogoutWorld.query(of: try LogoutWorld.idpLogoutRequest().redirect(now: Generated.now).url)
        let swapped = query.replacingOccurrences(of: "SigAlg=http%3A%2F%2Fwww.w3.org%2F2001%2F04%2Fxmldsig-more%23rsa-sha256",
                                                 with: "SigAlg=" + (algorithm.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""))
        try #require(swapped != query)
        await expectRejection(.algorithmNotAllowed) {
            _ = try await saml.handleLogoutRequest(redirectQuery: swapped, now: Generated.now) { _ in true }
        }
    }

    @Test func staleAndWronglyAddressedRequestsAreRefused() async throws {
        let saml = try LogoutWorld.facade()
        let stale = try LogoutWorld.idpLogoutRequest().redirect(now: Generated.now.addingTimeInterval(-900))
        await expectRejection(.expired) {
            _ = try await saml.handleLogoutRequest(redirectQuery: stale.url, now: Generated.now) { _ in true }
        }
        var elsewhere = try LogoutWorld.spAsReceiver()
        elsewhere.singleLogoutServices = [Endpoint(binding: .httpRedirect, location: "https://other-sp.example/slo")]
        let misaddressed = LogoutRequest(serviceProvider: try LogoutWorld.idpAsSender(), identityProvider: elsewhere,
                                         subject: .init(value: "alice@example.com"))
        await expectRejection(.destinationMismatch) {
            _ = try await saml.handleLogoutRequest(redirectQuery: try misaddressed.redirect(now: Generated.now).url, now: Generated.now) { _ in true }
        }
    }

    @Test func requestSignedByAnotherKeyOrUnsignedIsRefused() async throws {
        let saml = try LogoutWorld.facade()
        let attacker = try LogoutWorld.idpLogoutRequest(key: "attacker-rsa").redirect(now: Generated.now)
        await expectRejection(.signatureInvalid) {
            _ = try await saml.handleLogoutRequest(redirectQuery: attacker.url, now: Generated.now) { _ in true }
        }
        // strip the signature
        let query = LogoutWorld.query(of: try LogoutWorld.idpLogoutRequest().redirect(now: Generated.now).url)
        let unsigned = String(query[..<query.range(of: "&SigAlg=")!.lowerBound])
        await expectRejection(.signatureMissing) {
            _ = try await saml.handleLogoutRequest(redirectQuery: unsigned, now: Generated.now) { _ in true }
        }
        // allowed only when configured for that IdP
        let lenient = try LogoutWorld.facade(allowUnsigned: true)
        _ = try await lenient.handleLogoutRequest(redirectQuery: unsigned, now: Generated.now) { r in
            #expect(!r.wasSigned)
            return true
        }
    }

    @Test func logoutRequestWrappingACapturedSignedAssertionIsRefused() async throws {
        let saml = try LogoutWorld.facade()
        // an attacker's unsigned LogoutRequest carrying a genuine IdP-signed Assertion
        let assertion = try #require(try Generated.response("assertion-signed.xml").slice(from: "<saml:Assertion", through: "</saml:Assertion>"))
        let forged = """
        <samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" \
        ID="_forged" Version="2.0" IssueInstant="2026-01-15T10:00:30Z" Destination="\(LogoutWorld.spSLO)">\
        <saml:Issuer>\(Generated.idpEntityID)</saml:Issuer>\(assertion)\
        <saml:NameID>victim@example.com</saml:NameID></samlp:LogoutRequest>
        """
        let value = Data(forged.utf8).base64EncodedString()
        await expectRejection(.signatureMissing) {
            _ = try await saml.handleLogoutRequest(samlRequest: value, relayState: nil, now: Generated.now) { _ in true }
        }
        // and with unsigned messages allowed, the foreign element is still refused
        await expectRejection(.invalidMessage) {
            _ = try await LogoutWorld.facade(allowUnsigned: true).handleLogoutRequest(samlRequest: value, relayState: nil, now: Generated.now) { _ in true }
        }
    }

    @Test func signatureMovedFromAnotherMessageIsRefused() async throws {
        let saml = try LogoutWorld.facade()
        let genuine = String(decoding: Base64.decode(try LogoutWorld.idpLogoutRequest().post(now: Generated.now).base64)!, as: UTF8.self)
        let signature = try #require(genuine.slice(from: "<ds:Signature", through: "</ds:Signature>"))
        let other = try LogoutWorld.idpLogoutRequest(sessionIndexes: ["_other"]).post(now: Generated.now)
        var target = String(decoding: Base64.decode(other.base64)!, as: UTF8.self)
        let targetSignature = try #require(target.slice(from: "<ds:Signature", through: "</ds:Signature>"))
        target = target.replacingOnce(targetSignature, with: signature)
        await expectRejection(.wrappedSignature) {
            _ = try await saml.handleLogoutRequest(samlRequest: Data(target.utf8).base64EncodedString(), relayState: nil, now: Generated.now) { _ in true }
        }
    }

    @Test func logoutNeedsAKeyAndALogoutURL() async throws {
        var configuration = SAMLServiceProvider.Configuration(acsURL: Generated.acs, identityProviders: [TrustedIdentityProvider(try LogoutWorld.idp())],
                                                              signingKey: try LoginWorld.spKeyPair(), stateSecrets: [LoginWorld.secret], unsafeAllowsPublishedDemoKeys: true)
        let login = try await LogoutWorld.login()
        await expectRejection(.invalidConfiguration) { _ = try await SAMLServiceProvider(configuration: configuration).logout(login, now: Generated.now) }
        configuration.singleLogoutURL = LogoutWorld.spSLO
        configuration.signingKey = nil
        await expectRejection(.invalidConfiguration) { _ = try await SAMLServiceProvider(configuration: configuration).logout(login, now: Generated.now) }
        // metadata lists the logout endpoints
        configuration.signingKey = try LoginWorld.spKeyPair()
        let metadata = try SAMLServiceProvider(configuration: configuration).metadata()
        #expect(metadata.contains("SingleLogoutService Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect\" Location=\"\(LogoutWorld.spSLO)\""))
    }
}
