import Foundation
import SAML
@_spi(Tools) import SAMLVerification
import SAMLCore
import Testing
import SAMLTestSupport

/// One violated rule per case, each in a response validly signed over the violation.
struct ConditionCase: Sendable, CustomTestStringConvertible {
    let name: String
    let code: SAMLError.Code
    let edits: [(String, String)]
    var signResponse = false
    var signAssertion = true
    var testDescription: String { name }
}

@Suite struct VerificationConditionsTests {
    static let audience = "<saml:Audience>https://sp.example.com/saml/acs</saml:Audience>"
    static let restriction = "<saml:AudienceRestriction>\n        \(audience)\n      </saml:AudienceRestriction>"
    static let scd = "<saml:SubjectConfirmationData NotOnOrAfter=\"2026-01-15T10:05:00Z\" Recipient=\"https://sp.example.com/saml/acs\" InResponseTo=\"_req-7c1f2c5e9b0a4d6e8f10\"/>"
    static let conditions = "<saml:Conditions NotBefore=\"2026-01-15T09:59:00Z\" NotOnOrAfter=\"2026-01-15T10:05:00Z\">"
    static let assertionOpen = "ID=\"_assert-8e4c61f09d2b4a7c93e5\" Version=\"2.0\" IssueInstant=\"2026-01-15T10:00:00Z\""
    static let responseOpen = "ID=\"_resp-3b9d2a71c0e84f55a6d1\" Version=\"2.0\" IssueInstant=\"2026-01-15T10:00:00Z\""
    static let responseIssuer = "<saml:Issuer>https://idp.example.org/metadata</saml:Issuer>\n  <samlp:Status>"
    static let assertionIssuer = "<saml:Issuer>https://idp.example.org/metadata</saml:Issuer>\n    <saml:Subject>"

    static let cases: [ConditionCase] = [
        ConditionCase(name: "audience names another SP", code: .audienceMismatch,
                      edits: [(audience, "<saml:Audience>https://other.example.com/</saml:Audience>")]),
        ConditionCase(name: "no AudienceRestriction", code: .audienceMismatch, edits: [(restriction, "")]),
        ConditionCase(name: "second AudienceRestriction excludes this SP", code: .audienceMismatch,
                      edits: [(restriction, restriction + "<saml:AudienceRestriction><saml:Audience>urn:other</saml:Audience></saml:AudienceRestriction>")]),
        ConditionCase(name: "no Conditions", code: .audienceMismatch,
                      edits: [(conditions + "\n      " + restriction + "\n    </saml:Conditions>", "")]),
        ConditionCase(name: "NotBefore in the future beyond skew", code: .notYetValid,
                      edits: [("NotBefore=\"2026-01-15T09:59:00Z\"", "NotBefore=\"2026-01-15T10:03:00Z\"")]),
        ConditionCase(name: "Conditions NotOnOrAfter passed beyond skew", code: .expired,
                      edits: [("<saml:Conditions NotBefore=\"2026-01-15T09:59:00Z\" NotOnOrAfter=\"2026-01-15T10:05:00Z\">",
                               "<saml:Conditions NotBefore=\"2026-01-15T09:59:00Z\" NotOnOrAfter=\"2026-01-15T09:59:20Z\">")]),
        ConditionCase(name: "empty validity window", code: .expired,
                      edits: [(conditions, "<saml:Conditions NotBefore=\"2026-01-15T10:00:00Z\" NotOnOrAfter=\"2026-01-15T10:00:00Z\">")]),
        ConditionCase(name: "bearer confirmation expired", code: .expired,
                      edits: [(scd, scd.replacingOccurrences(of: "NotOnOrAfter=\"2026-01-15T10:05:00Z\"", with: "NotOnOrAfter=\"2026-01-15T09:59:00Z\""))]),
        ConditionCase(name: "bearer confirmation for another recipient", code: .recipientMismatch,
                      edits: [(scd, scd.replacingOccurrences(of: "Recipient=\"https://sp.example.com/saml/acs\"", with: "Recipient=\"https://evil.example/acs\""))]),
        ConditionCase(name: "bearer confirmation without Recipient", code: .recipientMismatch,
                      edits: [(scd, scd.replacingOccurrences(of: "Recipient=\"https://sp.example.com/saml/acs\" ", with: ""))]),
        ConditionCase(name: "bearer confirmation with NotBefore", code: .subjectConfirmationFailed,
                      edits: [(scd, scd.replacingOccurrences(of: "<saml:SubjectConfirmationData ", with: "<saml:SubjectConfirmationData NotBefore=\"2026-01-15T09:59:00Z\" "))]),
        ConditionCase(name: "bearer confirmation answers another request", code: .inResponseToMismatch,
                      edits: [(scd, scd.replacingOccurrences(of: "_req-7c1f2c5e9b0a4d6e8f10", with: "_req-other"))]),
        ConditionCase(name: "no bearer confirmation (holder-of-key only)", code: .subjectConfirmationFailed,
                      edits: [("urn:oasis:names:tc:SAML:2.0:cm:bearer", "urn:oasis:names:tc:SAML:2.0:cm:holder-of-key")]),
        ConditionCase(name: "Response answers another request", code: .inResponseToMismatch,
                      edits: [("InResponseTo=\"_req-7c1f2c5e9b0a4d6e8f10\">", "InResponseTo=\"_req-other\">")]),
        ConditionCase(name: "no InResponseTo anywhere while one is expected", code: .inResponseToMismatch,
                      edits: [(" InResponseTo=\"_req-7c1f2c5e9b0a4d6e8f10\">", ">"), (" InResponseTo=\"_req-7c1f2c5e9b0a4d6e8f10\"/>", "/>")]),
        ConditionCase(name: "Destination is another SP", code: .destinationMismatch,
                      edits: [("Destination=\"https://sp.example.com/saml/acs\"", "Destination=\"https://evil.example/acs\"")]),
        ConditionCase(name: "signed Response without Destination", code: .destinationMismatch,
                      edits: [(" Destination=\"https://sp.example.com/saml/acs\"", "")], signResponse: true, signAssertion: false),
        ConditionCase(name: "Response Issuer is another IdP", code: .issuerMismatch,
                      edits: [(responseIssuer, "<saml:Issuer>https://evil.example/idp</saml:Issuer>\n  <samlp:Status>")]),
        ConditionCase(name: "Assertion Issuer is another IdP", code: .issuerMismatch,
                      edits: [(assertionIssuer, "<saml:Issuer>https://evil.example/idp</saml:Issuer>\n    <saml:Subject>")]),
        ConditionCase(name: "Assertion Issuer with a non-entity Format", code: .issuerMismatch,
                      edits: [(assertionIssuer, "<saml:Issuer Format=\"urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress\">https://idp.example.org/metadata</saml:Issuer>\n    <saml:Subject>")]),
        ConditionCase(name: "status AuthnFailed", code: .statusNotSuccess,
                      edits: [("<samlp:StatusCode Value=\"urn:oasis:names:tc:SAML:2.0:status:Success\"/>",
                               "<samlp:StatusCode Value=\"urn:oasis:names:tc:SAML:2.0:status:Responder\"><samlp:StatusCode Value=\"urn:oasis:names:tc:SAML:2.0:status:AuthnFailed\"/></samlp:StatusCode><samlp:StatusMessage>bad password</samlp:StatusMessage>")]),
        ConditionCase(name: "Response issued long ago", code: .expired,
                      edits: [(responseOpen, "ID=\"_resp-3b9d2a71c0e84f55a6d1\" Version=\"2.0\" IssueInstant=\"2026-01-15T09:50:00Z\"")]),
        ConditionCase(name: "Assertion issued in the future", code: .notYetValid,
                      edits: [(assertionOpen, "ID=\"_assert-8e4c61f09d2b4a7c93e5\" Version=\"2.0\" IssueInstant=\"2026-01-15T10:05:00Z\"")]),
        ConditionCase(name: "IssueInstant not a dateTime", code: .invalidMessage,
                      edits: [(assertionOpen, "ID=\"_assert-8e4c61f09d2b4a7c93e5\" Version=\"2.0\" IssueInstant=\"yesterday\"")]),
        ConditionCase(name: "unknown condition", code: .invalidMessage,
                      edits: [(restriction, restriction + "<saml:Condition xmlns:x=\"urn:x\" xsi:type=\"x:Custom\"/>")]),
        ConditionCase(name: "IdP session already over", code: .expired,
                      edits: [("SessionNotOnOrAfter=\"2026-01-15T18:00:00Z\"", "SessionNotOnOrAfter=\"2026-01-15T09:58:00Z\"")]),
        ConditionCase(name: "Assertion version 1.1", code: .invalidMessage,
                      edits: [(assertionOpen, "ID=\"_assert-8e4c61f09d2b4a7c93e5\" Version=\"1.1\" IssueInstant=\"2026-01-15T10:00:00Z\"")]),
        ConditionCase(name: "Response version 1.1", code: .invalidMessage,
                      edits: [(responseOpen, "ID=\"_resp-3b9d2a71c0e84f55a6d1\" Version=\"1.1\" IssueInstant=\"2026-01-15T10:00:00Z\"")]),
    ]

    @Test(arguments: cases)
    func violationIsRejected(_ c: ConditionCase) async throws {
        let xml = try Generated.signed(edits: c.edits, assertion: c.signAssertion, response: c.signResponse)
        await expectRejection(c.code) {
            _ = try await Generated.verifier().verify(responseXML: Array(xml.utf8), inResponseTo: Generated.requestID, now: Generated.now)
        }
    }

    @Test func inProcessSignatureOfTheUnalteredResponseIsAccepted() async throws {
        // The control for the cases above: the same signing path with no edit passes.
        for (assertion, response) in [(true, false), (false, true), (true, true)] {
            let xml = try Generated.signed(assertion: assertion, response: response)
            let a = try await Generated.verifier().verify(responseXML: Array(xml.utf8), inResponseTo: Generated.requestID, now: Generated.now)
            #expect(a.nameID.value == "alice@example.com")
            #expect(a.assertionSigned == assertion && a.responseSigned == response)
        }
    }

    @Test func requestExpectations() async throws {
        let xml = try Generated.response("assertion-signed.xml")
        await expectRejection(.inResponseToMismatch) {
            _ = try await Generated.verifier().verify(responseXML: Array(xml.utf8), inResponseTo: "_req-other", now: Generated.now)
        }
        await expectRejection(.unsolicitedResponse) {
            _ = try await Generated.verifier().verify(responseXML: Array(xml.utf8), inResponseTo: nil, now: Generated.now)
        }
        // unsolicited allowed, but this response names a request: refused
        await expectRejection(.inResponseToMismatch) {
            _ = try await Generated.verifier(policy: VerificationPolicy(allowUnsolicited: true))
                .verify(responseXML: Array(xml.utf8), inResponseTo: nil, now: Generated.now)
        }
        // a genuinely unsolicited response, allowed by policy
        let unsolicited = try Generated.signed(edits: [(" InResponseTo=\"_req-7c1f2c5e9b0a4d6e8f10\">", ">"),
                                                      (" InResponseTo=\"_req-7c1f2c5e9b0a4d6e8f10\"/>", "/>")])
        let a = try await Generated.verifier(policy: VerificationPolicy(allowUnsolicited: true))
            .verify(responseXML: Array(unsolicited.utf8), inResponseTo: nil, now: Generated.now)
        #expect(a.inResponseTo == nil)
        await expectRejection(.unsolicitedResponse) {
            _ = try await Generated.verifier().verify(responseXML: Array(unsolicited.utf8), inResponseTo: nil, now: Generated.now)
        }
    }

    @Test func configurationMismatches() async throws {
        let xml = Array(try Generated.response("assertion-signed.xml").utf8)
        await expectRejection(.audienceMismatch) {
            _ = try await Generated.verifier(spEntityID: "urn:other-sp").verify(responseXML: xml, inResponseTo: Generated.requestID, now: Generated.now)
        }
        await expectRejection(.destinationMismatch) {
            _ = try await Generated.verifier(acsURL: "https://sp.example.com/other").verify(responseXML: xml, inResponseTo: Generated.requestID, now: Generated.now)
        }
        var idp = try Generated.idp()
        idp.entityID = "https://idp.example.org/other"
        await expectRejection(.issuerMismatch) {
            _ = try await Generated.verifier(idp: idp).verify(responseXML: xml, inResponseTo: Generated.requestID, now: Generated.now)
        }
        var noKeys = try Generated.idp()
        noKeys.signingCertificates = []
        await expectRejection(.invalidConfiguration) {
            _ = try await Generated.verifier(idp: noKeys).verify(responseXML: xml, inResponseTo: Generated.requestID, now: Generated.now)
        }
        // only the rolled-over key configured: the signature names a key no longer trusted
        var rolled = try Generated.idp()
        rolled.signingCertificates = [try Generated.certificate("idp-rsa-next")]
        await expectRejection(.untrustedKey) {
            _ = try await Generated.verifier(idp: rolled).verify(responseXML: xml, inResponseTo: Generated.requestID, now: Generated.now)
        }
    }

    @Test func clockSkewBoundaries() async throws {
        let xml = Array(try Generated.response("assertion-signed.xml").utf8)
        // NotOnOrAfter 10:05:00, skew 90 s: accepted until 10:06:29, refused from 10:06:30
        _ = try Generated.verifier(policy: VerificationPolicy(maximumMessageAge: .seconds(3600)))
            .verifyWithoutReplayCheck(responseXML: xml, inResponseTo: Generated.requestID, now: Fixtures.date("2026-01-15T10:06:29Z"))
        await expectRejection(.expired) {
            _ = try Generated.verifier(policy: VerificationPolicy(maximumMessageAge: .seconds(3600)))
                .verifyWithoutReplayCheck(responseXML: xml, inResponseTo: Generated.requestID, now: Fixtures.date("2026-01-15T10:06:30Z"))
        }
        // NotBefore 09:59:00: accepted from 09:57:30
        _ = try Generated.verifier().verifyWithoutReplayCheck(responseXML: xml, inResponseTo: Generated.requestID, now: Fixtures.date("2026-01-15T09:58:30Z"))
        await expectRejection(.notYetValid) {
            _ = try Generated.verifier().verifyWithoutReplayCheck(responseXML: xml, inResponseTo: Generated.requestID, now: Fixtures.date("2026-01-15T09:57:29Z"))
        }
        // a zero skew is exact
        await expectRejection(.expired) {
            _ = try Generated.verifier(policy: VerificationPolicy(clockSkew: .zero, maximumMessageAge: .seconds(3600)))
                .verifyWithoutReplayCheck(responseXML: xml, inResponseTo: Generated.requestID, now: Fixtures.date("2026-01-15T10:05:00Z"))
        }
    }

    @Test func replayIsRefused() async throws {
        let xml = Array(try Generated.response("assertion-signed.xml").utf8)
        let store = InMemoryReplayStore()
        let v = try Generated.verifier(replayStore: store)
        _ = try await v.verify(responseXML: xml, inResponseTo: Generated.requestID, now: Generated.now)
        await expectRejection(.replayed) {
            _ = try await v.verify(responseXML: xml, inResponseTo: Generated.requestID, now: Generated.now.addingTimeInterval(5))
        }
        // another verifier sharing the store refuses it too
        await expectRejection(.replayed) {
            _ = try await Generated.verifier(replayStore: store).verify(responseXML: xml, inResponseTo: Generated.requestID, now: Generated.now)
        }
        #expect(await store.count == 1)
        // a full store of unexpired IDs refuses instead of forgetting
        let tiny = InMemoryReplayStore(capacity: 1)
        #expect(try await tiny.insertIfAbsent("a", expiresAt: Generated.now.addingTimeInterval(60), now: Generated.now))
        await expectRejection(.replayed) { _ = try await tiny.insertIfAbsent("b", expiresAt: Generated.now.addingTimeInterval(60), now: Generated.now) }
        // once expired, room is made again
        #expect(try await tiny.insertIfAbsent("b", expiresAt: Generated.now.addingTimeInterval(200), now: Generated.now.addingTimeInterval(61)))
    }

    @Test func requireSignedAssertionPolicy() async throws {
        let xml = Array(try Generated.response("response-signed.xml").utf8)
        _ = try await Generated.verifier().verify(responseXML: xml, inResponseTo: Generated.requestID, now: Generated.now)
        await expectRejection(.signatureMissing) {
            _ = try await Generated.verifier(policy: VerificationPolicy(requireSignedAssertion: true))
                .verify(responseXML: xml, inResponseTo: Generated.requestID, now: Generated.now)
        }
    }

    @Test func secureDefaults() {
        let p = VerificationPolicy.default
        #expect(p.clockSkew == .seconds(90))
        #expect(p.allowSHA1 == false)
        #expect(p.allowUnsolicited == false)
        #expect(p.allowRSA15KeyTransport == false)
        #expect(p.detectReplay == true)
        #expect(p.limits.maximumBytes == 1 << 20)
        #expect(p.limits.maximumDepth <= 256)
        #expect(p.maximumMessageAge <= .seconds(600))
    }
}
