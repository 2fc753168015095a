import Foundation
import SAML
import SAMLTesting
import Testing
import SAMLTestSupport

/// The account key is the scoped subject: issuer, NameID value, format and qualifiers.
@Suite("Login subject")
struct LoginSubjectTests {
    @Test("a login's subject carries the verified issuer and the whole NameID; equal only when every part agrees")
    func scopedSubject() async throws {
        let idp = try TestIdPWorld.idp(wantSigned: true)
        let saml = try TestIdPWorld.facade(idp, encrypted: false)
        let start = try await saml.login()
        let issued = try TestIdPWorld.answer(start, idp: idp, options: ResponseOptions())
        let login = try await saml.finishLogin(samlResponse: issued.base64, relayState: issued.relayState, browserState: start.browserState)
        #expect(login.subject.issuer == idp.entityID)
        #expect(login.subject.value == login.nameID.value)
        #expect(login.subject.format == login.nameID.format?.rawValue)
        #expect(login.subject == Login.Subject(issuer: idp.entityID, nameID: login.nameID))

        // The same e-mail from another IdP, or in another format or qualifier, is another account.
        let other = Login.Subject(issuer: "https://tenant.idp.example/", nameID: login.nameID)
        #expect(other != login.subject && other.accountKey != login.subject.accountKey)
        var qualified = login.nameID
        qualified.nameQualifier = "other"
        #expect(Login.Subject(issuer: idp.entityID, nameID: qualified).accountKey != login.subject.accountKey)
        // Length-prefixed parts: no value can imitate another split.
        let a = Login.Subject(issuer: "a|1:b", nameID: NameID(value: "c"))
        let b = Login.Subject(issuer: "a", nameID: NameID(value: "b|1:c"))
        #expect(a.accountKey != b.accountKey)
    }
}
