import Foundation
import SAML
import SAMLCore
import SAMLTesting
import Testing
import SAMLTestSupport

/// Request text an unauthenticated client chose enters error reasons (and so logs) escaped: a
/// CR/LF cannot start a forged log line, a bidirectional control cannot reorder one.
@Suite("Log forging through request text")
struct LogForgingTests {
    static let forged = "evil\r\n2026-12-07T00:00:00Z notice SAML login accepted user=admin\u{202E}\u{0}"

    static func expectEscaped(_ error: SAMLError?, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let error else { Issue.record("no error", sourceLocation: sourceLocation); return }
        for scalar in error.reason.unicodeScalars {
            #expect(scalar.value >= 0x20 && scalar.value != 0x7F && scalar.value != 0x202E, "raw U+\(String(scalar.value, radix: 16)) in \(error.reason)",
                    sourceLocation: sourceLocation)
        }
        #expect(error.reason.contains("\\u{d}\\u{a}"), "\(error.reason)", sourceLocation: sourceLocation)
        #expect(error.description.split(whereSeparator: \.isNewline).count == 1, sourceLocation: sourceLocation)
    }

    @Test("?idp= naming no configured IdP")
    func idpParameter() async throws {
        let idp = try TestIdPWorld.idp(wantSigned: false)
        let saml = try TestIdPWorld.facade(idp, encrypted: false)
        let error = await expectRejection(.entityNotFound) { _ = try await saml.login(idp: Self.forged) }
        Self.expectEscaped(error)
    }

    @Test("SAMLEncoding of the Redirect binding")
    func samlEncoding() async throws {
        let encoding = Self.forged.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let error = await expectRejection(.unsupported) {
            _ = try RedirectBindingMessage(query: "SAMLRequest=abcd&SAMLEncoding=\(encoding)")
        }
        Self.expectEscaped(error)
    }
}
