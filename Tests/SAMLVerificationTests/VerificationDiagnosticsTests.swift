import Foundation
import Logging
import SAML
import SAMLCore
@_spi(Tools) import SAMLVerification
import Testing
import SAMLTestSupport

@Suite struct VerificationDiagnosticsTests {

    @Test func everyCheckReportsOnceInOrderWithTheValuesItCompared() async throws {
        let collector = DiagnosticsCollector()
        let a = try await Generated.verifier().verify(samlResponse: Generated.response("assertion-signed.xml"),
                                                      inResponseTo: Generated.requestID, now: Generated.now,
                                                      diagnostics: collector.record)
        #expect(a.nameID.value == "alice@example.com")
        #expect(collector.names == VerificationChecks.all)
        #expect(collector.diagnostics.allSatisfy { $0.passed })
        #expect(collector.diagnostics.allSatisfy { $0.error == nil })
        let audience = try #require(collector.first(.audience))
        #expect(audience.fact("expected audience") == Generated.acs)
        #expect(audience.fact("found audiences") == Generated.acs)
        let signature = try #require(collector.first(.assertionSignature))
        #expect(signature.fact("signature method") == "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256")
        #expect(signature.fact("digest method") == "http://www.w3.org/2001/04/xmlenc#sha256")
        #expect(signature.fact("canonicalization") == "http://www.w3.org/2001/10/xml-exc-c14n#")
        #expect(signature.fact("reference") == "#" + Generated.assertionID)
        let idpCertificate = try Generated.certificate("idp-rsa")
        #expect(signature.fact("verified with") == idpCertificate.description)
        #expect(collector.first(.responseSignature)?.fact("signed") == "no")
        let time = try #require(collector.first(.timeWindow))
        #expect(time.fact("now") == "2026-01-15T10:01:00Z")
        #expect(time.fact("clock skew") == "90.0 s")
        #expect(time.fact("Conditions NotOnOrAfter") == "2026-01-15T10:05:00Z")
        #expect(time.fact("Assertion IssueInstant") == "2026-01-15T10:00:00Z")
        let issuer = try #require(collector.first(.issuer))
        #expect(issuer.fact("expected issuer") == Generated.idpEntityID)
        #expect(issuer.fact("Assertion issuer") == Generated.idpEntityID)
        #expect(collector.first(.destination)?.fact("found destination") == Generated.acs)
        #expect(collector.first(.inResponseTo)?.fact("expected request") == Generated.requestID)
        #expect(collector.first(.subjectConfirmation)?.fact("found recipient") == Generated.acs)
        #expect(collector.first(.replay)?.fact("assertion ID") == Generated.assertionID)
        // attribute names are reported, their values never
        let identity = try #require(collector.first(.identity))
        #expect(identity.fact("attributes")?.contains("givenName") == true)
        for d in collector.diagnostics { for fact in d.facts { #expect(!fact.value.contains("Alice")) } }
    }

    @Test func aRejectionEndsWithTheFailingCheckAndItsValues() async throws {
        let collector = DiagnosticsCollector()
        await expectRejection(.audienceMismatch) {
            _ = try Generated.verifier(spEntityID: "https://other.example.com/sp")
                .verifyWithoutReplayCheck(samlResponse: try Generated.response("assertion-signed.xml"),
                                          inResponseTo: Generated.requestID, now: Generated.now, diagnostics: collector.record)
        }
        let last = try #require(collector.diagnostics.last)
        #expect(last.check == .audience)
        #expect(!last.passed)
        #expect(last.error?.code == .audienceMismatch)
        #expect(last.fact("expected audience") == "https://other.example.com/sp")
        #expect(last.fact("found audiences") == Generated.acs)
        #expect(collector.names == Array(VerificationChecks.all.prefix(while: { $0 != "audience" })) + ["audience"])
        #expect(collector.diagnostics.dropLast().allSatisfy { $0.passed })
    }

    @Test func aTamperedSignatureIsReportedAsTheFailingSignatureCheck() async throws {
        let collector = DiagnosticsCollector()
        let tampered = try Generated.response("assertion-signed.xml").replacingOnce("Alice Example", with: "Alice Exampla")
        await expectRejection(.signatureInvalid) {
            _ = try Generated.verifier().verifyWithoutReplayCheck(samlResponse: tampered, inResponseTo: Generated.requestID,
                                                                  now: Generated.now, diagnostics: collector.record)
        }
        #expect(collector.names.last == "assertionSignature")
        #expect(collector.diagnostics.last?.passed == false)
        #expect(collector.diagnostics.last?.fact("signed element ID") == Generated.assertionID)
    }

    @Test func theLoggerGetsDebugPerCheckAndNoticeOnRejectionButNoAttributeValues() async throws {
        let store = CapturingLogHandler.Store()
        var verifier = try Generated.verifier()
        verifier.logger = Logger(label: "test") { _ in CapturingLogHandler(store: store) }
        _ = try verifier.verifyWithoutReplayCheck(samlResponse: try Generated.response("assertion-signed.xml"),
                                                  inResponseTo: Generated.requestID, now: Generated.now)
        let accepted = store.records
        #expect(accepted.count == VerificationChecks.all.count - 1)  // no replay step without the store
        #expect(accepted.allSatisfy { $0.level == .debug })
        #expect(accepted.map { $0.metadata["saml.check"]?.description } == VerificationChecks.all.dropLast().map { $0 })

        let rejecting = try Generated.verifier(spEntityID: "https://other.example.com/sp")
        var logged = rejecting
        let rejectionStore = CapturingLogHandler.Store()
        logged.logger = Logger(label: "test") { _ in CapturingLogHandler(store: rejectionStore) }
        await expectRejection(.audienceMismatch) {
            _ = try logged.verifyWithoutReplayCheck(samlResponse: try Generated.response("assertion-signed.xml"),
                                                    inResponseTo: Generated.requestID, now: Generated.now)
        }
        let notices = rejectionStore.records.filter { $0.level == .notice }
        #expect(notices.count == 1)
        #expect(notices.first?.metadata["saml.code"]?.description == "audienceMismatch")
        // Attribute values appear at no level
        for record in store.records + rejectionStore.records {
            #expect(!record.message.contains("Alice"))
            #expect(!record.metadata.values.contains { $0.description.contains("Alice") })
        }

        // A logger at notice level gets only the rejection.
        var quiet = Logger(label: "quiet") { _ in CapturingLogHandler(store: rejectionStore) }
        quiet.logLevel = .notice
        let before = rejectionStore.records.count
        logged.logger = quiet
        await expectRejection(.audienceMismatch) {
            _ = try logged.verifyWithoutReplayCheck(samlResponse: try Generated.response("assertion-signed.xml"),
                                                    inResponseTo: Generated.requestID, now: Generated.now)
        }
        #expect(rejectionStore.records.count == before + 1)
    }
}

@Suite struct VerificationPolicyAdditionsTests {
    static let password = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
    static let mfa = "https://refeds.org/profile/mfa"

    @Test func requiredAuthnContextAcceptsListedClassesOnly() async throws {
        let xml = try Generated.response("assertion-signed.xml")
        let accepted = try Generated.verifier(policy: VerificationPolicy(requiredAuthnContext: [Self.password, Self.mfa]))
            .verifyWithoutReplayCheck(samlResponse: xml, inResponseTo: Generated.requestID, now: Generated.now)
        #expect(accepted.authnContextClassRef == Self.password)
        let collector = DiagnosticsCollector()
        await expectRejection(.authnContextNotAccepted) {
            _ = try Generated.verifier(policy: VerificationPolicy(requiredAuthnContext: [Self.mfa]))
                .verifyWithoutReplayCheck(samlResponse: xml, inResponseTo: Generated.requestID, now: Generated.now, diagnostics: collector.record)
        }
        #expect(collector.diagnostics.last?.fact("found class") == Self.password)
        #expect(collector.diagnostics.last?.fact("accepted classes") == Self.mfa)
        // An assertion stating no class is refused when a class is required.
        let noClass = try Generated.signed(edits: [("<saml:AuthnContextClassRef>\(Self.password)</saml:AuthnContextClassRef>",
                                                    "<saml:AuthnContextDeclRef>urn:example:decl</saml:AuthnContextDeclRef>")])
        await expectRejection(.authnContextNotAccepted) {
            _ = try Generated.verifier(policy: VerificationPolicy(requiredAuthnContext: [Self.password]))
                .verifyWithoutReplayCheck(samlResponse: noClass, inResponseTo: Generated.requestID, now: Generated.now)
        }
        // Off by default.
        #expect(VerificationPolicy.default.requiredAuthnContext == nil)
        _ = try Generated.verifier().verifyWithoutReplayCheck(samlResponse: noClass, inResponseTo: Generated.requestID, now: Generated.now)
    }

    @Test func maximumAuthenticationAgeRefusesOlderLogins() async throws {
        // AuthnInstant 09:58:30, now 10:01:00: the login is 150 s old; skew 90 s.
        let xml = try Generated.response("assertion-signed.xml")
        _ = try Generated.verifier(policy: VerificationPolicy(maximumAuthenticationAge: .seconds(60)))
            .verifyWithoutReplayCheck(samlResponse: xml, inResponseTo: Generated.requestID, now: Generated.now)
        await expectRejection(.authenticationTooOld) {
            _ = try Generated.verifier(policy: VerificationPolicy(maximumAuthenticationAge: .seconds(59)))
                .verifyWithoutReplayCheck(samlResponse: xml, inResponseTo: Generated.requestID, now: Generated.now)
        }
        await expectRejection(.authenticationTooOld) {
            _ = try Generated.verifier(policy: VerificationPolicy(clockSkew: .zero, maximumAuthenticationAge: .seconds(149)))
                .verifyWithoutReplayCheck(samlResponse: xml, inResponseTo: Generated.requestID, now: Generated.now)
        }
        _ = try Generated.verifier(policy: VerificationPolicy(clockSkew: .zero, maximumAuthenticationAge: .seconds(150)))
            .verifyWithoutReplayCheck(samlResponse: xml, inResponseTo: Generated.requestID, now: Generated.now)
        #expect(VerificationPolicy.default.maximumAuthenticationAge == nil)
        #expect(VerificationPolicy.default.maximumMessageAge == .seconds(300))
    }

    @Test func verifiersBuiltPerRequestShareTheProcessWideReplayStore() async throws {
        // A fresh assertion ID, so no other test's use of the shared store interferes.
        let id = "_assert-shared-" + UUID().uuidString
        let xml = try Generated.signed(edits: [(Generated.assertionID, id)])
        let idp = try Generated.idp()
        let sp = ServiceProvider(entityID: Generated.acs, acsURL: Generated.acs)
        let first = try await ResponseVerifier(serviceProvider: sp, identityProvider: idp)
            .verify(samlResponse: xml, inResponseTo: Generated.requestID, now: Generated.now)
        #expect(first.assertionID == id)
        await expectRejection(.replayed) {
            _ = try await ResponseVerifier(serviceProvider: sp, identityProvider: idp)
                .verify(samlResponse: xml, inResponseTo: Generated.requestID, now: Generated.now)
        }
        // A verifier given its own store does not see the shared one.
        _ = try await ResponseVerifier(serviceProvider: sp, identityProvider: idp, replayStore: InMemoryReplayStore())
            .verify(samlResponse: xml, inResponseTo: Generated.requestID, now: Generated.now)
    }

    @Test func errorsCompareByCodeAndReadAsTheirReason() {
        let a = SAMLError(.expired, "The assertion expired at 10:05.")
        let b = SAMLError(.expired, "The IdP session ended.")
        #expect(a == b)
        #expect(a != SAMLError(.notYetValid, "The assertion expired at 10:05."))
        #expect(Set([a, b]).count == 1)
        #expect((a as any Error).localizedDescription == "expired: The assertion expired at 10:05.")
        #expect(SAMLError.Code.authnContextNotAccepted.rawValue == "authnContextNotAccepted")
        #expect(SAMLError.Code.authenticationTooOld.description == "authenticationTooOld")
    }
}

@Suite struct StrictTimeTests {
    @Test func calendarInvalidDatesAndTimesAreRefused() {
        for bad in ["2026-02-31T00:00:00Z", "2026-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2026-04-31T00:00:00Z",
                    "2026-00-10T00:00:00Z", "2026-01-00T00:00:00Z", "2026-01-15T24:01:00Z", "2026-01-15T24:00:00.5Z",
                    "2026-01-15T23:60:00Z", "2026-01-15T23:59:60Z", "2026-01-15T25:00:00Z", "0000-01-01T00:00:00Z",
                    "-2026-01-15T00:00:00Z", "02026-01-15T00:00:00Z", "2026-1-15T00:00:00Z", "2026-01-15T00:00Z",
                    "2026-01-15T00:00:00+15:00", "2026-01-15T00:00:00+14:01", "2026-01-15T00:00:00+01:60",
                    "2026-01-15T00:00:00+0100", "2026-01-15T00:00:00z", "2026-01-15T00:00:00.Z", "2026-01-15T00:00:00.1.2Z"] {
            #expect(SAMLTime.parse(bad) == nil, "\(bad)")
        }
    }

    @Test func validFormsAreRead() {
        let base = 1_768_471_260.0  // 2026-01-15T10:01:00Z
        #expect(SAMLTime.parse("2024-02-29T00:00:00Z") == Date(timeIntervalSince1970: 1_709_164_800))
        #expect(SAMLTime.parse("2000-02-29T12:00:00Z") == Date(timeIntervalSince1970: 951_825_600))
        #expect(SAMLTime.parse("2026-01-14T24:00:00Z") == SAMLTime.parse("2026-01-15T00:00:00Z"))
        #expect(abs(SAMLTime.parse("2026-01-15T10:01:00.123456789012Z")!.timeIntervalSince1970 - base - 0.123456789) < 1e-6)
        #expect(SAMLTime.parse("2026-01-15T10:01:00.1Z") == Date(timeIntervalSince1970: base + 0.1))
        #expect(SAMLTime.parse("2026-01-15T05:31:00-04:30") == Date(timeIntervalSince1970: base))
        #expect(SAMLTime.parse("2026-01-16T00:01:00+14:00") == Date(timeIntervalSince1970: base))
        #expect(SAMLTime.parse("2026-01-15T10:01:00+00:00") == Date(timeIntervalSince1970: base))
        #expect(SAMLTime.parse("12026-01-15T10:01:00Z") != nil)
    }

    @Test func anAssertionWithAnImpossibleDateIsRefused() async throws {
        let xml = try Generated.signed(edits: [("NotOnOrAfter=\"2026-01-15T10:05:00Z\">", "NotOnOrAfter=\"2026-02-31T10:05:00Z\">")])
        await expectRejection(.invalidMessage) {
            _ = try Generated.verifier().verifyWithoutReplayCheck(samlResponse: xml, inResponseTo: Generated.requestID, now: Generated.now)
        }
    }
}
