import ArgumentParser
import Foundation
import SAML
import SAMLTesting

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Walk through a whole SP login on bundled data: IdP metadata, a signed AuthnRequest, verified and decrypted responses, and attacks refused. No network, no IdP."
    )

    /// The instant the bundled responses were issued for.
    static let instant = SAMLTime.parse("2026-01-15T10:01:00Z")!
    static let acs = "https://sp.example.com/saml/acs"

    func run() async throws {
        print("saml demo: a service provider at \(Self.acs) (its entity ID too) logging users in.\n")

        // 1. Metadata, as an admin would upload it.
        let aws = try IdentityProvider(metadata: DemoData.awsMetadata)
        print("1. AWS IAM Identity Center metadata (bundled file, us-east-1)")
        print("   entityID  \(aws.entityID)")
        for endpoint in aws.singleSignOnServices { print("   SSO       \(endpoint.binding)  \(endpoint.location)") }
        for cert in aws.signingCertificates {
            print("   signing   \(cert.subject), \(cert.keyAlgorithm) \(cert.keySize), valid to \(SAMLTime.format(cert.notAfter))")
            print("             SHA-256 \(cert.sha256Fingerprint)")
        }
        print("   NameID    \(aws.nameIDFormats.map(\.rawValue).joined(separator: ", "))\n")

        // 2. SP-initiated login: a signed HTTP-Redirect AuthnRequest.
        let idp = try IdentityProvider(metadata: DemoData.idpMetadata)
        let spKey = try DemoOnlyCredentials.serviceProvider()
        let sp = ServiceProvider(acsURL: Self.acs, signingKey: spKey, decryptionKeys: [spKey.privateKey])
        let request = try AuthnRequest(serviceProvider: sp, identityProvider: idp,
                                       options: AuthnRequestOptions(nameIDPolicy: NameIDPolicy(format: .emailAddress), relayState: "/dashboard"))
            .redirect(now: Self.instant)
        let tracker = InMemoryRequestTracker()
        print("2. AuthnRequest to \(idp.entityID) (IdP wants it signed: \(idp.wantsAuthnRequestsSigned))")
        print("   failover  \(idp.singleSignOnServices(for: .httpRedirect).map(\.location).joined(separator: " → "))")
        print("   id        \(request.id)  (kept with the browser's login state)")
        print("   redirect  \(request.url.prefix(110))…")
        print("             signed with \(request.signatureAlgorithm.map { "\($0)" } ?? "nothing") over SAMLRequest&RelayState&SigAlg\n")

        // 3. The IdP's answer, verified. The bundled answer was issued for request
        //    _req-7c1f2c5e9b0a4d6e8f10 at the demo instant.
        let verifier = ResponseVerifier(serviceProvider: sp, identityProvider: idp)
        let expected = "_req-7c1f2c5e9b0a4d6e8f10"
        let posted = Data(DemoData.signedResponse.utf8).base64EncodedString()
        let login = try await verifier.verify(samlResponse: posted, inResponseTo: expected, now: Self.instant)
        print("3. SAMLResponse posted to the ACS, verified at \(SAMLTime.format(Self.instant))")
        Self.show(login)

        // 4. The same assertion, encrypted to the SP's key.
        // (its own replay store: it carries the same assertion ID as step 3)
        let encrypted = try await ResponseVerifier(serviceProvider: sp, identityProvider: idp, replayStore: InMemoryReplayStore())
            .verify(responseXML: DemoData.encryptedResponse, inResponseTo: expected, now: Self.instant)
        print("4. Encrypted assertion (AES-256-GCM, RSA-OAEP), decrypted with the SP key and verified")
        print("   NameID    \(encrypted.nameID.value), assertion signed: \(encrypted.assertionSigned)\n")

        // 5. What an attacker might try, each refused with its own code.
        print("5. Attacks and mistakes, each refused")
        let original = DemoData.signedResponse
        let assertion = original[original.range(of: "<saml:Assertion ")!.lowerBound..<original.range(of: "</saml:Assertion>")!.upperBound]
        let evil = String(assertion)
            .replacingOccurrences(of: ">alice@example.com</saml:NameID>", with: ">mallory@example.com</saml:NameID>")
            .replacingOccurrences(of: "ID=\"_assert-8e4c61f09d2b4a7c93e5\"", with: "ID=\"_evil\"")
        let attempts: [(String, String, String?)] = [
            ("NameID changed after signing", original.replacingOccurrences(of: ">alice@example.com</saml:NameID>", with: ">mallory@example.com</saml:NameID>"), expected),
            ("forged assertion wrapped beside the signed one", original.replacingOccurrences(of: String(assertion), with: evil + assertion), expected),
            ("signature removed", Self.removingSignature(original), expected),
            ("DOCTYPE with an external entity", original.replacingOccurrences(of: "<samlp:Response", with: "<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><samlp:Response"), expected),
            ("answer to a request this SP never sent", original, "_req-someone-else"),
            ("IdP-initiated while the policy refuses it", original, nil),
            ("the genuine response, posted a second time", original, expected),
        ]
        for (label, xml, requestID) in attempts {
            do {
                _ = try await verifier.verify(responseXML: Array(xml.utf8), inResponseTo: requestID, now: Self.instant)
                print("   ✗ ACCEPTED: \(label)")
                throw ExitCode(1)
            } catch let error as SAMLError {
                print("   ✓ \(label)")
                print("       \(error.code): \(error.reason)")
            }
        }
        let answeredUntil = request.issueInstant.addingTimeInterval(300)
        let first = try await tracker.consume(request.id, expiresAt: answeredUntil, now: Self.instant)
        let second = try await tracker.consume(request.id, expiresAt: answeredUntil, now: Self.instant)
        print("\nThe request tracker records \(request.id) as answered once the response verified (\(first)); a second answer is refused: \(!second).")
        print("Try it on your own data: saml metadata FILE · saml verify --help · saml authn-request --help")
    }

    static func show(_ login: VerifiedAssertion) {
        print("   issuer    \(login.issuer)")
        print("   NameID    \(login.nameID.value) (\(login.nameID.format?.rawValue ?? "no format"))")
        print("   e-mail    \(login.email ?? "-"), name \(login.displayName ?? "-") (\(login.givenName ?? "-") / \(login.surname ?? "-"))")
        print("   session   \(login.sessionIndex ?? "-"), until \(login.sessionNotOnOrAfter.map(SAMLTime.format) ?? "-"), \(login.authnContextClassRef ?? "-")")
        print("   signed    response: \(login.responseSigned), assertion: \(login.assertionSigned)")
        for role in login.awsRoles { print("   AWS role  \(role.roleARN) via \(role.providerARN)") }
        print("   attributes")
        for attribute in login.attributes { print("     \(attribute.name) = \(attribute.values.joined(separator: " | "))") }
        print("")
    }

    static func removingSignature(_ xml: String) -> String {
        guard let start = xml.range(of: "<ds:Signature"), let end = xml.range(of: "</ds:Signature>") else { return xml }
        return xml.replacingCharacters(in: start.lowerBound..<end.upperBound, with: "")
    }
}
