import Foundation
import Testing
import SAMLTestSupport

/// The `saml` command on the inputs an ACS receives, and the request-signing benchmark.
@Suite("CLI: form bodies and benchmarks")
struct FormInputCLITests {
    static let options = CLI.verifyOptions
    static let signedPath = CLI.signed

    static func formBody() throws -> String {
        let xml = try Fixtures.bytes("generated/responses/assertion-signed.xml")
        return "SAMLResponse=" + formEncode(Data(xml).base64EncodedString()) + "&RelayState=%2Fapp"
    }

    @Test("verify: a captured URL-encoded form body")
    func verifyFormBody() throws {
        let result = try CLI.run(["verify"] + Self.options + ["-"], stdin: Data(try Self.formBody().utf8))
        #expect(result.status == 0, "\(result.summary)")
        #expect((try result.json()["nameID"] as? [String: Any])?["value"] as? String == "alice@example.com")
    }

    @Test("verify: a form body with a broken escape is a usage error naming the problem")
    func verifyBrokenFormBody() throws {
        let result = try CLI.run(["verify"] + Self.options + ["-"], stdin: Data("SAMLResponse=PHg%2".utf8))
        #expect(result.status == 2, "\(result.summary)")
        #expect(result.stderr.contains("invalidEncoding"), "\(result.summary)")
    }

    @Test("bench verify: each input form is recognised and timed", arguments: ["xml", "base64", "form"])
    func benchVerifyInputs(_ form: String) throws {
        let xml = try Fixtures.text("generated/responses/assertion-signed.xml")
        let text = switch form {
        case "xml": xml
        case "base64": Data(xml.utf8).base64EncodedString(options: .lineLength76Characters) + "\n"
        default: try Self.formBody()
        }
        let path = try CLI.temporaryFile(text, name: "input.\(form)")
        let result = try CLI.run(["bench", "verify", "--iterations", "4"] + Self.options + [path])
        #expect(result.status == 0, "\(result.summary)")
        #expect(result.stdout.contains("input: \(form), "), "\(result.summary)")
        let forced = try CLI.run(["bench", "verify", "--iterations", "2", "--input", form] + Self.options + [path])
        #expect(forced.status == 0, "\(forced.summary)")
    }

    @Test("bench verify: a tampered body is rejected before any timing")
    func benchVerifyTampered() throws {
        let xml = try Fixtures.text("generated/responses/assertion-signed.xml").replacingOccurrences(of: ">alice@", with: ">alicf@")
        let path = try CLI.temporaryFile("SAMLResponse=" + formEncode(Data(xml.utf8).base64EncodedString()), name: "tampered.form")
        let result = try CLI.run(["bench", "verify", "--iterations", "2"] + Self.options + [path])
        #expect(result.status == 1, "\(result.summary)")
        #expect(result.stdout.contains("signatureInvalid"), "\(result.summary)")
        #expect(!result.stdout.contains("verify: "), "\(result.summary)")
    }

    @Test("bench authn-request: redirect and post sign; the template has empty digest and signature", arguments: ["redirect", "post"])
    func benchAuthnRequest(_ binding: String) throws {
        let template = FileManager.default.temporaryDirectory.appendingPathComponent("template-\(UUID().uuidString).xml").path
        defer { try? FileManager.default.removeItem(atPath: template) }
        let result = try CLI.run(["bench", "authn-request", "--binding", binding, "--iterations", "3", "--template", template]
                                 + CLI.base + CLI.signing)
        #expect(result.status == 0, "\(result.summary)")
        let last = result.stdout.split(whereSeparator: \.isNewline).last.map(String.init) ?? ""
        #expect(last.wholeMatch(of: #/^sign: [0-9]+ ops/s [0-9]+\.[0-9] us/op$/#) != nil, "last line: \(last)")
        let xml = try String(contentsOfFile: template, encoding: .utf8)
        #expect(xml.contains("<ds:DigestValue></ds:DigestValue>") && xml.contains("<ds:SignatureValue></ds:SignatureValue>"), "\(xml)")
        #expect(xml.contains("<samlp:AuthnRequest"), "\(xml)")
    }
}
