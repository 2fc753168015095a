import Foundation
import Logging
import SAML
import SAMLXMLSec
import Synchronization
import Testing
import SAMLTestSupport

/// The façade from `login` to a verified `Login`, and every rule it enforces.
@Suite struct LoginFlowTests {
    @Test func redirectLoginFinishesWithTheSessionReadyIdentity() async throws {
        let saml = try LoginWorld.facade(try LoginWorld.configuration())
        let start = try await saml.login(returnTo: "/inbox?tab=2", now: Generated.now)
        guard case .redirect(let url) = start.action else { Issue.record("expected a redirect"); return }
        let sso = try Generated.idp().singleSignOnServices(for: .httpRedirect)[0].location
        #expect(url.hasPrefix(sso + "?SAMLRequest="))
        #expect(url.contains("&SigAlg=") && url.contains("&Signature="))
        // RelayState is an opaque token, never the return-to
        let relay = try #require(LoginWorld.relayState(of: start))
        #expect(relay.count == 32 && !relay.contains("inbox"))
        #expect(!url.contains("inbox"))
        #expect(!start.browserState.contains("inbox"))  // sealed, base64url

        let login = try await saml.finishLogin(samlResponse: try LoginWorld.response(answering: start.requestID),
                                               relayState: relay, browserState: start.browserState, now: Generated.now)
        #expect(login.issuer == Generated.idpEntityID)
        #expect(login.nameID.value == "alice@example.com")
        #expect(login.email == "alice@example.com")
        #expect(login.displayName == "Alice Example")
        #expect(login.givenName == "Alice")
        #expect(login.surname == "Example")
        #expect(login.returnTo == "/inbox?tab=2")
        #expect(login.wasRequested)
        #expect(login.sessionIndex == "_session-5f2a9c")
        #expect(login.authnContextClassRef == "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport")
        #expect(login.authnInstant == Fixtures.date("2026-01-15T09:58:30Z"))
        // SessionNotOnOrAfter 18:00 is before now + 8 h (18:01): the IdP's end wins
        #expect(login.sessionExpiresAt == Fixtures.date("2026-01-15T18:00:00Z"))
        #expect(login.awsRoles.map(\.roleARN) == ["arn:aws:iam::123456789012:role/Admin", "arn:aws:iam::210987654321:role/ReadOnly"])
        #expect(login.awsRoleSessionName == "alice@example.com")
        #expect(login.awsSessionDuration == 3600)
        #expect(login.value(of: "email") == "alice@example.com")
        #expect(login.value(of: "mail") == nil)  // "mail" is only its FriendlyName
        #expect(login.values(ofFriendlyName: "mail") == ["alice@example.com"])

        // Codable: straight into a session store and back
        let decoded = try JSONDecoder().decode(Login.self, from: JSONEncoder().encode(login))
        #expect(decoded == login)
    }

    @Test func sessionLengthIsCappedByConfiguration() async throws {
        var configuration = try LoginWorld.configuration()
        configuration.maximumSessionLifetime = .seconds(3600)
        let saml = try LoginWorld.facade(configuration)
        let start = try await saml.login(now: Generated.now)
        let login = try await saml.finishLogin(samlResponse: try LoginWorld.response(answering: start.requestID),
                                               relayState: nil, browserState: start.browserState, now: Generated.now)
        #expect(login.sessionExpiresAt == Generated.now.addingTimeInterval(3600))
        #expect(login.returnTo == "/")
    }

    @Test func postBindingFormWorksUnderAStrictContentSecurityPolicy() async throws {
        let saml = try LoginWorld.facade(try LoginWorld.configuration())
        let start = try await saml.login(returnTo: "/x", options: LoginOptions(binding: .httpPost), now: Generated.now)
        guard case .post(let form) = start.action else { Issue.record("expected a form"); return }
        #expect(form.fields.map(\.name) == ["SAMLRequest", "RelayState"])
        let plain = form.html()
        #expect(!plain.contains("<script"))
        #expect(plain.contains("<button type=\"submit\">"))
        #expect(!plain.contains(" on"))  // no inline event handlers either
        let nonced = form.html(submission: .inlineScript(nonce: "r4nd\"om"))
        #expect(nonced.contains("<script nonce=\"r4nd&quot;om\">"))
        #expect(nonced.contains("<button type=\"submit\">"))
        let external = form.html(submission: .externalScript(src: "/saml/autosubmit.js"))
        #expect(external.contains("<script src=\"/saml/autosubmit.js\"></script>"))
        #expect(!external.contains("submit();</script>"))
        // the request inside is the one tracked, and it verifies as XML the IdP can read
        let xml = String(decoding: Data(base64Encoded: form.fields[0].value)!, as: UTF8.self)
        #expect(xml.contains("ID=\"\(start.requestID)\""))
        let login = try await saml.finishLogin(samlResponse: try LoginWorld.response(answering: start.requestID),
                                               relayState: form.fields[1].value, browserState: start.browserState, now: Generated.now)
        #expect(login.returnTo == "/x")
    }

    @Test func aResponseForAnotherBrowsersRequestIsRefused() async throws {
        let saml = try LoginWorld.facade(try LoginWorld.configuration())
        let a = try await saml.login(now: Generated.now)
        let b = try await saml.login(now: Generated.now)
        let forA = try LoginWorld.response(answering: a.requestID)
        // browser B posts A's response (both requests pending): refused
        await expectRejection(.inResponseToMismatch) {
            _ = try await saml.finishLogin(samlResponse: forA, relayState: nil, browserState: b.browserState, now: Generated.now)
        }
        // A's own browser still completes
        let login = try await saml.finishLogin(samlResponse: forA, relayState: LoginWorld.relayState(of: a),
                                               browserState: a.browserState, now: Generated.now)
        #expect(login.email == "alice@example.com")
        // and the same response again, with A's state: the request was consumed
        await expectRejection(.inResponseToMismatch) {
            _ = try await saml.finishLogin(samlResponse: forA, relayState: nil, browserState: a.browserState, now: Generated.now)
        }
    }

    @Test func relayStateOfAnotherLoginIsRefused() async throws {
        let saml = try LoginWorld.facade(try LoginWorld.configuration())
        let a = try await saml.login(now: Generated.now)
        let b = try await saml.login(now: Generated.now)
        await expectRejection(.inResponseToMismatch) {
            _ = try await saml.finishLogin(samlResponse: try LoginWorld.response(answering: a.requestID),
                                           relayState: LoginWorld.relayState(of: b), browserState: a.browserState, now: Generated.now)
        }
    }

    @Test func alteredForeignOrExpiredBrowserStateIsRefused() async throws {
        let saml = try LoginWorld.facade(try LoginWorld.configuration())
        let start = try await saml.login(returnTo: "/a", now: Generated.now)
        let response = try LoginWorld.response(answering: start.requestID)
        // flip one character of the payload
        var chars = Array(start.browserState)
        chars[5] = chars[5] == "A" ? "B" : "A"
        await expectRejection(.invalidRequest) {
            _ = try await saml.finishLogin(samlResponse: response, relayState: nil, browserState: String(chars), now: Generated.now)
        }
        // sealed under another secret
        var other = try LoginWorld.configuration()
        other.stateSecrets = [try StateSecret("u1wNwP/+7zBW8KENXinOGla8feEKpX2bJzTkfqO5XNI=")]
        let foreign = try await LoginWorld.facade(other).login(now: Generated.now)
        await expectRejection(.invalidRequest) {
            _ = try await saml.finishLogin(samlResponse: response, relayState: nil, browserState: foreign.browserState, now: Generated.now)
        }
        for garbage in ["", "x", "a.b.c", String(repeating: "A", count: 5000), "%%%.###"] where !garbage.isEmpty {
            await expectRejection(.invalidRequest) {
                _ = try await saml.finishLogin(samlResponse: response, relayState: nil, browserState: garbage, now: Generated.now)
            }
        }
        // after the request lifetime (10 minutes)
        await expectRejection(.expired) {
            _ = try await saml.finishLogin(samlResponse: response, relayState: nil, browserState: start.browserState,
                                           now: Generated.now.addingTimeInterval(601))
        }
    }

    @Test func stateSecretRotationAcceptsTheOldSecret() async throws {
        let old = try LoginWorld.facade(try LoginWorld.configuration())
        let start = try await old.login(now: Generated.now)
        var rotated = try LoginWorld.configuration()
        rotated.stateSecrets = [try StateSecret("N/CWDJMT1enyfSbOjf+i/18uEXxcDwUTuJdugd0enmo="), LoginWorld.secret]
        // same stores, as two instances sharing them
        let new = try SAMLServiceProvider(configuration: rotated, requestTracker: old.requestTracker, replayStore: old.replayStore)
        let login = try await new.finishLogin(samlResponse: try LoginWorld.response(answering: start.requestID),
                                              relayState: nil, browserState: start.browserState, now: Generated.now)
        #expect(login.nameID.value == "alice@example.com")
    }

    /// The façade decodes and parses the posted value once, also when an IdP may start logins and
    /// the routing hints (issuer, InResponseTo) are read before verification; the bare verifier,
    /// counted the same way, parses once too, so the counter sees every parse.
    @Test func thePostedValueIsParsedOnce() async throws {
        for allowIdPInitiated in [false, true] {
            let saml = try LoginWorld.facade(try LoginWorld.configuration(allowIdPInitiated: allowIdPInitiated))
            let start = try await saml.login(now: Generated.now)
            let response = try LoginWorld.response(answering: start.requestID)
            let counter = ParseCounter()
            let login = try await ParseCounter.$current.withValue(counter) {
                try await saml.finishLogin(samlResponse: response, relayState: LoginWorld.relayState(of: start),
                                           browserState: start.browserState, now: Generated.now)
            }
            #expect(login.wasRequested)
            #expect(counter.parses == 1, "IdP-initiated allowed: \(allowIdPInitiated)")
        }
        let open = try LoginWorld.facade(try LoginWorld.configuration(allowIdPInitiated: true))
        let unsolicitedResponse = try LoginWorld.response(answering: nil)
        let unsolicited = ParseCounter()
        let login = try await ParseCounter.$current.withValue(unsolicited) {
            try await open.finishLogin(samlResponse: unsolicitedResponse, relayState: nil, browserState: nil, now: Generated.now)
        }
        #expect(!login.wasRequested)
        #expect(unsolicited.parses == 1)

        let bare = ParseCounter()
        let response = try LoginWorld.response(answering: Generated.requestID)
        let (first, second) = (try Generated.verifier(), try Generated.verifier())
        _ = try await ParseCounter.$current.withValue(bare) {
            try await first.verify(samlResponse: response, inResponseTo: Generated.requestID, now: Generated.now)
        }
        _ = try await ParseCounter.$current.withValue(bare) {
            try await second.verify(responseXML: Array(Data(base64Encoded: response)!), inResponseTo: Generated.requestID, now: Generated.now)
        }
        #expect(bare.parses == 2)
    }

    @Test func idpInitiatedLoginIsRefusedUnlessEnabledForThatIdP() async throws {
        let unsolicited = try LoginWorld.response(answering: nil)
        let strict = try LoginWorld.facade(try LoginWorld.configuration())
        await expectRejection(.unsolicitedResponse) {
            _ = try await strict.finishLogin(samlResponse: unsolicited, relayState: "/dash", browserState: nil, now: Generated.now)
        }
        let open = try LoginWorld.facade(try LoginWorld.configuration(allowIdPInitiated: true))
        let login = try await open.finishLogin(samlResponse: unsolicited, relayState: "/dash", browserState: nil, now: Generated.now)
        #expect(login.returnTo == "/dash")
        #expect(!login.wasRequested)
    }

    @Test(arguments: ["https://evil.example/", "//evil.example", "/\\evil.example", "javascript:alert(1)", "/ok\u{0}x", "/a\nb"])
    func idpInitiatedRelayStateIsOnlyAReturnToCandidate(_ relay: String) async throws {
        let open = try LoginWorld.facade(try LoginWorld.configuration(allowIdPInitiated: true))
        let login = try await open.finishLogin(samlResponse: try LoginWorld.response(answering: nil), relayState: relay,
                                               browserState: nil, now: Generated.now)
        #expect(login.returnTo == "/")
    }

    @Test func replayIsRefusedAcrossInstancesAndByAFacadeBuiltPerRequest() async throws {
        let unsolicited = try LoginWorld.response(answering: nil, assertionID: "_assert-replay-1")
        // two instances sharing the stores
        let tracker = InMemoryRequestTracker()
        let replay = InMemoryReplayStore()
        let configuration = try LoginWorld.configuration(allowIdPInitiated: true)
        let one = try LoginWorld.facade(configuration, tracker: tracker, replay: replay)
        let two = try LoginWorld.facade(configuration, tracker: tracker, replay: replay)
        _ = try await one.finishLogin(samlResponse: unsolicited, relayState: nil, browserState: nil, now: Generated.now)
        await expectRejection(.replayed) {
            _ = try await two.finishLogin(samlResponse: unsolicited, relayState: nil, browserState: nil, now: Generated.now)
        }
        // a façade built per request with the default (process-wide) stores
        let perRequest = try LoginWorld.response(answering: nil, assertionID: "_assert-replay-per-request")
        let first = try SAMLServiceProvider(configuration: configuration)
        _ = try await first.finishLogin(samlResponse: perRequest, relayState: nil, browserState: nil, now: Generated.now)
        let second = try SAMLServiceProvider(configuration: configuration)
        await expectRejection(.replayed) {
            _ = try await second.finishLogin(samlResponse: perRequest, relayState: nil, browserState: nil, now: Generated.now)
        }
    }

    @Test func loginStartedOnOneInstanceFinishesOnAnother() async throws {
        let tracker = InMemoryRequestTracker()
        let replay = InMemoryReplayStore()
        let configuration = try LoginWorld.configuration()
        let a = try LoginWorld.facade(configuration, tracker: tracker, replay: replay)
        let b = try LoginWorld.facade(configuration, tracker: tracker, replay: replay)
        let start = try await a.login(now: Generated.now)
        let login = try await b.finishLogin(samlResponse: try LoginWorld.response(answering: start.requestID),
                                            relayState: LoginWorld.relayState(of: start), browserState: start.browserState, now: Generated.now)
        #expect(login.email == "alice@example.com")
    }

    @Test func severalIdPsAreChosenByIssuerThenFullyVerifiedByThatIdP() async throws {
        let saml = try LoginWorld.facade(try LoginWorld.configuration(allowIdPInitiated: true, twoIdPs: true))
        await expectRejection(.invalidRequest) { _ = try await saml.login(now: Generated.now) }  // which IdP?
        await expectRejection(.entityNotFound) { _ = try await saml.login(idp: "https://nope.example", now: Generated.now) }

        // the second IdP (key idp-rsa-next) logs a user in
        let other = try LoginWorld.response(answering: nil, edits: [(Generated.idpEntityID, LoginWorld.otherIdPEntityID)],
                                            signer: "idp-rsa-next", assertionID: "_assert-other-idp")
        let login = try await saml.finishLogin(samlResponse: other, relayState: nil, browserState: nil, now: Generated.now)
        #expect(login.issuer == LoginWorld.otherIdPEntityID)

        // a response naming the second IdP but signed with the first IdP's key: the hint picks
        // the second IdP, whose keys refuse it
        let forged = try LoginWorld.response(answering: nil, edits: [(Generated.idpEntityID, LoginWorld.otherIdPEntityID)],
                                             signer: "idp-rsa", assertionID: "_assert-forged")
        do {
            _ = try await saml.finishLogin(samlResponse: forged, relayState: nil, browserState: nil, now: Generated.now)
            Issue.record("a response signed by another IdP's key was accepted")
        } catch let error as SAMLError {
            #expect([SAMLError.Code.untrustedKey, .signatureInvalid].contains(error.code), "\(error)")
        }

        // a login started with IdP 1 cannot be finished by a response from IdP 2
        let start = try await saml.login(idp: Generated.idpEntityID, now: Generated.now)
        let fromOther = try LoginWorld.response(answering: start.requestID, edits: [(Generated.idpEntityID, LoginWorld.otherIdPEntityID)],
                                                signer: "idp-rsa-next", assertionID: "_assert-other-2")
        do {
            _ = try await saml.finishLogin(samlResponse: fromOther, relayState: nil, browserState: start.browserState, now: Generated.now)
            Issue.record("IdP 2 finished a login started with IdP 1")
        } catch let error as SAMLError {
            #expect([SAMLError.Code.issuerMismatch, .untrustedKey].contains(error.code), "\(error)")
        }
    }

    @Test func severalACSURLsEachMustMatchTheRequest() async throws {
        let saml = try LoginWorld.facade(try LoginWorld.configuration(acsURLs: [Generated.acs, LoginWorld.acs2]))
        let start = try await saml.login(options: LoginOptions(acsURL: LoginWorld.acs2), now: Generated.now)
        guard case .redirect(let url) = start.action else { Issue.record("expected a redirect"); return }
        #expect(url.contains("SAMLRequest="))
        // the response names the second ACS URL as Destination and Recipient (the audience stays the entity ID)
        let toSecond = try LoginWorld.response(answering: start.requestID, edits: [
            ("Destination=\"\(Generated.acs)\"", "Destination=\"\(LoginWorld.acs2)\""),
            ("Recipient=\"\(Generated.acs)\"", "Recipient=\"\(LoginWorld.acs2)\""),
        ])
        let login = try await saml.finishLogin(samlResponse: toSecond, relayState: nil, browserState: start.browserState, now: Generated.now)
        #expect(login.email == "alice@example.com")

        // a response to the first ACS URL for a request that named the second: refused
        let again = try await saml.login(options: LoginOptions(acsURL: LoginWorld.acs2), now: Generated.now)
        await expectRejection(.destinationMismatch) {
            _ = try await saml.finishLogin(samlResponse: try LoginWorld.response(answering: again.requestID), relayState: nil,
                                           browserState: again.browserState, now: Generated.now)
        }
        await expectRejection(.invalidRequest) {
            _ = try await saml.login(options: LoginOptions(acsURL: "https://elsewhere.example/acs"), now: Generated.now)
        }
        // the metadata lists both, indexed, the first as default
        let metadata = try saml.metadata()
        #expect(metadata.contains("Location=\"\(Generated.acs)\" index=\"0\" isDefault=\"true\""))
        #expect(metadata.contains("Location=\"\(LoginWorld.acs2)\" index=\"1\""))
        #expect(metadata.contains("entityID=\"\(Generated.acs)\""))
    }

    @Test func idpThatWantsSignedRequestsNeedsAnSPKey() async throws {
        var configuration = try LoginWorld.configuration(signingKey: .some(nil))
        #expect(configuration.identityProviders[0].identityProvider.wantsAuthnRequestsSigned)
        await expectRejection(.invalidConfiguration) { _ = try await LoginWorld.facade(configuration).login(now: Generated.now) }
        configuration.signingKey = try SAMLKeyPair(privateKey: Generated.key("sp-rsa"), certificate: Generated.certificate("sp-rsa"))
        let start = try await LoginWorld.facade(configuration).login(now: Generated.now)
        guard case .redirect(let url) = start.action else { Issue.record("expected a redirect"); return }
        #expect(url.contains("&SigAlg=") && url.contains("&Signature="))
        let metadata = try LoginWorld.facade(configuration).metadata()
        #expect(metadata.contains("<ds:Signature") || metadata.contains("Signature"))
        #expect(metadata.contains("AuthnRequestsSigned=\"true\""))
    }

    @Test func configurationMistakesAreRefusedAtStartUp() throws {
        #expect(throws: SAMLError.self) {
            try SAMLServiceProvider(configuration: .init(acsURL: Generated.acs, identityProviders: []))
        }
        let idp = TrustedIdentityProvider(try Generated.idp())
        #expect(throws: SAMLError.self) {
            try SAMLServiceProvider(configuration: .init(acsURL: "notaurl", identityProviders: [idp]))
        }
        #expect(throws: SAMLError.self) {
            try SAMLServiceProvider(configuration: .init(acsURL: Generated.acs, identityProviders: [idp, idp]))
        }
        #expect(throws: SAMLError.self) { try StateSecret("short") }
    }

    @Test func rejectionsAreLoggedWithTheirCodeAndAttributeValuesOnlyAtDebug() async throws {
        let logs = CapturingLogHandler.Store()
        let logger = Logger(label: "test") { _ in CapturingLogHandler(store: logs) }
        let saml = try LoginWorld.facade(try LoginWorld.configuration(), logger: logger)
        let start = try await saml.login(now: Generated.now)
        _ = try await saml.finishLogin(samlResponse: try LoginWorld.response(answering: start.requestID), relayState: nil,
                                       browserState: start.browserState, now: Generated.now)
        await expectRejection(.unsolicitedResponse) {
            _ = try await saml.finishLogin(samlResponse: try LoginWorld.response(answering: nil), relayState: nil, browserState: nil, now: Generated.now)
        }
        let records = logs.records
        let refusal = try #require(records.first { $0.level == .notice })
        #expect(refusal.metadata["saml.code"] == "unsolicitedResponse")
        #expect(records.contains { $0.level == .info && $0.message == "SAML login accepted" })
        for record in records where record.level > .debug {
            let text = record.message + record.metadata.description
            #expect(!text.contains("Alice Example") && !text.contains("alice@example.com"), "\(record)")
        }
    }
}

extension LoginFlowTests {
    @Test func diagnosticsReportEveryCheckOfTheLogin() async throws {
        let saml = try LoginWorld.facade(try LoginWorld.configuration())
        let start = try await saml.login(now: Generated.now)
        let trace = Mutex<[VerificationDiagnostic]>([])
        _ = try await saml.finishLogin(samlResponse: try LoginWorld.response(answering: start.requestID), relayState: nil,
                                       browserState: start.browserState, now: Generated.now,
                                       diagnostics: { d in trace.withLock { $0.append(d) } })
        let checks = trace.withLock { $0 }
        #expect(checks.allSatisfy { $0.passed })
        #expect(checks.contains { $0.check == .audience })
        #expect(checks.contains { $0.check == .inResponseTo && $0.facts.contains { $0.value == start.requestID } })
        #expect(checks.last?.check == .replay)
    }
}
