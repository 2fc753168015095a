import Foundation
import SAML
import SAMLTesting
import Testing
import SAMLTestSupport

/// Our own ResponseVerifier against the test IdP, at the real clock.
@Suite("Test IdP: ResponseVerifier accepts good responses and refuses broken ones")
struct TestIdPVerifierTests {
    typealias W = TestIdPWorld

    struct Good: CustomTestStringConvertible, Sendable {
        var signing: ResponseOptions.Signing
        var ecdsa: Bool
        var encryption: ResponseOptions.ContentEncryption?
        var testDescription: String { "\(signing) \(ecdsa ? "ECDSA" : "RSA") \(encryption.map { "\($0)" } ?? "clear")" }
    }

    static let goodCases: [Good] = ResponseOptions.Signing.allCases.flatMap { signing in
        [false, true].flatMap { ecdsa in
            ([nil] + ResponseOptions.ContentEncryption.allCases).map { Good(signing: signing, ecdsa: ecdsa, encryption: $0) }
        }
    }

    @Test("good responses verify at the real clock", arguments: goodCases)
    func good(_ variant: Good) async throws {
        let idp = try W.idp(ecdsa: variant.ecdsa)
        let options = ResponseOptions(signing: variant.signing, encryptionCertificate: variant.encryption == nil ? nil : try W.spCertificate(),
                                      contentEncryption: variant.encryption ?? .aes256GCM)
        let issued = try idp.issueResponse(for: .alice, serviceProviderEntityID: W.spEntityID, acsURL: W.acsURL,
                                           inResponseTo: W.requestID, relayState: "/inbox", options: options)
        // AES-CBC in an unsigned Response is refused by default, and accepted where the policy allows it.
        let cbcUnsigned = variant.signing == .assertion && variant.encryption?.uri.hasSuffix("-cbc") == true
        if cbcUnsigned {
            await expectRejection(.algorithmNotAllowed) { _ = try await W.verifier(idp).verify(samlResponse: issued.base64, inResponseTo: W.requestID) }
        }
        let login = try await W.verifier(idp, policy: VerificationPolicy(refuseCBCInUnsignedResponse: !cbcUnsigned))
            .verify(samlResponse: issued.base64, inResponseTo: W.requestID)
        #expect(login.nameID.value == "alice@example.com")
        #expect(login.nameID.format == .emailAddress)
        #expect(login.issuer == idp.entityID)
        #expect(login.email == "alice@example.com")
        #expect(login.displayName == "Alice Example")
        #expect(login.givenName == "Alice")
        #expect(login.surname == "Example")
        #expect(login.awsRoles.first?.roleARN == "arn:aws:iam::123456789012:role/DemoReadOnly")
        #expect(login.responseSigned == (variant.signing != .assertion))
        #expect(login.assertionSigned == (variant.signing != .response))
        #expect(login.wasEncrypted == (variant.encryption != nil))
        #expect(login.assertionID == issued.assertionID)
        #expect(login.responseID == issued.responseID)
        #expect(login.inResponseTo == W.requestID)
        #expect(login.authnContextClassRef == ResponseOptions.passwordProtectedTransport)
        #expect(login.sessionIndex != nil)
        #expect(login.sessionNotOnOrAfter != nil)
        if variant.encryption != nil {
            #expect(issued.xml.contains("<saml:EncryptedAssertion"))
            #expect(!issued.xml.contains("alice@example.com"))
            #expect(issued.xml.contains(variant.encryption!.uri))
        }
    }

    @Test("non-ASCII and XML-special attribute values arrive intact")
    func escaping() async throws {
        let idp = try W.idp()
        let issued = try idp.issueResponse(for: .chloe, serviceProviderEntityID: W.spEntityID, acsURL: W.acsURL, inResponseTo: W.requestID)
        let login = try await W.verifier(idp).verify(samlResponse: issued.base64, inResponseTo: W.requestID)
        #expect(login.displayName == "Chloé Ünicode <&> \"Q\"")
        #expect(login.givenName == "Chloé")
    }

    @Test("a given time: the response verifies at that time and is expired an hour later")
    func givenTime() async throws {
        let idp = try W.idp()
        let then = Date(timeIntervalSince1970: 1_800_000_000)
        let issued = try idp.issueResponse(for: .bob, serviceProviderEntityID: W.spEntityID, acsURL: W.acsURL,
                                           inResponseTo: W.requestID, options: ResponseOptions(lifetime: 120), now: then)
        #expect(issued.xml.contains(#"IssueInstant="2027-01-15T08:00:00Z""#))
        #expect(issued.xml.contains(#"NotOnOrAfter="2027-01-15T08:02:00Z""#))
        let login = try await W.verifier(idp).verify(samlResponse: issued.base64, inResponseTo: W.requestID, now: then.addingTimeInterval(30))
        #expect(login.values(of: "groups") == ["engineering", "on-call"])
        await expectRejection(.expired) {
            _ = try await W.verifier(idp).verify(samlResponse: issued.base64, inResponseTo: W.requestID, now: then.addingTimeInterval(3600))
        }
    }

    struct Broken: CustomTestStringConvertible, Sendable {
        var kind: BrokenVariant
        var signing: ResponseOptions.Signing
        var ecdsa: Bool
        var encrypted: Bool
        var testDescription: String { "\(kind) (\(signing), \(ecdsa ? "ECDSA" : "RSA"), \(encrypted ? "encrypted" : "clear"))" }
    }

    static let brokenCases: [Broken] = BrokenVariant.allCases.flatMap { kind in
        ResponseOptions.Signing.allCases.flatMap { signing in
            [false, true].map { encrypted in Broken(kind: kind, signing: signing, ecdsa: signing == .assertion, encrypted: encrypted) }
        }
    }

    @Test("broken variants are refused with their exact code", arguments: brokenCases)
    func broken(_ variant: Broken) async throws {
        let idp = try W.idp(ecdsa: variant.ecdsa)
        let options = ResponseOptions(signing: variant.signing, encryptionCertificate: variant.encrypted ? try W.spCertificate() : nil,
                                      broken: variant.kind)
        let issued = try idp.issueResponse(for: .alice, serviceProviderEntityID: W.spEntityID, acsURL: W.acsURL,
                                           inResponseTo: W.requestID, options: options)
        #expect(issued.broken == variant.kind)
        let verifier = try W.verifier(idp)
        if variant.kind == .replayed {
            let first = try await verifier.verify(samlResponse: issued.base64, inResponseTo: W.requestID)
            #expect(first.nameID.value == "alice@example.com")
            let again = idp.replay(issued)
            #expect(again.base64 == issued.base64)
            await expectRejection(.replayed) {
                _ = try await verifier.verify(samlResponse: again.base64, inResponseTo: W.requestID)
            }
            return
        }
        await expectRejection(variant.kind.expectedErrorCode(for: options)) {
            _ = try await verifier.verify(samlResponse: issued.base64, inResponseTo: W.requestID)
        }
    }

    @Test("the expected codes are the ones documented for each variant")
    func expectedCodes() {
        let codes = Dictionary(uniqueKeysWithValues: BrokenVariant.allCases.map { ($0, $0.expectedErrorCode) })
        #expect(codes[.expired] == .expired)
        #expect(codes[.notYetValid] == .notYetValid)
        #expect(codes[.wrongAudience] == .audienceMismatch)
        #expect(codes[.wrongRecipient] == .recipientMismatch)
        #expect(codes[.wrongIssuer] == .issuerMismatch)
        #expect(codes[.unsigned] == .signatureMissing)
        #expect(codes[.tamperedAfterSigning] == .signatureInvalid)
        #expect(codes[.wrapped] == .wrappedSignature)
        #expect(codes[.replayed] == .replayed)
        #expect(codes[.otherRequestInResponseTo] == .inResponseToMismatch)
        #expect(BrokenVariant(name: "not-yet-valid") == .notYetValid)
        #expect(BrokenVariant(name: "tampered") == .tamperedAfterSigning)
        #expect(BrokenVariant(name: "otherRequestInResponseTo") == .otherRequestInResponseTo)
        #expect(BrokenVariant(name: "nonsense") == nil)
    }

    @Test("an IdP-initiated response verifies when the policy allows unsolicited responses")
    func unsolicited() async throws {
        let idp = try W.idp()
        let issued = try idp.issueResponse(for: .alice, serviceProviderEntityID: W.spEntityID, acsURL: W.acsURL, inResponseTo: nil)
        #expect(!issued.xml.contains("InResponseTo"))
        let login = try await W.verifier(idp, policy: VerificationPolicy(allowUnsolicited: true))
            .verify(samlResponse: issued.base64, inResponseTo: nil)
        #expect(login.inResponseTo == nil)
        await expectRejection(.unsolicitedResponse) {
            _ = try await W.verifier(idp).verify(samlResponse: issued.base64, inResponseTo: nil)
        }
    }

    @Test("an assertion encrypted for another certificate is refused")
    func wrongEncryptionKey() async throws {
        let idp = try W.idp()
        let other = try DemoOnlyCredentials.identityProviderRSA().certificate
        let issued = try idp.issueResponse(for: .alice, serviceProviderEntityID: W.spEntityID, acsURL: W.acsURL,
                                           inResponseTo: W.requestID, options: ResponseOptions(encryptionCertificate: other))
        await expectRejection(.decryptionFailed) {
            _ = try await W.verifier(idp).verify(samlResponse: issued.base64, inResponseTo: W.requestID)
        }
        // An EC certificate cannot carry an RSA-OAEP key.
        #expect(throws: SAMLError.self) {
            _ = try idp.issueResponse(for: .alice, serviceProviderEntityID: W.spEntityID, acsURL: W.acsURL, inResponseTo: W.requestID,
                                      options: ResponseOptions(encryptionCertificate: try DemoOnlyCredentials.identityProviderEC().certificate))
        }
    }
}
