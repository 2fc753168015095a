import Foundation
import SAML
import SAMLCore
import Testing
import SAMLTestSupport

/// What an ACS receives: the base64 form value and the URL-encoded form body.
@Suite("Form input: base64 and URL-encoded bodies")
struct FormInputTests {
    /// The reference: Foundation decodes the text without the whitespace ours skips, and the
    /// result counts only when Foundation's encoding of it gives that text back (Foundation is
    /// lenient about padding and unused bits; ours accepts the canonical spelling only).
    static func foundationDecode(_ text: String) -> [UInt8]? {
        let stripped = String(text.unicodeScalars.filter { !" \t\r\n".unicodeScalars.contains($0) })
        guard let data = Data(base64Encoded: stripped), !data.isEmpty,
              data.base64EncodedString() == stripped else { return nil }
        return [UInt8](data)
    }

    @Test("base64: whitespace anywhere is skipped; every input form gives the same bytes")
    func base64Whitespace() {
        let expected = Array("any carnal pleasure.".utf8)
        for text in ["YW55IGNhcm5hbCBwbGVhc3VyZS4=", " YW55IGNh\r\ncm5hbCBw\tbGVhc3VyZS4=\n", "YW55IGNhcm5hbCBwbGVhc3VyZS4 =  "] {
            #expect(Base64.decode(text) == expected, "\(text)")
            #expect(Base64.decode(text[...]) == expected, "\(text)")
            #expect(Base64.decode(bytes: Array(text.utf8)) == expected, "\(text)")
        }
        // A bridged or otherwise non-contiguous string takes the copying path and agrees.
        let bridged = NSString(string: "YW55IGNh\ncm5hbCBwbGVhc3VyZS4=") as String
        #expect(Base64.decode(bridged) == expected)
    }

    @Test("base64: invalid characters, padding and lengths are refused", arguments: [
        "", "   \n", "YQ", "YQ=", "YWI", "YQ===", "YWJj=", "YQ==YQ==", "YQ==Y", "=YQ=", "Y===",
        "QR==", "QUJ=", "Wg=I=", "YW-j", "YW_j", "YW%3D", "YWJj\u{0}", "YWJj\u{0B}", "YWJj\u{0C}", "YWJjé", "YW.j", "YWJj,",
    ])
    func base64Refusals(_ text: String) {
        #expect(Base64.decode(text) == nil, "\(text.debugDescription)")
        #expect(Base64.decode(bytes: Array(text.utf8)) == nil, "\(text.debugDescription)")
    }

    @Test("base64: agrees with Foundation's decoder on random valid and damaged inputs")
    func base64MatchesFoundation() {
        var rng = SplitMix64(state: 0x5A4D_4C10)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=".utf8)
        let junk = Array("-_.%!*~\u{7F}é".utf8)
        var accepted = 0, refused = 0
        for round in 0..<3000 {
            let length = round < 40 ? round : Int.random(in: 1...700, using: &rng)
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
            var text = Array(Data(bytes).base64EncodedString().utf8)
            // Whitespace sprinkled in, as line-wrapping encoders and pastes do.
            for _ in 0..<Int.random(in: 0...4, using: &rng) where !text.isEmpty {
                text.insert(Array(" \t\r\n".utf8).randomElement(using: &rng)!, at: Int.random(in: 0...text.count, using: &rng))
            }
            // A third of the inputs damaged: a character replaced, dropped or added.
            if round % 3 == 1, !text.isEmpty {
                let at = Int.random(in: 0..<text.count, using: &rng)
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: text[at] = alphabet.randomElement(using: &rng)!
                case 1: text.remove(at: at)
                case 2: text.insert(alphabet.randomElement(using: &rng)!, at: at)
                default: text[at] = junk.randomElement(using: &rng)!
                }
            }
            let string = String(decoding: text, as: UTF8.self)
            let ours = Base64.decode(string)
            let theirs = Self.foundationDecode(string)
            #expect(ours == theirs, "round \(round): \(string.debugDescription)")
            if round % 3 != 1 { #expect(ours == (bytes.isEmpty ? nil : bytes), "round \(round)") }
            if ours == nil { refused += 1 } else { accepted += 1 }
        }
        // Both outcomes were exercised.
        #expect(accepted > 2000 && refused > 200, "accepted \(accepted), refused \(refused)")
    }

    // MARK: - Form bodies

    @Test("form body: fields decoded, other fields ignored, order free")
    func formBodyFields() throws {
        let form = try SAMLFormBody("RelayState=%2Fapp%3Fx%3D1+2&other=%FF&SAMLResponse=PHg%2BPC94Pg%3D%3D&&")
        #expect(form.samlResponse == "PHg+PC94Pg==")
        #expect(form.relayState == "/app?x=1 2")
        #expect(form.samlRequest == nil)
        #expect(try SAMLFormBody(bytes: Array("SAMLRequest=abc".utf8)).samlRequest == "abc")
        #expect(try SAMLFormBody("RelayState=caf%C3%A9").relayState == "café")
        #expect(try SAMLFormBody("RelayState").relayState == "")
        #expect(try SAMLFormBody("").samlResponse == nil)
        #expect(try SAMLFormBody.decodeValue("a%2Bb+c") == "a+b c")
    }

    @Test("form body: malformed escapes, raw control or non-ASCII bytes, bad UTF-8 and repeats are refused", arguments: [
        "SAMLResponse=abc%", "SAMLResponse=abc%2", "SAMLResponse=abc%zz", "SAMLResponse=%G1",
        "SAMLResponse=ab c", "SAMLResponse=ab\tc", "SAMLResponse=abc\r\n", "RelayState=café",
        "RelayState=%C3", "RelayState=%FF%FE", "SAMLResponse=a&SAMLResponse=b", "RelayState=&RelayState=",
        "SAML%52esponse=a&SAMLResponse=b",
    ])
    func formBodyRefusals(_ body: String) {
        do {
            _ = try SAMLFormBody(body)
            Issue.record("accepted \(body.debugDescription)")
        } catch let error as SAMLError {
            #expect(error.code == .invalidEncoding, "\(error)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("form body: over the size limit is refused before decoding")
    func formBodyLimit() async throws {
        await expectRejection(.tooLarge) { _ = try SAMLFormBody("SAMLResponse=" + String(repeating: "A", count: 100), maximumBytes: 64) }
        #expect(try SAMLFormBody("SAMLResponse=" + String(repeating: "A", count: 51), maximumBytes: 64).samlResponse?.count == 51)
    }

    @Test("verify(formBody:): the posted body of a signed response verifies; RelayState comes back")
    func verifyFormBody() async throws {
        let xml = try Fixtures.bytes("generated/responses/assertion-signed.xml")
        let value = Data(xml).base64EncodedString(options: .lineLength76Characters)
        let body = "SAMLResponse=" + formEncode(value) + "&RelayState=" + formEncode("/home?tab=1 2")
        let form = try SAMLFormBody(body)
        #expect(form.relayState == "/home?tab=1 2")
        let login = try await Generated.verifier().verify(form: form, inResponseTo: Generated.requestID, now: Generated.now)
        #expect(login.nameID.value == "alice@example.com")
        let again = try await Generated.verifier().verify(formBody: body, inResponseTo: Generated.requestID, now: Generated.now)
        #expect(again.assertionID == Generated.assertionID)
    }

    @Test("verify(formBody:): an unescaped + (read as a space) breaks the value instead of being repaired")
    func verifyFormBodyRawPlus() async throws {
        let xml = try Fixtures.bytes("generated/responses/assertion-signed.xml")
        let value = Data(xml).base64EncodedString()
        try #require(value.contains("+"))
        // Escape everything except "+", as a careless encoder does.
        let careless = formEncode(value).replacingOccurrences(of: "%2B", with: "+")
        await expectRejection(.invalidEncoding) {
            _ = try await Generated.verifier().verify(formBody: "SAMLResponse=" + careless, inResponseTo: Generated.requestID, now: Generated.now)
        }
    }

    @Test("verify(formBody:): a tampered response in a well-formed body is still rejected")
    func verifyFormBodyTampered() async throws {
        let xml = try Generated.response("assertion-signed.xml").replacingOccurrences(of: ">alice@example.com<", with: ">alicf@example.com<")
        let body = "SAMLResponse=" + formEncode(Data(xml.utf8).base64EncodedString())
        await expectRejection(.signatureInvalid) {
            _ = try await Generated.verifier().verify(formBody: body, inResponseTo: Generated.requestID, now: Generated.now)
        }
    }

    @Test("verify(formBody:): a body without SAMLResponse is refused")
    func verifyFormBodyMissing() async throws {
        await expectRejection(.invalidMessage) {
            _ = try await Generated.verifier().verify(formBody: "RelayState=x", inResponseTo: Generated.requestID, now: Generated.now)
        }
    }
}
