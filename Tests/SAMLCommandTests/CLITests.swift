import Foundation
import SAML
import SAMLCore
import SAMLXMLSec
import Testing
import SAMLTestSupport

@Suite("CLI: the saml executable")
struct CLITests {
    static let aws = "Fixtures/reference/idp-metadata/aws-iam-identity-center_us-east-1.xml"
    static let sambi = "Fixtures/reference/idp-metadata/sambi-test-federation_aggregate_signed.xml"

    // MARK: - metadata

    @Test("metadata: AWS IAM Identity Center as JSON")
    func metadataAWS() throws {
        let result = try CLI.run(["metadata", Self.aws])
        #expect(result.status == 0, "\(result.summary)")
        let json = try result.json()
        let entityID = "https://portal.sso.us-east-1.amazonaws.com/saml/assertion/NDQ0OTc1NjczNTMwX2lucy01MTRmOGNkNGRjYzJhMjky"
        #expect(json["entityID"] as? String == entityID)
        let sso = try #require(json["singleSignOnServices"] as? [[String: Any]])
        #expect(sso.compactMap { $0["binding"] as? String } == [
            "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST", "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect",
        ])
        #expect(sso.compactMap { $0["location"] as? String } == [entityID, entityID])
        #expect((json["singleLogoutServices"] as? [Any])?.count == 2)
        let signing = try #require(json["signingCertificates"] as? [[String: Any]])
        #expect(signing.count == 1)
        #expect(signing.first?["sha256Fingerprint"] as? String == "c4944e400e77f3117625cd23823fbc5658893a70a924ccfc28dce804a882b03b")
        #expect(signing.first?["notAfter"] as? String == "2029-01-03T14:27:25Z")
        #expect(signing.first?["keyAlgorithm"] as? String == "RSA")
        #expect(signing.first?["keySize"] as? Int == 2048)
        #expect((json["encryptionCertificates"] as? [Any])?.isEmpty == true)
        #expect(json["nameIDFormats"] as? [String] == ["urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"])
        #expect(json["wantAuthnRequestsSigned"] as? Bool == false)
        #expect(result.stderr.isEmpty)
    }

    @Test("metadata: an aggregate needs --entity-id; the error lists the IdPs (exit 1: refused)")
    func metadataAggregate() throws {
        let result = try CLI.run(["metadata", "--now", "2014-11-01T00:00:00Z", Self.sambi])
        #expect(result.status == 1, "\(result.summary)")
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("entityNotFound"))
        for id in MetadataSamples.sambiIdPs { #expect(result.stderr.contains(id), "stderr lacks \(id)") }

        let chosen = try CLI.run(["metadata", "--now", "2014-11-01T00:00:00Z", "--entity-id", "http://idp-acc.test.ek.sll.se/neas", Self.sambi])
        #expect(chosen.status == 0, "\(chosen.summary)")
        let json = try chosen.json()
        #expect(json["entityID"] as? String == "http://idp-acc.test.ek.sll.se/neas")
        #expect(json["validUntil"] as? String == "2014-11-06T10:45:03Z")
        #expect(json["cacheDuration"] as? String == "PT15M")
        #expect(json["wantAuthnRequestsSigned"] as? Bool == true)
        let signing = try #require(json["signingCertificates"] as? [[String: Any]])
        #expect(signing.map { $0["sha256Fingerprint"] as? String } == ["c24a91ad9227a0122e0336bc078945dd7df4b15d3436f644cd917d75d65b87df"])

        let unknown = try CLI.run(["metadata", "--now", "2014-11-01T00:00:00Z", "--entity-id", "https://nobody.example/idp", Self.sambi])
        #expect(unknown.status == 1, "\(unknown.summary)")
    }

    @Test("metadata: an unreadable file exits 2, non-metadata XML is refused with 1")
    func metadataErrors() throws {
        let missing = try CLI.run(["metadata", "Fixtures/does-not-exist.xml"])
        #expect(missing.status == 2, "\(missing.summary)")
        #expect(missing.stderr.contains("does-not-exist.xml"))
        #expect(missing.stdout.isEmpty)

        let foo = try CLI.run(["metadata", try CLI.temporaryFile("<foo/>")])
        #expect(foo.status == 1, "\(foo.summary)")
        #expect(foo.stderr.contains("invalidMetadata"))

        let noArgument = try CLI.run(["metadata"])
        #expect(noArgument.status == 2, "\(noArgument.summary)")
    }

    // MARK: - verify

    @Test("verify: the signed generated response prints the identity")
    func verifySigned() throws {
        let result = try CLI.run(["verify"] + CLI.verifyOptions + [CLI.signed])
        #expect(result.status == 0, "\(result.summary)")
        let json = try result.json()
        #expect(json["issuer"] as? String == "https://idp.example.org/metadata")
        let nameID = try #require(json["nameID"] as? [String: Any])
        #expect(nameID["value"] as? String == "alice@example.com")
        #expect(nameID["format"] as? String == "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress")
        #expect(json["sessionIndex"] as? String == "_session-5f2a9c")
        #expect(json["authnInstant"] as? String == "2026-01-15T09:58:30Z")
        #expect(json["inResponseTo"] as? String == Generated.requestID)
        #expect(json["assertionID"] as? String == Generated.assertionID)
        #expect(json["responseID"] as? String == Generated.responseID)
        #expect(json["assertionSigned"] as? Bool == true)
        #expect(json["responseSigned"] as? Bool == false)
        #expect(json["encrypted"] as? Bool == false)
        let attributes = try #require(json["attributes"] as? [String: [String]])
        #expect(attributes["email"] == ["alice@example.com"])
        #expect(attributes["name"] == ["Alice Example"])
        #expect(attributes["givenName"] == ["Alice"])
        #expect(attributes["surName"] == ["Example"])
        #expect(attributes["https://aws.amazon.com/SAML/Attributes/Role"] == [
            "arn:aws:iam::123456789012:role/Admin,arn:aws:iam::123456789012:saml-provider/ExampleIdP",
            "arn:aws:iam::210987654321:saml-provider/ExampleIdP,arn:aws:iam::210987654321:role/ReadOnly",
        ])
        #expect(attributes["https://aws.amazon.com/SAML/Attributes/SessionDuration"] == ["3600"])
        #expect(attributes.count == 7)
    }

    @Test("verify: the base64 form value on standard input (-)")
    func verifyStdin() throws {
        let xml = try Fixtures.bytes("generated/responses/assertion-signed.xml")
        let formValue = Data(Data(xml).base64EncodedString().utf8)
        let result = try CLI.run(["verify"] + CLI.verifyOptions + ["-"], stdin: formValue)
        #expect(result.status == 0, "\(result.summary)")
        let json = try result.json()
        #expect((json["nameID"] as? [String: Any])?["value"] as? String == "alice@example.com")
        #expect(json["sessionIndex"] as? String == "_session-5f2a9c")
    }

    @Test("verify: an encrypted assertion with --sp-key")
    func verifyEncrypted() throws {
        let file = "Fixtures/generated/responses/encrypted/assertion-signed-aes256-gcm-rsa-oaep-mgf1p.xml"
        let result = try CLI.run(["verify"] + CLI.verifyOptions + ["--sp-key", "Fixtures/generated/keys/sp-rsa.key.pem", file])
        #expect(result.status == 0, "\(result.summary)")
        let json = try result.json()
        #expect(json["encrypted"] as? Bool == true)
        #expect((json["nameID"] as? [String: Any])?["value"] as? String == "alice@example.com")

        // without the key it is rejected (exit 1), with the wrong key as well
        let noKey = try CLI.run(["verify"] + CLI.verifyOptions + [file])
        #expect(noKey.status == 1, "\(noKey.summary)")
        #expect(try noKey.json()["error"] as? String == "decryptionFailed")
        let wrongKey = try CLI.run(["verify"] + CLI.verifyOptions + ["--sp-key", "Fixtures/generated/keys/sp-rsa-next.key.pem", file])
        #expect(wrongKey.status == 1, "\(wrongKey.summary)")
    }

    @Test("verify: a tampered response exits 1 with {error, message} on stdout")
    func verifyTampered() throws {
        let tampered = try Generated.response("assertion-signed.xml").replacingOnce("Alice Example", with: "Alice Exampla")
        let result = try CLI.run(["verify"] + CLI.verifyOptions + [try CLI.temporaryFile(tampered)])
        #expect(result.status == 1, "\(result.summary)")
        let json = try result.json()
        #expect(json["error"] as? String == "signatureInvalid")
        let message = try #require(json["message"] as? String)
        #expect(!message.isEmpty)
        #expect(json["nameID"] == nil)
    }

    /// A `validate()` failure. ArgumentParser's own default is EX_USAGE (64); `saml` documents and
    /// maps usage errors to 2. Whatever the value, it must be neither success (0) nor rejection (1).
    @Test("verify: --request-id with --allow-unsolicited is a usage error")
    func verifyExclusiveOptions() throws {
        let result = try CLI.run(["verify"] + CLI.base + ["--request-id", "X", "--allow-unsolicited", "--now", "2026-01-15T10:01:00Z", CLI.signed])
        #expect(result.status != 0 && result.status != 1, "\(result.summary)")
        #expect(result.status == 2, "observed exit status \(result.status)")
        #expect(result.stderr.contains("--allow-unsolicited"))
        #expect(result.stdout.isEmpty)

        let badNow = try CLI.run(["verify"] + CLI.base + ["--request-id", "X", "--now", "yesterday", CLI.signed])
        #expect(badNow.status == 2, "\(badNow.summary)")
    }

    @Test("verify: an unreadable response file or metadata file exits 2")
    func verifyUnreadable() throws {
        let result = try CLI.run(["verify"] + CLI.verifyOptions + ["Fixtures/generated/responses/no-such-response.xml"])
        #expect(result.status == 2, "\(result.summary)")
        #expect(result.stderr.contains("no-such-response.xml"))
        let metadata = try CLI.run(["verify", "--idp-metadata", "Fixtures/no-such-metadata.xml", "--sp-entity-id", Generated.acs,
                                    "--acs-url", Generated.acs, "--request-id", Generated.requestID, "--now", "2026-01-15T10:01:00Z", CLI.signed])
        #expect(metadata.status == 2, "\(metadata.summary)")
    }

    @Test("verify: RSA-SHA1 is refused by default and accepted with --allow-sha1")
    func verifySHA1() throws {
        let file = "Fixtures/generated/responses/assertion-signed-rsa-sha1.xml"
        let refused = try CLI.run(["verify"] + CLI.verifyOptions + [file])
        #expect(refused.status == 1, "\(refused.summary)")
        #expect(try refused.json()["error"] as? String == "algorithmNotAllowed")
        let accepted = try CLI.run(["verify"] + CLI.verifyOptions + ["--allow-sha1", file])
        #expect(accepted.status == 0, "\(accepted.summary)")
        #expect((try accepted.json()["nameID"] as? [String: Any])?["value"] as? String == "alice@example.com")
    }

    // MARK: - bench

    @Test("bench verify: prints the rate as its last line")
    func benchVerify() throws {
        let result = try CLI.run(["bench", "verify", "--iterations", "50", "--threads", "2"] + CLI.verifyOptions + [CLI.signed])
        #expect(result.status == 0, "\(result.summary)")
        let last = result.stdout.split(whereSeparator: \.isNewline).last.map(String.init) ?? ""
        let pattern = #/^verify: [0-9]+(\.[0-9]+)? ops/s [0-9]+(\.[0-9]+)? us/op$/#
        #expect(last.wholeMatch(of: pattern) != nil, "last line: \(last)")
    }

    // MARK: - authn-request

    @Test("authn-request: a signed redirect URL, the request ID on stderr")
    func authnRequestRedirect() throws {
        let result = try CLI.run(["authn-request", "--format", "text"] + CLI.base + CLI.signing)
        #expect(result.status == 0, "\(result.summary)")
        let url = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(url.hasPrefix("https://idp.example.org/sso/redirect?SAMLRequest="))
        #expect(url.contains("&SigAlg="))
        #expect(url.contains("&Signature="))
        let components = try #require(URLComponents(string: url))
        #expect(components.queryItems?.first { $0.name == "SigAlg" }?.value == "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256")
        let line = try #require(result.stderr.split(whereSeparator: \.isNewline).first.map(String.init))
        #expect(line.wholeMatch(of: #/request-id: _[A-Za-z0-9_\-]+/#) != nil, "stderr: \(result.stderr)")

        // this IdP sets WantAuthnRequestsSigned="true": without a key the request is refused
        let unsigned = try CLI.run(["authn-request"] + CLI.base)
        #expect(unsigned.status == 2, "\(unsigned.summary)")
        #expect(unsigned.stderr.contains("WantAuthnRequestsSigned"))
        #expect(unsigned.stdout.isEmpty)
        // AWS does not ask for signed requests: an unsigned URL without SigAlg/Signature
        let aws = try CLI.run(["authn-request", "--idp-metadata", Self.aws, "--sp-entity-id", Generated.acs, "--acs-url", Generated.acs],
                              environment: ["SAML_FORMAT": "text"])
        #expect(aws.status == 0, "\(aws.summary)")
        #expect(aws.stdout.hasPrefix("https://portal.sso.us-east-1.amazonaws.com/saml/assertion/NDQ0OTc1NjczNTMwX2lucy01MTRmOGNkNGRjYzJhMjky?SAMLRequest="))
        #expect(!aws.stdout.contains("SigAlg="))
        #expect(!aws.stdout.contains("Signature="))
        // a key without its certificate is a usage error
        let half = try CLI.run(["authn-request"] + CLI.base + ["--sign-key", "Fixtures/generated/keys/sp-rsa.key.pem"])
        #expect(half.status == 2, "\(half.summary)")
        let badBinding = try CLI.run(["authn-request"] + CLI.base + ["--binding", "artifact"])
        #expect(badBinding.status == 2, "\(badBinding.summary)")
        // not a terminal: JSON by default
        let json = try CLI.run(["authn-request"] + CLI.base + CLI.signing)
        #expect(json.status == 0, "\(json.summary)")
        #expect((try json.json()["url"] as? String)?.hasPrefix("https://idp.example.org/sso/redirect?SAMLRequest=") == true)
    }

    @Test("authn-request --json: url and id")
    func authnRequestJSON() throws {
        let result = try CLI.run(["authn-request"] + CLI.base + CLI.signing + ["--json", "--relay-state", "/after"])
        #expect(result.status == 0, "\(result.summary)")
        let json = try result.json()
        let id = try #require(json["id"] as? String)
        #expect(id.hasPrefix("_"))
        let url = try #require(json["url"] as? String)
        #expect(url.hasPrefix("https://idp.example.org/sso/redirect?SAMLRequest="))
        #expect(url.contains("RelayState="))
        #expect(json["binding"] as? String == "redirect")
        #expect(json["destination"] as? String == "https://idp.example.org/sso/redirect")
        #expect(json["relayState"] as? String == "/after")
    }

    @Test("authn-request --binding post: an auto-submitting HTML form")
    func authnRequestPost() throws {
        let result = try CLI.run(["authn-request", "--format", "text"] + CLI.base + CLI.signing + ["--binding", "post"])
        #expect(result.status == 0, "\(result.summary)")
        let html = result.stdout
        #expect(html.contains("<form method=\"post\" action=\"https://idp.example.org/sso/post\">"))
        #expect(html.contains("name=\"SAMLRequest\""))
        #expect(html.contains("document.forms[0].submit()"))
        // the form's SAMLRequest is the signed AuthnRequest whose ID went to stderr
        let value = try #require(html.slice(from: "name=\"SAMLRequest\" value=\"", through: "\""))
            .dropFirst("name=\"SAMLRequest\" value=\"".count).dropLast()
        let xml = String(decoding: try #require(Data(base64Encoded: String(value))), as: UTF8.self)
        let id = try #require(result.stderr.split(whereSeparator: \.isNewline).first?.split(separator: " ").last.map(String.init))
        #expect(xml.contains("ID=\"\(id)\""))
        #expect(xml.contains("<ds:Signature"))
        #expect(xml.contains("Destination=\"https://idp.example.org/sso/post\""))
    }

    // MARK: - sp-metadata

    @Test("sp-metadata: signed SP metadata that verifies with the SP certificate")
    func spMetadata() throws {
        let result = try CLI.run(["sp-metadata", "--sp-entity-id", "https://sp.example.com/saml/metadata", "--acs-url", Generated.acs]
            + ["--sign-cert", "Fixtures/generated/keys/sp-rsa.cert.pem", "--sign-key", "Fixtures/generated/keys/sp-rsa.key.pem"])
        #expect(result.status == 0, "\(result.summary)")
        #expect(result.stdout.contains("EntityDescriptor"))
        #expect(result.stdout.contains("Signature"))
        let document = try XMLDocument.parse(result.stdout)
        let root = try #require(document.root)
        #expect(root.is("EntityDescriptor", NS.metadata))
        #expect(root.attribute("entityID") == "https://sp.example.com/saml/metadata")
        #expect(root.descendants("AssertionConsumerService", NS.metadata).first?.attribute("Location") == Generated.acs)
        let signer = try EnvelopedSignature.verify(root, trusted: [try Generated.certificate("sp-rsa")], allowSHA1: false, what: "metadata")
        #expect(signer == (try Generated.certificate("sp-rsa")))

        let keyWithoutCert = try CLI.run(["sp-metadata", "--sp-entity-id", "x", "--acs-url", Generated.acs,
                                          "--sign-key", "Fixtures/generated/keys/sp-rsa.key.pem"])
        #expect(keyWithoutCert.status == 2, "\(keyWithoutCert.summary)")
    }
}
