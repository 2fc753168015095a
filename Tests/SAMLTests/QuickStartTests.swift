import Foundation
import SAML
import Testing

/// The README's quick start, verbatim in the middle, run against the generated fixtures.
@Suite struct QuickStartTests {
    @Test func readmeQuickStartCompilesAndRuns() async throws {
        let metadataBytes = try Fixtures.bytes("reference/idp-metadata/aws-iam-identity-center_us-east-1.xml")

        // --- README: Quick start (keep in step) ---
        // Once, at start-up: the IdP (from its metadata file) and this SP.
        let idp = try IdentityProvider(metadata: metadataBytes)                 // e.g. AWS IAM Identity Center's file
        let sp = ServiceProvider(acsURL: "https://app.example.com/saml/acs")    // the ACS URL doubles as entity ID
        let verifier = ResponseVerifier(serviceProvider: sp, identityProvider: idp)
        let tracker: any RequestTracker = InMemoryRequestTracker()

        // Login: send the browser to the IdP.
        let request = try AuthnRequest(serviceProvider: sp, identityProvider: idp).redirect()
        try await tracker.store(request.tracked())
        // → respond with a 302 to request.url

        // ACS: the IdP posts SAMLResponse (and RelayState) back.
        func acs(samlResponse: String, requestID: String) async throws -> String {
            guard try await tracker.consume(requestID) != nil else { throw SAMLError(.inResponseToMismatch, "unknown request") }
            let login = try await verifier.verify(samlResponse: samlResponse, inResponseTo: requestID)
            return login.email ?? login.nameID.value      // also: login.attributes, login.awsRoles, login.sessionIndex
        }
        // --- end of README code ---

        #expect(request.url.hasPrefix("https://portal.sso.us-east-1.amazonaws.com/saml/assertion/NDQ0OTc1NjczNTMwX2lucy01MTRmOGNkNGRjYzJhMjky?SAMLRequest="))
        // The fixture response comes from another IdP, for another SP and request, so this ACS
        // refuses it, first at the tracker…
        let posted = Data(try Generated.response("assertion-signed.xml").utf8).base64EncodedString()
        await expectRejection(.inResponseToMismatch) { _ = try await acs(samlResponse: posted, requestID: Generated.requestID) }
        // …and, for a request it did send, at the verifier.
        await expectRejection(.untrustedKey) { _ = try await acs(samlResponse: posted, requestID: request.id) }
    }
}
